package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/webhook"
)

// chatPeer stands in for Slack, Discord and Chatwork: a TLS server that
// records every post. It becomes the webhook service's only host.
type chatPeer struct {
	srv   *httptest.Server
	host  string
	mu    sync.Mutex
	posts []chatPost
}

type chatPost struct {
	Path      string
	Header    http.Header
	Body      []byte
	Delivered string // X-Hakui-Delivery
}

func newChatPeer(t *testing.T, env *apptest.Env) *chatPeer {
	t.Helper()
	p := &chatPeer{}
	p.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		p.mu.Lock()
		p.posts = append(p.posts, chatPost{Path: r.URL.Path, Header: r.Header.Clone(), Body: body, Delivered: r.Header.Get("X-Hakui-Delivery")})
		p.mu.Unlock()
		io.WriteString(w, "ok")
	}))
	t.Cleanup(p.srv.Close)
	p.host = p.srv.Listener.Addr().String()
	env.Main.Webhooks.TestHost = p.host
	env.Main.Webhooks.Client = p.srv.Client()
	return p
}

// received returns the posts so far.
func (p *chatPeer) received() []chatPost {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.posts)
}

// Secrets the tests type in; no answer may ever show them.
const (
	slackSecret   = "s3cr3tS3cr3tS3cr3tS3cr3t"
	signingSecret = "sign-me-with-this-0123456789"
	chatworkToken = "cwTokenAbcdefghijklmnop0123"
)

func (p *chatPeer) slackURL() string {
	return "https://" + p.host + "/services/T0HAKUI01/B0HAKUI02/" + slackSecret
}

type hookJSON struct {
	ID       int64  `json:"id"`
	OrgID    int64  `json:"organisation_id"`
	Provider string `json:"provider"`
	Name     string `json:"name"`
	URLHint  string `json:"url_hint"`
	Enabled  bool   `json:"enabled"`
	Signed   bool   `json:"signed"`
}

type deliveryJSON struct {
	ID        int64      `json:"id"`
	Channel   string     `json:"channel"`
	Target    string     `json:"target"`
	Subject   string     `json:"subject"`
	WebhookID *int64     `json:"webhook_id"`
	Status    string     `json:"status"`
	Attempts  int        `json:"attempts"`
	LastError string     `json:"last_error"`
	SentAt    *time.Time `json:"sent_at"`
}

// slackBody is an incoming-webhook message as Slack reads it.
type slackBody struct {
	Text   string `json:"text"`
	Blocks []struct {
		Type string `json:"type"`
		Text struct {
			Type string `json:"type"`
			Text string `json:"text"`
		} `json:"text"`
	} `json:"blocks"`
}

