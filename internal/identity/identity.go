// Package identity holds the people and organisations of Hakui: users,
// organisations, the roles users hold in them, and invitations. The types are
// plain data; the rules about them live in package policy and the SQL in
// package sqlstore.
package identity

import (
	"time"
)

// OrgKind is the kind of an organisation.
type OrgKind string

// Organisation kinds.
const (
	OrgInstitution OrgKind = "institution" // 医療機関: hospital or clinic
	OrgAgency      OrgKind = "agency"      // 人材紹介会社
	OrgUniversity  OrgKind = "university"  // 大学 (キャリアコーディネーター室)
	OrgPrefecture  OrgKind = "prefecture"  // 都道府県
	OrgPlatform    OrgKind = "platform"    // the operator of this Hakui
)

// OrgKinds lists every organisation kind.
var OrgKinds = []OrgKind{OrgInstitution, OrgAgency, OrgUniversity, OrgPrefecture, OrgPlatform}

// Label returns the Japanese name of the kind.
func (k OrgKind) Label() string {
	switch k {
	case OrgInstitution:
		return "医療機関"
	case OrgAgency:
		return "人材紹介会社"
	case OrgUniversity:
		return "大学"
	case OrgPrefecture:
		return "都道府県"
	case OrgPlatform:
		return "運営"
	}
	return string(k)
}

// Role is what a user does in Hakui.
type Role string

// Roles.
const (
	RoleDoctor            Role = "doctor"
	RoleInstitutionStaff  Role = "institution_staff"
	RoleAgent             Role = "agent"
	RoleCoordinator       Role = "coordinator"
	RolePrefectureOfficer Role = "prefecture_officer"
	RoleModerator         Role = "moderator"
	RoleAdmin             Role = "admin"
)

// Roles lists every role.
var Roles = []Role{RoleDoctor, RoleInstitutionStaff, RoleAgent, RoleCoordinator, RolePrefectureOfficer, RoleModerator, RoleAdmin}

// Label returns the Japanese name of the role.
func (r Role) Label() string {
	switch r {
	case RoleDoctor:
		return "医師"
	case RoleInstitutionStaff:
		return "医療機関スタッフ"
	case RoleAgent:
		return "人材紹介エージェント"
	case RoleCoordinator:
		return "キャリアコーディネーター"
	case RolePrefectureOfficer:
		return "都道府県担当者"
	case RoleModerator:
		return "モデレーター"
	case RoleAdmin:
		return "管理者"
	}
	return string(r)
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, known := range Roles {
		if r == known {
			return true
		}
	}
	return false
}

// IsStaff reports whether the role acts for an organisation. Staff roles
// must use two-factor authentication.
func (r Role) IsStaff() bool { return r != RoleDoctor }

// AllowedIn reports whether the role may be held in an organisation of the
// kind. Doctors hold their role without an organisation.
func (r Role) AllowedIn(kind OrgKind) bool {
	switch r {
	case RoleInstitutionStaff:
		return kind == OrgInstitution
	case RoleAgent:
		return kind == OrgAgency
	case RoleCoordinator:
		return kind == OrgUniversity || kind == OrgPrefecture
	case RolePrefectureOfficer:
		return kind == OrgPrefecture
	case RoleModerator, RoleAdmin:
		return kind == OrgPlatform
	}
	return false
}

// Organisation is an institution, agency, university, prefecture or the
// platform operator.
type Organisation struct {
	ID         int64
	Kind       OrgKind
	Name       string
	Prefecture string
	CreatedAt  time.Time
}

// User is a person with an account.
type User struct {
	ID                 int64
	Email              string
	DisplayName        string
	PasswordHash       string
	MustChangePassword bool
	// TOTPSecret is the sealed (encrypted) TOTP secret; empty when two-factor
	// authentication is off.
	TOTPSecret   string
	TOTPEnabled  bool
	TOTPLastStep int64
	Locale       string
	// Demo marks the accounts made by demo mode; only they may skip the
	// second factor, and only while the server runs in demo mode.
	Demo       bool
	CreatedAt  time.Time
	DisabledAt *time.Time
}

// Grant is one role a user holds, in an organisation (OrgID 0 for doctors).
type Grant struct {
	Role     Role
	OrgID    int64
	OrgName  string
	OrgKind  OrgKind
	OrgAdmin bool // may invite staff to the organisation
}

// NeedsTOTP reports whether any of the grants is a staff role.
func NeedsTOTP(grants []Grant) bool {
	for _, g := range grants {
		if g.Role.IsStaff() {
			return true
		}
	}
	return false
}

// Invitation lets a person join an organisation with a role. The token is
// single use and expires; only its hash is stored.
type Invitation struct {
	ID         int64
	OrgID      int64
	OrgName    string
	Role       Role
	Email      string
	OrgAdmin   bool
	InvitedBy  int64
	CreatedAt  time.Time
	ExpiresAt  time.Time
	AcceptedAt *time.Time
}

// InvitationTTL is how long an invitation link stays valid.
const InvitationTTL = 7 * 24 * time.Hour

// Member is a user seen as a member of an organisation.
type Member struct {
	UserID      int64
	DisplayName string
	Email       string
	Role        Role
	OrgAdmin    bool
}
