package obligation

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// okayama is a typical program: 9 years, 4 of them in shortage areas, 12
// months outside the prefecture at most, due within 12 fiscal years.
func okayama() Program {
	return Program{
		ID: 1, Prefecture: "岡山県", Name: "岡山県キャリア形成プログラム",
		TotalYears: 9, MinShortageYears: 4,
		OutsideCounts: true, OutsideCapMonths: 12,
		SuspensionCaps: map[SuspensionReason]int{
			SuspendChildbirth: 12, SuspendChildcare: 24, SuspendIllness: 24, SuspendStudy: 24,
		},
		DeadlineYears: 12,
	}
}

// with returns okayama changed by edit.
func with(edit func(*Program)) Program {
	p := okayama()
	edit(&p)
	return p
}

// on returns midnight JST of a calendar date.
func on(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, jst) }

// serve is a placement inside the prefecture.
func serve(fy, months int, class AreaClass) Placement {
	return Placement{FiscalYear: fy, Months: months, Class: class, InstitutionID: 1, Institution: "県立病院"}
}

// serveIn is serve in a specialty.
func serveIn(fy, months int, class AreaClass, specialty string) Placement {
	p := serve(fy, months, class)
	p.Specialty, p.TrainingStage = specialty, "specialty_resident"
	return p
}

// outside is a placement outside the prefecture.
func outside(fy, months int) Placement {
	return Placement{FiscalYear: fy, Months: months, Outside: true, Institution: "県外の大学病院"}
}

// suspend is a suspension.
func suspend(fy, months int, r SuspensionReason) Suspension {
	return Suspension{FiscalYear: fy, Months: months, Reason: r}
}

// years is one placement per fiscal year from first to last.
func years(first, last int, class AreaClass) []Placement {
	var ps []Placement
	for fy := first; fy <= last; fy++ {
		ps = append(ps, serve(fy, 12, class))
	}
	return ps
}

// diffSummary lists the fields in which got differs from want; an empty
// SuspendedMonths map equals a nil one.
func diffSummary(want, got Summary) string {
	if len(want.SuspendedMonths) == 0 && len(got.SuspendedMonths) == 0 {
		want.SuspendedMonths, got.SuspendedMonths = nil, nil
	}
	var b strings.Builder
	w, g := reflect.ValueOf(want), reflect.ValueOf(got)
	for i := range w.NumField() {
		if !reflect.DeepEqual(w.Field(i).Interface(), g.Field(i).Interface()) {
			fmt.Fprintf(&b, "\n%s: -%#v\n%s  +%#v", w.Type().Field(i).Name, w.Field(i).Interface(),
				strings.Repeat(" ", len(w.Type().Field(i).Name)), g.Field(i).Interface())
		}
	}
	return b.String()
}

