package placement

import (
	"cmp"
	"slices"
	"time"
)

// Period is the half-open interval of time [From, To) a report covers.
type Period struct {
	From time.Time
	To   time.Time
}

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool { return !t.Before(p.From) && t.Before(p.To) }

// ReportFilter selects what a report counts.
type ReportFilter struct {
	Period   Period
	AgencyID int64 // keeps the agency's cases; 0 keeps every case given
	AgentID  int64 // keeps the cases of the agent in charge; 0 keeps every agent's
}

// FunnelStages are the steps of a report's funnel: the pipeline stages,
// then placed.
var FunnelStages = append(slices.Clone(PipelineStages), StagePlaced)

// Report is an agency's pipeline over a period. Its three parts count
// different things, each the way it reads best:
//
//   - Funnel: the cohort of cases created in the period, and how far each
//     had got by the period's end;
//   - Times: the stays in each pipeline stage that ended in the period,
//     whenever they began;
//   - Outcomes: the cases whose outcome was recorded in the period.
type Report struct {
	Filter   ReportFilter
	Funnel   []FunnelStep // one per FunnelStages, in order
	Times    []StageTime  // one per PipelineStages, in order
	Outcomes []OutcomeCount
}

// FunnelStep is how many cases of the cohort reached a step of the funnel.
// A case that reached a stage also counts for the stages before it, even
// if it was created past them, so the counts never grow down the funnel.
type FunnelStep struct {
	Stage   Stage
	Reached int
	// Conversion is the percentage of Reached that also reached the next
	// step; 0 for the last step and when Reached is 0.
	Conversion float64
}

// StageTime is the time cases spent in a pipeline stage: from the
// transition into it to the transition out of it (on to the next stage, to
// an outcome, or on hold). Time on hold counts for no stage. A stay still
// running at the period's end has no duration yet: it is censored, counted
// in Ongoing and left out of the median, which would otherwise depend on
// when the report is run.
type StageTime struct {
	Stage   Stage
	Count   int           // stays that ended in the period (a reopened case may stay twice)
	Median  time.Duration // of those stays; 0 when Count is 0
	Ongoing int           // stays still running at the period's end
}

// OutcomeCount is how many cases ended with an outcome and a reason.
type OutcomeCount struct {
	Stage  Stage
	Reason Reason // "" for placed, and on_hold without a reason
	Count  int
}

// BuildReport computes a report over cases and their timelines (the events
// of every case, in any order; those of other cases are ignored). Stays
// follow from the stage changes, the entries of kind transition and
// reopened with a valid To, taken in the order of At (entries at the same
// time in the order given), and only those before the period's end. A case
// enters its first stage at its created entry when that has a To, else at
// CreatedAt, in the From of its first stage change (its current Stage when
// it has none).
//
// Outcomes are the cases' current outcomes (Case.Outcome) recorded in the
// period, by stage (on_hold included) and reason: a case reopened since
// counts only under its latest outcome, since a timeline entry does not
// carry a reason code.
func BuildReport(f ReportFilter, cases []Case, timeline []Event) Report {
	byCase := map[int64][]Event{}
	for _, e := range timeline {
		byCase[e.CaseID] = append(byCase[e.CaseID], e)
	}
	reached := make([]int, len(FunnelStages))
	durations := map[Stage][]time.Duration{}
	ongoing := map[Stage]int{}
	outcomes := map[OutcomeCount]int{}
	for i := range cases {
		c := &cases[i]
		if (f.AgencyID != 0 && c.AgencyID != f.AgencyID) || (f.AgentID != 0 && c.AgentID != f.AgentID) {
			continue
		}
		stays := staysOf(c, byCase[c.ID], f.Period.To)
		if f.Period.Contains(c.CreatedAt) {
			furthest := -1
			for _, s := range stays {
				furthest = max(furthest, slices.Index(FunnelStages, s.stage))
			}
			for j := 0; j <= furthest; j++ {
				reached[j]++
			}
		}
		for _, s := range stays {
			switch {
			case !s.stage.InPipeline():
			case !s.ended:
				ongoing[s.stage]++
			case f.Period.Contains(s.end):
				durations[s.stage] = append(durations[s.stage], max(s.end.Sub(s.start), 0))
			}
		}
		if o := c.Outcome; o != nil && f.Period.Contains(o.At) {
			outcomes[OutcomeCount{Stage: o.Stage, Reason: o.Reason}]++
		}
	}

	r := Report{Filter: f}
	for i, st := range FunnelStages {
		step := FunnelStep{Stage: st, Reached: reached[i]}
		if i+1 < len(FunnelStages) && reached[i] > 0 {
			step.Conversion = 100 * float64(reached[i+1]) / float64(reached[i])
		}
		r.Funnel = append(r.Funnel, step)
	}
	for _, st := range PipelineStages {
		d := durations[st]
		r.Times = append(r.Times, StageTime{Stage: st, Count: len(d), Median: median(d), Ongoing: ongoing[st]})
	}
	for oc, n := range outcomes {
		oc.Count = n
		r.Outcomes = append(r.Outcomes, oc)
	}
	slices.SortFunc(r.Outcomes, func(a, b OutcomeCount) int {
		return cmp.Or(
			cmp.Compare(order(OutcomeStages, a.Stage), order(OutcomeStages, b.Stage)),
			cmp.Compare(order(Reasons, a.Reason), order(Reasons, b.Reason)),
			cmp.Compare(a.Stage, b.Stage), cmp.Compare(a.Reason, b.Reason))
	})
	return r
}

// order returns the position of v in list; unknown values sort last and ""
// first.
func order[T comparable](list []T, v T) int {
	var zero T
	if v == zero {
		return -1
	}
	if i := slices.Index(list, v); i >= 0 {
		return i
	}
	return len(list)
}

// stay is a time a case spent in one stage.
type stay struct {
	stage      Stage
	start, end time.Time
	ended      bool
}

// staysOf returns the stays of c before until, from its timeline events.
func staysOf(c *Case, events []Event, until time.Time) []stay {
	var changes []Event
	var created *Event
	for i := range events {
		e := &events[i]
		if !e.At.Before(until) {
			continue
		}
		switch {
		case e.Kind == EventCreated && e.To.Valid() && created == nil:
			created = e
		case (e.Kind == EventTransition || e.Kind == EventReopened) && e.To.Valid():
			changes = append(changes, *e)
		}
	}
	slices.SortStableFunc(changes, func(a, b Event) int { return a.At.Compare(b.At) })

	var cur stay
	switch {
	case created != nil:
		cur = stay{stage: created.To, start: created.At}
	case !c.CreatedAt.Before(until):
		return nil
	case len(changes) > 0:
		cur = stay{stage: changes[0].From, start: c.CreatedAt}
	default:
		cur = stay{stage: c.Stage, start: c.CreatedAt}
	}
	var out []stay
	for _, e := range changes {
		cur.end, cur.ended = e.At, true
		out = append(out, cur)
		cur = stay{stage: e.To, start: e.At}
	}
	return append(out, cur)
}

// median returns the median of d, the mean of the middle two for an even
// count, and 0 for none. It sorts d.
func median(d []time.Duration) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	n := len(d)
	if n%2 == 1 {
		return d[n/2]
	}
	return d[n/2-1] + (d[n/2]-d[n/2-1])/2
}
