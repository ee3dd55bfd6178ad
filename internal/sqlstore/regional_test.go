package sqlstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/sqlstore"
)

// prefecture is a migrated database with a prefecture, a university CC
// office, a hospital, an officer, a coordinator and two doctors.
type prefecture struct {
	db               *sqlstore.DB
	ctx              context.Context
	pref, univ, hosp *identity.Organisation
	officer, cc      *identity.User
	doctor, other    *identity.User
}

func eachPrefecture(t *testing.T, fn func(t *testing.T, p *prefecture)) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		db.Now = func() time.Time { return t0 }
		p := &prefecture{db: db, ctx: ctx}
		org := func(kind identity.OrgKind, name, pref string) *identity.Organisation {
			o := &identity.Organisation{Kind: kind, Name: name, Prefecture: pref}
			if err := db.CreateOrganisation(ctx, o); err != nil {
				t.Fatal(err)
			}
			return o
		}
		p.pref = org(identity.OrgPrefecture, "岡山県", "")
		p.univ = org(identity.OrgUniversity, "岡山大学 地域医療人材育成講座", "岡山県")
		p.hosp = org(identity.OrgInstitution, "新見中央病院", "岡山県")
		p.officer = mustUser(t, db, "officer@pref.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: p.pref.ID})
		p.cc = mustUser(t, db, "cc@univ.example.jp", identity.Grant{Role: identity.RoleCoordinator, OrgID: p.univ.ID})
		p.doctor = mustUser(t, db, "doctor@example.jp", identity.Grant{Role: identity.RoleDoctor})
		p.other = mustUser(t, db, "other@example.jp", identity.Grant{Role: identity.RoleDoctor})
		fn(t, p)
	})
}

func (p *prefecture) program(t *testing.T, name string) *obligation.Program {
	t.Helper()
	pr := &obligation.Program{PrefectureOrgID: p.pref.ID, Name: name, TotalYears: 9, MinShortageYears: 4,
		Specialties: []string{"内科", "総合診療"}, OutsideCounts: true, OutsideCapMonths: 12,
		SuspensionCaps: map[obligation.SuspensionReason]int{obligation.SuspendChildcare: 24, obligation.SuspendStudy: 12},
		DeadlineYears:  12, StartBasis: "卒業の翌年度"}
	if err := p.db.CreateProgram(p.ctx, pr); err != nil {
		t.Fatalf("CreateProgram: %v", err)
	}
	return pr
}

func (p *prefecture) area(t *testing.T, code, name string, classes map[int]obligation.AreaClass) *regional.Area {
	t.Helper()
	a := &regional.Area{PrefectureOrgID: p.pref.ID, Area: obligation.Area{Code: code, Name: name}}
	if err := p.db.SaveArea(p.ctx, a); err != nil {
		t.Fatalf("SaveArea: %v", err)
	}
	for y, c := range classes {
		if err := p.db.SetAreaClass(p.ctx, a.ID, y, c); err != nil {
			t.Fatalf("SetAreaClass: %v", err)
		}
	}
	return a
}

func (p *prefecture) enroll(t *testing.T, pr *obligation.Program, doctor *identity.User) *regional.Enrollment {
	t.Helper()
	e := &regional.Enrollment{ProgramID: pr.ID, DoctorID: doctor.ID, CoordinatorOrgID: p.univ.ID, StartYear: 2024, CreatedBy: p.officer.ID}
	if err := p.db.CreateEnrollment(p.ctx, e); err != nil {
		t.Fatalf("CreateEnrollment: %v", err)
	}
	return e
}

func wantErrCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Errorf("%s: err = %v, want %s", what, err, code)
	}
}

