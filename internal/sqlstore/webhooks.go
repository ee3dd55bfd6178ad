package sqlstore

import (
	"context"
	"database/sql"

	"github.com/hakui-dev/hakui/internal/webhook"
)

const webhookColumns = `id, org_id, provider, name, url_sealed, url_hint, token_sealed, secret_sealed, enabled, created_by, created_at`

func scanWebhook(row interface{ Scan(...any) error }) (*webhook.Webhook, error) {
	var h webhook.Webhook
	var by sql.NullInt64
	if err := row.Scan(&h.ID, &h.OrgID, &h.Provider, &h.Name, &h.Sealed.URL, &h.URLHint, &h.Sealed.Token, &h.Sealed.Secret,
		&h.Enabled, &by, &h.CreatedAt); err != nil {
		return nil, mapErr(err)
	}
	h.CreatedBy, h.CreatedAt = by.Int64, h.CreatedAt.UTC()
	return &h, nil
}

// CreateWebhook inserts h with the secrets seal returns for its ID. The ID
// is taken before the insert, so that the ciphertexts can be bound to the
// row: from the identity sequence on PostgreSQL, and as one more than the
// largest on SQLite, whose single writer holds the database meanwhile.
func (db *DB) CreateWebhook(ctx context.Context, h *webhook.Webhook, seal func(id int64) (webhook.Sealed, error)) error {
	h.CreatedAt = utc(db.Now())
	return db.inTx(ctx, func(tx *sql.Tx) error {
		next := `SELECT coalesce(max(id), 0) + 1 FROM webhooks`
		if db.dialect == Postgres {
			next = `SELECT nextval(pg_get_serial_sequence('webhooks', 'id'))`
		}
		var id int64
		if err := tx.QueryRowContext(ctx, next).Scan(&id); err != nil {
			return err
		}
		sealed, err := seal(id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO webhooks (id, org_id, provider, name, url_sealed, url_hint, token_sealed,
				secret_sealed, enabled, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			id, h.OrgID, h.Provider, h.Name, sealed.URL, h.URLHint, sealed.Token, sealed.Secret, h.Enabled, nullID(h.CreatedBy),
			h.CreatedAt); err != nil {
			return err
		}
		h.ID, h.Sealed = id, sealed
		return nil
	})
}

// Webhooks lists an organisation's webhooks in ID order.
func (db *DB) Webhooks(ctx context.Context, orgID int64) ([]webhook.Webhook, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE org_id = $1 ORDER BY id`, orgID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []webhook.Webhook
	for rows.Next() {
		h, err := scanWebhook(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *h)
	}
	return list, mapErr(rows.Err())
}

// Webhook returns one webhook.
func (db *DB) Webhook(ctx context.Context, id int64) (*webhook.Webhook, error) {
	return scanWebhook(db.read.QueryRowContext(ctx, `SELECT `+webhookColumns+` FROM webhooks WHERE id = $1`, id))
}

// SetWebhookEnabled turns a webhook on or off.
func (db *DB) SetWebhookEnabled(ctx context.Context, id int64, enabled bool) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE webhooks SET enabled = $1 WHERE id = $2`, enabled, id)
	})
}

// DeleteWebhook removes a webhook; its deliveries go with it.
func (db *DB) DeleteWebhook(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `DELETE FROM webhooks WHERE id = $1`, id)
	})
}
