package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/rounds"
)

var _ rounds.Store = (*DB)(nil)

const roundColumns = `r.id, r.prefecture_org_id, COALESCE(r.program_id, 0), COALESCE(p.name, ''), r.fiscal_year, r.name,
	r.mechanism, r.lists_due, r.rankings_due, r.status, r.run_at, r.published_at, COALESCE(r.published_by, 0),
	COALESCE(r.created_by, 0), r.version, r.created_at, r.updated_at
	FROM rounds r LEFT JOIN programs p ON p.id = r.program_id`

func scanRound(row interface{ Scan(...any) error }) (*rounds.Round, error) {
	var r rounds.Round
	var run, published sql.NullTime
	err := row.Scan(&r.ID, &r.PrefectureOrgID, &r.ProgramID, &r.ProgramName, &r.FiscalYear, &r.Name, &r.Mechanism,
		&r.ListsDue, &r.RankingsDue, &r.Status, &run, &published, &r.PublishedBy, &r.CreatedBy, &r.Version,
		&r.CreatedAt, &r.UpdatedAt)
	if err != nil {
		return nil, mapErr(err)
	}
	r.RunAt, r.PublishedAt = nullTime(run), nullTime(published)
	r.ListsDue, r.RankingsDue = r.ListsDue.UTC(), r.RankingsDue.UTC()
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

// CreateRound inserts r with its institutions and caps at version 1,
// status open, and sets its ID and times.
func (db *DB) CreateRound(ctx context.Context, r *rounds.Round) error {
	r.CreatedAt = db.createdAt(r.CreatedAt)
	r.UpdatedAt, r.Version, r.Status = r.CreatedAt, 1, rounds.StatusOpen
	return db.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `INSERT INTO rounds (prefecture_org_id, program_id, fiscal_year, name, mechanism,
			lists_due, rankings_due, status, created_by, version, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, 1, $9, $9) RETURNING id`,
			r.PrefectureOrgID, nullID(r.ProgramID), r.FiscalYear, r.Name, string(r.Mechanism), utc(r.ListsDue),
			utc(r.RankingsDue), nullID(r.CreatedBy), r.CreatedAt).Scan(&r.ID)
		if err != nil {
			return err
		}
		return saveRoundParts(ctx, tx, r)
	})
}

// saveRoundParts writes the round's institutions (removing those no
// longer in it, which fails while a list names them) and replaces its caps.
func saveRoundParts(ctx context.Context, tx *sql.Tx, r *rounds.Round) error {
	keep := make([]int64, len(r.Institutions))
	for i, in := range r.Institutions {
		keep[i] = in.OrgID
	}
	var q query
	q.add("round_id = ?", r.ID)
	if len(keep) > 0 {
		ph, args := inList(keep)
		q.add("institution_id NOT IN ("+ph+")", args...)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM round_institutions`+q.sql(), q.args...); err != nil {
		return err
	}
	for i, in := range r.Institutions {
		specs, err := json.Marshal(append([]string{}, in.Specialties...))
		if err != nil {
			return err
		}
		var target sql.NullInt64
		if in.Target != nil {
			target = sql.NullInt64{Int64: int64(*in.Target), Valid: true}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO round_institutions (round_id, institution_id, position, area_id, capacity,
			target, specialties) VALUES ($1, $2, $3, $4, $5, $6, $7)
			ON CONFLICT (round_id, institution_id) DO UPDATE SET position = excluded.position, area_id = excluded.area_id,
			capacity = excluded.capacity, target = excluded.target, specialties = excluded.specialties`,
			r.ID, in.OrgID, i, in.AreaID, in.Capacity, target, string(specs))
		if err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM round_area_caps WHERE round_id = $1`, r.ID); err != nil {
		return err
	}
	for _, c := range r.Caps {
		if _, err := tx.ExecContext(ctx, `INSERT INTO round_area_caps (round_id, area_id, cap) VALUES ($1, $2, $3)`,
			r.ID, c.AreaID, c.Cap); err != nil {
			return err
		}
	}
	return nil
}

// UpdateRound writes r's settings, institutions and caps if it is still at
// r.Version, else returns ErrConflict; a run round goes back to open and
// loses its result. On success r holds the stored version.
func (db *DB) UpdateRound(ctx context.Context, r *rounds.Round) error {
	now := utc(db.Now())
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := execOne(ctx, tx, `UPDATE rounds SET program_id = $1, fiscal_year = $2, name = $3, mechanism = $4,
			lists_due = $5, rankings_due = $6, status = 'open', run_at = NULL, updated_at = $7, version = version + 1
			WHERE id = $8 AND version = $9 AND status <> 'published'`,
			nullID(r.ProgramID), r.FiscalYear, r.Name, string(r.Mechanism), utc(r.ListsDue), utc(r.RankingsDue), now,
			r.ID, r.Version)
		if err == ErrNotFound {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM round_results WHERE round_id = $1`, r.ID); err != nil {
			return err
		}
		return saveRoundParts(ctx, tx, r)
	})
	if err == nil {
		r.Version, r.UpdatedAt, r.Status, r.RunAt = r.Version+1, now, rounds.StatusOpen, nil
	}
	return err
}

