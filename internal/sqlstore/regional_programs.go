package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/regional"
)

var _ regional.Store = (*DB)(nil)

const programColumns = `p.id, p.prefecture_org_id, CASE WHEN o.prefecture <> '' THEN o.prefecture ELSE o.name END, p.name,
	p.total_years, p.min_shortage_years, p.specialties, p.outside_counts, p.outside_cap_months, p.suspension_caps,
	p.deadline_years, p.start_basis, p.version, p.created_at, p.updated_at
	FROM programs p JOIN organisations o ON o.id = p.prefecture_org_id`

func scanProgram(row interface{ Scan(...any) error }) (*obligation.Program, error) {
	var p obligation.Program
	var specialties, caps string
	err := row.Scan(&p.ID, &p.PrefectureOrgID, &p.Prefecture, &p.Name, &p.TotalYears, &p.MinShortageYears, &specialties,
		&p.OutsideCounts, &p.OutsideCapMonths, &caps, &p.DeadlineYears, &p.StartBasis, &p.Version, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return nil, mapErr(err)
	}
	if err := json.Unmarshal([]byte(specialties), &p.Specialties); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(caps), &p.SuspensionCaps); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = p.CreatedAt.UTC(), p.UpdatedAt.UTC()
	return &p, nil
}

// programValues are the columns a program save writes, in order:
// name, total_years, min_shortage_years, specialties, outside_counts,
// outside_cap_months, suspension_caps, deadline_years, start_basis.
func programValues(p *obligation.Program) []any {
	caps := p.SuspensionCaps
	if caps == nil {
		caps = map[obligation.SuspensionReason]int{}
	}
	return []any{p.Name, p.TotalYears, p.MinShortageYears, mustJSON(nonNil(p.Specialties)), p.OutsideCounts,
		p.OutsideCapMonths, mustJSON(caps), p.DeadlineYears, p.StartBasis}
}

// CreateProgram inserts p at version 1 and sets its ID and times.
func (db *DB) CreateProgram(ctx context.Context, p *obligation.Program) error {
	p.CreatedAt = db.createdAt(p.CreatedAt)
	p.UpdatedAt, p.Version = p.CreatedAt, 1
	args := append([]any{p.PrefectureOrgID, p.CreatedAt}, programValues(p)...)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO programs (prefecture_org_id, created_at, name, total_years,
			min_shortage_years, specialties, outside_counts, outside_cap_months, suspension_caps, deadline_years,
			start_basis, version, updated_at) VALUES (`+placeholders(1, len(args))+`, 1, $2) RETURNING id`, args...).Scan(&p.ID)
	})
}

// UpdateProgram writes p if its version is still p.Version, else returns
// ErrConflict; on success p holds the stored version and time.
func (db *DB) UpdateProgram(ctx context.Context, p *obligation.Program) error {
	now := utc(db.Now())
	args := append(programValues(p), now, p.ID, p.Version)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := execOne(ctx, tx, `UPDATE programs SET name = $1, total_years = $2, min_shortage_years = $3, specialties = $4,
			outside_counts = $5, outside_cap_months = $6, suspension_caps = $7, deadline_years = $8, start_basis = $9,
			updated_at = $10, version = version + 1 WHERE id = $11 AND version = $12`, args...)
		if err == ErrNotFound {
			return ErrConflict
		}
		return err
	})
	if err == nil {
		p.Version, p.UpdatedAt = p.Version+1, now
	}
	return err
}

// Program returns one program or ErrNotFound.
func (db *DB) Program(ctx context.Context, id int64) (*obligation.Program, error) {
	return scanProgram(db.read.QueryRowContext(ctx, `SELECT `+programColumns+` WHERE p.id = $1`, id))
}

// Programs lists a prefecture's programs by name, or every program for 0.
func (db *DB) Programs(ctx context.Context, prefectureOrgID int64) ([]obligation.Program, error) {
	var q query
	if prefectureOrgID != 0 {
		q.add("p.prefecture_org_id = ?", prefectureOrgID)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+programColumns+q.sql()+` ORDER BY p.prefecture_org_id, p.name, p.id`, q.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []obligation.Program
	for rows.Next() {
		p, err := scanProgram(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *p)
	}
	return list, mapErr(rows.Err())
}

// SaveArea inserts a (ID 0) or rewrites its code and name; a duplicate
// code in the prefecture is a conflict.
func (db *DB) SaveArea(ctx context.Context, a *regional.Area) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if a.ID == 0 {
			return tx.QueryRowContext(ctx, `INSERT INTO medical_areas (prefecture_org_id, code, name) VALUES ($1, $2, $3) RETURNING id`,
				a.PrefectureOrgID, a.Code, a.Name).Scan(&a.ID)
		}
		return execOne(ctx, tx, `UPDATE medical_areas SET code = $1, name = $2 WHERE id = $3`, a.Code, a.Name, a.ID)
	})
}

// SetAreaClass sets the area's class for the fiscal year.
func (db *DB) SetAreaClass(ctx context.Context, areaID int64, year int, class obligation.AreaClass) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO area_classes (area_id, fiscal_year, class) VALUES ($1, $2, $3)
			ON CONFLICT (area_id, fiscal_year) DO UPDATE SET class = excluded.class`, areaID, year, string(class))
		return err
	})
}

// Area returns one medical area with its classes, or ErrNotFound.
func (db *DB) Area(ctx context.Context, id int64) (*regional.Area, error) {
	list, err := db.areas(ctx, "a.id = $1", id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// Areas lists a prefecture's medical areas by code, with their classes.
func (db *DB) Areas(ctx context.Context, prefectureOrgID int64) ([]regional.Area, error) {
	return db.areas(ctx, "a.prefecture_org_id = $1", prefectureOrgID)
}

func (db *DB) areas(ctx context.Context, where string, arg any) ([]regional.Area, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT a.id, a.prefecture_org_id, a.code, a.name,
		COALESCE(c.fiscal_year, 0), COALESCE(c.class, '')
		FROM medical_areas a LEFT JOIN area_classes c ON c.area_id = a.id
		WHERE `+where+` ORDER BY a.code, a.id, c.fiscal_year`, arg)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []regional.Area
	for rows.Next() {
		var a regional.Area
		var year int
		var class string
		if err := rows.Scan(&a.ID, &a.PrefectureOrgID, &a.Code, &a.Name, &year, &class); err != nil {
			return nil, mapErr(err)
		}
		if n := len(list); n == 0 || list[n-1].ID != a.ID {
			a.Classes = map[int]obligation.AreaClass{}
			list = append(list, a)
		}
		if year != 0 {
			list[len(list)-1].Classes[year] = obligation.AreaClass(class)
		}
	}
	return list, mapErr(rows.Err())
}
