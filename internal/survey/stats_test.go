package survey

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

func likertItem(id int64, key string) Item {
	return Item{ID: id, Key: key, Kind: Likert, Label: "満足度"}
}

// likertResponses returns one response per value, in order.
func likertResponses(itemID int64, values ...int) []Response {
	list := make([]Response, len(values))
	for i, v := range values {
		list[i] = Response{ID: int64(i + 1), Answers: map[int64]Answer{itemID: {Value: v}}}
	}
	return list
}

// counts returns values with n[k] answers of k+1.
func counts(n ...int) []int {
	var values []int
	for k, c := range n {
		for range c {
			values = append(values, k+1)
		}
	}
	return values
}

func TestTopTwoAndMean(t *testing.T) {
	tests := []struct {
		name      string
		values    []int
		responses int
		topTwo    int
		share     float64
		label     string
		mean      string
	}{
		// The session: 74 of 88 rated 4 or 5.
		{"84.1%", counts(2, 4, 8, 30, 44), 88, 74, 100 * 74.0 / 88, "84.1%", "4.25"},
		{"one of eight", counts(7, 0, 0, 1, 0), 8, 1, 12.5, "12.5%", "1.38"},
		{"one third", counts(2, 0, 0, 0, 1), 3, 1, 100.0 / 3, "33.3%", "2.33"},
		{"two thirds", counts(1, 0, 0, 2, 0), 3, 2, 200.0 / 3, "66.7%", "3.00"},
		{"6.25 rounds up", counts(15, 0, 0, 0, 1), 16, 1, 6.25, "6.3%", "1.25"},
		{"0.05 rounds up", counts(1999, 0, 0, 0, 1), 2000, 1, 0.05, "0.1%", "1.00"},
		{"all", counts(0, 0, 0, 0, 3), 3, 3, 100, "100.0%", "5.00"},
		{"none high", counts(1, 1, 1, 0, 0), 3, 0, 0, "0.0%", "2.00"},
		{"mean half up", counts(7, 1, 0, 0, 0), 8, 0, 0, "0.0%", "1.13"}, // 9/8 = 1.125
		{"no answers", nil, 0, 0, 0, "—", "—"},
		{"out of range ignored", []int{0, 6, 7, -1, 5}, 1, 1, 100, "100.0%", "5.00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Summarize([]Item{likertItem(1, "q1")}, likertResponses(1, tt.values...))[0]
			if r.Responses != tt.responses || r.TopTwo != tt.topTwo {
				t.Errorf("responses %d, top two %d; want %d, %d", r.Responses, r.TopTwo, tt.responses, tt.topTwo)
			}
			if r.TopTwoShare != tt.share {
				t.Errorf("share %v, want %v", r.TopTwoShare, tt.share)
			}
			if got := r.TopTwoLabel(); got != tt.label {
				t.Errorf("TopTwoLabel = %q, want %q", got, tt.label)
			}
			if got := r.MeanLabel(); got != tt.mean {
				t.Errorf("MeanLabel = %q, want %q", got, tt.mean)
			}
		})
	}
}

func TestSummarizeLikertDistribution(t *testing.T) {
	r := Summarize([]Item{likertItem(1, "q1")}, likertResponses(1, 5, 4, 4, 2))[0]
	want := []Bucket{
		{LikertLabels[0], 0, 0},
		{LikertLabels[1], 1, 25},
		{LikertLabels[2], 0, 0},
		{LikertLabels[3], 2, 50},
		{LikertLabels[4], 1, 25},
	}
	if !reflect.DeepEqual(r.Buckets, want) {
		t.Errorf("buckets %v, want %v", r.Buckets, want)
	}
	if r.Mean != 3.75 || r.MeanLabel() != "3.75" {
		t.Errorf("mean %v %q", r.Mean, r.MeanLabel())
	}
	// Labels are only for Likert items.
	text := ItemResult{Item: Item{Kind: Text}, Responses: 3}
	if text.TopTwoLabel() != "—" || text.MeanLabel() != "—" {
		t.Errorf("text item labels %q %q", text.TopTwoLabel(), text.MeanLabel())
	}
}

