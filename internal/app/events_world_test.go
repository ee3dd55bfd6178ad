package app_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/survey"
)

// eventsWorld is the shared setting of the events and surveys tests
// (pages and API): a university whose career coordinator (CC) organises
// the training sessions, a prefecture officer of another organisation, a
// doctor, and a hospital's staff member who is an outsider to all of it.
// Every account is signed in on its own client. Nothing exists yet: the
// helpers create events, guests, check-ins and surveys through the
// services.
type eventsWorld struct {
	env *apptest.Env

	uni      int64 // 白衣大学 キャリアコーディネーター室 (the organiser's organisation)
	pref     int64 // 白衣県 (the officer's organisation)
	hospital int64 // 白衣総合病院 (the outsider's organisation)

	organiser *eventsUser // 研修 主任: CC of the university, TOTP
	officer   *eventsUser // 県庁 職員: prefecture officer, TOTP
	doctor    *eventsUser // 医師 太郎: a doctor
	outsider  *eventsUser // 病院 事務: institution staff of the hospital, TOTP
}

// eventsUser is one account of the world, signed in on its own client.
type eventsUser struct {
	user   *identity.User
	secret string // TOTP secret of staff; "" for the doctor
	c      *apptest.Client
}

// ID returns the user's ID.
func (u *eventsUser) ID() int64 { return u.user.ID }

// Name returns the user's display name.
func (u *eventsUser) Name() string { return u.user.DisplayName }

// Email returns the user's address.
func (u *eventsUser) Email() string { return u.user.Email }

// newEventsWorld builds the world on env (use it inside forEngines). It
// needs no events or survey service: only the accounts.
func newEventsWorld(t *testing.T, env *apptest.Env) *eventsWorld {
	t.Helper()
	w := &eventsWorld{env: env}
	w.uni = env.Org(identity.OrgUniversity, "白衣大学 キャリアコーディネーター室")
	w.pref = env.Org(identity.OrgPrefecture, "白衣県")
	w.hospital = env.Org(identity.OrgInstitution, "白衣総合病院")
	w.organiser = w.staff(t, "cc@hakui-u.example.jp", "研修 主任", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.uni, OrgAdmin: true})
	w.officer = w.staff(t, "officer@pref.example.jp", "県庁 職員", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.pref})
	w.outsider = w.staff(t, "staff@hospital.example.jp", "病院 事務", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: w.hospital})
	u := env.User("doctor@example.jp", "医師 太郎", identity.Grant{Role: identity.RoleDoctor})
	w.doctor = &eventsUser{user: u, c: env.Client()}
	w.doctor.c.Login(u.Email, "")
	return w
}

// staff creates a staff member with TOTP, signed in.
func (w *eventsWorld) staff(t *testing.T, email, name string, g identity.Grant) *eventsUser {
	t.Helper()
	u := w.env.User(email, name, g)
	eu := &eventsUser{user: u, secret: w.env.EnableTOTP(u), c: w.env.Client()}
	eu.c.Login(email, eu.secret)
	return eu
}

// actor returns the user as the services see them.
func (w *eventsWorld) actor(t *testing.T, u *eventsUser) policy.Actor {
	t.Helper()
	return actorOf(t, w.env, u.user)
}

// anonymous returns a client that is not signed in.
func (w *eventsWorld) anonymous() *apptest.Client { return w.env.Client() }

// eventsOnlineURL is the online URL of the world's events.
const eventsOnlineURL = "https://meet.example.jp/hakui-kenshu"

// eventInput is a hybrid event two weeks from the clock's now (10:00–
// 16:00 JST), registration until a week before, open to anyone, with a
// two-talk programme.
func (w *eventsWorld) eventInput(title string, capacity int) events.EventInput {
	day := w.env.Clock.Now().In(career.JST).AddDate(0, 0, 14)
	start := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, career.JST)
	talk := start.Add(30 * time.Minute)
	return events.EventInput{
		Title: title, Description: "地域枠の医師の**キャリア支援**について学ぶ研修会です。",
		StartsAt: start, EndsAt: start.Add(6 * time.Hour), Mode: events.ModeHybrid,
		Venue: "白衣大学 医学部 講堂", VenueCapacity: capacity, OnlineURL: eventsOnlineURL,
		RegistrationDeadline: start.AddDate(0, 0, -7), Audience: events.AudienceOpen,
		Talks: []events.Talk{
			{Title: "地域枠制度の現状", Speaker: "白衣 花子", Affiliation: "白衣大学", StartsAt: &talk, Minutes: 40},
			{Title: "面談の進め方", Speaker: "研修 主任", Affiliation: "白衣大学", Minutes: 60},
		},
	}
}

// draftEvent creates a draft hybrid event of the university through the
// service.
func (w *eventsWorld) draftEvent(t *testing.T, title string, capacity int) *events.Event {
	t.Helper()
	e, err := w.env.Main.Events.CreateEvent(context.Background(), w.actor(t, w.organiser), w.uni, w.eventInput(title, capacity))
	if err != nil {
		t.Fatalf("CreateEvent %s: %v", title, err)
	}
	return e
}

// hybridEvent creates and publishes a hybrid event with the venue
// capacity (0: no limit) and returns it as stored after publishing.
func (w *eventsWorld) hybridEvent(t *testing.T, title string, capacity int) *events.Event {
	t.Helper()
	e := w.draftEvent(t, title, capacity)
	w.publish(t, e.ID)
	return w.event(t, e.ID)
}

// publish publishes the event through the service.
func (w *eventsWorld) publish(t *testing.T, id int64) {
	t.Helper()
	e := w.event(t, id)
	if err := w.env.Main.Events.SetStatus(context.Background(), w.actor(t, w.organiser), id, events.StatusPublished, e.Version); err != nil {
		t.Fatalf("publish event %d: %v", id, err)
	}
}

