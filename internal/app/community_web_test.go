package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/community"
)

// TestCommunityPages walks the board's story through the pages: apply,
// approval with the verification shown, an invitation, a referral code
// counted for the company; an anonymous question, answers, acceptance; a
// report; a warning and a silence the author sees; and the silenced
// author's refusal.
func TestCommunityPages(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		ctx := context.Background()

		// Outsiders see the landing page: rules and counts, nothing of the board.
		r := pwebExpect(t, w.anonymous().Get("/community"), http.StatusOK, "anonymous landing")
		pwebContains(t, r, "anonymous landing", "参加している先生", "ルール", "マウント", "/login?next=%2Fcommunity")
		r = pwebExpect(t, w.unverified.c.Get("/community"), http.StatusOK, "unverified landing")
		pwebContains(t, r, "unverified landing", "いまは参加を申し込めません")
		if strings.Contains(r.Body, `href="/community/apply"`) {
			t.Fatal("an unverified doctor is offered the apply button")
		}
		pwebContains(t, pwebExpect(t, w.employed.c.Get("/community"), http.StatusOK, "employed landing"), "employed landing", "いまは参加を申し込めません")
		r = pwebExpect(t, w.contact.c.Get("/community"), http.StatusSeeOther, "company contact")
		if r.Location != "/community/company" {
			t.Fatalf("company contact sent to %q", r.Location)
		}
		pwebContains(t, pwebExpect(t, w.contact.c.Get("/community/company"), http.StatusOK, "referrals"), "referrals",
			"白衣メディカル株式会社", communityCompanyCode)
		pwebExpect(t, w.owner.c.Get("/community/company"), http.StatusNotFound, "a doctor's referrals")
		pwebExpect(t, w.unverified.c.Post("/community/apply", url.Values{"note": {"参加したいです"}}), http.StatusBadRequest, "unverified applies")

		// A verified clinic owner applies; the moderator sees the verification and approves.
		r = pwebExpect(t, w.owner.c.Get("/community"), http.StatusOK, "eligible landing")
		pwebContains(t, r, "eligible landing", `href="/community/apply"`)
		pwebExpect(t, w.owner.c.Post("/community/apply", url.Values{"note": {"内科クリニックを開業して3年です。"}}), http.StatusSeeOther, "apply")
		pwebContains(t, pwebExpect(t, w.owner.c.Get("/community"), http.StatusOK, "applied landing"), "applied landing", "承認待ち")
		// A doctor applies with the company's referral code, prefilled from the link.
		r = pwebExpect(t, w.planner2.c.Get("/community/apply?ref="+communityCompanyCode), http.StatusOK, "apply with ref")
		pwebContains(t, r, "apply with ref", `value="`+communityCompanyCode+`"`)
		r = pwebExpect(t, w.planner2.c.Post("/community/apply", url.Values{"referral_code": {"NO-SUCH-CODE"}, "note": {"よろしく"}}),
			http.StatusBadRequest, "unknown referral code")
		pwebContains(t, r, "unknown referral code", "紹介コードが見つかりません", "NO-SUCH-CODE", "よろしく")
		pwebExpect(t, w.planner2.c.Post("/community/apply", url.Values{"referral_code": {communityCompanyCode}}), http.StatusSeeOther, "apply with code")

		r = pwebExpect(t, w.mod.c.Get("/community/mod"), http.StatusOK, "moderation queue")
		pwebContains(t, r, "moderation queue", w.owner.Name(), w.planner2.Name(), "確認済み", "白衣メディカル株式会社")
		for _, d := range []*communityUser{w.owner, w.planner2} {
			version := pwebFind(t, r, `action="/community/mod/applications/`+itoa(d.ID())+`" novalidate>\s*<input type="hidden" name="form" value="[^"]+"><input type="hidden" name="version" value="(\d+)"`, "application version")
			pwebExpect(t, w.mod.c.Post("/community/mod/applications/"+itoa(d.ID()), url.Values{"decision": {"approve"}, "version": {version}}),
				http.StatusSeeOther, "approve "+d.Name())
		}
		r = pwebExpect(t, w.contact.c.Get("/community/company"), http.StatusOK, "referrals after joining")
		pwebContains(t, r, "referrals after joining", "紹介コードでの申し込み</dt><dd>1人", "参加中の先生</dt><dd>1人",
			env.Clock.Now().In(career.JST).Format("2006-01"))
		if strings.Contains(r.Body, w.planner2.Name()) {
			t.Fatal("the company sees who joined")
		}

		// The member invites another doctor, who joins at once.
		pwebContains(t, pwebExpect(t, w.owner.c.Get("/community"), http.StatusOK, "member board"), "member board", "質問一覧", "掲示板の状況")
		r = pwebExpect(t, w.owner.c.Post("/community/invitations", url.Values{"note": {"開業準備の話をしましょう。"}}), http.StatusOK, "invite")
		token := pwebFind(t, r, `/community/join/([A-Za-z0-9_\-]+)`, "invitation link")
		join := "/community/join/" + token
		r = pwebExpect(t, w.anonymous().Get(join), http.StatusOK, "invitation for a visitor")
		pwebContains(t, r, "invitation for a visitor", w.owner.Name(), "開業準備の話をしましょう。", "/login?next=")
		pwebExpect(t, w.anonymous().Post(join, url.Values{}), http.StatusSeeOther, "a visitor accepting")
		pwebExpect(t, w.owner3.c.Post(join, url.Values{}), http.StatusSeeOther, "accept the invitation")
		pwebContains(t, pwebExpect(t, w.owner3.c.Get("/community"), http.StatusOK, "invitee board"), "invitee board", "質問一覧")
		pwebExpect(t, w.owner2.c.Post(join, url.Values{}), http.StatusConflict, "a used invitation")
		pwebContains(t, pwebExpect(t, w.owner.c.Get("/community/invitations"), http.StatusOK, "sent invitations"), "sent invitations", "参加済み")

		// The moderator curates tags through the page.
		pwebExpect(t, w.mod.c.Post("/community/mod/tags", url.Values{"name": {"集患"}, "category": {"topic"}, "synonyms": {"集客"}}), http.StatusSeeOther, "tag 集患")
		pwebExpect(t, w.mod.c.Post("/community/mod/tags", url.Values{"name": {"労務"}, "category": {"topic"}}), http.StatusSeeOther, "tag 労務")
		pwebExpect(t, w.owner.c.Post("/community/mod/tags", url.Values{"name": {"宣伝"}, "category": {"topic"}}), http.StatusForbidden, "a member saving a tag")
		w.join(t, w.planner, w.owner2)

		// Bad questions come back with the field errors and the input kept.
		good := url.Values{"title": {"スタッフの有給休暇の管理はどうしていますか"}, "body": {"開業2年目です。**基本的な質問**ですみません。"},
			"tags": {"集客、労務"}, "anonymous": {"1"}}
		for _, c := range []struct{ name, key, value, want, kept string }{
			{"empty title", "title", " ", "タイトルは5文字以上", "基本的な質問"},
			{"unknown tag", "tags", "労務 ゴルフ", "登録されていないタグです: ゴルフ", "労務 ゴルフ"},
			{"long body", "body", strings.Repeat("長", 30000), "本文は", "スタッフの有給休暇"},
		} {
			bad := cloneForm(good)
			bad.Set(c.key, c.value)
			r = pwebExpect(t, w.owner.c.Post("/community/ask", bad), http.StatusBadRequest, c.name)
			pwebContains(t, r, c.name, c.want, c.kept, `class="field-error"`)
		}
		// The member asks anonymously.
		r = pwebExpect(t, w.owner.c.Post("/community/ask", good), http.StatusSeeOther, "ask")
		qLink := r.Location
		qid := strings.TrimPrefix(qLink, "/community/questions/")
		if mustInt(t, qid) <= 0 {
			t.Fatalf("ask went to %q", qLink)
		}
		r = pwebExpect(t, w.owner.c.Get(qLink), http.StatusOK, "own question")
		pwebContains(t, r, "own question", "匿名の先生（あなた）", "集患", "労務", "<strong>基本的な質問</strong>", `id="post-`+qid+`"`)

		// Nobody else learns who asked, the moderator included.
		ownerLink := `/community/members/` + itoa(w.owner.ID()) + `"`
		for _, c := range []struct {
			name   string
			client *apptest.Client
		}{{"another member", w.planner.c}, {"the moderator", w.mod.c}} {
			r = pwebExpect(t, c.client.Get(qLink), http.StatusOK, c.name+" reads the question")
			pwebContains(t, r, c.name, "匿名の先生", "スタッフの有給休暇の管理はどうしていますか")
			if strings.Contains(r.Body, w.owner.Name()) || strings.Contains(r.Body, ownerLink) || strings.Contains(r.Body, "owner@example.jp") {
				t.Fatalf("%s sees the anonymous author", c.name)
			}
		}
		r = pwebExpect(t, w.planner.c.Get("/community"), http.StatusOK, "list")
		pwebContains(t, r, "list", "スタッフの有給休暇の管理はどうしていますか", "匿名の先生")
		if strings.Contains(r.Body, w.owner.Name()) {
			t.Fatal("the list shows the anonymous author")
		}
		pwebContains(t, pwebExpect(t, w.planner.c.Get("/community/unanswered"), http.StatusOK, "unanswered"), "unanswered",
			"スタッフの有給休暇の管理はどうしていますか", "まだ回答がついていない質問")
		r = pwebExpect(t, w.planner.c.Get("/community?tag=集客"), http.StatusOK, "tag by synonym")
		pwebContains(t, r, "tag by synonym", "スタッフの有給休暇の管理はどうしていますか")
		r = pwebExpect(t, w.planner.c.Get("/community?tag=ゴルフ"), http.StatusBadRequest, "unknown tag filter")
		pwebContains(t, r, "unknown tag filter", `value="ゴルフ"`)

		// Outsiders, the company and an applicant get no board content.
		for _, c := range []struct {
			name   string
			client *apptest.Client
			status int
		}{
			{"a visitor", w.anonymous(), http.StatusSeeOther},
			{"an employed doctor", w.employed.c, http.StatusForbidden},
			{"an unverified doctor", w.unverified.c, http.StatusForbidden},
			{"the company contact", w.contact.c, http.StatusForbidden},
		} {
			for _, p := range []string{qLink, "/community/members", "/community/members/" + itoa(w.planner.ID()), "/community/tags", "/community/unanswered", "/community/ask"} {
				r = c.client.Get(p)
				if r.Status == http.StatusOK || strings.Contains(r.Body, "スタッフの有給休暇") || strings.Contains(r.Body, w.planner.Name()) {
					t.Fatalf("%s GET %s: status %d shows the board", c.name, p, r.Status)
				}
			}
			r = c.client.Get("/community?q=有給")
			if strings.Contains(r.Body, "スタッフの有給休暇") {
				t.Fatalf("%s sees a question title on /community", c.name)
			}
			r = c.client.Post(qLink+"/answers", url.Values{"body": {"外から失礼します"}})
			if r.Status < 300 || r.Status == http.StatusOK {
				t.Fatalf("%s answered: %d", c.name, r.Status)
			}
		}

		// Two members answer; the asker accepts one.
		r = pwebExpect(t, w.planner.c.Post(qLink+"/answers", url.Values{"body": {""}}), http.StatusBadRequest, "empty answer")
		pwebContains(t, r, "empty answer", "本文を入力してください")
		r = pwebExpect(t, w.planner.c.Post(qLink+"/answers", url.Values{"body": {"勤怠システムで管理しています。"}}), http.StatusSeeOther, "answer")
		_, answer, _ := strings.Cut(r.Location, "#post-")
		if mustInt(t, answer) <= 0 {
			t.Fatalf("answer went to %q", r.Location)
		}
		pwebExpect(t, w.owner2.c.Post(qLink+"/answers", url.Values{"body": {"社労士さんに相談しました。"}, "anonymous": {"1"}}), http.StatusSeeOther, "second answer")
		r = pwebExpect(t, w.owner.c.Get(qLink), http.StatusOK, "question with answers")
		pwebContains(t, r, "question with answers", "勤怠システムで管理しています。", "社労士さんに相談しました。", "ベストアンサーにする", w.planner.Name(),
			`id="post-`+answer+`"`)
		version := pwebFind(t, r, `action="/community/questions/`+qid+`/accept" class="inline-form">\s*<input type="hidden" name="version" value="(\d+)"`, "accept version")
		pwebExpect(t, w.planner.c.Post(qLink+"/accept", url.Values{"answer": {answer}, "version": {version}}), http.StatusForbidden, "a non-asker accepting")
		pwebExpect(t, w.owner.c.Post(qLink+"/accept", url.Values{"answer": {answer}, "version": {version}}), http.StatusSeeOther, "accept")
		r = pwebExpect(t, w.planner.c.Get(qLink), http.StatusOK, "accepted")
		pwebContains(t, r, "accepted", "ベストアンサー")
		if i, j := strings.Index(r.Body, `id="post-`+answer+`"`), strings.Index(r.Body, "社労士さんに相談しました。"); i < 0 || j < i {
			t.Fatal("the accepted answer is not first")
		}
		pwebContains(t, pwebExpect(t, w.planner.c.Get("/community?state=solved"), http.StatusOK, "solved"), "solved", "スタッフの有給休暇")

		// Upvotes toggle; there is no downvote.
		pwebExpect(t, w.owner2.c.Post("/community/posts/"+answer+"/vote", url.Values{"up": {"1"}}), http.StatusSeeOther, "upvote")
		r = pwebExpect(t, w.owner2.c.Get(qLink), http.StatusOK, "after upvote")
		pwebContains(t, r, "after upvote", "取り消す")
		if strings.Contains(r.Body, `value="-1"`) || strings.Contains(r.Body, "👎") {
			t.Fatal("a downvote is offered")
		}
		pwebExpect(t, w.planner.c.Post("/community/posts/"+answer+"/vote", url.Values{"up": {"1"}}), http.StatusForbidden, "a vote on one's own answer")

		// GET never changes state.
		for _, p := range []string{"/community/posts/" + answer + "/vote", qLink + "/accept", "/community/leave", "/community/mod/posts/" + answer + "/sanction"} {
			if r = w.owner.c.Get(p + "?up=0&answer=0"); r.Status == http.StatusOK || r.Status == http.StatusSeeOther {
				t.Fatalf("GET %s: status %d", p, r.Status)
			}
		}
		th, err := env.Main.Community.Thread(ctx, w.actor(t, w.owner), mustInt(t, qid))
		if err != nil {
			t.Fatal(err)
		}
		if th.Question.AcceptedAnswerID != mustInt(t, answer) || th.Answers[0].Score != 1 {
			t.Fatalf("after GETs: accepted %d, score %d; want %s and 1", th.Question.AcceptedAnswerID, th.Answers[0].Score, answer)
		}

		// A member cannot edit another's post; the author can, and the history keeps it.
		for _, c := range []*communityUser{w.planner, w.owner2} {
			if r = c.c.Get("/community/posts/" + qid + "/edit"); r.Status != http.StatusForbidden && r.Status != http.StatusNotFound {
				t.Fatalf("%s opens another's edit page: %d", c.Name(), r.Status)
			}
		}
		pwebExpect(t, w.owner2.c.Post("/community/posts/"+answer+"/edit", url.Values{"body": {"改ざん"}, "version": {"1"}}), http.StatusForbidden, "a member editing another's answer")
		r = pwebExpect(t, w.planner.c.Get("/community/posts/"+answer+"/edit"), http.StatusOK, "own edit page")
		ev := pwebFind(t, r, versionRE, "edit version")
		pwebExpect(t, w.planner.c.Post("/community/posts/"+answer+"/edit", url.Values{"body": {"勤怠システムと紙の台帳で管理しています。"}, "version": {ev}}),
			http.StatusSeeOther, "edit")
		r = pwebExpect(t, w.planner.c.Post("/community/posts/"+answer+"/edit", url.Values{"body": {"古い版からの編集"}, "version": {ev}}),
			http.StatusConflict, "stale edit")
		pwebContains(t, r, "stale edit", "最新の内容を読み込む", "古い版からの編集")
		pwebContains(t, pwebExpect(t, w.owner.c.Get(qLink), http.StatusOK, "edited"), "edited", "編集済み", "紙の台帳")
		pwebContains(t, pwebExpect(t, w.owner.c.Get("/community/posts/"+answer+"/history"), http.StatusOK, "history"), "history",
			"勤怠システムで管理しています。", "勤怠システムと紙の台帳で管理しています。")

		// Another member reports the answer.
		r = pwebExpect(t, w.owner2.c.Get("/community/posts/"+answer+"/report"), http.StatusOK, "report page")
		pwebContains(t, r, "report page", "マウント・見下し", "嫌味・攻撃的", "宣伝", "個人情報・患者情報", "その他")
		r = pwebExpect(t, w.owner2.c.Post("/community/posts/"+answer+"/report", url.Values{"reason": {"other"}}), http.StatusBadRequest, "other without a note")
		pwebContains(t, r, "other without a note", "「その他」の場合は内容を書いてください")
		pwebExpect(t, w.owner2.c.Post("/community/posts/"+answer+"/report", url.Values{"reason": {"hostile"}, "note": {"言い方がきついです。"}}),
			http.StatusSeeOther, "report")
		r = pwebExpect(t, w.mod.c.Get("/community/mod"), http.StatusOK, "reports queue")
		pwebContains(t, r, "reports queue", "嫌味・攻撃的", "言い方がきついです。", "勤怠システムと紙の台帳")

		// The moderator warns, then silences, the answer's author.
		sanction := "/community/mod/posts/" + answer + "/sanction"
		pwebExpect(t, w.owner.c.Post(sanction, url.Values{"kind": {"warn"}, "reason": {"x"}}), http.StatusForbidden, "a member sanctioning")
		r = pwebExpect(t, w.mod.c.Post(sanction, url.Values{"kind": {"silence"}, "reason": {"言葉遣い"}, "back": {qLink}}), http.StatusBadRequest, "silence without a date")
		pwebContains(t, r, "silence without a date", "期限の日付", "言葉遣い")
		pwebExpect(t, w.mod.c.Post(sanction, url.Values{"kind": {"warn"}, "reason": {"嫌味と受け取られる表現がありました。"}, "back": {qLink}}),
			http.StatusSeeOther, "warn")
		until := env.Clock.Now().In(career.JST).AddDate(0, 0, 7)
		pwebExpect(t, w.mod.c.Post(sanction, url.Values{"kind": {"silence"}, "until": {until.Format(time.DateOnly)},
			"reason": {"警告の後も改善されないため、1週間の投稿停止とします。"}, "back": {qLink}}), http.StatusSeeOther, "silence")

		// The author sees why, and until when.
		r = pwebExpect(t, w.planner.c.Get("/community/me"), http.StatusOK, "my page")
		pwebContains(t, r, "my page", "嫌味と受け取られる表現がありました。", "警告の後も改善されないため", "警告", "投稿停止",
			until.Format("2006/01/02")+" 23:59")
		// The silenced author reads but cannot post, and nothing is stored.
		pwebExpect(t, w.planner.c.Get(qLink), http.StatusOK, "silenced reads")
		r = pwebExpect(t, w.planner.c.Post(qLink+"/answers", url.Values{"body": {"もう一つ回答します。"}}), http.StatusForbidden, "silenced answers")
		pwebContains(t, r, "silenced answers", "投稿停止中のため投稿できません")
		th, err = env.Main.Community.Thread(ctx, w.actor(t, w.owner), mustInt(t, qid))
		if err != nil {
			t.Fatal(err)
		}
		if len(th.Answers) != 2 {
			t.Fatalf("answers after the silenced post: %d, want 2", len(th.Answers))
		}
		pwebContains(t, pwebExpect(t, w.mod.c.Get("/community/mod/log"), http.StatusOK, "log"), "log", "警告", "投稿停止", "参加承認")

		// The moderator reveals the anonymous asker only with a reason.
		reveal := "/community/mod/posts/" + qid + "/reveal"
		pwebExpect(t, w.planner.c.Post(reveal, url.Values{"reason": {"知りたい"}}), http.StatusNotFound, "a member revealing")
		pwebExpect(t, w.mod.c.Post(reveal, url.Values{"reason": {""}}), http.StatusBadRequest, "reveal without a reason")
		r = pwebExpect(t, w.mod.c.Post(reveal, url.Values{"reason": {"通報の調査のため"}}), http.StatusOK, "reveal")
		pwebContains(t, r, "reveal", w.owner.Name(), "監査ログ")
	})
}

