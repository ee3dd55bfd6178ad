package community_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
)

// TestStory walks the path: apply with a referral code, approval,
// an invitation, an anonymous question, answers, an accepted answer, a
// report, a warning and a silence the member sees the reasons of.
func TestStory(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		// Who may not apply learns why.
		st, err := w.svc.Standing(w.ctx, w.unverified)
		noErr(t, err)
		if st.CanApply || !slices.Contains(st.Blockers, "医籍登録番号の確認が済んでいません。確認をお待ちください。") {
			t.Errorf("unverified standing = %+v", st)
		}
		_, err = w.svc.Apply(w.ctx, w.unverified, community.Application{})
		wantField(t, err, "registration_number")
		_, err = w.svc.Apply(w.ctx, w.employed, community.Application{})
		wantField(t, err, "practice_form")
		_, err = w.svc.Apply(w.ctx, w.owner, community.Application{ReferralCode: "NOPE-123"})
		wantField(t, err, "referral_code")
		noErr(t, w.svc.SetCompanyDisabled(w.ctx, w.mod, w.company.ID, true))
		_, err = w.svc.Apply(w.ctx, w.owner, community.Application{ReferralCode: companyCode})
		wantField(t, err, "referral_code")
		noErr(t, w.svc.SetCompanyDisabled(w.ctx, w.mod, w.company.ID, false))

		// The owner applies with the company's code, typed in full width and
		// lower case; the moderator approves.
		m, err := w.svc.Apply(w.ctx, w.owner, community.Application{Note: "開業3年目です", ReferralCode: "ｈａｋｕｉ－ｍｅｄ"})
		noErr(t, err)
		if m.Status != community.StatusApplied || m.CompanyID != w.company.ID || m.Group != community.GroupClinicOwner {
			t.Fatalf("application = %+v", m)
		}
		_, err = w.svc.Apply(w.ctx, w.owner, community.Application{})
		wantCode(t, err, apperr.Conflict)
		_, err = w.svc.Questions(w.ctx, w.owner, community.QuestionFilter{})
		wantCode(t, err, apperr.Forbidden) // an applicant reads nothing yet
		apps, err := w.svc.Applications(w.ctx, w.mod)
		noErr(t, err)
		if len(apps) != 1 || apps[0].Name != "開業 一郎" || !apps[0].RegistrationVerified || apps[0].CompanyName != "白衣メディカル株式会社" {
			t.Fatalf("applications = %+v", apps)
		}
		_, err = w.svc.Applications(w.ctx, w.owner)
		wantCode(t, err, apperr.Forbidden)
		wantField(t, w.svc.DecideApplication(w.ctx, w.mod, w.owner.UserID, m.Version, false, ""), "reason")
		noErr(t, w.svc.DecideApplication(w.ctx, w.mod, w.owner.UserID, m.Version, true, ""))
		wantCode(t, w.svc.DecideApplication(w.ctx, w.mod, w.owner.UserID, m.Version, true, ""), apperr.Conflict)
		if n := w.notes(w.owner); len(n) != 1 || n[0].Kind != community.NoteApplication {
			t.Errorf("owner's notifications = %+v", n)
		}
		log, err := w.svc.ModerationLog(w.ctx, w.mod, 0)
		noErr(t, err)
		if len(log) == 0 || log[0].Kind != community.ActApproveMember || log[0].Reason != "参加を承認しました" || log[0].MemberName != "開業 一郎" {
			t.Errorf("log = %+v", log)
		}
		// The company sees its counts only.
		ref, err := w.svc.MyReferrals(w.ctx, w.contact)
		noErr(t, err)
		if ref.Applied != 1 || ref.Joined != 1 || ref.Company.ID != w.company.ID {
			t.Errorf("referrals = %+v", ref)
		}

		// The owner invites the planner by address.
		token, inv, err := w.svc.Invite(w.ctx, w.owner, community.InvitationInput{Email: "Planner@Example.jp", Note: "ぜひ"})
		noErr(t, err)
		if len(token) < 40 || !inv.ExpiresAt.Equal(w.clock.Now().Add(14*24*time.Hour)) {
			t.Errorf("token %q, invitation %+v", token, inv)
		}
		info, err := w.svc.Invitation(w.ctx, token)
		noErr(t, err)
		if info.InviterName != "開業 一郎" || !info.Open {
			t.Errorf("invitation info = %+v", info)
		}
		_, err = w.svc.Invitation(w.ctx, token+"x")
		wantCode(t, err, apperr.NotFound)
		_, err = w.svc.AcceptInvitation(w.ctx, w.owner2, token, community.Application{})
		wantCode(t, err, apperr.Forbidden) // another address
		pm, err := w.svc.AcceptInvitation(w.ctx, w.planner, token, community.Application{})
		noErr(t, err)
		if pm.Status != community.StatusActive || pm.Entry != community.EntryInvitation || pm.InvitedBy != w.owner.UserID {
			t.Errorf("invited member = %+v", pm)
		}
		_, err = w.svc.AcceptInvitation(w.ctx, w.planner, token, community.Application{})
		wantCode(t, err, apperr.Conflict)
		w.join(w.owner2, w.mod)
		w.tags()

		// An anonymous question with tags given by synonym; the rooms hear
		// of it without its author.
		_, err = w.svc.Ask(w.ctx, w.owner, community.QuestionInput{Title: "質問", Body: "本文", Tags: []string{"集客"}})
		wantField(t, err, "title")
		_, err = w.svc.Ask(w.ctx, w.owner, community.QuestionInput{Title: "スタッフの採用について", Body: "本文", Tags: []string{"集客", "未知のタグ"}})
		wantField(t, err, "tags")
		if !strings.Contains(apperr.FieldsOf(err)["tags"], "未知のタグ") {
			t.Errorf("tag message = %q", apperr.FieldsOf(err)["tags"])
		}
		q, err := w.svc.Ask(w.ctx, w.owner, community.QuestionInput{Title: "初めての看護師採用、どこに求人を出すべき？",
			Body: "開業して半年です。<script>alert(1)</script>**求人媒体**の選び方を教えてください。", Tags: []string{"集客", "労務"}, Anonymous: true})
		noErr(t, err)
		if !slices.Equal(q.Tags, []string{"集患", "労務"}) || !q.Mine || q.AuthorName != "匿名の先生（あなた）" || strings.Contains(string(q.BodyHTML), "<script") {
			t.Errorf("question = %+v", q)
		}
		posts := w.webhooks.all()
		if len(posts) != 1 || !strings.Contains(posts[0], "掲示板に新しい質問: 初めての看護師採用") ||
			!strings.Contains(posts[0], fmt.Sprintf("/community/questions/%d", q.ID)) || !strings.Contains(posts[0], "集患") ||
			strings.Contains(posts[0], "開業 一郎") || !strings.HasPrefix(posts[0], fmt.Sprint(w.platform)+"|") {
			t.Errorf("webhook posts = %q", posts)
		}

		a1 := w.answer(w.planner, q.ID, "地域の看護師会の求人が良かったです。", false)
		a2 := w.answer(w.owner2, q.ID, "ハローワークも併用しましょう。", false)
		noErr(t, w.svc.Vote(w.ctx, w.planner, a2.ID, true))
		noErr(t, w.svc.Vote(w.ctx, w.planner, a2.ID, true)) // idempotent
		wantCode(t, w.svc.Vote(w.ctx, w.planner, a1.ID, true), apperr.Forbidden)
		c, err := w.svc.Comment(w.ctx, w.owner, a1.ID, community.ReplyInput{Body: "ありがとうございます！", Anonymous: true})
		noErr(t, err)
		var answerNotes []string
		for _, n := range w.notes(w.owner) {
			if n.Kind == community.NoteAnswer {
				answerNotes = append(answerNotes, n.Body+" "+n.Link)
			}
		}
		if len(answerNotes) != 2 || !strings.Contains(answerNotes[1], "予定 花子 先生が回答しました") ||
			!strings.Contains(answerNotes[1], fmt.Sprintf("/community/questions/%d#post-%d", q.ID, a1.ID)) {
			t.Errorf("asker's answer notifications = %q", answerNotes)
		}
		comments := 0
		for _, n := range w.notes(w.planner) {
			if n.Kind == community.NoteComment {
				comments++
				if !strings.Contains(n.Body, "匿名の先生がコメントしました") || strings.Contains(n.Body, "開業 一郎") {
					t.Errorf("comment notification = %+v", n)
				}
			}
		}
		if comments != 1 {
			t.Errorf("planner got %d comment notifications", comments)
		}

		// The asker accepts the planner's answer; the thread shows it first.
		th, err := w.svc.Thread(w.ctx, w.owner, q.ID)
		noErr(t, err)
		if len(th.Answers) != 2 || th.Answers[0].ID != a2.ID || !th.Question.Can.Edit || th.Answers[0].Can.Accept != true {
			t.Fatalf("thread before accept: %+v", th)
		}
		wantCode(t, w.svc.Accept(w.ctx, w.planner, q.ID, a1.ID, th.Question.Version), apperr.Forbidden)
		wantCode(t, w.svc.Accept(w.ctx, w.owner, q.ID, c.ID, th.Question.Version), apperr.Invalid)
		noErr(t, w.svc.Accept(w.ctx, w.owner, q.ID, a1.ID, th.Question.Version))
		wantCode(t, w.svc.Accept(w.ctx, w.owner, q.ID, a2.ID, th.Question.Version), apperr.Conflict)
		th, err = w.svc.Thread(w.ctx, w.planner, q.ID)
		noErr(t, err)
		if th.Answers[0].ID != a1.ID || !th.Answers[0].Accepted || !th.Answers[1].Voted || th.Answers[0].Can.Vote {
			t.Errorf("thread after accept: %+v", th.Answers)
		}
		if len(th.Answers[0].Comments) != 1 || th.Answers[0].Comments[0].AuthorName != community.AnonymousName {
			t.Errorf("comments = %+v", th.Answers[0].Comments)
		}
		accepted := false
		for _, n := range w.notes(w.planner) {
			accepted = accepted || n.Kind == community.NoteAccepted
		}
		if !accepted {
			t.Error("the answerer was not told of the acceptance")
		}
		solved, err := w.svc.Questions(w.ctx, w.owner2, community.QuestionFilter{State: community.StateSolved})
		noErr(t, err)
		if len(solved.Questions) != 1 || solved.Questions[0].AuthorID != 0 {
			t.Errorf("solved = %+v", solved.Questions)
		}

		// Another member reports the planner's answer.
		_, err = w.svc.Report(w.ctx, w.planner, a1.ID, community.ReportInput{Reason: community.ReasonHostile})
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.Report(w.ctx, w.owner2, a1.ID, community.ReportInput{Reason: community.ReasonOther})
		wantField(t, err, "note")
		r, err := w.svc.Report(w.ctx, w.owner2, a1.ID, community.ReportInput{Reason: community.ReasonHostile, Note: "言い方がきつい"})
		noErr(t, err)
		_, err = w.svc.Report(w.ctx, w.owner2, a1.ID, community.ReportInput{Reason: community.ReasonHostile})
		wantCode(t, err, apperr.Conflict)
		reports, err := w.svc.Reports(w.ctx, w.mod, "")
		noErr(t, err)
		if len(reports) != 1 || reports[0].ReporterName != "開業 三郎" || reports[0].Post.ID != a1.ID {
			t.Fatalf("reports = %+v", reports)
		}
		_, err = w.svc.Reports(w.ctx, w.owner2, "")
		wantCode(t, err, apperr.Forbidden)

		// The moderator warns, then silences the author for a week.
		wantCode(t, w.svc.SanctionMember(w.ctx, w.mod, w.mod.UserID, community.Sanction{Kind: community.ActWarn, Reason: "x"}), apperr.Forbidden)
		wantField(t, w.svc.SanctionMember(w.ctx, w.mod, w.planner.UserID, community.Sanction{Kind: community.ActWarn}), "reason")
		noErr(t, w.svc.SanctionMember(w.ctx, w.mod, w.planner.UserID, community.Sanction{Kind: community.ActWarn,
			Reason: "嫌味と受け取られる表現がありました", PostID: a1.ID}))
		wantField(t, w.svc.SanctionMember(w.ctx, w.mod, w.planner.UserID, community.Sanction{Kind: community.ActSilence,
			Reason: "再度の違反", Until: w.clock.Now().AddDate(2, 0, 0)}), "until")
		until := time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC) // 12:00 JST
		noErr(t, w.svc.SanctionMember(w.ctx, w.mod, w.planner.UserID, community.Sanction{Kind: community.ActSilence,
			Reason: "再度の違反", Until: until}))
		noErr(t, w.svc.CloseReport(w.ctx, w.mod, r.ID, community.ReportResolved, "警告と投稿停止"))
		wantCode(t, w.svc.CloseReport(w.ctx, w.mod, r.ID, community.ReportResolved, "再度"), apperr.Conflict)

		// The silenced member reads but cannot write, and sees until when.
		_, err = w.svc.Ask(w.ctx, w.planner, community.QuestionInput{Title: "投稿できますか？テスト", Body: "本文"})
		wantCode(t, err, apperr.Forbidden)
		if !strings.Contains(apperr.MessageOf(err), "2026年11月30日 12:00") {
			t.Errorf("silenced message = %q", apperr.MessageOf(err))
		}
		_, err = w.svc.Answer(w.ctx, w.planner, q.ID, community.ReplyInput{Body: "再回答"})
		wantCode(t, err, apperr.Forbidden)
		// Votes are no posts: a silence leaves them.
		noErr(t, w.svc.Vote(w.ctx, w.planner, a2.ID, false))
		_, err = w.svc.Edit(w.ctx, w.planner, a1.ID, community.EditInput{Body: "修正", Version: a1.Version})
		wantCode(t, err, apperr.Forbidden)
		th, err = w.svc.Thread(w.ctx, w.planner, q.ID)
		noErr(t, err)
		if th.Question.Can.Answer || th.Question.Can.Comment || th.Answers[1].Can.Comment {
			t.Errorf("a silenced member's permissions: %+v", th.Question.Can)
		}
		notices, err := w.svc.Notices(w.ctx, w.planner)
		noErr(t, err)
		if len(notices) != 2 || notices[0].Kind != community.ActSilence || notices[0].Reason != "再度の違反" ||
			notices[1].Reason != "嫌味と受け取られる表現がありました" || notices[0].Until == nil || !notices[0].Until.Equal(until) {
			t.Errorf("notices = %+v", notices)
		}
		var silence string
		for _, n := range w.notes(w.planner) {
			if n.Kind == community.NoteModeration && strings.Contains(n.Title, "投稿が停止") {
				silence = n.Body
			}
		}
		if !strings.Contains(silence, "2026年11月30日 12:00まで") || !strings.Contains(silence, "再度の違反") {
			t.Errorf("silence notification = %q", silence)
		}
		// Moderation notices always go by e-mail, though the planner chose the daily digest.
		// (The third is the owner's invitation, sent to the planner's address.)
		if mails := w.mails("planner@example.jp"); len(mails) != 3 || !slices.Contains(mails, "開業 一郎 先生から掲示板への招待") {
			t.Errorf("planner's e-mails = %q", mails)
		}
		// The silence ends by itself.
		w.clock.Set(until.Add(time.Minute))
		w.answer(w.planner, q.ID, "投稿停止が明けました。", false)
	})
}

