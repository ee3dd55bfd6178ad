// Package sqlstore implements Hakui's stores in SQL for two engines: SQLite
// (embedded, the default) and PostgreSQL (production). The SQL is written
// once with $N placeholders, which both engines accept; dialect branches are
// few and local.
package sqlstore

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib" // also registers the "pgx" driver
	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/hakui-dev/hakui/internal/apperr"
)

// Dialect names the SQL engine.
type Dialect string

// Supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// Sentinel errors every store method maps driver errors to.
var (
	ErrNotFound = apperr.E(apperr.NotFound, "見つかりません。")
	ErrConflict = apperr.E(apperr.Conflict, "既に登録されているか、他の操作と競合しました。")
)

//go:embed migrations
var migrations embed.FS

// DB is an open Hakui database. On SQLite it holds two pools: many readers
// and one writer whose transactions begin IMMEDIATE, so writers queue in
// the process instead of failing with SQLITE_BUSY. On PostgreSQL both are
// the same pool.
type DB struct {
	dialect Dialect
	read    *sql.DB
	write   *sql.DB
	// Now is the clock; tests replace it.
	Now func() time.Time
}

// Open opens the database named by dsn: "sqlite:PATH", a bare path, or a
// "postgres://" URL. It does not migrate; call Migrate.
func Open(ctx context.Context, dsn string) (*DB, error) {
	db := &DB{Now: func() time.Time { return time.Now().UTC() }}
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		cfg, err := pgx.ParseConfig(dsn)
		if err != nil {
			return nil, fmt.Errorf("sqlstore: %w", err)
		}
		// A generic plan, which PostgreSQL switches to after a statement's
		// fifth run, misjudges the text-search filters badly; plan each run.
		if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
			cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
		}
		pool := stdlib.OpenDB(*cfg)
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(10)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db.dialect, db.read, db.write = Postgres, pool, pool
	default:
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("sqlstore: empty SQLite path")
		}
		if dir := filepath.Dir(path); dir != "." {
			if err := os.MkdirAll(dir, 0o700); err != nil {
				return nil, err
			}
		}
		// Pragmas in the DSN apply to every pooled connection.
		base := "file:" + (&url.URL{Path: path}).EscapedPath() +
			"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)" +
			"&_pragma=synchronous(NORMAL)&_time_format=sqlite"
		write, err := sql.Open("sqlite", base+"&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		write.SetMaxOpenConns(1)
		read, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
		if err != nil {
			write.Close()
			return nil, err
		}
		read.SetMaxOpenConns(8)
		db.dialect, db.read, db.write = SQLite, read, write
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlstore: connect: %w", err)
	}
	return db, nil
}

// Dialect returns the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the pools.
func (db *DB) Close() error {
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks that the database answers; /readyz uses it.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Migrate applies every pending migration, each in its own transaction.
func (db *DB) Migrate(ctx context.Context) error {
	provider, err := db.migrator()
	if err != nil {
		return err
	}
	_, err = provider.Up(ctx)
	return err
}

// MigrationStatus returns the applied and the latest available version.
func (db *DB) MigrationStatus(ctx context.Context) (current, latest int64, err error) {
	provider, err := db.migrator()
	if err != nil {
		return 0, 0, err
	}
	current, err = provider.GetDBVersion(ctx)
	if err != nil {
		return 0, 0, err
	}
	sources := provider.ListSources()
	if len(sources) > 0 {
		latest = sources[len(sources)-1].Version
	}
	return current, latest, nil
}

func (db *DB) migrator() (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations/"+string(db.dialect))
	if err != nil {
		return nil, err
	}
	dialect := goose.DialectSQLite3
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
	}
	return goose.NewProvider(dialect, db.write, sub)
}

// inTx runs fn in a write transaction, committing when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return mapErr(err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return mapErr(err)
	}
	return mapErr(tx.Commit())
}

