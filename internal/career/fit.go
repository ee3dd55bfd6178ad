package career

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Doctor is what Fit needs to know about a doctor.
type Doctor struct {
	Stage Stage // usually StageAt(events, now)
	// Specialties are the 基本領域 the doctor practises: ObtainedSpecialties
	// and, for a 専攻医, TrainingSpecialties.
	Specialties []string
	Skills      []Skill
	Preferences Preferences
	// Prefecture is where the doctor lives. When Preferences.Prefectures is
	// empty, openings are compared with it instead.
	Prefecture string
}

// Opening is what Fit needs to know about an opening (求人).
type Opening struct {
	Kind         WorkKind
	RemoteKind   RemoteKind // for WorkRemote
	Specialty    string     // one of Specialties; "" for any
	StageAnswers map[Stage]StageAnswer
	Required     []Requirement
	Preferred    []Requirement
	Weekly       []Weekly  // for regular work
	Date         time.Time // for a single shift (spot, duty): its JST date
	PayUnit      PayUnit
	PayMinYen    int64 // 0: not given
	PayMaxYen    int64 // 0: same as PayMinYen
	Prefecture   string
}

// Gap compares one competency an opening or a track asks for with the
// doctor's level.
type Gap struct {
	Code  string
	Name  string // Japanese, from the vocabulary
	Asked Level
	Has   Level // 0 when the doctor lacks the competency
	Met   bool  // Has >= Asked
}

// Aspects of the doctor's preferences that Fit checks, in this order.
const (
	AspectKind       = "kind"
	AspectWeekday    = "weekday"
	AspectRemote     = "remote"
	AspectPay        = "pay"
	AspectPrefecture = "prefecture"
	AspectSpecialty  = "specialty"
)

// PreferenceCheck is one of the doctor's preferences compared with an
// opening. OK is false only when the opening goes against the preference;
// when the two cannot be compared (e.g. pay per shift against an hourly
// minimum) OK is true and Note says why nothing was compared.
type PreferenceCheck struct {
	Aspect string // one of the Aspect constants
	Label  string // Japanese name of the aspect
	OK     bool
	Note   string // Japanese, for the doctor
}

// Result is the honest fit between a doctor and an opening: whether the
// doctor may apply, which competencies meet what is asked and which fall
// short, and how the opening meets the doctor's preferences.
type Result struct {
	Eligibility   Verdict
	Required      []Gap // every required competency, in the opening's order
	Preferred     []Gap // every preferred competency, in the opening's order
	Preferences   []PreferenceCheck
	RequiredMet   int
	RequiredTotal int
	Score         int // 0..100; 0 when not eligible
}

// Score weights, in points out of 100.
const (
	requiredPoints   = 60
	preferredPoints  = 20
	preferencePoints = 20
	considerPenalty  = 5
)

// Fit compares doctor d with opening o, naming competencies from v.
//
// The score is 0 when the doctor is not eligible. Otherwise it is the sum,
// each part rounded down, of
//
//   - 60 × the mean credit of the required competencies, where a competency
//     earns min(has, asked)/asked (partial credit below the level asked);
//     60 when nothing is required;
//   - 20 × the same mean over the preferred competencies; 20 when none;
//   - 20 × the share of compared preferences that are OK; 20 when none was
//     compared;
//
// minus 5 when the institution answers 応相談 for the doctor's stage, and
// never below 0. Raising a skill level never lowers the score.
func Fit(d Doctor, o Opening, v *Vocabulary) Result {
	has := skillLevels(d.Skills)
	r := Result{Eligibility: Eligibility(d.Stage, o.Kind, o.StageAnswers)}
	reqUnits, prefUnits := 0, 0
	for _, q := range o.Required {
		g := gap(q, has, v)
		r.Required = append(r.Required, g)
		reqUnits += credit(g)
		if g.Met {
			r.RequiredMet++
		}
	}
	r.RequiredTotal = len(o.Required)
	for _, q := range o.Preferred {
		g := gap(q, has, v)
		r.Preferred = append(r.Preferred, g)
		prefUnits += credit(g)
	}
	checks, compared, matched := preferenceChecks(d, o)
	r.Preferences = checks
	if !r.Eligibility.Allowed {
		return r
	}
	score := part(requiredPoints, reqUnits, creditUnits*len(o.Required)) +
		part(preferredPoints, prefUnits, creditUnits*len(o.Preferred)) +
		part(preferencePoints, matched, compared)
	if r.Eligibility.Consider {
		score -= considerPenalty
	}
	r.Score = max(0, min(100, score))
	return r
}

