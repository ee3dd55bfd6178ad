package sqlstore

// Event registrations: the venue capacity and its waiting list, check-in
// and the counts.

import (
	"context"
	"database/sql"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/jatext"
)

const registrationColumns = `r.id, r.event_id, r.user_id, r.name, r.email, r.prefecture, r.organisation, r.role, r.attendance,
	r.status, r.created_at, r.updated_at, r.promoted_at, r.cancelled_at, r.checked_in_at, r.checked_in_by, r.version
	FROM event_registrations r`

func scanRegistration(row interface{ Scan(...any) error }) (*events.Registration, error) {
	var r events.Registration
	var userID, checkedInBy sql.NullInt64
	var promoted, cancelled, checkedIn sql.NullTime
	if err := row.Scan(&r.ID, &r.EventID, &userID, &r.Name, &r.Email, &r.Prefecture, &r.Organisation, &r.Role, &r.Attendance,
		&r.Status, &r.CreatedAt, &r.UpdatedAt, &promoted, &cancelled, &checkedIn, &checkedInBy, &r.Version); err != nil {
		return nil, mapErr(err)
	}
	r.UserID, r.CheckedInBy = userID.Int64, checkedInBy.Int64
	r.PromotedAt, r.CancelledAt, r.CheckedInAt = nullTime(promoted), nullTime(cancelled), nullTime(checkedIn)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

// queryRegistrations runs a query selecting registrationColumns.
func queryRegistrations(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]events.Registration, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []events.Registration
	for rows.Next() {
		r, err := scanRegistration(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *r)
	}
	return list, mapErr(rows.Err())
}

// CreateRegistration inserts r with the token's hash in one transaction
// that decides its status: a venue registration beyond the event's
// capacity (read under the event's lock; none: no limit), counting
// registered venue places, is waitlisted. On PostgreSQL the event's row
// lock makes concurrent registrations count in turn, so two can never
// both take the last place, and an organiser's new capacity applies to
// every registration committed after it. Sets r.ID, r.Status and
// r.Version; Conflict when the e-mail (folded) has a live registration
// for the event, Invalid (field "attendance") for the venue of an event
// that has none any more, NotFound when there is no such event.
func (db *DB) CreateRegistration(ctx context.Context, r *events.Registration, tokenHash string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		venue, capacity, err := db.lockEvent(ctx, tx, r.EventID)
		if err != nil {
			return err
		}
		if r.Attendance == events.AttendVenue && !venue {
			return apperr.InvalidFields(map[string]string{"attendance": "この研修会はオンラインのみの開催です。"})
		}
		status := events.Registered
		if r.Attendance == events.AttendVenue && capacity > 0 {
			taken, err := venuePlaces(ctx, tx, r.EventID)
			if err != nil {
				return err
			}
			if taken >= capacity {
				status = events.Waitlisted
			}
		}
		// Taken under the lock, so that the waiting list's order (by
		// created_at) is the order in which places were decided.
		created := db.createdAt(r.CreatedAt)
		var id int64
		if err := tx.QueryRowContext(ctx, `INSERT INTO event_registrations (event_id, user_id, name, email, email_key, prefecture,
				organisation, role, attendance, status, token_hash, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12, 1) RETURNING id`,
			r.EventID, nullID(r.UserID), r.Name, r.Email, jatext.NormalizeEmail(r.Email), r.Prefecture, r.Organisation, r.Role,
			r.Attendance, status, tokenHash, created).Scan(&id); err != nil {
			return err
		}
		r.ID, r.Status, r.Version = id, status, 1
		r.CreatedAt, r.UpdatedAt = created, created
		r.PromotedAt, r.CancelledAt, r.CheckedInAt, r.CheckedInBy = nil, nil, nil, 0
		return nil
	})
}

// ReplaceRegistrationToken replaces the manage token's hash of a live
// registration (the old link stops working). Conflict when it is
// cancelled, NotFound when there is no such registration.
func (db *DB) ReplaceRegistrationToken(ctx context.Context, id int64, tokenHash string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return conditional(ctx, tx, `SELECT 1 FROM event_registrations WHERE id = $1`, id, `UPDATE event_registrations
			SET token_hash = $1 WHERE id = $2 AND status <> 'cancelled'`, tokenHash, id)
	})
}

