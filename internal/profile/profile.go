// Package profile holds a doctor's profile: who they are, their career
// events (from which the stage follows), certifications, self-assessed
// competencies, chosen career tracks, preferences and what they let
// institutions and agents see.
package profile

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// Certification is a qualification with the date obtained.
type Certification struct {
	Name       string
	Specialty  string
	ObtainedOn string // YYYY-MM-DD or ""
}

// Visibility is what institutions and agents may see before the doctor
// applies or consents to an introduction. Until then the profile is
// anonymous: stage, specialties, competencies and region only.
type Visibility struct {
	ShowName      bool
	ShowWorkplace bool
	ShowContact   bool
}

// Profile is a doctor's profile.
type Profile struct {
	UserID                 int64
	NameKanji              string
	NameKana               string
	GraduationYear         int // 0: not given
	RegistrationNumber     string
	RegistrationVerifiedAt *time.Time
	Workplace              string
	PracticeForm           career.PracticeForm
	Prefecture             string
	City                   string
	Specialties            []string
	Subspecialties         []string
	Languages              []string
	Bio                    string
	Preferences            career.Preferences
	Visibility             Visibility
	UpdatedAt              time.Time

	Events         []career.Event
	Certifications []Certification
	Skills         []career.Skill
	Tracks         []string
}

// Stage returns the career stage on the date.
func (p *Profile) Stage(at time.Time) career.Stage { return career.StageAt(p.Events, at) }

// Facts returns what the fit needs about the doctor at the time.
func (p *Profile) Facts(at time.Time) career.Doctor {
	return career.Doctor{Stage: p.Stage(at), Specialties: p.Specialties, Skills: p.Skills, Preferences: p.Preferences,
		Prefecture: p.Prefecture}
}

var (
	kanaPattern         = regexp.MustCompile(`^[\p{Katakana}\p{Hiragana}ー・ 　]*$`)
	registrationPattern = regexp.MustCompile(`^[0-9]{1,7}$`)
)

// Validate normalises p in place and returns what is wrong per field, in
// Japanese.
func (p *Profile) Validate(vocab *career.Vocabulary, tracks []career.Track, now time.Time) map[string]string {
	fields := map[string]string{}
	p.NameKanji = jatext.NormalizeLine(p.NameKanji)
	p.NameKana = jatext.NormalizeLine(p.NameKana)
	p.RegistrationNumber = jatext.NormalizeLine(p.RegistrationNumber)
	p.Workplace = jatext.NormalizeLine(p.Workplace)
	p.Prefecture = jatext.NormalizeLine(p.Prefecture)
	p.City = jatext.NormalizeLine(p.City)
	p.Bio = jatext.Normalize(p.Bio)
	if utf8.RuneCountInString(p.NameKanji) > 60 {
		fields["name_kanji"] = "氏名は60文字以内にしてください。"
	}
	if utf8.RuneCountInString(p.NameKana) > 60 || !kanaPattern.MatchString(p.NameKana) {
		fields["name_kana"] = "ふりがなはカタカナまたはひらがなで60文字以内にしてください。"
	}
	if p.GraduationYear != 0 && (p.GraduationYear < 1950 || p.GraduationYear > now.Year()+6) {
		fields["graduation_year"] = fmt.Sprintf("卒業年は1950〜%d年で入力してください。", now.Year()+6)
	}
	if p.RegistrationNumber != "" && !registrationPattern.MatchString(p.RegistrationNumber) {
		fields["registration_number"] = "医籍登録番号は数字7桁以内で入力してください。"
	}
	if utf8.RuneCountInString(p.Workplace) > 200 {
		fields["workplace"] = "勤務先は200文字以内にしてください。"
	}
	if !p.PracticeForm.Valid() {
		fields["practice_form"] = "勤務形態(勤務医・開業医・開業予定)を選んでください。"
	}
	if p.Prefecture != "" && !career.IsPrefecture(p.Prefecture) {
		fields["prefecture"] = "都道府県を選んでください。"
	}
	if utf8.RuneCountInString(p.City) > 60 {
		fields["city"] = "市区町村は60文字以内にしてください。"
	}
	p.Specialties = cleanList(p.Specialties)
	for _, s := range p.Specialties {
		if !career.IsSpecialty(s) {
			fields["specialties"] = "専門は基本領域(19領域)から選んでください。"
		}
	}
	p.Subspecialties = cleanList(p.Subspecialties)
	p.Languages = cleanList(p.Languages)
	if len(p.Subspecialties) > 20 || len(p.Languages) > 20 || longest(p.Subspecialties) > 60 || longest(p.Languages) > 60 {
		fields["subspecialties"] = "サブスペシャルティ・言語は各20件・1件60文字以内にしてください。"
	}
	if utf8.RuneCountInString(p.Bio) > 2000 {
		fields["bio"] = "自己紹介は2000文字以内にしてください。"
	}
	if probs := career.ValidateEvents(p.Events); len(probs) > 0 {
		var msgs []string
		for _, pr := range probs {
			msgs = append(msgs, pr.Message)
		}
		fields["events"] = strings.Join(msgs, " ")
	}
	for i := range p.Certifications {
		c := &p.Certifications[i]
		c.Name = jatext.NormalizeLine(c.Name)
		c.ObtainedOn = jatext.NormalizeLine(c.ObtainedOn)
		if c.Name == "" || utf8.RuneCountInString(c.Name) > 200 {
			fields["certifications"] = "資格名を200文字以内で入力してください。"
		}
		if c.ObtainedOn != "" {
			if _, err := time.Parse(time.DateOnly, c.ObtainedOn); err != nil {
				fields["certifications"] = "取得日は YYYY-MM-DD の形式で入力してください。"
			}
		}
	}
	if vocab != nil {
		if probs := career.ValidateSkills(vocab, p.Skills); len(probs) > 0 {
			fields["skills"] = strings.Join(probs, " ")
		}
	}
	for _, code := range p.Tracks {
		if !slices.ContainsFunc(tracks, func(t career.Track) bool { return t.Code == code }) {
			fields["tracks"] = "キャリアトラックを一覧から選んでください。"
		}
	}
	pr := &p.Preferences
	for _, k := range pr.Kinds {
		if !k.Valid() {
			fields["pref_kinds"] = "希望する勤務形態を一覧から選んでください。"
		}
	}
	for _, pref := range pr.Prefectures {
		if !career.IsPrefecture(pref) {
			fields["pref_prefectures"] = "希望する都道府県を一覧から選んでください。"
		}
	}
	if pr.MinHourlyYen < 0 || pr.MinHourlyYen > 1_000_000 {
		fields["pref_min_hourly_yen"] = "希望時給は0〜1,000,000円で入力してください。"
	}
	if pr.MinAnnualYen < 0 || pr.MinAnnualYen > 1_000_000_000 {
		fields["pref_min_annual_yen"] = "希望年収は0〜10億円で入力してください。"
	}
	return fields
}

func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = jatext.NormalizeLine(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func longest(list []string) int {
	n := 0
	for _, s := range list {
		n = max(n, utf8.RuneCountInString(s))
	}
	return n
}
