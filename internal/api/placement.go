package api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/placement"
)

// The JSON shapes of the placement pipeline. A case is shaped for the
// caller's party (placement.Party): the agency's agents see everything,
// the institution and the doctor never see the lead's contact details,
// the consultations, the follow-ups or the agent's own review.

// optID is a reference that may be unset: null rather than 0.
func optID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// optTime is a time that may be unset: null rather than year 1.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// parseTime reads an RFC 3339 time from a body field; an empty value is the
// zero time, which the service reports as missing.
func parseTime(fields map[string]string, name, value string) time.Time {
	if value == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		fields[name] = "日時は RFC 3339 の形式で指定してください(例: 2026-05-01T14:00:00+09:00)。"
	}
	return t.UTC()
}

// renameFields returns err with the service's field names replaced by the
// names of the request body, so each message points at what to fix.
func renameFields(err error, rename func(string) string) error {
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		return err
	}
	out := make(map[string]string, len(fields))
	for k, v := range fields {
		out[rename(k)] = v
	}
	return &apperr.Error{Code: apperr.CodeOf(err), Message: apperr.MessageOf(err), Fields: out}
}

type consentJSON struct {
	PurposeHash     string     `json:"purpose_hash"`
	ConsentedAt     *time.Time `json:"consented_at"`
	HealthConsentAt *time.Time `json:"health_consent_at"`
	WithdrawnAt     *time.Time `json:"withdrawn_at"`
	Given           bool       `json:"given"`
	HealthGiven     bool       `json:"health_given"`
}

// leadJSON is a lead as its agency's agents and its doctor see it.
type leadJSON struct {
	ID                 int64            `json:"id"`
	AgencyID           int64            `json:"agency_id"`
	UserID             *int64           `json:"user_id"`
	Name               string           `json:"name"`
	NameKana           string           `json:"name_kana"`
	Email              string           `json:"email"`
	Phone              string           `json:"phone"`
	RegistrationNumber string           `json:"registration_number"`
	Source             placement.Source `json:"source"`
	SourceNote         string           `json:"source_note"`
	Message            string           `json:"message"`
	AgentID            *int64           `json:"agent_id"`
	AgentName          string           `json:"agent_name"`
	MergedInto         *int64           `json:"merged_into"`
	Consent            consentJSON      `json:"consent"`
	CreatedAt          time.Time        `json:"created_at"`
	UpdatedAt          time.Time        `json:"updated_at"`
	AnonymisedAt       *time.Time       `json:"anonymised_at"`
}

func toLeadJSON(l *placement.Lead) leadJSON {
	return leadJSON{ID: l.ID, AgencyID: l.AgencyID, UserID: optID(l.UserID), Name: l.Name, NameKana: l.NameKana, Email: l.Email,
		Phone: l.Phone, RegistrationNumber: l.RegistrationNumber, Source: l.Source, SourceNote: l.SourceNote, Message: l.Message,
		AgentID: optID(l.AgentID), AgentName: l.AgentName, MergedInto: optID(l.MergedInto),
		Consent: consentJSON{PurposeHash: l.Consent.PurposeHash, ConsentedAt: l.Consent.ConsentedAt,
			HealthConsentAt: l.Consent.HealthConsentAt, WithdrawnAt: l.Consent.WithdrawnAt, Given: l.Consent.Given(),
			HealthGiven: l.Consent.HealthGiven()},
		CreatedAt: l.CreatedAt, UpdatedAt: l.UpdatedAt, AnonymisedAt: l.AnonymisedAt}
}

// contactJSON is what an agency's public contact form shows.
type contactJSON struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	PurposeText string `json:"purpose_text"`
	PurposeHash string `json:"purpose_hash"`
}

func toContactJSON(a *placement.Agency) contactJSON {
	return contactJSON{ID: a.OrgID, Name: a.Name, PurposeText: a.PurposeText, PurposeHash: placement.PurposeHash(a.PurposeText)}
}

type consultationJSON struct {
	ID          int64          `json:"id"`
	LeadID      int64          `json:"lead_id"`
	CaseID      *int64         `json:"case_id"`
	AgencyID    int64          `json:"agency_id"`
	AgentID     int64          `json:"agent_id"`
	AgentName   string         `json:"agent_name"`
	Mode        placement.Mode `json:"mode"`
	ScheduledAt time.Time      `json:"scheduled_at"`
	Place       string         `json:"place"`
	MeetingURL  string         `json:"meeting_url"`
	HeldAt      *time.Time     `json:"held_at"`
	CreatedAt   time.Time      `json:"created_at"`
	UpdatedAt   time.Time      `json:"updated_at"`
}

