package records_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"slices"
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

// world is a university CC office that writes records, the prefecture it
// may share them with, another prefecture, their people and two doctors,
// on a real database.
type world struct {
	t                 *testing.T
	ctx               context.Context
	db                *sqlstore.DB
	svc               *records.Service
	now               time.Time
	k1                []byte
	university        int64
	prefecture, other int64
	coordinator       policy.Actor // coordinator of the university
	ccAdmin           policy.Actor // coordinator and administrator of the university
	officer           policy.Actor // prefecture officer
	prefCoordinator   policy.Actor // coordinator of the prefecture: a role the agreement does not name
	prefAdmin         policy.Actor // officer and administrator of the prefecture
	otherOfficer      policy.Actor // officer of the other prefecture
	doctor, stranger  policy.Actor
}

func eachEngine(t *testing.T, fn func(t *testing.T, w *world)) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, newWorld(t, engine)) })
	}
}

func newWorld(t *testing.T, engine sqlstore.Dialect) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: sqlstoretest.Open(t, engine), now: time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)}
	w.db.Now = func() time.Time { return w.now }
	w.k1 = make([]byte, 32)
	if _, err := rand.Read(w.k1); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := &audit.Recorder{Store: w.db, Log: log}
	w.svc = &records.Service{Store: w.db, Guard: &guard.Guard{Audit: rec}, Audit: rec, Keys: w.keyring("k1"),
		Now: func() time.Time { return w.now }}

	w.university = w.org(identity.OrgUniversity, "北山大学 地域医療支援センター")
	w.prefecture = w.org(identity.OrgPrefecture, "北山県")
	w.other = w.org(identity.OrgPrefecture, "南川県")
	w.coordinator = w.user("cc@kitayama-u.example", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.university})
	w.ccAdmin = w.user("head@kitayama-u.example", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.university, OrgAdmin: true})
	w.officer = w.user("officer@pref.kitayama.example", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.prefecture})
	w.prefCoordinator = w.user("cc@pref.kitayama.example", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.prefecture})
	w.prefAdmin = w.user("admin@pref.kitayama.example", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.prefecture, OrgAdmin: true})
	w.otherOfficer = w.user("officer@pref.minamikawa.example", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.other})
	w.doctor = w.user("doctor@example.jp", identity.Grant{Role: identity.RoleDoctor})
	w.stranger = w.user("other-doctor@example.jp", identity.Grant{Role: identity.RoleDoctor})
	// The doctor is in the prefecture's program, followed by the university.
	w.enroll(w.program(w.prefecture), w.doctor.UserID, w.university)
	return w
}

// program creates a キャリア形成プログラム of the prefecture.
func (w *world) program(prefecture int64) int64 {
	w.t.Helper()
	p := &obligation.Program{PrefectureOrgID: prefecture, Name: "地域枠キャリア形成プログラム", TotalYears: 9, MinShortageYears: 4,
		DeadlineYears: 12, StartBasis: "卒業の翌年度"}
	if err := w.db.CreateProgram(w.ctx, p); err != nil {
		w.t.Fatalf("CreateProgram: %v", err)
	}
	return p.ID
}

// enroll enrols the doctor in the program, followed by the coordinating
// office (0 for none), and returns the enrolment.
func (w *world) enroll(programID, doctorID, coordinatorOrgID int64) *regional.Enrollment {
	w.t.Helper()
	e := &regional.Enrollment{ProgramID: programID, DoctorID: doctorID, CoordinatorOrgID: coordinatorOrgID, StartYear: 2024}
	if err := w.db.CreateEnrollment(w.ctx, e); err != nil {
		w.t.Fatalf("CreateEnrollment: %v", err)
	}
	return e
}

// keyring returns a keyring with k1 (the world's key) and fresh keys for
// the other ids, the last current.
func (w *world) keyring(ids ...string) *vault.Keyring {
	k := vault.NewKeyring()
	for _, id := range ids {
		key := w.k1
		if id != "k1" {
			key = make([]byte, 32)
			rand.Read(key)
		}
		if err := k.Add(id, key); err != nil {
			w.t.Fatal(err)
		}
	}
	return k
}

