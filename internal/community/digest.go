package community

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/hakui-dev/hakui/internal/markdown"
	"github.com/hakui-dev/hakui/internal/notify"
)

// excerptRunes is the length of a post's excerpt in notifications and
// webhook posts.
const excerptRunes = 120

// notify tells a user about the board. The member's digest choice decides
// whether the e-mail goes now; moderation notices and application
// decisions always go by e-mail, since the member must learn why. A
// failure is logged: the action it reports has happened.
func (s *Service) notify(ctx context.Context, userID int64, kind, title, body, link string) {
	if s.Notifier == nil || userID == 0 {
		return
	}
	inApp := true
	if kind == NoteModeration || kind == NoteApplication {
		inApp = false
	} else if m, err := s.Store.CommunityMember(ctx, userID); err == nil && m.Digest == DigestImmediate {
		inApp = false
	}
	n := &notify.Notification{UserID: userID, Kind: kind, Title: title, Body: body, Link: link, InAppOnly: inApp}
	if err := s.Notifier.Notify(ctx, n); err != nil {
		s.log().ErrorContext(ctx, "community notification failed", "user", userID, "kind", kind, "err", err)
	}
}

// mailedAtOnce reports whether a notification kind was e-mailed when it
// was made, so the digest leaves it out.
func mailedAtOnce(kind string) bool { return kind == NoteModeration || kind == NoteApplication }

// questionLink is the page of a post in its thread.
func questionLink(p *Post) string {
	if p.Kind == KindQuestion {
		return fmt.Sprintf("/community/questions/%d", p.ID)
	}
	return fmt.Sprintf("/community/questions/%d#post-%d", p.QuestionID, p.ID)
}

// authorLabel names a post's author in texts others read.
func (s *Service) authorLabel(ctx context.Context, p *Post) string {
	if p.Anonymous {
		return AnonymousName
	}
	if name := s.userName(ctx, p.AuthorID); name != "" {
		return name + " 先生"
	}
	return "会員"
}

// announce tells others that a post became visible: the asker of a new
// answer, the author of the post commented on, the webhooks of a new
// question. Never the author themselves.
func (s *Service) announce(ctx context.Context, p *Post) {
	switch p.Kind {
	case KindQuestion:
		s.postWebhook(ctx, p)
	case KindAnswer:
		q, err := s.Store.CommunityPost(ctx, p.QuestionID)
		if err != nil {
			s.log().ErrorContext(ctx, "community question not found", "post", p.ID, "err", err)
			return
		}
		if q.AuthorID != p.AuthorID {
			s.notify(ctx, q.AuthorID, NoteAnswer, "あなたの質問に回答がありました: "+q.Title,
				s.authorLabel(ctx, p)+"が回答しました。\n\n"+markdown.Excerpt(p.Body, excerptRunes), questionLink(p))
		}
	case KindComment:
		parent, err := s.Store.CommunityPost(ctx, p.ParentID)
		if err != nil {
			s.log().ErrorContext(ctx, "community parent post not found", "post", p.ID, "err", err)
			return
		}
		if parent.AuthorID != p.AuthorID {
			s.notify(ctx, parent.AuthorID, NoteComment, "あなたの"+parent.Kind.Label()+"にコメントがありました",
				s.authorLabel(ctx, p)+"がコメントしました。\n\n"+markdown.Excerpt(p.Body, excerptRunes), questionLink(p))
		}
	}
}

// postWebhook posts a new question to the platform organisation's rooms,
// without its author. A failure is logged and never fails the post.
func (s *Service) postWebhook(ctx context.Context, q *Post) {
	if s.Webhooks == nil {
		return
	}
	org, err := s.Store.PlatformOrgID(ctx)
	if err != nil {
		s.log().WarnContext(ctx, "community webhook: no platform organisation", "post", q.ID, "err", err)
		return
	}
	body := markdown.Excerpt(q.Body, excerptRunes)
	if len(q.Tags) > 0 {
		body += "\nタグ: " + strings.Join(q.Tags, "、")
	}
	if err := s.Webhooks.PostToOrg(ctx, org, "掲示板に新しい質問: "+q.Title, body, questionLink(q)); err != nil {
		s.log().WarnContext(ctx, "community webhook failed", "post", q.ID, "err", err)
	}
}

// SendDigests sends each daily-digest member one e-mail with the board's
// notifications since their last digest, and returns how many went out.
// It runs once a day from the job queue.
func (s *Service) SendDigests(ctx context.Context) (int, error) {
	if s.Notifier == nil || s.Notifier.SMTP.Addr == "" {
		// Without e-mail the notifications wait in the app; a digest
		// marked as sent would skip them once e-mail is configured.
		return 0, nil
	}
	members, err := s.Store.CommunityDigestDue(ctx)
	if err != nil {
		return 0, err
	}
	now, sent := s.now(), 0
	base := ""
	if s.Notifier.BaseURL != nil {
		base = s.Notifier.BaseURL()
	}
	for _, m := range members {
		since := m.AppliedAt
		switch {
		case m.DigestSentAt != nil:
			since = *m.DigestSentAt
		case m.JoinedAt != nil:
			since = *m.JoinedAt
		}
		notes, err := s.Store.NotificationsSince(ctx, m.UserID, KindPrefix, since, digestItemsPerMail)
		if err != nil {
			return sent, err
		}
		upTo, more := now, len(notes) == digestItemsPerMail
		if more {
			// More are waiting: they go in tomorrow's digest. The next one
			// starts after the last time sent, so notes sharing the page's
			// last time wait with them rather than be skipped.
			upTo = notes[len(notes)-1].CreatedAt
			if cut := slices.IndexFunc(notes, func(n notify.Notification) bool { return n.CreatedAt.Equal(upTo) }); cut > 0 {
				notes, upTo = notes[:cut], notes[cut-1].CreatedAt
			}
		}
		var b strings.Builder
		n := 0
		for _, note := range notes {
			if mailedAtOnce(note.Kind) || note.ReadAt != nil {
				continue // mailed already, or seen in the app
			}
			n++
			fmt.Fprintf(&b, "・%s\r\n", note.Title)
			if note.Link != "" {
				link := note.Link
				if strings.HasPrefix(link, "/") {
					link = base + link
				}
				fmt.Fprintf(&b, "  %s\r\n", link)
			}
		}
		if more {
			b.WriteString("\r\nほかのお知らせは次回のまとめでお送りします。\r\n")
		}
		if n > 0 {
			if err := s.Notifier.Mail(ctx, m.UserID, fmt.Sprintf("掲示板のお知らせ（%d件）", n), b.String(), "/community"); err != nil {
				return sent, err
			}
			sent++
		}
		if n > 0 || len(notes) > 0 {
			if err := s.Store.MarkCommunityDigestSent(ctx, m.UserID, upTo); err != nil {
				return sent, err
			}
		}
	}
	return sent, nil
}
