package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/markdown"
	"github.com/hakui-dev/hakui/internal/reqinfo"
)

// eventsRoutes registers the pages of events and surveys: the public list
// and event pages with registration, a registrant's manage link, the
// organisers' pages (events_org.go), materials (events_materials.go) and
// the surveys (surveys*.go).
func (s *Server) eventsRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /events", s.eventsPage)
	mux.HandleFunc("GET /events/{id}", s.eventPage)
	// /events/registrations/{token} and /events/{id}/edit … overlap, which
	// the mux refuses: one pattern each for GET and POST dispatches.
	mux.HandleFunc("GET /events/{id}/{page}", s.eventSubpage)
	mux.HandleFunc("POST /events/{id}/{page}", s.eventAction)
	mux.HandleFunc("POST /events/registrations/{token}/cancel", s.cancelRegistration)
	mux.Handle("POST /events/{id}/registrations/{rid}/withdraw", s.signedIn(s.withdrawRegistration))
	s.eventsOrgRoutes(mux)
	s.eventsMaterialRoutes(mux)
	s.surveysRoutes(mux)
	s.surveysPublicRoutes(mux)
	s.eventsLinkRoutes(mux)
}

// eventSubpage serves GET /events/{id}/{page}: a registrant's manage
// link (/events/registrations/{token}) or an organiser's page of the
// event.
func (s *Server) eventSubpage(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") == "registrations" {
		r.SetPathValue("token", r.PathValue("page"))
		s.registrationPage(w, r)
		return
	}
	var h func(http.ResponseWriter, *http.Request, *httpx.Current)
	switch r.PathValue("page") {
	case "calendar.ics":
		s.eventCalendar(w, r)
		return
	case "edit":
		h = s.editEventPage
	case "manage":
		h = s.manageEventPage
	case "groups":
		h = s.groupsPage
	case "materials":
		h = s.materialsPage
	case "participants.csv":
		h = s.participantsCSV
	case "counts.csv":
		h = s.countsCSV
	default:
		s.fail(w, r, apperr.E(apperr.NotFound, "お探しのページは見つかりませんでした。URLをご確認ください。"))
		return
	}
	s.signedIn(h).ServeHTTP(w, r)
}

// eventAction serves POST /events/{id}/{page}: registration for anyone,
// the organisers' changes.
func (s *Server) eventAction(w http.ResponseWriter, r *http.Request) {
	var h func(http.ResponseWriter, *http.Request, *httpx.Current)
	switch r.PathValue("page") {
	case "register":
		s.registerEvent(w, r)
		return
	case "edit":
		h = s.updateEvent
	case "status":
		h = s.setEventStatus
	case "groups":
		h = s.assignGroups
	case "materials":
		h = s.addMaterial
	case "survey":
		h = s.eventSurvey
	default:
		s.fail(w, r, apperr.E(apperr.NotFound, "お探しのページは見つかりませんでした。URLをご確認ください。"))
		return
	}
	s.signedIn(h).ServeHTTP(w, r)
}

// clientOf is the caller's address, for the rate limits of public links.
func clientOf(r *http.Request) string { return reqinfo.From(r.Context()).IP }

func eventPath(id int64) string { return "/events/" + strconv.FormatInt(id, 10) }

func registrationPath(token string) string { return "/events/registrations/" + url.PathEscape(token) }

// eventWhen is an event's date and times in JST: "2026/12/07(月) 10:00〜16:00",
// with the end date when it ends on another day.
func eventWhen(e *events.Event) string {
	return events.When(e.StartsAt, e.EndsAt)
}

// eventRow is an event with its times written out for a list.
type eventRow struct {
	events.EventView
	When string
}

func eventRows(list []events.EventView) []eventRow {
	out := make([]eventRow, 0, len(list))
	for _, v := range list {
		out = append(out, eventRow{EventView: v, When: eventWhen(&v.Event)})
	}
	return out
}

// registrationRow is a registration with its event's times written out.
type registrationRow struct {
	events.RegistrationView
	When       string
	StatusText string
}

// statusWord is a registration's status in the words every page uses:
// 参加確定, キャンセル待ち, キャンセル済み.
func statusWord(st events.RegistrationStatus) string {
	switch st {
	case events.Registered:
		return "参加確定"
	case events.Waitlisted:
		return "キャンセル待ち"
	case events.Cancelled:
		return "キャンセル済み"
	}
	return st.Label()
}

// registrationStatusText is what a registrant reads about their place.
func registrationStatusText(r *events.Registration) string {
	switch r.Status {
	case events.Registered:
		return statusWord(r.Status) + "（" + r.Attendance.Label() + "）"
	case events.Waitlisted:
		return statusWord(r.Status) + "（会場）"
	}
	return statusWord(r.Status)
}

