package regional_test

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// world is a prefecture with its officer, another prefecture, a
// university CC office and another university, a hospital, doctors and a
// platform administrator, on a real database.
type world struct {
	t                    *testing.T
	ctx                  context.Context
	db                   *sqlstore.DB
	svc                  *regional.Service
	now                  time.Time
	pref, otherPref      int64
	univ, otherUniv      int64
	hospital             int64
	officer, otherOff    policy.Actor
	cc, otherCC          policy.Actor
	doctor, second, peer policy.Actor // peer is a doctor in no program
	admin                policy.Actor
}

func eachEngine(t *testing.T, fn func(t *testing.T, engine sqlstore.Dialect)) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, engine) })
	}
}

func newWorld(t *testing.T, engine sqlstore.Dialect) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: sqlstoretest.Open(t, engine),
		now: time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)} // fiscal 2026, seven months ended
	w.db.Now = func() time.Time { return w.now }
	rec := &audit.Recorder{Store: w.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	w.svc = &regional.Service{Store: w.db, Guard: &guard.Guard{Audit: rec}, Audit: rec, Now: func() time.Time { return w.now }}

	w.pref = w.org(identity.OrgPrefecture, "岡山県")
	w.otherPref = w.org(identity.OrgPrefecture, "広島県")
	w.univ = w.org(identity.OrgUniversity, "岡山大学 キャリア支援センター")
	w.otherUniv = w.org(identity.OrgUniversity, "川崎医科大学 キャリア支援室")
	w.hospital = w.org(identity.OrgInstitution, "真庭中央病院")
	platform := w.org(identity.OrgPlatform, "運営")
	w.officer = w.user("officer@pref.okayama.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.pref})
	w.otherOff = w.user("officer@pref.hiroshima.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.otherPref, OrgAdmin: true})
	w.cc = w.user("cc@okayama-u.example.jp", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.univ})
	w.otherCC = w.user("cc@kawasaki-m.example.jp", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.otherUniv, OrgAdmin: true})
	w.doctor = w.user("doctor@example.jp", identity.Grant{Role: identity.RoleDoctor})
	w.second = w.user("second@example.jp", identity.Grant{Role: identity.RoleDoctor})
	w.peer = w.user("peer@example.jp", identity.Grant{Role: identity.RoleDoctor})
	w.admin = w.user("admin@hakui.example.jp", identity.Grant{Role: identity.RoleAdmin, OrgID: platform, OrgAdmin: true})
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

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	wantCode(t, err, apperr.Invalid)
	if apperr.FieldsOf(err)[field] == "" {
		t.Fatalf("no message on %q: %v", field, apperr.FieldsOf(err))
	}
}

