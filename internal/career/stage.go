package career

import (
	"fmt"
	"slices"
	"sort"
	"time"
)

// jst is Japan Standard Time. Career dates are calendar dates in JST.
// JST is Japan Standard Time, in which every date of a career, a shift or
// a fiscal year is a calendar date. Other packages use this one.
var JST = time.FixedZone("JST", 9*60*60)

var jst = JST

// dayOf returns the JST calendar date of t as yyyymmdd, so that dates compare
// as integers.
func dayOf(t time.Time) int {
	y, m, d := t.In(jst).Date()
	return y*10000 + int(m)*100 + d
}

// formatDay formats the JST calendar date of t for messages.
func formatDay(t time.Time) string { return t.In(jst).Format("2006-01-02") }

// EventProblem is a problem with one event of a doctor's history.
type EventProblem struct {
	Index   int    // index of the event in the slice given to ValidateEvents
	Message string // Japanese, for the doctor
}

// ValidateEvents checks a doctor's career events and returns the problems,
// sorted by index; none means the history is consistent.
//
// Each event must have a known kind and a date; specialty_start and
// specialist_obtained need one of Specialties, the other kinds none. The
// national exam, junior start and junior end happen once; a specialty starts
// and is obtained at most once per specialty. Dates must follow the order
// national exam ≤ junior start < junior end ≤ specialty start ≤ specialist
// obtained, the last pair compared per specialty (a doctor may train in a
// second 基本領域 after obtaining the first). A missing event is not a problem:
// histories may be partial, and specialists certified before the 2018 board
// system may have no recorded specialty start.
func ValidateEvents(events []Event) []EventProblem {
	var ps []EventProblem
	add := func(i int, format string, args ...any) {
		ps = append(ps, EventProblem{Index: i, Message: fmt.Sprintf(format, args...)})
	}

	type key struct {
		kind      EventKind
		specialty string
	}
	seen := map[key]bool{}
	for i, e := range events {
		if !e.Kind.Valid() {
			add(i, "経歴の種類「%s」は登録できません。", e.Kind)
			continue
		}
		if e.Date.IsZero() {
			add(i, "%sの日付を入力してください。", e.Kind.Label())
		}
		k := key{kind: e.Kind}
		if perSpecialty(e.Kind) {
			switch {
			case e.Specialty == "":
				add(i, "%sの基本領域を選んでください。", e.Kind.Label())
				continue
			case !IsSpecialty(e.Specialty):
				add(i, "「%s」は基本領域ではありません。", e.Specialty)
				continue
			}
			k.specialty = e.Specialty
		} else if e.Specialty != "" {
			add(i, "%sには基本領域を指定しません。", e.Kind.Label())
		}
		if seen[k] {
			add(i, "%sが重複しています。", eventLabel(e))
		}
		seen[k] = true
	}

	// The first dated occurrence of each event, to check the order against.
	first := map[key]int{}
	for i, e := range events {
		if !e.Kind.Valid() || e.Date.IsZero() {
			continue
		}
		k := key{kind: e.Kind}
		if perSpecialty(e.Kind) {
			k.specialty = e.Specialty
		}
		if _, ok := first[k]; !ok {
			first[k] = i
		}
	}
	type before struct {
		key    key
		strict bool // the later event may not fall on the same day
	}
	for i, e := range events {
		if !e.Kind.Valid() || e.Date.IsZero() {
			continue
		}
		// Earlier events, nearest first; only the nearest violation is reported.
		var preds []before
		switch e.Kind {
		case EventJuniorStart:
			preds = []before{{key{kind: EventNationalExamPassed}, false}}
		case EventJuniorEnd:
			preds = []before{{key{kind: EventJuniorStart}, true}, {key{kind: EventNationalExamPassed}, false}}
		case EventSpecialtyStart:
			preds = []before{{key{kind: EventJuniorEnd}, false}, {key{kind: EventJuniorStart}, false}, {key{kind: EventNationalExamPassed}, false}}
		case EventSpecialistObtained:
			preds = []before{{key{EventSpecialtyStart, e.Specialty}, false}, {key{kind: EventJuniorEnd}, false}, {key{kind: EventJuniorStart}, false}, {key{kind: EventNationalExamPassed}, false}}
		}
		for _, p := range preds {
			j, ok := first[p.key]
			if !ok {
				continue
			}
			d, pd := dayOf(e.Date), dayOf(events[j].Date)
			if p.strict && d <= pd {
				add(i, "%s(%s)は%s(%s)より後の日付にしてください。", eventLabel(e), formatDay(e.Date), eventLabel(events[j]), formatDay(events[j].Date))
				break
			}
			if d < pd {
				add(i, "%s(%s)は%s(%s)以降の日付にしてください。", eventLabel(e), formatDay(e.Date), eventLabel(events[j]), formatDay(events[j].Date))
				break
			}
		}
	}
	sort.SliceStable(ps, func(a, b int) bool { return ps[a].Index < ps[b].Index })
	return ps
}

