package survey_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/survey"
)

func TestBuilderValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		otherEvent := w.newEvent(w.other, "別の大学の研修会")
		otherSurvey, err := w.svc.CreateSurvey(w.ctx, w.outsider, w.other, survey.SurveyInput{Kind: survey.KindEvent,
			EventID: otherEvent.ID, Title: "別の大学のアンケート", Items: standardItems()})
		noErr(t, err)
		many := make([]survey.ItemInput, 51)
		for i := range many {
			many[i] = survey.ItemInput{Kind: survey.Likert, Label: fmt.Sprintf("質問%d", i+1)}
		}
		past := w.clock.Now().Add(-time.Minute)
		ok := func(in survey.SurveyInput) survey.SurveyInput {
			if in.Kind == "" {
				in.Kind = survey.KindEvent
			}
			if in.EventID == 0 && in.Kind == survey.KindEvent {
				in.EventID = w.event.ID
			}
			if in.Title == "" {
				in.Title = "研修会アンケート"
			}
			if in.Items == nil {
				in.Items = standardItems()
			}
			return in
		}
		tests := []struct {
			name  string
			in    survey.SurveyInput
			field string
		}{
			{"no title", ok(survey.SurveyInput{Title: "　"}), "title"},
			{"title too long", ok(survey.SurveyInput{Title: strings.Repeat("あ", 201)}), "title"},
			{"unknown kind", ok(survey.SurveyInput{Kind: "poll"}), "kind"},
			{"no items", ok(survey.SurveyInput{Items: []survey.ItemInput{}}), "items"},
			{"51 items", ok(survey.SurveyInput{Items: many}), "items"},
			{"empty label", ok(survey.SurveyInput{Items: []survey.ItemInput{{Kind: survey.Likert, Label: " "}}}), "items.0.label"},
			{"label too long", ok(survey.SurveyInput{Items: []survey.ItemInput{{Kind: survey.Text, Label: strings.Repeat("質", 501)}}}), "items.0.label"},
			{"unknown item kind", ok(survey.SurveyInput{Items: []survey.ItemInput{{Kind: "ranking", Label: "順位"}}}), "items.0.kind"},
			{"single with one choice", ok(survey.SurveyInput{Items: []survey.ItemInput{
				{Kind: survey.Likert, Label: "満足度"}, {Kind: survey.Single, Label: "参加方法", Choices: []string{"会場", " "}}}}), "items.1.choices"},
			{"multiple with 21 choices", ok(survey.SurveyInput{Items: []survey.ItemInput{
				{Kind: survey.Multiple, Label: "選択", Choices: strings.Split(strings.Repeat("x,", 20)+"y", ",")}}}), "items.0.choices"},
			{"duplicate choices after NFKC", ok(survey.SurveyInput{Items: []survey.ItemInput{
				{Kind: survey.Single, Label: "回数", Choices: []string{"１回", "1回", "2回"}}}}), "items.0.choices"},
			{"likert with choices", ok(survey.SurveyInput{Items: []survey.ItemInput{{Kind: survey.Likert, Label: "満足度", Choices: []string{"a", "b"}}}}), "items.0.choices"},
			{"text with choices", ok(survey.SurveyInput{Items: []survey.ItemInput{{Kind: survey.Text, Label: "感想", Choices: []string{"a"}}}}), "items.0.choices"},
			{"duplicate keys", ok(survey.SurveyInput{Items: []survey.ItemInput{{Key: "k", Kind: survey.Text, Label: "a"}, {Key: "k", Kind: survey.Text, Label: "b"}}}), "items.1.key"},
			{"event survey without event", survey.SurveyInput{Kind: survey.KindEvent, Title: "t", Items: standardItems()}, "event_id"},
			{"event of another organisation", ok(survey.SurveyInput{EventID: otherEvent.ID}), "event_id"},
			{"unknown event", ok(survey.SurveyInput{EventID: 99999}), "event_id"},
			{"previous run of another organisation", ok(survey.SurveyInput{PreviousID: otherSurvey.ID}), "previous_id"},
			{"closes in the past", ok(survey.SurveyInput{ClosesAt: &past}), "closes_at"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.svc.CreateSurvey(w.ctx, w.member, w.univ, tc.in)
				wantField(t, err, tc.field)
			})
		}

		t.Run("keys generated, choices normalised", func(t *testing.T) {
			sv, err := w.svc.CreateSurvey(w.ctx, w.member, w.univ, survey.SurveyInput{Kind: survey.KindEvent, EventID: w.event.ID,
				Title: "  研修会ｱﾝｹｰﾄ ", Items: []survey.ItemInput{
					{Kind: survey.Likert, Label: "満足度"},
					{Key: "q2", Kind: survey.Text, Label: "感想"},
					{Kind: survey.Single, Label: "参加方法", Choices: []string{"会場", "", "ｵﾝﾗｲﾝ"}},
				}})
			noErr(t, err)
			if sv.Title != "研修会アンケート" || sv.Status != survey.StatusDraft || sv.PublicSlug != "" {
				t.Errorf("survey = %+v", sv)
			}
			var keys []string
			for _, it := range sv.Items {
				keys = append(keys, it.Key)
			}
			if want := []string{"q1", "q2", "q3"}; !slices.Equal(keys, want) {
				t.Errorf("keys = %v, want %v", keys, want)
			}
			if want := []string{"会場", "オンライン"}; !slices.Equal(sv.Items[2].Choices, want) {
				t.Errorf("choices = %v, want %v", sv.Items[2].Choices, want)
			}
		})

		t.Run("patient survey gets a public slug", func(t *testing.T) {
			a := w.patientSurvey("外来患者満足度調査")
			b := w.patientSurvey("外来患者満足度調査 2")
			if len(a.PublicSlug) != 22 || a.PublicSlug == b.PublicSlug || a.EventID != 0 {
				t.Errorf("slugs %q %q, event %d", a.PublicSlug, b.PublicSlug, a.EventID)
			}
		})
	})
}

