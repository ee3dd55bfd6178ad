package openings

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// Encoding is the character encoding of a CSV file of openings.
type Encoding = excelcsv.Encoding

// Encodings. Excel opens both; UTF-8 with a BOM keeps every character,
// Shift_JIS suits older Excel and the systems institutions already run.
const (
	UTF8BOM  = excelcsv.UTF8BOM  // UTF-8 with a byte order mark, the default
	ShiftJIS = excelcsv.ShiftJIS // Windows-31J (CP932)
)

// Import limits, so one upload cannot tie up the server.
const (
	MaxImportBytes    = 5 << 20 // 5 MiB
	MaxImportRows     = 5000
	MaxImportProblems = 1000 // the check stops after this many problems
)

// ErrUnencodable is wrapped by WriteCSV's error when a cell holds a
// character Shift_JIS cannot represent (an emoji, say); UTF-8 keeps it.
// It is excelcsv.ErrUnencodable, so one test serves every CSV export.
var ErrUnencodable = excelcsv.ErrUnencodable

// Column is one column of the CSV form of openings.
type Column struct {
	// Header is the Japanese header written on export and accepted on import.
	Header string
	// Key is the English alias accepted on import; it is also the key of
	// Opening.Validate's map whose messages this column reports.
	Key string
	// Required columns must be in the header on import. A file with the ID
	// column needs every column, since an update replaces every field.
	Required bool
	// Format says, in Japanese, what a cell holds, for the help page.
	Format string
}

// Columns are the CSV columns in the order WriteCSV writes them. ReadCSV
// accepts them in any order, by Header or Key (full-width and half-width
// alike, spaces and case ignored).
//
// The ID column tells new openings from updates: empty means a new opening, a
// number the update of that opening (Opening.ID is set; the caller checks that
// the importer owns it). Cells that begin with = + - @, a tab or a carriage
// return (other than negative numbers) are written with a leading apostrophe
// so that spreadsheets do not run them as formulas (excelcsv.EscapeFormula);
// ReadCSV removes that apostrophe again.
var Columns = []Column{
	{"ID", "id", false, "空欄は新規。数字は既存の求人の更新"},
	{"タイトル", "title", true, "120文字以内"},
	{"勤務形態", "kind", true, "常勤・定期非常勤・スポット・当直・日直・在宅・リモート"},
	{"リモート業務", "remote_kind", false, "在宅・リモートのとき: オンライン診療・遠隔読影・セカンドオピニオン・産業医・健康相談"},
	{"診療科", "specialty", false, "基本領域(内科・外科など)。空欄可"},
	{"日程の種類", "schedule_kind", true, "毎週・単発・常勤"},
	{"曜日と時間", "weekly", false, "毎週のとき。例: 火 13:00-17:00; 木 09:00-12:00"},
	{"勤務日", "date", false, "単発のとき。例: 2025-04-01"},
	{"開始", "start_time", false, "単発のとき。例: 17:00"},
	{"終了", "end_time", false, "単発のとき。例: 09:00(開始より前なら翌日)"},
	{"日程の補足", "schedule_note", false, "500文字以内"},
	{"報酬単位", "pay_unit", true, "時給・1回あたり・年収"},
	{"報酬下限(円)", "pay_min_yen", true, "数字。例: 10000"},
	{"報酬上限(円)", "pay_max_yen", false, "数字。空欄は下限と同じ"},
	{"救急区分", "emergency_level", false, "当直・日直のとき: 0(なし)・1(一次)・2(二次)・3(三次)"},
	{"宿日直許可", "duty_permit", false, "あり・なし"},
	{"都道府県", "prefecture", true, "例: 東京都。在宅・リモートは空欄可"},
	{"市区町村", "city", false, "60文字以内"},
	{"住所", "address", false, "300文字以内"},
	{"医学生", "answer_" + string(career.StageStudent), true, "可・応相談・不可"},
	{"初期研修医", "answer_" + string(career.StageJuniorResident), true, "可・応相談・不可"},
	{"専攻医", "answer_" + string(career.StageSpecialtyResident), true, "可・応相談・不可"},
	{"専門医", "answer_" + string(career.StageSpecialist), true, "可・応相談・不可"},
	{"必須スキル", "required", false, "能力の名前またはコード:レベル(1〜4)を「; 」で区切る。例: エコー検査:3; 処方ができる:2"},
	{"歓迎スキル", "preferred", false, "必須スキルと同じ形式"},
	{"確認事項", "check_items", false, "1行に1件(または「; 」で区切る)。20件以内"},
	{"説明", "description", false, "5000文字以内。改行可"},
	{"状態", "status", false, "下書き・公開中・募集終了。空欄は下書き"},
}

