package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestOperationsCommands runs the operator's commands end to end on a
// SQLite file: create an administrator, list users, back up, verify.
func TestOperationsCommands(t *testing.T) {
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "hakui.db")
	ctx := context.Background()
	cmd := func(args ...string) (int, string, string) {
		var out, errs bytes.Buffer
		code := run(ctx, args, strings.NewReader(""), &out, &errs)
		return code, out.String(), errs.String()
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"no command", nil, 2, ""},
		{"unknown command", []string{"fly"}, 2, ""},
		{"version", []string{"version"}, 0, "hakui "},
		{"migrate", []string{"migrate", "--db", db}, 0, "schema version "},
		{"create admin", []string{"user", "create-admin", "--db", db, "--email", "Admin@Example.jp", "--name", "管理 太郎"}, 0, "initial password"},
		{"duplicate admin", []string{"user", "create-admin", "--db", db, "--email", "admin@example.jp", "--name", "管理 太郎"}, 1, ""},
		{"staff without organisation", []string{"user", "create", "--db", db, "--email", "x@example.jp", "--name", "x", "--role", "agent", "--org", "999"}, 1, ""},
		{"list", []string{"user", "list", "--db", db}, 0, "admin@example.jp"},
		{"reset password", []string{"user", "reset-password", "--db", db, "--email", "admin@example.jp"}, 0, "temporary password"},
		{"audit verify", []string{"audit", "verify", "--db", db}, 0, "audit chain ok"},
		{"backup without target", []string{"backup", "--db", db}, 2, ""},
		{"backup", []string{"backup", "--db", db, "--to", filepath.Join(dir, "snap.db")}, 0, "integrity ok"},
		{"backup refuses to overwrite", []string{"backup", "--db", db, "--to", filepath.Join(dir, "snap.db")}, 1, ""},
		{"bad flag", []string{"serve", "--no-such-flag"}, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := cmd(tt.args...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) {
				t.Fatalf("exit %d, want %d; stdout %q; stderr %q", code, tt.wantCode, out, errs)
			}
		})
	}
}

// TestServeStartsAndStops starts the real server on a free port and stops
// it through its context, as SIGTERM would, once it has logged that it is
// ready.
func TestServeStartsAndStops(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out bytes.Buffer
	errs := &cancelOn{marker: "hakui ready", cancel: cancel}
	code := run(ctx, []string{"serve", "--demo", "--addr", "127.0.0.1:0", "--db", "sqlite:" + filepath.Join(dir, "h.db")}, nil, &out, errs)
	if code != 0 {
		t.Fatalf("serve exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), "admin@demo.hakui.jp") || !strings.Contains(errs.String(), "hakui stopped") {
		t.Fatalf("serve did not print the demo logins or stop cleanly:\n%s\n%s", out.String(), errs.String())
	}
}

// cancelOn collects output and cancels once the marker was written.
type cancelOn struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker string
	cancel context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, err := c.buf.Write(p)
	if strings.Contains(c.buf.String(), c.marker) {
		c.cancel()
	}
	return n, err
}

func (c *cancelOn) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}
