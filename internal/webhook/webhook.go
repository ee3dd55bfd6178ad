// Package webhook posts an organisation's events to its chat: Slack and
// Discord incoming webhooks and Chatwork rooms, each in the service's own
// format. Organisation administrators manage the webhooks; every call is a
// job on the queue, retried with backoff and recorded as a notify.Delivery.
//
// The URL of a Slack or Discord webhook is itself the credential (anyone
// who has it can post), as is a Chatwork API token: both are sealed by the
// vault at rest and shown only masked. None of the services verifies a
// signature on what it receives; a webhook may still carry a signing
// secret, and its posts are then signed (see Sign) for a relay that checks.
//
// It is a package of its own rather than part of notify: notify speaks to
// one user, a webhook to an organisation's channel, managed under the
// organisation's policy.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/jobs"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/vault"
)

// KindPost is the job kind that makes one webhook call.
const KindPost = "webhook.post"

// MaxPerOrg is how many webhooks one organisation may have.
const MaxPerOrg = 10

// Provider is the chat service a webhook posts to.
type Provider string

// Providers.
const (
	Slack    Provider = "slack"
	Discord  Provider = "discord"
	Chatwork Provider = "chatwork"
)

// Providers lists every provider, in the order forms show them.
var Providers = []Provider{Slack, Discord, Chatwork}

// Label returns the service's name.
func (p Provider) Label() string {
	switch p {
	case Slack:
		return "Slack"
	case Discord:
		return "Discord"
	case Chatwork:
		return "Chatwork"
	}
	return string(p)
}

// Webhook is an organisation's outgoing webhook. Its secrets stay sealed
// in Sealed; URLHint is the masked URL to show.
type Webhook struct {
	ID        int64
	OrgID     int64
	Provider  Provider
	Name      string
	URLHint   string
	Enabled   bool
	CreatedBy int64
	CreatedAt time.Time
	Sealed    Sealed
}

// Signed reports whether the webhook's posts carry SignatureHeader.
func (h *Webhook) Signed() bool { return h.Sealed.Secret != "" }

// Sealed holds a webhook's secrets as vault ciphertexts ("" when unset),
// each sealed under the context "webhooks.<field>:<id>".
type Sealed struct {
	URL    string
	Token  string // Chatwork's API token
	Secret string // the signing secret
}

// Input is what an administrator enters to add a webhook.
type Input struct {
	Provider Provider
	Name     string
	URL      string // Slack or Discord: the webhook URL the service gave
	RoomID   string // Chatwork: the room to post to
	Token    string // Chatwork: an API token allowed to post there
	// SigningSecret is optional: when set, posts carry SignatureHeader.
	SigningSecret string
}

// Message is what a webhook posts: a title, a body and a link to Hakui
// (relative links are made absolute with the base URL).
type Message struct {
	Title string `json:"title"`
	Body  string `json:"body"`
	Link  string `json:"link"`
}

// Store keeps webhooks and their deliveries.
type Store interface {
	// CreateWebhook inserts h and sets its ID and CreatedAt; seal is
	// called, inside the transaction, with the new ID and returns the
	// sealed secrets to store. Returns conflict for a name the
	// organisation already uses.
	CreateWebhook(ctx context.Context, h *Webhook, seal func(id int64) (Sealed, error)) error
	// Webhooks lists an organisation's webhooks in ID order.
	Webhooks(ctx context.Context, orgID int64) ([]Webhook, error)
	// Webhook returns one webhook, or not_found.
	Webhook(ctx context.Context, id int64) (*Webhook, error)
	// SetWebhookEnabled turns a webhook on or off; not_found.
	SetWebhookEnabled(ctx context.Context, id int64, enabled bool) error
	// DeleteWebhook removes a webhook and its deliveries; not_found.
	DeleteWebhook(ctx context.Context, id int64) error
	notify.DeliveryStore
}

// Service manages webhooks and posts to them.
type Service struct {
	Store Store
	Guard *guard.Guard
	Audit *audit.Recorder
	Keys  *vault.Keyring
	Jobs  *jobs.Queue
	Log   *slog.Logger
	// BaseURL makes relative links absolute.
	BaseURL func() string
	// Client makes the calls. nil: a client with a 10-second timeout that
	// follows no redirect, so that a webhook cannot be bounced elsewhere.
	Client *http.Client
	// TestHost is for tests only: a host:port (an httptest TLS server)
	// accepted in place of every service's host. Chatwork webhooks created
	// while it is set post there.
	TestHost string
}