// Column indexes, in the order of Columns.
const (
	colID = iota
	colTitle
	colKind
	colRemoteKind
	colSpecialty
	colScheduleKind
	colWeekly
	colDate
	colStart
	colEnd
	colScheduleNote
	colPayUnit
	colPayMin
	colPayMax
	colEmergency
	colDutyPermit
	colPrefecture
	colCity
	colAddress
	colAnswerStudent // then one column per career.Stages, in order
	colRequired      = colAnswerStudent + 4
	colPreferred     = colRequired + 1
	colCheckItems    = colPreferred + 1
	colDescription   = colCheckItems + 1
	colStatus        = colDescription + 1
)

// WriteCSV writes list as CSV for Excel (see excelcsv.Write): a header row
// of Columns, one row per opening, CRLF line endings, in enc ("" means
// UTF8BOM). Skills are written by their name in vocab when that name reads
// back unambiguously, else by code; vocab may be nil. With ShiftJIS,
// characters Windows writes differently (〜, −, ¥ …) are mapped to their
// CP932 forms; a cell with a character Shift_JIS lacks fails the whole
// export with an error wrapping ErrUnencodable that names the opening and
// the column, and nothing is written.
func WriteCSV(w io.Writer, list []*Opening, enc Encoding, vocab *career.Vocabulary) error {
	if !enc.Valid() {
		return fmt.Errorf("openings: unknown CSV encoding %q", enc)
	}
	names := csvSkillNames(vocab)
	header := make([]string, len(Columns))
	for i, c := range Columns {
		header[i] = c.Header
	}
	records := [][]string{header}
	for _, o := range list {
		records = append(records, csvRecord(o, vocab, names))
	}
	err := excelcsv.Write(w, records, enc)
	if ue, ok := errors.AsType[*excelcsv.UnencodableError](err); ok && ue.Row > 0 {
		return fmt.Errorf("%w: opening %d (row %d), column %s", ErrUnencodable, list[ue.Row-1].ID, ue.Row+1, Columns[ue.Col].Header)
	}
	if err != nil {
		return fmt.Errorf("openings: write CSV: %w", err)
	}
	return nil
}

// csvRecord returns the cells of o, in the order of Columns.
func csvRecord(o *Opening, vocab *career.Vocabulary, names map[string]string) []string {
	rec := make([]string, len(Columns))
	if o.ID != 0 {
		rec[colID] = strconv.FormatInt(o.ID, 10)
	}
	rec[colTitle] = o.Title
	rec[colKind] = o.Kind.Label()
	if o.RemoteKind != "" {
		rec[colRemoteKind] = o.RemoteKind.Label()
	}
	rec[colSpecialty] = o.Specialty
	s := o.Schedule
	rec[colScheduleKind] = scheduleKindLabel(s.Kind)
	slots := make([]string, len(s.Weekly))
	for i, w := range s.Weekly {
		slots[i] = weekdayChar(w.Weekday) + " " + w.Start + "-" + w.End
	}
	rec[colWeekly] = strings.Join(slots, "; ")
	rec[colDate], rec[colStart], rec[colEnd], rec[colScheduleNote] = s.Date, s.Start, s.End, s.Note
	if o.PayUnit != "" {
		rec[colPayUnit] = o.PayUnit.Label()
	}
	rec[colPayMin] = strconv.FormatInt(o.PayMinYen, 10)
	rec[colPayMax] = strconv.FormatInt(o.PayMaxYen, 10)
	rec[colEmergency] = strconv.Itoa(o.EmergencyLevel)
	rec[colDutyPermit] = "なし"
	if o.DutyPermit {
		rec[colDutyPermit] = "あり"
	}
	rec[colPrefecture], rec[colCity], rec[colAddress] = o.Prefecture, o.City, o.Address
	for i, st := range career.Stages {
		if a, ok := o.Answers[st]; ok {
			rec[colAnswerStudent+i] = a.Label()
		}
	}
	rec[colRequired] = csvRequirements(o.Required, vocab, names)
	rec[colPreferred] = csvRequirements(o.Preferred, vocab, names)
	rec[colCheckItems] = strings.Join(o.CheckItems, "\n")
	if len(o.CheckItems) == 1 && strings.Contains(o.CheckItems[0], ";") {
		// A line break tells ReadCSV to split on lines only.
		rec[colCheckItems] += "\n"
	}
	rec[colDescription] = o.Description
	if o.Status != "" {
		rec[colStatus] = o.Status.Label()
	}
	return rec
}

