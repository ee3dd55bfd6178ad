package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/hakui-dev/hakui/internal/openings"
)

// Institution returns an institution's profile; one never edited has
// defaults.
func (db *DB) Institution(ctx context.Context, orgID int64) (*openings.Institution, error) {
	org, err := db.Organisation(ctx, orgID)
	if err != nil {
		return nil, err
	}
	in := &openings.Institution{OrgID: org.ID, Name: org.Name, Prefecture: org.Prefecture, Kind: openings.Clinic}
	var departments string
	err = db.read.QueryRowContext(ctx, `SELECT kind, beds, address, city, medical_area, departments, motto, values_text, updated_at
		FROM institution_profiles WHERE org_id = $1`, orgID).Scan(&in.Kind, &in.Beds, &in.Address, &in.City, &in.MedicalArea,
		&departments, &in.Motto, &in.Values, &in.UpdatedAt)
	switch {
	case err == sql.ErrNoRows:
		return in, nil
	case err != nil:
		return nil, mapErr(err)
	}
	return in, json.Unmarshal([]byte(departments), &in.Departments)
}

// SaveInstitution writes an institution's profile and its prefecture.
func (db *DB) SaveInstitution(ctx context.Context, in *openings.Institution) error {
	now := utc(db.Now())
	in.UpdatedAt = now
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, `UPDATE organisations SET prefecture = $1 WHERE id = $2`, in.Prefecture, in.OrgID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO institution_profiles (org_id, kind, beds, address, city, medical_area, departments,
			motto, values_text, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (org_id) DO UPDATE SET kind = excluded.kind, beds = excluded.beds, address = excluded.address,
			city = excluded.city, medical_area = excluded.medical_area, departments = excluded.departments,
			motto = excluded.motto, values_text = excluded.values_text, updated_at = excluded.updated_at`,
			in.OrgID, in.Kind, in.Beds, in.Address, in.City, in.MedicalArea, mustJSON(nonNil(in.Departments)), in.Motto, in.Values, now)
		return err
	})
}
