package sqlstore_test

import (
	"bytes"
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
	"github.com/hakui-dev/hakui/internal/mentoring"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/vault"
)

// mentoringWorld adds to a record world a mentor and the mentoring
// service on the same keyring, with a pair of the mentor and the doctor
// arranged by the university.
type mentoringWorld struct {
	*recordWorld
	svc    *mentoring.Service
	mentor policy.Actor
	pair   *mentoring.Pair
}

func eachMentoringWorld(t *testing.T, fn func(t *testing.T, w *mentoringWorld)) {
	eachRecordWorld(t, func(t *testing.T, rw *recordWorld) {
		w := &mentoringWorld{recordWorld: rw}
		w.svc = newMentoringService(rw, rw.svc.Keys)
		g := identity.Grant{Role: identity.RoleDoctor}
		w.mentor = policy.Actor{UserID: mustUser(t, rw.db, "mentor@example.jp", g).ID, Grants: []identity.Grant{g}}
		var err error
		w.pair, err = w.svc.CreatePair(rw.ctx, rw.coordinator, &mentoring.Pair{OrgID: rw.university.ID, MentorID: w.mentor.UserID,
			MenteeID: rw.doctor.UserID, StartsOn: mentoring.Day(time.Date(2026, 4, 1, 3, 0, 0, 0, time.UTC))})
		if err != nil {
			t.Fatalf("create pair: %v (%v)", err, apperr.FieldsOf(err))
		}
		fn(t, w)
	})
}

func newMentoringService(w *recordWorld, keys *vault.Keyring) *mentoring.Service {
	rec := &audit.Recorder{Store: w.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	return &mentoring.Service{Store: w.db, Guard: &guard.Guard{Audit: rec}, Audit: rec, Keys: keys,
		Now: func() time.Time { return time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC) }}
}

// record logs a meeting of the pair as the mentor, with the mentee's
// reflection added by the mentee.
func (w *mentoringWorld) record(t *testing.T, summary, mentorLearned, menteeLearned string) *mentoring.Meeting {
	t.Helper()
	m, err := w.svc.RecordMeeting(w.ctx, w.mentor, &mentoring.Meeting{PairID: w.pair.ID, HeldOn: mentoring.Day(time.Date(2026, 10, 30, 3, 0, 0, 0, time.UTC)),
		Mode: mentoring.ModeInPerson, Topics: []string{"TOPIC-VISIBLE-2c9e"}, Summary: summary, MentorLearned: mentorLearned})
	if err != nil {
		t.Fatalf("record meeting: %v (%v)", err, apperr.FieldsOf(err))
	}
	if menteeLearned != "" {
		if _, err := w.svc.Reflect(w.ctx, w.doctor, m.ID, menteeLearned); err != nil {
			t.Fatalf("reflect: %v", err)
		}
	}
	return m
}

// sealMentoringForRotation seals a meeting with every sealed field, for
// the key rotation test, and returns a check that the meeting opens with
// the given keys and still says the same.
func sealMentoringForRotation(t *testing.T, w *recordWorld) func(keys *vault.Keyring) {
	t.Helper()
	svc := newMentoringService(w, w.svc.Keys)
	g := identity.Grant{Role: identity.RoleDoctor}
	mentor := policy.Actor{UserID: mustUser(t, w.db, "rotation-mentor@example.jp", g).ID, Grants: []identity.Grant{g}}
	p, err := svc.CreatePair(w.ctx, w.coordinator, &mentoring.Pair{OrgID: w.university.ID, MentorID: mentor.UserID,
		MenteeID: w.doctor.UserID, StartsOn: mentoring.Day(time.Date(2026, 4, 1, 3, 0, 0, 0, time.UTC))})
	if err != nil {
		t.Fatalf("create pair: %v (%v)", err, apperr.FieldsOf(err))
	}
	m, err := svc.RecordMeeting(w.ctx, mentor, &mentoring.Meeting{PairID: p.ID, HeldOn: p.StartsOn, Mode: mentoring.ModeOnline,
		Summary: "概要", MentorLearned: "メンター"})
	if err != nil {
		t.Fatalf("record meeting: %v (%v)", err, apperr.FieldsOf(err))
	}
	if _, err := svc.Reflect(w.ctx, w.doctor, m.ID, "メンティー"); err != nil {
		t.Fatal(err)
	}
	return func(keys *vault.Keyring) {
		t.Helper()
		svc.Keys = keys
		got, err := svc.Meeting(w.ctx, mentor, m.ID)
		if err != nil || got.Summary != "概要" || got.MentorLearned != "メンター" || got.MenteeLearned != "メンティー" {
			t.Fatalf("mentoring meeting after rotation: %+v, %v", got, err)
		}
	}
}