func csvRequirements(reqs []career.Requirement, vocab *career.Vocabulary, names map[string]string) string {
	parts := make([]string, len(reqs))
	for i, r := range reqs {
		name := r.Code
		if c, ok := vocab.Lookup(r.Code); ok {
			if n := jatext.NormalizeLine(c.Name); names[n] == r.Code && !strings.ContainsAny(n, ";:") {
				name = c.Name
			}
		}
		parts[i] = name + ":" + strconv.Itoa(int(r.Level))
	}
	return strings.Join(parts, "; ")
}

// csvSkillNames maps the normalised name of each competency in vocab to its
// code, leaving out names two competencies share and names that are
// themselves codes.
func csvSkillNames(vocab *career.Vocabulary) map[string]string {
	names := map[string]string{}
	dup := map[string]bool{}
	for _, c := range vocab.All() {
		n := jatext.NormalizeLine(c.Name)
		if _, ok := names[n]; ok {
			dup[n] = true
		}
		names[n] = c.Code
	}
	for n := range names {
		if _, isCode := vocab.Lookup(strings.ToLower(n)); dup[n] || isCode {
			delete(names, n)
		}
	}
	return names
}

// ImportError lists every problem found in a CSV file; ReadCSV imports
// nothing when there is one.
type ImportError struct {
	Problems []RowProblem
}

// RowProblem is one problem of an imported file.
type RowProblem struct {
	Line    int    // 1-based physical line where the record starts; the header is 1; 0 for the whole file
	Field   string // the column's Japanese header, or "" for the whole row or file
	Message string // Japanese, for the person importing
}

// String returns the problem in Japanese, for display.
func (p RowProblem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d行目 ", p.Line)
	}
	if p.Field != "" {
		fmt.Fprintf(&b, "「%s」", p.Field)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// Error summarises the first few problems.
func (e *ImportError) Error() string {
	const shown = 3
	var b strings.Builder
	fmt.Fprintf(&b, "openings: CSV import: %d problem(s): ", len(e.Problems))
	for i, p := range e.Problems[:min(shown, len(e.Problems))] {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	if len(e.Problems) > shown {
		b.WriteString("; …")
	}
	return b.String()
}

// ReadCSV reads openings from CSV as written by WriteCSV or edited in Excel,
// and validates each with Opening.Validate. A leading UTF-8 BOM is removed
// and decides the encoding; otherwise enc does, and "" detects it (valid
// UTF-8, else Shift_JIS). Columns may come in any order (see Columns); blank
// rows are skipped; numbers may hold commas, full-width digits and a 円 or 万
// suffix.
//
// Either every row is imported or none: when anything is wrong, ReadCSV
// returns nil and an *ImportError listing the problems, at most
// MaxImportProblems of them. Callers set InstitutionID and the other fields
// the file does not hold, and check that rows with an ID update openings the
// importer may edit. Other errors come from reading r or from an unknown enc.
func ReadCSV(r io.Reader, enc Encoding, vocab *career.Vocabulary) ([]*Opening, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxImportBytes+1))
	if err != nil {
		return nil, fmt.Errorf("openings: read CSV: %w", err)
	}
	if len(data) > MaxImportBytes {
		return nil, fileProblem(0, fmt.Sprintf("ファイルが大きすぎます。%dMB以内に分けてください。", MaxImportBytes>>20))
	}
	text, err := decodeCSV(data, enc)
	if err != nil {
		return nil, err
	}

	im := csvImporter{vocab: vocab, names: csvSkillNames(vocab), ids: map[int64]int{}}
	cr := csv.NewReader(strings.NewReader(text))
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	switch {
	case err == io.EOF:
		return nil, fileProblem(1, "見出しの行がありません。")
	case err != nil:
		return nil, fileProblem(1, csvSyntax(err))
	}
	if !im.readHeader(header) {
		return nil, &ImportError{Problems: im.problems}
	}

	var list []*Opening
	rows, truncated := 0, false
	for !truncated {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			line := 0
			if pe, ok := errors.AsType[*csv.ParseError](err); ok {
				line = pe.StartLine
			}
			im.add(line, -1, csvSyntax(err))
			break
		}
		line, _ := cr.FieldPos(0)
		if blankRecord(rec) {
			continue
		}
		if rows == MaxImportRows {
			im.add(line, -1, fmt.Sprintf("行が多すぎます。1回に取り込めるのは%d件までです。", MaxImportRows))
			break
		}
		rows++
		if len(rec) != len(header) {
			im.add(line, -1, fmt.Sprintf("列の数(%d)が見出しの列の数(%d)と違います。", len(rec), len(header)))
		} else {
			list = append(list, im.readRow(line, rec))
		}
		truncated = len(im.problems) > MaxImportProblems
	}
	if truncated {
		im.problems = append(im.problems[:MaxImportProblems], RowProblem{
			Message: fmt.Sprintf("問題が%d件を超えたため、確認を打ち切りました。", MaxImportProblems)})
	}
	if len(im.problems) > 0 {
		return nil, &ImportError{Problems: im.problems}
	}
	if list == nil {
		list = []*Opening{}
	}
	return list, nil
}

