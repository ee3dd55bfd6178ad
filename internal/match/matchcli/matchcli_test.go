package matchcli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/match"
)

const example = "../testdata/okayama.json"

func run(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		stdin     string
		args      []string
		code      int
		out, errs []string // substrings expected in stdout and stderr
	}{
		{
			name: "fda from the file's field",
			args: []string{"--in", example},
			out:  []string{`"mechanism": "fda"`, `{"doctor":"石田","program":"真庭D病院","rank":3}`, `{"id":"県南東部","filled":2,"cap":2}`},
		},
		{
			name: "the flag overrides the field",
			args: []string{"--in", example, "--mechanism", "da"},
			out:  []string{`"mechanism": "da"`, `{"doctor":"石田","program":"県南A病院","rank":1}`},
		},
		{
			name:  "standard input",
			stdin: `{"programs":[{"id":"p","capacity":1,"ranking":["d"]}],"doctors":[{"id":"d","ranking":["p"]}]}`,
			args:  []string{"--mechanism", "da", "--in", "-"},
			out:   []string{`{"doctor":"d","program":"p","rank":1}`},
		},
		{
			name: "verify reports on standard error",
			args: []string{"--in", example, "--mechanism", "jrmp", "--verify"},
			out:  []string{`"mechanism": "jrmp"`},
			errs: []string{"verify jrmp: ok", "blocking pairs: 0"},
		},
		{
			name: "verify notes da over the cap",
			args: []string{"--in", example, "--mechanism", "da", "--verify"},
			errs: []string{"verify da: ok", `region "県南東部" holds 3 doctors, above its cap 2 (da ignores regional caps)`},
		},
		{
			name: "explain as text",
			args: []string{"--in", example, "--explain", "石田"},
			out:  []string{"石田: matched to 真庭D病院, their choice 3, under fda", "regional cap reached (地域上限)", "the lowest of them is 松本"},
		},
		{
			name: "explain as JSON",
			args: []string{"--in", example, "--explain", "石田", "--json", "--mechanism", "jrmp"},
			out:  []string{`"kind": "full"`, `"lowest": "中村"`, `"region": "県南東部"`},
		},
		{
			name:  "invalid input names every problem",
			stdin: `{"mechanism":"da","programs":[{"id":"p","capacity":-1,"ranking":["x","x"]}],"doctors":[{"id":"d","ranking":["q"]}]}`,
			code:  ExitInvalid,
			errs: []string{`program "p": negative capacity -1`, `program "p": ranks unknown doctor "x"`,
				`doctor "d": ranks unknown program "q"`},
		},
		{
			name:  "malformed JSON",
			stdin: `{"mechanism":"da",`,
			code:  ExitInvalid,
			errs:  []string{"invalid input"},
		},
		{
			name:  "unknown field",
			stdin: `{"mechanism":"da","programs":[],"doctors":[],"year":2026}`,
			code:  ExitInvalid,
			errs:  []string{`unknown field "year"`},
		},
		{
			name: "unknown mechanism",
			args: []string{"--in", example, "--mechanism", "boston"},
			code: ExitInvalid,
			errs: []string{`mechanism "boston": unknown mechanism`},
		},
		{
			name:  "no mechanism anywhere",
			stdin: `{"programs":[],"doctors":[]}`,
			code:  ExitInvalid,
			errs:  []string{"no mechanism"},
		},
		{
			name: "explain an unknown doctor",
			args: []string{"--in", example, "--explain", "佐藤"},
			code: ExitInvalid,
			errs: []string{`unknown doctor "佐藤"`},
		},
		{
			name: "missing file",
			args: []string{"--in", "no-such-file.json"},
			code: ExitFailed,
			errs: []string{"no-such-file.json"},
		},
		{
			name: "stray argument",
			args: []string{"--in", example, "extra"},
			code: ExitInvalid,
			errs: []string{`unexpected argument "extra"`},
		},
		{
			name: "unknown flag",
			args: []string{"--fast"},
			code: ExitInvalid,
			errs: []string{"flag provided but not defined: -fast"},
		},
		{
			name: "help",
			args: []string{"-h"},
			errs: []string{"usage: hakui match"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := run(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstderr: %s", code, tt.code, errs)
			}
			for _, s := range tt.out {
				if !strings.Contains(out, s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tt.errs {
				if !strings.Contains(errs, s) {
					t.Errorf("stderr lacks %q:\n%s", s, errs)
				}
			}
		})
	}
}

// TestRunOutFile checks --out, byte-identical output across runs, and that
// an invalid run leaves an earlier result alone.
func TestRunOutFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "result.json")
	var first []byte
	for i := range 2 {
		if code, _, errs := run(t, "", "--in", example, "--out", path); code != ExitOK {
			t.Fatalf("exit %d: %s", code, errs)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var o match.Output
		if err := json.Unmarshal(got, &o); err != nil {
			t.Fatalf("output is not JSON: %v", err)
		}
		if i == 0 {
			first = got
		} else if !bytes.Equal(first, got) {
			t.Error("two runs wrote different bytes")
		}
	}
	if code, _, _ := run(t, `{"mechanism":"da","programs":[{"id":""}]}`, "--out", path); code != ExitInvalid {
		t.Fatalf("exit %d, want %d", code, ExitInvalid)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, first) {
		t.Error("an invalid run overwrote the result")
	}
}

func TestBench(t *testing.T) {
	var out, errs bytes.Buffer
	if code := Bench([]string{"--scale", "tokyo"}, &out, &errs); code != ExitInvalid {
		t.Errorf("unknown scale: exit %d, want %d", code, ExitInvalid)
	}
	if testing.Short() {
		t.Skip("the jrmp-scale run in -short mode")
	}
	out.Reset()
	// Exit 1 only means a time budget was missed, as it can be under -race.
	if code := Bench([]string{"--scale", "jrmp", "--runs", "1"}, &out, &errs); code == ExitInvalid {
		t.Fatalf("exit %d: %s", code, errs.String())
	}
	for _, s := range []string{"10000 doctors, 1400 programs, 47 regions", "solve fda", "whole command jrmp", "verify", "peak RSS"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, out.String())
		}
	}
	if strings.Contains(out.String(), "FAILED") {
		t.Errorf("verification failed:\n%s", out.String())
	}
}
