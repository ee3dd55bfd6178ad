// Package placement is the placement agent's pipeline: leads and their
// consent, cases (紹介案件) that move stage by stage from the first
// consultation (面談) to an outcome, the patient-first readiness gate before
// an introduction, interviews with scorecards, follow-ups that wait for a
// career event (再推薦), and the agency's reports.
//
// The domain rules (transitions, the gate, follow-up triggers, reports)
// are pure; Service applies them with a Store.
package placement

import (
	"time"

	"github.com/hakui-dev/hakui/internal/career"
)

// Stage is where a case is.
type Stage string

// Stages in pipeline order, then the outcomes.
const (
	StageLead         Stage = "lead"         // 問い合わせ
	StageConsultation Stage = "consultation" // 面談
	StageCheckItems   Stage = "check_items"  // 確認事項
	StageIntroduced   Stage = "introduced"   // 紹介
	StageInterview    Stage = "interview"    // 面接
	StageReview       Stage = "review"       // 振り返り

	StagePlaced                Stage = "placed"                  // 成約
	StageWithdrawnByDoctor     Stage = "withdrawn_by_doctor"     // 医師辞退
	StageDeclinedByInstitution Stage = "declined_by_institution" // 医療機関見送り
	StageWithdrawnByAgent      Stage = "withdrawn_by_agent"      // エージェント判断で辞退
	StageOnHold                Stage = "on_hold"                 // 保留
)

// PipelineStages are the open stages, in order.
var PipelineStages = []Stage{StageLead, StageConsultation, StageCheckItems, StageIntroduced, StageInterview, StageReview}

// OutcomeStages are the stages a case ends in.
var OutcomeStages = []Stage{StagePlaced, StageWithdrawnByDoctor, StageDeclinedByInstitution, StageWithdrawnByAgent, StageOnHold}

// Reason is why a case ended without a placement.
type Reason string

// Reason codes.
const (
	ReasonProfileMismatch Reason = "profile_mismatch" // 求める医師像と合わない
	ReasonConditions      Reason = "conditions"       // 条件（給与・待遇）
	ReasonSchedule        Reason = "schedule"         // 勤務日程
	ReasonDoctorWish      Reason = "doctor_wish"      // 医師の希望
	ReasonLocation        Reason = "location"         // 勤務地
	ReasonFilled          Reason = "filled"           // 募集終了・充足
	ReasonPatientSafety   Reason = "patient_safety"   // 患者様のため（確認事項を満たさない）
	ReasonOther           Reason = "other"            // その他
)

// Reasons lists the reason codes in display order.
var Reasons = []Reason{ReasonProfileMismatch, ReasonConditions, ReasonSchedule, ReasonDoctorWish, ReasonLocation,
	ReasonFilled, ReasonPatientSafety, ReasonOther}

// Source is how a lead reached the agency.
type Source string

// Lead sources.
const (
	SourceWeb        Source = "web"
	SourceSNS        Source = "sns"
	SourceReferral   Source = "referral"
	SourceEvent      Source = "event"
	SourceInvitation Source = "invitation"
	SourceManual     Source = "manual" // entered by an agent
)

// Sources lists the lead sources in display order.
var Sources = []Source{SourceWeb, SourceSNS, SourceReferral, SourceEvent, SourceInvitation, SourceManual}

// Lead is a doctor who reached an agency, with or without an account.
type Lead struct {
	ID                 int64
	AgencyID           int64
	UserID             int64 // the doctor's account once linked; 0 before
	Name               string
	NameKana           string
	Email              string // normalised (NFKC, lower case)
	Phone              string // digits only
	RegistrationNumber string // 医籍登録番号, digits
	Source             Source
	SourceNote         string // e.g. who referred, which event
	Message            string // what the doctor wrote in the form
	AgentID            int64  // the agent in charge; 0 unassigned
	AgentName          string
	MergedInto         int64 // set when merged into another lead
	Consent            Consent
	CreatedAt          time.Time
	UpdatedAt          time.Time
	AnonymisedAt       *time.Time // set by the retention job
}

// Consent is what the doctor agreed to. The purpose of use is the agency's
// text at the time, identified by its hash.
type Consent struct {
	PurposeHash     string     // SHA-256 of the purpose text agreed to
	ConsentedAt     *time.Time // purpose of use accepted
	HealthConsentAt *time.Time // explicit consent for 要配慮個人情報
	WithdrawnAt     *time.Time
}

