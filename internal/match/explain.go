package match

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// ErrUnknownDoctor is returned by Explain for a doctor id not in the input.
var ErrUnknownDoctor = errors.New("match: unknown doctor")

// ReasonKind says why a doctor did not get a program they ranked higher than
// their match.
type ReasonKind string

// The reasons.
const (
	// NotRanked: the program does not rank the doctor.
	NotRanked ReasonKind = "not_ranked"
	// Full: every seat is held by a doctor the program ranks higher. Under
	// jrmp the seats are the program's target.
	Full ReasonKind = "full"
	// RegionCap: the program had a free seat but its region reached its cap
	// (fda only).
	RegionCap ReasonKind = "region_cap"
	// Blocking: none of the above; the pair blocks the matching. A result
	// from Solve never has one, save an fda pair Verify would report.
	Blocking ReasonKind = "blocking"
)

// Explanation tells a doctor why they were matched where they were.
// It names other doctors (the lowest held, who filled a region); a front end
// showing it to a doctor decides what of that to reveal.
type Explanation struct {
	Doctor    string    `json:"doctor"`
	Mechanism Mechanism `json:"mechanism"`
	// Program and Rank are the doctor's match; Program is empty if unmatched.
	Program string `json:"program,omitempty"`
	Rank    int    `json:"rank,omitempty"`
	// Reasons has one entry for each program ranked above the match.
	Reasons []Reason `json:"reasons"`
}

// Reason explains one program the doctor did not get.
type Reason struct {
	Program string `json:"program"`
	// Rank is the program's place in the doctor's list, from 1.
	Rank int        `json:"rank"`
	Kind ReasonKind `json:"kind"`
	// Seats is how many doctors the program may hold: its capacity, or its
	// target under jrmp. Filled is how many it holds.
	Seats    int `json:"seats"`
	Capacity int `json:"capacity"`
	Filled   int `json:"filled"`
	// Lowest is the doctor the program ranks lowest among those it holds.
	Lowest string `json:"lowest,omitempty"`
	// Region is the program's region for region_cap, and for full under
	// jrmp when the cap cut the target below the capacity.
	Region string `json:"region,omitempty"`
	Cap    int    `json:"cap,omitempty"`
	// FilledBy lists who holds the region's seats (region_cap only).
	FilledBy []RegionSeats `json:"filled_by,omitempty"`
}

// RegionSeats is one program's share of a full region.
type RegionSeats struct {
	Program string `json:"program"`
	Filled  int    `json:"filled"`
	Target  int    `json:"target"`
	// Doctors are in the program's ranking order.
	Doctors []string `json:"doctors"`
}

// Explain says, for each program the doctor ranked above their match, why
// they did not get it. It returns an error wrapping ErrUnknownDoctor for an
// id not in the input.
func (r *Result) Explain(doctorID string) (*Explanation, error) {
	x, in := r.x, r.x.in
	di, ok := x.doctorIndex[doctorID]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownDoctor, doctorID)
	}
	d := int(di)
	t := r.tally()
	e := &Explanation{Doctor: doctorID, Mechanism: r.Mechanism, Reasons: []Reason{}}
	end := r.at[d]
	if end >= 0 {
		e.Program = in.Programs[x.dProg[end]].ID
		e.Rank = end - x.dOff[d] + 1
	} else {
		end = x.dOff[d+1]
	}
	seatsOf := map[int32]map[int32][]string{} // per region, built when needed
	for k := x.dOff[d]; k < end; k++ {
		p, rk := x.dProg[k], x.dRank[k]
		pr := in.Programs[p]
		rs := Reason{
			Program: pr.ID, Rank: k - x.dOff[d] + 1, Seats: x.seats(r.Mechanism, int(p)),
			Capacity: pr.Capacity, Filled: t.prog[p],
		}
		if t.worst[p] >= 0 && rk >= 0 {
			rs.Lowest = in.Doctors[x.pDoc[x.pOff[p]+int(t.worst[p])]].ID
		}
		g := x.region[p]
		switch {
		case rk < 0:
			rs.Kind = NotRanked
		case !t.blocks(r, p, rk):
			rs.Kind = Full
			if g >= 0 && rs.Seats < rs.Capacity {
				rs.Region, rs.Cap = in.Regions[g].ID, x.rCap[g]
			}
		case r.Mechanism == FDA && t.excused(r, d, p, rk):
			rs.Kind = RegionCap
			rs.Region, rs.Cap = in.Regions[g].ID, x.rCap[g]
			if seatsOf[g] == nil {
				seatsOf[g] = r.regionDoctors(g)
			}
			for _, q := range x.rProg[x.rOff[g]:x.rOff[g+1]] {
				if t.prog[q] > 0 {
					rs.FilledBy = append(rs.FilledBy, RegionSeats{
						Program: in.Programs[q].ID, Filled: t.prog[q], Target: x.target[q], Doctors: seatsOf[g][q],
					})
				}
			}
		default:
			rs.Kind = Blocking
		}
		e.Reasons = append(e.Reasons, rs)
	}
	return e, nil
}

