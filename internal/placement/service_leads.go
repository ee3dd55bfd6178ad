package placement

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/reqinfo"
)

// DefaultPurpose is the purpose-of-use text an agency starts with.
const DefaultPurpose = `ご提供いただいた個人情報は、次の目的で利用します。
1. 医療機関の求人のご紹介と、紹介に必要な面談・確認
2. ご本人の同意を得たうえでの、医療機関への経歴・希望条件の提供
3. 面接日程の調整と、選考結果のご連絡
4. ご希望に応じた、将来の求人のご案内
健康状態などの要配慮個人情報は、別途明示の同意をいただいた場合に限り取得します。`

// DefaultRetentionDays is how long an inactive lead is kept by default.
const DefaultRetentionDays = 3 * 365

// claimValidity is how long a lead's account-link invitation stays valid.
const claimValidity = 14 * 24 * time.Hour

// settings returns the agency's settings, or the defaults.
func (s *Service) settings(ctx context.Context, org *identity.Organisation) (*Agency, error) {
	a, err := s.Store.Agency(ctx, org.ID)
	if apperr.Is(err, apperr.NotFound) {
		return &Agency{OrgID: org.ID, Name: org.Name, PurposeText: DefaultPurpose, RetentionDays: DefaultRetentionDays, FormEnabled: true}, nil
	}
	if err != nil {
		return nil, err
	}
	a.Name = org.Name
	return a, nil
}

