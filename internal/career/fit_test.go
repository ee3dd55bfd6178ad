package career

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

// acceptAll answers accept for every stage.
var acceptAll = map[Stage]StageAnswer{
	StageStudent: AnswerAccept, StageJuniorResident: AnswerAccept,
	StageSpecialtyResident: AnswerAccept, StageSpecialist: AnswerAccept,
}

func TestFitJuniorResidentRefusedSpot(t *testing.T) {
	v := DefaultVocabulary()
	d := Doctor{Stage: StageJuniorResident, Skills: []Skill{{Code: "prescribing", Level: 2}}}
	o := Opening{Kind: WorkSpot, StageAnswers: acceptAll, Required: []Requirement{{"prescribing", 3}}}
	r := Fit(d, o, v)
	want := MayTake(StageJuniorResident, WorkSpot)
	if r.Eligibility != want {
		t.Errorf("Eligibility = %+v, want %+v", r.Eligibility, want)
	}
	if r.Score != 0 {
		t.Errorf("Score = %d, want 0", r.Score)
	}
	// The gaps are still shown, so the doctor sees what to build.
	wantGaps := []Gap{{Code: "prescribing", Name: "処方ができる", Asked: 3, Has: 2}}
	if !reflect.DeepEqual(r.Required, wantGaps) || r.RequiredMet != 0 || r.RequiredTotal != 1 {
		t.Errorf("Required = %+v, %d/%d; want %+v, 0/1", r.Required, r.RequiredMet, r.RequiredTotal, wantGaps)
	}
}

func TestFitGapsAndScore(t *testing.T) {
	v := DefaultVocabulary()
	specialist := func(skills ...Skill) Doctor { return Doctor{Stage: StageSpecialist, Skills: skills} }
	tests := []struct {
		name      string
		doctor    Doctor
		opening   Opening
		required  []Gap
		preferred []Gap
		met       int
		score     int
	}{
		{"nothing asked, nothing preferred", specialist(), Opening{Kind: WorkFullTime, StageAnswers: acceptAll}, nil, nil, 0, 100},
		{"consider costs 5 points", specialist(), Opening{Kind: WorkFullTime, StageAnswers: map[Stage]StageAnswer{StageSpecialist: AnswerConsider}}, nil, nil, 0, 95},
		{"not eligible", specialist(), Opening{Kind: WorkFullTime}, nil, nil, 0, 0},
		{"partial credit below the level asked",
			specialist(Skill{Code: "outpatient_no_manual", Level: 3}, Skill{Code: "differential_diagnosis", Level: 1}),
			Opening{Kind: WorkSpot, StageAnswers: acceptAll, Required: []Requirement{{"outpatient_no_manual", 3}, {"differential_diagnosis", 3}}},
			[]Gap{
				{Code: "outpatient_no_manual", Name: "マニュアルなしで外来診療ができる", Asked: 3, Has: 3, Met: true},
				{Code: "differential_diagnosis", Name: "鑑別診断ができる", Asked: 3, Has: 1},
			}, nil, 1,
			// 60×(12+4)/24 + 20 + 20
			80},
		{"a level above the asked one earns no extra",
			specialist(Skill{Code: "prescribing", Level: 4}),
			Opening{Kind: WorkSpot, StageAnswers: acceptAll, Required: []Requirement{{"prescribing", 2}}, Preferred: []Requirement{{"branding", 2}, {"ultrasound", 4}}},
			[]Gap{{Code: "prescribing", Name: "処方ができる", Asked: 2, Has: 4, Met: true}},
			[]Gap{{Code: "branding", Name: "ブランディング", Asked: 2}, {Code: "ultrasound", Name: "エコー検査", Asked: 4}},
			1, 80},
		{"unknown code named by its code",
			specialist(),
			Opening{Kind: WorkSpot, StageAnswers: acceptAll, Required: []Requirement{{"surgery", 2}}},
			[]Gap{{Code: "surgery", Name: "surgery", Asked: 2}}, nil, 0, 40},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Fit(tt.doctor, tt.opening, v)
			if !reflect.DeepEqual(r.Required, tt.required) {
				t.Errorf("Required = %+v, want %+v", r.Required, tt.required)
			}
			if !reflect.DeepEqual(r.Preferred, tt.preferred) {
				t.Errorf("Preferred = %+v, want %+v", r.Preferred, tt.preferred)
			}
			if r.RequiredMet != tt.met || r.RequiredTotal != len(tt.opening.Required) {
				t.Errorf("RequiredMet/Total = %d/%d, want %d/%d", r.RequiredMet, r.RequiredTotal, tt.met, len(tt.opening.Required))
			}
			if r.Score != tt.score {
				t.Errorf("Score = %d, want %d", r.Score, tt.score)
			}
		})
	}
}

