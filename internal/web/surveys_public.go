package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/survey"
)

// surveysPublicRoutes registers the respondents' pages: the anonymous
// public link with its edit link, and an invited attendee's personal link
// (served by the dispatchers of surveys.go).
func (s *Server) surveysPublicRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /s/{slug}", s.publicSurveyPage)
	mux.HandleFunc("POST /s/{slug}", s.submitPublicSurvey)
	mux.HandleFunc("GET /s/{slug}/thanks/{token}", s.publicThanksPage)
	mux.HandleFunc("GET /s/{slug}/edit/{token}", s.editResponsePage)
	mux.HandleFunc("POST /s/{slug}/edit/{token}", s.submitEditResponse)
}

func itemField(id int64) string { return "item-" + strconv.FormatInt(id, 10) }

// answersForm is the form of earlier answers.
func answersForm(sv *survey.Survey, resp *survey.Response) url.Values {
	v := url.Values{}
	if resp == nil {
		return v
	}
	for _, it := range sv.Items {
		a, ok := resp.Answers[it.ID]
		if !ok {
			continue
		}
		key := itemField(it.ID)
		switch it.Kind {
		case survey.Likert, survey.Single:
			if it.Kind == survey.Likert && a.Value == 0 {
				continue
			}
			v.Set(key, strconv.Itoa(a.Value))
		case survey.Multiple:
			for _, c := range a.Choices {
				v.Add(key, strconv.Itoa(c))
			}
		case survey.Text:
			v.Set(key, a.Text)
		}
	}
	return v
}

// readAnswers reads the answers of the form, one field "item-{id}" per
// item; what is left empty is not answered.
func readAnswers(sv *survey.Survey, v url.Values) survey.Answers {
	out := survey.Answers{}
	for _, it := range sv.Items {
		key := itemField(it.ID)
		switch it.Kind {
		case survey.Likert, survey.Single:
			if n, err := strconv.Atoi(v.Get(key)); err == nil {
				out[it.ID] = survey.Answer{Value: n}
			}
		case survey.Multiple:
			var cs []int
			for _, raw := range v[key] {
				if n, err := strconv.Atoi(raw); err == nil {
					cs = append(cs, n)
				}
			}
			if len(cs) > 0 {
				out[it.ID] = survey.Answer{Choices: cs}
			}
		case survey.Text:
			if t := strings.TrimSpace(jatext.Normalize(v.Get(key))); t != "" {
				out[it.ID] = survey.Answer{Text: t}
			}
		}
	}
	return out
}

// likertChoice is one point of a Likert item.
type likertChoice struct {
	Value string
	Label string
}

var likertChoices = func() []likertChoice {
	out := make([]likertChoice, len(survey.LikertLabels))
	for i, l := range survey.LikertLabels {
		out[i] = likertChoice{Value: strconv.Itoa(i + 1), Label: l}
	}
	return out
}()

// renderAnswerForm shows a respondent's form; action is where it posts.
// An anonymous respondent's edit page (editLink, absolute) tells them to
// keep its address, the only way back to their answers.
func (s *Server) renderAnswerForm(w http.ResponseWriter, r *http.Request, f *survey.Form, action, editLink string, editing bool, p *page, formErr error) {
	p.Title = f.Survey.Title
	p.Data = map[string]any{"Form": f, "Survey": f.Survey, "Action": action, "Likert": likertChoices, "Editing": editing,
		"EditLink": editLink}
	if formErr != nil {
		s.formError(w, r, "survey_answer", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "survey_answer", p)
}

func (s *Server) publicSurveyPage(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	f, err := s.Surveys.PublicForm(r.Context(), slug)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderAnswerForm(w, r, f, "/s/"+url.PathEscape(slug), "", false, &page{}, nil)
}

// answerError re-shows the form with per-item errors and the answers
// kept, or the rate limit's message; anything else is an error page.
func (s *Server) answerError(w http.ResponseWriter, r *http.Request, f *survey.Form, action, editLink string, editing bool, err error) {
	switch apperr.CodeOf(err) {
	case apperr.Invalid, apperr.RateLimited, apperr.Conflict:
		s.renderAnswerForm(w, r, f, action, editLink, editing, &page{}, err)
	default:
		s.fail(w, r, err)
	}
}

func (s *Server) submitPublicSurvey(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.Surveys.PublicForm(r.Context(), slug)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	action := "/s/" + url.PathEscape(slug)
	token, err := s.Surveys.SubmitPublic(r.Context(), slug, readAnswers(f.Survey, r.PostForm), clientOf(r))
	if err != nil {
		s.answerError(w, r, f, action, "", false, err)
		return
	}
	// On to a thanks page that carries the edit link in its address:
	// reloading it sends nothing again.
	redirect(w, r, action+"/thanks/"+url.PathEscape(token))
}

// publicThanksPage thanks an anonymous respondent and shows their edit
// link; the edit token in its address is checked like the edit page's.
func (s *Server) publicThanksPage(w http.ResponseWriter, r *http.Request) {
	f, action, err := s.editForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "survey_thanks", &page{Title: "ご回答ありがとうございました", Data: map[string]any{
		"Survey": f.Survey, "EditLink": strings.TrimRight(s.BaseURL, "/") + action}})
}

// editForm returns the form of an edit token of the slug's survey.
func (s *Server) editForm(r *http.Request) (*survey.Form, string, error) {
	slug, token := r.PathValue("slug"), r.PathValue("token")
	f, err := s.Surveys.EditForm(r.Context(), token)
	if err != nil {
		return nil, "", err
	}
	if f.Survey.PublicSlug != slug {
		return nil, "", apperr.E(apperr.NotFound, "回答が見つかりません。リンクをご確認ください。")
	}
	return f, "/s/" + url.PathEscape(slug) + "/edit/" + url.PathEscape(token), nil
}

func (s *Server) editResponsePage(w http.ResponseWriter, r *http.Request) {
	f, action, err := s.editForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderAnswerForm(w, r, f, action, strings.TrimRight(s.BaseURL, "/")+action, true,
		&page{Form: answersForm(f.Survey, f.Response)}, nil)
}

func (s *Server) submitEditResponse(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	f, action, err := s.editForm(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Surveys.SubmitEdit(r.Context(), r.PathValue("token"), readAnswers(f.Survey, r.PostForm)); err != nil {
		s.answerError(w, r, f, action, strings.TrimRight(s.BaseURL, "/")+action, true, err)
		return
	}
	s.setFlash(w, "回答を変更しました。")
	redirect(w, r, action)
}

func invitedPath(token string) string { return "/surveys/answer/" + url.PathEscape(token) }

// invitedSurveyPage is an invited attendee's form, with their earlier
// answers when they answered already.
func (s *Server) invitedSurveyPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	f, err := s.Surveys.InvitedForm(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderAnswerForm(w, r, f, invitedPath(token), "", f.Response != nil, &page{Form: answersForm(f.Survey, f.Response)}, nil)
}

func (s *Server) submitInvitedSurvey(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	f, err := s.Surveys.InvitedForm(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Surveys.SubmitInvited(r.Context(), token, readAnswers(f.Survey, r.PostForm)); err != nil {
		s.answerError(w, r, f, invitedPath(token), "", f.Response != nil, err)
		return
	}
	// Back to the personal link (the answers shown, to change until the
	// deadline): reloading it sends nothing again.
	if f.Response != nil {
		s.setFlash(w, "回答を変更しました。")
	} else {
		s.setFlash(w, "ご回答ありがとうございました。締め切りまでは、このページで回答を変更できます。")
	}
	redirect(w, r, invitedPath(token))
}