// creditUnits is the credit of a met competency: divisible by every asked
// level 1..4, so partial credit stays an integer.
const creditUnits = 12

// credit is min(has, asked)/asked in creditUnits.
func credit(g Gap) int {
	return int(min(g.Has, g.Asked)) * creditUnits / int(g.Asked)
}

// part returns points × num/den rounded down, or all points when den is 0.
func part(points, num, den int) int {
	if den == 0 {
		return points
	}
	return points * num / den
}

// preferenceChecks compares the doctor's preferences with o: one check per
// preference the doctor expressed (and, for the specialty, per opening that
// names one). compared counts the checks that could be made, matched those of
// them that are OK.
func preferenceChecks(d Doctor, o Opening) (checks []PreferenceCheck, compared, matched int) {
	p := d.Preferences
	add := func(aspect, label string, ok bool, note string) {
		checks = append(checks, PreferenceCheck{Aspect: aspect, Label: label, OK: ok, Note: note})
		compared++
		if ok {
			matched++
		}
	}
	skip := func(aspect, label, note string) {
		checks = append(checks, PreferenceCheck{Aspect: aspect, Label: label, OK: true, Note: note})
	}

	if len(p.Kinds) > 0 {
		const label = "勤務形態"
		if slices.Contains(p.Kinds, o.Kind) {
			add(AspectKind, label, true, "希望の勤務形態("+o.Kind.Label()+")です。")
		} else {
			add(AspectKind, label, false, o.Kind.Label()+"は希望の勤務形態("+joinLabels(p.Kinds, WorkKind.Label)+")に含まれません。")
		}
	}

	if len(p.Weekdays) > 0 {
		const label = "勤務曜日"
		days := openingWeekdays(o)
		var off []time.Weekday
		for _, w := range days {
			if !slices.Contains(p.Weekdays, w) {
				off = append(off, w)
			}
		}
		switch {
		case len(days) == 0:
			skip(AspectWeekday, label, "勤務曜日の記載がないため比較していません。")
		case len(off) == 0:
			add(AspectWeekday, label, true, "勤務曜日("+joinLabels(days, weekdayLabel)+")は希望に合っています。")
		default:
			add(AspectWeekday, label, false, joinLabels(off, weekdayLabel)+"は希望の曜日に含まれません。")
		}
	}

	if p.RemoteOnly {
		const label = "在宅・リモート"
		switch {
		case o.Kind != WorkRemote:
			add(AspectRemote, label, false, "在宅・リモートの求人ではありません。")
		case o.RemoteKind.Valid():
			add(AspectRemote, label, true, "在宅・リモートの求人です("+o.RemoteKind.Label()+")。")
		default:
			add(AspectRemote, label, true, "在宅・リモートの求人です。")
		}
	}

	if p.MinHourlyYen > 0 || p.MinAnnualYen > 0 {
		const label = "報酬"
		want := map[PayUnit]int64{PayHourly: p.MinHourlyYen, PayAnnual: p.MinAnnualYen}[o.PayUnit]
		lo, hi := o.PayMinYen, max(o.PayMinYen, o.PayMaxYen)
		wish := "希望額(" + o.PayUnit.Label() + formatYen(want) + "以上)"
		switch {
		case o.PayUnit == PayPerShift:
			skip(AspectPay, label, "1回あたりの報酬のため比較していません。")
		case !o.PayUnit.Valid() || hi <= 0:
			skip(AspectPay, label, "報酬の記載がないため比較していません。")
		case want <= 0:
			skip(AspectPay, label, o.PayUnit.Label()+"の希望額が未設定のため比較していません。")
		case lo >= want:
			add(AspectPay, label, true, wish+"を満たしています。")
		case hi >= want:
			add(AspectPay, label, true, "条件によっては"+wish+"に届きます("+payRange(o)+")。")
		default:
			add(AspectPay, label, false, wish+"に届きません("+payRange(o)+")。")
		}
	}

	wanted, home := p.Prefectures, false
	if len(wanted) == 0 && d.Prefecture != "" {
		wanted, home = []string{d.Prefecture}, true
	}
	if len(wanted) > 0 {
		const label = "勤務地"
		switch {
		case o.Kind == WorkRemote:
			add(AspectPrefecture, label, true, "在宅・リモートのため勤務地を問いません。")
		case o.Prefecture == "":
			skip(AspectPrefecture, label, "勤務地の記載がないため比較していません。")
		case slices.Contains(wanted, o.Prefecture):
			add(AspectPrefecture, label, true, "勤務地("+o.Prefecture+")は希望に合っています。")
		case home:
			add(AspectPrefecture, label, false, "勤務地("+o.Prefecture+")はお住まいの都道府県("+d.Prefecture+")の外です。")
		default:
			add(AspectPrefecture, label, false, "勤務地("+o.Prefecture+")は希望の都道府県に含まれません。")
		}
	}

	if o.Specialty != "" {
		const label = "診療科"
		switch {
		case slices.Contains(d.Specialties, o.Specialty):
			add(AspectSpecialty, label, true, "求人の診療科("+o.Specialty+")は専門と一致しています。")
		case len(d.Specialties) == 0:
			add(AspectSpecialty, label, false, "求人の診療科は"+o.Specialty+"です(専門の登録はありません)。")
		default:
			add(AspectSpecialty, label, false, "求人の診療科("+o.Specialty+")は専門("+strings.Join(d.Specialties, "・")+")と異なります。")
		}
	}
	return checks, compared, matched
}

