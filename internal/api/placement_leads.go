package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/placement"
)

// agencySettingsJSON is an agency's pipeline settings.
type agencySettingsJSON struct {
	ID            int64      `json:"id"`
	Name          string     `json:"name"`
	PurposeText   string     `json:"purpose_text"`
	PurposeHash   string     `json:"purpose_hash"`
	RetentionDays int        `json:"retention_days"`
	FormEnabled   bool       `json:"form_enabled"`
	UpdatedAt     *time.Time `json:"updated_at"` // null while the defaults apply
}

func (s *Server) agencySettings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.Placement.Agency(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, agencySettingsJSON{ID: a.OrgID, Name: a.Name, PurposeText: a.PurposeText,
		PurposeHash: placement.PurposeHash(a.PurposeText), RetentionDays: a.RetentionDays, FormEnabled: a.FormEnabled,
		UpdatedAt: optTime(a.UpdatedAt)})
}

func (s *Server) saveAgencySettings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		PurposeText   string `json:"purpose_text"`
		RetentionDays int    `json:"retention_days"`
		FormEnabled   bool   `json:"form_enabled"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	a := &placement.Agency{OrgID: id, PurposeText: in.PurposeText, RetentionDays: in.RetentionDays, FormEnabled: in.FormEnabled}
	if err := s.Placement.SaveAgency(r.Context(), cur.Actor(), a); err != nil {
		return err
	}
	return s.agencySettings(w, r, cur)
}

// agencyContact is what the agency's public contact form shows: the
// purpose of use, and its hash for the submission to quote.
func (s *Server) agencyContact(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := s.Placement.PublicAgency(r.Context(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toContactJSON(a))
}

// leadInJSON is a lead as the contact form and the agents send it.
type leadInJSON struct {
	Name               string           `json:"name"`
	NameKana           string           `json:"name_kana"`
	Email              string           `json:"email"`
	Phone              string           `json:"phone"`
	RegistrationNumber string           `json:"registration_number"`
	Source             placement.Source `json:"source"`
	SourceNote         string           `json:"source_note"`
	Message            string           `json:"message"`
}

// submitContact records a lead from the public contact form, anonymous or
// signed in (a doctor's lead is linked at once). purpose_hash must be the
// hash of the purpose text the form showed.
func (s *Server) submitContact(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		leadInJSON
		PurposeHash    string `json:"purpose_hash"`
		ConsentPurpose bool   `json:"consent_purpose"`
		ConsentHealth  bool   `json:"consent_health"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	l, err := s.Placement.SubmitLead(r.Context(), cur.Actor(), id, placement.LeadForm{Name: in.Name, NameKana: in.NameKana,
		Email: in.Email, Phone: in.Phone, RegistrationNumber: in.RegistrationNumber, Source: in.Source, SourceNote: in.SourceNote,
		Message: in.Message, PurposeHash: in.PurposeHash, ConsentPurpose: in.ConsentPurpose, ConsentHealth: in.ConsentHealth})
	if err != nil {
		return err
	}
	// The sender learns only that it arrived: the lead is the agency's.
	return writeJSON(w, http.StatusCreated, map[string]any{"id": l.ID, "agency_id": l.AgencyID, "created_at": l.CreatedAt})
}

