package api

import (
	"net/http"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/reqinfo"
)

// caseFilter reads the list filters shared by the case lists: stage
// (repeated or comma-separated), agent and q.
func caseFilter(r *http.Request) (placement.CaseFilter, error) {
	var f placement.CaseFilter
	for _, v := range splitValues(r, "stage") {
		st := placement.Stage(v)
		if !st.Valid() {
			return f, apperr.InvalidFields(map[string]string{"stage": "段階は lead, consultation, check_items, introduced, interview, review, placed, withdrawn_by_doctor, declined_by_institution, withdrawn_by_agent, on_hold から指定してください。"})
		}
		f.Stages = append(f.Stages, st)
	}
	var err error
	if f.AgentID, err = queryInt(r, "agent"); err != nil {
		return f, err
	}
	f.Query = r.URL.Query().Get("q")
	return f, nil
}

func (s *Server) agencyCases(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := caseFilter(r)
	if err != nil {
		return err
	}
	f.AgencyID = id
	list, err := s.Placement.Cases(r.Context(), cur.Actor(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, caseList(list, placement.PartyAgent))
}

// institutionCases lists the candidates introduced to the institution.
func (s *Server) institutionCases(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f, err := caseFilter(r)
	if err != nil {
		return err
	}
	list, err := s.Placement.Cases(r.Context(), cur.Actor(), placement.CaseFilter{InstitutionID: id, Stages: f.Stages, Query: f.Query})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, caseList(list, placement.PartyInstitution))
}

func (s *Server) myCases(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	f, err := caseFilter(r)
	if err != nil {
		return err
	}
	list, err := s.Placement.Cases(r.Context(), cur.Actor(), placement.CaseFilter{Stages: f.Stages})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, caseList(list, placement.PartyDoctor))
}

// writeCaseView answers with the case as the caller's party sees it.
func (s *Server) writeCaseView(w http.ResponseWriter, r *http.Request, cur *httpx.Current, id int64, status int) error {
	v, err := s.Placement.View(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, status, toCaseViewJSON(v))
}

func (s *Server) openCase(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		LeadID    int64 `json:"lead_id"`
		OpeningID int64 `json:"opening_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	fields := map[string]string{}
	if in.LeadID <= 0 {
		fields["lead_id"] = "リードのIDを指定してください。"
	}
	if in.OpeningID <= 0 {
		fields["opening_id"] = "求人のIDを指定してください。"
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	c, err := s.Placement.OpenCase(r.Context(), cur.Actor(), in.LeadID, in.OpeningID)
	if err != nil {
		return err
	}
	return s.writeCaseView(w, r, cur, c.ID, http.StatusCreated)
}

func (s *Server) getCase(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.writeCaseView(w, r, cur, id, http.StatusOK)
}

// needVersion is the error for a write that does not say which version of
// the case it saw.
func needVersion() error {
	return apperr.InvalidFields(map[string]string{"version": "取得した案件の version を指定してください。"})
}

// moveCase moves a case to another stage or an outcome. A stale version is
// 409; a move the case is not ready for (the readiness gate without an
// override, a missing consultation or interview) is 422; malformed input
// is 400.
func (s *Server) moveCase(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Version        int              `json:"version"`
		To             placement.Stage  `json:"to"`
		Reason         placement.Reason `json:"reason"`
		Note           string           `json:"note"`
		StartDate      string           `json:"start_date"`
		Recommendation string           `json:"recommendation"`
		OverrideReason string           `json:"override_reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version <= 0 {
		return needVersion()
	}
	if !in.To.Valid() {
		return apperr.InvalidFields(map[string]string{"to": "移す先の段階を指定してください。"})
	}
	_, err = s.Placement.Move(r.Context(), cur.Actor(), id, placement.Move{Version: in.Version, To: in.To, Reason: in.Reason,
		Note: in.Note, StartDate: in.StartDate, Recommendation: in.Recommendation, OverrideReason: in.OverrideReason})
	if notReady(err) {
		s.notReady(w, r, cur, id, err)
		return nil
	}
	if err != nil {
		return err
	}
	return s.writeCaseView(w, r, cur, id, http.StatusOK)
}

