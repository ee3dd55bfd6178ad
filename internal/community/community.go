// Package community is the closed Q&A board (掲示板) of clinic owners and
// doctors about to open one: membership by application or invitation,
// company referral codes, questions, answers and comments (any of them
// anonymous), upvotes, accepted answers, tags with synonyms, reports and
// moderation.
//
// The board has its own access rules (access.go): they turn on the
// member's standing (applied, active, silenced, suspended, banned), which
// no organisation grant expresses, so they live here rather than in
// package policy. The service records every denial in the audit log as
// the guard does.
//
// Anonymity is kept by the service: the store always knows the author,
// and a post leaves the service with its author only for the author
// themselves; a moderator learns it through RevealAuthor, which is
// audited.
package community

import (
	"time"

	"github.com/hakui-dev/hakui/internal/career"
)

// Group is the allowed group a member belongs to: the doctor's practice
// form.
type Group string

// Groups.
const (
	GroupClinicOwner    Group = Group(career.PracticeClinicOwner)    // 開業医
	GroupPlanningToOpen Group = Group(career.PracticePlanningToOpen) // 開業予定
)

// Groups lists the groups allowed to join.
var Groups = []Group{GroupClinicOwner, GroupPlanningToOpen}

// Label returns the Japanese name of the group.
func (g Group) Label() string { return career.PracticeForm(g).Label() }

// Valid reports whether g is an allowed group.
func (g Group) Valid() bool { return g == GroupClinicOwner || g == GroupPlanningToOpen }

// MemberStatus is where a membership stands.
type MemberStatus string

// Member statuses. Silence and suspension are periods on an active
// member (Member.SilencedUntil, SuspendedUntil), not statuses.
const (
	StatusApplied  MemberStatus = "applied"  // waiting for a moderator
	StatusActive   MemberStatus = "active"   // a member
	StatusRejected MemberStatus = "rejected" // the application was declined; may apply again
	StatusLeft     MemberStatus = "left"     // left the board; may apply again
	StatusBanned   MemberStatus = "banned"   // banned; may not apply again
)

// Label returns the Japanese name of the status.
func (s MemberStatus) Label() string {
	switch s {
	case StatusApplied:
		return "承認待ち"
	case StatusActive:
		return "参加中"
	case StatusRejected:
		return "見送り"
	case StatusLeft:
		return "退会"
	case StatusBanned:
		return "BAN"
	}
	return string(s)
}

// Entry is how a member came in.
type Entry string

// Entries.
const (
	EntryApplication Entry = "application" // applied; a moderator approved
	EntryInvitation  Entry = "invitation"  // invited by a member
)

// AgeBand is a member's self-declared age band, shared only if they
// choose.
type AgeBand string

// Age bands; "" is not given.
const (
	Age20s AgeBand = "20s"
	Age30s AgeBand = "30s"
	Age40s AgeBand = "40s"
	Age50s AgeBand = "50s"
	Age60s AgeBand = "60s" // 60代以上
)

// AgeBands lists the age bands.
var AgeBands = []AgeBand{Age20s, Age30s, Age40s, Age50s, Age60s}

// Label returns the Japanese name of the band.
func (a AgeBand) Label() string {
	switch a {
	case Age20s:
		return "20代"
	case Age30s:
		return "30代"
	case Age40s:
		return "40代"
	case Age50s:
		return "50代"
	case Age60s:
		return "60代以上"
	}
	return "未回答"
}

// Valid reports whether a is a band or "".
func (a AgeBand) Valid() bool {
	switch a {
	case "", Age20s, Age30s, Age40s, Age50s, Age60s:
		return true
	}
	return false
}

// Digest is how a member gets the board's notifications by e-mail.
type Digest string

// Digests.
const (
	DigestOff       Digest = "off"       // in the app only
	DigestImmediate Digest = "immediate" // one e-mail per notification
	DigestDaily     Digest = "daily"     // one e-mail a day with what came
)