func TestProgramRoundTrip(t *testing.T) {
	eachPrefecture(t, func(t *testing.T, p *prefecture) {
		pr := p.program(t, "岡山県地域枠キャリア形成プログラム")
		got, err := p.db.Program(p.ctx, pr.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := *pr
		want.Prefecture = "岡山県"
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("Program (-want +got):\n%+v\n%+v", want, *got)
		}

		got.Specialties, got.SuspensionCaps, got.OutsideCounts, got.OutsideCapMonths = nil, nil, false, 0
		if err := p.db.UpdateProgram(p.ctx, got); err != nil || got.Version != 2 {
			t.Fatalf("UpdateProgram: %v, version %d", err, got.Version)
		}
		again, _ := p.db.Program(p.ctx, pr.ID)
		if len(again.Specialties) != 0 || len(again.SuspensionCaps) != 0 || again.Version != 2 {
			t.Fatalf("after update: %+v", again)
		}
		wantErrCode(t, "stale update", p.db.UpdateProgram(p.ctx, pr), apperr.Conflict)
		wantErrCode(t, "duplicate name", p.db.CreateProgram(p.ctx, &obligation.Program{PrefectureOrgID: p.pref.ID,
			Name: pr.Name, TotalYears: 9, DeadlineYears: 12}), apperr.Conflict)
		wantErrCode(t, "shortage above total", p.db.CreateProgram(p.ctx, &obligation.Program{PrefectureOrgID: p.pref.ID,
			Name: "x", TotalYears: 3, MinShortageYears: 4, DeadlineYears: 12}), apperr.Invalid)
		wantErrCode(t, "deadline before total", p.db.CreateProgram(p.ctx, &obligation.Program{PrefectureOrgID: p.pref.ID,
			Name: "y", TotalYears: 9, DeadlineYears: 8}), apperr.Invalid)
		wantErrCode(t, "outside cap without outside", p.db.CreateProgram(p.ctx, &obligation.Program{PrefectureOrgID: p.pref.ID,
			Name: "z", TotalYears: 9, DeadlineYears: 12, OutsideCapMonths: 6}), apperr.Invalid)

		list, err := p.db.Programs(p.ctx, p.pref.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("Programs = %d, %v", len(list), err)
		}
		if all, _ := p.db.Programs(p.ctx, 0); len(all) != 1 {
			t.Fatalf("all programs: %d", len(all))
		}
		if none, _ := p.db.Programs(p.ctx, p.univ.ID); len(none) != 0 {
			t.Fatalf("another organisation's programs: %d", len(none))
		}
	})
}

func TestAreasAndClasses(t *testing.T) {
	eachPrefecture(t, func(t *testing.T, p *prefecture) {
		north := p.area(t, "33-05", "真庭", map[int]obligation.AreaClass{2024: obligation.AreaShortage})
		p.area(t, "33-01", "県南東部", nil)
		wantErrCode(t, "duplicate code", p.db.SaveArea(p.ctx, &regional.Area{PrefectureOrgID: p.pref.ID, Area: obligation.Area{Code: "33-05", Name: "x"}}), apperr.Conflict)
		// Set twice: the second class wins.
		if err := p.db.SetAreaClass(p.ctx, north.ID, 2025, obligation.AreaMiddle); err != nil {
			t.Fatal(err)
		}
		if err := p.db.SetAreaClass(p.ctx, north.ID, 2025, obligation.AreaSurplus); err != nil {
			t.Fatal(err)
		}
		wantErrCode(t, "unknown class", p.db.SetAreaClass(p.ctx, north.ID, 2026, "rural"), apperr.Invalid)
		areas, err := p.db.Areas(p.ctx, p.pref.ID)
		if err != nil || len(areas) != 2 || areas[0].Code != "33-01" || len(areas[0].Classes) != 0 {
			t.Fatalf("Areas = %+v, %v", areas, err)
		}
		want := map[int]obligation.AreaClass{2024: obligation.AreaShortage, 2025: obligation.AreaSurplus}
		if !reflect.DeepEqual(areas[1].Classes, want) {
			t.Fatalf("classes = %v, want %v", areas[1].Classes, want)
		}
		north.Name = "真庭圏域"
		if err := p.db.SaveArea(p.ctx, north); err != nil {
			t.Fatal(err)
		}
		got, err := p.db.Area(p.ctx, north.ID)
		if err != nil || got.Name != "真庭圏域" || len(got.Classes) != 2 {
			t.Fatalf("Area = %+v, %v", got, err)
		}
		_, err = p.db.Area(p.ctx, 9999)
		wantErrCode(t, "missing area", err, apperr.NotFound)
	})
}

