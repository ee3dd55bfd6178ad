package placement

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/profile"
)

func day(s string) time.Time {
	d, err := time.ParseInLocation(time.DateOnly, s, jst)
	if err != nil {
		panic(err)
	}
	return d
}

func TestTriggerValidate(t *testing.T) {
	tests := []struct {
		name   string
		in     Trigger
		want   Trigger
		fields []string
	}{
		{"date", Trigger{Kind: TriggerDate, Date: " ２０２７-０４-０１ ", Stage: career.StageSpecialist, Years: 3},
			Trigger{Kind: TriggerDate, Date: "2027-04-01"}, nil},
		{"bad date", Trigger{Kind: TriggerDate, Date: "2027/04/01"}, Trigger{}, []string{"trigger_date"}},
		{"stage", Trigger{Kind: TriggerStage, Stage: career.StageSpecialist, Specialty: "内科"},
			Trigger{Kind: TriggerStage, Stage: career.StageSpecialist}, nil},
		{"student is no trigger", Trigger{Kind: TriggerStage, Stage: career.StageStudent}, Trigger{}, []string{"trigger_stage"}},
		{"unknown stage", Trigger{Kind: TriggerStage, Stage: "professor"}, Trigger{}, []string{"trigger_stage"}},
		{"certification", Trigger{Kind: TriggerCertification, Specialty: "内科", Date: "2027-04-01"},
			Trigger{Kind: TriggerCertification, Specialty: "内科"}, nil},
		{"not a specialty", Trigger{Kind: TriggerCertification, Specialty: "循環器内科"}, Trigger{}, []string{"trigger_specialty"}},
		{"years", Trigger{Kind: TriggerYears, Years: 5}, Trigger{Kind: TriggerYears, Years: 5}, nil},
		{"zero years", Trigger{Kind: TriggerYears}, Trigger{}, []string{"trigger_years"}},
		{"too many years", Trigger{Kind: TriggerYears, Years: MaxTriggerYears + 1}, Trigger{}, []string{"trigger_years"}},
		{"no kind", Trigger{}, Trigger{}, []string{"trigger_kind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := tt.in
			if got := sortedKeys(tr.Validate()); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields = %v, want %v", got, tt.fields)
			}
			if len(tt.fields) == 0 && tr != tt.want {
				t.Errorf("normalised (-want +got):\n-%+v\n+%+v", tt.want, tr)
			}
		})
	}
	f := FollowUp{Trigger: Trigger{Kind: TriggerYears, Years: 3}, Note: strings.Repeat("あ", MaxNote+1)}
	if got := sortedKeys(f.Validate()); !slices.Equal(got, []string{"note"}) {
		t.Errorf("FollowUp.Validate fields = %v", got)
	}
}

func TestTriggerDescribe(t *testing.T) {
	for _, tt := range []struct {
		t    Trigger
		want string
	}{
		{Trigger{Kind: TriggerDate, Date: "2027-04-01"}, "2027年4月1日になったとき"},
		{Trigger{Kind: TriggerStage, Stage: career.StageSpecialist}, "専門医になったとき"},
		{Trigger{Kind: TriggerCertification, Specialty: "内科"}, "専門医（内科）を取得したとき"},
		{Trigger{Kind: TriggerYears, Years: 5}, "医師国家試験の合格から5年たったとき"},
	} {
		if got := tt.t.Describe(); got != tt.want {
			t.Errorf("Describe(%+v) = %q, want %q", tt.t, got, tt.want)
		}
	}
}

