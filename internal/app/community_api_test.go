package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/community"
)

// TestCommunityAPIPath walks the done-when path through the API
// alone: apply with a referral code, approval, joining by invitation, an
// anonymous question, answers, an accepted answer, a report, a warning and
// a silence through the post, the author's notices, and the silenced
// author refused.
func TestCommunityAPIPath(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		mod := capiToken(t, env, w.mod)
		owner := capiToken(t, env, w.owner)
		planner := capiToken(t, env, w.planner)
		owner2 := capiToken(t, env, w.owner2)
		contact := capiToken(t, env, w.contact)
		anon := papiClient{t: t, env: env}

		var rules struct {
			Rules     string `json:"rules"`
			RulesHTML string `json:"rules_html"`
		}
		anon.must(http.StatusOK, "GET", "/community/rules", nil, &rules)
		if !strings.Contains(rules.Rules, "マウント") || !strings.Contains(rules.RulesHTML, "<li>") {
			t.Errorf("rules: %+v", rules)
		}

		// 1. 開業 一郎 applies with the company's code; the moderator approves.
		var standing struct {
			CanApply bool        `json:"can_apply"`
			Member   *capiMember `json:"member"`
		}
		owner.must(http.StatusOK, "GET", "/community/standing", nil, &standing)
		if !standing.CanApply || standing.Member != nil {
			t.Fatalf("standing before applying: %+v", standing)
		}
		var m capiMember
		owner.must(http.StatusCreated, "POST", "/community/applications",
			`{"note":"内科クリニックを開業して3年です。","referral_code":"`+communityCompanyCode+`"}`, &m)
		if m.Status != "applied" || m.UserID != w.owner.ID() {
			t.Fatalf("application: %+v", m)
		}
		owner.problem(http.StatusConflict, "POST", "/community/applications", `{"note":"もう一度"}`)
		var apps struct {
			Applications []struct {
				UserID               int64  `json:"user_id"`
				Name                 string `json:"name"`
				CompanyName          string `json:"company_name"`
				RegistrationVerified bool   `json:"registration_verified"`
				Version              int    `json:"version"`
			} `json:"applications"`
		}
		mod.must(http.StatusOK, "GET", "/community/applications", nil, &apps)
		if len(apps.Applications) != 1 || apps.Applications[0].UserID != w.owner.ID() || apps.Applications[0].CompanyName != w.company.Name ||
			!apps.Applications[0].RegistrationVerified {
			t.Fatalf("applications: %+v", apps)
		}
		decision := fmt.Sprintf("/community/applications/%d/decision", w.owner.ID())
		if p := mod.problem(http.StatusBadRequest, "POST", decision, `{"approve":true}`); p.Errors["version"] == "" {
			t.Errorf("decision without a version: %+v", p)
		}
		mod.problem(http.StatusConflict, "POST", decision, fmt.Sprintf(`{"approve":true,"version":%d}`, apps.Applications[0].Version+5))
		mod.must(http.StatusNoContent, "POST", decision, fmt.Sprintf(`{"approve":true,"version":%d}`, apps.Applications[0].Version), nil)
		owner.must(http.StatusOK, "GET", "/community/standing", nil, &standing)
		if standing.Member == nil || standing.Member.Status != "active" {
			t.Fatalf("standing after approval: %+v", standing.Member)
		}

		// 予定 花子 and 開業 三郎 join by 一郎's invitations.
		invite := func(note string) string {
			var inv struct {
				Token      string `json:"token"`
				Link       string `json:"link"`
				Invitation struct {
					ID   int64 `json:"id"`
					Open bool  `json:"open"`
				} `json:"invitation"`
			}
			owner.must(http.StatusCreated, "POST", "/community/invitations", `{"note":"`+note+`"}`, &inv)
			if inv.Token == "" || !strings.HasSuffix(inv.Link, "/community/join/"+inv.Token) || !inv.Invitation.Open {
				t.Fatalf("invitation: %+v", inv)
			}
			return inv.Token
		}
		token := invite("開業準備の話ができる場所です")
		var info struct {
			InviterName string `json:"inviter_name"`
			Note        string `json:"note"`
			Open        bool   `json:"open"`
		}
		anon.must(http.StatusOK, "GET", "/community/invitations/"+token, nil, &info)
		if info.InviterName != w.owner.Name() || !info.Open || info.Note != "開業準備の話ができる場所です" {
			t.Fatalf("invitation info: %+v", info)
		}
		anon.problem(http.StatusNotFound, "GET", "/community/invitations/no-such-token", nil)
		anon.problem(http.StatusUnauthorized, "POST", "/community/invitations/"+token+"/accept", `{}`)
		planner.must(http.StatusCreated, "POST", "/community/invitations/"+token+"/accept", `{"note":"来年の開業を準備しています。"}`, &m)
		if m.Status != "active" || m.Entry != "invitation" {
			t.Fatalf("accepted invitation: %+v", m)
		}
		owner2.problem(http.StatusConflict, "POST", "/community/invitations/"+token+"/accept", `{}`)
		owner2.must(http.StatusCreated, "POST", "/community/invitations/"+invite("どうぞ")+"/accept", `{}`, &m)
		var invs struct {
			Invitations []struct {
				Open       bool       `json:"open"`
				AcceptedAt *time.Time `json:"accepted_at"`
			} `json:"invitations"`
		}
		owner.must(http.StatusOK, "GET", "/community/invitations", nil, &invs)
		if len(invs.Invitations) != 2 || invs.Invitations[0].Open || invs.Invitations[1].AcceptedAt == nil {
			t.Fatalf("owner's invitations: %+v", invs)
		}

		// The moderator curates a tag with a synonym.
		var tag struct {
			ID       int64    `json:"id"`
			Name     string   `json:"name"`
			Synonyms []string `json:"synonyms"`
		}
		mod.must(http.StatusCreated, "POST", "/community/tags", `{"name":"集患","category":"topic","synonyms":["集客"]}`, &tag)

		// 2. 花子 asks anonymously; two members answer; she accepts one.
		var q capiPost
		planner.must(http.StatusCreated, "POST", "/community/questions", `{"title":"開業1年目の集患、何から始めましたか",
		  "body":"**基本的**な質問ですみません。<script>alert(1)</script>","tags":["集客"],"anonymous":true}`, &q)
		if !q.Anonymous || !q.Mine || q.Author != nil || len(q.Tags) != 1 || q.Tags[0] != "集患" || q.Status != "visible" ||
			!strings.Contains(q.BodyHTML, "<strong>基本的</strong>") || strings.Contains(q.BodyHTML, "<script") {
			t.Fatalf("question: %+v", q)
		}
		qp := fmt.Sprintf("/community/questions/%d", q.ID)
		var a1, a2 capiPost
		owner.must(http.StatusCreated, "POST", qp+"/answers", `{"body":"まずはGoogleビジネスプロフィールを整えました。"}`, &a1)
		owner2.must(http.StatusCreated, "POST", qp+"/answers", `{"body":"内覧会が効きました。","anonymous":true}`, &a2)
		if a1.Author == nil || a1.Author.UserID != w.owner.ID() || a1.AuthorName != w.owner.Name() || a2.Author != nil {
			t.Fatalf("answers: %+v %+v", a1, a2)
		}
		var th capiThread
		planner.must(http.StatusOK, "GET", qp, nil, &th)
		if !th.Question.Mine || len(th.Answers) != 2 || !th.Answers[0].Permissions["accept"] {
			t.Fatalf("the asker's thread: %+v", th)
		}
		accept := fmt.Sprintf(`{"answer_id":%d,"version":%d}`, a1.ID, th.Question.Version)
		if p := planner.problem(http.StatusBadRequest, "POST", qp+"/accept", fmt.Sprintf(`{"answer_id":%d}`, a1.ID)); p.Errors["version"] == "" {
			t.Errorf("accept without a version: %+v", p)
		}
		if st, _ := owner.call("POST", qp+"/accept", accept); st != http.StatusForbidden && st != http.StatusNotFound {
			t.Errorf("accept by another member: %d", st)
		}
		planner.must(http.StatusOK, "POST", qp+"/accept", accept, &th)
		if th.Question.AcceptedAnswerID == nil || *th.Question.AcceptedAnswerID != a1.ID || th.Answers[0].ID != a1.ID || !th.Answers[0].Accepted {
			t.Fatalf("accepted: %+v", th)
		}
		planner.problem(http.StatusConflict, "POST", qp+"/accept", accept)
		owner2.must(http.StatusNoContent, "PUT", fmt.Sprintf("/community/posts/%d/vote", a1.ID), nil, nil)
		var solved struct {
			Questions []capiPost `json:"questions"`
		}
		owner2.must(http.StatusOK, "GET", "/community/questions?state=solved&tag=集客", nil, &solved)
		if len(solved.Questions) != 1 || solved.Questions[0].ID != q.ID {
			t.Fatalf("solved questions: %+v", solved)
		}

		// 3. 三郎 reports 一郎's answer.
		ap := fmt.Sprintf("/community/posts/%d", a1.ID)
		var rep struct {
			ID     int64  `json:"id"`
			Status string `json:"status"`
		}
		owner2.must(http.StatusCreated, "POST", ap+"/reports", `{"reason":"showing_off","note":"「そんなことも知らないのか」という書き方が気になりました。"}`, &rep)
		owner2.problem(http.StatusConflict, "POST", ap+"/reports", `{"reason":"hostile","note":"もう一度"}`)
		var reports struct {
			Reports []struct {
				ID           int64    `json:"id"`
				PostID       int64    `json:"post_id"`
				Reason       string   `json:"reason"`
				ReporterName string   `json:"reporter_name"`
				Post         capiPost `json:"post"`
			} `json:"reports"`
		}
		mod.must(http.StatusOK, "GET", "/community/reports", nil, &reports)
		if len(reports.Reports) != 1 || reports.Reports[0].PostID != a1.ID || reports.Reports[0].Reason != "showing_off" ||
			reports.Reports[0].ReporterName != w.owner2.Name() || reports.Reports[0].Post.ID != a1.ID {
			t.Fatalf("report queue: %+v", reports)
		}

		// 4. The moderator warns, then silences the answer's author.
		const warnReason = "マウントと受け取られる書き方は控えてください。"
		const silenceReason = "警告後も同様の投稿が続いたため、1週間の投稿停止とします。"
		mod.must(http.StatusNoContent, "POST", ap+"/author-sanctions", `{"action":"warn","reason":"`+warnReason+`"}`, nil)
		if p := mod.problem(http.StatusBadRequest, "POST", ap+"/author-sanctions", `{"action":"silence","until":"来週","reason":"x"}`); p.Errors["until"] == "" {
			t.Errorf("a malformed until: %+v", p)
		}
		until := env.Clock.Now().Add(7 * 24 * time.Hour).Truncate(time.Second)
		mod.must(http.StatusNoContent, "POST", ap+"/author-sanctions",
			fmt.Sprintf(`{"action":"silence","until":%q,"reason":%q}`, until.Format(time.RFC3339), silenceReason), nil)
		mod.must(http.StatusNoContent, "POST", fmt.Sprintf("/community/reports/%d/close", rep.ID),
			`{"status":"resolved","resolution":"投稿者に警告し、投稿停止にしました。"}`, nil)
		mod.problem(http.StatusConflict, "POST", fmt.Sprintf("/community/reports/%d/close", rep.ID), `{"status":"dismissed","resolution":"x"}`)

		// The author sees both, with the reasons.
		var notices struct {
			Notices []capiAction `json:"notices"`
		}
		owner.must(http.StatusOK, "GET", "/community/me/notices", nil, &notices)
		if len(notices.Notices) < 2 {
			t.Fatalf("notices: %+v", notices)
		}
		// The approval of the application may be among them; the latest two are the sanctions.
		silence, warn := notices.Notices[0], notices.Notices[1]
		if silence.Kind != "silence" || silence.Reason != silenceReason || silence.Until == nil || !silence.Until.Equal(until) ||
			warn.Kind != "warn" || warn.Reason != warnReason {
			t.Fatalf("notices: %+v", notices.Notices)
		}
		// Silenced: reads, but may not post.
		owner.must(http.StatusOK, "GET", qp, nil, nil)
		p := owner.problem(http.StatusForbidden, "POST", qp+"/answers", `{"body":"追記です。"}`)
		if !japanese.MatchString(p.Detail) || !strings.Contains(p.Detail, "投稿") {
			t.Errorf("silenced author's answer: %+v", p)
		}
		var log struct {
			Actions []capiAction `json:"actions"`
		}
		mod.must(http.StatusOK, "GET", "/community/moderation-log", nil, &log)
		kinds := map[string]bool{}
		for _, a := range log.Actions {
			kinds[a.Kind] = true
		}
		if !kinds["warn"] || !kinds["silence"] || !kinds["approve_member"] || !kinds["close_report"] {
			t.Errorf("moderation log: %+v", log.Actions)
		}

		// The company sees its counts, nothing of the board.
		var ref struct {
			Applied  int  `json:"applied"`
			Joined   int  `json:"joined"`
			Contacts *int `json:"contacts"`
			Company  struct {
				Name         string `json:"name"`
				ReferralCode string `json:"referral_code"`
			} `json:"company"`
		}
		contact.must(http.StatusOK, "GET", "/community/company", nil, &ref)
		if ref.Applied != 1 || ref.Joined != 1 || ref.Contacts != nil || ref.Company.Name != w.company.Name {
			t.Fatalf("referrals: %+v", ref)
		}
		contact.problem(http.StatusForbidden, "GET", qp, nil)
		// A new contact gets a temporary password, once.
		var newContact struct {
			TemporaryPassword string `json:"temporary_password"`
		}
		mod.must(http.StatusCreated, "POST", fmt.Sprintf("/community/companies/%d/contacts", w.company.ID),
			`{"email":"sales@hakui-medical.example.jp","name":"営業 次郎"}`, &newContact)
		if len(newContact.TemporaryPassword) < 8 {
			t.Errorf("temporary password: %q", newContact.TemporaryPassword)
		}
	})
}

