package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/ratelimit"
)

// concurrency is the number of goroutines of each storm.
const concurrency = 50

// storm runs fn for 0…n-1 in n goroutines released together and returns
// each one's error and how long the storm took.
func storm(n int, fn func(i int) error) ([]error, time.Duration) {
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = fn(i)
		})
	}
	began := time.Now()
	close(start)
	wg.Wait()
	return errs, time.Since(began)
}

// busyTexts are what a lock or serialization failure of either engine
// says; none of them may reach a caller.
var busyTexts = []string{"SQLITE_BUSY", "database is locked", "database table is locked", "SQLSTATE 40001",
	"SQLSTATE 40P01", "could not serialize", "deadlock"}

// tally counts the successes and conflicts of a storm and fails the test
// on any other error, and on a conflict whose text is a driver's.
func tally(t *testing.T, what string, errs []error, took time.Duration) (ok, conflicts int) {
	t.Helper()
	for i, err := range errs {
		if err != nil {
			for _, busy := range busyTexts {
				if strings.Contains(strings.ToLower(err.Error()), strings.ToLower(busy)) {
					t.Errorf("%s: goroutine %d: a lock error reached the caller: %v", what, i, err)
				}
			}
		}
		switch {
		case err == nil:
			ok++
		case apperr.Is(err, apperr.Conflict):
			conflicts++
		default:
			t.Errorf("%s: goroutine %d: %v (only Conflict may surface)", what, i, err)
		}
	}
	t.Logf("%s: %d goroutines, %d succeeded, %d conflicts, %v", what, len(errs), ok, conflicts, took.Round(time.Millisecond))
	return ok, conflicts
}

// TestConcurrentPlacementCase has 50 goroutines each read the case's
// version and add a check item to it. Those that win are all applied (the
// items replace the list, so a lost update would drop one); the others
// are told Conflict.
func TestConcurrentPlacementCase(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		w := newPAPIWorld(t, env)
		_, id, cons := w.papiCase(t)
		when := env.Clock.Now().Add(time.Hour)
		w.agent.must(http.StatusOK, "PUT", "/consultations/"+itoa(cons), map[string]any{"mode": "in_person",
			"scheduled_at": when.Format(time.RFC3339), "place": "本社 応接室", "notes": "火曜夜を希望。"}, nil)
		agentUser, err := env.Main.DB.UserByEmail(ctx, "agent@sakura.example.jp")
		if err != nil {
			t.Fatal(err)
		}
		agent := actorOf(t, env, agentUser)
		for _, to := range []placement.Stage{placement.StageConsultation, placement.StageCheckItems} {
			v, err := env.Main.Placement.View(ctx, agent, id)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := env.Main.Placement.Move(ctx, agent, id, placement.Move{Version: v.Case.Version, To: to}); err != nil {
				t.Fatalf("move to %s: %v", to, err)
			}
		}
		before, err := env.Main.Placement.View(ctx, agent, id)
		if err != nil {
			t.Fatal(err)
		}

		label := func(i int) string { return fmt.Sprintf("同時確認 %02d", i) }
		errs, took := storm(concurrency, func(i int) error {
			v, err := env.Main.Placement.View(ctx, agent, id)
			if err != nil {
				return err
			}
			_, err = env.Main.Placement.ConfirmItems(ctx, agent, id, v.Case.Version, nil, []string{label(i)})
			return err
		})
		ok, _ := tally(t, "placement case", errs, took)
		if ok == 0 {
			t.Fatal("no goroutine changed the case")
		}

		after, err := env.Main.Placement.View(ctx, agent, id)
		if err != nil {
			t.Fatal(err)
		}
		var want, got []string
		for i, err := range errs {
			if err == nil {
				want = append(want, label(i))
			}
		}
		for _, it := range after.Items {
			if it.Source == placement.ItemAgentAdded {
				got = append(got, it.Label)
			}
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("added items = %q, want exactly the %d winners' %q", got, len(want), want)
		}
		if n := len(after.Items) - len(before.Items); n != ok {
			t.Errorf("the checklist grew by %d items, want %d", n, ok)
		}
		if after.Case.Version != before.Case.Version+ok {
			t.Errorf("version %d → %d after %d successes", before.Case.Version, after.Case.Version, ok)
		}
	})
}

