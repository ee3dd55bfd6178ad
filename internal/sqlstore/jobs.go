package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/jobs"
)

const jobColumns = `id, kind, payload, run_at, attempts, max_attempts, last_error, dedup_key, locked_until, done_at, dead_at, created_at`

func scanJob(row interface{ Scan(...any) error }) (*jobs.Job, error) {
	var j jobs.Job
	var payload []byte
	var dedup sql.NullString
	var locked, done, dead sql.NullTime
	if err := row.Scan(&j.ID, &j.Kind, &payload, &j.RunAt, &j.Attempts, &j.MaxAttempts, &j.LastError, &dedup,
		&locked, &done, &dead, &j.CreatedAt); err != nil {
		return nil, mapErr(err)
	}
	j.Payload, j.DedupKey = payload, dedup.String
	j.RunAt, j.CreatedAt = j.RunAt.UTC(), j.CreatedAt.UTC()
	j.LockedUntil, j.DoneAt, j.DeadAt = nullTime(locked), nullTime(done), nullTime(dead)
	return &j, nil
}

// EnqueueJob inserts j and sets its ID and CreatedAt. When j.DedupKey is
// already in the queue it inserts nothing and returns false.
func (db *DB) EnqueueJob(ctx context.Context, j *jobs.Job) (bool, error) {
	var added bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		added, err = db.insertJob(ctx, tx, j)
		return err
	})
	return added, err
}

// insertJob inserts j in tx; see EnqueueJob.
func (db *DB) insertJob(ctx context.Context, tx *sql.Tx, j *jobs.Job) (bool, error) {
	j.CreatedAt = utc(db.Now())
	var dedup sql.NullString
	if j.DedupKey != "" {
		dedup = sql.NullString{String: j.DedupKey, Valid: true}
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO jobs (kind, payload, run_at, max_attempts, dedup_key, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (dedup_key) DO NOTHING RETURNING id`,
		j.Kind, string(j.Payload), utc(j.RunAt), j.MaxAttempts, dedup, j.CreatedAt).Scan(&j.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ClaimJobs leases up to limit due jobs of the given kinds until until and
// counts the attempt. On PostgreSQL, FOR UPDATE SKIP LOCKED lets claimers
// on several instances pass each other's rows; on SQLite the one writer's
// IMMEDIATE transaction makes the claim atomic. Jobs whose lease ran out
// on their last attempt are buried first, so no job runs more often than
// it allows.
func (db *DB) ClaimJobs(ctx context.Context, kinds []string, now, until time.Time, limit int) ([]jobs.Job, error) {
	if len(kinds) == 0 || limit < 1 {
		return nil, nil
	}
	args := []any{utc(now), utc(until), limit}
	marks := make([]string, len(kinds))
	for i, k := range kinds {
		args = append(args, k)
		marks[i] = "$" + itoa(len(args))
	}
	lock := ""
	if db.dialect == Postgres {
		lock = ` FOR UPDATE SKIP LOCKED`
	}
	var list []jobs.Job
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET dead_at = $1, locked_until = NULL,
				last_error = CASE WHEN last_error = '' THEN 'the lease ran out during the last attempt' ELSE last_error END
			WHERE id IN (SELECT id FROM jobs
				WHERE done_at IS NULL AND dead_at IS NULL AND attempts >= max_attempts AND locked_until <= $1`+lock+`)`, utc(now)); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `UPDATE jobs SET attempts = attempts + 1, locked_until = $2
			WHERE id IN (SELECT id FROM jobs
				WHERE done_at IS NULL AND dead_at IS NULL AND run_at <= $1 AND (locked_until IS NULL OR locked_until <= $1)
					AND attempts < max_attempts AND kind IN (`+strings.Join(marks, ", ")+`)
				ORDER BY run_at, id LIMIT $3`+lock+`)
			RETURNING `+jobColumns, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			j, err := scanJob(rows)
			if err != nil {
				return err
			}
			list = append(list, *j)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return list, nil
}

// CompleteJob marks the attempt's job done; not_found when the attempt no
// longer owns the job.
func (db *DB) CompleteJob(ctx context.Context, id int64, attempt int, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE jobs SET done_at = $1, locked_until = NULL
			WHERE id = $2 AND attempts = $3 AND done_at IS NULL AND dead_at IS NULL`, utc(at), id, attempt)
	})
}

// RetryJob records a failed attempt and schedules the next at runAt;
// not_found when the attempt no longer owns the job.
func (db *DB) RetryJob(ctx context.Context, id int64, attempt int, runAt time.Time, lastErr string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE jobs SET run_at = $1, locked_until = NULL, last_error = $2
			WHERE id = $3 AND attempts = $4 AND done_at IS NULL AND dead_at IS NULL`, utc(runAt), lastErr, id, attempt)
	})
}

// BuryJob records a failed attempt that ends the job; not_found when the
// attempt no longer owns the job.
func (db *DB) BuryJob(ctx context.Context, id int64, attempt int, at time.Time, lastErr string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE jobs SET dead_at = $1, locked_until = NULL, last_error = $2
			WHERE id = $3 AND attempts = $4 AND done_at IS NULL AND dead_at IS NULL`, utc(at), lastErr, id, attempt)
	})
}

// QueuedJob returns one job of the queue.
func (db *DB) QueuedJob(ctx context.Context, id int64) (*jobs.Job, error) {
	return scanJob(db.read.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = $1`, id))
}

// PruneJobs deletes the jobs that were done or dead before before. Their
// deliveries stay, without a job.
func (db *DB) PruneJobs(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM jobs WHERE done_at < $1 OR dead_at < $1`, utc(before))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