// TestCommunityAPIAnonymousAuthorDoesNotLeak fails if any answer to
// another member or to a moderator carries an anonymous author's user ID
// (as author_id, user_id, member_id, editor_id) or their name, until a
// moderator asks to reveal it with a reason.
func TestCommunityAPIAnonymousAuthorDoesNotLeak(t *testing.T) {
	// The detector itself finds what it must.
	if got := capiLeaks(`{"posts":[{"author":{"user_id":7}},{"author_name":"予定 花子"}]}`, 7, "予定 花子"); len(got) != 2 {
		t.Fatalf("capiLeaks found %v, want the user_id and the name", got)
	}
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		w.join(t, w.owner, w.planner, w.owner2)
		mod := capiToken(t, env, w.mod)
		owner := capiToken(t, env, w.owner)
		planner := capiToken(t, env, w.planner)
		owner2 := capiToken(t, env, w.owner2)

		// 花子 posts only anonymously: a question, a comment and an answer.
		var q, a, c, q2, a2 capiPost
		planner.must(http.StatusCreated, "POST", "/community/questions", `{"title":"スタッフの採用はどうしましたか","body":"初めての採用です。","anonymous":true}`, &q)
		qp := fmt.Sprintf("/community/questions/%d", q.ID)
		owner.must(http.StatusCreated, "POST", qp+"/answers", `{"body":"紹介会社を使いました。"}`, &a)
		planner.must(http.StatusCreated, "POST", fmt.Sprintf("/community/posts/%d/comments", a.ID), `{"body":"費用はどのくらいでしたか？","anonymous":true}`, &c)
		owner.must(http.StatusCreated, "POST", "/community/questions", `{"title":"電子カルテの選び方","body":"比較のポイントを教えてください。"}`, &q2)
		planner.must(http.StatusCreated, "POST", fmt.Sprintf("/community/questions/%d/answers", q2.ID), `{"body":"クラウド型にしました。","anonymous":true}`, &a2)
		planner.must(http.StatusOK, "PATCH", fmt.Sprintf("/community/posts/%d", q.ID),
			fmt.Sprintf(`{"title":"スタッフの採用、最初の1人はどうしましたか","body":"初めての採用です。","version":%d}`, q.Version), &q)
		owner2.must(http.StatusCreated, "POST", fmt.Sprintf("/community/posts/%d/reports", q.ID), `{"reason":"other","note":"確認をお願いします。"}`, nil)
		mod.must(http.StatusNoContent, "POST", fmt.Sprintf("/community/posts/%d/author-sanctions", a2.ID), `{"action":"warn","reason":"宣伝と受け取られる書き方です。"}`, nil)

		// The author sees their own posts as theirs.
		var mine capiThread
		planner.must(http.StatusOK, "GET", qp, nil, &mine)
		if !mine.Question.Mine || !strings.HasPrefix(mine.Question.AuthorName, community.AnonymousName) {
			t.Fatalf("the author's view: %+v", mine.Question)
		}
		var myPosts struct {
			Posts []capiPost `json:"posts"`
		}
		planner.must(http.StatusOK, "GET", "/community/me/posts", nil, &myPosts)
		if len(myPosts.Posts) != 3 {
			t.Errorf("the author's posts: %d", len(myPosts.Posts))
		}

		postPaths := func(id int64) []string {
			return []string{fmt.Sprintf("/community/posts/%d", id), fmt.Sprintf("/community/posts/%d/history", id)}
		}
		var reads []string
		reads = append(reads, qp, fmt.Sprintf("/community/questions/%d", q2.ID), "/community/questions", "/community/questions?q=採用",
			"/community/questions?state=unanswered&sort=oldest", "/community/stats", "/community/tags")
		for _, id := range []int64{q.ID, c.ID, a2.ID} {
			reads = append(reads, postPaths(id)...)
		}
		check := func(who string, cl papiClient, paths ...string) {
			t.Helper()
			for _, path := range paths {
				body := cl.must(http.StatusOK, "GET", path, nil, nil)
				if leaks := capiLeaks(body, w.planner.ID(), w.planner.Name()); len(leaks) > 0 {
					t.Errorf("%s GET %s reveals the anonymous author: %v\n%s", who, path, leaks, body)
				}
			}
		}
		check("another member", owner, reads...)
		check("a third member", owner2, reads...)
		check("a moderator", mod, append(reads, "/community/reports", "/community/held-posts")...)
		// The log names 花子 for her approval, never next to her posts.
		var log struct {
			Actions []capiAction `json:"actions"`
		}
		body := mod.must(http.StatusOK, "GET", "/community/moderation-log", nil, &log)
		var logRaw struct {
			Actions []map[string]any `json:"actions"`
		}
		if err := json.Unmarshal([]byte(body), &logRaw); err != nil {
			t.Fatal(err)
		}
		for i, a := range log.Actions {
			if a.PostID == nil {
				continue
			}
			if (a.MemberID != nil && *a.MemberID == w.planner.ID()) || logRaw.Actions[i]["member_name"] == w.planner.Name() {
				t.Errorf("the moderation log names the anonymous author of post %d: %v", *a.PostID, logRaw.Actions[i])
			}
		}
		if len(log.Actions) == 0 || log.Actions[0].Kind != "warn" || log.Actions[0].PostID == nil || *log.Actions[0].PostID != a2.ID {
			t.Errorf("the warning through the post is not logged: %+v", log.Actions)
		}

		var th capiThread
		owner.must(http.StatusOK, "GET", qp, nil, &th)
		if th.Question.Mine || th.Question.Author != nil || th.Question.AuthorName != community.AnonymousName ||
			len(th.Answers) != 1 || len(th.Answers[0].Comments) != 1 || th.Answers[0].Comments[0].AuthorName != community.AnonymousName {
			t.Fatalf("another member's view: %+v", th)
		}

		// Only a moderator may learn who it is, with a reason.
		reveal := fmt.Sprintf("/community/posts/%d/reveal-author", q.ID)
		owner.problem(http.StatusNotFound, "POST", reveal, `{"reason":"知りたい"}`)
		owner2.problem(http.StatusNotFound, "POST", reveal, `{"reason":"知りたい"}`)
		if p := mod.problem(http.StatusBadRequest, "POST", reveal, `{"reason":""}`); len(p.Errors) == 0 {
			t.Errorf("reveal without a reason: %+v", p)
		}
		var card capiCard
		mod.must(http.StatusOK, "POST", reveal, `{"reason":"通報の確認のため"}`, &card)
		if card.UserID != w.planner.ID() {
			t.Fatalf("revealed: %+v", card)
		}
	})
}

