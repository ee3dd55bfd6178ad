package survey_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/survey"
)

// Ten mistaken posts from the clinic's Wi-Fi (a reception tablet, a
// carrier's CGNAT) do not lock the patients behind it out: only valid
// answers count, per survey and client, and a waiting room's worth of
// them fits in the hour. Another survey and another client keep their own
// counters.
func TestAnswerLimitPerSurveyCountsValidAnswers(t *testing.T) {
	if survey.AnswerRule.Limit < 30 {
		t.Errorf("AnswerRule allows %d answers an hour per survey and client, want at least 30", survey.AnswerRule.Limit)
	}
	eachEngine(t, func(t *testing.T, w *world) {
		sv := w.patientSurvey("外来患者満足度調査")
		other := w.patientSurvey("健診受診者アンケート")
		shared := "192.0.2.10"
		for range survey.AnswerRule.Limit + 5 {
			_, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, survey.Answers{}, shared) // nothing answered
			wantCode(t, err, apperr.Invalid)
		}
		for i := range survey.AnswerRule.Limit {
			if _, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 1+i%5, ""), shared); err != nil {
				t.Fatalf("valid answer %d from the shared address after invalid posts: %v", i+1, err)
			}
		}
		_, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 5, ""), shared)
		wantCode(t, err, apperr.RateLimited)
		// An invalid post over the limit is still told what is wrong.
		_, err = w.svc.SubmitPublic(w.ctx, sv.PublicSlug, survey.Answers{}, shared)
		wantCode(t, err, apperr.Invalid)

		if _, err := w.svc.SubmitPublic(w.ctx, other.PublicSlug, likert(other, 4, ""), shared); err != nil {
			t.Errorf("another survey from the same address: %v", err)
		}
		if _, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 4, ""), "192.0.2.11"); err != nil {
			t.Errorf("another client of the same survey: %v", err)
		}
		w.clock.Advance(survey.AnswerRule.Window)
		if _, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 4, ""), shared); err != nil {
			t.Errorf("next hour: %v", err)
		}
		res, err := w.svc.Results(w.ctx, w.staff, sv.ID)
		noErr(t, err)
		if want := survey.AnswerRule.Limit + 2; res.Responses != want {
			t.Errorf("%d responses, want %d", res.Responses, want)
		}
		for _, k := range w.limit.counted() {
			if !strings.HasPrefix(k, fmt.Sprintf("survey.answer:%d:", sv.ID)) && !strings.HasPrefix(k, fmt.Sprintf("survey.answer:%d:", other.ID)) {
				t.Errorf("counter %q is not per survey", k)
			}
		}
	})
}

// The limiter keeps no respondent's address: not in the key of a rule,
// not in the keys it counts.
func TestAnswerLimitKeepsNoAddress(t *testing.T) {
	for _, ip := range []string{"198.51.100.23", "2001:db8:1:2::17"} {
		if k := survey.AnswerRule.Name; strings.Contains(k, ip) {
			t.Fatal(k)
		}
	}
	eachEngine(t, func(t *testing.T, w *world) {
		sv := w.patientSurvey("外来患者満足度調査")
		for _, ip := range []string{"198.51.100.23", "2001:db8:1:2::17"} {
			_, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 5, ""), ip)
			noErr(t, err)
		}
		keys := w.limit.counted()
		if len(keys) != 2 {
			t.Fatalf("counted %v, want two keys", keys)
		}
		for _, k := range keys {
			for _, part := range []string{"198.51.100", "2001:db8", "2001:0db8"} {
				if strings.Contains(k, part) {
					t.Errorf("rate-limit key %q keeps the respondent's address", k)
				}
			}
		}
	})
}

// A patient's anonymous response keeps the hour only (created and
// updated), so that the time of a visit cannot single them out; an
// event survey's response keeps the instant.
func TestPatientResponseTimesKeepTheHour(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		sv := w.patientSurvey("外来患者満足度調査")
		w.clock.Advance(23*time.Minute + 17*time.Second) // 10:23:17 JST
		token, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 4, ""), "192.0.2.10")
		noErr(t, err)
		w.clock.Advance(time.Hour + 5*time.Minute) // 11:28:17 JST
		noErr(t, w.svc.SubmitEdit(w.ctx, token, likert(sv, 5, "")))
		list, err := w.db.Responses(w.ctx, sv.ID)
		noErr(t, err)
		if len(list) != 1 {
			t.Fatalf("%d responses", len(list))
		}
		hour := time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC)
		if r := list[0]; !r.CreatedAt.Equal(hour) || !r.UpdatedAt.Equal(hour.Add(time.Hour)) {
			t.Errorf("patient response stored at %v / %v, want %v / %v", r.CreatedAt, r.UpdatedAt, hour, hour.Add(time.Hour))
		}

		a := w.register(w.event, "北海 太郎", true)
		ev := w.eventSurvey("研修会アンケート")
		_, err = w.svc.OpenSurvey(w.ctx, w.member, ev.ID, ev.Version)
		noErr(t, err)
		ev, err = w.svc.Survey(w.ctx, w.member, ev.ID)
		noErr(t, err)
		noErr(t, w.svc.SubmitInvited(w.ctx, w.token(a.Email), likert(ev, 3, "")))
		list, err = w.db.Responses(w.ctx, ev.ID)
		noErr(t, err)
		if len(list) != 1 || !list[0].CreatedAt.Equal(w.clock.Now()) {
			t.Errorf("event response stored at %v, want the instant %v", list[0].CreatedAt, w.clock.Now())
		}
	})
}
