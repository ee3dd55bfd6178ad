package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/markdown"
	"github.com/hakui-dev/hakui/internal/policy"
)

// communityRoutes registers the board's pages (掲示板): the landing page
// and rules for everyone, membership, the questions and answers for
// members, the moderators' tools, and a company contact's referral counts.
func (s *Server) communityRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /community", s.communityHome)
	mux.HandleFunc("GET /community/rules", s.communityRules)
	mux.Handle("GET /community/apply", s.signedIn(s.communityApplyPage))
	mux.Handle("POST /community/apply", s.signedIn(s.communityApply))
	mux.HandleFunc("GET /community/join/{token}", s.communityJoinPage)
	mux.Handle("POST /community/join/{token}", s.signedIn(s.communityJoin))
	mux.Handle("GET /community/invitations", s.signedIn(s.communityInvitations))
	mux.Handle("POST /community/invitations", s.signedIn(s.communityInvite))
	mux.Handle("POST /community/invitations/{id}/revoke", s.signedIn(s.communityRevokeInvitation))
	mux.Handle("GET /community/company", s.signedIn(s.communityCompany))
	mux.Handle("GET /community/notices", s.signedIn(s.communityNotices))
	s.communityPostRoutes(mux)
	s.communityModRoutes(mux)
}

// actorOf is the request's actor; the zero actor for a visitor.
func actorOf(r *http.Request) policy.Actor {
	if cur := httpx.CurrentFrom(r.Context()); cur != nil {
		return cur.Actor()
	}
	return policy.Actor{}
}

// communityLink is a question's page, at the post when it is an answer or
// a comment.
func communityLink(p *community.PostView) string {
	q := p.QuestionID
	if p.Kind == community.KindQuestion || q == 0 {
		q = p.ID
	}
	link := "/community/questions/" + strconv.FormatInt(q, 10)
	if p.ID != q {
		link += "#post-" + strconv.FormatInt(p.ID, 10)
	}
	return link
}

// formVersion reads the version field; a malformed one is stale (-1).
func formVersion(v url.Values) int {
	n, err := strconv.Atoi(v.Get("version"))
	if err != nil {
		return -1
	}
	return n
}

// splitTags reads a comma-, 、- or space-separated tag field.
func splitTags(raw string) []string {
	return strings.FieldsFunc(raw, func(r rune) bool {
		return r == ',' || r == '、' || r == '，' || r == ' ' || r == '　' || r == '\n' || r == '\t' || r == '\r'
	})
}

