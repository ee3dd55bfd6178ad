package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jobs"
	"github.com/hakui-dev/hakui/internal/jobs/jobstest"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

var t0 = time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// env is one database, reached through as many handles as a test asks
// for, as several Hakui instances would reach it.
type env struct {
	clock *jobstest.Clock
	dbs   []*sqlstore.DB
}

// queue returns a queue over the i-th handle.
func (e *env) queue(i int) *jobs.Queue { return jobs.NewQueue(e.dbs[i], e.clock.Now) }

// eachEnv runs fn on every engine with handles open on one fresh database.
func eachEnv(t *testing.T, handles int, fn func(t *testing.T, e *env)) {
	sqlstoretest.Each(t, func(t *testing.T, dsn string) {
		ctx := context.Background()
		e := &env{clock: jobstest.NewClock(t0)}
		for i := range handles {
			db, err := sqlstore.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			if i == 0 {
				if err := db.Migrate(ctx); err != nil {
					t.Fatal(err)
				}
			}
			db.Now = e.clock.Now
			e.dbs = append(e.dbs, db)
		}
		fn(t, e)
	})
}

func mustEnqueue(t *testing.T, q *jobs.Queue, j *jobs.Job) *jobs.Job {
	t.Helper()
	if added, err := q.Enqueue(context.Background(), j); err != nil || !added {
		t.Fatalf("Enqueue(%s) = %v, %v", j.Kind, added, err)
	}
	return j
}

func mustJob(t *testing.T, q *jobs.Queue, id int64) *jobs.Job {
	t.Helper()
	j, err := q.Store.QueuedJob(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func runDue(t *testing.T, w *jobs.Worker, want int) {
	t.Helper()
	n, err := w.RunDue(context.Background())
	if err != nil || n != want {
		t.Fatalf("RunDue = %d, %v; want %d", n, err, want)
	}
}

func TestEnqueueRunComplete(t *testing.T) {
	eachEnv(t, 1, func(t *testing.T, e *env) {
		q := e.queue(0)
		w := &jobs.Worker{Queue: q, Log: quiet}
		var got []string
		w.Handle("greet", func(ctx context.Context, j *jobs.Job) error {
			var p struct{ Name string }
			if err := j.Decode(&p); err != nil {
				return err
			}
			got = append(got, p.Name)
			return nil
		})
		j, err := jobs.NewJob("greet", map[string]string{"Name": "山田"})
		if err != nil {
			t.Fatal(err)
		}
		mustEnqueue(t, q, j)
		later, _ := jobs.NewJob("greet", map[string]string{"Name": "鈴木"})
		later.RunAt = t0.Add(time.Hour)
		mustEnqueue(t, q, later)
		other, _ := jobs.NewJob("unhandled", nil)
		mustEnqueue(t, q, other)

		runDue(t, w, 1)
		if len(got) != 1 || got[0] != "山田" {
			t.Fatalf("ran %v, want [山田]", got)
		}
		done := mustJob(t, q, j.ID)
		if done.DoneAt == nil || !done.DoneAt.Equal(t0) || done.Attempts != 1 || done.DeadAt != nil || done.LockedUntil != nil {
			t.Errorf("job after run = %+v", done)
		}
		e.clock.Advance(time.Hour)
		runDue(t, w, 1)
		if o := mustJob(t, q, other.ID); o.Attempts != 0 || o.DoneAt != nil {
			t.Errorf("a job of a kind without a handler was claimed: %+v", o)
		}
	})
}

func TestDedupKey(t *testing.T) {
	eachEnv(t, 1, func(t *testing.T, e *env) {
		q := e.queue(0)
		first := mustEnqueue(t, q, &jobs.Job{Kind: "x", DedupKey: "once"})
		again, err := q.Enqueue(context.Background(), &jobs.Job{Kind: "x", DedupKey: "once"})
		if err != nil || again {
			t.Fatalf("second Enqueue with the same key = %v, %v; want false, nil", again, err)
		}
		if j := mustJob(t, q, first.ID); j.DedupKey != "once" || j.MaxAttempts != jobs.DefaultMaxAttempts || string(j.Payload) != "{}" {
			t.Errorf("stored job = %+v", j)
		}
	})
}

func TestBackoffSchedule(t *testing.T) {
	tests := []struct {
		attempt int
		ceiling time.Duration
	}{
		{0, 30 * time.Second},
		{1, 30 * time.Second},
		{2, time.Minute},
		{3, 2 * time.Minute},
		{10, 30 * time.Second << 9},
		{11, 6 * time.Hour},
		{60, 6 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.attempt), func(t *testing.T) {
			seen := map[time.Duration]bool{}
			for range 200 {
				d := jobs.Backoff(tt.attempt)
				if d < tt.ceiling/2 || d > tt.ceiling {
					t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", tt.attempt, d, tt.ceiling/2, tt.ceiling)
				}
				seen[d] = true
			}
			if len(seen) < 2 {
				t.Errorf("Backoff(%d) has no jitter", tt.attempt)
			}
		})
	}
}

func TestRetryThenDead(t *testing.T) {
	eachEnv(t, 1, func(t *testing.T, e *env) {
		q := e.queue(0)
		w := &jobs.Worker{Queue: q, Log: quiet}
		calls := 0
		w.Handle("flaky", func(ctx context.Context, j *jobs.Job) error {
			calls++
			return fmt.Errorf("attempt %d: 接続できません", j.Attempts)
		})
		j := mustEnqueue(t, q, &jobs.Job{Kind: "flaky", MaxAttempts: 4})
		ceilings := []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute}
		for i, ceiling := range ceilings {
			runDue(t, w, 1)
			got := mustJob(t, q, j.ID)
			delay := got.RunAt.Sub(e.clock.Now())
			if got.Attempts != i+1 || got.DeadAt != nil || got.DoneAt != nil || got.LockedUntil != nil {
				t.Fatalf("after attempt %d: %+v", i+1, got)
			}
			if delay < ceiling/2 || delay > ceiling {
				t.Errorf("after attempt %d: retry in %v, want within [%v, %v]", i+1, delay, ceiling/2, ceiling)
			}
			if want := fmt.Sprintf("attempt %d: 接続できません", i+1); got.LastError != want {
				t.Errorf("last error = %q, want %q", got.LastError, want)
			}
			// Not due before its time.
			e.clock.Set(got.RunAt.Add(-time.Microsecond))
			runDue(t, w, 0)
			e.clock.Set(got.RunAt)
		}
		runDue(t, w, 1)
		dead := mustJob(t, q, j.ID)
		if dead.DeadAt == nil || dead.Attempts != 4 || dead.LastError != "attempt 4: 接続できません" {
			t.Fatalf("after the last attempt: %+v", dead)
		}
		e.clock.Advance(24 * time.Hour)
		runDue(t, w, 0)
		if calls != 4 {
			t.Errorf("handler ran %d times, want 4", calls)
		}
	})
}

