package rounds

import (
	"context"
	"fmt"
	"slices"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
)

// ListRequest is a doctor's ranked list: the institutions best first, the
// specialty they will practise (empty: the plan's for the year, or none
// yet) and the plan the list follows (0: their only plan, if they have
// exactly one).
type ListRequest struct {
	Institutions []int64
	Specialty    string
	PlanID       int64
}

// jstTime formats a deadline for a message, in JST.
func jstTime(r *Round, due bool) string {
	t := r.ListsDue
	if due {
		t = r.RankingsDue
	}
	return t.In(jst).Format("2006年1月2日 15:04")
}

// SubmitList submits or replaces the actor's list, a doctor enrolled in
// the round's program, before the lists' deadline. A list that breaks the
// doctor's plan or obligation (a shortage-area year ranked with a hospital
// outside the shortage areas) or the specialty restriction is refused with
// the reason on the offending choice (see CheckList). Others are told
// not_found.
func (s *Service) SubmitList(ctx context.Context, actor policy.Actor, roundID int64, req ListRequest) (*List, error) {
	r, err := s.Store.Round(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Create, doctorObject(r, actor.UserID)); err != nil {
		return nil, hidden(err)
	}
	v, err := s.enrollment(ctx, actor, r)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusOpen || !s.now().Before(r.ListsDue) {
		return nil, apperr.E(apperr.Invalid, "希望の提出期限（%s）を過ぎています。", jstTime(r, false))
	}
	plans, err := s.Regional.Plans(ctx, actor, v.Enrollment.ID)
	if err != nil {
		return nil, err
	}
	var plan *obligation.Plan
	switch i := slices.IndexFunc(plans, func(p regional.PlanView) bool { return p.Plan.ID == req.PlanID }); {
	case req.PlanID != 0 && i < 0:
		return nil, apperr.InvalidFields(map[string]string{"plan_id": "計画が見つかりません。"})
	case req.PlanID != 0:
		plan = plans[i].Plan
	case len(plans) == 1:
		plan = plans[0].Plan
	case len(plans) > 1:
		return nil, apperr.InvalidFields(map[string]string{"plan_id": "どの複数年計画に沿った希望かを選んでください。"})
	}
	req.Specialty = jatext.NormalizeLine(req.Specialty)
	need := Require(v.Ledger, plan, r.FiscalYear, req.Specialty)
	if fields := CheckList(r, need, req.Institutions); len(fields) > 0 {
		return nil, &apperr.Error{Code: apperr.Invalid, Message: "希望を提出できません。理由を確認してください。", Fields: fields}
	}
	l := &List{RoundID: r.ID, DoctorID: actor.UserID, EnrollmentID: v.Enrollment.ID, Specialty: need.Specialty,
		Institutions: req.Institutions, SubmittedAt: s.now()}
	if plan != nil {
		l.PlanID = plan.ID
	}
	if err := s.Store.SaveList(ctx, l); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.E(apperr.Invalid, "希望の受け付けは終了しました。")
		}
		return nil, err
	}
	return s.Store.List(ctx, r.ID, actor.UserID)
}

// DoctorList returns a doctor's list in the round, to the doctor and the
// round's officers; to anyone else it is not_found.
func (s *Service) DoctorList(ctx context.Context, actor policy.Actor, roundID, doctorID int64) (*List, error) {
	r, err := s.Store.Round(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Read, doctorObject(r, doctorID)); err != nil {
		return nil, hidden(err)
	}
	return s.Store.List(ctx, r.ID, doctorID)
}

// Lists returns every doctor's list, to the round's officers.
func (s *Service) Lists(ctx context.Context, actor policy.Actor, roundID int64) ([]List, error) {
	r, err := s.officerRound(ctx, actor, policy.List, roundID)
	if err != nil {
		return nil, err
	}
	return s.Store.Lists(ctx, r.ID)
}

// Candidate is a doctor who listed an institution, as its staff see them:
// who, and in which specialty; never where else they applied nor at which
// place.
type Candidate struct {
	DoctorID   int64
	DoctorName string
	Specialty  string
}

// institutionRound loads a round for an institution's staff (or the
// round's officers, to read) and checks that the institution takes part.
func (s *Service) institutionRound(ctx context.Context, actor policy.Actor, action policy.Action, roundID, institutionID int64) (*Round, error) {
	r, err := s.Store.Round(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if r.Institution(institutionID) == nil {
		return nil, notFound()
	}
	if err := s.Guard.Check(ctx, actor, action, institutionObject(r, institutionID)); err != nil {
		if action != policy.Read && policy.Decide(actor, policy.Read, institutionObject(r, institutionID)).Allow {
			return nil, err
		}
		return nil, hidden(err)
	}
	return r, nil
}

// Candidates lists the doctors who listed the institution, for its staff
// to rank.
func (s *Service) Candidates(ctx context.Context, actor policy.Actor, roundID, institutionID int64) ([]Candidate, error) {
	r, err := s.institutionRound(ctx, actor, policy.Read, roundID, institutionID)
	if err != nil {
		return nil, err
	}
	lists, err := s.Store.Lists(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	var out []Candidate
	for _, l := range lists {
		if slices.Contains(l.Institutions, institutionID) {
			out = append(out, Candidate{DoctorID: l.DoctorID, DoctorName: l.DoctorName, Specialty: l.Specialty})
		}
	}
	return out, nil
}

// SubmitRanking submits or replaces the institution's ranking, by its
// staff, before the rankings' deadline. Only doctors who listed the
// institution may be ranked; an empty ranking accepts nobody.
func (s *Service) SubmitRanking(ctx context.Context, actor policy.Actor, roundID, institutionID int64, doctors []int64) (*Ranking, error) {
	r, err := s.institutionRound(ctx, actor, policy.Create, roundID, institutionID)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusOpen || !s.now().Before(r.RankingsDue) {
		return nil, apperr.E(apperr.Invalid, "順位の提出期限（%s）を過ぎています。", jstTime(r, true))
	}
	cands, err := s.Candidates(ctx, actor, roundID, institutionID)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	seen := map[int64]bool{}
	for i, id := range doctors {
		key := fmt.Sprintf("doctors.%d", i+1)
		switch {
		case !slices.ContainsFunc(cands, func(c Candidate) bool { return c.DoctorID == id }):
			fields[key] = "この医療機関を希望していない医師は順位に入れられません。"
		case seen[id]:
			fields[key] = "同じ医師が重複しています。"
		}
		seen[id] = true
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	k := &Ranking{RoundID: r.ID, InstitutionID: institutionID, Doctors: doctors, SubmittedBy: actor.UserID, SubmittedAt: s.now()}
	if err := s.Store.SaveRanking(ctx, k); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.E(apperr.Invalid, "順位の受け付けは終了しました。")
		}
		return nil, err
	}
	return s.Store.Ranking(ctx, r.ID, institutionID)
}

// Ranking returns the institution's ranking, to its staff and the round's
// officers.
func (s *Service) Ranking(ctx context.Context, actor policy.Actor, roundID, institutionID int64) (*Ranking, error) {
	r, err := s.institutionRound(ctx, actor, policy.Read, roundID, institutionID)
	if err != nil {
		return nil, err
	}
	return s.Store.Ranking(ctx, r.ID, institutionID)
}
