package match

import (
	"fmt"
	"io"
)

// Report is what Verify found.
type Report struct {
	Mechanism Mechanism `json:"mechanism"`
	// Violations break feasibility: a program over its seats, a region over
	// its cap (jrmp, fda), or a pair that is not mutually acceptable.
	Violations []string `json:"violations"`
	// BlockingPairs are in the doctors' input order, then their list order.
	BlockingPairs []BlockingPair `json:"blocking_pairs"`
	// Excused counts, under fda, the pairs that would block but for a full
	// region (see Verify).
	Excused int `json:"excused"`
	// Notes are facts that are not failures, such as da exceeding a cap.
	Notes []string `json:"notes"`
}

// BlockingPair is a doctor and a program that would both rather be matched
// to each other than keep what they have.
type BlockingPair struct {
	Doctor  string `json:"doctor"`
	Program string `json:"program"`
	Why     string `json:"why"`
}

// OK reports whether the result is feasible and has no blocking pair.
func (rep *Report) OK() bool {
	return len(rep.Violations) == 0 && len(rep.BlockingPairs) == 0
}

// tally holds per-program and per-region counts of a result, and the place
// (in the program's list) of the worst doctor each program holds, or -1.
type tally struct {
	prog  []int
	reg   []int
	worst []int32
}

func (r *Result) tally() tally {
	x := r.x
	t := tally{worst: make([]int32, len(x.capacity))}
	t.prog, t.reg = r.filled()
	for p := range t.worst {
		t.worst[p] = -1
	}
	for _, k := range r.at {
		if k >= 0 {
			if p := x.dProg[k]; x.dRank[k] > t.worst[p] {
				t.worst[p] = x.dRank[k]
			}
		}
	}
	return t
}

// Verify checks the result's feasibility and stability.
//
// Feasibility: every matched pair is mutually acceptable; no program holds
// more than its seats (its capacity, or its target under jrmp); under jrmp
// and fda no region holds more than its cap. Under da, which ignores caps,
// a region over its cap is only noted.
//
// A pair (d, p) blocks if both accept each other, d prefers p to their match
// (or is unmatched), and p has a free seat or ranks d above a doctor it
// holds. Under da and jrmp every blocking pair is reported, with the seats
// the mechanism uses. Under fda a blocking pair is excused by the regional
// cap, following Kamada and Kojima (AER 2015, stability with targets), when
// all of these hold, where r is p's region and t(q) is q's target:
//  1. r is at its cap;
//  2. p ranks every doctor it holds above d (so d needs a new seat, not a
//     swap within p);
//  3. d's program is outside r, or it is some q in r with
//     |μ(q)| − t(q) ≤ |μ(p)| − t(p) + 1, so moving d from q to p would not
//     even out the numbers of doctors beyond target in r.
func (r *Result) Verify() *Report {
	x, in := r.x, r.x.in
	t := r.tally()
	rep := &Report{Mechanism: r.Mechanism, Violations: []string{}, BlockingPairs: []BlockingPair{}, Notes: []string{}}
	for d, k := range r.at {
		if k < 0 {
			continue
		}
		if k < x.dOff[d] || k >= x.dOff[d+1] {
			rep.Violations = append(rep.Violations, fmt.Sprintf("doctor %q is matched to a program they did not rank", in.Doctors[d].ID))
		} else if x.dRank[k] < 0 {
			rep.Violations = append(rep.Violations, fmt.Sprintf("doctor %q is matched to program %q, which does not rank them",
				in.Doctors[d].ID, in.Programs[x.dProg[k]].ID))
		}
	}
	for p, n := range t.prog {
		if s := x.seats(r.Mechanism, p); n > s {
			rep.Violations = append(rep.Violations, fmt.Sprintf("program %q holds %d doctors, above its %d seats", in.Programs[p].ID, n, s))
		}
	}
	for g, n := range t.reg {
		if n <= x.rCap[g] {
			continue
		}
		msg := fmt.Sprintf("region %q holds %d doctors, above its cap %d", in.Regions[g].ID, n, x.rCap[g])
		if r.Mechanism == DA {
			rep.Notes = append(rep.Notes, msg+" (da ignores regional caps)")
		} else {
			rep.Violations = append(rep.Violations, msg)
		}
	}
	for d := range r.at {
		end := r.at[d]
		if end < 0 {
			end = x.dOff[d+1]
		}
		for k := x.dOff[d]; k < end; k++ {
			p, rk := x.dProg[k], x.dRank[k]
			if rk < 0 || !t.blocks(r, p, rk) {
				continue
			}
			if r.Mechanism == FDA && t.excused(r, d, p, rk) {
				rep.Excused++
				continue
			}
			rep.BlockingPairs = append(rep.BlockingPairs, BlockingPair{
				Doctor: in.Doctors[d].ID, Program: in.Programs[p].ID, Why: t.why(r, d, p, rk),
			})
		}
	}
	return rep
}

