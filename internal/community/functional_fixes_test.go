package community_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Prose is stored as typed (no NFKC), only cleaned; search still folds
// full-width and half-width latin alike.
func TestReviewProseStoredAsTyped(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner, w.planner)
		w.tags()
		q, err := w.svc.Ask(w.ctx, w.owner, community.QuestionInput{Title: "  ＷＥＢ予約？の\t導入  について教えてください ",
			Body: "（修正しました）\r\n２行目\x00です\r\n", Tags: []string{"集客"}})
		noErr(t, err)
		if q.Title != "ＷＥＢ予約？の 導入 について教えてください" || q.Body != "（修正しました）\n２行目です" {
			t.Errorf("stored title %q body %q, want them as typed", q.Title, q.Body)
		}
		if !slices.Equal(q.Tags, []string{"集患"}) {
			t.Errorf("tags = %v, want the synonym resolved", q.Tags)
		}
		got, err := w.svc.Post(w.ctx, w.planner, q.ID)
		noErr(t, err)
		if got.Title != q.Title || got.Body != q.Body {
			t.Errorf("read back title %q body %q", got.Title, got.Body)
		}
		half := w.ask(w.planner, "web問診の仕組みを知りたいです", false)
		c, err := w.svc.Comment(w.ctx, w.planner, q.ID, community.ReplyInput{Body: "Ｑ＆Ａ（補足）"})
		noErr(t, err)
		if c.Body != "Ｑ＆Ａ（補足）" {
			t.Errorf("comment = %q", c.Body)
		}
		r, err := w.svc.Report(w.ctx, w.planner, q.ID, community.ReportInput{Reason: community.ReasonOther, Note: "ＵＲＬが（宣伝）です"})
		noErr(t, err)
		if r.Note != "ＵＲＬが（宣伝）です" {
			t.Errorf("report note = %q", r.Note)
		}
		for _, query := range []string{"web", "ＷＥＢ", "Web"} {
			page, err := w.svc.Questions(w.ctx, w.owner, community.QuestionFilter{Query: query})
			noErr(t, err)
			var ids []int64
			for _, p := range page.Questions {
				ids = append(ids, p.ID)
			}
			if !slices.Contains(ids, q.ID) || !slices.Contains(ids, half.ID) {
				t.Errorf("search %q = %v, want %d and %d", query, ids, q.ID, half.ID)
			}
		}
	})
}

