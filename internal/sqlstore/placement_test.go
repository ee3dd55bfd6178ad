package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/openings/openingsgen"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// t0 is the fixtures' clock: UTC, microseconds, so times round-trip.
var t0 = time.Date(2025, 4, 1, 9, 30, 0, 123456000, time.UTC)

// pipeline is a migrated database with two agencies, an institution, their
// staff, a doctor and an opening, plus a raw connection to read rows as
// stored.
type pipeline struct {
	db            *sqlstore.DB
	raw           *sql.DB
	agency, other *identity.Organisation
	inst          *identity.Organisation
	agent, rival  *identity.User // agents of agency and other
	staff, doctor *identity.User
	opening       *openings.Opening
	ctx           context.Context
	t             *testing.T
}

func eachPipeline(t *testing.T, fn func(t *testing.T, p *pipeline)) {
	sqlstoretest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		driver, source := "pgx", dsn
		if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
			driver, source = "sqlite", path
		}
		raw, err := sql.Open(driver, source)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		fn(t, newPipeline(t, db, raw))
	})
}

func newPipeline(t *testing.T, db *sqlstore.DB, raw *sql.DB) *pipeline {
	t.Helper()
	ctx := context.Background()
	p := &pipeline{db: db, raw: raw, ctx: ctx, t: t}
	org := func(kind identity.OrgKind, name string) *identity.Organisation {
		o := &identity.Organisation{Kind: kind, Name: name}
		if err := db.CreateOrganisation(ctx, o); err != nil {
			t.Fatal(err)
		}
		return o
	}
	p.agency, p.other = org(identity.OrgAgency, "さくら医師紹介"), org(identity.OrgAgency, "もみじキャリア")
	p.inst = org(identity.OrgInstitution, "みなと内科クリニック")
	p.agent = mustUser(t, db, "agent@example.jp", identity.Grant{Role: identity.RoleAgent, OrgID: p.agency.ID})
	p.rival = mustUser(t, db, "rival@example.jp", identity.Grant{Role: identity.RoleAgent, OrgID: p.other.ID})
	p.staff = mustUser(t, db, "staff@example.jp", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: p.inst.ID})
	p.doctor = mustUser(t, db, "doctor@example.jp", identity.Grant{Role: identity.RoleDoctor})
	if err := db.SeedCompetencies(ctx, career.DefaultCompetencies()); err != nil {
		t.Fatal(err)
	}
	p.opening = openingsgen.Generate(1, 3, []int64{p.inst.ID}, p.staff.ID, t0)[0]
	if err := db.CreateOpening(ctx, p.opening); err != nil {
		t.Fatal(err)
	}
	return p
}

// lead creates a lead of the agency with the contact details given.
func (p *pipeline) lead(agency *identity.Organisation, name, email, phone, reg string) *placement.Lead {
	p.t.Helper()
	l := &placement.Lead{AgencyID: agency.ID, Name: name, NameKana: "テスト", Email: email, Phone: phone,
		RegistrationNumber: reg, Source: placement.SourceWeb, CreatedAt: t0}
	if err := p.db.CreateLead(p.ctx, l); err != nil {
		p.t.Fatalf("CreateLead(%s): %v", name, err)
	}
	return l
}

// openCase starts a case for the lead at the lead stage.
func (p *pipeline) openCase(l *placement.Lead) *placement.Case {
	p.t.Helper()
	agent := p.agent.ID
	if l.AgencyID == p.other.ID {
		agent = p.rival.ID
	}
	c := &placement.Case{AgencyID: l.AgencyID, LeadID: l.ID, OpeningID: p.opening.ID, InstitutionID: p.inst.ID,
		AgentID: agent, Stage: placement.StageLead, Round: 1, StageChangedAt: t0, CreatedAt: t0}
	ev := placement.Event{Kind: placement.EventCreated, To: placement.StageLead, Detail: "作成", ActorID: agent, At: t0}
	if err := p.db.CreateCase(p.ctx, c, ev); err != nil {
		p.t.Fatalf("CreateCase: %v", err)
	}
	return c
}

// save saves c with ch and fails the test on an error.
func (p *pipeline) save(c *placement.Case, ch placement.Change) {
	p.t.Helper()
	if err := p.db.SaveCase(p.ctx, c, ch); err != nil {
		p.t.Fatalf("SaveCase: %v", err)
	}
}

// close ends c with a withdrawal by the doctor.
func (p *pipeline) close(c *placement.Case, at time.Time) {
	p.t.Helper()
	c.Stage, c.StageChangedAt = placement.StageWithdrawnByDoctor, at
	c.Outcome = &placement.Outcome{Stage: c.Stage, Reason: placement.ReasonSchedule, Note: "日程が合わない", By: p.agent.ID, At: at}
	p.save(c, placement.Change{})
}

func ptr(t time.Time) *time.Time { return &t }

func ids[T any](list []T, id func(T) int64) []int64 {
	out := make([]int64, len(list))
	for i, x := range list {
		out[i] = id(x)
	}
	return out
}

func leadIDs(list []placement.Lead) []int64 {
	return ids(list, func(l placement.Lead) int64 { return l.ID })
}
func caseIDs(list []placement.Case) []int64 {
	return ids(list, func(c placement.Case) int64 { return c.ID })
}

