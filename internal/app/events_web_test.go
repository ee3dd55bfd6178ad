package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	jpenc "golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/events"
)

// eventsRegisterForm is a guest's registration form.
func eventsRegisterForm(name, email, pref string, att events.Attendance) url.Values {
	return url.Values{"name": {name}, "email": {email}, "prefecture": {pref}, "organisation": {"白衣病院"},
		"role": {string(events.RoleCC)}, "attendance": {string(att)}}
}

var manageLinkRE = `/events/registrations/([A-Za-z0-9_\-]+)`

// registerThroughForm registers a guest on the event's page and returns
// the manage path shown once.
func registerThroughForm(t *testing.T, c *apptest.Client, eventID int64, form url.Values, want string) string {
	t.Helper()
	r := pwebExpect(t, c.Post("/events/"+itoa(eventID)+"/register", form), http.StatusOK, "register "+form.Get("name"))
	pwebContains(t, r, "registered "+form.Get("name"), want, "この画面でだけ表示されます")
	return "/events/registrations/" + pwebFind(t, r, manageLinkRE, "manage link")
}

// TestEventPagesRegistration walks a guest's registration through the
// forms: the places, the waiting list, a cancellation through the manage
// link that moves the next one up, the organiser's check-in, the CSV
// downloads, and outsiders kept out.
func TestEventPagesRegistration(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newEventsWorld(t, env)
		ev := w.hybridEvent(t, "地域医療キャリア研修会", 2)
		path := "/events/" + itoa(ev.ID)

		// The list and the event page, for anyone; never the online URL.
		r := pwebExpect(t, w.anonymous().Get("/events"), http.StatusOK, "events list")
		pwebContains(t, r, "events list", ev.Title, "会場の残り 2席")
		r = pwebExpect(t, w.anonymous().Get(path), http.StatusOK, "event page")
		pwebContains(t, r, "event page", "地域枠制度の現状", "白衣大学 医学部 講堂", `name="prefecture"`, `name="attendance"`, "東京都", "キャリアコーディネーター")
		if strings.Contains(r.Body, eventsOnlineURL) {
			t.Fatal("the online URL is shown to a visitor")
		}
		// A signed-in doctor finds the form prefilled.
		pwebContains(t, pwebExpect(t, w.doctor.c.Get(path), http.StatusOK, "doctor's event page"), "doctor's event page", `value="doctor@example.jp"`)

		// Errors stay beside the fields with the input kept.
		bad := eventsRegisterForm("", "not-an-address", "", events.AttendVenue)
		bad.Set("organisation", "白衣クリニック")
		r = pwebExpect(t, w.anonymous().Post(path+"/register", bad), http.StatusBadRequest, "invalid registration")
		pwebContains(t, r, "invalid registration", "白衣クリニック", "not-an-address", `class="field-error"`)

		guestA, guestB, guestC := w.anonymous(), w.anonymous(), w.anonymous()
		linkA := registerThroughForm(t, guestA, ev.ID, eventsRegisterForm("佐藤 一郎", "sato@example.jp", "東京都", events.AttendVenue), "参加確定")
		registerThroughForm(t, guestB, ev.ID, eventsRegisterForm("鈴木 二郎", "suzuki@example.jp", "大阪府", events.AttendVenue), "参加確定")
		// The venue is full: the page says so and the next one waits.
		pwebContains(t, pwebExpect(t, w.anonymous().Get(path), http.StatusOK, "full event"), "full event", "キャンセル待ち")
		linkC := registerThroughForm(t, guestC, ev.ID, eventsRegisterForm("高橋 三郎", "takahashi@example.jp", "北海道", events.AttendVenue), "キャンセル待ち")
		r = pwebExpect(t, guestC.Get(linkC), http.StatusOK, "waiting status")
		pwebContains(t, r, "waiting status", "キャンセル待ち")
		if strings.Contains(r.Body, eventsOnlineURL) {
			t.Fatal("a waitlisted guest sees the online URL")
		}
		pwebContains(t, guestA.Get(linkA), "A's online URL", eventsOnlineURL)

		// GET never changes state: the cancel path is a POST only.
		if r := guestA.Get(linkA + "/cancel"); r.Status < 400 {
			t.Fatalf("GET cancel: status %d", r.Status)
		}
		pwebContains(t, pwebExpect(t, guestA.Get(linkA), http.StatusOK, "A's status"), "A's status", "参加確定", "参加をキャンセルする")

		// A cancels through the manage link; C moves up.
		pwebExpect(t, guestA.Post(linkA+"/cancel", url.Values{}), http.StatusSeeOther, "cancel A")
		pwebContains(t, pwebExpect(t, guestA.Get(linkA), http.StatusOK, "A cancelled"), "A cancelled", "キャンセル済み")
		pwebContains(t, pwebExpect(t, guestA.Post(linkA+"/cancel", url.Values{}), http.StatusConflict, "cancel twice"), "cancel twice", "最新の状態を読み込む")
		pwebContains(t, pwebExpect(t, guestC.Get(linkC), http.StatusOK, "C promoted"), "C promoted", "参加確定", "繰り上がりました", eventsOnlineURL)

		// A signed-in doctor registers online; their list and dashboard show it.
		registerThroughForm(t, w.doctor.c, ev.ID, eventsRegisterForm(w.doctor.Name(), w.doctor.Email(), "東京都", events.AttendOnline), "参加確定（オンライン）")
		pwebContains(t, pwebExpect(t, w.doctor.c.Get("/events"), http.StatusOK, "doctor's events"), "doctor's events", "申し込んだ研修会", ev.Title, "オンライン")
		pwebContains(t, pwebExpect(t, w.doctor.c.Get("/dashboard"), http.StatusOK, "doctor's dashboard"), "doctor's dashboard",
			"申し込んだ研修会", ev.Title, `href="/events"`)
		pwebContains(t, pwebExpect(t, w.doctor.c.Get(path), http.StatusOK, "doctor registered"), "doctor registered", "申し込み済み", eventsOnlineURL)
		pwebContains(t, pwebExpect(t, w.organiser.c.Get("/dashboard"), http.StatusOK, "organiser's dashboard"), "organiser's dashboard",
			"白衣大学 キャリアコーディネーター室の研修会", "/orgs/"+itoa(w.uni)+"/events")

		// The organiser checks C in and out again.
		org := w.organiser.c
		r = pwebExpect(t, org.Get(path+"/manage"), http.StatusOK, "manage")
		pwebContains(t, r, "manage", "佐藤 一郎", "鈴木 二郎", "高橋 三郎", "participants.csv?enc=shift_jis", "東京都")
		regs, err := env.Main.Events.Registrations(context.Background(), w.actor(t, w.organiser), ev.ID, events.Registered)
		if err != nil {
			t.Fatal(err)
		}
		var rid int64
		for _, reg := range regs {
			if reg.Name == "高橋 三郎" {
				rid = reg.ID
			}
		}
		if rid == 0 {
			t.Fatalf("C is not registered: %+v", regs)
		}
		checkin := path + "/registrations/" + itoa(rid) + "/checkin"
		pwebExpect(t, org.Post(checkin, url.Values{"present": {"1"}}), http.StatusSeeOther, "check in")
		if n := strings.Count(org.Get(path+"/manage").Body, `<span class="badge ok">受付済み`); n != 1 {
			t.Fatalf("checked in rows = %d, want 1", n)
		}
		pwebExpect(t, org.Post(checkin, url.Values{"present": {"0"}}), http.StatusSeeOther, "check out")
		if n := strings.Count(org.Get(path+"/manage").Body, `<span class="badge ok">受付済み`); n != 0 {
			t.Fatalf("checked in rows after clearing = %d, want 0", n)
		}

		// The downloads parse: UTF-8 with a BOM, and Shift_JIS.
		r = pwebExpect(t, org.Get(path+"/participants.csv?enc=utf-8"), http.StatusOK, "participants utf-8")
		if !strings.HasPrefix(r.Body, "\xEF\xBB\xBF") {
			t.Fatal("UTF-8 CSV without a BOM")
		}
		rows := parseCSV(t, strings.TrimPrefix(r.Body, "\xEF\xBB\xBF"))
		if len(rows) < 4 || !strings.Contains(strings.Join(rows[0], ","), "都道府県") {
			t.Fatalf("participants CSV: %q", rows)
		}
		r = pwebExpect(t, org.Get(path+"/participants.csv?enc=shift_jis"), http.StatusOK, "participants shift_jis")
		if !strings.Contains(r.Header.Get("Content-Type"), "shift_jis") {
			t.Fatalf("Shift_JIS content type %q", r.Header.Get("Content-Type"))
		}
		decoded, err := io.ReadAll(transform.NewReader(strings.NewReader(r.Body), jpenc.ShiftJIS.NewDecoder()))
		if err != nil {
			t.Fatal(err)
		}
		if rows := parseCSV(t, string(decoded)); !strings.Contains(joinRows(rows), "高橋 三郎") {
			t.Fatalf("Shift_JIS CSV: %q", rows)
		}
		r = pwebExpect(t, org.Get(path+"/counts.csv?enc=utf-8"), http.StatusOK, "counts")
		if rows := parseCSV(t, strings.TrimPrefix(r.Body, "\xEF\xBB\xBF")); !strings.Contains(joinRows(rows), "大阪府") {
			t.Fatalf("counts CSV: %q", rows)
		}

		// Outsiders find no organiser page.
		for _, p := range []string{path + "/manage", path + "/edit", path + "/groups", path + "/groups/print", path + "/materials",
			path + "/participants.csv", "/orgs/" + itoa(w.uni) + "/events", "/orgs/" + itoa(w.uni) + "/events/new",
			"/orgs/" + itoa(w.uni) + "/surveys"} {
			pwebExpect(t, w.outsider.c.Get(p), http.StatusNotFound, "outsider "+p)
			pwebExpect(t, w.officer.c.Get(p), http.StatusNotFound, "officer "+p)
		}
		pwebExpect(t, w.outsider.c.Post(checkin, url.Values{"present": {"1"}}), http.StatusNotFound, "outsider check-in")
	})
}

