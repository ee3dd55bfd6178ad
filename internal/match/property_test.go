package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// The property tests check the engine against a reference model built
// straight from the Input (maps, no shared index) and, on small instances,
// against brute-force enumeration of every matching.

// ref is the reference model of an input.
type ref struct {
	dPref  [][]int       // doctor → programs, best first
	pRank  []map[int]int // program → doctor → place, 0 best
	region []int         // program → region, or -1
	caps   []int
	capac  []int
	target []int
}

func newRef(tb testing.TB, in *Input) *ref {
	tb.Helper()
	f := &ref{}
	di, pi, ri := map[string]int{}, map[string]int{}, map[string]int{}
	for i, d := range in.Doctors {
		di[d.ID] = i
	}
	for i, p := range in.Programs {
		pi[p.ID] = i
	}
	for i, r := range in.Regions {
		ri[r.ID] = i
		f.caps = append(f.caps, r.Cap)
	}
	for _, d := range in.Doctors {
		var l []int
		for _, id := range d.Ranking {
			l = append(l, pi[id])
		}
		f.dPref = append(f.dPref, l)
	}
	for _, p := range in.Programs {
		m := map[int]int{}
		for j, id := range p.Ranking {
			m[di[id]] = j
		}
		f.pRank = append(f.pRank, m)
		g := -1
		if p.Region != "" {
			g = ri[p.Region]
		}
		f.region = append(f.region, g)
		f.capac = append(f.capac, p.Capacity)
	}
	f.target = refTargets(in)
	return f
}

// docRank is p's place in d's list; -1 (unmatched) and unlisted come last.
func (f *ref) docRank(d, p int) int {
	if i := slices.Index(f.dPref[d], p); i >= 0 && p >= 0 {
		return i
	}
	return len(f.dPref[d])
}

func (f *ref) acceptable(d, p int) bool {
	_, ok := f.pRank[p][d]
	return ok && slices.Contains(f.dPref[d], p)
}

// enumerate returns every matching of mutually acceptable pairs that fits
// the seats, and the regional caps too if withCaps.
func (f *ref) enumerate(seats []int, withCaps bool) [][]int {
	nd := len(f.dPref)
	var all [][]int
	m := make([]int, nd)
	cnt := make([]int, len(seats))
	rcnt := make([]int, len(f.caps))
	var rec func(d int)
	rec = func(d int) {
		if d == nd {
			all = append(all, slices.Clone(m))
			return
		}
		m[d] = -1
		rec(d + 1)
		for _, p := range f.dPref[d] {
			if !f.acceptable(d, p) || cnt[p] >= seats[p] {
				continue
			}
			g := f.region[p]
			if withCaps && g >= 0 && rcnt[g] >= f.caps[g] {
				continue
			}
			m[d] = p
			cnt[p]++
			if g >= 0 {
				rcnt[g]++
			}
			rec(d + 1)
			cnt[p]--
			if g >= 0 {
				rcnt[g]--
			}
			m[d] = -1
		}
	}
	rec(0)
	return all
}

func (f *ref) counts(m []int) (cnt, rcnt []int) {
	cnt = make([]int, len(f.capac))
	rcnt = make([]int, len(f.caps))
	for _, p := range m {
		if p >= 0 {
			cnt[p]++
			if g := f.region[p]; g >= 0 {
				rcnt[g]++
			}
		}
	}
	return cnt, rcnt
}

// blockers lists the pairs (d, p) where d prefers p and p would take d over
// what it holds under the seats.
func (f *ref) blockers(m []int, seats []int) [][2]int {
	cnt, _ := f.counts(m)
	var out [][2]int
	for d := range f.dPref {
		for _, p := range f.dPref[d] {
			if !f.acceptable(d, p) || f.docRank(d, p) >= f.docRank(d, m[d]) {
				continue
			}
			if cnt[p] < seats[p] || f.prefersToSomeone(m, p, d) {
				out = append(out, [2]int{d, p})
			}
		}
	}
	return out
}

func (f *ref) prefersToSomeone(m []int, p, d int) bool {
	for d2, p2 := range m {
		if p2 == p && f.pRank[p][d] < f.pRank[p][d2] {
			return true
		}
	}
	return false
}

// kkStable is Kamada and Kojima's stability with targets (see Verify).
func (f *ref) kkStable(m []int) bool {
	cnt, rcnt := f.counts(m)
	for g, n := range rcnt {
		if n > f.caps[g] {
			return false
		}
	}
	for _, b := range f.blockers(m, f.capac) {
		d, p := b[0], b[1]
		g := f.region[p]
		if g < 0 || rcnt[g] < f.caps[g] || f.prefersToSomeone(m, p, d) {
			return false
		}
		if q := m[d]; q >= 0 && f.region[q] == g && cnt[q]-f.target[q] > cnt[p]-f.target[p]+1 {
			return false
		}
	}
	return true
}

