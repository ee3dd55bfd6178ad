package mentoring_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jobs"
	"github.com/hakui-dev/hakui/internal/jobs/jobstest"
	"github.com/hakui-dev/hakui/internal/mentoring"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
	"github.com/hakui-dev/hakui/internal/vault"
)

// world is a university CC office following a 地域枠 doctor (the mentee),
// another office, a senior doctor of a hospital (the mentor), a stranger
// doctor and a platform administrator, with the mentoring service, a job
// worker and a test clock on a real database.
type world struct {
	t            *testing.T
	ctx          context.Context
	db           *sqlstore.DB
	clock        *jobstest.Clock
	svc          *mentoring.Service
	worker       *jobs.Worker
	office       int64
	otherOffice  int64
	coordinator  policy.Actor // coordinator of the office
	coordinator2 policy.Actor // a second coordinator of the office
	otherCC      policy.Actor // coordinator of the other office
	mentee       policy.Actor // followed by the office
	mentor       policy.Actor // a senior doctor of another hospital
	stranger     policy.Actor // a doctor with nothing to do with the pair
	unfollowed   policy.Actor // a doctor the office does not follow
	staff        policy.Actor // institution staff, no doctor
	admin        policy.Actor
}

func eachEngine(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, newWorld(t, engine)) })
	}
}

func newWorld(t *testing.T, engine sqlstore.Dialect) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: sqlstoretest.Open(t, engine),
		clock: jobstest.NewClock(time.Date(2026, 1, 5, 1, 0, 0, 0, time.UTC))} // 10:00 JST
	w.db.Now = w.clock.Now
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	key := make([]byte, 32)
	rand.Read(key)
	keys := vault.NewKeyring()
	if err := keys.Add("k1", key); err != nil {
		t.Fatal(err)
	}
	rec := &audit.Recorder{Store: w.db, Log: log}
	queue := jobs.NewQueue(w.db, w.clock.Now)
	w.worker = &jobs.Worker{Queue: queue, Log: log}
	notifier := &notify.Notifier{Store: w.db, Log: log, Jobs: queue}
	w.svc = &mentoring.Service{Store: w.db, Guard: &guard.Guard{Audit: rec}, Audit: rec, Keys: keys, Notifier: notifier, Log: log,
		Now: w.clock.Now}
	w.svc.Register(w.worker)

	w.office = w.org(identity.OrgUniversity, "北山大学 地域医療支援センター")
	w.otherOffice = w.org(identity.OrgUniversity, "南川大学 キャリア支援室")
	prefecture := w.org(identity.OrgPrefecture, "北山県")
	hospital := w.org(identity.OrgInstitution, "北山中央病院")
	w.coordinator = w.user("cc@kitayama-u.example", "山田 花子", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.office})
	w.coordinator2 = w.user("cc2@kitayama-u.example", "川口 一郎", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.office})
	w.otherCC = w.user("cc@minamikawa-u.example", "南 次郎", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.otherOffice})
	w.mentee = w.user("mentee@example.jp", "佐藤 若葉", identity.Grant{Role: identity.RoleDoctor})
	w.mentor = w.user("mentor@example.jp", "高橋 誠", identity.Grant{Role: identity.RoleDoctor})
	w.stranger = w.user("stranger@example.jp", "鈴木 健", identity.Grant{Role: identity.RoleDoctor})
	w.unfollowed = w.user("unfollowed@example.jp", "伊藤 光", identity.Grant{Role: identity.RoleDoctor})
	w.staff = w.user("staff@kitayama-hp.example", "事務 太郎", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: hospital})
	w.admin = w.user("admin@hakui.example", "管理者", identity.Grant{Role: identity.RoleAdmin, OrgID: w.org(identity.OrgPlatform, "Hakui")})

	program := &obligation.Program{PrefectureOrgID: prefecture, Name: "北山県地域枠キャリア形成プログラム", TotalYears: 9,
		MinShortageYears: 4, DeadlineYears: 12}
	if err := w.db.CreateProgram(w.ctx, program); err != nil {
		t.Fatal(err)
	}
	// The office follows the mentee; the other doctors are in the program
	// too, without a coordinating office, so the prefecture follows them
	// but no office does.
	for _, e := range []*regional.Enrollment{
		{ProgramID: program.ID, DoctorID: w.mentee.UserID, CoordinatorOrgID: w.office, StartYear: 2024},
		{ProgramID: program.ID, DoctorID: w.unfollowed.UserID, StartYear: 2024},
	} {
		if err := w.db.CreateEnrollment(w.ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	return w
}

func (w *world) org(kind identity.OrgKind, name string) int64 {
	w.t.Helper()
	o := &identity.Organisation{Kind: kind, Name: name}
	if err := w.db.CreateOrganisation(w.ctx, o); err != nil {
		w.t.Fatal(err)
	}
	return o.ID
}

func (w *world) user(email, name string, g identity.Grant) policy.Actor {
	w.t.Helper()
	u := &identity.User{Email: email, DisplayName: name, PasswordHash: "x", Locale: "ja"}
	if err := w.db.CreateUser(w.ctx, u, []identity.Grant{g}); err != nil {
		w.t.Fatal(err)
	}
	return policy.Actor{UserID: u.ID, Grants: []identity.Grant{g}}
}

func (w *world) today() time.Time { return mentoring.Day(w.clock.Now()) }

// pair arranges the mentor and the mentee from today, every 3 months.
func (w *world) pair() *mentoring.Pair {
	w.t.Helper()
	p, err := w.svc.CreatePair(w.ctx, w.coordinator, &mentoring.Pair{OrgID: w.office, MentorID: w.mentor.UserID,
		MenteeID: w.mentee.UserID, StartsOn: w.today(), Note: "専門医取得と地域勤務の両立について"})
	noErr(w.t, err)
	return p
}

func (w *world) meeting(actor policy.Actor, pairID int64, summary string) *mentoring.Meeting {
	w.t.Helper()
	m, err := w.svc.RecordMeeting(w.ctx, actor, &mentoring.Meeting{PairID: pairID, HeldOn: w.today(), Mode: mentoring.ModeOnline,
		Topics: []string{"専門医取得"}, Summary: summary})
	noErr(w.t, err)
	return m
}

// notes returns the titles of the user's mentoring notifications.
func (w *world) notes(a policy.Actor) []string {
	w.t.Helper()
	list, err := w.db.Notifications(w.ctx, a.UserID, 100)
	noErr(w.t, err)
	var out []string
	for _, n := range list {
		if n.Kind == "mentoring" {
			out = append(out, n.Title+" "+n.Link)
		}
	}
	return out
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v (fields %v)", err, apperr.FieldsOf(err))
	}
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

func wantField(t *testing.T, err error, field string) {
	t.Helper()
	if _, ok := apperr.FieldsOf(err)[field]; !ok || !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("err = %v (fields %v), want a message on %s", err, apperr.FieldsOf(err), field)
	}
}

