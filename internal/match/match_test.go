package match

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// build makes an input from compact lists: "d1: p1 p2" and
// "p1/2: d1 d2" (program p1 with capacity 2), "p1/2/1@r: ..." (target 1, in
// region r).
func build(tb testing.TB, regions map[string]int, programs, doctors []string) *Input {
	tb.Helper()
	in := &Input{Regions: []Region{}}
	names := make([]string, 0, len(regions))
	for id := range regions {
		names = append(names, id)
	}
	slices.Sort(names)
	for _, id := range names {
		in.Regions = append(in.Regions, Region{ID: id, Cap: regions[id]})
	}
	for _, line := range programs {
		head, list, _ := strings.Cut(line, ":")
		head, region, _ := strings.Cut(head, "@")
		id, capacity, _ := strings.Cut(head, "/")
		capacity, target, _ := strings.Cut(capacity, "/")
		p := Program{ID: id, Capacity: 1, Region: region, Ranking: strings.Fields(list)}
		if capacity != "" {
			p.Capacity = atoi(tb, capacity)
		}
		if target != "" {
			t := atoi(tb, target)
			p.Target = &t
		}
		in.Programs = append(in.Programs, p)
	}
	for _, line := range doctors {
		id, list, _ := strings.Cut(line, ":")
		in.Doctors = append(in.Doctors, Doctor{ID: id, Ranking: strings.Fields(list)})
	}
	return in
}

