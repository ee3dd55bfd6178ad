package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/placement"
)

const caseColumns = `c.id, c.agency_id, c.lead_id, COALESCE(l.user_id, 0), c.opening_id, c.institution_id, c.agent_id, c.stage,
	c.round, c.recommendation, c.override_reason, c.override_problems, COALESCE(c.override_by, 0), c.override_at,
	c.outcome_reason, c.outcome_note, c.outcome_start_date, COALESCE(c.outcome_by, 0), c.outcome_at,
	c.doctor_verdict, c.doctor_note, COALESCE(c.doctor_reviewed_by, 0), c.doctor_reviewed_at,
	c.agent_verdict, c.agent_note, COALESCE(c.agent_reviewed_by, 0), c.agent_reviewed_at,
	c.stage_changed_at, c.introduced_at, c.version, c.created_at, c.updated_at, l.name, o.title, inst.name, ag.display_name`

const caseJoins = ` FROM cases c JOIN leads l ON l.id = c.lead_id JOIN openings o ON o.id = c.opening_id
	JOIN organisations inst ON inst.id = c.institution_id JOIN users ag ON ag.id = c.agent_id`

func scanCase(row interface{ Scan(...any) error }) (*placement.Case, error) {
	var c placement.Case
	var ov placement.Override
	var out placement.Outcome
	var dr, ar placement.Conclusion
	var problems string
	var ovAt, outAt, drAt, arAt, introduced sql.NullTime
	err := row.Scan(&c.ID, &c.AgencyID, &c.LeadID, &c.DoctorID, &c.OpeningID, &c.InstitutionID, &c.AgentID, &c.Stage,
		&c.Round, &c.Recommendation, &ov.Reason, &problems, &ov.By, &ovAt,
		&out.Reason, &out.Note, &out.StartDate, &out.By, &outAt,
		&dr.Verdict, &dr.Note, &dr.By, &drAt, &ar.Verdict, &ar.Note, &ar.By, &arAt,
		&c.StageChangedAt, &introduced, &c.Version, &c.CreatedAt, &c.UpdatedAt, &c.DoctorName, &c.OpeningTitle,
		&c.InstitutionName, &c.AgentName)
	if err != nil {
		return nil, mapErr(err)
	}
	if ovAt.Valid {
		if err := json.Unmarshal([]byte(problems), &ov.Problems); err != nil {
			return nil, err
		}
		ov.At = ovAt.Time.UTC()
		c.Override = &ov
	}
	if outAt.Valid {
		out.Stage, out.At = c.Stage, outAt.Time.UTC()
		c.Outcome = &out
	}
	if dr.Verdict != "" {
		dr.At = drAt.Time.UTC()
		c.DoctorReview = &dr
	}
	if ar.Verdict != "" {
		ar.At = arAt.Time.UTC()
		c.AgentReview = &ar
	}
	c.StageChangedAt, c.IntroducedAt = c.StageChangedAt.UTC(), nullTime(introduced)
	c.CreatedAt, c.UpdatedAt = c.CreatedAt.UTC(), c.UpdatedAt.UTC()
	return &c, nil
}

// caseFields are the columns of a case that SaveCase rewrites, in the
// order of caseValues.
var caseFields = []string{"agent_id", "stage", "round", "recommendation",
	"override_reason", "override_problems", "override_by", "override_at",
	"outcome_reason", "outcome_note", "outcome_start_date", "outcome_by", "outcome_at",
	"doctor_verdict", "doctor_note", "doctor_reviewed_by", "doctor_reviewed_at",
	"agent_verdict", "agent_note", "agent_reviewed_by", "agent_reviewed_at",
	"stage_changed_at", "introduced_at"}

