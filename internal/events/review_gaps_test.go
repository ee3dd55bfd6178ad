package events_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/policy"
)

// The public calendar: the event's own entry for anyone while it is
// published, a registration's entry with its manage token; never the
// online URL.
func TestPublicCalendar(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		e := w.published(hybridInput())
		ics, err := w.svc.Calendar(w.ctx, policy.Actor{}, e.ID, "")
		noErr(t, err)
		text := strings.ReplaceAll(string(ics), "\r\n ", "")
		for _, want := range []string{"METHOD:REQUEST", "UID:event-" + itoa(e.ID) + "@hakui", "DTSTART:20261205T040000Z",
			"LOCATION:北山大学 医学部講堂", "URL:https://hakui.example.jp/events/" + itoa(e.ID), "STATUS:CONFIRMED"} {
			if !strings.Contains(text, want) {
				t.Errorf("missing %q in\n%s", want, text)
			}
		}
		if strings.Contains(text, "meet.example.jp") || strings.Contains(text, "ATTENDEE") {
			t.Errorf("the public calendar carries the online URL or an attendee:\n%s", text)
		}

		online, token := w.guest(e.ID, 1, "北海道", events.RoleCC, events.AttendOnline)
		mine, err := w.svc.Calendar(w.ctx, policy.Actor{}, e.ID, token)
		noErr(t, err)
		text = strings.ReplaceAll(string(mine), "\r\n ", "")
		for _, want := range []string{"UID:event-" + itoa(e.ID) + "-registration-" + itoa(online.ID) + "@hakui",
			"LOCATION:オンライン", "mailto:guest001@example.jp"} {
			if !strings.Contains(text, want) {
				t.Errorf("missing %q in\n%s", want, text)
			}
		}
		if strings.Contains(text, "meet.example.jp") {
			t.Errorf("the registrant's calendar carries the online URL:\n%s", text)
		}

		draft, err := w.svc.CreateEvent(w.ctx, w.organiser, w.university, hybridInput())
		noErr(t, err)
		_, err = w.svc.Calendar(w.ctx, policy.Actor{}, draft.ID, "")
		wantCode(t, err, apperr.NotFound)
		_, err = w.svc.Calendar(w.ctx, w.organiser, draft.ID, "")
		noErr(t, err)
		_, err = w.svc.Calendar(w.ctx, policy.Actor{}, draft.ID, token)
		wantCode(t, err, apperr.NotFound)
		_, err = w.svc.Calendar(w.ctx, policy.Actor{}, e.ID, "not-a-token")
		wantCode(t, err, apperr.NotFound)
		_, err = w.svc.Calendar(w.ctx, policy.Actor{}, 424242, "")
		wantCode(t, err, apperr.NotFound)

		// Once the registrant cancels, their entry is a cancellation.
		noErr(t, w.svc.CancelByToken(w.ctx, token))
		mine, err = w.svc.Calendar(w.ctx, policy.Actor{}, e.ID, token)
		noErr(t, err)
		if !bytes.Contains(mine, []byte("METHOD:CANCEL")) {
			t.Errorf("cancelled registration's calendar:\n%s", mine)
		}
	})
}

