package sqlstore

// An internal test: it calls HitRateLimit, and so cannot use sqlstoretest
// (which imports this package); rateLimitDB opens databases the same way.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/ratelimit"
)

// eachRateLimitDB runs fn on a fresh, migrated SQLite database and, when
// HAKUI_TEST_POSTGRES is set, on a fresh PostgreSQL schema.
func eachRateLimitDB(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Run("sqlite", func(t *testing.T) {
		fn(t, openRateLimitDB(t, "sqlite:"+filepath.Join(t.TempDir(), "hakui.db")))
	})
	base := os.Getenv("HAKUI_TEST_POSTGRES")
	if base == "" {
		return
	}
	t.Run("postgres", func(t *testing.T) {
		b := make([]byte, 6)
		rand.Read(b)
		schema := "test_" + hex.EncodeToString(b)
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
			admin.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() {
			admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			admin.Close()
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		fn(t, openRateLimitDB(t, u.String()))
	})
}

func openRateLimitDB(t *testing.T, dsn string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}

// rateLimitStore adapts HitRateLimit to ratelimit.Store.
type rateLimitStore struct{ db *DB }

func (s rateLimitStore) HitRateLimit(ctx context.Context, key string, window time.Time) (int, error) {
	return s.db.HitRateLimit(ctx, key, window)
}

func TestHitRateLimit(t *testing.T) {
	eachRateLimitDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		w1 := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		w2 := w1.Add(10 * time.Minute)
		hits := []struct {
			key    string
			window time.Time
			want   int
		}{
			{"survey.answer:192.0.2.1", w1, 1},
			{"survey.answer:192.0.2.1", w1, 2},
			{"survey.answer:192.0.2.2", w1, 1},
			{"event.register:192.0.2.1", w1, 1},
			{"survey.answer:192.0.2.1", w1.In(time.FixedZone("JST", 9*3600)), 3}, // the same instant
			{"survey.answer:192.0.2.1", w2, 1},                                   // a new window resets
			{"survey.answer:192.0.2.1", w1, 4},
		}
		for i, h := range hits {
			got, err := db.HitRateLimit(ctx, h.key, h.window)
			if err != nil {
				t.Fatalf("hit %d: %v", i, err)
			}
			if got != h.want {
				t.Errorf("hit %d (%s at %s) = %d, want %d", i, h.key, h.window, got, h.want)
			}
		}
	})
}

func TestHitRateLimitConcurrent(t *testing.T) {
	eachRateLimitDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		window := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		const workers, each = 20, 5
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		counts := make(chan int, workers*each)
		for range workers {
			wg.Go(func() {
				for range each {
					n, err := db.HitRateLimit(ctx, "survey.answer:198.51.100.7", window)
					if err != nil {
						errs <- err
						return
					}
					counts <- n
				}
			})
		}
		wg.Wait()
		close(errs)
		close(counts)
		for err := range errs {
			t.Errorf("concurrent hit: %v", err)
		}
		seen := map[int]bool{}
		for n := range counts {
			if seen[n] {
				t.Errorf("count %d returned twice (a lost update)", n)
			}
			seen[n] = true
		}
		if len(seen) != workers*each {
			t.Errorf("%d distinct counts, want %d", len(seen), workers*each)
		}
		n, err := db.HitRateLimit(ctx, "survey.answer:198.51.100.7", window)
		if err != nil || n != workers*each+1 {
			t.Errorf("after the burst: %d, %v; want %d", n, err, workers*each+1)
		}
	})
}

func TestPruneRateLimits(t *testing.T) {
	eachRateLimitDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		base := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		for i := range 4 {
			for _, key := range []string{"a:x", "b:y"} {
				if _, err := db.HitRateLimit(ctx, key, base.Add(time.Duration(i)*time.Hour)); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Windows at 10:00 and 11:00 go; 12:00 (== before) and 13:00 stay.
		n, err := db.PruneRateLimits(ctx, base.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if n != 4 {
			t.Errorf("pruned %d, want 4", n)
		}
		var left int
		if err := db.read.QueryRowContext(ctx, `SELECT count(*) FROM rate_limits`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 4 {
			t.Errorf("%d rows left, want 4", left)
		}
		// A kept window keeps counting; a pruned one starts again.
		if got, _ := db.HitRateLimit(ctx, "a:x", base.Add(3*time.Hour)); got != 2 {
			t.Errorf("kept window = %d, want 2", got)
		}
		if got, _ := db.HitRateLimit(ctx, "a:x", base); got != 1 {
			t.Errorf("pruned window = %d, want 1", got)
		}
		if n, err := db.PruneRateLimits(ctx, base); err != nil || n != 0 {
			t.Errorf("prune before everything: %d, %v", n, err)
		}
	})
}

func TestLimiterOnDB(t *testing.T) {
	eachRateLimitDB(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 23, 10, 3, 0, 0, time.UTC)
		l := &ratelimit.Limiter{Store: rateLimitStore{db}, Now: func() time.Time { return now }}
		rule := ratelimit.Rule{Name: "event.register", Limit: 2, Window: 10 * time.Minute}
		for i := range 2 {
			if err := l.Allow(ctx, rule, "203.0.113.9"); err != nil {
				t.Fatalf("hit %d: %v", i+1, err)
			}
		}
		if err := l.Allow(ctx, rule, "203.0.113.9"); !apperr.Is(err, apperr.RateLimited) {
			t.Errorf("3rd hit: %v, want RateLimited", err)
		}
		if err := l.Allow(ctx, rule, "203.0.113.10"); err != nil {
			t.Errorf("other subject: %v", err)
		}
		now = now.Add(7 * time.Minute) // 10:10, a new window
		if err := l.Allow(ctx, rule, "203.0.113.9"); err != nil {
			t.Errorf("new window: %v", err)
		}
	})
}
