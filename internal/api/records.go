package api

import (
	"net/http"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/records"
)

// Confidential 面談記録, the sharing agreements that let another
// organisation read them, the doctor's consent to health topics and the
// doctor's view of who read what. A listing carries metadata only; the
// notes come back from GET /records/{id}, which the service audits about
// the doctor. A record the caller may not read is 404, whether or not it
// exists.

// recordJSON is a record's metadata; the confidential fields are set only
// when one record is opened.
type recordJSON struct {
	ID            int64           `json:"id"`
	OrgID         int64           `json:"org_id"`
	DoctorID      int64           `json:"doctor_id"`
	AuthorID      int64           `json:"author_id"`
	AuthorName    string          `json:"author_name"`
	HeldOn        string          `json:"held_on"`
	Mode          records.Mode    `json:"mode"`
	Attendees     []string        `json:"attendees"`
	Topics        []records.Topic `json:"topics"`
	Notes         *string         `json:"notes,omitempty"`
	AgreedActions *string         `json:"agreed_actions,omitempty"`
	HealthNotes   *string         `json:"health_notes,omitempty"`
	NextMeeting   *string         `json:"next_meeting"`
	Version       int             `json:"version"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
}

// toRecordJSON returns the record; opened adds its confidential fields.
func toRecordJSON(r *records.Record, opened bool) recordJSON {
	out := recordJSON{ID: r.ID, OrgID: r.OrgID, DoctorID: r.DoctorID, AuthorID: r.AuthorID, AuthorName: r.AuthorName,
		HeldOn: r.HeldOn.Format(time.DateOnly), Mode: r.Mode, Attendees: nonNil(r.Attendees), Topics: nonNil(r.Topics),
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	if r.NextMeeting != nil {
		d := r.NextMeeting.Format(time.DateOnly)
		out.NextMeeting = &d
	}
	if opened {
		out.Notes, out.AgreedActions, out.HealthNotes = &r.Notes, &r.AgreedActions, &r.HealthNotes
	}
	return out
}

// recordInput is the body of POST /records and PUT /records/{id}.
type recordInput struct {
	OrgID         int64           `json:"org_id"`
	DoctorID      int64           `json:"doctor_id"`
	HeldOn        string          `json:"held_on"`
	Mode          records.Mode    `json:"mode"`
	Attendees     []string        `json:"attendees"`
	Topics        []records.Topic `json:"topics"`
	Notes         string          `json:"notes"`
	AgreedActions string          `json:"agreed_actions"`
	HealthNotes   string          `json:"health_notes"`
	NextMeeting   string          `json:"next_meeting"`
	Version       *int            `json:"version"`
}

// record parses the dates; a malformed one is a field error.
func (in recordInput) record() (*records.Record, error) {
	r := &records.Record{OrgID: in.OrgID, DoctorID: in.DoctorID, Mode: in.Mode, Attendees: in.Attendees, Topics: in.Topics,
		Notes: in.Notes, AgreedActions: in.AgreedActions, HealthNotes: in.HealthNotes}
	fields := map[string]string{}
	if in.HeldOn != "" {
		d, err := records.ParseDay(in.HeldOn)
		if err != nil {
			fields["held_on"] = "面談日は YYYY-MM-DD の形式で指定してください。"
		}
		r.HeldOn = d
	}
	if in.NextMeeting != "" {
		d, err := records.ParseDay(in.NextMeeting)
		if err != nil {
			fields["next_meeting"] = "次回面談日は YYYY-MM-DD の形式で指定してください。"
		}
		r.NextMeeting = &d
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	return r, nil
}

type agreementJSON struct {
	ID           int64           `json:"id"`
	OrgID        int64           `json:"org_id"`
	PartnerOrgID int64           `json:"partner_org_id"`
	Roles        []identity.Role `json:"roles"`
	Topics       []records.Topic `json:"topics"`
	Purpose      string          `json:"purpose"`
	Active       bool            `json:"active"`
	CreatedAt    time.Time       `json:"created_at"`
	RevokedAt    *time.Time      `json:"revoked_at"`
}

func toAgreementJSON(a *records.Agreement) agreementJSON {
	return agreementJSON{ID: a.ID, OrgID: a.OrgID, PartnerOrgID: a.PartnerOrgID, Roles: nonNil(a.Roles), Topics: nonNil(a.Topics),
		Purpose: a.Purpose, Active: a.Active(), CreatedAt: a.CreatedAt, RevokedAt: a.RevokedAt}
}

// Records.

func (s *Server) listRecords(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	doctor, err := queryInt(r, "doctor")
	if err != nil {
		return err
	}
	org, err := queryInt(r, "org")
	if err != nil {
		return err
	}
	list, err := s.Records.List(r.Context(), cur.Actor(), doctor)
	if err != nil {
		return err
	}
	out := []recordJSON{}
	for i := range list {
		if org == 0 || list[i].OrgID == org {
			out = append(out, toRecordJSON(&list[i], false))
		}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"records": out})
}

func (s *Server) createRecord(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in recordInput
	if err := decode(r, &in); err != nil {
		return err
	}
	rec, err := in.record()
	if err != nil {
		return err
	}
	got, err := s.Records.Create(r.Context(), cur.Actor(), rec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toRecordJSON(got, true))
}

// getRecord opens a record; the service writes the read to the audit log
// about the doctor before the notes leave it.
func (s *Server) getRecord(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	got, err := s.Records.Get(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRecordJSON(got, true))
}

func (s *Server) updateRecord(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in recordInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("面談記録")
	}
	rec, err := in.record()
	if err != nil {
		return err
	}
	rec.ID, rec.Version = id, *in.Version
	got, err := s.Records.Update(r.Context(), cur.Actor(), rec)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRecordJSON(got, true))
}

// Sharing agreements.

func (s *Server) agreements(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Records.Agreements(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	out := make([]agreementJSON, len(list))
	for i := range list {
		out[i] = toAgreementJSON(&list[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"agreements": out})
}

func (s *Server) createAgreement(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		PartnerOrgID int64           `json:"partner_org_id"`
		Roles        []identity.Role `json:"roles"`
		Topics       []records.Topic `json:"topics"`
		Purpose      string          `json:"purpose"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	a, err := s.Records.CreateAgreement(r.Context(), cur.Actor(), &records.Agreement{OrgID: id, PartnerOrgID: in.PartnerOrgID,
		Roles: in.Roles, Topics: in.Topics, Purpose: in.Purpose})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toAgreementJSON(a))
}