func TestPermanentAndPanic(t *testing.T) {
	eachEnv(t, 1, func(t *testing.T, e *env) {
		q := e.queue(0)
		w := &jobs.Worker{Queue: q, Log: quiet, Backoff: func(int) time.Duration { return time.Minute }}
		w.Handle("permanent", func(ctx context.Context, j *jobs.Job) error {
			return jobs.Permanent(errors.New("宛先がありません"))
		})
		w.Handle("bad-payload", func(ctx context.Context, j *jobs.Job) error {
			var n int
			return j.Decode(&n)
		})
		panics := 0
		w.Handle("panics", func(ctx context.Context, j *jobs.Job) error {
			if panics++; panics == 1 {
				var m map[string]int
				m["boom"]++ // nil map: panics
			}
			return nil
		})
		perm := mustEnqueue(t, q, &jobs.Job{Kind: "permanent"})
		bad := mustEnqueue(t, q, &jobs.Job{Kind: "bad-payload", Payload: []byte(`{"not":"a number"}`)})
		pan := mustEnqueue(t, q, &jobs.Job{Kind: "panics"})
		runDue(t, w, 3)

		if j := mustJob(t, q, perm.ID); j.DeadAt == nil || j.Attempts != 1 || j.LastError != "宛先がありません" {
			t.Errorf("permanent failure: %+v", j)
		}
		if j := mustJob(t, q, bad.ID); j.DeadAt == nil || !strings.Contains(j.LastError, "payload") {
			t.Errorf("undecodable payload: %+v", j)
		}
		j := mustJob(t, q, pan.ID)
		if j.DeadAt != nil || j.DoneAt != nil || !strings.HasPrefix(j.LastError, "panic: assignment to entry in nil map") ||
			!j.RunAt.Equal(t0.Add(time.Minute)) {
			t.Fatalf("after a panic: %+v", j)
		}
		e.clock.Advance(time.Minute)
		runDue(t, w, 1)
		if j := mustJob(t, q, pan.ID); j.DoneAt == nil || j.Attempts != 2 {
			t.Errorf("retry after a panic: %+v", j)
		}
	})
}

