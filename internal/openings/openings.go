// Package openings holds job openings (求人): what an institution, or an
// agent on its behalf, posts; the rules for a valid opening; and the search
// filter. The fit between a doctor and an opening is in package career.
package openings

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// Status is where an opening is in its life.
type Status string

// Statuses. Only open openings appear in search; closing is immediate.
const (
	StatusDraft  Status = "draft"
	StatusOpen   Status = "open"
	StatusClosed Status = "closed"
)

// Label returns the Japanese name of the status.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "下書き"
	case StatusOpen:
		return "公開中"
	case StatusClosed:
		return "募集終了"
	}
	return string(s)
}

// ScheduleKind says how an opening's hours are given.
type ScheduleKind string

// Schedule kinds.
const (
	ScheduleWeekly   ScheduleKind = "weekly"    // fixed weekly slots (定期非常勤)
	ScheduleSingle   ScheduleKind = "single"    // one date with start and end (スポット, 当直)
	ScheduleFullTime ScheduleKind = "full_time" // a full-time schedule described in words
)

// Schedule is when the work happens.
type Schedule struct {
	Kind   ScheduleKind
	Weekly []career.Weekly
	Date   string // YYYY-MM-DD (JST) for single
	Start  string // HH:MM for single
	End    string // HH:MM for single; earlier than Start means overnight
	Note   string
}

// WeekdayMask returns a bit per weekday the opening works (bit 0 Sunday),
// for filtering in SQL.
func (s Schedule) WeekdayMask() int {
	mask := 0
	switch s.Kind {
	case ScheduleWeekly:
		for _, w := range s.Weekly {
			mask |= 1 << int(w.Weekday)
		}
	case ScheduleSingle:
		if d, err := time.Parse(time.DateOnly, s.Date); err == nil {
			mask |= 1 << int(d.Weekday())
		}
	case ScheduleFullTime:
		mask = 0b0111110 // weekdays unless the note says otherwise
	}
	return mask
}

// Opening is a job opening.
type Opening struct {
	ID              int64
	InstitutionID   int64
	InstitutionName string
	PosterOrgID     int64
	PosterOrgName   string
	PostedBy        int64
	PostedByName    string
	Title           string
	Kind            career.WorkKind
	RemoteKind      career.RemoteKind
	Specialty       string
	Schedule        Schedule
	PayUnit         career.PayUnit
	PayMinYen       int64
	PayMaxYen       int64
	EmergencyLevel  int // 0 none, 1–3 for 一次・二次・三次救急 (duty shifts)
	DutyPermit      bool
	Prefecture      string
	City            string
	Address         string
	Answers         map[career.Stage]career.StageAnswer
	Required        []career.Requirement
	Preferred       []career.Requirement
	CheckItems      []string
	Description     string
	Status          Status
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	PostedAt        *time.Time
	ClosedAt        *time.Time
}

// PostedByAgent reports whether an agency posted the opening for the
// institution.
func (o *Opening) PostedByAgent() bool { return o.PosterOrgID != o.InstitutionID }

// Facts returns what the fit needs.
func (o *Opening) Facts() career.Opening {
	f := career.Opening{Kind: o.Kind, RemoteKind: o.RemoteKind, Specialty: o.Specialty, StageAnswers: o.Answers,
		Required: o.Required, Preferred: o.Preferred, Weekly: o.Schedule.Weekly, PayUnit: o.PayUnit,
		PayMinYen: o.PayMinYen, PayMaxYen: o.PayMaxYen, Prefecture: o.Prefecture}
	if o.Schedule.Kind == ScheduleSingle {
		if d, err := time.ParseInLocation(time.DateOnly, o.Schedule.Date, jst); err == nil {
			f.Date = d
		}
	}
	return f
}

func (o *Opening) searchParts() []string {
	parts := []string{o.Title, o.InstitutionName, o.Kind.Label(), o.Specialty, o.Prefecture, o.City, o.Description,
		o.Schedule.Note, strings.Join(o.CheckItems, " ")}
	if o.RemoteKind != "" {
		parts = append(parts, o.RemoteKind.Label())
	}
	return parts
}

