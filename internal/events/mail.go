package events

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/ical"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Notification kinds.
const (
	NoteRegistered = "event.registered"
	NotePromoted   = "event.promoted"
	NoteCancelled  = "event.cancelled"
	NoteRequest    = "event.material_request"
	NoteChanged    = "event.changed"
)

// When returns the date and times from start to end in JST, as pages and
// messages show them: "2026/12/05(土) 13:00〜17:00", with the end's date
// when it ends on another day.
func When(start, end time.Time) string {
	a, b := start.In(career.JST), end.In(career.JST)
	s := a.Format("2006/01/02") + "(" + weekdays[a.Weekday()] + ") " + a.Format("15:04") + "〜"
	if a.Format(time.DateOnly) != b.Format(time.DateOnly) {
		s += b.Format("2006/01/02") + "(" + weekdays[b.Weekday()] + ") "
	}
	return s + b.Format("15:04")
}

// when returns the date and times of e in JST (see When).
func when(e *Event) string { return When(e.StartsAt, e.EndsAt) }

var weekdays = [...]string{"日", "月", "火", "水", "木", "金", "土"}

// eventLink is the page of the event.
func eventLink(e *Event) string { return "/events/" + itoa(e.ID) }

// registrationLink is the manage page of a registration's token.
func registrationLink(token string) string { return "/events/registrations/" + token }

// summary describes e and the registration for a message body. The
// online URL is given to registrants with a place only.
func summary(e *Event, r *Registration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "研修会: %s\n主催: %s\n日時: %s\n形式: %s\n", e.Title, e.OrgName, when(e), e.Mode.Label())
	if e.HasVenue() {
		fmt.Fprintf(&b, "会場: %s\n", e.Venue)
	}
	if r != nil {
		fmt.Fprintf(&b, "お名前: %s\n参加方法: %s\n状況: %s\n", r.Name, r.Attendance.Label(), r.Status.Label())
		if r.Status == Registered && e.HasOnline() && e.OnlineURL != "" {
			fmt.Fprintf(&b, "オンライン参加のURL: %s\n", e.OnlineURL)
		}
	}
	return b.String()
}

// calendar returns the event as an .ics attachment for r: a request, or a
// cancellation when the event or the registration is cancelled. Nil when
// no organizer address is known (no e-mail is configured).
func (s *Service) calendar(ctx context.Context, e *Event, r *Registration) []notify.Attachment {
	data, method, err := s.ics(ctx, e, r)
	if err != nil {
		s.log().WarnContext(ctx, "event calendar not attached", "event", e.ID, "registration", r.ID, "err", err)
		return nil
	}
	if data == nil {
		return nil
	}
	return []notify.Attachment{{Filename: "event.ics", ContentType: method.ContentType(), Data: data}}
}

// ics returns the .ics of e for the registration r, or for anyone (r nil):
// a request (internal/ical writes no PUBLISH), or a cancellation when the
// event or the registration is cancelled. Its sequence is the event's
// version, plus the registration's beyond its first for a registration's
// entry, so that any update of either replaces the entry. The location is the
// venue or "オンライン", never the online URL; the event's URL is
// absolute (the notifier's BaseURL) or left out. Nil data when no
// organizer address is known.
func (s *Service) ics(ctx context.Context, e *Event, r *Registration) ([]byte, ical.Method, error) {
	organizer := s.organizer(ctx, e)
	if organizer.Email == "" {
		return nil, "", nil
	}
	method := ical.MethodRequest
	if e.Status == StatusCancelled || r != nil && r.Status == Cancelled {
		method = ical.MethodCancel
	}
	location := e.Venue
	if !e.HasVenue() || r != nil && r.Attendance == AttendOnline {
		location = "オンライン"
	}
	uid := fmt.Sprintf("event-%d@hakui", e.ID)
	sequence := e.Version
	description := "形式: " + e.Mode.Label()
	if r != nil {
		uid = fmt.Sprintf("event-%d-registration-%d@hakui", e.ID, r.ID)
		// Both versions only grow, so a promotion or a cancellation of
		// the registration replaces its entry as an event update does.
		sequence = e.Version + r.Version - 1
		description += "\n参加方法: " + r.Attendance.Label()
	}
	description += "\n主催: " + e.OrgName
	cal := ical.Calendar{ProdID: "-//Hakui//Events//JA", Method: method, Event: ical.Event{
		UID: uid, Sequence: sequence, Stamp: s.now(), Start: e.StartsAt, End: e.EndsAt, Summary: e.Title,
		Location: location, Organizer: organizer, Description: description,
	}}
	if base := s.baseURL(); base != "" {
		cal.Event.URL = base + eventLink(e)
	}
	if r != nil && ical.ValidAddress(r.Email) {
		cal.Event.Attendees = []ical.Person{{Name: r.Name, Email: r.Email}}
	}
	if method != ical.MethodCancel && r != nil && r.Status == Waitlisted {
		cal.Event.Status = ical.StatusTentative
		cal.Event.Description += "\nキャンセル待ちです。参加が確定したらお知らせします。"
	}
	data, err := ical.Marshal(cal)
	if err != nil {
		return nil, "", err
	}
	return data, method, nil
}