// TestWebhooksAPI: an agency's administrator adds a Slack webhook, tests
// it, and sees a new lead posted through the job queue, signed and in
// Slack's format; other people cannot touch it, and no answer shows the
// secret URL.
func TestWebhooksAPI(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		peer := newChatPeer(t, env)
		agency := env.Org(identity.OrgAgency, "さくらメディカルキャリア")
		rivalAgency := env.Org(identity.OrgAgency, "つばきキャリア")
		admin := env.User("boss@sakura.example.jp", "鈴木 一郎", identity.Grant{Role: identity.RoleAgent, OrgID: agency, OrgAdmin: true})
		member := env.User("agent@sakura.example.jp", "高橋 三郎", identity.Grant{Role: identity.RoleAgent, OrgID: agency})
		rival := env.User("boss@tsubaki.example.jp", "田中 次郎", identity.Grant{Role: identity.RoleAgent, OrgID: rivalAgency, OrgAdmin: true})
		admins := papiTokens(t, env, admin.Email, env.EnableTOTP(admin), "write", "read")
		boss, bossRead := admins[0], admins[1]
		staff := papiTokens(t, env, member.Email, env.EnableTOTP(member), "write")[0]
		other := papiTokens(t, env, rival.Email, env.EnableTOTP(rival), "write")[0]
		anon := papiClient{t: t, env: env}
		base := "/organisations/" + itoa(agency)

		var answers []string // every body the API sent back
		must := func(c papiClient, want int, method, path string, body, out any) {
			t.Helper()
			answers = append(answers, c.must(want, method, path, body, out))
		}

		// Bad input is refused field by field.
		for _, tt := range []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"unknown provider", map[string]any{"provider": "line", "name": "x"}, "provider"},
			{"no name", map[string]any{"provider": "slack", "name": " ", "url": peer.slackURL()}, "name"},
			{"another host", map[string]any{"provider": "slack", "name": "x", "url": "https://evil.example.jp/services/T1/B1/abc"}, "url"},
			{"plain http", map[string]any{"provider": "slack", "name": "x", "url": strings.Replace(peer.slackURL(), "https", "http", 1)}, "url"},
			{"Discord URL for Slack", map[string]any{"provider": "slack", "name": "x", "url": "https://" + peer.host + "/api/webhooks/1/abc"}, "url"},
			{"Chatwork without a token", map[string]any{"provider": "chatwork", "name": "x", "room_id": "123"}, "token"},
			{"short signing secret", map[string]any{"provider": "slack", "name": "x", "url": peer.slackURL(), "signing_secret": "short"}, "signing_secret"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				if p := boss.problem(http.StatusBadRequest, "POST", base+"/webhooks", tt.body); p.Errors[tt.field] == "" {
					t.Errorf("no message for %s: %+v", tt.field, p)
				}
			})
		}
		boss.problem(http.StatusBadRequest, "POST", base+"/webhooks", map[string]any{"provider": "slack", "name": "x", "secret": "x"})

		var hook hookJSON
		must(boss, http.StatusCreated, "POST", base+"/webhooks", map[string]any{"provider": "slack", "name": "営業チーム #leads",
			"url": peer.slackURL(), "signing_secret": signingSecret}, &hook)
		wantHint := "https://" + peer.host + "/services/…" + slackSecret[len(slackSecret)-4:]
		if hook.Provider != "slack" || hook.OrgID != agency || hook.URLHint != wantHint || !hook.Enabled || !hook.Signed {
			t.Fatalf("created %+v, want hint %q", hook, wantHint)
		}
		hookPath := base + "/webhooks/" + itoa(hook.ID)
		if p := boss.problem(http.StatusBadRequest, "POST", base+"/webhooks", map[string]any{"provider": "slack",
			"name": "営業チーム #leads", "url": peer.slackURL()}); p.Errors["name"] == "" {
			t.Fatalf("same name twice: %+v", p)
		}

		// The test post goes at once, signed.
		var test deliveryJSON
		must(boss, http.StatusOK, "POST", hookPath+"/test", nil, &test)
		if test.Status != "sent" || test.Attempts != 1 || test.Channel != "slack" || test.Target != wantHint || test.LastError != "" {
			t.Fatalf("test delivery = %+v", test)
		}
		posts := peer.received()
		if len(posts) != 1 || posts[0].Path != "/services/T0HAKUI01/B0HAKUI02/"+slackSecret ||
			posts[0].Header.Get("Content-Type") != "application/json" || posts[0].Delivered != itoa(test.ID) {
			t.Fatalf("test post = %+v", posts)
		}
		checkSignature(t, posts[0])

		// A doctor writes through the public form; the post waits for the
		// worker.
		var contact struct {
			PurposeHash string `json:"purpose_hash"`
		}
		anon.must(http.StatusOK, "GET", "/agencies/"+itoa(agency)+"/contact", nil, &contact)
		var lead papiID
		anon.must(http.StatusCreated, "POST", "/agencies/"+itoa(agency)+"/contact", map[string]any{"name": "山田 太郎",
			"email": "yamada@example.jp", "message": "当直の求人を探しています。", "consent_purpose": true, "purpose_hash": contact.PurposeHash}, &lead)
		var list struct {
			Deliveries []deliveryJSON `json:"deliveries"`
		}
		must(boss, http.StatusOK, "GET", base+"/deliveries", nil, &list)
		if len(list.Deliveries) != 2 || list.Deliveries[0].Status != "pending" || list.Deliveries[0].Subject != "新しいお問い合わせ" ||
			list.Deliveries[1].ID != test.ID || list.Deliveries[1].Status != "sent" || list.Deliveries[1].SentAt == nil {
			t.Fatalf("deliveries before the worker = %+v", list.Deliveries)
		}
		if n, err := env.Main.Worker.RunDue(ctx); err != nil || n == 0 {
			t.Fatalf("RunDue = %d, %v", n, err)
		}
		must(bossRead, http.StatusOK, "GET", base+"/deliveries?limit=1", nil, &list)
		d := list.Deliveries
		if len(d) != 1 || d[0].Status != "sent" || d[0].Attempts != 1 || d[0].SentAt == nil || d[0].LastError != "" ||
			d[0].WebhookID == nil || *d[0].WebhookID != hook.ID || d[0].Target != wantHint {
			t.Fatalf("delivery after the worker = %+v", d)
		}
		posts = peer.received()
		if len(posts) != 2 || posts[1].Delivered != itoa(d[0].ID) {
			t.Fatalf("posts = %d, want the lead's as the second", len(posts))
		}
		checkSignature(t, posts[1])
		var msg slackBody
		if err := json.Unmarshal(posts[1].Body, &msg); err != nil {
			t.Fatalf("not Slack's JSON: %v: %s", err, posts[1].Body)
		}
		leadURL := env.Server.URL + "/agency/leads/" + itoa(lead.ID)
		if !strings.HasPrefix(msg.Text, "新しいお問い合わせ\n") || !strings.HasSuffix(msg.Text, leadURL) || len(msg.Blocks) != 1 ||
			msg.Blocks[0].Type != "section" || msg.Blocks[0].Text.Type != "mrkdwn" ||
			!strings.HasPrefix(msg.Blocks[0].Text.Text, "*<"+leadURL+"|新しいお問い合わせ>*\n") {
			t.Fatalf("Slack message = %+v", msg)
		}
		if strings.Contains(string(posts[1].Body), "山田") || strings.Contains(string(posts[1].Body), "yamada@") {
			t.Fatalf("the lead's name or address went to the channel: %s", posts[1].Body)
		}

		// Who may not: the matrix, then proof that nothing changed.
		denied := []int{http.StatusForbidden}
		hidden := []int{http.StatusNotFound}
		rivalPath := "/organisations/" + itoa(rivalAgency) + "/webhooks/" + itoa(hook.ID)
		create := map[string]any{"provider": "slack", "name": "乗っ取り", "url": peer.slackURL()}
		for _, tt := range []struct {
			name         string
			who          papiClient
			method, path string
			body         any
			want         []int
		}{
			{"member lists", staff, "GET", base + "/webhooks", nil, denied},
			{"member adds", staff, "POST", base + "/webhooks", create, denied},
			{"member turns off", staff, "PATCH", hookPath, map[string]any{"enabled": false}, denied},
			{"member deletes", staff, "DELETE", hookPath, nil, denied},
			{"member tests", staff, "POST", hookPath + "/test", nil, denied},
			{"member reads deliveries", staff, "GET", base + "/deliveries", nil, denied},
			{"other admin lists", other, "GET", base + "/webhooks", nil, denied},
			{"other admin adds", other, "POST", base + "/webhooks", create, denied},
			{"other admin turns off", other, "PATCH", hookPath, map[string]any{"enabled": false}, denied},
			{"other admin deletes", other, "DELETE", hookPath, nil, denied},
			{"other admin tests", other, "POST", hookPath + "/test", nil, denied},
			{"other admin reads deliveries", other, "GET", base + "/deliveries", nil, denied},
			{"other admin turns off through own org", other, "PATCH", rivalPath, map[string]any{"enabled": false}, hidden},
			{"other admin deletes through own org", other, "DELETE", rivalPath, nil, hidden},
			{"other admin tests through own org", other, "POST", rivalPath + "/test", nil, hidden},
			{"read token adds", bossRead, "POST", base + "/webhooks", create, denied},
			{"read token turns off", bossRead, "PATCH", hookPath, map[string]any{"enabled": false}, denied},
			{"read token deletes", bossRead, "DELETE", hookPath, nil, denied},
			{"anonymous lists", anon, "GET", base + "/webhooks", nil, []int{http.StatusUnauthorized}},
			{"malformed webhook ID", boss, "DELETE", base + "/webhooks/abc", nil, hidden},
			{"missing webhook", boss, "POST", base + "/webhooks/424242/test", nil, hidden},
			{"no enabled field", boss, "PATCH", hookPath, map[string]any{}, []int{http.StatusBadRequest}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				r := env.Client().Do(papiRequest(env, tt.who.token, tt.method, tt.path, tt.body))
				answers = append(answers, r.Body)
				if !slices.Contains(tt.want, r.Status) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
					t.Errorf("%s %s: %d %s, want %v problem+json: %s", tt.method, tt.path, r.Status, r.Header.Get("Content-Type"), tt.want, r.Body)
				}
			})
		}
		var hooks struct {
			Webhooks []hookJSON `json:"webhooks"`
		}
		must(bossRead, http.StatusOK, "GET", base+"/webhooks", nil, &hooks)
		if len(hooks.Webhooks) != 1 || hooks.Webhooks[0] != hook {
			t.Fatalf("webhooks after refused requests = %+v, want %+v", hooks.Webhooks, hook)
		}
		if got := len(peer.received()); got != 2 {
			t.Fatalf("refused tests posted: %d posts", got)
		}

		// Off, then deleted with its deliveries.
		must(boss, http.StatusNoContent, "PATCH", hookPath, map[string]any{"enabled": false}, nil)
		must(boss, http.StatusOK, "GET", base+"/webhooks", nil, &hooks)
		if len(hooks.Webhooks) != 1 || hooks.Webhooks[0].Enabled {
			t.Fatalf("after turning off: %+v", hooks.Webhooks)
		}
		must(boss, http.StatusNoContent, "DELETE", hookPath, nil, nil)
		must(boss, http.StatusOK, "GET", base+"/webhooks", nil, &hooks)
		must(boss, http.StatusOK, "GET", base+"/deliveries", nil, &list)
		if len(hooks.Webhooks) != 0 || len(list.Deliveries) != 0 {
			t.Fatalf("after delete: %+v %+v", hooks.Webhooks, list.Deliveries)
		}

		for _, body := range answers {
			if strings.Contains(body, slackSecret) || strings.Contains(body, signingSecret) {
				t.Fatalf("an answer shows a secret: %s", body)
			}
		}
	})
}

