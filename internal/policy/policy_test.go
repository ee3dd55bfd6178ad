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
	kinds := []Kind{KindOrganisation, KindInvitation, KindOpening, KindAgency, KindLead, KindCase, KindConsultation,
		KindScorecard, KindFollowUp, KindReport, KindWebhook}
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

// TestPlacementRules: an agency's pipeline belongs to its agents; the
// institution sees a case and scores interviews only once the doctor is
// introduced (PartnerOrgID set); the doctor reads and updates their own lead
// and case but never the agents' confidential records; platform
// administrators get nothing; webhooks are for the organisation's admins.
func TestPlacementRules(t *testing.T) {
	const agency, otherAgency, clinic, otherClinic, platform = 30, 40, 10, 20, 1
	const doctorID, otherDoctorID = 4, 5
	agent := Actor{UserID: 2, Grants: []identity.Grant{{Role: identity.RoleAgent, OrgID: agency}}}
	agencyAdmin := Actor{UserID: 6, Grants: []identity.Grant{{Role: identity.RoleAgent, OrgID: agency, OrgAdmin: true}}}
	otherAgent := Actor{UserID: 7, Grants: []identity.Grant{{Role: identity.RoleAgent, OrgID: otherAgency, OrgAdmin: true}}}
	staff := Actor{UserID: 1, Grants: []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: clinic}}}
	clinicAdmin := Actor{UserID: 8, Grants: []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: clinic, OrgAdmin: true}}}
	otherStaff := Actor{UserID: 3, Grants: []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: otherClinic, OrgAdmin: true}}}
	doctor := Actor{UserID: doctorID, Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	otherDoctor := Actor{UserID: otherDoctorID, Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	admin := Actor{UserID: 9, Grants: []identity.Grant{{Role: identity.RoleAdmin, OrgID: platform, OrgAdmin: true}}}
	coordinator := Actor{UserID: 11, Grants: []identity.Grant{{Role: identity.RoleCoordinator, OrgID: agency}}}

	agencySettings := Object{Kind: KindAgency, ID: agency, OrgID: agency}
	contactForm := Object{Kind: KindAgency, ID: agency, OrgID: agency, Public: true}
	lead := Object{Kind: KindLead, ID: 1, OrgID: agency, OwnerID: doctorID}
	unlinkedLead := Object{Kind: KindLead, ID: 2, OrgID: agency}
	caseBefore := Object{Kind: KindCase, ID: 1, OrgID: agency, OwnerID: doctorID}
	caseAfter := Object{Kind: KindCase, ID: 1, OrgID: agency, OwnerID: doctorID, PartnerOrgID: clinic}
	consultation := Object{Kind: KindConsultation, ID: 1, OrgID: agency, OwnerID: doctorID}
	scorecard := Object{Kind: KindScorecard, ID: 1, OrgID: agency, PartnerOrgID: clinic}
	scorecardBefore := Object{Kind: KindScorecard, ID: 1, OrgID: agency}
	followUp := Object{Kind: KindFollowUp, ID: 1, OrgID: agency, OwnerID: doctorID}
	report := Object{Kind: KindReport, OrgID: agency}
	agencyWebhook := Object{Kind: KindWebhook, ID: 1, OrgID: agency}
	clinicWebhook := Object{Kind: KindWebhook, ID: 2, OrgID: clinic}

	tests := []struct {
		name   string
		actor  Actor
		action Action
		obj    Object
		want   bool
	}{
		// Agency settings.
		{"agent reads agency settings", agent, Read, agencySettings, true},
		{"agent cannot change agency settings", agent, Update, agencySettings, false},
		{"agency admin changes settings", agencyAdmin, Update, agencySettings, true},
		{"other agency cannot read settings", otherAgent, Read, agencySettings, false},
		{"clinic admin cannot change agency settings", clinicAdmin, Update, agencySettings, false},
		{"platform admin cannot read agency settings", admin, Read, agencySettings, false},
		{"anyone reads the contact form", Actor{}, Read, contactForm, true},
		{"public form is not editable", otherAgent, Update, contactForm, false},

		// Leads.
		{"agent reads lead", agent, Read, lead, true},
		{"agent creates lead", agent, Create, unlinkedLead, true},
		{"agent lists leads", agent, List, Object{Kind: KindLead, OrgID: agency}, true},
		{"agent merges (updates) lead", agent, Update, lead, true},
		{"other agency cannot read lead", otherAgent, Read, lead, false},
		{"other agency cannot list leads", otherAgent, List, Object{Kind: KindLead, OrgID: agency}, false},
		{"doctor reads own lead", doctor, Read, lead, true},
		{"doctor updates own consent", doctor, Update, lead, true},
		{"doctor cannot delete own lead", doctor, Delete, lead, false},
		{"other doctor cannot read lead", otherDoctor, Read, lead, false},
		{"no doctor owns an unlinked lead", otherDoctor, Read, unlinkedLead, false},
		{"institution cannot read lead", staff, Read, lead, false},
		{"coordinator of the same org is not an agent", coordinator, Read, lead, false},
		{"platform admin cannot read lead", admin, Read, lead, false},

		// Cases.
		{"agent creates case", agent, Create, caseBefore, true},
		{"agent updates case", agent, Update, caseAfter, true},
		{"other agency cannot read case", otherAgent, Read, caseAfter, false},
		{"institution cannot see case before introduction", staff, Read, caseBefore, false},
		{"institution reads case after introduction", staff, Read, caseAfter, true},
		{"institution lists introduced cases", staff, List, Object{Kind: KindCase, PartnerOrgID: clinic}, true},
		{"institution declines (updates) case", staff, Update, caseAfter, true},
		{"institution cannot create case", staff, Create, caseAfter, false},
		{"institution cannot delete case", staff, Delete, caseAfter, false},
		{"other institution cannot read case", otherStaff, Read, caseAfter, false},
		{"doctor reads own case", doctor, Read, caseBefore, true},
		{"doctor withdraws (updates) own case", doctor, Update, caseBefore, true},
		{"doctor cannot delete own case", doctor, Delete, caseBefore, false},
		{"other doctor cannot read case", otherDoctor, Read, caseAfter, false},
		{"platform admin cannot read case", admin, Read, caseAfter, false},

		// Consultations: confidential to the agency.
		{"agent reads consultation notes", agent, Read, consultation, true},
		{"agent records consultation", agent, Create, consultation, true},
		{"other agency cannot read consultation", otherAgent, Read, consultation, false},
		{"doctor cannot read the notes about them", doctor, Read, consultation, false},
		{"institution cannot read consultation", staff, Read, Object{Kind: KindConsultation, OrgID: agency, PartnerOrgID: clinic}, false},
		{"platform admin cannot read consultation", admin, Read, consultation, false},

		// Scorecards.
		{"institution scores after introduction", staff, Create, scorecard, true},
		{"institution reads its scorecards", staff, List, scorecard, true},
		{"institution cannot score before introduction", staff, Create, scorecardBefore, false},
		{"institution cannot delete scorecard", staff, Delete, scorecard, false},
		{"other institution cannot score", otherStaff, Create, scorecard, false},
		{"agent reads scorecard", agent, Read, scorecard, true},
		{"agent cannot write scorecard", agent, Create, scorecard, false},
		{"other agency cannot read scorecard", otherAgent, Read, scorecard, false},
		{"doctor cannot read scorecard", doctor, Read, Object{Kind: KindScorecard, OrgID: agency, PartnerOrgID: clinic, OwnerID: doctorID}, false},
		{"platform admin cannot read scorecard", admin, Read, scorecard, false},

		// Follow-ups and reports.
		{"agent creates follow-up", agent, Create, followUp, true},
		{"other agency cannot read follow-up", otherAgent, Read, followUp, false},
		{"doctor cannot read follow-up about them", doctor, Read, followUp, false},
		{"platform admin cannot read follow-up", admin, Read, followUp, false},
		{"agent reads report", agent, Read, report, true},
		{"other agency cannot read report", otherAgent, Read, report, false},
		{"institution cannot read agency report", clinicAdmin, Read, report, false},
		{"platform admin cannot read report", admin, Read, report, false},

		// Webhooks.
		{"agency admin manages webhooks", agencyAdmin, Create, agencyWebhook, true},
		{"agent cannot manage webhooks", agent, Read, agencyWebhook, false},
		{"clinic admin manages clinic webhooks", clinicAdmin, Update, clinicWebhook, true},
		{"clinic staff cannot manage webhooks", staff, Read, clinicWebhook, false},
		{"clinic admin cannot touch agency webhooks", clinicAdmin, Read, agencyWebhook, false},
		{"other org admin cannot touch webhooks", otherStaff, Delete, clinicWebhook, false},
		{"platform admin cannot manage webhooks", admin, Read, clinicWebhook, false},
		{"doctor cannot manage webhooks", doctor, Read, clinicWebhook, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.actor, tt.action, tt.obj)
			if d.Allow != tt.want {
				t.Errorf("Decide = %v (%s), want %v", d.Allow, d.Reason, tt.want)
			}
			if d.Reason == "" {
				t.Error("decision without a reason")
			}
		})
	}

	// Anonymous users get nothing but the contact form.
	for _, obj := range []Object{agencySettings, lead, caseAfter, consultation, scorecard, followUp, report, agencyWebhook} {
		for _, action := range []Action{Read, List, Create, Update, Delete} {
			if Decide(Actor{}, action, obj).Allow {
				t.Errorf("anonymous allowed %s on %s", action, obj)
			}
		}
	}
}