func TestLeadRoundTrip(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		ctx := p.ctx
		in := &placement.Lead{AgencyID: p.agency.ID, UserID: p.doctor.ID, Name: "田中 花子", NameKana: "タナカ ハナコ",
			Email: "hanako@example.jp", Phone: "09012345678", RegistrationNumber: "0123456", Source: placement.SourceReferral,
			SourceNote: "山田先生の紹介", Message: "内科の非常勤を探しています。", AgentID: p.agent.ID,
			Consent:   placement.Consent{PurposeHash: "abc123", ConsentedAt: ptr(t0), HealthConsentAt: ptr(t0.Add(time.Minute))},
			CreatedAt: t0}
		if err := p.db.CreateLead(ctx, in); err != nil {
			t.Fatal(err)
		}
		got, err := p.db.Lead(ctx, in.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := *in
		want.AgentName = p.agent.DisplayName
		if !reflect.DeepEqual(*got, want) {
			t.Fatalf("Lead =\n%+v\nwant\n%+v", *got, want)
		}

		got.Consent.WithdrawnAt, got.Consent.HealthConsentAt = ptr(t0.Add(time.Hour)), nil
		got.Phone = "0312345678"
		if err := p.db.UpdateLead(ctx, got); err != nil {
			t.Fatal(err)
		}
		again, _ := p.db.Lead(ctx, in.ID)
		if again.Consent.Given() || again.Consent.WithdrawnAt == nil || !again.Consent.WithdrawnAt.Equal(t0.Add(time.Hour)) ||
			again.Consent.HealthConsentAt != nil || again.Phone != "0312345678" {
			t.Errorf("after update: %+v", again.Consent)
		}
		if _, err := p.db.Lead(ctx, 999999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing lead: err = %v, want not_found", err)
		}
		if err := p.db.UpdateLead(ctx, &placement.Lead{ID: 999999, Name: "x", Source: placement.SourceWeb}); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("update of a missing lead: err = %v, want not_found", err)
		}

		other := p.lead(p.agency, "佐藤 一郎", "ichiro@example.jp", "", "")
		p.lead(p.other, "田中 花子", "hanako@example.jp", "", "") // another agency's
		for _, tt := range []struct {
			name string
			f    placement.LeadFilter
			want []int64
		}{
			{"all, most recently active first", placement.LeadFilter{}, []int64{other.ID, in.ID}},
			{"hiragana finds katakana", placement.LeadFilter{Query: "たなか"}, []int64{in.ID}},
			{"half-width kana", placement.LeadFilter{Query: "ﾊﾅｺ"}, []int64{in.ID}},
			{"name words in any order", placement.LeadFilter{Query: "花子 田中"}, []int64{in.ID}},
			{"e-mail in capitals", placement.LeadFilter{Query: "HANAKO@"}, []int64{in.ID}},
			{"phone with hyphens", placement.LeadFilter{Query: "03-1234"}, []int64{in.ID}},
			{"registration number", placement.LeadFilter{Query: "123456"}, []int64{in.ID}},
			{"LIKE wildcards are literal", placement.LeadFilter{Query: "%"}, nil},
			{"agent", placement.LeadFilter{AgentID: p.agent.ID}, []int64{in.ID}},
			{"limit", placement.LeadFilter{Limit: 1}, []int64{other.ID}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				tt.f.AgencyID = p.agency.ID
				list, err := p.db.Leads(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := leadIDs(list); !slices.Equal(got, tt.want) {
					t.Errorf("Leads = %v, want %v", got, tt.want)
				}
			})
		}
		if err := p.db.TouchLead(ctx, in.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if list, _ := p.db.Leads(ctx, placement.LeadFilter{AgencyID: p.agency.ID}); !slices.Equal(leadIDs(list), []int64{in.ID, other.ID}) {
			t.Errorf("after TouchLead the order is %v", leadIDs(list))
		}

		mine, err := p.db.LeadsOfUser(ctx, p.doctor.ID)
		if err != nil || !slices.Equal(leadIDs(mine), []int64{in.ID}) {
			t.Errorf("LeadsOfUser = %v, %v", leadIDs(mine), err)
		}
	})
}

func TestLeadClaim(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		ctx := p.ctx
		l := p.lead(p.agency, "田中 花子", "hanako@example.jp", "", "")
		if err := p.db.SetLeadClaim(ctx, l.ID, "hash-1", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if got, err := p.db.LeadByClaim(ctx, "hash-1", t0); err != nil || got.ID != l.ID {
			t.Fatalf("LeadByClaim = %v, %v", got, err)
		}
		for name, lookup := range map[string]func() error{
			"expired":  func() error { _, err := p.db.LeadByClaim(ctx, "hash-1", t0.Add(time.Hour)); return err },
			"unknown":  func() error { _, err := p.db.LeadByClaim(ctx, "hash-2", t0); return err },
			"no token": func() error { _, err := p.db.LeadByClaim(ctx, "", t0); return err },
		} {
			if err := lookup(); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s: err = %v, want not_found", name, err)
			}
		}
		if err := p.db.SetLeadClaim(ctx, l.ID, "", t0); err != nil {
			t.Fatal(err)
		}
		if _, err := p.db.LeadByClaim(ctx, "hash-1", t0); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("cleared claim: err = %v, want not_found", err)
		}
		if err := p.db.SetLeadClaim(ctx, 999999, "hash-3", t0); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("claim on a missing lead: err = %v, want not_found", err)
		}
	})
}

func TestLeadsLike(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		byEmail := p.lead(p.agency, "A", "same@example.jp", "", "")
		byPhone := p.lead(p.agency, "B", "b@example.jp", "09011112222", "")
		byReg := p.lead(p.agency, "C", "c@example.jp", "", "0012345")
		p.lead(p.agency, "D", "d@example.jp", "09033334444", "7654321")
		p.lead(p.other, "E", "same@example.jp", "09011112222", "12345") // another agency's

		tests := []struct {
			name              string
			email, phone, reg string
			want              []int64
		}{
			{"e-mail", "same@example.jp", "", "", []int64{byEmail.ID}},
			{"phone", "", "09011112222", "", []int64{byPhone.ID}},
			{"registration without leading zeros", "", "", "12345", []int64{byReg.ID}},
			{"any of the three", "same@example.jp", "09011112222", "012345", []int64{byEmail.ID, byPhone.ID, byReg.ID}},
			{"an empty e-mail matches nothing", "", "", "", nil},
			{"zeros only", "", "", "000", nil},
			{"no match", "x@example.jp", "09099999999", "1", nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				list, err := p.db.LeadsLike(p.ctx, p.agency.ID, tt.email, tt.phone, tt.reg)
				if err != nil {
					t.Fatal(err)
				}
				if got := leadIDs(list); !slices.Equal(got, tt.want) {
					t.Errorf("LeadsLike = %v, want %v", got, tt.want)
				}
			})
		}
	})
}

