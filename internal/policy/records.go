package policy

import "github.com/hakui-dev/hakui/internal/identity"

// decideRecords decides on confidential 面談記録 and the sharing agreements
// that let another organisation read them.
//
// A record (OrgID the writing organisation, OwnerID the doctor) belongs to
// the coordinators of the organisation that wrote it. Another
// organisation's members read it only when a sharing agreement puts their
// (organisation, role) in SharedWith; the caller fills SharedWith from the
// agreements that apply, so with no agreement nothing is shared. The
// doctor does not read the notes: they see in the audit log who read which
// record, and when. Records are kept, never deleted by hand. Platform
// administrators get no rule.
//
// An agreement (OrgID the sharing organisation, PartnerOrgID the reader)
// is made and revoked by an administrator of the sharing organisation and
// read by the administrators of either side.
func decideRecords(actor Actor, action Action, obj Object) Decision {
	switch obj.Kind {
	case KindRecord:
		if action == Delete {
			return deny("records are kept; they are not deleted")
		}
		if actor.holds(identity.RoleCoordinator, obj.OrgID) {
			return allow("coordinator of the writing organisation")
		}
		if action == Read || action == List {
			for _, sw := range obj.SharedWith {
				if sw.OrgID != obj.OrgID && actor.holds(sw.Role, sw.OrgID) {
					return allow("shared by agreement with " + string(sw.Role) + " of the organisation")
				}
			}
		}
		return deny("a record of another organisation, not shared with this role")
	case KindAgreement:
		switch {
		case actor.AdminOf(obj.OrgID) && (action == Create || action == Delete || action == Read || action == List):
			return allow("administrator of the sharing organisation")
		case actor.AdminOf(obj.PartnerOrgID) && (action == Read || action == List):
			return allow("administrator of the partner organisation")
		}
		return deny("agreements are managed by the administrators of the sharing organisation")
	}
	return deny("no rule for " + string(obj.Kind))
}
