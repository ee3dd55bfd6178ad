package app_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hakui-dev/hakui/internal/app"
	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/profile"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// TestBrowserSearchOpenApply has a 専門医 find an opening through a real
// Chromium by a two-character Japanese keyword, open it, see the fit, and
// apply sharing their name.
func TestBrowserSearchOpenApply(t *testing.T) {
	chromium := chromiumPath(t)
	env := apptest.New(t, apptest.Options{})
	ctx := context.Background()
	clinic := env.Org(identity.OrgInstitution, "みなと内科クリニック")
	staff := env.User("staff@minato.jp", "佐藤 花子", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: clinic, OrgAdmin: true})
	other := env.Org(identity.OrgInstitution, "あおば皮膚科クリニック")
	otherStaff := env.User("staff@aoba.jp", "中村 優子", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: other, OrgAdmin: true})
	doctor := env.User("yamada@example.jp", "山田 太郎", identity.Grant{Role: identity.RoleDoctor})

	want := postOpening(t, env, staff, &openings.Opening{InstitutionID: clinic, PosterOrgID: clinic,
		Title: "【内科】火曜午後の外来(生活習慣病)", Kind: career.WorkPartTimeRegular, Specialty: "内科",
		Schedule: openings.Schedule{Kind: openings.ScheduleWeekly, Weekly: []career.Weekly{{Weekday: time.Tuesday, Start: "13:00", End: "17:00"}}},
		PayUnit:  career.PayHourly, PayMinYen: 10_000, PayMaxYen: 12_000, Prefecture: "東京都", City: "港区",
		Answers: map[career.Stage]career.StageAnswer{career.StageStudent: career.AnswerReject, career.StageJuniorResident: career.AnswerReject,
			career.StageSpecialtyResident: career.AnswerConsider, career.StageSpecialist: career.AnswerAccept},
		Required:   []career.Requirement{{Code: "outpatient_no_manual", Level: 3}},
		CheckItems: []string{"マニュアルなしで診察できる", "処方ができる"}, Description: "患者様第一のクリニックです。",
		Status: openings.StatusOpen})
	// An opening the keyword must not find.
	postOpening(t, env, otherStaff, &openings.Opening{InstitutionID: other, PosterOrgID: other,
		Title: "【皮膚科】土曜午前の外来", Kind: career.WorkPartTimeRegular, Specialty: "皮膚科",
		Schedule: openings.Schedule{Kind: openings.ScheduleWeekly, Weekly: []career.Weekly{{Weekday: time.Saturday, Start: "09:00", End: "13:00"}}},
		PayUnit:  career.PayHourly, PayMinYen: 13_000, Prefecture: "神奈川県", City: "横浜市青葉区",
		Answers: map[career.Stage]career.StageAnswer{career.StageStudent: career.AnswerReject, career.StageJuniorResident: career.AnswerReject,
			career.StageSpecialtyResident: career.AnswerConsider, career.StageSpecialist: career.AnswerAccept},
		Status: openings.StatusOpen})

	// Career events make the doctor a 専門医 in 内科.
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, time.FixedZone("JST", 9*3600))
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	if err := env.Main.Openings.SaveProfile(ctx, actorOf(t, env, doctor), &profile.Profile{
		PracticeForm: career.PracticeEmployed, Prefecture: "東京都", Specialties: []string{"内科"},
		Events: []career.Event{
			{Kind: career.EventNationalExamPassed, Date: day("2012-03-18")},
			{Kind: career.EventJuniorStart, Date: day("2012-04-01")},
			{Kind: career.EventJuniorEnd, Date: day("2014-03-31")},
			{Kind: career.EventSpecialtyStart, Date: day("2014-04-01"), Specialty: "内科"},
			{Kind: career.EventSpecialistObtained, Date: day("2018-06-01"), Specialty: "内科"},
		},
		Skills: []career.Skill{{Code: "outpatient_no_manual", Level: 4}, {Code: "prescribing", Level: 3}},
	}); err != nil {
		t.Fatalf("save the doctor's profile: %v", err)
	}

	b := newBrowser(t, chromium)
	b.do("open the login page",
		chromedp.Navigate(env.Server.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")))
	b.do("fill in the password form",
		chromedp.SendKeys(chromedp.ID("email"), doctor.Email),
		chromedp.SendKeys(chromedp.ID("password"), apptest.Password))
	b.wantPage(b.submit("sign in", `main form[action="/login"] button[type="submit"]`), http.StatusOK, "/dashboard")

	const keyword = "内科"
	b.do("open the search page",
		chromedp.Navigate(env.Server.URL+"/openings"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), keyword))
	resp := b.submit("search", `form[role="search"] button[type="submit"]`)
	b.wantPage(resp, http.StatusOK, "/openings")
	if u, err := url.Parse(resp.URL); err != nil || u.Query().Get("q") != keyword {
		b.fatalf("search URL = %q, want q=%s", resp.URL, keyword)
	}
	links, err := chromedp.Run(b.ctx, chromedp.Nodes(chromedp.CSSAll(`ol.results li.result h2 a`)))
	if err != nil {
		b.fatalf("read the results: %v", err)
	}
	path := "/openings/" + itoa(want.ID)
	if len(links) != 1 || links[0].AttributeValue("href") != path {
		var got []string
		for _, n := range links {
			got = append(got, n.AttributeValue("href"))
		}
		b.fatalf("results for %q link to %q, want only %s", keyword, got, path)
	}

	b.wantPage(b.submit("open the result", `ol.results li.result h2 a`), http.StatusOK, path)
	if fit := b.text("section.fit-panel"); !strings.Contains(fit, "あなたとの適合") || !strings.Contains(fit, "応募できます") {
		b.fatalf("fit panel = %q, want あなたとの適合 and 応募できます", fit)
	}

	const message = "火曜午後の外来を担当したく、応募いたします。よろしくお願いいたします。"
	b.do("fill in the application",
		chromedp.Click(chromedp.CSS(`input[name="kind"][value="apply"]`)),
		chromedp.Click(chromedp.CSS(`input[name="share_name"]`)),
		chromedp.SendKeys(chromedp.ID("message"), message))
	if checked, err := chromedp.Run(b.ctx, chromedp.JavascriptAttribute[bool](chromedp.CSS(`input[name="share_name"]`), "checked")); err != nil || !checked {
		b.fatalf("氏名 checkbox checked = %v (%v), want true", checked, err)
	}
	resp = b.submit("send the application", `form[action="`+path+`/apply"] button[type="submit"]`)
	b.wantPage(resp, http.StatusOK, path)
	if flash := b.text(`.flash[role="status"]`); !strings.Contains(flash, "送信しました") {
		b.fatalf("flash = %q, want it to say 送信しました", flash)
	}
	if notice := b.text("section.notice"); !strings.Contains(notice, "に応募しました") {
		b.fatalf("notice = %q, want it to say に応募しました", notice)
	}

	apps, err := env.Main.DB.OpeningApplications(ctx, want.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 1 {
		t.Fatalf("applications = %d, want 1", len(apps))
	}
	a := apps[0]
	if a.DoctorID != doctor.ID || a.Kind != openings.Apply || a.Message != message || a.Shared.Name != doctor.DisplayName ||
		a.Shared.Email != "" || a.Shared.Stage != career.StageSpecialist.Label() {
		t.Errorf("application = doctor %d, %s, %q, shared name %q, email %q, stage %q; want doctor %d, apply, the message, name %q, no email, %s",
			a.DoctorID, a.Kind, a.Message, a.Shared.Name, a.Shared.Email, a.Shared.Stage, doctor.ID, doctor.DisplayName, career.StageSpecialist.Label())
	}
}

// actorOf returns the user as the services see them.
func actorOf(t *testing.T, env *apptest.Env, u *identity.User) policy.Actor {
	t.Helper()
	grants, err := env.Main.DB.Grants(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return policy.Actor{UserID: u.ID, Grants: grants}
}

// postOpening posts o as the staff member and returns it.
func postOpening(t *testing.T, env *apptest.Env, staff *identity.User, o *openings.Opening) *openings.Opening {
	t.Helper()
	if err := env.Main.Openings.Post(context.Background(), actorOf(t, env, staff), o); err != nil {
		t.Fatalf("post %q: %v", o.Title, err)
	}
	return o
}

// TestDemoOpeningsAreValid checks the openings demo mode seeds: enough of
// every kind to try the search, valid as stored, shifts not in the past,
// and a fit for the demo doctor (a 専攻医) on each, some open to them, some
// 応相談 and some not. Seeding again adds nothing.
func TestDemoOpeningsAreValid(t *testing.T) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			env := apptest.New(t, apptest.Options{Engine: engine, Demo: true})
			ctx := context.Background()
			ids := searchAll(t, env.Client())
			if len(ids) < 20 {
				t.Fatalf("search lists %d demo openings, want at least 20", len(ids))
			}
			vocab, err := env.Main.Openings.Vocabulary(ctx)
			if err != nil {
				t.Fatal(err)
			}
			jst := time.FixedZone("JST", 9*3600)
			today := env.Clock.Now().In(jst).Format(time.DateOnly)
			kinds := map[career.WorkKind]int{}
			posters := map[bool]int{}
			for _, id := range ids {
				o, err := env.Main.DB.Opening(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if fields := o.Validate(vocab); len(fields) > 0 {
					t.Errorf("demo opening %q is invalid as stored: %v", o.Title, fields)
				}
				if o.Schedule.Kind == openings.ScheduleSingle && o.Schedule.Date < today {
					t.Errorf("demo opening %q is on %s, before today %s", o.Title, o.Schedule.Date, today)
				}
				kinds[o.Kind]++
				posters[o.PostedByAgent()]++
			}
			for _, k := range career.WorkKinds {
				if kinds[k] == 0 {
					t.Errorf("no demo opening of kind %s", k.Label())
				}
			}
			if posters[true] == 0 || posters[false] == 0 {
				t.Errorf("demo openings posted by an agency: %d, by the institution: %d; want both", posters[true], posters[false])
			}

			doctor, err := env.Main.DB.UserByEmail(ctx, "doctor@demo.hakui.jp")
			if err != nil {
				t.Fatal(err)
			}
			p, err := env.Main.DB.Profile(ctx, doctor.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Stage(env.Clock.Now()); got != career.StageSpecialtyResident {
				t.Errorf("demo doctor's stage = %s, want %s", got.Label(), career.StageSpecialtyResident.Label())
			}
			c := env.Client()
			if r := c.Post("/login", url.Values{"email": {doctor.Email}, "password": {app.DemoPassword}}); r.Status != http.StatusSeeOther {
				t.Fatalf("demo doctor login: %d", r.Status)
			}
			var allowed, consider, refused int
			for _, id := range ids {
				r := c.Get("/openings/" + itoa(id))
				fit := between(r.Body, `class="card fit-panel"`, "</section>")
				switch {
				case r.Status != http.StatusOK || !strings.Contains(fit, "あなたとの適合"):
					t.Errorf("demo doctor's page of opening %d: status %d, no fit panel", id, r.Status)
				case strings.Contains(fit, "応募できます(応相談"):
					consider++
				case strings.Contains(fit, "応募できます"):
					allowed++
				case strings.Contains(fit, "応募できません"):
					refused++
				}
			}
			if allowed == 0 || consider == 0 || refused == 0 {
				t.Errorf("demo doctor may apply to %d, 応相談 %d, may not %d; want some of each", allowed, consider, refused)
			}

			if err := env.Main.SeedDemo(ctx); err != nil {
				t.Fatalf("seeding again: %v", err)
			}
			if again := searchAll(t, env.Client()); len(again) != len(ids) {
				t.Errorf("after seeding again, search lists %d openings, want %d", len(again), len(ids))
			}
		})
	}
}

var (
	resultLink = regexp.MustCompile(`<h2><a href="/openings/([0-9]+)">`)
	nextLink   = regexp.MustCompile(`<a class="button secondary" href="([^"]+)">次のページ</a>`)
)

// searchAll returns the IDs of every opening the search page lists with no
// conditions, following the next-page links.
func searchAll(t *testing.T, c *apptest.Client) []int64 {
	t.Helper()
	var ids []int64
	for path, pages := "/openings", 0; path != ""; pages++ {
		if pages == 10 {
			t.Fatalf("more than %d pages of search results", pages)
		}
		r := c.Get(path)
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", path, r.Status)
		}
		for _, m := range resultLink.FindAllStringSubmatch(r.Body, -1) {
			id, err := strconv.ParseInt(m[1], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
		path = ""
		if m := nextLink.FindStringSubmatch(r.Body); m != nil {
			path = html.UnescapeString(m[1])
		}
	}
	return ids
}
