package obligation

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// Limits of a program and of the records, checked by the Validate methods.
const (
	MaxTotalYears    = 15   // the longest obligation a program may set
	MaxDeadlineYears = 30   // the furthest deadline a program may set
	MinFiscalYear    = 2000 // the earliest fiscal year a record may name
	MaxFiscalYear    = 2100 // the latest fiscal year a record may name
	MaxName          = 100  // characters in a program's name
	MaxText          = 200  // characters in a one-line text field
	MaxNote          = 1000 // characters in a note
)

// AllowsSpecialty reports whether service in the 基本領域 specialty counts
// under the program's 診療科限定: any specialty when the program lists none,
// else only those listed. An empty specialty means none yet (初期研修) and
// is always allowed.
func (p Program) AllowsSpecialty(specialty string) bool {
	return specialty == "" || len(p.Specialties) == 0 || slices.Contains(p.Specialties, specialty)
}

// Validate normalises p in place and returns what is wrong per field, in
// Japanese ("name", "prefecture", "total_years", "min_shortage_years",
// "deadline_years", "outside_cap_months", "specialties", "suspension_caps",
// "start_basis"); an empty map means valid. The obligation is 1 to
// MaxTotalYears years, the shortage minimum at most the obligation, the
// deadline at least the obligation and at most MaxDeadlineYears years. The
// specialties are 基本領域 (career.Specialties), kept once each in the
// board's order. An outside cap is cleared when outside service does not
// count, and must be 1 month to the whole obligation when it does.
func (p *Program) Validate() map[string]string {
	fields := map[string]string{}
	p.Name = jatext.NormalizeLine(p.Name)
	p.Prefecture = jatext.NormalizeLine(p.Prefecture)
	p.StartBasis = jatext.NormalizeLine(p.StartBasis)
	switch n := runes(p.Name); {
	case n == 0:
		fields["name"] = "プログラム名を入力してください。"
	case n > MaxName:
		fields["name"] = tooLong("プログラム名", MaxName)
	}
	if !career.IsPrefecture(p.Prefecture) {
		fields["prefecture"] = "都道府県を選んでください。"
	}
	if runes(p.StartBasis) > MaxText {
		fields["start_basis"] = tooLong("開始年度の基準", MaxText)
	}
	if p.TotalYears < 1 || p.TotalYears > MaxTotalYears {
		fields["total_years"] = fmt.Sprintf("義務年限は1〜%d年にしてください。", MaxTotalYears)
	}
	switch {
	case p.MinShortageYears < 0:
		fields["min_shortage_years"] = "医師少数区域での最低勤務年数は0年以上にしてください。"
	case p.MinShortageYears > p.TotalYears:
		fields["min_shortage_years"] = "医師少数区域での最低勤務年数は義務年限以下にしてください。"
	}
	switch {
	case p.DeadlineYears < p.TotalYears:
		fields["deadline_years"] = "履行期限の年数は義務年限以上にしてください。"
	case p.DeadlineYears > MaxDeadlineYears:
		fields["deadline_years"] = fmt.Sprintf("履行期限の年数は%d年以下にしてください。", MaxDeadlineYears)
	}
	switch {
	case !p.OutsideCounts:
		p.OutsideCapMonths = 0
	case p.OutsideCapMonths < 1:
		fields["outside_cap_months"] = "県外勤務を数える場合は、上限を1か月以上にしてください。"
	case fields["total_years"] == "" && p.OutsideCapMonths > p.TotalYears*12:
		fields["outside_cap_months"] = "県外勤務の上限は義務年限以下にしてください。"
	}

	var specialties, unknown []string
	for _, s := range p.Specialties {
		s = jatext.NormalizeLine(s)
		switch {
		case career.IsSpecialty(s):
			specialties = append(specialties, s)
		case s != "":
			unknown = append(unknown, s)
		}
	}
	slices.SortFunc(specialties, func(a, b string) int {
		return slices.Index(career.Specialties, a) - slices.Index(career.Specialties, b)
	})
	p.Specialties = slices.Compact(specialties)
	if len(unknown) > 0 {
		p.Specialties = append(p.Specialties, unknown...)
		fields["specialties"] = "診療科は基本領域から選んでください（" + strings.Join(unknown, "・") + "）。"
	}

	for _, r := range slices.Sorted(maps.Keys(p.SuspensionCaps)) {
		if _, done := fields["suspension_caps"]; done {
			break
		}
		switch {
		case !r.Valid():
			fields["suspension_caps"] = "一時中断の理由は一覧から選んでください。"
		case p.SuspensionCaps[r] < 0:
			fields["suspension_caps"] = r.Label() + "による一時中断の上限は0か月以上にしてください。"
		}
	}
	return fields
}