func TestSummarizeChoices(t *testing.T) {
	single := Item{ID: 1, Key: "mode", Kind: Single, Choices: []string{"会場", "オンライン", "録画"}}
	multi := Item{ID: 2, Key: "topics", Kind: Multiple, Choices: []string{"制度", "事例", "面談"}}
	responses := []Response{
		{ID: 1, Answers: map[int64]Answer{1: {Value: 0}, 2: {Choices: []int{0, 1}}}},
		{ID: 2, Answers: map[int64]Answer{1: {Value: 1}, 2: {Choices: []int{1, 1, 2}}}}, // a repeated index counts once
		{ID: 3, Answers: map[int64]Answer{1: {Value: 1}, 2: {Choices: []int{5}}}},       // past the end: no answer
		{ID: 4, Answers: map[int64]Answer{1: {Value: 3}, 2: {}}},                        // past the end; none chosen
		{ID: 5, Answers: map[int64]Answer{}},
	}
	got := Summarize([]Item{single, multi}, responses)
	if len(got) != 2 {
		t.Fatalf("%d results", len(got))
	}
	if got[0].Responses != 3 {
		t.Errorf("single: %d responses, want 3", got[0].Responses)
	}
	wantSingle := []Bucket{{"会場", 1, 100.0 / 3}, {"オンライン", 2, 200.0 / 3}, {"録画", 0, 0}}
	if !reflect.DeepEqual(got[0].Buckets, wantSingle) {
		t.Errorf("single buckets %v, want %v", got[0].Buckets, wantSingle)
	}
	if got[1].Responses != 2 {
		t.Errorf("multiple: %d responses, want 2", got[1].Responses)
	}
	wantMulti := []Bucket{{"制度", 1, 50}, {"事例", 2, 100}, {"面談", 1, 50}}
	if !reflect.DeepEqual(got[1].Buckets, wantMulti) {
		t.Errorf("multiple buckets %v, want %v", got[1].Buckets, wantMulti)
	}
	if got[0].Mean != 0 || got[0].TopTwo != 0 || got[0].TopTwoLabel() != "—" {
		t.Errorf("single has Likert figures: %+v", got[0])
	}
}

func TestSummarizeComments(t *testing.T) {
	item := Item{ID: 7, Key: "comment", Kind: Text}
	responses := []Response{
		{ID: 10, Answers: map[int64]Answer{7: {Text: "とても役に立った"}}},
		{ID: 11, Answers: map[int64]Answer{7: {Text: "  "}}},
		{ID: 12, Answers: map[int64]Answer{7: {Text: "課題が整理されていなかった"}}, Tags: map[int64][]string{7: {"改善要望"}, 8: {"other"}}},
		{ID: 13, Answers: map[int64]Answer{8: {Text: "別の設問"}}},
		{ID: 14, Answers: map[int64]Answer{7: {Text: "難しい事例を見せてほしい"}}, Tags: map[int64][]string{7: {"改善要望", "要望"}}},
	}
	r := Summarize([]Item{item}, responses)[0]
	want := []Comment{
		{10, "とても役に立った", nil},
		{12, "課題が整理されていなかった", []string{"改善要望"}},
		{14, "難しい事例を見せてほしい", []string{"改善要望", "要望"}},
	}
	if r.Responses != 3 || !reflect.DeepEqual(r.Comments, want) {
		t.Errorf("responses %d, comments %v; want 3, %v", r.Responses, r.Comments, want)
	}
	if r.Buckets != nil {
		t.Errorf("text item has buckets %v", r.Buckets)
	}
	// The comments do not share the responses' tag slices.
	r.Comments[1].Tags[0] = "x"
	if responses[2].Tags[7][0] != "改善要望" {
		t.Error("a comment's tags alias the response's")
	}
}

func TestSummarizeEmpty(t *testing.T) {
	if got := Summarize(nil, likertResponses(1, 5)); len(got) != 0 {
		t.Errorf("no items: %v", got)
	}
	got := Summarize([]Item{likertItem(1, "q"), {ID: 2, Kind: Single, Choices: []string{"a"}}}, nil)
	if len(got) != 2 || got[0].Responses != 0 || len(got[0].Buckets) != 5 || got[1].Buckets[0].Share != 0 {
		t.Errorf("no responses: %+v", got)
	}
}

