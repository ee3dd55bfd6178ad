package placement_test

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/profile"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
	"github.com/hakui-dev/hakui/internal/vault"
)

// world is an agency, a second agency, a clinic with an opening, and the
// people of each, on a real database.
type world struct {
	t        *testing.T
	ctx      context.Context
	db       *sqlstore.DB
	svc      *placement.Service
	now      time.Time
	agency   int64
	rival    int64
	clinic   int64
	agent    policy.Actor
	rivalAg  policy.Actor
	staff    policy.Actor
	doctor   policy.Actor
	stranger policy.Actor // another doctor
	opening  *openings.Opening
}

// eachEngine runs fn on every engine under test.
func eachEngine(t *testing.T, fn func(t *testing.T, engine sqlstore.Dialect)) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) { fn(t, engine) })
	}
}

func newWorld(t *testing.T, engine sqlstore.Dialect) *world {
	t.Helper()
	w := &world{t: t, ctx: context.Background(), db: sqlstoretest.Open(t, engine),
		now: time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)}
	w.db.Now = func() time.Time { return w.now }
	if err := w.db.SeedCompetencies(w.ctx, career.DefaultCompetencies()); err != nil {
		t.Fatal(err)
	}
	keys := vault.NewKeyring()
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		t.Fatal(err)
	}
	if err := keys.Add("k1", key); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rec := &audit.Recorder{Store: w.db, Log: log}
	w.svc = &placement.Service{Store: w.db, Guard: &guard.Guard{Audit: rec}, Audit: rec, Keys: keys,
		Notifier: &notify.Notifier{Store: w.db, Log: log}, Now: func() time.Time { return w.now }}

	w.agency = w.org(identity.OrgAgency, "さくらメディカルキャリア")
	w.rival = w.org(identity.OrgAgency, "他社キャリア")
	w.clinic = w.org(identity.OrgInstitution, "みなと内科クリニック")
	w.agent = w.user("agent@sakura.example", identity.Grant{Role: identity.RoleAgent, OrgID: w.agency, OrgAdmin: true})
	w.rivalAg = w.user("agent@rival.example", identity.Grant{Role: identity.RoleAgent, OrgID: w.rival, OrgAdmin: true})
	w.staff = w.user("staff@minato.example", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: w.clinic, OrgAdmin: true})
	w.doctor = w.user("doctor@example.jp", identity.Grant{Role: identity.RoleDoctor})
	w.stranger = w.user("other@example.jp", identity.Grant{Role: identity.RoleDoctor})

	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	if err := w.db.SaveProfile(w.ctx, &profile.Profile{UserID: w.doctor.UserID, NameKanji: "山田 太郎", Specialties: []string{"内科"}, PracticeForm: career.PracticeEmployed,
		Events: []career.Event{
			{Kind: career.EventNationalExamPassed, Date: day(2021, 3, 16)},
			{Kind: career.EventJuniorStart, Date: day(2021, 4, 1)},
			{Kind: career.EventJuniorEnd, Date: day(2023, 3, 31)},
			{Kind: career.EventSpecialtyStart, Date: day(2023, 4, 1), Specialty: "内科"},
		},
		Skills: []career.Skill{{Code: "prescribing", Level: 3}}}); err != nil {
		t.Fatal(err)
	}
	w.opening = &openings.Opening{InstitutionID: w.clinic, PosterOrgID: w.agency, PostedBy: w.agent.UserID,
		Title: "火曜午後の内科外来", Kind: career.WorkPartTimeRegular, Specialty: "内科",
		Schedule: openings.Schedule{Kind: openings.ScheduleWeekly, Weekly: []career.Weekly{{Weekday: time.Tuesday, Start: "13:00", End: "17:00"}}},
		PayUnit:  career.PayHourly, PayMinYen: 10000, PayMaxYen: 12000, Prefecture: "東京都",
		Answers: map[career.Stage]career.StageAnswer{career.StageStudent: career.AnswerReject, career.StageJuniorResident: career.AnswerReject,
			career.StageSpecialtyResident: career.AnswerAccept, career.StageSpecialist: career.AnswerAccept},
		Required:   []career.Requirement{{Code: "prescribing", Level: 3}},
		CheckItems: []string{"マニュアルなしで診察できる"}, Status: openings.StatusOpen}
	if err := w.db.CreateOpening(w.ctx, w.opening); err != nil {
		t.Fatal(err)
	}
	return w
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

