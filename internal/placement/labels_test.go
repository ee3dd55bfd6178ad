package placement

import (
	"testing"
	"unicode/utf8"
)

// labelled is a code with a Japanese label and a validity check.
type labelled interface {
	~string
	Label() string
	Valid() bool
}

// checkLabels checks that every listed value is valid, has a Japanese label
// distinct from the others, and that an unknown value is invalid and
// labelled by itself.
func checkLabels[T labelled](t *testing.T, name string, values []T) {
	t.Helper()
	seen := map[string]T{}
	for _, v := range values {
		if !v.Valid() {
			t.Errorf("%s %q is not valid", name, v)
		}
		l := v.Label()
		if l == string(v) || l == "" || !utf8.ValidString(l) {
			t.Errorf("%s %q has no Japanese label: %q", name, v, l)
		}
		if other, dup := seen[l]; dup {
			t.Errorf("%s %q and %q share the label %q", name, v, other, l)
		}
		seen[l] = v
	}
	var unknown T = "no_such_value"
	if unknown.Valid() || unknown.Label() != "no_such_value" {
		t.Errorf("%s: unknown value valid=%v label=%q", name, unknown.Valid(), unknown.Label())
	}
	var empty T
	if empty.Valid() {
		t.Errorf("%s: empty value is valid", name)
	}
}

func TestLabels(t *testing.T) {
	checkLabels(t, "Stage", append(append([]Stage{}, PipelineStages...), OutcomeStages...))
	checkLabels(t, "Reason", Reasons)
	checkLabels(t, "Source", Sources)
	checkLabels(t, "Mode", Modes)
	checkLabels(t, "ItemSource", ItemSources)
	checkLabels(t, "ItemStatus", ItemStatuses)
	checkLabels(t, "Verdict", Verdicts)
	checkLabels(t, "Recommendation", Recommendations)
	checkLabels(t, "TriggerKind", TriggerKinds)
	checkLabels(t, "FollowUpStatus", FollowUpStatuses)
}

func TestStageKinds(t *testing.T) {
	for _, s := range PipelineStages {
		if !s.InPipeline() || s.IsOutcome() {
			t.Errorf("%s: InPipeline=%v IsOutcome=%v", s, s.InPipeline(), s.IsOutcome())
		}
	}
	for _, s := range OutcomeStages {
		if s.InPipeline() || !s.IsOutcome() {
			t.Errorf("%s: InPipeline=%v IsOutcome=%v", s, s.InPipeline(), s.IsOutcome())
		}
	}
	for _, r := range ParticipantRoles {
		if ParticipantRoleLabel(r) == r {
			t.Errorf("participant role %q has no label", r)
		}
	}
	for _, k := range []MatchKey{MatchEmail, MatchPhone, MatchRegistrationNumber} {
		if k.Label() == string(k) {
			t.Errorf("match key %q has no label", k)
		}
	}
}