// TestConcurrentOpeningEdits has 50 goroutines each read the opening and
// append their mark to its description: the description ends with
// exactly the winners' marks, and the others are told Conflict.
func TestConcurrentOpeningEdits(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		clinic := env.Org(identity.OrgInstitution, "みなと内科クリニック")
		staffUser := env.User("staff@minato.example.jp", "佐藤 花子", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: clinic, OrgAdmin: true})
		staff := actorOf(t, env, staffUser)
		o := postOpening(t, env, staffUser, &openings.Opening{InstitutionID: clinic, PosterOrgID: clinic,
			Title: "【内科】火曜午後の外来", Kind: career.WorkPartTimeRegular, Specialty: "内科",
			Schedule: openings.Schedule{Kind: openings.ScheduleWeekly, Weekly: []career.Weekly{{Weekday: time.Tuesday, Start: "13:00", End: "17:00"}}},
			PayUnit:  career.PayHourly, PayMinYen: 10_000, PayMaxYen: 12_000, Prefecture: "東京都", City: "港区",
			Answers: map[career.Stage]career.StageAnswer{career.StageStudent: career.AnswerReject, career.StageJuniorResident: career.AnswerReject,
				career.StageSpecialtyResident: career.AnswerConsider, career.StageSpecialist: career.AnswerAccept},
			Description: "患者様第一のクリニックです。", Status: openings.StatusOpen})
		before, err := env.Main.Openings.Get(ctx, staff, o.ID)
		if err != nil {
			t.Fatal(err)
		}

		mark := func(i int) string { return fmt.Sprintf("[編集%02d]", i) }
		errs, took := storm(concurrency, func(i int) error {
			cur, err := env.Main.Openings.Get(ctx, staff, o.ID)
			if err != nil {
				return err
			}
			cur.Description += mark(i)
			return env.Main.Openings.Update(ctx, staff, cur)
		})
		ok, _ := tally(t, "opening", errs, took)
		if ok == 0 {
			t.Fatal("no goroutine changed the opening")
		}

		after, err := env.Main.Openings.Get(ctx, staff, o.ID)
		if err != nil {
			t.Fatal(err)
		}
		for i, err := range errs {
			if has := strings.Contains(after.Description, mark(i)); has != (err == nil) {
				t.Errorf("goroutine %d: err %v, its mark in the description: %v", i, err, has)
			}
		}
		if n := strings.Count(after.Description, "[編集"); n != ok {
			t.Errorf("%d marks in the description, want %d: %q", n, ok, after.Description)
		}
		if after.Version != before.Version+ok {
			t.Errorf("version %d → %d after %d successes", before.Version, after.Version, ok)
		}
	})
}

// TestConcurrentUpvotes has 50 members upvote one question at once: its
// score is exactly 50.
func TestConcurrentUpvotes(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		w := newCommunityWorld(t, env)
		w.join(t, w.owner)
		q, err := env.Main.Community.Ask(ctx, w.actor(t, w.owner), community.QuestionInput{Title: "医療機器のリースについて",
			Body: "リースと購入のどちらがよいでしょうか。"})
		if err != nil {
			t.Fatalf("Ask: %v", err)
		}
		voters := make([]policy.Actor, concurrency)
		for i := range voters {
			d := w.doctor(t, fmt.Sprintf("voter%02d@example.jp", i), fmt.Sprintf("投票 %02d", i), career.PracticeClinicOwner,
				"東京都", "内科", true)
			w.join(t, d)
			voters[i] = w.actor(t, d)
		}

		errs, took := storm(concurrency, func(i int) error {
			return env.Main.Community.Vote(ctx, voters[i], q.ID, true)
		})
		if ok, _ := tally(t, "upvotes", errs, took); ok != concurrency {
			t.Errorf("%d of %d votes succeeded", ok, concurrency)
		}
		p, err := env.Main.Community.Post(ctx, w.actor(t, w.owner), q.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Score != concurrency {
			t.Errorf("score = %d, want %d", p.Score, concurrency)
		}
	})
}