// Label returns the Japanese name of the digest.
func (d Digest) Label() string {
	switch d {
	case DigestOff:
		return "メールを送らない"
	case DigestImmediate:
		return "その都度メールで受け取る"
	case DigestDaily:
		return "1日1回まとめて受け取る"
	}
	return string(d)
}

// Valid reports whether d is a known digest.
func (d Digest) Valid() bool { return d == DigestOff || d == DigestImmediate || d == DigestDaily }

// Member is a doctor's membership, from the application on.
type Member struct {
	UserID          int64
	Group           Group
	Status          MemberStatus
	Entry           Entry
	InvitedBy       int64 // 0: not invited
	CompanyID       int64 // the company whose referral code was given; 0 none
	ApplicationNote string
	DecidedBy       int64
	DecisionReason  string
	AppliedAt       time.Time
	JoinedAt        *time.Time

	AgeBand        AgeBand
	ShareSpecialty bool
	ShareRegion    bool
	ShareAge       bool
	SharePractice  bool
	Digest         Digest
	DigestSentAt   *time.Time

	ApprovedPosts  int // published posts, for holding a new member's first posts
	SilencedUntil  *time.Time
	SuspendedUntil *time.Time
	BannedAt       *time.Time
	Version        int
	UpdatedAt      time.Time
}

// Active reports whether m is a member in good standing at the time: not
// suspended (a silenced member is active and reads).
func (m *Member) Active(at time.Time) bool {
	return m != nil && m.Status == StatusActive && !(m.SuspendedUntil != nil && at.Before(*m.SuspendedUntil))
}

// Silenced reports whether m may read but not post at the time.
func (m *Member) Silenced(at time.Time) bool {
	return m != nil && m.SilencedUntil != nil && at.Before(*m.SilencedUntil)
}

// Suspended reports whether m is suspended at the time.
func (m *Member) Suspended(at time.Time) bool {
	return m != nil && m.SuspendedUntil != nil && at.Before(*m.SuspendedUntil)
}

// Card is what other members see of a member: the display name and each
// card field only if the member shares it ("" when not shared).
type Card struct {
	UserID      int64
	Name        string
	Group       Group
	Specialties []string // shared specialties; nil when not shared
	Prefecture  string
	AgeBand     AgeBand
	Practice    Group // "" when not shared
	JoinedAt    *time.Time
	Stats       MemberStats
}

// MemberStats are a member's answering figures, counting named posts only
// (anonymous ones would reveal their author).
type MemberStats struct {
	Questions       int
	Answers         int
	AcceptedAnswers int
	UpvotesReceived int
}

// Invitation is a member's invitation to the board.
type Invitation struct {
	ID         int64
	InvitedBy  int64
	Email      string // "" : anyone with the link
	Note       string
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedBy int64
	AcceptedAt *time.Time
	RevokedAt  *time.Time
}

// Open reports whether the invitation can still be accepted at the time.
func (i *Invitation) Open(at time.Time) bool {
	return i.AcceptedAt == nil && i.RevokedAt == nil && at.Before(i.ExpiresAt)
}

// Company is a company that points doctors to the board.
type Company struct {
	ID           int64
	Name         string
	ReferralCode string
	Note         string
	CreatedBy    int64
	CreatedAt    time.Time
	DisabledAt   *time.Time
}

// Referrals are a company's counts: doctors who applied with its code and
// those who joined. Counts only, never who.
type Referrals struct {
	Company  Company
	Applied  int // every application or acceptance with the code
	Joined   int // now active members
	ByMonth  []MonthCount
	Contacts int // contact accounts; shown to moderators only
}

// MonthCount is a count for a month ("2026-11") in JST.
type MonthCount struct {
	Month   string
	Applied int
	Joined  int
}

// TagCategory groups the tags.
type TagCategory string

