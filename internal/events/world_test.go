package events_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jobs"
	"github.com/hakui-dev/hakui/internal/jobs/jobstest"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/ratelimit"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// world is a university that trains career coordinators (the organiser),
// a prefecture with an officer, a coordinator of another university and
// a doctor with nothing to do with either, over the events service on a
// real database with a test clock.
type world struct {
	t          *testing.T
	ctx        context.Context
	db         *sqlstore.DB
	clock      *jobstest.Clock
	svc        *events.Service
	university int64 // organises the events
	prefecture int64
	other      int64 // another university

	organiser policy.Actor // coordinator of the university
	officer   policy.Actor // 都道府県職員 of the prefecture
	otherCC   policy.Actor // coordinator of the other university
	outsider  policy.Actor // a doctor
}

func eachEngine(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, newWorld(t, engine)) })
	}
}

func newWorld(t *testing.T, engine sqlstore.Dialect) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: sqlstoretest.Open(t, engine),
		clock: jobstest.NewClock(time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC))} // Monday 10:00 JST
	w.db.Now = w.clock.Now
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := &audit.Recorder{Store: w.db, Log: log}
	queue := jobs.NewQueue(w.db, w.clock.Now)
	notifier := &notify.Notifier{Store: w.db, Log: log, Jobs: queue, SMTP: notify.SMTP{Addr: "127.0.0.1:1", From: "Hakui <hakui@example.jp>"},
		BaseURL: func() string { return "https://hakui.example.jp" }}
	w.svc = &events.Service{Store: w.db, Guard: &guard.Guard{Audit: rec}, Audit: rec, Notifier: notifier,
		Limiter: &ratelimit.Limiter{Store: w.db, Now: w.clock.Now}, Log: log, Now: w.clock.Now}

	w.university = w.org(identity.OrgUniversity, "北山大学 地域医療教育センター")
	w.prefecture = w.org(identity.OrgPrefecture, "南川県")
	w.other = w.org(identity.OrgUniversity, "南川大学 キャリア支援室")
	w.organiser = w.user("organiser@kitayama-u.example.jp", "山田 花子", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.university})
	w.officer = w.user("officer@pref.minamikawa.example.jp", "川口 一郎", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.prefecture})
	w.otherCC = w.user("cc@minamikawa-u.example.jp", "南 次郎", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.other})
	w.outsider = w.user("doctor@example.jp", "鈴木 健", identity.Grant{Role: identity.RoleDoctor})
	return w
}

func (w *world) org(kind identity.OrgKind, name string) int64 {
	w.t.Helper()
	o := &identity.Organisation{Kind: kind, Name: name}
	noErr(w.t, w.db.CreateOrganisation(w.ctx, o))
	return o.ID
}

func (w *world) user(email, name string, g identity.Grant) policy.Actor {
	w.t.Helper()
	u := &identity.User{Email: email, DisplayName: name, PasswordHash: "x", Locale: "ja"}
	noErr(w.t, w.db.CreateUser(w.ctx, u, []identity.Grant{g}))
	return policy.Actor{UserID: u.ID, Grants: []identity.Grant{g}}
}

// jst returns an instant given in JST.
func jst(year int, month time.Month, day, hour, minute int) time.Time {
	return time.Date(year, month, day, hour, minute, 0, 0, time.FixedZone("JST", 9*60*60))
}

// hybridInput is the national training: a hybrid session on Saturday 5
// December 2026, 13:00–17:00 JST, a room for 26, registration until 1
// December.
func hybridInput() events.EventInput {
	return events.EventInput{
		Title:       "全国キャリアコーディネーター研修会 2026",
		Description: "地域枠医師のキャリア支援について、事例検討とグループワークを行います。",
		StartsAt:    jst(2026, 12, 5, 13, 0), EndsAt: jst(2026, 12, 5, 17, 0),
		Mode: events.ModeHybrid, Venue: "北山大学 医学部講堂", VenueCapacity: 26,
		OnlineURL:            "https://meet.example.jp/cc-2026",
		RegistrationDeadline: jst(2026, 12, 1, 23, 59),
		Audience:             events.AudienceOpen,
		Talks: []events.Talk{
			{Title: "地域枠制度の現状", Speaker: "北山 太郎", Affiliation: "北山大学", Minutes: 40},
			{Title: "グループワーク", Minutes: 90},
		},
	}
}

