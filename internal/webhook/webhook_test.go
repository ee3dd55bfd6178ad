package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jobs"
	"github.com/hakui-dev/hakui/internal/jobs/jobstest"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
	"github.com/hakui-dev/hakui/internal/vault"
	"github.com/hakui-dev/hakui/internal/webhook"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// request is a call as the peer received it.
type request struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
}

// peer stands in for Slack, Discord and Chatwork: a TLS server that
// records each call and answers with the next status of its script
// (200 once the script runs out).
type peer struct {
	srv    *httptest.Server
	mu     sync.Mutex
	got    []request
	script []int
}

func newPeer(t *testing.T) *peer {
	t.Helper()
	p := &peer{}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.got = append(p.got, request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})
		status := http.StatusOK
		if len(p.script) > 0 {
			status, p.script = p.script[0], p.script[1:]
		}
		p.mu.Unlock()
		w.WriteHeader(status)
		fmt.Fprint(w, http.StatusText(status))
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *peer) host() string { return p.srv.Listener.Addr().String() }

func (p *peer) answer(statuses ...int) {
	p.mu.Lock()
	p.script = statuses
	p.mu.Unlock()
}

func (p *peer) requests() []request {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]request(nil), p.got...)
}

// world is a webhook service over a fresh database with two
// organisations: A, with an administrator and a plain member, and B, with
// an administrator.
type world struct {
	db               *sqlstore.DB
	dsn              string
	clock            *jobstest.Clock
	svc              *webhook.Service
	worker           *jobs.Worker
	peer             *peer
	orgA, orgB       int64
	adminA, memberA  policy.Actor
	adminB           policy.Actor
	ctx              context.Context
	keys             *vault.Keyring
	baseURL, hostURL string
}