func TestLeaseExpiry(t *testing.T) {
	eachEnv(t, 1, func(t *testing.T, e *env) {
		ctx := context.Background()
		q := e.queue(0)
		j := mustEnqueue(t, q, &jobs.Job{Kind: "slow", MaxAttempts: 2})
		// A worker claims the job and dies.
		claimed, err := q.Store.ClaimJobs(ctx, []string{"slow"}, t0, t0.Add(5*time.Minute), 10)
		if err != nil || len(claimed) != 1 || claimed[0].ID != j.ID || claimed[0].Attempts != 1 {
			t.Fatalf("ClaimJobs = %+v, %v", claimed, err)
		}
		if again, _ := q.Store.ClaimJobs(ctx, []string{"slow"}, t0, t0.Add(5*time.Minute), 10); len(again) != 0 {
			t.Fatalf("a leased job was claimed again: %+v", again)
		}
		w := &jobs.Worker{Queue: q, Log: quiet, Lease: 5 * time.Minute}
		ran := 0
		w.Handle("slow", func(ctx context.Context, j *jobs.Job) error {
			ran++
			return errors.New("still failing")
		})
		e.clock.Advance(5 * time.Minute)
		runDue(t, w, 1)
		// The first claimer comes back too late: its attempt no longer owns the job.
		if err := q.Store.CompleteJob(ctx, j.ID, 1, e.clock.Now()); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("CompleteJob by the lost lease: err = %v, want not_found", err)
		}
		if got := mustJob(t, q, j.ID); got.DeadAt == nil || got.Attempts != 2 || got.LastError != "still failing" {
			t.Fatalf("after the second attempt: %+v", got)
		}

		// A job whose last attempt outlives its lease is buried, not rerun.
		last := mustEnqueue(t, q, &jobs.Job{Kind: "slow", MaxAttempts: 1})
		if c, err := q.Store.ClaimJobs(ctx, []string{"slow"}, e.clock.Now(), e.clock.Now().Add(time.Minute), 1); err != nil || len(c) != 1 {
			t.Fatalf("ClaimJobs = %+v, %v", c, err)
		}
		e.clock.Advance(time.Minute)
		runDue(t, w, 0)
		if got := mustJob(t, q, last.ID); got.DeadAt == nil || !strings.Contains(got.LastError, "lease") {
			t.Errorf("lease ran out on the last attempt: %+v", got)
		}
		if ran != 1 {
			t.Errorf("handler ran %d times, want 1", ran)
		}
	})
}

func TestClaimExclusive(t *testing.T) {
	const instances, jobsPerKind = 4, 60
	eachEnv(t, instances, func(t *testing.T, e *env) {
		ctx := context.Background()
		for i := range jobsPerKind {
			mustEnqueue(t, e.queue(i%instances), &jobs.Job{Kind: "count", Payload: []byte(fmt.Sprint(i))})
		}
		var mu sync.Mutex
		runs := map[int64]int{}
		var wg sync.WaitGroup
		for i := range instances {
			w := &jobs.Worker{Queue: e.queue(i), Log: quiet}
			w.Handle("count", func(ctx context.Context, j *jobs.Job) error {
				mu.Lock()
				runs[j.ID]++
				mu.Unlock()
				return nil
			})
			wg.Go(func() {
				if _, err := w.RunDue(ctx); err != nil {
					t.Errorf("instance %d: %v", i, err)
				}
			})
		}
		wg.Wait()
		if len(runs) != jobsPerKind {
			t.Errorf("%d jobs ran, want %d", len(runs), jobsPerKind)
		}
		for id, n := range runs {
			if n != 1 {
				t.Errorf("job %d ran %d times", id, n)
			}
			if j := mustJob(t, e.queue(0), id); j.DoneAt == nil || j.Attempts != 1 {
				t.Errorf("job %d: %+v", id, j)
			}
		}
	})
}

