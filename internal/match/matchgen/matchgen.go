// Package matchgen generates matching instances at the scale of Japan's
// residency match (JRMP) and of the US match (NRMP), to benchmark the
// engine on inputs shaped like the real ones: correlated preferences, a pull
// towards big-city programs and regional caps that bind in the cities.
package matchgen

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/hakui-dev/hakui/internal/match"
)

// Config describes an instance to generate.
type Config struct {
	Doctors  int
	Programs int
	// Each doctor ranks between MinRanks and MaxRanks programs (uniformly).
	MinRanks, MaxRanks int
	// MinCapacity and MaxCapacity bound each program's capacity (uniformly).
	MinCapacity, MaxCapacity int
	// Regions is how many prefectures (1 to 47, the most populous first)
	// hold programs. Every program is in one.
	Regions int
	// CappedRegions is how many of the most populous regions get a cap of
	// CapShare of their programs' capacity; the others' caps do not bind.
	CappedRegions int
	CapShare      float64
	// HomeShare is the share of a doctor's list drawn from their home
	// prefecture; the rest is drawn nationally.
	HomeShare float64
	Seed      uint64
}

// ForScale returns the configuration for a named scale:
//   - "jrmp": 10,000 doctors, 1,400 programs, 3 to 7 ranks (5 on average),
//     47 prefectures, caps binding in the 8 most populous;
//   - "nrmp": 50,000 doctors, 6,400 programs, 12 ranks each. The NRMP has no
//     regional caps; the same 47 capped prefectures are added so that jrmp
//     and fda have work to do.
//
// In both, each program ranks exactly the doctors who ranked it.
func ForScale(scale string, seed uint64) (Config, error) {
	c := Config{Regions: 47, CappedRegions: 8, CapShare: 0.85, HomeShare: 0.5, Seed: seed}
	switch scale {
	case "jrmp":
		c.Doctors, c.Programs = 10_000, 1_400
		c.MinRanks, c.MaxRanks = 3, 7
		c.MinCapacity, c.MaxCapacity = 2, 14
	case "nrmp":
		c.Doctors, c.Programs = 50_000, 6_400
		c.MinRanks, c.MaxRanks = 12, 12
		c.MinCapacity, c.MaxCapacity = 1, 11
	default:
		return Config{}, fmt.Errorf("matchgen: unknown scale %q; use jrmp or nrmp", scale)
	}
	return c, nil
}

// prefectures are Japan's 47 prefectures, most populous first, with their
// population in units of 10,000 (2020 census, rounded).
var prefectures = []struct {
	name string
	pop  int
}{
	{"東京都", 1405}, {"神奈川県", 924}, {"大阪府", 884}, {"愛知県", 754}, {"埼玉県", 734},
	{"千葉県", 628}, {"兵庫県", 547}, {"北海道", 522}, {"福岡県", 514}, {"静岡県", 363},
	{"茨城県", 287}, {"広島県", 280}, {"京都府", 258}, {"宮城県", 230}, {"新潟県", 220},
	{"長野県", 205}, {"岐阜県", 198}, {"群馬県", 194}, {"栃木県", 193}, {"岡山県", 189},
	{"福島県", 183}, {"三重県", 177}, {"熊本県", 174}, {"鹿児島県", 159}, {"沖縄県", 147},
	{"滋賀県", 141}, {"山口県", 134}, {"愛媛県", 133}, {"奈良県", 132}, {"長崎県", 131},
	{"青森県", 124}, {"岩手県", 121}, {"石川県", 113}, {"大分県", 112}, {"山形県", 107},
	{"宮崎県", 107}, {"富山県", 103}, {"秋田県", 96}, {"香川県", 95}, {"和歌山県", 92},
	{"佐賀県", 81}, {"山梨県", 81}, {"福井県", 77}, {"徳島県", 72}, {"高知県", 69},
	{"島根県", 67}, {"鳥取県", 55},
}

