package web

import (
	"bytes"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/chart"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/survey"
)

// surveysRoutes registers the organisers' survey pages; GET and POST
// /surveys/{id}/{page} dispatch, since /surveys/answer/{token} (an
// invited respondent's link) overlaps them.
func (s *Server) surveysRoutes(mux *http.ServeMux) {
	mux.Handle("GET /orgs/{id}/surveys", s.signedIn(s.orgSurveysPage))
	mux.Handle("GET /orgs/{id}/surveys/new", s.signedIn(s.newSurveyPage))
	mux.Handle("POST /orgs/{id}/surveys/new", s.signedIn(s.createSurvey))
	mux.Handle("GET /surveys/{id}", s.signedIn(s.surveyPage))
	mux.HandleFunc("GET /surveys/{id}/{page}", s.surveySubpage)
	mux.HandleFunc("POST /surveys/{id}/{page}", s.surveyAction)
	mux.Handle("POST /surveys/{id}/comments/tag", s.signedIn(s.tagComment))
}

func (s *Server) surveySubpage(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") == "answer" {
		r.SetPathValue("token", r.PathValue("page"))
		s.invitedSurveyPage(w, r)
		return
	}
	var h func(http.ResponseWriter, *http.Request, *httpx.Current)
	switch r.PathValue("page") {
	case "edit":
		h = s.editSurveyPage
	case "results":
		h = s.surveyResults
	case "qr.png":
		h = s.surveyQR
	case "responses.csv":
		h = s.surveyResponsesCSV
	case "summary.csv":
		h = s.surveySummaryCSV
	default:
		s.fail(w, r, notFound())
		return
	}
	s.signedIn(h).ServeHTTP(w, r)
}

func (s *Server) surveyAction(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("id") == "answer" {
		r.SetPathValue("token", r.PathValue("page"))
		s.submitInvitedSurvey(w, r)
		return
	}
	var h func(http.ResponseWriter, *http.Request, *httpx.Current)
	switch r.PathValue("page") {
	case "edit":
		h = s.updateSurvey
	case "open":
		h = s.openSurvey
	case "close":
		h = s.closeSurvey
	case "copy":
		h = s.copySurvey
	case "invitation-links":
		h = s.reissueSurveyLinks
	default:
		s.fail(w, r, notFound())
		return
	}
	s.signedIn(h).ServeHTTP(w, r)
}

func surveyPath(id int64) string { return "/surveys/" + strconv.FormatInt(id, 10) }

func orgSurveysPath(orgID int64) string {
	return "/orgs/" + strconv.FormatInt(orgID, 10) + "/surveys"
}

// managedSurvey returns the {id} survey of the path for its
// organisation's members; NotFound for everyone else.
func (s *Server) managedSurvey(r *http.Request, cur *httpx.Current) (*survey.Survey, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	sv, err := s.Surveys.Survey(r.Context(), cur.Actor(), id)
	if err != nil {
		return nil, notFoundIfForbidden(err)
	}
	return sv, nil
}

