// Package ical writes iCalendar (RFC 5545) invitations: one event, sent
// as an iTIP (RFC 5546) REQUEST or CANCEL, so that the recipient's calendar
// adds, updates or removes it. Times are written in UTC, so no VTIMEZONE is
// needed. It does no I/O.
package ical

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Method is the iTIP method of a calendar.
type Method string

// Methods.
const (
	MethodRequest Method = "REQUEST" // invite, or update an invitation (higher Sequence)
	MethodCancel  Method = "CANCEL"  // cancel the event with the same UID
)

// ContentType returns the MIME type of a calendar with the method, for an
// e-mail part or an HTTP response.
func (m Method) ContentType() string {
	return "text/calendar; charset=utf-8; method=" + string(m)
}

// Status is the status of an event.
type Status string

// Statuses.
const (
	StatusConfirmed Status = "CONFIRMED"
	StatusTentative Status = "TENTATIVE"
	StatusCancelled Status = "CANCELLED"
)

// Person is an organizer or an attendee.
type Person struct {
	Name  string // optional; written as the CN parameter
	Email string // a plain ASCII address (no display name)
}

// Event is the one event of an invitation.
type Event struct {
	UID       string    // stable across updates and the cancellation, e.g. "interview-12@hakui.example"
	Sequence  int       // 0, then +1 on each change and on the cancellation
	Stamp     time.Time // DTSTAMP: when this version was made
	Start     time.Time
	End       time.Time // after Start
	Summary   string
	Location  string
	URL       string // http or https; optional
	Organizer Person
	Attendees []Person
	// Description is free text; line breaks are kept.
	Description string
	// Status defaults to CONFIRMED for a request and CANCELLED for a
	// cancellation.
	Status Status
}

// Calendar is an invitation: a product identifier, a method and one event.
type Calendar struct {
	ProdID string // e.g. "-//Hakui//Placement//JA"
	Method Method
	Event  Event
}

// LineLimit is the longest content line, in octets without the CRLF;
// longer lines are folded.
const LineLimit = 75

// Marshal returns c as an iCalendar object: CRLF line endings, lines folded
// at LineLimit octets between UTF-8 characters, TEXT values escaped. It
// returns an error for a missing product identifier, UID, stamp, start or
// organizer, an end not after the start, a negative sequence, an unknown
// method or status, or an invalid e-mail address or URL.
func Marshal(c Calendar) ([]byte, error) {
	e := c.Event
	var errs []error
	check := func(ok bool, format string, args ...any) {
		if !ok {
			errs = append(errs, fmt.Errorf("ical: "+format, args...))
		}
	}
	check(strings.TrimSpace(c.ProdID) != "", "no PRODID")
	check(c.Method == MethodRequest || c.Method == MethodCancel, "unknown method %q", c.Method)
	check(strings.TrimSpace(e.UID) != "", "no UID")
	check(e.Sequence >= 0, "negative SEQUENCE %d", e.Sequence)
	check(!e.Stamp.IsZero(), "no DTSTAMP")
	check(!e.Start.IsZero(), "no DTSTART")
	check(e.End.After(e.Start), "DTEND %v not after DTSTART %v", e.End, e.Start)
	check(ValidAddress(e.Organizer.Email), "organizer: invalid e-mail address %q", e.Organizer.Email)
	for _, a := range e.Attendees {
		check(ValidAddress(a.Email), "attendee: invalid e-mail address %q", a.Email)
	}
	if e.URL != "" {
		u, err := url.Parse(e.URL)
		check(err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" &&
			!strings.ContainsFunc(e.URL, func(r rune) bool { return r <= ' ' || r == 0x7f }), "invalid URL %q", e.URL)
	}
	status := e.Status
	if status == "" {
		status = StatusConfirmed
		if c.Method == MethodCancel {
			status = StatusCancelled
		}
	}
	check(status == StatusConfirmed || status == StatusTentative || status == StatusCancelled, "unknown status %q", status)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}

	var b bytes.Buffer
	line := func(s string) { b.WriteString(Fold(s)) }
	text := func(name, value string) {
		if value != "" {
			line(name + ":" + EscapeText(value))
		}
	}
	line("BEGIN:VCALENDAR")
	text("PRODID", c.ProdID)
	line("VERSION:2.0")
	line("CALSCALE:GREGORIAN")
	line("METHOD:" + string(c.Method))
	line("BEGIN:VEVENT")
	text("UID", e.UID)
	line(fmt.Sprintf("SEQUENCE:%d", e.Sequence))
	line("DTSTAMP:" + utc(e.Stamp))
	line("DTSTART:" + utc(e.Start))
	line("DTEND:" + utc(e.End))
	text("SUMMARY", e.Summary)
	text("DESCRIPTION", e.Description)
	text("LOCATION", e.Location)
	if e.URL != "" {
		line("URL:" + e.URL)
	}
	line("ORGANIZER" + cn(e.Organizer.Name) + ":mailto:" + e.Organizer.Email)
	for _, a := range e.Attendees {
		params := cn(a.Name) + ";ROLE=REQ-PARTICIPANT"
		if c.Method == MethodRequest {
			params += ";PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
		}
		line("ATTENDEE" + params + ":mailto:" + a.Email)
	}
	line("STATUS:" + string(status))
	line("END:VEVENT")
	line("END:VCALENDAR")
	return b.Bytes(), nil
}

// utc formats t as a UTC DATE-TIME ("20260401T010000Z").
func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// cn returns the CN parameter for name, quoted; "" for no name. A quoted
// parameter value may hold neither a control character nor a double quote:
// control characters are dropped and double quotes become single ones.
func cn(name string) string {
	name = strings.Map(func(r rune) rune {
		switch {
		case r == '"':
			return '\''
		case r < ' ' || r == 0x7f:
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, "\uFFFD"))
	if strings.TrimSpace(name) == "" {
		return ""
	}
	return `;CN="` + name + `"`
}

// ValidAddress reports whether s is an e-mail address an invitation can
// carry: a plain ASCII address that can follow "mailto:" as is (atext
// characters, dots, and one @ with text on each side; at most 254 octets).
// Addresses with a display name, quotes or non-ASCII characters are not.
func ValidAddress(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || len(s) > 254 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune("!#$%&'*+-/=?^_`{|}~.@", r):
		default:
			return false
		}
	}
	return true
}

// EscapeText escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon
// and comma get a backslash, a line break (CRLF, LF or CR) becomes \n, and
// other control characters but the tab are dropped, as TEXT may not hold
// them. Invalid UTF-8 becomes U+FFFD.
func EscapeText(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', ';', ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\r':
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
			b.WriteString(`\n`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteByte(c)
		default:
			if c < ' ' || c == 0x7f {
				continue
			}
			b.WriteByte(c) // bytes of a multi-byte character pass through
		}
	}
	return b.String()
}

// Fold returns a content line with its CRLF, folded so that no physical
// line exceeds LineLimit octets: a continuation line starts with a space,
// which counts toward its limit, and no UTF-8 character is split.
func Fold(line string) string {
	var b strings.Builder
	limit := LineLimit
	for len(line) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(line[cut]) {
			cut--
		}
		if cut == 0 { // not UTF-8: cut anywhere rather than loop
			cut = limit
		}
		b.WriteString(line[:cut])
		b.WriteString("\r\n ")
		line = line[cut:]
		limit = LineLimit - 1
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}
