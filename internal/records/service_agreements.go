package records

import (
	"context"
	"slices"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
)

func agreementObject(a *Agreement) policy.Object {
	return policy.Object{Kind: policy.KindAgreement, ID: a.ID, OrgID: a.OrgID, PartnerOrgID: a.PartnerOrgID}
}

// CreateAgreement lets the named roles of in.PartnerOrgID read the records
// of in.OrgID whose topics are all among in.Topics. Only an administrator
// of in.OrgID makes one; a pair has at most one agreement in force.
func (s *Service) CreateAgreement(ctx context.Context, actor policy.Actor, in *Agreement) (*Agreement, error) {
	if err := s.Guard.Check(ctx, actor, policy.Create, agreementObject(in)); err != nil {
		return nil, err
	}
	if _, err := s.writer(ctx, in.OrgID); err != nil {
		return nil, err
	}
	a := &Agreement{OrgID: in.OrgID, PartnerOrgID: in.PartnerOrgID, Roles: slices.Clone(in.Roles), Topics: slices.Clone(in.Topics),
		Purpose: strings.TrimSpace(in.Purpose), CreatedBy: actor.UserID, CreatedAt: s.now()}
	partner, err := s.Store.Organisation(ctx, in.PartnerOrgID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	kind := identity.OrgKind("")
	if partner != nil {
		kind = partner.Kind
	} else {
		a.PartnerOrgID = 0
	}
	if fields := a.Validate(kind); len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	if err := s.Store.CreateAgreement(ctx, a); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.E(apperr.Conflict, "この組織との共有の取り決めは既にあります。変更するには、いまの取り決めを終了してから作り直してください。")
		}
		return nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.AgreementCreated, ActorID: actor.UserID, ObjectKind: string(policy.KindAgreement),
		ObjectID: a.ID, Detail: "面談記録の共有を開始: " + partner.Name + " " + describe(a)})
	return a, nil
}

// describe names an agreement's roles and topics for the audit log.
func describe(a *Agreement) string {
	var roles, topics []string
	for _, r := range a.Roles {
		roles = append(roles, r.Label())
	}
	for _, t := range a.Topics {
		topics = append(topics, t.Label())
	}
	return "（" + strings.Join(roles, "・") + " / " + strings.Join(topics, "・") + "）"
}

// RevokeAgreement ends an agreement: from now on its partner reads none of
// the records it shared. Revoking an ended agreement does nothing.
func (s *Service) RevokeAgreement(ctx context.Context, actor policy.Actor, id int64) error {
	a, err := s.Store.Agreement(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Guard.Check(ctx, actor, policy.Delete, agreementObject(a)); err != nil {
		return hidden(err)
	}
	if !a.Active() {
		return nil
	}
	if err := s.Store.RevokeAgreement(ctx, id, actor.UserID, s.now()); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil // revoked meanwhile
		}
		return err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.AgreementRevoked, ActorID: actor.UserID, ObjectKind: string(policy.KindAgreement),
		ObjectID: a.ID, Detail: "面談記録の共有を終了 " + describe(a)})
	return nil
}

// Agreements lists the agreements of an organisation, as the sharing side
// or the partner, in force or ended, for its administrators.
func (s *Service) Agreements(ctx context.Context, actor policy.Actor, orgID int64) ([]Agreement, error) {
	asSharer := policy.Object{Kind: policy.KindAgreement, OrgID: orgID}
	if !policy.Decide(actor, policy.List, policy.Object{Kind: policy.KindAgreement, PartnerOrgID: orgID}).Allow {
		if err := s.Guard.Check(ctx, actor, policy.List, asSharer); err != nil {
			return nil, err
		}
	}
	list, err := s.Store.Agreements(ctx, AgreementFilter{Involving: orgID})
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, a := range list {
		if policy.Decide(actor, policy.Read, agreementObject(&a)).Allow {
			out = append(out, a)
		}
	}
	return out, nil
}