func fileProblem(line int, msg string) *ImportError {
	return &ImportError{Problems: []RowProblem{{Line: line, Message: msg}}}
}

func csvSyntax(err error) string {
	if errors.Is(err, csv.ErrQuote) || errors.Is(err, csv.ErrBareQuote) {
		return "CSVの形式が正しくありません。引用符(\")の対応を確認してください。"
	}
	return "CSVの形式が正しくありません。"
}

// decodeCSV returns data as UTF-8 text without a BOM.
func decodeCSV(data []byte, enc Encoding) (string, error) {
	if rest, ok := bytes.CutPrefix(data, excelcsv.BOM); ok {
		data, enc = rest, UTF8BOM
	}
	switch enc {
	case "":
		if utf8.Valid(data) {
			return string(data), nil
		}
	case UTF8BOM:
		if !utf8.Valid(data) {
			return "", fileProblem(0, "文字コードがUTF-8ではありません。Shift_JISで保存したファイルなら、文字コードにShift_JISを選んでください。")
		}
		return string(data), nil
	case ShiftJIS:
	default:
		return "", fmt.Errorf("openings: unknown CSV encoding %q", enc)
	}
	text, err := japanese.ShiftJIS.NewDecoder().Bytes(data)
	if err != nil {
		return "", fileProblem(0, "文字コードを読み取れません。UTF-8かShift_JISで保存してください。")
	}
	return string(text), nil
}

