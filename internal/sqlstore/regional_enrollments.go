package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/regional"
)

const enrollmentColumns = `e.id, e.program_id, p.name, p.prefecture_org_id, e.doctor_id, u.display_name,
	COALESCE(e.coordinator_org_id, 0), COALESCE(c.name, ''), e.start_year, e.departed_on, e.departure_reason,
	e.departure_consented, COALESCE(e.departure_recorded_by, 0), COALESCE(e.created_by, 0), e.version, e.created_at, e.updated_at
	FROM enrollments e JOIN programs p ON p.id = e.program_id JOIN users u ON u.id = e.doctor_id
	LEFT JOIN organisations c ON c.id = e.coordinator_org_id`

// dateLayout is how departure dates are stored.
const dateLayout = "2006-01-02"

func scanEnrollment(row interface{ Scan(...any) error }) (*regional.Enrollment, error) {
	var e regional.Enrollment
	var departed sql.NullString
	var d obligation.Departure
	err := row.Scan(&e.ID, &e.ProgramID, &e.ProgramName, &e.PrefectureOrgID, &e.DoctorID, &e.DoctorName,
		&e.CoordinatorOrgID, &e.CoordinatorOrg, &e.StartYear, &departed, &d.Reason, &d.Consented, &e.DepartureBy,
		&e.CreatedBy, &e.Version, &e.CreatedAt, &e.UpdatedAt)
	if err != nil {
		return nil, mapErr(err)
	}
	if departed.Valid {
		if d.On, err = time.Parse(dateLayout, departed.String); err != nil {
			return nil, err
		}
		e.Departure = &d
	}
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return &e, nil
}

