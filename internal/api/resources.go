package api

import (
	"net/http"
	"time"

	"github.com/hakui-dev/hakui/internal/account"
	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
)

// JSON shapes. Times are RFC 3339 in UTC.

type grantJSON struct {
	Role     identity.Role    `json:"role"`
	OrgID    int64            `json:"organisation_id,omitempty"`
	OrgName  string           `json:"organisation_name,omitempty"`
	OrgKind  identity.OrgKind `json:"organisation_kind,omitempty"`
	OrgAdmin bool             `json:"organisation_admin"`
}

type meJSON struct {
	ID          int64       `json:"id"`
	Email       string      `json:"email"`
	DisplayName string      `json:"display_name"`
	Locale      string      `json:"locale"`
	TOTPEnabled bool        `json:"totp_enabled"`
	Grants      []grantJSON `json:"grants"`
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	out := meJSON{ID: cur.User.ID, Email: cur.User.Email, DisplayName: cur.User.DisplayName, Locale: cur.User.Locale,
		TOTPEnabled: cur.User.TOTPEnabled, Grants: []grantJSON{}}
	for _, g := range cur.Grants {
		out.Grants = append(out.Grants, grantJSON{Role: g.Role, OrgID: g.OrgID, OrgName: g.OrgName, OrgKind: g.OrgKind, OrgAdmin: g.OrgAdmin})
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) updateMe(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		DisplayName *string `json:"display_name"`
		Locale      *string `json:"locale"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	name, locale := cur.User.DisplayName, cur.User.Locale
	if in.DisplayName != nil {
		name = *in.DisplayName
	}
	if in.Locale != nil {
		locale = *in.Locale
	}
	if err := s.Accounts.UpdateProfile(r.Context(), cur.Actor(), cur.User.ID, name, locale); err != nil {
		return err
	}
	user, err := s.Auth.Store.User(r.Context(), cur.User.ID)
	if err != nil {
		return err
	}
	cur.User = user
	return s.me(w, r, cur)
}

type sessionJSON struct {
	ID         int64     `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	Current    bool      `json:"current"`
}

func (s *Server) mySessions(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	sessions, err := s.Views.Sessions(r.Context(), cur.Actor(), cur.User.ID)
	if err != nil {
		return err
	}
	out := []sessionJSON{}
	for _, ss := range sessions {
		out = append(out, sessionJSON{ID: ss.ID, CreatedAt: ss.CreatedAt, LastSeenAt: ss.LastSeenAt, ExpiresAt: ss.ExpiresAt,
			IP: ss.IP, UserAgent: ss.UserAgent, Current: cur.Session != nil && cur.Session.ID == ss.ID})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"sessions": out})
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Views.EndSession(r.Context(), cur.Actor(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type tokenJSON struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Scope      auth.Scope `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	Secret     string     `json:"secret,omitempty"`
}

func toTokenJSON(t auth.APIToken) tokenJSON {
	return tokenJSON{ID: t.ID, Name: t.Name, Scope: t.Scope, CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

func (s *Server) myTokens(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	tokens, err := s.Views.Tokens(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	out := []tokenJSON{}
	for _, t := range tokens {
		out = append(out, toTokenJSON(t))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		Name          string     `json:"name"`
		Scope         auth.Scope `json:"scope"`
		ExpiresInDays int        `json:"expires_in_days"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.ExpiresInDays < 1 || in.ExpiresInDays > 366 {
		return apperr.InvalidFields(map[string]string{"expires_in_days": "有効期限は1〜366日で指定してください。"})
	}
	secret, t, err := s.Auth.CreateAPIToken(r.Context(), cur.User.ID, in.Name, in.Scope, time.Duration(in.ExpiresInDays)*24*time.Hour)
	if err != nil {
		return err
	}
	out := toTokenJSON(*t)
	out.Secret = secret
	return writeJSON(w, http.StatusCreated, out)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Views.RevokeToken(r.Context(), cur.Actor(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type auditJSON struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id"`
	SubjectID  int64     `json:"subject_id"`
	Action     string    `json:"action"`
	ObjectKind string    `json:"object_kind"`
	ObjectID   int64     `json:"object_id"`
	IP         string    `json:"ip"`
	RequestID  string    `json:"request_id"`
	Detail     string    `json:"detail"`
	Hash       string    `json:"hash"`
}

func auditList(entries []audit.Entry) map[string]any {
	out := []auditJSON{}
	for _, e := range entries {
		out = append(out, auditJSON{Seq: e.Seq, At: e.At, ActorID: e.ActorID, SubjectID: e.SubjectID, Action: e.Action,
			ObjectKind: e.ObjectKind, ObjectID: e.ObjectID, IP: e.IP, RequestID: e.RequestID, Detail: e.Detail, Hash: e.Hash})
	}
	return map[string]any{"entries": out}
}

func (s *Server) myAudit(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	before, err := queryInt(r, "before")
	if err != nil {
		return err
	}
	entries, err := s.Views.AuditAbout(r.Context(), cur.Actor(), cur.User.ID, before, 100)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, auditList(entries))
}

func (s *Server) audit(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	f := audit.Filter{ActionPrefix: r.URL.Query().Get("action"), Limit: 100}
	var err error
	if f.Involving, err = queryInt(r, "user"); err != nil {
		return err
	}
	if f.BeforeSeq, err = queryInt(r, "before"); err != nil {
		return err
	}
	if len(f.ActionPrefix) > 100 {
		return apperr.InvalidFields(map[string]string{"action": "100文字以内で指定してください。"})
	}
	entries, err := s.Views.Audit(r.Context(), cur.Actor(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, auditList(entries))
}

type orgJSON struct {
	ID         int64            `json:"id"`
	Kind       identity.OrgKind `json:"kind"`
	Name       string           `json:"name"`
	Prefecture string           `json:"prefecture"`
}

func (s *Server) organisations(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	orgs, err := s.Views.Orgs(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	out := []orgJSON{}
	for _, o := range orgs {
		out = append(out, orgJSON{ID: o.ID, Kind: o.Kind, Name: o.Name, Prefecture: o.Prefecture})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"organisations": out})
}

func (s *Server) createOrganisation(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in orgJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	org := &identity.Organisation{Kind: in.Kind, Name: in.Name, Prefecture: in.Prefecture}
	if err := s.Accounts.CreateOrganisation(r.Context(), cur.Actor(), org); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, orgJSON{ID: org.ID, Kind: org.Kind, Name: org.Name, Prefecture: org.Prefecture})
}

type memberJSON struct {
	UserID      int64         `json:"user_id"`
	DisplayName string        `json:"display_name"`
	Email       string        `json:"email"`
	Role        identity.Role `json:"role"`
	OrgAdmin    bool          `json:"organisation_admin"`
}

type invitationJSON struct {
	ID         int64         `json:"id"`
	Email      string        `json:"email"`
	Role       identity.Role `json:"role"`
	OrgAdmin   bool          `json:"organisation_admin"`
	CreatedAt  time.Time     `json:"created_at"`
	ExpiresAt  time.Time     `json:"expires_at"`
	AcceptedAt *time.Time    `json:"accepted_at"`
	URL        string        `json:"url,omitempty"`
}

func toInvitationJSON(inv identity.Invitation) invitationJSON {
	return invitationJSON{ID: inv.ID, Email: inv.Email, Role: inv.Role, OrgAdmin: inv.OrgAdmin, CreatedAt: inv.CreatedAt,
		ExpiresAt: inv.ExpiresAt, AcceptedAt: inv.AcceptedAt}
}

func (s *Server) organisation(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	view, err := s.Views.Org(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	out := struct {
		orgJSON
		Members     []memberJSON     `json:"members"`
		Invitations []invitationJSON `json:"invitations,omitempty"`
	}{orgJSON: orgJSON{ID: view.Org.ID, Kind: view.Org.Kind, Name: view.Org.Name, Prefecture: view.Org.Prefecture}, Members: []memberJSON{}}
	for _, m := range view.Members {
		out.Members = append(out.Members, memberJSON{UserID: m.UserID, DisplayName: m.DisplayName, Email: m.Email, Role: m.Role, OrgAdmin: m.OrgAdmin})
	}
	for _, inv := range view.Invitations {
		out.Invitations = append(out.Invitations, toInvitationJSON(inv))
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Email    string        `json:"email"`
		Role     identity.Role `json:"role"`
		OrgAdmin bool          `json:"organisation_admin"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	token, inv, err := s.Accounts.Invite(r.Context(), cur.Actor(), id, account.Invite{Email: in.Email, Role: in.Role, OrgAdmin: in.OrgAdmin})
	if err != nil {
		return err
	}
	out := toInvitationJSON(*inv)
	out.URL = s.BaseURL + "/invitations/" + token
	return writeJSON(w, http.StatusCreated, out)
}

type userJSON struct {
	ID          int64     `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	TOTPEnabled bool      `json:"totp_enabled"`
	CreatedAt   time.Time `json:"created_at"`
}

func (s *Server) users(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	after, err := queryInt(r, "after")
	if err != nil {
		return err
	}
	users, err := s.Views.Users(r.Context(), cur.Actor(), after, 100)
	if err != nil {
		return err
	}
	out := []userJSON{}
	for _, u := range users {
		out = append(out, userJSON{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, TOTPEnabled: u.TOTPEnabled, CreatedAt: u.CreatedAt})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"users": out})
}

func (s *Server) endUserSessions(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Accounts.EndSessions(r.Context(), cur.Actor(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
