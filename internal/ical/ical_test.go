package ical

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// property is one unfolded content line, parsed.
type property struct {
	Name   string
	Params map[string]string
	Value  string
}

// parse unfolds and parses an iCalendar object, checking the physical
// lines on the way: CRLF endings only, at most LineLimit octets, valid
// UTF-8.
func parse(tb testing.TB, data []byte) []property {
	tb.Helper()
	s := string(data)
	if !strings.HasSuffix(s, "\r\n") {
		tb.Fatalf("output does not end with CRLF")
	}
	for i, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			tb.Errorf("line %d has a bare CR or LF: %q", i+1, l)
		}
		if len(l) > LineLimit {
			tb.Errorf("line %d is %d octets: %q", i+1, len(l), l)
		}
		if !utf8.ValidString(l) {
			tb.Errorf("line %d splits a UTF-8 character: %q", i+1, l)
		}
	}
	unfolded := strings.ReplaceAll(s, "\r\n ", "")
	var props []property
	for _, l := range strings.Split(strings.TrimSuffix(unfolded, "\r\n"), "\r\n") {
		props = append(props, parseLine(tb, l))
	}
	return props
}

// parseLine splits name;param=value;param="quoted":value.
func parseLine(tb testing.TB, l string) property {
	tb.Helper()
	p := property{Params: map[string]string{}}
	i := strings.IndexAny(l, ";:")
	if i < 0 {
		tb.Fatalf("no colon in %q", l)
	}
	p.Name, l = l[:i], l[i:]
	for strings.HasPrefix(l, ";") {
		l = l[1:]
		eq := strings.IndexByte(l, '=')
		if eq < 0 {
			tb.Fatalf("parameter without value in %q", l)
		}
		name := l[:eq]
		l = l[eq+1:]
		var v string
		if strings.HasPrefix(l, `"`) {
			end := strings.IndexByte(l[1:], '"')
			if end < 0 {
				tb.Fatalf("unterminated quoted parameter in %q", l)
			}
			v, l = l[1:end+1], l[end+2:]
		} else {
			end := strings.IndexAny(l, ";:")
			v, l = l[:end], l[end:]
		}
		p.Params[name] = v
	}
	if !strings.HasPrefix(l, ":") {
		tb.Fatalf("no value after parameters: %q", l)
	}
	p.Value = l[1:]
	return p
}

// unescape reverses EscapeText.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == 'n' || s[i] == 'N' {
				b.WriteByte('\n')
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func find(props []property, name string) []property {
	var out []property
	for _, p := range props {
		if p.Name == name {
			out = append(out, p)
		}
	}
	return out
}

func one(tb testing.TB, props []property, name string) property {
	tb.Helper()
	got := find(props, name)
	if len(got) != 1 {
		tb.Fatalf("%d %s properties, want 1", len(got), name)
	}
	return got[0]
}

var jst = time.FixedZone("JST", 9*60*60)

