package api

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/reqinfo"
)

// Events (研修会): the programme, registrations with a venue waiting list,
// check-in, counts and CSV exports. Group work and materials are in
// events_work.go, surveys in surveys.go. The services decide who may do
// what; these handlers only map requests and answers. Guests act through
// the manage token they receive once when they register; public
// endpoints pass the caller's address on for the rate limits.

// eventsRoutes registers the endpoints of events and surveys.
func (s *Server) eventsRoutes(handle, public func(method, pattern string, h handlerFunc)) {
	public("GET", "/events", s.listEvents)
	public("GET", "/events/{id}", s.getEvent)
	public("POST", "/events/{id}/registrations", s.registerForEvent)
	public("GET", "/event-registrations/{token}", s.registrationByToken)
	public("POST", "/event-registrations/{token}/cancel", s.cancelByToken)
	public("GET", "/events/{id}/calendar.ics", s.eventCalendar)
	public("GET", "/event-registrations/{token}/calendar.ics", s.registrationCalendar)
	public("POST", "/event-registrations/{token}/survey-link", s.registrationSurveyLink)
	public("GET", "/events/{id}/materials", s.eventMaterials)
	public("POST", "/materials/{id}/requests", s.requestMaterial)
	public("GET", "/materials/{id}/open", s.openMaterial)

	handle("GET", "/me/registrations", s.myRegistrations)
	handle("POST", "/events/{id}/survey-link", s.mySurveyLink)
	handle("POST", "/organisations/{id}/events", s.createEvent)
	handle("GET", "/organisations/{id}/events", s.orgEvents)
	handle("PUT", "/events/{id}", s.updateEvent)
	handle("POST", "/events/{id}/status", s.setEventStatus)
	handle("GET", "/events/{id}/registrations", s.eventRegistrations)
	handle("POST", "/registrations/{id}/check-in", s.checkIn)
	handle("POST", "/registrations/{id}/cancel", s.cancelRegistration)
	handle("GET", "/events/{id}/counts", s.eventCounts)
	handle("GET", "/events/{id}/participants.csv", s.participantsCSV)
	handle("GET", "/events/{id}/counts.csv", s.countsCSV)

	handle("POST", "/events/{id}/groups", s.assignGroups)
	handle("GET", "/events/{id}/groups", s.groupWork)
	handle("POST", "/events/{id}/groups/moves", s.moveGroupMember)
	handle("PUT", "/groups/{id}/report", s.saveGroupReport)
	handle("POST", "/events/{id}/materials", s.addMaterial)
	handle("PUT", "/materials/{id}", s.updateMaterial)
	handle("GET", "/events/{id}/material-requests", s.materialRequests)
	handle("POST", "/material-requests/{id}/decision", s.decideMaterialRequest)

	s.surveysRoutes(handle, public)
}

// ---- Shapes ----

type talkJSON struct {
	Title       string     `json:"title"`
	Speaker     string     `json:"speaker"`
	Affiliation string     `json:"affiliation"`
	StartsAt    *time.Time `json:"starts_at"`
	Minutes     int        `json:"minutes"`
}

type eventDetailJSON struct {
	ID                   int64           `json:"id"`
	OrgID                int64           `json:"org_id"`
	Org                  string          `json:"org"`
	Title                string          `json:"title"`
	Description          string          `json:"description"`
	StartsAt             time.Time       `json:"starts_at"`
	EndsAt               time.Time       `json:"ends_at"`
	Mode                 events.Mode     `json:"mode"`
	ModeLabel            string          `json:"mode_label"`
	Venue                string          `json:"venue"`
	VenueCapacity        int             `json:"venue_capacity"`
	OnlineURL            string          `json:"online_url"` // "" unless the caller registered or manages the event
	RegistrationDeadline time.Time       `json:"registration_deadline"`
	Audience             events.Audience `json:"audience"`
	AudienceLabel        string          `json:"audience_label"`
	AudienceOrgs         []int64         `json:"audience_orgs"`
	AudienceRoles        []string        `json:"audience_roles"`
	Status               events.Status   `json:"status"`
	StatusLabel          string          `json:"status_label"`
	Talks                []talkJSON      `json:"talks"`
	CreatedAt            time.Time       `json:"created_at"`
	UpdatedAt            time.Time       `json:"updated_at"`
	Version              int             `json:"version"`
}

