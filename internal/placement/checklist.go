package placement

import (
	"fmt"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/openings"
)

// MaxItemLabel is the longest label of a check item, in characters, as for
// an opening's 確認事項.
const MaxItemLabel = openings.MaxCheckItem

// Checklist returns a new case's checklist from the opening, every item
// unknown and numbered from 1: the opening's 確認事項 first (required), then
// its required competencies (required), then its preferred ones (not
// required). A competency is labelled with its name in vocab (its code if
// vocab lacks it) and the level asked, e.g. 「処方ができる（レベル3: 一人でできる）」.
// vocab may be nil; a nil opening has no items.
func Checklist(o *openings.Opening, vocab *career.Vocabulary) []CheckItem {
	var items []CheckItem
	if o == nil {
		return nil
	}
	add := func(it CheckItem) {
		it.Position = len(items) + 1
		it.Status = ItemUnknown
		items = append(items, it)
	}
	for _, label := range o.CheckItems {
		add(CheckItem{Source: ItemCheck, Label: label, Required: true})
	}
	for _, r := range o.Required {
		add(CheckItem{Source: ItemRequired, Label: requirementLabel(r, vocab), Code: r.Code, Level: r.Level, Required: true})
	}
	for _, r := range o.Preferred {
		add(CheckItem{Source: ItemPreferred, Label: requirementLabel(r, vocab), Code: r.Code, Level: r.Level})
	}
	return items
}

// requirementLabel names a competency asked at a level.
func requirementLabel(r career.Requirement, vocab *career.Vocabulary) string {
	name := r.Code
	if c, ok := vocab.Lookup(r.Code); ok {
		name = c.Name
	}
	if !r.Level.Valid() {
		return name
	}
	return fmt.Sprintf("%s（レベル%d: %s）", name, r.Level, r.Level.Label())
}

// Validate normalises it in place and returns what is wrong per field
// ("label", "status", "source", "note"), in Japanese. Items from the
// opening's 確認事項 and required competencies are always required,
// preferred ones never; the agent decides for the items they add.
func (it *CheckItem) Validate() map[string]string {
	fields := map[string]string{}
	it.Label = jatext.NormalizeLine(it.Label)
	it.Note = jatext.Normalize(it.Note)
	switch n := runes(it.Label); {
	case n == 0:
		fields["label"] = "確認する内容を入力してください。"
	case n > MaxItemLabel:
		fields["label"] = tooLong("確認する内容", MaxItemLabel)
	}
	switch it.Source {
	case ItemCheck, ItemRequired:
		it.Required = true
	case ItemPreferred:
		it.Required = false
	case ItemAgentAdded:
	default:
		fields["source"] = "確認事項の種類が正しくありません。"
	}
	if !it.Status.Valid() {
		fields["status"] = "確認の結果(満たす・満たさない・未確認)を選んでください。"
	}
	if runes(it.Note) > MaxNote {
		fields["note"] = tooLong("メモ", MaxNote)
	}
	return fields
}

// Readiness is the patient-first gate before an introduction: it returns,
// in Japanese, every reason the doctor should not be introduced to the
// opening yet, none when the doctor is ready:
//
//   - the doctor's career stage (career.Eligibility for the opening's kind
//     of work and its answers per stage) is refused, unknown (stage is ""
//     when the doctor has no profile), or only considered (応相談);
//   - a required check item is not met, or still unknown;
//   - the lead has not consented to the purpose of use, or withdrew.
//
// Case.Introduce needs a written override for any of them. Preferred items
// never block.
func Readiness(items []CheckItem, stage career.Stage, o *openings.Opening, consent Consent) []string {
	var probs []string
	var kind career.WorkKind
	var answers map[career.Stage]career.StageAnswer
	if o != nil {
		kind, answers = o.Kind, o.Answers
	}
	if v := career.Eligibility(stage, kind, answers); !v.Allowed || v.Consider {
		probs = append(probs, v.Reason)
	}
	for _, it := range items {
		if !it.Required {
			continue
		}
		switch it.Status {
		case ItemNotMet:
			probs = append(probs, "必須の確認事項「"+it.Label+"」を満たしていません。")
		case ItemMet:
		default:
			probs = append(probs, "必須の確認事項「"+it.Label+"」が未確認です。")
		}
	}
	switch {
	case consent.WithdrawnAt != nil:
		probs = append(probs, "医師が個人情報の利用への同意を撤回しています。")
	case !consent.Given():
		probs = append(probs, "医師から個人情報の利用目的への同意を得ていません。")
	}
	return probs
}
