package events_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/reqinfo"
)

// from is a request context from the client address.
func (w *world) from(ip string) context.Context {
	return reqinfo.With(w.ctx, reqinfo.Info{IP: ip})
}

// The group work shows a participant their own group only: an online
// registrant in no group (who never attended) sees nobody, a checked-in
// one sees their group's names and roles, not where people come from nor
// how to reach them. The organisers see everything.
func TestGroupWorkShowsOnlyOwnGroup(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		e := w.published(hybridInput())
		for i := 1; i <= 8; i++ {
			r, _ := w.guest(e.ID, i, "北海道", events.RoleCC, events.AttendVenue)
			noErr(t, w.svc.CheckIn(w.ctx, w.organiser, r.ID, true))
		}
		mine, _, err := w.svc.Register(w.ctx, w.otherCC, e.ID, events.RegistrationInput{Name: "南 次郎", Prefecture: "京都府",
			Organisation: "南川大学", Role: events.RoleCC, Attendance: events.AttendVenue}, "203.0.113.8")
		noErr(t, err)
		noErr(t, w.svc.CheckIn(w.ctx, w.organiser, mine.ID, true))
		_, _, err = w.svc.Register(w.ctx, w.outsider, e.ID, events.RegistrationInput{Name: "鈴木 健", Prefecture: "東京都",
			Role: events.RoleDoctor, Attendance: events.AttendOnline}, "203.0.113.9")
		noErr(t, err)

		// Before any assignment nobody but the organisers has a group.
		_, err = w.svc.GroupWork(w.ctx, w.otherCC, e.ID)
		wantCode(t, err, apperr.NotFound)
		_, err = w.svc.AssignGroups(w.ctx, w.organiser, e.ID, events.GroupInput{Groups: 3, Themes: []string{"A"}, Seed: 1})
		noErr(t, err)

		all, err := w.svc.GroupWork(w.ctx, w.organiser, e.ID)
		noErr(t, err)
		if n := len(all.Groups); n != 3 || all.Groups[0].Members[0].Email == "" {
			t.Fatalf("organiser sees %d groups, first member %+v", n, all.Groups[0].Members[0])
		}

		for name, a := range map[string]policy.Actor{"registered online, in no group": w.outsider, "not registered": w.officer, "anonymous": {}} {
			gw, err := w.svc.GroupWork(w.ctx, a, e.ID)
			if apperr.CodeOf(err) != apperr.NotFound {
				t.Errorf("%s: GroupWork = %+v, %v; want NotFound", name, gw, err)
			}
		}

		gw, err := w.svc.GroupWork(w.ctx, w.otherCC, e.ID)
		noErr(t, err)
		if len(gw.Groups) != 1 {
			t.Fatalf("a participant sees %d groups, want their own", len(gw.Groups))
		}
		var own *events.Group
		for i, g := range all.Groups {
			for _, m := range g.Members {
				if m.ID == mine.ID {
					own = &all.Groups[i]
				}
			}
		}
		g := gw.Groups[0]
		if own == nil || g.Number != own.Number || len(g.Members) != len(own.Members) {
			t.Fatalf("participant's group %+v, want %+v", g, own)
		}
		for i, m := range g.Members {
			if m.Name != own.Members[i].Name || m.Role != own.Members[i].Role {
				t.Errorf("member %d: %q %q, want %q %q", i, m.Name, m.Role, own.Members[i].Name, own.Members[i].Role)
			}
			if m.Email != "" || m.Organisation != "" || m.Prefecture != "" || m.UserID != 0 || m.CheckedInBy != 0 || m.CheckedInAt != nil {
				t.Errorf("member %d shows more than a name and a role: %+v", i, m)
			}
		}
		if gw.AssignedBy != 0 {
			t.Errorf("the participant learns who assigned the groups: %d", gw.AssignedBy)
		}

		// A participant whose check-in was cleared is in no group any more.
		noErr(t, w.svc.CheckIn(w.ctx, w.organiser, mine.ID, false))
		_, err = w.svc.GroupWork(w.ctx, w.otherCC, e.ID)
		wantCode(t, err, apperr.NotFound)
	})
}

