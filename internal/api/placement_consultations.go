package api

import (
	"net/http"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/placement"
)

// consultations lists the lead's 面談 without their notes.
func (s *Server) consultations(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Placement.Consultations(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	out := []consultationJSON{}
	for i := range list {
		out = append(out, toConsultationJSON(&list[i]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"consultations": out})
}

// scheduleConsultation plans a 面談 with the lead; for a case still at the
// lead stage, the case moves to consultation.
func (s *Server) scheduleConsultation(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		CaseID      int64          `json:"case_id"`
		Mode        placement.Mode `json:"mode"`
		ScheduledAt string         `json:"scheduled_at"`
		Place       string         `json:"place"`
		MeetingURL  string         `json:"meeting_url"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	fields := map[string]string{}
	c := &placement.Consultation{LeadID: id, CaseID: in.CaseID, Mode: in.Mode, ScheduledAt: parseTime(fields, "scheduled_at", in.ScheduledAt),
		Place: in.Place, MeetingURL: in.MeetingURL}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	if err := s.Placement.ScheduleConsultation(r.Context(), cur.Actor(), c); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toConsultationJSON(c))
}

// getConsultation returns one 面談 with its notes, decrypted; the service
// writes each such read to the audit log about the doctor.
func (s *Server) getConsultation(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	c, err := s.Placement.Consultation(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toConsultationNotesJSON(c))
}

func toConsultationNotesJSON(c *placement.Consultation) consultationNotesJSON {
	return consultationNotesJSON{consultationJSON: toConsultationJSON(c), Notes: c.Notes, Impression: c.Impression,
		Wishes: c.Wishes, HealthNotes: c.HealthNotes}
}

// recordConsultation writes what was said in a 面談, replacing the whole
// record: the schedule and every confidential field.
func (s *Server) recordConsultation(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Mode        placement.Mode `json:"mode"`
		ScheduledAt string         `json:"scheduled_at"`
		Place       string         `json:"place"`
		MeetingURL  string         `json:"meeting_url"`
		Notes       string         `json:"notes"`
		Impression  string         `json:"impression"`
		Wishes      string         `json:"wishes"`
		HealthNotes string         `json:"health_notes"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	fields := map[string]string{}
	c := &placement.Consultation{ID: id, Mode: in.Mode, ScheduledAt: parseTime(fields, "scheduled_at", in.ScheduledAt),
		Place: in.Place, MeetingURL: in.MeetingURL, Notes: in.Notes, Impression: in.Impression, Wishes: in.Wishes,
		HealthNotes: in.HealthNotes}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	saved, err := s.Placement.RecordConsultation(r.Context(), cur.Actor(), c)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toConsultationNotesJSON(saved))
}
