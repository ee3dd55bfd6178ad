package records

import (
	"context"
	"slices"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Create writes a 面談記録 for the actor's organisation (in.OrgID) about
// in.DoctorID, a doctor the organisation follows (see Store.Follows); any
// other user gets the same answer as one that does not exist. The
// confidential fields are sealed one by one before they reach the store. A
// record with health topics needs the doctor's consent in force. It
// returns the record as written.
func (s *Service) Create(ctx context.Context, actor policy.Actor, in *Record) (*Record, error) {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindRecord, OrgID: in.OrgID, OwnerID: in.DoctorID}); err != nil {
		return nil, err
	}
	if _, err := s.writer(ctx, in.OrgID); err != nil {
		return nil, err
	}
	follows, err := s.Store.Follows(ctx, in.OrgID, in.DoctorID)
	if err != nil {
		return nil, err
	}
	if !follows {
		return nil, apperr.InvalidFields(map[string]string{"doctor_id": "医師が見つかりません。"})
	}
	r := &Record{OrgID: in.OrgID, DoctorID: in.DoctorID, AuthorID: actor.UserID, Version: 1}
	if err := s.fill(ctx, r, in); err != nil {
		return nil, err
	}
	now := s.now()
	r.CreatedAt, r.UpdatedAt = now, now
	if err := s.Store.CreateRecord(ctx, r, func(id int64) (Sealed, error) { return s.seal(r, id) }); err != nil {
		return nil, err
	}
	r.Sealed = Sealed{}
	return r, nil
}

// Update rewrites a record the actor's organisation wrote. in.Version is
// the version the actor edited; a later save by someone else is a
// conflict.
func (s *Service) Update(ctx context.Context, actor policy.Actor, in *Record) (*Record, error) {
	r, err := s.Store.Record(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Update, policy.Object{Kind: policy.KindRecord, ID: r.ID, OrgID: r.OrgID, OwnerID: r.DoctorID}); err != nil {
		return nil, hidden(err)
	}
	if in.Version != r.Version {
		return nil, conflict()
	}
	if err := s.fill(ctx, r, in); err != nil {
		return nil, err
	}
	if r.Sealed, err = s.seal(r, r.ID); err != nil {
		return nil, err
	}
	r.UpdatedAt = s.now()
	if err := s.Store.UpdateRecord(ctx, r); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, conflict()
		}
		return nil, err
	}
	r.Sealed = Sealed{}
	return r, nil
}

func conflict() error {
	return apperr.E(apperr.Conflict, "この面談記録は他の方が先に更新しました。最新の内容を確認してから、もう一度保存してください。")
}

// fill copies the editable fields of in to r and validates them.
func (s *Service) fill(ctx context.Context, r, in *Record) error {
	r.HeldOn, r.Mode, r.Notes, r.AgreedActions, r.HealthNotes = Day(in.HeldOn), in.Mode, in.Notes, in.AgreedActions, in.HealthNotes
	if in.HeldOn.IsZero() {
		r.HeldOn = time.Time{}
	}
	r.Attendees, r.Topics = slices.Clone(in.Attendees), slices.Clone(in.Topics)
	r.NextMeeting = nil
	if in.NextMeeting != nil {
		d := Day(*in.NextMeeting)
		r.NextMeeting = &d
	}
	consent := false
	if r.Has(TopicHealth) {
		var err error
		if consent, err = s.Store.ConsentInForce(ctx, r.DoctorID, r.OrgID); err != nil {
			return err
		}
	}
	if fields := r.Validate(s.now(), consent); len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	return nil
}

// seal seals each non-empty confidential field of r, bound to the record.
func (s *Service) seal(r *Record, id int64) (Sealed, error) {
	var out Sealed
	for _, f := range []struct {
		field Field
		plain string
		dst   *string
	}{
		{FieldNotes, r.Notes, &out.Notes},
		{FieldAgreedActions, r.AgreedActions, &out.AgreedActions},
		{FieldHealthNotes, r.HealthNotes, &out.HealthNotes},
	} {
		if f.plain == "" {
			continue
		}
		ct, err := s.Keys.Seal([]byte(f.plain), SealContext(f.field, id))
		if err != nil {
			return Sealed{}, err
		}
		*f.dst = ct
	}
	return out, nil
}

