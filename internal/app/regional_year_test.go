package app_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
)

// TestRegionalFullYearThroughAPI strings the 地域枠 year of issue #6
// together through /api/v1 only: a prefecture officer, a university CC
// office coordinator (and its admin), a hospital's staff and the doctor.
func TestRegionalFullYearThroughAPI(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		fy := obligation.FiscalYear(env.Clock.Now())
		pref := env.Org(identity.OrgPrefecture, "岡山県")
		univ := env.Org(identity.OrgUniversity, "岡山大学 キャリア支援センター")
		city := env.Org(identity.OrgInstitution, "岡山市民病院")
		rural := env.Org(identity.OrgInstitution, "真庭中央病院")
		staff := func(email string, g identity.Grant) papiClient {
			u := env.User(email, email, g)
			return papiTokens(t, env, email, env.EnableTOTP(u), "write")[0]
		}
		officer := staff("officer@pref.okayama.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: pref})
		cc := staff("cc@okayama-u.example.jp", identity.Grant{Role: identity.RoleCoordinator, OrgID: univ})
		univAdmin := staff("admin@okayama-u.example.jp", identity.Grant{Role: identity.RoleCoordinator, OrgID: univ, OrgAdmin: true})
		ruralStaff := staff("staff@maniwa.example.jp", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: rural})
		doc := env.User("chiiki@example.jp", "地域 太郎", identity.Grant{Role: identity.RoleDoctor})
		doctor := papiTokens(t, env, "chiiki@example.jp", "", "write")[0]

		// 1. The officer sets up the program and two areas: 県南東部 (surplus) and 真庭 (shortage).
		var prog papiID
		officer.must(http.StatusCreated, "POST", "/programs", fmt.Sprintf(`{"prefecture_org_id":%d,"name":"岡山県地域枠","total_years":9,
		  "min_shortage_years":4,"specialties":["内科","総合診療"],"deadline_years":12}`, pref), &prog)
		var surplus, shortage papiID
		officer.must(http.StatusCreated, "POST", "/areas", fmt.Sprintf(`{"prefecture_org_id":%d,"code":"33-01","name":"県南東部"}`, pref), &surplus)
		officer.must(http.StatusCreated, "POST", "/areas", fmt.Sprintf(`{"prefecture_org_id":%d,"code":"33-05","name":"真庭"}`, pref), &shortage)
		for y := fy - 2; y <= fy+8; y++ {
			officer.must(http.StatusOK, "PUT", fmt.Sprintf("/areas/%d/classes/%d", surplus.ID, y), `{"class":"surplus"}`, nil)
			officer.must(http.StatusOK, "PUT", fmt.Sprintf("/areas/%d/classes/%d", shortage.ID, y), `{"class":"shortage"}`, nil)
		}
		// The coordinator enrols the doctor and records last year's placement.
		var e rapiEnrollment
		cc.must(http.StatusCreated, "POST", "/enrollments", fmt.Sprintf(`{"program_id":%d,"doctor_email":"chiiki@example.jp","coordinator_org_id":%d,"start_year":%d}`,
			prog.ID, univ, fy-1), &e)
		en := fmt.Sprintf("/enrollments/%d", e.ID)
		cc.must(http.StatusCreated, "POST", en+"/placements", fmt.Sprintf(`{"version":%d,"fiscal_year":%d,"months":12,"institution":"岡山市民病院",
		  "area_code":"33-01","training_stage":"junior_resident"}`, e.Version, fy-1), &e)
		if len(e.Placements) != 1 || e.Placements[0].Class != "surplus" {
			t.Fatalf("last year's ledger: %+v", e)
		}
		// The doctor's plan puts this year in a shortage area.
		var plan rapiPlan
		doctor.must(http.StatusCreated, "POST", en+"/plans", fmt.Sprintf(`{"name":"A案","years":[
		  {"fiscal_year":%d,"kind":"service","months":12,"class":"shortage","area_code":"33-05","specialty":"内科"}]}`, fy), &plan)

		// 2. The coordinator writes a 面談記録; the officer cannot read it without an agreement.
		today := env.Clock.Now().In(time.FixedZone("JST", 9*60*60)).Format(time.DateOnly)
		var rec apiRecord
		cc.must(http.StatusCreated, "POST", "/records", fmt.Sprintf(`{"org_id":%d,"doctor_id":%d,"held_on":"%s","mode":"in_person",
		  "attendees":["地域 太郎","CC 山田"],"topics":["career","obligation"],"notes":"今年度は真庭で内科を希望。","agreed_actions":"配置希望を提出する"}`,
			univ, doc.ID, today), &rec)
		recPath := fmt.Sprintf("/records/%d", rec.ID)
		officer.problem(http.StatusNotFound, "GET", recPath, nil)
		// The university's admin shares career and obligation records with prefecture officers.
		univAdmin.must(http.StatusCreated, "POST", fmt.Sprintf("/organisations/%d/agreements", univ), fmt.Sprintf(`{"partner_org_id":%d,
		  "roles":["prefecture_officer"],"topics":["career","obligation"],"purpose":"地域枠医師の配置調整のため"}`, pref), nil)
		officer.must(http.StatusOK, "GET", recPath, nil, &rec)
		if rec.Notes == nil || *rec.Notes != "今年度は真庭で内科を希望。" {
			t.Fatalf("shared record: %+v", rec)
		}
		// The doctor sees the officer's read.
		var reads struct {
			Reads []struct {
				Reader   string `json:"reader"`
				RecordID int64  `json:"record_id"`
			} `json:"reads"`
		}
		doctor.must(http.StatusOK, "GET", "/me/record-reads", nil, &reads)
		officerRead := false
		for _, r := range reads.Reads {
			officerRead = officerRead || (r.Reader == "officer@pref.okayama.example.jp" && r.RecordID == rec.ID)
		}
		if !officerRead {
			t.Fatalf("the doctor does not see the officer's read: %+v", reads)
		}

		// 3. The officer opens this year's round with the surplus and the shortage hospital.
		now := env.Clock.Now()
		var round apiRound
		officer.must(http.StatusCreated, "POST", "/rounds", fmt.Sprintf(`{"prefecture_org_id":%d,"program_id":%d,"fiscal_year":%d,
		  "name":"%d年度 地域枠医師の配置","mechanism":"fda","lists_due":"%s","rankings_due":"%s",
		  "institutions":[{"org_id":%d,"area_id":%d,"capacity":2,"specialties":["内科"]},{"org_id":%d,"area_id":%d,"capacity":2}]}`,
			pref, prog.ID, fy, fy, now.Add(7*24*time.Hour).Format(time.RFC3339), now.Add(14*24*time.Hour).Format(time.RFC3339),
			city, surplus.ID, rural, shortage.ID), &round)
		base := fmt.Sprintf("/rounds/%d", round.ID)
		// The plan requires a shortage area: ranking the surplus hospital first is refused, with why.
		p := doctor.problem(http.StatusBadRequest, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d,%d]}`, city, rural))
		if msg := p.Errors["institutions.1"]; !strings.Contains(msg, "岡山市民病院") || !strings.Contains(msg, "A案") {
			t.Fatalf("refused list: %+v", p)
		}
		doctor.must(http.StatusOK, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d]}`, rural), nil)
		// The shortage hospital's staff rank the doctor.
		ruralStaff.must(http.StatusOK, "PUT", fmt.Sprintf("%s/institutions/%d/ranking", base, rural), fmt.Sprintf(`{"doctors":[%d]}`, doc.ID), nil)
		// Past the rankings' deadline the officer runs and publishes.
		env.Clock.Advance(15 * 24 * time.Hour)
		officer.must(http.StatusOK, "GET", base, nil, &round)
		var preview struct {
			Round apiRound `json:"round"`
		}
		officer.must(http.StatusOK, "POST", base+"/run", fmt.Sprintf(`{"version":%d}`, round.Version), &preview)
		var rep struct {
			Recorded int `json:"recorded"`
			Failures []struct {
				Message string `json:"message"`
			} `json:"failures"`
		}
		officer.must(http.StatusOK, "POST", base+"/publish", fmt.Sprintf(`{"version":%d}`, preview.Round.Version), &rep)
		if rep.Recorded != 1 || len(rep.Failures) != 0 {
			t.Fatalf("publish: %+v", rep)
		}

		// 4. The ledger shows this year's placement at the shortage hospital.
		var ledger struct {
			Placements []struct {
				FiscalYear    int    `json:"fiscal_year"`
				InstitutionID *int64 `json:"institution_id"`
				Class         string `json:"class"`
			} `json:"placements"`
		}
		cc.must(http.StatusOK, "GET", en, nil, &ledger)
		if len(ledger.Placements) != 2 || ledger.Placements[1].FiscalYear != fy || ledger.Placements[1].InstitutionID == nil ||
			*ledger.Placements[1].InstitutionID != rural || ledger.Placements[1].Class != "shortage" {
			t.Fatalf("ledger: %+v", ledger)
		}
		// The officer sets a need of 3 内科 in 真庭; the dashboard shows the placed doctor and a gap of 2.
		pbase := fmt.Sprintf("/prefectures/%d", pref)
		officer.must(http.StatusOK, "PUT", pbase+"/needs", fmt.Sprintf(`{"fiscal_year":%d,"specialty":"内科","area_id":%d,"count":3}`, fy, shortage.ID), nil)
		var d dapiDashboard
		officer.must(http.StatusOK, "GET", fmt.Sprintf("%s/dashboard?year=%d", pbase, fy), nil, &d)
		placed, need, gap := d.cell(t, "内科", shortage.ID)
		if d.Years[0].FiscalYear != fy || placed != 1 || need == nil || *need != 3 || gap == nil || *gap != 2 || d.Total.Enrolled != 1 {
			t.Fatalf("dashboard: placed %d need %v gap %v, %+v", placed, need, gap, d)
		}
	})
}