// The author's edit of a hidden post holds it for the moderators, who
// approve it (visible, announced to nobody again) or hide it again.
func TestReviewEditOfHiddenPostIsHeld(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.mod, w.owner, w.planner)
		q := w.ask(w.owner, "スタッフ募集の媒体について", false)
		a := w.answer(w.planner, q.ID, "○○クリニックの院長が言うには…", false)
		noErr(t, w.svc.ModeratePost(w.ctx, w.mod, a.ID, community.Moderate{Kind: community.ActHide, Reason: "他院の誹謗"}))
		before := len(w.notes(w.owner))

		hidden, err := w.svc.Post(w.ctx, w.planner, a.ID)
		noErr(t, err)
		e, err := w.svc.Edit(w.ctx, w.planner, a.ID, community.EditInput{Body: "求人媒体は2社を比べました。", Version: hidden.Version})
		noErr(t, err)
		if e.Status != community.PostHeld || e.StatusReason != community.RecheckReason {
			t.Fatalf("edit of a hidden post = %s %q, want held %q", e.Status, e.StatusReason, community.RecheckReason)
		}
		held, err := w.svc.HeldPosts(w.ctx, w.mod)
		noErr(t, err)
		if !slices.ContainsFunc(held, func(p community.PostView) bool { return p.ID == a.ID }) {
			t.Fatalf("held posts %v lack the edited post", held)
		}
		// Edited again while held, with the version the result gave.
		e, err = w.svc.Edit(w.ctx, w.planner, a.ID, community.EditInput{Body: "求人媒体は3社を比べました。", Version: e.Version})
		noErr(t, err)
		if e.Status != community.PostHeld {
			t.Errorf("second edit = %s", e.Status)
		}
		noErr(t, w.svc.ModeratePost(w.ctx, w.mod, a.ID, community.Moderate{Kind: community.ActApprovePost}))
		p, err := w.svc.Post(w.ctx, w.owner, a.ID)
		noErr(t, err)
		if p.Status != community.PostVisible || p.Body != "求人媒体は3社を比べました。" {
			t.Errorf("approved = %s %q", p.Status, p.Body)
		}
		if n := len(w.notes(w.owner)); n != before {
			t.Errorf("the asker was told of the answer again (%d new notifications)", n-before)
		}

		// Hidden again, edited, and hidden once more.
		noErr(t, w.svc.ModeratePost(w.ctx, w.mod, a.ID, community.Moderate{Kind: community.ActHide, Reason: "再度の誹謗"}))
		p, err = w.svc.Post(w.ctx, w.planner, a.ID)
		noErr(t, err)
		_, err = w.svc.Edit(w.ctx, w.planner, a.ID, community.EditInput{Body: "ほぼ同じ内容です。", Version: p.Version})
		noErr(t, err)
		noErr(t, w.svc.ModeratePost(w.ctx, w.mod, a.ID, community.Moderate{Kind: community.ActHide, Reason: "直っていません"}))
		if p, _ := w.svc.Post(w.ctx, w.planner, a.ID); p.Status != community.PostHidden {
			t.Errorf("hidden again = %s", p.Status)
		}
		if _, err := w.svc.Post(w.ctx, w.owner, a.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("another member reads the hidden post: %v", err)
		}
		// A moderator's edit of a hidden post leaves it hidden.
		p, _ = w.svc.Post(w.ctx, w.mod, a.ID)
		e, err = w.svc.Edit(w.ctx, w.mod, a.ID, community.EditInput{Body: "（モデレーターが削除しました）", Version: p.Version, Reason: "誹謗部分の削除"})
		noErr(t, err)
		if e.Status != community.PostHidden {
			t.Errorf("moderator's edit of a hidden post = %s, want hidden", e.Status)
		}
	})
}

// A silenced member reads, votes, accepts and reports, and posts nothing.
func TestReviewSilencedMemberReacts(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner, w.planner, w.owner2)
		q := w.ask(w.planner, "レセコンの入れ替え時期", false)
		a := w.answer(w.owner, q.ID, "5年ごとに見直しています。", false)
		a2 := w.answer(w.owner2, q.ID, "保守契約の更新時が目安です。", false)
		noErr(t, w.svc.SanctionMember(w.ctx, w.mod, w.planner.UserID, community.Sanction{Kind: community.ActSilence,
			Until: w.clock.Now().Add(7 * 24 * time.Hour), Reason: "マウント"}))

		th, err := w.svc.Thread(w.ctx, w.planner, q.ID)
		noErr(t, err)
		if c := th.Answers[0].Can; !c.Vote || !c.Accept || !c.Report || c.Comment || c.Answer {
			t.Errorf("silenced member's permissions = %+v", c)
		}
		noErr(t, w.svc.Vote(w.ctx, w.planner, a.ID, true))
		noErr(t, w.svc.Accept(w.ctx, w.planner, q.ID, a.ID, th.Question.Version))
		_, err = w.svc.Report(w.ctx, w.planner, a2.ID, community.ReportInput{Reason: community.ReasonHostile})
		noErr(t, err)

		_, err = w.svc.Ask(w.ctx, w.planner, community.QuestionInput{Title: "もう一つ質問があります", Body: "本文"})
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.Answer(w.ctx, w.planner, q.ID, community.ReplyInput{Body: "自己回答"})
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.Comment(w.ctx, w.planner, a.ID, community.ReplyInput{Body: "ありがとうございます"})
		wantCode(t, err, apperr.Forbidden)
		p, _ := w.svc.Post(w.ctx, w.planner, q.ID)
		_, err = w.svc.Edit(w.ctx, w.planner, q.ID, community.EditInput{Title: p.Title, Body: "追記", Version: p.Version})
		wantCode(t, err, apperr.Forbidden)
		_, _, err = w.svc.Invite(w.ctx, w.planner, community.InvitationInput{})
		wantCode(t, err, apperr.Forbidden)
		if st, _ := w.svc.Standing(w.ctx, w.planner); !st.CanRead || st.CanPost {
			t.Errorf("standing: CanRead=%v CanPost=%v", st.CanRead, st.CanPost)
		}
	})
}

