package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/hakui-dev/hakui/internal/openings"
)

// CreateApplication records an application; a second one by the same
// doctor for the same opening returns ErrConflict.
func (db *DB) CreateApplication(ctx context.Context, a *openings.Application) error {
	now := utc(db.Now())
	a.CreatedAt, a.Status = now, "submitted"
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var status string
		if err := tx.QueryRowContext(ctx, `SELECT status FROM openings WHERE id = $1`, a.OpeningID).Scan(&status); err != nil {
			return err
		}
		if status != string(openings.StatusOpen) {
			return ErrNotFound
		}
		return tx.QueryRowContext(ctx, `INSERT INTO applications (opening_id, doctor_id, kind, message, shared, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id`, a.OpeningID, a.DoctorID, a.Kind, a.Message, mustJSON(a.Shared), now).Scan(&a.ID)
	})
}

const applicationQuery = `SELECT a.id, a.opening_id, o.title, a.doctor_id, a.kind, a.message, a.shared, a.status, a.created_at,
	o.poster_org_id, o.institution_id FROM applications a JOIN openings o ON o.id = a.opening_id`

func (db *DB) queryApplications(ctx context.Context, where string, args ...any) ([]openings.Application, error) {
	rows, err := db.read.QueryContext(ctx, applicationQuery+" WHERE "+where+" ORDER BY a.id DESC LIMIT 500", args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []openings.Application
	for rows.Next() {
		var a openings.Application
		var shared string
		if err := rows.Scan(&a.ID, &a.OpeningID, &a.OpeningTitle, &a.DoctorID, &a.Kind, &a.Message, &shared, &a.Status,
			&a.CreatedAt, &a.PosterOrgID, &a.InstitutionID); err != nil {
			return nil, mapErr(err)
		}
		if err := json.Unmarshal([]byte(shared), &a.Shared); err != nil {
			return nil, err
		}
		list = append(list, a)
	}
	return list, mapErr(rows.Err())
}

// DoctorApplications lists a doctor's applications, newest first.
func (db *DB) DoctorApplications(ctx context.Context, doctorID int64) ([]openings.Application, error) {
	return db.queryApplications(ctx, "a.doctor_id = $1", doctorID)
}

// OrgApplications lists the applications to openings an organisation posted
// or that were posted for it, newest first.
func (db *DB) OrgApplications(ctx context.Context, orgID int64) ([]openings.Application, error) {
	return db.queryApplications(ctx, "(o.poster_org_id = $1 OR o.institution_id = $1)", orgID)
}

// OpeningApplications lists the applications to one opening.
func (db *DB) OpeningApplications(ctx context.Context, openingID int64) ([]openings.Application, error) {
	return db.queryApplications(ctx, "a.opening_id = $1", openingID)
}

// Application returns one application.
func (db *DB) Application(ctx context.Context, doctorID, openingID int64) (*openings.Application, error) {
	list, err := db.queryApplications(ctx, "a.doctor_id = $1 AND a.opening_id = $2", doctorID, openingID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}
