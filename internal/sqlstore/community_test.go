package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/sqlstore"
)

// communityT0 is a fixed instant the community tests count from.
var communityT0 = time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)

func at(minutes int) time.Time { return communityT0.Add(time.Duration(minutes) * time.Minute) }

// mustMember makes a user an active member.
func mustMember(t *testing.T, db *sqlstore.DB, email string) int64 {
	t.Helper()
	u := mustUser(t, db, email)
	joined := communityT0
	m := &community.Member{UserID: u.ID, Group: community.GroupClinicOwner, Status: community.StatusActive,
		Entry: community.EntryApplication, AppliedAt: communityT0, JoinedAt: &joined, Digest: community.DigestDaily, SharePractice: true}
	if err := db.CreateCommunityMember(context.Background(), m); err != nil {
		t.Fatalf("CreateCommunityMember(%s): %v", email, err)
	}
	return u.ID
}

// mustPost creates a post with its first revision.
func mustPost(t *testing.T, db *sqlstore.DB, p community.Post) *community.Post {
	t.Helper()
	if p.Status == "" {
		p.Status = community.PostVisible
	}
	rev := &community.Revision{EditorID: p.AuthorID, Title: p.Title, Body: p.Body, Tags: p.Tags, CreatedAt: p.CreatedAt}
	if err := db.CreateCommunityPost(context.Background(), &p, rev); err != nil {
		t.Fatalf("CreateCommunityPost(%q): %v", p.Title+p.Body, err)
	}
	if rev.ID == 0 || rev.PostID != p.ID || p.Version != 1 {
		t.Fatalf("after create: post %d v%d, revision %+v", p.ID, p.Version, rev)
	}
	return &p
}

func mustGetPost(t *testing.T, db *sqlstore.DB, id int64) *community.Post {
	t.Helper()
	p, err := db.CommunityPost(context.Background(), id)
	if err != nil {
		t.Fatalf("CommunityPost(%d): %v", id, err)
	}
	return p
}

func wantCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Errorf("%s: err = %v, want %s", what, err, code)
	}
}

func TestCommunityMembers(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "doc@example.jp")
		m := &community.Member{UserID: u.ID, Group: community.GroupPlanningToOpen, Status: community.StatusApplied,
			Entry: community.EntryApplication, ApplicationNote: "来春開業予定です。", AppliedAt: at(0), Digest: community.DigestDaily}
		if err := db.CreateCommunityMember(ctx, m); err != nil || m.Version != 1 {
			t.Fatalf("create: v%d, %v", m.Version, err)
		}
		again := *m
		wantCode(t, "second application", db.CreateCommunityMember(ctx, &again), apperr.Conflict)

		got, err := db.CommunityMember(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != community.StatusApplied || got.ApplicationNote != m.ApplicationNote || !got.AppliedAt.Equal(at(0)) || got.JoinedAt != nil {
			t.Errorf("stored member = %+v", got)
		}
		list, err := db.CommunityMembers(ctx, community.StatusApplied, 0)
		if err != nil || len(list) != 1 || list[0].UserID != u.ID {
			t.Errorf("CommunityMembers(applied) = %+v, %v", list, err)
		}

		// Optimistic update: the first writer wins, the stale one conflicts.
		stale := *got
		got.Status, got.DecisionReason, got.DecidedBy = community.StatusRejected, "確認できませんでした。", u.ID
		got.UpdatedAt = at(1)
		if err := db.UpdateCommunityMember(ctx, got); err != nil || got.Version != 2 {
			t.Fatalf("update: v%d, %v", got.Version, err)
		}
		stale.Status = community.StatusActive
		wantCode(t, "stale update", db.UpdateCommunityMember(ctx, &stale), apperr.Conflict)
		if _, err := db.CommunityMember(ctx, 424242); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing member: err = %v", err)
		}
		missing := community.Member{UserID: 424242, Version: 1}
		wantCode(t, "update of a missing member", db.UpdateCommunityMember(ctx, &missing), apperr.NotFound)

		// A rejected applicant may apply again: the row is overwritten.
		reapply := &community.Member{UserID: u.ID, Group: community.GroupClinicOwner, Status: community.StatusApplied,
			Entry: community.EntryApplication, ApplicationNote: "開業しました。", AppliedAt: at(10), Digest: community.DigestOff}
		if err := db.CreateCommunityMember(ctx, reapply); err != nil || reapply.Version != 3 {
			t.Fatalf("re-apply after rejection: v%d, %v", reapply.Version, err)
		}
		got, _ = db.CommunityMember(ctx, u.ID)
		if got.Group != community.GroupClinicOwner || got.DecisionReason != "" || got.Digest != community.DigestOff {
			t.Errorf("re-applied member = %+v", got)
		}

		// A banned member may not.
		banned := at(20)
		got.Status, got.BannedAt = community.StatusBanned, &banned
		if err := db.UpdateCommunityMember(ctx, got); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "application while banned", db.CreateCommunityMember(ctx, reapply), apperr.Conflict)
		// The schema refuses a banned status without its time.
		got.BannedAt = nil
		wantCode(t, "banned without banned_at", db.UpdateCommunityMember(ctx, got), apperr.Invalid)

		if err := db.MarkCommunityDigestSent(ctx, u.ID, at(30)); err != nil {
			t.Fatal(err)
		}
		got, _ = db.CommunityMember(ctx, u.ID)
		if got.DigestSentAt == nil || !got.DigestSentAt.Equal(at(30)) {
			t.Errorf("digest sent at = %v", got.DigestSentAt)
		}
	})
}