// A company's contacts never see the moderators' note about it.
func TestReviewContactsDoNotSeeCompanyNote(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		co, err := w.svc.CreateCompany(w.ctx, w.mod, community.CompanyInput{Name: "白衣リース株式会社", Note: "前回の紹介で苦情あり。要注意。"})
		noErr(t, err)
		_, err = w.svc.AddContact(w.ctx, w.mod, co.ID, community.ContactInput{Email: "lease@example.jp", Name: "リース 担当"})
		noErr(t, err)
		u, err := w.db.UserByEmail(w.ctx, "lease@example.jp")
		noErr(t, err)
		contact := policy.Actor{UserID: u.ID}
		st, err := w.svc.Standing(w.ctx, contact)
		noErr(t, err)
		if st.Company == nil || st.Company.ID != co.ID || st.Company.Note != "" {
			t.Errorf("contact's standing company = %+v, want it without the note", st.Company)
		}
		ref, err := w.svc.MyReferrals(w.ctx, contact)
		noErr(t, err)
		if ref.Company.ID != co.ID || ref.Company.Note != "" {
			t.Errorf("contact's referrals company = %+v, want it without the note", ref.Company)
		}
		list, err := w.svc.Companies(w.ctx, w.mod)
		noErr(t, err)
		if i := slices.IndexFunc(list, func(r community.Referrals) bool { return r.Company.ID == co.ID }); i < 0 ||
			list[i].Company.Note != "前回の紹介で苦情あり。要注意。" {
			t.Errorf("moderators lost the note: %+v", list)
		}
	})
}

// Reporting twice, a taken tag word and a stale settings save say what
// happened.
func TestReviewClearConflictMessages(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner, w.planner)
		w.tags()
		q := w.ask(w.owner, "開業前の広告規制について", false)
		_, err := w.svc.Report(w.ctx, w.planner, q.ID, community.ReportInput{Reason: community.ReasonAdvertising})
		noErr(t, err)
		_, err = w.svc.Report(w.ctx, w.planner, q.ID, community.ReportInput{Reason: community.ReasonHostile})
		wantCode(t, err, apperr.Conflict)
		if msg := apperr.MessageOf(err); msg != "この投稿はすでに通報しています。モデレーターの対応をお待ちください。" {
			t.Errorf("second report message = %q", msg)
		}

		for _, tc := range []struct {
			in           community.TagInput
			field, words string
		}{
			{community.TagInput{Name: "集客", Category: community.TagTopic}, "name", "「集客」はタグ「集患」の名前か同義語として使われています。"},
			{community.TagInput{Name: "ＷＥＢ集患", Category: community.TagTopic, Synonyms: []string{"広告", "集患"}}, "synonyms",
				"「集患」はタグ「集患」の名前か同義語として使われています。"},
			{community.TagInput{Name: "人事", Category: community.TagTopic, Synonyms: []string{"労務"}}, "synonyms",
				"「労務」はタグ「労務」の名前か同義語として使われています。"},
		} {
			_, err := w.svc.SaveTag(w.ctx, w.mod, tc.in)
			wantField(t, err, tc.field)
			if msg := apperr.FieldsOf(err)[tc.field]; msg != tc.words {
				t.Errorf("SaveTag(%+v) %s = %q, want %q", tc.in, tc.field, msg, tc.words)
			}
		}
		// Renaming a tag to its own synonym is no collision.
		tags, err := w.svc.Tags(w.ctx, w.mod)
		noErr(t, err)
		i := slices.IndexFunc(tags, func(t community.Tag) bool { return t.Name == "集患" })
		_, err = w.svc.SaveTag(w.ctx, w.mod, community.TagInput{ID: tags[i].ID, Name: "集客", Category: community.TagTopic,
			Synonyms: []string{"集患"}})
		noErr(t, err)

		st, err := w.svc.Settings(w.ctx)
		noErr(t, err)
		first := *st
		first.HoldFirstPosts = 1
		_, err = w.svc.SaveSettings(w.ctx, w.mod, first)
		noErr(t, err)
		for name, version := range map[string]int{"stale": st.Version, "ahead": st.Version + 5} {
			s := *st
			s.Version = version
			_, err = w.svc.SaveSettings(w.ctx, w.admin, s)
			wantCode(t, err, apperr.Conflict)
			if msg := apperr.MessageOf(err); msg != "ほかのモデレーターが先に保存しました。再読み込みしてください。" {
				t.Errorf("%s settings save message = %q", name, msg)
			}
		}
	})
}