// regionDoctors lists the doctors held by each program of region g, in the
// program's ranking order.
func (r *Result) regionDoctors(g int32) map[int32][]string {
	x, in := r.x, r.x.in
	held := make(map[int32][]int32)
	for _, k := range r.at {
		if k >= 0 && x.region[x.dProg[k]] == g {
			held[x.dProg[k]] = append(held[x.dProg[k]], x.dRank[k])
		}
	}
	out := make(map[int32][]string, len(held))
	for p, ranks := range held {
		slices.Sort(ranks)
		ids := make([]string, len(ranks))
		for i, rk := range ranks {
			ids[i] = in.Doctors[x.pDoc[x.pOff[p]+int(rk)]].ID
		}
		out[p] = ids
	}
	return out
}

// Encode writes the explanation as indented JSON.
func (e *Explanation) Encode(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(e)
}

// WriteText writes the explanation for people, with the Japanese term for
// each reason. Each list of doctors is cut after limit names (all if
// limit <= 0).
func (e *Explanation) WriteText(w io.Writer, limit int) error {
	ew := &errWriter{w: w}
	switch {
	case e.Program == "":
		ew.printf("%s: unmatched under %s (未マッチ)\n", e.Doctor, e.Mechanism)
	case e.Rank == 1:
		ew.printf("%s: matched to %s, their first choice, under %s\n", e.Doctor, e.Program, e.Mechanism)
	default:
		ew.printf("%s: matched to %s, their choice %d, under %s\n", e.Doctor, e.Program, e.Rank, e.Mechanism)
	}
	for _, rs := range e.Reasons {
		ew.printf("  choice %d, %s: ", rs.Rank, rs.Program)
		switch rs.Kind {
		case NotRanked:
			ew.printf("not ranked (順位登録なし): %s does not rank %s.\n", rs.Program, e.Doctor)
		case Full:
			switch {
			case rs.Seats == 0 && rs.Region != "":
				ew.printf("no seats (募集定員なし): under the cap of region %s (%d) %s has a target of 0.\n", rs.Region, rs.Cap, rs.Program)
			case rs.Seats == 0:
				ew.printf("no seats (募集定員なし): %s has a capacity of 0.\n", rs.Program)
			case rs.Region != "":
				ew.printf("full at its target (定員充足): under the cap of region %s (%d) it may fill %d of its %d seats, all held by doctors it ranks above %s; the lowest of them is %s.\n",
					rs.Region, rs.Cap, rs.Seats, rs.Capacity, e.Doctor, rs.Lowest)
			default:
				ew.printf("full (定員充足): its %d seats are held by doctors it ranks above %s; the lowest of them is %s.\n",
					rs.Seats, e.Doctor, rs.Lowest)
			}
		case RegionCap:
			ew.printf("regional cap reached (地域上限): region %s is at its cap of %d while %s holds %d of %d seats",
				rs.Region, rs.Cap, rs.Program, rs.Filled, rs.Capacity)
			if rs.Lowest != "" {
				ew.printf(", all with doctors it ranks above %s (the lowest is %s)", e.Doctor, rs.Lowest)
			}
			if len(rs.FilledBy) == 0 {
				ew.printf(".\n")
				break
			}
			ew.printf(". The region's seats are held by:\n")
			for _, f := range rs.FilledBy {
				ew.printf("    %s %d (target %d): %s\n", f.Program, f.Filled, f.Target, joinLimit(f.Doctors, limit))
			}
		default:
			ew.printf("no reason found: %s and %s form a blocking pair.\n", e.Doctor, rs.Program)
		}
	}
	return ew.err
}

func joinLimit(ids []string, limit int) string {
	if limit <= 0 || len(ids) <= limit {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:limit], ", "), len(ids)-limit)
}
