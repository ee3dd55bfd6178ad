package web

import (
	"maps"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/regional"
)

// The query-string parsers of the pages, fuzzed for their properties:
// nothing panics, what is wrong is an Invalid error naming the parameter
// (never a silent default where one is documented), what parses stays in
// range, and what a page writes back into its links parses to the same
// value. The seed corpora are in testdata/fuzz/<Target>/.

// checkInvalid fails unless err is an Invalid error whose fields are among
// keys and whose messages are valid UTF-8.
func checkInvalid(t *testing.T, err error, keys ...string) {
	t.Helper()
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("error %v: code %q, want invalid", err, apperr.CodeOf(err))
	}
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		t.Fatalf("error %v names no field", err)
	}
	checkFields(t, fields, keys...)
}

// checkFields fails unless every field is among keys with a valid UTF-8
// message.
func checkFields(t *testing.T, fields map[string]string, keys ...string) {
	t.Helper()
	for k, msg := range fields {
		if !slices.Contains(keys, k) {
			t.Errorf("field %q is not a parameter (want one of %q)", k, keys)
		}
		if msg == "" || !utf8.ValidString(msg) {
			t.Errorf("field %q: message %q is empty or not UTF-8", k, msg)
		}
	}
}

// filterValues writes a search filter back as the search page's query.
func filterValues(f openings.Filter) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", f.Text)
	set("kind", string(f.Kind))
	set("remote_kind", string(f.RemoteKind))
	set("specialty", f.Specialty)
	set("prefecture", f.Prefecture)
	if f.Weekday != nil {
		v.Set("weekday", strconv.Itoa(int(*f.Weekday)))
	}
	if f.MinPayUnit != "" {
		v.Set("min_pay", strconv.FormatInt(f.MinPayYen, 10))
		v.Set("pay_unit", string(f.MinPayUnit))
	}
	set("sort", string(f.Sort))
	set("after", f.After)
	return v
}

var filterKeys = []string{"q", "kind", "remote_kind", "specialty", "prefecture", "weekday", "min_pay", "pay_unit", "sort", "after"}

// FuzzSearchFilter fuzzes the openings search filter as the search page
// and saved searches read it (openings.ParseFilter).
func FuzzSearchFilter(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		got, err := openings.ParseFilter(raw)
		if err != nil {
			if _, perr := url.ParseQuery(raw); perr != nil {
				if !apperr.Is(err, apperr.Invalid) || !utf8.ValidString(apperr.MessageOf(err)) {
					t.Fatalf("ParseFilter(%q): %v, want an Invalid error", raw, err)
				}
				return
			}
			checkInvalid(t, err, filterKeys...)
			return
		}
		v, _ := url.ParseQuery(raw)
		if utf8.RuneCountInString(got.Text) > 200 {
			t.Errorf("keyword of %d characters accepted", utf8.RuneCountInString(got.Text))
		}
		if got.Kind != "" && !got.Kind.Valid() || got.RemoteKind != "" && !got.RemoteKind.Valid() {
			t.Errorf("kind %q / remote kind %q accepted", got.Kind, got.RemoteKind)
		}
		if v.Get("weekday") != "" && (got.Weekday == nil || *got.Weekday < time.Sunday || *got.Weekday > time.Saturday) {
			t.Errorf("weekday %q read as %v", v.Get("weekday"), got.Weekday)
		}
		if got.MinPayYen < 0 || got.MinPayYen > 1_000_000_000 {
			t.Errorf("min pay %d out of range", got.MinPayYen)
		}
		if got.MinPayUnit != "" && !got.MinPayUnit.Valid() {
			t.Errorf("pay unit %q accepted", got.MinPayUnit)
		}
		if len(got.After) > 40 {
			t.Errorf("cursor of %d bytes accepted", len(got.After))
		}
		again, err := openings.ParseFilter(filterValues(got).Encode())
		if err != nil {
			t.Fatalf("re-parsing %q: %v", filterValues(got).Encode(), err)
		}
		if !filtersEqual(got, again) {
			t.Errorf("round trip:\n got %+v\nthen %+v", got, again)
		}
	})
}

func filtersEqual(a, b openings.Filter) bool {
	wa, wb := a.Weekday, b.Weekday
	a.Weekday, b.Weekday = nil, nil
	return a == b && (wa == nil) == (wb == nil) && (wa == nil || *wa == *wb)
}

