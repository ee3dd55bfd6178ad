package app_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// forEngines runs fn against a fresh Hakui on every engine.
func forEngines(t *testing.T, fn func(t *testing.T, env *apptest.Env)) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			fn(t, apptest.New(t, apptest.Options{Engine: engine}))
		})
	}
}

func newEnv(t *testing.T) *apptest.Env {
	opts := apptest.Options{}
	if os.Getenv("HAKUI_TEST_LOG") != "" {
		opts.Log = os.Stderr
	}
	return apptest.New(t, opts)
}

func TestTOTPReplayIsRefused(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		org := env.Org(identity.OrgAgency, "さくら")
		u := env.User("agent@example.jp", "鈴木 一郎", identity.Grant{Role: identity.RoleAgent, OrgID: org})
		secret := env.EnableTOTP(u)
		code := env.Code(secret)

		first := env.Client()
		r := first.Post("/login", url.Values{"email": {u.Email}, "password": {apptest.Password}})
		if !strings.HasPrefix(r.Location, "/login/totp") {
			t.Fatalf("after password: %d %q", r.Status, r.Location)
		}
		if r := first.Post("/login/totp", url.Values{"code": {code}}); r.Status != http.StatusSeeOther || r.Location != "/dashboard" {
			t.Fatalf("first use of the code: %d %q %s", r.Status, r.Location, r.Body)
		}

		// An attacker who saw the code (and knows the password) tries it again
		// within the same 30 seconds.
		second := env.Client()
		second.Post("/login", url.Values{"email": {u.Email}, "password": {apptest.Password}})
		r = second.Post("/login/totp", url.Values{"code": {code}})
		if r.Status == http.StatusSeeOther || !strings.Contains(r.Body, "既に使われています") {
			t.Fatalf("replayed code: %d %q; want a refusal saying it was used", r.Status, r.Location)
		}
		if r := second.Get("/dashboard"); r.Status != http.StatusSeeOther {
			t.Fatalf("replayer reached the dashboard: %d", r.Status)
		}
		// The next time step's code works.
		env.Clock.Advance(30 * time.Second)
		if r := second.Post("/login/totp", url.Values{"code": {env.Code(secret)}}); r.Status != http.StatusSeeOther || r.Location != "/dashboard" {
			t.Fatalf("next code: %d %q", r.Status, r.Location)
		}
	})
}

func TestExpiredSessionIsRefused(t *testing.T) {
	tests := []struct {
		name string
		// steps of activity before the final request
		steps []time.Duration
		live  bool
	}{
		{"active within the idle timeout", []time.Duration{20 * time.Minute, 20 * time.Minute}, true},
		{"idle past 30 minutes", []time.Duration{31 * time.Minute}, false},
		{"active but past the 12 hour absolute timeout", repeat(25*time.Minute, 29), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := newEnv(t)
			env.User("doc@example.jp", "医師", identity.Grant{Role: identity.RoleDoctor})
			c := env.Client()
			c.Login("doc@example.jp", "")
			var r *apptest.Response
			for _, d := range tt.steps {
				env.Clock.Advance(d)
				r = c.Get("/dashboard")
			}
			if got := r.Status == http.StatusOK; got != tt.live {
				t.Fatalf("dashboard status %d (location %q); live = %v, want %v", r.Status, r.Location, got, tt.live)
			}
			if !tt.live {
				api := c.Get("/api/v1/me")
				if api.Status != http.StatusUnauthorized || !strings.Contains(api.Header.Get("Content-Type"), "application/problem+json") {
					t.Fatalf("API with expired session: %d %s", api.Status, api.Body)
				}
			}
		})
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = d
	}
	return out
}

