// Package rounds runs the annual placement round (年度の配置) of a
// prefecture's 地域枠 doctors: the officer opens a round for a fiscal year
// with the participating institutions and the regional caps, enrolled
// doctors submit ranked lists checked against their plan and obligation,
// institutions rank the doctors who listed them, the matching engine
// (package match) runs, the officer previews and publishes, and the
// placements go into the doctors' ledgers through the regional service.
package rounds

import (
	"context"
	"time"

	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
)

// Status is where a round stands.
type Status string

// Statuses.
const (
	StatusOpen      Status = "open"      // lists and rankings are collected
	StatusRun       Status = "run"       // a result awaits publication
	StatusPublished Status = "published" // doctors and institutions see the result
)

// Limits of a round.
const (
	MaxInstitutions = 500
	MaxCapacity     = 1000
	MaxName         = 100
)

// Round is a prefecture's placement round for a fiscal year.
type Round struct {
	ID              int64
	PrefectureOrgID int64
	// ProgramID is the program whose enrolled doctors take part; 0 for
	// every program of the prefecture.
	ProgramID    int64
	ProgramName  string
	FiscalYear   int
	Name         string
	Mechanism    match.Mechanism
	ListsDue     time.Time // doctors' lists are accepted until then
	RankingsDue  time.Time // institutions' rankings are accepted until then
	Status       Status
	Institutions []Institution
	Caps         []AreaCap
	RunAt        *time.Time
	PublishedAt  *time.Time
	PublishedBy  int64
	CreatedBy    int64
	Version      int
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Institution is a hospital taking part in a round.
type Institution struct {
	OrgID int64
	Name  string // loaded
	// AreaID is the medical area (二次医療圏) of the prefecture the
	// institution is in; AreaCode, AreaName and Class (the area's class in
	// the round's fiscal year) are loaded.
	AreaID   int64
	AreaCode string
	AreaName string
	Class    obligation.AreaClass
	Capacity int
	// Target is the seats the prefecture aims to fill (jrmp and fda); nil
	// lets the engine compute it from the area's cap.
	Target *int
	// Specialties are the 基本領域 the institution accepts; empty: any.
	Specialties []string
}

// AreaCap caps the doctors placed in one medical area's institutions.
type AreaCap struct {
	AreaID   int64
	AreaCode string // loaded
	AreaName string // loaded
	Cap      int
}

// Institution returns the participating institution with the
// organisation ID, or nil.
func (r *Round) Institution(orgID int64) *Institution {
	for i := range r.Institutions {
		if r.Institutions[i].OrgID == orgID {
			return &r.Institutions[i]
		}
	}
	return nil
}

// List is a doctor's ranked list of institutions.
type List struct {
	ID           int64
	RoundID      int64
	DoctorID     int64
	DoctorName   string // loaded
	EnrollmentID int64
	PlanID       int64 // the plan the list was checked against; 0 if none
	// Specialty is the 基本領域 the doctor will practise in the year; empty
	// before specialty training.
	Specialty    string
	Institutions []int64 // best first
	SubmittedAt  time.Time
}

// Ranking is an institution's ranking of the doctors who listed it.
type Ranking struct {
	ID            int64
	RoundID       int64
	InstitutionID int64
	Doctors       []int64 // best first
	SubmittedBy   int64
	SubmittedAt   time.Time
}

// Result is one doctor's outcome of a run.
type Result struct {
	RoundID       int64
	DoctorID      int64
	DoctorName    string // loaded
	InstitutionID int64  // 0 if unmatched
	Rank          int    // the institution's place in the doctor's list; 0 if unmatched
	// Explanation is the engine's, with doctors and programs named by
	// the IDs of the match input (see doctorKey, institutionKey). It names
	// other doctors: only officers see it whole.
	Explanation *match.Explanation
	RecordedAt  *time.Time // when the placement went into the ledger
}

// Store is what the service needs from the database. Methods return
// not_found for a missing object, conflict for a stale version or a
// duplicate, and invalid for a value the schema rejects (an institution
// removed from a round while a list names it).
type Store interface {
	Organisation(ctx context.Context, id int64) (*identity.Organisation, error)

	// CreateRound inserts r with its institutions and caps at version 1,
	// status open, and sets its ID and times.
	CreateRound(ctx context.Context, r *Round) error
	// UpdateRound writes r's settings, institutions and caps if it is
	// still at r.Version (else conflict), bumps the version, and sets a
	// run round back to open, dropping its result.
	UpdateRound(ctx context.Context, r *Round) error
	// Round returns a round with its institutions and caps.
	Round(ctx context.Context, id int64) (*Round, error)
	// Rounds lists a prefecture's rounds, newest year first.
	Rounds(ctx context.Context, prefectureOrgID int64) ([]Round, error)

	// SaveList inserts or replaces the doctor's list while the round is
	// open (else conflict), and sets its ID.
	SaveList(ctx context.Context, l *List) error
	// List returns the doctor's list in the round.
	List(ctx context.Context, roundID, doctorID int64) (*List, error)
	// Lists returns every list of the round, by doctor.
	Lists(ctx context.Context, roundID int64) ([]List, error)

	// SaveRanking inserts or replaces the institution's ranking while the
	// round is open (else conflict), and sets its ID.
	SaveRanking(ctx context.Context, k *Ranking) error
	// Ranking returns the institution's ranking in the round.
	Ranking(ctx context.Context, roundID, institutionID int64) (*Ranking, error)
	Rankings(ctx context.Context, roundID int64) ([]Ranking, error)

	// SaveResults replaces the round's result if it is still at r.Version
	// (else conflict), sets it to run at r.RunAt and bumps the version.
	SaveResults(ctx context.Context, r *Round, results []Result) error
	// Results returns the round's result, by doctor.
	Results(ctx context.Context, roundID int64) ([]Result, error)
	// Publish sets a run round published at r.PublishedAt by
	// r.PublishedBy if it is still at r.Version (else conflict), and bumps
	// the version.
	Publish(ctx context.Context, r *Round) error
	// MarkRecorded notes that the doctor's placement is in their ledger.
	MarkRecorded(ctx context.Context, roundID, doctorID int64, at time.Time) error
}

// Regional is what a round needs of the regional service, with the
// actor's own rights: the doctor's enrolment, ledger and plans to check a
// list, the prefecture's medical areas and programs, and the ledger to
// record placements in. *regional.Service implements it.
type Regional interface {
	Program(ctx context.Context, actor policy.Actor, id int64) (*obligation.Program, error)
	Areas(ctx context.Context, actor policy.Actor, prefectureOrgID int64) ([]regional.Area, error)
	Enrollments(ctx context.Context, actor policy.Actor, f regional.EnrollmentFilter) ([]regional.EnrollmentView, error)
	Plans(ctx context.Context, actor policy.Actor, enrollmentID int64) ([]regional.PlanView, error)
	AddPlacement(ctx context.Context, actor policy.Actor, enrollmentID int64, version int, p obligation.Placement) (*regional.EnrollmentView, error)
}

var _ Regional = (*regional.Service)(nil)
