package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/api"
	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
)

// papiClient calls the JSON API with a personal token (none: anonymous).
type papiClient struct {
	t     *testing.T
	env   *apptest.Env
	token string
}

// papiRequest builds a request; body is sent as JSON unless it is nil or
// already a string.
func papiRequest(env *apptest.Env, token, method, path string, body any) *http.Request {
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			panic(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, env.Server.URL+"/api/v1"+path, rd)
	if err != nil {
		panic(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return req
}

// call sends the request and returns the status and body.
func (c papiClient) call(method, path string, body any) (int, string) {
	c.t.Helper()
	r := c.env.Client().Do(papiRequest(c.env, c.token, method, path, body))
	return r.Status, r.Body
}

// must fails the test unless the status is want, and decodes the body
// into out (if not nil).
func (c papiClient) must(want int, method, path string, body any, out any) string {
	c.t.Helper()
	status, got := c.call(method, path, body)
	if status != want {
		c.t.Fatalf("%s %s: status %d, want %d: %s", method, path, status, want, got)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(got), out); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, got)
		}
	}
	return got
}

// problem fails the test unless the answer is problem+json with the
// status want, and returns the problem.
func (c papiClient) problem(want int, method, path string, body any) api.Problem {
	c.t.Helper()
	r := c.env.Client().Do(papiRequest(c.env, c.token, method, path, body))
	var p api.Problem
	if r.Status != want || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		c.t.Fatalf("%s %s: status %d (%s), want %d problem+json: %s", method, path, r.Status, r.Header.Get("Content-Type"), want, r.Body)
	}
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil || p.Status != want || p.Detail == "" || p.RequestID == "" {
		c.t.Fatalf("%s %s: incomplete problem (%v): %s", method, path, err, r.Body)
	}
	return p
}