// setUp is the prefecture's program (9 years, 4 in shortage areas, 内科 and
// 総合診療 only) and two medical areas classed from 2018 to 2040.
func (w *world) setUp(t *testing.T) *obligation.Program {
	t.Helper()
	p := &obligation.Program{PrefectureOrgID: w.pref, Name: "岡山県地域枠キャリア形成プログラム（内科・総合診療）",
		TotalYears: 9, MinShortageYears: 4, Specialties: []string{"総合診療", "内科"}, DeadlineYears: 12,
		SuspensionCaps: map[obligation.SuspensionReason]int{obligation.SuspendChildbirth: 12, obligation.SuspendChildcare: 24, obligation.SuspendStudy: 12},
		StartBasis:     "卒業の翌年度"}
	wantCode(t, w.svc.CreateProgram(w.ctx, w.cc, p), apperr.Forbidden)
	wantCode(t, w.svc.CreateProgram(w.ctx, w.otherOff, p), apperr.Forbidden)
	bad := *p
	bad.Specialties = []string{"歯科"}
	wantField(t, w.svc.CreateProgram(w.ctx, w.officer, &bad), "specialties")
	noErr(t, w.svc.CreateProgram(w.ctx, w.officer, p))
	if p.Prefecture != "岡山県" || p.Version != 1 || !slices.Equal(p.Specialties, []string{"内科", "総合診療"}) {
		t.Fatalf("created program: %+v", p)
	}

	south := &regional.Area{PrefectureOrgID: w.pref, Area: obligation.Area{Code: "33-01", Name: "県南東部"}}
	north := &regional.Area{PrefectureOrgID: w.pref, Area: obligation.Area{Code: "33-05", Name: "真庭"}}
	noErr(t, w.svc.SaveArea(w.ctx, w.officer, south))
	noErr(t, w.svc.SaveArea(w.ctx, w.officer, north))
	wantField(t, w.svc.SaveArea(w.ctx, w.officer, &regional.Area{PrefectureOrgID: w.pref, Area: obligation.Area{Code: "33-05", Name: "x"}}), "code")
	wantCode(t, w.svc.SaveArea(w.ctx, w.otherOff, &regional.Area{PrefectureOrgID: w.pref, Area: obligation.Area{Code: "33-09", Name: "x"}}), apperr.Forbidden)
	for y := 2018; y <= 2040; y++ {
		noErr(t, w.svc.SetAreaClass(w.ctx, w.officer, south.ID, y, obligation.AreaSurplus))
		noErr(t, w.svc.SetAreaClass(w.ctx, w.officer, north.ID, y, obligation.AreaShortage))
	}
	wantCode(t, w.svc.SetAreaClass(w.ctx, w.cc, north.ID, 2026, obligation.AreaSurplus), apperr.Forbidden)
	areas := must(w.svc.Areas(w.ctx, w.doctor, w.pref))(t)
	if len(areas) != 2 || areas[1].Classes[2026] != obligation.AreaShortage {
		t.Fatalf("areas: %+v", areas)
	}
	// Programs are public rules to doctors and coordinators, not to others.
	must(w.svc.Program(w.ctx, w.otherCC, p.ID))(t)
	_, err := w.svc.Program(w.ctx, w.admin, p.ID)
	wantCode(t, err, apperr.NotFound)
	return p
}

func (w *world) enroll(t *testing.T, actor policy.Actor, p *obligation.Program, doctor string, start int) *regional.Enrollment {
	t.Helper()
	return must(w.svc.Enroll(w.ctx, actor, regional.EnrollRequest{ProgramID: p.ID, DoctorEmail: doctor, CoordinatorOrgID: w.univ, StartYear: start}))(t)
}

func placement(year, months int, area, stage, specialty string) obligation.Placement {
	return obligation.Placement{FiscalYear: year, Months: months, Institution: "真庭中央病院", AreaCode: area,
		TrainingStage: stage, Specialty: specialty}
}

