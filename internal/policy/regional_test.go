package policy

import (
	"testing"

	"github.com/hakui-dev/hakui/internal/identity"
)

// TestRegionalRules: a prefecture's officers manage its programs and keep
// the ledgers of its enrolments; the CC office that follows a doctor keeps
// the ledger and drafts plans with them; the doctor reads their own
// enrolment and owns their plans; programs are public rules to doctors and
// coordinators; nothing crosses to another prefecture, another university
// or another doctor; platform administrators get nothing.
func TestRegionalRules(t *testing.T) {
	const pref, otherPref, univ, otherUniv, clinic, platform = 10, 20, 30, 40, 50, 1
	const doctorID, otherDoctorID = 4, 5
	officer := Actor{UserID: 1, Grants: []identity.Grant{{Role: identity.RolePrefectureOfficer, OrgID: pref}}}
	otherOfficer := Actor{UserID: 2, Grants: []identity.Grant{{Role: identity.RolePrefectureOfficer, OrgID: otherPref, OrgAdmin: true}}}
	cc := Actor{UserID: 3, Grants: []identity.Grant{{Role: identity.RoleCoordinator, OrgID: univ}}}
	otherCC := Actor{UserID: 6, Grants: []identity.Grant{{Role: identity.RoleCoordinator, OrgID: otherUniv, OrgAdmin: true}}}
	prefCC := Actor{UserID: 7, Grants: []identity.Grant{{Role: identity.RoleCoordinator, OrgID: pref}}} // a CC at the prefecture, not following this doctor
	doctor := Actor{UserID: doctorID, Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	otherDoctor := Actor{UserID: otherDoctorID, Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	staff := Actor{UserID: 8, Grants: []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: clinic, OrgAdmin: true}}}
	agent := Actor{UserID: 9, Grants: []identity.Grant{{Role: identity.RoleAgent, OrgID: univ}}} // wrong role in the CC office's org
	admin := Actor{UserID: 12, Grants: []identity.Grant{{Role: identity.RoleAdmin, OrgID: platform, OrgAdmin: true}}}

	program := Object{Kind: KindProgram, ID: 1, OrgID: pref}
	enrollment := Object{Kind: KindEnrollment, ID: 1, OrgID: pref, PartnerOrgID: univ, OwnerID: doctorID}
	unfollowed := Object{Kind: KindEnrollment, ID: 2, OrgID: pref, OwnerID: doctorID} // no CC office
	plan := Object{Kind: KindPlan, ID: 1, OrgID: pref, PartnerOrgID: univ, OwnerID: doctorID}

	tests := []struct {
		name   string
		actor  Actor
		action Action
		obj    Object
		want   bool
	}{
		// Programs.
		{"officer creates program", officer, Create, program, true},
		{"officer updates program", officer, Update, program, true},
		{"officer cannot delete program", officer, Delete, program, false},
		{"other prefecture's officer cannot update program", otherOfficer, Update, program, false},
		{"other prefecture's officer cannot create program", otherOfficer, Create, program, false},
		{"other prefecture's officer reads program", otherOfficer, Read, program, true},
		{"coordinator reads program", cc, Read, program, true},
		{"coordinator lists programs", otherCC, List, Object{Kind: KindProgram}, true},
		{"coordinator cannot update program", cc, Update, program, false},
		{"doctor reads program", doctor, Read, program, true},
		{"doctor cannot create program", doctor, Create, program, false},
		{"institution staff cannot read program", staff, Read, program, false},
		{"platform admin cannot update program", admin, Update, program, false},
		{"anonymous cannot read program", Actor{}, Read, program, false},

		// Enrolments.
		{"officer enrols", officer, Create, enrollment, true},
		{"officer reads enrolment", officer, Read, enrollment, true},
		{"officer updates ledger", officer, Update, enrollment, true},
		{"officer lists prefecture's enrolments", officer, List, Object{Kind: KindEnrollment, OrgID: pref}, true},
		{"officer reads unfollowed enrolment", officer, Read, unfollowed, true},
		{"nobody deletes an enrolment", officer, Delete, enrollment, false},
		{"other prefecture's officer cannot read", otherOfficer, Read, enrollment, false},
		{"other prefecture's officer cannot list", otherOfficer, List, Object{Kind: KindEnrollment, OrgID: pref}, false},
		{"coordinator enrols for own CC office", cc, Create, enrollment, true},
		{"coordinator reads followed enrolment", cc, Read, enrollment, true},
		{"coordinator updates ledger", cc, Update, enrollment, true},
		{"coordinator lists own office's enrolments", cc, List, Object{Kind: KindEnrollment, PartnerOrgID: univ}, true},
		{"coordinator cannot read unfollowed enrolment", cc, Read, unfollowed, false},
		{"coordinator cannot list the prefecture's enrolments", cc, List, Object{Kind: KindEnrollment, OrgID: pref}, false},
		{"other university's coordinator cannot read", otherCC, Read, enrollment, false},
		{"other university's coordinator cannot enrol for this office", otherCC, Create, enrollment, false},
		{"prefecture's coordinator is not an officer", prefCC, Read, enrollment, false},
		{"agent of the CC office's org is not a coordinator", agent, Read, enrollment, false},
		{"doctor reads own enrolment", doctor, Read, enrollment, true},
		{"doctor cannot update own ledger", doctor, Update, enrollment, false},
		{"doctor cannot enrol self", doctor, Create, enrollment, false},
		{"other doctor cannot read enrolment", otherDoctor, Read, enrollment, false},
		{"institution staff cannot read enrolment", staff, Read, enrollment, false},
		{"platform admin cannot read enrolment", admin, Read, enrollment, false},

		// Plans.
		{"doctor creates own plan", doctor, Create, plan, true},
		{"doctor updates own plan", doctor, Update, plan, true},
		{"doctor deletes own plan", doctor, Delete, plan, true},
		{"other doctor cannot read plan", otherDoctor, Read, plan, false},
		{"other doctor cannot update plan", otherDoctor, Update, plan, false},
		{"coordinator drafts plan", cc, Create, plan, true},
		{"coordinator updates plan", cc, Update, plan, true},
		{"other university's coordinator cannot read plan", otherCC, Read, plan, false},
		{"officer reads plan", officer, Read, plan, true},
		{"officer cannot update plan", officer, Update, plan, false},
		{"other prefecture's officer cannot read plan", otherOfficer, Read, plan, false},
		{"platform admin cannot read plan", admin, Read, plan, false},
		{"institution staff cannot read plan", staff, Read, plan, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := Decide(tt.actor, tt.action, tt.obj); d.Allow != tt.want {
				t.Errorf("Decide = %v (%s), want %v", d.Allow, d.Reason, tt.want)
			}
		})
	}
}

