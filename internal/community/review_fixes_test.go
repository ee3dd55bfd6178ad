package community_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Leaving and coming back does not end a sanction; a declined doctor's
// invitation goes to the moderators; a sanction revokes the member's
// invitations, and moderators revoke anyone's.
func TestReviewLeaveAndRejoinKeepsSanction(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner, w.owner2, w.planner)
		friend, _, err := w.svc.Invite(w.ctx, w.owner2, community.InvitationInput{})
		noErr(t, err)
		own, _, err := w.svc.Invite(w.ctx, w.owner, community.InvitationInput{})
		noErr(t, err)
		q := w.ask(w.owner, "スタッフの採用について教えてください", false)
		until := w.clock.Now().Add(300 * 24 * time.Hour)
		noErr(t, w.svc.SanctionAuthor(w.ctx, w.mod, q.ID, community.Sanction{Kind: community.ActSuspend, Until: until,
			Reason: "嫌味の繰り返し"}))
		noErr(t, w.svc.Leave(w.ctx, w.owner))

		// The suspension revoked the member's own invitation.
		_, err = w.svc.AcceptInvitation(w.ctx, w.owner, own, community.Application{})
		wantCode(t, err, apperr.Conflict)
		// A friend's invitation lets him back in, suspended as before.
		m, err := w.svc.AcceptInvitation(w.ctx, w.owner, friend, community.Application{})
		noErr(t, err)
		if m.Status != community.StatusActive || m.SuspendedUntil == nil || !m.SuspendedUntil.Equal(until) {
			t.Errorf("rejoined member = %s, suspended until %v, want active until %v", m.Status, m.SuspendedUntil, until)
		}
		st, err := w.svc.Standing(w.ctx, w.owner)
		noErr(t, err)
		if st.CanRead || st.CanPost {
			t.Errorf("after leave and invitation: CanRead=%v CanPost=%v, want both false", st.CanRead, st.CanPost)
		}

		// A silence survives leaving and a new application.
		noErr(t, w.svc.SanctionMember(w.ctx, w.mod, w.planner.UserID, community.Sanction{Kind: community.ActSilence,
			Until: w.clock.Now().Add(30 * 24 * time.Hour), Reason: "マウント"}))
		noErr(t, w.svc.Leave(w.ctx, w.planner))
		m, err = w.svc.Apply(w.ctx, w.planner, community.Application{})
		noErr(t, err)
		noErr(t, w.svc.DecideApplication(w.ctx, w.mod, w.planner.UserID, m.Version, true, ""))
		if st, _ := w.svc.Standing(w.ctx, w.planner); !st.CanRead || st.CanPost {
			t.Errorf("silenced member after leave and re-application: CanRead=%v CanPost=%v", st.CanRead, st.CanPost)
		}
		// An ended sanction is not brought back.
		w.clock.Advance(31 * 24 * time.Hour)
		noErr(t, w.svc.Leave(w.ctx, w.planner))
		m, err = w.svc.Apply(w.ctx, w.planner, community.Application{})
		noErr(t, err)
		if m.SilencedUntil != nil {
			t.Errorf("ended silence kept: %v", m.SilencedUntil)
		}

		// A declined doctor accepting an invitation applies again.
		w.join(w.owner3)
		token, _, err := w.svc.Invite(w.ctx, w.owner3, community.InvitationInput{})
		noErr(t, err)
		emp := w.doctor("declined@example.jp", "見送 八郎", "clinic_owner", "東京都", "内科", true)
		m, err = w.svc.Apply(w.ctx, emp, community.Application{})
		noErr(t, err)
		noErr(t, w.svc.DecideApplication(w.ctx, w.mod, emp.UserID, m.Version, false, "確認が取れませんでした"))
		m, err = w.svc.AcceptInvitation(w.ctx, emp, token, community.Application{})
		noErr(t, err)
		if m.Status != community.StatusApplied || m.Entry != community.EntryInvitation || m.JoinedAt != nil {
			t.Errorf("declined doctor's invitation: status %s entry %s joined %v, want applied by invitation", m.Status, m.Entry, m.JoinedAt)
		}
		if st, _ := w.svc.Standing(w.ctx, emp); st.CanRead {
			t.Error("a declined doctor reads the board through an invitation")
		}

		// Moderators revoke anyone's invitation; members only their own.
		_, inv, err := w.svc.Invite(w.ctx, w.owner3, community.InvitationInput{})
		noErr(t, err)
		wantCode(t, w.svc.RevokeInvitation(w.ctx, w.owner2, inv.ID), apperr.NotFound)
		noErr(t, w.svc.RevokeInvitation(w.ctx, w.mod, inv.ID))
		wantCode(t, w.svc.RevokeInvitation(w.ctx, w.owner3, inv.ID), apperr.Conflict)
		// A ban revokes too.
		_, inv, err = w.svc.Invite(w.ctx, w.owner3, community.InvitationInput{})
		noErr(t, err)
		noErr(t, w.svc.SanctionMember(w.ctx, w.mod, w.owner3.UserID, community.Sanction{Kind: community.ActBan, Reason: "宣伝"}))
		if got, _ := w.db.CommunityInvitation(w.ctx, inv.ID); got.RevokedAt == nil {
			t.Error("a ban leaves the member's invitation open")
		}
	})
}

