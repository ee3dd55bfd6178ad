package sqlstore

// Events (研修会) and their programmes. Registrations, group work and
// materials are in events_*.go.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/events"
)

// Compile-time check that DB is an events store.
var _ events.Store = (*DB)(nil)

const trainingEventColumns = `e.id, e.org_id, o.name, e.title, e.description, e.starts_at, e.ends_at, e.mode, e.venue, e.venue_capacity,
	e.online_url, e.registration_deadline, e.audience, e.audience_orgs, e.audience_roles, e.status, e.created_by,
	e.created_at, e.updated_at, e.version
	FROM events e JOIN organisations o ON o.id = e.org_id`

func scanEvent(row interface{ Scan(...any) error }) (*events.Event, error) {
	var e events.Event
	var capacity sql.NullInt64
	var orgs, roles string
	if err := row.Scan(&e.ID, &e.OrgID, &e.OrgName, &e.Title, &e.Description, &e.StartsAt, &e.EndsAt, &e.Mode, &e.Venue, &capacity,
		&e.OnlineURL, &e.RegistrationDeadline, &e.Audience, &orgs, &roles, &e.Status, &e.CreatedBy,
		&e.CreatedAt, &e.UpdatedAt, &e.Version); err != nil {
		return nil, mapErr(err)
	}
	if err := json.Unmarshal([]byte(orgs), &e.AudienceOrgs); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(roles), &e.AudienceRoles); err != nil {
		return nil, err
	}
	e.VenueCapacity = int(capacity.Int64)
	e.StartsAt, e.EndsAt, e.RegistrationDeadline = e.StartsAt.UTC(), e.EndsAt.UTC(), e.RegistrationDeadline.UTC()
	e.CreatedAt, e.UpdatedAt = e.CreatedAt.UTC(), e.UpdatedAt.UTC()
	return &e, nil
}

// nullCount stores 0 ("no limit") as NULL.
func nullCount(n int) sql.NullInt64 { return sql.NullInt64{Int64: int64(n), Valid: n != 0} }

// eventValues are the columns an update writes, in the order of the
// INSERT and UPDATE below.
func eventValues(e *events.Event) []any {
	return []any{e.Title, e.Description, utc(e.StartsAt), utc(e.EndsAt), e.Mode, e.Venue, nullCount(e.VenueCapacity),
		e.OnlineURL, utc(e.RegistrationDeadline), e.Audience, mustJSON(nonNil(e.AudienceOrgs)), mustJSON(nonNil(e.AudienceRoles)),
		e.Status}
}

// CreateEvent inserts e with its talks and sets e.ID and e.Version.
func (db *DB) CreateEvent(ctx context.Context, e *events.Event) error {
	e.CreatedAt = db.createdAt(e.CreatedAt)
	e.UpdatedAt, e.Version = e.CreatedAt, 1
	return db.inTx(ctx, func(tx *sql.Tx) error {
		args := append([]any{e.OrgID}, eventValues(e)...)
		args = append(args, e.CreatedBy, e.CreatedAt)
		if err := tx.QueryRowContext(ctx, `INSERT INTO events (org_id, title, description, starts_at, ends_at, mode, venue,
				venue_capacity, online_url, registration_deadline, audience, audience_orgs, audience_roles, status, created_by,
				created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16, 1) RETURNING id`, args...).Scan(&e.ID); err != nil {
			return err
		}
		return insertTalks(ctx, tx, e.ID, e.Talks)
	})
}

// UpdateEvent writes e and replaces its talks if the stored version is
// e.Version, then bumps it: Conflict when stale, NotFound when there is
// no such event. Under the event's lock, so that no registration slips
// in between: Invalid (field "mode") when e has no venue any more while
// live venue registrations exist, and (field "venue_capacity") when its
// capacity is below the registered venue places.
func (db *DB) UpdateEvent(ctx context.Context, e *events.Event) error {
	now := utc(db.Now())
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if _, _, err := db.lockEvent(ctx, tx, e.ID); err != nil {
			return err
		}
		if err := checkVenuePlaces(ctx, tx, e); err != nil {
			return err
		}
		args := append(eventValues(e), now, e.ID, e.Version)
		if err := conditional(ctx, tx, `SELECT 1 FROM events WHERE id = $1`, e.ID, `UPDATE events SET title = $1, description = $2,
				starts_at = $3, ends_at = $4, mode = $5, venue = $6, venue_capacity = $7, online_url = $8, registration_deadline = $9,
				audience = $10, audience_orgs = $11, audience_roles = $12, status = $13, updated_at = $14, version = version + 1
			WHERE id = $15 AND version = $16`, args...); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_talks WHERE event_id = $1`, e.ID); err != nil {
			return err
		}
		return insertTalks(ctx, tx, e.ID, e.Talks)
	})
	if err == nil {
		e.Version++
		e.UpdatedAt = now
	}
	return err
}

// checkVenuePlaces refuses venue places for e fewer than its
// registrations hold. The caller holds the event's lock.
func checkVenuePlaces(ctx context.Context, tx *sql.Tx, e *events.Event) error {
	if !e.HasVenue() {
		var live int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM event_registrations
			WHERE event_id = $1 AND attendance = 'venue' AND status IN ('registered', 'waitlisted')`, e.ID).Scan(&live); err != nil {
			return err
		}
		if live > 0 {
			return apperr.InvalidFields(map[string]string{"mode": fmt.Sprintf(
				"会場参加のお申し込みが%d件（キャンセル待ちを含む）あるため、オンラインのみには変更できません。"+
					"先に該当するお申し込みをキャンセルするか、「ハイブリッド」のまま開催してください。", live)})
		}
		return nil
	}
	if e.VenueCapacity <= 0 {
		return nil
	}
	taken, err := venuePlaces(ctx, tx, e.ID)
	if err != nil {
		return err
	}
	if e.VenueCapacity < taken {
		return apperr.InvalidFields(map[string]string{"venue_capacity": fmt.Sprintf(
			"会場で参加が確定している人数（%d人）より少なくはできません。", taken)})
	}
	return nil
}

