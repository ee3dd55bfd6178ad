package app_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
)

// roundWorld is a prefecture with a program, two medical areas (県南東部,
// surplus, and 真庭, shortage), two hospitals, three enrolled doctors (d1's
// plan puts next year in a shortage area), a doctor enrolled nowhere and
// another prefecture's officer.
type roundWorld struct {
	env                   *apptest.Env
	fy                    int // the round's fiscal year: next year
	pref, city, rural     int64
	areas                 [2]papiID // 県南東部, 真庭
	program               int64
	officer, officerRead  papiClient
	otherOfficer          papiClient
	cityStaff, ruralStaff papiClient
	d1, d2, d3, peer      papiClient
	doctorIDs             [3]int64
	enrollments           [3]int64
}

func newRoundWorld(t *testing.T, env *apptest.Env) *roundWorld {
	t.Helper()
	w := &roundWorld{env: env, fy: obligation.FiscalYear(env.Clock.Now()) + 1}
	w.pref = env.Org(identity.OrgPrefecture, "岡山県")
	otherPref := env.Org(identity.OrgPrefecture, "広島県")
	w.city = env.Org(identity.OrgInstitution, "岡山市民病院")
	w.rural = env.Org(identity.OrgInstitution, "真庭中央病院")
	staff := func(email string, g identity.Grant, scopes ...string) []papiClient {
		u := env.User(email, email, g)
		return papiTokens(t, env, email, env.EnableTOTP(u), scopes...)
	}
	officers := staff("officer@pref.okayama.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.pref}, "write", "read")
	w.officer, w.officerRead = officers[0], officers[1]
	w.otherOfficer = staff("officer@pref.hiroshima.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: otherPref}, "write")[0]
	w.cityStaff = staff("staff@city.example.jp", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: w.city}, "write")[0]
	w.ruralStaff = staff("staff@maniwa.example.jp", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: w.rural}, "write")[0]
	doctors := []*papiClient{&w.d1, &w.d2, &w.d3, &w.peer}
	for i, name := range []string{"一条 一郎", "二宮 二郎", "三浦 三郎", "四谷 四郎"} {
		email := fmt.Sprintf("d%d@example.jp", i+1)
		u := env.User(email, name, identity.Grant{Role: identity.RoleDoctor})
		*doctors[i] = papiTokens(t, env, email, "", "write")[0]
		if i < 3 {
			w.doctorIDs[i] = u.ID
		}
	}

	var prog papiID
	w.officer.must(http.StatusCreated, "POST", "/programs", fmt.Sprintf(`{"prefecture_org_id":%d,"name":"岡山県地域枠",
	  "total_years":9,"min_shortage_years":4,"specialties":["内科","総合診療"],"suspension_caps":{"childcare":24},"deadline_years":12}`, w.pref), &prog)
	w.program = prog.ID
	w.officer.must(http.StatusCreated, "POST", "/areas", fmt.Sprintf(`{"prefecture_org_id":%d,"code":"33-01","name":"県南東部"}`, w.pref), &w.areas[0])
	w.officer.must(http.StatusCreated, "POST", "/areas", fmt.Sprintf(`{"prefecture_org_id":%d,"code":"33-05","name":"真庭"}`, w.pref), &w.areas[1])
	for y := w.fy - 3; y <= w.fy+8; y++ {
		w.officer.must(http.StatusOK, "PUT", fmt.Sprintf("/areas/%d/classes/%d", w.areas[0].ID, y), `{"class":"surplus"}`, nil)
		w.officer.must(http.StatusOK, "PUT", fmt.Sprintf("/areas/%d/classes/%d", w.areas[1].ID, y), `{"class":"shortage"}`, nil)
	}
	for i := range 3 {
		var e papiID
		w.officer.must(http.StatusCreated, "POST", "/enrollments", fmt.Sprintf(`{"program_id":%d,"doctor_email":"d%d@example.jp","start_year":%d}`,
			w.program, i+1, w.fy-2), &e)
		w.enrollments[i] = e.ID
	}
	// d1 and their coordinator planned the round's year in a shortage area.
	w.d1.must(http.StatusCreated, "POST", fmt.Sprintf("/enrollments/%d/plans", w.enrollments[0]), fmt.Sprintf(`{"name":"A案","years":[
	  {"fiscal_year":%d,"kind":"service","months":12,"class":"shortage","area_code":"33-05","specialty":"内科"}]}`, w.fy), nil)
	return w
}

