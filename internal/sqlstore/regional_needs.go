package sqlstore

import (
	"context"
	"database/sql"

	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/regional"
)

// SetNeed inserts n or replaces the count, author and time of the need
// with its prefecture, year, specialty and area. An area of another
// prefecture, or none, is invalid (the foreign key on area and
// prefecture).
func (db *DB) SetNeed(ctx context.Context, n *regional.Need) error {
	n.UpdatedAt = db.createdAt(n.UpdatedAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO needs (prefecture_org_id, fiscal_year, specialty, area_id, count, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (prefecture_org_id, fiscal_year, specialty, area_id)
			DO UPDATE SET count = excluded.count, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			n.PrefectureOrgID, n.FiscalYear, n.Specialty, n.AreaID, n.Count, nullID(n.UpdatedBy), n.UpdatedAt)
		return err
	})
}

// DeleteNeed removes a need, or returns ErrNotFound.
func (db *DB) DeleteNeed(ctx context.Context, prefectureOrgID int64, year int, specialty string, areaID int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `DELETE FROM needs WHERE prefecture_org_id = $1 AND fiscal_year = $2 AND specialty = $3 AND area_id = $4`,
			prefectureOrgID, year, specialty, areaID)
	})
}

// Needs lists a prefecture's needs in the fiscal years from to to, by
// year, specialty, area code.
func (db *DB) Needs(ctx context.Context, prefectureOrgID int64, from, to int) ([]regional.Need, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT n.prefecture_org_id, n.fiscal_year, n.specialty, n.area_id, a.code, a.name,
		n.count, COALESCE(n.updated_by, 0), COALESCE(u.display_name, ''), n.updated_at
		FROM needs n JOIN medical_areas a ON a.id = n.area_id LEFT JOIN users u ON u.id = n.updated_by
		WHERE n.prefecture_org_id = $1 AND n.fiscal_year BETWEEN $2 AND $3
		ORDER BY n.fiscal_year, n.specialty, a.code, n.area_id`, prefectureOrgID, from, to)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []regional.Need
	for rows.Next() {
		var n regional.Need
		if err := rows.Scan(&n.PrefectureOrgID, &n.FiscalYear, &n.Specialty, &n.AreaID, &n.AreaCode, &n.AreaName,
			&n.Count, &n.UpdatedBy, &n.UpdatedByName, &n.UpdatedAt); err != nil {
			return nil, mapErr(err)
		}
		n.UpdatedAt = n.UpdatedAt.UTC()
		list = append(list, n)
	}
	return list, mapErr(rows.Err())
}

// PrefecturePlans lists the plans of the enrolments in the prefecture's
// programs, with their years.
func (db *DB) PrefecturePlans(ctx context.Context, prefectureOrgID int64) ([]obligation.Plan, error) {
	return db.plans(ctx, `enrollment_id IN (SELECT e.id FROM enrollments e JOIN programs pr ON pr.id = e.program_id
		WHERE pr.prefecture_org_id = $1)`, prefectureOrgID)
}
