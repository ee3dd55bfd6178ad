package policy

import (
	"testing"

	"github.com/hakui-dev/hakui/internal/identity"
)

func TestDecideMentoring(t *testing.T) {
	const office, otherOffice, prefecture, mentee = 100, 300, 200, 7
	coordinator := recActor(1, identity.Grant{Role: identity.RoleCoordinator, OrgID: office})
	otherCoordinator := recActor(2, identity.Grant{Role: identity.RoleCoordinator, OrgID: otherOffice})
	officer := recActor(3, identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: office})
	officeAdmin := recActor(4, identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: office, OrgAdmin: true})
	prefOfficer := recActor(5, identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: prefecture})
	doctor := recActor(mentee, identity.Grant{Role: identity.RoleDoctor})
	menteeAsStaff := recActor(mentee, identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: 400})
	stranger := recActor(8, identity.Grant{Role: identity.RoleDoctor})
	admin := recActor(9, identity.Grant{Role: identity.RoleAdmin, OrgID: 1, OrgAdmin: true})

	pair := Object{Kind: KindMentoring, ID: 1, OrgID: office, OwnerID: mentee}
	tests := []struct {
		name   string
		actor  Actor
		action Action
		want   bool
	}{
		{"coordinator creates", coordinator, Create, true},
		{"coordinator reads", coordinator, Read, true},
		{"coordinator lists", coordinator, List, true},
		{"coordinator updates", coordinator, Update, true},
		{"coordinator does not delete", coordinator, Delete, false},
		{"coordinator of another office", otherCoordinator, Read, false},
		{"another role of the office", officer, Read, false},
		{"administrator of the office who is no coordinator", officeAdmin, Update, false},
		{"prefecture officer", prefOfficer, Read, false},
		{"mentee reads", doctor, Read, true},
		{"mentee lists", doctor, List, true},
		{"mentee does not create a pair", doctor, Create, false},
		{"mentee does not update", doctor, Update, false},
		{"mentee does not delete", doctor, Delete, false},
		{"the mentee's id without the doctor role", menteeAsStaff, Read, false},
		{"stranger doctor", stranger, Read, false},
		{"platform admin gets no rule", admin, Read, false},
		{"anonymous", Actor{}, Read, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Decide(tt.actor, tt.action, pair)
			if d.Allow != tt.want {
				t.Errorf("Decide(%s %s) = %v (%s), want %v", tt.action, pair, d.Allow, d.Reason, tt.want)
			}
		})
	}
}
