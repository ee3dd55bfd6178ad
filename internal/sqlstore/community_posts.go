package sqlstore

// The community board's posts: questions, answers and comments, their
// revisions, votes, counters and search.

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/jatext"
)

const postColumns = `p.id, p.kind, p.question_id, p.parent_id, p.author_id, p.anonymous, p.title, p.body, p.status, p.status_reason,
	p.accepted_answer_id, p.accepted_at, p.score, p.answer_count, p.first_answer_at, p.created_at, p.edited_at, p.activity_at, p.version
	FROM community_posts p`

func scanPost(row interface{ Scan(...any) error }) (*community.Post, error) {
	var p community.Post
	var questionID, parentID, accepted sql.NullInt64
	var acceptedAt, firstAnswer, edited sql.NullTime
	if err := row.Scan(&p.ID, &p.Kind, &questionID, &parentID, &p.AuthorID, &p.Anonymous, &p.Title, &p.Body, &p.Status, &p.StatusReason,
		&accepted, &acceptedAt, &p.Score, &p.AnswerCount, &firstAnswer, &p.CreatedAt, &edited, &p.ActivityAt, &p.Version); err != nil {
		return nil, mapErr(err)
	}
	p.QuestionID, p.ParentID, p.AcceptedAnswerID = questionID.Int64, parentID.Int64, accepted.Int64
	p.AcceptedAt, p.FirstAnswerAt, p.EditedAt = nullTime(acceptedAt), nullTime(firstAnswer), nullTime(edited)
	p.CreatedAt, p.ActivityAt = p.CreatedAt.UTC(), p.ActivityAt.UTC()
	return &p, nil
}

// findPosts returns the posts of a query on postColumns, with their tags.
func (db *DB) findPosts(ctx context.Context, tail string, args ...any) ([]community.Post, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+postColumns+tail, args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []community.Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, *p)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	rows.Close()
	return list, db.loadPostTags(ctx, list)
}

