package events_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/policy"
)

// TestMaterialAccess opens a public, a registrants-only and a by-request
// material with every kind of access, and counts the audit entries.
func TestMaterialAccess(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		ctx := w.ctx
		e := w.published(hybridInput())
		add := func(title string, vis events.Visibility) *events.Material {
			m, err := w.svc.AddMaterial(ctx, w.organiser, e.ID, events.MaterialInput{Kind: events.KindRecording, Title: title,
				URL: "https://video.example.jp/" + string(vis) + "/" + title, Visibility: vis})
			noErr(t, err)
			return m
		}
		public := add("slides", events.VisibilityPublic)
		registrants := add("registrants", events.VisibilityRegistrants)
		request := add("request", events.VisibilityRequest)
		other := add("other", events.VisibilityRequest)
		if request.AccessDays != 30 {
			t.Fatalf("access days %d, want the default 30", request.AccessDays)
		}
		_, err := w.svc.AddMaterial(ctx, w.organiser, e.ID, events.MaterialInput{Title: "x", URL: "javascript:alert(1)", Visibility: "secret", AccessDays: 400})
		for _, f := range []string{"url", "visibility", "access_days"} {
			wantField(t, err, f)
		}
		_, err = w.svc.AddMaterial(ctx, w.otherCC, e.ID, events.MaterialInput{Title: "x", URL: "https://example.jp", Visibility: events.VisibilityPublic})
		wantCode(t, err, apperr.Forbidden)

		// The other university's coordinator registers signed in; a
		// guest registers with a link.
		_, _, err = w.svc.Register(ctx, w.otherCC, e.ID, w.guestInput(1, "宮城県", events.RoleCC, events.AttendOnline), "192.0.2.1")
		noErr(t, err)
		_, guestToken := w.guest(e.ID, 2, "秋田県", events.RoleStaff, events.AttendOnline)

		// Requests: one approved, then a month later another whose
		// access is still running while the first has expired; one for
		// the other material.
		ask := func(m *events.Material, n string) int64 {
			r, err := w.svc.RequestMaterial(ctx, m.ID, events.RequestInput{Name: "申請 " + n, Prefecture: "沖縄県", Role: "cc",
				Email: "requester" + n + "@example.jp", Note: "復習のため"}, "203.0.113."+n)
			noErr(t, err)
			return r.ID
		}
		approve := func(id int64) string {
			token, err := w.svc.DecideRequest(ctx, w.organiser, id, true, "")
			noErr(t, err)
			return token
		}
		expiredToken := approve(ask(request, "1"))
		otherToken := approve(ask(other, "2"))
		w.clock.Advance(29 * 24 * time.Hour)
		approvedToken := approve(ask(request, "3"))
		w.clock.Advance(2 * 24 * time.Hour)

		type access struct {
			actor policy.Actor
			token string
		}
		accesses := map[string]access{
			"anonymous":      {},
			"outsider":       {actor: w.outsider},
			"registrant":     {actor: w.otherCC},
			"guest token":    {token: guestToken},
			"approved token": {token: approvedToken},
			"expired token":  {token: expiredToken},
			"other token":    {token: otherToken},
			"organiser":      {actor: w.organiser},
		}
		const ok = apperr.Code("")
		opened := 0
		for _, c := range []struct {
			m                    *events.Material
			access               string
			want                 apperr.Code
			actorInAudit, detail string
		}{
			{public, "anonymous", ok, "0", "public"},
			{public, "outsider", ok, "user", "public"},
			{public, "registrant", ok, "user", "public"},
			{public, "guest token", ok, "0", "public"},
			{public, "expired token", ok, "0", "public"},
			{public, "organiser", ok, "user", "organiser"},
			{registrants, "anonymous", apperr.Forbidden, "", ""},
			{registrants, "outsider", apperr.Forbidden, "", ""},
			{registrants, "registrant", ok, "user", "registration:"},
			{registrants, "guest token", ok, "0", "registration:"},
			{registrants, "approved token", apperr.NotFound, "", ""},
			{registrants, "organiser", ok, "user", "organiser"},
			{request, "anonymous", apperr.Forbidden, "", ""},
			{request, "outsider", apperr.Forbidden, "", ""},
			{request, "registrant", apperr.Forbidden, "", ""},
			{request, "guest token", apperr.NotFound, "", ""},
			{request, "approved token", ok, "0", "requester3@example.jp"},
			{request, "expired token", apperr.NotFound, "", ""},
			{request, "other token", apperr.NotFound, "", ""},
			{request, "organiser", ok, "user", "organiser"},
		} {
			t.Run(string(c.m.Visibility)+"/"+c.access, func(t *testing.T) {
				a := accesses[c.access]
				url, err := w.svc.Open(ctx, c.m.ID, events.Access{Actor: a.actor, Token: a.token, Client: "192.0.2.200"})
				wantCode(t, err, c.want)
				if c.want != ok {
					if url != "" {
						t.Errorf("URL %q given with an error", url)
					}
					return
				}
				opened++
				if url != c.m.URL {
					t.Errorf("URL %q, want %q", url, c.m.URL)
				}
				entries := w.auditOf(events.MaterialOpened)
				if len(entries) != opened {
					t.Fatalf("%d audit entries after %d openings", len(entries), opened)
				}
				last := entries[0]
				if last.Seq < entries[len(entries)-1].Seq {
					last = entries[len(entries)-1]
				}
				if last.ObjectKind != "event_material" || last.ObjectID != c.m.ID || last.IP != "192.0.2.200" ||
					(last.ActorID == 0) != (c.actorInAudit == "0") || !strings.Contains(last.Detail, c.detail) {
					t.Errorf("audit entry %+v", last)
				}
			})
		}
		if n := len(w.auditOf(events.MaterialOpened)); n != opened || n != 11 {
			t.Errorf("%d audit entries, %d openings; want 11", n, opened)
		}
		_, err = w.svc.Open(ctx, request.ID, events.Access{Token: expiredToken})
		if !strings.Contains(apperr.MessageOf(err), "期限") {
			t.Errorf("expired access says %q", apperr.MessageOf(err))
		}

		// Only organisers see the URLs.
		for _, a := range []policy.Actor{{}, w.otherCC, w.organiser} {
			list, err := w.svc.Materials(ctx, a, e.ID)
			noErr(t, err)
			if len(list) != 4 {
				t.Fatalf("%d materials", len(list))
			}
			manage := a.UserID == w.organiser.UserID
			for _, m := range list {
				if (m.URL != "") != manage {
					t.Errorf("actor %d sees URL %q", a.UserID, m.URL)
				}
				wantOpen := manage || m.Visibility == events.VisibilityPublic ||
					(m.Visibility == events.VisibilityRegistrants && a.UserID == w.otherCC.UserID)
				if m.CanOpen != wantOpen || m.Requestable != (!manage && m.Visibility == events.VisibilityRequest) {
					t.Errorf("actor %d, %s: can open %v, requestable %v", a.UserID, m.Visibility, m.CanOpen, m.Requestable)
				}
			}
		}
	})
}