var errBadURL = errors.New("webhook: not a webhook URL of the service")

// Create adds a webhook to the organisation. Only the organisation's
// administrators may; the URL must be the service's own (see checkURL).
func (s *Service) Create(ctx context.Context, actor policy.Actor, orgID int64, in Input) (*Webhook, error) {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindWebhook, OrgID: orgID}); err != nil {
		return nil, err
	}
	in.Name = strings.TrimSpace(in.Name)
	fields := map[string]string{}
	if n := len([]rune(in.Name)); n < 1 || n > 100 {
		fields["name"] = "名前を 1〜100 文字で入力してください。"
	}
	var target string
	switch in.Provider {
	case Slack, Discord:
		target = strings.TrimSpace(in.URL)
	case Chatwork:
		in.RoomID, in.Token = strings.TrimSpace(in.RoomID), strings.TrimSpace(in.Token)
		if !chatworkRoom.MatchString(in.RoomID) {
			fields["room_id"] = "ルーム ID（数字）を入力してください。"
		}
		if !chatworkToken.MatchString(in.Token) {
			fields["token"] = "Chatwork の API トークンを入力してください。"
		}
		target = "https://" + s.chatworkHost() + "/v2/rooms/" + in.RoomID + "/messages"
	default:
		fields["provider"] = "送信先のサービスを選んでください。"
	}
	u, err := checkURL(in.Provider, target, s.TestHost)
	if err != nil && fields["provider"] == "" && fields["room_id"] == "" {
		fields["url"] = fmt.Sprintf("%s の Webhook URL（https://%s…）を入力してください。", in.Provider.Label(), providerHost(in.Provider))
	}
	if n := len(in.SigningSecret); n != 0 && (n < 16 || n > 256 || strings.ContainsAny(in.SigningSecret, " \t\r\n")) {
		fields["signing_secret"] = "署名用シークレットは空白を含まない 16〜256 文字にしてください。"
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	existing, err := s.Store.Webhooks(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if len(existing) >= MaxPerOrg {
		return nil, apperr.E(apperr.Invalid, "Webhook は 1 組織につき %d 件までです。", MaxPerOrg)
	}
	h := &Webhook{OrgID: orgID, Provider: in.Provider, Name: in.Name, URLHint: hint(in.Provider, u), Enabled: true, CreatedBy: actor.UserID}
	err = s.Store.CreateWebhook(ctx, h, func(id int64) (Sealed, error) {
		var sealed Sealed
		var err error
		if sealed.URL, err = s.Keys.Seal([]byte(u.String()), SealContext("url", id)); err != nil {
			return sealed, err
		}
		if in.Token != "" {
			if sealed.Token, err = s.Keys.Seal([]byte(in.Token), SealContext("token", id)); err != nil {
				return sealed, err
			}
		}
		if in.SigningSecret != "" {
			sealed.Secret, err = s.Keys.Seal([]byte(in.SigningSecret), SealContext("secret", id))
		}
		return sealed, err
	})
	if apperr.Is(err, apperr.Conflict) {
		return nil, apperr.InvalidFields(map[string]string{"name": "同じ名前の Webhook があります。"})
	}
	if err != nil {
		return nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.AdminAction, ActorID: actor.UserID, ObjectKind: string(policy.KindWebhook), ObjectID: h.ID,
		Detail: fmt.Sprintf("create webhook %s %q for organisation %d", h.Provider, h.Name, orgID)})
	return h, nil
}

// List returns the organisation's webhooks, for its administrators.
func (s *Service) List(ctx context.Context, actor policy.Actor, orgID int64) ([]Webhook, error) {
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindWebhook, OrgID: orgID}); err != nil {
		return nil, err
	}
	return s.Store.Webhooks(ctx, orgID)
}

// SetEnabled turns a webhook on or off.
func (s *Service) SetEnabled(ctx context.Context, actor policy.Actor, orgID, id int64, enabled bool) error {
	h, err := s.owned(ctx, actor, policy.Update, orgID, id)
	if err != nil {
		return err
	}
	if err := s.Store.SetWebhookEnabled(ctx, h.ID, enabled); err != nil {
		return err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.AdminAction, ActorID: actor.UserID, ObjectKind: string(policy.KindWebhook), ObjectID: h.ID,
		Detail: fmt.Sprintf("webhook %q enabled=%t", h.Name, enabled)})
	return nil
}

