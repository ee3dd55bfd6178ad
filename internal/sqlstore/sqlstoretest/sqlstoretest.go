// Package sqlstoretest opens fresh, migrated databases for tests on every
// engine: SQLite always, PostgreSQL when HAKUI_TEST_POSTGRES holds a DSN.
// Each PostgreSQL test gets its own schema, dropped when it ends.
package sqlstoretest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/hakui-dev/hakui/internal/sqlstore"
)

// PostgresEnv names the variable holding the PostgreSQL DSN for tests.
const PostgresEnv = "HAKUI_TEST_POSTGRES"

// Engines returns the engines to test on.
func Engines() []sqlstore.Dialect {
	engines := []sqlstore.Dialect{sqlstore.SQLite}
	if os.Getenv(PostgresEnv) != "" {
		engines = append(engines, sqlstore.Postgres)
	}
	return engines
}

// Each runs fn as a subtest on every engine.
func Each(t *testing.T, fn func(t *testing.T, dsn string)) {
	t.Helper()
	for _, engine := range Engines() {
		t.Run(string(engine), func(t *testing.T) {
			fn(t, DSN(t, engine))
		})
	}
}

// DSN returns the DSN of a fresh, empty database on the engine, removed
// when the test ends.
func DSN(tb testing.TB, engine sqlstore.Dialect) string {
	tb.Helper()
	if engine == sqlstore.SQLite {
		return "sqlite:" + filepath.Join(tb.TempDir(), "hakui.db")
	}
	base := os.Getenv(PostgresEnv)
	if base == "" {
		tb.Skip(PostgresEnv + " not set")
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		admin.Close()
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a fresh, migrated database on the engine.
func Open(tb testing.TB, engine sqlstore.Dialect) *sqlstore.DB {
	tb.Helper()
	return OpenDSN(tb, DSN(tb, engine))
}

// OpenDSN opens and migrates the database at dsn (from DSN or Each),
// closed when the test ends.
func OpenDSN(tb testing.TB, dsn string) *sqlstore.DB {
	tb.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate: %v", err)
	}
	return db
}
