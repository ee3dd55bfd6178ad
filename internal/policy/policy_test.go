package policy

import (
	"testing"

	"github.com/hakui-dev/hakui/internal/identity"
)

const (
	ownOrg   = 10
	otherOrg = 20
	self     = 1
	sameOrg  = 2 // a colleague in ownOrg
	stranger = 3 // someone in otherOrg
)

// actorFor returns an actor with the role in ownOrg (doctors have no
// organisation).
func actorFor(role identity.Role, orgAdmin bool) Actor {
	g := identity.Grant{Role: role, OrgID: ownOrg, OrgAdmin: orgAdmin}
	if role == identity.RoleDoctor {
		g.OrgID, g.OrgAdmin = 0, false
	}
	return Actor{UserID: self, Grants: []identity.Grant{g}}
}

// TestDecideMatrix checks every role against its own object, one of a
// colleague in the same organisation, and one of another organisation.
func TestDecideMatrix(t *testing.T) {
	type want struct{ own, same, other bool }
	objects := []struct {
		name   string
		action Action
		object func(owner int64, org int64) Object
		// expected per role; org admins are tested separately below
		want map[identity.Role]want
	}{
		{
			name: "read user account", action: Read,
			object: func(owner, org int64) Object { return Object{Kind: KindUser, ID: owner, OwnerID: owner} },
			want: map[identity.Role]want{
				identity.RoleDoctor: {true, false, false}, identity.RoleInstitutionStaff: {true, false, false},
				identity.RoleAgent: {true, false, false}, identity.RoleCoordinator: {true, false, false},
				identity.RolePrefectureOfficer: {true, false, false}, identity.RoleModerator: {true, false, false},
				identity.RoleAdmin: {true, true, true},
			},
		},
		{
			name: "read organisation", action: Read,
			object: func(owner, org int64) Object { return Object{Kind: KindOrganisation, ID: org, OrgID: org} },
			want: map[identity.Role]want{
				identity.RoleDoctor: {false, false, false}, identity.RoleInstitutionStaff: {true, true, false},
				identity.RoleAgent: {true, true, false}, identity.RoleCoordinator: {true, true, false},
				identity.RolePrefectureOfficer: {true, true, false}, identity.RoleModerator: {true, true, false},
				identity.RoleAdmin: {true, true, true},
			},
		},
		{
			name: "create invitation without org admin", action: Create,
			object: func(owner, org int64) Object { return Object{Kind: KindInvitation, OrgID: org} },
			want: map[identity.Role]want{
				identity.RoleDoctor: {false, false, false}, identity.RoleInstitutionStaff: {false, false, false},
				identity.RoleAgent: {false, false, false}, identity.RoleCoordinator: {false, false, false},
				identity.RolePrefectureOfficer: {false, false, false}, identity.RoleModerator: {false, false, false},
				identity.RoleAdmin: {true, true, true},
			},
		},
		{
			name: "end session", action: Delete,
			object: func(owner, org int64) Object { return Object{Kind: KindSession, ID: 99, OwnerID: owner} },
			want: map[identity.Role]want{
				identity.RoleDoctor: {true, false, false}, identity.RoleInstitutionStaff: {true, false, false},
				identity.RoleAgent: {true, false, false}, identity.RoleCoordinator: {true, false, false},
				identity.RolePrefectureOfficer: {true, false, false}, identity.RoleModerator: {true, false, false},
				identity.RoleAdmin: {true, true, true},
			},
		},
		{
			name: "revoke api token", action: Delete,
			object: func(owner, org int64) Object { return Object{Kind: KindAPIToken, ID: 7, OwnerID: owner} },
			want: map[identity.Role]want{
				identity.RoleDoctor: {true, false, false}, identity.RoleInstitutionStaff: {true, false, false},
				identity.RoleAgent: {true, false, false}, identity.RoleCoordinator: {true, false, false},
				identity.RolePrefectureOfficer: {true, false, false}, identity.RoleModerator: {true, false, false},
				identity.RoleAdmin: {true, false, false},
			},
		},
		{
			name: "audit entries about a user", action: List,
			object: func(owner, org int64) Object { return Object{Kind: KindAuditSubject, OwnerID: owner} },
			want: map[identity.Role]want{
				identity.RoleDoctor: {true, false, false}, identity.RoleInstitutionStaff: {true, false, false},
				identity.RoleAgent: {true, false, false}, identity.RoleCoordinator: {true, false, false},
				identity.RolePrefectureOfficer: {true, false, false}, identity.RoleModerator: {true, false, false},
				identity.RoleAdmin: {true, true, true},
			},
		},
		{
			name: "whole audit log", action: List,
			object: func(owner, org int64) Object { return Object{Kind: KindAuditLog} },
			want: map[identity.Role]want{
				identity.RoleDoctor: {false, false, false}, identity.RoleInstitutionStaff: {false, false, false},
				identity.RoleAgent: {false, false, false}, identity.RoleCoordinator: {false, false, false},
				identity.RolePrefectureOfficer: {false, false, false}, identity.RoleModerator: {false, false, false},
				identity.RoleAdmin: {true, true, true},
			},
		},
	}
	for _, obj := range objects {
		for _, role := range identity.Roles {
			w, ok := obj.want[role]
			if !ok {
				t.Fatalf("%s: no expectation for role %s", obj.name, role)
			}
			actor := actorFor(role, false)
			cases := []struct {
				who   string
				owner int64
				org   int64
				want  bool
			}{
				{"own", self, ownOrg, w.own},
				{"same organisation", sameOrg, ownOrg, w.same},
				{"other organisation", stranger, otherOrg, w.other},
			}
			for _, c := range cases {
				t.Run(obj.name+"/"+string(role)+"/"+c.who, func(t *testing.T) {
					d := Decide(actor, obj.action, obj.object(c.owner, c.org))
					if d.Allow != c.want {
						t.Errorf("Decide = %v (%s), want %v", d.Allow, d.Reason, c.want)
					}
					if d.Reason == "" {
						t.Error("decision without a reason")
					}
				})
			}
		}
	}
}