func TestEnrollmentLedger(t *testing.T) {
	eachPrefecture(t, func(t *testing.T, p *prefecture) {
		pr := p.program(t, "地域枠A")
		north := p.area(t, "33-05", "真庭", map[int]obligation.AreaClass{2024: obligation.AreaShortage, 2025: obligation.AreaMiddle})
		e := p.enroll(t, pr, p.doctor)
		other := p.enroll(t, pr, p.other)
		wantErrCode(t, "enrolled twice", p.db.CreateEnrollment(p.ctx, &regional.Enrollment{ProgramID: pr.ID, DoctorID: p.doctor.ID, StartYear: 2024}), apperr.Conflict)

		got, err := p.db.Enrollment(p.ctx, e.ID)
		if err != nil || got.ProgramName != "地域枠A" || got.PrefectureOrgID != p.pref.ID || got.CoordinatorOrg != p.univ.Name ||
			got.DoctorName == "" || got.Version != 1 || got.Departure != nil || got.CreatedBy != p.officer.ID {
			t.Fatalf("Enrollment = %+v, %v", got, err)
		}

		add := func(e *regional.Enrollment, ch regional.LedgerChange) error {
			t.Helper()
			return p.db.SaveLedger(p.ctx, e, ch)
		}
		first := &regional.PlacementEntry{AreaID: north.ID, RecordedBy: p.cc.ID, Placement: obligation.Placement{FiscalYear: 2024, Months: 12,
			InstitutionID: p.hosp.ID, Institution: p.hosp.Name, Specialty: "内科", TrainingStage: "junior_resident", Note: "初期研修1年目"}}
		if err := add(e, regional.LedgerChange{AddPlacement: first}); err != nil || e.Version != 2 || first.ID == 0 {
			t.Fatalf("add placement: %v, version %d, id %d", err, e.Version, first.ID)
		}
		outside := &regional.PlacementEntry{RecordedBy: p.cc.ID, Placement: obligation.Placement{FiscalYear: 2025, Months: 6,
			Institution: "東京の大学病院", Outside: true, Specialty: "内科", TrainingStage: "specialty_resident"}}
		childcare := &regional.SuspensionEntry{RecordedBy: p.cc.ID, Suspension: obligation.Suspension{FiscalYear: 2025, Months: 6,
			Reason: obligation.SuspendChildcare, Note: "育児休業"}}
		if err := add(e, regional.LedgerChange{AddPlacement: outside, AddSuspension: childcare}); err != nil || e.Version != 3 {
			t.Fatalf("add two: %v, version %d", err, e.Version)
		}
		// A stale version changes nothing.
		stale := *e
		stale.Version = 2
		wantErrCode(t, "stale ledger save", add(&stale, regional.LedgerChange{AddSuspension: &regional.SuspensionEntry{
			Suspension: obligation.Suspension{FiscalYear: 2026, Months: 1, Reason: obligation.SuspendStudy}}}), apperr.Conflict)
		// Removing another enrolment's entry fails and rolls back.
		wantErrCode(t, "remove another's entry", add(other, regional.LedgerChange{RemovePlacement: first.ID}), apperr.NotFound)
		if o, _ := p.db.Enrollment(p.ctx, other.ID); o.Version != 1 {
			t.Fatalf("failed save bumped the version to %d", o.Version)
		}
		// The schema keeps the ledger sound.
		v := *e
		wantErrCode(t, "13 months", add(&v, regional.LedgerChange{AddSuspension: &regional.SuspensionEntry{
			Suspension: obligation.Suspension{FiscalYear: 2026, Months: 13, Reason: obligation.SuspendStudy}}}), apperr.Invalid)
		wantErrCode(t, "outside with an area", add(&v, regional.LedgerChange{AddPlacement: &regional.PlacementEntry{AreaID: north.ID,
			Placement: obligation.Placement{FiscalYear: 2026, Months: 1, Institution: "x", Outside: true}}}), apperr.Invalid)
		wantErrCode(t, "inside without an area", add(&v, regional.LedgerChange{AddPlacement: &regional.PlacementEntry{
			Placement: obligation.Placement{FiscalYear: 2026, Months: 1, Institution: "x"}}}), apperr.Invalid)
		wantErrCode(t, "unknown reason", add(&v, regional.LedgerChange{AddSuspension: &regional.SuspensionEntry{
			Suspension: obligation.Suspension{FiscalYear: 2026, Months: 1, Reason: "vacation"}}}), apperr.Invalid)

		entries, err := p.db.Entries(p.ctx, []int64{e.ID, other.ID})
		if err != nil {
			t.Fatal(err)
		}
		if entries[other.ID] != nil {
			t.Fatalf("entries of an empty ledger: %+v", entries[other.ID])
		}
		en := entries[e.ID]
		if len(en.Placements) != 2 || len(en.Suspensions) != 1 {
			t.Fatalf("entries = %+v", en)
		}
		pl := en.Placements[0]
		if pl.AreaCode != "33-05" || pl.Area != "真庭" || pl.Class != obligation.AreaShortage || pl.InstitutionID != p.hosp.ID ||
			pl.RecordedByName == "" || !pl.RecordedAt.Equal(t0) || pl.Note != "初期研修1年目" || pl.TrainingStage != "junior_resident" {
			t.Fatalf("placement = %+v", pl)
		}
		if o := en.Placements[1]; !o.Outside || o.AreaID != 0 || o.Class != "" || o.Months != 6 {
			t.Fatalf("outside placement = %+v", o)
		}
		if s := en.Suspensions[0]; s.Reason != obligation.SuspendChildcare || s.Months != 6 || s.Note != "育児休業" || s.ID != childcare.ID {
			t.Fatalf("suspension = %+v", s)
		}
		// The class follows the prefecture's table for the year.
		if err := p.db.SetAreaClass(p.ctx, north.ID, 2024, obligation.AreaMiddle); err != nil {
			t.Fatal(err)
		}
		entries, _ = p.db.Entries(p.ctx, []int64{e.ID})
		if c := entries[e.ID].Placements[0].Class; c != obligation.AreaMiddle {
			t.Fatalf("class after reclassification = %s", c)
		}

		// Remove, then depart.
		if err := add(e, regional.LedgerChange{RemoveSuspension: childcare.ID}); err != nil {
			t.Fatal(err)
		}
		e.Departure = &obligation.Departure{On: time.Date(2026, 3, 31, 0, 0, 0, 0, time.UTC), Reason: "県外の病院に就職", Consented: true}
		e.DepartureBy = p.officer.ID
		if err := add(e, regional.LedgerChange{}); err != nil {
			t.Fatal(err)
		}
		got, _ = p.db.Enrollment(p.ctx, e.ID)
		if got.Departure == nil || !reflect.DeepEqual(*got.Departure, *e.Departure) || got.DepartureBy != p.officer.ID || got.Version != 5 {
			t.Fatalf("departed: %+v %+v", got, got.Departure)
		}
		entries, _ = p.db.Entries(p.ctx, []int64{e.ID})
		if len(entries[e.ID].Suspensions) != 0 {
			t.Fatalf("removed suspension still there")
		}

		for _, tt := range []struct {
			name string
			f    regional.EnrollmentFilter
			want int
		}{
			{"prefecture", regional.EnrollmentFilter{PrefectureOrgID: p.pref.ID}, 2},
			{"program", regional.EnrollmentFilter{ProgramID: pr.ID}, 2},
			{"CC office", regional.EnrollmentFilter{CoordinatorOrgID: p.univ.ID}, 2},
			{"doctor", regional.EnrollmentFilter{DoctorID: p.doctor.ID}, 1},
			{"another prefecture", regional.EnrollmentFilter{PrefectureOrgID: p.univ.ID}, 0},
		} {
			list, err := p.db.Enrollments(p.ctx, tt.f)
			if err != nil || len(list) != tt.want {
				t.Errorf("%s: %d enrolments, %v; want %d", tt.name, len(list), err, tt.want)
			}
		}
	})
}