func TestItemsLockedAfterOpening(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		sv := w.eventSurvey("研修会アンケート")
		in := survey.SurveyInput{Title: "研修会アンケート(改)", EventID: w.event.ID, Items: append(standardItems(),
			survey.ItemInput{Kind: survey.Likert, Label: "また参加したいですか"}), Version: sv.Version}
		sv, err := w.svc.UpdateSurvey(w.ctx, w.member, sv.ID, in)
		noErr(t, err)
		if len(sv.Items) != 5 || sv.Title != "研修会アンケート(改)" {
			t.Fatalf("draft update: %d items, title %q", len(sv.Items), sv.Title)
		}
		_, err = w.svc.UpdateSurvey(w.ctx, w.member, sv.ID, survey.SurveyInput{Title: "古い版", EventID: w.event.ID,
			Items: standardItems(), Version: sv.Version - 1})
		wantCode(t, err, apperr.Conflict)

		_, err = w.svc.OpenSurvey(w.ctx, w.member, sv.ID, sv.Version)
		noErr(t, err)
		sv, err = w.svc.Survey(w.ctx, w.member, sv.ID)
		noErr(t, err)
		if sv.Status != survey.StatusOpen {
			t.Fatalf("status %s", sv.Status)
		}
		_, err = w.svc.UpdateSurvey(w.ctx, w.member, sv.ID, survey.SurveyInput{Title: sv.Title, Items: standardItems(), Version: sv.Version})
		wantCode(t, err, apperr.Conflict)
		if !strings.Contains(apperr.MessageOf(err), "質問は変更できません") {
			t.Errorf("message %q", apperr.MessageOf(err))
		}
		// The title may still change; the items stay as they are.
		ids := []int64{sv.Items[0].ID, sv.Items[4].ID}
		sv, err = w.svc.UpdateSurvey(w.ctx, w.member, sv.ID, survey.SurveyInput{Title: "研修会アンケート(確定)", Version: sv.Version})
		noErr(t, err)
		if sv.Title != "研修会アンケート(確定)" || len(sv.Items) != 5 || sv.Items[0].ID != ids[0] || sv.Items[4].ID != ids[1] {
			t.Errorf("after a title change: %q, %d items", sv.Title, len(sv.Items))
		}
		noErr(t, w.svc.CloseSurvey(w.ctx, w.member, sv.ID, sv.Version))
		_, err = w.svc.OpenSurvey(w.ctx, w.member, sv.ID, sv.Version+1)
		wantCode(t, err, apperr.Conflict)
	})
}

