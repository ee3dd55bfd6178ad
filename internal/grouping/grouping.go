// Package grouping splits the participants of a group work into groups:
// sizes that differ by at most one, themes given to the groups in turn,
// no two members of a group from the same prefecture when that is
// possible, and roles mixed. The split is deterministic for a seed. The
// package is pure; package events stores the result.
package grouping

import (
	"cmp"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Person is a participant.
type Person struct {
	ID         int64
	Prefecture string
	Role       string
}

// Options are the groups and themes wanted.
type Options struct {
	Groups int      // N ≥ 1, at most the number of people
	Themes []string // M ≥ 1; group k (1-based) gets Themes[(k-1) % M]
	Seed   int64
}

// Group is one group: its number (1-based), theme and members' IDs.
type Group struct {
	Number  int
	Theme   string
	Members []int64
}

// Errors of Assign.
var (
	ErrNoGroups  = errors.New("grouping: at least one group is needed")
	ErrNoThemes  = errors.New("grouping: at least one theme is needed")
	ErrTooMany   = errors.New("grouping: more groups than people")
	ErrDuplicate = errors.New("grouping: a person is listed twice")
)

// maxPasses bounds the local search.
const maxPasses = 40

// Assign splits the people into opt.Groups groups. The same people (in
// any order) and options give the same groups.
//
// It deals the people, prefecture by prefecture (the largest first), to
// the groups in turn, which spreads a prefecture of c people over min(c, N)
// groups with at most ceil(c/N) in any; then it swaps members between
// groups, keeping that, while the swap spreads the roles more evenly.
// The seed orders people within a prefecture and the groups of one size.
func Assign(people []Person, opt Options) ([]Group, error) {
	n, N := len(people), opt.Groups
	switch {
	case N < 1:
		return nil, ErrNoGroups
	case len(opt.Themes) == 0:
		return nil, ErrNoThemes
	case N > n:
		return nil, ErrTooMany
	}
	sorted := slices.Clone(people)
	slices.SortFunc(sorted, func(a, b Person) int { return cmp.Compare(a.ID, b.ID) })
	for i := 1; i < n; i++ {
		if sorted[i].ID == sorted[i-1].ID {
			return nil, fmt.Errorf("%w: %d", ErrDuplicate, sorted[i].ID)
		}
	}
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), uint64(opt.Seed)^0x9e3779b97f4a7c15))
	rank := rng.Perm(n) // seeded tie-break, by position in sorted
	idx := newIndex(sorted)
	prefRank := rng.Perm(len(idx.prefSize))
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		pa, pb := idx.pref[a], idx.pref[b]
		return cmp.Or(
			cmp.Compare(idx.prefSize[pb], idx.prefSize[pa]),
			cmp.Compare(prefRank[pa], prefRank[pb]),
			cmp.Compare(sorted[a].Role, sorted[b].Role),
			cmp.Compare(rank[a], rank[b]),
		)
	})
	// Deal in turn: group i mod N. The first n mod N groups get one more.
	s := newState(idx, N)
	for i, p := range order {
		s.add(p, i%N)
	}
	s.improve(rng)

	// Number the groups: the larger ones first, each size in seeded order.
	big := n % N
	labels := make([]int, N) // labels[g] is the 0-based number of dealt group g
	for i, perm := range [][]int{rng.Perm(big), rng.Perm(N - big)} {
		for j, k := range perm {
			if i == 0 {
				labels[j] = k
			} else {
				labels[big+j] = big + k
			}
		}
	}
	groups := make([]Group, N)
	for g := range N {
		k := labels[g]
		members := make([]int64, 0, len(s.members[g]))
		for _, p := range s.members[g] {
			members = append(members, sorted[p].ID)
		}
		slices.Sort(members)
		groups[k] = Group{Number: k + 1, Theme: opt.Themes[k%len(opt.Themes)], Members: members}
	}
	return groups, nil
}

// index numbers the prefectures and roles of the people.
type index struct {
	pref, role []int // by person
	prefSize   []int // by prefecture
	roles      int
}

func newIndex(people []Person) index {
	prefs, roles := map[string]int{}, map[string]int{}
	x := index{pref: make([]int, len(people)), role: make([]int, len(people))}
	for i, p := range people {
		pi, ok := prefs[p.Prefecture]
		if !ok {
			pi = len(prefs)
			prefs[p.Prefecture] = pi
			x.prefSize = append(x.prefSize, 0)
		}
		x.pref[i] = pi
		x.prefSize[pi]++
		ri, ok := roles[p.Role]
		if !ok {
			ri = len(roles)
			roles[p.Role] = ri
		}
		x.role[i] = ri
	}
	x.roles = len(roles)
	return x
}