// communityHome is the board for members and moderators, and the landing
// page for everyone else; a company contact goes to their counts.
func (s *Server) communityHome(w http.ResponseWriter, r *http.Request) {
	ctx, actor := r.Context(), actorOf(r)
	st, err := s.Community.Standing(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if st.Company != nil && !st.Moderator {
		redirect(w, r, "/community/company")
		return
	}
	if !st.CanRead {
		s.communityLanding(w, r, st)
		return
	}
	s.communityBoard(w, r, st, false)
}

// communityLanding shows an outsider the rules, the mix of members
// (counts only) and where they stand.
func (s *Server) communityLanding(w http.ResponseWriter, r *http.Request, st *community.Standing) {
	ctx := r.Context()
	ov, err := s.Community.Overview(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	set, err := s.Community.Settings(ctx)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "community_landing", &page{Title: "開業医の掲示板", Data: map[string]any{
		"Standing": st, "State": s.stateOf(st), "Overview": ov, "Rules": markdown.Render(set.Rules),
		"Applied": st.Member != nil && st.Member.Status == community.StatusApplied}})
}

// memberState is what a member's sanctions leave of their standing, for
// pages to say it instead of the generic blockers.
type memberState struct {
	Banned         bool
	SuspendedUntil *time.Time // nil: not suspended now
	SilencedUntil  *time.Time // nil: not silenced now
	// ProfileBlocked: the actor cannot apply because of their profile
	// (the 医籍登録番号 or the 勤務形態), so the profile hint helps.
	ProfileBlocked bool
}

// Restricted reports whether a sanction is running.
func (m memberState) Restricted() bool {
	return m.Banned || m.SuspendedUntil != nil || m.SilencedUntil != nil
}

func (s *Server) stateOf(st *community.Standing) memberState {
	ms := memberState{ProfileBlocked: st.Doctor && st.Company == nil && (!st.Verified || st.Group == "")}
	m := st.Member
	if m == nil {
		return ms
	}
	now := s.Community.Now()
	ms.Banned = m.Status == community.StatusBanned
	if m.Suspended(now) {
		ms.SuspendedUntil = m.SuspendedUntil
	}
	if m.Silenced(now) {
		ms.SilencedUntil = m.SilencedUntil
	}
	return ms
}

// communityNotices lists the moderators' actions about the signed-in
// user with their reasons: a banned or suspended member reads them here,
// where the board itself is closed to them.
func (s *Server) communityNotices(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ctx, actor := r.Context(), cur.Actor()
	st, err := s.Community.Standing(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	notices, err := s.Community.Notices(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "community_notices", &page{Title: "モデレーターからのお知らせ", Data: map[string]any{
		"Standing": st, "State": s.stateOf(st), "Notices": notices}})
}

// questionStates and questionSorts are the list's choices in display
// order.
var (
	questionStates = []struct {
		Value community.QuestionState
		Label string
	}{{community.StateAll, "すべて"}, {community.StateSolved, "解決済み"}, {community.StateUnsolved, "未解決"}, {community.StateUnanswered, "回答なし"}}
	questionSorts = []struct {
		Value community.QuestionSort
		Label string
	}{{community.SortNewest, "新着順"}, {community.SortActivity, "更新順"}, {community.SortVotes, "いいね順"}}
)

// communityBoard lists questions with the search, filters and stats;
// unanswered is the unanswered queue, the longest waiting first.
func (s *Server) communityBoard(w http.ResponseWriter, r *http.Request, st *community.Standing, unanswered bool) {
	ctx, actor := r.Context(), actorOf(r)
	q := r.URL.Query()
	f := community.QuestionFilter{Query: q.Get("q"), Tag: q.Get("tag"), State: community.QuestionState(q.Get("state")),
		Sort: community.QuestionSort(q.Get("sort")), Cursor: q.Get("cursor")}
	if !q.Has("sort") {
		f.Sort = community.SortNewest
		q.Set("sort", string(f.Sort))
	}
	name, title := "community", "掲示板"
	if unanswered {
		f = community.QuestionFilter{State: community.StateUnanswered, Sort: community.SortOldest, Cursor: q.Get("cursor")}
		title = "回答を待っている質問"
	}
	q.Del("cursor") // the form starts again from the first page
	stats, err := s.Community.Stats(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	tags, err := s.Community.Tags(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &page{Title: title, Form: q}
	data := map[string]any{"Standing": st, "State": s.stateOf(st), "Stats": stats, "Tags": tags, "States": questionStates, "Sorts": questionSorts, "Unanswered": unanswered}
	p.Data = data
	list, err := s.Community.Questions(ctx, actor, f)
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			data["Page"] = &community.QuestionPage{}
			s.pageError(w, r, name, p, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	data["Page"] = list
	if list.Next != "" {
		next := cloneValues(q)
		if unanswered {
			next = url.Values{}
		}
		next.Set("cursor", list.Next)
		data["NextLink"] = r.URL.Path + "?" + next.Encode()
	}
	s.render(w, r, http.StatusOK, name, p)
}

func (s *Server) communityUnanswered(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	st, err := s.Community.Standing(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !st.CanRead {
		s.fail(w, r, apperr.E(apperr.Forbidden, "掲示板は参加している会員だけが見られます。"))
		return
	}
	s.communityBoard(w, r, st, true)
}

func (s *Server) communityRules(w http.ResponseWriter, r *http.Request) {
	set, err := s.Community.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "community_rules", &page{Title: "掲示板のルール", Data: map[string]any{
		"Rules": markdown.Render(set.Rules), "UpdatedAt": set.UpdatedAt, "Saved": set.Version > 0}})
}

// ---- Membership ----

func (s *Server) communityApplyPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderApply(w, r, cur, &page{Form: url.Values{"referral_code": {r.URL.Query().Get("ref")}}}, nil)
}

func (s *Server) renderApply(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	st, err := s.Community.Standing(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = "掲示板への参加を申し込む"
	p.Data = map[string]any{"Standing": st, "State": s.stateOf(st), "Applied": st.Member != nil && st.Member.Status == community.StatusApplied}
	if formErr != nil {
		s.formError(w, r, "community_apply", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_apply", p)
}

func (s *Server) communityApply(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	_, err := s.Community.Apply(r.Context(), cur.Actor(), community.Application{Note: strings.TrimSpace(v.Get("note")),
		ReferralCode: jatext.NormalizeLine(v.Get("referral_code"))})
	if err != nil {
		s.renderApply(w, r, cur, &page{}, renameFields(err, map[string]string{"referralcode": "referral_code"}))
		return
	}
	s.setFlash(w, "参加を申し込みました。モデレーターの承認をお待ちください。")
	redirect(w, r, "/community")
}

// msgNoInvitation is said of an unknown or expired invitation link.
const msgNoInvitation = "招待リンクが見つからないか、有効期限が切れています。"

// communityJoinPage shows an invitation: who invited, the note and the
// expiry, and the form to accept it (after signing in).
func (s *Server) communityJoinPage(w http.ResponseWriter, r *http.Request) {
	s.renderJoin(w, r, &page{Form: url.Values{"referral_code": {r.URL.Query().Get("ref")}}}, nil)
}

func (s *Server) renderJoin(w http.ResponseWriter, r *http.Request, p *page, formErr error) {
	ctx, token := r.Context(), r.PathValue("token")
	info, err := s.Community.Invitation(ctx, token)
	if apperr.Is(err, apperr.NotFound) {
		err = apperr.E(apperr.NotFound, "%s", msgNoInvitation)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Community.Standing(ctx, actorOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = "掲示板への招待"
	p.Data = map[string]any{"Invitation": info, "Token": token, "Standing": st, "State": s.stateOf(st),
		"Expired": !s.Community.Now().Before(info.ExpiresAt), "Login": "/login?next=" + url.QueryEscape("/community/join/"+token)}
	if formErr != nil {
		s.formError(w, r, "community_join", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_join", p)
}

func (s *Server) communityJoin(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	_, err := s.Community.AcceptInvitation(r.Context(), cur.Actor(), r.PathValue("token"),
		community.Application{ReferralCode: jatext.NormalizeLine(r.PostForm.Get("referral_code"))})
	if err != nil {
		s.renderJoin(w, r, &page{}, renameFields(err, map[string]string{"referralcode": "referral_code"}))
		return
	}
	s.setFlash(w, "掲示板に参加しました。ようこそ。")
	redirect(w, r, "/community")
}

func (s *Server) communityInvitations(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderInvitations(w, r, cur, &page{}, nil)
}

func (s *Server) renderInvitations(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	list, err := s.Community.Invitations(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.Community.Now()
	type row struct {
		community.Invitation
		OpenNow bool
	}
	rows := make([]row, len(list))
	for i, inv := range list {
		rows[i] = row{Invitation: inv, OpenNow: inv.Open(now)}
	}
	p.Title = "会員を招待する"
	if p.Data == nil {
		p.Data = map[string]any{}
	}
	p.Data.(map[string]any)["Invitations"] = rows
	if formErr != nil {
		s.formError(w, r, "community_invitations", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_invitations", p)
}

func (s *Server) communityInvite(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	token, inv, err := s.Community.Invite(r.Context(), cur.Actor(), community.InvitationInput{
		Email: jatext.NormalizeLine(v.Get("email")), Note: strings.TrimSpace(v.Get("note"))})
	if err != nil {
		s.renderInvitations(w, r, cur, &page{}, err)
		return
	}
	// The link is shown once: only its hash is kept.
	link := strings.TrimRight(s.BaseURL, "/") + "/community/join/" + token
	s.renderInvitations(w, r, cur, &page{Flash: "招待を作りました。リンクはこの画面でだけ表示されます。",
		Data: map[string]any{"NewLink": link, "NewInvitation": inv}}, nil)
}

func (s *Server) communityRevokeInvitation(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.act(w, r, func(id int64) error { return s.Community.RevokeInvitation(r.Context(), cur.Actor(), id) },
		"招待を取り消しました。", "/community/invitations")
}

// communityCompany shows a company contact their referral counts and
// nothing of the board.
func (s *Server) communityCompany(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ref, err := s.Community.MyReferrals(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "community_company", &page{Title: "紹介実績", Data: map[string]any{"Referrals": ref,
		"ApplyLink": strings.TrimRight(s.BaseURL, "/") + "/community/apply?ref=" + url.QueryEscape(ref.Company.ReferralCode)}})
}

// untilDate reads a date (YYYY-MM-DD, JST) as the end of that day.
func untilDate(raw string) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, jatext.NormalizeLine(raw), JST)
	if err != nil {
		return time.Time{}, false
	}
	return d.Add(24*time.Hour - time.Second), true
}
