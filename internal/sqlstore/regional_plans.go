package sqlstore

import (
	"context"
	"database/sql"

	"github.com/hakui-dev/hakui/internal/obligation"
)

// CreatePlan inserts p and its years at version 1 and sets its ID; a
// duplicate name in the enrolment is a conflict.
func (db *DB) CreatePlan(ctx context.Context, p *obligation.Plan, createdBy int64) error {
	now := utc(db.Now())
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO plans (enrollment_id, name, created_by, version, created_at, updated_at)
			VALUES ($1, $2, $3, 1, $4, $4) RETURNING id`, p.EnrollmentID, p.Name, nullID(createdBy), now).Scan(&p.ID)
		if err != nil {
			return err
		}
		p.Version, p.UpdatedAt = 1, now
		return insertPlanYears(ctx, tx, p)
	})
}

func insertPlanYears(ctx context.Context, tx *sql.Tx, p *obligation.Plan) error {
	for i, y := range p.Years {
		_, err := tx.ExecContext(ctx, `INSERT INTO plan_years (plan_id, position, fiscal_year, kind, months, class, area_code,
			outside, specialty, program, reason, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			p.ID, i, y.FiscalYear, string(y.Kind), y.Months, string(y.Class), y.AreaCode, y.Outside, y.Specialty, y.Program,
			string(y.Reason), y.Note)
		if err != nil {
			return err
		}
	}
	return nil
}

// UpdatePlan replaces p's name and years if its version is still
// p.Version, else returns ErrConflict; p then holds the stored version.
func (db *DB) UpdatePlan(ctx context.Context, p *obligation.Plan) error {
	now := utc(db.Now())
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := execOne(ctx, tx, `UPDATE plans SET name = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4`,
			p.Name, now, p.ID, p.Version)
		if err == ErrNotFound {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM plan_years WHERE plan_id = $1`, p.ID); err != nil {
			return err
		}
		return insertPlanYears(ctx, tx, p)
	})
	if err == nil {
		p.Version, p.UpdatedAt = p.Version+1, now
	}
	return err
}

// Plan returns one plan with its years, or ErrNotFound.
func (db *DB) Plan(ctx context.Context, id int64) (*obligation.Plan, error) {
	list, err := db.plans(ctx, "id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// Plans lists an enrolment's plans by name, with their years.
func (db *DB) Plans(ctx context.Context, enrollmentID int64) ([]obligation.Plan, error) {
	return db.plans(ctx, "enrollment_id = $1", enrollmentID)
}

func (db *DB) plans(ctx context.Context, where string, arg any) ([]obligation.Plan, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, enrollment_id, name, version, updated_at FROM plans WHERE `+where+` ORDER BY name, id`, arg)
	if err != nil {
		return nil, mapErr(err)
	}
	var list []obligation.Plan
	index := map[int64]int{}
	for rows.Next() {
		var p obligation.Plan
		if err := rows.Scan(&p.ID, &p.EnrollmentID, &p.Name, &p.Version, &p.UpdatedAt); err != nil {
			rows.Close()
			return nil, mapErr(err)
		}
		p.UpdatedAt = p.UpdatedAt.UTC()
		index[p.ID] = len(list)
		list = append(list, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(list) == 0 {
		return list, mapErr(err)
	}
	rows, err = db.read.QueryContext(ctx, `SELECT plan_id, fiscal_year, kind, months, class, area_code, outside, specialty,
		program, reason, note FROM plan_years WHERE plan_id IN (SELECT id FROM plans WHERE `+where+`) ORDER BY plan_id, position`, arg)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var planID int64
		var y obligation.PlanYear
		if err := rows.Scan(&planID, &y.FiscalYear, &y.Kind, &y.Months, &y.Class, &y.AreaCode, &y.Outside, &y.Specialty,
			&y.Program, &y.Reason, &y.Note); err != nil {
			return nil, mapErr(err)
		}
		if i, ok := index[planID]; ok {
			list[i].Years = append(list[i].Years, y)
		}
	}
	return list, mapErr(rows.Err())
}

// DeletePlan removes the plan and its years if it is still at version;
// ErrConflict if it changed, ErrNotFound if it is gone.
func (db *DB) DeletePlan(ctx context.Context, id int64, version int) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var cur int
		if err := tx.QueryRowContext(ctx, `SELECT version FROM plans WHERE id = $1`, id).Scan(&cur); err != nil {
			return err
		}
		if cur != version {
			return ErrConflict
		}
		if err := execOne(ctx, tx, `DELETE FROM plans WHERE id = $1 AND version = $2`, id, version); err == ErrNotFound {
			return ErrConflict
		} else if err != nil {
			return err
		}
		return nil
	})
}
