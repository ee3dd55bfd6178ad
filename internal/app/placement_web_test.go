package app_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app"
	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
)

// pwebWorld is an agency with an agent, a rival agency with its agent, a
// clinic with its staff and an open opening, and a doctor who is a 専攻医.
type pwebWorld struct {
	env                       *apptest.Env
	agency, rivalAgency       int64
	clinic, opening           string
	agent, rival, staff, doc  *apptest.Client
	doctorEmail, doctorName   string
	jst                       *time.Location
	today, nextWeek, lastWeek string
}

// pwebProfile is the doctor's profile form: a 専攻医 in 内科, plus extra.
func pwebProfile(extra url.Values) url.Values {
	v := url.Values{"name_kanji": {"山田 太郎"}, "practice_form": {"employed"}, "specialties": {"内科"}, "prefecture": {"東京都"},
		"event_national_exam_passed": {"2020-03-16"}, "event_junior_start": {"2020-04-01"}, "event_junior_end": {"2022-03-31"},
		"event_specialty_start": {"2022-04-01"}, "event_specialty_start_specialty": {"内科"}}
	for k, vals := range extra {
		v[k] = vals
	}
	return v
}

func newPWebWorld(t *testing.T, env *apptest.Env) *pwebWorld {
	t.Helper()
	w := &pwebWorld{env: env, doctorEmail: "yamada@example.jp", doctorName: "山田 太郎", jst: time.FixedZone("JST", 9*3600)}
	now := env.Clock.Now().In(w.jst)
	w.today = now.Format(time.DateOnly)
	w.nextWeek = now.AddDate(0, 0, 7).Format(time.DateOnly)
	w.lastWeek = now.AddDate(0, 0, -7).Format(time.DateOnly)
	w.agency = env.Org(identity.OrgAgency, "さくらメディカルキャリア")
	w.rivalAgency = env.Org(identity.OrgAgency, "つばきキャリア")
	clinic := env.Org(identity.OrgInstitution, "みなと内科クリニック")
	w.clinic = itoa(clinic)
	agent := env.User("agent@sakura.example.jp", "鈴木 一郎", identity.Grant{Role: identity.RoleAgent, OrgID: w.agency, OrgAdmin: true})
	rival := env.User("agent@tsubaki.example.jp", "田中 次郎", identity.Grant{Role: identity.RoleAgent, OrgID: w.rivalAgency})
	staff := env.User("staff@minato.example.jp", "佐藤 花子", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: clinic, OrgAdmin: true})
	env.User(w.doctorEmail, w.doctorName, identity.Grant{Role: identity.RoleDoctor})
	w.agent, w.rival, w.staff, w.doc = env.Client(), env.Client(), env.Client(), env.Client()
	w.agent.Login(agent.Email, env.EnableTOTP(agent))
	w.rival.Login(rival.Email, env.EnableTOTP(rival))
	w.staff.Login(staff.Email, env.EnableTOTP(staff))
	w.doc.Login(w.doctorEmail, "")
	r := w.staff.Post("/openings", openingForm(url.Values{"poster_org_id": {w.clinic}, "institution_id": {w.clinic}}))
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/openings/") {
		t.Fatalf("post opening: %d %s", r.Status, alert(r))
	}
	w.opening = strings.TrimPrefix(r.Location, "/openings/")
	pwebExpect(t, w.doc.Post("/profile", pwebProfile(nil)), http.StatusSeeOther, "doctor's profile")
	return w
}

// alert is the error summary of a page.
func alert(r *apptest.Response) string { return between(r.Body, `role="alert"`, "</div>") }

// pwebExpect fails the test unless the response has the status.
func pwebExpect(t *testing.T, r *apptest.Response, status int, what string) *apptest.Response {
	t.Helper()
	if r.Status != status {
		t.Fatalf("%s: status %d, want %d (location %q): %s", what, r.Status, status, r.Location, alert(r))
	}
	return r
}