// orgSurveysPage lists the organisation's surveys.
func (s *Server) orgSurveysPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	orgID, name, err := memberOrg(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.Surveys.Surveys(r.Context(), cur.Actor(), orgID, 0)
	if err != nil {
		s.fail(w, r, notFoundIfForbidden(err))
		return
	}
	// Only an organisation that holds events links back to them: a
	// clinic's patient surveys have no events to return to.
	evs, err := s.Events.Events(r.Context(), cur.Actor(), events.EventFilter{OrgID: orgID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "survey_org", &page{Title: "アンケート", Data: map[string]any{
		"OrgID": orgID, "OrgName": name, "Surveys": list, "HasEvents": len(evs) > 0}})
}

// surveyRows is the number of question rows the builder shows at least.
const surveyRows = 12

// surveyForm is the builder's form of a stored survey.
func surveyForm(sv *survey.Survey) url.Values {
	v := url.Values{"kind": {string(sv.Kind)}, "title": {sv.Title}, "description": {sv.Description},
		"version": {strconv.Itoa(sv.Version)}}
	if sv.EventID != 0 {
		v.Set("event_id", strconv.FormatInt(sv.EventID, 10))
	}
	if sv.PreviousID != 0 {
		v.Set("previous_id", strconv.FormatInt(sv.PreviousID, 10))
	}
	if sv.ClosesAt != nil {
		v.Set("closes_at", localTime(*sv.ClosesAt))
	}
	for i, it := range sv.Items {
		n := strconv.Itoa(i)
		v.Set("item_kind_"+n, string(it.Kind))
		v.Set("item_label_"+n, it.Label)
		v.Set("item_key_"+n, it.Key)
		v.Set("item_choices_"+n, strings.Join(it.Choices, "\n"))
		if it.Required {
			v.Set("item_required_"+n, "1")
		}
	}
	return v
}

var itemErrorRE = regexp.MustCompile(`^items\.(\d+)\.(kind|label|key|choices)$`)

// surveyInput reads the builder. Rows without a label or choices are
// left out; rows maps the service's item positions to the form's rows,
// so that its messages go beside the right row.
func surveyInput(v url.Values) (survey.SurveyInput, []int, error) {
	errs := map[string]string{}
	in := survey.SurveyInput{Kind: survey.Kind(v.Get("kind")), Title: jatext.NormalizeLine(v.Get("title")),
		Description: strings.TrimSpace(jatext.Normalize(v.Get("description"))), Version: formVersion(v)}
	if raw := v.Get("event_id"); raw != "" {
		in.EventID, _ = strconv.ParseInt(raw, 10, 64)
	}
	if raw := v.Get("previous_id"); raw != "" {
		in.PreviousID, _ = strconv.ParseInt(raw, 10, 64)
	}
	if raw := strings.TrimSpace(v.Get("closes_at")); raw != "" {
		if t, ok := parseLocalTime(raw); !ok {
			errs["closes_at"] = "締め切りを「2026/04/01 17:00」の形で入力してください。"
		} else {
			in.ClosesAt = &t
		}
	}
	var rows []int
	for i := 0; i < 200; i++ {
		n := strconv.Itoa(i)
		if !v.Has("item_kind_"+n) && !v.Has("item_label_"+n) {
			if i >= surveyRows {
				break
			}
			continue
		}
		label, choices := jatext.NormalizeLine(v.Get("item_label_"+n)), splitLines(v.Get("item_choices_"+n))
		if label == "" && len(choices) == 0 {
			continue
		}
		in.Items = append(in.Items, survey.ItemInput{Key: jatext.NormalizeLine(v.Get("item_key_" + n)),
			Kind: survey.ItemKind(v.Get("item_kind_" + n)), Label: label, Required: v.Get("item_required_"+n) == "1", Choices: choices})
		rows = append(rows, i)
	}
	if len(errs) > 0 {
		return in, rows, invalid(errs)
	}
	return in, rows, nil
}

// surveyFieldErrors moves the service's item messages to the rows.
func surveyFieldErrors(err error, rows []int) error {
	names := map[string]string{"closesat": "closes_at", "eventid": "event_id", "previousid": "previous_id"}
	for k := range apperr.FieldsOf(err) {
		if m := itemErrorRE.FindStringSubmatch(k); m != nil {
			pos, _ := strconv.Atoi(m[1])
			if pos < len(rows) {
				names[k] = "item_" + m[2] + "_" + strconv.Itoa(rows[pos])
			}
		}
	}
	return renameFields(err, names)
}

// surveyRow is one row of the builder.
type surveyRow struct {
	N     string
	Error string
}

// renderSurveyForm shows the builder; sv is nil for a new survey.
func (s *Server) renderSurveyForm(w http.ResponseWriter, r *http.Request, cur *httpx.Current, orgID int64, orgName string, sv *survey.Survey, p *page, formErr error) {
	ctx, actor := r.Context(), cur.Actor()
	evs, err := s.Events.Events(ctx, actor, events.EventFilter{OrgID: orgID})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	others, err := s.Surveys.Surveys(ctx, actor, orgID, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	n := surveyRows
	if sv != nil && len(sv.Items)+3 > n {
		n = len(sv.Items) + 3
	}
	for p.Form.Has("item_kind_" + strconv.Itoa(n)) {
		n++
	}
	p.Title = "アンケートを作る"
	action := orgSurveysPath(orgID) + "/new"
	if sv != nil {
		p.Title = "アンケートを編集する"
		action = surveyPath(sv.ID) + "/edit"
	}
	rows := make([]int, n)
	for i := range rows {
		rows[i] = i
	}
	p.Data = map[string]any{"OrgID": orgID, "OrgName": orgName, "Survey": sv, "Action": action, "Rows": rows,
		"Events": evs, "Others": others, "Kinds": []survey.Kind{survey.KindEvent, survey.KindPatient},
		"ItemKinds":   []survey.ItemKind{survey.Likert, survey.Single, survey.Multiple, survey.Text},
		"ItemsLocked": sv != nil && sv.Status != survey.StatusDraft}
	if formErr != nil {
		s.formError(w, r, "survey_form", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "survey_form", p)
}

func (s *Server) newSurveyPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	orgID, name, err := memberOrg(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"kind": {string(survey.KindEvent)}, "event_id": {r.URL.Query().Get("event")}}
	if form.Get("event_id") == "" {
		form.Set("kind", string(survey.KindPatient))
	}
	for i := 0; i < surveyRows; i++ {
		form.Set("item_kind_"+strconv.Itoa(i), string(survey.Likert))
	}
	s.renderSurveyForm(w, r, cur, orgID, name, nil, &page{Form: form}, nil)
}

func (s *Server) createSurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	orgID, name, err := memberOrg(r, cur)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, rows, err := surveyInput(r.PostForm)
	var sv *survey.Survey
	if err == nil {
		sv, err = s.Surveys.CreateSurvey(r.Context(), cur.Actor(), orgID, in)
	}
	if err != nil {
		s.renderSurveyForm(w, r, cur, orgID, name, nil, &page{Form: r.PostForm}, surveyFieldErrors(err, rows))
		return
	}
	s.setFlash(w, "アンケートを下書きとして作りました。")
	redirect(w, r, surveyPath(sv.ID))
}

func (s *Server) editSurveyPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	sv, err := s.managedSurvey(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderSurveyForm(w, r, cur, sv.OrgID, orgName(cur, sv.OrgID), sv, &page{Form: surveyForm(sv)}, nil)
}

func orgName(cur *httpx.Current, orgID int64) string {
	for _, g := range cur.Grants {
		if g.OrgID == orgID {
			return g.OrgName
		}
	}
	return ""
}

func (s *Server) updateSurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	sv, err := s.managedSurvey(r, cur)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, rows, err := surveyInput(r.PostForm)
	if err == nil {
		_, err = s.Surveys.UpdateSurvey(r.Context(), cur.Actor(), sv.ID, in)
	}
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			s.failReload(w, r, err, surveyPath(sv.ID)+"/edit")
			return
		}
		s.renderSurveyForm(w, r, cur, sv.OrgID, orgName(cur, sv.OrgID), sv, &page{Form: r.PostForm}, surveyFieldErrors(err, rows))
		return
	}
	s.setFlash(w, "アンケートを保存しました。")
	redirect(w, r, surveyPath(sv.ID))
}

