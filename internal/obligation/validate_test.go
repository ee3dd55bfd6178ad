package obligation

import (
	"maps"
	"reflect"
	"slices"
	"testing"
)

// fieldsOf returns the sorted keys of a Validate result.
func fieldsOf(m map[string]string) []string { return slices.Sorted(maps.Keys(m)) }

func TestProgramValidate(t *testing.T) {
	tests := []struct {
		name   string
		edit   func(*Program)
		fields []string
	}{
		{"typical program", func(*Program) {}, nil},
		{"no name", func(p *Program) { p.Name = " \u3000" }, []string{"name"}},
		{"unknown prefecture", func(p *Program) { p.Prefecture = "岡山" }, []string{"prefecture"}},
		{"no obligation", func(p *Program) { p.TotalYears, p.MinShortageYears = 0, 0 }, []string{"total_years"}},
		{"obligation too long", func(p *Program) { p.TotalYears, p.DeadlineYears = 16, 20 }, []string{"total_years"}},
		{"shortage over the obligation", func(p *Program) { p.MinShortageYears = 10 }, []string{"min_shortage_years"}},
		{"negative shortage", func(p *Program) { p.MinShortageYears = -1 }, []string{"min_shortage_years"}},
		{"deadline before the obligation", func(p *Program) { p.DeadlineYears = 8 }, []string{"deadline_years"}},
		{"deadline too far", func(p *Program) { p.DeadlineYears = 31 }, []string{"deadline_years"}},
		{"outside counts without a cap", func(p *Program) { p.OutsideCapMonths = 0 }, []string{"outside_cap_months"}},
		{"outside cap over the obligation", func(p *Program) { p.OutsideCapMonths = 109 }, []string{"outside_cap_months"}},
		{"negative suspension cap", func(p *Program) { p.SuspensionCaps[SuspendIllness] = -1 }, []string{"suspension_caps"}},
		{"unknown suspension reason", func(p *Program) { p.SuspensionCaps["sabbatical"] = 12 }, []string{"suspension_caps"}},
		{"unknown specialty", func(p *Program) { p.Specialties = []string{"内科", "美容外科"} }, []string{"specialties"}},
		{"everything wrong", func(p *Program) {
			*p = Program{TotalYears: 3, MinShortageYears: 4, DeadlineYears: 2, OutsideCounts: true}
		}, []string{"deadline_years", "min_shortage_years", "name", "outside_cap_months", "prefecture"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := okayama()
			tt.edit(&p)
			if got := fieldsOf(p.Validate()); !reflect.DeepEqual(got, tt.fields) {
				t.Errorf("Validate() fields = %q, want %q", got, tt.fields)
			}
		})
	}
}

func TestProgramValidateNormalises(t *testing.T) {
	p := okayama()
	p.Name = "  岡山県ｷｬﾘｱ形成プログラム "
	p.Specialties = []string{"総合診療", " 内科", "総合診療", ""}
	p.OutsideCounts, p.OutsideCapMonths = false, 24
	if fields := p.Validate(); len(fields) > 0 {
		t.Fatalf("Validate() = %v", fields)
	}
	if want := "岡山県キャリア形成プログラム"; p.Name != want {
		t.Errorf("Name = %q, want %q", p.Name, want)
	}
	if want := []string{"内科", "総合診療"}; !reflect.DeepEqual(p.Specialties, want) {
		t.Errorf("Specialties = %q, want %q (board order, once each)", p.Specialties, want)
	}
	if p.OutsideCapMonths != 0 {
		t.Errorf("OutsideCapMonths = %d, want 0 when outside service does not count", p.OutsideCapMonths)
	}
}

func TestPlacementValidate(t *testing.T) {
	restricted := with(func(p *Program) { p.Specialties = []string{"内科", "総合診療"} })
	tests := []struct {
		name    string
		program Program
		p       Placement
		fields  []string
		message string // of the first field, if given
	}{
		{"junior resident without a specialty", restricted,
			Placement{FiscalYear: 2027, Months: 12, Class: AreaShortage, Institution: "県立病院", TrainingStage: "junior_resident"}, nil, ""},
		{"allowed specialty", restricted, serveIn(2028, 12, AreaShortage, "内科"), nil, ""},
		{"specialty not allowed", restricted, serveIn(2028, 12, AreaShortage, "整形外科"), []string{"specialty"},
			"整形外科はこのプログラムの対象診療科（内科・総合診療）ではありません。"},
		{"any specialty when unrestricted", okayama(), serveIn(2028, 12, AreaShortage, "整形外科"), nil, ""},
		{"not a 基本領域", okayama(), serveIn(2028, 12, AreaShortage, "美容外科"), []string{"specialty"}, ""},
		{"specialty resident needs a specialty", okayama(), serveIn(2028, 12, AreaShortage, ""), []string{"specialty"}, ""},
		{"unknown stage", okayama(), Placement{FiscalYear: 2028, Months: 12, Class: AreaMiddle, InstitutionID: 3, TrainingStage: "student"},
			[]string{"training_stage"}, ""},
		{"no months", okayama(), serve(2028, 0, AreaMiddle), []string{"months"}, "月数は1〜12か月で入力してください。"},
		{"13 months", okayama(), serve(2028, 13, AreaMiddle), []string{"months"}, ""},
		{"year out of range", okayama(), serve(1999, 12, AreaMiddle), []string{"fiscal_year"}, ""},
		{"inside needs a class", okayama(), serve(2028, 12, ""), []string{"class"}, ""},
		{"outside may leave the class", okayama(), outside(2028, 12), nil, ""},
		{"outside with a bad class", okayama(), func() Placement { p := outside(2028, 12); p.Class = "rural"; return p }(), []string{"class"}, ""},
		{"no institution", okayama(), Placement{FiscalYear: 2028, Months: 12, Class: AreaMiddle}, []string{"institution"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.p.Validate(tt.program)
			if !reflect.DeepEqual(fieldsOf(got), tt.fields) {
				t.Errorf("Validate() = %v, want fields %q", got, tt.fields)
			}
			if tt.message != "" && got[tt.fields[0]] != tt.message {
				t.Errorf("Validate()[%q] = %q, want %q", tt.fields[0], got[tt.fields[0]], tt.message)
			}
		})
	}
}