func TestMergeLeads(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		ctx := p.ctx
		keep := p.lead(p.agency, "田中 花子", "hanako@example.jp", "", "")
		drop := p.lead(p.agency, "田中 花子", "", "09012345678", "")
		keepCase, dropCase := p.openCase(keep), p.openCase(drop)
		cons := &placement.Consultation{LeadID: drop.ID, AgencyID: p.agency.ID, AgentID: p.agent.ID, Mode: placement.ModeOnline,
			ScheduledAt: t0, MeetingURL: "https://meet.example.jp/x", Sealed: "sealed"}
		if err := p.db.CreateConsultation(ctx, cons); err != nil {
			t.Fatal(err)
		}
		fu := &placement.FollowUp{AgencyID: p.agency.ID, LeadID: drop.ID, AgentID: p.agent.ID,
			Trigger: placement.Trigger{Kind: placement.TriggerDate, Date: "2026-04-01"}}
		if err := p.db.CreateFollowUp(ctx, fu); err != nil {
			t.Fatal(err)
		}
		if err := p.db.SetLeadClaim(ctx, drop.ID, "drop-token", t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}

		keep.Phone, keep.UserID = drop.Phone, p.doctor.ID
		ev := placement.Event{Kind: placement.EventMerged, Detail: "統合", ActorID: p.agent.ID, At: t0.Add(time.Minute)}
		if err := p.db.MergeLeads(ctx, keep, drop, ev); err != nil {
			t.Fatal(err)
		}

		got, _ := p.db.Lead(ctx, keep.ID)
		if got.Phone != "09012345678" || got.UserID != p.doctor.ID {
			t.Errorf("keep = %+v, want its fields updated", got)
		}
		if got, _ := p.db.Lead(ctx, drop.ID); got.MergedInto != keep.ID {
			t.Errorf("drop.MergedInto = %d, want %d", got.MergedInto, keep.ID)
		}
		if _, err := p.db.LeadByClaim(ctx, "drop-token", t0); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the merged lead's claim still works: %v", err)
		}
		cases, _ := p.db.Cases(ctx, placement.CaseFilter{LeadID: keep.ID})
		if got := caseIDs(cases); !slices.Equal(got, []int64{dropCase.ID, keepCase.ID}) && !slices.Equal(got, []int64{keepCase.ID, dropCase.ID}) {
			t.Errorf("keep's cases = %v, want both", got)
		}
		if c, _ := p.db.Case(ctx, dropCase.ID); c.DoctorID != p.doctor.ID {
			t.Errorf("moved case's doctor = %d, want the keep's account", c.DoctorID)
		}
		if list, _ := p.db.Consultations(ctx, keep.ID); len(list) != 1 || list[0].ID != cons.ID {
			t.Errorf("keep's consultations = %+v", list)
		}
		if list, _ := p.db.FollowUps(ctx, placement.FollowUpFilter{LeadID: keep.ID}); len(list) != 1 || list[0].ID != fu.ID {
			t.Errorf("keep's follow-ups = %+v", list)
		}
		for _, id := range []int64{keepCase.ID, dropCase.ID} {
			events, _ := p.db.CaseEvents(ctx, id)
			if n := len(events); n != 2 || events[1].Kind != placement.EventMerged || events[1].Detail != "統合" ||
				events[1].ActorName != p.agent.DisplayName || !events[1].At.Equal(ev.At) {
				t.Errorf("case %d timeline = %+v, want created then merged", id, events)
			}
		}
		if list, _ := p.db.Leads(ctx, placement.LeadFilter{AgencyID: p.agency.ID}); !slices.Equal(leadIDs(list), []int64{keep.ID}) {
			t.Errorf("Leads = %v, want the merged lead hidden", leadIDs(list))
		}
		if list, _ := p.db.Leads(ctx, placement.LeadFilter{AgencyID: p.agency.ID, Merged: true}); len(list) != 2 {
			t.Errorf("Leads(Merged) = %v, want both", leadIDs(list))
		}
		if list, _ := p.db.LeadsOfUser(ctx, p.doctor.ID); !slices.Equal(leadIDs(list), []int64{keep.ID}) {
			t.Errorf("LeadsOfUser = %v", leadIDs(list))
		}

		third := p.lead(p.agency, "田中 花子", "h2@example.jp", "", "")
		if err := p.db.MergeLeads(ctx, third, drop, ev); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("merging a merged lead: err = %v, want conflict", err)
		}
		foreign := p.lead(p.other, "田中 花子", "h3@example.jp", "", "")
		if err := p.db.MergeLeads(ctx, third, foreign, ev); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("merging another agency's lead: err = %v, want conflict", err)
		}
		if got, _ := p.db.Lead(ctx, third.ID); !got.UpdatedAt.Equal(third.CreatedAt) {
			t.Error("a refused merge still updated the kept lead")
		}
	})
}

