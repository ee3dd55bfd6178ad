package grouping

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

var roles = []string{"CC", "都道府県職員", "医師", "大学教員"}

// nationalTraining is the session: 89 people from 41 prefectures
// (東京都 6, 大阪府 5, ten with 3, nineteen with 2, ten with 1).
func nationalTraining() []Person {
	sizes := []int{6, 5}
	for range 10 {
		sizes = append(sizes, 3)
	}
	for range 19 {
		sizes = append(sizes, 2)
	}
	for range 10 {
		sizes = append(sizes, 1)
	}
	var people []Person
	for i, c := range sizes {
		pref := fmt.Sprintf("県%02d", i)
		switch i {
		case 0:
			pref = "東京都"
		case 1:
			pref = "大阪府"
		}
		for range c {
			n := len(people)
			// 40 CC, 25 都道府県職員, 14 医師, 10 大学教員, mixed over the prefectures.
			role := roles[0]
			switch m := (n * 37) % 89; {
			case m >= 79:
				role = roles[3]
			case m >= 65:
				role = roles[2]
			case m >= 40:
				role = roles[1]
			}
			people = append(people, Person{ID: int64(1000 + n*7), Prefecture: pref, Role: role})
		}
	}
	return people
}

func sizesOf(groups []Group) []int {
	var s []int
	for _, g := range groups {
		s = append(s, len(g.Members))
	}
	return s
}

func mustAssign(t testing.TB, people []Person, opt Options) []Group {
	t.Helper()
	groups, err := Assign(people, opt)
	if err != nil {
		t.Fatal(err)
	}
	if vs := Check(people, opt, groups); len(vs) > 0 {
		t.Fatalf("violations: %+v\ngroups: %+v", vs, groups)
	}
	return groups
}

func TestNationalTraining(t *testing.T) {
	people := nationalTraining()
	if len(people) != 89 {
		t.Fatalf("%d people", len(people))
	}
	opt := Options{Groups: 12, Themes: []string{"制度", "面談", "キャリア形成", "地域枠"}, Seed: 2026}
	groups := mustAssign(t, people, opt)
	if want := []int{8, 8, 8, 8, 8, 7, 7, 7, 7, 7, 7, 7}; !slices.Equal(sizesOf(groups), want) {
		t.Errorf("sizes %v, want %v", sizesOf(groups), want)
	}
	perTheme := map[string]int{}
	byID := map[int64]Person{}
	for _, p := range people {
		byID[p.ID] = p
	}
	roleTotal := map[string]int{}
	for _, p := range people {
		roleTotal[p.Role]++
	}
	for i, g := range groups {
		if g.Number != i+1 || g.Theme != opt.Themes[i%4] {
			t.Errorf("group %d at %d has theme %q", g.Number, i+1, g.Theme)
		}
		perTheme[g.Theme]++
		prefs, roleCount := map[string]bool{}, map[string]int{}
		for _, id := range g.Members {
			p := byID[id]
			if prefs[p.Prefecture] {
				t.Errorf("group %d has two members from %s", g.Number, p.Prefecture)
			}
			prefs[p.Prefecture] = true
			roleCount[p.Role]++
		}
		// Roles spread: at least three roles in each group, and no role
		// more than one above its even share.
		if len(roleCount) < 3 {
			t.Errorf("group %d has roles %v", g.Number, roleCount)
		}
		for role, c := range roleCount {
			if even := (roleTotal[role] + 11) / 12; c > even+1 {
				t.Errorf("group %d has %d of %s (even share %d)", g.Number, c, role, even)
			}
		}
	}
	for _, theme := range opt.Themes {
		if perTheme[theme] != 3 {
			t.Errorf("theme %s has %d groups, want 3", theme, perTheme[theme])
		}
	}
}