// indexPost keeps the free-text index of a post in step with its row:
// visible questions and answers are found, hidden and held posts and
// comments are not.
func (db *DB) indexPost(ctx context.Context, tx *sql.Tx, id int64, kind community.PostKind, status community.PostStatus, title, body string) error {
	found := status == community.PostVisible && kind != community.KindComment
	if db.dialect == Postgres {
		if !found {
			_, err := tx.ExecContext(ctx, `UPDATE community_posts SET search_vector = ''::tsvector WHERE id = $1`, id)
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE community_posts SET search_vector = to_tsvector('simple', $1) WHERE id = $2`,
			jatext.IndexText(title, body), id)
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM community_posts_fts WHERE rowid = $1`, id); err != nil {
		return err
	}
	match := ""
	if found {
		match = jatext.MatchText(title, body)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE community_posts SET match_text = $1 WHERE id = $2`, match, id); err != nil {
		return err
	}
	if !found {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO community_posts_fts (rowid, terms) VALUES ($1, $2)`, id, jatext.IndexText(title, body))
	return err
}

// postTextCondition restricts questions (alias p) to those whose own
// text or one of whose visible answers' text contains every term. Only
// visible questions and answers are indexed, so hidden and held ones are
// never found. On SQLite a common text is checked on each row's
// MatchText instead, as textCondition does for openings.
func (db *DB) postTextCondition(ctx context.Context, q *query, text jatext.Query) error {
	if db.dialect == Postgres {
		q.add(`p.id IN (SELECT coalesce(s.question_id, s.id) FROM community_posts s WHERE s.search_vector @@ to_tsquery('simple', ?))`,
			text.TSQuery())
		return nil
	}
	match := text.FTS5()
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM community_posts_fts WHERE community_posts_fts MATCH $1 LIMIT $2)`,
		match, probeAbove).Scan(&n); err != nil {
		return mapErr(err)
	}
	if n < probeAbove {
		q.add(`p.id IN (SELECT coalesce(s.question_id, s.id) FROM community_posts s
			WHERE s.id IN (SELECT rowid FROM community_posts_fts WHERE community_posts_fts MATCH ?))`, match)
		return nil
	}
	// match_text is empty unless the post is a visible question or answer.
	var own, answer []string
	var ownArgs, answerArgs []any
	for _, t := range text.Terms {
		own = append(own, "instr(p.match_text, ?) > 0")
		answer = append(answer, "instr(a.match_text, ?) > 0")
		ownArgs = append(ownArgs, t.Needle())
		answerArgs = append(answerArgs, t.Needle())
	}
	q.add(`((`+strings.Join(own, " AND ")+`) OR EXISTS (SELECT 1 FROM community_posts a
		WHERE a.question_id = p.id AND a.kind = 'answer' AND a.status = 'visible' AND `+strings.Join(answer, " AND ")+`))`,
		append(ownArgs, answerArgs...)...)
	return nil
}

// refreshQuestion recomputes a question's counters from its thread:
// visible answers, the first one's time, and the latest activity (the
// question, its edit, or a visible answer or comment or its edit).
func refreshQuestion(ctx context.Context, tx *sql.Tx, questionID int64) error {
	var activity time.Time
	var edited sql.NullTime
	if err := tx.QueryRowContext(ctx, `SELECT created_at, edited_at FROM community_posts WHERE id = $1 AND kind = 'question'`, questionID).
		Scan(&activity, &edited); err != nil {
		return err
	}
	later := func(t time.Time) {
		if t.After(activity) {
			activity = t
		}
	}
	if edited.Valid {
		later(edited.Time)
	}
	rows, err := tx.QueryContext(ctx, `SELECT kind, created_at, edited_at FROM community_posts WHERE question_id = $1 AND status = 'visible'`,
		questionID)
	if err != nil {
		return err
	}
	defer rows.Close()
	answers := 0
	var first *time.Time
	for rows.Next() {
		var kind community.PostKind
		var created time.Time
		var edited sql.NullTime
		if err := rows.Scan(&kind, &created, &edited); err != nil {
			return err
		}
		later(created)
		if edited.Valid {
			later(edited.Time)
		}
		if kind == community.KindAnswer {
			answers++
			if first == nil || created.Before(*first) {
				c := created
				first = &c
			}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	_, err = tx.ExecContext(ctx, `UPDATE community_posts SET answer_count = $1, first_answer_at = $2, activity_at = $3 WHERE id = $4`,
		answers, timePtr(first), utc(activity), questionID)
	return err
}

// insertRevision adds a version of a post and sets rev.ID.
func insertRevision(ctx context.Context, tx *sql.Tx, rev *community.Revision) error {
	return tx.QueryRowContext(ctx, `INSERT INTO community_post_revisions (post_id, editor_id, by_moderator, title, body, tags, reason, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
		rev.PostID, rev.EditorID, rev.ByModerator, rev.Title, rev.Body, joinTags(rev.Tags), rev.Reason, utc(rev.CreatedAt)).Scan(&rev.ID)
}

