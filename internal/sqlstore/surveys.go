package sqlstore

// Surveys: their items, invitations, responses with answers, and the
// organiser's tags on free-text comments.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/survey"
)

// Compile-time check that DB is a survey store.
var _ survey.Store = (*DB)(nil)

const surveyColumns = `id, org_id, event_id, kind, title, description, status, public_slug, previous_id, closes_at, created_by,
	created_at, updated_at, version FROM surveys`

func scanSurvey(row interface{ Scan(...any) error }) (*survey.Survey, error) {
	var s survey.Survey
	var eventID, previousID sql.NullInt64
	var slug sql.NullString
	var closes sql.NullTime
	if err := row.Scan(&s.ID, &s.OrgID, &eventID, &s.Kind, &s.Title, &s.Description, &s.Status, &slug, &previousID, &closes,
		&s.CreatedBy, &s.CreatedAt, &s.UpdatedAt, &s.Version); err != nil {
		return nil, mapErr(err)
	}
	s.EventID, s.PreviousID, s.PublicSlug, s.ClosesAt = eventID.Int64, previousID.Int64, slug.String, nullTime(closes)
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	return &s, nil
}

// CreateSurvey inserts s with its items and sets the IDs and Version.
// Conflict when the public slug is taken.
func (db *DB) CreateSurvey(ctx context.Context, s *survey.Survey) error {
	s.CreatedAt = db.createdAt(s.CreatedAt)
	s.UpdatedAt, s.Version = s.CreatedAt, 1
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO surveys (org_id, event_id, kind, title, description, status, public_slug,
				previous_id, closes_at, created_by, created_at, updated_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, 1) RETURNING id`,
			s.OrgID, nullID(s.EventID), s.Kind, s.Title, s.Description, s.Status,
			sql.NullString{String: s.PublicSlug, Valid: s.PublicSlug != ""}, nullID(s.PreviousID), timePtr(s.ClosesAt),
			s.CreatedBy, s.CreatedAt).Scan(&s.ID); err != nil {
			return err
		}
		return insertItems(ctx, tx, s.ID, s.Items)
	})
}

func insertItems(ctx context.Context, tx *sql.Tx, surveyID int64, items []survey.Item) error {
	for i := range items {
		it := &items[i]
		if err := tx.QueryRowContext(ctx, `INSERT INTO survey_items (survey_id, position, item_key, kind, label, required, choices)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
			surveyID, i, it.Key, it.Kind, it.Label, it.Required, mustJSON(nonNil(it.Choices))).Scan(&it.ID); err != nil {
			return err
		}
	}
	return nil
}

// UpdateSurvey writes title, description, previous run, closes_at and
// status and — while the stored status is draft — replaces the items, if
// the stored version is s.Version; bumps it. Once the survey has left
// draft the stored items stay and s.Items is set to them. Conflict when
// stale, NotFound when there is no such survey.
func (db *DB) UpdateSurvey(ctx context.Context, s *survey.Survey) error {
	now := utc(db.Now())
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var stored survey.Status
		if err := tx.QueryRowContext(ctx, `SELECT status FROM surveys WHERE id = $1`, s.ID).Scan(&stored); err != nil {
			return err
		}
		// The version guard also covers the status read above: a
		// concurrent change bumped the version.
		if err := conditional(ctx, tx, `SELECT 1 FROM surveys WHERE id = $1`, s.ID, `UPDATE surveys SET title = $1, description = $2,
				previous_id = $3, closes_at = $4, status = $5, updated_at = $6, version = version + 1
			WHERE id = $7 AND version = $8`,
			s.Title, s.Description, nullID(s.PreviousID), timePtr(s.ClosesAt), s.Status, now, s.ID, s.Version); err != nil {
			return err
		}
		items, err := surveyItems(ctx, tx, s.ID)
		if err != nil {
			return err
		}
		// Items keep their IDs unless they changed: opening a draft must
		// not renumber what respondents answer by.
		if stored != survey.StatusDraft || sameItems(items[s.ID], s.Items) {
			s.Items = items[s.ID]
			return nil
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM survey_items WHERE survey_id = $1`, s.ID); err != nil {
			return err
		}
		return insertItems(ctx, tx, s.ID, s.Items)
	})
	if err == nil {
		s.Version++
		s.UpdatedAt = now
	}
	return err
}

// sameItems reports whether two item lists ask the same, in the same
// order (IDs aside).
func sameItems(a, b []survey.Item) bool {
	return slices.EqualFunc(a, b, func(x, y survey.Item) bool {
		return x.Key == y.Key && x.Kind == y.Kind && x.Label == y.Label && x.Required == y.Required && slices.Equal(x.Choices, y.Choices)
	})
}

// surveyItems returns the items of the surveys by survey ID, in order.
func surveyItems(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, ids ...int64) (map[int64][]survey.Item, error) {
	items := map[int64][]survey.Item{}
	if len(ids) == 0 {
		return items, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT survey_id, id, item_key, kind, label, required, choices FROM survey_items
		WHERE survey_id IN (`+placeholders(1, len(ids))+`) ORDER BY survey_id, position`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var surveyID int64
		var it survey.Item
		var choices string
		if err := rows.Scan(&surveyID, &it.ID, &it.Key, &it.Kind, &it.Label, &it.Required, &choices); err != nil {
			return nil, mapErr(err)
		}
		if err := json.Unmarshal([]byte(choices), &it.Choices); err != nil {
			return nil, err
		}
		items[surveyID] = append(items[surveyID], it)
	}
	return items, mapErr(rows.Err())
}

