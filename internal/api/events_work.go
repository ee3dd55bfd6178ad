package api

import (
	"net/http"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/httpx"
)

// An event's group work, and its materials and recordings with their
// access requests. A material's URL leaves here only for organisers and
// through the audited open endpoint.

// ---- Group work ----

// groupMemberJSON is a member as a group list shows them: no e-mail, since
// registrants see the groups too.
type groupMemberJSON struct {
	RegistrationID int64                  `json:"registration_id"`
	Name           string                 `json:"name"`
	Prefecture     string                 `json:"prefecture"`
	Organisation   string                 `json:"organisation"`
	Role           events.ParticipantRole `json:"role"`
	RoleLabel      string                 `json:"role_label"`
	Attendance     events.Attendance      `json:"attendance"`
}

type groupJSON struct {
	ID         int64             `json:"id"`
	Number     int               `json:"number"`
	Theme      string            `json:"theme"`
	Presenters string            `json:"presenters"`
	Points     string            `json:"points"`
	Members    []groupMemberJSON `json:"members"`
}

type groupWorkJSON struct {
	EventID    int64       `json:"event_id"`
	Groups     []groupJSON `json:"groups"`
	Themes     []string    `json:"themes"`
	Seed       int64       `json:"seed"`
	AssignedBy int64       `json:"assigned_by"`
	AssignedAt time.Time   `json:"assigned_at"`
	Version    int         `json:"version"`
}

func toGroupWorkJSON(g *events.GroupWork) groupWorkJSON {
	out := groupWorkJSON{EventID: g.EventID, Groups: make([]groupJSON, len(g.Groups)), Themes: nonNil(g.Themes), Seed: g.Seed,
		AssignedBy: g.AssignedBy, AssignedAt: g.AssignedAt, Version: g.Version}
	for i, gr := range g.Groups {
		members := make([]groupMemberJSON, len(gr.Members))
		for j, m := range gr.Members {
			members[j] = groupMemberJSON{RegistrationID: m.ID, Name: m.Name, Prefecture: m.Prefecture, Organisation: m.Organisation,
				Role: m.Role, RoleLabel: m.Role.Label(), Attendance: m.Attendance}
		}
		out.Groups[i] = groupJSON{ID: gr.ID, Number: gr.Number, Theme: gr.Theme, Presenters: gr.Presenters, Points: gr.Points,
			Members: members}
	}
	return out
}

// assignGroups (re)assigns the checked-in participants; version is the
// current group work's, 0 for the first assignment.
func (s *Server) assignGroups(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Groups  int      `json:"groups"`
		Themes  []string `json:"themes"`
		Seed    int64    `json:"seed"`
		Version *int     `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("グループ分け")
	}
	g, err := s.Events.AssignGroups(r.Context(), cur.Actor(), id, events.GroupInput{Groups: in.Groups, Themes: in.Themes,
		Seed: in.Seed, Version: *in.Version})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toGroupWorkJSON(g))
}

func (s *Server) groupWork(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	g, err := s.Events.GroupWork(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toGroupWorkJSON(g))
}

func (s *Server) moveGroupMember(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		RegistrationID int64 `json:"registration_id"`
		ToGroup        int   `json:"to_group"`
		Version        *int  `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	fields := map[string]string{}
	if in.Version == nil {
		fields["version"] = "取得したグループ分けの version を指定してください。"
	}
	if in.RegistrationID <= 0 {
		fields["registration_id"] = "移動する参加者の registration_id を指定してください。"
	}
	if in.ToGroup <= 0 {
		fields["to_group"] = "移動先のグループ番号を指定してください。"
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	g, err := s.Events.MoveMember(r.Context(), cur.Actor(), id, in.RegistrationID, in.ToGroup, *in.Version)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toGroupWorkJSON(g))
}

