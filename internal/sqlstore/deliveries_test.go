package sqlstore_test

import (
	"context"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jobs"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/webhook"
)

// deliveryFixture makes an organisation with a Slack webhook, a user with
// a notification, and returns their IDs.
func deliveryFixture(t *testing.T, db *sqlstore.DB) (orgID, hookID, noteID int64) {
	t.Helper()
	ctx := context.Background()
	org := &identity.Organisation{Kind: identity.OrgAgency, Name: "紹介会社"}
	if err := db.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	u := mustUser(t, db, "doc@example.jp", identity.Grant{Role: identity.RoleDoctor})
	note := &notify.Notification{UserID: u.ID, Kind: "x", Title: "お知らせ"}
	if err := db.CreateNotification(ctx, note); err != nil {
		t.Fatal(err)
	}
	h := &webhook.Webhook{OrgID: org.ID, Provider: webhook.Slack, Name: "slack", URLHint: "https://hooks.slack.com/services/…abcd", Enabled: true}
	if err := db.CreateWebhook(ctx, h, func(id int64) (webhook.Sealed, error) {
		return webhook.Sealed{URL: "v1:k1:sealed"}, nil
	}); err != nil {
		t.Fatal(err)
	}
	return org.ID, h.ID, note.ID
}

func TestDeliverySchemaConstraints(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		orgID, hookID, noteID := deliveryFixture(t, db)
		now := time.Now().UTC()
		tests := []struct {
			name  string
			query string
			args  []any
			want  apperr.Code // "" for a row the schema accepts
		}{
			{"job", `INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ('x', '{}', $1, $1)`, []any{now}, ""},
			{"job without kind", `INSERT INTO jobs (kind, run_at, created_at) VALUES ('', $1, $1)`, []any{now}, apperr.Invalid},
			{"job payload not JSON", `INSERT INTO jobs (kind, payload, run_at, created_at) VALUES ('x', '{oops', $1, $1)`, []any{now}, apperr.Invalid},
			{"job past its attempts", `INSERT INTO jobs (kind, run_at, attempts, max_attempts, created_at) VALUES ('x', $1, 3, 2, $1)`, []any{now}, apperr.Invalid},
			{"job with no attempt allowed", `INSERT INTO jobs (kind, run_at, max_attempts, created_at) VALUES ('x', $1, 0, $1)`, []any{now}, apperr.Invalid},
			{"job done and dead", `INSERT INTO jobs (kind, run_at, done_at, dead_at, created_at) VALUES ('x', $1, $1, $1, $1)`, []any{now}, apperr.Invalid},
			{"periodic job", `INSERT INTO jobs (kind, run_at, dedup_key, created_at) VALUES ('x', $1, 'x@1', $1)`, []any{now}, ""},
			{"periodic job twice", `INSERT INTO jobs (kind, run_at, dedup_key, created_at) VALUES ('x', $1, 'x@1', $1)`, []any{now}, apperr.Conflict},

			{"chatwork webhook", `INSERT INTO webhooks (org_id, provider, name, url_sealed, url_hint, token_sealed, created_at)
				VALUES ($1, 'chatwork', 'cw', 'v1:k1:u', 'https://api.chatwork.com/v2/rooms/1/messages', 'v1:k1:t', $2)`, []any{orgID, now}, ""},
			{"webhook of an unknown service", `INSERT INTO webhooks (org_id, provider, name, url_sealed, url_hint, created_at)
				VALUES ($1, 'teams', 'a', 'v1:k1:u', 'h', $2)`, []any{orgID, now}, apperr.Invalid},
			{"webhook URL in clear", `INSERT INTO webhooks (org_id, provider, name, url_sealed, url_hint, created_at)
				VALUES ($1, 'slack', 'b', 'https://hooks.slack.com/services/T/B/X', 'h', $2)`, []any{orgID, now}, apperr.Invalid},
			{"chatwork without a token", `INSERT INTO webhooks (org_id, provider, name, url_sealed, url_hint, created_at)
				VALUES ($1, 'chatwork', 'c', 'v1:k1:u', 'h', $2)`, []any{orgID, now}, apperr.Invalid},
			{"slack with a token", `INSERT INTO webhooks (org_id, provider, name, url_sealed, url_hint, token_sealed, created_at)
				VALUES ($1, 'slack', 'd', 'v1:k1:u', 'h', 'v1:k1:t', $2)`, []any{orgID, now}, apperr.Invalid},
			{"webhook of no organisation", `INSERT INTO webhooks (org_id, provider, name, url_sealed, url_hint, created_at)
				VALUES (424242, 'slack', 'e', 'v1:k1:u', 'h', $1)`, []any{now}, apperr.Invalid},
			{"webhook name taken", `INSERT INTO webhooks (org_id, provider, name, url_sealed, url_hint, created_at)
				VALUES ($1, 'slack', 'slack', 'v1:k1:u', 'h', $2)`, []any{orgID, now}, apperr.Conflict},

			{"e-mail delivery", `INSERT INTO deliveries (channel, target, notification_id, created_at, updated_at)
				VALUES ('email', 'doc@example.jp', $1, $2, $2)`, []any{noteID, now}, ""},
			{"webhook delivery", `INSERT INTO deliveries (channel, target, org_id, webhook_id, status, sent_at, created_at, updated_at)
				VALUES ('slack', 'h', $1, $2, 'sent', $3, $3, $3)`, []any{orgID, hookID, now}, ""},
			{"unknown channel", `INSERT INTO deliveries (channel, target, created_at, updated_at) VALUES ('sms', 't', $1, $1)`, []any{now}, apperr.Invalid},
			{"unknown status", `INSERT INTO deliveries (channel, target, status, created_at, updated_at) VALUES ('email', 't', 'queued', $1, $1)`, []any{now}, apperr.Invalid},
			{"sent without a time", `INSERT INTO deliveries (channel, target, status, created_at, updated_at) VALUES ('email', 't', 'sent', $1, $1)`, []any{now}, apperr.Invalid},
			{"sent time while pending", `INSERT INTO deliveries (channel, target, sent_at, created_at, updated_at) VALUES ('email', 't', $1, $1, $1)`, []any{now}, apperr.Invalid},
			{"e-mail through a webhook", `INSERT INTO deliveries (channel, target, org_id, webhook_id, created_at, updated_at)
				VALUES ('email', 't', $1, $2, $3, $3)`, []any{orgID, hookID, now}, apperr.Invalid},
			{"webhook delivery without its webhook", `INSERT INTO deliveries (channel, target, org_id, created_at, updated_at)
				VALUES ('discord', 't', $1, $2, $2)`, []any{orgID, now}, apperr.Invalid},
			{"webhook delivery without its organisation", `INSERT INTO deliveries (channel, target, webhook_id, created_at, updated_at)
				VALUES ('slack', 't', $1, $2, $2)`, []any{hookID, now}, apperr.Invalid},
			{"delivery of no notification", `INSERT INTO deliveries (channel, target, notification_id, created_at, updated_at)
				VALUES ('email', 't', 424242, $1, $1)`, []any{now}, apperr.Invalid},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := db.ExecForTest(ctx, tt.query, tt.args...)
				if got := apperr.CodeOf(sqlstore.MapErrForTest(err)); got != tt.want {
					t.Errorf("err = %v, want code %q", err, tt.want)
				}
			})
		}
	})
}