func blankRecord(rec []string) bool {
	for _, c := range rec {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// csvImporter holds the state of one ReadCSV.
type csvImporter struct {
	vocab    *career.Vocabulary
	names    map[string]string // normalised competency name → code
	at       []int             // record index of each column of Columns, -1 if absent
	ignored  []int             // record indexes of columns without a header
	ids      map[int64]int     // opening ID → line, to refuse duplicates
	problems []RowProblem
}

// add records a problem; col is an index into Columns, or -1 for the row.
func (im *csvImporter) add(line, col int, msg string) {
	p := RowProblem{Line: line, Message: msg}
	if col >= 0 {
		p.Field = Columns[col].Header
	}
	im.problems = append(im.problems, p)
}

func csvHeaderKey(s string) string {
	return strings.ToLower(strings.ReplaceAll(jatext.NormalizeLine(excelcsv.UnescapeFormula(s)), " ", ""))
}

var csvHeaderIndex = func() map[string]int {
	m := map[string]int{}
	for i, c := range Columns {
		m[csvHeaderKey(c.Header)] = i
		m[csvHeaderKey(c.Key)] = i
	}
	return m
}()

// readHeader maps the header row to Columns and reports whether it is usable.
func (im *csvImporter) readHeader(header []string) bool {
	im.at = make([]int, len(Columns))
	for i := range im.at {
		im.at[i] = -1
	}
	for j, h := range header {
		k := csvHeaderKey(h)
		if k == "" {
			im.ignored = append(im.ignored, j)
			continue
		}
		i, ok := csvHeaderIndex[k]
		switch {
		case !ok:
			im.problems = append(im.problems, RowProblem{Line: 1, Field: strings.TrimSpace(h),
				Message: "この列は取り込めません。列名を確認してください。"})
		case im.at[i] >= 0:
			im.add(1, i, "この列が2回以上あります。")
		default:
			im.at[i] = j
		}
	}
	all := im.at[colID] >= 0
	for i, c := range Columns {
		if im.at[i] < 0 && (c.Required || all) {
			msg := "この列がありません。"
			if !c.Required {
				msg = "この列がありません。IDの列があるときは、すべての列が必要です(更新は全項目を置き換えます)。"
			}
			im.add(1, i, msg)
		}
	}
	return len(im.problems) == 0
}

// readRow parses and validates one record, recording its problems.
func (im *csvImporter) readRow(line int, rec []string) *Opening {
	for _, j := range im.ignored {
		if strings.TrimSpace(rec[j]) != "" {
			im.add(line, -1, fmt.Sprintf("見出しのない列(%d列目)に値があります。", j+1))
		}
	}
	cell := func(i int) string {
		if im.at[i] < 0 {
			return ""
		}
		return excelcsv.UnescapeFormula(rec[im.at[i]])
	}
	msgs := map[int]string{} // column → message; one per column
	bad := func(i int, msg string) {
		if _, ok := msgs[i]; !ok {
			msgs[i] = msg
		}
	}

	o := &Opening{Answers: map[career.Stage]career.StageAnswer{}}
	if s := jatext.NormalizeLine(cell(colID)); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil || id <= 0:
			bad(colID, "IDは空欄(新規)か、既存の求人の番号にしてください。")
		case im.ids[id] != 0:
			bad(colID, fmt.Sprintf("ID %d は%d行目と重複しています。", id, im.ids[id]))
		default:
			o.ID = id
			im.ids[id] = line
		}
	}
	o.Title = cell(colTitle)
	var ok bool
	if o.Kind, ok = cellChoice(cell(colKind), career.WorkKinds, career.WorkKind.Label); !ok {
		bad(colKind, choiceMessage("勤務形態", career.WorkKinds, career.WorkKind.Label))
	}
	if o.RemoteKind, ok = cellChoice(cell(colRemoteKind), career.RemoteKinds, career.RemoteKind.Label); !ok {
		bad(colRemoteKind, choiceMessage("リモート業務", career.RemoteKinds, career.RemoteKind.Label))
	}
	o.Specialty = cell(colSpecialty)
	if o.Schedule.Kind, ok = cellChoice(cell(colScheduleKind), csvScheduleKinds, scheduleKindLabel); !ok {
		bad(colScheduleKind, choiceMessage("日程の種類", csvScheduleKinds, scheduleKindLabel))
	}
	if o.Schedule.Weekly, ok = cellWeekly(cell(colWeekly)); !ok {
		bad(colWeekly, "曜日と時間は「火 13:00-17:00; 木 09:00-12:00」の形式で入力してください。")
	}
	o.Schedule.Date = cellDate(cell(colDate))
	o.Schedule.Start = cellClock(cell(colStart))
	o.Schedule.End = cellClock(cell(colEnd))
	o.Schedule.Note = cell(colScheduleNote)
	if o.PayUnit, ok = cellChoice(cell(colPayUnit), career.PayUnits, career.PayUnit.Label); !ok {
		bad(colPayUnit, choiceMessage("報酬単位", career.PayUnits, career.PayUnit.Label))
	}
	for _, c := range []struct {
		col int
		v   *int64
	}{{colPayMin, &o.PayMinYen}, {colPayMax, &o.PayMaxYen}} {
		if n, msg := cellYen(cell(c.col)); msg != "" {
			bad(c.col, msg)
		} else {
			*c.v = n
		}
	}
	if o.EmergencyLevel, ok = cellEmergency(cell(colEmergency)); !ok {
		bad(colEmergency, "救急区分は0(なし)・1(一次)・2(二次)・3(三次)のどれかにしてください。")
	}
	if o.DutyPermit, ok = cellBool(cell(colDutyPermit)); !ok {
		bad(colDutyPermit, "宿日直許可は「あり」か「なし」にしてください。")
	}
	o.Prefecture, o.City, o.Address = cell(colPrefecture), cell(colCity), cell(colAddress)
	for i, st := range career.Stages {
		a, ok := cellChoice(cell(colAnswerStudent+i), career.StageAnswers, career.StageAnswer.Label)
		switch {
		case !ok:
			bad(colAnswerStudent+i, choiceMessage(st.Label()+"への回答", career.StageAnswers, career.StageAnswer.Label))
		case a != "":
			o.Answers[st] = a
		}
	}
	for _, c := range []struct {
		col int
		v   *[]career.Requirement
	}{{colRequired, &o.Required}, {colPreferred, &o.Preferred}} {
		if reqs, ok := im.cellRequirements(cell(c.col)); ok {
			*c.v = reqs
		} else {
			bad(c.col, Columns[c.col].Header+"は「能力:レベル」を「; 」で区切って入力してください(例: エコー検査:3; prescribing:2)。")
		}
	}
	o.CheckItems = cellItems(cell(colCheckItems))
	o.Description = cell(colDescription)
	if o.Status, ok = cellChoice(cell(colStatus), csvStatuses, Status.Label); !ok {
		bad(colStatus, choiceMessage("状態", csvStatuses, Status.Label))
	} else if o.Status == "" {
		o.Status = StatusDraft
	}

	var other []RowProblem
	for key, msg := range o.Validate(im.vocab) {
		if i := slices.IndexFunc(Columns, func(c Column) bool { return c.Key == key }); i >= 0 {
			bad(i, msg)
		} else {
			other = append(other, RowProblem{Line: line, Field: key, Message: msg})
		}
	}
	for i := range Columns {
		if msg, ok := msgs[i]; ok {
			im.add(line, i, msg)
		}
	}
	slices.SortFunc(other, func(a, b RowProblem) int { return strings.Compare(a.Field, b.Field) })
	im.problems = append(im.problems, other...)
	return o
}

