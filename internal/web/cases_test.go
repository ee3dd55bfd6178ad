package web

import (
	"net/url"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/placement"
)

func TestParseJSTDateTime(t *testing.T) {
	want := time.Date(2026, 4, 1, 5, 0, 0, 0, time.UTC)
	tests := map[string]bool{
		"2026-04-01T14:00":    true,
		"2026-04-01 14:00":    true,
		"２０２６-０４-０１ １４:００":    true, // full-width digits from an IME
		"2026-04-01T14:00:00": true,
		"2026-02-30T14:00":    false,
		"明日の14時":              false,
		"":                    false,
	}
	for in, ok := range tests {
		got, gotOK := parseJSTDateTime(in)
		if gotOK != ok || (ok && !got.Equal(want)) {
			t.Errorf("parseJSTDateTime(%q) = %v, %v; want ok=%v", in, got, gotOK, ok)
		}
	}
}

func TestInterviewFromForm(t *testing.T) {
	iv, fields := interviewFromForm(url.Values{"iv_date": {"2026-04-01"}, "starts_at": {"14:00"}, "ends_at": {"15:30"},
		"mode": {"online"}, "p_name_1": {"佐藤 花子"}, "p_email_1": {"hanako@example.jp"}, "p_role_1": {"institution"},
		"p_name_2": {" "}, "p_email_2": {""}})
	if len(fields) != 0 {
		t.Fatalf("fields: %v", fields)
	}
	if got := iv.EndsAt.Sub(iv.StartsAt); got != 90*time.Minute || iv.StartsAt.Hour() != 5 {
		t.Errorf("times: %v to %v", iv.StartsAt, iv.EndsAt)
	}
	if len(iv.Participants) != 1 {
		t.Errorf("participants: %v (blank rows must be skipped)", iv.Participants)
	}
	if _, fields := interviewFromForm(url.Values{"iv_date": {"来週"}, "starts_at": {"14:00"}}); fields["starts_at"] == "" {
		t.Errorf("an unreadable date is not reported: %v", fields)
	}
}

func TestProgressOf(t *testing.T) {
	states := func(steps []progressStep) string {
		out := ""
		for _, s := range steps {
			out += s.State[:1]
		}
		return out
	}
	tests := []struct {
		name     string
		stage    placement.Stage
		timeline []placement.Event
		want     string // d(one), c(urrent), t(odo) per pipeline stage
	}{
		{"at the start", placement.StageLead, nil, "cttttt"},
		{"at the interview", placement.StageInterview, nil, "ddddct"},
		{"declined after the interview", placement.StageDeclinedByInstitution,
			[]placement.Event{{Kind: placement.EventTransition, From: placement.StageInterview, To: placement.StageDeclinedByInstitution}}, "dddddt"},
		{"closed without a timeline", placement.StageWithdrawnByAgent, nil, "tttttt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := states(progressOf(&placement.Case{Stage: tt.stage}, tt.timeline)); got != tt.want {
				t.Errorf("progress = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestRenameFields(t *testing.T) {
	err := renameFields(apperr.InvalidFields(map[string]string{"note": "長すぎます", "reason": "選んでください"}),
		map[string]string{"note": "close_note"})
	got := apperr.FieldsOf(err)
	if got["close_note"] != "長すぎます" || got["reason"] != "選んでください" || got["note"] != "" {
		t.Errorf("fields = %v", got)
	}
	plain := apperr.E(apperr.Conflict, "stale")
	if renameFields(plain, map[string]string{"note": "x"}) != error(plain) {
		t.Error("an error without fields must come back as it is")
	}
}

func TestAgencyPageLink(t *testing.T) {
	one := agencyPage{Grant: identity.Grant{OrgID: 7}, All: []identity.Grant{{OrgID: 7}}}
	two := agencyPage{Grant: identity.Grant{OrgID: 7}, All: []identity.Grant{{OrgID: 7}, {OrgID: 9}}}
	for _, tt := range []struct {
		ag         agencyPage
		path, want string
	}{
		{one, "/agency/board", "/agency/board"},
		{two, "/agency/board", "/agency/board?org=7"},
		{two, "/agency/reports.csv?from=2026-01-01", "/agency/reports.csv?from=2026-01-01&org=7"},
	} {
		if got := tt.ag.Link(tt.path); got != tt.want {
			t.Errorf("Link(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestLocalPath(t *testing.T) {
	for in, want := range map[string]string{
		"/agency/board?agent=me": "/agency/board?agent=me",
		"":                       "/cases/1",
		"//evil.example/":        "/cases/1",
		"https://evil.example/":  "/cases/1",
		"/\\evil.example":        "/cases/1",
		"/\t/evil.example":       "/cases/1", // browsers drop the tab: //evil.example
		"/a/\n/evil":             "/cases/1",
		"/a\\b":                  "/cases/1",
	} {
		if got := localPath(in, "/cases/1"); got != want {
			t.Errorf("localPath(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReportFilter(t *testing.T) {
	now := time.Date(2026, 4, 1, 20, 0, 0, 0, time.UTC) // 2026-04-02 05:00 JST
	f, form, fields := reportFilter(url.Values{}, 3, now)
	if len(fields) != 0 || form.Get("to") != "2026-04-02" || form.Get("from") != "2026-01-03" {
		t.Fatalf("default period: %v %v", form, fields)
	}
	if days := f.Period.To.Sub(f.Period.From).Hours() / 24; days != defaultReportDays {
		t.Errorf("default period covers %v days", days)
	}
	if _, _, fields := reportFilter(url.Values{"from": {"2026-13-01"}, "agent": {"x"}}, 3, now); fields["from"] == "" || fields["agent"] == "" {
		t.Errorf("bad input not reported: %v", fields)
	}
}
