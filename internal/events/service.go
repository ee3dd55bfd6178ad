package events

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/ratelimit"
)

// Service runs the events.
type Service struct {
	Store    Store
	Guard    *guard.Guard
	Audit    *audit.Recorder
	Notifier *notify.Notifier // nil: no confirmations are sent
	Limiter  *ratelimit.Limiter
	Log      *slog.Logger
	Now      func() time.Time
}

// EventInput creates or updates an event. Times are instants; pages read
// them in JST.
type EventInput struct {
	Title                string
	Description          string
	StartsAt             time.Time
	EndsAt               time.Time
	Mode                 Mode
	Venue                string
	VenueCapacity        int // 0: no limit
	OnlineURL            string
	RegistrationDeadline time.Time
	Audience             Audience
	AudienceOrgs         []int64
	AudienceRoles        []string // identity.Role values
	Talks                []Talk
	Version              int // updates only
}

// CreateEvent creates a draft event of the organisation (its members).
// Invalid with per-field Japanese errors.
func (s *Service) CreateEvent(ctx context.Context, actor policy.Actor, orgID int64, in EventInput) (*Event, error) {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindEvent, OrgID: orgID}); err != nil {
		return nil, err
	}
	org, err := s.Store.Organisation(ctx, orgID)
	if err != nil {
		return nil, notFound(err, "組織が見つかりません。")
	}
	now := s.now()
	e := &Event{OrgID: orgID, OrgName: org.Name, Status: StatusDraft, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.applyInput(ctx, e, in); err != nil {
		return nil, err
	}
	if err := s.Store.CreateEvent(ctx, e); err != nil {
		return nil, err
	}
	return e, nil
}

// UpdateEvent changes an event (its organisation's members). A larger
// venue capacity moves waitlisted registrants up; a capacity below the
// registered venue places is Invalid ("venue_capacity"), and so is
// dropping the venue while live venue registrations exist ("mode"). When the times, the venue, the mode
// or the online URL of a published event change, every live registrant is
// told what changed, with the updated calendar (in the app for users, by
// e-mail within MailRule for guests). Conflict when stale.
func (s *Service) UpdateEvent(ctx context.Context, actor policy.Actor, id int64, in EventInput) (*Event, error) {
	e, err := s.load(ctx, actor, policy.Update, id)
	if err != nil {
		return nil, err
	}
	old := *e
	oldCapacity := capacityOf(e)
	if err := s.applyInput(ctx, e, in); err != nil {
		return nil, err
	}
	// The store checks, under the event's lock, that the venue keeps the
	// places its registrations hold (Invalid on "venue_capacity" or
	// "mode").
	e.Version = in.Version
	e.UpdatedAt = s.now()
	if err := s.Store.UpdateEvent(ctx, e); err != nil {
		return nil, stale(err)
	}
	updated, err := s.Store.Event(ctx, id)
	if err != nil {
		return nil, err
	}
	// Only a venue that grew moves its waiting list up: an event without
	// one has no places to give.
	if newCapacity := capacityOf(updated); updated.HasVenue() && oldCapacity > 0 && (newCapacity == 0 || newCapacity > oldCapacity) {
		promoted, err := s.Store.PromoteWaitlisted(ctx, updated.ID, s.now())
		if err != nil {
			return nil, err
		}
		for i := range promoted {
			s.tellPromoted(ctx, updated, &promoted[i])
		}
	}
	if list := changes(&old, updated); updated.Status == StatusPublished && len(list) > 0 {
		live, err := s.Store.Registrations(ctx, updated.ID, Registered, Waitlisted)
		if err != nil {
			return nil, err
		}
		for i := range live {
			s.tellChanged(ctx, updated, &live[i], list)
		}
	}
	return updated, nil
}

// SetStatus publishes or cancels an event. Cancelling tells every live
// registrant. Conflict when stale.
func (s *Service) SetStatus(ctx context.Context, actor policy.Actor, id int64, status Status, version int) error {
	e, err := s.load(ctx, actor, policy.Update, id)
	if err != nil {
		return err
	}
	if status != StatusPublished && status != StatusCancelled {
		return apperr.InvalidFields(map[string]string{"status": "状態は「公開」か「中止」を選んでください。"})
	}
	switch {
	case e.Version != version:
		return errStale
	case e.Status == status:
		return nil
	case e.Status == StatusCancelled:
		return apperr.E(apperr.Conflict, "中止した研修会は公開し直せません。")
	}
	e.Status = status
	e.UpdatedAt = s.now()
	if err := s.Store.UpdateEvent(ctx, e); err != nil {
		return stale(err)
	}
	if status == StatusCancelled {
		live, err := s.Store.Registrations(ctx, e.ID, Registered, Waitlisted)
		if err != nil {
			return err
		}
		for i := range live {
			s.tellCancelled(ctx, e, &live[i])
		}
	}
	return nil
}

// EventView is an event as the actor sees it.
type EventView struct {
	Event
	CanManage bool // a member of the organising organisation
	// CanRegister is false after the deadline, when cancelled, and for
	// actors outside the audience; Reason says why in Japanese.
	CanRegister bool
	Reason      string
	Mine        *Registration // the signed-in actor's live registration
	Counts      Counts        // registered, venue, waitlisted … (venue places left is public)
	PlacesLeft  int           // venue places left; -1: no limit
}