func caseValues(c *placement.Case) []any {
	v := []any{c.AgentID, c.Stage, max(c.Round, 1), c.Recommendation}
	if o := c.Override; o != nil {
		v = append(v, o.Reason, mustJSON(nonNil(o.Problems)), nullID(o.By), utc(o.At))
	} else {
		v = append(v, "", "[]", nil, nil)
	}
	if o := c.Outcome; o != nil {
		v = append(v, o.Reason, o.Note, o.StartDate, nullID(o.By), utc(o.At))
	} else {
		v = append(v, "", "", "", nil, nil)
	}
	for _, r := range []*placement.Conclusion{c.DoctorReview, c.AgentReview} {
		if r != nil {
			v = append(v, r.Verdict, r.Note, nullID(r.By), utc(r.At))
		} else {
			v = append(v, "", "", nil, nil)
		}
	}
	return append(v, utc(c.StageChangedAt), timePtr(c.IntroducedAt))
}

// placeholders returns "$from, ..., $(from+n-1)".
func placeholders(from, n int) string {
	ph := make([]string, n)
	for i := range ph {
		ph[i] = "$" + itoa(from+i)
	}
	return strings.Join(ph, ", ")
}

// CreateCase inserts c at version 1 with its first timeline entry, and
// sets both IDs.
func (db *DB) CreateCase(ctx context.Context, c *placement.Case, ev placement.Event) error {
	c.CreatedAt = db.createdAt(c.CreatedAt)
	c.UpdatedAt, c.Version, c.Round = c.CreatedAt, 1, max(c.Round, 1)
	if c.StageChangedAt.IsZero() {
		c.StageChangedAt = c.CreatedAt
	}
	args := append([]any{c.AgencyID, c.LeadID, c.OpeningID, c.InstitutionID, c.CreatedAt}, caseValues(c)...)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO cases (agency_id, lead_id, opening_id, institution_id, created_at,
			`+strings.Join(caseFields, ", ")+`, version, updated_at)
			VALUES (`+placeholders(1, len(args))+`, 1, $5) RETURNING id`, args...).Scan(&c.ID)
		if err != nil {
			return err
		}
		return db.insertEvents(ctx, tx, []placement.Event{ev}, c.ID)
	})
}

// Case returns one case or ErrNotFound.
func (db *DB) Case(ctx context.Context, id int64) (*placement.Case, error) {
	return scanCase(db.read.QueryRowContext(ctx, `SELECT `+caseColumns+caseJoins+` WHERE c.id = $1`, id))
}

// Cases lists the cases f selects, most recently updated first.
func (db *DB) Cases(ctx context.Context, f placement.CaseFilter) ([]placement.Case, error) {
	var q query
	if f.AgencyID != 0 {
		q.add("c.agency_id = ?", f.AgencyID)
	}
	if f.AgentID != 0 {
		q.add("c.agent_id = ?", f.AgentID)
	}
	if f.LeadID != 0 {
		q.add("c.lead_id = ?", f.LeadID)
	}
	if f.DoctorID != 0 {
		q.add("l.user_id = ?", f.DoctorID)
	}
	if f.InstitutionID != 0 {
		q.add("c.institution_id = ?", f.InstitutionID)
	}
	if f.Introduced {
		q.add("c.introduced_at IS NOT NULL")
	}
	if len(f.Stages) > 0 {
		ph, args := inList(f.Stages)
		q.add("c.stage IN ("+ph+")", args...)
	}
	addLeadQuery(&q, f.Query)
	tail := " ORDER BY c.updated_at DESC, c.id DESC"
	if f.Limit > 0 {
		tail += " LIMIT " + itoa(f.Limit)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT `+caseColumns+caseJoins+q.sql()+tail, q.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []placement.Case
	for rows.Next() {
		c, err := scanCase(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *c)
	}
	return list, mapErr(rows.Err())
}