// blocks reports whether program p would take the doctor it ranks rk-th
// over what it holds, ignoring regions.
func (t tally) blocks(r *Result, p, rk int32) bool {
	return t.prog[p] < r.x.seats(r.Mechanism, int(p)) || rk < t.worst[p]
}

// excused applies the fda conditions of Verify to a blocking pair.
func (t tally) excused(r *Result, d int, p, rk int32) bool {
	x := r.x
	g := x.region[p]
	if g < 0 || t.reg[g] < x.rCap[g] || rk < t.worst[p] {
		return false
	}
	k := r.at[d]
	if k < 0 || x.region[x.dProg[k]] != g {
		return true
	}
	q := x.dProg[k]
	return t.prog[q]-x.target[q] <= t.prog[p]-x.target[p]+1
}

func (t tally) why(r *Result, d int, p, rk int32) string {
	x, in := r.x, r.x.in
	var s string
	if rk < t.worst[p] {
		s = fmt.Sprintf("%q ranks %q above %q, whom it holds", in.Programs[p].ID, in.Doctors[d].ID,
			in.Doctors[x.pDoc[x.pOff[p]+int(t.worst[p])]].ID)
	} else {
		s = fmt.Sprintf("%q has a free seat (%d of %d taken)", in.Programs[p].ID, t.prog[p], x.seats(r.Mechanism, int(p)))
	}
	if g := x.region[p]; r.Mechanism == FDA && g >= 0 && t.reg[g] >= x.rCap[g] && rk >= t.worst[p] {
		s += fmt.Sprintf("; region %q is full, but moving %q there evens out the doctors beyond target", in.Regions[g].ID, in.Doctors[d].ID)
	}
	return s
}

// WriteText writes the report for people, listing at most limit blocking
// pairs (all if limit <= 0).
func (rep *Report) WriteText(w io.Writer, limit int) error {
	ew := &errWriter{w: w}
	status := "ok"
	if !rep.OK() {
		status = "FAILED"
	}
	ew.printf("verify %s: %s\n", rep.Mechanism, status)
	if len(rep.Violations) == 0 {
		ew.printf("  feasible: yes\n")
	} else {
		ew.printf("  feasible: no\n")
		for _, v := range rep.Violations {
			ew.printf("    %s\n", v)
		}
	}
	ew.printf("  blocking pairs: %d\n", len(rep.BlockingPairs))
	for i, b := range rep.BlockingPairs {
		if limit > 0 && i == limit {
			ew.printf("    ... and %d more\n", len(rep.BlockingPairs)-limit)
			break
		}
		ew.printf("    %s – %s: %s\n", b.Doctor, b.Program, b.Why)
	}
	if rep.Mechanism == FDA {
		ew.printf("  pairs excused by regional caps: %d\n", rep.Excused)
	}
	for _, n := range rep.Notes {
		ew.printf("  note: %s\n", n)
	}
	return ew.err
}

// errWriter keeps the first write error so text writers can stay linear.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
