package obligation

import (
	"fmt"
	"maps"
	"slices"
	"time"
)

// ShortageRequired reports whether the plan puts service in a shortage area
// inside the prefecture in fiscal year fiscalYear. The annual placement
// round lets such a doctor rank only shortage-area hospitals that year.
func (p Plan) ShortageRequired(fiscalYear int) bool {
	for _, y := range p.Years {
		if y.FiscalYear == fiscalYear && y.Kind == PlanService && !y.Outside && y.Class == AreaShortage && y.Months > 0 {
			return true
		}
	}
	return false
}

// CheckPlan checks plan p against the ledger's program, on top of the
// ledger so far, at asOf.
//
// The plan's years from FiscalYear(asOf) on are applied to the ledger: a
// planned fiscal year replaces the ledger's records of that year, service
// as placements and suspension and research (a suspension for study) as
// suspensions. Years are checked one by one (PlanYear.Validate, a year
// before the current one or before the obligation starts, a year whose rows
// add up to more than 12 months, a suspension that takes a reason past its
// cap), and the plan as a whole: Projected is Summarise of the applied
// ledger as of the end of the last planned year, or of the deadline year if
// the plan runs past it (or at asOf for a plan with no current years). A
// plan that stops before the deadline is judged as if the doctor then
// served full time; if even so the obligation, or its shortage-area
// minimum, cannot be met by the deadline, that is a problem; so is a
// departure by then. OK says there are no problems.
func CheckPlan(l Ledger, p Plan, asOf time.Time) PlanCheck {
	pr := l.Program
	now := FiscalYear(asOf)
	deadlineYear := l.StartYear + pr.DeadlineYears - 1
	var probs []Problem
	planned := map[int][]PlanYear{}
	for _, y := range p.Years {
		fields := y.Validate(pr) // normalises the copy y, which is what is applied
		for _, f := range slices.Sorted(maps.Keys(fields)) {
			probs = append(probs, Problem{FiscalYear: y.FiscalYear, Field: f, Message: fields[f]})
		}
		switch {
		case fields["fiscal_year"] != "":
		case y.FiscalYear < now:
			probs = append(probs, Problem{y.FiscalYear, "fiscal_year",
				fmt.Sprintf("%d年度は過ぎた年度です。計画には今年度（%d年度）以降を入れてください。", y.FiscalYear, now)})
		case y.FiscalYear < l.StartYear:
			probs = append(probs, Problem{y.FiscalYear, "fiscal_year",
				fmt.Sprintf("%d年度は対象期間（%d年度から）より前です。", y.FiscalYear, l.StartYear)})
		default:
			planned[y.FiscalYear] = append(planned[y.FiscalYear], y)
		}
	}
	years := slices.Sorted(maps.Keys(planned))
	for _, fy := range years {
		rows := planned[fy]
		total := 0
		for _, y := range rows {
			total += max(0, y.Months)
		}
		if len(rows) > 1 && total > 12 {
			probs = append(probs, Problem{fy, "months", fmt.Sprintf("%d年度の計画は合計%dか月で、12か月を超えています。", fy, total)})
		}
	}

	applied := applyPlan(l, planned)
	probs = append(probs, capProblems(applied, years)...)

	at := asOf
	if len(years) > 0 {
		if end := fiscalStart(min(years[len(years)-1], deadlineYear) + 1); end.After(asOf) {
			at = end
		}
	}
	o := summarise(applied, at)
	switch {
	case o.Status == Left:
		probs = append(probs, Problem{Field: "plan", Message: "プログラムを離脱しているため、計画どおりに義務を履行できません。"})
	case o.Status != Completed && !o.Possible:
		end := fmt.Sprintf("期限（%d年度末）", deadlineYear)
		if need := pr.TotalYears * 12; o.ServiceByDeadline < need {
			probs = append(probs, Problem{Field: "total", Message: fmt.Sprintf(
				"この計画では、%sまでに義務年限（%d年）を満たせません（%dか月不足します）。", end, pr.TotalYears, need-o.ServiceByDeadline)})
		}
		if need := pr.MinShortageYears * 12; o.ShortageByDeadline < need {
			probs = append(probs, Problem{Field: "shortage", Message: fmt.Sprintf(
				"この計画では、%sまでに医師少数区域での勤務（%d年）を満たせません（%dか月不足します）。", end, pr.MinShortageYears, need-o.ShortageByDeadline)})
		}
	}
	return PlanCheck{Problems: probs, Projected: o.Summary, OK: len(probs) == 0}
}

// applyPlan returns a copy of the ledger in which each planned fiscal year
// replaces the ledger's records of that year. The planned years are
// normalised by PlanYear.Validate.
func applyPlan(l Ledger, planned map[int][]PlanYear) Ledger {
	out := l
	out.Placements, out.Suspensions = nil, nil
	for _, p := range l.Placements {
		if _, ok := planned[p.FiscalYear]; !ok {
			out.Placements = append(out.Placements, p)
		}
	}
	for _, s := range l.Suspensions {
		if _, ok := planned[s.FiscalYear]; !ok {
			out.Suspensions = append(out.Suspensions, s)
		}
	}
	for _, fy := range slices.Sorted(maps.Keys(planned)) {
		for _, y := range planned[fy] {
			switch y.Kind {
			case PlanService:
				out.Placements = append(out.Placements, Placement{
					FiscalYear: y.FiscalYear, Months: y.Months, AreaCode: y.AreaCode, Class: y.Class,
					Outside: y.Outside, Specialty: y.Specialty, Note: y.Note,
				})
			case PlanSuspension, PlanResearch: // Validate made research a suspension for study
				out.Suspensions = append(out.Suspensions, Suspension{FiscalYear: y.FiscalYear, Months: y.Months, Reason: y.Reason, Note: y.Note})
			}
		}
	}
	return out
}

// capProblems finds, for each suspension reason the program allows, the
// first planned year that suspends for it while the reason's total from the
// start of the obligation to the end of that year is over its cap.
func capProblems(l Ledger, years []int) []Problem {
	var probs []Problem
	reported := map[SuspensionReason]bool{}
	for _, fy := range years {
		for _, r := range SuspensionReasons {
			limit, ok := l.Program.SuspensionCaps[r]
			if !ok || reported[r] {
				continue // PlanYear.Validate says when the reason is not allowed
			}
			total, inYear := 0, 0
			for _, s := range l.Suspensions {
				if s.Reason == r && s.FiscalYear >= l.StartYear && s.FiscalYear <= fy {
					total += max(0, s.Months)
					if s.FiscalYear == fy {
						inYear += max(0, s.Months)
					}
				}
			}
			if inYear > 0 && total > limit {
				reported[r] = true
				probs = append(probs, Problem{fy, "months",
					fmt.Sprintf("%d年度までに%sによる一時中断が合計%dか月になり、上限（%dか月）を超えます。", fy, r.Label(), total, limit)})
			}
		}
	}
	return probs
}
