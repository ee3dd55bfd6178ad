package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/records"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/vault"
)

// TestKeysRotate seals records and a TOTP secret with the first key, runs
// hakui keys rotate, and checks that every value now names the new key and
// opens with the key file as written, that the old key is still listed,
// and that a rotation interrupted after its key was written is continued
// by running the command again.
func TestKeysRotate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "hakui.db")
	keysPath := filepath.Join(dir, "keys.txt") // the default beside a SQLite database
	cmd := func(args ...string) (int, string, string) {
		var out, errs bytes.Buffer
		code := run(ctx, args, strings.NewReader(""), &out, &errs)
		return code, out.String(), errs.String()
	}

	if code, _, errs := cmd("keys", "rotate", "--db", dsn); code != 1 || !strings.Contains(errs, "no key file") {
		t.Fatalf("rotate without a key file: exit %d, %q", code, errs)
	}
	keys, _, err := vault.LoadOrCreate(keysPath, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	first := keys.Current()

	// Seal with the first key, as the server would.
	notes := map[int64]string{}
	withDB(t, dsn, keys, func(db *sqlstore.DB, svc *records.Service, coordinator policy.Actor, doctorID int64) {
		for i, text := range []string{"一件目の面談記録", "二件目の面談記録", "三件目の面談記録"} {
			r, err := svc.Create(ctx, coordinator, &records.Record{OrgID: coordinator.Grants[0].OrgID, DoctorID: doctorID,
				HeldOn: records.Day(time.Now()).AddDate(0, 0, -i), Mode: records.ModeOnline, Topics: []records.Topic{records.TopicCareer},
				Notes: text, AgreedActions: "次回までに " + text})
			if err != nil {
				t.Fatal(err)
			}
			notes[r.ID] = text
		}
		secret, err := keys.Seal([]byte("JBSWY3DPEHPK3PXP"), auth.TOTPContext(coordinator.UserID))
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetTOTP(ctx, coordinator.UserID, secret, true, nil); err != nil {
			t.Fatal(err)
		}
	})

	code, out, errs := cmd("keys", "list", "--db", dsn)
	if code != 0 || !strings.Contains(out, first) || !strings.Contains(out, "consultation_records.sealed_notes") {
		t.Fatalf("keys list: exit %d\n%s%s", code, out, errs)
	}

	code, out, errs = cmd("keys", "rotate", "--db", dsn, "--batch", "2")
	if code != 0 || !strings.Contains(out, "added key") || !strings.Contains(out, "resealed 7 values") {
		t.Fatalf("keys rotate: exit %d\n%s%s", code, out, errs)
	}
	rotated := checkAllSealedWithCurrent(t, dsn, keysPath, notes)
	if ids := rotated.IDs(); len(ids) != 2 || ids[0] != first || rotated.Current() == first {
		t.Fatalf("keys after rotation = %v (current %s), want %s kept and a new current key", ids, rotated.Current(), first)
	}
	if code, out, _ := cmd("keys", "list", "--db", dsn); code != 0 || !strings.Contains(out, first) {
		t.Fatalf("the old key is no longer listed:\n%s", out)
	}

	// A rotation that stopped after writing its key: the values are still
	// on the previous key. Running again continues without another key.
	line, err := vault.NewKeyLine(time.Now().Add(24 * time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	appendFile(t, keysPath, line)
	code, out, errs = cmd("keys", "rotate", "--db", dsn)
	if code != 0 || !strings.Contains(out, "continuing") || strings.Contains(out, "added key") || !strings.Contains(out, "resealed 7 values") {
		t.Fatalf("continued rotation: exit %d\n%s%s", code, out, errs)
	}
	continued := checkAllSealedWithCurrent(t, dsn, keysPath, notes)
	if len(continued.IDs()) != 3 || !strings.HasPrefix(line, continued.Current()+" ") {
		t.Fatalf("keys = %v, current %s, want the key written before the interruption", continued.IDs(), continued.Current())
	}

	// A key file that lacks the keys in use is refused, and left alone.
	lone := filepath.Join(dir, "lone.txt")
	other, _ := vault.NewKeyLine(time.Now())
	appendFile(t, lone, other)
	if code, _, errs := cmd("keys", "list", "--db", dsn, "--keys", lone); code != 1 || !strings.Contains(errs, "missing") {
		t.Fatalf("list with a foreign key file: exit %d, %q", code, errs)
	}
	if code, _, errs := cmd("keys", "rotate", "--db", dsn, "--keys", lone); code != 1 || !strings.Contains(errs, "missing") {
		t.Fatalf("rotate with a foreign key file: exit %d, %q", code, errs)
	}
	if b, _ := os.ReadFile(lone); string(b) != other {
		t.Fatalf("the foreign key file was changed:\n%s", b)
	}
	if code, _, _ := cmd("keys", "turn"); code != 2 {
		t.Fatalf("unknown subcommand: exit %d", code)
	}
}

// withDB opens the database with a records service on keys, and a
// university with a coordinator and a doctor it follows.
func withDB(t *testing.T, dsn string, keys *vault.Keyring, fn func(db *sqlstore.DB, svc *records.Service, coordinator policy.Actor, doctorID int64)) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	org := &identity.Organisation{Kind: identity.OrgUniversity, Name: "北山大学"}
	if err := db.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	user := func(email string, g identity.Grant) policy.Actor {
		u := &identity.User{Email: email, DisplayName: email, PasswordHash: "x", Locale: "ja"}
		if err := db.CreateUser(ctx, u, []identity.Grant{g}); err != nil {
			t.Fatal(err)
		}
		return policy.Actor{UserID: u.ID, Grants: []identity.Grant{g}}
	}
	coordinator := user("cc@example.jp", identity.Grant{Role: identity.RoleCoordinator, OrgID: org.ID})
	doctor := user("doctor@example.jp", identity.Grant{Role: identity.RoleDoctor})
	// The university follows the doctor, enrolled in the prefecture's program.
	pref := &identity.Organisation{Kind: identity.OrgPrefecture, Name: "北山県"}
	if err := db.CreateOrganisation(ctx, pref); err != nil {
		t.Fatal(err)
	}
	program := &obligation.Program{PrefectureOrgID: pref.ID, Name: "北山県地域枠キャリア形成プログラム", TotalYears: 9, DeadlineYears: 12}
	if err := db.CreateProgram(ctx, program); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateEnrollment(ctx, &regional.Enrollment{ProgramID: program.ID, DoctorID: doctor.UserID, CoordinatorOrgID: org.ID,
		StartYear: 2024}); err != nil {
		t.Fatal(err)
	}
	rec := &audit.Recorder{Store: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	fn(db, &records.Service{Store: db, Guard: &guard.Guard{Audit: rec}, Audit: rec, Keys: keys, Now: time.Now}, coordinator, doctor.UserID)
}

// checkAllSealedWithCurrent reloads the key file and checks that every
// sealed value names its current key and that the records open with it.
func checkAllSealedWithCurrent(t *testing.T, dsn, keysPath string, notes map[int64]string) *vault.Keyring {
	t.Helper()
	ctx := context.Background()
	keys, err := loadKeys(keysPath)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	counts, err := db.SealedKeyCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, c := range counts {
		if c.KeyID != keys.Current() {
			t.Errorf("%s: %d values still sealed with %s", c.Column, c.Count, c.KeyID)
		}
		n += c.Count
	}
	if n != 7 {
		t.Errorf("%d sealed values, want 7 (3 records × 2 fields and a TOTP secret)", n)
	}
	for id, text := range notes {
		r, err := db.Record(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		plain, err := keys.Open(r.Sealed.Notes, records.SealContext(records.FieldNotes, id))
		if err != nil || string(plain) != text {
			t.Errorf("record %d: %q, %v", id, plain, err)
		}
	}
	return keys
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}