// TestConcurrentRateLimitHits hits one rate-limit key 50 times at once
// under a limit of 50: all pass, the next is refused, and the counter
// holds exactly the hits.
func TestConcurrentRateLimitHits(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		rule := ratelimit.Rule{Name: "test.concurrent", Limit: concurrency, Window: time.Hour}
		const subject = "198.51.100.7"
		errs, took := storm(concurrency, func(int) error {
			return env.Main.Limiter.Allow(ctx, rule, subject)
		})
		if ok, _ := tally(t, "rate limiter", errs, took); ok != concurrency {
			t.Errorf("%d of %d hits allowed under a limit of %d", ok, concurrency, concurrency)
		}
		if err := env.Main.Limiter.Allow(ctx, rule, subject); !apperr.Is(err, apperr.RateLimited) {
			t.Errorf("hit %d: %v, want RateLimited", concurrency+1, err)
		}
		n, err := env.Main.DB.HitRateLimit(ctx, env.Main.Limiter.Key(rule, subject), env.Clock.Now().UTC().Truncate(rule.Window))
		if err != nil {
			t.Fatal(err)
		}
		if n != concurrency+2 {
			t.Errorf("counter after %d hits = %d", concurrency+2, n)
		}
	})
}

// TestConcurrentLastPlace has 50 guests register at once for an event
// with one venue place. Openings have no number of places (a spot shift
// is one opening with no capacity), so the one place is the events venue
// capacity: exactly one guest gets it, the others wait.
func TestConcurrentLastPlace(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		w := newEventsWorld(t, env)
		e := w.hybridEvent(t, "当直医向け 救急研修（1名）", 1)
		regs := make([]*events.Registration, concurrency)
		errs, took := storm(concurrency, func(i int) error {
			r, _, err := env.Main.Events.Register(ctx, policy.Actor{}, e.ID, guestInput(i, events.AttendVenue), guestClient(i))
			regs[i] = r
			return err
		})
		if ok, _ := tally(t, "one place", errs, took); ok != concurrency {
			t.Fatalf("%d of %d registrations stored", ok, concurrency)
		}
		placed := 0
		for _, r := range regs {
			if r.Status == events.Registered {
				placed++
			}
		}
		c := concurrentCounts(t, w, e.ID)
		t.Logf("one place: %d told registered, counts venue %d waitlisted %d", placed, c.Venue, c.Waitlisted)
		if placed != 1 || c.Venue != 1 || c.Waitlisted != concurrency-1 {
			t.Errorf("told registered %d, venue %d, waitlisted %d; want 1, 1, %d", placed, c.Venue, c.Waitlisted, concurrency-1)
		}
	})
}

