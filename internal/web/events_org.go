package web

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// eventsOrgRoutes registers the organisers' pages that the dispatchers of
// events.go do not serve.
func (s *Server) eventsOrgRoutes(mux *http.ServeMux) {
	mux.Handle("GET /orgs/{id}/events", s.signedIn(s.orgEventsPage))
	mux.Handle("GET /orgs/{id}/events/new", s.signedIn(s.newEventPage))
	mux.Handle("POST /orgs/{id}/events/new", s.signedIn(s.createEvent))
	mux.Handle("POST /events/{id}/registrations/{rid}/checkin", s.signedIn(s.checkInRegistration))
	mux.Handle("POST /events/{id}/registrations/{rid}/cancel", s.signedIn(s.organiserCancel))
	mux.Handle("GET /events/{id}/groups/print", s.signedIn(s.groupsPrintPage))
	mux.Handle("POST /events/{id}/groups/move", s.signedIn(s.moveGroupMember))
	mux.Handle("POST /events/{id}/groups/{gid}/report", s.signedIn(s.saveGroupReport))
}

// notFound is the page of what does not exist for the visitor.
func notFound() error {
	return apperr.E(apperr.NotFound, "お探しのページは見つかりませんでした。URLをご確認ください。")
}

// memberOrg returns the {id} organisation of the path if the user is a
// member, its name, and NotFound otherwise.
func memberOrg(r *http.Request, cur *httpx.Current) (int64, string, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, "", err
	}
	for _, g := range cur.Grants {
		if g.OrgID == id {
			return id, g.OrgName, nil
		}
	}
	return 0, "", notFound()
}

// managedEvent returns the {id} event of the path if the user organises
// it; NotFound for everyone else, so that outsiders learn nothing.
func (s *Server) managedEvent(r *http.Request, cur *httpx.Current) (*events.EventView, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	ev, err := s.Events.Event(r.Context(), cur.Actor(), id)
	if err != nil {
		return nil, notFoundIfForbidden(err)
	}
	if !ev.CanManage {
		return nil, notFound()
	}
	return ev, nil
}

func orgEventsPath(orgID int64) string { return "/orgs/" + strconv.FormatInt(orgID, 10) + "/events" }