// agencySettings loads an agency's settings by ID.
func (s *Service) agencySettings(ctx context.Context, orgID int64) (*Agency, error) {
	org, err := s.agencyOf(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return s.settings(ctx, org)
}

// Agency returns an agency's pipeline settings for its agents.
func (s *Service) Agency(ctx context.Context, actor policy.Actor, orgID int64) (*Agency, error) {
	if err := s.Guard.Check(ctx, actor, policy.Read, policy.Object{Kind: policy.KindAgency, ID: orgID, OrgID: orgID}); err != nil {
		return nil, hidden(err)
	}
	return s.agencySettings(ctx, orgID)
}

// SaveAgency stores an agency's purpose-of-use text, retention period and
// whether its public form is open.
func (s *Service) SaveAgency(ctx context.Context, actor policy.Actor, a *Agency) error {
	if err := s.Guard.Check(ctx, actor, policy.Update, policy.Object{Kind: policy.KindAgency, ID: a.OrgID, OrgID: a.OrgID}); err != nil {
		return hidden(err)
	}
	if _, err := s.agencyOf(ctx, a.OrgID); err != nil {
		return err
	}
	a.PurposeText = strings.TrimSpace(jatext.Normalize(a.PurposeText))
	fields := map[string]string{}
	if n := len([]rune(a.PurposeText)); n < 20 || n > 4000 {
		fields["purpose_text"] = "利用目的を20〜4000文字で入力してください。"
	}
	if a.RetentionDays < 30 || a.RetentionDays > 3650 {
		fields["retention_days"] = "保存期間は30〜3650日の範囲で指定してください。"
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	a.UpdatedAt = s.now()
	return s.Store.SaveAgency(ctx, a)
}

// PublicAgency returns what the agency's public contact form shows.
func (s *Service) PublicAgency(ctx context.Context, orgID int64) (*Agency, error) {
	a, err := s.agencySettings(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if !a.FormEnabled {
		return nil, apperr.E(apperr.NotFound, "この紹介会社は現在お問い合わせを受け付けていません。")
	}
	return a, nil
}

// LeadForm is what a doctor sends through an agency's contact form.
type LeadForm struct {
	Name               string
	NameKana           string
	Email              string
	Phone              string
	RegistrationNumber string
	Source             Source
	SourceNote         string
	Message            string
	PurposeHash        string // of the text the doctor was shown
	ConsentPurpose     bool
	ConsentHealth      bool
}

// SubmitLead records a lead from the agency's public form, with the
// consent given there. A signed-in doctor's lead is linked at once.
func (s *Service) SubmitLead(ctx context.Context, actor policy.Actor, orgID int64, in LeadForm) (*Lead, error) {
	a, err := s.PublicAgency(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if err := s.Limiter.Allow(ctx, contactLimit, reqinfo.From(ctx).IP); err != nil {
		return nil, err
	}
	now := s.now()
	l := &Lead{AgencyID: orgID, Name: in.Name, NameKana: in.NameKana, Email: in.Email, Phone: in.Phone,
		RegistrationNumber: in.RegistrationNumber, Source: in.Source, SourceNote: in.SourceNote, Message: in.Message}
	if l.Source == "" || l.Source == SourceManual || l.Source == SourceInvitation {
		l.Source = SourceWeb
	}
	fields := l.Validate()
	switch {
	case !in.ConsentPurpose:
		fields["consent_purpose"] = "利用目的を確認し、同意してください。"
	case in.PurposeHash != PurposeHash(a.PurposeText):
		fields["consent_purpose"] = "利用目的が更新されました。内容をもう一度確認して同意してください。"
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	l.Consent = Consent{PurposeHash: PurposeHash(a.PurposeText), ConsentedAt: &now}
	if in.ConsentHealth {
		l.Consent.HealthConsentAt = &now
	}
	if !actor.Anonymous() && actor.Has(identity.RoleDoctor) {
		l.UserID = actor.UserID
	}
	if err := s.Store.CreateLead(ctx, l); err != nil {
		return nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.ConsentGiven, ActorID: actor.UserID, SubjectID: l.UserID,
		ObjectKind: string(policy.KindLead), ObjectID: l.ID, Detail: consentDetail(l.Consent)})
	s.announceLead(ctx, l)
	return l, nil
}

func consentDetail(c Consent) string {
	d := "purpose " + c.PurposeHash[:min(12, len(c.PurposeHash))]
	if c.HealthConsentAt != nil {
		d += "; health"
	}
	return d
}

// announceLead tells the agency's agents about a new lead, and whether it
// looks like someone they already know.
func (s *Service) announceLead(ctx context.Context, l *Lead) {
	dups, _ := s.duplicatesOf(ctx, l)
	body := fmt.Sprintf("%s（%s）", l.Name, l.Source.Label())
	if len(dups) > 0 {
		body += fmt.Sprintf("。既存のリードと重複の可能性があります（%d件）。", len(dups))
	}
	link := fmt.Sprintf("/agency/leads/%d", l.ID)
	s.notifyUsers(ctx, s.staffOf(ctx, l.AgencyID, identity.RoleAgent),
		notify.Notification{Kind: "lead", Title: "新しいお問い合わせ", Body: body, Link: link})
	s.postToOrg(ctx, l.AgencyID, "新しいお問い合わせ", "出所: "+l.Source.Label(), link)
}

// CreateLead records a lead an agent entered by hand (a referral, an
// event). The doctor gives consent later, through the account link.
func (s *Service) CreateLead(ctx context.Context, actor policy.Actor, l *Lead) error {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindLead, OrgID: l.AgencyID}); err != nil {
		return hidden(err)
	}
	if _, err := s.agencyOf(ctx, l.AgencyID); err != nil {
		return err
	}
	if l.Source == "" {
		l.Source = SourceManual
	}
	l.UserID, l.Consent = 0, Consent{}
	if l.AgentID == 0 {
		l.AgentID = actor.UserID
	}
	if fields := l.Validate(); len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	return s.Store.CreateLead(ctx, l)
}

// Lead returns a lead to its agency's agents or its doctor.
func (s *Service) Lead(ctx context.Context, actor policy.Actor, id int64) (*Lead, error) {
	l, err := s.Store.Lead(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Read, leadObject(l)); err != nil {
		return nil, hidden(err)
	}
	return l, nil
}

// Leads lists an agency's leads.
func (s *Service) Leads(ctx context.Context, actor policy.Actor, f LeadFilter) ([]Lead, error) {
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindLead, OrgID: f.AgencyID}); err != nil {
		return nil, hidden(err)
	}
	f.Query = jatext.NormalizeLine(f.Query)
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	return s.Store.Leads(ctx, f)
}

func (s *Service) duplicatesOf(ctx context.Context, l *Lead) ([]Duplicate, error) {
	candidates, err := s.Store.LeadsLike(ctx, l.AgencyID, l.Email, l.Phone, l.RegistrationNumber)
	if err != nil {
		return nil, err
	}
	candidates = slices.DeleteFunc(candidates, func(c Lead) bool { return c.ID == l.ID || c.MergedInto != 0 })
	return Duplicates(*l, candidates), nil
}

// Duplicates lists the agency's other leads that share an e-mail, a phone
// number or a 医籍登録番号 with the lead.
func (s *Service) Duplicates(ctx context.Context, actor policy.Actor, leadID int64) ([]Duplicate, error) {
	l, err := s.Store.Lead(ctx, leadID)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Update, leadObject(l)); err != nil {
		return nil, hidden(err)
	}
	return s.duplicatesOf(ctx, l)
}