func (w *world) org(kind identity.OrgKind, name string) int64 {
	o := &identity.Organisation{Kind: kind, Name: name}
	if err := w.db.CreateOrganisation(w.ctx, o); err != nil {
		w.t.Fatal(err)
	}
	return o.ID
}

func (w *world) user(email string, g identity.Grant) policy.Actor {
	u := &identity.User{Email: email, DisplayName: strings.Split(email, "@")[0], PasswordHash: "x", Locale: "ja"}
	if err := w.db.CreateUser(w.ctx, u, []identity.Grant{g}); err != nil {
		w.t.Fatal(err)
	}
	return policy.Actor{UserID: u.ID, Grants: []identity.Grant{g}}
}

func day(y int, m time.Month, d int) time.Time {
	return records.Day(time.Date(y, m, d, 12, 0, 0, 0, time.UTC))
}

// record returns a valid record of the university about the doctor.
func (w *world) record(topics ...records.Topic) *records.Record {
	next := day(2026, 12, 1)
	return &records.Record{OrgID: w.university, DoctorID: w.doctor.UserID, HeldOn: day(2026, 10, 30), Mode: records.ModeOnline,
		Attendees: []string{"山田 花子 (CC)", "佐藤 医師"}, Topics: topics,
		Notes: "専門研修は内科を希望。3年目に医師少数区域の病院を考えている。", AgreedActions: "次回までにプログラム一覧を送る。", NextMeeting: &next}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v (fields %v)", err, apperr.FieldsOf(err))
	}
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if apperr.CodeOf(err) != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

// reads returns the record.read entries about the doctor for records.
func (w *world) reads(doctorID int64) []audit.Entry {
	w.t.Helper()
	entries, err := w.db.ListAudit(w.ctx, audit.Filter{SubjectID: doctorID, ActionPrefix: audit.ConfidentialRead})
	noErr(w.t, err)
	var out []audit.Entry
	for _, e := range entries {
		if e.ObjectKind == string(policy.KindRecord) {
			out = append(out, e)
		}
	}
	return out
}

