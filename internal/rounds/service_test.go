package rounds_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/rounds"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// world is a prefecture with its program, two medical areas (県南東部, a
// surplus area, and 真庭, a shortage area), two participating hospitals and
// one that does not take part, three enrolled doctors and one who is not,
// and another prefecture, on a real database.
type world struct {
	t                     *testing.T
	ctx                   context.Context
	db                    *sqlstore.DB
	reg                   *regional.Service
	svc                   *rounds.Service
	now                   time.Time
	pref, otherPref       int64
	city, rural, outsider int64 // 岡山市民病院 (surplus), 真庭中央病院 (shortage), not in the round
	south, north          *regional.Area
	program               *obligation.Program
	officer, otherOff     policy.Actor
	cityStaff, ruralStaff policy.Actor
	outsiderStaff         policy.Actor
	d1, d2, d3, peer      policy.Actor // d1's plan puts 2027 in a shortage area; peer is enrolled nowhere
	enrollments           map[int64]*regional.Enrollment
}

func newWorld(t *testing.T, engine sqlstore.Dialect) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: sqlstoretest.Open(t, engine),
		now: time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC), enrollments: map[int64]*regional.Enrollment{}}
	w.db.Now = func() time.Time { return w.now }
	rec := &audit.Recorder{Store: w.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	g := &guard.Guard{Audit: rec}
	clock := func() time.Time { return w.now }
	w.reg = &regional.Service{Store: w.db, Guard: g, Audit: rec, Now: clock}
	w.svc = &rounds.Service{Store: w.db, Regional: w.reg, Guard: g, Audit: rec, Now: clock}

	w.pref = w.org(identity.OrgPrefecture, "岡山県")
	w.otherPref = w.org(identity.OrgPrefecture, "広島県")
	w.city = w.org(identity.OrgInstitution, "岡山市民病院")
	w.rural = w.org(identity.OrgInstitution, "真庭中央病院")
	w.outsider = w.org(identity.OrgInstitution, "広島中央病院")
	w.officer = w.user("officer@pref.okayama.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.pref})
	w.otherOff = w.user("officer@pref.hiroshima.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.otherPref})
	w.cityStaff = w.user("staff@city.example.jp", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: w.city})
	w.ruralStaff = w.user("staff@maniwa.example.jp", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: w.rural})
	w.outsiderStaff = w.user("staff@hiroshima.example.jp", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: w.outsider})
	w.d1 = w.user("d1@example.jp", identity.Grant{Role: identity.RoleDoctor})
	w.d2 = w.user("d2@example.jp", identity.Grant{Role: identity.RoleDoctor})
	w.d3 = w.user("d3@example.jp", identity.Grant{Role: identity.RoleDoctor})
	w.peer = w.user("peer@example.jp", identity.Grant{Role: identity.RoleDoctor})

	w.program = &obligation.Program{PrefectureOrgID: w.pref, Name: "岡山県地域枠キャリア形成プログラム", TotalYears: 9,
		MinShortageYears: 4, Specialties: []string{"内科", "総合診療"}, DeadlineYears: 12,
		SuspensionCaps: map[obligation.SuspensionReason]int{obligation.SuspendChildcare: 24}}
	noErr(t, w.reg.CreateProgram(w.ctx, w.officer, w.program))
	w.south = &regional.Area{PrefectureOrgID: w.pref, Area: obligation.Area{Code: "33-01", Name: "県南東部"}}
	w.north = &regional.Area{PrefectureOrgID: w.pref, Area: obligation.Area{Code: "33-05", Name: "真庭"}}
	noErr(t, w.reg.SaveArea(w.ctx, w.officer, w.south))
	noErr(t, w.reg.SaveArea(w.ctx, w.officer, w.north))
	for y := 2024; y <= 2030; y++ {
		noErr(t, w.reg.SetAreaClass(w.ctx, w.officer, w.south.ID, y, obligation.AreaSurplus))
		noErr(t, w.reg.SetAreaClass(w.ctx, w.officer, w.north.ID, y, obligation.AreaShortage))
	}
	for _, d := range []policy.Actor{w.d1, w.d2, w.d3} {
		e := must(w.reg.Enroll(w.ctx, w.officer, regional.EnrollRequest{ProgramID: w.program.ID, DoctorID: d.UserID, StartYear: 2025}))(t)
		w.enrollments[d.UserID] = e
	}
	// d1 and their coordinator planned 2027 in a shortage area.
	must(w.reg.CreatePlan(w.ctx, w.d1, &obligation.Plan{EnrollmentID: w.enrollments[w.d1.UserID].ID, Name: "A案",
		Years: []obligation.PlanYear{{FiscalYear: 2027, Kind: obligation.PlanService, Months: 12, Class: obligation.AreaShortage,
			AreaCode: "33-05", Specialty: "内科"}}}))(t)
	return w
}

