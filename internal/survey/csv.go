package survey

import (
	"fmt"
	"io"

	"github.com/hakui-dev/hakui/internal/excelcsv"
)

// checkEncoding returns an error for an encoding Excel is not given.
func checkEncoding(enc Encoding) error {
	if !excelcsv.Encoding(enc).Valid() {
		return fmt.Errorf("survey: unknown CSV encoding %q", enc)
	}
	return nil
}

// writeCSV writes records for Excel with excelcsv.Write: CRLF line
// endings, UTF-8 with a byte order mark ("" or UTF8BOM) or Shift_JIS
// (CP932). Cells a spreadsheet would run as a formula get a leading
// apostrophe. Respondents' text may hold characters Shift_JIS lacks
// (emoji): those become 〓 (excelcsv.Lossy) rather than failing the
// export; the UTF-8 export keeps them.
func writeCSV(w io.Writer, records [][]string, enc Encoding) error {
	if enc == ShiftJIS {
		for _, rec := range records {
			for i, cell := range rec {
				rec[i] = excelcsv.Lossy(cell)
			}
		}
	}
	if err := excelcsv.Write(w, records, excelcsv.Encoding(enc)); err != nil {
		return fmt.Errorf("survey: write CSV: %w", err)
	}
	return nil
}