// pwebFind returns the first group of re in the body, failing the test
// without a match.
func pwebFind(t *testing.T, r *apptest.Response, re, what string) string {
	t.Helper()
	m := regexp.MustCompile(re).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("%s: no %s in the page", what, re)
	}
	return m[1]
}

// pwebContains fails the test unless the page shows every text.
func pwebContains(t *testing.T, r *apptest.Response, what string, texts ...string) {
	t.Helper()
	for _, text := range texts {
		if !strings.Contains(r.Body, text) {
			t.Fatalf("%s: %q missing from the page (status %d)", what, text, r.Status)
		}
	}
}

var versionRE = `name="version" value="(\d+)"`

// createLead enters a lead by hand and returns its page's path.
func (w *pwebWorld) createLead(t *testing.T) string {
	t.Helper()
	r := pwebExpect(t, w.agent.Post("/agency/leads", url.Values{"name": {w.doctorName}, "name_kana": {"やまだ たろう"},
		"email": {w.doctorEmail}, "phone": {"090-1234-5678"}, "source": {"referral"}, "source_note": {"高橋先生のご紹介"}}),
		http.StatusSeeOther, "create lead")
	if !strings.HasPrefix(r.Location, "/agency/leads/") {
		t.Fatalf("create lead went to %q", r.Location)
	}
	return r.Location
}

// openCase opens a case for the lead and the opening and returns its path.
func (w *pwebWorld) openCase(t *testing.T, lead string) string {
	t.Helper()
	r := pwebExpect(t, w.agent.Post(lead+"/cases", url.Values{"opening": {w.opening}}), http.StatusSeeOther, "open case")
	if !strings.HasPrefix(r.Location, "/cases/") {
		t.Fatalf("open case went to %q", r.Location)
	}
	return r.Location
}

// scheduleConsultation plans an online 面談 for the case and returns the
// consultation's path.
func (w *pwebWorld) scheduleConsultation(t *testing.T, lead, casePath string) string {
	t.Helper()
	pwebExpect(t, w.agent.Post(lead+"/consultations", url.Values{"mode": {"online"}, "scheduled_at": {w.today + "T10:00"},
		"meeting_url": {"https://zoom.example.jp/j/123"}, "case_id": {strings.TrimPrefix(casePath, "/cases/")}}),
		http.StatusSeeOther, "schedule consultation")
	return "/agency/consultations/" + pwebFind(t, w.agent.Get(lead), `/agency/consultations/(\d+)`, "lead page")
}

// move posts a move form with the case's current version as the client
// sees it.
func move(t *testing.T, c *apptest.Client, casePath string, form url.Values, status int, what string) *apptest.Response {
	t.Helper()
	form.Set("version", pwebFind(t, c.Get(casePath), versionRE, what))
	return pwebExpect(t, c.Post(casePath+"/move", form), status, what)
}