func newWorld(t *testing.T, dsn string) *world {
	t.Helper()
	ctx := context.Background()
	db := sqlstoretest.OpenDSN(t, dsn)
	clock := jobstest.NewClock(time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
	db.Now = clock.Now
	keys := vault.NewKeyring()
	if err := keys.Add("k1", make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
	rec := &audit.Recorder{Store: db, Log: quiet}
	q := jobs.NewQueue(db, clock.Now)
	p := newPeer(t)
	w := &world{db: db, dsn: dsn, clock: clock, peer: p, ctx: ctx, keys: keys, baseURL: "https://hakui.example.jp"}
	w.svc = &webhook.Service{Store: db, Guard: &guard.Guard{Audit: rec}, Audit: rec, Keys: keys, Jobs: q, Log: quiet,
		BaseURL: func() string { return w.baseURL }, Client: p.srv.Client(), TestHost: p.host()}
	w.worker = &jobs.Worker{Queue: q, Log: quiet}
	w.svc.Register(w.worker)
	w.hostURL = "https://" + p.host()

	org := func(name string) int64 {
		o := &identity.Organisation{Kind: identity.OrgAgency, Name: name}
		if err := db.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o.ID
	}
	w.orgA, w.orgB = org("さくら医療人材"), org("あおば紹介")
	actor := func(email string, org int64, admin bool) policy.Actor {
		u := &identity.User{Email: email, DisplayName: "担当", PasswordHash: "x", Locale: "ja"}
		grants := []identity.Grant{{Role: identity.RoleAgent, OrgID: org, OrgAdmin: admin}}
		if err := db.CreateUser(ctx, u, grants); err != nil {
			t.Fatal(err)
		}
		return policy.Actor{UserID: u.ID, Grants: grants}
	}
	w.adminA, w.memberA = actor("admin-a@example.jp", w.orgA, true), actor("member-a@example.jp", w.orgA, false)
	w.adminB = actor("admin-b@example.jp", w.orgB, true)
	return w
}

func (w *world) create(t *testing.T, in webhook.Input) *webhook.Webhook {
	t.Helper()
	h, err := w.svc.Create(w.ctx, w.adminA, w.orgA, in)
	if err != nil {
		t.Fatalf("Create(%+v): %v", in, err)
	}
	return h
}

func (w *world) runDue(t *testing.T, want int) {
	t.Helper()
	if n, err := w.worker.RunDue(w.ctx); err != nil || n != want {
		t.Fatalf("RunDue = %d, %v; want %d", n, err, want)
	}
}

func (w *world) deliveries(t *testing.T, webhookID int64) []notify.Delivery {
	t.Helper()
	list, err := w.db.Deliveries(w.ctx, notify.DeliveryFilter{WebhookID: webhookID})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

const (
	slackPath   = "/services/T0HAKUI01/B0HAKUI02/abcdefSECRETslack1234"
	discordPath = "/api/webhooks/123456789012345678/SECRET-discord_token-5678"
	signingKey  = "署名鍵ではなくASCIIのみ-0123456789abcdef"
)

// verify checks a signature header the way a receiver would.
func verify(t *testing.T, header string, body []byte, secret string, at time.Time) {
	t.Helper()
	ts, mac, ok := strings.Cut(header, ",")
	if !ok || ts != fmt.Sprintf("t=%d", at.Unix()) || !strings.HasPrefix(mac, "v1=") {
		t.Fatalf("signature header %q", header)
	}
	h := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(h, "%d.%s", at.Unix(), body)
	want := h.Sum(nil)
	got, err := hex.DecodeString(strings.TrimPrefix(mac, "v1="))
	if err != nil || !hmac.Equal(got, want) {
		t.Errorf("signature %q does not verify", header)
	}
}

func TestFormats(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		slackSecret := "slack-signing-secret-0123456789"
		tests := []struct {
			name   string
			in     webhook.Input
			secret string
			check  func(t *testing.T, r request)
		}{
			{"slack", webhook.Input{Provider: webhook.Slack, Name: "営業チャンネル", URL: w.hostURL + slackPath, SigningSecret: slackSecret}, slackSecret,
				func(t *testing.T, r request) {
					if r.Path != slackPath || r.Header.Get("Content-Type") != "application/json" {
						t.Errorf("path %q, Content-Type %q", r.Path, r.Header.Get("Content-Type"))
					}
					var got struct {
						Text   string `json:"text"`
						Blocks []struct {
							Type string `json:"type"`
							Text struct{ Type, Text string }
						} `json:"blocks"`
					}
					if err := json.Unmarshal(r.Body, &got); err != nil {
						t.Fatal(err)
					}
					if got.Text != "新しい案件 &lt;至急&gt;\n内科 &amp; 救急\nhttps://hakui.example.jp/cases/12" {
						t.Errorf("text = %q", got.Text)
					}
					if len(got.Blocks) != 1 || got.Blocks[0].Type != "section" || got.Blocks[0].Text.Type != "mrkdwn" ||
						got.Blocks[0].Text.Text != "*<https://hakui.example.jp/cases/12|新しい案件 &lt;至急&gt;>*\n内科 &amp; 救急" {
						t.Errorf("blocks = %+v", got.Blocks)
					}
				}},
			{"discord", webhook.Input{Provider: webhook.Discord, Name: "Discord", URL: w.hostURL + discordPath}, "",
				func(t *testing.T, r request) {
					if r.Path != discordPath || r.Header.Get("Content-Type") != "application/json" {
						t.Errorf("path %q, Content-Type %q", r.Path, r.Header.Get("Content-Type"))
					}
					var got map[string]any
					if err := json.Unmarshal(r.Body, &got); err != nil {
						t.Fatal(err)
					}
					want := map[string]any{
						"content":          "新しい案件 <至急>",
						"embeds":           []any{map[string]any{"title": "新しい案件 <至急>", "description": "内科 & 救急", "url": "https://hakui.example.jp/cases/12"}},
						"allowed_mentions": map[string]any{"parse": []any{}},
					}
					if g, wnt := fmt.Sprint(got), fmt.Sprint(want); g != wnt {
						t.Errorf("body (-want +got):\n- %s\n+ %s", wnt, g)
					}
					if r.Header.Get(webhook.SignatureHeader) != "" {
						t.Error("signed without a signing secret")
					}
				}},
			{"chatwork", webhook.Input{Provider: webhook.Chatwork, Name: "Chatwork", RoomID: "98765", Token: "0123456789abcdefCHATWORKtoken", SigningSecret: signingKey}, signingKey,
				func(t *testing.T, r request) {
					if r.Path != "/v2/rooms/98765/messages" || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
						t.Errorf("path %q, Content-Type %q", r.Path, r.Header.Get("Content-Type"))
					}
					if tok := r.Header.Get("X-ChatWorkToken"); tok != "0123456789abcdefCHATWORKtoken" {
						t.Errorf("X-ChatWorkToken = %q", tok)
					}
					form, err := url.ParseQuery(string(r.Body))
					if err != nil {
						t.Fatal(err)
					}
					if got, want := form.Get("body"), "[info][title]新しい案件 <至急>[/title]内科 & 救急\nhttps://hakui.example.jp/cases/12[/info]"; got != want || len(form) != 1 {
						t.Errorf("body = %q, want %q", got, want)
					}
				}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				h := w.create(t, tt.in)
				before := len(w.peer.requests())
				if err := w.svc.PostToOrg(w.ctx, w.orgA, "新しい案件 <至急>", "内科 & 救急", "/cases/12"); err != nil {
					t.Fatal(err)
				}
				// Other webhooks of the organisation get the message too; pick this one's call.
				w.runDue(t, len(mustList(t, w)))
				var r *request
				for _, got := range w.peer.requests()[before:] {
					if d := got.Header.Get("X-Hakui-Delivery"); d != "" && deliveryOf(t, w, d).WebhookID == h.ID {
						r = &got
					}
				}
				if r == nil {
					t.Fatal("the webhook was not called")
				}
				if r.Method != http.MethodPost || r.Header.Get("User-Agent") != "Hakui-Webhook/1" {
					t.Errorf("method %s, User-Agent %q", r.Method, r.Header.Get("User-Agent"))
				}
				tt.check(t, *r)
				if tt.secret != "" {
					verify(t, r.Header.Get(webhook.SignatureHeader), r.Body, tt.secret, w.clock.Now())
				}
				ds := w.deliveries(t, h.ID)
				if len(ds) != 1 || ds[0].Status != notify.DeliverySent || ds[0].Attempts != 1 || ds[0].OrgID != w.orgA ||
					ds[0].Channel != notify.Channel(tt.in.Provider) || ds[0].Target != h.URLHint || ds[0].Subject != "新しい案件 <至急>" {
					t.Errorf("deliveries = %+v", ds)
				}
			})
		}
	})
}

