// Package regional runs 地域枠 career coordination: a prefecture's
// キャリア形成プログラム and medical areas, the enrolment of doctors with
// their obligation ledgers and departures, and the multi-year plans they
// draft with their coordinators. The counting and the checks are package
// obligation's; this package loads, authorizes, validates and stores.
package regional

import (
	"context"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Audit actions of this package.
const (
	AuditEntryRemoved = "ledger.entry_removed" // a ledger entry was removed (a correction)
	AuditDeparture    = "enrollment.departed"  // 離脱 was recorded
)

// Store is what the service needs from the database. Methods return
// not_found for a missing object, conflict for a stale version or a
// duplicate, and invalid for a value the schema rejects.
type Store interface {
	Organisation(ctx context.Context, id int64) (*identity.Organisation, error)
	User(ctx context.Context, id int64) (*identity.User, error)
	UserByEmail(ctx context.Context, email string) (*identity.User, error)
	Grants(ctx context.Context, userID int64) ([]identity.Grant, error)

	// CreateProgram inserts p at version 1 and sets its ID and times.
	CreateProgram(ctx context.Context, p *obligation.Program) error
	// UpdateProgram writes p if its version is still p.Version (else
	// conflict) and bumps it.
	UpdateProgram(ctx context.Context, p *obligation.Program) error
	Program(ctx context.Context, id int64) (*obligation.Program, error)
	// Programs lists a prefecture's programs, or every program for 0.
	Programs(ctx context.Context, prefectureOrgID int64) ([]obligation.Program, error)

	// SaveArea inserts a (ID 0) or renames it; conflict on a duplicate
	// code in the prefecture. Classes are not written.
	SaveArea(ctx context.Context, a *Area) error
	// SetAreaClass sets the area's class for the fiscal year.
	SetAreaClass(ctx context.Context, areaID int64, year int, class obligation.AreaClass) error
	Area(ctx context.Context, id int64) (*Area, error)
	Areas(ctx context.Context, prefectureOrgID int64) ([]Area, error)

	// CreateEnrollment inserts e at version 1; conflict when the doctor
	// is already in the program.
	CreateEnrollment(ctx context.Context, e *Enrollment) error
	Enrollment(ctx context.Context, id int64) (*Enrollment, error)
	Enrollments(ctx context.Context, f EnrollmentFilter) ([]Enrollment, error)
	// Entries returns the ledger entries of the enrolments, by enrolment.
	Entries(ctx context.Context, enrollmentIDs []int64) (map[int64]*Entries, error)
	// SaveLedger applies ch to the enrolment if it is still at e.Version
	// (else conflict), writes e's departure, and bumps the version; e
	// then holds the stored version. A removal of an entry not in the
	// enrolment is not_found.
	SaveLedger(ctx context.Context, e *Enrollment, ch LedgerChange) error

	// CreatePlan inserts p at version 1; conflict on a duplicate name.
	CreatePlan(ctx context.Context, p *obligation.Plan, createdBy int64) error
	// UpdatePlan replaces p's name and years if its version is still
	// p.Version (else conflict), and bumps it.
	UpdatePlan(ctx context.Context, p *obligation.Plan) error
	Plan(ctx context.Context, id int64) (*obligation.Plan, error)
	Plans(ctx context.Context, enrollmentID int64) ([]obligation.Plan, error)
	// DeletePlan removes the plan if it is still at version (else
	// conflict).
	DeletePlan(ctx context.Context, id int64, version int) error

	SupplyStore
}

// Area is a medical area (二次医療圏) of a prefecture with its classes by
// fiscal year.
type Area struct {
	ID              int64
	PrefectureOrgID int64
	obligation.Area
}

// Enrollment is a doctor (or a 地域枠 student registered as one) in a
// program, followed by a CC office. Its Version guards the whole ledger.
type Enrollment struct {
	ID               int64
	ProgramID        int64
	ProgramName      string
	PrefectureOrgID  int64
	DoctorID         int64
	DoctorName       string
	CoordinatorOrgID int64 // the university (or prefecture) CC office; 0 if none
	CoordinatorOrg   string
	StartYear        int // the first fiscal year of the obligation
	Departure        *obligation.Departure
	// DepartureBy is who recorded the departure.
	DepartureBy int64
	CreatedBy   int64
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// EnrollmentFilter selects enrolments. Zero fields do not filter.
type EnrollmentFilter struct {
	ProgramID        int64
	PrefectureOrgID  int64
	CoordinatorOrgID int64
	DoctorID         int64
	// Status keeps the enrolments whose summary has this status now
	// (applied by the service).
	Status obligation.Status
}

// PlacementEntry is a placement as recorded in a ledger.
type PlacementEntry struct {
	ID           int64
	EnrollmentID int64
	AreaID       int64 // 0 outside the prefecture
	obligation.Placement
	RecordedBy     int64
	RecordedByName string
	RecordedAt     time.Time
}

// SuspensionEntry is a suspension as recorded in a ledger.
type SuspensionEntry struct {
	ID           int64
	EnrollmentID int64
	obligation.Suspension
	RecordedBy     int64
	RecordedByName string
	RecordedAt     time.Time
}

// Entries are an enrolment's ledger entries, by fiscal year.
type Entries struct {
	Placements  []PlacementEntry
	Suspensions []SuspensionEntry
}

// EntryKind names the two kinds of ledger entry.
type EntryKind string

// Entry kinds.
const (
	EntryPlacement  EntryKind = "placement"
	EntrySuspension EntryKind = "suspension"
)

// LedgerChange is what one ledger save adds or removes besides the
// enrolment row.
type LedgerChange struct {
	AddPlacement     *PlacementEntry
	AddSuspension    *SuspensionEntry
	RemovePlacement  int64
	RemoveSuspension int64
}

// Service runs programs, enrolments, ledgers and plans.
type Service struct {
	Store Store
	Guard *guard.Guard
	Audit *audit.Recorder
	Now   func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC() }

func programObject(p *obligation.Program) policy.Object {
	return policy.Object{Kind: policy.KindProgram, ID: p.ID, OrgID: p.PrefectureOrgID}
}

func enrollmentObject(e *Enrollment) policy.Object {
	return policy.Object{Kind: policy.KindEnrollment, ID: e.ID, OrgID: e.PrefectureOrgID,
		PartnerOrgID: e.CoordinatorOrgID, OwnerID: e.DoctorID}
}

func planObject(e *Enrollment, planID int64) policy.Object {
	o := enrollmentObject(e)
	o.Kind, o.ID = policy.KindPlan, planID
	return o
}

// hidden turns a denial into not-found, so that the existence of another
// organisation's or doctor's object is not revealed.
func hidden(err error) error {
	if apperr.Is(err, apperr.Forbidden) {
		return apperr.E(apperr.NotFound, "見つかりません。")
	}
	return err
}

// conflict words a lost optimistic-versioning race for the user.
func conflict(err error, what string) error {
	if apperr.Is(err, apperr.Conflict) {
		return &apperr.Error{Code: apperr.Conflict, Err: err,
			Message: what + "は他の方が先に更新しました。最新の状態を確認してから、もう一度操作してください。"}
	}
	return err
}

// staffRead records that someone other than the doctor read the doctor's
// confidential enrolment or plan, so the doctor sees who looked. The read
// fails if it cannot be recorded.
func (s *Service) staffRead(ctx context.Context, actor policy.Actor, e *Enrollment, kind policy.Kind, id int64, detail string) error {
	if actor.UserID == e.DoctorID {
		return nil
	}
	return s.Audit.Record(ctx, audit.Entry{Action: audit.ConfidentialRead, ActorID: actor.UserID, SubjectID: e.DoctorID,
		ObjectKind: string(kind), ObjectID: id, Detail: detail})
}

// auditEntry is an entry about a change to the doctor's enrolment.
func auditEntry(action string, actor policy.Actor, e *Enrollment, detail string) audit.Entry {
	return audit.Entry{Action: action, ActorID: actor.UserID, SubjectID: e.DoctorID,
		ObjectKind: string(policy.KindEnrollment), ObjectID: e.ID, Detail: detail}
}

// orgOfKind loads an organisation and checks its kind; a missing or
// wrong organisation is reported on field.
func (s *Service) orgOfKind(ctx context.Context, id int64, field, message string, kinds ...identity.OrgKind) (*identity.Organisation, error) {
	org, err := s.Store.Organisation(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.InvalidFields(map[string]string{field: message})
	}
	if err != nil {
		return nil, err
	}
	for _, k := range kinds {
		if org.Kind == k {
			return org, nil
		}
	}
	return nil, apperr.InvalidFields(map[string]string{field: message})
}
