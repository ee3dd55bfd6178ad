package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/mentoring"
)

const pairColumns = `p.id, p.org_id, o.name, p.mentor_id, mu.display_name, p.mentee_id, me.display_name, p.starts_on, p.ends_on,
	p.interval_months, p.note, p.created_by, p.ended_at, p.ended_by, p.last_met_on, p.last_reminded_at, p.version, p.created_at, p.updated_at
	FROM mentor_pairs p JOIN organisations o ON o.id = p.org_id JOIN users mu ON mu.id = p.mentor_id JOIN users me ON me.id = p.mentee_id`

func scanPair(row interface{ Scan(...any) error }) (*mentoring.Pair, error) {
	var p mentoring.Pair
	var starts string
	var ends, lastMet sql.NullString
	var endedAt, reminded sql.NullTime
	var endedBy sql.NullInt64
	if err := row.Scan(&p.ID, &p.OrgID, &p.OrgName, &p.MentorID, &p.MentorName, &p.MenteeID, &p.MenteeName, &starts, &ends,
		&p.IntervalMonths, &p.Note, &p.CreatedBy, &endedAt, &endedBy, &lastMet, &reminded, &p.Version, &p.CreatedAt, &p.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	var err error
	if p.StartsOn, err = mentoring.ParseDay(starts); err != nil {
		return nil, err
	}
	if p.EndsOn, err = nullDay(ends); err != nil {
		return nil, err
	}
	if p.LastMetOn, err = nullDay(lastMet); err != nil {
		return nil, err
	}
	p.EndedAt, p.EndedBy, p.LastRemindedAt = nullTime(endedAt), endedBy.Int64, nullTime(reminded)
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

// nullDay parses a nullable mentoring date.
func nullDay(s sql.NullString) (*time.Time, error) {
	if !s.Valid {
		return nil, nil
	}
	d, err := mentoring.ParseDay(s.String)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

func mentoringDay(t time.Time) string { return mentoring.Day(t).Format(time.DateOnly) }

func mentoringNullDay(t *time.Time) any {
	if t == nil {
		return nil
	}
	return mentoringDay(*t)
}

// CoordinatesDoctor reports whether the organisation is the coordinating
// office of one of the doctor's enrolments that the doctor has not left.
// Unlike Follows, the prefecture of the program does not count.
func (db *DB) CoordinatesDoctor(ctx context.Context, orgID, doctorID int64) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM enrollments
		WHERE doctor_id = $1 AND coordinator_org_id = $2 AND departed_on IS NULL`, doctorID, orgID).Scan(&n)
	return n > 0, mapErr(err)
}

// CreateMentorPair inserts p and sets its ID: ErrConflict when the mentor
// and mentee already have a pair that has not ended.
func (db *DB) CreateMentorPair(ctx context.Context, p *mentoring.Pair) error {
	p.CreatedAt = db.createdAt(p.CreatedAt)
	p.UpdatedAt = p.CreatedAt
	if p.Version == 0 {
		p.Version = 1
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO mentor_pairs (org_id, mentor_id, mentee_id, starts_on, ends_on, interval_months, note,
				created_by, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id`,
			p.OrgID, p.MentorID, p.MenteeID, mentoringDay(p.StartsOn), mentoringNullDay(p.EndsOn), p.IntervalMonths, p.Note,
			p.CreatedBy, p.Version, p.CreatedAt).Scan(&p.ID)
	})
}

// UpdateMentorPair writes p's end date, interval and note if the stored
// version is still p.Version and the pair has not ended, and bumps it:
// ErrConflict otherwise, ErrNotFound when there is no such pair.
func (db *DB) UpdateMentorPair(ctx context.Context, p *mentoring.Pair) error {
	now := utc(db.Now())
	if !p.UpdatedAt.IsZero() {
		now = utc(p.UpdatedAt)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return versioned(ctx, tx, p.ID, `UPDATE mentor_pairs SET ends_on = $1, interval_months = $2, note = $3, version = version + 1,
				updated_at = $4
			WHERE id = $5 AND version = $6 AND ended_at IS NULL`,
			mentoringNullDay(p.EndsOn), p.IntervalMonths, p.Note, now, p.ID, p.Version)
	})
	if err == nil {
		p.Version++
		p.UpdatedAt = now
	}
	return err
}