func TestDeliveriesLifecycle(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		orgID, hookID, noteID := deliveryFixture(t, db)
		q := jobs.NewQueue(db, db.Now)

		j, _ := jobs.NewJob(notify.KindEmail, map[string]string{"to": "doc@example.jp"})
		if err := q.Prepare(j); err != nil {
			t.Fatal(err)
		}
		mail := &notify.Delivery{Channel: notify.ChannelEmail, Target: "doc@example.jp", Subject: "お知らせ", NotificationID: noteID}
		if err := db.CreateDelivery(ctx, mail, j); err != nil {
			t.Fatal(err)
		}
		got, err := db.DeliveryByJob(ctx, j.ID)
		if err != nil || got.ID != mail.ID || got.Status != notify.DeliveryPending || got.NotificationID != noteID || got.JobID != j.ID {
			t.Fatalf("DeliveryByJob = %+v, %v", got, err)
		}
		if err := db.RecordDelivery(ctx, mail.ID, notify.Attempt{Status: notify.DeliveryFailed, Attempts: 1, Error: "接続できません"}); err != nil {
			t.Fatal(err)
		}
		if err := db.RecordDelivery(ctx, mail.ID, notify.Attempt{Status: notify.DeliverySent, Attempts: 2}); err != nil {
			t.Fatal(err)
		}
		got, _ = db.DeliveryByJob(ctx, j.ID)
		if got.Status != notify.DeliverySent || got.Attempts != 2 || got.SentAt == nil || got.LastError != "" {
			t.Errorf("after sending: %+v", got)
		}

		// An invalid delivery rolls its job back with it.
		bad, _ := jobs.NewJob(notify.KindEmail, nil)
		q.Prepare(bad)
		if err := db.CreateDelivery(ctx, &notify.Delivery{Channel: "sms", Target: "x"}, bad); !apperr.Is(err, apperr.Invalid) {
			t.Fatalf("invalid delivery: %v", err)
		}
		if _, err := db.QueuedJob(ctx, bad.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the job of a refused delivery stayed: %v", err)
		}

		// A one-off attempt has no job; the webhook's deliveries go with it.
		once := &notify.Delivery{Channel: notify.ChannelSlack, Target: "h", OrgID: orgID, WebhookID: hookID}
		if err := db.CreateDelivery(ctx, once, nil); err != nil || once.JobID != 0 {
			t.Fatalf("one-off delivery: %+v, %v", once, err)
		}
		if list, err := db.Deliveries(ctx, notify.DeliveryFilter{OrgID: orgID}); err != nil || len(list) != 1 || list[0].ID != once.ID {
			t.Errorf("organisation's deliveries = %+v, %v", list, err)
		}
		if err := db.DeleteWebhook(ctx, hookID); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.Deliveries(ctx, notify.DeliveryFilter{WebhookID: hookID}); len(list) != 0 {
			t.Errorf("deliveries of a deleted webhook = %+v", list)
		}

		// Pruning a finished job keeps its delivery.
		if err := db.CompleteJob(ctx, j.ID, 0, db.Now().Add(-48*time.Hour)); err != nil {
			t.Fatal(err)
		}
		if n, err := db.PruneJobs(ctx, db.Now().Add(-24*time.Hour)); err != nil || n != 1 {
			t.Fatalf("PruneJobs = %d, %v", n, err)
		}
		list, err := db.Deliveries(ctx, notify.DeliveryFilter{NotificationID: noteID})
		if err != nil || len(list) != 1 || list[0].JobID != 0 || list[0].Status != notify.DeliverySent {
			t.Errorf("delivery after its job was pruned = %+v, %v", list, err)
		}
	})
}