func parseCSV(t *testing.T, body string) [][]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v\n%s", err, body)
	}
	return rows
}

func joinRows(rows [][]string) string {
	var b bytes.Buffer
	for _, r := range rows {
		b.WriteString(strings.Join(r, ",") + "\n")
	}
	return b.String()
}

// TestEventPagesOrganiser creates an event through the form, assigns
// groups and prints them, and shares materials: a public one opens for
// anyone, a registrants-only one is refused to a visitor and opens with
// a registrant's link, and one by request opens after approval.
func TestEventPagesOrganiser(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newEventsWorld(t, env)
		org := w.organiser.c
		orgPath := "/orgs/" + itoa(w.uni) + "/events"
		pwebContains(t, pwebExpect(t, org.Get("/events"), http.StatusOK, "events for an organiser"), "events for an organiser", orgPath)

		// The form keeps the input on errors, then creates a draft.
		in := w.eventInput("春の研修会", 30)
		form := url.Values{"title": {in.Title}, "description": {in.Description}, "starts_at": {"2099-13-01T10:00"},
			"ends_at": {in.EndsAt.In(career.JST).Format("2006-01-02T15:04")}, "registration_deadline": {in.RegistrationDeadline.In(career.JST).Format("2006-01-02T15:04")},
			"mode": {"hybrid"}, "venue": {in.Venue}, "venue_capacity": {"30"}, "online_url": {in.OnlineURL}, "audience": {"open"},
			"talk_title": {"基調講演", ""}, "talk_speaker": {"白衣 花子", ""}, "talk_time": {"10:30", ""}, "talk_minutes": {"45", ""}}
		pwebExpect(t, org.Get(orgPath+"/new"), http.StatusOK, "new event form")
		r := pwebExpect(t, org.Post(orgPath+"/new", form), http.StatusBadRequest, "bad start")
		pwebContains(t, r, "bad start", "日時を", "基調講演", "白衣 花子")
		form.Set("starts_at", in.StartsAt.In(career.JST).Format("2006-01-02T15:04"))
		r = pwebExpect(t, org.Post(orgPath+"/new", form), http.StatusSeeOther, "create event")
		id := mustInt(t, pwebFind(t, &apptest.Response{Body: r.Location}, `^/events/(\d+)/manage$`, "event path"))
		path := "/events/" + itoa(id)
		r = pwebExpect(t, org.Get(path+"/edit"), http.StatusOK, "edit form")
		pwebContains(t, r, "edit form", `value="基調講演"`, `value="10:30"`)
		version := pwebFind(t, org.Get(path+"/manage"), versionRE, "event version")
		pwebExpect(t, org.Post(path+"/status", url.Values{"status": {"published"}, "version": {version}}), http.StatusSeeOther, "publish")
		pwebContains(t, pwebExpect(t, w.anonymous().Get(path), http.StatusOK, "published"), "published", "基調講演", "45分")
		// A stale form is a conflict with a way to reload.
		r = pwebExpect(t, org.Post(path+"/status", url.Values{"status": {"cancelled"}, "version": {version}, "confirm": {"1"}}), http.StatusConflict, "stale status")
		pwebContains(t, r, "stale status", "最新の状態を読み込む", `href="`+path+`/manage"`)

		// Groups: 9 checked-in people, 3 groups over 2 themes.
		guests := w.registerGuests(t, id, 0, 9, events.AttendVenue)
		w.checkIn(t, guests...)
		pwebExpect(t, org.Get(path+"/groups"), http.StatusOK, "groups form")
		r = pwebExpect(t, org.Post(path+"/groups", url.Values{"groups": {"0"}, "themes": {"地域医療"}, "version": {"0"}}), http.StatusBadRequest, "no groups")
		pwebContains(t, r, "no groups", "地域医療")
		pwebExpect(t, org.Post(path+"/groups", url.Values{"groups": {"3"}, "themes": {"地域医療\nキャリア形成"}, "seed": {"42"}, "version": {"0"}}),
			http.StatusSeeOther, "assign groups")
		r = pwebExpect(t, org.Get(path+"/groups"), http.StatusOK, "groups")
		if n := strings.Count(r.Body, `class="group card"`); n != 3 {
			t.Fatalf("groups on the page = %d, want 3", n)
		}
		pwebContains(t, r, "groups", "地域医療", "キャリア形成", guests[0].Name, guests[0].Prefecture, "シード 42")
		r = pwebExpect(t, org.Get(path+"/groups/print"), http.StatusOK, "print")
		if n := strings.Count(r.Body, `<section class="group-sheet"`); n != 3 {
			t.Fatalf("printed groups = %d, want 3", n)
		}
		gid := pwebFind(t, org.Get(path+"/groups"), `action="/events/\d+/groups/(\d+)/report"`, "group report form")
		pwebExpect(t, org.Post(path+"/groups/"+gid+"/report", url.Values{"presenters": {guests[0].Name}, "points": {"医師の偏在への対策"}}),
			http.StatusSeeOther, "report")
		pwebContains(t, org.Get(path+"/groups/print"), "printed report", "医師の偏在への対策")

		// Materials.
		const publicURL, privateURL, requestURL = "https://files.example.jp/slides.pdf", "https://files.example.jp/handout.pdf", "https://video.example.jp/rec"
		for _, m := range []url.Values{
			{"kind": {"material"}, "title": {"講演スライド"}, "url": {publicURL}, "visibility": {"public"}},
			{"kind": {"material"}, "title": {"配布資料"}, "url": {privateURL}, "visibility": {"registrants"}},
			{"kind": {"recording"}, "title": {"講演の録画"}, "url": {requestURL}, "visibility": {"request"}, "access_days": {"14"}},
		} {
			pwebExpect(t, org.Post(path+"/materials", m), http.StatusSeeOther, "add "+m.Get("title"))
		}
		pwebContains(t, pwebExpect(t, org.Get(path+"/materials"), http.StatusOK, "materials"), "materials", "講演スライド", "配布資料", "講演の録画")
		mats, err := env.Main.Events.Materials(context.Background(), w.actor(t, w.organiser), id)
		if err != nil {
			t.Fatal(err)
		}
		matID := map[string]int64{}
		for _, m := range mats {
			matID[m.Title] = m.ID
		}
		open := func(c *apptest.Client, title, token string) *apptest.Response {
			p := "/events/materials/" + itoa(matID[title]) + "/open"
			if token != "" {
				p += "?token=" + url.QueryEscape(token)
			}
			return c.Get(p)
		}
		page := w.anonymous().Get(path).Body
		for _, u := range []string{publicURL, privateURL, requestURL} {
			if strings.Contains(page, u) {
				t.Fatalf("the event page shows %s", u)
			}
		}
		if r := open(w.anonymous(), "講演スライド", ""); r.Status != http.StatusSeeOther || r.Location != publicURL {
			t.Fatalf("public material: %d %q", r.Status, r.Location)
		}
		if r := open(w.anonymous(), "配布資料", ""); r.Location == privateURL || r.Status == http.StatusOK {
			t.Fatalf("registrants-only material opened for a visitor: %d %q", r.Status, r.Location)
		}
		if r := open(w.anonymous(), "配布資料", guests[1].Token); r.Status != http.StatusSeeOther || r.Location != privateURL {
			t.Fatalf("registrants-only material with a registrant's token: %d %q", r.Status, r.Location)
		}
		// The registrant's page links the material with their token.
		pwebContains(t, w.anonymous().Get("/events/registrations/"+guests[1].Token), "registrant's materials", "配布資料", "?token=")

		// By request: ask, approve, open with the link.
		reqPath := "/events/materials/" + itoa(matID["講演の録画"]) + "/request"
		pwebContains(t, pwebExpect(t, w.anonymous().Get(reqPath+"?event="+itoa(id)), http.StatusOK, "request form"), "request form", "講演の録画")
		r = pwebExpect(t, w.anonymous().Post(reqPath, url.Values{"name": {"山田 花子"}, "prefecture": {"福岡県"}, "role": {"doctor"}, "email": {""}}),
			http.StatusBadRequest, "request without e-mail")
		pwebContains(t, r, "request without e-mail", "山田 花子")
		requester := w.anonymous()
		pwebContains(t, pwebExpect(t, requester.Post(reqPath, url.Values{"name": {"山田 花子"}, "prefecture": {"福岡県"}, "role": {"doctor"},
			"email": {"yamada@example.jp"}, "note": {"院内の勉強会で見たい"}}), http.StatusOK, "request"), "request", "閲覧申請を受け付けました")
		if r := open(requester, "講演の録画", ""); r.Location == requestURL {
			t.Fatal("a recording by request opened before approval")
		}
		r = pwebExpect(t, org.Get(path+"/materials"), http.StatusOK, "requests")
		pwebContains(t, r, "requests", "山田 花子", "院内の勉強会で見たい")
		rid := pwebFind(t, r, `action="/events/\d+/materials/requests/(\d+)"`, "request form")
		r = pwebExpect(t, org.Post(path+"/materials/requests/"+rid, url.Values{"decision": {"approve"}}), http.StatusOK, "approve")
		token := pwebFind(t, r, `/events/materials/\d+/open\?token=([A-Za-z0-9_\-]+)`, "access link")
		if r := open(requester, "講演の録画", token); r.Status != http.StatusSeeOther || r.Location != requestURL {
			t.Fatalf("approved request: %d %q", r.Status, r.Location)
		}
	})
}

