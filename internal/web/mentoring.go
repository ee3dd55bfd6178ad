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
	"github.com/hakui-dev/hakui/internal/mentoring"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
)

// mentoringRoutes are the pages of the mentor–mentee pairs (メンタリング):
// the coordinators arrange and end them; both parties and the
// coordinators log the meetings.
func (s *Server) mentoringRoutes(mux *http.ServeMux) {
	mux.Handle("GET /mentoring", s.signedIn(s.mentoringPage))
	mux.Handle("POST /mentoring/pairs", s.signedIn(s.createPair))
	mux.Handle("GET /mentoring/pairs/{id}", s.signedIn(s.pairPage))
	mux.Handle("POST /mentoring/pairs/{id}", s.signedIn(s.updatePair))
	mux.Handle("POST /mentoring/pairs/{id}/end", s.signedIn(s.endPair))
	mux.Handle("POST /mentoring/pairs/{id}/meetings", s.signedIn(s.recordMeeting))
	mux.Handle("POST /mentoring/meetings/{id}/reflection", s.signedIn(s.reflect))
}

// coordinatorGrants are the CC offices the user coordinates, once each.
func coordinatorGrants(cur *httpx.Current) []identity.Grant {
	var out []identity.Grant
	for _, g := range cur.Grants {
		if g.Role == identity.RoleCoordinator && g.OrgID != 0 && !slices.ContainsFunc(out, func(o identity.Grant) bool { return o.OrgID == g.OrgID }) {
			out = append(out, g)
		}
	}
	return out
}

// mentoringDesk picks the office of the create form: the one named by the
// org parameter, else the first. ok is false for a user who coordinates
// none; a named office they do not coordinate is a 404.
func mentoringDesk(r *http.Request, cur *httpx.Current) (desk regionalDesk, ok bool, err error) {
	all := coordinatorGrants(cur)
	if len(all) == 0 {
		return regionalDesk{}, false, nil
	}
	want := r.URL.Query().Get("org")
	if r.PostForm != nil && r.PostForm.Get("org") != "" {
		want = r.PostForm.Get("org")
	}
	if want == "" {
		return regionalDesk{Grant: all[0], All: all}, true, nil
	}
	if id, perr := strconv.ParseInt(want, 10, 64); perr == nil {
		for _, g := range all {
			if g.OrgID == id {
				return regionalDesk{Grant: g, All: all}, true, nil
			}
		}
	}
	return regionalDesk{}, false, apperr.E(apperr.NotFound, "見つかりません。")
}

// pairRow is a pair as the lists show it.
type pairRow struct {
	mentoring.Pair
	Side        mentoring.Side
	ReminderDue bool
	ActiveNow   bool
	Closed      bool // a coordinator ended the pair
}

func (s *Server) mentoringPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	today := mentoring.Day(s.Mentoring.Now()).Format(time.DateOnly)
	s.renderMentoring(w, r, cur, &page{Form: url.Values{"starts_on": {today}, "interval_months": {strconv.Itoa(mentoring.DefaultIntervalMonths)}}}, nil)
}