func TestCompare(t *testing.T) {
	thisItems := []Item{likertItem(11, "overall"), {ID: 12, Key: "new", Kind: Text, Label: "新設問"}, likertItem(13, "venue")}
	beforeItems := []Item{likertItem(1, "venue"), {ID: 2, Key: "gone", Kind: Single, Label: "廃止", Choices: []string{"a"}}, likertItem(3, "overall")}
	var thisResp, beforeResp []Response
	for i, v := range counts(0, 0, 1, 1, 2) { // overall: mean 4.25, top two 75%
		thisResp = append(thisResp, Response{ID: int64(i + 1), Answers: map[int64]Answer{11: {Value: v}}})
	}
	for i, v := range counts(0, 1, 1, 1, 1) { // overall: mean 3.5, top two 50%; venue: nothing
		beforeResp = append(beforeResp, Response{ID: int64(i + 1), Answers: map[int64]Answer{3: {Value: v}}})
	}
	this := Summarize(thisItems, thisResp)
	before := Summarize(beforeItems, beforeResp)
	got := Compare(this, before)

	type row struct {
		key               string
		this, before      bool
		meanDelta, topTwo float64
	}
	want := []row{
		{"overall", true, true, 0.75, 25},
		{"new", true, false, 0, 0},
		{"venue", true, true, 0, 0}, // no answers in the earlier run: no delta
		{"gone", false, true, 0, 0},
	}
	if len(got) != len(want) {
		t.Fatalf("%d comparisons, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		c := got[i]
		if c.Key != w.key || (c.This != nil) != w.this || (c.Before != nil) != w.before ||
			math.Abs(c.MeanDelta-w.meanDelta) > 1e-9 || math.Abs(c.TopTwoDelta-w.topTwo) > 1e-9 {
			t.Errorf("row %d: %+v, want %+v", i, c, w)
		}
	}
	if got[0].This.Item.ID != 11 || got[0].Before.Item.ID != 3 {
		t.Errorf("overall matched %d with %d", got[0].This.Item.ID, got[0].Before.Item.ID)
	}
	if got[3].Label != "廃止" || got[3].Kind != Single {
		t.Errorf("removed item labelled %q %q", got[3].Label, got[3].Kind)
	}
	if len(Compare(nil, nil)) != 0 {
		t.Error("Compare of nothing is not empty")
	}
}

// fuzzItems is the items FuzzSummarize builds responses for.
var fuzzItems = []Item{
	{ID: 1, Key: "l", Kind: Likert},
	{ID: 2, Key: "s", Kind: Single, Choices: []string{"a", "b", "c"}},
	{ID: 3, Key: "m", Kind: Multiple, Choices: []string{"a", "b"}},
	{ID: 4, Key: "t", Kind: Text},
	{ID: 5, Key: "e", Kind: Single}, // no choices
}

// FuzzSummarize reads responses from the bytes: per response, an item ID,
// a value, a count of choices and the choices, then a text length.
func FuzzSummarize(f *testing.F) {
	f.Add([]byte{1, 5, 0, 0, 1, 4, 0, 0, 2, 1, 2, 0, 3, 0, 3, 1, 0, 2, 4, 0, 0, 3})
	f.Add([]byte{1, 7, 0, 0, 1, 0, 0, 0, 2, 9, 0, 0, 3, 0, 3, 9, 200, 1, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		var responses []Response
		for len(data) >= 4 {
			item, value, n := int64(data[0]%6), int(int8(data[1])), int(data[2]%8)
			data = data[3:]
			var choices []int
			for i := 0; i < n && len(data) > 0; i++ {
				choices = append(choices, int(int8(data[0])))
				data = data[1:]
			}
			text := ""
			if len(data) > 0 {
				text = strings.Repeat("x ", int(data[0]%4))
				data = data[1:]
			}
			responses = append(responses, Response{
				ID:      int64(len(responses) + 1),
				Answers: map[int64]Answer{item: {Value: value, Choices: choices, Text: text}},
			})
		}
		results := Summarize(fuzzItems, responses)
		if len(results) != len(fuzzItems) {
			t.Fatalf("%d results for %d items", len(results), len(fuzzItems))
		}
		for _, r := range results {
			if r.Responses < 0 || r.Responses > len(responses) {
				t.Errorf("%s: %d responses of %d", r.Item.Key, r.Responses, len(responses))
			}
			if r.TopTwo > r.Responses || r.TopTwo < 0 {
				t.Errorf("%s: top two %d of %d", r.Item.Key, r.TopTwo, r.Responses)
			}
			if r.TopTwoShare < 0 || r.TopTwoShare > 100 {
				t.Errorf("%s: top two share %v", r.Item.Key, r.TopTwoShare)
			}
			total := 0
			for _, b := range r.Buckets {
				if b.Share < 0 || b.Share > 100 || b.N < 0 {
					t.Errorf("%s: bucket %+v", r.Item.Key, b)
				}
				total += b.N
			}
			if (r.Item.Kind == Likert || r.Item.Kind == Single) && total != r.Responses {
				t.Errorf("%s: buckets add to %d, responses %d", r.Item.Key, total, r.Responses)
			}
			if r.Item.Kind == Likert && r.Responses > 0 && (r.Mean < 1 || r.Mean > 5) {
				t.Errorf("mean %v", r.Mean)
			}
			_ = r.TopTwoLabel()
			_ = r.MeanLabel()
		}
	})
}
