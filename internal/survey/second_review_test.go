package survey_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/survey"
)

// A patient survey's comments used to come in arrival order with the
// responses' stored IDs, which a reception log could be matched to. They
// now follow the CSV export's anonymous order and carry an opaque key
// that TagComment takes back; the stored ID is refused.
func TestPatientCommentsAreAnonymous(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		sv := w.patientSurvey("外来患者満足度調査")
		const n = 9
		for i := range n {
			_, err := w.svc.SubmitPublic(w.ctx, sv.PublicSlug, likert(sv, 1+i%5, fmt.Sprintf("意見 %d", i+1)), "192.0.2.10")
			noErr(t, err)
		}
		res, err := w.svc.Results(w.ctx, w.staff, sv.ID)
		noErr(t, err)
		comments := res.Items[3].Comments
		if len(comments) != n {
			t.Fatalf("%d comments, want %d", len(comments), n)
		}

		// The same order as the export's rows.
		var buf bytes.Buffer
		noErr(t, w.svc.ExportResponses(w.ctx, w.staff, sv.ID, &buf, survey.UTF8BOM))
		rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\uFEFF"))).ReadAll()
		noErr(t, err)
		col := slices.Index(rows[0], "ご意見")
		var exported, shown []string
		for _, row := range rows[1:] {
			exported = append(exported, row[col])
		}
		for _, c := range comments {
			shown = append(shown, c.Text)
		}
		if !slices.Equal(shown, exported) {
			t.Errorf("comments in %v, the export in %v", shown, exported)
		}

		// No stored ID is shown; the key tags the right comment.
		stored, err := w.db.Responses(w.ctx, sv.ID)
		noErr(t, err)
		ids := map[int64]string{}
		for _, r := range stored {
			ids[r.ID] = r.Answers[sv.Items[3].ID].Text
		}
		for _, c := range comments {
			if _, ok := ids[c.ResponseID]; ok || c.ResponseID <= 0 || c.ResponseID > 1<<53 {
				t.Fatalf("comment %q shows %d (stored IDs %v)", c.Text, c.ResponseID, ids)
			}
		}
		target := comments[4]
		noErr(t, w.svc.TagComment(w.ctx, w.staff, sv.ID, target.ResponseID, sv.Items[3].ID, []string{"改善要望"}))
		for id := range ids {
			err := w.svc.TagComment(w.ctx, w.staff, sv.ID, id, sv.Items[3].ID, []string{"x"})
			wantCode(t, err, apperr.NotFound)
		}
		res, err = w.svc.Results(w.ctx, w.staff, sv.ID)
		noErr(t, err)
		for _, c := range res.Items[3].Comments {
			tagged := len(c.Tags) == 1 && c.Tags[0] == "改善要望"
			if tagged != (c.Text == target.Text) || c.ResponseID == target.ResponseID != (c.Text == target.Text) {
				t.Errorf("comment %q: key %d, tags %v (tagged %q)", c.Text, c.ResponseID, c.Tags, target.Text)
			}
		}
	})
}
