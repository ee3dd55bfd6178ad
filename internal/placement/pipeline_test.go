package placement

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
)

var t0 = time.Date(2026, 4, 1, 10, 0, 0, 0, jst)

// allStages lists every stage.
var allStages = append(slices.Clone(PipelineStages), OutcomeStages...)

func TestCanMove(t *testing.T) {
	// want lists, per from stage, every stage CanMove allows; all others
	// are refused.
	want := map[Stage][]Stage{
		StageLead:                  {StageConsultation, StageWithdrawnByDoctor, StageWithdrawnByAgent, StageOnHold},
		StageConsultation:          {StageCheckItems, StageWithdrawnByDoctor, StageWithdrawnByAgent, StageOnHold},
		StageCheckItems:            {StageIntroduced, StageWithdrawnByDoctor, StageWithdrawnByAgent, StageOnHold},
		StageIntroduced:            {StageInterview, StageWithdrawnByDoctor, StageDeclinedByInstitution, StageWithdrawnByAgent, StageOnHold},
		StageInterview:             {StageReview, StageWithdrawnByDoctor, StageDeclinedByInstitution, StageWithdrawnByAgent, StageOnHold},
		StageReview:                {StagePlaced, StageWithdrawnByDoctor, StageDeclinedByInstitution, StageWithdrawnByAgent, StageOnHold},
		StagePlaced:                nil,
		StageWithdrawnByDoctor:     nil,
		StageDeclinedByInstitution: nil,
		StageWithdrawnByAgent:      nil,
		StageOnHold:                {StageWithdrawnByDoctor, StageWithdrawnByAgent},
		"":                         nil,
		"bogus":                    nil,
	}
	for from, allowed := range want {
		for _, to := range append(slices.Clone(allStages), "", "bogus") {
			if got := CanMove(from, to); got != slices.Contains(allowed, to) {
				t.Errorf("CanMove(%q, %q) = %v, want %v", from, to, got, !got)
			}
		}
		if got := Moves(from); !reflect.DeepEqual(got, allowed) {
			t.Errorf("Moves(%q) = %v, want %v", from, got, allowed)
		}
	}
}

func TestNextAndReopen(t *testing.T) {
	for i, s := range PipelineStages {
		want := Stage("")
		if i+1 < len(PipelineStages) {
			want = PipelineStages[i+1]
		}
		if got := s.Next(); got != want {
			t.Errorf("%s.Next() = %q, want %q", s, got, want)
		}
	}
	for _, s := range OutcomeStages {
		if s.Next() != "" {
			t.Errorf("%s.Next() = %q", s, s.Next())
		}
	}
	reopenable := []Stage{StageWithdrawnByDoctor, StageDeclinedByInstitution, StageWithdrawnByAgent, StageOnHold}
	for _, s := range allStages {
		if got := CanReopen(s); got != slices.Contains(reopenable, s) {
			t.Errorf("CanReopen(%s) = %v", s, got)
		}
	}
}

func TestAdvance(t *testing.T) {
	tests := []struct {
		name string
		from Stage
		to   Stage
		code apperr.Code // "" for success
	}{
		{"lead to consultation", StageLead, StageConsultation, ""},
		{"consultation to check items", StageConsultation, StageCheckItems, ""},
		{"introduced to interview", StageIntroduced, StageInterview, ""},
		{"interview to review", StageInterview, StageReview, ""},
		{"skip a stage", StageLead, StageCheckItems, apperr.Conflict},
		{"backwards", StageInterview, StageIntroduced, apperr.Internal},
		{"introduce needs the gate", StageCheckItems, StageIntroduced, apperr.Internal},
		{"from an outcome", StageWithdrawnByDoctor, StageConsultation, apperr.Conflict},
		{"to an outcome", StageReview, StagePlaced, apperr.Conflict},
		{"stay", StageInterview, StageInterview, apperr.Conflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{ID: 7, Stage: tt.from, StageChangedAt: t0}
			at := t0.Add(time.Hour)
			ev, err := c.Advance(tt.to, 3, at)
			if got := apperr.CodeOf(err); got != tt.code {
				t.Fatalf("Advance error = %v (code %q), want code %q", err, got, tt.code)
			}
			if err != nil {
				if c.Stage != tt.from || !c.StageChangedAt.Equal(t0) {
					t.Errorf("a refused move changed the case: %+v", c)
				}
				return
			}
			want := Event{CaseID: 7, Kind: EventTransition, From: tt.from, To: tt.to, ActorID: 3, At: at}
			if ev != want {
				t.Errorf("event (-want +got):\n-%+v\n+%+v", want, ev)
			}
			if c.Stage != tt.to || !c.StageChangedAt.Equal(at) {
				t.Errorf("case at %s since %v", c.Stage, c.StageChangedAt)
			}
		})
	}
}