// revokeAgreement ends an agreement; revoking an ended one does nothing.
func (s *Server) revokeAgreement(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Records.RevokeAgreement(r.Context(), cur.Actor(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// The doctor's consents and audit trail.

type recordConsentJSON struct {
	OrgID       int64      `json:"org_id"`
	GivenAt     time.Time  `json:"given_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at"`
}

func (s *Server) myRecordConsents(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Records.Consents(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	out := make([]recordConsentJSON, len(list))
	for i, c := range list {
		out[i] = recordConsentJSON{OrgID: c.OrgID, GivenAt: c.GivenAt, WithdrawnAt: c.WithdrawnAt}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"consents": out})
}

func (s *Server) giveRecordConsent(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		OrgID int64 `json:"org_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.OrgID <= 0 {
		return apperr.InvalidFields(map[string]string{"org_id": "同意する組織のIDを指定してください。"})
	}
	if err := s.Records.GiveConsent(r.Context(), cur.Actor(), in.OrgID); err != nil {
		return err
	}
	return s.myRecordConsents(w, r, cur)
}

func (s *Server) withdrawRecordConsent(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	org, err := pathInt(r, "org")
	if err != nil {
		return err
	}
	if err := s.Records.WithdrawConsent(r.Context(), cur.Actor(), org); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// myRecordReads is the doctor's own trail: who read which of their
// records, and when, latest first.
func (s *Server) myRecordReads(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Records.AuditTrail(r.Context(), cur.Actor(), cur.User.ID)
	if err != nil {
		return err
	}
	type readJSON struct {
		At        time.Time `json:"at"`
		ReaderID  int64     `json:"reader_id"`
		Reader    string    `json:"reader"`
		RecordID  int64     `json:"record_id"`
		Detail    string    `json:"detail"`
		RequestID string    `json:"request_id"`
	}
	out := make([]readJSON, len(list))
	for i, a := range list {
		out[i] = readJSON{At: a.At, ReaderID: a.ReaderID, Reader: a.Reader, RecordID: a.RecordID, Detail: a.Detail, RequestID: a.RequestID}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"reads": out})
}