// cloneForm copies form values.
func cloneForm(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// TestCommunityPaging pages the question list with the cursor link.
func TestCommunityPaging(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		w.join(t, w.owner, w.planner)
		owner := w.actor(t, w.owner)
		for i := range 31 {
			if _, err := env.Main.Community.Ask(context.Background(), owner, community.QuestionInput{
				Title: "開業準備の質問 その" + itoa(int64(i+1)), Body: "本文です。"}); err != nil {
				t.Fatal(err)
			}
		}
		r := pwebExpect(t, w.planner.c.Get("/community"), http.StatusOK, "first page")
		pwebContains(t, r, "first page", "開業準備の質問 その31", "次へ")
		if strings.Contains(r.Body, "開業準備の質問 その1<") {
			t.Fatal("the first page shows the oldest question")
		}
		next := pwebFind(t, r, `href="(/community\?[^"]*cursor=[^"]+)" rel="next"`, "next link")
		r = pwebExpect(t, w.planner.c.Get(strings.ReplaceAll(next, "&amp;", "&")), http.StatusOK, "second page")
		pwebContains(t, r, "second page", "開業準備の質問 その1<")
		if strings.Contains(r.Body, "次へ") || strings.Contains(r.Body, "開業準備の質問 その31") {
			t.Fatal("the second page repeats or goes on")
		}
	})
}

