package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/placement"
)

// The store behind the placement pipeline. Timestamps: created_at is the
// caller's CreatedAt when set (the service's clock, which reports read),
// else the store's clock; updated_at is always the store's clock.

var _ placement.Store = (*DB)(nil)

// createdAt returns the creation time to store for t.
func (db *DB) createdAt(t time.Time) time.Time {
	if t.IsZero() {
		return utc(db.Now())
	}
	return utc(t)
}

// inList returns "?, ?, ?" and the values, for query.add.
func inList[T any](vals []T) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", "), args
}

// Agency returns an agency's pipeline settings, or ErrNotFound when it
// never saved any (the service then uses the defaults).
func (db *DB) Agency(ctx context.Context, orgID int64) (*placement.Agency, error) {
	var a placement.Agency
	err := db.read.QueryRowContext(ctx, `SELECT a.org_id, o.name, a.purpose_text, a.retention_days, a.form_enabled, a.updated_at
		FROM agencies a JOIN organisations o ON o.id = a.org_id WHERE a.org_id = $1`, orgID).
		Scan(&a.OrgID, &a.Name, &a.PurposeText, &a.RetentionDays, &a.FormEnabled, &a.UpdatedAt)
	if err != nil {
		return nil, mapErr(err)
	}
	a.UpdatedAt = a.UpdatedAt.UTC()
	return &a, nil
}

// SaveAgency inserts or replaces an agency's settings.
func (db *DB) SaveAgency(ctx context.Context, a *placement.Agency) error {
	now := utc(db.Now())
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO agencies (org_id, purpose_text, retention_days, form_enabled, updated_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (org_id) DO UPDATE SET purpose_text = excluded.purpose_text, retention_days = excluded.retention_days,
			form_enabled = excluded.form_enabled, updated_at = excluded.updated_at`,
			a.OrgID, a.PurposeText, a.RetentionDays, a.FormEnabled, now)
		return err
	})
	if err == nil {
		a.UpdatedAt = now
	}
	return err
}

const leadColumns = `l.id, l.agency_id, COALESCE(l.user_id, 0), l.name, l.name_kana, l.email, l.phone, l.registration_number,
	l.source, l.source_note, l.message, COALESCE(l.agent_id, 0), COALESCE(ag.display_name, ''), COALESCE(l.merged_into, 0),
	l.purpose_hash, l.consented_at, l.health_consent_at, l.consent_withdrawn_at, l.created_at, l.updated_at, l.anonymised_at`

const leadJoins = ` FROM leads l LEFT JOIN users ag ON ag.id = l.agent_id`

func scanLead(row interface{ Scan(...any) error }) (*placement.Lead, error) {
	var l placement.Lead
	var consented, health, withdrawn, anonymised sql.NullTime
	err := row.Scan(&l.ID, &l.AgencyID, &l.UserID, &l.Name, &l.NameKana, &l.Email, &l.Phone, &l.RegistrationNumber,
		&l.Source, &l.SourceNote, &l.Message, &l.AgentID, &l.AgentName, &l.MergedInto,
		&l.Consent.PurposeHash, &consented, &health, &withdrawn, &l.CreatedAt, &l.UpdatedAt, &anonymised)
	if err != nil {
		return nil, mapErr(err)
	}
	l.Consent.ConsentedAt, l.Consent.HealthConsentAt, l.Consent.WithdrawnAt = nullTime(consented), nullTime(health), nullTime(withdrawn)
	l.CreatedAt, l.UpdatedAt, l.AnonymisedAt = l.CreatedAt.UTC(), l.UpdatedAt.UTC(), nullTime(anonymised)
	return &l, nil
}

func (db *DB) queryLeads(ctx context.Context, q query, tail string) ([]placement.Lead, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+leadColumns+leadJoins+q.sql()+tail, q.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []placement.Lead
	for rows.Next() {
		l, err := scanLead(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *l)
	}
	return list, mapErr(rows.Err())
}

// leadSearchText is what LeadFilter.Query and CaseFilter.Query search: the
// lead's name, kana and contact details, folded (jatext.Fold). The fields
// are joined by a line break, which no (single-line) query contains.
func leadSearchText(l *placement.Lead) string {
	return jatext.Fold(strings.Join([]string{l.Name, l.NameKana, l.Email, l.Phone, l.RegistrationNumber}, "\n"))
}

// phoneRunes are what people type between the digits of a phone number.
const phoneRunes = "0123456789 -‐‑‒–—―−ー()."

// addLeadQuery adds a condition per word of text on the search text of the
// lead aliased l. A query that looks like a phone number ("090-1234") is
// searched as its digits, the way leads keep them.
func addLeadQuery(q *query, text string) {
	folded := jatext.Fold(text)
	terms := strings.Fields(folded)
	if strings.Trim(folded, phoneRunes) == "" {
		digits := strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return r
			}
			return -1
		}, folded)
		if digits != "" {
			terms = []string{digits}
		}
	}
	for _, t := range terms {
		q.add(`l.search_text LIKE ? ESCAPE '\'`, "%"+escapeLike(t)+"%")
	}
}