// EndMentorPair ends the pair if the stored version is still version and
// it has not ended: ErrConflict otherwise, ErrNotFound when there is no
// such pair.
func (db *DB) EndMentorPair(ctx context.Context, id int64, version int, by int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return versioned(ctx, tx, id, `UPDATE mentor_pairs SET ended_at = $1, ended_by = $2, version = version + 1, updated_at = $1
			WHERE id = $3 AND version = $4 AND ended_at IS NULL`, utc(at), by, id, version)
	})
}

// versioned runs a conditional update of one pair: ErrConflict when it
// changed no row but the pair exists, ErrNotFound when it does not.
func versioned(ctx context.Context, tx *sql.Tx, id int64, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var exists int
	if err := tx.QueryRowContext(ctx, `SELECT 1 FROM mentor_pairs WHERE id = $1`, id).Scan(&exists); err != nil {
		return err
	}
	return ErrConflict
}

// MentorPair returns one pair or ErrNotFound.
func (db *DB) MentorPair(ctx context.Context, id int64) (*mentoring.Pair, error) {
	return scanPair(db.read.QueryRowContext(ctx, `SELECT `+pairColumns+` WHERE p.id = $1`, id))
}

// MentorPairs returns the pairs f selects, the latest started first.
func (db *DB) MentorPairs(ctx context.Context, f mentoring.PairFilter) ([]mentoring.Pair, error) {
	var where, either []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + itoa(len(args)) }
	if len(f.OrgIDs) > 0 {
		var in []string
		for _, id := range f.OrgIDs {
			in = append(in, arg(id))
		}
		either = append(either, `p.org_id IN (`+strings.Join(in, ", ")+`)`)
	}
	if f.PartyID != 0 {
		either = append(either, `p.mentor_id = `+arg(f.PartyID), `p.mentee_id = `+arg(f.PartyID))
	}
	if len(either) > 0 {
		where = append(where, `(`+strings.Join(either, ` OR `)+`)`)
	}
	if f.Open {
		where = append(where, `p.ended_at IS NULL`)
	}
	query := `SELECT ` + pairColumns
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 500
	}
	query += ` ORDER BY p.starts_on DESC, p.id DESC LIMIT ` + arg(limit)
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []mentoring.Pair
	for rows.Next() {
		p, err := scanPair(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *p)
	}
	return list, mapErr(rows.Err())
}

// MarkMentorPairReminded records a reminder sent at at, only if the pair
// is still running on the day of at (in Japan), its last meeting (or
// start) is before c.Met and its last reminder, if any, before
// c.Reminded. It reports whether it did: of concurrent callers, one does.
// The version is not bumped, so a coordinator's edit does not conflict
// with the reminder.
func (db *DB) MarkMentorPairReminded(ctx context.Context, id int64, at time.Time, c mentoring.Cutoffs) (bool, error) {
	var n int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		today := mentoringDay(at)
		res, err := tx.ExecContext(ctx, `UPDATE mentor_pairs SET last_reminded_at = $1
			WHERE id = $2 AND ended_at IS NULL AND starts_on <= $3 AND (ends_on IS NULL OR ends_on >= $3)
				AND coalesce(last_met_on, starts_on) < $4 AND (last_reminded_at IS NULL OR last_reminded_at < $5)`,
			utc(at), id, today, mentoringDay(c.Met), utc(c.Reminded))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}

const meetingColumns = `m.id, m.pair_id, m.held_on, m.mode, m.topics, m.sealed_summary, m.sealed_mentor_learned, m.sealed_mentee_learned,
	m.next_meeting_on, m.recorded_by, u.display_name, m.created_at, m.updated_at
	FROM mentoring_meetings m JOIN users u ON u.id = m.recorded_by`

