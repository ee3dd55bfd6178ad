package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/hakui-dev/hakui/internal/account"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
)

func (s *Server) orgPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderOrg(w, r, cur, &page{}, "", nil)
}

func (s *Server) renderOrg(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, inviteURL string, formErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view, err := s.Views.Org(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var roles []identity.Role
	for _, role := range identity.Roles {
		if role.AllowedIn(view.Org.Kind) {
			roles = append(roles, role)
		}
	}
	p.Title = view.Org.Name
	p.Data = map[string]any{"Org": view.Org, "Members": view.Members, "Invitations": view.Invitations, "CanInvite": view.CanInvite,
		"Roles": roles, "InviteURL": inviteURL, "Expired": func(inv identity.Invitation) bool { return !s.Auth.Now().Before(inv.ExpiresAt) }}
	if formErr != nil {
		s.formError(w, r, "org", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "org", p)
}

func (s *Server) invite(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	token, _, err := s.Accounts.Invite(r.Context(), cur.Actor(), id, account.Invite{
		Email: r.PostForm.Get("email"), Role: identity.Role(r.PostForm.Get("role")), OrgAdmin: r.PostForm.Get("org_admin") == "1",
	})
	if err != nil {
		s.renderOrg(w, r, cur, &page{}, "", err)
		return
	}
	s.renderOrg(w, r, cur, &page{Flash: "招待リンクを作成しました。"}, s.BaseURL+"/invitations/"+token, nil)
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderUsers(w, r, cur, "")
}

func (s *Server) renderUsers(w http.ResponseWriter, r *http.Request, cur *httpx.Current, tempPassword string) {
	const pageSize = 50
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	users, err := s.Views.Users(r.Context(), cur.Actor(), after, pageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := ""
	if len(users) == pageSize {
		next = "/admin/users?after=" + strconv.FormatInt(users[len(users)-1].ID, 10)
	}
	s.render(w, r, http.StatusOK, "admin_users", &page{Title: "ユーザー管理",
		Data: map[string]any{"Users": users, "Next": next, "TempPassword": tempPassword}})
}

func (s *Server) adminEndSessions(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.act(w, r, func(id int64) error { return s.Accounts.EndSessions(r.Context(), cur.Actor(), id) },
		"ユーザーのセッションをすべて終了しました。", "/admin/users")
}

func (s *Server) adminResetPassword(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	var temp string
	if err == nil {
		temp, err = s.Accounts.ResetPassword(r.Context(), cur.Actor(), id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderUsers(w, r, cur, temp)
}

func (s *Server) adminOrgs(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderOrgs(w, r, cur, &page{Title: "組織管理"}, nil)
}

func (s *Server) renderOrgs(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	if err := s.Accounts.Guard.Check(r.Context(), cur.Actor(), policy.List, policy.Object{Kind: policy.KindOrganisation}); err != nil {
		s.fail(w, r, err)
		return
	}
	orgs, err := s.Views.Orgs(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = map[string]any{"Orgs": orgs, "Kinds": identity.OrgKinds}
	if formErr != nil {
		s.formError(w, r, "admin_orgs", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "admin_orgs", p)
}

func (s *Server) adminCreateOrg(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	p := &page{Title: "組織管理"}
	if err := parseForm(r); err != nil {
		s.renderOrgs(w, r, cur, p, err)
		return
	}
	org := &identity.Organisation{Kind: identity.OrgKind(r.PostForm.Get("kind")), Name: r.PostForm.Get("name"), Prefecture: r.PostForm.Get("prefecture")}
	if err := s.Accounts.CreateOrganisation(r.Context(), cur.Actor(), org); err != nil {
		s.renderOrgs(w, r, cur, p, err)
		return
	}
	s.setFlash(w, org.Name+" を追加しました。組織ページから最初の管理者を招待してください。")
	redirect(w, r, "/orgs/"+strconv.FormatInt(org.ID, 10))
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	q := r.URL.Query()
	f := audit.Filter{ActionPrefix: q.Get("action"), Limit: 100}
	f.Involving, _ = strconv.ParseInt(q.Get("user"), 10, 64)
	f.BeforeSeq, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	if len(f.ActionPrefix) > 100 {
		f.ActionPrefix = f.ActionPrefix[:100]
	}
	entries, err := s.Views.Audit(r.Context(), cur.Actor(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := ""
	if len(entries) == f.Limit {
		v := url.Values{"before": {strconv.FormatInt(entries[len(entries)-1].Seq, 10)}, "action": {f.ActionPrefix}}
		if f.Involving != 0 {
			v.Set("user", strconv.FormatInt(f.Involving, 10))
		}
		next = "/admin/audit?" + v.Encode()
	}
	s.render(w, r, http.StatusOK, "audit", &page{Title: "監査ログ", Data: map[string]any{"Entries": entries, "Filter": f, "Next": next,
		"Names": s.names(r, entries)}})
}

func (s *Server) myAudit(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	entries, err := s.Views.AuditAbout(r.Context(), cur.Actor(), cur.User.ID, before, 100)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := ""
	if len(entries) == 100 {
		next = "/me/audit?before=" + strconv.FormatInt(entries[len(entries)-1].Seq, 10)
	}
	s.render(w, r, http.StatusOK, "audit", &page{Title: "閲覧・操作の記録", Data: map[string]any{"Entries": entries, "Mine": true, "Next": next,
		"Names": s.names(r, entries)}})
}

// names resolves the actors of entries to display names.
func (s *Server) names(r *http.Request, entries []audit.Entry) map[int64]string {
	names := map[int64]string{}
	for _, e := range entries {
		if e.ActorID == 0 {
			continue
		}
		if _, ok := names[e.ActorID]; ok {
			continue
		}
		if u, err := s.Auth.Store.User(r.Context(), e.ActorID); err == nil {
			names[e.ActorID] = u.DisplayName
		}
	}
	return names
}