// Leaving and coming back keeps a silence or suspension still running;
// banned members stay on the cards, marked by their status.
func TestCommunityRejoinKeepsSanctions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		id := mustMember(t, db, "sanctioned@example.jp")
		m, err := db.CommunityMember(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		silenced, suspended := at(100), at(5)
		m.Status, m.SilencedUntil, m.SuspendedUntil, m.UpdatedAt = community.StatusLeft, &silenced, &suspended, at(1)
		if err := db.UpdateCommunityMember(ctx, m); err != nil {
			t.Fatal(err)
		}
		back := &community.Member{UserID: id, Group: community.GroupClinicOwner, Status: community.StatusApplied,
			Entry: community.EntryApplication, AppliedAt: at(10), UpdatedAt: at(10), Digest: community.DigestDaily}
		if err := db.CreateCommunityMember(ctx, back); err != nil {
			t.Fatal(err)
		}
		got, err := db.CommunityMember(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		// The silence runs on; the suspension ended before the return.
		for name, m := range map[string]*community.Member{"returned": back, "stored": got} {
			if m.SilencedUntil == nil || !m.SilencedUntil.Equal(silenced) || m.SuspendedUntil != nil {
				t.Errorf("%s member: silenced until %v, suspended until %v; want %v and none", name, m.SilencedUntil, m.SuspendedUntil, silenced)
			}
		}
		// A later end given with the new membership wins.
		got.Status, got.UpdatedAt = community.StatusLeft, at(11)
		if err := db.UpdateCommunityMember(ctx, got); err != nil {
			t.Fatal(err)
		}
		later := at(200)
		back = &community.Member{UserID: id, Group: community.GroupClinicOwner, Status: community.StatusApplied,
			Entry: community.EntryApplication, AppliedAt: at(12), UpdatedAt: at(12), Digest: community.DigestDaily, SilencedUntil: &later}
		if err := db.CreateCommunityMember(ctx, back); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.CommunityMember(ctx, id); got.SilencedUntil == nil || !got.SilencedUntil.Equal(later) {
			t.Errorf("silenced until %v, want %v", got.SilencedUntil, later)
		}

		// Cards: active and banned members, not applicants or leavers.
		banned := mustMember(t, db, "banned@example.jp")
		bm, _ := db.CommunityMember(ctx, banned)
		bannedAt := at(20)
		bm.Status, bm.BannedAt = community.StatusBanned, &bannedAt
		if err := db.UpdateCommunityMember(ctx, bm); err != nil {
			t.Fatal(err)
		}
		active := mustMember(t, db, "active@example.jp")
		cards, err := db.CommunityCards(ctx, 0)
		statuses := map[int64]community.MemberStatus{}
		for _, c := range cards {
			statuses[c.UserID] = c.Status
		}
		if err != nil || !reflect.DeepEqual(statuses, map[int64]community.MemberStatus{banned: community.StatusBanned,
			active: community.StatusActive}) {
			t.Errorf("cards = %v, %v", statuses, err)
		}
	})
}

func TestCommunityInvitationAcceptRace(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		inviter := mustMember(t, db, "inviter@example.jp")
		inv := &community.Invitation{InvitedBy: inviter, Note: "ぜひ", CreatedAt: at(0), ExpiresAt: at(60 * 24 * 14)}
		if err := db.CreateCommunityInvitation(ctx, inv, "hash-race"); err != nil {
			t.Fatal(err)
		}
		byToken, err := db.CommunityInvitationByToken(ctx, "hash-race")
		if err != nil || byToken.ID != inv.ID || byToken.AcceptedAt != nil || !byToken.Open(at(1)) {
			t.Fatalf("by token = %+v, %v", byToken, err)
		}
		var users []int64
		for i := range 2 {
			users = append(users, mustUser(t, db, fmt.Sprintf("invitee%d@example.jp", i)).ID)
		}
		errs := make([]error, len(users))
		var wg sync.WaitGroup
		for i, id := range users {
			wg.Go(func() {
				joined := at(5)
				m := &community.Member{UserID: id, Group: community.GroupClinicOwner, Status: community.StatusActive,
					Entry: community.EntryInvitation, InvitedBy: inviter, AppliedAt: joined, JoinedAt: &joined, Digest: community.DigestDaily}
				errs[i] = db.AcceptCommunityInvitation(ctx, inv.ID, m)
			})
		}
		wg.Wait()
		winner := -1
		for i, err := range errs {
			switch {
			case err == nil && winner < 0:
				winner = i
			case err == nil:
				t.Fatalf("both acceptances succeeded")
			default:
				wantCode(t, "losing acceptance", err, apperr.Conflict)
			}
		}
		if winner < 0 {
			t.Fatalf("no acceptance succeeded: %v", errs)
		}
		got, _ := db.CommunityInvitation(ctx, inv.ID)
		if got.AcceptedBy != users[winner] || got.AcceptedAt == nil {
			t.Errorf("invitation = %+v, want accepted by %d", got, users[winner])
		}
		if _, err := db.CommunityMember(ctx, users[1-winner]); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("the loser got a membership: %v", err)
		}
		wantCode(t, "revoke an accepted invitation", db.RevokeCommunityInvitation(ctx, inv.ID, at(6)), apperr.Conflict)
		wantCode(t, "revoke a missing invitation", db.RevokeCommunityInvitation(ctx, 424242, at(6)), apperr.NotFound)

		// Expired and revoked invitations cannot be accepted.
		late := &community.Invitation{InvitedBy: inviter, CreatedAt: at(0), ExpiresAt: at(10)}
		if err := db.CreateCommunityInvitation(ctx, late, "hash-late"); err != nil {
			t.Fatal(err)
		}
		joined := at(11)
		m := &community.Member{UserID: users[1-winner], Group: community.GroupClinicOwner, Status: community.StatusActive,
			Entry: community.EntryInvitation, AppliedAt: joined, JoinedAt: &joined}
		wantCode(t, "expired", db.AcceptCommunityInvitation(ctx, late.ID, m), apperr.Conflict)
		revoked := &community.Invitation{InvitedBy: inviter, CreatedAt: at(0), ExpiresAt: at(100)}
		if err := db.CreateCommunityInvitation(ctx, revoked, "hash-revoked"); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeCommunityInvitation(ctx, revoked.ID, at(1)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "revoked", db.AcceptCommunityInvitation(ctx, revoked.ID, m), apperr.Conflict)
		list, err := db.CommunityInvitations(ctx, inviter)
		if err != nil || len(list) != 3 {
			t.Errorf("CommunityInvitations = %d, %v", len(list), err)
		}
	})
}

