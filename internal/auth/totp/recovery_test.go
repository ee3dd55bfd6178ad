package totp

import (
	"regexp"
	"strings"
	"testing"
)

func TestNewRecoveryCodes(t *testing.T) {
	codes, err := NewRecoveryCodes(10)
	if err != nil {
		t.Fatal(err)
	}
	if len(codes) != 10 {
		t.Fatalf("got %d codes, want 10", len(codes))
	}
	shape := regexp.MustCompile(`^[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}-[a-km-np-z2-9]{4}$`)
	seen := map[string]bool{}
	for _, c := range codes {
		if !shape.MatchString(c) {
			t.Errorf("code %q does not look like abcd-efgh-jkmn", c)
		}
		if strings.ContainsAny(c, "0o1l") {
			t.Errorf("code %q has an ambiguous character", c)
		}
		if seen[c] {
			t.Errorf("duplicate code %q", c)
		}
		seen[c] = true
		if NormalizeRecoveryCode(c) != strings.ReplaceAll(c, "-", "") {
			t.Errorf("NormalizeRecoveryCode(%q) = %q", c, NormalizeRecoveryCode(c))
		}
	}
	for _, n := range []int{0, -1, maxRecoveryCodes + 1} {
		if _, err := NewRecoveryCodes(n); err == nil {
			t.Errorf("NewRecoveryCodes(%d) succeeded, want error", n)
		}
	}
}

func TestRecoveryCodeNormalization(t *testing.T) {
	const code = "abcd-efgh-jkmn"
	want := HashRecoveryCode(code)
	if len(want) != 64 {
		t.Fatalf("HashRecoveryCode = %q, want 64 hex digits", want)
	}
	tests := []struct {
		name  string
		input string
		same  bool
	}{
		{"as shown", code, true},
		{"upper case", "ABCD-EFGH-JKMN", true},
		{"no dashes", "abcdefghjkmn", true},
		{"spaces", " abcd efgh jkmn ", true},
		{"full-width", "ＡＢＣＤ－ｅｆｇｈ－ｊｋｍｎ", true},
		{"ideographic space and long-vowel mark", "abcd\u3000efghーjkmn", true},
		{"unicode dashes", "abcd‐efgh−jkmn", true},
		{"one symbol wrong", "abcd-efgh-jkmp", false},
		{"missing symbol", "abcd-efgh-jkm", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := HashRecoveryCode(tt.input) == want; got != tt.same {
				t.Errorf("HashRecoveryCode(%q) == HashRecoveryCode(%q): %v, want %v (normalised %q)",
					tt.input, code, got, tt.same, NormalizeRecoveryCode(tt.input))
			}
		})
	}
}