// Given reports whether the purpose of use is accepted and not withdrawn.
func (c Consent) Given() bool { return c.ConsentedAt != nil && c.WithdrawnAt == nil }

// HealthGiven reports whether health details may be recorded.
func (c Consent) HealthGiven() bool { return c.Given() && c.HealthConsentAt != nil }

// Agency is an agency's own settings for the pipeline.
type Agency struct {
	OrgID         int64
	Name          string
	PurposeText   string // 利用目的, shown on the public form
	RetentionDays int    // leads without activity for this long are anonymised
	FormEnabled   bool   // the public contact form is open
	UpdatedAt     time.Time
}

// Case is one doctor and one opening, moving through the pipeline.
type Case struct {
	ID              int64
	AgencyID        int64
	LeadID          int64
	DoctorID        int64 // the lead's account; 0 while the lead has none
	OpeningID       int64
	InstitutionID   int64
	AgentID         int64 // the agent in charge
	Stage           Stage
	Round           int    // 1, then +1 each time the case is reopened
	Recommendation  string // the agent's recommendation, shown to the institution
	Override        *Override
	Outcome         *Outcome
	DoctorReview    *Conclusion
	AgentReview     *Conclusion
	StageChangedAt  time.Time
	IntroducedAt    *time.Time
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	DoctorName      string // the lead's name, for lists
	OpeningTitle    string
	InstitutionName string
	AgentName       string
}

// Open reports whether the case has no outcome yet (on_hold counts as
// open: it may resume).
func (c *Case) Open() bool { return c.Outcome == nil || c.Stage == StageOnHold }

// Override is the agent's explicit decision to introduce despite the
// readiness gate, with the problems it overrode.
type Override struct {
	Reason   string
	Problems []string
	By       int64
	At       time.Time
}

// Outcome is how a case ended.
type Outcome struct {
	Stage     Stage  // one of OutcomeStages
	Reason    Reason // for the withdrawals and the decline
	Note      string
	StartDate string // YYYY-MM-DD, for placed
	By        int64
	At        time.Time
}

// Verdict is a side's conclusion after the interview (振り返り).
type Verdict string

// Review verdicts.
const (
	VerdictProceed   Verdict = "proceed"
	VerdictDecline   Verdict = "decline"
	VerdictUndecided Verdict = "undecided"
)

// Conclusion is what one side concluded in the review.
type Conclusion struct {
	Verdict Verdict
	Note    string
	By      int64
	At      time.Time
}

// Mode is how a meeting happens.
type Mode string

// Meeting modes.
const (
	ModeInPerson Mode = "in_person"
	ModeOnline   Mode = "online"
)