// CreateEnrollment inserts e at version 1 and sets its ID; a doctor
// already in the program is a conflict.
func (db *DB) CreateEnrollment(ctx context.Context, e *regional.Enrollment) error {
	e.CreatedAt = db.createdAt(e.CreatedAt)
	e.UpdatedAt, e.Version = e.CreatedAt, 1
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO enrollments (program_id, doctor_id, coordinator_org_id, start_year,
			created_by, version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id`,
			e.ProgramID, e.DoctorID, nullID(e.CoordinatorOrgID), e.StartYear, nullID(e.CreatedBy), e.CreatedAt).Scan(&e.ID)
	})
}

// Enrollment returns one enrolment or ErrNotFound.
func (db *DB) Enrollment(ctx context.Context, id int64) (*regional.Enrollment, error) {
	return scanEnrollment(db.read.QueryRowContext(ctx, `SELECT `+enrollmentColumns+` WHERE e.id = $1`, id))
}

// Enrollments lists the enrolments f selects, by program and doctor.
func (db *DB) Enrollments(ctx context.Context, f regional.EnrollmentFilter) ([]regional.Enrollment, error) {
	var q query
	if f.ProgramID != 0 {
		q.add("e.program_id = ?", f.ProgramID)
	}
	if f.PrefectureOrgID != 0 {
		q.add("p.prefecture_org_id = ?", f.PrefectureOrgID)
	}
	if f.CoordinatorOrgID != 0 {
		q.add("e.coordinator_org_id = ?", f.CoordinatorOrgID)
	}
	if f.DoctorID != 0 {
		q.add("e.doctor_id = ?", f.DoctorID)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+enrollmentColumns+q.sql()+` ORDER BY p.name, u.display_name, e.id`, q.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []regional.Enrollment
	for rows.Next() {
		e, err := scanEnrollment(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *e)
	}
	return list, mapErr(rows.Err())
}

// entriesChunk bounds the IDs in one IN list, well under both engines'
// limits on bound parameters.
const entriesChunk = 500

// Entries returns the ledger entries of the enrolments, by enrolment, each
// in fiscal-year order. Enrolments without entries are absent.
func (db *DB) Entries(ctx context.Context, enrollmentIDs []int64) (map[int64]*regional.Entries, error) {
	out := map[int64]*regional.Entries{}
	of := func(id int64) *regional.Entries {
		if out[id] == nil {
			out[id] = &regional.Entries{}
		}
		return out[id]
	}
	for start := 0; start < len(enrollmentIDs); start += entriesChunk {
		ids := enrollmentIDs[start:min(start+entriesChunk, len(enrollmentIDs))]
		ph, args := inList(ids)
		var q query
		q.add("x.enrollment_id IN ("+ph+")", args...)
		rows, err := db.read.QueryContext(ctx, `SELECT x.id, x.enrollment_id, COALESCE(x.area_id, 0), x.fiscal_year, x.months,
			COALESCE(x.institution_id, 0), x.institution, COALESCE(a.code, ''), COALESCE(a.name, ''), COALESCE(ac.class, ''),
			x.outside, x.specialty, x.training_stage, x.note, COALESCE(x.recorded_by, 0), COALESCE(u.display_name, ''), x.recorded_at
			FROM ledger_placements x LEFT JOIN medical_areas a ON a.id = x.area_id
			LEFT JOIN area_classes ac ON ac.area_id = x.area_id AND ac.fiscal_year = x.fiscal_year
			LEFT JOIN users u ON u.id = x.recorded_by`+q.sql()+` ORDER BY x.enrollment_id, x.fiscal_year, x.id`, q.args...)
		if err != nil {
			return nil, mapErr(err)
		}
		for rows.Next() {
			var p regional.PlacementEntry
			if err := rows.Scan(&p.ID, &p.EnrollmentID, &p.AreaID, &p.FiscalYear, &p.Months, &p.InstitutionID, &p.Institution,
				&p.AreaCode, &p.Area, &p.Class, &p.Outside, &p.Specialty, &p.TrainingStage, &p.Note, &p.RecordedBy,
				&p.RecordedByName, &p.RecordedAt); err != nil {
				rows.Close()
				return nil, mapErr(err)
			}
			p.RecordedAt = p.RecordedAt.UTC()
			en := of(p.EnrollmentID)
			en.Placements = append(en.Placements, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr(err)
		}
		rows, err = db.read.QueryContext(ctx, `SELECT x.id, x.enrollment_id, x.fiscal_year, x.months, x.reason, x.note,
			COALESCE(x.recorded_by, 0), COALESCE(u.display_name, ''), x.recorded_at
			FROM ledger_suspensions x LEFT JOIN users u ON u.id = x.recorded_by`+q.sql()+` ORDER BY x.enrollment_id, x.fiscal_year, x.id`, q.args...)
		if err != nil {
			return nil, mapErr(err)
		}
		for rows.Next() {
			var s regional.SuspensionEntry
			if err := rows.Scan(&s.ID, &s.EnrollmentID, &s.FiscalYear, &s.Months, &s.Reason, &s.Note, &s.RecordedBy,
				&s.RecordedByName, &s.RecordedAt); err != nil {
				rows.Close()
				return nil, mapErr(err)
			}
			s.RecordedAt = s.RecordedAt.UTC()
			en := of(s.EnrollmentID)
			en.Suspensions = append(en.Suspensions, s)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr(err)
		}
	}
	return out, nil
}

// SaveLedger writes e's departure and applies ch if the enrolment is still
// at e.Version, else returns ErrConflict; the version goes up by one. New
// entries get their IDs; removing an entry of another enrolment, or none,
// is ErrNotFound.
func (db *DB) SaveLedger(ctx context.Context, e *regional.Enrollment, ch regional.LedgerChange) error {
	now := utc(db.Now())
	var departed any
	reason, consented, by := "", false, sql.NullInt64{}
	if d := e.Departure; d != nil {
		departed, reason, consented, by = d.On.Format(dateLayout), d.Reason, d.Consented, nullID(e.DepartureBy)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := execOne(ctx, tx, `UPDATE enrollments SET departed_on = $1, departure_reason = $2, departure_consented = $3,
			departure_recorded_by = $4, updated_at = $5, version = version + 1 WHERE id = $6 AND version = $7`,
			departed, reason, consented, by, now, e.ID, e.Version)
		if err == ErrNotFound {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		if p := ch.AddPlacement; p != nil {
			p.EnrollmentID, p.RecordedAt = e.ID, db.createdAt(p.RecordedAt)
			err := tx.QueryRowContext(ctx, `INSERT INTO ledger_placements (enrollment_id, fiscal_year, months, institution_id,
				institution, area_id, outside, specialty, training_stage, note, recorded_by, recorded_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
				e.ID, p.FiscalYear, p.Months, nullID(p.InstitutionID), p.Institution, nullID(p.AreaID), p.Outside,
				p.Specialty, p.TrainingStage, p.Note, nullID(p.RecordedBy), p.RecordedAt).Scan(&p.ID)
			if err != nil {
				return err
			}
		}
		if s := ch.AddSuspension; s != nil {
			s.EnrollmentID, s.RecordedAt = e.ID, db.createdAt(s.RecordedAt)
			err := tx.QueryRowContext(ctx, `INSERT INTO ledger_suspensions (enrollment_id, fiscal_year, months, reason, note,
				recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
				e.ID, s.FiscalYear, s.Months, string(s.Reason), s.Note, nullID(s.RecordedBy), s.RecordedAt).Scan(&s.ID)
			if err != nil {
				return err
			}
		}
		if ch.RemovePlacement != 0 {
			if err := execOne(ctx, tx, `DELETE FROM ledger_placements WHERE id = $1 AND enrollment_id = $2`, ch.RemovePlacement, e.ID); err != nil {
				return err
			}
		}
		if ch.RemoveSuspension != 0 {
			if err := execOne(ctx, tx, `DELETE FROM ledger_suspensions WHERE id = $1 AND enrollment_id = $2`, ch.RemoveSuspension, e.ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		e.Version, e.UpdatedAt = e.Version+1, now
	}
	return err
}
