// Package events runs an organisation's training sessions (研修会): the
// programme, registrations with a venue waiting list, check-in, group
// work, and materials and recordings whose access is restricted and
// audited. Surveys are in package survey; the group assignment rules in
// package grouping.
package events

import (
	"time"

	"github.com/hakui-dev/hakui/internal/identity"
)

// Mode is how an event is held.
type Mode string

// Modes.
const (
	ModeVenue  Mode = "venue"  // 会場のみ
	ModeOnline Mode = "online" // オンラインのみ
	ModeHybrid Mode = "hybrid" // 会場とオンライン
)

// Label returns the Japanese name of the mode.
func (m Mode) Label() string {
	switch m {
	case ModeVenue:
		return "会場"
	case ModeOnline:
		return "オンライン"
	case ModeHybrid:
		return "ハイブリッド（会場・オンライン）"
	}
	return string(m)
}

// Valid reports whether m is a known mode.
func (m Mode) Valid() bool { return m == ModeVenue || m == ModeOnline || m == ModeHybrid }

// Audience is who may register.
type Audience string

// Audiences.
const (
	AudienceOpen          Audience = "open"          // anyone, signed in or not
	AudienceOrganisations Audience = "organisations" // members of the listed organisations
	AudienceRoles         Audience = "roles"         // holders of the listed roles (CC, 都道府県職員 …)
)

// Label returns the Japanese name of the audience.
func (a Audience) Label() string {
	switch a {
	case AudienceOpen:
		return "どなたでも"
	case AudienceOrganisations:
		return "指定した組織の方"
	case AudienceRoles:
		return "指定した役割の方"
	}
	return string(a)
}

// Valid reports whether a is a known audience.
func (a Audience) Valid() bool {
	return a == AudienceOpen || a == AudienceOrganisations || a == AudienceRoles
}

// Status is where an event stands.
type Status string

// Event statuses.
const (
	StatusDraft     Status = "draft"     // seen by the organisation only
	StatusPublished Status = "published" // open for registration until the deadline
	StatusCancelled Status = "cancelled" // registrants are told
)

// Label returns the Japanese name of the status.
func (s Status) Label() string {
	switch s {
	case StatusDraft:
		return "下書き"
	case StatusPublished:
		return "公開中"
	case StatusCancelled:
		return "中止"
	}
	return string(s)
}

// Event is a training session.
type Event struct {
	ID                   int64
	OrgID                int64
	OrgName              string // filled by the store
	Title                string
	Description          string // Markdown
	StartsAt             time.Time
	EndsAt               time.Time
	Mode                 Mode
	Venue                string
	VenueCapacity        int    // 0: no limit
	OnlineURL            string // shown to registrants and organisers only
	RegistrationDeadline time.Time
	Audience             Audience
	AudienceOrgs         []int64
	AudienceRoles        []identity.Role
	Status               Status
	Talks                []Talk
	CreatedBy            int64
	CreatedAt            time.Time
	UpdatedAt            time.Time
	Version              int
}

// HasVenue reports whether people attend in a room.
func (e *Event) HasVenue() bool { return e.Mode == ModeVenue || e.Mode == ModeHybrid }

// HasOnline reports whether people attend online.
func (e *Event) HasOnline() bool { return e.Mode == ModeOnline || e.Mode == ModeHybrid }

// Talk is one item of the programme.
type Talk struct {
	Title       string
	Speaker     string
	Affiliation string
	StartsAt    *time.Time
	Minutes     int
}

// ParticipantRole is what a registrant does, for the counts and for
// mixing roles in group work.
type ParticipantRole string

// Participant roles.
const (
	RoleCC                ParticipantRole = "cc"                 // キャリアコーディネーター
	RolePrefectureOfficer ParticipantRole = "prefecture_officer" // 都道府県職員
	RoleFaculty           ParticipantRole = "faculty"            // 大学教員
	RoleDoctor            ParticipantRole = "doctor"             // 医師
	RoleStudent           ParticipantRole = "student"            // 医学生
	RoleStaff             ParticipantRole = "staff"              // 事務職員
	RoleOther             ParticipantRole = "other"              // その他
)

// ParticipantRoles lists the roles in display order.
var ParticipantRoles = []ParticipantRole{RoleCC, RolePrefectureOfficer, RoleFaculty, RoleDoctor, RoleStudent, RoleStaff, RoleOther}