// Round returns a round with its institutions (their area and its class in
// the round's year) and caps, or ErrNotFound.
func (db *DB) Round(ctx context.Context, id int64) (*rounds.Round, error) {
	r, err := scanRound(db.read.QueryRowContext(ctx, `SELECT `+roundColumns+` WHERE r.id = $1`, id))
	if err != nil {
		return nil, err
	}
	if err := db.roundParts(ctx, r); err != nil {
		return nil, err
	}
	return r, nil
}

func (db *DB) roundParts(ctx context.Context, r *rounds.Round) error {
	rows, err := db.read.QueryContext(ctx, `SELECT ri.institution_id, o.name, ri.area_id, a.code, a.name,
		COALESCE(ac.class, ''), ri.capacity, ri.target, ri.specialties
		FROM round_institutions ri JOIN organisations o ON o.id = ri.institution_id
		JOIN medical_areas a ON a.id = ri.area_id
		LEFT JOIN area_classes ac ON ac.area_id = ri.area_id AND ac.fiscal_year = $2
		WHERE ri.round_id = $1 ORDER BY ri.position`, r.ID, r.FiscalYear)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	r.Institutions = []rounds.Institution{}
	for rows.Next() {
		var in rounds.Institution
		var target sql.NullInt64
		var specs string
		if err := rows.Scan(&in.OrgID, &in.Name, &in.AreaID, &in.AreaCode, &in.AreaName, &in.Class, &in.Capacity,
			&target, &specs); err != nil {
			return mapErr(err)
		}
		if target.Valid {
			t := int(target.Int64)
			in.Target = &t
		}
		if err := json.Unmarshal([]byte(specs), &in.Specialties); err != nil {
			return err
		}
		r.Institutions = append(r.Institutions, in)
	}
	if err := rows.Err(); err != nil {
		return mapErr(err)
	}
	rows, err = db.read.QueryContext(ctx, `SELECT c.area_id, a.code, a.name, c.cap FROM round_area_caps c
		JOIN medical_areas a ON a.id = c.area_id WHERE c.round_id = $1 ORDER BY a.code`, r.ID)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	r.Caps = []rounds.AreaCap{}
	for rows.Next() {
		var c rounds.AreaCap
		if err := rows.Scan(&c.AreaID, &c.AreaCode, &c.AreaName, &c.Cap); err != nil {
			return mapErr(err)
		}
		r.Caps = append(r.Caps, c)
	}
	return mapErr(rows.Err())
}

