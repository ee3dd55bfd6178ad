package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
)

// TestRecordPages writes and reads 面談記録 through the pages: the CC
// office writes about the doctor it follows, health topics wait for the
// doctor's consent, every read shows the audit notice and lands in the
// doctor's trail, and the prefecture reads the office's records only while
// a sharing agreement is in force.
func TestRecordPages(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newRWebWorld(t, env)
		w.setUp(t)
		adminUser := env.User("admin@okayama-u.example.jp", "センター 長", identity.Grant{Role: identity.RoleCoordinator, OrgID: w.univ, OrgAdmin: true})
		admin := env.Client()
		admin.Login("admin@okayama-u.example.jp", env.EnableTOTP(adminUser))

		r := pwebExpect(t, w.cc.Get(w.enrollment), http.StatusOK, "enrolment page")
		records := pwebFind(t, r, `href="(/regional/records\?doctor=\d+)"`, "records link")
		r = pwebExpect(t, w.cc.Get(records), http.StatusOK, "records page")
		pwebContains(t, r, "records page", "地域 太郎さんの面談記録", "新しい面談記録", "面談記録はまだありません", "キャリア", "同意がないため")
		if strings.Contains(r.Body, `value="health"`) {
			t.Fatal("the health topic is offered without the doctor's consent")
		}
		pwebExpect(t, w.rcc.Get(records), http.StatusNotFound, "another CC office's coordinator")
		pwebExpect(t, w.doc.Get(records), http.StatusNotFound, "the doctor on the coordinators' page")

		doctor := strings.TrimPrefix(records, "/regional/records?doctor=")
		form := url.Values{"doctor": {doctor}, "held_on": {env.Clock.Now().Format("2006-01-02")}, "mode": {"online"},
			"attendee_0": {"支援 花子"}, "attendee_1": {"地域 太郎"}, "topics": {"career", "obligation"},
			"notes": {"来年度は真庭で内科を希望。"}, "agreed_actions": {"次回までに専門研修プログラムを比較する"}}
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("held_on", "昨日")
		r = pwebExpect(t, w.cc.Post("/regional/records", bad), http.StatusBadRequest, "a bad date")
		pwebContains(t, r, "bad date", "面談日を YYYY-MM-DD の形式で入力してください", "来年度は真庭で内科を希望。")
		bad.Set("held_on", form.Get("held_on"))
		bad["topics"] = []string{"career", "health"}
		r = pwebExpect(t, w.cc.Post("/regional/records", bad), http.StatusBadRequest, "health without consent")
		pwebContains(t, r, "no consent", "医師本人の同意が必要です")
		r = pwebExpect(t, w.cc.Post("/regional/records", form), http.StatusSeeOther, "write a record")
		r = pwebExpect(t, w.cc.Get(r.Location), http.StatusOK, "records after writing")
		recordPath := "/regional/records/" + pwebFind(t, r, `href="/regional/records/(\d+)"`, "record link")
		if strings.Contains(r.Body, "来年度は真庭で内科を希望") {
			t.Fatal("the list shows a record's content")
		}

		// Reading shows the audit notice; the doctor sees who read it.
		r = pwebExpect(t, w.cc.Get(recordPath), http.StatusOK, "record page")
		pwebContains(t, r, "record", "この閲覧は監査ログに記録されました", "医師本人は", "来年度は真庭で内科を希望。",
			"専門研修プログラムを比較する", "オンライン", "支援 花子、地域 太郎", "記録を編集する")
		pwebExpect(t, w.rcc.Get(recordPath), http.StatusNotFound, "another office reads the record")
		pwebExpect(t, w.otherDoc.Get(recordPath), http.StatusNotFound, "another doctor reads the record")
		r = pwebExpect(t, w.doc.Get("/me/records"), http.StatusOK, "the doctor's trail")
		pwebContains(t, r, "trail", "誰がいつ、どの面談記録を閲覧したか", "支援 花子", "岡山大学 キャリア支援センター")
		r = pwebExpect(t, w.otherDoc.Get("/me/records"), http.StatusOK, "another doctor's trail")
		if strings.Contains(r.Body, "支援 花子") {
			t.Fatal("another doctor sees the doctor's trail")
		}

		// The edit is versioned.
		edit := url.Values{}
		for k, v := range form {
			edit[k] = v
		}
		edit.Set("notes", "来年度は真庭で内科。総合診療も検討。")
		edit.Set("version", "0")
		r = pwebExpect(t, w.cc.Post(recordPath, edit), http.StatusConflict, "a stale edit")
		pwebContains(t, r, "conflict", "他の方が先に更新しました", "最新の内容を読み込む")
		edit.Set("version", pwebFind(t, w.cc.Get(recordPath), versionRE, "record version"))
		r = pwebExpect(t, w.cc.Post(recordPath, edit), http.StatusSeeOther, "edit the record")
		r = pwebExpect(t, w.cc.Get(r.Location), http.StatusOK, "edited record")
		pwebContains(t, r, "edited", "総合診療も検討", "版 2")

		// The doctor consents to health topics with the CC office.
		r = pwebExpect(t, w.doc.Post("/me/records/consents/"+itoa(w.univ), url.Values{"consent": {"give"}}), http.StatusSeeOther, "consent")
		r = pwebExpect(t, w.doc.Get(r.Location), http.StatusOK, "consents")
		pwebContains(t, r, "consent", "同意しています", "同意を撤回する")
		pwebExpect(t, w.doc.Post("/me/records/consents/"+itoa(w.otherPref), url.Values{"consent": {"give"}}), http.StatusNotFound,
			"consent to an organisation that does not follow the doctor")
		r = pwebExpect(t, w.cc.Get(records), http.StatusOK, "records with consent")
		pwebContains(t, r, "health offered", `value="health"`, "健康に関する記録")

		// Without an agreement the prefecture does not read the office's
		// record; with one it does, and the doctor sees it; revoked, not.
		pwebExpect(t, w.officer.Get(recordPath), http.StatusNotFound, "the officer without an agreement")
		pwebExpect(t, w.cc.Get("/orgs/"+itoa(w.univ)+"/agreements"), http.StatusForbidden, "agreements for a non-administrator")
		r = pwebExpect(t, admin.Get("/dashboard"), http.StatusOK, "the administrator's dashboard")
		pwebContains(t, r, "dashboard", "面談記録の共有", `href="/orgs/`+itoa(w.univ)+`/agreements"`)
		r = pwebExpect(t, admin.Get("/orgs/"+itoa(w.univ)+"/agreements"), http.StatusOK, "agreements page")
		pwebContains(t, r, "agreements", "有効な取り決めはありません", "岡山県", "都道府県担当者")
		agreement := url.Values{"partner_org_id": {itoa(w.pref)}, "roles": {"prefecture_officer"}, "topics": {"career", "obligation"}}
		r = pwebExpect(t, admin.Post("/orgs/"+itoa(w.univ)+"/agreements", agreement), http.StatusBadRequest, "no purpose")
		pwebContains(t, r, "no purpose", "共有の目的を1〜500文字で入力してください")
		agreement.Set("purpose", "義務年限の配置調整のため")
		r = pwebExpect(t, admin.Post("/orgs/"+itoa(w.univ)+"/agreements", agreement), http.StatusSeeOther, "make an agreement")
		r = pwebExpect(t, admin.Get(r.Location), http.StatusOK, "agreements after")
		pwebContains(t, r, "agreement", "岡山大学 キャリア支援センター → 岡山県", "義務年限の配置調整のため", "終了する")
		revoke := pwebFind(t, r, `action="(/orgs/\d+/agreements/\d+/revoke)"`, "revoke form")

		r = pwebExpect(t, w.officer.Get(recordPath), http.StatusOK, "the officer under the agreement")
		pwebContains(t, r, "shared record", "この閲覧は監査ログに記録されました", "総合診療も検討")
		if strings.Contains(r.Body, "記録を編集する") {
			t.Fatal("the partner is offered the edit form")
		}
		r = pwebExpect(t, w.doc.Get("/me/records"), http.StatusOK, "the doctor's trail after sharing")
		pwebContains(t, r, "trail", "県 担当", "都道府県担当者")

		pwebExpect(t, admin.Post(revoke, url.Values{}), http.StatusBadRequest, "revoke unconfirmed")
		pwebExpect(t, w.officer.Post(revoke, url.Values{"confirm": {"yes"}}), http.StatusForbidden, "the partner revokes")
		r = pwebExpect(t, admin.Post(revoke, url.Values{"confirm": {"yes"}}), http.StatusSeeOther, "revoke")
		r = pwebExpect(t, admin.Get(r.Location), http.StatusOK, "agreements after revoking")
		pwebContains(t, r, "revoked", "終了した取り決め", "有効な取り決めはありません")
		pwebExpect(t, w.officer.Get(recordPath), http.StatusNotFound, "the officer after the revocation")
	})
}
