// Package notify tells users about what concerns them: an in-app
// notification list, and e-mail when an SMTP server is configured.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/identity"
)

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
}

// Store keeps notifications.
type Store interface {
	CreateNotification(ctx context.Context, n *Notification) error
	User(ctx context.Context, id int64) (*identity.User, error)
}

// Inbox reads and marks a user's own notifications.
type Inbox interface {
	Notifications(ctx context.Context, userID int64, limit int) ([]Notification, error)
	MarkNotificationsRead(ctx context.Context, userID int64) error
}

// SMTP is how to reach a mail server. An empty Addr disables e-mail.
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
}

// Notifier records notifications and sends their e-mail.
type Notifier struct {
	Store   Store
	SMTP    SMTP
	BaseURL func() string
	Log     *slog.Logger
}

// Notify records n for its user and, when SMTP is configured, e-mails it.
// A failed e-mail is logged and never undoes the notification.
func (n *Notifier) Notify(ctx context.Context, note *Notification) error {
	if err := n.Store.CreateNotification(ctx, note); err != nil {
		return err
	}
	if n.SMTP.Addr == "" {
		return nil
	}
	user, err := n.Store.User(ctx, note.UserID)
	if err != nil {
		return err
	}
	if err := n.sendMail(user.Email, note); err != nil {
		n.Log.WarnContext(ctx, "notification e-mail failed", "user", note.UserID, "err", err)
	}
	return nil
}

func (n *Notifier) sendMail(to string, note *Notification) error {
	link := note.Link
	if strings.HasPrefix(link, "/") && n.BaseURL != nil {
		link = n.BaseURL() + link
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\n", n.SMTP.From, to, mime.BEncoding.Encode("UTF-8", "[Hakui] "+note.Title))
	fmt.Fprintf(&b, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n")
	fmt.Fprintf(&b, "Date: %s\r\n\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "%s\r\n\r\n%s\r\n\r\n-- \r\nHakui (白衣)\r\n", note.Body, link)
	var auth smtp.Auth
	if n.SMTP.Username != "" {
		host, _, _ := net.SplitHostPort(n.SMTP.Addr)
		auth = smtp.PlainAuth("", n.SMTP.Username, n.SMTP.Password, host)
	}
	return smtp.SendMail(n.SMTP.Addr, auth, n.SMTP.From, []string{to}, []byte(b.String()))
}