// regionWouldTake reports whether full region g's choice (targets, then
// turns in input order) would take d at p from the doctors it holds plus d,
// where p ranks all its doctors above d and is below its capacity: that is
// when p's next seat comes before the last seat the region has granted.
func (f *ref) regionWouldTake(cnt []int, g, p int) bool {
	e := cnt[p] + 1 - f.target[p]
	if e <= 0 {
		return true
	}
	for q := range f.capac {
		if f.region[q] != g || q == p {
			continue
		}
		if eq := cnt[q] - f.target[q]; eq > e || eq == e && q > p {
			return true
		}
	}
	return false
}

// naiveFDA runs flexible deferred acceptance literally as the issue states
// it: all free doctors propose at once, then every region chooses among all
// its applicants, targets first and then turns in input order.
func (f *ref) naiveFDA() []int {
	nd, np := len(f.dPref), len(f.capac)
	next := make([]int, nd)
	held := make([]int, nd)
	for d := range held {
		held[d] = -1
	}
	for {
		apps := make([][]int, np)
		proposed := false
		for d := range nd {
			if held[d] >= 0 {
				apps[held[d]] = append(apps[held[d]], d)
			} else if next[d] < len(f.dPref[d]) {
				p := f.dPref[d][next[d]]
				proposed = true
				if _, ok := f.pRank[p][d]; ok {
					apps[p] = append(apps[p], d)
				}
			}
		}
		if !proposed {
			return held
		}
		take := make([]int, np)
		for p := range np {
			slices.SortFunc(apps[p], func(a, b int) int { return f.pRank[p][a] - f.pRank[p][b] })
			take[p] = min(len(apps[p]), f.capac[p])
		}
		for g, c := range f.caps {
			total := 0
			var progs []int
			for p := range np {
				if f.region[p] == g {
					progs = append(progs, p)
					take[p] = min(len(apps[p]), f.target[p])
					total += take[p]
				}
			}
			for progress := true; progress && total < c; {
				progress = false
				for _, p := range progs {
					if total == c {
						break
					}
					if take[p] < len(apps[p]) && take[p] < f.capac[p] {
						take[p]++
						total++
						progress = true
					}
				}
			}
		}
		newHeld := make([]int, nd)
		for d := range newHeld {
			newHeld[d] = -1
		}
		for p := range np {
			for _, d := range apps[p][:take[p]] {
				newHeld[d] = p
			}
		}
		for d := range nd {
			if newHeld[d] < 0 && (held[d] >= 0 || next[d] < len(f.dPref[d])) {
				next[d]++ // rejected by the program held or proposed to
			}
		}
		held = newHeld
	}
}

// randomInput makes a small random instance, always valid, in one of three
// modes: independent random lists; programs preferring the doctors who rank
// them low; or two planted perfect matchings σ and τ, where doctors rank σ
// first and programs rank τ first, so both are stable and da must give σ.
func randomInput(rng *rand.Rand, maxD, maxP int) *Input {
	nd, np, nr := 1+rng.IntN(maxD), 1+rng.IntN(maxP), rng.IntN(3)
	mode := rng.IntN(3)
	var sigma, tau []int // doctor → program, for the planted mode
	if mode == 2 {
		n := 2 + rng.IntN(min(maxD, maxP)-1)
		nd, np = n, n
		sigma, tau = rng.Perm(n), rng.Perm(n)
	}
	in := &Input{Regions: []Region{}, Programs: []Program{}, Doctors: []Doctor{}}
	for g := range nr {
		in.Regions = append(in.Regions, Region{ID: fmt.Sprintf("r%d", g), Cap: rng.IntN(5)})
	}
	place := make([][]int, nd) // place[d][p]: p's place in d's list, np if absent
	for d := range nd {
		doc := Doctor{ID: fmt.Sprintf("d%d", d), Ranking: []string{}}
		place[d] = make([]int, np)
		for p := range place[d] {
			place[d][p] = np
		}
		order := rng.Perm(np)
		if mode == 2 {
			order = plantFront(order, sigma[d], tau[d])
		}
		for i, p := range order {
			if rng.IntN(5) > 0 || mode == 2 && i < 2 {
				place[d][p] = len(doc.Ranking)
				doc.Ranking = append(doc.Ranking, fmt.Sprintf("p%d", p))
			}
		}
		in.Doctors = append(in.Doctors, doc)
	}
	for p := range np {
		pr := Program{ID: fmt.Sprintf("p%d", p), Capacity: rng.IntN(4), Ranking: []string{}}
		if nr > 0 && rng.IntN(4) > 0 {
			pr.Region = in.Regions[rng.IntN(nr)].ID
		}
		order := rng.Perm(nd)
		switch mode {
		case 1:
			slices.SortStableFunc(order, func(a, b int) int { return place[b][p] - place[a][p] })
		case 2:
			pr.Capacity = 1
			order = plantFront(order, slices.Index(tau, p), slices.Index(sigma, p))
		}
		if rng.IntN(4) == 0 {
			t := rng.IntN(pr.Capacity + 1)
			pr.Target = &t
		}
		for i, d := range order {
			if rng.IntN(8) > 0 || mode == 2 && i < 2 {
				pr.Ranking = append(pr.Ranking, fmt.Sprintf("d%d", d))
			}
		}
		in.Programs = append(in.Programs, pr)
	}
	// Keep explicit targets within their region's cap.
	for _, r := range in.Regions {
		sum := 0
		for i := range in.Programs {
			if p := &in.Programs[i]; p.Region == r.ID && p.Target != nil {
				if sum+*p.Target > r.Cap {
					p.Target = nil
				} else {
					sum += *p.Target
				}
			}
		}
	}
	return in
}

