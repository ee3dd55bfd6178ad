package app_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/survey"
)

// eapiRecordingURL is the recording the national training shares by
// request.
const eapiRecordingURL = "https://video.example.jp/kenshu-2026"

// eapiEventBody is the national training as the organiser sends it: a
// hybrid session a month ahead with 26 seats in the room, an online URL,
// registration until ten days before, and a programme of talks.
func eapiEventBody(env *apptest.Env, extra map[string]any) map[string]any {
	day := env.Clock.Now().In(career.JST).AddDate(0, 0, 30)
	start := time.Date(day.Year(), day.Month(), day.Day(), 10, 0, 0, 0, career.JST)
	body := map[string]any{
		"title":       "全国キャリアコーディネーター研修会",
		"description": "地域枠医師の**キャリア支援**を全国で学び合う研修会です。",
		"starts_at":   start.Format(time.RFC3339), "ends_at": start.Add(7 * time.Hour).Format(time.RFC3339),
		"mode": "hybrid", "venue": "白衣大学 医学部 講堂", "venue_capacity": 26, "online_url": eventsOnlineURL,
		"registration_deadline": start.AddDate(0, 0, -10).Format(time.RFC3339), "audience": "open",
		"talks": []map[string]any{
			{"title": "地域枠制度の現状と課題", "speaker": "白衣 花子", "affiliation": "白衣大学", "starts_at": start.Add(30 * time.Minute).Format(time.RFC3339), "minutes": 45},
			{"title": "困難事例に学ぶ面談", "speaker": "研修 主任", "affiliation": "白衣大学", "minutes": 60},
			{"title": "グループワーク", "speaker": "全員", "minutes": 120},
		},
	}
	for k, v := range extra {
		body[k] = v
	}
	return body
}

// eapiRegister registers n guests through the public endpoint from the
// test's one address, moving the clock on a rate-limit window whenever
// the address has used its quota. Guest i (from 0) comes from the i%41-th
// prefecture with the roles in turn; the first venue of them ask for a
// seat in the room.
func eapiRegister(t *testing.T, env *apptest.Env, anon papiClient, eventID int64, n, venue int) []eapiGuest {
	t.Helper()
	var out []eapiGuest
	for i := range n {
		if i > 0 && i%events.RegisterRule.Limit == 0 {
			env.Clock.Advance(events.RegisterRule.Window)
		}
		att := "online"
		if i < venue {
			att = "venue"
		}
		var got struct {
			Registration eapiReg `json:"registration"`
			Token        string  `json:"token"`
			ManageURL    string  `json:"manage_url"`
		}
		anon.must(http.StatusCreated, "POST", eapiPath("/events/%d/registrations", eventID), eapiJSON(map[string]any{
			"name": fmt.Sprintf("受講者 %d", i+1), "email": fmt.Sprintf("trainee%d@example.jp", i+1),
			"prefecture": eapiPrefectures[i%41], "organisation": "各地の大学・県庁",
			"role": string(events.ParticipantRoles[i%len(events.ParticipantRoles)]), "attendance": att}), &got)
		if got.Token == "" || !strings.HasSuffix(got.ManageURL, "/events/registrations/"+got.Token) || got.Registration.UserID != nil {
			t.Fatalf("registration %d: %+v", i+1, got)
		}
		out = append(out, eapiGuest{Reg: got.Registration, Token: got.Token})
	}
	return out
}