func TestDecideEvent(t *testing.T) {
	org, other := int64(10), int64(20)
	member := Actor{UserID: 1, Grants: []identity.Grant{{Role: identity.RoleCoordinator, OrgID: org}}}
	outsider := Actor{UserID: 2, Grants: []identity.Grant{{Role: identity.RoleCoordinator, OrgID: other}}}
	doctor := Actor{UserID: 3, Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	admin := Actor{UserID: 4, Grants: []identity.Grant{{Role: identity.RoleAdmin, OrgID: 99}}}
	for _, kind := range []Kind{KindEvent, KindSurvey} {
		for _, tc := range []struct {
			name   string
			actor  Actor
			action Action
			public bool
			want   bool
		}{
			{"member creates", member, Create, false, true},
			{"member updates", member, Update, false, true},
			{"member lists", member, List, false, true},
			{"member cannot delete", member, Delete, false, false},
			{"another organisation reads a draft", outsider, Read, false, false},
			{"another organisation updates", outsider, Update, true, false},
			{"doctor reads a published event", doctor, Read, true, true},
			{"doctor cannot update a published event", doctor, Update, true, false},
			{"anonymous reads a published event", Actor{}, Read, true, true},
			{"anonymous cannot read a draft", Actor{}, Read, false, false},
			{"platform admin has no rule", admin, Update, false, false},
		} {
			obj := Object{Kind: kind, ID: 5, OrgID: org, Public: tc.public}
			if got := Decide(tc.actor, tc.action, obj); got.Allow != tc.want {
				t.Errorf("%s %s: allow = %v (%s), want %v", kind, tc.name, got.Allow, got.Reason, tc.want)
			}
		}
	}
}