// CreateCommunityPost inserts p (its Tags canonical tag names: apperr
// Invalid for an unknown one) with its first revision and index entry,
// and when p is visible counts it for its author and its question, all in
// one transaction. Sets p.ID, p.Version, rev.ID and rev.PostID.
func (db *DB) CreateCommunityPost(ctx context.Context, p *community.Post, rev *community.Revision) error {
	p.CreatedAt = db.createdAt(p.CreatedAt)
	if p.ActivityAt.IsZero() || p.ActivityAt.Before(p.CreatedAt) {
		p.ActivityAt = p.CreatedAt
	}
	p.ActivityAt = utc(p.ActivityAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO community_posts (kind, question_id, parent_id, author_id, anonymous, title, body, status,
				status_reason, created_at, activity_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1) RETURNING id`,
			string(p.Kind), nullID(p.QuestionID), nullID(p.ParentID), p.AuthorID, p.Anonymous, p.Title, p.Body, string(p.Status),
			p.StatusReason, p.CreatedAt, p.ActivityAt).Scan(&p.ID); err != nil {
			return err
		}
		p.Version = 1
		tags, err := setPostTags(ctx, tx, p.ID, p.Tags, false)
		if err != nil {
			return err
		}
		p.Tags = tags
		if rev != nil {
			rev.PostID = p.ID
			if rev.CreatedAt.IsZero() {
				rev.CreatedAt = p.CreatedAt
			}
			if err := insertRevision(ctx, tx, rev); err != nil {
				return err
			}
		}
		if err := db.indexPost(ctx, tx, p.ID, p.Kind, p.Status, p.Title, p.Body); err != nil {
			return err
		}
		if p.Status != community.PostVisible {
			return nil
		}
		if _, err := tx.ExecContext(ctx, `UPDATE community_members SET approved_posts = approved_posts + 1 WHERE user_id = $1`,
			p.AuthorID); err != nil {
			return err
		}
		if p.Kind != community.KindQuestion {
			return refreshQuestion(ctx, tx, p.QuestionID)
		}
		return nil
	})
}

// CommunityPost returns one post with its tags, or ErrNotFound.
func (db *DB) CommunityPost(ctx context.Context, id int64) (*community.Post, error) {
	list, err := db.findPosts(ctx, ` WHERE p.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// CommunityThread returns a question, its answers and every comment,
// whatever their status, in the order written: ErrNotFound when the id is
// not a question's.
func (db *DB) CommunityThread(ctx context.Context, questionID int64) ([]community.Post, error) {
	list, err := db.findPosts(ctx, ` WHERE p.id = $1 OR p.question_id = $1 ORDER BY p.created_at, p.id`, questionID)
	if err != nil {
		return nil, err
	}
	for _, p := range list {
		if p.ID == questionID && p.Kind == community.KindQuestion {
			return list, nil
		}
	}
	return nil, ErrNotFound
}

// UpdateCommunityPost writes p's title, body, tags and edited time if the
// stored version is p.Version, bumps it, adds rev and reindexes:
// ErrConflict when stale, ErrNotFound when there is no such post.
func (db *DB) UpdateCommunityPost(ctx context.Context, p *community.Post, rev *community.Revision) error {
	edited := utc(db.Now())
	if p.EditedAt != nil {
		edited = utc(*p.EditedAt)
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		if err := conditional(ctx, tx, `SELECT 1 FROM community_posts WHERE id = $1`, p.ID, `UPDATE community_posts
			SET title = $1, body = $2, edited_at = $3, version = version + 1 WHERE id = $4 AND version = $5`,
			p.Title, p.Body, edited, p.ID, p.Version); err != nil {
			return err
		}
		var kind community.PostKind
		var status community.PostStatus
		var questionID sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT kind, status, question_id FROM community_posts WHERE id = $1`, p.ID).
			Scan(&kind, &status, &questionID); err != nil {
			return err
		}
		if kind == community.KindQuestion {
			tags, err := setPostTags(ctx, tx, p.ID, p.Tags, true)
			if err != nil {
				return err
			}
			p.Tags = tags
		}
		if rev != nil {
			rev.PostID = p.ID
			if rev.CreatedAt.IsZero() {
				rev.CreatedAt = edited
			}
			if err := insertRevision(ctx, tx, rev); err != nil {
				return err
			}
		}
		if err := db.indexPost(ctx, tx, p.ID, kind, status, p.Title, p.Body); err != nil {
			return err
		}
		thread := p.ID
		if kind != community.KindQuestion {
			thread = questionID.Int64
		}
		return refreshQuestion(ctx, tx, thread)
	})
	if err == nil {
		p.Version++
		p.EditedAt = &edited
	}
	return err
}

// SetCommunityPostStatus moves a post to the status with the reason and
// bumps its version, keeping its question's counters, its author's
// approved posts (held → visible) and the index true: ErrNotFound when
// there is no such post.
func (db *DB) SetCommunityPostStatus(ctx context.Context, id int64, status community.PostStatus, reason string, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var kind community.PostKind
		var old community.PostStatus
		var questionID sql.NullInt64
		var author int64
		var title, body string
		if err := tx.QueryRowContext(ctx, `SELECT kind, status, question_id, author_id, title, body FROM community_posts WHERE id = $1`, id).
			Scan(&kind, &old, &questionID, &author, &title, &body); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE community_posts SET status = $1, status_reason = $2, version = version + 1 WHERE id = $3`,
			string(status), reason, id); err != nil {
			return err
		}
		if old == community.PostHeld && status == community.PostVisible {
			if _, err := tx.ExecContext(ctx, `UPDATE community_members SET approved_posts = approved_posts + 1 WHERE user_id = $1`,
				author); err != nil {
				return err
			}
		}
		if err := db.indexPost(ctx, tx, id, kind, status, title, body); err != nil {
			return err
		}
		if kind != community.KindQuestion {
			return refreshQuestion(ctx, tx, questionID.Int64)
		}
		return nil
	})
}

