package events

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/ratelimit"
	"github.com/hakui-dev/hakui/internal/reqinfo"
)

// RegisterRule limits registrations per client (a guest's address, a
// signed-in user) and cancellations through a manage link per client.
var RegisterRule = ratelimit.Rule{Name: "event.register", Limit: 20, Window: time.Hour}

// MailRule limits the e-mails that registrations and cancellations through
// public links send to one address, which nobody confirmed: beyond it the
// action stands but no e-mail goes out.
var MailRule = ratelimit.Rule{Name: "event.mail", Limit: 3, Window: 24 * time.Hour}

const (
	msgRegistrationNotFound = "お申し込みが見つかりません。"
	msgAlreadyMine          = "この研修会にはすでに申し込んでいます。お申し込みは「参加予定の研修会」から確認・キャンセルできます。"
	// msgAddressTaken answers a registration whose address has a live
	// registration without saying so: the address's owner is told by
	// e-mail, with a link to manage it.
	msgAddressTaken = "このメールアドレスでは、いまお申し込みを受け付けられません。お申し込みの状況は、このアドレスあてにお送りするメールでご確認ください。"
)

// RegistrationInput is what a registrant gives.
type RegistrationInput struct {
	Name         string
	Email        string // a guest's; a signed-in user registers with their account's address
	Prefecture   string
	Organisation string
	Role         ParticipantRole
	Attendance   Attendance
}

// Register registers the actor (signed in, or a guest for an open
// event) before the deadline. Venue registrations beyond the capacity
// wait. A confirmation e-mail with an .ics file and the manage link
// (/events/registrations/{token}) goes out (at most MailRule's e-mails a
// day to one guest address). client is the caller's address for the rate
// limit. A signed-in user registers with their account's address (in.Email
// is ignored), once per event. When a live registration has the address,
// the answer does not say so: Conflict with a neutral message, and the
// address is sent a new manage link of that registration, so that its
// owner can cancel one made in their name. It returns the registration
// and the manage token (shown once). Invalid, Forbidden (audience),
// Conflict (already registered, deadline passed), RateLimited.
func (s *Service) Register(ctx context.Context, actor policy.Actor, eventID int64, in RegistrationInput, client string) (*Registration, string, error) {
	e, err := s.Store.Event(ctx, eventID)
	if err != nil {
		return nil, "", notFound(err, msgEventNotFound)
	}
	switch {
	case e.Status == StatusDraft:
		if !policy.Decide(actor, policy.Read, object(e)).Allow {
			return nil, "", apperr.E(apperr.NotFound, msgEventNotFound)
		}
		return nil, "", apperr.E(apperr.Conflict, "公開前の研修会には申し込めません。")
	case e.Status == StatusCancelled:
		return nil, "", apperr.E(apperr.Conflict, "この研修会は中止になりました。")
	case s.now().After(e.RegistrationDeadline):
		return nil, "", apperr.E(apperr.Conflict, "%s", s.refusal(actor, e))
	}
	if reason := s.refusal(actor, e); reason != "" {
		return nil, "", apperr.E(apperr.Forbidden, "%s", reason)
	}
	r, err := s.registration(ctx, actor, e, in)
	if err != nil {
		return nil, "", err
	}
	subject := client
	if !actor.Anonymous() {
		subject = "user:" + itoa(actor.UserID)
	}
	if err := s.Limiter.Allow(ctx, RegisterRule, subject); err != nil {
		return nil, "", err
	}
	if taken, err := s.registeredUser(ctx, actor, e.ID); err != nil || taken {
		if err == nil {
			err = apperr.E(apperr.Conflict, msgAlreadyMine)
		}
		return nil, "", err
	}
	token, hash, err := newToken()
	if err != nil {
		return nil, "", err
	}
	if err := s.Store.CreateRegistration(ctx, r, hash); err != nil {
		if !apperr.Is(err, apperr.Conflict) {
			return nil, "", err
		}
		// The user's own registration made concurrently, or the address's.
		if taken, err := s.registeredUser(ctx, actor, e.ID); err != nil || taken {
			if err == nil {
				err = apperr.E(apperr.Conflict, msgAlreadyMine)
			}
			return nil, "", err
		}
		s.remind(ctx, e, r.Email)
		return nil, "", apperr.E(apperr.Conflict, msgAddressTaken)
	}
	s.tellRegistered(ctx, e, r, token)
	return r, token, nil
}

// registeredUser reports whether the signed-in actor has a live
// registration for the event.
func (s *Service) registeredUser(ctx context.Context, actor policy.Actor, eventID int64) (bool, error) {
	if actor.Anonymous() {
		return false, nil
	}
	mine, err := s.mine(ctx, actor)
	if err != nil {
		return false, err
	}
	return mine[eventID] != nil, nil
}