func TestFitPreferences(t *testing.T) {
	tests := []struct {
		name    string
		doctor  Doctor
		opening Opening
		want    []PreferenceCheck
		score   int
	}{
		{"no preferences, no specialty", Doctor{}, Opening{Kind: WorkSpot}, nil, 100},
		{"kind matches", Doctor{Preferences: Preferences{Kinds: []WorkKind{WorkSpot, WorkNightDuty}}}, Opening{Kind: WorkSpot},
			[]PreferenceCheck{{AspectKind, "勤務形態", true, "希望の勤務形態(スポット)です。"}}, 100},
		{"kind does not match", Doctor{Preferences: Preferences{Kinds: []WorkKind{WorkSpot, WorkNightDuty}}}, Opening{Kind: WorkFullTime},
			[]PreferenceCheck{{AspectKind, "勤務形態", false, "常勤は希望の勤務形態(スポット・当直)に含まれません。"}}, 80},
		{"weekly slots within preferred days", Doctor{Preferences: Preferences{Weekdays: []time.Weekday{time.Tuesday, time.Thursday}}},
			Opening{Kind: WorkPartTimeRegular, Weekly: []Weekly{{time.Thursday, "09:00", "12:00"}, {time.Tuesday, "13:00", "17:00"}, {time.Tuesday, "09:00", "12:00"}}},
			[]PreferenceCheck{{AspectWeekday, "勤務曜日", true, "勤務曜日(火曜日・木曜日)は希望に合っています。"}}, 100},
		{"a weekly slot outside preferred days", Doctor{Preferences: Preferences{Weekdays: []time.Weekday{time.Tuesday}}},
			Opening{Kind: WorkPartTimeRegular, Weekly: []Weekly{{time.Tuesday, "13:00", "17:00"}, {time.Friday, "17:00", "09:00"}}},
			[]PreferenceCheck{{AspectWeekday, "勤務曜日", false, "金曜日は希望の曜日に含まれません。"}}, 80},
		{"single date weekday in JST", Doctor{Preferences: Preferences{Weekdays: []time.Weekday{time.Sunday}}},
			// Saturday 20:00 UTC is Sunday 05:00 JST.
			Opening{Kind: WorkSpot, Date: time.Date(2025, 4, 5, 20, 0, 0, 0, time.UTC)},
			[]PreferenceCheck{{AspectWeekday, "勤務曜日", true, "勤務曜日(日曜日)は希望に合っています。"}}, 100},
		{"no schedule: weekday not compared", Doctor{Preferences: Preferences{Weekdays: []time.Weekday{time.Sunday}}},
			Opening{Kind: WorkFullTime},
			[]PreferenceCheck{{AspectWeekday, "勤務曜日", true, "勤務曜日の記載がないため比較していません。"}}, 100},
		{"remote only, not remote", Doctor{Preferences: Preferences{RemoteOnly: true}}, Opening{Kind: WorkSpot},
			[]PreferenceCheck{{AspectRemote, "在宅・リモート", false, "在宅・リモートの求人ではありません。"}}, 80},
		{"remote only, remote", Doctor{Preferences: Preferences{RemoteOnly: true}}, Opening{Kind: WorkRemote, RemoteKind: RemoteTeleradiology},
			[]PreferenceCheck{{AspectRemote, "在宅・リモート", true, "在宅・リモートの求人です(遠隔読影)。"}}, 100},
		{"hourly pay meets the minimum", Doctor{Preferences: Preferences{MinHourlyYen: 10000}},
			Opening{Kind: WorkSpot, PayUnit: PayHourly, PayMinYen: 10000, PayMaxYen: 12000},
			[]PreferenceCheck{{AspectPay, "報酬", true, "希望額(時給10,000円以上)を満たしています。"}}, 100},
		{"hourly pay may reach the minimum", Doctor{Preferences: Preferences{MinHourlyYen: 10000}},
			Opening{Kind: WorkSpot, PayUnit: PayHourly, PayMinYen: 8000, PayMaxYen: 12000},
			[]PreferenceCheck{{AspectPay, "報酬", true, "条件によっては希望額(時給10,000円以上)に届きます(時給8,000円〜12,000円)。"}}, 100},
		{"hourly pay below the minimum", Doctor{Preferences: Preferences{MinHourlyYen: 10000}},
			Opening{Kind: WorkSpot, PayUnit: PayHourly, PayMinYen: 8000},
			[]PreferenceCheck{{AspectPay, "報酬", false, "希望額(時給10,000円以上)に届きません(時給8,000円)。"}}, 80},
		{"annual pay compared with the annual minimum", Doctor{Preferences: Preferences{MinHourlyYen: 10000, MinAnnualYen: 15000000}},
			Opening{Kind: WorkFullTime, PayUnit: PayAnnual, PayMinYen: 12000000, PayMaxYen: 14000000},
			[]PreferenceCheck{{AspectPay, "報酬", false, "希望額(年収15,000,000円以上)に届きません(年収12,000,000円〜14,000,000円)。"}}, 80},
		{"per shift pay not compared", Doctor{Preferences: Preferences{MinHourlyYen: 10000}},
			Opening{Kind: WorkNightDuty, PayUnit: PayPerShift, PayMinYen: 50000},
			[]PreferenceCheck{{AspectPay, "報酬", true, "1回あたりの報酬のため比較していません。"}}, 100},
		{"annual pay without an annual minimum", Doctor{Preferences: Preferences{MinHourlyYen: 10000}},
			Opening{Kind: WorkFullTime, PayUnit: PayAnnual, PayMinYen: 12000000},
			[]PreferenceCheck{{AspectPay, "報酬", true, "年収の希望額が未設定のため比較していません。"}}, 100},
		{"no pay given", Doctor{Preferences: Preferences{MinHourlyYen: 10000}},
			Opening{Kind: WorkSpot, PayUnit: PayHourly},
			[]PreferenceCheck{{AspectPay, "報酬", true, "報酬の記載がないため比較していません。"}}, 100},
		{"prefecture wanted", Doctor{Preferences: Preferences{Prefectures: []string{"東京都", "神奈川県"}}}, Opening{Kind: WorkSpot, Prefecture: "神奈川県"},
			[]PreferenceCheck{{AspectPrefecture, "勤務地", true, "勤務地(神奈川県)は希望に合っています。"}}, 100},
		{"prefecture not wanted", Doctor{Preferences: Preferences{Prefectures: []string{"東京都"}}}, Opening{Kind: WorkSpot, Prefecture: "大阪府"},
			[]PreferenceCheck{{AspectPrefecture, "勤務地", false, "勤務地(大阪府)は希望の都道府県に含まれません。"}}, 80},
		{"remote matches any prefecture", Doctor{Preferences: Preferences{Prefectures: []string{"東京都"}}}, Opening{Kind: WorkRemote, Prefecture: "大阪府"},
			[]PreferenceCheck{{AspectPrefecture, "勤務地", true, "在宅・リモートのため勤務地を問いません。"}}, 100},
		{"home prefecture stands for an empty wish", Doctor{Prefecture: "北海道"}, Opening{Kind: WorkSpot, Prefecture: "東京都"},
			[]PreferenceCheck{{AspectPrefecture, "勤務地", false, "勤務地(東京都)はお住まいの都道府県(北海道)の外です。"}}, 80},
		{"specialty matches", Doctor{Specialties: []string{"内科", "総合診療"}}, Opening{Kind: WorkSpot, Specialty: "総合診療"},
			[]PreferenceCheck{{AspectSpecialty, "診療科", true, "求人の診療科(総合診療)は専門と一致しています。"}}, 100},
		{"specialty differs: a note, not ineligibility", Doctor{Specialties: []string{"内科"}}, Opening{Kind: WorkSpot, Specialty: "皮膚科"},
			[]PreferenceCheck{{AspectSpecialty, "診療科", false, "求人の診療科(皮膚科)は専門(内科)と異なります。"}}, 80},
		{"several checks share 20 points", Doctor{Preferences: Preferences{Kinds: []WorkKind{WorkSpot}, MinHourlyYen: 20000, Prefectures: []string{"東京都"}}},
			Opening{Kind: WorkSpot, PayUnit: PayHourly, PayMinYen: 10000, Prefecture: "東京都"},
			[]PreferenceCheck{
				{AspectKind, "勤務形態", true, "希望の勤務形態(スポット)です。"},
				{AspectPay, "報酬", false, "希望額(時給20,000円以上)に届きません(時給10,000円)。"},
				{AspectPrefecture, "勤務地", true, "勤務地(東京都)は希望に合っています。"},
			}, 93}, // 60 + 20 + 20×2/3
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.doctor.Stage = StageSpecialist
			tt.opening.StageAnswers = acceptAll
			r := Fit(tt.doctor, tt.opening, DefaultVocabulary())
			if !r.Eligibility.Allowed {
				t.Fatalf("not eligible: %s", r.Eligibility.Reason)
			}
			if !reflect.DeepEqual(r.Preferences, tt.want) {
				t.Errorf("Preferences:\n got %+v\nwant %+v", r.Preferences, tt.want)
			}
			if r.Score != tt.score {
				t.Errorf("Score = %d, want %d", r.Score, tt.score)
			}
		})
	}
}