// Validate normalises pl in place and returns what is wrong per field, in
// Japanese ("fiscal_year", "months", "class", "institution",
// "training_stage", "specialty", "note"); an empty map means valid. A
// placement inside the prefecture needs its area's class; one outside may
// leave it empty. The stage is junior_resident, specialty_resident or
// specialist, or empty if unknown; 専攻医 and 専門医 years need a
// specialty, which must be a 基本領域 the program allows.
func (pl *Placement) Validate(pr Program) map[string]string {
	fields := map[string]string{}
	pl.Institution = jatext.NormalizeLine(pl.Institution)
	pl.AreaCode = jatext.NormalizeLine(pl.AreaCode)
	pl.Area = jatext.NormalizeLine(pl.Area)
	pl.Specialty = jatext.NormalizeLine(pl.Specialty)
	pl.TrainingStage = jatext.NormalizeLine(pl.TrainingStage)
	pl.Note = jatext.Normalize(pl.Note)
	checkYearMonths(fields, pl.FiscalYear, pl.Months)
	checkClass(fields, pl.Class, pl.Outside)
	switch {
	case pl.InstitutionID == 0 && pl.Institution == "":
		fields["institution"] = "勤務先を入力してください。"
	case runes(pl.Institution) > MaxText:
		fields["institution"] = tooLong("勤務先", MaxText)
	}
	stage := career.Stage(pl.TrainingStage)
	switch stage {
	case "", career.StageJuniorResident, career.StageSpecialtyResident, career.StageSpecialist:
	default:
		fields["training_stage"] = "その年度の研修段階（初期研修医・専攻医・専門医）を選んでください。"
	}
	if pl.Specialty == "" && (stage == career.StageSpecialtyResident || stage == career.StageSpecialist) {
		fields["specialty"] = "診療科（基本領域）を選んでください。"
	} else {
		checkSpecialty(fields, pr, pl.Specialty)
	}
	checkNote(fields, pl.Note)
	return fields
}

// Validate normalises s in place and returns what is wrong per field, in
// Japanese ("fiscal_year", "months", "reason", "note"); an empty map means
// valid. The reason must be one the program allows (Program.SuspensionCaps),
// and the reason "other" needs a note.
func (s *Suspension) Validate(pr Program) map[string]string {
	fields := map[string]string{}
	s.Note = jatext.Normalize(s.Note)
	checkYearMonths(fields, s.FiscalYear, s.Months)
	checkReason(fields, pr, s.Reason, s.Note)
	checkNote(fields, s.Note)
	return fields
}

