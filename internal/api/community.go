package api

import (
	"net/http"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/markdown"
)

// The clinic owners' Q&A board (掲示板): membership by application or
// invitation, member cards, questions, answers and comments, reports and
// moderation, and companies' referral counts. The service decides who may
// do what; this file only maps requests and answers.
//
// Anonymity: a post's author leaves here only through PostView.Author
// (nil for anonymous posts) and never from Post.AuthorID, so an anonymous
// author's ID cannot leak even if the service had a bug. Moderation log
// entries about an anonymous post's author carry no member_id.

// communityRoutes registers the board's endpoints.
func (s *Server) communityRoutes(handle, public func(method, pattern string, h handlerFunc)) {
	public("GET", "/community/rules", s.communityRules)
	public("GET", "/community/overview", s.communityOverview)
	public("GET", "/community/invitations/{token}", s.communityInvitationInfo)

	handle("GET", "/community/standing", s.communityStanding)
	handle("POST", "/community/applications", s.communityApply)
	handle("GET", "/community/applications", s.communityApplications)
	handle("POST", "/community/applications/{user}/decision", s.communityDecide)
	handle("POST", "/community/invitations", s.communityInvite)
	handle("GET", "/community/invitations", s.communityInvitations)
	handle("POST", "/community/invitations/{id}/revoke", s.communityRevokeInvitation)
	handle("POST", "/community/invitations/{token}/accept", s.communityAcceptInvitation)

	handle("GET", "/community/me/card", s.communityMyCard)
	handle("PUT", "/community/me/card", s.communitySaveCard)
	handle("POST", "/community/me/leave", s.communityLeave)
	handle("GET", "/community/me/posts", s.communityMyPosts)
	handle("GET", "/community/me/notices", s.communityNotices)
	handle("GET", "/community/members", s.communityMembers)
	handle("GET", "/community/members/{id}", s.communityMember)

	handle("GET", "/community/questions", s.communityQuestions)
	handle("POST", "/community/questions", s.communityAsk)
	handle("GET", "/community/questions/{id}", s.communityThread)
	handle("POST", "/community/questions/{id}/answers", s.communityAnswer)
	handle("POST", "/community/questions/{id}/accept", s.communityAccept)
	handle("GET", "/community/posts/{id}", s.communityPost)
	handle("PATCH", "/community/posts/{id}", s.communityEdit)
	handle("GET", "/community/posts/{id}/history", s.communityHistory)
	handle("POST", "/community/posts/{id}/comments", s.communityComment)
	handle("PUT", "/community/posts/{id}/vote", s.communityVote)
	handle("DELETE", "/community/posts/{id}/vote", s.communityVote)
	handle("POST", "/community/posts/{id}/reports", s.communityReport)
	handle("GET", "/community/tags", s.communityTags)
	handle("POST", "/community/tags", s.communitySaveTag)
	handle("PUT", "/community/tags/{id}", s.communitySaveTag)
	handle("GET", "/community/stats", s.communityStats)

	handle("GET", "/community/reports", s.communityReports)
	handle("POST", "/community/reports/{id}/close", s.communityCloseReport)
	handle("GET", "/community/held-posts", s.communityHeldPosts)
	handle("POST", "/community/posts/{id}/moderation", s.communityModerate)
	handle("POST", "/community/posts/{id}/reveal-author", s.communityRevealAuthor)
	handle("POST", "/community/posts/{id}/author-sanctions", s.communitySanctionAuthor)
	handle("POST", "/community/members/{id}/sanctions", s.communitySanctionMember)
	handle("GET", "/community/moderation-log", s.communityModerationLog)
	handle("GET", "/community/settings", s.communitySettings)
	handle("PUT", "/community/settings", s.communitySaveSettings)
	handle("GET", "/community/companies", s.communityCompanies)
	handle("POST", "/community/companies", s.communityCreateCompany)
	handle("POST", "/community/companies/{id}/contacts", s.communityAddContact)
	handle("POST", "/community/companies/{id}/disable", s.communityDisableCompany)
	handle("GET", "/community/company", s.communityMyCompany)
}

