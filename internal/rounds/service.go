package rounds

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
)

// Audit actions of this package.
const (
	AuditPublished = "round.published" // an officer published a round's result
)

// Service runs placement rounds.
type Service struct {
	Store    Store
	Regional Regional
	Guard    *guard.Guard
	Audit    *audit.Recorder
	Now      func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC() }

// roundObject is the round itself; participating institutions' staff may
// read it.
func roundObject(r *Round) policy.Object {
	o := policy.Object{Kind: policy.KindRound, ID: r.ID, OrgID: r.PrefectureOrgID}
	for _, in := range r.Institutions {
		o.SharedWith = append(o.SharedWith, policy.OrgRole{OrgID: in.OrgID, Role: identity.RoleInstitutionStaff})
	}
	return o
}

// doctorObject is one doctor's list or placement in the round.
func doctorObject(r *Round, doctorID int64) policy.Object {
	return policy.Object{Kind: policy.KindRound, ID: r.ID, OrgID: r.PrefectureOrgID, OwnerID: doctorID}
}

// institutionObject is one institution's ranking or placements in the
// round.
func institutionObject(r *Round, institutionID int64) policy.Object {
	return policy.Object{Kind: policy.KindRound, ID: r.ID, OrgID: r.PrefectureOrgID, PartnerOrgID: institutionID}
}

// notFound is what an actor who may not know of an object is told.
func notFound() error { return apperr.E(apperr.NotFound, "見つかりません。") }

// hidden turns a denial into not-found, so that the existence of another
// prefecture's round, or another doctor's list, is not revealed.
func hidden(err error) error {
	if apperr.Is(err, apperr.Forbidden) {
		return notFound()
	}
	return err
}

// conflict words a lost optimistic-versioning race for the user.
func conflict(err error) error {
	if apperr.Is(err, apperr.Conflict) {
		return &apperr.Error{Code: apperr.Conflict, Err: err,
			Message: "この配置は他の方が先に更新しました。最新の状態を確認してから、もう一度操作してください。"}
	}
	return err
}

// officerRound loads a round for its prefecture's officers; others may
// not know it exists.
func (s *Service) officerRound(ctx context.Context, actor policy.Actor, action policy.Action, id int64) (*Round, error) {
	r, err := s.Store.Round(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, action, roundObject(r)); err != nil {
		if action != policy.Read && s.mayView(ctx, actor, r) {
			return nil, err
		}
		return nil, hidden(err)
	}
	return r, nil
}

// isOfficer reports whether the actor manages the round.
func isOfficer(actor policy.Actor, r *Round) bool {
	return policy.Decide(actor, policy.Update, roundObject(r)).Allow
}

// isStaff reports whether the actor is staff of the institution and it
// takes part in the round.
func isStaff(actor policy.Actor, r *Round, institutionID int64) bool {
	return r.Institution(institutionID) != nil && policy.Decide(actor, policy.Update, institutionObject(r, institutionID)).Allow
}

// mayView reports whether the actor may see the round's settings: its
// officers, the staff of its institutions, and the doctors enrolled in its
// program.
func (s *Service) mayView(ctx context.Context, actor policy.Actor, r *Round) bool {
	if !policy.Decide(actor, policy.Read, roundObject(r)).Allow {
		return false
	}
	if isOfficer(actor, r) || slices.ContainsFunc(r.Institutions, func(in Institution) bool { return isStaff(actor, r, in.OrgID) }) {
		return true
	}
	_, err := s.enrollment(ctx, actor, r)
	return err == nil
}

// enrollment returns the actor's current enrolment in the round's program
// (any of the prefecture's programs for a prefecture-wide round), or
// not_found.
func (s *Service) enrollment(ctx context.Context, actor policy.Actor, r *Round) (*regional.EnrollmentView, error) {
	if !actor.Has(identity.RoleDoctor) {
		return nil, notFound()
	}
	views, err := s.Regional.Enrollments(ctx, actor, regional.EnrollmentFilter{
		DoctorID: actor.UserID, PrefectureOrgID: r.PrefectureOrgID, ProgramID: r.ProgramID})
	if err != nil {
		return nil, hidden(err)
	}
	for i := range views {
		if views[i].Enrollment.Departure == nil && views[i].Program.PrefectureOrgID == r.PrefectureOrgID {
			return &views[i], nil
		}
	}
	return nil, notFound()
}

