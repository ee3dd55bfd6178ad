// Package jatext normalises Japanese text so that full-width and half-width
// forms of the same input compare equal (NFKC), as users type both.
package jatext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize returns s in NFKC with surrounding white space (including the
// full-width space) removed and control characters dropped.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = norm.NFKC.String(s)
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// NormalizeLine is Normalize for single-line fields: line breaks and tabs
// become single spaces.
func NormalizeLine(s string) string {
	return strings.Join(strings.Fields(Normalize(s)), " ")
}

// NormalizeEmail returns the canonical form of an e-mail address used for
// look-ups: NFKC, trimmed and lower-cased.
func NormalizeEmail(s string) string {
	return strings.ToLower(NormalizeLine(s))
}