// open unseals the confidential fields of r into its plaintext fields.
func (s *Service) open(r *Record) error {
	for _, f := range []struct {
		field  Field
		sealed string
		dst    *string
	}{
		{FieldNotes, r.Sealed.Notes, &r.Notes},
		{FieldAgreedActions, r.Sealed.AgreedActions, &r.AgreedActions},
		{FieldHealthNotes, r.Sealed.HealthNotes, &r.HealthNotes},
	} {
		if f.sealed == "" {
			continue
		}
		plain, err := s.Keys.Open(f.sealed, SealContext(f.field, r.ID))
		if err != nil {
			return apperr.Wrap(err, "面談記録を復号できませんでした。管理者に連絡してください。")
		}
		*f.dst = string(plain)
	}
	r.Sealed = Sealed{}
	return nil
}

// Get opens one record for the actor: a coordinator of the writing
// organisation, or a role of another organisation that an agreement in
// force shares it with. Every such read is written to the audit log about
// the doctor, who can see it; without its trace there is no read. Others
// get not-found.
func (s *Service) Get(ctx context.Context, actor policy.Actor, id int64) (*Record, error) {
	r, err := s.Store.Record(ctx, id)
	if err != nil {
		return nil, err
	}
	obj, err := s.sharing().object(ctx, r)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Read, obj); err != nil {
		return nil, hidden(err)
	}
	if err := s.open(r); err != nil {
		return nil, err
	}
	as := readsAs(actor, obj)
	detail := "面談記録 " + r.HeldOn.Format(time.DateOnly)
	if org, err := s.Store.Organisation(ctx, as.OrgID); err == nil {
		detail += ": " + org.Name + "（" + as.Role.Label() + "）"
	}
	if err := s.Audit.Record(ctx, audit.Entry{Action: audit.ConfidentialRead, ActorID: actor.UserID, SubjectID: r.DoctorID,
		ObjectKind: string(policy.KindRecord), ObjectID: r.ID, Detail: detail}); err != nil {
		// No read without its trace.
		return nil, err
	}
	return r, nil
}

// List returns the records about a doctor (or, with doctorID 0, every
// record) that the actor may read: those of their own organisations and
// those shared with them. Only the metadata is returned, never decrypted,
// so a listing is not audited; opening one with Get is.
func (s *Service) List(ctx context.Context, actor policy.Actor, doctorID int64) ([]Record, error) {
	if actor.Anonymous() {
		return nil, apperr.E(apperr.Unauthorized, "ログインしてください。")
	}
	orgs := actor.OrgIDs()
	for _, org := range actor.OrgIDs() {
		shared, err := s.Store.Agreements(ctx, AgreementFilter{PartnerOrgID: org, Active: true})
		if err != nil {
			return nil, err
		}
		for _, a := range shared {
			if !slices.Contains(orgs, a.OrgID) {
				orgs = append(orgs, a.OrgID)
			}
		}
	}
	if len(orgs) == 0 {
		return nil, nil
	}
	list, err := s.Store.Records(ctx, Filter{OrgIDs: orgs, DoctorID: doctorID})
	if err != nil {
		return nil, err
	}
	sh := s.sharing()
	var out []Record
	for _, r := range list {
		obj, err := sh.object(ctx, &r)
		if err != nil {
			return nil, err
		}
		if policy.Decide(actor, policy.List, obj).Allow {
			r.Sealed = Sealed{}
			out = append(out, r)
		}
	}
	return out, nil
}

// HealthConsent reports, to a coordinator of the organisation, whether the
// doctor's consent to health topics is in force there, so the form can
// offer the health topic.
func (s *Service) HealthConsent(ctx context.Context, actor policy.Actor, orgID, doctorID int64) (bool, error) {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindRecord, OrgID: orgID, OwnerID: doctorID}); err != nil {
		return false, err
	}
	return s.Store.ConsentInForce(ctx, doctorID, orgID)
}