// pwebLacks fails the test if the page shows any of the texts.
func pwebLacks(t *testing.T, r *apptest.Response, what string, texts ...string) {
	t.Helper()
	for _, text := range texts {
		if strings.Contains(r.Body, text) {
			t.Fatalf("%s: %q shown on the page (status %d)", what, text, r.Status)
		}
	}
}

// communityThreadFixture is a question by the owner with an answer by the
// planner, the three of owner, planner and owner2 being members.
type communityThreadFixture struct {
	q, a *community.PostView
}

func communityThreadSetup(t *testing.T, w *communityWorld) communityThreadFixture {
	t.Helper()
	ctx := context.Background()
	w.tags(t)
	w.join(t, w.owner, w.planner, w.owner2)
	q, err := w.env.Main.Community.Ask(ctx, w.actor(t, w.owner), community.QuestionInput{Title: "医療機器のリースについて",
		Body: "リースと購入のどちらがよいでしょうか。", Tags: []string{"集患"}})
	if err != nil {
		t.Fatalf("Ask: %v", err)
	}
	a, err := w.env.Main.Community.Answer(ctx, w.actor(t, w.planner), q.ID, community.ReplyInput{Body: "うちはリースにしました。"})
	if err != nil {
		t.Fatalf("Answer: %v", err)
	}
	return communityThreadFixture{q: q, a: a}
}