// orgEventsPage lists the organisation's events, drafts included.
func (s *Server) orgEventsPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	orgID, name, err := memberOrg(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.Events.Events(r.Context(), cur.Actor(), events.EventFilter{OrgID: orgID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "event_org", &page{Title: "研修会の管理", Data: map[string]any{
		"OrgID": orgID, "OrgName": name, "Events": eventRows(list)}})
}

// Form values of times, read in JST: what a datetime-local input sends,
// and what people type ("2026/12/12 17:00", full-width digits too).
const localTimeLayout = "2006-01-02T15:04"

// typedTimeLayouts are the forms parseLocalTime accepts after NFKC.
var typedTimeLayouts = []string{localTimeLayout, "2006-01-02T15:04:05", "2006-1-2 15:04", "2006/1/2 15:04", "2006/1/2 15:04:05",
	"2006年1月2日 15:04", "2006年1月2日 15時04分", "2006年1月2日15:04", "2006年1月2日15時04分"}

// parseLocalTime reads a date and time typed in JST: 2026-12-12T17:00,
// 2026/12/12 17:00, ２０２６/１２/１２ １７:００, 2026年12月12日 17:00.
func parseLocalTime(raw string) (time.Time, bool) {
	raw = strings.Join(strings.Fields(jatext.NormalizeLine(raw)), " ")
	for _, layout := range typedTimeLayouts {
		if t, err := time.ParseInLocation(layout, raw, career.JST); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// localTime is a stored time as the forms show it.
func localTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(career.JST).Format("2006/01/02 15:04")
}

// eventForm is the form of a stored event.
func eventForm(e *events.Event) url.Values {
	v := url.Values{
		"title": {e.Title}, "description": {e.Description}, "starts_at": {localTime(e.StartsAt)}, "ends_at": {localTime(e.EndsAt)},
		"registration_deadline": {localTime(e.RegistrationDeadline)}, "mode": {string(e.Mode)}, "venue": {e.Venue},
		"online_url": {e.OnlineURL}, "audience": {string(e.Audience)}, "version": {strconv.Itoa(e.Version)},
	}
	if e.VenueCapacity > 0 {
		v.Set("venue_capacity", strconv.Itoa(e.VenueCapacity))
	}
	for _, id := range e.AudienceOrgs {
		v.Add("audience_orgs", strconv.FormatInt(id, 10))
	}
	for _, role := range e.AudienceRoles {
		v.Add("audience_roles", string(role))
	}
	for _, t := range e.Talks {
		at, minutes := "", ""
		if t.StartsAt != nil {
			at = t.StartsAt.In(career.JST).Format("15:04")
		}
		if t.Minutes > 0 {
			minutes = strconv.Itoa(t.Minutes)
		}
		v.Add("talk_title", t.Title)
		v.Add("talk_speaker", t.Speaker)
		v.Add("talk_affiliation", t.Affiliation)
		v.Add("talk_time", at)
		v.Add("talk_minutes", minutes)
	}
	return v
}

// eventInput reads the event form. Malformed times and numbers are
// field errors of their own; the service checks the rest. rows maps the
// talks to the form's rows (from 0), for the service's messages.
func eventInput(v url.Values) (events.EventInput, []int, error) {
	errs := map[string]string{}
	readTime := func(name string) time.Time {
		raw := strings.TrimSpace(v.Get(name))
		if raw == "" {
			return time.Time{}
		}
		t, ok := parseLocalTime(raw)
		if !ok {
			errs[name] = "日時を「2026/04/01 10:00」の形で入力してください。"
		}
		return t
	}
	in := events.EventInput{
		Title: jatext.NormalizeLine(v.Get("title")), Description: strings.TrimSpace(jatext.Normalize(v.Get("description"))),
		StartsAt: readTime("starts_at"), EndsAt: readTime("ends_at"), RegistrationDeadline: readTime("registration_deadline"),
		Mode: events.Mode(v.Get("mode")), Venue: jatext.NormalizeLine(v.Get("venue")), OnlineURL: strings.TrimSpace(v.Get("online_url")),
		Audience: events.Audience(v.Get("audience")), AudienceRoles: v["audience_roles"], Version: formVersion(v),
	}
	if raw := jatext.NormalizeLine(v.Get("venue_capacity")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			errs["venue_capacity"] = "定員は0以上の整数で入力してください（空欄は制限なし）。"
		}
		in.VenueCapacity = n
	}
	for _, value := range v["audience_orgs"] {
		for _, raw := range splitTags(value) {
			id, err := strconv.ParseInt(jatext.NormalizeLine(raw), 10, 64)
			if err != nil || id <= 0 {
				errs["audience_orgs"] = "対象の組織を一覧から選んでください。"
				continue
			}
			if !slices.Contains(in.AudienceOrgs, id) {
				in.AudienceOrgs = append(in.AudienceOrgs, id)
			}
		}
	}
	day := in.StartsAt.In(career.JST)
	var rows []int
	for i, title := range v["talk_title"] {
		title = jatext.NormalizeLine(title)
		speaker, affiliation := jatext.NormalizeLine(index2(v, "talk_speaker", i)), jatext.NormalizeLine(index2(v, "talk_affiliation", i))
		at, minutes := jatext.NormalizeLine(index2(v, "talk_time", i)), jatext.NormalizeLine(index2(v, "talk_minutes", i))
		if title == "" && speaker == "" && affiliation == "" && at == "" && minutes == "" {
			continue
		}
		t := events.Talk{Title: title, Speaker: speaker, Affiliation: affiliation}
		key := "talk-" + strconv.Itoa(i)
		if title == "" {
			errs[key] = "プログラム" + strconv.Itoa(i+1) + "行目の演題名を入力してください。"
		}
		if at != "" {
			hm, err := time.Parse("15:04", at)
			if err != nil || in.StartsAt.IsZero() {
				errs[key] = "プログラム" + strconv.Itoa(i+1) + "行目の開始時刻を「13:30」の形で入力してください。"
			} else {
				st := time.Date(day.Year(), day.Month(), day.Day(), hm.Hour(), hm.Minute(), 0, 0, career.JST)
				t.StartsAt = &st
			}
		}
		if minutes != "" {
			n, err := strconv.Atoi(minutes)
			if err != nil || n < 0 {
				errs[key] = "プログラム" + strconv.Itoa(i+1) + "行目の時間（分）を整数で入力してください。"
			}
			t.Minutes = n
		}
		in.Talks = append(in.Talks, t)
		rows = append(rows, i)
	}
	if len(errs) > 0 {
		return in, rows, invalid(errs)
	}
	return in, rows, nil
}

var talkErrorRE = regexp.MustCompile(`^プログラム(\d+)件目`)

// talkFieldErrors moves the service's message about the n-th talk beside
// its row of the form, numbered as the form numbers them.
func talkFieldErrors(err error, rows []int) error {
	msg := apperr.FieldsOf(err)["talks"]
	m := talkErrorRE.FindStringSubmatch(msg)
	if m == nil {
		return err
	}
	n, _ := strconv.Atoi(m[1])
	if n < 1 || n > len(rows) {
		return err
	}
	fields := map[string]string{}
	for k, v := range apperr.FieldsOf(err) {
		if k != "talks" {
			fields[k] = v
		}
	}
	fields["talk-"+strconv.Itoa(rows[n-1])] = "プログラム" + strconv.Itoa(rows[n-1]+1) + "行目" + msg[len(m[0]):]
	return apperr.InvalidFields(fields)
}

// index2 is the i-th value of a repeated form field, or "".
func index2(v url.Values, key string, i int) string {
	if i < len(v[key]) {
		return v[key][i]
	}
	return ""
}

// eventFormFields maps the service's field names to the form's.
var eventFormFields = map[string]string{"startsat": "starts_at", "endsat": "ends_at", "registrationdeadline": "registration_deadline",
	"venuecapacity": "venue_capacity", "onlineurl": "online_url", "audienceorgs": "audience_orgs", "audienceroles": "audience_roles"}

// audienceRoles are the roles an event may be limited to.
var audienceRoles = []struct {
	Value identity.Role
	Label string
}{{identity.RoleCoordinator, "キャリアコーディネーター"}, {identity.RolePrefectureOfficer, "都道府県職員"},
	{identity.RoleDoctor, "医師"}, {identity.RoleInstitutionStaff, "医療機関の職員"}}

// renderEventForm shows the new or edit form; ev is nil for a new event.
func (s *Server) renderEventForm(w http.ResponseWriter, r *http.Request, orgID int64, orgName string, ev *events.EventView, p *page, formErr error) {
	rows := len(p.Form["talk_title"])
	if ev != nil && len(ev.Talks)+8 > rows {
		rows = len(ev.Talks) + 8
	}
	if rows < 8 {
		rows = 8
	}
	p.Title = "研修会を作る"
	action := orgEventsPath(orgID) + "/new"
	if ev != nil {
		p.Title = "研修会を編集する"
		action = eventPath(ev.ID) + "/edit"
	}
	orgs, err := s.audienceOrgChoices(r, p.Form)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = map[string]any{"OrgID": orgID, "OrgName": orgName, "Event": ev, "Action": action, "Rows": talkFormRows(rows),
		"Modes":         []events.Mode{events.ModeHybrid, events.ModeVenue, events.ModeOnline},
		"Audiences":     []events.Audience{events.AudienceOpen, events.AudienceOrganisations, events.AudienceRoles},
		"AudienceRoles": audienceRoles, "OrgGroups": orgs}
	if formErr != nil {
		s.formError(w, r, "event_form", p, renameFields(formErr, eventFormFields))
		return
	}
	s.render(w, r, http.StatusOK, "event_form", p)
}

// talkFormRow is a row of the programme: I indexes the form's repeated
// fields, N is what people read (from 1).
type talkFormRow struct{ I, N int }

func talkFormRows(n int) []talkFormRow {
	out := make([]talkFormRow, n)
	for i := range out {
		out[i] = talkFormRow{I: i, N: i + 1}
	}
	return out
}

// orgChoice is an organisation the audience may be limited to.
type orgChoice struct {
	ID       int64
	Name     string
	Selected bool
}

// orgGroup is the organisations of one kind, for an optgroup.
type orgGroup struct {
	Label string
	Orgs  []orgChoice
}

// audienceOrgChoices lists the organisations by kind, by name, with the
// form's chosen ones selected. Organisation names are not private: the
// records and rounds pages list them the same way.
func (s *Server) audienceOrgChoices(r *http.Request, form url.Values) ([]orgGroup, error) {
	all, err := s.Views.Store.Organisations(r.Context())
	if err != nil {
		return nil, err
	}
	chosen := map[int64]bool{}
	for _, value := range form["audience_orgs"] {
		for _, raw := range splitTags(value) {
			if id, err := strconv.ParseInt(jatext.NormalizeLine(raw), 10, 64); err == nil {
				chosen[id] = true
			}
		}
	}
	var out []orgGroup
	for _, kind := range []identity.OrgKind{identity.OrgUniversity, identity.OrgPrefecture, identity.OrgInstitution, identity.OrgAgency} {
		g := orgGroup{Label: kind.Label()}
		for _, o := range all {
			if o.Kind == kind {
				g.Orgs = append(g.Orgs, orgChoice{ID: o.ID, Name: o.Name, Selected: chosen[o.ID]})
			}
		}
		if len(g.Orgs) > 0 {
			slices.SortFunc(g.Orgs, func(a, b orgChoice) int { return strings.Compare(a.Name, b.Name) })
			out = append(out, g)
		}
	}
	return out, nil
}

func (s *Server) newEventPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	orgID, name, err := memberOrg(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderEventForm(w, r, orgID, name, nil, &page{Form: url.Values{"mode": {string(events.ModeHybrid)}, "audience": {string(events.AudienceOpen)}}}, nil)
}

func (s *Server) createEvent(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	orgID, name, err := memberOrg(r, cur)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, rows, err := eventInput(r.PostForm)
	var ev *events.Event
	if err == nil {
		ev, err = s.Events.CreateEvent(r.Context(), cur.Actor(), orgID, in)
		err = talkFieldErrors(err, rows)
	}
	if err != nil {
		s.renderEventForm(w, r, orgID, name, nil, &page{Form: r.PostForm}, err)
		return
	}
	s.setFlash(w, "研修会を下書きとして作りました。内容を確認して公開してください。")
	redirect(w, r, eventPath(ev.ID)+"/manage")
}

func (s *Server) editEventPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderEventForm(w, r, ev.OrgID, ev.OrgName, ev, &page{Form: eventForm(&ev.Event)}, nil)
}

