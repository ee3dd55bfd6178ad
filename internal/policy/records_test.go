package policy

import (
	"math/rand/v2"
	"testing"

	"github.com/hakui-dev/hakui/internal/identity"
)

const (
	recUniversity = 100 // the CC office that writes the records
	recPrefecture = 200 // the prefecture it shares with
	recOther      = 300 // a third organisation
	recDoctor     = 7
)

func recActor(id int64, grants ...identity.Grant) Actor { return Actor{UserID: id, Grants: grants} }

func TestDecideRecords(t *testing.T) {
	coordinator := recActor(1, identity.Grant{Role: identity.RoleCoordinator, OrgID: recUniversity})
	ccAdmin := recActor(2, identity.Grant{Role: identity.RoleCoordinator, OrgID: recUniversity, OrgAdmin: true})
	officer := recActor(3, identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: recPrefecture})
	prefCoordinator := recActor(4, identity.Grant{Role: identity.RoleCoordinator, OrgID: recPrefecture})
	prefAdmin := recActor(5, identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: recPrefecture, OrgAdmin: true})
	otherOfficer := recActor(6, identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: recOther})
	doctor := recActor(recDoctor, identity.Grant{Role: identity.RoleDoctor})
	admin := recActor(8, identity.Grant{Role: identity.RoleAdmin, OrgID: 1, OrgAdmin: true})

	record := Object{Kind: KindRecord, ID: 1, OrgID: recUniversity, OwnerID: recDoctor}
	shared := record
	shared.SharedWith = []OrgRole{{OrgID: recPrefecture, Role: identity.RolePrefectureOfficer}}
	agreement := Object{Kind: KindAgreement, ID: 1, OrgID: recUniversity, PartnerOrgID: recPrefecture}

	tests := []struct {
		name   string
		actor  Actor
		action Action
		obj    Object
		want   bool
	}{
		{"coordinator creates", coordinator, Create, record, true},
		{"coordinator reads", coordinator, Read, record, true},
		{"coordinator lists", coordinator, List, record, true},
		{"coordinator updates", coordinator, Update, record, true},
		{"coordinator does not delete", coordinator, Delete, record, false},
		{"officer without agreement", officer, Read, record, false},
		{"officer lists without agreement", officer, List, record, false},
		{"officer with agreement reads", officer, Read, shared, true},
		{"officer with agreement lists", officer, List, shared, true},
		{"officer with agreement does not update", officer, Update, shared, false},
		{"officer with agreement does not create", officer, Create, shared, false},
		{"other role of the prefecture", prefCoordinator, Read, shared, false},
		{"officer of a third organisation", otherOfficer, Read, shared, false},
		{"prefecture admin is no reader by itself", prefAdmin, Read, record, false},
		{"the doctor does not read the notes", doctor, Read, shared, false},
		{"the doctor does not list", doctor, List, record, false},
		{"platform admin gets no rule", admin, Read, shared, false},
		{"anonymous", Actor{}, Read, shared, false},
		{"sharing with the writing organisation itself adds nothing",
			recActor(9, identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: recUniversity}), Read,
			Object{Kind: KindRecord, OrgID: recUniversity, SharedWith: []OrgRole{{OrgID: recUniversity, Role: identity.RolePrefectureOfficer}}}, false},

		{"sharing admin creates agreement", ccAdmin, Create, agreement, true},
		{"sharing admin revokes agreement", ccAdmin, Delete, agreement, true},
		{"sharing admin reads agreement", ccAdmin, Read, agreement, true},
		{"partner admin reads agreement", prefAdmin, Read, agreement, true},
		{"partner admin lists agreements", prefAdmin, List, agreement, true},
		{"partner admin does not create", prefAdmin, Create, agreement, false},
		{"partner admin does not revoke", prefAdmin, Delete, agreement, false},
		{"coordinator who is no admin", coordinator, Read, agreement, false},
		{"partner officer who is no admin", officer, Read, agreement, false},
		{"platform admin on agreements", admin, Create, agreement, false},
		{"doctor on agreements", doctor, Read, agreement, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.actor, tt.action, tt.obj)
			if d.Allow != tt.want {
				t.Errorf("Decide(%s %s) = %v (%s), want %v", tt.action, tt.obj, d.Allow, d.Reason, tt.want)
			}
		})
	}
}