// A member who does not share their practice form shows no group, and a
// group filter does not find them.
func TestReviewPracticeNotShared(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner, w.planner)
		st, err := w.svc.Standing(w.ctx, w.planner)
		noErr(t, err)
		_, err = w.svc.SaveCard(w.ctx, w.planner, community.CardInput{Digest: community.DigestDaily, Version: st.Member.Version})
		noErr(t, err)
		c, err := w.svc.Card(w.ctx, w.owner, w.planner.UserID)
		noErr(t, err)
		if c.Group != "" || c.Practice != "" {
			t.Errorf("share_practice=false: card group %q, practice %q", c.Group, c.Practice)
		}
		for _, g := range []community.Group{community.GroupPlanningToOpen, community.GroupClinicOwner} {
			cards, err := w.svc.Members(w.ctx, w.owner, community.MemberFilter{Group: g})
			noErr(t, err)
			if slices.ContainsFunc(cards, func(c community.Card) bool { return c.UserID == w.planner.UserID }) {
				t.Errorf("filter group=%s finds the member who hides their practice form", g)
			}
		}
		cards, err := w.svc.Members(w.ctx, w.owner, community.MemberFilter{Group: community.GroupClinicOwner})
		noErr(t, err)
		if len(cards) != 1 || cards[0].UserID != w.owner.UserID || cards[0].Group != community.GroupClinicOwner {
			t.Errorf("filter group=clinic_owner = %+v, want the owner who shares", cards)
		}
		// The overview still counts everyone.
		ov, err := w.svc.Overview(w.ctx)
		noErr(t, err)
		if ov.Members != 2 || len(ov.ByGroup) != 2 {
			t.Errorf("overview = %d members, by group %v", ov.Members, ov.ByGroup)
		}
	})
}

// A sanction through an anonymous post is on the author's audit page,
// and the moderators' member list does not show who was banned.
func TestReviewAnonymousSanctionAudited(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.mod, w.owner, w.planner, w.owner2)
		q := w.ask(w.planner, "開業資金はいくら必要でしたか", true)
		ids := func(a policy.Actor) []int64 {
			cards, err := w.svc.Members(w.ctx, a, community.MemberFilter{})
			noErr(t, err)
			var out []int64
			for _, c := range cards {
				out = append(out, c.UserID)
			}
			return out
		}
		before := ids(w.mod)
		noErr(t, w.svc.SanctionAuthor(w.ctx, w.mod, q.ID, community.Sanction{Kind: community.ActBan, Reason: "確認"}))
		if after := ids(w.mod); !slices.Equal(before, after) {
			t.Errorf("moderator's member list changed with a ban via an anonymous post: %v → %v", before, after)
		}
		if _, err := w.svc.Card(w.ctx, w.mod, w.planner.UserID); err != nil {
			t.Errorf("moderator's view of the banned author's card: %v", err)
		}
		// Members do not see a banned member.
		if slices.Contains(ids(w.owner), w.planner.UserID) {
			t.Error("members see the banned member")
		}
		_, err := w.svc.Card(w.ctx, w.owner, w.planner.UserID)
		wantCode(t, err, apperr.NotFound)

		list, err := w.db.ListAudit(w.ctx, audit.Filter{Involving: w.planner.UserID, ActionPrefix: community.AuthorSanctioned})
		noErr(t, err)
		if len(list) != 1 || list[0].SubjectID != w.planner.UserID || list[0].ActorID != w.mod.UserID ||
			list[0].ObjectKind != "community_post" || list[0].ObjectID != q.ID || !strings.Contains(list[0].Detail, "確認") {
			t.Errorf("author's audit page = %+v", list)
		}
		// A named post's author is known anyway: no entry.
		named := w.ask(w.owner, "レセコンの乗り換え", false)
		noErr(t, w.svc.SanctionAuthor(w.ctx, w.mod, named.ID, community.Sanction{Kind: community.ActWarn, Reason: "注意"}))
		if n := len(w.auditOf(community.AuthorSanctioned)); n != 1 {
			t.Errorf("%d author_sanctioned entries, want 1", n)
		}
		// An invalid sanction records nothing.
		q2 := w.ask(w.owner2, "医師会には入るべきですか", true)
		wantField(t, w.svc.SanctionAuthor(w.ctx, w.mod, q2.ID, community.Sanction{Kind: community.ActWarn}), "reason")
		if n := len(w.auditOf(community.AuthorSanctioned)); n != 1 {
			t.Errorf("%d author_sanctioned entries after an invalid sanction, want 1", n)
		}
	})
}