func toEventDetailJSON(e *events.Event) eventDetailJSON {
	talks := make([]talkJSON, len(e.Talks))
	for i, t := range e.Talks {
		talks[i] = talkJSON{Title: t.Title, Speaker: t.Speaker, Affiliation: t.Affiliation, StartsAt: t.StartsAt, Minutes: t.Minutes}
	}
	roles := make([]string, len(e.AudienceRoles))
	for i, r := range e.AudienceRoles {
		roles[i] = string(r)
	}
	return eventDetailJSON{ID: e.ID, OrgID: e.OrgID, Org: e.OrgName, Title: e.Title, Description: e.Description, StartsAt: e.StartsAt,
		EndsAt: e.EndsAt, Mode: e.Mode, ModeLabel: e.Mode.Label(), Venue: e.Venue, VenueCapacity: e.VenueCapacity,
		OnlineURL: e.OnlineURL, RegistrationDeadline: e.RegistrationDeadline, Audience: e.Audience,
		AudienceLabel: e.Audience.Label(), AudienceOrgs: nonNil(e.AudienceOrgs), AudienceRoles: roles, Status: e.Status,
		StatusLabel: e.Status.Label(), Talks: talks, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Version: e.Version}
}

type countJSON struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

type countsJSON struct {
	Registered   int         `json:"registered"`
	Venue        int         `json:"venue"`
	Online       int         `json:"online"`
	Waitlisted   int         `json:"waitlisted"`
	Cancelled    int         `json:"cancelled"`
	CheckedIn    int         `json:"checked_in"`
	ByPrefecture []countJSON `json:"by_prefecture"`
	ByRole       []countJSON `json:"by_role"`
}

func toCountList(list []events.Count) []countJSON {
	out := make([]countJSON, len(list))
	for i, c := range list {
		out[i] = countJSON(c)
	}
	return out
}

func toCountsJSON(c *events.Counts) countsJSON {
	return countsJSON{Registered: c.Registered, Venue: c.Venue, Online: c.Online, Waitlisted: c.Waitlisted, Cancelled: c.Cancelled,
		CheckedIn: c.CheckedIn, ByPrefecture: toCountList(c.ByPrefecture), ByRole: toCountList(c.ByRole)}
}

// eventViewJSON is an event as the caller sees it. Counts are the
// organisers'; anyone sees the venue places left.
type eventViewJSON struct {
	eventDetailJSON
	CanManage   bool              `json:"can_manage"`
	CanRegister bool              `json:"can_register"`
	Reason      string            `json:"reason"`
	Mine        *registrationJSON `json:"mine"`
	PlacesLeft  int               `json:"places_left"` // -1: no limit
	Counts      *countsJSON       `json:"counts"`
}

func toEventViewJSON(v *events.EventView) eventViewJSON {
	out := eventViewJSON{eventDetailJSON: toEventDetailJSON(&v.Event), CanManage: v.CanManage, CanRegister: v.CanRegister, Reason: v.Reason,
		PlacesLeft: v.PlacesLeft}
	if v.Mine != nil {
		m := toRegistrationJSON(v.Mine)
		out.Mine = &m
	}
	if v.CanManage {
		c := toCountsJSON(&v.Counts)
		out.Counts = &c
	}
	return out
}

type registrationJSON struct {
	ID              int64                     `json:"id"`
	EventID         int64                     `json:"event_id"`
	UserID          *int64                    `json:"user_id"` // null for a guest
	Name            string                    `json:"name"`
	Email           string                    `json:"email"`
	Prefecture      string                    `json:"prefecture"`
	Organisation    string                    `json:"organisation"`
	Role            events.ParticipantRole    `json:"role"`
	RoleLabel       string                    `json:"role_label"`
	Attendance      events.Attendance         `json:"attendance"`
	AttendanceLabel string                    `json:"attendance_label"`
	Status          events.RegistrationStatus `json:"status"`
	StatusLabel     string                    `json:"status_label"`
	CreatedAt       time.Time                 `json:"created_at"`
	UpdatedAt       time.Time                 `json:"updated_at"`
	PromotedAt      *time.Time                `json:"promoted_at"`
	CancelledAt     *time.Time                `json:"cancelled_at"`
	CheckedInAt     *time.Time                `json:"checked_in_at"`
	Version         int                       `json:"version"`
}

