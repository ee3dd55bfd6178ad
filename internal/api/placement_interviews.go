package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/placement"
)

// scheduleInterview plans a 面接 for an introduced case; the invitations
// (.ics) go to the parties, and a case at introduced moves to interview.
func (s *Server) scheduleInterview(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Version      int               `json:"version"`
		StartsAt     string            `json:"starts_at"`
		EndsAt       string            `json:"ends_at"`
		Mode         placement.Mode    `json:"mode"`
		Place        string            `json:"place"`
		MeetingURL   string            `json:"meeting_url"`
		Participants []participantJSON `json:"participants"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version <= 0 {
		return needVersion()
	}
	fields := map[string]string{}
	iv := &placement.Interview{CaseID: id, StartsAt: parseTime(fields, "starts_at", in.StartsAt),
		EndsAt: parseTime(fields, "ends_at", in.EndsAt), Mode: in.Mode, Place: in.Place, MeetingURL: in.MeetingURL}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	for _, p := range in.Participants {
		iv.Participants = append(iv.Participants, placement.Participant{Name: p.Name, Email: p.Email, Role: p.Role})
	}
	saved, err := s.Placement.ScheduleInterview(r.Context(), cur.Actor(), iv, in.Version)
	if err != nil {
		return err
	}
	// The caller scheduled it: agent or institution, who may see every
	// address they entered.
	return writeJSON(w, http.StatusCreated, toInterviewJSON(saved, placement.PartyAgent))
}

// interviewICS returns the interview as an iCalendar file (a cancellation
// once cancelled), for any party of the case.
func (s *Server) interviewICS(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	iv, ics, err := s.Placement.InterviewICS(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	method := "REQUEST"
	if iv.CancelledAt != nil {
		method = "CANCEL"
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8; method="+method)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="interview-%d.ics"`, iv.ID))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(ics)
	return nil
}

func (s *Server) cancelInterview(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Placement.CancelInterview(r.Context(), cur.Actor(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// submitScorecard records the institution's feedback on an interview:
// scores maps check item IDs to 1..5.
func (s *Server) submitScorecard(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Scores  map[string]int           `json:"scores"`
		Overall placement.Recommendation `json:"overall"`
		Comment string                   `json:"comment"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	sc := &placement.Scorecard{InterviewID: id, Scores: map[int64]int{}, Overall: in.Overall, Comment: in.Comment}
	for k, v := range in.Scores {
		item, err := strconv.ParseInt(k, 10, 64)
		if err != nil || item <= 0 {
			return apperr.InvalidFields(map[string]string{"scores": "評価の項目は確認事項のIDで指定してください。"})
		}
		sc.Scores[item] = v
	}
	if err := s.Placement.SubmitScorecard(r.Context(), cur.Actor(), sc); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toScorecardJSON(sc))
}
