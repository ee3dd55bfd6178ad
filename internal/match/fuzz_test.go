package match

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to the reader. Whatever it accepts must
// validate without panicking; whatever validates must solve under every
// mechanism into a result that Verify accepts and that encodes to the same
// bytes twice. The seed corpus is in testdata/fuzz/FuzzDecode.
func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"mechanism":"fda","regions":[{"id":"r","cap":1}],` +
		`"programs":[{"id":"p","capacity":2,"target":1,"region":"r","ranking":["d"]}],` +
		`"doctors":[{"id":"d","ranking":["p"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Decode(bytes.NewReader(data))
		if err != nil {
			return
		}
		x, err := NewInstance(in)
		if err != nil {
			var ve *ValidationError
			if !errors.As(err, &ve) || len(ve.Problems) == 0 {
				t.Fatalf("NewInstance = %v, want problems", err)
			}
			return
		}
		for _, mech := range []Mechanism{DA, JRMP, FDA} {
			r, err := x.Solve(mech)
			if err != nil {
				t.Fatal(err)
			}
			if rep := r.Verify(); !rep.OK() {
				t.Fatalf("%s: Verify: %+v", mech, rep)
			}
			var a, b bytes.Buffer
			if err := r.Output().Encode(&a); err != nil {
				t.Fatal(err)
			}
			r2, _ := x.Solve(mech)
			r2.Output().Encode(&b)
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatalf("%s: output differs between runs", mech)
			}
			for _, d := range in.Doctors {
				e, err := r.Explain(d.ID)
				if err != nil {
					t.Fatal(err)
				}
				if err := e.WriteText(&a, 3); err != nil {
					t.Fatal(err)
				}
				for _, rs := range e.Reasons {
					if rs.Kind == Blocking {
						t.Fatalf("%s: %s has no reason for %s", mech, d.ID, rs.Program)
					}
				}
			}
		}
	})
}