// Merge folds drop into keep: drop's cases, consultations and follow-ups
// move to keep with their history, missing contact details are filled in,
// and drop remains, marked merged, for the record.
func (s *Service) Merge(ctx context.Context, actor policy.Actor, keepID, dropID int64) (*Lead, error) {
	if keepID == dropID {
		return nil, apperr.E(apperr.Invalid, "同じリードは統合できません。")
	}
	keep, err := s.Store.Lead(ctx, keepID)
	if err != nil {
		return nil, err
	}
	drop, err := s.Store.Lead(ctx, dropID)
	if err != nil {
		return nil, err
	}
	for _, l := range []*Lead{keep, drop} {
		if err := s.Guard.Check(ctx, actor, policy.Update, leadObject(l)); err != nil {
			return nil, hidden(err)
		}
	}
	if keep.AgencyID != drop.AgencyID {
		return nil, apperr.E(apperr.NotFound, "見つかりません。")
	}
	if keep.MergedInto != 0 || drop.MergedInto != 0 {
		return nil, apperr.E(apperr.Conflict, "統合済みのリードは統合できません。")
	}
	if keep.AnonymisedAt != nil || drop.AnonymisedAt != nil {
		return nil, apperr.E(apperr.Conflict, "保存期間を過ぎて匿名化したリードは統合できません。")
	}
	if keep.UserID != 0 && drop.UserID != 0 && keep.UserID != drop.UserID {
		return nil, apperr.E(apperr.Invalid, "別々の医師アカウントに連携したリードは統合できません。")
	}
	fill := func(dst *string, src string) {
		if *dst == "" {
			*dst = src
		}
	}
	fill(&keep.NameKana, drop.NameKana)
	fill(&keep.Email, drop.Email)
	fill(&keep.Phone, drop.Phone)
	fill(&keep.RegistrationNumber, drop.RegistrationNumber)
	if keep.UserID == 0 {
		keep.UserID = drop.UserID
	}
	if keep.Consent.ConsentedAt == nil && drop.Consent.Given() {
		keep.Consent = drop.Consent
	}
	if keep.Message != drop.Message && drop.Message != "" {
		keep.Message = strings.TrimSpace(keep.Message + "\n---\n" + drop.Message)
		if r := []rune(keep.Message); len(r) > MaxLeadMessage {
			keep.Message = string(r[:MaxLeadMessage])
		}
	}
	now := s.now()
	ev := Event{Kind: EventMerged, Detail: fmt.Sprintf("リード#%d をリード#%d に統合", drop.ID, keep.ID), ActorID: actor.UserID, At: now}
	if err := s.Store.MergeLeads(ctx, keep, drop, ev); err != nil {
		return nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.LeadMerged, ActorID: actor.UserID, SubjectID: keep.UserID,
		ObjectKind: string(policy.KindLead), ObjectID: keep.ID, Detail: fmt.Sprintf("merged lead %d", drop.ID)})
	return s.Store.Lead(ctx, keep.ID)
}

// InviteLead creates the single-use link by which the doctor links the
// lead to their account (registering first if needed) and gives consent.
// It returns the path of the link.
func (s *Service) InviteLead(ctx context.Context, actor policy.Actor, leadID int64) (string, error) {
	l, err := s.Store.Lead(ctx, leadID)
	if err != nil {
		return "", err
	}
	if err := s.Guard.Check(ctx, actor, policy.Update, leadObject(l)); err != nil {
		return "", hidden(err)
	}
	if l.UserID != 0 {
		return "", apperr.E(apperr.Conflict, "このリードはすでに医師アカウントと連携しています。")
	}
	token, err := auth.NewToken("hkl_")
	if err != nil {
		return "", err
	}
	if err := s.Store.SetLeadClaim(ctx, l.ID, auth.HashToken(token), s.now().Add(claimValidity)); err != nil {
		return "", err
	}
	return "/leads/claim/" + token, nil
}

// ClaimInfo is what the doctor sees before linking a lead: the agency and
// its purpose of use.
type ClaimInfo struct {
	Lead   *Lead
	Agency *Agency
}

// Claim looks up an account-link invitation.
func (s *Service) Claim(ctx context.Context, token string) (*ClaimInfo, error) {
	if err := s.Limiter.Allow(ctx, claimLimit, reqinfo.From(ctx).IP); err != nil {
		return nil, err
	}
	l, err := s.Store.LeadByClaim(ctx, auth.HashToken(token), s.now())
	if err != nil {
		return nil, apperr.E(apperr.NotFound, "このリンクは無効か、有効期限が切れています。紹介会社にお問い合わせください。")
	}
	a, err := s.agencySettings(ctx, l.AgencyID)
	if err != nil {
		return nil, err
	}
	return &ClaimInfo{Lead: l, Agency: a}, nil
}