func TestCommunityPostCounters(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		asker := mustMember(t, db, "asker@example.jp")
		answerer := mustMember(t, db, "answerer@example.jp")
		q := mustPost(t, db, community.Post{Kind: community.KindQuestion, AuthorID: asker, Title: "スタッフ採用", Body: "求人媒体は？", CreatedAt: at(0)})
		a1 := mustPost(t, db, community.Post{Kind: community.KindAnswer, QuestionID: q.ID, AuthorID: answerer, Body: "紹介です。", CreatedAt: at(10)})
		a2 := mustPost(t, db, community.Post{Kind: community.KindAnswer, QuestionID: q.ID, AuthorID: answerer, Body: "ハローワーク",
			Status: community.PostHeld, CreatedAt: at(20)})
		c1 := mustPost(t, db, community.Post{Kind: community.KindComment, QuestionID: q.ID, ParentID: a1.ID, AuthorID: asker,
			Body: "ありがとうございます", CreatedAt: at(30)})

		check := func(step string, count int, first *time.Time, activity time.Time) {
			t.Helper()
			got := mustGetPost(t, db, q.ID)
			if got.AnswerCount != count {
				t.Errorf("%s: answer count = %d, want %d", step, got.AnswerCount, count)
			}
			if (got.FirstAnswerAt == nil) != (first == nil) || (first != nil && !got.FirstAnswerAt.Equal(*first)) {
				t.Errorf("%s: first answer at = %v, want %v", step, got.FirstAnswerAt, first)
			}
			if !got.ActivityAt.Equal(activity) {
				t.Errorf("%s: activity at = %v, want %v", step, got.ActivityAt, activity)
			}
		}
		t10, t20 := at(10), at(20)
		check("one visible, one held answer, a comment", 1, &t10, at(30))
		if err := db.SetCommunityPostStatus(ctx, a1.ID, community.PostHidden, "患者情報", at(40)); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCommunityPostStatus(ctx, c1.ID, community.PostHidden, "患者情報", at(40)); err != nil {
			t.Fatal(err)
		}
		check("visible answer hidden", 0, nil, at(0))
		if err := db.SetCommunityPostStatus(ctx, a2.ID, community.PostVisible, "", at(50)); err != nil {
			t.Fatal(err)
		}
		check("held answer approved", 1, &t20, at(20))
		if err := db.SetCommunityPostStatus(ctx, a1.ID, community.PostVisible, "", at(60)); err != nil {
			t.Fatal(err)
		}
		check("hidden answer restored", 2, &t10, at(20))
		edited := at(70)
		a2 = mustGetPost(t, db, a2.ID)
		a2.EditedAt = &edited
		a2.Body = "ハローワークと紹介会社"
		if err := db.UpdateCommunityPost(ctx, a2, &community.Revision{EditorID: answerer, Body: a2.Body, CreatedAt: edited}); err != nil {
			t.Fatal(err)
		}
		check("answer edited", 2, &t10, at(70))
		if err := db.SetCommunityPostStatus(ctx, 424242, community.PostHidden, "x", at(80)); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("status of a missing post: %v", err)
		}

		// approved_posts: q, a1, c1 on insert; a2 on approval. Hiding and
		// restoring does not count again.
		m, _ := db.CommunityMember(ctx, answerer)
		if m.ApprovedPosts != 2 {
			t.Errorf("answerer's approved posts = %d, want 2", m.ApprovedPosts)
		}
		m, _ = db.CommunityMember(ctx, asker)
		if m.ApprovedPosts != 2 {
			t.Errorf("asker's approved posts = %d, want 2", m.ApprovedPosts)
		}

		thread, err := db.CommunityThread(ctx, q.ID)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, p := range thread {
			ids = append(ids, p.ID)
		}
		if want := []int64{q.ID, a1.ID, a2.ID, c1.ID}; !reflect.DeepEqual(ids, want) {
			t.Errorf("thread = %v, want %v", ids, want)
		}
		if _, err := db.CommunityThread(ctx, a1.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("thread of an answer: %v", err)
		}
		revs, err := db.CommunityPostRevisions(ctx, a2.ID)
		if err != nil || len(revs) != 2 || revs[1].Body != a2.Body {
			t.Errorf("revisions = %+v, %v", revs, err)
		}
		held, err := db.CommunityHeldPosts(ctx, 0)
		if err != nil || len(held) != 0 {
			t.Errorf("held = %+v, %v", held, err)
		}
		counts, err := db.CommunityCounts(ctx)
		if want := (community.PostCounts{Questions: 1, Answered: 1, Answers: 2}); err != nil || counts != want {
			t.Errorf("counts = %+v, %v, want %+v", counts, err, want)
		}
		times, err := db.CommunityQuestionTimes(ctx, at(-1))
		if err != nil || len(times) != 1 || times[0].FirstAnswerAt == nil || !times[0].FirstAnswerAt.Equal(t10) {
			t.Errorf("question times = %+v, %v", times, err)
		}
	})
}

