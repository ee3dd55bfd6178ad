package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/records"
)

const recordColumns = `r.id, r.org_id, r.doctor_id, r.author_id, au.display_name, r.held_on, r.mode, r.attendees, r.topics,
	r.sealed_notes, r.sealed_agreed_actions, r.sealed_health_notes, r.next_meeting_on, r.version, r.created_at, r.updated_at
	FROM consultation_records r JOIN users au ON au.id = r.author_id`

func scanRecord(row interface{ Scan(...any) error }) (*records.Record, error) {
	var r records.Record
	var held, attendees, topics string
	var next sql.NullString
	if err := row.Scan(&r.ID, &r.OrgID, &r.DoctorID, &r.AuthorID, &r.AuthorName, &held, &r.Mode, &attendees, &topics,
		&r.Sealed.Notes, &r.Sealed.AgreedActions, &r.Sealed.HealthNotes, &next, &r.Version, &r.CreatedAt, &r.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	var err error
	if r.HeldOn, err = records.ParseDay(held); err != nil {
		return nil, err
	}
	if next.Valid {
		d, err := records.ParseDay(next.String)
		if err != nil {
			return nil, err
		}
		r.NextMeeting = &d
	}
	if err := json.Unmarshal([]byte(attendees), &r.Attendees); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(topics), &r.Topics); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

func recordDay(t time.Time) string { return records.Day(t).Format(time.DateOnly) }

func recordNextDay(t *time.Time) any {
	if t == nil {
		return nil
	}
	return recordDay(*t)
}

// CreateRecord inserts r with the ciphertexts seal returns for its ID. The
// ID is taken before the insert so that each ciphertext is bound to its
// row (as CreateWebhook does).
func (db *DB) CreateRecord(ctx context.Context, r *records.Record, seal func(id int64) (records.Sealed, error)) error {
	r.CreatedAt = db.createdAt(r.CreatedAt)
	r.UpdatedAt = r.CreatedAt
	if r.Version == 0 {
		r.Version = 1
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		next := `SELECT coalesce(max(id), 0) + 1 FROM consultation_records`
		if db.dialect == Postgres {
			next = `SELECT nextval(pg_get_serial_sequence('consultation_records', 'id'))`
		}
		var id int64
		if err := tx.QueryRowContext(ctx, next).Scan(&id); err != nil {
			return err
		}
		sealed, err := seal(id)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO consultation_records (id, org_id, doctor_id, author_id, held_on, mode, attendees,
				topics, sealed_notes, sealed_agreed_actions, sealed_health_notes, next_meeting_on, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14)`,
			id, r.OrgID, r.DoctorID, r.AuthorID, recordDay(r.HeldOn), r.Mode, mustJSON(nonNil(r.Attendees)), mustJSON(nonNil(r.Topics)),
			sealed.Notes, sealed.AgreedActions, sealed.HealthNotes, recordNextDay(r.NextMeeting), r.Version, r.CreatedAt); err != nil {
			return err
		}
		r.ID, r.Sealed = id, sealed
		return nil
	})
}

// UpdateRecord writes r and its ciphertexts if the stored version is still
// r.Version, and bumps it: ErrConflict when someone saved first,
// ErrNotFound when there is no such record.
func (db *DB) UpdateRecord(ctx context.Context, r *records.Record) error {
	now := utc(db.Now())
	if !r.UpdatedAt.IsZero() {
		now = utc(r.UpdatedAt)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE consultation_records SET held_on = $1, mode = $2, attendees = $3, topics = $4,
				sealed_notes = $5, sealed_agreed_actions = $6, sealed_health_notes = $7, next_meeting_on = $8, version = version + 1,
				updated_at = $9
			WHERE id = $10 AND version = $11`,
			recordDay(r.HeldOn), r.Mode, mustJSON(nonNil(r.Attendees)), mustJSON(nonNil(r.Topics)), r.Sealed.Notes,
			r.Sealed.AgreedActions, r.Sealed.HealthNotes, recordNextDay(r.NextMeeting), now, r.ID, r.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM consultation_records WHERE id = $1`, r.ID).Scan(&exists); err != nil {
			return err
		}
		return ErrConflict
	})
	if err == nil {
		r.Version++
		r.UpdatedAt = now
	}
	return err
}

// Record returns one record, its fields sealed, or ErrNotFound.
func (db *DB) Record(ctx context.Context, id int64) (*records.Record, error) {
	return scanRecord(db.read.QueryRowContext(ctx, `SELECT `+recordColumns+` WHERE r.id = $1`, id))
}

// Records returns the records of the organisations in f (about one doctor
// if f.DoctorID is set), the latest held first.
func (db *DB) Records(ctx context.Context, f records.Filter) ([]records.Record, error) {
	if len(f.OrgIDs) == 0 {
		return nil, nil
	}
	var args []any
	var in []string
	for _, id := range f.OrgIDs {
		args = append(args, id)
		in = append(in, "$"+itoa(len(args)))
	}
	query := `SELECT ` + recordColumns + ` WHERE r.org_id IN (` + strings.Join(in, ", ") + `)`
	if f.DoctorID != 0 {
		args = append(args, f.DoctorID)
		query += ` AND r.doctor_id = $` + itoa(len(args))
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	args = append(args, limit)
	query += ` ORDER BY r.held_on DESC, r.id DESC LIMIT $` + itoa(len(args))
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []records.Record
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *r)
	}
	return list, mapErr(rows.Err())
}

const agreementColumns = `id, org_id, partner_org_id, roles, topics, purpose, created_by, created_at, revoked_by, revoked_at FROM agreements`

func scanAgreement(row interface{ Scan(...any) error }) (*records.Agreement, error) {
	var a records.Agreement
	var roles, topics string
	var revokedBy sql.NullInt64
	var revokedAt sql.NullTime
	if err := row.Scan(&a.ID, &a.OrgID, &a.PartnerOrgID, &roles, &topics, &a.Purpose, &a.CreatedBy, &a.CreatedAt,
		&revokedBy, &revokedAt); err != nil {
		return nil, mapErr(err)
	}
	if err := json.Unmarshal([]byte(roles), &a.Roles); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(topics), &a.Topics); err != nil {
		return nil, err
	}
	a.CreatedAt, a.RevokedBy, a.RevokedAt = a.CreatedAt.UTC(), revokedBy.Int64, nullTime(revokedAt)
	return &a, nil
}

// CreateAgreement inserts a and sets its ID: ErrConflict when the pair
// already has an agreement in force.
func (db *DB) CreateAgreement(ctx context.Context, a *records.Agreement) error {
	a.CreatedAt = db.createdAt(a.CreatedAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO agreements (org_id, partner_org_id, roles, topics, purpose, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			a.OrgID, a.PartnerOrgID, mustJSON(nonNil(a.Roles)), mustJSON(nonNil(a.Topics)), a.Purpose, a.CreatedBy, a.CreatedAt).Scan(&a.ID)
	})
}

// RevokeAgreement ends an agreement in force, or returns ErrNotFound.
func (db *DB) RevokeAgreement(ctx context.Context, id, by int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE agreements SET revoked_by = $1, revoked_at = $2 WHERE id = $3 AND revoked_at IS NULL`, by, utc(at), id)
	})
}