// must returns v, failing the test if err is set: must(f())(t).
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		noErr(t, err)
		return v
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v (fields %v)", err, apperr.FieldsOf(err))
	}
}

func wantCode(t *testing.T, err error, code apperr.Code) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("error = %v, want %s", err, code)
	}
}

// linkedLead is a lead the doctor has linked to their account with consent.
func (w *world) linkedLead() *placement.Lead {
	w.t.Helper()
	l := &placement.Lead{AgencyID: w.agency, Name: "山田 太郎", Email: "Doctor@Example.jp", Phone: "090-1234-5678", Source: placement.SourceReferral}
	if err := w.svc.CreateLead(w.ctx, w.agent, l); err != nil {
		w.t.Fatalf("CreateLead: %v %v", err, apperr.FieldsOf(err))
	}
	link := must(w.svc.InviteLead(w.ctx, w.agent, l.ID))(w.t)
	token := strings.TrimPrefix(link, "/leads/claim/")
	info := must(w.svc.Claim(w.ctx, token))(w.t)
	return must(w.svc.AcceptClaim(w.ctx, w.doctor, token, placement.PurposeHash(info.Agency.PurposeText), false))(w.t)
}

// consulted records a held consultation for the lead.
func (w *world) consulted(l *placement.Lead, caseID int64) *placement.Consultation {
	w.t.Helper()
	c := &placement.Consultation{LeadID: l.ID, CaseID: caseID, Mode: placement.ModeOnline, ScheduledAt: w.now.Add(24 * time.Hour),
		MeetingURL: "https://meet.example.jp/abc"}
	if err := w.svc.ScheduleConsultation(w.ctx, w.agent, c); err != nil {
		w.t.Fatalf("ScheduleConsultation: %v %v", err, apperr.FieldsOf(err))
	}
	c.Notes, c.Impression, c.Wishes = "外来経験は十分。説明が丁寧。", "誠実", "火曜午後のみ希望"
	return must(w.svc.RecordConsultation(w.ctx, w.agent, c))(w.t)
}