func TestSummarise(t *testing.T) {
	restricted := with(func(p *Program) { p.Specialties = []string{"内科", "総合診療"} })
	tests := []struct {
		name   string
		ledger Ledger
		asOf   time.Time
		want   Summary
	}{
		{
			name:   "first day of the obligation",
			ledger: Ledger{Program: okayama(), StartYear: 2027},
			asOf:   on(2027, time.April, 1),
			want: Summary{RemainingMonths: 108, RemainingShortageMonths: 48,
				ProjectedYear: 2035, ProjectedMonth: 12, DeadlineYear: 2038, Possible: true, Status: OnTrack},
		},
		{
			name:   "before the obligation starts",
			ledger: Ledger{Program: okayama(), StartYear: 2027, Placements: []Placement{serve(2025, 12, AreaMiddle)}},
			asOf:   on(2025, time.October, 1),
			want: Summary{RemainingMonths: 108, RemainingShortageMonths: 48,
				ProjectedYear: 2035, ProjectedMonth: 12, DeadlineYear: 2038, Possible: true, Status: OnTrack,
				Reasons: []string{"2025年度の記録は対象期間（2027年度から）より前のため、数えていません。"}},
		},
		{
			name:   "current year counts the months ended",
			ledger: Ledger{Program: okayama(), StartYear: 2027, Placements: []Placement{serve(2027, 12, AreaShortage)}},
			asOf:   on(2027, time.October, 15),
			want: Summary{ServedMonths: 6, ShortageMonths: 6, RemainingMonths: 102, RemainingShortageMonths: 42,
				ProjectedYear: 2035, ProjectedMonth: 12, DeadlineYear: 2038, Possible: true, Status: OnTrack},
		},
		{
			name:   "fiscal-year boundary: 31 March is still the old year",
			ledger: Ledger{Program: okayama(), StartYear: 2026, Placements: []Placement{serve(2026, 12, AreaMiddle)}},
			asOf:   time.Date(2027, time.March, 31, 23, 59, 0, 0, jst),
			want: Summary{ServedMonths: 11, RemainingMonths: 97, RemainingShortageMonths: 48,
				ProjectedYear: 2034, ProjectedMonth: 12, DeadlineYear: 2037, Possible: true, Status: OnTrack},
		},
		{
			name:   "fiscal-year boundary: 1 April closes the year",
			ledger: Ledger{Program: okayama(), StartYear: 2026, Placements: []Placement{serve(2026, 12, AreaMiddle)}},
			asOf:   on(2027, time.April, 1),
			want: Summary{ServedMonths: 12, RemainingMonths: 96, RemainingShortageMonths: 48,
				ProjectedYear: 2034, ProjectedMonth: 12, DeadlineYear: 2037, Possible: true, Status: OnTrack},
		},
		{
			name: "part year: 6 months of service and 6 of childcare",
			ledger: Ledger{Program: okayama(), StartYear: 2027,
				Placements:  []Placement{serve(2027, 6, AreaShortage), serve(2028, 12, AreaMiddle)},
				Suspensions: []Suspension{suspend(2027, 6, SuspendChildcare)}},
			asOf: on(2029, time.April, 1),
			want: Summary{ServedMonths: 18, ShortageMonths: 6, SuspendedMonths: map[SuspensionReason]int{SuspendChildcare: 6},
				RemainingMonths: 90, RemainingShortageMonths: 42,
				ProjectedYear: 2036, ProjectedMonth: 6, DeadlineYear: 2038, Possible: true, Status: OnTrack},
		},
		{
			name: "childcare within its cap in the current year",
			ledger: Ledger{Program: okayama(), StartYear: 2027,
				Placements:  []Placement{serve(2027, 12, AreaShortage), serve(2028, 6, AreaShortage)},
				Suspensions: []Suspension{suspend(2028, 6, SuspendChildcare)}},
			asOf: on(2028, time.June, 15),
			want: Summary{ServedMonths: 14, ShortageMonths: 14, SuspendedMonths: map[SuspensionReason]int{SuspendChildcare: 6},
				RemainingMonths: 94, RemainingShortageMonths: 34,
				ProjectedYear: 2036, ProjectedMonth: 6, DeadlineYear: 2038, Possible: true, Status: OnTrack},
		},
		{
			name: "childcare beyond its cap",
			ledger: Ledger{Program: with(func(p *Program) { p.SuspensionCaps[SuspendChildcare] = 12 }), StartYear: 2027,
				Placements:  []Placement{serve(2027, 12, AreaShortage), serve(2029, 6, AreaShortage)},
				Suspensions: []Suspension{suspend(2028, 12, SuspendChildcare), suspend(2029, 6, SuspendChildcare)}},
			asOf: on(2030, time.April, 1),
			want: Summary{ServedMonths: 18, ShortageMonths: 18, SuspendedMonths: map[SuspensionReason]int{SuspendChildcare: 18},
				RemainingMonths: 90, RemainingShortageMonths: 30,
				ProjectedYear: 2037, ProjectedMonth: 6, DeadlineYear: 2038, Possible: true, Status: AtRisk,
				Reasons: []string{"育児による一時中断が合計18か月で、上限（12か月）を超えています。"}},
		},
		{
			name: "suspension for a reason the program does not allow",
			ledger: Ledger{Program: with(func(p *Program) { delete(p.SuspensionCaps, SuspendStudy) }), StartYear: 2027,
				Placements:  []Placement{serve(2027, 12, AreaShortage)},
				Suspensions: []Suspension{suspend(2028, 12, SuspendStudy)}},
			asOf: on(2029, time.April, 1),
			want: Summary{ServedMonths: 12, ShortageMonths: 12, SuspendedMonths: map[SuspensionReason]int{SuspendStudy: 12},
				RemainingMonths: 96, RemainingShortageMonths: 36,
				ProjectedYear: 2036, ProjectedMonth: 12, DeadlineYear: 2038, Possible: true, Status: AtRisk,
				Reasons: []string{"このプログラムでは認められていない「留学・大学院」による一時中断が12か月あります。"}},
		},
		{
			name: "outside the prefecture: counted up to the cap",
			ledger: Ledger{Program: okayama(), StartYear: 2027,
				Placements: []Placement{serve(2027, 12, AreaShortage), outside(2028, 12), outside(2029, 12)}},
			asOf: on(2030, time.April, 1),
			want: Summary{ServedMonths: 24, ShortageMonths: 12, OutsideMonths: 12, OutsideUncountedMonths: 12,
				RemainingMonths: 84, RemainingShortageMonths: 36,
				ProjectedYear: 2036, ProjectedMonth: 12, DeadlineYear: 2038, Possible: true, Status: OnTrack,
				Reasons: []string{"県外での勤務のうち12か月は、上限（12か月）を超えるため数えていません。"}},
		},
		{
			name: "outside the prefecture: not counted",
			ledger: Ledger{Program: with(func(p *Program) { p.OutsideCounts, p.OutsideCapMonths = false, 0 }), StartYear: 2027,
				Placements: []Placement{serve(2027, 12, AreaShortage), outside(2028, 12), outside(2029, 12)}},
			asOf: on(2030, time.April, 1),
			want: Summary{ServedMonths: 12, ShortageMonths: 12, OutsideUncountedMonths: 24,
				RemainingMonths: 96, RemainingShortageMonths: 36,
				ProjectedYear: 2037, ProjectedMonth: 12, DeadlineYear: 2038, Possible: true, Status: OnTrack,
				Reasons: []string{"このプログラムでは県外での勤務は数えないため、県外での24か月は数えていません。"}},
		},
		{
			name: "specialty-restricted program",
			ledger: Ledger{Program: restricted, StartYear: 2027, Placements: []Placement{
				{FiscalYear: 2027, Months: 12, Class: AreaMiddle, TrainingStage: "junior_resident", InstitutionID: 1},
				serveIn(2028, 12, AreaShortage, "内科"),
				serveIn(2029, 12, AreaShortage, "整形外科"),
			}},
			asOf: on(2030, time.April, 1),
			want: Summary{ServedMonths: 24, ShortageMonths: 12, RemainingMonths: 84, RemainingShortageMonths: 36,
				ProjectedYear: 2036, ProjectedMonth: 12, DeadlineYear: 2038, Possible: true, Status: OnTrack,
				Reasons: []string{"2029年度の整形外科での勤務（12か月）は、このプログラムの対象診療科（内科・総合診療）ではないため数えていません。"}},
		},
		{
			name: "a year recorded over 12 months",
			ledger: Ledger{Program: okayama(), StartYear: 2027,
				Placements: []Placement{serve(2027, 12, AreaShortage), serve(2027, 6, AreaMiddle)}},
			asOf: on(2028, time.April, 1),
			want: Summary{ServedMonths: 12, ShortageMonths: 12, RemainingMonths: 96, RemainingShortageMonths: 36,
				ProjectedYear: 2035, ProjectedMonth: 12, DeadlineYear: 2038, Possible: true, Status: OnTrack,
				Reasons: []string{"2027年度の記録は合計18か月で12か月を超えているため、超えた分は数えていません。"}},
		},
		{
			name:   "at risk: every month left must be in a shortage area",
			ledger: Ledger{Program: okayama(), StartYear: 2027, Placements: years(2027, 2034, AreaSurplus)},
			asOf:   on(2035, time.April, 1),
			want: Summary{ServedMonths: 96, RemainingMonths: 12, RemainingShortageMonths: 48,
				ProjectedYear: 2038, ProjectedMonth: 12, DeadlineYear: 2038, Possible: true, Status: AtRisk,
				Reasons: []string{
					"常勤で勤務を続けると2039年3月に完了する見込みで、期限（2038年度末）までの余裕は0か月しかありません。",
					"医師少数区域での勤務が残り48か月必要で、期限（2038年度末）までに勤務できる期間をすべて医師少数区域で勤務する必要があります。",
				}},
		},
		{
			name: "impossible: not enough time left",
			ledger: Ledger{Program: okayama(), StartYear: 2027,
				Placements: []Placement{serve(2027, 12, AreaShortage), serve(2028, 12, AreaMiddle), serve(2029, 12, AreaMiddle)}},
			asOf: on(2034, time.April, 1),
			want: Summary{ServedMonths: 36, ShortageMonths: 12, RemainingMonths: 72, RemainingShortageMonths: 36,
				ProjectedYear: 2039, ProjectedMonth: 12, DeadlineYear: 2038, Status: CannotComplete,
				Reasons: []string{"期限（2038年度末）までに残り72か月の勤務ができません（期限までに勤務できるのは最大60か月です）。"}},
		},
		{
			name:   "impossible: not enough time left in shortage areas",
			ledger: Ledger{Program: okayama(), StartYear: 2027, Placements: years(2027, 2035, AreaSurplus)},
			asOf:   on(2036, time.April, 1),
			want: Summary{ServedMonths: 108, RemainingShortageMonths: 48,
				ProjectedYear: 2039, ProjectedMonth: 12, DeadlineYear: 2038, Status: CannotComplete,
				Reasons: []string{"医師少数区域での勤務が残り48か月必要ですが、期限（2038年度末）までに医師少数区域で勤務できるのは最大36か月です。"}},
		},
		{
			name:   "impossible: past the deadline",
			ledger: Ledger{Program: okayama(), StartYear: 2027, Placements: years(2027, 2031, AreaShortage)},
			asOf:   on(2039, time.June, 1),
			want: Summary{ServedMonths: 60, ShortageMonths: 60, RemainingMonths: 48,
				ProjectedYear: 2043, ProjectedMonth: 2, DeadlineYear: 2038, Status: CannotComplete,
				Reasons: []string{"期限（2038年度末）までに残り48か月の勤務ができません（期限までに勤務できるのは最大0か月です）。"}},
		},
		{
			name: "completed",
			ledger: Ledger{Program: okayama(), StartYear: 2027,
				Placements: append(years(2027, 2030, AreaShortage), years(2031, 2035, AreaMiddle)...)},
			asOf: on(2036, time.May, 1),
			want: Summary{ServedMonths: 108, ShortageMonths: 48,
				ProjectedYear: 2035, ProjectedMonth: 12, DeadlineYear: 2038, Possible: true, Status: Completed},
		},
		{
			name: "departure",
			ledger: Ledger{Program: okayama(), StartYear: 2027, Placements: years(2027, 2029, AreaShortage),
				Departure: &Departure{On: on(2030, time.June, 1), Reason: "本人の希望"}},
			asOf: on(2030, time.July, 1),
			want: Summary{ServedMonths: 36, ShortageMonths: 36, RemainingMonths: 72, RemainingShortageMonths: 12,
				DeadlineYear: 2038, Status: Left,
				Reasons: []string{"2030年6月1日にプログラムを離脱しました。理由: 本人の希望"}},
		},
		{
			name: "departure not yet in effect",
			ledger: Ledger{Program: okayama(), StartYear: 2027, Placements: years(2027, 2029, AreaShortage),
				Departure: &Departure{On: on(2030, time.June, 1), Reason: "本人の希望"}},
			asOf: on(2030, time.May, 1),
			want: Summary{ServedMonths: 36, ShortageMonths: 36, RemainingMonths: 72, RemainingShortageMonths: 12,
				ProjectedYear: 2036, ProjectedMonth: 1, DeadlineYear: 2038, Possible: true, Status: OnTrack},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Summarise(tt.ledger, tt.asOf)
			if d := diffSummary(tt.want, got); d != "" {
				t.Errorf("Summarise() (-want +got):%s", d)
			}
		})
	}
}

