package career

import (
	"testing"
	"time"
)

// labelled is an enum value with a Japanese label.
type labelled interface {
	Label() string
	Valid() bool
}

func TestLabels(t *testing.T) {
	tests := []struct {
		name  string
		value labelled
		want  string
	}{
		{"student", StageStudent, "医学生"},
		{"junior resident", StageJuniorResident, "初期研修医"},
		{"specialty resident", StageSpecialtyResident, "専攻医"},
		{"specialist", StageSpecialist, "専門医"},
		{"employed", PracticeEmployed, "勤務医"},
		{"clinic owner", PracticeClinicOwner, "開業医"},
		{"planning to open", PracticePlanningToOpen, "開業予定"},
		{"national exam", EventNationalExamPassed, "医師国家試験合格"},
		{"junior start", EventJuniorStart, "初期研修開始"},
		{"junior end", EventJuniorEnd, "初期研修修了"},
		{"specialty start", EventSpecialtyStart, "専門研修開始"},
		{"specialist obtained", EventSpecialistObtained, "専門医取得"},
		{"full time", WorkFullTime, "常勤"},
		{"part time regular", WorkPartTimeRegular, "定期非常勤"},
		{"spot", WorkSpot, "スポット"},
		{"night duty", WorkNightDuty, "当直"},
		{"day duty", WorkDayDuty, "日直"},
		{"remote", WorkRemote, "在宅・リモート"},
		{"online consultation", RemoteOnlineConsultation, "オンライン診療"},
		{"teleradiology", RemoteTeleradiology, "遠隔読影"},
		{"second opinion", RemoteSecondOpinion, "セカンドオピニオン"},
		{"occupational health", RemoteOccupationalHealth, "産業医"},
		{"health consultation", RemoteHealthConsultation, "健康相談"},
		{"accept", AnswerAccept, "可"},
		{"consider", AnswerConsider, "応相談"},
		{"reject", AnswerReject, "不可"},
		{"clinical", GroupClinical, "臨床"},
		{"remote group", GroupRemote, "リモート"},
		{"management", GroupManagement, "マネジメント"},
		{"marketing", GroupMarketing, "マーケティング"},
		{"hourly", PayHourly, "時給"},
		{"per shift", PayPerShift, "1回あたり"},
		{"annual", PayAnnual, "年収"},
		{"level 1", Level(1), "学習中"},
		{"level 4", Level(4), "指導できる"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.value.Label(); got != tt.want {
				t.Errorf("Label() = %q, want %q", got, tt.want)
			}
			if !tt.value.Valid() {
				t.Error("Valid() = false, want true")
			}
		})
	}
}

func TestInvalidValues(t *testing.T) {
	tests := []struct {
		name  string
		value labelled
		label string
	}{
		{"stage", Stage("resident"), "resident"},
		{"practice form", PracticeForm("retired"), "retired"},
		{"event kind", EventKind("graduation"), "graduation"},
		{"work kind", WorkKind("volunteer"), "volunteer"},
		{"remote kind", RemoteKind(""), ""},
		{"answer", StageAnswer("maybe"), "maybe"},
		{"group", CompetencyGroup("research"), "research"},
		{"pay unit", PayUnit("monthly"), "monthly"},
		{"level 0", Level(0), ""},
		{"level 5", Level(5), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.value.Valid() {
				t.Error("Valid() = true, want false")
			}
			if got := tt.value.Label(); got != tt.label {
				t.Errorf("Label() = %q, want %q", got, tt.label)
			}
		})
	}
}

func TestEveryListedValueHasALabel(t *testing.T) {
	check := func(name string, vs []labelled) {
		t.Helper()
		seen := map[string]bool{}
		for _, v := range vs {
			l := v.Label()
			if !v.Valid() || l == "" || seen[l] {
				t.Errorf("%s: %v: label %q invalid or repeated", name, v, l)
			}
			seen[l] = true
		}
	}
	check("Stages", asLabelled(Stages))
	check("PracticeForms", asLabelled(PracticeForms))
	check("EventKinds", asLabelled(EventKinds))
	check("WorkKinds", asLabelled(WorkKinds))
	check("RemoteKinds", asLabelled(RemoteKinds))
	check("StageAnswers", asLabelled(StageAnswers))
	check("CompetencyGroups", asLabelled(CompetencyGroups))
	check("PayUnits", asLabelled(PayUnits))
}

func asLabelled[T labelled](vs []T) []labelled {
	out := make([]labelled, len(vs))
	for i, v := range vs {
		out[i] = v
	}
	return out
}

func TestSpecialtiesAndPrefectures(t *testing.T) {
	tests := []struct {
		name  string
		list  []string
		count int
		first string
		last  string
		is    func(string) bool
	}{
		{"specialties", Specialties, 19, "内科", "総合診療", IsSpecialty},
		{"prefectures", Prefectures, 47, "北海道", "沖縄県", IsPrefecture},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if len(tt.list) != tt.count {
				t.Fatalf("len = %d, want %d", len(tt.list), tt.count)
			}
			if tt.list[0] != tt.first || tt.list[len(tt.list)-1] != tt.last {
				t.Errorf("first, last = %q, %q; want %q, %q", tt.list[0], tt.list[len(tt.list)-1], tt.first, tt.last)
			}
			seen := map[string]bool{}
			for _, s := range tt.list {
				if seen[s] {
					t.Errorf("%q repeated", s)
				}
				seen[s] = true
				if !tt.is(s) {
					t.Errorf("%q not recognised", s)
				}
			}
			for _, s := range []string{"", "東京", "循環器内科", " 内科"} {
				if tt.is(s) {
					t.Errorf("%q recognised", s)
				}
			}
		})
	}
	if Prefectures[12] != "東京都" || Prefectures[26] != "大阪府" {
		t.Errorf("JIS order: got %q at 13 and %q at 27", Prefectures[12], Prefectures[26])
	}
}

func TestWeekdayLabel(t *testing.T) {
	if got := weekdayLabel(time.Tuesday); got != "火曜日" {
		t.Errorf("weekdayLabel(Tuesday) = %q", got)
	}
}
