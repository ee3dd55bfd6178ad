package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hakui-dev/hakui/internal/app/apptest"
)

// TestBrowserCommunityAskAndAnswer walks the board through a real
// Chromium: a member asks anonymously through the form, another member
// opens the question and answers, and the asker sees the answer and
// accepts it.
func TestBrowserCommunityAskAndAnswer(t *testing.T) {
	chromium := chromiumPath(t)
	env := apptest.New(t, apptest.Options{})
	w := newCommunityWorld(t, env)
	w.tags(t)
	w.join(t, w.owner, w.planner)
	const title = "レセプトの返戻が多いときの見直し方"

	asker := newBrowser(t, chromium)
	communitySignIn(asker, env, w.owner)
	asker.do("open the ask form", chromedp.Navigate(env.Server.URL+"/community/ask"), chromedp.WaitVisible(chromedp.ID("title")))
	asker.do("write the question",
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("body"), "開業1年目です。返戻が毎月あります。**基本的な質問**ですみません。"),
		chromedp.SendKeys(chromedp.ID("tags"), "集客"),
		chromedp.Click(chromedp.CSS(`input[name="anonymous"]`)))
	resp := asker.submit("post the question", `main form[action="/community/ask"] button[type="submit"]`)
	questionPath := communityPage(asker, resp, "/community/questions/")
	if h1 := asker.text("main h1"); h1 != title {
		asker.fatalf("question heading = %q, want %q", h1, title)
	}
	if by := asker.text(".community-q .byline"); !strings.Contains(by, "匿名の先生（あなた）") {
		asker.fatalf("the asker's byline = %q, want 匿名の先生（あなた）", by)
	}

	answerer := newBrowser(t, chromium)
	communitySignIn(answerer, env, w.planner)
	answerer.do("open the board", chromedp.Navigate(env.Server.URL+"/community"), chromedp.WaitVisible(chromedp.CSS(".community-questions")))
	resp = answerer.submit("open the question", `.community-questions a[href="`+questionPath+`"]`)
	communityPage(answerer, resp, questionPath)
	if by := answerer.text(".community-q .byline"); by == "" || strings.Contains(by, w.owner.Name()) || !strings.Contains(by, "匿名の先生") {
		answerer.fatalf("another member sees the byline %q, want 匿名の先生 only", by)
	}
	answerer.do("write the answer", chromedp.SendKeys(chromedp.ID("answer-body"), "査定の理由を月ごとに一覧にすると傾向が見えます。"))
	resp = answerer.submit("post the answer", `main form[action="`+questionPath+`/answers"] button[type="submit"]`)
	communityPage(answerer, resp, questionPath)
	if flash := answerer.text(".flash"); !strings.Contains(flash, "回答を投稿しました") {
		answerer.fatalf("after answering, flash = %q", flash)
	}

	asker.do("reload the question", chromedp.Navigate(env.Server.URL+questionPath), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if body := asker.text("#answers-h + article .post-body"); !strings.Contains(body, "査定の理由を月ごとに一覧にすると") {
		asker.fatalf("the asker sees the answer %q", body)
	}
	resp = asker.submit("accept the answer", `main form[action="`+questionPath+`/accept"] button[type="submit"]`)
	communityPage(asker, resp, questionPath)
	if badge := asker.text("article.accepted .badge"); !strings.Contains(badge, "ベストアンサー") {
		asker.fatalf("accepted badge = %q", badge)
	}
}

// communitySignIn signs a doctor in through the login form.
func communitySignIn(b *browser, env *apptest.Env, u *communityUser) {
	b.t.Helper()
	b.do("open the login page", chromedp.Navigate(env.Server.URL+"/login"), chromedp.WaitVisible(chromedp.ID("email")))
	b.do("fill in the login form", chromedp.SendKeys(chromedp.ID("email"), u.user.Email), chromedp.SendKeys(chromedp.ID("password"), apptest.Password))
	b.wantPage(b.submit("sign in", `main form[action="/login"] button[type="submit"]`), http.StatusOK, "/dashboard")
}

// communityPage checks that a page loaded with 200 at a path starting
// with prefix, and returns the path.
func communityPage(b *browser, resp *network.Response, prefix string) string {
	b.t.Helper()
	u, err := url.Parse(resp.URL)
	if err != nil {
		b.fatalf("response URL %q: %v", resp.URL, err)
	}
	if resp.Status != http.StatusOK || !strings.HasPrefix(u.Path, prefix) {
		b.fatalf("page = %d %s, want 200 %s…", resp.Status, u.Path, prefix)
	}
	return u.Path
}
