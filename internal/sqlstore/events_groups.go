package sqlstore

// Group work of an event: the groups, their members and reports.

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/hakui-dev/hakui/internal/events"
)

// SaveGroupWork replaces the event's groups and their members with gw's
// if the stored version is gw.Version (0: none yet), then bumps it and
// sets the groups' IDs. Conflict when stale.
func (db *DB) SaveGroupWork(ctx context.Context, gw *events.GroupWork) error {
	gw.AssignedAt = db.createdAt(gw.AssignedAt)
	themes := mustJSON(nonNil(gw.Themes))
	ids := make([]int64, len(gw.Groups))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if gw.Version == 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO event_groupwork (event_id, groups, themes, seed, assigned_by, assigned_at, version)
				VALUES ($1, $2, $3, $4, $5, $6, 1)`, gw.EventID, len(gw.Groups), themes, gw.Seed, gw.AssignedBy, gw.AssignedAt); err != nil {
				return err
			}
		} else if err := conditional(ctx, tx, `SELECT 1 FROM event_groupwork WHERE event_id = $1`, gw.EventID, `UPDATE event_groupwork
				SET groups = $1, themes = $2, seed = $3, assigned_by = $4, assigned_at = $5, version = version + 1
				WHERE event_id = $6 AND version = $7`,
			len(gw.Groups), themes, gw.Seed, gw.AssignedBy, gw.AssignedAt, gw.EventID, gw.Version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM event_groups WHERE event_id = $1`, gw.EventID); err != nil {
			return err
		}
		for i, g := range gw.Groups {
			if err := tx.QueryRowContext(ctx, `INSERT INTO event_groups (event_id, number, theme, presenters, points)
				VALUES ($1, $2, $3, $4, $5) RETURNING id`, gw.EventID, g.Number, g.Theme, g.Presenters, g.Points).Scan(&ids[i]); err != nil {
				return err
			}
			for _, m := range g.Members {
				// The member must be a registration of this event.
				res, err := tx.ExecContext(ctx, `INSERT INTO event_group_members (group_id, registration_id)
					SELECT $1, id FROM event_registrations WHERE id = $2 AND event_id = $3`, ids[i], m.ID, gw.EventID)
				if err != nil {
					return err
				}
				if n, err := res.RowsAffected(); err != nil {
					return err
				} else if n != 1 {
					return ErrNotFound
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := range gw.Groups {
		gw.Groups[i].ID = ids[i]
	}
	gw.Version++
	return nil
}

// GroupWork returns the event's group work with its groups in number
// order and their members in registration order. NotFound when none.
func (db *DB) GroupWork(ctx context.Context, eventID int64) (*events.GroupWork, error) {
	gw := events.GroupWork{EventID: eventID}
	var themes string
	if err := db.read.QueryRowContext(ctx, `SELECT themes, seed, assigned_by, assigned_at, version FROM event_groupwork WHERE event_id = $1`,
		eventID).Scan(&themes, &gw.Seed, &gw.AssignedBy, &gw.AssignedAt, &gw.Version); err != nil {
		return nil, mapErr(err)
	}
	gw.AssignedAt = gw.AssignedAt.UTC()
	if err := json.Unmarshal([]byte(themes), &gw.Themes); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, `SELECT id, number, theme, presenters, points FROM event_groups
		WHERE event_id = $1 ORDER BY number`, eventID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	index := map[int64]int{}
	for rows.Next() {
		var g events.Group
		if err := rows.Scan(&g.ID, &g.Number, &g.Theme, &g.Presenters, &g.Points); err != nil {
			return nil, mapErr(err)
		}
		index[g.ID] = len(gw.Groups)
		gw.Groups = append(gw.Groups, g)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	rows.Close()

	rows, err = db.read.QueryContext(ctx, `SELECT m.group_id, `+registrationColumns+`
		JOIN event_group_members m ON m.registration_id = r.id JOIN event_groups g ON g.id = m.group_id
		WHERE g.event_id = $1 ORDER BY r.created_at, r.id`, eventID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var groupID int64
		r, err := scanRegistration(scanPrefix{rows, &groupID})
		if err != nil {
			return nil, err
		}
		g := &gw.Groups[index[groupID]]
		g.Members = append(g.Members, *r)
	}
	return &gw, mapErr(rows.Err())
}

// scanPrefix scans leading columns into dest before the row scanner's.
type scanPrefix struct {
	row  interface{ Scan(...any) error }
	dest any
}

func (s scanPrefix) Scan(dest ...any) error { return s.row.Scan(append([]any{s.dest}, dest...)...) }

// SaveGroupReport writes a group's presenters and points. NotFound.
func (db *DB) SaveGroupReport(ctx context.Context, groupID int64, presenters, points string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE event_groups SET presenters = $1, points = $2 WHERE id = $3`, presenters, points, groupID)
	})
}

// EventGroup returns one group (without members) and its event ID.
// NotFound.
func (db *DB) EventGroup(ctx context.Context, groupID int64) (*events.Group, int64, error) {
	var g events.Group
	var eventID int64
	err := db.read.QueryRowContext(ctx, `SELECT id, number, theme, presenters, points, event_id FROM event_groups WHERE id = $1`, groupID).
		Scan(&g.ID, &g.Number, &g.Theme, &g.Presenters, &g.Points, &eventID)
	if err != nil {
		return nil, 0, mapErr(err)
	}
	return &g, eventID, nil
}
