package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/openings"
)

// indexOpening keeps the free-text index of o in step with the row.
func (db *DB) indexOpening(ctx context.Context, tx *sql.Tx, o *openings.Opening) error {
	text := o.SearchText()
	if db.dialect == Postgres {
		_, err := tx.ExecContext(ctx, `UPDATE openings SET search_vector = to_tsvector('simple', $1) WHERE id = $2`, text, o.ID)
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM openings_fts WHERE rowid = $1`, o.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE openings SET match_text = $1 WHERE id = $2`, o.MatchText(), o.ID); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO openings_fts (rowid, tokens) VALUES ($1, $2)`, o.ID, text)
	return err
}

// query builds a WHERE clause with numbered placeholders.
type query struct {
	where []string
	args  []any
}

func (q *query) add(cond string, args ...any) {
	for _, a := range args {
		q.args = append(q.args, a)
		cond = strings.Replace(cond, "?", "$"+strconv.Itoa(len(q.args)), 1)
	}
	q.where = append(q.where, cond)
}

func (q *query) sql() string {
	if len(q.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(q.where, " AND ")
}

// SearchOpenings returns a page of openings matching f, and the cursor of
// the next page ("" at the end). Pagination is by keyset, so it is stable
// while openings are added.
func (db *DB) SearchOpenings(ctx context.Context, f openings.Filter) ([]*openings.Opening, string, error) {
	var q query
	status := f.Status
	if status == "" {
		status = openings.StatusOpen
	}
	q.add("o.status = ?", string(status))
	if f.InstitutionID != 0 && f.PosterOrgID != 0 {
		q.add("(o.institution_id = ? OR o.poster_org_id = ?)", f.InstitutionID, f.PosterOrgID)
	}
	if f.Kind != "" {
		q.add("o.kind = ?", string(f.Kind))
	}
	if f.RemoteKind != "" {
		q.add("o.remote_kind = ?", string(f.RemoteKind))
	}
	if f.Specialty != "" {
		q.add("o.specialty = ?", f.Specialty)
	}
	if f.Prefecture != "" {
		q.add("(o.prefecture = ? OR o.kind = 'remote')", f.Prefecture)
	}
	if f.Weekday != nil {
		q.add("(o.weekday_mask & ?) <> 0", 1<<int(*f.Weekday))
	}
	if f.MinPayYen > 0 && f.MinPayUnit != "" {
		q.add("o.pay_unit = ? AND o.pay_max_yen >= ?", string(f.MinPayUnit), f.MinPayYen)
	}
	if f.EligibleStage != "" {
		var kinds []string
		for _, k := range career.WorkKinds {
			if career.MayTake(f.EligibleStage, k).Allowed {
				kinds = append(kinds, "'"+string(k)+"'")
			}
		}
		if len(kinds) == 0 {
			return nil, "", nil
		}
		q.add("o.kind IN (" + strings.Join(kinds, ", ") + ")")
		q.add("o.answer_" + string(f.EligibleStage) + " <> 'reject'")
	}
	if text := jatext.ParseQuery(f.Text); !text.Empty() {
		if f.NaiveText {
			for _, t := range strings.Fields(f.Text) {
				q.add(`(o.title || ' ' || o.description) LIKE ? ESCAPE '\'`, "%"+escapeLike(t)+"%")
			}
		} else if err := db.textCondition(ctx, &q, text); err != nil {
			return nil, "", err
		}
	}
	limit := f.Limit
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	var order string
	switch f.Sort {
	case openings.SortPay:
		order = " ORDER BY o.pay_max_yen DESC, o.id DESC"
		if f.After != "" {
			pay, id, ok := parseCursor2(f.After)
			if !ok {
				return nil, "", ErrBadCursor
			}
			q.add("(o.pay_max_yen < ? OR (o.pay_max_yen = ? AND o.id < ?))", pay, pay, id)
		}
	default:
		order = " ORDER BY o.posted_at DESC, o.id DESC"
		if status == openings.StatusDraft {
			order = " ORDER BY o.updated_at DESC, o.id DESC"
		}
		if f.After != "" {
			micros, id, ok := parseCursor2(f.After)
			if !ok || status == openings.StatusDraft {
				return nil, "", ErrBadCursor
			}
			at := utc(time.UnixMicro(micros))
			q.add("(o.posted_at < ? OR (o.posted_at = ? AND o.id < ?))", at, at, id)
		}
	}
	q.args = append(q.args, limit+1)
	rows, err := db.read.QueryContext(ctx, `SELECT `+openingColumns+openingJoins+q.sql()+order+` LIMIT $`+strconv.Itoa(len(q.args)), q.args...)
	if err != nil {
		return nil, "", mapErr(err)
	}
	defer rows.Close()
	var list []*openings.Opening
	for rows.Next() {
		o, err := scanOpening(rows)
		if err != nil {
			return nil, "", err
		}
		list = append(list, o)
	}
	if err := rows.Err(); err != nil {
		return nil, "", mapErr(err)
	}
	next := ""
	if len(list) > limit {
		list = list[:limit]
		last := list[len(list)-1]
		switch {
		case f.Sort == openings.SortPay:
			next = fmt.Sprintf("%d.%d", last.PayMaxYen, last.ID)
		case last.PostedAt != nil:
			next = fmt.Sprintf("%d.%d", last.PostedAt.UnixMicro(), last.ID)
		}
	}
	if err := db.loadRequirements(ctx, list); err != nil {
		return nil, "", err
	}
	return list, next, nil
}

