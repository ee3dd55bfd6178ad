package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

func TestSmoke(t *testing.T) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.New(t, apptest.Options{Engine: engine})
			c := env.Client()
			if r := c.Get("/healthz"); r.Status != 200 {
				t.Fatalf("healthz = %d", r.Status)
			}
			if r := c.Get("/readyz"); r.Status != 200 {
				t.Fatalf("readyz = %d", r.Status)
			}
			r := c.Get("/login")
			if r.Status != 200 || !strings.Contains(r.Body, `<html lang="ja">`) {
				t.Fatalf("login page: %d %s", r.Status, r.Body)
			}
			env.User("doc@example.jp", "医師 一郎", identity.Grant{Role: identity.RoleDoctor})
			c.Login("doc@example.jp", "")
			r = c.Get("/dashboard")
			if r.Status != http.StatusOK || !strings.Contains(r.Body, "医師ダッシュボード") {
				t.Fatalf("dashboard: %d %s", r.Status, r.Body)
			}
			r = c.Post("/logout", url.Values{})
			if r.Status != http.StatusSeeOther {
				t.Fatalf("logout = %d", r.Status)
			}
			if r := c.Get("/dashboard"); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
				t.Fatalf("dashboard after logout = %d %q", r.Status, r.Location)
			}
		})
	}
}
