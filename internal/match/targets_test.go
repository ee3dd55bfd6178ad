package match

import (
	"fmt"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// refTargets computes targets with rational numbers, independently of
// computeTargets.
func refTargets(in *Input) []int {
	t := make([]int, len(in.Programs))
	for i, p := range in.Programs {
		t[i] = p.Capacity
		if p.Target != nil {
			t[i] = *p.Target
		}
	}
	for _, r := range in.Regions {
		share := new(big.Int).SetInt64(int64(r.Cap))
		total := new(big.Int)
		var rest []int
		for i, p := range in.Programs {
			switch {
			case p.Region != r.ID:
			case p.Target != nil:
				share.Sub(share, big.NewInt(int64(*p.Target)))
			default:
				rest = append(rest, i)
				total.Add(total, big.NewInt(int64(p.Capacity)))
			}
		}
		if total.Cmp(share) <= 0 {
			continue
		}
		fracs := make([]*big.Rat, len(rest))
		left := new(big.Int).Set(share)
		for j, i := range rest {
			exact := new(big.Rat).SetFrac(new(big.Int).Mul(share, big.NewInt(int64(in.Programs[i].Capacity))), total)
			floor := new(big.Int).Quo(exact.Num(), exact.Denom())
			t[i] = int(floor.Int64())
			fracs[j] = new(big.Rat).Sub(exact, new(big.Rat).SetInt(floor))
			left.Sub(left, floor)
		}
		order := make([]int, len(rest))
		for j := range order {
			order[j] = j
		}
		sort.SliceStable(order, func(a, b int) bool { return fracs[order[a]].Cmp(fracs[order[b]]) > 0 })
		for _, j := range order[:left.Int64()] {
			t[rest[j]]++
		}
	}
	return t
}

func intp(v int) *int { return &v }

func TestTargets(t *testing.T) {
	prog := func(id string, capacity int, target *int) Program {
		return Program{ID: id, Capacity: capacity, Target: target, Region: "R", Ranking: []string{}}
	}
	tests := []struct {
		name     string
		cap      int
		programs []Program
		want     []int
	}{
		{"cap does not bind", 10, []Program{prog("a", 4, nil), prog("b", 6, nil)}, []int{4, 6}},
		{"largest remainder", 10, []Program{prog("a", 4, nil), prog("b", 3, nil), prog("c", 3, nil), prog("d", 5, nil)},
			[]int{3, 2, 2, 3}}, // 10/15 of 4,3,3,5 = 2.67, 2, 2, 3.33
		{"ties go to input order", 2, []Program{prog("a", 1, nil), prog("b", 1, nil), prog("c", 1, nil)}, []int{1, 1, 0}},
		{"ties in reverse order", 1, []Program{prog("c", 5, nil), prog("b", 5, nil)}, []int{1, 0}},
		{"zero cap", 0, []Program{prog("a", 3, nil), prog("b", 2, nil)}, []int{0, 0}},
		{"zero capacity", 3, []Program{prog("a", 0, nil), prog("b", 4, nil), prog("c", 4, nil)}, []int{0, 2, 1}},
		{"explicit target overrides and leaves the rest", 10,
			[]Program{prog("a", 10, intp(2)), prog("b", 10, nil), prog("c", 10, nil)}, []int{2, 4, 4}},
		{"explicit targets fill the cap", 5, []Program{prog("a", 10, intp(5)), prog("b", 10, nil)}, []int{5, 0}},
		{"huge numbers stay exact", math.MaxInt64 - 1,
			[]Program{prog("a", math.MaxInt64, nil), prog("b", math.MaxInt64, nil), prog("c", 1, nil)},
			[]int{math.MaxInt64 / 2, math.MaxInt64 / 2, 0}}, // remainders: about 0.75 each for a and b, 0.5 for c
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Input{Regions: []Region{{ID: "R", Cap: tt.cap}}, Programs: tt.programs}
			got, err := Targets(in)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Targets = %v, want %v", got, tt.want)
			}
			if ref := refTargets(in); !slices.Equal(got, ref) {
				t.Errorf("Targets = %v, reference %v", got, ref)
			}
		})
	}
}

// TestTargetsRandom checks the invariants of the apportionment and agrees
// with the rational reference on random, sometimes enormous, numbers.
func TestTargetsRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for run := range 2000 {
		n := 1 + rng.IntN(8)
		bound := []int64{10, 1000, math.MaxInt64}[rng.IntN(3)]
		in := &Input{Regions: []Region{{ID: "R", Cap: int(rng.Int64N(bound))}}}
		total := new(big.Int)
		for i := range n {
			c := int(rng.Int64N(bound))
			in.Programs = append(in.Programs, Program{ID: fmt.Sprint(i), Capacity: c, Region: "R", Ranking: []string{}})
			total.Add(total, big.NewInt(int64(c)))
		}
		got, err := Targets(in)
		if err != nil {
			t.Fatal(err)
		}
		if ref := refTargets(in); !slices.Equal(got, ref) {
			t.Fatalf("run %d: Targets = %v, reference %v", run, got, ref)
		}
		sum := new(big.Int)
		for i, v := range got {
			if v < 0 || v > in.Programs[i].Capacity {
				t.Fatalf("run %d: target %d outside [0, %d]", run, v, in.Programs[i].Capacity)
			}
			sum.Add(sum, big.NewInt(int64(v)))
		}
		want := total
		if capacity := big.NewInt(int64(in.Regions[0].Cap)); total.Cmp(capacity) > 0 {
			want = capacity
		}
		if sum.Cmp(want) != 0 {
			t.Fatalf("run %d: targets add up to %s, want %s", run, sum, want)
		}
	}
}