// FuzzRegionalNeverCrossesOrganisations: no staff member acts on an
// enrolment or plan of a prefecture and a CC office they do not belong to,
// and no doctor on another doctor's.
func FuzzRegionalNeverCrossesOrganisations(f *testing.F) {
	f.Add(uint8(4), uint8(0), int64(10), int64(20), int64(30), int64(1), int64(2))
	f.Add(uint8(3), uint8(3), int64(5), int64(6), int64(7), int64(3), int64(3))
	actions := []Action{Read, List, Create, Update, Delete}
	f.Fuzz(func(t *testing.T, roleIdx, actionIdx uint8, actorOrg, prefOrg, ccOrg, actorID, ownerID int64) {
		role := identity.Roles[int(roleIdx)%len(identity.Roles)]
		if actorID == 0 {
			return
		}
		if role == identity.RoleDoctor {
			if actorID == ownerID {
				return
			}
			actorOrg = 0
		} else if actorOrg == prefOrg || actorOrg == ccOrg {
			return
		}
		actor := Actor{UserID: actorID, Grants: []identity.Grant{{Role: role, OrgID: actorOrg}}}
		action := actions[int(actionIdx)%len(actions)]
		for _, k := range []Kind{KindEnrollment, KindPlan} {
			obj := Object{Kind: k, ID: 1, OrgID: prefOrg, PartnerOrgID: ccOrg, OwnerID: ownerID}
			if d := Decide(actor, action, obj); d.Allow {
				t.Fatalf("%s (user %d, org %d) allowed %s on %v: %s", role, actorID, actorOrg, action, obj, d.Reason)
			}
		}
	})
}