// Rounds lists a prefecture's rounds with their parts, newest year first.
func (db *DB) Rounds(ctx context.Context, prefectureOrgID int64) ([]rounds.Round, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT `+roundColumns+` WHERE r.prefecture_org_id = $1
		ORDER BY r.fiscal_year DESC, r.id DESC`, prefectureOrgID)
	if err != nil {
		return nil, mapErr(err)
	}
	var list []rounds.Round
	for rows.Next() {
		r, err := scanRound(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, *r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, mapErr(err)
	}
	for i := range list {
		if err := db.roundParts(ctx, &list[i]); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// openRound locks nothing but checks, inside tx, that the round still
// takes submissions; else ErrConflict.
func openRound(ctx context.Context, tx *sql.Tx, roundID int64) error {
	var status string
	if err := tx.QueryRowContext(ctx, `SELECT status FROM rounds WHERE id = $1`, roundID).Scan(&status); err != nil {
		return err
	}
	if status != string(rounds.StatusOpen) {
		return ErrConflict
	}
	return nil
}

// SaveList inserts or replaces the doctor's list while the round is open,
// else returns ErrConflict.
func (db *DB) SaveList(ctx context.Context, l *rounds.List) error {
	l.SubmittedAt = db.createdAt(l.SubmittedAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := openRound(ctx, tx, l.RoundID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO doctor_lists (round_id, doctor_id, enrollment_id, plan_id, specialty, submitted_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (round_id, doctor_id) DO UPDATE SET enrollment_id = excluded.enrollment_id, plan_id = excluded.plan_id,
			specialty = excluded.specialty, submitted_at = excluded.submitted_at RETURNING id`,
			l.RoundID, l.DoctorID, l.EnrollmentID, nullID(l.PlanID), l.Specialty, l.SubmittedAt).Scan(&l.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM doctor_list_entries WHERE list_id = $1`, l.ID); err != nil {
			return err
		}
		for i, id := range l.Institutions {
			if _, err := tx.ExecContext(ctx, `INSERT INTO doctor_list_entries (list_id, round_id, position, institution_id)
				VALUES ($1, $2, $3, $4)`, l.ID, l.RoundID, i+1, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// List returns the doctor's list in the round, or ErrNotFound.
func (db *DB) List(ctx context.Context, roundID, doctorID int64) (*rounds.List, error) {
	lists, err := db.lists(ctx, roundID, doctorID)
	if err != nil {
		return nil, err
	}
	if len(lists) == 0 {
		return nil, ErrNotFound
	}
	return &lists[0], nil
}

// Lists returns the round's lists, by doctor.
func (db *DB) Lists(ctx context.Context, roundID int64) ([]rounds.List, error) {
	return db.lists(ctx, roundID, 0)
}

func (db *DB) lists(ctx context.Context, roundID, doctorID int64) ([]rounds.List, error) {
	var q query
	q.add("l.round_id = ?", roundID)
	if doctorID != 0 {
		q.add("l.doctor_id = ?", doctorID)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT l.id, l.round_id, l.doctor_id, u.display_name, l.enrollment_id,
		COALESCE(l.plan_id, 0), l.specialty, l.submitted_at, e.institution_id
		FROM doctor_lists l JOIN users u ON u.id = l.doctor_id
		LEFT JOIN doctor_list_entries e ON e.list_id = l.id`+q.sql()+` ORDER BY l.doctor_id, e.position`, q.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []rounds.List
	for rows.Next() {
		var l rounds.List
		var inst sql.NullInt64
		if err := rows.Scan(&l.ID, &l.RoundID, &l.DoctorID, &l.DoctorName, &l.EnrollmentID, &l.PlanID, &l.Specialty,
			&l.SubmittedAt, &inst); err != nil {
			return nil, mapErr(err)
		}
		if n := len(out); n == 0 || out[n-1].ID != l.ID {
			l.SubmittedAt = l.SubmittedAt.UTC()
			out = append(out, l)
		}
		if inst.Valid {
			last := &out[len(out)-1]
			last.Institutions = append(last.Institutions, inst.Int64)
		}
	}
	return out, mapErr(rows.Err())
}