// Generate builds an instance. The same Config always gives the same input.
func Generate(c Config) (*match.Input, error) {
	if c.Regions < 1 || c.Regions > len(prefectures) || c.Doctors < 0 || c.Programs < c.Regions ||
		c.MinRanks < 0 || c.MaxRanks < c.MinRanks || c.MaxRanks > c.Programs ||
		c.MinCapacity < 0 || c.MaxCapacity < c.MinCapacity {
		return nil, fmt.Errorf("matchgen: invalid config %+v", c)
	}
	rng := rand.New(rand.NewPCG(c.Seed, 0x4a524d50)) // "JRMP"
	in := &match.Input{Mechanism: match.FDA}

	// Regions, and programs spread over them by population (one at least).
	regionWeight := make([]float64, c.Regions)
	for g := range c.Regions {
		in.Regions = append(in.Regions, match.Region{ID: prefectures[g].name})
		regionWeight[g] = float64(prefectures[g].pop)
	}
	regionOf := make([]int, c.Programs)
	pickRegion := newSampler(regionWeight)
	for p := range regionOf {
		regionOf[p] = p
		if p >= c.Regions {
			regionOf[p] = pickRegion.draw(rng)
		}
	}
	rng.Shuffle(len(regionOf), func(i, j int) { regionOf[i], regionOf[j] = regionOf[j], regionOf[i] })

	// Programs: capacity, and an appeal that cities raise.
	appeal := make([]float64, c.Programs)
	byRegion := make([][]int, c.Regions)
	meanPop := 0.0
	for _, w := range regionWeight {
		meanPop += w / float64(c.Regions)
	}
	for p := range c.Programs {
		g := regionOf[p]
		in.Programs = append(in.Programs, match.Program{
			ID:       fmt.Sprintf("P%04d", p+1),
			Capacity: c.MinCapacity + rng.IntN(c.MaxCapacity-c.MinCapacity+1),
			Region:   in.Regions[g].ID,
		})
		appeal[p] = math.Exp(rng.NormFloat64()*0.8 + 0.5*math.Log(regionWeight[g]/meanPop))
		byRegion[g] = append(byRegion[g], p)
	}
	national := newSampler(appeal)
	local := make([]*sampler, c.Regions)
	for g, progs := range byRegion {
		w := make([]float64, len(progs))
		for i, p := range progs {
			w[i] = appeal[p]
		}
		local[g] = newSampler(w)
	}

	// Doctors: a home prefecture, a list drawn by appeal, and a score the
	// programs share (with noise) when they rank.
	score := make([]float64, c.Doctors)
	applicants := make([][]int, c.Programs)
	for d := range c.Doctors {
		doc := match.Doctor{ID: fmt.Sprintf("D%05d", d+1)}
		home := pickRegion.draw(rng)
		n := c.MinRanks + rng.IntN(c.MaxRanks-c.MinRanks+1)
		fromHome := min(int(math.Round(float64(n)*c.HomeShare)), len(byRegion[home]))
		var list []int
		for len(list) < n {
			var p int
			if len(list) < fromHome {
				p = byRegion[home][local[home].draw(rng)]
			} else {
				p = national.draw(rng)
			}
			if !slices.Contains(list, p) {
				list = append(list, p)
			}
		}
		// Rank by appeal with personal taste, not by draw order.
		taste := make([]float64, len(list))
		for i, p := range list {
			taste[i] = math.Log(appeal[p]) + rng.NormFloat64()
		}
		sort.Sort(byKey{list, taste})
		for _, p := range list {
			doc.Ranking = append(doc.Ranking, in.Programs[p].ID)
			applicants[p] = append(applicants[p], d)
		}
		in.Doctors = append(in.Doctors, doc)
		score[d] = rng.NormFloat64()
	}

	// Programs rank their applicants by score plus their own noise.
	total := make([]int, c.Regions)
	for p := range c.Programs {
		apps := applicants[p]
		key := make(map[int]float64, len(apps))
		for _, d := range apps {
			key[d] = -(score[d] + 0.7*rng.NormFloat64())
		}
		slices.SortFunc(apps, func(a, b int) int { return cmp.Compare(key[a], key[b]) })
		in.Programs[p].Ranking = make([]string, len(apps))
		for i, d := range apps {
			in.Programs[p].Ranking[i] = in.Doctors[d].ID
		}
		total[regionOf[p]] += in.Programs[p].Capacity
	}
	for g := range in.Regions {
		in.Regions[g].Cap = total[g]
		if g < c.CappedRegions {
			in.Regions[g].Cap = int(float64(total[g]) * c.CapShare)
		}
	}
	return in, nil
}

// byKey sorts a list of programs by descending key.
type byKey struct {
	list []int
	key  []float64
}

func (b byKey) Len() int           { return len(b.list) }
func (b byKey) Less(i, j int) bool { return b.key[i] > b.key[j] }
func (b byKey) Swap(i, j int) {
	b.list[i], b.list[j] = b.list[j], b.list[i]
	b.key[i], b.key[j] = b.key[j], b.key[i]
}

// sampler draws indices with probability proportional to their weights.
type sampler struct {
	cum []float64
}

func newSampler(w []float64) *sampler {
	s := &sampler{cum: make([]float64, len(w))}
	sum := 0.0
	for i, v := range w {
		sum += v
		s.cum[i] = sum
	}
	return s
}

func (s *sampler) draw(rng *rand.Rand) int {
	x := rng.Float64() * s.cum[len(s.cum)-1]
	i, _ := slices.BinarySearch(s.cum, x)
	return min(i, len(s.cum)-1)
}
