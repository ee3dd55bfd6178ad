package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func mustHash(tb testing.TB, plain string, p Params) string {
	tb.Helper()
	h, err := HashWithParams(plain, p)
	if err != nil {
		tb.Fatalf("HashWithParams(%q): %v", plain, err)
	}
	return h
}

// part returns the i-th $-separated field of an encoded hash.
func part(encoded string, i int) string { return strings.Split(encoded, "$")[i] }

// withPart returns encoded with its i-th $-separated field replaced by v.
func withPart(encoded string, i int, v string) string {
	parts := strings.Split(encoded, "$")
	parts[i] = v
	return strings.Join(parts, "$")
}

func TestHashFormat(t *testing.T) {
	h := mustHash(t, "correct horse battery staple", TestParams)
	parts := strings.Split(h, "$")
	if len(parts) != 6 {
		t.Fatalf("Hash = %q, want 6 $-separated parts", h)
	}
	if got, want := strings.Join(parts[:4], "$"), "$argon2id$v=19$m=1024,t=1,p=1"; got != want {
		t.Errorf("prefix = %q, want %q", got, want)
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil || len(salt) != SaltLength {
		t.Errorf("salt %q: len %d, err %v; want %d bytes", parts[4], len(salt), err, SaltLength)
	}
	key, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(key) != KeyLength {
		t.Errorf("key %q: len %d, err %v; want %d bytes", parts[5], len(key), err, KeyLength)
	}
	if h2 := mustHash(t, "correct horse battery staple", TestParams); h2 == h {
		t.Error("two hashes of the same password are equal; salt is not random")
	}
}

func TestHashDefaultParams(t *testing.T) {
	h, err := Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=2,p=2$") {
		t.Errorf("Hash = %q, want DefaultParams in PHC form", h)
	}
	ok, rehash, err := Verify("correct horse battery staple", h)
	if !ok || rehash || err != nil {
		t.Errorf("Verify = %v, %v, %v; want true, false, nil", ok, rehash, err)
	}
}

func TestHashWithParamsRejectsBadParams(t *testing.T) {
	tests := []struct {
		name string
		p    Params
	}{
		{"zero", Params{}},
		{"no time", Params{Memory: 1024, Threads: 1}},
		{"no threads", Params{Memory: 1024, Time: 1}},
		{"memory below 8 per thread", Params{Memory: 15, Time: 1, Threads: 2}},
		{"memory too large", Params{Memory: maxMemory + 1, Time: 1, Threads: 1}},
		{"time too large", Params{Memory: 1024, Time: maxTime + 1, Threads: 1}},
		{"threads too many", Params{Memory: 1024, Time: 1, Threads: maxThreads + 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if h, err := HashWithParams("correct horse", tt.p); err == nil {
				t.Errorf("HashWithParams(%+v) = %q, want error", tt.p, h)
			}
		})
	}
}

func TestVerify(t *testing.T) {
	const plain = "パスワード-correct-horse"
	testHash := mustHash(t, plain, TestParams)
	other := Params{Memory: 2048, Time: 1, Threads: 1}
	otherHash := mustHash(t, plain, other)

	tests := []struct {
		name        string
		plain       string
		encoded     string
		wantOK      bool
		wantRehash  bool
		wantErrIsMF bool
	}{
		{"match, test params need rehash", plain, testHash, true, true, false},
		{"match, other params need rehash", plain, otherHash, true, true, false},
		{"wrong password", plain + "x", testHash, false, false, false},
		{"empty password", "", testHash, false, false, false},
		{"case differs", strings.ToUpper(plain), testHash, false, false, false},
		{"empty encoding", plain, "", false, false, true},
		{"bcrypt hash", plain, "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy", false, false, true},
		{"argon2i", plain, strings.Replace(testHash, "argon2id", "argon2i", 1), false, false, true},
		{"version 16", plain, strings.Replace(testHash, "v=19", "v=16", 1), false, false, true},
		{"missing version", plain, strings.Replace(testHash, "$v=19", "", 1), false, false, true},
		{"params out of order", plain, strings.Replace(testHash, "m=1024,t=1,p=1", "t=1,m=1024,p=1", 1), false, false, true},
		{"negative memory", plain, strings.Replace(testHash, "m=1024", "m=-1", 1), false, false, true},
		{"memory over cap", plain, strings.Replace(testHash, "m=1024", fmt.Sprintf("m=%d", maxMemory+1), 1), false, false, true},
		{"memory overflows uint32", plain, strings.Replace(testHash, "m=1024", "m=4294967296", 1), false, false, true},
		{"time over cap", plain, strings.Replace(testHash, "t=1", "t=1000000", 1), false, false, true},
		{"zero time", plain, strings.Replace(testHash, "t=1", "t=0", 1), false, false, true},
		{"zero threads", plain, strings.Replace(testHash, "p=1$", "p=0$", 1), false, false, true},
		{"threads wrap uint8", plain, strings.Replace(testHash, "p=1$", "p=257$", 1), false, false, true},
		{"padded salt", plain, withPart(testHash, 4, part(testHash, 4)+"=="), false, false, true},
		{"short salt", plain, withPart(testHash, 4, "AAAA"), false, false, true},
		{"bad base64 key", plain, withPart(testHash, 5, "!!!!"), false, false, true},
		{"short key", plain, withPart(testHash, 5, "AAAA"), false, false, true},
		{"extra field", plain, testHash + "$x", false, false, true},
		{"too long", plain, testHash + strings.Repeat("A", maxEncodeLen), false, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, rehash, err := Verify(tt.plain, tt.encoded)
			if ok != tt.wantOK || rehash != tt.wantRehash {
				t.Errorf("Verify = %v, %v, %v; want %v, %v", ok, rehash, err, tt.wantOK, tt.wantRehash)
			}
			if gotMF := errors.Is(err, ErrMalformed); gotMF != tt.wantErrIsMF || (err != nil && !gotMF) {
				t.Errorf("Verify error = %v, want ErrMalformed: %v", err, tt.wantErrIsMF)
			}
		})
	}
}

func FuzzVerify(f *testing.F) {
	valid := mustHash(f, "password123", TestParams)
	for _, s := range []string{
		valid,
		"",
		"$",
		"$argon2id$",
		"$argon2id$v=19$m=1024,t=1,p=1$$",
		"$argon2id$v=19$m=,t=,p=$AAAA$AAAA",
		"$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		"$argon2id$v=19$m=4294967295,t=4294967295,p=255$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
		strings.Repeat("$", 1000),
	} {
		f.Add("password123", s)
	}
	f.Fuzz(func(t *testing.T, plain, encoded string) {
		// Keep each fuzz run fast: parse first, and derive only for cheap
		// parameters. The bounds themselves are checked by decode.
		p, _, _, err := decode(encoded)
		if err != nil {
			if ok, _, verr := Verify(plain, encoded); ok || verr == nil {
				t.Fatalf("Verify(%q) = %v, %v; decode failed with %v", encoded, ok, verr, err)
			}
			return
		}
		if p.Memory > maxMemory || p.Time > maxTime || p.Threads > maxThreads {
			t.Fatalf("decode(%q) accepted %+v beyond the caps", encoded, p)
		}
		if p.Memory > 4*1024 || p.Time > 2 {
			return
		}
		if _, _, err := Verify(plain, encoded); err != nil {
			t.Fatalf("Verify(%q): decode accepted it but Verify said %v", encoded, err)
		}
	})
}
