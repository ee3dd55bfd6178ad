package sqlstore

// The community board's members, settings, invitations and companies.

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/notify"
)

// Compile-time check that DB is a community store.
var _ community.Store = (*DB)(nil)

// conditional runs an update of one row guarded by a state (a version, a
// status): ErrConflict when it changed no row but exists (a SELECT 1
// query with the id as $1) finds the row, ErrNotFound when it does not.
func conditional(ctx context.Context, tx *sql.Tx, exists string, id int64, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var one int
	if err := tx.QueryRowContext(ctx, exists, id).Scan(&one); err != nil {
		return err
	}
	return ErrConflict
}

// limitOr returns limit capped at max, or def when it is not positive.
func limitOr(limit, def, max int) int {
	if limit <= 0 {
		return def
	}
	return min(limit, max)
}

// PlatformOrgID returns the organisation of kind platform with the lowest
// id, or ErrNotFound.
func (db *DB) PlatformOrgID(ctx context.Context) (int64, error) {
	var id int64
	err := db.read.QueryRowContext(ctx, `SELECT id FROM organisations WHERE kind = 'platform' ORDER BY id LIMIT 1`).Scan(&id)
	return id, mapErr(err)
}

// CommunitySettings returns the board's settings; Version 0 when never
// saved.
func (db *DB) CommunitySettings(ctx context.Context) (*community.Settings, error) {
	var s community.Settings
	err := db.read.QueryRowContext(ctx, `SELECT rules, hold_first_posts, updated_by, updated_at, version FROM community_settings WHERE id = 1`).
		Scan(&s.Rules, &s.HoldFirstPosts, &s.UpdatedBy, &s.UpdatedAt, &s.Version)
	if err == sql.ErrNoRows {
		return &community.Settings{}, nil
	}
	if err != nil {
		return nil, mapErr(err)
	}
	s.UpdatedAt = s.UpdatedAt.UTC()
	return &s, nil
}

// SaveCommunitySettings writes s if the stored version is s.Version (0:
// none stored) and bumps s.Version: ErrConflict when stale.
func (db *DB) SaveCommunitySettings(ctx context.Context, s *community.Settings) error {
	s.UpdatedAt = db.createdAt(s.UpdatedAt)
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if s.Version == 0 {
			// A second first save hits the primary key: ErrConflict.
			_, err := tx.ExecContext(ctx, `INSERT INTO community_settings (id, rules, hold_first_posts, updated_by, updated_at, version)
				VALUES (1, $1, $2, $3, $4, 1)`, s.Rules, s.HoldFirstPosts, s.UpdatedBy, s.UpdatedAt)
			return err
		}
		// Any other version is stale, including one when nothing is
		// stored: the row is a singleton, never NotFound.
		res, err := tx.ExecContext(ctx, `UPDATE community_settings SET rules = $1, hold_first_posts = $2, updated_by = $3, updated_at = $4,
			version = version + 1 WHERE id = 1 AND version = $5`, s.Rules, s.HoldFirstPosts, s.UpdatedBy, s.UpdatedAt, s.Version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n != 1 {
			return ErrConflict
		}
		return nil
	})
	if err == nil {
		s.Version++
	}
	return err
}

const memberColumns = `m.user_id, m.member_group, m.status, m.entry, m.invited_by, m.company_id, m.application_note, m.decided_by,
	m.decision_reason, m.applied_at, m.joined_at, m.age_band, m.share_specialty, m.share_region, m.share_age, m.share_practice,
	m.digest, m.digest_sent_at, m.approved_posts, m.silenced_until, m.suspended_until, m.banned_at, m.version, m.updated_at`

func memberDest(m *community.Member, invitedBy, companyID, decidedBy *sql.NullInt64, joined, digestSent, silenced, suspended, banned *sql.NullTime) []any {
	return []any{&m.UserID, &m.Group, &m.Status, &m.Entry, invitedBy, companyID, &m.ApplicationNote, decidedBy,
		&m.DecisionReason, &m.AppliedAt, joined, &m.AgeBand, &m.ShareSpecialty, &m.ShareRegion, &m.ShareAge, &m.SharePractice,
		&m.Digest, digestSent, &m.ApprovedPosts, silenced, suspended, banned, &m.Version, &m.UpdatedAt}
}