// An invitation with an address is e-mailed with the inviter, the note,
// the link and the expiry in JST.
func TestReviewInvitationMailed(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner)
		token, inv, err := w.svc.Invite(w.ctx, w.owner, community.InvitationInput{Email: "Friend@Example.jp",
			Note: "同期の田中です。\n一緒に参加しませんか。"})
		noErr(t, err)
		list, err := w.db.Deliveries(w.ctx, notify.DeliveryFilter{Limit: 1000})
		noErr(t, err)
		i := slices.IndexFunc(list, func(d notify.Delivery) bool { return d.Target == "friend@example.jp" })
		if i < 0 {
			t.Fatalf("no e-mail to the invitee: %+v", list)
		}
		if d := list[i]; d.Channel != notify.ChannelEmail || !strings.Contains(d.Subject, "開業 一郎") {
			t.Errorf("delivery = %+v", d)
		}
		job, err := w.db.QueuedJob(w.ctx, list[i].JobID)
		noErr(t, err)
		var m notify.Mail
		noErr(t, json.Unmarshal(job.Payload, &m))
		expiry := inv.ExpiresAt.In(career.JST).Format("2006年1月2日 15:04")
		for _, want := range []string{"開業 一郎", "同期の田中です。\r\n一緒に参加しませんか。",
			"https://hakui.example.jp/community/join/" + token, expiry} {
			if !strings.Contains(m.Text, want) {
				t.Errorf("invitation e-mail lacks %q:\n%s", want, m.Text)
			}
		}
		// Without an address nothing is sent.
		before := len(list)
		_, _, err = w.svc.Invite(w.ctx, w.owner, community.InvitationInput{Note: "リンクを送ります"})
		noErr(t, err)
		if list, _ := w.db.Deliveries(w.ctx, notify.DeliveryFilter{Limit: 1000}); len(list) != before {
			t.Errorf("an invitation without an address queued %d e-mails", len(list)-before)
		}
	})
}

// The digest leaves out what the member read in the app.
func TestReviewDigestSkipsRead(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner)
		w.clock.Advance(time.Hour)
		noErr(t, w.db.CreateNotification(w.ctx, &notify.Notification{UserID: w.owner.UserID, Kind: community.NoteAnswer,
			Title: "既読の回答", CreatedAt: w.clock.Now()}))
		noErr(t, w.db.MarkNotificationsRead(w.ctx, w.owner.UserID))
		w.clock.Advance(time.Minute)
		noErr(t, w.db.CreateNotification(w.ctx, &notify.Notification{UserID: w.owner.UserID, Kind: community.NoteComment,
			Title: "未読のコメント", CreatedAt: w.clock.Now()}))
		w.clock.Advance(24 * time.Hour)
		n, err := w.svc.SendDigests(w.ctx)
		noErr(t, err)
		if mails := w.mails("owner@example.jp"); n != 1 || len(mails) == 0 || mails[0] != "掲示板のお知らせ（1件）" {
			t.Errorf("digest = %d, mails %q, want one of 1件", n, mails)
		}
		// Everything read: no digest at all.
		noErr(t, w.db.CreateNotification(w.ctx, &notify.Notification{UserID: w.owner.UserID, Kind: community.NoteAnswer,
			Title: "読んだ回答", CreatedAt: w.clock.Now()}))
		noErr(t, w.db.MarkNotificationsRead(w.ctx, w.owner.UserID))
		w.clock.Advance(24 * time.Hour)
		if n, err := w.svc.SendDigests(w.ctx); err != nil || n != 0 {
			t.Errorf("digest of read notifications = %d, %v", n, err)
		}
	})
}