func TestSuspensionValidate(t *testing.T) {
	withOther := with(func(p *Program) { p.SuspensionCaps[SuspendOther] = 6 })
	tests := []struct {
		name    string
		program Program
		s       Suspension
		fields  []string
	}{
		{"childcare", okayama(), suspend(2028, 12, SuspendChildcare), nil},
		{"reason not allowed", okayama(), suspend(2028, 6, SuspendOther), []string{"reason"}},
		{"unknown reason", okayama(), suspend(2028, 6, "vacation"), []string{"reason"}},
		{"other needs a note", withOther, suspend(2028, 6, SuspendOther), []string{"note"}},
		{"other with a note", withOther, Suspension{FiscalYear: 2028, Months: 6, Reason: SuspendOther, Note: "介護"}, nil},
		{"months out of range", okayama(), suspend(2028, 13, SuspendIllness), []string{"months"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Validate(tt.program); !reflect.DeepEqual(fieldsOf(got), tt.fields) {
				t.Errorf("Validate() = %v, want fields %q", got, tt.fields)
			}
		})
	}
}

func TestPlanYearValidate(t *testing.T) {
	noStudy := with(func(p *Program) {
		delete(p.SuspensionCaps, SuspendStudy)
		p.Specialties = []string{"内科"}
	})
	tests := []struct {
		name    string
		program Program
		y       PlanYear
		fields  []string
		want    *PlanYear // the normalised year, if given
	}{
		{"service", okayama(), work(2030, 12, AreaShortage, "内科"), nil, nil},
		{"service without a specialty yet", noStudy, work(2030, 12, AreaShortage, ""), nil, nil},
		{"service in a specialty not allowed", noStudy, work(2030, 12, AreaShortage, "外科"), []string{"specialty"}, nil},
		{"service needs a class", okayama(), work(2030, 12, "", ""), []string{"class"}, nil},
		{"service outside", okayama(), PlanYear{FiscalYear: 2030, Kind: PlanService, Months: 12, Outside: true}, nil, nil},
		{"suspension clears service fields", okayama(),
			PlanYear{FiscalYear: 2030, Kind: PlanSuspension, Months: 6, Reason: SuspendChildbirth, Class: AreaShortage, Specialty: "内科", Outside: true},
			nil, &PlanYear{FiscalYear: 2030, Kind: PlanSuspension, Months: 6, Reason: SuspendChildbirth}},
		{"suspension needs a reason", okayama(), pause(2030, 6, ""), []string{"reason"}, nil},
		{"research is a suspension for study", okayama(), PlanYear{FiscalYear: 2030, Kind: PlanResearch, Months: 12, Reason: SuspendIllness},
			nil, &PlanYear{FiscalYear: 2030, Kind: PlanResearch, Months: 12, Reason: SuspendStudy}},
		{"research not allowed", noStudy, research(2030, 12), []string{"reason"}, nil},
		{"unknown kind", okayama(), PlanYear{FiscalYear: 2030, Kind: "vacation", Months: 12}, []string{"kind"}, nil},
		{"months and year", okayama(), work(3000, 0, AreaMiddle, ""), []string{"fiscal_year", "months"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y := tt.y
			if got := y.Validate(tt.program); !reflect.DeepEqual(fieldsOf(got), tt.fields) {
				t.Errorf("Validate() = %v, want fields %q", got, tt.fields)
			}
			if tt.want != nil && !reflect.DeepEqual(y, *tt.want) {
				t.Errorf("normalised to %+v, want %+v", y, *tt.want)
			}
		})
	}
}

// labelled is an enum value with a Japanese label.
type labelled interface {
	Label() string
	Valid() bool
}

func TestLabels(t *testing.T) {
	tests := []struct {
		value labelled
		want  string
	}{
		{AreaShortage, "医師少数区域"},
		{AreaMiddle, "中程度"},
		{AreaSurplus, "医師多数区域"},
		{SuspendChildbirth, "出産"},
		{SuspendChildcare, "育児"},
		{SuspendIllness, "病気療養"},
		{SuspendStudy, "留学・大学院"},
		{SuspendOther, "その他"},
		{OnTrack, "順調"},
		{AtRisk, "要注意"},
		{CannotComplete, "期限内の完了が困難"},
		{Completed, "義務履行完了"},
		{Left, "離脱"},
		{PlanService, "勤務"},
		{PlanSuspension, "一時中断"},
		{PlanResearch, "研究・大学院"},
	}
	for _, tt := range tests {
		if got := tt.value.Label(); got != tt.want {
			t.Errorf("%v.Label() = %q, want %q", tt.value, got, tt.want)
		}
		if !tt.value.Valid() {
			t.Errorf("%v.Valid() = false", tt.value)
		}
	}
	for _, v := range []labelled{AreaClass("rural"), SuspensionReason(""), Status("paused"), PlanKind("holiday")} {
		if v.Valid() {
			t.Errorf("%v.Valid() = true", v)
		}
		if got := v.Label(); got != reflect.ValueOf(v).String() {
			t.Errorf("unknown %v.Label() = %q, want the raw value", v, got)
		}
	}
}