// TestEventsAPINationalTraining runs the done-when story through
// the API alone: the hybrid event, 100 registrations with a waiting list
// and cancellations that promote the next in line, check-in, 12 balanced
// groups over 4 themes with a manual move, the survey with its top-2-box
// share computed exactly, tagged comments, the CSV exports, and a
// recording shared by request whose access expires.
func TestEventsAPINationalTraining(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		eapiQueueMail(env)
		w := newEventsWorld(t, env)
		org := eapiToken(t, env, w.organiser)
		doctor := eapiToken(t, env, w.doctor)
		anon := papiClient{t: t, env: env}

		// 1. The hybrid event, a draft until published.
		var ev eapiEvent
		org.must(http.StatusCreated, "POST", eapiPath("/organisations/%d/events", w.uni), eapiJSON(eapiEventBody(env, nil)), &ev)
		if ev.Status != "draft" || ev.Mode != "hybrid" || ev.VenueCapacity != 26 || ev.OnlineURL != eventsOnlineURL || len(ev.Talks) != 3 ||
			ev.Talks[1].Speaker != "研修 主任" || ev.OrgID != w.uni {
			t.Fatalf("created event: %+v", ev)
		}
		evPath := eapiPath("/events/%d", ev.ID)
		anon.problem(http.StatusNotFound, "GET", evPath, nil)
		org.must(http.StatusOK, "POST", evPath+"/status", eapiJSON(map[string]any{"status": "published", "version": ev.Version}), &ev)
		if ev.Status != "published" || !ev.CanManage || ev.Counts == nil {
			t.Fatalf("published event: %+v", ev)
		}
		var public eapiEvent
		anon.must(http.StatusOK, "GET", evPath, nil, &public)
		if public.OnlineURL != "" || public.Counts != nil || !public.CanRegister || public.PlacesLeft != 26 || len(public.Talks) != 3 {
			t.Fatalf("event as anyone sees it: %+v", public)
		}
		var list struct {
			Events []eapiEvent `json:"events"`
		}
		anon.must(http.StatusOK, "GET", "/events", nil, &list)
		if len(list.Events) != 1 || list.Events[0].ID != ev.ID || list.Events[0].OnlineURL != "" {
			t.Fatalf("public list: %+v", list)
		}

		// 2. 99 guests from 41 prefectures (30 ask for the room) and a
		// signed-in doctor online: 26 seats, then the waiting list.
		guests := eapiRegister(t, env, anon, ev.ID, 99, 30)
		for i, g := range guests {
			want := "registered"
			if i >= 26 && i < 30 {
				want = "waitlisted"
			}
			if g.Reg.Status != want {
				t.Fatalf("guest %d (%s): status %s, want %s", i+1, g.Reg.Attendance, g.Reg.Status, want)
			}
		}
		var mine struct {
			Registration eapiReg `json:"registration"`
			Token        string  `json:"token"`
		}
		doctor.must(http.StatusCreated, "POST", evPath+"/registrations", `{"name":"医師 太郎","prefecture":"東京都",
		  "organisation":"白衣病院","role":"doctor","attendance":"online"}`, &mine)
		if mine.Registration.UserID == nil || *mine.Registration.UserID != w.doctor.ID() || mine.Registration.Email != w.doctor.Email() {
			t.Fatalf("doctor's registration: %+v", mine.Registration)
		}
		doctor.problem(http.StatusConflict, "POST", evPath+"/registrations", `{"name":"医師 太郎","prefecture":"東京都",
		  "organisation":"白衣病院","role":"doctor","attendance":"online"}`)
		var myRegs struct {
			Registrations []struct {
				eapiReg
				EventTitle string `json:"event_title"`
			} `json:"registrations"`
		}
		doctor.must(http.StatusOK, "GET", "/me/registrations", nil, &myRegs)
		if len(myRegs.Registrations) != 1 || myRegs.Registrations[0].EventID != ev.ID || myRegs.Registrations[0].EventTitle != ev.Title {
			t.Fatalf("doctor's registrations: %+v", myRegs)
		}

		// The online URL: hidden from anyone, shown to registrants.
		anon.must(http.StatusOK, "GET", evPath, nil, &public)
		if public.OnlineURL != "" || public.PlacesLeft != 0 {
			t.Fatalf("full event as anyone sees it: %+v", public)
		}
		var manage struct {
			Registration eapiReg   `json:"registration"`
			Event        eapiEvent `json:"event"`
		}
		anon.must(http.StatusOK, "GET", "/event-registrations/"+guests[40].Token, nil, &manage)
		if manage.Registration.ID != guests[40].Reg.ID || manage.Event.OnlineURL != eventsOnlineURL {
			t.Fatalf("registrant's manage view: %+v", manage)
		}
		var docView eapiEvent
		doctor.must(http.StatusOK, "GET", evPath, nil, &docView)
		if docView.OnlineURL != eventsOnlineURL || docView.Mine == nil || docView.Mine.ID != mine.Registration.ID {
			t.Fatalf("event as the registered doctor sees it: %+v", docView)
		}
		anon.problem(http.StatusNotFound, "GET", "/event-registrations/no-such-token", nil)

		// 3. Two venue cancellations move the first two waitlisted up, in order.
		anon.must(http.StatusNoContent, "POST", "/event-registrations/"+guests[2].Token+"/cancel", nil, nil)
		anon.must(http.StatusOK, "GET", "/event-registrations/"+guests[26].Token, nil, &manage)
		if manage.Registration.Status != "registered" || manage.Registration.PromotedAt == nil {
			t.Fatalf("first waitlisted after a cancellation: %+v", manage.Registration)
		}
		anon.must(http.StatusOK, "GET", "/event-registrations/"+guests[27].Token, nil, &manage)
		if manage.Registration.Status != "waitlisted" {
			t.Fatalf("second waitlisted after one cancellation: %+v", manage.Registration)
		}
		org.must(http.StatusNoContent, "POST", eapiPath("/registrations/%d/cancel", guests[4].Reg.ID), nil, nil)
		anon.must(http.StatusOK, "GET", "/event-registrations/"+guests[27].Token, nil, &manage)
		if manage.Registration.Status != "registered" {
			t.Fatalf("second waitlisted after two cancellations: %+v", manage.Registration)
		}
		var counts eapiCounts
		org.must(http.StatusOK, "GET", evPath+"/counts", nil, &counts)
		if counts.Registered != 96 || counts.Venue != 26 || counts.Online != 70 || counts.Waitlisted != 2 || counts.Cancelled != 2 ||
			len(counts.ByPrefecture) != 41 {
			t.Fatalf("counts after cancellations: %+v", counts)
		}
		var regs struct {
			Registrations []eapiReg `json:"registrations"`
		}
		org.must(http.StatusOK, "GET", evPath+"/registrations?status=waitlisted", nil, &regs)
		if len(regs.Registrations) != 2 || regs.Registrations[0].ID != guests[28].Reg.ID || regs.Registrations[1].ID != guests[29].Reg.ID {
			t.Fatalf("waiting list: %+v", regs.Registrations)
		}
		org.problem(http.StatusBadRequest, "GET", evPath+"/registrations?status=maybe", nil)

		// 4. 89 of the 96 with a place are checked in; one is checked in by mistake and cleared.
		org.must(http.StatusOK, "GET", evPath+"/registrations?status=registered", nil, &regs)
		if len(regs.Registrations) != 96 {
			t.Fatalf("%d registered, want 96", len(regs.Registrations))
		}
		present := regs.Registrations[:89]
		for _, r := range present {
			org.must(http.StatusNoContent, "POST", eapiPath("/registrations/%d/check-in", r.ID), `{"present":true}`, nil)
		}
		mistake := regs.Registrations[90].ID
		org.must(http.StatusNoContent, "POST", eapiPath("/registrations/%d/check-in", mistake), `{"present":true}`, nil)
		org.must(http.StatusNoContent, "POST", eapiPath("/registrations/%d/check-in", mistake), `{"present":false}`, nil)
		org.must(http.StatusOK, "GET", evPath+"/counts", nil, &counts)
		if counts.CheckedIn != 89 {
			t.Fatalf("checked in: %d, want 89", counts.CheckedIn)
		}

		// 5. 12 groups over 4 themes.
		themes := []string{"地域枠の義務年限", "キャリア面談", "大学と県の連携", "困難事例"}
		var gw eapiGroupWork
		org.must(http.StatusOK, "POST", evPath+"/groups", eapiJSON(map[string]any{"groups": 12, "themes": themes, "seed": 2026, "version": 0}), &gw)
		if len(gw.Groups) != 12 || gw.Seed != 2026 {
			t.Fatalf("group work: %d groups, seed %d", len(gw.Groups), gw.Seed)
		}
		prefOf := map[int64]string{}
		for _, r := range present {
			prefOf[r.ID] = r.Prefecture
		}
		seen := map[int64]bool{}
		sizes, perTheme := map[int]int{}, map[string]int{}
		for _, g := range gw.Groups {
			sizes[len(g.Members)]++
			perTheme[g.Theme]++
			if g.Theme != themes[(g.Number-1)%4] {
				t.Errorf("group %d has theme %s, want %s", g.Number, g.Theme, themes[(g.Number-1)%4])
			}
			prefs, roles := map[string]bool{}, map[string]bool{}
			for _, m := range g.Members {
				if prefs[m.Prefecture] {
					t.Errorf("group %d has two members from %s", g.Number, m.Prefecture)
				}
				if m.Prefecture != prefOf[m.RegistrationID] || seen[m.RegistrationID] {
					t.Errorf("group %d: member %d is not a checked-in participant once", g.Number, m.RegistrationID)
				}
				prefs[m.Prefecture], roles[m.Role], seen[m.RegistrationID] = true, true, true
			}
			if len(roles) < 2 {
				t.Errorf("group %d has one role only", g.Number)
			}
		}
		if len(seen) != 89 || sizes[8] != 5 || sizes[7] != 7 {
			t.Errorf("group sizes %v over %d people, want five of 8 and seven of 7 over 89", sizes, len(seen))
		}
		for _, th := range themes {
			if perTheme[th] != 3 {
				t.Errorf("theme %s has %d groups, want 3", th, perTheme[th])
			}
		}
		// A manual move, then the same move at the stale version.
		moved := gw.Groups[0].Members[0].RegistrationID
		stale := gw.Version
		var after eapiGroupWork
		org.must(http.StatusOK, "POST", evPath+"/groups/moves", eapiJSON(map[string]any{"registration_id": moved, "to_group": 2, "version": stale}), &after)
		has := func(list []eapiMember, id int64) bool {
			return slices.ContainsFunc(list, func(m eapiMember) bool { return m.RegistrationID == id })
		}
		if after.Version == stale || has(after.Groups[0].Members, moved) || !has(after.Groups[1].Members, moved) {
			t.Errorf("after moving %d to group 2: %+v", moved, after.Groups[:2])
		}
		org.problem(http.StatusConflict, "POST", evPath+"/groups/moves", eapiJSON(map[string]any{"registration_id": moved, "to_group": 3, "version": stale}))
		// A group reports.
		org.must(http.StatusNoContent, "PUT", eapiPath("/groups/%d/report", after.Groups[0].ID),
			`{"presenters":"受講者 1、受講者 2","points":"義務年限中の専門医取得には県との早期調整が要る。"}`, nil)
		org.must(http.StatusOK, "GET", evPath+"/groups", nil, &gw)
		if gw.Groups[0].Presenters != "受講者 1、受講者 2" || !strings.Contains(gw.Groups[0].Points, "早期調整") || gw.Version != after.Version {
			t.Errorf("group 1 after its report: %+v", gw.Groups[0])
		}

		// 6. The survey: two Likert items, a choice and free text; 89 invited, 88 answer.
		var sv eapiSurvey
		org.must(http.StatusCreated, "POST", eapiPath("/organisations/%d/surveys", w.uni), eapiJSON(map[string]any{
			"kind": "event", "event_id": ev.ID, "title": "研修会アンケート", "description": "今後の研修の改善に使います。",
			"items": []map[string]any{
				{"kind": "likert", "label": "研修会全体に満足しましたか", "required": true},
				{"kind": "likert", "label": "業務に役立つ内容でしたか"},
				{"kind": "single", "label": "参加方法", "choices": []string{"会場", "オンライン"}},
				{"kind": "multiple", "label": "良かったプログラム", "choices": []string{"講演", "事例検討", "グループワーク"}},
				{"kind": "text", "label": "ご意見・ご要望"},
			}}), &sv)
		if sv.Status != "draft" || len(sv.Items) != 5 || sv.Kind != "event" {
			t.Fatalf("survey: %+v", sv)
		}
		svPath := eapiPath("/surveys/%d", sv.ID)
		var opened struct {
			Invited int `json:"invited"`
		}
		org.must(http.StatusOK, "POST", svPath+"/open", eapiJSON(map[string]int{"version": sv.Version}), &opened)
		if opened.Invited != 89 {
			t.Fatalf("invited %d, want 89", opened.Invited)
		}
		sv = eapiOpenedSurvey(t, org, sv)
		comments := []string{"大変有益でした。", "課題が整理されていなかった。", "困難事例をもっと示してほしい。"}
		var improve []int // answers whose comment asks for an improvement
		for i, r := range present[:88] {
			token := eapiLinkToken(t, env, r.Email, "/surveys/answer/")
			v := 5
			switch {
			case i >= 74:
				v = 1 + i%3 // 14 of 88 rate 1–3
			case i%2 == 1:
				v = 4
			}
			answers := map[string]any{
				itoa(sv.Items[0].ID): map[string]int{"value": v},
				itoa(sv.Items[1].ID): map[string]int{"value": 3 + i%3},
				itoa(sv.Items[2].ID): map[string]int{"value": i % 2},
				itoa(sv.Items[3].ID): map[string][]int{"choices": {0, 2}},
			}
			if i%10 == 0 {
				c := comments[(i/10)%3]
				answers[itoa(sv.Items[4].ID)] = map[string]string{"text": c}
				if c != comments[0] {
					improve = append(improve, i)
				}
			}
			anon.must(http.StatusNoContent, "PUT", "/survey-invitations/"+token, eapiJSON(map[string]any{"answers": answers}), nil)
		}
		// The first respondent sees their answers again.
		var form struct {
			Survey struct {
				Title string `json:"title"`
			} `json:"survey"`
			Answers map[string]map[string]any `json:"answers"`
			Open    bool                      `json:"open"`
		}
		anon.must(http.StatusOK, "GET", "/survey-invitations/"+eapiLinkToken(t, env, present[0].Email, "/surveys/answer/"), nil, &form)
		if !form.Open || form.Survey.Title != "研修会アンケート" || form.Answers[itoa(sv.Items[0].ID)]["value"] != float64(5) ||
			form.Answers[itoa(sv.Items[2].ID)]["value"] != float64(0) {
			t.Fatalf("an invitee's form: %+v", form)
		}
		var res eapiResults
		org.must(http.StatusOK, "GET", svPath+"/results", nil, &res)
		if res.Responses != 88 || res.Invited != 89 || len(res.Items) != 5 {
			t.Fatalf("results: %d responses of %d invited, %d items", res.Responses, res.Invited, len(res.Items))
		}
		first := res.Items[0]
		if first.Responses != 88 || first.TopTwo != 74 || first.TopTwoLabel != "84.1%" || first.TopTwoShare < 84.09 || first.TopTwoShare > 84.1 ||
			len(first.Buckets) != 5 || first.Buckets[4].N != 37 || first.Buckets[3].N != 37 {
			t.Fatalf("first item's results: %+v", first)
		}
		text := res.Items[4]
		if len(text.Comments) != 9 {
			t.Fatalf("%d comments, want 9: %+v", len(text.Comments), text.Comments)
		}
		for _, c := range text.Comments {
			if c.Text == comments[0] {
				continue
			}
			org.must(http.StatusNoContent, "PUT", eapiPath("/surveys/%d/responses/%d/items/%d/tags", sv.ID, c.ResponseID, sv.Items[4].ID),
				`{"tags":["改善要望"]}`, nil)
		}
		org.must(http.StatusOK, "GET", svPath+"/results", nil, &res)
		tagged := 0
		for _, c := range res.Items[4].Comments {
			if slices.Contains(c.Tags, "改善要望") {
				tagged++
			}
		}
		if tagged != len(improve) {
			t.Errorf("%d comments tagged 改善要望, want %d", tagged, len(improve))
		}

		// 7. The CSV exports parse, in both encodings.
		for _, enc := range []string{"", "?enc=shift_jis"} {
			rows := eapiCSV(t, org, evPath+"/participants.csv"+enc)
			if len(rows) != 101 || !slices.ContainsFunc(rows, func(r []string) bool { return slices.Contains(r, "受講者 1") }) {
				t.Errorf("participants.csv%s: %d rows", enc, len(rows))
			}
			rows = eapiCSV(t, org, evPath+"/counts.csv"+enc)
			if !slices.ContainsFunc(rows, func(r []string) bool { return slices.Contains(r, "沖縄県") || slices.Contains(r, "北海道") }) {
				t.Errorf("counts.csv%s has no prefecture: %v", enc, rows)
			}
		}
		org.problem(http.StatusBadRequest, "GET", evPath+"/participants.csv?enc=latin1", nil)
		if rows := eapiCSV(t, org, svPath+"/responses.csv"); len(rows) != 89 {
			t.Errorf("responses.csv: %d rows, want a header and 88", len(rows))
		}
		if rows := eapiCSV(t, org, svPath+"/summary.csv"); !slices.ContainsFunc(rows, func(r []string) bool {
			return slices.ContainsFunc(r, func(c string) bool { return strings.HasPrefix(c, "84.1") })
		}) {
			t.Errorf("summary.csv has no 84.1%%: %v", rows)
		}

		// 8. The recording, shared by request.
		var mat struct {
			ID         int64  `json:"id"`
			URL        string `json:"url"`
			Visibility string `json:"visibility"`
			AccessDays int    `json:"access_days"`
		}
		org.must(http.StatusCreated, "POST", evPath+"/materials", eapiJSON(map[string]any{"kind": "recording", "title": "当日の録画",
			"url": eapiRecordingURL, "visibility": "request", "access_days": 14}), &mat)
		if mat.URL != eapiRecordingURL || mat.Visibility != "request" || mat.AccessDays != 14 {
			t.Fatalf("material: %+v", mat)
		}
		var mats struct {
			Materials []struct {
				ID          int64  `json:"id"`
				URL         string `json:"url"`
				CanOpen     bool   `json:"can_open"`
				Requestable bool   `json:"requestable"`
			} `json:"materials"`
		}
		anon.must(http.StatusOK, "GET", evPath+"/materials", nil, &mats)
		if len(mats.Materials) != 1 || mats.Materials[0].URL != "" || mats.Materials[0].CanOpen || !mats.Materials[0].Requestable {
			t.Fatalf("materials as anyone sees them: %+v", mats)
		}
		matPath := eapiPath("/materials/%d", mat.ID)
		if st, body := anon.call("GET", matPath+"/open", nil); (st != http.StatusForbidden && st != http.StatusNotFound) || strings.Contains(body, eapiRecordingURL) {
			t.Fatalf("anonymous open: %d %s", st, body)
		}
		var req struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		anon.must(http.StatusCreated, "POST", matPath+"/requests", `{"name":"申請 一子","prefecture":"沖縄県","role":"県庁 医務課",
		  "email":"ichiko@pref.okinawa.example.jp","note":"当日参加できませんでした。"}`, &req)
		if req.Status != "pending" {
			t.Fatalf("request: %+v", req)
		}
		var reqs struct {
			Requests []struct {
				ID     int64  `json:"id"`
				Email  string `json:"email"`
				Status string `json:"status"`
			} `json:"requests"`
		}
		org.must(http.StatusOK, "GET", evPath+"/material-requests", nil, &reqs)
		if len(reqs.Requests) != 1 || reqs.Requests[0].ID != req.ID || reqs.Requests[0].Status != "pending" {
			t.Fatalf("requests: %+v", reqs)
		}
		var decision struct {
			Status string `json:"status"`
			Token  string `json:"token"`
		}
		org.must(http.StatusOK, "POST", eapiPath("/material-requests/%d/decision", req.ID), `{"approve":true}`, &decision)
		if decision.Status != "approved" || decision.Token == "" {
			t.Fatalf("decision: %+v", decision)
		}
		before := len(eapiAudit(t, env, events.MaterialOpened))
		var opening struct {
			URL string `json:"url"`
		}
		anon.must(http.StatusOK, "GET", matPath+"/open?token="+decision.Token, nil, &opening)
		if opening.URL != eapiRecordingURL {
			t.Fatalf("opened: %+v", opening)
		}
		entries := eapiAudit(t, env, events.MaterialOpened)
		if len(entries) != before+1 || entries[0].ObjectID != mat.ID || !strings.Contains(entries[0].Detail, "ichiko@pref.okinawa.example.jp") {
			t.Fatalf("audit of the opening: %d entries (before %d): %+v", len(entries), before, entries)
		}
		anon.problem(http.StatusNotFound, "GET", matPath+"/open?token=not-a-token", nil)
		env.Clock.Advance(15 * 24 * time.Hour)
		if st, body := anon.call("GET", matPath+"/open?token="+decision.Token, nil); (st != http.StatusForbidden && st != http.StatusNotFound) || strings.Contains(body, eapiRecordingURL) {
			t.Fatalf("open after the access expired: %d %s", st, body)
		}
	})
}