// TestSurveyPages builds a survey through the form, answers it through
// the public link (errors beside items, the edit link, the rate limit),
// and reads the results.
func TestSurveyPages(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newEventsWorld(t, env)
		org := w.organiser.c
		newPath := "/orgs/" + itoa(w.uni) + "/surveys/new"
		pwebExpect(t, org.Get(newPath), http.StatusOK, "builder")
		form := url.Values{"kind": {"patient"}, "title": {""}, "description": {"外来の患者さんへ"},
			"item_kind_0": {"likert"}, "item_label_0": {"待ち時間に満足しましたか"}, "item_required_0": {"1"},
			"item_kind_1": {"single"}, "item_label_1": {"受診した科"}, "item_choices_1": {"内科"},
			"item_kind_2": {"text"}, "item_label_2": {"ご意見"}}
		r := pwebExpect(t, org.Post(newPath, form), http.StatusBadRequest, "builder errors")
		pwebContains(t, r, "builder errors", "待ち時間に満足しましたか", "受診した科", "外来の患者さんへ", `id="item_choices_1-error"`, `id="title-error"`)
		form.Set("title", "外来患者満足度調査 2026")
		form.Set("item_choices_1", "内科\n小児科\n外科")
		r = pwebExpect(t, org.Post(newPath, form), http.StatusSeeOther, "create survey")
		sid := mustInt(t, pwebFind(t, &apptest.Response{Body: r.Location}, `^/surveys/(\d+)$`, "survey path"))
		spath := "/surveys/" + itoa(sid)
		version := pwebFind(t, org.Get(spath), versionRE, "survey version")
		pwebExpect(t, org.Post(spath+"/open", url.Values{"version": {version}}), http.StatusSeeOther, "open survey")
		r = pwebExpect(t, org.Get(spath), http.StatusOK, "survey page")
		slug := pwebFind(t, r, `/s/([A-Za-z0-9_\-]+)`, "public link")
		qr := pwebExpect(t, org.Get(spath+"/qr.png"), http.StatusOK, "QR")
		if qr.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(qr.Body, "\x89PNG") {
			t.Fatalf("QR: %q", qr.Header.Get("Content-Type"))
		}
		sv, err := env.Main.Surveys.Survey(context.Background(), w.actor(t, w.organiser), sid)
		if err != nil {
			t.Fatal(err)
		}
		likert, single, text := "item-"+itoa(sv.Items[0].ID), "item-"+itoa(sv.Items[1].ID), "item-"+itoa(sv.Items[2].ID)

		// GET never changes state.
		if r := org.Get(spath + "/close"); r.Status < 400 {
			t.Fatalf("GET close: %d", r.Status)
		}

		// A respondent: the required item missing stays beside it, answers kept.
		resp := w.anonymous()
		r = pwebExpect(t, resp.Get("/s/"+slug), http.StatusOK, "public form")
		pwebContains(t, r, "public form", "1 そう思わない", "5 そう思う", "小児科", `type="radio"`, "必須")
		r = pwebExpect(t, resp.Post("/s/"+slug, url.Values{single: {"1"}, text: {"駐車場が狭い"}}), http.StatusBadRequest, "missing required")
		pwebContains(t, r, "missing required", `id="`+likert+`-error"`, "駐車場が狭い", `value="1" checked`)
		// The answer is posted once: the browser is sent on (303) to a
		// thanks page whose address carries the edit link, so a reload
		// records nothing more.
		r = pwebExpect(t, resp.Post("/s/"+slug, url.Values{likert: {"4"}, single: {"1"}, text: {"駐車場が狭い"}}), http.StatusSeeOther, "answer")
		thanks := r.Location
		if !strings.HasPrefix(thanks, "/s/"+slug+"/thanks/") {
			t.Fatalf("after answering, sent to %q", thanks)
		}
		for range 2 { // the page and a reload
			r = pwebExpect(t, resp.Get(thanks), http.StatusOK, "thanks")
			pwebContains(t, r, "thanks", "ご回答ありがとうございました")
		}
		if res, err := env.Main.Surveys.Results(context.Background(), w.actor(t, w.organiser), sid); err != nil || res.Responses != 1 {
			t.Fatalf("after a reload of the thanks page: %v responses, %v", res, err)
		}
		edit := pwebFind(t, r, `(/s/[A-Za-z0-9_\-]+/edit/[A-Za-z0-9_\-]+)`, "edit link")
		if strings.TrimPrefix(thanks, "/s/"+slug+"/thanks/") != edit[strings.LastIndex(edit, "/")+1:] {
			t.Errorf("thanks page %s, edit link %s", thanks, edit)
		}
		pwebExpect(t, w.anonymous().Get("/s/"+slug+"/thanks/not-a-token"), http.StatusNotFound, "thanks of an unknown token")
		r = pwebExpect(t, resp.Get(edit), http.StatusOK, "edit form")
		pwebContains(t, r, "edit form", `value="4" checked`, "駐車場が狭い", `class="edit-link"`)
		r = pwebExpect(t, resp.Post(edit, url.Values{likert: {"5"}, single: {"1"}, text: {"駐車場が狭い"}}), http.StatusSeeOther, "edit")
		if r.Location != edit {
			t.Errorf("after changing, sent to %q, want %q", r.Location, edit)
		}
		pwebContains(t, pwebExpect(t, resp.Get(edit), http.StatusOK, "changed"), "changed", "回答を変更しました", `value="5" checked`)

		// The same client answering again and again meets the limit.
		limited := false
		for i := 0; i < 60 && !limited; i++ {
			r := resp.Post("/s/"+slug, url.Values{likert: {"3"}})
			switch r.Status {
			case http.StatusSeeOther:
			case http.StatusTooManyRequests:
				pwebContains(t, r, "rate limited", "しばらくしてから")
				limited = true
			default:
				t.Fatalf("repeated answer: %d %s", r.Status, alert(r))
			}
		}
		if !limited {
			t.Fatal("no rate limit after 60 answers from one client")
		}

		// Results at a glance: 74 of 88 answered 4 or 5.
		res := w.publicSurvey(t, "研修会満足度 2026")
		values := make([]int, 0, 88)
		for i := 0; i < 88; i++ {
			v := []int{4, 5}[i%2]
			if i >= 74 {
				v = []int{1, 2, 3}[i%3]
			}
			values = append(values, v)
		}
		w.answerLikert(t, res, values...)
		rpath := "/surveys/" + itoa(res.ID) + "/results"
		r = pwebExpect(t, org.Get(rpath), http.StatusOK, "results")
		pwebContains(t, r, "results", "84.1%", "<svg", "n=88", "responses.csv", "summary.csv", surveyLikertLabel)
		r = pwebExpect(t, org.Get("/surveys/"+itoa(res.ID)+"/summary.csv"), http.StatusOK, "summary CSV")
		if !strings.HasPrefix(r.Body, "\xEF\xBB\xBF") || len(parseCSV(t, strings.TrimPrefix(r.Body, "\xEF\xBB\xBF"))) < 2 {
			t.Fatalf("summary CSV: %q", r.Body)
		}
		r = pwebExpect(t, org.Get("/surveys/"+itoa(res.ID)+"/responses.csv"), http.StatusOK, "responses CSV")
		if n := len(parseCSV(t, strings.TrimPrefix(r.Body, "\xEF\xBB\xBF"))); n != 89 {
			t.Fatalf("responses CSV rows = %d, want 89", n)
		}

		// The next run is a copy, compared with this one.
		r = pwebExpect(t, org.Post("/surveys/"+itoa(res.ID)+"/copy", url.Values{"title": {"研修会満足度 2027"}}), http.StatusSeeOther, "copy")
		next := mustInt(t, pwebFind(t, &apptest.Response{Body: r.Location}, `^/surveys/(\d+)/edit$`, "copied survey"))
		pwebContains(t, pwebExpect(t, org.Get(r.Location), http.StatusOK, "copied builder"), "copied builder", "研修会満足度 2027", `value="`+surveyLikertLabel+`"`)
		w.answerLikert(t, w.openSurvey(t, next), 5, 5, 5, 4)
		r = pwebExpect(t, org.Get("/surveys/"+itoa(next)+"/results"), http.StatusOK, "compared results")
		pwebContains(t, r, "compared results", "前回との比較", "研修会満足度 2026", "100.0%", "15.9pt")

		// Comments can be tagged on the results page.
		r = pwebExpect(t, org.Get(spath+"/results"), http.StatusOK, "comments")
		pwebContains(t, r, "comments", "駐車場が狭い")
		respID := pwebFind(t, r, `name="response" value="(\d+)"`, "comment form")
		pwebExpect(t, org.Post(spath+"/comments/tag", url.Values{"response": {respID}, "item": {itoa(sv.Items[2].ID)}, "tags": {"改善要望"}}),
			http.StatusSeeOther, "tag")
		pwebContains(t, org.Get(spath+"/results"), "tagged", `value="改善要望"`)

		// Outsiders find nothing.
		for _, p := range []string{spath, spath + "/results", spath + "/edit", spath + "/qr.png", spath + "/responses.csv"} {
			pwebExpect(t, w.outsider.c.Get(p), http.StatusNotFound, "outsider "+p)
		}
		pwebExpect(t, w.outsider.c.Post(spath+"/close", url.Values{"version": {"1"}}), http.StatusNotFound, "outsider close")
		pwebExpect(t, w.anonymous().Get("/s/no-such-survey-link-0000000"), http.StatusNotFound, "unknown slug")
	})
}