func TestEventInvitations(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		a := w.register(w.event, "北海 太郎", true)
		b := w.register(w.event, "青森 花子", true)
		absent := w.register(w.event, "欠席 次郎", false)
		sv := w.eventSurvey("研修会アンケート")

		n, err := w.svc.OpenSurvey(w.ctx, w.member, sv.ID, sv.Version)
		noErr(t, err)
		if n != 2 {
			t.Fatalf("invited %d, want 2", n)
		}
		for _, r := range []string{a.Email, b.Email} {
			ms := w.mails(r)
			if len(ms) != 1 || !strings.Contains(ms[0].Subject, "研修会アンケート") ||
				!strings.Contains(ms[0].Text, "https://hakui.example.jp/surveys/answer/") {
				t.Errorf("mails to %s: %+v", r, ms)
			}
		}
		if ms := w.mails(absent.Email); len(ms) != 0 {
			t.Errorf("the absent registrant got %d e-mails", len(ms))
		}

		// Again: nobody new.
		sv, err = w.svc.Survey(w.ctx, w.member, sv.ID)
		noErr(t, err)
		n, err = w.svc.OpenSurvey(w.ctx, w.member, sv.ID, sv.Version)
		noErr(t, err)
		if n != 0 || len(w.mails(a.Email)) != 1 {
			t.Errorf("second call invited %d; %d mails to the first", n, len(w.mails(a.Email)))
		}

		// A late check-in is invited next time, only them.
		now := w.clock.Now()
		noErr(t, w.db.SetCheckedIn(w.ctx, absent.ID, &now, w.member.UserID))
		n, err = w.svc.OpenSurvey(w.ctx, w.member, sv.ID, sv.Version)
		noErr(t, err)
		if n != 1 || len(w.mails(absent.Email)) != 1 || len(w.mails(b.Email)) != 1 {
			t.Errorf("late check-in: invited %d", n)
		}

		f, err := w.svc.InvitedForm(w.ctx, w.token(a.Email))
		noErr(t, err)
		if !f.Open || f.Response != nil || f.Survey.ID != sv.ID {
			t.Errorf("form %+v", f)
		}
		_, err = w.svc.InvitedForm(w.ctx, "not-a-token")
		wantCode(t, err, apperr.NotFound)

		res, err := w.svc.Results(w.ctx, w.member, sv.ID)
		noErr(t, err)
		if res.Invited != 3 || res.Responses != 0 {
			t.Errorf("results: invited %d, responses %d", res.Invited, res.Responses)
		}
	})
}