// scanMember scans memberColumns followed by extra destinations.
func scanMember(row interface{ Scan(...any) error }, extra ...any) (*community.Member, error) {
	var m community.Member
	var invitedBy, companyID, decidedBy sql.NullInt64
	var joined, digestSent, silenced, suspended, banned sql.NullTime
	dest := append(memberDest(&m, &invitedBy, &companyID, &decidedBy, &joined, &digestSent, &silenced, &suspended, &banned), extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, mapErr(err)
	}
	m.InvitedBy, m.CompanyID, m.DecidedBy = invitedBy.Int64, companyID.Int64, decidedBy.Int64
	m.JoinedAt, m.DigestSentAt, m.SilencedUntil = nullTime(joined), nullTime(digestSent), nullTime(silenced)
	m.SuspendedUntil, m.BannedAt = nullTime(suspended), nullTime(banned)
	m.AppliedAt, m.UpdatedAt = m.AppliedAt.UTC(), m.UpdatedAt.UTC()
	return &m, nil
}

func scanMembers(rows *sql.Rows, err error) ([]community.Member, error) {
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []community.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *m)
	}
	return list, mapErr(rows.Err())
}

// CommunityMember returns a membership or ErrNotFound.
func (db *DB) CommunityMember(ctx context.Context, userID int64) (*community.Member, error) {
	return scanMember(db.read.QueryRowContext(ctx, `SELECT `+memberColumns+` FROM community_members m WHERE m.user_id = $1`, userID))
}

// CreateCommunityMember inserts m, or overwrites the user's rejected or
// left membership with it: ErrConflict when the user has an applied,
// active or banned one.
func (db *DB) CreateCommunityMember(ctx context.Context, m *community.Member) error {
	return db.inTx(ctx, func(tx *sql.Tx) error { return db.createMember(ctx, tx, m) })
}