// fullWidth writes ASCII digits, '/' and ':' as people type them with a
// Japanese input method.
func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '/' || r == ':' {
			return r - '!' + '！'
		}
		return r
	}, s)
}

// registrationID returns the ID of the event's registration by name.
func (w *eventsWorld) registrationID(t *testing.T, eventID int64, name string) int64 {
	t.Helper()
	regs, err := w.env.Main.Events.Registrations(context.Background(), w.actor(t, w.organiser), eventID)
	if err != nil {
		t.Fatal(err)
	}
	for _, reg := range regs {
		if reg.Name == name {
			return reg.ID
		}
	}
	t.Fatalf("no registration of %s", name)
	return 0
}

// TestEventPagesRegistrantCancels: a signed-in registrant reads their
// place in the same words as everywhere (参加確定, キャンセル待ち) and
// cancels from the event page; nobody else cancels it that way.
func TestEventPagesRegistrantCancels(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newEventsWorld(t, env)
		ev := w.hybridEvent(t, "秋の研修会", 1)
		path := "/events/" + itoa(ev.ID)
		w.registerGuests(t, ev.ID, 0, 1, events.AttendVenue)

		// The venue is full: the doctor waits, and no e-mail is promised
		// (no SMTP server in the tests).
		r := pwebExpect(t, w.doctor.c.Post(path+"/register", eventsRegisterForm(w.doctor.Name(), w.doctor.Email(), "東京都", events.AttendVenue)),
			http.StatusOK, "doctor waits")
		pwebContains(t, r, "doctor waits", "キャンセル待ち（会場）", "メールはお送りしていません")
		pwebLacks(t, r, "doctor waits", "メールでお知らせします", "確認メールにも記載")
		r = pwebExpect(t, w.doctor.c.Get(path), http.StatusOK, "doctor's event page")
		pwebContains(t, r, "doctor's event page", "キャンセル待ち（会場）", "参加をキャンセルする", "このページでご確認ください")
		pwebLacks(t, r, "doctor's event page", "参加登録済み", "メールでお知らせします")
		withdraw := pwebFind(t, r, `action="(/events/\d+/registrations/\d+/withdraw)"`, "withdraw form")
		if rid := w.registrationID(t, ev.ID, w.doctor.Name()); withdraw != path+"/registrations/"+itoa(rid)+"/withdraw" {
			t.Fatalf("withdraw form %q for registration %d", withdraw, rid)
		}
		r = pwebExpect(t, w.doctor.c.Get("/events"), http.StatusOK, "doctor's list")
		pwebContains(t, r, "doctor's list", "キャンセル待ち（会場）")
		r = pwebExpect(t, w.organiser.c.Get(path+"/manage"), http.StatusOK, "manage words")
		pwebContains(t, r, "manage words", "<td>参加確定</td>", "<td>キャンセル待ち</td>")
		pwebLacks(t, r, "manage words", "参加登録済み")

		// Others cannot cancel it through the registrant's form.
		pwebExpect(t, w.officer.c.Post(withdraw, url.Values{}), http.StatusConflict, "officer withdraws the doctor")
		if r := w.anonymous().Post(withdraw, url.Values{}); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/login") {
			t.Fatalf("anonymous withdraw: %d %q", r.Status, r.Location)
		}

		// The doctor cancels; the page offers the form again.
		pwebExpect(t, w.doctor.c.Post(withdraw, url.Values{}), http.StatusSeeOther, "withdraw")
		r = pwebExpect(t, w.doctor.c.Get(path), http.StatusOK, "after withdrawing")
		pwebContains(t, r, "after withdrawing", `action="/events/`+itoa(ev.ID)+`/register"`)
		pwebLacks(t, r, "after withdrawing", "申し込み済みです")
		pwebContains(t, pwebExpect(t, w.doctor.c.Post(withdraw, url.Values{}), http.StatusConflict, "withdraw twice"), "withdraw twice", "最新の状態を読み込む")
		regs, err := env.Main.Events.Registrations(context.Background(), w.actor(t, w.organiser), ev.ID, events.Cancelled)
		if err != nil || len(regs) != 1 || regs[0].Name != w.doctor.Name() {
			t.Fatalf("cancelled registrations: %+v %v", regs, err)
		}
	})
}