func TestPipelineStory(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqlstore.Dialect) {
		w := newWorld(t, engine)
		l := w.linkedLead()
		if l.UserID != w.doctor.UserID || !l.Consent.Given() {
			t.Fatalf("lead after claim: user %d consent %+v", l.UserID, l.Consent)
		}
		c := must(w.svc.OpenCase(w.ctx, w.agent, l.ID, w.opening.ID))(t)
		if c.Stage != placement.StageLead || c.DoctorID != w.doctor.UserID {
			t.Fatalf("new case: %+v", c)
		}
		// No check items before the doctor has been met.
		_, err := w.svc.Move(w.ctx, w.agent, c.ID, placement.Move{Version: c.Version, To: placement.StageConsultation})
		noErr(t, err)
		c = must(w.svc.Store.Case(w.ctx, c.ID))(t)
		_, err = w.svc.Move(w.ctx, w.agent, c.ID, placement.Move{Version: c.Version, To: placement.StageCheckItems})
		wantCode(t, err, apperr.Invalid)
		w.consulted(l, c.ID)
		c = must(w.svc.Store.Case(w.ctx, c.ID))(t)
		c = must(w.svc.Move(w.ctx, w.agent, c.ID, placement.Move{Version: c.Version, To: placement.StageCheckItems}))(t)

		// The checklist comes from the opening: one 確認事項, one competency.
		v := must(w.svc.View(w.ctx, w.agent, c.ID))(t)
		if len(v.Items) != 2 || len(v.Problems) == 0 {
			t.Fatalf("checklist %+v problems %v", v.Items, v.Problems)
		}
		// The institution knows nothing of the case before the introduction.
		_, err = w.svc.View(w.ctx, w.staff, c.ID)
		wantCode(t, err, apperr.NotFound)

		updates := []placement.ItemUpdate{{ID: v.Items[0].ID, Status: placement.ItemMet}, {ID: v.Items[1].ID, Status: placement.ItemNotMet, Note: "院外処方の経験なし"}}
		c = must(w.svc.ConfirmItems(w.ctx, w.agent, c.ID, c.Version, updates, nil))(t)

		// Patient first: a failed required item needs a written override.
		intro := placement.Move{Version: c.Version, To: placement.StageIntroduced, Recommendation: "丁寧な説明で患者様の満足度が高い先生です。"}
		_, err = w.svc.Move(w.ctx, w.agent, c.ID, intro)
		wantCode(t, err, apperr.Invalid)
		if apperr.FieldsOf(err)["override_reason"] == "" {
			t.Fatalf("gate error without override_reason: %v", apperr.FieldsOf(err))
		}
		intro.OverrideReason = "院内処方は初日に研修で確認できると院長と合意済みのため。"
		c = must(w.svc.Move(w.ctx, w.agent, c.ID, intro))(t)
		if c.Stage != placement.StageIntroduced || c.Override == nil {
			t.Fatalf("introduced case: stage %s override %+v", c.Stage, c.Override)
		}

		// The institution now sees the case, the flag and the shared
		// profile, but not the lead's contact details.
		iv := must(w.svc.View(w.ctx, w.staff, c.ID))(t)
		if iv.Party != placement.PartyInstitution || iv.Lead != nil || len(iv.Shares) != 1 || iv.Case.Override == nil {
			t.Fatalf("institution view: party %s lead %v shares %d", iv.Party, iv.Lead, len(iv.Shares))
		}
		// Same clock, earlier entries: the institution's timeline starts
		// at the introduction all the same.
		if len(iv.Timeline) == 0 || iv.Timeline[0].Kind != placement.EventOverride {
			t.Fatalf("institution timeline starts with %+v", iv.Timeline)
		}
		for _, e := range iv.Timeline {
			if e.Kind == placement.EventCreated || e.Kind == placement.EventChecklist || e.Kind == placement.EventConsultation {
				t.Fatalf("institution sees a pre-introduction entry: %+v", e)
			}
		}
		for _, f := range iv.Shares[0].Fields {
			if strings.Contains(f.Value, "example.jp") || strings.Contains(f.Value, "090") {
				t.Fatalf("contact details shared: %+v", f)
			}
		}
		// The doctor sees exactly what was shared.
		dv := must(w.svc.View(w.ctx, w.doctor, c.ID))(t)
		if len(dv.Shares) != 1 || dv.Shares[0].Institution != "みなと内科クリニック" {
			t.Fatalf("doctor's view of shares: %+v", dv.Shares)
		}
		// The institution's list ignores a text search: it runs over
		// contact details the institution never receives.
		for _, q := range []string{"090", "zzz@"} {
			list := must(w.svc.Cases(w.ctx, w.staff, placement.CaseFilter{InstitutionID: w.clinic, Query: q}))(t)
			if len(list) != 1 {
				t.Fatalf("institution search %q: %d cases, want the same 1 either way", q, len(list))
			}
		}
		// Another doctor and another agency see nothing.
		_, err = w.svc.View(w.ctx, w.stranger, c.ID)
		wantCode(t, err, apperr.NotFound)
		_, err = w.svc.View(w.ctx, w.rivalAg, c.ID)
		wantCode(t, err, apperr.NotFound)

		// The interview, with an .ics invitation.
		interview := &placement.Interview{CaseID: c.ID, StartsAt: w.now.Add(72 * time.Hour), EndsAt: w.now.Add(73 * time.Hour),
			Mode: placement.ModeInPerson, Place: "みなと内科クリニック 2階",
			Participants: []placement.Participant{{Name: "山田 太郎", Email: "doctor@example.jp", Role: "doctor"}}}
		must(w.svc.ScheduleInterview(w.ctx, w.staff, interview, c.Version))(t)
		_, ics, err := w.svc.InterviewICS(w.ctx, w.staff, interview.ID)
		if strings.Contains(string(ics), "doctor@example.jp") {
			t.Fatalf("the institution's .ics names the doctor's address:\n%s", ics)
		}
		_, ics, err = w.svc.InterviewICS(w.ctx, w.doctor, interview.ID)
		if err != nil || !strings.Contains(string(ics), "BEGIN:VEVENT") || !strings.Contains(string(ics), "METHOD:REQUEST") {
			t.Fatalf("ics: %v\n%s", err, ics)
		}
		items := must(w.svc.Store.CheckItems(w.ctx, c.ID))(t)
		sc := &placement.Scorecard{InterviewID: interview.ID, Scores: map[int64]int{items[0].ID: 4, items[1].ID: 2},
			Overall: placement.RecommendNo, Comment: "処方の経験が不足"}
		if err := w.svc.SubmitScorecard(w.ctx, w.staff, sc); err != nil {
			t.Fatalf("scorecard: %v %v", err, apperr.FieldsOf(err))
		}
		wantCode(t, w.svc.SubmitScorecard(w.ctx, w.doctor, &placement.Scorecard{InterviewID: interview.ID, Overall: placement.RecommendYes}), apperr.NotFound)

		c = must(w.svc.Store.Case(w.ctx, c.ID))(t)
		c = must(w.svc.Move(w.ctx, w.agent, c.ID, placement.Move{Version: c.Version, To: placement.StageReview}))(t)
		c = must(w.svc.RecordReview(w.ctx, w.doctor, c.ID, c.Version, placement.Conclusion{Verdict: placement.VerdictProceed, Note: "働きたい"}))(t)
		c = must(w.svc.RecordReview(w.ctx, w.agent, c.ID, c.Version, placement.Conclusion{Verdict: placement.VerdictDecline, Note: "今は時期尚早"}))(t)

		// The institution declines, with a reason; the doctor cannot place.
		_, err = w.svc.Move(w.ctx, w.doctor, c.ID, placement.Move{Version: c.Version, To: placement.StagePlaced, StartDate: "2027-01-05"})
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.Move(w.ctx, w.staff, c.ID, placement.Move{Version: c.Version, To: placement.StageDeclinedByInstitution})
		wantCode(t, err, apperr.Invalid)
		c = must(w.svc.Move(w.ctx, w.staff, c.ID, placement.Move{Version: c.Version, To: placement.StageDeclinedByInstitution,
			Reason: placement.ReasonProfileMismatch, Note: "処方経験のある先生を希望"}))(t)

		// The doctor sees the decline and its reason, not the note, and
		// not the institution's scorecard.
		dv = must(w.svc.View(w.ctx, w.doctor, c.ID))(t)
		if dv.Case.Outcome == nil || dv.Case.Outcome.Note != "" || dv.Case.Outcome.Reason != placement.ReasonProfileMismatch {
			t.Fatalf("doctor's view of the outcome: %+v", dv.Case.Outcome)
		}
		for _, e := range dv.Timeline {
			if e.Kind == placement.EventScorecard {
				t.Fatalf("doctor sees the scorecard entry: %+v", e)
			}
		}
		last := dv.Timeline[len(dv.Timeline)-1]
		if last.To != placement.StageDeclinedByInstitution || strings.Contains(last.Detail, "処方経験") || !strings.Contains(last.Detail, "求める医師像") {
			t.Fatalf("doctor's view of the decline: %+v", last)
		}

		// Recommend again once they are 専門医.
		f := &placement.FollowUp{CaseID: c.ID, Trigger: placement.Trigger{Kind: placement.TriggerStage, Stage: career.StageSpecialist},
			Note: "専門医取得後に再推薦"}
		if err := w.svc.CreateFollowUp(w.ctx, w.agent, f); err != nil {
			t.Fatalf("follow-up: %v %v", err, apperr.FieldsOf(err))
		}
		if !strings.Contains(f.Context, "処方経験のある先生を希望") {
			t.Fatalf("follow-up context %q", f.Context)
		}
		if n := must(w.svc.CareerChanged(w.ctx, w.doctor.UserID))(t); n != 0 {
			t.Fatalf("fired before the event: %d", n)
		}
		p := must(w.db.Profile(w.ctx, w.doctor.UserID))(t)
		p.Events = append(p.Events, career.Event{Kind: career.EventSpecialistObtained, Date: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Specialty: "内科"})
		if err := w.db.SaveProfile(w.ctx, p); err != nil {
			t.Fatal(err)
		}
		if n := must(w.svc.CareerChanged(w.ctx, w.doctor.UserID))(t); n != 1 {
			t.Fatalf("fired %d follow-ups, want 1", n)
		}
		if n := must(w.svc.CareerChanged(w.ctx, w.doctor.UserID))(t); n != 0 {
			t.Fatalf("fired again: %d", n)
		}
		notes := must(w.db.Notifications(w.ctx, w.agent.UserID, 50))(t)
		if !hasNotification(notes, "フォローアップの時期です", "処方経験のある先生を希望") {
			t.Fatalf("agent not told with the context: %+v", notes)
		}
		due := must(w.svc.FollowUps(w.ctx, w.agent, placement.FollowUpFilter{AgencyID: w.agency, Statuses: []placement.FollowUpStatus{placement.FollowUpDue}}))(t)
		if len(due) != 1 {
			t.Fatalf("due follow-ups: %d", len(due))
		}
		c = must(w.svc.ReopenFromFollowUp(w.ctx, w.agent, due[0].ID))(t)
		if c.Stage != placement.StageConsultation || c.Round != 2 || c.Outcome != nil {
			t.Fatalf("reopened: stage %s round %d outcome %+v", c.Stage, c.Round, c.Outcome)
		}
		timeline := must(w.svc.Store.CaseEvents(w.ctx, c.ID))(t)
		if len(timeline) < 10 {
			t.Fatalf("timeline has %d entries", len(timeline))
		}
		for _, e := range timeline {
			if e.At.IsZero() || (e.Kind == placement.EventTransition && e.ActorID == 0) {
				t.Fatalf("unattributed entry: %+v", e)
			}
		}

		// The report sees the funnel and the decline's reason.
		r := must(w.svc.AgencyReport(w.ctx, w.agent, placement.ReportFilter{AgencyID: w.agency,
			Period: placement.Period{From: w.now.Add(-24 * time.Hour), To: w.now.Add(24 * time.Hour)}}))(t)
		if r.Funnel[0].Reached != 1 {
			t.Fatalf("funnel: %+v", r.Funnel)
		}
		_, err = w.svc.AgencyReport(w.ctx, w.rivalAg, placement.ReportFilter{AgencyID: w.agency,
			Period: placement.Period{From: w.now.Add(-24 * time.Hour), To: w.now}})
		wantCode(t, err, apperr.NotFound)
	})
}

