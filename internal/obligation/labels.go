package obligation

import "slices"

// AreaClasses lists the area classes, from fewest doctors to most.
var AreaClasses = []AreaClass{AreaShortage, AreaMiddle, AreaSurplus}

// Label returns the Japanese name of the area class, or the raw value if
// unknown.
func (c AreaClass) Label() string {
	switch c {
	case AreaShortage:
		return "医師少数区域"
	case AreaMiddle:
		return "中程度"
	case AreaSurplus:
		return "医師多数区域"
	}
	return string(c)
}

// Valid reports whether c is one of AreaClasses.
func (c AreaClass) Valid() bool { return slices.Contains(AreaClasses, c) }

// SuspensionReasons lists the suspension reasons in the order forms show
// them.
var SuspensionReasons = []SuspensionReason{SuspendChildbirth, SuspendChildcare, SuspendIllness, SuspendStudy, SuspendOther}

// Label returns the Japanese name of the suspension reason, or the raw value
// if unknown.
func (r SuspensionReason) Label() string {
	switch r {
	case SuspendChildbirth:
		return "出産"
	case SuspendChildcare:
		return "育児"
	case SuspendIllness:
		return "病気療養"
	case SuspendStudy:
		return "留学・大学院"
	case SuspendOther:
		return "その他"
	}
	return string(r)
}

// Valid reports whether r is one of SuspensionReasons.
func (r SuspensionReason) Valid() bool { return slices.Contains(SuspensionReasons, r) }

// Statuses lists the statuses, from best to worst, then the final ones.
var Statuses = []Status{OnTrack, AtRisk, CannotComplete, Completed, Left}

// Label returns the Japanese name of the status, or the raw value if
// unknown.
func (s Status) Label() string {
	switch s {
	case OnTrack:
		return "順調"
	case AtRisk:
		return "要注意"
	case CannotComplete:
		return "期限内の完了が困難"
	case Completed:
		return "義務履行完了"
	case Left:
		return "離脱"
	}
	return string(s)
}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// PlanKinds lists the kinds of a planned year.
var PlanKinds = []PlanKind{PlanService, PlanSuspension, PlanResearch}

// Label returns the Japanese name of the plan kind, or the raw value if
// unknown.
func (k PlanKind) Label() string {
	switch k {
	case PlanService:
		return "勤務"
	case PlanSuspension:
		return "一時中断"
	case PlanResearch:
		return "研究・大学院"
	}
	return string(k)
}

// Valid reports whether k is one of PlanKinds.
func (k PlanKind) Valid() bool { return slices.Contains(PlanKinds, k) }