func TestSharingByAgreement(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		r, err := w.svc.Create(w.ctx, w.coordinator, w.record(records.TopicCareer, records.TopicObligation))
		noErr(t, err)
		if r.Version != 1 || r.AuthorID != w.coordinator.UserID {
			t.Fatalf("created %+v", r)
		}

		// The writing office reads its own record; the read is audited.
		got, err := w.svc.Get(w.ctx, w.coordinator, r.ID)
		noErr(t, err)
		if got.Notes != w.record().Notes || got.AgreedActions != w.record().AgreedActions || got.Sealed != (records.Sealed{}) {
			t.Fatalf("Get = %+v", got)
		}
		if n := len(w.reads(w.doctor.UserID)); n != 1 {
			t.Fatalf("%d reads audited, want 1", n)
		}

		// Without an agreement nothing is shared.
		for name, a := range map[string]policy.Actor{"officer": w.officer, "prefecture coordinator": w.prefCoordinator,
			"prefecture admin": w.prefAdmin, "doctor": w.doctor, "other officer": w.otherOfficer} {
			_, err := w.svc.Get(w.ctx, a, r.ID)
			if !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s without agreement: err = %v, want not_found", name, err)
			}
		}
		if list, err := w.svc.List(w.ctx, w.officer, w.doctor.UserID); err != nil || len(list) != 0 {
			t.Fatalf("officer's list without agreement = %v, %v", list, err)
		}

		// Only the university's administrator makes the agreement.
		in := &records.Agreement{OrgID: w.university, PartnerOrgID: w.prefecture, Roles: []identity.Role{identity.RolePrefectureOfficer},
			Topics: []records.Topic{records.TopicCareer, records.TopicObligation}, Purpose: "キャリア形成プログラムの運用のため"}
		_, err = w.svc.CreateAgreement(w.ctx, w.coordinator, in)
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.CreateAgreement(w.ctx, w.prefAdmin, in)
		wantCode(t, err, apperr.Forbidden)
		a, err := w.svc.CreateAgreement(w.ctx, w.ccAdmin, in)
		noErr(t, err)
		_, err = w.svc.CreateAgreement(w.ctx, w.ccAdmin, in)
		wantCode(t, err, apperr.Conflict)

		// Both sides' administrators see it; others do not.
		for _, admin := range []policy.Actor{w.ccAdmin, w.prefAdmin} {
			list, err := w.svc.Agreements(w.ctx, admin, admin.Grants[0].OrgID)
			noErr(t, err)
			if len(list) != 1 || list[0].ID != a.ID {
				t.Fatalf("agreements = %+v", list)
			}
		}
		_, err = w.svc.Agreements(w.ctx, w.officer, w.prefecture)
		wantCode(t, err, apperr.Forbidden)

		// The prefecture's officers read it now; its coordinators, another
		// prefecture and the doctor still do not.
		got, err = w.svc.Get(w.ctx, w.officer, r.ID)
		noErr(t, err)
		if got.Notes != w.record().Notes {
			t.Fatalf("officer reads %q", got.Notes)
		}
		for name, a := range map[string]policy.Actor{"prefecture coordinator": w.prefCoordinator, "other officer": w.otherOfficer, "doctor": w.doctor} {
			if _, err := w.svc.Get(w.ctx, a, r.ID); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s with agreement: err = %v, want not_found", name, err)
			}
		}
		list, err := w.svc.List(w.ctx, w.officer, w.doctor.UserID)
		noErr(t, err)
		if len(list) != 1 || list[0].ID != r.ID || list[0].Notes != "" || list[0].Sealed != (records.Sealed{}) {
			t.Fatalf("officer's list = %+v, want the record's metadata only", list)
		}

		// A record with a topic the agreement does not name stays home.
		private, err := w.svc.Create(w.ctx, w.coordinator, w.record(records.TopicCareer, records.TopicLifeEvents))
		noErr(t, err)
		if _, err := w.svc.Get(w.ctx, w.officer, private.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("life-events record: err = %v, want not_found", err)
		}
		if list, _ := w.svc.List(w.ctx, w.officer, w.doctor.UserID); len(list) != 1 {
			t.Errorf("officer's list = %d records, want 1", len(list))
		}
		if list, _ := w.svc.List(w.ctx, w.coordinator, w.doctor.UserID); len(list) != 2 {
			t.Errorf("coordinator's list = %d records, want 2", len(list))
		}

		// Revoked by the sharing side only: the prefecture reads nothing more.
		wantCode(t, w.svc.RevokeAgreement(w.ctx, w.prefAdmin, a.ID), apperr.NotFound)
		noErr(t, w.svc.RevokeAgreement(w.ctx, w.ccAdmin, a.ID))
		if _, err := w.svc.Get(w.ctx, w.officer, r.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("after revocation: err = %v, want not_found", err)
		}
		if list, _ := w.svc.List(w.ctx, w.officer, w.doctor.UserID); len(list) != 0 {
			t.Errorf("officer's list after revocation = %d records", len(list))
		}
		// A new agreement may follow the revoked one.
		_, err = w.svc.CreateAgreement(w.ctx, w.ccAdmin, in)
		noErr(t, err)
		logged, err := w.db.ListAudit(w.ctx, audit.Filter{ActionPrefix: "agreement."})
		noErr(t, err)
		var actions []string
		for _, e := range logged {
			actions = append(actions, e.Action)
		}
		if want := []string{audit.AgreementCreated, audit.AgreementRevoked, audit.AgreementCreated}; !slices.Equal(actions, want) {
			t.Errorf("agreement audit = %v, want %v (latest first)", actions, want)
		}

		// Every read was audited about the doctor, who sees who read what.
		reads := w.reads(w.doctor.UserID)
		if len(reads) != 2 || reads[0].ActorID != w.officer.UserID || reads[1].ActorID != w.coordinator.UserID {
			t.Fatalf("audited reads = %+v", reads)
		}
		trail, err := w.svc.AuditTrail(w.ctx, w.doctor, w.doctor.UserID)
		noErr(t, err)
		if len(trail) != 2 || trail[0].ReaderID != w.officer.UserID || trail[0].RecordID != r.ID || trail[0].Reader != "officer" ||
			!strings.Contains(trail[0].Detail, "北山県（都道府県担当者）") || !strings.Contains(trail[0].Detail, "2026-10-30") ||
			!trail[0].At.Equal(w.now) {
			t.Fatalf("trail = %+v", trail)
		}
		if !strings.Contains(trail[1].Detail, "北山大学 地域医療支援センター（キャリアコーディネーター）") {
			t.Errorf("coordinator's read: %q", trail[1].Detail)
		}
		_, err = w.svc.AuditTrail(w.ctx, w.stranger, w.doctor.UserID)
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.AuditTrail(w.ctx, w.coordinator, w.doctor.UserID)
		wantCode(t, err, apperr.Forbidden)
	})
}

