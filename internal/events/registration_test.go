package events_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
)

func TestEventValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		for _, c := range []struct {
			name  string
			edit  func(in *events.EventInput)
			field string
		}{
			{"no title", func(in *events.EventInput) { in.Title = "　" }, "title"},
			{"long title", func(in *events.EventInput) { in.Title = strings.Repeat("研", 201) }, "title"},
			{"ends before it starts", func(in *events.EventInput) { in.EndsAt = in.StartsAt.Add(-time.Hour) }, "ends_at"},
			{"deadline after the end", func(in *events.EventInput) { in.RegistrationDeadline = in.EndsAt.Add(time.Minute) }, "registration_deadline"},
			{"unknown mode", func(in *events.EventInput) { in.Mode = "zoom" }, "mode"},
			{"hybrid without a venue", func(in *events.EventInput) { in.Venue = "" }, "venue"},
			{"negative capacity", func(in *events.EventInput) { in.VenueCapacity = -1 }, "venue_capacity"},
			{"hybrid without a URL", func(in *events.EventInput) { in.OnlineURL = "" }, "online_url"},
			{"not a web URL", func(in *events.EventInput) { in.OnlineURL = "ftp://meet.example.jp/x" }, "online_url"},
			{"unparsable URL", func(in *events.EventInput) { in.OnlineURL = "https://exa mple.jp/%zz" }, "online_url"},
			{"unknown audience", func(in *events.EventInput) { in.Audience = "friends" }, "audience"},
			{"no organisations", func(in *events.EventInput) { in.Audience = events.AudienceOrganisations }, "audience_orgs"},
			{"unknown organisation", func(in *events.EventInput) {
				in.Audience, in.AudienceOrgs = events.AudienceOrganisations, []int64{w.prefecture, 99999}
			}, "audience_orgs"},
			{"unknown role", func(in *events.EventInput) {
				in.Audience, in.AudienceRoles = events.AudienceRoles, []string{"coordinator", "cc"}
			}, "audience_roles"},
			{"too many talks", func(in *events.EventInput) { in.Talks = make([]events.Talk, 51) }, "talks"},
			{"talk without a title", func(in *events.EventInput) { in.Talks = []events.Talk{{Speaker: "北山"}} }, "talks"},
		} {
			t.Run(c.name, func(t *testing.T) {
				in := hybridInput()
				c.edit(&in)
				_, err := w.svc.CreateEvent(w.ctx, w.organiser, w.university, in)
				wantField(t, err, c.field)
			})
		}

		// An online event needs no venue; a venue event no URL; 0 places
		// means no limit.
		in := hybridInput()
		in.Mode, in.Venue, in.VenueCapacity = events.ModeOnline, "", 0
		e, err := w.svc.CreateEvent(w.ctx, w.organiser, w.university, in)
		noErr(t, err)
		if e.Venue != "" || e.OnlineURL == "" {
			t.Errorf("online event: venue %q url %q", e.Venue, e.OnlineURL)
		}
		in = hybridInput()
		in.Mode, in.OnlineURL, in.VenueCapacity = events.ModeVenue, "", 0
		_, err = w.svc.CreateEvent(w.ctx, w.organiser, w.university, in)
		noErr(t, err)

		// Only the university's members create and change its events.
		_, err = w.svc.CreateEvent(w.ctx, w.otherCC, w.university, hybridInput())
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.CreateEvent(w.ctx, policy.Actor{}, w.university, hybridInput())
		wantCode(t, err, apperr.Unauthorized)
		in = hybridInput()
		in.Version = e.Version
		_, err = w.svc.UpdateEvent(w.ctx, w.otherCC, e.ID, in)
		wantCode(t, err, apperr.NotFound) // a draft stays hidden
		noErr(t, w.svc.SetStatus(w.ctx, w.organiser, e.ID, events.StatusPublished, e.Version))
		_, err = w.svc.UpdateEvent(w.ctx, w.otherCC, e.ID, in)
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.UpdateEvent(w.ctx, w.organiser, e.ID, in)
		wantCode(t, err, apperr.Conflict) // stale: publishing bumped the version
		in.Version = e.Version + 1
		updated, err := w.svc.UpdateEvent(w.ctx, w.organiser, e.ID, in)
		noErr(t, err)
		if updated.Mode != events.ModeHybrid || updated.Status != events.StatusPublished || len(updated.Talks) != 2 {
			t.Errorf("updated %+v", updated)
		}
		list, err := w.svc.Events(w.ctx, policy.Actor{}, events.EventFilter{})
		noErr(t, err)
		if len(list) != 1 || list[0].ID != e.ID || list[0].OnlineURL != "" {
			t.Errorf("public list %+v", list)
		}
		list, err = w.svc.Events(w.ctx, w.organiser, events.EventFilter{OrgID: w.university})
		noErr(t, err)
		if len(list) != 2 {
			t.Errorf("the organiser's list has %d events, want the published one and the draft", len(list))
		}
	})
}