// remind sends the address a new manage link of its live registration for
// e (the old link stops working: only the token's hash is kept), within
// the address's e-mail limit; failures are logged.
func (s *Service) remind(ctx context.Context, e *Event, address string) {
	if s.Notifier == nil {
		return
	}
	key := jatext.NormalizeEmail(address)
	live, err := s.Store.Registrations(ctx, e.ID, Registered, Waitlisted)
	if err != nil {
		s.log().WarnContext(ctx, "registration reminder not sent", "event", e.ID, "err", err)
		return
	}
	i := slices.IndexFunc(live, func(r Registration) bool { return jatext.NormalizeEmail(r.Email) == key })
	if i < 0 || !s.mailAllowed(ctx, e, live[i].Email) {
		return
	}
	r := &live[i]
	token, hash, err := newToken()
	if err == nil {
		err = s.Store.ReplaceRegistrationToken(ctx, r.ID, hash)
	}
	if err != nil {
		s.log().WarnContext(ctx, "registration reminder not sent", "event", e.ID, "registration", r.ID, "err", err)
		return
	}
	body := "このメールアドレスで、次の研修会へのお申し込みがすでにあります。同じアドレスで改めてお申し込みがありましたので、お知らせします。\n\n" +
		summary(e, r) + "\nお申し込みの確認・キャンセルは次のリンクからできます（以前お送りしたリンクは使えなくなりました）。" +
		"お心当たりのないお申し込みは、このリンクからキャンセルしてください。"
	s.mailTo(ctx, r.Email, "お申し込み内容のご確認: "+e.Title, body, registrationLink(token))
}

// mailAllowed counts an e-mail to an address nobody confirmed under
// MailRule and reports whether it may go out. Over the limit it is
// dropped and logged; when the counter cannot be read it goes out.
func (s *Service) mailAllowed(ctx context.Context, e *Event, address string) bool {
	err := s.Limiter.Allow(ctx, MailRule, jatext.NormalizeEmail(address))
	switch {
	case err == nil:
		return true
	case apperr.Is(err, apperr.RateLimited):
		s.log().WarnContext(ctx, "e-mail to a registrant's address dropped: over the daily limit", "event", e.ID)
		return false
	default:
		s.log().WarnContext(ctx, "e-mail limit not counted", "event", e.ID, "err", err)
		return true
	}
}

// registration validates in for e and returns the registration to store.
func (s *Service) registration(ctx context.Context, actor policy.Actor, e *Event, in RegistrationInput) (*Registration, error) {
	now := s.now()
	r := &Registration{EventID: e.ID, UserID: actor.UserID, Name: in.Name, Prefecture: in.Prefecture,
		Organisation: in.Organisation, Role: in.Role, Attendance: in.Attendance, CreatedAt: now, UpdatedAt: now}
	fields := map[string]string{}
	if msg := checkText(&r.Name, "お名前", true, MaxName); msg != "" {
		fields["name"] = msg
	}
	email := in.Email
	if !actor.Anonymous() {
		// A signed-in user's registration is theirs: their account's
		// address, whatever the form said.
		u, err := s.Store.User(ctx, actor.UserID)
		if err != nil {
			return nil, err
		}
		email = u.Email
	}
	var msg string
	if r.Email, msg = checkEmail(email); msg != "" {
		fields["email"] = msg
	}
	if msg := checkPrefecture(&r.Prefecture); msg != "" {
		fields["prefecture"] = msg
	}
	if msg := checkText(&r.Organisation, "所属", false, MaxOrgName); msg != "" {
		fields["organisation"] = msg
	}
	if !r.Role.Valid() {
		fields["role"] = "役割を選んでください。"
	}
	if r.Attendance == "" {
		switch e.Mode {
		case ModeVenue:
			r.Attendance = AttendVenue
		case ModeOnline:
			r.Attendance = AttendOnline
		}
	}
	switch r.Attendance {
	case AttendVenue:
		if !e.HasVenue() {
			fields["attendance"] = "この研修会はオンラインのみの開催です。"
		}
	case AttendOnline:
		if !e.HasOnline() {
			fields["attendance"] = "この研修会は会場のみの開催です。"
		}
	default:
		fields["attendance"] = "参加方法を「会場」か「オンライン」から選んでください。"
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	return r, nil
}

// RegistrationByToken returns the registration of a manage token and its
// event. NotFound.
func (s *Service) RegistrationByToken(ctx context.Context, token string) (*Registration, *EventView, error) {
	r, e, err := s.byToken(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	var mine *Registration
	if r.Status != Cancelled {
		mine = r
	}
	v, err := s.view(ctx, policy.Actor{}, e, mine)
	if err != nil {
		return nil, nil, err
	}
	return r, v, nil
}

func (s *Service) byToken(ctx context.Context, token string) (*Registration, *Event, error) {
	if token == "" {
		return nil, nil, apperr.E(apperr.NotFound, msgRegistrationNotFound)
	}
	r, err := s.Store.RegistrationByToken(ctx, hashToken(token))
	if err != nil {
		return nil, nil, notFound(err, msgRegistrationNotFound)
	}
	e, err := s.Store.Event(ctx, r.EventID)
	if err != nil {
		return nil, nil, notFound(err, msgRegistrationNotFound)
	}
	return r, e, nil
}

// CancelByToken cancels the registration of a manage token. The earliest
// waitlisted venue registrant moves up and is told. Attempts count under
// RegisterRule per client (the request's address in ctx, package
// reqinfo). RateLimited.
func (s *Service) CancelByToken(ctx context.Context, token string) error {
	if err := s.Limiter.Allow(ctx, RegisterRule, reqinfo.From(ctx).IP); err != nil {
		return err
	}
	r, e, err := s.byToken(ctx, token)
	if err != nil {
		return err
	}
	return s.cancel(ctx, e, r)
}

// Cancel cancels a registration: the registrant themselves (signed in)
// or the organisers.
func (s *Service) Cancel(ctx context.Context, actor policy.Actor, registrationID int64) error {
	r, err := s.Store.Registration(ctx, registrationID)
	if err != nil {
		return notFound(err, msgRegistrationNotFound)
	}
	e, err := s.Store.Event(ctx, r.EventID)
	if err != nil {
		return err
	}
	own := !actor.Anonymous() && r.UserID == actor.UserID
	if !own && !policy.Decide(actor, policy.Update, object(e)).Allow {
		if actor.Anonymous() {
			return apperr.E(apperr.Unauthorized, "ログインしてください。")
		}
		return apperr.E(apperr.NotFound, msgRegistrationNotFound)
	}
	return s.cancel(ctx, e, r)
}

// cancel cancels r and tells the registrant and those who moved up.
func (s *Service) cancel(ctx context.Context, e *Event, r *Registration) error {
	if r.Status == Cancelled {
		return apperr.E(apperr.Conflict, "このお申し込みはすでにキャンセルされています。")
	}
	now := s.now()
	promoted, err := s.Store.CancelRegistration(ctx, r.ID, now)
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return apperr.E(apperr.Conflict, "このお申し込みはすでにキャンセルされています。")
		}
		return err
	}
	r.Status, r.CancelledAt = Cancelled, &now
	s.tellRegistrationCancelled(ctx, e, r)
	for i := range promoted {
		s.tellPromoted(ctx, e, &promoted[i])
	}
	return nil
}

