package audit

import (
	"context"
	"log/slog"

	"github.com/hakui-dev/hakui/internal/reqinfo"
)

// Recorder appends entries, filling the request ID and the client address
// from the context.
type Recorder struct {
	Store Store
	Log   *slog.Logger
}

// Record appends e. Callers that must not proceed unaudited (reads of
// confidential records) check the error; others may use Try.
func (r *Recorder) Record(ctx context.Context, e Entry) error {
	info := reqinfo.From(ctx)
	if e.RequestID == "" {
		e.RequestID = info.RequestID
	}
	if e.IP == "" {
		e.IP = info.IP
	}
	return r.Store.AppendAudit(ctx, &e)
}

// Try appends e and logs a failure instead of returning it, for events
// whose action has already happened (a failed login, a denial).
func (r *Recorder) Try(ctx context.Context, e Entry) {
	if err := r.Record(ctx, e); err != nil {
		r.Log.ErrorContext(ctx, "audit append failed", "action", e.Action, "err", err)
	}
}
