package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/openings"
)

const openingColumns = `o.id, o.institution_id, inst.name, o.poster_org_id, poster.name, o.posted_by, u.display_name,
	o.title, o.kind, o.remote_kind, o.specialty, o.schedule_kind, o.weekly, o.single_date, o.start_time, o.end_time,
	o.schedule_note, o.pay_unit, o.pay_min_yen, o.pay_max_yen, o.emergency_level, o.duty_permit, o.prefecture, o.city,
	o.address, o.answer_student, o.answer_junior_resident, o.answer_specialty_resident, o.answer_specialist,
	o.check_items, o.description, o.status, o.version, o.created_at, o.updated_at, o.posted_at, o.closed_at`

const openingJoins = ` FROM openings o JOIN organisations inst ON inst.id = o.institution_id
	JOIN organisations poster ON poster.id = o.poster_org_id JOIN users u ON u.id = o.posted_by`

func scanOpening(row interface{ Scan(...any) error }) (*openings.Opening, error) {
	var o openings.Opening
	var weekly, checkItems string
	var aStudent, aJunior, aSpecialty, aSpecialist career.StageAnswer
	var posted, closed sql.NullTime
	err := row.Scan(&o.ID, &o.InstitutionID, &o.InstitutionName, &o.PosterOrgID, &o.PosterOrgName, &o.PostedBy, &o.PostedByName,
		&o.Title, &o.Kind, &o.RemoteKind, &o.Specialty, &o.Schedule.Kind, &weekly, &o.Schedule.Date, &o.Schedule.Start,
		&o.Schedule.End, &o.Schedule.Note, &o.PayUnit, &o.PayMinYen, &o.PayMaxYen, &o.EmergencyLevel, &o.DutyPermit,
		&o.Prefecture, &o.City, &o.Address, &aStudent, &aJunior, &aSpecialty, &aSpecialist, &checkItems, &o.Description,
		&o.Status, &o.Version, &o.CreatedAt, &o.UpdatedAt, &posted, &closed)
	if err != nil {
		return nil, mapErr(err)
	}
	o.Answers = map[career.Stage]career.StageAnswer{career.StageStudent: aStudent, career.StageJuniorResident: aJunior,
		career.StageSpecialtyResident: aSpecialty, career.StageSpecialist: aSpecialist}
	if err := json.Unmarshal([]byte(weekly), &o.Schedule.Weekly); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(checkItems), &o.CheckItems); err != nil {
		return nil, err
	}
	o.PostedAt, o.ClosedAt = nullTime(posted), nullTime(closed)
	o.CreatedAt, o.UpdatedAt = o.CreatedAt.UTC(), o.UpdatedAt.UTC()
	return &o, nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only plain data is marshalled here
	}
	return string(b)
}

// CreateOpening inserts o with its requirements and sets its ID.
func (db *DB) CreateOpening(ctx context.Context, o *openings.Opening) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.createOpening(ctx, tx, o) })
}

// ImportOpenings creates the openings without an ID and updates those with
// one, all in one transaction: one failure imports nothing.
func (db *DB) ImportOpenings(ctx context.Context, list []*openings.Opening) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, o := range list {
			var err error
			if o.ID == 0 {
				err = db.createOpening(ctx, tx, o)
			} else {
				err = db.updateOpening(ctx, tx, o)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) createOpening(ctx context.Context, tx *sql.Tx, o *openings.Opening) error {
	now := utc(db.Now())
	o.CreatedAt, o.UpdatedAt, o.Version = now, now, 1
	if o.Status == openings.StatusOpen && o.PostedAt == nil {
		o.PostedAt = &now
	}
	err := tx.QueryRowContext(ctx, `INSERT INTO openings (institution_id, poster_org_id, posted_by, title, kind, remote_kind,
		specialty, schedule_kind, weekly, weekday_mask, single_date, start_time, end_time, schedule_note, pay_unit, pay_min_yen,
		pay_max_yen, emergency_level, duty_permit, prefecture, city, address, answer_student, answer_junior_resident,
		answer_specialty_resident, answer_specialist, check_items, description, status, version, created_at,
		updated_at, posted_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
		$24, $25, $26, $27, $28, $29, 1, $30, $30, $31) RETURNING id`,
		o.InstitutionID, o.PosterOrgID, o.PostedBy, o.Title, o.Kind, o.RemoteKind, o.Specialty, o.Schedule.Kind,
		mustJSON(nonNil(o.Schedule.Weekly)), o.Schedule.WeekdayMask(), o.Schedule.Date, o.Schedule.Start, o.Schedule.End,
		o.Schedule.Note, o.PayUnit, o.PayMinYen, o.PayMaxYen, o.EmergencyLevel, o.DutyPermit, o.Prefecture, o.City, o.Address,
		o.Answers[career.StageStudent], o.Answers[career.StageJuniorResident], o.Answers[career.StageSpecialtyResident],
		o.Answers[career.StageSpecialist], mustJSON(nonNil(o.CheckItems)), o.Description, o.Status, now,
		timePtr(o.PostedAt)).Scan(&o.ID)
	if err != nil {
		return err
	}
	if err := db.indexOpening(ctx, tx, o); err != nil {
		return err
	}
	return writeRequirements(ctx, tx, o)
}

// UpdateOpening replaces the editable fields of o if its version is still
// o.Version, and bumps the version. A concurrent edit returns ErrConflict.
func (db *DB) UpdateOpening(ctx context.Context, o *openings.Opening) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.updateOpening(ctx, tx, o) })
}