func (s *Server) updateEvent(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, rows, err := eventInput(r.PostForm)
	if err == nil {
		_, err = s.Events.UpdateEvent(r.Context(), cur.Actor(), ev.ID, in)
		err = talkFieldErrors(err, rows)
	}
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			s.failReload(w, r, err, eventPath(ev.ID)+"/edit")
			return
		}
		s.renderEventForm(w, r, ev.OrgID, ev.OrgName, ev, &page{Form: r.PostForm}, err)
		return
	}
	s.setFlash(w, "研修会を更新しました。")
	redirect(w, r, eventPath(ev.ID)+"/manage")
}

func (s *Server) setEventStatus(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := events.Status(r.PostForm.Get("status"))
	flash := "研修会を公開しました。"
	switch status {
	case events.StatusPublished:
	case events.StatusCancelled:
		if r.PostForm.Get("confirm") != "1" {
			s.fail(w, r, apperr.E(apperr.Invalid, "中止にするときは「中止にすると元に戻せません」の確認にチェックを入れてください。"))
			return
		}
		flash = "研修会を中止にしました。参加申し込みの方にメールでお知らせします。"
		if !s.mailConfigured() {
			flash = "研修会を中止にしました。メールの送信が設定されていないため、参加申し込みの方には主催者から直接お知らせください。"
		}
	default:
		s.fail(w, r, apperr.E(apperr.Invalid, "状態を選んでください。"))
		return
	}
	if err := s.Events.SetStatus(r.Context(), cur.Actor(), ev.ID, status, formVersion(r.PostForm)); err != nil {
		s.failReload(w, r, err, eventPath(ev.ID)+"/manage")
		return
	}
	s.setFlash(w, flash)
	redirect(w, r, eventPath(ev.ID)+"/manage")
}

