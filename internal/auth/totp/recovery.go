package totp

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// recoveryAlphabet has 32 symbols, none easily mistaken for another: no 0,
// o, 1 or l. Being a power of two, a random byte masked to 5 bits picks a
// symbol without bias.
const recoveryAlphabet = "abcdefghijkmnpqrstuvwxyz23456789"

// Recovery code shape: three groups of four symbols, 60 bits, such as
// "abcd-efgh-jkmn".
const (
	recoveryGroups    = 3
	recoveryGroupSize = 4
	maxRecoveryCodes  = 100
)

// NewRecoveryCodes returns n random recovery codes such as "abcd-efgh-jkmn",
// to show the user once; store only their HashRecoveryCode.
func NewRecoveryCodes(n int) (plain []string, err error) {
	if n < 1 || n > maxRecoveryCodes {
		return nil, fmt.Errorf("totp: %d recovery codes requested, want 1 to %d", n, maxRecoveryCodes)
	}
	seen := make(map[string]bool, n)
	buf := make([]byte, recoveryGroups*recoveryGroupSize)
	for len(plain) < n {
		if _, err := rand.Read(buf); err != nil {
			return nil, fmt.Errorf("totp: reading random: %w", err)
		}
		var b strings.Builder
		for i, c := range buf {
			if i > 0 && i%recoveryGroupSize == 0 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[c&31])
		}
		if code := b.String(); !seen[code] {
			seen[code] = true
			plain = append(plain, code)
		}
	}
	return plain, nil
}

// NormalizeRecoveryCode returns code in the form that is hashed: full-width
// ASCII folded to ASCII, lower case, without spaces or dashes (including the
// long-vowel mark ー an IME may type for a dash).
func NormalizeRecoveryCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r >= '！' && r <= '～' {
			r = r - '！' + '!'
		}
		switch {
		case r == ' ' || r == '\t' || r == '\u3000' || r == '-' ||
			r == 'ー' || r == '−' || (r >= '‐' && r <= '―'):
			return -1
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return r
	}, code)
}

// HashRecoveryCode returns the hex SHA-256 of the normalised code, the form
// stored in the database. A fast unsalted hash is enough here, unlike for
// passwords: codes are 60 random bits, not chosen by people, so reversing a
// leaked hash takes about 2^59 SHA-256 guesses per code.
func HashRecoveryCode(code string) string {
	sum := sha256.Sum256([]byte(NormalizeRecoveryCode(code)))
	return hex.EncodeToString(sum[:])
}
