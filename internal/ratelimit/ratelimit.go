// Package ratelimit counts attempts per key in fixed windows kept in the
// database, so that every instance behind a load balancer shares them. It
// guards the public links: event registration, survey answers, material
// requests, the agencies' contact form and claim look-ups.
//
// Subjects (client addresses, e-mail addresses) are never stored in
// clear: a key holds the HMAC-SHA256 of the subject under the limiter's
// secret, so that the table of an anonymous survey does not keep who
// answered.
package ratelimit

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
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
	// Secret keys the HMAC of the subjects in the stored keys. Nil: a
	// plain SHA-256 (tests, tools).
	Secret []byte
}

// Key returns the counter's key of the subject under the rule without a
// secret: the rule's name, a colon and the SHA-256 (hex) of the folded
// subject (see Subject).
func Key(rule Rule, subject string) string { return key(nil, rule, subject) }

// Key returns the counter's key of the subject under the rule: the rule's
// name, a colon and the HMAC-SHA256 (hex) of the folded subject under the
// limiter's secret.
func (l *Limiter) Key(rule Rule, subject string) string {
	if l == nil {
		return Key(rule, subject)
	}
	return key(l.Secret, rule, subject)
}

func key(secret []byte, rule Rule, subject string) string {
	subject = Subject(subject)
	var sum []byte
	if secret == nil {
		s := sha256.Sum256([]byte(subject))
		sum = s[:]
	} else {
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(subject))
		sum = mac.Sum(nil)
	}
	return rule.Name + ":" + hex.EncodeToString(sum)
}

// Subject folds a subject as counted: trimmed and in lower case; an IPv6
// client address stands for its /64 (one household or mobile device
// holds the whole prefix), an IPv4 one for itself.
func Subject(subject string) string {
	subject = strings.ToLower(strings.TrimSpace(subject))
	if a, err := netip.ParseAddr(subject); err == nil {
		a = a.Unmap()
		if a.Is6() {
			p, _ := a.WithZone("").Prefix(64)
			return p.String()
		}
		return a.String()
	}
	return subject
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
	n, err := l.Store.HitRateLimit(ctx, l.Key(rule, subject), start)
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
