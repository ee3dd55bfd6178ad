package records

import (
	"testing"

	"github.com/hakui-dev/hakui/internal/identity"
)

func TestAgreementCoversAndValidate(t *testing.T) {
	a := &Agreement{OrgID: 1, PartnerOrgID: 2, Roles: []identity.Role{identity.RolePrefectureOfficer},
		Topics: []Topic{TopicCareer, TopicObligation}, Purpose: "運用のため"}
	covers := []struct {
		topics []Topic
		want   bool
	}{
		{[]Topic{TopicCareer}, true},
		{[]Topic{TopicCareer, TopicObligation}, true},
		{[]Topic{TopicCareer, TopicHealth}, false},
		{nil, false},
	}
	for _, tt := range covers {
		if got := a.Covers(tt.topics); got != tt.want {
			t.Errorf("Covers(%v) = %v, want %v", tt.topics, got, tt.want)
		}
	}
	if f := a.Validate(identity.OrgPrefecture); len(f) != 0 {
		t.Errorf("valid agreement: %v", f)
	}
	tests := map[string]struct {
		change func(a *Agreement)
		kind   identity.OrgKind
		field  string
	}{
		"officer of a university": {func(a *Agreement) {}, identity.OrgUniversity, "roles"},
		"doctor role":             {func(a *Agreement) { a.Roles = []identity.Role{identity.RoleDoctor} }, identity.OrgPrefecture, "roles"},
		"no role":                 {func(a *Agreement) { a.Roles = nil }, identity.OrgPrefecture, "roles"},
		"unknown topic":           {func(a *Agreement) { a.Topics = []Topic{"money"} }, identity.OrgPrefecture, "topics"},
		"itself":                  {func(a *Agreement) { a.PartnerOrgID = a.OrgID }, identity.OrgPrefecture, "partner_org_id"},
		"no purpose":              {func(a *Agreement) { a.Purpose = " " }, identity.OrgPrefecture, "purpose"},
	}
	for name, tt := range tests {
		b := *a
		tt.change(&b)
		if f := b.Validate(tt.kind); f[tt.field] == "" {
			t.Errorf("%s: fields %v, want %s", name, f, tt.field)
		}
	}
}