// state is a split under construction.
type state struct {
	index
	n         int
	members   [][]int       // by group
	where     []int         // group by person
	prefCount []map[int]int // by group: prefecture → members
	roleCount [][]int       // by group: role → members
}

func newState(x index, groups int) *state {
	s := &state{index: x, n: groups, members: make([][]int, groups), where: make([]int, len(x.pref)),
		prefCount: make([]map[int]int, groups), roleCount: make([][]int, groups)}
	for g := range groups {
		s.prefCount[g] = map[int]int{}
		s.roleCount[g] = make([]int, x.roles)
	}
	return s
}

func (s *state) add(p, g int) {
	s.members[g] = append(s.members[g], p)
	s.where[p] = g
	s.prefCount[g][s.pref[p]]++
	s.roleCount[g][s.role[p]]++
}

// singleRolePenalty outweighs any evenness gain of a swap.
const singleRolePenalty = 1 << 20

// score is what the search lowers in a group: the sum of squares of its
// role counts (lower when the roles are spread) and a penalty when the
// group has room for two and only one role.
func (s *state) score(g int) int {
	sum, distinct := 0, 0
	for _, c := range s.roleCount[g] {
		sum += c * c
		if c > 0 {
			distinct++
		}
	}
	if s.roles > 1 && len(s.members[g]) >= 2 && distinct == 1 {
		sum += singleRolePenalty
	}
	return sum
}

// prefCap is the most members of a prefecture of size c one group may have.
func (s *state) prefCap(c int) int { return (c + s.n - 1) / s.n }

// movable reports whether person p may leave group g for group h without
// breaking the prefecture rule.
func (s *state) movable(p, g, h int) bool {
	pr := s.pref[p]
	c := s.prefSize[pr]
	if s.prefCount[h][pr]+1 > s.prefCap(c) {
		return false
	}
	// A prefecture with at least N people stays in every group.
	return c < s.n || s.prefCount[g][pr] > 1
}

func (s *state) swap(a, b int) {
	g, h := s.where[a], s.where[b]
	s.remove(a, g)
	s.remove(b, h)
	s.add(a, h)
	s.add(b, g)
}

func (s *state) remove(p, g int) {
	i := slices.Index(s.members[g], p)
	s.members[g] = slices.Delete(s.members[g], i, i+1)
	s.prefCount[g][s.pref[p]]--
	s.roleCount[g][s.role[p]]--
}

// improve swaps members of different roles between groups while a swap
// lowers the score and keeps the prefecture rule, for a bounded number of
// passes over the pairs in seeded order.
func (s *state) improve(rng *rand.Rand) {
	if s.roles < 2 || s.n < 2 {
		return
	}
	people := rng.Perm(len(s.pref))
	for range maxPasses {
		improved := false
		for i, a := range people {
			for _, b := range people[i+1:] {
				g, h := s.where[a], s.where[b]
				if g == h || s.role[a] == s.role[b] {
					continue
				}
				if s.pref[a] != s.pref[b] && (!s.movable(a, g, h) || !s.movable(b, h, g)) {
					continue
				}
				before := s.score(g) + s.score(h)
				s.roleCount[g][s.role[a]]--
				s.roleCount[g][s.role[b]]++
				s.roleCount[h][s.role[b]]--
				s.roleCount[h][s.role[a]]++
				after := s.score(g) + s.score(h)
				s.roleCount[g][s.role[a]]++
				s.roleCount[g][s.role[b]]--
				s.roleCount[h][s.role[b]]++
				s.roleCount[h][s.role[a]]--
				if after < before {
					s.swap(a, b)
					improved = true
				}
			}
		}
		if !improved {
			return
		}
	}
}

// Violation is a rule a split breaks.
type Violation struct {
	Rule  string // "size", "theme", "prefecture", "role", "member"
	Group int    // the group's number; 0 for the whole split
	Text  string // in English, for tests and logs
}