// roundBody is the body of POST /rounds: the city hospital (surplus area,
// two seats, 内科 only) and the rural one (shortage area, two seats), the
// surplus area capped at one doctor, under fda. Lists are due in a week,
// rankings in two.
func (w *roundWorld) roundBody(version string) string {
	now := w.env.Clock.Now()
	return fmt.Sprintf(`{"prefecture_org_id":%d,"program_id":%d,"fiscal_year":%d,"name":"%d年度 地域枠医師の配置","mechanism":"fda",
	  "lists_due":"%s","rankings_due":"%s",
	  "institutions":[{"org_id":%d,"area_id":%d,"capacity":2,"specialties":["内科"]},{"org_id":%d,"area_id":%d,"capacity":2}],
	  "caps":[{"area_id":%d,"cap":1}]%s}`, w.pref, w.program, w.fy, w.fy,
		now.Add(7*24*time.Hour).Format(time.RFC3339), now.Add(14*24*time.Hour).Format(time.RFC3339),
		w.city, w.areas[0].ID, w.rural, w.areas[1].ID, w.areas[0].ID, version)
}

// apiRound is the part of a round the tests read.
type apiRound struct {
	ID           int64  `json:"id"`
	Status       string `json:"status"`
	Version      int    `json:"version"`
	Institutions []struct {
		OrgID int64  `json:"org_id"`
		Class string `json:"class"`
	} `json:"institutions"`
}

// open opens the round through the API.
func (w *roundWorld) open(t *testing.T) apiRound {
	t.Helper()
	var r apiRound
	w.officer.must(http.StatusCreated, "POST", "/rounds", w.roundBody(""), &r)
	if r.Status != "open" || r.Version != 1 || len(r.Institutions) != 2 || r.Institutions[1].Class != "shortage" {
		t.Fatalf("opened round: %+v", r)
	}
	return r
}