func TestAnswerValidation(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		sv := w.patientSurvey("外来患者満足度調査")
		lik, sgl, mul, txt := sv.Items[0].ID, sv.Items[1].ID, sv.Items[2].ID, sv.Items[3].ID
		key := func(id int64) string { return "item-" + strconv.FormatInt(id, 10) }
		tests := []struct {
			name  string
			a     survey.Answers
			field string
		}{
			{"required missing", survey.Answers{sgl: {Value: 0}}, key(lik)},
			{"required zero", survey.Answers{lik: {Value: 0}, txt: {Text: "よかった"}}, key(lik)},
			{"likert 6", survey.Answers{lik: {Value: 6}}, key(lik)},
			{"likert negative", survey.Answers{lik: {Value: -1}}, key(lik)},
			{"single out of range", survey.Answers{lik: {Value: 3}, sgl: {Value: 3}}, key(sgl)},
			{"single negative", survey.Answers{lik: {Value: 3}, sgl: {Value: -1}}, key(sgl)},
			{"multiple out of range", survey.Answers{lik: {Value: 3}, mul: {Choices: []int{0, 3}}}, key(mul)},
			{"multiple repeated", survey.Answers{lik: {Value: 3}, mul: {Choices: []int{1, 1}}}, key(mul)},
			{"text too long", survey.Answers{lik: {Value: 3}, txt: {Text: strings.Repeat("長", 5001)}}, key(txt)},
			{"unknown item", survey.Answers{lik: {Value: 3}, 99999: {Value: 1}}, "item-99999"},
		}
		for i, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				_, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, tc.a, fmt.Sprintf("198.51.100.%d", i))
				wantField(t, err, tc.field)
			})
		}

		t.Run("valid answers are normalised", func(t *testing.T) {
			token, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, survey.Answers{lik: {Value: 5}, sgl: {Value: 0},
				mul: {Choices: []int{2, 0}}, txt: {Text: "  ｽﾀｯﾌの対応が丁寧でした　"}}, "198.51.100.200")
			noErr(t, err)
			if len(token) != 43 {
				t.Errorf("edit token %q", token)
			}
			f, err := w.svc.EditForm(w.ctx, token)
			noErr(t, err)
			got := f.Response.Answers
			if got[lik].Value != 5 || got[sgl].Value != 0 || !slices.Equal(got[mul].Choices, []int{0, 2}) ||
				got[txt].Text != "スタッフの対応が丁寧でした" {
				t.Errorf("answers %+v", got)
			}
		})
	})
}

func TestOneResponsePerInvitation(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		a := w.register(w.event, "北海 太郎", true)
		sv := w.eventSurvey("研修会アンケート")
		_, err := w.svc.OpenSurvey(w.ctx, w.member, sv.ID, sv.Version)
		noErr(t, err)
		sv, err = w.svc.Survey(w.ctx, w.member, sv.ID) // the items as opened
		noErr(t, err)
		token := w.token(a.Email)

		noErr(t, w.svc.SubmitInvited(w.ctx, token, likert(sv, 3, "ふつう")))
		noErr(t, w.svc.SubmitInvited(w.ctx, token, likert(sv, 5, "とても役に立った")))

		res, err := w.svc.Results(w.ctx, w.member, sv.ID)
		noErr(t, err)
		if res.Responses != 1 || res.Invited != 1 {
			t.Fatalf("responses %d, invited %d", res.Responses, res.Invited)
		}
		f, err := w.svc.InvitedForm(w.ctx, token)
		noErr(t, err)
		if f.Response == nil || f.Response.Answers[sv.Items[0].ID].Value != 5 ||
			f.Response.Answers[sv.Items[3].ID].Text != "とても役に立った" {
			t.Errorf("the form shows %+v", f.Response)
		}

		sv, err = w.svc.Survey(w.ctx, w.member, sv.ID)
		noErr(t, err)
		noErr(t, w.svc.CloseSurvey(w.ctx, w.member, sv.ID, sv.Version))
		err = w.svc.SubmitInvited(w.ctx, token, likert(sv, 1, ""))
		wantCode(t, err, apperr.Conflict)
		if apperr.MessageOf(err) != "回答の受付は終了しました。" {
			t.Errorf("message %q", apperr.MessageOf(err))
		}
	})
}