func TestOrgAdminInvitesOnlyInOwnOrganisation(t *testing.T) {
	for _, role := range []identity.Role{identity.RoleInstitutionStaff, identity.RoleAgent, identity.RoleCoordinator, identity.RolePrefectureOfficer} {
		admin := actorFor(role, true)
		if !Decide(admin, Create, Object{Kind: KindInvitation, OrgID: ownOrg}).Allow {
			t.Errorf("%s org admin cannot invite to own organisation", role)
		}
		if Decide(admin, Create, Object{Kind: KindInvitation, OrgID: otherOrg}).Allow {
			t.Errorf("%s org admin can invite to another organisation", role)
		}
		if Decide(admin, Update, Object{Kind: KindOrganisation, ID: otherOrg, OrgID: otherOrg}).Allow {
			t.Errorf("%s org admin can update another organisation", role)
		}
	}
}

func TestAnonymousAndUnknownKindsDenied(t *testing.T) {
	if Decide(Actor{}, Read, Object{Kind: KindUser, ID: 0, OwnerID: 0}).Allow {
		t.Error("anonymous actor allowed")
	}
	admin := actorFor(identity.RoleAdmin, true)
	if Decide(admin, Read, Object{Kind: "unknown_kind"}).Allow {
		t.Error("unknown kind allowed")
	}
}

