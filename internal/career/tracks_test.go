package career

import (
	"reflect"
	"testing"
)

// TestTrackCodesExist checks that every requirement of every track names a
// competency of DefaultCompetencies at a valid level.
func TestTrackCodesExist(t *testing.T) {
	v := DefaultVocabulary()
	wantCodes := []string{"specialist", "clinic_opening", "remote_work", "medical_director", "medical_marketer", "occupational_physician"}
	var codes []string
	for _, tr := range DefaultTracks() {
		codes = append(codes, tr.Code)
		if tr.Name == "" || tr.Description == "" || len(tr.Steps) == 0 {
			t.Errorf("track %s is incomplete", tr.Code)
		}
		for i, s := range tr.Steps {
			if s.Name == "" || s.Description == "" || len(s.Requirements) == 0 {
				t.Errorf("track %s step %d is incomplete", tr.Code, i)
			}
			if ps := ValidateRequirements(v, s.Requirements); ps != nil {
				t.Errorf("track %s step %d: %q", tr.Code, i, ps)
			}
		}
	}
	if !reflect.DeepEqual(codes, wantCodes) {
		t.Errorf("track codes = %q, want %q", codes, wantCodes)
	}
}

func TestMedicalDirectorSteps(t *testing.T) {
	var director Track
	for _, tr := range DefaultTracks() {
		if tr.Code == "medical_director" {
			director = tr
		}
	}
	var names []string
	for _, s := range director.Steps {
		names = append(names, s.Name)
	}
	want := []string{"修正の必要がない現場スキル", "指揮・指導", "地域に向けたマーケティング"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("steps = %q, want %q", names, want)
	}
}

func TestProgress(t *testing.T) {
	v := DefaultVocabulary()
	track := Track{Code: "t", Steps: []Step{
		{Name: "one", Requirements: []Requirement{{"outpatient_no_manual", 3}, {"prescribing", 3}}},
		{Name: "two", Requirements: []Requirement{{"scheduling", 2}}},
		{Name: "three", Requirements: []Requirement{{"branding", 2}}},
	}}
	tests := []struct {
		name      string
		skills    []Skill
		completed int
		next      int
		missing   []string
		firstGaps []Gap
	}{
		{"none", nil, 0, 0, []string{"outpatient_no_manual", "prescribing"}, []Gap{
			{Code: "outpatient_no_manual", Name: "マニュアルなしで外来診療ができる", Asked: 3},
			{Code: "prescribing", Name: "処方ができる", Asked: 3},
		}},
		{"partial: level below asked", []Skill{{Code: "outpatient_no_manual", Level: 3}, {Code: "prescribing", Level: 2}},
			0, 0, []string{"prescribing"}, []Gap{{Code: "prescribing", Name: "処方ができる", Asked: 3, Has: 2}}},
		{"first step done", []Skill{{Code: "outpatient_no_manual", Level: 4}, {Code: "prescribing", Level: 3}},
			1, 1, []string{"scheduling"}, nil},
		{"later step met before an earlier one", []Skill{{Code: "outpatient_no_manual", Level: 4}, {Code: "prescribing", Level: 3}, {Code: "branding", Level: 2}},
			2, 1, []string{"scheduling"}, nil},
		{"complete", []Skill{{Code: "outpatient_no_manual", Level: 4}, {Code: "prescribing", Level: 3}, {Code: "scheduling", Level: 2}, {Code: "branding", Level: 3}},
			3, -1, nil, nil},
		{"repeated skill counts at its highest", []Skill{{Code: "outpatient_no_manual", Level: 1}, {Code: "outpatient_no_manual", Level: 3}, {Code: "prescribing", Level: 3}},
			1, 1, []string{"scheduling"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Progress(track, tt.skills, v)
			if p.Code != "t" || len(p.Steps) != 3 {
				t.Fatalf("Progress = %+v", p)
			}
			if p.CompletedSteps != tt.completed || p.Next != tt.next {
				t.Errorf("CompletedSteps, Next = %d, %d; want %d, %d", p.CompletedSteps, p.Next, tt.completed, tt.next)
			}
			if got := p.MissingCodes(); !reflect.DeepEqual(got, tt.missing) {
				t.Errorf("MissingCodes = %q, want %q", got, tt.missing)
			}
			if got := p.Steps[0].Missing; !reflect.DeepEqual(got, tt.firstGaps) {
				t.Errorf("Steps[0].Missing = %+v, want %+v", got, tt.firstGaps)
			}
			for i, s := range p.Steps {
				if s.Met != (len(s.Missing) == 0) {
					t.Errorf("step %d: Met = %v with %d missing", i, s.Met, len(s.Missing))
				}
			}
		})
	}
}
