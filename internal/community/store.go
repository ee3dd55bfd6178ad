package community

import (
	"context"
	"time"

	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/profile"
)

// Store is what the service needs from the database. Errors are apperr
// kinds: NotFound, Conflict (uniqueness, a stale version, a state that
// changed), Invalid (a constraint the service should have caught).
type Store interface {
	User(ctx context.Context, id int64) (*identity.User, error)
	UserByEmail(ctx context.Context, email string) (*identity.User, error)
	CreateUser(ctx context.Context, u *identity.User, grants []identity.Grant) error
	Grants(ctx context.Context, userID int64) ([]identity.Grant, error)
	Profile(ctx context.Context, userID int64) (*profile.Profile, error)
	// PlatformOrgID returns the platform organisation, whose webhooks the
	// board posts new questions to. NotFound when there is none.
	PlatformOrgID(ctx context.Context) (int64, error)

	// CommunitySettings returns the settings; Version 0 and empty Rules
	// when never saved.
	CommunitySettings(ctx context.Context) (*Settings, error)
	// SaveCommunitySettings writes s if the stored version is s.Version
	// (0: none stored yet) and bumps s.Version. Conflict when stale.
	SaveCommunitySettings(ctx context.Context, s *Settings) error

	// CommunityMember returns a membership. NotFound.
	CommunityMember(ctx context.Context, userID int64) (*Member, error)
	// CreateCommunityMember inserts m, or overwrites a rejected or left
	// membership of the user with m (version bumped), keeping a stored
	// silence or suspension that runs after m.UpdatedAt (and later than
	// m's) so that leaving does not end it; m gets the kept ends. Conflict when the
	// user has an applied, active or banned membership.
	CreateCommunityMember(ctx context.Context, m *Member) error
	// UpdateCommunityMember writes every field of m if the stored version
	// is m.Version, then bumps m.Version. Conflict when stale.
	UpdateCommunityMember(ctx context.Context, m *Member) error
	// CommunityMembers returns memberships of the status, the oldest
	// application first. Limit 0 means 500.
	CommunityMembers(ctx context.Context, status MemberStatus, limit int) ([]Member, error)
	// CommunityMemberStats returns the named-post figures of each user.
	CommunityMemberStats(ctx context.Context, userIDs []int64) (map[int64]MemberStats, error)
	// CommunityTopAnswerers returns the users with the most named, visible
	// answers since the time, most first, at most limit.
	CommunityTopAnswerers(ctx context.Context, since time.Time, limit int) ([]int64, error)

	// CreateCommunityInvitation inserts inv with the token's hash.
	CreateCommunityInvitation(ctx context.Context, inv *Invitation, tokenHash string) error
	// CommunityInvitationByToken returns the invitation of the hash.
	// NotFound.
	CommunityInvitationByToken(ctx context.Context, tokenHash string) (*Invitation, error)
	CommunityInvitation(ctx context.Context, id int64) (*Invitation, error)
	// CommunityInvitations returns a member's invitations, latest first.
	CommunityInvitations(ctx context.Context, invitedBy int64) ([]Invitation, error)
	// RevokeCommunityInvitation revokes an open invitation. Conflict when
	// it was accepted or revoked.
	RevokeCommunityInvitation(ctx context.Context, id int64, at time.Time) error
	// AcceptCommunityInvitation marks the invitation accepted by m.UserID
	// if it is still open at m's JoinedAt, and creates the membership as
	// CreateCommunityMember does, in one transaction. Conflict when the
	// invitation is no longer open or the membership exists.
	AcceptCommunityInvitation(ctx context.Context, invitationID int64, m *Member) error

	// CreateCommunityCompany inserts c. Conflict on name or code.
	CreateCommunityCompany(ctx context.Context, c *Company) error
	CommunityCompany(ctx context.Context, id int64) (*Company, error)
	// CommunityCompanyByCode finds a company by its code, compared
	// case-insensitively. NotFound.
	CommunityCompanyByCode(ctx context.Context, code string) (*Company, error)
	CommunityCompanies(ctx context.Context) ([]Company, error)
	SetCommunityCompanyDisabled(ctx context.Context, id int64, at *time.Time) error
	// AddCommunityCompanyContact links a user to a company. Conflict when
	// the user is a contact already.
	AddCommunityCompanyContact(ctx context.Context, companyID, userID int64, at time.Time) error
	// CommunityCompanyOf returns the company the user is a contact of.
	// NotFound.
	CommunityCompanyOf(ctx context.Context, userID int64) (*Company, error)
	// CommunityReferrals counts a company's referrals: Applied every
	// membership with its code, Joined those active now, ByMonth by the
	// JST month of the application, the oldest first; Contacts its
	// contact accounts.
	CommunityReferrals(ctx context.Context, companyID int64) (*Referrals, error)

	// CommunityTags returns every tag with its synonyms and the number of
	// visible questions, by category and name.
	CommunityTags(ctx context.Context) ([]Tag, error)
	CommunityTag(ctx context.Context, id int64) (*Tag, error)
	// ResolveCommunityTags maps each name (any form) to its tag through
	// the folded keys (jatext.Fold) of tag names and synonyms. Unknown
	// names are left out of the map.
	ResolveCommunityTags(ctx context.Context, names []string) (map[string]Tag, error)
	// SaveCommunityTag inserts (ID 0) or updates t with its synonyms,
	// replacing the old ones. Conflict when a name or synonym folds to
	// another tag's.
	SaveCommunityTag(ctx context.Context, t *Tag) error

	// CreateCommunityPost inserts p (p.Tags are canonical tag names) and
	// its first revision, indexes questions and answers for search, and
	// when p is visible counts it: the member's approved posts, and for an
	// answer its question's answer count, first answer time and activity.
	// Sets p.ID, p.Version and rev.ID, rev.PostID.
	CreateCommunityPost(ctx context.Context, p *Post, rev *Revision) error
	// CommunityPost returns one post with its tags. NotFound.
	CommunityPost(ctx context.Context, id int64) (*Post, error)
	// CommunityThread returns a question, its answers and every comment,
	// whatever their status, in the order written. NotFound when the id
	// is not a question.
	CommunityThread(ctx context.Context, questionID int64) ([]Post, error)
	// UpdateCommunityPost writes p's title, body, tags and edited time if
	// the stored version is p.Version, bumps it, adds rev and reindexes.
	// Conflict when stale.
	UpdateCommunityPost(ctx context.Context, p *Post, rev *Revision) error
	// SetCommunityPostStatus moves a post to the status with the reason,
	// keeping the counters true (answer count, first answer time, approved
	// posts on held → visible) and the index (hidden posts are not
	// found). Bumps the version. NotFound.
	SetCommunityPostStatus(ctx context.Context, id int64, status PostStatus, reason string, at time.Time) error
	// AcceptCommunityAnswer sets (answerID 0 clears) the question's
	// accepted answer if its version is still version. Conflict when
	// stale.
	AcceptCommunityAnswer(ctx context.Context, questionID, answerID int64, version int, at time.Time) error
	// CommunityPostRevisions returns a post's versions, the first first.
	CommunityPostRevisions(ctx context.Context, postID int64) ([]Revision, error)
	// VoteCommunityPost adds (up) or removes the user's upvote and keeps
	// the post's score; it reports whether anything changed.
	VoteCommunityPost(ctx context.Context, postID, userID int64, up bool, at time.Time) (bool, error)
	// CommunityVotes returns which of the posts the user upvoted.
	CommunityVotes(ctx context.Context, userID int64, postIDs []int64) (map[int64]bool, error)
	// CommunityQuestions returns the visible questions q selects and the
	// cursor of the next page.
	CommunityQuestions(ctx context.Context, q QuestionQuery) ([]Post, string, error)
	// CommunityPostsBy returns a user's posts of every kind and status,
	// the latest first; anonymous ones only when includeAnonymous.
	CommunityPostsBy(ctx context.Context, authorID int64, includeAnonymous bool, limit int) ([]Post, error)
	// CommunityHeldPosts returns the held posts, the oldest first.
	CommunityHeldPosts(ctx context.Context, limit int) ([]Post, error)
	// CommunityCounts returns the numbers of visible questions, of those
	// with a visible answer, of solved ones, and of visible answers.
	CommunityCounts(ctx context.Context) (PostCounts, error)
	// CommunityQuestionTimes returns the creation and first-answer times
	// of the visible questions asked since the time.
	CommunityQuestionTimes(ctx context.Context, since time.Time) ([]QuestionTime, error)

	// CreateCommunityReport inserts r. Conflict when the reporter's report
	// on the post is open.
	CreateCommunityReport(ctx context.Context, r *Report) error
	CommunityReport(ctx context.Context, id int64) (*Report, error)
	// CommunityReports returns the reports of the status, the oldest
	// first; postID 0 means any post.
	CommunityReports(ctx context.Context, status ReportStatus, postID int64, limit int) ([]Report, error)
	// CloseCommunityReport closes an open report. Conflict when closed.
	CloseCommunityReport(ctx context.Context, id int64, status ReportStatus, by int64, resolution string, at time.Time) error
	// CloseCommunityReportsOf closes every open report of the post and
	// returns how many.
	CloseCommunityReportsOf(ctx context.Context, postID int64, status ReportStatus, by int64, resolution string, at time.Time) (int, error)

	// AddCommunityAction appends to the moderation log and sets a.ID.
	AddCommunityAction(ctx context.Context, a *Action) error
	// CommunityActions returns log entries, the latest first; memberID 0
	// means every member.
	CommunityActions(ctx context.Context, memberID int64, limit int) ([]Action, error)

	// CommunityCards returns active and banned members (Status tells)
	// with what their cards draw on from the profile, by join time.
	CommunityCards(ctx context.Context, limit int) ([]CardSource, error)

	// CommunityDigestDue returns the active members with the daily digest.
	CommunityDigestDue(ctx context.Context) ([]Member, error)
	// NotificationsSince returns the user's notifications of kinds
	// starting with the prefix created after the time, oldest first.
	NotificationsSince(ctx context.Context, userID int64, kindPrefix string, since time.Time, limit int) ([]notify.Notification, error)
	// MarkCommunityDigestSent records when the member's digest went out.
	MarkCommunityDigestSent(ctx context.Context, userID int64, at time.Time) error
}

// QuestionQuery is a resolved QuestionFilter for the store.
type QuestionQuery struct {
	Text     jatext.Query // over title and body of questions and their visible answers
	TagID    int64
	State    QuestionState
	Sort     QuestionSort
	AuthorID int64
	// IncludeAnonymous counts the author's anonymous questions (the
	// author's own list).
	IncludeAnonymous bool
	Cursor           string
	Limit            int
}

// PostCounts are the board's sizes.
type PostCounts struct {
	Questions int
	Answered  int
	Solved    int
	Answers   int
}

// QuestionTime is when a question was asked and first answered.
type QuestionTime struct {
	CreatedAt     time.Time
	FirstAnswerAt *time.Time
}

// CardSource is a member and the profile fields a card may show.
type CardSource struct {
	Member
	Name        string
	Specialties []string
	Prefecture  string
	Practice    string // profile practice form
}
