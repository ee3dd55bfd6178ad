package placement

import (
	"context"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/profile"
	"github.com/hakui-dev/hakui/internal/ratelimit"
	"github.com/hakui-dev/hakui/internal/vault"
)

// Store is what the service needs from the database.
type Store interface {
	Organisation(ctx context.Context, id int64) (*identity.Organisation, error)
	Members(ctx context.Context, orgID int64) ([]identity.Member, error)
	User(ctx context.Context, id int64) (*identity.User, error)
	Opening(ctx context.Context, id int64) (*openings.Opening, error)
	Profile(ctx context.Context, userID int64) (*profile.Profile, error)
	Competencies(ctx context.Context, all bool) ([]career.Competency, error)

	Agency(ctx context.Context, orgID int64) (*Agency, error)
	SaveAgency(ctx context.Context, a *Agency) error

	CreateLead(ctx context.Context, l *Lead) error
	UpdateLead(ctx context.Context, l *Lead) error
	Lead(ctx context.Context, id int64) (*Lead, error)
	Leads(ctx context.Context, f LeadFilter) ([]Lead, error)
	LeadsLike(ctx context.Context, agencyID int64, email, phone, registration string) ([]Lead, error)
	LeadsOfUser(ctx context.Context, userID int64) ([]Lead, error)
	SetLeadClaim(ctx context.Context, leadID int64, tokenHash string, expires time.Time) error
	LeadByClaim(ctx context.Context, tokenHash string, now time.Time) (*Lead, error)
	// ClaimLead links the lead to userID with the consent, if the lead
	// still holds the token and no account; the token is spent.
	ClaimLead(ctx context.Context, leadID int64, tokenHash string, userID int64, c Consent) error
	// MergeLeads moves drop's cases, consultations and follow-ups to keep,
	// marks drop merged and appends ev to each moved case.
	MergeLeads(ctx context.Context, keep, drop *Lead, ev Event) error
	// ExpiredLeads returns leads whose last activity is older than their
	// agency's retention period and that have no open case.
	ExpiredLeads(ctx context.Context, now time.Time, limit int) ([]Lead, error)
	AnonymiseLead(ctx context.Context, id int64, at time.Time) error
	TouchLead(ctx context.Context, id int64, at time.Time) error

	CreateCase(ctx context.Context, c *Case, ev Event) error
	Case(ctx context.Context, id int64) (*Case, error)
	Cases(ctx context.Context, f CaseFilter) ([]Case, error)
	// SaveCase stores c if its version is still c.Version (else
	// ErrConflict), bumps the version, and applies ch in the same
	// transaction.
	SaveCase(ctx context.Context, c *Case, ch Change) error
	// AppendEvents adds timeline entries that do not change the case
	// itself (a note recorded, a scorecard received).
	AppendEvents(ctx context.Context, events []Event) error
	CaseEvents(ctx context.Context, caseID int64) ([]Event, error)
	AgencyEvents(ctx context.Context, agencyID int64, until time.Time) ([]Event, error)
	CheckItems(ctx context.Context, caseID int64) ([]CheckItem, error)
	Shares(ctx context.Context, caseID int64) ([]Share, error)

	CreateConsultation(ctx context.Context, c *Consultation) error
	UpdateConsultation(ctx context.Context, c *Consultation) error
	Consultation(ctx context.Context, id int64) (*Consultation, error)
	Consultations(ctx context.Context, leadID int64) ([]Consultation, error)

	CreateInterview(ctx context.Context, iv *Interview) error
	UpdateInterview(ctx context.Context, iv *Interview) error
	Interview(ctx context.Context, id int64) (*Interview, error)
	Interviews(ctx context.Context, caseID int64) ([]Interview, error)
	SaveScorecard(ctx context.Context, sc *Scorecard) error
	Scorecards(ctx context.Context, caseID int64) ([]Scorecard, error)

	CreateFollowUp(ctx context.Context, f *FollowUp) error
	FollowUp(ctx context.Context, id int64) (*FollowUp, error)
	FollowUps(ctx context.Context, f FollowUpFilter) ([]FollowUp, error)
	// SetFollowUpStatus moves a follow-up from one status to another and
	// reports whether it did (false: someone else moved it first).
	SetFollowUpStatus(ctx context.Context, id int64, from, to FollowUpStatus, at time.Time) (bool, error)
}

// Change is what a case save writes besides the case row.
type Change struct {
	Events []Event
	Items  []CheckItem // replaces the checklist when ReplaceItems
	// ReplaceItems replaces the whole checklist with Items; otherwise
	// Items update the status and note of existing items by ID.
	ReplaceItems bool
	Share        *Share
}

