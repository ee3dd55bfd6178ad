package events

import (
	"context"
	"fmt"
	"net/mail"
	"strings"

	"github.com/hakui-dev/hakui/internal/ical"
	"github.com/hakui-dev/hakui/internal/notify"
)

// Notification kinds.
const (
	NoteRegistered = "event.registered"
	NotePromoted   = "event.promoted"
	NoteCancelled  = "event.cancelled"
	NoteRequest    = "event.material_request"
)

// when returns the date and times of e in JST, e.g.
// "2026年12月5日(土) 13:00〜17:00".
func when(e *Event) string {
	start, end := e.StartsAt.In(jst), e.EndsAt.In(jst)
	s := start.Format("2006年1月2日") + "(" + weekdays[start.Weekday()] + ") " + start.Format("15:04") + "〜"
	if end.Format("20060102") != start.Format("20060102") {
		s += end.Format("2006年1月2日") + "(" + weekdays[end.Weekday()] + ") "
	}
	return s + end.Format("15:04")
}

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
	organizer := s.organizer(ctx, e)
	if organizer.Email == "" {
		return nil
	}
	method := ical.MethodRequest
	if e.Status == StatusCancelled || r.Status == Cancelled {
		method = ical.MethodCancel
	}
	location := e.Venue
	if !e.HasVenue() || r.Attendance == AttendOnline {
		location = "オンライン"
	}
	cal := ical.Calendar{ProdID: "-//Hakui//Events//JA", Method: method, Event: ical.Event{
		UID: fmt.Sprintf("event-%d-registration-%d@hakui", e.ID, r.ID), Sequence: e.Version, Stamp: s.now(),
		Start: e.StartsAt, End: e.EndsAt, Summary: e.Title, Location: location, Organizer: organizer,
		Description: "形式: " + e.Mode.Label() + "\n参加方法: " + r.Attendance.Label() + "\n主催: " + e.OrgName,
	}}
	if s.Notifier.BaseURL != nil {
		cal.Event.URL = strings.TrimSuffix(s.Notifier.BaseURL(), "/") + eventLink(e)
	}
	if ical.ValidAddress(r.Email) {
		cal.Event.Attendees = []ical.Person{{Name: r.Name, Email: r.Email}}
	}
	switch {
	case method == ical.MethodCancel:
	case r.Status == Waitlisted:
		cal.Event.Status = ical.StatusTentative
		cal.Event.Description += "\nキャンセル待ちです。参加が確定したらお知らせします。"
	}
	data, err := ical.Marshal(cal)
	if err != nil {
		s.log().WarnContext(ctx, "event calendar not attached", "event", e.ID, "registration", r.ID, "err", err)
		return nil
	}
	return []notify.Attachment{{Filename: "event.ics", ContentType: method.ContentType(), Data: data}}
}

// organizer is the sender of the calendar: the mail sender's address
// under the organisation's name.
func (s *Service) organizer(ctx context.Context, e *Event) ical.Person {
	if a, err := mail.ParseAddress(s.Notifier.SMTP.From); err == nil && ical.ValidAddress(a.Address) {
		return ical.Person{Name: e.OrgName, Email: a.Address}
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
