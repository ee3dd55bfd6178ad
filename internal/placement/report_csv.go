package placement

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/japanese"

	"github.com/hakui-dev/hakui/internal/openings"
)

// ReportCSVHeader is the header row WriteReportCSV writes.
var ReportCSVHeader = []string{"区分", "段階", "理由", "件数", "次の段階への移行率(%)", "滞在日数の中央値", "継続中(件)"}

// WriteReportCSV writes r as one CSV table for Excel, the way
// openings.WriteCSV writes openings: CRLF line endings, in enc ("" means
// openings.UTF8BOM, UTF-8 with a byte order mark; openings.ShiftJIS for
// older Excel). After the header (ReportCSVHeader), one row per funnel step
// (区分 ファネル: the count reached and the conversion to the next step), per
// pipeline stage (区分 滞在日数: the stays ended, their median in days with
// one decimal, and the stays still running) and per outcome and reason
// (区分 結果). Cells hold labels and numbers; an unknown code, written raw,
// gets a leading apostrophe if a spreadsheet would run it as a formula.
func WriteReportCSV(w io.Writer, r *Report, enc openings.Encoding) error {
	if enc != "" && enc != openings.UTF8BOM && enc != openings.ShiftJIS {
		return fmt.Errorf("placement: unknown CSV encoding %q", enc)
	}
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
	for _, rec := range records {
		for i, cell := range rec {
			if cell != "" && strings.ContainsRune("=+-@\t\r＝＋－＠", []rune(cell)[0]) {
				rec[i] = "'" + cell
			}
		}
	}

	var buf bytes.Buffer
	if enc != openings.ShiftJIS {
		buf.WriteString("\uFEFF")
	}
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	if err := cw.WriteAll(records); err != nil {
		return fmt.Errorf("placement: write report CSV: %w", err)
	}
	out := buf.Bytes()
	if enc == openings.ShiftJIS {
		var err error
		if out, err = japanese.ShiftJIS.NewEncoder().Bytes(out); err != nil {
			return fmt.Errorf("placement: report CSV to Shift_JIS: %w", err)
		}
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("placement: write report CSV: %w", err)
	}
	return nil
}
