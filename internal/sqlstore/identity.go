package sqlstore

import (
	"context"
	"database/sql"

	"github.com/hakui-dev/hakui/internal/identity"
)

const userColumns = `id, email, display_name, password_hash, must_change_password, totp_secret,
	totp_enabled, totp_last_step, locale, demo, created_at, disabled_at`

func scanUser(row interface{ Scan(...any) error }) (*identity.User, error) {
	var u identity.User
	var disabled sql.NullTime
	err := row.Scan(&u.ID, &u.Email, &u.DisplayName, &u.PasswordHash, &u.MustChangePassword, &u.TOTPSecret,
		&u.TOTPEnabled, &u.TOTPLastStep, &u.Locale, &u.Demo, &u.CreatedAt, &disabled)
	if err != nil {
		return nil, mapErr(err)
	}
	u.CreatedAt = u.CreatedAt.UTC()
	u.DisabledAt = nullTime(disabled)
	return &u, nil
}

// CreateOrganisation inserts org and sets its ID. Returns ErrConflict when
// an organisation of the kind already has the name.
func (db *DB) CreateOrganisation(ctx context.Context, org *identity.Organisation) error {
	org.CreatedAt = utc(db.Now())
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO organisations (kind, name, prefecture, created_at)
			VALUES ($1, $2, $3, $4) RETURNING id`, org.Kind, org.Name, org.Prefecture, org.CreatedAt).Scan(&org.ID)
	})
}

// Organisation returns one organisation or ErrNotFound.
func (db *DB) Organisation(ctx context.Context, id int64) (*identity.Organisation, error) {
	var o identity.Organisation
	err := db.read.QueryRowContext(ctx, `SELECT id, kind, name, prefecture, created_at FROM organisations WHERE id = $1`, id).
		Scan(&o.ID, &o.Kind, &o.Name, &o.Prefecture, &o.CreatedAt)
	if err != nil {
		return nil, mapErr(err)
	}
	return &o, nil
}

// Organisations returns every organisation, by kind and name.
func (db *DB) Organisations(ctx context.Context) ([]identity.Organisation, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, kind, name, prefecture, created_at FROM organisations ORDER BY kind, name`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var orgs []identity.Organisation
	for rows.Next() {
		var o identity.Organisation
		if err := rows.Scan(&o.ID, &o.Kind, &o.Name, &o.Prefecture, &o.CreatedAt); err != nil {
			return nil, mapErr(err)
		}
		orgs = append(orgs, o)
	}
	return orgs, mapErr(rows.Err())
}

// CreateUser inserts u with its grants in one transaction and sets u.ID.
// Returns ErrConflict when the e-mail is taken.
func (db *DB) CreateUser(ctx context.Context, u *identity.User, grants []identity.Grant) error {
	u.CreatedAt = utc(db.Now())
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO users (email, display_name, password_hash, must_change_password, locale, demo, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			u.Email, u.DisplayName, u.PasswordHash, u.MustChangePassword, u.Locale, u.Demo, u.CreatedAt).Scan(&u.ID)
		if err != nil {
			return err
		}
		for _, g := range grants {
			if err := db.addGrant(ctx, tx, u.ID, g); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) addGrant(ctx context.Context, tx *sql.Tx, userID int64, g identity.Grant) error {
	var org any
	if g.OrgID != 0 {
		org = g.OrgID
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO grants (user_id, role, org_id, org_admin, created_at) VALUES ($1, $2, $3, $4, $5)`,
		userID, g.Role, org, g.OrgAdmin, utc(db.Now()))
	return err
}

// User returns one user or ErrNotFound.
func (db *DB) User(ctx context.Context, id int64) (*identity.User, error) {
	return scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// UserByEmail returns the user with the normalised e-mail or ErrNotFound.
func (db *DB) UserByEmail(ctx context.Context, email string) (*identity.User, error) {
	return scanUser(db.read.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = $1`, email))
}

// Users returns users ordered by id, at most limit after the id afterID.
func (db *DB) Users(ctx context.Context, afterID int64, limit int) ([]identity.User, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users WHERE id > $1 ORDER BY id LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var users []identity.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		users = append(users, *u)
	}
	return users, mapErr(rows.Err())
}

// Grants returns the roles a user holds, with their organisations.
func (db *DB) Grants(ctx context.Context, userID int64) ([]identity.Grant, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT g.role, COALESCE(g.org_id, 0), COALESCE(o.name, ''), COALESCE(o.kind, ''), g.org_admin
		FROM grants g LEFT JOIN organisations o ON o.id = g.org_id
		WHERE g.user_id = $1 ORDER BY g.id`, userID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var grants []identity.Grant
	for rows.Next() {
		var g identity.Grant
		if err := rows.Scan(&g.Role, &g.OrgID, &g.OrgName, &g.OrgKind, &g.OrgAdmin); err != nil {
			return nil, mapErr(err)
		}
		grants = append(grants, g)
	}
	return grants, mapErr(rows.Err())
}

// Members lists the staff of an organisation.
func (db *DB) Members(ctx context.Context, orgID int64) ([]identity.Member, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT u.id, u.display_name, u.email, g.role, g.org_admin
		FROM grants g JOIN users u ON u.id = g.user_id WHERE g.org_id = $1 ORDER BY u.display_name, u.id`, orgID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var members []identity.Member
	for rows.Next() {
		var m identity.Member
		if err := rows.Scan(&m.UserID, &m.DisplayName, &m.Email, &m.Role, &m.OrgAdmin); err != nil {
			return nil, mapErr(err)
		}
		members = append(members, m)
	}
	return members, mapErr(rows.Err())
}