func TestCreatePair(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		valid := func() *mentoring.Pair {
			return &mentoring.Pair{OrgID: w.office, MentorID: w.mentor.UserID, MenteeID: w.mentee.UserID, StartsOn: w.today()}
		}
		// Only a coordinator of the office that follows the mentee.
		for name, a := range map[string]policy.Actor{"other office's coordinator": w.otherCC, "mentee": w.mentee,
			"mentor": w.mentor, "stranger": w.stranger, "platform admin": w.admin, "staff": w.staff} {
			_, err := w.svc.CreatePair(w.ctx, a, valid())
			if !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s: err = %v, want not_found", name, err)
			}
		}
		other := valid()
		other.OrgID = w.otherOffice
		_, err := w.svc.CreatePair(w.ctx, w.otherCC, other)
		wantCode(t, err, apperr.NotFound) // the other office does not follow the mentee
		unfollowed := valid()
		unfollowed.MenteeID = w.unfollowed.UserID
		_, err = w.svc.CreatePair(w.ctx, w.coordinator, unfollowed)
		wantCode(t, err, apperr.NotFound)

		for _, tt := range []struct {
			name  string
			edit  func(p *mentoring.Pair)
			field string
		}{
			{"no mentor", func(p *mentoring.Pair) { p.MentorID = 0 }, "mentor_id"},
			{"mentor is the mentee", func(p *mentoring.Pair) { p.MentorID = p.MenteeID }, "mentor_id"},
			{"mentor is no doctor", func(p *mentoring.Pair) { p.MentorID = w.coordinator2.UserID }, "mentor_id"},
			{"mentor does not exist", func(p *mentoring.Pair) { p.MentorID = 99999 }, "mentor_id"},
			{"no start", func(p *mentoring.Pair) { p.StartsOn = time.Time{} }, "starts_on"},
			{"end before start", func(p *mentoring.Pair) { d := w.today().AddDate(0, 0, -1); p.EndsOn = &d }, "ends_on"},
			{"interval too long", func(p *mentoring.Pair) { p.IntervalMonths = 13 }, "interval_months"},
			{"interval negative", func(p *mentoring.Pair) { p.IntervalMonths = -1 }, "interval_months"},
			{"note too long", func(p *mentoring.Pair) { p.Note = strings.Repeat("あ", mentoring.MaxNote+1) }, "note"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				in := valid()
				tt.edit(in)
				_, err := w.svc.CreatePair(w.ctx, w.coordinator, in)
				wantField(t, err, tt.field)
			})
		}

		p, err := w.svc.CreatePair(w.ctx, w.coordinator, valid())
		noErr(t, err)
		if p.IntervalMonths != mentoring.DefaultIntervalMonths || p.Version != 1 || p.MentorName != "高橋 誠" || p.MenteeName != "佐藤 若葉" ||
			!p.StartsOn.Equal(w.today()) || p.CreatedBy != w.coordinator.UserID || p.Ended() {
			t.Fatalf("created %+v", p)
		}
		_, err = w.svc.CreatePair(w.ctx, w.coordinator2, valid())
		wantField(t, err, "mentor_id") // the same pair is already running

		// Coordinators manage it; the parties may not, others do not see it.
		in := *p
		in.IntervalMonths, in.Note = 6, "半年ごとに"
		_, err = w.svc.UpdatePair(w.ctx, w.mentee, &in)
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.UpdatePair(w.ctx, w.stranger, &in)
		wantCode(t, err, apperr.NotFound)
		up, err := w.svc.UpdatePair(w.ctx, w.coordinator2, &in)
		noErr(t, err)
		if up.IntervalMonths != 6 || up.Note != "半年ごとに" || up.Version != 2 {
			t.Fatalf("updated %+v", up)
		}
		_, err = w.svc.UpdatePair(w.ctx, w.coordinator, &in) // stale version
		wantCode(t, err, apperr.Conflict)
		_, err = w.svc.EndPair(w.ctx, w.mentor, p.ID, up.Version)
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.EndPair(w.ctx, w.otherCC, p.ID, up.Version)
		wantCode(t, err, apperr.NotFound)
		ended, err := w.svc.EndPair(w.ctx, w.coordinator, p.ID, up.Version)
		noErr(t, err)
		if !ended.Ended() || ended.EndedBy != w.coordinator.UserID {
			t.Fatalf("ended %+v", ended)
		}
		_, err = w.svc.EndPair(w.ctx, w.coordinator, p.ID, ended.Version)
		wantCode(t, err, apperr.Conflict)
		// Once ended, the same two may be paired again.
		_, err = w.svc.CreatePair(w.ctx, w.coordinator, valid())
		noErr(t, err)
	})
}