func TestIntroduce(t *testing.T) {
	problems := []string{"必須の確認事項「処方ができる」が未確認です。"}
	tests := []struct {
		name     string
		from     Stage
		problems []string
		reason   string
		code     apperr.Code
		field    string
		override bool
	}{
		{"ready", StageCheckItems, nil, "", "", "", false},
		{"ready ignores a reason", StageCheckItems, nil, "理由は書いたけれど不要です", "", "", false},
		{"problems without a reason", StageCheckItems, problems, "", apperr.Invalid, "override_reason", false},
		{"reason too short", StageCheckItems, problems, "　急ぎのため　", apperr.Invalid, "override_reason", false},
		{"reason too long", StageCheckItems, problems, strings.Repeat("長", MaxOverrideReason+1), apperr.Invalid, "override_reason", false},
		{"override with a reason", StageCheckItems, problems, "電話で処方経験を確認済み。書面は後日提出。", "", "", true},
		{"wrong stage", StageConsultation, nil, "", apperr.Conflict, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{ID: 9, Stage: tt.from, Override: &Override{Reason: "an earlier round"}}
			events, err := c.Introduce(tt.problems, tt.reason, 4, t0)
			if got := apperr.CodeOf(err); got != tt.code {
				t.Fatalf("Introduce error = %v, want code %q", err, tt.code)
			}
			if tt.field != "" {
				if _, ok := apperr.FieldsOf(err)[tt.field]; !ok {
					t.Errorf("fields = %v, want %s", apperr.FieldsOf(err), tt.field)
				}
			}
			if err != nil {
				if c.Stage != tt.from || c.Override == nil || c.IntroducedAt != nil {
					t.Errorf("a refused introduction changed the case: %+v", c)
				}
				return
			}
			if c.Stage != StageIntroduced || c.IntroducedAt == nil || !c.IntroducedAt.Equal(t0) {
				t.Errorf("case at %s, introduced %v", c.Stage, c.IntroducedAt)
			}
			last := events[len(events)-1]
			if last.Kind != EventTransition || last.From != StageCheckItems || last.To != StageIntroduced {
				t.Errorf("last event = %+v", last)
			}
			if !tt.override {
				if c.Override != nil || len(events) != 1 {
					t.Errorf("override %+v, %d events; want none, 1", c.Override, len(events))
				}
				return
			}
			wantOv := &Override{Reason: tt.reason, Problems: problems, By: 4, At: t0}
			if !reflect.DeepEqual(c.Override, wantOv) {
				t.Errorf("override (-want +got):\n-%+v\n+%+v", wantOv, c.Override)
			}
			if len(events) != 2 || events[0].Kind != EventOverride || !strings.Contains(events[0].Detail, problems[0]) {
				t.Errorf("events = %+v", events)
			}
		})
	}
}

