package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sort"

	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/mentoring"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/records"
	"github.com/hakui-dev/hakui/internal/vault"
	"github.com/hakui-dev/hakui/internal/webhook"
)

// sealedColumn is a column holding vault ciphertexts ("" when unset), and
// how the context each was sealed with is formed from its row: from the
// row's id and the value of ctxColumn (the id itself, or another column).
type sealedColumn struct {
	table, column string
	ctxColumn     string
	context       func(ctxValue int64) string
}

func (c sealedColumn) name() string { return c.table + "." + c.column }

// sealedColumns lists every column that holds ciphertexts, each with the
// context function of the package that seals it. A new sealed column must
// be added here, or key rotation leaves it on the old key (the keys test
// checks that the schema has no other).
var sealedColumns = []sealedColumn{
	{"users", "totp_secret", "id", auth.TOTPContext},
	{"consultations", "sealed_notes", "agency_id", placement.NotesContext},
	{"webhooks", "url_sealed", "id", webhookContext("url")},
	{"webhooks", "token_sealed", "id", webhookContext("token")},
	{"webhooks", "secret_sealed", "id", webhookContext("secret")},
	{"consultation_records", "sealed_notes", "id", recordContext(records.FieldNotes)},
	{"consultation_records", "sealed_agreed_actions", "id", recordContext(records.FieldAgreedActions)},
	{"consultation_records", "sealed_health_notes", "id", recordContext(records.FieldHealthNotes)},
	{"mentoring_meetings", "sealed_summary", "id", mentoringContext(mentoring.FieldSummary)},
	{"mentoring_meetings", "sealed_mentor_learned", "id", mentoringContext(mentoring.FieldMentorLearned)},
	{"mentoring_meetings", "sealed_mentee_learned", "id", mentoringContext(mentoring.FieldMenteeLearned)},
}

func webhookContext(field string) func(int64) string {
	return func(id int64) string { return webhook.SealContext(field, id) }
}

func recordContext(field records.Field) func(int64) string {
	return func(id int64) string { return records.SealContext(field, id) }
}

func mentoringContext(field mentoring.Field) func(int64) string {
	return func(id int64) string { return mentoring.SealContext(field, id) }
}

// SealedColumns returns the "table.column" names of the columns that hold
// vault ciphertexts.
func SealedColumns() []string {
	names := make([]string, len(sealedColumns))
	for i, c := range sealedColumns {
		names[i] = c.name()
	}
	return names
}

// KeyCount is how many values of a column one key seals.
type KeyCount struct {
	Column string // "table.column"
	KeyID  string
	Count  int64
}

// SealedKeyCounts counts, per sealed column, the values each key seals,
// in column order and then by key ID.
func (db *DB) SealedKeyCounts(ctx context.Context) ([]KeyCount, error) {
	var out []KeyCount
	for _, c := range sealedColumns {
		// The key ID sits in the first characters: "v1:ID:…", ID at most 32.
		rows, err := db.read.QueryContext(ctx, `SELECT substr(`+c.column+`, 1, 40) FROM `+c.table+` WHERE `+c.column+` <> ''`)
		if err != nil {
			return nil, mapErr(err)
		}
		counts := map[string]int64{}
		for rows.Next() {
			var head string
			if err := rows.Scan(&head); err != nil {
				rows.Close()
				return nil, mapErr(err)
			}
			counts[vault.KeyID(head+":")]++
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, mapErr(err)
		}
		ids := make([]string, 0, len(counts))
		for id := range counts {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			out = append(out, KeyCount{Column: c.name(), KeyID: id, Count: counts[id]})
		}
	}
	return out, nil
}

// ResealResult says what Reseal did to one column.
type ResealResult struct {
	Column   string
	Resealed int
	// Skipped values changed while being resealed (a concurrent write);
	// Failed ones did not open (an unknown key or a corrupt value). Both
	// stay as they were; a later run picks them up again.
	Skipped, Failed int
	// FailedIDs names the rows of the first failures.
	FailedIDs []int64
}

// Reseal re-encrypts every sealed value not yet sealed with the keyring's
// current key: it opens each with the key that sealed it and seals it
// again with the current one, under the same context, in transactions of
// at most batch rows. A row is written only if its value is still the one
// read, so a concurrent change is never overwritten. Values already on the
// current key are left alone, so a run that stopped half-way is continued
// by running again. progress, if set, is called after each batch.
func (db *DB) Reseal(ctx context.Context, keys *vault.Keyring, batch int, progress func(ResealResult)) ([]ResealResult, error) {
	if batch <= 0 {
		batch = 200
	}
	current := "v1:" + keys.Current() + ":"
	var results []ResealResult
	for _, c := range sealedColumns {
		res := ResealResult{Column: c.name()}
		var after int64
		for {
			n, last, err := db.resealBatch(ctx, keys, c, current, after, batch, &res)
			if err != nil {
				return append(results, res), fmt.Errorf("sqlstore: reseal %s: %w", c.name(), err)
			}
			if progress != nil && n > 0 {
				progress(res)
			}
			if n < batch {
				break
			}
			after = last
		}
		results = append(results, res)
	}
	return results, nil
}

// resealBatch reseals up to batch values of c with ids above after, in one
// transaction. It returns how many rows it read and the last id.
func (db *DB) resealBatch(ctx context.Context, keys *vault.Keyring, c sealedColumn, current string, after int64, batch int,
	res *ResealResult) (n int, last int64, err error) {
	var done ResealResult // merged into res once committed
	err = db.inTx(ctx, func(tx *sql.Tx) error {
		done = ResealResult{}
		rows, err := tx.QueryContext(ctx, `SELECT id, `+c.ctxColumn+`, `+c.column+` FROM `+c.table+`
			WHERE id > $1 AND `+c.column+` <> '' AND substr(`+c.column+`, 1, $2) <> $3 ORDER BY id LIMIT $4`,
			after, len(current), current, batch)
		if err != nil {
			return err
		}
		type value struct {
			id, ctxValue int64
			sealed       string
		}
		var page []value
		for rows.Next() {
			var v value
			if err := rows.Scan(&v.id, &v.ctxValue, &v.sealed); err != nil {
				rows.Close()
				return err
			}
			page = append(page, v)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		n = len(page)
		for _, v := range page {
			last = v.id
			context := c.context(v.ctxValue)
			plain, err := keys.Open(v.sealed, context)
			if err != nil {
				done.Failed++
				done.FailedIDs = append(done.FailedIDs, v.id)
				continue
			}
			fresh, err := keys.Seal(plain, context)
			clear(plain)
			if err != nil {
				return err
			}
			r, err := tx.ExecContext(ctx, `UPDATE `+c.table+` SET `+c.column+` = $1 WHERE id = $2 AND `+c.column+` = $3`, fresh, v.id, v.sealed)
			if err != nil {
				return err
			}
			if k, err := r.RowsAffected(); err != nil {
				return err
			} else if k == 1 {
				done.Resealed++
			} else {
				done.Skipped++
			}
		}
		return nil
	})
	if err == nil {
		res.Resealed, res.Skipped, res.Failed = res.Resealed+done.Resealed, res.Skipped+done.Skipped, res.Failed+done.Failed
		res.FailedIDs = append(res.FailedIDs, done.FailedIDs...)
		if len(res.FailedIDs) > 20 {
			res.FailedIDs = res.FailedIDs[:20]
		}
	}
	return n, last, err
}
