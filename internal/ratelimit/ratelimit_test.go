package ratelimit_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/ratelimit"
)

// memStore counts hits in memory.
type memStore struct {
	mu    sync.Mutex
	count map[string]int
	keys  []string
	err   error
}

func (m *memStore) HitRateLimit(_ context.Context, key string, window time.Time) (int, error) {
	if m.err != nil {
		return 0, m.err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.count == nil {
		m.count = map[string]int{}
	}
	k := key + "@" + window.UTC().Format(time.RFC3339Nano)
	m.count[k]++
	m.keys = append(m.keys, k)
	return m.count[k], nil
}

func TestAllow(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	now := time.Date(2026, 11, 23, 10, 0, 30, 0, time.UTC)
	l := &ratelimit.Limiter{Store: store, Now: func() time.Time { return now }}
	rule := ratelimit.Rule{Name: "survey.answer", Limit: 3, Window: 10 * time.Minute}

	for i := range 3 {
		if err := l.Allow(ctx, rule, "192.0.2.1"); err != nil {
			t.Fatalf("hit %d: %v", i+1, err)
		}
	}
	err := l.Allow(ctx, rule, "192.0.2.1")
	if !apperr.Is(err, apperr.RateLimited) {
		t.Fatalf("4th hit: got %v, want RateLimited", err)
	}
	// 9m30s remain in the window: "約10分後".
	if msg := apperr.MessageOf(err); !strings.Contains(msg, "約10分後") || !strings.Contains(msg, "短時間に操作が集中しています") {
		t.Errorf("message %q", msg)
	}
	// Another subject and another rule have their own counters.
	if err := l.Allow(ctx, rule, "192.0.2.2"); err != nil {
		t.Errorf("other subject: %v", err)
	}
	if err := l.Allow(ctx, ratelimit.Rule{Name: "event.register", Limit: 1, Window: time.Hour}, "192.0.2.1"); err != nil {
		t.Errorf("other rule: %v", err)
	}
	// Subjects are folded to lower case.
	mail := ratelimit.Rule{Name: "material.request", Limit: 1, Window: time.Hour}
	if err := l.Allow(ctx, mail, "Doc@Example.JP"); err != nil {
		t.Fatal(err)
	}
	if err := l.Allow(ctx, mail, "doc@example.jp"); !apperr.Is(err, apperr.RateLimited) {
		t.Errorf("same address in other case: got %v, want RateLimited", err)
	}

	// Late in the window the message says about one minute.
	now = time.Date(2026, 11, 23, 10, 9, 50, 0, time.UTC)
	if err := l.Allow(ctx, rule, "192.0.2.1"); !strings.Contains(apperr.MessageOf(err), "約1分後") {
		t.Errorf("late in the window: %v", err)
	}
	// The next window starts afresh.
	now = time.Date(2026, 11, 23, 10, 10, 0, 0, time.UTC)
	if err := l.Allow(ctx, rule, "192.0.2.1"); err != nil {
		t.Errorf("new window: %v", err)
	}
}

func TestAllowWindowStart(t *testing.T) {
	store := &memStore{}
	jst := time.FixedZone("JST", 9*60*60)
	now := time.Date(2026, 11, 23, 19, 7, 5, 0, jst)
	l := &ratelimit.Limiter{Store: store, Now: func() time.Time { return now }}
	if err := l.Allow(context.Background(), ratelimit.Rule{Name: "r", Limit: 5, Window: 5 * time.Minute}, "x"); err != nil {
		t.Fatal(err)
	}
	if want := "r:x@2026-11-23T10:05:00Z"; store.keys[0] != want {
		t.Errorf("key %q, want %q", store.keys[0], want)
	}
}

func TestKey(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		subject string
		want    string
	}{
		{"192.0.2.1", "r:192.0.2.1"},
		{" Doc@Example.JP ", "r:doc@example.jp"},
		{strings.Repeat("x", 100), "r:" + strings.Repeat("x", 100)},
	}
	rule := ratelimit.Rule{Name: "r"}
	for _, tt := range tests {
		if got := ratelimit.Key(rule, tt.subject); got != tt.want {
			t.Errorf("Key(%q) = %q, want %q", tt.subject, got, tt.want)
		}
	}
	k := ratelimit.Key(rule, long)
	if len(k) != 2+64 || k == ratelimit.Key(rule, long+"b") {
		t.Errorf("long subject key %q", k)
	}
	if ratelimit.Key(rule, strings.ToUpper(long)) != k {
		t.Error("long subjects are not folded to lower case before hashing")
	}
}

func TestAllowNil(t *testing.T) {
	ctx := context.Background()
	rule := ratelimit.Rule{Name: "r", Limit: 0, Window: time.Minute}
	var l *ratelimit.Limiter
	if err := l.Allow(ctx, rule, "x"); err != nil {
		t.Errorf("nil limiter: %v", err)
	}
	if err := (&ratelimit.Limiter{}).Allow(ctx, rule, "x"); err != nil {
		t.Errorf("nil store: %v", err)
	}
	boom := errors.New("boom")
	if err := (&ratelimit.Limiter{Store: &memStore{err: boom}}).Allow(ctx, rule, "x"); !errors.Is(err, boom) {
		t.Errorf("store error: got %v", err)
	}
}