// TestConcurrentFullEvent fills an event of 5 venue places with 50
// concurrent guests (5 registered, 45 waiting), then cancels 10 places —
// the 5 registered and the first 5 on the waiting list, who move up as
// places free — while 10 more guests register. At no sampled moment and
// not at the end are more than 5 places taken, and the waiting list moved
// up in order.
func TestConcurrentFullEvent(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		ctx := context.Background()
		w := newEventsWorld(t, env)
		organiser := w.actor(t, w.organiser)
		const capacity = 5
		e := w.hybridEvent(t, "地域医療 研修会（会場5名）", capacity)

		errs, took := storm(concurrency, func(i int) error {
			_, _, err := env.Main.Events.Register(ctx, policy.Actor{}, e.ID, guestInput(i, events.AttendVenue), guestClient(i))
			return err
		})
		if ok, _ := tally(t, "full event: register", errs, took); ok != concurrency {
			t.Fatalf("%d of %d registrations stored", ok, concurrency)
		}
		registered := concurrentList(t, env, organiser, e.ID, events.Registered)
		waiting := concurrentList(t, env, organiser, e.ID, events.Waitlisted)
		if len(registered) != capacity || len(waiting) != concurrency-capacity {
			t.Fatalf("registered %d, waitlisted %d; want %d, %d", len(registered), len(waiting), capacity, concurrency-capacity)
		}

		// The storm: 10 cancellations and 10 new guests, while a sampler
		// reads the counts.
		cancel := append(slices.Clone(registered), waiting[:capacity]...)
		stop := make(chan struct{})
		maxVenue, samples := 0, 0
		sampled := make(chan struct{})
		go func() {
			defer close(sampled)
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := env.Main.Events.Counts(ctx, organiser, e.ID)
				if err != nil {
					t.Errorf("Counts during the storm: %v", err)
					return
				}
				samples++
				maxVenue = max(maxVenue, c.Venue)
			}
		}()
		errs, took = storm(2*len(cancel), func(i int) error {
			if i < len(cancel) {
				return env.Main.Events.Cancel(ctx, organiser, cancel[i])
			}
			g := concurrency + i - len(cancel)
			_, _, err := env.Main.Events.Register(ctx, policy.Actor{}, e.ID, guestInput(g, events.AttendVenue), guestClient(g))
			return err
		})
		close(stop)
		<-sampled
		if ok, _ := tally(t, "full event: cancel and register", errs, took); ok != len(errs) {
			t.Errorf("%d of %d cancellations and registrations succeeded", ok, len(errs))
		}
		t.Logf("full event: at most %d venue places taken in %d samples during the storm", maxVenue, samples)
		if maxVenue > capacity {
			t.Errorf("%d venue places taken during the storm, capacity %d", maxVenue, capacity)
		}

		c := concurrentCounts(t, w, e.ID)
		if c.Venue != capacity || c.Cancelled != len(cancel) || c.Waitlisted != concurrency-capacity {
			t.Errorf("counts after: venue %d, cancelled %d, waitlisted %d", c.Venue, c.Cancelled, c.Waitlisted)
		}
		// The next five of the old waiting list hold the places; the rest
		// still wait in their order, the new guests behind them.
		want := waiting[capacity : 2*capacity]
		got := concurrentList(t, env, organiser, e.ID, events.Registered)
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("registered after = %v, want the next of the waiting list %v", got, want)
		}
		still := concurrentList(t, env, organiser, e.ID, events.Waitlisted)
		if len(still) < len(waiting)-2*capacity || !slices.Equal(still[:len(waiting)-2*capacity], waiting[2*capacity:]) {
			t.Errorf("waiting list after = %v, want %v first", still, waiting[2*capacity:])
		}
	})
}

// concurrentCounts returns the event's counts as the organiser sees them.
func concurrentCounts(t *testing.T, w *eventsWorld, eventID int64) *events.Counts {
	t.Helper()
	c, err := w.env.Main.Events.Counts(context.Background(), w.actor(t, w.organiser), eventID)
	if err != nil {
		t.Fatalf("Counts: %v", err)
	}
	return c
}

// concurrentList returns the IDs of the event's registrations in the
// status, in the waiting list's order.
func concurrentList(t *testing.T, env *apptest.Env, organiser policy.Actor, eventID int64, status events.RegistrationStatus) []int64 {
	t.Helper()
	list, err := env.Main.Events.Registrations(context.Background(), organiser, eventID, status)
	if err != nil {
		t.Fatalf("Registrations %s: %v", status, err)
	}
	ids := make([]int64, len(list))
	for i, r := range list {
		ids[i] = r.ID
	}
	return ids
}
