// Package app wires Hakui together: configuration, the database, the
// services, the HTML and JSON front ends, and a Main whose Run and Close
// let a test start the whole server on port 0.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/account"
	"github.com/hakui-dev/hakui/internal/api"
	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/auth/password"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/jobs"
	"github.com/hakui-dev/hakui/internal/mentoring"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/ratelimit"
	"github.com/hakui-dev/hakui/internal/records"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/reqinfo"
	"github.com/hakui-dev/hakui/internal/rounds"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/survey"
	"github.com/hakui-dev/hakui/internal/vault"
	"github.com/hakui-dev/hakui/internal/web"
	"github.com/hakui-dev/hakui/internal/webhook"
)

// Version is set at build time with -ldflags "-X .../internal/app.Version=…".
var Version = "dev"

// Config is how Hakui runs. Every field has a flag and a HAKUI_*
// environment variable in cmd/hakui.
type Config struct {
	Addr     string // listen address, e.g. 127.0.0.1:8080 (":0" picks a port)
	DB       string // "sqlite:PATH" or "postgres://…"
	KeysFile string // data-encryption keys; created on first start if missing
	// BaseURL is the public address used in links (invitations). Empty:
	// derived from the listen address.
	BaseURL         string
	Demo            bool
	TrustProxy      bool // take the client address from X-Forwarded-For
	InsecureCookies bool // plain-HTTP development on a LAN address only
	// SMTP sends notification e-mail; an empty Addr disables e-mail.
	SMTP notify.SMTP
	// PasswordParams tunes Argon2id; tests use cheaper ones.
	PasswordParams password.Params
	Log            *slog.Logger
	// Now is the clock of every service; nil means the wall clock. Tests
	// pass a settable one.
	Now func() time.Time
}

// DefaultDB is the embedded database used when none is given.
const DefaultDB = "sqlite:./hakui-data/hakui.db"

// Main is a running (or ready to run) Hakui.
type Main struct {
	Config    Config
	DB        *sqlstore.DB
	Keys      *vault.Keyring
	Auth      *auth.Service
	Accounts  *account.Service
	Openings  *openings.Service
	Placement *placement.Service
	Regional  *regional.Service
	Records   *records.Service
	Rounds    *rounds.Service
	Mentoring *mentoring.Service
	Community *community.Service
	Events    *events.Service
	Surveys   *survey.Service
	// Limiter guards the public links (registration, survey answers,
	// material requests, contact forms).
	Limiter  *ratelimit.Limiter
	Audit    *audit.Recorder
	Jobs     *jobs.Queue
	Worker   *jobs.Worker
	Webhooks *webhook.Service
	Handler  http.Handler
	API      *api.Server

	pages    *web.Server
	listener net.Listener
	server   *http.Server
}

// Open connects to the database, migrates it, loads the keys and builds
// the handlers. It does not listen yet.
func Open(ctx context.Context, cfg Config) (*Main, error) {
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.DB == "" {
		cfg.DB = DefaultDB
	}
	if cfg.PasswordParams == (password.Params{}) {
		cfg.PasswordParams = password.DefaultParams
	}
	keys, created, err := vault.LoadOrCreate(cfg.KeysFile, time.Now())
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if created {
		cfg.Log.Warn("created a new data-encryption key file; back it up apart from the database", "path", cfg.KeysFile)
	}
	db, err := sqlstore.Open(ctx, cfg.DB)
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if err := db.SeedCompetencies(ctx, career.DefaultCompetencies()); err != nil {
		db.Close()
		return nil, fmt.Errorf("competencies: %w", err)
	}
	m := &Main{Config: cfg, DB: db, Keys: keys}
	m.build()
	if cfg.Demo {
		if err := m.SeedDemo(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("demo data: %w", err)
		}
	}
	return m, nil
}