// Changing the times, the venue, the mode or the online URL of a
// published event tells every live registrant, with the calendar's
// sequence bumped; other changes and drafts tell nobody.
func TestUpdateEventTellsRegistrants(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		e := w.published(hybridInput())
		w.guest(e.ID, 1, "北海道", events.RoleCC, events.AttendVenue)
		w.guest(e.ID, 2, "青森県", events.RoleCC, events.AttendOnline)
		_, _, err := w.svc.Register(w.ctx, w.outsider, e.ID, w.guestInput(3, "岩手県", events.RoleDoctor, events.AttendVenue), "203.0.113.3")
		noErr(t, err)
		const subject = "研修会の内容が変更になりました: 全国キャリアコーディネーター研修会 2026"

		// The title alone: nobody is told.
		in := hybridInput()
		in.Title, in.Version = "全国キャリアコーディネーター研修会 2026", e.Version
		e, err = w.svc.UpdateEvent(w.ctx, w.organiser, e.ID, in)
		noErr(t, err)
		if got := w.mails("guest001@example.jp"); contains(got, subject) {
			t.Fatalf("an unchanged schedule was announced: %v", got)
		}

		in.StartsAt, in.EndsAt = jst(2026, 12, 5, 14, 0), jst(2026, 12, 5, 18, 0)
		in.Venue, in.OnlineURL, in.Version = "北山大学 第2講義室", "https://meet.example.jp/cc-2026-new", e.Version
		e, err = w.svc.UpdateEvent(w.ctx, w.organiser, e.ID, in)
		noErr(t, err)
		m := w.mail("guest001@example.jp", subject)
		for _, want := range []string{"・日時: 2026/12/05(土) 13:00〜17:00 → 2026/12/05(土) 14:00〜18:00",
			"・会場: 北山大学 医学部講堂 → 北山大学 第2講義室", "オンライン参加のURLが変わりました", "https://meet.example.jp/cc-2026-new"} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("missing %q in\n%s", want, m.Text)
			}
		}
		cal := ics(t, m)
		for _, want := range []string{"SEQUENCE:" + itoa(int64(e.Version)), "DTSTART:20261205T050000Z", "LOCATION:北山大学 第2講義室"} {
			if !strings.Contains(cal, want) {
				t.Errorf("missing %q in\n%s", want, cal)
			}
		}
		if !contains(w.mails("guest002@example.jp"), subject) {
			t.Errorf("the online registrant was not told")
		}
		notes := w.notes(w.outsider)
		if len(notes) == 0 || notes[0].Kind != events.NoteChanged || !strings.Contains(notes[0].Body, "・日時:") {
			t.Errorf("the signed-in registrant's notifications: %+v", notes)
		}

		// A draft's changes tell nobody.
		draft, err := w.svc.CreateEvent(w.ctx, w.organiser, w.university, hybridInput())
		noErr(t, err)
		in = hybridInput()
		in.StartsAt, in.Version = jst(2026, 12, 5, 12, 0), draft.Version
		_, err = w.svc.UpdateEvent(w.ctx, w.organiser, draft.ID, in)
		noErr(t, err)
	})
}

// Lowering the venue capacity below the registered venue places is
// refused; down to them is fine.
func TestCapacityNotBelowVenuePlaces(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		e := w.published(hybridInput())
		for i := 1; i <= 3; i++ {
			w.guest(e.ID, i, "北海道", events.RoleCC, events.AttendVenue)
		}
		w.guest(e.ID, 4, "北海道", events.RoleCC, events.AttendOnline)
		in := hybridInput()
		in.VenueCapacity, in.Version = 2, e.Version
		_, err := w.svc.UpdateEvent(w.ctx, w.organiser, e.ID, in)
		wantField(t, err, "venue_capacity")
		if msg := apperr.FieldsOf(err)["venue_capacity"]; msg != "会場で参加が確定している人数（3人）より少なくはできません。" {
			t.Errorf("message %q", msg)
		}
		in.VenueCapacity = 3
		e, err = w.svc.UpdateEvent(w.ctx, w.organiser, e.ID, in)
		noErr(t, err)
		if e.VenueCapacity != 3 {
			t.Errorf("capacity %d", e.VenueCapacity)
		}
	})
}

// Prefectures with the same count follow the JIS order in the counts and
// their CSV, not the character codes (三重県 < 京都府 < 兵庫県 < 北海道).
func TestCountsPrefectureOrder(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		e := w.published(hybridInput())
		for i, p := range []string{"兵庫県", "北海道", "三重県", "京都府", "沖縄県", "沖縄県"} {
			w.guest(e.ID, i+1, p, events.RoleCC, events.AttendOnline)
		}
		c, err := w.svc.Counts(w.ctx, w.organiser, e.ID)
		noErr(t, err)
		var got []string
		for _, p := range c.ByPrefecture {
			got = append(got, p.Label)
		}
		if want := "沖縄県 北海道 三重県 京都府 兵庫県"; strings.Join(got, " ") != want {
			t.Errorf("ByPrefecture = %v, want %s", got, want)
		}
		var b bytes.Buffer
		noErr(t, w.svc.ExportCounts(w.ctx, w.organiser, e.ID, &b, events.UTF8BOM))
		csv := b.String()
		last := -1
		for _, p := range strings.Fields("沖縄県 北海道 三重県 京都府 兵庫県") {
			i := strings.Index(csv, "都道府県,"+p+",")
			if i <= last {
				t.Fatalf("CSV order: %s at %d after %d\n%s", p, i, last, csv)
			}
			last = i
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
