package regional_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/sqlstore"
)

// serve records a placement in the enrolment's ledger as the officer.
func (w *world) serve(t *testing.T, e *regional.Enrollment, p obligation.Placement) {
	t.Helper()
	cur := must(w.db.Enrollment(w.ctx, e.ID))(t)
	must(w.svc.AddPlacement(w.ctx, w.officer, e.ID, cur.Version, p))(t)
}

// suspend records a suspension in the enrolment's ledger as the officer.
func (w *world) suspend(t *testing.T, e *regional.Enrollment, year int, r obligation.SuspensionReason) {
	t.Helper()
	cur := must(w.db.Enrollment(w.ctx, e.ID))(t)
	must(w.svc.AddSuspension(w.ctx, w.officer, e.ID, cur.Version, obligation.Suspension{FiscalYear: year, Months: 12, Reason: r}))(t)
}

// plan saves a plan of service rows as the doctor's coordinator, a minute
// after the last one, so that the order of saving is the order of update.
func (w *world) plan(t *testing.T, e *regional.Enrollment, name string, years ...obligation.PlanYear) *obligation.Plan {
	t.Helper()
	w.now = w.now.Add(time.Minute)
	p := &obligation.Plan{EnrollmentID: e.ID, Name: name, Years: years}
	must(w.svc.CreatePlan(w.ctx, w.cc, p))(t)
	return p
}

func work(year int, area, specialty string) obligation.PlanYear {
	return obligation.PlanYear{FiscalYear: year, Kind: obligation.PlanService, Months: 12, Class: obligation.AreaShortage,
		AreaCode: area, Specialty: specialty}
}

// cell is what a dashboard cell should hold; the FTE are left out where
// they equal the headcount.
type cell struct {
	year               int
	specialty, area    string
	placed, planned    int
	placedFTE, planFTE float64
	need               int
	hasNeed            bool
}

// cellOf finds a cell of d by year, specialty and area code.
func cellOf(t *testing.T, d *regional.Dashboard, year int, specialty, area string) regional.Cell {
	t.Helper()
	i := slices.Index(d.Specialties, specialty)
	j := slices.IndexFunc(d.Areas, func(a regional.Area) bool { return a.Code == area })
	k := year - d.FiscalYear
	if i < 0 || j < 0 || k < 0 || k >= len(d.Years) {
		t.Fatalf("no cell %d %q %s in %v", year, specialty, area, d.Specialties)
	}
	return d.Years[k].Cells[i][j]
}

// wantCells checks the listed cells and that every other cell is empty.
func wantCells(t *testing.T, d *regional.Dashboard, want []cell) {
	t.Helper()
	listed := map[[3]any]bool{}
	for _, c := range want {
		listed[[3]any{c.year, c.specialty, c.area}] = true
		got := cellOf(t, d, c.year, c.specialty, c.area)
		placedFTE, planFTE := c.placedFTE, c.planFTE
		if placedFTE == 0 {
			placedFTE = float64(c.placed)
		}
		if planFTE == 0 {
			planFTE = float64(c.planned)
		}
		exp := regional.Cell{Placed: c.placed, PlacedFTE: placedFTE, Planned: c.planned, PlannedFTE: planFTE, Need: c.need, HasNeed: c.hasNeed}
		if got != exp {
			t.Errorf("%d %s %s:\n got %+v\nwant %+v", c.year, regional.SpecialtyLabel(c.specialty), c.area, got, exp)
		}
	}
	for _, g := range d.Years {
		for i, sp := range d.Specialties {
			for j, a := range d.Areas {
				if !listed[[3]any{g.FiscalYear, sp, a.Code}] && g.Cells[i][j] != (regional.Cell{}) {
					t.Errorf("%d %s %s: %+v, want empty", g.FiscalYear, regional.SpecialtyLabel(sp), a.Code, g.Cells[i][j])
				}
			}
		}
	}
}