func (w *world) org(kind identity.OrgKind, name string) int64 {
	o := &identity.Organisation{Kind: kind, Name: name}
	if err := w.db.CreateOrganisation(w.ctx, o); err != nil {
		w.t.Fatal(err)
	}
	return o.ID
}

func (w *world) user(email string, g identity.Grant) policy.Actor {
	u := &identity.User{Email: email, DisplayName: strings.Split(email, "@")[0], PasswordHash: "x", Locale: "ja"}
	if err := w.db.CreateUser(w.ctx, u, []identity.Grant{g}); err != nil {
		w.t.Fatal(err)
	}
	return policy.Actor{UserID: u.ID, Grants: []identity.Grant{g}}
}

// must returns v, failing the test if err is set: must(f())(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		noErr(t, err)
		return v
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v (fields %v)", err, apperr.FieldsOf(err))
	}
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("error = %v, want %s", err, code)
	}
}

// wantField checks that err is invalid with a message on field that
// contains want.
func wantField(t *testing.T, err error, field, want string) {
	t.Helper()
	wantCode(t, err, apperr.Invalid)
	if msg := apperr.FieldsOf(err)[field]; !strings.Contains(msg, want) {
		t.Fatalf("message on %q = %q, want it to contain %q (all: %v)", field, msg, want, apperr.FieldsOf(err))
	}
}

// open opens the 2027 round: the city hospital (surplus area, two seats,
// 内科 only) and the rural one (shortage area, two seats), with the surplus
// area capped at one doctor, under fda.
func (w *world) open(t *testing.T) *rounds.Round {
	t.Helper()
	r := &rounds.Round{PrefectureOrgID: w.pref, ProgramID: w.program.ID, FiscalYear: 2027, Name: "2027年度 地域枠医師の配置",
		Mechanism: match.FDA, ListsDue: time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), RankingsDue: time.Date(2026, 12, 15, 0, 0, 0, 0, time.UTC),
		Institutions: []rounds.Institution{
			{OrgID: w.city, AreaID: w.south.ID, Capacity: 2, Specialties: []string{"内科"}},
			{OrgID: w.rural, AreaID: w.north.ID, Capacity: 2},
		},
		Caps: []rounds.AreaCap{{AreaID: w.south.ID, Cap: 1}},
	}
	_, err := w.svc.OpenRound(w.ctx, w.otherOff, r)
	wantCode(t, err, apperr.Forbidden)
	bad := *r
	bad.Institutions = []rounds.Institution{{OrgID: w.otherPref, AreaID: w.south.ID, Capacity: 0}}
	_, err = w.svc.OpenRound(w.ctx, w.officer, &bad)
	wantField(t, err, "institutions.1.org_id", "医療機関")
	wantField(t, err, "institutions.1.capacity", "定員")
	return must(w.svc.OpenRound(w.ctx, w.officer, r))(t)
}