func (s *Server) surveyPost(w http.ResponseWriter, r *http.Request, cur *httpx.Current, do func(sv *survey.Survey, v url.Values) (string, string, error)) {
	sv, err := s.managedSurvey(r, cur)
	if err == nil {
		err = parseForm(r)
	}
	var flash, to string
	if err == nil {
		flash, to, err = do(sv, r.PostForm)
	}
	if err != nil {
		if sv != nil {
			s.failReload(w, r, err, surveyPath(sv.ID))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, flash)
	redirect(w, r, to)
}

func (s *Server) openSurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.surveyPost(w, r, cur, func(sv *survey.Survey, v url.Values) (string, string, error) {
		n, err := s.Surveys.OpenSurvey(r.Context(), cur.Actor(), sv.ID, formVersion(v))
		flash := "回答の受付を始めました。"
		if sv.Kind == survey.KindEvent && err == nil {
			if s.Surveys.Notifier != nil && s.Surveys.Notifier.SMTP.Addr != "" {
				flash += "受付済みの参加者" + strconv.Itoa(n) + "人に回答のお願いをメールで送りました。"
			} else {
				flash += "メールの送信が設定されていないため、受付済みの参加者" + strconv.Itoa(n) + "人への回答のお願いは送られていません。"
			}
		}
		return flash, surveyPath(sv.ID), err
	})
}

func (s *Server) closeSurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.surveyPost(w, r, cur, func(sv *survey.Survey, v url.Values) (string, string, error) {
		return "回答の受付を締め切りました。", surveyPath(sv.ID), s.Surveys.CloseSurvey(r.Context(), cur.Actor(), sv.ID, formVersion(v))
	})
}

func (s *Server) copySurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.surveyPost(w, r, cur, func(sv *survey.Survey, v url.Values) (string, string, error) {
		title := jatext.NormalizeLine(v.Get("title"))
		if title == "" {
			title = sv.Title + "（次回）"
		}
		cp, err := s.Surveys.CopySurvey(r.Context(), cur.Actor(), sv.ID, title)
		if err != nil {
			return "", "", err
		}
		return "次回のアンケートを下書きとして作りました。前回と比べられます。", surveyPath(cp.ID) + "/edit", nil
	})
}

// publicSurveyLink is the absolute public link of a patient survey.
func (s *Server) publicSurveyLink(sv *survey.Survey) string {
	if sv.PublicSlug == "" {
		return ""
	}
	return strings.TrimRight(s.BaseURL, "/") + "/s/" + sv.PublicSlug
}

// surveyPage shows a survey's status, its public link and QR code, the
// counts and the actions.
func (s *Server) surveyPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	sv, err := s.managedSurvey(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Surveys.Results(r.Context(), cur.Actor(), sv.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"Survey": sv, "Results": res, "PublicLink": s.publicSurveyLink(sv)}
	if sv.ClosesAt != nil {
		data["ClosesAt"] = localTimeText(*sv.ClosesAt)
	}
	if sv.EventID != 0 {
		if ev, err := s.Events.Event(r.Context(), cur.Actor(), sv.EventID); err == nil {
			data["Event"] = ev
		}
	}
	s.render(w, r, http.StatusOK, "survey", &page{Title: sv.Title, Data: data})
}

