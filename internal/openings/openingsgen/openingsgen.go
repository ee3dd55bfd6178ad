// Package openingsgen makes realistic synthetic Japanese openings for
// benchmarks and load tests. The same seed gives the same openings.
package openingsgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/openings"
)

var (
	kinds     = []career.WorkKind{career.WorkFullTime, career.WorkPartTimeRegular, career.WorkPartTimeRegular, career.WorkSpot, career.WorkSpot, career.WorkNightDuty, career.WorkDayDuty, career.WorkRemote}
	weights   = []string{"内科", "内科", "内科", "内科", "整形外科", "精神科", "総合診療", "麻酔科", "外科", "小児科", "皮膚科", "救急科", "放射線科", "産婦人科", "眼科"}
	big       = []string{"東京都", "東京都", "東京都", "大阪府", "神奈川県", "愛知県", "埼玉県", "千葉県", "福岡県", "北海道", "兵庫県"}
	phrases   = []string{"外来診療をお願いします。", "マニュアルなしで診察できる先生を歓迎します。", "電子カルテ導入済みです。", "駅から徒歩5分。", "在宅医療に力を入れています。", "患者様第一の医療を大切にしています。", "看護師・医療事務のサポートが充実しています。", "オンコール対応はありません。", "MRI・CTを完備しています。", "鑑別診断から処方まで一貫してお任せします。", "健診・予防接種が中心です。", "救急搬送は二次救急まで。", "ICUでの管理経験があれば尚可。", "専攻医の先生も場合によって勤務可能です。", "女性医師が活躍しています。", "育児との両立を応援します。", "交通費は全額支給します。", "クレームの少ない丁寧な対応を重視します。", "地域連携を大切にしています。", "オンライン診療のシステムは当院が用意します。"}
	rare      = []string{"ガンマナイフ", "高気圧酸素治療", "小児在宅人工呼吸", "渡航外来", "睡眠時無呼吸"}
	times     = [][2]string{{"09:00", "12:00"}, {"13:00", "17:00"}, {"09:00", "17:00"}, {"17:00", "09:00"}, {"18:00", "21:00"}}
	weekdayJa = []string{"日", "月", "火", "水", "木", "金", "土"}
)

// Generate returns n open openings, spread over institutionIDs, posted over
// the last year before now.
func Generate(n int, seed uint64, institutionIDs []int64, posterID int64, now time.Time) []*openings.Opening {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	out := make([]*openings.Opening, 0, n)
	for i := range n {
		kind := kinds[r.IntN(len(kinds))]
		spec := weights[r.IntN(len(weights))]
		if r.IntN(5) == 0 {
			spec = career.Specialties[r.IntN(len(career.Specialties))]
		}
		pref := big[r.IntN(len(big))]
		if r.IntN(2) == 0 {
			pref = career.Prefectures[r.IntN(len(career.Prefectures))]
		}
		inst := institutionIDs[r.IntN(len(institutionIDs))]
		o := &openings.Opening{InstitutionID: inst, PosterOrgID: inst, PostedBy: posterID, Kind: kind, Specialty: spec,
			Prefecture: pref, City: "市内", Status: openings.StatusOpen,
			Answers: map[career.Stage]career.StageAnswer{career.StageStudent: career.AnswerReject,
				career.StageJuniorResident: career.AnswerReject, career.StageSpecialtyResident: career.AnswerConsider,
				career.StageSpecialist: career.AnswerAccept}}
		slot := times[r.IntN(len(times))]
		day := time.Weekday(r.IntN(7))
		switch kind {
		case career.WorkFullTime:
			o.Schedule = openings.Schedule{Kind: openings.ScheduleFullTime, Note: "平日 8:30〜17:30"}
			o.PayUnit, o.PayMinYen = career.PayAnnual, int64(12+r.IntN(9))*1_000_000
			o.Answers[career.StageJuniorResident] = career.AnswerConsider
		case career.WorkPartTimeRegular, career.WorkRemote:
			o.Schedule = openings.Schedule{Kind: openings.ScheduleWeekly, Weekly: []career.Weekly{{Weekday: day, Start: slot[0], End: slot[1]}}}
			o.PayUnit, o.PayMinYen = career.PayHourly, int64(8+r.IntN(13))*1000
		default:
			d := now.AddDate(0, 0, 1+r.IntN(90))
			o.Schedule = openings.Schedule{Kind: openings.ScheduleSingle, Date: d.Format(time.DateOnly), Start: slot[0], End: slot[1]}
			o.PayUnit, o.PayMinYen = career.PayPerShift, int64(3+r.IntN(8))*10000
			if kind == career.WorkSpot {
				o.PayUnit, o.PayMinYen = career.PayHourly, int64(10+r.IntN(11))*1000
			}
		}
		if kind == career.WorkRemote {
			o.RemoteKind = career.RemoteKinds[r.IntN(len(career.RemoteKinds))]
			o.Prefecture = ""
		}
		if kind == career.WorkNightDuty || kind == career.WorkDayDuty {
			o.EmergencyLevel, o.DutyPermit = 1+r.IntN(3), r.IntN(2) == 0
		}
		o.PayMaxYen = o.PayMinYen + int64(r.IntN(3))*o.PayMinYen/10
		when := weekdayJa[day] + "曜"
		if o.Schedule.Kind == openings.ScheduleSingle {
			when = o.Schedule.Date[5:]
		}
		o.Title = fmt.Sprintf("【%s】%s %s %s", spec, kind.Label(), when, []string{"外来", "病棟", "健診", "訪問診療", "読影"}[r.IntN(5)])
		var desc strings.Builder
		for range 3 + r.IntN(5) {
			desc.WriteString(phrases[r.IntN(len(phrases))])
		}
		if r.IntN(200) == 0 {
			desc.WriteString(rare[r.IntN(len(rare))] + "の経験がある先生を歓迎します。")
		}
		o.Description = desc.String()
		if r.IntN(3) == 0 {
			o.Required = []career.Requirement{{Code: "outpatient_no_manual", Level: career.Level(2 + r.IntN(2))}}
		}
		o.CheckItems = []string{"マニュアルなしで診察できる"}
		posted := now.Add(-time.Duration(n-i) * time.Minute)
		o.PostedAt = &posted
		out = append(out, o)
	}
	return out
}