// TestAudience registers a guest, a member of the audience and an
// outsider for each audience.
func TestAudience(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		open := hybridInput()
		orgs := hybridInput()
		orgs.Audience, orgs.AudienceOrgs = events.AudienceOrganisations, []int64{w.prefecture, w.university}
		roles := hybridInput()
		roles.Audience, roles.AudienceRoles = events.AudienceRoles, []string{string(identity.RolePrefectureOfficer)}
		evs := map[string]*events.Event{"open": w.published(open), "orgs": w.published(orgs), "roles": w.published(roles)}
		actors := map[string]policy.Actor{"guest": {}, "member": w.officer, "outsider": w.outsider}
		for _, c := range []struct {
			event, actor string
			want         apperr.Code
		}{
			{"open", "guest", ""},
			{"open", "member", ""},
			{"open", "outsider", ""},
			{"orgs", "guest", apperr.Forbidden},
			{"orgs", "member", ""},
			{"orgs", "outsider", apperr.Forbidden},
			{"roles", "guest", apperr.Forbidden},
			{"roles", "member", ""},
			{"roles", "outsider", apperr.Forbidden},
		} {
			t.Run(c.event+"/"+c.actor, func(t *testing.T) {
				e, a := evs[c.event], actors[c.actor]
				v, err := w.svc.Event(w.ctx, a, e.ID)
				noErr(t, err)
				if v.CanRegister != (c.want == "") || (v.Reason == "") != (c.want == "") {
					t.Errorf("view: can register %v, reason %q", v.CanRegister, v.Reason)
				}
				in := w.guestInput(len(c.event)*10+len(c.actor), "北海道", events.RoleCC, events.AttendOnline)
				_, _, err = w.svc.Register(w.ctx, a, e.ID, in, "192.0.2.1")
				wantCode(t, err, c.want)
				if c.want != "" && !strings.Contains(apperr.MessageOf(err), "のみお申し込みいただけます") {
					t.Errorf("reason %q", apperr.MessageOf(err))
				}
			})
		}

		// Guests must give an address; a signed-in user's is their own.
		in := w.guestInput(1, "北海道", events.RoleCC, events.AttendOnline)
		in.Email = ""
		_, _, err := w.svc.Register(w.ctx, policy.Actor{}, evs["open"].ID, in, "192.0.2.2")
		wantField(t, err, "email")
		for field, edit := range map[string]func(*events.RegistrationInput){
			"name":       func(in *events.RegistrationInput) { in.Name = " " },
			"prefecture": func(in *events.RegistrationInput) { in.Prefecture = "北山県" },
			"role":       func(in *events.RegistrationInput) { in.Role = "nurse" },
			"attendance": func(in *events.RegistrationInput) { in.Attendance = "" },
			"email":      func(in *events.RegistrationInput) { in.Email = "guest@@example.jp" },
		} {
			in := w.guestInput(2, "北海道", events.RoleCC, events.AttendOnline)
			edit(&in)
			_, _, err := w.svc.Register(w.ctx, policy.Actor{}, evs["open"].ID, in, "192.0.2.2")
			wantField(t, err, field)
		}
		// Attendance must fit the mode; full-width input is normalised.
		in = w.guestInput(3, "大阪府", events.RoleDoctor, events.AttendVenue)
		online := hybridInput()
		online.Mode, online.Venue = events.ModeOnline, ""
		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, w.published(online).ID, in, "192.0.2.3")
		wantField(t, err, "attendance")
		in.Name, in.Email = "ｻﾝｶ　太郎", "Guest003@Example.jp"
		r, _, err := w.svc.Register(w.ctx, policy.Actor{}, evs["open"].ID, in, "192.0.2.3")
		noErr(t, err)
		if r.Name != "サンカ 太郎" || r.Status != events.Registered {
			t.Errorf("registration %+v", r)
		}
	})
}

func TestDeadlineAndDuplicates(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		e := w.published(hybridInput())
		in := w.guestInput(1, "京都府", events.RoleFaculty, events.AttendOnline)
		r, token, err := w.svc.Register(w.ctx, policy.Actor{}, e.ID, in, "192.0.2.1")
		noErr(t, err)
		// The same address, in other case, registers once; the address is
		// sent a new manage link (see TestGuestAddressTakenIsNotRevealed).
		in.Email = strings.ToUpper(in.Email)
		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, e.ID, in, "192.0.2.1")
		wantCode(t, err, apperr.Conflict)
		wantCode(t, w.svc.CancelByToken(w.ctx, token), apperr.NotFound)
		token = w.manageToken("guest001@example.jp", "お申し込み内容のご確認: "+e.Title)
		// After cancelling, it may register again.
		noErr(t, w.svc.CancelByToken(w.ctx, token))
		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, e.ID, in, "192.0.2.1")
		noErr(t, err)
		_, _, err = w.svc.RegistrationByToken(w.ctx, "not-a-token")
		wantCode(t, err, apperr.NotFound)
		wantCode(t, w.svc.CancelByToken(w.ctx, ""), apperr.NotFound)
		// Someone else cannot cancel it; its registrant can.
		wantCode(t, w.svc.Cancel(w.ctx, w.outsider, r.ID), apperr.NotFound)

		// Up to the deadline itself, registration is open; after it, not.
		w.clock.Set(e.RegistrationDeadline)
		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(2, "京都府", events.RoleFaculty, events.AttendOnline), "192.0.2.2")
		noErr(t, err)
		w.clock.Advance(time.Minute)
		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(3, "京都府", events.RoleFaculty, events.AttendOnline), "192.0.2.3")
		wantCode(t, err, apperr.Conflict)
		v, err := w.svc.Event(w.ctx, policy.Actor{}, e.ID)
		noErr(t, err)
		if v.CanRegister || !strings.Contains(v.Reason, "申込締切") {
			t.Errorf("after the deadline: can register %v, reason %q", v.CanRegister, v.Reason)
		}
	})
}

