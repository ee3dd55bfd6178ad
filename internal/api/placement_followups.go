package api

import (
	"net/http"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/placement"
)

func (s *Server) followUps(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := placement.FollowUpFilter{AgencyID: id}
	for _, v := range splitValues(r, "status") {
		st := placement.FollowUpStatus(v)
		if !st.Valid() {
			return apperr.InvalidFields(map[string]string{"status": "waiting, due, done, cancelled のいずれかを指定してください。"})
		}
		f.Statuses = append(f.Statuses, st)
	}
	if f.AgentID, err = queryInt(r, "agent"); err != nil {
		return err
	}
	if f.LeadID, err = queryInt(r, "lead"); err != nil {
		return err
	}
	list, err := s.Placement.FollowUps(r.Context(), cur.Actor(), f)
	if err != nil {
		return err
	}
	out := []followUpJSON{}
	for i := range list {
		out = append(out, toFollowUpJSON(&list[i]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"follow_ups": out})
}

// createFollowUp sets a reminder about a case (case_id) or a lead
// (lead_id): due on a date, or when the doctor's career reaches the
// trigger. One whose event has already happened is due at once.
func (s *Server) createFollowUp(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		CaseID  int64       `json:"case_id"`
		LeadID  int64       `json:"lead_id"`
		Trigger triggerJSON `json:"trigger"`
		Note    string      `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if (in.CaseID > 0) == (in.LeadID > 0) {
		msg := "案件(case_id)かリード(lead_id)のどちらか一方を指定してください。"
		return apperr.InvalidFields(map[string]string{"case_id": msg, "lead_id": msg})
	}
	f := &placement.FollowUp{CaseID: in.CaseID, LeadID: in.LeadID, Note: in.Note, Trigger: placement.Trigger{Kind: in.Trigger.Kind,
		Date: in.Trigger.Date, Stage: career.Stage(in.Trigger.Stage), Specialty: in.Trigger.Specialty, Years: in.Trigger.Years}}
	if err := s.Placement.CreateFollowUp(r.Context(), cur.Actor(), f); err != nil {
		return renameFields(err, func(k string) string {
			if rest, ok := strings.CutPrefix(k, "trigger_"); ok {
				return "trigger." + rest
			}
			return k
		})
	}
	// Read it back: it may have fired already.
	list, err := s.Placement.FollowUps(r.Context(), cur.Actor(), placement.FollowUpFilter{AgencyID: f.AgencyID, LeadID: f.LeadID})
	if err != nil {
		return err
	}
	for i := range list {
		if list[i].ID == f.ID {
			f = &list[i]
		}
	}
	return writeJSON(w, http.StatusCreated, toFollowUpJSON(f))
}

// finishFollowUp marks a follow-up done or cancelled.
func (s *Server) finishFollowUp(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Status placement.FollowUpStatus `json:"status"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Status != placement.FollowUpDone && in.Status != placement.FollowUpCancelled {
		return apperr.InvalidFields(map[string]string{"status": "done か cancelled を指定してください。"})
	}
	if err := s.Placement.FinishFollowUp(r.Context(), cur.Actor(), id, in.Status); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// reopenFollowUp reopens the follow-up's case for a new round and marks
// the follow-up done, in one step.
func (s *Server) reopenFollowUp(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Placement.ReopenFromFollowUp(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return s.writeCaseView(w, r, cur, c.ID, http.StatusOK)
}