func TestPlanStore(t *testing.T) {
	eachPrefecture(t, func(t *testing.T, p *prefecture) {
		pr := p.program(t, "地域枠A")
		e := p.enroll(t, pr, p.doctor)
		plan := &obligation.Plan{EnrollmentID: e.ID, Name: "A案", Years: []obligation.PlanYear{
			{FiscalYear: 2026, Kind: obligation.PlanService, Months: 12, Class: obligation.AreaShortage, AreaCode: "33-05", Specialty: "内科", Program: "岡山大学内科専門研修プログラム"},
			{FiscalYear: 2027, Kind: obligation.PlanService, Months: 6, Outside: true, Specialty: "内科"},
			{FiscalYear: 2027, Kind: obligation.PlanSuspension, Months: 6, Reason: obligation.SuspendChildcare, Note: "第二子"},
		}}
		if err := p.db.CreatePlan(p.ctx, plan, p.doctor.ID); err != nil || plan.ID == 0 || plan.Version != 1 {
			t.Fatalf("CreatePlan: %v %+v", err, plan)
		}
		got, err := p.db.Plan(p.ctx, plan.ID)
		if err != nil || !reflect.DeepEqual(got, plan) {
			t.Fatalf("Plan (-want +got):\n%+v\n%+v (%v)", plan, got, err)
		}
		wantErrCode(t, "duplicate name", p.db.CreatePlan(p.ctx, &obligation.Plan{EnrollmentID: e.ID, Name: "A案"}, p.doctor.ID), apperr.Conflict)
		b := &obligation.Plan{EnrollmentID: e.ID, Name: "B案", Years: plan.Years[:1]}
		if err := p.db.CreatePlan(p.ctx, b, p.cc.ID); err != nil {
			t.Fatal(err)
		}

		got.Years = got.Years[1:]
		if err := p.db.UpdatePlan(p.ctx, got); err != nil || got.Version != 2 {
			t.Fatalf("UpdatePlan: %v, version %d", err, got.Version)
		}
		wantErrCode(t, "stale plan update", p.db.UpdatePlan(p.ctx, plan), apperr.Conflict)
		plans, err := p.db.Plans(p.ctx, e.ID)
		if err != nil || len(plans) != 2 || plans[0].Name != "A案" || len(plans[0].Years) != 2 || len(plans[1].Years) != 1 {
			t.Fatalf("Plans = %+v, %v", plans, err)
		}
		wantErrCode(t, "stale delete", p.db.DeletePlan(p.ctx, plan.ID, 1), apperr.Conflict)
		if err := p.db.DeletePlan(p.ctx, plan.ID, 2); err != nil {
			t.Fatal(err)
		}
		_, err = p.db.Plan(p.ctx, plan.ID)
		wantErrCode(t, "deleted plan", err, apperr.NotFound)
		wantErrCode(t, "delete again", p.db.DeletePlan(p.ctx, plan.ID, 2), apperr.NotFound)
		wantErrCode(t, "suspension without reason", p.db.CreatePlan(p.ctx, &obligation.Plan{EnrollmentID: e.ID, Name: "C案",
			Years: []obligation.PlanYear{{FiscalYear: 2026, Kind: obligation.PlanSuspension, Months: 12}}}, p.doctor.ID), apperr.Invalid)
		if plans, _ := p.db.Plans(p.ctx, e.ID); len(plans) != 1 {
			t.Fatalf("a failed create left a plan: %d", len(plans))
		}
	})
}
