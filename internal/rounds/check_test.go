package rounds

import (
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/obligation"
)

func TestRequire(t *testing.T) {
	program := func(deadline int) obligation.Program {
		return obligation.Program{Name: "地域枠", TotalYears: 9, MinShortageYears: 4, DeadlineYears: deadline,
			Specialties: []string{"内科", "総合診療"}}
	}
	// Seven years in a surplus area, 2020 to 2026: 48 shortage-area months are still owed.
	surplus := func(deadline int) obligation.Ledger {
		l := obligation.Ledger{Program: program(deadline), StartYear: 2020}
		for y := 2020; y <= 2026; y++ {
			l.Placements = append(l.Placements, obligation.Placement{FiscalYear: y, Months: 12, Institution: "岡山市民病院",
				AreaCode: "33-01", Class: obligation.AreaSurplus, Specialty: "内科"})
		}
		return l
	}
	shortagePlan := &obligation.Plan{Name: "A案", Years: []obligation.PlanYear{
		{FiscalYear: 2027, Kind: obligation.PlanService, Months: 12, Class: obligation.AreaShortage, Specialty: "総合診療"}}}
	researchPlan := &obligation.Plan{Name: "B案", Years: []obligation.PlanYear{
		{FiscalYear: 2027, Kind: obligation.PlanResearch, Months: 12, Reason: obligation.SuspendStudy}}}
	tests := []struct {
		name          string
		ledger        obligation.Ledger
		plan          *obligation.Plan
		specialty     string
		wantShortage  bool
		wantWhy       string
		wantSpecialty string
	}{
		{"no plan, time to spare", obligation.Ledger{Program: program(12), StartYear: 2025}, nil, "", false, "", ""},
		{"the plan puts the year in a shortage area", obligation.Ledger{Program: program(12), StartYear: 2025}, shortagePlan, "",
			true, "複数年計画「A案」で2027年度", "総合診療"},
		{"the specialty given wins over the plan's", obligation.Ledger{Program: program(12), StartYear: 2025}, shortagePlan, "内科",
			true, "A案", "内科"},
		{"a research year asks nothing", obligation.Ledger{Program: program(12), StartYear: 2025}, researchPlan, "", false, "", ""},
		{"the ledger has exactly the months left", surplus(11), nil, "", true, "あと48か月", ""},
		{"the ledger cannot make it at all", surplus(10), researchPlan, "", true, "あと48か月", ""},
		{"the ledger has a year to spare", surplus(12), nil, "", false, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Require(tt.ledger, tt.plan, 2027, tt.specialty)
			if got.Shortage != tt.wantShortage || !strings.Contains(got.Why, tt.wantWhy) || got.Specialty != tt.wantSpecialty {
				t.Fatalf("Require = %+v, want shortage %v (%q), specialty %q", got, tt.wantShortage, tt.wantWhy, tt.wantSpecialty)
			}
		})
	}
}

func TestCheckList(t *testing.T) {
	r := &Round{FiscalYear: 2027, Institutions: []Institution{
		{OrgID: 1, Name: "岡山市民病院", AreaName: "県南東部", Class: obligation.AreaSurplus, Specialties: []string{"内科"}},
		{OrgID: 2, Name: "真庭中央病院", AreaName: "真庭", Class: obligation.AreaShortage},
		{OrgID: 3, Name: "皮膚科クリニック", AreaName: "県南東部", Class: obligation.AreaSurplus, Specialties: []string{"皮膚科"}},
	}}
	restricted := obligation.Program{Name: "地域枠", Specialties: []string{"内科", "総合診療"}}
	tests := []struct {
		name   string
		req    Requirement
		list   []int64
		fields map[string]string // field → a part of its message
	}{
		{"fine", Requirement{Program: restricted, Specialty: "内科"}, []int64{1, 2}, nil},
		{"empty", Requirement{Program: restricted}, nil, map[string]string{"institutions": "1つ以上"}},
		{"unknown and twice", Requirement{Program: restricted}, []int64{2, 9, 2},
			map[string]string{"institutions.2": "参加していない", "institutions.3": "重複"}},
		{"shortage required", Requirement{Program: restricted, Shortage: true, Why: "計画でそうしている"}, []int64{2, 1},
			map[string]string{"institutions.2": "県南東部）は2027年度の医師少数区域ではありません。計画でそうしているため"}},
		{"a specialty the program excludes", Requirement{Program: restricted, Specialty: "外科"}, []int64{2},
			map[string]string{"specialty": "対象診療科（内科・総合診療）"}},
		{"not a 基本領域", Requirement{Program: obligation.Program{}, Specialty: "歯科"}, []int64{2},
			map[string]string{"specialty": "基本領域"}},
		{"an institution that does not take the specialty", Requirement{Program: restricted, Specialty: "総合診療"}, []int64{1, 2},
			map[string]string{"institutions.1": "総合診療の医師を受け入れていません"}},
		{"no specialty yet: the institution must take one the program allows", Requirement{Program: restricted}, []int64{3, 1},
			map[string]string{"institutions.1": "プログラムの対象診療科"}},
		{"no restriction, no specialty yet", Requirement{Program: obligation.Program{}}, []int64{3}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckList(r, tt.req, tt.list)
			if len(got) != len(tt.fields) {
				t.Fatalf("CheckList = %v, want fields %v", got, tt.fields)
			}
			for k, want := range tt.fields {
				if !strings.Contains(got[k], want) {
					t.Errorf("%s = %q, want it to contain %q", k, got[k], want)
				}
			}
		})
	}
}