func mustList(t *testing.T, w *world) []webhook.Webhook {
	t.Helper()
	list, err := w.svc.List(w.ctx, w.adminA, w.orgA)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func deliveryOf(t *testing.T, w *world, id string) notify.Delivery {
	t.Helper()
	for _, d := range w.deliveries(t, 0) {
		if fmt.Sprint(d.ID) == id {
			return d
		}
	}
	t.Fatalf("no delivery %s", id)
	return notify.Delivery{}
}

func TestURLsAccepted(t *testing.T) {
	w := newWorld(t, sqlstoretest.DSN(t, sqlstore.SQLite))
	w.svc.TestHost = "" // the real services' rules only
	tests := []struct {
		name  string
		in    webhook.Input
		field string // the field refused, "" when accepted
	}{
		{"slack", webhook.Input{Provider: webhook.Slack, URL: "https://hooks.slack.com/services/T0/B0/abc"}, ""},
		{"slack on port 443", webhook.Input{Provider: webhook.Slack, URL: "https://hooks.slack.com:443/services/T0/B0/abc"}, ""},
		{"discord", webhook.Input{Provider: webhook.Discord, URL: "https://discord.com/api/webhooks/1/tok-en_1"}, ""},
		{"discordapp", webhook.Input{Provider: webhook.Discord, URL: "https://discordapp.com/api/webhooks/1/tok"}, ""},
		{"discord thread", webhook.Input{Provider: webhook.Discord, URL: "https://discord.com/api/webhooks/1/tok?thread_id=42"}, ""},
		{"chatwork", webhook.Input{Provider: webhook.Chatwork, RoomID: "123", Token: "0123456789abcdef"}, ""},

		{"http", webhook.Input{Provider: webhook.Slack, URL: "http://hooks.slack.com/services/T0/B0/abc"}, "url"},
		{"another host", webhook.Input{Provider: webhook.Slack, URL: "https://example.com/services/T0/B0/abc"}, "url"},
		{"look-alike host", webhook.Input{Provider: webhook.Slack, URL: "https://hooks.slack.com.evil.example/services/T0/B0/abc"}, "url"},
		{"loopback", webhook.Input{Provider: webhook.Slack, URL: "https://127.0.0.1/services/T0/B0/abc"}, "url"},
		{"metadata address", webhook.Input{Provider: webhook.Discord, URL: "https://169.254.169.254/api/webhooks/1/tok"}, "url"},
		{"ipv6 loopback", webhook.Input{Provider: webhook.Discord, URL: "https://[::1]/api/webhooks/1/tok"}, "url"},
		{"user information", webhook.Input{Provider: webhook.Slack, URL: "https://hooks.slack.com@10.0.0.1/services/T0/B0/abc"}, "url"},
		{"other port", webhook.Input{Provider: webhook.Slack, URL: "https://hooks.slack.com:8443/services/T0/B0/abc"}, "url"},
		{"other path", webhook.Input{Provider: webhook.Slack, URL: "https://hooks.slack.com/api/chat.postMessage"}, "url"},
		{"dot segments", webhook.Input{Provider: webhook.Slack, URL: "https://hooks.slack.com/services/../../admin/x"}, "url"},
		{"escaped path", webhook.Input{Provider: webhook.Slack, URL: "https://hooks.slack.com/services/T0/B0/%2e%2e"}, "url"},
		{"query", webhook.Input{Provider: webhook.Slack, URL: "https://hooks.slack.com/services/T0/B0/abc?x=1"}, "url"},
		{"fragment", webhook.Input{Provider: webhook.Slack, URL: "https://hooks.slack.com/services/T0/B0/abc#x"}, "url"},
		{"slack URL for discord", webhook.Input{Provider: webhook.Discord, URL: "https://hooks.slack.com/services/T0/B0/abc"}, "url"},
		{"discord other query", webhook.Input{Provider: webhook.Discord, URL: "https://discord.com/api/webhooks/1/tok?wait=true&x=1"}, "url"},
		{"not a URL", webhook.Input{Provider: webhook.Discord, URL: "discord.com/api/webhooks/1/tok"}, "url"},
		{"chatwork room not a number", webhook.Input{Provider: webhook.Chatwork, RoomID: "../1", Token: "0123456789abcdef"}, "room_id"},
		{"chatwork token with a line break", webhook.Input{Provider: webhook.Chatwork, RoomID: "1", Token: "0123456789\r\nX-Evil: 1"}, "token"},
		{"unknown provider", webhook.Input{Provider: "teams", URL: "https://example.webhook.office.com/x"}, "provider"},
		{"short signing secret", webhook.Input{Provider: webhook.Slack, URL: "https://hooks.slack.com/services/T0/B0/abc", SigningSecret: "short"}, "signing_secret"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Name = fmt.Sprintf("hook %d", i)
			h, err := w.svc.Create(w.ctx, w.adminA, w.orgA, tt.in)
			if tt.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if err := w.svc.Delete(w.ctx, w.adminA, w.orgA, h.ID); err != nil {
					t.Fatal(err)
				}
				return
			}
			var ae *apperr.Error
			if !apperr.Is(err, apperr.Invalid) || !asAppErr(err, &ae) || ae.Fields[tt.field] == "" {
				t.Errorf("err = %v, want invalid %s", err, tt.field)
			}
		})
	}
}