// TestMentoringFilesHoldNoPlaintext writes meetings with distinctive text
// and looks for it in the raw database, as TestRecordFilesHoldNoPlaintext
// does; the topics, which are not sealed, are the control.
func TestMentoringFilesHoldNoPlaintext(t *testing.T) {
	eachMentoringWorld(t, func(t *testing.T, w *mentoringWorld) {
		secrets := []string{"SUMMARY-SECRET-8d1f 専門医は総合診療を希望", "MENTOR-SECRET-3a7c 若手の不安を知った",
			"MENTEE-SECRET-e41b 研究日の確保"}
		m := w.record(t, secrets[0], secrets[1], secrets[2])
		got, err := w.svc.Meeting(w.ctx, w.coordinator, m.ID)
		if err != nil || got.Summary != secrets[0] || got.MentorLearned != secrets[1] || got.MenteeLearned != secrets[2] {
			t.Fatalf("Meeting = %+v, %v", got, err)
		}
		stored, err := w.db.MentoringMeeting(w.ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if stored.Summary != "" || !strings.HasPrefix(stored.Sealed.Summary, "v1:k1:") || vault.KeyID(stored.Sealed.MenteeLearned) != "k1" {
			t.Fatalf("stored %+v", stored)
		}
		// A ciphertext moved to another field does not open.
		if _, err := w.svc.Keys.Open(stored.Sealed.Summary, mentoring.SealContext(mentoring.FieldMentorLearned, m.ID)); err == nil {
			t.Fatal("the summary opened as another field")
		}

		if w.path == "" {
			var dump strings.Builder
			for _, q := range []string{`SELECT m::text FROM mentoring_meetings m`, `SELECT p::text FROM mentor_pairs p`, `SELECT a::text FROM audit_log a`} {
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
			checkNoPlaintext(t, "PostgreSQL mentoring rows", []byte(dump.String()), secrets)
			if !strings.Contains(dump.String(), "TOPIC-VISIBLE-2c9e") {
				t.Fatal("control failed: the topics are not in the rows")
			}
			return
		}
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
		if !bytes.Contains(all, []byte("TOPIC-VISIBLE-2c9e")) {
			t.Fatal("control failed: the topics are not in the files, so the scan proves nothing")
		}
	})
}

func TestMentorPairStore(t *testing.T) {
	eachMentoringWorld(t, func(t *testing.T, w *mentoringWorld) {
		p, err := w.db.MentorPair(w.ctx, w.pair.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.OrgName != "北山大学" || p.LastMetOn != nil || p.LastRemindedAt != nil || p.EndsOn != nil || p.IntervalMonths != 3 {
			t.Fatalf("pair %+v", p)
		}
		// Meetings move the last meeting date forward, never back.
		for _, held := range []string{"2026-06-01", "2026-05-01"} {
			d, _ := mentoring.ParseDay(held)
			m := &mentoring.Meeting{PairID: p.ID, HeldOn: d, Mode: mentoring.ModeOnline, Topics: []string{}, RecordedBy: w.mentor.UserID}
			if err := w.db.CreateMentoringMeeting(w.ctx, m, func(id int64) (mentoring.Sealed, error) {
				return mentoring.Sealed{Summary: "v1:k1:x"}, nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		p, _ = w.db.MentorPair(w.ctx, p.ID)
		if p.LastMetOn == nil || p.LastMetOn.Format(time.DateOnly) != "2026-06-01" {
			t.Fatalf("last met %v", p.LastMetOn)
		}
		list, err := w.db.MentoringMeetings(w.ctx, p.ID)
		if err != nil || len(list) != 2 || list[0].HeldOn.Format(time.DateOnly) != "2026-06-01" || list[0].RecordedByName == "" {
			t.Fatalf("meetings %+v, %v", list, err)
		}

		// The reminder is recorded once under its cutoffs.
		at := time.Date(2026, 9, 2, 1, 0, 0, 0, time.UTC)
		c := p.Cutoffs(at) // met before 2026-06-02
		for i, want := range []bool{true, false} {
			ok, err := w.db.MarkMentorPairReminded(w.ctx, p.ID, at, c)
			if err != nil || ok != want {
				t.Fatalf("mark #%d = %v, %v; want %v", i, ok, err, want)
			}
		}
		p, _ = w.db.MentorPair(w.ctx, p.ID)
		if p.LastRemindedAt == nil || !p.LastRemindedAt.Equal(at) || p.Version != 1 {
			t.Fatalf("after the reminder %+v", p)
		}
		if ok, _ := w.db.MarkMentorPairReminded(w.ctx, p.ID, at.AddDate(0, 0, 1), p.Cutoffs(at.AddDate(0, 0, -40))); ok {
			t.Fatal("marked a pair that met after the cutoff")
		}

		// Versioned updates and the end.
		p.IntervalMonths = 6
		if err := w.db.UpdateMentorPair(w.ctx, p); err != nil || p.Version != 2 {
			t.Fatalf("update: %v, version %d", err, p.Version)
		}
		p.Version = 1
		if err := w.db.UpdateMentorPair(w.ctx, p); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale update: %v", err)
		}
		if err := w.db.EndMentorPair(w.ctx, 99999, 1, w.coordinator.UserID, at); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("end a missing pair: %v", err)
		}
		if err := w.db.EndMentorPair(w.ctx, p.ID, 2, w.coordinator.UserID, at); err != nil {
			t.Fatal(err)
		}
		if ok, _ := w.db.MarkMentorPairReminded(w.ctx, p.ID, at.AddDate(1, 0, 0), p.Cutoffs(at.AddDate(1, 0, 0))); ok {
			t.Fatal("marked an ended pair")
		}
		m := &mentoring.Meeting{PairID: p.ID, HeldOn: p.StartsOn, Mode: mentoring.ModeOnline, RecordedBy: w.mentor.UserID}
		err = w.db.CreateMentoringMeeting(w.ctx, m, func(int64) (mentoring.Sealed, error) { return mentoring.Sealed{Summary: "v1:k1:x"}, nil })
		if !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("meeting of an ended pair: %v", err)
		}
		open, err := w.db.MentorPairs(w.ctx, mentoring.PairFilter{PartyID: w.mentor.UserID, Open: true})
		if err != nil || len(open) != 0 {
			t.Fatalf("open pairs of the mentor: %+v, %v", open, err)
		}
		all, err := w.db.MentorPairs(w.ctx, mentoring.PairFilter{OrgIDs: []int64{w.university.ID}})
		if err != nil || len(all) != 1 {
			t.Fatalf("pairs of the office: %+v, %v", all, err)
		}
	})
}

// TestCoordinatesDoctor: the coordinating office of an enrolment the
// doctor has not left; not the prefecture, not after a departure.
func TestCoordinatesDoctor(t *testing.T) {
	eachMentoringWorld(t, func(t *testing.T, w *mentoringWorld) {
		for _, tt := range []struct {
			name          string
			org, doctor   int64
			before, after bool
		}{
			{"the office", w.university.ID, w.doctor.UserID, true, false},
			{"the prefecture", w.prefecture.ID, w.doctor.UserID, false, false},
			{"another doctor", w.university.ID, w.mentor.UserID, false, false},
		} {
			got, err := w.db.CoordinatesDoctor(w.ctx, tt.org, tt.doctor)
			if err != nil || got != tt.before {
				t.Errorf("%s: %v, %v; want %v", tt.name, got, err, tt.before)
			}
			defer func() {
				got, err := w.db.CoordinatesDoctor(w.ctx, tt.org, tt.doctor)
				if err != nil || got != tt.after {
					t.Errorf("%s after the departure: %v, %v; want %v", tt.name, got, err, tt.after)
				}
			}()
		}
		if _, err := w.db.ExecForTest(w.ctx, `UPDATE enrollments SET departed_on = '2026-09-30', departure_reason = '辞退' WHERE id = $1`,
			w.enrollment.ID); err != nil {
			t.Fatal(err)
		}
	})
}

func TestMentoringSchemaConstraints(t *testing.T) {
	eachMentoringWorld(t, func(t *testing.T, w *mentoringWorld) {
		uni, doc, mentor, cc := w.university.ID, w.doctor.UserID, w.mentor.UserID, w.coordinator.UserID
		now := time.Now().UTC()
		pair := `INSERT INTO mentor_pairs (org_id, mentor_id, mentee_id, starts_on, ends_on, interval_months, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`
		pairArgs := []any{uni, cc, doc, "2026-04-01", nil, 3, cc, now}
		meeting := `INSERT INTO mentoring_meetings (pair_id, held_on, mode, topics, sealed_summary, sealed_mentor_learned, next_meeting_on,
				recorded_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`
		meetingArgs := []any{w.pair.ID, "2026-10-30", "online", "[]", "v1:k1:x", "", nil, mentor, now}
		with := func(args []any, i int, v any) []any { out := append([]any(nil), args...); out[i] = v; return out }
		bad := map[string]struct {
			query string
			args  []any
		}{
			"mentor is the mentee":       {pair, with(pairArgs, 1, doc)},
			"a second open pair":         {pair, with(pairArgs, 1, mentor)},
			"interval 0":                 {pair, with(pairArgs, 5, 0)},
			"interval 13":                {pair, with(pairArgs, 5, 13)},
			"end before start":           {pair, with(pairArgs, 4, "2026-03-31")},
			"malformed start":            {pair, with(pairArgs, 3, "2026/04/01")},
			"unknown office":             {pair, with(pairArgs, 0, 99999)},
			"unknown pair":               {meeting, with(meetingArgs, 0, 99999)},
			"unknown mode":               {meeting, with(meetingArgs, 2, "phone")},
			"topics not an array":        {meeting, with(meetingArgs, 3, `{"a":1}`)},
			"plaintext summary":          {meeting, with(meetingArgs, 4, "本文")},
			"empty summary":              {meeting, with(meetingArgs, 4, "")},
			"plaintext reflection":       {meeting, with(meetingArgs, 5, "学び")},
			"next meeting before held":   {meeting, with(meetingArgs, 6, "2026-10-29")},
			"malformed held date":        {meeting, with(meetingArgs, 1, "30.10.2026")},
			"unknown recorder":           {meeting, with(meetingArgs, 7, 99999)},
			"ended without who ended it": {`UPDATE mentor_pairs SET ended_at = $1 WHERE id = $2`, []any{now, w.pair.ID}},
			"last met before the start":  {`UPDATE mentor_pairs SET last_met_on = '2026-03-01' WHERE id = $1`, []any{w.pair.ID}},
		}
		for name, tt := range bad {
			if _, err := w.db.ExecForTest(w.ctx, tt.query, tt.args...); err == nil {
				t.Errorf("%s: accepted", name)
			}
		}
		// The valid rows go in, so the failures above are the constraints'.
		if _, err := w.db.ExecForTest(w.ctx, pair, pairArgs...); err != nil {
			t.Fatalf("valid pair: %v", err)
		}
		if _, err := w.db.ExecForTest(w.ctx, meeting, meetingArgs...); err != nil {
			t.Fatalf("valid meeting: %v", err)
		}
	})
}
