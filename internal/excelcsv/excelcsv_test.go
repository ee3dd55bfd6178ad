package excelcsv_test

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"

	"github.com/hakui-dev/hakui/internal/excelcsv"
)

func TestEncoding(t *testing.T) {
	for _, tc := range []struct {
		query   string
		want    excelcsv.Encoding
		charset string
	}{
		{"", excelcsv.UTF8BOM, "utf-8"},
		{"utf-8", excelcsv.UTF8BOM, "utf-8"},
		{"shift_jis", excelcsv.ShiftJIS, "shift_jis"},
		{"Shift_JIS", excelcsv.ShiftJIS, "shift_jis"},
		{"SJIS", excelcsv.ShiftJIS, "shift_jis"},
		{"cp932", excelcsv.ShiftJIS, "shift_jis"},
		{"latin1", excelcsv.UTF8BOM, "utf-8"},
	} {
		got := excelcsv.FromQuery(tc.query)
		if got != tc.want || got.Charset() != tc.charset || !got.Valid() {
			t.Errorf("FromQuery(%q) = %q (charset %q, valid %t), want %q (%q)", tc.query, got, got.Charset(), got.Valid(), tc.want, tc.charset)
		}
	}
	if excelcsv.Encoding("").Charset() != "utf-8" || !excelcsv.Encoding("").Valid() {
		t.Error(`"" is not UTF-8`)
	}
	if excelcsv.Encoding("latin1").Valid() {
		t.Error("latin1 valid")
	}
}

func TestEscapeFormula(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"内科", "内科"},
		{"=SUM(A1:A2)", "'=SUM(A1:A2)"},
		{"+81 3", "'+81 3"},
		{"-", "'-"},
		{"-1", "'-1"},
		{"@x", "'@x"},
		{"\tx", "'\tx"},
		{"\rx", "'\rx"},
		{"＝全角", "'＝全角"},
		{"＋", "'＋"},
		{"－", "'－"},
		{"＠", "'＠"},
		{"'abc", "'abc"},
		{"'=x", "''=x"},
		{"''=x", "'''=x"},
		{"a=b", "a=b"},
		{" =x", " =x"},
	} {
		got := excelcsv.EscapeFormula(tc.in)
		if got != tc.want {
			t.Errorf("EscapeFormula(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if back := excelcsv.UnescapeFormula(got); back != tc.in {
			t.Errorf("UnescapeFormula(%q) = %q, want %q", got, back, tc.in)
		}
	}
	// An apostrophe EscapeFormula did not add stays.
	for _, s := range []string{"'abc", "'", "''", "x'=y"} {
		if got := excelcsv.UnescapeFormula(s); got != s {
			t.Errorf("UnescapeFormula(%q) = %q, want it unchanged", s, got)
		}
	}
}

// FuzzEscapeRoundTrip: UnescapeFormula undoes EscapeFormula, and an
// escaped cell never starts with a formula character.
func FuzzEscapeRoundTrip(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		e := excelcsv.EscapeFormula(s)
		if back := excelcsv.UnescapeFormula(e); back != s {
			t.Fatalf("UnescapeFormula(EscapeFormula(%q)) = %q", s, back)
		}
		if r, _ := utf8.DecodeRuneInString(e); strings.ContainsRune("=+-@\t\r＝＋－＠", r) {
			t.Fatalf("EscapeFormula(%q) = %q starts with a formula character", s, e)
		}
	})
}