func TestRegionalYear(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqlstore.Dialect) {
		w := newWorld(t, engine)
		p := w.setUp(t)

		// Enrolment: by the officer or by the CC office for itself.
		e := w.enroll(t, w.officer, p, " Doctor@Example.jp ", 2024)
		if e.DoctorID != w.doctor.UserID || e.CoordinatorOrgID != w.univ || e.PrefectureOrgID != w.pref || e.Version != 1 {
			t.Fatalf("enrolment: %+v", e)
		}
		_, err := w.svc.Enroll(w.ctx, w.officer, regional.EnrollRequest{ProgramID: p.ID, DoctorID: w.doctor.UserID, StartYear: 2024})
		wantField(t, err, "doctor")
		_, err = w.svc.Enroll(w.ctx, w.officer, regional.EnrollRequest{ProgramID: p.ID, DoctorEmail: "cc@okayama-u.example.jp", StartYear: 2024})
		wantField(t, err, "doctor")
		_, err = w.svc.Enroll(w.ctx, w.otherCC, regional.EnrollRequest{ProgramID: p.ID, DoctorEmail: "second@example.jp", CoordinatorOrgID: w.univ, StartYear: 2018})
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.Enroll(w.ctx, w.doctor, regional.EnrollRequest{ProgramID: p.ID, DoctorEmail: "doctor@example.jp", StartYear: 2024})
		wantCode(t, err, apperr.Forbidden)
		late := w.enroll(t, w.cc, p, "second@example.jp", 2018)

		// The coordinator keeps the ledger: two years of 初期研修, then 専門研修
		// in a shortage area and 育児 from October.
		v := must(w.svc.AddPlacement(w.ctx, w.cc, e.ID, 1, placement(2024, 12, "33-01", "junior_resident", "")))(t)
		v = must(w.svc.AddPlacement(w.ctx, w.cc, e.ID, v.Enrollment.Version, placement(2025, 12, "33-05", "junior_resident", "")))(t)
		v = must(w.svc.AddPlacement(w.ctx, w.cc, e.ID, v.Enrollment.Version, placement(2026, 6, "33-05", "specialty_resident", "内科")))(t)
		v = must(w.svc.AddSuspension(w.ctx, w.cc, e.ID, v.Enrollment.Version,
			obligation.Suspension{FiscalYear: 2026, Months: 6, Reason: obligation.SuspendChildcare, Note: "育児休業"}))(t)
		if v.Enrollment.Version != 5 || len(v.Entries.Placements) != 3 || len(v.Entries.Suspensions) != 1 {
			t.Fatalf("ledger: version %d, %+v", v.Enrollment.Version, v.Entries)
		}
		if got := v.Entries.Placements[1]; got.Class != obligation.AreaShortage || got.Area != "真庭" || got.RecordedBy != w.cc.UserID {
			t.Fatalf("placement as recorded: %+v", got)
		}
		// The year is full; 外科 is not in the program; the area must be the prefecture's.
		_, err = w.svc.AddPlacement(w.ctx, w.cc, e.ID, v.Enrollment.Version, placement(2026, 1, "33-05", "specialty_resident", "内科"))
		wantField(t, err, "months")
		_, err = w.svc.AddPlacement(w.ctx, w.cc, e.ID, v.Enrollment.Version, placement(2027, 12, "33-05", "specialty_resident", "外科"))
		wantField(t, err, "specialty")
		_, err = w.svc.AddPlacement(w.ctx, w.cc, e.ID, v.Enrollment.Version, placement(2027, 12, "34-01", "specialty_resident", "内科"))
		wantField(t, err, "area_code")
		_, err = w.svc.AddSuspension(w.ctx, w.cc, e.ID, v.Enrollment.Version, obligation.Suspension{FiscalYear: 2027, Months: 3, Reason: obligation.SuspendIllness})
		wantField(t, err, "reason")
		// A stale version loses nothing: it is refused.
		_, err = w.svc.AddPlacement(w.ctx, w.cc, e.ID, 4, placement(2027, 12, "33-05", "specialty_resident", "内科"))
		wantCode(t, err, apperr.Conflict)

		// The status, with the reasons, as the coordinator sees it.
		v = must(w.svc.Enrollment(w.ctx, w.cc, e.ID))(t)
		s := v.Summary
		if s.ServedMonths != 30 || s.ShortageMonths != 18 || s.SuspendedMonths[obligation.SuspendChildcare] != 6 ||
			s.RemainingMonths != 78 || !s.Possible || s.Status != obligation.OnTrack {
			t.Fatalf("summary: %+v", s)
		}
		lv := must(w.svc.AddPlacement(w.ctx, w.cc, late.ID, late.Version, placement(2018, 12, "33-01", "junior_resident", "")))(t)
		must(w.svc.AddPlacement(w.ctx, w.cc, late.ID, lv.Enrollment.Version, placement(2019, 12, "33-01", "junior_resident", "")))(t)
		list := must(w.svc.Enrollments(w.ctx, w.cc, regional.EnrollmentFilter{CoordinatorOrgID: w.univ}))(t)
		if len(list) != 2 {
			t.Fatalf("the CC office follows %d doctors", len(list))
		}
		for _, x := range list {
			if x.Enrollment.ID == late.ID && (x.Summary.Status != obligation.CannotComplete || len(x.Summary.Reasons) == 0) {
				t.Fatalf("a late start: %+v", x.Summary)
			}
		}
		stuck := must(w.svc.Enrollments(w.ctx, w.officer, regional.EnrollmentFilter{ProgramID: p.ID, Status: obligation.CannotComplete}))(t)
		if len(stuck) != 1 || stuck[0].Enrollment.ID != late.ID {
			t.Fatalf("cannot_complete: %d", len(stuck))
		}
		mine := must(w.svc.MyEnrollments(w.ctx, w.doctor))(t)
		if len(mine) != 1 || mine[0].Summary.Status != obligation.OnTrack {
			t.Fatalf("the doctor's own enrolments: %+v", mine)
		}
		// The doctor reads their own ledger and sees who else did.
		must(w.svc.Enrollment(w.ctx, w.doctor, e.ID))(t)
		reads := must(w.db.ListAudit(w.ctx, audit.Filter{SubjectID: w.doctor.UserID, ActionPrefix: audit.ConfidentialRead, Limit: 10}))(t)
		if len(reads) != 1 || reads[0].ActorID != w.cc.UserID || reads[0].ObjectID != e.ID {
			t.Fatalf("audited reads about the doctor: %+v", reads)
		}

		// A plan drafted by the doctor, checked live, and an impossible one.
		service := func(year int, specialty string) obligation.PlanYear {
			return obligation.PlanYear{FiscalYear: year, Kind: obligation.PlanService, Months: 12, Class: obligation.AreaShortage,
				AreaCode: "33-05", Specialty: specialty, Program: "岡山大学 内科専門研修プログラム"}
		}
		a := &obligation.Plan{EnrollmentID: e.ID, Name: "A案"}
		for y := 2027; y <= 2033; y++ {
			a.Years = append(a.Years, service(y, "内科"))
		}
		draft := must(w.svc.CheckPlan(w.ctx, w.doctor, *a))(t)
		if !draft.OK {
			t.Fatalf("A案 problems: %+v", draft.Problems)
		}
		pa := must(w.svc.CreatePlan(w.ctx, w.doctor, a))(t)
		b := &obligation.Plan{EnrollmentID: e.ID, Name: "B案", Years: []obligation.PlanYear{
			service(2027, "外科"),
			{FiscalYear: 2028, Kind: obligation.PlanResearch, Months: 12, Note: "大学院"},
			{FiscalYear: 2029, Kind: obligation.PlanResearch, Months: 12, Note: "大学院"},
			{FiscalYear: 2030, Kind: obligation.PlanResearch, Months: 12, Note: "留学"},
		}}
		pb := must(w.svc.CreatePlan(w.ctx, w.cc, b))(t)
		if pb.Check.OK || pb.Check.Projected.Possible ||
			!slices.ContainsFunc(pb.Check.Problems, func(p obligation.Problem) bool { return p.Field == "specialty" && p.FiscalYear == 2027 }) {
			t.Fatalf("B案 check: %+v", pb.Check)
		}
		cmp := must(w.svc.ComparePlans(w.ctx, w.doctor, pa.Plan.ID, pb.Plan.ID))(t)
		if !cmp.A.Check.OK || cmp.B.Check.OK || cmp.A.Plan.Name != "A案" {
			t.Fatalf("comparison: A %v B %v", cmp.A.Check.OK, cmp.B.Check.OK)
		}
		_, err = w.svc.CreatePlan(w.ctx, w.doctor, &obligation.Plan{EnrollmentID: e.ID, Name: "A案"})
		wantField(t, err, "name")
		_, err = w.svc.CreatePlan(w.ctx, w.doctor, &obligation.Plan{EnrollmentID: e.ID, Name: "C案",
			Years: []obligation.PlanYear{{FiscalYear: 2027, Kind: obligation.PlanSuspension, Months: 12}}})
		wantField(t, err, "years.0.reason")
		// Versioned updates and deletes.
		b.Years = b.Years[:1]
		b.Years[0].Specialty = "総合診療"
		pb = must(w.svc.UpdatePlan(w.ctx, w.doctor, b))(t)
		if pb.Plan.Version != 2 {
			t.Fatalf("plan version %d", pb.Plan.Version)
		}
		stale := *b
		stale.Version = 1
		_, err = w.svc.UpdatePlan(w.ctx, w.cc, &stale)
		wantCode(t, err, apperr.Conflict)
		wantCode(t, w.svc.DeletePlan(w.ctx, w.doctor, b.ID, 1), apperr.Conflict)
		noErr(t, w.svc.DeletePlan(w.ctx, w.doctor, b.ID, 2))
		plans := must(w.svc.Plans(w.ctx, w.officer, e.ID))(t)
		if len(plans) != 1 || !plans[0].Check.OK {
			t.Fatalf("plans: %+v", plans)
		}

		// Corrections and departure are audited.
		v = must(w.svc.Enrollment(w.ctx, w.officer, late.ID))(t)
		v = must(w.svc.RemoveEntry(w.ctx, w.officer, late.ID, v.Enrollment.Version, regional.EntryPlacement, v.Entries.Placements[1].ID))(t)
		_, err = w.svc.RemoveEntry(w.ctx, w.officer, late.ID, v.Enrollment.Version, regional.EntryPlacement, v.Entries.Placements[0].ID+1000)
		wantCode(t, err, apperr.NotFound)
		_, err = w.svc.RecordDeparture(w.ctx, w.officer, late.ID, v.Enrollment.Version, obligation.Departure{On: w.now})
		wantField(t, err, "reason")
		v = must(w.svc.RecordDeparture(w.ctx, w.officer, late.ID, v.Enrollment.Version,
			obligation.Departure{On: w.now, Reason: "県外の病院へ就職（返還金の手続き済み）", Consented: false}))(t)
		if v.Summary.Status != obligation.Left || v.Enrollment.Departure == nil || v.Enrollment.DepartureBy != w.officer.UserID {
			t.Fatalf("after departure: %+v %+v", v.Summary, v.Enrollment)
		}
		trail := must(w.db.ListAudit(w.ctx, audit.Filter{SubjectID: w.second.UserID, Limit: 20}))(t)
		var actions []string
		for _, a := range trail {
			actions = append(actions, a.Action)
		}
		if !slices.Contains(actions, regional.AuditEntryRemoved) || !slices.Contains(actions, regional.AuditDeparture) {
			t.Fatalf("audit about the departed doctor: %v", actions)
		}
	})
}

