package events_test

import (
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/events"
)

// Switching an event to online only used to move its whole venue waiting
// list up (no venue read as no limit). Now the venue cannot go while live
// venue registrations exist; once they are gone, the switch is fine and
// nobody moves up.
func TestOnlineOnlyKeepsWaitingList(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		in := hybridInput()
		in.VenueCapacity = 1
		e := w.published(in)
		_, seatToken := w.guest(e.ID, 1, "北海道", events.RoleCC, events.AttendVenue)
		waiting, waitToken := w.guest(e.ID, 2, "青森県", events.RoleCC, events.AttendVenue)
		w.guest(e.ID, 3, "岩手県", events.RoleCC, events.AttendOnline)
		if waiting.Status != events.Waitlisted {
			t.Fatalf("second venue registration: %s", waiting.Status)
		}

		online := hybridInput()
		online.Mode, online.Venue, online.VenueCapacity, online.Version = events.ModeOnline, "", 0, e.Version
		_, err := w.svc.UpdateEvent(w.ctx, w.organiser, e.ID, online)
		wantField(t, err, "mode")
		if msg := apperr.FieldsOf(err)["mode"]; !strings.Contains(msg, "2件") || !strings.Contains(msg, "キャンセル") {
			t.Errorf("mode message %q: want the count and what to do", msg)
		}
		if r, err := w.db.Registration(w.ctx, waiting.ID); err != nil || r.Status != events.Waitlisted {
			t.Fatalf("the waiting registration after the refused switch: %+v, %v", r, err)
		}
		if got, _ := w.db.Event(w.ctx, e.ID); got.Mode != events.ModeHybrid || got.Version != e.Version {
			t.Errorf("the refused switch was written: %s v%d", got.Mode, got.Version)
		}

		noErr(t, w.svc.CancelByToken(w.ctx, seatToken))
		noErr(t, w.svc.CancelByToken(w.ctx, waitToken))
		cur, err := w.db.Event(w.ctx, e.ID)
		noErr(t, err)
		online.Version = cur.Version
		updated, err := w.svc.UpdateEvent(w.ctx, w.organiser, e.ID, online)
		noErr(t, err)
		if updated.Mode != events.ModeOnline {
			t.Errorf("mode %s", updated.Mode)
		}
		c, err := w.db.EventCounts(w.ctx, e.ID)
		noErr(t, err)
		if c.Venue != 0 || c.Waitlisted != 0 || c.Online != 1 {
			t.Errorf("counts after the switch: %+v", c)
		}
	})
}
