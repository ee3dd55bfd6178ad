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
	if want := ratelimit.Key(ratelimit.Rule{Name: "r"}, "x") + "@2026-11-23T10:05:00Z"; store.keys[0] != want {
		t.Errorf("key %q, want %q", store.keys[0], want)
	}
}

func TestKey(t *testing.T) {
	rule := ratelimit.Rule{Name: "survey.answer:7"}
	same := [][]string{
		{"192.0.2.1", " 192.0.2.1 "},
		{" Doc@Example.JP ", "doc@example.jp"},
		{strings.Repeat("A", 300), strings.Repeat("a", 300)},
		// Every address of an IPv6 /64 is one client.
		{"2001:db8:1:2::1", "2001:DB8:1:2:ffff:0:0:9"},
		{"2001:db8:1:2::1", "2001:db8:1:2::1%eth0"},
		{"::ffff:192.0.2.1", "192.0.2.1"},
	}
	for _, tt := range same {
		if a, b := ratelimit.Key(rule, tt[0]), ratelimit.Key(rule, tt[1]); a != b {
			t.Errorf("Key(%q) = %q, Key(%q) = %q: want the same counter", tt[0], a, tt[1], b)
		}
	}
	apart := [][]string{
		{"192.0.2.1", "192.0.2.2"}, // IPv4 addresses stay whole
		{"2001:db8:1:2::1", "2001:db8:1:3::1"},
		{strings.Repeat("a", 300), strings.Repeat("a", 300) + "b"},
	}
	for _, tt := range apart {
		if ratelimit.Key(rule, tt[0]) == ratelimit.Key(rule, tt[1]) {
			t.Errorf("%q and %q share a counter", tt[0], tt[1])
		}
	}
	// No subject is kept in clear, and every key fits the column.
	for _, subject := range []string{"198.51.100.23", "2001:db8:1:2::1", "doc@example.jp", strings.Repeat("x", 1000)} {
		k := ratelimit.Key(rule, subject)
		if !strings.HasPrefix(k, "survey.answer:7:") || len(k) != len("survey.answer:7:")+64 {
			t.Errorf("Key(%q) = %q, want the rule's name and a hex digest", subject, k)
		}
		for _, part := range []string{subject, "198.51.100", "2001:db8", "example"} {
			if strings.Contains(k, part) {
				t.Errorf("Key(%q) = %q keeps %q in clear", subject, k, part)
			}
		}
	}
	// With a secret, the key is an HMAC: it differs from the plain hash
	// and between secrets, so a stolen table cannot be matched against a
	// list of addresses without the server's secret.
	a := &ratelimit.Limiter{Secret: []byte("secret a")}
	b := &ratelimit.Limiter{Secret: []byte("secret b")}
	plain := ratelimit.Key(rule, "198.51.100.23")
	if ka := a.Key(rule, "198.51.100.23"); ka == plain || ka == b.Key(rule, "198.51.100.23") || len(ka) != len(plain) {
		t.Errorf("keys with secrets: %q, %q, plain %q", ka, b.Key(rule, "198.51.100.23"), plain)
	}
	if (&ratelimit.Limiter{}).Key(rule, "x") != ratelimit.Key(rule, "x") {
		t.Error("a limiter without a secret does not use the plain hash")
	}
}

func TestAllowSecretAndPrefix(t *testing.T) {
	ctx := context.Background()
	store := &memStore{}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	l := &ratelimit.Limiter{Store: store, Now: func() time.Time { return now }, Secret: []byte("server secret")}
	rule := ratelimit.Rule{Name: "event.register", Limit: 2, Window: time.Hour}
	for _, client := range []string{"2001:db8::1", "2001:db8::2"} {
		if err := l.Allow(ctx, rule, client); err != nil {
			t.Fatal(err)
		}
	}
	if err := l.Allow(ctx, rule, "2001:db8::3"); !apperr.Is(err, apperr.RateLimited) {
		t.Errorf("third address of one /64: got %v, want RateLimited", err)
	}
	if err := l.Allow(ctx, rule, "2001:db8:0:1::1"); err != nil {
		t.Errorf("another /64: %v", err)
	}
	for _, k := range store.keys {
		if strings.Contains(k, "2001") || strings.HasPrefix(k, ratelimit.Key(rule, "2001:db8::1")) {
			t.Errorf("stored key %q is not keyed with the secret", k)
		}
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