// sanction records a moderator's sanction through the service.
func (w *communityWorld) sanction(t *testing.T, u *communityUser, in community.Sanction) {
	t.Helper()
	if err := w.env.Main.Community.SanctionMember(context.Background(), w.actor(t, w.mod), u.ID(), in); err != nil {
		t.Fatalf("SanctionMember %s %s: %v", in.Kind, u.Name(), err)
	}
}

// jstMinute is how the pages write a time.
func jstMinute(at time.Time) string { return at.In(career.JST).Format("2006/01/02 15:04") }

// TestCommunityNoticesPage: the notices the moderation notifications link
// to exist for every signed-in user, banned and suspended members
// included, with the label, reason, end and the post.
func TestCommunityNoticesPage(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		f := communityThreadSetup(t, w)
		w.join(t, w.owner3)
		until := env.Clock.Now().Add(7 * 24 * time.Hour)
		if err := env.Main.Community.SanctionAuthor(context.Background(), w.actor(t, w.mod), f.a.ID, community.Sanction{
			Kind: community.ActSilence, Until: until, Reason: "言葉遣いについて注意します。", PostID: f.a.ID}); err != nil {
			t.Fatalf("SanctionAuthor: %v", err)
		}
		w.sanction(t, w.owner2, community.Sanction{Kind: community.ActSuspend, Until: until, Reason: "規約違反のため利用停止とします。"})
		w.sanction(t, w.owner3, community.Sanction{Kind: community.ActBan, Reason: "度重なる違反のため BAN とします。"})
		aid, qid := itoa(f.a.ID), itoa(f.q.ID)

		for _, c := range []struct {
			name  string
			u     *communityUser
			shown []string
		}{
			{"silenced", w.planner, []string{"投稿停止", "言葉遣いについて注意します。", jstMinute(until) + "まで", `href="/community/posts/` + aid + `"`, "医療機器のリースについて"}},
			{"suspended", w.owner2, []string{"利用停止中（" + jstMinute(until) + "まで）", "規約違反のため利用停止とします。"}},
			{"banned", w.owner3, []string{"BAN", "度重なる違反のため BAN とします。"}},
			{"never a member", w.employed, []string{"お知らせはありません"}},
		} {
			r := pwebExpect(t, c.u.c.Get("/community/notices"), http.StatusOK, c.name+" notices")
			pwebContains(t, r, c.name+" notices", c.shown...)
		}
		pwebExpect(t, w.anonymous().Get("/community/notices"), http.StatusSeeOther, "a visitor's notices")
		// The post link leads to the post in its thread.
		r := pwebExpect(t, w.planner.c.Get("/community/posts/"+aid), http.StatusSeeOther, "post link")
		if want := "/community/questions/" + qid + "#post-" + aid; r.Location != want {
			t.Fatalf("post link goes to %q, want %q", r.Location, want)
		}
		pwebContains(t, pwebExpect(t, w.planner.c.Get("/community/me"), http.StatusOK, "my page"), "my page", `href="/community/notices"`)
	})
}