// Delete removes a webhook and its delivery records.
func (s *Service) Delete(ctx context.Context, actor policy.Actor, orgID, id int64) error {
	h, err := s.owned(ctx, actor, policy.Delete, orgID, id)
	if err != nil {
		return err
	}
	if err := s.Store.DeleteWebhook(ctx, h.ID); err != nil {
		return err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.AdminAction, ActorID: actor.UserID, ObjectKind: string(policy.KindWebhook), ObjectID: h.ID,
		Detail: fmt.Sprintf("delete webhook %s %q of organisation %d", h.Provider, h.Name, orgID)})
	return nil
}

// Test posts a test message at once, without retrying, and returns its
// recorded delivery: Status sent, or dead with LastError saying why.
func (s *Service) Test(ctx context.Context, actor policy.Actor, orgID, id int64) (*notify.Delivery, error) {
	h, err := s.owned(ctx, actor, policy.Update, orgID, id)
	if err != nil {
		return nil, err
	}
	m := s.absolute(Message{Title: "Hakui からのテスト送信", Body: fmt.Sprintf("Webhook「%s」は正しく設定されています。", h.Name), Link: "/"})
	d := &notify.Delivery{Channel: notify.Channel(h.Provider), Target: h.URLHint, Subject: m.Title, OrgID: h.OrgID, WebhookID: h.ID}
	if err := s.Store.CreateDelivery(ctx, d, nil); err != nil {
		return nil, err
	}
	a := notify.Attempt{Status: notify.DeliverySent, Attempts: 1}
	if err := s.call(ctx, h, m, d.ID); err != nil {
		a.Status, a.Error = notify.DeliveryDead, err.Error()
	}
	if err := s.Store.RecordDelivery(ctx, d.ID, a); err != nil {
		return nil, err
	}
	d.Status, d.Attempts, d.LastError = a.Status, a.Attempts, a.Error
	return d, nil
}

// Deliveries lists the organisation's latest webhook deliveries.
func (s *Service) Deliveries(ctx context.Context, actor policy.Actor, orgID int64, limit int) ([]notify.Delivery, error) {
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindWebhook, OrgID: orgID}); err != nil {
		return nil, err
	}
	return s.Store.Deliveries(ctx, notify.DeliveryFilter{OrgID: orgID, Limit: limit})
}

// PostToOrg queues the message for every enabled webhook of the
// organisation, one job (and one delivery) each. It is called for the
// organisation's events, with no actor: a failure here must not undo the
// event, so callers log the error and carry on.
func (s *Service) PostToOrg(ctx context.Context, orgID int64, title, body, link string) error {
	if s.Jobs == nil {
		return errors.New("webhook: no job queue to post through")
	}
	hooks, err := s.Store.Webhooks(ctx, orgID)
	if err != nil {
		return err
	}
	m := s.absolute(Message{Title: title, Body: body, Link: link})
	var errs []error
	queued := false
	for _, h := range hooks {
		if !h.Enabled {
			continue
		}
		j, err := jobs.NewJob(KindPost, postPayload{WebhookID: h.ID, Message: m})
		if err == nil {
			err = s.Jobs.Prepare(j)
		}
		if err == nil {
			d := &notify.Delivery{Channel: notify.Channel(h.Provider), Target: h.URLHint, Subject: truncate(m.Title, 300),
				OrgID: h.OrgID, WebhookID: h.ID}
			err = s.Store.CreateDelivery(ctx, d, j)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("webhook %d: %w", h.ID, err))
			continue
		}
		queued = true
	}
	if queued {
		s.Jobs.Wake()
	}
	return errors.Join(errs...)
}

// Register adds the webhook handler to the worker.
func (s *Service) Register(w *jobs.Worker) {
	w.Handle(KindPost, notify.Deliver(s.Store, s.log(), s.sendJob))
}

// postPayload is the payload of a KindPost job. It holds no secret: they
// are opened when the call is made.
type postPayload struct {
	WebhookID int64 `json:"webhook_id"`
	Message
}