func TestHealthTopicsNeedConsent(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		in := w.record(records.TopicCareer, records.TopicHealth)
		in.HealthNotes = "夜勤の続く時期に不眠がある。"
		_, err := w.svc.Create(w.ctx, w.coordinator, in)
		wantCode(t, err, apperr.Invalid)
		if apperr.FieldsOf(err)["topics"] == "" {
			t.Fatalf("fields = %v, want topics", apperr.FieldsOf(err))
		}
		// Health notes need the health topic.
		noHealth := w.record(records.TopicCareer)
		noHealth.HealthNotes = "x"
		_, err = w.svc.Create(w.ctx, w.coordinator, noHealth)
		wantCode(t, err, apperr.Invalid)

		// Only the doctor consents, for themselves; the consent is audited.
		wantCode(t, w.svc.GiveConsent(w.ctx, w.coordinator, w.university), apperr.Forbidden)
		noErr(t, w.svc.GiveConsent(w.ctx, w.doctor, w.university))
		noErr(t, w.svc.GiveConsent(w.ctx, w.doctor, w.university)) // again: nothing changes
		if ok, err := w.svc.HealthConsent(w.ctx, w.coordinator, w.university, w.doctor.UserID); err != nil || !ok {
			t.Fatalf("HealthConsent = %v, %v", ok, err)
		}
		// Consent to the university does not cover another organisation.
		if ok, _ := w.db.ConsentInForce(w.ctx, w.doctor.UserID, w.prefecture); ok {
			t.Fatal("consent leaked to the prefecture")
		}
		r, err := w.svc.Create(w.ctx, w.coordinator, in)
		noErr(t, err)
		got, err := w.svc.Get(w.ctx, w.coordinator, r.ID)
		noErr(t, err)
		if got.HealthNotes != in.HealthNotes {
			t.Fatalf("health notes = %q", got.HealthNotes)
		}

		// Shared only under an agreement naming health, while the consent
		// is in force.
		a := &records.Agreement{OrgID: w.university, PartnerOrgID: w.prefecture, Roles: []identity.Role{identity.RolePrefectureOfficer},
			Topics: []records.Topic{records.TopicCareer, records.TopicHealth}, Purpose: "健康上の配慮を配置に反映するため"}
		_, err = w.svc.CreateAgreement(w.ctx, w.ccAdmin, a)
		noErr(t, err)
		_, err = w.svc.Get(w.ctx, w.officer, r.ID)
		noErr(t, err)

		noErr(t, w.svc.WithdrawConsent(w.ctx, w.doctor, w.university))
		if _, err := w.svc.Get(w.ctx, w.officer, r.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("after withdrawal the prefecture reads: err = %v", err)
		}
		// The office keeps what it recorded, but records no more health.
		_, err = w.svc.Get(w.ctx, w.coordinator, r.ID)
		noErr(t, err)
		_, err = w.svc.Create(w.ctx, w.coordinator, in)
		wantCode(t, err, apperr.Invalid)

		consents, err := w.svc.Consents(w.ctx, w.doctor)
		noErr(t, err)
		if len(consents) != 1 || consents[0].WithdrawnAt == nil {
			t.Fatalf("consents = %+v", consents)
		}
		entries, err := w.db.ListAudit(w.ctx, audit.Filter{SubjectID: w.doctor.UserID, ActionPrefix: "consent."})
		noErr(t, err)
		if len(entries) != 2 || entries[0].Action != audit.ConsentWithdrawn || entries[1].Action != audit.ConsentGiven {
			t.Fatalf("consent audit = %+v", entries)
		}
	})
}