func asAppErr(err error, target **apperr.Error) bool {
	e, ok := err.(*apperr.Error)
	*target = e
	return ok
}

func TestRetriesAndDeadDeliveries(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		h := w.create(t, webhook.Input{Provider: webhook.Slack, Name: "slack", URL: w.hostURL + slackPath})

		// A server error and a rate limit are retried with backoff.
		w.peer.answer(http.StatusInternalServerError, http.StatusTooManyRequests, http.StatusOK)
		if err := w.svc.PostToOrg(w.ctx, w.orgA, "一件目", "", ""); err != nil {
			t.Fatal(err)
		}
		for i, want := range []notify.DeliveryStatus{notify.DeliveryFailed, notify.DeliveryFailed, notify.DeliverySent} {
			w.runDue(t, 1)
			d := w.deliveries(t, h.ID)[0]
			if d.Status != want || d.Attempts != i+1 {
				t.Fatalf("after attempt %d: %+v", i+1, d)
			}
			if want == notify.DeliveryFailed && !strings.Contains(d.LastError, "Slack answered") {
				t.Errorf("last error = %q", d.LastError)
			}
			w.runDue(t, 0)
			w.clock.Advance(time.Hour)
		}

		// A revoked URL (404) is dead at once.
		w.peer.answer(http.StatusNotFound)
		if err := w.svc.PostToOrg(w.ctx, w.orgA, "二件目", "", ""); err != nil {
			t.Fatal(err)
		}
		w.runDue(t, 1)
		if d := w.deliveries(t, h.ID)[0]; d.Status != notify.DeliveryDead || d.Attempts != 1 || !strings.Contains(d.LastError, "404") {
			t.Errorf("after a 404: %+v", d)
		}

		// An unreachable service: the error is recorded without the URL,
		// which is a secret.
		w.peer.srv.Close()
		if err := w.svc.PostToOrg(w.ctx, w.orgA, "三件目", "", ""); err != nil {
			t.Fatal(err)
		}
		w.runDue(t, 1)
		d := w.deliveries(t, h.ID)[0]
		if d.Status != notify.DeliveryFailed || d.LastError == "" || strings.Contains(d.LastError, "SECRET") {
			t.Errorf("unreachable: %+v", d)
		}

		// A disabled webhook gets nothing new.
		if err := w.svc.SetEnabled(w.ctx, w.adminA, w.orgA, h.ID, false); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.PostToOrg(w.ctx, w.orgA, "四件目", "", ""); err != nil {
			t.Fatal(err)
		}
		if n := len(w.deliveries(t, h.ID)); n != 3 {
			t.Errorf("%d deliveries, want 3", n)
		}
		// and its pending retry dies instead of posting.
		w.clock.Advance(time.Hour)
		w.runDue(t, 1)
		if d := w.deliveries(t, h.ID)[0]; d.Status != notify.DeliveryDead || !strings.Contains(d.LastError, "disabled") {
			t.Errorf("retry of a disabled webhook: %+v", d)
		}
	})
}

