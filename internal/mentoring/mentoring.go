// Package mentoring keeps mentor–mentee pairs (メンター / メンティー) that a
// CC office arranges for the 地域枠 doctors it follows, their meeting logs,
// and a reminder when a pair has not met for its interval. The mentor is
// any doctor, often a senior doctor of another hospital; both sides grow,
// so each writes what they learned.
//
// Who may do what: the coordinators of the office manage the pairs and
// read the logs; the mentor and the mentee read their pair and its logs
// and record meetings; nobody else, platform administrators included.
// The policy (policy.KindMentoring, OrgID the office, OwnerID the mentee)
// decides for the coordinators and the mentee; it has no field for a
// mentor, a single user outside the office, so the service recognises the
// two parties itself (see SideOf) and asks the guard for the rest.
package mentoring

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/jatext"
)

// jst is the zone of the dates people write.
var jst = time.FixedZone("JST", 9*60*60)

// Day returns the date of t in Japan, as midnight JST.
func Day(t time.Time) time.Time {
	y, m, d := t.In(jst).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, jst)
}

// ParseDay parses a "2006-01-02" date as midnight JST.
func ParseDay(s string) (time.Time, error) { return time.ParseInLocation(time.DateOnly, s, jst) }

// Link returns the path of a pair's page, where reminders point.
func Link(pairID int64) string { return "/mentoring/pairs/" + strconv.FormatInt(pairID, 10) }

// Limits of the fields.
const (
	DefaultIntervalMonths = 3
	MinIntervalMonths     = 1
	MaxIntervalMonths     = 12
	MaxNote               = 1000
	MaxSummary            = 2000
	MaxLearned            = 2000
	MaxTopics             = 10
	MaxTopic              = 30
)

