package match

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
)

// Result is the matching a mechanism produced on an instance.
type Result struct {
	Mechanism Mechanism
	x         *Instance
	at        []int // per doctor: the entry of their list they got, or -1
}

// Output is a Result as written to JSON. The same input always gives the
// same Output, byte for byte once encoded.
type Output struct {
	Mechanism Mechanism `json:"mechanism"`
	// Matches are in the doctors' input order.
	Matches []Assignment `json:"matches"`
	// Unmatched lists the doctors left without a program, in input order.
	Unmatched []string      `json:"unmatched"`
	Programs  []ProgramFill `json:"programs"`
	Regions   []RegionFill  `json:"regions"`
}

// Assignment places a doctor in a program.
type Assignment struct {
	Doctor  string `json:"doctor"`
	Program string `json:"program"`
	// Rank is the program's place in the doctor's list, from 1.
	Rank int `json:"rank"`
}

// ProgramFill says how full a program is.
type ProgramFill struct {
	ID       string `json:"id"`
	Filled   int    `json:"filled"`
	Capacity int    `json:"capacity"`
	// Target is set for the mechanisms that use targets (jrmp and fda).
	Target *int `json:"target,omitempty"`
}

// RegionFill says how full a region is. Under da, which ignores caps,
// Filled may exceed Cap.
type RegionFill struct {
	ID     string `json:"id"`
	Filled int    `json:"filled"`
	Cap    int    `json:"cap"`
}

// filled counts the doctors each program and each region holds.
func (r *Result) filled() (prog, reg []int) {
	x := r.x
	prog = make([]int, len(x.capacity))
	for _, k := range r.at {
		if k >= 0 {
			prog[x.dProg[k]]++
		}
	}
	reg = make([]int, len(x.rCap))
	for p, n := range prog {
		if g := x.region[p]; g >= 0 {
			reg[g] += n
		}
	}
	return prog, reg
}

// Output returns the result in its JSON form.
func (r *Result) Output() *Output {
	x, in := r.x, r.x.in
	o := &Output{
		Mechanism: r.Mechanism,
		Matches:   make([]Assignment, 0, len(r.at)),
		Unmatched: []string{},
		Programs:  make([]ProgramFill, len(in.Programs)),
		Regions:   make([]RegionFill, len(in.Regions)),
	}
	for d, k := range r.at {
		if k < 0 {
			o.Unmatched = append(o.Unmatched, in.Doctors[d].ID)
			continue
		}
		o.Matches = append(o.Matches, Assignment{
			Doctor:  in.Doctors[d].ID,
			Program: in.Programs[x.dProg[k]].ID,
			Rank:    k - x.dOff[d] + 1,
		})
	}
	prog, reg := r.filled()
	for p, pr := range in.Programs {
		o.Programs[p] = ProgramFill{ID: pr.ID, Filled: prog[p], Capacity: pr.Capacity}
		if r.Mechanism != DA {
			t := x.target[p]
			o.Programs[p].Target = &t
		}
	}
	for g, rg := range in.Regions {
		o.Regions[g] = RegionFill{ID: rg.ID, Filled: reg[g], Cap: rg.Cap}
	}
	return o
}

// Encode writes o as JSON with one match, doctor, program or region a line,
// so results stay readable and diff well at national scale.
func (o *Output) Encode(w io.Writer) error {
	e := &lineEncoder{w: bufio.NewWriter(w)}
	e.enc = json.NewEncoder(&e.buf)
	e.enc.SetEscapeHTML(false)
	e.raw("{\n  \"mechanism\": ")
	e.value(o.Mechanism)
	writeArray(e, "matches", o.Matches)
	writeArray(e, "unmatched", o.Unmatched)
	writeArray(e, "programs", o.Programs)
	writeArray(e, "regions", o.Regions)
	e.raw("\n}\n")
	if e.err != nil {
		return e.err
	}
	return e.w.Flush()
}

// lineEncoder writes JSON values compactly, keeping the first error.
type lineEncoder struct {
	w   *bufio.Writer
	enc *json.Encoder // writes into buf
	buf bytes.Buffer
	err error
}

func (e *lineEncoder) raw(s string) {
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
	}
}

func (e *lineEncoder) value(v any) {
	if e.err != nil {
		return
	}
	e.buf.Reset()
	if e.err = e.enc.Encode(v); e.err == nil {
		_, e.err = e.w.Write(bytes.TrimSuffix(e.buf.Bytes(), []byte("\n")))
	}
}

func writeArray[T any](e *lineEncoder, name string, items []T) {
	e.raw(",\n  \"" + name + "\": [")
	for i, it := range items {
		if i > 0 {
			e.raw(",")
		}
		e.raw("\n    ")
		e.value(it)
	}
	if len(items) > 0 {
		e.raw("\n  ")
	}
	e.raw("]")
}
