package openings

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/excelcsv"
)

// csvSamples returns valid openings covering every column, already
// normalised by Validate.
func csvSamples(tb testing.TB, vocab *career.Vocabulary) []*Opening {
	tb.Helper()
	all := func(a career.StageAnswer) map[career.Stage]career.StageAnswer {
		m := map[career.Stage]career.StageAnswer{}
		for _, st := range career.Stages {
			m[st] = a
		}
		return m
	}
	list := []*Opening{
		{
			Title: `内科外来(午後), "急募"`, Kind: career.WorkPartTimeRegular, Specialty: "内科",
			Schedule: Schedule{Kind: ScheduleWeekly, Weekly: []career.Weekly{
				{Weekday: time.Tuesday, Start: "13:00", End: "17:00"},
				{Weekday: time.Thursday, Start: "09:00", End: "12:00"},
			}, Note: "祝日は休み"},
			PayUnit: career.PayHourly, PayMinYen: 10000, PayMaxYen: 12000,
			Prefecture: "東京都", City: "千代田区", Address: "丸の内1-1-1",
			Answers: map[career.Stage]career.StageAnswer{
				career.StageStudent: career.AnswerReject, career.StageJuniorResident: career.AnswerReject,
				career.StageSpecialtyResident: career.AnswerConsider, career.StageSpecialist: career.AnswerAccept,
			},
			Required:    []career.Requirement{{Code: "outpatient_no_manual", Level: 3}, {Code: "prescribing", Level: 2}},
			Preferred:   []career.Requirement{{Code: "ultrasound", Level: 2}},
			CheckItems:  []string{"医師免許証の写し", "保険医登録票; 写し"},
			Description: "1行目, カンマ入り\n2行目 \"引用符\"\n\n4行目",
			Status:      StatusOpen,
		},
		{
			ID: 42, Title: "=当直(二次救急)", Kind: career.WorkNightDuty,
			Schedule: Schedule{Kind: ScheduleSingle, Date: "2025-04-01", Start: "17:00", End: "09:00"},
			PayUnit:  career.PayPerShift, PayMinYen: 80000, PayMaxYen: 80000, EmergencyLevel: 2, DutyPermit: true,
			Prefecture: "大阪府", Answers: all(career.AnswerConsider),
			Required:   []career.Requirement{{Code: "night_duty_solo", Level: 3}},
			CheckItems: []string{"a; b"},
			Status:     StatusDraft,
		},
		{
			ID: 7, Title: "遠隔読影 (在宅)", Kind: career.WorkRemote, RemoteKind: career.RemoteTeleradiology,
			Specialty: "放射線科", Schedule: Schedule{Kind: ScheduleFullTime, Note: "-週4日、時間は相談"},
			PayUnit: career.PayAnnual, PayMinYen: 15_000_000, PayMaxYen: 20_000_000,
			Answers: all(career.AnswerAccept), Description: "@在宅勤務", Status: StatusClosed,
		},
	}
	for i, o := range list {
		if probs := o.Validate(vocab); len(probs) > 0 {
			tb.Fatalf("sample %d invalid: %v", i, probs)
		}
	}
	return list
}

func writeCSV(tb testing.TB, list []*Opening, enc Encoding, vocab *career.Vocabulary) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, list, enc, vocab); err != nil {
		tb.Fatalf("WriteCSV: %v", err)
	}
	return buf.Bytes()
}

func diffOpenings(want, got []*Opening) string {
	if reflect.DeepEqual(want, got) {
		return ""
	}
	if len(want) != len(got) {
		return fmt.Sprintf("%d openings, want %d", len(got), len(want))
	}
	var b strings.Builder
	for i := range want {
		if !reflect.DeepEqual(want[i], got[i]) {
			fmt.Fprintf(&b, "opening %d:\n-want %+v\n+got  %+v\n", i, *want[i], *got[i])
		}
	}
	return b.String()
}