// mailConfigured reports whether the events service can send e-mail: a
// page promises an e-mail only then.
func (s *Server) mailConfigured() bool {
	return s.Events != nil && s.Events.Notifier != nil && s.Events.Notifier.SMTP.Addr != ""
}

// roleMessage puts the role select's message in the forms' words.
func roleMessage(err error) error {
	if _, ok := apperr.FieldsOf(err)["role"]; !ok {
		return err
	}
	return renameFieldMessage(err, "role", "お立場を選んでください。")
}

// renameFieldMessage replaces the message of one field of an invalid
// input error.
func renameFieldMessage(err error, field, msg string) error {
	fields := map[string]string{}
	for k, v := range apperr.FieldsOf(err) {
		fields[k] = v
	}
	fields[field] = msg
	return apperr.InvalidFields(fields)
}

// eventsPage lists the published upcoming events, the signed-in user's
// registrations and, for organisation members, the way to their
// organisations' events and surveys.
func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request) {
	ctx, actor := r.Context(), actorOf(r)
	list, err := s.Events.Events(ctx, actor, events.EventFilter{Statuses: []events.Status{events.StatusPublished}})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"Events": eventRows(list)}
	if cur := httpx.CurrentFrom(ctx); cur != nil {
		mine, err := s.Events.MyRegistrations(ctx, actor)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		rows := make([]registrationRow, 0, len(mine))
		for _, m := range mine {
			rows = append(rows, registrationRow{RegistrationView: m, When: events.When(m.StartsAt, m.EndsAt),
				StatusText: registrationStatusText(&m.Registration)})
		}
		data["Mine"] = rows
		data["Orgs"] = memberOrgs(cur)
	}
	s.render(w, r, http.StatusOK, "events", &page{Title: "研修会", Data: data})
}

// orgLink is an organisation the user belongs to.
type orgLink struct {
	ID   int64
	Name string
}

// memberOrgs lists the organisations the user is a member of, once each.
func memberOrgs(cur *httpx.Current) []orgLink {
	var out []orgLink
	seen := map[int64]bool{}
	for _, g := range cur.Grants {
		if g.OrgID != 0 && !seen[g.OrgID] {
			seen[g.OrgID] = true
			out = append(out, orgLink{ID: g.OrgID, Name: g.OrgName})
		}
	}
	return out
}

// attendanceChoices are the attendances the event's mode allows.
func attendanceChoices(e *events.Event) []events.Attendance {
	var out []events.Attendance
	if e.HasVenue() {
		out = append(out, events.AttendVenue)
	}
	if e.HasOnline() {
		out = append(out, events.AttendOnline)
	}
	return out
}

func (s *Server) eventPage(w http.ResponseWriter, r *http.Request) {
	form := url.Values{}
	if cur := httpx.CurrentFrom(r.Context()); cur != nil {
		form.Set("name", cur.User.DisplayName)
		form.Set("email", cur.User.Email)
	}
	s.renderEvent(w, r, &page{Form: form}, nil)
}