// eapiFixture is an event with everything the organiser endpoints act
// on: a published event with a checked-in guest and a waitlisted one, its
// group work, a recording by request with a pending request, and an open
// patient survey with one response.
type eapiFixture struct {
	event, reg, waiting, group, material, request, survey, response, textItem int64
	slug, manageToken                                                         string
}

func newEAPIFixture(t *testing.T, env *apptest.Env, w *eventsWorld, org papiClient) eapiFixture {
	t.Helper()
	var f eapiFixture
	anon := papiClient{t: t, env: env}
	var ev eapiEvent
	org.must(http.StatusCreated, "POST", eapiPath("/organisations/%d/events", w.uni),
		eapiJSON(eapiEventBody(env, map[string]any{"venue_capacity": 1})), &ev)
	org.must(http.StatusOK, "POST", eapiPath("/events/%d/status", ev.ID), eapiJSON(map[string]any{"status": "published", "version": ev.Version}), &ev)
	f.event = ev.ID
	guests := eapiRegister(t, env, anon, ev.ID, 2, 2)
	f.reg, f.waiting, f.manageToken = guests[0].Reg.ID, guests[1].Reg.ID, guests[0].Token
	org.must(http.StatusNoContent, "POST", eapiPath("/registrations/%d/check-in", f.reg), `{"present":true}`, nil)
	var gw eapiGroupWork
	org.must(http.StatusOK, "POST", eapiPath("/events/%d/groups", ev.ID), `{"groups":1,"themes":["連携"],"seed":1,"version":0}`, &gw)
	f.group = gw.Groups[0].ID
	var mat struct {
		ID int64 `json:"id"`
	}
	org.must(http.StatusCreated, "POST", eapiPath("/events/%d/materials", ev.ID),
		`{"kind":"recording","title":"録画","url":"`+eapiRecordingURL+`","visibility":"request","access_days":7}`, &mat)
	f.material = mat.ID
	var req struct {
		ID int64 `json:"id"`
	}
	anon.must(http.StatusCreated, "POST", eapiPath("/materials/%d/requests", mat.ID),
		`{"name":"申請 一子","prefecture":"沖縄県","role":"県職員","email":"ichiko@example.jp"}`, &req)
	f.request = req.ID
	var sv eapiSurvey
	org.must(http.StatusCreated, "POST", eapiPath("/organisations/%d/surveys", w.uni), `{"kind":"patient","title":"外来患者満足度調査",
	  "items":[{"kind":"likert","label":"満足度","required":true},{"kind":"single","label":"年代","choices":["40代以下","50代以上"]},
	  {"kind":"text","label":"ご意見"}]}`, &sv)
	org.must(http.StatusOK, "POST", eapiPath("/surveys/%d/open", sv.ID), eapiJSON(map[string]int{"version": sv.Version}), nil)
	sv = eapiOpenedSurvey(t, org, sv)
	f.survey, f.slug, f.textItem = sv.ID, sv.PublicSlug, sv.Items[2].ID
	anon.must(http.StatusCreated, "POST", "/s/"+sv.PublicSlug+"/responses",
		eapiJSON(map[string]any{"answers": map[string]any{itoa(sv.Items[0].ID): map[string]int{"value": 4}, itoa(sv.Items[2].ID): map[string]string{"text": "待ち時間が長い"}}}), nil)
	var res eapiResults
	org.must(http.StatusOK, "GET", eapiPath("/surveys/%d/results", sv.ID), nil, &res)
	f.response = res.Items[2].Comments[0].ResponseID
	return f
}