func TestCSVRoundTrip(t *testing.T) {
	vocab := career.DefaultVocabulary()
	for _, tc := range []struct {
		name  string
		enc   Encoding
		read  Encoding
		vocab *career.Vocabulary
	}{
		{"utf-8", UTF8BOM, UTF8BOM, vocab},
		{"utf-8 detected", UTF8BOM, "", vocab},
		{"default encoding", "", "", vocab},
		{"shift_jis", ShiftJIS, ShiftJIS, vocab},
		{"shift_jis detected", ShiftJIS, "", vocab},
		{"skills by code without vocabulary", UTF8BOM, UTF8BOM, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := csvSamples(t, vocab)
			data := writeCSV(t, want, tc.enc, tc.vocab)
			got, err := ReadCSV(bytes.NewReader(data), tc.read, tc.vocab)
			if err != nil {
				t.Fatalf("ReadCSV: %v", err)
			}
			if d := diffOpenings(want, got); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
		})
	}
}

func TestColumns(t *testing.T) {
	if len(Columns) != colStatus+1 || Columns[colID].Key != "id" || Columns[colRequired].Key != "required" || Columns[colStatus].Key != "status" {
		t.Fatal("the col… constants do not match Columns")
	}
	for i, st := range career.Stages {
		if c := Columns[colAnswerStudent+i]; c.Key != "answer_"+string(st) || c.Header != st.Label() {
			t.Errorf("answer column %d = %+v, want stage %s", i, c, st)
		}
	}
	seen := map[string]bool{}
	for _, c := range Columns {
		keys := []string{csvHeaderKey(c.Header)}
		if k := csvHeaderKey(c.Key); k != keys[0] {
			keys = append(keys, k)
		}
		for _, k := range keys {
			if seen[k] {
				t.Errorf("header %q used twice", k)
			}
			seen[k] = true
		}
		if c.Format == "" {
			t.Errorf("column %s has no format", c.Header)
		}
	}
}