// Event returns an event. Published events are public (the online URL is
// cleared unless the actor registered or manages it); drafts are for
// the organisation. NotFound otherwise.
func (s *Service) Event(ctx context.Context, actor policy.Actor, id int64) (*EventView, error) {
	e, err := s.Store.Event(ctx, id)
	if err != nil {
		return nil, notFound(err, msgEventNotFound)
	}
	mine, err := s.mine(ctx, actor)
	if err != nil {
		return nil, err
	}
	// A registrant still sees a cancelled event; anyone else outside the
	// organisation finds no event that is not published.
	if mine[e.ID] == nil || e.Status == StatusDraft {
		if err := s.Guard.Check(ctx, actor, policy.Read, object(e)); err != nil {
			return nil, apperr.E(apperr.NotFound, msgEventNotFound)
		}
	}
	return s.view(ctx, actor, e, mine[e.ID])
}

// Events returns published upcoming events anyone may see, plus the
// organisation's own drafts when f.OrgID is the actor's.
func (s *Service) Events(ctx context.Context, actor policy.Actor, f EventFilter) ([]EventView, error) {
	if f.OrgID == 0 || !policy.Decide(actor, policy.Update, policy.Object{Kind: policy.KindEvent, OrgID: f.OrgID}).Allow {
		f.Statuses = []Status{StatusPublished}
		if f.From.IsZero() {
			f.From = s.now()
		}
	}
	list, err := s.Store.Events(ctx, f)
	if err != nil {
		return nil, err
	}
	mine, err := s.mine(ctx, actor)
	if err != nil {
		return nil, err
	}
	views := make([]EventView, 0, len(list))
	for i := range list {
		v, err := s.view(ctx, actor, &list[i], mine[list[i].ID])
		if err != nil {
			return nil, err
		}
		views = append(views, *v)
	}
	return views, nil
}

// view builds what the actor sees of e.
func (s *Service) view(ctx context.Context, actor policy.Actor, e *Event, mine *Registration) (*EventView, error) {
	counts, err := s.Store.EventCounts(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	v := &EventView{Event: *e, Mine: mine, Counts: *counts, PlacesLeft: -1,
		CanManage: policy.Decide(actor, policy.Update, object(e)).Allow}
	if cap := capacityOf(e); cap > 0 {
		v.PlacesLeft = max(0, cap-counts.Venue)
	}
	if !v.CanManage {
		v.Counts.ByPrefecture, v.Counts.ByRole = nil, nil
		if mine == nil || mine.Status != Registered {
			v.OnlineURL = ""
		}
	}
	v.Reason = s.refusal(actor, e)
	if v.Reason == "" && mine != nil {
		v.Reason = "お申し込み済みです（" + mine.Status.Label() + "）。"
	}
	v.CanRegister = v.Reason == ""
	return v, nil
}

// mine returns the signed-in actor's live registrations by event.
func (s *Service) mine(ctx context.Context, actor policy.Actor) (map[int64]*Registration, error) {
	m := map[int64]*Registration{}
	if actor.Anonymous() {
		return m, nil
	}
	list, err := s.Store.RegistrationsOf(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	for i := range list {
		if list[i].Status != Cancelled {
			m[list[i].EventID] = &list[i]
		}
	}
	return m, nil
}

// refusal says in Japanese why the actor may not register for e now;
// "" when they may.
func (s *Service) refusal(actor policy.Actor, e *Event) string {
	switch {
	case e.Status == StatusCancelled:
		return "この研修会は中止になりました。"
	case e.Status != StatusPublished:
		return "この研修会はまだ公開されていません。"
	case s.now().After(e.RegistrationDeadline):
		return "申込締切（" + e.RegistrationDeadline.In(career.JST).Format("2006年1月2日 15:04") + "）を過ぎています。"
	}
	switch e.Audience {
	case AudienceOrganisations:
		if slices.ContainsFunc(e.AudienceOrgs, actor.MemberOf) {
			return ""
		}
		if actor.Anonymous() {
			return "この研修会は指定した組織の方のみお申し込みいただけます。ログインしてください。"
		}
		return "この研修会は指定した組織の方のみお申し込みいただけます。"
	case AudienceRoles:
		labels := make([]string, len(e.AudienceRoles))
		for i, r := range e.AudienceRoles {
			if actor.Has(r) {
				return ""
			}
			labels[i] = r.Label()
		}
		msg := "この研修会は次の役割の方のみお申し込みいただけます: " + strings.Join(labels, "、") + "。"
		if actor.Anonymous() {
			msg += "ログインしてください。"
		}
		return msg
	}
	return ""
}

// load returns the event after checking the action. A draft is NotFound
// to those who may not act on it, so that its existence stays hidden.
func (s *Service) load(ctx context.Context, actor policy.Actor, action policy.Action, id int64) (*Event, error) {
	e, err := s.Store.Event(ctx, id)
	if err != nil {
		return nil, notFound(err, msgEventNotFound)
	}
	if err := s.Guard.Check(ctx, actor, action, object(e)); err != nil {
		if e.Status != StatusPublished {
			return nil, apperr.E(apperr.NotFound, msgEventNotFound)
		}
		return nil, err
	}
	return e, nil
}

// object is the event as the policy sees it.
func object(e *Event) policy.Object {
	return policy.Object{Kind: policy.KindEvent, ID: e.ID, OrgID: e.OrgID, Public: e.Status == StatusPublished}
}

// capacityOf returns the venue places of e; 0 for no limit (or no venue).
func capacityOf(e *Event) int {
	if !e.HasVenue() {
		return 0
	}
	return e.VenueCapacity
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

const msgEventNotFound = "研修会が見つかりません。"

var errStale = apperr.E(apperr.Conflict, "ほかの人が先に更新しました。再読み込みしてからやり直してください。")

// notFound gives a NotFound error of the store a Japanese message.
func notFound(err error, msg string) error {
	if apperr.Is(err, apperr.NotFound) {
		return apperr.E(apperr.NotFound, "%s", msg)
	}
	return err
}

// stale gives a Conflict of the store the message of a stale version.
func stale(err error) error {
	if apperr.Is(err, apperr.Conflict) {
		return errStale
	}
	return err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