func (db *DB) createMember(ctx context.Context, tx *sql.Tx, m *community.Member) error {
	m.AppliedAt = db.createdAt(m.AppliedAt)
	m.UpdatedAt = db.createdAt(m.UpdatedAt)
	var version int
	var silenced, suspended sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT version, silenced_until, suspended_until FROM community_members WHERE user_id = $1`,
		m.UserID).Scan(&version, &silenced, &suspended)
	switch {
	case err == sql.ErrNoRows:
		// Two concurrent first applications meet at the primary key.
		if _, err := tx.ExecContext(ctx, `INSERT INTO community_members (user_id, member_group, status, entry, invited_by, company_id,
				application_note, decided_by, decision_reason, applied_at, joined_at, age_band, share_specialty, share_region, share_age,
				share_practice, digest, digest_sent_at, approved_posts, silenced_until, suspended_until, banned_at, version, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, 1, $23)`,
			memberArgs(m)...); err != nil {
			return err
		}
		m.Version = 1
		return nil
	case err != nil:
		return err
	}
	// Leaving and coming back does not end a silence or suspension.
	m.SilencedUntil = laterSanction(m.SilencedUntil, nullTime(silenced), m.UpdatedAt)
	m.SuspendedUntil = laterSanction(m.SuspendedUntil, nullTime(suspended), m.UpdatedAt)
	args := append(memberArgs(m), version)
	if err := conditional(ctx, tx, `SELECT 1 FROM community_members WHERE user_id = $1`, m.UserID, `UPDATE community_members
		SET member_group = $2, status = $3, entry = $4, invited_by = $5, company_id = $6, application_note = $7, decided_by = $8,
			decision_reason = $9, applied_at = $10, joined_at = $11, age_band = $12, share_specialty = $13, share_region = $14,
			share_age = $15, share_practice = $16, digest = $17, digest_sent_at = $18, approved_posts = $19, silenced_until = $20,
			suspended_until = $21, banned_at = $22, updated_at = $23, version = version + 1
		WHERE user_id = $1 AND version = $24 AND status IN ('rejected', 'left')`, args...); err != nil {
		return err
	}
	m.Version = version + 1
	return nil
}

// laterSanction is the later of a new and a stored sanction end, the
// stored one only while it runs after now.
func laterSanction(given, stored *time.Time, now time.Time) *time.Time {
	if stored == nil || !stored.After(now) || (given != nil && given.After(*stored)) {
		return given
	}
	t := stored.UTC()
	return &t
}

// memberArgs are m's columns in insert order, user_id first, updated_at
// last.
func memberArgs(m *community.Member) []any {
	return []any{m.UserID, string(m.Group), string(m.Status), string(m.Entry), nullID(m.InvitedBy), nullID(m.CompanyID),
		m.ApplicationNote, nullID(m.DecidedBy), m.DecisionReason, utc(m.AppliedAt), timePtr(m.JoinedAt), string(m.AgeBand),
		m.ShareSpecialty, m.ShareRegion, m.ShareAge, m.SharePractice, string(m.Digest), timePtr(m.DigestSentAt), m.ApprovedPosts,
		timePtr(m.SilencedUntil), timePtr(m.SuspendedUntil), timePtr(m.BannedAt), utc(m.UpdatedAt)}
}

// UpdateCommunityMember writes m if the stored version is m.Version and
// bumps it: ErrConflict when stale. The counters the store keeps itself
// (approved posts, the last digest) are left as stored, so that an edit
// read before a post or a digest does not undo them.
func (db *DB) UpdateCommunityMember(ctx context.Context, m *community.Member) error {
	now := utc(db.Now())
	if !m.UpdatedAt.IsZero() {
		now = utc(m.UpdatedAt)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		return conditional(ctx, tx, `SELECT 1 FROM community_members WHERE user_id = $1`, m.UserID, `UPDATE community_members
			SET member_group = $2, status = $3, entry = $4, invited_by = $5, company_id = $6, application_note = $7, decided_by = $8,
				decision_reason = $9, applied_at = $10, joined_at = $11, age_band = $12, share_specialty = $13, share_region = $14,
				share_age = $15, share_practice = $16, digest = $17, silenced_until = $18, suspended_until = $19, banned_at = $20,
				updated_at = $21, version = version + 1
			WHERE user_id = $1 AND version = $22`,
			m.UserID, string(m.Group), string(m.Status), string(m.Entry), nullID(m.InvitedBy), nullID(m.CompanyID),
			m.ApplicationNote, nullID(m.DecidedBy), m.DecisionReason, utc(m.AppliedAt), timePtr(m.JoinedAt), string(m.AgeBand),
			m.ShareSpecialty, m.ShareRegion, m.ShareAge, m.SharePractice, string(m.Digest),
			timePtr(m.SilencedUntil), timePtr(m.SuspendedUntil), timePtr(m.BannedAt), now, m.Version)
	})
	if err == nil {
		m.Version++
		m.UpdatedAt = now
	}
	return err
}

// CommunityMembers returns the memberships of the status, the oldest
// application first.
func (db *DB) CommunityMembers(ctx context.Context, status community.MemberStatus, limit int) ([]community.Member, error) {
	return scanMembers(db.read.QueryContext(ctx, `SELECT `+memberColumns+` FROM community_members m WHERE m.status = $1
		ORDER BY m.applied_at, m.user_id LIMIT $2`, string(status), limitOr(limit, 500, 100000)))
}

// CommunityDigestDue returns the active members who chose the daily
// digest.
func (db *DB) CommunityDigestDue(ctx context.Context) ([]community.Member, error) {
	return scanMembers(db.read.QueryContext(ctx, `SELECT `+memberColumns+` FROM community_members m
		WHERE m.status = 'active' AND m.digest = 'daily' ORDER BY m.user_id`))
}

// MarkCommunityDigestSent records the member's last digest. It does not
// bump the version: the daily job must not conflict with the member's
// own edits.
func (db *DB) MarkCommunityDigestSent(ctx context.Context, userID int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE community_members SET digest_sent_at = $1 WHERE user_id = $2`, utc(at), userID)
	})
}

