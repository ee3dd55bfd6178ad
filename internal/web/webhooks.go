package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/webhook"
)

// The organisation's outgoing webhooks (Slack, Discord, Chatwork) and
// their recent deliveries, for its administrators. Secrets typed into the
// form are never written back into a page, not even after an error.

// deliveriesShown is how many recent deliveries the page lists.
const deliveriesShown = 50

// channelLabels names the channels a webhook delivery travels by.
var channelLabels = map[notify.Channel]string{notify.ChannelSlack: webhook.Slack.Label(),
	notify.ChannelDiscord: webhook.Discord.Label(), notify.ChannelChatwork: webhook.Chatwork.Label()}

// webhooksURL is the page of the organisation named by the {id} path value.
func webhooksURL(r *http.Request) string { return "/orgs/" + r.PathValue("id") + "/webhooks" }

// webhookPath parses /orgs/{id}/webhooks/{webhook}/….
func webhookPath(r *http.Request) (orgID, id int64, err error) {
	if orgID, err = pathID(r, "id"); err == nil {
		id, err = pathID(r, "webhook")
	}
	return orgID, id, err
}

func (s *Server) webhooksPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderWebhooks(w, r, cur, nil)
}

// renderWebhooks draws the page, with formErr's messages when a form
// failed.
func (s *Server) renderWebhooks(w http.ResponseWriter, r *http.Request, cur *httpx.Current, formErr error) {
	orgID, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	hooks, err := s.Webhooks.List(r.Context(), cur.Actor(), orgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	deliveries, err := s.Webhooks.Deliveries(r.Context(), cur.Actor(), orgID, deliveriesShown)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// Only the organisation's administrators get here, so they hold a
	// grant in it that names it.
	var org identity.Grant
	for _, g := range cur.Grants {
		if g.OrgID == orgID {
			org = g
		}
	}
	p := &page{Title: "Webhook 通知", Data: map[string]any{"OrgID": orgID, "OrgName": org.OrgName, "OrgKind": org.OrgKind, "Webhooks": hooks,
		"Deliveries": deliveries, "DeliveriesShown": deliveriesShown, "Providers": webhook.Providers, "Channels": channelLabels, "MaxPerOrg": webhook.MaxPerOrg,
		"SignatureHeader": webhook.SignatureHeader}}
	if formErr != nil {
		s.formError(w, r, "webhooks", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "webhooks", p)
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	orgID, err := pathID(r, "id")
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	h, err := s.Webhooks.Create(r.Context(), cur.Actor(), orgID, webhook.Input{Provider: webhook.Provider(f.Get("provider")),
		Name: f.Get("name"), URL: f.Get("url"), RoomID: f.Get("room_id"), Token: f.Get("token"), SigningSecret: f.Get("signing_secret")})
	if err != nil {
		for _, secret := range []string{"url", "token", "signing_secret"} {
			f.Del(secret)
		}
		s.renderWebhooks(w, r, cur, err)
		return
	}
	s.setFlash(w, "Webhook「"+h.Name+"」を追加しました。「テスト送信」で届くことを確かめてください。")
	redirect(w, r, webhooksURL(r))
}

func (s *Server) setWebhookEnabled(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	orgID, id, err := webhookPath(r)
	if err == nil {
		err = parseForm(r)
	}
	on := r.PostForm.Get("enabled") == "1"
	if err == nil {
		err = s.Webhooks.SetEnabled(r.Context(), cur.Actor(), orgID, id, on)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if on {
		s.setFlash(w, "Webhook を再開しました。")
	} else {
		s.setFlash(w, "Webhook を停止しました。停止中は何も送信しません。")
	}
	redirect(w, r, webhooksURL(r))
}

// deleteWebhook deletes a webhook once its name has been typed again, so
// that a slip of the mouse cannot remove the wrong one.
func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	orgID, id, err := webhookPath(r)
	if err == nil {
		err = parseForm(r)
	}
	var hooks []webhook.Webhook
	if err == nil {
		hooks, err = s.Webhooks.List(r.Context(), cur.Actor(), orgID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	i := slices.IndexFunc(hooks, func(h webhook.Webhook) bool { return h.ID == id })
	if i < 0 {
		s.fail(w, r, apperr.E(apperr.NotFound, "Webhook が見つかりません。"))
		return
	}
	name := hooks[i].Name
	if strings.TrimSpace(r.PostForm.Get("confirm")) != name {
		s.renderWebhooks(w, r, cur, invalid(map[string]string{"confirm-" + strconv.FormatInt(id, 10): "削除するには、確認のため「" + name + "」と入力してください。"}))
		return
	}
	if err := s.Webhooks.Delete(r.Context(), cur.Actor(), orgID, id); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "Webhook「"+name+"」を削除しました。")
	redirect(w, r, webhooksURL(r))
}

// testWebhook posts a test message at once; the flash says whether it
// went through, and the deliveries below say why not.
func (s *Server) testWebhook(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	orgID, id, err := webhookPath(r)
	var d *notify.Delivery
	if err == nil {
		d, err = s.Webhooks.Test(r.Context(), cur.Actor(), orgID, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Status == notify.DeliverySent {
		s.setFlash(w, "テスト送信しました。チャットに届いたことを確かめてください。")
	} else {
		s.setFlash(w, "テスト送信に失敗しました。理由は下の送信履歴の「エラー」をご覧ください。")
	}
	redirect(w, r, webhooksURL(r)+"#deliveries")
}