func TestPlacementPagesEndToEnd(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newPWebWorld(t, env)

		// The agent enters the lead and makes the account-link invitation.
		lead := w.createLead(t)
		r := pwebExpect(t, w.agent.Post(lead+"/invite", nil), http.StatusOK, "invite lead")
		claim := pwebFind(t, r, `value="https://[^"]+(/leads/claim/[^"]+)"`, "invitation")

		// Signed out, the link explains what to do; signed in, the doctor
		// must tick the purpose of use.
		pwebContains(t, env.Client().Get(claim), "anonymous claim", "さくらメディカルキャリア", "ログイン", "医師の新規登録")
		r = pwebExpect(t, w.doc.Get(claim), http.StatusOK, "claim page")
		pwebContains(t, r, "claim page", "個人情報の利用目的", "医療機関の求人のご紹介")
		hash := pwebFind(t, r, `name="purpose_hash" value="([0-9a-f]+)"`, "claim page")
		r = pwebExpect(t, w.doc.Post(claim, url.Values{"purpose_hash": {hash}}), http.StatusBadRequest, "claim without consent")
		pwebContains(t, r, "claim without consent", "利用目的を確認し、同意してください。")
		r = pwebExpect(t, w.doc.Post(claim, url.Values{"purpose_hash": {hash}, "consent_purpose": {"1"}, "consent_health": {"1"}}),
			http.StatusSeeOther, "claim")
		if r.Location != "/me/cases" {
			t.Fatalf("claim went to %q", r.Location)
		}
		pwebContains(t, w.doc.Get("/me/cases"), "my cases", "さくらメディカルキャリア", "同意しています")
		pwebContains(t, w.agent.Get(lead), "lead page", "医師アカウントと連携済み", "同意あり")

		// A case for the opening; the consultation moves it on.
		casePath := w.openCase(t, lead)
		pwebContains(t, w.agent.Get(casePath), "new case", "問い合わせ", "面談を予定する")
		consultation := w.scheduleConsultation(t, lead, casePath)
		pwebContains(t, w.agent.Get("/agency/board"), "board", w.doctorName, "みなと内科クリニック")

		// Checking items before the 面談 is recorded is refused, clearly.
		r = move(t, w.agent, casePath, url.Values{"form": {"next"}, "to": {"check_items"}}, http.StatusBadRequest, "check items too early")
		pwebContains(t, r, "check items too early", "面談の記録がありません")

		// The notes are sealed; opening them is audited, and says so.
		r = w.agent.Get(consultation)
		pwebContains(t, r, "consultation", "監査ログに記録され", "健康に関するメモ")
		pwebExpect(t, w.agent.Post(consultation, url.Values{"lead_id": {strings.TrimPrefix(lead, "/agency/leads/")},
			"mode": {"online"}, "scheduled_at": {w.today + "T10:00"}, "meeting_url": {"https://zoom.example.jp/j/123"},
			"notes": {"一人当直は未経験。外来は問題なし。"}, "impression": {"誠実"}, "wishes": {"火曜午後"},
			"health_notes": {"腰痛のため長時間の立ち仕事は避けたい"}}), http.StatusSeeOther, "record consultation")
		pwebContains(t, w.agent.Get(consultation), "recorded consultation", "一人当直は未経験", "腰痛のため")
		pwebContains(t, w.doc.Get("/me/audit"), "doctor's audit", "記録の閲覧")

		// 確認事項: one required item is not met.
		move(t, w.agent, casePath, url.Values{"form": {"next"}, "to": {"check_items"}}, http.StatusSeeOther, "to check items")
		r = w.agent.Get(casePath)
		items := regexp.MustCompile(`name="item_(\d+)"`).FindAllStringSubmatch(r.Body, -1)
		if len(items) < 2 {
			t.Fatalf("checklist has %d items", len(items))
		}
		form := url.Values{"version": {pwebFind(t, r, versionRE, "checklist")}, "added": {"在宅医療への関心"}}
		for i, m := range items {
			status := "met"
			if i == 0 {
				status = "not_met"
			}
			form.Set("item_"+m[1], status)
			form.Set("note_"+m[1], "面談で確認")
		}
		pwebExpect(t, w.agent.Post(casePath+"/items", form), http.StatusSeeOther, "confirm items")

		// The gate: without a reason the introduction is refused and the
		// typed recommendation kept; with one, it goes through. (A minute
		// later, so that the institution's timeline starts after the
		// agency's own steps.)
		env.Clock.Advance(time.Minute)
		rec := "内科外来の経験が豊富で、患者様への説明が丁寧な先生です。"
		r = move(t, w.agent, casePath, url.Values{"form": {"introduce"}, "recommendation": {rec}}, http.StatusBadRequest, "introduce without reason")
		pwebContains(t, r, "introduce without reason", "それでも紹介する理由", rec, "確認できていない点を明示して紹介する")
		move(t, w.agent, casePath, url.Values{"form": {"introduce"}, "recommendation": {rec},
			"override_reason": {"マニュアルなしの診察は面接で直接ご確認いただく前提で紹介します。"}}, http.StatusSeeOther, "introduce")

		// The clinic sees the candidate, the override and what was shared.
		pwebContains(t, w.staff.Get("/institution/candidates"), "candidates", w.doctorName, "未確認の点を明示して紹介")
		r = w.staff.Get(casePath)
		pwebContains(t, r, "institution's case", "エージェントが確認できていない点を明示して紹介しています",
			"面接で直接ご確認いただく前提", "共有されたプロフィール", rec)
		if strings.Contains(r.Body, w.doctorEmail) || strings.Contains(r.Body, "腰痛") || strings.Contains(r.Body, "面談を予定") {
			t.Fatal("the institution sees contact details, consultation notes or the agency's steps before the introduction")
		}
		// The doctor sees exactly what was shared, with whom and when.
		pwebContains(t, w.doc.Get(casePath), "doctor's case", "医療機関に共有した内容", "みなと内科クリニック に", rec)

		// The clinic schedules the interview, downloads it and scores it.
		iv := url.Values{"iv_date": {w.nextWeek}, "starts_at": {"14:00"}, "ends_at": {"15:00"}, "mode": {"in_person"},
			"place": {"みなと内科クリニック 2階 会議室"}, "p_name_1": {"佐藤 花子"}, "p_email_1": {"staff@minato.example.jp"},
			"p_role_1": {"institution"}}
		iv.Set("version", pwebFind(t, w.staff.Get(casePath), versionRE, "interview form"))
		pwebExpect(t, w.staff.Post(casePath+"/interviews", iv), http.StatusSeeOther, "schedule interview")
		r = w.staff.Get(casePath)
		ivID := pwebFind(t, r, `/interviews/(\d+)\.ics`, "interviews")
		ics := pwebExpect(t, w.staff.Get("/interviews/"+ivID+".ics"), http.StatusOK, "ics")
		if ct := ics.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
			t.Fatalf("ics content type %q", ct)
		}
		if cd := ics.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
			t.Fatalf("ics disposition %q", cd)
		}
		if !strings.Contains(ics.Body, "BEGIN:VCALENDAR") {
			t.Fatalf("ics body: %s", ics.Body)
		}
		sc := url.Values{"interview_id": {ivID}, "overall": {"yes"}, "comment": {"説明が丁寧でした。"}}
		for _, m := range regexp.MustCompile(`name="score_(\d+)"`).FindAllStringSubmatch(r.Body, -1) {
			sc.Set("score_"+m[1], "4")
		}
		pwebExpect(t, w.staff.Post(casePath+"/scorecards", sc), http.StatusSeeOther, "scorecard")
		pwebContains(t, w.agent.Get(casePath), "agent's case", "採用したい", "説明が丁寧でした。")

		// 振り返り: both sides conclude; the clinic declines.
		move(t, w.agent, casePath, url.Values{"form": {"next"}, "to": {"review"}}, http.StatusSeeOther, "to review")
		for _, c := range []*apptest.Client{w.doc, w.agent} {
			rv := url.Values{"verdict": {"decline"}, "review_note": {"専門医取得後にもう一度"}}
			rv.Set("version", pwebFind(t, c.Get(casePath), versionRE, "review"))
			pwebExpect(t, c.Post(casePath+"/review", rv), http.StatusSeeOther, "review")
		}
		pwebContains(t, w.agent.Get(casePath), "reviews", "医師の結論", "エージェントの結論")
		move(t, w.staff, casePath, url.Values{"form": {"close"}, "close_to": {"declined_by_institution"},
			"close_reason": {"profile_mismatch"}, "close_note": {"専門医の取得後であればぜひ"}}, http.StatusSeeOther, "decline")
		pwebContains(t, w.agent.Get(casePath), "declined case", "結果: 医療機関見送り", "求める医師像と合わない")

		pwebContains(t, w.agent.Get("/agency/reports"), "reports", "医療機関見送り", "求める医師像と合わない")

		// A follow-up waits for 専門医 (内科).
		pwebExpect(t, w.agent.Post(casePath+"/follow-ups", url.Values{"trigger_kind": {"certification"},
			"trigger_specialty": {"内科"}, "fu_note": {"専門医取得後にみなと内科クリニックへ再推薦"}}), http.StatusSeeOther, "follow-up")
		r = w.agent.Get("/agency/follow-ups")
		if !strings.Contains(between(r.Body, `id="waiting-h"`, "</table>"), "専門医（内科）を取得したとき") {
			t.Fatal("the follow-up is not waiting")
		}

		// The doctor records 専門医 in their profile; the follow-up is due.
		pwebExpect(t, w.doc.Post("/profile", pwebProfile(url.Values{"event_specialist_obtained": {w.lastWeek},
			"event_specialist_obtained_specialty": {"内科"}})), http.StatusSeeOther, "specialist profile")
		pwebContains(t, w.agent.Get("/dashboard"), "agent's dashboard", "対応が必要なフォローアップが1件あります。")
		r = w.agent.Get("/agency/follow-ups")
		due := between(r.Body, `id="due-h"`, `id="waiting-h"`)
		if !strings.Contains(due, "専門医（内科）を取得したとき") || !strings.Contains(due, "医療機関見送り") {
			t.Fatalf("due follow-ups: %s", due)
		}
		fu := pwebFind(t, r, `/agency/follow-ups/(\d+)/reopen`, "follow-ups")
		r = pwebExpect(t, w.agent.Post("/agency/follow-ups/"+fu+"/reopen", nil), http.StatusSeeOther, "reopen")
		if r.Location != casePath {
			t.Fatalf("reopen went to %q, want %q", r.Location, casePath)
		}
		r = w.agent.Get(casePath)
		pwebContains(t, r, "reopened case", `<span class="badge stage-consultation">面談</span>`, "2回目")
		if strings.Contains(between(w.agent.Get("/agency/follow-ups").Body, `id="due-h"`, `id="waiting-h"`), "/reopen") {
			t.Fatal("the follow-up is still due after the reopen")
		}

		// Reports draw charts and export CSV.
		r = pwebExpect(t, w.agent.Get("/agency/reports"), http.StatusOK, "reports")
		pwebContains(t, r, "reports", "<svg", "ファネル", "振り返り")
		csv := pwebExpect(t, w.agent.Get("/agency/reports.csv?encoding=shift_jis"), http.StatusOK, "report csv")
		if ct := csv.Header.Get("Content-Type"); ct != "text/csv; charset=shift_jis" {
			t.Fatalf("csv content type %q", ct)
		}
		pwebExpect(t, w.agent.Get("/agency/reports?from=2026-13-01"), http.StatusBadRequest, "bad report date")

		// The doctor withdraws consent.
		leadID := strings.TrimPrefix(lead, "/agency/leads/")
		pwebExpect(t, w.doc.Post("/me/agencies/"+leadID+"/consent", url.Values{"purpose": {"0"}}), http.StatusSeeOther, "withdraw consent")
		pwebContains(t, w.doc.Get("/me/cases"), "withdrawn consent", "撤回しました")
	})
}