// OpenRound opens a round, by an officer of its prefecture: its program
// (0 for every program of the prefecture), fiscal year, name, mechanism,
// deadlines, institutions and caps. It returns the stored round.
func (s *Service) OpenRound(ctx context.Context, actor policy.Actor, r *Round) (*Round, error) {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindRound, OrgID: r.PrefectureOrgID}); err != nil {
		return nil, err
	}
	if err := s.validate(ctx, actor, r, true); err != nil {
		return nil, err
	}
	r.Status, r.CreatedBy = StatusOpen, actor.UserID
	r.CreatedAt, r.UpdatedAt = s.now(), s.now()
	if err := s.Store.CreateRound(ctx, r); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.InvalidFields(map[string]string{"name": "同じ年度に同じ名前の配置があります。"})
		}
		return nil, err
	}
	return s.Store.Round(ctx, r.ID)
}

// UpdateRound changes a round's settings, by its officers, at the version
// they saw; a run round goes back to open and its result is dropped. A
// published round cannot change, and an institution a doctor listed cannot
// be removed.
func (s *Service) UpdateRound(ctx context.Context, actor policy.Actor, r *Round) (*Round, error) {
	old, err := s.officerRound(ctx, actor, policy.Update, r.ID)
	if err != nil {
		return nil, err
	}
	if old.Status == StatusPublished {
		return nil, apperr.E(apperr.Invalid, "公開済みの配置は変更できません。")
	}
	if old.Version != r.Version {
		return nil, conflict(apperr.E(apperr.Conflict, "stale version"))
	}
	r.PrefectureOrgID = old.PrefectureOrgID
	if err := s.validate(ctx, actor, r, false); err != nil {
		return nil, err
	}
	lists, err := s.Store.Lists(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	for _, l := range lists {
		for _, id := range l.Institutions {
			if r.Institution(id) == nil {
				return nil, apperr.InvalidFields(map[string]string{"institutions": old.Institution(id).Name +
					"はすでに医師の希望に含まれているため、外せません。"})
			}
		}
	}
	r.UpdatedAt = s.now()
	if err := s.Store.UpdateRound(ctx, r); err != nil {
		return nil, conflict(err)
	}
	return s.Store.Round(ctx, r.ID)
}

// Round returns a round's settings to its officers, the staff of its
// institutions and the doctors enrolled in its program; to anyone else it
// is not_found.
func (s *Service) Round(ctx context.Context, actor policy.Actor, id int64) (*Round, error) {
	r, err := s.Store.Round(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.mayView(ctx, actor, r) {
		return nil, notFound()
	}
	return r, nil
}

// Rounds lists a prefecture's rounds, for its officers.
func (s *Service) Rounds(ctx context.Context, actor policy.Actor, prefectureOrgID int64) ([]Round, error) {
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindRound, OrgID: prefectureOrgID}); err != nil {
		return nil, err
	}
	return s.Store.Rounds(ctx, prefectureOrgID)
}