func TestEditUntilClose(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		sv, err := w.svc.CreateSurvey(w.ctx, w.staff, w.clinic, survey.SurveyInput{Kind: survey.KindPatient, Title: "外来患者満足度調査",
			Items: []survey.ItemInput{{Kind: survey.Likert, Label: "満足度", Required: true}}})
		noErr(t, err)
		_, err = w.svc.PublicForm(w.ctx, sv.PublicSlug)
		wantCode(t, err, apperr.NotFound) // a draft
		closes := w.clock.Now().Add(24 * time.Hour)
		sv, err = w.svc.UpdateSurvey(w.ctx, w.staff, sv.ID, survey.SurveyInput{Title: sv.Title,
			Items: []survey.ItemInput{{Key: "q1", Kind: survey.Likert, Label: "満足度", Required: true}}, ClosesAt: &closes, Version: sv.Version})
		noErr(t, err)
		_, err = w.svc.OpenSurvey(w.ctx, w.staff, sv.ID, sv.Version)
		noErr(t, err)
		sv, err = w.svc.Survey(w.ctx, w.staff, sv.ID)
		noErr(t, err)
		item := sv.Items[0].ID

		token, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, survey.Answers{item: {Value: 2}}, "203.0.113.1")
		noErr(t, err)
		noErr(t, w.svc.SubmitEdit(w.ctx, token, survey.Answers{item: {Value: 4}}))
		f, err := w.svc.EditForm(w.ctx, token)
		noErr(t, err)
		if !f.Open || f.Response.Answers[item].Value != 4 {
			t.Errorf("form %+v, answers %+v", f, f.Response.Answers)
		}
		res, err := w.svc.Results(w.ctx, w.staff, sv.ID)
		noErr(t, err)
		if res.Responses != 1 {
			t.Errorf("%d responses after an edit", res.Responses)
		}

		w.clock.Advance(25 * time.Hour)
		err = w.svc.SubmitEdit(w.ctx, token, survey.Answers{item: {Value: 1}})
		wantCode(t, err, apperr.Conflict)
		_, err = w.svc.SubmitPublic(w.ctx, sv.PublicSlug, survey.Answers{item: {Value: 1}}, "203.0.113.2")
		wantCode(t, err, apperr.Conflict)
		f, err = w.svc.PublicForm(w.ctx, sv.PublicSlug)
		noErr(t, err)
		if f.Open || f.Reason != "回答の受付は終了しました。" {
			t.Errorf("public form after closing: open %v, reason %q", f.Open, f.Reason)
		}
		_, err = w.svc.EditForm(w.ctx, "unknown")
		wantCode(t, err, apperr.NotFound)
	})
}

func TestPublicRateLimit(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		sv := w.patientSurvey("外来患者満足度調査")
		for range survey.AnswerRule.Limit {
			_, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 4, ""), "192.0.2.10")
			noErr(t, err)
			w.clock.Advance(time.Minute)
		}
		_, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 4, ""), "192.0.2.10")
		wantCode(t, err, apperr.RateLimited)
		_, err = w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 4, ""), "192.0.2.11")
		noErr(t, err)

		res, err := w.svc.Results(w.ctx, w.staff, sv.ID)
		noErr(t, err)
		if res.Responses != survey.AnswerRule.Limit+1 {
			t.Errorf("%d responses, want %d", res.Responses, survey.AnswerRule.Limit+1)
		}
		_, err = w.svc.SubmitPublic(w.ctx, "no-such-slug-at-all-x", likert(sv, 4, ""), "192.0.2.12")
		wantCode(t, err, apperr.NotFound)
	})
}