// ---- Shapes ----

type communityMemberJSON struct {
	UserID          int64                  `json:"user_id"`
	Group           community.Group        `json:"group"`
	Status          community.MemberStatus `json:"status"`
	StatusLabel     string                 `json:"status_label"`
	Entry           community.Entry        `json:"entry"`
	ApplicationNote string                 `json:"application_note"`
	DecisionReason  string                 `json:"decision_reason"`
	AppliedAt       time.Time              `json:"applied_at"`
	JoinedAt        *time.Time             `json:"joined_at"`
	AgeBand         community.AgeBand      `json:"age_band"`
	ShareSpecialty  bool                   `json:"share_specialty"`
	ShareRegion     bool                   `json:"share_region"`
	ShareAge        bool                   `json:"share_age"`
	SharePractice   bool                   `json:"share_practice"`
	Digest          community.Digest       `json:"digest"`
	SilencedUntil   *time.Time             `json:"silenced_until"`
	SuspendedUntil  *time.Time             `json:"suspended_until"`
	BannedAt        *time.Time             `json:"banned_at"`
	Version         int                    `json:"version"`
}

func toCommunityMemberJSON(m *community.Member) *communityMemberJSON {
	if m == nil {
		return nil
	}
	return &communityMemberJSON{UserID: m.UserID, Group: m.Group, Status: m.Status, StatusLabel: m.Status.Label(), Entry: m.Entry,
		ApplicationNote: m.ApplicationNote, DecisionReason: m.DecisionReason, AppliedAt: m.AppliedAt, JoinedAt: m.JoinedAt,
		AgeBand: m.AgeBand, ShareSpecialty: m.ShareSpecialty, ShareRegion: m.ShareRegion, ShareAge: m.ShareAge,
		SharePractice: m.SharePractice, Digest: m.Digest, SilencedUntil: m.SilencedUntil, SuspendedUntil: m.SuspendedUntil,
		BannedAt: m.BannedAt, Version: m.Version}
}

type communityStatsJSON struct {
	Questions       int `json:"questions"`
	Answers         int `json:"answers"`
	AcceptedAnswers int `json:"accepted_answers"`
	UpvotesReceived int `json:"upvotes_received"`
}

// communityCardJSON is what members see of a member: each card field only
// when shared ("" or empty otherwise).
type communityCardJSON struct {
	UserID      int64              `json:"user_id"`
	Name        string             `json:"name"`
	Group       community.Group    `json:"group"`
	Specialties []string           `json:"specialties"`
	Prefecture  string             `json:"prefecture"`
	AgeBand     community.AgeBand  `json:"age_band"`
	Practice    community.Group    `json:"practice"`
	JoinedAt    *time.Time         `json:"joined_at"`
	Stats       communityStatsJSON `json:"stats"`
}

func toCommunityCardJSON(c *community.Card) *communityCardJSON {
	if c == nil {
		return nil
	}
	return &communityCardJSON{UserID: c.UserID, Name: c.Name, Group: c.Group, Specialties: nonNil(c.Specialties),
		Prefecture: c.Prefecture, AgeBand: c.AgeBand, Practice: c.Practice, JoinedAt: c.JoinedAt,
		Stats: communityStatsJSON(c.Stats)}
}

func toCommunityCardsJSON(list []community.Card) []communityCardJSON {
	out := make([]communityCardJSON, len(list))
	for i := range list {
		out[i] = *toCommunityCardJSON(&list[i])
	}
	return out
}

type communityPermissionsJSON struct {
	Edit     bool `json:"edit"`
	Answer   bool `json:"answer"`
	Comment  bool `json:"comment"`
	Vote     bool `json:"vote"`
	Accept   bool `json:"accept"`
	Report   bool `json:"report"`
	Moderate bool `json:"moderate"`
}

