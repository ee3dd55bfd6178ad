package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/policy"
)

// choices are the lists the opening and search forms offer.
func choices() map[string]any {
	return map[string]any{
		"Kinds": career.WorkKinds, "RemoteKinds": career.RemoteKinds, "Specialties": career.Specialties,
		"Prefectures": career.Prefectures, "PayUnits": career.PayUnits, "Stages": career.Stages,
		"Answers": career.StageAnswers, "Weekdays": []string{"日", "月", "火", "水", "木", "金", "土"},
		"WeeklyRows": []int{0, 1, 2, 3}, "Levels": []int{1, 2, 3, 4},
	}
}

func (s *Server) actor(r *http.Request) policy.Actor {
	return httpx.CurrentFrom(r.Context()).Actor()
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) {
	actor := s.actor(r)
	q := r.URL.Query()
	data := choices()
	data["Query"] = q
	f, ferr := openings.FilterFromValues(q)
	doctor, err := s.Openings.DoctorProfile(r.Context(), actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if doctor != nil {
		data["Doctor"] = doctor
		data["Stage"] = doctor.Stage(s.Openings.Now())
		if q.Get("eligible") == "1" {
			f.EligibleStage = doctor.Stage(s.Openings.Now())
		}
	}
	p := &page{Title: "求人を探す", Form: q, Data: data}
	if ferr != nil {
		p.Errors = apperr.FieldsOf(ferr)
		p.Errors[""] = apperr.MessageOf(ferr)
		s.render(w, r, http.StatusBadRequest, "openings_search", p)
		return
	}
	res, err := s.Openings.Search(r.Context(), f, doctor)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			p.Errors = map[string]string{"": apperr.MessageOf(err)}
			s.render(w, r, http.StatusBadRequest, "openings_search", p)
			return
		}
		s.fail(w, r, err)
		return
	}
	data["Page"] = res
	if res.Next != "" {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("after", res.Next)
		data["NextURL"] = "/openings?" + next.Encode()
	}
	saveQuery := url.Values{}
	for k, v := range q {
		if k != "after" && k != "sort" {
			saveQuery[k] = v
		}
	}
	data["SaveQuery"] = saveQuery.Encode()
	s.render(w, r, http.StatusOK, "openings_search", p)
}

func (s *Server) openingPage(w http.ResponseWriter, r *http.Request) {
	s.renderOpening(w, r, http.StatusOK, &page{}, nil)
}

func (s *Server) renderOpening(w http.ResponseWriter, r *http.Request, status int, p *page, formErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := s.actor(r)
	o, err := s.Openings.Get(r.Context(), actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vocab, err := s.Openings.Vocabulary(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"Opening": o, "Vocab": vocab, "CanManage": openings.CanManage(actor, o), "CanClose": openings.CanClose(actor, o)}
	doctor, err := s.Openings.DoctorProfile(r.Context(), actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if doctor != nil {
		fit := career.Fit(doctor.Facts(s.Openings.Now()), o.Facts(), vocab)
		data["Fit"] = &fit
		data["Doctor"] = doctor
		if a, err := s.Openings.Store.Application(r.Context(), actor.UserID, o.ID); err == nil {
			data["Applied"] = a
		}
	}
	p.Title = o.Title
	p.Data = data
	if formErr != nil {
		s.formError(w, r, "opening", p, formErr)
		return
	}
	s.render(w, r, status, "opening", p)
}

func (s *Server) apply(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, err = s.Openings.Apply(r.Context(), cur.Actor(), id, openings.ApplyInput{
		Kind: openings.ApplicationKind(r.PostForm.Get("kind")), Message: r.PostForm.Get("message"),
		ShareName: r.PostForm.Get("share_name") == "1", ShareContact: r.PostForm.Get("share_contact") == "1",
		ShareWorkplace: r.PostForm.Get("share_workplace") == "1",
	})
	if err != nil {
		s.renderOpening(w, r, 0, &page{}, err)
		return
	}
	s.setFlash(w, "送信しました。医療機関(または担当エージェント)からの連絡をお待ちください。")
	redirect(w, r, "/openings/"+strconv.FormatInt(id, 10))
}

// posterOrgs are the organisations the user may post openings for.
func posterOrgs(cur *httpx.Current) []identity.Grant {
	var out []identity.Grant
	for _, g := range cur.Grants {
		if g.Role == identity.RoleInstitutionStaff || g.Role == identity.RoleAgent {
			out = append(out, g)
		}
	}
	return out
}

func (s *Server) openingFormData(r *http.Request, cur *httpx.Current, o *openings.Opening) (map[string]any, error) {
	data := choices()
	vocab, err := s.Openings.Vocabulary(r.Context())
	if err != nil {
		return nil, err
	}
	data["Vocab"] = vocab.All()
	data["Posters"] = posterOrgs(cur)
	insts, err := s.Views.Institutions(r.Context())
	if err != nil {
		return nil, err
	}
	data["Institutions"] = insts
	data["Opening"] = o
	return data, nil
}

func (s *Server) newOpeningPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	data, err := s.openingFormData(r, cur, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"schedule_kind": {"weekly"}, "pay_unit": {"hourly"}, "answer_student": {"reject"},
		"answer_junior_resident": {"reject"}, "answer_specialty_resident": {"consider"}, "answer_specialist": {"accept"}}
	if posters := posterOrgs(cur); len(posters) > 0 {
		form.Set("poster_org_id", strconv.FormatInt(posters[0].OrgID, 10))
		if posters[0].Role == identity.RoleInstitutionStaff {
			form.Set("institution_id", strconv.FormatInt(posters[0].OrgID, 10))
		}
	}
	s.render(w, r, http.StatusOK, "opening_form", &page{Title: "求人を掲載", Form: form, Data: data})
}

func (s *Server) createOpening(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	o, fields := openingFromForm(r.PostForm)
	o.PosterOrgID, _ = strconv.ParseInt(r.PostForm.Get("poster_org_id"), 10, 64)
	o.InstitutionID, _ = strconv.ParseInt(r.PostForm.Get("institution_id"), 10, 64)
	o.Status = openings.StatusDraft
	if r.PostForm.Get("publish") == "1" {
		o.Status = openings.StatusOpen
	}
	var postErr error
	if len(fields) > 0 {
		postErr = apperr.InvalidFields(fields)
	} else {
		postErr = s.Openings.Post(r.Context(), cur.Actor(), o)
	}
	if postErr != nil {
		data, derr := s.openingFormData(r, cur, nil)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, "opening_form", &page{Title: "求人を掲載", Data: data}, postErr)
		return
	}
	s.setFlash(w, "求人を保存しました。")
	redirect(w, r, "/openings/"+strconv.FormatInt(o.ID, 10))
}

