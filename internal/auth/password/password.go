// Package password hashes and verifies passwords with Argon2id and checks
// new passwords against Hakui's password policy. It is pure: no database, no
// HTTP.
//
// Hashes are stored in the PHC string format, parameters beside the hash:
//
//	$argon2id$v=19$m=65536,t=2,p=2$<salt>$<hash>
//
// with salt and hash in unpadded standard base64, so that the parameters can
// be raised later and old hashes still verify (and report needsRehash).
package password

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are the Argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8  // degree of parallelism
}

// DefaultParams are the parameters new hashes use in production: 64 MiB,
// two passes, two lanes. Verify reports needsRehash for any other.
var DefaultParams = Params{Memory: 64 * 1024, Time: 2, Threads: 2}

// TestParams are cheap parameters (1 MiB, one pass, one lane) for tests and
// demo data, where many passwords are hashed. Never use them for real
// accounts.
var TestParams = Params{Memory: 1024, Time: 1, Threads: 1}

// Lengths of the random salt and of the derived key, in bytes.
const (
	SaltLength = 16
	KeyLength  = 32
)

// Bounds on what Verify accepts from an encoded hash, so that a malformed or
// tampered string cannot make one verification use unbounded memory or time.
const (
	maxMemory    = 256 * 1024 // KiB, four times DefaultParams
	maxTime      = 16
	maxThreads   = 16
	minSaltLen   = 8
	maxSaltLen   = 64
	minKeyLen    = 16
	maxKeyLen    = 64
	maxEncodeLen = 512
)

// ErrMalformed is returned by Verify when the encoded hash cannot be parsed,
// uses another algorithm or version, or has parameters out of bounds.
var ErrMalformed = errors.New("password: malformed hash")

// Hash returns the PHC-encoded Argon2id hash of plain with DefaultParams and
// a fresh random salt.
func Hash(plain string) (string, error) {
	return HashWithParams(plain, DefaultParams)
}

// HashWithParams is Hash with the given parameters; tests and demo data pass
// TestParams to keep hashing cheap.
func HashWithParams(plain string, p Params) (string, error) {
	if err := p.check(); err != nil {
		return "", err
	}
	salt := make([]byte, SaltLength)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	key := argon2.IDKey([]byte(plain), salt, p.Time, p.Memory, p.Threads, KeyLength)
	return encode(p, salt, key), nil
}

// Verify reports whether plain matches the encoded hash, comparing in
// constant time with the parameters read from encoded. needsRehash is true
// when plain matches but the hash was made with other parameters or lengths
// than DefaultParams, so the caller should store a new Hash. A malformed
// encoding returns ErrMalformed.
func Verify(plain, encoded string) (ok bool, needsRehash bool, err error) {
	p, salt, want, err := decode(encoded)
	if err != nil {
		return false, false, err
	}
	got := argon2.IDKey([]byte(plain), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return false, false, nil
	}
	needsRehash = p != DefaultParams || len(salt) != SaltLength || len(want) != KeyLength
	return true, needsRehash, nil
}

func (p Params) check() error {
	if p.Time < 1 || p.Time > maxTime || p.Threads < 1 || p.Threads > maxThreads ||
		p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory {
		return fmt.Errorf("password: parameters out of bounds: m=%d t=%d p=%d", p.Memory, p.Time, p.Threads)
	}
	return nil
}

func encode(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt),
		base64.RawStdEncoding.EncodeToString(key))
}

// decode parses a PHC-encoded Argon2id hash and checks its bounds.
func decode(encoded string) (p Params, salt, key []byte, err error) {
	if len(encoded) > maxEncodeLen {
		return p, nil, nil, ErrMalformed
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" ||
		parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, ErrMalformed
	}
	m, t, th, ok := parseParams(parts[3])
	if !ok || th > maxThreads { // checked before uint8 could wrap it
		return p, nil, nil, ErrMalformed
	}
	p = Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(th)}
	if p.check() != nil {
		return Params{}, nil, nil, ErrMalformed
	}
	salt, err = base64.RawStdEncoding.Strict().DecodeString(parts[4])
	if err != nil || len(salt) < minSaltLen || len(salt) > maxSaltLen {
		return Params{}, nil, nil, ErrMalformed
	}
	key, err = base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err != nil || len(key) < minKeyLen || len(key) > maxKeyLen {
		return Params{}, nil, nil, ErrMalformed
	}
	return p, salt, key, nil
}

// parseParams parses "m=<uint>,t=<uint>,p=<uint>" in that order.
func parseParams(s string) (m, t, p uint64, ok bool) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return 0, 0, 0, false
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		v, found := strings.CutPrefix(fields[i], name)
		if !found {
			return 0, 0, 0, false
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return 0, 0, 0, false
		}
		vals[i] = n
	}
	return vals[0], vals[1], vals[2], true
}
