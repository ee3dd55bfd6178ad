package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/hakui-dev/hakui/internal/placement"
)

const consultationColumns = `cs.id, cs.lead_id, COALESCE(cs.case_id, 0), cs.agency_id, cs.agent_id, ag.display_name, cs.mode,
	cs.scheduled_at, cs.place, cs.meeting_url, cs.held_at, cs.sealed_notes, cs.created_at, cs.updated_at
	FROM consultations cs JOIN users ag ON ag.id = cs.agent_id`

func scanConsultation(row interface{ Scan(...any) error }) (*placement.Consultation, error) {
	var c placement.Consultation
	var held sql.NullTime
	if err := row.Scan(&c.ID, &c.LeadID, &c.CaseID, &c.AgencyID, &c.AgentID, &c.AgentName, &c.Mode, &c.ScheduledAt, &c.Place,
		&c.MeetingURL, &held, &c.Sealed, &c.CreatedAt, &c.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	c.ScheduledAt, c.HeldAt = c.ScheduledAt.UTC(), nullTime(held)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// CreateConsultation inserts c, its notes as sealed in c.Sealed, and sets
// its ID.
func (db *DB) CreateConsultation(ctx context.Context, c *placement.Consultation) error {
	c.CreatedAt = db.createdAt(c.CreatedAt)
	c.UpdatedAt = c.CreatedAt
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO consultations (agency_id, lead_id, case_id, agent_id, mode, scheduled_at, place,
			meeting_url, held_at, sealed_notes, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id`,
			c.AgencyID, c.LeadID, nullID(c.CaseID), c.AgentID, c.Mode, utc(c.ScheduledAt), c.Place, c.MeetingURL,
			timePtr(c.HeldAt), c.Sealed, c.CreatedAt).Scan(&c.ID)
	})
}

// UpdateConsultation writes the mode, time, venue, when it was held and
// the sealed notes. ErrNotFound when there is no such consultation.
func (db *DB) UpdateConsultation(ctx context.Context, c *placement.Consultation) error {
	now := utc(db.Now())
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE consultations SET mode = $1, scheduled_at = $2, place = $3, meeting_url = $4, held_at = $5,
			sealed_notes = $6, updated_at = $7 WHERE id = $8`,
			c.Mode, utc(c.ScheduledAt), c.Place, c.MeetingURL, timePtr(c.HeldAt), c.Sealed, now, c.ID)
	})
	if err == nil {
		c.UpdatedAt = now
	}
	return err
}

// Consultation returns one consultation, its notes sealed, or ErrNotFound.
func (db *DB) Consultation(ctx context.Context, id int64) (*placement.Consultation, error) {
	return scanConsultation(db.read.QueryRowContext(ctx, `SELECT `+consultationColumns+` WHERE cs.id = $1`, id))
}

// Consultations returns a lead's consultations, the latest scheduled
// first.
func (db *DB) Consultations(ctx context.Context, leadID int64) ([]placement.Consultation, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+consultationColumns+` WHERE cs.lead_id = $1
		ORDER BY cs.scheduled_at DESC, cs.id DESC`, leadID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []placement.Consultation
	for rows.Next() {
		c, err := scanConsultation(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *c)
	}
	return list, mapErr(rows.Err())
}

const interviewColumns = `id, case_id, starts_at, ends_at, mode, place, meeting_url, participants, sequence, cancelled_at,
	created_by, created_at FROM interviews`

func scanInterview(row interface{ Scan(...any) error }) (*placement.Interview, error) {
	var iv placement.Interview
	var participants string
	var cancelled sql.NullTime
	if err := row.Scan(&iv.ID, &iv.CaseID, &iv.StartsAt, &iv.EndsAt, &iv.Mode, &iv.Place, &iv.MeetingURL, &participants,
		&iv.Sequence, &cancelled, &iv.CreatedBy, &iv.CreatedAt); err != nil {
		return nil, mapErr(err)
	}
	if err := json.Unmarshal([]byte(participants), &iv.Participants); err != nil {
		return nil, err
	}
	iv.StartsAt, iv.EndsAt, iv.CreatedAt = iv.StartsAt.UTC(), iv.EndsAt.UTC(), iv.CreatedAt.UTC()
	iv.CancelledAt = nullTime(cancelled)
	return &iv, nil
}