// sendJob makes the call of a KindPost job.
func (s *Service) sendJob(ctx context.Context, j *jobs.Job, d *notify.Delivery) error {
	var p postPayload
	if err := j.Decode(&p); err != nil {
		return err
	}
	h, err := s.Store.Webhook(ctx, p.WebhookID)
	if apperr.Is(err, apperr.NotFound) {
		return jobs.Permanent(errors.New("webhook: the webhook was deleted"))
	}
	if err != nil {
		return err
	}
	if !h.Enabled {
		return jobs.Permanent(errors.New("webhook: the webhook is disabled"))
	}
	return s.call(ctx, h, p.Message, d.ID)
}

// call posts m to h once. Network errors, 408, 429 and 5xx answers are
// worth a retry; any other answer (a revoked URL's 404, a bad token's 401,
// a rejected body's 400, a redirect) is permanent: the delivery is dead at
// once, since no retry can cure it.
func (s *Service) call(ctx context.Context, h *Webhook, m Message, deliveryID int64) error {
	rawURL, err := s.open(h.Sealed.URL, "url", h.ID)
	if err != nil {
		return jobs.Permanent(err)
	}
	u, err := checkURL(h.Provider, rawURL, s.TestHost)
	if err != nil {
		return jobs.Permanent(err)
	}
	body, contentType, err := render(h.Provider, m)
	if err != nil {
		return jobs.Permanent(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return jobs.Permanent(err)
	}
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("User-Agent", "Hakui-Webhook/1")
	req.Header.Set("X-Hakui-Delivery", strconv.FormatInt(deliveryID, 10))
	if h.Sealed.Token != "" {
		token, err := s.open(h.Sealed.Token, "token", h.ID)
		if err != nil {
			return jobs.Permanent(err)
		}
		req.Header.Set("X-ChatWorkToken", token)
	}
	if h.Sealed.Secret != "" {
		secret, err := s.open(h.Sealed.Secret, "secret", h.ID)
		if err != nil {
			return jobs.Permanent(err)
		}
		req.Header.Set(SignatureHeader, Sign([]byte(secret), s.now(), body))
	}
	resp, err := s.client().Do(req)
	if err != nil {
		// The error names the URL, which is a secret: keep only the cause.
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("POST %s: %w", h.URLHint, err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	err = fmt.Errorf("%s answered %s: %s", h.Provider.Label(), resp.Status, strings.Join(strings.Fields(string(answer)), " "))
	if resp.StatusCode == http.StatusRequestTimeout || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return err
	}
	return jobs.Permanent(err)
}

// open unseals one of a webhook's secrets.
func (s *Service) open(sealed, field string, id int64) (string, error) {
	b, err := s.Keys.Open(sealed, SealContext(field, id))
	if err != nil {
		return "", fmt.Errorf("webhook %d: %s: %w", id, field, err)
	}
	return string(b), nil
}

// SealContext binds one of a webhook's secrets ("url", "token" or
// "secret") to its row, so that it does not open in another field or
// webhook. Key rotation re-seals with it.
func SealContext(field string, id int64) string {
	return "webhooks." + field + ":" + strconv.FormatInt(id, 10)
}

// owned checks the action on the organisation's webhooks, then loads the
// webhook, which must belong to that organisation (not_found otherwise).
func (s *Service) owned(ctx context.Context, actor policy.Actor, action policy.Action, orgID, id int64) (*Webhook, error) {
	if err := s.Guard.Check(ctx, actor, action, policy.Object{Kind: policy.KindWebhook, ID: id, OrgID: orgID}); err != nil {
		return nil, err
	}
	h, err := s.Store.Webhook(ctx, id)
	if err != nil {
		return nil, err
	}
	if h.OrgID != orgID {
		return nil, apperr.E(apperr.NotFound, "Webhook が見つかりません。")
	}
	return h, nil
}

// absolute makes the message's link absolute.
func (s *Service) absolute(m Message) Message {
	if strings.HasPrefix(m.Link, "/") && s.BaseURL != nil {
		m.Link = s.BaseURL() + m.Link
	}
	return m
}

func (s *Service) chatworkHost() string {
	if s.TestHost != "" {
		return s.TestHost
	}
	return "api.chatwork.com"
}

func providerHost(p Provider) string {
	switch p {
	case Slack:
		return "hooks.slack.com/services/"
	case Discord:
		return "discord.com/api/webhooks/"
	}
	return ""
}

func (s *Service) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return defaultClient
}

var defaultClient = &http.Client{
	Timeout:       10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func (s *Service) now() time.Time {
	if s.Jobs != nil {
		return s.Jobs.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}
