package app_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/events"
)

// TestEventPagesWithoutMail: with no mail server, everything still
// reaches people through the pages — the event's calendar entry, a
// registrant's own entry and their link to the event survey, and the
// organiser's reissued links to hand out.
func TestEventPagesWithoutMail(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newEventsWorld(t, env)
		e := w.hybridEvent(t, "地域医療の研修会", 10)
		anon := w.anonymous()

		r := pwebExpect(t, anon.Get("/events/"+itoa(e.ID)+"/calendar.ics"), http.StatusOK, "event calendar")
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") || !strings.Contains(r.Body, "BEGIN:VCALENDAR") ||
			!strings.Contains(r.Body, "地域医療の研修会") || strings.Contains(r.Body, e.OnlineURL) {
			t.Errorf("event calendar: %s\n%s", r.Header.Get("Content-Type"), r.Body)
		}

		guests := w.registerGuests(t, e.ID, 0, 2, events.AttendVenue)
		manage := "/events/registrations/" + url.PathEscape(guests[0].Token)
		pwebContains(t, pwebExpect(t, anon.Get(manage), http.StatusOK, "manage page"), "manage page",
			manage+"/calendar.ics", manage+"/survey")
		r = pwebExpect(t, anon.Get(manage+"/calendar.ics"), http.StatusOK, "registration calendar")
		pwebContains(t, r, "registration calendar", "BEGIN:VEVENT")

		// No survey yet: the button says so instead of failing.
		if r := anon.Post(manage+"/survey", nil); r.Status < 400 || r.Status >= 500 {
			t.Errorf("survey link before any survey: %d", r.Status)
		}
		w.checkIn(t, guests...)
		sv := w.openSurvey(t, w.likertSurvey(t, "研修会アンケート", e.ID).ID)
		r = pwebExpect(t, anon.Post(manage+"/survey", nil), http.StatusSeeOther, "survey link")
		if !strings.Contains(r.Location, "/surveys/answer/") {
			t.Fatalf("survey link went to %q", r.Location)
		}
		link, err := url.Parse(r.Location)
		if err != nil {
			t.Fatal(err)
		}
		pwebContains(t, pwebExpect(t, anon.Get(link.Path), http.StatusOK, "survey form"), "survey form", "研修会アンケート")

		// The organiser reissues the unanswered links, once confirmed.
		org := w.organiser.c
		path := "/surveys/" + strconv.FormatInt(sv.ID, 10) + "/invitation-links"
		pwebExpect(t, org.Post(path, url.Values{}), http.StatusBadRequest, "reissue without confirming")
		r = pwebExpect(t, org.Post(path, url.Values{"confirm": {"1"}}), http.StatusOK, "reissue")
		pwebContains(t, r, "reissued links", "/surveys/answer/", guests[0].Email, guests[1].Email)
		pwebExpect(t, w.anonymous().Post(path, url.Values{"confirm": {"1"}}), http.StatusSeeOther, "reissue when signed out")
	})
}
