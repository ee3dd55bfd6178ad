package placement

import (
	"fmt"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/ical"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// Limits on the pipeline's free-text fields, in characters.
const (
	MaxNote         = 2000  // an outcome's, a review's, a check item's note; a scorecard comment
	MaxMeetingNotes = 10000 // each confidential field of a consultation
	MaxPlace        = 200
	MaxURL          = 2000
	MaxParticipants = 20
	MaxInterview    = 12 * time.Hour
)

// jst is Japan Standard Time: dates in forms are JST calendar dates.
var jst = career.JST

// tooLong is the message for a text over its limit.
func tooLong(what string, limit int) string {
	return fmt.Sprintf("%sは%d文字以内にしてください。", what, limit)
}

// runes counts the characters of s.
func runes(s string) int { return utf8.RuneCountInString(s) }

// checkEmail returns what is wrong with a normalised e-mail address, or "".
// The rules are those of account registration.
func checkEmail(email string) string {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "メールアドレスの形式が正しくありません(例: taro@example.jp)。"
	}
	return ""
}

// checkMeetingURL returns what is wrong with the URL of an online meeting,
// or "": it must be an absolute https URL without user information.
func checkMeetingURL(s string) string {
	msg := "オンラインの場合は https:// で始まる会議のURL(Zoomなど)を入力してください。"
	if s == "" {
		return msg
	}
	if len(s) > MaxURL {
		return tooLong("URL", MaxURL)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || strings.ContainsAny(s, " \t\r\n") {
		return msg
	}
	return ""
}

// checkVenue normalises the place and URL of a meeting held in mode and
// records what is wrong in fields: online needs an https URL, in person a
// place. An in-person meeting has no URL.
func checkVenue(fields map[string]string, mode Mode, place, meetingURL *string) {
	*place = jatext.NormalizeLine(*place)
	*meetingURL = jatext.NormalizeLine(*meetingURL)
	switch mode {
	case ModeOnline:
		if msg := checkMeetingURL(*meetingURL); msg != "" {
			fields["meeting_url"] = msg
		}
	case ModeInPerson:
		*meetingURL = ""
		if *place == "" {
			fields["place"] = "対面の場合は場所を入力してください。"
		}
	default:
		fields["mode"] = "対面かオンラインかを選んでください。"
	}
	if runes(*place) > MaxPlace {
		fields["place"] = tooLong("場所", MaxPlace)
	}
}

// Validate normalises o in place and returns what is wrong per field
// ("stage", "reason", "note", "start_date"), in Japanese; an empty map means
// valid. The withdrawals and the decline need a reason code, and the reason
// "other" needs a note; on_hold takes an optional reason under the same
// rules; placed needs the start date (YYYY-MM-DD) and takes no reason. A
// field the stage does not take is cleared.
func (o *Outcome) Validate() map[string]string {
	fields := map[string]string{}
	o.Note = jatext.Normalize(o.Note)
	o.StartDate = jatext.NormalizeLine(o.StartDate)
	if runes(o.Note) > MaxNote {
		fields["note"] = tooLong("メモ", MaxNote)
	}
	switch o.Stage {
	case StagePlaced:
		o.Reason = ""
		if _, err := time.Parse(time.DateOnly, o.StartDate); err != nil {
			fields["start_date"] = "勤務開始日を YYYY-MM-DD の形式で入力してください。"
		}
	case StageWithdrawnByDoctor, StageWithdrawnByAgent, StageDeclinedByInstitution, StageOnHold:
		o.StartDate = ""
		switch {
		case o.Reason == "" && o.Stage == StageOnHold:
		case !o.Reason.Valid():
			fields["reason"] = "理由を選んでください。"
		case o.Reason == ReasonOther && o.Note == "":
			fields["note"] = "理由が「その他」の場合は、内容をメモに書いてください。"
		}
	default:
		fields["stage"] = "結果を選んでください。"
	}
	return fields
}

// Validate normalises c in place and returns what is wrong per field, in
// Japanese: the mode, the scheduled time, the place (in person) or an https
// meeting URL (online), and the length of the confidential notes. Health
// notes (要配慮個人情報) may be recorded only with the doctor's explicit
// consent.
func (c *Consultation) Validate(consent Consent) map[string]string {
	fields := map[string]string{}
	if c.ScheduledAt.IsZero() {
		fields["scheduled_at"] = "面談の日時を入力してください。"
	}
	checkVenue(fields, c.Mode, &c.Place, &c.MeetingURL)
	for _, f := range []struct {
		key, label string
		text       *string
	}{
		{"notes", "面談メモ", &c.Notes},
		{"impression", "印象", &c.Impression},
		{"wishes", "希望", &c.Wishes},
		{"health_notes", "健康に関するメモ", &c.HealthNotes},
	} {
		*f.text = jatext.Normalize(*f.text)
		if runes(*f.text) > MaxMeetingNotes {
			fields[f.key] = tooLong(f.label, MaxMeetingNotes)
		}
	}
	if c.HealthNotes != "" && !consent.HealthGiven() {
		fields["health_notes"] = "健康に関する情報(要配慮個人情報)は、医師の明示的な同意を得てから記録してください。"
	}
	return fields
}

// Validate normalises iv in place and returns what is wrong per field, in
// Japanese: a start before the end (at most MaxInterview apart), the mode
// with its place or https URL, and one to MaxParticipants participants, each
// with a distinct e-mail address an invitation can carry
// (ical.ValidAddress) and a known role (ParticipantRoles).
func (iv *Interview) Validate() map[string]string {
	fields := map[string]string{}
	switch {
	case iv.StartsAt.IsZero():
		fields["starts_at"] = "面接の開始日時を入力してください。"
	case iv.EndsAt.IsZero() || !iv.EndsAt.After(iv.StartsAt):
		fields["ends_at"] = "終了日時は開始日時より後にしてください。"
	case iv.EndsAt.Sub(iv.StartsAt) > MaxInterview:
		fields["ends_at"] = fmt.Sprintf("面接の時間は%d時間以内にしてください。", int(MaxInterview.Hours()))
	}
	checkVenue(fields, iv.Mode, &iv.Place, &iv.MeetingURL)

	var probs []string
	switch n := len(iv.Participants); {
	case n == 0:
		probs = append(probs, "参加者を1人以上入力してください。")
	case n > MaxParticipants:
		probs = append(probs, fmt.Sprintf("参加者は%d人以内にしてください。", MaxParticipants))
	}
	seen := map[string]bool{}
	for i := range iv.Participants {
		p := &iv.Participants[i]
		p.Name = jatext.NormalizeLine(p.Name)
		p.Email = jatext.NormalizeEmail(p.Email)
		who := fmt.Sprintf("%d人目の参加者", i+1)
		switch {
		case p.Email == "":
			probs = append(probs, who+"のメールアドレスを入力してください。")
		case checkEmail(p.Email) != "" || !ical.ValidAddress(p.Email):
			probs = append(probs, who+"のメールアドレスの形式が正しくありません(半角英数字で入力してください)。")
		case seen[p.Email]:
			probs = append(probs, who+"のメールアドレスが重複しています。")
		}
		seen[p.Email] = true
		switch {
		case p.Name == "":
			// Pages show the name, never the address, to the other side.
			probs = append(probs, who+"の氏名を入力してください。")
		case runes(p.Name) > 100:
			probs = append(probs, who+"の氏名は100文字以内にしてください。")
		}
		if !slices.Contains(ParticipantRoles, p.Role) {
			probs = append(probs, who+"の立場(医師・医療機関・エージェント)を選んでください。")
		}
	}
	if len(probs) > 0 {
		fields["participants"] = strings.Join(probs, " ")
	}
	return fields
}

// Validate normalises s in place and returns what is wrong per field
// ("scores", "overall", "comment"), in Japanese. Each score is 1 to 5 and
// belongs to one of the case's check items, items; not every item needs a
// score. The overall recommendation is required.
func (s *Scorecard) Validate(items []CheckItem) map[string]string {
	fields := map[string]string{}
	for id, score := range s.Scores {
		switch {
		case !slices.ContainsFunc(items, func(it CheckItem) bool { return it.ID == id }):
			fields["scores"] = "この案件の確認事項にない項目が含まれています。画面を更新してやり直してください。"
		case score < 1 || score > 5:
			if _, ok := fields["scores"]; !ok {
				fields["scores"] = "評価は1〜5で入力してください。"
			}
		}
	}
	if !s.Overall.Valid() {
		fields["overall"] = "総合評価を選んでください。"
	}
	s.Comment = jatext.Normalize(s.Comment)
	if runes(s.Comment) > MaxNote {
		fields["comment"] = tooLong("コメント", MaxNote)
	}
	return fields
}

// Validate normalises c in place and returns what is wrong per field
// ("verdict", "note"), in Japanese.
func (c *Conclusion) Validate() map[string]string {
	fields := map[string]string{}
	if !c.Verdict.Valid() {
		fields["verdict"] = "結論(進める・見送る・未定)を選んでください。"
	}
	c.Note = jatext.Normalize(c.Note)
	if runes(c.Note) > MaxNote {
		fields["note"] = tooLong("メモ", MaxNote)
	}
	return fields
}