// communityPostJSON is a question, an answer or a comment. It is built
// from PostView fields only; Post.AuthorID is never read.
type communityPostJSON struct {
	ID               int64                    `json:"id"`
	Kind             community.PostKind       `json:"kind"`
	QuestionID       *int64                   `json:"question_id"`
	ParentID         *int64                   `json:"parent_id"`
	Author           *communityCardJSON       `json:"author"`
	AuthorName       string                   `json:"author_name"`
	Anonymous        bool                     `json:"anonymous"`
	Mine             bool                     `json:"mine"`
	Title            string                   `json:"title"`
	Body             string                   `json:"body"`
	BodyHTML         string                   `json:"body_html"`
	Tags             []string                 `json:"tags"`
	Status           community.PostStatus     `json:"status"`
	StatusReason     string                   `json:"status_reason"`
	Score            int                      `json:"score"`
	AnswerCount      int                      `json:"answer_count"`
	AcceptedAnswerID *int64                   `json:"accepted_answer_id"`
	Accepted         bool                     `json:"accepted"`
	Voted            bool                     `json:"voted"`
	CreatedAt        time.Time                `json:"created_at"`
	EditedAt         *time.Time               `json:"edited_at"`
	ActivityAt       time.Time                `json:"activity_at"`
	Version          int                      `json:"version"`
	Permissions      communityPermissionsJSON `json:"permissions"`
	Comments         []communityPostJSON      `json:"comments"`
}

func toCommunityPostJSON(v *community.PostView) communityPostJSON {
	out := communityPostJSON{ID: v.ID, Kind: v.Kind, QuestionID: optID(v.QuestionID), ParentID: optID(v.ParentID),
		AuthorName: v.AuthorName, Anonymous: v.Anonymous, Mine: v.Mine, Title: v.Title, Body: v.Body,
		BodyHTML: string(v.BodyHTML), Tags: nonNil(v.Tags), Status: v.Status, StatusReason: v.StatusReason, Score: v.Score,
		AnswerCount: v.AnswerCount, AcceptedAnswerID: optID(v.AcceptedAnswerID), Accepted: v.Accepted, Voted: v.Voted,
		CreatedAt: v.CreatedAt, EditedAt: v.EditedAt, ActivityAt: v.ActivityAt, Version: v.Version,
		Permissions: communityPermissionsJSON(v.Can), Comments: toCommunityPostsJSON(v.Comments)}
	// An anonymous post names no one, even should the service fill in a card.
	if !v.Anonymous {
		out.Author = toCommunityCardJSON(v.Author)
	} else if !v.Mine {
		out.AuthorName = community.AnonymousName
	}
	return out
}

func toCommunityPostsJSON(list []community.PostView) []communityPostJSON {
	out := make([]communityPostJSON, len(list))
	for i := range list {
		out[i] = toCommunityPostJSON(&list[i])
	}
	return out
}

type communityInvitationJSON struct {
	ID         int64      `json:"id"`
	Email      string     `json:"email"`
	Note       string     `json:"note"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	Open       bool       `json:"open"`
	AcceptedAt *time.Time `json:"accepted_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func toCommunityInvitationJSON(inv *community.Invitation, now time.Time) communityInvitationJSON {
	return communityInvitationJSON{ID: inv.ID, Email: inv.Email, Note: inv.Note, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt,
		Open: inv.Open(now), AcceptedAt: inv.AcceptedAt, RevokedAt: inv.RevokedAt}
}

type communityCompanyJSON struct {
	ID           int64      `json:"id"`
	Name         string     `json:"name"`
	ReferralCode string     `json:"referral_code"`
	Note         string     `json:"note"`
	CreatedAt    time.Time  `json:"created_at"`
	DisabledAt   *time.Time `json:"disabled_at"`
}

func toCommunityCompanyJSON(c *community.Company) communityCompanyJSON {
	return communityCompanyJSON{ID: c.ID, Name: c.Name, ReferralCode: c.ReferralCode, Note: c.Note, CreatedAt: c.CreatedAt,
		DisabledAt: c.DisabledAt}
}

type communityMonthJSON struct {
	Month   string `json:"month"`
	Applied int    `json:"applied"`
	Joined  int    `json:"joined"`
}

