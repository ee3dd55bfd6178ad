package community

import (
	"context"
	"fmt"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Viewer is what the access rules need to know about the actor.
type Viewer struct {
	UserID    int64
	Member    *Member // nil: never applied
	Moderator bool    // holds the moderator or admin role
	Admin     bool    // holds the admin role
	Doctor    bool
	Company   bool // a company contact
	Now       time.Time
}

// Op is what the viewer wants to do on the board.
type Op string

// Operations the access rules decide.
const (
	OpPublic    Op = "public"    // rules, overview, standing, invitation info
	OpApply     Op = "apply"     // apply or accept an invitation
	OpRead      Op = "read"      // the board: questions, cards, tags, stats
	OpWrite     Op = "write"     // ask, answer, comment, edit own, invite
	OpReact     Op = "react"     // vote, accept an answer, report: what a silenced member still may do
	OpSelf      Op = "self"      // save one's card, leave
	OpModerate  Op = "moderate"  // moderation and administration of the board
	OpReveal    Op = "reveal"    // learn an anonymous post's author
	OpReferrals Op = "referrals" // a company contact's own counts
)

// Decision is the outcome of Decide. Code and Message are for the actor;
// Reason is for the audit log.
type Decision struct {
	Allow   bool
	Code    apperr.Code
	Message string
	Reason  string
}

// Messages of denials.
const (
	msgLogin      = "ログインしてください。"
	msgMembers    = "掲示板は参加している会員だけが見られます。"
	msgCompany    = "企業アカウントは掲示板を見られません。"
	msgBanned     = "掲示板の利用が禁止されています。"
	msgModerators = "モデレーターだけが行える操作です。"
	msgNotFound   = "見つかりません。"
)

func allow() Decision { return Decision{Allow: true} }

func deny(code apperr.Code, msg, reason string) Decision {
	return Decision{Code: code, Message: msg, Reason: reason}
}

// Decide applies the board's access rules. It is pure: every input is in
// v, so the table test covers each rule.
func Decide(v Viewer, op Op) Decision {
	switch op {
	case OpPublic:
		return allow()
	case OpReveal:
		if v.Moderator {
			if d := sanctionedModerator(v); !d.Allow {
				return d
			}
			return allow()
		}
		return deny(apperr.NotFound, msgNotFound, "not a moderator")
	case OpReferrals:
		if v.Company {
			return allow()
		}
		return deny(apperr.NotFound, msgNotFound, "not a company contact")
	case OpModerate:
		if v.Moderator {
			return sanctionedModerator(v)
		}
		if v.UserID == 0 {
			return deny(apperr.Unauthorized, msgLogin, "anonymous")
		}
		return deny(apperr.Forbidden, msgModerators, "not a moderator")
	}
	if v.UserID == 0 {
		return deny(apperr.Unauthorized, msgLogin, "anonymous")
	}
	if v.Company && !v.Moderator {
		return deny(apperr.Forbidden, msgCompany, "company contact")
	}
	m := v.Member
	if m != nil && m.Status == StatusBanned {
		return deny(apperr.Forbidden, msgBanned, "banned member")
	}
	switch op {
	case OpApply:
		if !v.Doctor {
			return deny(apperr.Forbidden, "医師アカウントだけが参加できます。", "not a doctor")
		}
		return allow()
	case OpSelf:
		if m != nil && (m.Status == StatusActive || m.Status == StatusApplied) {
			return allow()
		}
		return deny(apperr.Forbidden, msgMembers, "not a member")
	case OpRead:
		if v.Moderator {
			return sanctionedModerator(v)
		}
		return memberDecision(m, v.Now)
	case OpWrite, OpReact:
		if d := memberDecision(m, v.Now); !d.Allow {
			if v.Moderator {
				return deny(apperr.Forbidden, "投稿するには会員として参加してください。", "moderator without membership")
			}
			return d
		}
		// A silence stops what others read (posts, invitations), not
		// votes, accepting an answer or reporting harassment.
		if op == OpWrite && m.Silenced(v.Now) {
			return deny(apperr.Forbidden,
				fmt.Sprintf("投稿停止中のため投稿できません（%sまで）。", jstTime(*m.SilencedUntil)), "silenced member")
		}
		return allow()
	}
	return deny(apperr.Forbidden, msgMembers, "unknown operation "+string(op))
}

// sanctionedModerator keeps a moderator whose own membership is banned or
// suspended away from the board: the role does not outrank a sanction.
func sanctionedModerator(v Viewer) Decision {
	switch m := v.Member; {
	case m != nil && m.Status == StatusBanned:
		return deny(apperr.Forbidden, msgBanned, "banned moderator")
	case m != nil && m.Status == StatusActive && m.Suspended(v.Now):
		return deny(apperr.Forbidden,
			fmt.Sprintf("利用停止中のため掲示板を見られません（%sまで）。", jstTime(*m.SuspendedUntil)), "suspended moderator")
	}
	return allow()
}

// memberDecision lets an active member in.
func memberDecision(m *Member, now time.Time) Decision {
	switch {
	case m == nil || m.Status != StatusActive:
		return deny(apperr.Forbidden, msgMembers, "not a member")
	case m.Suspended(now):
		return deny(apperr.Forbidden,
			fmt.Sprintf("利用停止中のため掲示板を見られません（%sまで）。", jstTime(*m.SuspendedUntil)), "suspended member")
	}
	return allow()
}

// SeesPost reports whether the viewer may see the post: visible posts to
// readers of the board, held and hidden ones only to their author and to
// moderators.
func SeesPost(v Viewer, p *Post) bool {
	if !Decide(v, OpRead).Allow {
		return false
	}
	return p.Status == PostVisible || v.Moderator || (v.UserID != 0 && p.AuthorID == v.UserID)
}

// ShowsAuthor reports whether a view of the post for the viewer may carry
// its author: always for named posts, for anonymous ones only to the
// author.
func ShowsAuthor(v Viewer, p *Post) bool {
	return !p.Anonymous || (v.UserID != 0 && p.AuthorID == v.UserID)
}

// jstTime formats a time in JST for messages.
func jstTime(t time.Time) string { return t.In(career.JST).Format("2006年1月2日 15:04") }

// viewer loads what the access rules need about the actor.
func (s *Service) viewer(ctx context.Context, actor policy.Actor) (Viewer, error) {
	v := Viewer{UserID: actor.UserID, Now: s.now(),
		Moderator: actor.Has(identity.RoleModerator) || actor.Has(identity.RoleAdmin), Admin: actor.Has(identity.RoleAdmin),
		Doctor: actor.Has(identity.RoleDoctor)}
	if actor.Anonymous() {
		return v, nil
	}
	m, err := s.Store.CommunityMember(ctx, actor.UserID)
	switch {
	case err == nil:
		v.Member = m
	case !apperr.Is(err, apperr.NotFound):
		return v, err
	}
	// Contacts hold no grant and no membership; only they need the look-up.
	if v.Member == nil && len(actor.Grants) == 0 {
		_, err := s.Store.CommunityCompanyOf(ctx, actor.UserID)
		switch {
		case err == nil:
			v.Company = true
		case !apperr.Is(err, apperr.NotFound):
			return v, err
		}
	}
	return v, nil
}

// check decides op for the viewer and records a denial in the audit log,
// as the guard does.
func (s *Service) check(ctx context.Context, v Viewer, op Op, kind string, id int64) error {
	d := Decide(v, op)
	if d.Allow {
		return nil
	}
	return s.denied(ctx, v, d, op, kind, id)
}

// denied records a denial and returns its error.
func (s *Service) denied(ctx context.Context, v Viewer, d Decision, op Op, kind string, id int64) error {
	s.Audit.Try(ctx, audit.Entry{Action: audit.AccessDenied, ActorID: v.UserID, ObjectKind: kind, ObjectID: id,
		Detail: "community." + string(op) + ": " + d.Reason})
	return apperr.E(d.Code, "%s", d.Message)
}

// access loads the viewer and checks op in one step.
func (s *Service) access(ctx context.Context, actor policy.Actor, op Op, kind string, id int64) (Viewer, error) {
	v, err := s.viewer(ctx, actor)
	if err != nil {
		return v, err
	}
	return v, s.check(ctx, v, op, kind, id)
}

// Object kinds in the audit log.
const (
	objPost     = "community_post"
	objMember   = "community_member"
	objBoard    = "community"
	objCompany  = "community_company"
	objReport   = "community_report"
	objInvite   = "community_invitation"
	objTag      = "community_tag"
	objSettings = "community_settings"
)
