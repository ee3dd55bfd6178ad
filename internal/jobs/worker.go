package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sort"
	"sync"
	"time"
)

// Handler runs one attempt of a job. A nil error completes the job; an
// error schedules a retry with backoff, or kills the job when it is
// Permanent or the attempt was the last.
type Handler func(ctx context.Context, j *Job) error

// Worker runs the jobs of the kinds it has handlers for. Register
// handlers and periodic jobs before Run or RunDue; several workers, in one
// process or many, may share a queue.
type Worker struct {
	Queue *Queue
	Log   *slog.Logger
	// Poll is how often Run looks for due jobs when not woken (default 5s).
	Poll time.Duration
	// Timeout bounds one handler run (default 1 min).
	Timeout time.Duration
	// Lease is how long a claimed job stays reserved, on the queue's clock
	// (default 5 min, at least twice Timeout): a worker that dies leaves
	// its jobs to others once their lease ends.
	Lease time.Duration
	// Concurrency is how many jobs Run runs at once (default 4).
	Concurrency int
	// Backoff returns the delay before the next attempt after the
	// attempt-th failure (default Backoff).
	Backoff func(attempt int) time.Duration

	mu       sync.Mutex // guards handlers and periodic
	handlers map[string]Handler
	periodic []*periodic
	schedMu  sync.Mutex // serialises schedule, which owns periodic[i].last
}

// periodic is a job every instance schedules once per period.
type periodic struct {
	kind  string
	every time.Duration
	last  time.Time // the latest period this worker has enqueued
}

// Handle registers h for jobs of kind, replacing any earlier handler.
func (w *Worker) Handle(kind string, h Handler) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.handlers == nil {
		w.handlers = map[string]Handler{}
	}
	w.handlers[kind] = h
}

