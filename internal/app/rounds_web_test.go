package app_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
)

// staffClient signs in an institution's staff member with a second factor.
func staffClient(t *testing.T, env *apptest.Env, email, name string, org int64) *apptest.Client {
	t.Helper()
	u := env.User(email, name, identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: org})
	c := env.Client()
	c.Login(email, env.EnableTOTP(u))
	return c
}

// dueIn writes a deadline d from now as the round form takes it (JST, to
// the minute).
func dueIn(env *apptest.Env, d time.Duration) string {
	return env.Clock.Now().Add(d).In(time.FixedZone("JST", 9*60*60)).Format("2006-01-02T15:04")
}

// TestRoundPages runs a placement round through the pages: the officer
// opens it, the doctors submit lists (one refused with the reason on the
// offending choice), the hospitals rank, the run is refused before the
// rankings' deadline and runs after it, the officer previews and
// publishes, the doctors see their placement and why not a higher choice,
// and the placement is in the ledger.
func TestRoundPages(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newRWebWorld(t, env)
		w.setUp(t)
		fy := w.fy
		city := env.Org(identity.OrgInstitution, "岡山市民病院")
		rural := env.Org(identity.OrgInstitution, "真庭中央病院")
		cityStaff := staffClient(t, env, "staff@city.example.jp", "市民 受付", city)
		ruralStaff := staffClient(t, env, "staff@maniwa.example.jp", "真庭 受付", rural)
		peer := env.Client()
		env.User("peer@example.jp", "未登録 医師", identity.Grant{Role: identity.RoleDoctor})
		peer.Login("peer@example.jp", "")

		// The other doctor is enrolled too; the doctor's plan puts next
		// year in a shortage area.
		pwebExpect(t, w.cc.Post("/regional/enrollments", url.Values{"program_id": {w.program}, "email": {"other@example.jp"},
			"start_year": {fyStr(fy - 2)}}), http.StatusSeeOther, "enrol the other doctor")
		plan := url.Values{"name": {"A案"}, "rows": {"8"}}
		for i := range 7 {
			n := strconv.Itoa(i)
			plan.Set("year_"+n, fyStr(fy+1+i))
			plan.Set("kind_"+n, "service")
			plan.Set("months_"+n, "12")
			plan.Set("class_"+n, "shortage")
			plan.Set("area_"+n, "33-05")
			plan.Set("specialty_"+n, "内科")
		}
		pwebExpect(t, w.doc.Post(w.enrollment+"/plans", plan), http.StatusSeeOther, "the doctor's plan")

		// The officer opens the round; a bad form keeps its rows.
		r := pwebExpect(t, w.officer.Get("/regional/rounds"), http.StatusOK, "rounds page")
		pwebContains(t, r, "rounds page", "新しい配置を開く", "FDA", "岡山市民病院", "真庭")
		pwebExpect(t, w.cc.Get("/regional/rounds"), http.StatusNotFound, "rounds page for a coordinator")
		round := url.Values{"fiscal_year": {fyStr(fy + 1)}, "name": {"来年度の配置"}, "program_id": {w.program}, "mechanism": {"fda"},
			"lists_due": {dueIn(env, 20*time.Minute)}, "rankings_due": {dueIn(env, 25*time.Minute)},
			"inst_rows": {"4"}, "inst_org_0": {itoa(city)}, "inst_area_0": {w.south}, "inst_capacity_0": {"2"},
			"inst_org_2": {itoa(rural)}, "inst_area_2": {w.nor}, "inst_capacity_2": {"1"}, "inst_specialties_2": {"内科", "総合診療"},
			"cap_rows": {"2"}, "cap_area_0": {w.south}, "cap_0": {"2"}}
		bad := url.Values{}
		for k, v := range round {
			bad[k] = v
		}
		bad.Set("inst_capacity_2", "一")
		r = pwebExpect(t, w.officer.Post("/regional/rounds", bad), http.StatusBadRequest, "a capacity not a number")
		pwebContains(t, r, "bad capacity", "定員を数字で入力してください", `id="inst_capacity_1"`, `name="inst_org_1"`)
		bad.Set("inst_capacity_2", "0")
		r = pwebExpect(t, w.officer.Post("/regional/rounds", bad), http.StatusBadRequest, "a capacity of zero")
		pwebContains(t, r, "zero capacity", "定員は1〜")
		if !strings.Contains(r.Body, `inst_capacity_1-error`) && !strings.Contains(between(r.Body, `id="inst_capacity_1"`, "</td>"), "定員は") {
			t.Fatal("the capacity message is not on the second row")
		}
		r = pwebExpect(t, w.officer.Post("/regional/rounds", round), http.StatusSeeOther, "open the round")
		roundPath := r.Location
		id := strings.TrimPrefix(roundPath, "/regional/rounds/")
		r = pwebExpect(t, w.officer.Get(roundPath), http.StatusOK, "round page")
		pwebContains(t, r, "round page", "来年度の配置", "受付中", "真庭中央病院", "内科・総合診療", "提出された希望", "0人",
			"が過ぎるまで実行できません", "設定を変更する", "round.csv")
		pwebExpect(t, w.otherOfficer.Get(roundPath), http.StatusNotFound, "another prefecture's officer")
		if s := cityStaff.Get(roundPath).Status; s != http.StatusNotFound && s != http.StatusForbidden {
			t.Fatalf("a hospital's staff read the officer's page: %d", s)
		}

		// The doctor's list that breaks the plan is refused with the reason
		// next to the offending choice; the corrected list is accepted.
		r = pwebExpect(t, w.doc.Get("/me/rounds"), http.StatusOK, "my rounds")
		pwebContains(t, r, "my rounds", "来年度の配置", `href="/me/rounds/`+id+`"`)
		r = pwebExpect(t, w.doc.Get("/me/rounds/"+id), http.StatusOK, "my round")
		pwebContains(t, r, "my round", "第1希望", "第2希望", "希望を提出する")
		r = pwebExpect(t, w.doc.Post("/me/rounds/"+id+"/list", url.Values{"choice_1": {itoa(city)}, "choice_2": {itoa(rural)}}),
			http.StatusBadRequest, "a list against the plan")
		pwebContains(t, r, "refused list", "希望を提出できません")
		if msg := between(r.Body, `id="choice_1-error">`, "</p>"); !strings.Contains(msg, "医師少数区域ではありません") || !strings.Contains(msg, "A案") {
			t.Fatalf("the reason is not next to the first choice: %q", msg)
		}
		pwebExpect(t, w.doc.Post("/me/rounds/"+id+"/list", url.Values{"choice_1": {itoa(rural)}}), http.StatusSeeOther, "the doctor's list")
		r = pwebExpect(t, w.doc.Get("/me/rounds/"+id), http.StatusOK, "my round after the list")
		pwebContains(t, r, "submitted list", "提出した希望", "真庭中央病院", "希望を出し直す")
		pwebExpect(t, w.otherDoc.Post("/me/rounds/"+id+"/list", url.Values{"choice_1": {itoa(rural)}, "choice_3": {itoa(city)}}),
			http.StatusSeeOther, "the other doctor's list, with a gap")
		pwebExpect(t, peer.Get("/me/rounds/"+id), http.StatusNotFound, "a doctor not in the program")
		pwebExpect(t, peer.Post("/me/rounds/"+id+"/list", url.Values{"choice_1": {itoa(rural)}}), http.StatusNotFound, "a list from outside")

		// The hospitals rank the doctors who listed them.
		r = pwebExpect(t, cityStaff.Get("/institution/rounds"), http.StatusOK, "the hospital's rounds")
		pwebContains(t, r, "hospital rounds", "来年度の配置")
		r = pwebExpect(t, ruralStaff.Get("/institution/rounds/"+id), http.StatusOK, "ranking page")
		pwebContains(t, r, "ranking page", "地域 太郎", "別 医師", "1位", "2位", "順位を提出する")
		docID := pwebFind(t, r, `<option value="(\d+)">地域 太郎`, "the doctor's option")
		otherID := pwebFind(t, r, `<option value="(\d+)">別 医師`, "the other doctor's option")
		r = pwebExpect(t, ruralStaff.Post("/institution/rounds/"+id+"/ranking", url.Values{"org": {itoa(rural)},
			"rank_1": {docID}, "rank_2": {docID}}), http.StatusBadRequest, "a doctor twice")
		pwebContains(t, r, "duplicate", "同じ医師が重複しています")
		pwebExpect(t, ruralStaff.Post("/institution/rounds/"+id+"/ranking", url.Values{"org": {itoa(rural)},
			"rank_1": {docID}, "rank_2": {otherID}}), http.StatusSeeOther, "the rural ranking")
		r = pwebExpect(t, cityStaff.Get("/institution/rounds/"+id), http.StatusOK, "city ranking page")
		if strings.Contains(r.Body, "地域 太郎") {
			t.Fatal("the city hospital sees a doctor who did not list it")
		}
		pwebExpect(t, cityStaff.Post("/institution/rounds/"+id+"/ranking", url.Values{"org": {itoa(city)}, "rank_1": {otherID}}),
			http.StatusSeeOther, "the city ranking")
		pwebExpect(t, cityStaff.Post("/institution/rounds/"+id+"/ranking", url.Values{"org": {itoa(rural)}, "rank_1": {otherID}}),
			http.StatusNotFound, "ranking for another hospital")

		// The run waits for the rankings' deadline.
		version := pwebFind(t, w.officer.Get(roundPath), versionRE, "round version")
		r = pwebExpect(t, w.officer.Post(roundPath+"/run", url.Values{"version": {version}}), http.StatusBadRequest, "run too early")
		pwebContains(t, r, "early run", "医療機関の順位の提出期限", "が過ぎてから実行してください")
		env.Clock.Advance(26 * time.Minute)
		r = pwebExpect(t, w.doc.Post("/me/rounds/"+id+"/list", url.Values{"choice_1": {itoa(rural)}}), http.StatusBadRequest, "a late list")
		pwebContains(t, r, "late list", "希望の提出期限")
		r = pwebExpect(t, w.officer.Get(roundPath), http.StatusOK, "round after the deadline")
		pwebContains(t, r, "after deadline", "実行する")
		pwebExpect(t, w.officer.Post(roundPath+"/run", url.Values{"version": {"0"}}), http.StatusConflict, "a stale run")
		r = pwebExpect(t, w.officer.Post(roundPath+"/run", url.Values{"version": {version}}), http.StatusSeeOther, "run")
		r = pwebExpect(t, w.officer.Get(roundPath), http.StatusOK, "preview")
		pwebContains(t, r, "preview", "結果のプレビュー", "医療圏ごとの充足", "診療科ごとの充足", "<svg", "方式の比較",
			"この配置の方式", "JRMP", "未配置の医師（0人）", "第2希望", "公開する")
		r = pwebExpect(t, w.doc.Get("/me/rounds/"+id), http.StatusOK, "doctor before publication")
		if strings.Contains(r.Body, "あなたの配置") {
			t.Fatal("the doctor sees the result before publication")
		}

		// Publication needs the confirmation, then writes the ledgers.
		version = pwebFind(t, w.officer.Get(roundPath), versionRE, "round version after the run")
		pwebExpect(t, w.officer.Post(roundPath+"/publish", url.Values{"version": {version}}), http.StatusBadRequest, "publish unconfirmed")
		r = pwebExpect(t, w.officer.Post(roundPath+"/publish", url.Values{"version": {version}, "confirm": {"yes"}}), http.StatusSeeOther, "publish")
		r = pwebExpect(t, w.officer.Get(r.Location), http.StatusOK, "published round")
		pwebContains(t, r, "published", "公開済み", "2人の配置を義務履行台帳に記録しました", "result.csv")
		if strings.Contains(r.Body, "設定を変更する") || strings.Contains(r.Body, "実行する</button>") || strings.Contains(r.Body, "台帳への記録をやり直す") {
			t.Fatal("a published round offers its settings, run or publish form")
		}
		r = pwebExpect(t, w.officer.Get(roundPath+"/result.csv"), http.StatusOK, "result CSV")
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") || !strings.Contains(r.Body, "真庭中央病院") || !strings.Contains(r.Body, "地域 太郎") {
			t.Fatalf("result CSV: %q %q", r.Header.Get("Content-Type"), r.Body)
		}
		r = pwebExpect(t, w.officer.Get(roundPath+"/round.csv"), http.StatusOK, "round CSV")
		pwebContains(t, r, "round CSV", "岡山市民病院", "真庭中央病院")
		pwebExpect(t, cityStaff.Get(roundPath+"/result.csv"), http.StatusForbidden, "result CSV for a hospital")

		// Each doctor sees their placement and why not a higher choice.
		r = pwebExpect(t, w.doc.Get("/me/rounds/"+id), http.StatusOK, "the doctor's placement")
		pwebContains(t, r, "placement", "あなたの配置", "真庭中央病院", "第1希望に配置されました")
		r = pwebExpect(t, w.otherDoc.Get("/me/rounds/"+id), http.StatusOK, "the other doctor's placement")
		pwebContains(t, r, "other placement", "岡山市民病院", "第2希望", "第1希望の真庭中央病院", "枠（1人）")
		if strings.Contains(r.Body, "地域 太郎") {
			t.Fatal("a doctor's explanation names another doctor")
		}
		r = pwebExpect(t, ruralStaff.Get("/institution/rounds/"+id), http.StatusOK, "placed with the hospital")
		pwebContains(t, r, "placed", "配置された医師", "地域 太郎")

		// The placement is in the doctor's ledger.
		r = pwebExpect(t, w.cc.Get(w.enrollment), http.StatusOK, "ledger after publication")
		pwebContains(t, r, "ledger", fyStr(fy+1)+"年度", "真庭中央病院")
	})
}
