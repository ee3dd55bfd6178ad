package placement

import (
	"bytes"
	"encoding/csv"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/hakui-dev/hakui/internal/openings"
)

// at is 10:00 JST on the date.
func at(date string) time.Time { return day(date).Add(10 * time.Hour) }

// reportFixture is an agency's April: the cases and their timelines.
//
//	c1 lead 4/1 → consultation 4/3 → check_items 4/5 → introduced 4/10 → interview 4/12 → review 4/15 → placed 4/20
//	c2 lead 4/2 → consultation 4/4 → withdrawn_by_doctor 4/6 (conditions)
//	c3 created at consultation 4/3 → check_items 4/8, still there
//	c4 created 3/15: lead → consultation 3/20 → check_items 4/2 → on_hold 4/9 → resumed 4/11, still there
//	c5 (agent 20) lead 4/5 → consultation 4/7 → withdrawn_by_agent 4/8 (patient_safety)
//	c6 another agency; c7 created in May; c8 created 4/20, moves only in May
func reportFixture() ([]Case, []Event) {
	tr := func(id int64, from, to Stage, date string) Event {
		return Event{CaseID: id, Kind: EventTransition, From: from, To: to, At: at(date)}
	}
	cases := []Case{
		{ID: 1, AgencyID: 1, AgentID: 10, CreatedAt: at("2026-04-01"), Stage: StagePlaced,
			Outcome: &Outcome{Stage: StagePlaced, StartDate: "2026-06-01", At: at("2026-04-20")}},
		{ID: 2, AgencyID: 1, AgentID: 10, CreatedAt: at("2026-04-02"), Stage: StageWithdrawnByDoctor,
			Outcome: &Outcome{Stage: StageWithdrawnByDoctor, Reason: ReasonConditions, At: at("2026-04-06")}},
		{ID: 3, AgencyID: 1, AgentID: 10, CreatedAt: at("2026-04-03"), Stage: StageCheckItems},
		{ID: 4, AgencyID: 1, AgentID: 10, CreatedAt: at("2026-03-15"), Stage: StageCheckItems},
		{ID: 5, AgencyID: 1, AgentID: 20, CreatedAt: at("2026-04-05"), Stage: StageWithdrawnByAgent,
			Outcome: &Outcome{Stage: StageWithdrawnByAgent, Reason: ReasonPatientSafety, At: at("2026-04-08")}},
		{ID: 6, AgencyID: 2, AgentID: 30, CreatedAt: at("2026-04-01"), Stage: StageConsultation},
		{ID: 7, AgencyID: 1, AgentID: 10, CreatedAt: at("2026-05-02"), Stage: StageLead},
		{ID: 8, AgencyID: 1, AgentID: 10, CreatedAt: at("2026-04-20"), Stage: StageConsultation},
	}
	events := []Event{
		{CaseID: 1, Kind: EventCreated, To: StageLead, At: at("2026-04-01")},
		tr(1, StageLead, StageConsultation, "2026-04-03"),
		{CaseID: 1, Kind: EventConsultation, At: at("2026-04-04")},
		tr(1, StageConsultation, StageCheckItems, "2026-04-05"),
		{CaseID: 1, Kind: EventOverride, At: at("2026-04-10")},
		tr(1, StageCheckItems, StageIntroduced, "2026-04-10"),
		tr(1, StageIntroduced, StageInterview, "2026-04-12"),
		tr(1, StageInterview, StageReview, "2026-04-15"),
		tr(1, StageReview, StagePlaced, "2026-04-20"),

		tr(2, StageLead, StageConsultation, "2026-04-04"), // no created entry: CreatedAt and the first From
		tr(2, StageConsultation, StageWithdrawnByDoctor, "2026-04-06"),

		{CaseID: 3, Kind: EventCreated, To: StageConsultation, At: at("2026-04-03")},
		tr(3, StageConsultation, StageCheckItems, "2026-04-08"),

		{CaseID: 4, Kind: EventCreated, To: StageLead, At: at("2026-03-15")},
		tr(4, StageLead, StageConsultation, "2026-03-20"),
		tr(4, StageConsultation, StageCheckItems, "2026-04-02"),
		tr(4, StageCheckItems, StageOnHold, "2026-04-09"),
		tr(4, StageOnHold, StageCheckItems, "2026-04-11"),

		{CaseID: 5, Kind: EventCreated, To: StageLead, At: at("2026-04-05")},
		tr(5, StageLead, StageConsultation, "2026-04-07"),
		tr(5, StageConsultation, StageWithdrawnByAgent, "2026-04-08"),

		{CaseID: 6, Kind: EventCreated, To: StageLead, At: at("2026-04-01")},
		tr(6, StageLead, StageConsultation, "2026-04-02"),

		{CaseID: 7, Kind: EventCreated, To: StageLead, At: at("2026-05-02")},

		{CaseID: 8, Kind: EventCreated, To: StageLead, At: at("2026-04-20")},
		tr(8, StageLead, StageConsultation, "2026-05-03"),
	}
	return cases, events
}

