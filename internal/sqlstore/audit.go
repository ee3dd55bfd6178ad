package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/hakui-dev/hakui/internal/audit"
)

// AppendAudit appends e to the chain. The head row serialises appends: the
// UPDATE locks it (PostgreSQL) or the IMMEDIATE transaction holds the write
// lock (SQLite), so concurrent instances still form one chain.
func (db *DB) AppendAudit(ctx context.Context, e *audit.Entry) error {
	if e.At.IsZero() {
		e.At = db.Now()
	}
	e.At = utc(e.At)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		// RETURNING gives the new seq and the hash not yet replaced: the
		// previous entry's.
		if err := tx.QueryRowContext(ctx, `UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`).
			Scan(&e.Seq, &e.PrevHash); err != nil {
			return err
		}
		e.Hash = audit.Seal(e.PrevHash, *e)
		if _, err := tx.ExecContext(ctx, `INSERT INTO audit_log (seq, at, actor_id, subject_id, action, object_kind, object_id,
			ip, request_id, detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			e.Seq, e.At, e.ActorID, e.SubjectID, e.Action, e.ObjectKind, e.ObjectID, e.IP, e.RequestID, e.Detail, e.PrevHash, e.Hash); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE audit_head SET hash = $1 WHERE id = 1`, e.Hash)
		return err
	})
}

const auditColumns = `seq, at, actor_id, subject_id, action, object_kind, object_id, ip, request_id, detail, prev_hash, hash`

func scanAudit(rows *sql.Rows) (audit.Entry, error) {
	var e audit.Entry
	err := rows.Scan(&e.Seq, &e.At, &e.ActorID, &e.SubjectID, &e.Action, &e.ObjectKind, &e.ObjectID, &e.IP, &e.RequestID,
		&e.Detail, &e.PrevHash, &e.Hash)
	e.At = e.At.UTC()
	return e, mapErr(err)
}

// ListAudit returns entries matching f, newest first.
func (db *DB) ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+itoa(len(args))))
	}
	if f.ActorID != 0 {
		add("actor_id = ?", f.ActorID)
	}
	if f.SubjectID != 0 {
		add("subject_id = ?", f.SubjectID)
	}
	if f.Involving != 0 {
		args = append(args, f.Involving)
		n := "$" + itoa(len(args))
		where = append(where, "(actor_id = "+n+" OR subject_id = "+n+")")
	}
	if f.ActionPrefix != "" {
		add(`action LIKE ? ESCAPE '\'`, escapeLike(f.ActionPrefix)+"%")
	}
	if f.BeforeSeq > 0 {
		add("seq < ?", f.BeforeSeq)
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	query := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	args = append(args, limit)
	query += " ORDER BY seq DESC LIMIT $" + itoa(len(args))
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var entries []audit.Entry
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		entries = append(entries, e)
	}
	return entries, mapErr(rows.Err())
}

// WalkAudit calls fn for every entry in seq order, reading in pages so the
// whole log never sits in memory.
func (db *DB) WalkAudit(ctx context.Context, fn func(audit.Entry) error) error {
	var after int64
	for {
		rows, err := db.read.QueryContext(ctx, `SELECT `+auditColumns+` FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 1000`, after)
		if err != nil {
			return mapErr(err)
		}
		var page []audit.Entry
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				rows.Close()
				return err
			}
			page = append(page, e)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return mapErr(err)
		}
		for _, e := range page {
			if err := fn(e); err != nil {
				return err
			}
			after = e.Seq
		}
		if len(page) < 1000 {
			return nil
		}
	}
}

// AuditHead returns the seq and hash of the newest entry.
func (db *DB) AuditHead(ctx context.Context) (int64, string, error) {
	var seq int64
	var hash string
	err := db.read.QueryRowContext(ctx, `SELECT seq, hash FROM audit_head WHERE id = 1`).Scan(&seq, &hash)
	return seq, hash, mapErr(err)
}
