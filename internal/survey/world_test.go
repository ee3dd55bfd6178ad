package survey_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
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
	"github.com/hakui-dev/hakui/internal/survey"
)

// world is a university that runs training sessions (a coordinator is
// its member), a clinic that runs a patient survey (a staff member), and
// a coordinator of another university, over the survey service on a real
// database.
type world struct {
	t     *testing.T
	ctx   context.Context
	db    *sqlstore.DB
	clock *jobstest.Clock
	svc   *survey.Service
	limit *keyLog // the rate limiter's store

	univ, clinic, other int64
	member              policy.Actor // 山田 花子, coordinator of the university
	staff               policy.Actor // 佐藤 健, staff of the clinic
	outsider            policy.Actor // 鈴木 一郎, coordinator of another university
	event               *events.Event
	seq                 int
}

func eachEngine(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, newWorld(t, engine)) })
	}
}

func newWorld(t *testing.T, engine sqlstore.Dialect) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: sqlstoretest.Open(t, engine),
		clock: jobstest.NewClock(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC))} // 10:00 JST
	w.db.Now = w.clock.Now
	w.limit = &keyLog{Store: w.db}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := &audit.Recorder{Store: w.db, Log: log}
	queue := jobs.NewQueue(w.db, w.clock.Now)
	notifier := &notify.Notifier{Store: w.db, Log: log, Jobs: queue, SMTP: notify.SMTP{Addr: "127.0.0.1:1", From: "hakui@example.jp"},
		BaseURL: func() string { return "https://hakui.example.jp" }}
	w.svc = &survey.Service{Store: w.db, Guard: &guard.Guard{Audit: rec}, Audit: rec, Notifier: notifier,
		Limiter: &ratelimit.Limiter{Store: w.limit, Now: w.clock.Now}, Log: log, Now: w.clock.Now}

	w.univ = w.org(identity.OrgUniversity, "白衣大学 キャリアコーディネーター室")
	w.clinic = w.org(identity.OrgInstitution, "白衣内科クリニック")
	w.other = w.org(identity.OrgUniversity, "別の大学")
	w.member = w.user("hanako@univ.example.jp", "山田 花子", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.univ})
	w.staff = w.user("ken@clinic.example.jp", "佐藤 健", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: w.clinic})
	w.outsider = w.user("ichiro@other.example.jp", "鈴木 一郎", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.other})
	w.event = w.newEvent(w.univ, "キャリアコーディネーター全国研修会")
	return w
}

func (w *world) org(kind identity.OrgKind, name string) int64 {
	w.t.Helper()
	o := &identity.Organisation{Kind: kind, Name: name, Prefecture: "東京都"}
	noErr(w.t, w.db.CreateOrganisation(w.ctx, o))
	return o.ID
}

func (w *world) user(email, name string, grants ...identity.Grant) policy.Actor {
	w.t.Helper()
	u := &identity.User{Email: email, DisplayName: name, PasswordHash: "x", Locale: "ja"}
	noErr(w.t, w.db.CreateUser(w.ctx, u, grants))
	return policy.Actor{UserID: u.ID, Grants: grants}
}

// newEvent stores a published hybrid event of the organisation, held
// today.
func (w *world) newEvent(orgID int64, title string) *events.Event {
	w.t.Helper()
	now := w.clock.Now()
	e := &events.Event{OrgID: orgID, Title: title, Description: "ハイブリッド開催の研修会です。",
		StartsAt: now.Add(-3 * time.Hour), EndsAt: now.Add(-time.Hour), Mode: events.ModeHybrid,
		Venue: "白衣大学 講堂", VenueCapacity: 30, OnlineURL: "https://meet.example.jp/kenshu",
		RegistrationDeadline: now.Add(-4 * time.Hour), Audience: events.AudienceOpen, Status: events.StatusPublished,
		CreatedBy: w.member.UserID, CreatedAt: now, UpdatedAt: now}
	noErr(w.t, w.db.CreateEvent(w.ctx, e))
	return e
}

