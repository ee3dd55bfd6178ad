package rounds

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/obligation"
)

// The match input names doctors, institutions and areas by prefixed IDs,
// so an explanation says which kind each ID is.
func doctorKey(id int64) string      { return "d" + strconv.FormatInt(id, 10) }
func institutionKey(id int64) string { return "i" + strconv.FormatInt(id, 10) }
func areaKey(id int64) string        { return "a" + strconv.FormatInt(id, 10) }

// keyID is the ID in a key made by the functions above, or 0.
func keyID(key string) int64 {
	if len(key) < 2 {
		return 0
	}
	id, _ := strconv.ParseInt(key[1:], 10, 64)
	return id
}

// Mechanisms are the engine's mechanisms in the order a comparison shows
// them.
var Mechanisms = []match.Mechanism{match.DA, match.JRMP, match.FDA}

// Input builds the matching problem of the round: a region for each capped
// area; a program for each institution, in its area's region when the
// area is capped, ranking the doctors of its ranking who have a list (an
// institution without a ranking accepts nobody); a doctor for each list.
func Input(r *Round, lists []List, rankings []Ranking) *match.Input {
	in := &match.Input{Mechanism: r.Mechanism, Programs: []match.Program{}, Doctors: []match.Doctor{}}
	capped := map[int64]bool{}
	for _, c := range r.Caps {
		in.Regions = append(in.Regions, match.Region{ID: areaKey(c.AreaID), Cap: c.Cap})
		capped[c.AreaID] = true
	}
	listed := map[int64]bool{}
	for _, l := range lists {
		d := match.Doctor{ID: doctorKey(l.DoctorID), Ranking: make([]string, 0, len(l.Institutions))}
		for _, id := range l.Institutions {
			d.Ranking = append(d.Ranking, institutionKey(id))
		}
		in.Doctors = append(in.Doctors, d)
		listed[l.DoctorID] = true
	}
	ranked := map[int64][]string{}
	for _, k := range rankings {
		for _, id := range k.Doctors {
			if listed[id] {
				ranked[k.InstitutionID] = append(ranked[k.InstitutionID], doctorKey(id))
			}
		}
	}
	for _, inst := range r.Institutions {
		p := match.Program{ID: institutionKey(inst.OrgID), Capacity: inst.Capacity, Target: inst.Target,
			Ranking: ranked[inst.OrgID]}
		if p.Ranking == nil {
			p.Ranking = []string{}
		}
		if capped[inst.AreaID] {
			p.Region = areaKey(inst.AreaID)
		}
		in.Programs = append(in.Programs, p)
	}
	return in
}

// results turns the engine's result into one Result per list, each with
// its explanation.
func results(r *Round, lists []List, res *match.Result) ([]Result, error) {
	out := make([]Result, 0, len(lists))
	for _, l := range lists {
		e, err := res.Explain(doctorKey(l.DoctorID))
		if err != nil {
			return nil, err
		}
		out = append(out, Result{RoundID: r.ID, DoctorID: l.DoctorID, DoctorName: l.DoctorName,
			InstitutionID: keyID(e.Program), Rank: e.Rank, Explanation: e})
	}
	return out, nil
}

// Preview is a run's result as the officer reviews it before publishing.
type Preview struct {
	Round        *Round
	Results      []Result // by doctor
	Areas        []AreaFill
	Specialties  []SpecialtyFill
	Institutions []InstitutionFill
	Unmatched    []Result
	// MissingRankings are the institutions that sent no ranking and so
	// accept nobody.
	MissingRankings []Institution
	// Comparison runs every mechanism on the same lists and rankings.
	Comparison []Outcome
}

// AreaFill is how many doctors a medical area receives.
type AreaFill struct {
	AreaID   int64
	AreaCode string
	AreaName string
	Class    obligation.AreaClass
	Capacity int // the seats of its institutions
	Cap      *int
	Filled   int
}

// SpecialtyFill is how many doctors of a specialty listed and were placed;
// Specialty is empty for doctors before specialty training.
type SpecialtyFill struct {
	Specialty string
	Listed    int
	Filled    int
}

// InstitutionFill is how full an institution is.
type InstitutionFill struct {
	OrgID    int64
	Name     string
	AreaName string
	Capacity int
	Target   *int
	Filled   int
}

// Outcome is what one mechanism gives on the round's lists and rankings.
type Outcome struct {
	Mechanism match.Mechanism
	Chosen    bool // the round's mechanism
	Matched   int
	Unmatched int
	Areas     []AreaFill
	// BlockingPairs, Excused, Violations and Notes are match.Verify's.
	BlockingPairs int
	Excused       int
	Violations    []string
	Notes         []string
}