func TestRecordValidationAndVersions(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		bad := map[string]func(r *records.Record){
			"no date":           func(r *records.Record) { r.HeldOn = time.Time{} },
			"future date":       func(r *records.Record) { r.HeldOn = day(2026, 11, 3) },
			"mode":              func(r *records.Record) { r.Mode = "phone" },
			"no topic":          func(r *records.Record) { r.Topics = nil },
			"unknown topic":     func(r *records.Record) { r.Topics = []records.Topic{"money"} },
			"duplicate topic":   func(r *records.Record) { r.Topics = []records.Topic{records.TopicCareer, records.TopicCareer} },
			"empty notes":       func(r *records.Record) { r.Notes = " " },
			"long notes":        func(r *records.Record) { r.Notes = strings.Repeat("あ", records.MaxNotes+1) },
			"blank attendee":    func(r *records.Record) { r.Attendees = []string{""} },
			"next before held":  func(r *records.Record) { d := day(2026, 10, 1); r.NextMeeting = &d },
			"not a doctor":      func(r *records.Record) { r.DoctorID = w.officer.UserID },
			"writer's org kind": func(r *records.Record) { r.OrgID = 0 },
		}
		for name, change := range bad {
			in := w.record(records.TopicCareer)
			change(in)
			if _, err := w.svc.Create(w.ctx, w.coordinator, in); err == nil {
				t.Errorf("%s: created", name)
			}
		}
		// Written on the day itself (JST): 2026-11-02 10:00 JST.
		today := w.record(records.TopicCareer)
		today.HeldOn = day(2026, 11, 2)
		_, err := w.svc.Create(w.ctx, w.coordinator, today)
		noErr(t, err)
		// Another organisation cannot write into the university's records.
		_, err = w.svc.Create(w.ctx, w.officer, w.record(records.TopicCareer))
		wantCode(t, err, apperr.Forbidden)

		r, err := w.svc.Create(w.ctx, w.coordinator, w.record(records.TopicCareer))
		noErr(t, err)
		edit := *r
		edit.Notes, edit.Topics, edit.NextMeeting = "内科に決定。", []records.Topic{records.TopicSpecialty}, nil
		updated, err := w.svc.Update(w.ctx, w.ccAdmin, &edit)
		noErr(t, err)
		if updated.Version != 2 {
			t.Fatalf("version = %d", updated.Version)
		}
		_, err = w.svc.Update(w.ctx, w.coordinator, &edit) // still version 1
		wantCode(t, err, apperr.Conflict)
		_, err = w.svc.Update(w.ctx, w.officer, updated)
		wantCode(t, err, apperr.NotFound)
		got, err := w.svc.Get(w.ctx, w.coordinator, r.ID)
		noErr(t, err)
		if got.Notes != "内科に決定。" || got.AgreedActions != w.record().AgreedActions || got.NextMeeting != nil ||
			len(got.Topics) != 1 || got.Version != 2 || !got.HeldOn.Equal(day(2026, 10, 30)) || len(got.Attendees) != 2 {
			t.Fatalf("after update: %+v", got)
		}
	})
}

