package sqlstore

// The community board's reports and moderation log.

import (
	"context"
	"database/sql"
	"time"

	"github.com/hakui-dev/hakui/internal/community"
)

const reportColumns = `id, post_id, reporter_id, reason, note, status, created_at, closed_by, closed_at, resolution FROM community_reports`

func scanReport(row interface{ Scan(...any) error }) (*community.Report, error) {
	var r community.Report
	var closedBy sql.NullInt64
	var closed sql.NullTime
	if err := row.Scan(&r.ID, &r.PostID, &r.ReporterID, &r.Reason, &r.Note, &r.Status, &r.CreatedAt, &closedBy, &closed, &r.Resolution); err != nil {
		return nil, mapErr(err)
	}
	r.ClosedBy, r.ClosedAt, r.CreatedAt = closedBy.Int64, nullTime(closed), r.CreatedAt.UTC()
	return &r, nil
}

// CreateCommunityReport inserts an open report and sets r.ID:
// ErrConflict when the reporter's report on the post is open.
func (db *DB) CreateCommunityReport(ctx context.Context, r *community.Report) error {
	r.CreatedAt = db.createdAt(r.CreatedAt)
	r.Status = community.ReportOpen
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO community_reports (post_id, reporter_id, reason, note, status, created_at)
			VALUES ($1, $2, $3, $4, 'open', $5) RETURNING id`, r.PostID, r.ReporterID, string(r.Reason), r.Note, r.CreatedAt).Scan(&r.ID)
	})
}

// CommunityReport returns one report or ErrNotFound.
func (db *DB) CommunityReport(ctx context.Context, id int64) (*community.Report, error) {
	return scanReport(db.read.QueryRowContext(ctx, `SELECT `+reportColumns+` WHERE id = $1`, id))
}

// CommunityReports returns the reports of the status ("" any), the oldest
// first; postID 0 means any post.
func (db *DB) CommunityReports(ctx context.Context, status community.ReportStatus, postID int64, limit int) ([]community.Report, error) {
	var q query
	if status != "" {
		q.add("status = ?", string(status))
	}
	if postID != 0 {
		q.add("post_id = ?", postID)
	}
	q.args = append(q.args, limitOr(limit, 200, 10000))
	rows, err := db.read.QueryContext(ctx, `SELECT `+reportColumns+q.sql()+` ORDER BY created_at, id LIMIT $`+itoa(len(q.args)), q.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []community.Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *r)
	}
	return list, mapErr(rows.Err())
}

// CloseCommunityReport closes an open report: ErrConflict when it is
// closed already, ErrNotFound when there is none.
func (db *DB) CloseCommunityReport(ctx context.Context, id int64, status community.ReportStatus, by int64, resolution string, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return conditional(ctx, tx, `SELECT 1 FROM community_reports WHERE id = $1`, id, `UPDATE community_reports
			SET status = $1, closed_by = $2, closed_at = $3, resolution = $4 WHERE id = $5 AND status = 'open'`,
			string(status), by, utc(at), resolution, id)
	})
}

// CloseCommunityReportsOf closes every open report of the post and
// returns how many it closed.
func (db *DB) CloseCommunityReportsOf(ctx context.Context, postID int64, status community.ReportStatus, by int64, resolution string, at time.Time) (int, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE community_reports SET status = $1, closed_by = $2, closed_at = $3, resolution = $4
			WHERE post_id = $5 AND status = 'open'`, string(status), by, utc(at), resolution, postID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// AddCommunityAction appends to the moderation log and sets a.ID.
func (db *DB) AddCommunityAction(ctx context.Context, a *community.Action) error {
	a.CreatedAt = db.createdAt(a.CreatedAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO community_mod_actions (action, moderator_id, member_id, post_id, report_id, reason, until,
				created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, string(a.Kind), a.ModeratorID, nullID(a.MemberID), nullID(a.PostID),
			nullID(a.ReportID), a.Reason, timePtr(a.Until), a.CreatedAt).Scan(&a.ID)
	})
}

// CommunityActions returns moderation log entries, the latest first;
// memberID 0 means every member.
func (db *DB) CommunityActions(ctx context.Context, memberID int64, limit int) ([]community.Action, error) {
	var q query
	if memberID != 0 {
		q.add("member_id = ?", memberID)
	}
	q.args = append(q.args, limitOr(limit, 200, 10000))
	rows, err := db.read.QueryContext(ctx, `SELECT id, action, moderator_id, member_id, post_id, report_id, reason, until, created_at
		FROM community_mod_actions`+q.sql()+` ORDER BY id DESC LIMIT $`+itoa(len(q.args)), q.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []community.Action
	for rows.Next() {
		var a community.Action
		var member, post, report sql.NullInt64
		var until sql.NullTime
		if err := rows.Scan(&a.ID, &a.Kind, &a.ModeratorID, &member, &post, &report, &a.Reason, &until, &a.CreatedAt); err != nil {
			return nil, mapErr(err)
		}
		a.MemberID, a.PostID, a.ReportID, a.Until, a.CreatedAt = member.Int64, post.Int64, report.Int64, nullTime(until), a.CreatedAt.UTC()
		list = append(list, a)
	}
	return list, mapErr(rows.Err())
}
