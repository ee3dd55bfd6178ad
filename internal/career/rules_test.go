package career

import (
	"strings"
	"testing"
)

// TestMayTakeMatrix checks every stage against every kind of work.
func TestMayTakeMatrix(t *testing.T) {
	const (
		ok      = true
		refused = false
	)
	// Columns follow WorkKinds: full_time, part_time_regular, spot,
	// night_duty, day_duty, remote.
	matrix := []struct {
		stage  Stage
		want   [6]bool
		reason string // part of the reason of every refusal
	}{
		{StageStudent, [6]bool{refused, refused, refused, refused, refused, refused}, "医師免許の取得前のため"},
		{StageJuniorResident, [6]bool{ok, refused, refused, refused, refused, refused}, "臨床研修に専念する義務があるため"},
		{StageSpecialtyResident, [6]bool{ok, ok, ok, ok, ok, ok}, ""},
		{StageSpecialist, [6]bool{ok, ok, ok, ok, ok, ok}, ""},
	}
	if len(matrix) != len(Stages) || len(WorkKinds) != 6 {
		t.Fatal("the matrix does not cover every stage and kind")
	}
	for _, row := range matrix {
		for i, kind := range WorkKinds {
			t.Run(string(row.stage)+"/"+string(kind), func(t *testing.T) {
				v := MayTake(row.stage, kind)
				if v.Allowed != row.want[i] {
					t.Fatalf("Allowed = %v, want %v (reason %q)", v.Allowed, row.want[i], v.Reason)
				}
				if v.Consider {
					t.Error("Consider set by MayTake")
				}
				if v.Allowed && v.Reason != "" {
					t.Errorf("Reason = %q for an allowed kind", v.Reason)
				}
				if !v.Allowed && !strings.Contains(v.Reason, row.reason) {
					t.Errorf("Reason = %q, want it to contain %q", v.Reason, row.reason)
				}
			})
		}
	}
}

func TestMayTakeJuniorReason(t *testing.T) {
	got := MayTake(StageJuniorResident, WorkSpot).Reason
	want := "初期研修中はアルバイト(副業)が禁止されているため、スポットの勤務はできません。医師法に基づく臨床研修制度で、臨床研修に専念する義務があるためです。"
	if got != want {
		t.Errorf("Reason = %q, want %q", got, want)
	}
}

func TestMayTakeUnknown(t *testing.T) {
	tests := []struct {
		name  string
		stage Stage
		kind  WorkKind
	}{
		{"unknown stage", "intern", WorkFullTime},
		{"unknown kind", StageSpecialist, "volunteer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v := MayTake(tt.stage, tt.kind); v.Allowed || v.Reason == "" {
				t.Errorf("MayTake = %+v, want refused with a reason", v)
			}
		})
	}
}

func TestEligibility(t *testing.T) {
	answers := map[Stage]StageAnswer{
		StageJuniorResident:    AnswerAccept,
		StageSpecialtyResident: AnswerConsider,
		StageSpecialist:        AnswerAccept,
		StageStudent:           AnswerAccept,
	}
	tests := []struct {
		name    string
		stage   Stage
		kind    WorkKind
		answers map[Stage]StageAnswer
		want    Verdict
	}{
		{"accept", StageSpecialist, WorkSpot, answers, Verdict{Allowed: true}},
		{"consider", StageSpecialtyResident, WorkSpot, answers,
			Verdict{Allowed: true, Consider: true, Reason: "この求人は専攻医について応相談です(場合によって勤務可能)。"}},
		{"reject", StageSpecialist, WorkSpot, map[Stage]StageAnswer{StageSpecialist: AnswerReject},
			Verdict{Reason: "この求人は専門医を募集対象にしていません。"}},
		{"missing answer counts as reject", StageSpecialist, WorkSpot, map[Stage]StageAnswer{StageSpecialtyResident: AnswerAccept},
			Verdict{Reason: "この求人は専門医を募集対象にするか示していないため、対象外としています。"}},
		{"no answers at all", StageSpecialist, WorkSpot, nil,
			Verdict{Reason: "この求人は専門医を募集対象にするか示していないため、対象外としています。"}},
		{"unknown answer counts as reject", StageSpecialist, WorkSpot, map[Stage]StageAnswer{StageSpecialist: "maybe"},
			Verdict{Reason: "この求人の専門医への回答が不明のため、対象外としています。"}},
		{"career rule wins over accept", StageJuniorResident, WorkNightDuty, answers, MayTake(StageJuniorResident, WorkNightDuty)},
		{"junior resident, full-time accepted", StageJuniorResident, WorkFullTime, answers, Verdict{Allowed: true}},
		{"student refused even if accepted", StageStudent, WorkFullTime, answers, MayTake(StageStudent, WorkFullTime)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Eligibility(tt.stage, tt.kind, tt.answers); got != tt.want {
				t.Errorf("Eligibility = %+v, want %+v", got, tt.want)
			}
		})
	}
}
