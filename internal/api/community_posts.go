package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/httpx"
)

// The board's questions, answers and comments, votes, reports and tags.

func (s *Server) communityQuestions(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	q := r.URL.Query()
	fields := map[string]string{}
	limit, err := strconv.Atoi(q.Get("limit"))
	if q.Get("limit") == "" {
		limit, err = 0, nil
	}
	if err != nil || limit < 0 || limit > 100 {
		fields["limit"] = "1〜100の整数で指定してください。"
	}
	author, err := queryInt(r, "author")
	if err != nil {
		fields["author"] = "会員のIDを指定してください。"
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	page, err := s.Community.Questions(r.Context(), cur.Actor(), community.QuestionFilter{Query: q.Get("q"), Tag: q.Get("tag"),
		State: community.QuestionState(q.Get("state")), Sort: community.QuestionSort(q.Get("sort")), AuthorID: author,
		Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"questions": toCommunityPostsJSON(page.Questions),
		"tag": toCommunityTagJSON(page.Tag), "next": page.Next})
}

func (s *Server) communityAsk(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		Title     string   `json:"title"`
		Body      string   `json:"body"`
		Tags      []string `json:"tags"`
		Anonymous bool     `json:"anonymous"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := s.Community.Ask(r.Context(), cur.Actor(), community.QuestionInput{Title: in.Title, Body: in.Body, Tags: in.Tags,
		Anonymous: in.Anonymous})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toCommunityPostJSON(v))
}

func (s *Server) communityThread(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return s.writeCommunityThread(w, r, cur, id)
}

func (s *Server) writeCommunityThread(w http.ResponseWriter, r *http.Request, cur *httpx.Current, id int64) error {
	t, err := s.Community.Thread(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"question": toCommunityPostJSON(&t.Question),
		"answers": toCommunityPostsJSON(t.Answers)})
}

type communityReplyInput struct {
	Body      string `json:"body"`
	Anonymous bool   `json:"anonymous"`
}

func (s *Server) communityAnswer(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in communityReplyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := s.Community.Answer(r.Context(), cur.Actor(), id, community.ReplyInput(in))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toCommunityPostJSON(v))
}

func (s *Server) communityComment(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in communityReplyInput
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := s.Community.Comment(r.Context(), cur.Actor(), id, community.ReplyInput(in))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toCommunityPostJSON(v))
}

// communityAccept marks the accepted answer (answer_id 0 clears it) at the
// question's version, and answers the thread.
func (s *Server) communityAccept(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		AnswerID *int64 `json:"answer_id"`
		Version  *int   `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.AnswerID == nil || *in.AnswerID < 0 {
		return apperr.InvalidFields(map[string]string{"answer_id": "解決済みにする回答のIDを指定してください（取り消すときは0）。"})
	}
	if in.Version == nil {
		return needVersionOf("質問")
	}
	if err := s.Community.Accept(r.Context(), cur.Actor(), id, *in.AnswerID, *in.Version); err != nil {
		return err
	}
	return s.writeCommunityThread(w, r, cur, id)
}

func (s *Server) communityPost(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.Community.Post(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toCommunityPostJSON(v))
}

// communityEdit replaces a post's title, body and tags at the version the
// caller saw; the previous version stays in the history.
func (s *Server) communityEdit(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Title   string   `json:"title"`
		Body    string   `json:"body"`
		Tags    []string `json:"tags"`
		Reason  string   `json:"reason"`
		Version *int     `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("投稿")
	}
	v, err := s.Community.Edit(r.Context(), cur.Actor(), id, community.EditInput{Title: in.Title, Body: in.Body, Tags: in.Tags,
		Reason: in.Reason, Version: *in.Version})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toCommunityPostJSON(v))
}

// communityRevisionJSON is one version of a post. The editor is told only
// as the author or a moderator, never by ID: an anonymous post's history
// would otherwise name its author.
type communityRevisionJSON struct {
	ID          int64     `json:"id"`
	ByModerator bool      `json:"by_moderator"`
	Title       string    `json:"title"`
	Body        string    `json:"body"`
	Tags        []string  `json:"tags"`
	Reason      string    `json:"reason"`
	CreatedAt   time.Time `json:"created_at"`
}

func (s *Server) communityHistory(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Community.History(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	out := make([]communityRevisionJSON, len(list))
	for i, v := range list {
		out[i] = communityRevisionJSON{ID: v.ID, ByModerator: v.ByModerator, Title: v.Title, Body: v.Body, Tags: nonNil(v.Tags),
			Reason: v.Reason, CreatedAt: v.CreatedAt}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"revisions": out})
}

// communityVote adds (PUT) or withdraws (DELETE) the caller's upvote.
func (s *Server) communityVote(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Community.Vote(r.Context(), cur.Actor(), id, r.Method == http.MethodPut); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) communityReport(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Reason community.ReportReason `json:"reason"`
		Note   string                 `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	rep, err := s.Community.Report(r.Context(), cur.Actor(), id, community.ReportInput{Reason: in.Reason, Note: in.Note})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toCommunityReportJSON(rep))
}

func (s *Server) communityTags(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Community.Tags(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	out := make([]communityTagJSON, len(list))
	for i := range list {
		out[i] = *toCommunityTagJSON(&list[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tags": out})
}

// communitySaveTag creates (POST) or replaces (PUT /tags/{id}) a tag and
// its synonyms.
func (s *Server) communitySaveTag(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var id int64
	if r.Method == http.MethodPut {
		var err error
		if id, err = pathID(r); err != nil {
			return err
		}
	}
	var in struct {
		Name        string                `json:"name"`
		Category    community.TagCategory `json:"category"`
		Description string                `json:"description"`
		Synonyms    []string              `json:"synonyms"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	t, err := s.Community.SaveTag(r.Context(), cur.Actor(), community.TagInput{ID: id, Name: in.Name, Category: in.Category,
		Description: in.Description, Synonyms: in.Synonyms})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	return writeJSON(w, status, toCommunityTagJSON(t))
}

func (s *Server) communityStats(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	st, err := s.Community.Stats(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"questions": st.Questions, "unanswered": st.Unanswered, "solved": st.Solved,
		"answered_in_24h": st.AnsweredIn24h, "median_first_answer_seconds": int64(st.MedianFirstAnswer / time.Second),
		"top_answerers": toCommunityCardsJSON(st.TopAnswerers)})
}
