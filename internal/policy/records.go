package policy

// decideRecords decides on confidential 面談記録 and the sharing agreements
// that let another organisation read them.
func decideRecords(actor Actor, action Action, obj Object) Decision {
	return deny("no rule yet for " + string(obj.Kind))
}
