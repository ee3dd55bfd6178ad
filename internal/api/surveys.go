package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/survey"
)

// Surveys: the builder, opening and closing, results with their
// comparison to the earlier run, comment tags and CSV exports for the
// organisers; the forms and answers of respondents, who act through a
// public link (/s/{slug}), an invitation token or an anonymous response's
// edit token. Answers are {"<item id>": {"value": 4} | {"choices": [0, 2]}
// | {"text": "…"}}; value is the point (1–5) of a Likert item and the
// chosen index of a single-choice one.

// surveysRoutes registers the survey endpoints.
func (s *Server) surveysRoutes(handle, public func(method, pattern string, h handlerFunc)) {
	public("GET", "/s/{slug}", surveyForm("slug", s.Surveys.PublicForm))
	public("POST", "/s/{slug}/responses", s.submitPublicSurvey)
	public("GET", "/survey-responses/{token}", surveyForm("token", s.Surveys.EditForm))
	public("PUT", "/survey-responses/{token}", submitAnswers(s.Surveys.SubmitEdit))
	public("GET", "/survey-invitations/{token}", surveyForm("token", s.Surveys.InvitedForm))
	public("PUT", "/survey-invitations/{token}", submitAnswers(s.Surveys.SubmitInvited))

	handle("POST", "/organisations/{id}/surveys", s.createSurvey)
	handle("GET", "/organisations/{id}/surveys", s.orgSurveys)
	handle("GET", "/surveys/{id}", s.getSurvey)
	handle("PUT", "/surveys/{id}", s.updateSurvey)
	handle("POST", "/surveys/{id}/open", s.openSurvey)
	handle("POST", "/surveys/{id}/invitation-links", s.reissueInvitationLinks)
	handle("POST", "/surveys/{id}/close", s.closeSurvey)
	handle("POST", "/surveys/{id}/copy", s.copySurvey)
	handle("GET", "/surveys/{id}/results", s.surveyResults)
	handle("GET", "/surveys/{id}/compare/{other}", s.compareSurveys)
	handle("PUT", "/surveys/{id}/responses/{response}/items/{item}/tags", s.tagSurveyComment)
	handle("GET", "/surveys/{id}/responses.csv", s.surveyResponsesCSV)
	handle("GET", "/surveys/{id}/summary.csv", s.surveySummaryCSV)
}

// ---- Shapes ----

type surveyItemJSON struct {
	ID        int64           `json:"id"`
	Key       string          `json:"key"`
	Kind      survey.ItemKind `json:"kind"`
	KindLabel string          `json:"kind_label"`
	Label     string          `json:"label"`
	Required  bool            `json:"required"`
	Choices   []string        `json:"choices"`
}

func toSurveyItemsJSON(items []survey.Item) []surveyItemJSON {
	out := make([]surveyItemJSON, len(items))
	for i, it := range items {
		out[i] = surveyItemJSON{ID: it.ID, Key: it.Key, Kind: it.Kind, KindLabel: it.Kind.Label(), Label: it.Label,
			Required: it.Required, Choices: nonNil(it.Choices)}
	}
	return out
}

type surveyJSON struct {
	ID          int64            `json:"id"`
	OrgID       int64            `json:"org_id"`
	EventID     *int64           `json:"event_id"`
	Kind        survey.Kind      `json:"kind"`
	KindLabel   string           `json:"kind_label"`
	Title       string           `json:"title"`
	Description string           `json:"description"`
	Status      survey.Status    `json:"status"`
	StatusLabel string           `json:"status_label"`
	PublicSlug  string           `json:"public_slug"`
	PublicURL   string           `json:"public_url"` // "" unless a patient survey
	PreviousID  *int64           `json:"previous_id"`
	ClosesAt    *time.Time       `json:"closes_at"`
	Items       []surveyItemJSON `json:"items"`
	CreatedAt   time.Time        `json:"created_at"`
	UpdatedAt   time.Time        `json:"updated_at"`
	Version     int              `json:"version"`
}

func (s *Server) toSurveyJSON(sv *survey.Survey) surveyJSON {
	out := surveyJSON{ID: sv.ID, OrgID: sv.OrgID, EventID: optID(sv.EventID), Kind: sv.Kind, KindLabel: sv.Kind.Label(),
		Title: sv.Title, Description: sv.Description, Status: sv.Status, StatusLabel: sv.Status.Label(), PublicSlug: sv.PublicSlug,
		PreviousID: optID(sv.PreviousID), ClosesAt: sv.ClosesAt, Items: toSurveyItemsJSON(sv.Items), CreatedAt: sv.CreatedAt,
		UpdatedAt: sv.UpdatedAt, Version: sv.Version}
	if sv.PublicSlug != "" {
		out.PublicURL = s.BaseURL + "/s/" + sv.PublicSlug
	}
	return out
}

