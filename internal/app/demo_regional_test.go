package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
)

// TestDemoRegionalPages: the demo prefecture, CC office and 地域枠 doctor
// have a program, a ledger, a plan and a shared 面談記録 to look at.
func TestDemoRegionalPages(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	login := func(email string) *apptest.Client {
		c := env.Client()
		if r := c.Post("/login", url.Values{"email": {email}, "password": {"hakui-demo-2026"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("demo login %s: %d", email, r.Status)
		}
		return c
	}
	cc := login("cc@demo.hakui.jp")
	r := pwebExpect(t, cc.Get("/regional/enrollments"), http.StatusOK, "the CC office's doctors")
	pwebContains(t, r, "enrolments", "岡山 葵", "岡山県キャリア形成プログラム")
	officer := login("pref@demo.hakui.jp")
	r = pwebExpect(t, officer.Get("/regional/dashboard"), http.StatusOK, "the officer's dashboard")
	pwebContains(t, r, "dashboard", "真庭", "高梁・新見", "<svg")
	doctor := login("chiiki@demo.hakui.jp")
	r = pwebExpect(t, doctor.Get("/me/obligation"), http.StatusOK, "the doctor's obligation")
	pwebContains(t, r, "obligation", "内科専門医をめざす計画")
	// The menu offers 地域枠 to the enrolled doctor only.
	pwebContains(t, pwebExpect(t, doctor.Get("/openings"), http.StatusOK, "openings"), "menu", `href="/me/obligation"`)
	other := login("doctor@demo.hakui.jp")
	if r := other.Get("/openings"); strings.Contains(r.Body, `href="/me/obligation"`) {
		t.Fatal("the menu offers 地域枠 to a doctor who is not enrolled")
	}
}