// baseURL is the public address of the site without a trailing slash;
// "" when unknown.
func (s *Service) baseURL() string {
	if s.Notifier == nil || s.Notifier.BaseURL == nil {
		return ""
	}
	base := strings.TrimSuffix(s.Notifier.BaseURL(), "/")
	if !strings.HasPrefix(base, "https://") && !strings.HasPrefix(base, "http://") {
		return ""
	}
	return base
}

// organizer is the sender of the calendar: the mail sender's address
// under the organisation's name.
func (s *Service) organizer(ctx context.Context, e *Event) ical.Person {
	if s.Notifier != nil {
		if a, err := mail.ParseAddress(s.Notifier.SMTP.From); err == nil && ical.ValidAddress(a.Address) {
			return ical.Person{Name: e.OrgName, Email: a.Address}
		}
	}
	if u, err := s.Store.User(ctx, e.CreatedBy); err == nil && ical.ValidAddress(u.Email) {
		return ical.Person{Name: e.OrgName, Email: u.Email}
	}
	return ical.Person{}
}

// tell sends a registrant a message: in the app (and by e-mail) to a
// signed-in user, by e-mail to a guest. A guest's e-mail caused through a
// public link (limited) counts under MailRule and is dropped over it.
// Failures are logged: the action that caused the message stands.
func (s *Service) tell(ctx context.Context, e *Event, r *Registration, limited bool, kind, title, body, link string) {
	if s.Notifier == nil {
		return
	}
	if limited && r.UserID == 0 && !s.mailAllowed(ctx, e, r.Email) {
		return
	}
	atts := s.calendar(ctx, e, r)
	var err error
	if r.UserID != 0 {
		err = s.Notifier.Notify(ctx, &notify.Notification{UserID: r.UserID, Kind: kind, Title: title, Body: body,
			Link: eventLink(e), Attachments: atts})
	} else {
		err = s.Notifier.MailTo(ctx, r.Email, title, body, link, atts...)
	}
	if err != nil {
		s.log().WarnContext(ctx, "registrant not told", "event", e.ID, "registration", r.ID, "kind", kind, "err", err)
	}
}

// tellRegistered confirms a new registration, with the manage link.
func (s *Service) tellRegistered(ctx context.Context, e *Event, r *Registration, token string) {
	title := "参加登録を受け付けました: " + e.Title
	body := "以下の内容で参加登録を受け付けました。\n\n" + summary(e, r)
	if r.Status == Waitlisted {
		title = "キャンセル待ちで受け付けました: " + e.Title
		body = "会場が満席のため、キャンセル待ちで受け付けました。空きが出ると申込順に繰り上がり、お知らせします。\n\n" + summary(e, r)
	}
	body += "\nお申し込みの確認・キャンセルは次のリンクからできます。"
	s.tell(ctx, e, r, true, NoteRegistered, title, body, registrationLink(token))
}

// tellPromoted tells a registrant who moved up from the waiting list.
func (s *Service) tellPromoted(ctx context.Context, e *Event, r *Registration) {
	s.tell(ctx, e, r, false, NotePromoted, "キャンセル待ちから参加確定になりました: "+e.Title,
		"会場に空きが出たため、キャンセル待ちから参加確定になりました。\n\n"+summary(e, r), eventLink(e))
}