func (s *Server) agencyLeads(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	f := placement.LeadFilter{AgencyID: id, Query: r.URL.Query().Get("q")}
	if f.AgentID, err = queryInt(r, "agent"); err != nil {
		return err
	}
	f.Merged = r.URL.Query().Get("merged") == "1"
	list, err := s.Placement.Leads(r.Context(), cur.Actor(), f)
	if err != nil {
		return err
	}
	out := []leadJSON{}
	for i := range list {
		out = append(out, toLeadJSON(&list[i]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"leads": out})
}

// createLead records a lead an agent entered (a referral, an event). The
// doctor consents later, through the invitation.
func (s *Server) createLead(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		leadInJSON
		AgentID int64 `json:"agent_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	l := &placement.Lead{AgencyID: id, Name: in.Name, NameKana: in.NameKana, Email: in.Email, Phone: in.Phone,
		RegistrationNumber: in.RegistrationNumber, Source: in.Source, SourceNote: in.SourceNote, Message: in.Message, AgentID: in.AgentID}
	if err := s.Placement.CreateLead(r.Context(), cur.Actor(), l); err != nil {
		return err
	}
	saved, err := s.Placement.Lead(r.Context(), cur.Actor(), l.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toLeadJSON(saved))
}

func (s *Server) getLead(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	l, err := s.Placement.Lead(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toLeadJSON(l))
}

func (s *Server) leadDuplicates(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Placement.Duplicates(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	type dupJSON struct {
		Lead leadJSON             `json:"lead"`
		Keys []placement.MatchKey `json:"keys"`
	}
	out := []dupJSON{}
	for i := range list {
		out = append(out, dupJSON{Lead: toLeadJSON(&list[i].Lead), Keys: nonNil(list[i].Keys)})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"duplicates": out})
}

// mergeLead folds the lead drop_id into the lead of the path, which is kept.
func (s *Server) mergeLead(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		DropID int64 `json:"drop_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.DropID <= 0 {
		return apperr.InvalidFields(map[string]string{"drop_id": "統合するリードのIDを指定してください。"})
	}
	l, err := s.Placement.Merge(r.Context(), cur.Actor(), id, in.DropID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toLeadJSON(l))
}

// inviteLead creates the single-use link by which the doctor links the lead
// to their account and consents. The token is returned apart too, for
// POST /leads/claim.
func (s *Server) inviteLead(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	path, err := s.Placement.InviteLead(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	token := path[strings.LastIndex(path, "/")+1:]
	return writeJSON(w, http.StatusCreated, map[string]string{"url": s.BaseURL + path, "token": token})
}

// leadClaim shows what the doctor agrees to before claiming: the agency and
// its purpose of use. The token in the query is the capability.
func (s *Server) leadClaim(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	token := r.URL.Query().Get("token")
	if token == "" {
		return apperr.InvalidFields(map[string]string{"token": "招待リンクのトークンを指定してください。"})
	}
	info, err := s.Placement.Claim(r.Context(), token)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"agency": toContactJSON(info.Agency), "lead_name": info.Lead.Name})
}

func (s *Server) acceptLeadClaim(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		Token         string `json:"token"`
		PurposeHash   string `json:"purpose_hash"`
		HealthConsent bool   `json:"health_consent"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Token == "" {
		return apperr.InvalidFields(map[string]string{"token": "招待リンクのトークンを指定してください。"})
	}
	l, err := s.Placement.AcceptClaim(r.Context(), cur.Actor(), in.Token, in.PurposeHash, in.HealthConsent)
	if err != nil {
		return renameFields(err, func(k string) string {
			if k == "consent_purpose" {
				return "purpose_hash"
			}
			return k
		})
	}
	return writeJSON(w, http.StatusOK, toLeadJSON(l))
}

// myLeads lists the agencies that hold the doctor's data, each with the
// consent given and the agency's current purpose of use.
func (s *Server) myLeads(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Placement.MyLeads(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	type myLeadJSON struct {
		leadJSON
		Agency contactJSON `json:"agency"`
	}
	out := []myLeadJSON{}
	for i := range list {
		out = append(out, myLeadJSON{leadJSON: toLeadJSON(&list[i].Lead), Agency: toContactJSON(list[i].Agency)})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"leads": out})
}

// setConsent gives or withdraws the doctor's consent: purpose false
// withdraws everything; health is the separate consent for health details.
func (s *Server) setConsent(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Purpose *bool `json:"purpose"`
		Health  bool  `json:"health"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Purpose == nil {
		return apperr.InvalidFields(map[string]string{"purpose": "利用目的への同意(true)か撤回(false)を指定してください。"})
	}
	l, err := s.Placement.SetConsent(r.Context(), cur.Actor(), id, *in.Purpose, in.Health)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toLeadJSON(l))
}