// UpdateProfile changes the display name and locale.
func (db *DB) UpdateProfile(ctx context.Context, userID int64, displayName, locale string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE users SET display_name = $1, locale = $2 WHERE id = $3`, displayName, locale, userID)
	})
}

// SetPassword stores a new hash and whether it must be changed at the next
// sign-in.
func (db *DB) SetPassword(ctx context.Context, userID int64, hash string, mustChange bool) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE users SET password_hash = $1, must_change_password = $2 WHERE id = $3`, hash, mustChange, userID)
	})
}

// CreateInvitation stores an invitation with the hash of its token.
func (db *DB) CreateInvitation(ctx context.Context, inv *identity.Invitation, tokenHash string) error {
	inv.CreatedAt = utc(db.Now())
	inv.ExpiresAt = utc(inv.CreatedAt.Add(identity.InvitationTTL))
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO invitations (org_id, role, email, org_admin, token_hash, invited_by, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			inv.OrgID, inv.Role, inv.Email, inv.OrgAdmin, tokenHash, inv.InvitedBy, inv.CreatedAt, inv.ExpiresAt).Scan(&inv.ID)
	})
}

const invitationColumns = `i.id, i.org_id, o.name, i.role, i.email, i.org_admin, i.invited_by, i.created_at, i.expires_at, i.accepted_at`

func scanInvitation(row interface{ Scan(...any) error }) (*identity.Invitation, error) {
	var inv identity.Invitation
	var accepted sql.NullTime
	if err := row.Scan(&inv.ID, &inv.OrgID, &inv.OrgName, &inv.Role, &inv.Email, &inv.OrgAdmin, &inv.InvitedBy,
		&inv.CreatedAt, &inv.ExpiresAt, &accepted); err != nil {
		return nil, mapErr(err)
	}
	inv.AcceptedAt = nullTime(accepted)
	return &inv, nil
}

// InvitationByToken returns the invitation whose token hashes to tokenHash.
func (db *DB) InvitationByToken(ctx context.Context, tokenHash string) (*identity.Invitation, error) {
	return scanInvitation(db.read.QueryRowContext(ctx, `SELECT `+invitationColumns+`
		FROM invitations i JOIN organisations o ON o.id = i.org_id WHERE i.token_hash = $1`, tokenHash))
}

// Invitations lists an organisation's invitations, newest first.
func (db *DB) Invitations(ctx context.Context, orgID int64) ([]identity.Invitation, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+invitationColumns+`
		FROM invitations i JOIN organisations o ON o.id = i.org_id WHERE i.org_id = $1 ORDER BY i.id DESC`, orgID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var invs []identity.Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		invs = append(invs, *inv)
	}
	return invs, mapErr(rows.Err())
}

// AcceptInvitation marks the invitation used and grants its role to the
// user, atomically: a token accepted twice, or after it expired, returns
// ErrConflict or ErrNotFound and grants nothing. newUser, when not nil, is
// created in the same transaction and becomes the user.
func (db *DB) AcceptInvitation(ctx context.Context, tokenHash string, userID int64, newUser *identity.User) (*identity.Invitation, error) {
	now := utc(db.Now())
	var inv *identity.Invitation
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		inv, err = scanInvitation(tx.QueryRowContext(ctx, `SELECT `+invitationColumns+`
			FROM invitations i JOIN organisations o ON o.id = i.org_id WHERE i.token_hash = $1`, tokenHash))
		if err != nil {
			return err
		}
		if inv.AcceptedAt != nil || !now.Before(inv.ExpiresAt) {
			return ErrConflict
		}
		if newUser != nil {
			newUser.CreatedAt = now
			if err := tx.QueryRowContext(ctx, `INSERT INTO users (email, display_name, password_hash, locale, created_at)
				VALUES ($1, $2, $3, $4, $5) RETURNING id`,
				newUser.Email, newUser.DisplayName, newUser.PasswordHash, newUser.Locale, now).Scan(&newUser.ID); err != nil {
				return err
			}
			userID = newUser.ID
		}
		if err := execOne(ctx, tx, `UPDATE invitations SET accepted_at = $1, accepted_by = $2 WHERE id = $3 AND accepted_at IS NULL`,
			now, userID, inv.ID); err != nil {
			return ErrConflict
		}
		inv.AcceptedAt = &now
		return db.addGrant(ctx, tx, userID, identity.Grant{Role: inv.Role, OrgID: inv.OrgID, OrgAdmin: inv.OrgAdmin})
	})
	return inv, err
}

// execOne runs a statement that must change exactly one row; otherwise it
// returns ErrNotFound.
func execOne(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return ErrNotFound
	}
	return nil
}