func TestFiscalYear(t *testing.T) {
	tests := []struct {
		name string
		t    time.Time
		want int
	}{
		{"last day of March", on(2027, time.March, 31), 2026},
		{"first of April", on(2027, time.April, 1), 2027},
		{"midnight JST in UTC", time.Date(2027, time.March, 31, 15, 0, 0, 0, time.UTC), 2027},
		{"just before midnight JST in UTC", time.Date(2027, time.March, 31, 14, 59, 59, 0, time.UTC), 2026},
		{"January", on(2027, time.January, 15), 2026},
		{"December", on(2026, time.December, 31), 2026},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FiscalYear(tt.t); got != tt.want {
				t.Errorf("FiscalYear(%v) = %d, want %d", tt.t, got, tt.want)
			}
		})
	}
}

func TestMonthIndex(t *testing.T) {
	for _, tt := range []struct {
		fy, m int
		want  string
	}{{2034, 1, "2034年4月"}, {2034, 9, "2034年12月"}, {2034, 10, "2035年1月"}, {2034, 12, "2035年3月"}, {-1, 12, "0年3月"}} {
		i := monthIndex(tt.fy, tt.m)
		if fy, m := splitMonth(i); fy != tt.fy || m != tt.m {
			t.Errorf("splitMonth(monthIndex(%d, %d)) = %d, %d", tt.fy, tt.m, fy, m)
		}
		if got := formatMonth(i); got != tt.want {
			t.Errorf("formatMonth(monthIndex(%d, %d)) = %q, want %q", tt.fy, tt.m, got, tt.want)
		}
	}
}