// CommunityMemberStats returns the named, visible post figures of each
// user (users without posts get zeros).
func (db *DB) CommunityMemberStats(ctx context.Context, userIDs []int64) (map[int64]community.MemberStats, error) {
	stats := make(map[int64]community.MemberStats, len(userIDs))
	for _, id := range userIDs {
		stats[id] = community.MemberStats{}
	}
	// In chunks, to stay under the engines' limits on parameters.
	for chunk := range slices.Chunk(userIDs, 1000) {
		if err := db.memberStats(ctx, chunk, stats); err != nil {
			return nil, err
		}
	}
	return stats, nil
}

func (db *DB) memberStats(ctx context.Context, userIDs []int64, stats map[int64]community.MemberStats) error {
	var q query
	in, args := inList(userIDs)
	q.add(`p.author_id IN (`+in+`)`, args...)
	q.add(`p.anonymous = false AND p.status = 'visible' AND p.kind IN ('question', 'answer')`)
	rows, err := db.read.QueryContext(ctx, `SELECT p.author_id, p.kind, count(*), coalesce(sum(p.score), 0),
			coalesce(sum(CASE WHEN EXISTS (SELECT 1 FROM community_posts q WHERE q.accepted_answer_id = p.id) THEN 1 ELSE 0 END), 0)
		FROM community_posts p`+q.sql()+` GROUP BY p.author_id, p.kind`, q.args...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind community.PostKind
		var n, score, accepted int
		if err := rows.Scan(&id, &kind, &n, &score, &accepted); err != nil {
			return mapErr(err)
		}
		s := stats[id]
		if kind == community.KindQuestion {
			s.Questions = n
		} else {
			s.Answers, s.AcceptedAnswers = n, accepted
		}
		s.UpvotesReceived += score
		stats[id] = s
	}
	return mapErr(rows.Err())
}

// CommunityTopAnswerers returns the users with the most named, visible
// answers written since the time, most first.
func (db *DB) CommunityTopAnswerers(ctx context.Context, since time.Time, limit int) ([]int64, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT author_id FROM community_posts
		WHERE kind = 'answer' AND status = 'visible' AND anonymous = false AND created_at >= $1
		GROUP BY author_id ORDER BY count(*) DESC, author_id LIMIT $2`, utc(since), limitOr(limit, 10, 1000))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr(err)
		}
		ids = append(ids, id)
	}
	return ids, mapErr(rows.Err())
}

// CommunityCards returns the active and the banned members (Status
// tells), by join time, with the profile fields their cards draw on; a
// member without a profile row gets empty ones.
func (db *DB) CommunityCards(ctx context.Context, limit int) ([]community.CardSource, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+memberColumns+`, u.display_name, coalesce(dp.specialties, '[]'),
			coalesce(dp.prefecture, ''), coalesce(dp.practice_form, '')
		FROM community_members m JOIN users u ON u.id = m.user_id LEFT JOIN doctor_profiles dp ON dp.user_id = m.user_id
		WHERE m.status IN ('active', 'banned') ORDER BY m.joined_at, m.user_id LIMIT $1`, limitOr(limit, 500, 100000))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []community.CardSource
	for rows.Next() {
		var c community.CardSource
		var specialties string
		m, err := scanMember(rows, &c.Name, &specialties, &c.Prefecture, &c.Practice)
		if err != nil {
			return nil, err
		}
		c.Member = *m
		if err := json.Unmarshal([]byte(specialties), &c.Specialties); err != nil {
			return nil, err
		}
		list = append(list, c)
	}
	return list, mapErr(rows.Err())
}

// NotificationsSince returns the user's notifications of kinds starting
// with the prefix (ours, so not escaped) created after the time, oldest
// first.
func (db *DB) NotificationsSince(ctx context.Context, userID int64, kindPrefix string, since time.Time, limit int) ([]notify.Notification, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE user_id = $1 AND kind LIKE $2 || '%' AND created_at > $3 ORDER BY created_at, id LIMIT $4`,
		userID, kindPrefix, utc(since), limitOr(limit, 200, 10000))
	if err != nil {
		return nil, mapErr(err)
	}
	return scanNotifications(rows)
}

const communityInvitationColumns = `id, invited_by, email, note, created_at, expires_at, accepted_by, accepted_at, revoked_at FROM community_invitations`