func TestCrossOriginPostIsRefused(t *testing.T) {
	env := newEnv(t)
	env.User("doc@example.jp", "医師", identity.Grant{Role: identity.RoleDoctor})
	c := env.Client()
	c.Login("doc@example.jp", "")
	tests := []struct {
		name    string
		headers map[string]string
	}{
		{"Sec-Fetch-Site cross-site", map[string]string{"Sec-Fetch-Site": "cross-site"}},
		{"foreign Origin", map[string]string{"Origin": "https://evil.example"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range []string{"/settings/profile", "/logout", "/api/v1/me/tokens"} {
				req, _ := http.NewRequest(http.MethodPost, env.Server.URL+path, strings.NewReader("display_name=x&locale=ja"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				for k, v := range tt.headers {
					req.Header.Set(k, v)
				}
				if r := c.Do(req); r.Status != http.StatusForbidden {
					t.Errorf("POST %s: status %d, want 403", path, r.Status)
				}
			}
		})
	}
	// Nothing changed, the session still works, and the refusals are audited.
	if r := c.Get("/dashboard"); r.Status != http.StatusOK {
		t.Fatalf("session lost after refused posts: %d", r.Status)
	}
	entries, _ := env.Main.DB.ListAudit(context.Background(), audit.Filter{ActionPrefix: audit.AccessDenied})
	if len(entries) != 6 {
		t.Errorf("audited denials = %d, want 6", len(entries))
	}
}

func TestBadLoginInputGetsClearErrors(t *testing.T) {
	env := newEnv(t)
	env.User("doc@example.jp", "医師", identity.Grant{Role: identity.RoleDoctor})
	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"empty form", url.Values{}, 400, "メールアドレスを入力してください"},
		{"no password", url.Values{"email": {"doc@example.jp"}}, 400, "パスワードを入力してください"},
		{"not an e-mail", url.Values{"email": {"doctor"}, "password": {"x"}}, 400, "メールアドレスの形式が正しくありません"},
		{"huge password", url.Values{"email": {"doc@example.jp"}, "password": {strings.Repeat("あ", 5000)}}, 400, "パスワードが長すぎます"},
		{"invalid utf-8", url.Values{"email": {"\xff\xfe@example.jp"}, "password": {"\xff"}}, 401, "メールアドレスまたはパスワードが正しくありません"},
		{"wrong password", url.Values{"email": {"doc@example.jp"}, "password": {"wrong password"}}, 401, "メールアドレスまたはパスワードが正しくありません"},
		{"unknown user, same message", url.Values{"email": {"nobody@example.jp"}, "password": {"whatever1"}}, 401, "メールアドレスまたはパスワードが正しくありません"},
		{"sql in the e-mail", url.Values{"email": {"' OR 1=1 --@x.jp"}, "password": {"x"}}, 401, "メールアドレスまたはパスワードが正しくありません"},
		{"full-width e-mail works", url.Values{"email": {"ＤＯＣ＠ｅｘａｍｐｌｅ．ｊｐ"}, "password": {apptest.Password}}, 303, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := env.Client().Post("/login", tt.form)
			if r.Status != tt.status {
				t.Fatalf("status = %d, want %d: %s", r.Status, tt.status, r.Body)
			}
			if !strings.Contains(r.Body, tt.want) {
				t.Errorf("body lacks %q", tt.want)
			}
			if strings.Contains(r.Body, "goroutine") || strings.Contains(r.Body, "sql:") {
				t.Error("body leaks internals")
			}
		})
	}
	// A body too large to parse is a clear 400, not a 5xx.
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/login", strings.NewReader("email="+strings.Repeat("a", 3<<20)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if r := env.Client().Do(req); r.Status != http.StatusBadRequest {
		t.Errorf("oversized body: status %d, want 400", r.Status)
	}
}

func TestLoginRateLimitDoesNotLockOutTheOwner(t *testing.T) {
	env := newEnv(t)
	env.User("doc@example.jp", "医師", identity.Grant{Role: identity.RoleDoctor})
	owner := env.Client()
	owner.Login("doc@example.jp", "") // the owner's browser becomes a trusted device
	owner.Post("/logout", url.Values{})

	attacker := env.Client()
	for i := 0; i < auth.MaxFailuresPerAcc; i++ {
		attacker.Post("/login", url.Values{"email": {"doc@example.jp"}, "password": {"guess" + strings.Repeat("x", i)}})
	}
	r := attacker.Post("/login", url.Values{"email": {"doc@example.jp"}, "password": {apptest.Password}})
	if r.Status != http.StatusTooManyRequests {
		t.Fatalf("attacker after %d failures: status %d, want 429", auth.MaxFailuresPerAcc, r.Status)
	}
	// The owner, on their known device, still signs in.
	r = owner.Post("/login", url.Values{"email": {"doc@example.jp"}, "password": {apptest.Password}})
	if r.Status != http.StatusSeeOther || r.Location != "/dashboard" {
		t.Fatalf("owner locked out: %d %q %s", r.Status, r.Location, r.Body)
	}
	// After the window the account opens again for new devices.
	env.Clock.Advance(auth.FailureWindow + time.Second)
	if r := env.Client().Post("/login", url.Values{"email": {"doc@example.jp"}, "password": {apptest.Password}}); r.Status != http.StatusSeeOther {
		t.Fatalf("new device after the window: %d", r.Status)
	}
}

