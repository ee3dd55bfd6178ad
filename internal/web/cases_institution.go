package web

import (
	"net/http"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/placement"
)

// maxCandidates bounds the cases the candidates page reads in detail.
const maxCandidates = 100

// candidateView is an introduced case as its institution's list shows it.
type candidateView struct {
	Case       placement.Case
	Override   bool
	Interviews int
	// NextInterview is the earliest interview not cancelled and not over.
	NextInterview *time.Time
	Scorecards    int
}

type candidateGroup struct {
	Org   identity.Grant
	Cases []candidateView
}

// institutionCandidates lists the doctors introduced to the user's
// institutions, with their interviews and scorecards.
func (s *Server) institutionCandidates(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	var groups []candidateGroup
	now := s.Placement.Now()
	seen := map[int64]bool{}
	for _, g := range cur.Grants {
		if g.Role != identity.RoleInstitutionStaff || seen[g.OrgID] {
			continue
		}
		seen[g.OrgID] = true
		cases, err := s.Placement.Cases(r.Context(), cur.Actor(), placement.CaseFilter{InstitutionID: g.OrgID, Limit: maxCandidates})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		group := candidateGroup{Org: g}
		for _, c := range cases {
			v, err := s.Placement.View(r.Context(), cur.Actor(), c.ID)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			cv := candidateView{Case: c, Override: c.Override != nil, Scorecards: len(v.Scorecards)}
			for _, iv := range v.Interviews {
				if iv.CancelledAt != nil {
					continue
				}
				cv.Interviews++
				if iv.EndsAt.After(now) && (cv.NextInterview == nil || iv.StartsAt.Before(*cv.NextInterview)) {
					t := iv.StartsAt
					cv.NextInterview = &t
				}
			}
			group.Cases = append(group.Cases, cv)
		}
		groups = append(groups, group)
	}
	if len(groups) == 0 {
		s.fail(w, r, apperr.E(apperr.NotFound, "この画面は医療機関のスタッフのための画面です。"))
		return
	}
	s.render(w, r, http.StatusOK, "institution_candidates", &page{Title: "紹介された医師", Data: map[string]any{"Groups": groups}})
}