// TestCapacityRace registers many people at once for a room of 5:
// exactly 5 get a place, the others wait in order.
func TestCapacityRace(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		in := hybridInput()
		in.VenueCapacity = 5
		e := w.published(in)
		const n = 24
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				_, _, errs[i] = w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(i, "福岡県", events.RoleCC, events.AttendVenue),
					fmt.Sprintf("192.0.2.%d", i))
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("registration %d: %v", i, err)
			}
		}
		c, err := w.svc.Counts(w.ctx, w.organiser, e.ID)
		noErr(t, err)
		if c.Registered != 5 || c.Venue != 5 || c.Waitlisted != n-5 {
			t.Fatalf("counts %+v; want 5 registered and %d waiting", c, n-5)
		}
		v, err := w.svc.Event(w.ctx, policy.Actor{}, e.ID)
		noErr(t, err)
		if v.PlacesLeft != 0 || v.Counts.ByPrefecture != nil {
			t.Errorf("public view: places left %d, by prefecture %v", v.PlacesLeft, v.Counts.ByPrefecture)
		}

		// A larger room moves the first three waiting up, and tells them.
		waiting, err := w.svc.Registrations(w.ctx, w.organiser, e.ID, events.Waitlisted)
		noErr(t, err)
		in.VenueCapacity, in.Version = 8, v.Version
		_, err = w.svc.UpdateEvent(w.ctx, w.organiser, e.ID, in)
		noErr(t, err)
		for i, r := range waiting[:4] {
			got, err := w.db.Registration(w.ctx, r.ID)
			noErr(t, err)
			told := contains(w.mails(r.Email), "キャンセル待ちから参加確定になりました: "+e.Title)
			if (got.Status == events.Registered) != (i < 3) || told != (i < 3) {
				t.Errorf("waiting #%d: %s, told %v", i+1, got.Status, told)
			}
		}

		// Cancelling the event tells everyone still registered or waiting.
		wantCode(t, w.svc.SetStatus(w.ctx, w.organiser, e.ID, events.StatusCancelled, v.Version), apperr.Conflict)
		noErr(t, w.svc.SetStatus(w.ctx, w.organiser, e.ID, events.StatusCancelled, v.Version+1))
		for i := range n {
			if !contains(w.mails(fmt.Sprintf("guest%03d@example.jp", i)), "研修会は中止になりました: "+e.Title) {
				t.Errorf("guest %d not told of the cancellation", i)
			}
		}
		wantCode(t, w.svc.SetStatus(w.ctx, w.organiser, e.ID, events.StatusPublished, v.Version+2), apperr.Conflict)
		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(99, "福岡県", events.RoleCC, events.AttendVenue), "192.0.2.99")
		wantCode(t, err, apperr.Conflict)
	})
}

// TestRateLimits: 20 registrations an hour per client, 5 material
// requests.
func TestRateLimits(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		e := w.published(hybridInput())
		for i := range 21 {
			_, _, err := w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(i, "長野県", events.RoleOther, events.AttendOnline), "192.0.2.77")
			if i < 20 {
				noErr(t, err)
			} else {
				wantCode(t, err, apperr.RateLimited)
			}
		}
		_, _, err := w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(21, "長野県", events.RoleOther, events.AttendOnline), "192.0.2.78")
		noErr(t, err)
		w.clock.Advance(time.Hour)
		_, _, err = w.svc.Register(w.ctx, policy.Actor{}, e.ID, w.guestInput(22, "長野県", events.RoleOther, events.AttendOnline), "192.0.2.77")
		noErr(t, err)

		m, err := w.svc.AddMaterial(w.ctx, w.organiser, e.ID, events.MaterialInput{Title: "録画", URL: "https://video.example.jp/1",
			Visibility: events.VisibilityRequest})
		noErr(t, err)
		for i := range 6 {
			_, err := w.svc.RequestMaterial(w.ctx, m.ID, events.RequestInput{Name: "申請者", Prefecture: "長野県", Role: "CC",
				Email: fmt.Sprintf("r%d@example.jp", i)}, "192.0.2.77")
			if i < 5 {
				noErr(t, err)
			} else {
				wantCode(t, err, apperr.RateLimited)
			}
		}
	})
}