// Tag categories.
const (
	TagSpecialty TagCategory = "specialty" // 診療科
	TagRegion    TagCategory = "region"    // 地域
	TagPractice  TagCategory = "practice"  // 診療形態
	TagTopic     TagCategory = "topic"     // 集患, 労務, 医療機器, 承継, IT, 資金 …
)

// TagCategories lists the categories in display order.
var TagCategories = []TagCategory{TagTopic, TagSpecialty, TagRegion, TagPractice}

// Label returns the Japanese name of the category.
func (c TagCategory) Label() string {
	switch c {
	case TagSpecialty:
		return "診療科"
	case TagRegion:
		return "地域"
	case TagPractice:
		return "診療形態"
	case TagTopic:
		return "テーマ"
	}
	return string(c)
}

// Valid reports whether c is a known category.
func (c TagCategory) Valid() bool {
	return c == TagSpecialty || c == TagRegion || c == TagPractice || c == TagTopic
}

// Tag is a curated tag and the synonyms that resolve to it.
type Tag struct {
	ID          int64
	Name        string
	Category    TagCategory
	Description string
	Synonyms    []string
	Questions   int // visible questions with the tag
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// PostKind is a question, an answer or a comment.
type PostKind string

// Post kinds.
const (
	KindQuestion PostKind = "question" // 質問
	KindAnswer   PostKind = "answer"   // 回答
	KindComment  PostKind = "comment"  // コメント
)

// Label returns the Japanese name of the kind.
func (k PostKind) Label() string {
	switch k {
	case KindQuestion:
		return "質問"
	case KindAnswer:
		return "回答"
	case KindComment:
		return "コメント"
	}
	return string(k)
}

// PostStatus is whether a post shows.
type PostStatus string

// Post statuses.
const (
	PostHeld    PostStatus = "held"    // a new member's post waiting for a moderator
	PostVisible PostStatus = "visible" // shown to members
	PostHidden  PostStatus = "hidden"  // hidden by a moderator; StatusReason says why
)

// Label returns the Japanese name of the status.
func (s PostStatus) Label() string {
	switch s {
	case PostHeld:
		return "承認待ち"
	case PostVisible:
		return "公開"
	case PostHidden:
		return "非表示"
	}
	return string(s)
}

// AnonymousName is how an anonymous author is shown.
const AnonymousName = "匿名の先生"

// Post is a question, an answer or a comment as stored. AuthorID is the
// author even when Anonymous; see View for what leaves the service.
type Post struct {
	ID               int64
	Kind             PostKind
	QuestionID       int64 // the thread; 0 for a question
	ParentID         int64 // the post a comment is on; 0 otherwise
	AuthorID         int64
	Anonymous        bool
	Title            string // questions only
	Body             string // Markdown
	Tags             []string
	Status           PostStatus
	StatusReason     string
	AcceptedAnswerID int64 // questions only
	AcceptedAt       *time.Time
	Score            int
	AnswerCount      int
	FirstAnswerAt    *time.Time
	CreatedAt        time.Time
	EditedAt         *time.Time
	ActivityAt       time.Time
	Version          int
}

// Revision is one version of a post, the first included.
type Revision struct {
	ID          int64
	PostID      int64
	EditorID    int64 // zeroed in views of anonymous posts
	ByModerator bool
	Title       string
	Body        string
	Tags        []string
	Reason      string
	CreatedAt   time.Time
}

// ReportReason is why a member reports a post.
type ReportReason string

// Report reasons.
const (
	ReasonShowingOff  ReportReason = "showing_off"  // マウント・見下し
	ReasonHostile     ReportReason = "hostile"      // 嫌味・攻撃的
	ReasonAdvertising ReportReason = "advertising"  // 宣伝
	ReasonPrivateInfo ReportReason = "private_info" // 個人情報・患者情報
	ReasonOther       ReportReason = "other"        // その他 (a note is required)
)

// ReportReasons lists the reasons in display order.
var ReportReasons = []ReportReason{ReasonShowingOff, ReasonHostile, ReasonAdvertising, ReasonPrivateInfo, ReasonOther}

// Label returns the Japanese name of the reason.
func (r ReportReason) Label() string {
	switch r {
	case ReasonShowingOff:
		return "マウント・見下し"
	case ReasonHostile:
		return "嫌味・攻撃的"
	case ReasonAdvertising:
		return "宣伝"
	case ReasonPrivateInfo:
		return "個人情報・患者情報"
	case ReasonOther:
		return "その他"
	}
	return string(r)
}

// Valid reports whether r is a known reason.
func (r ReportReason) Valid() bool {
	for _, known := range ReportReasons {
		if r == known {
			return true
		}
	}
	return false
}

// ReportStatus is where a report stands.
type ReportStatus string

// Report statuses.
const (
	ReportOpen      ReportStatus = "open"
	ReportResolved  ReportStatus = "resolved"  // acted on
	ReportDismissed ReportStatus = "dismissed" // no action needed
)

// Label returns the Japanese name of the status.
func (s ReportStatus) Label() string {
	switch s {
	case ReportOpen:
		return "未対応"
	case ReportResolved:
		return "対応済み"
	case ReportDismissed:
		return "対応不要"
	}
	return string(s)
}

// Report is a member's report of a post.
type Report struct {
	ID         int64
	PostID     int64
	ReporterID int64
	Reason     ReportReason
	Note       string
	Status     ReportStatus
	CreatedAt  time.Time
	ClosedBy   int64
	ClosedAt   *time.Time
	Resolution string
}

// ActionKind is a moderator's action.
type ActionKind string

// Moderator actions.
const (
	ActApproveMember ActionKind = "approve_member"
	ActRejectMember  ActionKind = "reject_member"
	ActApprovePost   ActionKind = "approve_post"
	ActHide          ActionKind = "hide"
	ActRestore       ActionKind = "restore"
	ActEdit          ActionKind = "edit"
	ActWarn          ActionKind = "warn"
	ActSilence       ActionKind = "silence"
	ActSuspend       ActionKind = "suspend"
	ActBan           ActionKind = "ban"
	ActLift          ActionKind = "lift" // ends a silence, suspension or ban
	ActRevealAuthor  ActionKind = "reveal_author"
	ActCloseReport   ActionKind = "close_report"
	ActTag           ActionKind = "tag"
	ActSettings      ActionKind = "settings"
)

// Label returns the Japanese name of the action.
func (a ActionKind) Label() string {
	switch a {
	case ActApproveMember:
		return "参加承認"
	case ActRejectMember:
		return "参加見送り"
	case ActApprovePost:
		return "投稿承認"
	case ActHide:
		return "非表示"
	case ActRestore:
		return "再表示"
	case ActEdit:
		return "投稿の編集"
	case ActWarn:
		return "警告"
	case ActSilence:
		return "投稿停止"
	case ActSuspend:
		return "利用停止"
	case ActBan:
		return "BAN"
	case ActLift:
		return "制限の解除"
	case ActRevealAuthor:
		return "匿名投稿者の確認"
	case ActCloseReport:
		return "通報の処理"
	case ActTag:
		return "タグの編集"
	case ActSettings:
		return "設定の変更"
	}
	return string(a)
}

// Action is one entry of the moderation log.
type Action struct {
	ID          int64
	Kind        ActionKind
	ModeratorID int64
	MemberID    int64 // the member it concerns; 0 none
	PostID      int64
	ReportID    int64
	Reason      string
	Until       *time.Time // silence and suspension
	CreatedAt   time.Time
}

// Settings are the board's settings.
type Settings struct {
	Rules          string // Markdown
	HoldFirstPosts int    // hold a member's first N posts for approval; 0 off
	UpdatedBy      int64
	UpdatedAt      time.Time
	Version        int // 0: never saved (the defaults)
}
