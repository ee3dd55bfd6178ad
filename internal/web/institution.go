package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/policy"
)

func institutionForm(in *openings.Institution) url.Values {
	return url.Values{"kind": {string(in.Kind)}, "beds": {strconv.Itoa(in.Beds)}, "prefecture": {in.Prefecture},
		"city": {in.City}, "address": {in.Address}, "medical_area": {in.MedicalArea}, "departments": {joinComma(in.Departments)},
		"motto": {in.Motto}, "values": {in.Values}}
}

func (s *Server) institutionPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in, err := s.Openings.Institution(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	actor := s.actor(r)
	canEdit := policy.Decide(actor, policy.Update, policy.Object{Kind: policy.KindOrganisation, ID: id, OrgID: id}).Allow
	s.render(w, r, http.StatusOK, "institution", &page{Title: in.Name, Form: institutionForm(in),
		Data: map[string]any{"Institution": in, "CanEdit": canEdit, "Prefectures": career.Prefectures}})
}

func (s *Server) saveInstitution(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	fields := map[string]string{}
	in := &openings.Institution{OrgID: id, Kind: openings.InstitutionKind(r.PostForm.Get("kind")), Prefecture: r.PostForm.Get("prefecture"),
		City: r.PostForm.Get("city"), Address: r.PostForm.Get("address"), MedicalArea: r.PostForm.Get("medical_area"),
		Departments: splitComma(r.PostForm.Get("departments")), Motto: r.PostForm.Get("motto"), Values: r.PostForm.Get("values")}
	in.Beds = int(yen(r.PostForm.Get("beds"), "beds", fields))
	if len(fields) == 0 {
		err = s.Openings.SaveInstitution(r.Context(), cur.Actor(), in)
	}
	if err != nil || len(fields) > 0 {
		cur2, gerr := s.Openings.Institution(r.Context(), id)
		if gerr != nil {
			s.fail(w, r, gerr)
			return
		}
		if err == nil {
			err = invalid(fields)
		}
		s.formError(w, r, "institution", &page{Title: cur2.Name, Data: map[string]any{"Institution": cur2, "CanEdit": true,
			"Prefectures": career.Prefectures}}, err)
		return
	}
	s.setFlash(w, "医療機関の情報を保存しました。")
	redirect(w, r, "/institutions/"+strconv.FormatInt(id, 10))
}
