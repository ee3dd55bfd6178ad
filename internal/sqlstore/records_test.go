package sqlstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/records"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
	"github.com/hakui-dev/hakui/internal/vault"
)

// recordWorld is a migrated database with a university CC office, a
// prefecture, a coordinator, an administrator, a doctor enrolled in the
// prefecture's program and followed by the university, and the records
// service on a keyring with one key, k1.
type recordWorld struct {
	ctx         context.Context
	db          *sqlstore.DB
	raw         *sql.DB
	path        string // the SQLite file, "" on PostgreSQL
	svc         *records.Service
	k1          []byte
	university  *identity.Organisation
	prefecture  *identity.Organisation
	coordinator policy.Actor
	admin       policy.Actor
	doctor      policy.Actor
	program     *obligation.Program  // the prefecture's
	enrollment  *regional.Enrollment // the doctor's, followed by the university
}

func eachRecordWorld(t *testing.T, fn func(t *testing.T, w *recordWorld)) {
	sqlstoretest.Each(t, func(t *testing.T, dsn string) {
		w := &recordWorld{ctx: context.Background(), db: sqlstoretest.OpenDSN(t, dsn)}
		driver, source := "pgx", dsn
		if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
			driver, source, w.path = "sqlite", path, path
		}
		raw, err := sql.Open(driver, source)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		w.raw = raw
		w.k1 = make([]byte, 32)
		rand.Read(w.k1)
		rec := &audit.Recorder{Store: w.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		w.svc = &records.Service{Store: w.db, Guard: &guard.Guard{Audit: rec}, Audit: rec, Keys: w.keyring(t, "k1"),
			Now: func() time.Time { return time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC) }}
		org := func(kind identity.OrgKind, name string) *identity.Organisation {
			o := &identity.Organisation{Kind: kind, Name: name}
			if err := w.db.CreateOrganisation(w.ctx, o); err != nil {
				t.Fatal(err)
			}
			return o
		}
		w.university, w.prefecture = org(identity.OrgUniversity, "北山大学"), org(identity.OrgPrefecture, "北山県")
		actor := func(email string, g identity.Grant) policy.Actor {
			return policy.Actor{UserID: mustUser(t, w.db, email, g).ID, Grants: []identity.Grant{g}}
		}
		w.coordinator = actor("cc@kitayama-u.example", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.university.ID})
		w.admin = actor("head@kitayama-u.example", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.university.ID, OrgAdmin: true})
		w.doctor = actor("doctor@example.jp", identity.Grant{Role: identity.RoleDoctor})
		// The university follows the doctor, enrolled in the prefecture's program.
		w.program = &obligation.Program{PrefectureOrgID: w.prefecture.ID, Name: "北山県地域枠キャリア形成プログラム", TotalYears: 9,
			MinShortageYears: 4, DeadlineYears: 12}
		if err := w.db.CreateProgram(w.ctx, w.program); err != nil {
			t.Fatal(err)
		}
		w.enrollment = &regional.Enrollment{ProgramID: w.program.ID, DoctorID: w.doctor.UserID, CoordinatorOrgID: w.university.ID, StartYear: 2024}
		if err := w.db.CreateEnrollment(w.ctx, w.enrollment); err != nil {
			t.Fatal(err)
		}
		fn(t, w)
	})
}

