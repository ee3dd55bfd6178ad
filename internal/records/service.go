package records

import (
	"context"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/vault"
)

// Store is what the service needs from the database.
type Store interface {
	Organisation(ctx context.Context, id int64) (*identity.Organisation, error)
	User(ctx context.Context, id int64) (*identity.User, error)
	// Follows reports whether the organisation follows the doctor: it is
	// the coordinating office of one of the doctor's enrolments, or the
	// prefecture whose program it is. A departure does not end it.
	Follows(ctx context.Context, orgID, doctorID int64) (bool, error)

	// CreateRecord inserts r with the ciphertexts seal returns for its ID,
	// and sets r.ID and r.Sealed. Invalid when a constraint fails.
	CreateRecord(ctx context.Context, r *Record, seal func(id int64) (Sealed, error)) error
	// UpdateRecord writes r and r.Sealed if the stored version is still
	// r.Version, then bumps r.Version. Conflict when someone saved first,
	// NotFound when there is no such record.
	UpdateRecord(ctx context.Context, r *Record) error
	// Record returns one record, its fields sealed. NotFound.
	Record(ctx context.Context, id int64) (*Record, error)
	// Records returns records' metadata and ciphertexts, the latest first.
	Records(ctx context.Context, f Filter) ([]Record, error)

	// CreateAgreement inserts a and sets its ID. Conflict when the pair
	// already has an agreement in force.
	CreateAgreement(ctx context.Context, a *Agreement) error
	// RevokeAgreement ends an agreement in force. NotFound when there is
	// none with that ID in force.
	RevokeAgreement(ctx context.Context, id, by int64, at time.Time) error
	// Agreement returns one agreement. NotFound.
	Agreement(ctx context.Context, id int64) (*Agreement, error)
	Agreements(ctx context.Context, f AgreementFilter) ([]Agreement, error)

	// GiveConsent inserts c and sets its ID. Conflict when a consent of
	// the doctor to the organisation is already in force.
	GiveConsent(ctx context.Context, c *Consent) error
	// WithdrawConsent ends the consent in force. NotFound when none is.
	WithdrawConsent(ctx context.Context, doctorID, orgID int64, at time.Time) error
	// Consents returns the doctor's consents, in force or withdrawn, the
	// latest first.
	Consents(ctx context.Context, doctorID int64) ([]Consent, error)
	// ConsentInForce reports whether the doctor's consent to the
	// organisation is in force.
	ConsentInForce(ctx context.Context, doctorID, orgID int64) (bool, error)

	ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, error)
}

// Filter selects records. Zero fields do not filter, but OrgIDs must not
// be empty.
type Filter struct {
	OrgIDs   []int64 // the writing organisations
	DoctorID int64
	Limit    int // at most 500; 0 means 200
}

// AgreementFilter selects agreements. Zero fields do not filter.
type AgreementFilter struct {
	OrgID        int64 // the sharing organisation
	PartnerOrgID int64
	Involving    int64 // either side
	Active       bool  // only agreements in force
}

// Service keeps the records, the agreements and the consents.
type Service struct {
	Store Store
	Guard *guard.Guard
	Audit *audit.Recorder
	Keys  *vault.Keyring
	Now   func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

// hidden turns a denial into not-found, so that the existence of another
// organisation's record is not revealed.
func hidden(err error) error {
	if apperr.Is(err, apperr.Forbidden) {
		return apperr.E(apperr.NotFound, "見つかりません。")
	}
	return err
}

// writer returns the organisation that writes records, which must be a
// university CC office or a prefecture.
func (s *Service) writer(ctx context.Context, orgID int64) (*identity.Organisation, error) {
	org, err := s.Store.Organisation(ctx, orgID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && org.Kind != identity.OrgUniversity && org.Kind != identity.OrgPrefecture) {
		return nil, apperr.E(apperr.NotFound, "大学またはキャリア形成を担う都道府県の組織が見つかりません。")
	}
	return org, err
}

// sharing computes who else may read records, with the agreements and
// consents it loads cached across the records of one call.
type sharing struct {
	s          *Service
	agreements map[int64][]Agreement // by sharing organisation
	consent    map[[2]int64]bool     // by (doctor, organisation)
}

func (s *Service) sharing() *sharing {
	return &sharing{s: s, agreements: map[int64][]Agreement{}, consent: map[[2]int64]bool{}}
}

// object returns the record as the policy sees it: SharedWith holds the
// partner roles of every agreement in force that covers all its topics. A
// record with health topics is shared only while the doctor's consent is
// in force.
func (sh *sharing) object(ctx context.Context, r *Record) (policy.Object, error) {
	obj := policy.Object{Kind: policy.KindRecord, ID: r.ID, OrgID: r.OrgID, OwnerID: r.DoctorID}
	list, ok := sh.agreements[r.OrgID]
	if !ok {
		var err error
		if list, err = sh.s.Store.Agreements(ctx, AgreementFilter{OrgID: r.OrgID, Active: true}); err != nil {
			return obj, err
		}
		sh.agreements[r.OrgID] = list
	}
	if len(list) == 0 {
		return obj, nil
	}
	if r.Has(TopicHealth) {
		key := [2]int64{r.DoctorID, r.OrgID}
		given, ok := sh.consent[key]
		if !ok {
			var err error
			if given, err = sh.s.Store.ConsentInForce(ctx, r.DoctorID, r.OrgID); err != nil {
				return obj, err
			}
			sh.consent[key] = given
		}
		if !given {
			return obj, nil
		}
	}
	for _, a := range list {
		if a.Active() && a.Covers(r.Topics) {
			for _, role := range a.Roles {
				obj.SharedWith = append(obj.SharedWith, policy.OrgRole{OrgID: a.PartnerOrgID, Role: role})
			}
		}
	}
	return obj, nil
}

// readsAs returns the organisation and role through which the policy lets
// the actor read obj, for the audit trail.
func readsAs(actor policy.Actor, obj policy.Object) policy.OrgRole {
	for _, g := range actor.Grants {
		if g.OrgID == obj.OrgID && g.Role == identity.RoleCoordinator {
			return policy.OrgRole{OrgID: g.OrgID, Role: g.Role}
		}
	}
	for _, sw := range obj.SharedWith {
		for _, g := range actor.Grants {
			if g.OrgID == sw.OrgID && g.Role == sw.Role {
				return sw
			}
		}
	}
	return policy.OrgRole{}
}