// plantFront moves a, then b, to the front of the permutation.
func plantFront(perm []int, a, b int) []int {
	out := []int{a}
	if b != a {
		out = append(out, b)
	}
	for _, v := range perm {
		if v != a && v != b {
			out = append(out, v)
		}
	}
	return out
}

// matchingOf converts a result to the reference's doctor → program form.
func matchingOf(r *Result) []int {
	m := make([]int, len(r.at))
	for d, k := range r.at {
		m[d] = -1
		if k >= 0 {
			m[d] = int(r.x.dProg[k])
		}
	}
	return m
}

// resultOf builds a Result holding an arbitrary matching, to test Verify.
func resultOf(x *Instance, mech Mechanism, m []int) *Result {
	r := &Result{Mechanism: mech, x: x, at: make([]int, len(m))}
	for d, p := range m {
		r.at[d] = -1
		for k := x.dOff[d]; k < x.dOff[d+1] && p >= 0; k++ {
			if int(x.dProg[k]) == p {
				r.at[d] = k
			}
		}
	}
	return r
}

func mustSolve(tb testing.TB, x *Instance, m Mechanism) *Result {
	tb.Helper()
	r, err := x.Solve(m)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

const propertyRuns = 3000

// TestDAProperties checks da and jrmp against every stable matching: the
// result is stable, doctor-optimal, and the rural-hospital theorem holds.
// It also checks Verify against the reference on every feasible matching.
func TestDAProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	multi := 0 // runs with more than one stable matching
	for run := range propertyRuns {
		in := randomInput(rng, 5, 3)
		x, err := NewInstance(in)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		f := newRef(t, in)
		for _, mech := range []Mechanism{DA, JRMP} {
			seats := f.capac
			if mech == JRMP {
				seats = f.target
			}
			res := mustSolve(t, x, mech)
			got := matchingOf(res)
			var stable [][]int
			for _, m := range f.enumerate(seats, false) {
				isStable := len(f.blockers(m, seats)) == 0
				if isStable {
					stable = append(stable, m)
				}
				if ok := resultOf(x, mech, m).Verify().OK(); ok != isStable {
					t.Fatalf("run %d %s: Verify says %v for %v, reference says stable=%v\ninput: %+v", run, mech, ok, m, isStable, in)
				}
			}
			if len(stable) == 0 {
				t.Fatalf("run %d %s: no stable matching found", run, mech)
			}
			if len(stable) > 1 {
				multi++
			}
			if !slices.ContainsFunc(stable, func(m []int) bool { return slices.Equal(m, got) }) {
				t.Fatalf("run %d %s: result %v is not stable; stable: %v", run, mech, got, stable)
			}
			if rep := res.Verify(); !rep.OK() {
				t.Fatalf("run %d %s: Verify fails its own result: %+v", run, mech, rep)
			}
			cnt0, _ := f.counts(got)
			for _, m := range stable {
				for d := range m {
					if f.docRank(d, got[d]) > f.docRank(d, m[d]) {
						t.Fatalf("run %d %s: not doctor-optimal: doctor %d gets %d, but %d in stable %v", run, mech, d, got[d], m[d], m)
					}
					if (m[d] < 0) != (got[d] < 0) {
						t.Fatalf("run %d %s: rural hospitals: doctor %d matched in one stable matching only", run, mech, d)
					}
				}
				cnt, _ := f.counts(m)
				for p := range cnt {
					if cnt[p] != cnt0[p] {
						t.Fatalf("run %d %s: rural hospitals: program %d fills %d and %d", run, mech, p, cnt[p], cnt0[p])
					}
					if cnt[p] < seats[p] {
						for d := range m {
							if (m[d] == p) != (got[d] == p) {
								t.Fatalf("run %d %s: rural hospitals: under-filled program %d gets different doctors", run, mech, p)
							}
						}
					}
				}
			}
			checkExplain(t, res, mech)
		}
	}
	if multi < propertyRuns/10 {
		t.Errorf("only %d runs had several stable matchings; the generator tests too little", multi)
	}
	t.Logf("%d of %d runs (da and jrmp): several stable matchings", multi, 2*propertyRuns)
}