func sample() Calendar {
	return Calendar{
		ProdID: "-//Hakui//Placement//JA",
		Method: MethodRequest,
		Event: Event{
			UID:         "interview-12@hakui.example",
			Sequence:    2,
			Stamp:       time.Date(2026, 3, 1, 9, 30, 0, 0, jst),
			Start:       time.Date(2026, 4, 1, 14, 0, 0, 0, jst),
			End:         time.Date(2026, 4, 1, 15, 0, 0, 0, jst),
			Summary:     "面接: さくらクリニック; 内科, 外来",
			Description: "持ち物: 医師免許証のコピー\r\n場所の詳細は受付で C:\\files をご確認ください。\n以上",
			Location:    "東京都千代田区1-2-3 さくらビル5階",
			URL:         "https://zoom.us/j/123456789?pwd=abc,def;x",
			Organizer:   Person{Name: "担当 エージェント", Email: "agent@agency.example"},
			Attendees: []Person{
				{Name: `山田 "太郎"`, Email: "taro@example.jp"},
				{Name: "", Email: "clinic+hr@sakura.example"},
			},
		},
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	c := sample()
	data, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	props := parse(t, data)
	var names []string
	for _, p := range props {
		names = append(names, p.Name)
	}
	wantNames := []string{"BEGIN", "PRODID", "VERSION", "CALSCALE", "METHOD", "BEGIN", "UID", "SEQUENCE", "DTSTAMP",
		"DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "LOCATION", "URL", "ORGANIZER", "ATTENDEE", "ATTENDEE", "STATUS",
		"END", "END"}
	if !reflect.DeepEqual(names, wantNames) {
		t.Errorf("properties (-want +got):\n-%v\n+%v", wantNames, names)
	}
	for _, tt := range []struct {
		name, want string
		text       bool
	}{
		{"PRODID", c.ProdID, true},
		{"VERSION", "2.0", false},
		{"METHOD", "REQUEST", false},
		{"UID", c.Event.UID, true},
		{"SEQUENCE", "2", false},
		{"DTSTAMP", "20260301T003000Z", false},
		{"DTSTART", "20260401T050000Z", false},
		{"DTEND", "20260401T060000Z", false},
		{"SUMMARY", c.Event.Summary, true},
		{"DESCRIPTION", "持ち物: 医師免許証のコピー\n場所の詳細は受付で C:\\files をご確認ください。\n以上", true},
		{"LOCATION", c.Event.Location, true},
		{"URL", c.Event.URL, false},
		{"STATUS", "CONFIRMED", false},
	} {
		got := one(t, props, tt.name).Value
		if tt.text {
			got = unescape(got)
		}
		if got != tt.want {
			t.Errorf("%s = %q, want %q", tt.name, got, tt.want)
		}
	}
	if raw := one(t, props, "SUMMARY").Value; raw != `面接: さくらクリニック\; 内科\, 外来` {
		t.Errorf("SUMMARY escaped as %q", raw)
	}
	org := one(t, props, "ORGANIZER")
	if org.Value != "mailto:agent@agency.example" || org.Params["CN"] != "担当 エージェント" {
		t.Errorf("ORGANIZER = %+v", org)
	}
	att := find(props, "ATTENDEE")
	if att[0].Value != "mailto:taro@example.jp" || att[0].Params["CN"] != "山田 '太郎'" ||
		att[0].Params["RSVP"] != "TRUE" || att[0].Params["PARTSTAT"] != "NEEDS-ACTION" {
		t.Errorf("first ATTENDEE = %+v", att[0])
	}
	if _, ok := att[1].Params["CN"]; ok || att[1].Value != "mailto:clinic+hr@sakura.example" {
		t.Errorf("second ATTENDEE = %+v", att[1])
	}
	if !bytes.Contains(data, []byte(`CN="担当 エージェント"`)) {
		t.Error("CN is not quoted")
	}
}

func TestMarshalCancel(t *testing.T) {
	c := sample()
	c.Method = MethodCancel
	c.Event.Sequence = 3
	c.Event.URL, c.Event.Description, c.Event.Location = "", "", ""
	data, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	props := parse(t, data)
	if got := one(t, props, "METHOD").Value; got != "CANCEL" {
		t.Errorf("METHOD = %q", got)
	}
	if got := one(t, props, "STATUS").Value; got != "CANCELLED" {
		t.Errorf("STATUS = %q, want CANCELLED", got)
	}
	for _, name := range []string{"URL", "DESCRIPTION", "LOCATION"} {
		if len(find(props, name)) != 0 {
			t.Errorf("empty %s written", name)
		}
	}
	if _, ok := find(props, "ATTENDEE")[0].Params["RSVP"]; ok {
		t.Error("a cancellation asks for RSVP")
	}
	if got := MethodCancel.ContentType(); got != "text/calendar; charset=utf-8; method=CANCEL" {
		t.Errorf("ContentType = %q", got)
	}
}

func TestMarshalErrors(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(*Calendar)
		want   string
	}{
		{"no prodid", func(c *Calendar) { c.ProdID = " " }, "PRODID"},
		{"bad method", func(c *Calendar) { c.Method = "PUBLISH" }, "method"},
		{"no uid", func(c *Calendar) { c.Event.UID = "" }, "UID"},
		{"negative sequence", func(c *Calendar) { c.Event.Sequence = -1 }, "SEQUENCE"},
		{"no stamp", func(c *Calendar) { c.Event.Stamp = time.Time{} }, "DTSTAMP"},
		{"end before start", func(c *Calendar) { c.Event.End = c.Event.Start.Add(-time.Minute) }, "DTEND"},
		{"end equals start", func(c *Calendar) { c.Event.End = c.Event.Start }, "DTEND"},
		{"no organizer", func(c *Calendar) { c.Event.Organizer.Email = "" }, "organizer"},
		{"line break in attendee", func(c *Calendar) { c.Event.Attendees[0].Email = "a@b.jp\r\nX-EVIL:1" }, "attendee"},
		{"display name in attendee", func(c *Calendar) { c.Event.Attendees[0].Email = "Taro <a@b.jp>" }, "attendee"},
		{"javascript url", func(c *Calendar) { c.Event.URL = "javascript:alert(1)" }, "URL"},
		{"url with line break", func(c *Calendar) { c.Event.URL = "https://x.example/\r\nX-EVIL:1" }, "URL"},
		{"bad status", func(c *Calendar) { c.Event.Status = "DONE" }, "status"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := sample()
			tt.change(&c)
			_, err := Marshal(c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Marshal error = %v, want one about %s", err, tt.want)
			}
		})
	}
}

