// Package ratelimit counts attempts per key in fixed windows kept in the
// database, so that every instance behind a load balancer shares them. It
// guards the public links: event registration, survey answers, material
// requests, the agencies' contact form and claim look-ups.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
)

// Store keeps the counters.
type Store interface {
	// HitRateLimit adds one to the key's counter of the window starting
	// at window and returns the new count (atomically: an upsert).
	HitRateLimit(ctx context.Context, key string, window time.Time) (int, error)
}

// Rule is a limit: at most Limit hits per Window for one subject.
type Rule struct {
	Name   string // names the counter: "event.register", "survey.answer" …
	Limit  int
	Window time.Duration
}

// Limiter applies rules.
type Limiter struct {
	Store Store
	Now   func() time.Time
}

// maxSubject is the longest subject kept as is in a key; longer ones are
// replaced by their SHA-256 so that the key fits the 200-character column.
const maxSubject = 100

// Key returns the counter's key of the subject under the rule: the rule's
// name, a colon and the subject in lower case (hashed when long).
func Key(rule Rule, subject string) string {
	subject = strings.ToLower(strings.TrimSpace(subject))
	if len(subject) > maxSubject {
		sum := sha256.Sum256([]byte(subject))
		subject = hex.EncodeToString(sum[:])
	}
	return rule.Name + ":" + subject
}

// Allow counts a hit of the subject (a client address, an e-mail) under
// the rule. It returns an apperr RateLimited error, with a Japanese
// message that says when to try again, when the limit is exceeded. A nil
// Limiter allows everything (tests of other things, tools).
func (l *Limiter) Allow(ctx context.Context, rule Rule, subject string) error {
	if l == nil || l.Store == nil || rule.Window <= 0 {
		return nil
	}
	now := time.Now()
	if l.Now != nil {
		now = l.Now()
	}
	now = now.UTC()
	start := now.Truncate(rule.Window)
	n, err := l.Store.HitRateLimit(ctx, Key(rule, subject), start)
	if err != nil {
		return err
	}
	if n <= rule.Limit {
		return nil
	}
	wait := start.Add(rule.Window).Sub(now)
	minutes := int((wait + time.Minute - 1) / time.Minute)
	if minutes < 1 {
		minutes = 1
	}
	return apperr.E(apperr.RateLimited, "短時間に操作が集中しています。しばらくしてから（約%d分後）もう一度お試しください。", minutes)
}