// The public overview shows no bucket of one or two members.
func TestReviewOverviewMergesSmallBuckets(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		tokyo := w.doctor("tokyo@example.jp", "東京 五郎", career.PracticeClinicOwner, "東京都", "内科", true)
		w.join(w.mod, w.owner, tokyo, w.planner, w.owner2, w.owner3)
		for _, a := range []policy.Actor{w.mod, w.owner, tokyo, w.planner, w.owner2} {
			st, err := w.svc.Standing(w.ctx, a)
			noErr(t, err)
			_, err = w.svc.SaveCard(w.ctx, a, community.CardInput{AgeBand: community.Age40s, ShareRegion: true, ShareSpecialty: true,
				ShareAge: a.UserID != w.owner2.UserID, SharePractice: true, Digest: community.DigestDaily, Version: st.Member.Version})
			noErr(t, err)
		}
		ov, err := w.svc.Overview(w.ctx)
		noErr(t, err)
		if got := fmt.Sprint(ov.ByRegion); got != "[{東京都 3} {非公開 1} {その他（3人未満） 2}]" {
			t.Errorf("by region = %s", got)
		}
		if got := fmt.Sprint(ov.BySpecialty); got != "[{非公開 1} {その他（3人未満） 5}]" {
			t.Errorf("by specialty = %s", got)
		}
		if got := fmt.Sprint(ov.ByAge); got != "[{40代 4} {非公開 2}]" {
			t.Errorf("by age = %s", got)
		}
		if ov.Members != 6 || fmt.Sprint(ov.ByGroup) != "[{開業医 5} {開業予定 1}]" {
			t.Errorf("members %d by group %v", ov.Members, ov.ByGroup)
		}
		cards, err := w.svc.Members(w.ctx, w.owner, community.MemberFilter{Region: "大阪府"})
		noErr(t, err)
		if len(cards) != 1 {
			t.Errorf("members in 大阪府 = %d, want the card kept", len(cards))
		}
	})
}

// The notice of a patient-data hide gives the reason once.
func TestReviewPrivateHideNotice(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner, w.planner)
		q := w.ask(w.owner, "患者さんからのクレーム対応", false)
		a := w.answer(w.planner, q.ID, "山田太郎さん（45歳）の件では…", false)
		a2 := w.answer(w.planner, q.ID, "先週来院した〇〇町の方が…", false)
		noErr(t, w.svc.ModeratePost(w.ctx, w.mod, a.ID, community.Moderate{Kind: community.ActHide, Private: true}))
		noErr(t, w.svc.ModeratePost(w.ctx, w.mod, a2.ID, community.Moderate{Kind: community.ActHide, Private: true,
			Reason: "住所と来院日で特定できます"}))
		notes := w.notes(w.planner)
		if len(notes) < 2 {
			t.Fatalf("notices = %+v", notes)
		}
		const why = "患者さんや個人を特定できる情報が含まれていたため、非表示にしました。"
		if b := notes[1].Body; b != why {
			t.Errorf("default private notice = %q, want %q", b, why)
		}
		if b := notes[0].Body; b != why+"\n理由: 住所と来院日で特定できます" {
			t.Errorf("private notice with a reason = %q", b)
		}
	})
}