// registrationRowView is a registration as the organisers' table shows it.
type registrationRowView struct {
	events.Registration
	Registered string
	CheckedIn  string
	StatusText string
}

// registrationFilters are the status filter of the organisers' table.
var registrationFilters = []struct{ Value, Label string }{
	{"", "すべて"}, {"registered", "参加確定"}, {"unchecked", "参加確定・未受付"}, {"checkedin", "受付済み"},
	{"waitlisted", "キャンセル待ち"}, {"cancelled", "キャンセル済み"},
}

// searchKey is text as the registration search compares it: NFKC,
// lower case, without spaces.
func searchKey(text string) string {
	return strings.Join(strings.Fields(strings.ToLower(jatext.NormalizeLine(text))), "")
}

// matchRegistration reports whether the registration passes the search
// (name, e-mail, prefecture, organisation) and the status filter.
func matchRegistration(reg *events.Registration, q, status string) bool {
	switch status {
	case "registered", "waitlisted", "cancelled":
		if string(reg.Status) != status {
			return false
		}
	case "unchecked":
		if reg.Status != events.Registered || reg.CheckedInAt != nil {
			return false
		}
	case "checkedin":
		if reg.Status != events.Registered || reg.CheckedInAt == nil {
			return false
		}
	}
	if q == "" {
		return true
	}
	for _, f := range []string{reg.Name, reg.Email, reg.Prefecture, reg.Organisation} {
		if strings.Contains(searchKey(f), q) {
			return true
		}
	}
	return false
}

