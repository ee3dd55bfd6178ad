// Package apptest starts a whole Hakui for tests: a fresh database on the
// chosen engine, the real handlers behind a TLS test server (so __Host-
// cookies behave as in a browser), a controllable clock, and clients that
// keep cookies.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/auth/password"
	"github.com/hakui-dev/hakui/internal/auth/totp"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// Password is the password of every user the harness creates.
const Password = "correct horse battery staple"

// Env is a running Hakui for one test.
type Env struct {
	T      testing.TB
	Main   *app.Main
	Server *httptest.Server
	Clock  *Clock
}

// Clock is a settable clock shared by the services.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Options tune the environment.
type Options struct {
	Engine sqlstore.Dialect // default SQLite
	Demo   bool
	Log    io.Writer // default: discard
}

// New starts Hakui for the test and stops it when the test ends.
func New(tb testing.TB, opts Options) *Env {
	tb.Helper()
	if opts.Engine == "" {
		opts.Engine = sqlstore.SQLite
	}
	logw := opts.Log
	if logw == nil {
		logw = io.Discard
	}
	dir := tb.TempDir()
	clock := &Clock{now: time.Now().UTC()}
	m, err := app.Open(context.Background(), app.Config{
		Addr: "127.0.0.1:0", DB: sqlstoretest.DSN(tb, opts.Engine), KeysFile: filepath.Join(dir, "keys.txt"),
		Demo: opts.Demo, PasswordParams: password.TestParams, Log: slog.New(slog.NewTextHandler(logw, nil)),
		Now: clock.Now,
	})
	if err != nil {
		tb.Fatalf("app.Open: %v", err)
	}
	if err := m.Listen(); err != nil {
		tb.Fatalf("Listen: %v", err)
	}
	srv := httptest.NewUnstartedServer(m.Handler)
	srv.StartTLS()
	// Links in pages point at the TLS server.
	m.SetBaseURL(srv.URL)
	tb.Cleanup(func() {
		srv.Close()
		m.Close()
	})
	return &Env{T: tb, Main: m, Server: srv, Clock: clock}
}

// Org creates an organisation and returns its ID.
func (e *Env) Org(kind identity.OrgKind, name string) int64 {
	e.T.Helper()
	org := &identity.Organisation{Kind: kind, Name: name}
	if err := e.Main.DB.CreateOrganisation(context.Background(), org); err != nil {
		e.T.Fatalf("CreateOrganisation: %v", err)
	}
	return org.ID
}

// User creates a user with Password and the grants.
func (e *Env) User(email, name string, grants ...identity.Grant) *identity.User {
	e.T.Helper()
	hash, err := password.HashWithParams(Password, password.TestParams)
	if err != nil {
		e.T.Fatal(err)
	}
	u := &identity.User{Email: email, DisplayName: name, PasswordHash: hash, Locale: "ja"}
	if err := e.Main.DB.CreateUser(context.Background(), u, grants); err != nil {
		e.T.Fatalf("CreateUser: %v", err)
	}
	return u
}

// EnableTOTP turns two-factor authentication on for the user and returns
// the secret.
func (e *Env) EnableTOTP(u *identity.User) string {
	e.T.Helper()
	ctx := context.Background()
	key, err := totp.NewKey("Hakui", u.Email)
	if err != nil {
		e.T.Fatal(err)
	}
	sealed, err := e.Main.Keys.Seal([]byte(key.Secret), auth.TOTPContext(u.ID))
	if err != nil {
		e.T.Fatal(err)
	}
	if err := e.Main.DB.SetTOTP(ctx, u.ID, sealed, true, nil); err != nil {
		e.T.Fatal(err)
	}
	return key.Secret
}

// Code returns the TOTP code for the secret at the clock's time.
func (e *Env) Code(secret string) string {
	e.T.Helper()
	code, err := totp.GenerateCode(secret, e.Clock.Now())
	if err != nil {
		e.T.Fatal(err)
	}
	return code
}

// Client is a browser-like client: it keeps cookies and does not follow
// redirects, so tests see each step.
type Client struct {
	Env  *Env
	HTTP *http.Client
}

// Client returns a new client with an empty cookie jar.
func (e *Env) Client() *Client {
	jar, _ := cookiejar.New(nil)
	hc := e.Server.Client()
	c := &http.Client{Transport: hc.Transport, Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &Client{Env: e, HTTP: c}
}

// Response is a read response.
type Response struct {
	Status   int
	Body     string
	Header   http.Header
	Location string
}

// Do sends a request and reads the whole response.
func (c *Client) Do(req *http.Request) *Response {
	c.Env.T.Helper()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		c.Env.T.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.Env.T.Fatal(err)
	}
	return &Response{Status: resp.StatusCode, Body: string(b), Header: resp.Header, Location: resp.Header.Get("Location")}
}

// Get fetches a path.
func (c *Client) Get(path string) *Response {
	c.Env.T.Helper()
	req, err := http.NewRequest(http.MethodGet, c.Env.Server.URL+path, nil)
	if err != nil {
		c.Env.T.Fatal(err)
	}
	return c.Do(req)
}

// Post submits a form as a same-origin browser would.
func (c *Client) Post(path string, form url.Values) *Response {
	c.Env.T.Helper()
	req, err := http.NewRequest(http.MethodPost, c.Env.Server.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.Env.T.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.Env.Server.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.Do(req)
}

// Login signs in with the password (and the TOTP secret, if given) and
// fails the test unless it lands on a signed-in page.
func (c *Client) Login(email, secret string) {
	c.Env.T.Helper()
	r := c.Post("/login", url.Values{"email": {email}, "password": {Password}})
	if r.Status != http.StatusSeeOther {
		c.Env.T.Fatalf("login %s: status %d: %s", email, r.Status, r.Body)
	}
	if strings.HasPrefix(r.Location, "/login/totp") {
		if secret == "" {
			c.Env.T.Fatalf("login %s: TOTP asked but no secret given", email)
		}
		r = c.Post("/login/totp", url.Values{"code": {c.Env.Code(secret)}})
		if r.Status != http.StatusSeeOther || strings.HasPrefix(r.Location, "/login") {
			c.Env.T.Fatalf("login %s: TOTP step: status %d location %q: %s", email, r.Status, r.Location, r.Body)
		}
	}
}
