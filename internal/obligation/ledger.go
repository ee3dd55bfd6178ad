package obligation

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Summarise says where the ledger stands at asOf. The counting rules:
//
//   - Months are laid out on a calendar. Within a fiscal year, the year's
//     placements run from April in ledger order, then its suspensions; a
//     year holds 12 months, and records beyond them count nothing (with a
//     reason). A month counts once it has ended: at asOf, the fiscal years
//     before FiscalYear(asOf) count in full, the current year its months
//     ended by asOf. Records of later fiscal years are plans, not service,
//     and are left out (CheckPlan applies plans). Records of years before
//     Ledger.StartYear count nothing (with a reason).
//   - A placement month counts towards the obligation when its specialty is
//     allowed (Program.AllowsSpecialty; otherwise it counts nothing, with a
//     reason). Inside the prefecture it counts, and in a shortage area also
//     as a shortage month. Outside the prefecture it counts only when
//     Program.OutsideCounts, and only until OutsideCapMonths are counted
//     (earliest first); the rest is OutsideUncountedMonths.
//   - Suspensions never count as service and do not move the deadline: the
//     deadline (the end of fiscal year StartYear+DeadlineYears-1) already
//     holds the room the program allows. SuspendedMonths totals each
//     reason's months up to the end of the current year (the current year's
//     in full: they are granted for the year). A total above the reason's
//     cap, or any months for a reason the program does not list, is a
//     reason and makes the status at least at_risk.
//   - The projection assumes full-time service, in a shortage area as long
//     as shortage months are still needed, from the current month (or the
//     start of the obligation) onwards, except for months the current year's
//     records already fill: their placements count as recorded, their
//     suspensions not at all. ProjectedYear and ProjectedMonth are the
//     month in which the last month needed is served; for a completed
//     ledger, the month in which it was.
//   - Possible says the projection completes by the deadline. The status is
//     left once the departure's date has come (a departure without a date
//     counts at once); completed when nothing remains; cannot_complete when
//     not possible; at_risk when less than 12 months of slack remain before
//     the deadline, when every month still available must be spent in a
//     shortage area, or when a suspension cap is exceeded; else on_track.
//     Reasons explain at_risk and cannot_complete, and note the records that
//     count nothing.
func Summarise(l Ledger, asOf time.Time) Summary {
	return summarise(l, asOf).Summary
}

// outlook is a Summary with the capacity behind its projection.
type outlook struct {
	Summary
	// ServiceByDeadline and ShortageByDeadline are the months that would
	// count by the deadline serving as the projection assumes.
	ServiceByDeadline  int
	ShortageByDeadline int
}

// slot is one month of a fiscal year: a placement, a suspension or nothing.
type slot struct {
	placement  *Placement
	suspension *Suspension
}

// tally counts service months in calendar order.
type tally struct {
	served, shortage, outside, uncounted int
}

// add counts one month of service at p under the program's outside rule.
// The caller has checked the specialty.
func (t *tally) add(pr Program, p *Placement) {
	switch {
	case p.Outside && (!pr.OutsideCounts || t.outside >= pr.OutsideCapMonths):
		t.uncounted++
	case p.Outside:
		t.outside++
		t.served++
	default:
		t.served++
		if p.Class == AreaShortage {
			t.shortage++
		}
	}
}

// done reports whether t meets the obligation.
func (t tally) done(need, needShortage int) bool {
	return t.served >= need && t.shortage >= needShortage
}

