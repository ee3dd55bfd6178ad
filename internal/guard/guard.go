// Package guard asks the policy and records every denial in the audit log.
// Services call it before touching an object, so the HTML pages and the API
// share one authorization path.
package guard

import (
	"context"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Guard checks (actor, action, object) against the policy.
type Guard struct {
	Audit *audit.Recorder
}

// Check returns nil when the policy allows the action. A denial is audited
// and returned as forbidden (or unauthorized for anonymous actors).
func (g *Guard) Check(ctx context.Context, actor policy.Actor, action policy.Action, obj policy.Object) error {
	d := policy.Decide(actor, action, obj)
	if d.Allow {
		return nil
	}
	g.Audit.Try(ctx, audit.Entry{Action: audit.AccessDenied, ActorID: actor.UserID, SubjectID: obj.OwnerID,
		ObjectKind: string(obj.Kind), ObjectID: obj.ID, Detail: string(action) + ": " + d.Reason})
	if actor.Anonymous() {
		return apperr.E(apperr.Unauthorized, "ログインしてください。")
	}
	return apperr.E(apperr.Forbidden, "この操作を行う権限がありません。")
}
