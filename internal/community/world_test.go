package community_test

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
	"github.com/hakui-dev/hakui/internal/auth/password"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jobs"
	"github.com/hakui-dev/hakui/internal/jobs/jobstest"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/profile"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// poster is a fake of the webhook port: it records what the board posts.
type poster struct {
	mu    sync.Mutex
	posts []string
}

func (p *poster) PostToOrg(_ context.Context, orgID int64, title, body, link string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.posts = append(p.posts, fmt.Sprintf("%d|%s|%s|%s", orgID, title, body, link))
	return nil
}

func (p *poster) all() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.posts...)
}

// world is a platform with a moderator (also an active member, so they
// can post), verified clinic owners and planners, an unverified doctor,
// an employed doctor and a company with a contact, over the community
// service on a real database.
type world struct {
	t        *testing.T
	ctx      context.Context
	db       *sqlstore.DB
	clock    *jobstest.Clock
	svc      *community.Service
	webhooks *poster
	platform int64

	mod        policy.Actor // 伊藤 由紀, moderator
	admin      policy.Actor // 管理 聡, platform admin (also a moderator of the board)
	owner      policy.Actor // 開業 一郎, verified clinic owner
	planner    policy.Actor // 予定 花子, verified, planning to open
	owner2     policy.Actor // 開業 三郎
	owner3     policy.Actor // 開業 四郎
	unverified policy.Actor // 未確認 六郎: registration number nobody checked
	employed   policy.Actor // 勤務 七子: verified but 勤務医
	contact    policy.Actor // 企業 担当: contact of the company
	company    *community.Company
	names      map[int64]string
}

const companyCode = "HAKUI-MED"

func eachEngine(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, newWorld(t, engine)) })
	}
}

func newWorld(t *testing.T, engine sqlstore.Dialect) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: sqlstoretest.Open(t, engine),
		clock:    jobstest.NewClock(time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)), // 10:00 JST
		webhooks: &poster{}, names: map[int64]string{}}
	w.db.Now = w.clock.Now
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := &audit.Recorder{Store: w.db, Log: log}
	queue := jobs.NewQueue(w.db, w.clock.Now)
	notifier := &notify.Notifier{Store: w.db, Log: log, Jobs: queue, SMTP: notify.SMTP{Addr: "127.0.0.1:1", From: "hakui@example.jp"},
		BaseURL: func() string { return "https://hakui.example.jp" }}
	w.svc = &community.Service{Store: w.db, Audit: rec, Notifier: notifier, Webhooks: w.webhooks, Log: log, Now: w.clock.Now,
		Password: password.TestParams}

	o := &identity.Organisation{Kind: identity.OrgPlatform, Name: "Hakui 運営事務局"}
	noErr(t, w.db.CreateOrganisation(w.ctx, o))
	w.platform = o.ID
	w.admin = w.user("admin@hakui.example.jp", "管理 聡", identity.Grant{Role: identity.RoleAdmin, OrgID: w.platform})
	w.mod = w.user("moderator@hakui.example.jp", "伊藤 由紀", identity.Grant{Role: identity.RoleModerator, OrgID: w.platform},
		identity.Grant{Role: identity.RoleDoctor})
	w.profile(w.mod, career.PracticeClinicOwner, "東京都", "総合診療科", true)
	w.owner = w.doctor("owner@example.jp", "開業 一郎", career.PracticeClinicOwner, "東京都", "内科", true)
	w.planner = w.doctor("planner@example.jp", "予定 花子", career.PracticePlanningToOpen, "大阪府", "小児科", true)
	w.owner2 = w.doctor("owner2@example.jp", "開業 三郎", career.PracticeClinicOwner, "福岡県", "皮膚科", true)
	w.owner3 = w.doctor("owner3@example.jp", "開業 四郎", career.PracticeClinicOwner, "北海道", "眼科", true)
	w.unverified = w.doctor("unverified@example.jp", "未確認 六郎", career.PracticeClinicOwner, "京都府", "外科", false)
	w.employed = w.doctor("employed@example.jp", "勤務 七子", career.PracticeEmployed, "東京都", "内科", true)

	co, err := w.svc.CreateCompany(w.ctx, w.mod, community.CompanyInput{Name: "白衣メディカル株式会社", ReferralCode: companyCode})
	noErr(t, err)
	w.company = co
	temp, err := w.svc.AddContact(w.ctx, w.mod, co.ID, community.ContactInput{Email: "contact@hakui-medical.example.jp", Name: "企業 担当"})
	noErr(t, err)
	if len(temp) < 12 {
		t.Fatalf("temporary password %q", temp)
	}
	u, err := w.db.UserByEmail(w.ctx, "contact@hakui-medical.example.jp")
	noErr(t, err)
	if !u.MustChangePassword {
		t.Error("the contact's account does not ask for a new password")
	}
	w.contact = policy.Actor{UserID: u.ID}
	w.names[u.ID] = u.DisplayName
	return w
}

