package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/markdown"
	"github.com/hakui-dev/hakui/internal/policy"
)

// communityPostRoutes are the members' pages: questions, answers,
// comments, votes, reports, cards and their own page.
func (s *Server) communityPostRoutes(mux *http.ServeMux) {
	mux.Handle("GET /community/ask", s.signedIn(s.communityAskPage))
	mux.Handle("POST /community/ask", s.signedIn(s.communityAsk))
	mux.Handle("GET /community/questions/{id}", s.signedIn(s.communityThread))
	mux.Handle("GET /community/posts/{id}", s.signedIn(s.communityPostLink))
	mux.Handle("POST /community/questions/{id}/answers", s.signedIn(s.communityAnswer))
	mux.Handle("POST /community/questions/{id}/accept", s.signedIn(s.communityAccept))
	mux.Handle("POST /community/posts/{id}/comments", s.signedIn(s.communityComment))
	mux.Handle("POST /community/posts/{id}/vote", s.signedIn(s.communityVote))
	mux.Handle("GET /community/posts/{id}/edit", s.signedIn(s.communityEditPage))
	mux.Handle("POST /community/posts/{id}/edit", s.signedIn(s.communityEdit))
	mux.Handle("GET /community/posts/{id}/history", s.signedIn(s.communityHistory))
	mux.Handle("GET /community/posts/{id}/report", s.signedIn(s.communityReportPage))
	mux.Handle("POST /community/posts/{id}/report", s.signedIn(s.communityReport))
	mux.Handle("GET /community/unanswered", s.signedIn(s.communityUnanswered))
	mux.Handle("GET /community/members", s.signedIn(s.communityMembers))
	mux.Handle("GET /community/members/{id}", s.signedIn(s.communityMember))
	mux.Handle("GET /community/tags", s.signedIn(s.communityTags))
	mux.Handle("GET /community/me", s.signedIn(s.communityMe))
	mux.Handle("POST /community/me/card", s.signedIn(s.communitySaveCard))
	mux.Handle("POST /community/leave", s.signedIn(s.communityLeave))
}

// ---- Asking ----

func (s *Server) communityAskPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderAsk(w, r, cur, &page{Form: url.Values{"tags": {r.URL.Query().Get("tag")}}}, nil)
}

