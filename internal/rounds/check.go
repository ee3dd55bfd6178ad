package rounds

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/obligation"
)

// jst is Japan Standard Time, in which fiscal years begin.
var jst = career.JST

// Requirement is what a doctor's program, plan and ledger ask of their list
// in a round's fiscal year.
type Requirement struct {
	Program obligation.Program
	// Shortage says the doctor must serve in a shortage area (医師少数区域)
	// that year; Why says why, in Japanese, to end a sentence with 「ため」.
	Shortage bool
	Why      string
	// Specialty is the 基本領域 the doctor will practise; empty before
	// specialty training.
	Specialty string
}

// Require derives the requirement of fiscal year year from the doctor's
// ledger and plan (nil if none). The doctor must serve in a shortage area
// when the plan puts that year in one (obligation.Plan.ShortageRequired), or
// when the ledger, summarised as the year begins, leaves no month to spare:
// the shortage-area months still owed are at least the months left before
// the deadline. The specialty is the one given, else the plan's for the
// year.
func Require(l obligation.Ledger, plan *obligation.Plan, year int, specialty string) Requirement {
	req := Requirement{Program: l.Program, Specialty: specialty}
	if plan != nil {
		if plan.ShortageRequired(year) {
			req.Shortage = true
			req.Why = fmt.Sprintf("複数年計画「%s」で%d年度を医師少数区域での勤務としている", plan.Name, year)
		}
		if req.Specialty == "" {
			for _, y := range plan.Years {
				if y.FiscalYear == year && y.Kind == obligation.PlanService && y.Specialty != "" {
					req.Specialty = y.Specialty
					break
				}
			}
		}
	}
	if !req.Shortage {
		s := obligation.Summarise(l, time.Date(year, time.April, 1, 0, 0, 0, 0, jst))
		left := (s.DeadlineYear - year + 1) * 12
		if s.Status != obligation.Completed && s.Status != obligation.Left &&
			s.RemainingShortageMonths > 0 && s.RemainingShortageMonths >= left {
			req.Shortage = true
			req.Why = fmt.Sprintf("医師少数区域での勤務があと%dか月必要で、期限（%d年度末）までの%dか月をすべて医師少数区域で勤務しなければ義務を満たせない",
				s.RemainingShortageMonths, s.DeadlineYear, max(left, 0))
		}
	}
	return req
}

// CheckList checks a doctor's ranked list of institutions (organisation
// IDs, best first) against the round and the requirement. It returns what
// is wrong per field, in Japanese: "institutions" for the list as a whole,
// "institutions.N" for its N-th choice (from 1), "specialty" for the
// doctor's specialty. An empty map means the list may be submitted.
func CheckList(r *Round, req Requirement, institutions []int64) map[string]string {
	fields := map[string]string{}
	pr := req.Program
	switch {
	case req.Specialty == "":
	case !career.IsSpecialty(req.Specialty):
		fields["specialty"] = "診療科は基本領域から選んでください。"
	case !pr.AllowsSpecialty(req.Specialty):
		fields["specialty"] = fmt.Sprintf("%sはプログラム「%s」の対象診療科（%s）ではありません。",
			req.Specialty, pr.Name, strings.Join(pr.Specialties, "・"))
	}
	if len(institutions) == 0 {
		fields["institutions"] = "希望する医療機関を1つ以上選んでください。"
		return fields
	}
	seen := map[int64]bool{}
	for i, id := range institutions {
		key := fmt.Sprintf("institutions.%d", i+1)
		in := r.Institution(id)
		switch {
		case in == nil:
			fields[key] = "この配置に参加していない医療機関です。"
		case seen[id]:
			fields[key] = in.Name + "が重複しています。"
		case req.Shortage && in.Class != obligation.AreaShortage:
			fields[key] = fmt.Sprintf("%s（%s）は%d年度の医師少数区域ではありません。%sため、%d年度は医師少数区域の医療機関だけを希望に入れてください。",
				in.Name, in.AreaName, r.FiscalYear, req.Why, r.FiscalYear)
		default:
			if msg := specialtyProblem(pr, req.Specialty, in); msg != "" {
				fields[key] = msg
			}
		}
		seen[id] = true
	}
	return fields
}

// specialtyProblem says why the institution cannot take the doctor for
// their specialty, or "". A doctor with a specialty needs an institution
// that accepts it; one without needs an institution that accepts at least
// one specialty the program allows.
func specialtyProblem(pr obligation.Program, specialty string, in *Institution) string {
	if len(in.Specialties) == 0 {
		return ""
	}
	accepts := strings.Join(in.Specialties, "・")
	if specialty != "" {
		if slices.Contains(in.Specialties, specialty) {
			return ""
		}
		return fmt.Sprintf("%sは%sの医師を受け入れていません（受け入れ診療科：%s）。", in.Name, specialty, accepts)
	}
	if slices.ContainsFunc(in.Specialties, pr.AllowsSpecialty) {
		return ""
	}
	return fmt.Sprintf("%sの受け入れ診療科（%s）は、プログラムの対象診療科（%s）に含まれません。",
		in.Name, accepts, strings.Join(pr.Specialties, "・"))
}