// TestCommunityRestrictedStanding: suspended, banned and silenced members
// see their standing, not the generic blockers; a silenced member sees
// the notice in place of the forms, and a refused post keeps its text.
func TestCommunityRestrictedStanding(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		f := communityThreadSetup(t, w)
		w.join(t, w.owner3)
		until := env.Clock.Now().Add(5 * 24 * time.Hour)
		w.sanction(t, w.owner2, community.Sanction{Kind: community.ActSuspend, Until: until, Reason: "利用停止の理由"})
		w.sanction(t, w.owner3, community.Sanction{Kind: community.ActBan, Reason: "BAN の理由"})
		w.sanction(t, w.planner, community.Sanction{Kind: community.ActSilence, Until: until, Reason: "投稿停止の理由"})
		qLink, aid := "/community/questions/"+itoa(f.q.ID), itoa(f.a.ID)
		const profileHint = "で医籍登録番号と勤務形態"

		for _, c := range []struct {
			name  string
			u     *communityUser
			shown []string
		}{
			{"suspended", w.owner2, []string{"利用停止中（" + jstMinute(until) + "まで）", `href="/community/notices"`}},
			{"banned", w.owner3, []string{"BAN", `href="/community/notices"`}},
		} {
			r := pwebExpect(t, c.u.c.Get("/community"), http.StatusOK, c.name+" landing")
			pwebContains(t, r, c.name+" landing", c.shown...)
			pwebLacks(t, r, c.name+" landing", "すでに参加しています", profileHint, `href="/community/apply"`)
		}
		// The profile hint stays for those whose profile is the matter.
		pwebContains(t, pwebExpect(t, w.unverified.c.Get("/community"), http.StatusOK, "unverified landing"), "unverified landing", profileHint)

		// The silenced member reads with the end of the silence shown, and no forms.
		banner := "投稿停止中（" + jstMinute(until) + "まで）"
		r := pwebExpect(t, w.planner.c.Get("/community"), http.StatusOK, "silenced board")
		pwebContains(t, r, "silenced board", banner, `href="/community/notices"`)
		r = pwebExpect(t, w.planner.c.Get(qLink), http.StatusOK, "silenced thread")
		pwebContains(t, r, "silenced thread", banner)
		pwebLacks(t, r, "silenced thread", `action="`+qLink+`/answers"`, `/comments"`)
		r = pwebExpect(t, w.planner.c.Get("/community/ask"), http.StatusOK, "silenced ask page")
		pwebContains(t, r, "silenced ask page", banner)
		pwebLacks(t, r, "silenced ask page", `action="/community/ask"`)
		r = pwebExpect(t, w.planner.c.Get("/community/posts/"+aid+"/edit"), http.StatusOK, "silenced edit page")
		pwebContains(t, r, "silenced edit page", banner)
		pwebLacks(t, r, "silenced edit page", `action="/community/posts/`+aid+`/edit"`)

		// Posted anyway (a page opened before the silence): refused, the text kept in its form.
		for _, c := range []struct {
			name, path string
			form       url.Values
			kept       []string
		}{
			{"answer", qLink + "/answers", url.Values{"body": {"追加で経験を書きます。"}}, []string{`action="` + qLink + `/answers"`, "追加で経験を書きます。"}},
			{"comment", "/community/posts/" + itoa(f.q.ID) + "/comments", url.Values{"body": {"補足のコメントです。"}, "form": {"comment-" + itoa(f.q.ID)}},
				[]string{"/comments\"", "補足のコメントです。"}},
			{"ask", "/community/ask", url.Values{"title": {"開業資金の借入先について"}, "body": {"銀行と公庫のどちらがよいでしょうか。"}},
				[]string{`action="/community/ask"`, "開業資金の借入先について", "銀行と公庫のどちらがよいでしょうか。"}},
			{"edit", "/community/posts/" + aid + "/edit", url.Values{"body": {"書き直した回答です。"}, "version": {itoa(int64(f.a.Version))}},
				[]string{`action="/community/posts/` + aid + `/edit"`, "書き直した回答です。"}},
		} {
			r = pwebExpect(t, w.planner.c.Post(c.path, c.form), http.StatusForbidden, "silenced "+c.name)
			pwebContains(t, r, "silenced "+c.name, append([]string{"投稿停止中のため投稿できません"}, c.kept...)...)
		}
	})
}