// FuzzSummarise checks the invariants of Summarise on ledgers built from
// bytes: four bytes per record (year offset, months, kind, class).
func FuzzSummarise(f *testing.F) {
	f.Add(uint8(9), uint8(4), uint8(12), uint8(12), true, uint8(30), []byte{0, 12, 0, 0, 1, 6, 1, 0, 1, 6, 4, 2, 2, 12, 2, 1})
	f.Add(uint8(9), uint8(4), uint8(12), uint8(0), false, uint8(100), []byte{0, 12, 2, 0, 1, 12, 3, 0, 5, 13, 0, 0})
	f.Add(uint8(1), uint8(1), uint8(1), uint8(0), true, uint8(5), []byte{0, 12, 0, 0})
	f.Fuzz(func(t *testing.T, total, short, deadline, outCap uint8, outCounts bool, nowMonths uint8, records []byte) {
		pr := okayama()
		pr.TotalYears, pr.MinShortageYears, pr.DeadlineYears = int(total%16), int(short%16), int(deadline%31)
		pr.OutsideCounts, pr.OutsideCapMonths = outCounts, int(outCap)
		pr.Specialties = []string{"内科"}
		l := Ledger{Program: pr, StartYear: 2027}
		placed := 0
		for r := range len(records) / 4 {
			b := records[4*r : 4*r+4]
			fy, months := 2025+int(b[0]%20), int(b[1]%14)
			class := AreaClasses[int(b[3])%len(AreaClasses)]
			switch b[2] % 5 {
			case 0:
				l.Placements = append(l.Placements, serve(fy, months, class))
			case 1:
				l.Placements = append(l.Placements, serveIn(fy, months, class, "外科"))
			case 2:
				l.Placements = append(l.Placements, outside(fy, months))
			default:
				l.Suspensions = append(l.Suspensions, suspend(fy, months, SuspensionReasons[int(b[3])%len(SuspensionReasons)]))
			}
			if b[2]%5 <= 2 {
				placed += max(0, months)
			}
		}
		if len(records)%4 == 1 {
			l.Departure = &Departure{On: on(2030, time.April, 1)}
		}
		asOf := on(2025, time.April, 1).AddDate(0, int(nowMonths), 3)
		s := Summarise(l, asOf)

		need, needShort := pr.TotalYears*12, pr.MinShortageYears*12
		switch {
		case s.ServedMonths > placed:
			t.Errorf("served %d > placed %d", s.ServedMonths, placed)
		case s.ShortageMonths > s.ServedMonths:
			t.Errorf("shortage %d > served %d", s.ShortageMonths, s.ServedMonths)
		case s.OutsideMonths > pr.OutsideCapMonths || (!outCounts && s.OutsideMonths > 0):
			t.Errorf("outside %d over the cap %d (counts %v)", s.OutsideMonths, pr.OutsideCapMonths, outCounts)
		case s.RemainingMonths != max(0, need-s.ServedMonths) || s.RemainingShortageMonths != max(0, needShort-s.ShortageMonths):
			t.Errorf("remaining %d/%d for served %d/%d", s.RemainingMonths, s.RemainingShortageMonths, s.ServedMonths, s.ShortageMonths)
		case !s.Status.Valid():
			t.Errorf("status %q", s.Status)
		case s.Status == Left:
			if l.Departure == nil {
				t.Errorf("left without a departure")
			}
		case (s.Status == Completed) != (s.RemainingMonths == 0 && s.RemainingShortageMonths == 0):
			t.Errorf("status %s with %d/%d remaining", s.Status, s.RemainingMonths, s.RemainingShortageMonths)
		case s.Status != Completed && (s.Status == CannotComplete) == s.Possible:
			t.Errorf("status %s, possible %v", s.Status, s.Possible)
		case (s.Status == AtRisk || s.Status == CannotComplete) && len(s.Reasons) == 0:
			t.Errorf("status %s without reasons", s.Status)
		case s.ProjectedMonth < 1 || s.ProjectedMonth > 12:
			t.Errorf("projected month %d", s.ProjectedMonth)
		case s.Status != Completed && monthIndex(s.ProjectedYear, s.ProjectedMonth) < monthIndex(FiscalYear(asOf), fiscalMonth(asOf)):
			t.Errorf("projected %d/%d before asOf %v", s.ProjectedYear, s.ProjectedMonth, asOf)
		}
	})
}