// mapErr turns driver errors into the shared sentinels.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var appErr *apperr.Error
	if errors.As(err, &appErr) {
		return err
	}
	var sqliteErr *sqlite.Error
	if errors.As(err, &sqliteErr) {
		switch sqliteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &apperr.Error{Code: apperr.Conflict, Message: ErrConflict.Message, Err: err}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &apperr.Error{Code: apperr.Invalid, Message: "入力内容が制約に違反しています。", Err: err}
		}
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case "23505":
			return &apperr.Error{Code: apperr.Conflict, Message: ErrConflict.Message, Err: err}
		case "23514", "23502", "23503", "22001", "22P02", "22021":
			return &apperr.Error{Code: apperr.Invalid, Message: "入力内容が制約に違反しています。", Err: err}
		case "40001", "40P01":
			return &apperr.Error{Code: apperr.Conflict, Message: "他の操作と競合しました。もう一度お試しください。", Err: err}
		}
	}
	return err
}

// utc normalises a time for storage: UTC, microseconds (PostgreSQL's
// precision), so values round-trip exactly on both engines.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTime converts a nullable column.
func nullTime(nt sql.NullTime) *time.Time {
	if !nt.Valid {
		return nil
	}
	t := nt.Time.UTC()
	return &t
}

// Backup writes a consistent snapshot of a SQLite database to path with
// VACUUM INTO, which reads inside one transaction while the server keeps
// running; a plain file copy could catch a half-written page. PostgreSQL
// is backed up with pg_dump instead.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return errors.New("sqlstore: use pg_dump to back up PostgreSQL (see the README)")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("sqlstore: %s already exists; choose a new file", path)
	}
	_, err := db.write.ExecContext(ctx, `VACUUM INTO $1`, path)
	return err
}

// IntegrityCheck runs SQLite's integrity check (a no-op on PostgreSQL).
func (db *DB) IntegrityCheck(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	rows, err := db.read.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return err
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("sqlstore: integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Tables lists the application's tables.
func (db *DB) Tables(ctx context.Context) ([]string, error) {
	query := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`
	if db.dialect == Postgres {
		query = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`
	}
	rows, err := db.read.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// CountRows counts the rows of a table named by Tables.
func (db *DB) CountRows(ctx context.Context, table string) (int64, error) {
	tables, err := db.Tables(ctx)
	if err != nil {
		return 0, err
	}
	for _, t := range tables {
		if t == table {
			var n int64
			err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM `+t).Scan(&n)
			return n, err
		}
	}
	return 0, fmt.Errorf("sqlstore: no table %q", table)
}

// TableChecksum returns a SHA-256 of a table's content named by Tables,
// independent of row order and physical layout, for comparing a restored
// copy with its original. Each row is written out column by column, the
// rows sorted, then hashed.
func (db *DB) TableChecksum(ctx context.Context, table string) (string, error) {
	if _, err := db.CountRows(ctx, table); err != nil {
		return "", err // also refuses a name that is not a table
	}
	rows, err := db.read.QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return "", err
	}
	var lines []string
	values := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return "", err
		}
		var b strings.Builder
		for _, v := range values {
			if t, ok := v.(time.Time); ok {
				v = t.UTC().Format(time.RFC3339Nano)
			}
			fmt.Fprintf(&b, "%v\x1f", v)
		}
		lines = append(lines, b.String())
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	slices.Sort(lines)
	sum := sha256.New()
	for _, l := range lines {
		io.WriteString(sum, l+"\x1e")
	}
	return hex.EncodeToString(sum.Sum(nil)), nil
}

// Analyze refreshes the planner's statistics, after a bulk load. On SQLite
// it leaves the FTS5 shadow tables alone: statistics on them make FTS5
// re-prepare its statements on every query.
func (db *DB) Analyze(ctx context.Context) error {
	query := `ANALYZE`
	if db.dialect == SQLite {
		query = `ANALYZE openings`
	}
	_, err := db.write.ExecContext(ctx, query)
	return err
}