// RegistrationView is a registration with its event's title and times.
type RegistrationView struct {
	Registration
	EventTitle string
	StartsAt   time.Time
	EndsAt     time.Time
}

// MyRegistrations returns the actor's live registrations with their
// events.
func (s *Service) MyRegistrations(ctx context.Context, actor policy.Actor) ([]RegistrationView, error) {
	if actor.Anonymous() {
		return nil, apperr.E(apperr.Unauthorized, "ログインしてください。")
	}
	list, err := s.Store.RegistrationsOf(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	events := map[int64]*Event{}
	views := make([]RegistrationView, 0, len(list))
	for _, r := range list {
		if r.Status == Cancelled {
			continue
		}
		e := events[r.EventID]
		if e == nil {
			if e, err = s.Store.Event(ctx, r.EventID); err != nil {
				return nil, err
			}
			events[r.EventID] = e
		}
		views = append(views, RegistrationView{Registration: r, EventTitle: e.Title, StartsAt: e.StartsAt, EndsAt: e.EndsAt})
	}
	return views, nil
}

// Registrations returns an event's registrations (organisers) of the
// statuses (none: all).
func (s *Service) Registrations(ctx context.Context, actor policy.Actor, eventID int64, statuses ...RegistrationStatus) ([]Registration, error) {
	if _, err := s.load(ctx, actor, policy.Update, eventID); err != nil {
		return nil, err
	}
	return s.Store.Registrations(ctx, eventID, statuses...)
}

// CheckIn records (true) or clears a registrant's check-in at the venue
// or attendance online (organisers).
func (s *Service) CheckIn(ctx context.Context, actor policy.Actor, registrationID int64, present bool) error {
	r, err := s.Store.Registration(ctx, registrationID)
	if err != nil {
		return notFound(err, msgRegistrationNotFound)
	}
	if _, err := s.load(ctx, actor, policy.Update, r.EventID); err != nil {
		return err
	}
	if r.Status != Registered {
		return apperr.E(apperr.Conflict, "出席を記録できるのは参加確定の方だけです（この方は%s）。", r.Status.Label())
	}
	var at *time.Time
	if present {
		now := s.now()
		at = &now
	}
	if err := s.Store.SetCheckedIn(ctx, r.ID, at, actor.UserID); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return apperr.E(apperr.Conflict, "出席を記録できるのは参加確定の方だけです。")
		}
		return err
	}
	return nil
}

// Counts returns an event's figures (organisers).
func (s *Service) Counts(ctx context.Context, actor policy.Actor, eventID int64) (*Counts, error) {
	if _, err := s.load(ctx, actor, policy.Update, eventID); err != nil {
		return nil, err
	}
	return s.Store.EventCounts(ctx, eventID)
}

// newToken returns a token of 32 random bytes (base64url) and its hash.
func newToken() (string, string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", apperr.Wrap(err, "トークンを作成できませんでした。")
	}
	token := base64.RawURLEncoding.EncodeToString(b)
	return token, hashToken(token), nil
}

// hashToken returns the SHA-256 of a token, in hex, as stored.
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
