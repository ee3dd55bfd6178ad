package survey_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/survey"
)

// registerAs stores a checked-in (or not) registration of the event with
// a known manage token, for the user (zero: a guest).
func (w *world) registerAs(ev *events.Event, user policy.Actor, email, name, token string, checkedIn bool) *events.Registration {
	w.t.Helper()
	now := w.clock.Now()
	r := &events.Registration{EventID: ev.ID, UserID: user.UserID, Name: name, Email: email, Prefecture: "北海道",
		Organisation: "北海道庁", Role: events.RoleCC, Attendance: events.AttendVenue, Status: events.Registered,
		CreatedAt: now, UpdatedAt: now}
	sum := sha256.Sum256([]byte(token))
	noErr(w.t, w.db.CreateRegistration(w.ctx, r, hex.EncodeToString(sum[:])))
	if checkedIn {
		noErr(w.t, w.db.SetCheckedIn(w.ctx, r.ID, &now, w.member.UserID))
	}
	return r
}

// tokenOf returns the token of an answer link.
func tokenOf(t *testing.T, link string) string {
	t.Helper()
	_, token, ok := strings.Cut(link, "/surveys/answer/")
	if !ok || token == "" {
		t.Fatalf("not an answer link: %q", link)
	}
	return token
}

// A signed-in attendee finds the invitation in the app even where no
// e-mail is sent; a guest then has no way in but a link handed out.
func TestSignedInAttendeeNotified(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		attendee := w.user("attendee@example.jp", "北海 太郎")
		w.registerAs(w.event, attendee, "attendee@example.jp", "北海 太郎", "reg-user", true)
		guest := w.register(w.event, "青森 花子", true)
		noMail := *w.svc.Notifier
		noMail.SMTP = notify.SMTP{}
		w.svc.Notifier = &noMail
		sv := w.eventSurvey("研修会アンケート")
		n, err := w.svc.OpenSurvey(w.ctx, w.member, sv.ID, sv.Version)
		noErr(t, err)
		if n != 2 {
			t.Fatalf("invited %d, want 2", n)
		}
		notes, err := w.db.Notifications(w.ctx, attendee.UserID, 10)
		noErr(t, err)
		if len(notes) != 1 || notes[0].Kind != survey.NoteInvited || !strings.Contains(notes[0].Title, "研修会アンケート") {
			t.Fatalf("notifications %+v", notes)
		}
		f, err := w.svc.InvitedForm(w.ctx, tokenOf(t, notes[0].Link))
		noErr(t, err)
		if f.Survey.ID != sv.ID {
			t.Errorf("form of survey %d", f.Survey.ID)
		}
		if ms := w.mails(guest.Email); len(ms) != 0 {
			t.Errorf("e-mails without SMTP: %+v", ms)
		}
	})
}

// The organisers get fresh links of the invitations not yet answered; the
// earlier links of those stop working, an answered one keeps its own.
func TestReissueInvitationLinks(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		a := w.register(w.event, "北海 太郎", true)
		b := w.register(w.event, "青森 花子", true)
		sv := w.eventSurvey("研修会アンケート")
		_, err := w.svc.ReissueInvitationLinks(w.ctx, w.member, sv.ID)
		wantCode(t, err, apperr.Conflict) // not open yet
		_, err = w.svc.OpenSurvey(w.ctx, w.member, sv.ID, sv.Version)
		noErr(t, err)
		oldA, oldB := w.token(a.Email), w.token(b.Email)
		noErr(t, w.svc.SubmitInvited(w.ctx, oldA, likert(sv, 4, "")))

		_, err = w.svc.ReissueInvitationLinks(w.ctx, w.outsider, sv.ID)
		wantCode(t, err, apperr.NotFound)
		links, err := w.svc.ReissueInvitationLinks(w.ctx, w.member, sv.ID)
		noErr(t, err)
		if len(links) != 1 || links[0].Name != "青森 花子" || links[0].Email != b.Email ||
			!strings.HasPrefix(links[0].Link, "https://hakui.example.jp/surveys/answer/") {
			t.Fatalf("links %+v", links)
		}
		_, err = w.svc.InvitedForm(w.ctx, oldB)
		wantCode(t, err, apperr.NotFound)
		_, err = w.svc.InvitedForm(w.ctx, tokenOf(t, links[0].Link))
		noErr(t, err)
		f, err := w.svc.InvitedForm(w.ctx, oldA)
		noErr(t, err)
		if f.Response == nil {
			t.Errorf("the answered invitation lost its response")
		}
		entries, err := w.db.ListAudit(w.ctx, audit.Filter{ActionPrefix: survey.AuditLinksReissued, Limit: 10})
		noErr(t, err)
		if len(entries) != 1 || entries[0].ObjectID != sv.ID {
			t.Errorf("audit %+v", entries)
		}
	})
}

// A registrant reaches the survey from their registration: by its manage
// token or signed in, with a fresh link.
func TestRegistrantLink(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		attendee := w.user("attendee@example.jp", "北海 太郎")
		w.registerAs(w.event, attendee, "attendee@example.jp", "北海 太郎", "reg-user", true)
		w.registerAs(w.event, policy.Actor{}, "guest@example.jp", "青森 花子", "reg-guest", true)
		w.registerAs(w.event, policy.Actor{}, "absent@example.jp", "欠席 次郎", "reg-absent", false)
		sv := w.eventSurvey("研修会アンケート")
		_, err := w.svc.RegistrantLink(w.ctx, policy.Actor{}, 0, "reg-guest")
		wantCode(t, err, apperr.NotFound) // no open survey yet
		_, err = w.svc.OpenSurvey(w.ctx, w.member, sv.ID, sv.Version)
		noErr(t, err)
		mailed := w.token("guest@example.jp")

		link, err := w.svc.RegistrantLink(w.ctx, policy.Actor{}, 0, "reg-guest")
		noErr(t, err)
		_, err = w.svc.InvitedForm(w.ctx, mailed)
		wantCode(t, err, apperr.NotFound)
		token := tokenOf(t, link)
		_, err = w.svc.InvitedForm(w.ctx, token)
		noErr(t, err)

		mine, err := w.svc.RegistrantLink(w.ctx, attendee, w.event.ID, "")
		noErr(t, err)
		_, err = w.svc.InvitedForm(w.ctx, tokenOf(t, mine))
		noErr(t, err)

		for _, c := range []struct {
			name    string
			actor   policy.Actor
			eventID int64
			token   string
			code    apperr.Code
		}{
			{"not checked in", policy.Actor{}, 0, "reg-absent", apperr.NotFound},
			{"unknown token", policy.Actor{}, 0, "nope", apperr.NotFound},
			{"another event", policy.Actor{}, w.event.ID + 1000, "reg-guest", apperr.NotFound},
			{"anonymous without a token", policy.Actor{}, w.event.ID, "", apperr.Unauthorized},
			{"signed in, not registered", w.outsider, w.event.ID, "", apperr.NotFound},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := w.svc.RegistrantLink(w.ctx, c.actor, c.eventID, c.token)
				wantCode(t, err, c.code)
			})
		}

		noErr(t, w.svc.SubmitInvited(w.ctx, token, likert(sv, 5, "")))
		_, err = w.svc.RegistrantLink(w.ctx, policy.Actor{}, w.event.ID, "reg-guest")
		wantCode(t, err, apperr.Conflict)
		if got := fmt.Sprint(w.limit.counted()); !strings.Contains(got, survey.LinkRule.Name) {
			t.Errorf("link requests not counted: %s", got)
		}
	})
}