func atoi(tb testing.TB, s string) int {
	tb.Helper()
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			tb.Fatalf("bad number %q", s)
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// pairs renders the matches as "doctor-program" in doctor order, and "doctor-"
// for the unmatched.
func pairs(tb testing.TB, in *Input, m Mechanism) string {
	tb.Helper()
	r, err := Solve(in, m)
	if err != nil {
		tb.Fatal(err)
	}
	if rep := r.Verify(); !rep.OK() {
		tb.Errorf("%s: Verify fails: %+v", m, rep)
	}
	got := map[string]string{}
	for _, a := range r.Output().Matches {
		got[a.Doctor] = a.Program
	}
	var out []string
	for _, d := range in.Doctors {
		out = append(out, d.ID+"-"+got[d.ID])
	}
	return strings.Join(out, " ")
}

func TestKnownAnswers(t *testing.T) {
	tests := []struct {
		name              string
		regions           map[string]int
		programs, doctors []string
		mech              Mechanism
		want              string
	}{
		{
			// Gale and Shapley (1962): every doctor's first choice ranks them
			// last but one; the doctor-optimal matching gives each doctor
			// their first choice.
			name:     "Gale–Shapley 3×3, doctor-optimal",
			programs: []string{"α: B C A", "β: C A B", "γ: A B C"},
			doctors:  []string{"A: α β γ", "B: β γ α", "C: γ α β"},
			mech:     DA,
			want:     "A-α B-β C-γ",
		},
		{
			// A chain of rejections: r3 displaces r2 at h1, r4 displaces r1.
			name:     "hospitals and residents with a rejection chain",
			programs: []string{"h1/2: r4 r3 r1 r2", "h2/1: r2 r1 r4"},
			doctors:  []string{"r1: h1 h2", "r2: h1 h2", "r3: h1", "r4: h2 h1"},
			mech:     DA,
			want:     "r1- r2-h2 r3-h1 r4-h1",
		},
		{
			name:     "acceptability is mutual",
			programs: []string{"p1/3: d2", "p2/3: d1"},
			doctors:  []string{"d1: p1", "d2: p2"},
			mech:     DA,
			want:     "d1- d2-",
		},
		{
			name:     "a zero-capacity program takes nobody",
			programs: []string{"p1/0: d1", "p2: d1"},
			doctors:  []string{"d1: p1 p2"},
			mech:     DA,
			want:     "d1-p2",
		},
		{
			// Kamada and Kojima's example of JRMP waste: the cap of 10 cuts
			// both targets to 5; h1 draws only 3 applicants, so jrmp leaves 2
			// doctors unmatched although the region has room. fda fills it.
			name:     "jrmp wastes seats under a cap",
			regions:  map[string]int{"r": 10},
			programs: []string{"h1/10@r: d1 d2 d3", "h2/10@r: d4 d5 d6 d7 d8 d9 d10"},
			doctors: []string{"d1: h1", "d2: h1", "d3: h1", "d4: h2", "d5: h2", "d6: h2", "d7: h2",
				"d8: h2", "d9: h2", "d10: h2"},
			mech: JRMP,
			want: "d1-h1 d2-h1 d3-h1 d4-h2 d5-h2 d6-h2 d7-h2 d8-h2 d9- d10-",
		},
		{
			name:     "fda fills what jrmp wastes",
			regions:  map[string]int{"r": 10},
			programs: []string{"h1/10@r: d1 d2 d3", "h2/10@r: d4 d5 d6 d7 d8 d9 d10"},
			doctors: []string{"d1: h1", "d2: h1", "d3: h1", "d4: h2", "d5: h2", "d6: h2", "d7: h2",
				"d8: h2", "d9: h2", "d10: h2"},
			mech: FDA,
			want: "d1-h1 d2-h1 d3-h1 d4-h2 d5-h2 d6-h2 d7-h2 d8-h2 d9-h2 d10-h2",
		},
		{
			// Step 1 gives a1 and b1; the turns give a2 (A comes first), and
			// the cap stops them.
			name:     "fda turns follow input order",
			regions:  map[string]int{"r": 3},
			programs: []string{"A/3/1@r: a1 a2 a3", "B/3/1@r: b1 b2 b3"},
			doctors:  []string{"a1: A", "a2: A", "a3: A", "b1: B", "b2: B", "b3: B"},
			mech:     FDA,
			want:     "a1-A a2-A a3- b1-B b2- b3-",
		},
		{
			name:     "fda turns follow input order, reversed",
			regions:  map[string]int{"r": 3},
			programs: []string{"B/3/1@r: b1 b2 b3", "A/3/1@r: a1 a2 a3"},
			doctors:  []string{"a1: A", "a2: A", "a3: A", "b1: B", "b2: B", "b3: B"},
			mech:     FDA,
			want:     "a1-A a2- a3- b1-B b2-B b3-",
		},
		{
			// Cap 3 over capacities 3 and 3: targets 1.5 and 1.5, floors 1
			// and 1, the tied remainder seat to A, which comes first.
			name:     "jrmp targets by largest remainder",
			regions:  map[string]int{"r": 3},
			programs: []string{"A/3@r: a1 a2 a3", "B/3@r: b1 b2 b3"},
			doctors:  []string{"a1: A", "a2: A", "a3: A", "b1: B", "b2: B", "b3: B"},
			mech:     JRMP,
			want:     "a1-A a2-A a3- b1-B b2- b3-",
		},
		{
			name:     "fda lets a rural program outside the region take the rest",
			regions:  map[string]int{"r": 2},
			programs: []string{"A/3@r: a1 a2 a3", "B/3@r: b1 b2 b3", "Rural/5: a3 b3 b2 a2"},
			doctors:  []string{"a1: A", "a2: A Rural", "a3: A Rural", "b1: B", "b2: B Rural", "b3: B Rural"},
			mech:     FDA,
			want:     "a1-A a2-Rural a3-Rural b1-B b2-Rural b3-Rural",
		},
		{
			name:     "da ignores the cap",
			regions:  map[string]int{"r": 2},
			programs: []string{"A/3@r: a1 a2 a3", "B/3@r: b1 b2 b3", "Rural/5: a3 b3 b2 a2"},
			doctors:  []string{"a1: A", "a2: A Rural", "a3: A Rural", "b1: B", "b2: B Rural", "b3: B Rural"},
			mech:     DA,
			want:     "a1-A a2-A a3-A b1-B b2-B b3-B",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := build(t, tt.regions, tt.programs, tt.doctors)
			if got := pairs(t, in, tt.mech); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

// TestGaleShapleyStableSet checks the brute force itself on the textbook
// example: it has exactly three stable matchings.
func TestGaleShapleyStableSet(t *testing.T) {
	in := build(t, nil, []string{"α: B C A", "β: C A B", "γ: A B C"}, []string{"A: α β γ", "B: β γ α", "C: γ α β"})
	f := newRef(t, in)
	var stable [][]int
	for _, m := range f.enumerate(f.capac, false) {
		if len(f.blockers(m, f.capac)) == 0 {
			stable = append(stable, m)
		}
	}
	want := [][]int{{0, 1, 2}, {1, 2, 0}, {2, 0, 1}} // doctors' firsts, seconds, thirds
	slices.SortFunc(stable, slices.Compare)
	if !slices.EqualFunc(stable, want, slices.Equal) {
		t.Errorf("stable matchings %v, want %v", stable, want)
	}
}

func TestValidate(t *testing.T) {
	two, five := 2, 5
	in := &Input{
		Mechanism: "serial",
		Regions:   []Region{{ID: "r", Cap: 3}, {ID: "r", Cap: -1}, {ID: "", Cap: 1}},
		Programs: []Program{
			{ID: "p1", Capacity: -2, Ranking: []string{"d1", "d1", "ghost"}},
			{ID: "p2", Capacity: 4, Target: &five, Region: "nowhere", Ranking: []string{}},
			{ID: "p3", Capacity: 4, Target: &two, Region: "r", Ranking: []string{}},
			{ID: "p4", Capacity: 4, Target: &two, Region: "r", Ranking: []string{}},
			{ID: "p1", Capacity: 1, Ranking: []string{}},
		},
		Doctors: []Doctor{
			{ID: "d1", Ranking: []string{"p2", "p2", "px"}},
			{ID: "d1", Ranking: []string{}},
		},
	}
	err := in.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate = %v, want a *ValidationError", err)
	}
	var got []string
	for _, p := range ve.Problems {
		got = append(got, p.String())
	}
	want := []string{
		`mechanism "serial": unknown mechanism; use da, jrmp or fda`,
		`region "r": duplicate id`,
		`region "r": negative cap -1`,
		`region at index 2: empty id`,
		`program "p1": duplicate id`,
		`doctor "d1": duplicate id`,
		`program "p1": negative capacity -2`,
		`program "p1": ranks doctor "d1" twice`,
		`program "p1": ranks unknown doctor "ghost"`,
		`program "p2": target 5 is above capacity 4`,
		`program "p2": unknown region "nowhere"`,
		`doctor "d1": ranks program "p2" twice`,
		`doctor "d1": ranks unknown program "px"`,
		`region "r": explicit targets add up to 4, above the cap 3`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name, json, err string
	}{
		{"ok", `{"programs":[],"doctors":[]}`, ""},
		{"trailing spaces are fine", "{\"programs\":[],\"doctors\":[]}\n\t ", ""},
		{"unknown field", `{"programs":[],"doctors":[],"extra":1}`, `unknown field "extra"`},
		{"unknown nested field", `{"programs":[{"id":"p","capacity":1,"ranking":[],"quota":2}]}`, `unknown field "quota"`},
		{"trailing data", `{"programs":[]} {}`, "unexpected data after the JSON object"},
		{"syntax error", `{"programs":[}`, "at byte"},
		{"empty", ``, "empty input"},
		{"fractional capacity", `{"programs":[{"id":"p","capacity":1.5}]}`, "cannot unmarshal"},
		{"string capacity", `{"programs":[{"id":"p","capacity":"3"}]}`, "cannot unmarshal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tt.json))
			if tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
				t.Errorf("Decode error = %v, want %q", err, tt.err)
			}
		})
	}
}

// TestGolden solves the README's 地域枠 example under every mechanism and
// compares the output, the verification and two explanations with golden
// files. Run with -update to rewrite them.
func TestGolden(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "okayama.json"))
	if err != nil {
		t.Fatal(err)
	}
	in, err := Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for _, mech := range []Mechanism{DA, JRMP, FDA} {
		t.Run(string(mech), func(t *testing.T) {
			r, err := Solve(in, mech)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := r.Output().Encode(&buf); err != nil {
				t.Fatal(err)
			}
			var again bytes.Buffer
			r2, _ := Solve(in, mech)
			r2.Output().Encode(&again)
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Fatal("two runs gave different bytes")
			}
			if err := r.Verify().WriteText(&buf, 0); err != nil {
				t.Fatal(err)
			}
			for _, d := range []string{"石田", "松本"} {
				e, err := r.Explain(d)
				if err != nil {
					t.Fatal(err)
				}
				if err := e.WriteText(&buf, 0); err != nil {
					t.Fatal(err)
				}
			}
			golden(t, filepath.Join("testdata", "okayama."+string(mech)+".golden"), buf.Bytes())
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (-want +got):\n-%s\n+%s", path, want, got)
	}
}