// FuzzDecideNeverCrossesOrganisations checks the property that no
// non-admin actor is allowed an action on an organisation-owned object of
// another organisation.
func FuzzDecideNeverCrossesOrganisations(f *testing.F) {
	f.Add(uint8(1), uint8(0), int64(10), int64(20), false)
	f.Add(uint8(3), uint8(2), int64(5), int64(6), true)
	kinds := []Kind{KindOrganisation, KindInvitation, KindOpening}
	actions := []Action{Read, List, Create, Update, Delete}
	f.Fuzz(func(t *testing.T, roleIdx, actionIdx uint8, actorOrg, objOrg int64, orgAdmin bool) {
		role := identity.Roles[int(roleIdx)%len(identity.Roles)]
		if role == identity.RoleAdmin || actorOrg == objOrg || objOrg == 0 {
			return
		}
		actor := Actor{UserID: 1, Grants: []identity.Grant{{Role: role, OrgID: actorOrg, OrgAdmin: orgAdmin}}}
		for _, k := range kinds {
			obj := Object{Kind: k, ID: objOrg, OrgID: objOrg}
			if d := Decide(actor, actions[int(actionIdx)%len(actions)], obj); d.Allow {
				t.Fatalf("%s of org %d allowed %s on %v of org %d: %s", role, actorOrg, actions[int(actionIdx)%len(actions)], k, objOrg, d.Reason)
			}
		}
	})
}

// TestOpeningRules: institution staff post their own; an agent posts for
// an institution and owns it; the institution may see and close what was
// posted for it; nobody else may touch an unpublished opening.
func TestOpeningRules(t *testing.T) {
	const clinic, agency, otherClinic = 10, 30, 20
	staff := Actor{UserID: 1, Grants: []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: clinic}}}
	agent := Actor{UserID: 2, Grants: []identity.Grant{{Role: identity.RoleAgent, OrgID: agency}}}
	stranger := Actor{UserID: 3, Grants: []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: otherClinic}}}
	doctor := Actor{UserID: 4, Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	own := Object{Kind: KindOpening, ID: 1, OrgID: clinic, PartnerOrgID: clinic}
	viaAgent := Object{Kind: KindOpening, ID: 2, OrgID: agency, PartnerOrgID: clinic}
	tests := []struct {
		name   string
		actor  Actor
		action Action
		obj    Object
		want   bool
	}{
		{"staff posts for own clinic", staff, Create, own, true},
		{"staff edits own", staff, Update, own, true},
		{"staff reads draft posted for it", staff, Read, viaAgent, true},
		{"staff cannot edit agent's", staff, Update, viaAgent, false},
		{"staff closes agent's", staff, Delete, viaAgent, true},
		{"agent posts for clinic", agent, Create, viaAgent, true},
		{"agent edits own posting", agent, Update, viaAgent, true},
		{"agent cannot edit clinic's own", agent, Update, own, false},
		{"agent cannot read clinic's draft", agent, Read, own, false},
		{"other clinic cannot read draft", stranger, Read, own, false},
		{"other clinic cannot close", stranger, Delete, viaAgent, false},
		{"doctor cannot post", doctor, Create, own, false},
		{"anyone reads a published opening", Actor{}, Read, Object{Kind: KindOpening, ID: 1, OrgID: clinic, Public: true}, true},
		{"published does not mean editable", stranger, Update, Object{Kind: KindOpening, ID: 1, OrgID: clinic, Public: true}, false},
		{"doctor applies for self", doctor, Create, Object{Kind: KindApplication, OwnerID: 4, OrgID: clinic}, true},
		{"doctor cannot apply for another", doctor, Create, Object{Kind: KindApplication, OwnerID: 5, OrgID: clinic}, false},
		{"staff reads applications to clinic", staff, List, Object{Kind: KindApplication, OrgID: agency, PartnerOrgID: clinic}, true},
		{"other clinic cannot read applications", stranger, Read, Object{Kind: KindApplication, OwnerID: 4, OrgID: clinic}, false},
		{"doctor reads own profile", doctor, Read, Object{Kind: KindProfile, ID: 4, OwnerID: 4}, true},
		{"staff cannot read a profile directly", staff, Read, Object{Kind: KindProfile, ID: 4, OwnerID: 4}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := Decide(tt.actor, tt.action, tt.obj); d.Allow != tt.want {
				t.Errorf("Decide = %v (%s), want %v", d.Allow, d.Reason, tt.want)
			}
		})
	}
}