func toRegistrationJSON(r *events.Registration) registrationJSON {
	return registrationJSON{ID: r.ID, EventID: r.EventID, UserID: optID(r.UserID), Name: r.Name, Email: r.Email,
		Prefecture: r.Prefecture, Organisation: r.Organisation, Role: r.Role, RoleLabel: r.Role.Label(), Attendance: r.Attendance,
		AttendanceLabel: r.Attendance.Label(), Status: r.Status, StatusLabel: r.Status.Label(), CreatedAt: r.CreatedAt,
		UpdatedAt: r.UpdatedAt, PromotedAt: r.PromotedAt, CancelledAt: r.CancelledAt, CheckedInAt: r.CheckedInAt, Version: r.Version}
}

func toRegistrationsJSON(list []events.Registration) []registrationJSON {
	out := make([]registrationJSON, len(list))
	for i := range list {
		out[i] = toRegistrationJSON(&list[i])
	}
	return out
}

// ---- Input ----

// eventYears bounds the instants an event accepts, so that a date far
// out of range is a field error rather than a database failure.
const minEventYear, maxEventYear = 2000, 2100

// parseInstant reads an RFC 3339 time from a body field into fields'
// errors; "" is the zero time, which the service reports as missing.
func parseInstant(fields map[string]string, name, value string) time.Time {
	t := parseTime(fields, name, value)
	if fields[name] == "" && !t.IsZero() && (t.Year() < minEventYear || t.Year() > maxEventYear) {
		fields[name] = "日時は2000年から2100年の間で指定してください。"
	}
	return t
}

type talkInJSON struct {
	Title       string `json:"title"`
	Speaker     string `json:"speaker"`
	Affiliation string `json:"affiliation"`
	StartsAt    string `json:"starts_at"`
	Minutes     int    `json:"minutes"`
}

type eventInJSON struct {
	Title                string          `json:"title"`
	Description          string          `json:"description"`
	StartsAt             string          `json:"starts_at"`
	EndsAt               string          `json:"ends_at"`
	Mode                 events.Mode     `json:"mode"`
	Venue                string          `json:"venue"`
	VenueCapacity        int             `json:"venue_capacity"`
	OnlineURL            string          `json:"online_url"`
	RegistrationDeadline string          `json:"registration_deadline"`
	Audience             events.Audience `json:"audience"`
	AudienceOrgs         []int64         `json:"audience_orgs"`
	AudienceRoles        []string        `json:"audience_roles"`
	Talks                []talkInJSON    `json:"talks"`
	Version              *int            `json:"version"`
}

// input turns the body into the service's input, with a field error per
// malformed time.
func (in *eventInJSON) input() (events.EventInput, error) {
	fields := map[string]string{}
	out := events.EventInput{Title: in.Title, Description: in.Description, Mode: in.Mode, Venue: in.Venue,
		VenueCapacity: in.VenueCapacity, OnlineURL: in.OnlineURL, Audience: in.Audience, AudienceOrgs: in.AudienceOrgs,
		AudienceRoles:        in.AudienceRoles,
		StartsAt:             parseInstant(fields, "starts_at", in.StartsAt),
		EndsAt:               parseInstant(fields, "ends_at", in.EndsAt),
		RegistrationDeadline: parseInstant(fields, "registration_deadline", in.RegistrationDeadline)}
	if out.Audience == "" {
		out.Audience = events.AudienceOpen
	}
	for i, t := range in.Talks {
		talk := events.Talk{Title: t.Title, Speaker: t.Speaker, Affiliation: t.Affiliation, Minutes: t.Minutes}
		if at := parseInstant(fields, "talks."+strconv.Itoa(i)+".starts_at", t.StartsAt); !at.IsZero() {
			talk.StartsAt = &at
		}
		out.Talks = append(out.Talks, talk)
	}
	if in.Version != nil {
		out.Version = *in.Version
	}
	if len(fields) > 0 {
		return out, apperr.InvalidFields(fields)
	}
	return out, nil
}

// client is the caller's address, for the rate limits of public links.
func client(r *http.Request) string { return reqinfo.From(r.Context()).IP }