// venuePlaces counts the registered venue places of an event.
func venuePlaces(ctx context.Context, tx *sql.Tx, eventID int64) (int, error) {
	var n int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM event_registrations
		WHERE event_id = $1 AND status = 'registered' AND attendance = 'venue'`, eventID).Scan(&n)
	return n, err
}

// Registration returns one registration, or NotFound.
func (db *DB) Registration(ctx context.Context, id int64) (*events.Registration, error) {
	return scanRegistration(db.read.QueryRowContext(ctx, `SELECT `+registrationColumns+` WHERE r.id = $1`, id))
}

// RegistrationByToken returns the registration of a manage token's hash,
// or NotFound.
func (db *DB) RegistrationByToken(ctx context.Context, tokenHash string) (*events.Registration, error) {
	return scanRegistration(db.read.QueryRowContext(ctx, `SELECT `+registrationColumns+` WHERE r.token_hash = $1`, tokenHash))
}

// Registrations returns an event's registrations of the statuses (none:
// all), in registration order.
func (db *DB) Registrations(ctx context.Context, eventID int64, statuses ...events.RegistrationStatus) ([]events.Registration, error) {
	args := []any{eventID}
	query := `SELECT ` + registrationColumns + ` WHERE r.event_id = $1`
	if len(statuses) > 0 {
		for _, s := range statuses {
			args = append(args, s)
		}
		query += ` AND r.status IN (` + placeholders(2, len(statuses)) + `)`
	}
	return queryRegistrations(ctx, db.read, query+` ORDER BY r.created_at, r.id`, args...)
}

// RegistrationsOf returns a user's live registrations, the soonest event
// first.
func (db *DB) RegistrationsOf(ctx context.Context, userID int64) ([]events.Registration, error) {
	return queryRegistrations(ctx, db.read, `SELECT `+registrationColumns+` JOIN events e ON e.id = r.event_id
		WHERE r.user_id = $1 AND r.status <> 'cancelled' ORDER BY e.starts_at, e.id, r.id`, userID)
}

// CancelRegistration cancels a live registration (clearing a check-in,
// which only a registration with a place has) and, in the same
// transaction, moves up the earliest waitlisted venue registrations while
// places are free under the event's capacity read under its lock. It
// returns those moved up. Conflict when already cancelled, NotFound when
// there is no such registration.
func (db *DB) CancelRegistration(ctx context.Context, id int64, at time.Time) ([]events.Registration, error) {
	var promoted []events.Registration
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var eventID int64
		if err := tx.QueryRowContext(ctx, `SELECT event_id FROM event_registrations WHERE id = $1`, id).Scan(&eventID); err != nil {
			return err
		}
		venue, capacity, err := db.lockEvent(ctx, tx, eventID)
		if err != nil {
			return err
		}
		now := utc(at)
		if err := conditional(ctx, tx, `SELECT 1 FROM event_registrations WHERE id = $1`, id, `UPDATE event_registrations
			SET status = 'cancelled', cancelled_at = $1, updated_at = $1, checked_in_at = NULL, checked_in_by = NULL,
				version = version + 1
			WHERE id = $2 AND status <> 'cancelled'`, now, id); err != nil {
			return err
		}
		if !venue {
			return nil
		}
		promoted, err = promote(ctx, tx, eventID, capacity, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return promoted, nil
}

// PromoteWaitlisted moves up the earliest waitlisted venue registrations
// while places are free under the event's capacity read under its lock
// (none: all of them), after the capacity grew, and returns them. An
// event without a venue moves nobody up. NotFound when there is no such
// event.
func (db *DB) PromoteWaitlisted(ctx context.Context, eventID int64, at time.Time) ([]events.Registration, error) {
	var promoted []events.Registration
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		venue, capacity, err := db.lockEvent(ctx, tx, eventID)
		if err != nil || !venue {
			return err
		}
		promoted, err = promote(ctx, tx, eventID, capacity, utc(at))
		return err
	})
	if err != nil {
		return nil, err
	}
	return promoted, nil
}

// promote moves up waitlisted venue registrations, the earliest first,
// while the registered venue places are fewer than capacity (0: all of
// them). The caller holds the event's lock.
func promote(ctx context.Context, tx *sql.Tx, eventID int64, capacity int, at time.Time) ([]events.Registration, error) {
	limit := -1
	if capacity > 0 {
		taken, err := venuePlaces(ctx, tx, eventID)
		if err != nil {
			return nil, err
		}
		if limit = capacity - taken; limit <= 0 {
			return nil, nil
		}
	}
	query := `SELECT ` + registrationColumns + ` WHERE r.event_id = $1 AND r.status = 'waitlisted' AND r.attendance = 'venue'
		ORDER BY r.created_at, r.id`
	args := []any{eventID}
	if limit > 0 {
		query += ` LIMIT $2`
		args = append(args, limit)
	}
	list, err := queryRegistrations(ctx, tx, query, args...)
	if err != nil {
		return nil, err
	}
	for i := range list {
		r := &list[i]
		if _, err := tx.ExecContext(ctx, `UPDATE event_registrations SET status = 'registered', promoted_at = $1, updated_at = $1,
			version = version + 1 WHERE id = $2`, at, r.ID); err != nil {
			return nil, err
		}
		r.Status, r.PromotedAt, r.UpdatedAt = events.Registered, &at, at
		r.Version++
	}
	return list, nil
}

// SetCheckedIn records (at non-nil) or clears a check-in of a registered
// registration. Conflict when it is not registered, NotFound when there
// is no such registration.
func (db *DB) SetCheckedIn(ctx context.Context, id int64, at *time.Time, by int64) error {
	now := utc(db.Now())
	if at != nil {
		now = utc(*at)
	} else {
		by = 0
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return conditional(ctx, tx, `SELECT 1 FROM event_registrations WHERE id = $1`, id, `UPDATE event_registrations
			SET checked_in_at = $1, checked_in_by = $2, updated_at = $3, version = version + 1
			WHERE id = $4 AND status = 'registered'`, timePtr(at), nullID(by), now, id)
	})
}

// EventCounts returns the figures of an event: ByPrefecture and ByRole
// count registrations with a place, the largest count first, ties in
// JIS order of the prefectures and display order of the roles.
func (db *DB) EventCounts(ctx context.Context, eventID int64) (*events.Counts, error) {
	var c events.Counts
	err := db.read.QueryRowContext(ctx, `SELECT
			coalesce(sum(CASE WHEN status = 'registered' THEN 1 ELSE 0 END), 0),
			coalesce(sum(CASE WHEN status = 'registered' AND attendance = 'venue' THEN 1 ELSE 0 END), 0),
			coalesce(sum(CASE WHEN status = 'registered' AND attendance = 'online' THEN 1 ELSE 0 END), 0),
			coalesce(sum(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0),
			coalesce(sum(CASE WHEN status = 'cancelled' THEN 1 ELSE 0 END), 0),
			coalesce(sum(CASE WHEN checked_in_at IS NOT NULL THEN 1 ELSE 0 END), 0)
		FROM event_registrations WHERE event_id = $1`, eventID).
		Scan(&c.Registered, &c.Venue, &c.Online, &c.Waitlisted, &c.Cancelled, &c.CheckedIn)
	if err != nil {
		return nil, mapErr(err)
	}
	same := func(s string) string { return s }
	if c.ByPrefecture, err = db.registeredBy(ctx, eventID, "prefecture", same, career.Prefectures); err != nil {
		return nil, err
	}
	label := func(s string) string { return events.ParticipantRole(s).Label() }
	roles := make([]string, len(events.ParticipantRoles))
	for i, r := range events.ParticipantRoles {
		roles[i] = string(r)
	}
	if c.ByRole, err = db.registeredBy(ctx, eventID, "role", label, roles); err != nil {
		return nil, err
	}
	return &c, nil
}

// registeredBy counts an event's registered registrations by a column,
// sorted in Go so that both engines agree whatever PostgreSQL's
// collation: the largest count first, ties in the order of the known
// values (the JIS order of the prefectures, the display order of the
// roles), unknown values last by label.
func (db *DB) registeredBy(ctx context.Context, eventID int64, column string, label func(string) string, order []string) ([]events.Count, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+column+`, count(*) FROM event_registrations
		WHERE event_id = $1 AND status = 'registered' GROUP BY `+column, eventID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	type counted struct {
		events.Count
		rank int
	}
	var list []counted
	for rows.Next() {
		var key string
		var n int
		if err := rows.Scan(&key, &n); err != nil {
			return nil, mapErr(err)
		}
		rank := slices.Index(order, key)
		if rank < 0 {
			rank = len(order)
		}
		list = append(list, counted{events.Count{Label: label(key), N: n}, rank})
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	sort.Slice(list, func(i, j int) bool {
		a, b := list[i], list[j]
		switch {
		case a.N != b.N:
			return a.N > b.N
		case a.rank != b.rank:
			return a.rank < b.rank
		}
		return strings.Compare(a.Label, b.Label) < 0
	})
	var counts []events.Count
	for _, c := range list {
		counts = append(counts, c.Count)
	}
	return counts, nil
}