// Run runs mechanism m on the round's lists and rankings.
func Run(r *Round, lists []List, rankings []Ranking, m match.Mechanism) (*match.Result, error) {
	res, err := match.Solve(Input(r, lists, rankings), m)
	if err != nil {
		return nil, fmt.Errorf("rounds: run %s: %w", m, err)
	}
	return res, nil
}

// Review builds the preview of the stored results, comparing every
// mechanism on the same lists and rankings.
func Review(r *Round, lists []List, rankings []Ranking, stored []Result) (*Preview, error) {
	p := &Preview{Round: r, Results: stored}
	placed := map[int64]int{} // by institution
	for _, res := range stored {
		if res.InstitutionID == 0 {
			p.Unmatched = append(p.Unmatched, res)
		} else {
			placed[res.InstitutionID]++
		}
	}
	p.Areas = areaFills(r, placed)
	for _, inst := range r.Institutions {
		p.Institutions = append(p.Institutions, InstitutionFill{OrgID: inst.OrgID, Name: inst.Name, AreaName: inst.AreaName,
			Capacity: inst.Capacity, Target: inst.Target, Filled: placed[inst.OrgID]})
	}
	p.Specialties = specialtyFills(lists, stored)
	sent := map[int64]bool{}
	for _, k := range rankings {
		sent[k.InstitutionID] = true
	}
	for _, inst := range r.Institutions {
		if !sent[inst.OrgID] {
			p.MissingRankings = append(p.MissingRankings, inst)
		}
	}
	for _, m := range Mechanisms {
		res, err := Run(r, lists, rankings, m)
		if err != nil {
			return nil, err
		}
		out := res.Output()
		rep := res.Verify()
		o := Outcome{Mechanism: m, Chosen: m == r.Mechanism, Matched: len(out.Matches), Unmatched: len(out.Unmatched),
			BlockingPairs: len(rep.BlockingPairs), Excused: rep.Excused, Violations: rep.Violations, Notes: rep.Notes}
		counts := map[int64]int{}
		for _, a := range out.Matches {
			counts[keyID(a.Program)]++
		}
		o.Areas = areaFills(r, counts)
		p.Comparison = append(p.Comparison, o)
	}
	return p, nil
}

// areaFills sums the doctors placed by institution into their areas, in
// the order the round first names each area.
func areaFills(r *Round, placed map[int64]int) []AreaFill {
	var fills []AreaFill
	at := map[int64]int{}
	for _, inst := range r.Institutions {
		i, ok := at[inst.AreaID]
		if !ok {
			i = len(fills)
			at[inst.AreaID] = i
			fills = append(fills, AreaFill{AreaID: inst.AreaID, AreaCode: inst.AreaCode, AreaName: inst.AreaName, Class: inst.Class})
			for _, c := range r.Caps {
				if c.AreaID == inst.AreaID {
					fills[i].Cap = &c.Cap
				}
			}
		}
		fills[i].Capacity += inst.Capacity
		fills[i].Filled += placed[inst.OrgID]
	}
	return fills
}

// specialtyFills counts the doctors who listed and who were placed, by the
// specialty of their list, in the board's order.
func specialtyFills(lists []List, stored []Result) []SpecialtyFill {
	by := map[string]*SpecialtyFill{}
	of := map[int64]string{}
	for _, l := range lists {
		of[l.DoctorID] = l.Specialty
		if by[l.Specialty] == nil {
			by[l.Specialty] = &SpecialtyFill{Specialty: l.Specialty}
		}
		by[l.Specialty].Listed++
	}
	for _, res := range stored {
		if f := by[of[res.DoctorID]]; f != nil && res.InstitutionID != 0 {
			f.Filled++
		}
	}
	fills := make([]SpecialtyFill, 0, len(by))
	for _, f := range by {
		fills = append(fills, *f)
	}
	slices.SortFunc(fills, func(a, b SpecialtyFill) int {
		return cmp.Or(cmp.Compare(specialtyOrder(a.Specialty), specialtyOrder(b.Specialty)), strings.Compare(a.Specialty, b.Specialty))
	})
	return fills
}

// specialtyOrder places a specialty in the board's order, none first and
// unknown ones last.
func specialtyOrder(s string) int {
	if s == "" {
		return -1
	}
	if i := slices.Index(career.Specialties, s); i >= 0 {
		return i
	}
	return len(career.Specialties)
}