// TestRecordsNeverCrossWithoutAgreement is the property behind sharing:
// over random actors and records, a Read of a record by someone who is no
// coordinator of the writing organisation is allowed only when
// SharedWith holds one of the actor's (organisation, role) pairs.
func TestRecordsNeverCrossWithoutAgreement(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 2026))
	orgs := []int64{0, recUniversity, recPrefecture, recOther}
	pick := func() int64 { return orgs[rng.IntN(len(orgs))] }
	role := func() identity.Role { return identity.Roles[rng.IntN(len(identity.Roles))] }
	for i := 0; i < 20000; i++ {
		var grants []identity.Grant
		for n := rng.IntN(3); n >= 0; n-- {
			grants = append(grants, identity.Grant{Role: role(), OrgID: pick(), OrgAdmin: rng.IntN(2) == 0})
		}
		actor := recActor(int64(1+rng.IntN(9)), grants...)
		obj := Object{Kind: KindRecord, ID: 1, OrgID: pick(), OwnerID: int64(1 + rng.IntN(9))}
		for n := rng.IntN(3); n > 0; n-- {
			obj.SharedWith = append(obj.SharedWith, OrgRole{OrgID: pick(), Role: role()})
		}
		action := []Action{Read, List, Create, Update, Delete}[rng.IntN(5)]
		d := Decide(actor, action, obj)
		if !d.Allow {
			continue
		}
		if actor.holds(identity.RoleCoordinator, obj.OrgID) {
			if action == Delete {
				t.Fatalf("case %d: delete allowed: %+v on %+v", i, actor, obj)
			}
			continue
		}
		if action != Read && action != List {
			t.Fatalf("case %d: %s allowed to a non-coordinator: %+v on %+v (%s)", i, action, actor, obj, d.Reason)
		}
		matched := false
		for _, sw := range obj.SharedWith {
			if sw.OrgID != obj.OrgID && actor.holds(sw.Role, sw.OrgID) {
				matched = true
			}
		}
		if !matched {
			t.Fatalf("case %d: read across organisations without agreement: %+v on %+v (%s)", i, actor, obj, d.Reason)
		}
	}
}

// FuzzRecordsNeverCrossWithoutAgreement checks the same property on
// fuzzer-chosen grants: one actor grant, one sharing entry.
func FuzzRecordsNeverCrossWithoutAgreement(f *testing.F) {
	f.Add(int64(recPrefecture), uint8(4), false, int64(recUniversity), int64(recPrefecture), uint8(4))
	f.Add(int64(recPrefecture), uint8(3), true, int64(recUniversity), int64(recPrefecture), uint8(4))
	f.Add(int64(recUniversity), uint8(3), false, int64(recUniversity), int64(0), uint8(0))
	f.Fuzz(func(t *testing.T, actorOrg int64, actorRole uint8, admin bool, recordOrg, sharedOrg int64, sharedRole uint8) {
		roles := identity.Roles
		actor := recActor(1, identity.Grant{Role: roles[int(actorRole)%len(roles)], OrgID: actorOrg, OrgAdmin: admin})
		obj := Object{Kind: KindRecord, ID: 1, OrgID: recordOrg, OwnerID: 2,
			SharedWith: []OrgRole{{OrgID: sharedOrg, Role: roles[int(sharedRole)%len(roles)]}}}
		if !Decide(actor, Read, obj).Allow {
			return
		}
		g := actor.Grants[0]
		own := recordOrg != 0 && g.OrgID == recordOrg && g.Role == identity.RoleCoordinator
		shared := sharedOrg != 0 && sharedOrg != recordOrg && g.OrgID == sharedOrg && g.Role == obj.SharedWith[0].Role
		if !own && !shared {
			t.Fatalf("read allowed without agreement: %+v on %+v", actor, obj)
		}
	})
}
