package community

import (
	"cmp"
	"context"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
)

// AuthorRevealed is the audit action of a moderator learning who wrote an
// anonymous post.
const AuthorRevealed = "community.author_revealed"

// AuthorSanctioned is the audit action of a moderator sanctioning the
// author of an anonymous post through the post.
const AuthorSanctioned = "community.author_sanctioned"

// msgStaffTarget refuses a board sanction on a moderator or an admin.
const msgStaffTarget = "モデレーター・管理者への対応は管理者が行います。"

// privateReason is the resolution of reports closed by a hide for patient
// or personal data.
const privateReason = "個人情報・患者情報のため非表示"

// maxSanction is how far ahead a silence or suspension may end.
const maxSanction = 366 * 24 * time.Hour

// noticesLink is the member's page of moderation notices.
const noticesLink = "/community/notices"

// Report reports a visible post to the moderators. Members only, not on
// one's own post; Conflict when the actor's report on it is still open.
func (s *Service) Report(ctx context.Context, actor policy.Actor, postID int64, in ReportInput) (*Report, error) {
	v, err := s.access(ctx, actor, OpReact, objPost, postID)
	if err != nil {
		return nil, err
	}
	p, err := s.visiblePost(ctx, v, postID)
	if err != nil {
		return nil, err
	}
	if p.AuthorID == v.UserID {
		return nil, s.deniedOwn(ctx, v, p, "自分の投稿は通報できません。")
	}
	if err := notPublished(p); err != nil {
		return nil, err
	}
	in.Note = prose(in.Note)
	fields := map[string]string{}
	if !in.Reason.Valid() {
		fields["reason"] = "通報の理由を選んでください。"
	}
	switch {
	case in.Reason == ReasonOther && in.Note == "":
		fields["note"] = "「その他」の場合は内容を書いてください。"
	case utf8.RuneCountInString(in.Note) > 1000:
		fields["note"] = "1000文字以内で入力してください。"
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	r := &Report{PostID: postID, ReporterID: v.UserID, Reason: in.Reason, Note: in.Note, Status: ReportOpen, CreatedAt: v.Now}
	if err := s.Store.CreateCommunityReport(ctx, r); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.E(apperr.Conflict, "この投稿はすでに通報しています。モデレーターの対応をお待ちください。")
		}
		return nil, err
	}
	return r, nil
}

// Reports returns the reports of the status ("" open), the oldest open
// first (moderators).
func (s *Service) Reports(ctx context.Context, actor policy.Actor, status ReportStatus) ([]ReportView, error) {
	v, err := s.access(ctx, actor, OpModerate, objReport, 0)
	if err != nil {
		return nil, err
	}
	if status == "" {
		status = ReportOpen
	}
	reports, err := s.Store.CommunityReports(ctx, status, 0, 200)
	if err != nil {
		return nil, err
	}
	vb := s.views(v)
	out := make([]ReportView, 0, len(reports))
	for _, r := range reports {
		p, err := s.Store.CommunityPost(ctx, r.PostID)
		if err != nil {
			return nil, err
		}
		out = append(out, ReportView{Report: r, ReporterName: s.userName(ctx, r.ReporterID), Post: vb.view(ctx, p, true)})
	}
	return out, nil
}

