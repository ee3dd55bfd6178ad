package career

import (
	"slices"
	"time"
)

// Label returns the Japanese name of the stage, or the raw value if unknown.
func (s Stage) Label() string {
	switch s {
	case StageStudent:
		return "医学生"
	case StageJuniorResident:
		return "初期研修医"
	case StageSpecialtyResident:
		return "専攻医"
	case StageSpecialist:
		return "専門医"
	}
	return string(s)
}

// Valid reports whether s is one of Stages.
func (s Stage) Valid() bool { return slices.Contains(Stages, s) }

// PracticeForms lists the practice forms.
var PracticeForms = []PracticeForm{PracticeEmployed, PracticeClinicOwner, PracticePlanningToOpen}

// Label returns the Japanese name of the practice form, or the raw value if
// unknown.
func (p PracticeForm) Label() string {
	switch p {
	case PracticeEmployed:
		return "勤務医"
	case PracticeClinicOwner:
		return "開業医"
	case PracticePlanningToOpen:
		return "開業予定"
	}
	return string(p)
}

// Valid reports whether p is one of PracticeForms.
func (p PracticeForm) Valid() bool { return slices.Contains(PracticeForms, p) }

// EventKinds lists the career events in the order they usually happen.
var EventKinds = []EventKind{EventNationalExamPassed, EventJuniorStart, EventJuniorEnd, EventSpecialtyStart, EventSpecialistObtained}

// Label returns the Japanese name of the event kind, or the raw value if
// unknown.
func (k EventKind) Label() string {
	switch k {
	case EventNationalExamPassed:
		return "医師国家試験合格"
	case EventJuniorStart:
		return "初期研修開始"
	case EventJuniorEnd:
		return "初期研修修了"
	case EventSpecialtyStart:
		return "専門研修開始"
	case EventSpecialistObtained:
		return "専門医取得"
	}
	return string(k)
}

// Valid reports whether k is one of EventKinds.
func (k EventKind) Valid() bool { return slices.Contains(EventKinds, k) }

// Label returns the Japanese name of the kind of work, or the raw value if
// unknown.
func (k WorkKind) Label() string {
	switch k {
	case WorkFullTime:
		return "常勤"
	case WorkPartTimeRegular:
		return "定期非常勤"
	case WorkSpot:
		return "スポット"
	case WorkNightDuty:
		return "当直"
	case WorkDayDuty:
		return "日直"
	case WorkRemote:
		return "在宅・リモート"
	}
	return string(k)
}

// Valid reports whether k is one of WorkKinds.
func (k WorkKind) Valid() bool { return slices.Contains(WorkKinds, k) }

// Label returns the Japanese name of the remote sub-kind, or the raw value if
// unknown.
func (k RemoteKind) Label() string {
	switch k {
	case RemoteOnlineConsultation:
		return "オンライン診療"
	case RemoteTeleradiology:
		return "遠隔読影"
	case RemoteSecondOpinion:
		return "セカンドオピニオン"
	case RemoteOccupationalHealth:
		return "産業医"
	case RemoteHealthConsultation:
		return "健康相談"
	}
	return string(k)
}

// Valid reports whether k is one of RemoteKinds.
func (k RemoteKind) Valid() bool { return slices.Contains(RemoteKinds, k) }

// StageAnswers lists the answers an institution may give per stage.
var StageAnswers = []StageAnswer{AnswerAccept, AnswerConsider, AnswerReject}

// Label returns the Japanese name of the answer, or the raw value if unknown.
func (a StageAnswer) Label() string {
	switch a {
	case AnswerAccept:
		return "可"
	case AnswerConsider:
		return "応相談"
	case AnswerReject:
		return "不可"
	}
	return string(a)
}

// Valid reports whether a is one of StageAnswers.
func (a StageAnswer) Valid() bool { return slices.Contains(StageAnswers, a) }

// CompetencyGroups lists the competency groups in display order.
var CompetencyGroups = []CompetencyGroup{GroupClinical, GroupRemote, GroupManagement, GroupMarketing}

// Label returns the Japanese name of the group, or the raw value if unknown.
func (g CompetencyGroup) Label() string {
	switch g {
	case GroupClinical:
		return "臨床"
	case GroupRemote:
		return "リモート"
	case GroupManagement:
		return "マネジメント"
	case GroupMarketing:
		return "マーケティング"
	}
	return string(g)
}

// Valid reports whether g is one of CompetencyGroups.
func (g CompetencyGroup) Valid() bool { return slices.Contains(CompetencyGroups, g) }

// Label returns the Japanese meaning of the level, or "" when out of range.
func (l Level) Label() string {
	switch l {
	case 1:
		return "学習中"
	case 2:
		return "助言があればできる"
	case 3:
		return "一人でできる"
	case 4:
		return "指導できる"
	}
	return ""
}

// Valid reports whether l is between MinLevel and MaxLevel.
func (l Level) Valid() bool { return l >= MinLevel && l <= MaxLevel }

// PayUnit is the unit of an opening's pay.
type PayUnit string

// Pay units.
const (
	PayHourly   PayUnit = "hourly"    // 時給
	PayPerShift PayUnit = "per_shift" // 1回あたり
	PayAnnual   PayUnit = "annual"    // 年収
)

// PayUnits lists the pay units.
var PayUnits = []PayUnit{PayHourly, PayPerShift, PayAnnual}

// Label returns the Japanese name of the pay unit, or the raw value if
// unknown.
func (u PayUnit) Label() string {
	switch u {
	case PayHourly:
		return "時給"
	case PayPerShift:
		return "1回あたり"
	case PayAnnual:
		return "年収"
	}
	return string(u)
}

// Valid reports whether u is one of PayUnits.
func (u PayUnit) Valid() bool { return slices.Contains(PayUnits, u) }

// Specialties are the 19 基本領域 of the Japanese Medical Specialty Board, in
// the board's order. Event.Specialty and Opening.Specialty take these values.
var Specialties = []string{
	"内科", "小児科", "皮膚科", "精神科", "外科", "整形外科", "産婦人科", "眼科", "耳鼻咽喉科", "泌尿器科",
	"脳神経外科", "放射線科", "麻酔科", "病理", "臨床検査", "救急科", "形成外科", "リハビリテーション科", "総合診療",
}

// IsSpecialty reports whether s is one of Specialties.
func IsSpecialty(s string) bool { return slices.Contains(Specialties, s) }

// Prefectures are the 47 都道府県 in JIS X 0401 order.
var Prefectures = []string{
	"北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県",
	"茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県",
	"新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県",
	"三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県",
	"鳥取県", "島根県", "岡山県", "広島県", "山口県",
	"徳島県", "香川県", "愛媛県", "高知県",
	"福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
}

// IsPrefecture reports whether s is one of Prefectures.
func IsPrefecture(s string) bool { return slices.Contains(Prefectures, s) }

// weekdayLabels are the Japanese names of the days of the week.
var weekdayLabels = [...]string{"日曜日", "月曜日", "火曜日", "水曜日", "木曜日", "金曜日", "土曜日"}

// weekdayLabel returns the Japanese name of d.
func weekdayLabel(d time.Weekday) string {
	if d < time.Sunday || d > time.Saturday {
		return d.String()
	}
	return weekdayLabels[d]
}
