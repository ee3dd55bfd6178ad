package regional

import (
	"context"
	"fmt"
	"slices"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
)

// MaxPlanYears is the most rows a plan may hold.
const MaxPlanYears = 40

// PlanView is a plan with its check against the program, on top of the
// ledger so far.
type PlanView struct {
	Plan  *obligation.Plan
	Check obligation.PlanCheck
}

// Comparison is two plans of one enrolment, checked side by side.
type Comparison struct {
	A, B PlanView
}

// planEnrollment loads the enrolment a plan belongs to and checks that the
// actor may act on the plan, hiding what it may not see.
func (s *Service) planEnrollment(ctx context.Context, actor policy.Actor, action policy.Action, enrollmentID, planID int64) (*Enrollment, error) {
	e, err := s.Store.Enrollment(ctx, enrollmentID)
	if err != nil {
		return nil, err
	}
	obj := planObject(e, planID)
	if err := s.Guard.Check(ctx, actor, action, obj); err != nil {
		if action != policy.Read && policy.Decide(actor, policy.Read, obj).Allow {
			return nil, err
		}
		return nil, hidden(err)
	}
	return e, nil
}

// validatePlan normalises p and returns what is wrong per field: "name",
// and "years.N.field" for the N-th year. Only malformed rows are
// refused: a plan may break the program's rules (a specialty it does not
// allow, a suspension it does not grant) and still be saved, so that the
// doctor can keep it and compare it; its check says what it breaks.
func validatePlan(p *obligation.Plan, pr *obligation.Program) map[string]string {
	fields := map[string]string{}
	p.Name = jatext.NormalizeLine(p.Name)
	if n := len([]rune(p.Name)); n == 0 || n > 100 {
		fields["name"] = "計画の名前（例: A案）を100文字以内で入力してください。"
	}
	if len(p.Years) > MaxPlanYears {
		fields["years"] = fmt.Sprintf("計画は%d行までにしてください。", MaxPlanYears)
	}
	lenient := *pr
	lenient.Specialties = nil
	lenient.SuspensionCaps = map[obligation.SuspensionReason]int{}
	for _, r := range obligation.SuspensionReasons {
		lenient.SuspensionCaps[r] = lenient.DeadlineYears * 12
	}
	for i := range p.Years {
		for k, msg := range p.Years[i].Validate(lenient) {
			fields[fmt.Sprintf("years.%d.%s", i, k)] = msg
		}
	}
	return fields
}

// check checks the plan against the enrolment's ledger now.
func (s *Service) check(ctx context.Context, e *Enrollment, p *obligation.Plan) (*PlanView, error) {
	v, err := s.view(ctx, e)
	if err != nil {
		return nil, err
	}
	return &PlanView{Plan: p, Check: obligation.CheckPlan(v.Ledger, *p, s.now())}, nil
}

// CheckPlan checks a draft plan of p.EnrollmentID live, without saving
// it, for whoever may edit the enrolment's plans. obligation.CheckPlan
// reports what the form would reject as problems too, so the doctor sees
// everything at once.
func (s *Service) CheckPlan(ctx context.Context, actor policy.Actor, p obligation.Plan) (*obligation.PlanCheck, error) {
	e, err := s.planEnrollment(ctx, actor, policy.Update, p.EnrollmentID, p.ID)
	if err != nil {
		return nil, err
	}
	v, err := s.check(ctx, e, &p)
	if err != nil {
		return nil, err
	}
	return &v.Check, nil
}

// CreatePlan saves a new plan for p.EnrollmentID, by the doctor or their
// coordinator, and returns it checked.
func (s *Service) CreatePlan(ctx context.Context, actor policy.Actor, p *obligation.Plan) (*PlanView, error) {
	e, err := s.planEnrollment(ctx, actor, policy.Create, p.EnrollmentID, 0)
	if err != nil {
		return nil, err
	}
	pr, err := s.Store.Program(ctx, e.ProgramID)
	if err != nil {
		return nil, err
	}
	if fields := validatePlan(p, pr); len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	p.UpdatedAt = s.now()
	if err := s.Store.CreatePlan(ctx, p, actor.UserID); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.InvalidFields(map[string]string{"name": "同じ名前の計画がすでにあります。"})
		}
		return nil, err
	}
	return s.check(ctx, e, p)
}