// Consultation is a 面談 between an agent and a lead. The notes are
// confidential: the store keeps them encrypted, and every read is audited.
type Consultation struct {
	ID          int64
	LeadID      int64
	CaseID      int64 // 0 when about the doctor in general
	AgencyID    int64
	AgentID     int64
	AgentName   string
	Mode        Mode
	ScheduledAt time.Time
	Place       string
	MeetingURL  string
	HeldAt      *time.Time
	Notes       string // confidential
	Impression  string // confidential
	Wishes      string // confidential
	HealthNotes string // confidential, 要配慮個人情報: needs the health consent
	Sealed      string // the confidential fields as the store keeps them
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// ItemSource says where a check item came from.
type ItemSource string

// Check item sources.
const (
	ItemCheck      ItemSource = "check_item" // the opening's 確認事項
	ItemRequired   ItemSource = "required"   // a required competency
	ItemPreferred  ItemSource = "preferred"  // a preferred competency
	ItemAgentAdded ItemSource = "agent"      // added by the agent
)

// ItemStatus is what the agent confirmed with the doctor.
type ItemStatus string

// Item statuses.
const (
	ItemUnknown ItemStatus = "unknown"
	ItemMet     ItemStatus = "met"
	ItemNotMet  ItemStatus = "not_met"
)

// CheckItem is one line of a case's checklist.
type CheckItem struct {
	ID       int64
	CaseID   int64
	Position int
	Source   ItemSource
	Label    string
	Code     string // the competency code for required/preferred
	Level    career.Level
	Required bool
	Status   ItemStatus
	Note     string
}

// Interview is a 面接 between the doctor and the institution.
type Interview struct {
	ID           int64
	CaseID       int64
	StartsAt     time.Time
	EndsAt       time.Time
	Mode         Mode
	Place        string
	MeetingURL   string
	Participants []Participant
	Sequence     int // iCalendar SEQUENCE: +1 on each change
	CancelledAt  *time.Time
	CreatedBy    int64
	CreatedAt    time.Time
}

// Participant is someone invited to an interview.
type Participant struct {
	Name  string
	Email string
	Role  string // doctor, institution, agent
}

// Recommendation is the institution's overall view after an interview.
type Recommendation string

// Scorecard recommendations.
const (
	RecommendStrongYes Recommendation = "strong_yes"
	RecommendYes       Recommendation = "yes"
	RecommendNo        Recommendation = "no"
	RecommendStrongNo  Recommendation = "strong_no"
)

// Scorecard is the institution's feedback on an interview: 1–5 per check
// item and an overall recommendation.
type Scorecard struct {
	ID          int64
	CaseID      int64
	InterviewID int64
	By          int64
	ByName      string
	Scores      map[int64]int // check item ID → 1..5
	Overall     Recommendation
	Comment     string
	CreatedAt   time.Time
}

// Share records what was shared with an institution on introduction, as
// the doctor sees it.
type Share struct {
	ID            int64
	CaseID        int64
	InstitutionID int64
	Institution   string
	Fields        []SharedField
	SharedBy      int64
	SharedAt      time.Time
}

// SharedField is one labelled value shared with the institution.
type SharedField struct {
	Label string
	Value string
}

// TriggerKind is what a follow-up waits for.
type TriggerKind string

// Follow-up triggers.
const (
	TriggerDate          TriggerKind = "date"          // a due date
	TriggerStage         TriggerKind = "stage"         // the doctor reaches a career stage
	TriggerCertification TriggerKind = "certification" // 専門医 obtained in a specialty
	TriggerYears         TriggerKind = "years"         // years since the national exam
)

// FollowUpStatus is where a follow-up is.
type FollowUpStatus string

// Follow-up statuses.
const (
	FollowUpWaiting   FollowUpStatus = "waiting"
	FollowUpDue       FollowUpStatus = "due" // fired: the agent was notified
	FollowUpDone      FollowUpStatus = "done"
	FollowUpCancelled FollowUpStatus = "cancelled"
)

// Trigger is the condition a follow-up waits for.
type Trigger struct {
	Kind      TriggerKind
	Date      string       // YYYY-MM-DD for date
	Stage     career.Stage // for stage
	Specialty string       // for certification
	Years     int          // for years
}

// FollowUp is a reminder to the agent (再推薦), usually to recommend the
// doctor to the same institution again.
type FollowUp struct {
	ID        int64
	AgencyID  int64
	CaseID    int64
	LeadID    int64
	DoctorID  int64
	AgentID   int64
	Trigger   Trigger
	Note      string // what to do, e.g. 「専門医取得後にクリニックAへ再推薦」
	Context   string // the case's story at creation: institution, outcome and reason
	Status    FollowUpStatus
	FiredAt   *time.Time
	CreatedAt time.Time
	// For lists.
	DoctorName      string
	InstitutionName string
}

// EventKind is a kind of timeline entry.
type EventKind string

// Timeline entry kinds.
const (
	EventCreated      EventKind = "created"
	EventTransition   EventKind = "transition"
	EventOverride     EventKind = "override"
	EventChecklist    EventKind = "checklist"
	EventConsultation EventKind = "consultation"
	EventInterview    EventKind = "interview"
	EventScorecard    EventKind = "scorecard"
	EventReview       EventKind = "review"
	EventShared       EventKind = "shared"
	EventReopened     EventKind = "reopened"
	EventFollowUp     EventKind = "follow_up"
	EventMerged       EventKind = "merged"
)

// Event is one timestamped, attributed entry of a case's timeline.
type Event struct {
	ID        int64
	CaseID    int64
	Kind      EventKind
	From      Stage
	To        Stage
	Detail    string
	ActorID   int64
	ActorName string
	At        time.Time
}