// Denials on one's own anonymous post leave nothing in the audit log
// that ties the post to its author; other denials are kept.
func TestReviewOwnAnonymousDenials(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.mod, w.owner, w.planner)
		q := w.ask(w.planner, "開業資金はいくら必要でしたか", true)
		a := w.answer(w.planner, q.ID, "自己資金は1000万円でした", true)
		wantCode(t, w.svc.Vote(w.ctx, w.planner, a.ID, true), apperr.Forbidden)
		_, err := w.svc.Report(w.ctx, w.planner, q.ID, community.ReportInput{Reason: community.ReasonOther, Note: "テスト"})
		wantCode(t, err, apperr.Forbidden)
		noErr(t, w.svc.SanctionMember(w.ctx, w.mod, w.planner.UserID, community.Sanction{Kind: community.ActSilence,
			Until: w.clock.Now().Add(24 * time.Hour), Reason: "連投"}))
		_, err = w.svc.Edit(w.ctx, w.planner, q.ID, community.EditInput{Title: q.Title, Body: "追記します。", Version: q.Version})
		wantCode(t, err, apperr.Forbidden)
		denials := w.auditOf(audit.AccessDenied)
		for _, e := range denials {
			if e.ActorID == w.planner.UserID && (e.ObjectID == q.ID || e.ObjectID == a.ID || strings.Contains(e.Detail, "own post")) {
				t.Errorf("audit entry ties an anonymous post to its author: %s#%d %q", e.ObjectKind, e.ObjectID, e.Detail)
			}
		}
		if !slices.ContainsFunc(denials, func(e audit.Entry) bool {
			return e.ActorID == w.planner.UserID && e.ObjectID == 0 && strings.Contains(e.Detail, "silenced member")
		}) {
			t.Errorf("the silenced edit is not audited at all: %+v", denials)
		}
		// A named post's own-post denial is recorded as before.
		named := w.ask(w.owner, "レセコンの乗り換え", false)
		wantCode(t, w.svc.Vote(w.ctx, w.owner, named.ID, true), apperr.Forbidden)
		if !slices.ContainsFunc(w.auditOf(audit.AccessDenied), func(e audit.Entry) bool {
			return e.ActorID == w.owner.UserID && e.ObjectID == named.ID && strings.Contains(e.Detail, "own post")
		}) {
			t.Error("own-post denial on a named post is not audited")
		}
	})
}

// A comment under a hidden answer is as hidden as in Thread: not in
// History, not reportable.
func TestReviewCommentUnderHiddenAnswer(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.mod, w.owner, w.planner, w.owner2)
		q := w.ask(w.owner, "電子カルテの選び方を教えてください", false)
		a := w.answer(w.planner, q.ID, "患者の山田太郎さんの件ですが…", false)
		c, err := w.svc.Comment(w.ctx, w.owner2, a.ID, community.ReplyInput{Body: "山田さんは前に当院にも来ていました"})
		noErr(t, err)
		noErr(t, w.svc.ModeratePost(w.ctx, w.mod, a.ID, community.Moderate{Kind: community.ActHide, Private: true}))
		for name, a := range map[string]policy.Actor{"member": w.owner, "comment's author": w.owner2} {
			_, err := w.svc.History(w.ctx, a, c.ID)
			if !apperr.Is(err, apperr.NotFound) {
				t.Errorf("%s: History of a comment under a hidden answer: %v", name, err)
			}
			_, err = w.svc.Post(w.ctx, a, c.ID)
			wantCode(t, err, apperr.NotFound)
		}
		_, err = w.svc.Report(w.ctx, w.owner, c.ID, community.ReportInput{Reason: community.ReasonOther, Note: "個人情報"})
		wantCode(t, err, apperr.NotFound)
		if revs, err := w.svc.History(w.ctx, w.mod, c.ID); err != nil || len(revs) != 1 {
			t.Errorf("moderator's History = %d, %v", len(revs), err)
		}
		// A comment on the question itself is unaffected.
		qc, err := w.svc.Comment(w.ctx, w.owner2, q.ID, community.ReplyInput{Body: "どの規模の診療所ですか"})
		noErr(t, err)
		if _, err := w.svc.History(w.ctx, w.owner, qc.ID); err != nil {
			t.Errorf("History of a comment on the question: %v", err)
		}
	})
}