// summarise is Summarise with the capacity behind the projection.
func summarise(l Ledger, asOf time.Time) outlook {
	pr := l.Program
	need, needShortage := max(0, pr.TotalYears*12), max(0, pr.MinShortageYears*12)
	now, elapsed := FiscalYear(asOf), fiscalMonth(asOf)-1
	start := monthIndex(l.StartYear, 1)

	var o outlook
	s := &o.Summary
	s.SuspendedMonths = map[SuspensionReason]int{}
	s.DeadlineYear = l.StartYear + pr.DeadlineYears - 1
	deadline := monthIndex(s.DeadlineYear, 12)

	var notes []string
	var past tally
	completedAt, completed := start, need == 0 && needShortage == 0
	var current []slot // the current fiscal year, when it is in the obligation
	for _, fy := range recordYears(l, now) {
		if fy < l.StartYear {
			notes = append(notes, fmt.Sprintf("%d年度の記録は対象期間（%d年度から）より前のため、数えていません。", fy, l.StartYear))
			continue
		}
		slots, total := layout(l, fy)
		if total > 12 {
			notes = append(notes, fmt.Sprintf("%d年度の記録は合計%dか月で12か月を超えているため、超えた分は数えていません。", fy, total))
		}
		for i, sl := range slots {
			switch {
			case sl.suspension != nil:
				s.SuspendedMonths[sl.suspension.Reason]++
			case sl.placement == nil, fy == now && i >= elapsed, !pr.AllowsSpecialty(sl.placement.Specialty):
			default:
				past.add(pr, sl.placement)
				if !completed && past.done(need, needShortage) {
					completedAt, completed = monthIndex(fy, i+1), true
				}
			}
		}
		for _, p := range l.Placements {
			if p.FiscalYear == fy && p.Months > 0 && !pr.AllowsSpecialty(p.Specialty) {
				notes = append(notes, fmt.Sprintf("%d年度の%sでの勤務（%dか月）は、このプログラムの対象診療科（%s）ではないため数えていません。",
					fy, p.Specialty, p.Months, strings.Join(pr.Specialties, "・")))
			}
		}
		if fy == now {
			current = slots
		}
	}
	if past.uncounted > 0 {
		if pr.OutsideCounts {
			notes = append(notes, fmt.Sprintf("県外での勤務のうち%dか月は、上限（%dか月）を超えるため数えていません。", past.uncounted, pr.OutsideCapMonths))
		} else {
			notes = append(notes, fmt.Sprintf("このプログラムでは県外での勤務は数えないため、県外での%dか月は数えていません。", past.uncounted))
		}
	}

	s.ServedMonths, s.ShortageMonths = past.served, past.shortage
	s.OutsideMonths, s.OutsideUncountedMonths = past.outside, past.uncounted
	s.RemainingMonths = max(0, need-past.served)
	s.RemainingShortageMonths = max(0, needShortage-past.shortage)
	capNotes := capReasons(pr, s.SuspendedMonths)
	s.Reasons = append(notes, capNotes...)

	if d := l.Departure; d != nil && (d.On.IsZero() || !d.On.After(asOf)) {
		s.Status = Left
		msg := "プログラムを離脱しました。"
		if !d.On.IsZero() {
			msg = formatDate(d.On) + "に" + msg
		}
		if d.Reason != "" {
			msg += "理由: " + d.Reason
		}
		s.Reasons = append(s.Reasons, msg)
		return o
	}
	if completed {
		s.Status = Completed
		s.ProjectedYear, s.ProjectedMonth = splitMonth(completedAt)
		s.Possible = completedAt <= deadline
		o.ServiceByDeadline, o.ShortageByDeadline = past.served, past.shortage
		return o
	}

	// Project the rest of the current year as recorded, then full time.
	future, at, found := past, 0, false
	if now >= l.StartYear {
		for i := elapsed; i < 12; i++ {
			var sl slot
			if i < len(current) {
				sl = current[i]
			}
			switch {
			case sl.suspension != nil:
				continue
			case sl.placement == nil:
				future.served++
				future.shortage++
			case pr.AllowsSpecialty(sl.placement.Specialty):
				future.add(pr, sl.placement)
			default:
				continue
			}
			if !found && future.done(need, needShortage) {
				at, found = monthIndex(now, i+1), true
			}
		}
	}
	next := monthIndex(max(now+1, l.StartYear), 1)
	if !found {
		at = next - 1 + max(need-future.served, needShortage-future.shortage)
	}
	byDeadline := past
	if now <= s.DeadlineYear {
		byDeadline = future
	}
	free := max(0, deadline-next+1)
	o.ServiceByDeadline, o.ShortageByDeadline = byDeadline.served+free, byDeadline.shortage+free
	s.ProjectedYear, s.ProjectedMonth = splitMonth(at)
	s.Possible = at <= deadline

	end := fmt.Sprintf("期限（%d年度末）", s.DeadlineYear)
	serviceRoom := o.ServiceByDeadline - past.served
	shortageRoom := o.ShortageByDeadline - past.shortage
	switch {
	case !s.Possible:
		s.Status = CannotComplete
		if o.ServiceByDeadline < need {
			s.Reasons = append(s.Reasons, fmt.Sprintf("%sまでに残り%dか月の勤務ができません（期限までに勤務できるのは最大%dか月です）。",
				end, s.RemainingMonths, serviceRoom))
		}
		if o.ShortageByDeadline < needShortage {
			s.Reasons = append(s.Reasons, fmt.Sprintf("医師少数区域での勤務が残り%dか月必要ですが、%sまでに医師少数区域で勤務できるのは最大%dか月です。",
				s.RemainingShortageMonths, end, shortageRoom))
		}
	default:
		s.Status = OnTrack
		if slack := deadline - at; slack < 12 {
			s.Status = AtRisk
			s.Reasons = append(s.Reasons, fmt.Sprintf("常勤で勤務を続けると%sに完了する見込みで、%sまでの余裕は%dか月しかありません。",
				formatMonth(at), end, slack))
		}
		if s.RemainingShortageMonths > 0 && s.RemainingShortageMonths >= shortageRoom {
			s.Status = AtRisk
			s.Reasons = append(s.Reasons, fmt.Sprintf("医師少数区域での勤務が残り%dか月必要で、%sまでに勤務できる期間をすべて医師少数区域で勤務する必要があります。",
				s.RemainingShortageMonths, end))
		}
		if len(capNotes) > 0 {
			s.Status = AtRisk
		}
	}
	return o
}