func TestExplainUnknownDoctor(t *testing.T) {
	r, err := Solve(build(t, nil, []string{"p: d"}, []string{"d: p"}), DA)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Explain("nobody"); !errors.Is(err, ErrUnknownDoctor) {
		t.Errorf("Explain = %v, want ErrUnknownDoctor", err)
	}
}

// TestVerifyFindsBlockingPairs hands Verify matchings that are wrong.
func TestVerifyFindsBlockingPairs(t *testing.T) {
	in := build(t, map[string]int{"r": 1},
		[]string{"A/1@r: d1 d2", "B/1@r: d2 d1", "C/1: d1"},
		[]string{"d1: A C", "d2: B A"})
	x, err := NewInstance(in)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		mech  Mechanism
		m     []int // doctor → program index
		pairs []string
		viol  int
	}{
		{"da: d1 would rather have A, which has room", DA, []int{2, 1}, []string{"d1–A"}, 0},
		{"da: stable", DA, []int{0, 1}, nil, 0},
		{"fda: region full, d1 at C is excused", FDA, []int{2, 1}, nil, 0},
		{"fda: over the cap", FDA, []int{0, 1}, nil, 1},
		{"fda: A prefers d1 to d2, a swap the cap cannot excuse", FDA, []int{2, 0}, []string{"d1–A"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := resultOf(x, tt.mech, tt.m).Verify()
			var got []string
			for _, b := range rep.BlockingPairs {
				got = append(got, b.Doctor+"–"+b.Program)
			}
			if !slices.Equal(got, tt.pairs) || len(rep.Violations) != tt.viol {
				t.Errorf("blocking %v, violations %v; want %v and %d violations", got, rep.Violations, tt.pairs, tt.viol)
			}
		})
	}
}