// AcceptClaim links the lead to the signed-in doctor and records the
// consent given with it.
func (s *Service) AcceptClaim(ctx context.Context, actor policy.Actor, token string, purposeHash string, health bool) (*Lead, error) {
	if actor.Anonymous() || !actor.Has(identity.RoleDoctor) {
		return nil, apperr.E(apperr.Forbidden, "医師アカウントでログインしてください。")
	}
	info, err := s.Claim(ctx, token)
	if err != nil {
		return nil, err
	}
	if purposeHash != PurposeHash(info.Agency.PurposeText) {
		return nil, apperr.InvalidFields(map[string]string{"consent_purpose": "利用目的を確認し、同意してください。"})
	}
	l := info.Lead
	now := s.now()
	consent := Consent{PurposeHash: purposeHash, ConsentedAt: &now}
	if health {
		consent.HealthConsentAt = &now
	}
	// The link works once, for a lead no account holds yet: the store
	// links it and spends the token in one statement.
	if err := s.Store.ClaimLead(ctx, l.ID, auth.HashToken(token), actor.UserID, consent); err != nil {
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Conflict) {
			return nil, apperr.E(apperr.NotFound, "このリンクは無効か、すでに使われています。紹介会社にお問い合わせください。")
		}
		return nil, err
	}
	l.UserID, l.Consent = actor.UserID, consent
	s.Audit.Try(ctx, audit.Entry{Action: audit.ConsentGiven, ActorID: actor.UserID, SubjectID: actor.UserID,
		ObjectKind: string(policy.KindLead), ObjectID: l.ID, Detail: consentDetail(l.Consent)})
	s.notifyUsers(ctx, []int64{l.AgentID}, notify.Notification{Kind: "lead", Title: "医師がアカウント連携と同意をしました",
		Body: l.Name, Link: fmt.Sprintf("/agency/leads/%d", l.ID)})
	return l, nil
}

// MyLead is a doctor's view of one agency that holds their data.
type MyLead struct {
	Lead   Lead
	Agency *Agency
}

// MyLeads lists the agencies that hold the doctor's data, with the
// consent given to each.
func (s *Service) MyLeads(ctx context.Context, actor policy.Actor) ([]MyLead, error) {
	if actor.Anonymous() || !actor.Has(identity.RoleDoctor) {
		return nil, apperr.E(apperr.Forbidden, "医師アカウントでログインしてください。")
	}
	leads, err := s.Store.LeadsOfUser(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	out := make([]MyLead, 0, len(leads))
	for _, l := range leads {
		if l.AnonymisedAt != nil {
			continue // the agency no longer holds the doctor's data
		}
		org, err := s.agencyOf(ctx, l.AgencyID)
		if err != nil {
			return nil, err
		}
		a, err := s.settings(ctx, org)
		if err != nil {
			return nil, err
		}
		out = append(out, MyLead{Lead: l, Agency: a})
	}
	return out, nil
}

// SetConsent lets the doctor give or withdraw consent for the agency's
// purpose of use and, separately, for health details.
func (s *Service) SetConsent(ctx context.Context, actor policy.Actor, leadID int64, purpose, health bool) (*Lead, error) {
	l, err := s.Store.Lead(ctx, leadID)
	if err != nil {
		return nil, err
	}
	// Only the doctor gives or withdraws consent: the object carries no
	// agency, so the agency's agents have no rule here.
	if err := s.Guard.Check(ctx, actor, policy.Update, policy.Object{Kind: policy.KindLead, ID: l.ID, OwnerID: l.UserID}); err != nil {
		return nil, hidden(err)
	}
	a, err := s.agencySettings(ctx, l.AgencyID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	action := audit.ConsentGiven
	switch {
	case !purpose:
		l.Consent.WithdrawnAt, l.Consent.HealthConsentAt = &now, nil
		action = audit.ConsentWithdrawn
	default:
		l.Consent = Consent{PurposeHash: PurposeHash(a.PurposeText), ConsentedAt: &now}
		if health {
			l.Consent.HealthConsentAt = &now
		}
	}
	if err := s.Store.UpdateLead(ctx, l); err != nil {
		return nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: action, ActorID: actor.UserID, SubjectID: l.UserID,
		ObjectKind: string(policy.KindLead), ObjectID: l.ID, Detail: consentDetail(l.Consent)})
	return l, nil
}

// SweepRetention anonymises the leads whose agency's retention period has
// passed since their last activity, and logs each one. It returns how many
// it anonymised.
func (s *Service) SweepRetention(ctx context.Context) (int, error) {
	now := s.now()
	n := 0
	for {
		expired, err := s.Store.ExpiredLeads(ctx, now, 100)
		if err != nil || len(expired) == 0 {
			return n, err
		}
		for _, l := range expired {
			if err := s.Store.AnonymiseLead(ctx, l.ID, now); err != nil {
				return n, err
			}
			n++
			s.Audit.Try(ctx, audit.Entry{Action: audit.LeadAnonymised, SubjectID: l.UserID,
				ObjectKind: string(policy.KindLead), ObjectID: l.ID, Detail: fmt.Sprintf("agency %d retention", l.AgencyID)})
		}
	}
}