// published creates and publishes an event of the university.
func (w *world) published(in events.EventInput) *events.Event {
	w.t.Helper()
	e, err := w.svc.CreateEvent(w.ctx, w.organiser, w.university, in)
	noErr(w.t, err)
	noErr(w.t, w.svc.SetStatus(w.ctx, w.organiser, e.ID, events.StatusPublished, e.Version))
	v, err := w.svc.Event(w.ctx, w.organiser, e.ID)
	noErr(w.t, err)
	return &v.Event
}

// guest registers a guest and returns the registration and manage token.
func (w *world) guest(eventID int64, n int, pref string, role events.ParticipantRole, at events.Attendance) (*events.Registration, string) {
	w.t.Helper()
	r, token, err := w.svc.Register(w.ctx, policy.Actor{}, eventID, w.guestInput(n, pref, role, at), fmt.Sprintf("198.51.100.%d", n%250))
	noErr(w.t, err)
	return r, token
}

func (w *world) guestInput(n int, pref string, role events.ParticipantRole, at events.Attendance) events.RegistrationInput {
	return events.RegistrationInput{Name: fmt.Sprintf("参加者 %03d", n), Email: fmt.Sprintf("guest%03d@example.jp", n),
		Prefecture: pref, Organisation: "地域医療支援センター", Role: role, Attendance: at}
}

// mails returns the subjects of the e-mails queued to the address.
func (w *world) mails(email string) []string {
	w.t.Helper()
	list, err := w.db.Deliveries(w.ctx, notify.DeliveryFilter{Limit: 5000})
	noErr(w.t, err)
	var out []string
	for _, d := range list {
		if d.Channel == notify.ChannelEmail && d.Target == email {
			out = append(out, d.Subject)
		}
	}
	return out
}

// notes returns the user's notifications, the latest first.
func (w *world) notes(a policy.Actor) []notify.Notification {
	w.t.Helper()
	list, err := w.db.Notifications(w.ctx, a.UserID, 200)
	noErr(w.t, err)
	return list
}

// auditOf returns the audit entries of the action.
func (w *world) auditOf(action string) []audit.Entry {
	w.t.Helper()
	list, err := w.db.ListAudit(w.ctx, audit.Filter{ActionPrefix: action, Limit: 1000})
	noErr(w.t, err)
	return list
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

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// mail returns the queued e-mail to the address with the subject.
func (w *world) mail(email, subject string) *notify.Mail {
	w.t.Helper()
	list, err := w.db.Deliveries(w.ctx, notify.DeliveryFilter{Limit: 5000})
	noErr(w.t, err)
	for _, d := range list {
		if d.Channel == notify.ChannelEmail && d.Target == email && d.Subject == subject {
			j, err := w.db.QueuedJob(w.ctx, d.JobID)
			noErr(w.t, err)
			var m notify.Mail
			noErr(w.t, j.Decode(&m))
			return &m
		}
	}
	w.t.Fatalf("no e-mail %q to %s", subject, email)
	return nil
}

// ics returns the calendar attached to m, unfolded.
func ics(t *testing.T, m *notify.Mail) string {
	t.Helper()
	for _, a := range m.Attachments {
		if a.Filename == "event.ics" {
			return strings.ReplaceAll(string(a.Data), "\r\n ", "")
		}
	}
	t.Fatalf("no .ics attached to %q", m.Subject)
	return ""
}

// manageToken returns the manage token of the link in the queued e-mail
// to the address with the subject.
func (w *world) manageToken(email, subject string) string {
	w.t.Helper()
	m := w.mail(email, subject)
	_, rest, ok := strings.Cut(m.Text, "https://hakui.example.jp/events/registrations/")
	if !ok {
		w.t.Fatalf("no manage link in %q", m.Text)
	}
	return strings.Fields(rest)[0]
}
