package openings

import "time"

// ApplicationKind is how a doctor reaches out.
type ApplicationKind string

// Application kinds.
const (
	Apply    ApplicationKind = "apply"    // 応募
	Interest ApplicationKind = "interest" // 興味あり (話を聞きたい)
)

// Label returns the Japanese name.
func (k ApplicationKind) Label() string {
	if k == Interest {
		return "興味あり"
	}
	return "応募"
}

// Shared is the snapshot of the profile a doctor chose to share with an
// application: only these fields reach the institution or agent.
type Shared struct {
	Name           string   `json:"name,omitempty"`
	Email          string   `json:"email,omitempty"`
	Workplace      string   `json:"workplace,omitempty"`
	Stage          string   `json:"stage"`
	Specialties    []string `json:"specialties,omitempty"`
	Prefecture     string   `json:"prefecture,omitempty"`
	GraduationYear int      `json:"graduation_year,omitempty"`
	Skills         []string `json:"skills,omitempty"` // "name (level)"
	Certifications []string `json:"certifications,omitempty"`
}

// Application is a doctor's application or expression of interest.
type Application struct {
	ID           int64
	OpeningID    int64
	OpeningTitle string
	DoctorID     int64
	Kind         ApplicationKind
	Message      string
	Shared       Shared
	Status       string
	CreatedAt    time.Time
	// The opening's organisations, for authorization.
	PosterOrgID   int64
	InstitutionID int64
}

// SavedSearch is a doctor's saved search; Query is the URL query string of
// the search page (so it can be opened again).
type SavedSearch struct {
	ID          int64
	UserID      int64
	Name        string
	Query       string
	NotifyEmail bool
	CreatedAt   time.Time
}

// InstitutionKind is a hospital (病院, 20 beds or more) or a clinic (診療所).
type InstitutionKind string

// Institution kinds.
const (
	Hospital InstitutionKind = "hospital"
	Clinic   InstitutionKind = "clinic"
)

// Label returns the Japanese name.
func (k InstitutionKind) Label() string {
	if k == Hospital {
		return "病院"
	}
	return "診療所・クリニック"
}

// Institution is an institution's public profile: what doctors see beside
// its openings, including its motto and values (患者様第一).
type Institution struct {
	OrgID       int64
	Name        string
	Prefecture  string
	Kind        InstitutionKind
	Beds        int
	Address     string
	City        string
	MedicalArea string // 二次医療圏
	Departments []string
	Motto       string
	Values      string
	UpdatedAt   time.Time
}
