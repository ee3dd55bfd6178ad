package matchgen

import (
	"reflect"
	"testing"

	"github.com/hakui-dev/hakui/internal/match"
)

func TestGenerate(t *testing.T) {
	for _, scale := range []string{"jrmp", "nrmp"} {
		t.Run(scale, func(t *testing.T) {
			if scale == "nrmp" && testing.Short() {
				t.Skip("nrmp scale in -short mode")
			}
			c, err := ForScale(scale, 1)
			if err != nil {
				t.Fatal(err)
			}
			in, err := Generate(c)
			if err != nil {
				t.Fatal(err)
			}
			if len(in.Doctors) != c.Doctors || len(in.Programs) != c.Programs || len(in.Regions) != c.Regions {
				t.Fatalf("sizes %d/%d/%d, want %d/%d/%d", len(in.Doctors), len(in.Programs), len(in.Regions),
					c.Doctors, c.Programs, c.Regions)
			}
			ranks := 0
			for _, d := range in.Doctors {
				if len(d.Ranking) < c.MinRanks || len(d.Ranking) > c.MaxRanks {
					t.Fatalf("doctor %s ranks %d programs", d.ID, len(d.Ranking))
				}
				ranks += len(d.Ranking)
			}
			pranks := 0
			for _, p := range in.Programs {
				pranks += len(p.Ranking)
			}
			if pranks != ranks {
				t.Errorf("programs rank %d doctors, doctors rank %d programs", pranks, ranks)
			}
			if _, err := match.NewInstance(in); err != nil {
				t.Fatal(err)
			}
			if scale == "jrmp" { // one scale is enough, and nrmp is slow under -race
				if again, _ := Generate(c); !reflect.DeepEqual(in, again) {
					t.Error("the same config gave two instances")
				}
			}
		})
	}
}

func TestForScaleUnknown(t *testing.T) {
	if _, err := ForScale("nationwide", 1); err == nil {
		t.Error("ForScale accepted an unknown scale")
	}
}
