package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/policy"
)

// agencyPage is the agency an agent's page is about, among the agencies
// the agent works for.
type agencyPage struct {
	Grant identity.Grant
	All   []identity.Grant
}

// ID is the agency's organisation ID.
func (a agencyPage) ID() int64 { return a.Grant.OrgID }

// Link returns path for this agency: with ?org= only when the agent works
// for several, so that the usual single-agency links stay short.
func (a agencyPage) Link(path string) string {
	if len(a.All) < 2 {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "org=" + strconv.FormatInt(a.Grant.OrgID, 10)
}

// agentGrants are the agencies the user works for as an agent.
func agentGrants(cur *httpx.Current) []identity.Grant {
	var out []identity.Grant
	for _, g := range cur.Grants {
		if g.Role == identity.RoleAgent && g.OrgKind == identity.OrgAgency &&
			!slices.ContainsFunc(out, func(o identity.Grant) bool { return o.OrgID == g.OrgID }) {
			out = append(out, g)
		}
	}
	return out
}

// agencyOf picks the agency of an agent's page: the one named by the org
// parameter (query or form), else the first. Not an agent, or an agency the
// user does not work for, is a 404.
func agencyOf(r *http.Request, cur *httpx.Current) (agencyPage, error) {
	all := agentGrants(cur)
	if len(all) == 0 {
		return agencyPage{}, apperr.E(apperr.NotFound, "この画面は人材紹介エージェントのための画面です。")
	}
	want := r.URL.Query().Get("org")
	if r.PostForm != nil && r.PostForm.Get("org") != "" {
		want = r.PostForm.Get("org")
	}
	if want == "" {
		return agencyPage{Grant: all[0], All: all}, nil
	}
	id, err := strconv.ParseInt(want, 10, 64)
	if err == nil {
		for _, g := range all {
			if g.OrgID == id {
				return agencyPage{Grant: g, All: all}, nil
			}
		}
	}
	return agencyPage{}, apperr.E(apperr.NotFound, "見つかりません。")
}

// mineOnly reads the 担当者 filter: "me" keeps the signed-in agent's.
func mineOnly(q url.Values, cur *httpx.Current) int64 {
	if q.Get("agent") == "me" {
		return cur.User.ID
	}
	return 0
}

// boardCard is one case on the board.
type boardCard struct {
	Case        placement.Case
	DaysInStage int
	// Next is the stage the card's button moves the case to; "" when the
	// move needs the case page (the introduction) or there is none.
	Next placement.Stage
}

type boardColumn struct {
	Stage placement.Stage
	Cards []boardCard
}

// recentOutcomes is how many closed cases the board lists.
const recentOutcomes = 20

func (s *Server) agencyBoard(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ag, err := agencyOf(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	actor := cur.Actor()
	f := placement.CaseFilter{AgencyID: ag.ID(), AgentID: mineOnly(q, cur), Query: q.Get("q")}
	open := f
	open.Stages = placement.PipelineStages
	board, err := s.Placement.Board(r.Context(), actor, open)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	closed := f
	closed.Stages = placement.OutcomeStages
	closedBoard, err := s.Placement.Board(r.Context(), actor, closed)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.Placement.Now()
	card := func(c placement.Case) boardCard {
		bc := boardCard{Case: c, DaysInStage: daysSince(c.StageChangedAt, now)}
		if next := c.Stage.Next(); next != "" && next != placement.StageIntroduced {
			bc.Next = next
		}
		return bc
	}
	var columns []boardColumn
	for _, st := range placement.PipelineStages {
		col := boardColumn{Stage: st}
		list := board[st]
		slices.SortStableFunc(list, func(a, b placement.Case) int { return a.StageChangedAt.Compare(b.StageChangedAt) })
		for _, c := range list {
			col.Cards = append(col.Cards, card(c))
		}
		columns = append(columns, col)
	}
	var outcomes []boardCard
	for _, list := range closedBoard {
		for _, c := range list {
			outcomes = append(outcomes, card(c))
		}
	}
	slices.SortFunc(outcomes, func(a, b boardCard) int {
		return cmp.Or(b.Case.StageChangedAt.Compare(a.Case.StageChangedAt), cmp.Compare(b.Case.ID, a.Case.ID))
	})
	outcomes = outcomes[:min(len(outcomes), recentOutcomes)]
	data := map[string]any{"Agency": ag, "Columns": columns, "Outcomes": outcomes, "Query": q}
	if text := strings.TrimSpace(q.Get("q")); text != "" {
		leads, err := s.Placement.Leads(r.Context(), actor, placement.LeadFilter{AgencyID: ag.ID(), Query: text, AgentID: f.AgentID, Limit: 50})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data["Leads"] = leads
		data["Searched"] = true
	}
	s.render(w, r, http.StatusOK, "agency_board", &page{Title: "案件ボード", Form: q, Data: data})
}

// daysSince counts whole days from t to now, never below 0.
func daysSince(t, now time.Time) int {
	if t.IsZero() || now.Before(t) {
		return 0
	}
	return int(now.Sub(t).Hours() / 24)
}

func (s *Server) agencySettings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ag, err := agencyOf(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a, err := s.Placement.Agency(r.Context(), cur.Actor(), ag.ID())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"purpose_text": {a.PurposeText}, "retention_days": {strconv.Itoa(a.RetentionDays)}}
	if a.FormEnabled {
		form.Set("form_enabled", "1")
	}
	s.render(w, r, http.StatusOK, "agency_settings", &page{Title: "紹介会社の設定", Form: form, Data: s.agencySettingsData(cur, ag, a)})
}

func (s *Server) agencySettingsData(cur *httpx.Current, ag agencyPage, a *placement.Agency) map[string]any {
	canEdit := policy.Decide(cur.Actor(), policy.Update, policy.Object{Kind: policy.KindAgency, ID: ag.ID(), OrgID: ag.ID()}).Allow
	return map[string]any{"Agency": ag, "Settings": a, "CanEdit": canEdit,
		"FormURL": s.BaseURL + "/agencies/" + strconv.FormatInt(ag.ID(), 10) + "/contact"}
}

func (s *Server) saveAgencySettings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	ag, err := agencyOf(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := &placement.Agency{OrgID: ag.ID(), PurposeText: r.PostForm.Get("purpose_text"), FormEnabled: r.PostForm.Get("form_enabled") == "1"}
	days, perr := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("retention_days")))
	if perr != nil {
		err = invalid(map[string]string{"retention_days": "保存期間は30〜3650日の数字で指定してください。"})
	} else {
		in.RetentionDays = days
		err = s.Placement.SaveAgency(r.Context(), cur.Actor(), in)
	}
	if err != nil {
		a, aerr := s.Placement.Agency(r.Context(), cur.Actor(), ag.ID())
		if aerr != nil {
			s.fail(w, r, aerr)
			return
		}
		s.formError(w, r, "agency_settings", &page{Title: "紹介会社の設定", Data: s.agencySettingsData(cur, ag, a)}, err)
		return
	}
	s.setFlash(w, "設定を保存しました。")
	redirect(w, r, ag.Link("/agency/settings"))
}

