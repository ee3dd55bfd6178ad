package policy

import "github.com/hakui-dev/hakui/internal/identity"

// decideRegional decides on 地域枠 programs, enrolments and plans.
//
// A program (OrgID the prefecture) is public rules: any signed-in
// coordinator, prefecture officer or doctor reads it; the prefecture's
// officers manage it, with its medical areas. An enrolment and its plans
// (OrgID the prefecture, PartnerOrgID the CC office that follows the
// doctor, OwnerID the doctor) are confidential career records: the
// prefecture's officers and the CC office's coordinators keep the ledger,
// the doctor reads their own enrolment and drafts their own plans.
// Platform administrators get no rule, and nothing is ever deleted from an
// enrolment but by a ledger correction (an update).
func decideRegional(actor Actor, action Action, obj Object) Decision {
	officer := actor.holds(identity.RolePrefectureOfficer, obj.OrgID)
	coordinator := actor.holds(identity.RoleCoordinator, obj.PartnerOrgID)
	own := obj.OwnerID != 0 && obj.OwnerID == actor.UserID && actor.Has(identity.RoleDoctor)
	switch obj.Kind {
	case KindProgram:
		switch {
		case officer && (action == Create || action == Update || action == Read || action == List):
			return allow("officer of the prefecture")
		case (action == Read || action == List) &&
			(actor.Has(identity.RoleCoordinator) || actor.Has(identity.RolePrefectureOfficer) || actor.Has(identity.RoleDoctor)):
			return allow("a program's rules are public to doctors and coordinators")
		}
		return deny("only the prefecture's officers manage its programs")
	case KindEnrollment:
		switch {
		case officer && (action == Create || action == Read || action == List || action == Update):
			return allow("officer of the prefecture")
		case coordinator && (action == Create || action == Read || action == List || action == Update):
			return allow("coordinator of the CC office that follows the doctor")
		case own && (action == Read || action == List):
			return allow("own enrolment")
		}
		return deny("another organisation's or doctor's enrolment")
	case KindPlan:
		switch {
		case own && (action == Create || action == Read || action == List || action == Update || action == Delete):
			return allow("own plan")
		case coordinator && (action == Create || action == Read || action == List || action == Update || action == Delete):
			return allow("coordinator of the CC office that follows the doctor")
		case officer && (action == Read || action == List):
			return allow("officer of the prefecture (the plans feed the annual placement)")
		}
		return deny("another organisation's or doctor's plan")
	}
	return deny("no rule for " + string(obj.Kind))
}
