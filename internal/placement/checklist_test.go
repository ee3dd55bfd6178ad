package placement

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/openings"
)

func sampleOpening() *openings.Opening {
	return &openings.Opening{
		Kind:       career.WorkSpot,
		CheckItems: []string{"マニュアルなしで診察できる", "クレームの少ない対応"},
		Required:   []career.Requirement{{Code: "prescribing", Level: 3}},
		Preferred:  []career.Requirement{{Code: "ultrasound", Level: 2}, {Code: "unknown_code", Level: 9}},
		Answers: map[career.Stage]career.StageAnswer{
			career.StageStudent: career.AnswerReject, career.StageJuniorResident: career.AnswerReject,
			career.StageSpecialtyResident: career.AnswerConsider, career.StageSpecialist: career.AnswerAccept,
		},
	}
}

func TestChecklist(t *testing.T) {
	got := Checklist(sampleOpening(), career.DefaultVocabulary())
	want := []CheckItem{
		{Position: 1, Source: ItemCheck, Label: "マニュアルなしで診察できる", Required: true, Status: ItemUnknown},
		{Position: 2, Source: ItemCheck, Label: "クレームの少ない対応", Required: true, Status: ItemUnknown},
		{Position: 3, Source: ItemRequired, Label: "処方ができる（レベル3: 一人でできる）", Code: "prescribing", Level: 3, Required: true, Status: ItemUnknown},
		{Position: 4, Source: ItemPreferred, Label: "エコー検査（レベル2: 助言があればできる）", Code: "ultrasound", Level: 2, Status: ItemUnknown},
		{Position: 5, Source: ItemPreferred, Label: "unknown_code", Code: "unknown_code", Level: 9, Status: ItemUnknown},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Checklist (-want +got):\n-%+v\n+%+v", want, got)
	}
	if got := Checklist(&openings.Opening{Required: []career.Requirement{{Code: "prescribing", Level: 1}}}, nil); got[0].Label != "prescribing（レベル1: 学習中）" {
		t.Errorf("without a vocabulary: %q", got[0].Label)
	}
	if got := Checklist(nil, nil); got != nil {
		t.Errorf("nil opening: %+v", got)
	}
	if got := Checklist(&openings.Opening{}, nil); got != nil {
		t.Errorf("empty opening: %+v", got)
	}
}

func TestCheckItemValidate(t *testing.T) {
	tests := []struct {
		name     string
		item     CheckItem
		fields   []string
		required bool
	}{
		{"opening item stays required", CheckItem{Source: ItemCheck, Label: "処方", Status: ItemMet, Required: false}, nil, true},
		{"preferred never required", CheckItem{Source: ItemPreferred, Label: "エコー", Status: ItemNotMet, Required: true}, nil, false},
		{"agent decides", CheckItem{Source: ItemAgentAdded, Label: "英語での診察", Status: ItemUnknown, Required: true}, nil, true},
		{"no label", CheckItem{Source: ItemAgentAdded, Label: "　", Status: ItemUnknown}, []string{"label"}, false},
		{"long label", CheckItem{Source: ItemAgentAdded, Label: strings.Repeat("a", MaxItemLabel+1), Status: ItemUnknown}, []string{"label"}, false},
		{"bad status and source", CheckItem{Source: "x", Label: "a", Status: "maybe"}, []string{"source", "status"}, false},
		{"long note", CheckItem{Source: ItemCheck, Label: "a", Status: ItemMet, Note: strings.Repeat("a", MaxNote+1)}, []string{"note"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := tt.item
			if got := sortedKeys(it.Validate()); !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
			if it.Required != tt.required {
				t.Errorf("Required = %v, want %v", it.Required, tt.required)
			}
		})
	}
}

// sortedKeys returns the keys of a field map, sorted; nil for none.
func sortedKeys(m map[string]string) []string {
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func TestReadiness(t *testing.T) {
	now := time.Date(2026, 4, 1, 0, 0, 0, 0, jst)
	consented := Consent{ConsentedAt: &now}
	withdrawn := Consent{ConsentedAt: &now, WithdrawnAt: &now}
	items := func(statuses ...ItemStatus) []CheckItem {
		list := Checklist(sampleOpening(), career.DefaultVocabulary())
		for i, s := range statuses {
			list[i].Status = s
		}
		return list
	}
	allMet := items(ItemMet, ItemMet, ItemMet, ItemUnknown, ItemNotMet) // preferred items never block
	tests := []struct {
		name    string
		items   []CheckItem
		stage   career.Stage
		opening *openings.Opening
		consent Consent
		want    []string
	}{
		{"ready", allMet, career.StageSpecialist, sampleOpening(), consented, nil},
		{"required item not met", items(ItemMet, ItemNotMet, ItemMet), career.StageSpecialist, sampleOpening(), consented,
			[]string{"必須の確認事項「クレームの少ない対応」を満たしていません。"}},
		{"required items unknown", items(ItemUnknown, ItemMet, ""), career.StageSpecialist, sampleOpening(), consented,
			[]string{"必須の確認事項「マニュアルなしで診察できる」が未確認です。", "必須の確認事項「処方ができる（レベル3: 一人でできる）」が未確認です。"}},
		{"stage only considered", allMet, career.StageSpecialtyResident, sampleOpening(), consented,
			[]string{"この求人は専攻医について応相談です(場合によって勤務可能)。"}},
		{"stage rejected by the law", allMet, career.StageJuniorResident, sampleOpening(), consented,
			[]string{career.MayTake(career.StageJuniorResident, career.WorkSpot).Reason}},
		{"stage unknown", allMet, "", sampleOpening(), consented, []string{"経歴の段階が不明のため、判定できません。"}},
		{"no consent", allMet, career.StageSpecialist, sampleOpening(), Consent{}, []string{"医師から個人情報の利用目的への同意を得ていません。"}},
		{"consent withdrawn", allMet, career.StageSpecialist, sampleOpening(), withdrawn, []string{"医師が個人情報の利用への同意を撤回しています。"}},
		{"no opening", nil, career.StageSpecialist, nil, consented, []string{"勤務形態が不明のため、判定できません。"}},
		{"everything at once", items(ItemNotMet), "", sampleOpening(), Consent{}, []string{
			"経歴の段階が不明のため、判定できません。",
			"必須の確認事項「マニュアルなしで診察できる」を満たしていません。",
			"必須の確認事項「クレームの少ない対応」が未確認です。",
			"必須の確認事項「処方ができる（レベル3: 一人でできる）」が未確認です。",
			"医師から個人情報の利用目的への同意を得ていません。",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Readiness(tt.items, tt.stage, tt.opening, tt.consent)
			if !slices.Equal(got, tt.want) {
				t.Errorf("Readiness (-want +got):\n-%q\n+%q", tt.want, got)
			}
		})
	}
}
