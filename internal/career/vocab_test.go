package career

import (
	"reflect"
	"strings"
	"testing"
)

func TestDefaultVocabulary(t *testing.T) {
	v, err := NewVocabulary(DefaultCompetencies())
	if err != nil {
		t.Fatal(err)
	}
	byGroup := v.ByGroup()
	for _, g := range CompetencyGroups {
		if len(byGroup[g]) == 0 {
			t.Errorf("group %s is empty", g)
		}
	}
	for _, c := range v.All() {
		if c.Description == "" {
			t.Errorf("%s has no description", c.Code)
		}
	}
	// Codes the brief and other features rely on.
	for _, code := range []string{
		"outpatient_no_manual", "differential_diagnosis", "prescribing", "patient_relations",
		"online_consultation", "teleradiology", "it_literacy",
		"time_management", "staff_allocation", "care_quality", "scheduling", "team_leadership",
		"branding", "patient_survey", "community_liaison", "web_presence",
	} {
		if _, ok := v.Lookup(code); !ok {
			t.Errorf("missing %s", code)
		}
	}
	if c, _ := v.Lookup("outpatient_no_manual"); c.Name != "マニュアルなしで外来診療ができる" || c.Group != GroupClinical {
		t.Errorf("Lookup(outpatient_no_manual) = %+v", c)
	}
	if _, ok := v.Lookup("surgery"); ok {
		t.Error("Lookup(surgery) found")
	}
	all := v.All()
	all[0].Name = "changed"
	if c, _ := v.Lookup(all[0].Code); c.Name == "changed" {
		t.Error("All shares its slice with the vocabulary")
	}
}

func TestNilVocabulary(t *testing.T) {
	var v *Vocabulary
	if _, ok := v.Lookup("prescribing"); ok || v.All() != nil || len(v.ByGroup()) != 0 {
		t.Error("nil vocabulary is not empty")
	}
}

func TestNewVocabularyErrors(t *testing.T) {
	good := Competency{Code: "prescribing", Group: GroupClinical, Name: "処方ができる"}
	tests := []struct {
		name string
		cs   []Competency
		want string // part of the error, "" for none
	}{
		{"valid", []Competency{good}, ""},
		{"empty", nil, ""},
		{"empty code", []Competency{{Group: GroupClinical, Name: "x"}}, "empty code"},
		{"bad code", []Competency{{Code: "Prescribing", Group: GroupClinical, Name: "x"}}, "code must be"},
		{"duplicate code", []Competency{good, good}, "duplicate code"},
		{"unknown group", []Competency{{Code: "research", Group: "academic", Name: "研究"}}, "unknown group"},
		{"empty name", []Competency{{Code: "research", Group: GroupClinical}}, "empty name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewVocabulary(tt.cs)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("error %v", err)
			case tt.want == "" && len(v.All()) != len(tt.cs):
				t.Errorf("All() has %d entries, want %d", len(v.All()), len(tt.cs))
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one containing %q", err, tt.want)
			case tt.want != "" && v != nil:
				t.Error("vocabulary returned with an error")
			}
		})
	}
}

func TestValidateSkills(t *testing.T) {
	v := DefaultVocabulary()
	tests := []struct {
		name   string
		skills []Skill
		want   []string
	}{
		{"valid", []Skill{{Code: "prescribing", Level: 3, Years: 2}, {Code: "branding", Level: 1}}, nil},
		{"unknown code", []Skill{{Code: "surgery", Level: 2}}, []string{"「surgery」は登録されていない能力です。"}},
		{"empty code", []Skill{{Level: 2}}, []string{"能力が選ばれていない行があります。"}},
		{"level 0", []Skill{{Code: "prescribing"}}, []string{"「処方ができる」のレベルは1〜4で入力してください(入力値: 0)。"}},
		{"level 5", []Skill{{Code: "prescribing", Level: 5}}, []string{"「処方ができる」のレベルは1〜4で入力してください(入力値: 5)。"}},
		{"duplicate", []Skill{{Code: "branding", Level: 1}, {Code: "branding", Level: 2}}, []string{"「ブランディング」が重複しています。"}},
		{"negative years", []Skill{{Code: "branding", Level: 1, Years: -1}}, []string{"「ブランディング」の経験年数と症例数は0以上で入力してください。"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidateSkills(v, tt.skills); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ValidateSkills = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestValidateRequirements(t *testing.T) {
	v := DefaultVocabulary()
	tests := []struct {
		name string
		reqs []Requirement
		want []string
	}{
		{"valid", []Requirement{{"outpatient_no_manual", 3}, {"prescribing", 2}}, nil},
		{"unknown, duplicate and out of range", []Requirement{{"surgery", 2}, {"prescribing", 2}, {"prescribing", 9}}, []string{
			"「surgery」は登録されていない能力です。",
			"「処方ができる」が重複しています。",
			"「処方ができる」のレベルは1〜4で入力してください(入力値: 9)。",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ValidateRequirements(v, tt.reqs); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ValidateRequirements = %q, want %q", got, tt.want)
			}
		})
	}
}
