// Package records keeps the confidential 面談記録 of 地域枠 career
// coordination: structured records sealed field by field, the sharing
// agreements that let another organisation read them, and the doctors'
// consent to health topics. Every read of a record's content is audited
// about the doctor, who can see who read what, and when.
package records

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/identity"
)

// jst is the zone of the dates people write: a 面談 on 2026-11-02 is that
// day in Japan.
var jst = time.FixedZone("JST", 9*60*60)

// Mode is how a 面談 was held.
type Mode string

// Modes.
const (
	ModeInPerson Mode = "in_person"
	ModeOnline   Mode = "online"
)

// Label returns the Japanese name of the mode.
func (m Mode) Label() string {
	switch m {
	case ModeInPerson:
		return "対面"
	case ModeOnline:
		return "オンライン"
	}
	return string(m)
}

// Topic is what a 面談 was about. Topics are also the record kinds a
// sharing agreement names: a record is shared when each of its topics is
// among the agreement's.
type Topic string

// Topics.
const (
	TopicCareer     Topic = "career"      // キャリア
	TopicObligation Topic = "obligation"  // 義務年限・配置
	TopicSpecialty  Topic = "specialty"   // 専門研修・診療科
	TopicLifeEvents Topic = "life_events" // ライフイベント (結婚・出産・育児など)
	TopicHealth     Topic = "health"      // 健康 (要配慮個人情報: needs the doctor's consent)
)

// Topics lists every topic in display order.
var Topics = []Topic{TopicCareer, TopicObligation, TopicSpecialty, TopicLifeEvents, TopicHealth}

// Label returns the Japanese name of the topic.
func (t Topic) Label() string {
	switch t {
	case TopicCareer:
		return "キャリア"
	case TopicObligation:
		return "義務年限・配置"
	case TopicSpecialty:
		return "専門研修・診療科"
	case TopicLifeEvents:
		return "ライフイベント"
	case TopicHealth:
		return "健康"
	}
	return string(t)
}

// Valid reports whether t is a known topic.
func (t Topic) Valid() bool { return slices.Contains(Topics, t) }

// Field names a sealed field of a record.
type Field string

// The sealed fields.
const (
	FieldNotes         Field = "notes"
	FieldAgreedActions Field = "agreed_actions"
	FieldHealthNotes   Field = "health_notes"
)

// SealContext binds a field's ciphertext to its record row, so that it
// does not open when copied to another field or record. The key rotation
// re-seals with the same context.
func SealContext(field Field, recordID int64) string {
	return "consultation_records." + string(field) + ":" + strconv.FormatInt(recordID, 10)
}

// Sealed holds a record's confidential fields as vault ciphertexts, each
// "" when the field is empty.
type Sealed struct {
	Notes         string
	AgreedActions string
	HealthNotes   string
}

// Record is a 面談記録 about a doctor, written by an organisation.
type Record struct {
	ID       int64
	OrgID    int64 // the writing organisation
	DoctorID int64
	AuthorID int64
	// AuthorName is filled by the store.
	AuthorName string
	HeldOn     time.Time // a date, midnight JST
	Mode       Mode
	Attendees  []string
	Topics     []Topic
	// Notes, AgreedActions and HealthNotes are the plaintext, set only
	// when the service opens the record for a reader (and audits it).
	Notes         string
	AgreedActions string
	HealthNotes   string
	NextMeeting   *time.Time // a date, midnight JST
	Version       int
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// Sealed is what the store keeps; the service never returns it.
	Sealed Sealed
}

// Has reports whether the record covers the topic.
func (r *Record) Has(t Topic) bool { return slices.Contains(r.Topics, t) }

// Limits of the record's fields, in characters.
const (
	MaxNotes         = 10000
	MaxAgreedActions = 4000
	MaxHealthNotes   = 4000
	MaxAttendees     = 20
	MaxAttendeeName  = 60
)

