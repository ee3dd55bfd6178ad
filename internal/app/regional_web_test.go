package app_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
)

// rwebWorld is 岡山県 with its officer, 広島県 with its, a university CC
// office with its coordinator and another with its, an enrolled-to-be
// doctor and another doctor, all signed in through the pages.
type rwebWorld struct {
	env                             *apptest.Env
	pref, otherPref, univ           int64
	officer, otherOfficer, cc, rcc  *apptest.Client
	doc, otherDoc                   *apptest.Client
	fy                              int // the current fiscal year
	program, enrollment, south, nor string
}

func newRWebWorld(t *testing.T, env *apptest.Env) *rwebWorld {
	t.Helper()
	w := &rwebWorld{env: env, fy: obligation.FiscalYear(env.Clock.Now())}
	w.pref = env.Org(identity.OrgPrefecture, "岡山県")
	w.otherPref = env.Org(identity.OrgPrefecture, "広島県")
	w.univ = env.Org(identity.OrgUniversity, "岡山大学 キャリア支援センター")
	otherUniv := env.Org(identity.OrgUniversity, "川崎医科大学 キャリア支援室")
	login := func(email, name string, g identity.Grant) *apptest.Client {
		u := env.User(email, name, g)
		c := env.Client()
		if g.Role == identity.RoleDoctor {
			c.Login(email, "")
		} else {
			c.Login(email, env.EnableTOTP(u))
		}
		return c
	}
	w.officer = login("officer@pref.okayama.example.jp", "県 担当", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.pref})
	w.otherOfficer = login("officer@pref.hiroshima.example.jp", "広島 担当", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: w.otherPref})
	w.cc = login("cc@okayama-u.example.jp", "支援 花子", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.univ})
	w.rcc = login("cc@kawasaki-m.example.jp", "川崎 次郎", identity.Grant{Role: identity.RoleCoordinator, OrgID: otherUniv})
	w.doc = login("chiiki@example.jp", "地域 太郎", identity.Grant{Role: identity.RoleDoctor})
	w.otherDoc = login("other@example.jp", "別 医師", identity.Grant{Role: identity.RoleDoctor})
	return w
}

func fyStr(y int) string { return strconv.Itoa(y) }

