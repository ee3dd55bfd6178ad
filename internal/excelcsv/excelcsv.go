// Package excelcsv writes CSV files that Excel in Japan opens as intended:
// UTF-8 with a byte order mark, or Shift_JIS (CP932) for older Excel and the
// systems institutions already run; CRLF line endings; and cells a
// spreadsheet would run as a formula escaped (OWASP CSV injection).
package excelcsv

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

// Encoding is the character encoding of a CSV file for Excel.
type Encoding string

// Encodings. Excel opens both; UTF-8 with a BOM keeps every character,
// Shift_JIS suits older Excel. The empty Encoding means UTF8BOM.
const (
	UTF8BOM  Encoding = "utf-8"     // UTF-8 with a byte order mark, the default
	ShiftJIS Encoding = "shift_jis" // Windows-31J (CP932)
)

// Valid reports whether Write accepts e: UTF8BOM, ShiftJIS or "".
func (e Encoding) Valid() bool {
	return e == "" || e == UTF8BOM || e == ShiftJIS
}

// Charset returns the charset parameter of the Content-Type of a file
// written in e.
func (e Encoding) Charset() string {
	if e == ShiftJIS {
		return "shift_jis"
	}
	return "utf-8"
}

// FromQuery reads the encoding a person chose, as in ?encoding=shift_jis:
// shift_jis, sjis and cp932 (in any case) give ShiftJIS, anything else
// UTF8BOM, which every Excel opens.
func FromQuery(v string) Encoding {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "shift_jis", "sjis", "cp932":
		return ShiftJIS
	}
	return UTF8BOM
}

// BOM is the UTF-8 byte order mark that tells Excel a CSV file is UTF-8.
var BOM = []byte("\uFEFF")

// ErrUnencodable is wrapped by Write's error when a cell holds a character
// Shift_JIS cannot represent (an emoji, say); UTF-8 keeps it.
var ErrUnencodable = errors.New("character not representable in Shift_JIS")

// UnencodableError names the first cell Shift_JIS cannot hold, so that
// callers can tell the person which one. It wraps ErrUnencodable.
type UnencodableError struct {
	Row, Col int // 0-based indexes into the records given to Write
}

func (e *UnencodableError) Error() string {
	return fmt.Sprintf("excelcsv: row %d, column %d: %v", e.Row+1, e.Col+1, ErrUnencodable)
}

func (e *UnencodableError) Unwrap() error { return ErrUnencodable }

// Write writes records as CSV for Excel in enc ("" means UTF8BOM): UTF-8
// after BOM, or Shift_JIS with the characters Windows writes differently
// (〜, −, ¥ …) mapped to their CP932 forms; CRLF line endings; every cell
// a spreadsheet would run passed through EscapeFormula, except plain
// negative numbers such as -3 or -0.25, which Excel reads as numbers and
// which run nothing. records is not changed. A cell Shift_JIS cannot hold
// fails the whole file with an *UnencodableError. Nothing is written to w
// when Write returns an error other than w's own.
func Write(w io.Writer, records [][]string, enc Encoding) error {
	if !enc.Valid() {
		return fmt.Errorf("excelcsv: unknown encoding %q", enc)
	}
	out := make([][]string, len(records))
	for i, rec := range records {
		out[i] = make([]string, len(rec))
		for j, cell := range rec {
			if enc == ShiftJIS {
				cell = toCP932.Replace(cell)
			}
			if !negativeNumber(cell) {
				cell = EscapeFormula(cell)
			}
			out[i][j] = cell
		}
	}

	var buf bytes.Buffer
	if enc != ShiftJIS {
		buf.Write(BOM)
	}
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	if err := cw.WriteAll(out); err != nil {
		return fmt.Errorf("excelcsv: %w", err)
	}
	data := buf.Bytes()
	if enc == ShiftJIS {
		var err error
		if data, err = japanese.ShiftJIS.NewEncoder().Bytes(data); err != nil {
			return unencodable(out)
		}
	}
	if _, err := w.Write(data); err != nil {
		return fmt.Errorf("excelcsv: %w", err)
	}
	return nil
}

// unencodable returns the error naming the first cell Shift_JIS cannot hold.
func unencodable(records [][]string) error {
	enc := japanese.ShiftJIS.NewEncoder()
	for i, rec := range records {
		for j, cell := range rec {
			if _, err := enc.String(cell); err != nil {
				return &UnencodableError{Row: i, Col: j}
			}
		}
	}
	return ErrUnencodable // a cell encodes alone but not in the file: not expected
}

// Lossy returns free text (a survey comment, say) ready for a Shift_JIS
// file: characters Windows writes differently are mapped to their CP932
// forms, and every character Shift_JIS cannot hold becomes 〓, the
// customary stand-in.
func Lossy(s string) string {
	s = toCP932.Replace(s)
	enc := japanese.ShiftJIS.NewEncoder()
	if _, err := enc.String(s); err == nil {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if _, err := enc.String(string(r)); err != nil {
			r = '〓'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// toCP932 maps characters Shift_JIS lacks to the ones Windows uses for them
// (the "wave dash problem").
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

// EscapeFormula prefixes an apostrophe to a cell a spreadsheet would run:
// one that starts, after any apostrophes, with = + - @ (or their
// full-width forms), a tab or a carriage return. Counting the apostrophes
// in keeps UnescapeFormula its inverse: a cell that already began with an
// apostrophe gets one more.
func EscapeFormula(s string) string {
	if formulaLike(s) {
		return "'" + s
	}
	return s
}

// UnescapeFormula removes the apostrophe EscapeFormula added, for reading
// back a file written with it.
func UnescapeFormula(s string) string {
	if rest, ok := strings.CutPrefix(s, "'"); ok && formulaLike(rest) {
		return rest
	}
	return s
}

func formulaLike(s string) bool {
	r, _ := utf8.DecodeRuneInString(strings.TrimLeft(s, "'"))
	switch r {
	case '=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠':
		return true
	}
	return false
}

// negativeNumber reports whether s is a minus sign, digits and an optional
// decimal fraction.
func negativeNumber(s string) bool {
	digits, ok := strings.CutPrefix(s, "-")
	if !ok {
		return false
	}
	whole, frac, dot := strings.Cut(digits, ".")
	return allDigits(whole) && (!dot || allDigits(frac))
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
