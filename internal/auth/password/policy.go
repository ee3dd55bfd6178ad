package password

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"
)

// Length limits of a new password, in characters (runes).
const (
	MinLength = 8
	MaxLength = 128
)

// Code says which rule of the password policy a password broke.
type Code string

// Policy codes.
const (
	CodeTooShort Code = "too_short"
	CodeTooLong  Code = "too_long"
	CodeCommon   Code = "common"   // on the list of commonly used passwords
	CodePersonal Code = "personal" // equal to the user's e-mail address or name
	CodeInvalid  Code = "invalid"  // not valid UTF-8
)

// PolicyError is the error Check returns for a password the policy rejects.
type PolicyError struct {
	Code Code
}

// Error returns the code, for logs; users see Message.
func (e *PolicyError) Error() string {
	return fmt.Sprintf("password: policy: %s", e.Code)
}

// Message returns the Japanese message shown to the user.
func (e *PolicyError) Message() string {
	switch e.Code {
	case CodeTooShort:
		return fmt.Sprintf("パスワードは%d文字以上にしてください。", MinLength)
	case CodeTooLong:
		return fmt.Sprintf("パスワードは%d文字以内にしてください。", MaxLength)
	case CodeCommon:
		return "よく使われるパスワードのため使用できません。"
	case CodePersonal:
		return "メールアドレスや氏名と同じパスワードは使用できません。"
	default:
		return "パスワードに使用できない文字が含まれています。"
	}
}

// Check applies the password policy to a new password: valid UTF-8, between
// MinLength and MaxLength characters, not a commonly used password and not
// equal to any of userInputs (such as the e-mail address, its local part and
// the user's name). Comparisons ignore case and full-width forms. There are
// no composition rules, following NIST SP 800-63B. It returns a *PolicyError.
func Check(plain string, userInputs ...string) error {
	if !utf8.ValidString(plain) {
		return &PolicyError{Code: CodeInvalid}
	}
	switch n := utf8.RuneCountInString(plain); {
	case n < MinLength:
		return &PolicyError{Code: CodeTooShort}
	case n > MaxLength:
		return &PolicyError{Code: CodeTooLong}
	}
	folded := fold(plain)
	for _, in := range userInputs {
		if in = fold(strings.TrimSpace(in)); in != "" && in == folded {
			return &PolicyError{Code: CodePersonal}
		}
	}
	if _, ok := commonSet()[folded]; ok {
		return &PolicyError{Code: CodeCommon}
	}
	return nil
}

// fold lower-cases s and maps full-width ASCII (Ａ-Ｚ, ０-９, ！ …) and the
// ideographic space to their ASCII forms, so that a password typed with the
// IME in full-width mode compares equal to its ASCII spelling.
func fold(s string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		switch {
		case r >= '！' && r <= '～':
			return r - '！' + '!'
		case r == '\u3000':
			return ' '
		}
		return r
	}, s))
}

//go:embed common.txt
var commonTxt string

// commonSet is the set of common passwords from common.txt, lower-cased,
// built on first use. The list holds only entries of at least MinLength
// characters, as shorter ones are rejected by length.
var commonSet = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 6000)
	sc := bufio.NewScanner(strings.NewReader(commonTxt))
	for sc.Scan() {
		if line := strings.TrimSpace(sc.Text()); line != "" {
			set[fold(line)] = struct{}{}
		}
	}
	return set
})
