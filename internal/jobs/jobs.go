// Package jobs is Hakui's background job queue (e-mail, webhook calls,
// periodic chores; not 求人, which are openings). Jobs live in the database,
// so they survive restarts and several Hakui instances can share one queue:
// a job is claimed under a lease, and only the claimer of its current
// attempt can finish it, so no job runs twice at once.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
)

// Defaults for jobs and retries.
const (
	// DefaultMaxAttempts gives a job 11 retries with Backoff, spread over
	// 11 to 15 hours: a mail server or chat service down for the night
	// still gets the message.
	DefaultMaxAttempts = 12
	// MaxAttemptsLimit is the most attempts a job may ask for (the schema
	// enforces it too).
	MaxAttemptsLimit = 100
	backoffBase      = 30 * time.Second
	backoffCap       = 6 * time.Hour
	maxErrorLen      = 2000
)

// Job is one unit of work. Attempts counts the attempts started, the
// running one included; a job is pending until DoneAt or DeadAt is set.
type Job struct {
	ID          int64
	Kind        string
	Payload     json.RawMessage
	RunAt       time.Time
	Attempts    int
	MaxAttempts int
	// LastError is the error of the latest failed attempt; a dead job
	// keeps the one that killed it.
	LastError string
	// DedupKey, when set, is unique over the whole queue: enqueuing a
	// second job with the same key does nothing.
	DedupKey    string
	LockedUntil *time.Time
	DoneAt      *time.Time
	DeadAt      *time.Time
	CreatedAt   time.Time
}

// NewJob returns a job of kind carrying payload encoded as JSON.
func NewJob(kind string, payload any) (*Job, error) {
	b, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("jobs: payload of %s: %w", kind, err)
	}
	return &Job{Kind: kind, Payload: b}, nil
}

// Decode unmarshals the payload into v. A payload that does not decode
// will never run, so the error is permanent.
func (j *Job) Decode(v any) error {
	if err := json.Unmarshal(j.Payload, v); err != nil {
		return Permanent(fmt.Errorf("jobs: payload of job %d (%s): %w", j.ID, j.Kind, err))
	}
	return nil
}

// Final reports whether err, returned by the running attempt, kills the
// job: it is permanent, or this was the last attempt. Handlers use it to
// record a delivery as dead rather than failed.
func (j *Job) Final(err error) bool {
	return err != nil && (IsPermanent(err) || j.Attempts >= j.MaxAttempts)
}

// Store keeps the queue. Times are given by the caller, from the queue's
// clock. The methods that finish an attempt take the attempt number the
// claim returned and return a not_found error when the job is no longer
// that attempt's (its lease ran out and another worker claimed it).
type Store interface {
	// EnqueueJob inserts j and sets its ID and CreatedAt. When j.DedupKey
	// is taken it inserts nothing and returns false.
	EnqueueJob(ctx context.Context, j *Job) (bool, error)
	// ClaimJobs leases up to limit due jobs of the given kinds until
	// until, oldest first, and counts the attempt. Claims by concurrent
	// callers, in this process or another, never overlap. Jobs whose lease
	// ran out on their last attempt are buried first.
	ClaimJobs(ctx context.Context, kinds []string, now, until time.Time, limit int) ([]Job, error)
	// CompleteJob marks the job done.
	CompleteJob(ctx context.Context, id int64, attempt int, at time.Time) error
	// RetryJob records a failed attempt and schedules the next at runAt.
	RetryJob(ctx context.Context, id int64, attempt int, runAt time.Time, lastErr string) error
	// BuryJob records a failed attempt that ends the job: it is dead and
	// keeps lastErr.
	BuryJob(ctx context.Context, id int64, attempt int, at time.Time, lastErr string) error
	// QueuedJob returns one job, or a not_found error.
	QueuedJob(ctx context.Context, id int64) (*Job, error)
	// PruneJobs deletes the jobs that were done or dead before before and
	// returns how many.
	PruneJobs(ctx context.Context, before time.Time) (int64, error)
}

// Queue adds jobs and wakes the workers of this process.
type Queue struct {
	Store Store
	// Now is the clock for run times and leases.
	Now  func() time.Time
	wake chan struct{}
}

// NewQueue returns a queue over store with the clock now (time.Now when
// nil).
func NewQueue(store Store, now func() time.Time) *Queue {
	if now == nil {
		now = func() time.Time { return time.Now().UTC() }
	}
	return &Queue{Store: store, Now: now, wake: make(chan struct{}, 1)}
}

// Prepare checks j and fills its defaults (run now, DefaultMaxAttempts),
// for a store that inserts the job together with rows of its own; Enqueue
// calls it.
func (q *Queue) Prepare(j *Job) error {
	switch {
	case j.Kind == "" || len(j.Kind) > 100:
		return fmt.Errorf("jobs: invalid kind %q", j.Kind)
	case j.MaxAttempts < 0 || j.MaxAttempts > MaxAttemptsLimit:
		return fmt.Errorf("jobs: max attempts %d out of range", j.MaxAttempts)
	case len(j.DedupKey) > 200:
		return errors.New("jobs: dedup key too long")
	}
	if len(j.Payload) == 0 {
		j.Payload = json.RawMessage("{}")
	}
	if !json.Valid(j.Payload) {
		return fmt.Errorf("jobs: payload of %s is not JSON", j.Kind)
	}
	if j.RunAt.IsZero() {
		j.RunAt = q.Now()
	}
	if j.MaxAttempts == 0 {
		j.MaxAttempts = DefaultMaxAttempts
	}
	return nil
}

// Enqueue adds j to the queue and wakes this process's worker. It returns
// false, and adds nothing, when j.DedupKey is already in the queue.
func (q *Queue) Enqueue(ctx context.Context, j *Job) (bool, error) {
	if err := q.Prepare(j); err != nil {
		return false, err
	}
	added, err := q.Store.EnqueueJob(ctx, j)
	if added {
		q.Wake()
	}
	return added, err
}

// Wake tells this process's worker to look for due jobs now, after a job
// was inserted by other means than Enqueue.
func (q *Queue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Prune deletes the jobs that finished more than keep ago.
func (q *Queue) Prune(ctx context.Context, keep time.Duration) (int64, error) {
	return q.Store.PruneJobs(ctx, q.Now().Add(-keep))
}

// Backoff is the delay before retrying after the attempt-th failure:
// 30s·2^(attempt-1), capped at 6h, with "equal jitter" (a uniformly random
// delay between half and all of it), so that jobs failing together do not
// retry together.
func Backoff(attempt int) time.Duration {
	d := backoffCeiling(attempt)
	return d/2 + rand.N(d/2+1)
}

// backoffCeiling is the delay before jitter.
func backoffCeiling(attempt int) time.Duration {
	if attempt < 1 {
		attempt = 1
	}
	d := backoffBase
	for i := 1; i < attempt && d < backoffCap; i++ {
		d *= 2
	}
	return min(d, backoffCap)
}

// permanentError marks an error that no retry can cure.
type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent marks err as one that retrying cannot cure (a malformed
// payload, a recipient that does not exist): the job dies at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked by Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// leaseLost reports whether a store error says another worker owns the job
// now.
func leaseLost(err error) bool { return apperr.Is(err, apperr.NotFound) }

// clip shortens an error message to what the store keeps, on a rune
// boundary.
func clip(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	cut := maxErrorLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}
