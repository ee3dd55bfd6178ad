package totp

import (
	"bytes"
	"errors"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rfcSecret is the RFC 6238 SHA-1 test secret "12345678901234567890".
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestGenerateCodeRFC6238(t *testing.T) {
	// The RFC's eight-digit values, truncated to six.
	tests := []struct {
		unix int64
		want string
	}{
		{59, "287082"},
		{1111111109, "081804"},
		{1111111111, "050471"},
		{1234567890, "005924"},
		{2000000000, "279037"},
		{20000000000, "353130"},
	}
	for _, tt := range tests {
		got, err := GenerateCode(rfcSecret, time.Unix(tt.unix, 0))
		if err != nil || got != tt.want {
			t.Errorf("GenerateCode(%d) = %q, %v; want %q", tt.unix, got, err, tt.want)
		}
	}
}

func TestValidate(t *testing.T) {
	now := time.Unix(1111111111, 0) // step 37037037, code 050471
	step := now.Unix() / Period
	at := func(d int64) string {
		t.Helper()
		c, err := GenerateCode(rfcSecret, now.Add(time.Duration(d)*Period*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	toFullWidth := func(s string) string {
		return strings.Map(func(r rune) rune { return r - '0' + '０' }, s)
	}
	tests := []struct {
		name     string
		code     string
		lastStep int64
		want     int64
		wantErr  error
	}{
		{"current", at(0), 0, step, nil},
		{"previous step", at(-1), 0, step - 1, nil},
		{"next step", at(1), 0, step + 1, nil},
		{"two steps back", at(-2), 0, 0, ErrInvalidCode},
		{"two steps ahead", at(2), 0, 0, ErrInvalidCode},
		{"far step", at(-100), 0, 0, ErrInvalidCode},
		{"wrong code", "000000", 0, 0, ErrInvalidCode},
		{"replay same step", at(0), step, 0, ErrReplay},
		{"replay older step", at(-1), step, 0, ErrReplay},
		{"replay after later step used", at(0), step + 1, 0, ErrReplay},
		{"next step after current used", at(1), step, step + 1, nil},
		{"spaces", "050 471", 0, step, nil},
		{"surrounding spaces", " 050471\t", 0, step, nil},
		{"full-width digits", "０５０４７１", 0, step, nil},
		{"full-width with ideographic space", "０５０\u3000４７１", 0, step, nil},
		{"full-width helper", toFullWidth(at(1)), 0, step + 1, nil},
		{"five digits", "05047", 0, 0, ErrInvalidCode},
		{"seven digits", "0504710", 0, 0, ErrInvalidCode},
		{"letters", "05o471", 0, 0, ErrInvalidCode},
		{"recovery code", "abcd-efgh-jkmn", 0, 0, ErrInvalidCode},
		{"empty", "", 0, 0, ErrInvalidCode},
		{"arabic-indic digits", "٠٥٠٤٧١", 0, 0, ErrInvalidCode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Validate(rfcSecret, tt.code, now, tt.lastStep)
			if !errors.Is(err, tt.wantErr) || got != tt.want {
				t.Errorf("Validate(%q, last %d) = %d, %v; want %d, %v", tt.code, tt.lastStep, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestValidateSingleUse(t *testing.T) {
	key, err := NewKey(Issuer, "taro@example.jp")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 4, 1, 9, 0, 10, 0, time.UTC)
	code, err := GenerateCode(key.Secret, now)
	if err != nil {
		t.Fatal(err)
	}
	step, err := Validate(key.Secret, code, now, 0)
	if err != nil {
		t.Fatalf("first use: %v", err)
	}
	if _, err := Validate(key.Secret, code, now.Add(5*time.Second), step); !errors.Is(err, ErrReplay) {
		t.Errorf("second use = %v, want ErrReplay", err)
	}
}

func TestValidateBadSecret(t *testing.T) {
	now := time.Unix(1111111111, 0)
	tests := []struct {
		name    string
		secret  string
		wantErr bool
	}{
		{"empty", "", true},
		{"40 bits", "GEZDGNBV", true},
		{"not base32", "not base32!", true},
		{"digit 1 is not base32", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", true},
		{"lower case", strings.ToLower(rfcSecret), false},
		{"surrounding space", " " + rfcSecret + "\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Validate(tt.secret, "050471", now, 0)
			if !tt.wantErr {
				if err != nil {
					t.Errorf("Validate with secret %q = %v, want nil", tt.secret, err)
				}
				return
			}
			if err == nil || errors.Is(err, ErrInvalidCode) || errors.Is(err, ErrReplay) {
				t.Errorf("Validate with secret %q = %v, want a secret error", tt.secret, err)
			}
		})
	}
}

func TestNewKey(t *testing.T) {
	key, err := NewKey(Issuer, "hanako@example.jp")
	if err != nil {
		t.Fatal(err)
	}
	if len(key.Secret) != 32 || strings.Contains(key.Secret, "=") {
		t.Errorf("Secret = %q, want 32 base32 characters without padding", key.Secret)
	}
	u, err := url.Parse(key.URL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || q.Get("secret") != key.Secret ||
		q.Get("issuer") != Issuer || q.Get("algorithm") != "SHA1" || q.Get("digits") != "6" || q.Get("period") != "30" {
		t.Errorf("URL = %s, want an otpauth totp URL with the key's settings", key.URL)
	}
	if other, _ := NewKey(Issuer, "hanako@example.jp"); other.Secret == key.Secret {
		t.Error("two keys share a secret")
	}
	if _, err := NewKey("", "hanako@example.jp"); err == nil {
		t.Error("NewKey without issuer succeeded")
	}
	again, err := KeyFromSecret(Issuer, "hanako@example.jp", key.Secret)
	if err != nil || again.Secret != key.Secret || again.URL != key.URL {
		t.Errorf("KeyFromSecret = %+v, %v; want the same secret and URL as %+v", again, err, key)
	}
	if _, err := KeyFromSecret(Issuer, "hanako@example.jp", ""); err == nil {
		t.Error("KeyFromSecret with an empty secret succeeded")
	}
}

func TestQRPNG(t *testing.T) {
	key, err := NewKey(Issuer, "ichiro@example.jp")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		size    int
		wantErr bool
	}{
		{200, false},
		{64, false},
		{10, true},
		{100000, true},
	}
	for _, tt := range tests {
		b, err := key.QRPNG(tt.size)
		if tt.wantErr {
			if err == nil {
				t.Errorf("QRPNG(%d) succeeded, want error", tt.size)
			}
			continue
		}
		if err != nil {
			t.Fatalf("QRPNG(%d): %v", tt.size, err)
		}
		cfg, err := png.DecodeConfig(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("QRPNG(%d) is not a PNG: %v", tt.size, err)
		}
		if cfg.Width != tt.size || cfg.Height != tt.size {
			t.Errorf("QRPNG(%d) is %d×%d", tt.size, cfg.Width, cfg.Height)
		}
		if _, err := png.Decode(bytes.NewReader(b)); err != nil {
			t.Errorf("QRPNG(%d) does not decode: %v", tt.size, err)
		}
	}
}
