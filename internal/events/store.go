package events

import (
	"context"
	"time"

	"github.com/hakui-dev/hakui/internal/identity"
)

// Store is what the events service needs from the database. Errors are
// apperr kinds: NotFound, Conflict (uniqueness, a stale version, a state
// that changed), Invalid.
type Store interface {
	Organisation(ctx context.Context, id int64) (*identity.Organisation, error)
	User(ctx context.Context, id int64) (*identity.User, error)
	// Members returns the members of an organisation, to tell the
	// organisers of an event about a material request.
	Members(ctx context.Context, orgID int64) ([]identity.Member, error)

	// CreateEvent inserts e with its talks and sets e.ID and e.Version.
	CreateEvent(ctx context.Context, e *Event) error
	// UpdateEvent writes e and replaces its talks if the stored version
	// is e.Version, then bumps it. Conflict when stale. Under the event's
	// lock it refuses (Invalid, per field) a capacity below the
	// registered venue places ("venue_capacity") and the loss of the
	// venue while live venue registrations exist ("mode").
	UpdateEvent(ctx context.Context, e *Event) error
	// Event returns one event with its talks and organisation name.
	Event(ctx context.Context, id int64) (*Event, error)
	// Events returns the events f selects, the soonest first.
	Events(ctx context.Context, f EventFilter) ([]Event, error)

	// CreateRegistration inserts r with the token's hash in one
	// transaction that decides its status: a venue registration beyond
	// the event's capacity, read in that transaction under the event's
	// lock (counting registered venue places), is waitlisted. Invalid
	// (field "attendance") for the venue of an event without one. Sets
	// r.ID, r.Status, r.Version. Conflict when the e-mail has a live
	// registration for the event.
	// Conflict as well when the user (UserID non-zero) has a live
	// registration for the event.
	CreateRegistration(ctx context.Context, r *Registration, tokenHash string) error
	// ReplaceRegistrationToken replaces the manage token's hash of a live
	// registration. Conflict when cancelled, NotFound.
	ReplaceRegistrationToken(ctx context.Context, id int64, tokenHash string) error
	Registration(ctx context.Context, id int64) (*Registration, error)
	RegistrationByToken(ctx context.Context, tokenHash string) (*Registration, error)
	// Registrations returns an event's registrations of the statuses
	// (none: all), in registration order.
	Registrations(ctx context.Context, eventID int64, statuses ...RegistrationStatus) ([]Registration, error)
	// RegistrationsOf returns a user's live registrations, the soonest
	// event first.
	RegistrationsOf(ctx context.Context, userID int64) ([]Registration, error)
	// CancelRegistration cancels a live registration and, in the same
	// transaction, moves up the earliest waitlisted venue registrations
	// while places are free under the event's capacity read under its
	// lock (none: no limit). It returns the registrations moved up.
	// Conflict when already cancelled.
	CancelRegistration(ctx context.Context, id int64, at time.Time) ([]Registration, error)
	// PromoteWaitlisted moves up waitlisted registrations while places
	// are free under the event's capacity read under its lock (after the
	// capacity grew) and returns them; none for an event without a venue.
	PromoteWaitlisted(ctx context.Context, eventID int64, at time.Time) ([]Registration, error)
	// SetCheckedIn records (at non-nil) or clears a check-in of a
	// registered registration. Conflict when it is not registered.
	SetCheckedIn(ctx context.Context, id int64, at *time.Time, by int64) error
	// EventCounts returns the figures of an event.
	EventCounts(ctx context.Context, eventID int64) (*Counts, error)

	// SaveGroupWork replaces the event's groups and their members with
	// gw's if the stored version is gw.Version (0: none yet), then bumps
	// it and sets the groups' IDs. Conflict when stale.
	SaveGroupWork(ctx context.Context, gw *GroupWork) error
	// GroupWork returns the event's group work with members. NotFound
	// when none.
	GroupWork(ctx context.Context, eventID int64) (*GroupWork, error)
	// SaveGroupReport writes a group's presenters and points.
	SaveGroupReport(ctx context.Context, groupID int64, presenters, points string) error
	// EventGroup returns one group (without members) and its event ID.
	EventGroup(ctx context.Context, groupID int64) (*Group, int64, error)

	CreateMaterial(ctx context.Context, m *Material) error
	UpdateMaterial(ctx context.Context, m *Material) error
	Material(ctx context.Context, id int64) (*Material, error)
	Materials(ctx context.Context, eventID int64) ([]Material, error)
	CreateMaterialRequest(ctx context.Context, r *MaterialRequest) error
	MaterialRequest(ctx context.Context, id int64) (*MaterialRequest, error)
	// MaterialRequestByToken returns the approved request of the access
	// token's hash. NotFound.
	MaterialRequestByToken(ctx context.Context, tokenHash string) (*MaterialRequest, error)
	// MaterialRequests returns the requests for an event's materials, the
	// pending first, then the latest.
	MaterialRequests(ctx context.Context, eventID int64) ([]MaterialRequest, error)
	// DecideMaterialRequest approves (with the token's hash and expiry)
	// or rejects a pending request. Conflict when it was decided.
	DecideMaterialRequest(ctx context.Context, r *MaterialRequest, tokenHash string) error
}

// EventFilter selects events.
type EventFilter struct {
	OrgID    int64     // 0: any
	Statuses []Status  // none: any
	From     time.Time // events ending after; zero: any
	Limit    int       // 0: 100
}