// renderMentoring draws the pairs the user is a party to and those of the
// offices they coordinate, with the form to arrange a pair.
func (s *Server) renderMentoring(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	desk, coordinator, err := mentoringDesk(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !coordinator && !cur.Has(identity.RoleDoctor) {
		s.fail(w, r, apperr.E(apperr.NotFound, "この画面はメンタリングのペアの医師とキャリアコーディネーターのための画面です。"))
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	pairs, err := s.Mentoring.Pairs(ctx, actor, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.Mentoring.Now()
	var mine, office []pairRow
	for _, pr := range pairs {
		row := pairRow{Pair: pr, Side: mentoring.SideOf(actor, &pr), ReminderDue: pr.ReminderDue(now), ActiveNow: pr.Active(now), Closed: pr.Ended()}
		if row.Side != "" {
			mine = append(mine, row)
		}
		if coordinator && slices.ContainsFunc(desk.All, func(g identity.Grant) bool { return g.OrgID == pr.OrgID }) {
			office = append(office, row)
		}
	}
	data := map[string]any{"Mine": mine, "Office": office, "Coordinator": coordinator, "Desk": desk,
		"MinInterval": mentoring.MinIntervalMonths, "MaxInterval": mentoring.MaxIntervalMonths}
	if coordinator {
		list, err := s.Regional.Enrollments(ctx, actor, regional.EnrollmentFilter{CoordinatorOrgID: desk.ID()})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		var mentees []*regional.Enrollment
		for _, v := range list {
			if v.Enrollment.Departure == nil && !slices.ContainsFunc(mentees, func(e *regional.Enrollment) bool { return e.DoctorID == v.Enrollment.DoctorID }) {
				mentees = append(mentees, v.Enrollment)
			}
		}
		data["Mentees"] = mentees
	}
	p.Title = "メンタリング"
	p.Data = data
	if formErr != nil {
		s.formError(w, r, "mentoring", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "mentoring", p)
}

// formDay reads an optional date; what does not parse is reported on the
// field with the message.
func formDay(v url.Values, key, message string, fields map[string]string) *time.Time {
	raw := jatext.NormalizeLine(v.Get(key))
	if raw == "" {
		return nil
	}
	t, err := mentoring.ParseDay(raw)
	if err != nil {
		fields[key] = message
		return nil
	}
	return &t
}

// formMonths reads the reminder interval: 0 (the default) when empty.
func formMonths(v url.Values, fields map[string]string) int {
	if jatext.NormalizeLine(v.Get("interval_months")) == "" {
		return 0
	}
	return formInt(v, "interval_months", "リマインドの間隔を数字（か月）で入力してください。", fields)
}

func (s *Server) createPair(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	desk, coordinator, err := mentoringDesk(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !coordinator {
		s.fail(w, r, apperr.E(apperr.NotFound, "見つかりません。"))
		return
	}
	v := r.PostForm
	fields := map[string]string{}
	in := &mentoring.Pair{OrgID: desk.ID(), Note: strings.TrimSpace(v.Get("note")), IntervalMonths: formMonths(v, fields),
		MenteeID: formID(v, "mentee_id", "メンティーを選んでください。", fields)}
	if in.MenteeID == 0 && fields["mentee_id"] == "" {
		fields["mentee_id"] = "メンティーを選んでください。"
	}
	if d := formDay(v, "starts_on", "開始日を YYYY-MM-DD の形式で入力してください。", fields); d != nil {
		in.StartsOn = *d
	}
	in.EndsOn = formDay(v, "ends_on", "終了予定日を YYYY-MM-DD の形式で入力してください。", fields)
	in.MentorID, err = s.mentorID(r, v.Get("mentor"), fields)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(fields) > 0 {
		s.renderMentoring(w, r, cur, &page{}, invalid(fields))
		return
	}
	pair, err := s.Mentoring.CreatePair(r.Context(), cur.Actor(), in)
	if apperr.Is(err, apperr.NotFound) && len(coordinatorGrants(cur)) > 0 {
		// The mentee is not one the office follows.
		err = invalid(map[string]string{"mentee_id": apperr.MessageOf(err)})
	}
	if err != nil {
		s.renderMentoring(w, r, cur, &page{}, renameFields(err, map[string]string{"mentor_id": "mentor"}))
		return
	}
	s.setFlash(w, pair.MentorName+"さんと"+pair.MenteeName+"さんのペアを作りました。")
	redirect(w, r, mentoring.Link(pair.ID))
}

// mentorID reads the mentor as an e-mail address or a user ID. An unknown
// address is reported on the field; the service checks the rest.
func (s *Server) mentorID(r *http.Request, raw string, fields map[string]string) (int64, error) {
	raw = jatext.NormalizeLine(raw)
	switch {
	case raw == "":
		fields["mentor"] = "メンターのメールアドレスかユーザーIDを入力してください。"
		return 0, nil
	case strings.Contains(raw, "@"):
		u, err := s.Regional.Store.UserByEmail(r.Context(), jatext.NormalizeEmail(raw))
		if apperr.Is(err, apperr.NotFound) {
			fields["mentor"] = "このメールアドレスのアカウントが見つかりません。"
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		return u.ID, nil
	}
	id, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || id <= 0 {
		fields["mentor"] = "メンターのメールアドレスかユーザーIDを入力してください。"
		return 0, nil
	}
	return id, nil
}

func pairObject(p *mentoring.Pair) policy.Object {
	return policy.Object{Kind: policy.KindMentoring, ID: p.ID, OrgID: p.OrgID, OwnerID: p.MenteeID}
}

// pairForm lays a pair's editable fields out as form values.
func pairForm(p *mentoring.Pair) url.Values {
	f := url.Values{"interval_months": {strconv.Itoa(p.IntervalMonths)}, "note": {p.Note}, "version": {strconv.Itoa(p.Version)}}
	if p.EndsOn != nil {
		f.Set("ends_on", p.EndsOn.In(JST).Format(time.DateOnly))
	}
	return f
}

func (s *Server) pairPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderPair(w, r, cur, id, &page{}, nil)
}

// renderPair draws a pair with its meetings, opened for the reader (a
// coordinator's read is audited by the service), and the forms the reader
// may use. formErr is shown in place; a conflict reloads the pair form.
func (s *Server) renderPair(w http.ResponseWriter, r *http.Request, cur *httpx.Current, id int64, p *page, formErr error) {
	ctx, actor := r.Context(), cur.Actor()
	pair, err := s.Mentoring.Pair(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	meetings, err := s.Mentoring.Meetings(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.Mentoring.Now()
	side := mentoring.SideOf(actor, pair)
	manage := policy.Decide(actor, policy.Update, pairObject(pair)).Allow
	if p.Form == nil {
		p.Form = url.Values{}
	}
	for k, v := range pairForm(pair) {
		if _, ok := p.Form[k]; !ok || apperr.Is(formErr, apperr.Conflict) {
			p.Form[k] = v
		}
	}
	if p.Form.Get("held_on") == "" {
		p.Form.Set("held_on", mentoring.Day(now).Format(time.DateOnly))
	}
	if p.Form.Get("mode") == "" {
		p.Form.Set("mode", string(mentoring.ModeInPerson))
	}
	type meetingRow struct {
		mentoring.Meeting
		Mine string // what the reader learned, for their reflection form
	}
	rows := make([]meetingRow, len(meetings))
	for i, m := range meetings {
		rows[i] = meetingRow{Meeting: m}
		if side != "" {
			rows[i].Mine = m.Learned(side)
		}
	}
	p.Title = pair.MentorName + "さんと" + pair.MenteeName + "さんのメンタリング"
	p.Data = map[string]any{"Pair": pair, "Meetings": rows, "Side": side, "Manage": manage, "Audited": side == "" && len(rows) > 0,
		"ReminderDue": pair.ReminderDue(now), "ActiveNow": pair.Active(now), "Conflict": apperr.Is(formErr, apperr.Conflict),
		"Modes": []mentoring.Mode{mentoring.ModeInPerson, mentoring.ModeOnline}, "Link": mentoring.Link(pair.ID),
		"MinInterval": mentoring.MinIntervalMonths, "MaxInterval": mentoring.MaxIntervalMonths}
	if formErr != nil {
		s.pageError(w, r, "mentoring_pair", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "mentoring_pair", p)
}

func (s *Server) updatePair(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	fields := map[string]string{}
	in := &mentoring.Pair{ID: id, Note: strings.TrimSpace(v.Get("note")), IntervalMonths: formMonths(v, fields),
		EndsOn: formDay(v, "ends_on", "終了予定日を YYYY-MM-DD の形式で入力してください。", fields)}
	if in.Version, err = strconv.Atoi(v.Get("version")); err != nil {
		in.Version = -1
	}
	p := &page{Form: cloneValues(v)}
	if len(fields) > 0 {
		s.renderPair(w, r, cur, id, p, invalid(fields))
		return
	}
	if _, err := s.Mentoring.UpdatePair(r.Context(), cur.Actor(), in); err != nil {
		s.renderPair(w, r, cur, id, p, err)
		return
	}
	s.setFlash(w, "ペアの設定を更新しました。")
	redirect(w, r, mentoring.Link(id))
}

func (s *Server) endPair(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	version, verr := strconv.Atoi(v.Get("version"))
	if verr != nil {
		version = -1
	}
	p := &page{Form: cloneValues(v)}
	if v.Get("confirm") != "yes" {
		s.renderPair(w, r, cur, id, p, invalid(map[string]string{"confirm": "ペアを終了するには、確認のチェックを入れてください。"}))
		return
	}
	if _, err := s.Mentoring.EndPair(r.Context(), cur.Actor(), id, version); err != nil {
		s.renderPair(w, r, cur, id, p, err)
		return
	}
	s.setFlash(w, "ペアを終了しました。面談の記録は引き続き閲覧できます。")
	redirect(w, r, mentoring.Link(id))
}

func (s *Server) recordMeeting(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	fields := map[string]string{}
	in := &mentoring.Meeting{PairID: id, Mode: mentoring.Mode(v.Get("mode")), Summary: strings.TrimSpace(v.Get("summary")),
		NextMeeting: formDay(v, "next_meeting", "次回の面談日を YYYY-MM-DD の形式で入力してください。", fields)}
	if d := formDay(v, "held_on", "面談日を YYYY-MM-DD の形式で入力してください。", fields); d != nil {
		in.HeldOn = *d
	}
	in.Topics = strings.FieldsFunc(v.Get("topics"), func(r rune) bool { return r == ',' || r == '、' || r == '，' || r == '\n' })
	p := &page{Form: cloneValues(v)}
	if len(fields) > 0 {
		s.renderPair(w, r, cur, id, p, invalid(fields))
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	if learned := strings.TrimSpace(v.Get("learned")); learned != "" {
		pair, err := s.Mentoring.Pair(ctx, actor, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		switch mentoring.SideOf(actor, pair) {
		case mentoring.SideMentor:
			in.MentorLearned = learned
		case mentoring.SideMentee:
			in.MenteeLearned = learned
		default:
			s.renderPair(w, r, cur, id, p, invalid(map[string]string{"learned": "学んだことは、メンターとメンティー本人だけが記入できます。"}))
			return
		}
	}
	m, err := s.Mentoring.RecordMeeting(ctx, actor, in)
	if err != nil {
		s.renderPair(w, r, cur, id, p, renameFields(err, map[string]string{"mentor_learned": "learned", "mentee_learned": "learned"}))
		return
	}
	s.setFlash(w, m.HeldOn.In(JST).Format("1月2日")+"の面談を記録しました。記録は暗号化して保存されます。")
	redirect(w, r, mentoring.Link(id))
}

func (s *Server) reflect(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pairID, perr := strconv.ParseInt(r.PostForm.Get("pair"), 10, 64)
	key := "learned_" + strconv.FormatInt(id, 10)
	m, err := s.Mentoring.Reflect(r.Context(), cur.Actor(), id, strings.TrimSpace(r.PostForm.Get(key)))
	if err != nil {
		if perr != nil || pairID <= 0 || !apperr.Is(err, apperr.Invalid) {
			s.fail(w, r, err)
			return
		}
		s.renderPair(w, r, cur, pairID, &page{Form: cloneValues(r.PostForm)},
			renameFields(err, map[string]string{"mentor_learned": key, "mentee_learned": key}))
		return
	}
	s.setFlash(w, m.HeldOn.In(JST).Format("1月2日")+"の面談で学んだことを保存しました。")
	redirect(w, r, mentoring.Link(m.PairID))
}

// cloneValues copies form values, so that a page may fill in defaults.
func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}