// CreateInterview inserts iv and sets its ID.
func (db *DB) CreateInterview(ctx context.Context, iv *placement.Interview) error {
	iv.CreatedAt = db.createdAt(iv.CreatedAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO interviews (case_id, starts_at, ends_at, mode, place, meeting_url, participants,
			sequence, cancelled_at, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			iv.CaseID, utc(iv.StartsAt), utc(iv.EndsAt), iv.Mode, iv.Place, iv.MeetingURL, mustJSON(nonNil(iv.Participants)),
			iv.Sequence, timePtr(iv.CancelledAt), iv.CreatedBy, iv.CreatedAt).Scan(&iv.ID)
	})
}

// UpdateInterview writes the time, venue, participants, sequence and
// cancellation of iv. ErrNotFound when there is no such interview.
func (db *DB) UpdateInterview(ctx context.Context, iv *placement.Interview) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE interviews SET starts_at = $1, ends_at = $2, mode = $3, place = $4, meeting_url = $5,
			participants = $6, sequence = $7, cancelled_at = $8 WHERE id = $9`,
			utc(iv.StartsAt), utc(iv.EndsAt), iv.Mode, iv.Place, iv.MeetingURL, mustJSON(nonNil(iv.Participants)), iv.Sequence,
			timePtr(iv.CancelledAt), iv.ID)
	})
}

// Interview returns one interview or ErrNotFound.
func (db *DB) Interview(ctx context.Context, id int64) (*placement.Interview, error) {
	return scanInterview(db.read.QueryRowContext(ctx, `SELECT `+interviewColumns+` WHERE id = $1`, id))
}

// Interviews returns a case's interviews by start time.
func (db *DB) Interviews(ctx context.Context, caseID int64) ([]placement.Interview, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+interviewColumns+` WHERE case_id = $1 ORDER BY starts_at, id`, caseID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []placement.Interview
	for rows.Next() {
		iv, err := scanInterview(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *iv)
	}
	return list, mapErr(rows.Err())
}

// SaveScorecard stores sc as its author's scorecard for the interview,
// replacing the one they sent before, and sets its ID.
func (db *DB) SaveScorecard(ctx context.Context, sc *placement.Scorecard) error {
	sc.CreatedAt = db.createdAt(sc.CreatedAt)
	scores := sc.Scores
	if scores == nil {
		scores = map[int64]int{}
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO scorecards (case_id, interview_id, author_id, scores, overall, comment, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (interview_id, author_id) DO UPDATE SET scores = excluded.scores, overall = excluded.overall,
			comment = excluded.comment, created_at = excluded.created_at RETURNING id`,
			sc.CaseID, sc.InterviewID, sc.By, mustJSON(scores), sc.Overall, sc.Comment, sc.CreatedAt).Scan(&sc.ID)
	})
}

// Scorecards returns the scorecards of a case's interviews, oldest first.
func (db *DB) Scorecards(ctx context.Context, caseID int64) ([]placement.Scorecard, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT sc.id, sc.case_id, sc.interview_id, sc.author_id, u.display_name, sc.scores,
		sc.overall, sc.comment, sc.created_at FROM scorecards sc JOIN users u ON u.id = sc.author_id
		WHERE sc.case_id = $1 ORDER BY sc.created_at, sc.id`, caseID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []placement.Scorecard
	for rows.Next() {
		var sc placement.Scorecard
		var scores string
		if err := rows.Scan(&sc.ID, &sc.CaseID, &sc.InterviewID, &sc.By, &sc.ByName, &scores, &sc.Overall, &sc.Comment,
			&sc.CreatedAt); err != nil {
			return nil, mapErr(err)
		}
		if err := json.Unmarshal([]byte(scores), &sc.Scores); err != nil {
			return nil, err
		}
		sc.CreatedAt = sc.CreatedAt.UTC()
		list = append(list, sc)
	}
	return list, mapErr(rows.Err())
}
