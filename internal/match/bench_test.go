package match_test

import (
	"bytes"
	"encoding/json"
	"io"
	"sync"
	"testing"

	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/match/matchgen"
)

var scales = []string{"jrmp", "nrmp"}

type sample struct {
	in   *match.Input
	data []byte
	err  error
}

// generated caches one instance, and its JSON, per scale.
var generated = map[string]func() sample{}

func init() {
	for _, s := range scales {
		generated[s] = sync.OnceValue(func() sample {
			c, err := matchgen.ForScale(s, 1)
			if err != nil {
				return sample{err: err}
			}
			in, err := matchgen.Generate(c)
			if err != nil {
				return sample{err: err}
			}
			data, err := json.Marshal(in)
			return sample{in, data, err}
		})
	}
}

func instance(b *testing.B, scale string) (*match.Input, []byte) {
	b.Helper()
	s := generated[scale]()
	if s.err != nil {
		b.Fatal(s.err)
	}
	return s.in, s.data
}

// BenchmarkSolve times each mechanism alone on an indexed instance. The
// issue's target at the nrmp scale is 100 ms on one core (-cpu 1).
func BenchmarkSolve(b *testing.B) {
	for _, mech := range []match.Mechanism{match.DA, match.JRMP, match.FDA} {
		for _, scale := range scales {
			b.Run(string(mech)+"/"+scale, func(b *testing.B) {
				in, _ := instance(b, scale)
				x, err := match.NewInstance(in)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					if _, err := x.Solve(mech); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDecode times reading the JSON input.
func BenchmarkDecode(b *testing.B) {
	for _, scale := range scales {
		b.Run(scale, func(b *testing.B) {
			_, data := instance(b, scale)
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := match.Decode(bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkNewInstance times validation, indexing and targets.
func BenchmarkNewInstance(b *testing.B) {
	for _, scale := range scales {
		b.Run(scale, func(b *testing.B) {
			in, _ := instance(b, scale)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := match.NewInstance(in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPipeline times what "hakui match" does: decode, index, solve fda
// and encode. The target at the nrmp scale is 1 s.
func BenchmarkPipeline(b *testing.B) {
	for _, scale := range scales {
		b.Run("fda/"+scale, func(b *testing.B) {
			_, data := instance(b, scale)
			b.ReportAllocs()
			for b.Loop() {
				in, err := match.Decode(bytes.NewReader(data))
				if err != nil {
					b.Fatal(err)
				}
				r, err := match.Solve(in, match.FDA)
				if err != nil {
					b.Fatal(err)
				}
				if err := r.Output().Encode(io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkVerify times the verifier on fda's result.
func BenchmarkVerify(b *testing.B) {
	for _, scale := range scales {
		b.Run("fda/"+scale, func(b *testing.B) {
			in, _ := instance(b, scale)
			r, err := match.Solve(in, match.FDA)
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if !r.Verify().OK() {
					b.Fatal("verify failed")
				}
			}
		})
	}
}