func (m *Main) build() {
	cfg := m.Config
	now := func() time.Time { return time.Now().UTC() }
	if cfg.Now != nil {
		now = func() time.Time { return cfg.Now().UTC() }
		m.DB.Now = now
	}
	m.Audit = &audit.Recorder{Store: m.DB, Log: cfg.Log}
	g := &guard.Guard{Audit: m.Audit}
	m.Auth = &auth.Service{Store: m.DB, Audit: m.Audit, Keys: m.Keys, Now: now, Params: cfg.PasswordParams, Demo: cfg.Demo}
	m.Accounts = &account.Service{Store: m.DB, Guard: g, Audit: m.Audit, Params: cfg.PasswordParams, Now: now}
	views := &account.Views{Store: m.DB, Accounts: m.Accounts, Now: now}
	baseURL := func() string { return m.pages.BaseURL }
	m.Jobs = jobs.NewQueue(m.DB, now)
	m.Worker = &jobs.Worker{Queue: m.Jobs, Log: cfg.Log}
	notifier := &notify.Notifier{Store: m.DB, SMTP: cfg.SMTP, Log: cfg.Log, Jobs: m.Jobs, BaseURL: baseURL}
	notifier.Register(m.Worker)
	m.Webhooks = &webhook.Service{Store: m.DB, Guard: g, Audit: m.Audit, Keys: m.Keys, Jobs: m.Jobs, Log: cfg.Log, BaseURL: baseURL}
	m.Webhooks.Register(m.Worker)
	m.Openings = &openings.Service{Store: m.DB, Guard: g, Audit: m.Audit, Notifier: notifier, Now: now}
	// The limiter keeps client addresses only as an HMAC under a sub-key
	// of the data-encryption key (new counters when the key rotates).
	m.Limiter = &ratelimit.Limiter{Store: m.DB, Now: now}
	if m.Keys != nil {
		secret, err := m.Keys.Derive("ratelimit")
		if err != nil {
			cfg.Log.Error("rate limits keyed without a secret", "err", err)
		}
		m.Limiter.Secret = secret
	}
	m.Placement = &placement.Service{Store: m.DB, Guard: g, Audit: m.Audit, Notifier: notifier, Webhooks: m.Webhooks, Keys: m.Keys,
		Limiter: m.Limiter, Now: now}
	m.Regional = &regional.Service{Store: m.DB, Guard: g, Audit: m.Audit, Now: now}
	m.Records = &records.Service{Store: m.DB, Guard: g, Audit: m.Audit, Keys: m.Keys, Now: now}
	m.Rounds = &rounds.Service{Store: m.DB, Regional: m.Regional, Guard: g, Audit: m.Audit, Now: now}
	m.Mentoring = &mentoring.Service{Store: m.DB, Guard: g, Audit: m.Audit, Keys: m.Keys, Notifier: notifier, Log: cfg.Log, Now: now}
	m.Mentoring.Register(m.Worker)
	m.Community = &community.Service{Store: m.DB, Audit: m.Audit, Notifier: notifier, Webhooks: m.Webhooks,
		Password: cfg.PasswordParams, Log: cfg.Log, Now: now}
	m.Events = &events.Service{Store: m.DB, Guard: g, Audit: m.Audit, Notifier: notifier, Limiter: m.Limiter, Log: cfg.Log, Now: now}
	m.Surveys = &survey.Service{Store: m.DB, Guard: g, Audit: m.Audit, Notifier: notifier, Limiter: m.Limiter, Log: cfg.Log, Now: now}
	m.schedule()
	m.Openings.ProfileSaved = func(ctx context.Context, userID int64) {
		// A follow-up that waits for this doctor's career event fires now;
		// a failure is logged and the daily sweep tries again.
		if _, err := m.Placement.CareerChanged(ctx, userID); err != nil {
			cfg.Log.WarnContext(ctx, "follow-ups: career change", "user", userID, "err", err)
		}
	}
	cookies := httpx.Cookies{Insecure: cfg.InsecureCookies}
	authn := &httpx.Authenticator{Auth: m.Auth, Grants: m.DB, Cookies: cookies, Demo: cfg.Demo}
	pages := &web.Server{Auth: m.Auth, Accounts: m.Accounts, Views: views, Openings: m.Openings, Placement: m.Placement, Regional: m.Regional, Records: m.Records, Mentoring: m.Mentoring, Community: m.Community, Events: m.Events, Surveys: m.Surveys, Limiter: m.Limiter, Rounds: m.Rounds, Webhooks: m.Webhooks, Notifications: m.DB, CareerAdmin: m.DB, Session: authn, Cookies: cookies, Log: cfg.Log,
		Demo: cfg.Demo, Version: Version, BaseURL: strings.TrimRight(cfg.BaseURL, "/")}
	m.API = &api.Server{Auth: m.Auth, Accounts: m.Accounts, Views: views, Openings: m.Openings, Placement: m.Placement, Regional: m.Regional, Mentoring: m.Mentoring, Community: m.Community, Events: m.Events, Surveys: m.Surveys, Limiter: m.Limiter, Records: m.Records, Rounds: m.Rounds, Webhooks: m.Webhooks, Notifications: m.DB,
		Session: authn, Log: cfg.Log, BaseURL: pages.BaseURL}
	m.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Replaced in Listen, once the pages are parsed and the base URL known.
		http.Error(w, "starting", http.StatusServiceUnavailable)
	})
	m.pages = pages
}