func TestClose(t *testing.T) {
	tests := []struct {
		name   string
		from   Stage
		o      Outcome
		code   apperr.Code
		fields []string
		detail string
	}{
		{"placed from review", StageReview, Outcome{Stage: StagePlaced, StartDate: "２０２６-０５-０１", Reason: ReasonOther}, "", nil, "勤務開始日: 2026-05-01"},
		{"placed needs a start date", StageReview, Outcome{Stage: StagePlaced}, apperr.Invalid, []string{"start_date"}, ""},
		{"placed needs a real date", StageReview, Outcome{Stage: StagePlaced, StartDate: "2026-02-30"}, apperr.Invalid, []string{"start_date"}, ""},
		{"placed only from review", StageInterview, Outcome{Stage: StagePlaced, StartDate: "2026-05-01"}, apperr.Conflict, nil, ""},
		{"doctor withdraws at lead", StageLead, Outcome{Stage: StageWithdrawnByDoctor, Reason: ReasonDoctorWish}, "", nil, "理由: 医師の希望"},
		{"agent withdraws at review", StageReview, Outcome{Stage: StageWithdrawnByAgent, Reason: ReasonPatientSafety, Note: "当直経験が不足"}, "", nil, "理由: 患者様のため（確認事項を満たさない）\n当直経験が不足"},
		{"withdrawal needs a reason", StageConsultation, Outcome{Stage: StageWithdrawnByDoctor}, apperr.Invalid, []string{"reason"}, ""},
		{"unknown reason", StageConsultation, Outcome{Stage: StageWithdrawnByDoctor, Reason: "bored"}, apperr.Invalid, []string{"reason"}, ""},
		{"other needs a note", StageInterview, Outcome{Stage: StageDeclinedByInstitution, Reason: ReasonOther, Note: "  "}, apperr.Invalid, []string{"note"}, ""},
		{"other with a note", StageInterview, Outcome{Stage: StageDeclinedByInstitution, Reason: ReasonOther, Note: "院長交代のため"}, "", nil, "理由: その他\n院長交代のため"},
		{"institution declines only after introduction", StageCheckItems, Outcome{Stage: StageDeclinedByInstitution, Reason: ReasonFilled}, apperr.Conflict, nil, ""},
		{"on hold without a reason", StageCheckItems, Outcome{Stage: StageOnHold, StartDate: "2026-05-01"}, "", nil, ""},
		{"on hold from on hold", StageOnHold, Outcome{Stage: StageOnHold}, apperr.Conflict, nil, ""},
		{"withdrawn while on hold", StageOnHold, Outcome{Stage: StageWithdrawnByDoctor, Reason: ReasonLocation}, "", nil, "理由: 勤務地"},
		{"nothing after placed", StagePlaced, Outcome{Stage: StageWithdrawnByDoctor, Reason: ReasonDoctorWish}, apperr.Conflict, nil, ""},
		{"not an outcome", StageLead, Outcome{Stage: StageConsultation}, apperr.Invalid, []string{"stage"}, ""},
		{"note too long", StageLead, Outcome{Stage: StageOnHold, Note: strings.Repeat("あ", MaxNote+1)}, apperr.Invalid, []string{"note"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Case{ID: 2, Stage: tt.from}
			ev, err := c.Close(tt.o, 5, t0)
			if got := apperr.CodeOf(err); got != tt.code {
				t.Fatalf("Close error = %v, want code %q", err, tt.code)
			}
			var fields []string
			for k := range apperr.FieldsOf(err) {
				fields = append(fields, k)
			}
			slices.Sort(fields)
			if !slices.Equal(fields, tt.fields) {
				t.Errorf("fields = %v, want %v", apperr.FieldsOf(err), tt.fields)
			}
			if err != nil {
				if c.Stage != tt.from || c.Outcome != nil {
					t.Errorf("a refused outcome changed the case: %+v", c)
				}
				return
			}
			if c.Stage != tt.o.Stage || c.Outcome == nil || c.Outcome.By != 5 || !c.Outcome.At.Equal(t0) {
				t.Fatalf("case at %s with outcome %+v", c.Stage, c.Outcome)
			}
			if tt.o.Stage == StagePlaced && (c.Outcome.Reason != "" || c.Outcome.StartDate != "2026-05-01") {
				t.Errorf("placed outcome not normalised: %+v", c.Outcome)
			}
			if tt.o.Stage != StagePlaced && c.Outcome.StartDate != "" {
				t.Errorf("start date kept for %s", tt.o.Stage)
			}
			want := Event{CaseID: 2, Kind: EventTransition, From: tt.from, To: tt.o.Stage, Detail: tt.detail, ActorID: 5, At: t0}
			if ev != want {
				t.Errorf("event (-want +got):\n-%+v\n+%+v", want, ev)
			}
			if (tt.o.Stage == StageOnHold) != c.Open() {
				t.Errorf("Open() = %v for %s", c.Open(), c.Stage)
			}
		})
	}
}