// register stores a registration for the event, checked in or not.
func (w *world) register(ev *events.Event, name string, checkedIn bool) *events.Registration {
	w.t.Helper()
	w.seq++
	now := w.clock.Now()
	r := &events.Registration{EventID: ev.ID, Name: name, Email: fmt.Sprintf("attendee%d@example.jp", w.seq),
		Prefecture: "北海道", Organisation: "北海道庁", Role: events.RoleCC, Attendance: events.AttendOnline,
		Status: events.Registered, CreatedAt: now, UpdatedAt: now}
	noErr(w.t, w.db.CreateRegistration(w.ctx, r, fmt.Sprintf("regtoken-%d-%d", ev.ID, w.seq)))
	if checkedIn {
		noErr(w.t, w.db.SetCheckedIn(w.ctx, r.ID, &now, w.member.UserID))
	}
	return r
}

// standardItems are the four kinds of question.
func standardItems() []survey.ItemInput {
	return []survey.ItemInput{
		{Kind: survey.Likert, Label: "本日の研修は役に立ちましたか", Required: true},
		{Kind: survey.Single, Label: "参加方法", Choices: []string{"会場", "オンライン"}},
		{Kind: survey.Multiple, Label: "良かったプログラム", Choices: []string{"講演", "グループワーク", "事例検討"}},
		{Kind: survey.Text, Label: "ご意見・ご感想"},
	}
}

// eventSurvey creates a draft survey of the world's event.
func (w *world) eventSurvey(title string) *survey.Survey {
	w.t.Helper()
	sv, err := w.svc.CreateSurvey(w.ctx, w.member, w.univ, survey.SurveyInput{Kind: survey.KindEvent, EventID: w.event.ID,
		Title: title, Items: standardItems()})
	noErr(w.t, err)
	return sv
}

// patientSurvey creates and opens the clinic's patient survey.
func (w *world) patientSurvey(title string) *survey.Survey {
	w.t.Helper()
	sv, err := w.svc.CreateSurvey(w.ctx, w.staff, w.clinic, survey.SurveyInput{Kind: survey.KindPatient,
		Title: title, Items: []survey.ItemInput{
			{Kind: survey.Likert, Label: "医師の説明はわかりやすかったですか", Required: true},
			{Kind: survey.Single, Label: "待ち時間", Choices: []string{"短い", "普通", "長い"}},
			{Kind: survey.Multiple, Label: "良かった点", Choices: []string{"説明", "設備", "受付"}},
			{Kind: survey.Text, Label: "ご意見"},
		}})
	noErr(w.t, err)
	_, err = w.svc.OpenSurvey(w.ctx, w.staff, sv.ID, sv.Version)
	noErr(w.t, err)
	sv, err = w.svc.Survey(w.ctx, w.staff, sv.ID)
	noErr(w.t, err)
	return sv
}

// likert answers the first (Likert) item with v and the text item with
// text.
func likert(sv *survey.Survey, v int, text string) survey.Answers {
	a := survey.Answers{sv.Items[0].ID: {Value: v}}
	if text != "" {
		a[sv.Items[3].ID] = survey.Answer{Text: text}
	}
	return a
}

// mails returns the e-mails queued to the address.
func (w *world) mails(email string) []notify.Mail {
	w.t.Helper()
	list, err := w.db.Deliveries(w.ctx, notify.DeliveryFilter{Limit: 1000})
	noErr(w.t, err)
	var out []notify.Mail
	for _, d := range list {
		if d.Channel != notify.ChannelEmail || d.Target != email {
			continue
		}
		j, err := w.db.QueuedJob(w.ctx, d.JobID)
		noErr(w.t, err)
		var m notify.Mail
		noErr(w.t, j.Decode(&m))
		out = append(out, m)
	}
	return out
}

// token returns the invitation token e-mailed to the address.
func (w *world) token(email string) string {
	w.t.Helper()
	ms := w.mails(email)
	if len(ms) != 1 {
		w.t.Fatalf("%d e-mails to %s, want 1", len(ms), email)
	}
	_, rest, ok := strings.Cut(ms[0].Text, "https://hakui.example.jp/surveys/answer/")
	if !ok {
		w.t.Fatalf("no answer link in %q", ms[0].Text)
	}
	return strings.Fields(rest)[0]
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

// keyLog is the rate limiter's store that remembers the keys it counts.
type keyLog struct {
	ratelimit.Store
	mu   sync.Mutex
	keys []string
}

func (k *keyLog) HitRateLimit(ctx context.Context, key string, window time.Time) (int, error) {
	k.mu.Lock()
	k.keys = append(k.keys, key)
	k.mu.Unlock()
	return k.Store.HitRateLimit(ctx, key, window)
}

// counted returns the keys counted so far.
func (k *keyLog) counted() []string {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([]string(nil), k.keys...)
}