// csvScheduleKinds and csvStatuses list the values of those types, for cellChoice.
var (
	csvScheduleKinds = []ScheduleKind{ScheduleWeekly, ScheduleSingle, ScheduleFullTime}
	csvStatuses      = []Status{StatusDraft, StatusOpen, StatusClosed}
)

func scheduleKindLabel(k ScheduleKind) string {
	switch k {
	case ScheduleWeekly:
		return "毎週"
	case ScheduleSingle:
		return "単発"
	case ScheduleFullTime:
		return "常勤"
	}
	return string(k)
}

// cellChoice matches s against the codes and Japanese labels of values; an
// empty s gives the zero value.
func cellChoice[T ~string](s string, values []T, label func(T) string) (T, bool) {
	s = jatext.NormalizeLine(s)
	if s == "" {
		return "", true
	}
	for _, v := range values {
		if strings.EqualFold(s, string(v)) || s == jatext.NormalizeLine(label(v)) {
			return v, true
		}
	}
	return "", false
}

// choiceMessage returns the message for a value not among values.
func choiceMessage[T ~string](what string, values []T, label func(T) string) string {
	names := make([]string, len(values))
	for i, v := range values {
		names[i] = label(v)
	}
	return what + "は「" + strings.Join(names, "」「") + "」のどれかにしてください。"
}

var weekdayChars = [...]string{"日", "月", "火", "水", "木", "金", "土"}

func weekdayChar(d time.Weekday) string {
	if d < time.Sunday || d > time.Saturday {
		return strconv.Itoa(int(d))
	}
	return weekdayChars[d]
}

func cellWeekday(s string) (time.Weekday, bool) {
	s = strings.ToLower(strings.Trim(s, "()"))
	s = strings.TrimSuffix(strings.TrimSuffix(s, "日"), "曜")
	if s == "" {
		s = "日" // 日, 日曜 and 日曜日 all lose their 日 above
	}
	for d, n := range weekdayChars {
		if s == n || len(s) >= 3 && strings.HasPrefix(strings.ToLower(time.Weekday(d).String()), s) {
			return time.Weekday(d), true
		}
	}
	return 0, false
}

var csvSlotRE = regexp.MustCompile(`^([^\d\s:]+)\s*(\d{1,2}:\d{2}(?::\d{2})?)\s*[-~〜ー–—‐]\s*(\d{1,2}:\d{2}(?::\d{2})?)$`)

// cellWeekly reads slots like "火 13:00-17:00; 木 09:00-12:00".
func cellWeekly(s string) ([]career.Weekly, bool) {
	var slots []career.Weekly
	for part := range strings.FieldsFuncSeq(jatext.Normalize(s), func(r rune) bool { return r == ';' || r == '\n' || r == '、' }) {
		part = jatext.NormalizeLine(part)
		if part == "" {
			continue
		}
		m := csvSlotRE.FindStringSubmatch(part)
		if m == nil {
			return nil, false
		}
		d, ok := cellWeekday(m[1])
		if !ok {
			return nil, false
		}
		slots = append(slots, career.Weekly{Weekday: d, Start: cellClock(m[2]), End: cellClock(m[3])})
	}
	return slots, true
}