type communityReferralsJSON struct {
	Company  communityCompanyJSON `json:"company"`
	Applied  int                  `json:"applied"`
	Joined   int                  `json:"joined"`
	ByMonth  []communityMonthJSON `json:"by_month"`
	Contacts *int                 `json:"contacts,omitempty"`
}

// toCommunityReferralsJSON shapes a company's counts; the number of its
// contacts is for moderators only.
func toCommunityReferralsJSON(r *community.Referrals, moderator bool) communityReferralsJSON {
	out := communityReferralsJSON{Company: toCommunityCompanyJSON(&r.Company), Applied: r.Applied, Joined: r.Joined,
		ByMonth: []communityMonthJSON{}}
	for _, m := range r.ByMonth {
		out.ByMonth = append(out.ByMonth, communityMonthJSON(m))
	}
	if moderator {
		n := r.Contacts
		out.Contacts = &n
	}
	return out
}

type communityTagJSON struct {
	ID            int64                 `json:"id"`
	Name          string                `json:"name"`
	Category      community.TagCategory `json:"category"`
	CategoryLabel string                `json:"category_label"`
	Description   string                `json:"description"`
	Synonyms      []string              `json:"synonyms"`
	Questions     int                   `json:"questions"`
	CreatedAt     time.Time             `json:"created_at"`
	UpdatedAt     time.Time             `json:"updated_at"`
}

func toCommunityTagJSON(t *community.Tag) *communityTagJSON {
	if t == nil {
		return nil
	}
	return &communityTagJSON{ID: t.ID, Name: t.Name, Category: t.Category, CategoryLabel: t.Category.Label(),
		Description: t.Description, Synonyms: nonNil(t.Synonyms), Questions: t.Questions, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

type communitySettingsJSON struct {
	Rules          string     `json:"rules"`
	RulesHTML      string     `json:"rules_html"`
	HoldFirstPosts int        `json:"hold_first_posts"`
	UpdatedAt      *time.Time `json:"updated_at"`
	Version        int        `json:"version"`
}

func toCommunitySettingsJSON(st *community.Settings) communitySettingsJSON {
	return communitySettingsJSON{Rules: st.Rules, RulesHTML: string(markdown.Render(st.Rules)), HoldFirstPosts: st.HoldFirstPosts,
		UpdatedAt: optTime(st.UpdatedAt), Version: st.Version}
}

// communityActionJSON is a moderation log entry. member_id is left out
// when the member is not named (an anonymous post's author).
type communityActionJSON struct {
	ID            int64                `json:"id"`
	Kind          community.ActionKind `json:"kind"`
	KindLabel     string               `json:"kind_label"`
	ModeratorName string               `json:"moderator_name"`
	MemberID      *int64               `json:"member_id"`
	MemberName    string               `json:"member_name"`
	PostID        *int64               `json:"post_id"`
	PostTitle     string               `json:"post_title"`
	ReportID      *int64               `json:"report_id"`
	Reason        string               `json:"reason"`
	Until         *time.Time           `json:"until"`
	CreatedAt     time.Time            `json:"created_at"`
}

func toCommunityActionsJSON(list []community.ActionView) []communityActionJSON {
	out := make([]communityActionJSON, len(list))
	for i, a := range list {
		out[i] = communityActionJSON{ID: a.ID, Kind: a.Kind, KindLabel: a.Kind.Label(), ModeratorName: a.ModeratorName,
			MemberName: a.MemberName, PostID: optID(a.PostID), PostTitle: a.PostTitle, ReportID: optID(a.ReportID), Reason: a.Reason,
			Until: a.Until, CreatedAt: a.CreatedAt}
		if a.MemberName != "" {
			out[i].MemberID = optID(a.MemberID)
		}
	}
	return out
}

type communityReportJSON struct {
	ID           int64                  `json:"id"`
	PostID       int64                  `json:"post_id"`
	Reason       community.ReportReason `json:"reason"`
	ReasonLabel  string                 `json:"reason_label"`
	Note         string                 `json:"note"`
	Status       community.ReportStatus `json:"status"`
	CreatedAt    time.Time              `json:"created_at"`
	ClosedAt     *time.Time             `json:"closed_at"`
	Resolution   string                 `json:"resolution"`
	ReporterName string                 `json:"reporter_name,omitempty"`
	Post         *communityPostJSON     `json:"post,omitempty"`
}

func toCommunityReportJSON(r *community.Report) communityReportJSON {
	return communityReportJSON{ID: r.ID, PostID: r.PostID, Reason: r.Reason, ReasonLabel: r.Reason.Label(), Note: r.Note,
		Status: r.Status, CreatedAt: r.CreatedAt, ClosedAt: r.ClosedAt, Resolution: r.Resolution}
}

// ---- Public pages ----

func (s *Server) communityRules(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	st, err := s.Community.Settings(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toCommunitySettingsJSON(st))
}

type communityCountJSON struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

func toCommunityCountsJSON(list []community.Count) []communityCountJSON {
	out := make([]communityCountJSON, len(list))
	for i, c := range list {
		out[i] = communityCountJSON(c)
	}
	return out
}

func (s *Server) communityOverview(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	o, err := s.Community.Overview(r.Context())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"members": o.Members, "by_group": toCommunityCountsJSON(o.ByGroup),
		"by_specialty": toCommunityCountsJSON(o.BySpecialty), "by_region": toCommunityCountsJSON(o.ByRegion),
		"by_age": toCommunityCountsJSON(o.ByAge), "questions": o.Questions, "answers": o.Answers, "answered_share": o.AnsweredShare})
}