// surveyWithItems scans one survey and loads its items.
func (db *DB) surveyWithItems(ctx context.Context, row *sql.Row) (*survey.Survey, error) {
	s, err := scanSurvey(row)
	if err != nil {
		return nil, err
	}
	items, err := surveyItems(ctx, db.read, s.ID)
	if err != nil {
		return nil, err
	}
	s.Items = items[s.ID]
	return s, nil
}

// Survey returns one survey with its items. NotFound.
func (db *DB) Survey(ctx context.Context, id int64) (*survey.Survey, error) {
	return db.surveyWithItems(ctx, db.read.QueryRowContext(ctx, `SELECT `+surveyColumns+` WHERE id = $1`, id))
}

// SurveyBySlug returns the survey of a public slug with its items.
// NotFound.
func (db *DB) SurveyBySlug(ctx context.Context, slug string) (*survey.Survey, error) {
	return db.surveyWithItems(ctx, db.read.QueryRowContext(ctx, `SELECT `+surveyColumns+` WHERE public_slug = $1`, slug))
}

// Surveys returns an organisation's surveys (eventID 0: all) with their
// items, the latest first.
func (db *DB) Surveys(ctx context.Context, orgID, eventID int64) ([]survey.Survey, error) {
	query, args := `SELECT `+surveyColumns+` WHERE org_id = $1`, []any{orgID}
	if eventID != 0 {
		query, args = query+` AND event_id = $2`, append(args, eventID)
	}
	rows, err := db.read.QueryContext(ctx, query+` ORDER BY created_at DESC, id DESC`, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []survey.Survey
	var ids []int64
	for rows.Next() {
		s, err := scanSurvey(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *s)
		ids = append(ids, s.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	rows.Close()
	items, err := surveyItems(ctx, db.read, ids...)
	if err != nil {
		return nil, err
	}
	for i := range list {
		list[i].Items = items[list[i].ID]
	}
	return list, nil
}

// CreateSurveyInvitations inserts one invitation per registration not
// yet invited, with the token hashes given by registration ID, and
// returns those created.
func (db *DB) CreateSurveyInvitations(ctx context.Context, surveyID int64, invites []survey.Invitation, tokenHashes map[int64]string) ([]survey.Invitation, error) {
	var created []survey.Invitation
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		for _, inv := range invites {
			hash, ok := tokenHashes[inv.RegistrationID]
			if !ok {
				return fmt.Errorf("sqlstore: no token hash for registration %d", inv.RegistrationID)
			}
			inv.SurveyID, inv.CreatedAt, inv.Responded = surveyID, db.createdAt(inv.CreatedAt), false
			err := tx.QueryRowContext(ctx, `INSERT INTO survey_invitations (survey_id, registration_id, email, token_hash, created_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT (survey_id, registration_id) DO NOTHING RETURNING id`,
				surveyID, nullID(inv.RegistrationID), inv.Email, hash, inv.CreatedAt).Scan(&inv.ID)
			if err == sql.ErrNoRows {
				continue // invited before
			}
			if err != nil {
				return err
			}
			created = append(created, inv)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return created, nil
}

const surveyInvitationColumns = `i.id, i.survey_id, i.registration_id, i.email, i.created_at,
	EXISTS (SELECT 1 FROM survey_responses sr WHERE sr.invitation_id = i.id)
	FROM survey_invitations i`

func scanSurveyInvitation(row interface{ Scan(...any) error }) (*survey.Invitation, error) {
	var inv survey.Invitation
	var regID sql.NullInt64
	if err := row.Scan(&inv.ID, &inv.SurveyID, &regID, &inv.Email, &inv.CreatedAt, &inv.Responded); err != nil {
		return nil, mapErr(err)
	}
	inv.RegistrationID, inv.CreatedAt = regID.Int64, inv.CreatedAt.UTC()
	return &inv, nil
}

// SurveyInvitationByToken returns an invitation by its token's hash.
// NotFound.
func (db *DB) SurveyInvitationByToken(ctx context.Context, tokenHash string) (*survey.Invitation, error) {
	return scanSurveyInvitation(db.read.QueryRowContext(ctx, `SELECT `+surveyInvitationColumns+` WHERE i.token_hash = $1`, tokenHash))
}

// SurveyInvitations returns a survey's invitations with Responded, in
// the order sent.
func (db *DB) SurveyInvitations(ctx context.Context, surveyID int64) ([]survey.Invitation, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+surveyInvitationColumns+` WHERE i.survey_id = $1 ORDER BY i.id`, surveyID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []survey.Invitation
	for rows.Next() {
		inv, err := scanSurveyInvitation(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *inv)
	}
	return list, mapErr(rows.Err())
}

// ReplaceSurveyInvitationTokens replaces the token hashes of the
// survey's invitations given by invitation ID, in one transaction, except
// those answered (or of another survey), whose links stay. It returns the
// IDs replaced, in ascending order.
func (db *DB) ReplaceSurveyInvitationTokens(ctx context.Context, surveyID int64, tokenHashes map[int64]string) ([]int64, error) {
	ids := make([]int64, 0, len(tokenHashes))
	for id := range tokenHashes {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var replaced []int64
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		replaced = replaced[:0]
		for _, id := range ids {
			res, err := tx.ExecContext(ctx, `UPDATE survey_invitations SET token_hash = $1
				WHERE id = $2 AND survey_id = $3
				AND NOT EXISTS (SELECT 1 FROM survey_responses sr WHERE sr.invitation_id = survey_invitations.id)`,
				tokenHashes[id], id, surveyID)
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil {
				return err
			} else if n == 1 {
				replaced = append(replaced, id)
			}
		}
		return nil
	})
	if err != nil {
		return nil, mapErr(err)
	}
	return replaced, nil
}

// SaveResponse inserts r (ID 0, with the edit token's hash; for an
// invitation: Conflict when it has a response) or replaces the answers
// of r.ID (its tags stay), in one transaction; sets r.ID. An answer to
// an item of another survey is Invalid.
func (db *DB) SaveResponse(ctx context.Context, r *survey.Response, editTokenHash string) error {
	now := utc(db.Now())
	if !r.UpdatedAt.IsZero() {
		now = utc(r.UpdatedAt)
	}
	var id int64
	created := r.CreatedAt
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if r.ID == 0 {
			created = now
			if !r.CreatedAt.IsZero() {
				created = utc(r.CreatedAt)
			}
			if err := tx.QueryRowContext(ctx, `INSERT INTO survey_responses (survey_id, invitation_id, edit_token_hash, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $5) RETURNING id`, r.SurveyID, nullID(r.InvitationID), editTokenHash, created, now).Scan(&id); err != nil {
				return err
			}
		} else {
			id = r.ID
			var surveyID int64
			if err := tx.QueryRowContext(ctx, `UPDATE survey_responses SET updated_at = $1 WHERE id = $2 RETURNING survey_id, created_at`,
				now, id).Scan(&surveyID, &created); err != nil {
				return err
			}
			if r.SurveyID != 0 && r.SurveyID != surveyID {
				return ErrNotFound
			}
			r.SurveyID = surveyID
			if _, err := tx.ExecContext(ctx, `DELETE FROM survey_answers WHERE response_id = $1`, id); err != nil {
				return err
			}
		}
		items, err := surveyItems(ctx, tx, r.SurveyID)
		if err != nil {
			return err
		}
		kinds := map[int64]survey.ItemKind{}
		for _, it := range items[r.SurveyID] {
			kinds[it.ID] = it.Kind
		}
		itemIDs := make([]int64, 0, len(r.Answers))
		for itemID := range r.Answers {
			itemIDs = append(itemIDs, itemID)
		}
		slices.Sort(itemIDs)
		for _, itemID := range itemIDs {
			a := r.Answers[itemID]
			kind, ok := kinds[itemID]
			if !ok {
				return apperr.E(apperr.Invalid, "この質問はアンケートにありません。")
			}
			value := sql.NullInt64{Int64: int64(a.Value), Valid: kind == survey.Likert || kind == survey.Single}
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_answers (response_id, item_id, value, choices, text)
				VALUES ($1, $2, $3, $4, $5)`, id, itemID, value, mustJSON(nonNil(a.Choices)), a.Text); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.ID, r.CreatedAt, r.UpdatedAt = id, created.UTC(), now
	return nil
}

const responseColumns = `id, survey_id, invitation_id, created_at, updated_at FROM survey_responses`

// responses runs a query selecting responseColumns and loads the
// answers and tags of what it found with one query each (where, with
// its argument, selects survey_responses for them).
func (db *DB) responses(ctx context.Context, where string, arg any) ([]survey.Response, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+responseColumns+` WHERE `+where+` ORDER BY created_at, id`, arg)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []survey.Response
	index := map[int64]int{}
	for rows.Next() {
		var r survey.Response
		var invitationID sql.NullInt64
		if err := rows.Scan(&r.ID, &r.SurveyID, &invitationID, &r.CreatedAt, &r.UpdatedAt); err != nil {
			return nil, mapErr(err)
		}
		r.InvitationID, r.CreatedAt, r.UpdatedAt = invitationID.Int64, r.CreatedAt.UTC(), r.UpdatedAt.UTC()
		r.Answers, r.Tags = map[int64]survey.Answer{}, map[int64][]string{}
		index[r.ID] = len(list)
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	rows.Close()
	if len(list) == 0 {
		return nil, nil
	}

	sub := `SELECT id FROM survey_responses WHERE ` + where
	rows, err = db.read.QueryContext(ctx, `SELECT response_id, item_id, value, choices, text FROM survey_answers
		WHERE response_id IN (`+sub+`)`, arg)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var responseID, itemID int64
		var value sql.NullInt64
		var choices string
		var a survey.Answer
		if err := rows.Scan(&responseID, &itemID, &value, &choices, &a.Text); err != nil {
			return nil, mapErr(err)
		}
		if err := json.Unmarshal([]byte(choices), &a.Choices); err != nil {
			return nil, err
		}
		if len(a.Choices) == 0 {
			a.Choices = nil
		}
		a.Value = int(value.Int64)
		if i, ok := index[responseID]; ok {
			list[i].Answers[itemID] = a
		}
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	rows.Close()

	rows, err = db.read.QueryContext(ctx, `SELECT response_id, item_id, tag FROM survey_comment_tags
		WHERE response_id IN (`+sub+`) ORDER BY response_id, item_id, tag`, arg)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var responseID, itemID int64
		var tag string
		if err := rows.Scan(&responseID, &itemID, &tag); err != nil {
			return nil, mapErr(err)
		}
		if i, ok := index[responseID]; ok {
			list[i].Tags[itemID] = append(list[i].Tags[itemID], tag)
		}
	}
	return list, mapErr(rows.Err())
}

// oneResponse returns the single response where selects, or NotFound.
func (db *DB) oneResponse(ctx context.Context, where string, arg any) (*survey.Response, error) {
	list, err := db.responses(ctx, where, arg)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// ResponseByEditToken returns a response by its edit token's hash.
// NotFound.
func (db *DB) ResponseByEditToken(ctx context.Context, tokenHash string) (*survey.Response, error) {
	return db.oneResponse(ctx, `edit_token_hash = $1`, tokenHash)
}

// ResponseOfInvitation returns the invitation's response. NotFound.
func (db *DB) ResponseOfInvitation(ctx context.Context, invitationID int64) (*survey.Response, error) {
	return db.oneResponse(ctx, `invitation_id = $1`, invitationID)
}

// Responses returns a survey's responses with answers and tags, in the
// order received, with three queries.
func (db *DB) Responses(ctx context.Context, surveyID int64) ([]survey.Response, error) {
	return db.responses(ctx, `survey_id = $1`, surveyID)
}

// SetCommentTags replaces the tags of one free-text answer (duplicates
// dropped). NotFound when there is no such answer.
func (db *DB) SetCommentTags(ctx context.Context, responseID, itemID int64, tags []string) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM survey_answers WHERE response_id = $1 AND item_id = $2`,
			responseID, itemID).Scan(&one); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM survey_comment_tags WHERE response_id = $1 AND item_id = $2`,
			responseID, itemID); err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, tag := range tags {
			if seen[tag] {
				continue
			}
			seen[tag] = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO survey_comment_tags (response_id, item_id, tag) VALUES ($1, $2, $3)`,
				responseID, itemID, tag); err != nil {
				return err
			}
		}
		return nil
	})
}