func TestCaseRoundTrip(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		ctx := p.ctx
		l := p.lead(p.agency, "田中 花子", "hanako@example.jp", "", "")
		l.UserID = p.doctor.ID
		if err := p.db.UpdateLead(ctx, l); err != nil {
			t.Fatal(err)
		}
		c := p.openCase(l)
		got, err := p.db.Case(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Version != 1 || got.DoctorID != p.doctor.ID || got.DoctorName != "田中 花子" || got.OpeningTitle != p.opening.Title ||
			got.InstitutionName != p.inst.Name || got.AgentName != p.agent.DisplayName || !got.CreatedAt.Equal(t0) ||
			got.Override != nil || got.Outcome != nil || got.DoctorReview != nil || got.IntroducedAt != nil {
			t.Fatalf("new case = %+v", got)
		}

		at := t0.Add(24 * time.Hour)
		got.Stage, got.StageChangedAt, got.IntroducedAt, got.Recommendation = placement.StageOnHold, at, ptr(at), "推薦します"
		got.Override = &placement.Override{Reason: "経験は十分と判断", Problems: []string{"必須の確認事項が未確認です。"}, By: p.agent.ID, At: at}
		got.Outcome = &placement.Outcome{Stage: placement.StageOnHold, Reason: placement.ReasonSchedule, Note: "来年度に再開", By: p.agent.ID, At: at}
		got.DoctorReview = &placement.Conclusion{Verdict: placement.VerdictProceed, Note: "前向き", By: p.doctor.ID, At: at}
		got.AgentReview = &placement.Conclusion{Verdict: placement.VerdictUndecided, By: p.agent.ID, At: at}
		got.Round = 2
		before := db0(p)
		p.save(got, placement.Change{})
		if got.Version != 2 || got.UpdatedAt.Before(before) {
			t.Errorf("after save: version %d, updated %v", got.Version, got.UpdatedAt)
		}
		again, _ := p.db.Case(ctx, c.ID)
		if !reflect.DeepEqual(again, got) {
			t.Errorf("Case =\n%+v\nwant\n%+v", again, got)
		}

		// Clearing the optional parts clears their columns.
		again.Override, again.Outcome, again.DoctorReview, again.AgentReview = nil, nil, nil, nil
		again.Stage = placement.StageConsultation
		p.save(again, placement.Change{})
		cleared, _ := p.db.Case(ctx, c.ID)
		if cleared.Override != nil || cleared.Outcome != nil || cleared.DoctorReview != nil || cleared.AgentReview != nil ||
			cleared.IntroducedAt == nil || cleared.Version != 3 {
			t.Errorf("after clearing: %+v", cleared)
		}
	})
}

// db0 returns the store's clock now, for comparisons.
func db0(p *pipeline) time.Time { return p.db.Now().UTC().Truncate(time.Microsecond) }

func TestSaveCaseConflict(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		ctx := p.ctx
		c := p.openCase(p.lead(p.agency, "田中 花子", "hanako@example.jp", "", ""))
		a, _ := p.db.Case(ctx, c.ID)
		b, _ := p.db.Case(ctx, c.ID)
		move := func(c *placement.Case, to placement.Stage) placement.Change {
			ev := placement.Event{Kind: placement.EventTransition, From: c.Stage, To: to, ActorID: p.agent.ID, At: t0}
			c.Stage = to
			return placement.Change{Events: []placement.Event{ev}}
		}
		if err := p.db.SaveCase(ctx, a, move(a, placement.StageConsultation)); err != nil {
			t.Fatal(err)
		}
		if err := p.db.SaveCase(ctx, b, move(b, placement.StageOnHold)); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("stale save: err = %v, want conflict", err)
		}
		if b.Version != 1 {
			t.Errorf("a refused save changed the version to %d", b.Version)
		}
		got, _ := p.db.Case(ctx, c.ID)
		events, _ := p.db.CaseEvents(ctx, c.ID)
		if got.Stage != placement.StageConsultation || got.Version != 2 || len(events) != 2 {
			t.Errorf("after the race: stage %s, version %d, %d events", got.Stage, got.Version, len(events))
		}

		// Many agents save the same version at once: exactly one wins.
		const n = 8
		var wg sync.WaitGroup
		results := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				mine, err := p.db.Case(ctx, c.ID)
				if err != nil {
					results[i] = err
					return
				}
				mine.Version = got.Version
				mine.Recommendation = fmt.Sprintf("agent %d", i)
				results[i] = p.db.SaveCase(ctx, mine, placement.Change{Events: []placement.Event{{Kind: placement.EventChecklist,
					Detail: mine.Recommendation, ActorID: p.agent.ID, At: t0}}})
			}()
		}
		wg.Wait()
		wins := 0
		for _, err := range results {
			switch {
			case err == nil:
				wins++
			case !apperr.Is(err, apperr.Conflict):
				t.Errorf("concurrent save: %v", err)
			}
		}
		if wins != 1 {
			t.Fatalf("%d concurrent saves of one version succeeded, want 1", wins)
		}
		final, _ := p.db.Case(ctx, c.ID)
		events, _ = p.db.CaseEvents(ctx, c.ID)
		if final.Version != got.Version+1 || len(events) != 3 || events[2].Detail != final.Recommendation {
			t.Errorf("after the race: version %d, %d events, last %q, recommendation %q", final.Version, len(events),
				events[len(events)-1].Detail, final.Recommendation)
		}
	})
}

