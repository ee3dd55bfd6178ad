package web

import (
	"net/http"

	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/placement"
)

// maxMyCases bounds the cases the doctor's page reads in detail.
const maxMyCases = 100

// myCaseView is one of the doctor's cases with what was shared.
type myCaseView struct {
	Case   placement.Case
	Shares []placement.Share
}

// myCases shows the doctor their cases, what each shared with whom and
// when, and the agencies that hold their data with the consent given.
func (s *Server) myCases(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ctx, actor := r.Context(), cur.Actor()
	cases, err := s.Placement.Cases(ctx, actor, placement.CaseFilter{Limit: maxMyCases})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var views []myCaseView
	for _, c := range cases {
		v, err := s.Placement.View(ctx, actor, c.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		views = append(views, myCaseView{Case: c, Shares: v.Shares})
	}
	agencies, err := s.Placement.MyLeads(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "my_cases", &page{Title: "紹介とエージェント", Data: map[string]any{"Cases": views, "Agencies": agencies}})
}

// setMyConsent gives or withdraws the doctor's consent to an agency: the
// purpose of use, and separately health details.
func (s *Server) setMyConsent(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	purpose, health := r.PostForm.Get("purpose") == "1", r.PostForm.Get("health") == "1"
	var flash string
	switch {
	case !purpose:
		flash = "同意を撤回しました。紹介会社はあなたの情報を新たに医療機関へ提供できません。"
	case health:
		flash = "利用目的と、健康に関する情報の取り扱いに同意しました。"
	default:
		flash = "利用目的に同意しました（健康に関する情報の取り扱いには同意していません）。"
	}
	s.act(w, r, func(id int64) error {
		_, err := s.Placement.SetConsent(r.Context(), cur.Actor(), id, purpose, health)
		return err
	}, flash, "/me/cases#agency-"+r.PathValue("id"))
}
