package policy

// decideRound decides on annual placement rounds.
func decideRound(actor Actor, action Action, obj Object) Decision {
	return deny("no rule yet for " + string(obj.Kind))
}