func TestChecklistKeepsIDs(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		ctx := p.ctx
		c := p.openCase(p.lead(p.agency, "田中 花子", "hanako@example.jp", "", ""))
		item := func(label string, required bool) placement.CheckItem {
			return placement.CheckItem{Source: placement.ItemCheck, Label: label, Required: required, Status: placement.ItemUnknown}
		}
		items := []placement.CheckItem{item("当直ができる", true), item("電子カルテ", true), item("英語", false)}
		p.save(c, placement.Change{Items: items, ReplaceItems: true})
		first, _ := p.db.CheckItems(ctx, c.ID)
		if len(first) != 3 || first[0].ID == 0 || first[0].ID != items[0].ID || first[2].Position != 3 {
			t.Fatalf("CheckItems = %+v (given %+v)", first, items)
		}

		// Reorder, drop the second, confirm the first, add one.
		one, three := first[0], first[2]
		one.Status, one.Note = placement.ItemMet, "確認済み"
		added := placement.CheckItem{Source: placement.ItemAgentAdded, Label: "訪問診療", Required: true, Status: placement.ItemUnknown}
		p.save(c, placement.Change{Items: []placement.CheckItem{three, one, added}, ReplaceItems: true})
		second, _ := p.db.CheckItems(ctx, c.ID)
		if got := ids(second, func(it placement.CheckItem) int64 { return it.ID }); len(got) != 3 || got[0] != three.ID || got[1] != one.ID ||
			got[2] == 0 || got[2] == first[1].ID {
			t.Fatalf("IDs after replacing = %v, want [%d %d new]", got, three.ID, one.ID)
		}
		for i, it := range second {
			if it.Position != i+1 || it.CaseID != c.ID {
				t.Errorf("item %d: position %d case %d", it.ID, it.Position, it.CaseID)
			}
		}
		if second[1].Status != placement.ItemMet || second[1].Note != "確認済み" || second[2].Source != placement.ItemAgentAdded {
			t.Errorf("items = %+v", second)
		}

		// Without ReplaceItems, items update status and note by ID only.
		upd := second[0]
		upd.Status, upd.Note, upd.Label = placement.ItemNotMet, "不可", "changed"
		p.save(c, placement.Change{Items: []placement.CheckItem{upd}})
		third, _ := p.db.CheckItems(ctx, c.ID)
		if third[0].Status != placement.ItemNotMet || third[0].Note != "不可" || third[0].Label != three.Label {
			t.Errorf("after the update: %+v", third[0])
		}

		// An item of another case fails the whole save.
		otherCase := p.openCase(p.lead(p.agency, "佐藤 一郎", "ichiro@example.jp", "", ""))
		p.save(otherCase, placement.Change{Items: []placement.CheckItem{item("x", true)}, ReplaceItems: true})
		foreign, _ := p.db.CheckItems(ctx, otherCase.ID)
		version := c.Version
		err := p.db.SaveCase(ctx, c, placement.Change{Items: []placement.CheckItem{foreign[0]}, ReplaceItems: true,
			Events: []placement.Event{{Kind: placement.EventChecklist, At: t0}}})
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("foreign item: err = %v, want not_found", err)
		}
		if after, _ := p.db.Case(ctx, c.ID); after.Version != version {
			t.Error("a failed save still bumped the version")
		}
		if list, _ := p.db.CheckItems(ctx, c.ID); len(list) != 3 {
			t.Errorf("a failed save changed the checklist: %+v", list)
		}
	})
}

func TestShareAndScorecards(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		ctx := p.ctx
		c := p.openCase(p.lead(p.agency, "田中 花子", "hanako@example.jp", "", ""))
		share := &placement.Share{InstitutionID: p.inst.ID, SharedBy: p.agent.ID, SharedAt: t0,
			Fields: []placement.SharedField{{Label: "氏名", Value: "田中 花子"}, {Label: "専門", Value: "内科"}}}
		c.Stage, c.IntroducedAt = placement.StageIntroduced, ptr(t0)
		p.save(c, placement.Change{Share: share})
		shares, err := p.db.Shares(ctx, c.ID)
		if err != nil || len(shares) != 1 {
			t.Fatalf("Shares = %+v, %v", shares, err)
		}
		want := *share
		want.Institution = p.inst.Name
		if !reflect.DeepEqual(shares[0], want) || share.ID == 0 {
			t.Errorf("Share =\n%+v\nwant\n%+v", shares[0], want)
		}

		iv := &placement.Interview{CaseID: c.ID, StartsAt: t0, EndsAt: t0.Add(time.Hour), Mode: placement.ModeInPerson, Place: "本院",
			Participants: []placement.Participant{{Name: "田中 花子", Email: "hanako@example.jp", Role: "doctor"}}, CreatedBy: p.staff.ID}
		if err := p.db.CreateInterview(ctx, iv); err != nil {
			t.Fatal(err)
		}
		iv.Sequence, iv.CancelledAt = 1, ptr(t0.Add(time.Minute))
		if err := p.db.UpdateInterview(ctx, iv); err != nil {
			t.Fatal(err)
		}
		gotIV, err := p.db.Interview(ctx, iv.ID)
		if err != nil || !reflect.DeepEqual(gotIV, iv) {
			t.Errorf("Interview =\n%+v\nwant\n%+v (%v)", gotIV, iv, err)
		}

		sc := &placement.Scorecard{CaseID: c.ID, InterviewID: iv.ID, By: p.staff.ID, Scores: map[int64]int{7: 4},
			Overall: placement.RecommendYes, Comment: "良い", CreatedAt: t0}
		if err := p.db.SaveScorecard(ctx, sc); err != nil {
			t.Fatal(err)
		}
		firstID := sc.ID
		again := &placement.Scorecard{CaseID: c.ID, InterviewID: iv.ID, By: p.staff.ID, Scores: map[int64]int{7: 5, 8: 3},
			Overall: placement.RecommendStrongYes, Comment: "とても良い", CreatedAt: t0.Add(time.Hour)}
		if err := p.db.SaveScorecard(ctx, again); err != nil {
			t.Fatal(err)
		}
		if again.ID != firstID {
			t.Errorf("a second scorecard by the same author got a new ID %d, want %d", again.ID, firstID)
		}
		if err := p.db.SaveScorecard(ctx, &placement.Scorecard{CaseID: c.ID, InterviewID: iv.ID, By: p.agent.ID,
			Overall: placement.RecommendNo, CreatedAt: t0.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		cards, err := p.db.Scorecards(ctx, c.ID)
		if err != nil || len(cards) != 2 {
			t.Fatalf("Scorecards = %+v, %v", cards, err)
		}
		wantCard := *again
		wantCard.ByName = p.staff.DisplayName
		if !reflect.DeepEqual(cards[0], wantCard) {
			t.Errorf("Scorecard =\n%+v\nwant\n%+v", cards[0], wantCard)
		}
		if len(cards[1].Scores) != 0 {
			t.Errorf("a scorecard without scores read back %v", cards[1].Scores)
		}
	})
}