func hasNotification(list []notify.Notification, title, body string) bool {
	for _, n := range list {
		if n.Title == title && strings.Contains(n.Body, body) {
			return true
		}
	}
	return false
}

// TestConsultationNotesConfidential: the notes are encrypted at rest,
// only the agency reads them, and each read is audited about the doctor.
func TestConsultationNotesConfidential(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqlstore.Dialect) {
		w := newWorld(t, engine)
		l := w.linkedLead()
		c := w.consulted(l, 0)
		// What the store holds is the sealed text, as read from the row.
		raw := must(w.db.Consultation(w.ctx, c.ID))(t).Sealed
		if raw == "" || strings.Contains(raw, "火曜午後") || vault.KeyID(raw) != "k1" {
			t.Fatalf("notes at rest: %q", raw)
		}
		got := must(w.svc.Consultation(w.ctx, w.agent, c.ID))(t)
		if got.Wishes != "火曜午後のみ希望" {
			t.Fatalf("decrypted wishes %q", got.Wishes)
		}
		for _, a := range []policy.Actor{w.rivalAg, w.staff, w.doctor, w.stranger} {
			_, err := w.svc.Consultation(w.ctx, a, c.ID)
			wantCode(t, err, apperr.NotFound)
		}
		about := must(w.db.ListAudit(w.ctx, audit.Filter{SubjectID: w.doctor.UserID, ActionPrefix: audit.ConfidentialRead, Limit: 10}))(t)
		if len(about) != 1 || about[0].ActorID != w.agent.UserID {
			t.Fatalf("audited reads about the doctor: %+v", about)
		}
		// Health details need the explicit consent.
		c.HealthNotes = "腰痛あり"
		_, err := w.svc.RecordConsultation(w.ctx, w.agent, c)
		wantCode(t, err, apperr.Invalid)
		must(w.svc.SetConsent(w.ctx, w.doctor, l.ID, true, true))(t)
		must(w.svc.RecordConsultation(w.ctx, w.agent, c))(t)
		// The agency cannot consent for the doctor.
		_, err = w.svc.SetConsent(w.ctx, w.agent, l.ID, true, true)
		wantCode(t, err, apperr.NotFound)
	})
}