func TestHoldAndResume(t *testing.T) {
	c := &Case{ID: 3, Stage: StageInterview}
	var timeline []Event
	ev, err := c.Close(Outcome{Stage: StageOnHold, Note: "医師の体調不良"}, 1, t0)
	if err != nil {
		t.Fatal(err)
	}
	timeline = append(timeline, Event{Kind: EventTransition, From: StageLead, To: StageOnHold, At: t0.Add(-48 * time.Hour)}, ev,
		Event{Kind: EventChecklist, At: t0.Add(time.Hour)})
	if held, ok := HeldFrom(timeline); !ok || held != StageInterview {
		t.Fatalf("HeldFrom = %q, %v; want interview", held, ok)
	}
	ev, err = c.Resume(timeline, 2, t0.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if c.Stage != StageInterview || c.Outcome != nil {
		t.Errorf("resumed case at %s with outcome %+v", c.Stage, c.Outcome)
	}
	if ev.From != StageOnHold || ev.To != StageInterview || ev.Kind != EventTransition {
		t.Errorf("resume event = %+v", ev)
	}
	if _, err := c.Resume(timeline, 2, t0); apperr.CodeOf(err) != apperr.Conflict {
		t.Errorf("resuming an open case: %v", err)
	}
	lost := &Case{ID: 4, Stage: StageOnHold}
	if _, err := lost.Resume(nil, 2, t0); apperr.CodeOf(err) != apperr.Internal {
		t.Errorf("resuming without a timeline: %v", err)
	}
	if _, ok := HeldFrom(nil); ok {
		t.Error("HeldFrom(nil) found a stage")
	}
}

func TestReopen(t *testing.T) {
	for _, from := range allStages {
		t.Run(string(from), func(t *testing.T) {
			at := t0.Add(time.Hour)
			c := &Case{ID: 8, Stage: from, Round: 1, IntroducedAt: &t0,
				Outcome: &Outcome{Stage: from}, Override: &Override{Reason: "x"},
				DoctorReview: &Conclusion{Verdict: VerdictDecline}, AgentReview: &Conclusion{Verdict: VerdictDecline}}
			ev, err := c.Reopen(6, at)
			if !CanReopen(from) {
				if apperr.CodeOf(err) != apperr.Conflict || c.Stage != from || c.Round != 1 {
					t.Errorf("Reopen from %s: err %v, case at %s round %d", from, err, c.Stage, c.Round)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := Event{CaseID: 8, Kind: EventReopened, From: from, To: StageConsultation, Detail: "2回目", ActorID: 6, At: at}
			if ev != want {
				t.Errorf("event (-want +got):\n-%+v\n+%+v", want, ev)
			}
			if c.Stage != StageConsultation || c.Round != 2 || c.Outcome != nil || c.Override != nil ||
				c.DoctorReview != nil || c.AgentReview != nil || c.IntroducedAt == nil {
				t.Errorf("reopened case = %+v", c)
			}
		})
	}
	c := &Case{Stage: StageWithdrawnByAgent} // Round not set yet
	if _, err := c.Reopen(1, t0); err != nil || c.Round != 2 {
		t.Errorf("Reopen of a round-0 case: round %d, err %v", c.Round, err)
	}
}