func TestPlacementPagesHideOtherOrganisations(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newPWebWorld(t, env)
		lead := w.createLead(t)
		casePath := w.openCase(t, lead)
		consultation := w.scheduleConsultation(t, lead, casePath)
		version := pwebFind(t, w.agent.Get(casePath), versionRE, "case")

		for _, path := range []string{lead, consultation, casePath} {
			if r := w.rival.Get(path); r.Status != http.StatusNotFound {
				t.Errorf("rival agent GET %s: %d, want 404", path, r.Status)
			}
		}
		for path, form := range map[string]url.Values{
			casePath + "/move":   {"form": {"next"}, "to": {"consultation"}, "version": {version}},
			lead + "/invite":     nil,
			lead + "/cases":      {"opening": {w.opening}},
			consultation:         {"mode": {"online"}, "notes": {"x"}},
			casePath + "/reopen": {"version": {version}},
		} {
			if r := w.rival.Post(path, form); r.Status != http.StatusNotFound {
				t.Errorf("rival agent POST %s: %d, want 404", path, r.Status)
			}
		}
		// Before the introduction the clinic has no stake in the case, and
		// the doctor is not a party to a case of an unlinked lead.
		for _, c := range []*apptest.Client{w.staff, w.doc} {
			if r := c.Get(casePath); r.Status != http.StatusNotFound {
				t.Errorf("GET %s before the introduction: %d, want 404", casePath, r.Status)
			}
		}
		if r := w.staff.Get("/agency/board"); r.Status != http.StatusNotFound {
			t.Errorf("institution staff on the board: %d, want 404", r.Status)
		}
		// The rival's own board does not list the case.
		if r := w.rival.Get("/agency/board"); r.Status != http.StatusOK || strings.Contains(r.Body, w.doctorName) {
			t.Errorf("rival board: %d, lists the case: %v", r.Status, strings.Contains(r.Body, w.doctorName))
		}
		// A stale version is a conflict with a way to reload.
		r := w.agent.Post(casePath+"/move", url.Values{"form": {"next"}, "to": {"check_items"}, "version": {"999"}})
		if r.Status != http.StatusConflict || !strings.Contains(r.Body, "最新の状態を読み込む") {
			t.Errorf("stale move: %d %s", r.Status, alert(r))
		}
		// Nonsense input is a 4xx, never a 500.
		for path, form := range map[string]url.Values{
			casePath + "/move":       {"form": {"close"}, "close_to": {"nonsense"}, "version": {"x"}},
			casePath + "/interviews": {"iv_date": {"明日"}, "starts_at": {"25:99"}, "version": {version}},
			casePath + "/items":      {"item_abc": {"met"}, "version": {"1"}},
			casePath + "/scorecards": {"interview_id": {"abc"}},
			lead + "/consultations":  {"scheduled_at": {"2026-02-30T10:00"}, "mode": {"online"}},
			lead + "/cases":          {"opening_id": {"abc"}},
			lead + "/merge":          {"drop": {"abc"}},
			casePath + "/follow-ups": {"trigger_kind": {"years"}, "trigger_years": {"many"}},
		} {
			if r := w.agent.Post(path, form); r.Status < 400 || r.Status >= 500 {
				t.Errorf("POST %s with nonsense: %d, want 4xx", path, r.Status)
			}
		}
	})
}