func TestMeetings(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		p := w.pair()
		w.clock.Advance(20 * 24 * time.Hour)

		// The mentor logs a meeting with what they learned.
		next := w.today().AddDate(0, 1, 0)
		m1, err := w.svc.RecordMeeting(w.ctx, w.mentor, &mentoring.Meeting{PairID: p.ID, HeldOn: w.today(), Mode: mentoring.ModeInPerson,
			Topics: []string{" 専門医取得 ", "研究", "研究", ""}, Summary: "内科専門医の取得時期と医師少数区域での勤務について話した。",
			MentorLearned: "若手が地域勤務に感じる不安を知った。", NextMeeting: &next})
		noErr(t, err)
		if m1.RecordedBy != w.mentor.UserID || len(m1.Topics) != 2 || m1.Topics[0] != "専門医取得" || m1.Sealed != (mentoring.Sealed{}) {
			t.Fatalf("recorded %+v", m1)
		}
		// The mentee logs one too, and writes what they learned from the
		// mentor's.
		m2, err := w.svc.RecordMeeting(w.ctx, w.mentee, &mentoring.Meeting{PairID: p.ID, HeldOn: w.today(), Mode: mentoring.ModeOnline,
			Summary: "研究と臨床の両立", MenteeLearned: "研究日を確保する工夫"})
		noErr(t, err)
		got, err := w.svc.Reflect(w.ctx, w.mentee, m1.ID, "先輩も同じ不安を持っていた。")
		noErr(t, err)
		if got.MenteeLearned != "先輩も同じ不安を持っていた。" || got.MentorLearned != "若手が地域勤務に感じる不安を知った。" {
			t.Fatalf("reflected %+v", got)
		}
		// The coordinator records without anyone's reflection.
		_, err = w.svc.RecordMeeting(w.ctx, w.coordinator, &mentoring.Meeting{PairID: p.ID, HeldOn: w.today(), Mode: mentoring.ModeOnline,
			Summary: "三者面談"})
		noErr(t, err)

		for _, tt := range []struct {
			name  string
			actor policy.Actor
			edit  func(m *mentoring.Meeting)
			field string
		}{
			{"the mentee writes the mentor's reflection", w.mentee, func(m *mentoring.Meeting) { m.MentorLearned = "x" }, "mentor_learned"},
			{"the mentor writes the mentee's reflection", w.mentor, func(m *mentoring.Meeting) { m.MenteeLearned = "x" }, "mentee_learned"},
			{"the coordinator writes a reflection", w.coordinator, func(m *mentoring.Meeting) { m.MentorLearned = "x" }, "mentor_learned"},
			{"before the pair started", w.mentor, func(m *mentoring.Meeting) { m.HeldOn = p.StartsOn.AddDate(0, 0, -1) }, "held_on"},
			{"in the future", w.mentor, func(m *mentoring.Meeting) { m.HeldOn = w.today().AddDate(0, 0, 1) }, "held_on"},
			{"no summary", w.mentor, func(m *mentoring.Meeting) { m.Summary = "  " }, "summary"},
			{"unknown mode", w.mentor, func(m *mentoring.Meeting) { m.Mode = "phone" }, "mode"},
			{"too many topics", w.mentor, func(m *mentoring.Meeting) { m.Topics = strings.Split("a,b,c,d,e,f,g,h,i,j,k", ",") }, "topics"},
			{"next before held", w.mentor, func(m *mentoring.Meeting) { d := w.today().AddDate(0, 0, -1); m.NextMeeting = &d }, "next_meeting"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				in := &mentoring.Meeting{PairID: p.ID, HeldOn: w.today(), Mode: mentoring.ModeOnline, Summary: "概要"}
				tt.edit(in)
				_, err := w.svc.RecordMeeting(w.ctx, tt.actor, in)
				wantField(t, err, tt.field)
			})
		}
		_, err = w.svc.Reflect(w.ctx, w.coordinator, m1.ID, "x")
		wantCode(t, err, apperr.Forbidden)

		// Both parties and the coordinators read the log, the latest first.
		for name, a := range map[string]policy.Actor{"mentor": w.mentor, "mentee": w.mentee, "coordinator": w.coordinator2} {
			list, err := w.svc.Meetings(w.ctx, a, p.ID)
			noErr(t, err)
			if len(list) != 3 || list[1].ID != m2.ID || list[2].Summary != m1.Summary || list[2].MenteeLearned == "" {
				t.Errorf("%s reads %+v", name, list)
			}
			if _, err := w.svc.Pair(w.ctx, a, p.ID); err != nil {
				t.Errorf("%s: Pair: %v", name, err)
			}
			pairs, err := w.svc.Pairs(w.ctx, a, true)
			if err != nil || len(pairs) != 1 || pairs[0].ID != p.ID {
				t.Errorf("%s: Pairs = %+v, %v", name, pairs, err)
			}
		}
		// A coordinator's read is traced about the mentee; the parties' are not.
		entries, err := w.db.ListAudit(w.ctx, audit.Filter{SubjectID: w.mentee.UserID, ActionPrefix: audit.ConfidentialRead})
		noErr(t, err)
		if len(entries) != 1 || entries[0].ActorID != w.coordinator2.UserID || entries[0].ObjectKind != string(policy.KindMentoring) {
			t.Fatalf("audited reads %+v", entries)
		}

		// Nobody else sees anything, not even that the pair exists.
		for name, a := range map[string]policy.Actor{"stranger doctor": w.stranger, "other office's coordinator": w.otherCC,
			"platform admin": w.admin, "staff": w.staff} {
			if _, err := w.svc.Pair(w.ctx, a, p.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s: Pair err = %v", name, err)
			}
			if _, err := w.svc.Meetings(w.ctx, a, p.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s: Meetings err = %v", name, err)
			}
			if _, err := w.svc.Meeting(w.ctx, a, m1.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s: Meeting err = %v", name, err)
			}
			if _, err := w.svc.RecordMeeting(w.ctx, a, &mentoring.Meeting{PairID: p.ID, HeldOn: w.today(), Mode: mentoring.ModeOnline,
				Summary: "なりすまし"}); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s: RecordMeeting err = %v", name, err)
			}
			if _, err := w.svc.Reflect(w.ctx, a, m1.ID, "x"); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s: Reflect err = %v", name, err)
			}
			if list, err := w.svc.Pairs(w.ctx, a, false); err != nil || len(list) != 0 {
				t.Errorf("%s: Pairs = %+v, %v", name, list, err)
			}
		}
		if _, err := w.svc.Pairs(w.ctx, policy.Actor{}, false); !apperr.Is(err, apperr.Unauthorized) {
			t.Errorf("anonymous: err = %v", err)
		}

		// An ended pair takes no meetings; its log stays readable and the
		// parties may still reflect.
		cur, _ := w.svc.Pair(w.ctx, w.coordinator, p.ID)
		_, err = w.svc.EndPair(w.ctx, w.coordinator, p.ID, cur.Version)
		noErr(t, err)
		_, err = w.svc.RecordMeeting(w.ctx, w.mentor, &mentoring.Meeting{PairID: p.ID, HeldOn: w.today(), Mode: mentoring.ModeOnline, Summary: "x"})
		wantCode(t, err, apperr.Conflict)
		if _, err := w.svc.Reflect(w.ctx, w.mentor, m2.ID, "最後の面談で学んだこと"); err != nil {
			t.Fatal(err)
		}
		if list, err := w.svc.Meetings(w.ctx, w.mentee, p.ID); err != nil || len(list) != 3 {
			t.Fatalf("after the end: %d meetings, %v", len(list), err)
		}
	})
}