// Label returns the Japanese name of the role.
func (r ParticipantRole) Label() string {
	switch r {
	case RoleCC:
		return "キャリアコーディネーター"
	case RolePrefectureOfficer:
		return "都道府県職員"
	case RoleFaculty:
		return "大学教員"
	case RoleDoctor:
		return "医師"
	case RoleStudent:
		return "医学生"
	case RoleStaff:
		return "事務職員"
	case RoleOther:
		return "その他"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r ParticipantRole) Valid() bool {
	for _, known := range ParticipantRoles {
		if r == known {
			return true
		}
	}
	return false
}

// Attendance is how a registrant attends.
type Attendance string

// Attendances.
const (
	AttendVenue  Attendance = "venue"  // 会場
	AttendOnline Attendance = "online" // オンライン
)

// Label returns the Japanese name.
func (a Attendance) Label() string {
	switch a {
	case AttendVenue:
		return "会場"
	case AttendOnline:
		return "オンライン"
	}
	return string(a)
}

// RegistrationStatus is where a registration stands.
type RegistrationStatus string

// Registration statuses.
const (
	Registered RegistrationStatus = "registered" // has a place
	Waitlisted RegistrationStatus = "waitlisted" // waits for a venue place, the earliest first
	Cancelled  RegistrationStatus = "cancelled"
)

// Label returns the Japanese name.
func (s RegistrationStatus) Label() string {
	switch s {
	case Registered:
		return "参加登録済み"
	case Waitlisted:
		return "キャンセル待ち"
	case Cancelled:
		return "キャンセル"
	}
	return string(s)
}

// Registration is one person's registration.
type Registration struct {
	ID           int64
	EventID      int64
	UserID       int64 // 0 for a guest
	Name         string
	Email        string
	Prefecture   string
	Organisation string
	Role         ParticipantRole
	Attendance   Attendance
	Status       RegistrationStatus
	CreatedAt    time.Time
	UpdatedAt    time.Time
	PromotedAt   *time.Time // moved up from the waiting list
	CancelledAt  *time.Time
	CheckedInAt  *time.Time // checked in at the venue, or attendance recorded online
	CheckedInBy  int64
	Version      int
}

// Count is a labelled count.
type Count struct {
	Label string
	N     int
}

// Counts are an event's registration figures.
type Counts struct {
	Registered   int // with a place, venue and online
	Venue        int // with a venue place
	Online       int
	Waitlisted   int
	Cancelled    int
	CheckedIn    int
	ByPrefecture []Count // registered, by count, ties in JIS order (career.Prefectures)
	ByRole       []Count // registered, by count, ties in display order
}

// GroupWork is the group work of an event: its groups, themes and the
// seed of the latest assignment.
type GroupWork struct {
	EventID    int64
	Groups     []Group
	Themes     []string
	Seed       int64
	AssignedBy int64
	AssignedAt time.Time
	Version    int
}

// Group is one group: its theme, members and what it reported.
type Group struct {
	ID         int64
	Number     int
	Theme      string
	Presenters string
	Points     string
	Members    []Registration
}

// MaterialKind is a material or a recording.
type MaterialKind string

// Material kinds.
const (
	KindMaterial  MaterialKind = "material"  // 資料
	KindRecording MaterialKind = "recording" // 録画
)

// Label returns the Japanese name.
func (k MaterialKind) Label() string {
	if k == KindRecording {
		return "録画"
	}
	return "資料"
}

// Visibility is who may open a material.
type Visibility string

// Visibilities.
const (
	VisibilityPublic      Visibility = "public"      // anyone
	VisibilityRegistrants Visibility = "registrants" // registrants with a place
	VisibilityRequest     Visibility = "request"     // approved requesters, until their access expires
)

// Label returns the Japanese name.
func (v Visibility) Label() string {
	switch v {
	case VisibilityPublic:
		return "公開"
	case VisibilityRegistrants:
		return "参加登録者のみ"
	case VisibilityRequest:
		return "申請制"
	}
	return string(v)
}

// Valid reports whether v is known.
func (v Visibility) Valid() bool {
	return v == VisibilityPublic || v == VisibilityRegistrants || v == VisibilityRequest
}

// Material is a material or recording link of an event.
type Material struct {
	ID         int64
	EventID    int64
	Kind       MaterialKind
	Title      string
	URL        string // never shown: opening goes through the audited redirect
	Visibility Visibility
	AccessDays int // how long an approved request gives access
	CreatedBy  int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// RequestStatus is where a material request stands.
type RequestStatus string

// Request statuses.
const (
	RequestPending  RequestStatus = "pending"
	RequestApproved RequestStatus = "approved"
	RequestRejected RequestStatus = "rejected"
)

// Label returns the Japanese name.
func (s RequestStatus) Label() string {
	switch s {
	case RequestPending:
		return "審査中"
	case RequestApproved:
		return "承認"
	case RequestRejected:
		return "見送り"
	}
	return string(s)
}

// MaterialRequest is a request to open a material shared by request.
type MaterialRequest struct {
	ID         int64
	MaterialID int64
	Name       string
	Prefecture string
	Role       string
	Email      string
	Note       string
	Status     RequestStatus
	DecidedBy  int64
	DecidedAt  *time.Time
	Reason     string
	ExpiresAt  *time.Time
	CreatedAt  time.Time
}
