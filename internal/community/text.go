package community

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// prose cleans text that members and moderators write (bodies, notes,
// reasons) without rewriting it: invalid UTF-8 is replaced, control
// characters other than newlines and tabs dropped, CRLF and lone CR become
// LF, and surrounding whitespace is trimmed. Unlike jatext.Normalize it
// keeps full-width letters and punctuation as typed ("ＷＥＢ予約？");
// search folds for its index on its own.
func prose(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// proseLine is prose on one line (a title): runs of whitespace, newlines
// included, become one space.
func proseLine(s string) string {
	return strings.Join(strings.Fields(prose(s)), " ")
}
