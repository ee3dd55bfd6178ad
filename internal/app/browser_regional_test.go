package app_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/rounds"
)

// TestBrowserRegionalPlanAndRound walks a 地域枠 doctor and a prefecture
// officer through a real Chromium: the doctor drafts a multi-year plan,
// adds rows, checks it, fixes the problem the check shows and saves it;
// the officer sees that the round cannot run before the rankings'
// deadline, runs it after, and publishes the result.
func TestBrowserRegionalPlanAndRound(t *testing.T) {
	chromium := chromiumPath(t)
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	fy := obligation.FiscalYear(env.Clock.Now())
	pref := env.Org(identity.OrgPrefecture, "岡山県")
	city := env.Org(identity.OrgInstitution, "岡山市民病院")
	rural := env.Org(identity.OrgInstitution, "真庭中央病院")
	officerUser := env.User("officer@pref.okayama.example.jp", "県 担当", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: pref})
	ruralUser := env.User("staff@maniwa.example.jp", "真庭 受付", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: rural})
	doctorUser := env.User("chiiki@example.jp", "地域 太郎", identity.Grant{Role: identity.RoleDoctor})
	secret := env.EnableTOTP(officerUser)
	officer, ruralStaff, doctor := actorOf(t, env, officerUser), actorOf(t, env, ruralUser), actorOf(t, env, doctorUser)

	// The program, two medical areas and the doctor's enrolment.
	reg := env.Main.Regional
	program := &obligation.Program{PrefectureOrgID: pref, Name: "岡山県地域枠", TotalYears: 9, MinShortageYears: 4,
		Specialties: []string{"内科", "総合診療"}, DeadlineYears: 12,
		SuspensionCaps: map[obligation.SuspensionReason]int{obligation.SuspendChildcare: 24}}
	if err := reg.CreateProgram(ctx, officer, program); err != nil {
		t.Fatal(err)
	}
	south := &regional.Area{PrefectureOrgID: pref, Area: obligation.Area{Code: "33-01", Name: "県南東部"}}
	north := &regional.Area{PrefectureOrgID: pref, Area: obligation.Area{Code: "33-05", Name: "真庭"}}
	for _, a := range []*regional.Area{south, north} {
		if err := reg.SaveArea(ctx, officer, a); err != nil {
			t.Fatal(err)
		}
	}
	for y := fy - 2; y <= fy+10; y++ {
		if err := reg.SetAreaClass(ctx, officer, south.ID, y, obligation.AreaSurplus); err != nil {
			t.Fatal(err)
		}
		if err := reg.SetAreaClass(ctx, officer, north.ID, y, obligation.AreaShortage); err != nil {
			t.Fatal(err)
		}
	}
	e, err := reg.Enroll(ctx, officer, regional.EnrollRequest{ProgramID: program.ID, DoctorID: doctorUser.ID, StartYear: fy - 1})
	if err != nil {
		t.Fatal(err)
	}

	// The doctor's plan.
	b := newBrowser(t, chromium)
	b.do("open the login page", chromedp.Navigate(env.Server.URL+"/login"), chromedp.WaitVisible(chromedp.ID("email")))
	b.do("fill in the password form",
		chromedp.SendKeys(chromedp.ID("email"), doctorUser.Email),
		chromedp.SendKeys(chromedp.ID("password"), apptest.Password))
	b.wantPage(b.submit("sign in", `main form[action="/login"] button[type="submit"]`), http.StatusOK, "/dashboard")
	b.do("open my obligation", chromedp.Navigate(env.Server.URL+"/me/obligation"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	newPlan := "/regional/enrollments/" + itoa(e.ID) + "/plans/new"
	b.wantPage(b.submit("open the plan editor", `main a.button[href="`+newPlan+`"]`), http.StatusOK, newPlan)
	row := func(n int, year int) {
		k := strconv.Itoa(n)
		b.do("fill row "+strconv.Itoa(n+1),
			chromedp.SetValue(chromedp.ID("year_"+k), strconv.Itoa(year)),
			chromedp.SetValue(chromedp.ID("kind_"+k), string(obligation.PlanService)),
			chromedp.SetValue(chromedp.ID("months_"+k), "12"),
			chromedp.SetValue(chromedp.ID("class_"+k), string(obligation.AreaShortage)),
			chromedp.SetValue(chromedp.ID("area_"+k), "33-05"),
			chromedp.SetValue(chromedp.ID("specialty_"+k), "内科"))
	}
	// The editor starts with a row per year up to the deadline, and blank
	// rows to add more: the doctor keeps seven years from next year, clears
	// the rest and adds one in a blank row.
	b.do("name the plan", chromedp.SendKeys(chromedp.ID("name"), "A案"))
	rows, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(`main input[name="rows"]`)))
	if err != nil {
		b.fatalf("count the rows: %v", err)
	}
	n, _ := strconv.Atoi(rows)
	if n < 12 {
		b.fatalf("the editor offers %d rows", n)
	}
	for i := range n - 4 {
		if i == 1 {
			continue
		}
		if i < 7 {
			row(i, fy+1+i)
			continue
		}
		k := strconv.Itoa(i)
		b.do("clear row "+strconv.Itoa(i+1), chromedp.Clear(chromedp.ID("year_"+k)), chromedp.Clear(chromedp.ID("months_"+k)))
	}
	row(n-4, fy+8)
	// The second year becomes a study leave, which the program does not
	// allow: the check says so next to the row.
	b.do("make the second year a study leave",
		chromedp.SetValue(chromedp.ID("year_1"), strconv.Itoa(fy+2)),
		chromedp.SetValue(chromedp.ID("kind_1"), string(obligation.PlanSuspension)),
		chromedp.SetValue(chromedp.ID("reason_1"), string(obligation.SuspendStudy)))
	b.wantPage(b.submit("check the draft", `main button[formaction="/regional/plans/check"]`), http.StatusOK, "/regional/plans/check")
	if problems := b.text("main tr.row-problems"); !strings.Contains(problems, "認められていません") {
		b.fatalf("the check shows no suspension problem next to the row: %q", problems)
	}
	// The draft comes back renumbered, with blank rows after it; the
	// second year becomes a childcare leave, which the program allows.
	b.do("fix the second year", chromedp.SetValue(chromedp.ID("reason_1"), string(obligation.SuspendChildcare)))
	b.wantPage(b.submit("check again", `main button[formaction="/regional/plans/check"]`), http.StatusOK, "/regional/plans/check")
	if text := b.text("main"); strings.Contains(text, "認められていません") {
		b.fatalf("the fixed year is still a problem")
	}
	resp := b.submit("save the plan", `main form button[type="submit"]:not([formaction])`)
	if resp.Status != http.StatusOK || !strings.Contains(resp.URL, "/regional/plans/") {
		b.fatalf("save: %d %s", resp.Status, resp.URL)
	}
	plans, err := reg.Plans(ctx, doctor, e.ID)
	if err != nil || len(plans) != 1 || len(plans[0].Plan.Years) != 8 {
		t.Fatalf("saved plans: %+v %v", plans, err)
	}

	// The round: the doctor lists the shortage-area hospital, which ranks
	// them.
	round, err := env.Main.Rounds.OpenRound(ctx, officer, &rounds.Round{PrefectureOrgID: pref, ProgramID: program.ID,
		FiscalYear: fy + 1, Name: "来年度の配置", Mechanism: match.FDA,
		ListsDue: env.Clock.Now().Add(20 * time.Minute), RankingsDue: env.Clock.Now().Add(25 * time.Minute),
		Institutions: []rounds.Institution{{OrgID: city, AreaID: south.ID, Capacity: 2}, {OrgID: rural, AreaID: north.ID, Capacity: 1}},
		Caps:         []rounds.AreaCap{{AreaID: south.ID, Cap: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.Main.Rounds.SubmitList(ctx, doctor, round.ID, rounds.ListRequest{Institutions: []int64{rural}}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.Main.Rounds.SubmitRanking(ctx, ruralStaff, round.ID, rural, []int64{doctorUser.ID}); err != nil {
		t.Fatal(err)
	}

	// The officer signs in with the second factor and opens the round.
	o := newBrowser(t, chromium)
	o.do("open the login page", chromedp.Navigate(env.Server.URL+"/login"), chromedp.WaitVisible(chromedp.ID("email")))
	o.do("fill in the password form",
		chromedp.SendKeys(chromedp.ID("email"), officerUser.Email),
		chromedp.SendKeys(chromedp.ID("password"), apptest.Password))
	o.wantPage(o.submit("sign in", `main form[action="/login"] button[type="submit"]`), http.StatusOK, "/login/totp")
	o.do("enter the code", chromedp.SendKeys(chromedp.ID("code"), env.Code(secret)))
	o.wantPage(o.submit("submit the code", `main form[action="/login/totp"] button[type="submit"]`), http.StatusOK, "/dashboard")
	roundPath := "/regional/rounds/" + itoa(round.ID)
	o.do("open the rounds", chromedp.Navigate(env.Server.URL+"/regional/rounds"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	o.wantPage(o.submit("open the round", `main a[href="`+roundPath+`"]`), http.StatusOK, roundPath)
	if notice := o.text("#run-h + p.notice"); !strings.Contains(notice, "実行できません") {
		o.fatalf("the run is offered before the deadline: %q", notice)
	}

	// After the rankings' deadline the officer runs and publishes.
	env.Clock.Advance(26 * time.Minute)
	o.do("reload the round", chromedp.Navigate(env.Server.URL+roundPath), chromedp.WaitVisible(chromedp.CSS("main h1")))
	o.wantPage(o.submit("run", `form[action="`+roundPath+`/run"] button[type="submit"]`), http.StatusOK, roundPath)
	if flash := o.text("main .flash"); !strings.Contains(flash, "マッチングを実行しました") {
		o.fatalf("flash after the run = %q", flash)
	}
	if preview := o.text("#preview-h"); preview == "" {
		o.fatalf("no preview after the run")
	}
	o.do("confirm the publication", chromedp.Click(chromedp.CSS(`form[action="`+roundPath+`/publish"] input[name="confirm"]`)))
	o.wantPage(o.submit("publish", `form[action="`+roundPath+`/publish"] button[type="submit"]`), http.StatusOK, roundPath)
	if flash := o.text("main .flash"); !strings.Contains(flash, "公開しました") {
		o.fatalf("flash after publishing = %q", flash)
	}
	pl, err := env.Main.Rounds.DoctorPlacement(ctx, doctor, round.ID, doctorUser.ID)
	if err != nil || pl.InstitutionID != rural {
		t.Fatalf("the doctor's placement: %+v %v", pl, err)
	}
}