// TestCommunityAPIAuthorization compares every endpoint's status for each
// kind of caller: anonymous, a doctor outside the board, a company
// contact, a silenced member, a member (on moderator endpoints), a
// member's read-only token, and the moderator.
func TestCommunityAPIAuthorization(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		w.join(t, w.owner, w.planner, w.owner2)
		ctx := context.Background()
		svc := env.Main.Community
		mustDo := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		q, err := svc.Ask(ctx, w.actor(t, w.owner), community.QuestionInput{Title: "認可テストの質問", Body: "本文です。"})
		mustDo(err)
		a, err := svc.Answer(ctx, w.actor(t, w.planner), q.ID, community.ReplyInput{Body: "回答です。"})
		mustDo(err)
		rep, err := svc.Report(ctx, w.actor(t, w.planner), q.ID, community.ReportInput{Reason: community.ReasonOther, Note: "確認"})
		mustDo(err)
		tag, err := svc.SaveTag(ctx, w.actor(t, w.mod), community.TagInput{Name: "労務", Category: community.TagTopic})
		mustDo(err)
		token, inv, err := svc.Invite(ctx, w.actor(t, w.owner), community.InvitationInput{Note: "どうぞ"})
		mustDo(err)
		mustDo(svc.SanctionMember(ctx, w.actor(t, w.mod), w.owner2.ID(), community.Sanction{Kind: community.ActSilence,
			Until: env.Clock.Now().Add(72 * time.Hour), Reason: "テストのため投稿停止"}))

		toks := capiTokens(t, env, w.owner, "write", "read")
		callers := map[string]papiClient{
			"anonymous": {t: t, env: env},
			"outsider":  capiToken(t, env, w.employed),
			"company":   capiToken(t, env, w.contact),
			"silenced":  capiToken(t, env, w.owner2),
			"member":    toks[0],
			"read-only": toks[1],
			"moderator": capiToken(t, env, w.mod),
		}
		order := []string{"anonymous", "outsider", "company", "silenced", "member", "read-only", "moderator"}

		// Kinds of endpoint and the status each caller gets; -1 is not
		// tried (the call would succeed and change the world the other
		// rows rely on).
		const skip = -1
		type want map[string]int
		public := want{"anonymous": 200, "outsider": 200, "company": 200, "silenced": 200, "member": 200, "read-only": 200, "moderator": 200}
		read := want{"anonymous": 401, "outsider": 403, "company": 403, "silenced": 200, "member": 200, "read-only": 200, "moderator": 200}
		write := want{"anonymous": 401, "outsider": 403, "company": 403, "silenced": 403, "member": skip, "read-only": 403, "moderator": skip}
		moderate := want{"anonymous": 401, "outsider": 403, "company": 403, "silenced": 403, "member": 403, "read-only": 403, "moderator": skip}
		modRead := want{"anonymous": 401, "outsider": 403, "company": 403, "silenced": 403, "member": 403, "read-only": 403, "moderator": 200}
		self := want{"anonymous": 401, "outsider": 403, "company": 403, "silenced": skip, "member": skip, "read-only": 403, "moderator": skip}
		with := func(base want, over want) want {
			out := want{}
			for k, v := range base {
				out[k] = v
			}
			for k, v := range over {
				out[k] = v
			}
			return out
		}
		qp := fmt.Sprintf("/community/questions/%d", q.ID)
		pp := fmt.Sprintf("/community/posts/%d", a.ID)
		co := fmt.Sprintf("/community/companies/%d", w.company.ID)
		tests := []struct {
			method, path, body string
			want               want
		}{
			{"GET", "/community/rules", "", public},
			{"GET", "/community/overview", "", public},
			{"GET", "/community/invitations/" + token, "", public},
			{"GET", "/community/standing", "", with(public, want{"anonymous": 401})},

			{"GET", "/community/questions", "", read},
			{"GET", qp, "", read},
			{"GET", pp, "", read},
			{"GET", pp + "/history", "", read},
			{"GET", "/community/tags", "", read},
			{"GET", "/community/stats", "", read},
			{"GET", "/community/members", "", read},
			{"GET", fmt.Sprintf("/community/members/%d", w.owner.ID()), "", with(read, want{"outsider": 404, "company": 404})},
			{"GET", "/community/me/posts", "", with(read, want{"moderator": 403})},
			{"GET", "/community/me/card", "", with(read, want{"moderator": 403})},
			{"GET", "/community/invitations", "", read},
			// One's own notices, empty for non-members: a banned member still learns why.
			{"GET", "/community/me/notices", "", with(public, want{"anonymous": 401})},

			{"POST", "/community/questions", `{"title":"認可テストの2問目","body":"本文"}`, write},
			{"POST", qp + "/answers", `{"body":"回答"}`, write},
			{"POST", qp + "/accept", fmt.Sprintf(`{"answer_id":%d,"version":%d}`, a.ID, q.Version), write},
			{"PATCH", pp, fmt.Sprintf(`{"body":"書き換え","version":%d}`, a.Version), write},
			{"POST", pp + "/comments", `{"body":"コメント"}`, write},
			// A silence stops posting, not reacting: a silenced member still
			// upvotes and reports harassment.
			{"PUT", pp + "/vote", "", with(write, want{"silenced": 204})},
			{"DELETE", pp + "/vote", "", with(write, want{"silenced": 204})},
			{"POST", pp + "/reports", `{"reason":"other","note":"確認"}`, with(write, want{"silenced": 201})},
			{"POST", "/community/invitations", `{"note":"どうぞ"}`, write},
			// Another's invitation is not found.
			{"POST", fmt.Sprintf("/community/invitations/%d/revoke", inv.ID), "", with(write, want{"silenced": 404})},
			{"PUT", "/community/me/card", `{"digest":"daily","version":1}`, self},
			{"POST", "/community/me/leave", "", self},
			{"POST", "/community/applications", `{"note":"参加したい"}`, want{"anonymous": 401, "company": 403, "read-only": 403, "silenced": 409}},
			{"POST", "/community/invitations/" + token + "/accept", `{}`, want{"anonymous": 401, "company": 403, "read-only": 403, "silenced": 409}},

			{"GET", "/community/applications", "", modRead},
			{"POST", fmt.Sprintf("/community/applications/%d/decision", w.unverified.ID()), `{"approve":true,"version":1}`, moderate},
			{"GET", "/community/reports", "", modRead},
			{"POST", fmt.Sprintf("/community/reports/%d/close", rep.ID), `{"status":"dismissed","resolution":"x"}`, moderate},
			{"GET", "/community/held-posts", "", modRead},
			{"POST", pp + "/moderation", `{"action":"hide","reason":"x"}`, moderate},
			{"POST", pp + "/author-sanctions", `{"action":"warn","reason":"x"}`, moderate},
			{"POST", fmt.Sprintf("/community/members/%d/sanctions", w.planner.ID()), `{"action":"warn","reason":"x"}`, moderate},
			{"GET", "/community/moderation-log", "", modRead},
			{"GET", "/community/settings", "", modRead},
			{"PUT", "/community/settings", `{"rules":"x","hold_first_posts":0,"version":0}`, moderate},
			{"GET", "/community/companies", "", modRead},
			{"POST", "/community/companies", `{"name":"別の会社"}`, moderate},
			{"POST", co + "/contacts", `{"email":"x@example.jp","name":"x"}`, moderate},
			{"POST", co + "/disable", `{"disabled":true}`, moderate},
			{"POST", "/community/tags", `{"name":"承継","category":"topic"}`, moderate},
			{"PUT", fmt.Sprintf("/community/tags/%d", tag.ID), `{"name":"労務","category":"topic"}`, moderate},
			{"POST", pp + "/reveal-author", `{"reason":"x"}`, with(moderate, want{"outsider": 404, "company": 404, "silenced": 404, "member": 404})},

			{"GET", "/community/company", "", want{"anonymous": 401, "outsider": 404, "company": 200, "silenced": 404, "member": 404, "read-only": 404, "moderator": 404}},
		}
		// Every route of the board is in the table.
		routes := http.NewServeMux()
		for _, rt := range env.Main.API.Routes() {
			if strings.HasPrefix(rt.Pattern, "/api/v1/community/") {
				routes.HandleFunc(rt.Method+" "+rt.Pattern, func(http.ResponseWriter, *http.Request) {})
			}
		}
		covered := map[string]bool{}
		for _, tc := range tests {
			req, _ := http.NewRequest(tc.method, "/api/v1"+tc.path, nil)
			if _, pattern := routes.Handler(req); pattern != "" {
				covered[pattern] = true
			}
		}
		for _, rt := range env.Main.API.Routes() {
			if strings.HasPrefix(rt.Pattern, "/api/v1/community/") && !covered[rt.Method+" "+rt.Pattern] {
				t.Errorf("%s %s is not in the authorization table", rt.Method, rt.Pattern)
			}
		}
		for _, tc := range tests {
			for _, who := range order {
				status, ok := tc.want[who]
				if !ok || status == skip {
					continue
				}
				var body any
				if tc.body != "" {
					body = tc.body
				}
				got, resp := callers[who].call(tc.method, tc.path, body)
				if got != status {
					t.Errorf("%s %s as %s: status %d, want %d: %s", tc.method, tc.path, who, got, status, resp)
				}
			}
		}
		// Nothing the refused calls tried has happened.
		if th, err := svc.Thread(ctx, w.actor(t, w.owner), q.ID); err != nil || len(th.Answers) != 1 || th.Answers[0].Status != community.PostVisible ||
			len(th.Answers[0].Comments) != 0 || th.Answers[0].Score != 0 {
			t.Errorf("thread after refused calls: %+v %v", th, err)
		}
	})
}