// TestAnonymity checks that no view but the author's own carries the
// anonymous author's name or ID, and that RevealAuthor is audited.
func TestAnonymity(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner, w.planner, w.owner2, w.mod)
		q := w.ask(w.owner, "医療機器のリースと購入、どちらが得？", true)
		a := w.answer(w.owner, w.ask(w.planner, "承継開業の相談先を教えてください", false).ID, "私は地元の税理士に相談しました。", true)
		_, err := w.svc.Edit(w.ctx, w.owner, q.ID, community.EditInput{Title: q.Title + "（追記）", Body: "追記しました。", Version: q.Version})
		noErr(t, err)
		_, err = w.svc.Report(w.ctx, w.owner2, a.ID, community.ReportInput{Reason: community.ReasonAdvertising})
		noErr(t, err)
		noErr(t, w.svc.SanctionAuthor(w.ctx, w.mod, a.ID, community.Sanction{Kind: community.ActWarn, Reason: "宣伝に見えます"}))
		_, err = w.svc.Edit(w.ctx, w.mod, a.ID, community.EditInput{Body: "（モデレーターが編集しました）", Version: a.Version})
		wantField(t, err, "reason")
		_, err = w.svc.Edit(w.ctx, w.mod, a.ID, community.EditInput{Body: "（モデレーターが編集しました）", Reason: "宣伝部分を削除", Version: a.Version})
		noErr(t, err)

		owner := w.owner
		check := func(what string, v any) {
			t.Helper()
			s := fmt.Sprintf("%+v", v)
			w.leaks(t, what, s, owner)
			if strings.Contains(s, fmt.Sprintf("AuthorID:%d ", owner.UserID)) || strings.Contains(s, fmt.Sprintf("EditorID:%d ", owner.UserID)) ||
				strings.Contains(s, fmt.Sprintf("MemberID:%d ", owner.UserID)) || strings.Contains(s, fmt.Sprintf("UserID:%d ", owner.UserID)) {
				t.Errorf("%s carries the anonymous author's ID: %s", what, s)
			}
		}
		for name, viewer := range map[string]policy.Actor{"another member": w.planner, "a moderator": w.mod} {
			th, err := w.svc.Thread(w.ctx, viewer, q.ID)
			noErr(t, err)
			check(name+": thread", th)
			if th.Question.AuthorName != community.AnonymousName || th.Question.Author != nil || th.Question.Mine {
				t.Errorf("%s: question = %+v", name, th.Question)
			}
			p, err := w.svc.Post(w.ctx, viewer, a.ID)
			noErr(t, err)
			check(name+": answer", p)
			list, err := w.svc.Questions(w.ctx, viewer, community.QuestionFilter{})
			noErr(t, err)
			check(name+": questions", list)
			mine, err := w.svc.Questions(w.ctx, viewer, community.QuestionFilter{AuthorID: owner.UserID})
			noErr(t, err)
			if len(mine.Questions) != 0 {
				t.Errorf("%s: the owner's named questions include the anonymous one: %+v", name, mine.Questions)
			}
			h, err := w.svc.History(w.ctx, viewer, q.ID)
			noErr(t, err)
			check(name+": history", h)
			if len(h) != 2 {
				t.Errorf("%s: history = %+v", name, h)
			}
			stats, err := w.svc.Stats(w.ctx, viewer)
			noErr(t, err)
			check(name+": stats", stats.TopAnswerers)
			card, err := w.svc.Card(w.ctx, viewer, owner.UserID)
			noErr(t, err)
			if card.Stats.Questions != 0 || card.Stats.Answers != 0 {
				t.Errorf("%s: the owner's card counts anonymous posts: %+v", name, card.Stats)
			}
		}
		reports, err := w.svc.Reports(w.ctx, w.mod, "")
		noErr(t, err)
		check("reports", reports)
		log, err := w.svc.ModerationLog(w.ctx, w.mod, 0)
		noErr(t, err)
		for _, e := range log {
			if e.PostID != 0 { // the owner's approval names them, rightly
				check("moderation log", e)
			}
		}
		for _, n := range w.notes(w.planner) {
			check("notification", n)
		}
		// The author sees their own post as theirs, and the notices.
		th, err := w.svc.Thread(w.ctx, owner, q.ID)
		noErr(t, err)
		if !th.Question.Mine || th.Question.AuthorName != "匿名の先生（あなた）" || th.Question.AuthorID != owner.UserID {
			t.Errorf("author's own view = %+v", th.Question)
		}
		notices, err := w.svc.Notices(w.ctx, owner)
		noErr(t, err)
		if len(notices) != 3 || notices[0].Kind != community.ActEdit || notices[1].Reason != "宣伝に見えます" {
			t.Errorf("author's notices = %+v", notices)
		}

		// Reveal: members get not found and a denial entry; the moderator
		// needs a reason; one audit entry about the author.
		_, err = w.svc.RevealAuthor(w.ctx, w.planner, q.ID, "知りたい")
		wantCode(t, err, apperr.NotFound)
		denials := 0
		for _, e := range w.auditOf(audit.AccessDenied) {
			if e.ActorID == w.planner.UserID && e.ObjectKind == "community_post" && e.ObjectID == q.ID {
				denials++
			}
		}
		if denials != 1 {
			t.Errorf("%d denial entries for the reveal", denials)
		}
		_, err = w.svc.RevealAuthor(w.ctx, w.mod, q.ID, "")
		wantField(t, err, "reason")
		if n := len(w.auditOf(community.AuthorRevealed)); n != 0 {
			t.Fatalf("%d reveal entries before any reveal", n)
		}
		card, err := w.svc.RevealAuthor(w.ctx, w.mod, q.ID, "個人情報の通報があったため")
		noErr(t, err)
		if card.UserID != owner.UserID || card.Name != "開業 一郎" {
			t.Errorf("revealed = %+v", card)
		}
		entries := w.auditOf(community.AuthorRevealed)
		if len(entries) != 1 || entries[0].SubjectID != owner.UserID || entries[0].ActorID != w.mod.UserID ||
			entries[0].ObjectKind != "community_post" || entries[0].ObjectID != q.ID || entries[0].Detail != "個人情報の通報があったため" {
			t.Errorf("reveal entries = %+v", entries)
		}
		log, err = w.svc.ModerationLog(w.ctx, w.mod, 0)
		noErr(t, err)
		if log[0].Kind != community.ActRevealAuthor || log[0].MemberName != "" || log[0].MemberID != 0 {
			t.Errorf("reveal in the log = %+v", log[0])
		}
	})
}