// SearchDocument is the text a free-text search looks in.
func (o *Opening) SearchDocument() string { return strings.Join(o.searchParts(), "\n") }

// MatchText is the opening's text as jatext.MatchText lays it out, for
// checking a common search text row by row.
func (o *Opening) MatchText() string { return jatext.MatchText(o.searchParts()...) }

// SearchText is what the free-text index stores for the opening.
func (o *Opening) SearchText() string { return jatext.IndexText(o.searchParts()...) }

var jst = career.JST

// Limits on an opening's fields.
const (
	MaxTitle       = 120
	MaxDescription = 5000
	MaxCheckItems  = 20
	MaxCheckItem   = 200
	MaxPayYen      = 1_000_000_000
)

var clock = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

// Validate normalises o in place (NFKC, trimmed) and returns what is wrong,
// per field, in Japanese; an empty map means valid. vocab checks the
// competency codes.
func (o *Opening) Validate(vocab *career.Vocabulary) map[string]string {
	fields := map[string]string{}
	o.Title = jatext.NormalizeLine(o.Title)
	o.Specialty = jatext.NormalizeLine(o.Specialty)
	o.Prefecture = jatext.NormalizeLine(o.Prefecture)
	o.City = jatext.NormalizeLine(o.City)
	o.Address = jatext.NormalizeLine(o.Address)
	o.Description = jatext.Normalize(o.Description)
	o.Schedule.Note = jatext.Normalize(o.Schedule.Note)
	switch n := utf8.RuneCountInString(o.Title); {
	case n == 0:
		fields["title"] = "タイトルを入力してください。"
	case n > MaxTitle:
		fields["title"] = fmt.Sprintf("タイトルは%d文字以内にしてください。", MaxTitle)
	}
	if !o.Kind.Valid() {
		fields["kind"] = "勤務形態を選んでください。"
	}
	if o.Kind == career.WorkRemote {
		if !o.RemoteKind.Valid() {
			fields["remote_kind"] = "在宅・リモートの業務の種類を選んでください。"
		}
	} else {
		o.RemoteKind = ""
	}
	if o.Specialty != "" && !career.IsSpecialty(o.Specialty) {
		fields["specialty"] = "診療科は基本領域から選んでください。"
	}
	o.validateSchedule(fields)
	if !o.PayUnit.Valid() {
		fields["pay_unit"] = "報酬の単位を選んでください。"
	}
	switch {
	case o.PayMinYen < 0 || o.PayMaxYen < 0 || o.PayMinYen > MaxPayYen || o.PayMaxYen > MaxPayYen:
		fields["pay_min_yen"] = "報酬は0円以上10億円以下で入力してください。"
	case o.PayMaxYen == 0:
		o.PayMaxYen = o.PayMinYen
	case o.PayMaxYen < o.PayMinYen:
		fields["pay_max_yen"] = "報酬の上限は下限以上にしてください。"
	}
	if o.EmergencyLevel < 0 || o.EmergencyLevel > 3 {
		fields["emergency_level"] = "救急の区分を選んでください。"
	}
	if o.Kind != career.WorkNightDuty && o.Kind != career.WorkDayDuty {
		o.EmergencyLevel, o.DutyPermit = 0, false
	}
	if o.Kind == career.WorkRemote {
		if o.Prefecture != "" && !career.IsPrefecture(o.Prefecture) {
			fields["prefecture"] = "都道府県を選んでください。"
		}
	} else if !career.IsPrefecture(o.Prefecture) {
		fields["prefecture"] = "勤務地の都道府県を選んでください。"
	}
	if utf8.RuneCountInString(o.City) > 60 {
		fields["city"] = "市区町村は60文字以内にしてください。"
	}
	if utf8.RuneCountInString(o.Address) > 300 {
		fields["address"] = "住所は300文字以内にしてください。"
	}
	if o.Answers == nil {
		o.Answers = map[career.Stage]career.StageAnswer{}
	}
	for _, st := range career.Stages {
		if a, ok := o.Answers[st]; !ok || !a.Valid() {
			fields["answer_"+string(st)] = st.Label() + "への回答(可・応相談・不可)を選んでください。"
		}
	}
	if vocab != nil {
		if probs := career.ValidateRequirements(vocab, o.Required); len(probs) > 0 {
			fields["required"] = strings.Join(probs, " ")
		}
		if probs := career.ValidateRequirements(vocab, o.Preferred); len(probs) > 0 {
			fields["preferred"] = strings.Join(probs, " ")
		}
		for _, p := range o.Preferred {
			if slices.ContainsFunc(o.Required, func(r career.Requirement) bool { return r.Code == p.Code }) {
				fields["preferred"] = "同じスキルを必須と歓迎の両方には指定できません。"
			}
		}
	}
	var items []string
	for _, it := range o.CheckItems {
		if it = jatext.NormalizeLine(it); it != "" {
			items = append(items, it)
		}
	}
	o.CheckItems = items
	if len(items) > MaxCheckItems {
		fields["check_items"] = fmt.Sprintf("確認事項は%d件以内にしてください。", MaxCheckItems)
	}
	for _, it := range items {
		if utf8.RuneCountInString(it) > MaxCheckItem {
			fields["check_items"] = fmt.Sprintf("確認事項は1件%d文字以内にしてください。", MaxCheckItem)
		}
	}
	if utf8.RuneCountInString(o.Description) > MaxDescription {
		fields["description"] = fmt.Sprintf("説明は%d文字以内にしてください。", MaxDescription)
	}
	return fields
}

