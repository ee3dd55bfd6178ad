// Package obligation is the 地域枠 obligation ledger: a prefecture's
// キャリア形成プログラム, the year-by-year record of where an enrolled
// doctor served and when they suspended, and the checks of a multi-year
// plan against the program. It is pure: it counts months and says what
// remains, whether completion by the deadline is still possible, and why
// not.
//
// Years are Japanese fiscal years (年度, April to March): FiscalYear 2026
// runs from 2026-04-01 to 2027-03-31. Service is counted in months.
package obligation

import "time"

// AreaClass is how a medical area (二次医療圏) stands in a year.
type AreaClass string

// Area classes.
const (
	AreaShortage AreaClass = "shortage" // 医師少数区域
	AreaMiddle   AreaClass = "middle"   // 中程度
	AreaSurplus  AreaClass = "surplus"  // 医師多数区域
)

// SuspensionReason is why a doctor paused the obligation (一時中断).
type SuspensionReason string

// Suspension reasons.
const (
	SuspendChildbirth SuspensionReason = "childbirth" // 出産
	SuspendChildcare  SuspensionReason = "childcare"  // 育児
	SuspendIllness    SuspensionReason = "illness"    // 病気療養
	SuspendStudy      SuspensionReason = "study"      // 留学・大学院
	SuspendOther      SuspensionReason = "other"      // その他（県が認めたもの）
)

// Program is a prefecture's キャリア形成プログラム.
type Program struct {
	ID               int64
	PrefectureOrgID  int64
	Prefecture       string // e.g. 岡山県
	Name             string
	TotalYears       int      // the obligation, in principle 9
	MinShortageYears int      // of which at least this many in shortage areas, e.g. 4
	Specialties      []string // 診療科限定: the allowed specialties; empty means any
	// OutsideCounts says whether service outside the prefecture counts,
	// up to OutsideCapMonths.
	OutsideCounts    bool
	OutsideCapMonths int
	// SuspensionCaps are the allowed suspension reasons and the most
	// months each may take; a reason not listed is not allowed.
	SuspensionCaps map[SuspensionReason]int
	// DeadlineYears is how many fiscal years after the start the
	// obligation must be complete (TotalYears plus the room the program
	// allows for suspensions), e.g. 12.
	DeadlineYears int
	// StartBasis says what the enrolment's start year is: the fiscal
	// year after graduation (the first 初期研修 year), typically.
	StartBasis string
	Version    int
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// Area is a medical area (二次医療圏) of the prefecture.
type Area struct {
	Code    string // e.g. "33-01"
	Name    string // e.g. 県南東部
	Classes map[int]AreaClass
}

// Placement is one stretch of service in a fiscal year.
type Placement struct {
	FiscalYear    int
	Months        int // 1..12
	InstitutionID int64
	Institution   string
	AreaCode      string
	Area          string
	Class         AreaClass // the area's class in that year
	Outside       bool      // outside the prefecture
	Specialty     string
	// TrainingStage is the doctor's stage that year: junior_resident,
	// specialty_resident or specialist (career.Stage values).
	TrainingStage string
	Note          string
}

// Suspension is a pause of the obligation.
type Suspension struct {
	FiscalYear int
	Months     int // 1..12
	Reason     SuspensionReason
	Note       string
}

// Departure records a doctor leaving the program (離脱).
type Departure struct {
	On        time.Time
	Reason    string
	Consented bool // the prefecture agreed (e.g. for illness)
}

// Ledger is one doctor's record in one program.
type Ledger struct {
	Program     Program
	StartYear   int // the first fiscal year of the obligation
	Placements  []Placement
	Suspensions []Suspension
	Departure   *Departure
}

// Status is where a doctor stands in the obligation.
type Status string

// Statuses.
const (
	OnTrack        Status = "on_track"
	AtRisk         Status = "at_risk"
	CannotComplete Status = "cannot_complete"
	Completed      Status = "completed"
	Left           Status = "left"
)

// Summary is what the ledger says at a date.
type Summary struct {
	ServedMonths            int // counted towards the obligation
	ShortageMonths          int // of which in shortage areas
	OutsideMonths           int // outside the prefecture, counted (up to the cap)
	OutsideUncountedMonths  int // outside the prefecture beyond the cap or not counted
	SuspendedMonths         map[SuspensionReason]int
	RemainingMonths         int
	RemainingShortageMonths int
	// ProjectedCompletion is the fiscal year and month (1 = April) in
	// which the obligation would be complete serving full time from now.
	ProjectedYear  int
	ProjectedMonth int
	DeadlineYear   int // the last fiscal year in which it may complete
	Possible       bool
	Status         Status
	Reasons        []string // in Japanese: why at risk, why not possible
}

// PlanKind is what a planned year is.
type PlanKind string

// Plan year kinds.
const (
	PlanService    PlanKind = "service"    // 勤務 (including 専門研修 at a hospital)
	PlanSuspension PlanKind = "suspension" // 一時中断 (育児 etc.)
	PlanResearch   PlanKind = "research"   // 研究・大学院 (counts as suspension for study)
)

// PlanYear is one fiscal year of a plan.
type PlanYear struct {
	FiscalYear int
	Kind       PlanKind
	Months     int // 1..12; service and suspension may share a year
	Class      AreaClass
	AreaCode   string
	Outside    bool
	Specialty  string
	Program    string // 専門研修プログラム, free text
	Reason     SuspensionReason
	Note       string
}

// Plan is a multi-year plan a doctor drafts with their coordinator.
type Plan struct {
	ID           int64
	EnrollmentID int64
	Name         string
	Years        []PlanYear
	Version      int
	UpdatedAt    time.Time
}

// Problem is what a plan check found, for one year or the whole plan.
type Problem struct {
	FiscalYear int    // 0 for the whole plan
	Field      string // e.g. "specialty", "months", "reason"
	Message    string // Japanese
}

// PlanCheck is a plan checked against the program, on top of the ledger
// so far.
type PlanCheck struct {
	Problems []Problem
	// Projected is the ledger's summary if the plan is carried out.
	Projected Summary
	OK        bool
}