func TestAssignEdges(t *testing.T) {
	mixed := []Person{
		{1, "東京都", "CC"}, {2, "東京都", "医師"}, {3, "大阪府", "CC"}, {4, "北海道", "医師"},
		{5, "東京都", "CC"}, {6, "福岡県", "都道府県職員"}, {7, "大阪府", "医師"},
	}
	var samePref []Person
	for i := range 10 {
		samePref = append(samePref, Person{int64(i + 1), "沖縄県", roles[i%2]})
	}
	tests := []struct {
		name   string
		people []Person
		opt    Options
		sizes  []int
		themes []string
	}{
		{"one group", mixed, Options{Groups: 1, Themes: []string{"A"}}, []int{7}, []string{"A"}},
		{"one person per group", mixed, Options{Groups: 7, Themes: []string{"A", "B"}},
			[]int{1, 1, 1, 1, 1, 1, 1}, []string{"A", "B", "A", "B", "A", "B", "A"}},
		{"one prefecture", samePref, Options{Groups: 3, Themes: []string{"A"}, Seed: 5}, []int{4, 3, 3}, []string{"A", "A", "A"}},
		{"more groups than themes", mixed, Options{Groups: 3, Themes: []string{"A", "B"}}, []int{3, 2, 2}, []string{"A", "B", "A"}},
		{"more themes than groups", mixed, Options{Groups: 2, Themes: []string{"A", "B", "C", "D"}}, []int{4, 3}, []string{"A", "B"}},
		{"one person", mixed[:1], Options{Groups: 1, Themes: []string{"A"}}, []int{1}, []string{"A"}},
		{"one role", []Person{{1, "a", "CC"}, {2, "b", "CC"}, {3, "c", "CC"}, {4, "a", "CC"}},
			Options{Groups: 2, Themes: []string{"A"}}, []int{2, 2}, []string{"A", "A"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			groups := mustAssign(t, tt.people, tt.opt)
			if !slices.Equal(sizesOf(groups), tt.sizes) {
				t.Errorf("sizes %v, want %v", sizesOf(groups), tt.sizes)
			}
			var themes []string
			for _, g := range groups {
				themes = append(themes, g.Theme)
			}
			if !slices.Equal(themes, tt.themes) {
				t.Errorf("themes %v, want %v", themes, tt.themes)
			}
		})
	}
}

