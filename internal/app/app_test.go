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
			for header, want := range map[string]string{
				"Content-Security-Policy":   "frame-ancestors 'none'",
				"Strict-Transport-Security": "max-age=",
				"X-Content-Type-Options":    "nosniff",
				"Referrer-Policy":           "same-origin",
			} {
				if got := r.Header.Get(header); !strings.Contains(got, want) {
					t.Errorf("%s = %q, want it to contain %q", header, got, want)
				}
			}
			if r.Header.Get("X-Request-ID") == "" {
				t.Error("no X-Request-ID")
			}
			css := between(r.Body, `<link rel="stylesheet" href="`, `"`)
			if a := c.Get(css); a.Status != 200 || !strings.Contains(a.Header.Get("Cache-Control"), "immutable") {
				t.Errorf("stylesheet %q: %d %q", css, a.Status, a.Header.Get("Cache-Control"))
			}
			if a := c.Get("/static/0000/style.css"); a.Status != 404 {
				t.Errorf("stale asset URL: %d, want 404", a.Status)
			}
			if r := c.Get("/no/such/page"); r.Status != 404 || !strings.Contains(r.Body, "リクエストID") {
				t.Errorf("unknown page: %d", r.Status)
			}
			env.User("doc@example.jp", "医師 一郎", identity.Grant{Role: identity.RoleDoctor})
			// A login form never redirects off-site.
			if r := c.Post("/login?next=//evil.example/x", url.Values{"email": {"doc@example.jp"}, "password": {apptest.Password}}); r.Location != "/dashboard" {
				t.Fatalf("login redirected to %q", r.Location)
			}
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
