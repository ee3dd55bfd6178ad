package survey

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/japanese"
)

// checkEncoding returns an error for an encoding Excel is not given.
func checkEncoding(enc Encoding) error {
	if enc != "" && enc != UTF8BOM && enc != ShiftJIS {
		return fmt.Errorf("survey: unknown CSV encoding %q", enc)
	}
	return nil
}

// writeCSV writes records for Excel the way openings.WriteCSV does: CRLF
// line endings, UTF-8 with a byte order mark ("" or UTF8BOM) or
// Shift_JIS (CP932). Cells a spreadsheet would run as a formula get a
// leading apostrophe. Respondents' text may hold characters Shift_JIS
// lacks (emoji): those become 〓, the customary stand-in, rather than
// failing the export; the UTF-8 export keeps them.
func writeCSV(w io.Writer, records [][]string, enc Encoding) error {
	for _, rec := range records {
		for i, cell := range rec {
			if enc == ShiftJIS {
				cell = toShiftJIS(cell)
			}
			rec[i] = escapeFormula(cell)
		}
	}
	var buf bytes.Buffer
	if enc != ShiftJIS {
		buf.WriteString("\uFEFF")
	}
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	if err := cw.WriteAll(records); err != nil {
		return fmt.Errorf("survey: write CSV: %w", err)
	}
	out := buf.Bytes()
	if enc == ShiftJIS {
		var err error
		if out, err = japanese.ShiftJIS.NewEncoder().Bytes(out); err != nil {
			return fmt.Errorf("survey: CSV to Shift_JIS: %w", err)
		}
	}
	if _, err := w.Write(out); err != nil {
		return fmt.Errorf("survey: write CSV: %w", err)
	}
	return nil
}

// toCP932 maps characters Shift_JIS lacks to the ones Windows uses for
// them (the "wave dash problem").
var toCP932 = strings.NewReplacer(
	"\u301C", "\uFF5E", // 〜 → ～
	"\u2212", "\uFF0D", // − → －
	"\u2014", "\u2015", // — → ―
	"\u2016", "\u2225", // ‖ → ∥
	"\u00A2", "\uFFE0", // ¢
	"\u00A3", "\uFFE1", // £
	"\u00AC", "\uFFE2", // ¬
	"\u00A5", "\uFFE5", // ¥
	"\u00A6", "\uFFE4", // ¦
)

// toShiftJIS returns s with every character Shift_JIS can encode, the
// others replaced by 〓.
func toShiftJIS(s string) string {
	s = toCP932.Replace(s)
	enc := japanese.ShiftJIS.NewEncoder()
	if _, err := enc.String(s); err == nil {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if _, err := enc.String(string(r)); err != nil {
			b.WriteRune('〓')
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// escapeFormula prefixes an apostrophe to a cell a spreadsheet would run
// (OWASP CSV injection), full-width forms included.
func escapeFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r＝＋－＠", []rune(s)[0]) {
		return "'" + s
	}
	return s
}