// TestEventPagesManageTools: the management page lists the event's
// surveys, searches and filters the registrations for the check-in desk,
// and asks before cancelling the event.
func TestEventPagesManageTools(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newEventsWorld(t, env)
		ev := w.hybridEvent(t, "受付の研修会", 3)
		other := w.hybridEvent(t, "別の研修会", 0)
		path := "/events/" + itoa(ev.ID)
		org := w.organiser.c
		guests := w.registerGuests(t, ev.ID, 0, 5, events.AttendVenue) // 3 places: guests 4 and 5 wait
		w.checkIn(t, guests[0])
		sv := w.likertSurvey(t, "受付の研修会 アンケート", ev.ID)
		w.likertSurvey(t, "別の研修会 アンケート", other.ID)

		r := pwebExpect(t, org.Get(path+"/manage"), http.StatusOK, "manage")
		pwebContains(t, r, "manage", "受付の研修会 アンケート", `href="/surveys/`+itoa(sv.ID)+`"`, `href="/surveys/`+itoa(sv.ID)+`/results"`, "下書き")
		pwebLacks(t, r, "manage", "別の研修会 アンケート")

		// Search, NFKC: full-width letters find guest3@example.jp; a
		// prefecture; a name without its space.
		for _, c := range []struct {
			query string
			want  []string
			not   []string
		}{
			{"q=" + url.QueryEscape("ＧＵＥＳＴ３"), []string{"参加者 3"}, []string{"参加者 1<", "参加者 2<"}},
			{"q=" + url.QueryEscape("大阪"), []string{"参加者 2"}, []string{"参加者 1<", "参加者 3<"}},
			{"q=" + url.QueryEscape("参加者4"), []string{"参加者 4"}, []string{"参加者 5<"}},
			{"status=waitlisted", []string{"参加者 4", "参加者 5"}, []string{"参加者 1<", "参加者 2<"}},
			{"status=unchecked", []string{"参加者 2", "参加者 3"}, []string{"参加者 1<", "参加者 4<"}},
			{"status=checkedin", []string{"参加者 1"}, []string{"参加者 2<"}},
		} {
			r := pwebExpect(t, org.Get(path+"/manage?"+c.query), http.StatusOK, "search "+c.query)
			pwebContains(t, r, "search "+c.query, c.want...)
			pwebLacks(t, r, "search "+c.query, c.not...)
		}
		// Checking in from a search comes back to it.
		r = pwebExpect(t, org.Post(path+"/registrations/"+itoa(guests[1].ID)+"/checkin", url.Values{"present": {"1"}, "q": {"大阪"}}),
			http.StatusSeeOther, "check in from a search")
		if !strings.Contains(r.Location, "/manage?q=") {
			t.Fatalf("check-in redirect %q", r.Location)
		}

		// Cancelling the event needs the confirmation.
		version := pwebFind(t, org.Get(path+"/manage"), versionRE, "event version")
		pwebContains(t, org.Get(path+"/manage"), "cancel form", `name="confirm" value="1" required`)
		pwebExpect(t, org.Post(path+"/status", url.Values{"status": {"cancelled"}, "version": {version}}), http.StatusBadRequest, "cancel unconfirmed")
		if got := w.event(t, ev.ID); got.Status != events.StatusPublished {
			t.Fatalf("cancelled without confirmation: %s", got.Status)
		}
		pwebExpect(t, org.Post(path+"/status", url.Values{"status": {"cancelled"}, "version": {version}, "confirm": {"1"}}), http.StatusSeeOther, "cancel")
		if got := w.event(t, ev.ID); got.Status != events.StatusCancelled {
			t.Fatalf("event not cancelled: %s", got.Status)
		}
	})
}

