package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/mentoring"
)

func TestMentoringPages(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newRWebWorld(t, env)
		w.setUp(t)
		env.User("stranger@example.jp", "無関係 医師", identity.Grant{Role: identity.RoleDoctor})
		stranger := env.Client()
		stranger.Login("stranger@example.jp", "")
		today := mentoring.Day(env.Clock.Now())
		day := func(d time.Time) string { return d.Format(time.DateOnly) }

		// The coordinator picks the mentee among the doctors the office follows.
		r := pwebExpect(t, w.cc.Get("/mentoring"), http.StatusOK, "mentoring page")
		pwebContains(t, r, "mentoring page", "事務局のペア", "ペアはまだありません", "ペアを作る", "地域 太郎", "メンタリング")
		mentee := pwebFind(t, r, `<option value="(\d+)"`, "mentee option")
		pair := url.Values{"mentee_id": {mentee}, "mentor": {"other@example.jp"}, "starts_on": {day(today.AddDate(0, 0, -30))},
			"interval_months": {"2"}, "note": {"専門医取得と子育ての両立について"}}
		for _, c := range []struct {
			name, key, value, want string
		}{
			{"interval not a number", "interval_months", "三", "リマインドの間隔を数字"},
			{"interval too long", "interval_months", "24", "1〜12か月"},
			{"bad start", "starts_on", "先月", "開始日を YYYY-MM-DD"},
			{"unknown mentor", "mentor", "nobody@example.jp", "アカウントが見つかりません"},
			{"mentor is the mentee", "mentor", mentee, "別の医師"},
			{"mentor not a doctor", "mentor", "cc@okayama-u.example.jp", "医師として登録"},
			{"no mentee", "mentee_id", "", "メンティーを選んでください"},
			{"bad mentee", "mentee_id", "abc", "メンティーを選んでください"},
		} {
			bad := url.Values{}
			for k, v := range pair {
				bad[k] = v
			}
			bad.Set(c.key, c.value)
			r = pwebExpect(t, w.cc.Post("/mentoring/pairs", bad), http.StatusBadRequest, c.name)
			pwebContains(t, r, c.name, c.want)
		}
		// Another office does not follow the mentee.
		pwebExpect(t, w.rcc.Post("/mentoring/pairs", pair), http.StatusBadRequest, "another office's mentee")
		pwebExpect(t, stranger.Post("/mentoring/pairs", pair), http.StatusNotFound, "a doctor creating a pair")
		r = pwebExpect(t, w.cc.Post("/mentoring/pairs", pair), http.StatusSeeOther, "create pair")
		link := r.Location
		if !strings.HasPrefix(link, "/mentoring/pairs/") {
			t.Fatalf("create pair went to %q", link)
		}
		r = pwebExpect(t, w.cc.Get(link), http.StatusOK, "pair page for the coordinator")
		pwebContains(t, r, "pair page", "別 医師さんと地域 太郎さんのメンタリング", "ペアの設定を変更する", "ペアを終了する", "面談の記録はまだありません")

		// Strangers see nothing.
		pwebExpect(t, w.rcc.Get(link), http.StatusNotFound, "another office's coordinator")
		pwebExpect(t, stranger.Get(link), http.StatusNotFound, "a stranger doctor")
		pwebExpect(t, w.officer.Get(link), http.StatusNotFound, "the prefecture officer")
		pwebExpect(t, stranger.Post(link+"/meetings", url.Values{"held_on": {day(today)}, "mode": {"online"}, "summary": {"x"}}),
			http.StatusNotFound, "a stranger recording a meeting")
		pwebExpect(t, w.rcc.Post(link+"/end", url.Values{"version": {"1"}, "confirm": {"yes"}}), http.StatusNotFound, "another office ending")
		pwebExpect(t, w.cc.Get("/mentoring/pairs/abc"), http.StatusNotFound, "a bad pair id")
		pwebExpect(t, w.cc.Get("/mentoring/pairs/999999"), http.StatusNotFound, "no such pair")

		// The mentor records a meeting with what they learned.
		meeting := url.Values{"held_on": {day(today.AddDate(0, 0, -7))}, "mode": {"in_person"}, "topics": {"専門医取得、研究"},
			"summary": {"専門研修の選び方を話した。"}, "next_meeting": {day(today.AddDate(0, 1, 0))}, "learned": {"若手の不安が分かった。"}}
		for _, c := range []struct {
			name, key, value, want string
		}{
			{"bad date", "held_on", "先週", "面談日を YYYY-MM-DD"},
			{"future date", "held_on", day(today.AddDate(0, 0, 3)), "未来の日付"},
			{"before the start", "held_on", day(today.AddDate(0, 0, -60)), "ペアの開始日"},
			{"bad mode", "mode", "phone", "対面"},
			{"no summary", "summary", " ", "概要を入力"},
			{"next before held", "next_meeting", day(today.AddDate(0, 0, -20)), "面談日以降"},
			{"learned too long", "learned", strings.Repeat("あ", mentoring.MaxLearned+1), "学んだことは"},
		} {
			bad := url.Values{}
			for k, v := range meeting {
				bad[k] = v
			}
			bad.Set(c.key, c.value)
			r = pwebExpect(t, w.otherDoc.Post(link+"/meetings", bad), http.StatusBadRequest, c.name)
			pwebContains(t, r, c.name, c.want)
		}
		r = pwebExpect(t, w.otherDoc.Get(link), http.StatusOK, "pair page for the mentor")
		pwebContains(t, r, "mentor page", "別 医師さん（あなた）", "あなた（メンター）が学んだこと")
		if strings.Contains(r.Body, "ペアを終了する") || strings.Contains(r.Body, "監査ログ") {
			t.Fatal("the mentor is offered the coordinator's forms or the audit notice")
		}
		pwebExpect(t, w.otherDoc.Post(link+"/meetings", meeting), http.StatusSeeOther, "mentor records a meeting")

		// The mentee records the next one, and reflects on the first.
		second := url.Values{"held_on": {day(today)}, "mode": {"online"}, "summary": {"研究テーマを相談した。"}, "learned": {"論文の読み方。"}}
		pwebExpect(t, w.doc.Post(link+"/meetings", second), http.StatusSeeOther, "mentee records a meeting")
		r = pwebExpect(t, w.doc.Get(link), http.StatusOK, "pair page for the mentee")
		pwebContains(t, r, "mentee page", "専門研修の選び方を話した。", "研究テーマを相談した。", "若手の不安が分かった。", "論文の読み方。", "専門医取得・研究")
		var reflections []string
		for _, m := range regexp.MustCompile(`action="/mentoring/meetings/(\d+)/reflection"`).FindAllStringSubmatch(r.Body, -1) {
			reflections = append(reflections, m[1])
		}
		if len(reflections) != 2 {
			t.Fatalf("reflection forms: %d, want 2", len(reflections))
		}
		older := reflections[1] // the latest first
		key := "learned_" + older
		pwebExpect(t, w.doc.Post("/mentoring/meetings/"+older+"/reflection", url.Values{"pair": {strings.TrimPrefix(link, "/mentoring/pairs/")},
			key: {strings.Repeat("い", mentoring.MaxLearned+1)}}), http.StatusBadRequest, "reflection too long")
		pwebExpect(t, w.doc.Post("/mentoring/meetings/"+older+"/reflection", url.Values{key: {"比較の観点を学んだ。"}}), http.StatusSeeOther, "reflect")
		pwebExpect(t, stranger.Post("/mentoring/meetings/"+older+"/reflection", url.Values{key: {"x"}}), http.StatusNotFound, "a stranger reflecting")
		pwebExpect(t, w.doc.Post("/mentoring/meetings/abc/reflection", url.Values{}), http.StatusNotFound, "a bad meeting id")
		r = pwebExpect(t, w.doc.Get(link), http.StatusOK, "pair page after reflection")
		pwebContains(t, r, "reflection", "比較の観点を学んだ。")

		// Doctors find their pairs from the dashboard and the list.
		for _, c := range []*apptest.Client{w.doc, w.otherDoc} {
			pwebContains(t, pwebExpect(t, c.Get("/dashboard"), http.StatusOK, "dashboard"), "dashboard", `href="/mentoring"`)
			pwebContains(t, pwebExpect(t, c.Get("/mentoring"), http.StatusOK, "my pairs"), "my pairs", "あなたのペア", link)
		}
		if r = pwebExpect(t, stranger.Get("/dashboard"), http.StatusOK, "stranger dashboard"); strings.Contains(r.Body, `href="/mentoring"`) {
			t.Fatal("a doctor with no pair is offered mentoring")
		}
		pwebContains(t, pwebExpect(t, stranger.Get("/mentoring"), http.StatusOK, "stranger list"), "stranger list", "ペアはまだありません")
		pwebExpect(t, w.officer.Get("/mentoring"), http.StatusNotFound, "officer list")

		// The coordinator's read of the logs is audited; the list shows the last meeting.
		r = pwebExpect(t, w.cc.Get(link), http.StatusOK, "pair page with meetings for the coordinator")
		pwebContains(t, r, "coordinator read", "この閲覧は監査ログに記録されました", "研究テーマを相談した。")
		if strings.Contains(r.Body, "reflection") {
			t.Fatal("the coordinator is offered a reflection form")
		}
		pwebContains(t, pwebExpect(t, w.cc.Get("/mentoring"), http.StatusOK, "list"), "list", today.Format("2006/01/02"), "継続中")
		pwebExpect(t, w.doc.Post(link, url.Values{"version": {"1"}, "interval_months": {"3"}}), http.StatusForbidden, "the mentee editing the pair")

		// Versioned edit.
		edit := url.Values{"version": {"0"}, "interval_months": {"4"}, "ends_on": {day(today.AddDate(1, 0, 0))}, "note": {"研究も"}}
		r = pwebExpect(t, w.cc.Post(link, edit), http.StatusConflict, "stale edit")
		pwebContains(t, r, "stale edit", "最新の内容を読み込む")
		version := pwebFind(t, w.cc.Get(link), versionRE, "version")
		edit.Set("version", version)
		edit.Set("interval_months", "十")
		pwebExpect(t, w.cc.Post(link, edit), http.StatusBadRequest, "bad interval")
		edit.Set("interval_months", "4")
		edit.Set("ends_on", day(today.AddDate(0, -3, 0)))
		pwebExpect(t, w.cc.Post(link, edit), http.StatusBadRequest, "end before start")
		edit.Set("ends_on", day(today.AddDate(1, 0, 0)))
		pwebExpect(t, w.cc.Post(link, edit), http.StatusSeeOther, "edit")
		pwebContains(t, pwebExpect(t, w.cc.Get(link), http.StatusOK, "after edit"), "after edit", "4か月", "研究も")

		// Ending asks for confirmation; an ended pair takes no meetings.
		version = pwebFind(t, w.cc.Get(link), versionRE, "version")
		r = pwebExpect(t, w.cc.Post(link+"/end", url.Values{"version": {version}}), http.StatusBadRequest, "end unconfirmed")
		pwebContains(t, r, "end unconfirmed", "確認のチェック")
		pwebExpect(t, w.cc.Post(link+"/end", url.Values{"version": {"abc"}, "confirm": {"yes"}}), http.StatusConflict, "end with a bad version")
		pwebExpect(t, w.cc.Post(link+"/end", url.Values{"version": {version}, "confirm": {"yes"}}), http.StatusSeeOther, "end")
		r = pwebExpect(t, w.cc.Get(link), http.StatusOK, "ended pair")
		pwebContains(t, r, "ended pair", "終了（")
		if strings.Contains(r.Body, "面談を記録する") {
			t.Fatal("an ended pair offers the meeting form")
		}
		pwebExpect(t, w.doc.Post(link+"/meetings", second), http.StatusConflict, "a meeting of an ended pair")
		pwebContains(t, pwebExpect(t, w.cc.Get("/mentoring"), http.StatusOK, "list after end"), "list after end", "終了")
	})
}
