package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/policy"
)

// TestDailyJobsRunThroughTheQueue: the app schedules the retention and
// follow-up sweeps on its job worker, once per day, and they take effect.
func TestDailyJobsRunThroughTheQueue(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		agency := env.Org(identity.OrgAgency, "さくらメディカルキャリア")
		agentUser := env.User("agent@sakura.example.jp", "鈴木 一郎", identity.Grant{Role: identity.RoleAgent, OrgID: agency, OrgAdmin: true})
		agent := actorOf(t, env, agentUser)
		svc := env.Main.Placement
		settings, err := svc.Agency(ctx, agent, agency)
		if err != nil {
			t.Fatal(err)
		}
		settings.RetentionDays = 30
		if err := svc.SaveAgency(ctx, agent, settings); err != nil {
			t.Fatal(err)
		}
		old := &placement.Lead{AgencyID: agency, Name: "古い リード", Phone: "0312345678", Source: placement.SourceEvent}
		if err := svc.CreateLead(ctx, agent, old); err != nil {
			t.Fatal(err)
		}
		due := env.Clock.Now().In(time.FixedZone("JST", 9*3600)).AddDate(0, 0, 10).Format(time.DateOnly)
		if err := svc.CreateFollowUp(ctx, agent, &placement.FollowUp{LeadID: old.ID, Note: "年明けに連絡",
			Trigger: placement.Trigger{Kind: placement.TriggerDate, Date: due}}); err != nil {
			t.Fatal(err)
		}
		status := func() placement.FollowUpStatus {
			list, err := svc.FollowUps(ctx, agent, placement.FollowUpFilter{AgencyID: agency})
			if err != nil || len(list) != 1 {
				t.Fatalf("follow-ups: %+v %v", list, err)
			}
			return list[0].Status
		}

		// Today nothing is due and nothing has expired.
		if _, err := env.Main.Worker.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if status() != placement.FollowUpWaiting || lead(t, env, agent, old.ID).AnonymisedAt != nil {
			t.Fatal("a sweep acted on the first day")
		}
		// Eleven days on, the follow-up fires; the lead is still kept.
		env.Clock.Advance(11 * 24 * time.Hour)
		if _, err := env.Main.Worker.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := status(); got != placement.FollowUpDue {
			t.Fatalf("follow-up after its date: %s", got)
		}
		if lead(t, env, agent, old.ID).AnonymisedAt != nil {
			t.Fatal("anonymised within the retention period")
		}
		// Past the 30-day retention, the inactive lead is anonymised.
		env.Clock.Advance(30 * 24 * time.Hour)
		if _, err := env.Main.Worker.RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if l := lead(t, env, agent, old.ID); l.AnonymisedAt == nil || l.Name != "" || l.Phone != "" {
			t.Fatalf("lead after the retention period: %+v", l)
		}
		// The same day again runs nothing twice.
		n, err := env.Main.Worker.RunDue(ctx)
		if err != nil || n != 0 {
			t.Fatalf("second run the same day: %d jobs, %v", n, err)
		}
	})
}

func lead(t *testing.T, env *apptest.Env, agent policy.Actor, id int64) *placement.Lead {
	t.Helper()
	l, err := env.Main.Placement.Lead(context.Background(), agent, id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}
