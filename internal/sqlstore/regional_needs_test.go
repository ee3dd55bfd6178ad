package sqlstore_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/regional"
)

func TestNeeds(t *testing.T) {
	eachPrefecture(t, func(t *testing.T, p *prefecture) {
		north := p.area(t, "33-05", "真庭", nil)
		south := p.area(t, "33-01", "県南東部", nil)
		set := func(year int, specialty string, a *regional.Area, count int) *regional.Need {
			t.Helper()
			n := &regional.Need{PrefectureOrgID: p.pref.ID, FiscalYear: year, Specialty: specialty, AreaID: a.ID, Count: count,
				UpdatedBy: p.officer.ID}
			if err := p.db.SetNeed(p.ctx, n); err != nil {
				t.Fatalf("SetNeed: %v", err)
			}
			return n
		}
		first := set(2026, "内科", north, 3)
		set(2026, "内科", south, 1)
		set(2027, "総合診療", north, 2)
		set(2030, "内科", north, 9)
		// Setting again replaces the count and the time.
		p.db.Now = func() time.Time { return t0.Add(time.Hour) }
		again := set(2026, "内科", north, 5)
		if again.UpdatedAt.Equal(first.UpdatedAt) {
			t.Fatal("the second save kept the first time")
		}

		got, err := p.db.Needs(p.ctx, p.pref.ID, 2026, 2029)
		if err != nil {
			t.Fatal(err)
		}
		want := []regional.Need{
			{PrefectureOrgID: p.pref.ID, FiscalYear: 2026, Specialty: "内科", AreaID: south.ID, AreaCode: "33-01", AreaName: "県南東部",
				Count: 1, UpdatedBy: p.officer.ID, UpdatedByName: p.officer.DisplayName, UpdatedAt: t0.Truncate(time.Microsecond)},
			{PrefectureOrgID: p.pref.ID, FiscalYear: 2026, Specialty: "内科", AreaID: north.ID, AreaCode: "33-05", AreaName: "真庭",
				Count: 5, UpdatedBy: p.officer.ID, UpdatedByName: p.officer.DisplayName, UpdatedAt: t0.Add(time.Hour).Truncate(time.Microsecond)},
			{PrefectureOrgID: p.pref.ID, FiscalYear: 2027, Specialty: "総合診療", AreaID: north.ID, AreaCode: "33-05", AreaName: "真庭",
				Count: 2, UpdatedBy: p.officer.ID, UpdatedByName: p.officer.DisplayName, UpdatedAt: t0.Truncate(time.Microsecond)},
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Needs (-want +got):\n%+v\n%+v", want, got)
		}

		// The schema keeps a need to its own prefecture's areas and to
		// counts of 0 or more.
		other := &identity.Organisation{Kind: identity.OrgPrefecture, Name: "広島県"}
		if err := p.db.CreateOrganisation(p.ctx, other); err != nil {
			t.Fatal(err)
		}
		wantErrCode(t, "area of another prefecture", p.db.SetNeed(p.ctx, &regional.Need{PrefectureOrgID: other.ID,
			FiscalYear: 2026, Specialty: "内科", AreaID: north.ID}), apperr.Invalid)
		wantErrCode(t, "negative count", p.db.SetNeed(p.ctx, &regional.Need{PrefectureOrgID: p.pref.ID,
			FiscalYear: 2026, Specialty: "外科", AreaID: north.ID, Count: -1}), apperr.Invalid)
		if list, _ := p.db.Needs(p.ctx, other.ID, 2000, 2100); len(list) != 0 {
			t.Fatalf("another prefecture's needs: %+v", list)
		}

		if err := p.db.DeleteNeed(p.ctx, p.pref.ID, 2026, "内科", north.ID); err != nil {
			t.Fatal(err)
		}
		wantErrCode(t, "delete twice", p.db.DeleteNeed(p.ctx, p.pref.ID, 2026, "内科", north.ID), apperr.NotFound)
		if list, _ := p.db.Needs(p.ctx, p.pref.ID, 2026, 2026); len(list) != 1 || list[0].AreaID != south.ID {
			t.Fatalf("after delete: %+v", list)
		}
	})
}

func TestPrefecturePlans(t *testing.T) {
	eachPrefecture(t, func(t *testing.T, p *prefecture) {
		pr := p.program(t, "岡山県地域枠キャリア形成プログラム")
		e := p.enroll(t, pr, p.doctor)
		o := p.enroll(t, pr, p.other)
		a := &obligation.Plan{EnrollmentID: e.ID, Name: "A案", Years: []obligation.PlanYear{
			{FiscalYear: 2027, Kind: obligation.PlanService, Months: 12, Class: obligation.AreaShortage, AreaCode: "33-05", Specialty: "内科"},
			{FiscalYear: 2028, Kind: obligation.PlanSuspension, Months: 6, Reason: obligation.SuspendChildcare},
		}}
		b := &obligation.Plan{EnrollmentID: o.ID, Name: "B案"}
		for _, pl := range []*obligation.Plan{a, b} {
			if err := p.db.CreatePlan(p.ctx, pl, p.cc.ID); err != nil {
				t.Fatal(err)
			}
		}
		// A plan in another prefecture's program is not listed.
		other := &identity.Organisation{Kind: identity.OrgPrefecture, Name: "広島県"}
		if err := p.db.CreateOrganisation(p.ctx, other); err != nil {
			t.Fatal(err)
		}
		op := &obligation.Program{PrefectureOrgID: other.ID, Name: "広島県プログラム", TotalYears: 9, DeadlineYears: 12}
		if err := p.db.CreateProgram(p.ctx, op); err != nil {
			t.Fatal(err)
		}
		oe := &regional.Enrollment{ProgramID: op.ID, DoctorID: p.doctor.ID, StartYear: 2024}
		if err := p.db.CreateEnrollment(p.ctx, oe); err != nil {
			t.Fatal(err)
		}
		if err := p.db.CreatePlan(p.ctx, &obligation.Plan{EnrollmentID: oe.ID, Name: "広島案"}, p.doctor.ID); err != nil {
			t.Fatal(err)
		}

		got, err := p.db.PrefecturePlans(p.ctx, p.pref.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID || !reflect.DeepEqual(got[0].Years, a.Years) || len(got[1].Years) != 0 {
			t.Fatalf("PrefecturePlans = %+v", got)
		}
	})
}