// TestRoundsAPIYear runs a round through the API: open, lists (one
// refused with its reason), rankings, a run refused before the deadline,
// the run, the preview with the comparison, publication, each doctor's
// placement and the ledgers.
func TestRoundsAPIYear(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newRoundWorld(t, env)
		d1, d2, d3 := w.doctorIDs[0], w.doctorIDs[1], w.doctorIDs[2]

		// Opening: invalid settings are 400 per field; another prefecture may not.
		w.otherOfficer.problem(http.StatusForbidden, "POST", "/rounds", w.roundBody(""))
		p := w.officer.problem(http.StatusBadRequest, "POST", "/rounds", strings.Replace(w.roundBody(""), `"capacity":2,"specialties"`, `"capacity":0,"specialties"`, 1))
		if !strings.Contains(p.Errors["institutions.1.capacity"], "定員") {
			t.Fatalf("capacity 0: %+v", p.Errors)
		}
		w.officer.problem(http.StatusBadRequest, "POST", "/rounds", `{"name":"x","fiscal_year":"next"}`)
		w.officer.problem(http.StatusBadRequest, "POST", "/rounds", strings.Replace(w.roundBody(""), `"mechanism":"fda"`, `"mechanism":"fda","colour":"red"`, 1))
		r := w.open(t)
		base := fmt.Sprintf("/rounds/%d", r.ID)
		var rounds struct {
			Rounds []apiRound `json:"rounds"`
		}
		w.officer.must(http.StatusOK, "GET", fmt.Sprintf("/rounds?prefecture=%d", w.pref), nil, &rounds)
		if len(rounds.Rounds) != 1 || rounds.Rounds[0].ID != r.ID {
			t.Fatalf("rounds: %+v", rounds)
		}
		w.officer.problem(http.StatusBadRequest, "GET", "/rounds", nil)
		// A change at the version seen; the stale version is 409.
		w.officer.problem(http.StatusBadRequest, "PUT", base, w.roundBody(""))
		w.officer.must(http.StatusOK, "PUT", base, w.roundBody(`,"version":1`), &r)
		w.officer.problem(http.StatusConflict, "PUT", base, w.roundBody(`,"version":1`))
		d1Client, d2Client, d3Client := w.d1, w.d2, w.d3
		d1Client.must(http.StatusOK, "GET", base, nil, nil)
		w.cityStaff.must(http.StatusOK, "GET", base, nil, nil)

		// Lists. d1's plan puts the year in a shortage area: the city hospital is refused, with why.
		p = d1Client.problem(http.StatusBadRequest, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d,%d]}`, w.rural, w.city))
		if msg := p.Errors["institutions.2"]; !strings.Contains(msg, "岡山市民病院") || !strings.Contains(msg, "複数年計画「A案」") {
			t.Fatalf("refused list: %+v", p)
		}
		p = d3Client.problem(http.StatusBadRequest, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d],"specialty":"皮膚科"}`, w.city))
		if !strings.Contains(p.Errors["specialty"], "対象診療科") {
			t.Fatalf("specialty restriction: %+v", p)
		}
		p = d3Client.problem(http.StatusBadRequest, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d,%d],"specialty":"総合診療"}`, w.city, w.rural))
		if !strings.Contains(p.Errors["institutions.1"], "総合診療の医師を受け入れていません") {
			t.Fatalf("institution's specialties: %+v", p)
		}
		d3Client.problem(http.StatusBadRequest, "POST", base+"/lists", `{"institutions":"all"}`)
		var l1 struct {
			Specialty    string  `json:"specialty"`
			PlanID       *int64  `json:"plan_id"`
			Institutions []int64 `json:"institutions"`
		}
		d1Client.must(http.StatusOK, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d]}`, w.rural), &l1)
		if l1.Specialty != "内科" || l1.PlanID == nil {
			t.Fatalf("d1's list takes the plan's specialty: %+v", l1)
		}
		d3Client.must(http.StatusOK, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d,%d],"specialty":"内科"}`, w.city, w.rural), nil)
		d2Client.must(http.StatusOK, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d,%d],"specialty":"内科"}`, w.city, w.rural), nil)
		w.peer.problem(http.StatusNotFound, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d]}`, w.rural))
		d1Client.must(http.StatusOK, "GET", fmt.Sprintf("%s/lists/%d", base, d1), nil, nil)
		w.officer.must(http.StatusOK, "GET", fmt.Sprintf("%s/lists/%d", base, d1), nil, nil)
		var lists struct {
			Lists []struct {
				DoctorID int64 `json:"doctor_id"`
			} `json:"lists"`
		}
		w.officer.must(http.StatusOK, "GET", base+"/lists", nil, &lists)
		if len(lists.Lists) != 3 {
			t.Fatalf("lists: %+v", lists)
		}

		// Rankings: only candidates may be ranked.
		var cands struct {
			Candidates []struct {
				DoctorID int64 `json:"doctor_id"`
			} `json:"candidates"`
		}
		cityPath := fmt.Sprintf("%s/institutions/%d", base, w.city)
		ruralPath := fmt.Sprintf("%s/institutions/%d", base, w.rural)
		w.cityStaff.must(http.StatusOK, "GET", cityPath+"/candidates", nil, &cands)
		if len(cands.Candidates) != 2 {
			t.Fatalf("city candidates: %+v", cands)
		}
		p = w.cityStaff.problem(http.StatusBadRequest, "PUT", cityPath+"/ranking", fmt.Sprintf(`{"doctors":[%d,%d]}`, d3, d1))
		if p.Errors["doctors.2"] == "" {
			t.Fatalf("ranking a doctor who did not list the hospital: %+v", p)
		}
		w.cityStaff.must(http.StatusOK, "PUT", cityPath+"/ranking", fmt.Sprintf(`{"doctors":[%d,%d]}`, d3, d2), nil)
		w.ruralStaff.must(http.StatusOK, "PUT", ruralPath+"/ranking", fmt.Sprintf(`{"doctors":[%d,%d,%d]}`, d1, d2, d3), nil)
		var k struct {
			Doctors []int64 `json:"doctors"`
		}
		w.officer.must(http.StatusOK, "GET", cityPath+"/ranking", nil, &k)
		if !slices.Equal(k.Doctors, []int64{d3, d2}) {
			t.Fatalf("city ranking: %+v", k)
		}

		// The run waits for the rankings' deadline; a stale version is 409.
		w.officer.must(http.StatusOK, "GET", base, nil, &r)
		w.officer.problem(http.StatusConflict, "POST", base+"/run", fmt.Sprintf(`{"version":%d}`, r.Version+5))
		if p := w.officer.problem(http.StatusUnprocessableEntity, "POST", base+"/run", fmt.Sprintf(`{"version":%d}`, r.Version)); !strings.Contains(p.Detail, "期限") {
			t.Fatalf("run before the deadline: %+v", p)
		}
		w.officer.problem(http.StatusUnprocessableEntity, "GET", base+"/preview", nil)
		w.officer.problem(http.StatusBadRequest, "POST", base+"/run", `{}`)
		env.Clock.Advance(15 * 24 * time.Hour)
		d2Client.problem(http.StatusUnprocessableEntity, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d],"specialty":"内科"}`, w.rural))

		type result struct {
			DoctorID      int64  `json:"doctor_id"`
			InstitutionID *int64 `json:"institution_id"`
		}
		var preview struct {
			Round   apiRound `json:"round"`
			Results []result `json:"results"`
			Areas   []struct {
				AreaName string `json:"area_name"`
				Filled   int    `json:"filled"`
			} `json:"areas"`
			Specialties []struct {
				Specialty string `json:"specialty"`
				Filled    int    `json:"filled"`
			} `json:"specialties"`
			Unmatched  []result `json:"unmatched"`
			Comparison []struct {
				Mechanism string `json:"mechanism"`
				Chosen    bool   `json:"chosen"`
				Matched   int    `json:"matched"`
			} `json:"comparison"`
		}
		w.officer.must(http.StatusOK, "POST", base+"/run", fmt.Sprintf(`{"version":%d}`, r.Version), &preview)
		placed := map[int64]int64{}
		for _, res := range preview.Results {
			if res.InstitutionID != nil {
				placed[res.DoctorID] = *res.InstitutionID
			}
		}
		if placed[d1] != w.rural || placed[d2] != w.rural || placed[d3] != w.city || len(preview.Unmatched) != 0 {
			t.Fatalf("result: %+v", preview.Results)
		}
		if len(preview.Comparison) != 3 || len(preview.Areas) != 2 || len(preview.Specialties) == 0 || preview.Round.Status != "run" {
			t.Fatalf("preview: %+v", preview)
		}
		chosen := slices.IndexFunc(preview.Comparison, func(o struct {
			Mechanism string `json:"mechanism"`
			Chosen    bool   `json:"chosen"`
			Matched   int    `json:"matched"`
		}) bool {
			return o.Chosen
		})
		if chosen < 0 || preview.Comparison[chosen].Mechanism != "fda" || preview.Comparison[chosen].Matched != 3 {
			t.Fatalf("comparison: %+v", preview.Comparison)
		}
		w.officer.must(http.StatusOK, "GET", base+"/preview", nil, &preview)
		// Before publication the doctors see nothing.
		d2Client.problem(http.StatusNotFound, "GET", fmt.Sprintf("%s/placements/%d", base, d2), nil)

		// Publish at the version previewed; the ledgers take the placements.
		w.officer.problem(http.StatusConflict, "POST", base+"/publish", fmt.Sprintf(`{"version":%d}`, preview.Round.Version-1))
		var rep struct {
			Round    apiRound `json:"round"`
			Recorded int      `json:"recorded"`
			Failures []struct {
				Message string `json:"message"`
			} `json:"failures"`
		}
		w.officer.must(http.StatusOK, "POST", base+"/publish", fmt.Sprintf(`{"version":%d}`, preview.Round.Version), &rep)
		if rep.Recorded != 3 || len(rep.Failures) != 0 || rep.Round.Status != "published" {
			t.Fatalf("publish: %+v", rep)
		}
		w.officer.problem(http.StatusUnprocessableEntity, "POST", base+"/run", fmt.Sprintf(`{"version":%d}`, rep.Round.Version))

		// d2 sees their placement and why not the city hospital, naming no other doctor.
		var pl struct {
			InstitutionID *int64 `json:"institution_id"`
			Institution   string `json:"institution"`
			Rank          int    `json:"rank"`
			Reasons       []struct {
				Rank    int    `json:"rank"`
				Kind    string `json:"kind"`
				Message string `json:"message"`
			} `json:"reasons"`
		}
		body := d2Client.must(http.StatusOK, "GET", fmt.Sprintf("%s/placements/%d", base, d2), nil, &pl)
		if pl.InstitutionID == nil || *pl.InstitutionID != w.rural || pl.Rank != 2 || len(pl.Reasons) != 1 ||
			pl.Reasons[0].Rank != 1 || !strings.Contains(pl.Reasons[0].Message, "岡山市民病院") {
			t.Fatalf("d2's placement: %s", body)
		}
		for _, other := range []string{"一条", "三浦", fmt.Sprintf(`"d%d"`, d3), fmt.Sprintf(`"d%d"`, d1), "doctor"} {
			if strings.Contains(body, other) {
				t.Fatalf("d2's placement names %q: %s", other, body)
			}
		}
		d1Client.problem(http.StatusNotFound, "GET", fmt.Sprintf("%s/placements/%d", base, d2), nil)
		d1Client.problem(http.StatusNotFound, "GET", fmt.Sprintf("%s/lists/%d", base, d2), nil)
		var at struct {
			Placements []struct {
				DoctorID int64 `json:"doctor_id"`
			} `json:"placements"`
		}
		w.cityStaff.must(http.StatusOK, "GET", cityPath+"/placements", nil, &at)
		if len(at.Placements) != 1 || at.Placements[0].DoctorID != d3 {
			t.Fatalf("city placements: %+v", at)
		}
		var e struct {
			Placements []struct {
				FiscalYear    int    `json:"fiscal_year"`
				InstitutionID *int64 `json:"institution_id"`
				Class         string `json:"class"`
			} `json:"placements"`
		}
		d2Client.must(http.StatusOK, "GET", fmt.Sprintf("/enrollments/%d", w.enrollments[1]), nil, &e)
		if len(e.Placements) != 1 || e.Placements[0].FiscalYear != w.fy || e.Placements[0].InstitutionID == nil ||
			*e.Placements[0].InstitutionID != w.rural || e.Placements[0].Class != "shortage" {
			t.Fatalf("d2's ledger: %+v", e)
		}
		// Publishing again writes nothing twice.
		w.officer.must(http.StatusOK, "POST", base+"/publish", fmt.Sprintf(`{"version":%d}`, rep.Round.Version), &rep)
		if rep.Recorded != 0 {
			t.Fatalf("publish again: %+v", rep)
		}

		// The exports.
		for _, path := range []string{base + "/export", base + "/result.csv"} {
			got := env.Client().Do(papiRequest(env, w.officer.token, "GET", path, nil))
			if got.Status != http.StatusOK || !strings.HasPrefix(got.Header.Get("Content-Type"), "text/csv") ||
				!strings.HasPrefix(got.Body, "\uFEFF") || !strings.Contains(got.Body, "真庭中央病院") {
				t.Fatalf("GET %s: %d %s %q", path, got.Status, got.Header.Get("Content-Type"), got.Body)
			}
		}
	})
}

