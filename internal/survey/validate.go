package survey

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// Builder limits.
const (
	MaxItems       = 50
	MaxLabelRunes  = 500
	MinChoices     = 2
	MaxChoices     = 20
	MaxChoiceRunes = 200
	MaxKeyRunes    = 64
	MaxTitleRunes  = 200
	MaxDescRunes   = 5000
	MaxTextRunes   = 5000 // a free-text answer
)

// apply validates in and writes it to sv: the kind only when creating.
// It returns Invalid with per-field Japanese messages.
func (s *Service) apply(ctx context.Context, sv *Survey, in SurveyInput, creating bool) error {
	fields := map[string]string{}
	if creating {
		if in.Kind != KindEvent && in.Kind != KindPatient {
			fields["kind"] = "アンケートの種類を選んでください。"
		}
		sv.Kind = in.Kind
	}

	sv.Title = jatext.NormalizeLine(in.Title)
	switch n := utf8.RuneCountInString(sv.Title); {
	case n == 0:
		fields["title"] = "タイトルを入力してください。"
	case n > MaxTitleRunes:
		fields["title"] = fmt.Sprintf("タイトルは%d文字以内で入力してください。", MaxTitleRunes)
	}
	sv.Description = jatext.Normalize(in.Description)
	if utf8.RuneCountInString(sv.Description) > MaxDescRunes {
		fields["description"] = fmt.Sprintf("説明は%d文字以内で入力してください。", MaxDescRunes)
	}

	switch sv.Kind {
	case KindEvent:
		if msg := s.checkEvent(ctx, sv.OrgID, in.EventID); msg != "" {
			fields["event_id"] = msg
		}
		sv.EventID = in.EventID
	case KindPatient:
		sv.EventID = 0
	}

	if in.PreviousID != 0 {
		if msg := s.checkPrevious(ctx, sv, in.PreviousID); msg != "" {
			fields["previous_id"] = msg
		}
	}
	sv.PreviousID = in.PreviousID

	if in.ClosesAt != nil {
		at := in.ClosesAt.UTC().Truncate(time.Microsecond)
		changed := sv.ClosesAt == nil || !sv.ClosesAt.Equal(at)
		if changed && !at.After(s.now()) {
			fields["closes_at"] = "締め切り日時は現在より後にしてください。"
		}
		sv.ClosesAt = &at
	} else {
		sv.ClosesAt = nil
	}

	items, itemFields := buildItems(in.Items)
	for k, v := range itemFields {
		fields[k] = v
	}
	sv.Items = items
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	return nil
}

// checkEvent returns a message unless eventID is an event of the
// organisation.
func (s *Service) checkEvent(ctx context.Context, orgID, eventID int64) string {
	if eventID == 0 {
		return "アンケートを送る研修会を選んでください。"
	}
	ev, err := s.Store.Event(ctx, eventID)
	if err != nil || ev.OrgID != orgID {
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			s.log().ErrorContext(ctx, "survey: load event", "event", eventID, "err", err)
		}
		return "この組織の研修会を選んでください。"
	}
	return ""
}

// checkPrevious returns a message unless prevID is another survey of the
// organisation.
func (s *Service) checkPrevious(ctx context.Context, sv *Survey, prevID int64) string {
	if sv.ID != 0 && prevID == sv.ID {
		return "比較する前回のアンケートには、別のアンケートを選んでください。"
	}
	prev, err := s.Store.Survey(ctx, prevID)
	if err != nil || prev.OrgID != sv.OrgID {
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			s.log().ErrorContext(ctx, "survey: load previous run", "survey", prevID, "err", err)
		}
		return "比較する前回のアンケートは、この組織のアンケートから選んでください。"
	}
	return ""
}

// buildItems normalises and validates the builder's items, generating
// the keys left empty ("q1", "q2", … not taken). Messages are keyed
// "items" and "items.N.field", N counted from 0.
func buildItems(in []ItemInput) ([]Item, map[string]string) {
	fields := map[string]string{}
	switch {
	case len(in) == 0:
		fields["items"] = "質問を1つ以上追加してください。"
	case len(in) > MaxItems:
		fields["items"] = fmt.Sprintf("質問は%d個までです。", MaxItems)
	}
	items := make([]Item, len(in))
	taken := map[string]bool{}
	for i, it := range in {
		key := func(field string) string { return fmt.Sprintf("items.%d.%s", i, field) }
		item := Item{Key: jatext.NormalizeLine(it.Key), Kind: it.Kind, Label: jatext.NormalizeLine(it.Label), Required: it.Required}
		switch it.Kind {
		case Likert, Single, Multiple, Text:
		default:
			fields[key("kind")] = "質問の形式を選んでください。"
		}
		switch n := utf8.RuneCountInString(item.Label); {
		case n == 0:
			fields[key("label")] = "質問文を入力してください。"
		case n > MaxLabelRunes:
			fields[key("label")] = fmt.Sprintf("質問文は%d文字以内で入力してください。", MaxLabelRunes)
		}
		if item.Key != "" {
			switch {
			case utf8.RuneCountInString(item.Key) > MaxKeyRunes:
				fields[key("key")] = fmt.Sprintf("質問のキーは%d文字以内にしてください。", MaxKeyRunes)
			case taken[item.Key]:
				fields[key("key")] = "質問のキーが重複しています。"
			}
			taken[item.Key] = true
		}
		for _, c := range it.Choices {
			if c = jatext.NormalizeLine(c); c != "" {
				item.Choices = append(item.Choices, c)
			}
		}
		if msg := checkChoices(it.Kind, item.Choices); msg != "" {
			fields[key("choices")] = msg
		}
		items[i] = item
	}
	next := 1
	for i := range items {
		if items[i].Key != "" {
			continue
		}
		for taken["q"+strconv.Itoa(next)] {
			next++
		}
		items[i].Key = "q" + strconv.Itoa(next)
		taken[items[i].Key] = true
	}
	return items, fields
}

