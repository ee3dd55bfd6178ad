package survey

import (
	"fmt"
	"strings"
)

// Bucket is one bar of a distribution.
type Bucket struct {
	Label string
	N     int
	// Share is N over the responses to the item, in percent (for multiple
	// choice the shares add up to more than 100).
	Share float64
}

// Comment is a free-text answer and its tags.
type Comment struct {
	// ResponseID is the response's ID as Summarize sees it; the service's
	// results replace it by an opaque key of the response, which is what
	// TagComment takes (clients never see the stored ID).
	ResponseID int64
	Text       string
	Tags       []string
}

// ItemResult summarises one item.
type ItemResult struct {
	Item      Item
	Responses int      // respondents who answered the item
	Buckets   []Bucket // Likert: 1..5; choices in order; none for text
	// Mean is the Likert mean (0 when no answers or not Likert).
	Mean float64
	// TopTwo is the count of 4 and 5 answers (Likert); TopTwoShare is
	// TopTwo over Responses in percent, exact (round only to display).
	TopTwo      int
	TopTwoShare float64
	Comments    []Comment // text items, in the order of the responses given (Results: a patient survey's anonymous order)
}

// noValue is shown for a figure with no answers behind it.
const noValue = "—"

// roundRatio returns num/den·scale rounded half away from zero, for
// non-negative num and positive den, in integers so that a share such as
// 6.25% rounds up exactly.
func roundRatio(num, den, scale int64) int64 {
	return (2*num*scale + den) / (2 * den)
}

// TopTwoLabel is the top-2-box share to one decimal place with a percent
// sign ("84.1%"), rounding half away from zero; "—" when no answers.
func (r ItemResult) TopTwoLabel() string {
	if r.Item.Kind != Likert || r.Responses <= 0 || r.TopTwo < 0 {
		return noValue
	}
	tenths := roundRatio(int64(r.TopTwo), int64(r.Responses), 1000)
	return fmt.Sprintf("%d.%d%%", tenths/10, tenths%10)
}

// MeanLabel is the mean to two decimal places; "—" when no answers.
func (r ItemResult) MeanLabel() string {
	if r.Item.Kind != Likert || r.Responses <= 0 {
		return noValue
	}
	var hundredths int64
	if sum, ok := r.likertSum(); ok {
		hundredths = roundRatio(sum, int64(r.Responses), 100)
	} else {
		// Results built by hand, without the five buckets.
		hundredths = int64(r.Mean*100 + 0.5)
	}
	return fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100)
}

// likertSum returns the sum of the answers from the five buckets, when
// they agree with Responses.
func (r ItemResult) likertSum() (int64, bool) {
	if len(r.Buckets) != len(LikertLabels) {
		return 0, false
	}
	var sum, n int64
	for i, b := range r.Buckets {
		if b.N < 0 {
			return 0, false
		}
		sum += int64(i+1) * int64(b.N)
		n += int64(b.N)
	}
	return sum, n == int64(r.Responses)
}

// Summarize summarises the responses item by item, in item order. An
// answer out of range (a Likert 7, a choice past the end), an empty text
// or a missing answer does not count as an answer to the item.
func Summarize(items []Item, responses []Response) []ItemResult {
	results := make([]ItemResult, 0, len(items))
	for _, item := range items {
		results = append(results, summarizeItem(item, responses))
	}
	return results
}

func summarizeItem(item Item, responses []Response) ItemResult {
	r := ItemResult{Item: item}
	switch item.Kind {
	case Likert:
		r.Buckets = make([]Bucket, len(LikertLabels))
		for i, label := range LikertLabels {
			r.Buckets[i].Label = label
		}
	case Single, Multiple:
		r.Buckets = make([]Bucket, len(item.Choices))
		for i, label := range item.Choices {
			r.Buckets[i].Label = label
		}
	}
	var sum int
	for _, resp := range responses {
		a, ok := resp.Answers[item.ID]
		if !ok {
			continue
		}
		switch item.Kind {
		case Likert:
			if a.Value < 1 || a.Value > len(LikertLabels) {
				continue
			}
			r.Responses++
			r.Buckets[a.Value-1].N++
			sum += a.Value
			if a.Value >= 4 {
				r.TopTwo++
			}
		case Single:
			if a.Value < 0 || a.Value >= len(item.Choices) {
				continue
			}
			r.Responses++
			r.Buckets[a.Value].N++
		case Multiple:
			chosen := make(map[int]bool, len(a.Choices))
			for _, c := range a.Choices {
				if c >= 0 && c < len(item.Choices) && !chosen[c] {
					chosen[c] = true
					r.Buckets[c].N++
				}
			}
			if len(chosen) > 0 {
				r.Responses++
			}
		case Text:
			if strings.TrimSpace(a.Text) == "" {
				continue
			}
			r.Responses++
			var tags []string
			if t := resp.Tags[item.ID]; len(t) > 0 {
				tags = append([]string(nil), t...)
			}
			r.Comments = append(r.Comments, Comment{ResponseID: resp.ID, Text: a.Text, Tags: tags})
		}
	}
	if r.Responses > 0 {
		for i := range r.Buckets {
			r.Buckets[i].Share = 100 * float64(r.Buckets[i].N) / float64(r.Responses)
		}
		if item.Kind == Likert {
			r.Mean = float64(sum) / float64(r.Responses)
			r.TopTwoShare = 100 * float64(r.TopTwo) / float64(r.Responses)
		}
	}
	return r
}

// Comparison sets one item's results of two runs side by side.
type Comparison struct {
	Key          string
	Label        string
	Kind         ItemKind
	This, Before *ItemResult // nil when the item is not in that run
	// MeanDelta and TopTwoDelta are This minus Before (Likert items in
	// both runs; 0 otherwise).
	MeanDelta   float64
	TopTwoDelta float64 // percentage points
}

// Compare matches items of two runs by Key, in the order of this run,
// then the items only the earlier run had. The deltas are set when the
// item is a Likert item with answers in both runs.
func Compare(this, before []ItemResult) []Comparison {
	byKey := make(map[string][]int, len(before))
	for i, b := range before {
		if b.Item.Key != "" {
			byKey[b.Item.Key] = append(byKey[b.Item.Key], i)
		}
	}
	used := make([]bool, len(before))
	list := make([]Comparison, 0, len(this)+len(before))
	for i := range this {
		t := &this[i]
		c := Comparison{Key: t.Item.Key, Label: t.Item.Label, Kind: t.Item.Kind, This: t}
		if idx := byKey[t.Item.Key]; len(idx) > 0 {
			j := idx[0]
			byKey[t.Item.Key] = idx[1:]
			used[j] = true
			b := &before[j]
			c.Before = b
			if t.Item.Kind == Likert && b.Item.Kind == Likert && t.Responses > 0 && b.Responses > 0 {
				c.MeanDelta = t.Mean - b.Mean
				c.TopTwoDelta = t.TopTwoShare - b.TopTwoShare
			}
		}
		list = append(list, c)
	}
	for j := range before {
		if !used[j] {
			b := &before[j]
			list = append(list, Comparison{Key: b.Item.Key, Label: b.Item.Label, Kind: b.Item.Kind, Before: b})
		}
	}
	return list
}