// manageQuery is the search and filter of the organisers' table as a
// query string ("" when none), to come back to after an action.
func manageQuery(q, status string) string {
	v := url.Values{}
	if q != "" {
		v.Set("q", q)
	}
	if status != "" {
		v.Set("status", status)
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// manageEventPage is the organisers' view of an event: status, the
// registrations with check-in and cancel, the counts and the downloads.
func (s *Server) manageEventPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	regs, err := s.Events.Registrations(ctx, actor, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	counts, err := s.Events.Counts(ctx, actor, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	surveys, err := s.Surveys.Surveys(ctx, actor, ev.OrgID, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	query := r.URL.Query()
	q, status := jatext.NormalizeLine(query.Get("q")), query.Get("status")
	if !slices.ContainsFunc(registrationFilters, func(f struct{ Value, Label string }) bool { return f.Value == status }) {
		status = ""
	}
	key := searchKey(q)
	rows := make([]registrationRowView, 0, len(regs))
	for _, reg := range regs {
		if !matchRegistration(&reg, key, status) {
			continue
		}
		row := registrationRowView{Registration: reg, Registered: reg.CreatedAt.In(career.JST).Format("01/02 15:04"),
			StatusText: statusWord(reg.Status)}
		if reg.CheckedInAt != nil {
			row.CheckedIn = reg.CheckedInAt.In(career.JST).Format("15:04")
		}
		rows = append(rows, row)
	}
	s.render(w, r, http.StatusOK, "event_manage", &page{Title: ev.Title + "（管理）", Data: map[string]any{
		"Event": ev, "When": eventWhen(&ev.Event), "Deadline": localTimeText(ev.RegistrationDeadline),
		"Registrations": rows, "Counts": counts, "Total": len(regs), "Surveys": surveys,
		"Q": q, "Status": status, "Filters": registrationFilters, "Back": manageQuery(q, status)}})
}

func localTimeText(t time.Time) string { return t.In(career.JST).Format("2006/01/02 15:04") }

// registrationOf reads the {rid} path value of an organiser's post.
func (s *Server) registrationAction(w http.ResponseWriter, r *http.Request, cur *httpx.Current, do func(ev *events.EventView, rid int64) error, flash string) {
	ev, err := s.managedEvent(r, cur)
	var rid int64
	if err == nil {
		rid, err = pathID(r, "rid")
	}
	if err == nil {
		err = parseForm(r)
	}
	if err == nil {
		err = do(ev, rid)
	}
	if err != nil {
		if ev != nil {
			s.failReload(w, r, err, eventPath(ev.ID)+"/manage")
			return
		}
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, flash)
	back := manageQuery(jatext.NormalizeLine(r.PostForm.Get("q")), r.PostForm.Get("status"))
	redirect(w, r, eventPath(ev.ID)+"/manage"+back+"#registration-"+strconv.FormatInt(rid, 10))
}

func (s *Server) checkInRegistration(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	present := r.FormValue("present") == "1"
	flash := "受付を取り消しました。"
	if present {
		flash = "受付しました。"
	}
	s.registrationAction(w, r, cur, func(ev *events.EventView, rid int64) error {
		return s.Events.CheckIn(r.Context(), cur.Actor(), rid, present)
	}, flash)
}

func (s *Server) organiserCancel(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.registrationAction(w, r, cur, func(ev *events.EventView, rid int64) error {
		return s.Events.Cancel(r.Context(), cur.Actor(), rid)
	}, "参加申し込みをキャンセルしました。キャンセル待ちの方がいれば繰り上がります。")
}

// csvDownload checks the event, then writes a CSV for Excel in the
// encoding of ?enc= (UTF-8 with a BOM unless shift_jis).
func (s *Server) csvDownload(w http.ResponseWriter, r *http.Request, cur *httpx.Current, name string,
	write func(ev *events.EventView, buf *bytes.Buffer, enc events.Encoding) error) {
	ev, err := s.managedEvent(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sendCSV(w, r, "event-"+strconv.FormatInt(ev.ID, 10)+"-"+name+".csv", func(buf *bytes.Buffer, enc excelcsv.Encoding) error {
		return write(ev, buf, enc)
	})
}

func (s *Server) participantsCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.csvDownload(w, r, cur, "participants", func(ev *events.EventView, buf *bytes.Buffer, enc events.Encoding) error {
		return s.Events.ExportParticipants(r.Context(), cur.Actor(), ev.ID, buf, enc)
	})
}

func (s *Server) countsCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.csvDownload(w, r, cur, "counts", func(ev *events.EventView, buf *bytes.Buffer, enc events.Encoding) error {
		return s.Events.ExportCounts(r.Context(), cur.Actor(), ev.ID, buf, enc)
	})
}

// ---- Group work ----

// groupWork returns the event's group work, nil when none was assigned.
func (s *Server) groupWork(r *http.Request, cur *httpx.Current, eventID int64) (*events.GroupWork, error) {
	gw, err := s.Events.GroupWork(r.Context(), cur.Actor(), eventID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil
	}
	return gw, err
}

func (s *Server) groupsPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderGroups(w, r, cur, ev, &page{}, nil)
}

func (s *Server) renderGroups(w http.ResponseWriter, r *http.Request, cur *httpx.Current, ev *events.EventView, p *page, formErr error) {
	gw, err := s.groupWork(r, cur, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	regs, err := s.Events.Registrations(r.Context(), cur.Actor(), ev.ID, events.Registered)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	checkedIn := 0
	for _, reg := range regs {
		if reg.CheckedInAt != nil {
			checkedIn++
		}
	}
	if formErr == nil {
		p.Form = url.Values{"groups": {"4"}, "version": {"0"}}
		if gw != nil {
			p.Form = url.Values{"groups": {strconv.Itoa(len(gw.Groups))}, "themes": {strings.Join(gw.Themes, "\n")},
				"seed": {strconv.FormatInt(gw.Seed, 10)}, "version": {strconv.Itoa(gw.Version)}}
		}
	}
	p.Title = ev.Title + "（グループワーク）"
	p.Data = map[string]any{"Event": ev, "Groups": gw, "CheckedIn": checkedIn, "Recorded": groupWorkRecorded(gw)}
	if formErr != nil {
		s.formError(w, r, "event_groups", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "event_groups", p)
}

func (s *Server) assignGroups(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	errs := map[string]string{}
	in := events.GroupInput{Themes: splitLines(v.Get("themes")), Version: formVersion(v)}
	if in.Groups, err = strconv.Atoi(jatext.NormalizeLine(v.Get("groups"))); err != nil || in.Groups < 1 {
		errs["groups"] = "グループ数を1以上の整数で入力してください。"
	}
	if raw := jatext.NormalizeLine(v.Get("seed")); raw != "" {
		if in.Seed, err = strconv.ParseInt(raw, 10, 64); err != nil {
			errs["seed"] = "シードは整数で入力してください（空欄なら自動で決めます）。"
		}
	}
	if v.Get("confirm") != "1" {
		gw, err := s.groupWork(r, cur, ev.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if groupWorkRecorded(gw) {
			errs["confirm"] = "分け直すと、" + groupWorkLoss + "。よければ確認にチェックを入れてください。"
		}
	}
	if len(errs) > 0 {
		s.renderGroups(w, r, cur, ev, &page{}, invalid(errs))
		return
	}
	if _, err := s.Events.AssignGroups(r.Context(), cur.Actor(), ev.ID, in); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.renderGroups(w, r, cur, ev, &page{}, err)
			return
		}
		s.failReload(w, r, err, eventPath(ev.ID)+"/groups")
		return
	}
	s.setFlash(w, "グループを分けました。")
	redirect(w, r, eventPath(ev.ID)+"/groups")
}

// groupWorkLoss is what re-assigning the groups throws away.
const groupWorkLoss = "記録した発表者と要点、手で移動した内容は消えます"

// groupWorkRecorded reports whether re-assigning would lose work: a
// group's report, or members moved by hand (a version past the first).
func groupWorkRecorded(gw *events.GroupWork) bool {
	if gw == nil {
		return false
	}
	if gw.Version > 1 {
		return true
	}
	for _, g := range gw.Groups {
		if g.Presenters != "" || g.Points != "" {
			return true
		}
	}
	return false
}

func (s *Server) moveGroupMember(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	rid, err1 := strconv.ParseInt(v.Get("registration"), 10, 64)
	to, err2 := strconv.Atoi(jatext.NormalizeLine(v.Get("group")))
	if err1 != nil || err2 != nil {
		s.fail(w, r, apperr.E(apperr.Invalid, "移動する人と移動先のグループを選んでください。"))
		return
	}
	if _, err := s.Events.MoveMember(r.Context(), cur.Actor(), ev.ID, rid, to, formVersion(v)); err != nil {
		s.failReload(w, r, err, eventPath(ev.ID)+"/groups")
		return
	}
	s.setFlash(w, "グループを移動しました。")
	redirect(w, r, eventPath(ev.ID)+"/groups")
}

func (s *Server) saveGroupReport(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	var gid int64
	if err == nil {
		gid, err = pathID(r, "gid")
	}
	if err == nil {
		err = parseForm(r)
	}
	if err == nil {
		v := r.PostForm
		err = s.Events.SaveGroupReport(r.Context(), cur.Actor(), gid, jatext.NormalizeLine(v.Get("presenters")),
			strings.TrimSpace(jatext.Normalize(v.Get("points"))))
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "グループの発表を記録しました。")
	redirect(w, r, eventPath(ev.ID)+"/groups#group-"+strconv.FormatInt(gid, 10))
}

// groupsPrintPage shows every group on its own printed page, or with
// ?layout=list all groups as one list.
func (s *Server) groupsPrintPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	gw, err := s.groupWork(r, cur, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if gw == nil {
		s.fail(w, r, apperr.E(apperr.NotFound, "グループはまだ分けていません。"))
		return
	}
	s.render(w, r, http.StatusOK, "event_groups_print", &page{Title: ev.Title + "（グループ一覧）", Data: map[string]any{
		"Event": ev, "When": eventWhen(&ev.Event), "Groups": gw, "List": r.URL.Query().Get("layout") == "list"}})
}

// hasRole reports whether the form's repeated field holds the value.
func hasValue(v url.Values, key, want string) bool { return slices.Contains(v[key], want) }