func (db *DB) updateOpening(ctx context.Context, tx *sql.Tx, o *openings.Opening) error {
	now := utc(db.Now())
	err := execOne(ctx, tx, `UPDATE openings SET title = $1, kind = $2, remote_kind = $3, specialty = $4, schedule_kind = $5,
		weekly = $6, weekday_mask = $7, single_date = $8, start_time = $9, end_time = $10, schedule_note = $11, pay_unit = $12,
		pay_min_yen = $13, pay_max_yen = $14, emergency_level = $15, duty_permit = $16, prefecture = $17, city = $18,
		address = $19, answer_student = $20, answer_junior_resident = $21, answer_specialty_resident = $22,
		answer_specialist = $23, check_items = $24, description = $25, updated_at = $26,
		version = version + 1
		WHERE id = $27 AND version = $28`,
		o.Title, o.Kind, o.RemoteKind, o.Specialty, o.Schedule.Kind, mustJSON(nonNil(o.Schedule.Weekly)), o.Schedule.WeekdayMask(),
		o.Schedule.Date, o.Schedule.Start, o.Schedule.End, o.Schedule.Note, o.PayUnit, o.PayMinYen, o.PayMaxYen,
		o.EmergencyLevel, o.DutyPermit, o.Prefecture, o.City, o.Address, o.Answers[career.StageStudent],
		o.Answers[career.StageJuniorResident], o.Answers[career.StageSpecialtyResident], o.Answers[career.StageSpecialist],
		mustJSON(nonNil(o.CheckItems)), o.Description, now, o.ID, o.Version)
	if err == ErrNotFound {
		return ErrConflict
	}
	if err != nil {
		return err
	}
	o.Version++
	o.UpdatedAt = now
	if _, err := tx.ExecContext(ctx, `DELETE FROM opening_requirements WHERE opening_id = $1`, o.ID); err != nil {
		return err
	}
	if err := db.indexOpening(ctx, tx, o); err != nil {
		return err
	}
	return writeRequirements(ctx, tx, o)
}

// SetOpeningStatus moves an opening to status (publishing sets posted_at
// the first time; closing sets closed_at), if the version matches.
func (db *DB) SetOpeningStatus(ctx context.Context, id int64, version int, status openings.Status) error {
	now := utc(db.Now())
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := execOne(ctx, tx, `UPDATE openings SET status = $1, version = version + 1, updated_at = $2,
			posted_at = CASE WHEN $1 = 'open' THEN COALESCE(posted_at, $2) ELSE posted_at END,
			closed_at = CASE WHEN $1 = 'closed' THEN $2 ELSE NULL END
			WHERE id = $3 AND version = $4`, string(status), now, id, version)
		if err == ErrNotFound {
			return ErrConflict
		}
		return err
	})
}

func writeRequirements(ctx context.Context, tx *sql.Tx, o *openings.Opening) error {
	for _, set := range []struct {
		reqs     []career.Requirement
		required bool
	}{{o.Required, true}, {o.Preferred, false}} {
		for _, r := range set.reqs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO opening_requirements (opening_id, code, level, required) VALUES ($1, $2, $3, $4)`,
				o.ID, r.Code, r.Level, set.required); err != nil {
				return err
			}
		}
	}
	return nil
}

// Opening returns one opening with its requirements, or ErrNotFound.
func (db *DB) Opening(ctx context.Context, id int64) (*openings.Opening, error) {
	o, err := scanOpening(db.read.QueryRowContext(ctx, `SELECT `+openingColumns+openingJoins+` WHERE o.id = $1`, id))
	if err != nil {
		return nil, err
	}
	if err := db.loadRequirements(ctx, []*openings.Opening{o}); err != nil {
		return nil, err
	}
	return o, nil
}

// loadRequirements fills Required and Preferred of the openings in one query.
func (db *DB) loadRequirements(ctx context.Context, list []*openings.Opening) error {
	if len(list) == 0 {
		return nil
	}
	byID := map[int64]*openings.Opening{}
	args := make([]any, len(list))
	ph := ""
	for i, o := range list {
		byID[o.ID] = o
		o.Required, o.Preferred = nil, nil
		args[i] = o.ID
		if i > 0 {
			ph += ", "
		}
		ph += "$" + itoa(i+1)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT r.opening_id, r.code, r.level, r.required FROM opening_requirements r
		LEFT JOIN competencies c ON c.code = r.code WHERE r.opening_id IN (`+ph+`) ORDER BY c.position, r.code`, args...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var r career.Requirement
		var required bool
		if err := rows.Scan(&id, &r.Code, &r.Level, &required); err != nil {
			return mapErr(err)
		}
		if required {
			byID[id].Required = append(byID[id].Required, r)
		} else {
			byID[id].Preferred = append(byID[id].Preferred, r)
		}
	}
	return mapErr(rows.Err())
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func timePtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return utc(*t)
}
