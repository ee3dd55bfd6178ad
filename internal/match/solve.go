package match

import "fmt"

// Solve runs mechanism m on in. If m is empty, in.Mechanism is used. It
// returns a *ValidationError for invalid input.
func Solve(in *Input, m Mechanism) (*Result, error) {
	x, err := NewInstance(in)
	if err != nil {
		return nil, err
	}
	if m == "" {
		m = in.Mechanism
	}
	return x.Solve(m)
}

// Solve runs mechanism m. Each proposal costs O(log n) for the program's
// held doctors and, under fda, O(log n) for the region's programs, so the
// whole run is O(L log n) for preference lists of total length L.
func (x *Instance) Solve(m Mechanism) (*Result, error) {
	if !m.Valid() {
		return nil, fmt.Errorf("match: unknown mechanism %q; use da, jrmp or fda", m)
	}
	s := newSolver(x, m)
	return &Result{Mechanism: m, x: x, at: s.run()}, nil
}

// solver holds the tentative assignment of one run of deferred acceptance.
// A program holds the places (in its own list) of the doctors it holds in a
// max-heap, so its worst held doctor is at the root.
type solver struct {
	x     *Instance
	fda   bool
	seats []int
	heap  []int32 // program p's heap is heap[hOff[p] : hOff[p]+hLen[p]]
	hOff  []int
	hLen  []int32

	// Under fda, per region: the number of doctors held, and a max-heap of
	// the programs holding more than their target, keyed by (excess, input
	// index). Its root owns the region's last-granted seat (see offerFDA).
	filled []int
	rHeap  []int32 // region g's heap is rHeap[rOff[g] : rOff[g]+rLen[g]]
	rLen   []int32
	rPos   []int32 // program's place in its region's heap, or -1
}

func newSolver(x *Instance, m Mechanism) *solver {
	np := len(x.capacity)
	s := &solver{x: x, fda: m == FDA, seats: make([]int, np), hOff: make([]int, np+1), hLen: make([]int32, np)}
	for p := range np {
		s.seats[p] = x.seats(m, p)
		// A program holds only doctors it ranks, each at most once.
		s.hOff[p+1] = s.hOff[p] + min(s.seats[p], x.pOff[p+1]-x.pOff[p])
	}
	s.heap = make([]int32, s.hOff[np])
	if s.fda {
		s.filled = make([]int, len(x.rCap))
		s.rHeap = make([]int32, len(x.rProg))
		s.rLen = make([]int32, len(x.rCap))
		s.rPos = make([]int32, np)
		for p := range s.rPos {
			s.rPos[p] = -1
		}
	}
	return s
}

// run performs doctor-proposing deferred acceptance, one proposal at a time,
// and returns for each doctor the entry of their list they hold, or -1.
// The order of proposals does not change the outcome: both the programs'
// choice and the fda regions' choice are substitutable and size-monotone.
func (s *solver) run() []int {
	x := s.x
	nd := len(x.dOff) - 1
	next := make([]int, nd) // the entry a doctor proposes to or is held at
	free := make([]int32, nd)
	for d := range nd {
		next[d] = x.dOff[d]
		free[d] = int32(nd - 1 - d) // doctor 0 proposes first
	}
	for len(free) > 0 {
		d := free[len(free)-1]
		free = free[:len(free)-1]
		for ; next[d] < x.dOff[d+1]; next[d]++ {
			k := next[d]
			r := x.dRank[k]
			if r < 0 {
				continue // the program does not accept d
			}
			held, out := s.offer(x.dProg[k], r)
			if !held {
				continue
			}
			if out >= 0 {
				next[out]++
				free = append(free, out)
			}
			break
		}
	}
	at := make([]int, nd)
	for d := range nd {
		at[d] = -1
		if next[d] < x.dOff[d+1] {
			at[d] = next[d]
		}
	}
	return at
}

// offer proposes the doctor that program p ranks r-th to p. It reports
// whether the doctor is now held and which doctor, if any, was rejected to
// make room.
func (s *solver) offer(p, r int32) (held bool, out int32) {
	if g := s.x.region[p]; s.fda && g >= 0 && int(s.hLen[p]) < s.seats[p] {
		if s.filled[g] < s.x.rCap[g] {
			s.push(p, r)
			s.filled[g]++
			s.raise(g, p)
			return true, -1
		}
		if held, out = s.offerFDA(g, p, r); held {
			return true, out
		}
		// The region keeps p at its current size; p may still swap.
		return s.replace(p, r)
	}
	if int(s.hLen[p]) < s.seats[p] {
		s.push(p, r)
		return true, -1
	}
	return s.replace(p, r)
}

