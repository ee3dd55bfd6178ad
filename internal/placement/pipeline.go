package placement

import (
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// Next returns the pipeline stage after s: lead → consultation →
// check_items → introduced → interview → review. It returns "" after review
// and for the outcomes: a case leaves review only with an outcome.
func (s Stage) Next() Stage {
	i := slices.Index(PipelineStages, s)
	if i < 0 || i == len(PipelineStages)-1 {
		return ""
	}
	return PipelineStages[i+1]
}

// CanMove reports whether a case at from may move to to by an ordinary
// move: the next pipeline stage, or an outcome allowed from from:
//
//   - placed (成約) only from review;
//   - withdrawn_by_doctor and withdrawn_by_agent from every pipeline stage,
//     and from on_hold: a held case the doctor gives up ends without first
//     being resumed, which would put a stay that never happened in the
//     reports;
//   - declined_by_institution from introduced, interview and review: the
//     institution knows the doctor only from the introduction on;
//   - on_hold from every pipeline stage.
//
// Resuming a held case and reopening a closed one are not ordinary moves:
// see Case.Resume and Case.Reopen. placed is final.
func CanMove(from, to Stage) bool {
	switch to {
	case StagePlaced:
		return from == StageReview
	case StageWithdrawnByDoctor, StageWithdrawnByAgent:
		return from.InPipeline() || from == StageOnHold
	case StageDeclinedByInstitution:
		return from == StageIntroduced || from == StageInterview || from == StageReview
	case StageOnHold:
		return from.InPipeline()
	}
	return to != "" && from.Next() == to
}

// Moves returns the stages a case at from may move to by CanMove: the next
// pipeline stage first, then the outcomes in the order of OutcomeStages.
func Moves(from Stage) []Stage {
	var out []Stage
	if next := from.Next(); next != "" {
		out = append(out, next)
	}
	for _, s := range OutcomeStages {
		if CanMove(from, s) {
			out = append(out, s)
		}
	}
	return out
}

// CanReopen reports whether a case at from may be reopened: after a
// withdrawal, a decline or while on hold. placed is final.
func CanReopen(from Stage) bool {
	switch from {
	case StageWithdrawnByDoctor, StageWithdrawnByAgent, StageDeclinedByInstitution, StageOnHold:
		return true
	}
	return false
}

// MinOverrideReason is the least number of characters of the written reason
// an override of the readiness gate needs; MaxOverrideReason the most.
const (
	MinOverrideReason = 10
	MaxOverrideReason = 1000
)

// errIntroduceWithAdvance is returned when Advance is asked to introduce:
// an introduction must pass the readiness gate (Introduce).
var errIntroduceWithAdvance = errors.New("placement: Advance cannot introduce; use Introduce")

// stageConflict is the error for a move the case's stage does not allow;
// usually another user moved the case first.
func stageConflict(from, to Stage) error {
	return apperr.E(apperr.Conflict, "この案件は現在「%s」のため、「%s」にはできません。画面を更新して確認してください。",
		from.Label(), to.Label())
}

// move sets c's stage and returns the timeline entry.
func (c *Case) move(to Stage, kind EventKind, detail string, by int64, at time.Time) Event {
	ev := Event{CaseID: c.ID, Kind: kind, From: c.Stage, To: to, Detail: detail, ActorID: by, At: at}
	c.Stage, c.StageChangedAt = to, at
	return ev
}

// Advance moves c to the next pipeline stage to and returns the transition
// to record. It refuses a stage that is not next with a Conflict error, and
// the introduction, which only Introduce makes.
func (c *Case) Advance(to Stage, by int64, at time.Time) (Event, error) {
	if to == StageIntroduced {
		return Event{}, errIntroduceWithAdvance
	}
	if !to.InPipeline() || c.Stage.Next() != to {
		return Event{}, stageConflict(c.Stage, to)
	}
	return c.move(to, EventTransition, "", by, at), nil
}

// Introduce moves c from check_items to introduced (紹介). problems are what
// Readiness found; when there are any, the agent must override the gate
// with a written reason of at least MinOverrideReason characters, which
// c.Override records together with the problems; an Invalid error with the
// field "override_reason" says what is missing. Without problems the reason
// is ignored and no override is recorded.
//
// It returns the entries to record: the override (if any), then the
// transition.
func (c *Case) Introduce(problems []string, overrideReason string, by int64, at time.Time) ([]Event, error) {
	if c.Stage != StageCheckItems {
		return nil, stageConflict(c.Stage, StageIntroduced)
	}
	var events []Event
	var ov *Override
	if len(problems) > 0 {
		reason := jatext.Normalize(overrideReason)
		switch n := utf8.RuneCountInString(reason); {
		case n < MinOverrideReason:
			return nil, apperr.InvalidFields(map[string]string{"override_reason": fmt.Sprintf(
				"確認できていない点があります。それでも紹介する理由を%d文字以上で書いてください。", MinOverrideReason)})
		case n > MaxOverrideReason:
			return nil, apperr.InvalidFields(map[string]string{"override_reason": fmt.Sprintf(
				"理由は%d文字以内にしてください。", MaxOverrideReason)})
		}
		ov = &Override{Reason: reason, Problems: slices.Clone(problems), By: by, At: at}
		events = append(events, Event{CaseID: c.ID, Kind: EventOverride, Detail: overrideDetail(ov), ActorID: by, At: at})
	}
	t := at
	c.Override, c.IntroducedAt = ov, &t
	return append(events, c.move(StageIntroduced, EventTransition, "", by, at)), nil
}

// overrideDetail summarises an override for the timeline.
func overrideDetail(o *Override) string {
	d := "理由: " + o.Reason + "\n確認できていない点:"
	for _, p := range o.Problems {
		d += "\n・" + p
	}
	return d
}

// Close ends c with the outcome o: placed, a withdrawal, the institution's
// decline, or on_hold. It normalises o (Outcome.Validate) and returns an
// Invalid error with its per-field messages, or a Conflict error when the
// case's stage does not allow the outcome (CanMove). by and at fill o.By
// and o.At.
func (c *Case) Close(o Outcome, by int64, at time.Time) (Event, error) {
	if fields := o.Validate(); len(fields) > 0 {
		return Event{}, apperr.InvalidFields(fields)
	}
	if !CanMove(c.Stage, o.Stage) {
		return Event{}, stageConflict(c.Stage, o.Stage)
	}
	o.By, o.At = by, at
	c.Outcome = &o
	return c.move(o.Stage, EventTransition, outcomeDetail(o), by, at), nil
}

// outcomeDetail summarises an outcome for the timeline.
func outcomeDetail(o Outcome) string {
	var d string
	switch {
	case o.Stage == StagePlaced:
		d = "勤務開始日: " + o.StartDate
	case o.Reason != "":
		d = "理由: " + o.Reason.Label()
	}
	if o.Note != "" {
		if d != "" {
			d += "\n"
		}
		d += o.Note
	}
	return d
}

// HeldFrom returns the stage a case on hold was held at: the From of the
// latest transition into on_hold in its timeline (by At; among equal times,
// the later entry). ok is false when the timeline has none.
func HeldFrom(timeline []Event) (stage Stage, ok bool) {
	var last *Event
	for i := range timeline {
		e := &timeline[i]
		if e.Kind == EventTransition && e.To == StageOnHold && (last == nil || !e.At.Before(last.At)) {
			last = e
		}
	}
	if last == nil {
		return "", false
	}
	return last.From, true
}

// Resume returns a case on hold to the stage it was held at (HeldFrom of
// timeline) and clears its outcome. It returns a Conflict error when c is
// not on hold, and an Internal error when the timeline does not say where
// the case was held.
func (c *Case) Resume(timeline []Event, by int64, at time.Time) (Event, error) {
	if c.Stage != StageOnHold {
		return Event{}, apperr.E(apperr.Conflict, "この案件は保留中ではありません。画面を更新して確認してください。")
	}
	held, ok := HeldFrom(timeline)
	if !ok || !held.InPipeline() {
		return Event{}, apperr.Wrap(fmt.Errorf("placement: case %d: no transition into on_hold from a pipeline stage", c.ID),
			"保留前の段階が分からないため、再開できません。")
	}
	c.Outcome = nil
	return c.move(held, EventTransition, "保留から再開", by, at), nil
}

// Reopen starts a new round of a withdrawn, declined or held case (see
// CanReopen): it returns to consultation with Round incremented, and the
// outcome, the override and both reviews of the last round are cleared
// (they stay in the timeline). IntroducedAt is kept: the institution knows
// the doctor already; Introduce sets it again. It returns a Conflict error
// for any other stage. The entry to record has the kind EventReopened, with
// From and To set like a transition.
func (c *Case) Reopen(by int64, at time.Time) (Event, error) {
	if !CanReopen(c.Stage) {
		return Event{}, apperr.E(apperr.Conflict, "「%s」の案件は再開できません。", c.Stage.Label())
	}
	c.Round = max(c.Round, 1) + 1
	c.Outcome, c.Override, c.DoctorReview, c.AgentReview = nil, nil, nil, nil
	return c.move(StageConsultation, EventReopened, fmt.Sprintf("%d回目", c.Round), by, at), nil
}
