package sqlstore

// The community board's tags and their synonyms.

import (
	"context"
	"database/sql"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// tagKey is the folded key every name of a tag is stored under.
func tagKey(name string) string { return jatext.Fold(jatext.NormalizeLine(name)) }

const tagColumns = `t.id, t.name, t.category, t.description, t.created_at, t.updated_at,
	(SELECT count(*) FROM community_post_tags pt JOIN community_posts p ON p.id = pt.post_id
		WHERE pt.tag_id = t.id AND p.kind = 'question' AND p.status = 'visible')
	FROM community_tags t`

// findTags returns the tags the condition selects, with their synonyms,
// by category and name.
func (db *DB) findTags(ctx context.Context, q query) ([]community.Tag, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+tagColumns+q.sql()+` ORDER BY t.category, t.name`, q.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []community.Tag
	index := map[int64]int{}
	for rows.Next() {
		var t community.Tag
		if err := rows.Scan(&t.ID, &t.Name, &t.Category, &t.Description, &t.CreatedAt, &t.UpdatedAt, &t.Questions); err != nil {
			return nil, mapErr(err)
		}
		t.CreatedAt, t.UpdatedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC()
		index[t.ID] = len(list)
		list = append(list, t)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	if len(list) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(list))
	for i, t := range list {
		ids[i] = t.ID
	}
	var sq query
	in, args := inList(ids)
	sq.add(`tag_id IN (`+in+`) AND synonym <> ''`, args...)
	srows, err := db.read.QueryContext(ctx, `SELECT tag_id, synonym FROM community_tag_names`+sq.sql()+` ORDER BY synonym`, sq.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer srows.Close()
	for srows.Next() {
		var id int64
		var syn string
		if err := srows.Scan(&id, &syn); err != nil {
			return nil, mapErr(err)
		}
		list[index[id]].Synonyms = append(list[index[id]].Synonyms, syn)
	}
	return list, mapErr(srows.Err())
}

// CommunityTags returns every tag with its synonyms and number of visible
// questions, by category and name.
func (db *DB) CommunityTags(ctx context.Context) ([]community.Tag, error) {
	return db.findTags(ctx, query{})
}

// CommunityTag returns one tag or ErrNotFound.
func (db *DB) CommunityTag(ctx context.Context, id int64) (*community.Tag, error) {
	var q query
	q.add("t.id = ?", id)
	list, err := db.findTags(ctx, q)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// ResolveCommunityTags maps each name, in any form, to its tag through the
// folded keys of tag names and synonyms; unknown names are left out.
func (db *DB) ResolveCommunityTags(ctx context.Context, names []string) (map[string]community.Tag, error) {
	out := map[string]community.Tag{}
	keys := map[string][]string{} // key → the names given
	var distinct []string
	for _, n := range names {
		k := tagKey(n)
		if k == "" {
			continue
		}
		if _, ok := keys[k]; !ok {
			distinct = append(distinct, k)
		}
		keys[k] = append(keys[k], n)
	}
	if len(distinct) == 0 {
		return out, nil
	}
	var kq query
	in, args := inList(distinct)
	kq.add(`name_key IN (`+in+`)`, args...)
	rows, err := db.read.QueryContext(ctx, `SELECT name_key, tag_id FROM community_tag_names`+kq.sql(), kq.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	tagOf := map[string]int64{}
	var ids []int64
	for rows.Next() {
		var k string
		var id int64
		if err := rows.Scan(&k, &id); err != nil {
			return nil, mapErr(err)
		}
		tagOf[k] = id
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	if len(ids) == 0 {
		return out, nil
	}
	var tq query
	in, args = inList(ids)
	tq.add(`t.id IN (`+in+`)`, args...)
	tags, err := db.findTags(ctx, tq)
	if err != nil {
		return nil, err
	}
	byID := map[int64]community.Tag{}
	for _, t := range tags {
		byID[t.ID] = t
	}
	for k, id := range tagOf {
		for _, n := range keys[k] {
			out[n] = byID[id]
		}
	}
	return out, nil
}

// SaveCommunityTag inserts (ID 0) or updates t and replaces its synonyms:
// ErrConflict when its name or a synonym folds to another tag's name or
// synonym, ErrNotFound when there is no tag t.ID.
func (db *DB) SaveCommunityTag(ctx context.Context, t *community.Tag) error {
	now := utc(db.Now())
	if !t.UpdatedAt.IsZero() {
		now = utc(t.UpdatedAt)
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if t.ID == 0 {
			t.CreatedAt = now
			if err := tx.QueryRowContext(ctx, `INSERT INTO community_tags (name, category, description, created_at, updated_at)
				VALUES ($1, $2, $3, $4, $4) RETURNING id`, t.Name, string(t.Category), t.Description, now).Scan(&t.ID); err != nil {
				return err
			}
		} else {
			if err := execOne(ctx, tx, `UPDATE community_tags SET name = $1, category = $2, description = $3, updated_at = $4 WHERE id = $5`,
				t.Name, string(t.Category), t.Description, now, t.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM community_tag_names WHERE tag_id = $1`, t.ID); err != nil {
				return err
			}
		}
		t.UpdatedAt = now
		own := tagKey(t.Name)
		if own == "" {
			return apperr.InvalidFields(map[string]string{"name": "タグ名を入力してください。"})
		}
		seen := map[string]bool{own: true}
		if _, err := tx.ExecContext(ctx, `INSERT INTO community_tag_names (name_key, tag_id, synonym) VALUES ($1, $2, '')`, own, t.ID); err != nil {
			return err
		}
		var kept []string
		for _, syn := range t.Synonyms {
			syn = jatext.NormalizeLine(syn)
			k := tagKey(syn)
			if k == "" || seen[k] {
				continue // a synonym that folds to a name the tag has says nothing new
			}
			seen[k] = true
			if _, err := tx.ExecContext(ctx, `INSERT INTO community_tag_names (name_key, tag_id, synonym) VALUES ($1, $2, $3)`,
				k, t.ID, syn); err != nil {
				return err
			}
			kept = append(kept, syn)
		}
		t.Synonyms = kept
		return nil
	})
}

// setPostTags replaces a post's tags with the tags of the canonical names:
// apperr Invalid for a name that is not a tag's. It returns the names as
// stored.
func setPostTags(ctx context.Context, tx *sql.Tx, postID int64, names []string, replace bool) ([]string, error) {
	if replace {
		if _, err := tx.ExecContext(ctx, `DELETE FROM community_post_tags WHERE post_id = $1`, postID); err != nil {
			return nil, err
		}
	}
	var stored []string
	seen := map[string]bool{}
	for _, name := range names {
		if seen[name] {
			continue
		}
		seen[name] = true
		var id int64
		err := tx.QueryRowContext(ctx, `SELECT id FROM community_tags WHERE name = $1`, name).Scan(&id)
		if err == sql.ErrNoRows {
			return nil, apperr.InvalidFields(map[string]string{"tags": "「" + name + "」というタグはありません。"})
		}
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO community_post_tags (post_id, tag_id) VALUES ($1, $2)`, postID, id); err != nil {
			return nil, err
		}
		stored = append(stored, name)
	}
	return stored, nil
}

// loadPostTags fills in the tags of the posts, by name.
func (db *DB) loadPostTags(ctx context.Context, posts []community.Post) error {
	if len(posts) == 0 {
		return nil
	}
	index := make(map[int64]int, len(posts))
	ids := make([]int64, len(posts))
	for i, p := range posts {
		index[p.ID] = i
		ids[i] = p.ID
	}
	var q query
	in, args := inList(ids)
	q.add(`pt.post_id IN (`+in+`)`, args...)
	rows, err := db.read.QueryContext(ctx, `SELECT pt.post_id, t.name FROM community_post_tags pt JOIN community_tags t ON t.id = pt.tag_id`+
		q.sql()+` ORDER BY t.name`, q.args...)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return mapErr(err)
		}
		i := index[id]
		posts[i].Tags = append(posts[i].Tags, name)
	}
	return mapErr(rows.Err())
}

// joinTags is a revision's tags column.
func joinTags(tags []string) string { return strings.Join(tags, ",") }

func splitTags(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