func scanCommunityInvitation(row interface{ Scan(...any) error }) (*community.Invitation, error) {
	var inv community.Invitation
	var acceptedBy sql.NullInt64
	var accepted, revoked sql.NullTime
	if err := row.Scan(&inv.ID, &inv.InvitedBy, &inv.Email, &inv.Note, &inv.CreatedAt, &inv.ExpiresAt, &acceptedBy, &accepted, &revoked); err != nil {
		return nil, mapErr(err)
	}
	inv.AcceptedBy, inv.AcceptedAt, inv.RevokedAt = acceptedBy.Int64, nullTime(accepted), nullTime(revoked)
	inv.CreatedAt, inv.ExpiresAt = inv.CreatedAt.UTC(), inv.ExpiresAt.UTC()
	return &inv, nil
}

// CreateCommunityInvitation inserts inv with the token's hash and sets
// its ID.
func (db *DB) CreateCommunityInvitation(ctx context.Context, inv *community.Invitation, tokenHash string) error {
	inv.CreatedAt = db.createdAt(inv.CreatedAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO community_invitations (token_hash, invited_by, email, note, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, tokenHash, inv.InvitedBy, inv.Email, inv.Note, inv.CreatedAt, utc(inv.ExpiresAt)).
			Scan(&inv.ID)
	})
}

// CommunityInvitationByToken returns the invitation of the token hash, or
// ErrNotFound.
func (db *DB) CommunityInvitationByToken(ctx context.Context, tokenHash string) (*community.Invitation, error) {
	return scanCommunityInvitation(db.read.QueryRowContext(ctx, `SELECT `+communityInvitationColumns+` WHERE token_hash = $1`, tokenHash))
}

// CommunityInvitation returns one invitation or ErrNotFound.
func (db *DB) CommunityInvitation(ctx context.Context, id int64) (*community.Invitation, error) {
	return scanCommunityInvitation(db.read.QueryRowContext(ctx, `SELECT `+communityInvitationColumns+` WHERE id = $1`, id))
}

// CommunityInvitations returns a member's invitations, latest first.
func (db *DB) CommunityInvitations(ctx context.Context, invitedBy int64) ([]community.Invitation, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+communityInvitationColumns+` WHERE invited_by = $1 ORDER BY created_at DESC, id DESC LIMIT 500`, invitedBy)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []community.Invitation
	for rows.Next() {
		inv, err := scanCommunityInvitation(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *inv)
	}
	return list, mapErr(rows.Err())
}

// RevokeCommunityInvitation revokes an open invitation: ErrConflict when
// it was accepted or revoked, ErrNotFound when there is none.
func (db *DB) RevokeCommunityInvitation(ctx context.Context, id int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return conditional(ctx, tx, `SELECT 1 FROM community_invitations WHERE id = $1`, id, `UPDATE community_invitations
			SET revoked_at = $1 WHERE id = $2 AND accepted_at IS NULL AND revoked_at IS NULL`, utc(at), id)
	})
}

// AcceptCommunityInvitation marks the invitation accepted by m.UserID if
// it is open at m.JoinedAt and creates the membership, in one
// transaction: of two concurrent acceptances one wins, the other gets
// ErrConflict.
func (db *DB) AcceptCommunityInvitation(ctx context.Context, invitationID int64, m *community.Member) error {
	at := utc(db.Now())
	if m.JoinedAt != nil {
		at = utc(*m.JoinedAt)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := conditional(ctx, tx, `SELECT 1 FROM community_invitations WHERE id = $1`, invitationID, `UPDATE community_invitations
			SET accepted_by = $1, accepted_at = $2
			WHERE id = $3 AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $2`, m.UserID, at, invitationID); err != nil {
			return err
		}
		return db.createMember(ctx, tx, m)
	})
}

const companyColumns = `c.id, c.name, c.referral_code, c.note, c.created_by, c.created_at, c.disabled_at FROM community_companies c`

func scanCompany(row interface{ Scan(...any) error }) (*community.Company, error) {
	var c community.Company
	var disabled sql.NullTime
	if err := row.Scan(&c.ID, &c.Name, &c.ReferralCode, &c.Note, &c.CreatedBy, &c.CreatedAt, &disabled); err != nil {
		return nil, mapErr(err)
	}
	c.CreatedAt, c.DisabledAt = c.CreatedAt.UTC(), nullTime(disabled)
	return &c, nil
}