// notReady reports whether a move failed on the case's state rather than
// on its input: an Invalid error without fields (a precondition), or one
// that asks only for the gate's override reason.
func notReady(err error) bool {
	if !apperr.Is(err, apperr.Invalid) {
		return false
	}
	fields := apperr.FieldsOf(err)
	_, gate := fields["override_reason"]
	return len(fields) == 0 || (len(fields) == 1 && gate)
}

// notReady writes 422 problem+json. When the readiness gate refused the
// introduction, the detail lists what it found, so the agent can fix it or
// write the override reason.
func (s *Server) notReady(w http.ResponseWriter, r *http.Request, cur *httpx.Current, id int64, err error) {
	detail := apperr.MessageOf(err)
	fields := apperr.FieldsOf(err)
	if _, gate := fields["override_reason"]; gate {
		if v, verr := s.Placement.View(r.Context(), cur.Actor(), id); verr == nil && len(v.Problems) > 0 {
			detail = "紹介の前に確認できていない点があります。それでも紹介する場合は override_reason に理由を書いてください。\n・" +
				strings.Join(v.Problems, "\n・")
		} else {
			detail = fields["override_reason"]
		}
	}
	WriteProblem(w, Problem{Type: "https://hakui.example/problems/not_ready", Title: http.StatusText(http.StatusUnprocessableEntity),
		Status: http.StatusUnprocessableEntity, Detail: detail, Instance: r.URL.Path, Code: apperr.Invalid,
		RequestID: reqinfo.From(r.Context()).RequestID, Errors: fields})
}

// reopenCase starts a new round of a closed case, or resumes a held one.
func (s *Server) reopenCase(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Version int `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version <= 0 {
		return needVersion()
	}
	if _, err := s.Placement.Reopen(r.Context(), cur.Actor(), id, in.Version); err != nil {
		return err
	}
	return s.writeCaseView(w, r, cur, id, http.StatusOK)
}

// confirmItems records what the agent confirmed with the doctor: each item
// listed gets the status and note given (an omitted note clears it), and
// the labels in add become new required items.
func (s *Server) confirmItems(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Version int `json:"version"`
		Items   []struct {
			ID     int64                `json:"id"`
			Status placement.ItemStatus `json:"status"`
			Note   string               `json:"note"`
		} `json:"items"`
		Add []string `json:"add"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version <= 0 {
		return needVersion()
	}
	var updates []placement.ItemUpdate
	for _, it := range in.Items {
		updates = append(updates, placement.ItemUpdate{ID: it.ID, Status: it.Status, Note: it.Note})
	}
	if _, err := s.Placement.ConfirmItems(r.Context(), cur.Actor(), id, in.Version, updates, in.Add); err != nil {
		return renameFields(err, func(k string) string {
			switch {
			case k == "added":
				return "add"
			case strings.HasPrefix(k, "item_"):
				return "items." + strings.TrimPrefix(k, "item_") + ".status"
			case strings.HasPrefix(k, "note_"):
				return "items." + strings.TrimPrefix(k, "note_") + ".note"
			}
			return k
		})
	}
	return s.writeCaseView(w, r, cur, id, http.StatusOK)
}

// reviewCase records the caller's side of the 振り返り (doctor or agent).
func (s *Server) reviewCase(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Version int               `json:"version"`
		Verdict placement.Verdict `json:"verdict"`
		Note    string            `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version <= 0 {
		return needVersion()
	}
	if _, err := s.Placement.RecordReview(r.Context(), cur.Actor(), id, in.Version,
		placement.Conclusion{Verdict: in.Verdict, Note: in.Note}); err != nil {
		return err
	}
	return s.writeCaseView(w, r, cur, id, http.StatusOK)
}