func TestAssignErrors(t *testing.T) {
	people := []Person{{1, "a", "x"}, {2, "b", "y"}}
	tests := []struct {
		name   string
		people []Person
		opt    Options
		want   error
	}{
		{"no groups", people, Options{Groups: 0, Themes: []string{"A"}}, ErrNoGroups},
		{"negative groups", people, Options{Groups: -1, Themes: []string{"A"}}, ErrNoGroups},
		{"no themes", people, Options{Groups: 1}, ErrNoThemes},
		{"more groups than people", people, Options{Groups: 3, Themes: []string{"A"}}, ErrTooMany},
		{"nobody", nil, Options{Groups: 1, Themes: []string{"A"}}, ErrTooMany},
		{"a person twice", append(people, people[0]), Options{Groups: 1, Themes: []string{"A"}}, ErrDuplicate},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Assign(tt.people, tt.opt); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
}

func TestAssignDeterministic(t *testing.T) {
	people := nationalTraining()
	opt := Options{Groups: 12, Themes: []string{"A", "B", "C", "D"}, Seed: 42}
	first := mustAssign(t, people, opt)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 5 {
		shuffled := slices.Clone(people)
		rng.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		if got := mustAssign(t, shuffled, opt); !reflect.DeepEqual(got, first) {
			t.Fatalf("shuffled input gave other groups:\n%v\n%v", got, first)
		}
	}
	differ := 0
	for seed := range int64(5) {
		o := opt
		o.Seed = 1000 + seed
		if !reflect.DeepEqual(mustAssign(t, people, o), first) {
			differ++
		}
	}
	if differ < 4 {
		t.Errorf("only %d of 5 other seeds gave other groups", differ)
	}
}

// TestAssignProperty checks random inputs: the split Assign makes always
// passes Check.
func TestAssignProperty(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	for c := range 400 {
		n := 1 + rng.IntN(60)
		prefs := 1 + rng.IntN(15)
		nroles := 1 + rng.IntN(4)
		people := make([]Person, n)
		for i := range people {
			// Skewed: low prefecture and role numbers are more common.
			people[i] = Person{
				ID:         int64(rng.IntN(1_000_000))*100 + int64(i),
				Prefecture: fmt.Sprintf("p%d", min(rng.IntN(prefs), rng.IntN(prefs))),
				Role:       fmt.Sprintf("r%d", min(rng.IntN(nroles), rng.IntN(nroles))),
			}
		}
		themes := make([]string, 1+rng.IntN(5))
		for i := range themes {
			themes[i] = fmt.Sprintf("t%d", i)
		}
		opt := Options{Groups: 1 + rng.IntN(n), Themes: themes, Seed: rng.Int64()}
		groups, err := Assign(people, opt)
		if err != nil {
			t.Fatalf("case %d: %v", c, err)
		}
		if vs := Check(people, opt, groups); len(vs) > 0 {
			t.Fatalf("case %d (%d people, %d groups): %+v\npeople %v\ngroups %v", c, n, opt.Groups, vs, people, groups)
		}
	}
}

func TestCheck(t *testing.T) {
	people := []Person{
		{1, "東京都", "CC"}, {2, "東京都", "医師"}, {3, "大阪府", "CC"}, {4, "北海道", "医師"}, {5, "福岡県", "CC"}, {6, "沖縄県", "医師"},
	}
	opt := Options{Groups: 2, Themes: []string{"A", "B"}}
	good := []Group{{1, "A", []int64{1, 3, 4}}, {2, "B", []int64{2, 5, 6}}}
	if vs := Check(people, opt, good); len(vs) != 0 {
		t.Fatalf("good split: %+v", vs)
	}
	tests := []struct {
		name   string
		groups []Group
		want   []Violation // Rule and Group only
	}{
		{"sizes", []Group{{1, "A", []int64{1, 3, 4, 5}}, {2, "B", []int64{2, 6}}}, []Violation{{Rule: "size", Group: 1}, {Rule: "size", Group: 2}, {Rule: "role", Group: 2}}},
		{"theme", []Group{{1, "A", []int64{1, 3, 4}}, {2, "A", []int64{2, 5, 6}}}, []Violation{{Rule: "theme", Group: 2}}},
		{"numbers", []Group{{2, "A", []int64{1, 3, 4}}, {1, "B", []int64{2, 5, 6}}}, []Violation{{Rule: "theme", Group: 2}, {Rule: "theme", Group: 1}}},
		{"missing", []Group{{1, "A", []int64{1, 3, 4}}, {2, "B", []int64{2, 5}}}, []Violation{{Rule: "member", Group: 0}}},
		{"twice", []Group{{1, "A", []int64{1, 3, 4}}, {2, "B", []int64{2, 5, 6, 3}}}, []Violation{{Rule: "member", Group: 2}}},
		{"unknown", []Group{{1, "A", []int64{1, 3, 4}}, {2, "B", []int64{2, 5, 6, 9}}}, []Violation{{Rule: "member", Group: 2}}},
		{"prefecture", []Group{{1, "A", []int64{1, 2, 4}}, {2, "B", []int64{3, 5, 6}}},
			[]Violation{{Rule: "prefecture", Group: 1}, {Rule: "prefecture", Group: 0}}},
		{"one role", []Group{{1, "A", []int64{1, 3, 5}}, {2, "B", []int64{2, 4, 6}}},
			[]Violation{{Rule: "role", Group: 1}, {Rule: "role", Group: 2}}},
		{"group count", good[:1], []Violation{{Rule: "size", Group: 0}, {Rule: "member", Group: 0}, {Rule: "member", Group: 0}, {Rule: "member", Group: 0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []Violation
			for _, v := range Check(people, opt, tt.groups) {
				if v.Text == "" {
					t.Errorf("violation without text: %+v", v)
				}
				got = append(got, Violation{Rule: v.Rule, Group: v.Group})
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCheckAllowsForcedSharing(t *testing.T) {
	// Five from one prefecture over two groups: 3 and 2 is the best split;
	// nine CC and one 医師: one group must be all CC.
	var people []Person
	for i := range 5 {
		people = append(people, Person{int64(i + 1), "東京都", "CC"})
	}
	for i := range 5 {
		role := "CC"
		if i == 0 {
			role = "医師"
		}
		people = append(people, Person{int64(i + 6), fmt.Sprintf("県%d", i), role})
	}
	opt := Options{Groups: 2, Themes: []string{"A"}}
	ok := []Group{{1, "A", []int64{1, 2, 3, 6, 7}}, {2, "A", []int64{4, 5, 8, 9, 10}}}
	if vs := Check(people, opt, ok); len(vs) != 0 {
		t.Errorf("forced sharing reported: %+v", vs)
	}
	bad := []Group{{1, "A", []int64{1, 2, 3, 4, 7}}, {2, "A", []int64{5, 6, 8, 9, 10}}}
	if vs := Check(people, opt, bad); len(vs) != 1 || vs[0].Rule != "prefecture" || vs[0].Group != 1 {
		t.Errorf("four of five in one group: %+v", vs)
	}
}

func BenchmarkAssign(b *testing.B) {
	rng := rand.New(rand.NewPCG(3, 4))
	people := make([]Person, 1000)
	for i := range people {
		people[i] = Person{ID: int64(i + 1), Prefecture: fmt.Sprintf("p%d", min(rng.IntN(47), rng.IntN(47))), Role: roles[min(rng.IntN(4), rng.IntN(4))]}
	}
	opt := Options{Groups: 100, Themes: []string{"A", "B", "C", "D"}, Seed: 1}
	for b.Loop() {
		if _, err := Assign(people, opt); err != nil {
			b.Fatal(err)
		}
	}
}
