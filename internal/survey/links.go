package survey

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/ratelimit"
	"github.com/hakui-dev/hakui/internal/reqinfo"
)

// NoteInvited is the notification kind of an event survey invitation.
const NoteInvited = "survey.invited"

// AuditLinksReissued records that an organiser was handed fresh
// invitation links.
const AuditLinksReissued = "survey.links_reissued"

// LinkRule limits the fresh survey links a registrant asks for, per client
// (the request's address with a manage token, the user when signed in).
var LinkRule = ratelimit.Rule{Name: "survey.link", Limit: 20, Window: time.Hour}

// answerPath is the page of an invitation's token.
const answerPath = "/surveys/answer/"

// InvitationLink is a fresh personal link of an invitation, shown once.
type InvitationLink struct {
	Name  string // the registrant's; "" when the registration is gone
	Email string
	Link  string // absolute when the site's address is known
}

// ReissueInvitationLinks gives the organisers (members) fresh links of the
// invitations of an open event survey not yet answered, to hand out to
// guests or where no e-mail is sent: the stored token hashes are replaced,
// so earlier links of those invitations stop working. The links are
// returned once, in invitation order, and the act is audited. Conflict
// when the survey is not open.
func (s *Service) ReissueInvitationLinks(ctx context.Context, actor policy.Actor, surveyID int64) ([]InvitationLink, error) {
	sv, err := s.load(ctx, actor, policy.Update, surveyID)
	if err != nil {
		return nil, err
	}
	if sv.Kind != KindEvent || sv.EventID == 0 {
		return nil, apperr.E(apperr.Conflict, "個別のリンクがあるのは研修会のアンケートだけです。")
	}
	if err := s.accepting(sv); err != nil {
		return nil, err
	}
	invs, err := s.Store.SurveyInvitations(ctx, sv.ID)
	if err != nil {
		return nil, err
	}
	regs, err := s.Store.Registrations(ctx, sv.EventID)
	if err != nil {
		return nil, err
	}
	names := map[int64]string{}
	for _, r := range regs {
		names[r.ID] = r.Name
	}
	tokens, hashes := map[int64]string{}, map[int64]string{}
	for _, inv := range invs {
		if inv.Responded {
			continue
		}
		token, err := newToken(32)
		if err != nil {
			return nil, err
		}
		tokens[inv.ID], hashes[inv.ID] = token, tokenHash(token)
	}
	if len(hashes) == 0 {
		return []InvitationLink{}, nil
	}
	replaced, err := s.Store.ReplaceSurveyInvitationTokens(ctx, sv.ID, hashes)
	if err != nil {
		return nil, err
	}
	done := map[int64]bool{}
	for _, id := range replaced {
		done[id] = true
	}
	links := make([]InvitationLink, 0, len(replaced))
	for _, inv := range invs {
		if done[inv.ID] {
			links = append(links, InvitationLink{Name: names[inv.RegistrationID], Email: inv.Email, Link: s.answerLink(tokens[inv.ID])})
		}
	}
	s.Audit.Try(ctx, audit.Entry{Action: AuditLinksReissued, ActorID: actor.UserID, ObjectKind: string(policy.KindSurvey),
		ObjectID: sv.ID, Detail: sv.Title + "（" + strconv.Itoa(len(links)) + "件）"})
	return links, nil
}

// RegistrantLink gives a registrant a fresh link to the open survey of
// their event they were invited to and have not answered (the latest
// survey first); the invitation's earlier link stops working. The
// registration is the one of a manage token (registrationToken non-empty;
// eventID, when non-zero, must be its event) or the signed-in actor's
// live registration for eventID. Requests count under LinkRule. NotFound
// (no such registration or invitation), Conflict (already answered),
// RateLimited.
func (s *Service) RegistrantLink(ctx context.Context, actor policy.Actor, eventID int64, registrationToken string) (string, error) {
	subject := reqinfo.From(ctx).IP
	if registrationToken == "" {
		if actor.Anonymous() {
			return "", apperr.E(apperr.Unauthorized, "ログインしてください。")
		}
		subject = "user:" + strconv.FormatInt(actor.UserID, 10)
	}
	if err := s.Limiter.Allow(ctx, LinkRule, subject); err != nil {
		return "", err
	}
	reg, err := s.registrant(ctx, actor, eventID, registrationToken)
	if err != nil {
		return "", err
	}
	ev, err := s.Store.Event(ctx, reg.EventID)
	if err != nil {
		return "", err
	}
	list, err := s.Store.Surveys(ctx, ev.OrgID, ev.ID)
	if err != nil {
		return "", err
	}
	answered := false
	for _, sv := range list {
		if sv.Kind != KindEvent || sv.EventID != ev.ID || s.accepting(&sv) != nil {
			continue
		}
		invs, err := s.Store.SurveyInvitations(ctx, sv.ID)
		if err != nil {
			return "", err
		}
		for _, inv := range invs {
			if inv.RegistrationID != reg.ID {
				continue
			}
			if inv.Responded {
				answered = true
				continue
			}
			token, err := newToken(32)
			if err != nil {
				return "", err
			}
			replaced, err := s.Store.ReplaceSurveyInvitationTokens(ctx, sv.ID, map[int64]string{inv.ID: tokenHash(token)})
			if err != nil {
				return "", err
			}
			if len(replaced) == 1 {
				return s.answerLink(token), nil
			}
			answered = true // answered meanwhile
		}
	}
	if answered {
		return "", apperr.E(apperr.Conflict, "アンケートにはすでにご回答いただいています。回答の修正は、回答後に表示されたリンクからできます。")
	}
	return "", apperr.E(apperr.NotFound, "お申し込みに届いている受付中のアンケートはありません。アンケートは出席が記録された方にお送りします。")
}

// registrant returns the live registration of a manage token or of the
// signed-in actor for the event. NotFound.
func (s *Service) registrant(ctx context.Context, actor policy.Actor, eventID int64, token string) (*events.Registration, error) {
	missing := apperr.E(apperr.NotFound, "お申し込みが見つかりません。")
	if token != "" {
		r, err := s.Store.RegistrationByToken(ctx, tokenHash(token))
		if apperr.Is(err, apperr.NotFound) || err == nil && (r.Status == events.Cancelled || eventID != 0 && r.EventID != eventID) {
			return nil, missing
		}
		return r, err
	}
	list, err := s.Store.RegistrationsOf(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].EventID == eventID && list[i].Status != events.Cancelled {
			return &list[i], nil
		}
	}
	return nil, missing
}

// answerLink is the answer page of an invitation token, absolute when the
// site's address is known.
func (s *Service) answerLink(token string) string {
	link := answerPath + token
	if s.Notifier != nil && s.Notifier.BaseURL != nil {
		if base := strings.TrimSuffix(s.Notifier.BaseURL(), "/"); strings.HasPrefix(base, "http://") || strings.HasPrefix(base, "https://") {
			return base + link
		}
	}
	return link
}