// Every runs the handler of kind once per period of length every, however
// many instances run: each enqueues the job of the current period under
// the dedup key "kind@<period start>", and only the first insert counts.
// Periods are multiples of every since the zero time, so 24h periods start
// at midnight UTC. The payload is {"period": "<period start, RFC 3339>"}.
func (w *Worker) Every(kind string, every time.Duration) {
	if every <= 0 {
		panic("jobs: Every needs a positive period")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.periodic = append(w.periodic, &periodic{kind: kind, every: every})
}

// PeriodicPayload is the payload of a job scheduled by Every.
type PeriodicPayload struct {
	Period time.Time `json:"period"`
}

// Run claims and runs due jobs until ctx is cancelled, then waits for the
// jobs it is running (their handlers are not cancelled with ctx but end
// within Timeout) and returns nil. It looks for work every Poll and at
// once when this process enqueues a job.
func (w *Worker) Run(ctx context.Context) error {
	if w.Queue == nil {
		return errors.New("jobs: worker without a queue")
	}
	conc := w.Concurrency
	if conc <= 0 {
		conc = 4
	}
	poll := w.Poll
	if poll <= 0 {
		poll = 5 * time.Second
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	sem := make(chan struct{}, conc)
	finished := make(chan struct{}, 1)
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		w.schedule(ctx)
		for free := conc - len(sem); free > 0; free = conc - len(sem) {
			claimed, err := w.claim(ctx, free)
			if err != nil {
				if ctx.Err() == nil {
					w.log().ErrorContext(ctx, "jobs: claim failed", "err", err)
				}
				break
			}
			for _, j := range claimed {
				sem <- struct{}{}
				wg.Add(1)
				go func() {
					defer wg.Done()
					w.runOne(ctx, j)
					<-sem
					select {
					case finished <- struct{}{}:
					default:
					}
				}()
			}
			if len(claimed) < free {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.Queue.wake:
		case <-ticker.C:
		case <-finished:
		}
	}
}

// RunDue schedules the periodic jobs, then runs the due jobs one at a time
// until none is left, and returns how many it ran. Tests use it with a
// frozen clock: a retried job is due again only once the clock passes its
// backoff.
func (w *Worker) RunDue(ctx context.Context) (int, error) {
	serr := w.schedule(ctx)
	n := 0
	for {
		claimed, err := w.claim(ctx, 1)
		if err != nil || len(claimed) == 0 {
			return n, errors.Join(serr, err)
		}
		w.runOne(ctx, claimed[0])
		n++
	}
}

// schedule enqueues the current period's job of every periodic kind this
// worker has not enqueued yet.
func (w *Worker) schedule(ctx context.Context) error {
	w.schedMu.Lock()
	defer w.schedMu.Unlock()
	w.mu.Lock()
	list := append([]*periodic(nil), w.periodic...)
	w.mu.Unlock()
	var errs []error
	for _, p := range list {
		start := w.Queue.Now().UTC().Truncate(p.every)
		if start.Equal(p.last) {
			continue
		}
		j, err := NewJob(p.kind, PeriodicPayload{Period: start})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		j.RunAt, j.DedupKey = start, p.kind+"@"+start.Format(time.RFC3339)
		if _, err := w.Queue.Enqueue(ctx, j); err != nil {
			w.log().ErrorContext(ctx, "jobs: scheduling a periodic job failed", "kind", p.kind, "err", err)
			errs = append(errs, err)
			continue
		}
		p.last = start
	}
	return errors.Join(errs...)
}

// claim leases up to limit due jobs this worker has handlers for.
func (w *Worker) claim(ctx context.Context, limit int) ([]Job, error) {
	w.mu.Lock()
	kinds := make([]string, 0, len(w.handlers))
	for k := range w.handlers {
		kinds = append(kinds, k)
	}
	w.mu.Unlock()
	if len(kinds) == 0 {
		return nil, nil
	}
	sort.Strings(kinds)
	now := w.Queue.Now()
	list, err := w.Queue.Store.ClaimJobs(ctx, kinds, now, now.Add(w.lease()), limit)
	sort.Slice(list, func(a, b int) bool {
		if !list[a].RunAt.Equal(list[b].RunAt) {
			return list[a].RunAt.Before(list[b].RunAt)
		}
		return list[a].ID < list[b].ID
	})
	return list, err
}

func (w *Worker) timeout() time.Duration {
	if w.Timeout > 0 {
		return w.Timeout
	}
	return time.Minute
}

func (w *Worker) lease() time.Duration {
	l := w.Lease
	if l <= 0 {
		l = 5 * time.Minute
	}
	return max(l, 2*w.timeout())
}

func (w *Worker) log() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}

// runOne runs an attempt of j and records its outcome. The handler and
// the recording outlive ctx, so that a shutdown does not lose the outcome
// of an attempt already under way.
func (w *Worker) runOne(ctx context.Context, j Job) {
	ctx = context.WithoutCancel(ctx)
	w.mu.Lock()
	h := w.handlers[j.Kind]
	w.mu.Unlock()
	hctx, cancel := context.WithTimeout(ctx, w.timeout())
	err := w.call(hctx, h, &j)
	cancel()

	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	store, now := w.Queue.Store, w.Queue.Now()
	log := w.log().With("job", j.ID, "kind", j.Kind, "attempt", j.Attempts)
	var serr error
	switch {
	case err == nil:
		serr = store.CompleteJob(sctx, j.ID, j.Attempts, now)
	case j.Final(err):
		log.ErrorContext(ctx, "jobs: job failed for good", "err", err)
		serr = store.BuryJob(sctx, j.ID, j.Attempts, now, clip(err.Error()))
	default:
		backoff := Backoff
		if w.Backoff != nil {
			backoff = w.Backoff
		}
		next := now.Add(max(backoff(j.Attempts), time.Second))
		log.WarnContext(ctx, "jobs: attempt failed; will retry", "err", err, "retry_at", next)
		serr = store.RetryJob(sctx, j.ID, j.Attempts, next, clip(err.Error()))
	}
	switch {
	case leaseLost(serr):
		log.WarnContext(ctx, "jobs: lease ran out before the attempt ended; another worker owns the job now")
	case serr != nil:
		log.ErrorContext(ctx, "jobs: recording the outcome failed", "err", serr)
	}
}

// call runs h, turning a panic into an error; the stack goes to the log.
func (w *Worker) call(ctx context.Context, h Handler, j *Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			w.log().ErrorContext(ctx, "jobs: handler panicked", "job", j.ID, "kind", j.Kind, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	if h == nil {
		return Permanent(fmt.Errorf("no handler for kind %q", j.Kind))
	}
	return h(ctx, j)
}