// TestEventPagesGroupsKeepWork: a printable list of all the groups, and
// re-assigning asks first once presenters were recorded or members moved.
func TestEventPagesGroupsKeepWork(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newEventsWorld(t, env)
		ev := w.hybridEvent(t, "グループの研修会", 0)
		path := "/events/" + itoa(ev.ID)
		org := w.organiser.c
		guests := w.registerGuests(t, ev.ID, 0, 6, events.AttendVenue)
		w.checkIn(t, guests...)
		assign := url.Values{"groups": {"2"}, "themes": {"地域医療\n働き方"}, "seed": {"7"}, "version": {"0"}}
		pwebExpect(t, org.Post(path+"/groups", assign), http.StatusSeeOther, "assign")

		r := pwebExpect(t, org.Get(path+"/groups"), http.StatusOK, "groups")
		pwebContains(t, r, "groups", `href="/events/`+itoa(ev.ID)+`/groups/print?layout=list"`)
		pwebLacks(t, r, "groups", `name="confirm"`)
		r = pwebExpect(t, org.Get(path+"/groups/print?layout=list"), http.StatusOK, "print list")
		pwebContains(t, r, "print list", `class="group-list-table"`, "グループ1", "グループ2", "地域医療", "働き方")
		for _, g := range guests {
			pwebContains(t, r, "print list", "<td>"+g.Name+"</td>")
		}
		if strings.Contains(r.Body, `class="group-sheet"`) || strings.Contains(between(r.Body, `<main`, `</main>`), "<form") {
			t.Fatal("the list prints the one-page sheets or a form")
		}

		// A re-assignment before anything was recorded needs no confirmation.
		version := pwebFind(t, org.Get(path+"/groups"), versionRE, "group version")
		assign.Set("version", version)
		pwebExpect(t, org.Post(path+"/groups", assign), http.StatusSeeOther, "re-assign untouched")

		// After a report it does; the input is kept.
		r = pwebExpect(t, org.Get(path+"/groups"), http.StatusOK, "groups again")
		gid := pwebFind(t, r, `action="/events/\d+/groups/(\d+)/report"`, "report form")
		pwebExpect(t, org.Post(path+"/groups/"+gid+"/report", url.Values{"presenters": {guests[0].Name}, "points": {"当直の負担"}}), http.StatusSeeOther, "report")
		r = pwebExpect(t, org.Get(path+"/groups"), http.StatusOK, "recorded groups")
		pwebContains(t, r, "recorded groups", `name="confirm"`, "記録した発表者と要点、手で移動した内容は消えます")
		assign.Set("version", pwebFind(t, r, versionRE, "group version"))
		assign.Set("themes", "地域医療\n働き方\n子育て")
		r = pwebExpect(t, org.Post(path+"/groups", assign), http.StatusBadRequest, "re-assign unconfirmed")
		pwebContains(t, r, "re-assign unconfirmed", "記録した発表者と要点、手で移動した内容は消えます", "子育て")
		pwebContains(t, org.Get(path+"/groups"), "report kept", "当直の負担")
		assign.Set("confirm", "1")
		pwebExpect(t, org.Post(path+"/groups", assign), http.StatusSeeOther, "re-assign confirmed")
		pwebLacks(t, org.Get(path+"/groups"), "report gone", "当直の負担")
	})
}

