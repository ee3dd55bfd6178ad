package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/hakui-dev/hakui/internal/auth"
)

const sessionColumns = `id, user_id, stage, created_at, last_seen_at, expires_at, ip, user_agent, ended_at`

func scanSession(row interface{ Scan(...any) error }) (*auth.Session, error) {
	var s auth.Session
	var ended sql.NullTime
	if err := row.Scan(&s.ID, &s.UserID, &s.Stage, &s.CreatedAt, &s.LastSeenAt, &s.ExpiresAt, &s.IP, &s.UserAgent, &ended); err != nil {
		return nil, mapErr(err)
	}
	s.EndedAt = nullTime(ended)
	return &s, nil
}

// CreateSession stores a session under the hash of its token and sets its ID.
func (db *DB) CreateSession(ctx context.Context, s *auth.Session, tokenHash string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO sessions (token_hash, user_id, stage, created_at, last_seen_at, expires_at, ip, user_agent)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			tokenHash, s.UserID, s.Stage, utc(s.CreatedAt), utc(s.LastSeenAt), utc(s.ExpiresAt), s.IP, s.UserAgent).Scan(&s.ID)
	})
}

// SessionByToken returns the session whose token hashes to tokenHash,
// whatever its state; the caller checks Live.
func (db *DB) SessionByToken(ctx context.Context, tokenHash string) (*auth.Session, error) {
	return scanSession(db.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE token_hash = $1`, tokenHash))
}

// Session returns one session by ID.
func (db *DB) Session(ctx context.Context, id int64) (*auth.Session, error) {
	return scanSession(db.read.QueryRowContext(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id = $1`, id))
}

// TouchSession records activity on a live session.
func (db *DB) TouchSession(ctx context.Context, id int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND ended_at IS NULL`, utc(at), id)
		return err
	})
}

// EndSession ends one session; ending an ended session is not an error.
func (db *DB) EndSession(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL`, utc(db.Now()), id)
		return err
	})
}

// EndUserSessions ends every session of a user except keepID (0 for none).
func (db *DB) EndUserSessions(ctx context.Context, userID, keepID int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE sessions SET ended_at = $1 WHERE user_id = $2 AND id <> $3 AND ended_at IS NULL`,
			utc(db.Now()), userID, keepID)
		return err
	})
}

// UserSessions lists a user's sessions that are still live at now, newest first.
func (db *DB) UserSessions(ctx context.Context, userID int64, now time.Time) ([]auth.Session, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+sessionColumns+` FROM sessions
		WHERE user_id = $1 AND ended_at IS NULL AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC, id DESC`,
		userID, utc(now), utc(now.Add(-auth.IdleTimeout)))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var sessions []auth.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		sessions = append(sessions, *s)
	}
	return sessions, mapErr(rows.Err())
}

// RecordLoginFailure counts a failed sign-in under each key, and drops
// failures older than keep so the table stays small.
func (db *DB) RecordLoginFailure(ctx context.Context, keys []string, at time.Time, keep time.Duration) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			if _, err := tx.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2)`, k, utc(at)); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, utc(at.Add(-keep)))
		return err
	})
}

// LoginFailures counts the failures recorded under key since.
func (db *DB) LoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM login_failures WHERE key = $1 AND at >= $2`, key, utc(since)).Scan(&n)
	return n, mapErr(err)
}

// ClearLoginFailures forgets the failures under key (after a success).
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM login_failures WHERE key = $1`, key)
		return err
	})
}

// TrustDevice remembers a device that signed in to the account.
func (db *DB) TrustDevice(ctx context.Context, userID int64, tokenHash string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO trusted_devices (token_hash, user_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (token_hash) DO NOTHING`, tokenHash, userID, utc(db.Now()))
		return err
	})
}

// DeviceTrusted reports whether the device token was issued to the user.
func (db *DB) DeviceTrusted(ctx context.Context, userID int64, tokenHash string) (bool, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM trusted_devices WHERE token_hash = $1 AND user_id = $2`, tokenHash, userID).Scan(&n)
	return n > 0, mapErr(err)
}

// SetTOTP stores the sealed secret and whether two-factor authentication is
// on, and replaces the recovery codes (their hashes) in the same
// transaction. An empty secret turns it off.
func (db *DB) SetTOTP(ctx context.Context, userID int64, sealedSecret string, enabled bool, recoveryHashes []string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := execOne(ctx, tx, `UPDATE users SET totp_secret = $1, totp_enabled = $2, totp_last_step = 0 WHERE id = $3`,
			sealedSecret, enabled, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
			return err
		}
		for _, h := range recoveryHashes {
			if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)`, userID, h); err != nil {
				return err
			}
		}
		return nil
	})
}

// AdvanceTOTPStep records step as the last one used, only if it is newer
// than the stored one. It returns false when another request used this or
// a later step first: the code is a replay.
func (db *DB) AdvanceTOTPStep(ctx context.Context, userID, step int64) (bool, error) {
	var advanced bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, userID)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		advanced = n == 1
		return err
	})
	return advanced, err
}

// UseRecoveryCode marks an unused recovery code used; false if there is none.
func (db *DB) UseRecoveryCode(ctx context.Context, userID int64, codeHash string) (bool, error) {
	var used bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`,
			utc(db.Now()), userID, codeHash)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		used = n == 1
		return err
	})
	return used, err
}

// RecoveryCodesLeft counts the unused recovery codes of a user.
func (db *DB) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&n)
	return n, mapErr(err)
}

const tokenColumns = `id, user_id, name, scope, created_at, expires_at, last_used_at, revoked_at`

func scanToken(row interface{ Scan(...any) error }) (*auth.APIToken, error) {
	var t auth.APIToken
	var expires, used, revoked sql.NullTime
	if err := row.Scan(&t.ID, &t.UserID, &t.Name, &t.Scope, &t.CreatedAt, &expires, &used, &revoked); err != nil {
		return nil, mapErr(err)
	}
	t.ExpiresAt, t.LastUsedAt, t.RevokedAt = nullTime(expires), nullTime(used), nullTime(revoked)
	return &t, nil
}

// CreateAPIToken stores a token under the hash of its secret and sets its ID.
func (db *DB) CreateAPIToken(ctx context.Context, t *auth.APIToken, tokenHash string) error {
	t.CreatedAt = utc(db.Now())
	var expires any
	if t.ExpiresAt != nil {
		expires = utc(*t.ExpiresAt)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, scope, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, t.UserID, t.Name, tokenHash, t.Scope, t.CreatedAt, expires).Scan(&t.ID)
	})
}

// APITokenByHash returns the token whose secret hashes to tokenHash.
func (db *DB) APITokenByHash(ctx context.Context, tokenHash string) (*auth.APIToken, error) {
	return scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = $1`, tokenHash))
}

// APIToken returns one token by ID.
func (db *DB) APIToken(ctx context.Context, id int64) (*auth.APIToken, error) {
	return scanToken(db.read.QueryRowContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE id = $1`, id))
}

// UserAPITokens lists a user's tokens, newest first.
func (db *DB) UserAPITokens(ctx context.Context, userID int64) ([]auth.APIToken, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = $1 ORDER BY id DESC`, userID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var tokens []auth.APIToken
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		tokens = append(tokens, *t)
	}
	return tokens, mapErr(rows.Err())
}

// TouchAPIToken records a use of the token.
func (db *DB) TouchAPIToken(ctx context.Context, id int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = $1 WHERE id = $2`, utc(at), id)
		return err
	})
}

// RevokeAPIToken revokes a token; revoking twice is not an error.
func (db *DB) RevokeAPIToken(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, utc(db.Now()), id)
		return err
	})
}