func TestAgencyContactForm(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newPWebWorld(t, env)
		contact := "/agencies/" + itoa(w.agency) + "/contact"
		anon := env.Client()
		r := pwebExpect(t, anon.Get(contact), http.StatusOK, "contact form")
		pwebContains(t, r, "contact form", "個人情報の利用目的", "要配慮個人情報")
		hash := pwebFind(t, r, `name="purpose_hash" value="([0-9a-f]+)"`, "contact form")
		form := url.Values{"name": {"伊藤 花子"}, "email": {"ito@example.jp"}, "source": {"sns"}, "purpose_hash": {hash},
			"message": {"在宅医療の求人を探しています"}}
		r = pwebExpect(t, anon.Post(contact, form), http.StatusBadRequest, "contact without consent")
		pwebContains(t, r, "contact without consent", "利用目的を確認し、同意してください。", "在宅医療の求人を探しています")
		form.Set("consent_purpose", "1")
		r = pwebExpect(t, anon.Post(contact, form), http.StatusSeeOther, "contact")
		pwebContains(t, anon.Get(r.Location), "thanks", "お問い合わせを受け付けました")
		r = w.agent.Get("/agency/leads?q=" + url.QueryEscape("伊藤"))
		pwebContains(t, r, "leads", "伊藤 花子", "同意あり")

		// One client may try ten times an hour (the refused try above
		// counts); the eleventh keeps what was typed and says to wait, and
		// the claim look-up has its own allowance.
		for i := 2; i <= 9; i++ {
			form.Set("email", "ito"+itoa(int64(i))+"@example.jp")
			pwebExpect(t, anon.Post(contact, form), http.StatusSeeOther, "contact "+itoa(int64(i)))
		}
		form.Set("email", "ito11@example.jp")
		r = pwebExpect(t, anon.Post(contact, form), http.StatusTooManyRequests, "contact over the limit")
		pwebContains(t, r, "contact over the limit", "しばらくしてから", "ito11@example.jp")
		pwebExpect(t, anon.Get("/leads/claim/no-such-token"), http.StatusNotFound, "claim within its own limit")

		// The agency's administrator closes the form; it answers 404.
		s := w.agent.Get("/agency/settings")
		pwebContains(t, s, "settings", contact)
		purpose := html.UnescapeString(between(s.Body, `aria-describedby="purpose_text-hint">`, "</textarea>"))
		pwebExpect(t, w.agent.Post("/agency/settings", url.Values{"purpose_text": {purpose}, "retention_days": {"十"}}),
			http.StatusBadRequest, "bad retention")
		pwebExpect(t, w.agent.Post("/agency/settings", url.Values{"purpose_text": {purpose}, "retention_days": {"365"}}),
			http.StatusSeeOther, "close form")
		pwebExpect(t, anon.Get(contact), http.StatusNotFound, "closed form")
		pwebExpect(t, anon.Get("/agencies/"+w.clinic+"/contact"), http.StatusNotFound, "an institution's form")
	})
}