func (s *Server) editOpeningPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o, err := s.Openings.Get(r.Context(), cur.Actor(), id)
	if err == nil && !openings.CanManage(cur.Actor(), o) {
		err = s.Openings.Guard.Check(r.Context(), cur.Actor(), policy.Update, policy.Object{Kind: policy.KindOpening, ID: o.ID, OrgID: o.PosterOrgID})
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := s.openingFormData(r, cur, o)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "opening_form", &page{Title: "求人を編集", Form: openingForm(o), Data: data})
}

func (s *Server) updateOpening(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	o, fields := openingFromForm(r.PostForm)
	o.ID = id
	if len(fields) > 0 {
		err = apperr.InvalidFields(fields)
	} else {
		err = s.Openings.Update(r.Context(), cur.Actor(), o)
	}
	if err != nil {
		if apperr.Is(err, apperr.NotFound) || apperr.Is(err, apperr.Forbidden) {
			s.fail(w, r, err)
			return
		}
		existing, gerr := s.Openings.Get(r.Context(), cur.Actor(), id)
		if gerr != nil {
			s.fail(w, r, gerr)
			return
		}
		data, derr := s.openingFormData(r, cur, existing)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, "opening_form", &page{Title: "求人を編集", Data: data}, err)
		return
	}
	s.setFlash(w, "求人を更新しました。")
	redirect(w, r, "/openings/"+strconv.FormatInt(id, 10))
}

func (s *Server) setOpeningStatus(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	status := openings.Status(r.PostForm.Get("status"))
	if err := s.Openings.SetStatus(r.Context(), cur.Actor(), id, version, status); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "求人を「"+status.Label()+"」にしました。")
	redirect(w, r, "/openings/"+strconv.FormatInt(id, 10))
}

func (s *Server) orgOpenings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	status := openings.Status(r.URL.Query().Get("status"))
	if status == "" {
		status = openings.StatusOpen
	}
	if status != openings.StatusOpen && status != openings.StatusDraft && status != openings.StatusClosed {
		s.fail(w, r, apperr.E(apperr.NotFound, "見つかりません。"))
		return
	}
	s.renderOrgOpenings(w, r, cur, id, status, http.StatusOK, nil)
}

// renderOrgOpenings draws an organisation's openings in one status, the
// applications it received and, after a failed import, what was wrong.
func (s *Server) renderOrgOpenings(w http.ResponseWriter, r *http.Request, cur *httpx.Current, id int64, status openings.Status,
	code int, problems []openings.RowProblem) {
	view, err := s.Views.Org(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, next, err := s.Openings.OrgOpenings(r.Context(), cur.Actor(), id, status, r.URL.Query().Get("after"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	apps, err := s.Openings.OrgApplications(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, code, "org_openings", &page{Title: view.Org.Name + "の求人", Data: map[string]any{
		"Org": view.Org, "Openings": list, "Next": next, "Status": status, "Applications": apps, "ImportProblems": problems,
		"Statuses": []openings.Status{openings.StatusOpen, openings.StatusDraft, openings.StatusClosed}}})
}

func (s *Server) myApplications(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	apps, err := s.Openings.DoctorApplications(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	searches, err := s.Openings.SavedSearches(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "my_applications", &page{Title: "応募と保存した検索", Data: map[string]any{"Applications": apps, "Searches": searches}})
}

func (s *Server) saveSearch(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.Openings.SaveSearch(r.Context(), cur.Actor(), r.PostForm.Get("name"), r.PostForm.Get("query")); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "検索条件を保存しました。新しい求人が掲載されるとお知らせします。")
	redirect(w, r, "/me/applications")
}

func (s *Server) deleteSearch(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.act(w, r, func(id int64) error { return s.Openings.DeleteSavedSearch(r.Context(), cur.Actor(), id) },
		"検索条件を削除しました。", "/me/applications")
}
