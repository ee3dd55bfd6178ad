package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/placement"
)

func leadPath(id int64) string { return "/agency/leads/" + strconv.FormatInt(id, 10) }

func (s *Server) agencyLeads(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ag, err := agencyOf(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"source": {string(placement.SourceManual)}}
	s.renderLeads(w, r, cur, ag, http.StatusOK, &page{Form: form}, nil)
}

func (s *Server) renderLeads(w http.ResponseWriter, r *http.Request, cur *httpx.Current, ag agencyPage, status int, p *page, formErr error) {
	q := r.URL.Query()
	leads, err := s.Placement.Leads(r.Context(), cur.Actor(), placement.LeadFilter{AgencyID: ag.ID(), Query: q.Get("q"), AgentID: mineOnly(q, cur)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = "リード"
	p.Data = map[string]any{"Agency": ag, "Leads": leads, "Query": q, "Sources": placement.Sources}
	if formErr != nil {
		s.formError(w, r, "agency_leads", p, formErr)
		return
	}
	s.render(w, r, status, "agency_leads", p)
}

func (s *Server) createLead(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	ag, err := agencyOf(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	l := &placement.Lead{AgencyID: ag.ID(), Name: v.Get("name"), NameKana: v.Get("name_kana"), Email: v.Get("email"),
		Phone: v.Get("phone"), RegistrationNumber: v.Get("registration_number"), Source: placement.Source(v.Get("source")),
		SourceNote: v.Get("source_note"), Message: v.Get("message")}
	if err := s.Placement.CreateLead(r.Context(), cur.Actor(), l); err != nil {
		s.renderLeads(w, r, cur, ag, 0, &page{}, err)
		return
	}
	s.setFlash(w, "リードを登録しました。")
	redirect(w, r, leadPath(l.ID))
}

// leadPageData is what the lead page shows besides its forms.
func (s *Server) leadPageData(r *http.Request, cur *httpx.Current, id int64) (map[string]any, error) {
	ctx, actor := r.Context(), cur.Actor()
	l, err := s.Placement.Lead(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(agentGrants(cur), func(g identity.Grant) bool { return g.OrgID == l.AgencyID }) {
		// The doctor may read their own lead through the service; this page
		// is the agency's.
		return nil, apperr.E(apperr.NotFound, "見つかりません。")
	}
	dups, err := s.Placement.Duplicates(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	meetings, err := s.Placement.Consultations(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	cases, err := s.Placement.Cases(ctx, actor, placement.CaseFilter{AgencyID: l.AgencyID, LeadID: l.ID})
	if err != nil {
		return nil, err
	}
	followUps, err := s.Placement.FollowUps(ctx, actor, placement.FollowUpFilter{AgencyID: l.AgencyID, LeadID: l.ID})
	if err != nil {
		return nil, err
	}
	oq := r.URL.Query().Get("opening_q")
	found, err := s.Openings.Search(ctx, openings.Filter{Text: oq, Limit: 50}, nil)
	if err != nil && !apperr.Is(err, apperr.Invalid) {
		return nil, err
	}
	var open []*openings.Opening
	if found != nil {
		for _, res := range found.Results {
			open = append(open, res.Opening)
		}
	}
	var openCases []placement.Case
	for _, c := range cases {
		if c.Open() {
			openCases = append(openCases, c)
		}
	}
	return map[string]any{"Lead": l, "Duplicates": dups, "Consultations": meetings, "Cases": cases, "OpenCases": openCases,
		"FollowUps": followUps, "Openings": open, "OpeningQuery": oq, "Modes": placement.Modes,
		"Agency": agencyPage{Grant: grantOf(cur, l.AgencyID), All: agentGrants(cur)}, "FollowUpForm": followUpChoices()}, nil
}

func (s *Server) leadPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderLead(w, r, cur, http.StatusOK, &page{}, nil)
}

// renderLead draws the lead page; with formErr, the failed form keeps what
// was typed and says what is wrong.
func (s *Server) renderLead(w http.ResponseWriter, r *http.Request, cur *httpx.Current, status int, p *page, formErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := s.leadPageData(r, cur, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if extra, ok := p.Data.(map[string]any); ok {
		for k, v := range extra {
			data[k] = v
		}
	}
	p.Data = data
	p.Title = data["Lead"].(*placement.Lead).Name + "さん（リード）"
	p.Form = url.Values{"mode": {string(placement.ModeOnline)}, "trigger_kind": {string(placement.TriggerDate)},
		"case_id": {r.URL.Query().Get("case")}}
	if formErr != nil {
		for k, v := range r.PostForm {
			p.Form[k] = v
		}
		s.pageError(w, r, "agency_lead", p, formErr)
		return
	}
	s.render(w, r, status, "agency_lead", p)
}

// pageError re-renders a page of several forms with what went wrong: like
// formError, but the page keeps its prepared form values, and a version
// conflict says to reload.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, name string, p *page, err error) {
	code := apperr.CodeOf(err)
	if code != apperr.Invalid && code != apperr.Conflict {
		s.fail(w, r, err)
		return
	}
	p.Errors = map[string]string{"": apperr.MessageOf(err)}
	for k, v := range apperr.FieldsOf(err) {
		p.Errors[k] = v
	}
	s.render(w, r, httpx.Status(code), name, p)
}

func (s *Server) mergeLead(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	drop, perr := strconv.ParseInt(r.PostForm.Get("drop"), 10, 64)
	if perr != nil || drop <= 0 {
		s.fail(w, r, apperr.E(apperr.Invalid, "統合するリードを選んでください。"))
		return
	}
	if _, err := s.Placement.Merge(r.Context(), cur.Actor(), id, drop); err != nil {
		if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.Conflict) {
			s.renderLead(w, r, cur, 0, &page{}, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "リード#"+strconv.FormatInt(drop, 10)+"をこのリードに統合しました。")
	redirect(w, r, leadPath(id))
}

func (s *Server) inviteLead(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	path, err := s.Placement.InviteLead(r.Context(), cur.Actor(), id)
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			s.renderLead(w, r, cur, 0, &page{}, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	// Shown once, in this response: only its hash is stored.
	s.renderLead(w, r, cur, http.StatusOK, &page{Flash: "アカウント連携の案内リンクを作成しました。",
		Data: map[string]any{"ClaimURL": s.BaseURL + path}}, nil)
}

// parseJSTDateTime reads a date and time typed in JST: the value of an
// <input type="datetime-local"> (2026-04-01T14:00) or with a space.
func parseJSTDateTime(s string) (time.Time, bool) {
	s = jatext.NormalizeLine(s)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02T15:04:05"} {
		if t, err := time.ParseInLocation(layout, s, JST); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// formatJSTDateTime is the datetime-local value of t.
func formatJSTDateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(JST).Format("2006-01-02T15:04")
}

// consultationFromForm reads the schedule fields of a consultation; a
// date and time that do not parse are named in fields.
func consultationFromForm(v url.Values, fields map[string]string) *placement.Consultation {
	c := &placement.Consultation{Mode: placement.Mode(v.Get("mode")), Place: v.Get("place"), MeetingURL: v.Get("meeting_url")}
	if raw := v.Get("scheduled_at"); raw != "" {
		t, ok := parseJSTDateTime(raw)
		if !ok {
			fields["scheduled_at"] = "日時を「2026-04-01 14:00」の形式で入力してください。"
		}
		c.ScheduledAt = t.UTC()
	}
	return c
}

func (s *Server) scheduleConsultation(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fields := map[string]string{}
	c := consultationFromForm(r.PostForm, fields)
	c.LeadID = id
	if v := r.PostForm.Get("case_id"); v != "" && v != "0" {
		if c.CaseID, err = strconv.ParseInt(v, 10, 64); err != nil {
			fields["case_id"] = "案件を選び直してください。"
		}
	}
	if len(fields) > 0 {
		err = invalid(fields)
	} else {
		err = s.Placement.ScheduleConsultation(r.Context(), cur.Actor(), c)
	}
	if err != nil {
		s.renderLead(w, r, cur, 0, &page{}, err)
		return
	}
	s.setFlash(w, "面談を予定しました。")
	redirect(w, r, leadPath(id)+"#consultations")
}

func consultationPath(id int64) string {
	return "/agency/consultations/" + strconv.FormatInt(id, 10)
}

func consultationForm(c *placement.Consultation) url.Values {
	return url.Values{"mode": {string(c.Mode)}, "scheduled_at": {formatJSTDateTime(c.ScheduledAt)}, "place": {c.Place},
		"meeting_url": {c.MeetingURL}, "notes": {c.Notes}, "impression": {c.Impression}, "wishes": {c.Wishes},
		"health_notes": {c.HealthNotes}, "lead_id": {strconv.FormatInt(c.LeadID, 10)}}
}

// consultationPage opens a consultation with its confidential notes; the
// service writes the read to the audit log.
func (s *Server) consultationPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Placement.Consultation(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	l, err := s.Placement.Lead(r.Context(), cur.Actor(), c.LeadID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agency_consultation", &page{Title: "面談記録", Form: consultationForm(c),
		Data: map[string]any{"Consultation": c, "Lead": l, "Modes": placement.Modes}})
}

func (s *Server) recordConsultation(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	fields := map[string]string{}
	in := consultationFromForm(v, fields)
	in.ID = id
	in.Notes, in.Impression, in.Wishes, in.HealthNotes = v.Get("notes"), v.Get("impression"), v.Get("wishes"), v.Get("health_notes")
	if len(fields) > 0 {
		err = invalid(fields)
	} else {
		_, err = s.Placement.RecordConsultation(r.Context(), cur.Actor(), in)
	}
	if err == nil {
		s.setFlash(w, "面談の記録を保存しました（暗号化して保存しています）。")
		redirect(w, r, consultationPath(id))
		return
	}
	if !apperr.Is(err, apperr.Invalid) {
		s.fail(w, r, err)
		return
	}
	// Show the form again from what was typed, without reading the stored
	// notes again: that read would be audited for nothing.
	leadID, _ := strconv.ParseInt(v.Get("lead_id"), 10, 64)
	meetings, lerr := s.Placement.Consultations(r.Context(), cur.Actor(), leadID)
	if lerr != nil {
		s.fail(w, r, lerr)
		return
	}
	i := slices.IndexFunc(meetings, func(m placement.Consultation) bool { return m.ID == id })
	if i < 0 {
		s.fail(w, r, apperr.E(apperr.NotFound, "見つかりません。"))
		return
	}
	l, lerr := s.Placement.Lead(r.Context(), cur.Actor(), leadID)
	if lerr != nil {
		s.fail(w, r, lerr)
		return
	}
	s.formError(w, r, "agency_consultation", &page{Title: "面談記録",
		Data: map[string]any{"Consultation": &meetings[i], "Lead": l, "Modes": placement.Modes}}, err)
}

func (s *Server) openCase(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	raw := strings.TrimSpace(jatext.NormalizeLine(r.PostForm.Get("opening_id")))
	if raw == "" {
		raw = r.PostForm.Get("opening")
	}
	openingID, perr := strconv.ParseInt(strings.TrimPrefix(raw, "#"), 10, 64)
	var c *placement.Case
	if perr != nil || openingID <= 0 {
		err = invalid(map[string]string{"opening_id": "求人を選ぶか、求人IDを数字で入力してください。"})
	} else {
		c, err = s.Placement.OpenCase(r.Context(), cur.Actor(), id, openingID)
	}
	if err != nil {
		s.renderLead(w, r, cur, 0, &page{}, err)
		return
	}
	s.setFlash(w, "案件を作成しました。")
	redirect(w, r, casePath(c.ID))
}

func (s *Server) createLeadFollowUp(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, fields := followUpFromForm(r.PostForm)
	f.LeadID = id
	if len(fields) > 0 {
		err = invalid(fields)
	} else {
		err = s.Placement.CreateFollowUp(r.Context(), cur.Actor(), f)
	}
	if err != nil {
		s.renderLead(w, r, cur, 0, &page{}, renameFields(err, map[string]string{"note": "fu_note"}))
		return
	}
	s.setFlash(w, "フォローアップを設定しました。")
	redirect(w, r, leadPath(id)+"#follow-ups")
}