func TestRoundYear(t *testing.T) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			r := w.open(t)
			if r.Version != 1 || r.Status != rounds.StatusOpen || len(r.Institutions) != 2 ||
				r.Institutions[0].Class != obligation.AreaSurplus || r.Institutions[1].Class != obligation.AreaShortage ||
				len(r.Caps) != 1 || r.Caps[0].AreaName != "県南東部" || r.ProgramName == "" {
				t.Fatalf("opened round: %+v", r)
			}

			// Lists. d1's plan puts 2027 in a shortage area: the city hospital is refused, with why.
			_, err := w.svc.SubmitList(w.ctx, w.d1, r.ID, rounds.ListRequest{Institutions: []int64{w.rural, w.city}})
			wantField(t, err, "institutions.2", "複数年計画「A案」で2027年度を医師少数区域での勤務としている")
			l1 := must(w.svc.SubmitList(w.ctx, w.d1, r.ID, rounds.ListRequest{Institutions: []int64{w.rural}}))(t)
			if l1.Specialty != "内科" || l1.PlanID == 0 {
				t.Fatalf("d1's list takes the plan's specialty and plan: %+v", l1)
			}
			// The specialty restriction: the program's and the institution's.
			_, err = w.svc.SubmitList(w.ctx, w.d3, r.ID, rounds.ListRequest{Institutions: []int64{w.city}, Specialty: "皮膚科"})
			wantField(t, err, "specialty", "対象診療科")
			_, err = w.svc.SubmitList(w.ctx, w.d3, r.ID, rounds.ListRequest{Institutions: []int64{w.city, w.rural}, Specialty: "総合診療"})
			wantField(t, err, "institutions.1", "総合診療の医師を受け入れていません")
			_, err = w.svc.SubmitList(w.ctx, w.d3, r.ID, rounds.ListRequest{Institutions: []int64{w.city, w.outsider}, Specialty: "内科"})
			wantField(t, err, "institutions.2", "参加していない")
			must(w.svc.SubmitList(w.ctx, w.d3, r.ID, rounds.ListRequest{Institutions: []int64{w.city, w.rural}, Specialty: "内科"}))(t)
			must(w.svc.SubmitList(w.ctx, w.d2, r.ID, rounds.ListRequest{Institutions: []int64{w.rural}, Specialty: "内科"}))(t)
			// A resubmission replaces the list.
			must(w.svc.SubmitList(w.ctx, w.d2, r.ID, rounds.ListRequest{Institutions: []int64{w.city, w.rural}, Specialty: "内科"}))(t)
			if l := must(w.svc.DoctorList(w.ctx, w.d2, r.ID, w.d2.UserID))(t); len(l.Institutions) != 2 || l.Institutions[0] != w.city {
				t.Fatalf("d2's list: %+v", l)
			}
			// A doctor in no program of the prefecture does not see the round.
			_, err = w.svc.SubmitList(w.ctx, w.peer, r.ID, rounds.ListRequest{Institutions: []int64{w.rural}})
			wantCode(t, err, apperr.NotFound)

			// Rankings: the staff see who listed them, and rank only those.
			cands := must(w.svc.Candidates(w.ctx, w.cityStaff, r.ID, w.city))(t)
			if len(cands) != 2 {
				t.Fatalf("the city hospital's candidates: %+v", cands)
			}
			_, err = w.svc.SubmitRanking(w.ctx, w.cityStaff, r.ID, w.city, []int64{w.d1.UserID})
			wantField(t, err, "doctors.1", "希望していない")
			must(w.svc.SubmitRanking(w.ctx, w.cityStaff, r.ID, w.city, []int64{w.d3.UserID, w.d2.UserID}))(t)

			// Deadlines: a late list is refused; the rankings are still open.
			w.now = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
			_, err = w.svc.SubmitList(w.ctx, w.d2, r.ID, rounds.ListRequest{Institutions: []int64{w.rural}, Specialty: "内科"})
			wantCode(t, err, apperr.Invalid)
			if !strings.Contains(apperr.MessageOf(err), "提出期限") {
				t.Fatalf("late list: %v", err)
			}
			must(w.svc.SubmitRanking(w.ctx, w.ruralStaff, r.ID, w.rural, []int64{w.d1.UserID, w.d2.UserID, w.d3.UserID}))(t)
			_, err = w.svc.Run(w.ctx, w.officer, r.ID, r.Version)
			wantCode(t, err, apperr.Invalid) // the rankings are not closed yet
			w.now = time.Date(2026, 12, 16, 0, 0, 0, 0, time.UTC)
			_, err = w.svc.SubmitRanking(w.ctx, w.ruralStaff, r.ID, w.rural, []int64{w.d2.UserID})
			wantCode(t, err, apperr.Invalid)

			// Run and preview. Under fda the city hospital's area is capped at one:
			// d3 gets it, d2 goes to the rural hospital with d1.
			_, err = w.svc.Run(w.ctx, w.officer, r.ID, r.Version+1)
			wantCode(t, err, apperr.Conflict)
			p := must(w.svc.Run(w.ctx, w.officer, r.ID, r.Version))(t)
			placed := map[int64]int64{}
			for _, res := range p.Results {
				placed[res.DoctorID] = res.InstitutionID
			}
			if placed[w.d1.UserID] != w.rural || placed[w.d2.UserID] != w.rural || placed[w.d3.UserID] != w.city || len(p.Unmatched) != 0 {
				t.Fatalf("placements: %v", placed)
			}
			if len(p.Areas) != 2 || p.Areas[0].Filled != 1 || *p.Areas[0].Cap != 1 || p.Areas[1].Filled != 2 {
				t.Fatalf("fill by area: %+v", p.Areas)
			}
			if len(p.Specialties) != 1 || p.Specialties[0].Specialty != "内科" || p.Specialties[0].Filled != 3 {
				t.Fatalf("fill by specialty: %+v", p.Specialties)
			}
			if len(p.MissingRankings) != 0 || len(p.Comparison) != 3 {
				t.Fatalf("preview: %+v", p)
			}
			byMech := map[match.Mechanism]rounds.Outcome{}
			for _, o := range p.Comparison {
				byMech[o.Mechanism] = o
			}
			// da ignores the cap and puts two doctors in the surplus area.
			if da := byMech[match.DA]; da.Areas[0].Filled != 2 || len(da.Notes) == 0 || da.Chosen {
				t.Fatalf("da: %+v", da)
			}
			if fda := byMech[match.FDA]; !fda.Chosen || fda.Matched != 3 || fda.BlockingPairs != 0 || fda.Excused != 1 || len(fda.Violations) != 0 {
				t.Fatalf("fda: %+v", fda)
			}
			if jrmp := byMech[match.JRMP]; jrmp.Areas[0].Filled != 1 || jrmp.BlockingPairs != 0 {
				t.Fatalf("jrmp: %+v", jrmp)
			}

			// Before publication the doctors see nothing; the officer does.
			_, err = w.svc.DoctorPlacement(w.ctx, w.d2, r.ID, w.d2.UserID)
			wantCode(t, err, apperr.NotFound)
			must(w.svc.DoctorPlacement(w.ctx, w.officer, r.ID, w.d2.UserID))(t)

			r = must(w.svc.Round(w.ctx, w.officer, r.ID))(t)
			rep := must(w.svc.Publish(w.ctx, w.officer, r.ID, r.Version))(t)
			if rep.Recorded != 3 || len(rep.Failures) != 0 || rep.Round.Status != rounds.StatusPublished {
				t.Fatalf("publish: %+v", rep)
			}
			// Publishing again records nothing twice.
			rep = must(w.svc.Publish(w.ctx, w.officer, r.ID, rep.Round.Version))(t)
			if rep.Recorded != 0 {
				t.Fatalf("publish again: %+v", rep)
			}

			// The ledgers hold the placements, with the area's class that year.
			v := must(w.reg.MyEnrollments(w.ctx, w.d2))(t)
			if len(v) != 1 || len(v[0].Entries.Placements) != 1 {
				t.Fatalf("d2's ledger: %+v", v)
			}
			if pl := v[0].Entries.Placements[0]; pl.FiscalYear != 2027 || pl.Months != 12 || pl.InstitutionID != w.rural ||
				pl.AreaCode != "33-05" || pl.Class != obligation.AreaShortage || pl.Specialty != "内科" {
				t.Fatalf("d2's placement: %+v", pl)
			}

			// Each doctor sees their placement and why not a higher choice.
			mine := must(w.svc.DoctorPlacement(w.ctx, w.d2, r.ID, w.d2.UserID))(t)
			if mine.InstitutionID != w.rural || mine.Rank != 2 || len(mine.Reasons) != 1 {
				t.Fatalf("d2's placement: %+v", mine)
			}
			why := mine.Reasons[0]
			if why.Kind != match.RegionCap || why.Institution != "岡山市民病院" || !strings.Contains(why.Message, "県南東部の配置上限（1人）") {
				t.Fatalf("why not the city hospital: %+v", why)
			}
			if strings.Contains(why.Message, "d3") {
				t.Fatalf("the explanation names another doctor: %q", why.Message)
			}
			if top := must(w.svc.DoctorPlacement(w.ctx, w.d1, r.ID, w.d1.UserID))(t); top.Rank != 1 || len(top.Reasons) != 0 {
				t.Fatalf("d1's placement: %+v", top)
			}
			staff := must(w.svc.InstitutionPlacements(w.ctx, w.ruralStaff, r.ID, w.rural))(t)
			if len(staff) != 2 {
				t.Fatalf("placed at the rural hospital: %+v", staff)
			}

			// A published round is fixed.
			_, err = w.svc.Run(w.ctx, w.officer, r.ID, rep.Round.Version)
			wantCode(t, err, apperr.Invalid)

			// CSV: UTF-8 with a BOM, a header and a row per institution or doctor.
			var buf bytes.Buffer
			noErr(t, w.svc.WriteRoundCSV(w.ctx, w.officer, r.ID, &buf))
			if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")) || !strings.Contains(buf.String(), "真庭中央病院") ||
				strings.Count(buf.String(), "\r\n") != 3 {
				t.Fatalf("round CSV:\n%s", buf.String())
			}
			buf.Reset()
			noErr(t, w.svc.WriteResultCSV(w.ctx, w.officer, r.ID, &buf))
			if !bytes.HasPrefix(buf.Bytes(), []byte("\uFEFF")) || strings.Count(buf.String(), "\r\n") != 4 ||
				!strings.Contains(buf.String(), "県南東部の配置上限") {
				t.Fatalf("result CSV:\n%s", buf.String())
			}
			wantCode(t, w.svc.WriteResultCSV(w.ctx, w.cityStaff, r.ID, &buf), apperr.Forbidden)
		})
	}
}

