package app_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/events"
)

// TestBrowserEventsGuest walks a guest through a real Chromium: they
// register for a hybrid event through its form and see their status with
// the manage link, then answer a public survey (a Likert radio, a choice
// and a comment) and see the thanks page with the edit link.
func TestBrowserEventsGuest(t *testing.T) {
	chromium := chromiumPath(t)
	env := apptest.New(t, apptest.Options{})
	w := newEventsWorld(t, env)
	ev := w.hybridEvent(t, "地域医療キャリア研修会", 30)
	sv := w.publicSurvey(t, "研修会アンケート 2026")

	b := newBrowser(t, chromium)
	b.do("open the event", chromedp.Navigate(env.Server.URL+"/events/"+itoa(ev.ID)), chromedp.WaitVisible(chromedp.ID("name")))
	b.do("fill in the registration",
		chromedp.SendKeys(chromedp.ID("name"), "佐藤 一郎"),
		chromedp.SendKeys(chromedp.ID("email"), "sato@example.jp"),
		chromedp.SetValue(chromedp.ID("prefecture"), "福岡県"),
		chromedp.SendKeys(chromedp.ID("organisation"), "白衣病院"),
		chromedp.SetValue(chromedp.ID("role"), string(events.RoleDoctor)),
		chromedp.Click(chromedp.CSS(`input[name="attendance"][value="online"]`)))
	resp := b.submit("register", `main form[action="/events/`+itoa(ev.ID)+`/register"] button[type="submit"]`)
	communityPage(b, resp, "/events/"+itoa(ev.ID)+"/register")
	if st := b.text(".event-status"); !strings.Contains(st, "参加確定") || !strings.Contains(st, "オンライン") {
		b.fatalf("status after registering = %q", st)
	}
	link := b.text(".manage-link")
	if !strings.Contains(link, "/events/registrations/") {
		b.fatalf("manage link = %q", link)
	}
	regs, err := env.Main.Events.Registrations(context.Background(), w.actor(t, w.organiser), ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(regs) != 1 || regs[0].Prefecture != "福岡県" || regs[0].Role != events.RoleDoctor || regs[0].Attendance != events.AttendOnline {
		t.Fatalf("registrations = %+v", regs)
	}

	likert, single, text := "item-"+itoa(sv.Items[0].ID), "item-"+itoa(sv.Items[1].ID), "item-"+itoa(sv.Items[2].ID)
	b.do("open the survey", chromedp.Navigate(env.Server.URL+"/s/"+sv.PublicSlug), chromedp.WaitVisible(chromedp.CSS("form.survey-form")))
	b.do("answer",
		chromedp.Click(chromedp.CSS(`input[name="`+likert+`"][value="5"]`)),
		chromedp.Click(chromedp.CSS(`input[name="`+single+`"][value="2"]`)),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="`+text+`"]`), "グループワークが有意義でした。"))
	resp = b.submit("send the answers", `main form.survey-form button[type="submit"]`)
	communityPage(b, resp, "/s/"+sv.PublicSlug)
	if h1 := b.text("main h1"); h1 != "ご回答ありがとうございました" {
		b.fatalf("after answering, heading = %q", h1)
	}
	if edit := b.text(".edit-link"); !strings.Contains(edit, "/s/"+sv.PublicSlug+"/edit/") {
		b.fatalf("edit link = %q", edit)
	}
	res, err := env.Main.Surveys.Results(context.Background(), w.actor(t, w.organiser), sv.ID)
	if err != nil {
		t.Fatal(err)
	}
	if res.Responses != 1 || len(res.Items[2].Comments) != 1 || res.Items[2].Comments[0].Text != "グループワークが有意義でした。" {
		t.Fatalf("results = %+v", res)
	}
}
