package sqlstore

import (
	"context"
	"database/sql"

	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/openings"
)

// CreateNotification stores a notification and sets its ID.
func (db *DB) CreateNotification(ctx context.Context, n *notify.Notification) error {
	n.CreatedAt = utc(db.Now())
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO notifications (user_id, kind, title, body, link, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, n.UserID, n.Kind, n.Title, n.Body, n.Link, n.CreatedAt).Scan(&n.ID)
	})
}

// Notifications lists a user's notifications, newest first.
func (db *DB) Notifications(ctx context.Context, userID int64, limit int) ([]notify.Notification, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE user_id = $1 ORDER BY id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	return scanNotifications(rows)
}

// notificationColumns are what scanNotifications reads, in order.
const notificationColumns = `id, user_id, kind, title, body, link, created_at, read_at`

// scanNotifications reads rows of notificationColumns and closes them.
func scanNotifications(rows *sql.Rows) ([]notify.Notification, error) {
	defer rows.Close()
	var list []notify.Notification
	for rows.Next() {
		var n notify.Notification
		var read sql.NullTime
		if err := rows.Scan(&n.ID, &n.UserID, &n.Kind, &n.Title, &n.Body, &n.Link, &n.CreatedAt, &read); err != nil {
			return nil, mapErr(err)
		}
		n.CreatedAt, n.ReadAt = n.CreatedAt.UTC(), nullTime(read)
		list = append(list, n)
	}
	return list, mapErr(rows.Err())
}

// UnreadNotifications counts a user's unread notifications.
func (db *DB) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, userID).Scan(&n)
	return n, mapErr(err)
}

// MarkNotificationsRead marks all of a user's notifications read.
func (db *DB) MarkNotificationsRead(ctx context.Context, userID int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, utc(db.Now()), userID)
		return err
	})
}

// CreateSavedSearch stores a saved search and sets its ID.
func (db *DB) CreateSavedSearch(ctx context.Context, s *openings.SavedSearch) error {
	s.CreatedAt = utc(db.Now())
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO saved_searches (user_id, name, query, notify_email, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, s.UserID, s.Name, s.Query, s.NotifyEmail, s.CreatedAt).Scan(&s.ID)
	})
}

// SavedSearches lists saved searches: a user's (userID > 0) or everyone's
// (userID 0, for matching a new opening), in id order.
func (db *DB) SavedSearches(ctx context.Context, userID int64) ([]openings.SavedSearch, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, user_id, name, query, notify_email, created_at FROM saved_searches
		WHERE user_id = $1 OR $1 = 0 ORDER BY id`, userID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []openings.SavedSearch
	for rows.Next() {
		var s openings.SavedSearch
		if err := rows.Scan(&s.ID, &s.UserID, &s.Name, &s.Query, &s.NotifyEmail, &s.CreatedAt); err != nil {
			return nil, mapErr(err)
		}
		list = append(list, s)
	}
	return list, mapErr(rows.Err())
}

// DeleteSavedSearch removes one of a user's saved searches.
func (db *DB) DeleteSavedSearch(ctx context.Context, userID, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `DELETE FROM saved_searches WHERE id = $1 AND user_id = $2`, id, userID)
	})
}