func TestClaimJobsConcurrently(t *testing.T) {
	const instances = 4
	eachEnv(t, instances, func(t *testing.T, e *env) {
		ctx := context.Background()
		for range 40 {
			mustEnqueue(t, e.queue(0), &jobs.Job{Kind: "x"})
		}
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for i := range instances * 2 {
			wg.Go(func() {
				for {
					list, err := e.dbs[i%instances].ClaimJobs(ctx, []string{"x"}, t0, t0.Add(time.Hour), 3)
					if err != nil {
						t.Error(err)
						return
					}
					if len(list) == 0 {
						return
					}
					mu.Lock()
					for _, j := range list {
						seen[j.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if len(seen) != 40 {
			t.Errorf("claimed %d jobs, want 40", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Errorf("job %d claimed %d times", id, n)
			}
		}
	})
}

func TestPeriodicOncePerPeriod(t *testing.T) {
	eachEnv(t, 2, func(t *testing.T, e *env) {
		var mu sync.Mutex
		var periods []time.Time
		workers := make([]*jobs.Worker, 2)
		for i := range workers {
			w := &jobs.Worker{Queue: e.queue(i), Log: quiet}
			w.Handle("digest", func(ctx context.Context, j *jobs.Job) error {
				var p jobs.PeriodicPayload
				if err := j.Decode(&p); err != nil {
					return err
				}
				mu.Lock()
				periods = append(periods, p.Period)
				mu.Unlock()
				return nil
			})
			w.Every("digest", 24*time.Hour)
			workers[i] = w
		}
		run := func() {
			t.Helper()
			var wg sync.WaitGroup
			for _, w := range workers {
				wg.Go(func() {
					if _, err := w.RunDue(context.Background()); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		midnight := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
		run()
		e.clock.Advance(3 * time.Hour)
		run()
		e.clock.Advance(24 * time.Hour)
		run()
		want := []time.Time{midnight, midnight.Add(24 * time.Hour)}
		if len(periods) != len(want) || !periods[0].Equal(want[0]) || !periods[1].Equal(want[1]) {
			t.Errorf("periods run = %v, want %v", periods, want)
		}
	})
}

func TestRunWakesAndStops(t *testing.T) {
	eachEnv(t, 1, func(t *testing.T, e *env) {
		q := e.queue(0)
		// Poll rarely: only the wake-up on Enqueue can start the job.
		w := &jobs.Worker{Queue: q, Log: quiet, Poll: time.Hour, Concurrency: 2}
		started, release := make(chan int64), make(chan struct{})
		w.Handle("block", func(ctx context.Context, j *jobs.Job) error {
			started <- j.ID
			<-release
			return nil
		})
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan error)
		go func() { stopped <- w.Run(ctx) }()

		j := mustEnqueue(t, q, &jobs.Job{Kind: "block"})
		select {
		case id := <-started:
			if id != j.ID {
				t.Fatalf("started job %d, want %d", id, j.ID)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("the worker did not wake up on Enqueue")
		}
		// Stopping waits for the running job, whose outcome is recorded.
		cancel()
		close(release)
		select {
		case err := <-stopped:
			if err != nil {
				t.Fatalf("Run = %v", err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("Run did not stop")
		}
		if got := mustJob(t, q, j.ID); got.DoneAt == nil {
			t.Errorf("job after shutdown: %+v", got)
		}
	})
}

func TestPrune(t *testing.T) {
	eachEnv(t, 1, func(t *testing.T, e *env) {
		q := e.queue(0)
		w := &jobs.Worker{Queue: q, Log: quiet}
		w.Handle("ok", func(context.Context, *jobs.Job) error { return nil })
		w.Handle("dies", func(context.Context, *jobs.Job) error { return jobs.Permanent(errors.New("no")) })
		done := mustEnqueue(t, q, &jobs.Job{Kind: "ok"})
		dead := mustEnqueue(t, q, &jobs.Job{Kind: "dies"})
		runDue(t, w, 2)
		pending := mustEnqueue(t, q, &jobs.Job{Kind: "ok", RunAt: t0.Add(30 * 24 * time.Hour)})
		e.clock.Advance(8 * 24 * time.Hour)
		n, err := q.Prune(context.Background(), 7*24*time.Hour)
		if err != nil || n != 2 {
			t.Fatalf("Prune = %d, %v; want 2", n, err)
		}
		for _, id := range []int64{done.ID, dead.ID} {
			if _, err := q.Store.QueuedJob(context.Background(), id); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("job %d after prune: err = %v", id, err)
			}
		}
		mustJob(t, q, pending.ID)
	})
}