// TestRegionalAuthorization: another prefecture, another university,
// another doctor and the platform administrator find nothing; the doctor
// reads but does not keep their own ledger; the officer reads but does not
// edit plans.
func TestRegionalAuthorization(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqlstore.Dialect) {
		w := newWorld(t, engine)
		p := w.setUp(t)
		e := w.enroll(t, w.officer, p, "doctor@example.jp", 2024)
		plan := must(w.svc.CreatePlan(w.ctx, w.doctor, &obligation.Plan{EnrollmentID: e.ID, Name: "A案"}))(t).Plan

		for name, actor := range map[string]policy.Actor{"other prefecture": w.otherOff, "other university": w.otherCC,
			"other doctor": w.peer, "platform admin": w.admin} {
			t.Run(name, func(t *testing.T) {
				_, err := w.svc.Enrollment(w.ctx, actor, e.ID)
				wantCode(t, err, apperr.NotFound)
				_, err = w.svc.AddPlacement(w.ctx, actor, e.ID, e.Version, placement(2024, 12, "33-01", "junior_resident", ""))
				wantCode(t, err, apperr.NotFound)
				_, err = w.svc.Plan(w.ctx, actor, plan.ID)
				wantCode(t, err, apperr.NotFound)
				_, err = w.svc.Plans(w.ctx, actor, e.ID)
				wantCode(t, err, apperr.NotFound)
				_, err = w.svc.UpdatePlan(w.ctx, actor, plan)
				wantCode(t, err, apperr.NotFound)
				_, err = w.svc.CheckPlan(w.ctx, actor, *plan)
				wantCode(t, err, apperr.NotFound)
				_, err = w.svc.CreatePlan(w.ctx, actor, &obligation.Plan{EnrollmentID: e.ID, Name: "乗っ取り"})
				wantCode(t, err, apperr.NotFound)
				wantCode(t, w.svc.DeletePlan(w.ctx, actor, plan.ID, plan.Version), apperr.NotFound)
				_, err = w.svc.Enrollments(w.ctx, actor, regional.EnrollmentFilter{PrefectureOrgID: w.pref})
				wantCode(t, err, apperr.Forbidden)
				_, err = w.svc.Enrollments(w.ctx, actor, regional.EnrollmentFilter{CoordinatorOrgID: w.univ})
				wantCode(t, err, apperr.Forbidden)
			})
		}
		// Listing one's own office or prefecture finds none of the others'.
		if list := must(w.svc.Enrollments(w.ctx, w.otherCC, regional.EnrollmentFilter{CoordinatorOrgID: w.otherUniv}))(t); len(list) != 0 {
			t.Fatalf("another university sees %d", len(list))
		}
		if list := must(w.svc.Enrollments(w.ctx, w.otherOff, regional.EnrollmentFilter{PrefectureOrgID: w.otherPref}))(t); len(list) != 0 {
			t.Fatalf("another prefecture sees %d", len(list))
		}
		if list := must(w.svc.MyEnrollments(w.ctx, w.peer))(t); len(list) != 0 {
			t.Fatalf("another doctor sees %d", len(list))
		}
		// The doctor cannot keep their own ledger or record their departure.
		_, err := w.svc.AddPlacement(w.ctx, w.doctor, e.ID, e.Version, placement(2024, 12, "33-01", "junior_resident", ""))
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.AddSuspension(w.ctx, w.doctor, e.ID, e.Version, obligation.Suspension{FiscalYear: 2026, Months: 6, Reason: obligation.SuspendChildcare})
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.RecordDeparture(w.ctx, w.doctor, e.ID, e.Version, obligation.Departure{On: w.now, Reason: "自己都合"})
		wantCode(t, err, apperr.Forbidden)
		// The officer reads plans but leaves them to the doctor and the CC.
		must(w.svc.Plan(w.ctx, w.officer, plan.ID))(t)
		_, err = w.svc.UpdatePlan(w.ctx, w.officer, plan)
		wantCode(t, err, apperr.Forbidden)
		// Denials are audited.
		denied := must(w.db.ListAudit(w.ctx, audit.Filter{ActorID: w.otherCC.UserID, ActionPrefix: audit.AccessDenied, Limit: 50}))(t)
		if len(denied) == 0 {
			t.Fatal("denials not audited")
		}
	})
}

