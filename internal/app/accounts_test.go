package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/identity"
)

func TestDoctorRegistersAndSeesClearErrors(t *testing.T) {
	env := newEnv(t)
	c := env.Client()
	tests := []struct {
		name string
		form url.Values
		want string
	}{
		{"short password", url.Values{"display_name": {"山田 太郎"}, "email": {"yamada@example.jp"}, "password": {"short"}, "confirm": {"short"}}, "8文字以上"},
		{"common password", url.Values{"display_name": {"山田 太郎"}, "email": {"yamada@example.jp"}, "password": {"password123"}, "confirm": {"password123"}}, "よく使われる"},
		{"mismatch", url.Values{"display_name": {"山田 太郎"}, "email": {"yamada@example.jp"}, "password": {apptest.Password}, "confirm": {"other"}}, "一致しません"},
		{"bad e-mail", url.Values{"display_name": {"山田 太郎"}, "email": {"yamada"}, "password": {apptest.Password}, "confirm": {apptest.Password}}, "メールアドレスの形式"},
		{"no name", url.Values{"email": {"yamada@example.jp"}, "password": {apptest.Password}, "confirm": {apptest.Password}}, "氏名を"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.Post("/register", tt.form)
			if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, tt.want) {
				t.Fatalf("status %d, want 400 with %q", r.Status, tt.want)
			}
			// What the user typed is kept, except passwords.
			if email := tt.form.Get("email"); email != "" && !strings.Contains(r.Body, `value="`+email+`"`) {
				t.Error("the e-mail typed was lost")
			}
		})
	}
	r := c.Post("/register", url.Values{"display_name": {"山田　太郎"}, "email": {"Yamada@Example.jp"}, "password": {apptest.Password}, "confirm": {apptest.Password}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	c.Login("yamada@example.jp", "")
	me := c.Get("/api/v1/me")
	var got struct {
		DisplayName string `json:"display_name"`
		Grants      []struct {
			Role string `json:"role"`
		} `json:"grants"`
	}
	if err := json.Unmarshal([]byte(me.Body), &got); err != nil || got.DisplayName != "山田 太郎" || len(got.Grants) != 1 || got.Grants[0].Role != "doctor" {
		t.Fatalf("me = %s (%v)", me.Body, err)
	}
	if r := env.Client().Post("/register", url.Values{"display_name": {"x"}, "email": {"yamada@example.jp"}, "password": {apptest.Password}, "confirm": {apptest.Password}}); !strings.Contains(r.Body, "既に登録されています") {
		t.Errorf("duplicate registration: %d", r.Status)
	}
}

func TestInvitationFlow(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		org := env.Org(identity.OrgInstitution, "あおば皮膚科クリニック")
		other := env.Org(identity.OrgInstitution, "別のクリニック")
		admin := env.User("boss@example.jp", "院長", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: org, OrgAdmin: true})
		secret := env.EnableTOTP(admin)
		c := env.Client()
		c.Login(admin.Email, secret)

		// Roles that do not belong to a clinic are refused.
		r := c.Post(orgPath(org)+"/invitations", url.Values{"email": {"x@example.jp"}, "role": {"agent"}})
		if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "招待できる役割") {
			t.Fatalf("agent invited to a clinic: %d", r.Status)
		}
		// Another organisation's invitations are out of reach.
		if r := c.Post(orgPath(other)+"/invitations", url.Values{"email": {"x@example.jp"}, "role": {"institution_staff"}}); r.Status != http.StatusNotFound {
			t.Fatalf("invite into another organisation: %d", r.Status)
		}
		if r := c.Get(orgPath(other)); r.Status != http.StatusNotFound {
			t.Fatalf("other organisation's page: %d", r.Status)
		}
		r = c.Post(orgPath(org)+"/invitations", url.Values{"email": {"nurse@example.jp"}, "role": {"institution_staff"}})
		link := between(r.Body, `<code class="secret">`, `</code>`)
		if r.Status != http.StatusOK || !strings.HasPrefix(link, env.Server.URL+"/invitations/") {
			t.Fatalf("invite: %d link %q", r.Status, link)
		}
		path := strings.TrimPrefix(link, env.Server.URL)

		invitee := env.Client()
		if r := invitee.Get(path); r.Status != http.StatusOK || !strings.Contains(r.Body, "あおば皮膚科クリニック") {
			t.Fatalf("invitation page: %d", r.Status)
		}
		r = invitee.Post(path, url.Values{"display_name": {"看護 花子"}, "password": {apptest.Password}, "confirm": {apptest.Password}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("accept: %d %s", r.Status, r.Body)
		}
		// Single use.
		if r := env.Client().Get(path); r.Status != http.StatusNotFound {
			t.Fatalf("used invitation still opens: %d", r.Status)
		}
		// The new member must set up two-factor authentication, then sees the clinic.
		r = invitee.Post("/login", url.Values{"email": {"nurse@example.jp"}, "password": {apptest.Password}})
		if r.Location != "/settings/2fa" {
			t.Fatalf("new staff sent to %q", r.Location)
		}
		members := c.Get(orgPath(org))
		if !strings.Contains(members.Body, "看護 花子") {
			t.Fatal("new member not listed")
		}
	})
}