func TestWriteCSVFormat(t *testing.T) {
	vocab := career.DefaultVocabulary()
	data := writeCSV(t, csvSamples(t, vocab), UTF8BOM, vocab)
	if !bytes.HasPrefix(data, []byte("\uFEFFID,タイトル,勤務形態,")) {
		t.Errorf("no BOM and header: %q", data[:min(len(data), 40)])
	}
	if n, crlf := bytes.Count(data, []byte("\n")), bytes.Count(data, []byte("\r\n")); n != crlf {
		t.Errorf("%d line feeds, %d of them CRLF", n, crlf)
	}
	recs, err := csv.NewReader(bytes.NewReader(data[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 4 {
		t.Fatalf("%d records, want header and 3", len(recs))
	}
	cell := func(row int, header string) string {
		for i, c := range Columns {
			if c.Header == header {
				return recs[row][i]
			}
		}
		t.Fatalf("no column %s", header)
		return ""
	}
	for _, tc := range []struct {
		row          int
		header, want string
	}{
		{1, "ID", ""},
		{1, "勤務形態", "定期非常勤"},
		{1, "日程の種類", "毎週"},
		{1, "曜日と時間", "火 13:00-17:00; 木 09:00-12:00"},
		{1, "報酬単位", "時給"},
		{1, "報酬下限(円)", "10000"},
		{1, "専門医", "可"},
		{1, "必須スキル", "マニュアルなしで外来診療ができる:3; 処方ができる:2"},
		{1, "確認事項", "医師免許証の写し\n保険医登録票; 写し"},
		{1, "状態", "公開中"},
		{2, "ID", "42"},
		{2, "タイトル", "'=当直(二次救急)"},
		{2, "宿日直許可", "あり"},
		{2, "救急区分", "2"},
		{2, "勤務日", "2025-04-01"},
		{3, "リモート業務", "遠隔読影"},
		{3, "都道府県", ""},
		{3, "報酬下限(円)", "15000000"},
		{3, "日程の補足", "'-週4日、時間は相談"},
		{3, "説明", "'@在宅勤務"},
	} {
		if got := cell(tc.row, tc.header); got != tc.want {
			t.Errorf("row %d %s = %q, want %q", tc.row, tc.header, got, tc.want)
		}
	}
}

func TestWriteCSVEmpty(t *testing.T) {
	data := writeCSV(t, nil, UTF8BOM, nil)
	if lines := strings.Split(string(data), "\r\n"); len(lines) != 2 || lines[1] != "" {
		t.Errorf("want the header only, got %q", data)
	}
	got, err := ReadCSV(bytes.NewReader(data), "", nil)
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("ReadCSV(header only) = %v, %v; want no openings, no error", got, err)
	}
}

func TestWriteCSVShiftJIS(t *testing.T) {
	o := &Opening{Title: "日勤〜夜勤 ¥10,000−", Kind: career.WorkSpot, Description: "髙橋クリニック①"}
	data := writeCSV(t, []*Opening{o}, ShiftJIS, nil)
	text, err := japanese.ShiftJIS.NewDecoder().Bytes(data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "日勤～夜勤 ￥10,000－") || !strings.Contains(string(text), "髙橋クリニック①") {
		t.Errorf("CP932 forms missing: %s", text)
	}

	o.Description = "絵文字😀"
	err = WriteCSV(io.Discard, []*Opening{o}, ShiftJIS, nil)
	if !errors.Is(err, ErrUnencodable) || !strings.Contains(err.Error(), "説明") {
		t.Errorf("emoji in Shift_JIS: err = %v, want ErrUnencodable naming 説明", err)
	}
	if err := WriteCSV(io.Discard, []*Opening{o}, "latin1", nil); err == nil {
		t.Error("unknown encoding accepted")
	}
}

// row is one CSV data row by column header; csvFile writes rows under the
// full header (or header, if given).
type row map[string]string

// validRow returns a minimal valid spot opening, with changes applied.
func validRow(changes row) row {
	r := row{
		"タイトル": "スポット外来", "勤務形態": "スポット", "日程の種類": "単発", "勤務日": "2025-04-01",
		"開始": "09:00", "終了": "17:00", "報酬単位": "時給", "報酬下限(円)": "10000", "都道府県": "東京都",
		"医学生": "不可", "初期研修医": "不可", "専攻医": "可", "専門医": "可",
	}
	for k, v := range changes {
		r[k] = v
	}
	return r
}

func csvFile(tb testing.TB, header []string, rows ...row) string {
	tb.Helper()
	if header == nil {
		for _, c := range Columns {
			header = append(header, c.Header)
		}
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.UseCRLF = true
	w.Write(header)
	for _, r := range rows {
		rec := make([]string, len(header))
		for i, h := range header {
			rec[i] = r[h]
		}
		w.Write(rec)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

func TestReadCSVExcel(t *testing.T) {
	vocab := career.DefaultVocabulary()
	// As Excel saves it: BOM, CRLF, its own date and time formats, the
	// Japanese labels, full-width digits and thousands separators.
	file := "\uFEFF" + csvFile(t, nil,
		validRow(row{"勤務日": "2025/4/1", "開始": "9:00", "終了": "17:00:00", "報酬下限(円)": "１２，０００円",
			"報酬上限(円)": "15,000", "必須スキル": "エコー検査：３；prescribing:2", "確認事項": "免許証; 登録票",
			"状態": "公開中", "タイトル": "'=外来"}),
		row{}, // a row Excel leaves behind when cells are cleared
		validRow(row{"ID": "１２", "勤務形態": "part_time_regular", "日程の種類": "weekly",
			"曜日と時間": "火曜日 13:00〜17:00\n(木) 9:00-12:00", "報酬単位": "年収", "報酬下限(円)": "1200万",
			"専攻医": "consider", "状態": "closed"}),
	)
	got, err := ReadCSV(strings.NewReader(file), "", vocab)
	if err != nil {
		t.Fatalf("ReadCSV: %v", err)
	}
	answers := map[career.Stage]career.StageAnswer{
		career.StageStudent: career.AnswerReject, career.StageJuniorResident: career.AnswerReject,
		career.StageSpecialtyResident: career.AnswerAccept, career.StageSpecialist: career.AnswerAccept,
	}
	want := []*Opening{
		{
			Title: "=外来", Kind: career.WorkSpot,
			Schedule: Schedule{Kind: ScheduleSingle, Date: "2025-04-01", Start: "09:00", End: "17:00"},
			PayUnit:  career.PayHourly, PayMinYen: 12000, PayMaxYen: 15000, Prefecture: "東京都", Answers: answers,
			Required:   []career.Requirement{{Code: "ultrasound", Level: 3}, {Code: "prescribing", Level: 2}},
			CheckItems: []string{"免許証", "登録票"}, Status: StatusOpen,
		},
		{
			ID: 12, Title: "スポット外来", Kind: career.WorkPartTimeRegular,
			Schedule: Schedule{Kind: ScheduleWeekly, Weekly: []career.Weekly{
				{Weekday: time.Tuesday, Start: "13:00", End: "17:00"},
				{Weekday: time.Thursday, Start: "09:00", End: "12:00"},
			}},
			PayUnit: career.PayAnnual, PayMinYen: 12_000_000, PayMaxYen: 12_000_000, Prefecture: "東京都",
			Answers: map[career.Stage]career.StageAnswer{
				career.StageStudent: career.AnswerReject, career.StageJuniorResident: career.AnswerReject,
				career.StageSpecialtyResident: career.AnswerConsider, career.StageSpecialist: career.AnswerAccept,
			},
			Status: StatusClosed,
		},
	}
	if d := diffOpenings(want, got); d != "" {
		t.Errorf("ReadCSV (-want +got):\n%s", d)
	}
}

func TestReadCSVShiftJIS(t *testing.T) {
	file := csvFile(t, nil, validRow(row{"タイトル": "髙橋クリニック 外来～①", "説明": "駅から徒歩5分\n駐車場あり"}))
	sjis, err := japanese.ShiftJIS.NewEncoder().String(file)
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []Encoding{ShiftJIS, ""} {
		got, err := ReadCSV(strings.NewReader(sjis), enc, nil)
		if err != nil {
			t.Fatalf("ReadCSV(%q): %v", enc, err)
		}
		if len(got) != 1 || got[0].Title != "髙橋クリニック 外来~1" || got[0].Description != "駅から徒歩5分\n駐車場あり" {
			t.Errorf("ReadCSV(%q) = %+v", enc, got)
		}
	}
	_, err = ReadCSV(strings.NewReader(sjis), UTF8BOM, nil)
	wantProblems(t, err, RowProblem{Line: 0, Message: "UTF-8ではありません"})
}

func TestReadCSVHeaderAliases(t *testing.T) {
	header := []string{"title", "Kind", "schedule_kind", "date", "start_time", "end_time", "pay_unit",
		"PAY_MIN_YEN", "prefecture", "answer_student", "answer_junior_resident", "answer_specialty_resident",
		"answer_specialist", " 報酬上限（円） "}
	r := row{"title": "Spot", "Kind": "spot", "schedule_kind": "single", "date": "2025-04-01", "start_time": "09:00",
		"end_time": "12:00", "pay_unit": "hourly", "PAY_MIN_YEN": "9000", "prefecture": "北海道",
		"answer_student": "reject", "answer_junior_resident": "reject", "answer_specialty_resident": "accept",
		"answer_specialist": "accept", " 報酬上限（円） ": "9500"}
	got, err := ReadCSV(strings.NewReader(csvFile(t, header, r)), "", nil)
	if err != nil {
		t.Fatalf("ReadCSV: %v", err)
	}
	if len(got) != 1 || got[0].Title != "Spot" || got[0].PayMaxYen != 9500 || got[0].Prefecture != "北海道" || got[0].Status != StatusDraft {
		t.Errorf("ReadCSV = %+v", got[0])
	}
}

// wantProblems checks that err is an *ImportError with exactly these
// problems; Message is a substring of the problem's message.
func wantProblems(tb testing.TB, err error, want ...RowProblem) {
	tb.Helper()
	ie, ok := errors.AsType[*ImportError](err)
	if !ok {
		tb.Fatalf("err = %v, want *ImportError", err)
	}
	if ie.Error() == "" {
		tb.Error("empty Error()")
	}
	if len(ie.Problems) != len(want) {
		tb.Fatalf("%d problems, want %d:\n%s", len(ie.Problems), len(want), problemList(ie.Problems))
	}
	for i, w := range want {
		p := ie.Problems[i]
		if p.Line != w.Line || p.Field != w.Field || !strings.Contains(p.Message, w.Message) {
			tb.Errorf("problem %d = %s, want line %d field %q message containing %q", i, p, w.Line, w.Field, w.Message)
		}
	}
}

func problemList(ps []RowProblem) string {
	var b strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&b, "\t%d %q %s\n", p.Line, p.Field, p.Message)
	}
	return b.String()
}

func TestReadCSVProblems(t *testing.T) {
	full := func(rows ...row) string { return csvFile(t, nil, rows...) }
	for _, tc := range []struct {
		name string
		file string
		want []RowProblem
	}{
		{
			name: "pay not a number",
			file: full(validRow(nil), validRow(row{"報酬下限(円)": "abc"})),
			want: []RowProblem{{3, "報酬下限(円)", "数字で入力してください"}},
		},
		{
			name: "several bad rows, every problem, in order",
			file: full(
				validRow(row{"タイトル": "", "専攻医": "たぶん"}),
				validRow(nil),
				validRow(row{"勤務日": "4月1日", "報酬上限(円)": "5000", "必須スキル": "unknown_skill:2"}),
				validRow(row{"日程の種類": "毎週", "曜日と時間": "火曜の午後"}),
			),
			want: []RowProblem{
				{2, "タイトル", "タイトルを入力してください"},
				{2, "専攻医", "「可」「応相談」「不可」"},
				{4, "勤務日", "YYYY-MM-DD"},
				{4, "報酬上限(円)", "上限は下限以上"},
				{4, "必須スキル", "登録されていない能力"},
				{5, "曜日と時間", "火 13:00-17:00"},
			},
		},
		{
			name: "validation keys map to columns",
			file: full(validRow(row{"勤務形態": "在宅・リモート", "都道府県": "", "医学生": "", "開始": "25:00",
				"歓迎スキル": "処方ができる:5", "確認事項": strings.Repeat("x", MaxCheckItem+1)})),
			want: []RowProblem{
				{2, "リモート業務", "業務の種類を選んで"},
				{2, "開始", "HH:MM"},
				{2, "医学生", "医学生への回答"},
				{2, "歓迎スキル", "1〜4"},
				{2, "確認事項", "200文字以内"},
			},
		},
		{
			name: "line numbers count line breaks inside cells",
			file: full(validRow(row{"説明": "1\n2\n3"}), validRow(row{"救急区分": "4"})),
			want: []RowProblem{{5, "救急区分", "0(なし)"}},
		},
		{
			name: "ragged row",
			file: full(validRow(nil)) + "a,b,c\r\n",
			want: []RowProblem{{3, "", "列の数(3)"}},
		},
		{
			name: "duplicate and bad IDs",
			file: full(validRow(row{"ID": "5"}), validRow(row{"ID": "5"}), validRow(row{"ID": "-1"})),
			want: []RowProblem{{3, "ID", "2行目と重複"}, {4, "ID", "IDは空欄"}},
		},
		{
			name: "unknown, duplicate and missing headers",
			file: "タイトル,title,給料,勤務形態\r\nx,x,x,x\r\n",
			want: []RowProblem{
				{1, "タイトル", "2回以上"},
				{1, "給料", "取り込めません"},
				{1, "日程の種類", "ありません"},
				{1, "報酬単位", "ありません"},
				{1, "報酬下限(円)", "ありません"},
				{1, "都道府県", "ありません"},
				{1, "医学生", "ありません"},
				{1, "初期研修医", "ありません"},
				{1, "専攻医", "ありません"},
				{1, "専門医", "ありません"},
			},
		},
		{
			name: "an ID column needs every column",
			file: csvFile(t, append(requiredHeaders(), "ID", "説明"), validRow(row{"ID": "3"})),
			want: missingOptional("ID", "説明"),
		},
		{
			name: "value under an empty header",
			file: csvFile(t, append(requiredHeaders(), ""), validRow(row{"": "x", "日程の種類": "常勤"})),
			want: []RowProblem{{2, "", "見出しのない列"}},
		},
		{
			name: "quote error",
			file: full(validRow(nil)) + "\"unterminated,x\r\n",
			want: []RowProblem{{3, "", "引用符"}},
		},
		{
			name: "empty file",
			file: "",
			want: []RowProblem{{1, "", "見出しの行がありません"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadCSV(strings.NewReader(tc.file), "", career.DefaultVocabulary())
			if got != nil {
				t.Errorf("ReadCSV returned %d openings with problems; want none (no partial import)", len(got))
			}
			wantProblems(t, err, tc.want...)
		})
	}
}

func requiredHeaders() []string {
	var hs []string
	for _, c := range Columns {
		if c.Required {
			hs = append(hs, c.Header)
		}
	}
	return hs
}

// missingOptional returns the line-1 problems for every optional column
// except present.
func missingOptional(present ...string) []RowProblem {
	var ps []RowProblem
	for _, c := range Columns {
		if !c.Required && !strings.Contains(strings.Join(present, "\n")+"\n", c.Header+"\n") {
			ps = append(ps, RowProblem{1, c.Header, "すべての列が必要"})
		}
	}
	return ps
}

func TestReadCSVFormulaEscape(t *testing.T) {
	for _, tc := range []struct{ cell, want string }{
		{"'=SUM(A1:A2)", "=SUM(A1:A2)"},
		{"'+81 3", "+81 3"},
		{"'-", "-"},
		{"'@x", "@x"},
		{"'＝全角", "=全角"},
		{"'abc", "'abc"}, // an apostrophe WriteCSV did not add stays
		{"''=x", "'=x"},
		{"=HYPERLINK(\"http://evil\")", "=HYPERLINK(\"http://evil\")"},
	} {
		got, err := ReadCSV(strings.NewReader(csvFile(t, nil, validRow(row{"タイトル": tc.cell}))), "", nil)
		if err != nil {
			t.Fatalf("ReadCSV(%q): %v", tc.cell, err)
		}
		if got[0].Title != tc.want {
			t.Errorf("title %q read as %q, want %q", tc.cell, got[0].Title, tc.want)
		}
	}

	var buf bytes.Buffer
	danger := []string{"=1+1", "+1", "-1+1", "@SUM(1)", "＝1", "=HYPERLINK(\"http://evil\",\"x\")", "'=literal"}
	for _, d := range danger {
		buf.Reset()
		o := validOpening(t, d)
		if err := WriteCSV(&buf, []*Opening{o}, UTF8BOM, nil); err != nil {
			t.Fatal(err)
		}
		back, err := ReadCSV(bytes.NewReader(buf.Bytes()), UTF8BOM, nil)
		if err != nil {
			t.Fatalf("ReadCSV: %v", err)
		}
		if diff := diffOpenings([]*Opening{o}, back); diff != "" {
			t.Errorf("round trip of %q (-want +got):\n%s", d, diff)
		}
		recs, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		for i, cell := range recs[1] {
			if r := []rune(cell); len(r) > 0 && strings.ContainsRune("=+-@\t\r＝＋－＠", r[0]) {
				t.Errorf("WriteCSV left %s = %q unescaped", Columns[i].Header, cell)
			}
		}
	}
}

// validOpening returns a valid opening whose text fields hold s.
func validOpening(tb testing.TB, s string) *Opening {
	tb.Helper()
	o := &Opening{Title: s, Kind: career.WorkSpot, Address: s, City: s, Description: s,
		Schedule: Schedule{Kind: ScheduleSingle, Date: "2025-04-01", Start: "09:00", End: "12:00", Note: s},
		PayUnit:  career.PayHourly, PayMinYen: 9000, Prefecture: "京都府", CheckItems: []string{s},
		Answers: map[career.Stage]career.StageAnswer{}, Status: StatusOpen}
	for _, st := range career.Stages {
		o.Answers[st] = career.AnswerConsider
	}
	if probs := o.Validate(nil); len(probs) > 0 {
		tb.Fatalf("opening with %q invalid: %v", s, probs)
	}
	return o
}

func TestReadCSVLimits(t *testing.T) {
	big := csvFile(t, nil, validRow(row{"説明": strings.Repeat("あ", MaxImportBytes/3+1)}))
	_, err := ReadCSV(strings.NewReader(big), "", nil)
	wantProblems(t, err, RowProblem{0, "", "大きすぎます"})

	rows := make([]row, MaxImportRows+1)
	for i := range rows {
		rows[i] = validRow(nil)
	}
	_, err = ReadCSV(strings.NewReader(csvFile(t, nil, rows...)), "", nil)
	wantProblems(t, err, RowProblem{MaxImportRows + 2, "", "5000件まで"})

	got, err := ReadCSV(strings.NewReader(csvFile(t, nil, rows[:MaxImportRows]...)), "", nil)
	if err != nil || len(got) != MaxImportRows {
		t.Errorf("ReadCSV(%d rows) = %d openings, %v", MaxImportRows, len(got), err)
	}

	bad := make([]row, MaxImportRows)
	for i := range bad {
		bad[i] = validRow(row{"タイトル": "", "報酬下限(円)": "x"})
	}
	_, err = ReadCSV(strings.NewReader(csvFile(t, nil, bad...)), "", nil)
	ie, ok := errors.AsType[*ImportError](err)
	if !ok || len(ie.Problems) != MaxImportProblems+1 || !strings.Contains(ie.Problems[MaxImportProblems].Message, "打ち切り") {
		t.Errorf("many problems: err = %v", err)
	}

	if _, err := ReadCSV(strings.NewReader("x"), "ebcdic", nil); err == nil || errors.As(err, new(*ImportError)) {
		t.Errorf("unknown encoding: err = %v, want a plain error", err)
	}
}

func FuzzReadCSV(f *testing.F) {
	vocab := career.DefaultVocabulary()
	f.Add(writeCSV(f, csvSamples(f, vocab), UTF8BOM, vocab))
	f.Add(writeCSV(f, csvSamples(f, vocab), ShiftJIS, vocab))
	f.Fuzz(func(t *testing.T, data []byte) {
		list, err := ReadCSV(bytes.NewReader(data), "", vocab)
		if err != nil {
			if _, ok := errors.AsType[*ImportError](err); !ok {
				t.Fatalf("err = %v, want *ImportError", err)
			}
			if list != nil {
				t.Fatal("openings and an error")
			}
			return
		}
		// What was read writes back and reads again unchanged.
		again, err := ReadCSV(bytes.NewReader(writeCSV(t, list, UTF8BOM, vocab)), UTF8BOM, vocab)
		if err != nil {
			t.Fatalf("re-reading: %v", err)
		}
		if d := diffOpenings(list, again); d != "" {
			t.Fatalf("write then read changed openings:\n%s", d)
		}
	})
}

// FuzzCSVRoundTrip puts arbitrary text in every free-text field of a valid
// opening: whatever Validate accepts must survive WriteCSV and ReadCSV.
func FuzzCSVRoundTrip(f *testing.F) {
	for _, s := range []string{"内科", "'=x", "a; b", "1行目\n2行目", `"引用", カンマ`, "-", "＠", "〜¥−"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		o := &Opening{Title: s, Kind: career.WorkSpot, Address: s, City: s, Description: s,
			Schedule: Schedule{Kind: ScheduleSingle, Date: "2025-04-01", Start: "09:00", End: "12:00", Note: s},
			PayUnit:  career.PayHourly, PayMinYen: 9000, Prefecture: "京都府", CheckItems: []string{s, s + "2"},
			Answers: map[career.Stage]career.StageAnswer{}, Status: StatusOpen}
		for _, st := range career.Stages {
			o.Answers[st] = career.AnswerConsider
		}
		if len(o.Validate(nil)) > 0 {
			return
		}
		for _, enc := range []Encoding{UTF8BOM, ShiftJIS} {
			var buf bytes.Buffer
			if err := WriteCSV(&buf, []*Opening{o}, enc, nil); err != nil {
				if enc == ShiftJIS && errors.Is(err, ErrUnencodable) {
					continue
				}
				t.Fatalf("WriteCSV(%s): %v", enc, err)
			}
			got, err := ReadCSV(&buf, enc, nil)
			if err != nil {
				t.Fatalf("ReadCSV(%s): %v", enc, err)
			}
			want := o
			if enc == ShiftJIS {
				// Shift_JIS holds the CP932 forms, which Validate normalises again.
				c := *o
				for _, p := range []*string{&c.Title, &c.City, &c.Address, &c.Description, &c.Schedule.Note} {
					*p = excelcsv.Lossy(*p)
				}
				c.CheckItems = nil
				for _, it := range o.CheckItems {
					c.CheckItems = append(c.CheckItems, excelcsv.Lossy(it))
				}
				c.Validate(nil)
				want = &c
			}
			if d := diffOpenings([]*Opening{want}, got); d != "" {
				t.Fatalf("%s round trip of %q (-want +got):\n%s", enc, s, d)
			}
		}
	})
}
