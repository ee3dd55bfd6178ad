package openings

import (
	"net/url"
	"strings"
	"testing"
)

// TestFilterKeywordLength: the keyword limit counts characters, so 200
// kanji are as welcome as 200 letters.
func TestFilterKeywordLength(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    string
		ok   bool
	}{
		{"200 kanji", strings.Repeat("内", 200), true},
		{"200 letters", strings.Repeat("a", 200), true},
		{"201 kanji", strings.Repeat("内", 201), false},
	} {
		_, err := FilterFromValues(url.Values{"q": {tc.q}})
		if (err == nil) != tc.ok {
			t.Errorf("%s: err = %v, want ok %v", tc.name, err, tc.ok)
		}
	}
}