func orgPath(id int64) string { return "/orgs/" + itoa(id) }

func TestForcedPasswordChange(t *testing.T) {
	env := newEnv(t)
	temp, err := env.Main.CreateUser(context.Background(), apptestNewDoctor("first@example.jp"))
	if err != nil {
		t.Fatal(err)
	}
	c := env.Client()
	r := c.Post("/login", url.Values{"email": {"first@example.jp"}, "password": {temp}})
	if r.Location != "/settings/password" {
		t.Fatalf("initial password sent to %q", r.Location)
	}
	if r := c.Get("/dashboard"); r.Location != "/settings/password" {
		t.Fatalf("dashboard before change: %q", r.Location)
	}
	if r := c.Post("/settings/password", url.Values{"password": {temp}, "confirm": {temp}}); r.Status != http.StatusBadRequest {
		t.Fatalf("same password accepted: %d", r.Status)
	}
	if r := c.Post("/settings/password", url.Values{"password": {apptest.Password}, "confirm": {apptest.Password}}); r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	if r := c.Get("/dashboard"); r.Status != http.StatusOK {
		t.Fatalf("dashboard after change: %d", r.Status)
	}
}

func TestSessionsListAndEnd(t *testing.T) {
	env := newEnv(t)
	u := env.User("doc@example.jp", "医師", identity.Grant{Role: identity.RoleDoctor})
	a, b := env.Client(), env.Client()
	a.Login(u.Email, "")
	b.Login(u.Email, "")
	var list struct {
		Sessions []struct {
			ID      int64 `json:"id"`
			Current bool  `json:"current"`
		} `json:"sessions"`
	}
	json.Unmarshal([]byte(a.Get("/api/v1/me/sessions").Body), &list)
	if len(list.Sessions) != 2 {
		t.Fatalf("sessions = %+v", list)
	}
	var otherID int64
	for _, s := range list.Sessions {
		if !s.Current {
			otherID = s.ID
		}
	}
	// Another user cannot end it, and cannot tell it exists.
	env.User("x@example.jp", "他人", identity.Grant{Role: identity.RoleDoctor})
	stranger := env.Client()
	stranger.Login("x@example.jp", "")
	if r := stranger.Post("/settings/sessions/"+itoa(otherID)+"/end", nil); r.Status != http.StatusNotFound {
		t.Fatalf("stranger ended a session: %d", r.Status)
	}
	if r := a.Post("/settings/sessions/"+itoa(otherID)+"/end", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("end own session: %d", r.Status)
	}
	if r := b.Get("/dashboard"); r.Status != http.StatusSeeOther {
		t.Fatalf("ended session still works: %d", r.Status)
	}
	if r := a.Get("/settings/sessions"); r.Status != http.StatusOK || !strings.Contains(r.Body, "この端末") {
		t.Fatalf("sessions page: %d", r.Status)
	}
}

func TestWhoLookedAtMyRecords(t *testing.T) {
	env := newEnv(t)
	u := env.User("doc@example.jp", "医師", identity.Grant{Role: identity.RoleDoctor})
	ctx := context.Background()
	// A confidential read about the doctor, by someone else.
	env.Main.Audit.Try(ctx, audit.Entry{Action: audit.ConfidentialRead, ActorID: 999, SubjectID: u.ID, ObjectKind: "consultation", ObjectID: 7})
	env.Main.Audit.Try(ctx, audit.Entry{Action: audit.ConfidentialRead, ActorID: 999, SubjectID: 12345, ObjectKind: "consultation", ObjectID: 8})
	c := env.Client()
	c.Login(u.Email, "")
	r := c.Get("/me/audit")
	if !strings.Contains(r.Body, "記録の閲覧") || !strings.Contains(r.Body, "consultation #7") || strings.Contains(r.Body, "consultation #8") {
		t.Fatalf("my audit page: %s", r.Body)
	}
	if r := c.Get("/admin/audit"); r.Status != http.StatusForbidden {
		t.Fatalf("doctor reached the admin audit log: %d", r.Status)
	}
}