// perSpecialty reports whether events of kind k name a specialty.
func perSpecialty(k EventKind) bool {
	return k == EventSpecialtyStart || k == EventSpecialistObtained
}

// eventLabel names an event in messages, with its specialty if it has one.
func eventLabel(e Event) string {
	if perSpecialty(e.Kind) && e.Specialty != "" {
		return e.Specialty + "の" + e.Kind.Label()
	}
	return e.Kind.Label()
}

// happened reports whether e is a known, dated event on or before the JST
// calendar date of at.
func happened(e Event, at time.Time) bool {
	return e.Kind.Valid() && !e.Date.IsZero() && dayOf(e.Date) <= dayOf(at)
}

// StageAt returns the doctor's stage on the JST calendar date of at. An
// event counts from the start of its JST day. Events with an unknown kind or
// no date are ignored. The rules, first match wins:
//
//   - a specialist_obtained on or before at: StageSpecialist;
//   - a specialty_start on or before at: StageSpecialtyResident;
//   - a junior_end on or before at: StageSpecialtyResident. A doctor who has
//     finished 初期研修 but not started 専門研修 is no longer bound to devote
//     themselves to 臨床研修 and may take side jobs, and is not board
//     certified; of the four stages, 専攻医 is the one whose rules and whose
//     answers from institutions fit them;
//   - a junior_start or a national_exam_passed on or before at:
//     StageJuniorResident. Between the exam and the start of 初期研修 (usually
//     a few weeks) the doctor has not done the 臨床研修 that independent
//     practice requires, so the stricter rules of 初期研修医 apply;
//   - otherwise StageStudent, including when there are no events: nothing
//     shows a licence.
func StageAt(events []Event, at time.Time) Stage {
	has := func(kinds ...EventKind) bool {
		return slices.ContainsFunc(events, func(e Event) bool {
			return slices.Contains(kinds, e.Kind) && happened(e, at)
		})
	}
	switch {
	case has(EventSpecialistObtained):
		return StageSpecialist
	case has(EventSpecialtyStart, EventJuniorEnd):
		return StageSpecialtyResident
	case has(EventJuniorStart, EventNationalExamPassed):
		return StageJuniorResident
	}
	return StageStudent
}

// ObtainedSpecialties returns the 基本領域 in which the doctor is a specialist
// on the JST date of at, once each, in the order of Specialties.
func ObtainedSpecialties(events []Event, at time.Time) []string {
	return specialtiesWhere(func(s string) bool {
		return hasSpecialtyEvent(events, EventSpecialistObtained, s, at)
	})
}

// TrainingSpecialties returns the 基本領域 in which the doctor is in
// specialty training on the JST date of at: started and not yet obtained, in
// the order of Specialties.
func TrainingSpecialties(events []Event, at time.Time) []string {
	return specialtiesWhere(func(s string) bool {
		return hasSpecialtyEvent(events, EventSpecialtyStart, s, at) &&
			!hasSpecialtyEvent(events, EventSpecialistObtained, s, at)
	})
}

// hasSpecialtyEvent reports whether an event of kind for specialty s happened
// by at.
func hasSpecialtyEvent(events []Event, kind EventKind, s string, at time.Time) bool {
	return slices.ContainsFunc(events, func(e Event) bool {
		return e.Kind == kind && e.Specialty == s && happened(e, at)
	})
}

// specialtiesWhere returns the Specialties for which keep is true.
func specialtiesWhere(keep func(string) bool) []string {
	var out []string
	for _, s := range Specialties {
		if keep(s) {
			out = append(out, s)
		}
	}
	return out
}

// YearsSince returns the full years from the earliest event of kind to the
// JST date of at, counted like an age (the year completes on the
// anniversary), e.g. the years of experience since the national exam. ok is
// false when no such event happened by at.
func YearsSince(events []Event, kind EventKind, at time.Time) (years int, ok bool) {
	from := 0
	for _, e := range events {
		if e.Kind == kind && happened(e, at) {
			if d := dayOf(e.Date); !ok || d < from {
				from, ok = d, true
			}
		}
	}
	if !ok {
		return 0, false
	}
	// With dates as yyyymmdd, whole years are the difference divided by 10000.
	return (dayOf(at) - from) / 10000, true
}