// TestCommunityAPIPostIDOR: a member cannot edit another's post, nor see a
// hidden one, nor learn an author; the author of a hidden post sees why.
func TestCommunityAPIPostIDOR(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		w.join(t, w.owner, w.planner, w.owner2)
		mod := capiToken(t, env, w.mod)
		owner := capiToken(t, env, w.owner)
		planner := capiToken(t, env, w.planner)
		owner2 := capiToken(t, env, w.owner2)

		var q, a capiPost
		owner.must(http.StatusCreated, "POST", "/community/questions", `{"title":"医療機器のリースについて","body":"リースと購入、どちらにしましたか。"}`, &q)
		planner.must(http.StatusCreated, "POST", fmt.Sprintf("/community/questions/%d/answers", q.ID), `{"body":"患者さんの山田さんが…"}`, &a)
		ap := fmt.Sprintf("/community/posts/%d", a.ID)

		if st, body := owner2.call("PATCH", ap, fmt.Sprintf(`{"body":"乗っ取り","version":%d}`, a.Version)); st != http.StatusForbidden && st != http.StatusNotFound {
			t.Errorf("PATCH of another's answer: %d %s", st, body)
		}
		if st, body := owner.call("PATCH", fmt.Sprintf("/community/posts/%d", q.ID+1000), `{"body":"x","version":1}`); st != http.StatusNotFound {
			t.Errorf("PATCH of a missing post: %d %s", st, body)
		}
		owner2.problem(http.StatusNotFound, "POST", fmt.Sprintf("/community/posts/%d/reveal-author", q.ID), `{"reason":"x"}`)

		// A moderator hides the answer for patient data; only its author
		// and the moderators still see it, the author with the reason.
		const reason = "患者さんを特定できる情報が含まれていたため非表示にしました。"
		mod.must(http.StatusNoContent, "POST", ap+"/moderation", `{"action":"hide","reason":"`+reason+`","private":true}`, nil)
		owner2.problem(http.StatusNotFound, "GET", ap, nil)
		owner2.problem(http.StatusNotFound, "GET", ap+"/history", nil)
		var th capiThread
		owner2.must(http.StatusOK, "GET", fmt.Sprintf("/community/questions/%d", q.ID), nil, &th)
		if len(th.Answers) != 0 {
			t.Errorf("a hidden answer in another member's thread: %+v", th.Answers)
		}
		var mine capiPost
		planner.must(http.StatusOK, "GET", ap, nil, &mine)
		if mine.Status != "hidden" || mine.StatusReason != reason {
			t.Errorf("the author's hidden answer: %+v", mine)
		}
		var modView capiPost
		mod.must(http.StatusOK, "GET", ap, nil, &modView)
		if modView.Status != "hidden" {
			t.Errorf("the moderator's view: %+v", modView)
		}
		if st, _ := owner2.call("POST", ap+"/comments", `{"body":"x"}`); st != http.StatusNotFound {
			t.Errorf("a comment on a hidden answer: %d", st)
		}
		if st, _ := owner2.call("PUT", ap+"/vote", nil); st != http.StatusNotFound {
			t.Errorf("a vote on a hidden answer: %d", st)
		}
	})
}