// TestEventsAPIAuthorization checks every organiser endpoint as an
// anonymous caller (401), a member of another organisation, a prefecture
// officer and a doctor (refused without learning more than the public
// event shows), and with a read-only token on writes (403); and the
// public endpoints without a session.
func TestEventsAPIAuthorization(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newEventsWorld(t, env)
		orgTokens := eapiTokens(t, env, w.organiser, "write", "read")
		org, orgRead := orgTokens[0], orgTokens[1]
		f := newEAPIFixture(t, env, w, org)
		outsider := eapiToken(t, env, w.outsider)
		officer := eapiToken(t, env, w.officer)
		doctor := eapiToken(t, env, w.doctor)
		anon := papiClient{t: t, env: env}

		// public: the route acts on something of the published event, whose
		// existence is public, so a refusal may say so (403); everything
		// else is hidden from outsiders (404).
		type route struct {
			method, path, body string
			write, public      bool
		}
		ev := eapiPath("/events/%d", f.event)
		sv := eapiPath("/surveys/%d", f.survey)
		routes := []route{
			{"POST", eapiPath("/organisations/%d/events", w.uni), eapiJSON(eapiEventBody(env, nil)), true, false},
			{"GET", eapiPath("/organisations/%d/events", w.uni), "", false, false},
			{"PUT", ev, eapiJSON(eapiEventBody(env, map[string]any{"version": 99})), true, true},
			{"POST", ev + "/status", `{"status":"cancelled","version":99}`, true, true},
			{"GET", ev + "/registrations", "", false, true},
			{"POST", eapiPath("/registrations/%d/check-in", f.reg), `{"present":false}`, true, true},
			{"POST", eapiPath("/registrations/%d/cancel", f.waiting), "", true, true},
			{"GET", ev + "/counts", "", false, true},
			{"GET", ev + "/participants.csv", "", false, true},
			{"GET", ev + "/counts.csv", "", false, true},
			{"POST", ev + "/groups", `{"groups":1,"themes":["x"],"seed":2,"version":99}`, true, true},
			{"GET", ev + "/groups", "", false, true},
			{"POST", ev + "/groups/moves", eapiJSON(map[string]any{"registration_id": f.reg, "to_group": 1, "version": 99}), true, true},
			{"PUT", eapiPath("/groups/%d/report", f.group), `{"presenters":"x","points":"y"}`, true, true},
			{"POST", ev + "/materials", `{"kind":"material","title":"資料","url":"https://example.jp/a.pdf","visibility":"public"}`, true, true},
			{"PUT", eapiPath("/materials/%d", f.material), `{"kind":"recording","title":"録画","url":"https://example.jp/v","visibility":"request"}`, true, true},
			{"GET", ev + "/material-requests", "", false, true},
			{"POST", eapiPath("/material-requests/%d/decision", f.request), `{"approve":false,"reason":"対象外です"}`, true, true},
			{"POST", eapiPath("/organisations/%d/surveys", w.uni), `{"kind":"patient","title":"x","items":[{"kind":"text","label":"y"}]}`, true, false},
			{"GET", eapiPath("/organisations/%d/surveys", w.uni), "", false, false},
			{"GET", sv, "", false, false},
			{"PUT", sv, `{"kind":"patient","title":"x","items":[{"kind":"text","label":"y"}],"version":99}`, true, false},
			{"POST", sv + "/open", `{"version":99}`, true, false},
			{"POST", sv + "/close", `{"version":99}`, true, false},
			{"POST", sv + "/copy", `{"title":"来年度"}`, true, false},
			{"GET", sv + "/results", "", false, false},
			{"GET", eapiPath("/surveys/%d/compare/%d", f.survey, f.survey), "", false, false},
			{"PUT", eapiPath("/surveys/%d/responses/%d/items/%d/tags", f.survey, f.response, f.textItem), `{"tags":["改善要望"]}`, true, false},
			{"GET", sv + "/responses.csv", "", false, false},
			{"GET", sv + "/summary.csv", "", false, false},
		}
		var body any
		for _, rt := range routes {
			name := rt.method + " " + rt.path
			body = nil
			if rt.body != "" {
				body = rt.body
			}
			anon.problem(http.StatusUnauthorized, rt.method, rt.path, body)
			for who, c := range map[string]papiClient{"outsider": outsider, "officer": officer, "doctor": doctor} {
				st, got := c.call(rt.method, rt.path, body)
				if st != http.StatusNotFound && (st != http.StatusForbidden || !rt.public) {
					t.Errorf("%s as the %s: %d, want 404: %s", name, who, st, got)
				}
				if strings.Contains(got, "ichiko@example.jp") || strings.Contains(got, "trainee1@example.jp") {
					t.Errorf("%s as the %s leaks a registrant: %s", name, who, got)
				}
			}
			if rt.write {
				orgRead.problem(http.StatusForbidden, rt.method, rt.path, body)
			} else if st, got := orgRead.call(rt.method, rt.path, nil); st != http.StatusOK {
				t.Errorf("%s with the organiser's read token: %d %s", name, st, got)
			}
		}
		// The doctor cannot cancel someone else's registration either.
		doctor.problem(http.StatusNotFound, "POST", eapiPath("/registrations/%d/cancel", f.reg), nil)
		anon.problem(http.StatusUnauthorized, "GET", "/me/registrations", nil)

		// Public endpoints answer without a session.
		anon.must(http.StatusOK, "GET", "/events", nil, nil)
		anon.must(http.StatusOK, "GET", ev, nil, nil)
		anon.must(http.StatusOK, "GET", ev+"/materials", nil, nil)
		anon.must(http.StatusOK, "GET", "/event-registrations/"+f.manageToken, nil, nil)
		anon.must(http.StatusOK, "GET", "/s/"+f.slug, nil, nil)
		var edit struct {
			EditToken string `json:"edit_token"`
			EditURL   string `json:"edit_url"`
		}
		var sur eapiSurvey
		org.must(http.StatusOK, "GET", sv, nil, &sur)
		answers := func(v int) string {
			return eapiJSON(map[string]any{"answers": map[string]any{itoa(sur.Items[0].ID): map[string]int{"value": v}}})
		}
		anon.must(http.StatusCreated, "POST", "/s/"+f.slug+"/responses", answers(5), &edit)
		if edit.EditToken == "" || !strings.HasSuffix(edit.EditURL, "/s/"+f.slug+"/edit/"+edit.EditToken) {
			t.Fatalf("public answer: %+v", edit)
		}
		anon.must(http.StatusNoContent, "PUT", "/survey-responses/"+edit.EditToken, answers(2), nil)
		var form struct {
			Answers map[string]map[string]any `json:"answers"`
		}
		anon.must(http.StatusOK, "GET", "/survey-responses/"+edit.EditToken, nil, &form)
		if form.Answers[itoa(sur.Items[0].ID)]["value"] != float64(2) {
			t.Errorf("edited response: %+v", form)
		}
		anon.problem(http.StatusNotFound, "GET", "/s/no-such-survey", nil)
		anon.problem(http.StatusNotFound, "PUT", "/survey-responses/no-such-token", answers(3))
		anon.problem(http.StatusNotFound, "GET", "/survey-invitations/no-such-token", nil)
		anon.must(http.StatusNoContent, "POST", "/event-registrations/"+f.manageToken+"/cancel", nil, nil)
	})
}

