// Package match is Hakui's stable-matching engine: doctor-proposing deferred
// acceptance with program capacities (da), the Japan Residency Matching
// Program's mechanism with regional caps (jrmp), and Kamada and Kojima's
// flexible deferred acceptance (fda), with a verifier and explanations for
// the doctors it places.
//
// The package is pure: it reads and writes JSON through io.Reader and
// io.Writer and touches nothing else, so the prefectures' 地域枠 placement
// and the national match share one tested engine.
package match

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Mechanism names a matching mechanism.
type Mechanism string

// The mechanisms. All are doctor-proposing.
const (
	// DA is deferred acceptance with program capacities; it ignores regional
	// caps and gives the doctor-optimal stable matching.
	DA Mechanism = "da"
	// JRMP is the Japan Residency Matching Program's mechanism: DA with each
	// program's capacity replaced by its target (see Targets).
	JRMP Mechanism = "jrmp"
	// FDA is Kamada and Kojima's flexible deferred acceptance: programs fill
	// their targets first, then take the region's remaining seats in turns.
	FDA Mechanism = "fda"
)

// Valid reports whether m names a mechanism.
func (m Mechanism) Valid() bool {
	return m == DA || m == JRMP || m == FDA
}

// Input is a matching problem as read from JSON.
type Input struct {
	// Mechanism is optional here; a caller may supply it instead.
	Mechanism Mechanism `json:"mechanism,omitempty"`
	Regions   []Region  `json:"regions,omitempty"`
	Programs  []Program `json:"programs"`
	Doctors   []Doctor  `json:"doctors"`
}

// Region is a set of programs whose total placement is capped, such as a
// prefecture or one of its 二次医療圏.
type Region struct {
	ID  string `json:"id"`
	Cap int    `json:"cap"`
}

// Program is a residency program or a placement slot at a hospital.
type Program struct {
	ID       string `json:"id"`
	Capacity int    `json:"capacity"`
	// Target, when set, replaces the program's computed target.
	Target *int `json:"target,omitempty"`
	// Region is empty when the program is under no regional cap.
	Region string `json:"region,omitempty"`
	// Ranking lists the doctors the program accepts, best first.
	Ranking []string `json:"ranking"`
}

// Doctor is a doctor taking part in the match.
type Doctor struct {
	ID string `json:"id"`
	// Ranking lists the programs the doctor accepts, best first.
	Ranking []string `json:"ranking"`
}

// Decode reads one JSON input strictly: unknown fields and anything after
// the object are refused. It checks the shape only; call Validate or
// NewInstance to check the content.
func Decode(r io.Reader) (*Input, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var in Input
	if err := dec.Decode(&in); err != nil {
		return nil, decodeError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("match: decode input: unexpected data after the JSON object")
	}
	return &in, nil
}

// decodeError adds the position to the JSON errors that lack it.
func decodeError(err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		return fmt.Errorf("match: decode input: %w (at byte %d)", err, syn.Offset)
	}
	if errors.Is(err, io.EOF) {
		return errors.New("match: decode input: empty input")
	}
	return fmt.Errorf("match: decode input: %w", err)
}

// Problem is one thing wrong with an input, tied to the object it concerns.
type Problem struct {
	// Kind is "mechanism", "region", "program" or "doctor".
	Kind string `json:"kind"`
	// ID is the object's id; an object without an id is named by Index.
	ID    string `json:"id"`
	Index int    `json:"index"`
	// Message says what is wrong.
	Message string `json:"message"`
}

// String names the object and says what is wrong, as the CLI prints it.
func (p Problem) String() string {
	if p.Kind == "mechanism" {
		return fmt.Sprintf("mechanism %q: %s", p.ID, p.Message)
	}
	if p.ID == "" {
		return fmt.Sprintf("%s at index %d: %s", p.Kind, p.Index, p.Message)
	}
	return fmt.Sprintf("%s %q: %s", p.Kind, p.ID, p.Message)
}

// ValidationError lists every problem found in an input, in input order.
type ValidationError struct {
	Problems []Problem
}

// Error joins the problems on one line; callers wanting one a line range
// over Problems.
func (e *ValidationError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return "match: invalid input: " + strings.Join(lines, "; ")
}

// Validate checks the input's content and returns a *ValidationError naming
// every problem: unknown or duplicate ids, an id ranked twice, a negative
// capacity, cap or target, a target above its capacity, explicit targets
// that add up to more than their region's cap, and an unknown mechanism.
func (in *Input) Validate() error {
	_, err := NewInstance(in)
	return err
}
