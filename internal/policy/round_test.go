package policy

import (
	"testing"

	"github.com/hakui-dev/hakui/internal/identity"
)

// TestRoundRules: a prefecture's officers manage its rounds and read every
// list, ranking and placement; a doctor submits and reads only their own
// list and placement; a participating institution's staff submit and read
// only its ranking and placements; nothing crosses to another prefecture,
// doctor or institution; platform administrators get nothing.
func TestRoundRules(t *testing.T) {
	const pref, otherPref, hospital, otherHospital, platform = 10, 20, 30, 40, 1
	const doctorID, otherDoctorID = 4, 5
	officer := Actor{UserID: 1, Grants: []identity.Grant{{Role: identity.RolePrefectureOfficer, OrgID: pref}}}
	otherOfficer := Actor{UserID: 2, Grants: []identity.Grant{{Role: identity.RolePrefectureOfficer, OrgID: otherPref, OrgAdmin: true}}}
	coordinator := Actor{UserID: 3, Grants: []identity.Grant{{Role: identity.RoleCoordinator, OrgID: pref}}}
	doctor := Actor{UserID: doctorID, Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	otherDoctor := Actor{UserID: otherDoctorID, Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	staff := Actor{UserID: 6, Grants: []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: hospital}}}
	otherStaff := Actor{UserID: 7, Grants: []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: otherHospital, OrgAdmin: true}}}
	agent := Actor{UserID: 8, Grants: []identity.Grant{{Role: identity.RoleAgent, OrgID: hospital}}} // wrong role
	admin := Actor{UserID: 9, Grants: []identity.Grant{{Role: identity.RoleAdmin, OrgID: platform, OrgAdmin: true}}}

	round := Object{Kind: KindRound, ID: 1, OrgID: pref,
		SharedWith: []OrgRole{{OrgID: hospital, Role: identity.RoleInstitutionStaff}}}
	list := Object{Kind: KindRound, ID: 1, OrgID: pref, OwnerID: doctorID}
	ranking := Object{Kind: KindRound, ID: 1, OrgID: pref, PartnerOrgID: hospital}

	tests := []struct {
		name   string
		actor  Actor
		action Action
		obj    Object
		want   bool
	}{
		{"officer opens round", officer, Create, Object{Kind: KindRound, OrgID: pref}, true},
		{"officer updates round", officer, Update, round, true},
		{"officer lists rounds", officer, List, round, true},
		{"other prefecture's officer cannot open round", otherOfficer, Create, Object{Kind: KindRound, OrgID: pref}, false},
		{"other prefecture's officer cannot read round", otherOfficer, Read, round, false},
		{"coordinator cannot update round", coordinator, Update, round, false},
		{"participating staff read round", staff, Read, round, true},
		{"participating staff cannot update round", staff, Update, round, false},
		{"participating staff cannot list the round's contents", staff, List, round, false},
		{"other institution cannot read round", otherStaff, Read, round, false},
		{"agent of the institution cannot read round", agent, Read, round, false},
		{"doctor reads round (the service checks the enrolment)", doctor, Read, round, true},
		{"doctor cannot update round", doctor, Update, round, false},
		{"doctor cannot list the round's contents", doctor, List, round, false},
		{"admin cannot read round", admin, Read, round, false},
		{"anonymous cannot read round", Actor{}, Read, round, false},

		{"doctor submits own list", doctor, Create, list, true},
		{"doctor reads own list and placement", doctor, Read, list, true},
		{"doctor cannot delete own list", doctor, Delete, list, false},
		{"other doctor cannot read list", otherDoctor, Read, list, false},
		{"other doctor cannot submit for the doctor", otherDoctor, Create, list, false},
		{"officer reads list", officer, Read, list, true},
		{"officer cannot submit a doctor's list", officer, Create, list, false},
		{"other prefecture's officer cannot read list", otherOfficer, Read, list, false},
		{"institution staff cannot read a doctor's list", staff, Read, list, false},
		{"admin cannot read list", admin, Read, list, false},
		{"staff account owning the ID is not a doctor", Actor{UserID: doctorID, Grants: staff.Grants}, Read, list, false},

		{"staff submit ranking", staff, Create, ranking, true},
		{"staff read ranking and placements", staff, Read, ranking, true},
		{"other institution cannot read ranking", otherStaff, Read, ranking, false},
		{"other institution cannot submit ranking", otherStaff, Create, ranking, false},
		{"agent cannot submit ranking", agent, Create, ranking, false},
		{"officer reads ranking", officer, Read, ranking, true},
		{"officer cannot submit ranking", officer, Create, ranking, false},
		{"doctor cannot read ranking", doctor, Read, ranking, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Decide(tt.actor, tt.action, tt.obj); got.Allow != tt.want {
				t.Fatalf("Decide = %+v, want allow %v", got, tt.want)
			}
		})
	}
}