// answerJSON is one answer; which field is set follows the item's kind.
type answerJSON struct {
	Value   *int   `json:"value,omitempty"`
	Choices []int  `json:"choices,omitempty"`
	Text    string `json:"text,omitempty"`
}

// toAnswersJSON writes the answers by item ID, each in the shape of its
// item's kind (so that the first choice, index 0, is not lost).
func toAnswersJSON(items []survey.Item, answers map[int64]survey.Answer) map[string]answerJSON {
	out := make(map[string]answerJSON, len(answers))
	kinds := make(map[int64]survey.ItemKind, len(items))
	for _, it := range items {
		kinds[it.ID] = it.Kind
	}
	for id, a := range answers {
		var aj answerJSON
		switch kinds[id] {
		case survey.Likert, survey.Single:
			v := a.Value
			aj.Value = &v
		case survey.Multiple:
			aj.Choices = nonNil(a.Choices)
		default:
			aj.Text = a.Text
		}
		out[strconv.FormatInt(id, 10)] = aj
	}
	return out
}

// surveyFormJSON is what a respondent sees of a survey.
type surveyFormJSON struct {
	Survey struct {
		ID          int64            `json:"id"`
		Kind        survey.Kind      `json:"kind"`
		Title       string           `json:"title"`
		Description string           `json:"description"`
		Status      survey.Status    `json:"status"`
		ClosesAt    *time.Time       `json:"closes_at"`
		Items       []surveyItemJSON `json:"items"`
	} `json:"survey"`
	Answers map[string]answerJSON `json:"answers"` // null: not answered yet
	Open    bool                  `json:"open"`
	Reason  string                `json:"reason"`
}

func toSurveyFormJSON(f *survey.Form) surveyFormJSON {
	var out surveyFormJSON
	sv := f.Survey
	out.Survey.ID, out.Survey.Kind, out.Survey.Title, out.Survey.Description = sv.ID, sv.Kind, sv.Title, sv.Description
	out.Survey.Status, out.Survey.ClosesAt, out.Survey.Items = sv.Status, sv.ClosesAt, toSurveyItemsJSON(sv.Items)
	if f.Response != nil {
		out.Answers = toAnswersJSON(sv.Items, f.Response.Answers)
	}
	out.Open, out.Reason = f.Open, f.Reason
	return out
}

type bucketJSON struct {
	Label string  `json:"label"`
	N     int     `json:"n"`
	Share float64 `json:"share"`
}

type commentJSON struct {
	// ResponseID is an opaque key of the response (a keyed hash, not its
	// stored ID, which would tell the order of arrival), what the tag
	// route's {response} takes.
	ResponseID int64    `json:"response_id"`
	Text       string   `json:"text"`
	Tags       []string `json:"tags"`
}

type itemResultJSON struct {
	Item        surveyItemJSON `json:"item"`
	Responses   int            `json:"responses"`
	Buckets     []bucketJSON   `json:"buckets"`
	Mean        float64        `json:"mean"`
	MeanLabel   string         `json:"mean_label"`
	TopTwo      int            `json:"top_two"`
	TopTwoShare float64        `json:"top_two_share"` // percent, exact
	TopTwoLabel string         `json:"top_two_label"` // "84.1%"
	Comments    []commentJSON  `json:"comments"`
}

func toItemResultJSON(r *survey.ItemResult) *itemResultJSON {
	if r == nil {
		return nil
	}
	out := &itemResultJSON{Item: toSurveyItemsJSON([]survey.Item{r.Item})[0], Responses: r.Responses,
		Buckets: make([]bucketJSON, len(r.Buckets)), Mean: r.Mean, MeanLabel: r.MeanLabel(), TopTwo: r.TopTwo,
		TopTwoShare: r.TopTwoShare, TopTwoLabel: r.TopTwoLabel(), Comments: make([]commentJSON, len(r.Comments))}
	for i, b := range r.Buckets {
		out.Buckets[i] = bucketJSON(b)
	}
	for i, c := range r.Comments {
		out.Comments[i] = commentJSON{ResponseID: c.ResponseID, Text: c.Text, Tags: nonNil(c.Tags)}
	}
	return out
}

type comparisonJSON struct {
	Key         string          `json:"key"`
	Label       string          `json:"label"`
	Kind        survey.ItemKind `json:"kind"`
	This        *itemResultJSON `json:"this"`
	Before      *itemResultJSON `json:"before"`
	MeanDelta   float64         `json:"mean_delta"`
	TopTwoDelta float64         `json:"top_two_delta"` // percentage points
}