// CreateLead inserts l and sets its ID. Its last activity is its creation.
func (db *DB) CreateLead(ctx context.Context, l *placement.Lead) error {
	l.CreatedAt = db.createdAt(l.CreatedAt)
	l.UpdatedAt = l.CreatedAt
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `INSERT INTO leads (agency_id, user_id, name, name_kana, email, phone, registration_number,
			source, source_note, message, agent_id, purpose_hash, consented_at, health_consent_at, consent_withdrawn_at,
			search_text, created_at, updated_at, last_activity_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17, $17) RETURNING id`,
			l.AgencyID, nullID(l.UserID), l.Name, l.NameKana, l.Email, l.Phone, l.RegistrationNumber, l.Source, l.SourceNote,
			l.Message, nullID(l.AgentID), l.Consent.PurposeHash, timePtr(l.Consent.ConsentedAt), timePtr(l.Consent.HealthConsentAt),
			timePtr(l.Consent.WithdrawnAt), leadSearchText(l), l.CreatedAt).Scan(&l.ID)
	})
}

// UpdateLead replaces the editable fields of l: the account link, name,
// contact details, source, message, agent and consent. ErrNotFound when
// there is no such lead.
func (db *DB) UpdateLead(ctx context.Context, l *placement.Lead) error {
	now := utc(db.Now())
	err := db.inTx(ctx, func(tx *sql.Tx) error { return updateLead(ctx, tx, l, now, "") })
	if err == nil {
		l.UpdatedAt = now
	}
	return err
}

// updateLead writes l; cond narrows which row may change.
func updateLead(ctx context.Context, tx *sql.Tx, l *placement.Lead, now time.Time, cond string) error {
	return execOne(ctx, tx, `UPDATE leads SET user_id = $1, name = $2, name_kana = $3, email = $4, phone = $5,
		registration_number = $6, source = $7, source_note = $8, message = $9, agent_id = $10, purpose_hash = $11,
		consented_at = $12, health_consent_at = $13, consent_withdrawn_at = $14, search_text = $15, updated_at = $16
		WHERE id = $17`+cond,
		nullID(l.UserID), l.Name, l.NameKana, l.Email, l.Phone, l.RegistrationNumber, l.Source, l.SourceNote, l.Message,
		nullID(l.AgentID), l.Consent.PurposeHash, timePtr(l.Consent.ConsentedAt), timePtr(l.Consent.HealthConsentAt),
		timePtr(l.Consent.WithdrawnAt), leadSearchText(l), now, l.ID)
}

// Lead returns one lead or ErrNotFound.
func (db *DB) Lead(ctx context.Context, id int64) (*placement.Lead, error) {
	return scanLead(db.read.QueryRowContext(ctx, `SELECT `+leadColumns+leadJoins+` WHERE l.id = $1`, id))
}

// Leads lists an agency's leads, most recently active first. Merged leads
// are left out unless f.Merged; anonymised ones are listed, with
// AnonymisedAt set.
func (db *DB) Leads(ctx context.Context, f placement.LeadFilter) ([]placement.Lead, error) {
	var q query
	q.add("l.agency_id = ?", f.AgencyID)
	if !f.Merged {
		q.add("l.merged_into IS NULL")
	}
	if f.AgentID != 0 {
		q.add("l.agent_id = ?", f.AgentID)
	}
	addLeadQuery(&q, f.Query)
	tail := " ORDER BY l.last_activity_at DESC, l.id DESC"
	if f.Limit > 0 {
		tail += " LIMIT " + itoa(f.Limit)
	}
	return db.queryLeads(ctx, q, tail)
}

// LeadsLike returns the agency's leads, merged ones included, that share a
// non-empty e-mail address, phone number or 医籍登録番号 (ignoring leading
// zeros, as placement.Duplicates does) with the values given.
func (db *DB) LeadsLike(ctx context.Context, agencyID int64, email, phone, registration string) ([]placement.Lead, error) {
	var or []string
	var args []any
	if email != "" {
		or, args = append(or, "(l.email <> '' AND l.email = ?)"), append(args, email)
	}
	if phone != "" {
		or, args = append(or, "(l.phone <> '' AND l.phone = ?)"), append(args, phone)
	}
	if reg := strings.TrimLeft(registration, "0"); reg != "" {
		or, args = append(or, "(l.registration_number <> '' AND ltrim(l.registration_number, '0') = ?)"), append(args, reg)
	}
	if len(or) == 0 {
		return nil, nil
	}
	var q query
	q.add("l.agency_id = ?", agencyID)
	q.add("("+strings.Join(or, " OR ")+")", args...)
	return db.queryLeads(ctx, q, " ORDER BY l.id")
}