// TestDashboard: six doctors of the prefecture's program, as of November
// 2026, with their ledgers, plans and statuses, against the needs the
// officer entered.
func TestDashboard(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqlstore.Dialect) {
		w := newWorld(t, engine)
		p := w.setUp(t)
		areas := must(w.db.Areas(w.ctx, w.pref))(t)
		south, north := areas[0], areas[1] // 33-01 surplus, 33-05 shortage
		for y := 2015; y <= 2017; y++ {
			noErr(t, w.svc.SetAreaClass(w.ctx, w.officer, north.ID, y, obligation.AreaShortage))
		}
		// A third area nobody serves in, named like a formula.
		west := &regional.Area{PrefectureOrgID: w.pref, Area: obligation.Area{Code: "33-09", Name: "-西部"}}
		noErr(t, w.svc.SaveArea(w.ctx, w.officer, west))
		doctor := func(email string) string {
			w.user(email, identity.Grant{Role: identity.RoleDoctor})
			return email
		}

		// D1, on track: 初期研修, then 内科 in 真庭 for half of 2026. Its
		// latest plan (B案) goes to 総合診療 in 県南東部 in 2027.
		d1 := w.enroll(t, w.officer, p, "doctor@example.jp", 2024)
		w.serve(t, d1, placement(2024, 12, "33-01", "junior_resident", ""))
		w.serve(t, d1, placement(2025, 12, "33-05", "junior_resident", ""))
		w.serve(t, d1, placement(2026, 6, "33-05", "specialty_resident", "内科"))
		a := w.plan(t, d1, "A案", work(2027, "33-05", "内科"), work(2028, "33-05", "内科"), work(2029, "33-05", "内科"))
		w.plan(t, d1, "B案", work(2027, "33-01", "総合診療"),
			obligation.PlanYear{FiscalYear: 2028, Kind: obligation.PlanResearch, Months: 12, Note: "大学院"})

		// D2, cannot complete (a late start): 内科 in 県南東部 in 2026, and in
		// 2027 already recorded, which overrides its plan for 2027.
		d2 := w.enroll(t, w.officer, p, "second@example.jp", 2018)
		w.serve(t, d2, placement(2018, 12, "33-01", "junior_resident", ""))
		w.serve(t, d2, placement(2019, 12, "33-01", "junior_resident", ""))
		w.serve(t, d2, placement(2026, 12, "33-01", "specialist", "内科"))
		w.serve(t, d2, placement(2027, 12, "33-01", "specialist", "内科"))
		w.plan(t, d2, "C案", work(2027, "33-05", "内科"), work(2028, "33-05", "内科"))

		// D3, at risk: three years of suspension leave no slack.
		d3 := w.enroll(t, w.officer, p, doctor("risk@example.jp"), 2018)
		for y := 2018; y <= 2022; y++ {
			w.serve(t, d3, placement(y, 12, "33-05", "specialist", "内科"))
		}
		w.suspend(t, d3, 2023, obligation.SuspendChildcare)
		w.suspend(t, d3, 2024, obligation.SuspendChildbirth)
		w.suspend(t, d3, 2025, obligation.SuspendChildcare)
		w.serve(t, d3, placement(2026, 12, "33-01", "specialist", "内科"))
		// Its plan returns to 真庭, but a study leave recorded for 2028
		// overrides the plan for that year.
		w.plan(t, d3, "復帰", work(2027, "33-05", "内科"), work(2028, "33-05", "内科"))
		w.suspend(t, d3, 2028, obligation.SuspendStudy)

		// D4, completed in 2023.
		d4 := w.enroll(t, w.officer, p, doctor("done@example.jp"), 2015)
		for y := 2015; y <= 2023; y++ {
			w.serve(t, d4, placement(y, 12, "33-05", "specialist", "内科"))
		}

		// D5 left in October 2026: its service that year counts, its
		// placement recorded for 2027 and its plan do not.
		d5 := w.enroll(t, w.officer, p, doctor("left@example.jp"), 2024)
		w.serve(t, d5, placement(2026, 6, "33-05", "specialty_resident", "総合診療"))
		w.serve(t, d5, placement(2027, 12, "33-05", "specialty_resident", "総合診療"))
		w.plan(t, d5, "転出前の計画", work(2028, "33-05", "総合診療"))
		cur := must(w.db.Enrollment(w.ctx, d5.ID))(t)
		must(w.svc.RecordDeparture(w.ctx, w.officer, d5.ID, cur.Version,
			obligation.Departure{On: time.Date(2026, 10, 31, 0, 0, 0, 0, time.UTC), Reason: "県外へ転出"}))(t)

		// D6, in 初期研修 from 2026: no specialty yet. Its plan's rows outside
		// the prefecture or in an unknown area count nowhere.
		d6 := w.enroll(t, w.officer, p, doctor("junior@example.jp"), 2026)
		w.serve(t, d6, placement(2026, 12, "33-01", "junior_resident", ""))
		out := work(2028, "", "内科")
		out.Outside, out.Class = true, ""
		w.plan(t, d6, "研修", work(2027, "33-01", ""), out, work(2029, "34-01", "内科"))

		// The officer's needs.
		for _, n := range []struct {
			year      int
			specialty string
			area      int64
			count     int
		}{
			{2026, "内科", north.ID, 3}, {2026, "内科", south.ID, 1}, {2027, "総合診療", south.ID, 1},
			{2028, "内科", north.ID, 2}, {2029, "小児科", north.ID, 1}, {2030, "内科", north.ID, 5},
		} {
			noErr(t, w.svc.SetNeed(w.ctx, w.officer, w.pref, n.year, n.specialty, n.area, n.count))
		}

		d := must(w.svc.Dashboard(w.ctx, w.officer, w.pref, 0))(t)
		if d.FiscalYear != 2026 || d.Prefecture != "岡山県" || len(d.Years) != 4 || d.Years[3].FiscalYear != 2029 {
			t.Fatalf("dashboard of %s %d, %d years", d.Prefecture, d.FiscalYear, len(d.Years))
		}
		if want := []string{"内科", "小児科", "総合診療", regional.NoSpecialty}; !slices.Equal(d.Specialties, want) {
			t.Fatalf("rows %q, want %q", d.Specialties, want)
		}
		if len(d.Areas) != 3 || d.Areas[2].Code != "33-09" {
			t.Fatalf("columns %+v", d.Areas)
		}
		wantCells(t, d, []cell{
			{year: 2026, specialty: "内科", area: "33-01", placed: 2, need: 1, hasNeed: true},                 // D2, D3
			{year: 2026, specialty: "内科", area: "33-05", placed: 1, placedFTE: 0.5, need: 3, hasNeed: true}, // D1, half a year
			{year: 2026, specialty: "総合診療", area: "33-05", placed: 1, placedFTE: 0.5},                       // D5 until it left
			{year: 2026, specialty: "", area: "33-01", placed: 1},                                           // D6
			{year: 2027, specialty: "内科", area: "33-01", placed: 1},                                         // D2, recorded ahead
			{year: 2027, specialty: "内科", area: "33-05", planned: 1},                                        // D3
			{year: 2027, specialty: "総合診療", area: "33-01", planned: 1, need: 1, hasNeed: true},              // D1's B案
			{year: 2027, specialty: "", area: "33-01", planned: 1},                                          // D6
			{year: 2028, specialty: "内科", area: "33-05", planned: 1, need: 2, hasNeed: true},                // D2's C案, not D3's
			{year: 2029, specialty: "小児科", area: "33-05", need: 1, hasNeed: true},
		})
		if c := cellOf(t, d, 2026, "内科", "33-05"); c.Gap() != 2 || c.Supply() != 1 || c.SupplyFTE() != 0.5 {
			t.Errorf("shortage in 真庭: gap %d supply %d (%v FTE)", c.Gap(), c.Supply(), c.SupplyFTE())
		}
		if c := cellOf(t, d, 2026, "内科", "33-01"); c.Gap() != -1 {
			t.Errorf("surplus in 県南東部: gap %d", c.Gap())
		}

		// Completion and risk, now.
		want := regional.ProgramRate{ProgramID: p.ID, Name: p.Name, Enrolled: 6, OnTrack: 2, AtRisk: 1, CannotComplete: 1,
			Completed: 1, Left: 1, CompletionRate: 16.7}
		if len(d.Programs) != 1 || d.Programs[0] != want {
			t.Errorf("programs:\n got %+v\nwant %+v", d.Programs, want)
		}
		want.ProgramID, want.Name = 0, "全体"
		if d.Total != want {
			t.Errorf("total:\n got %+v\nwant %+v", d.Total, want)
		}

		// Updating A案 makes it D1's latest plan; clearing a need removes the gap.
		w.now = w.now.Add(time.Minute)
		a.Name = "A案（改訂）"
		must(w.svc.UpdatePlan(w.ctx, w.doctor, a))(t)
		s := must(w.svc.Needs(w.ctx, w.officer, w.pref, 2027, 2027))(t)
		noErr(t, w.svc.ClearNeed(w.ctx, w.officer, w.pref, 2027, "総合診療", s[0].AreaID))
		// In its first year, the dashboard counts the ledger only.
		d = must(w.svc.Dashboard(w.ctx, w.officer, w.pref, 2027))(t)
		if d.FiscalYear != 2027 || d.Years[3].FiscalYear != 2030 {
			t.Fatalf("dashboard of %d to %d", d.FiscalYear, d.Years[3].FiscalYear)
		}
		wantCells(t, d, []cell{
			{year: 2027, specialty: "内科", area: "33-01", placed: 1},                          // D2, recorded
			{year: 2028, specialty: "内科", area: "33-05", planned: 2, need: 2, hasNeed: true}, // D1's A案 and D2's C案
			{year: 2029, specialty: "内科", area: "33-05", planned: 1},                         // D1's A案
			{year: 2029, specialty: "小児科", area: "33-05", need: 1, hasNeed: true},
			{year: 2030, specialty: "内科", area: "33-05", need: 5, hasNeed: true},
		})
		if c := cellOf(t, d, 2028, "内科", "33-05"); c.Gap() != 0 {
			t.Errorf("2028 gap %d", c.Gap())
		}
	})
}