func TestCommunityVotesAndAcceptedAnswer(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		asker := mustMember(t, db, "asker@example.jp")
		voter := mustMember(t, db, "voter@example.jp")
		q := mustPost(t, db, community.Post{Kind: community.KindQuestion, AuthorID: asker, Title: "承継", Body: "親の医院を継ぐか", CreatedAt: at(0)})
		a := mustPost(t, db, community.Post{Kind: community.KindAnswer, QuestionID: q.ID, AuthorID: voter, Body: "継ぎました", CreatedAt: at(1)})

		steps := []struct {
			name        string
			up          bool
			wantChanged bool
			wantScore   int
		}{
			{"upvote", true, true, 1},
			{"upvote again", true, false, 1},
			{"withdraw", false, true, 0},
			{"withdraw again", false, false, 0},
		}
		for _, s := range steps {
			changed, err := db.VoteCommunityPost(ctx, a.ID, voter, s.up, at(2))
			if err != nil || changed != s.wantChanged {
				t.Errorf("%s: changed = %v, %v; want %v", s.name, changed, err, s.wantChanged)
			}
			if got := mustGetPost(t, db, a.ID); got.Score != s.wantScore {
				t.Errorf("%s: score = %d, want %d", s.name, got.Score, s.wantScore)
			}
		}
		if _, err := db.VoteCommunityPost(ctx, 424242, voter, true, at(2)); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("vote on a missing post: %v", err)
		}
		if _, err := db.VoteCommunityPost(ctx, q.ID, voter, true, at(3)); err != nil {
			t.Fatal(err)
		}
		voted, err := db.CommunityVotes(ctx, voter, []int64{q.ID, a.ID})
		if err != nil || !reflect.DeepEqual(voted, map[int64]bool{q.ID: true}) {
			t.Errorf("votes = %v, %v", voted, err)
		}

		wantCode(t, "accept with a stale version", db.AcceptCommunityAnswer(ctx, q.ID, a.ID, q.Version+1, at(4)), apperr.Conflict)
		wantCode(t, "accept a post of another thread", db.AcceptCommunityAnswer(ctx, q.ID, q.ID, q.Version, at(4)), apperr.NotFound)
		if err := db.AcceptCommunityAnswer(ctx, q.ID, a.ID, q.Version, at(4)); err != nil {
			t.Fatal(err)
		}
		got := mustGetPost(t, db, q.ID)
		if got.AcceptedAnswerID != a.ID || got.AcceptedAt == nil || got.Version != q.Version+1 {
			t.Errorf("accepted question = %+v", got)
		}
		wantCode(t, "accept again with the old version", db.AcceptCommunityAnswer(ctx, q.ID, 0, q.Version, at(5)), apperr.Conflict)

		stats, err := db.CommunityMemberStats(ctx, []int64{asker, voter})
		want := map[int64]community.MemberStats{asker: {Questions: 1, UpvotesReceived: 1}, voter: {Answers: 1, AcceptedAnswers: 1}}
		if err != nil || !reflect.DeepEqual(stats, want) {
			t.Errorf("stats = %+v, %v; want %+v", stats, err, want)
		}
		top, err := db.CommunityTopAnswerers(ctx, at(-1), 5)
		if err != nil || !reflect.DeepEqual(top, []int64{voter}) {
			t.Errorf("top answerers = %v, %v", top, err)
		}

		if err := db.AcceptCommunityAnswer(ctx, q.ID, 0, got.Version, at(6)); err != nil {
			t.Fatal(err)
		}
		if got := mustGetPost(t, db, q.ID); got.AcceptedAnswerID != 0 || got.AcceptedAt != nil {
			t.Errorf("cleared question = %+v", got)
		}
	})
}

func TestCommunityQuestionSearch(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		for _, probe := range []bool{false, true} {
			t.Run(fmt.Sprintf("probe=%v", probe), func(t *testing.T) {
				if probe {
					if db.Dialect() != sqlstore.SQLite {
						t.Skip("the row probe is SQLite's")
					}
					t.Cleanup(sqlstore.SetProbeAboveForTest(1))
				}
				testQuestionSearch(t, db, probe)
			})
		}
	})
}

