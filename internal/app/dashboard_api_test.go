package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
)

// dapiWorld is a prefecture with a program and a medical area, a CC
// office that follows one enrolled doctor, and a second prefecture.
type dapiWorld struct {
	fy                      int
	pref, otherPref, univ   int64
	area                    int64
	officer, officerRead    papiClient
	otherOfficer, cc        papiClient
	doctorID                int64
	enrollment, enrollmentV int
	enrollmentID            int64
}

func newDapiWorld(t *testing.T, env *apptest.Env) *dapiWorld {
	t.Helper()
	w := &dapiWorld{fy: obligation.FiscalYear(env.Clock.Now())}
	w.pref = env.Org(identity.OrgPrefecture, "岡山県")
	w.otherPref = env.Org(identity.OrgPrefecture, "広島県")
	w.univ = env.Org(identity.OrgUniversity, "岡山大学 キャリア支援センター")
	staff := func(email string, g identity.Grant, scopes ...string) []papiClient {
		u := env.User(email, email, g)
		return papiTokens(t, env, email, env.EnableTOTP(u), scopes...)
	}
	officers := staff("officer@okayama.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.pref}, "write", "read")
	w.officer, w.officerRead = officers[0], officers[1]
	w.otherOfficer = staff("officer@hiroshima.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.otherPref}, "write")[0]
	w.cc = staff("cc@okayama-u.example.jp", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.univ}, "write")[0]
	w.doctorID = env.User("chiiki@example.jp", "地域 太郎", identity.Grant{Role: identity.RoleDoctor}).ID

	var prog papiID
	w.officer.must(http.StatusCreated, "POST", "/programs", fmt.Sprintf(`{"prefecture_org_id":%d,"name":"岡山県地域枠","total_years":9,
	  "min_shortage_years":4,"specialties":["内科","総合診療"],"deadline_years":12}`, w.pref), &prog)
	var area papiID
	w.officer.must(http.StatusCreated, "POST", "/areas", fmt.Sprintf(`{"prefecture_org_id":%d,"code":"33-05","name":"真庭"}`, w.pref), &area)
	w.area = area.ID
	w.officer.must(http.StatusOK, "PUT", fmt.Sprintf("/areas/%d/classes/%d", w.area, w.fy), `{"class":"shortage"}`, nil)
	var e rapiEnrollment
	w.cc.must(http.StatusCreated, "POST", "/enrollments", fmt.Sprintf(`{"program_id":%d,"doctor_id":%d,"coordinator_org_id":%d,"start_year":%d}`,
		prog.ID, w.doctorID, w.univ, w.fy), &e)
	w.enrollmentID = e.ID
	w.cc.must(http.StatusCreated, "POST", fmt.Sprintf("/enrollments/%d/placements", e.ID), fmt.Sprintf(`{"version":%d,"fiscal_year":%d,
	  "months":12,"institution":"真庭中央病院","area_code":"33-05","specialty":"内科","training_stage":"specialty_resident"}`, e.Version, w.fy), nil)
	return w
}

type dapiDashboard struct {
	FiscalYear int `json:"fiscal_year"`
	Areas      []struct {
		ID int64 `json:"id"`
	} `json:"areas"`
	Specialties []struct {
		Specialty string `json:"specialty"`
	} `json:"specialties"`
	Years []struct {
		FiscalYear int `json:"fiscal_year"`
		Cells      [][]struct {
			Placed    int     `json:"placed"`
			PlacedFTE float64 `json:"placed_fte"`
			Need      *int    `json:"need"`
			Gap       *int    `json:"gap"`
		} `json:"cells"`
	} `json:"years"`
	Total struct {
		Enrolled int `json:"enrolled"`
	} `json:"total"`
}

// cell returns the first year's cell of the specialty in the area.
func (d dapiDashboard) cell(t *testing.T, specialty string, area int64) (placed int, need, gap *int) {
	t.Helper()
	for i, sp := range d.Specialties {
		for j, a := range d.Areas {
			if sp.Specialty == specialty && a.ID == area && len(d.Years) > 0 {
				c := d.Years[0].Cells[i][j]
				return c.Placed, c.Need, c.Gap
			}
		}
	}
	t.Fatalf("no cell for %s in area %d: %+v", specialty, area, d)
	return 0, nil, nil
}

// TestDashboardAPI: the officer sets a need and reads the gap against the
// placed doctors, exports the dashboard, and clears the need; nobody
// outside the prefecture's officers sees or changes it.
func TestDashboardAPI(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newDapiWorld(t, env)
		base := fmt.Sprintf("/prefectures/%d", w.pref)
		need := func(count string) string {
			return fmt.Sprintf(`{"fiscal_year":%d,"specialty":"内科","area_id":%d,"count":%s}`, w.fy, w.area, count)
		}

		// Bad needs are 400 with the field.
		for name, tc := range map[string]struct{ body, field string }{
			"negative":     {need("-1"), "count"},
			"missing":      {fmt.Sprintf(`{"fiscal_year":%d,"specialty":"内科","area_id":%d}`, w.fy, w.area), "count"},
			"specialty":    {strings.Replace(need("3"), "内科", "占い", 1), "specialty"},
			"year":         {strings.Replace(need("3"), fmt.Sprint(w.fy), "1800", 1), "fiscal_year"},
			"another area": {strings.Replace(need("3"), fmt.Sprintf(`"area_id":%d`, w.area), `"area_id":999999`, 1), "area_id"},
		} {
			if p := w.officer.problem(http.StatusBadRequest, "PUT", base+"/needs", tc.body); p.Errors[tc.field] == "" {
				t.Errorf("%s: errors %v, want one for %s", name, p.Errors, tc.field)
			}
		}
		w.officer.problem(http.StatusBadRequest, "PUT", base+"/needs", need(`"three"`))
		w.officer.problem(http.StatusBadRequest, "PUT", base+"/needs", strings.Replace(need("3"), "}", `,"extra":1}`, 1))
		w.officerRead.problem(http.StatusForbidden, "PUT", base+"/needs", need("3"))
		// Other officers and coordinators may not set the prefecture's
		// needs (403); its dashboard is hidden from them (404, below).
		w.otherOfficer.problem(http.StatusForbidden, "PUT", base+"/needs", need("9"))
		w.cc.problem(http.StatusForbidden, "PUT", base+"/needs", need("9"))

		var n struct {
			FiscalYear int    `json:"fiscal_year"`
			Specialty  string `json:"specialty"`
			AreaCode   string `json:"area_code"`
			Count      int    `json:"count"`
		}
		w.officer.must(http.StatusOK, "PUT", base+"/needs", need("3"), &n)
		if n.Count != 3 || n.AreaCode != "33-05" || n.Specialty != "内科" || n.FiscalYear != w.fy {
			t.Fatalf("need: %+v", n)
		}
		var needs struct {
			Needs []struct {
				Count int `json:"count"`
			} `json:"needs"`
		}
		w.officerRead.must(http.StatusOK, "GET", fmt.Sprintf("%s/needs?from=%d&to=%d", base, w.fy, w.fy), nil, &needs)
		if len(needs.Needs) != 1 || needs.Needs[0].Count != 3 {
			t.Fatalf("needs: %+v", needs)
		}
		w.officer.problem(http.StatusBadRequest, "GET", base+"/needs?from=来年", nil)

		// The gap is the need less the doctors placed.
		var d dapiDashboard
		w.officerRead.must(http.StatusOK, "GET", fmt.Sprintf("%s/dashboard?year=%d", base, w.fy), nil, &d)
		placed, got, gap := d.cell(t, "内科", w.area)
		if placed != 1 || got == nil || *got != 3 || gap == nil || *gap != 2 || d.Total.Enrolled != 1 || len(d.Years) != 4 {
			t.Fatalf("dashboard: placed %d need %v gap %v, %+v", placed, got, gap, d)
		}
		w.officer.problem(http.StatusBadRequest, "GET", base+"/dashboard?year=来年", nil)
		for _, c := range []papiClient{w.otherOfficer, w.cc} {
			c.problem(http.StatusNotFound, "GET", base+"/dashboard", nil)
			c.problem(http.StatusNotFound, "GET", base+"/dashboard.csv", nil)
		}

		// The CSV, in Shift_JIS for older Excel and UTF-8 with a BOM.
		r := env.Client().Do(papiRequest(env, w.officerRead.token, "GET", fmt.Sprintf("%s/dashboard.csv?year=%d&encoding=shift_jis", base, w.fy), nil))
		if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Type"), "shift_jis") || len(r.Body) == 0 {
			t.Fatalf("shift_jis csv: %d %q", r.Status, r.Header.Get("Content-Type"))
		}
		r = env.Client().Do(papiRequest(env, w.officerRead.token, "GET", fmt.Sprintf("%s/dashboard.csv?year=%d", base, w.fy), nil))
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Body, "\uFEFF年度,") || !strings.Contains(r.Body, fmt.Sprintf("%d,内科,33-05,真庭,1,1.00,0,0.00,1,3,2\r\n", w.fy)) {
			t.Fatalf("utf-8 csv: %d %q", r.Status, r.Body)
		}

		// Clearing the need leaves no need and no gap.
		w.otherOfficer.problem(http.StatusForbidden, "DELETE", fmt.Sprintf("%s/needs?fiscal_year=%d&specialty=内科&area_id=%d", base, w.fy, w.area), nil)
		w.officer.must(http.StatusNoContent, "DELETE", fmt.Sprintf("%s/needs?fiscal_year=%d&specialty=内科&area_id=%d", base, w.fy, w.area), nil, nil)
		w.officer.problem(http.StatusNotFound, "DELETE", fmt.Sprintf("%s/needs?fiscal_year=%d&specialty=内科&area_id=%d", base, w.fy, w.area), nil)
		w.officer.must(http.StatusOK, "GET", base+"/dashboard", nil, &d)
		if placed, got, gap := d.cell(t, "内科", w.area); placed != 1 || got != nil || gap != nil {
			t.Fatalf("after clearing: placed %d need %v gap %v", placed, got, gap)
		}
	})
}
