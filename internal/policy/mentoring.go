package policy

import "github.com/hakui-dev/hakui/internal/identity"

// decideMentoring decides on mentor–mentee pairs and their meeting logs.
// The object is the pair (OrgID the CC office that arranged it, OwnerID
// the mentee); its meetings are decided as the pair.
//
// The coordinators of the office manage the pairs (create, update, end —
// an update) and read and record the logs. The mentee reads their pair
// and its logs. Nothing is deleted: a pair ends and keeps its logs.
// Nobody else gets a rule, platform administrators included.
//
// The mentor has no field in Object (a single user, usually of another
// hospital, with no role in the office), and recording a meeting is a
// Create that a mentee must not be able to turn into a new pair. So the
// mentoring service recognises the two parties itself: the mentor and the
// mentee, still holding the doctor role, read their pair and its logs and
// record meetings; it asks the policy only for everyone else.
func decideMentoring(actor Actor, action Action, obj Object) Decision {
	if action == Delete {
		return deny("pairs are ended, not deleted; their logs are kept")
	}
	if actor.holds(identity.RoleCoordinator, obj.OrgID) {
		return allow("coordinator of the office")
	}
	if obj.OwnerID != 0 && obj.OwnerID == actor.UserID && actor.Has(identity.RoleDoctor) && (action == Read || action == List) {
		return allow("own mentoring pair")
	}
	return deny("not a coordinator of the office nor the mentee")
}
