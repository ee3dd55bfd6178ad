package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/records"
	"github.com/hakui-dev/hakui/internal/regional"
)

// recordsRoutes are the pages of the confidential 面談記録: the
// coordinators' and officers' records, the organisations' sharing
// agreements, and the doctor's consents and read trail.
func (s *Server) recordsRoutes(mux *http.ServeMux) {
	mux.Handle("GET /regional/records", s.signedIn(s.recordsPage))
	mux.Handle("POST /regional/records", s.signedIn(s.createRecord))
	mux.Handle("GET /regional/records/{id}", s.signedIn(s.recordPage))
	mux.Handle("POST /regional/records/{id}", s.signedIn(s.updateRecord))
	mux.Handle("GET /orgs/{id}/agreements", s.signedIn(s.agreementsPage))
	mux.Handle("POST /orgs/{id}/agreements", s.signedIn(s.createAgreement))
	mux.Handle("POST /orgs/{id}/agreements/{agreement}/revoke", s.signedIn(s.revokeAgreement))
	mux.Handle("GET /me/records", s.signedIn(s.myRecords))
	mux.Handle("POST /me/records/consents/{id}", s.signedIn(s.setHealthConsent))
}

func recordPath(id int64) string { return "/regional/records/" + strconv.FormatInt(id, 10) }

// attendeeRows is how many attendee rows the record form offers.
const attendeeRows = 5

// recordForm lays a record out as its form values.
func recordForm(rec *records.Record) url.Values {
	f := url.Values{"held_on": {rec.HeldOn.In(JST).Format(time.DateOnly)}, "mode": {string(rec.Mode)}, "notes": {rec.Notes},
		"agreed_actions": {rec.AgreedActions}, "health_notes": {rec.HealthNotes}, "version": {strconv.Itoa(rec.Version)}}
	for i, a := range rec.Attendees {
		f.Set("attendee_"+strconv.Itoa(i), a)
	}
	for _, t := range rec.Topics {
		f.Add("topics", string(t))
	}
	if rec.NextMeeting != nil {
		f.Set("next_meeting", rec.NextMeeting.In(JST).Format(time.DateOnly))
	}
	return f
}

// parseRecordForm reads a record form; what does not parse is named by
// field.
func parseRecordForm(v url.Values) (*records.Record, map[string]string) {
	fields := map[string]string{}
	rec := &records.Record{Mode: records.Mode(v.Get("mode")), Notes: v.Get("notes"), AgreedActions: v.Get("agreed_actions"),
		HealthNotes: v.Get("health_notes")}
	if raw := jatext.NormalizeLine(v.Get("held_on")); raw != "" {
		t, err := records.ParseDay(raw)
		if err != nil {
			fields["held_on"] = "面談日を YYYY-MM-DD の形式で入力してください。"
		}
		rec.HeldOn = t
	}
	if raw := jatext.NormalizeLine(v.Get("next_meeting")); raw != "" {
		t, err := records.ParseDay(raw)
		if err != nil {
			fields["next_meeting"] = "次回面談日を YYYY-MM-DD の形式で入力してください。"
		} else {
			rec.NextMeeting = &t
		}
	}
	for i := range max(attendeeRows, rowCount(v, "attendee_rows", records.MaxAttendees)) {
		if a := jatext.NormalizeLine(v.Get("attendee_" + strconv.Itoa(i))); a != "" {
			rec.Attendees = append(rec.Attendees, a)
		}
	}
	for _, t := range v["topics"] {
		rec.Topics = append(rec.Topics, records.Topic(t))
	}
	return rec, fields
}

// recordDoctor finds the doctor among the enrolments the desk follows, for
// the doctor's name and to know the desk may write about them.
func (s *Server) recordDoctor(r *http.Request, cur *httpx.Current, desk regionalDesk, doctorID int64) (*regional.Enrollment, error) {
	f := regional.EnrollmentFilter{DoctorID: doctorID, CoordinatorOrgID: desk.ID()}
	if desk.Officer() {
		f = regional.EnrollmentFilter{DoctorID: doctorID, PrefectureOrgID: desk.ID()}
	}
	list, err := s.Regional.Enrollments(r.Context(), cur.Actor(), f)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, apperr.E(apperr.NotFound, "この医師の記録は見つかりません。")
	}
	return list[0].Enrollment, nil
}

func (s *Server) recordsPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	today := s.Records.Now().In(JST).Format(time.DateOnly)
	s.renderRecords(w, r, cur, &page{Form: url.Values{"held_on": {today}, "mode": {string(records.ModeInPerson)}}}, nil)
}