// TestWritesOnlyAboutFollowedDoctors checks that an organisation writes
// records only about the doctors it follows: as the coordinating office of
// an enrolment, or as the prefecture whose program it is, even after the
// doctor left it. Any other doctor gets the answer a user who does not
// exist gets, so that nothing leaks.
func TestWritesOnlyAboutFollowedDoctors(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		otherUniversity := w.org(identity.OrgUniversity, "南川大学 地域医療支援センター")
		otherCC := w.user("cc@minamikawa-u.example", identity.Grant{Role: identity.RoleCoordinator, OrgID: otherUniversity})
		otherPrefCC := w.user("cc@pref.minamikawa.example", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.other})
		// The stranger is in the other prefecture's program, with no office.
		e := w.enroll(w.program(w.other), w.stranger.UserID, 0)

		about := func(org, doctor int64) *records.Record {
			r := w.record(records.TopicCareer)
			r.OrgID, r.DoctorID = org, doctor
			return r
		}
		notFound := map[string]struct {
			actor policy.Actor
			in    *records.Record
		}{
			"university that does not follow the doctor":     {otherCC, about(otherUniversity, w.doctor.UserID)},
			"prefecture whose program the doctor is not in":  {otherPrefCC, about(w.other, w.doctor.UserID)},
			"the university, about another program's doctor": {w.coordinator, about(w.university, w.stranger.UserID)},
			"the prefecture, about another program's doctor": {w.prefCoordinator, about(w.prefecture, w.stranger.UserID)},
			"a user who does not exist":                      {w.coordinator, about(w.university, 999999)},
		}
		for name, tt := range notFound {
			_, err := w.svc.Create(w.ctx, tt.actor, tt.in)
			if got := apperr.FieldsOf(err); apperr.CodeOf(err) != apperr.Invalid || len(got) != 1 || got["doctor_id"] != "医師が見つかりません。" {
				t.Errorf("%s: err = %v, fields %v, want only doctor_id 医師が見つかりません。", name, err, got)
			}
		}

		// The coordinating office and the program's prefecture write.
		for name, tt := range map[string]struct {
			actor policy.Actor
			in    *records.Record
		}{
			"coordinating office":      {w.coordinator, about(w.university, w.doctor.UserID)},
			"the program's prefecture": {w.prefCoordinator, about(w.prefecture, w.doctor.UserID)},
			"prefecture, no office":    {otherPrefCC, about(w.other, w.stranger.UserID)},
		} {
			if _, err := w.svc.Create(w.ctx, tt.actor, tt.in); err != nil {
				t.Errorf("%s: %v (fields %v)", name, err, apperr.FieldsOf(err))
			}
		}

		// A departure does not end it.
		e.Departure = &obligation.Departure{On: day(2026, 4, 1), Reason: "県外の病院へ異動"}
		noErr(t, w.db.SaveLedger(w.ctx, e, regional.LedgerChange{}))
		_, err := w.svc.Create(w.ctx, otherPrefCC, about(w.other, w.stranger.UserID))
		noErr(t, err)
	})
}

// TestRotationReseals seals records with k1, rotates to k2 and checks that
// every field now names k2 and still opens, and that k1 alone no longer
// opens them.
func TestRotationReseals(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		noErr(t, w.svc.GiveConsent(w.ctx, w.doctor, w.university))
		in := w.record(records.TopicCareer, records.TopicHealth)
		in.HealthNotes = "腰痛で当直を減らしたい。"
		var ids []int64
		for i := 0; i < 5; i++ {
			r, err := w.svc.Create(w.ctx, w.coordinator, in)
			noErr(t, err)
			ids = append(ids, r.ID)
		}
		rotated := w.keyring("k1", "k2")
		results, err := w.db.Reseal(w.ctx, rotated, 2, nil)
		noErr(t, err)
		total := 0
		for _, res := range results {
			total += res.Resealed
			if res.Failed != 0 || res.Skipped != 0 {
				t.Errorf("%+v", res)
			}
		}
		if total != 15 {
			t.Fatalf("resealed %d values, want 15 (5 records × 3 fields)", total)
		}
		old := w.svc.Keys
		w.svc.Keys = rotated
		for _, id := range ids {
			stored, err := w.db.Record(w.ctx, id)
			noErr(t, err)
			for _, ct := range []string{stored.Sealed.Notes, stored.Sealed.AgreedActions, stored.Sealed.HealthNotes} {
				if vault.KeyID(ct) != "k2" {
					t.Fatalf("record %d still sealed with %q", id, vault.KeyID(ct))
				}
			}
			got, err := w.svc.Get(w.ctx, w.coordinator, id)
			noErr(t, err)
			if got.Notes != in.Notes || got.HealthNotes != in.HealthNotes || got.AgreedActions != in.AgreedActions {
				t.Fatalf("after rotation: %+v", got)
			}
		}
		w.svc.Keys = old
		if _, err := w.svc.Get(w.ctx, w.coordinator, ids[0]); !apperr.Is(err, apperr.Internal) {
			t.Fatalf("k1 alone opened a k2 value: err = %v", err)
		}
		// Running again finds nothing left to do.
		results, err = w.db.Reseal(w.ctx, rotated, 2, nil)
		noErr(t, err)
		for _, res := range results {
			if res.Resealed != 0 {
				t.Errorf("second run resealed %+v", res)
			}
		}
	})
}