// FuzzReportFilter fuzzes the agency report's period and agent. A value
// that does not parse is named and the default stands in for it; the form
// the page writes back parses to the same filter with nothing named.
func FuzzReportFilter(f *testing.F) {
	f.Fuzz(func(t *testing.T, from, to, agent string, nowUnix int64) {
		now := time.Unix(nowUnix%(1<<33), 0) // within ±272 years of 1970
		q := url.Values{"from": {from}, "to": {to}, "agent": {agent}}
		got, form, fields := reportFilter(q, 7, now)
		checkFields(t, fields, "from", "to", "agent")
		if got.AgencyID != 7 || got.AgentID < 0 {
			t.Errorf("agency %d, agent %d", got.AgencyID, got.AgentID)
		}
		if _, bad := fields["agent"]; agent != "" && !bad {
			if n, err := strconv.ParseInt(agent, 10, 64); err != nil || n != got.AgentID {
				t.Errorf("agent %q read as %d", agent, got.AgentID)
			}
		}
		for _, t2 := range []time.Time{got.Period.From, got.Period.To} {
			if j := t2.In(JST); j.Hour() != 0 || j.Minute() != 0 || j.Second() != 0 || j.Nanosecond() != 0 {
				t.Errorf("period bound %v is not a JST midnight", t2)
			}
		}
		for k, vs := range form {
			for _, s := range vs {
				if !utf8.ValidString(s) {
					t.Errorf("form %s=%q is not UTF-8", k, s)
				}
			}
		}
		again, form2, fields2 := reportFilter(form, 7, now)
		if len(fields2) > 0 {
			t.Fatalf("the written-back form %v does not parse: %v", form, fields2)
		}
		if !again.Period.From.Equal(got.Period.From) || !again.Period.To.Equal(got.Period.To) || again.AgentID != got.AgentID {
			t.Errorf("round trip: %+v, then %+v", got, again)
		}
		if !maps.EqualFunc(form, form2, slices.Equal) {
			t.Errorf("form %v, then %v", form, form2)
		}
	})
}

// FuzzStatusFilter fuzzes the enrolment list's status filter.
func FuzzStatusFilter(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		st, err := statusFilter(url.Values{"status": {raw}})
		if err != nil {
			checkInvalid(t, err, "status")
			if raw == "" || obligation.Status(raw).Valid() {
				t.Errorf("status %q refused", raw)
			}
			return
		}
		if string(st) != raw || st != "" && !st.Valid() {
			t.Errorf("status %q read as %q", raw, st)
		}
	})
}

// FuzzDashboardYear fuzzes the regional dashboard's year: absent is 0,
// otherwise 2000–2100, and anything else is named rather than defaulted.
func FuzzDashboardYear(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string) {
		y, err := dashboardYear(raw)
		if err != nil {
			checkInvalid(t, err, "year")
			return
		}
		if raw == "" {
			if y != 0 {
				t.Errorf("no year read as %d", y)
			}
			return
		}
		if y < 2000 || y > 2100 {
			t.Errorf("year %q read as %d, out of range", raw, y)
		}
		if again, err := dashboardYear(strconv.Itoa(y)); err != nil || again != y {
			t.Errorf("round trip of %d: %d, %v", y, again, err)
		}
	})
}

// FuzzAreaFrom fuzzes the first year of the medical-area table: always a
// year the table can show, and a value that does not parse is named.
func FuzzAreaFrom(f *testing.F) {
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, JST)
	s := &Server{Regional: &regional.Service{Now: func() time.Time { return now }}}
	f.Fuzz(func(t *testing.T, raw string) {
		y, fields := s.areaFrom(url.Values{"from": {raw}})
		checkFields(t, fields, "from")
		if y < obligation.MinFiscalYear || y > obligation.MaxFiscalYear-areaYears+1 {
			t.Errorf("from %q read as %d, out of range", raw, y)
		}
		if len(fields) == 0 {
			if again, f2 := s.areaFrom(url.Values{"from": {strconv.Itoa(y)}}); len(f2) > 0 || again != y {
				t.Errorf("round trip of %d: %d, %v", y, again, f2)
			}
		}
	})
}

// FuzzRowCount fuzzes the row count a form claims: never below zero nor
// above the most the page allows.
func FuzzRowCount(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw string, most uint16) {
		n := rowCount(url.Values{"rows": {raw}}, "rows", int(most))
		if n < 0 || n > int(most) {
			t.Errorf("rowCount(%q, %d) = %d", raw, most, n)
		}
	})
}
