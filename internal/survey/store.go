package survey

import (
	"context"

	"github.com/hakui-dev/hakui/internal/events"
)

// Store is what the survey service needs from the database. Errors are
// apperr kinds.
type Store interface {
	// Event returns the event a survey is attached to.
	Event(ctx context.Context, id int64) (*events.Event, error)
	// Registrations returns an event's registrations of the statuses.
	Registrations(ctx context.Context, eventID int64, statuses ...events.RegistrationStatus) ([]events.Registration, error)
	// RegistrationByToken returns the registration of a manage token's
	// hash. NotFound.
	RegistrationByToken(ctx context.Context, tokenHash string) (*events.Registration, error)
	// RegistrationsOf returns a user's registrations.
	RegistrationsOf(ctx context.Context, userID int64) ([]events.Registration, error)

	// CreateSurvey inserts s with its items and sets the IDs and Version.
	// Conflict when the public slug is taken.
	CreateSurvey(ctx context.Context, s *Survey) error
	// UpdateSurvey writes title, description, closes_at, status and —
	// while the stored status is draft — replaces the items, if the
	// stored version is s.Version; bumps it. Conflict when stale.
	UpdateSurvey(ctx context.Context, s *Survey) error
	// Survey returns one survey with its items. NotFound.
	Survey(ctx context.Context, id int64) (*Survey, error)
	// SurveyBySlug returns the survey of a public slug. NotFound.
	SurveyBySlug(ctx context.Context, slug string) (*Survey, error)
	// Surveys returns an organisation's surveys (eventID 0: all), the
	// latest first.
	Surveys(ctx context.Context, orgID, eventID int64) ([]Survey, error)

	// CreateSurveyInvitations inserts one invitation per registration not
	// yet invited, with the token hashes given by registration ID, and
	// returns those created.
	CreateSurveyInvitations(ctx context.Context, surveyID int64, invites []Invitation, tokenHashes map[int64]string) ([]Invitation, error)
	// SurveyInvitationByToken returns an invitation by its token's hash.
	SurveyInvitationByToken(ctx context.Context, tokenHash string) (*Invitation, error)
	// ReplaceSurveyInvitationTokens replaces the token hashes of the
	// survey's invitations given by invitation ID, except those answered,
	// and returns the IDs replaced.
	ReplaceSurveyInvitationTokens(ctx context.Context, surveyID int64, tokenHashes map[int64]string) ([]int64, error)
	// SurveyInvitations returns a survey's invitations with Responded.
	SurveyInvitations(ctx context.Context, surveyID int64) ([]Invitation, error)

	// SaveResponse inserts r (ID 0, with the edit token's hash; for an
	// invitation: Conflict when it has a response) or replaces the
	// answers of r.ID, in one transaction; sets r.ID.
	SaveResponse(ctx context.Context, r *Response, editTokenHash string) error
	// ResponseByEditToken returns a response by its edit token's hash.
	ResponseByEditToken(ctx context.Context, tokenHash string) (*Response, error)
	// ResponseOfInvitation returns the invitation's response. NotFound.
	ResponseOfInvitation(ctx context.Context, invitationID int64) (*Response, error)
	// Responses returns a survey's responses with answers and tags, in
	// the order received.
	Responses(ctx context.Context, surveyID int64) ([]Response, error)
	// SetCommentTags replaces the tags of one free-text answer.
	SetCommentTags(ctx context.Context, responseID, itemID int64, tags []string) error
}