// tellCancelled tells a registrant that the event was cancelled.
func (s *Service) tellCancelled(ctx context.Context, e *Event, r *Registration) {
	s.tell(ctx, e, r, false, NoteCancelled, "研修会は中止になりました: "+e.Title,
		"お申し込みいただいた研修会は中止になりました。ご了承ください。\n\n"+summary(e, nil), eventLink(e))
}

// tellChanged tells a registrant what changed in the event, with the
// updated calendar.
func (s *Service) tellChanged(ctx context.Context, e *Event, r *Registration, changes []string) {
	body := "お申し込みの研修会の内容が変更になりました。\n\n変更点:\n" + strings.Join(changes, "\n") +
		"\n\n変更後の内容:\n" + summary(e, r)
	s.tell(ctx, e, r, true, NoteChanged, "研修会の内容が変更になりました: "+e.Title, body, eventLink(e))
}

// changes describes in Japanese what changed from old to e that a
// registrant must know: the times, the venue, the mode and the online URL
// (which is not repeated: the summary gives it to those with a place).
func changes(old, e *Event) []string {
	var list []string
	if !old.StartsAt.Equal(e.StartsAt) || !old.EndsAt.Equal(e.EndsAt) {
		list = append(list, "・日時: "+when(old)+" → "+when(e))
	}
	if old.Mode != e.Mode {
		list = append(list, "・形式: "+old.Mode.Label()+" → "+e.Mode.Label())
	}
	if old.Venue != e.Venue {
		from, to := old.Venue, e.Venue
		if from == "" {
			from = "なし"
		}
		if to == "" {
			to = "なし"
		}
		list = append(list, "・会場: "+from+" → "+to)
	}
	if old.OnlineURL != e.OnlineURL && e.OnlineURL != "" {
		list = append(list, "・オンライン参加のURLが変わりました。")
	}
	return list
}

// tellRegistrationCancelled confirms a cancellation to the registrant.
func (s *Service) tellRegistrationCancelled(ctx context.Context, e *Event, r *Registration) {
	s.tell(ctx, e, r, true, NoteCancelled, "参加登録をキャンセルしました: "+e.Title,
		"参加登録をキャンセルしました。\n\n"+summary(e, nil), eventLink(e))
}

// mailTo sends an e-mail to an address; failures are logged.
func (s *Service) mailTo(ctx context.Context, address, title, body, link string) {
	if s.Notifier == nil {
		return
	}
	if err := s.Notifier.MailTo(ctx, address, title, body, link); err != nil {
		s.log().WarnContext(ctx, "e-mail not queued", "title", title, "err", err)
	}
}

// Calendar returns the .ics file of an event to add to a calendar. With
// a registration's manage token (token non-empty) it is that
// registration's entry, the one its e-mails carry (a cancellation once it
// or the event is cancelled; eventID, when non-zero, must be its event);
// without, the event's own entry, for a published event (or anyone who
// may read it, such as its organisers).
// The location is the venue or "オンライン", never the online URL.
// NotFound; Conflict when no organizer address is known to write it.
func (s *Service) Calendar(ctx context.Context, actor policy.Actor, eventID int64, token string) ([]byte, error) {
	var e *Event
	var r *Registration
	if token != "" {
		var err error
		if r, e, err = s.byToken(ctx, token); err != nil {
			return nil, err
		}
		if eventID != 0 && e.ID != eventID {
			return nil, apperr.E(apperr.NotFound, msgRegistrationNotFound)
		}
	} else {
		var err error
		if e, err = s.Store.Event(ctx, eventID); err != nil {
			return nil, notFound(err, msgEventNotFound)
		}
		if err := s.Guard.Check(ctx, actor, policy.Read, object(e)); err != nil {
			return nil, apperr.E(apperr.NotFound, msgEventNotFound)
		}
	}
	data, _, err := s.ics(ctx, e, r)
	if err != nil {
		return nil, apperr.Wrap(err, "カレンダーのファイルを作れませんでした。")
	}
	if data == nil {
		return nil, apperr.E(apperr.Conflict, "主催者の連絡先がないため、カレンダーのファイルを作れません。")
	}
	return data, nil
}