func (s *Server) saveGroupReport(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Presenters string `json:"presenters"`
		Points     string `json:"points"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Events.SaveGroupReport(r.Context(), cur.Actor(), id, in.Presenters, in.Points); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- Materials ----

type materialJSON struct {
	ID              int64               `json:"id"`
	EventID         int64               `json:"event_id"`
	Kind            events.MaterialKind `json:"kind"`
	KindLabel       string              `json:"kind_label"`
	Title           string              `json:"title"`
	URL             string              `json:"url,omitempty"` // organisers only
	Visibility      events.Visibility   `json:"visibility"`
	VisibilityLabel string              `json:"visibility_label"`
	AccessDays      int                 `json:"access_days"`
	CreatedAt       time.Time           `json:"created_at"`
	UpdatedAt       time.Time           `json:"updated_at"`
}

func toMaterialJSON(m *events.Material) materialJSON {
	return materialJSON{ID: m.ID, EventID: m.EventID, Kind: m.Kind, KindLabel: m.Kind.Label(), Title: m.Title, URL: m.URL,
		Visibility: m.Visibility, VisibilityLabel: m.Visibility.Label(), AccessDays: m.AccessDays, CreatedAt: m.CreatedAt,
		UpdatedAt: m.UpdatedAt}
}

type materialViewJSON struct {
	materialJSON
	CanOpen     bool `json:"can_open"`
	Requestable bool `json:"requestable"`
}

type materialInJSON struct {
	Kind       events.MaterialKind `json:"kind"`
	Title      string              `json:"title"`
	URL        string              `json:"url"`
	Visibility events.Visibility   `json:"visibility"`
	AccessDays int                 `json:"access_days"`
}

func (in materialInJSON) input() events.MaterialInput {
	kind := in.Kind
	if kind == "" {
		kind = events.KindMaterial
	}
	return events.MaterialInput{Kind: kind, Title: in.Title, URL: in.URL, Visibility: in.Visibility, AccessDays: in.AccessDays}
}

func (s *Server) addMaterial(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in materialInJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Kind != "" && in.Kind != events.KindMaterial && in.Kind != events.KindRecording {
		return apperr.InvalidFields(map[string]string{"kind": "material か recording を指定してください。"})
	}
	m, err := s.Events.AddMaterial(r.Context(), cur.Actor(), id, in.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toMaterialJSON(m))
}

func (s *Server) updateMaterial(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in materialInJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Kind != "" && in.Kind != events.KindMaterial && in.Kind != events.KindRecording {
		return apperr.InvalidFields(map[string]string{"kind": "material か recording を指定してください。"})
	}
	m, err := s.Events.UpdateMaterial(r.Context(), cur.Actor(), id, in.input())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toMaterialJSON(m))
}

// eventMaterials lists an event's materials as the caller sees them:
// anyone may see what a published event shares and ask for access.
func (s *Server) eventMaterials(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Events.Materials(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	out := make([]materialViewJSON, len(list))
	for i := range list {
		out[i] = materialViewJSON{materialJSON: toMaterialJSON(&list[i].Material), CanOpen: list[i].CanOpen,
			Requestable: list[i].Requestable}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"materials": out})
}

type materialRequestJSON struct {
	ID          int64                `json:"id"`
	MaterialID  int64                `json:"material_id"`
	Name        string               `json:"name"`
	Prefecture  string               `json:"prefecture"`
	Role        string               `json:"role"`
	Email       string               `json:"email"`
	Note        string               `json:"note"`
	Status      events.RequestStatus `json:"status"`
	StatusLabel string               `json:"status_label"`
	DecidedBy   *int64               `json:"decided_by"`
	DecidedAt   *time.Time           `json:"decided_at"`
	Reason      string               `json:"reason"`
	ExpiresAt   *time.Time           `json:"expires_at"`
	CreatedAt   time.Time            `json:"created_at"`
}

func toMaterialRequestJSON(m *events.MaterialRequest) materialRequestJSON {
	return materialRequestJSON{ID: m.ID, MaterialID: m.MaterialID, Name: m.Name, Prefecture: m.Prefecture, Role: m.Role,
		Email: m.Email, Note: m.Note, Status: m.Status, StatusLabel: m.Status.Label(), DecidedBy: optID(m.DecidedBy),
		DecidedAt: m.DecidedAt, Reason: m.Reason, ExpiresAt: m.ExpiresAt, CreatedAt: m.CreatedAt}
}

// requestMaterial records a request for a material shared by request; the
// requester hears of the decision by e-mail.
func (s *Server) requestMaterial(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Name       string `json:"name"`
		Prefecture string `json:"prefecture"`
		Role       string `json:"role"`
		Email      string `json:"email"`
		Note       string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	req, err := s.Events.RequestMaterial(r.Context(), id, events.RequestInput{Name: in.Name, Prefecture: in.Prefecture,
		Role: in.Role, Email: in.Email, Note: in.Note}, client(r))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"id": req.ID, "material_id": req.MaterialID, "status": req.Status,
		"status_label": req.Status.Label(), "created_at": req.CreatedAt})
}

// openMaterial answers the URL of a material the caller may open (a
// session, a registrant's manage token or an approved request's token);
// the service records the opening before it answers.
func (s *Server) openMaterial(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	url, err := s.Events.Open(r.Context(), id, events.Access{Actor: cur.Actor(), Token: r.URL.Query().Get("token"), Client: client(r)})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"url": url})
}

func (s *Server) materialRequests(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Events.MaterialRequests(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	out := make([]materialRequestJSON, len(list))
	for i := range list {
		out[i] = toMaterialRequestJSON(&list[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"requests": out})
}

// decideMaterialRequest approves or rejects a request. An approval
// answers the access token once (it is e-mailed to the requester too).
func (s *Server) decideMaterialRequest(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Approve *bool  `json:"approve"`
		Reason  string `json:"reason"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Approve == nil {
		return apperr.InvalidFields(map[string]string{"approve": "承認なら true、見送りなら false を指定してください。"})
	}
	token, err := s.Events.DecideRequest(r.Context(), cur.Actor(), id, *in.Approve, in.Reason)
	if err != nil {
		return err
	}
	out := map[string]any{"status": events.RequestRejected}
	if *in.Approve {
		out = map[string]any{"status": events.RequestApproved, "token": token}
	}
	return writeJSON(w, http.StatusOK, out)
}
