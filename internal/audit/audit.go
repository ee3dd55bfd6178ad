// Package audit defines the append-only, tamper-evident audit log. Each
// entry carries the hash of the one before it, so editing or deleting a row
// breaks the chain, and Verify finds where.
package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Actions recorded in the log. Dotted names group them for filtering.
const (
	LoginSuccess       = "login.success"
	LoginFailure       = "login.failure"
	LoginTOTPFailure   = "login.totp_failure"
	LoginRateLimited   = "login.rate_limited"
	Logout             = "logout"
	SessionEnded       = "session.ended"
	TOTPEnabled        = "totp.enabled"
	TOTPDisabled       = "totp.disabled"
	RecoveryCodeUsed   = "totp.recovery_code_used"
	PasswordChanged    = "password.changed"
	AccessDenied       = "access.denied"
	InvitationCreated  = "invitation.created"
	InvitationAccepted = "invitation.accepted"
	UserRegistered     = "user.registered"
	TokenCreated       = "api_token.created"
	TokenRevoked       = "api_token.revoked"
	AdminAction        = "admin.action"
	ConfidentialRead   = "record.read"
	ConsentGiven       = "consent.given"
	ConsentWithdrawn   = "consent.withdrawn"
	AgreementCreated   = "agreement.created"
	AgreementRevoked   = "agreement.revoked"
	ProfileShared      = "profile.shared"
	GateOverridden     = "case.gate_overridden"
	LeadMerged         = "lead.merged"
	LeadAnonymised     = "lead.anonymised"
)

// Entry is one row of the audit log. Times are UTC, in microseconds, so
// that both engines store them exactly and the hash recomputes.
type Entry struct {
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	ActorID    int64     `json:"actor_id"`   // 0 when anonymous
	SubjectID  int64     `json:"subject_id"` // the user the entry is about, 0 if none
	Action     string    `json:"action"`
	ObjectKind string    `json:"object_kind"`
	ObjectID   int64     `json:"object_id"`
	IP         string    `json:"ip"`
	RequestID  string    `json:"request_id"`
	Detail     string    `json:"detail"`
	PrevHash   string    `json:"-"`
	Hash       string    `json:"-"`
}

// Seal returns the hash of e chained to prev, the hash of the entry before
// it ("" for the first). It covers every field but Hash itself.
func Seal(prev string, e Entry) string {
	e.At = e.At.UTC().Truncate(time.Microsecond)
	body, err := json.Marshal(e)
	if err != nil {
		panic(err) // Entry holds only plain fields; Marshal cannot fail
	}
	h := sha256.New()
	h.Write([]byte(prev))
	h.Write([]byte{'\n'})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// Filter selects entries. Zero fields do not filter.
type Filter struct {
	ActorID   int64
	SubjectID int64
	// Involving selects entries whose actor or subject is this user.
	Involving    int64
	ActionPrefix string
	BeforeSeq    int64 // page backwards: entries with Seq < BeforeSeq
	Limit        int
}

// Store keeps the log. Append assigns Seq, PrevHash and Hash atomically, so
// concurrent writers on several instances still form one chain.
type Store interface {
	AppendAudit(ctx context.Context, e *Entry) error
	ListAudit(ctx context.Context, f Filter) ([]Entry, error)
	// WalkAudit calls fn for every entry in Seq order.
	WalkAudit(ctx context.Context, fn func(Entry) error) error
	// AuditHead returns the Seq and Hash of the last appended entry, kept
	// apart from the log so that deleting the newest rows is detected too.
	AuditHead(ctx context.Context) (seq int64, hash string, err error)
}

// BreakError says where the chain breaks.
type BreakError struct {
	Seq    int64
	Reason string
}

func (e *BreakError) Error() string {
	return fmt.Sprintf("audit chain broken at seq %d: %s", e.Seq, e.Reason)
}

// Verify walks the log and checks every link. It returns the number of
// entries checked and a *BreakError at the first broken link.
func Verify(ctx context.Context, s Store) (int64, error) {
	var n, wantSeq int64
	prev := ""
	err := s.WalkAudit(ctx, func(e Entry) error {
		wantSeq++
		switch {
		case e.Seq != wantSeq:
			return &BreakError{Seq: e.Seq, Reason: fmt.Sprintf("expected seq %d (a row is missing)", wantSeq)}
		case e.PrevHash != prev:
			return &BreakError{Seq: e.Seq, Reason: "previous hash does not match"}
		case Seal(prev, e) != e.Hash:
			return &BreakError{Seq: e.Seq, Reason: "row content does not match its hash (edited)"}
		}
		prev = e.Hash
		n++
		return nil
	})
	if err != nil {
		return n, err
	}
	headSeq, headHash, err := s.AuditHead(ctx)
	if err != nil {
		return n, err
	}
	if headSeq != n || headHash != prev {
		return n, &BreakError{Seq: n + 1, Reason: fmt.Sprintf("log ends at seq %d but the head records seq %d (rows deleted)", n, headSeq)}
	}
	return n, nil
}
