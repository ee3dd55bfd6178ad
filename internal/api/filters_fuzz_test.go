package api

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/placement"
)

// The query-string parsers of the JSON API, fuzzed for their properties:
// nothing panics, what is wrong is an Invalid error naming the parameter
// rather than a silent default, what parses stays in range, and a parsed
// filter written back as a query parses to the same value. The seed
// corpora are in testdata/fuzz/<Target>/.

// queryRequest is a GET whose query is raw, as a client sent it.
func queryRequest(raw string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.URL.RawQuery = raw
	return r
}

// checkInvalid fails unless err is an Invalid error naming only keys, with
// valid UTF-8 messages.
func checkInvalid(t *testing.T, err error, keys ...string) {
	t.Helper()
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("error %v: code %q, want invalid", err, apperr.CodeOf(err))
	}
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		t.Fatalf("error %v names no field", err)
	}
	for k, msg := range fields {
		if !slices.Contains(keys, k) {
			t.Errorf("field %q is not a parameter (want one of %q)", k, keys)
		}
		if msg == "" || !utf8.ValidString(msg) {
			t.Errorf("field %q: message %q is empty or not UTF-8", k, msg)
		}
	}
}

// FuzzQueryInt fuzzes the non-negative integer parameters (limit, author,
// agent): absent is 0, a number is itself, anything else is named.
func FuzzQueryInt(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		n, err := queryInt(queryRequest(raw), "n")
		v := queryRequest(raw).URL.Query().Get("n")
		if err != nil {
			checkInvalid(t, err, "n")
			if want, perr := strconv.ParseInt(v, 10, 64); v == "" || perr == nil && want >= 0 {
				t.Errorf("n=%q refused", v)
			}
			return
		}
		if n < 0 {
			t.Errorf("n=%q read as %d", v, n)
		}
		if v == "" && n != 0 {
			t.Errorf("no n read as %d", n)
		}
		if again, err := queryInt(queryRequest("n="+strconv.FormatInt(n, 10)), "n"); err != nil || again != n {
			t.Errorf("round trip of %d: %d, %v", n, again, err)
		}
	})
}

// FuzzQueryYear fuzzes the dashboard's fiscal years: absent is the
// default, a number is itself, anything else is named.
func FuzzQueryYear(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		y, err := queryYear(queryRequest(raw), "year", 2026)
		v := queryRequest(raw).URL.Query().Get("year")
		if err != nil {
			checkInvalid(t, err, "year")
			return
		}
		if v == "" && y != 2026 {
			t.Errorf("no year read as %d", y)
		}
		if again, err := queryYear(queryRequest("year="+strconv.Itoa(y)), "year", 0); err != nil || again != y {
			t.Errorf("round trip of %d: %d, %v", y, again, err)
		}
	})
}

// FuzzSplitValues fuzzes repeated or comma-separated parameters: every
// part is non-empty, trimmed and free of commas, and joining them with
// commas gives the same parts back.
func FuzzSplitValues(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		parts := splitValues(queryRequest(raw), "stage")
		for _, p := range parts {
			if p == "" || p != strings.TrimSpace(p) || strings.Contains(p, ",") {
				t.Errorf("part %q of %q", p, raw)
			}
		}
		again := splitValues(queryRequest(url.Values{"stage": {strings.Join(parts, ",")}}.Encode()), "stage")
		if !slices.Equal(parts, again) {
			t.Errorf("round trip: %q, then %q", parts, again)
		}
	})
}

// FuzzCaseFilter fuzzes the placement case filter: every stage it keeps is
// a known stage, an unknown one is named, and the filter written back
// parses to the same filter.
func FuzzCaseFilter(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := caseFilter(queryRequest(raw))
		if err != nil {
			checkInvalid(t, err, "stage", "agent")
			return
		}
		for _, st := range got.Stages {
			if !st.Valid() {
				t.Errorf("stage %q accepted", st)
			}
		}
		if got.AgentID < 0 {
			t.Errorf("agent %d", got.AgentID)
		}
		v := url.Values{"q": {got.Query}, "agent": {strconv.FormatInt(got.AgentID, 10)}}
		for _, st := range got.Stages {
			v.Add("stage", string(st))
		}
		again, err := caseFilter(queryRequest(v.Encode()))
		if err != nil {
			t.Fatalf("re-parsing %q: %v", v.Encode(), err)
		}
		if again.Query != got.Query || again.AgentID != got.AgentID || !slices.Equal(again.Stages, got.Stages) {
			t.Errorf("round trip: %+v, then %+v", got, again)
		}
	})
}

// FuzzCSVEncoding fuzzes the enc parameter of the CSV exports: UTF-8 with
// a BOM or Shift_JIS, and anything else named rather than defaulted.
func FuzzCSVEncoding(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		enc, err := csvEncoding(queryRequest(raw))
		if err != nil {
			checkInvalid(t, err, "enc")
			return
		}
		if enc != excelcsv.UTF8BOM && enc != excelcsv.ShiftJIS {
			t.Errorf("enc in %q read as %q", raw, enc)
		}
		if enc.Charset() == "" || !utf8.ValidString(enc.Charset()) {
			t.Errorf("charset %q", enc.Charset())
		}
	})
}

// FuzzReportFilter fuzzes the agency report's period and agent: a date
// that does not parse is named, the bounds are JST midnights a whole
// number of days apart, and the dates written back parse to the same
// period.
func FuzzReportFilter(f *testing.F) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, jst)
	s := &Server{Placement: &placement.Service{Now: func() time.Time { return now }}}
	request := func(raw string) *http.Request {
		r := queryRequest(raw)
		r.SetPathValue("id", "7")
		return r
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := s.reportFilter(request(raw))
		if err != nil {
			checkInvalid(t, err, "from", "to", "agent")
			return
		}
		if got.AgencyID != 7 || got.AgentID < 0 {
			t.Errorf("agency %d, agent %d", got.AgencyID, got.AgentID)
		}
		from, to := got.Period.From.In(jst), got.Period.To.In(jst)
		for _, b := range []time.Time{from, to} {
			if b.Hour() != 0 || b.Minute() != 0 || b.Second() != 0 || b.Nanosecond() != 0 {
				t.Errorf("period bound %v is not a JST midnight", b)
			}
		}
		if from.Year() < 0 {
			// A default from before year 0 has no YYYY-MM-DD form to write
			// back (to=0000-01-01 alone); see the report on date ranges.
			return
		}
		v := url.Values{"from": {from.Format(time.DateOnly)}, "to": {to.AddDate(0, 0, -1).Format(time.DateOnly)},
			"agent": {strconv.FormatInt(got.AgentID, 10)}}
		again, err := s.reportFilter(request(v.Encode()))
		if err != nil {
			t.Fatalf("re-parsing %q: %v", v.Encode(), err)
		}
		if !again.Period.From.Equal(got.Period.From) || !again.Period.To.Equal(got.Period.To) || again.AgentID != got.AgentID {
			t.Errorf("round trip: %+v, then %+v", got, again)
		}
	})
}
