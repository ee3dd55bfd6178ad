package app_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/auth/totp"
	"github.com/hakui-dev/hakui/internal/identity"
)

// Browser tests run only when HAKUI_TEST_BROWSER=1, as CI sets it; then a
// missing Chromium fails the test, so CI cannot skip them by accident.
// HAKUI_CHROMIUM names the browser binary when it is not on a usual path.
const (
	browserEnv   = "HAKUI_TEST_BROWSER"
	chromiumEnv  = "HAKUI_CHROMIUM"
	browserLimit = 60 * time.Second // for all the steps of one test
	startLimit   = 30 * time.Second // for Chromium to start
)

// TestBrowserSignIn signs a staff member in through a real Chromium:
// password, a wrong TOTP code, the right one, then the dashboard.
func TestBrowserSignIn(t *testing.T) {
	chromium := chromiumPath(t)
	env := apptest.New(t, apptest.Options{})
	org := env.Org(identity.OrgPlatform, "運営")
	u := env.User("admin@example.jp", "管理 太郎", identity.Grant{Role: identity.RoleAdmin, OrgID: org, OrgAdmin: true})
	secret := env.EnableTOTP(u)
	b := newBrowser(t, chromium)

	b.do("open the login page",
		chromedp.Navigate(env.Server.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")))
	b.do("fill in the password form",
		chromedp.SendKeys(chromedp.ID("email"), u.Email),
		chromedp.SendKeys(chromedp.ID("password"), apptest.Password))
	resp := b.submit("sign in with the password", `main form[action="/login"] button[type="submit"]`)
	b.wantPage(resp, http.StatusOK, "/login/totp")

	b.do("enter a wrong code", chromedp.SendKeys(chromedp.ID("code"), wrongCode(t, secret, env.Clock.Now())))
	resp = b.submit("submit the wrong code", `main form[action="/login/totp"] button[type="submit"]`)
	b.wantPage(resp, http.StatusUnauthorized, "/login/totp")
	if alert := b.text(`[role="alert"]`); !strings.Contains(alert, "確認コードが正しくありません") {
		b.fatalf("after a wrong code, alert = %q, want it to say 確認コードが正しくありません", alert)
	}

	b.do("enter the right code",
		chromedp.WaitVisible(chromedp.ID("code")),
		chromedp.Clear(chromedp.ID("code")),
		chromedp.SendKeys(chromedp.ID("code"), env.Code(secret)))
	resp = b.submit("submit the right code", `main form[action="/login/totp"] button[type="submit"]`)
	b.wantPage(resp, http.StatusOK, "/dashboard")
	if h1, want := b.text("main h1"), "管理者ダッシュボード"; h1 != want {
		b.fatalf("dashboard heading = %q, want %q", h1, want)
	}
}

// chromiumPath skips the test unless browser tests are on, and then
// returns the Chromium binary or fails.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if os.Getenv(browserEnv) != "1" {
		t.Skipf("browser test: set %s=1 to run it (needs Chromium; %s names the binary)", browserEnv, chromiumEnv)
	}
	if p := os.Getenv(chromiumEnv); p != "" {
		if _, err := os.Stat(p); err != nil {
			t.Fatalf("%s=%s: %v", chromiumEnv, p, err)
		}
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Fatalf("%s=1 but no Chromium found: install it (apt-get install chromium) or set %s", browserEnv, chromiumEnv)
	return ""
}

// wrongCode returns a six-digit code that Validate rejects at now.
func wrongCode(t *testing.T, secret string, now time.Time) string {
	t.Helper()
	valid := map[string]bool{}
	for s := -totp.Skew; s <= totp.Skew; s++ {
		code, err := totp.GenerateCode(secret, now.Add(time.Duration(s*totp.Period)*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		valid[code] = true
	}
	for d := '0'; ; d++ { // ten candidates, at most 2*Skew+1 of them valid
		if code := strings.Repeat(string(d), totp.Digits); !valid[code] {
			return code
		}
	}
}

// browser is one headless Chromium tab for one test.
type browser struct {
	t   *testing.T
	tab context.Context // no deadline: the failure report still works after a timeout
	ctx context.Context // the tab, bounded by browserLimit
}

// newBrowser starts Chromium and stops it when the test ends.
func newBrowser(t *testing.T, chromium string) *browser {
	t.Helper()
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox, // CI runs as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.IgnoreCertErrors, // the test server's certificate is self-signed
		chromedp.UserDataDir(profile),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(allocCtx)
	// Cancelling waits for Chromium to exit, before the profile is removed.
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
	})
	// The first run starts the browser and ties its life to its context, so
	// it gets no deadline; a timer bounds the start instead.
	stop := time.AfterFunc(startLimit, cancelAlloc)
	err := chromedp.Do(tab)
	if !stop.Stop() {
		t.Fatalf("start %s: not ready after %s: %v", chromium, startLimit, err)
	}
	if err != nil {
		t.Fatalf("start %s: %v", chromium, err)
	}
	ctx, cancel := context.WithTimeout(tab, browserLimit)
	t.Cleanup(cancel)
	return &browser{t: t, tab: tab, ctx: ctx}
}

// do runs the actions of one step and fails the test if one fails.
func (b *browser) do(step string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, actions...); err != nil {
		b.fatalf("%s: %v", step, err)
	}
}

// submit clicks the button and returns the response of the page it loads,
// after any redirects.
func (b *browser) submit(step, button string) *network.Response {
	b.t.Helper()
	resp, err := chromedp.RunResponse(b.ctx, chromedp.Click(chromedp.CSS(button)))
	if err != nil {
		b.fatalf("%s: %v", step, err)
	}
	return resp
}

// wantPage checks the status and path of a loaded page.
func (b *browser) wantPage(resp *network.Response, status int, path string) {
	b.t.Helper()
	got, err := url.Parse(resp.URL)
	if err != nil {
		b.fatalf("response URL %q: %v", resp.URL, err)
	}
	if resp.Status != int64(status) || got.Path != path {
		b.fatalf("page = %d %s, want %d %s", resp.Status, got.Path, status, path)
	}
}

// text returns the visible text of the first element the CSS selector
// matches, once it is visible.
func (b *browser) text(sel string) string {
	b.t.Helper()
	b.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.fatalf("read %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

// fatalf logs a screenshot and the page's HTML, then fails the test.
func (b *browser) fatalf(format string, args ...any) {
	b.t.Helper()
	b.report()
	b.t.Fatalf(format, args...)
}

// report logs what the tab shows, for debugging a failure. The screenshot
// is kept when the test runs with -artifacts.
func (b *browser) report() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.tab, 10*time.Second)
	defer cancel()
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		b.t.Logf("browser at %s", loc)
	}
	if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err != nil {
		b.t.Logf("screenshot: %v", err)
	} else {
		path := filepath.Join(b.t.ArtifactDir(), "failure.png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			b.t.Logf("screenshot: %v", err)
		} else {
			b.t.Logf("screenshot: %s", path)
		}
	}
	html, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		b.t.Logf("page HTML: %v", err)
		return
	}
	if r := []rune(html); len(r) > 2000 {
		html = string(r[:2000]) + "…"
	}
	b.t.Logf("page HTML:\n%s", html)
}