// LeadsOfUser returns the leads linked to the user, in every agency,
// merged ones left out.
func (db *DB) LeadsOfUser(ctx context.Context, userID int64) ([]placement.Lead, error) {
	var q query
	q.add("l.user_id = ?", userID)
	q.add("l.merged_into IS NULL")
	return db.queryLeads(ctx, q, " ORDER BY l.id")
}

// SetLeadClaim stores the hash of the lead's account-link token and when
// it expires; an empty hash clears it.
func (db *DB) SetLeadClaim(ctx context.Context, leadID int64, tokenHash string, expires time.Time) error {
	var exp any
	if tokenHash != "" {
		exp = utc(expires)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE leads SET claim_token_hash = $1, claim_expires_at = $2 WHERE id = $3`, tokenHash, exp, leadID)
	})
}

// LeadByClaim returns the lead whose unexpired account-link token hashes
// to tokenHash, if the lead is neither merged nor anonymised; otherwise
// ErrNotFound.
func (db *DB) LeadByClaim(ctx context.Context, tokenHash string, now time.Time) (*placement.Lead, error) {
	if tokenHash == "" {
		return nil, ErrNotFound
	}
	return scanLead(db.read.QueryRowContext(ctx, `SELECT `+leadColumns+leadJoins+` WHERE l.claim_token_hash = $1
		AND l.claim_expires_at > $2 AND l.merged_into IS NULL AND l.anonymised_at IS NULL AND l.user_id IS NULL`,
		tokenHash, utc(now)))
}

// ClaimLead links the lead to the user with the consent and spends the
// token, only while the lead holds the token and no account; otherwise
// ErrNotFound.
func (db *DB) ClaimLead(ctx context.Context, leadID int64, tokenHash string, userID int64, c placement.Consent) error {
	if tokenHash == "" {
		return ErrNotFound
	}
	now := utc(db.Now())
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE leads SET user_id = $1, purpose_hash = $2, consented_at = $3, health_consent_at = $4,
			consent_withdrawn_at = NULL, claim_token_hash = '', claim_expires_at = NULL, updated_at = $5, last_activity_at = $5
			WHERE id = $6 AND claim_token_hash = $7 AND user_id IS NULL AND merged_into IS NULL AND anonymised_at IS NULL`,
			userID, c.PurposeHash, timePtr(c.ConsentedAt), timePtr(c.HealthConsentAt), now, leadID, tokenHash)
	})
}

// TouchLead records activity on the lead at at; it never moves the last
// activity back.
func (db *DB) TouchLead(ctx context.Context, id int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE leads SET last_activity_at = CASE WHEN last_activity_at < $1 THEN $1 ELSE last_activity_at END
			WHERE id = $2`, utc(at), id)
	})
}

// MergeLeads folds drop into keep in one transaction: keep's fields are
// written as by UpdateLead; drop's cases, consultations and follow-ups move
// to keep; drop is marked merged into keep and loses its account-link
// token, as keep does when it now has an account; and a copy of ev is appended to each of keep's cases, the moved
// ones included. ErrConflict when either lead is already merged or
// anonymised, or they belong to different agencies.
func (db *DB) MergeLeads(ctx context.Context, keep, drop *placement.Lead, ev placement.Event) error {
	now := utc(db.Now())
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := updateLead(ctx, tx, keep, now, ` AND merged_into IS NULL AND anonymised_at IS NULL`)
		if err == nil && keep.UserID != 0 {
			// A lead that now has an account cannot be claimed again.
			_, err = tx.ExecContext(ctx, `UPDATE leads SET claim_token_hash = '', claim_expires_at = NULL WHERE id = $1`, keep.ID)
		}
		if err == nil {
			err = execOne(ctx, tx, `UPDATE leads SET merged_into = $1, claim_token_hash = '', claim_expires_at = NULL, updated_at = $2
				WHERE id = $3 AND id <> $1 AND agency_id = $4 AND merged_into IS NULL AND anonymised_at IS NULL`,
				keep.ID, now, drop.ID, keep.AgencyID)
		}
		if err == ErrNotFound {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		for _, table := range []string{"cases", "consultations", "follow_ups"} {
			if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET lead_id = $1 WHERE lead_id = $2`, keep.ID, drop.ID); err != nil {
				return err
			}
		}
		ids, err := txIDs(ctx, tx, `SELECT id FROM cases WHERE lead_id = $1 ORDER BY id`, keep.ID)
		if err != nil {
			return err
		}
		events := make([]placement.Event, len(ids))
		for i, id := range ids {
			events[i] = ev
			events[i].CaseID = id
		}
		return db.insertEvents(ctx, tx, events, 0)
	})
	if err != nil {
		return err
	}
	keep.UpdatedAt = now
	drop.MergedInto, drop.UpdatedAt = keep.ID, now
	return nil
}