func TestStaffMustEnrolTOTP(t *testing.T) {
	env := newEnv(t)
	org := env.Org(identity.OrgInstitution, "みなと内科クリニック")
	env.User("staff@example.jp", "佐藤 花子", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: org})
	c := env.Client()
	r := c.Post("/login", url.Values{"email": {"staff@example.jp"}, "password": {apptest.Password}})
	if r.Location != "/settings/2fa" {
		t.Fatalf("staff without TOTP sent to %q, want /settings/2fa", r.Location)
	}
	if r := c.Get("/dashboard"); r.Location != "/settings/2fa" {
		t.Fatalf("dashboard reachable before enrolment: %d %q", r.Status, r.Location)
	}
	if r := c.Get("/api/v1/me"); r.Status != http.StatusForbidden {
		t.Fatalf("API reachable before enrolment: %d", r.Status)
	}
	c.Post("/settings/2fa/begin", url.Values{})
	page := c.Get("/settings/2fa")
	secret := between(page.Body, `<code class="secret">`, `</code>`)
	if secret == "" || !strings.Contains(page.Body, "data:image/png;base64,") {
		t.Fatalf("enrolment page lacks the key or the QR code: %s", page.Body)
	}
	if r := c.Post("/settings/2fa/confirm", url.Values{"code": {"000000"}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "確認コードが正しくありません") {
		t.Fatalf("wrong enrolment code: %d", r.Status)
	}
	r = c.Post("/settings/2fa/confirm", url.Values{"code": {env.Code(secret)}})
	if r.Status != http.StatusOK || strings.Count(r.Body, "<li><code>") != auth.RecoveryCodeCount {
		t.Fatalf("confirm: %d; want %d recovery codes shown: %s", r.Status, auth.RecoveryCodeCount, r.Body)
	}
	recovery := between(r.Body, "<li><code>", "</code>")
	if r := c.Get("/dashboard"); r.Status != http.StatusOK {
		t.Fatalf("dashboard after enrolment: %d %q", r.Status, r.Location)
	}
	// A recovery code signs in once.
	other := env.Client()
	other.Post("/login", url.Values{"email": {"staff@example.jp"}, "password": {apptest.Password}})
	if r := other.Post("/login/totp", url.Values{"code": {recovery}}); r.Location != "/dashboard" {
		t.Fatalf("recovery code: %d %q", r.Status, r.Location)
	}
	third := env.Client()
	third.Post("/login", url.Values{"email": {"staff@example.jp"}, "password": {apptest.Password}})
	if r := third.Post("/login/totp", url.Values{"code": {recovery}}); r.Status == http.StatusSeeOther {
		t.Fatal("recovery code worked twice")
	}
}

func TestDemoStaffMaySkipTOTPOnlyInDemoMode(t *testing.T) {
	demo := apptest.New(t, apptest.Options{Demo: true})
	c := demo.Client()
	r := c.Post("/login", url.Values{"email": {"agent@demo.hakui.jp"}, "password": {"hakui-demo-2026"}})
	if r.Location != "/dashboard" {
		t.Fatalf("demo agent sent to %q", r.Location)
	}
	page := c.Get("/dashboard")
	if !strings.Contains(page.Body, "デモモード") || !strings.Contains(page.Body, "エージェントダッシュボード") {
		t.Fatalf("demo dashboard lacks the banner or the role: %s", page.Body)
	}
	// A staff account that is not a demo account still must enrol, even in
	// demo mode.
	org := demo.Org(identity.OrgAgency, "別の紹介会社")
	demo.User("real@example.jp", "本番 太郎", identity.Grant{Role: identity.RoleAgent, OrgID: org})
	if r := demo.Client().Post("/login", url.Values{"email": {"real@example.jp"}, "password": {apptest.Password}}); r.Location != "/settings/2fa" {
		t.Fatalf("non-demo staff in demo mode sent to %q", r.Location)
	}
}

func TestEveryRoleLandsOnItsDashboard(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	want := map[string]string{
		"doctor@demo.hakui.jp": "医師ダッシュボード", "clinic@demo.hakui.jp": "医療機関ダッシュボード",
		"agent@demo.hakui.jp": "エージェントダッシュボード", "cc@demo.hakui.jp": "キャリアコーディネーターダッシュボード",
		"pref@demo.hakui.jp": "都道府県担当者ダッシュボード", "moderator@demo.hakui.jp": "モデレーターダッシュボード",
		"admin@demo.hakui.jp": "管理者ダッシュボード",
	}
	for email, heading := range want {
		t.Run(email, func(t *testing.T) {
			c := env.Client()
			c.Post("/login", url.Values{"email": {email}, "password": {"hakui-demo-2026"}})
			r := c.Get("/dashboard")
			if r.Status != http.StatusOK || !strings.Contains(r.Body, "<h1>"+heading+"</h1>") {
				t.Fatalf("dashboard %d lacks %q", r.Status, heading)
			}
		})
	}
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	j := strings.Index(s, end)
	if j < 0 {
		return ""
	}
	return s[:j]
}