func TestFollowUpStatus(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		ctx := p.ctx
		l := p.lead(p.agency, "田中 花子", "hanako@example.jp", "", "")
		l.UserID = p.doctor.ID
		if err := p.db.UpdateLead(ctx, l); err != nil {
			t.Fatal(err)
		}
		c := p.openCase(l)
		fu := &placement.FollowUp{AgencyID: p.agency.ID, CaseID: c.ID, LeadID: l.ID, AgentID: p.agent.ID,
			Trigger: placement.Trigger{Kind: placement.TriggerCertification, Specialty: "内科"}, Note: "再推薦", Context: "前回: 保留",
			CreatedAt: t0}
		if err := p.db.CreateFollowUp(ctx, fu); err != nil {
			t.Fatal(err)
		}
		got, err := p.db.FollowUp(ctx, fu.ID)
		want := *fu
		want.DoctorID, want.DoctorName, want.InstitutionName = p.doctor.ID, "田中 花子", p.inst.Name
		if err != nil || !reflect.DeepEqual(*got, want) {
			t.Fatalf("FollowUp =\n%+v\nwant\n%+v (%v)", got, want, err)
		}
		rivalLead := p.lead(p.other, "佐藤 一郎", "ichiro@example.jp", "", "")
		rivalFU := &placement.FollowUp{AgencyID: p.other.ID, LeadID: rivalLead.ID, AgentID: p.rival.ID,
			Trigger: placement.Trigger{Kind: placement.TriggerDate, Date: "2026-01-01"}, CreatedAt: t0.Add(time.Minute)}
		if err := p.db.CreateFollowUp(ctx, rivalFU); err != nil {
			t.Fatal(err)
		}

		waiting := []placement.FollowUpStatus{placement.FollowUpWaiting}
		for _, tt := range []struct {
			name string
			f    placement.FollowUpFilter
			want []int64
		}{
			{"every agency, for the sweep", placement.FollowUpFilter{Statuses: waiting}, []int64{rivalFU.ID, fu.ID}},
			{"one agency", placement.FollowUpFilter{AgencyID: p.agency.ID}, []int64{fu.ID}},
			{"by doctor", placement.FollowUpFilter{DoctorID: p.doctor.ID}, []int64{fu.ID}},
			{"by agent", placement.FollowUpFilter{AgentID: p.rival.ID}, []int64{rivalFU.ID}},
			{"limit", placement.FollowUpFilter{Limit: 1}, []int64{rivalFU.ID}},
		} {
			list, err := p.db.FollowUps(ctx, tt.f)
			if got := ids(list, func(f placement.FollowUp) int64 { return f.ID }); err != nil || !slices.Equal(got, tt.want) {
				t.Errorf("%s: FollowUps = %v, %v; want %v", tt.name, got, err, tt.want)
			}
		}

		at := t0.Add(time.Hour)
		var wg sync.WaitGroup
		var mu sync.Mutex
		fired := 0
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := p.db.SetFollowUpStatus(ctx, fu.ID, placement.FollowUpWaiting, placement.FollowUpDue, at)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					fired++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if fired != 1 {
			t.Fatalf("the follow-up fired %d times, want once", fired)
		}
		got, _ = p.db.FollowUp(ctx, fu.ID)
		if got.Status != placement.FollowUpDue || got.FiredAt == nil || !got.FiredAt.Equal(at) {
			t.Errorf("after firing: %s, %v", got.Status, got.FiredAt)
		}
		if ok, err := p.db.SetFollowUpStatus(ctx, fu.ID, placement.FollowUpDue, placement.FollowUpDone, at.Add(time.Hour)); !ok || err != nil {
			t.Errorf("due → done = %v, %v", ok, err)
		}
		got, _ = p.db.FollowUp(ctx, fu.ID)
		if got.Status != placement.FollowUpDone || !got.FiredAt.Equal(at) {
			t.Errorf("done kept fired_at? %s, %v", got.Status, got.FiredAt)
		}
		if list, _ := p.db.FollowUps(ctx, placement.FollowUpFilter{Statuses: waiting}); !slices.Equal(ids(list, func(f placement.FollowUp) int64 { return f.ID }), []int64{rivalFU.ID}) {
			t.Errorf("waiting after firing: %+v", list)
		}
	})
}

func TestExpiredLeads(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		ctx := p.ctx
		now := t0.AddDate(5, 0, 0)
		if err := p.db.SaveAgency(ctx, &placement.Agency{OrgID: p.agency.ID, PurposeText: "利用目的", RetentionDays: 30, FormEnabled: true}); err != nil {
			t.Fatal(err)
		}
		a, err := p.db.Agency(ctx, p.agency.ID)
		if err != nil || a.RetentionDays != 30 || a.Name != p.agency.Name || !a.FormEnabled {
			t.Fatalf("Agency = %+v, %v", a, err)
		}
		if _, err := p.db.Agency(ctx, p.other.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("agency without settings: err = %v, want not_found", err)
		}
		lead := func(org *identity.Organisation, name string, daysAgo int) *placement.Lead {
			l := p.lead(org, name, name+"@example.jp", "", "")
			if err := p.db.TouchLead(ctx, l.ID, now.AddDate(0, 0, -daysAgo)); err != nil {
				t.Fatal(err)
			}
			return l
		}
		idle := lead(p.agency, "idle", 31)
		recent := lead(p.agency, "recent", 29)
		withOpen := lead(p.agency, "open", 40)
		p.openCase(withOpen)
		withHeld := lead(p.agency, "held", 40)
		held := p.openCase(withHeld)
		held.Stage = placement.StageOnHold
		held.Outcome = &placement.Outcome{Stage: placement.StageOnHold, By: p.agent.ID, At: t0}
		p.save(held, placement.Change{})
		withClosed := lead(p.agency, "closed", 40)
		p.close(p.openCase(withClosed), t0)
		defaultKept := lead(p.other, "default-kept", 1000)
		defaultGone := lead(p.other, "default-gone", 1100)
		merged := lead(p.agency, "merged", 400)
		if err := p.db.MergeLeads(ctx, recent, merged, placement.Event{Kind: placement.EventMerged, At: now}); err != nil {
			t.Fatal(err)
		}
		gone := lead(p.agency, "gone", 400)
		if err := p.db.AnonymiseLead(ctx, gone.ID, now); err != nil {
			t.Fatal(err)
		}
		// TouchLead never moves the activity back.
		if err := p.db.TouchLead(ctx, recent.ID, t0); err != nil {
			t.Fatal(err)
		}

		list, err := p.db.ExpiredLeads(ctx, now, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := leadIDs(list)
		want := []int64{defaultGone.ID, withClosed.ID, idle.ID}
		if !slices.Equal(got, want) {
			t.Errorf("ExpiredLeads = %v, want %v (kept: recent %d, open %d, held %d, default-kept %d)",
				got, want, recent.ID, withOpen.ID, withHeld.ID, defaultKept.ID)
		}
		if list, _ := p.db.ExpiredLeads(ctx, now, 2); len(list) != 2 {
			t.Errorf("limit 2 returned %d", len(list))
		}
	})
}