func (s *Server) renderAsk(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	ctx, actor := r.Context(), cur.Actor()
	st, err := s.Community.Standing(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !st.CanRead {
		s.fail(w, r, apperr.E(apperr.Forbidden, "掲示板は参加している会員だけが使えます。"))
		return
	}
	tags, err := s.Community.Tags(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = "質問する"
	p.Data = map[string]any{"Tags": tags, "Categories": community.TagCategories, "Standing": st, "State": s.stateOf(st)}
	if formErr != nil {
		p.Form = r.PostForm
		s.postError(w, r, "community_ask", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_ask", p)
}

func (s *Server) communityAsk(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	q, err := s.Community.Ask(r.Context(), cur.Actor(), community.QuestionInput{Title: v.Get("title"), Body: v.Get("body"),
		Tags: splitTags(v.Get("tags")), Anonymous: v.Get("anonymous") == "1"})
	if err != nil {
		s.renderAsk(w, r, cur, &page{}, err)
		return
	}
	msg := "質問を投稿しました。"
	if q.Status == community.PostHeld {
		msg = "質問を受け付けました。モデレーターの承認後に公開されます。"
	}
	s.setFlash(w, msg)
	redirect(w, r, communityLink(q))
}

// postError re-renders a posting form with err: field errors and
// conflicts as pageError does, and a refusal (a member silenced since the
// page was drawn, say) with its message and the input kept, rather than a
// bare error page that loses the text.
func (s *Server) postError(w http.ResponseWriter, r *http.Request, name string, p *page, err error) {
	if apperr.Is(err, apperr.Forbidden) {
		p.Errors = map[string]string{"": apperr.MessageOf(err)}
		s.render(w, r, http.StatusForbidden, name, p)
		return
	}
	s.pageError(w, r, name, p, err)
}

// communityPostLink is a post's permanent address: it sends the reader
// to the post in its thread.
func (s *Server) communityPostLink(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pv, err := s.Community.Post(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, communityLink(pv))
}

// ---- The thread ----

func (s *Server) communityThread(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderThread(w, r, cur, id, &page{}, nil)
}

// threadPost is a post of a thread as the template draws it.
type threadPost struct {
	community.PostView
	Question        bool
	FirstAnswer     bool
	Comments        []threadPost
	Link, Back      string
	QuestionVersion int
	Revealed        *community.Card // the author, just looked up by a moderator
	Form            url.Values
	Errors          map[string]string
}

// mine reports whether the posted form was the one named key on this
// post, so that its errors and input show there.
func (p threadPost) Mine(key string) bool {
	return p.Form.Get("form") == key+"-"+strconv.FormatInt(p.ID, 10)
}

// Err returns the error of a field of the post's form named key.
func (p threadPost) Err(key, field string) string {
	if !p.Mine(key) {
		return ""
	}
	return p.Errors[field]
}

// Val returns the kept input of a field of the post's form named key.
func (p threadPost) Val(key, field string) string {
	if !p.Mine(key) {
		return ""
	}
	return p.Form.Get(field)
}

// renderThread draws a question with its answers and comments and the
// forms the reader may use. formErr is shown in place: the form it came
// from is named by the posted "form" field.
func (s *Server) renderThread(w http.ResponseWriter, r *http.Request, cur *httpx.Current, id int64, p *page, formErr error) {
	ctx, actor := r.Context(), cur.Actor()
	th, err := s.Community.Thread(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Community.Standing(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Form == nil {
		p.Form = url.Values{}
	}
	p.Title = th.Question.Title
	// One list, so that the template draws every post alike; each post
	// carries the page's form and errors for the forms it holds.
	errs := apperr.FieldsOf(formErr)
	var revealed *community.Card
	var revealedPost int64
	if m, ok := p.Data.(map[string]any); ok {
		revealed, _ = m["Revealed"].(*community.Card)
		revealedPost, _ = m["RevealedPost"].(int64)
	}
	wrap := func(v community.PostView) threadPost {
		tp := threadPost{PostView: v, Form: p.Form, Errors: errs, Link: communityLink(&v), Back: "/community/questions/" + strconv.FormatInt(id, 10),
			QuestionVersion: th.Question.Version}
		if v.ID == revealedPost {
			tp.Revealed = revealed
		}
		for _, c := range v.Comments {
			tp.Comments = append(tp.Comments, threadPost{PostView: c, Form: p.Form, Errors: errs, Back: tp.Back})
		}
		return tp
	}
	posts := []threadPost{wrap(th.Question)}
	posts[0].Question = true
	for i, a := range th.Answers {
		posts = append(posts, wrap(a))
		posts[len(posts)-1].FirstAnswer = i == 0
	}
	data := map[string]any{"Thread": th, "Posts": posts, "Standing": st, "State": s.stateOf(st), "Kinds": sanctionKinds,
		"Conflict": apperr.Is(formErr, apperr.Conflict),
		"Link":     "/community/questions/" + strconv.FormatInt(id, 10)}
	p.Data = data
	if formErr != nil {
		s.postError(w, r, "community_thread", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_thread", p)
}

// threadOf returns the question the post belongs to.
func (s *Server) threadOf(r *http.Request, cur *httpx.Current, postID int64) (*community.PostView, int64, error) {
	pv, err := s.Community.Post(r.Context(), cur.Actor(), postID)
	if err != nil {
		return nil, 0, err
	}
	q := pv.QuestionID
	if pv.Kind == community.KindQuestion || q == 0 {
		q = pv.ID
	}
	return pv, q, nil
}

func (s *Server) communityAnswer(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	a, err := s.Community.Answer(r.Context(), cur.Actor(), id, community.ReplyInput{Body: v.Get("body"), Anonymous: v.Get("anonymous") == "1"})
	if err != nil {
		v.Set("form", "answer")
		s.renderThread(w, r, cur, id, &page{Form: cloneValues(v)}, err)
		return
	}
	msg := "回答を投稿しました。"
	if a.Status == community.PostHeld {
		msg = "回答を受け付けました。モデレーターの承認後に公開されます。"
	}
	s.setFlash(w, msg)
	redirect(w, r, communityLink(a))
}

func (s *Server) communityComment(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	c, err := s.Community.Comment(r.Context(), cur.Actor(), id, community.ReplyInput{Body: v.Get("body"), Anonymous: v.Get("anonymous") == "1"})
	if err != nil {
		s.replyError(w, r, cur, id, "comment-"+strconv.FormatInt(id, 10), err)
		return
	}
	s.setFlash(w, "コメントしました。")
	redirect(w, r, communityLink(c))
}

// replyError shows what went wrong with a form on a post on its thread.
func (s *Server) replyError(w http.ResponseWriter, r *http.Request, cur *httpx.Current, postID int64, form string, err error) {
	if !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.Conflict) && !apperr.Is(err, apperr.Forbidden) {
		s.fail(w, r, err)
		return
	}
	_, q, terr := s.threadOf(r, cur, postID)
	if terr != nil {
		s.fail(w, r, err)
		return
	}
	v := cloneValues(r.PostForm)
	v.Set("form", form)
	s.renderThread(w, r, cur, q, &page{Form: v}, err)
}

func (s *Server) communityVote(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	up := r.PostForm.Get("up") == "1"
	if err := s.Community.Vote(r.Context(), cur.Actor(), id, up); err != nil {
		s.fail(w, r, err)
		return
	}
	pv, _, err := s.threadOf(r, cur, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if up {
		s.setFlash(w, "いいねしました。")
	} else {
		s.setFlash(w, "いいねを取り消しました。")
	}
	redirect(w, r, communityLink(pv))
}

func (s *Server) communityAccept(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	answer, perr := strconv.ParseInt(v.Get("answer"), 10, 64)
	if perr != nil || answer < 0 {
		s.fail(w, r, apperr.E(apperr.Invalid, "ベストアンサーにする回答を選んでください。"))
		return
	}
	if err := s.Community.Accept(r.Context(), cur.Actor(), id, answer, formVersion(v)); err != nil {
		if apperr.Is(err, apperr.Conflict) || apperr.Is(err, apperr.Invalid) {
			s.renderThread(w, r, cur, id, &page{}, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	link := "/community/questions/" + strconv.FormatInt(id, 10)
	if answer == 0 {
		s.setFlash(w, "ベストアンサーを取り消しました。")
	} else {
		s.setFlash(w, "ベストアンサーに選びました。回答した先生にお知らせしました。")
		link += "#post-" + strconv.FormatInt(answer, 10)
	}
	redirect(w, r, link)
}

// ---- Editing and history ----

// editForm lays a post out as the edit form's values.
func editForm(p *community.PostView) url.Values {
	return url.Values{"title": {p.Title}, "body": {p.Body}, "tags": {strings.Join(p.Tags, ", ")}, "version": {strconv.Itoa(p.Version)}}
}

func (s *Server) communityEditPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderEdit(w, r, cur, id, &page{}, nil)
}

func (s *Server) renderEdit(w http.ResponseWriter, r *http.Request, cur *httpx.Current, id int64, p *page, formErr error) {
	ctx, actor := r.Context(), cur.Actor()
	pv, err := s.Community.Post(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Community.Standing(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The author who may not post now sees why, not a bare refusal; a
	// refused save keeps its text.
	blocked := !pv.Can.Edit && pv.Mine && st.CanRead && !st.CanPost
	if !pv.Can.Edit && !blocked {
		s.fail(w, r, apperr.E(apperr.Forbidden, "この投稿を編集する権限がありません。"))
		return
	}
	tags, err := s.Community.Tags(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Form == nil || apperr.Is(formErr, apperr.Conflict) {
		stale := p.Form
		p.Form = editForm(pv)
		if stale != nil {
			// Keep what the user wrote; only the version moves on.
			for _, k := range []string{"title", "body", "tags", "reason"} {
				if stale.Has(k) {
					p.Form.Set(k, stale.Get(k))
				}
			}
		}
	}
	p.Title = pv.Kind.Label() + "を編集する"
	p.Data = map[string]any{"Post": pv, "Tags": tags, "Categories": community.TagCategories, "Link": communityLink(pv),
		"ModEdit": !pv.Mine && pv.Can.Moderate, "Conflict": apperr.Is(formErr, apperr.Conflict), "Standing": st, "State": s.stateOf(st),
		"Blocked": blocked && formErr == nil}
	if formErr != nil {
		s.postError(w, r, "community_edit", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_edit", p)
}

func (s *Server) communityEdit(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	in := community.EditInput{Title: v.Get("title"), Body: v.Get("body"), Tags: splitTags(v.Get("tags")),
		Reason: strings.TrimSpace(v.Get("reason")), Version: formVersion(v)}
	pv, err := s.Community.Edit(r.Context(), cur.Actor(), id, in)
	if err != nil {
		s.renderEdit(w, r, cur, id, &page{Form: cloneValues(v)}, err)
		return
	}
	s.setFlash(w, "投稿を編集しました。以前の版は履歴に残ります。")
	redirect(w, r, communityLink(pv))
}

func (s *Server) communityHistory(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	pv, err := s.Community.Post(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	revs, err := s.Community.History(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The latest first; the first version is the original.
	type row struct {
		community.Revision
		Editor   string
		Original bool
	}
	rows := make([]row, 0, len(revs))
	for i := len(revs) - 1; i >= 0; i-- {
		rv := revs[i]
		editor := "投稿者"
		if rv.ByModerator {
			editor = "モデレーター"
		} else if !pv.Anonymous {
			editor = pv.AuthorName
		}
		rows = append(rows, row{Revision: rv, Editor: editor, Original: i == 0})
	}
	s.render(w, r, http.StatusOK, "community_history", &page{Title: pv.Kind.Label() + "の編集履歴",
		Data: map[string]any{"Post": pv, "Revisions": rows, "Link": communityLink(pv)}})
}

// ---- Reports ----

func (s *Server) communityReportPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderReport(w, r, cur, id, &page{}, nil)
}

func (s *Server) renderReport(w http.ResponseWriter, r *http.Request, cur *httpx.Current, id int64, p *page, formErr error) {
	pv, err := s.Community.Post(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !pv.Can.Report {
		s.fail(w, r, apperr.E(apperr.Forbidden, "この投稿は通報できません。"))
		return
	}
	p.Title = pv.Kind.Label() + "を通報する"
	p.Data = map[string]any{"Post": pv, "Reasons": community.ReportReasons, "Link": communityLink(pv), "Excerpt": markdown.Excerpt(pv.Body, 200)}
	if formErr != nil {
		s.formError(w, r, "community_report", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_report", p)
}

func (s *Server) communityReport(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	if _, err := s.Community.Report(r.Context(), cur.Actor(), id, community.ReportInput{Reason: community.ReportReason(v.Get("reason")),
		Note: strings.TrimSpace(v.Get("note"))}); err != nil {
		s.renderReport(w, r, cur, id, &page{}, err)
		return
	}
	pv, _, err := s.threadOf(r, cur, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "通報を受け付けました。モデレーターが確認します。")
	redirect(w, r, communityLink(pv))
}

// ---- Members and tags ----

func (s *Server) communityMembers(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	q := r.URL.Query()
	f := community.MemberFilter{Group: community.Group(q.Get("group")), Specialty: jatext.NormalizeLine(q.Get("specialty")),
		Region: jatext.NormalizeLine(q.Get("region"))}
	p := &page{Title: "会員", Form: q}
	cards, err := s.Community.Members(r.Context(), cur.Actor(), f)
	p.Data = map[string]any{"Cards": cards, "Groups": community.Groups}
	if err != nil {
		s.pageError(w, r, "community_members", p, err)
		return
	}
	s.render(w, r, http.StatusOK, "community_members", p)
}

func (s *Server) communityMember(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderMember(w, r, cur, id, &page{}, nil)
}

// renderMember draws a member's card and, for moderators, the sanction
// form; formErr is that form's, shown with the input kept.
func (s *Server) renderMember(w http.ResponseWriter, r *http.Request, cur *httpx.Current, id int64, p *page, formErr error) {
	ctx, actor := r.Context(), cur.Actor()
	card, err := s.Community.Card(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Community.Standing(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Form == nil {
		p.Form = url.Values{}
	}
	p.Title = card.Name + "先生"
	p.Data = map[string]any{"Card": card, "Moderator": st.Moderator, "Kinds": sanctionKinds,
		"Back": "/community/members/" + strconv.FormatInt(id, 10)}
	if formErr != nil {
		s.pageError(w, r, "community_member", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_member", p)
}

// tagGroup is the tags of one category.
type tagGroup struct {
	Category community.TagCategory
	Tags     []community.Tag
}

// groupTags sorts tags into their categories, in display order.
func groupTags(tags []community.Tag) []tagGroup {
	var out []tagGroup
	for _, c := range community.TagCategories {
		g := tagGroup{Category: c}
		for _, t := range tags {
			if t.Category == c {
				g.Tags = append(g.Tags, t)
			}
		}
		if len(g.Tags) > 0 {
			out = append(out, g)
		}
	}
	return out
}

func (s *Server) communityTags(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	tags, err := s.Community.Tags(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "community_tags", &page{Title: "タグ", Data: map[string]any{"Groups": groupTags(tags)}})
}

// ---- My page ----

func (s *Server) communityMe(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderMe(w, r, cur, &page{}, nil)
}

// myPost is a row of "my posts": answers and comments are named by
// their question's title.
type myPost struct {
	community.PostView
	Link, QuestionTitle string
}

// maxTitleLookups bounds the question look-ups of one "my posts" page.
const maxTitleLookups = 50

// myPostRows links each post into its thread and names the question of
// answers and comments, looking each question up once (at most
// maxTitleLookups of them; the rest keep a generic name).
func (s *Server) myPostRows(r *http.Request, actor policy.Actor, posts []community.PostView) []myPost {
	titles := map[int64]string{}
	for _, p := range posts {
		if p.Kind == community.KindQuestion {
			titles[p.ID] = p.Title
		}
	}
	rows := make([]myPost, len(posts))
	lookups := 0
	for i := range posts {
		p := &posts[i]
		row := myPost{PostView: *p, Link: communityLink(p), QuestionTitle: p.Title}
		if p.Kind != community.KindQuestion && p.QuestionID != 0 {
			t, ok := titles[p.QuestionID]
			if !ok && lookups < maxTitleLookups {
				lookups++
				if q, err := s.Community.Post(r.Context(), actor, p.QuestionID); err == nil {
					t = q.Title
				}
				titles[p.QuestionID] = t // a failure is not retried either
			}
			row.QuestionTitle = t
		}
		rows[i] = row
	}
	return rows
}

// cardForm lays a member's card settings out as form values.
func cardForm(m *community.Member) url.Values {
	v := url.Values{"age_band": {string(m.AgeBand)}, "digest": {string(m.Digest)}, "version": {strconv.Itoa(m.Version)}}
	for k, on := range map[string]bool{"share_specialty": m.ShareSpecialty, "share_region": m.ShareRegion, "share_age": m.ShareAge,
		"share_practice": m.SharePractice} {
		if on {
			v.Set(k, "1")
		}
	}
	return v
}

func (s *Server) renderMe(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	ctx, actor := r.Context(), cur.Actor()
	st, err := s.Community.Standing(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if st.Member == nil || (st.Member.Status != community.StatusActive && st.Member.Status != community.StatusApplied) {
		s.fail(w, r, apperr.E(apperr.Forbidden, "掲示板に参加している会員だけが使える画面です。"))
		return
	}
	data := map[string]any{"Standing": st, "Member": st.Member, "AgeBands": community.AgeBands,
		"Digests": []community.Digest{community.DigestOff, community.DigestImmediate, community.DigestDaily},
		"Now":     s.Community.Now(), "Conflict": apperr.Is(formErr, apperr.Conflict)}
	if st.Member.Status == community.StatusActive {
		posts, err := s.Community.MyPosts(ctx, actor)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data["Posts"] = s.myPostRows(r, actor, posts)
	}
	notices, err := s.Community.Notices(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data["Notices"] = notices
	switch {
	case p.Form == nil || apperr.Is(formErr, apperr.Conflict):
		p.Form = cardForm(st.Member)
	case p.Form.Get("form") == "leave":
		for k, v := range cardForm(st.Member) {
			p.Form[k] = v
		}
	}
	p.Title = "掲示板のマイページ"
	p.Data = data
	if formErr != nil {
		s.pageError(w, r, "community_me", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_me", p)
}

func (s *Server) communitySaveCard(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	in := community.CardInput{AgeBand: community.AgeBand(v.Get("age_band")), Digest: community.Digest(v.Get("digest")),
		ShareSpecialty: v.Get("share_specialty") == "1", ShareRegion: v.Get("share_region") == "1", ShareAge: v.Get("share_age") == "1",
		SharePractice: v.Get("share_practice") == "1", Version: formVersion(v)}
	if _, err := s.Community.SaveCard(r.Context(), cur.Actor(), in); err != nil {
		s.renderMe(w, r, cur, &page{Form: cloneValues(v)}, err)
		return
	}
	s.setFlash(w, "会員カードと通知の設定を保存しました。")
	redirect(w, r, "/community/me")
}

func (s *Server) communityLeave(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		s.renderMe(w, r, cur, &page{Form: cloneValues(r.PostForm)}, invalid(map[string]string{"confirm": "退会するには、確認のチェックを入れてください。"}))
		return
	}
	if err := s.Community.Leave(r.Context(), cur.Actor()); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "掲示板を退会しました。投稿はそのまま残ります。")
	redirect(w, r, "/community")
}