// Pair is a mentor and a mentee, arranged by a CC office that follows the
// mentee.
type Pair struct {
	ID       int64
	OrgID    int64 // the CC office
	MentorID int64
	MenteeID int64
	// MentorName, MenteeName and OrgName are filled by the store.
	MentorName, MenteeName, OrgName string
	StartsOn                        time.Time  // a date, midnight JST
	EndsOn                          *time.Time // the planned end, a date; nil when open-ended
	// IntervalMonths is how long the pair may go without meeting before
	// everyone is reminded (1–12).
	IntervalMonths int
	Note           string // the coordinator's note: why this pair, what to work on
	CreatedBy      int64
	// EndedAt is set when a coordinator ends the pair; an ended pair takes
	// no new meetings and is never reminded.
	EndedAt *time.Time
	EndedBy int64
	// LastMetOn is the date of the latest meeting, kept by the store.
	LastMetOn *time.Time
	// LastRemindedAt is when the latest reminder went out.
	LastRemindedAt *time.Time
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Ended reports whether a coordinator ended the pair.
func (p *Pair) Ended() bool { return p.EndedAt != nil }

// Active reports whether the pair runs on today: started, not ended, and
// not past its planned end.
func (p *Pair) Active(today time.Time) bool {
	today = Day(today)
	return !p.Ended() && !p.StartsOn.After(today) && (p.EndsOn == nil || !today.After(*p.EndsOn))
}

// Cutoffs are the limits a pair must be under to be reminded on a day:
// its last meeting (or its start) before Met, its last reminder (if any)
// before Reminded. The store applies the same limits when it records the
// reminder, so two instances never both send it.
type Cutoffs struct {
	Met      time.Time // a date: IntervalMonths months before the day
	Reminded time.Time // an instant: the start of the day after Met, in Japan
}

// Cutoffs returns the pair's cutoffs on today.
func (p *Pair) Cutoffs(today time.Time) Cutoffs {
	met := Day(today).AddDate(0, -p.IntervalMonths, 0)
	return Cutoffs{Met: met, Reminded: met.AddDate(0, 0, 1)}
}

// ReminderDue reports whether the pair needs a reminder on today: it is
// active, it has not met for more than IntervalMonths months (counted from
// its start when it never met), and it was not reminded within as long.
func (p *Pair) ReminderDue(today time.Time) bool {
	if !p.Active(today) || p.IntervalMonths < 1 {
		return false
	}
	c := p.Cutoffs(today)
	last := p.StartsOn
	if p.LastMetOn != nil {
		last = *p.LastMetOn
	}
	return last.Before(c.Met) && (p.LastRemindedAt == nil || p.LastRemindedAt.Before(c.Reminded))
}

// Validate checks the pair's own fields on today (JST); the service checks
// the people. It returns the problems by form field, in Japanese.
func (p *Pair) Validate(today time.Time) map[string]string {
	fields := map[string]string{}
	today = Day(today)
	switch {
	case p.StartsOn.IsZero():
		fields["starts_on"] = "開始日を入力してください。"
	case p.StartsOn.Year() < 2000:
		fields["starts_on"] = "開始日が古すぎます。"
	case p.StartsOn.After(today.AddDate(1, 0, 0)):
		fields["starts_on"] = "開始日は1年以内の日付にしてください。"
	}
	if p.EndsOn != nil && !p.StartsOn.IsZero() && p.EndsOn.Before(p.StartsOn) {
		fields["ends_on"] = "終了予定日は開始日以降にしてください。"
	}
	if p.IntervalMonths < MinIntervalMonths || p.IntervalMonths > MaxIntervalMonths {
		fields["interval_months"] = "リマインドの間隔は1〜12か月で指定してください。"
	}
	if utf8.RuneCountInString(p.Note) > MaxNote {
		fields["note"] = "メモは" + strconv.Itoa(MaxNote) + "文字までです。"
	}
	return fields
}

// Mode is how a meeting was held.
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

// Side is the part a user plays in a pair.
type Side string

// Sides.
const (
	SideMentor Side = "mentor"
	SideMentee Side = "mentee"
)

// Label returns the Japanese name of the side.
func (s Side) Label() string {
	switch s {
	case SideMentor:
		return "メンター"
	case SideMentee:
		return "メンティー"
	}
	return string(s)
}

// Field names a sealed field of a meeting.
type Field string

// The sealed fields.
const (
	FieldSummary       Field = "summary"
	FieldMentorLearned Field = "mentor_learned"
	FieldMenteeLearned Field = "mentee_learned"
)

// LearnedField returns the field holding what the side learned.
func LearnedField(s Side) Field {
	if s == SideMentor {
		return FieldMentorLearned
	}
	return FieldMenteeLearned
}

// SealContext binds a field's ciphertext to its meeting row, and so to the
// meeting's pair, which never changes: it does not open when copied to
// another field, meeting or pair. Key rotation re-seals with the same
// context.
func SealContext(field Field, meetingID int64) string {
	return "mentoring_meetings." + string(field) + ":" + strconv.FormatInt(meetingID, 10)
}

// Sealed holds a meeting's confidential fields as vault ciphertexts, each
// "" when the field is empty.
type Sealed struct {
	Summary       string
	MentorLearned string
	MenteeLearned string
}

// Meeting is one meeting of a pair.
type Meeting struct {
	ID     int64
	PairID int64
	HeldOn time.Time // a date, midnight JST
	Mode   Mode
	// Topics are free tags ("専門医取得", "研究", "子育てとの両立").
	Topics []string
	// Summary, MentorLearned and MenteeLearned are the plaintext, set only
	// when the service opens the meeting for a reader.
	Summary       string
	MentorLearned string // what the mentor learned, written by the mentor
	MenteeLearned string // what the mentee learned, written by the mentee
	NextMeeting   *time.Time
	RecordedBy    int64
	// RecordedByName is filled by the store.
	RecordedByName string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	// Sealed is what the store keeps; the service never returns it.
	Sealed Sealed
}

// Learned returns what the side learned.
func (m *Meeting) Learned(s Side) string {
	if s == SideMentor {
		return m.MentorLearned
	}
	return m.MenteeLearned
}

// NormalizeTopics trims the tags (NFKC, one line), drops empty ones and
// duplicates, keeping the first spelling.
func NormalizeTopics(in []string) []string {
	out := []string{}
	for _, t := range in {
		t = jatext.NormalizeLine(t)
		if t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// Validate checks a meeting of pair on today (JST). It returns the
// problems by form field, in Japanese.
func (m *Meeting) Validate(pair *Pair, today time.Time) map[string]string {
	fields := map[string]string{}
	today = Day(today)
	switch {
	case m.HeldOn.IsZero():
		fields["held_on"] = "面談日を入力してください。"
	case m.HeldOn.Before(pair.StartsOn):
		fields["held_on"] = "面談日はペアの開始日 (" + pair.StartsOn.Format(time.DateOnly) + ") 以降にしてください。"
	case m.HeldOn.After(today):
		fields["held_on"] = "面談日に未来の日付は指定できません。"
	}
	if m.Mode != ModeInPerson && m.Mode != ModeOnline {
		fields["mode"] = "形式を「対面」か「オンライン」から選んでください。"
	}
	if len(m.Topics) > MaxTopics {
		fields["topics"] = "話題は" + strconv.Itoa(MaxTopics) + "個までです。"
	}
	for _, t := range m.Topics {
		if utf8.RuneCountInString(t) > MaxTopic {
			fields["topics"] = "話題は1つ" + strconv.Itoa(MaxTopic) + "文字までです。"
		}
	}
	switch {
	case strings.TrimSpace(m.Summary) == "":
		fields["summary"] = "面談の概要を入力してください。"
	case utf8.RuneCountInString(m.Summary) > MaxSummary:
		fields["summary"] = "概要は" + strconv.Itoa(MaxSummary) + "文字までです。"
	}
	if utf8.RuneCountInString(m.MentorLearned) > MaxLearned {
		fields["mentor_learned"] = "学んだことは" + strconv.Itoa(MaxLearned) + "文字までです。"
	}
	if utf8.RuneCountInString(m.MenteeLearned) > MaxLearned {
		fields["mentee_learned"] = "学んだことは" + strconv.Itoa(MaxLearned) + "文字までです。"
	}
	if m.NextMeeting != nil && !m.HeldOn.IsZero() && m.NextMeeting.Before(m.HeldOn) {
		fields["next_meeting"] = "次回の面談日は面談日以降にしてください。"
	}
	return fields
}