// TestCommunityMemberSanctionForm: a moderator acts on a member from their
// card, lift included; the post's sanction form offers the lift too.
func TestCommunityMemberSanctionForm(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		f := communityThreadSetup(t, w)
		card := "/community/members/" + itoa(w.planner.ID())
		action := `action="/community/mod/members/` + itoa(w.planner.ID()) + `/sanction"`
		r := pwebExpect(t, w.mod.c.Get(card), http.StatusOK, "moderator on a card")
		pwebContains(t, r, "moderator on a card", action, `value="lift"`, `value="suspend"`)
		pwebLacks(t, pwebExpect(t, w.owner.c.Get(card), http.StatusOK, "member on a card"), "member on a card", action)

		post := "/community/mod/members/" + itoa(w.planner.ID()) + "/sanction"
		r = pwebExpect(t, w.mod.c.Post(post, url.Values{"kind": {"suspend"}, "reason": {"利用停止の理由です。"}, "back": {card}}),
			http.StatusBadRequest, "suspend without a date")
		pwebContains(t, r, "suspend without a date", "期限の日付", "利用停止の理由です。", action, "記名の投稿")
		until := env.Clock.Now().In(career.JST).AddDate(0, 0, 3).Format(time.DateOnly)
		r = pwebExpect(t, w.mod.c.Post(post, url.Values{"kind": {"suspend"}, "until": {until}, "reason": {"利用停止の理由です。"}, "back": {card}}),
			http.StatusSeeOther, "suspend")
		if r.Location != card {
			t.Fatalf("suspend returned to %q, want %q", r.Location, card)
		}
		standing := func() *community.Standing {
			st, err := env.Main.Community.Standing(context.Background(), w.actor(t, w.planner))
			if err != nil {
				t.Fatal(err)
			}
			return st
		}
		if standing().CanRead {
			t.Fatal("the suspended member still reads the board")
		}
		pwebExpect(t, w.mod.c.Post(post, url.Values{"kind": {"lift"}, "reason": {"確認が済んだため解除します。"}, "back": {card}}), http.StatusSeeOther, "lift")
		if st := standing(); !st.CanRead || !st.CanPost {
			t.Fatalf("after the lift: read %v, post %v", st.CanRead, st.CanPost)
		}
		r = pwebExpect(t, w.mod.c.Get("/community/questions/"+itoa(f.q.ID)), http.StatusOK, "moderator on the thread")
		pwebContains(t, r, "moderator on the thread", `action="/community/mod/posts/`+itoa(f.a.ID)+`/sanction"`, `<option value="lift"`)
	})
}