// TestPlacementPagesRenderDemoData opens every placement page the demo
// data reaches, as each party, and expects each to render.
func TestPlacementPagesRenderDemoData(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	login := func(email string) *apptest.Client {
		c := env.Client()
		r := c.Post("/login", url.Values{"email": {email}, "password": {app.DemoPassword}})
		if r.Status != http.StatusSeeOther || strings.HasPrefix(r.Location, "/login") {
			t.Fatalf("demo login %s: %d %q", email, r.Status, r.Location)
		}
		return c
	}
	links := regexp.MustCompile(`href="(/(?:cases|agency/leads|agency/consultations)/\d+)"`)
	crawl := func(who string, c *apptest.Client, start ...string) int {
		seen := map[string]bool{}
		queue := start
		for len(queue) > 0 {
			path := queue[0]
			queue = queue[1:]
			if seen[path] {
				continue
			}
			seen[path] = true
			r := c.Get(path)
			if r.Status != http.StatusOK {
				t.Errorf("%s GET %s: %d %s", who, path, r.Status, alert(r))
				continue
			}
			for _, m := range links.FindAllStringSubmatch(r.Body, -1) {
				queue = append(queue, m[1])
			}
		}
		return len(seen)
	}
	n := crawl("agent", login("agent@demo.hakui.jp"), "/dashboard", "/agency/board", "/agency/leads", "/agency/follow-ups",
		"/agency/reports", "/agency/settings")
	if n < 10 {
		t.Errorf("the agent reached only %d pages: is there no demo pipeline?", n)
	}
	t.Logf("the agent reached %d pages", n)
	if n := crawl("clinic", login("clinic@demo.hakui.jp"), "/dashboard", "/institution/candidates"); n < 3 {
		t.Errorf("the clinic reached only %d pages", n)
	}
	t.Logf("the doctor reached %d pages", crawl("doctor", login("doctor@demo.hakui.jp"), "/dashboard", "/me/cases"))
}
