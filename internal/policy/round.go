package policy

import "github.com/hakui-dev/hakui/internal/identity"

// decideRound decides on annual placement rounds (年度の配置). Every
// object of a round has OrgID the prefecture; which part of the round it
// is follows from the other fields:
//   - OwnerID set: one doctor's list or placement. The doctor submits and
//     reads their own; the prefecture's officers read every one; nobody
//     else reads it.
//   - PartnerOrgID set: one institution's ranking, its candidates and the
//     doctors placed there. Its staff submit and read them; the
//     prefecture's officers read them.
//   - neither: the round's settings. The prefecture's officers manage the
//     round; the staff of its institutions (SharedWith, the caller lists
//     them) read it; doctors read it, and the service shows it only to
//     those enrolled in the round's program.
//
// Platform administrators get no rule: doctors' choices are not theirs to
// read.
func decideRound(actor Actor, action Action, obj Object) Decision {
	officer := actor.holds(identity.RolePrefectureOfficer, obj.OrgID)
	switch {
	case obj.OwnerID != 0:
		own := obj.OwnerID == actor.UserID && actor.Has(identity.RoleDoctor)
		switch {
		case own && (action == Create || action == Update || action == Read):
			return allow("own list and placement")
		case officer && (action == Read || action == List):
			return allow("officer of the prefecture")
		}
		return deny("another doctor's list or placement")
	case obj.PartnerOrgID != 0:
		staff := actor.holds(identity.RoleInstitutionStaff, obj.PartnerOrgID)
		switch {
		case staff && (action == Create || action == Update || action == Read || action == List):
			return allow("staff of the participating institution")
		case officer && (action == Read || action == List):
			return allow("officer of the prefecture")
		}
		return deny("another institution's ranking")
	}
	switch {
	case officer && (action == Create || action == Read || action == List || action == Update || action == Delete):
		return allow("officer of the prefecture")
	case action == Read && roundShared(actor, obj):
		return allow("staff of a participating institution")
	case action == Read && actor.Has(identity.RoleDoctor):
		return allow("a doctor; the service checks the enrolment")
	}
	return deny("not a party to the round")
}

// roundShared reports whether the actor holds one of the object's shared
// organisation roles.
func roundShared(actor Actor, obj Object) bool {
	for _, s := range obj.SharedWith {
		if actor.holds(s.Role, s.OrgID) {
			return true
		}
	}
	return false
}
