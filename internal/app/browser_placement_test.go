package app_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/profile"
)

// TestBrowserPlacementPipeline walks an agent through a real Chromium from
// the 面談 to the outcome: schedule and record the consultation, confirm
// the check items, introduce past the readiness gate with a written
// reason, schedule the interview, review and record the 成約.
func TestBrowserPlacementPipeline(t *testing.T) {
	chromium := chromiumPath(t)
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	agency := env.Org(identity.OrgAgency, "さくらメディカルキャリア")
	clinic := env.Org(identity.OrgInstitution, "みなと内科クリニック")
	agentUser := env.User("agent@sakura.example.jp", "鈴木 一郎", identity.Grant{Role: identity.RoleAgent, OrgID: agency, OrgAdmin: true})
	staffUser := env.User("staff@minato.example.jp", "佐藤 花子", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: clinic, OrgAdmin: true})
	doctorUser := env.User("yamada@example.jp", "山田 太郎", identity.Grant{Role: identity.RoleDoctor})
	secret := env.EnableTOTP(agentUser)
	agent, staff, doctor := actorOf(t, env, agentUser), actorOf(t, env, staffUser), actorOf(t, env, doctorUser)

	// A 専攻医 in 内科; the clinic only "considers" them.
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }
	if err := env.Main.Openings.SaveProfile(ctx, doctor, &profile.Profile{PracticeForm: career.PracticeEmployed,
		NameKanji: "山田 太郎", Prefecture: "東京都", Specialties: []string{"内科"},
		Events: []career.Event{
			{Kind: career.EventNationalExamPassed, Date: day(2021, 3, 16)},
			{Kind: career.EventJuniorStart, Date: day(2021, 4, 1)},
			{Kind: career.EventJuniorEnd, Date: day(2023, 3, 31)},
			{Kind: career.EventSpecialtyStart, Date: day(2023, 4, 1), Specialty: "内科"},
		},
		Skills: []career.Skill{{Code: "prescribing", Level: 3}}}); err != nil {
		t.Fatalf("profile: %v", err)
	}
	opening := postOpening(t, env, agentUser, &openings.Opening{InstitutionID: clinic, PosterOrgID: agency,
		Title: "【内科】火曜午後の外来", Kind: career.WorkPartTimeRegular, Specialty: "内科",
		Schedule: openings.Schedule{Kind: openings.ScheduleWeekly, Weekly: []career.Weekly{{Weekday: time.Tuesday, Start: "13:00", End: "17:00"}}},
		PayUnit:  career.PayHourly, PayMinYen: 10_000, PayMaxYen: 12_000, Prefecture: "東京都", City: "港区",
		Answers: map[career.Stage]career.StageAnswer{career.StageStudent: career.AnswerReject, career.StageJuniorResident: career.AnswerReject,
			career.StageSpecialtyResident: career.AnswerConsider, career.StageSpecialist: career.AnswerAccept},
		Required:   []career.Requirement{{Code: "prescribing", Level: 3}},
		CheckItems: []string{"マニュアルなしで診察できる"}, Status: openings.StatusOpen})

	// The lead, linked by the doctor with consent, and its case.
	lead := &placement.Lead{AgencyID: agency, Name: "山田 太郎", Email: "yamada@example.jp", Source: placement.SourceReferral}
	if err := env.Main.Placement.CreateLead(ctx, agent, lead); err != nil {
		t.Fatal(err)
	}
	link, err := env.Main.Placement.InviteLead(ctx, agent, lead.ID)
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(link, "/leads/claim/")
	info, err := env.Main.Placement.Claim(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Main.Placement.AcceptClaim(ctx, doctor, token, placement.PurposeHash(info.Agency.PurposeText), false); err != nil {
		t.Fatal(err)
	}
	c, err := env.Main.Placement.OpenCase(ctx, agent, lead.ID, opening.ID)
	if err != nil {
		t.Fatal(err)
	}
	casePath := "/cases/" + itoa(c.ID)
	leadPath := "/agency/leads/" + itoa(lead.ID)

	b := newBrowser(t, chromium)
	b.do("open the login page", chromedp.Navigate(env.Server.URL+"/login"), chromedp.WaitVisible(chromedp.ID("email")))
	b.do("fill in the password form",
		chromedp.SendKeys(chromedp.ID("email"), agentUser.Email),
		chromedp.SendKeys(chromedp.ID("password"), apptest.Password))
	b.wantPage(b.submit("sign in", `main form[action="/login"] button[type="submit"]`), http.StatusOK, "/login/totp")
	b.do("enter the code", chromedp.SendKeys(chromedp.ID("code"), env.Code(secret)))
	b.wantPage(b.submit("submit the code", `main form[action="/login/totp"] button[type="submit"]`), http.StatusOK, "/dashboard")

	// 面談: scheduled online for this case, then recorded.
	b.do("open the lead", chromedp.Navigate(env.Server.URL+leadPath), chromedp.WaitVisible(chromedp.ID("scheduled_at")))
	b.do("fill in the consultation",
		chromedp.Click(chromedp.CSS(`form[action="`+leadPath+`/consultations"] input[name="mode"][value="online"]`)),
		chromedp.SetValue(chromedp.ID("scheduled_at"), "2026-12-01T14:00"),
		chromedp.SendKeys(chromedp.ID("meeting_url"), "https://meet.example.jp/yamada"),
		chromedp.SetValue(chromedp.ID("case_id"), itoa(c.ID)))
	b.wantPage(b.submit("schedule the consultation", `form[action="`+leadPath+`/consultations"] button[type="submit"]`), http.StatusOK, leadPath)
	list, err := env.Main.DB.Consultations(ctx, lead.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("consultations: %v %v", list, err)
	}
	consultPath := "/agency/consultations/" + itoa(list[0].ID)
	b.do("open the consultation", chromedp.Navigate(env.Server.URL+consultPath), chromedp.WaitVisible(chromedp.ID("notes")))
	b.do("write the notes",
		chromedp.SendKeys(chromedp.ID("notes"), "外来は一人で担当できる。処方は院内処方の経験が少ない。"),
		chromedp.SendKeys(chromedp.ID("wishes"), "火曜午後のみ"))
	b.wantPage(b.submit("record the consultation", `form[action="`+consultPath+`"] button[type="submit"]`), http.StatusOK, consultPath)

	// 確認事項: one met, one not.
	b.do("open the case", chromedp.Navigate(env.Server.URL+casePath), chromedp.WaitVisible(chromedp.CSS("main h1")))
	b.wantPage(b.submit("move to the check items", `form.inline-form[action="`+casePath+`/move"] button[type="submit"]`), http.StatusOK, casePath)
	items, err := env.Main.DB.CheckItems(ctx, c.ID)
	if err != nil || len(items) != 2 {
		t.Fatalf("checklist: %+v %v", items, err)
	}
	b.do("confirm the items",
		chromedp.SetValue(chromedp.ID("item_"+itoa(items[0].ID)), string(placement.ItemMet)),
		chromedp.SetValue(chromedp.ID("item_"+itoa(items[1].ID)), string(placement.ItemNotMet)),
		chromedp.SendKeys(chromedp.ID("note_"+itoa(items[1].ID)), "院内処方の経験が少ない"))
	b.wantPage(b.submit("save the items", `form[action="`+casePath+`/items"] button[type="submit"]`), http.StatusOK, casePath)

	// 紹介: the gate asks for a reason first.
	b.do("write the recommendation", chromedp.SendKeys(chromedp.ID("recommendation"), "説明が丁寧で、患者様の満足度が高い先生です。"))
	introduce := `form[action="` + casePath + `/move"]:has(input[name="form"][value="introduce"]) button[type="submit"]`
	b.do("wait for the introduction form", chromedp.WaitVisible(chromedp.ID("override_reason")))
	resp := b.submit("introduce without a reason", introduce)
	if resp.Status != http.StatusUnprocessableEntity && resp.Status != http.StatusBadRequest {
		b.fatalf("introduction without a reason answered %d", resp.Status)
	}
	if alert := b.text(`[role="alert"], .field-error`); alert == "" {
		b.fatalf("no error shown for the missing override reason")
	}
	b.do("give the reason", chromedp.SendKeys(chromedp.ID("override_reason"), "院内処方は初日の研修で確認すると院長と合意済みのため。"))
	b.wantPage(b.submit("introduce with the reason", introduce), http.StatusOK, casePath)
	if badge := b.text("main .badge"); !strings.Contains(badge, placement.StageIntroduced.Label()) {
		b.fatalf("stage after the introduction = %q", badge)
	}

	// 面接: the doctor and the agent are invited; the institution sees
	// the flag.
	b.do("fill in the interview",
		chromedp.SetValue(chromedp.ID("iv_date"), "2026-12-08"),
		chromedp.SetValue(chromedp.ID("starts_at"), "14:00"),
		chromedp.SetValue(chromedp.ID("ends_at"), "15:00"),
		chromedp.Click(chromedp.CSS(`form[action="`+casePath+`/interviews"] input[name="mode"][value="in_person"]`)),
		chromedp.SendKeys(chromedp.ID("place"), "みなと内科クリニック 2階"))
	// The form offers the doctor and the agent as participants already.
	b.wantPage(b.submit("schedule the interview", `form[action="`+casePath+`/interviews"] button[type="submit"]`), http.StatusOK, casePath)
	if badge := b.text("main .badge"); !strings.Contains(badge, placement.StageInterview.Label()) {
		b.fatalf("stage after the interview was scheduled = %q", badge)
	}
	view, err := env.Main.Placement.View(ctx, staff, c.ID)
	if err != nil || view.Case.Override == nil || len(view.Interviews) != 1 {
		t.Fatalf("the institution's view: %+v %v", view, err)
	}

	// 振り返り and the outcome.
	b.wantPage(b.submit("move to the review", `form.inline-form[action="`+casePath+`/move"] button[type="submit"]`), http.StatusOK, casePath)
	b.do("record the agent's conclusion",
		chromedp.Click(chromedp.CSS(`form[action="`+casePath+`/review"] input[name="verdict"][value="proceed"]`)),
		chromedp.SendKeys(chromedp.ID("review_note"), "双方前向き"))
	b.wantPage(b.submit("save the review", `form[action="`+casePath+`/review"] button[type="submit"]`), http.StatusOK, casePath)
	b.do("fill in the placement", chromedp.SetValue(chromedp.ID("start_date"), "2027-01-05"))
	b.wantPage(b.submit("record the placement", `form[action="`+casePath+`/move"]:has(input[name="form"][value="placed"]) button[type="submit"]`), http.StatusOK, casePath)
	if badge := b.text("main .badge"); !strings.Contains(badge, placement.StagePlaced.Label()) {
		b.fatalf("stage after the outcome = %q", badge)
	}
	final, err := env.Main.DB.Case(ctx, c.ID)
	if err != nil || final.Stage != placement.StagePlaced || final.Outcome == nil || final.Outcome.StartDate != "2027-01-05" || final.AgentReview == nil {
		t.Fatalf("stored case: %+v %v", final, err)
	}
}