func testQuestionSearch(t *testing.T, db *sqlstore.DB, probe bool) {
	ctx := context.Background()
	prefix := fmt.Sprintf("p%v", probe)
	author := mustMember(t, db, prefix+"author@example.jp")
	q1 := mustPost(t, db, community.Post{Kind: community.KindQuestion, AuthorID: author, Title: "ＭＲＩの導入費用",
		Body: "開業時にリースか購入か迷っています。", CreatedAt: at(0)})
	q2 := mustPost(t, db, community.Post{Kind: community.KindQuestion, AuthorID: author, Title: "電子カルテ選び",
		Body: "クラウド型はどうですか。", CreatedAt: at(1)})
	mustPost(t, db, community.Post{Kind: community.KindAnswer, QuestionID: q2.ID, AuthorID: author,
		Body: "サポート体制で選びました。", CreatedAt: at(2)})
	hidden := mustPost(t, db, community.Post{Kind: community.KindAnswer, QuestionID: q2.ID, AuthorID: author,
		Body: "うちは紙カルテのままです。", CreatedAt: at(3)})
	if err := db.SetCommunityPostStatus(ctx, hidden.ID, community.PostHidden, "宣伝", at(4)); err != nil {
		t.Fatal(err)
	}
	mustPost(t, db, community.Post{Kind: community.KindAnswer, QuestionID: q2.ID, AuthorID: author,
		Body: "予約システムと連携できるものを。", Status: community.PostHeld, CreatedAt: at(5)})
	mustPost(t, db, community.Post{Kind: community.KindComment, QuestionID: q2.ID, ParentID: q2.ID, AuthorID: author,
		Body: "スキャナ保存は？", CreatedAt: at(6)})

	tests := []struct {
		text string
		want []int64
	}{
		{"mri", []int64{q1.ID}},         // 全角 in the title, 半角 in the query
		{"ﾘｰｽ", []int64{q1.ID}},         // 半角カナ
		{"りーす", []int64{q1.ID}},         // hiragana for katakana
		{"さぽーと 体制", []int64{q2.ID}},     // words of a visible answer find its question
		{"カルテ", []int64{q2.ID}},         // in the question and in answers: once
		{"紙カルテ", nil},                   // only in a hidden answer
		{"予約システム", nil},                 // only in a held answer
		{"スキャナ", nil},                   // comments are not searched
		{"\"導入費用\" 開業", []int64{q1.ID}}, // a phrase and a word
		{"導入費用 サポート", nil},              // every term in one post
	}
	for _, tt := range tests {
		list, next, err := db.CommunityQuestions(ctx, community.QuestionQuery{Text: jatext.ParseQuery(tt.text), AuthorID: author})
		if err != nil {
			t.Fatalf("%q: %v", tt.text, err)
		}
		var ids []int64
		for _, p := range list {
			ids = append(ids, p.ID)
		}
		if !reflect.DeepEqual(ids, tt.want) || next != "" {
			t.Errorf("%q = %v (next %q), want %v", tt.text, ids, next, tt.want)
		}
	}
	// A hidden question is not found, even through its answers.
	if err := db.SetCommunityPostStatus(ctx, q2.ID, community.PostHidden, "重複", at(7)); err != nil {
		t.Fatal(err)
	}
	if list, _, err := db.CommunityQuestions(ctx, community.QuestionQuery{Text: jatext.ParseQuery("サポート"), AuthorID: author}); err != nil || len(list) != 0 {
		t.Errorf("hidden question found: %+v, %v", list, err)
	}
}