// TestEventPagesFormsAndWording: the event form lists organisations by
// name, numbers the programme from 1 and reads typed dates; the material
// request's wording, its rejection asks first; no e-mail is promised
// without a mail server; a clinic's survey list does not lead to events.
func TestEventPagesFormsAndWording(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newEventsWorld(t, env)
		org := w.organiser.c
		orgPath := "/orgs/" + itoa(w.uni) + "/events"
		r := pwebExpect(t, org.Get(orgPath+"/new"), http.StatusOK, "new form")
		pwebContains(t, r, "new form", `<select id="audience_orgs" name="audience_orgs" multiple`, `<option value="`+itoa(w.pref)+`">白衣県</option>`,
			"白衣総合病院", "1行目の演題", `<td>1</td>`)
		pwebLacks(t, r, "new form", "0番目", "0行目", "番号、カンマ区切り")

		in := w.eventInput("県内限定の研修会", 20)
		typed := func(t time.Time) string { return t.In(career.JST).Format("2006/01/02 15:04") }
		form := url.Values{"title": {in.Title}, "description": {in.Description},
			"starts_at": {fullWidth(typed(in.StartsAt))}, "ends_at": {typed(in.EndsAt)},
			"registration_deadline": {in.RegistrationDeadline.In(career.JST).Format("2006-01-02T15:04")},
			"mode":                  {"venue"}, "venue": {in.Venue}, "venue_capacity": {"20"}, "audience": {"organisations"},
			"audience_orgs": {itoa(w.pref)},
			"talk_title":    {"開会", "", ""}, "talk_speaker": {"", "", "白衣 花子"}, "talk_time": {"", "", ""}, "talk_minutes": {"", "", "30"}}
		r = pwebExpect(t, org.Post(orgPath+"/new", form), http.StatusBadRequest, "row without a title")
		pwebContains(t, r, "row without a title", "プログラム3行目の演題名", `href="#talk-2"`, `<option value="`+itoa(w.pref)+`" selected>白衣県</option>`)
		form["talk_speaker"], form["talk_minutes"] = []string{"", "", ""}, []string{"", "", ""}
		r = pwebExpect(t, org.Post(orgPath+"/new", form), http.StatusSeeOther, "create with typed dates")
		id := mustInt(t, pwebFind(t, &apptest.Response{Body: r.Location}, `^/events/(\d+)/manage$`, "event path"))
		got := w.event(t, id)
		if !got.StartsAt.Equal(in.StartsAt) || !got.EndsAt.Equal(in.EndsAt) || len(got.AudienceOrgs) != 1 || got.AudienceOrgs[0] != w.pref {
			t.Fatalf("stored event: %v–%v orgs %v, want %v–%v [%d]", got.StartsAt, got.EndsAt, got.AudienceOrgs, in.StartsAt, in.EndsAt, w.pref)
		}
		pwebContains(t, org.Get("/events/"+itoa(id)+"/edit"), "edit form", `<option value="`+itoa(w.pref)+`" selected>白衣県</option>`,
			`value="`+typed(in.StartsAt)+`"`)

		// Materials by request: the role's wording, no e-mail promised,
		// a rejection asks first.
		ev := w.hybridEvent(t, "録画の研修会", 0)
		path := "/events/" + itoa(ev.ID)
		pwebExpect(t, org.Post(path+"/materials", url.Values{"kind": {"recording"}, "title": {"録画"}, "url": {"https://video.example.jp/r"}, "visibility": {"request"}}),
			http.StatusSeeOther, "add recording")
		reqPath := pwebFind(t, w.anonymous().Get(path), `href="(/events/materials/\d+/request)\?event=`, "request link")
		r = pwebExpect(t, w.anonymous().Get(reqPath+"?event="+itoa(ev.ID)), http.StatusOK, "request form")
		pwebContains(t, r, "request form", "主催者から閲覧用のリンクをお知らせします")
		pwebLacks(t, r, "request form", "メールでお送りします")
		r = pwebExpect(t, w.anonymous().Post(reqPath, url.Values{"name": {"山田 花子"}, "prefecture": {"福岡県"}, "email": {"yamada@example.jp"}}),
			http.StatusBadRequest, "request without a role")
		pwebContains(t, r, "request without a role", "お立場を選んでください")
		for _, name := range []string{"山田 花子", "田中 次郎"} {
			pwebLacks(t, pwebExpect(t, w.anonymous().Post(reqPath, url.Values{"name": {name}, "prefecture": {"福岡県"}, "role": {"doctor"},
				"email": {"req@example.jp"}}), http.StatusOK, "request "+name), "request "+name, "あてに閲覧用のリンクをお送りします")
		}
		r = pwebExpect(t, org.Get(path+"/materials"), http.StatusOK, "requests")
		rids := regexpAll(r.Body, `action="/events/\d+/materials/requests/(\d+)"`)
		if len(rids) < 2 {
			t.Fatalf("request forms: %v", rids)
		}
		reject := path + "/materials/requests/" + rids[0]
		r = pwebExpect(t, org.Post(reject, url.Values{"decision": {"reject"}, "reason": {"院外の方には公開していません"}}), http.StatusBadRequest, "reject unconfirmed")
		pwebContains(t, r, "reject unconfirmed", "確認にチェック", `value="院外の方には公開していません"`)
		pwebExpect(t, org.Post(reject, url.Values{"decision": {"reject"}, "reason": {"院外の方には公開していません"}, "confirm": {"1"}}), http.StatusSeeOther, "reject")
		pwebContains(t, org.Get(path+"/materials"), "rejected", "見送りました")
		var approve string
		for _, rid := range regexpAll(org.Get(path+"/materials").Body, `action="/events/\d+/materials/requests/(\d+)"`) {
			approve = path + "/materials/requests/" + rid
		}
		r = pwebExpect(t, org.Post(approve, url.Values{"decision": {"approve"}}), http.StatusOK, "approve")
		pwebContains(t, r, "approve", "このリンクを申請した方にお伝えください")
		pwebLacks(t, r, "approve", "メールでお送りしました", "メールで送りました")

		// A clinic's survey list does not lead to events it does not hold.
		clinic := w.outsider.c
		r = pwebExpect(t, clinic.Get("/orgs/"+itoa(w.hospital)+"/surveys"), http.StatusOK, "clinic surveys")
		pwebLacks(t, r, "clinic surveys", "研修会の管理")
		pwebContains(t, org.Get("/orgs/"+itoa(w.uni)+"/surveys"), "university surveys", "← 研修会の管理")
	})
}

// regexpAll returns the first group of every match.
func regexpAll(body, re string) []string {
	var out []string
	for _, m := range regexp.MustCompile(re).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}
