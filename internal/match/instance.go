package match

import (
	"fmt"
	"math/big"
	"sort"
)

// Instance is a validated input indexed for solving: ids become dense
// integers and every preference list becomes a slice of a flat array, so the
// solvers do O(1) work to learn how a program ranks a proposer.
// An Instance is read-only once built and may be solved concurrently.
type Instance struct {
	in *Input

	// Doctor d's list is dProg[dOff[d]:dOff[d+1]]. dRank[k] is the 0-based
	// place of the doctor in program dProg[k]'s list, or -1 if the program
	// does not rank the doctor.
	dOff  []int
	dProg []int32
	dRank []int32

	// Program p's list is pDoc[pOff[p]:pOff[p+1]].
	pOff []int
	pDoc []int32

	capacity []int
	target   []int
	region   []int32 // -1 for a program under no cap

	// Region g's programs, in input order, are rProg[rOff[g]:rOff[g+1]].
	rCap  []int
	rOff  []int
	rProg []int32

	doctorIndex map[string]int32
}

// NewInstance validates in (see Input.Validate) and indexes it. The instance
// keeps in; the caller must not change it afterwards.
func NewInstance(in *Input) (*Instance, error) {
	v := &validator{}
	x := &Instance{in: in}
	if in.Mechanism != "" && !in.Mechanism.Valid() {
		v.add("mechanism", string(in.Mechanism), 0, "unknown mechanism; use da, jrmp or fda")
	}

	regionIndex := make(map[string]int32, len(in.Regions))
	for i, r := range in.Regions {
		switch {
		case r.ID == "":
			v.add("region", "", i, "empty id")
		case hasKey(regionIndex, r.ID):
			v.add("region", r.ID, i, "duplicate id")
		default:
			regionIndex[r.ID] = int32(i)
		}
		if r.Cap < 0 {
			v.add("region", r.ID, i, fmt.Sprintf("negative cap %d", r.Cap))
		}
	}
	programIndex := make(map[string]int32, len(in.Programs))
	for i, p := range in.Programs {
		switch {
		case p.ID == "":
			v.add("program", "", i, "empty id")
		case hasKey(programIndex, p.ID):
			v.add("program", p.ID, i, "duplicate id")
		default:
			programIndex[p.ID] = int32(i)
		}
	}
	x.doctorIndex = make(map[string]int32, len(in.Doctors))
	for i, d := range in.Doctors {
		switch {
		case d.ID == "":
			v.add("doctor", "", i, "empty id")
		case hasKey(x.doctorIndex, d.ID):
			v.add("doctor", d.ID, i, "duplicate id")
		default:
			x.doctorIndex[d.ID] = int32(i)
		}
	}

	np, nd := len(in.Programs), len(in.Doctors)
	x.capacity = make([]int, np)
	x.region = make([]int32, np)
	x.pOff = make([]int, np+1)
	n := 0
	for _, p := range in.Programs {
		n += len(p.Ranking)
	}
	x.pDoc = make([]int32, 0, n)
	seen := make([]int32, max(nd, np)) // seen[i] == owner+1 when owner already listed i
	for i, p := range in.Programs {
		x.capacity[i] = p.Capacity
		if p.Capacity < 0 {
			v.add("program", p.ID, i, fmt.Sprintf("negative capacity %d", p.Capacity))
		}
		if t := p.Target; t != nil {
			if *t < 0 {
				v.add("program", p.ID, i, fmt.Sprintf("negative target %d", *t))
			} else if *t > p.Capacity {
				v.add("program", p.ID, i, fmt.Sprintf("target %d is above capacity %d", *t, p.Capacity))
			}
		}
		x.region[i] = -1
		if p.Region != "" {
			g, ok := regionIndex[p.Region]
			if !ok {
				v.add("program", p.ID, i, fmt.Sprintf("unknown region %q", p.Region))
			}
			x.region[i] = g
			if !ok {
				x.region[i] = -1
			}
		}
		x.pOff[i] = len(x.pDoc)
		for _, id := range p.Ranking {
			d, ok := x.doctorIndex[id]
			switch {
			case !ok:
				v.add("program", p.ID, i, fmt.Sprintf("ranks unknown doctor %q", id))
			case seen[d] == int32(i)+1:
				v.add("program", p.ID, i, fmt.Sprintf("ranks doctor %q twice", id))
			default:
				seen[d] = int32(i) + 1
				x.pDoc = append(x.pDoc, d)
			}
		}
	}
	x.pOff[np] = len(x.pDoc)

	clear(seen)
	x.dOff = make([]int, nd+1)
	n = 0
	for _, d := range in.Doctors {
		n += len(d.Ranking)
	}
	x.dProg = make([]int32, 0, n)
	for i, d := range in.Doctors {
		x.dOff[i] = len(x.dProg)
		for _, id := range d.Ranking {
			p, ok := programIndex[id]
			switch {
			case !ok:
				v.add("doctor", d.ID, i, fmt.Sprintf("ranks unknown program %q", id))
			case seen[p] == int32(i)+1:
				v.add("doctor", d.ID, i, fmt.Sprintf("ranks program %q twice", id))
			default:
				seen[p] = int32(i) + 1
				x.dProg = append(x.dProg, p)
			}
		}
	}
	x.dOff[nd] = len(x.dProg)

	x.indexRegions()
	x.computeTargets(v)
	if len(v.problems) > 0 {
		return nil, &ValidationError{Problems: v.problems}
	}
	x.indexRanks()
	return x, nil
}

type validator struct {
	problems []Problem
}