// UpdatePlan rewrites a plan whose version is still p.Version, by the
// doctor or their coordinator, and returns it checked.
func (s *Service) UpdatePlan(ctx context.Context, actor policy.Actor, p *obligation.Plan) (*PlanView, error) {
	cur, err := s.Store.Plan(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	e, err := s.planEnrollment(ctx, actor, policy.Update, cur.EnrollmentID, cur.ID)
	if err != nil {
		return nil, err
	}
	p.EnrollmentID = cur.EnrollmentID
	pr, err := s.Store.Program(ctx, e.ProgramID)
	if err != nil {
		return nil, err
	}
	if fields := validatePlan(p, pr); len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	p.UpdatedAt = s.now()
	if err := s.Store.UpdatePlan(ctx, p); err != nil {
		if apperr.Is(err, apperr.Conflict) && p.Name != cur.Name {
			if plans, lerr := s.Store.Plans(ctx, cur.EnrollmentID); lerr == nil &&
				slices.ContainsFunc(plans, func(o obligation.Plan) bool { return o.ID != p.ID && o.Name == p.Name }) {
				return nil, apperr.InvalidFields(map[string]string{"name": "同じ名前の計画がすでにあります。"})
			}
		}
		return nil, conflict(err, "この計画")
	}
	return s.check(ctx, e, p)
}

// Plan returns a plan checked against the program now. A read by anyone
// but the doctor is audited.
func (s *Service) Plan(ctx context.Context, actor policy.Actor, id int64) (*PlanView, error) {
	p, err := s.Store.Plan(ctx, id)
	if err != nil {
		return nil, err
	}
	e, err := s.planEnrollment(ctx, actor, policy.Read, p.EnrollmentID, p.ID)
	if err != nil {
		return nil, err
	}
	v, err := s.check(ctx, e, p)
	if err != nil {
		return nil, err
	}
	if err := s.staffRead(ctx, actor, e, policy.KindPlan, p.ID, "複数年計画「"+p.Name+"」"); err != nil {
		return nil, err
	}
	return v, nil
}

// Plans lists an enrolment's plans, each checked. A read by anyone but
// the doctor is audited once for the list.
func (s *Service) Plans(ctx context.Context, actor policy.Actor, enrollmentID int64) ([]PlanView, error) {
	e, err := s.planEnrollment(ctx, actor, policy.List, enrollmentID, 0)
	if err != nil {
		return nil, err
	}
	plans, err := s.Store.Plans(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, e)
	if err != nil {
		return nil, err
	}
	now := s.now()
	views := make([]PlanView, len(plans))
	for i := range plans {
		views[i] = PlanView{Plan: &plans[i], Check: obligation.CheckPlan(v.Ledger, plans[i], now)}
	}
	if err := s.staffRead(ctx, actor, e, policy.KindEnrollment, e.ID, "複数年計画の一覧"); err != nil {
		return nil, err
	}
	return views, nil
}

// ComparePlans returns two plans of one enrolment checked side by side.
func (s *Service) ComparePlans(ctx context.Context, actor policy.Actor, a, b int64) (*Comparison, error) {
	pa, err := s.Plan(ctx, actor, a)
	if err != nil {
		return nil, err
	}
	pb, err := s.Plan(ctx, actor, b)
	if err != nil {
		return nil, err
	}
	if pa.Plan.EnrollmentID != pb.Plan.EnrollmentID {
		return nil, apperr.E(apperr.Invalid, "同じ登録（プログラム）の計画どうしを比べてください。")
	}
	return &Comparison{A: *pa, B: *pb}, nil
}

// DeletePlan removes a plan at the version the actor saw, by the doctor
// or their coordinator.
func (s *Service) DeletePlan(ctx context.Context, actor policy.Actor, id int64, version int) error {
	p, err := s.Store.Plan(ctx, id)
	if err != nil {
		return err
	}
	if _, err := s.planEnrollment(ctx, actor, policy.Delete, p.EnrollmentID, p.ID); err != nil {
		return err
	}
	return conflict(s.Store.DeletePlan(ctx, id, version), "この計画")
}