// A signed-in user registers under their account's address only, once
// per event: they cannot hold the room's places under made-up addresses
// nor squat someone else's.
func TestOneLiveRegistrationPerUser(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		in := hybridInput()
		in.VenueCapacity = 3
		e := w.published(in)
		r, _, err := w.svc.Register(w.ctx, w.outsider, e.ID, events.RegistrationInput{Name: "偽名 0",
			Email: "guest001@example.jp", Prefecture: "東京都", Role: events.RoleCC, Attendance: events.AttendVenue}, "203.0.113.9")
		noErr(t, err)
		if r.Email != "doctor@example.jp" || r.UserID != w.outsider.UserID || r.Status != events.Registered {
			t.Fatalf("signed-in registration %+v, want the account's address", r)
		}
		for i := 1; i < 3; i++ {
			_, _, err := w.svc.Register(w.ctx, w.outsider, e.ID, events.RegistrationInput{Name: fmt.Sprintf("偽名 %d", i),
				Email: fmt.Sprintf("guest%03d@example.jp", i+1), Prefecture: "東京都", Role: events.RoleCC,
				Attendance: events.AttendVenue}, fmt.Sprintf("203.0.113.%d", 10+i))
			wantCode(t, err, apperr.Conflict)
			if msg := apperr.MessageOf(err); !strings.Contains(msg, "すでに申し込んでいます") {
				t.Errorf("second registration of a user: %q", msg)
			}
		}
		// The database holds the line too.
		dup := &events.Registration{EventID: e.ID, UserID: w.outsider.UserID, Name: "偽名", Email: "guest009@example.jp",
			Prefecture: "東京都", Role: events.RoleCC, Attendance: events.AttendOnline, CreatedAt: w.clock.Now(), UpdatedAt: w.clock.Now()}
		wantCode(t, w.db.CreateRegistration(w.ctx, dup, "dup-token-hash"), apperr.Conflict)

		// The owners of the addresses register as they like.
		for i := 1; i <= 2; i++ {
			g, _ := w.guest(e.ID, i, "北海道", events.RoleCC, events.AttendVenue)
			if g.Status != events.Registered {
				t.Errorf("guest%03d: %s", i, g.Status)
			}
		}
		if n := len(w.mails("guest001@example.jp")); n != 1 {
			t.Errorf("%d e-mails to guest001, want its own confirmation", n)
		}
		// After cancelling, the user may register again.
		noErr(t, w.svc.Cancel(w.ctx, w.outsider, r.ID))
		_, _, err = w.svc.Register(w.ctx, w.outsider, e.ID, events.RegistrationInput{Name: "鈴木 健", Prefecture: "東京都",
			Role: events.RoleDoctor, Attendance: events.AttendOnline}, "203.0.113.9")
		noErr(t, err)
	})
}

// A registration whose address has a live registration is answered with
// a neutral message; the address is sent a new manage link of the live
// registration, so that its owner can cancel a squat made in their name.
func TestGuestAddressTakenIsNotRevealed(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		in := hybridInput()
		in.VenueCapacity = 1
		e := w.published(in)
		victim := "guest001@example.jp"
		squat := w.guestInput(1, "東京都", events.RoleOther, events.AttendVenue)
		squat.Name = "なりすまし"
		_, squatToken, err := w.svc.Register(w.ctx, policy.Actor{}, e.ID, squat, "203.0.113.66")
		noErr(t, err)

		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(1, "北海道", events.RoleCC, events.AttendVenue), "198.51.100.1")
		wantCode(t, err, apperr.Conflict)
		if msg := apperr.MessageOf(err); strings.Contains(msg, "すでに") || strings.Contains(msg, "申し込まれて") {
			t.Errorf("the answer tells that the address is registered: %q", msg)
		}
		subject := "お申し込み内容のご確認: " + e.Title
		m := w.mail(victim, subject)
		if !strings.Contains(m.Text, "なりすまし") || !strings.Contains(m.Text, "キャンセル") {
			t.Errorf("reminder text %q", m.Text)
		}
		// The squatter's link is dead; the owner's new one cancels.
		_, _, err = w.svc.RegistrationByToken(w.ctx, squatToken)
		wantCode(t, err, apperr.NotFound)
		token := w.manageToken(victim, subject)
		reg, _, err := w.svc.RegistrationByToken(w.ctx, token)
		noErr(t, err)
		if reg.Name != "なりすまし" {
			t.Errorf("the new link manages %+v", reg)
		}
		noErr(t, w.svc.CancelByToken(w.from("198.51.100.1"), token))
		r, _, err := w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(1, "北海道", events.RoleCC, events.AttendVenue), "198.51.100.1")
		noErr(t, err)
		if r.Status != events.Registered {
			t.Errorf("owner's registration: %s", r.Status)
		}

		// A signed-in user whose address a guest took is told the same way.
		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, e.ID, events.RegistrationInput{Name: "なりすまし", Email: "Doctor@Example.jp",
			Prefecture: "東京都", Role: events.RoleOther, Attendance: events.AttendOnline}, "203.0.113.66")
		noErr(t, err)
		_, _, err = w.svc.Register(w.ctx, w.outsider, e.ID, events.RegistrationInput{Name: "鈴木 健", Prefecture: "東京都",
			Role: events.RoleDoctor, Attendance: events.AttendOnline}, "203.0.113.9")
		wantCode(t, err, apperr.Conflict)
		w.mail("Doctor@Example.jp", subject) // as the live registration has it
	})
}