// TestConcurrentMoves: two moves from the same version cannot both win.
func TestConcurrentMoves(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqlstore.Dialect) {
		w := newWorld(t, engine)
		l := w.linkedLead()
		c := must(w.svc.OpenCase(w.ctx, w.agent, l.ID, w.opening.ID))(t)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				to := placement.StageConsultation
				m := placement.Move{Version: c.Version, To: to}
				if i%2 == 1 {
					m = placement.Move{Version: c.Version, To: placement.StageWithdrawnByAgent, Reason: placement.ReasonDoctorWish}
				}
				_, errs[i] = w.svc.Move(w.ctx, w.agent, c.ID, m)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !apperr.Is(err, apperr.Conflict):
				t.Errorf("unexpected error: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d concurrent moves succeeded, want 1", won)
		}
		events := must(w.svc.Store.CaseEvents(w.ctx, c.ID))(t)
		if len(events) != 2 { // created + the one move
			t.Fatalf("timeline: %+v", events)
		}
	})
}

// TestLeadsDuplicatesMergeAndRetention covers the public form, duplicate
// detection, the merge that keeps both histories, and the retention job.
func TestLeadsDuplicatesMergeAndRetention(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqlstore.Dialect) {
		w := newWorld(t, engine)
		a := must(w.svc.PublicAgency(w.ctx, w.agency))(t)
		form := placement.LeadForm{Name: "佐藤 花子", Email: "ｈａｎａｋｏ@Example.jp", Phone: "０３-１２３４-５６７８",
			Source: placement.SourceSNS, PurposeHash: placement.PurposeHash(a.PurposeText)}
		_, err := w.svc.SubmitLead(w.ctx, policy.Actor{}, w.agency, form)
		wantCode(t, err, apperr.Invalid) // no consent
		form.ConsentPurpose = true
		first := must(w.svc.SubmitLead(w.ctx, policy.Actor{}, w.agency, form))(t)
		if first.Email != "hanako@example.jp" || first.Phone != "0312345678" || first.Source != placement.SourceSNS {
			t.Fatalf("normalised lead: %+v", first)
		}
		second := &placement.Lead{AgencyID: w.agency, Name: "佐藤花子", Phone: "03 1234 5678", RegistrationNumber: "123456", Source: placement.SourceEvent}
		if err := w.svc.CreateLead(w.ctx, w.agent, second); err != nil {
			t.Fatal(err)
		}
		dups := must(w.svc.Duplicates(w.ctx, w.agent, second.ID))(t)
		if len(dups) != 1 || dups[0].Lead.ID != first.ID {
			t.Fatalf("duplicates: %+v", dups)
		}
		_, err = w.svc.Duplicates(w.ctx, w.rivalAg, second.ID)
		wantCode(t, err, apperr.NotFound)
		c := must(w.svc.OpenCase(w.ctx, w.agent, second.ID, w.opening.ID))(t)
		kept := must(w.svc.Merge(w.ctx, w.agent, first.ID, second.ID))(t)
		if kept.RegistrationNumber != "123456" || !kept.Consent.Given() {
			t.Fatalf("merged lead: %+v", kept)
		}
		moved := must(w.svc.Store.Case(w.ctx, c.ID))(t)
		if moved.LeadID != first.ID {
			t.Fatalf("case still on lead %d", moved.LeadID)
		}
		list := must(w.svc.Leads(w.ctx, w.agent, placement.LeadFilter{AgencyID: w.agency}))(t)
		if len(list) != 1 {
			t.Fatalf("leads after merge: %d", len(list))
		}
		_, err = w.svc.Leads(w.ctx, w.rivalAg, placement.LeadFilter{AgencyID: w.agency})
		wantCode(t, err, apperr.NotFound)

		// Retention: nothing expires while a case is open; after the
		// case closes and the period passes, the lead is anonymised.
		noErr(t, w.svc.SaveAgency(w.ctx, w.agent, &placement.Agency{OrgID: w.agency, PurposeText: a.PurposeText, RetentionDays: 30, FormEnabled: true}))
		w.now = w.now.Add(60 * 24 * time.Hour)
		if n := must(w.svc.SweepRetention(w.ctx))(t); n != 0 {
			t.Fatalf("anonymised %d leads with an open case", n)
		}
		moved = must(w.svc.Move(w.ctx, w.agent, c.ID, placement.Move{Version: moved.Version, To: placement.StageWithdrawnByAgent, Reason: placement.ReasonOther, Note: "連絡が取れない"}))(t)
		w.now = w.now.Add(31 * 24 * time.Hour)
		if n := must(w.svc.SweepRetention(w.ctx))(t); n != 1 {
			t.Fatalf("anonymised %d leads, want 1", n)
		}
		gone := must(w.svc.Store.Lead(w.ctx, first.ID))(t)
		if gone.AnonymisedAt == nil || gone.Name != "" || gone.Email != "" || gone.Phone != "" {
			t.Fatalf("anonymised lead: %+v", gone)
		}
		entries := must(w.db.ListAudit(w.ctx, audit.Filter{ActionPrefix: audit.LeadAnonymised, Limit: 10}))(t)
		if len(entries) != 1 {
			t.Fatalf("anonymisation not logged: %+v", entries)
		}
	})
}