// TestFDAProperties checks fda: it equals a literal run of the algorithm,
// never exceeds a cap, has no blocking pair the caps do not excuse (checked
// by the reference and by Verify, on every feasible matching), is stable
// for the regions' own choice, and equals da when da's result fits the caps.
func TestFDAProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	equalDA, excused := 0, 0
	for run := range propertyRuns {
		in := randomInput(rng, 5, 3)
		x, err := NewInstance(in)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		f := newRef(t, in)
		res := mustSolve(t, x, FDA)
		got := matchingOf(res)
		if want := f.naiveFDA(); !slices.Equal(got, want) {
			t.Fatalf("run %d: fda %v, literal fda %v\ninput: %+v", run, got, want, in)
		}
		cnt, rcnt := f.counts(got)
		for g, n := range rcnt {
			if n > f.caps[g] {
				t.Fatalf("run %d: region %d holds %d above cap %d", run, g, n, f.caps[g])
			}
		}
		if !f.kkStable(got) {
			t.Fatalf("run %d: fda result %v is not stable\ninput: %+v", run, got, in)
		}
		for _, b := range f.blockers(got, f.capac) {
			d, p := b[0], b[1]
			if g := f.region[p]; !f.prefersToSomeone(got, p, d) && f.regionWouldTake(cnt, g, p) {
				t.Fatalf("run %d: region %d would take doctor %d at program %d", run, g, d, p)
			}
		}
		rep := res.Verify()
		if !rep.OK() {
			t.Fatalf("run %d: Verify fails fda's result: %+v", run, rep)
		}
		if rep.Excused > 0 {
			excused++
		}
		for _, m := range f.enumerate(f.capac, true) {
			if ok := resultOf(x, FDA, m).Verify().OK(); ok != f.kkStable(m) {
				t.Fatalf("run %d: Verify says %v for %v, reference disagrees", run, ok, m)
			}
		}
		da := matchingOf(mustSolve(t, x, DA))
		_, drcnt := f.counts(da)
		fits := true
		for g, n := range drcnt {
			fits = fits && n <= f.caps[g]
		}
		if fits {
			equalDA++
			if !slices.Equal(da, got) {
				t.Fatalf("run %d: no cap binds, yet fda %v differs from da %v", run, got, da)
			}
		}
		checkExplain(t, res, FDA)
	}
	if equalDA < propertyRuns/10 || excused < propertyRuns/10 {
		t.Errorf("%d runs had no binding cap, %d had pairs excused by a cap; the generator tests too little", equalDA, excused)
	}
	t.Logf("%d of %d runs: no cap binds; %d: pairs excused by a cap", equalDA, propertyRuns, excused)
}

// TestFDALargerRandom compares fda with its literal run on instances too
// big to enumerate, where regions have many programs and long turns.
func TestFDALargerRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for run := range 300 {
		in := randomInput(rng, 40, 12)
		for i := range in.Regions {
			in.Regions[i].Cap = rng.IntN(20)
		}
		for i := range in.Programs {
			in.Programs[i].Target = nil
		}
		x, err := NewInstance(in)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		f := newRef(t, in)
		res := mustSolve(t, x, FDA)
		if got, want := matchingOf(res), f.naiveFDA(); !slices.Equal(got, want) {
			t.Fatalf("run %d: fda %v, literal fda %v", run, got, want)
		}
		if rep := res.Verify(); !rep.OK() {
			t.Fatalf("run %d: Verify fails fda's result: %+v", run, rep)
		}
		for _, mech := range []Mechanism{DA, JRMP} {
			if rep := mustSolve(t, x, mech).Verify(); !rep.OK() {
				t.Fatalf("run %d: Verify fails %s's result: %+v", run, mech, rep)
			}
		}
	}
}

// checkExplain asserts every explained program has a real reason.
func checkExplain(t *testing.T, r *Result, mech Mechanism) {
	t.Helper()
	for _, d := range r.x.in.Doctors {
		e, err := r.Explain(d.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, rs := range e.Reasons {
			if rs.Kind == Blocking || rs.Kind == RegionCap && mech != FDA {
				t.Fatalf("%s: doctor %s, program %s: reason %s", mech, d.ID, rs.Program, rs.Kind)
			}
		}
	}
}