var april = Period{From: day("2026-04-01"), To: day("2026-05-01")}

const oneDay = 24 * time.Hour

func TestBuildReport(t *testing.T) {
	cases, events := reportFixture()
	// Order does not matter.
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(events), func(i, j int) { events[i], events[j] = events[j], events[i] })

	tests := []struct {
		name     string
		filter   ReportFilter
		funnel   []int
		times    []StageTime
		outcomes []OutcomeCount
	}{
		{"agency", ReportFilter{Period: april, AgencyID: 1},
			[]int{5, 4, 2, 1, 1, 1, 1},
			[]StageTime{
				{Stage: StageLead, Count: 3, Median: 2 * oneDay, Ongoing: 1},
				{Stage: StageConsultation, Count: 5, Median: 2 * oneDay},
				{Stage: StageCheckItems, Count: 2, Median: 6 * oneDay, Ongoing: 2},
				{Stage: StageIntroduced, Count: 1, Median: 2 * oneDay},
				{Stage: StageInterview, Count: 1, Median: 3 * oneDay},
				{Stage: StageReview, Count: 1, Median: 5 * oneDay},
			},
			[]OutcomeCount{
				{Stage: StagePlaced, Count: 1},
				{Stage: StageWithdrawnByDoctor, Reason: ReasonConditions, Count: 1},
				{Stage: StageWithdrawnByAgent, Reason: ReasonPatientSafety, Count: 1},
			}},
		{"one agent", ReportFilter{Period: april, AgencyID: 1, AgentID: 20},
			[]int{1, 1, 0, 0, 0, 0, 0},
			[]StageTime{
				{Stage: StageLead, Count: 1, Median: 2 * oneDay},
				{Stage: StageConsultation, Count: 1, Median: 1 * oneDay},
				{Stage: StageCheckItems}, {Stage: StageIntroduced}, {Stage: StageInterview}, {Stage: StageReview},
			},
			[]OutcomeCount{{Stage: StageWithdrawnByAgent, Reason: ReasonPatientSafety, Count: 1}}},
		{"march", ReportFilter{Period: Period{From: day("2026-03-01"), To: day("2026-04-01")}, AgencyID: 1},
			[]int{1, 1, 0, 0, 0, 0, 0},
			[]StageTime{
				{Stage: StageLead, Count: 1, Median: 5 * oneDay},
				{Stage: StageConsultation, Ongoing: 1},
				{Stage: StageCheckItems}, {Stage: StageIntroduced}, {Stage: StageInterview}, {Stage: StageReview},
			},
			nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := BuildReport(tt.filter, cases, events)
			var funnel []int
			for i, s := range r.Funnel {
				if s.Stage != FunnelStages[i] {
					t.Errorf("funnel step %d is %s", i, s.Stage)
				}
				funnel = append(funnel, s.Reached)
				want := 0.0
				if i+1 < len(r.Funnel) && s.Reached > 0 {
					want = 100 * float64(tt.funnel[i+1]) / float64(tt.funnel[i])
				}
				if s.Conversion != want {
					t.Errorf("%s conversion = %v, want %v", s.Stage, s.Conversion, want)
				}
			}
			if !reflect.DeepEqual(funnel, tt.funnel) {
				t.Errorf("funnel (-want +got):\n-%v\n+%v", tt.funnel, funnel)
			}
			if !reflect.DeepEqual(r.Times, tt.times) {
				t.Errorf("times (-want +got):\n-%+v\n+%+v", tt.times, r.Times)
			}
			if !reflect.DeepEqual(r.Outcomes, tt.outcomes) {
				t.Errorf("outcomes (-want +got):\n-%+v\n+%+v", tt.outcomes, r.Outcomes)
			}
		})
	}
}