func toConsultationJSON(c *placement.Consultation) consultationJSON {
	return consultationJSON{ID: c.ID, LeadID: c.LeadID, CaseID: optID(c.CaseID), AgencyID: c.AgencyID, AgentID: c.AgentID,
		AgentName: c.AgentName, Mode: c.Mode, ScheduledAt: c.ScheduledAt, Place: c.Place, MeetingURL: c.MeetingURL,
		HeldAt: c.HeldAt, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

// consultationNotesJSON is one consultation with its confidential notes;
// only GET and PUT /consultations/{id} return it.
type consultationNotesJSON struct {
	consultationJSON
	Notes       string `json:"notes"`
	Impression  string `json:"impression"`
	Wishes      string `json:"wishes"`
	HealthNotes string `json:"health_notes"`
}

type overrideJSON struct {
	Reason   string    `json:"reason"`
	Problems []string  `json:"problems"`
	At       time.Time `json:"at"`
}

type outcomeJSON struct {
	Stage     placement.Stage  `json:"stage"`
	Reason    placement.Reason `json:"reason"`
	Note      string           `json:"note"`
	StartDate string           `json:"start_date"`
	At        time.Time        `json:"at"`
}

type conclusionJSON struct {
	Verdict placement.Verdict `json:"verdict"`
	Note    string            `json:"note"`
	At      time.Time         `json:"at"`
}

func toConclusionJSON(c *placement.Conclusion) *conclusionJSON {
	if c == nil {
		return nil
	}
	return &conclusionJSON{Verdict: c.Verdict, Note: c.Note, At: c.At}
}

// caseJSON is a case as one party sees it. Fields a party must not see are
// left out, not merely empty.
type caseJSON struct {
	ID              int64           `json:"id"`
	AgencyID        int64           `json:"agency_id"`
	LeadID          *int64          `json:"lead_id,omitempty"`   // agents
	DoctorID        *int64          `json:"doctor_id,omitempty"` // agents
	OpeningID       int64           `json:"opening_id"`
	InstitutionID   int64           `json:"institution_id"`
	AgentID         int64           `json:"agent_id"`
	AgentName       string          `json:"agent_name"`
	DoctorName      string          `json:"doctor_name"`
	OpeningTitle    string          `json:"opening_title"`
	InstitutionName string          `json:"institution_name"`
	Stage           placement.Stage `json:"stage"`
	Round           int             `json:"round"`
	Recommendation  string          `json:"recommendation"`
	// Overridden is true when the agent introduced the doctor despite the
	// readiness gate; Override says why (agents and the institution).
	Overridden     bool            `json:"overridden"`
	Override       *overrideJSON   `json:"override,omitempty"`
	Outcome        *outcomeJSON    `json:"outcome"`
	DoctorReview   *conclusionJSON `json:"doctor_review,omitempty"` // agents and the doctor
	AgentReview    *conclusionJSON `json:"agent_review,omitempty"`  // agents
	StageChangedAt time.Time       `json:"stage_changed_at"`
	IntroducedAt   *time.Time      `json:"introduced_at"`
	Version        int             `json:"version"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

func toCaseJSON(c *placement.Case, party placement.Party) caseJSON {
	out := caseJSON{ID: c.ID, AgencyID: c.AgencyID, OpeningID: c.OpeningID, InstitutionID: c.InstitutionID, AgentID: c.AgentID,
		AgentName: c.AgentName, DoctorName: c.DoctorName, OpeningTitle: c.OpeningTitle, InstitutionName: c.InstitutionName,
		Stage: c.Stage, Round: c.Round, Recommendation: c.Recommendation, Overridden: c.Override != nil,
		StageChangedAt: c.StageChangedAt, IntroducedAt: c.IntroducedAt, Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
	if o := c.Outcome; o != nil {
		out.Outcome = &outcomeJSON{Stage: o.Stage, Reason: o.Reason, Note: o.Note, StartDate: o.StartDate, At: o.At}
	}
	if o := c.Override; o != nil && party != placement.PartyDoctor {
		out.Override = &overrideJSON{Reason: o.Reason, Problems: nonNil(o.Problems), At: o.At}
	}
	switch party {
	case placement.PartyAgent:
		out.LeadID, out.DoctorID = &c.LeadID, optID(c.DoctorID)
		out.DoctorReview, out.AgentReview = toConclusionJSON(c.DoctorReview), toConclusionJSON(c.AgentReview)
	case placement.PartyDoctor:
		out.DoctorReview = toConclusionJSON(c.DoctorReview)
	}
	return out
}

func caseList(list []placement.Case, party placement.Party) map[string]any {
	out := []caseJSON{}
	for i := range list {
		out = append(out, toCaseJSON(&list[i], party))
	}
	return map[string]any{"cases": out}
}

type timelineJSON struct {
	ID        int64               `json:"id"`
	Kind      placement.EventKind `json:"kind"`
	From      placement.Stage     `json:"from,omitempty"`
	To        placement.Stage     `json:"to,omitempty"`
	Detail    string              `json:"detail"`
	ActorName string              `json:"actor_name"`
	At        time.Time           `json:"at"`
}

type checkItemJSON struct {
	ID       int64                `json:"id"`
	Position int                  `json:"position"`
	Source   placement.ItemSource `json:"source"`
	Label    string               `json:"label"`
	Code     string               `json:"code,omitempty"`
	Level    int                  `json:"level,omitempty"`
	Required bool                 `json:"required"`
	Status   placement.ItemStatus `json:"status"`
	Note     string               `json:"note"`
}

type participantJSON struct {
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Role  string `json:"role"`
}

type interviewJSON struct {
	ID           int64             `json:"id"`
	CaseID       int64             `json:"case_id"`
	StartsAt     time.Time         `json:"starts_at"`
	EndsAt       time.Time         `json:"ends_at"`
	Mode         placement.Mode    `json:"mode"`
	Place        string            `json:"place"`
	MeetingURL   string            `json:"meeting_url"`
	Participants []participantJSON `json:"participants"`
	Sequence     int               `json:"sequence"`
	CancelledAt  *time.Time        `json:"cancelled_at"`
	CreatedAt    time.Time         `json:"created_at"`
}

// toInterviewJSON shapes an interview; the institution does not see the
// doctor's e-mail address, which is the agency's to share.
func toInterviewJSON(iv *placement.Interview, party placement.Party) interviewJSON {
	out := interviewJSON{ID: iv.ID, CaseID: iv.CaseID, StartsAt: iv.StartsAt, EndsAt: iv.EndsAt, Mode: iv.Mode, Place: iv.Place,
		MeetingURL: iv.MeetingURL, Participants: []participantJSON{}, Sequence: iv.Sequence, CancelledAt: iv.CancelledAt,
		CreatedAt: iv.CreatedAt}
	for _, p := range iv.Participants {
		pj := participantJSON{Name: p.Name, Email: p.Email, Role: p.Role}
		if party == placement.PartyInstitution && p.Role == placement.ParticipantDoctor {
			pj.Email = ""
		}
		out.Participants = append(out.Participants, pj)
	}
	return out
}

type scorecardJSON struct {
	ID          int64                    `json:"id"`
	InterviewID int64                    `json:"interview_id"`
	ByName      string                   `json:"by_name"`
	Scores      map[string]int           `json:"scores"` // check item ID → 1..5
	Overall     placement.Recommendation `json:"overall"`
	Comment     string                   `json:"comment"`
	CreatedAt   time.Time                `json:"created_at"`
}

func toScorecardJSON(sc *placement.Scorecard) scorecardJSON {
	out := scorecardJSON{ID: sc.ID, InterviewID: sc.InterviewID, ByName: sc.ByName, Scores: map[string]int{}, Overall: sc.Overall,
		Comment: sc.Comment, CreatedAt: sc.CreatedAt}
	for id, n := range sc.Scores {
		out.Scores[strconv.FormatInt(id, 10)] = n
	}
	return out
}

type sharedFieldJSON struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

type shareJSON struct {
	ID            int64             `json:"id"`
	InstitutionID int64             `json:"institution_id"`
	Institution   string            `json:"institution"`
	Fields        []sharedFieldJSON `json:"fields"`
	SharedAt      time.Time         `json:"shared_at"`
}

type triggerJSON struct {
	Kind      placement.TriggerKind `json:"kind"`
	Date      string                `json:"date,omitempty"`
	Stage     string                `json:"stage,omitempty"`
	Specialty string                `json:"specialty,omitempty"`
	Years     int                   `json:"years,omitempty"`
}

type followUpJSON struct {
	ID              int64                    `json:"id"`
	AgencyID        int64                    `json:"agency_id"`
	CaseID          *int64                   `json:"case_id"`
	LeadID          int64                    `json:"lead_id"`
	DoctorID        *int64                   `json:"doctor_id"`
	AgentID         int64                    `json:"agent_id"`
	Trigger         triggerJSON              `json:"trigger"`
	Description     string                   `json:"description"`
	Note            string                   `json:"note"`
	Context         string                   `json:"context"`
	Status          placement.FollowUpStatus `json:"status"`
	FiredAt         *time.Time               `json:"fired_at"`
	CreatedAt       time.Time                `json:"created_at"`
	DoctorName      string                   `json:"doctor_name"`
	InstitutionName string                   `json:"institution_name"`
}

func toFollowUpJSON(f *placement.FollowUp) followUpJSON {
	return followUpJSON{ID: f.ID, AgencyID: f.AgencyID, CaseID: optID(f.CaseID), LeadID: f.LeadID, DoctorID: optID(f.DoctorID),
		AgentID: f.AgentID, Trigger: triggerJSON{Kind: f.Trigger.Kind, Date: f.Trigger.Date, Stage: string(f.Trigger.Stage),
			Specialty: f.Trigger.Specialty, Years: f.Trigger.Years},
		Description: f.Trigger.Describe(), Note: f.Note, Context: f.Context, Status: f.Status, FiredAt: f.FiredAt,
		CreatedAt: f.CreatedAt, DoctorName: f.DoctorName, InstitutionName: f.InstitutionName}
}

// caseViewJSON is GET /cases/{id}: the case with what its party may see.
// The agents-only parts (lead, problems, follow-ups, consultations) are
// absent for the institution and the doctor.
type caseViewJSON struct {
	Party         placement.Party     `json:"party"`
	Case          caseJSON            `json:"case"`
	Opening       *openingJSON        `json:"opening"`
	Timeline      []timelineJSON      `json:"timeline"`
	Items         []checkItemJSON     `json:"items"`
	Interviews    []interviewJSON     `json:"interviews"`
	Scorecards    []scorecardJSON     `json:"scorecards"`
	Shares        []shareJSON         `json:"shares"`
	Moves         []placement.Stage   `json:"moves"`
	CanReopen     bool                `json:"can_reopen"`
	Lead          *leadJSON           `json:"lead,omitempty"`
	Problems      *[]string           `json:"problems,omitempty"`
	FollowUps     *[]followUpJSON     `json:"follow_ups,omitempty"`
	Consultations *[]consultationJSON `json:"consultations,omitempty"`
}

func toCaseViewJSON(v *placement.CaseView) caseViewJSON {
	out := caseViewJSON{Party: v.Party, Case: toCaseJSON(v.Case, v.Party), Timeline: []timelineJSON{}, Items: []checkItemJSON{},
		Interviews: []interviewJSON{}, Scorecards: []scorecardJSON{}, Shares: []shareJSON{}, Moves: nonNil(v.Moves),
		CanReopen: v.CanReopen}
	if v.Opening != nil {
		o := toOpeningJSON(v.Opening)
		out.Opening = &o
	}
	for _, e := range v.Timeline {
		out.Timeline = append(out.Timeline, timelineJSON{ID: e.ID, Kind: e.Kind, From: e.From, To: e.To, Detail: e.Detail,
			ActorName: e.ActorName, At: e.At})
	}
	for _, it := range v.Items {
		out.Items = append(out.Items, checkItemJSON{ID: it.ID, Position: it.Position, Source: it.Source, Label: it.Label,
			Code: it.Code, Level: int(it.Level), Required: it.Required, Status: it.Status, Note: it.Note})
	}
	for i := range v.Interviews {
		out.Interviews = append(out.Interviews, toInterviewJSON(&v.Interviews[i], v.Party))
	}
	for i := range v.Scorecards {
		out.Scorecards = append(out.Scorecards, toScorecardJSON(&v.Scorecards[i]))
	}
	for _, sh := range v.Shares {
		sj := shareJSON{ID: sh.ID, InstitutionID: sh.InstitutionID, Institution: sh.Institution, Fields: []sharedFieldJSON{},
			SharedAt: sh.SharedAt}
		for _, f := range sh.Fields {
			sj.Fields = append(sj.Fields, sharedFieldJSON(f))
		}
		out.Shares = append(out.Shares, sj)
	}
	if v.Party != placement.PartyAgent {
		return out
	}
	if v.Lead != nil {
		l := toLeadJSON(v.Lead)
		out.Lead = &l
	}
	problems := nonNil(v.Problems)
	out.Problems = &problems
	fus := []followUpJSON{}
	for i := range v.FollowUps {
		fus = append(fus, toFollowUpJSON(&v.FollowUps[i]))
	}
	out.FollowUps = &fus
	cons := []consultationJSON{}
	for i := range v.Consultations {
		cons = append(cons, toConsultationJSON(&v.Consultations[i]))
	}
	out.Consultations = &cons
	return out
}

// splitValues reads a query parameter given repeated or comma-separated.
func splitValues(r *http.Request, name string) []string {
	var out []string
	for _, v := range r.URL.Query()[name] {
		for part := range strings.SplitSeq(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}