func TestCommunityQuestionFiltersAndPaging(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		alice := mustMember(t, db, "alice@example.jp")
		bob := mustMember(t, db, "bob@example.jp")
		tag := &community.Tag{Name: "労務", Category: community.TagTopic}
		if err := db.SaveCommunityTag(ctx, tag); err != nil {
			t.Fatal(err)
		}
		// Eight questions: 0..7, every third with the tag, odd ones
		// anonymous, Bob's the last two, created a minute apart; the
		// scores repeat so that the tie-breaker matters.
		var qs []*community.Post
		for i := range 8 {
			p := community.Post{Kind: community.KindQuestion, AuthorID: alice, Anonymous: i%2 == 1,
				Title: fmt.Sprintf("質問%d", i), Body: "本文", CreatedAt: at(i)}
			if i >= 6 {
				p.AuthorID = bob
			}
			if i%3 == 0 {
				p.Tags = []string{"労務"}
			}
			qs = append(qs, mustPost(t, db, p))
		}
		for i, q := range qs {
			for v := range i % 3 {
				voter := mustUser(t, db, fmt.Sprintf("v%d-%d@example.jp", i, v))
				if _, err := db.VoteCommunityPost(ctx, q.ID, voter.ID, true, at(20)); err != nil {
					t.Fatal(err)
				}
			}
		}
		// Question 2 answered (activity moves to 30), question 4 solved.
		a2 := mustPost(t, db, community.Post{Kind: community.KindAnswer, QuestionID: qs[2].ID, AuthorID: bob, Body: "回答", CreatedAt: at(30)})
		a4 := mustPost(t, db, community.Post{Kind: community.KindAnswer, QuestionID: qs[4].ID, AuthorID: bob, Body: "回答", CreatedAt: at(25)})
		if err := db.AcceptCommunityAnswer(ctx, qs[4].ID, a4.ID, 1, at(31)); err != nil {
			t.Fatal(err)
		}
		_ = a2
		// A hidden question is never listed.
		hidden := mustPost(t, db, community.Post{Kind: community.KindQuestion, AuthorID: alice, Title: "隠す", Body: "本文", CreatedAt: at(9)})
		if err := db.SetCommunityPostStatus(ctx, hidden.ID, community.PostHidden, "重複", at(10)); err != nil {
			t.Fatal(err)
		}

		ids := func(idx ...int) []int64 {
			var out []int64
			for _, i := range idx {
				out = append(out, qs[i].ID)
			}
			return out
		}
		tests := []struct {
			name string
			q    community.QuestionQuery
			want []int64
		}{
			{"activity", community.QuestionQuery{}, ids(2, 4, 7, 6, 5, 3, 1, 0)},
			{"newest", community.QuestionQuery{Sort: community.SortNewest}, ids(7, 6, 5, 4, 3, 2, 1, 0)},
			{"oldest", community.QuestionQuery{Sort: community.SortOldest}, ids(0, 1, 2, 3, 4, 5, 6, 7)},
			{"votes", community.QuestionQuery{Sort: community.SortVotes}, ids(5, 2, 7, 4, 1, 6, 3, 0)},
			{"tag", community.QuestionQuery{TagID: tag.ID, Sort: community.SortOldest}, ids(0, 3, 6)},
			{"solved", community.QuestionQuery{State: community.StateSolved}, ids(4)},
			{"unsolved", community.QuestionQuery{State: community.StateUnsolved, Sort: community.SortOldest}, ids(0, 1, 2, 3, 5, 6, 7)},
			{"unanswered", community.QuestionQuery{State: community.StateUnanswered, Sort: community.SortOldest}, ids(0, 1, 3, 5, 6, 7)},
			{"author, named only", community.QuestionQuery{AuthorID: alice, Sort: community.SortOldest}, ids(0, 2, 4)},
			{"author with anonymous", community.QuestionQuery{AuthorID: alice, IncludeAnonymous: true, Sort: community.SortOldest}, ids(0, 1, 2, 3, 4, 5)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				for _, limit := range []int{0, 1, 3, 100} {
					var got []int64
					seen := map[int64]bool{}
					q := tt.q
					q.Limit = limit
					for page := 0; ; page++ {
						list, next, err := db.CommunityQuestions(ctx, q)
						if err != nil {
							t.Fatalf("limit %d page %d: %v", limit, page, err)
						}
						if limit > 0 && len(list) > limit {
							t.Fatalf("limit %d: page of %d", limit, len(list))
						}
						for _, p := range list {
							if seen[p.ID] {
								t.Fatalf("limit %d: %d listed twice", limit, p.ID)
							}
							seen[p.ID] = true
							got = append(got, p.ID)
						}
						if next == "" {
							break
						}
						if page > 20 {
							t.Fatal("paging does not end")
						}
						q.Cursor = next
					}
					if !reflect.DeepEqual(got, tt.want) {
						t.Errorf("limit %d: %v, want %v", limit, got, tt.want)
					}
				}
			})
		}
		if _, _, err := db.CommunityQuestions(ctx, community.QuestionQuery{Cursor: "garbage"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("bad cursor: %v", err)
		}
		_, next, _ := db.CommunityQuestions(ctx, community.QuestionQuery{Limit: 1, Sort: community.SortVotes})
		if _, _, err := db.CommunityQuestions(ctx, community.QuestionQuery{Cursor: next}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("cursor of another sort: %v", err)
		}
		got := mustGetPost(t, db, qs[0].ID)
		if !reflect.DeepEqual(got.Tags, []string{"労務"}) {
			t.Errorf("tags = %v", got.Tags)
		}
		err := db.CreateCommunityPost(ctx, &community.Post{Kind: community.KindQuestion, AuthorID: alice, Title: "x", Body: "x",
			Status: community.PostVisible, Tags: []string{"存在しない"}}, &community.Revision{EditorID: alice, Body: "x"})
		wantCode(t, "unknown tag", err, apperr.Invalid)
		mine, err := db.CommunityPostsBy(ctx, bob, false, 0)
		if err != nil || len(mine) != 3 || mine[0].ID != a2.ID {
			t.Errorf("Bob's named posts = %d, %v", len(mine), err)
		}
	})
}

func TestCommunityTags(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		it := &community.Tag{Name: "IT", Category: community.TagTopic, Synonyms: []string{"デジタル", "ＤＸ", "it"}}
		if err := db.SaveCommunityTag(ctx, it); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(it.Synonyms, []string{"デジタル", "DX"}) {
			t.Errorf("kept synonyms = %v (a synonym folding to the name is dropped)", it.Synonyms)
		}
		money := &community.Tag{Name: "資金", Category: community.TagTopic, Synonyms: []string{"ファイナンス"}}
		if err := db.SaveCommunityTag(ctx, money); err != nil {
			t.Fatal(err)
		}
		got, err := db.ResolveCommunityTags(ctx, []string{"ｄｘ", "でじたる", "it", "ﾌｧｲﾅﾝｽ", "不明", ""})
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]string{}
		for k, v := range got {
			names[k] = v.Name
		}
		want := map[string]string{"ｄｘ": "IT", "でじたる": "IT", "it": "IT", "ﾌｧｲﾅﾝｽ": "資金"}
		if !reflect.DeepEqual(names, want) {
			t.Errorf("resolved = %v, want %v", names, want)
		}

		clash := &community.Tag{Name: "財務", Category: community.TagTopic, Synonyms: []string{"ふぁいなんす"}}
		wantCode(t, "synonym of another tag (folded)", db.SaveCommunityTag(ctx, clash), apperr.Conflict)
		wantCode(t, "name of another tag as synonym", db.SaveCommunityTag(ctx, &community.Tag{Name: "会計", Category: community.TagTopic,
			Synonyms: []string{"資金"}}), apperr.Conflict)
		wantCode(t, "same name", db.SaveCommunityTag(ctx, &community.Tag{Name: "IT", Category: community.TagTopic}), apperr.Conflict)

		// Updating replaces the synonyms; the freed one resolves to nothing.
		money.Synonyms = []string{"借入"}
		if err := db.SaveCommunityTag(ctx, money); err != nil {
			t.Fatal(err)
		}
		got, _ = db.ResolveCommunityTags(ctx, []string{"ファイナンス", "借入"})
		if _, ok := got["ファイナンス"]; ok || got["借入"].ID != money.ID {
			t.Errorf("after update: %+v", got)
		}
		tags, err := db.CommunityTags(ctx)
		if err != nil || len(tags) != 2 || tags[0].Name != "IT" || !reflect.DeepEqual(tags[1].Synonyms, []string{"借入"}) {
			t.Errorf("tags = %+v, %v", tags, err)
		}
		if _, err := db.CommunityTag(ctx, 424242); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing tag: %v", err)
		}
	})
}