// setUp has the officer create the program and two medical areas classed
// over the years the test uses, and the coordinator enrol the doctor two
// years ago.
func (w *rwebWorld) setUp(t *testing.T) {
	t.Helper()
	pwebExpect(t, w.officer.Get("/regional/programs"), http.StatusOK, "programs page")
	program := url.Values{"name": {"岡山県地域枠（内科・総合診療）"}, "total_years": {"9"}, "min_shortage_years": {"4"},
		"deadline_years": {"12"}, "specialties": {"内科", "総合診療"}, "cap_childbirth": {"12"}, "cap_childcare": {"24"},
		"cap_study": {"12"}, "start_basis": {"卒業の翌年度"}}
	bad := url.Values{}
	for k, v := range program {
		bad[k] = v
	}
	bad.Set("total_years", "九年")
	r := pwebExpect(t, w.officer.Post("/regional/programs", bad), http.StatusBadRequest, "program with a bad number")
	pwebContains(t, r, "bad program", "義務年限を数字で入力してください")
	r = pwebExpect(t, w.officer.Post("/regional/programs", program), http.StatusSeeOther, "create program")
	w.program = strings.TrimPrefix(r.Location, "/regional/programs/")
	r = pwebExpect(t, w.officer.Get(r.Location), http.StatusOK, "program page")
	pwebContains(t, r, "program page", "内科・総合診療", "育児（24か月まで）", "プログラムを編集する")
	// Coordinators read the rules, but may not change them.
	r = pwebExpect(t, w.cc.Get("/regional/programs/"+w.program), http.StatusOK, "program for the coordinator")
	if strings.Contains(r.Body, "プログラムを編集する") {
		t.Fatal("the coordinator is offered the program form")
	}
	pwebExpect(t, w.cc.Get("/regional/programs"), http.StatusNotFound, "programs page for a coordinator")

	pwebExpect(t, w.officer.Post("/regional/areas", url.Values{"code": {"33-01"}, "name": {"県南東部"}}), http.StatusSeeOther, "area")
	pwebExpect(t, w.officer.Post("/regional/areas", url.Values{"code": {"33-05"}, "name": {"真庭"}}), http.StatusSeeOther, "area")
	pwebExpect(t, w.officer.Get("/regional/areas?from=abc"), http.StatusBadRequest, "areas from a bad year")
	from := w.fy - 2
	r = pwebExpect(t, w.officer.Get("/regional/areas?from="+fyStr(from)), http.StatusOK, "areas")
	ids := regexp.MustCompile(`name="class_(\d+)_`+fyStr(from)+`"`).FindAllStringSubmatch(r.Body, -1)
	if len(ids) != 2 {
		t.Fatalf("area table: %d areas", len(ids))
	}
	w.south, w.nor = ids[0][1], ids[1][1]
	classes := url.Values{"from": {fyStr(from)}}
	for y := from; y < from+8; y++ {
		classes.Set("class_"+w.south+"_"+fyStr(y), "surplus")
		classes.Set("class_"+w.nor+"_"+fyStr(y), "shortage")
	}
	r = pwebExpect(t, w.officer.Post("/regional/areas/classes", classes), http.StatusSeeOther, "set classes")
	r = pwebExpect(t, w.officer.Get(r.Location), http.StatusOK, "areas again")
	pwebContains(t, r, "areas", "16件の区分を保存しました")
	classes.Set("class_"+w.nor+"_"+fyStr(from), "nowhere")
	pwebExpect(t, w.officer.Post("/regional/areas/classes", classes), http.StatusBadRequest, "a bad class")
	pwebExpect(t, w.otherOfficer.Post("/regional/areas/classes", classes), http.StatusBadRequest, "another prefecture's areas")

	// The coordinator enrols the doctor by e-mail.
	pwebExpect(t, w.cc.Get("/regional/enrollments"), http.StatusOK, "enrolments")
	r = pwebExpect(t, w.cc.Post("/regional/enrollments", url.Values{"program_id": {w.program}, "email": {"chiiki@example.jp"},
		"start_year": {"来年"}}), http.StatusBadRequest, "enrol with a bad year")
	pwebContains(t, r, "bad enrolment", "義務の開始年度を数字で入力してください")
	r = pwebExpect(t, w.cc.Post("/regional/enrollments", url.Values{"program_id": {w.program}, "email": {"nobody@example.jp"},
		"start_year": {fyStr(w.fy - 2)}}), http.StatusBadRequest, "enrol an unknown doctor")
	pwebContains(t, r, "unknown doctor", "アカウントが見つかりません")
	r = pwebExpect(t, w.cc.Post("/regional/enrollments", url.Values{"program_id": {w.program}, "email": {"Chiiki@Example.jp"},
		"start_year": {fyStr(w.fy - 2)}}), http.StatusSeeOther, "enrol")
	w.enrollment = r.Location
}

// ledger posts a ledger form with the enrolment's version as c sees it.
func (w *rwebWorld) ledger(t *testing.T, c *apptest.Client, action string, form url.Values, status int, what string) *apptest.Response {
	t.Helper()
	form.Set("version", pwebFind(t, c.Get(w.enrollment), versionRE, what))
	return pwebExpect(t, c.Post(w.enrollment+action, form), status, what)
}