// SaveCase writes c if its version is still c.Version, else returns
// ErrConflict, and applies ch in the same transaction: the timeline
// entries (CaseID defaults to c.ID), the checklist and the share. On
// success c.Version and c.UpdatedAt are those stored, and new items,
// entries and the share have their IDs.
func (db *DB) SaveCase(ctx context.Context, c *placement.Case, ch placement.Change) error {
	now := utc(db.Now())
	vals := caseValues(c)
	sets := make([]string, len(caseFields))
	for i, f := range caseFields {
		sets[i] = f + " = $" + itoa(i+1)
	}
	n := len(vals)
	args := append(vals, now, c.ID, c.Version)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := execOne(ctx, tx, `UPDATE cases SET `+strings.Join(sets, ", ")+`, updated_at = $`+itoa(n+1)+
			`, version = version + 1 WHERE id = $`+itoa(n+2)+` AND version = $`+itoa(n+3), args...)
		if err == ErrNotFound {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		if err := db.insertEvents(ctx, tx, ch.Events, c.ID); err != nil {
			return err
		}
		if ch.ReplaceItems {
			err = replaceItems(ctx, tx, c.ID, ch.Items)
		} else {
			err = updateItems(ctx, tx, c.ID, ch.Items)
		}
		if err != nil {
			return err
		}
		if s := ch.Share; s != nil {
			s.CaseID = c.ID
			if s.InstitutionID == 0 {
				s.InstitutionID = c.InstitutionID
			}
			s.SharedAt = db.createdAt(s.SharedAt)
			return tx.QueryRowContext(ctx, `INSERT INTO shares (case_id, institution_id, fields, shared_by, shared_at)
				VALUES ($1, $2, $3, $4, $5) RETURNING id`, s.CaseID, s.InstitutionID, mustJSON(nonNil(s.Fields)), s.SharedBy,
				s.SharedAt).Scan(&s.ID)
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.Version++
	c.UpdatedAt = now
	return nil
}

// replaceItems makes items the case's checklist, numbered from 1 in their
// order: items with an ID are updated in place, so that scorecards that
// score them keep pointing at them; new ones are inserted and get their
// IDs; the case's other items are deleted.
func replaceItems(ctx context.Context, tx *sql.Tx, caseID int64, items []placement.CheckItem) error {
	var keep []int64
	for _, it := range items {
		if it.ID != 0 {
			keep = append(keep, it.ID)
		}
	}
	var q query
	q.add("case_id = ?", caseID)
	if len(keep) > 0 {
		ph, ids := inList(keep)
		q.add("id NOT IN ("+ph+")", ids...)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM check_items`+q.sql(), q.args...); err != nil {
		return err
	}
	// Out of the way of UNIQUE (case_id, position) while items move.
	if _, err := tx.ExecContext(ctx, `UPDATE check_items SET position = -position WHERE case_id = $1`, caseID); err != nil {
		return err
	}
	for i := range items {
		it := &items[i]
		it.CaseID, it.Position = caseID, i+1
		if it.ID != 0 {
			if err := execOne(ctx, tx, `UPDATE check_items SET position = $1, source = $2, label = $3, code = $4, level = $5,
				required = $6, status = $7, note = $8 WHERE id = $9 AND case_id = $10`,
				it.Position, it.Source, it.Label, it.Code, it.Level, it.Required, it.Status, it.Note, it.ID, caseID); err != nil {
				return err
			}
			continue
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO check_items (case_id, position, source, label, code, level, required, status, note)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			caseID, it.Position, it.Source, it.Label, it.Code, it.Level, it.Required, it.Status, it.Note).Scan(&it.ID); err != nil {
			return err
		}
	}
	return nil
}

// updateItems records the status and note of existing items; an item
// that is not the case's is ErrNotFound.
func updateItems(ctx context.Context, tx *sql.Tx, caseID int64, items []placement.CheckItem) error {
	for _, it := range items {
		if err := execOne(ctx, tx, `UPDATE check_items SET status = $1, note = $2 WHERE id = $3 AND case_id = $4`,
			it.Status, it.Note, it.ID, caseID); err != nil {
			return err
		}
	}
	return nil
}

// AppendEvents adds timeline entries without touching their cases.
func (db *DB) AppendEvents(ctx context.Context, events []placement.Event) error {
	if len(events) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.insertEvents(ctx, tx, events, 0) })
}

// insertEvents inserts the entries and sets their IDs; an entry without a
// case gets caseID, one without a time the store's clock.
func (db *DB) insertEvents(ctx context.Context, tx *sql.Tx, events []placement.Event, caseID int64) error {
	for i := range events {
		e := &events[i]
		if e.CaseID == 0 {
			e.CaseID = caseID
		}
		e.At = db.createdAt(e.At)
		if err := tx.QueryRowContext(ctx, `INSERT INTO case_events (case_id, kind, from_stage, to_stage, detail, actor_id, at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			e.CaseID, e.Kind, e.From, e.To, e.Detail, nullID(e.ActorID), e.At).Scan(&e.ID); err != nil {
			return err
		}
	}
	return nil
}

const eventColumns = `e.id, e.case_id, e.kind, e.from_stage, e.to_stage, e.detail, COALESCE(e.actor_id, 0),
	COALESCE(u.display_name, ''), e.at FROM case_events e LEFT JOIN users u ON u.id = e.actor_id`

func (db *DB) queryEvents(ctx context.Context, query string, args ...any) ([]placement.Event, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+eventColumns+query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []placement.Event
	for rows.Next() {
		var e placement.Event
		if err := rows.Scan(&e.ID, &e.CaseID, &e.Kind, &e.From, &e.To, &e.Detail, &e.ActorID, &e.ActorName, &e.At); err != nil {
			return nil, mapErr(err)
		}
		e.At = e.At.UTC()
		list = append(list, e)
	}
	return list, mapErr(rows.Err())
}

// CaseEvents returns a case's timeline, oldest first.
func (db *DB) CaseEvents(ctx context.Context, caseID int64) ([]placement.Event, error) {
	return db.queryEvents(ctx, ` WHERE e.case_id = $1 ORDER BY e.at, e.id`, caseID)
}

// AgencyEvents returns the timeline entries of all the agency's cases
// before until, oldest first, for reports.
func (db *DB) AgencyEvents(ctx context.Context, agencyID int64, until time.Time) ([]placement.Event, error) {
	return db.queryEvents(ctx, ` JOIN cases c ON c.id = e.case_id WHERE c.agency_id = $1 AND e.at < $2 ORDER BY e.at, e.id`,
		agencyID, utc(until))
}

// CheckItems returns a case's checklist in order.
func (db *DB) CheckItems(ctx context.Context, caseID int64) ([]placement.CheckItem, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, case_id, position, source, label, code, level, required, status, note
		FROM check_items WHERE case_id = $1 ORDER BY position`, caseID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []placement.CheckItem
	for rows.Next() {
		var it placement.CheckItem
		if err := rows.Scan(&it.ID, &it.CaseID, &it.Position, &it.Source, &it.Label, &it.Code, &it.Level, &it.Required,
			&it.Status, &it.Note); err != nil {
			return nil, mapErr(err)
		}
		list = append(list, it)
	}
	return list, mapErr(rows.Err())
}

// Shares returns what was shared with institutions about a case, oldest
// first.
func (db *DB) Shares(ctx context.Context, caseID int64) ([]placement.Share, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT s.id, s.case_id, s.institution_id, inst.name, s.fields, s.shared_by, s.shared_at
		FROM shares s JOIN organisations inst ON inst.id = s.institution_id WHERE s.case_id = $1 ORDER BY s.shared_at, s.id`, caseID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []placement.Share
	for rows.Next() {
		var s placement.Share
		var fields string
		if err := rows.Scan(&s.ID, &s.CaseID, &s.InstitutionID, &s.Institution, &fields, &s.SharedBy, &s.SharedAt); err != nil {
			return nil, mapErr(err)
		}
		if err := json.Unmarshal([]byte(fields), &s.Fields); err != nil {
			return nil, err
		}
		s.SharedAt = s.SharedAt.UTC()
		list = append(list, s)
	}
	return list, mapErr(rows.Err())
}