// surveyQR draws the QR code of a survey's public link, for posters in
// waiting rooms.
func (s *Server) surveyQR(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	sv, err := s.managedSurvey(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	link := s.publicSurveyLink(sv)
	if link == "" {
		s.fail(w, r, apperr.E(apperr.NotFound, "このアンケートには公開リンクがありません。"))
		return
	}
	code, err := qr.Encode(link, qr.M, qr.Auto)
	if err == nil {
		code, err = barcode.Scale(code, 320, 320)
	}
	var buf bytes.Buffer
	if err == nil {
		err = png.Encode(&buf, code)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// itemView is one item's results with its chart.
type itemView struct {
	survey.ItemResult
	Chart template.HTML
}

// comparisonView is one row of the comparison with the earlier run.
type comparisonView struct {
	survey.Comparison
	MeanDelta, TopTwoDelta string
}

func signed(v float64, digits int, unit string) string {
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if v > 0 {
		s = "+" + s
	}
	return s + unit
}

// surveyResults shows the results at a glance: per item the chart, n,
// the mean and 高評価 (top-2-box), the comments with their tags, and the
// comparison with the earlier run.
func (s *Server) surveyResults(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	sv, err := s.managedSurvey(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	res, err := s.Surveys.Results(r.Context(), cur.Actor(), sv.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items := make([]itemView, 0, len(res.Items))
	for _, it := range res.Items {
		v := itemView{ItemResult: it}
		if len(it.Buckets) > 0 {
			c := chart.BarChart{ID: "item-" + strconv.FormatInt(it.Item.ID, 10), Desc: it.Item.Label}
			for _, b := range it.Buckets {
				c.Bars = append(c.Bars, chart.Bar{Label: b.Label, Value: float64(b.N), Text: fmt.Sprintf("%d件（%.1f%%）", b.N, b.Share)})
			}
			v.Chart = c.SVG()
		}
		items = append(items, v)
	}
	var cmp []comparisonView
	for _, c := range res.Comparison {
		cv := comparisonView{Comparison: c}
		if c.Kind == survey.Likert && c.This != nil && c.Before != nil {
			cv.MeanDelta, cv.TopTwoDelta = signed(c.MeanDelta, 2, ""), signed(c.TopTwoDelta, 1, "pt")
		}
		cmp = append(cmp, cv)
	}
	s.render(w, r, http.StatusOK, "survey_results", &page{Title: sv.Title + "（集計）", Data: map[string]any{
		"Survey": sv, "Results": res, "Items": items, "Comparison": cmp}})
}

func (s *Server) tagComment(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.surveyPost(w, r, cur, func(sv *survey.Survey, v url.Values) (string, string, error) {
		resp, err1 := strconv.ParseInt(v.Get("response"), 10, 64)
		item, err2 := strconv.ParseInt(v.Get("item"), 10, 64)
		if err1 != nil || err2 != nil {
			return "", "", apperr.E(apperr.Invalid, "タグを付けるコメントを選んでください。")
		}
		var tags []string
		for _, t := range splitTags(v.Get("tags")) {
			if t = jatext.NormalizeLine(t); t != "" {
				tags = append(tags, t)
			}
		}
		err := s.Surveys.TagComment(r.Context(), cur.Actor(), sv.ID, resp, item, tags)
		return "タグを保存しました。", surveyPath(sv.ID) + "/results#item-" + strconv.FormatInt(item, 10), err
	})
}

func (s *Server) surveyCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current, name string,
	write func(sv *survey.Survey, buf *bytes.Buffer, enc survey.Encoding) error) {
	sv, err := s.managedSurvey(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.sendCSV(w, r, "survey-"+strconv.FormatInt(sv.ID, 10)+"-"+name+".csv", func(buf *bytes.Buffer, enc excelcsv.Encoding) error {
		return write(sv, buf, enc)
	})
}

func (s *Server) surveyResponsesCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.surveyCSV(w, r, cur, "responses", func(sv *survey.Survey, buf *bytes.Buffer, enc survey.Encoding) error {
		return s.Surveys.ExportResponses(r.Context(), cur.Actor(), sv.ID, buf, enc)
	})
}

func (s *Server) surveySummaryCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.surveyCSV(w, r, cur, "summary", func(sv *survey.Survey, buf *bytes.Buffer, enc survey.Encoding) error {
		return s.Surveys.ExportSummary(r.Context(), cur.Actor(), sv.ID, buf, enc)
	})
}