func TestAnonymiseLead(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		ctx := p.ctx
		l := p.lead(p.agency, "田中 花子", "hanako@example.jp", "09012345678", "1234567")
		l.Message, l.SourceNote = "内科を希望", "学会で"
		if err := p.db.UpdateLead(ctx, l); err != nil {
			t.Fatal(err)
		}
		dup := p.lead(p.agency, "田中 花子", "hanako2@example.jp", "", "")
		if err := p.db.MergeLeads(ctx, l, dup, placement.Event{Kind: placement.EventMerged, Detail: "田中 花子を統合", At: t0}); err != nil {
			t.Fatal(err)
		}
		if err := p.db.SetLeadClaim(ctx, l.ID, "token", t0.AddDate(1, 0, 0)); err != nil {
			t.Fatal(err)
		}
		c := p.openCase(l)
		if err := p.db.CreateConsultation(ctx, &placement.Consultation{LeadID: l.ID, CaseID: c.ID, AgencyID: p.agency.ID,
			AgentID: p.agent.ID, Mode: placement.ModeInPerson, ScheduledAt: t0, Place: "本社", HeldAt: ptr(t0), Sealed: "v1:secret"}); err != nil {
			t.Fatal(err)
		}
		iv := &placement.Interview{CaseID: c.ID, StartsAt: t0, EndsAt: t0.Add(time.Hour), Mode: placement.ModeOnline,
			MeetingURL: "https://meet.example.jp/a", CreatedBy: p.agent.ID,
			Participants: []placement.Participant{{Name: "田中 花子", Email: "hanako@example.jp", Role: "doctor"}}}
		if err := p.db.CreateInterview(ctx, iv); err != nil {
			t.Fatal(err)
		}
		if err := p.db.SaveScorecard(ctx, &placement.Scorecard{CaseID: c.ID, InterviewID: iv.ID, By: p.staff.ID,
			Overall: placement.RecommendNo, Comment: "田中さんは…"}); err != nil {
			t.Fatal(err)
		}
		if err := p.db.CreateFollowUp(ctx, &placement.FollowUp{AgencyID: p.agency.ID, CaseID: c.ID, LeadID: l.ID, AgentID: p.agent.ID,
			Trigger: placement.Trigger{Kind: placement.TriggerDate, Date: "2030-01-01"}, Note: "田中さんに連絡", Context: "前回"}); err != nil {
			t.Fatal(err)
		}
		c.Recommendation, c.IntroducedAt = "田中さんを推薦", ptr(t0)
		c.Override = &placement.Override{Reason: "本人と確認済み", Problems: []string{"未確認"}, By: p.agent.ID, At: t0}
		c.DoctorReview = &placement.Conclusion{Verdict: placement.VerdictDecline, Note: "通勤が遠い", By: p.doctor.ID, At: t0}
		c.AgentReview = &placement.Conclusion{Verdict: placement.VerdictDecline, Note: "見送り", By: p.agent.ID, At: t0}
		p.save(c, placement.Change{Share: &placement.Share{SharedBy: p.agent.ID, SharedAt: t0,
			Fields: []placement.SharedField{{Label: "氏名", Value: "田中 花子"}}}})
		p.close(c, t0.Add(time.Hour))
		eventsBefore, _ := p.db.CaseEvents(ctx, c.ID)

		at := t0.AddDate(4, 0, 0)
		if err := p.db.AnonymiseLead(ctx, l.ID, at); err != nil {
			t.Fatal(err)
		}

		for _, id := range []int64{l.ID, dup.ID} {
			var personal string
			var anonymised bool
			if err := p.raw.QueryRow(`SELECT name || name_kana || email || phone || registration_number || message || source_note ||
				search_text || claim_token_hash, anonymised_at IS NOT NULL FROM leads WHERE id = $1`, id).Scan(&personal, &anonymised); err != nil {
				t.Fatal(err)
			}
			if personal != "" || !anonymised {
				t.Errorf("lead %d after anonymising: %q, anonymised %v", id, personal, anonymised)
			}
		}
		for _, q := range []string{
			`SELECT sealed_notes || place || meeting_url FROM consultations WHERE lead_id = $1`,
			`SELECT recommendation || override_reason || outcome_note || doctor_note || agent_note ||
				CASE WHEN override_problems = '[]' THEN '' ELSE override_problems END FROM cases WHERE lead_id = $1`,
			`SELECT e.detail FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.lead_id = $1`,
			`SELECT i.place || i.meeting_url || CASE WHEN i.participants = '[]' THEN '' ELSE i.participants END
				FROM interviews i JOIN cases c ON c.id = i.case_id WHERE c.lead_id = $1`,
			`SELECT s.comment FROM scorecards s JOIN cases c ON c.id = s.case_id WHERE c.lead_id = $1`,
			`SELECT CASE WHEN s.fields = '[]' THEN '' ELSE s.fields END FROM shares s JOIN cases c ON c.id = s.case_id WHERE c.lead_id = $1`,
			`SELECT note || context || CASE WHEN status = 'cancelled' THEN '' ELSE status END FROM follow_ups WHERE lead_id = $1`,
		} {
			rows, err := p.raw.Query(q, l.ID)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			n := 0
			for rows.Next() {
				var s string
				if err := rows.Scan(&s); err != nil {
					t.Fatal(err)
				}
				if n++; s != "" {
					t.Errorf("%s\nleft %q", q, s)
				}
			}
			rows.Close()
			if n == 0 {
				t.Errorf("%s\nfound no rows to check", q)
			}
		}

		// The skeleton stays for reports.
		got, err := p.db.Case(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Stage != placement.StageWithdrawnByDoctor || got.Outcome == nil || got.Outcome.Reason != placement.ReasonSchedule ||
			!got.StageChangedAt.Equal(t0.Add(time.Hour)) || got.IntroducedAt == nil || got.Version != c.Version+1 {
			t.Errorf("case after anonymising: %+v", got)
		}
		events, _ := p.db.CaseEvents(ctx, c.ID)
		if len(events) != len(eventsBefore) {
			t.Errorf("%d events after anonymising, %d before", len(events), len(eventsBefore))
		}
		for i := range events {
			if events[i].Kind != eventsBefore[i].Kind || events[i].To != eventsBefore[i].To || !events[i].At.Equal(eventsBefore[i].At) {
				t.Errorf("event %d changed: %+v → %+v", i, eventsBefore[i], events[i])
			}
		}
		lead, _ := p.db.Lead(ctx, l.ID)
		if lead.AnonymisedAt == nil || !lead.AnonymisedAt.Equal(at) || lead.Consent.PurposeHash != l.Consent.PurposeHash {
			t.Errorf("lead after anonymising: %+v", lead)
		}
		if list, _ := p.db.Leads(ctx, placement.LeadFilter{AgencyID: p.agency.ID}); len(list) != 1 || list[0].AnonymisedAt == nil {
			t.Errorf("Leads lists %+v, want the anonymised lead, marked", list)
		}
		if _, err := p.db.LeadByClaim(ctx, "token", t0); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("claim after anonymising: err = %v", err)
		}
		if err := p.db.AnonymiseLead(ctx, 999999, at); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing lead: err = %v, want not_found", err)
		}
	})
}

