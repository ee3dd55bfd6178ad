// Package notify tells users about what concerns them: an in-app
// notification list, and e-mail when an SMTP server is configured. E-mail
// goes through the job queue (package jobs) and each message is recorded
// as a Delivery, so a mail server that is down delays mail but never fails
// or loses the action that caused it.
package notify

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jobs"
)

// KindEmail is the job kind that sends one e-mail.
const KindEmail = "notify.email"

// Notification is one entry of a user's in-app list.
type Notification struct {
	ID        int64
	UserID    int64
	Kind      string
	Title     string
	Body      string
	Link      string
	CreatedAt time.Time
	ReadAt    *time.Time
	// Attachments go with the e-mail only; the in-app list does not keep
	// them. An invitation attaches an .ics file (ContentType
	// "text/calendar; method=REQUEST; charset=UTF-8").
	Attachments []Attachment
	// InAppOnly records the notification without its e-mail: the user
	// chose a digest, or no e-mail for its kind. It is not stored.
	InAppOnly bool
}

// Store keeps notifications and their e-mail deliveries.
type Store interface {
	CreateNotification(ctx context.Context, n *Notification) error
	User(ctx context.Context, id int64) (*identity.User, error)
	DeliveryStore
}

// Inbox reads and marks a user's own notifications.
type Inbox interface {
	Notifications(ctx context.Context, userID int64, limit int) ([]Notification, error)
	MarkNotificationsRead(ctx context.Context, userID int64) error
}

// Notifier records notifications and queues their e-mail.
type Notifier struct {
	Store   Store
	SMTP    SMTP
	BaseURL func() string
	Log     *slog.Logger
	// Jobs queues the e-mail. Without it no e-mail is sent: Notify logs a
	// warning and records the in-app notification only.
	Jobs *jobs.Queue
}

// Register adds the e-mail handler to the worker.
func (n *Notifier) Register(w *jobs.Worker) {
	w.Handle(KindEmail, Deliver(n.Store, n.log(), n.sendJob))
}

// Notify records note for its user and, when SMTP is configured and the
// user has an address, queues its e-mail. Only a failure to record the
// notification is returned: an e-mail that cannot be queued is logged.
func (n *Notifier) Notify(ctx context.Context, note *Notification) error {
	if err := n.Store.CreateNotification(ctx, note); err != nil {
		return err
	}
	if n.SMTP.Addr == "" || note.InAppOnly {
		return nil
	}
	if err := n.queueMail(ctx, note); err != nil {
		n.log().WarnContext(ctx, "notification e-mail not queued", "user", note.UserID, "notification", note.ID, "err", err)
	}
	return nil
}

// Mail queues an e-mail to the user that goes with no single
// notification (a digest of several). The text is plain; the link, when
// given, is made absolute and appended. Without an SMTP server it does
// nothing.
func (n *Notifier) Mail(ctx context.Context, userID int64, title, text, link string) error {
	if n.SMTP.Addr == "" {
		return nil
	}
	return n.queueMail(ctx, &Notification{UserID: userID, Title: title, Body: text, Link: link})
}

// queueMail queues the e-mail of a notification with its delivery; a
// notification with no ID (a digest) is recorded with the delivery alone.
func (n *Notifier) queueMail(ctx context.Context, note *Notification) error {
	if n.Jobs == nil {
		return errors.New("notify: no job queue to send e-mail through")
	}
	user, err := n.Store.User(ctx, note.UserID)
	if err != nil {
		return err
	}
	if user.Email == "" || user.DisabledAt != nil {
		return nil
	}
	return n.queueTo(ctx, user.Email, note)
}

// MailTo queues an e-mail to an address that need not belong to a user
// (a guest who registered for an event, a requester of a recording).
// Without an SMTP server it does nothing.
func (n *Notifier) MailTo(ctx context.Context, address, title, text, link string, attachments ...Attachment) error {
	if n.SMTP.Addr == "" {
		return nil
	}
	if n.Jobs == nil {
		return errors.New("notify: no job queue to send e-mail through")
	}
	return n.queueTo(ctx, address, &Notification{Title: title, Body: text, Link: link, Attachments: attachments})
}

// queueTo queues the e-mail of a notification to the address with its
// delivery.
func (n *Notifier) queueTo(ctx context.Context, address string, note *Notification) error {
	link := note.Link
	if strings.HasPrefix(link, "/") && n.BaseURL != nil {
		link = n.BaseURL() + link
	}
	text := note.Body
	if link != "" {
		text += "\r\n\r\n" + link
	}
	m := &Mail{To: address, Subject: "[Hakui] " + note.Title, Text: text + "\r\n\r\n-- \r\nHakui (白衣)\r\n",
		Attachments: note.Attachments}
	if err := m.check(); err != nil {
		return err
	}
	j, err := jobs.NewJob(KindEmail, m)
	if err != nil {
		return err
	}
	if err := n.Jobs.Prepare(j); err != nil {
		return err
	}
	d := &Delivery{Channel: ChannelEmail, Target: address, Subject: clip(note.Title, 300), NotificationID: note.ID}
	if err := n.Store.CreateDelivery(ctx, d, j); err != nil {
		return err
	}
	n.Jobs.Wake()
	return nil
}

// sendJob sends the e-mail of a job.
func (n *Notifier) sendJob(ctx context.Context, j *jobs.Job, _ *Delivery) error {
	if n.SMTP.Addr == "" {
		return jobs.Permanent(errors.New("notify: e-mail is disabled (no SMTP server)"))
	}
	var m Mail
	if err := j.Decode(&m); err != nil {
		return err
	}
	return n.SMTP.Send(ctx, &m, n.now())
}

func (n *Notifier) now() time.Time {
	if n.Jobs != nil {
		return n.Jobs.Now()
	}
	return time.Now()
}

func (n *Notifier) log() *slog.Logger {
	if n.Log != nil {
		return n.Log
	}
	return slog.Default()
}
