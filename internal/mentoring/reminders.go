package mentoring

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jobs"
	"github.com/hakui-dev/hakui/internal/notify"
)

// KindReminders is the daily job that reminds pairs that have not met.
const KindReminders = "mentoring.reminders"

// Register adds the daily reminder job to the worker: its handler, and
// its schedule once a day across all instances.
func (s *Service) Register(w *jobs.Worker) {
	w.Handle(KindReminders, func(ctx context.Context, _ *jobs.Job) error {
		n, err := s.SweepReminders(ctx)
		if n > 0 {
			s.log().InfoContext(ctx, "periodic job", "kind", KindReminders, "count", n)
		}
		return err
	})
	w.Every(KindReminders, 24*time.Hour)
}

// SweepReminders reminds every active pair that has not met for more than
// its interval (counted from its start if it never met) and was not
// reminded within as long: the mentor, the mentee and the coordinators of
// the office get a notification with a link to the pair. Each reminder is
// first recorded on the pair under the same conditions, so that of
// several instances, or a retried job, only one sends it. It returns how
// many pairs it reminded.
func (s *Service) SweepReminders(ctx context.Context) (int, error) {
	if s.Notifier == nil {
		return 0, nil
	}
	now := s.now()
	today := Day(now)
	pairs, err := s.Store.MentorPairs(ctx, PairFilter{Open: true, Limit: 10000})
	if err != nil {
		return 0, err
	}
	n := 0
	var errs []error
	for _, p := range pairs {
		if !p.ReminderDue(today) {
			continue
		}
		marked, err := s.Store.MarkMentorPairReminded(ctx, p.ID, now, p.Cutoffs(today))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !marked {
			continue
		}
		n++
		if err := s.remind(ctx, &p); err != nil {
			// The reminder is recorded; a failure to notify is logged
			// rather than repeated tomorrow to those already told.
			s.log().WarnContext(ctx, "mentoring: reminder not sent", "pair", p.ID, "err", err)
		}
	}
	return n, errors.Join(errs...)
}

// remind notifies the mentor, the mentee and the office's coordinators.
func (s *Service) remind(ctx context.Context, p *Pair) error {
	ids := []int64{p.MentorID, p.MenteeID}
	members, err := s.Store.Members(ctx, p.OrgID)
	if err != nil {
		return err
	}
	for _, m := range members {
		if m.Role == identity.RoleCoordinator && !slices.Contains(ids, m.UserID) {
			ids = append(ids, m.UserID)
		}
	}
	since := "開始日 (" + p.StartsOn.Format(time.DateOnly) + ")"
	if p.LastMetOn != nil {
		since = "前回の面談 (" + p.LastMetOn.Format(time.DateOnly) + ")"
	}
	note := notify.Notification{Kind: "mentoring", Title: "メンタリングの面談から" + strconv.Itoa(p.IntervalMonths) + "か月以上が経ちました",
		Body: "メンター " + p.MentorName + " さんとメンティー " + p.MenteeName + " さんのペアは、" + since +
			"から面談の記録がありません。次の面談の日程を相談しましょう。",
		Link: Link(p.ID)}
	var errs []error
	for _, id := range ids {
		n := note
		n.UserID = id
		if err := s.Notifier.Notify(ctx, &n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