// csvEncoding reads the enc query parameter: utf-8 (with a BOM, the
// default) or shift_jis (sjis, cp932); anything else is Invalid.
func csvEncoding(r *http.Request) (excelcsv.Encoding, error) {
	v := r.URL.Query().Get("enc")
	enc := excelcsv.FromQuery(v)
	if v == "" || enc == excelcsv.ShiftJIS || strings.EqualFold(v, string(excelcsv.UTF8BOM)) {
		return enc, nil
	}
	return "", apperr.InvalidFields(map[string]string{"enc": "utf-8 か shift_jis を指定してください。"})
}

// writeCSV answers a CSV file that write produced into a buffer, so that
// a failure is still a problem answer.
func writeCSV(w http.ResponseWriter, name string, enc excelcsv.Encoding, write func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset="+enc.Charset())
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(buf.Bytes())
	return err
}

// ---- Events ----

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	org, err := queryInt(r, "org")
	if err != nil {
		return err
	}
	list, err := s.Events.Events(r.Context(), cur.Actor(), events.EventFilter{OrgID: org})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": toEventViewsJSON(list)})
}

func toEventViewsJSON(list []events.EventView) []eventViewJSON {
	out := make([]eventViewJSON, len(list))
	for i := range list {
		out[i] = toEventViewJSON(&list[i])
	}
	return out
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.Events.Event(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toEventViewJSON(v))
}

// orgEvents lists an organisation's events, drafts included, for its
// members; others learn nothing of it (404, as when they create one).
func (s *Server) orgEvents(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if !cur.Actor().MemberOf(id) {
		return apperr.E(apperr.NotFound, "見つかりません。")
	}
	var f events.EventFilter
	f.OrgID = id
	if st := r.URL.Query().Get("status"); st != "" {
		for _, v := range strings.Split(st, ",") {
			switch status := events.Status(v); status {
			case events.StatusDraft, events.StatusPublished, events.StatusCancelled:
				f.Statuses = append(f.Statuses, status)
			default:
				return apperr.InvalidFields(map[string]string{"status": "draft・published・cancelled のいずれかを指定してください。"})
			}
		}
	}
	list, err := s.Events.Events(r.Context(), cur.Actor(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"events": toEventViewsJSON(list)})
}