// SaveRanking inserts or replaces the institution's ranking while the
// round is open, else returns ErrConflict.
func (db *DB) SaveRanking(ctx context.Context, k *rounds.Ranking) error {
	k.SubmittedAt = db.createdAt(k.SubmittedAt)
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if err := openRound(ctx, tx, k.RoundID); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO institution_rankings (round_id, institution_id, submitted_by, submitted_at)
			VALUES ($1, $2, $3, $4)
			ON CONFLICT (round_id, institution_id) DO UPDATE SET submitted_by = excluded.submitted_by,
			submitted_at = excluded.submitted_at RETURNING id`,
			k.RoundID, k.InstitutionID, nullID(k.SubmittedBy), k.SubmittedAt).Scan(&k.ID)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM institution_ranking_entries WHERE ranking_id = $1`, k.ID); err != nil {
			return err
		}
		for i, id := range k.Doctors {
			if _, err := tx.ExecContext(ctx, `INSERT INTO institution_ranking_entries (ranking_id, round_id, position, doctor_id)
				VALUES ($1, $2, $3, $4)`, k.ID, k.RoundID, i+1, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// Ranking returns the institution's ranking in the round, or ErrNotFound.
func (db *DB) Ranking(ctx context.Context, roundID, institutionID int64) (*rounds.Ranking, error) {
	list, err := db.rankings(ctx, roundID, institutionID)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

// Rankings returns the round's rankings, by institution.
func (db *DB) Rankings(ctx context.Context, roundID int64) ([]rounds.Ranking, error) {
	return db.rankings(ctx, roundID, 0)
}

func (db *DB) rankings(ctx context.Context, roundID, institutionID int64) ([]rounds.Ranking, error) {
	var q query
	q.add("k.round_id = ?", roundID)
	if institutionID != 0 {
		q.add("k.institution_id = ?", institutionID)
	}
	rows, err := db.read.QueryContext(ctx, `SELECT k.id, k.round_id, k.institution_id, COALESCE(k.submitted_by, 0),
		k.submitted_at, e.doctor_id
		FROM institution_rankings k LEFT JOIN institution_ranking_entries e ON e.ranking_id = k.id`+q.sql()+`
		ORDER BY k.institution_id, e.position`, q.args...)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []rounds.Ranking
	for rows.Next() {
		var k rounds.Ranking
		var doctor sql.NullInt64
		if err := rows.Scan(&k.ID, &k.RoundID, &k.InstitutionID, &k.SubmittedBy, &k.SubmittedAt, &doctor); err != nil {
			return nil, mapErr(err)
		}
		if n := len(out); n == 0 || out[n-1].ID != k.ID {
			k.SubmittedAt = k.SubmittedAt.UTC()
			k.Doctors = []int64{}
			out = append(out, k)
		}
		if doctor.Valid {
			last := &out[len(out)-1]
			last.Doctors = append(last.Doctors, doctor.Int64)
		}
	}
	return out, mapErr(rows.Err())
}

// SaveResults replaces the round's result if it is still at r.Version and
// not published, else returns ErrConflict; the round is then run at
// r.RunAt, and r holds the stored version.
func (db *DB) SaveResults(ctx context.Context, r *rounds.Round, results []rounds.Result) error {
	now := utc(db.Now())
	runAt := db.createdAt(timeOr(r.RunAt))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := execOne(ctx, tx, `UPDATE rounds SET status = 'run', run_at = $1, updated_at = $2, version = version + 1
			WHERE id = $3 AND version = $4 AND status <> 'published'`, runAt, now, r.ID, r.Version)
		if err == ErrNotFound {
			return ErrConflict
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM round_results WHERE round_id = $1`, r.ID); err != nil {
			return err
		}
		for _, res := range results {
			expl, err := json.Marshal(res.Explanation)
			if err != nil {
				return err
			}
			var rank sql.NullInt64
			if res.InstitutionID != 0 {
				rank = sql.NullInt64{Int64: int64(res.Rank), Valid: true}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO round_results (round_id, doctor_id, institution_id, rank, explanation)
				VALUES ($1, $2, $3, $4, $5)`, r.ID, res.DoctorID, nullID(res.InstitutionID), rank, string(expl)); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		r.Version, r.UpdatedAt, r.Status, r.RunAt = r.Version+1, now, rounds.StatusRun, &runAt
	}
	return err
}

// timeOr returns *t, or the zero time for nil.
func timeOr(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// Results returns the round's result, by doctor.
func (db *DB) Results(ctx context.Context, roundID int64) ([]rounds.Result, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT x.round_id, x.doctor_id, u.display_name, COALESCE(x.institution_id, 0),
		COALESCE(x.rank, 0), x.explanation, x.recorded_at
		FROM round_results x JOIN users u ON u.id = x.doctor_id WHERE x.round_id = $1 ORDER BY x.doctor_id`, roundID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var out []rounds.Result
	for rows.Next() {
		var res rounds.Result
		var expl string
		var recorded sql.NullTime
		if err := rows.Scan(&res.RoundID, &res.DoctorID, &res.DoctorName, &res.InstitutionID, &res.Rank, &expl,
			&recorded); err != nil {
			return nil, mapErr(err)
		}
		res.Explanation = &match.Explanation{}
		if err := json.Unmarshal([]byte(expl), res.Explanation); err != nil {
			return nil, err
		}
		res.RecordedAt = nullTime(recorded)
		out = append(out, res)
	}
	return out, mapErr(rows.Err())
}

// Publish sets a run round published if it is still at r.Version, else
// returns ErrConflict; r then holds the stored version.
func (db *DB) Publish(ctx context.Context, r *rounds.Round) error {
	now := utc(db.Now())
	at := db.createdAt(timeOr(r.PublishedAt))
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		err := execOne(ctx, tx, `UPDATE rounds SET status = 'published', published_at = $1, published_by = $2,
			updated_at = $3, version = version + 1 WHERE id = $4 AND version = $5 AND status = 'run'`,
			at, nullID(r.PublishedBy), now, r.ID, r.Version)
		if err == ErrNotFound {
			return ErrConflict
		}
		return err
	})
	if err == nil {
		r.Version, r.UpdatedAt, r.Status, r.PublishedAt = r.Version+1, now, rounds.StatusPublished, &at
	}
	return err
}

// MarkRecorded notes that the doctor's placement is in their ledger.
func (db *DB) MarkRecorded(ctx context.Context, roundID, doctorID int64, at time.Time) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE round_results SET recorded_at = $1 WHERE round_id = $2 AND doctor_id = $3
			AND institution_id IS NOT NULL`, utc(at), roundID, doctorID)
	})
}
