package account

import (
	"context"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
)

// ReadStore is what the read side needs from the database.
type ReadStore interface {
	Organisations(ctx context.Context) ([]identity.Organisation, error)
	Members(ctx context.Context, orgID int64) ([]identity.Member, error)
	Invitations(ctx context.Context, orgID int64) ([]identity.Invitation, error)
	Users(ctx context.Context, afterID int64, limit int) ([]identity.User, error)
	UserSessions(ctx context.Context, userID int64, now time.Time) ([]auth.Session, error)
	Session(ctx context.Context, id int64) (*auth.Session, error)
	EndSession(ctx context.Context, id int64) error
	UserAPITokens(ctx context.Context, userID int64) ([]auth.APIToken, error)
	APIToken(ctx context.Context, id int64) (*auth.APIToken, error)
	RevokeAPIToken(ctx context.Context, id int64) error
	ListAudit(ctx context.Context, f audit.Filter) ([]audit.Entry, error)
}

// Views answers the read requests of the pages and the API, each checked
// against the policy.
type Views struct {
	Store    ReadStore
	Accounts *Service
	Now      func() time.Time
}

// OrgView is an organisation with its staff and, for its administrators,
// its invitations.
type OrgView struct {
	Org         *identity.Organisation
	Members     []identity.Member
	Invitations []identity.Invitation
	CanInvite   bool
}

// Org returns the organisation for a member or a platform administrator.
// Others get not_found, so they cannot probe which organisations exist.
func (v *Views) Org(ctx context.Context, actor policy.Actor, orgID int64) (*OrgView, error) {
	if err := v.Accounts.Guard.Check(ctx, actor, policy.Read, policy.Object{Kind: policy.KindOrganisation, ID: orgID, OrgID: orgID}); err != nil {
		return nil, hide(err)
	}
	org, err := v.Accounts.Store.Organisation(ctx, orgID)
	if err != nil {
		return nil, err
	}
	view := &OrgView{Org: org}
	if view.Members, err = v.Store.Members(ctx, orgID); err != nil {
		return nil, err
	}
	if policy.Decide(actor, policy.List, policy.Object{Kind: policy.KindInvitation, OrgID: orgID}).Allow {
		view.CanInvite = true
		if view.Invitations, err = v.Store.Invitations(ctx, orgID); err != nil {
			return nil, err
		}
	}
	return view, nil
}

// Orgs lists the organisations the actor may read: all for platform
// administrators, their own for others.
func (v *Views) Orgs(ctx context.Context, actor policy.Actor) ([]identity.Organisation, error) {
	all, err := v.Store.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	var visible []identity.Organisation
	for _, o := range all {
		if policy.Decide(actor, policy.Read, policy.Object{Kind: policy.KindOrganisation, ID: o.ID, OrgID: o.ID}).Allow {
			visible = append(visible, o)
		}
	}
	return visible, nil
}

// Users lists accounts for platform administrators.
func (v *Views) Users(ctx context.Context, actor policy.Actor, afterID int64, limit int) ([]identity.User, error) {
	if err := v.Accounts.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindUser}); err != nil {
		return nil, err
	}
	return v.Store.Users(ctx, afterID, limit)
}

// Sessions lists the live sessions of a user.
func (v *Views) Sessions(ctx context.Context, actor policy.Actor, userID int64) ([]auth.Session, error) {
	if err := v.Accounts.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindSession, OwnerID: userID}); err != nil {
		return nil, err
	}
	return v.Store.UserSessions(ctx, userID, v.Now())
}

// EndSession ends one session of its owner (or any, for administrators).
func (v *Views) EndSession(ctx context.Context, actor policy.Actor, sessionID int64) error {
	sess, err := v.Store.Session(ctx, sessionID)
	if err != nil {
		return err
	}
	if err := v.Accounts.Guard.Check(ctx, actor, policy.Delete, policy.Object{Kind: policy.KindSession, ID: sess.ID, OwnerID: sess.UserID}); err != nil {
		return hide(err)
	}
	if err := v.Store.EndSession(ctx, sess.ID); err != nil {
		return err
	}
	v.Accounts.Audit.Try(ctx, audit.Entry{Action: audit.SessionEnded, ActorID: actor.UserID, SubjectID: sess.UserID, ObjectKind: "session", ObjectID: sess.ID})
	return nil
}

// Tokens lists the actor's own API tokens.
func (v *Views) Tokens(ctx context.Context, actor policy.Actor) ([]auth.APIToken, error) {
	if err := v.Accounts.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindAPIToken, OwnerID: actor.UserID}); err != nil {
		return nil, err
	}
	return v.Store.UserAPITokens(ctx, actor.UserID)
}

// RevokeToken revokes one of the actor's tokens.
func (v *Views) RevokeToken(ctx context.Context, actor policy.Actor, tokenID int64) error {
	t, err := v.Store.APIToken(ctx, tokenID)
	if err != nil {
		return err
	}
	if err := v.Accounts.Guard.Check(ctx, actor, policy.Delete, policy.Object{Kind: policy.KindAPIToken, ID: t.ID, OwnerID: t.UserID}); err != nil {
		return hide(err)
	}
	if err := v.Store.RevokeAPIToken(ctx, t.ID); err != nil {
		return err
	}
	v.Accounts.Audit.Try(ctx, audit.Entry{Action: audit.TokenRevoked, ActorID: actor.UserID, SubjectID: t.UserID, ObjectKind: "api_token", ObjectID: t.ID})
	return nil
}

// Audit returns entries of the whole log for administrators.
func (v *Views) Audit(ctx context.Context, actor policy.Actor, f audit.Filter) ([]audit.Entry, error) {
	if err := v.Accounts.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindAuditLog}); err != nil {
		return nil, err
	}
	return v.Store.ListAudit(ctx, f)
}

// AuditAbout returns the entries about a user ("who looked at my
// records"): those whose subject is the user.
func (v *Views) AuditAbout(ctx context.Context, actor policy.Actor, userID int64, beforeSeq int64, limit int) ([]audit.Entry, error) {
	if err := v.Accounts.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindAuditSubject, OwnerID: userID}); err != nil {
		return nil, err
	}
	return v.Store.ListAudit(ctx, audit.Filter{SubjectID: userID, BeforeSeq: beforeSeq, Limit: limit})
}

// hide turns a denial on a specific object into not_found, so an actor
// cannot tell objects they may not see from objects that do not exist.
func hide(err error) error {
	if apperr.Is(err, apperr.Forbidden) {
		return apperr.E(apperr.NotFound, "見つかりません。")
	}
	return err
}

// Institutions lists every institution by name; institutions are public.
func (v *Views) Institutions(ctx context.Context) ([]identity.Organisation, error) {
	all, err := v.Store.Organisations(ctx)
	if err != nil {
		return nil, err
	}
	var list []identity.Organisation
	for _, o := range all {
		if o.Kind == identity.OrgInstitution {
			list = append(list, o)
		}
	}
	return list, nil
}