func insertTalks(ctx context.Context, tx *sql.Tx, eventID int64, talks []events.Talk) error {
	for i, t := range talks {
		if _, err := tx.ExecContext(ctx, `INSERT INTO event_talks (event_id, position, title, speaker, affiliation, starts_at, minutes)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, eventID, i, t.Title, t.Speaker, t.Affiliation, timePtr(t.StartsAt), t.Minutes); err != nil {
			return err
		}
	}
	return nil
}

// Event returns one event with its talks and organisation name, or
// NotFound.
func (db *DB) Event(ctx context.Context, id int64) (*events.Event, error) {
	e, err := scanEvent(db.read.QueryRowContext(ctx, `SELECT `+trainingEventColumns+` WHERE e.id = $1`, id))
	if err != nil {
		return nil, err
	}
	list := []events.Event{*e}
	if err := db.loadTalks(ctx, list); err != nil {
		return nil, err
	}
	return &list[0], nil
}

// Events returns the events f selects, the soonest first, with their
// talks.
func (db *DB) Events(ctx context.Context, f events.EventFilter) ([]events.Event, error) {
	var where []string
	var args []any
	arg := func(v any) string { args = append(args, v); return "$" + itoa(len(args)) }
	if f.OrgID != 0 {
		where = append(where, `e.org_id = `+arg(f.OrgID))
	}
	if len(f.Statuses) > 0 {
		var in []string
		for _, s := range f.Statuses {
			in = append(in, arg(s))
		}
		where = append(where, `e.status IN (`+strings.Join(in, ", ")+`)`)
	}
	if !f.From.IsZero() {
		where = append(where, `e.ends_at > `+arg(utc(f.From)))
	}
	query := `SELECT ` + trainingEventColumns
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += ` ORDER BY e.starts_at, e.id LIMIT ` + arg(limitOr(f.Limit, 100, 1000))
	rows, err := db.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []events.Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *e)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	rows.Close()
	return list, db.loadTalks(ctx, list)
}

// loadTalks fills the talks of the events with one query.
func (db *DB) loadTalks(ctx context.Context, list []events.Event) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*events.Event, len(list))
	args := make([]any, len(list))
	for i := range list {
		byID[list[i].ID] = &list[i]
		args[i] = list[i].ID
	}
	rows, err := db.read.QueryContext(ctx, `SELECT event_id, title, speaker, affiliation, starts_at, minutes FROM event_talks
		WHERE event_id IN (`+placeholders(1, len(args))+`) ORDER BY event_id, position`, args...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var eventID int64
		var t events.Talk
		var starts sql.NullTime
		if err := rows.Scan(&eventID, &t.Title, &t.Speaker, &t.Affiliation, &starts, &t.Minutes); err != nil {
			return mapErr(err)
		}
		t.StartsAt = nullTime(starts)
		e := byID[eventID]
		e.Talks = append(e.Talks, t)
	}
	return mapErr(rows.Err())
}

// lockEvent makes the writers of one event's registrations queue: on
// PostgreSQL it takes the event's row lock until the transaction ends
// (SQLite has a single writer already). It returns the event's venue
// places read under that lock: venue is false for an online-only event,
// capacity is 0 for no limit. NotFound when there is no such event.
func (db *DB) lockEvent(ctx context.Context, tx *sql.Tx, eventID int64) (venue bool, capacity int, err error) {
	query := `SELECT mode, venue_capacity FROM events WHERE id = $1`
	if db.dialect == Postgres {
		query += ` FOR UPDATE`
	}
	var mode events.Mode
	var n sql.NullInt64
	if err := tx.QueryRowContext(ctx, query, eventID).Scan(&mode, &n); err != nil {
		return false, 0, err
	}
	e := events.Event{Mode: mode}
	if !e.HasVenue() {
		return false, 0, nil
	}
	return true, int(n.Int64), nil
}