// Validate normalises y in place and returns what is wrong per field, in
// Japanese ("fiscal_year", "kind", "months", "class", "area_code",
// "specialty", "program", "reason", "note"); an empty map means valid. A
// service year inside the prefecture needs the area's class; its specialty
// may be empty (初期研修 or not decided yet) but, if given, must be a 基本領域
// the program allows. A suspension year needs a reason the program allows;
// a research year is a suspension for study, whatever its reason said. The
// fields a kind does not take are cleared.
func (y *PlanYear) Validate(pr Program) map[string]string {
	fields := map[string]string{}
	y.AreaCode = jatext.NormalizeLine(y.AreaCode)
	y.Specialty = jatext.NormalizeLine(y.Specialty)
	y.Program = jatext.NormalizeLine(y.Program)
	y.Note = jatext.Normalize(y.Note)
	checkYearMonths(fields, y.FiscalYear, y.Months)
	switch y.Kind {
	case PlanService:
		y.Reason = ""
		checkClass(fields, y.Class, y.Outside)
		checkSpecialty(fields, pr, y.Specialty)
		if runes(y.AreaCode) > MaxText {
			fields["area_code"] = tooLong("医療圏", MaxText)
		}
		if runes(y.Program) > MaxText {
			fields["program"] = tooLong("専門研修プログラム", MaxText)
		}
	case PlanSuspension, PlanResearch:
		y.Class, y.AreaCode, y.Outside, y.Specialty, y.Program = "", "", false, "", ""
		if y.Kind == PlanResearch {
			y.Reason = SuspendStudy
		}
		checkReason(fields, pr, y.Reason, y.Note)
	default:
		fields["kind"] = "勤務・一時中断・研究・大学院のいずれかを選んでください。"
	}
	checkNote(fields, y.Note)
	return fields
}

// checkYearMonths checks a record's fiscal year and months.
func checkYearMonths(fields map[string]string, fy, months int) {
	if fy < MinFiscalYear || fy > MaxFiscalYear {
		fields["fiscal_year"] = fmt.Sprintf("年度は%d〜%d年度で入力してください。", MinFiscalYear, MaxFiscalYear)
	}
	if months < 1 || months > 12 {
		fields["months"] = "月数は1〜12か月で入力してください。"
	}
}

// checkClass checks the area class of service, required inside the
// prefecture.
func checkClass(fields map[string]string, c AreaClass, outside bool) {
	if !c.Valid() && (!outside || c != "") {
		fields["class"] = "医療圏の区分（医師少数区域・中程度・医師多数区域）を選んでください。"
	}
}

// checkSpecialty checks a specialty of service: empty, or a 基本領域 the
// program allows.
func checkSpecialty(fields map[string]string, pr Program, specialty string) {
	switch {
	case specialty == "":
	case !career.IsSpecialty(specialty):
		fields["specialty"] = "診療科は基本領域から選んでください。"
	case !pr.AllowsSpecialty(specialty):
		fields["specialty"] = notAllowedSpecialty(pr, specialty)
	}
}

// notAllowedSpecialty says that the program's 診療科限定 excludes specialty.
func notAllowedSpecialty(pr Program, specialty string) string {
	return fmt.Sprintf("%sはこのプログラムの対象診療科（%s）ではありません。", specialty, strings.Join(pr.Specialties, "・"))
}

// checkReason checks a suspension reason against the program.
func checkReason(fields map[string]string, pr Program, r SuspensionReason, note string) {
	_, allowed := pr.SuspensionCaps[r]
	switch {
	case !r.Valid():
		fields["reason"] = "一時中断の理由を選んでください。"
	case !allowed:
		fields["reason"] = notAllowedReason(r)
	case r == SuspendOther && note == "":
		fields["note"] = "理由が「その他」の場合は、内容をメモに書いてください。"
	}
}

// notAllowedReason says that the program does not allow suspensions for r.
func notAllowedReason(r SuspensionReason) string {
	return "このプログラムでは「" + r.Label() + "」による一時中断は認められていません。"
}

// checkNote checks the length of a note.
func checkNote(fields map[string]string, note string) {
	if runes(note) > MaxNote {
		fields["note"] = tooLong("メモ", MaxNote)
	}
}

// tooLong says that a field is over its length limit.
func tooLong(what string, limit int) string {
	return fmt.Sprintf("%sは%d文字以内にしてください。", what, limit)
}

// runes counts the characters of s.
func runes(s string) int { return utf8.RuneCountInString(s) }