var csvClockRE = regexp.MustCompile(`^(\d{1,2}):(\d{2})(?::00)?$`)

// cellClock turns Excel's "9:00" or "9:00:00" into "09:00"; anything else
// is returned normalised for Validate to judge.
func cellClock(s string) string {
	s = jatext.NormalizeLine(s)
	if m := csvClockRE.FindStringSubmatch(s); m != nil {
		return csvPad2(m[1]) + ":" + m[2]
	}
	return s
}

var csvDateRE = regexp.MustCompile(`^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$`)

// cellDate turns Excel's "2025/4/1" or "2025年4月1日" into "2025-04-01";
// anything else is returned normalised for Validate to judge.
func cellDate(s string) string {
	s = jatext.NormalizeLine(s)
	if m := csvDateRE.FindStringSubmatch(s); m != nil {
		return m[1] + "-" + csvPad2(m[2]) + "-" + csvPad2(m[3])
	}
	return s
}

func csvPad2(digits string) string {
	if len(digits) == 1 {
		return "0" + digits
	}
	return digits
}

// cellYen reads an amount such as "3,000", "３０００円" or "1200万"; empty
// is 0. It returns a message for anything else.
func cellYen(s string) (int64, string) {
	raw := s
	s = strings.ReplaceAll(jatext.NormalizeLine(s), ",", "")
	s = strings.TrimSpace(strings.TrimSuffix(s, "円"))
	s = strings.TrimPrefix(s, "¥")
	if s == "" {
		return 0, ""
	}
	mult := int64(1)
	if t, ok := strings.CutSuffix(s, "万"); ok {
		s, mult = strings.TrimSpace(t), 10_000
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, "数字で入力してください(入力値「" + jatext.NormalizeLine(raw) + "」)。"
	}
	if n > MaxPayYen/mult {
		return 0, "報酬は0円以上10億円以下で入力してください。"
	}
	return n * mult, ""
}

func cellEmergency(s string) (int, bool) {
	switch jatext.NormalizeLine(s) {
	case "", "0", "なし":
		return 0, true
	case "1", "一次":
		return 1, true
	case "2", "二次":
		return 2, true
	case "3", "三次":
		return 3, true
	}
	return 0, false
}

func cellBool(s string) (bool, bool) {
	switch strings.ToLower(jatext.NormalizeLine(s)) {
	case "", "なし", "無", "no", "false", "0", "×":
		return false, true
	case "あり", "有", "yes", "true", "1", "○", "◯":
		return true, true
	}
	return false, false
}

// cellRequirements reads "エコー検査:3; prescribing:2": each item a
// competency's code or name (resolved through the vocabulary) and a level.
// Unknown codes and bad levels are left for Validate to report.
func (im *csvImporter) cellRequirements(s string) ([]career.Requirement, bool) {
	var reqs []career.Requirement
	for part := range strings.FieldsFuncSeq(jatext.Normalize(s), func(r rune) bool { return r == ';' || r == '\n' }) {
		part = jatext.NormalizeLine(part)
		if part == "" {
			continue
		}
		i := strings.LastIndex(part, ":")
		if i < 0 {
			return nil, false
		}
		name, lv := strings.TrimSpace(part[:i]), strings.TrimSpace(part[i+1:])
		level, err := strconv.Atoi(lv)
		if err != nil || name == "" {
			return nil, false
		}
		code := strings.ToLower(name)
		if _, ok := im.vocab.Lookup(code); !ok {
			if c, ok := im.names[name]; ok {
				code = c
			} else {
				code = name
			}
		}
		reqs = append(reqs, career.Requirement{Code: code, Level: career.Level(level)})
	}
	return reqs, true
}

// cellItems splits check items on line breaks, or on semicolons when the
// cell is a single line.
func cellItems(s string) []string {
	s = strings.ReplaceAll(s, "\r", "")
	sep := func(r rune) bool { return r == '\n' }
	if !strings.Contains(s, "\n") {
		sep = func(r rune) bool { return r == ';' || r == '；' }
	}
	var items []string
	for it := range strings.FieldsFuncSeq(s, sep) {
		if it = strings.TrimSpace(it); it != "" {
			items = append(items, it)
		}
	}
	return items
}