// Agreement returns one agreement or ErrNotFound.
func (db *DB) Agreement(ctx context.Context, id int64) (*records.Agreement, error) {
	return scanAgreement(db.read.QueryRowContext(ctx, `SELECT `+agreementColumns+` WHERE id = $1`, id))
}

// Agreements returns the agreements matching f, the latest first.
func (db *DB) Agreements(ctx context.Context, f records.AgreementFilter) ([]records.Agreement, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+itoa(len(args))))
	}
	if f.OrgID != 0 {
		add("org_id = ?", f.OrgID)
	}
	if f.PartnerOrgID != 0 {
		add("partner_org_id = ?", f.PartnerOrgID)
	}
	if f.Involving != 0 {
		add("(org_id = ? OR partner_org_id = ?)", f.Involving)
	}
	if f.Active {
		where = append(where, "revoked_at IS NULL")
	}
	query := `SELECT ` + agreementColumns
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, " AND ")
	}
	rows, err := db.read.QueryContext(ctx, query+` ORDER BY created_at DESC, id DESC`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []records.Agreement
	for rows.Next() {
		a, err := scanAgreement(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *a)
	}
	return list, mapErr(rows.Err())
}

// GiveConsent inserts c and sets its ID: ErrConflict when a consent of the
// doctor to the organisation is already in force.
func (db *DB) GiveConsent(ctx context.Context, c *records.Consent) error {
	c.GivenAt = db.createdAt(c.GivenAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO record_consents (doctor_id, org_id, given_at) VALUES ($1, $2, $3) RETURNING id`,
			c.DoctorID, c.OrgID, c.GivenAt).Scan(&c.ID)
	})
}

// WithdrawConsent ends the consent in force, or returns ErrNotFound.
func (db *DB) WithdrawConsent(ctx context.Context, doctorID, orgID int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE record_consents SET withdrawn_at = $1 WHERE doctor_id = $2 AND org_id = $3 AND withdrawn_at IS NULL`,
			utc(at), doctorID, orgID)
	})
}

// Consents returns the doctor's consents, the latest first.
func (db *DB) Consents(ctx context.Context, doctorID int64) ([]records.Consent, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, doctor_id, org_id, given_at, withdrawn_at FROM record_consents
		WHERE doctor_id = $1 ORDER BY given_at DESC, id DESC`, doctorID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []records.Consent
	for rows.Next() {
		var c records.Consent
		var withdrawn sql.NullTime
		if err := rows.Scan(&c.ID, &c.DoctorID, &c.OrgID, &c.GivenAt, &withdrawn); err != nil {
			return nil, mapErr(err)
		}
		c.GivenAt, c.WithdrawnAt = c.GivenAt.UTC(), nullTime(withdrawn)
		list = append(list, c)
	}
	return list, mapErr(rows.Err())
}

// ConsentInForce reports whether the doctor's consent to the organisation
// is in force.
func (db *DB) ConsentInForce(ctx context.Context, doctorID, orgID int64) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM record_consents WHERE doctor_id = $1 AND org_id = $2 AND withdrawn_at IS NULL`,
		doctorID, orgID).Scan(&n)
	return n > 0, mapErr(err)
}

// Follows reports whether the organisation follows the doctor: it is the
// coordinating office of one of the doctor's enrolments, or the prefecture
// whose program it is. Departures are ignored, so that records about a
// doctor who left a program can still be written.
func (db *DB) Follows(ctx context.Context, orgID, doctorID int64) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM enrollments e JOIN programs p ON p.id = e.program_id
		WHERE e.doctor_id = $1 AND (e.coordinator_org_id = $2 OR p.prefecture_org_id = $2)`, doctorID, orgID).Scan(&n)
	return n > 0, mapErr(err)
}

// Compile-time check that DB is a records store.
var _ records.Store = (*DB)(nil)