func TestFormatYen(t *testing.T) {
	for n, want := range map[int64]string{0: "0円", 999: "999円", 1000: "1,000円", 12345678: "12,345,678円", -1500: "-1,500円"} {
		if got := formatYen(n); got != want {
			t.Errorf("formatYen(%d) = %q, want %q", n, got, want)
		}
	}
}

// gen makes random doctors and openings for the property tests.
type gen struct {
	r     *rand.Rand
	codes []string
}

func newGen(seed uint64) *gen {
	var codes []string
	for _, c := range DefaultCompetencies() {
		codes = append(codes, c.Code)
	}
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), codes: codes}
}

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

func (g *gen) requirements(max int) []Requirement {
	var rs []Requirement
	for _, i := range g.r.Perm(len(g.codes))[:g.r.IntN(max+1)] {
		rs = append(rs, Requirement{Code: g.codes[i], Level: Level(1 + g.r.IntN(4))})
	}
	return rs
}

func (g *gen) skills() []Skill {
	var ss []Skill
	for _, i := range g.r.Perm(len(g.codes))[:g.r.IntN(len(g.codes)+1)] {
		ss = append(ss, Skill{Code: g.codes[i], Level: Level(1 + g.r.IntN(4))})
	}
	return ss
}

func (g *gen) weekdays() []time.Weekday {
	var ws []time.Weekday
	for w := time.Sunday; w <= time.Saturday; w++ {
		if g.r.IntN(2) == 0 {
			ws = append(ws, w)
		}
	}
	return ws
}