func (s *Server) createEvent(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if !cur.Actor().MemberOf(id) {
		return apperr.E(apperr.NotFound, "見つかりません。")
	}
	var body eventInJSON
	if err := decode(r, &body); err != nil {
		return err
	}
	in, err := body.input()
	if err != nil {
		return err
	}
	e, err := s.Events.CreateEvent(r.Context(), cur.Actor(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toEventDetailJSON(e))
}

// updateEvent replaces an event's fields at the version the caller saw.
func (s *Server) updateEvent(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body eventInJSON
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.Version == nil {
		return needVersionOf("研修会")
	}
	in, err := body.input()
	if err != nil {
		return err
	}
	e, err := s.Events.UpdateEvent(r.Context(), cur.Actor(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toEventDetailJSON(e))
}

// setEventStatus publishes or cancels an event and answers it as it now
// stands.
func (s *Server) setEventStatus(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Status  events.Status `json:"status"`
		Version *int          `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("研修会")
	}
	if in.Status != events.StatusPublished && in.Status != events.StatusCancelled {
		return apperr.InvalidFields(map[string]string{"status": "published か cancelled を指定してください。"})
	}
	if err := s.Events.SetStatus(r.Context(), cur.Actor(), id, in.Status, *in.Version); err != nil {
		return err
	}
	v, err := s.Events.Event(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toEventViewJSON(v))
}

// ---- Registrations ----

// registerForEvent registers the caller, signed in or a guest. The manage
// token is answered once; the confirmation e-mail carries it too.
func (s *Server) registerForEvent(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Name         string                 `json:"name"`
		Email        string                 `json:"email"`
		Prefecture   string                 `json:"prefecture"`
		Organisation string                 `json:"organisation"`
		Role         events.ParticipantRole `json:"role"`
		Attendance   events.Attendance      `json:"attendance"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	reg, token, err := s.Events.Register(r.Context(), cur.Actor(), id, events.RegistrationInput{Name: in.Name, Email: in.Email,
		Prefecture: in.Prefecture, Organisation: in.Organisation, Role: in.Role, Attendance: in.Attendance}, client(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"registration": toRegistrationJSON(reg), "token": token,
		"manage_url": s.BaseURL + "/events/registrations/" + token})
}

func (s *Server) registrationByToken(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	reg, ev, err := s.Events.RegistrationByToken(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"registration": toRegistrationJSON(reg), "event": toEventViewJSON(ev)})
}

func (s *Server) cancelByToken(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	if err := s.Events.CancelByToken(r.Context(), r.PathValue("token")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// eventCalendar serves the .ics of a published event (its organisers: any
// of theirs).
func (s *Server) eventCalendar(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	data, err := s.Events.Calendar(r.Context(), cur.Actor(), id, "")
	if err != nil {
		return err
	}
	return writeCalendar(w, "event-"+strconv.FormatInt(id, 10)+".ics", data)
}

// registrationCalendar serves the .ics of the registration of a manage
// token, the entry its e-mails carry.
func (s *Server) registrationCalendar(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	data, err := s.Events.Calendar(r.Context(), cur.Actor(), 0, r.PathValue("token"))
	if err != nil {
		return err
	}
	return writeCalendar(w, "event.ics", data)
}

// writeCalendar writes an .ics file as a download.
func writeCalendar(w http.ResponseWriter, name string, data []byte) error {
	method := "REQUEST"
	if bytes.Contains(data, []byte("\r\nMETHOD:CANCEL\r\n")) {
		method = "CANCEL"
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8; method="+method)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(data)
	return err
}

// registrationSurveyLink gives the registrant of a manage token a fresh
// link to the open survey of their event.
func (s *Server) registrationSurveyLink(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	link, err := s.Surveys.RegistrantLink(r.Context(), cur.Actor(), 0, r.PathValue("token"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"link": link})
}

// mySurveyLink gives the signed-in registrant of an event a fresh link to
// its open survey.
func (s *Server) mySurveyLink(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	link, err := s.Surveys.RegistrantLink(r.Context(), cur.Actor(), id, "")
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"link": link})
}

type registrationViewJSON struct {
	registrationJSON
	EventTitle string    `json:"event_title"`
	StartsAt   time.Time `json:"starts_at"`
	EndsAt     time.Time `json:"ends_at"`
}

func (s *Server) myRegistrations(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Events.MyRegistrations(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	out := make([]registrationViewJSON, len(list))
	for i := range list {
		out[i] = registrationViewJSON{registrationJSON: toRegistrationJSON(&list[i].Registration), EventTitle: list[i].EventTitle,
			StartsAt: list[i].StartsAt, EndsAt: list[i].EndsAt}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"registrations": out})
}

func (s *Server) eventRegistrations(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var statuses []events.RegistrationStatus
	if st := r.URL.Query().Get("status"); st != "" {
		for _, v := range strings.Split(st, ",") {
			switch status := events.RegistrationStatus(v); status {
			case events.Registered, events.Waitlisted, events.Cancelled:
				statuses = append(statuses, status)
			default:
				return apperr.InvalidFields(map[string]string{"status": "registered・waitlisted・cancelled のいずれかを指定してください。"})
			}
		}
	}
	list, err := s.Events.Registrations(r.Context(), cur.Actor(), id, statuses...)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"registrations": toRegistrationsJSON(list)})
}

func (s *Server) checkIn(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Present *bool `json:"present"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Present == nil {
		return apperr.InvalidFields(map[string]string{"present": "出席なら true、取り消すなら false を指定してください。"})
	}
	if err := s.Events.CheckIn(r.Context(), cur.Actor(), id, *in.Present); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) cancelRegistration(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Events.Cancel(r.Context(), cur.Actor(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) eventCounts(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Events.Counts(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toCountsJSON(c))
}

func (s *Server) participantsCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	enc, err := csvEncoding(r)
	if err != nil {
		return err
	}
	return writeCSV(w, "participants-"+strconv.FormatInt(id, 10)+".csv", enc, func(b *bytes.Buffer) error {
		return s.Events.ExportParticipants(r.Context(), cur.Actor(), id, b, enc)
	})
}

func (s *Server) countsCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	enc, err := csvEncoding(r)
	if err != nil {
		return err
	}
	return writeCSV(w, "counts-"+strconv.FormatInt(id, 10)+".csv", enc, func(b *bytes.Buffer) error {
		return s.Events.ExportCounts(r.Context(), cur.Actor(), id, b, enc)
	})
}
