package policy

// decideEvent decides on events and surveys. The organising
// organisation's members manage them; a published event is read by
// anyone (Object.Public, decided before this). Registrants, guests and
// respondents act through the events and survey services with their own
// tokens, not through this rule. Nothing is deleted: events are
// cancelled and surveys closed.
func decideEvent(actor Actor, action Action, obj Object) Decision {
	if action == Delete {
		return deny(string(obj.Kind) + "s are cancelled or closed, not deleted")
	}
	if actor.MemberOf(obj.OrgID) {
		return allow("member of the organising organisation")
	}
	return deny("not a member of the organising organisation")
}