// CreateCommunityCompany inserts c and sets its ID: ErrConflict on the
// name or the code (compared case-insensitively).
func (db *DB) CreateCommunityCompany(ctx context.Context, c *community.Company) error {
	c.CreatedAt = db.createdAt(c.CreatedAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO community_companies (name, referral_code, note, created_by, created_at, disabled_at)
			VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, c.Name, c.ReferralCode, c.Note, c.CreatedBy, c.CreatedAt, timePtr(c.DisabledAt)).
			Scan(&c.ID)
	})
}

// CommunityCompany returns one company or ErrNotFound.
func (db *DB) CommunityCompany(ctx context.Context, id int64) (*community.Company, error) {
	return scanCompany(db.read.QueryRowContext(ctx, `SELECT `+companyColumns+` WHERE c.id = $1`, id))
}

// CommunityCompanyByCode finds a company by its code, compared
// case-insensitively, or returns ErrNotFound.
func (db *DB) CommunityCompanyByCode(ctx context.Context, code string) (*community.Company, error) {
	return scanCompany(db.read.QueryRowContext(ctx, `SELECT `+companyColumns+` WHERE upper(c.referral_code) = $1`,
		strings.ToUpper(strings.TrimSpace(code))))
}

// CommunityCompanies returns every company by name.
func (db *DB) CommunityCompanies(ctx context.Context) ([]community.Company, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+companyColumns+` ORDER BY c.name, c.id`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []community.Company
	for rows.Next() {
		c, err := scanCompany(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *c)
	}
	return list, mapErr(rows.Err())
}

// SetCommunityCompanyDisabled disables (at) or enables (nil) a company,
// or returns ErrNotFound.
func (db *DB) SetCommunityCompanyDisabled(ctx context.Context, id int64, at *time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE community_companies SET disabled_at = $1 WHERE id = $2`, timePtr(at), id)
	})
}

// AddCommunityCompanyContact links a user to a company: ErrConflict when
// the user is a contact already.
func (db *DB) AddCommunityCompanyContact(ctx context.Context, companyID, userID int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO community_company_contacts (user_id, company_id, created_at) VALUES ($1, $2, $3)`,
			userID, companyID, utc(at))
		return err
	})
}

// CommunityCompanyOf returns the company the user is a contact of, or
// ErrNotFound.
func (db *DB) CommunityCompanyOf(ctx context.Context, userID int64) (*community.Company, error) {
	return scanCompany(db.read.QueryRowContext(ctx, `SELECT `+companyColumns+`
		JOIN community_company_contacts cc ON cc.company_id = c.id WHERE cc.user_id = $1`, userID))
}

// CommunityReferrals counts a company's referrals: every membership row
// with its code (any status) as applied, the active ones as joined, and
// both by the JST month of the application, computed here so that both
// engines agree.
func (db *DB) CommunityReferrals(ctx context.Context, companyID int64) (*community.Referrals, error) {
	c, err := db.CommunityCompany(ctx, companyID)
	if err != nil {
		return nil, err
	}
	r := &community.Referrals{Company: *c}
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM community_company_contacts WHERE company_id = $1`, companyID).
		Scan(&r.Contacts); err != nil {
		return nil, mapErr(err)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT status, applied_at FROM community_members WHERE company_id = $1`, companyID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	months := map[string]*community.MonthCount{}
	for rows.Next() {
		var status community.MemberStatus
		var applied time.Time
		if err := rows.Scan(&status, &applied); err != nil {
			return nil, mapErr(err)
		}
		month := applied.In(career.JST).Format("2006-01")
		mc := months[month]
		if mc == nil {
			mc = &community.MonthCount{Month: month}
			months[month] = mc
		}
		r.Applied++
		mc.Applied++
		if status == community.StatusActive {
			r.Joined++
			mc.Joined++
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	for _, mc := range months {
		r.ByMonth = append(r.ByMonth, *mc)
	}
	sort.Slice(r.ByMonth, func(i, j int) bool { return r.ByMonth[i].Month < r.ByMonth[j].Month })
	return r, nil
}
