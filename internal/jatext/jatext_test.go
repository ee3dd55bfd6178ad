package jatext

import "testing"

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"full-width latin and digits", "ＡＢＣ１２３", "ABC123"},
		{"half-width katakana", "ｶﾀｶﾅ", "カタカナ"},
		{"full-width space trimmed", "\u3000内科\u3000", "内科"},
		{"control characters dropped", "a\x00b\x07c", "abc"},
		{"invalid utf-8 dropped", "a\xffb", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeEmail(t *testing.T) {
	if got, want := NormalizeEmail(" Ｄｒ.Tanaka＠Example.JP "), "dr.tanaka@example.jp"; got != want {
		t.Errorf("NormalizeEmail = %q, want %q", got, want)
	}
}

func TestNormalizeLine(t *testing.T) {
	if got, want := NormalizeLine("山田\n\t太郎  先生"), "山田 太郎 先生"; got != want {
		t.Errorf("NormalizeLine = %q, want %q", got, want)
	}
}