// TestIssueFigure is the issue's survey: 88 responses, 74 of them 4 or
// 5, is 84.1% 高評価.
func TestIssueFigure(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		sv := w.patientSurvey("研修会の評価")
		values := map[int]int{5: 40, 4: 34, 3: 9, 2: 3, 1: 2}
		n := 0
		for v := 5; v >= 1; v-- {
			for range values[v] {
				n++
				_, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, v, ""), fmt.Sprintf("client-%d", n))
				noErr(t, err)
			}
		}
		res, err := w.svc.Results(w.ctx, w.staff, sv.ID)
		noErr(t, err)
		r := res.Items[0]
		if res.Responses != 88 || r.Responses != 88 || r.TopTwo != 74 || r.TopTwoLabel() != "84.1%" {
			t.Fatalf("responses %d/%d, top two %d, label %q", res.Responses, r.Responses, r.TopTwo, r.TopTwoLabel())
		}
		if math.Abs(r.TopTwoShare-7400.0/88) > 1e-9 {
			t.Errorf("share %v", r.TopTwoShare)
		}
		var counts []int
		for _, b := range r.Buckets {
			counts = append(counts, b.N)
		}
		if want := []int{2, 3, 9, 34, 40}; !slices.Equal(counts, want) {
			t.Errorf("buckets %v, want %v", counts, want)
		}
	})
}

func TestCompareRuns(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		last := w.patientSurvey("外来患者満足度調査 2025年度")
		for i, v := range []int{3, 3, 4, 2} {
			_, err := w.svc.SubmitPublic(w.ctx, last.PublicSlug, likert(last, v, ""), fmt.Sprintf("a%d", i))
			noErr(t, err)
		}
		next, err := w.svc.CopySurvey(w.ctx, w.staff, last.ID, "外来患者満足度調査 2026年度")
		noErr(t, err)
		if next.PreviousID != last.ID || next.Status != survey.StatusDraft || next.PublicSlug == last.PublicSlug || len(next.Items) != 4 {
			t.Fatalf("copy %+v", next)
		}
		for i := range next.Items {
			if next.Items[i].Key != last.Items[i].Key || next.Items[i].ID == last.Items[i].ID {
				t.Errorf("item %d: key %q vs %q", i, next.Items[i].Key, last.Items[i].Key)
			}
		}
		_, err = w.svc.OpenSurvey(w.ctx, w.staff, next.ID, next.Version)
		noErr(t, err)
		next, err = w.svc.Survey(w.ctx, w.staff, next.ID)
		noErr(t, err)
		for i, v := range []int{5, 4, 4, 3} {
			_, err := w.svc.SubmitPublic(w.ctx, next.PublicSlug, likert(next, v, ""), fmt.Sprintf("b%d", i))
			noErr(t, err)
		}
		res, err := w.svc.Results(w.ctx, w.staff, next.ID)
		noErr(t, err)
		if res.PreviousRun == nil || res.PreviousRun.ID != last.ID || len(res.Comparison) != 4 {
			t.Fatalf("previous %+v, %d comparisons", res.PreviousRun, len(res.Comparison))
		}
		c := res.Comparison[0]
		// This run: mean 4, top two 75%; last: mean 3, top two 25%.
		if c.Key != last.Items[0].Key || math.Abs(c.MeanDelta-1) > 1e-9 || math.Abs(c.TopTwoDelta-50) > 1e-9 {
			t.Errorf("comparison %+v", c)
		}
		direct, err := w.svc.Compare(w.ctx, w.staff, next.ID, last.ID)
		noErr(t, err)
		if len(direct) != 4 || math.Abs(direct[0].MeanDelta-1) > 1e-9 {
			t.Errorf("Compare %+v", direct)
		}
	})
}