func TestTriggerMet(t *testing.T) {
	// A doctor who passed the exam in 2018, trained in 内科 from 2020 and
	// became a 内科 specialist on 2023-04-01; 外科 listed as a certification
	// obtained on 2025-10-01, 小児科 without a date.
	doctor := &profile.Profile{
		Events: []career.Event{
			{Kind: career.EventNationalExamPassed, Date: day("2018-03-19")},
			{Kind: career.EventJuniorStart, Date: day("2018-04-01")},
			{Kind: career.EventJuniorEnd, Date: day("2020-03-31")},
			{Kind: career.EventSpecialtyStart, Date: day("2020-04-01"), Specialty: "内科"},
			{Kind: career.EventSpecialistObtained, Date: day("2023-04-01"), Specialty: "内科"},
		},
		Certifications: []profile.Certification{
			{Name: "外科専門医", Specialty: "外科", ObtainedOn: "2025-10-01"},
			{Name: "小児科専門医", Specialty: "小児科"},
		},
	}
	junior := &profile.Profile{Events: []career.Event{{Kind: career.EventNationalExamPassed, Date: day("2025-03-18")}}}
	// 2023-03-31 15:00 UTC is 2023-04-01 00:00 JST.
	midnightJST := time.Date(2023, 3, 31, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		t    Trigger
		p    *profile.Profile
		now  time.Time
		want bool
	}{
		{"date not yet", Trigger{Kind: TriggerDate, Date: "2023-04-01"}, nil, midnightJST.Add(-time.Second), false},
		{"date reached in JST", Trigger{Kind: TriggerDate, Date: "2023-04-01"}, nil, midnightJST, true},
		{"bad date", Trigger{Kind: TriggerDate, Date: "soon"}, nil, midnightJST, false},
		{"specialist not yet", Trigger{Kind: TriggerStage, Stage: career.StageSpecialist}, doctor, midnightJST.Add(-time.Second), false},
		{"specialist reached", Trigger{Kind: TriggerStage, Stage: career.StageSpecialist}, doctor, midnightJST, true},
		{"an earlier stage counts as passed", Trigger{Kind: TriggerStage, Stage: career.StageSpecialtyResident}, doctor, midnightJST, true},
		{"junior is not yet a resident", Trigger{Kind: TriggerStage, Stage: career.StageSpecialtyResident}, junior, midnightJST.AddDate(3, 0, 0), false},
		{"no profile", Trigger{Kind: TriggerStage, Stage: career.StageJuniorResident}, nil, midnightJST, false},
		{"student never", Trigger{Kind: TriggerStage, Stage: career.StageStudent}, doctor, midnightJST, false},
		{"certified by events", Trigger{Kind: TriggerCertification, Specialty: "内科"}, doctor, midnightJST, true},
		{"not yet certified by events", Trigger{Kind: TriggerCertification, Specialty: "内科"}, doctor, midnightJST.Add(-time.Second), false},
		{"certification not yet", Trigger{Kind: TriggerCertification, Specialty: "外科"}, doctor, day("2025-09-30"), false},
		{"certification on its date", Trigger{Kind: TriggerCertification, Specialty: "外科"}, doctor, day("2025-10-01"), true},
		{"certification without a date", Trigger{Kind: TriggerCertification, Specialty: "小児科"}, doctor, midnightJST, true},
		{"another specialty", Trigger{Kind: TriggerCertification, Specialty: "眼科"}, doctor, day("2030-01-01"), false},
		{"years not yet", Trigger{Kind: TriggerYears, Years: 5}, doctor, day("2023-03-18"), false},
		{"years on the anniversary", Trigger{Kind: TriggerYears, Years: 5}, doctor, day("2023-03-19"), true},
		{"years without the exam", Trigger{Kind: TriggerYears, Years: 1}, &profile.Profile{}, day("2030-01-01"), false},
		{"zero years never", Trigger{Kind: TriggerYears}, doctor, day("2030-01-01"), false},
		{"unknown kind", Trigger{Kind: "moon"}, doctor, day("2030-01-01"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.t.Met(tt.p, tt.now); got != tt.want {
				t.Errorf("Met = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestFollowUpDue(t *testing.T) {
	now := day("2027-04-01")
	f := FollowUp{Status: FollowUpWaiting, Trigger: Trigger{Kind: TriggerDate, Date: "2027-04-01"}}
	if !f.Due(nil, now) {
		t.Error("a waiting follow-up whose date came is not due")
	}
	for _, s := range []FollowUpStatus{FollowUpDue, FollowUpDone, FollowUpCancelled} {
		f.Status = s
		if f.Due(nil, now) {
			t.Errorf("a %s follow-up is due again", s)
		}
	}
}
