package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestMatchCommands checks the wiring only; internal/match/matchcli tests
// the commands themselves.
func TestMatchCommands(t *testing.T) {
	var out, errs bytes.Buffer
	in := `{"mechanism":"da","programs":[{"id":"p","capacity":1,"ranking":["d"]}],"doctors":[{"id":"d","ranking":["p"]}]}`
	if code := runMatch([]string{"--verify"}, strings.NewReader(in), &out, &errs); code != 0 {
		t.Fatalf("runMatch: exit %d: %s", code, errs.String())
	}
	if !strings.Contains(out.String(), `{"doctor":"d","program":"p","rank":1}`) {
		t.Errorf("runMatch wrote %s", out.String())
	}
	if code := runBenchMatch([]string{"--scale", "everywhere"}, &out, &errs); code != 2 {
		t.Errorf("runBenchMatch with an unknown scale: exit %d, want 2", code)
	}
}
