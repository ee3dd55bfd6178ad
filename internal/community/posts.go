package community

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/markdown"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Limits of a post.
const (
	titleMin    = 5
	titleMax    = 150
	bodyMax     = 20000
	commentMax  = 2000
	tagsMax     = 5
	listDefault = 30
	listMax     = 100
)

// anonymousSelf is how an anonymous author sees their own post.
const anonymousSelf = AnonymousName + "（あなた）"

// postInput is a post's fields after validation.
type postInput struct {
	title, body string
	tags        []string
}

// validatePost normalises and checks a post of the kind. Tags resolve to
// their canonical names.
func (s *Service) validatePost(ctx context.Context, kind PostKind, title, body string, tags []string) (*postInput, error) {
	in := &postInput{body: prose(body)}
	fields := map[string]string{}
	if kind == KindQuestion {
		in.title = proseLine(title)
		if n := utf8.RuneCountInString(in.title); n < titleMin || n > titleMax {
			fields["title"] = "タイトルは5文字以上150文字以内で入力してください。"
		}
	}
	max := bodyMax
	if kind == KindComment {
		max = commentMax
	}
	switch n := utf8.RuneCountInString(in.body); {
	case n == 0:
		fields["body"] = "本文を入力してください。"
	case n > max:
		fields["body"] = "本文は" + strconv.Itoa(max) + "文字以内で入力してください。"
	}
	if kind == KindQuestion {
		var names []string
		for _, t := range tags {
			if t = jatext.NormalizeLine(t); t != "" && !slices.Contains(names, t) {
				names = append(names, t)
			}
		}
		if len(names) > tagsMax {
			fields["tags"] = "タグは5つまでです。"
		} else if len(names) > 0 {
			resolved, err := s.Store.ResolveCommunityTags(ctx, names)
			if err != nil {
				return nil, err
			}
			var unknown []string
			for _, n := range names {
				t, ok := resolved[n]
				if !ok {
					unknown = append(unknown, n)
					continue
				}
				if !slices.Contains(in.tags, t.Name) {
					in.tags = append(in.tags, t.Name)
				}
			}
			if len(unknown) > 0 {
				fields["tags"] = "登録されていないタグです: " + strings.Join(unknown, "、")
			}
		}
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	return in, nil
}

// create stores a new post from the viewer, held when the member still
// has posts to be approved, and announces it when visible.
func (s *Service) create(ctx context.Context, v Viewer, p *Post) (*PostView, error) {
	p.AuthorID, p.Status, p.CreatedAt, p.ActivityAt = v.UserID, PostVisible, v.Now, v.Now
	if !v.Moderator {
		settings, err := s.Store.CommunitySettings(ctx)
		if err != nil {
			return nil, err
		}
		if settings.HoldFirstPosts > v.Member.ApprovedPosts {
			p.Status, p.StatusReason = PostHeld, "新しい会員の最初の投稿は、モデレーターの承認後に公開されます。"
		}
	}
	rev := &Revision{EditorID: v.UserID, Title: p.Title, Body: p.Body, Tags: p.Tags, CreatedAt: v.Now}
	if err := s.Store.CreateCommunityPost(ctx, p, rev); err != nil {
		return nil, err
	}
	if p.Status == PostVisible {
		s.announce(ctx, p)
	}
	vb := s.views(v)
	pv := vb.view(ctx, p, true)
	return &pv, nil
}

// Ask posts a question. Active, not silenced members only. Tags resolve
// through their synonyms; an unknown tag is an invalid field. The post is
// held when the member has fewer published posts than the hold setting.
func (s *Service) Ask(ctx context.Context, actor policy.Actor, in QuestionInput) (*PostView, error) {
	v, err := s.access(ctx, actor, OpWrite, objPost, 0)
	if err != nil {
		return nil, err
	}
	pin, err := s.validatePost(ctx, KindQuestion, in.Title, in.Body, in.Tags)
	if err != nil {
		return nil, err
	}
	return s.create(ctx, v, &Post{Kind: KindQuestion, Anonymous: in.Anonymous, Title: pin.title, Body: pin.body, Tags: pin.tags})
}

// visiblePost returns a post the viewer may see, with its question
// visible too; NotFound (audited) otherwise.
func (s *Service) visiblePost(ctx context.Context, v Viewer, id int64) (*Post, error) {
	p, err := s.Store.CommunityPost(ctx, id)
	if err != nil {
		return nil, err
	}
	if !SeesPost(v, p) {
		return nil, s.denied(ctx, v, deny(apperr.NotFound, msgNotFound, "post not shown to the viewer"), OpRead, objPost, id)
	}
	// As in Thread: a reply shows only under a question, and a comment
	// only under an answer, that the viewer sees.
	above := []int64{p.QuestionID}
	if p.Kind == KindComment && p.ParentID != p.QuestionID {
		above = append(above, p.ParentID)
	}
	for _, pid := range above {
		if p.Kind == KindQuestion || pid == 0 {
			continue
		}
		q, err := s.Store.CommunityPost(ctx, pid)
		if err != nil {
			return nil, err
		}
		if !SeesPost(v, q) {
			return nil, s.denied(ctx, v, deny(apperr.NotFound, msgNotFound, "parent not shown to the viewer"), OpRead, objPost, id)
		}
	}
	return p, nil
}

// deniedOwn refuses an act on the actor's own post. For an anonymous post
// the audit log gets nothing: an entry would tie the post to its author.
func (s *Service) deniedOwn(ctx context.Context, v Viewer, p *Post, msg string) error {
	if p.Anonymous {
		return apperr.E(apperr.Forbidden, "%s", msg)
	}
	return s.denied(ctx, v, deny(apperr.Forbidden, msg, "own post"), OpWrite, objPost, p.ID)
}

// notPublished refuses replies and votes on a post that is not visible.
func notPublished(p *Post) error {
	if p.Status != PostVisible {
		return apperr.E(apperr.Conflict, "公開されていない%sです。", p.Kind.Label())
	}
	return nil
}

// Answer answers a visible question. The asker is notified.
func (s *Service) Answer(ctx context.Context, actor policy.Actor, questionID int64, in ReplyInput) (*PostView, error) {
	v, err := s.access(ctx, actor, OpWrite, objPost, questionID)
	if err != nil {
		return nil, err
	}
	q, err := s.visiblePost(ctx, v, questionID)
	if err != nil {
		return nil, err
	}
	if q.Kind != KindQuestion {
		return nil, apperr.E(apperr.NotFound, "質問が見つかりません。")
	}
	if err := notPublished(q); err != nil {
		return nil, err
	}
	pin, err := s.validatePost(ctx, KindAnswer, "", in.Body, nil)
	if err != nil {
		return nil, err
	}
	return s.create(ctx, v, &Post{Kind: KindAnswer, QuestionID: q.ID, Anonymous: in.Anonymous, Body: pin.body})
}

// Comment comments on a visible question or answer. The author of an
// answer is notified.
func (s *Service) Comment(ctx context.Context, actor policy.Actor, postID int64, in ReplyInput) (*PostView, error) {
	v, err := s.access(ctx, actor, OpWrite, objPost, postID)
	if err != nil {
		return nil, err
	}
	parent, err := s.visiblePost(ctx, v, postID)
	if err != nil {
		return nil, err
	}
	if parent.Kind == KindComment {
		return nil, apperr.E(apperr.Invalid, "コメントにはコメントできません。")
	}
	if err := notPublished(parent); err != nil {
		return nil, err
	}
	pin, err := s.validatePost(ctx, KindComment, "", in.Body, nil)
	if err != nil {
		return nil, err
	}
	p := &Post{Kind: KindComment, QuestionID: cmp.Or(parent.QuestionID, parent.ID), ParentID: parent.ID, Anonymous: in.Anonymous,
		Body: pin.body}
	return s.create(ctx, v, p)
}

// RecheckReason is the status reason of a hidden post its author edited:
// held until a moderator approves or hides it again.
const RecheckReason = "編集後の再確認待ち"

// Edit changes a post and keeps the previous version in its history. The
// author (not silenced) or a moderator. Conflict when stale. The author's
// edit of a hidden post holds it for a moderator (RecheckReason), which
// the result's status tells the author.
func (s *Service) Edit(ctx context.Context, actor policy.Actor, postID int64, in EditInput) (*PostView, error) {
	v, err := s.access(ctx, actor, OpRead, objPost, postID)
	if err != nil {
		return nil, err
	}
	p, err := s.visiblePost(ctx, v, postID)
	if err != nil {
		return nil, err
	}
	mine := p.AuthorID == v.UserID
	byModerator := !mine
	if mine {
		objID := postID
		if p.Anonymous {
			// A silenced author's denial must not name the anonymous post.
			objID = 0
		}
		if err := s.check(ctx, v, OpWrite, objPost, objID); err != nil {
			return nil, err
		}
	} else if err := s.check(ctx, v, OpModerate, objPost, postID); err != nil {
		return nil, err
	}
	reason := prose(in.Reason)
	if msg := reasonError(reason, byModerator); msg != "" {
		return nil, apperr.InvalidFields(map[string]string{"reason": msg})
	}
	pin, err := s.validatePost(ctx, p.Kind, in.Title, in.Body, in.Tags)
	if err != nil {
		return nil, err
	}
	if in.Version != p.Version {
		return nil, apperr.E(apperr.Conflict, "ほかの人が先に更新しました。読み込み直してください。")
	}
	p.Title, p.Body, p.Tags, p.EditedAt = pin.title, pin.body, pin.tags, &v.Now
	rev := &Revision{EditorID: v.UserID, ByModerator: byModerator, Title: p.Title, Body: p.Body, Tags: p.Tags,
		Reason: reason, CreatedAt: v.Now}
	if err := s.Store.UpdateCommunityPost(ctx, p, rev); err != nil {
		return nil, err
	}
	if mine && p.Status == PostHidden {
		// The author fixed what was hidden: a moderator looks again
		// (HeldPosts) rather than the post staying hidden in no queue.
		if err := s.Store.SetCommunityPostStatus(ctx, p.ID, PostHeld, RecheckReason, v.Now); err != nil {
			return nil, err
		}
		p.Status, p.StatusReason = PostHeld, RecheckReason
		p.Version++
	}
	if byModerator {
		act := &Action{Kind: ActEdit, ModeratorID: v.UserID, MemberID: p.AuthorID, PostID: p.ID, Reason: reason, CreatedAt: v.Now}
		if err := s.Store.AddCommunityAction(ctx, act); err != nil {
			return nil, err
		}
		s.notify(ctx, p.AuthorID, NoteModeration, "モデレーターがあなたの"+p.Kind.Label()+"を編集しました", "理由: "+reason,
			questionLink(p))
	}
	vb := s.views(v)
	pv := vb.view(ctx, p, true)
	return &pv, nil
}

// Thread returns a question with its answers and comments. NotFound for
// anyone who may not read the board, and for a held or hidden question
// to anyone but its author and the moderators.
func (s *Service) Thread(ctx context.Context, actor policy.Actor, questionID int64) (*Thread, error) {
	v, err := s.access(ctx, actor, OpRead, objPost, questionID)
	if err != nil {
		return nil, err
	}
	return s.thread(ctx, v, questionID)
}

func (s *Service) thread(ctx context.Context, v Viewer, questionID int64) (*Thread, error) {
	posts, err := s.Store.CommunityThread(ctx, questionID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(posts, func(p Post) bool { return p.ID == questionID })
	if i < 0 {
		return nil, apperr.E(apperr.NotFound, "質問が見つかりません。")
	}
	q := posts[i]
	if !SeesPost(v, &q) {
		return nil, s.denied(ctx, v, deny(apperr.NotFound, "質問が見つかりません。", "question not shown to the viewer"), OpRead, objPost, questionID)
	}
	shown := map[int64]bool{q.ID: true}
	var answers, comments []Post
	ids := []int64{q.ID}
	for _, p := range posts {
		if p.Kind == KindAnswer && SeesPost(v, &p) {
			answers = append(answers, p)
			shown[p.ID] = true
			ids = append(ids, p.ID)
		}
	}
	for _, p := range posts {
		if p.Kind == KindComment && shown[p.ParentID] && SeesPost(v, &p) {
			comments = append(comments, p)
		}
	}
	vb := s.views(v)
	vb.question = &q
	if err := vb.loadVotes(ctx, ids); err != nil {
		return nil, err
	}
	slices.SortStableFunc(comments, func(a, b Post) int { return a.CreatedAt.Compare(b.CreatedAt) })
	slices.SortStableFunc(answers, func(a, b Post) int {
		return cmp.Or(-cmpBool(a.ID == q.AcceptedAnswerID, b.ID == q.AcceptedAnswerID), cmp.Compare(b.Score, a.Score),
			a.CreatedAt.Compare(b.CreatedAt))
	})
	withComments := func(p *Post) PostView {
		pv := vb.view(ctx, p, true)
		for _, c := range comments {
			if c.ParentID == p.ID {
				pv.Comments = append(pv.Comments, vb.view(ctx, &c, true))
			}
		}
		return pv
	}
	t := &Thread{Question: withComments(&q)}
	for i := range answers {
		t.Answers = append(t.Answers, withComments(&answers[i]))
	}
	return t, nil
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// Post returns one post as Thread shows it.
func (s *Service) Post(ctx context.Context, actor policy.Actor, id int64) (*PostView, error) {
	v, err := s.access(ctx, actor, OpRead, objPost, id)
	if err != nil {
		return nil, err
	}
	p, err := s.visiblePost(ctx, v, id)
	if err != nil {
		return nil, err
	}
	t, err := s.thread(ctx, v, cmp.Or(p.QuestionID, p.ID))
	if err != nil {
		return nil, err
	}
	for _, pv := range append([]PostView{t.Question}, t.Answers...) {
		if pv.ID == id {
			return &pv, nil
		}
		for _, c := range pv.Comments {
			if c.ID == id {
				return &c, nil
			}
		}
	}
	return nil, apperr.E(apperr.NotFound, "%s", msgNotFound)
}

// History returns a post's versions, the first first. Editors of an
// anonymous post show as 投稿者 or モデレーター, never by name.
func (s *Service) History(ctx context.Context, actor policy.Actor, postID int64) ([]Revision, error) {
	v, err := s.access(ctx, actor, OpRead, objPost, postID)
	if err != nil {
		return nil, err
	}
	p, err := s.visiblePost(ctx, v, postID)
	if err != nil {
		return nil, err
	}
	revs, err := s.Store.CommunityPostRevisions(ctx, postID)
	if err != nil {
		return nil, err
	}
	if p.Anonymous {
		for i := range revs {
			revs[i].EditorID = 0
		}
	}
	return revs, nil
}

// Questions returns the visible questions f selects. Invalid for an
// unknown tag, state or sort.
func (s *Service) Questions(ctx context.Context, actor policy.Actor, f QuestionFilter) (*QuestionPage, error) {
	v, err := s.access(ctx, actor, OpRead, objPost, 0)
	if err != nil {
		return nil, err
	}
	q := QuestionQuery{Text: jatext.ParseQuery(f.Query), State: f.State, Sort: f.Sort, AuthorID: f.AuthorID,
		IncludeAnonymous: f.AuthorID != 0 && f.AuthorID == v.UserID, Cursor: f.Cursor, Limit: f.Limit}
	if q.Limit <= 0 {
		q.Limit = listDefault
	}
	q.Limit = min(q.Limit, listMax)
	fields := map[string]string{}
	switch f.State {
	case StateAll, StateSolved, StateUnsolved, StateUnanswered:
	default:
		fields["state"] = "絞り込みの条件が正しくありません。"
	}
	switch f.Sort {
	case SortActivity, SortNewest, SortVotes, SortOldest:
	default:
		fields["sort"] = "並び順が正しくありません。"
	}
	page := &QuestionPage{}
	if tag := jatext.NormalizeLine(f.Tag); tag != "" {
		resolved, err := s.Store.ResolveCommunityTags(ctx, []string{tag})
		if err != nil {
			return nil, err
		}
		t, ok := resolved[tag]
		if !ok {
			fields["tag"] = "登録されていないタグです: " + tag
		} else {
			page.Tag, q.TagID = &t, t.ID
		}
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	posts, next, err := s.Store.CommunityQuestions(ctx, q)
	if err != nil {
		return nil, err
	}
	vb := s.views(v)
	ids := make([]int64, len(posts))
	for i, p := range posts {
		ids[i] = p.ID
	}
	if err := vb.loadVotes(ctx, ids); err != nil {
		return nil, err
	}
	for i := range posts {
		page.Questions = append(page.Questions, vb.view(ctx, &posts[i], false))
	}
	page.Next = next
	return page, nil
}

// Vote adds (up) or withdraws the actor's upvote. There are no downvotes.
// Not on one's own post, nor on comments.
func (s *Service) Vote(ctx context.Context, actor policy.Actor, postID int64, up bool) error {
	v, err := s.access(ctx, actor, OpReact, objPost, postID)
	if err != nil {
		return err
	}
	p, err := s.visiblePost(ctx, v, postID)
	if err != nil {
		return err
	}
	switch {
	case p.Kind == KindComment:
		return apperr.E(apperr.Invalid, "コメントには投票できません。")
	case p.AuthorID == v.UserID:
		return s.deniedOwn(ctx, v, p, "自分の投稿には投票できません。")
	}
	if err := notPublished(p); err != nil {
		return err
	}
	_, err = s.Store.VoteCommunityPost(ctx, postID, v.UserID, up, v.Now)
	return err
}

// Accept marks an answer as the accepted one (answerID 0 clears it). The
// asker only, including an anonymous asker. The answerer is notified.
// Conflict when stale.
func (s *Service) Accept(ctx context.Context, actor policy.Actor, questionID, answerID int64, version int) error {
	v, err := s.access(ctx, actor, OpReact, objPost, questionID)
	if err != nil {
		return err
	}
	q, err := s.visiblePost(ctx, v, questionID)
	if err != nil {
		return err
	}
	if q.Kind != KindQuestion {
		return apperr.E(apperr.NotFound, "質問が見つかりません。")
	}
	if q.AuthorID != v.UserID {
		return s.denied(ctx, v, deny(apperr.Forbidden, "回答を承認できるのは質問した本人だけです。", "not the asker"), OpReact, objPost, questionID)
	}
	var a *Post
	if answerID != 0 {
		a, err = s.Store.CommunityPost(ctx, answerID)
		if apperr.Is(err, apperr.NotFound) || (err == nil && (a.Kind != KindAnswer || a.QuestionID != q.ID || a.Status != PostVisible)) {
			return apperr.InvalidFields(map[string]string{"answer": "この質問の公開されている回答を選んでください。"})
		}
		if err != nil {
			return err
		}
	}
	if q.Version != version {
		return apperr.E(apperr.Conflict, "ほかの人が先に更新しました。読み込み直してください。")
	}
	if err := s.Store.AcceptCommunityAnswer(ctx, q.ID, answerID, version, v.Now); err != nil {
		return err
	}
	if a != nil && a.AuthorID != v.UserID {
		s.notify(ctx, a.AuthorID, NoteAccepted, "あなたの回答がベストアンサーに選ばれました: "+q.Title,
			markdown.Excerpt(a.Body, excerptRunes), questionLink(a))
	}
	return nil
}

// Stats returns the board's response figures (members and moderators).
func (s *Service) Stats(ctx context.Context, actor policy.Actor) (*BoardStats, error) {
	v, err := s.access(ctx, actor, OpRead, objBoard, 0)
	if err != nil {
		return nil, err
	}
	counts, err := s.Store.CommunityCounts(ctx)
	if err != nil {
		return nil, err
	}
	st := &BoardStats{Questions: counts.Questions, Unanswered: counts.Questions - counts.Answered, Solved: counts.Solved}
	times, err := s.Store.CommunityQuestionTimes(ctx, v.Now.AddDate(0, 0, -90))
	if err != nil {
		return nil, err
	}
	var waits []time.Duration
	within := 0
	for _, t := range times {
		if t.FirstAnswerAt == nil {
			continue
		}
		d := t.FirstAnswerAt.Sub(t.CreatedAt)
		waits = append(waits, d)
		if d <= 24*time.Hour {
			within++
		}
	}
	st.AnsweredIn24h = percent(within, len(times))
	if len(waits) > 0 {
		slices.Sort(waits)
		if n := len(waits); n%2 == 1 {
			st.MedianFirstAnswer = waits[n/2]
		} else {
			st.MedianFirstAnswer = (waits[n/2-1] + waits[n/2]) / 2
		}
	}
	top, err := s.Store.CommunityTopAnswerers(ctx, v.Now.AddDate(0, 0, -30), 5)
	if err != nil {
		return nil, err
	}
	for _, id := range top {
		m, err := s.Store.CommunityMember(ctx, id)
		if err != nil {
			return nil, err
		}
		c, err := s.cardFor(ctx, m)
		if err != nil {
			return nil, err
		}
		st.TopAnswerers = append(st.TopAnswerers, *c)
	}
	if err := s.fillStats(ctx, st.TopAnswerers); err != nil {
		return nil, err
	}
	return st, nil
}

// MyPosts returns the actor's own posts, anonymous ones included, the
// latest first, each with its status and reason.
func (s *Service) MyPosts(ctx context.Context, actor policy.Actor) ([]PostView, error) {
	v, err := s.access(ctx, actor, OpSelf, objPost, 0)
	if err != nil {
		return nil, err
	}
	posts, err := s.Store.CommunityPostsBy(ctx, v.UserID, true, 200)
	if err != nil {
		return nil, err
	}
	vb := s.views(v)
	out := make([]PostView, 0, len(posts))
	for i := range posts {
		out = append(out, vb.view(ctx, &posts[i], false))
	}
	return out, nil
}

// viewBuilder turns posts into views for one viewer, caching the cards
// of named authors.
type viewBuilder struct {
	s        *Service
	v        Viewer
	cards    map[int64]*Card
	votes    map[int64]bool
	question *Post // the thread's question, for Accept permissions
}

func (s *Service) views(v Viewer) *viewBuilder {
	return &viewBuilder{s: s, v: v, cards: map[int64]*Card{}, votes: map[int64]bool{}}
}

func (b *viewBuilder) loadVotes(ctx context.Context, ids []int64) error {
	if b.v.UserID == 0 || len(ids) == 0 {
		return nil
	}
	votes, err := b.s.Store.CommunityVotes(ctx, b.v.UserID, ids)
	if err != nil {
		return err
	}
	b.votes = votes
	return nil
}

// card returns a named author's card; a card with the name alone when the
// author is no longer a member.
func (b *viewBuilder) card(ctx context.Context, userID int64) *Card {
	if c, ok := b.cards[userID]; ok {
		return c
	}
	c := &Card{UserID: userID, Name: b.s.userName(ctx, userID)}
	if m, err := b.s.Store.CommunityMember(ctx, userID); err == nil {
		if full, err := b.s.cardFor(ctx, m); err == nil {
			c = full
		}
	}
	b.cards[userID] = c
	return c
}

// view is the post as the viewer may see it: the author only when named
// or the viewer's own.
func (b *viewBuilder) view(ctx context.Context, p *Post, render bool) PostView {
	v := b.v
	mine := v.UserID != 0 && p.AuthorID == v.UserID
	pv := PostView{Post: *p, Mine: mine, Voted: b.votes[p.ID]}
	pv.Tags = slices.Clone(p.Tags)
	switch {
	case !ShowsAuthor(v, p):
		pv.AuthorID, pv.AuthorName = 0, AnonymousName
	case p.Anonymous:
		pv.AuthorName = anonymousSelf
	default:
		pv.Author = b.card(ctx, p.AuthorID)
		pv.AuthorName = pv.Author.Name
	}
	if !mine && !v.Moderator {
		pv.StatusReason = ""
	}
	if render {
		pv.BodyHTML = markdown.Render(p.Body)
	}
	if p.Kind == KindAnswer && b.question != nil {
		pv.Accepted = b.question.AcceptedAnswerID == p.ID
	}
	write, react := Decide(v, OpWrite).Allow, Decide(v, OpReact).Allow
	visible := p.Status == PostVisible
	pv.Can = Permissions{
		Edit:     (mine && write) || v.Moderator,
		Answer:   p.Kind == KindQuestion && write && visible,
		Comment:  p.Kind != KindComment && write && visible,
		Vote:     p.Kind != KindComment && react && visible && !mine,
		Accept:   p.Kind == KindAnswer && react && visible && b.question != nil && b.question.AuthorID == v.UserID,
		Report:   react && visible && !mine,
		Moderate: v.Moderator,
	}
	return pv
}
