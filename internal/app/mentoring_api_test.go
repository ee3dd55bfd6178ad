package app_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/mentoring"
)

type mapiPair struct {
	ID         int64   `json:"id"`
	MentorID   int64   `json:"mentor_id"`
	MenteeID   int64   `json:"mentee_id"`
	StartsOn   string  `json:"starts_on"`
	EndsOn     *string `json:"ends_on"`
	Interval   int     `json:"interval_months"`
	Side       string  `json:"side"`
	LastMetOn  *string `json:"last_met_on"`
	Version    int     `json:"version"`
	MenteeName string  `json:"mentee_name"`
}

type mapiMeeting struct {
	ID            int64    `json:"id"`
	Topics        []string `json:"topics"`
	Summary       string   `json:"summary"`
	MentorLearned string   `json:"mentor_learned"`
	MenteeLearned string   `json:"mentee_learned"`
}

// TestMentoringAPI: a coordinator pairs a doctor the office follows with a
// mentor; both record meetings and what they learned; strangers see
// nothing and read-only tokens write nothing.
func TestMentoringAPI(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newDapiWorld(t, env)
		today := mentoring.Day(env.Clock.Now())
		day := func(d time.Time) string { return d.Format(time.DateOnly) }
		mentorID := env.User("senpai@example.jp", "先輩 花子", identity.Grant{Role: identity.RoleDoctor}).ID
		strangerID := env.User("stranger@example.jp", "他人 次郎", identity.Grant{Role: identity.RoleDoctor}).ID
		mentee := papiTokens(t, env, "chiiki@example.jp", "", "write")[0]
		mentors := papiTokens(t, env, "senpai@example.jp", "", "write", "read")
		mentor, mentorRead := mentors[0], mentors[1]
		stranger := papiTokens(t, env, "stranger@example.jp", "", "write")[0]

		pairBody := func(menteeID int64, startsOn string) string {
			return fmt.Sprintf(`{"org_id":%d,"mentor_id":%d,"mentee_id":%d,"starts_on":%q,"note":"専門医取得に向けて"}`, w.univ, mentorID, menteeID, startsOn)
		}
		start := day(today.AddDate(0, 0, -30))
		// Only the office's coordinators arrange pairs, for doctors it follows.
		w.cc.problem(http.StatusNotFound, "POST", "/mentoring/pairs", pairBody(strangerID, start))
		if p := w.cc.problem(http.StatusBadRequest, "POST", "/mentoring/pairs", pairBody(w.doctorID, "先月")); p.Errors["starts_on"] == "" {
			t.Errorf("bad date: %v", p.Errors)
		}
		if p := w.cc.problem(http.StatusBadRequest, "POST", "/mentoring/pairs", fmt.Sprintf(`{"org_id":%d,"mentor_id":%d,"mentee_id":%d,"starts_on":%q}`,
			w.univ, w.doctorID, w.doctorID, start)); p.Errors["mentor_id"] == "" {
			t.Errorf("self-mentoring: %v", p.Errors)
		}
		w.officer.problem(http.StatusNotFound, "POST", "/mentoring/pairs", pairBody(w.doctorID, start))
		var pair mapiPair
		w.cc.must(http.StatusCreated, "POST", "/mentoring/pairs", pairBody(w.doctorID, start), &pair)
		if pair.StartsOn != start || pair.Interval != mentoring.DefaultIntervalMonths || pair.Version != 1 || pair.MenteeName != "地域 太郎" {
			t.Fatalf("pair: %+v", pair)
		}
		pp := fmt.Sprintf("/mentoring/pairs/%d", pair.ID)

		// Both parties see the pair, each on their side.
		var list struct {
			Pairs []mapiPair `json:"pairs"`
		}
		mentorRead.must(http.StatusOK, "GET", "/mentoring/pairs?open=true", nil, &list)
		if len(list.Pairs) != 1 || list.Pairs[0].Side != "mentor" {
			t.Fatalf("mentor's pairs: %+v", list)
		}
		mentee.must(http.StatusOK, "GET", pp, nil, &pair)
		if pair.Side != "mentee" {
			t.Fatalf("mentee's side: %+v", pair)
		}

		// The mentor and the mentee record meetings, each with their own
		// learning only.
		var m1, m2 mapiMeeting
		mentor.must(http.StatusCreated, "POST", pp+"/meetings", fmt.Sprintf(`{"held_on":%q,"mode":"online","topics":["専門医取得","研究"],
		  "summary":"専門医の取り方について話した","mentor_learned":"若手の不安を知った"}`, day(today.AddDate(0, 0, -7))), &m1)
		if p := mentee.problem(http.StatusBadRequest, "POST", pp+"/meetings", fmt.Sprintf(`{"held_on":%q,"mode":"in_person",
		  "summary":"x","mentor_learned":"代筆"}`, day(today))); p.Errors["mentor_learned"] == "" {
			t.Errorf("the other side's learning: %v", p.Errors)
		}
		if p := mentee.problem(http.StatusBadRequest, "POST", pp+"/meetings", `{"held_on":"2000-01-01","mode":"phone","summary":""}`); p.Errors["held_on"] == "" || p.Errors["mode"] == "" || p.Errors["summary"] == "" {
			t.Errorf("bad meeting: %v", p.Errors)
		}
		mentee.must(http.StatusCreated, "POST", pp+"/meetings", fmt.Sprintf(`{"held_on":%q,"mode":"in_person","summary":"研究テーマの相談",
		  "mentee_learned":"論文の探し方"}`, day(today)), &m2)
		mentee.must(http.StatusOK, "PUT", fmt.Sprintf("/mentoring/meetings/%d/reflection", m1.ID), `{"text":"焦らなくてよい"}`, &m1)
		if m1.MentorLearned != "若手の不安を知った" || m1.MenteeLearned != "焦らなくてよい" || len(m1.Topics) != 2 {
			t.Fatalf("reflected meeting: %+v", m1)
		}
		w.cc.problem(http.StatusForbidden, "PUT", fmt.Sprintf("/mentoring/meetings/%d/reflection", m1.ID), `{"text":"x"}`)
		var meetings struct {
			Meetings []mapiMeeting `json:"meetings"`
		}
		w.cc.must(http.StatusOK, "GET", pp+"/meetings", nil, &meetings)
		if len(meetings.Meetings) != 2 || meetings.Meetings[0].ID != m2.ID || meetings.Meetings[1].Summary != "専門医の取り方について話した" {
			t.Fatalf("meetings: %+v", meetings)
		}
		mentorRead.must(http.StatusOK, "GET", fmt.Sprintf("/mentoring/meetings/%d", m2.ID), nil, &m2)

		// A read-only token writes nothing; a stranger sees nothing.
		mentorRead.problem(http.StatusForbidden, "POST", pp+"/meetings", fmt.Sprintf(`{"held_on":%q,"mode":"online","summary":"x"}`, day(today)))
		mentorRead.problem(http.StatusForbidden, "PUT", fmt.Sprintf("/mentoring/meetings/%d/reflection", m1.ID), `{"text":"x"}`)
		for _, path := range []string{pp, pp + "/meetings", fmt.Sprintf("/mentoring/meetings/%d", m1.ID)} {
			stranger.problem(http.StatusNotFound, "GET", path, nil)
			w.otherOfficer.problem(http.StatusNotFound, "GET", path, nil)
		}
		stranger.problem(http.StatusNotFound, "POST", pp+"/meetings", fmt.Sprintf(`{"held_on":%q,"mode":"online","summary":"x"}`, day(today)))
		stranger.problem(http.StatusNotFound, "PATCH", pp, `{"version":1,"note":"x"}`)
		stranger.must(http.StatusOK, "GET", "/mentoring/pairs", nil, &list)
		if len(list.Pairs) != 0 {
			t.Fatalf("stranger's pairs: %+v", list)
		}

		// The coordinator edits the pair at the version seen, then ends it.
		mentee.problem(http.StatusForbidden, "PATCH", pp, `{"version":1,"note":"x"}`)
		w.cc.problem(http.StatusBadRequest, "PATCH", pp, `{"note":"x"}`)
		w.cc.problem(http.StatusBadRequest, "PATCH", pp, `{"version":1,"interval_months":13}`)
		w.cc.must(http.StatusOK, "PATCH", pp, fmt.Sprintf(`{"version":1,"interval_months":2,"ends_on":%q}`, day(today.AddDate(1, 0, 0))), &pair)
		if pair.Version != 2 || pair.Interval != 2 || pair.EndsOn == nil || pair.LastMetOn == nil || *pair.LastMetOn != day(today) {
			t.Fatalf("updated pair: %+v", pair)
		}
		w.cc.problem(http.StatusConflict, "PATCH", pp, `{"version":1,"note":"古い版"}`)
		w.cc.problem(http.StatusBadRequest, "POST", pp+"/end", `{}`)
		w.cc.problem(http.StatusConflict, "POST", pp+"/end", `{"version":1}`)
		w.cc.must(http.StatusOK, "POST", pp+"/end", `{"version":2}`, nil)
		mentor.problem(http.StatusConflict, "POST", pp+"/meetings", fmt.Sprintf(`{"held_on":%q,"mode":"online","summary":"x"}`, day(today)))
		mentor.must(http.StatusOK, "GET", "/mentoring/pairs?open=true", nil, &list)
		if len(list.Pairs) != 0 {
			t.Fatalf("open pairs after the end: %+v", list)
		}
	})
}
