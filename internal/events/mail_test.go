package events

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/notify"
)

func TestCalendar(t *testing.T) {
	now := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	s := &Service{Now: func() time.Time { return now }, Notifier: &notify.Notifier{SMTP: notify.SMTP{From: "Hakui <hakui@example.jp>"},
		BaseURL: func() string { return "https://hakui.example.jp" }}}
	e := &Event{ID: 7, OrgName: "北山大学", Title: "全国研修会", Mode: ModeHybrid, Venue: "医学部講堂", Version: 2,
		OnlineURL: "https://meet.example.jp/secret", Status: StatusPublished,
		StartsAt: time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		name string
		r    Registration
		want []string
	}{
		{"venue", Registration{ID: 3, Name: "山田", Email: "yamada@example.jp", Attendance: AttendVenue, Status: Registered},
			[]string{"METHOD:REQUEST", "DTSTART:20261205T040000Z", "DTEND:20261205T080000Z", "LOCATION:医学部講堂",
				"URL:https://hakui.example.jp/events/7", "ORGANIZER;CN=\"北山大学\":mailto:hakui@example.jp", "STATUS:CONFIRMED"}},
		{"online", Registration{ID: 4, Name: "川口", Email: "kawaguchi@example.jp", Attendance: AttendOnline, Status: Registered},
			[]string{"LOCATION:オンライン"}},
		{"waitlisted", Registration{ID: 5, Name: "南", Email: "minami@example.jp", Attendance: AttendVenue, Status: Waitlisted},
			[]string{"STATUS:TENTATIVE"}},
		{"cancelled", Registration{ID: 6, Name: "南", Email: "minami@example.jp", Attendance: AttendVenue, Status: Cancelled},
			[]string{"METHOD:CANCEL", "STATUS:CANCELLED"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			atts := s.calendar(context.Background(), e, &c.r)
			if len(atts) != 1 || !strings.HasPrefix(atts[0].ContentType, "text/calendar") {
				t.Fatalf("attachments %+v", atts)
			}
			ics := strings.ReplaceAll(string(atts[0].Data), "\r\n ", "")
			for _, w := range c.want {
				if !strings.Contains(ics, w) {
					t.Errorf("missing %q in\n%s", w, ics)
				}
			}
			if strings.Contains(ics, "meet.example.jp") {
				t.Errorf("the online URL is in the calendar file")
			}
		})
	}
	body := summary(e, &Registration{Name: "山田", Attendance: AttendOnline, Status: Registered})
	if !strings.Contains(body, "https://meet.example.jp/secret") || !strings.Contains(body, "2026/12/05(土) 13:00〜17:00") {
		t.Errorf("registered body:\n%s", body)
	}
	if body := summary(e, &Registration{Name: "南", Attendance: AttendVenue, Status: Waitlisted}); strings.Contains(body, "meet.example.jp") {
		t.Errorf("waitlisted body shows the online URL:\n%s", body)
	}
}

// A relative or unknown base address used to drop the whole file ("ical:
// invalid URL \"/events/1\""): now only the URL property is left out.
func TestCalendarWithoutBaseURL(t *testing.T) {
	now := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
	e := &Event{ID: 1, OrgName: "北山大学", Title: "研修会", Mode: ModeVenue, Venue: "講堂", Version: 1, Status: StatusPublished,
		StartsAt: time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)}
	r := &Registration{ID: 3, Name: "山田", Email: "yamada@example.jp", Attendance: AttendVenue, Status: Registered}
	for _, c := range []struct {
		name string
		base func() string
		url  string
	}{
		{"no base", nil, ""},
		{"empty base", func() string { return "" }, ""},
		{"relative base", func() string { return "/" }, ""},
		{"base with a slash", func() string { return "https://hakui.example.jp/" }, "URL:https://hakui.example.jp/events/1"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := &Service{Now: func() time.Time { return now }, Notifier: &notify.Notifier{
				SMTP: notify.SMTP{From: "hakui@example.jp"}, BaseURL: c.base}}
			atts := s.calendar(context.Background(), e, r)
			if len(atts) != 1 {
				t.Fatalf("attachments %+v", atts)
			}
			ics := string(atts[0].Data)
			if !strings.Contains(ics, "LOCATION:講堂") {
				t.Errorf("no location in\n%s", ics)
			}
			if c.url == "" && strings.Contains(ics, "\r\nURL:") || c.url != "" && !strings.Contains(ics, c.url+"\r\n") {
				t.Errorf("want URL %q in\n%s", c.url, ics)
			}
		})
	}
}

// A registration's calendar entry used to keep the event's sequence when
// the registration changed, so a calendar could ignore a promotion or a
// cancellation. Its sequence now grows with either version.
func TestRegistrationCalendarSequenceGrows(t *testing.T) {
	s := &Service{Now: time.Now, Notifier: &notify.Notifier{SMTP: notify.SMTP{From: "Hakui <hakui@example.jp>"}}}
	e := &Event{ID: 7, OrgName: "北山大学", Title: "全国研修会", Mode: ModeHybrid, Venue: "医学部講堂", Version: 3, Status: StatusPublished,
		StartsAt: time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC), EndsAt: time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC)}
	sequence := func(e *Event, r *Registration) string {
		t.Helper()
		atts := s.calendar(context.Background(), e, r)
		if len(atts) != 1 {
			t.Fatalf("attachments %+v", atts)
		}
		_, rest, _ := strings.Cut(string(atts[0].Data), "SEQUENCE:")
		return strings.Fields(rest)[0]
	}
	r := &Registration{ID: 5, Name: "南", Email: "minami@example.jp", Attendance: AttendVenue, Status: Waitlisted, Version: 1}
	steps := []string{sequence(e, r)}
	r.Status, r.Version = Registered, 2 // promoted
	steps = append(steps, sequence(e, r))
	moved := *e
	moved.Version = 4 // the event changed
	steps = append(steps, sequence(&moved, r))
	r.Status, r.Version = Cancelled, 3
	steps = append(steps, sequence(&moved, r))
	if want := []string{"3", "4", "5", "6"}; strings.Join(steps, " ") != strings.Join(want, " ") {
		t.Errorf("sequences %v, want %v", steps, want)
	}
	if got := sequence(e, nil); got != "3" {
		t.Errorf("the event's own entry: sequence %s, want its version 3", got)
	}
}

func TestWhen(t *testing.T) {
	for _, c := range []struct {
		start, end time.Time
		want       string
	}{
		{time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC), time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC), "2026/12/05(土) 13:00〜17:00"},
		// 23:30 UTC is the next day in JST.
		{time.Date(2026, 12, 4, 23, 30, 0, 0, time.UTC), time.Date(2026, 12, 5, 1, 0, 0, 0, time.UTC), "2026/12/05(土) 08:30〜10:00"},
		{time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC), time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC), "2026/12/05(土) 13:00〜2026/12/06(日) 12:00"},
	} {
		if got := When(c.start, c.end); got != c.want {
			t.Errorf("When(%v, %v) = %q, want %q", c.start, c.end, got, c.want)
		}
	}
}
