package auth

import "time"

// Stage is how far a session has come through sign-in.
type Stage string

// Session stages.
const (
	// StageTOTP: the password was right; the second factor is still due.
	StageTOTP Stage = "totp"
	// StageFull: fully signed in.
	StageFull Stage = "full"
)

// Session timeouts.
const (
	IdleTimeout     = 30 * time.Minute
	AbsoluteTimeout = 12 * time.Hour
	// touchEvery limits how often a request writes last_seen_at.
	touchEvery = time.Minute
)

// Session is a server-side sign-in session. Only the hash of its token is
// stored.
type Session struct {
	ID         int64
	UserID     int64
	Stage      Stage
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // the absolute timeout
	IP         string
	UserAgent  string
	EndedAt    *time.Time
}

// Live reports whether the session may still be used at now: not ended,
// not past its absolute timeout, not idle for longer than IdleTimeout.
func (s *Session) Live(now time.Time) bool {
	return s.EndedAt == nil && now.Before(s.ExpiresAt) && now.Sub(s.LastSeenAt) < IdleTimeout
}

// Scope is what an API token may do.
type Scope string

// Token scopes.
const (
	ScopeRead  Scope = "read"  // GET only
	ScopeWrite Scope = "write" // every method
)

// APIToken is a personal API token. Only the hash of its secret is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	Scope      Scope
	CreatedAt  time.Time
	ExpiresAt  *time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Usable reports whether the token may be used at now.
func (t *APIToken) Usable(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}