// AcceptCommunityAnswer sets (answerID 0 clears) the question's accepted
// answer if its version is still version, and bumps it: ErrConflict when
// stale, ErrNotFound when the question or the answer in its thread is
// missing.
func (db *DB) AcceptCommunityAnswer(ctx context.Context, questionID, answerID int64, version int, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		var acceptedAt any
		if answerID != 0 {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM community_posts WHERE id = $1 AND kind = 'answer' AND question_id = $2`,
				answerID, questionID).Scan(&one); err != nil {
				return err
			}
			acceptedAt = utc(at)
		}
		return conditional(ctx, tx, `SELECT 1 FROM community_posts WHERE id = $1 AND kind = 'question'`, questionID,
			`UPDATE community_posts SET accepted_answer_id = $1, accepted_at = $2, version = version + 1
			WHERE id = $3 AND kind = 'question' AND version = $4`, nullID(answerID), acceptedAt, questionID, version)
	})
}

// CommunityPostRevisions returns a post's versions, the first first.
func (db *DB) CommunityPostRevisions(ctx context.Context, postID int64) ([]community.Revision, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, post_id, editor_id, by_moderator, title, body, tags, reason, created_at
		FROM community_post_revisions WHERE post_id = $1 ORDER BY id`, postID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []community.Revision
	for rows.Next() {
		var r community.Revision
		var tags string
		if err := rows.Scan(&r.ID, &r.PostID, &r.EditorID, &r.ByModerator, &r.Title, &r.Body, &tags, &r.Reason, &r.CreatedAt); err != nil {
			return nil, mapErr(err)
		}
		r.Tags, r.CreatedAt = splitTags(tags), r.CreatedAt.UTC()
		list = append(list, r)
	}
	return list, mapErr(rows.Err())
}

// VoteCommunityPost adds (up) or removes the user's upvote and keeps the
// post's score; it reports whether anything changed. ErrNotFound when
// there is no such post.
func (db *DB) VoteCommunityPost(ctx context.Context, postID, userID int64, up bool, at time.Time) (bool, error) {
	var changed bool
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM community_posts WHERE id = $1`, postID).Scan(&one); err != nil {
			return err
		}
		var res sql.Result
		var err error
		delta := 1
		if up {
			res, err = tx.ExecContext(ctx, `INSERT INTO community_votes (post_id, user_id, created_at) VALUES ($1, $2, $3)
				ON CONFLICT (post_id, user_id) DO NOTHING`, postID, userID, utc(at))
		} else {
			delta = -1
			res, err = tx.ExecContext(ctx, `DELETE FROM community_votes WHERE post_id = $1 AND user_id = $2`, postID, userID)
		}
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 0 {
			return err
		}
		changed = true
		_, err = tx.ExecContext(ctx, `UPDATE community_posts SET score = score + $1 WHERE id = $2`, delta, postID)
		return err
	})
	return changed, err
}

// CommunityVotes returns which of the posts the user upvoted.
func (db *DB) CommunityVotes(ctx context.Context, userID int64, postIDs []int64) (map[int64]bool, error) {
	voted := map[int64]bool{}
	if len(postIDs) == 0 {
		return voted, nil
	}
	var q query
	q.add("user_id = ?", userID)
	in, args := inList(postIDs)
	q.add("post_id IN ("+in+")", args...)
	rows, err := db.read.QueryContext(ctx, `SELECT post_id FROM community_votes`+q.sql(), q.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, mapErr(err)
		}
		voted[id] = true
	}
	return voted, mapErr(rows.Err())
}

// errBadQuestionCursor is returned for a cursor this query did not make.
var errBadQuestionCursor = apperr.E(apperr.Invalid, "ページの指定が正しくありません。最初のページからやり直してください。")

// CommunityQuestions returns the visible questions q selects, a page at a
// time by keyset, and the cursor of the next page ("" at the end). The
// cursor names its sort, so one made for another order is refused.
func (db *DB) CommunityQuestions(ctx context.Context, qq community.QuestionQuery) ([]community.Post, string, error) {
	var q query
	q.add("p.kind = 'question' AND p.status = 'visible'")
	if qq.TagID != 0 {
		q.add("p.id IN (SELECT post_id FROM community_post_tags WHERE tag_id = ?)", qq.TagID)
	}
	switch qq.State {
	case community.StateSolved:
		q.add("p.accepted_answer_id IS NOT NULL")
	case community.StateUnsolved:
		q.add("p.accepted_answer_id IS NULL")
	case community.StateUnanswered:
		q.add("p.answer_count = 0")
	}
	if qq.AuthorID != 0 {
		q.add("p.author_id = ?", qq.AuthorID)
		if !qq.IncludeAnonymous {
			q.add("p.anonymous = false")
		}
	}
	if !qq.Text.Empty() {
		if err := db.postTextCondition(ctx, &q, qq.Text); err != nil {
			return nil, "", err
		}
	}
	// Each order: its column, direction, and the cursor's prefix.
	column, desc, prefix := "p.activity_at", true, "a"
	switch qq.Sort {
	case community.SortNewest:
		column, prefix = "p.created_at", "n"
	case community.SortVotes:
		column, prefix = "p.score", "v"
	case community.SortOldest:
		column, desc, prefix = "p.created_at", false, "o"
	}
	if qq.Cursor != "" {
		rest, ok := strings.CutPrefix(qq.Cursor, prefix+".")
		v, id, ok2 := parseCursor2(rest)
		if !ok || !ok2 {
			return nil, "", errBadQuestionCursor
		}
		var key any = v
		if column != "p.score" {
			key = utc(time.UnixMicro(v))
		}
		cmp := "<"
		if !desc {
			cmp = ">"
		}
		q.add("("+column+" "+cmp+" ? OR ("+column+" = ? AND p.id "+cmp+" ?))", key, key, id)
	}
	dir := " DESC"
	if !desc {
		dir = ""
	}
	limit := qq.Limit
	if limit <= 0 {
		limit = 30
	}
	limit = min(limit, 100)
	q.args = append(q.args, limit+1)
	list, err := db.findPosts(ctx, q.sql()+` ORDER BY `+column+dir+`, p.id`+dir+` LIMIT $`+strconv.Itoa(len(q.args)), q.args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		last := list[len(list)-1]
		var v int64
		switch column {
		case "p.score":
			v = int64(last.Score)
		case "p.created_at":
			v = last.CreatedAt.UnixMicro()
		default:
			v = last.ActivityAt.UnixMicro()
		}
		next = fmt.Sprintf("%s.%d.%d", prefix, v, last.ID)
	}
	return list, next, nil
}

// CommunityPostsBy returns a user's posts of every kind and status, the
// latest first; anonymous ones only when includeAnonymous.
func (db *DB) CommunityPostsBy(ctx context.Context, authorID int64, includeAnonymous bool, limit int) ([]community.Post, error) {
	cond := ""
	if !includeAnonymous {
		cond = " AND p.anonymous = false"
	}
	return db.findPosts(ctx, ` WHERE p.author_id = $1`+cond+` ORDER BY p.created_at DESC, p.id DESC LIMIT $2`,
		authorID, limitOr(limit, 100, 1000))
}

// CommunityHeldPosts returns the held posts, the oldest first.
func (db *DB) CommunityHeldPosts(ctx context.Context, limit int) ([]community.Post, error) {
	return db.findPosts(ctx, ` WHERE p.status = 'held' ORDER BY p.created_at, p.id LIMIT $1`, limitOr(limit, 100, 1000))
}

// CommunityCounts returns the numbers of visible questions, of those with
// a visible answer, of solved ones, and of visible answers.
func (db *DB) CommunityCounts(ctx context.Context) (community.PostCounts, error) {
	var c community.PostCounts
	err := db.read.QueryRowContext(ctx, `SELECT count(*),
			coalesce(sum(CASE WHEN answer_count > 0 THEN 1 ELSE 0 END), 0),
			coalesce(sum(CASE WHEN accepted_answer_id IS NOT NULL THEN 1 ELSE 0 END), 0),
			(SELECT count(*) FROM community_posts WHERE kind = 'answer' AND status = 'visible')
		FROM community_posts WHERE kind = 'question' AND status = 'visible'`).Scan(&c.Questions, &c.Answered, &c.Solved, &c.Answers)
	return c, mapErr(err)
}

// CommunityQuestionTimes returns when each visible question asked since
// the time was asked and first answered.
func (db *DB) CommunityQuestionTimes(ctx context.Context, since time.Time) ([]community.QuestionTime, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT created_at, first_answer_at FROM community_posts
		WHERE kind = 'question' AND status = 'visible' AND created_at >= $1 ORDER BY created_at, id`, utc(since))
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []community.QuestionTime
	for rows.Next() {
		var qt community.QuestionTime
		var first sql.NullTime
		if err := rows.Scan(&qt.CreatedAt, &first); err != nil {
			return nil, mapErr(err)
		}
		qt.CreatedAt, qt.FirstAnswerAt = qt.CreatedAt.UTC(), nullTime(first)
		list = append(list, qt)
	}
	return list, mapErr(rows.Err())
}