func toComparisonsJSON(list []survey.Comparison) []comparisonJSON {
	out := make([]comparisonJSON, len(list))
	for i, c := range list {
		out[i] = comparisonJSON{Key: c.Key, Label: c.Label, Kind: c.Kind, This: toItemResultJSON(c.This),
			Before: toItemResultJSON(c.Before), MeanDelta: c.MeanDelta, TopTwoDelta: c.TopTwoDelta}
	}
	return out
}

// ---- Input ----

type surveyItemInJSON struct {
	Key      string          `json:"key"`
	Kind     survey.ItemKind `json:"kind"`
	Label    string          `json:"label"`
	Required bool            `json:"required"`
	Choices  []string        `json:"choices"`
}

type surveyInJSON struct {
	Kind        survey.Kind        `json:"kind"`
	EventID     int64              `json:"event_id"`
	Title       string             `json:"title"`
	Description string             `json:"description"`
	Items       []surveyItemInJSON `json:"items"`
	PreviousID  int64              `json:"previous_id"`
	ClosesAt    string             `json:"closes_at"`
	Version     *int               `json:"version"`
}

func (in *surveyInJSON) input() (survey.SurveyInput, error) {
	out := survey.SurveyInput{Kind: in.Kind, EventID: in.EventID, Title: in.Title, Description: in.Description,
		PreviousID: in.PreviousID}
	fields := map[string]string{}
	if at := parseInstant(fields, "closes_at", in.ClosesAt); !at.IsZero() {
		out.ClosesAt = &at
	}
	if len(fields) > 0 {
		return out, apperr.InvalidFields(fields)
	}
	for _, it := range in.Items {
		out.Items = append(out.Items, survey.ItemInput{Key: it.Key, Kind: it.Kind, Label: it.Label, Required: it.Required,
			Choices: it.Choices})
	}
	if in.Version != nil {
		out.Version = *in.Version
	}
	return out, nil
}

// decodeAnswers reads {"answers": {"<item id>": …}}. A key that is not an
// item ID is an error of that item.
func decodeAnswers(r *http.Request) (survey.Answers, error) {
	var in struct {
		Answers map[string]answerJSON `json:"answers"`
	}
	if err := decode(r, &in); err != nil {
		return nil, err
	}
	if in.Answers == nil {
		return nil, apperr.InvalidFields(map[string]string{"answers": "answers に設問IDごとの回答を指定してください。"})
	}
	out := make(survey.Answers, len(in.Answers))
	fields := map[string]string{}
	for k, a := range in.Answers {
		id, err := strconv.ParseInt(k, 10, 64)
		if err != nil || id <= 0 {
			fields["item-"+k] = "この設問はありません。"
			continue
		}
		ans := survey.Answer{Choices: a.Choices, Text: a.Text}
		if a.Value != nil {
			ans.Value = *a.Value
		}
		out[id] = ans
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	return out, nil
}

// ---- Respondents ----

// surveyForm answers the form a public slug or a token (the path value
// named key) opens: the survey and any earlier answers.
func surveyForm(key string, load func(context.Context, string) (*survey.Form, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ *httpx.Current) error {
		f, err := load(r.Context(), r.PathValue(key))
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, toSurveyFormJSON(f))
	}
}

// submitAnswers replaces the answers a token (an invitation's or an
// anonymous response's edit token) stands for.
func submitAnswers(submit func(context.Context, string, survey.Answers) error) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, _ *httpx.Current) error {
		a, err := decodeAnswers(r)
		if err != nil {
			return err
		}
		if err := submit(r.Context(), r.PathValue("token"), a); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
}

// submitPublicSurvey records an anonymous response and answers its edit
// token once.
func (s *Server) submitPublicSurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	slug := r.PathValue("slug")
	a, err := decodeAnswers(r)
	if err != nil {
		return err
	}
	token, err := s.Surveys.SubmitPublic(r.Context(), slug, a, client(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]string{"edit_token": token,
		"edit_url": s.BaseURL + "/s/" + slug + "/edit/" + token})
}

// ---- Organisers ----

func (s *Server) createSurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if !cur.Actor().MemberOf(id) {
		return apperr.E(apperr.NotFound, "見つかりません。")
	}
	var body surveyInJSON
	if err := decode(r, &body); err != nil {
		return err
	}
	in, err := body.input()
	if err != nil {
		return err
	}
	sv, err := s.Surveys.CreateSurvey(r.Context(), cur.Actor(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, s.toSurveyJSON(sv))
}