// TestEventsAPIBadInput sends malformed and out-of-range bodies to the
// events and survey endpoints: each is a 400 problem naming what to fix,
// never a 500; and the public survey link's rate limit is a 429.
func TestEventsAPIBadInput(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newEventsWorld(t, env)
		org := eapiToken(t, env, w.organiser)
		f := newEAPIFixture(t, env, w, org)
		anon := papiClient{t: t, env: env}
		var sv eapiSurvey
		org.must(http.StatusOK, "GET", eapiPath("/surveys/%d", f.survey), nil, &sv)
		likert, single, text := itoa(sv.Items[0].ID), itoa(sv.Items[1].ID), itoa(sv.Items[2].ID)
		huge := strings.Repeat("長", 200_000)
		create := eapiPath("/organisations/%d/events", w.uni)
		event := func(extra map[string]any) string { return eapiJSON(eapiEventBody(env, extra)) }
		answer := func(a map[string]any) string { return eapiJSON(map[string]any{"answers": a}) }
		ev := eapiPath("/events/%d", f.event)

		cases := []struct {
			name         string
			c            papiClient
			method, path string
			body         string
			field        string // a field the problem must name; "" for a general message
		}{
			{"capacity as a string", org, "POST", create, event(map[string]any{"venue_capacity": "26"}), "venue_capacity"},
			{"unknown field", org, "POST", create, event(map[string]any{"capacity": 26}), ""},
			{"not JSON", org, "POST", create, `{"title":`, ""},
			{"no title", org, "POST", create, event(map[string]any{"title": ""}), "title"},
			{"huge title", org, "POST", create, event(map[string]any{"title": huge}), "title"},
			{"date out of range", org, "POST", create, event(map[string]any{"starts_at": "9999-01-01T10:00:00+09:00"}), "starts_at"},
			{"not a date", org, "POST", create, event(map[string]any{"ends_at": "2026-13-45T25:00:00+09:00"}), "ends_at"},
			{"talk time", org, "POST", create, event(map[string]any{"talks": []map[string]any{{"title": "x", "starts_at": "明日"}}}), "talks.0.starts_at"},
			{"unknown mode", org, "POST", create, event(map[string]any{"mode": "teleport"}), "mode"},
			{"negative capacity", org, "POST", create, event(map[string]any{"venue_capacity": -1}), "venue_capacity"},
			{"update without version", org, "PUT", ev, event(nil), "version"},
			{"status unknown", org, "POST", ev + "/status", `{"status":"open","version":1}`, "status"},
			{"check-in without present", org, "POST", eapiPath("/registrations/%d/check-in", f.reg), `{}`, "present"},
			{"check-in as a string", org, "POST", eapiPath("/registrations/%d/check-in", f.reg), `{"present":"yes"}`, "present"},
			{"groups without themes", org, "POST", ev + "/groups", `{"groups":1,"themes":[],"version":1}`, ""},
			{"too many groups", org, "POST", ev + "/groups", `{"groups":5,"themes":["a"],"version":1}`, ""},
			{"move without version", org, "POST", ev + "/groups/moves", eapiJSON(map[string]any{"registration_id": f.reg, "to_group": 1}), "version"},
			{"material without URL", org, "POST", ev + "/materials", `{"kind":"material","title":"資料","visibility":"public"}`, "url"},
			{"material kind", org, "POST", ev + "/materials", `{"kind":"video","title":"資料","url":"https://example.jp","visibility":"public"}`, "kind"},
			{"material script URL", org, "POST", ev + "/materials", `{"title":"資料","url":"javascript:alert(1)","visibility":"public"}`, "url"},
			{"decision without approve", org, "POST", eapiPath("/material-requests/%d/decision", f.request), `{}`, "approve"},
			{"rejection without a reason", org, "POST", eapiPath("/material-requests/%d/decision", f.request), `{"approve":false}`, "reason"},
			{"registration without a name", anon, "POST", ev + "/registrations", `{"email":"x@example.jp","prefecture":"東京都","role":"cc","attendance":"online"}`, "name"},
			{"registration role", anon, "POST", ev + "/registrations", `{"name":"x","email":"x@example.jp","prefecture":"東京都","role":"king","attendance":"online"}`, "role"},
			{"registration huge name", anon, "POST", ev + "/registrations", eapiJSON(map[string]string{"name": huge, "email": "y@example.jp", "prefecture": "東京都", "role": "cc", "attendance": "online"}), "name"},
			{"request without an e-mail", anon, "POST", eapiPath("/materials/%d/requests", f.material), `{"name":"x","prefecture":"東京都","role":"y"}`, "email"},
			{"survey without items", org, "POST", eapiPath("/organisations/%d/surveys", w.uni), `{"kind":"patient","title":"x","items":[]}`, "items"},
			{"survey closes out of range", org, "POST", eapiPath("/organisations/%d/surveys", w.uni), `{"kind":"patient","title":"x","items":[{"kind":"text","label":"y"}],"closes_at":"1900-01-01T00:00:00Z"}`, "closes_at"},
			{"open without version", org, "POST", eapiPath("/surveys/%d/open", f.survey), `{}`, "version"},
			{"tags not a list", org, "PUT", eapiPath("/surveys/%d/responses/%d/items/%d/tags", f.survey, f.response, f.textItem), `{"tags":"改善要望"}`, "tags"},
			{"answers missing", anon, "POST", "/s/" + f.slug + "/responses", `{}`, "answers"},
			{"Likert 7", anon, "POST", "/s/" + f.slug + "/responses", answer(map[string]any{likert: map[string]int{"value": 7}}), "item-" + likert},
			{"choice out of range", anon, "POST", "/s/" + f.slug + "/responses", answer(map[string]any{likert: map[string]int{"value": 3}, single: map[string]int{"value": 9}}), "item-" + single},
			{"required item missing", anon, "POST", "/s/" + f.slug + "/responses", answer(map[string]any{single: map[string]int{"value": 0}}), "item-" + likert},
			{"item not a number", anon, "POST", "/s/" + f.slug + "/responses", answer(map[string]any{"first": map[string]int{"value": 3}}), "item-first"},
			{"value as a string", anon, "POST", "/s/" + f.slug + "/responses", `{"answers":{"` + likert + `":{"value":"5"}}}`, ""},
			{"unknown answer field", anon, "POST", "/s/" + f.slug + "/responses", `{"answers":{"` + likert + `":{"score":5}}}`, ""},
			{"huge comment", anon, "POST", "/s/" + f.slug + "/responses", answer(map[string]any{likert: map[string]int{"value": 3}, text: map[string]string{"text": huge}}), "item-" + text},
		}
		for _, tc := range cases {
			st, p, got := eapiSend(tc.c, tc.method, tc.path, tc.body)
			if st != http.StatusBadRequest || p == nil {
				t.Errorf("%s: %s %s: %d, want a 400 problem: %.300s", tc.name, tc.method, tc.path, st, got)
				continue
			}
			if !japanese.MatchString(p.Detail) {
				t.Errorf("%s: detail not in Japanese: %q", tc.name, p.Detail)
			}
			if tc.field != "" && p.Errors[tc.field] == "" {
				t.Errorf("%s: no error for %s: %+v", tc.name, tc.field, p)
			}
		}
		// Malformed IDs and tokens are not found, never a failure.
		anon.problem(http.StatusNotFound, "GET", "/events/abc", nil)
		anon.problem(http.StatusNotFound, "GET", "/events/99999999", nil)
		org.problem(http.StatusNotFound, "GET", "/surveys/0/results", nil)
		anon.problem(http.StatusNotFound, "GET", "/materials/1/open?token="+strings.Repeat("x", 5000), nil)

		// The public link takes survey.AnswerRule.Limit answers an hour from
		// one address (the fixture's and the refused ones above may count
		// too); then 429.
		var status int
		var body string
		for range survey.AnswerRule.Limit + 1 {
			status, body = anon.call("POST", "/s/"+f.slug+"/responses", answer(map[string]any{likert: map[string]int{"value": 4}}))
			if status != http.StatusCreated {
				break
			}
		}
		if status != http.StatusTooManyRequests {
			t.Fatalf("after %d answers from one address: %d %s", survey.AnswerRule.Limit+1, status, body)
		}
		p := anon.problem(http.StatusTooManyRequests, "POST", "/s/"+f.slug+"/responses", answer(map[string]any{likert: map[string]int{"value": 4}}))
		if p.Code != "rate_limited" || !strings.Contains(p.Detail, "分後") {
			t.Errorf("rate limited: %+v", p)
		}
	})
}

