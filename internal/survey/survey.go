// Package survey builds surveys (Likert 1–5, single and multiple choice,
// free text), collects responses — one per invited attendee of an event,
// or anonymous through a public link with abuse limits — and summarises
// them: per item the count, the distribution, the mean and the top-2-box
// share (高評価: 4 and 5), free-text comments with tags, and the comparison
// of two runs of the same survey. The statistics (stats.go) are pure.
package survey

import "time"

// Kind is what a survey is for.
type Kind string

// Kinds.
const (
	KindEvent   Kind = "event"   // sent to an event's attendees
	KindPatient Kind = "patient" // 患者満足度調査 through an anonymous public link
)

// Label returns the Japanese name.
func (k Kind) Label() string {
	if k == KindPatient {
		return "患者満足度調査"
	}
	return "研修会アンケート"
}

// Status is where a survey stands.
type Status string

// Statuses.
const (
	StatusDraft  Status = "draft"  // items can change
	StatusOpen   Status = "open"   // accepting and editing responses
	StatusClosed Status = "closed" // results only
)

// Label returns the Japanese name.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "下書き"
	case StatusOpen:
		return "回答受付中"
	case StatusClosed:
		return "締め切り"
	}
	return string(s)
}

// ItemKind is the kind of question.
type ItemKind string

// Item kinds.
const (
	Likert   ItemKind = "likert"   // 1–5
	Single   ItemKind = "single"   // one of the choices
	Multiple ItemKind = "multiple" // any of the choices
	Text     ItemKind = "text"     // free text
)

// Label returns the Japanese name.
func (k ItemKind) Label() string {
	switch k {
	case Likert:
		return "5段階評価"
	case Single:
		return "単一選択"
	case Multiple:
		return "複数選択"
	case Text:
		return "自由記述"
	}
	return string(k)
}

// LikertLabels are the five points, 1 to 5.
var LikertLabels = [5]string{"1 そう思わない", "2 あまりそう思わない", "3 どちらともいえない", "4 ややそう思う", "5 そう思う"}

// Item is one question.
type Item struct {
	ID       int64
	Key      string // the same across runs of a survey
	Kind     ItemKind
	Label    string
	Required bool
	Choices  []string // single and multiple choice
}

// Survey is a survey and its items.
type Survey struct {
	ID          int64
	OrgID       int64
	EventID     int64 // KindEvent
	Kind        Kind
	Title       string
	Description string
	Status      Status
	PublicSlug  string // KindPatient: the anonymous link /s/{slug}
	PreviousID  int64  // the earlier run, for comparison
	ClosesAt    *time.Time
	Items       []Item
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Version     int
}

// Answer is the answer to one item: Value 1–5 for Likert, the chosen
// index for single choice; Choices (indexes) for multiple choice; Text for
// free text.
type Answer struct {
	Value   int
	Choices []int
	Text    string
}

// Response is one respondent's answers by item ID.
type Response struct {
	ID           int64
	SurveyID     int64
	InvitationID int64 // 0: anonymous
	Answers      map[int64]Answer
	Tags         map[int64][]string // the organiser's tags on free-text answers, by item ID
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Invitation is an invited attendee of an event survey.
type Invitation struct {
	ID             int64
	SurveyID       int64
	RegistrationID int64
	Email          string
	CreatedAt      time.Time
	Responded      bool
}