// checkSignature verifies X-Hakui-Signature as a receiver would.
func checkSignature(t *testing.T, p chatPost) {
	t.Helper()
	sig := p.Header.Get(webhook.SignatureHeader)
	ts, _, ok := strings.Cut(strings.TrimPrefix(sig, "t="), ",")
	unix, err := strconv.ParseInt(ts, 10, 64)
	if !ok || err != nil || sig != webhook.Sign([]byte(signingSecret), time.Unix(unix, 0), p.Body) {
		t.Fatalf("bad signature %q", sig)
	}
}

// TestWebhookPages: an administrator adds Slack and Chatwork webhooks
// through the page, tests, pauses and deletes them; the page never shows
// a secret, and is closed to everyone else.
func TestWebhookPages(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		peer := newChatPeer(t, env)
		clinic := env.Org(identity.OrgInstitution, "みなと内科クリニック")
		rivalClinic := env.Org(identity.OrgInstitution, "やまて病院")
		admin := env.User("boss@minato.example.jp", "佐藤 花子", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: clinic, OrgAdmin: true})
		member := env.User("staff@minato.example.jp", "伊藤 四郎", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: clinic})
		rival := env.User("boss@yamate.example.jp", "渡辺 五郎", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: rivalClinic, OrgAdmin: true})
		boss, staff, other := env.Client(), env.Client(), env.Client()
		boss.Login(admin.Email, env.EnableTOTP(admin))
		staff.Login(member.Email, env.EnableTOTP(member))
		other.Login(rival.Email, env.EnableTOTP(rival))
		page := "/orgs/" + itoa(clinic) + "/webhooks"

		var pages []*apptest.Response // every page the administrator saw
		see := func(r *apptest.Response, status int, what string, texts ...string) *apptest.Response {
			t.Helper()
			pages = append(pages, r)
			pwebExpect(t, r, status, what)
			pwebContains(t, r, what, texts...)
			return r
		}

		r := see(boss.Get(page), http.StatusOK, "empty page", "Webhook 通知", "みなと内科クリニック", "医師の紹介", webhook.SignatureHeader,
			"HMAC-SHA256", "Webhook はまだありません。", "送信の記録はまだありません。")
		if strings.Contains(r.Body, "新しいお問い合わせ") {
			t.Fatal("a clinic's page lists the agencies' events")
		}
		pwebExpect(t, staff.Get(page), http.StatusForbidden, "member")
		pwebExpect(t, other.Get(page), http.StatusForbidden, "other organisation's administrator")
		pwebExpect(t, other.Post(page, url.Values{"provider": {"slack"}, "name": {"x"}, "url": {peer.slackURL()}}), http.StatusForbidden,
			"other organisation's administrator adds")

		// Errors name each field; the secrets typed are not written back.
		r = see(boss.Post(page, url.Values{"provider": {"chatwork"}, "name": {"医局"}, "room_id": {"98765"}, "token": {"typo!"},
			"signing_secret": {signingSecret[:10]}}), http.StatusBadRequest, "bad Chatwork form",
			"Chatwork の API トークンを入力してください。", "署名用シークレットは空白を含まない 16〜256 文字にしてください。", `value="98765"`)
		if strings.Contains(r.Body, "typo!") || strings.Contains(r.Body, signingSecret[:10]) {
			t.Fatal("the form wrote a secret back")
		}
		see(boss.Post(page, url.Values{"provider": {"slack"}, "name": {"医局"}, "url": {"https://hooks.slack.example.jp/x"}}),
			http.StatusBadRequest, "bad Slack URL", "Slack の Webhook URL（https://hooks.slack.com/services/…）を入力してください。")

		r = see(boss.Post(page, url.Values{"provider": {"slack"}, "name": {"医局 #紹介"}, "url": {peer.slackURL()}}),
			http.StatusSeeOther, "add Slack")
		if r.Location != page {
			t.Fatalf("added Slack, went to %q", r.Location)
		}
		see(boss.Post(page, url.Values{"provider": {"chatwork"}, "name": {"事務室"}, "room_id": {"98765"}, "token": {chatworkToken},
			"signing_secret": {signingSecret}}), http.StatusSeeOther, "add Chatwork")
		chatworkHint := "https://" + peer.host + "/v2/rooms/98765/messages"
		see(boss.Get(page), http.StatusOK, "list", "Webhook「事務室」を追加しました。", "医局 #紹介", "Slack",
			"https://"+peer.host+"/services/…"+slackSecret[len(slackSecret)-4:], "事務室", "Chatwork", chatworkHint, "停止する")

		hooks, err := env.Main.DB.Webhooks(context.Background(), clinic)
		if err != nil || len(hooks) != 2 {
			t.Fatalf("stored webhooks: %v %+v", err, hooks)
		}
		slack, chatwork := page+"/"+itoa(hooks[0].ID), page+"/"+itoa(hooks[1].ID)

		// A test post to Chatwork carries the token and the signature.
		r = see(boss.Post(chatwork+"/test", nil), http.StatusSeeOther, "test Chatwork")
		if r.Location != page+"#deliveries" {
			t.Fatalf("tested, went to %q", r.Location)
		}
		see(boss.Get(page), http.StatusOK, "after the test", "テスト送信しました。", "Hakui からのテスト送信", "送信済み")
		posts := peer.received()
		if len(posts) != 1 || posts[0].Path != "/v2/rooms/98765/messages" || posts[0].Header.Get("X-ChatWorkToken") != chatworkToken ||
			!strings.HasPrefix(string(posts[0].Body), "body=%5Binfo%5D%5Btitle%5D") {
			t.Fatalf("Chatwork post = %+v", posts)
		}
		checkSignature(t, posts[0])

		// Paused, it is marked so; the member cannot resume it.
		see(boss.Post(slack+"/enabled", url.Values{"enabled": {"0"}}), http.StatusSeeOther, "pause")
		see(boss.Get(page), http.StatusOK, "paused", "Webhook を停止しました。", "停止中", "再開する")
		pwebExpect(t, staff.Post(slack+"/enabled", url.Values{"enabled": {"1"}}), http.StatusForbidden, "member resumes")
		pwebExpect(t, other.Post(slack+"/delete", url.Values{"confirm": {"医局 #紹介"}}), http.StatusForbidden, "other deletes")

		// Deleting asks for the name.
		see(boss.Post(slack+"/delete", url.Values{"confirm": {"医局"}}), http.StatusBadRequest, "delete unconfirmed",
			"削除するには、確認のため「医局 #紹介」と入力してください。")
		see(boss.Post(slack+"/delete", url.Values{"confirm": {"医局 #紹介"}}), http.StatusSeeOther, "delete")
		r = see(boss.Get(page), http.StatusOK, "after delete", "Webhook「医局 #紹介」を削除しました。", "事務室")
		if strings.Contains(r.Body, "医局 #紹介</td>") {
			t.Fatal("the deleted webhook is still listed")
		}

		for _, r := range pages {
			for _, secret := range []string{slackSecret, chatworkToken, signingSecret} {
				if strings.Contains(r.Body, secret) {
					t.Fatalf("a page shows the secret %q", secret)
				}
			}
		}
	})
}
