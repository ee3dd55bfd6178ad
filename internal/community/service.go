package community

import (
	"context"
	"html/template"
	"log/slog"
	"time"

	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth/password"
	"github.com/hakui-dev/hakui/internal/notify"
)

// Poster posts a message to an organisation's outgoing webhooks
// (webhook.Service).
type Poster interface {
	PostToOrg(ctx context.Context, orgID int64, title, body, link string) error
}

// Service runs the board.
type Service struct {
	Store    Store
	Audit    *audit.Recorder
	Notifier *notify.Notifier // nil: no notifications
	Webhooks Poster           // nil: new questions are not posted to rooms
	// Password hashes the temporary password of a new company contact.
	Password password.Params
	Log      *slog.Logger
	Now      func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// ---- Standing and membership ----

// Standing is the actor's relation to the board, for pages to choose what
// to show.
type Standing struct {
	UserID    int64
	Member    *Member  // nil: never applied
	Company   *Company // the company of a company contact
	Moderator bool     // holds the moderator or admin role
	Doctor    bool
	Verified  bool  // the 医籍登録番号 is verified
	Group     Group // from the profile's practice form; "" when not an allowed group
	CanRead   bool
	CanPost   bool
	CanApply  bool
	// Blockers say in Japanese why the actor cannot apply (not verified,
	// practice form not allowed, banned, already applied …).
	Blockers []string
}

// Application is a doctor's request to join.
type Application struct {
	Note         string
	ReferralCode string // a company's code; "" none
}

// InvitationInput is a member's invitation.
type InvitationInput struct {
	Email string // "" : anyone with the link
	Note  string
}

// InvitationInfo is what the invitee sees before accepting.
type InvitationInfo struct {
	InviterName string
	Note        string
	ExpiresAt   time.Time
	Open        bool
}

// Applicant is an application as a moderator sees it.
type Applicant struct {
	Member
	Name                 string
	Email                string
	RegistrationNumber   string
	RegistrationVerified bool
	PracticeForm         string // the profile's, labelled
	Prefecture           string
	Specialties          []string
	CompanyName          string
	InviterName          string
}

// CardInput is what a member shares on their card and how they get
// notifications.
type CardInput struct {
	AgeBand        AgeBand
	ShareSpecialty bool
	ShareRegion    bool
	ShareAge       bool
	SharePractice  bool
	Digest         Digest
	Version        int
}

// MemberFilter selects member cards.
type MemberFilter struct {
	Group     Group
	Specialty string
	Region    string
	Limit     int // 0: 200
}

// Count is a labelled count.
type Count struct {
	Label string
	N     int
}

// Overview is the "who is here" mix: counts only, never who. Fields the
// members do not share are counted as 非公開.
type Overview struct {
	Members       int
	ByGroup       []Count
	BySpecialty   []Count
	ByRegion      []Count
	ByAge         []Count
	Questions     int
	Answers       int
	AnsweredShare float64 // percent of visible questions with an answer
}

// ---- Settings ----

// DefaultRules is the rules page until a moderator saves one.
const DefaultRules = `## この掲示板について

開業している先生、開業を考えている先生のための、医籍登録番号を確認した医師だけの掲示板です。
診療科も地域も年代も「普通」が違う先生が集まっています。基本的な質問こそ歓迎します。

## ルール

- マウント（見下し・自慢で相手を下げること）と嫌味は禁止です。
- 患者さんを特定できる情報、個人情報は書かないでください。
- 宣伝・営業は禁止です。企業の方は投稿できません。
- 匿名で投稿できます。匿名の投稿者はほかの会員には分かりません（モデレーターが確認した場合は記録されます）。

違反には、理由を添えて警告・投稿停止・利用停止・BANで対応します。`

// ---- Companies ----

// CompanyInput creates a company.
type CompanyInput struct {
	Name         string
	Note         string
	ReferralCode string // "" : generated
}

// ContactInput adds a company contact.
type ContactInput struct {
	Email string
	Name  string
}

// ---- Tags ----

// TagInput creates (ID 0) or updates a tag.
type TagInput struct {
	ID          int64
	Name        string
	Category    TagCategory
	Description string
	Synonyms    []string
}

// ---- Questions, answers, comments ----

// Permissions say what the viewer may do with a post.
type Permissions struct {
	Edit     bool
	Answer   bool // questions
	Comment  bool
	Vote     bool // not one's own post
	Accept   bool // answers, for the asker of the question
	Report   bool
	Moderate bool
}

// PostView is a post as it leaves the service. AuthorID is zero unless
// the viewer is the author (Mine); Author is nil for anonymous posts.
type PostView struct {
	Post
	AuthorName string // the name, 匿名の先生, or 匿名の先生（あなた）for the author
	Author     *Card  // nil when anonymous
	BodyHTML   template.HTML
	Mine       bool
	Voted      bool
	Accepted   bool // an accepted answer
	Comments   []PostView
	Can        Permissions
}

// Thread is a question with its answers (accepted first, then by score
// and time) and each one's comments. Held and hidden posts show only to
// their author (with the reason) and to moderators.
type Thread struct {
	Question PostView
	Answers  []PostView
}

// QuestionInput asks a question.
type QuestionInput struct {
	Title     string
	Body      string
	Tags      []string // names or synonyms of curated tags; at most 5
	Anonymous bool
}

// ReplyInput is an answer or a comment.
type ReplyInput struct {
	Body      string
	Anonymous bool
}

// EditInput edits a post. Reason is required from a moderator editing
// another's post, and shown to the author.
type EditInput struct {
	Title   string
	Body    string
	Tags    []string
	Reason  string
	Version int
}

// QuestionState filters questions.
type QuestionState string

// Question states.
const (
	StateAll        QuestionState = ""
	StateSolved     QuestionState = "solved"     // an answer is accepted
	StateUnsolved   QuestionState = "unsolved"   // none accepted
	StateUnanswered QuestionState = "unanswered" // no visible answer
)

// QuestionSort orders questions.
type QuestionSort string

// Orders.
const (
	SortActivity QuestionSort = ""       // latest activity first
	SortNewest   QuestionSort = "new"    // latest asked first
	SortVotes    QuestionSort = "votes"  // most upvoted first
	SortOldest   QuestionSort = "oldest" // the unanswered queue: longest waiting first
)

// QuestionFilter selects questions.
type QuestionFilter struct {
	Query    string // Japanese full text over questions and their answers
	Tag      string // a tag name or synonym
	State    QuestionState
	Sort     QuestionSort
	AuthorID int64 // named questions of the member; the actor's own include anonymous ones
	Cursor   string
	Limit    int // 0: 30, at most 100
}

// QuestionPage is a page of questions.
type QuestionPage struct {
	Questions []PostView // no comments, Body not rendered
	Tag       *Tag       // the resolved tag
	Next      string     // cursor of the next page; "" at the end
}

// BoardStats are the board's response figures.
type BoardStats struct {
	Questions         int
	Unanswered        int
	Solved            int
	AnsweredIn24h     float64       // percent of questions of the last 90 days answered within 24 hours
	MedianFirstAnswer time.Duration // over the last 90 days; 0 when none
	TopAnswerers      []Card        // named answers of the last 30 days, most first
}

// ---- Reports and moderation ----

// ReportInput is a member's report.
type ReportInput struct {
	Reason ReportReason
	Note   string
}

// ReportView is a report as the moderators see it. The post's author
// stays hidden when the post is anonymous.
type ReportView struct {
	Report
	ReporterName string
	Post         PostView
}

// Moderate is a moderator's action on a post: ActApprovePost, ActHide or
// ActRestore, with the reason the author sees. Hiding for
// ReasonPrivateInfo resolves the post's open reports at once.
type Moderate struct {
	Kind   ActionKind
	Reason string
	// Private marks a hide for patient or personal data: the author is
	// told so, and every open report of the post is resolved.
	Private bool
}

// Sanction is a moderator's action on a member: ActWarn, ActSilence,
// ActSuspend (both with Until), ActBan or ActLift, with the reason the
// member sees. PostID may name the post that led to it.
type Sanction struct {
	Kind   ActionKind
	Until  time.Time // silence and suspension; after now, at most a year ahead
	Reason string
	PostID int64
}

// ActionView is a moderation log entry with names.
type ActionView struct {
	Action
	ModeratorName string
	MemberName    string // "" for an anonymous post's author unless revealed elsewhere
	PostTitle     string
}

// ---- Notifications ----

// Notification kinds of the board; every one starts with KindPrefix.
const (
	KindPrefix         = "community."
	NoteAnswer         = "community.answer"     // a new answer to my question
	NoteComment        = "community.comment"    // a comment on my answer (or question)
	NoteAccepted       = "community.accepted"   // my answer was accepted
	NoteModeration     = "community.moderation" // a moderator acted on me or my post
	NoteApplication    = "community.application"
	DigestJobKind      = "community.digest"
	digestItemsPerMail = 50
)
