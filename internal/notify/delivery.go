package notify

import (
	"context"
	"fmt"
	"log/slog"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jobs"
)

// Channel is how a delivery travels.
type Channel string

// Channels.
const (
	ChannelEmail    Channel = "email"
	ChannelSlack    Channel = "slack"
	ChannelDiscord  Channel = "discord"
	ChannelChatwork Channel = "chatwork"
)

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending DeliveryStatus = "pending" // not tried yet
	DeliverySent    DeliveryStatus = "sent"    // accepted by the mail server or the service
	DeliveryFailed  DeliveryStatus = "failed"  // the latest attempt failed; another will follow
	DeliveryDead    DeliveryStatus = "dead"    // given up; LastError says why
)

// Label returns the Japanese name of the status.
func (s DeliveryStatus) Label() string {
	switch s {
	case DeliveryPending:
		return "送信待ち"
	case DeliverySent:
		return "送信済み"
	case DeliveryFailed:
		return "再送待ち"
	case DeliveryDead:
		return "送信失敗"
	}
	return string(s)
}

// Delivery records one outgoing e-mail or webhook call. Its job carries
// the message and does the sending; the delivery is what people see.
type Delivery struct {
	ID      int64
	Channel Channel
	// Target is where it goes: an e-mail address, or a webhook's masked URL.
	Target  string
	Subject string
	// JobID is 0 for a one-off attempt (a webhook test) and once the job
	// has been pruned.
	JobID          int64
	NotificationID int64 // 0 when no in-app notification goes with it
	OrgID          int64 // the organisation of a webhook; 0 for e-mail
	WebhookID      int64
	Status         DeliveryStatus
	Attempts       int
	LastError      string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	SentAt         *time.Time
}

// Attempt is the outcome of one delivery attempt.
type Attempt struct {
	Status   DeliveryStatus
	Attempts int
	Error    string // "" when sent
}

// DeliveryFilter selects deliveries; zero fields do not filter.
type DeliveryFilter struct {
	OrgID          int64
	WebhookID      int64
	NotificationID int64
	Limit          int // default 50
}

// DeliveryStore keeps deliveries.
type DeliveryStore interface {
	// CreateDelivery inserts j, prepared by jobs.Queue.Prepare, and d,
	// which records it, in one transaction, and sets their IDs and times.
	// With a nil j it records a one-off attempt that the caller makes at
	// once. An invalid delivery returns an invalid error.
	CreateDelivery(ctx context.Context, d *Delivery, j *jobs.Job) error
	// DeliveryByJob returns the delivery of a job, or not_found.
	DeliveryByJob(ctx context.Context, jobID int64) (*Delivery, error)
	// RecordDelivery stores the outcome of an attempt; not_found when the
	// delivery is gone.
	RecordDelivery(ctx context.Context, id int64, a Attempt) error
	// Deliveries lists deliveries, newest first.
	Deliveries(ctx context.Context, f DeliveryFilter) ([]Delivery, error)
}

// Deliver returns the job handler of a delivery channel: it finds the
// job's delivery, calls send and records the attempt on the delivery as
// sent, failed (a retry follows) or dead. A delivery already sent is not
// sent again.
func Deliver(store DeliveryStore, log *slog.Logger, send func(ctx context.Context, j *jobs.Job, d *Delivery) error) jobs.Handler {
	return func(ctx context.Context, j *jobs.Job) error {
		d, err := store.DeliveryByJob(ctx, j.ID)
		if apperr.Is(err, apperr.NotFound) {
			return jobs.Permanent(fmt.Errorf("notify: job %d has no delivery", j.ID))
		}
		if err != nil {
			return err
		}
		if d.Status == DeliverySent {
			return nil
		}
		err = send(ctx, j, d)
		a := Attempt{Status: DeliverySent, Attempts: j.Attempts}
		if err != nil {
			a.Status, a.Error = DeliveryFailed, clip(err.Error(), 2000)
			if j.Final(err) {
				a.Status = DeliveryDead
			}
		}
		if rerr := store.RecordDelivery(ctx, d.ID, a); rerr != nil {
			log.ErrorContext(ctx, "notify: recording a delivery attempt failed", "delivery", d.ID, "status", a.Status, "err", rerr)
		}
		// A sent message counts as sent even if its record failed: a
		// retry would send it twice.
		return err
	}
}

// clip shortens s to at most n bytes on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