// event returns the event as the organiser sees it.
func (w *eventsWorld) event(t *testing.T, id int64) *events.Event {
	t.Helper()
	v, err := w.env.Main.Events.Event(context.Background(), w.actor(t, w.organiser), id)
	if err != nil {
		t.Fatalf("Event %d: %v", id, err)
	}
	return &v.Event
}

// eventsPrefectures and the ParticipantRoles are cycled through by the
// generated guests.
var eventsPrefectures = []string{"東京都", "大阪府", "北海道", "福岡県", "愛知県"}

// eventsGuest is a registered guest and their manage token.
type eventsGuest struct {
	events.Registration
	Token string
}

// guestInput is the i-th generated guest (from 0): 参加者 {i+1}, guest{i+1}@
// example.jp, the prefectures and roles in turn.
func guestInput(i int, att events.Attendance) events.RegistrationInput {
	return events.RegistrationInput{
		Name: fmt.Sprintf("参加者 %d", i+1), Email: fmt.Sprintf("guest%d@example.jp", i+1),
		Prefecture: eventsPrefectures[i%len(eventsPrefectures)], Organisation: "白衣病院",
		Role: events.ParticipantRoles[i%len(events.ParticipantRoles)], Attendance: att,
	}
}

// registerGuests registers n generated guests (guest{from+1}… — pass the
// number already registered as from) with the attendance, each from its
// own client address, and returns them in order.
func (w *eventsWorld) registerGuests(t *testing.T, eventID int64, from, n int, att events.Attendance) []eventsGuest {
	t.Helper()
	var out []eventsGuest
	for i := from; i < from+n; i++ {
		reg, token, err := w.env.Main.Events.Register(context.Background(), policy.Actor{}, eventID, guestInput(i, att), guestClient(i))
		if err != nil {
			t.Fatalf("register guest %d: %v", i+1, err)
		}
		out = append(out, eventsGuest{Registration: *reg, Token: token})
	}
	return out
}

// guestClient is a distinct documentation address per guest, so that the
// rate limits do not count them together.
func guestClient(i int) string { return fmt.Sprintf("198.51.%d.%d", 100+i/250, 1+i%250) }

// checkIn checks the guests in as the organiser.
func (w *eventsWorld) checkIn(t *testing.T, guests ...eventsGuest) {
	t.Helper()
	for _, g := range guests {
		if err := w.env.Main.Events.CheckIn(context.Background(), w.actor(t, w.organiser), g.ID, true); err != nil {
			t.Fatalf("check in %s: %v", g.Name, err)
		}
	}
}

// Labels of the world's survey items.
const (
	surveyLikertLabel = "研修会の内容に満足しましたか"
	surveySingleLabel = "どこで知りましたか"
	surveyTextLabel   = "ご意見・ご要望"
)

// surveyItems are a required Likert item, a single-choice item and a
// free-text item.
func surveyItems() []survey.ItemInput {
	return []survey.ItemInput{
		{Kind: survey.Likert, Label: surveyLikertLabel, Required: true},
		{Kind: survey.Single, Label: surveySingleLabel, Choices: []string{"メール", "ウェブサイト", "知人の紹介"}},
		{Kind: survey.Text, Label: surveyTextLabel},
	}
}

// likertSurvey creates a draft survey of the university with the world's
// items: a patient survey with a public link when eventID is 0, else the
// event's survey.
func (w *eventsWorld) likertSurvey(t *testing.T, title string, eventID int64) *survey.Survey {
	t.Helper()
	in := survey.SurveyInput{Kind: survey.KindPatient, Title: title, Description: "今後の改善のためご協力ください。", Items: surveyItems()}
	if eventID != 0 {
		in.Kind, in.EventID = survey.KindEvent, eventID
	}
	s, err := w.env.Main.Surveys.CreateSurvey(context.Background(), w.actor(t, w.organiser), w.uni, in)
	if err != nil {
		t.Fatalf("CreateSurvey %s: %v", title, err)
	}
	return s
}

// openSurvey opens the survey and returns it as stored.
func (w *eventsWorld) openSurvey(t *testing.T, id int64) *survey.Survey {
	t.Helper()
	ctx, actor := context.Background(), w.actor(t, w.organiser)
	s, err := w.env.Main.Surveys.Survey(ctx, actor, id)
	if err != nil {
		t.Fatalf("Survey %d: %v", id, err)
	}
	if _, err := w.env.Main.Surveys.OpenSurvey(ctx, actor, id, s.Version); err != nil {
		t.Fatalf("OpenSurvey %d: %v", id, err)
	}
	if s, err = w.env.Main.Surveys.Survey(ctx, actor, id); err != nil {
		t.Fatalf("Survey %d: %v", id, err)
	}
	return s
}

// publicSurvey creates and opens a patient survey with a public link.
func (w *eventsWorld) publicSurvey(t *testing.T, title string) *survey.Survey {
	t.Helper()
	return w.openSurvey(t, w.likertSurvey(t, title, 0).ID)
}

// answerLikert submits one anonymous response per value to the open
// public survey, each from its own client address, answering the first
// (Likert) item with the value.
func (w *eventsWorld) answerLikert(t *testing.T, s *survey.Survey, values ...int) {
	t.Helper()
	for i, v := range values {
		a := survey.Answers{s.Items[0].ID: {Value: v}}
		if _, err := w.env.Main.Surveys.SubmitPublic(context.Background(), s.PublicSlug, a, fmt.Sprintf("203.0.%d.%d", 100+i/250, 1+i%250)); err != nil {
			t.Fatalf("SubmitPublic %d: %v", i, err)
		}
	}
}
