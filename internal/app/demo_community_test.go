package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
)

// TestDemoBoardAndEvents: the demo board has members, a solved anonymous
// question and a waiting one; the company contact sees its counts; the
// CC office's training session has a waiting list, groups, survey
// results and a recording request; the clinic compares two years of its
// patient survey. Seeding again changes nothing.
func TestDemoBoardAndEvents(t *testing.T) {
	env := apptest.New(t, apptest.Options{Demo: true})
	login := func(email string) *apptest.Client {
		c := env.Client()
		if r := c.Post("/login", url.Values{"email": {email}, "password": {"hakui-demo-2026"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("demo login %s: %d", email, r.Status)
		}
		return c
	}
	planner := login("kaigyo@demo.hakui.jp")
	r := pwebExpect(t, planner.Get("/community"), http.StatusOK, "the board")
	pwebContains(t, r, "board", "開業資金の借入はいくらくらいが目安でしょうか", "匿名の先生（あなた）", "受付スタッフの採用")
	owner := login("owner@demo.hakui.jp")
	r = pwebExpect(t, owner.Get("/community/questions/1"), http.StatusOK, "the anonymous question as the answerer")
	if pwebContains(t, r, "thread", "開業資金の借入", "匿名の先生"); strings.Contains(r.Body, "中村") {
		t.Error("the anonymous asker is named to another member")
	}
	company := login("company@demo.hakui.jp")
	pwebContains(t, pwebExpect(t, company.Get("/community/company"), http.StatusOK, "referrals"), "referrals", "MEDIKAIGYO")

	cc := login("cc@demo.hakui.jp")
	r = pwebExpect(t, cc.Get("/events/1/manage"), http.StatusOK, "the session's registrations")
	pwebContains(t, r, "manage", "キャリアコーディネーター研修会", "キャンセル待ち 2人")
	pwebContains(t, pwebExpect(t, cc.Get("/events/1/groups"), http.StatusOK, "groups"), "groups", "出産・育児と義務年限")
	pwebContains(t, pwebExpect(t, cc.Get("/events/1/materials"), http.StatusOK, "materials"), "materials", "松田 理恵")
	pwebContains(t, pwebExpect(t, cc.Get("/surveys/1/results"), http.StatusOK, "survey results"), "results", "高評価", "<svg")
	clinic := login("clinic@demo.hakui.jp")
	pwebContains(t, pwebExpect(t, clinic.Get("/surveys/3/results"), http.StatusOK, "patient survey"), "patient survey",
		"患者満足度調査 2026年度", "2025年度")

	if err := env.Main.SeedDemo(context.Background()); err != nil {
		t.Fatalf("seeding again: %v", err)
	}
	r = pwebExpect(t, cc.Get("/events/1/manage"), http.StatusOK, "after seeding again")
	pwebContains(t, r, "manage again", "キャンセル待ち 2人")
}
