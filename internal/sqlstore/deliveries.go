package sqlstore

import (
	"context"
	"database/sql"

	"github.com/hakui-dev/hakui/internal/jobs"
	"github.com/hakui-dev/hakui/internal/notify"
)

const deliveryColumns = `id, channel, target, subject, job_id, notification_id, org_id, webhook_id, status, attempts, last_error,
	created_at, updated_at, sent_at`

func scanDelivery(row interface{ Scan(...any) error }) (*notify.Delivery, error) {
	var d notify.Delivery
	var job, note, org, hook sql.NullInt64
	var sent sql.NullTime
	if err := row.Scan(&d.ID, &d.Channel, &d.Target, &d.Subject, &job, &note, &org, &hook, &d.Status, &d.Attempts, &d.LastError,
		&d.CreatedAt, &d.UpdatedAt, &sent); err != nil {
		return nil, mapErr(err)
	}
	d.JobID, d.NotificationID, d.OrgID, d.WebhookID = job.Int64, note.Int64, org.Int64, hook.Int64
	d.CreatedAt, d.UpdatedAt, d.SentAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC(), nullTime(sent)
	return &d, nil
}

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// CreateDelivery inserts j and the delivery d that records it in one
// transaction, so that a queued message always has its record; with a nil
// j, d records a one-off attempt.
func (db *DB) CreateDelivery(ctx context.Context, d *notify.Delivery, j *jobs.Job) error {
	now := utc(db.Now())
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if j != nil {
			if _, err := db.insertJob(ctx, tx, j); err != nil {
				return err
			}
			d.JobID = j.ID
		}
		if d.Status == "" {
			d.Status = notify.DeliveryPending
		}
		d.CreatedAt, d.UpdatedAt = now, now
		return tx.QueryRowContext(ctx, `INSERT INTO deliveries (channel, target, subject, job_id, notification_id, org_id, webhook_id,
				status, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
			d.Channel, d.Target, d.Subject, nullID(d.JobID), nullID(d.NotificationID), nullID(d.OrgID), nullID(d.WebhookID),
			d.Status, now).Scan(&d.ID)
	})
}

// DeliveryByJob returns the delivery a job sends.
func (db *DB) DeliveryByJob(ctx context.Context, jobID int64) (*notify.Delivery, error) {
	return scanDelivery(db.read.QueryRowContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries WHERE job_id = $1`, jobID))
}

// RecordDelivery stores the outcome of an attempt.
func (db *DB) RecordDelivery(ctx context.Context, id int64, a notify.Attempt) error {
	now := utc(db.Now())
	var sent sql.NullTime
	if a.Status == notify.DeliverySent {
		sent = sql.NullTime{Time: now, Valid: true}
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE deliveries SET status = $1, attempts = $2, last_error = $3, sent_at = $4, updated_at = $5
			WHERE id = $6`, a.Status, a.Attempts, a.Error, sent, now, id)
	})
}

// Deliveries lists deliveries, newest first.
func (db *DB) Deliveries(ctx context.Context, f notify.DeliveryFilter) ([]notify.Delivery, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 50
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+deliveryColumns+` FROM deliveries
		WHERE (org_id = $1 OR $1 = 0) AND (webhook_id = $2 OR $2 = 0) AND (notification_id = $3 OR $3 = 0)
		ORDER BY id DESC LIMIT $4`, f.OrgID, f.WebhookID, f.NotificationID, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []notify.Delivery
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *d)
	}
	return list, mapErr(rows.Err())
}