func (o *Opening) validateSchedule(fields map[string]string) {
	s := &o.Schedule
	switch s.Kind {
	case ScheduleWeekly:
		if len(s.Weekly) == 0 {
			fields["weekly"] = "曜日と時間帯を1つ以上入力してください。"
		}
		for _, w := range s.Weekly {
			if w.Weekday < time.Sunday || w.Weekday > time.Saturday || !clock.MatchString(w.Start) || !clock.MatchString(w.End) || w.Start == w.End {
				fields["weekly"] = "曜日と開始・終了時刻(例: 13:00〜17:00)を正しく入力してください。"
			}
		}
		s.Date, s.Start, s.End = "", "", ""
	case ScheduleSingle:
		if _, err := time.Parse(time.DateOnly, s.Date); err != nil {
			fields["date"] = "勤務日を YYYY-MM-DD の形式で入力してください。"
		}
		if !clock.MatchString(s.Start) || !clock.MatchString(s.End) || s.Start == s.End {
			fields["start_time"] = "開始・終了時刻を HH:MM の形式で入力してください。"
		}
		s.Weekly = nil
	case ScheduleFullTime:
		s.Weekly, s.Date, s.Start, s.End = nil, "", "", ""
	default:
		fields["schedule_kind"] = "勤務日程の種類を選んでください。"
	}
	if utf8.RuneCountInString(s.Note) > 500 {
		fields["schedule_note"] = "勤務日程の補足は500文字以内にしてください。"
	}
}

// Sort orders search results.
type Sort string

// Sort orders.
const (
	SortNewest Sort = "newest"
	SortPay    Sort = "pay"
	SortFit    Sort = "fit"
)

// Filter selects openings. Zero fields do not filter.
type Filter struct {
	Text       string
	Kind       career.WorkKind
	RemoteKind career.RemoteKind
	Specialty  string
	Prefecture string
	Weekday    *time.Weekday
	// MinPayYen with MinPayUnit keeps openings paying at least this much
	// in that unit.
	MinPayYen  int64
	MinPayUnit career.PayUnit
	// EligibleStage keeps openings a doctor of the stage may take.
	EligibleStage career.Stage
	Sort          Sort
	// After is the keyset cursor of the last row of the previous page.
	After  string
	Limit  int
	Status Status // default open
	// InstitutionID or PosterOrgID restrict to one organisation's openings.
	InstitutionID int64
	PosterOrgID   int64
	// NaiveText scans title and description with LIKE instead of using the
	// index; only the search benchmark sets it, as the baseline.
	NaiveText bool
}

// ErrBadCursor is returned for a malformed page cursor.
var ErrBadCursor = apperr.E(apperr.Invalid, "ページの指定が正しくありません。最初のページからやり直してください。")