func (v *validator) add(kind, id string, index int, msg string) {
	v.problems = append(v.problems, Problem{Kind: kind, ID: id, Index: index, Message: msg})
}

func hasKey(m map[string]int32, k string) bool {
	_, ok := m[k]
	return ok
}

// indexRegions lists each region's programs in input order.
func (x *Instance) indexRegions() {
	nr := len(x.in.Regions)
	x.rCap = make([]int, nr)
	for g, r := range x.in.Regions {
		x.rCap[g] = r.Cap
	}
	x.rOff = make([]int, nr+1)
	for _, g := range x.region {
		if g >= 0 {
			x.rOff[g+1]++
		}
	}
	for g := range nr {
		x.rOff[g+1] += x.rOff[g]
	}
	x.rProg = make([]int32, x.rOff[nr])
	fill := append([]int(nil), x.rOff[:nr]...)
	for p, g := range x.region {
		if g >= 0 {
			x.rProg[fill[g]] = int32(p)
			fill[g]++
		}
	}
}

// indexRanks sets dRank: for every entry of every doctor's list, the place
// the program gives that doctor. It runs in time linear in the lists.
func (x *Instance) indexRanks() {
	np, nd := len(x.capacity), len(x.dOff)-1
	// Group the doctors' entries by program (a counting sort).
	inOff := make([]int, np+1)
	for _, p := range x.dProg {
		inOff[p+1]++
	}
	for p := range np {
		inOff[p+1] += inOff[p]
	}
	inEntry := make([]int32, len(x.dProg)) // index k into dProg
	fill := append([]int(nil), inOff[:np]...)
	for k, p := range x.dProg {
		inEntry[fill[p]] = int32(k)
		fill[p]++
	}
	entryDoctor := make([]int32, len(x.dProg))
	for d := range nd {
		for k := x.dOff[d]; k < x.dOff[d+1]; k++ {
			entryDoctor[k] = int32(d)
		}
	}
	rankOf := make([]int32, nd)
	for i := range rankOf {
		rankOf[i] = -1
	}
	x.dRank = make([]int32, len(x.dProg))
	for p := range np {
		list := x.pDoc[x.pOff[p]:x.pOff[p+1]]
		for j, d := range list {
			rankOf[d] = int32(j)
		}
		for _, k := range inEntry[inOff[p]:inOff[p+1]] {
			x.dRank[k] = rankOf[entryDoctor[k]]
		}
		for _, d := range list {
			rankOf[d] = -1
		}
	}
}

// computeTargets sets each program's target (see Targets), reporting
// explicit targets that overfill a region. The arithmetic is exact
// (math/big) because capacities and caps may be any int.
func (x *Instance) computeTargets(v *validator) {
	in := x.in
	x.target = make([]int, len(in.Programs))
	for p, pr := range in.Programs {
		x.target[p] = pr.Capacity
		if pr.Target != nil {
			x.target[p] = *pr.Target
		}
	}
	for g := range x.rCap {
		if x.rCap[g] < 0 {
			continue // reported already
		}
		progs := x.rProg[x.rOff[g]:x.rOff[g+1]]
		explicit, total := new(big.Int), new(big.Int)
		var rest []int32
		for _, p := range progs {
			if t := in.Programs[p].Target; t != nil {
				explicit.Add(explicit, big.NewInt(int64(*t)))
			} else {
				rest = append(rest, p)
				total.Add(total, big.NewInt(int64(max(x.capacity[p], 0))))
			}
		}
		share := big.NewInt(int64(x.rCap[g]))
		if explicit.Cmp(share) > 0 {
			v.add("region", in.Regions[g].ID, g,
				fmt.Sprintf("explicit targets add up to %s, above the cap %d", explicit, x.rCap[g]))
			continue
		}
		share.Sub(share, explicit)
		if total.Cmp(share) <= 0 {
			continue // the targets are the capacities
		}
		rem := make([]*big.Int, len(rest))
		left := new(big.Int).Set(share)
		for i, p := range rest {
			q, r := new(big.Int), new(big.Int)
			q.QuoRem(new(big.Int).Mul(share, big.NewInt(int64(max(x.capacity[p], 0)))), total, r)
			x.target[p] = int(q.Int64()) // q < capacity, so it fits
			rem[i] = r
			left.Sub(left, q)
		}
		order := make([]int, len(rest))
		for i := range order {
			order[i] = i
		}
		sort.SliceStable(order, func(a, b int) bool { return rem[order[a]].Cmp(rem[order[b]]) > 0 })
		for _, i := range order[:left.Int64()] { // fewer seats than programs
			x.target[rest[i]]++
		}
	}
}

// Targets returns the target of every program, in input order, as jrmp
// and fda use them.
//
// A program under no cap gets its capacity. In a region, the programs
// without an explicit target share what the explicit targets leave of the
// cap. If their capacities add up to more than that share, each gets
// floor(share × capacity / total), and the seats left go one each to the
// largest remainders (share × capacity mod total), ties to the program that
// comes first in the input; otherwise each gets its capacity. With no
// explicit targets this is the JRMP rule, and targets never add up to more
// than the cap. An explicit target is used as given.
//
// It returns a *ValidationError for invalid input.
func Targets(in *Input) ([]int, error) {
	x, err := NewInstance(in)
	if err != nil {
		return nil, err
	}
	return append([]int(nil), x.target...), nil
}

// seats is the number of doctors program p may hold under mechanism m.
func (x *Instance) seats(m Mechanism, p int) int {
	if m == JRMP {
		return x.target[p]
	}
	return x.capacity[p]
}