// TestRoundAuthorization: another prefecture's officer, another doctor and
// a hospital outside the round see nothing of it.
func TestRoundAuthorization(t *testing.T) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			r := w.open(t)
			must(w.svc.SubmitList(w.ctx, w.d1, r.ID, rounds.ListRequest{Institutions: []int64{w.rural}}))(t)
			must(w.svc.SubmitList(w.ctx, w.d2, r.ID, rounds.ListRequest{Institutions: []int64{w.city}, Specialty: "内科"}))(t)
			must(w.svc.SubmitRanking(w.ctx, w.ruralStaff, r.ID, w.rural, []int64{w.d1.UserID}))(t)
			w.now = time.Date(2026, 12, 16, 0, 0, 0, 0, time.UTC)
			must(w.svc.Run(w.ctx, w.officer, r.ID, r.Version))(t)
			r = must(w.svc.Round(w.ctx, w.officer, r.ID))(t)
			must(w.svc.Publish(w.ctx, w.officer, r.ID, r.Version))(t)

			type call struct {
				name string
				fn   func(a policy.Actor) error
			}
			calls := []call{
				{"round", func(a policy.Actor) error { _, err := w.svc.Round(w.ctx, a, r.ID); return err }},
				{"lists", func(a policy.Actor) error { _, err := w.svc.Lists(w.ctx, a, r.ID); return err }},
				{"preview", func(a policy.Actor) error { _, err := w.svc.Preview(w.ctx, a, r.ID); return err }},
				{"d1's list", func(a policy.Actor) error { _, err := w.svc.DoctorList(w.ctx, a, r.ID, w.d1.UserID); return err }},
				{"d1's placement", func(a policy.Actor) error { _, err := w.svc.DoctorPlacement(w.ctx, a, r.ID, w.d1.UserID); return err }},
				{"rural ranking", func(a policy.Actor) error { _, err := w.svc.Ranking(w.ctx, a, r.ID, w.rural); return err }},
				{"rural placements", func(a policy.Actor) error {
					_, err := w.svc.InstitutionPlacements(w.ctx, a, r.ID, w.rural)
					return err
				}},
				{"rural candidates", func(a policy.Actor) error { _, err := w.svc.Candidates(w.ctx, a, r.ID, w.rural); return err }},
				{"outsider ranking", func(a policy.Actor) error {
					_, err := w.svc.SubmitRanking(w.ctx, a, r.ID, w.outsider, nil)
					return err
				}},
			}
			actors := []struct {
				name string
				a    policy.Actor
				want map[string]apperr.Code // calls not named here: not_found
			}{
				{"officer", w.officer, map[string]apperr.Code{"round": "", "lists": "", "preview": "", "d1's list": "",
					"d1's placement": "", "rural ranking": "", "rural placements": "", "rural candidates": ""}},
				{"other prefecture's officer", w.otherOff, nil},
				{"d1", w.d1, map[string]apperr.Code{"round": "", "lists": apperr.Forbidden, "preview": apperr.Forbidden,
					"d1's list": "", "d1's placement": ""}},
				{"another doctor", w.d2, map[string]apperr.Code{"round": "", "lists": apperr.Forbidden, "preview": apperr.Forbidden}},
				{"a doctor in no program", w.peer, nil},
				{"rural staff", w.ruralStaff, map[string]apperr.Code{"round": "", "lists": apperr.Forbidden, "preview": apperr.Forbidden,
					"rural ranking": "", "rural placements": "", "rural candidates": ""}},
				{"city staff", w.cityStaff, map[string]apperr.Code{"round": "", "lists": apperr.Forbidden, "preview": apperr.Forbidden}},
				{"a hospital outside the round", w.outsiderStaff, nil},
			}
			for _, ac := range actors {
				for _, c := range calls {
					want, named := ac.want[c.name]
					if !named {
						want = apperr.NotFound
					}
					if got := apperr.CodeOf(c.fn(ac.a)); got != want {
						t.Errorf("%s, %s: got %q, want %q", ac.name, c.name, got, want)
					}
				}
			}
		})
	}
}

