package career

import (
	"reflect"
	"testing"
	"time"
)

// day returns midnight JST of the date.
func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, jst) }

// ev returns an event on a JST date.
func ev(kind EventKind, date time.Time, specialty string) Event {
	return Event{Kind: kind, Date: date, Specialty: specialty}
}

// career is a typical history: exam 2023, junior 2023–2025, 内科 from 2025,
// specialist 2028.
var career = []Event{
	ev(EventNationalExamPassed, day(2023, 3, 17), ""),
	ev(EventJuniorStart, day(2023, 4, 1), ""),
	ev(EventJuniorEnd, day(2025, 3, 31), ""),
	ev(EventSpecialtyStart, day(2025, 4, 1), "内科"),
	ev(EventSpecialistObtained, day(2028, 4, 1), "内科"),
}

func TestStageAt(t *testing.T) {
	tests := []struct {
		name   string
		events []Event
		at     time.Time
		want   Stage
	}{
		{"no events", nil, day(2025, 4, 1), StageStudent},
		{"before the exam", career, day(2023, 3, 16), StageStudent},
		{"exam passed, junior not started", career, day(2023, 3, 17), StageJuniorResident},
		{"junior resident", career, day(2024, 1, 1), StageJuniorResident},
		{"last day of junior", career, time.Date(2025, 3, 30, 23, 59, 59, 0, jst), StageJuniorResident},
		{"junior end day counts as finished", career, day(2025, 3, 31), StageSpecialtyResident},
		{"specialty resident", career, day(2026, 1, 1), StageSpecialtyResident},
		{"one second before the specialist day", career, time.Date(2028, 3, 31, 23, 59, 59, 0, jst), StageSpecialtyResident},
		{"specialist from the first JST instant", career, day(2028, 4, 1), StageSpecialist},
		{"at given in UTC, already the JST day", career, time.Date(2028, 3, 31, 15, 0, 0, 0, time.UTC), StageSpecialist},
		{"at given in UTC, still the JST day before", career, time.Date(2028, 3, 31, 14, 59, 59, 0, time.UTC), StageSpecialtyResident},
		{"event stored as UTC midnight means its date", []Event{
			ev(EventJuniorStart, time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), "")},
			day(2025, 4, 1), StageJuniorResident},
		{"event stored as JST midnight read back in UTC", []Event{
			ev(EventJuniorStart, time.Date(2025, 3, 31, 15, 0, 0, 0, time.UTC), "")},
			day(2025, 4, 1), StageJuniorResident},
		{"same event, the JST day before", []Event{
			ev(EventJuniorStart, time.Date(2025, 3, 31, 15, 0, 0, 0, time.UTC), "")},
			time.Date(2025, 3, 31, 23, 59, 59, 0, jst), StageStudent},
		{"junior finished, no specialty training", career[:3], day(2030, 1, 1), StageSpecialtyResident},
		{"junior start only", career[1:2], day(2024, 1, 1), StageJuniorResident},
		{"specialist without recorded training", []Event{ev(EventSpecialistObtained, day(2010, 4, 1), "外科")}, day(2011, 1, 1), StageSpecialist},
		{"unknown kinds and zero dates are ignored", []Event{
			{Kind: "graduation", Date: day(2020, 3, 1)},
			{Kind: EventSpecialistObtained, Specialty: "内科"}}, day(2025, 1, 1), StageStudent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := StageAt(tt.events, tt.at); got != tt.want {
				t.Errorf("StageAt = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestValidateEvents(t *testing.T) {
	tests := []struct {
		name   string
		events []Event
		want   []EventProblem
	}{
		{"typical career", career, nil},
		{"empty", nil, nil},
		{"two specialties", append(append([]Event{}, career...),
			ev(EventSpecialtyStart, day(2028, 4, 1), "総合診療"),
			ev(EventSpecialistObtained, day(2031, 4, 1), "総合診療")), nil},
		{"junior end on the day of specialty start is fine", []Event{
			ev(EventJuniorEnd, day(2025, 4, 1), ""), ev(EventSpecialtyStart, day(2025, 4, 1), "内科")}, nil},
		{"unknown kind", []Event{{Kind: "graduation", Date: day(2020, 3, 1)}},
			[]EventProblem{{0, "経歴の種類「graduation」は登録できません。"}}},
		{"zero date", []Event{{Kind: EventJuniorStart}},
			[]EventProblem{{0, "初期研修開始の日付を入力してください。"}}},
		{"specialty missing", []Event{ev(EventSpecialtyStart, day(2025, 4, 1), "")},
			[]EventProblem{{0, "専門研修開始の基本領域を選んでください。"}}},
		{"not a basic specialty", []Event{ev(EventSpecialistObtained, day(2025, 4, 1), "循環器内科")},
			[]EventProblem{{0, "「循環器内科」は基本領域ではありません。"}}},
		{"specialty on a junior event", []Event{ev(EventJuniorStart, day(2023, 4, 1), "内科")},
			[]EventProblem{{0, "初期研修開始には基本領域を指定しません。"}}},
		{"duplicate exam", []Event{
			ev(EventNationalExamPassed, day(2023, 3, 17), ""), ev(EventNationalExamPassed, day(2024, 3, 17), "")},
			[]EventProblem{{1, "医師国家試験合格が重複しています。"}}},
		{"duplicate junior start and end", []Event{
			ev(EventJuniorStart, day(2023, 4, 1), ""), ev(EventJuniorEnd, day(2025, 3, 31), ""),
			ev(EventJuniorStart, day(2023, 4, 1), ""), ev(EventJuniorEnd, day(2025, 3, 31), "")},
			[]EventProblem{{2, "初期研修開始が重複しています。"}, {3, "初期研修修了が重複しています。"}}},
		{"duplicate specialty start for one specialty", []Event{
			ev(EventSpecialtyStart, day(2025, 4, 1), "内科"), ev(EventSpecialtyStart, day(2026, 4, 1), "内科")},
			[]EventProblem{{1, "内科の専門研修開始が重複しています。"}}},
		{"junior start before the exam", []Event{
			ev(EventNationalExamPassed, day(2023, 3, 17), ""), ev(EventJuniorStart, day(2023, 3, 1), "")},
			[]EventProblem{{1, "初期研修開始(2023-03-01)は医師国家試験合格(2023-03-17)以降の日付にしてください。"}}},
		{"junior end on its start day", []Event{
			ev(EventJuniorStart, day(2023, 4, 1), ""), ev(EventJuniorEnd, day(2023, 4, 1), "")},
			[]EventProblem{{1, "初期研修修了(2023-04-01)は初期研修開始(2023-04-01)より後の日付にしてください。"}}},
		{"specialty start before junior end reports the nearest", []Event{
			ev(EventNationalExamPassed, day(2023, 3, 17), ""), ev(EventJuniorStart, day(2023, 4, 1), ""),
			ev(EventJuniorEnd, day(2025, 3, 31), ""), ev(EventSpecialtyStart, day(2023, 1, 1), "外科")},
			[]EventProblem{{3, "外科の専門研修開始(2023-01-01)は初期研修修了(2025-03-31)以降の日付にしてください。"}}},
		{"specialist before its own training", []Event{
			ev(EventSpecialtyStart, day(2025, 4, 1), "内科"), ev(EventSpecialistObtained, day(2024, 4, 1), "内科")},
			[]EventProblem{{1, "内科の専門医取得(2024-04-01)は内科の専門研修開始(2025-04-01)以降の日付にしてください。"}}},
		{"specialist before another specialty's training is fine", []Event{
			ev(EventSpecialistObtained, day(2024, 4, 1), "内科"), ev(EventSpecialtyStart, day(2025, 4, 1), "総合診療")}, nil},
		{"problems sorted by index", []Event{
			ev(EventJuniorStart, day(2023, 4, 1), ""), {Kind: "x"}, ev(EventNationalExamPassed, day(2024, 3, 17), "")},
			[]EventProblem{
				{0, "初期研修開始(2023-04-01)は医師国家試験合格(2024-03-17)以降の日付にしてください。"},
				{1, "経歴の種類「x」は登録できません。"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ValidateEvents(tt.events)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ValidateEvents:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestSpecialtiesOfEvents(t *testing.T) {
	events := append(append([]Event{}, career...),
		ev(EventSpecialtyStart, day(2029, 4, 1), "総合診療"),
		ev(EventSpecialistObtained, day(2028, 4, 1), "内科"), // recorded twice
	)
	tests := []struct {
		name               string
		at                 time.Time
		obtained, training []string
	}{
		{"junior", day(2024, 1, 1), nil, nil},
		{"in 内科 training", day(2026, 1, 1), nil, []string{"内科"}},
		{"内科 specialist", day(2028, 4, 1), []string{"内科"}, nil},
		{"second training", day(2030, 1, 1), []string{"内科"}, []string{"総合診療"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ObtainedSpecialties(events, tt.at); !reflect.DeepEqual(got, tt.obtained) {
				t.Errorf("ObtainedSpecialties = %q, want %q", got, tt.obtained)
			}
			if got := TrainingSpecialties(events, tt.at); !reflect.DeepEqual(got, tt.training) {
				t.Errorf("TrainingSpecialties = %q, want %q", got, tt.training)
			}
		})
	}
}

func TestYearsSince(t *testing.T) {
	leap := []Event{ev(EventNationalExamPassed, day(2024, 2, 29), "")}
	tests := []struct {
		name   string
		events []Event
		kind   EventKind
		at     time.Time
		years  int
		ok     bool
	}{
		{"no event", nil, EventNationalExamPassed, day(2025, 1, 1), 0, false},
		{"event later than at", career, EventSpecialistObtained, day(2027, 1, 1), 0, false},
		{"same day", career, EventNationalExamPassed, day(2023, 3, 17), 0, true},
		{"day before the anniversary", career, EventNationalExamPassed, day(2026, 3, 16), 2, true},
		{"anniversary", career, EventNationalExamPassed, day(2026, 3, 17), 3, true},
		{"anniversary in JST, at in UTC", career, EventNationalExamPassed, time.Date(2026, 3, 16, 15, 0, 0, 0, time.UTC), 3, true},
		{"29 February, 28 February", leap, EventNationalExamPassed, day(2025, 2, 28), 0, true},
		{"29 February, 1 March", leap, EventNationalExamPassed, day(2025, 3, 1), 1, true},
		{"earliest of repeated events", []Event{
			ev(EventSpecialtyStart, day(2028, 4, 1), "総合診療"), ev(EventSpecialtyStart, day(2025, 4, 1), "内科")},
			EventSpecialtyStart, day(2030, 4, 1), 5, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			years, ok := YearsSince(tt.events, tt.kind, tt.at)
			if years != tt.years || ok != tt.ok {
				t.Errorf("YearsSince = %d, %v; want %d, %v", years, ok, tt.years, tt.ok)
			}
		})
	}
}