// Check reports every rule the groups break for the people and options:
// sizes differing by more than one, themes not in turn, a person missing
// or twice, two members of one prefecture in a group where a split
// without it exists (a prefecture with more people than groups must
// share, at most ceil(n/N) per group), and a group of one role when the
// people have several roles and the group has room for two.
//
// A prefecture of c people must be in min(c, N) groups with at most
// ceil(c/N) in any, N being the number of groups. Groups of one role are
// reported when there are more of them than the roles force: with m
// people outside the largest role, at most m groups can be mixed.
func Check(people []Person, opt Options, groups []Group) []Violation {
	var vs []Violation
	add := func(rule string, group int, format string, args ...any) {
		vs = append(vs, Violation{Rule: rule, Group: group, Text: fmt.Sprintf(format, args...)})
	}
	if len(groups) != opt.Groups {
		add("size", 0, "%d groups, want %d", len(groups), opt.Groups)
	}
	byID := make(map[int64]Person, len(people))
	for _, p := range people {
		byID[p.ID] = p
	}
	if len(groups) == 0 {
		if len(people) > 0 {
			add("member", 0, "%d people in no group", len(people))
		}
		return vs
	}
	minSize, maxSize := len(groups[0].Members), len(groups[0].Members)
	for _, g := range groups {
		minSize, maxSize = min(minSize, len(g.Members)), max(maxSize, len(g.Members))
	}
	if maxSize-minSize > 1 {
		for _, g := range groups {
			if len(g.Members) == maxSize || len(g.Members) == minSize {
				add("size", g.Number, "group %d has %d members; sizes range from %d to %d", g.Number, len(g.Members), minSize, maxSize)
			}
		}
	}
	for i, g := range groups {
		if g.Number != i+1 {
			add("theme", g.Number, "group %d is at position %d", g.Number, i+1)
		}
		if len(opt.Themes) > 0 {
			if want := opt.Themes[i%len(opt.Themes)]; g.Theme != want {
				add("theme", g.Number, "group %d has theme %q, want %q", g.Number, g.Theme, want)
			}
		}
	}

	// Members: everyone once, nobody unknown.
	seen := make(map[int64]int, len(people))
	for _, g := range groups {
		for _, id := range g.Members {
			if _, ok := byID[id]; !ok {
				add("member", g.Number, "group %d has unknown person %d", g.Number, id)
				continue
			}
			if prev, twice := seen[id]; twice {
				add("member", g.Number, "person %d is in groups %d and %d", id, prev, g.Number)
				continue
			}
			seen[id] = g.Number
		}
	}
	for _, p := range people {
		if _, ok := seen[p.ID]; !ok {
			add("member", 0, "person %d is in no group", p.ID)
		}
	}

	// Prefectures.
	N := len(groups)
	prefSize, roleSize := map[string]int{}, map[string]int{}
	for _, p := range byID {
		prefSize[p.Prefecture]++
		roleSize[p.Role]++
	}
	prefGroups, placed := map[string]int{}, map[string]int{}
	for _, g := range groups {
		count := map[string]int{}
		for _, id := range g.Members {
			if p, ok := byID[id]; ok {
				count[p.Prefecture]++
			}
		}
		for _, pref := range sortedKeys(count) {
			prefGroups[pref]++
			placed[pref] += count[pref]
			c := prefSize[pref]
			if limit := (c + N - 1) / N; count[pref] > limit {
				add("prefecture", g.Number, "group %d has %d members from %q (%d people over %d groups: at most %d)",
					g.Number, count[pref], pref, c, N, limit)
			}
		}
	}
	// The spread counts the people placed; the missing are reported above.
	for _, pref := range sortedKeys(placed) {
		if want := min(placed[pref], N); prefGroups[pref] < want {
			add("prefecture", 0, "%q is in %d groups, want %d", pref, prefGroups[pref], want)
		}
	}

	// Roles.
	if len(roleSize) > 1 {
		largest, twoOrMore := 0, 0
		for _, c := range roleSize {
			largest = max(largest, c)
		}
		var single []Group
		for _, g := range groups {
			if len(g.Members) < 2 {
				continue
			}
			twoOrMore++
			roles := map[string]bool{}
			for _, id := range g.Members {
				if p, ok := byID[id]; ok {
					roles[p.Role] = true
				}
			}
			if len(roles) == 1 {
				single = append(single, g)
			}
		}
		forced := twoOrMore - min(twoOrMore, len(byID)-largest)
		if len(single) > forced {
			for _, g := range single {
				add("role", g.Number, "group %d has one role only (%d such groups; %d unavoidable)", g.Number, len(single), forced)
			}
		}
	}
	return vs
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