// ErrBadCursor is returned for a malformed page cursor.
var ErrBadCursor = openings.ErrBadCursor

func parseCursor2(s string) (int64, int64, bool) {
	a, b, ok := strings.Cut(s, ".")
	if !ok {
		return 0, 0, false
	}
	x, err1 := strconv.ParseInt(a, 10, 64)
	y, err2 := strconv.ParseInt(b, 10, 64)
	return x, y, err1 == nil && err2 == nil
}

// probeAbove is the number of text matches above which SQLite walks the
// openings in the requested order and checks each one's folded text,
// rather than collecting every match from the index and sorting them.
var probeAbove = 1000

// textCondition restricts to openings containing every term. On SQLite the
// shape depends on how common the text is: a rare text's matches are few
// and cheap to collect from the FTS index and sort; a common one (内科
// matches a third of the openings) is found fastest by walking the openings
// in the page's order, testing each row's jatext.MatchText for the term's
// Needle, and stopping at one page. Both decide the same thing.
func (db *DB) textCondition(ctx context.Context, q *query, text jatext.Query) error {
	if db.dialect == Postgres {
		q.add("o.search_vector @@ to_tsquery('simple', ?)", text.TSQuery())
		return nil
	}
	match := text.FTS5()
	var n int
	if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM openings_fts WHERE openings_fts MATCH $1 LIMIT $2)`,
		match, probeAbove).Scan(&n); err != nil {
		return mapErr(err)
	}
	if n < probeAbove {
		q.add("o.id IN (SELECT rowid FROM openings_fts WHERE openings_fts MATCH ?)", match)
		return nil
	}
	for _, t := range text.Terms {
		q.add("instr(o.match_text, ?) > 0", t.Needle())
	}
	return nil
}

// OpeningsUsing returns open openings that ask for any of the competencies
// (required or preferred), newest first: where a doctor can build them.
func (db *DB) OpeningsUsing(ctx context.Context, codes []string, limit int) ([]*openings.Opening, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	args := []any{}
	ph := make([]string, len(codes))
	for i, c := range codes {
		args = append(args, c)
		ph[i] = "$" + strconv.Itoa(i+1)
	}
	args = append(args, limit)
	rows, err := db.read.QueryContext(ctx, `SELECT `+openingColumns+openingJoins+` WHERE o.status = 'open' AND o.id IN
		(SELECT opening_id FROM opening_requirements WHERE code IN (`+strings.Join(ph, ", ")+`))
		ORDER BY o.posted_at DESC, o.id DESC LIMIT $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []*openings.Opening
	for rows.Next() {
		o, err := scanOpening(rows)
		if err != nil {
			return nil, err
		}
		list = append(list, o)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	return list, db.loadRequirements(ctx, list)
}