// txIDs runs a query returning one column of IDs.
func txIDs(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// minRetentionDays is the shortest retention an agency may set (the
// agencies table's CHECK): no lead active since now minus it can expire.
const minRetentionDays = 30

// openStages are the stages in which a case keeps its lead from expiring.
var openStages = append(append([]placement.Stage{}, placement.PipelineStages...), placement.StageOnHold)

// ExpiredLeads returns up to limit leads, neither merged nor anonymised,
// whose last activity is older than their agency's retention period (the
// default when the agency saved no settings) and that have no case in an
// open stage, least recently active first.
func (db *DB) ExpiredLeads(ctx context.Context, now time.Time, limit int) ([]placement.Lead, error) {
	now = utc(now)
	q := query{args: []any{now, placement.DefaultRetentionDays, now.AddDate(0, 0, -minRetentionDays)}}
	retention := `COALESCE((SELECT r.retention_days FROM agencies r WHERE r.org_id = l.agency_id), $2)`
	expired := `julianday(l.last_activity_at) + ` + retention + ` < julianday($1)`
	if db.dialect == Postgres {
		expired = `l.last_activity_at + ` + retention + ` * interval '1 day' < $1`
	}
	q.where = append(q.where, "l.merged_into IS NULL", "l.anonymised_at IS NULL", "l.last_activity_at < $3", expired)
	ph, stages := inList(openStages)
	q.add(`NOT EXISTS (SELECT 1 FROM cases c WHERE c.lead_id = l.id AND c.stage IN (`+ph+`))`, stages...)
	return db.queryLeads(ctx, q, ` ORDER BY l.last_activity_at, l.id LIMIT `+itoa(max(limit, 1)))
}

// AnonymiseLead erases the personal data of the lead, and of the leads
// merged into it, in one transaction, keeping the skeleton that reports
// count (stages, timestamps, consent times): the lead's name, kana,
// contact details, message, source note and account-link token; its
// consultations' sealed notes, place and meeting URL; its cases'
// recommendation, override reason and problems, outcome note, review notes
// and timeline details; its interviews' place, URL and participants; its
// scorecards' comments; what was shared with institutions; and its
// follow-ups' note and context, cancelling those still pending. The cases'
// versions are bumped, so that an edit begun before cannot write the data
// back. ErrNotFound when there is no such lead.
func (db *DB) AnonymiseLead(ctx context.Context, id int64, at time.Time) error {
	at = utc(at)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		ids := []int64{id}
		for i := 0; i < len(ids); i++ {
			merged, err := txIDs(ctx, tx, `SELECT id FROM leads WHERE merged_into = $1`, ids[i])
			if err != nil {
				return err
			}
			ids = append(ids, merged...)
		}
		for i, lead := range ids {
			err := execOne(ctx, tx, `UPDATE leads SET name = '', name_kana = '', email = '', phone = '', registration_number = '',
				message = '', source_note = '', search_text = '', claim_token_hash = '', claim_expires_at = NULL,
				anonymised_at = COALESCE(anonymised_at, $1) WHERE id = $2`, at, lead)
			if err != nil && (i == 0 || err != ErrNotFound) {
				return err
			}
			const ofLead = ` WHERE case_id IN (SELECT id FROM cases WHERE lead_id = $1)`
			for _, stmt := range []string{
				`UPDATE consultations SET sealed_notes = '', place = '', meeting_url = '' WHERE lead_id = $1`,
				`UPDATE case_events SET detail = ''` + ofLead,
				`UPDATE interviews SET place = '', meeting_url = '', participants = '[]'` + ofLead,
				`UPDATE scorecards SET comment = ''` + ofLead,
				`UPDATE shares SET fields = '[]'` + ofLead,
				`UPDATE cases SET recommendation = '', override_reason = '', override_problems = '[]', outcome_note = '',
					doctor_note = '', agent_note = '', version = version + 1 WHERE lead_id = $1`,
				`UPDATE follow_ups SET note = '', context = '',
					status = CASE WHEN status IN ('waiting', 'due') THEN 'cancelled' ELSE status END WHERE lead_id = $1`,
			} {
				if _, err := tx.ExecContext(ctx, stmt, lead); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
