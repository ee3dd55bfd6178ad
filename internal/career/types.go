// Package career holds the pure rules of a physician's career: the stages
// (医学生, 初期研修医, 専攻医, 専門医) derived from dated events, what work each
// stage may take, the shared vocabulary of competencies, the career tracks,
// and the fit between a doctor and an opening. It does no I/O.
package career

import "time"

// Stage is a career stage.
type Stage string

// Stages, in order.
const (
	StageStudent           Stage = "student"            // 医学生
	StageJuniorResident    Stage = "junior_resident"    // 初期研修医
	StageSpecialtyResident Stage = "specialty_resident" // 専攻医
	StageSpecialist        Stage = "specialist"         // 専門医
)

// Stages lists the stages in career order.
var Stages = []Stage{StageStudent, StageJuniorResident, StageSpecialtyResident, StageSpecialist}

// PracticeForm is how a doctor practises, independent of the stage.
type PracticeForm string

// Practice forms.
const (
	PracticeEmployed       PracticeForm = "employed"         // 勤務医
	PracticeClinicOwner    PracticeForm = "clinic_owner"     // 開業医
	PracticePlanningToOpen PracticeForm = "planning_to_open" // 開業予定
)

// EventKind is a dated career event from which the stage follows.
type EventKind string

// Career events.
const (
	EventNationalExamPassed EventKind = "national_exam_passed" // 医師国家試験合格
	EventJuniorStart        EventKind = "junior_start"         // 初期研修開始
	EventJuniorEnd          EventKind = "junior_end"           // 初期研修修了
	EventSpecialtyStart     EventKind = "specialty_start"      // 専門研修開始 (専攻医); Specialty set
	EventSpecialistObtained EventKind = "specialist_obtained"  // 専門医取得; Specialty set
)

// Event is one dated career event.
type Event struct {
	Kind      EventKind
	Date      time.Time // a date in JST; the time of day is ignored
	Specialty string    // for specialty_start and specialist_obtained: one of Specialties
	Program   string    // free text: the training program or board
}

// WorkKind is the kind of an opening.
type WorkKind string

// Kinds of work.
const (
	WorkFullTime        WorkKind = "full_time"         // 常勤
	WorkPartTimeRegular WorkKind = "part_time_regular" // 定期非常勤
	WorkSpot            WorkKind = "spot"              // スポット
	WorkNightDuty       WorkKind = "night_duty"        // 当直
	WorkDayDuty         WorkKind = "day_duty"          // 日直
	WorkRemote          WorkKind = "remote"            // 在宅・リモート
)

// WorkKinds lists the kinds of work.
var WorkKinds = []WorkKind{WorkFullTime, WorkPartTimeRegular, WorkSpot, WorkNightDuty, WorkDayDuty, WorkRemote}

// RemoteKind is the sub-kind of remote work.
type RemoteKind string

// Remote sub-kinds.
const (
	RemoteOnlineConsultation RemoteKind = "online_consultation" // オンライン診療
	RemoteTeleradiology      RemoteKind = "teleradiology"       // 遠隔読影
	RemoteSecondOpinion      RemoteKind = "second_opinion"      // セカンドオピニオン
	RemoteOccupationalHealth RemoteKind = "occupational_health" // 産業医
	RemoteHealthConsultation RemoteKind = "health_consultation" // 健康相談
)

// RemoteKinds lists the remote sub-kinds.
var RemoteKinds = []RemoteKind{RemoteOnlineConsultation, RemoteTeleradiology, RemoteSecondOpinion, RemoteOccupationalHealth, RemoteHealthConsultation}

// StageAnswer is an institution's answer to doctors of one stage.
type StageAnswer string

// Answers per stage.
const (
	AnswerAccept   StageAnswer = "accept"   // 可
	AnswerConsider StageAnswer = "consider" // 応相談 (場合によって勤務可能)
	AnswerReject   StageAnswer = "reject"   // 不可
)

// CompetencyGroup groups the competency vocabulary.
type CompetencyGroup string

// Competency groups.
const (
	GroupClinical   CompetencyGroup = "clinical"   // 臨床
	GroupRemote     CompetencyGroup = "remote"     // リモート
	GroupManagement CompetencyGroup = "management" // マネジメント
	GroupMarketing  CompetencyGroup = "marketing"  // マーケティング
)

// Competency is one entry of the shared vocabulary. Code is stable; Name is
// Japanese.
type Competency struct {
	Code        string
	Group       CompetencyGroup
	Name        string
	Description string
}

// Level is a self-assessed level from 1 (learning) to 4 (can teach).
type Level int

// Level bounds.
const (
	MinLevel Level = 1
	MaxLevel Level = 4
)

// Skill is a doctor's level in one competency, with optional evidence.
type Skill struct {
	Code     string
	Level    Level
	Years    int    // years of experience, 0 if not given
	Cases    int    // number of cases, 0 if not given
	Evidence string // e.g. a certificate
}

// Requirement is a competency an opening asks for, at a minimum level.
type Requirement struct {
	Code  string
	Level Level
}

// Weekly is a weekday and time slot ("every Tuesday 13:00–17:00").
type Weekly struct {
	Weekday time.Weekday
	Start   string // "HH:MM" JST
	End     string // "HH:MM" JST; may be earlier than Start for an overnight slot
}

// Preferences are what a doctor looks for.
type Preferences struct {
	Kinds        []WorkKind
	Weekdays     []time.Weekday // days the doctor can work; empty: any
	RemoteOnly   bool
	MinHourlyYen int64 // 0: no minimum
	MinAnnualYen int64 // 0: no minimum
	Prefectures  []string
}