func TestWrite(t *testing.T) {
	records := [][]string{
		{"氏名", "メモ", "差"},
		{"=HYPERLINK(\"http://evil\")", "1行目\n2行目", "-3"},
		{"日勤〜夜勤 ¥10,000−", `"引用", カンマ`, "-0.25"},
		{"髙橋①", "＠x", "-1+1"},
	}
	before := clone(records)
	for _, tc := range []struct {
		enc  excelcsv.Encoding
		want [][]string // the cells read back
	}{
		{"", [][]string{
			{"氏名", "メモ", "差"},
			{"'=HYPERLINK(\"http://evil\")", "1行目\n2行目", "-3"},
			{"日勤〜夜勤 ¥10,000−", `"引用", カンマ`, "-0.25"},
			{"髙橋①", "'＠x", "'-1+1"},
		}},
		{excelcsv.ShiftJIS, [][]string{
			{"氏名", "メモ", "差"},
			{"'=HYPERLINK(\"http://evil\")", "1行目\n2行目", "-3"},
			{"日勤～夜勤 ￥10,000－", `"引用", カンマ`, "-0.25"},
			{"髙橋①", "'＠x", "'-1+1"},
		}},
	} {
		t.Run(string(tc.enc), func(t *testing.T) {
			var buf bytes.Buffer
			if err := excelcsv.Write(&buf, records, tc.enc); err != nil {
				t.Fatal(err)
			}
			data := buf.Bytes()
			if tc.enc == excelcsv.ShiftJIS {
				var err error
				if data, err = japanese.ShiftJIS.NewDecoder().Bytes(data); err != nil {
					t.Fatal(err)
				}
			} else {
				var ok bool
				if data, ok = bytes.CutPrefix(data, excelcsv.BOM); !ok {
					t.Fatalf("no BOM: %q", data)
				}
			}
			if bytes.HasPrefix(data, excelcsv.BOM) {
				t.Error("BOM in Shift_JIS")
			}
			if n, crlf := bytes.Count(data, []byte("\n")), bytes.Count(data, []byte("\r\n")); n != crlf || n != len(records)+1 {
				t.Errorf("%d line feeds, %d of them CRLF; want CRLF at the end of each record and inside the cell", n, crlf)
			}
			got, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("records (-want +got):\n-%q\n+%q", tc.want, got)
			}
		})
	}
	if !slices.EqualFunc(records, before, slices.Equal) {
		t.Errorf("Write changed its records: %q", records)
	}
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	err := excelcsv.Write(&buf, [][]string{{"a", "b"}, {"c", "絵文字😀"}}, excelcsv.ShiftJIS)
	ue, ok := errors.AsType[*excelcsv.UnencodableError](err)
	if !ok || !errors.Is(err, excelcsv.ErrUnencodable) || ue.Row != 1 || ue.Col != 1 {
		t.Errorf("emoji in Shift_JIS: err = %#v, want *UnencodableError{1, 1}", err)
	}
	if buf.Len() > 0 {
		t.Errorf("wrote %q on error", buf.Bytes())
	}
	if err := excelcsv.Write(&buf, [][]string{{"😀"}}, excelcsv.UTF8BOM); err != nil {
		t.Errorf("emoji in UTF-8: %v", err)
	}
	buf.Reset()
	if err := excelcsv.Write(&buf, [][]string{{"a"}}, "latin1"); err == nil || buf.Len() > 0 {
		t.Errorf("unknown encoding: err = %v, wrote %q", err, buf.Bytes())
	}
	if err := excelcsv.Write(failWriter{}, [][]string{{"a"}}, ""); !errors.Is(err, io.ErrShortWrite) {
		t.Errorf("failing writer: err = %v", err)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, io.ErrShortWrite }

func TestLossy(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"よかったです", "よかったです"},
		{"9時〜12時 ¥500−", "9時～12時 ￥500－"},
		{"髙橋①", "髙橋①"},
		{"最高😀です👍", "最高〓です〓"},
		{"한국어", "〓〓〓"},
		{"bad\xffbyte", "bad〓byte"},
	} {
		got := excelcsv.Lossy(tc.in)
		if got != tc.want {
			t.Errorf("Lossy(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if _, err := japanese.ShiftJIS.NewEncoder().String(got); err != nil {
			t.Errorf("Lossy(%q) = %q does not encode: %v", tc.in, got, err)
		}
	}
}

func clone(records [][]string) [][]string {
	out := make([][]string, len(records))
	for i, r := range records {
		out[i] = slices.Clone(r)
	}
	return out
}