// TestOutsiders checks that outsiders, company contacts, suspended and
// banned members read nothing of the board, and that each denial is
// audited.
func TestOutsiders(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner, w.owner2, w.mod)
		q := w.ask(w.owner, "レセプト業務は外注していますか？", false)
		_, err := w.svc.Apply(w.ctx, w.owner3, community.Application{})
		noErr(t, err)
		anonymous := policy.Actor{}
		reads := map[string]func(a policy.Actor) error{
			"thread": func(a policy.Actor) error { _, err := w.svc.Thread(w.ctx, a, q.ID); return err },
			"post":   func(a policy.Actor) error { _, err := w.svc.Post(w.ctx, a, q.ID); return err },
			"questions": func(a policy.Actor) error {
				_, err := w.svc.Questions(w.ctx, a, community.QuestionFilter{})
				return err
			},
			"members": func(a policy.Actor) error { _, err := w.svc.Members(w.ctx, a, community.MemberFilter{}); return err },
			"tags":    func(a policy.Actor) error { _, err := w.svc.Tags(w.ctx, a); return err },
			"stats":   func(a policy.Actor) error { _, err := w.svc.Stats(w.ctx, a); return err },
			"history": func(a policy.Actor) error { _, err := w.svc.History(w.ctx, a, q.ID); return err },
			"ask": func(a policy.Actor) error {
				_, err := w.svc.Ask(w.ctx, a, community.QuestionInput{Title: "外から投稿できる？", Body: "本文"})
				return err
			},
		}
		denied := func(who string, a policy.Actor, code apperr.Code) {
			t.Helper()
			for name, read := range reads {
				if err := read(a); apperr.CodeOf(err) != code {
					t.Errorf("%s %s: err = %v, want %s", who, name, err, code)
				}
			}
			_, err := w.svc.Card(w.ctx, a, w.owner.UserID)
			if !apperr.Is(err, apperr.NotFound) && !(code == apperr.Unauthorized && apperr.Is(err, apperr.NotFound)) {
				t.Errorf("%s card: err = %v", who, err)
			}
		}
		denied("anonymous", anonymous, apperr.Unauthorized)
		denied("non-member", w.planner, apperr.Forbidden)
		denied("applicant", w.owner3, apperr.Forbidden)
		denied("company contact", w.contact, apperr.Forbidden)
		_, err = w.svc.Questions(w.ctx, w.planner, community.QuestionFilter{})
		if apperr.MessageOf(err) != "掲示板は参加している会員だけが見られます。" {
			t.Errorf("outsider message = %q", apperr.MessageOf(err))
		}
		// The public pages.
		for name, a := range map[string]policy.Actor{"anonymous": anonymous, "non-member": w.planner, "company": w.contact} {
			if _, err := w.svc.Settings(w.ctx); err != nil {
				t.Errorf("%s settings: %v", name, err)
			}
			st, err := w.svc.Standing(w.ctx, a)
			noErr(t, err)
			if st.CanRead {
				t.Errorf("%s standing can read", name)
			}
		}
		ov, err := w.svc.Overview(w.ctx)
		noErr(t, err)
		if ov.Members != 3 || ov.Questions != 1 || fmt.Sprint(ov.BySpecialty) != "[{非公開 3}]" {
			t.Errorf("overview = %+v", ov)
		}
		// A company contact sees its counts, nothing else, and cannot apply.
		ref, err := w.svc.MyReferrals(w.ctx, w.contact)
		noErr(t, err)
		if ref.Applied != 0 || ref.Contacts != 0 {
			t.Errorf("referrals = %+v", ref)
		}
		_, err = w.svc.MyReferrals(w.ctx, w.owner)
		wantCode(t, err, apperr.NotFound)
		_, err = w.svc.Apply(w.ctx, w.contact, community.Application{})
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.AddContact(w.ctx, w.mod, w.company.ID, community.ContactInput{Email: "owner@example.jp"})
		wantField(t, err, "email")

		// Suspended and banned members read nothing; a lift restores them.
		noErr(t, w.svc.SanctionMember(w.ctx, w.mod, w.owner2.UserID, community.Sanction{Kind: community.ActSuspend,
			Reason: "度重なる違反", Until: w.clock.Now().AddDate(0, 0, 7)}))
		denied("suspended", w.owner2, apperr.Forbidden)
		noErr(t, w.svc.SanctionMember(w.ctx, w.mod, w.owner2.UserID, community.Sanction{Kind: community.ActBan, Reason: "悪質な違反"}))
		denied("banned", w.owner2, apperr.Forbidden)
		_, err = w.svc.Apply(w.ctx, w.owner2, community.Application{})
		wantCode(t, err, apperr.Forbidden)
		notices, err := w.svc.Notices(w.ctx, w.owner2)
		noErr(t, err)
		if len(notices) != 3 || notices[0].Reason != "悪質な違反" || notices[2].Kind != community.ActApproveMember {
			t.Errorf("banned member's notices = %+v", notices)
		}
		noErr(t, w.svc.SanctionMember(w.ctx, w.mod, w.owner2.UserID, community.Sanction{Kind: community.ActLift, Reason: "反省が見られるため"}))
		_, err = w.svc.Thread(w.ctx, w.owner2, q.ID)
		noErr(t, err)
		// Members cannot moderate.
		wantCode(t, w.svc.SanctionMember(w.ctx, w.owner, w.owner2.UserID, community.Sanction{Kind: community.ActWarn, Reason: "x"}), apperr.Forbidden)
		wantCode(t, w.svc.ModeratePost(w.ctx, w.owner2, q.ID, community.Moderate{Kind: community.ActHide, Reason: "x"}), apperr.Forbidden)

		found := false
		for _, e := range w.auditOf(audit.AccessDenied) {
			found = found || (e.ActorID == w.contact.UserID && e.ObjectKind == "community_post" && e.ObjectID == q.ID)
		}
		if !found {
			t.Error("the company contact's denial is not in the audit log")
		}
	})
}