// TestReminders runs the daily job through the worker on a test clock,
// day by day: a pair that has not met for more than its interval is
// reminded exactly once, then again only after another interval; a
// meeting puts the reminder off; ended pairs are never reminded.
func TestReminders(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		p := w.pair() // from 2026-01-05, every 3 months
		ended := w.pair2(w.stranger)
		if _, err := w.svc.EndPair(w.ctx, w.coordinator, ended.ID, ended.Version); err != nil {
			t.Fatal(err)
		}
		pastEnd := w.pair2(w.unfollowed) // any doctor may mentor
		d := w.today().AddDate(0, 2, 0)
		pastEnd.EndsOn = &d
		if _, err := w.svc.UpdatePair(w.ctx, w.coordinator, pastEnd); err != nil {
			t.Fatal(err)
		}

		everyone := []policy.Actor{w.mentor, w.mentee, w.coordinator, w.coordinator2}
		runUntil := func(until time.Time) {
			t.Helper()
			for !w.today().After(mentoring.Day(until)) {
				if _, err := w.worker.RunDue(w.ctx); err != nil {
					t.Fatalf("RunDue on %s: %v", w.today().Format(time.DateOnly), err)
				}
				w.clock.Advance(24 * time.Hour)
			}
		}
		count := func(a policy.Actor) int { return len(w.notes(a)) }

		// 2026-04-05 is exactly 3 months after the start: not yet.
		runUntil(time.Date(2026, 4, 5, 0, 0, 0, 0, time.UTC))
		for _, a := range everyone {
			if n := count(a); n != 0 {
				t.Fatalf("user %d reminded %d times by 2026-04-05", a.UserID, n)
			}
		}
		// The day after, everyone hears once, with a link to the pair.
		runUntil(time.Date(2026, 4, 6, 0, 0, 0, 0, time.UTC))
		for _, a := range everyone {
			notes := w.notes(a)
			if len(notes) != 1 || !strings.HasSuffix(notes[0], mentoring.Link(p.ID)) {
				t.Fatalf("user %d: %v", a.UserID, notes)
			}
		}
		got, _ := w.svc.Pair(w.ctx, w.coordinator, p.ID)
		if got.LastRemindedAt == nil || !mentoring.Day(*got.LastRemindedAt).Equal(mentoring.Day(time.Date(2026, 4, 6, 1, 0, 0, 0, time.UTC))) {
			t.Fatalf("last reminded %v", got.LastRemindedAt)
		}
		// A second sweep the same day, as by another instance, sends
		// nothing; nor do the following days.
		if n, err := w.svc.SweepReminders(w.ctx); err != nil || n != 0 {
			t.Fatalf("second sweep: %d, %v", n, err)
		}
		runUntil(time.Date(2026, 7, 5, 0, 0, 0, 0, time.UTC))
		if n := count(w.mentee); n != 1 {
			t.Fatalf("mentee reminded %d times by 2026-07-05", n)
		}
		// Still no meeting 3 months after the reminder: reminded again.
		runUntil(time.Date(2026, 7, 6, 0, 0, 0, 0, time.UTC))
		if n := count(w.mentee); n != 2 {
			t.Fatalf("mentee reminded %d times by 2026-07-06", n)
		}
		// A meeting puts the next reminder 3 months after it.
		w.meeting(w.mentee, p.ID, "久しぶりの面談")
		if held := w.today(); !held.Equal(mentoring.Day(time.Date(2026, 7, 7, 1, 0, 0, 0, time.UTC))) {
			t.Fatalf("met on %s", held)
		}
		runUntil(time.Date(2026, 10, 7, 0, 0, 0, 0, time.UTC))
		if n := count(w.mentee); n != 2 {
			t.Fatalf("mentee reminded %d times by 2026-10-07, after a meeting on 2026-07-07", n)
		}
		runUntil(time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC))
		if n := count(w.mentee); n != 3 {
			t.Fatalf("mentee reminded %d times by 2026-10-08", n)
		}
		// The ended pair and the pair past its planned end never were.
		if n := count(w.stranger); n != 0 {
			t.Fatalf("mentor of the ended pair reminded %d times", n)
		}
		for _, id := range []int64{ended.ID, pastEnd.ID} {
			got, _ := w.svc.Pair(w.ctx, w.coordinator, id)
			if got.LastRemindedAt != nil {
				t.Fatalf("pair %d reminded at %v", id, got.LastRemindedAt)
			}
		}
	})
}

