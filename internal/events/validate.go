package events

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/ical"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// Limits of the fields.
const (
	MaxTitle       = 200
	MaxDescription = 20000
	MaxVenue       = 300
	MaxCapacity    = 100000
	MaxURL         = 2000
	MaxTalks       = 50
	MaxName        = 100
	MaxOrgName     = 200
	MaxNote        = 1000
	MaxEmail       = 254
)

// applyInput validates in and copies it, normalised, into e. Fields that
// the mode does not use are cleared.
func (s *Service) applyInput(ctx context.Context, e *Event, in EventInput) error {
	fields := map[string]string{}
	e.Title = jatext.NormalizeLine(in.Title)
	e.Description = jatext.Normalize(in.Description)
	e.StartsAt, e.EndsAt, e.RegistrationDeadline = in.StartsAt.UTC(), in.EndsAt.UTC(), in.RegistrationDeadline.UTC()
	e.Mode, e.Audience = in.Mode, in.Audience
	e.Venue = jatext.NormalizeLine(in.Venue)
	e.VenueCapacity = in.VenueCapacity
	e.OnlineURL = jatext.NormalizeLine(in.OnlineURL)

	switch n := utf8.RuneCountInString(e.Title); {
	case n == 0:
		fields["title"] = "タイトルを入力してください。"
	case n > MaxTitle:
		fields["title"] = fmt.Sprintf("タイトルは%d文字以内で入力してください。", MaxTitle)
	}
	if utf8.RuneCountInString(e.Description) > MaxDescription {
		fields["description"] = fmt.Sprintf("説明は%d文字以内で入力してください。", MaxDescription)
	}
	switch {
	case e.StartsAt.IsZero():
		fields["starts_at"] = "開始日時を入力してください。"
	case e.EndsAt.IsZero():
		fields["ends_at"] = "終了日時を入力してください。"
	case !e.EndsAt.After(e.StartsAt):
		fields["ends_at"] = "終了日時は開始日時より後にしてください。"
	}
	switch {
	case e.RegistrationDeadline.IsZero():
		fields["registration_deadline"] = "申込締切を入力してください。"
	case !e.EndsAt.IsZero() && e.RegistrationDeadline.After(e.EndsAt):
		fields["registration_deadline"] = "申込締切は終了日時以前にしてください。"
	}
	if !e.Mode.Valid() {
		fields["mode"] = "開催形式を「会場」「オンライン」「ハイブリッド」から選んでください。"
	}
	if e.HasVenue() {
		switch n := utf8.RuneCountInString(e.Venue); {
		case n == 0:
			fields["venue"] = "会場を入力してください。"
		case n > MaxVenue:
			fields["venue"] = fmt.Sprintf("会場は%d文字以内で入力してください。", MaxVenue)
		}
		switch {
		case e.VenueCapacity < 0:
			fields["venue_capacity"] = "会場の定員は0以上で入力してください（0は上限なし）。"
		case e.VenueCapacity > MaxCapacity:
			fields["venue_capacity"] = fmt.Sprintf("会場の定員は%d人以下で入力してください。", MaxCapacity)
		}
	} else {
		e.Venue, e.VenueCapacity = "", 0
	}
	if e.HasOnline() {
		if e.OnlineURL == "" {
			fields["online_url"] = "オンライン参加のURLを入力してください。"
		} else if msg := checkURL(e.OnlineURL); msg != "" {
			fields["online_url"] = msg
		}
	} else {
		e.OnlineURL = ""
	}

	e.AudienceOrgs, e.AudienceRoles = nil, nil
	switch e.Audience {
	case AudienceOpen:
	case AudienceOrganisations:
		for _, id := range in.AudienceOrgs {
			if slices.Contains(e.AudienceOrgs, id) {
				continue
			}
			if _, err := s.Store.Organisation(ctx, id); err != nil {
				if !apperr.Is(err, apperr.NotFound) {
					return err
				}
				fields["audience_orgs"] = "存在しない組織が指定されています。"
				continue
			}
			e.AudienceOrgs = append(e.AudienceOrgs, id)
		}
		if len(e.AudienceOrgs) == 0 && fields["audience_orgs"] == "" {
			fields["audience_orgs"] = "対象の組織を1つ以上選んでください。"
		}
	case AudienceRoles:
		for _, r := range in.AudienceRoles {
			role := identity.Role(strings.TrimSpace(r))
			switch {
			case !role.Valid():
				fields["audience_roles"] = "対象の役割の指定が正しくありません。"
			case !slices.Contains(e.AudienceRoles, role):
				e.AudienceRoles = append(e.AudienceRoles, role)
			}
		}
		if len(e.AudienceRoles) == 0 && fields["audience_roles"] == "" {
			fields["audience_roles"] = "対象の役割を1つ以上選んでください。"
		}
	default:
		fields["audience"] = "参加対象を「どなたでも」「指定した組織の方」「指定した役割の方」から選んでください。"
	}

	if len(in.Talks) > MaxTalks {
		fields["talks"] = fmt.Sprintf("プログラムは%d件までです。", MaxTalks)
	}
	e.Talks = make([]Talk, 0, len(in.Talks))
	for i, t := range in.Talks {
		t.Title = jatext.NormalizeLine(t.Title)
		t.Speaker = jatext.NormalizeLine(t.Speaker)
		t.Affiliation = jatext.NormalizeLine(t.Affiliation)
		if t.StartsAt != nil {
			at := t.StartsAt.UTC()
			t.StartsAt = &at
		}
		var msg string
		switch n := utf8.RuneCountInString(t.Title); {
		case n == 0:
			msg = "のタイトルを入力してください。"
		case n > MaxTitle:
			msg = fmt.Sprintf("のタイトルは%d文字以内で入力してください。", MaxTitle)
		case utf8.RuneCountInString(t.Speaker) > 100:
			msg = "の講師名は100文字以内で入力してください。"
		case utf8.RuneCountInString(t.Affiliation) > 200:
			msg = "の所属は200文字以内で入力してください。"
		case t.Minutes < 0 || t.Minutes > 1440:
			msg = "の時間（分）は0〜1440で入力してください。"
		}
		if msg != "" && fields["talks"] == "" {
			fields["talks"] = fmt.Sprintf("プログラム%d件目%s", i+1, msg)
		}
		e.Talks = append(e.Talks, t)
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	return nil
}

// checkURL returns what is wrong with an http or https URL; "" if nothing.
func checkURL(s string) string {
	if utf8.RuneCountInString(s) > MaxURL {
		return fmt.Sprintf("URLは%d文字以内で入力してください。", MaxURL)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
		strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return "URLは https:// または http:// で始まる正しい形式で入力してください。"
	}
	return ""
}

// checkEmail returns the normalised address and what is wrong with it.
func checkEmail(s string) (string, string) {
	s = jatext.NormalizeLine(s)
	switch {
	case s == "":
		return s, "メールアドレスを入力してください。"
	case len(s) > MaxEmail || !ical.ValidAddress(s) || !strings.Contains(s[strings.IndexByte(s, '@'):], "."):
		return s, "メールアドレスの形式が正しくありません。"
	}
	return s, ""
}

// checkText normalises a one-line field and returns what is wrong with
// it: empty when required, or longer than max characters.
func checkText(s *string, label string, required bool, max int) string {
	*s = jatext.NormalizeLine(*s)
	switch n := utf8.RuneCountInString(*s); {
	case n == 0 && required:
		return label + "を入力してください。"
	case n > max:
		return fmt.Sprintf("%sは%d文字以内で入力してください。", label, max)
	}
	return ""
}

// checkPrefecture normalises a prefecture and returns what is wrong.
func checkPrefecture(s *string) string {
	*s = jatext.NormalizeLine(*s)
	switch {
	case *s == "":
		return "都道府県を選んでください。"
	case !career.IsPrefecture(*s):
		return "都道府県は47都道府県のいずれかを選んでください。"
	}
	return ""
}