// TestRoundUpdate: officers edit a round at the version they saw; an
// institution a doctor listed stays; a new run starts from open again.
func TestRoundUpdate(t *testing.T) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			w := newWorld(t, engine)
			r := w.open(t)
			must(w.svc.SubmitList(w.ctx, w.d2, r.ID, rounds.ListRequest{Institutions: []int64{w.city}, Specialty: "内科"}))(t)

			a, b := *r, *r
			a.Mechanism = match.JRMP
			r2 := must(w.svc.UpdateRound(w.ctx, w.officer, &a))(t)
			if r2.Version != 2 || r2.Mechanism != match.JRMP {
				t.Fatalf("updated: %+v", r2)
			}
			b.Name = "別の名前"
			_, err := w.svc.UpdateRound(w.ctx, w.officer, &b) // saw version 1
			wantCode(t, err, apperr.Conflict)
			c := *r2
			c.Institutions = r2.Institutions[1:]
			_, err = w.svc.UpdateRound(w.ctx, w.officer, &c)
			wantField(t, err, "institutions", "岡山市民病院はすでに医師の希望に含まれている")
			d := *r2
			_, err = w.svc.UpdateRound(w.ctx, w.otherOff, &d)
			wantCode(t, err, apperr.NotFound)
			_, err = w.svc.UpdateRound(w.ctx, w.d2, &d)
			wantCode(t, err, apperr.Forbidden) // d2 sees the round, and may not change it
		})
	}
}