// offerFDA handles a proposal to program p, below its capacity, in region g,
// which is full. The region's choice (targets first, then one seat per
// program per turn in input order) grants the seats in a fixed order: seat
// t+j of a program with target t comes in turn j, and within a turn by input
// order; seats within targets come first. Adding an applicant to p offers
// the region one more seat, p's next one; the region keeps the cap's worth
// of best-ordered seats, so it drops either that new seat or the last-granted
// seat it holds, which is the root of the region's heap. When the root's
// program loses its seat, it rejects its worst doctor.
func (s *solver) offerFDA(g, p, r int32) (bool, int32) {
	if s.rLen[g] == 0 {
		return false, -1
	}
	w := s.rHeap[s.x.rOff[g]]
	e := int(s.hLen[p]) + 1 - s.x.target[p]
	if ew := s.excess(w); e > 0 && (e > ew || e == ew && p > w) {
		return false, -1 // the new seat comes last
	}
	out := s.pop(w)
	s.lower(g, w)
	s.push(p, r)
	s.raise(g, p)
	return true, out
}

func (s *solver) excess(p int32) int {
	return int(s.hLen[p]) - s.x.target[p]
}

// replace lets a program at its size swap its worst doctor for a better one.
func (s *solver) replace(p, r int32) (bool, int32) {
	h := s.heap[s.hOff[p] : s.hOff[p]+int(s.hLen[p])]
	if len(h) == 0 || r >= h[0] {
		return false, -1
	}
	out := s.x.pDoc[s.x.pOff[p]+int(h[0])]
	h[0] = r
	siftDown(h, 0)
	return true, out
}

func (s *solver) push(p, r int32) {
	n := int(s.hLen[p])
	h := s.heap[s.hOff[p] : s.hOff[p]+n+1]
	h[n] = r
	s.hLen[p]++
	for i := n; i > 0; {
		up := (i - 1) / 2
		if h[up] >= h[i] {
			break
		}
		h[up], h[i] = h[i], h[up]
		i = up
	}
}

// pop removes program p's worst doctor and returns them.
func (s *solver) pop(p int32) int32 {
	n := int(s.hLen[p])
	h := s.heap[s.hOff[p] : s.hOff[p]+n]
	out := s.x.pDoc[s.x.pOff[p]+int(h[0])]
	h[0] = h[n-1]
	s.hLen[p]--
	siftDown(h[:n-1], 0)
	return out
}

func siftDown(h []int32, i int) {
	for {
		c := 2*i + 1
		if c >= len(h) {
			return
		}
		if c+1 < len(h) && h[c+1] > h[c] {
			c++
		}
		if h[i] >= h[c] {
			return
		}
		h[i], h[c] = h[c], h[i]
		i = c
	}
}

// later reports whether the region grants program a's last seat after b's.
func (s *solver) later(a, b int32) bool {
	ea, eb := s.excess(a), s.excess(b)
	return ea > eb || ea == eb && a > b
}

// raise restores region g's heap after program p gained a doctor.
func (s *solver) raise(g, p int32) {
	if s.excess(p) <= 0 {
		return
	}
	base := s.x.rOff[g]
	i := int(s.rPos[p])
	if i < 0 {
		i = int(s.rLen[g])
		s.rLen[g]++
		s.rHeap[base+i] = p
		s.rPos[p] = int32(i)
	}
	s.rSiftUp(base, i)
}

// lower restores region g's heap after program p lost a doctor.
func (s *solver) lower(g, p int32) {
	base := s.x.rOff[g]
	i := int(s.rPos[p])
	if i < 0 {
		return
	}
	if s.excess(p) > 0 {
		s.rSiftDown(base, int(s.rLen[g]), i)
		return
	}
	last := int(s.rLen[g]) - 1
	s.rLen[g]--
	s.rPos[p] = -1
	if i == last {
		return
	}
	q := s.rHeap[base+last]
	s.rHeap[base+i] = q
	s.rPos[q] = int32(i)
	s.rSiftDown(base, last, i)
	s.rSiftUp(base, int(s.rPos[q]))
}

func (s *solver) rSiftUp(base, i int) {
	h := s.rHeap[base:]
	for i > 0 {
		up := (i - 1) / 2
		if !s.later(h[i], h[up]) {
			return
		}
		s.rSwap(h, i, up)
		i = up
	}
}

func (s *solver) rSiftDown(base, n, i int) {
	h := s.rHeap[base : base+n]
	for {
		c := 2*i + 1
		if c >= n {
			return
		}
		if c+1 < n && s.later(h[c+1], h[c]) {
			c++
		}
		if !s.later(h[c], h[i]) {
			return
		}
		s.rSwap(h, i, c)
		i = c
	}
}

func (s *solver) rSwap(h []int32, i, j int) {
	h[i], h[j] = h[j], h[i]
	s.rPos[h[i]] = int32(i)
	s.rPos[h[j]] = int32(j)
}
