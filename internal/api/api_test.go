package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/api"
	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
)

// TestOpenAPIDocumentsEveryRoute fails when a registered route is missing
// from openapi.json, or the document names a route that does not exist.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	r := env.Client().Get("/api/v1/openapi.json")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil || r.Status != 200 {
		t.Fatalf("openapi.json: %d %v", r.Status, err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi = %q, want 3.1.0", doc.OpenAPI)
	}
	routes := env.Main.API.Routes()
	registered := map[string]bool{}
	for _, rt := range routes {
		key := strings.ToLower(rt.Method) + " " + rt.Pattern
		registered[key] = true
		if _, ok := doc.Paths[rt.Pattern][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("route %s %s is missing from openapi.json", rt.Method, rt.Pattern)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if method == "parameters" {
				continue
			}
			if !registered[method+" "+path] {
				t.Errorf("openapi.json documents %s %s, which is not a route", method, path)
			}
		}
	}
	if len(routes) < 10 {
		t.Errorf("only %d routes registered", len(routes))
	}
}

type apiClient struct {
	t     *testing.T
	env   *apptest.Env
	token string
}

func (c apiClient) do(method, path, body string, contentType string) (int, api.Problem, string) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.env.Server.URL+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	r := c.env.Client().Do(req)
	var p api.Problem
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		if err := json.Unmarshal([]byte(r.Body), &p); err != nil {
			c.t.Fatalf("bad problem body: %s", r.Body)
		}
		if p.Status != r.Status || p.Detail == "" || p.RequestID == "" || p.Code == "" {
			c.t.Fatalf("incomplete problem: %+v", p)
		}
	}
	return r.Status, p, r.Body
}

