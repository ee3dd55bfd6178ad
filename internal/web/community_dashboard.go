package web

import (
	"net/http"
	"strconv"

	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/httpx"
)

// communityCards adds the board's dashboard cards for the actor's standing:
// the moderators' queues, a member's board, a doctor's way in, a company
// contact's referral counts. A failure leaves the cards out: the dashboard
// must not fail because the board did.
func (s *Server) communityCards(r *http.Request, cur *httpx.Current, add func(title, body, href string)) {
	if s.Community == nil {
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	st, err := s.Community.Standing(ctx, actor)
	if err != nil {
		s.Log.WarnContext(ctx, "dashboard: community standing", "err", err)
		return
	}
	switch {
	case st.Company != nil:
		body := "紹介コードから参加した医師の人数（件数のみ）。"
		if ref, err := s.Community.MyReferrals(ctx, actor); err == nil {
			body = "紹介コード " + ref.Company.ReferralCode + " からの申請 " + strconv.Itoa(ref.Applied) + "人、参加中 " +
				strconv.Itoa(ref.Joined) + "人。"
		}
		add("掲示板の紹介実績", body, "/community/company")
		return
	case st.CanRead && !st.Moderator:
		body := "開業医・開業予定の医師の Q&A。基本的な質問こそ歓迎です。"
		if stats, err := s.Community.Stats(ctx, actor); err == nil && stats.Unanswered > 0 {
			body = "回答を待っている質問が" + strconv.Itoa(stats.Unanswered) + "件あります。" + body
		}
		add("掲示板", body, "/community")
	case st.Member != nil && st.Member.Status == community.StatusApplied:
		add("掲示板", "参加の申請を受け付けました。モデレーターの承認をお待ちください。", "/community")
	case st.CanApply:
		add("掲示板に参加する", "開業医・開業予定の医師だけの、医籍登録番号を確認した Q&A 掲示板です。", "/community")
	}
	if st.Moderator {
		body := "参加申請、通報、承認待ちの投稿を確認し、理由を添えて対応します。"
		apps, errA := s.Community.Applications(ctx, actor)
		reports, errR := s.Community.Reports(ctx, actor, community.ReportOpen)
		held, errH := s.Community.HeldPosts(ctx, actor)
		if errA == nil && errR == nil && errH == nil {
			body = "参加申請 " + strconv.Itoa(len(apps)) + "件、未対応の通報 " + strconv.Itoa(len(reports)) + "件、承認待ちの投稿 " +
				strconv.Itoa(len(held)) + "件。"
		}
		add("掲示板の管理", body, "/community/mod")
	}
}