// papiTokens signs the user in through the pages once (a TOTP code is
// good only once) and creates a token per scope through the API.
func papiTokens(t *testing.T, env *apptest.Env, email, secret string, scopes ...string) []papiClient {
	t.Helper()
	browser := env.Client()
	browser.Login(email, secret)
	var out []papiClient
	for _, scope := range scopes {
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/api/v1/me/tokens",
			strings.NewReader(`{"name":"テスト","scope":"`+scope+`","expires_in_days":30}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", env.Server.URL)
		r := browser.Do(req)
		var tok struct {
			Secret string `json:"secret"`
		}
		if err := json.Unmarshal([]byte(r.Body), &tok); err != nil || r.Status != http.StatusCreated {
			t.Fatalf("create token for %s: %d %s", email, r.Status, r.Body)
		}
		out = append(out, papiClient{t: t, env: env, token: tok.Secret})
	}
	return out
}

// papiWorld is an agency with an administrator agent, a rival agency, a
// clinic with an opening, and two doctors.
type papiWorld struct {
	env                    *apptest.Env
	agency, rivalAgency    int64
	clinic, opening        int64
	agent, agentRead       papiClient // agency administrator and agent
	rival                  papiClient // agent of the rival agency
	staff                  papiClient // the clinic
	doctor, stranger, anon papiClient
	doctorID               int64
}

// specialtyResident is the doctor's profile as a 専攻医 in 内科.
const specialtyResident = `{"practice_form":"employed","specialties":["内科"],"events":[
  {"kind":"national_exam_passed","date":"2020-03-16"},{"kind":"junior_start","date":"2020-04-01"},
  {"kind":"junior_end","date":"2022-03-31"},{"kind":"specialty_start","date":"2022-04-01","specialty":"内科"}%s],
  "skills":[{"code":"night_duty_solo","level":2}]}`

func newPAPIWorld(t *testing.T, env *apptest.Env) *papiWorld {
	t.Helper()
	w := &papiWorld{env: env, anon: papiClient{t: t, env: env}}
	w.agency = env.Org(identity.OrgAgency, "さくらメディカルキャリア")
	w.rivalAgency = env.Org(identity.OrgAgency, "つばきキャリア")
	w.clinic = env.Org(identity.OrgInstitution, "みなと内科クリニック")
	agent := env.User("agent@sakura.example.jp", "鈴木 一郎", identity.Grant{Role: identity.RoleAgent, OrgID: w.agency, OrgAdmin: true})
	rival := env.User("agent@tsubaki.example.jp", "田中 次郎", identity.Grant{Role: identity.RoleAgent, OrgID: w.rivalAgency})
	staff := env.User("staff@minato.example.jp", "佐藤 花子", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: w.clinic})
	doctor := env.User("doctor@example.jp", "山田 太郎", identity.Grant{Role: identity.RoleDoctor})
	env.User("stranger@example.jp", "他人 医師", identity.Grant{Role: identity.RoleDoctor})
	w.doctorID = doctor.ID
	agents := papiTokens(t, env, agent.Email, env.EnableTOTP(agent), "write", "read")
	w.agent, w.agentRead = agents[0], agents[1]
	w.rival = papiTokens(t, env, rival.Email, env.EnableTOTP(rival), "write")[0]
	w.staff = papiTokens(t, env, staff.Email, env.EnableTOTP(staff), "write")[0]
	w.doctor = papiTokens(t, env, doctor.Email, "", "write")[0]
	w.stranger = papiTokens(t, env, "stranger@example.jp", "", "write")[0]

	var o struct {
		ID int64 `json:"id"`
	}
	w.staff.must(http.StatusCreated, "POST", "/openings", `{"institution_id":`+itoa(w.clinic)+`,"poster_org_id":`+itoa(w.clinic)+`,
	  "title":"【当直】内科 火曜夜","kind":"night_duty","specialty":"内科","schedule_kind":"weekly",
	  "weekly":[{"weekday":2,"start":"17:00","end":"23:00"}],"pay_unit":"per_shift","pay_min_yen":60000,
	  "emergency_level":2,"duty_permit":true,"prefecture":"東京都","city":"港区",
	  "answers":{"student":"reject","junior_resident":"reject","specialty_resident":"consider","specialist":"accept"},
	  "required":[{"code":"night_duty_solo","level":3}],"preferred":[],"check_items":["一人当直の経験"],
	  "description":"患者様第一。","status":"open"}`, &o)
	w.opening = o.ID
	w.doctor.must(http.StatusOK, "PUT", "/me/profile", strings.Replace(specialtyResident, "%s", "", 1), nil)
	return w
}

type papiID struct {
	ID int64 `json:"id"`
}

// papiView is the part of GET /cases/{id} the tests read.
type papiView struct {
	Party string `json:"party"`
	Case  struct {
		ID         int64  `json:"id"`
		Stage      string `json:"stage"`
		Round      int    `json:"round"`
		Version    int    `json:"version"`
		Overridden bool   `json:"overridden"`
		Override   *struct {
			Reason   string   `json:"reason"`
			Problems []string `json:"problems"`
		} `json:"override"`
		Outcome *struct {
			Stage  string `json:"stage"`
			Reason string `json:"reason"`
		} `json:"outcome"`
	} `json:"case"`
	Items []struct {
		ID       int64  `json:"id"`
		Source   string `json:"source"`
		Label    string `json:"label"`
		Required bool   `json:"required"`
		Status   string `json:"status"`
	} `json:"items"`
	Shares []struct {
		Fields []struct {
			Label string `json:"label"`
			Value string `json:"value"`
		} `json:"fields"`
	} `json:"shares"`
	Timeline []struct {
		Kind string `json:"kind"`
	} `json:"timeline"`
	Moves []string `json:"moves"`
	Lead  *struct {
		Email string `json:"email"`
	} `json:"lead"`
	Problems []string `json:"problems"`
}

func (w *papiWorld) view(c papiClient, id int64) papiView {
	w.env.T.Helper()
	var v papiView
	c.must(http.StatusOK, "GET", "/cases/"+itoa(id), nil, &v)
	return v
}

// TestPlacementAPIStory follows one doctor through the API from the
// contact form to a second round after a follow-up fired.
func TestPlacementAPIStory(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newPAPIWorld(t, env)
		agency := "/agencies/" + itoa(w.agency)

		// The public form quotes the purpose of use it showed.
		var contact struct {
			Name        string `json:"name"`
			PurposeText string `json:"purpose_text"`
			PurposeHash string `json:"purpose_hash"`
		}
		w.anon.must(http.StatusOK, "GET", agency+"/contact", nil, &contact)
		if contact.Name != "さくらメディカルキャリア" || contact.PurposeText == "" || len(contact.PurposeHash) != 64 {
			t.Fatalf("contact = %+v", contact)
		}
		form := map[string]any{"name": "山田 太郎", "name_kana": "ヤマダ タロウ", "email": "Yamada.Taro@Example.jp",
			"phone": "090-1234-5678", "message": "当直のお仕事を探しています。", "consent_purpose": true, "purpose_hash": "stale"}
		if p := w.anon.problem(http.StatusBadRequest, "POST", agency+"/contact", form); p.Errors["consent_purpose"] == "" {
			t.Fatalf("stale purpose accepted: %+v", p)
		}
		form["purpose_hash"] = contact.PurposeHash
		var web papiID
		w.anon.must(http.StatusCreated, "POST", agency+"/contact", form, &web)

		// The agent enters the same doctor by hand, finds the duplicate and merges.
		var manual papiID
		w.agent.must(http.StatusCreated, "POST", agency+"/leads", map[string]any{"name": "山田 太郎", "phone": "０９０１２３４５６７８",
			"source": "referral", "source_note": "大学の先輩からの紹介"}, &manual)
		var dups struct {
			Duplicates []struct {
				Lead papiID   `json:"lead"`
				Keys []string `json:"keys"`
			} `json:"duplicates"`
		}
		w.agent.must(http.StatusOK, "GET", "/leads/"+itoa(web.ID)+"/duplicates", nil, &dups)
		if len(dups.Duplicates) != 1 || dups.Duplicates[0].Lead.ID != manual.ID || !slices.Equal(dups.Duplicates[0].Keys, []string{"phone"}) {
			t.Fatalf("duplicates = %+v", dups)
		}
		w.agent.must(http.StatusOK, "POST", "/leads/"+itoa(web.ID)+"/merge", map[string]any{"drop_id": manual.ID}, nil)
		var leads struct {
			Leads []struct {
				ID    int64  `json:"id"`
				Email string `json:"email"`
			} `json:"leads"`
		}
		w.agent.must(http.StatusOK, "GET", agency+"/leads?q="+url.QueryEscape("山田"), nil, &leads)
		if len(leads.Leads) != 1 || leads.Leads[0].ID != web.ID || leads.Leads[0].Email != "yamada.taro@example.jp" {
			t.Fatalf("leads after merge = %+v", leads)
		}
		lead := web.ID

		// The doctor links the lead to their account and consents.
		var inv struct {
			URL   string `json:"url"`
			Token string `json:"token"`
		}
		w.agent.must(http.StatusCreated, "POST", "/leads/"+itoa(lead)+"/invitation", nil, &inv)
		if !strings.HasPrefix(inv.URL, env.Server.URL+"/leads/claim/") || !strings.HasSuffix(inv.URL, inv.Token) {
			t.Fatalf("invitation = %+v", inv)
		}
		var claim struct {
			Agency struct {
				PurposeHash string `json:"purpose_hash"`
			} `json:"agency"`
		}
		w.doctor.must(http.StatusOK, "GET", "/leads/claim?token="+url.QueryEscape(inv.Token), nil, &claim)
		if p := w.doctor.problem(http.StatusBadRequest, "POST", "/leads/claim", map[string]any{"token": inv.Token, "purpose_hash": "x"}); p.Errors["purpose_hash"] == "" {
			t.Fatalf("claim with a wrong purpose: %+v", p)
		}
		var linked struct {
			UserID  int64 `json:"user_id"`
			Consent struct {
				Given       bool `json:"given"`
				HealthGiven bool `json:"health_given"`
			} `json:"consent"`
		}
		w.doctor.must(http.StatusOK, "POST", "/leads/claim", map[string]any{"token": inv.Token, "purpose_hash": claim.Agency.PurposeHash}, &linked)
		if linked.UserID != w.doctorID || !linked.Consent.Given || linked.Consent.HealthGiven {
			t.Fatalf("claimed lead = %+v", linked)
		}
		if body := w.doctor.must(http.StatusOK, "GET", "/me/leads", nil, nil); !strings.Contains(body, "さくらメディカルキャリア") {
			t.Fatalf("my leads: %s", body)
		}
		w.doctor.must(http.StatusOK, "PUT", "/me/leads/"+itoa(lead)+"/consent", map[string]any{"purpose": true, "health": true}, &linked)
		if !linked.Consent.HealthGiven {
			t.Fatalf("health consent not recorded: %+v", linked)
		}

		// A case, a consultation with confidential notes.
		var v papiView
		w.agent.must(http.StatusCreated, "POST", "/cases", map[string]any{"lead_id": lead, "opening_id": w.opening}, &v)
		id := v.Case.ID
		cases := "/cases/" + itoa(id)
		if v.Party != "agent" || v.Case.Stage != "lead" || v.Lead == nil || v.Lead.Email != "yamada.taro@example.jp" {
			t.Fatalf("new case = %+v", v)
		}
		w.staff.problem(http.StatusNotFound, "GET", cases, nil)
		if body := w.staff.must(http.StatusOK, "GET", "/institutions/"+itoa(w.clinic)+"/cases", nil, nil); strings.Contains(body, "山田") {
			t.Fatalf("institution lists a case before the introduction: %s", body)
		}
		when := env.Clock.Now().Add(24 * time.Hour).Truncate(time.Minute)
		var cons papiID
		w.agent.must(http.StatusCreated, "POST", "/leads/"+itoa(lead)+"/consultations", map[string]any{"case_id": id, "mode": "online",
			"scheduled_at": when.Format(time.RFC3339), "meeting_url": "https://meet.example.jp/abc"}, &cons)
		v = w.view(w.agent, id)
		if v.Case.Stage != "consultation" {
			t.Fatalf("stage after scheduling = %s", v.Case.Stage)
		}
		// Not met yet: no check items before the consultation is recorded.
		p := w.agent.problem(http.StatusUnprocessableEntity, "POST", cases+"/moves", map[string]any{"version": v.Case.Version, "to": "check_items"})
		if !strings.Contains(p.Detail, "面談") {
			t.Fatalf("precondition problem = %+v", p)
		}
		w.agent.must(http.StatusOK, "PUT", "/consultations/"+itoa(cons.ID), map[string]any{"mode": "online",
			"scheduled_at": when.Format(time.RFC3339), "meeting_url": "https://meet.example.jp/abc",
			"notes": "一人当直はまだ経験がない。", "wishes": "火曜夜を希望", "health_notes": "腰痛の既往(勤務に支障なし)"}, nil)
		if body := w.agent.must(http.StatusOK, "GET", "/leads/"+itoa(lead)+"/consultations", nil, nil); strings.Contains(body, "一人当直はまだ") {
			t.Fatalf("consultation list carries the notes: %s", body)
		}
		var notes struct {
			Notes       string  `json:"notes"`
			HealthNotes string  `json:"health_notes"`
			HeldAt      *string `json:"held_at"`
		}
		w.agent.must(http.StatusOK, "GET", "/consultations/"+itoa(cons.ID), nil, &notes)
		if notes.Notes != "一人当直はまだ経験がない。" || notes.HealthNotes == "" || notes.HeldAt == nil {
			t.Fatalf("consultation = %+v", notes)
		}
		if body := w.doctor.must(http.StatusOK, "GET", "/me/audit", nil, nil); !strings.Contains(body, "record.read") {
			t.Fatalf("the doctor does not see the read of the notes: %s", body)
		}

		// Check items, then the gate.
		w.agent.must(http.StatusOK, "POST", cases+"/moves", map[string]any{"version": v.Case.Version, "to": "check_items"}, &v)
		if len(v.Items) < 2 || v.Items[0].Label != "一人当直の経験" || !v.Items[0].Required || v.Items[1].Source != "required" {
			t.Fatalf("checklist = %+v", v.Items)
		}
		w.agent.must(http.StatusOK, "PUT", cases+"/checklist", map[string]any{"version": v.Case.Version,
			"items": []map[string]any{{"id": v.Items[0].ID, "status": "not_met", "note": "未経験、来月研修予定"}, {"id": v.Items[1].ID, "status": "met"}},
			"add":   []string{"当直明けの外来可否"}}, &v)
		if v.Items[0].Status != "not_met" || v.Items[len(v.Items)-1].Label != "当直明けの外来可否" || len(v.Problems) == 0 {
			t.Fatalf("after confirming: items %+v problems %v", v.Items, v.Problems)
		}
		intro := map[string]any{"version": v.Case.Version, "to": "introduced", "recommendation": "内科外来の経験が豊富で、患者様への説明が丁寧な先生です。"}
		p = w.agent.problem(http.StatusUnprocessableEntity, "POST", cases+"/moves", intro)
		if p.Errors["override_reason"] == "" || !strings.Contains(p.Detail, "一人当直の経験") || p.Code != "invalid" {
			t.Fatalf("gate problem = %+v", p)
		}
		env.Clock.Advance(time.Hour)
		intro["override_reason"] = "来月の当直研修の受講が決まっており、先方にもその旨を伝えて紹介します。"
		w.agent.must(http.StatusOK, "POST", cases+"/moves", intro, &v)
		if v.Case.Stage != "introduced" || !v.Case.Overridden {
			t.Fatalf("introduced = %+v", v.Case)
		}

		// The institution sees the shared fields and the override, never the contact details.
		body := w.staff.must(http.StatusOK, "GET", cases, nil, &v)
		if v.Party != "institution" || !v.Case.Overridden || v.Case.Override == nil || len(v.Case.Override.Problems) == 0 || len(v.Shares) != 1 {
			t.Fatalf("institution's view = %+v", v)
		}
		for _, leak := range []string{"yamada.taro@example.jp", "09012345678", "腰痛", "一人当直はまだ", `"lead_id"`, `"doctor_id"`} {
			if strings.Contains(body, leak) {
				t.Errorf("institution's view contains %s: %s", leak, body)
			}
		}
		var keys map[string]json.RawMessage
		json.Unmarshal([]byte(body), &keys)
		for _, agentsOnly := range []string{"lead", "problems", "follow_ups", "consultations"} {
			if _, ok := keys[agentsOnly]; ok {
				t.Errorf("institution's view has %q", agentsOnly)
			}
		}
		for _, e := range v.Timeline {
			if e.Kind == "created" || e.Kind == "consultation" || e.Kind == "checklist" {
				t.Errorf("institution sees the %s entry from before the introduction", e.Kind)
			}
		}
		if !slices.ContainsFunc(v.Shares[0].Fields, func(f struct {
			Label string `json:"label"`
			Value string `json:"value"`
		}) bool {
			return f.Label == "推薦コメント" && strings.Contains(f.Value, "説明が丁寧")
		}) {
			t.Errorf("shared fields lack the recommendation: %+v", v.Shares[0].Fields)
		}
		if body := w.staff.must(http.StatusOK, "GET", "/institutions/"+itoa(w.clinic)+"/cases", nil, nil); !strings.Contains(body, `"id":`+itoa(id)) || strings.Contains(body, "yamada.taro") {
			t.Fatalf("institution's candidates: %s", body)
		}
		w.staff.problem(http.StatusForbidden, "POST", cases+"/moves", map[string]any{"version": v.Case.Version, "to": "placed", "start_date": "2027-04-01"})

		// Interview and its calendar file; the institution does not get the doctor's address.
		start := env.Clock.Now().Add(7 * 24 * time.Hour).Truncate(time.Hour)
		var iv papiID
		w.agent.must(http.StatusCreated, "POST", cases+"/interviews", map[string]any{"version": v.Case.Version,
			"starts_at": start.Format(time.RFC3339), "ends_at": start.Add(time.Hour).Format(time.RFC3339), "mode": "in_person",
			"place": "みなと内科クリニック 2階 会議室", "participants": []map[string]string{
				{"name": "山田 太郎", "email": "yamada.taro@example.jp", "role": "doctor"},
				{"name": "佐藤 花子", "email": "staff@minato.example.jp", "role": "institution"}}}, &iv)
		if body := w.staff.must(http.StatusOK, "GET", cases, nil, &v); strings.Contains(body, "yamada.taro") || v.Case.Stage != "interview" {
			t.Fatalf("institution's view after the interview was set: %s", body)
		}
		r := env.Client().Do(papiRequest(env, w.doctor.token, "GET", "/interviews/"+itoa(iv.ID)+"/ics", nil))
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/calendar") || !strings.Contains(r.Body, "BEGIN:VCALENDAR") ||
			!strings.Contains(r.Body, "METHOD:REQUEST") {
			t.Fatalf("ics: %d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}

		// Scorecard, review, decline.
		scores := map[string]int{itoa(v.Items[0].ID): 7}
		if p := w.staff.problem(http.StatusBadRequest, "POST", "/interviews/"+itoa(iv.ID)+"/scorecards", map[string]any{"scores": scores, "overall": "yes"}); p.Errors["scores"] == "" {
			t.Fatalf("score 7 accepted: %+v", p)
		}
		scores[itoa(v.Items[0].ID)] = 3
		w.staff.must(http.StatusCreated, "POST", "/interviews/"+itoa(iv.ID)+"/scorecards", map[string]any{"scores": scores, "overall": "no",
			"comment": "専門医取得後であれば前向きに検討したい"}, nil)
		v = w.view(w.agent, id)
		w.agent.must(http.StatusOK, "POST", cases+"/moves", map[string]any{"version": v.Case.Version, "to": "review"}, &v)
		body = w.doctor.must(http.StatusOK, "POST", cases+"/review", map[string]any{"version": v.Case.Version, "verdict": "decline", "note": "今回は見送ります"}, &v)
		if v.Party != "doctor" || !strings.Contains(body, `"doctor_review"`) || strings.Contains(body, "一人当直はまだ") || strings.Contains(body, `"scorecards":[{`) {
			t.Fatalf("doctor's view after review: %s", body)
		}
		if p := w.staff.problem(http.StatusBadRequest, "POST", cases+"/moves", map[string]any{"version": v.Case.Version, "to": "declined_by_institution"}); p.Errors["reason"] == "" {
			t.Fatalf("decline without a reason: %+v", p)
		}
		w.staff.must(http.StatusOK, "POST", cases+"/moves", map[string]any{"version": v.Case.Version, "to": "declined_by_institution",
			"reason": "profile_mismatch", "note": "専門医取得後に改めてご紹介ください"}, &v)
		if v.Case.Stage != "declined_by_institution" || v.Case.Outcome == nil || v.Case.Outcome.Reason != "profile_mismatch" {
			t.Fatalf("declined = %+v", v.Case)
		}

		// A follow-up waits for the doctor to become a specialist.
		if p := w.agent.problem(http.StatusBadRequest, "POST", "/follow-ups", map[string]any{"case_id": id, "trigger": map[string]any{"kind": "stage"}}); p.Errors["trigger.stage"] == "" {
			t.Fatalf("follow-up without a stage: %+v", p)
		}
		var fu struct {
			ID      int64  `json:"id"`
			Status  string `json:"status"`
			Context string `json:"context"`
		}
		w.agent.must(http.StatusCreated, "POST", "/follow-ups", map[string]any{"case_id": id,
			"trigger": map[string]any{"kind": "stage", "stage": "specialist"}, "note": "専門医取得後にみなと内科へ再推薦"}, &fu)
		if fu.Status != "waiting" || !strings.Contains(fu.Context, "みなと内科クリニック") {
			t.Fatalf("follow-up = %+v", fu)
		}
		var due struct {
			FollowUps []struct {
				ID     int64  `json:"id"`
				Status string `json:"status"`
			} `json:"follow_ups"`
		}
		w.agent.must(http.StatusOK, "GET", agency+"/follow-ups?status=due", nil, &due)
		if len(due.FollowUps) != 0 {
			t.Fatalf("due before the event: %+v", due)
		}
		// The doctor records the 専門医 through the profile API; the follow-up fires.
		w.doctor.must(http.StatusOK, "PUT", "/me/profile", strings.Replace(specialtyResident, "%s",
			`,{"kind":"specialist_obtained","date":"2025-06-01","specialty":"内科"}`, 1), nil)
		w.agent.must(http.StatusOK, "GET", agency+"/follow-ups?status=due", nil, &due)
		if len(due.FollowUps) != 1 || due.FollowUps[0].ID != fu.ID {
			t.Fatalf("due after the event: %+v", due)
		}
		w.agent.must(http.StatusOK, "POST", "/follow-ups/"+itoa(fu.ID)+"/reopen", nil, &v)
		if v.Case.Stage != "consultation" || v.Case.Round != 2 || v.Case.Outcome != nil {
			t.Fatalf("reopened = %+v", v.Case)
		}
		w.agent.must(http.StatusOK, "GET", agency+"/follow-ups?status=done", nil, &due)
		if len(due.FollowUps) != 1 {
			t.Fatalf("follow-up not done: %+v", due)
		}

		// The report counts the case; the CSV opens in Excel.
		var rep struct {
			Funnel []struct {
				Stage   string `json:"stage"`
				Reached int    `json:"reached"`
			} `json:"funnel"`
			Times []struct {
				Stage string `json:"stage"`
			} `json:"times"`
		}
		w.agent.must(http.StatusOK, "GET", agency+"/report", nil, &rep)
		if len(rep.Funnel) != 7 || rep.Funnel[0].Reached != 1 || rep.Funnel[4].Stage != "interview" || rep.Funnel[4].Reached != 1 || len(rep.Times) != 6 {
			t.Fatalf("report = %+v", rep)
		}
		if p := w.agent.problem(http.StatusBadRequest, "GET", agency+"/report?from=2026-13-01", nil); p.Errors["from"] == "" {
			t.Fatalf("bad date: %+v", p)
		}
		r = env.Client().Do(papiRequest(env, w.agent.token, "GET", agency+"/report.csv", nil))
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(r.Body, "\uFEFF") || !strings.Contains(r.Body, "ファネル") {
			t.Fatalf("report.csv: %d %s", r.Status, r.Body)
		}

		// A changed purpose of use invalidates what the form showed before.
		var settings struct {
			PurposeHash   string `json:"purpose_hash"`
			RetentionDays int    `json:"retention_days"`
		}
		w.agent.must(http.StatusOK, "GET", agency+"/settings", nil, &settings)
		if settings.PurposeHash != contact.PurposeHash {
			t.Fatalf("settings hash %q, contact hash %q", settings.PurposeHash, contact.PurposeHash)
		}
		w.agent.must(http.StatusOK, "PUT", agency+"/settings", map[string]any{"purpose_text": contact.PurposeText + "\n5. 統計の作成(個人を特定しない形で)",
			"retention_days": 730, "form_enabled": true}, &settings)
		if settings.PurposeHash == contact.PurposeHash || settings.RetentionDays != 730 {
			t.Fatalf("settings after saving = %+v", settings)
		}
		form["email"] = "other@example.jp"
		w.anon.problem(http.StatusBadRequest, "POST", agency+"/contact", form)
	})
}

// papiCase is a lead with a case at the lead stage and a consultation.
func (w *papiWorld) papiCase(t *testing.T) (lead, caseID, consultation int64) {
	t.Helper()
	var l, cons papiID
	w.agent.must(http.StatusCreated, "POST", "/agencies/"+itoa(w.agency)+"/leads", map[string]any{"name": "高橋 三郎",
		"email": "takahashi@example.jp"}, &l)
	var v papiView
	w.agent.must(http.StatusCreated, "POST", "/cases", map[string]any{"lead_id": l.ID, "opening_id": w.opening}, &v)
	w.agent.must(http.StatusCreated, "POST", "/leads/"+itoa(l.ID)+"/consultations", map[string]any{"mode": "in_person",
		"scheduled_at": w.env.Clock.Now().Add(time.Hour).Format(time.RFC3339), "place": "本社 応接室"}, &cons)
	return l.ID, v.Case.ID, cons.ID
}

// TestPlacementAPIConcurrentMoves sends the same change twice at once: one
// wins, the other is told in Japanese that someone was first.
func TestPlacementAPIConcurrentMoves(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newPAPIWorld(t, env)
		_, id, _ := w.papiCase(t)
		steps := []struct {
			path string
			body map[string]any
		}{
			{"/moves", map[string]any{"to": "on_hold"}},
			{"/reopen", map[string]any{}},
			{"/moves", map[string]any{"to": "withdrawn_by_agent", "reason": "filled"}},
		}
		for _, step := range steps {
			v := w.view(w.agent, id)
			step.body["version"] = v.Case.Version
			var wg sync.WaitGroup
			statuses := make([]int, 2)
			bodies := make([]string, 2)
			for i := range statuses {
				wg.Go(func() {
					resp, err := env.Server.Client().Do(papiRequest(env, w.agent.token, "POST", "/cases/"+itoa(id)+step.path, step.body))
					if err != nil {
						bodies[i] = err.Error()
						return
					}
					defer resp.Body.Close()
					b, _ := io.ReadAll(resp.Body)
					statuses[i], bodies[i] = resp.StatusCode, string(b)
				})
			}
			wg.Wait()
			slices.Sort(statuses)
			if statuses[0] != http.StatusOK || statuses[1] != http.StatusConflict {
				t.Fatalf("%s: statuses %v: %q", step.path, statuses, bodies)
			}
			loser := bodies[0]
			if strings.Contains(bodies[1], `"status":409`) {
				loser = bodies[1]
			}
			var p api.Problem
			if err := json.Unmarshal([]byte(loser), &p); err != nil || p.Code != "conflict" || !strings.Contains(p.Detail, "更新しました") {
				t.Fatalf("%s: conflict problem = %s", step.path, loser)
			}
		}
		if v := w.view(w.agent, id); v.Case.Stage != "withdrawn_by_agent" || v.Case.Version < 4 {
			t.Fatalf("final case = %+v", v.Case)
		}
	})
}

// TestPlacementAPIAuthorization is the route × role matrix: another
// agency's agent, the institution before the introduction, an unrelated
// doctor, anonymous callers and a read-only token.
func TestPlacementAPIAuthorization(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newPAPIWorld(t, env)
		lead, id, cons := w.papiCase(t)
		agency := "/agencies/" + itoa(w.agency)
		var fu papiID
		w.agent.must(http.StatusCreated, "POST", "/follow-ups", map[string]any{"lead_id": lead,
			"trigger": map[string]any{"kind": "date", "date": "2099-01-01"}}, &fu)
		move := map[string]any{"version": w.view(w.agent, id).Case.Version, "to": "consultation"}
		hidden := []int{http.StatusNotFound}
		listDenied := []int{http.StatusNotFound, http.StatusForbidden}
		tests := []struct {
			name         string
			who          papiClient
			method, path string
			body         any
			want         []int
		}{
			{"rival reads the lead", w.rival, "GET", "/leads/" + itoa(lead), nil, hidden},
			{"rival reads the consultation", w.rival, "GET", "/consultations/" + itoa(cons), nil, hidden},
			{"rival records the consultation", w.rival, "PUT", "/consultations/" + itoa(cons), map[string]any{"mode": "in_person",
				"scheduled_at": "2030-01-01T10:00:00+09:00", "place": "x", "notes": "x"}, hidden},
			{"rival reads the case", w.rival, "GET", "/cases/" + itoa(id), nil, hidden},
			{"rival moves the case", w.rival, "POST", "/cases/" + itoa(id) + "/moves", move, hidden},
			{"rival lists consultations", w.rival, "GET", "/leads/" + itoa(lead) + "/consultations", nil, hidden},
			{"rival looks for duplicates", w.rival, "GET", "/leads/" + itoa(lead) + "/duplicates", nil, hidden},
			{"rival invites the lead", w.rival, "POST", "/leads/" + itoa(lead) + "/invitation", nil, hidden},
			{"rival opens a case", w.rival, "POST", "/cases", map[string]any{"lead_id": lead, "opening_id": w.opening}, hidden},
			{"rival finishes the follow-up", w.rival, "POST", "/follow-ups/" + itoa(fu.ID) + "/finish", map[string]any{"status": "done"}, hidden},
			{"rival lists leads", w.rival, "GET", agency + "/leads", nil, listDenied},
			{"rival lists cases", w.rival, "GET", agency + "/cases", nil, listDenied},
			{"rival lists follow-ups", w.rival, "GET", agency + "/follow-ups", nil, listDenied},
			{"rival reads the report", w.rival, "GET", agency + "/report", nil, listDenied},
			{"rival reads the report CSV", w.rival, "GET", agency + "/report.csv", nil, listDenied},
			{"rival reads the settings", w.rival, "GET", agency + "/settings", nil, listDenied},
			{"rival saves the settings", w.rival, "PUT", agency + "/settings", map[string]any{"purpose_text": strings.Repeat("目的", 20),
				"retention_days": 365, "form_enabled": false}, listDenied},
			{"institution reads the case before the introduction", w.staff, "GET", "/cases/" + itoa(id), nil, hidden},
			{"institution reads the lead", w.staff, "GET", "/leads/" + itoa(lead), nil, hidden},
			{"institution reads the consultation", w.staff, "GET", "/consultations/" + itoa(cons), nil, hidden},
			{"rival agent lists the clinic's candidates", w.rival, "GET", "/institutions/" + itoa(w.clinic) + "/cases", nil, listDenied},
			{"doctor reads an unlinked lead", w.stranger, "GET", "/leads/" + itoa(lead), nil, hidden},
			{"doctor reads another's case", w.stranger, "GET", "/cases/" + itoa(id), nil, hidden},
			{"doctor lists the agency's leads", w.stranger, "GET", agency + "/leads", nil, listDenied},
			{"anonymous reads the case", w.anon, "GET", "/cases/" + itoa(id), nil, []int{http.StatusUnauthorized}},
			{"anonymous lists leads", w.anon, "GET", agency + "/leads", nil, []int{http.StatusUnauthorized}},
			{"read token moves the case", w.agentRead, "POST", "/cases/" + itoa(id) + "/moves", move, []int{http.StatusForbidden}},
			{"read token records notes", w.agentRead, "PUT", "/consultations/" + itoa(cons), map[string]any{"mode": "in_person",
				"scheduled_at": "2030-01-01T10:00:00+09:00", "place": "x", "notes": "x"}, []int{http.StatusForbidden}},
			{"read token enters a lead", w.agentRead, "POST", agency + "/leads", map[string]any{"name": "x", "email": "x@example.jp"}, []int{http.StatusForbidden}},
		}
		before := w.view(w.agentRead, id)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				r := env.Client().Do(papiRequest(env, tt.who.token, tt.method, tt.path, tt.body))
				if !slices.Contains(tt.want, r.Status) || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
					t.Errorf("%s %s: %d %s, want %v problem+json: %s", tt.method, tt.path, r.Status, r.Header.Get("Content-Type"), tt.want, r.Body)
				}
			})
		}
		// What the matrix refused did not happen, and the owner still can.
		if v := w.view(w.agentRead, id); v.Case.Stage != "lead" || v.Case.Version != before.Case.Version {
			t.Fatalf("case changed by a refused request: %+v", v.Case)
		}
		w.agent.must(http.StatusOK, "GET", "/consultations/"+itoa(cons), nil, nil)
	})
}