func TestCommunityReports(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		author := mustMember(t, db, "author@example.jp")
		reporter := mustMember(t, db, "reporter@example.jp")
		other := mustMember(t, db, "other@example.jp")
		mod := mustUser(t, db, "mod@example.jp").ID
		q := mustPost(t, db, community.Post{Kind: community.KindQuestion, AuthorID: author, Title: "集患", Body: "どうしてる？", CreatedAt: at(0)})

		r := &community.Report{PostID: q.ID, ReporterID: reporter, Reason: community.ReasonShowingOff, CreatedAt: at(1)}
		if err := db.CreateCommunityReport(ctx, r); err != nil {
			t.Fatal(err)
		}
		dup := &community.Report{PostID: q.ID, ReporterID: reporter, Reason: community.ReasonHostile, CreatedAt: at(2)}
		wantCode(t, "second open report", db.CreateCommunityReport(ctx, dup), apperr.Conflict)
		wantCode(t, "other without a note", db.CreateCommunityReport(ctx,
			&community.Report{PostID: q.ID, ReporterID: other, Reason: community.ReasonOther}), apperr.Invalid)
		if err := db.CreateCommunityReport(ctx, &community.Report{PostID: q.ID, ReporterID: other, Reason: community.ReasonAdvertising, CreatedAt: at(3)}); err != nil {
			t.Fatal(err)
		}

		if err := db.CloseCommunityReport(ctx, r.ID, community.ReportDismissed, mod, "問題なし", at(4)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "close twice", db.CloseCommunityReport(ctx, r.ID, community.ReportResolved, mod, "x", at(5)), apperr.Conflict)
		wantCode(t, "close a missing report", db.CloseCommunityReport(ctx, 424242, community.ReportResolved, mod, "x", at(5)), apperr.NotFound)
		got, err := db.CommunityReport(ctx, r.ID)
		if err != nil || got.Status != community.ReportDismissed || got.ClosedBy != mod || got.ClosedAt == nil || got.Resolution != "問題なし" {
			t.Errorf("closed report = %+v, %v", got, err)
		}
		// Closed, the reporter may report the post again.
		if err := db.CreateCommunityReport(ctx, dup); err != nil {
			t.Fatalf("report after close: %v", err)
		}
		open, err := db.CommunityReports(ctx, community.ReportOpen, 0, 0)
		if err != nil || len(open) != 2 {
			t.Errorf("open reports = %+v, %v", open, err)
		}
		n, err := db.CloseCommunityReportsOf(ctx, q.ID, community.ReportResolved, mod, "非表示にしました", at(6))
		if err != nil || n != 2 {
			t.Errorf("CloseCommunityReportsOf = %d, %v", n, err)
		}
		all, _ := db.CommunityReports(ctx, "", q.ID, 0)
		if len(all) != 3 {
			t.Errorf("reports of the post = %d", len(all))
		}

		until := at(60 * 24 * 7)
		acts := []*community.Action{
			{Kind: community.ActWarn, ModeratorID: mod, MemberID: author, PostID: q.ID, Reason: "マウントはやめましょう", CreatedAt: at(7)},
			{Kind: community.ActSilence, ModeratorID: mod, MemberID: author, Reason: "再三の警告", Until: &until, CreatedAt: at(8)},
			{Kind: community.ActSettings, ModeratorID: mod, Reason: "ルール改定", CreatedAt: at(9)},
		}
		for _, a := range acts {
			if err := db.AddCommunityAction(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		log, err := db.CommunityActions(ctx, author, 0)
		if err != nil || len(log) != 2 || log[0].Kind != community.ActSilence || log[0].Until == nil || !log[0].Until.Equal(until) {
			t.Errorf("member's log = %+v, %v", log, err)
		}
		if all, _ := db.CommunityActions(ctx, 0, 0); len(all) != 3 {
			t.Errorf("whole log = %d entries", len(all))
		}
	})
}