// TestRoundsAPIAuthorization is the matrix of the round's routes: another
// prefecture's officer, another doctor, a doctor enrolled nowhere, another
// institution's staff and a read-only token.
func TestRoundsAPIAuthorization(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newRoundWorld(t, env)
		r := w.open(t)
		base := fmt.Sprintf("/rounds/%d", r.ID)
		d1, d2 := w.doctorIDs[0], w.doctorIDs[1]
		w.d1.must(http.StatusOK, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d]}`, w.rural), nil)
		w.d2.must(http.StatusOK, "POST", base+"/lists", fmt.Sprintf(`{"institutions":[%d,%d],"specialty":"内科"}`, w.city, w.rural), nil)
		cityPath := fmt.Sprintf("%s/institutions/%d", base, w.city)
		version := fmt.Sprintf(`{"version":%d}`, r.Version)
		hidden := []int{http.StatusNotFound}
		denied := []int{http.StatusNotFound, http.StatusForbidden}
		readOnly := []int{http.StatusForbidden}
		tests := []struct {
			name         string
			who          papiClient
			method, path string
			body         any
			want         []int
		}{
			{"other prefecture reads the round", w.otherOfficer, "GET", base, nil, hidden},
			{"other prefecture changes the round", w.otherOfficer, "PUT", base, w.roundBody(`,"version":1`), hidden},
			{"other prefecture reads the lists", w.otherOfficer, "GET", base + "/lists", nil, hidden},
			{"other prefecture reads a list", w.otherOfficer, "GET", fmt.Sprintf("%s/lists/%d", base, d1), nil, hidden},
			{"other prefecture runs", w.otherOfficer, "POST", base + "/run", version, hidden},
			{"other prefecture previews", w.otherOfficer, "GET", base + "/preview", nil, hidden},
			{"other prefecture publishes", w.otherOfficer, "POST", base + "/publish", version, hidden},
			{"other prefecture exports", w.otherOfficer, "GET", base + "/export", nil, hidden},
			{"other prefecture exports the result", w.otherOfficer, "GET", base + "/result.csv", nil, hidden},
			{"other prefecture reads a ranking", w.otherOfficer, "GET", cityPath + "/ranking", nil, hidden},
			{"other prefecture lists the rounds", w.otherOfficer, "GET", fmt.Sprintf("/rounds?prefecture=%d", w.pref), nil, denied},
			{"doctor reads another's list", w.d1, "GET", fmt.Sprintf("%s/lists/%d", base, d2), nil, hidden},
			{"doctor reads another's placement", w.d1, "GET", fmt.Sprintf("%s/placements/%d", base, d2), nil, hidden},
			{"doctor reads every list", w.d1, "GET", base + "/lists", nil, denied},
			{"doctor reads candidates", w.d1, "GET", cityPath + "/candidates", nil, hidden},
			{"doctor ranks", w.d1, "PUT", cityPath + "/ranking", map[string]any{"doctors": []int64{d1}}, hidden},
			{"doctor runs", w.d1, "POST", base + "/run", version, denied},
			{"doctor exports", w.d1, "GET", base + "/export", nil, denied},
			{"unenrolled doctor reads the round", w.peer, "GET", base, nil, hidden},
			{"unenrolled doctor submits a list", w.peer, "POST", base + "/lists", map[string]any{"institutions": []int64{w.rural}}, hidden},
			{"rural staff reads the city's candidates", w.ruralStaff, "GET", cityPath + "/candidates", nil, hidden},
			{"rural staff ranks for the city", w.ruralStaff, "PUT", cityPath + "/ranking", map[string]any{"doctors": []int64{d2}}, hidden},
			{"staff previews", w.cityStaff, "GET", base + "/preview", nil, denied},
			{"staff reads a doctor's list", w.cityStaff, "GET", fmt.Sprintf("%s/lists/%d", base, d2), nil, hidden},
			{"read token changes the round", w.officerRead, "PUT", base, w.roundBody(`,"version":1`), readOnly},
			{"read token opens a round", w.officerRead, "POST", "/rounds", w.roundBody(""), readOnly},
			{"read token runs", w.officerRead, "POST", base + "/run", version, readOnly},
			{"read token publishes", w.officerRead, "POST", base + "/publish", version, readOnly},
			{"anonymous reads the round", papiClient{t: t, env: env}, "GET", base, nil, []int{http.StatusUnauthorized}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got := env.Client().Do(papiRequest(env, tt.who.token, tt.method, tt.path, tt.body))
				if !slices.Contains(tt.want, got.Status) || !strings.HasPrefix(got.Header.Get("Content-Type"), "application/problem+json") {
					t.Errorf("%s %s: %d %s, want %v problem+json: %s", tt.method, tt.path, got.Status, got.Header.Get("Content-Type"), tt.want, got.Body)
				}
			})
		}
		// What the matrix refused did not happen; the read token still reads.
		var after apiRound
		w.officerRead.must(http.StatusOK, "GET", base, nil, &after)
		if after.Version != r.Version || after.Status != "open" {
			t.Fatalf("round changed by a refused request: %+v", after)
		}
	})
}