// TestHeldPosts holds a new member's first post until a moderator
// approves it, and hides a post with patient data at once.
func TestHeldPosts(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner, w.mod)
		st, err := w.svc.Settings(w.ctx)
		noErr(t, err)
		if st.Rules != community.DefaultRules || st.Version != 0 {
			t.Errorf("default settings = %+v", st)
		}
		_, err = w.svc.SaveSettings(w.ctx, w.owner, community.Settings{Rules: "ルール", HoldFirstPosts: 1})
		wantCode(t, err, apperr.Forbidden)
		_, err = w.svc.SaveSettings(w.ctx, w.mod, community.Settings{Rules: "ルール", HoldFirstPosts: 21})
		wantField(t, err, "hold_first_posts")
		_, err = w.svc.SaveSettings(w.ctx, w.mod, community.Settings{Rules: "## ルール\n\nマウント禁止", HoldFirstPosts: 1})
		noErr(t, err)
		w.join(w.planner)

		q := w.ask(w.planner, "開業資金の借入先はどこが良い？", false)
		if q.Status != community.PostHeld {
			t.Fatalf("a new member's first post is %s", q.Status)
		}
		if len(w.webhooks.all()) != 0 {
			t.Errorf("a held question was posted to the rooms: %q", w.webhooks.all())
		}
		_, err = w.svc.Thread(w.ctx, w.owner, q.ID)
		wantCode(t, err, apperr.NotFound)
		_, err = w.svc.Answer(w.ctx, w.owner, q.ID, community.ReplyInput{Body: "回答"})
		wantCode(t, err, apperr.NotFound)
		th, err := w.svc.Thread(w.ctx, w.planner, q.ID)
		noErr(t, err)
		if th.Question.Status != community.PostHeld || th.Question.StatusReason == "" {
			t.Errorf("author's view of the held post = %+v", th.Question)
		}
		held, err := w.svc.HeldPosts(w.ctx, w.mod)
		noErr(t, err)
		if len(held) != 1 || held[0].ID != q.ID {
			t.Fatalf("held = %+v", held)
		}
		noErr(t, w.svc.ModeratePost(w.ctx, w.mod, q.ID, community.Moderate{Kind: community.ActApprovePost}))
		if len(w.webhooks.all()) != 1 {
			t.Errorf("the approved question was not posted: %q", w.webhooks.all())
		}
		_, err = w.svc.Thread(w.ctx, w.owner, q.ID)
		noErr(t, err)
		a := w.answer(w.planner, q.ID, "自己解決しました。日本政策金融公庫です。", false)
		if a.Status != community.PostVisible {
			t.Errorf("the second post is %s", a.Status)
		}

		// A post with patient data is hidden at once; its reports close.
		// The owner's first post is held too; its approval tells the asker.
		bad := w.answer(w.owner, q.ID, "うちの患者の山田太郎さん（45歳）の例では…", false)
		if bad.Status != community.PostHeld || slices.ContainsFunc(w.notes(w.planner), func(n notify.Notification) bool { return n.Kind == community.NoteAnswer }) {
			t.Fatalf("held answer = %+v, asker's notes %+v", bad, w.notes(w.planner))
		}
		noErr(t, w.svc.ModeratePost(w.ctx, w.mod, bad.ID, community.Moderate{Kind: community.ActApprovePost}))
		if !slices.ContainsFunc(w.notes(w.planner), func(n notify.Notification) bool { return n.Kind == community.NoteAnswer }) {
			t.Error("the asker was not told of the approved answer")
		}
		_, err = w.svc.Report(w.ctx, w.planner, bad.ID, community.ReportInput{Reason: community.ReasonPrivateInfo})
		noErr(t, err)
		noErr(t, w.svc.ModeratePost(w.ctx, w.mod, bad.ID, community.Moderate{Kind: community.ActHide, Private: true}))
		open, err := w.svc.Reports(w.ctx, w.mod, "")
		noErr(t, err)
		resolved, err := w.svc.Reports(w.ctx, w.mod, community.ReportResolved)
		noErr(t, err)
		if len(open) != 0 || len(resolved) != 1 || resolved[0].Resolution != "個人情報・患者情報のため非表示" {
			t.Errorf("open %+v, resolved %+v", open, resolved)
		}
		th, err = w.svc.Thread(w.ctx, w.planner, q.ID)
		noErr(t, err)
		if len(th.Answers) != 1 {
			t.Errorf("another member sees the hidden answer: %+v", th.Answers)
		}
		th, err = w.svc.Thread(w.ctx, w.owner, q.ID)
		noErr(t, err)
		if len(th.Answers) != 2 {
			t.Errorf("the author does not see their hidden answer: %+v", th.Answers)
		}
		var told bool
		for _, n := range w.notes(w.owner) {
			told = told || (n.Kind == community.NoteModeration && strings.Contains(n.Body, "患者"))
		}
		if !told {
			t.Error("the author was not told about the patient data")
		}
		wantCode(t, w.svc.ModeratePost(w.ctx, w.mod, bad.ID, community.Moderate{Kind: community.ActHide, Reason: "再度"}), apperr.Conflict)
		noErr(t, w.svc.ModeratePost(w.ctx, w.mod, bad.ID, community.Moderate{Kind: community.ActRestore, Reason: "修正されたため"}))
	})
}