func TestEscapeText(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"plain", "plain"},
		{`a\b;c,d`, `a\\b\;c\,d`},
		{"one\r\ntwo\nthree\rfour", `one\ntwo\nthree\nfour`},
		{"tab\tkept, bell\a dropped", `tab` + "\t" + `kept\, bell dropped`},
		{"日本語；全角，そのまま", "日本語；全角，そのまま"},
		{"bad \xff utf-8", "bad \uFFFD utf-8"},
	} {
		if got := EscapeText(tt.in); got != tt.want {
			t.Errorf("EscapeText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestFoldJapanese folds a long Japanese line: every physical line is at
// most 75 octets of whole characters, and unfolding gives the line back.
func TestFoldJapanese(t *testing.T) {
	line := "DESCRIPTION:" + strings.Repeat("患者様第一の医療機関で、外来診療と当直をお願いします。", 8)
	folded := Fold(line)
	phys := strings.Split(strings.TrimSuffix(folded, "\r\n"), "\r\n")
	if len(phys) < 5 {
		t.Fatalf("%d physical lines, want a real fold", len(phys))
	}
	for i, l := range phys {
		if len(l) > LineLimit {
			t.Errorf("line %d: %d octets", i, len(l))
		}
		if i > 0 && !strings.HasPrefix(l, " ") {
			t.Errorf("continuation line %d does not start with a space", i)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a character: %q", i, l)
		}
		// A 3-octet character that does not fit starts the next line, so
		// a full line is 73 to 75 octets.
		if i < len(phys)-1 && len(l) < LineLimit-2 {
			t.Errorf("line %d is only %d octets", i, len(l))
		}
	}
	if got := strings.ReplaceAll(folded, "\r\n ", ""); got != line+"\r\n" {
		t.Errorf("unfolded = %q, want %q", got, line)
	}
	if got := Fold("SHORT:x"); got != "SHORT:x\r\n" {
		t.Errorf("Fold of a short line = %q", got)
	}
	exact := strings.Repeat("a", LineLimit)
	if got := Fold(exact); got != exact+"\r\n" {
		t.Errorf("a line of exactly %d octets was folded: %q", LineLimit, got)
	}
}

// FuzzFold checks that folding keeps lines short, never splits a valid
// UTF-8 character and unfolds to the input.
func FuzzFold(f *testing.F) {
	f.Add("SUMMARY:面接")
	f.Add("DESCRIPTION:" + strings.Repeat("あいうえおabc😀", 20))
	f.Add(strings.Repeat("x", 200))
	f.Fuzz(func(t *testing.T, line string) {
		if strings.ContainsAny(line, "\r\n") {
			t.Skip("a content line has no line breaks")
		}
		folded := Fold(line)
		for _, l := range strings.Split(strings.TrimSuffix(folded, "\r\n"), "\r\n") {
			if len(l) > LineLimit {
				t.Fatalf("physical line of %d octets: %q", len(l), l)
			}
			if utf8.ValidString(line) && !utf8.ValidString(l) {
				t.Fatalf("split a character: %q", l)
			}
		}
		if got := strings.ReplaceAll(folded, "\r\n ", ""); got != line+"\r\n" {
			t.Fatalf("unfolded %q, want %q", got, line)
		}
	})
}

// TestNoPropertyInjection: line breaks in text values and names cannot
// start a property of their own.
func TestNoPropertyInjection(t *testing.T) {
	c := sample()
	evil := "x\r\nATTENDEE:mailto:evil@example.com\r\nX-EVIL:1"
	c.Event.Summary, c.Event.Location, c.Event.Description = evil, evil, evil
	c.Event.Organizer.Name = evil
	c.Event.Attendees[0].Name = "a\";ROLE=CHAIR;X=\"" + evil
	data, err := Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	props := parse(t, data)
	if got := len(find(props, "ATTENDEE")); got != 2 {
		t.Errorf("%d ATTENDEE properties, want 2", got)
	}
	if len(find(props, "X-EVIL")) != 0 {
		t.Error("X-EVIL property injected")
	}
	if got := unescape(one(t, props, "SUMMARY").Value); got != "x\nATTENDEE:mailto:evil@example.com\nX-EVIL:1" {
		t.Errorf("SUMMARY = %q", got)
	}
	if att := find(props, "ATTENDEE")[0]; att.Params["ROLE"] != "REQ-PARTICIPANT" || att.Value != "mailto:taro@example.jp" {
		t.Errorf("CN broke out of its quotes: %+v", att)
	}
}