func (s *Server) agencyFollowUps(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ag, err := agencyOf(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := placement.FollowUpFilter{AgencyID: ag.ID(), AgentID: mineOnly(q, cur)}
	list := func(status placement.FollowUpStatus) ([]placement.FollowUp, error) {
		f := f
		f.Statuses = []placement.FollowUpStatus{status}
		return s.Placement.FollowUps(r.Context(), cur.Actor(), f)
	}
	due, err := list(placement.FollowUpDue)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	waiting, err := list(placement.FollowUpWaiting)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agency_followups", &page{Title: "フォローアップ", Form: q,
		Data: map[string]any{"Agency": ag, "Due": due, "Waiting": waiting}})
}

// finishFollowUp marks a follow-up done or cancelled, then goes back to
// where the button was.
func (s *Server) finishFollowUp(to placement.FollowUpStatus, flash string) func(http.ResponseWriter, *http.Request, *httpx.Current) {
	return func(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
		if err := parseForm(r); err != nil {
			s.fail(w, r, err)
			return
		}
		s.act(w, r, func(id int64) error { return s.Placement.FinishFollowUp(r.Context(), cur.Actor(), id, to) },
			flash, localPath(r.PostForm.Get("return"), "/agency/follow-ups"))
	}
}

func (s *Server) reopenFromFollowUp(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c, err := s.Placement.ReopenFromFollowUp(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "案件を再開しました（"+strconv.Itoa(c.Round)+"回目）。面談から進めてください。")
	redirect(w, r, casePath(c.ID))
}

// grantOf returns the user's agent grant for the agency.
func grantOf(cur *httpx.Current, agencyID int64) identity.Grant {
	for _, g := range agentGrants(cur) {
		if g.OrgID == agencyID {
			return g
		}
	}
	return identity.Grant{OrgID: agencyID}
}