var prefs = []string{"", "東京都", "大阪府", "北海道"}

func (g *gen) doctor() Doctor {
	d := Doctor{
		Stage:      pick(g, Stages),
		Skills:     g.skills(),
		Prefecture: pick(g, prefs),
		Preferences: Preferences{
			Weekdays:     g.weekdays(),
			RemoteOnly:   g.r.IntN(4) == 0,
			MinHourlyYen: int64(g.r.IntN(3)) * 5000,
			MinAnnualYen: int64(g.r.IntN(3)) * 8000000,
		},
	}
	for _, k := range WorkKinds {
		if g.r.IntN(3) == 0 {
			d.Preferences.Kinds = append(d.Preferences.Kinds, k)
		}
	}
	if p := pick(g, prefs); p != "" {
		d.Preferences.Prefectures = []string{p}
	}
	if g.r.IntN(2) == 0 {
		d.Specialties = []string{pick(g, Specialties)}
	}
	return d
}

func (g *gen) opening() Opening {
	o := Opening{
		Kind:         pick(g, WorkKinds),
		RemoteKind:   pick(g, RemoteKinds),
		StageAnswers: map[Stage]StageAnswer{},
		Required:     g.requirements(4),
		Preferred:    g.requirements(3),
		PayUnit:      pick(g, PayUnits),
		PayMinYen:    int64(g.r.IntN(4)) * 4000,
		PayMaxYen:    int64(g.r.IntN(4)) * 6000,
		Prefecture:   pick(g, prefs),
	}
	if o.PayUnit == PayAnnual {
		o.PayMinYen *= 2000
		o.PayMaxYen *= 2000
	}
	for _, s := range Stages {
		if a := g.r.IntN(4); a < 3 {
			o.StageAnswers[s] = StageAnswers[a]
		}
	}
	if g.r.IntN(2) == 0 {
		o.Date = time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(g.r.IntN(24*60)) * time.Hour)
	} else {
		for _, w := range g.weekdays() {
			o.Weekly = append(o.Weekly, Weekly{Weekday: w, Start: "09:00", End: "17:00"})
		}
	}
	if g.r.IntN(2) == 0 {
		o.Specialty = pick(g, Specialties[:3])
	}
	return o
}