// Registering and cancelling through public links sends an address at
// most MailRule.Limit e-mails a day; the registrations still work, and
// the reminder of a taken address keeps to the limit (the live link stays
// valid when no new one can be sent).
func TestMailLimitPerRecipient(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		e := w.published(hybridInput())
		victim := "victim@example.jp"
		in := events.RegistrationInput{Name: "x", Email: victim, Prefecture: "東京都", Role: events.RoleOther, Attendance: events.AttendOnline}
		var token string
		for i := range 5 {
			client := fmt.Sprintf("192.0.2.%d", i+1) // clients of their own
			r, tok, err := w.svc.Register(w.ctx, policy.Actor{}, e.ID, in, client)
			noErr(t, err)
			if r.Status != events.Registered {
				t.Fatalf("registration %d: %s", i, r.Status)
			}
			token = tok
			if i < 4 {
				noErr(t, w.svc.CancelByToken(w.from(client), tok))
			}
		}
		if n := len(w.mails(victim)); n != events.MailRule.Limit {
			t.Errorf("%d e-mails to %s in a day, want %d", n, victim, events.MailRule.Limit)
		}
		// Over the limit, a conflicting registration sends no reminder
		// and leaves the live link working.
		in.Email = "Victim@Example.jp"
		_, _, err := w.svc.Register(w.ctx, policy.Actor{}, e.ID, in, "192.0.2.99")
		wantCode(t, err, apperr.Conflict)
		if _, _, err := w.svc.RegistrationByToken(w.ctx, token); err != nil {
			t.Errorf("live link after an unsent reminder: %v", err)
		}
		if n := len(w.mails(victim)); n != events.MailRule.Limit {
			t.Errorf("%d e-mails after the reminder, want %d", n, events.MailRule.Limit)
		}
		// Others' mail is not affected; the next day the address hears again.
		w.guest(e.ID, 1, "北海道", events.RoleCC, events.AttendOnline)
		if n := len(w.mails("guest001@example.jp")); n != 1 {
			t.Errorf("%d e-mails to another address", n)
		}
		w.clock.Advance(events.MailRule.Window)
		noErr(t, w.svc.CancelByToken(w.from("192.0.2.1"), token))
		if n := len(w.mails(victim)); n != events.MailRule.Limit+1 {
			t.Errorf("%d e-mails the next day, want %d", n, events.MailRule.Limit+1)
		}
	})
}

// The per-client registration limit counts cancellations through a
// manage link too, and an IPv6 /64 is one client.
func TestRegisterLimitCountsCancelsPerPrefix(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		e := w.published(hybridInput())
		half := events.RegisterRule.Limit / 2
		for i := range half {
			in := w.guestInput(i+1, "東京都", events.RoleOther, events.AttendOnline)
			_, token, err := w.svc.Register(w.ctx, policy.Actor{}, e.ID, in, fmt.Sprintf("2001:db8:0:7::%x", i+1))
			noErr(t, err)
			noErr(t, w.svc.CancelByToken(w.from(fmt.Sprintf("2001:db8:0:7:%x::1", i+1)), token))
		}
		for i := 2 * half; i < events.RegisterRule.Limit; i++ { // an odd limit
			_, _, err := w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(900, "東京都", events.RoleOther, events.AttendOnline), "2001:db8:0:7::ff")
			noErr(t, err)
		}
		_, _, err := w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(100, "東京都", events.RoleOther, events.AttendOnline), "2001:db8:0:7:abcd::1")
		wantCode(t, err, apperr.RateLimited)
		wantCode(t, w.svc.CancelByToken(w.from("2001:db8:0:7::2"), "whatever"), apperr.RateLimited)
		// Another /64 and an IPv4 client are on their own.
		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(100, "東京都", events.RoleOther, events.AttendOnline), "2001:db8:0:8::1")
		noErr(t, err)
		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(101, "東京都", events.RoleOther, events.AttendOnline), "192.0.2.7")
		noErr(t, err)
		w.clock.Advance(time.Hour)
		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(102, "東京都", events.RoleOther, events.AttendOnline), "2001:db8:0:7::1")
		noErr(t, err)
	})
}
