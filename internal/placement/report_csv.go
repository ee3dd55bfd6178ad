package placement

import (
	"fmt"
	"io"
	"strconv"

	"github.com/hakui-dev/hakui/internal/excelcsv"
)

// ReportCSVHeader is the header row WriteReportCSV writes.
var ReportCSVHeader = []string{"区分", "段階", "理由", "件数", "次の段階への移行率(%)", "滞在日数の中央値", "継続中(件)"}

// WriteReportCSV writes r as one CSV table for Excel with excelcsv.Write:
// CRLF line endings, in enc ("" means excelcsv.UTF8BOM, UTF-8 with a byte
// order mark; excelcsv.ShiftJIS for older Excel). After the header
// (ReportCSVHeader), one row per funnel step (区分 ファネル: the count
// reached and the conversion to the next step), per pipeline stage (区分
// 滞在日数: the stays ended, their median in days with one decimal, and the
// stays still running) and per outcome and reason (区分 結果). Cells hold
// labels and numbers; an unknown code, written raw, gets a leading
// apostrophe if a spreadsheet would run it as a formula.
func WriteReportCSV(w io.Writer, r *Report, enc excelcsv.Encoding) error {
	records := [][]string{ReportCSVHeader}
	for i, s := range r.Funnel {
		rate := ""
		if i+1 < len(r.Funnel) {
			rate = strconv.FormatFloat(s.Conversion, 'f', 1, 64)
		}
		records = append(records, []string{"ファネル", s.Stage.Label(), "", strconv.Itoa(s.Reached), rate, "", ""})
	}
	for _, t := range r.Times {
		days := ""
		if t.Count > 0 {
			days = strconv.FormatFloat(t.Median.Hours()/24, 'f', 1, 64)
		}
		records = append(records, []string{"滞在日数", t.Stage.Label(), "", strconv.Itoa(t.Count), "", days, strconv.Itoa(t.Ongoing)})
	}
	for _, o := range r.Outcomes {
		reason := ""
		if o.Reason != "" {
			reason = o.Reason.Label()
		}
		records = append(records, []string{"結果", o.Stage.Label(), reason, strconv.Itoa(o.Count), "", "", ""})
	}
	if err := excelcsv.Write(w, records, enc); err != nil {
		return fmt.Errorf("placement: report CSV: %w", err)
	}
	return nil
}
