package career_test

import (
	"fmt"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
)

// A 専攻医 in 内科 looks at a clinic's Saturday spot shift. The clinic
// answers 応相談 for 専攻医 and confirms four points about candidates.
func ExampleFit() {
	jst := time.FixedZone("JST", 9*60*60)
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, jst) }
	events := []career.Event{
		{Kind: career.EventNationalExamPassed, Date: date(2023, 3, 17)},
		{Kind: career.EventJuniorStart, Date: date(2023, 4, 1)},
		{Kind: career.EventJuniorEnd, Date: date(2025, 3, 31)},
		{Kind: career.EventSpecialtyStart, Date: date(2025, 4, 1), Specialty: "内科"},
	}
	now := date(2025, 10, 1)
	d := career.Doctor{
		Stage:       career.StageAt(events, now),
		Specialties: career.TrainingSpecialties(events, now),
		Skills: []career.Skill{
			{Code: "outpatient_no_manual", Level: 2},
			{Code: "differential_diagnosis", Level: 3},
			{Code: "prescribing", Level: 3},
			{Code: "patient_relations", Level: 2},
		},
		Preferences: career.Preferences{Weekdays: []time.Weekday{time.Saturday}, MinHourlyYen: 10000},
	}
	o := career.Opening{
		Kind:         career.WorkSpot,
		Specialty:    "内科",
		StageAnswers: map[career.Stage]career.StageAnswer{career.StageSpecialtyResident: career.AnswerConsider, career.StageSpecialist: career.AnswerAccept},
		Required: []career.Requirement{
			{Code: "outpatient_no_manual", Level: 3},
			{Code: "differential_diagnosis", Level: 3},
			{Code: "prescribing", Level: 3},
			{Code: "patient_relations", Level: 3},
		},
		Date:      date(2025, 11, 8),
		PayUnit:   career.PayHourly,
		PayMinYen: 10000, PayMaxYen: 12000,
		Prefecture: "東京都",
	}

	r := career.Fit(d, o, career.DefaultVocabulary())
	fmt.Println(d.Stage.Label(), r.Eligibility.Reason)
	for _, g := range r.Required {
		mark := "✓"
		if !g.Met {
			mark = "✗"
		}
		fmt.Printf("%s %s(求める水準 %d / 現在 %d)\n", mark, g.Name, g.Asked, g.Has)
	}
	for _, c := range r.Preferences {
		fmt.Printf("%s: %s\n", c.Label, c.Note)
	}
	fmt.Printf("確認事項 %d/%d、スコア %d\n", r.RequiredMet, r.RequiredTotal, r.Score)
	// Output:
	// 専攻医 この求人は専攻医について応相談です(場合によって勤務可能)。
	// ✗ マニュアルなしで外来診療ができる(求める水準 3 / 現在 2)
	// ✓ 鑑別診断ができる(求める水準 3 / 現在 3)
	// ✓ 処方ができる(求める水準 3 / 現在 3)
	// ✗ クレームの少ない患者対応(求める水準 3 / 現在 2)
	// 勤務曜日: 勤務曜日(土曜日)は希望に合っています。
	// 報酬: 希望額(時給10,000円以上)を満たしています。
	// 診療科: 求人の診療科(内科)は専門と一致しています。
	// 確認事項 2/4、スコア 85
}
