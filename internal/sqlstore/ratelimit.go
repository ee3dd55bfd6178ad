package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// HitRateLimit adds one to the key's counter of the window starting at
// window and returns the new count. The upsert is atomic on both engines,
// so concurrent hits are never lost; on SQLite it goes through the single
// writer, so callers never see SQLITE_BUSY.
func (db *DB) HitRateLimit(ctx context.Context, key string, window time.Time) (int, error) {
	var n int
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
			ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limits.count + 1
			RETURNING count`, key, utc(window)).Scan(&n)
	})
	return n, err
}

// PruneRateLimits deletes the counters of windows that started before
// before and returns how many it deleted.
func (db *DB) PruneRateLimits(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM rate_limits WHERE window_start < $1`, utc(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