func scanMeeting(row interface{ Scan(...any) error }) (*mentoring.Meeting, error) {
	var m mentoring.Meeting
	var held, topics string
	var next sql.NullString
	if err := row.Scan(&m.ID, &m.PairID, &held, &m.Mode, &topics, &m.Sealed.Summary, &m.Sealed.MentorLearned, &m.Sealed.MenteeLearned,
		&next, &m.RecordedBy, &m.RecordedByName, &m.CreatedAt, &m.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	var err error
	if m.HeldOn, err = mentoring.ParseDay(held); err != nil {
		return nil, err
	}
	if m.NextMeeting, err = nullDay(next); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(topics), &m.Topics); err != nil {
		return nil, err
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return &m, nil
}

// CreateMentoringMeeting inserts m with the ciphertexts seal returns for
// its ID, taken before the insert so that each is bound to its row, and
// moves the pair's last meeting date forward: ErrConflict when the pair
// has ended, ErrNotFound when there is no such pair.
func (db *DB) CreateMentoringMeeting(ctx context.Context, m *mentoring.Meeting, seal func(id int64) (mentoring.Sealed, error)) error {
	m.CreatedAt = db.createdAt(m.CreatedAt)
	m.UpdatedAt = m.CreatedAt
	return db.inTx(ctx, func(tx *sql.Tx) error {
		held := mentoringDay(m.HeldOn)
		if err := versioned(ctx, tx, m.PairID, `UPDATE mentor_pairs
			SET last_met_on = CASE WHEN last_met_on IS NULL OR last_met_on < $1 THEN $1 ELSE last_met_on END
			WHERE id = $2 AND ended_at IS NULL`, held, m.PairID); err != nil {
			return err
		}
		next := `SELECT coalesce(max(id), 0) + 1 FROM mentoring_meetings`
		if db.dialect == Postgres {
			next = `SELECT nextval(pg_get_serial_sequence('mentoring_meetings', 'id'))`
		}
		var id int64
		if err := tx.QueryRowContext(ctx, next).Scan(&id); err != nil {
			return err
		}
		sealed, err := seal(id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mentoring_meetings (id, pair_id, held_on, mode, topics, sealed_summary,
				sealed_mentor_learned, sealed_mentee_learned, next_meeting_on, recorded_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`,
			id, m.PairID, held, m.Mode, mustJSON(nonNil(m.Topics)), sealed.Summary, sealed.MentorLearned, sealed.MenteeLearned,
			mentoringNullDay(m.NextMeeting), m.RecordedBy, m.CreatedAt); err != nil {
			return err
		}
		m.ID, m.Sealed = id, sealed
		return nil
	})
}

// SetMentoringLearned writes the side's sealed "what I learned" of a
// meeting, or returns ErrNotFound.
func (db *DB) SetMentoringLearned(ctx context.Context, meetingID int64, side mentoring.Side, sealed string, at time.Time) error {
	column := "sealed_mentee_learned"
	if side == mentoring.SideMentor {
		column = "sealed_mentor_learned"
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE mentoring_meetings SET `+column+` = $1, updated_at = $2 WHERE id = $3`, sealed, utc(at), meetingID)
	})
}

// MentoringMeeting returns one meeting, its fields sealed, or ErrNotFound.
func (db *DB) MentoringMeeting(ctx context.Context, id int64) (*mentoring.Meeting, error) {
	return scanMeeting(db.read.QueryRowContext(ctx, `SELECT `+meetingColumns+` WHERE m.id = $1`, id))
}

// MentoringMeetings returns a pair's meetings, sealed, the latest held
// first.
func (db *DB) MentoringMeetings(ctx context.Context, pairID int64) ([]mentoring.Meeting, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+meetingColumns+` WHERE m.pair_id = $1 ORDER BY m.held_on DESC, m.id DESC`, pairID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []mentoring.Meeting
	for rows.Next() {
		m, err := scanMeeting(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *m)
	}
	return list, mapErr(rows.Err())
}

// Compile-time check that DB is a mentoring store.
var _ mentoring.Store = (*DB)(nil)