// TestEventsAPIReviewGaps covers what the review found missing: the
// public calendar files, a refused capacity below the confirmed seats, an
// update told to the registrants, and the survey links for signed-in
// attendees, guests and deployments without e-mail.
func TestEventsAPIReviewGaps(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		eapiQueueMail(env)
		w := newEventsWorld(t, env)
		org := eapiToken(t, env, w.organiser)
		doctor := eapiToken(t, env, w.doctor)
		anon := papiClient{t: t, env: env}
		var ev eapiEvent
		org.must(http.StatusCreated, "POST", eapiPath("/organisations/%d/events", w.uni), eapiJSON(eapiEventBody(env, nil)), &ev)
		calPath := eapiPath("/events/%d/calendar.ics", ev.ID)
		anon.problem(http.StatusNotFound, "GET", calPath, nil) // a draft
		org.must(http.StatusOK, "POST", eapiPath("/events/%d/status", ev.ID), eapiJSON(map[string]any{"status": "published", "version": ev.Version}), &ev)

		r := env.Client().Do(papiRequest(env, "", "GET", calPath, nil))
		if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") ||
			!strings.Contains(r.Body, "METHOD:REQUEST") || !strings.Contains(r.Body, "LOCATION:白衣大学 医学部 講堂") ||
			strings.Contains(r.Body, eventsOnlineURL) {
			t.Fatalf("GET %s: %d %s\n%s", calPath, r.Status, r.Header.Get("Content-Type"), r.Body)
		}

		guests := eapiRegister(t, env, anon, ev.ID, 2, 2)
		var mine struct {
			Registration eapiReg `json:"registration"`
		}
		doctor.must(http.StatusCreated, "POST", eapiPath("/events/%d/registrations", ev.ID), eapiJSON(map[string]any{
			"name": "医師 太郎", "prefecture": "京都府", "organisation": "白衣病院", "role": "doctor", "attendance": "online"}), &mine)
		r = env.Client().Do(papiRequest(env, "", "GET", "/event-registrations/"+guests[0].Token+"/calendar.ics", nil))
		if r.Status != http.StatusOK || !strings.Contains(r.Body, "ATTENDEE") || !strings.Contains(r.Body, "LOCATION:白衣大学 医学部 講堂") {
			t.Fatalf("registration calendar: %d\n%s", r.Status, r.Body)
		}

		// A capacity below the two confirmed seats is refused.
		p := org.problem(http.StatusBadRequest, "PUT", eapiPath("/events/%d", ev.ID),
			eapiJSON(eapiEventBody(env, map[string]any{"venue_capacity": 1, "version": ev.Version})))
		if p.Errors["venue_capacity"] != "会場で参加が確定している人数（2人）より少なくはできません。" {
			t.Errorf("capacity problem: %+v", p)
		}

		// New times are sent to the registrants with the calendar.
		body := eapiEventBody(env, map[string]any{"version": ev.Version})
		start, _ := time.Parse(time.RFC3339, body["starts_at"].(string))
		body["starts_at"], body["ends_at"] = start.Add(time.Hour).Format(time.RFC3339), start.Add(8*time.Hour).Format(time.RFC3339)
		org.must(http.StatusOK, "PUT", eapiPath("/events/%d", ev.ID), eapiJSON(body), &ev)
		ms := eapiMails(t, env, guests[1].Reg.Email)
		if last := ms[len(ms)-1]; !strings.HasPrefix(last.Subject, "[Hakui] 研修会の内容が変更になりました") ||
			!strings.Contains(last.Text, "・日時:") || len(last.Attachments) != 1 {
			t.Errorf("last e-mail to a guest: %+v", last)
		}
		notes, err := env.Main.DB.Notifications(context.Background(), w.doctor.user.ID, 20)
		if err != nil || len(notes) == 0 || notes[0].Kind != events.NoteChanged {
			t.Errorf("doctor's notifications: %+v, %v", notes, err)
		}

		// The survey: the signed-in doctor finds it in the app; the
		// organiser hands out fresh links; a guest fetches their own.
		for _, id := range []int64{guests[0].Reg.ID, guests[1].Reg.ID, mine.Registration.ID} {
			org.must(http.StatusNoContent, "POST", eapiPath("/registrations/%d/check-in", id), `{"present":true}`, nil)
		}
		var sv eapiSurvey
		org.must(http.StatusCreated, "POST", eapiPath("/organisations/%d/surveys", w.uni), eapiJSON(map[string]any{
			"kind": "event", "event_id": ev.ID, "title": "研修会アンケート",
			"items": []map[string]any{{"kind": "likert", "label": "満足しましたか", "required": true}}}), &sv)
		linksPath := eapiPath("/surveys/%d/invitation-links", sv.ID)
		org.problem(http.StatusConflict, "POST", linksPath, nil) // not open
		org.must(http.StatusOK, "POST", eapiPath("/surveys/%d/open", sv.ID), eapiJSON(map[string]int{"version": sv.Version}), nil)
		notes, _ = env.Main.DB.Notifications(context.Background(), w.doctor.user.ID, 20)
		if len(notes) == 0 || notes[0].Kind != survey.NoteInvited || !strings.HasPrefix(notes[0].Link, "/surveys/answer/") {
			t.Fatalf("doctor's survey notification: %+v", notes)
		}
		anon.problem(http.StatusUnauthorized, "POST", linksPath, nil)
		doctor.problem(http.StatusNotFound, "POST", linksPath, nil)
		var links struct {
			Links []struct {
				Name, Email, Link string
			} `json:"links"`
		}
		org.must(http.StatusOK, "POST", linksPath, nil, &links)
		if len(links.Links) != 3 || links.Links[0].Name != "受講者 1" || !strings.Contains(links.Links[0].Link, "/surveys/answer/") {
			t.Fatalf("links %+v", links)
		}
		var got struct {
			Link string `json:"link"`
		}
		anon.must(http.StatusOK, "POST", "/event-registrations/"+guests[1].Token+"/survey-link", nil, &got)
		_, token, _ := strings.Cut(got.Link, "/surveys/answer/")
		anon.must(http.StatusOK, "GET", "/survey-invitations/"+token, nil, nil)
		doctor.must(http.StatusOK, "POST", eapiPath("/events/%d/survey-link", ev.ID), nil, &got)
		anon.problem(http.StatusNotFound, "POST", "/event-registrations/not-a-token/survey-link", nil)
	})
}