func TestDashboardCSV(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqlstore.Dialect) {
		w := newWorld(t, engine)
		p := w.setUp(t)
		areas := must(w.db.Areas(w.ctx, w.pref))(t)
		noErr(t, w.svc.SaveArea(w.ctx, w.officer, &regional.Area{PrefectureOrgID: w.pref, Area: obligation.Area{Code: "33-09", Name: "=西部"}}))
		e := w.enroll(t, w.officer, p, "doctor@example.jp", 2024)
		w.serve(t, e, placement(2026, 3, "33-05", "specialty_resident", "内科"))
		noErr(t, w.svc.SetNeed(w.ctx, w.officer, w.pref, 2026, "内科", areas[1].ID, 2))
		d := must(w.svc.Dashboard(w.ctx, w.officer, w.pref, 2026))(t)

		var utf8, sjis bytes.Buffer
		noErr(t, regional.WriteDashboardCSV(&utf8, d, ""))
		noErr(t, regional.WriteDashboardCSV(&sjis, d, openings.ShiftJIS))
		text, ok := strings.CutPrefix(utf8.String(), "\uFEFF")
		if !ok || !strings.Contains(text, "\r\n") {
			t.Fatalf("UTF-8 CSV without a BOM or CRLF: %q", utf8.String()[:20])
		}
		decoded, err := japanese.ShiftJIS.NewDecoder().String(sjis.String())
		noErr(t, err)
		if decoded != text {
			t.Fatalf("Shift_JIS CSV reads back differently:\n%s\n%s", decoded, text)
		}
		records, err := csv.NewReader(strings.NewReader(text)).ReadAll()
		noErr(t, err)
		if !slices.Equal(records[0], regional.DashboardCSVHeader) {
			t.Fatalf("header %q", records[0])
		}
		// Four years × one specialty × three areas.
		if len(records) != 1+4*1*3 {
			t.Fatalf("%d records", len(records))
		}
		want := [][]string{
			{"2026", "内科", "33-01", "県南東部", "0", "0.00", "0", "0.00", "0", "", ""},
			{"2026", "内科", "33-05", "真庭", "1", "0.25", "0", "0.00", "1", "2", "1"},
			{"2026", "内科", "33-09", "'=西部", "0", "0.00", "0", "0.00", "0", "", ""},
		}
		for i, rec := range want {
			if !slices.Equal(records[1+i], rec) {
				t.Errorf("row %d = %q, want %q", 1+i, records[1+i], rec)
			}
		}
		if last := records[len(records)-1]; last[0] != "2029" || last[2] != "33-09" {
			t.Errorf("last row %q", last)
		}
		if err := regional.WriteDashboardCSV(&utf8, d, "latin1"); err == nil {
			t.Error("unknown encoding accepted")
		}
	})
}