// renderEvent shows an event: the programme, mode, venue and places, the
// deadline, the materials and the registration form.
func (s *Server) renderEvent(w http.ResponseWriter, r *http.Request, p *page, formErr error) {
	ctx, actor := r.Context(), actorOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ev, err := s.Events.Event(ctx, actor, id)
	if err != nil {
		s.fail(w, r, notFoundIfForbidden(err))
		return
	}
	mats, err := s.Events.Materials(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	choices := attendanceChoices(&ev.Event)
	if p.Form.Get("attendance") == "" && len(choices) > 0 {
		p.Form.Set("attendance", string(choices[0]))
	}
	p.Title = ev.Title
	data := map[string]any{
		"Event": ev, "When": eventWhen(&ev.Event), "Description": markdown.Render(ev.Description),
		"Talks": talkRows(&ev.Event), "Materials": mats, "Attendances": choices,
		"Full":        ev.HasVenue() && ev.PlacesLeft == 0,
		"Prefectures": career.Prefectures, "Roles": events.ParticipantRoles,
		"SignedIn": httpx.CurrentFrom(ctx) != nil, "Mailed": s.mailConfigured(),
	}
	if ev.Mine != nil {
		data["MineStatus"] = registrationStatusText(ev.Mine)
	}
	p.Data = data
	if formErr != nil {
		s.formError(w, r, "event", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "event", p)
}

// talkRow is one talk with its start time written out.
type talkRow struct {
	events.Talk
	At string
}

func talkRows(e *events.Event) []talkRow {
	out := make([]talkRow, 0, len(e.Talks))
	for _, t := range e.Talks {
		row := talkRow{Talk: t}
		if t.StartsAt != nil {
			row.At = t.StartsAt.In(career.JST).Format("15:04")
		}
		out = append(out, row)
	}
	return out
}

// notFoundIfForbidden hides what an outsider may not see: the pages of
// other organisations' events and surveys do not exist for them.
func notFoundIfForbidden(err error) error {
	if apperr.Is(err, apperr.Forbidden) {
		return apperr.E(apperr.NotFound, "お探しのページは見つかりませんでした。")
	}
	return err
}

// registrationInput reads the registration form.
func registrationInput(v url.Values) events.RegistrationInput {
	return events.RegistrationInput{
		Name: jatext.NormalizeLine(v.Get("name")), Email: jatext.NormalizeEmail(v.Get("email")),
		Prefecture: jatext.NormalizeLine(v.Get("prefecture")), Organisation: jatext.NormalizeLine(v.Get("organisation")),
		Role: events.ParticipantRole(v.Get("role")), Attendance: events.Attendance(v.Get("attendance")),
	}
}

// registerEvent registers the visitor and shows the status with the
// manage link, once.
func (s *Server) registerEvent(w http.ResponseWriter, r *http.Request) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reg, token, err := s.Events.Register(r.Context(), actorOf(r), id, registrationInput(r.PostForm), clientOf(r))
	if err != nil {
		if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.RateLimited) || apperr.Is(err, apperr.Conflict) {
			s.renderEvent(w, r, &page{Form: r.PostForm}, roleMessage(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	ev, err := s.Events.Event(r.Context(), actorOf(r), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "event_registered", &page{Title: "参加申し込みを受け付けました", Data: map[string]any{
		"Event": ev, "When": eventWhen(&ev.Event), "Registration": reg, "Status": registrationStatusText(reg),
		"Link": registrationPath(token), "Mailed": s.mailConfigured()}})
}

// registrationPage is a registrant's page through their manage link:
// the status, the online URL and the materials for those with a place,
// and the cancel button.
func (s *Server) registrationPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	reg, ev, err := s.Events.RegistrationByToken(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var mats []events.MaterialView
	if reg.Status == events.Registered {
		all, err := s.Events.Materials(r.Context(), actorOf(r), ev.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, m := range all {
			if m.Visibility != events.VisibilityRequest {
				mats = append(mats, m)
			}
		}
	}
	s.render(w, r, http.StatusOK, "event_registration", &page{Title: "参加申し込みの確認", Data: map[string]any{
		"Event": ev, "When": eventWhen(&ev.Event), "Registration": reg, "Status": registrationStatusText(reg),
		"Token": token, "Path": registrationPath(token), "Materials": mats, "Mailed": s.mailConfigured(),
		"Online": reg.Status == events.Registered && ev.HasOnline() && ev.OnlineURL != "",
		"Live":   reg.Status != events.Cancelled && ev.Status != events.StatusCancelled}})
}

func (s *Server) cancelRegistration(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Events.CancelByToken(r.Context(), token); err != nil {
		s.failReload(w, r, err, registrationPath(token))
		return
	}
	s.setFlash(w, "参加申し込みをキャンセルしました。")
	redirect(w, r, registrationPath(token))
}

// withdrawRegistration cancels the signed-in user's own registration
// from the event page (the service allows the registrant themselves).
func (s *Server) withdrawRegistration(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	var rid int64
	if err == nil {
		rid, err = pathID(r, "rid")
	}
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ev, err := s.Events.Event(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, notFoundIfForbidden(err))
		return
	}
	if ev.Mine == nil || ev.Mine.ID != rid {
		s.failReload(w, r, apperr.E(apperr.Conflict, "このお申し込みはすでにキャンセルされています。"), eventPath(id))
		return
	}
	if err := s.Events.Cancel(r.Context(), cur.Actor(), rid); err != nil {
		s.failReload(w, r, err, eventPath(id))
		return
	}
	s.setFlash(w, "参加申し込みをキャンセルしました。")
	redirect(w, r, eventPath(id))
}

// splitLines reads a textarea of one entry per line, without blanks.
func splitLines(raw string) []string {
	var out []string
	for _, line := range strings.Split(raw, "\n") {
		if line = jatext.NormalizeLine(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// failReload shows a conflict (a stale version, a state that changed)
// with a link to reload the page the form came from; other errors as
// fail does.
func (s *Server) failReload(w http.ResponseWriter, r *http.Request, err error, reload string) {
	if !apperr.Is(err, apperr.Conflict) {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusConflict, "event_conflict", &page{Title: "操作が競合しました", Data: map[string]any{
		"Message": apperr.MessageOf(err), "Reload": reload}})
}