// TestClaimLinkWorksOnce: an account-link link is spent by its first use,
// and a lead that gained an account by a merge cannot be claimed with an
// older link.
func TestClaimLinkWorksOnce(t *testing.T) {
	eachEngine(t, func(t *testing.T, engine sqlstore.Dialect) {
		w := newWorld(t, engine)
		l := &placement.Lead{AgencyID: w.agency, Name: "山田 太郎", Phone: "09011112222", Source: placement.SourceEvent}
		noErr(t, w.svc.CreateLead(w.ctx, w.agent, l))
		link := must(w.svc.InviteLead(w.ctx, w.agent, l.ID))(t)
		token := strings.TrimPrefix(link, "/leads/claim/")
		hash := placement.PurposeHash(must(w.svc.Claim(w.ctx, token))(t).Agency.PurposeText)
		must(w.svc.AcceptClaim(w.ctx, w.doctor, token, hash, false))(t)
		_, err := w.svc.AcceptClaim(w.ctx, w.stranger, token, hash, false)
		wantCode(t, err, apperr.NotFound)

		// The merge case: a manual lead with a pending link absorbs the
		// doctor's own form lead; the pending link dies with it.
		m := &placement.Lead{AgencyID: w.agency, Name: "山田 太郎", Email: "doctor@example.jp", Source: placement.SourceReferral}
		noErr(t, w.svc.CreateLead(w.ctx, w.agent, m))
		old := strings.TrimPrefix(must(w.svc.InviteLead(w.ctx, w.agent, m.ID))(t), "/leads/claim/")
		a := must(w.svc.PublicAgency(w.ctx, w.agency))(t)
		form := must(w.svc.SubmitLead(w.ctx, w.doctor, w.agency, placement.LeadForm{Name: "山田 太郎", Email: "doctor@example.jp",
			PurposeHash: placement.PurposeHash(a.PurposeText), ConsentPurpose: true}))(t)
		kept := must(w.svc.Merge(w.ctx, w.agent, m.ID, form.ID))(t)
		if kept.UserID != w.doctor.UserID {
			t.Fatalf("merged lead user %d", kept.UserID)
		}
		_, err = w.svc.AcceptClaim(w.ctx, w.stranger, old, hash, false)
		wantCode(t, err, apperr.NotFound)
		if got := must(w.svc.Store.Lead(w.ctx, m.ID))(t); got.UserID != w.doctor.UserID {
			t.Fatalf("lead taken over: user %d", got.UserID)
		}
	})
}