func TestMedian(t *testing.T) {
	for _, tt := range []struct {
		in   []time.Duration
		want time.Duration
	}{
		{nil, 0},
		{[]time.Duration{3}, 3},
		{[]time.Duration{5, 1, 3}, 3},
		{[]time.Duration{4, 1, 2, 3}, 2}, // (2+3)/2 in integer nanoseconds
		{[]time.Duration{10, 20}, 15},
	} {
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestOutcomeOrder(t *testing.T) {
	cases := []Case{
		{ID: 1, CreatedAt: at("2026-04-01"), Outcome: &Outcome{Stage: StageOnHold, At: at("2026-04-02")}},
		{ID: 2, CreatedAt: at("2026-04-01"), Outcome: &Outcome{Stage: StageWithdrawnByDoctor, Reason: ReasonOther, At: at("2026-04-02")}},
		{ID: 3, CreatedAt: at("2026-04-01"), Outcome: &Outcome{Stage: StageWithdrawnByDoctor, Reason: ReasonConditions, At: at("2026-04-02")}},
		{ID: 4, CreatedAt: at("2026-04-01"), Outcome: &Outcome{Stage: StageWithdrawnByDoctor, Reason: ReasonConditions, At: at("2026-04-03")}},
		{ID: 5, CreatedAt: at("2026-04-01"), Outcome: &Outcome{Stage: StagePlaced, At: at("2026-04-02")}},
		{ID: 6, CreatedAt: at("2026-04-01"), Outcome: &Outcome{Stage: StagePlaced, At: at("2026-05-02")}}, // after the period
	}
	got := BuildReport(ReportFilter{Period: april}, cases, nil).Outcomes
	want := []OutcomeCount{
		{Stage: StagePlaced, Count: 1},
		{Stage: StageWithdrawnByDoctor, Reason: ReasonConditions, Count: 2},
		{Stage: StageWithdrawnByDoctor, Reason: ReasonOther, Count: 1},
		{Stage: StageOnHold, Count: 1},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("outcomes (-want +got):\n-%+v\n+%+v", want, got)
	}
}

func TestWriteReportCSV(t *testing.T) {
	cases, events := reportFixture()
	r := BuildReport(ReportFilter{Period: april, AgencyID: 1}, cases, events)
	r.Outcomes = append(r.Outcomes, OutcomeCount{Stage: "=HYPERLINK(1)", Count: 1})
	var utf8 bytes.Buffer
	if err := WriteReportCSV(&utf8, &r, ""); err != nil {
		t.Fatal(err)
	}
	data := utf8.Bytes()
	if !bytes.HasPrefix(data, []byte("\uFEFF")) {
		t.Error("no byte order mark")
	}
	if !bytes.Contains(data, []byte("\r\n")) {
		t.Error("no CRLF line endings")
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\uFEFF")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		ReportCSVHeader,
		{"ファネル", "問い合わせ", "", "5", "80.0", "", ""},
		{"ファネル", "面談", "", "4", "50.0", "", ""},
		{"ファネル", "確認事項", "", "2", "50.0", "", ""},
		{"ファネル", "紹介", "", "1", "100.0", "", ""},
		{"ファネル", "面接", "", "1", "100.0", "", ""},
		{"ファネル", "振り返り", "", "1", "100.0", "", ""},
		{"ファネル", "成約", "", "1", "", "", ""},
		{"滞在日数", "問い合わせ", "", "3", "", "2.0", "1"},
		{"滞在日数", "面談", "", "5", "", "2.0", "0"},
		{"滞在日数", "確認事項", "", "2", "", "6.0", "2"},
		{"滞在日数", "紹介", "", "1", "", "2.0", "0"},
		{"滞在日数", "面接", "", "1", "", "3.0", "0"},
		{"滞在日数", "振り返り", "", "1", "", "5.0", "0"},
		{"結果", "成約", "", "1", "", "", ""},
		{"結果", "医師辞退", "条件（給与・待遇）", "1", "", "", ""},
		{"結果", "エージェント判断で辞退", "患者様のため（確認事項を満たさない）", "1", "", "", ""},
		{"結果", "'=HYPERLINK(1)", "", "1", "", "", ""},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("CSV (-want +got):\n-%q\n+%q", want, rows)
	}

	var sjis bytes.Buffer
	if err := WriteReportCSV(&sjis, &r, openings.ShiftJIS); err != nil {
		t.Fatal(err)
	}
	decoded, err := japanese.ShiftJIS.NewDecoder().Bytes(sjis.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if string(decoded) != strings.TrimPrefix(string(data), "\uFEFF") {
		t.Errorf("Shift_JIS differs from UTF-8:\n%s", decoded)
	}
	if err := WriteReportCSV(&sjis, &r, "latin1"); err == nil {
		t.Error("unknown encoding accepted")
	}
}