func TestCasesFilter(t *testing.T) {
	eachPipeline(t, func(t *testing.T, p *pipeline) {
		ctx := p.ctx
		hanako := p.lead(p.agency, "田中 花子", "hanako@example.jp", "", "")
		hanako.UserID = p.doctor.ID
		if err := p.db.UpdateLead(ctx, hanako); err != nil {
			t.Fatal(err)
		}
		ichiro := p.lead(p.agency, "佐藤 一郎", "ichiro@example.jp", "", "")
		rivalLead := p.lead(p.other, "田中 花子", "hanako@example.jp", "", "")
		rivalLead.UserID = p.doctor.ID
		if err := p.db.UpdateLead(ctx, rivalLead); err != nil {
			t.Fatal(err)
		}

		a := p.openCase(hanako)
		b := p.openCase(ichiro)
		b.Stage, b.IntroducedAt = placement.StageIntroduced, ptr(t0)
		p.save(b, placement.Change{})
		rival := p.openCase(rivalLead)
		rival.Stage, rival.IntroducedAt = placement.StageIntroduced, ptr(t0)
		p.save(rival, placement.Change{})

		for _, tt := range []struct {
			name string
			f    placement.CaseFilter
			want []int64
		}{
			{"agency, last updated first", placement.CaseFilter{AgencyID: p.agency.ID}, []int64{b.ID, a.ID}},
			{"the other agency sees only its own", placement.CaseFilter{AgencyID: p.other.ID}, []int64{rival.ID}},
			{"introduced to the institution", placement.CaseFilter{InstitutionID: p.inst.ID, Introduced: true}, []int64{rival.ID, b.ID}},
			{"agency and introduced", placement.CaseFilter{AgencyID: p.agency.ID, Introduced: true}, []int64{b.ID}},
			{"the doctor's own, every agency", placement.CaseFilter{DoctorID: p.doctor.ID}, []int64{rival.ID, a.ID}},
			{"the doctor within an agency", placement.CaseFilter{AgencyID: p.agency.ID, DoctorID: p.doctor.ID}, []int64{a.ID}},
			{"lead", placement.CaseFilter{AgencyID: p.agency.ID, LeadID: ichiro.ID}, []int64{b.ID}},
			{"stages", placement.CaseFilter{AgencyID: p.agency.ID, Stages: []placement.Stage{placement.StageLead, placement.StagePlaced}}, []int64{a.ID}},
			{"agent", placement.CaseFilter{AgentID: p.rival.ID}, []int64{rival.ID}},
			{"query on the lead's name", placement.CaseFilter{AgencyID: p.agency.ID, Query: "佐藤"}, []int64{b.ID}},
			{"query on the lead's e-mail", placement.CaseFilter{AgencyID: p.agency.ID, Query: "ICHIRO"}, []int64{b.ID}},
			{"query matching no lead", placement.CaseFilter{AgencyID: p.agency.ID, Query: "鈴木"}, nil},
			{"limit", placement.CaseFilter{AgencyID: p.agency.ID, Limit: 1}, []int64{b.ID}},
		} {
			t.Run(tt.name, func(t *testing.T) {
				list, err := p.db.Cases(ctx, tt.f)
				if err != nil {
					t.Fatal(err)
				}
				if got := caseIDs(list); !slices.Equal(got, tt.want) {
					t.Errorf("Cases = %v, want %v", got, tt.want)
				}
			})
		}

		// Reports read the agency's timeline up to a time.
		if err := p.db.AppendEvents(ctx, []placement.Event{{CaseID: a.ID, Kind: placement.EventConsultation, At: t0.Add(time.Hour)},
			{CaseID: b.ID, Kind: placement.EventConsultation, At: t0.Add(2 * time.Hour)}}); err != nil {
			t.Fatal(err)
		}
		events, err := p.db.AgencyEvents(ctx, p.agency.ID, t0.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range events {
			got = append(got, fmt.Sprintf("%d/%s", e.CaseID, e.Kind))
		}
		want := []string{fmt.Sprintf("%d/created", a.ID), fmt.Sprintf("%d/created", b.ID), fmt.Sprintf("%d/consultation", a.ID)}
		if !slices.Equal(got, want) {
			t.Errorf("AgencyEvents = %v, want %v", got, want)
		}
	})
}