func (s *Server) orgSurveys(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if !cur.Actor().MemberOf(id) {
		return apperr.E(apperr.NotFound, "見つかりません。")
	}
	eventID, err := queryInt(r, "event")
	if err != nil {
		return err
	}
	list, err := s.Surveys.Surveys(r.Context(), cur.Actor(), id, eventID)
	if err != nil {
		return err
	}
	out := make([]surveyJSON, len(list))
	for i := range list {
		out[i] = s.toSurveyJSON(&list[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"surveys": out})
}

func (s *Server) getSurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	sv, err := s.Surveys.Survey(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.toSurveyJSON(sv))
}

// updateSurvey replaces a survey's fields at the version the caller saw;
// items change only while it is a draft.
func (s *Server) updateSurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var body surveyInJSON
	if err := decode(r, &body); err != nil {
		return err
	}
	if body.Version == nil {
		return needVersionOf("アンケート")
	}
	in, err := body.input()
	if err != nil {
		return err
	}
	sv, err := s.Surveys.UpdateSurvey(r.Context(), cur.Actor(), id, in)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, s.toSurveyJSON(sv))
}

// openSurvey opens a survey (again) and answers how many attendees were
// invited this time.
func (s *Server) openSurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, err := decodeVersion(r, "アンケート")
	if err != nil {
		return err
	}
	n, err := s.Surveys.OpenSurvey(r.Context(), cur.Actor(), id, version)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"invited": n})
}

type invitationLinkJSON struct {
	Name  string `json:"name"`
	Email string `json:"email"`
	Link  string `json:"link"`
}

// reissueInvitationLinks hands the organisers fresh links of the
// invitations not yet answered (shown once; earlier links stop working).
func (s *Server) reissueInvitationLinks(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	links, err := s.Surveys.ReissueInvitationLinks(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	out := make([]invitationLinkJSON, len(links))
	for i, l := range links {
		out[i] = invitationLinkJSON{Name: l.Name, Email: l.Email, Link: l.Link}
	}
	w.Header().Set("Cache-Control", "no-store")
	return writeJSON(w, http.StatusOK, map[string]any{"links": out})
}

func (s *Server) closeSurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, err := decodeVersion(r, "アンケート")
	if err != nil {
		return err
	}
	if err := s.Surveys.CloseSurvey(r.Context(), cur.Actor(), id, version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// copySurvey starts the next run of a survey as a draft.
func (s *Server) copySurvey(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Title string `json:"title"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	sv, err := s.Surveys.CopySurvey(r.Context(), cur.Actor(), id, in.Title)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, s.toSurveyJSON(sv))
}

func (s *Server) surveyResults(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	res, err := s.Surveys.Results(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	items := make([]itemResultJSON, len(res.Items))
	for i := range res.Items {
		items[i] = *toItemResultJSON(&res.Items[i])
	}
	var previous *surveyJSON
	if res.PreviousRun != nil {
		p := s.toSurveyJSON(res.PreviousRun)
		previous = &p
	}
	return writeJSON(w, http.StatusOK, map[string]any{"survey": s.toSurveyJSON(res.Survey), "responses": res.Responses,
		"invited": res.Invited, "items": items, "comparison": toComparisonsJSON(res.Comparison), "previous_run": previous})
}

func (s *Server) compareSurveys(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	other, err := pathInt(r, "other")
	if err != nil {
		return err
	}
	list, err := s.Surveys.Compare(r.Context(), cur.Actor(), id, other)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"comparison": toComparisonsJSON(list)})
}

// tagSurveyComment sets the tags of one free-text answer (e.g. 改善要望).
func (s *Server) tagSurveyComment(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	response, err := pathInt(r, "response")
	if err != nil {
		return err
	}
	item, err := pathInt(r, "item")
	if err != nil {
		return err
	}
	var in struct {
		Tags []string `json:"tags"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Tags == nil {
		return apperr.InvalidFields(map[string]string{"tags": "tags を配列で指定してください(外すときは [])。"})
	}
	if err := s.Surveys.TagComment(r.Context(), cur.Actor(), id, response, item, in.Tags); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) surveyResponsesCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	enc, err := csvEncoding(r)
	if err != nil {
		return err
	}
	return writeCSV(w, "survey-"+strconv.FormatInt(id, 10)+"-responses.csv", enc, func(b *bytes.Buffer) error {
		return s.Surveys.ExportResponses(r.Context(), cur.Actor(), id, b, survey.Encoding(enc))
	})
}

func (s *Server) surveySummaryCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	enc, err := csvEncoding(r)
	if err != nil {
		return err
	}
	return writeCSV(w, "survey-"+strconv.FormatInt(id, 10)+"-summary.csv", enc, func(b *bytes.Buffer) error {
		return s.Surveys.ExportSummary(r.Context(), cur.Actor(), id, b, survey.Encoding(enc))
	})
}