// checkChoices returns a message unless the choices suit the kind.
func checkChoices(kind ItemKind, choices []string) string {
	switch kind {
	case Single, Multiple:
		if len(choices) < MinChoices || len(choices) > MaxChoices {
			return fmt.Sprintf("選択肢は%d〜%d個入力してください。", MinChoices, MaxChoices)
		}
		for j, c := range choices {
			if utf8.RuneCountInString(c) > MaxChoiceRunes {
				return fmt.Sprintf("選択肢は%d文字以内で入力してください。", MaxChoiceRunes)
			}
			if slices.Contains(choices[:j], c) {
				return "同じ選択肢が重複しています: " + c
			}
		}
	case Likert, Text:
		if len(choices) > 0 {
			return "5段階評価と自由記述の質問には選択肢を付けられません。"
		}
	}
	return ""
}

// inputsOf turns stored items back into the builder's input.
func inputsOf(items []Item) []ItemInput {
	in := make([]ItemInput, len(items))
	for i, it := range items {
		in[i] = ItemInput{Key: it.Key, Kind: it.Kind, Label: it.Label, Required: it.Required, Choices: slices.Clone(it.Choices)}
	}
	return in
}

// sameItems reports whether two item lists ask the same questions.
func sameItems(a, b []Item) bool {
	return slices.EqualFunc(a, b, func(x, y Item) bool {
		return x.Key == y.Key && x.Kind == y.Kind && x.Label == y.Label && x.Required == y.Required &&
			slices.Equal(x.Choices, y.Choices)
	})
}

// validateAnswers checks a respondent's answers against the items of sv
// and returns them normalised, without the unanswered ones. An item is
// answered when present in a and, for Likert, with a Value; for multiple
// choice, with a choice; for text, with text. Messages are keyed
// "item-{id}"; "answers" when nothing is answered.
func validateAnswers(sv *Survey, a Answers) (map[int64]Answer, error) {
	fields := map[string]string{}
	key := func(id int64) string { return "item-" + strconv.FormatInt(id, 10) }
	known := map[int64]bool{}
	for _, it := range sv.Items {
		known[it.ID] = true
	}
	for id := range a {
		if !known[id] {
			fields[key(id)] = "この質問はアンケートにありません。"
		}
	}
	out := map[int64]Answer{}
	for _, it := range sv.Items {
		given, ok := a[it.ID]
		var ans Answer
		answered, msg := false, ""
		switch it.Kind {
		case Likert:
			answered = ok && given.Value != 0
			if answered && (given.Value < 1 || given.Value > 5) {
				msg = "1〜5の中から選んでください。"
			}
			ans.Value = given.Value
		case Single:
			answered = ok
			if answered && (given.Value < 0 || given.Value >= len(it.Choices)) {
				msg = "選択肢の中から選んでください。"
			}
			ans.Value = given.Value
		case Multiple:
			answered = ok && len(given.Choices) > 0
			for j, c := range given.Choices {
				switch {
				case c < 0 || c >= len(it.Choices):
					msg = "選択肢の中から選んでください。"
				case slices.Contains(given.Choices[:j], c):
					msg = "同じ選択肢が重複しています。"
				}
			}
			ans.Choices = slices.Sorted(slices.Values(given.Choices))
		case Text:
			ans.Text = jatext.Normalize(given.Text)
			answered = ok && ans.Text != ""
			if utf8.RuneCountInString(ans.Text) > MaxTextRunes {
				msg = fmt.Sprintf("%d文字以内で入力してください。", MaxTextRunes)
			}
		}
		switch {
		case !answered && it.Required:
			fields[key(it.ID)] = "この質問は回答必須です。"
		case !answered:
		case msg != "":
			fields[key(it.ID)] = msg
		default:
			out[it.ID] = ans
		}
	}
	if len(fields) == 0 && len(out) == 0 {
		fields["answers"] = "少なくとも1つの質問に回答してください。"
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	return out, nil
}