func TestOutsidersNotFound(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		sv := w.eventSurvey("研修会アンケート")
		var buf bytes.Buffer
		calls := map[string]func() error{
			"Survey": func() error { _, err := w.svc.Survey(w.ctx, w.outsider, sv.ID); return err },
			"Update": func() error {
				_, err := w.svc.UpdateSurvey(w.ctx, w.outsider, sv.ID, survey.SurveyInput{Title: "x", Version: 1})
				return err
			},
			"Copy":    func() error { _, err := w.svc.CopySurvey(w.ctx, w.outsider, sv.ID, ""); return err },
			"Open":    func() error { _, err := w.svc.OpenSurvey(w.ctx, w.outsider, sv.ID, sv.Version); return err },
			"Close":   func() error { return w.svc.CloseSurvey(w.ctx, w.outsider, sv.ID, sv.Version) },
			"Results": func() error { _, err := w.svc.Results(w.ctx, w.outsider, sv.ID); return err },
			"Compare": func() error { _, err := w.svc.Compare(w.ctx, w.outsider, sv.ID, sv.ID); return err },
			"TagComment": func() error {
				return w.svc.TagComment(w.ctx, w.outsider, sv.ID, 1, sv.Items[3].ID, []string{"改善要望"})
			},
			"Export":      func() error { return w.svc.ExportResponses(w.ctx, w.outsider, sv.ID, &buf, survey.UTF8BOM) },
			"Summary":     func() error { return w.svc.ExportSummary(w.ctx, w.outsider, sv.ID, &buf, survey.ShiftJIS) },
			"Other staff": func() error { _, err := w.svc.Results(w.ctx, w.staff, sv.ID); return err },
			"Unknown ID":  func() error { _, err := w.svc.Survey(w.ctx, w.member, sv.ID+1000); return err },
		}
		for name, call := range calls {
			t.Run(name, func(t *testing.T) { wantCode(t, call(), apperr.NotFound) })
		}
		if buf.Len() != 0 {
			t.Errorf("an outsider got %d bytes of CSV", buf.Len())
		}
		_, err := w.svc.CreateSurvey(w.ctx, w.outsider, w.univ, survey.SurveyInput{Kind: survey.KindEvent, EventID: w.event.ID,
			Title: "t", Items: standardItems()})
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.Surveys(w.ctx, w.outsider, w.univ, 0)
		wantCode(t, err, apperr.Forbidden)
		list, err := w.svc.Surveys(w.ctx, w.member, w.univ, w.event.ID)
		noErr(t, err)
		if len(list) != 1 || list[0].ID != sv.ID {
			t.Errorf("list %+v", list)
		}
	})
}

func TestTagComment(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		sv := w.patientSurvey("外来患者満足度調査")
		_, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 2, "待ち時間が長い"), "c1")
		noErr(t, err)
		_, err = w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 5, ""), "c2")
		noErr(t, err)
		res, err := w.svc.Results(w.ctx, w.staff, sv.ID)
		noErr(t, err)
		txt := res.Items[3]
		if len(txt.Comments) != 1 {
			t.Fatalf("comments %+v", txt.Comments)
		}
		rid := txt.Comments[0].ResponseID

		tests := []struct {
			name string
			tags []string
			code apperr.Code
		}{
			{"too long", []string{strings.Repeat("長", 41)}, apperr.Invalid},
			{"eleven", strings.Split("a,b,c,d,e,f,g,h,i,j,k", ","), apperr.Invalid},
			{"not a text item", nil, apperr.NotFound},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				item := sv.Items[3].ID
				if tc.tags == nil {
					item = sv.Items[0].ID
				}
				wantCode(t, w.svc.TagComment(w.ctx, w.staff, sv.ID, rid, item, tc.tags), tc.code)
			})
		}
		noErr(t, w.svc.TagComment(w.ctx, w.staff, sv.ID, rid, sv.Items[3].ID, []string{"改善要望", " 改善要望", "ﾏﾁｼﾞｶﾝ"}))
		res, err = w.svc.Results(w.ctx, w.staff, sv.ID)
		noErr(t, err)
		if got := res.Items[3].Comments[0].Tags; !slices.Equal(got, []string{"マチジカン", "改善要望"}) && !slices.Equal(got, []string{"改善要望", "マチジカン"}) {
			t.Errorf("tags %v", got)
		}
	})
}