func (w *world) user(email, name string, grants ...identity.Grant) policy.Actor {
	w.t.Helper()
	u := &identity.User{Email: email, DisplayName: name, PasswordHash: "x", Locale: "ja"}
	noErr(w.t, w.db.CreateUser(w.ctx, u, grants))
	w.names[u.ID] = name
	return policy.Actor{UserID: u.ID, Grants: grants}
}

func (w *world) doctor(email, name string, form career.PracticeForm, pref, specialty string, verified bool) policy.Actor {
	w.t.Helper()
	a := w.user(email, name, identity.Grant{Role: identity.RoleDoctor})
	w.profile(a, form, pref, specialty, verified)
	return a
}

func (w *world) profile(a policy.Actor, form career.PracticeForm, pref, specialty string, verified bool) {
	w.t.Helper()
	p := &profile.Profile{UserID: a.UserID, NameKanji: w.names[a.UserID], RegistrationNumber: fmt.Sprint(400000 + a.UserID),
		PracticeForm: form, Prefecture: pref, Specialties: []string{specialty}}
	noErr(w.t, w.db.SaveProfile(w.ctx, p))
	if verified {
		noErr(w.t, w.db.VerifyRegistration(w.ctx, a.UserID, w.admin.UserID))
	}
}

// join makes the doctors active members: an application approved by the
// moderator.
func (w *world) join(actors ...policy.Actor) {
	w.t.Helper()
	for _, a := range actors {
		m, err := w.svc.Apply(w.ctx, a, community.Application{Note: "よろしくお願いします"})
		noErr(w.t, err)
		noErr(w.t, w.svc.DecideApplication(w.ctx, w.admin, a.UserID, m.Version, true, ""))
	}
}

// tags creates the topic tags 集患 (synonym 集客) and 労務.
func (w *world) tags() {
	w.t.Helper()
	_, err := w.svc.SaveTag(w.ctx, w.mod, community.TagInput{Name: "集患", Category: community.TagTopic, Synonyms: []string{"集客"}})
	noErr(w.t, err)
	_, err = w.svc.SaveTag(w.ctx, w.mod, community.TagInput{Name: "労務", Category: community.TagTopic})
	noErr(w.t, err)
}

func (w *world) ask(a policy.Actor, title string, anonymous bool) *community.PostView {
	w.t.Helper()
	q, err := w.svc.Ask(w.ctx, a, community.QuestionInput{Title: title, Body: "本文です。**よろしく**お願いします。", Anonymous: anonymous})
	noErr(w.t, err)
	return q
}

func (w *world) answer(a policy.Actor, qID int64, body string, anonymous bool) *community.PostView {
	w.t.Helper()
	p, err := w.svc.Answer(w.ctx, a, qID, community.ReplyInput{Body: body, Anonymous: anonymous})
	noErr(w.t, err)
	return p
}

// notes returns the user's notifications, the latest first.
func (w *world) notes(a policy.Actor) []notify.Notification {
	w.t.Helper()
	list, err := w.db.Notifications(w.ctx, a.UserID, 200)
	noErr(w.t, err)
	return list
}

// mails returns the subjects of the e-mails queued to the address.
func (w *world) mails(email string) []string {
	w.t.Helper()
	list, err := w.db.Deliveries(w.ctx, notify.DeliveryFilter{Limit: 1000})
	noErr(w.t, err)
	var out []string
	for _, d := range list {
		if d.Channel == notify.ChannelEmail && d.Target == email {
			out = append(out, d.Subject)
		}
	}
	return out
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

// leaks fails when s carries the name or the ID of the user.
func (w *world) leaks(t *testing.T, what string, s string, a policy.Actor) {
	t.Helper()
	if strings.Contains(s, w.names[a.UserID]) {
		t.Errorf("%s reveals the anonymous author's name: %s", what, s)
	}
}