// TestFitScoreMonotonic checks that raising one skill level never lowers the
// score or the number of required competencies met.
func TestFitScoreMonotonic(t *testing.T) {
	v := DefaultVocabulary()
	g := newGen(1)
	for i := range 20000 {
		d, o := g.doctor(), g.opening()
		before := Fit(d, o, v)
		code := pick(g, g.codes)
		cur := skillLevels(d.Skills)[code]
		if cur == MaxLevel {
			continue
		}
		raised := cur + Level(1+g.r.IntN(int(MaxLevel-cur)))
		d2 := d
		d2.Skills = slices.Clone(d.Skills)
		if j := slices.IndexFunc(d2.Skills, func(s Skill) bool { return s.Code == code }); j >= 0 {
			d2.Skills[j].Level = raised
		} else {
			d2.Skills = append(d2.Skills, Skill{Code: code, Level: raised})
		}
		after := Fit(d2, o, v)
		if after.Score < before.Score || after.RequiredMet < before.RequiredMet {
			t.Fatalf("case %d: raising %s from %d to %d: score %d → %d, met %d → %d\ndoctor %+v\nopening %+v",
				i, code, cur, raised, before.Score, after.Score, before.RequiredMet, after.RequiredMet, d, o)
		}
	}
}

// TestFitInvariants checks the score range and the reasons on random cases.
func TestFitInvariants(t *testing.T) {
	v := DefaultVocabulary()
	g := newGen(2)
	for i := range 20000 {
		d, o := g.doctor(), g.opening()
		r := Fit(d, o, v)
		e := r.Eligibility
		switch {
		case r.Score < 0 || r.Score > 100:
			t.Fatalf("case %d: score %d out of range", i, r.Score)
		case !e.Allowed && r.Score != 0:
			t.Fatalf("case %d: score %d when not eligible", i, r.Score)
		case (!e.Allowed || e.Consider) && e.Reason == "":
			t.Fatalf("case %d: no reason for %+v", i, e)
		case e.Allowed && !e.Consider && e.Reason != "":
			t.Fatalf("case %d: reason %q when simply allowed", i, e.Reason)
		case r.RequiredTotal != len(o.Required) || len(r.Preferred) != len(o.Preferred):
			t.Fatalf("case %d: gap counts %+v", i, r)
		}
		for _, c := range r.Preferences {
			if c.Label == "" || c.Note == "" {
				t.Fatalf("case %d: incomplete check %+v", i, c)
			}
		}
	}
}

// TestRecommendProperties checks that Recommend returns exactly the eligible
// openings, by descending score, ties in input order.
func TestRecommendProperties(t *testing.T) {
	v := DefaultVocabulary()
	g := newGen(3)
	for i := range 2000 {
		d := g.doctor()
		openings := make([]Opening, g.r.IntN(12))
		for j := range openings {
			openings[j] = g.opening()
		}
		got := Recommend(d, openings, v)
		var eligible []int
		for j, o := range openings {
			if Fit(d, o, v).Eligibility.Allowed {
				eligible = append(eligible, j)
			}
		}
		if !reflect.DeepEqual(slices.Sorted(slices.Values(got)), slices.Sorted(slices.Values(eligible))) {
			t.Fatalf("case %d: Recommend = %v, eligible = %v", i, got, eligible)
		}
		for k := 1; k < len(got); k++ {
			a, b := Fit(d, openings[got[k-1]], v).Score, Fit(d, openings[got[k]], v).Score
			if a < b || a == b && got[k-1] > got[k] {
				t.Fatalf("case %d: order %v breaks at %d (scores %d, %d)", i, got, k, a, b)
			}
		}
	}
}

func TestRecommend(t *testing.T) {
	v := DefaultVocabulary()
	d := Doctor{Stage: StageSpecialtyResident, Skills: []Skill{{Code: "prescribing", Level: 3}}}
	consider := map[Stage]StageAnswer{StageSpecialtyResident: AnswerConsider}
	openings := []Opening{
		{Kind: WorkSpot, StageAnswers: acceptAll, Required: []Requirement{{"prescribing", 4}}},      // 45+20+20 = 85
		{Kind: WorkSpot, StageAnswers: map[Stage]StageAnswer{StageSpecialist: AnswerAccept}},        // not eligible
		{Kind: WorkSpot, StageAnswers: acceptAll},                                                   // 100
		{Kind: WorkSpot, StageAnswers: consider},                                                    // 95
		{Kind: WorkNightDuty, StageAnswers: acceptAll, Required: []Requirement{{"prescribing", 4}}}, // 85, after 0
	}
	if got, want := Recommend(d, openings, v), []int{2, 3, 0, 4}; !reflect.DeepEqual(got, want) {
		t.Errorf("Recommend = %v, want %v", got, want)
	}
	if got := Recommend(Doctor{Stage: StageJuniorResident}, openings, v); len(got) != 0 {
		t.Errorf("junior resident: Recommend = %v, want none", got)
	}
}
