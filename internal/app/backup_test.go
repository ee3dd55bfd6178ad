package app_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/hakui-dev/hakui/internal/app"
	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth/password"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/sqlstore"
)

// TestBackupRestoreRoundTrip backs up a live database, restores the
// snapshot into a new place, checks it, and signs in to a Hakui started on
// the copy.
func TestBackupRestoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	env := newEnv(t)
	org := env.Org(identity.OrgAgency, "さくら")
	staff := env.User("agent@example.jp", "鈴木", identity.Grant{Role: identity.RoleAgent, OrgID: org})
	secret := env.EnableTOTP(staff)
	env.User("doc@example.jp", "医師", identity.Grant{Role: identity.RoleDoctor})
	c := env.Client()
	c.Login("doc@example.jp", "") // writes sessions and audit entries
	// A populated database: every area's demo data, sealed fields and
	// search indexes included.
	if err := env.Main.SeedDemo(ctx); err != nil {
		t.Fatalf("SeedDemo: %v", err)
	}

	snapshot := filepath.Join(t.TempDir(), "backup.db")
	if err := env.Main.DB.Backup(ctx, snapshot); err != nil {
		t.Fatalf("Backup: %v", err)
	}
	if err := env.Main.DB.Backup(ctx, snapshot); err == nil {
		t.Fatal("Backup overwrote an existing file")
	}

	// Restore: the snapshot is copied into the new data directory while no
	// server runs there, with the key file beside it.
	restoreDir := t.TempDir()
	restored := filepath.Join(restoreDir, "hakui.db")
	copyFile(t, snapshot, restored)
	keys := filepath.Join(restoreDir, "keys.txt")
	copyFile(t, env.Main.Config.KeysFile, keys)

	copyDB, err := sqlstore.Open(ctx, "sqlite:"+restored)
	if err != nil {
		t.Fatal(err)
	}
	if err := copyDB.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := audit.Verify(ctx, copyDB); err != nil {
		t.Fatalf("audit chain of the copy: %v", err)
	}
	tables, err := env.Main.DB.Tables(ctx)
	if err != nil || len(tables) < 8 {
		t.Fatalf("tables = %v, %v", tables, err)
	}
	for _, table := range tables {
		want, err1 := env.Main.DB.CountRows(ctx, table)
		got, err2 := copyDB.CountRows(ctx, table)
		if err1 != nil || err2 != nil || got != want {
			t.Errorf("table %s: %d rows in the copy, %d in the original (%v %v)", table, got, want, err1, err2)
		}
		wantSum, err1 := env.Main.DB.TableChecksum(ctx, table)
		gotSum, err2 := copyDB.TableChecksum(ctx, table)
		if err1 != nil || err2 != nil || gotSum != wantSum {
			t.Errorf("table %s: checksum %s in the copy, %s in the original (%v %v)", table, gotSum, wantSum, err1, err2)
		}
	}
	copyDB.Close()

	m, err := app.Open(ctx, app.Config{Addr: "127.0.0.1:0", DB: "sqlite:" + restored, KeysFile: keys,
		PasswordParams: password.TestParams, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Listen(); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(m.Handler)
	defer srv.Close()
	restoredEnv := &apptest.Env{T: t, Main: m, Server: srv, Clock: env.Clock}
	// The TOTP secret, sealed with the copied key file, still opens.
	restoredEnv.Client().Login(staff.Email, secret)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
