package placement

import (
	"crypto/sha256"
	"encoding/hex"
	"regexp"
	"strings"

	"github.com/hakui-dev/hakui/internal/jatext"
)

// Limits on a lead's fields, in characters.
const (
	MaxLeadName    = 60
	MaxSourceNote  = 200
	MaxLeadMessage = 5000
)

var (
	kanaPattern         = regexp.MustCompile(`^[\p{Katakana}\p{Hiragana}ー・ 　]*$`)
	registrationPattern = regexp.MustCompile(`^[0-9]{1,7}$`)
)

// phoneSeparators are the characters people put between the digits of a
// phone number, after NFKC: spaces, hyphens and dashes of every kind
// (including the katakana prolonged sound mark typed for a hyphen),
// parentheses and dots.
const phoneSeparators = " -‐‑‒–—―−ー()."

// NormalizePhone returns a Japanese phone number as digits only: NFKC (so
// full-width digits count), separators (phoneSeparators) dropped, and the
// country code +81 replaced by the leading 0, with or without a "(0)" or a
// 0 after it ("+81 (0)90-…", "+81 090-…"). ok is false for an empty input,
// another character, another country code, or a result that is not 10 or 11
// digits starting with 0. NormalizePhone is idempotent on its results.
func NormalizePhone(s string) (digits string, ok bool) {
	s = jatext.NormalizeLine(s)
	rest, intl := strings.CutPrefix(s, "+")
	if intl {
		if rest, intl = strings.CutPrefix(rest, "81"); !intl {
			return "", false
		}
	}
	var b strings.Builder
	if intl {
		b.WriteByte('0')
	}
	for _, r := range rest {
		switch {
		case r >= '0' && r <= '9':
			if intl && r == '0' && b.Len() == 1 {
				continue // "+81 (0)90…" or "+81 090…": the 0 is already there
			}
			b.WriteRune(r)
		case strings.ContainsRune(phoneSeparators, r):
		default:
			return "", false
		}
	}
	digits = b.String()
	if len(digits) < 10 || len(digits) > 11 || digits[0] != '0' {
		return "", false
	}
	return digits, true
}

// NormalizeRegistrationNumber returns a 医籍登録番号 in NFKC without
// surrounding space; ok is false unless it is 1 to 7 digits. Leading zeros
// are kept as typed (the profile keeps them too); Duplicates ignores them.
func NormalizeRegistrationNumber(s string) (string, bool) {
	s = jatext.NormalizeLine(s)
	return s, registrationPattern.MatchString(s)
}

// PurposeHash returns the hex SHA-256 of an agency's purpose-of-use text,
// as Consent.PurposeHash records it.
func PurposeHash(purpose string) string {
	sum := sha256.Sum256([]byte(purpose))
	return hex.EncodeToString(sum[:])
}

