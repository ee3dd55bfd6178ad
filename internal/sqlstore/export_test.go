package sqlstore

import (
	"context"
	"database/sql"
	"testing"
)

// ExecForTest runs a raw statement on the writer, for tests that tamper
// with the database as an attacker would.
func (db *DB) ExecForTest(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.write.ExecContext(ctx, query, args...)
}

// DisableAuditGuardForTest removes the append-only triggers.
func (db *DB) DisableAuditGuardForTest(ctx context.Context, t *testing.T) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if db.dialect == Postgres {
		stmts = []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`}
	}
	for _, s := range stmts {
		if _, err := db.write.ExecContext(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
}

// SetProbeAboveForTest changes the match count at which SQLite switches
// from the index to walking the rows, and returns the restore function.
func SetProbeAboveForTest(n int) func() {
	old := probeAbove
	probeAbove = n
	return func() { probeAbove = old }
}