// TestDigest sends the daily digest once with what came and queues the
// immediate member's mail at once.
func TestDigest(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		w.join(w.owner, w.planner, w.owner2)
		pm, err := w.db.CommunityMember(w.ctx, w.planner.UserID)
		noErr(t, err)
		_, err = w.svc.SaveCard(w.ctx, w.planner, community.CardInput{Digest: community.DigestImmediate, ShareRegion: true,
			ShareAge: true, AgeBand: community.Age40s, Version: pm.Version})
		noErr(t, err)
		// Today's mail (the approvals) is not what this test is about.
		before := len(w.mails("owner@example.jp"))
		w.clock.Advance(time.Hour)

		q := w.ask(w.owner, "電子カルテの選び方を教えてください", false)
		pq := w.ask(w.planner, "内装工事の相場はどれくらい？", false)
		w.clock.Advance(30 * time.Minute)
		w.answer(w.owner, pq.ID, "坪単価で見積もりを比べました。", false)
		if mails := w.mails("planner@example.jp"); !slices.ContainsFunc(mails, func(s string) bool { return strings.HasPrefix(s, "あなたの質問に回答がありました") }) {
			t.Errorf("the immediate member's mail was not queued: %q", mails)
		}
		w.clock.Advance(2 * time.Hour)
		w.answer(w.planner, q.ID, "クラウド型が便利です。", false)
		_, err = w.svc.Comment(w.ctx, w.owner2, q.ID, community.ReplyInput{Body: "同じく気になります。"})
		noErr(t, err)
		if n := len(w.mails("owner@example.jp")); n != before {
			t.Errorf("the daily member got %d e-mails at once", n-before)
		}

		w.clock.Advance(24 * time.Hour)
		n, err := w.svc.SendDigests(w.ctx)
		noErr(t, err)
		if n != 1 {
			t.Errorf("SendDigests = %d, want 1", n)
		}
		mails := w.mails("owner@example.jp")
		if len(mails) != before+1 || mails[0] != "掲示板のお知らせ（2件）" {
			t.Errorf("owner's e-mails = %q", mails)
		}
		stats, err := w.svc.Stats(w.ctx, w.owner2)
		noErr(t, err)
		if stats.Questions != 2 || stats.Unanswered != 0 || stats.AnsweredIn24h != 100 || stats.MedianFirstAnswer != 90*time.Minute ||
			len(stats.TopAnswerers) != 2 || stats.TopAnswerers[0].Stats.Answers != 1 {
			t.Errorf("stats = %+v", stats)
		}
		cards, err := w.svc.Members(w.ctx, w.owner2, community.MemberFilter{Region: "大阪府"})
		noErr(t, err)
		if len(cards) != 1 || cards[0].UserID != w.planner.UserID || cards[0].AgeBand != community.Age40s || cards[0].Specialties != nil {
			t.Errorf("cards in 大阪府 = %+v", cards)
		}

		w.clock.Advance(24 * time.Hour)
		n, err = w.svc.SendDigests(w.ctx)
		noErr(t, err)
		if n != 0 {
			t.Errorf("second day SendDigests = %d, want 0", n)
		}
		// More than one digest holds: the rest waits for the next one, and
		// nothing is lost — not even notes that share the page's last time.
		for i := range 52 {
			if i < 48 {
				w.clock.Advance(time.Second)
			}
			noErr(t, w.db.CreateNotification(w.ctx, &notify.Notification{UserID: w.owner.UserID, Kind: community.NoteAnswer,
				Title: fmt.Sprintf("回答 %d", i), CreatedAt: w.clock.Now()}))
		}
		w.clock.Advance(24 * time.Hour)
		if n, err := w.svc.SendDigests(w.ctx); err != nil || n != 1 {
			t.Fatalf("full digest = %d, %v", n, err)
		}
		w.clock.Advance(24 * time.Hour)
		if n, err := w.svc.SendDigests(w.ctx); err != nil || n != 1 {
			t.Fatalf("overflow digest = %d, %v", n, err)
		}
		mails = w.mails("owner@example.jp")
		var first, second int
		if len(mails) == before+3 {
			fmt.Sscanf(mails[1], "掲示板のお知らせ（%d件）", &first)
			fmt.Sscanf(mails[0], "掲示板のお知らせ（%d件）", &second)
		}
		if first+second != 52 || first > 50 || first < 45 {
			t.Errorf("owner's e-mails after 52 notifications = %q: %d then %d, want all 52 over two digests", mails, first, second)
		}
		ov, err := w.svc.Overview(w.ctx)
		noErr(t, err)
		if fmt.Sprint(ov.ByRegion) != "[{非公開 2} {その他（3人未満） 1}]" ||
			fmt.Sprint(ov.ByAge) != "[{非公開 2} {その他（3人未満） 1}]" {
			t.Errorf("overview = %+v", ov)
		}
	})
}