func TestTestMessage(t *testing.T) {
	w := newWorld(t, sqlstoretest.DSN(t, sqlstore.SQLite))
	h := w.create(t, webhook.Input{Provider: webhook.Discord, Name: "discord", URL: w.hostURL + discordPath})
	d, err := w.svc.Test(w.ctx, w.adminA, w.orgA, h.ID)
	if err != nil || d.Status != notify.DeliverySent || d.JobID != 0 {
		t.Fatalf("Test = %+v, %v", d, err)
	}
	if got := w.peer.requests(); len(got) != 1 || !strings.Contains(string(got[0].Body), "テスト送信") {
		t.Errorf("requests = %+v", got)
	}
	w.peer.answer(http.StatusUnauthorized)
	d, err = w.svc.Test(w.ctx, w.adminA, w.orgA, h.ID)
	if err != nil || d.Status != notify.DeliveryDead || !strings.Contains(d.LastError, "401") {
		t.Errorf("Test against a refusing service = %+v, %v", d, err)
	}
	w.runDue(t, 0) // a test is never retried
}

func TestSecretsSealedAtRest(t *testing.T) {
	sqlstoretest.Each(t, func(t *testing.T, dsn string) {
		w := newWorld(t, dsn)
		slack := w.create(t, webhook.Input{Provider: webhook.Slack, Name: "slack", URL: w.hostURL + slackPath, SigningSecret: signingKey})
		chatwork := w.create(t, webhook.Input{Provider: webhook.Chatwork, Name: "cw", RoomID: "55", Token: "0123456789abcdefCHATWORKtoken"})

		raw := rawDB(t, dsn)
		rows, err := raw.Query(`SELECT id, url_sealed, url_hint, token_sealed, secret_sealed FROM webhooks ORDER BY id`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			n++
			var id int64
			var u, hint, token, secret string
			if err := rows.Scan(&id, &u, &hint, &token, &secret); err != nil {
				t.Fatal(err)
			}
			for _, plain := range []string{"SECRETslack", "T0HAKUI01", "CHATWORKtoken", signingKey} {
				if strings.Contains(u+hint+token+secret, plain) {
					t.Errorf("row %d holds %q in clear", id, plain)
				}
			}
			if strings.Contains(u, "/services/") || strings.Contains(u, "/v2/rooms/") {
				t.Errorf("row %d: url_sealed holds the URL in clear: %q", id, u)
			}
			if !strings.HasPrefix(u, "v1:k1:") {
				t.Errorf("row %d: url_sealed = %q", id, u)
			}
		}
		if err := rows.Err(); err != nil || n != 2 {
			t.Fatalf("%d rows, %v", n, err)
		}

		// The list shows masked URLs only.
		for _, h := range mustList(t, w) {
			if strings.Contains(h.URLHint, "SECRET") || strings.Contains(h.URLHint, "T0HAKUI01") {
				t.Errorf("hint %q shows the secret", h.URLHint)
			}
		}
		if want := w.hostURL + "/services/…1234"; slack.URLHint != want || !slack.Signed() {
			t.Errorf("slack hint %q (want %q), signed %v", slack.URLHint, want, slack.Signed())
		}
		// A ciphertext opens only in its own row.
		if _, err := w.keys.Open(slack.Sealed.URL, fmt.Sprintf("webhooks.url:%d", chatwork.ID)); err == nil {
			t.Error("a sealed URL opened under another row's context")
		}
		// A ciphertext moved to another row no longer opens there, so the
		// call fails instead of posting to the wrong channel.
		if _, err := raw.Exec(`UPDATE webhooks SET url_sealed = $1 WHERE id = $2`, slack.Sealed.URL, chatwork.ID); err != nil {
			t.Fatal(err)
		}
		if err := w.svc.SetEnabled(w.ctx, w.adminA, w.orgA, slack.ID, false); err != nil {
			t.Fatal(err)
		}
		before := len(w.peer.requests())
		if err := w.svc.PostToOrg(w.ctx, w.orgA, "移し替え", "", ""); err != nil {
			t.Fatal(err)
		}
		w.runDue(t, 1)
		if d := w.deliveries(t, chatwork.ID)[0]; d.Status != notify.DeliveryDead || len(w.peer.requests()) != before {
			t.Errorf("moved ciphertext: %+v", d)
		}
	})
}

