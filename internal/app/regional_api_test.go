package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
)

// rapiEnrollment is the part of an enrolment the tests read.
type rapiEnrollment struct {
	ID         int64 `json:"id"`
	Version    int   `json:"version"`
	Placements []struct {
		ID    int64  `json:"id"`
		Class string `json:"class"`
	} `json:"placements"`
	Suspensions []struct {
		ID int64 `json:"id"`
	} `json:"suspensions"`
	Summary struct {
		Status       string   `json:"status"`
		Reasons      []string `json:"reasons"`
		ServedMonths int      `json:"served_months"`
	} `json:"summary"`
}

type rapiPlan struct {
	ID      int64 `json:"id"`
	Version int   `json:"version"`
	Check   struct {
		OK       bool `json:"ok"`
		Problems []struct {
			Field   string `json:"field"`
			Message string `json:"message"`
		} `json:"problems"`
	} `json:"check"`
}

func TestRegionalAPI(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		fy := obligation.FiscalYear(env.Clock.Now())
		pref := env.Org(identity.OrgPrefecture, "岡山県")
		otherPref := env.Org(identity.OrgPrefecture, "広島県")
		univ := env.Org(identity.OrgUniversity, "岡山大学 キャリア支援センター")
		otherUniv := env.Org(identity.OrgUniversity, "川崎医科大学 キャリア支援室")
		staff := func(email string, g identity.Grant) papiClient {
			u := env.User(email, email, g)
			return papiTokens(t, env, email, env.EnableTOTP(u), "write")[0]
		}
		officer := staff("officer@okayama.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: pref})
		otherOfficer := staff("officer@hiroshima.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: otherPref})
		cc := staff("cc@okayama-u.example.jp", identity.Grant{Role: identity.RoleCoordinator, OrgID: univ})
		otherCC := staff("cc@kawasaki-m.example.jp", identity.Grant{Role: identity.RoleCoordinator, OrgID: otherUniv})
		env.User("chiiki@example.jp", "地域 太郎", identity.Grant{Role: identity.RoleDoctor})
		env.User("other@example.jp", "別 医師", identity.Grant{Role: identity.RoleDoctor})
		doctor := papiTokens(t, env, "chiiki@example.jp", "", "write")[0]
		otherDoc := papiTokens(t, env, "other@example.jp", "", "write")[0]

		// The officer sets up the program and the areas.
		program := fmt.Sprintf(`{"prefecture_org_id":%d,"name":"岡山県地域枠","total_years":9,"min_shortage_years":4,
		  "specialties":["内科","総合診療"],"suspension_caps":{"childbirth":12,"childcare":24},"deadline_years":12}`, pref)
		cc.problem(http.StatusForbidden, "POST", "/programs", program)
		officer.problem(http.StatusBadRequest, "POST", "/programs", `{"name":"x","total_years":"nine"}`)
		officer.problem(http.StatusBadRequest, "POST", "/programs", fmt.Sprintf(`{"prefecture_org_id":%d,"name":"x","total_years":99,"deadline_years":1}`, pref))
		var prog struct {
			ID      int64 `json:"id"`
			Version int   `json:"version"`
		}
		officer.must(http.StatusCreated, "POST", "/programs", program, &prog)
		officer.problem(http.StatusBadRequest, "PUT", fmt.Sprintf("/programs/%d", prog.ID), program)
		officer.must(http.StatusOK, "PUT", fmt.Sprintf("/programs/%d", prog.ID), strings.Replace(program, `"deadline_years":12`, `"deadline_years":12,"version":1`, 1), nil)
		officer.problem(http.StatusConflict, "PUT", fmt.Sprintf("/programs/%d", prog.ID), strings.Replace(program, `"deadline_years":12`, `"deadline_years":12,"version":1`, 1))
		doctor.must(http.StatusOK, "GET", fmt.Sprintf("/programs/%d", prog.ID), nil, nil)
		cc.must(http.StatusOK, "GET", "/programs", nil, nil)
		var areas [2]papiID
		officer.must(http.StatusCreated, "POST", "/areas", fmt.Sprintf(`{"prefecture_org_id":%d,"code":"33-01","name":"県南東部"}`, pref), &areas[0])
		officer.must(http.StatusCreated, "POST", "/areas", fmt.Sprintf(`{"prefecture_org_id":%d,"code":"33-05","name":"真庭"}`, pref), &areas[1])
		otherOfficer.problem(http.StatusForbidden, "POST", "/areas", fmt.Sprintf(`{"prefecture_org_id":%d,"code":"33-09","name":"x"}`, pref))
		for y := fy - 2; y <= fy+10; y++ {
			officer.must(http.StatusOK, "PUT", fmt.Sprintf("/areas/%d/classes/%d", areas[0].ID, y), `{"class":"surplus"}`, nil)
			officer.must(http.StatusOK, "PUT", fmt.Sprintf("/areas/%d/classes/%d", areas[1].ID, y), `{"class":"shortage"}`, nil)
		}
		officer.problem(http.StatusBadRequest, "PUT", fmt.Sprintf("/areas/%d/classes/abc", areas[1].ID), `{"class":"shortage"}`)
		officer.problem(http.StatusBadRequest, "PUT", fmt.Sprintf("/areas/%d/classes/1800", areas[1].ID), `{"class":"shortage"}`)
		officer.problem(http.StatusBadRequest, "PUT", fmt.Sprintf("/areas/%d/classes/%d", areas[1].ID, fy), `{"class":"nowhere"}`)
		cc.problem(http.StatusForbidden, "PUT", fmt.Sprintf("/areas/%d/classes/%d", areas[1].ID, fy), `{"class":"surplus"}`)
		cc.problem(http.StatusBadRequest, "GET", "/areas", nil)
		cc.must(http.StatusOK, "GET", fmt.Sprintf("/areas?prefecture=%d", pref), nil, nil)

		// The coordinator enrols the doctor and keeps the ledger.
		otherCC.problem(http.StatusForbidden, "POST", "/enrollments", fmt.Sprintf(`{"program_id":%d,"doctor_email":"chiiki@example.jp","coordinator_org_id":%d,"start_year":%d}`, prog.ID, univ, fy-2))
		cc.problem(http.StatusBadRequest, "POST", "/enrollments", fmt.Sprintf(`{"program_id":%d,"doctor_email":"chiiki@example.jp","coordinator_org_id":%d,"start_year":"x"}`, prog.ID, univ))
		var e rapiEnrollment
		cc.must(http.StatusCreated, "POST", "/enrollments", fmt.Sprintf(`{"program_id":%d,"doctor_email":"chiiki@example.jp","coordinator_org_id":%d,"start_year":%d}`, prog.ID, univ, fy-2), &e)
		en := fmt.Sprintf("/enrollments/%d", e.ID)
		cc.must(http.StatusCreated, "POST", en+"/placements", fmt.Sprintf(`{"version":%d,"fiscal_year":%d,"months":12,"institution":"岡山中央病院","area_code":"33-01","training_stage":"junior_resident"}`, e.Version, fy-2), &e)
		cc.must(http.StatusCreated, "POST", en+"/placements", fmt.Sprintf(`{"version":%d,"fiscal_year":%d,"months":12,"institution":"真庭中央病院","area_code":"33-05"}`, e.Version, fy-1), &e)
		if len(e.Placements) != 2 || e.Placements[1].Class != "shortage" {
			t.Fatalf("ledger: %+v", e)
		}
		cc.problem(http.StatusBadRequest, "POST", en+"/placements", fmt.Sprintf(`{"fiscal_year":%d,"months":6,"institution":"x","area_code":"33-05"}`, fy))
		cc.problem(http.StatusBadRequest, "POST", en+"/placements", fmt.Sprintf(`{"version":%d,"fiscal_year":"今年","months":6}`, e.Version))
		cc.problem(http.StatusBadRequest, "POST", en+"/placements", fmt.Sprintf(`{"version":%d,"fiscal_year":%d,"months":13,"institution":"x","area_code":"33-05"}`, e.Version, fy))
		cc.problem(http.StatusBadRequest, "POST", en+"/suspensions", fmt.Sprintf(`{"version":%d,"fiscal_year":%d,"months":6,"reason":"illness"}`, e.Version, fy))
		doctor.problem(http.StatusForbidden, "POST", en+"/placements", fmt.Sprintf(`{"version":%d,"fiscal_year":%d,"months":6,"institution":"x","area_code":"33-05"}`, e.Version, fy))
		doctor.problem(http.StatusForbidden, "POST", en+"/departure", fmt.Sprintf(`{"version":%d,"on":"2030-01-01","reason":"x"}`, e.Version))

		// Two writes at the same version: one wins, the other is 409.
		var wg sync.WaitGroup
		statuses := make([]int, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i], _ = cc.call("POST", en+"/suspensions", fmt.Sprintf(`{"version":%d,"fiscal_year":%d,"months":%d,"reason":"childcare"}`, e.Version, fy, 3+i))
			}()
		}
		wg.Wait()
		if !(statuses[0] == http.StatusCreated && statuses[1] == http.StatusConflict) && !(statuses[0] == http.StatusConflict && statuses[1] == http.StatusCreated) {
			t.Fatalf("concurrent ledger writes: %v, want one 201 and one 409", statuses)
		}
		cc.must(http.StatusOK, "GET", en, nil, &e)
		if len(e.Suspensions) != 1 || e.Summary.Status == "" {
			t.Fatalf("after the race: %+v", e)
		}

		// Lists, filters and who sees what.
		var list struct {
			Enrollments []rapiEnrollment `json:"enrollments"`
		}
		cc.must(http.StatusOK, "GET", fmt.Sprintf("/enrollments?coordinator=%d", univ), nil, &list)
		if len(list.Enrollments) != 1 {
			t.Fatalf("coordinator's list: %+v", list)
		}
		officer.must(http.StatusOK, "GET", fmt.Sprintf("/enrollments?prefecture=%d&status=%s", pref, e.Summary.Status), nil, &list)
		if len(list.Enrollments) != 1 {
			t.Fatalf("officer's list by status: %+v", list)
		}
		officer.must(http.StatusOK, "GET", fmt.Sprintf("/enrollments?prefecture=%d&status=left", pref), nil, &list)
		if len(list.Enrollments) != 0 {
			t.Fatalf("left: %+v", list)
		}
		officer.problem(http.StatusBadRequest, "GET", fmt.Sprintf("/enrollments?prefecture=%d&status=bogus", pref), nil)
		officer.problem(http.StatusBadRequest, "GET", "/enrollments?prefecture=abc", nil)
		otherOfficer.problem(http.StatusForbidden, "GET", fmt.Sprintf("/enrollments?prefecture=%d", pref), nil)
		doctor.must(http.StatusOK, "GET", "/me/enrollments", nil, &list)
		if len(list.Enrollments) != 1 {
			t.Fatalf("my enrolments: %+v", list)
		}
		doctor.must(http.StatusOK, "GET", en, nil, nil)
		for name, c := range map[string]papiClient{"other prefecture": otherOfficer, "other university": otherCC, "other doctor": otherDoc} {
			c.problem(http.StatusNotFound, "GET", en, nil)
			c.problem(http.StatusNotFound, "GET", en+"/plans", nil)
			if status, _ := c.call("POST", en+"/placements", fmt.Sprintf(`{"version":%d,"fiscal_year":%d,"months":1,"institution":"x","area_code":"33-05"}`, e.Version, fy)); status != http.StatusNotFound {
				t.Errorf("%s adds a placement: %d", name, status)
			}
		}
		doctor.problem(http.StatusNotFound, "GET", "/enrollments/abc", nil)

		// Plans: a check that does not save, two plans, a comparison.
		years := func(kind, extra string) string {
			var rows []string
			for i := range 7 {
				rows = append(rows, fmt.Sprintf(`{"fiscal_year":%d,"kind":"%s","months":12%s}`, fy+1+i, kind, extra))
			}
			return "[" + strings.Join(rows, ",") + "]"
		}
		var check struct {
			OK       bool `json:"ok"`
			Problems []struct {
				Message string `json:"message"`
			} `json:"problems"`
		}
		doctor.must(http.StatusOK, "POST", "/plans/check", fmt.Sprintf(`{"enrollment_id":%d,"years":%s}`, e.ID, years("suspension", `,"reason":"childcare"`)), &check)
		if check.OK || len(check.Problems) == 0 {
			t.Fatalf("an impossible plan checks: %+v", check)
		}
		otherDoc.problem(http.StatusNotFound, "POST", "/plans/check", fmt.Sprintf(`{"enrollment_id":%d,"years":[]}`, e.ID))
		doctor.problem(http.StatusBadRequest, "POST", "/plans/check", `{"enrollment_id":0}`)
		doctor.problem(http.StatusBadRequest, "POST", "/plans/check", fmt.Sprintf(`{"enrollment_id":%d,"years":[{"fiscal_year":"x"}]}`, e.ID))
		var plans struct {
			Plans []rapiPlan `json:"plans"`
		}
		doctor.must(http.StatusOK, "GET", en+"/plans", nil, &plans)
		if len(plans.Plans) != 0 {
			t.Fatalf("the check saved a plan: %+v", plans)
		}
		var a, b rapiPlan
		doctor.must(http.StatusCreated, "POST", en+"/plans", fmt.Sprintf(`{"name":"A案","years":%s}`, years("service", `,"class":"shortage","area_code":"33-05","specialty":"内科"`)), &a)
		cc.must(http.StatusCreated, "POST", en+"/plans", fmt.Sprintf(`{"name":"B案","years":%s}`, years("service", `,"class":"surplus","specialty":"小児科"`)), &b)
		if b.Check.OK {
			t.Fatalf("plan B breaks the specialty restriction but checks: %+v", b)
		}
		officer.problem(http.StatusForbidden, "POST", en+"/plans", `{"name":"C案","years":[]}`)
		doctor.must(http.StatusOK, "PUT", fmt.Sprintf("/plans/%d", a.ID), fmt.Sprintf(`{"name":"A案","version":%d,"years":[]}`, a.Version), nil)
		doctor.problem(http.StatusConflict, "PUT", fmt.Sprintf("/plans/%d", a.ID), fmt.Sprintf(`{"name":"A案","version":%d,"years":[]}`, a.Version))
		doctor.problem(http.StatusBadRequest, "PUT", fmt.Sprintf("/plans/%d", a.ID), `{"name":"A案","years":[]}`)
		var cmp struct {
			A, B rapiPlan
		}
		officer.must(http.StatusOK, "GET", fmt.Sprintf("%s/compare?a=%d&b=%d", en, a.ID, b.ID), nil, &cmp)
		if cmp.A.ID != a.ID || cmp.B.ID != b.ID {
			t.Fatalf("compare: %+v", cmp)
		}
		doctor.problem(http.StatusBadRequest, "GET", en+"/compare?a=x&b=1", nil)
		for _, c := range []papiClient{otherOfficer, otherCC, otherDoc} {
			c.problem(http.StatusNotFound, "GET", fmt.Sprintf("/plans/%d", a.ID), nil)
			c.problem(http.StatusNotFound, "GET", fmt.Sprintf("%s/compare?a=%d&b=%d", en, a.ID, b.ID), nil)
			c.problem(http.StatusNotFound, "DELETE", fmt.Sprintf("/plans/%d?version=1", b.ID), nil)
		}
		doctor.problem(http.StatusBadRequest, "DELETE", fmt.Sprintf("/plans/%d", b.ID), nil)
		doctor.problem(http.StatusConflict, "DELETE", fmt.Sprintf("/plans/%d?version=9", b.ID), nil)
		doctor.must(http.StatusNoContent, "DELETE", fmt.Sprintf("/plans/%d?version=%d", b.ID, b.Version), nil, nil)

		// A correction and 離脱.
		cc.must(http.StatusOK, "GET", en, nil, &e)
		cc.problem(http.StatusBadRequest, "DELETE", fmt.Sprintf("%s/entries/suspension/%d", en, e.Suspensions[0].ID), nil)
		cc.problem(http.StatusNotFound, "DELETE", fmt.Sprintf("%s/entries/other/%d?version=%d", en, e.Suspensions[0].ID, e.Version), nil)
		doctor.problem(http.StatusForbidden, "DELETE", fmt.Sprintf("%s/entries/suspension/%d?version=%d", en, e.Suspensions[0].ID, e.Version), nil)
		cc.must(http.StatusOK, "DELETE", fmt.Sprintf("%s/entries/suspension/%d?version=%d", en, e.Suspensions[0].ID, e.Version), nil, &e)
		cc.problem(http.StatusBadRequest, "POST", en+"/departure", fmt.Sprintf(`{"version":%d,"on":"2026-13-01","reason":"x"}`, e.Version))
		cc.must(http.StatusOK, "POST", en+"/departure", fmt.Sprintf(`{"version":%d,"on":"%s","reason":"転職","consented":true}`, e.Version, env.Clock.Now().Format("2006-01-02")), &e)
		if e.Summary.Status != "left" {
			t.Fatalf("after departure: %+v", e.Summary)
		}
	})
}