func (s *Server) communityInvitationInfo(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	info, err := s.Community.Invitation(r.Context(), r.PathValue("token"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"inviter_name": info.InviterName, "note": info.Note,
		"expires_at": info.ExpiresAt, "open": info.Open})
}

// ---- Membership ----

func (s *Server) communityStanding(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	st, err := s.Community.Standing(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	var company *communityCompanyJSON
	if st.Company != nil {
		c := toCommunityCompanyJSON(st.Company)
		company = &c
	}
	return writeJSON(w, http.StatusOK, map[string]any{"user_id": st.UserID, "member": toCommunityMemberJSON(st.Member),
		"company": company, "moderator": st.Moderator, "doctor": st.Doctor, "verified": st.Verified, "group": st.Group,
		"can_read": st.CanRead, "can_post": st.CanPost, "can_apply": st.CanApply, "blockers": nonNil(st.Blockers)})
}

type communityApplicationInput struct {
	Note         string `json:"note"`
	ReferralCode string `json:"referral_code"`
}

func (s *Server) communityApply(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in communityApplicationInput
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := s.Community.Apply(r.Context(), cur.Actor(), community.Application(in))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toCommunityMemberJSON(m))
}

type communityApplicantJSON struct {
	communityMemberJSON
	Name                 string   `json:"name"`
	Email                string   `json:"email"`
	RegistrationNumber   string   `json:"registration_number"`
	RegistrationVerified bool     `json:"registration_verified"`
	PracticeForm         string   `json:"practice_form"`
	Prefecture           string   `json:"prefecture"`
	Specialties          []string `json:"specialties"`
	CompanyName          string   `json:"company_name"`
	InviterName          string   `json:"inviter_name"`
}

func (s *Server) communityApplications(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Community.Applications(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	out := make([]communityApplicantJSON, len(list))
	for i := range list {
		a := &list[i]
		out[i] = communityApplicantJSON{communityMemberJSON: *toCommunityMemberJSON(&a.Member), Name: a.Name, Email: a.Email,
			RegistrationNumber: a.RegistrationNumber, RegistrationVerified: a.RegistrationVerified, PracticeForm: a.PracticeForm,
			Prefecture: a.Prefecture, Specialties: nonNil(a.Specialties), CompanyName: a.CompanyName, InviterName: a.InviterName}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"applications": out})
}