func TestCommunityReferrals(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		admin := mustUser(t, db, "admin@example.jp").ID
		c := &community.Company{Name: "メディカル機器株式会社", ReferralCode: "MED2026", CreatedBy: admin, CreatedAt: at(0)}
		if err := db.CreateCommunityCompany(ctx, c); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "same code in other case", db.CreateCommunityCompany(ctx,
			&community.Company{Name: "別会社", ReferralCode: "med2026", CreatedBy: admin}), apperr.Conflict)
		if got, err := db.CommunityCompanyByCode(ctx, "med2026"); err != nil || got.ID != c.ID {
			t.Errorf("by code = %+v, %v", got, err)
		}
		contact := mustUser(t, db, "contact@example.jp").ID
		if err := db.AddCommunityCompanyContact(ctx, c.ID, contact, at(0)); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "contact twice", db.AddCommunityCompanyContact(ctx, c.ID, contact, at(0)), apperr.Conflict)
		if got, err := db.CommunityCompanyOf(ctx, contact); err != nil || got.ID != c.ID {
			t.Errorf("company of = %+v, %v", got, err)
		}

		// 2026-10-31 15:00 UTC is 11月1日 0時 in Japan.
		applied := []struct {
			at     time.Time
			status community.MemberStatus
		}{
			{time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC), community.StatusActive},
			{time.Date(2026, 10, 31, 14, 59, 0, 0, time.UTC), community.StatusRejected},
			{time.Date(2026, 10, 31, 15, 0, 0, 0, time.UTC), community.StatusActive},
			{time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC), community.StatusApplied},
		}
		for i, a := range applied {
			u := mustUser(t, db, fmt.Sprintf("ref%d@example.jp", i))
			m := &community.Member{UserID: u.ID, Group: community.GroupClinicOwner, Status: a.status, Entry: community.EntryApplication,
				CompanyID: c.ID, AppliedAt: a.at, Digest: community.DigestDaily}
			if a.status == community.StatusActive {
				m.JoinedAt = &a.at
			}
			if err := db.CreateCommunityMember(ctx, m); err != nil {
				t.Fatal(err)
			}
		}
		mustMember(t, db, "noref@example.jp")
		r, err := db.CommunityReferrals(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantMonths := []community.MonthCount{{Month: "2026-10", Applied: 2, Joined: 1}, {Month: "2026-11", Applied: 2, Joined: 1}}
		if r.Applied != 4 || r.Joined != 2 || r.Contacts != 1 || !reflect.DeepEqual(r.ByMonth, wantMonths) {
			t.Errorf("referrals = %+v", r)
		}
		disabled := at(5)
		if err := db.SetCommunityCompanyDisabled(ctx, c.ID, &disabled); err != nil {
			t.Fatal(err)
		}
		if list, err := db.CommunityCompanies(ctx); err != nil || len(list) != 1 || list[0].DisabledAt == nil {
			t.Errorf("companies = %+v, %v", list, err)
		}
	})
}

func TestCommunitySettingsCardsAndNotifications(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		if _, err := db.PlatformOrgID(ctx); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("no platform: %v", err)
		}
		org := &identity.Organisation{Kind: identity.OrgPlatform, Name: "Hakui 運営"}
		if err := db.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		if id, err := db.PlatformOrgID(ctx); err != nil || id != org.ID {
			t.Errorf("platform = %d, %v", id, err)
		}

		s, err := db.CommunitySettings(ctx)
		if err != nil || s.Version != 0 || s.Rules != "" {
			t.Fatalf("unsaved settings = %+v, %v", s, err)
		}
		admin := mustUser(t, db, "admin@example.jp").ID
		// A version that was never stored is stale, not missing.
		ahead := &community.Settings{Rules: "先走り", Version: 3, UpdatedBy: admin}
		wantCode(t, "save of a version never stored", db.SaveCommunitySettings(ctx, ahead), apperr.Conflict)
		first := &community.Settings{Rules: "マウント禁止", HoldFirstPosts: 2, UpdatedBy: admin, UpdatedAt: at(0)}
		if err := db.SaveCommunitySettings(ctx, first); err != nil || first.Version != 1 {
			t.Fatalf("first save: v%d, %v", first.Version, err)
		}
		racing := &community.Settings{Rules: "別", UpdatedBy: admin}
		wantCode(t, "second first save", db.SaveCommunitySettings(ctx, racing), apperr.Conflict)
		first.Rules = "マウント・嫌味禁止"
		if err := db.SaveCommunitySettings(ctx, first); err != nil || first.Version != 2 {
			t.Fatalf("second save: v%d, %v", first.Version, err)
		}
		racing.Version = 1
		wantCode(t, "stale save", db.SaveCommunitySettings(ctx, racing), apperr.Conflict)
		if s, _ := db.CommunitySettings(ctx); s.Rules != "マウント・嫌味禁止" || s.HoldFirstPosts != 2 || s.Version != 2 {
			t.Errorf("settings = %+v", s)
		}

		// A member without a profile still has a card.
		bare := mustMember(t, db, "bare@example.jp")
		cards, err := db.CommunityCards(ctx, 0)
		if err != nil || len(cards) != 1 || cards[0].UserID != bare || cards[0].Name == "" || len(cards[0].Specialties) != 0 {
			t.Errorf("cards = %+v, %v", cards, err)
		}
		due, err := db.CommunityDigestDue(ctx)
		if err != nil || len(due) != 1 || due[0].UserID != bare {
			t.Errorf("digest due = %+v, %v", due, err)
		}

		before := time.Now().UTC().Add(-time.Hour)
		for _, kind := range []string{"community.answer", "openings.match", "community.accepted"} {
			if err := db.CreateNotification(ctx, &notify.Notification{UserID: bare, Kind: kind, Title: kind}); err != nil {
				t.Fatal(err)
			}
		}
		list, err := db.NotificationsSince(ctx, bare, "community.", before, 0)
		if err != nil || len(list) != 2 || list[0].Kind != "community.answer" || list[1].Kind != "community.accepted" {
			t.Errorf("notifications since = %+v, %v", list, err)
		}
		if list, _ := db.NotificationsSince(ctx, bare, "community.", time.Now().Add(time.Hour), 0); len(list) != 0 {
			t.Errorf("notifications after now = %d", len(list))
		}
	})
}