// doctor returns the actor's user ID if they are a doctor.
func doctor(actor policy.Actor) (int64, error) {
	if actor.Anonymous() {
		return 0, apperr.E(apperr.Unauthorized, "ログインしてください。")
	}
	if !actor.Has(identity.RoleDoctor) {
		return 0, apperr.E(apperr.Forbidden, "同意は医師本人が行います。")
	}
	return actor.UserID, nil
}

// GiveConsent records the doctor's own consent that the organisation
// records health topics (要配慮個人情報) in their 面談記録 and shares them
// under its agreements. Giving it again while in force does nothing.
func (s *Service) GiveConsent(ctx context.Context, actor policy.Actor, orgID int64) error {
	doctorID, err := doctor(actor)
	if err != nil {
		return err
	}
	org, err := s.writer(ctx, orgID)
	if err != nil {
		return err
	}
	c := &Consent{DoctorID: doctorID, OrgID: orgID, GivenAt: s.now()}
	if err := s.Store.GiveConsent(ctx, c); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil
		}
		return err
	}
	return s.Audit.Record(ctx, audit.Entry{Action: audit.ConsentGiven, ActorID: doctorID, SubjectID: doctorID,
		ObjectKind: string(policy.KindOrganisation), ObjectID: orgID, Detail: "健康に関する面談記録への同意: " + org.Name})
}

// WithdrawConsent ends the doctor's own consent to the organisation. No
// new health topics are recorded, and records with health topics are no
// longer shared.
func (s *Service) WithdrawConsent(ctx context.Context, actor policy.Actor, orgID int64) error {
	doctorID, err := doctor(actor)
	if err != nil {
		return err
	}
	org, err := s.writer(ctx, orgID)
	if err != nil {
		return err
	}
	if err := s.Store.WithdrawConsent(ctx, doctorID, orgID, s.now()); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil
		}
		return err
	}
	return s.Audit.Record(ctx, audit.Entry{Action: audit.ConsentWithdrawn, ActorID: doctorID, SubjectID: doctorID,
		ObjectKind: string(policy.KindOrganisation), ObjectID: orgID, Detail: "健康に関する面談記録への同意を撤回: " + org.Name})
}

// Consents returns the actor's own consents, in force or withdrawn.
func (s *Service) Consents(ctx context.Context, actor policy.Actor) ([]Consent, error) {
	doctorID, err := doctor(actor)
	if err != nil {
		return nil, err
	}
	return s.Store.Consents(ctx, doctorID)
}

// AuditTrail returns who read which of the doctor's records, and when, the
// latest first: to the doctor themselves (and a platform administrator
// reading the audit log).
func (s *Service) AuditTrail(ctx context.Context, actor policy.Actor, doctorID int64) ([]Access, error) {
	if err := s.Guard.Check(ctx, actor, policy.Read, policy.Object{Kind: policy.KindAuditSubject, OwnerID: doctorID}); err != nil {
		return nil, err
	}
	const max = 500
	var out []Access
	names := map[int64]string{}
	var before int64
	for len(out) < max {
		page, err := s.Store.ListAudit(ctx, audit.Filter{SubjectID: doctorID, ActionPrefix: audit.ConfidentialRead, BeforeSeq: before, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if e.Action != audit.ConfidentialRead || e.ObjectKind != string(policy.KindRecord) || len(out) == max {
				continue
			}
			name, ok := names[e.ActorID]
			if !ok {
				if u, err := s.Store.User(ctx, e.ActorID); err == nil {
					name = u.DisplayName
				}
				names[e.ActorID] = name
			}
			out = append(out, Access{At: e.At, ReaderID: e.ActorID, Reader: name, RecordID: e.ObjectID, Detail: e.Detail, RequestID: e.RequestID})
		}
		if len(page) < 500 {
			break
		}
		before = page[len(page)-1].Seq
	}
	return out, nil
}