// TestMaterialRequests asks for a recording, and approves and rejects
// requests with the e-mails that go out.
func TestMaterialRequests(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		ctx := w.ctx
		e := w.published(hybridInput())
		rec, err := w.svc.AddMaterial(ctx, w.organiser, e.ID, events.MaterialInput{Kind: events.KindRecording, Title: "研修会の録画",
			URL: "https://video.example.jp/cc-2026", Visibility: events.VisibilityRequest, AccessDays: 14})
		noErr(t, err)
		pub, err := w.svc.AddMaterial(ctx, w.organiser, e.ID, events.MaterialInput{Title: "資料", URL: "https://example.jp/slides.pdf",
			Visibility: events.VisibilityPublic})
		noErr(t, err)

		in := events.RequestInput{Name: "比嘉 さくら", Prefecture: "沖縄県", Role: "都道府県職員", Email: "higa@pref.okinawa.example.jp"}
		_, err = w.svc.RequestMaterial(ctx, pub.ID, in, "203.0.113.1")
		wantCode(t, err, apperr.Invalid)
		for field, edit := range map[string]func(*events.RequestInput){
			"name":       func(in *events.RequestInput) { in.Name = "" },
			"prefecture": func(in *events.RequestInput) { in.Prefecture = "Okinawa" },
			"role":       func(in *events.RequestInput) { in.Role = "" },
			"email":      func(in *events.RequestInput) { in.Email = "higa" },
		} {
			bad := in
			edit(&bad)
			_, err := w.svc.RequestMaterial(ctx, rec.ID, bad, "203.0.113.1")
			wantField(t, err, field)
		}
		approved, err := w.svc.RequestMaterial(ctx, rec.ID, in, "203.0.113.1")
		noErr(t, err)
		in.Name, in.Email = "大城 健", "oshiro@example.jp"
		rejected, err := w.svc.RequestMaterial(ctx, rec.ID, in, "203.0.113.2")
		noErr(t, err)
		if approved.Status != events.RequestPending {
			t.Errorf("new request is %s", approved.Status)
		}
		// The organisers are told in the app.
		notes := w.notes(w.organiser)
		if len(notes) != 2 || notes[0].Kind != events.NoteRequest || !strings.Contains(notes[0].Title, "研修会の録画") {
			t.Errorf("organiser's notifications %+v", notes)
		}

		_, err = w.svc.MaterialRequests(ctx, w.otherCC, e.ID)
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.DecideRequest(ctx, w.otherCC, approved.ID, true, "")
		wantCode(t, err, apperr.Forbidden)
		token, err := w.svc.DecideRequest(ctx, w.organiser, approved.ID, true, "")
		noErr(t, err)
		if len(token) != 43 {
			t.Errorf("access token %q", token)
		}
		_, err = w.svc.DecideRequest(ctx, w.organiser, approved.ID, false, "重複")
		wantCode(t, err, apperr.Conflict)
		_, err = w.svc.DecideRequest(ctx, w.organiser, rejected.ID, false, "  ")
		wantField(t, err, "reason")
		_, err = w.svc.DecideRequest(ctx, w.organiser, rejected.ID, false, "研修会の参加者に限って共有しています。")
		noErr(t, err)

		if got := w.mails("higa@pref.okinawa.example.jp"); len(got) != 1 || got[0] != "録画の閲覧申請が承認されました: 研修会の録画" {
			t.Errorf("approval mails %q", got)
		}
		if got := w.mails("oshiro@example.jp"); len(got) != 1 || got[0] != "録画の閲覧申請について: 研修会の録画" {
			t.Errorf("rejection mails %q", got)
		}
		list, err := w.svc.MaterialRequests(ctx, w.organiser, e.ID)
		noErr(t, err)
		byID := map[int64]events.MaterialRequest{}
		for _, r := range list {
			byID[r.ID] = r
		}
		a, r := byID[approved.ID], byID[rejected.ID]
		if a.Status != events.RequestApproved || a.ExpiresAt == nil || !a.ExpiresAt.Equal(w.clock.Now().Add(14*24*time.Hour)) {
			t.Errorf("approved request %+v", a)
		}
		if r.Status != events.RequestRejected || r.Reason == "" || r.ExpiresAt != nil {
			t.Errorf("rejected request %+v", r)
		}

		// The link works for 14 days.
		url, err := w.svc.Open(ctx, rec.ID, events.Access{Token: token})
		noErr(t, err)
		if url != rec.URL {
			t.Errorf("opened %q", url)
		}
		w.clock.Advance(14 * 24 * time.Hour)
		_, err = w.svc.Open(ctx, rec.ID, events.Access{Token: token})
		wantCode(t, err, apperr.NotFound)
	})
}