func (s *Server) communityDecide(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	user, err := pathInt(r, "user")
	if err != nil {
		return err
	}
	var in struct {
		Approve *bool  `json:"approve"`
		Reason  string `json:"reason"`
		Version *int   `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Approve == nil {
		return apperr.InvalidFields(map[string]string{"approve": "承認するか (true) 見送るか (false) を指定してください。"})
	}
	if in.Version == nil {
		return needVersionOf("申請")
	}
	if err := s.Community.DecideApplication(r.Context(), cur.Actor(), user, *in.Version, *in.Approve, in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) communityInvite(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		Email string `json:"email"`
		Note  string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	token, inv, err := s.Community.Invite(r.Context(), cur.Actor(), community.InvitationInput{Email: in.Email, Note: in.Note})
	if err != nil {
		return err
	}
	// The token is shown this once; only its hash is kept.
	return writeJSON(w, http.StatusCreated, map[string]any{"token": token, "link": s.BaseURL + "/community/join/" + token,
		"invitation": toCommunityInvitationJSON(inv, s.Community.Now())})
}

func (s *Server) communityInvitations(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Community.Invitations(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	now := s.Community.Now()
	out := make([]communityInvitationJSON, len(list))
	for i := range list {
		out[i] = toCommunityInvitationJSON(&list[i], now)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"invitations": out})
}

func (s *Server) communityRevokeInvitation(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Community.RevokeInvitation(r.Context(), cur.Actor(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) communityAcceptInvitation(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in communityApplicationInput
	if err := decode(r, &in); err != nil {
		return err
	}
	m, err := s.Community.AcceptInvitation(r.Context(), cur.Actor(), r.PathValue("token"), community.Application(in))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toCommunityMemberJSON(m))
}

// ---- The member's own ----

// communityMyCard answers the caller's membership with its sharing and
// digest choices, and the card others see.
func (s *Server) communityMyCard(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	st, err := s.Community.Standing(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	if st.Member == nil || st.Member.Status != community.StatusActive {
		return apperr.E(apperr.Forbidden, "掲示板に参加していません。")
	}
	card, err := s.Community.Card(r.Context(), cur.Actor(), cur.User.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"member": toCommunityMemberJSON(st.Member), "card": toCommunityCardJSON(card)})
}

func (s *Server) communitySaveCard(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		AgeBand        community.AgeBand `json:"age_band"`
		ShareSpecialty bool              `json:"share_specialty"`
		ShareRegion    bool              `json:"share_region"`
		ShareAge       bool              `json:"share_age"`
		SharePractice  bool              `json:"share_practice"`
		Digest         community.Digest  `json:"digest"`
		Version        *int              `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("会員情報")
	}
	if _, err := s.Community.SaveCard(r.Context(), cur.Actor(), community.CardInput{AgeBand: in.AgeBand, ShareSpecialty: in.ShareSpecialty,
		ShareRegion: in.ShareRegion, ShareAge: in.ShareAge, SharePractice: in.SharePractice, Digest: in.Digest, Version: *in.Version}); err != nil {
		return err
	}
	return s.communityMyCard(w, r, cur)
}

func (s *Server) communityLeave(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	if err := s.Community.Leave(r.Context(), cur.Actor()); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) communityMyPosts(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Community.MyPosts(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"posts": toCommunityPostsJSON(list)})
}

func (s *Server) communityNotices(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Community.Notices(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"notices": toCommunityActionsJSON(list)})
}

func (s *Server) communityMembers(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	q := r.URL.Query()
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	group := community.Group(q.Get("group"))
	if group != "" && !group.Valid() {
		return apperr.InvalidFields(map[string]string{"group": "clinic_owner か planning_to_open で指定してください。"})
	}
	list, err := s.Community.Members(r.Context(), cur.Actor(), community.MemberFilter{Group: group, Specialty: q.Get("specialty"),
		Region: q.Get("region"), Limit: int(min(limit, 500))})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"members": toCommunityCardsJSON(list)})
}

func (s *Server) communityMember(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	card, err := s.Community.Card(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toCommunityCardJSON(card))
}