// Validate normalises l in place and returns what is wrong per field, in
// Japanese ("name", "name_kana", "email", "phone", "registration_number",
// "source", "source_note", "message"); an empty map means valid. The name
// is required, and an e-mail address or a phone number: with neither, both
// fields say so. The e-mail address is normalised by jatext.NormalizeEmail,
// the phone number to digits (NormalizePhone), the 医籍登録番号 checked by
// NormalizeRegistrationNumber. A phone number in error stays as typed so
// the form can show it again.
func (l *Lead) Validate() map[string]string {
	fields := map[string]string{}
	l.Name = jatext.NormalizeLine(l.Name)
	l.NameKana = jatext.NormalizeLine(l.NameKana)
	l.Email = jatext.NormalizeEmail(l.Email)
	l.Phone = jatext.NormalizeLine(l.Phone)
	l.SourceNote = jatext.NormalizeLine(l.SourceNote)
	l.Message = jatext.Normalize(l.Message)
	switch n := runes(l.Name); {
	case n == 0:
		fields["name"] = "氏名を入力してください。"
	case n > MaxLeadName:
		fields["name"] = tooLong("氏名", MaxLeadName)
	}
	if runes(l.NameKana) > MaxLeadName || !kanaPattern.MatchString(l.NameKana) {
		fields["name_kana"] = "ふりがなはカタカナまたはひらがなで60文字以内にしてください。"
	}
	if l.Email != "" {
		if msg := checkEmail(l.Email); msg != "" {
			fields["email"] = msg
		}
	}
	if l.Phone != "" {
		if digits, ok := NormalizePhone(l.Phone); ok {
			l.Phone = digits
		} else {
			fields["phone"] = "電話番号は国内の番号を10〜11桁の数字で入力してください(例: 090-1234-5678)。"
		}
	}
	if l.Email == "" && l.Phone == "" {
		msg := "メールアドレスか電話番号のどちらかを入力してください。"
		fields["email"], fields["phone"] = msg, msg
	}
	if l.RegistrationNumber != "" {
		var ok bool
		if l.RegistrationNumber, ok = NormalizeRegistrationNumber(l.RegistrationNumber); !ok {
			fields["registration_number"] = "医籍登録番号は数字7桁以内で入力してください。"
		}
	}
	if !l.Source.Valid() {
		fields["source"] = "問い合わせの経路を選んでください。"
	}
	if runes(l.SourceNote) > MaxSourceNote {
		fields["source_note"] = tooLong("経路の補足", MaxSourceNote)
	}
	if runes(l.Message) > MaxLeadMessage {
		fields["message"] = tooLong("メッセージ", MaxLeadMessage)
	}
	return fields
}

// MatchKey names what two leads share.
type MatchKey string

// Keys on which Duplicates matches leads, in the order it reports them.
const (
	MatchEmail              MatchKey = "email"
	MatchPhone              MatchKey = "phone"
	MatchRegistrationNumber MatchKey = "registration_number"
)

// Label returns the Japanese name of the key, or the raw value if unknown.
func (k MatchKey) Label() string {
	switch k {
	case MatchEmail:
		return "メールアドレス"
	case MatchPhone:
		return "電話番号"
	case MatchRegistrationNumber:
		return "医籍登録番号"
	}
	return string(k)
}

// Duplicate is a lead that looks like the same doctor, and why.
type Duplicate struct {
	Lead Lead
	Keys []MatchKey
}

// leadKeys are a lead's normalised match keys; "" never matches.
type leadKeys struct{ email, phone, registration string }

func keysOf(l *Lead) leadKeys {
	var k leadKeys
	k.email = jatext.NormalizeEmail(l.Email)
	k.phone, _ = NormalizePhone(l.Phone)
	if reg, ok := NormalizeRegistrationNumber(l.RegistrationNumber); ok {
		k.registration = strings.TrimLeft(reg, "0")
	}
	return k
}

// Duplicates returns the candidates that share an e-mail address, a phone
// number or a 医籍登録番号 (ignoring leading zeros) with l, in the order of
// candidates, each with the keys it shares. Values are compared after the
// normalisation of Lead.Validate, so raw input finds stored leads. Skipped:
// l itself (same non-zero ID), leads merged into another (MergedInto set:
// the lead they were merged into is the one to find), anonymised leads,
// and leads of another agency when both agencies are known: each agency's
// leads are its own.
func Duplicates(l Lead, candidates []Lead) []Duplicate {
	want := keysOf(&l)
	var out []Duplicate
	for _, c := range candidates {
		if (l.ID != 0 && c.ID == l.ID) || c.MergedInto != 0 || c.AnonymisedAt != nil ||
			(l.AgencyID != 0 && c.AgencyID != 0 && c.AgencyID != l.AgencyID) {
			continue
		}
		got := keysOf(&c)
		var keys []MatchKey
		if want.email != "" && want.email == got.email {
			keys = append(keys, MatchEmail)
		}
		if want.phone != "" && want.phone == got.phone {
			keys = append(keys, MatchPhone)
		}
		if want.registration != "" && want.registration == got.registration {
			keys = append(keys, MatchRegistrationNumber)
		}
		if len(keys) > 0 {
			out = append(out, Duplicate{Lead: c, Keys: keys})
		}
	}
	return out
}