// schedule registers the periodic jobs. Each runs once per period across
// all instances (the queue deduplicates by period).
func (m *Main) schedule() {
	daily := map[string]func(ctx context.Context) (int, error){
		"placement.retention":   m.Placement.SweepRetention,
		"placement.follow_ups":  m.Placement.SweepFollowUps,
		community.DigestJobKind: m.Community.SendDigests,
		"jobs.prune": func(ctx context.Context) (int, error) {
			n, err := m.Jobs.Prune(ctx, 30*24*time.Hour)
			if err != nil {
				return int(n), err
			}
			// Rate-limit windows are an hour or a day; a week is plenty.
			limits, err := m.DB.PruneRateLimits(ctx, m.Limiter.Now().Add(-7*24*time.Hour))
			return int(n + limits), err
		},
	}
	for kind, run := range daily {
		m.Worker.Handle(kind, func(ctx context.Context, _ *jobs.Job) error {
			n, err := run(ctx)
			if err == nil && n > 0 {
				m.Config.Log.InfoContext(ctx, "periodic job", "kind", kind, "count", n)
			}
			return err
		})
		m.Worker.Every(kind, 24*time.Hour)
	}
}

// routes builds the top-level handler: operations endpoints, the API and
// the pages, behind the shared middleware.
func (m *Main) routes() (http.Handler, error) {
	pages, err := m.pages.Handler()
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := m.DB.Ping(ctx); err != nil {
			m.Config.Log.Error("readyz: database unreachable", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			fmt.Fprintln(w, "database unavailable")
			return
		}
		fmt.Fprintln(w, "ok")
	})
	mux.Handle(api.Prefix+"/", m.API.Handler())
	mux.Handle("/", pages)

	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.Audit.Try(r.Context(), audit.Entry{Action: audit.AccessDenied, Detail: "cross-origin " + r.Method + " " + r.URL.Path})
		if strings.HasPrefix(r.URL.Path, api.Prefix+"/") {
			api.WriteProblem(w, api.Problem{Type: "https://hakui.example/problems/forbidden", Title: "Forbidden", Status: http.StatusForbidden,
				Detail: "別のサイトからの送信は受け付けません。", Code: apperr.Forbidden, RequestID: reqinfo.From(r.Context()).RequestID})
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintln(w, "別のサイトからの送信は受け付けません。ページを開き直してから操作してください。")
	}))
	onPanic := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "内部エラーが発生しました。リクエストID: %s\n", reqinfo.From(r.Context()).RequestID)
	})
	h := httpx.LimitBody(cop.Handler(mux), 2<<20)
	return httpx.Base(h, m.Config.Log, m.Config.TrustProxy, onPanic), nil
}

// Listen binds the address and prepares the server. After it, Addr and
// URL answer.
func (m *Main) Listen() error {
	ln, err := net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return err
	}
	m.listener = ln
	if m.pages.BaseURL == "" {
		m.pages.BaseURL = "http://" + ln.Addr().String()
		m.API.BaseURL = m.pages.BaseURL
	}
	h, err := m.routes()
	if err != nil {
		ln.Close()
		return err
	}
	m.Handler = h
	m.server = &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second, MaxHeaderBytes: 64 << 10,
		ErrorLog: slog.NewLogLogger(m.Config.Log.Handler(), slog.LevelWarn)}
	return nil
}

// URL is the address the server answers on.
func (m *Main) URL() string { return m.pages.BaseURL }

// Run serves until ctx is cancelled, then shuts down gracefully, letting
// requests in flight finish for up to 15 seconds.
func (m *Main) Run(ctx context.Context) error {
	if m.server == nil {
		if err := m.Listen(); err != nil {
			return err
		}
	}
	// The job worker delivers e-mail and webhooks and runs the periodic
	// jobs; it stops after the server, finishing what it has started.
	wctx, stopWorker := context.WithCancel(context.WithoutCancel(ctx))
	workerDone := make(chan error, 1)
	go func() { workerDone <- m.Worker.Run(wctx) }()
	defer func() { stopWorker(); <-workerDone }()
	errc := make(chan error, 1)
	go func() { errc <- m.server.Serve(m.listener) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := m.server.Shutdown(shutdown); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases the database.
func (m *Main) Close() error { return m.DB.Close() }

// SetBaseURL changes the public address used in links, for a server
// started by a test in front of Handler.
func (m *Main) SetBaseURL(u string) {
	m.pages.BaseURL = strings.TrimRight(u, "/")
	m.API.BaseURL = m.pages.BaseURL
}