// TestConcurrentLedgerEdits: coordinators and officers adding to one
// ledger at once never lose an entry: a save at a stale version is
// refused and retried on the fresh one.
func TestConcurrentLedgerEdits(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqlstore.Dialect) {
		w := newWorld(t, engine)
		p := w.setUp(t)
		e := w.enroll(t, w.officer, p, "doctor@example.jp", 2024)
		const writers = 8
		var wg sync.WaitGroup
		var mu sync.Mutex
		conflicts := 0
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				actor := w.cc
				if i%2 == 1 {
					actor = w.officer
				}
				for {
					cur, err := w.db.Enrollment(w.ctx, e.ID)
					if err != nil {
						errs <- err
						return
					}
					_, err = w.svc.AddPlacement(w.ctx, actor, e.ID, cur.Version, placement(2030+i/4, 3, "33-05", "specialist", "内科"))
					if apperr.Is(err, apperr.Conflict) {
						mu.Lock()
						conflicts++
						mu.Unlock()
						continue
					}
					errs <- err
					return
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			noErr(t, err)
		}
		t.Logf("%d saves at a stale version were refused and retried", conflicts)
		v := must(w.svc.Enrollment(w.ctx, w.cc, e.ID))(t)
		if len(v.Entries.Placements) != writers || v.Enrollment.Version != 1+writers {
			t.Fatalf("%d placements at version %d after %d conflicts; want %d", len(v.Entries.Placements), v.Enrollment.Version, conflicts, writers)
		}
		// Four writers per year, three months each: both years are exactly full.
		for _, y := range []int{2030, 2031} {
			n := 0
			for _, pl := range v.Entries.Placements {
				if pl.FiscalYear == y {
					n += pl.Months
				}
			}
			if n != 12 {
				t.Errorf("%d: %d months", y, n)
			}
		}
	})
}