// keyring returns k1 and fresh keys for the other ids, the last current.
func (w *recordWorld) keyring(t *testing.T, ids ...string) *vault.Keyring {
	t.Helper()
	k := vault.NewKeyring()
	for _, id := range ids {
		key := w.k1
		if id != "k1" {
			key = make([]byte, 32)
			rand.Read(key)
		}
		if err := k.Add(id, key); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

func (w *recordWorld) create(t *testing.T, notes, actions, health string) *records.Record {
	t.Helper()
	topics := []records.Topic{records.TopicCareer}
	if health != "" {
		topics = append(topics, records.TopicHealth)
	}
	held := records.Day(time.Date(2026, 10, 30, 3, 0, 0, 0, time.UTC))
	r, err := w.svc.Create(w.ctx, w.coordinator, &records.Record{OrgID: w.university.ID, DoctorID: w.doctor.UserID, HeldOn: held,
		Mode: records.ModeInPerson, Attendees: []string{"ATTENDEE-VISIBLE-7f3a"}, Topics: topics,
		Notes: notes, AgreedActions: actions, HealthNotes: health})
	if err != nil {
		t.Fatalf("create record: %v (%v)", err, apperr.FieldsOf(err))
	}
	return r
}

// TestRecordFilesHoldNoPlaintext writes records with distinctive text,
// reads them (which audits), edits one, and then looks for the text in the
// raw database: on SQLite in the bytes of the file and its write-ahead log
// once the database is closed, on PostgreSQL in the rows as text. The
// attendees, which are not confidential, are the control: the scan must
// find them.
func TestRecordFilesHoldNoPlaintext(t *testing.T) {
	eachRecordWorld(t, func(t *testing.T, w *recordWorld) {
		if err := w.svc.GiveConsent(w.ctx, w.doctor, w.university.ID); err != nil {
			t.Fatal(err)
		}
		secrets := []string{"NOTES-SECRET-91c2 専門医は総合診療を希望", "ACTIONS-SECRET-4be0 来月までに病院見学",
			"HEALTH-SECRET-0d7e 適応障害で通院中", "EDITED-SECRET-55aa 産休の予定を相談"}
		r := w.create(t, secrets[0], secrets[1], secrets[2])
		if _, err := w.svc.Get(w.ctx, w.coordinator, r.ID); err != nil {
			t.Fatal(err)
		}
		edit, err := w.svc.Get(w.ctx, w.coordinator, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		edit.Notes = secrets[3]
		if _, err := w.svc.Update(w.ctx, w.coordinator, edit); err != nil {
			t.Fatal(err)
		}
		w.create(t, secrets[0], secrets[1], "")

		if w.path == "" {
			var dump strings.Builder
			for _, q := range []string{`SELECT r::text FROM consultation_records r`, `SELECT a::text FROM audit_log a`} {
				rows, err := w.raw.QueryContext(w.ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				for rows.Next() {
					var s string
					if err := rows.Scan(&s); err != nil {
						t.Fatal(err)
					}
					dump.WriteString(s + "\n")
				}
				rows.Close()
			}
			checkNoPlaintext(t, "PostgreSQL rows", []byte(dump.String()), secrets)
			return
		}
		// Close every connection so that SQLite checkpoints; scan the log
		// too in case it stays.
		w.raw.Close()
		if err := w.db.Close(); err != nil {
			t.Fatal(err)
		}
		var all []byte
		for _, suffix := range []string{"", "-wal", "-journal"} {
			b, err := os.ReadFile(w.path + suffix)
			if os.IsNotExist(err) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			checkNoPlaintext(t, "SQLite file "+suffix, b, secrets)
			all = append(all, b...)
		}
		if !bytes.Contains(all, []byte("ATTENDEE-VISIBLE-7f3a")) {
			t.Fatal("control failed: the attendees are not in the files, so the scan proves nothing")
		}
	})
}

func checkNoPlaintext(t *testing.T, where string, b []byte, secrets []string) {
	t.Helper()
	for _, s := range secrets {
		for _, part := range strings.Fields(s) {
			if bytes.Contains(b, []byte(part)) {
				t.Errorf("%s contains the plaintext %q", where, part)
			}
		}
	}
	if where == "PostgreSQL rows" && !bytes.Contains(b, []byte("ATTENDEE-VISIBLE-7f3a")) {
		t.Error("control failed: the attendees are not in the rows")
	}
}

func TestRecordStoreRoundTrip(t *testing.T) {
	eachRecordWorld(t, func(t *testing.T, w *recordWorld) {
		r := w.create(t, "メモ", "", "")
		got, err := w.db.Record(w.ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.OrgID != w.university.ID || got.DoctorID != w.doctor.UserID || got.AuthorName == "" || got.Mode != records.ModeInPerson ||
			got.HeldOn.Format(time.DateOnly) != "2026-10-30" || got.NextMeeting != nil || len(got.Topics) != 1 ||
			vault.KeyID(got.Sealed.Notes) != "k1" || got.Sealed.AgreedActions != "" || got.Version != 1 {
			t.Fatalf("stored %+v", got)
		}
		if _, err := w.db.Record(w.ctx, r.ID+100); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing record: %v", err)
		}
		// Versioned update: the stale version conflicts, a missing row is not found.
		got.Version = 7
		if err := w.db.UpdateRecord(w.ctx, got); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("stale update: %v", err)
		}
		got.ID, got.Version = r.ID+100, 1
		if err := w.db.UpdateRecord(w.ctx, got); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing update: %v", err)
		}
		list, err := w.db.Records(w.ctx, records.Filter{OrgIDs: []int64{w.prefecture.ID, w.university.ID}, DoctorID: w.doctor.UserID})
		if err != nil || len(list) != 1 {
			t.Fatalf("Records = %v, %v", list, err)
		}
		if list, _ := w.db.Records(w.ctx, records.Filter{OrgIDs: []int64{w.prefecture.ID}}); len(list) != 0 {
			t.Errorf("the prefecture's records = %v", list)
		}

		a := &records.Agreement{OrgID: w.university.ID, PartnerOrgID: w.prefecture.ID, Roles: []identity.Role{identity.RolePrefectureOfficer},
			Topics: []records.Topic{records.TopicCareer}, Purpose: "運用", CreatedBy: w.admin.UserID}
		if err := w.db.CreateAgreement(w.ctx, a); err != nil {
			t.Fatal(err)
		}
		dup := *a
		if err := w.db.CreateAgreement(w.ctx, &dup); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("second agreement in force: %v", err)
		}
		for _, f := range []records.AgreementFilter{{OrgID: w.university.ID}, {PartnerOrgID: w.prefecture.ID, Active: true}, {Involving: w.prefecture.ID}} {
			if list, err := w.db.Agreements(w.ctx, f); err != nil || len(list) != 1 || list[0].Roles[0] != identity.RolePrefectureOfficer {
				t.Errorf("Agreements(%+v) = %+v, %v", f, list, err)
			}
		}
		if err := w.db.RevokeAgreement(w.ctx, a.ID, w.admin.UserID, time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := w.db.RevokeAgreement(w.ctx, a.ID, w.admin.UserID, time.Now()); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("second revocation: %v", err)
		}
		if list, _ := w.db.Agreements(w.ctx, records.AgreementFilter{OrgID: w.university.ID, Active: true}); len(list) != 0 {
			t.Errorf("active after revocation: %+v", list)
		}
		got2, err := w.db.Agreement(w.ctx, a.ID)
		if err != nil || got2.Active() || got2.RevokedBy != w.admin.UserID {
			t.Errorf("revoked agreement = %+v, %v", got2, err)
		}
		if err := w.db.CreateAgreement(w.ctx, &dup); err != nil {
			t.Errorf("new agreement after revocation: %v", err)
		}

		c := &records.Consent{DoctorID: w.doctor.UserID, OrgID: w.university.ID}
		if err := w.db.GiveConsent(w.ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := w.db.GiveConsent(w.ctx, &records.Consent{DoctorID: w.doctor.UserID, OrgID: w.university.ID}); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("second consent in force: %v", err)
		}
		if err := w.db.WithdrawConsent(w.ctx, w.doctor.UserID, w.university.ID, time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if ok, _ := w.db.ConsentInForce(w.ctx, w.doctor.UserID, w.university.ID); ok {
			t.Error("consent in force after withdrawal")
		}
		if err := w.db.WithdrawConsent(w.ctx, w.doctor.UserID, w.university.ID, time.Now()); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("second withdrawal: %v", err)
		}
	})
}

// TestFollows checks which organisations follow a doctor: the coordinating
// office of an enrolment and the prefecture whose program it is, departed
// or not; no one else, and no one follows a doctor in no program.
func TestFollows(t *testing.T) {
	eachRecordWorld(t, func(t *testing.T, w *recordWorld) {
		org := func(kind identity.OrgKind, name string) int64 {
			o := &identity.Organisation{Kind: kind, Name: name}
			if err := w.db.CreateOrganisation(w.ctx, o); err != nil {
				t.Fatal(err)
			}
			return o.ID
		}
		otherUniversity, otherPrefecture := org(identity.OrgUniversity, "南川大学"), org(identity.OrgPrefecture, "南川県")
		// A second doctor is in the other prefecture's program, with no office.
		second := mustUser(t, w.db, "second@example.jp", identity.Grant{Role: identity.RoleDoctor})
		program := &obligation.Program{PrefectureOrgID: otherPrefecture, Name: "南川県地域枠", TotalYears: 9, DeadlineYears: 12}
		if err := w.db.CreateProgram(w.ctx, program); err != nil {
			t.Fatal(err)
		}
		if err := w.db.CreateEnrollment(w.ctx, &regional.Enrollment{ProgramID: program.ID, DoctorID: second.ID, StartYear: 2024}); err != nil {
			t.Fatal(err)
		}
		check := func(when string) {
			t.Helper()
			for _, tt := range []struct {
				name          string
				org, doctorID int64
				want          bool
			}{
				{"coordinating office", w.university.ID, w.doctor.UserID, true},
				{"the program's prefecture", w.prefecture.ID, w.doctor.UserID, true},
				{"another university", otherUniversity, w.doctor.UserID, false},
				{"another prefecture", otherPrefecture, w.doctor.UserID, false},
				{"prefecture, no office", otherPrefecture, second.ID, true},
				{"the university, another program's doctor", w.university.ID, second.ID, false},
				{"the prefecture, another program's doctor", w.prefecture.ID, second.ID, false},
				{"a doctor in no program", w.university.ID, w.admin.UserID, false},
				{"no such organisation", 0, w.doctor.UserID, false},
			} {
				got, err := w.db.Follows(w.ctx, tt.org, tt.doctorID)
				if err != nil || got != tt.want {
					t.Errorf("%s, %s: Follows = %v, %v, want %v", when, tt.name, got, err, tt.want)
				}
			}
		}
		check("enrolled")
		w.enrollment.Departure = &obligation.Departure{On: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Reason: "県外の病院へ異動"}
		if err := w.db.SaveLedger(w.ctx, w.enrollment, regional.LedgerChange{}); err != nil {
			t.Fatal(err)
		}
		check("departed")
	})
}

// TestRecordSchemaConstraints checks that the schema refuses what the
// service never writes: plaintext in a sealed column, unknown topics or
// roles, health notes without the health topic, and so on.
func TestRecordSchemaConstraints(t *testing.T) {
	eachRecordWorld(t, func(t *testing.T, w *recordWorld) {
		r := w.create(t, "メモ", "", "")
		uni, pref, doc, cc := w.university.ID, w.prefecture.ID, w.doctor.UserID, w.coordinator.UserID
		insert := `INSERT INTO consultation_records (org_id, doctor_id, author_id, held_on, mode, attendees, topics, sealed_notes,
			sealed_health_notes, next_meeting_on, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)`
		now := time.Now().UTC()
		ok := []any{uni, doc, cc, "2026-10-30", "online", `[]`, `["career"]`, "v1:k1:AAAA", "", nil, now}
		with := func(i int, v any) []any { args := append([]any(nil), ok...); args[i] = v; return args }
		bad := map[string]struct {
			query string
			args  []any
		}{
			"plaintext notes":         {insert, with(7, "生の面談メモ")},
			"plaintext health notes":  {insert, with(8, "不眠")},
			"health notes, no topic":  {insert, with(8, "v1:k1:AAAA")},
			"unknown topic":           {insert, with(6, `["career","money"]`)},
			"no topic":                {insert, with(6, `[]`)},
			"mode":                    {insert, with(4, "phone")},
			"date":                    {insert, with(3, "30/10/2026")},
			"next before held":        {insert, with(9, "2026-10-01")},
			"attendees not an array":  {insert, with(5, `{"a":1}`)},
			"agreement with itself":   {`INSERT INTO agreements (org_id, partner_org_id, roles, topics, purpose, created_by, created_at) VALUES ($1, $1, '["coordinator"]', '["career"]', 'x', $2, $3)`, []any{uni, cc, now}},
			"agreement unknown role":  {`INSERT INTO agreements (org_id, partner_org_id, roles, topics, purpose, created_by, created_at) VALUES ($1, $2, '["doctor"]', '["career"]', 'x', $3, $4)`, []any{uni, pref, cc, now}},
			"agreement no purpose":    {`INSERT INTO agreements (org_id, partner_org_id, roles, topics, purpose, created_by, created_at) VALUES ($1, $2, '["coordinator"]', '["career"]', '', $3, $4)`, []any{uni, pref, cc, now}},
			"revoked without revoker": {`INSERT INTO agreements (org_id, partner_org_id, roles, topics, purpose, created_by, created_at, revoked_at) VALUES ($1, $2, '["coordinator"]', '["career"]', 'x', $3, $4, $4)`, []any{uni, pref, cc, now}},
			"record of no doctor":     {insert, with(1, int64(999999))},
		}
		for name, tt := range bad {
			if _, err := w.db.ExecForTest(w.ctx, tt.query, tt.args...); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		if _, err := w.db.ExecForTest(w.ctx, insert, ok...); err != nil {
			t.Errorf("valid row refused: %v", err)
		}
		if _, err := w.db.ExecForTest(w.ctx, `UPDATE consultation_records SET sealed_agreed_actions = 'plain' WHERE id = $1`, r.ID); err == nil {
			t.Error("plaintext update accepted")
		}
	})
}