// openingWeekdays returns the days of the week o is worked: those of its
// weekly slots (an overnight slot counts on the day it starts), else the JST
// weekday of its date, else none.
func openingWeekdays(o Opening) []time.Weekday {
	var days []time.Weekday
	for _, w := range o.Weekly {
		if !slices.Contains(days, w.Weekday) {
			days = append(days, w.Weekday)
		}
	}
	if len(days) == 0 && !o.Date.IsZero() {
		days = append(days, o.Date.In(jst).Weekday())
	}
	slices.Sort(days)
	return days
}

// joinLabels joins the labels of xs with "・".
func joinLabels[T any](xs []T, label func(T) string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = label(x)
	}
	return strings.Join(s, "・")
}

// payRange formats the pay of o, e.g. "時給8,000円〜10,000円".
func payRange(o Opening) string {
	s := o.PayUnit.Label()
	if o.PayMinYen > 0 {
		s += formatYen(o.PayMinYen)
	}
	if o.PayMaxYen > o.PayMinYen {
		s += "〜" + formatYen(o.PayMaxYen)
	}
	return s
}

// formatYen formats n yen with thousands separators, e.g. "10,000円".
func formatYen(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String() + "円"
}

// Recommend returns the indexes of the openings d is eligible for, by
// descending Fit score, ties in input order. An opening whose eligibility is
// not Allowed is never included.
func Recommend(d Doctor, openings []Opening, v *Vocabulary) []int {
	type scored struct{ index, score int }
	var ss []scored
	for i, o := range openings {
		if r := Fit(d, o, v); r.Eligibility.Allowed {
			ss = append(ss, scored{i, r.Score})
		}
	}
	sort.SliceStable(ss, func(a, b int) bool { return ss[a].score > ss[b].score })
	idx := make([]int, len(ss))
	for i, s := range ss {
		idx[i] = s.index
	}
	return idx
}