func TestRegionalPages(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newRWebWorld(t, env)
		w.setUp(t)
		fy := w.fy

		// The coordinator keeps the ledger: 初期研修 in a surplus area, then
		// a shortage area, then 専門研修 and 育児 this year.
		w.ledger(t, w.cc, "/placements", url.Values{"p_fiscal_year": {fyStr(fy - 2)}, "p_months": {"12"}, "p_institution": {"岡山中央病院"},
			"p_area_code": {"33-01"}, "p_training_stage": {"junior_resident"}}, http.StatusSeeOther, "first year")
		w.ledger(t, w.cc, "/placements", url.Values{"p_fiscal_year": {fyStr(fy - 1)}, "p_months": {"12"}, "p_institution": {"真庭中央病院"},
			"p_area_code": {"33-05"}, "p_training_stage": {"junior_resident"}}, http.StatusSeeOther, "second year")
		r := w.ledger(t, w.cc, "/placements", url.Values{"p_fiscal_year": {fyStr(fy)}, "p_months": {"六"}, "p_institution": {"真庭中央病院"},
			"p_area_code": {"33-05"}}, http.StatusBadRequest, "months not a number")
		pwebContains(t, r, "bad months", "月数を1〜12の数字で入力してください")
		r = w.ledger(t, w.cc, "/placements", url.Values{"p_fiscal_year": {"1800"}, "p_months": {"6"}, "p_institution": {"真庭中央病院"},
			"p_area_code": {"33-05"}}, http.StatusBadRequest, "a year out of range")
		pwebContains(t, r, "bad year", `id="p_fiscal_year"`)
		r = w.ledger(t, w.cc, "/placements", url.Values{"p_fiscal_year": {fyStr(fy)}, "p_months": {"6"}, "p_institution": {"真庭中央病院"},
			"p_area_code": {"33-05"}, "p_training_stage": {"specialty_resident"}, "p_specialty": {"小児科"}}, http.StatusBadRequest, "a specialty outside the program")
		pwebContains(t, r, "restricted specialty", "対象診療科")
		w.ledger(t, w.cc, "/placements", url.Values{"p_fiscal_year": {fyStr(fy)}, "p_months": {"6"}, "p_institution": {"真庭中央病院"},
			"p_area_code": {"33-05"}, "p_training_stage": {"specialty_resident"}, "p_specialty": {"内科"}}, http.StatusSeeOther, "this year")
		w.ledger(t, w.cc, "/suspensions", url.Values{"s_fiscal_year": {fyStr(fy)}, "s_months": {"6"}, "s_reason": {"childcare"},
			"s_note": {"育児休業"}}, http.StatusSeeOther, "childcare")
		// A form sent from a stale page is a conflict that offers to reload.
		r = pwebExpect(t, w.cc.Post(w.enrollment+"/suspensions", url.Values{"version": {"1"}, "s_fiscal_year": {fyStr(fy + 1)},
			"s_months": {"3"}, "s_reason": {"childcare"}}), http.StatusConflict, "stale ledger form")
		pwebContains(t, r, "conflict", "他の方が先に更新しました", "最新の状態を読み込む")

		r = pwebExpect(t, w.cc.Get(w.enrollment), http.StatusOK, "enrolment page")
		pwebContains(t, r, "enrolment", "地域 太郎さんの義務履行台帳", "真庭（医師少数区域）", "育児", `<svg`, "勤務済み", "完了見込み", "離脱を記録する")
		r = pwebExpect(t, w.cc.Get("/regional/enrollments"), http.StatusOK, "coordinator's list")
		pwebContains(t, r, "list", "地域 太郎", "ob-", "勤務済み")
		status := pwebFind(t, r, `<span class="badge ob-([a-z_]+)">`, "status badge")
		r = pwebExpect(t, w.cc.Get("/regional/enrollments?status="+status), http.StatusOK, "filtered list")
		pwebContains(t, r, "filtered", "地域 太郎")
		other := "completed"
		if status == other {
			other = "left"
		}
		r = pwebExpect(t, w.cc.Get("/regional/enrollments?status="+other), http.StatusOK, "filtered out")
		if strings.Contains(r.Body, "地域 太郎") {
			t.Fatalf("status %s lists a doctor whose status is %s", other, status)
		}
		pwebExpect(t, w.cc.Get("/regional/enrollments?status=bogus"), http.StatusBadRequest, "a bad status")
		r = pwebExpect(t, w.officer.Get("/regional/enrollments"), http.StatusOK, "officer's list")
		pwebContains(t, r, "officer list", "地域 太郎", "県全体")

		// A removal asks first, then is recorded.
		removal := pwebFind(t, w.cc.Get(w.enrollment), `href="(/regional/enrollments/\d+/entries/suspension/\d+/remove)"`, "remove link")
		r = pwebExpect(t, w.cc.Get(removal), http.StatusOK, "confirm removal")
		pwebContains(t, r, "confirm", "この記録を削除する")
		pwebExpect(t, w.doc.Get(removal), http.StatusForbidden, "the doctor asks to remove")

		// The doctor reads their ledger but cannot write it.
		r = pwebExpect(t, w.doc.Get("/me/obligation"), http.StatusOK, "my obligation")
		pwebContains(t, r, "my obligation", "岡山県地域枠", `href="/me/obligation"`)
		r = pwebExpect(t, w.doc.Get(w.enrollment), http.StatusOK, "doctor's ledger")
		if strings.Contains(r.Body, "/placements\"") || strings.Contains(r.Body, "離脱を記録する") {
			t.Fatal("the doctor is offered the ledger forms")
		}
		r = w.doc.Post(w.enrollment+"/placements", url.Values{"version": {"5"}, "p_fiscal_year": {fyStr(fy)}, "p_months": {"1"},
			"p_institution": {"x"}, "p_area_code": {"33-05"}})
		if r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
			t.Fatalf("the doctor adds a placement: %d", r.Status)
		}
		pwebExpect(t, w.otherDoc.Get("/me/obligation"), http.StatusOK, "no enrolment")

		// The doctor drafts a plan: an impossible draft shows its problems
		// next to its rows without being saved.
		r = pwebExpect(t, w.doc.Get(w.enrollment+"/plans/new"), http.StatusOK, "new plan")
		pwebContains(t, r, "new plan", "チェックする", "保存する")
		eid := strings.TrimPrefix(w.enrollment, "/regional/enrollments/")
		draft := url.Values{"enrollment_id": {eid}, "plan_id": {"0"}, "name": {"無理な案"}, "rows": {"6"}}
		for i := range 5 {
			n := strconv.Itoa(i)
			draft.Set("year_"+n, fyStr(fy+1+i))
			draft.Set("kind_"+n, "suspension")
			draft.Set("months_"+n, "12")
			draft.Set("reason_"+n, "childcare")
		}
		draft.Set("year_5", fyStr(fy+6))
		draft.Set("kind_5", "service")
		draft.Set("months_5", "12")
		draft.Set("class_5", "shortage")
		draft.Set("specialty_5", "小児科")
		r = pwebExpect(t, w.doc.Post("/regional/plans/check", draft), http.StatusOK, "check an impossible plan")
		pwebContains(t, r, "check", "問題が", "満たせません", "上限", "対象診療科", "row-problems", "保存していない下書き")
		bad := url.Values{}
		for k, v := range draft {
			bad[k] = v
		}
		bad.Set("months_2", "十二")
		r = pwebExpect(t, w.doc.Post("/regional/plans/check", bad), http.StatusBadRequest, "check with a bad number")
		pwebContains(t, r, "bad check", "月数を1〜12の数字で入力してください")
		pwebExpect(t, w.doc.Post(w.enrollment+"/plans", bad), http.StatusBadRequest, "save with a bad number")
		pwebExpect(t, w.otherDoc.Post("/regional/plans/check", draft), http.StatusNotFound, "another doctor checks")
		r = pwebExpect(t, w.doc.Get("/me/obligation"), http.StatusOK, "no plan saved yet")
		pwebContains(t, r, "no plan", "計画はまだありません")

		// Two plans are saved and compared side by side.
		plan := func(name string, childcare bool) url.Values {
			v := url.Values{"name": {name}, "rows": {"8"}}
			for i := range 7 {
				n := strconv.Itoa(i)
				v.Set("year_"+n, fyStr(fy+1+i))
				v.Set("kind_"+n, "service")
				v.Set("months_"+n, "12")
				v.Set("class_"+n, "shortage")
				v.Set("area_"+n, "33-05")
				v.Set("specialty_"+n, "内科")
			}
			if childcare {
				v.Set("kind_1", "suspension")
				v.Set("reason_1", "childcare")
			}
			return v
		}
		r = pwebExpect(t, w.doc.Post(w.enrollment+"/plans", plan("A案", false)), http.StatusSeeOther, "save plan A")
		planA := r.Location
		r = pwebExpect(t, w.doc.Get(planA), http.StatusOK, "plan A")
		pwebContains(t, r, "plan A", "A案", "チェック結果", "完了見込み")
		r = pwebExpect(t, w.cc.Post(w.enrollment+"/plans", plan("B案（育児）", true)), http.StatusSeeOther, "the coordinator saves plan B")
		planB := r.Location
		a, b := strings.TrimPrefix(planA, "/regional/plans/"), strings.TrimPrefix(planB, "/regional/plans/")
		r = pwebExpect(t, w.doc.Get(w.enrollment+"/compare?a="+a+"&b="+b), http.StatusOK, "compare")
		pwebContains(t, r, "compare", "A案", "B案(育児)", "完了見込み", "育児")
		pwebExpect(t, w.doc.Get(w.enrollment+"/compare?a=x&b="+b), http.StatusBadRequest, "compare a bad id")
		r = pwebExpect(t, w.doc.Post(w.enrollment+"/plans", plan("A案", false)), http.StatusBadRequest, "a duplicate name")
		pwebContains(t, r, "duplicate", "同じ名前の計画")

		// Saving from a stale editor is a conflict; the draft stays.
		edit := plan("A案（改）", false)
		edit.Set("version", "1")
		pwebExpect(t, w.doc.Post(planA, edit), http.StatusSeeOther, "save plan A again")
		r = pwebExpect(t, w.doc.Post(planA, edit), http.StatusConflict, "stale plan")
		pwebContains(t, r, "stale plan", "最新の計画を読み込む", "A案（改）")

		// Nobody else sees the enrolment, its plans or the comparison.
		for name, c := range map[string]*apptest.Client{"other prefecture": w.otherOfficer, "other university": w.rcc, "other doctor": w.otherDoc} {
			for _, path := range []string{w.enrollment, planA, w.enrollment + "/compare?a=" + a + "&b=" + b, w.enrollment + "/plans/new", removal} {
				if r := c.Get(path); r.Status != http.StatusNotFound {
					t.Errorf("%s GET %s: %d, want 404", name, path, r.Status)
				}
			}
			r := c.Post(w.enrollment+"/suspensions", url.Values{"version": {"6"}, "s_fiscal_year": {fyStr(fy + 1)}, "s_months": {"1"}, "s_reason": {"childcare"}})
			if r.Status != http.StatusNotFound {
				t.Errorf("%s adds a suspension: %d", name, r.Status)
			}
		}
		r = pwebExpect(t, w.otherOfficer.Get("/regional/enrollments"), http.StatusOK, "other prefecture's list")
		if strings.Contains(r.Body, "地域 太郎") {
			t.Error("another prefecture lists the doctor")
		}
		pwebExpect(t, w.otherOfficer.Get("/regional/programs?org="+itoa(w.pref)), http.StatusNotFound, "another prefecture's programs")

		// The officer reads the plans (they feed the placement) but does not edit them.
		r = pwebExpect(t, w.officer.Get(planA), http.StatusOK, "officer reads a plan")
		if strings.Contains(r.Body, `formaction="/regional/plans/check"`) {
			t.Error("the officer is offered the plan editor")
		}

		// The removal, then 離脱.
		r = pwebExpect(t, w.cc.Post(removal, url.Values{"confirm": {"yes"}, "version": {pwebFind(t, w.cc.Get(w.enrollment), versionRE, "removal")}}),
			http.StatusSeeOther, "remove the suspension")
		r = pwebExpect(t, w.cc.Get(r.Location), http.StatusOK, "after removal")
		pwebContains(t, r, "removed", "削除しました")
		w.ledger(t, w.cc, "/departure", url.Values{"on": {"2026/13/40"}, "reason": {"x"}}, http.StatusBadRequest, "a bad date")
		w.ledger(t, w.cc, "/departure", url.Values{"on": {env.Clock.Now().Format("2006-01-02")}, "reason": {"県外の病院へ転職"},
			"consented": {"1"}}, http.StatusSeeOther, "departure")
		r = pwebExpect(t, w.doc.Get("/me/obligation"), http.StatusOK, "after departure")
		pwebContains(t, r, "left", "ob-left", "離脱")
		r = pwebExpect(t, w.cc.Get("/dashboard"), http.StatusOK, "coordinator's dashboard")
		pwebContains(t, r, "dashboard", "地域枠の医師", "離脱 1人")
		r = pwebExpect(t, w.officer.Get("/dashboard"), http.StatusOK, "officer's dashboard")
		pwebContains(t, r, "officer dashboard", "キャリア形成プログラム", "医療圏と区分")
		r = pwebExpect(t, w.doc.Get("/dashboard"), http.StatusOK, "doctor's dashboard")
		pwebContains(t, r, "doctor dashboard", "地域枠の義務と計画")
	})
}