// pair2 arranges another mentor with the mentee.
func (w *world) pair2(mentor policy.Actor) *mentoring.Pair {
	w.t.Helper()
	p, err := w.svc.CreatePair(w.ctx, w.coordinator, &mentoring.Pair{OrgID: w.office, MentorID: mentor.UserID,
		MenteeID: w.mentee.UserID, StartsOn: w.today()})
	noErr(w.t, err)
	return p
}

// TestRemindersOnceAcrossInstances sweeps from several goroutines at once,
// as several instances would: the pair is reminded by one only.
func TestRemindersOnceAcrossInstances(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.pair()
		w.clock.Advance(120 * 24 * time.Hour)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 4 {
			wg.Go(func() {
				n, err := w.svc.SweepReminders(w.ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			})
		}
		wg.Wait()
		if total != 1 {
			t.Fatalf("%d reminders, want 1", total)
		}
		if n := len(w.notes(w.mentor)); n != 1 {
			t.Fatalf("mentor told %d times", n)
		}
	})
}

func TestReminderDue(t *testing.T) {
	day := func(s string) time.Time {
		d, err := mentoring.ParseDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	ptr := func(t time.Time) *time.Time { return &t }
	base := mentoring.Pair{StartsOn: day("2026-01-15"), IntervalMonths: 1}
	tests := []struct {
		name  string
		edit  func(p *mentoring.Pair)
		today string
		want  bool
	}{
		{"a month after the start", nil, "2026-02-15", false},
		{"more than a month", nil, "2026-02-16", true},
		{"not started", func(p *mentoring.Pair) { p.StartsOn = day("2026-05-01") }, "2026-04-01", false},
		{"met recently", func(p *mentoring.Pair) { p.LastMetOn = ptr(day("2026-03-01")) }, "2026-03-10", false},
		{"met long ago", func(p *mentoring.Pair) { p.LastMetOn = ptr(day("2026-02-01")) }, "2026-03-10", true},
		{"reminded recently", func(p *mentoring.Pair) { p.LastRemindedAt = ptr(day("2026-03-01")) }, "2026-03-10", false},
		{"reminded a month ago", func(p *mentoring.Pair) { p.LastRemindedAt = ptr(day("2026-02-10").Add(23 * time.Hour)) }, "2026-03-10", true},
		{"ended", func(p *mentoring.Pair) { p.EndedAt = ptr(day("2026-02-01")) }, "2026-03-10", false},
		{"past its end", func(p *mentoring.Pair) { p.EndsOn = ptr(day("2026-03-09")) }, "2026-03-10", false},
		{"on its last day", func(p *mentoring.Pair) { p.EndsOn = ptr(day("2026-03-10")) }, "2026-03-10", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := base
			if tt.edit != nil {
				tt.edit(&p)
			}
			if got := p.ReminderDue(day(tt.today)); got != tt.want {
				t.Errorf("ReminderDue(%s) = %v, want %v", tt.today, got, tt.want)
			}
		})
	}
}