// TestCommunityAPIBadInput: malformed or refused input is 400 with what to
// fix, never a 500.
func TestCommunityAPIBadInput(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		w.join(t, w.owner, w.planner)
		mod := capiToken(t, env, w.mod)
		owner := capiToken(t, env, w.owner)
		planner := capiToken(t, env, w.planner)
		var q capiPost
		owner.must(http.StatusCreated, "POST", "/community/questions", `{"title":"承継の相談先","body":"どこに相談しましたか。"}`, &q)
		qp := fmt.Sprintf("/community/questions/%d", q.ID)
		long := strings.Repeat("長", 30000)

		tests := []struct {
			name, method, path, body string
			cl                       papiClient
			field                    string // "" : a 400 without a particular field
		}{
			{"title of the wrong type", "POST", "/community/questions", `{"title":1,"body":"x"}`, owner, "title"},
			{"tags not a list", "POST", "/community/questions", `{"title":"題","body":"x","tags":"集患"}`, owner, "tags"},
			{"anonymous not a boolean", "POST", "/community/questions", `{"title":"題","body":"x","anonymous":"はい"}`, owner, "anonymous"},
			{"unknown field", "POST", "/community/questions", `{"title":"題","body":"x","author_id":1}`, owner, ""},
			{"not JSON", "POST", "/community/questions", `{"title":`, owner, ""},
			{"empty title", "POST", "/community/questions", `{"title":"","body":"本文"}`, owner, "title"},
			{"30000-character body", "POST", "/community/questions", `{"title":"長い質問","body":"` + long + `"}`, owner, "body"},
			{"unknown tag", "POST", "/community/questions", `{"title":"題名です","body":"本文","tags":["存在しないタグ"]}`, owner, "tags"},
			{"30000-character answer", "POST", qp + "/answers", `{"body":"` + long + `"}`, owner, "body"},
			{"empty answer", "POST", qp + "/answers", `{"body":""}`, owner, "body"},
			{"answer_id of the wrong type", "POST", qp + "/accept", `{"answer_id":"1","version":1}`, owner, "answer_id"},
			{"edit without a version", "PATCH", fmt.Sprintf("/community/posts/%d", q.ID), `{"title":"題","body":"x"}`, owner, "version"},
			{"unknown report reason", "POST", fmt.Sprintf("/community/posts/%d/reports", q.ID), `{"reason":"dislike"}`, planner, "reason"},
			{"unknown state", "GET", "/community/questions?state=maybe", "", owner, "state"},
			{"unknown sort", "GET", "/community/questions?sort=random", "", owner, "sort"},
			{"bad limit", "GET", "/community/questions?limit=many", "", owner, "limit"},
			{"unknown tag filter", "GET", "/community/questions?tag=存在しないタグ", "", owner, "tag"},
			{"card with an unknown digest", "PUT", "/community/me/card", `{"digest":"weekly","version":1}`, owner, "digest"},
			{"card with an unknown age band", "PUT", "/community/me/card", `{"age_band":"70s","digest":"daily","version":1}`, owner, "age_band"},
			{"unknown moderation action", "POST", fmt.Sprintf("/community/posts/%d/moderation", q.ID), `{"action":"delete","reason":"x"}`, mod, "action"},
			{"unknown sanction", "POST", fmt.Sprintf("/community/members/%d/sanctions", w.owner.ID()), `{"action":"kick","reason":"x"}`, mod, "action"},
			{"silence without until", "POST", fmt.Sprintf("/community/members/%d/sanctions", w.owner.ID()), `{"action":"silence","reason":"x"}`, mod, "until"},
			{"until in the past", "POST", fmt.Sprintf("/community/members/%d/sanctions", w.owner.ID()),
				`{"action":"suspend","until":"2000-01-01T00:00:00Z","reason":"x"}`, mod, "until"},
			{"sanction without a reason", "POST", fmt.Sprintf("/community/members/%d/sanctions", w.owner.ID()), `{"action":"warn","reason":""}`, mod, "reason"},
			{"unknown report status", "GET", "/community/reports?status=all", "", mod, "status"},
			{"close as open", "POST", "/community/reports/1/close", `{"status":"open"}`, mod, "status"},
			{"tag of an unknown category", "POST", "/community/tags", `{"name":"新タグ","category":"misc"}`, mod, "category"},
			{"negative hold", "PUT", "/community/settings", `{"rules":"x","hold_first_posts":-1,"version":0}`, mod, "hold_first_posts"},
			{"disable without a value", "POST", fmt.Sprintf("/community/companies/%d/disable", w.company.ID), `{}`, mod, "disabled"},
			{"decision without approve", "POST", fmt.Sprintf("/community/applications/%d/decision", w.owner.ID()), `{"version":1}`, mod, "approve"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				var body any
				if tc.body != "" {
					body = tc.body
				}
				tc.cl.t = t
				p := tc.cl.problem(http.StatusBadRequest, tc.method, tc.path, body)
				if tc.field != "" && p.Errors[tc.field] == "" {
					t.Errorf("no error on %s: %+v", tc.field, p)
				}
				if !japanese.MatchString(p.Detail) {
					t.Errorf("detail not in Japanese: %q", p.Detail)
				}
			})
		}
		// Malformed IDs in paths are 404s.
		for _, path := range []string{"/community/questions/abc", "/community/posts/0", "/community/members/-1"} {
			owner.problem(http.StatusNotFound, "GET", path, nil)
		}
		owner.problem(http.StatusNotFound, "POST", "/community/applications/abc/decision", `{"approve":true,"version":1}`)
	})
}

