// Package totp is Hakui's second factor: time-based one-time passwords
// (RFC 6238: SHA-1, six digits, 30-second steps, as authenticator apps expect)
// with single use per time step, and recovery codes. It wraps
// github.com/pquerna/otp and is pure: no database, no HTTP.
package totp

import (
	"bytes"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// Issuer is the issuer name Hakui shows in authenticator apps.
const Issuer = "Hakui"

// TOTP settings, fixed for compatibility with common authenticator apps.
const (
	Period     = 30 // seconds per time step
	Digits     = 6
	Skew       = 1  // steps accepted either side of now, for clock drift
	secretSize = 20 // bytes, as RFC 4226 recommends for HMAC-SHA1
	minSecret  = 16 // bytes, the RFC 4226 minimum
)

// Errors returned by Validate.
var (
	// ErrInvalidCode: the code is not six digits or matches no step in the
	// window.
	ErrInvalidCode = errors.New("totp: invalid code")
	// ErrReplay: the code is right but its step was already used.
	ErrReplay = errors.New("totp: code already used")
)

var (
	b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

	hotpOpts = hotp.ValidateOpts{Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	totpOpts = totp.ValidateOpts{Period: Period, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
)

// Key is a TOTP secret with what an authenticator app needs to enrol it.
type Key struct {
	Secret string // base32 without padding, for manual entry
	URL    string // otpauth://totp/... for the QR code
	key    *otp.Key
}

// NewKey creates a key with a random 160-bit secret for account (the user's
// e-mail address) at issuer, normally Issuer.
func NewKey(issuer, account string) (*Key, error) {
	return generate(issuer, account, nil)
}

// KeyFromSecret rebuilds the Key of an existing secret, to show its QR code
// again while enrolment is pending.
func KeyFromSecret(issuer, account, secret string) (*Key, error) {
	raw, err := decodeSecret(secret)
	if err != nil {
		return nil, err
	}
	return generate(issuer, account, raw)
}

func generate(issuer, account string, secret []byte) (*Key, error) {
	k, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      Period,
		SecretSize:  secretSize,
		Secret:      secret,
		Digits:      otp.DigitsSix,
		Algorithm:   otp.AlgorithmSHA1,
	})
	if err != nil {
		return nil, fmt.Errorf("totp: generating key: %w", err)
	}
	return &Key{Secret: k.Secret(), URL: k.URL(), key: k}, nil
}

// QRPNG renders the key's otpauth URL as a size×size PNG QR code. size must
// be between 64 and 2048 pixels.
func (k *Key) QRPNG(size int) ([]byte, error) {
	if size < 64 || size > 2048 {
		return nil, fmt.Errorf("totp: QR code size %d out of range", size)
	}
	img, err := k.key.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("totp: rendering QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("totp: encoding PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// Validate checks a code typed by the user against secret at now, accepting
// the steps within Skew of now. Spaces are ignored and full-width digits
// (０-９) count as ASCII digits. It returns the matched time step, which the
// caller stores as the new lastStep: a step at or before lastStep returns
// ErrReplay, so each code is used once. A wrong code returns ErrInvalidCode;
// any other error means the secret is malformed.
func Validate(secret, code string, now time.Time, lastStep int64) (step int64, err error) {
	if _, err := decodeSecret(secret); err != nil {
		return 0, err
	}
	code, ok := normalizeCode(code)
	if !ok || now.Unix() < 0 {
		return 0, ErrInvalidCode
	}
	current := now.Unix() / Period
	replayed := false
	// The smallest unused matching step leaves the most later codes usable.
	for s := max(current-Skew, 0); s <= current+Skew; s++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(s), hotpOpts)
		if err != nil {
			return 0, fmt.Errorf("totp: %w", err)
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
			continue
		}
		if s <= lastStep {
			replayed = true
			continue
		}
		return s, nil
	}
	if replayed {
		return 0, ErrReplay
	}
	return 0, ErrInvalidCode
}

// GenerateCode returns the code for secret at t, for tests and demos.
func GenerateCode(secret string, t time.Time) (string, error) {
	if _, err := decodeSecret(secret); err != nil {
		return "", err
	}
	code, err := totp.GenerateCodeCustom(secret, t, totpOpts)
	if err != nil {
		return "", fmt.Errorf("totp: %w", err)
	}
	return code, nil
}

// decodeSecret decodes a base32 secret (any case, padding optional) and
// rejects one too short to be safe: an empty secret would give codes anyone
// can compute.
func decodeSecret(secret string) ([]byte, error) {
	s := strings.ToUpper(strings.TrimRight(strings.TrimSpace(secret), "="))
	raw, err := b32.DecodeString(s)
	if err != nil || len(raw) < minSecret {
		return nil, errors.New("totp: invalid secret")
	}
	return raw, nil
}

// normalizeCode removes spaces, maps full-width digits to ASCII and reports
// whether the result is exactly Digits ASCII digits.
func normalizeCode(code string) (string, bool) {
	var b strings.Builder
	for _, r := range code {
		switch {
		case r == ' ' || r == '\t' || r == '\u3000':
			continue
		case r >= '０' && r <= '９':
			r = r - '０' + '0'
		case r < '0' || r > '9':
			return "", false
		}
		if b.Len() == Digits {
			return "", false
		}
		b.WriteRune(r)
	}
	return b.String(), b.Len() == Digits
}