// tokenFor signs the user in through the pages and creates a token through
// the API with the session cookie.
func tokenFor(t *testing.T, env *apptest.Env, email, secret, scope string) string {
	t.Helper()
	c := env.Client()
	c.Login(email, secret)
	req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/api/v1/me/tokens",
		strings.NewReader(`{"name":"テスト","scope":"`+scope+`","expires_in_days":30}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", env.Server.URL)
	r := c.Do(req)
	var out struct {
		Secret string `json:"secret"`
	}
	if err := json.Unmarshal([]byte(r.Body), &out); err != nil || r.Status != http.StatusCreated || !strings.HasPrefix(out.Secret, "hk_") {
		t.Fatalf("create token: %d %s", r.Status, r.Body)
	}
	return out.Secret
}

func TestAPIErrorsAreProblems(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	env.User("doc@example.jp", "医師", identity.Grant{Role: identity.RoleDoctor})
	anon := apiClient{t: t, env: env}
	if status, p, _ := anon.do("GET", "/api/v1/me", "", ""); status != 401 || p.Code != "unauthorized" {
		t.Fatalf("anonymous: %d %+v", status, p)
	}
	if status, _, _ := (apiClient{t: t, env: env, token: "hk_forged"}).do("GET", "/api/v1/me", "", ""); status != 401 {
		t.Fatalf("forged token: %d", status)
	}
	c := apiClient{t: t, env: env, token: tokenFor(t, env, "doc@example.jp", "", "write")}
	tests := []struct {
		name, method, path, body, ctype string
		status                          int
		code, field                     string
	}{
		{"unknown route", "GET", "/api/v1/nothing", "", "", 404, "not_found", ""},
		{"wrong content type", "PATCH", "/api/v1/me", `{"locale":"ja"}`, "text/plain", 400, "invalid", ""},
		{"syntax error", "PATCH", "/api/v1/me", `{"locale":`, "application/json", 400, "invalid", ""},
		{"unknown field", "PATCH", "/api/v1/me", `{"nickname":"x"}`, "application/json", 400, "invalid", ""},
		{"wrong type", "PATCH", "/api/v1/me", `{"locale":5}`, "application/json", 400, "invalid", "locale"},
		{"two values", "PATCH", "/api/v1/me", `{} {}`, "application/json", 400, "invalid", ""},
		{"empty body", "PATCH", "/api/v1/me", ``, "application/json", 400, "invalid", ""},
		{"invalid value", "PATCH", "/api/v1/me", `{"locale":"fr"}`, "application/json", 400, "invalid", "locale"},
		{"bad id", "DELETE", "/api/v1/tokens/abc", "", "", 404, "not_found", ""},
		{"huge id", "DELETE", "/api/v1/tokens/99999999999999999999999", "", "", 404, "not_found", ""},
		{"missing token", "DELETE", "/api/v1/tokens/424242", "", "", 404, "not_found", ""},
		{"admin only", "GET", "/api/v1/admin/audit", "", "", 403, "forbidden", ""},
		{"bad query", "GET", "/api/v1/me/audit?before=-1", "", "", 400, "invalid", "before"},
		{"token expiry out of range", "POST", "/api/v1/me/tokens", `{"name":"x","scope":"read","expires_in_days":9999}`, "application/json", 400, "invalid", "expires_in_days"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, p, body := c.do(tt.method, tt.path, tt.body, tt.ctype)
			if status != tt.status || string(p.Code) != tt.code {
				t.Fatalf("got %d %q, want %d %q: %s", status, p.Code, tt.status, tt.code, body)
			}
			if tt.field != "" && p.Errors[tt.field] == "" {
				t.Errorf("no message for field %q: %+v", tt.field, p.Errors)
			}
		})
	}
	status, _, body := c.do("PATCH", "/api/v1/me", `{"display_name":"ＹＡＭＡＤＡ　太郎"}`, "application/json")
	if status != 200 || !strings.Contains(body, `"display_name":"YAMADA 太郎"`) {
		t.Fatalf("update: %d %s", status, body)
	}
}

func TestAPITokenScopesAndRevocation(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	env.User("doc@example.jp", "医師", identity.Grant{Role: identity.RoleDoctor})
	env.User("other@example.jp", "他の医師", identity.Grant{Role: identity.RoleDoctor})
	read := apiClient{t: t, env: env, token: tokenFor(t, env, "doc@example.jp", "", "read")}
	if status, _, _ := read.do("GET", "/api/v1/me", "", ""); status != 200 {
		t.Fatalf("read token GET: %d", status)
	}
	if status, p, _ := read.do("PATCH", "/api/v1/me", `{"locale":"en"}`, "application/json"); status != 403 || p.Code != "forbidden" {
		t.Fatalf("read token PATCH: %d", status)
	}
	// Another user's token cannot be revoked (nor found) with mine.
	other := apiClient{t: t, env: env, token: tokenFor(t, env, "other@example.jp", "", "write")}
	_, _, body := read.do("GET", "/api/v1/me/tokens", "", "")
	var list struct {
		Tokens []struct {
			ID int64 `json:"id"`
		} `json:"tokens"`
	}
	json.Unmarshal([]byte(body), &list)
	if len(list.Tokens) != 1 {
		t.Fatalf("tokens = %s", body)
	}
	mine := list.Tokens[0].ID
	if status, _, _ := other.do("DELETE", "/api/v1/tokens/"+itoa(mine), "", ""); status != 404 {
		t.Fatalf("other user revoked my token: %d", status)
	}
	write := apiClient{t: t, env: env, token: tokenFor(t, env, "doc@example.jp", "", "write")}
	if status, _, _ := write.do("DELETE", "/api/v1/tokens/"+itoa(mine), "", ""); status != 204 {
		t.Fatalf("revoke own token: %d", status)
	}
	if status, _, _ := read.do("GET", "/api/v1/me", "", ""); status != 401 {
		t.Fatalf("revoked token still works: %d", status)
	}
}

func TestAPIOrganisationsAreIsolated(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	a := env.Org(identity.OrgAgency, "さくらメディカルキャリア")
	b := env.Org(identity.OrgAgency, "つばきキャリア")
	boss := env.User("boss@a.example.jp", "A社 管理者", identity.Grant{Role: identity.RoleAgent, OrgID: a, OrgAdmin: true})
	c := apiClient{t: t, env: env, token: tokenFor(t, env, boss.Email, env.EnableTOTP(boss), "write")}

	status, _, body := c.do("GET", "/api/v1/organisations", "", "")
	if status != 200 || !strings.Contains(body, "さくらメディカルキャリア") || strings.Contains(body, "つばきキャリア") {
		t.Fatalf("organisations list leaks or misses: %s", body)
	}
	if status, _, _ := c.do("GET", "/api/v1/organisations/"+itoa(b), "", ""); status != 404 {
		t.Fatalf("other organisation readable: %d", status)
	}
	if status, _, _ := c.do("POST", "/api/v1/organisations/"+itoa(b)+"/invitations", `{"email":"x@example.jp","role":"agent"}`, "application/json"); status != 403 {
		t.Fatalf("invite into other organisation: %d", status)
	}
	status, _, body = c.do("POST", "/api/v1/organisations/"+itoa(a)+"/invitations", `{"email":"new@a.example.jp","role":"agent"}`, "application/json")
	if status != 201 || !strings.Contains(body, env.Server.URL+"/invitations/") {
		t.Fatalf("invite: %d %s", status, body)
	}
	if status, _, _ := c.do("POST", "/api/v1/organisations", `{"kind":"agency","name":"勝手な会社"}`, "application/json"); status != 403 {
		t.Fatalf("non-admin created an organisation: %d", status)
	}
}