// recordYears returns the fiscal years up to now that the ledger has
// records for, in order.
func recordYears(l Ledger, now int) []int {
	var years []int
	for _, p := range l.Placements {
		years = append(years, p.FiscalYear)
	}
	for _, s := range l.Suspensions {
		years = append(years, s.FiscalYear)
	}
	slices.Sort(years)
	years = slices.Compact(years)
	i, _ := slices.BinarySearch(years, now+1)
	return years[:i]
}

// layout lays out fiscal year fy of the ledger from April: the placements
// in ledger order, then the suspensions. It returns at most 12 months and
// the total the records claim.
func layout(l Ledger, fy int) (slots []slot, total int) {
	for i := range l.Placements {
		if p := &l.Placements[i]; p.FiscalYear == fy && p.Months > 0 {
			total += p.Months
			for range min(p.Months, 12-len(slots)) {
				slots = append(slots, slot{placement: p})
			}
		}
	}
	for i := range l.Suspensions {
		if s := &l.Suspensions[i]; s.FiscalYear == fy && s.Months > 0 {
			total += s.Months
			for range min(s.Months, 12-len(slots)) {
				slots = append(slots, slot{suspension: s})
			}
		}
	}
	return slots, total
}

// capReasons says which suspension totals are over the program's caps, in
// the order of SuspensionReasons, then unknown reasons by name.
func capReasons(pr Program, suspended map[SuspensionReason]int) []string {
	var reasons []string
	order := slices.SortedFunc(maps.Keys(suspended), func(a, b SuspensionReason) int {
		ia, ib := slices.Index(SuspensionReasons, a), slices.Index(SuspensionReasons, b)
		if ia < 0 {
			ia = len(SuspensionReasons)
		}
		if ib < 0 {
			ib = len(SuspensionReasons)
		}
		if ia != ib {
			return ia - ib
		}
		return strings.Compare(string(a), string(b))
	})
	for _, r := range order {
		months := suspended[r]
		limit, ok := pr.SuspensionCaps[r]
		switch {
		case months == 0:
		case !ok:
			reasons = append(reasons, fmt.Sprintf("このプログラムでは認められていない「%s」による一時中断が%dか月あります。", r.Label(), months))
		case months > limit:
			reasons = append(reasons, fmt.Sprintf("%sによる一時中断が合計%dか月で、上限（%dか月）を超えています。", r.Label(), months, limit))
		}
	}
	return reasons
}