// TestNeedsAndDashboardAuthorization: only the prefecture's officers set
// needs and read the dashboard; anyone else finds no dashboard. Needs are
// planning figures, read like the program's areas.
func TestNeedsAndDashboardAuthorization(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqlstore.Dialect) {
		w := newWorld(t, engine)
		p := w.setUp(t)
		w.enroll(t, w.cc, p, "doctor@example.jp", 2024) // the CC office follows a doctor of the program
		areas := must(w.db.Areas(w.ctx, w.pref))(t)
		north := areas[1].ID
		hiroshima := &regional.Area{PrefectureOrgID: w.otherPref, Area: obligation.Area{Code: "34-01", Name: "広島"}}
		noErr(t, w.svc.SaveArea(w.ctx, w.otherOff, hiroshima))

		for name, actor := range map[string]policy.Actor{"other prefecture": w.otherOff, "coordinator": w.cc,
			"other coordinator": w.otherCC, "doctor": w.doctor, "platform admin": w.admin} {
			t.Run(name, func(t *testing.T) {
				_, err := w.svc.Dashboard(w.ctx, actor, w.pref, 2026)
				wantCode(t, err, apperr.NotFound)
				wantCode(t, w.svc.SetNeed(w.ctx, actor, w.pref, 2026, "内科", north, 1), apperr.Forbidden)
				wantCode(t, w.svc.ClearNeed(w.ctx, actor, w.pref, 2026, "内科", north), apperr.Forbidden)
			})
		}
		// The other prefecture's officer sees its own, empty, dashboard.
		own := must(w.svc.Dashboard(w.ctx, w.otherOff, w.otherPref, 2026))(t)
		if len(own.Specialties) != 0 || len(own.Areas) != 1 || own.Total.Enrolled != 0 {
			t.Fatalf("another prefecture's dashboard: %+v", own)
		}
		_, err := w.svc.Dashboard(w.ctx, w.officer, w.univ, 2026)
		wantField(t, err, "prefecture_org_id")
		_, err = w.svc.Dashboard(w.ctx, w.officer, w.pref, 2099)
		wantField(t, err, "fiscal_year")

		// What the officer may not enter.
		for field, set := range map[string]func() error{
			"specialty":   func() error { return w.svc.SetNeed(w.ctx, w.officer, w.pref, 2026, "歯科", north, 1) },
			"count":       func() error { return w.svc.SetNeed(w.ctx, w.officer, w.pref, 2026, "内科", north, -1) },
			"fiscal_year": func() error { return w.svc.SetNeed(w.ctx, w.officer, w.pref, 1999, "内科", north, 1) },
			"area_id":     func() error { return w.svc.SetNeed(w.ctx, w.officer, w.pref, 2026, "内科", hiroshima.ID, 1) },
		} {
			wantField(t, set(), field)
		}
		wantCode(t, w.svc.ClearNeed(w.ctx, w.officer, w.pref, 2026, "内科", north), apperr.NotFound)
		noErr(t, w.svc.SetNeed(w.ctx, w.officer, w.pref, 2026, " 内科 ", north, 0))

		// Needs read like the program's areas: doctors and coordinators
		// too, not the platform administrator.
		for _, actor := range []policy.Actor{w.officer, w.cc, w.doctor, w.otherOff} {
			list := must(w.svc.Needs(w.ctx, actor, w.pref, 2026, 2029))(t)
			if len(list) != 1 || list[0].Specialty != "内科" || list[0].Count != 0 || list[0].UpdatedBy != w.officer.UserID {
				t.Fatalf("needs: %+v", list)
			}
		}
		_, err = w.svc.Needs(w.ctx, w.admin, w.pref, 2026, 2029)
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.Needs(w.ctx, w.officer, w.pref, 2029, 2026)
		wantField(t, err, "fiscal_year")
	})
}