// renderRecords draws the records about a doctor that the desk's
// organisation wrote or that are shared with it (metadata only), and the
// form to write a new one.
func (s *Server) renderRecords(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	desk, err := deskOf(r, cur, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	raw := r.URL.Query().Get("doctor")
	if r.PostForm != nil && r.PostForm.Get("doctor") != "" {
		raw = r.PostForm.Get("doctor")
	}
	doctorID, perr := strconv.ParseInt(raw, 10, 64)
	if perr != nil || doctorID <= 0 {
		s.fail(w, r, apperr.E(apperr.NotFound, "医師を指定してください。地域枠の医師の台帳から開けます。"))
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	e, err := s.recordDoctor(r, cur, desk, doctorID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.Records.List(ctx, actor, doctorID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	consent, err := s.Records.HealthConsent(ctx, actor, desk.ID(), doctorID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = e.DoctorName + "さんの面談記録"
	p.Data = map[string]any{"Desk": desk, "E": e, "Records": list, "HealthConsent": consent, "Topics": recordTopics(consent),
		"Modes": []records.Mode{records.ModeInPerson, records.ModeOnline}, "Attendees": seqFrom(attendeeRows)}
	if formErr != nil {
		s.pageError(w, r, "regional_records", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "regional_records", p)
}

// recordTopics are the topics a form offers: health only with the
// doctor's consent.
func recordTopics(consent bool) []records.Topic {
	if consent {
		return records.Topics
	}
	return slices.DeleteFunc(slices.Clone(records.Topics), func(t records.Topic) bool { return t == records.TopicHealth })
}

func seqFrom(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func (s *Server) createRecord(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	desk, err := deskOf(r, cur, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rec, fields := parseRecordForm(r.PostForm)
	p := &page{Form: r.PostForm}
	if len(fields) > 0 {
		s.renderRecords(w, r, cur, p, invalid(fields))
		return
	}
	rec.OrgID = desk.ID()
	rec.DoctorID, _ = strconv.ParseInt(r.PostForm.Get("doctor"), 10, 64)
	out, err := s.Records.Create(r.Context(), cur.Actor(), rec)
	if err != nil {
		s.renderRecords(w, r, cur, p, err)
		return
	}
	s.setFlash(w, out.HeldOn.In(JST).Format("1月2日")+"の面談記録を保存しました。記録は暗号化して保存されます。")
	redirect(w, r, desk.Link("/regional/records?doctor="+strconv.FormatInt(out.DoctorID, 10)))
}

func (s *Server) recordPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderRecord(w, r, cur, &page{}, nil)
}

// renderRecord opens a record for a reader, which the service writes to
// the audit log about the doctor, and offers its writers the edit form.
func (s *Server) renderRecord(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	rec, err := s.Records.Get(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	canEdit := policy.Decide(actor, policy.Update, policy.Object{Kind: policy.KindRecord, ID: rec.ID, OrgID: rec.OrgID, OwnerID: rec.DoctorID}).Allow
	data := map[string]any{"Rec": rec, "CanEdit": canEdit, "Conflict": apperr.Is(formErr, apperr.Conflict),
		"Modes": []records.Mode{records.ModeInPerson, records.ModeOnline}, "Attendees": seqFrom(max(attendeeRows, len(rec.Attendees)+2))}
	if org, err := s.Records.Store.Organisation(ctx, rec.OrgID); err == nil {
		data["OrgName"] = org.Name
	}
	if canEdit {
		consent, err := s.Records.HealthConsent(ctx, actor, rec.OrgID, rec.DoctorID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data["HealthConsent"], data["Topics"] = consent, recordTopics(consent || rec.Has(records.TopicHealth))
	}
	if p.Form == nil || apperr.Is(formErr, apperr.Conflict) {
		p.Form = recordForm(rec)
	}
	p.Title = rec.HeldOn.In(JST).Format("2006年1月2日") + "の面談記録"
	p.Data = data
	if formErr != nil {
		s.pageError(w, r, "regional_records", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "regional_records", p)
}

func (s *Server) updateRecord(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rec, fields := parseRecordForm(r.PostForm)
	p := &page{Form: r.PostForm}
	if len(fields) > 0 {
		s.renderRecord(w, r, cur, p, invalid(fields))
		return
	}
	rec.ID = id
	if rec.Version, err = strconv.Atoi(r.PostForm.Get("version")); err != nil {
		rec.Version = -1
	}
	if _, err := s.Records.Update(r.Context(), cur.Actor(), rec); err != nil {
		s.renderRecord(w, r, cur, p, err)
		return
	}
	s.setFlash(w, "面談記録を更新しました。")
	redirect(w, r, recordPath(id))
}

// agreementRoles are the roles an agreement may name.
var agreementRoles = []identity.Role{identity.RoleCoordinator, identity.RolePrefectureOfficer}

// agreementView is an agreement with its organisations named.
type agreementView struct {
	records.Agreement
	Org, Partner string
	Outgoing     bool // the page's organisation shares
}

func (s *Server) agreementsPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderAgreements(w, r, cur, &page{Form: url.Values{}}, nil)
}

// renderAgreements draws an organisation's sharing agreements, in force
// and revoked, with the form to make one, for its administrators.
func (s *Server) renderAgreements(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	list, err := s.Records.Agreements(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	orgs, err := s.Views.Store.Organisations(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	var partners []identity.Organisation
	for _, o := range orgs {
		names[o.ID] = o.Name
		if o.ID != id && (o.Kind == identity.OrgUniversity || o.Kind == identity.OrgPrefecture) {
			partners = append(partners, o)
		}
	}
	var active, ended []agreementView
	for _, a := range list {
		v := agreementView{Agreement: a, Org: names[a.OrgID], Partner: names[a.PartnerOrgID], Outgoing: a.OrgID == id}
		if a.Active() {
			active = append(active, v)
		} else {
			ended = append(ended, v)
		}
	}
	p.Title = names[id] + "の共有の取り決め"
	p.Data = map[string]any{"OrgID": id, "OrgName": names[id], "Active": active, "Ended": ended, "Partners": partners,
		"Roles": agreementRoles, "Topics": records.Topics}
	if formErr != nil {
		s.pageError(w, r, "agreements", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "agreements", p)
}

func (s *Server) createAgreement(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	fields := map[string]string{}
	a := &records.Agreement{OrgID: id, PartnerOrgID: formID(v, "partner_org_id", "共有先の組織を選んでください。", fields),
		Purpose: v.Get("purpose")}
	for _, role := range v["roles"] {
		a.Roles = append(a.Roles, identity.Role(role))
	}
	for _, t := range v["topics"] {
		a.Topics = append(a.Topics, records.Topic(t))
	}
	p := &page{Form: v}
	if len(fields) > 0 {
		s.renderAgreements(w, r, cur, p, invalid(fields))
		return
	}
	if _, err := s.Records.CreateAgreement(r.Context(), cur.Actor(), a); err != nil {
		s.renderAgreements(w, r, cur, p, err)
		return
	}
	s.setFlash(w, "共有の取り決めを結びました。共有先は取り決めの範囲の面談記録を閲覧でき、閲覧はすべて医師本人に見える記録に残ります。")
	redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10)+"/agreements")
}

func (s *Server) revokeAgreement(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	agreement, err := pathID(r, "agreement")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		s.renderAgreements(w, r, cur, &page{Form: url.Values{}},
			apperr.E(apperr.Invalid, "取り決めを終了するには、確認のチェックを入れてください。"))
		return
	}
	if err := s.Records.RevokeAgreement(r.Context(), cur.Actor(), agreement); err != nil {
		s.renderAgreements(w, r, cur, &page{Form: url.Values{}}, err)
		return
	}
	s.setFlash(w, "共有の取り決めを終了しました。共有先は今後、面談記録を閲覧できません。")
	redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10)+"/agreements")
}

// consentRow is an organisation that follows the doctor, with the
// doctor's health consent to it.
type consentRow struct {
	OrgID   int64
	Name    string
	Consent *records.Consent // the latest, if any
}

// InForce says whether the consent is in force.
func (c consentRow) InForce() bool { return c.Consent != nil && c.Consent.WithdrawnAt == nil }

func (s *Server) myRecords(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if !cur.Has(identity.RoleDoctor) {
		s.fail(w, r, apperr.E(apperr.NotFound, "この画面は地域枠の医師のための画面です。"))
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	rows, err := s.consentRows(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	trail, err := s.Records.AuditTrail(ctx, actor, cur.User.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "my_records", &page{Title: "面談記録の同意と閲覧の記録",
		Data: map[string]any{"Orgs": rows, "Trail": trail}})
}

// consentRows are the organisations following the doctor (their CC
// offices and prefectures) with the doctor's consents to them.
func (s *Server) consentRows(r *http.Request, cur *httpx.Current) ([]consentRow, error) {
	ctx, actor := r.Context(), cur.Actor()
	list, err := s.Regional.MyEnrollments(ctx, actor)
	if err != nil {
		return nil, err
	}
	consents, err := s.Records.Consents(ctx, actor)
	if err != nil {
		return nil, err
	}
	var rows []consentRow
	add := func(id int64, name string) {
		if id == 0 || slices.ContainsFunc(rows, func(c consentRow) bool { return c.OrgID == id }) {
			return
		}
		row := consentRow{OrgID: id, Name: name}
		for i := range consents {
			if consents[i].OrgID == id && (row.Consent == nil || consents[i].GivenAt.After(row.Consent.GivenAt)) {
				row.Consent = &consents[i]
			}
		}
		rows = append(rows, row)
	}
	for _, v := range list {
		add(v.Enrollment.CoordinatorOrgID, v.Enrollment.CoordinatorOrg)
		add(v.Enrollment.PrefectureOrgID, v.Program.Prefecture)
	}
	return rows, nil
}

func (s *Server) setHealthConsent(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows, err := s.consentRows(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(rows, func(c consentRow) bool { return c.OrgID == id })
	if i < 0 {
		s.fail(w, r, apperr.E(apperr.NotFound, "見つかりません。"))
		return
	}
	var msg string
	switch r.PostForm.Get("consent") {
	case "give":
		err, msg = s.Records.GiveConsent(r.Context(), cur.Actor(), id), "%sが健康に関する内容を面談記録に残すことに同意しました。"
	case "withdraw":
		err, msg = s.Records.WithdrawConsent(r.Context(), cur.Actor(), id), "%sへの同意を撤回しました。健康に関する内容は今後記録されず、共有もされません。"
	default:
		err = apperr.E(apperr.Invalid, "同意するか撤回するかを選んでください。")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, fmt.Sprintf(msg, rows[i].Name))
	redirect(w, r, "/me/records")
}
