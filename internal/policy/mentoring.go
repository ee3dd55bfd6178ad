package policy

// decideMentoring decides on mentor–mentee pairs and their meeting logs.
func decideMentoring(actor Actor, action Action, obj Object) Decision {
	return deny("no rule yet for " + string(obj.Kind))
}
