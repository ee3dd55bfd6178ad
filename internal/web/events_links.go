package web

import (
	"net/http"
	"strconv"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
)

// eventsLinkRoutes registers the calendar downloads and the ways to the
// event survey that work without e-mail: a registrant asks for their
// survey link, an organiser reissues the links to hand them out.
func (s *Server) eventsLinkRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /events/registrations/{token}/calendar.ics", s.registrationCalendar)
	mux.HandleFunc("POST /events/registrations/{token}/survey", s.registrationSurvey)
}

// eventCalendar serves GET /events/{id}/calendar.ics: the event's entry,
// never its online URL.
func (s *Server) eventCalendar(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.serveCalendar(w, r, id, "", "event-"+strconv.FormatInt(id, 10)+".ics")
}

// registrationCalendar serves a registration's own entry, a cancellation
// once it is cancelled.
func (s *Server) registrationCalendar(w http.ResponseWriter, r *http.Request) {
	s.serveCalendar(w, r, 0, r.PathValue("token"), "registration.ics")
}

func (s *Server) serveCalendar(w http.ResponseWriter, r *http.Request, eventID int64, token, name string) {
	ics, err := s.Events.Calendar(r.Context(), actorOf(r), eventID, token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8; method=REQUEST")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(ics)
}

// registrationSurvey sends a registrant with a manage link to a fresh link
// of the event's survey.
func (s *Server) registrationSurvey(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	link, err := s.Surveys.RegistrantLink(r.Context(), actorOf(r), 0, token)
	if err != nil {
		s.failReload(w, r, err, registrationPath(token))
		return
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
}

// eventSurvey serves POST /events/{id}/survey for a signed-in registrant.
func (s *Server) eventSurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	link, err := s.Surveys.RegistrantLink(r.Context(), cur.Actor(), id, "")
	if err != nil {
		s.failReload(w, r, err, eventPath(id))
		return
	}
	http.Redirect(w, r, link, http.StatusSeeOther)
}

// reissueSurveyLinks serves POST /surveys/{id}/invitation-links: fresh
// links of the unanswered invitations, shown once, for an organiser to
// hand out when no e-mail goes out.
func (s *Server) reissueSurveyLinks(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	sv, err := s.managedSurvey(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostForm.Get("confirm") != "1" {
		s.fail(w, r, apperr.InvalidFields(map[string]string{"confirm": "再発行すると、これまでのリンクは使えなくなります。確認の上チェックしてください。"}))
		return
	}
	links, err := s.Surveys.ReissueInvitationLinks(r.Context(), cur.Actor(), sv.ID)
	if err != nil {
		s.failReload(w, r, err, surveyPath(sv.ID))
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "survey_links", &page{Title: sv.Title + "（回答用リンク）",
		Data: map[string]any{"Survey": sv, "Links": links}})
}
