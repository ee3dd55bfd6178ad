package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/webhook"
)

// The organisation's outgoing webhooks, for its administrators. Secrets
// (a Slack or Discord URL, a Chatwork token, a signing secret) are
// accepted on create and never returned: a webhook shows its masked
// url_hint only.

type webhookJSON struct {
	ID        int64            `json:"id"`
	OrgID     int64            `json:"organisation_id"`
	Provider  webhook.Provider `json:"provider"`
	Name      string           `json:"name"`
	URLHint   string           `json:"url_hint"`
	Enabled   bool             `json:"enabled"`
	Signed    bool             `json:"signed"`
	CreatedBy int64            `json:"created_by"`
	CreatedAt time.Time        `json:"created_at"`
}

func toWebhookJSON(h *webhook.Webhook) webhookJSON {
	return webhookJSON{ID: h.ID, OrgID: h.OrgID, Provider: h.Provider, Name: h.Name, URLHint: h.URLHint, Enabled: h.Enabled,
		Signed: h.Signed(), CreatedBy: h.CreatedBy, CreatedAt: h.CreatedAt}
}

type deliveryJSON struct {
	ID        int64                 `json:"id"`
	Channel   notify.Channel        `json:"channel"`
	Target    string                `json:"target"`
	Subject   string                `json:"subject"`
	WebhookID *int64                `json:"webhook_id"`
	Status    notify.DeliveryStatus `json:"status"`
	Attempts  int                   `json:"attempts"`
	LastError string                `json:"last_error"`
	CreatedAt time.Time             `json:"created_at"`
	UpdatedAt time.Time             `json:"updated_at"`
	SentAt    *time.Time            `json:"sent_at"`
}

func toDeliveryJSON(d *notify.Delivery) deliveryJSON {
	return deliveryJSON{ID: d.ID, Channel: d.Channel, Target: d.Target, Subject: d.Subject, WebhookID: optID(d.WebhookID),
		Status: d.Status, Attempts: d.Attempts, LastError: d.LastError, CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt, SentAt: d.SentAt}
}

// webhookPath parses /organisations/{id}/webhooks/{webhook}.
func webhookPath(r *http.Request) (orgID, id int64, err error) {
	if orgID, err = pathID(r); err != nil {
		return 0, 0, err
	}
	id, err = strconv.ParseInt(r.PathValue("webhook"), 10, 64)
	if err != nil || id <= 0 {
		return 0, 0, apperr.E(apperr.NotFound, "Webhook が見つかりません。")
	}
	return orgID, id, nil
}

func (s *Server) webhooks(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	orgID, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Webhooks.List(r.Context(), cur.Actor(), orgID)
	if err != nil {
		return err
	}
	out := []webhookJSON{}
	for i := range list {
		out = append(out, toWebhookJSON(&list[i]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"webhooks": out})
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	orgID, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Provider      webhook.Provider `json:"provider"`
		Name          string           `json:"name"`
		URL           string           `json:"url"`
		RoomID        string           `json:"room_id"`
		Token         string           `json:"token"`
		SigningSecret string           `json:"signing_secret"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	h, err := s.Webhooks.Create(r.Context(), cur.Actor(), orgID, webhook.Input{Provider: in.Provider, Name: in.Name, URL: in.URL,
		RoomID: in.RoomID, Token: in.Token, SigningSecret: in.SigningSecret})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toWebhookJSON(h))
}

func (s *Server) setWebhookEnabled(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	orgID, id, err := webhookPath(r)
	if err != nil {
		return err
	}
	var in struct {
		Enabled *bool `json:"enabled"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Enabled == nil {
		return apperr.InvalidFields(map[string]string{"enabled": "true または false で指定してください。"})
	}
	if err := s.Webhooks.SetEnabled(r.Context(), cur.Actor(), orgID, id, *in.Enabled); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	orgID, id, err := webhookPath(r)
	if err != nil {
		return err
	}
	if err := s.Webhooks.Delete(r.Context(), cur.Actor(), orgID, id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// testWebhook posts a test message at once. The call's outcome is in the
// delivery (sent, or dead with last_error), not in the HTTP status.
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	orgID, id, err := webhookPath(r)
	if err != nil {
		return err
	}
	d, err := s.Webhooks.Test(r.Context(), cur.Actor(), orgID, id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDeliveryJSON(d))
}

func (s *Server) deliveries(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	orgID, err := pathID(r)
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	if limit > 200 {
		return apperr.InvalidFields(map[string]string{"limit": "1〜200で指定してください。"})
	}
	list, err := s.Webhooks.Deliveries(r.Context(), cur.Actor(), orgID, int(limit))
	if err != nil {
		return err
	}
	out := []deliveryJSON{}
	for i := range list {
		out = append(out, toDeliveryJSON(&list[i]))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"deliveries": out})
}