// validate normalises r and checks it, loading the names of its
// institutions and areas; a new round's lists must be due in the future.
func (s *Service) validate(ctx context.Context, actor policy.Actor, r *Round, create bool) error {
	fields := map[string]string{}
	r.Name = jatext.NormalizeLine(r.Name)
	if n := utf8.RuneCountInString(r.Name); n == 0 || n > MaxName {
		fields["name"] = fmt.Sprintf("配置の名前を%d文字以内で入力してください。", MaxName)
	}
	if !r.Mechanism.Valid() {
		fields["mechanism"] = "マッチングの方式（da・jrmp・fda）を選んでください。"
	}
	if r.FiscalYear < obligation.MinFiscalYear || r.FiscalYear > obligation.MaxFiscalYear {
		fields["fiscal_year"] = "年度を確認してください。"
	}
	r.ProgramName = ""
	if r.ProgramID != 0 {
		p, err := s.Regional.Program(ctx, actor, r.ProgramID)
		switch {
		case apperr.Is(err, apperr.NotFound) || (err == nil && p.PrefectureOrgID != r.PrefectureOrgID):
			fields["program_id"] = "この都道府県のプログラムを選んでください。"
		case err != nil:
			return err
		default:
			r.ProgramName = p.Name
		}
	}
	r.ListsDue, r.RankingsDue = r.ListsDue.UTC(), r.RankingsDue.UTC()
	switch {
	case r.ListsDue.IsZero():
		fields["lists_due"] = "医師の希望の提出期限を入力してください。"
	case create && !r.ListsDue.After(s.now()):
		fields["lists_due"] = "医師の希望の提出期限は今より後にしてください。"
	}
	if r.RankingsDue.IsZero() || r.RankingsDue.Before(r.ListsDue) {
		fields["rankings_due"] = "医療機関の順位の提出期限は、医師の希望の期限以降にしてください。"
	}
	areas, err := s.Regional.Areas(ctx, actor, r.PrefectureOrgID)
	if err != nil {
		return err
	}
	area := func(id int64) *regional.Area {
		i := slices.IndexFunc(areas, func(a regional.Area) bool { return a.ID == id })
		if i < 0 {
			return nil
		}
		return &areas[i]
	}
	if len(r.Institutions) == 0 || len(r.Institutions) > MaxInstitutions {
		fields["institutions"] = fmt.Sprintf("参加する医療機関を1〜%d件選んでください。", MaxInstitutions)
	}
	seen := map[int64]bool{}
	for i := range r.Institutions {
		in := &r.Institutions[i]
		key := fmt.Sprintf("institutions.%d.", i+1)
		org, err := s.Store.Organisation(ctx, in.OrgID)
		switch {
		case apperr.Is(err, apperr.NotFound) || (err == nil && org.Kind != identity.OrgInstitution):
			fields[key+"org_id"] = "医療機関が見つかりません。"
		case err != nil:
			return err
		case seen[in.OrgID]:
			fields[key+"org_id"] = org.Name + "が重複しています。"
		default:
			in.Name = org.Name
		}
		seen[in.OrgID] = true
		switch a := area(in.AreaID); {
		case a == nil:
			fields[key+"area_id"] = "この都道府県の医療圏を選んでください。"
		case a.Classes[r.FiscalYear] == "":
			fields[key+"area_id"] = fmt.Sprintf("%sの%d年度の区分（医師少数区域など）がまだ設定されていません。", a.Name, r.FiscalYear)
		default:
			in.AreaCode, in.AreaName, in.Class = a.Code, a.Name, a.Classes[r.FiscalYear]
		}
		if in.Capacity < 1 || in.Capacity > MaxCapacity {
			fields[key+"capacity"] = fmt.Sprintf("定員は1〜%d人にしてください。", MaxCapacity)
		}
		if in.Target != nil && (*in.Target < 0 || *in.Target > in.Capacity) {
			fields[key+"target"] = "目標は0人から定員までにしてください。"
		}
		var specs []string
		for _, sp := range in.Specialties {
			sp = jatext.NormalizeLine(sp)
			if !career.IsSpecialty(sp) {
				fields[key+"specialties"] = "受け入れ診療科は基本領域から選んでください。"
			} else if !slices.Contains(specs, sp) {
				specs = append(specs, sp)
			}
		}
		slices.SortFunc(specs, func(a, b string) int { return specialtyOrder(a) - specialtyOrder(b) })
		in.Specialties = specs
	}
	capped := map[int64]bool{}
	for i := range r.Caps {
		c := &r.Caps[i]
		key := fmt.Sprintf("caps.%d", i+1)
		switch a := area(c.AreaID); {
		case a == nil:
			fields[key] = "この都道府県の医療圏を選んでください。"
		case capped[c.AreaID]:
			fields[key] = a.Name + "の上限が重複しています。"
		case c.Cap < 0:
			fields[key] = "上限は0人以上にしてください。"
		default:
			c.AreaCode, c.AreaName = a.Code, a.Name
		}
		capped[c.AreaID] = true
	}
	if len(fields) == 0 {
		// The engine's own check: explicit targets above an area's cap.
		var verr *match.ValidationError
		if err := Input(r, nil, nil).Validate(); errors.As(err, &verr) {
			for _, p := range verr.Problems {
				fields["caps"] = "目標の合計が医療圏の上限を超えています: " + p.Message
			}
		} else if err != nil {
			return err
		}
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	return nil
}