// A banned or suspended moderator does not moderate; moderators and
// admins are not sanctioned through the board, except moderators by
// admins.
func TestReviewModeratorSanctions(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		mod2 := w.user("moderator2@hakui.example.jp", "二宮 真", identity.Grant{Role: identity.RoleModerator, OrgID: w.platform},
			identity.Grant{Role: identity.RoleDoctor})
		w.profile(mod2, "clinic_owner", "東京都", "内科", true)
		w.join(w.mod, mod2, w.owner, w.planner)
		q := w.ask(w.planner, "開業資金はいくら必要でしたか", true)
		modQ := w.ask(w.mod, "モデレーターの質問です", true)

		// Moderators do not act on each other, nor on admins.
		for name, err := range map[string]error{
			"ban a moderator":        w.svc.SanctionMember(w.ctx, mod2, w.mod.UserID, community.Sanction{Kind: community.ActBan, Reason: "x"}),
			"warn a moderator":       w.svc.SanctionMember(w.ctx, mod2, w.mod.UserID, community.Sanction{Kind: community.ActWarn, Reason: "x"}),
			"ban a moderator author": w.svc.SanctionAuthor(w.ctx, mod2, modQ.ID, community.Sanction{Kind: community.ActBan, Reason: "x"}),
			"ban the admin":          w.svc.SanctionMember(w.ctx, w.mod, w.admin.UserID, community.Sanction{Kind: community.ActBan, Reason: "x"}),
		} {
			wantCode(t, err, apperr.Forbidden)
			if err == nil || !strings.Contains(err.Error(), "モデレーター・管理者への対応は管理者が行います。") {
				t.Errorf("%s: %v", name, err)
			}
		}
		if st, _ := w.svc.Standing(w.ctx, w.mod); st.Member.Status != community.StatusActive {
			t.Errorf("moderator after refused sanctions: %s", st.Member.Status)
		}

		// An admin may; the banned moderator then does not moderate.
		noErr(t, w.svc.SanctionMember(w.ctx, w.admin, w.mod.UserID, community.Sanction{Kind: community.ActBan, Reason: "権限の濫用"}))
		_, err := w.svc.RevealAuthor(w.ctx, w.mod, q.ID, "確認")
		wantCode(t, err, apperr.Forbidden)
		wantCode(t, w.svc.SanctionMember(w.ctx, w.mod, w.owner.UserID, community.Sanction{Kind: community.ActBan, Reason: "x"}),
			apperr.Forbidden)
		wantCode(t, w.svc.ModeratePost(w.ctx, w.mod, q.ID, community.Moderate{Kind: community.ActHide, Reason: "x"}), apperr.Forbidden)
		_, err = w.svc.Applications(w.ctx, w.mod)
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.Thread(w.ctx, w.mod, q.ID)
		wantCode(t, err, apperr.Forbidden)

		// Suspended likewise, until the suspension ends.
		noErr(t, w.svc.SanctionMember(w.ctx, w.admin, w.mod.UserID, community.Sanction{Kind: community.ActLift, Reason: "解除"}))
		noErr(t, w.svc.SanctionMember(w.ctx, w.admin, w.mod.UserID, community.Sanction{Kind: community.ActSuspend,
			Until: w.clock.Now().Add(24 * time.Hour), Reason: "冷却期間"}))
		wantCode(t, w.svc.SanctionMember(w.ctx, w.mod, w.owner.UserID, community.Sanction{Kind: community.ActWarn, Reason: "x"}),
			apperr.Forbidden)
		_, err = w.svc.Reports(w.ctx, w.mod, "")
		wantCode(t, err, apperr.Forbidden)
		w.clock.Advance(25 * time.Hour)
		noErr(t, w.svc.SanctionMember(w.ctx, w.mod, w.owner.UserID, community.Sanction{Kind: community.ActWarn, Reason: "注意"}))
	})
}