// CloseReport closes a report as resolved or dismissed with a note
// (moderators). Conflict when it is closed.
func (s *Service) CloseReport(ctx context.Context, actor policy.Actor, id int64, status ReportStatus, resolution string) error {
	v, err := s.access(ctx, actor, OpModerate, objReport, id)
	if err != nil {
		return err
	}
	resolution = prose(resolution)
	fields := map[string]string{}
	if status != ReportResolved && status != ReportDismissed {
		fields["status"] = "「対応済み」か「対応不要」を選んでください。"
	}
	if msg := reasonError(resolution, true); msg != "" {
		fields["resolution"] = msg
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	r, err := s.Store.CommunityReport(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Store.CloseCommunityReport(ctx, id, status, v.UserID, resolution, v.Now); err != nil {
		return err
	}
	// MemberID stays 0: the log must not tie an anonymous post to its author.
	return s.Store.AddCommunityAction(ctx, &Action{Kind: ActCloseReport, ModeratorID: v.UserID, PostID: r.PostID, ReportID: id,
		Reason: status.Label() + ": " + resolution, CreatedAt: v.Now})
}

// HeldPosts returns the posts waiting for approval (moderators).
func (s *Service) HeldPosts(ctx context.Context, actor policy.Actor) ([]PostView, error) {
	v, err := s.access(ctx, actor, OpModerate, objPost, 0)
	if err != nil {
		return nil, err
	}
	posts, err := s.Store.CommunityHeldPosts(ctx, 200)
	if err != nil {
		return nil, err
	}
	vb := s.views(v)
	out := make([]PostView, 0, len(posts))
	for i := range posts {
		out = append(out, vb.view(ctx, &posts[i], true))
	}
	return out, nil
}

// ModeratePost approves, hides or restores a post (moderators). The
// author is notified with the reason.
func (s *Service) ModeratePost(ctx context.Context, actor policy.Actor, postID int64, m Moderate) error {
	v, err := s.access(ctx, actor, OpModerate, objPost, postID)
	if err != nil {
		return err
	}
	m.Reason = prose(m.Reason)
	if m.Private && m.Kind == ActHide && m.Reason == "" {
		m.Reason = privateReason
	}
	fields := map[string]string{}
	if m.Kind != ActApprovePost && m.Kind != ActHide && m.Kind != ActRestore {
		fields["kind"] = "操作を選んでください。"
	}
	if msg := reasonError(m.Reason, m.Kind == ActHide); msg != "" {
		fields["reason"] = msg
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	p, err := s.Store.CommunityPost(ctx, postID)
	if err != nil {
		return err
	}
	var to PostStatus
	var title, logReason string
	// A post held after its author edited it was public once: approving it
	// is a restore, announced to nobody again.
	recheck := p.Status == PostHeld && p.StatusReason == RecheckReason
	switch {
	case m.Kind == ActApprovePost && recheck:
		to, title, logReason = PostVisible, "編集した"+p.Kind.Label()+"が確認され、再表示されました", "編集後の投稿を確認し再表示しました"
	case m.Kind == ActApprovePost && p.Status == PostHeld:
		to, title, logReason = PostVisible, "あなたの"+p.Kind.Label()+"が承認され、公開されました", "投稿を承認しました"
	case m.Kind == ActHide && p.Status != PostHidden:
		to, title = PostHidden, "あなたの"+p.Kind.Label()+"は非表示になりました"
	case m.Kind == ActRestore && p.Status == PostHidden:
		to, title, logReason = PostVisible, "あなたの"+p.Kind.Label()+"が再表示されました", "投稿を再表示しました"
	default:
		return apperr.E(apperr.Conflict, "この投稿は%sです。", p.Status.Label())
	}
	reason := m.Reason
	if to == PostVisible {
		reason = ""
	}
	if err := s.Store.SetCommunityPostStatus(ctx, postID, to, reason, v.Now); err != nil {
		return err
	}
	body := ""
	if m.Reason != "" {
		body = "理由: " + m.Reason
	}
	if m.Private && m.Kind == ActHide {
		if _, err := s.Store.CloseCommunityReportsOf(ctx, postID, ReportResolved, v.UserID, privateReason, v.Now); err != nil {
			return err
		}
		// The explanation says what the default reason says; a reason of
		// the moderator's own follows it.
		body = "患者さんや個人を特定できる情報が含まれていたため、非表示にしました。"
		if m.Reason != privateReason {
			body += "\n理由: " + m.Reason
		}
	}
	act := &Action{Kind: m.Kind, ModeratorID: v.UserID, MemberID: p.AuthorID, PostID: postID, Reason: cmp.Or(m.Reason, logReason),
		CreatedAt: v.Now}
	if err := s.Store.AddCommunityAction(ctx, act); err != nil {
		return err
	}
	s.notify(ctx, p.AuthorID, NoteModeration, title, body, questionLink(p))
	if m.Kind == ActApprovePost && !recheck {
		p.Status = PostVisible
		s.announce(ctx, p)
	}
	return nil
}

// SanctionMember acts on a member (moderators). Moderators cannot
// sanction themselves. The member is notified with the reason.
func (s *Service) SanctionMember(ctx context.Context, actor policy.Actor, memberID int64, in Sanction) error {
	v, err := s.access(ctx, actor, OpModerate, objMember, memberID)
	if err != nil {
		return err
	}
	return s.sanction(ctx, v, memberID, in, nil)
}

// SanctionAuthor acts on the author of a post without revealing them to
// the moderator: the sanction of an anonymous author is possible without
// a look-up.
func (s *Service) SanctionAuthor(ctx context.Context, actor policy.Actor, postID int64, in Sanction) error {
	v, err := s.access(ctx, actor, OpModerate, objPost, postID)
	if err != nil {
		return err
	}
	p, err := s.Store.CommunityPost(ctx, postID)
	if err != nil {
		return err
	}
	in.PostID, in.Reason = postID, prose(in.Reason)
	var record func() error
	if p.Anonymous {
		// Whatever the moderator learns from the sanction's effects, the
		// author sees on their audit page that it went through this post.
		// Fail closed, as RevealAuthor does.
		record = func() error {
			return s.Audit.Record(ctx, audit.Entry{Action: AuthorSanctioned, ActorID: v.UserID, SubjectID: p.AuthorID,
				ObjectKind: objPost, ObjectID: postID, Detail: string(in.Kind) + ": " + in.Reason})
		}
	}
	return s.sanction(ctx, v, p.AuthorID, in, record)
}

// sanction validates and applies a sanction, logs and notifies it. record,
// when set, runs once the input is valid, before anything else happens.
func (s *Service) sanction(ctx context.Context, v Viewer, memberID int64, in Sanction, record func() error) error {
	if memberID == v.UserID {
		return s.denied(ctx, v, deny(apperr.Forbidden, "自分自身には措置できません。", "self-sanction"), OpModerate, objMember, 0)
	}
	in.Reason = prose(in.Reason)
	fields := map[string]string{}
	if msg := reasonError(in.Reason, true); msg != "" {
		fields["reason"] = msg
	}
	var until *time.Time
	switch in.Kind {
	case ActWarn, ActBan, ActLift:
	case ActSilence, ActSuspend:
		if !in.Until.After(v.Now) || in.Until.After(v.Now.Add(maxSanction)) {
			fields["until"] = "期限は今より後、1年以内の日時を指定してください。"
		}
		t := in.Until.UTC().Truncate(time.Microsecond)
		until = &t
	default:
		fields["kind"] = "措置を選んでください。"
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	if record != nil {
		if err := record(); err != nil {
			return err
		}
	}
	if err := s.staffTarget(ctx, v, memberID); err != nil {
		return err
	}
	m, err := s.Store.CommunityMember(ctx, memberID)
	if err != nil {
		return err
	}
	var title, body string
	switch in.Kind {
	case ActWarn:
		title = "モデレーターから警告がありました"
	case ActSilence:
		m.SilencedUntil = until
		title = "掲示板への投稿が停止されました"
		body = jstTime(*until) + "まで投稿できません（閲覧はできます）。\n"
	case ActSuspend:
		m.SuspendedUntil = until
		title = "掲示板の利用が停止されました"
		body = jstTime(*until) + "まで掲示板を利用できません。\n"
	case ActBan:
		if m.Status == StatusBanned {
			return apperr.E(apperr.Conflict, "すでにBANされています。")
		}
		m.Status, m.BannedAt = StatusBanned, &v.Now
		title = "掲示板の利用が禁止されました"
	case ActLift:
		m.SilencedUntil, m.SuspendedUntil = nil, nil
		if m.Status == StatusBanned {
			m.Status, m.BannedAt = StatusActive, nil
			if m.JoinedAt == nil {
				m.JoinedAt = &v.Now
			}
		}
		title = "掲示板の利用制限が解除されました"
	}
	body += "理由: " + in.Reason
	if in.Kind != ActWarn {
		m.UpdatedAt = v.Now
		if err := s.Store.UpdateCommunityMember(ctx, m); err != nil {
			return err
		}
	}
	if in.Kind == ActBan || in.Kind == ActSuspend {
		if err := s.revokeInvitationsOf(ctx, memberID, v.Now); err != nil {
			return err
		}
	}
	act := &Action{Kind: in.Kind, ModeratorID: v.UserID, MemberID: memberID, PostID: in.PostID, Reason: in.Reason, Until: until,
		CreatedAt: v.Now}
	if err := s.Store.AddCommunityAction(ctx, act); err != nil {
		return err
	}
	s.notify(ctx, memberID, NoteModeration, title, body, noticesLink)
	return nil
}

// staffTarget refuses sanctions on holders of the moderator or admin
// role: moderators do not police each other through the board, only
// admins act on moderators, and nobody acts on admins here.
func (s *Service) staffTarget(ctx context.Context, v Viewer, memberID int64) error {
	grants, err := s.Store.Grants(ctx, memberID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	var moderator, admin bool
	for _, g := range grants {
		moderator = moderator || g.Role == identity.RoleModerator
		admin = admin || g.Role == identity.RoleAdmin
	}
	if admin || (moderator && !v.Admin) {
		return s.denied(ctx, v, deny(apperr.Forbidden, msgStaffTarget, "sanction on a moderator or admin"), OpModerate, objMember, memberID)
	}
	return nil
}

// revokeInvitationsOf revokes the member's open invitations, so that a
// banned or suspended member cannot bring others (or themselves) in.
func (s *Service) revokeInvitationsOf(ctx context.Context, memberID int64, now time.Time) error {
	invs, err := s.Store.CommunityInvitations(ctx, memberID)
	if err != nil {
		return err
	}
	for _, inv := range invs {
		if !inv.Open(now) {
			continue
		}
		if err := s.Store.RevokeCommunityInvitation(ctx, inv.ID, now); err != nil && !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	return nil
}

// RevealAuthor tells a moderator who wrote an anonymous post. It needs a
// reason, is recorded in the audit log about the author (who sees it on
// their audit page) and in the moderation log. Moderators only; NotFound
// for anyone else, so that the post's anonymity is not even confirmed.
func (s *Service) RevealAuthor(ctx context.Context, actor policy.Actor, postID int64, reason string) (*Card, error) {
	v, err := s.access(ctx, actor, OpReveal, objPost, postID)
	if err != nil {
		return nil, err
	}
	reason = prose(reason)
	if msg := reasonError(reason, true); msg != "" {
		return nil, apperr.InvalidFields(map[string]string{"reason": msg})
	}
	p, err := s.Store.CommunityPost(ctx, postID)
	if err != nil {
		return nil, err
	}
	if p.Anonymous {
		// Fail closed: nobody learns the author unless the log says so.
		if err := s.Audit.Record(ctx, audit.Entry{Action: AuthorRevealed, ActorID: v.UserID, SubjectID: p.AuthorID,
			ObjectKind: objPost, ObjectID: postID, Detail: reason}); err != nil {
			return nil, err
		}
		if err := s.Store.AddCommunityAction(ctx, &Action{Kind: ActRevealAuthor, ModeratorID: v.UserID, MemberID: p.AuthorID,
			PostID: postID, Reason: reason, CreatedAt: v.Now}); err != nil {
			return nil, err
		}
	}
	m, err := s.Store.CommunityMember(ctx, p.AuthorID)
	if apperr.Is(err, apperr.NotFound) {
		return &Card{UserID: p.AuthorID, Name: s.userName(ctx, p.AuthorID)}, nil
	}
	if err != nil {
		return nil, err
	}
	return s.cardFor(ctx, m)
}

// ModerationLog returns the latest moderation actions (moderators).
func (s *Service) ModerationLog(ctx context.Context, actor policy.Actor, limit int) ([]ActionView, error) {
	if _, err := s.access(ctx, actor, OpModerate, objBoard, 0); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	acts, err := s.Store.CommunityActions(ctx, 0, limit)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	name := func(id int64) string {
		if _, ok := names[id]; !ok {
			names[id] = s.userName(ctx, id)
		}
		return names[id]
	}
	out := make([]ActionView, 0, len(acts))
	for _, a := range acts {
		av := ActionView{Action: a, ModeratorName: name(a.ModeratorID)}
		anonymous := false
		if a.PostID != 0 {
			if p, err := s.Store.CommunityPost(ctx, a.PostID); err == nil {
				anonymous = p.Anonymous
				av.PostTitle = s.postTitle(ctx, p)
			}
		}
		if anonymous {
			av.MemberID = 0
		} else if a.MemberID != 0 {
			av.MemberName = name(a.MemberID)
		}
		out = append(out, av)
	}
	return out, nil
}

// postTitle is the title of the post's question.
func (s *Service) postTitle(ctx context.Context, p *Post) string {
	if p.Kind == KindQuestion {
		return p.Title
	}
	if q, err := s.Store.CommunityPost(ctx, p.QuestionID); err == nil {
		return q.Title
	}
	return ""
}

// Notices returns the moderation actions about the actor, with their
// reasons, the latest first: what the member sees of why.
func (s *Service) Notices(ctx context.Context, actor policy.Actor) ([]ActionView, error) {
	if actor.Anonymous() {
		return nil, apperr.E(apperr.Unauthorized, "%s", msgLogin)
	}
	acts, err := s.Store.CommunityActions(ctx, actor.UserID, 100)
	if err != nil {
		return nil, err
	}
	out := []ActionView{}
	for _, a := range acts {
		if a.Kind == ActCloseReport || a.Kind == ActTag || a.Kind == ActSettings {
			continue
		}
		// Moderators act for the board; members see the role, not the person.
		av := ActionView{Action: a, ModeratorName: "モデレーター"}
		av.ModeratorID = 0
		if a.PostID != 0 {
			if p, err := s.Store.CommunityPost(ctx, a.PostID); err == nil {
				av.PostTitle = s.postTitle(ctx, p)
			}
		}
		out = append(out, av)
	}
	return out, nil
}