// TestCommunityAPIBoardUpkeep covers the rest of the board through the
// API: cards and the member list, leaving, revoking an invitation, edits
// with their history, votes, the first-posts hold, tags, companies and the
// public overview.
func TestCommunityAPIBoardUpkeep(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newCommunityWorld(t, env)
		w.join(t, w.owner, w.planner)
		mod := capiToken(t, env, w.mod)
		owner := capiToken(t, env, w.owner)
		planner := capiToken(t, env, w.planner)
		anon := papiClient{t: t, env: env}

		// Cards share only what the member chooses.
		var my struct {
			Member capiMember `json:"member"`
			Card   struct {
				Specialties []string `json:"specialties"`
				Prefecture  string   `json:"prefecture"`
				AgeBand     string   `json:"age_band"`
			} `json:"card"`
		}
		owner.must(http.StatusOK, "GET", "/community/me/card", nil, &my)
		v := my.Member.Version
		owner.must(http.StatusOK, "PUT", "/community/me/card", fmt.Sprintf(`{"age_band":"40s","share_specialty":true,"share_region":false,
		  "share_age":true,"share_practice":true,"digest":"daily","version":%d}`, v), &my)
		if my.Card.AgeBand != "40s" || my.Card.Prefecture != "" || len(my.Card.Specialties) != 1 || my.Card.Specialties[0] != "内科" {
			t.Fatalf("saved card: %+v", my)
		}
		owner.problem(http.StatusConflict, "PUT", "/community/me/card", fmt.Sprintf(`{"digest":"off","version":%d}`, v))
		var members struct {
			Members []struct {
				UserID     int64  `json:"user_id"`
				Name       string `json:"name"`
				Prefecture string `json:"prefecture"`
			} `json:"members"`
		}
		planner.must(http.StatusOK, "GET", "/community/members", nil, &members)
		if len(members.Members) != 2 {
			t.Fatalf("members: %+v", members)
		}
		var card struct {
			Name       string `json:"name"`
			Prefecture string `json:"prefecture"`
			AgeBand    string `json:"age_band"`
		}
		planner.must(http.StatusOK, "GET", fmt.Sprintf("/community/members/%d", w.owner.ID()), nil, &card)
		if card.Name != w.owner.Name() || card.Prefecture != "" || card.AgeBand != "40s" {
			t.Errorf("another's card: %+v", card)
		}
		planner.problem(http.StatusNotFound, "GET", fmt.Sprintf("/community/members/%d", w.employed.ID()), nil)

		// The overview counts, never lists, for anyone.
		var ov struct {
			Members int `json:"members"`
			ByGroup []struct {
				Label string `json:"label"`
				N     int    `json:"n"`
			} `json:"by_group"`
		}
		body := anon.must(http.StatusOK, "GET", "/community/overview", nil, &ov)
		if ov.Members != 2 || len(ov.ByGroup) == 0 || strings.Contains(body, w.owner.Name()) || strings.Contains(body, "user_id") {
			t.Errorf("overview: %s", body)
		}

		// A revoked invitation cannot be used.
		var inv struct {
			Token      string `json:"token"`
			Invitation struct {
				ID int64 `json:"id"`
			} `json:"invitation"`
		}
		owner.must(http.StatusCreated, "POST", "/community/invitations", `{"email":"owner2@example.jp","note":"どうぞ"}`, &inv)
		planner.problem(http.StatusNotFound, "POST", fmt.Sprintf("/community/invitations/%d/revoke", inv.Invitation.ID), nil)
		owner.must(http.StatusNoContent, "POST", fmt.Sprintf("/community/invitations/%d/revoke", inv.Invitation.ID), nil, nil)
		var info struct {
			Open bool `json:"open"`
		}
		anon.must(http.StatusOK, "GET", "/community/invitations/"+inv.Token, nil, &info)
		if info.Open {
			t.Error("a revoked invitation is open")
		}
		capiToken(t, env, w.owner2).problem(http.StatusConflict, "POST", "/community/invitations/"+inv.Token+"/accept", `{}`)

		// Edits keep the history; a stale edit is 409.
		var tag struct {
			ID int64 `json:"id"`
		}
		mod.must(http.StatusCreated, "POST", "/community/tags", `{"name":"資金","category":"topic","synonyms":["融資"]}`, &tag)
		// A word another tag answers to is a field error that names the tag.
		if p := mod.problem(http.StatusBadRequest, "POST", "/community/tags", `{"name":"融資","category":"topic"}`); !strings.Contains(fmt.Sprint(p), "資金") {
			t.Errorf("tag clash problem = %v, want it to name 資金", p)
		}
		mod.must(http.StatusOK, "PUT", fmt.Sprintf("/community/tags/%d", tag.ID), `{"name":"資金","category":"topic","synonyms":["融資","借入"]}`, nil)
		var q capiPost
		owner.must(http.StatusCreated, "POST", "/community/questions", `{"title":"開業資金の借入先","body":"どこから借りましたか。","tags":["借入"]}`, &q)
		pp := fmt.Sprintf("/community/posts/%d", q.ID)
		owner.must(http.StatusOK, "PATCH", pp, fmt.Sprintf(`{"title":"開業資金の借入先はどこでしたか","body":"どこから借りましたか。金額も教えてください。","tags":["資金"],"version":%d}`, q.Version), &q)
		owner.problem(http.StatusConflict, "PATCH", pp, `{"title":"古い版の題名です","body":"古い版","version":1}`)
		var hist struct {
			Revisions []struct {
				Title       string `json:"title"`
				ByModerator bool   `json:"by_moderator"`
			} `json:"revisions"`
		}
		planner.must(http.StatusOK, "GET", pp+"/history", nil, &hist)
		if len(hist.Revisions) != 2 || hist.Revisions[0].Title != "開業資金の借入先" || q.Title != "開業資金の借入先はどこでしたか" {
			t.Fatalf("history: %+v (post %+v)", hist, q)
		}
		// A moderator's edit of another's post needs a reason.
		if p := mod.problem(http.StatusBadRequest, "PATCH", pp, fmt.Sprintf(`{"title":"開業資金の借入先","body":"本文","version":%d}`, q.Version)); p.Errors["reason"] == "" {
			t.Errorf("a moderator's edit without a reason: %+v", p)
		}

		// Upvotes only, not on one's own post, and withdrawable.
		owner.problem(http.StatusForbidden, "PUT", pp+"/vote", nil)
		planner.must(http.StatusNoContent, "PUT", pp+"/vote", nil, nil)
		planner.must(http.StatusOK, "GET", pp, nil, &q)
		if q.Score != 1 || !q.Voted {
			t.Fatalf("after the vote: %+v", q)
		}
		planner.must(http.StatusNoContent, "DELETE", pp+"/vote", nil, nil)
		planner.must(http.StatusOK, "GET", pp, nil, &q)
		if q.Score != 0 || q.Voted {
			t.Fatalf("after withdrawing: %+v", q)
		}

		// With the first-posts hold on, a new member's question waits.
		var st struct {
			Version        int `json:"version"`
			HoldFirstPosts int `json:"hold_first_posts"`
		}
		mod.must(http.StatusOK, "GET", "/community/settings", nil, &st)
		mod.must(http.StatusOK, "PUT", "/community/settings", fmt.Sprintf(`{"rules":"## ルール\n\nマウント禁止","hold_first_posts":1,"version":%d}`, st.Version), &st)
		mod.problem(http.StatusConflict, "PUT", "/community/settings", `{"rules":"x","hold_first_posts":0,"version":0}`)
		w.join(t, w.owner3)
		newcomer := capiToken(t, env, w.owner3)
		var held capiPost
		newcomer.must(http.StatusCreated, "POST", "/community/questions", `{"title":"初めての質問です","body":"よろしくお願いします。"}`, &held)
		if held.Status != "held" {
			t.Fatalf("a newcomer's first question: %+v", held)
		}
		planner.problem(http.StatusNotFound, "GET", fmt.Sprintf("/community/questions/%d", held.ID), nil)
		var heldList struct {
			Posts []capiPost `json:"posts"`
		}
		mod.must(http.StatusOK, "GET", "/community/held-posts", nil, &heldList)
		if len(heldList.Posts) != 1 || heldList.Posts[0].ID != held.ID {
			t.Fatalf("held posts: %+v", heldList)
		}
		mod.must(http.StatusNoContent, "POST", fmt.Sprintf("/community/posts/%d/moderation", held.ID), `{"action":"approve","reason":"ようこそ"}`, nil)
		planner.must(http.StatusOK, "GET", fmt.Sprintf("/community/questions/%d", held.ID), nil, nil)

		// Stats and the unanswered queue.
		var stats struct {
			Questions  int `json:"questions"`
			Unanswered int `json:"unanswered"`
		}
		planner.must(http.StatusOK, "GET", "/community/stats", nil, &stats)
		if stats.Questions != 2 || stats.Unanswered != 2 {
			t.Errorf("stats: %+v", stats)
		}
		var queue struct {
			Questions []capiPost `json:"questions"`
			Next      string     `json:"next"`
		}
		planner.must(http.StatusOK, "GET", "/community/questions?state=unanswered&sort=oldest&limit=1", nil, &queue)
		if len(queue.Questions) != 1 || queue.Questions[0].ID != q.ID || queue.Next == "" {
			t.Fatalf("unanswered queue: %+v", queue)
		}
		planner.must(http.StatusOK, "GET", "/community/questions?state=unanswered&sort=oldest&limit=1&cursor="+queue.Next, nil, &queue)
		if len(queue.Questions) != 1 || queue.Questions[0].ID != held.ID {
			t.Fatalf("unanswered queue, page 2: %+v", queue)
		}

		// Companies: counts for moderators; a stopped code no longer counts.
		var cos struct {
			Companies []struct {
				Company struct {
					ID         int64      `json:"id"`
					DisabledAt *time.Time `json:"disabled_at"`
				} `json:"company"`
				Contacts *int `json:"contacts"`
			} `json:"companies"`
		}
		mod.must(http.StatusCreated, "POST", "/community/companies", `{"name":"開業支援ラボ","note":"コンサル"}`, nil)
		mod.problem(http.StatusConflict, "POST", "/community/companies", `{"name":"開業支援ラボ"}`)
		mod.must(http.StatusNoContent, "POST", fmt.Sprintf("/community/companies/%d/disable", w.company.ID), `{"disabled":true}`, nil)
		mod.must(http.StatusOK, "GET", "/community/companies", nil, &cos)
		if len(cos.Companies) != 2 {
			t.Fatalf("companies: %+v", cos)
		}
		for _, c := range cos.Companies {
			if c.Contacts == nil || (c.Company.ID == w.company.ID) != (c.Company.DisabledAt != nil) {
				t.Errorf("company: %+v", c)
			}
		}

		// Leaving ends the membership; the posts stay.
		planner.must(http.StatusNoContent, "POST", "/community/me/leave", nil, nil)
		planner.problem(http.StatusForbidden, "GET", "/community/questions", nil)
		owner.must(http.StatusOK, "GET", pp, nil, nil)
	})
}
