package obligation

import (
	"reflect"
	"testing"
	"time"
)

// work is a planned year of service inside the prefecture.
func work(fy, months int, class AreaClass, specialty string) PlanYear {
	return PlanYear{FiscalYear: fy, Kind: PlanService, Months: months, Class: class, Specialty: specialty}
}

// pause is a planned suspension.
func pause(fy, months int, r SuspensionReason) PlanYear {
	return PlanYear{FiscalYear: fy, Kind: PlanSuspension, Months: months, Reason: r}
}

// research is a planned year of research or graduate school.
func research(fy, months int) PlanYear {
	return PlanYear{FiscalYear: fy, Kind: PlanResearch, Months: months}
}

// twoYearsIn is a ledger two years into the okayama program, with this
// year's placement recorded.
func twoYearsIn(pr Program) Ledger {
	return Ledger{Program: pr, StartYear: 2027, Placements: []Placement{
		serve(2027, 12, AreaMiddle), serve(2028, 12, AreaMiddle), serve(2029, 12, AreaShortage),
	}}
}

func TestCheckPlan(t *testing.T) {
	asOf := on(2029, time.May, 1)
	restricted := with(func(p *Program) {
		p.Specialties = []string{"内科", "総合診療"}
		p.SuspensionCaps = map[SuspensionReason]int{SuspendChildbirth: 12, SuspendChildcare: 12, SuspendIllness: 24}
	})
	tests := []struct {
		name   string
		ledger Ledger
		plan   []PlanYear
		asOf   time.Time
		want   []Problem
		// the projected summary's status, served, shortage months and
		// projected completion
		status              Status
		served, shortage    int
		projYear, projMonth int
		suspended           map[SuspensionReason]int
		possible            bool
	}{
		{
			name:   "sound plan completes",
			ledger: twoYearsIn(okayama()),
			plan: []PlanYear{
				work(2029, 12, AreaShortage, "内科"), work(2030, 12, AreaShortage, "内科"),
				work(2031, 6, AreaShortage, "内科"), pause(2031, 6, SuspendChildcare),
				work(2032, 12, AreaShortage, "内科"), work(2033, 12, AreaShortage, "内科"),
				work(2034, 12, AreaMiddle, "内科"), work(2035, 12, AreaMiddle, "内科"), work(2036, 12, AreaMiddle, "内科"),
			},
			status: Completed, served: 114, shortage: 54, projYear: 2036, projMonth: 6, possible: true,
			suspended: map[SuspensionReason]int{SuspendChildcare: 6},
		},
		{
			name:   "partial plan with room left",
			ledger: twoYearsIn(okayama()),
			plan:   []PlanYear{work(2029, 12, AreaShortage, ""), work(2030, 12, AreaShortage, "")},
			status: OnTrack, served: 48, shortage: 24, projYear: 2035, projMonth: 12, possible: true,
		},
		{
			name:   "planned year replaces the recorded current year",
			ledger: twoYearsIn(okayama()),
			plan:   []PlanYear{work(2029, 6, AreaMiddle, ""), pause(2029, 6, SuspendChildcare)},
			status: OnTrack, served: 30, shortage: 0, projYear: 2036, projMonth: 6, possible: true,
			suspended: map[SuspensionReason]int{SuspendChildcare: 6},
		},
		{
			name:   "impossible plan",
			ledger: twoYearsIn(okayama()),
			plan: []PlanYear{
				work(2029, 12, AreaMiddle, ""),
				pause(2030, 12, SuspendChildcare), pause(2031, 12, SuspendChildcare),
				research(2032, 12), research(2033, 12),
				pause(2034, 12, SuspendIllness), pause(2035, 12, SuspendIllness),
			},
			want: []Problem{
				{0, "total", "この計画では、期限（2038年度末）までに義務年限（9年）を満たせません（36か月不足します）。"},
				{0, "shortage", "この計画では、期限（2038年度末）までに医師少数区域での勤務（4年）を満たせません（12か月不足します）。"},
			},
			status: CannotComplete, served: 36, projYear: 2041, projMonth: 12,
			suspended: map[SuspensionReason]int{SuspendChildcare: 24, SuspendStudy: 24, SuspendIllness: 24},
		},
		{
			name:   "problems year by year",
			ledger: twoYearsIn(restricted),
			plan: []PlanYear{
				work(2028, 12, AreaShortage, "内科"),
				work(2029, 12, AreaShortage, "整形外科"),
				research(2030, 12),
				pause(2031, 12, SuspendChildcare),
				pause(2032, 6, SuspendChildcare),
				work(2033, 12, AreaShortage, "内科"), work(2033, 6, AreaMiddle, "内科"),
				work(2034, 8, AreaShortage, "内科"), pause(2034, 6, SuspendChildbirth),
			},
			want: []Problem{
				{2028, "fiscal_year", "2028年度は過ぎた年度です。計画には今年度（2029年度）以降を入れてください。"},
				{2029, "specialty", "整形外科はこのプログラムの対象診療科（内科・総合診療）ではありません。"},
				{2030, "reason", "このプログラムでは「留学・大学院」による一時中断は認められていません。"},
				{2033, "months", "2033年度の計画は合計18か月で、12か月を超えています。"},
				{2034, "months", "2034年度の計画は合計14か月で、12か月を超えています。"},
				{2032, "months", "2032年度までに育児による一時中断が合計18か月になり、上限（12か月）を超えます。"},
				{0, "total", "この計画では、期限（2038年度末）までに義務年限（9年）を満たせません（16か月不足します）。"},
			},
			status: CannotComplete, served: 44, shortage: 20, projYear: 2040, projMonth: 4,
			suspended: map[SuspensionReason]int{SuspendStudy: 12, SuspendChildcare: 18, SuspendChildbirth: 4},
		},
		{
			name:   "before the obligation starts",
			ledger: Ledger{Program: okayama(), StartYear: 2027},
			asOf:   on(2026, time.April, 1),
			plan:   []PlanYear{work(2026, 12, AreaShortage, ""), work(2027, 12, AreaShortage, "")},
			want:   []Problem{{2026, "fiscal_year", "2026年度は対象期間（2027年度から）より前です。"}},
			status: OnTrack, served: 12, shortage: 12, projYear: 2035, projMonth: 12, possible: true,
		},
		{
			name: "departed",
			ledger: func() Ledger {
				l := twoYearsIn(okayama())
				l.Departure = &Departure{On: on(2029, time.April, 30)}
				return l
			}(),
			plan:   []PlanYear{work(2029, 12, AreaShortage, "")},
			want:   []Problem{{0, "plan", "プログラムを離脱しているため、計画どおりに義務を履行できません。"}},
			status: Left, served: 36, shortage: 12,
		},
		{
			name: "departure dated within the plan",
			ledger: func() Ledger {
				l := twoYearsIn(okayama())
				l.Departure = &Departure{On: on(2030, time.June, 1)}
				return l
			}(),
			plan:   []PlanYear{work(2029, 12, AreaShortage, ""), work(2030, 12, AreaShortage, "")},
			want:   []Problem{{0, "plan", "プログラムを離脱しているため、計画どおりに義務を履行できません。"}},
			status: Left, served: 48, shortage: 24,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := asOf
			if !tt.asOf.IsZero() {
				at = tt.asOf
			}
			got := CheckPlan(tt.ledger, Plan{Years: tt.plan}, at)
			if !reflect.DeepEqual(got.Problems, tt.want) {
				t.Errorf("Problems (-want +got):\n-%+v\n+%+v", tt.want, got.Problems)
			}
			if got.OK != (len(tt.want) == 0) {
				t.Errorf("OK = %v with %d problems", got.OK, len(got.Problems))
			}
			p := got.Projected
			if p.Status != tt.status || p.ServedMonths != tt.served || p.ShortageMonths != tt.shortage ||
				p.ProjectedYear != tt.projYear || p.ProjectedMonth != tt.projMonth || p.Possible != tt.possible {
				t.Errorf("Projected = %s served %d shortage %d projected %d/%d possible %v, want %s %d %d %d/%d %v (reasons %q)",
					p.Status, p.ServedMonths, p.ShortageMonths, p.ProjectedYear, p.ProjectedMonth, p.Possible,
					tt.status, tt.served, tt.shortage, tt.projYear, tt.projMonth, tt.possible, p.Reasons)
			}
			if len(p.SuspendedMonths) > 0 || len(tt.suspended) > 0 {
				if !reflect.DeepEqual(p.SuspendedMonths, tt.suspended) {
					t.Errorf("SuspendedMonths = %v, want %v", p.SuspendedMonths, tt.suspended)
				}
			}
		})
	}
}

func TestShortageRequired(t *testing.T) {
	p := Plan{Years: []PlanYear{
		work(2029, 12, AreaShortage, "内科"),
		work(2030, 6, AreaMiddle, "内科"), pause(2030, 6, SuspendChildcare),
		{FiscalYear: 2031, Kind: PlanService, Months: 12, Class: AreaShortage, Outside: true},
		work(2032, 6, AreaSurplus, ""), work(2032, 6, AreaShortage, ""),
		pause(2033, 12, SuspendChildcare),
	}}
	tests := []struct {
		name string
		fy   int
		want bool
	}{
		{"shortage year", 2029, true},
		{"middle area", 2030, false},
		{"outside the prefecture", 2031, false},
		{"half a year in a shortage area", 2032, true},
		{"suspension", 2033, false},
		{"not planned", 2034, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := p.ShortageRequired(tt.fy); got != tt.want {
				t.Errorf("ShortageRequired(%d) = %v, want %v", tt.fy, got, tt.want)
			}
		})
	}
}
