package password

import (
	"bufio"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCheck(t *testing.T) {
	const (
		email = "Taro.Yamada@example.jp"
		local = "Taro.Yamada"
		name  = "山田太郎さんのパスワード"
	)
	tests := []struct {
		name   string
		plain  string
		inputs []string
		want   Code // "" for accepted
	}{
		{"ok ascii", "correct horse battery", nil, ""},
		{"ok japanese 8 runes", "春はあけぼの夜は月", nil, ""},
		{"ok exactly min", "zq7#vLp2", nil, ""},
		{"ok exactly max", strings.Repeat("あ", MaxLength), nil, ""},
		{"ok no composition rules", "富士山に登りたいです", nil, ""},
		{"empty", "", nil, CodeTooShort},
		{"seven ascii", "zq7#vLp", nil, CodeTooShort},
		{"seven runes, many bytes", "春はあけぼの夜", nil, CodeTooShort},
		{"too long", strings.Repeat("a", MaxLength) + "b", nil, CodeTooLong},
		{"too long runes", strings.Repeat("あ", MaxLength+1), nil, CodeTooLong},
		{"invalid utf8", "abcdefgh\xff", nil, CodeInvalid},
		{"common", "password", nil, CodeCommon},
		{"common upper case", "PASSWORD", nil, CodeCommon},
		{"common mixed case", "Password1!", nil, CodeCommon},
		{"common digits", "12345678", nil, CodeCommon},
		{"common keyboard walk", "1qaz2wsx", nil, CodeCommon},
		{"common japanese context", "Hakui123", nil, CodeCommon},
		{"common doctor", "doctor123", nil, CodeCommon},
		{"common full-width", "ｐａｓｓｗｏｒｄ", nil, CodeCommon},
		{"personal email", "taro.yamada@EXAMPLE.jp", []string{email, local, name}, CodePersonal},
		{"personal local part", "taro.yamada", []string{email, local, name}, CodePersonal},
		{"personal name", name, []string{email, local, name}, CodePersonal},
		{"personal wins over common", "password", []string{"password"}, CodePersonal},
		{"empty inputs ignored", "quiet meadow lark", []string{"", "  "}, ""},
		{"contains but not equal", "taro.yamada-2xq!", []string{email, local}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Check(tt.plain, tt.inputs...)
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tt.plain, err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("Check(%q) = %v, want *PolicyError %s", tt.plain, err, tt.want)
			}
			if pe.Code != tt.want {
				t.Errorf("Check(%q).Code = %s, want %s", tt.plain, pe.Code, tt.want)
			}
		})
	}
}

func TestPolicyErrorMessage(t *testing.T) {
	tests := []struct {
		code Code
		want string
	}{
		{CodeTooShort, "パスワードは8文字以上にしてください。"},
		{CodeTooLong, "パスワードは128文字以内にしてください。"},
		{CodeCommon, "よく使われるパスワードのため使用できません。"},
		{CodePersonal, "メールアドレスや氏名と同じパスワードは使用できません。"},
		{CodeInvalid, "パスワードに使用できない文字が含まれています。"},
	}
	for _, tt := range tests {
		t.Run(string(tt.code), func(t *testing.T) {
			e := &PolicyError{Code: tt.code}
			if got := e.Message(); got != tt.want {
				t.Errorf("Message() = %q, want %q", got, tt.want)
			}
			if !strings.Contains(e.Error(), string(tt.code)) {
				t.Errorf("Error() = %q, want it to name %s", e.Error(), tt.code)
			}
		})
	}
}

func TestCommonList(t *testing.T) {
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(commonTxt))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line != strings.TrimSpace(line) || line != fold(line) {
			t.Errorf("common.txt:%d: %q is not a trimmed, lower-case entry", n, line)
		}
		if utf8.RuneCountInString(line) < MinLength {
			t.Errorf("common.txt:%d: %q is shorter than MinLength and could never match", n, line)
		}
		if seen[line] {
			t.Errorf("common.txt:%d: duplicate %q", n, line)
		}
		seen[line] = true
	}
	if len(seen) < 1000 {
		t.Errorf("common.txt has %d entries, want at least 1000", len(seen))
	}
	if got := len(commonSet()); got != len(seen) {
		t.Errorf("commonSet has %d entries, common.txt %d", got, len(seen))
	}
}
