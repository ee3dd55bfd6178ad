package sqlstore_test

import (
	"database/sql"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/records"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
	"github.com/hakui-dev/hakui/internal/vault"
	"github.com/hakui-dev/hakui/internal/webhook"
)

// TestResealEveryColumn seals a value in every sealed column through the
// code that owns it (the webhook and placement services, the TOTP context,
// the records service), rotates to k2 and checks that each value now names
// k2 and opens with the context its owner uses. Reseal opening the owners'
// ciphertexts at all proves its contexts match theirs.
func TestResealEveryColumn(t *testing.T) {
	eachRecordWorld(t, func(t *testing.T, w *recordWorld) {
		keys := w.svc.Keys
		rec := &audit.Recorder{Store: w.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		g := &guard.Guard{Audit: rec}

		totp, err := keys.Seal([]byte("JBSWY3DPEHPK3PXP"), auth.TOTPContext(w.admin.UserID))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.db.SetTOTP(w.ctx, w.admin.UserID, totp, true, nil); err != nil {
			t.Fatal(err)
		}

		hooks := &webhook.Service{Store: w.db, Guard: g, Audit: rec, Keys: keys}
		if _, err := hooks.Create(w.ctx, w.admin, w.university.ID, webhook.Input{Provider: webhook.Chatwork, Name: "CC室",
			RoomID: "12345", Token: "abcdefghijklmnop1234", SigningSecret: "0123456789abcdef-secret"}); err != nil {
			t.Fatalf("webhook: %v", err)
		}

		agency := &identity.Organisation{Kind: identity.OrgAgency, Name: "さくら医師紹介"}
		if err := w.db.CreateOrganisation(w.ctx, agency); err != nil {
			t.Fatal(err)
		}
		agentGrant := identity.Grant{Role: identity.RoleAgent, OrgID: agency.ID}
		agent := policy.Actor{UserID: mustUser(t, w.db, "agent@sakura.example", agentGrant).ID, Grants: []identity.Grant{agentGrant}}
		pl := &placement.Service{Store: w.db, Guard: g, Audit: rec, Keys: keys, Now: func() time.Time { return time.Now().UTC() }}
		lead := &placement.Lead{AgencyID: agency.ID, Name: "山田 太郎", Source: placement.SourceManual}
		if err := w.db.CreateLead(w.ctx, lead); err != nil {
			t.Fatal(err)
		}
		c := &placement.Consultation{LeadID: lead.ID, Mode: placement.ModeOnline, ScheduledAt: time.Now().UTC(), MeetingURL: "https://meet.example.jp/abc"}
		if err := pl.ScheduleConsultation(w.ctx, agent, c); err != nil {
			t.Fatalf("schedule consultation: %v", err)
		}
		c.Notes = "転職の時期は来春"
		if _, err := pl.RecordConsultation(w.ctx, agent, c); err != nil {
			t.Fatalf("record consultation: %v", err)
		}

		if err := w.svc.GiveConsent(w.ctx, w.doctor, w.university.ID); err != nil {
			t.Fatal(err)
		}
		r := w.create(t, "メモ", "合意", "健康")
		mentoringOpens := sealMentoringForRotation(t, w)

		counts, err := w.db.SealedKeyCounts(w.ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, col := range sqlstore.SealedColumns() {
			i := slices.IndexFunc(counts, func(k sqlstore.KeyCount) bool { return k.Column == col })
			if i < 0 || counts[i].KeyID != "k1" || counts[i].Count != 1 {
				t.Fatalf("before rotation, %s: %+v", col, counts)
			}
		}

		rotated := w.keyring(t, "k1", "k2")
		var progress int
		results, err := w.db.Reseal(w.ctx, rotated, 1, func(sqlstore.ResealResult) { progress++ })
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != len(sqlstore.SealedColumns()) || progress != len(results) {
			t.Fatalf("results %+v, %d progress calls", results, progress)
		}
		for _, res := range results {
			if res.Resealed != 1 || res.Failed != 0 || res.Skipped != 0 {
				t.Errorf("%+v", res)
			}
		}
		counts, _ = w.db.SealedKeyCounts(w.ctx)
		for _, k := range counts {
			if k.KeyID != "k2" {
				t.Errorf("after rotation: %+v", k)
			}
		}

		// The owners open the resealed values.
		pl.Keys, w.svc.Keys = rotated, rotated
		mentoringOpens(rotated)
		got, err := pl.Consultation(w.ctx, agent, c.ID)
		if err != nil || got.Notes != c.Notes {
			t.Fatalf("consultation after rotation: %+v, %v", got, err)
		}
		gotRec, err := w.svc.Get(w.ctx, w.coordinator, r.ID)
		if err != nil || gotRec.HealthNotes != "健康" {
			t.Fatalf("record after rotation: %+v, %v", gotRec, err)
		}
		u, err := w.db.User(w.ctx, w.admin.UserID)
		if err != nil {
			t.Fatal(err)
		}
		if secret, err := rotated.Open(u.TOTPSecret, auth.TOTPContext(u.ID)); err != nil || string(secret) != "JBSWY3DPEHPK3PXP" {
			t.Fatalf("TOTP secret after rotation: %q, %v", secret, err)
		}
	})
}

// TestResealSkipsWhatItCannotOpen leaves a value sealed with a key the
// keyring lacks where it is, reports it, and reseals the rest.
func TestResealSkipsWhatItCannotOpen(t *testing.T) {
	eachRecordWorld(t, func(t *testing.T, w *recordWorld) {
		lost := w.keyring(t, "lost")
		a := w.create(t, "a", "", "")
		b := w.create(t, "b", "", "")
		foreign, err := lost.Seal([]byte("x"), records.SealContext(records.FieldNotes, a.ID))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.ExecForTest(w.ctx, `UPDATE consultation_records SET sealed_notes = $1 WHERE id = $2`, foreign, a.ID); err != nil {
			t.Fatal(err)
		}
		results, err := w.db.Reseal(w.ctx, w.keyring(t, "k1", "k2"), 10, nil)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(results, func(r sqlstore.ResealResult) bool { return r.Column == "consultation_records.sealed_notes" })
		if res := results[i]; res.Resealed != 1 || res.Failed != 1 || !slices.Equal(res.FailedIDs, []int64{a.ID}) {
			t.Fatalf("%+v", res)
		}
		stored, _ := w.db.Record(w.ctx, b.ID)
		if vault.KeyID(stored.Sealed.Notes) != "k2" {
			t.Errorf("b sealed with %q", vault.KeyID(stored.Sealed.Notes))
		}
	})
}

// TestSealedColumnsCoverTheSchema fails when a migration adds a column
// that looks sealed (its name says sealed, secret or token) without
// adding it to the columns key rotation re-encrypts.
func TestSealedColumnsCoverTheSchema(t *testing.T) {
	dsn := sqlstoretest.DSN(t, sqlstore.SQLite)
	sqlstoretest.OpenDSN(t, dsn)
	raw, err := sql.Open("sqlite", strings.TrimPrefix(dsn, "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.QueryContext(t.Context(), `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' ORDER BY m.name, p.cid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	// Columns whose names match but hold no vault ciphertext: hashes
	// (*_hash) and the search index.
	notSealed := []string{"openings_fts.tokens"}
	known := sqlstore.SealedColumns()
	for rows.Next() {
		var table, column string
		if err := rows.Scan(&table, &column); err != nil {
			t.Fatal(err)
		}
		name := table + "." + column
		looks := (strings.Contains(column, "sealed") || strings.Contains(column, "secret") || strings.Contains(column, "token")) &&
			!strings.HasSuffix(column, "_hash")
		if looks && !slices.Contains(known, name) && !slices.Contains(notSealed, name) {
			t.Errorf("%s looks sealed but key rotation does not know it: add it to sealedColumns in keys.go (or to notSealed here)", name)
		}
	}
}