// TestCommunityWordingAndLinks: 勤務形態 throughout, my posts named by
// their question, the log's post link into the thread, the blockers as a
// list, tag synonyms on the edit page, and the join page's refusals.
func TestCommunityWordingAndLinks(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		f := communityThreadSetup(t, w)
		ctx := context.Background()
		qid, aid := itoa(f.q.ID), itoa(f.a.ID)
		c, err := env.Main.Community.Comment(ctx, w.actor(t, w.planner), f.q.ID, community.ReplyInput{Body: "補足です。"})
		if err != nil {
			t.Fatalf("Comment: %v", err)
		}

		for _, p := range []struct {
			name string
			u    *communityUser
			path string
		}{
			{"my page", w.planner, "/community/me"},
			{"members", w.planner, "/community/members"},
			{"a card", w.planner, "/community/members/" + itoa(w.owner.ID())},
			{"landing", w.owner3, "/community"},
		} {
			r := pwebExpect(t, p.u.c.Get(p.path), http.StatusOK, p.name)
			pwebLacks(t, r, p.name, "診療形態", "区分")
		}
		pwebContains(t, w.planner.c.Get("/community/me"), "my page", "勤務形態")

		// My answers and comments are named by their question and link into it.
		r := pwebExpect(t, w.planner.c.Get("/community/me"), http.StatusOK, "my posts")
		pwebContains(t, r, "my posts", `href="/community/questions/`+qid+`#post-`+aid+`">医療機器のリースについて`,
			`href="/community/questions/`+qid+`#post-`+itoa(c.ID)+`">医療機器のリースについて`)

		// The log links to the post in its thread, not to its history.
		if err := env.Main.Community.SanctionAuthor(ctx, w.actor(t, w.mod), f.a.ID, community.Sanction{Kind: community.ActWarn,
			Reason: "表現に注意してください。", PostID: f.a.ID}); err != nil {
			t.Fatalf("SanctionAuthor: %v", err)
		}
		r = pwebExpect(t, w.mod.c.Get("/community/mod/log"), http.StatusOK, "log")
		pwebContains(t, r, "log", `href="/community/posts/`+aid+`"`)
		pwebLacks(t, r, "log", "/history")
		r = pwebExpect(t, w.mod.c.Get("/community/posts/"+aid), http.StatusSeeOther, "log's post link")
		if want := "/community/questions/" + qid + "#post-" + aid; r.Location != want {
			t.Fatalf("the log's post link goes to %q, want %q", r.Location, want)
		}

		// A refused application lists the reasons.
		r = pwebExpect(t, w.unverified.c.Post("/community/apply", url.Values{"note": {"参加したいです"}}), http.StatusBadRequest, "refused application")
		pwebContains(t, r, "refused application", `<ul class="blockers"><li>`, "医籍登録番号")

		// The edit page shows the tags with their synonyms.
		pwebContains(t, pwebExpect(t, w.owner.c.Get("/community/posts/"+qid+"/edit"), http.StatusOK, "edit page"), "edit page", "集患", "（集客）")

		// The join page: no accept button for who cannot join; unknown and expired links said in Japanese.
		token, _, err := env.Main.Community.Invite(ctx, w.actor(t, w.owner), community.InvitationInput{Note: "どうぞ"})
		if err != nil {
			t.Fatalf("Invite: %v", err)
		}
		join := "/community/join/" + token
		for _, u := range []*communityUser{w.employed, w.planner} {
			r = pwebExpect(t, u.c.Get(join), http.StatusOK, u.Name()+" on the join page")
			pwebContains(t, r, u.Name()+" on the join page", `<ul class="blockers"><li>`)
			pwebLacks(t, r, u.Name()+" on the join page", `action="`+join+`"`)
		}
		pwebContains(t, pwebExpect(t, w.owner2.c.Get(join), http.StatusOK, "join page for a member"), "join page for a member", "すでに参加しています")
		pwebContains(t, pwebExpect(t, w.owner3.c.Get(join), http.StatusOK, "join page"), "join page", `action="`+join+`"`)
		const gone = "招待リンクが見つからないか、有効期限が切れています。"
		pwebContains(t, pwebExpect(t, w.owner3.c.Get("/community/join/no-such-token"), http.StatusNotFound, "unknown invitation"), "unknown invitation", gone)
		env.Clock.Advance(15 * 24 * time.Hour)
		r = pwebExpect(t, w.owner3.c.Get(join), http.StatusOK, "expired invitation")
		pwebContains(t, r, "expired invitation", gone)
		pwebLacks(t, r, "expired invitation", `action="`+join+`"`)
	})
}

// TestCommunityPlatformWebhooks: the platform organisation's webhook page
// says what the board posts, and its administrators reach it from the
// moderation queue.
func TestCommunityPlatformWebhooks(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		hooks := "/orgs/" + itoa(w.platform) + "/webhooks"
		r := pwebExpect(t, w.admin.c.Get(hooks), http.StatusOK, "platform webhooks")
		pwebContains(t, r, "platform webhooks", "掲示板に新しい質問", "投稿者の名前は含めません")
		pwebLacks(t, r, "platform webhooks", "今のところありません")
		pwebContains(t, pwebExpect(t, w.admin.c.Get("/community/mod"), http.StatusOK, "admin's queue"), "admin's queue", `href="`+hooks+`"`)
		pwebLacks(t, pwebExpect(t, w.mod.c.Get("/community/mod"), http.StatusOK, "moderator's queue"), "moderator's queue", hooks)
	})
}
