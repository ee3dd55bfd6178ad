package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/hakui-dev/hakui/internal/placement"
)

const followUpColumns = `f.id, f.agency_id, COALESCE(f.case_id, 0), f.lead_id, COALESCE(l.user_id, 0), f.agent_id,
	f.trigger_kind, f.trigger_date, f.trigger_stage, f.trigger_specialty, f.trigger_years, f.note, f.context, f.status,
	f.fired_at, f.created_at, l.name, COALESCE(inst.name, '')
	FROM follow_ups f JOIN leads l ON l.id = f.lead_id LEFT JOIN cases c ON c.id = f.case_id
	LEFT JOIN organisations inst ON inst.id = c.institution_id`

func scanFollowUp(row interface{ Scan(...any) error }) (*placement.FollowUp, error) {
	var f placement.FollowUp
	var fired sql.NullTime
	if err := row.Scan(&f.ID, &f.AgencyID, &f.CaseID, &f.LeadID, &f.DoctorID, &f.AgentID, &f.Trigger.Kind, &f.Trigger.Date,
		&f.Trigger.Stage, &f.Trigger.Specialty, &f.Trigger.Years, &f.Note, &f.Context, &f.Status, &fired, &f.CreatedAt,
		&f.DoctorName, &f.InstitutionName); err != nil {
		return nil, mapErr(err)
	}
	f.FiredAt, f.CreatedAt = nullTime(fired), f.CreatedAt.UTC()
	return &f, nil
}

// CreateFollowUp inserts f (waiting, unless f.Status says otherwise) and
// sets its ID.
func (db *DB) CreateFollowUp(ctx context.Context, f *placement.FollowUp) error {
	f.CreatedAt = db.createdAt(f.CreatedAt)
	if f.Status == "" {
		f.Status = placement.FollowUpWaiting
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO follow_ups (agency_id, case_id, lead_id, agent_id, trigger_kind, trigger_date,
			trigger_stage, trigger_specialty, trigger_years, note, context, status, fired_at, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14) RETURNING id`,
			f.AgencyID, nullID(f.CaseID), f.LeadID, f.AgentID, f.Trigger.Kind, f.Trigger.Date, f.Trigger.Stage,
			f.Trigger.Specialty, f.Trigger.Years, f.Note, f.Context, f.Status, timePtr(f.FiredAt), f.CreatedAt).Scan(&f.ID)
	})
}

// FollowUp returns one follow-up or ErrNotFound.
func (db *DB) FollowUp(ctx context.Context, id int64) (*placement.FollowUp, error) {
	return scanFollowUp(db.read.QueryRowContext(ctx, `SELECT `+followUpColumns+` WHERE f.id = $1`, id))
}

// FollowUps lists the follow-ups f selects, newest first; f.AgencyID 0
// selects every agency's, for the system's sweep.
func (db *DB) FollowUps(ctx context.Context, f placement.FollowUpFilter) ([]placement.FollowUp, error) {
	var q query
	if f.AgencyID != 0 {
		q.add("f.agency_id = ?", f.AgencyID)
	}
	if f.AgentID != 0 {
		q.add("f.agent_id = ?", f.AgentID)
	}
	if f.LeadID != 0 {
		q.add("f.lead_id = ?", f.LeadID)
	}
	if f.DoctorID != 0 {
		q.add("l.user_id = ?", f.DoctorID)
	}
	if len(f.Statuses) > 0 {
		ph, args := inList(f.Statuses)
		q.add("f.status IN ("+ph+")", args...)
	}
	tail := " ORDER BY f.created_at DESC, f.id DESC"
	if f.Limit > 0 {
		tail += " LIMIT " + itoa(f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+followUpColumns+q.sql()+tail, q.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []placement.FollowUp
	for rows.Next() {
		fu, err := scanFollowUp(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *fu)
	}
	return list, mapErr(rows.Err())
}

// SetFollowUpStatus moves the follow-up from one status to another at at,
// recording at as when it fired when it becomes due, and reports whether
// it did: false when its status was no longer from.
func (db *DB) SetFollowUpStatus(ctx context.Context, id int64, from, to placement.FollowUpStatus, at time.Time) (bool, error) {
	at = utc(at)
	var fired any
	if to == placement.FollowUpDue {
		fired = at
	}
	var moved bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := execOne(ctx, tx, `UPDATE follow_ups SET status = $1, fired_at = COALESCE($2, fired_at), updated_at = $3
			WHERE id = $4 AND status = $5`, to, fired, at, id, from)
		moved = err == nil
		if err == ErrNotFound {
			return nil
		}
		return err
	})
	return moved, err
}