// LeadFilter selects an agency's leads.
type LeadFilter struct {
	AgencyID int64
	Query    string // matched against name, kana, e-mail, phone, 医籍登録番号
	AgentID  int64
	Merged   bool // include merged leads
	Limit    int
}

// CaseFilter selects cases. Zero fields do not filter.
type CaseFilter struct {
	AgencyID      int64
	AgentID       int64
	LeadID        int64
	DoctorID      int64
	InstitutionID int64
	Introduced    bool // only cases introduced at least once
	Stages        []Stage
	Query         string
	Limit         int
}

// FollowUpFilter selects follow-ups.
type FollowUpFilter struct {
	AgencyID int64
	AgentID  int64
	LeadID   int64
	DoctorID int64
	Statuses []FollowUpStatus
	Limit    int
}

// OrgPoster posts a message to an organisation's outgoing webhooks.
type OrgPoster interface {
	PostToOrg(ctx context.Context, orgID int64, title, body, link string) error
}

// Service runs the pipeline.
type Service struct {
	Store    Store
	Guard    *guard.Guard
	Audit    *audit.Recorder
	Notifier *notify.Notifier
	Webhooks OrgPoster // nil: no webhooks
	Keys     *vault.Keyring
	// Limiter guards the public contact form and the claim look-up per
	// client address; nil allows everything.
	Limiter *ratelimit.Limiter
	Now     func() time.Time
}

// Limits of the public links, per client address.
var (
	contactLimit = ratelimit.Rule{Name: "lead.contact", Limit: 10, Window: time.Hour}
	claimLimit   = ratelimit.Rule{Name: "lead.claim", Limit: 30, Window: time.Hour}
)

func (s *Service) now() time.Time { return s.Now().UTC() }

// agencyOf loads an organisation and checks it is an agency.
func (s *Service) agencyOf(ctx context.Context, orgID int64) (*identity.Organisation, error) {
	org, err := s.Store.Organisation(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if org.Kind != identity.OrgAgency {
		return nil, apperr.E(apperr.NotFound, "紹介会社が見つかりません。")
	}
	return org, nil
}

func leadObject(l *Lead) policy.Object {
	return policy.Object{Kind: policy.KindLead, ID: l.ID, OrgID: l.AgencyID, OwnerID: l.UserID}
}

// caseObject shows the case to its institution only once the doctor has
// been introduced: before that, the institution has no stake in it.
func caseObject(c *Case) policy.Object {
	o := policy.Object{Kind: policy.KindCase, ID: c.ID, OrgID: c.AgencyID, OwnerID: c.DoctorID}
	if c.IntroducedAt != nil {
		o.PartnerOrgID = c.InstitutionID
	}
	return o
}

// hidden turns a denial into not-found, so that the existence of another
// organisation's object is not revealed.
func hidden(err error) error {
	if apperr.Is(err, apperr.Forbidden) {
		return apperr.E(apperr.NotFound, "見つかりません。")
	}
	return err
}

// conflict is the message for a lost optimistic-versioning race.
func conflict(err error) error {
	if apperr.Is(err, apperr.Conflict) {
		return apperr.E(apperr.Conflict, "この案件は他の方が先に更新しました。最新の状態を確認してから、もう一度操作してください。")
	}
	return err
}

// notifyUsers sends an in-app notification (and its e-mail) to each user.
// A failure is logged by the notifier and never undoes the action.
func (s *Service) notifyUsers(ctx context.Context, userIDs []int64, n notify.Notification) {
	if s.Notifier == nil {
		return
	}
	seen := map[int64]bool{}
	for _, id := range userIDs {
		if id == 0 || seen[id] {
			continue
		}
		seen[id] = true
		note := n
		note.UserID = id
		if err := s.Notifier.Notify(ctx, &note); err != nil && s.Notifier.Log != nil {
			s.Notifier.Log.WarnContext(ctx, "notification failed", "user", id, "kind", n.Kind, "err", err)
		}
	}
}

// staffOf returns the users holding role in the organisation.
func (s *Service) staffOf(ctx context.Context, orgID int64, role identity.Role) []int64 {
	members, err := s.Store.Members(ctx, orgID)
	if err != nil {
		return nil
	}
	var ids []int64
	for _, m := range members {
		if m.Role == role {
			ids = append(ids, m.UserID)
		}
	}
	return ids
}

// postToOrg sends a message to the organisation's webhooks, if any.
func (s *Service) postToOrg(ctx context.Context, orgID int64, title, body, link string) {
	if s.Webhooks == nil {
		return
	}
	if err := s.Webhooks.PostToOrg(ctx, orgID, title, body, link); err != nil && s.Notifier != nil && s.Notifier.Log != nil {
		s.Notifier.Log.WarnContext(ctx, "webhook enqueue failed", "org", orgID, "err", err)
	}
}