func TestCSVRoundTrip(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		sv := w.patientSurvey("外来患者満足度調査")
		l, s, m, x := sv.Items[0].ID, sv.Items[1].ID, sv.Items[2].ID, sv.Items[3].ID
		_, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, survey.Answers{l: {Value: 5}, s: {Value: 2},
			m: {Choices: []int{0, 2}}, x: {Text: "説明が丁寧でした。\n駐車場〜広い"}}, "c1")
		noErr(t, err)
		_, err = w.svc.SubmitPublic(w.ctx, sv.PublicSlug, survey.Answers{l: {Value: 4}, x: {Text: "=待ち時間が長い😀"}}, "c2")
		noErr(t, err)

		for _, enc := range []survey.Encoding{survey.UTF8BOM, survey.ShiftJIS} {
			t.Run(string(enc), func(t *testing.T) {
				var buf bytes.Buffer
				noErr(t, w.svc.ExportResponses(w.ctx, w.staff, sv.ID, &buf, enc))
				rows := parseCSV(t, buf.Bytes(), enc)
				// A patient survey shows no stored ID and no time of day, and
				// numbers the rows in an order unrelated to arrival.
				want := [][]string{
					{"番号", "受付日", "医師の説明はわかりやすかったですか", "待ち時間", "良かった点", "ご意見"},
					{"", "2026-11-23", "5", "長い", "説明、受付", "説明が丁寧でした。\n駐車場〜広い"},
					{"", "2026-11-23", "4", "", "", "'=待ち時間が長い😀"},
				}
				if enc == survey.ShiftJIS {
					want[1][5] = "説明が丁寧でした。\n駐車場～広い"
					want[2][5] = "'=待ち時間が長い〓"
				}
				if len(rows) != len(want) {
					t.Fatalf("rows %q", rows)
				}
				for i := range want {
					if i > 0 {
						if rows[i][0] != strconv.Itoa(i) {
							t.Errorf("row %d: number %q", i, rows[i][0])
						}
						rows[i][0] = ""
					}
				}
				if len(rows) == 3 && rows[1][2] == "4" {
					rows[1], rows[2] = rows[2], rows[1]
				}
				for i := range want {
					if !slices.Equal(rows[i], want[i]) {
						t.Errorf("row %d = %q, want %q", i, rows[i], want[i])
					}
				}

				buf.Reset()
				noErr(t, w.svc.ExportSummary(w.ctx, w.staff, sv.ID, &buf, enc))
				rows = parseCSV(t, buf.Bytes(), enc)
				if len(rows) != 5 || rows[0][0] != "質問" || rows[0][2] != "回答数" {
					t.Fatalf("summary %q", rows)
				}
				lik := rows[1]
				if lik[0] != "医師の説明はわかりやすかったですか" || lik[2] != "2" || lik[3] != "4.50" || lik[4] != "100.0%" {
					t.Errorf("likert row %q", lik)
				}
				if lik[6] != "0" || lik[12] != "1" || lik[14] != "1" {
					t.Errorf("likert buckets %q", lik[5:])
				}
				single := rows[2]
				if single[2] != "1" || single[5] != "短い" || single[9] != "長い" || single[10] != "1" || single[3] != "" {
					t.Errorf("single row %q", single)
				}
			})
		}
	})
}

// parseCSV decodes an export and reads it back.
func parseCSV(t *testing.T, data []byte, enc survey.Encoding) [][]string {
	t.Helper()
	if enc == survey.ShiftJIS {
		if bytes.HasPrefix(data, []byte("\uFEFF")) {
			t.Fatal("Shift_JIS export starts with a BOM")
		}
		dec, err := japanese.ShiftJIS.NewDecoder().Bytes(data)
		noErr(t, err)
		data = dec
	} else {
		rest, ok := bytes.CutPrefix(data, []byte("\uFEFF"))
		if !ok {
			t.Fatal("UTF-8 export without a BOM")
		}
		data = rest
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Error("no CRLF line endings")
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	noErr(t, err)
	return rows
}