// Validate checks the record a coordinator wrote on today (JST).
// healthConsent says whether the doctor's consent to health topics with
// the writing organisation is in force. It returns the problems by form
// field, in Japanese.
func (r *Record) Validate(today time.Time, healthConsent bool) map[string]string {
	fields := map[string]string{}
	today = Day(today)
	switch {
	case r.HeldOn.IsZero():
		fields["held_on"] = "面談日を入力してください。"
	case r.HeldOn.Year() < 2000:
		fields["held_on"] = "面談日が古すぎます。"
	case r.HeldOn.After(today):
		fields["held_on"] = "面談日に未来の日付は指定できません。"
	}
	if r.Mode != ModeInPerson && r.Mode != ModeOnline {
		fields["mode"] = "形式を「対面」か「オンライン」から選んでください。"
	}
	if len(r.Attendees) > MaxAttendees {
		fields["attendees"] = "出席者は" + strconv.Itoa(MaxAttendees) + "名までです。"
	}
	for _, a := range r.Attendees {
		if strings.TrimSpace(a) == "" || utf8.RuneCountInString(a) > MaxAttendeeName {
			fields["attendees"] = "出席者の名前は1〜" + strconv.Itoa(MaxAttendeeName) + "文字で入力してください。"
		}
	}
	seen := map[Topic]bool{}
	for _, t := range r.Topics {
		if !t.Valid() || seen[t] {
			fields["topics"] = "話題の指定が正しくありません。"
		}
		seen[t] = true
	}
	if len(r.Topics) == 0 {
		fields["topics"] = "話題を1つ以上選んでください。"
	}
	if strings.TrimSpace(r.Notes) == "" {
		fields["notes"] = "記録を入力してください。"
	}
	if utf8.RuneCountInString(r.Notes) > MaxNotes {
		fields["notes"] = "記録は" + strconv.Itoa(MaxNotes) + "文字までです。"
	}
	if utf8.RuneCountInString(r.AgreedActions) > MaxAgreedActions {
		fields["agreed_actions"] = "合意事項は" + strconv.Itoa(MaxAgreedActions) + "文字までです。"
	}
	if utf8.RuneCountInString(r.HealthNotes) > MaxHealthNotes {
		fields["health_notes"] = "健康に関する記録は" + strconv.Itoa(MaxHealthNotes) + "文字までです。"
	}
	if r.HealthNotes != "" && !seen[TopicHealth] {
		fields["health_notes"] = "健康に関する記録は、話題に「健康」を選んだときだけ入力できます。"
	}
	if seen[TopicHealth] && !healthConsent {
		fields["topics"] = "健康に関する話題 (要配慮個人情報) の記録には、医師本人の同意が必要です。"
	}
	if r.NextMeeting != nil && !r.HeldOn.IsZero() && r.NextMeeting.Before(r.HeldOn) {
		fields["next_meeting"] = "次回面談日は面談日以降にしてください。"
	}
	return fields
}

// Day returns the date of t in Japan, as midnight JST.
func Day(t time.Time) time.Time {
	y, m, d := t.In(jst).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, jst)
}

// ParseDay parses a "2006-01-02" date as midnight JST.
func ParseDay(s string) (time.Time, error) { return time.ParseInLocation(time.DateOnly, s, jst) }

// Agreement lets the named roles of the partner organisation read the
// sharing organisation's records whose topics are all among Topics.
type Agreement struct {
	ID           int64
	OrgID        int64 // the sharing organisation
	PartnerOrgID int64 // the organisation whose roles may read
	Roles        []identity.Role
	Topics       []Topic
	Purpose      string // why the records are shared, shown to both sides
	CreatedBy    int64
	CreatedAt    time.Time
	RevokedBy    int64
	RevokedAt    *time.Time
}

// Active reports whether the agreement is in force.
func (a *Agreement) Active() bool { return a.RevokedAt == nil }

// Covers reports whether the agreement shares a record with these topics.
func (a *Agreement) Covers(topics []Topic) bool {
	for _, t := range topics {
		if !slices.Contains(a.Topics, t) {
			return false
		}
	}
	return len(topics) > 0
}

// Validate checks the agreement against the partner organisation's kind:
// only roles that exist in it can be named. It returns the problems by
// form field, in Japanese.
func (a *Agreement) Validate(partnerKind identity.OrgKind) map[string]string {
	fields := map[string]string{}
	if a.PartnerOrgID == 0 || a.PartnerOrgID == a.OrgID {
		fields["partner_org_id"] = "共有先の組織を選んでください。"
	}
	seenRole := map[identity.Role]bool{}
	for _, r := range a.Roles {
		if (r != identity.RoleCoordinator && r != identity.RolePrefectureOfficer) || !r.AllowedIn(partnerKind) || seenRole[r] {
			fields["roles"] = "共有先の組織にある役割 (キャリアコーディネーター・都道府県担当者) を選んでください。"
		}
		seenRole[r] = true
	}
	if len(a.Roles) == 0 {
		fields["roles"] = "閲覧できる役割を1つ以上選んでください。"
	}
	seenTopic := map[Topic]bool{}
	for _, t := range a.Topics {
		if !t.Valid() || seenTopic[t] {
			fields["topics"] = "共有する記録の種類の指定が正しくありません。"
		}
		seenTopic[t] = true
	}
	if len(a.Topics) == 0 {
		fields["topics"] = "共有する記録の種類を1つ以上選んでください。"
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(a.Purpose)); n == 0 || n > 500 {
		fields["purpose"] = "共有の目的を1〜500文字で入力してください。"
	}
	return fields
}

// Consent is a doctor's consent that an organisation records health
// topics (要配慮個人情報) in their 面談記録 and shares them under its
// agreements.
type Consent struct {
	ID          int64
	DoctorID    int64
	OrgID       int64
	GivenAt     time.Time
	WithdrawnAt *time.Time
}

// Access is one read of a record's content, as the doctor sees it.
type Access struct {
	At        time.Time
	ReaderID  int64
	Reader    string // the reader's display name
	RecordID  int64
	Detail    string // the record's date and the organisation and role the reader read as
	RequestID string
}
