package sqlstore

// Materials and recording links of events, and the requests for those
// shared by request.

import (
	"context"
	"database/sql"

	"github.com/hakui-dev/hakui/internal/events"
)

const materialColumns = `id, event_id, kind, title, url, visibility, access_days, created_by, created_at, updated_at FROM event_materials`

func scanMaterial(row interface{ Scan(...any) error }) (*events.Material, error) {
	var m events.Material
	if err := row.Scan(&m.ID, &m.EventID, &m.Kind, &m.Title, &m.URL, &m.Visibility, &m.AccessDays, &m.CreatedBy,
		&m.CreatedAt, &m.UpdatedAt); err != nil {
		return nil, mapErr(err)
	}
	m.CreatedAt, m.UpdatedAt = m.CreatedAt.UTC(), m.UpdatedAt.UTC()
	return &m, nil
}

// CreateMaterial inserts m and sets its ID. AccessDays 0 is the schema's
// default, 30.
func (db *DB) CreateMaterial(ctx context.Context, m *events.Material) error {
	m.CreatedAt = db.createdAt(m.CreatedAt)
	m.UpdatedAt = m.CreatedAt
	if m.AccessDays == 0 {
		m.AccessDays = 30
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO event_materials (event_id, kind, title, url, visibility, access_days, created_by,
				created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
			m.EventID, m.Kind, m.Title, m.URL, m.Visibility, m.AccessDays, m.CreatedBy, m.CreatedAt).Scan(&m.ID)
	})
}

// UpdateMaterial writes m's kind, title, URL, visibility and access days.
// NotFound.
func (db *DB) UpdateMaterial(ctx context.Context, m *events.Material) error {
	now := utc(db.Now())
	if m.AccessDays == 0 {
		m.AccessDays = 30
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE event_materials SET kind = $1, title = $2, url = $3, visibility = $4, access_days = $5,
			updated_at = $6 WHERE id = $7`, m.Kind, m.Title, m.URL, m.Visibility, m.AccessDays, now, m.ID)
	})
	if err == nil {
		m.UpdatedAt = now
	}
	return err
}

// Material returns one material, or NotFound.
func (db *DB) Material(ctx context.Context, id int64) (*events.Material, error) {
	return scanMaterial(db.read.QueryRowContext(ctx, `SELECT `+materialColumns+` WHERE id = $1`, id))
}

// Materials returns an event's materials in the order added.
func (db *DB) Materials(ctx context.Context, eventID int64) ([]events.Material, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+materialColumns+` WHERE event_id = $1 ORDER BY id`, eventID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []events.Material
	for rows.Next() {
		m, err := scanMaterial(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *m)
	}
	return list, mapErr(rows.Err())
}

const materialRequestColumns = `q.id, q.material_id, q.name, q.prefecture, q.role, q.email, q.note, q.status, q.decided_by, q.decided_at,
	q.reason, q.expires_at, q.created_at FROM material_requests q`

func scanMaterialRequest(row interface{ Scan(...any) error }) (*events.MaterialRequest, error) {
	var r events.MaterialRequest
	var decidedBy sql.NullInt64
	var decided, expires sql.NullTime
	if err := row.Scan(&r.ID, &r.MaterialID, &r.Name, &r.Prefecture, &r.Role, &r.Email, &r.Note, &r.Status, &decidedBy, &decided,
		&r.Reason, &expires, &r.CreatedAt); err != nil {
		return nil, mapErr(err)
	}
	r.DecidedBy, r.DecidedAt, r.ExpiresAt = decidedBy.Int64, nullTime(decided), nullTime(expires)
	r.CreatedAt = r.CreatedAt.UTC()
	return &r, nil
}

// CreateMaterialRequest inserts a pending request and sets its ID.
func (db *DB) CreateMaterialRequest(ctx context.Context, r *events.MaterialRequest) error {
	r.CreatedAt = db.createdAt(r.CreatedAt)
	r.Status, r.DecidedBy, r.DecidedAt, r.Reason, r.ExpiresAt = events.RequestPending, 0, nil, "", nil
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO material_requests (material_id, name, prefecture, role, email, note, status, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, 'pending', $7) RETURNING id`,
			r.MaterialID, r.Name, r.Prefecture, r.Role, r.Email, r.Note, r.CreatedAt).Scan(&r.ID)
	})
}

// MaterialRequest returns one request, or NotFound.
func (db *DB) MaterialRequest(ctx context.Context, id int64) (*events.MaterialRequest, error) {
	return scanMaterialRequest(db.read.QueryRowContext(ctx, `SELECT `+materialRequestColumns+` WHERE q.id = $1`, id))
}

// MaterialRequestByToken returns the approved request of the access
// token's hash. NotFound.
func (db *DB) MaterialRequestByToken(ctx context.Context, tokenHash string) (*events.MaterialRequest, error) {
	return scanMaterialRequest(db.read.QueryRowContext(ctx, `SELECT `+materialRequestColumns+`
		WHERE q.token_hash = $1 AND q.status = 'approved'`, tokenHash))
}

// MaterialRequests returns the requests for an event's materials, the
// pending first, then the latest.
func (db *DB) MaterialRequests(ctx context.Context, eventID int64) ([]events.MaterialRequest, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+materialRequestColumns+` JOIN event_materials m ON m.id = q.material_id
		WHERE m.event_id = $1 ORDER BY CASE WHEN q.status = 'pending' THEN 0 ELSE 1 END, q.created_at DESC, q.id DESC`, eventID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []events.MaterialRequest
	for rows.Next() {
		r, err := scanMaterialRequest(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *r)
	}
	return list, mapErr(rows.Err())
}

// DecideMaterialRequest approves (r.Status approved, with the token's
// hash and r.ExpiresAt) or rejects a pending request, by r.DecidedBy at
// r.DecidedAt (zero: now) with r.Reason. Conflict when it was decided,
// NotFound when there is no such request.
func (db *DB) DecideMaterialRequest(ctx context.Context, r *events.MaterialRequest, tokenHash string) error {
	decided := utc(db.Now())
	if r.DecidedAt != nil {
		decided = utc(*r.DecidedAt)
	}
	token := sql.NullString{String: tokenHash, Valid: r.Status == events.RequestApproved}
	expires := r.ExpiresAt
	if r.Status != events.RequestApproved {
		expires = nil
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return conditional(ctx, tx, `SELECT 1 FROM material_requests WHERE id = $1`, r.ID, `UPDATE material_requests
			SET status = $1, decided_by = $2, decided_at = $3, reason = $4, token_hash = $5, expires_at = $6
			WHERE id = $7 AND status = 'pending'`, r.Status, nullID(r.DecidedBy), decided, r.Reason, token, timePtr(expires), r.ID)
	})
	if err == nil {
		r.DecidedAt, r.ExpiresAt = &decided, expires
	}
	return err
}