// rawDB opens the database behind dsn without Hakui's store, as someone
// holding a copy of it would.
func rawDB(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	driver, source := "pgx", dsn
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		driver, source = "sqlite", path
	}
	db, err := sql.Open(driver, source)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestAuthorization(t *testing.T) {
	w := newWorld(t, sqlstoretest.DSN(t, sqlstore.SQLite))
	h := w.create(t, webhook.Input{Provider: webhook.Slack, Name: "slack", URL: w.hostURL + slackPath})
	in := webhook.Input{Provider: webhook.Slack, Name: "other", URL: w.hostURL + slackPath}
	tests := []struct {
		name  string
		actor policy.Actor
		org   int64
		want  apperr.Code
	}{
		{"administrator", w.adminA, w.orgA, ""},
		{"member", w.memberA, w.orgA, apperr.Forbidden},
		{"administrator of another organisation", w.adminB, w.orgA, apperr.Forbidden},
		{"another organisation's webhook through one's own", w.adminB, w.orgB, apperr.NotFound},
		{"anonymous", policy.Actor{}, w.orgA, apperr.Unauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ops := map[string]error{
				"test":        second(w.svc.Test(w.ctx, tt.actor, tt.org, h.ID)),
				"set enabled": w.svc.SetEnabled(w.ctx, tt.actor, tt.org, h.ID, true),
			}
			if tt.want != apperr.NotFound {
				ops["list"] = second(w.svc.List(w.ctx, tt.actor, tt.org))
				ops["deliveries"] = second(w.svc.Deliveries(w.ctx, tt.actor, tt.org, 10))
				ops["create"] = second(w.svc.Create(w.ctx, tt.actor, tt.org, in))
			}
			for op, err := range ops {
				if got := apperr.CodeOf(err); got != tt.want {
					t.Errorf("%s: %v, want %q", op, err, tt.want)
				}
			}
		})
	}
	if err := w.svc.Delete(w.ctx, w.adminB, w.orgB, h.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("deleting another organisation's webhook: %v", err)
	}
	if err := w.svc.Delete(w.ctx, w.adminA, w.orgA, h.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Create(w.ctx, w.adminA, w.orgA, in); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("duplicate name: %v", err)
	}
}

func second[T any](_ T, err error) error { return err }
