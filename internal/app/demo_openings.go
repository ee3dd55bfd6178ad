package app

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/profile"
)

// The demo accounts the demo openings and profile belong to (see DemoLogins).
const (
	demoDoctorEmail = "doctor@demo.hakui.jp"
	demoClinicEmail = "clinic@demo.hakui.jp"
	demoAgentEmail  = "agent@demo.hakui.jp"
)

// The demo organisations the openings name (see demoOrgs).
const (
	demoAgency   = "さくらメディカルキャリア株式会社"
	demoMinato   = "みなと内科クリニック"
	demoAoba     = "あおば皮膚科クリニック"
	demoHospital = "県立北部医療センター"
)

// demoZone is Japan Standard Time: shift dates are JST calendar dates.
var demoZone = time.FixedZone("JST", 9*60*60)

// seedDemoOpenings gives the demo doctor a profile and posts the demo
// openings. orgIDs are the demo organisations by name and users the demo
// accounts by e-mail. It changes nothing that exists already: a saved
// profile stays, and no opening is posted once any opening exists. An
// invalid demo opening is an error, so a test catches it.
func (m *Main) seedDemoOpenings(ctx context.Context, orgIDs map[string]int64, users map[string]int64) error {
	vocab, err := m.Openings.Vocabulary(ctx)
	if err != nil {
		return err
	}
	if err := m.seedDemoProfile(ctx, users[demoDoctorEmail], vocab); err != nil {
		return err
	}
	exists, err := m.anyOpening(ctx)
	if err != nil || exists {
		return err
	}
	list := demoOpenings(time.Now().In(demoZone))
	// Posted last, shown first: insert in reverse so that the newest-first
	// search lists them in the order written below.
	for _, d := range slices.Backward(list) {
		o := d.opening
		o.InstitutionID, o.InstitutionName, o.PosterOrgID, o.PostedBy = orgIDs[d.institution], d.institution, orgIDs[d.poster], users[d.postedBy]
		if o.InstitutionID == 0 || o.PosterOrgID == 0 || o.PostedBy == 0 {
			return fmt.Errorf("demo opening %q: no organisation %q or %q, or no account %s", o.Title, d.institution, d.poster, d.postedBy)
		}
		o.Status = openings.StatusOpen
		if fields := o.Validate(vocab); len(fields) > 0 {
			return fmt.Errorf("demo opening %q is invalid: %v", o.Title, fields)
		}
		if err := m.DB.CreateOpening(ctx, &o); err != nil {
			return fmt.Errorf("demo opening %q: %w", o.Title, err)
		}
	}
	return nil
}

// anyOpening reports whether any opening exists, in any status.
func (m *Main) anyOpening(ctx context.Context) (bool, error) {
	for _, st := range []openings.Status{openings.StatusOpen, openings.StatusDraft, openings.StatusClosed} {
		list, _, err := m.DB.SearchOpenings(ctx, openings.Filter{Status: st, Limit: 1})
		if err != nil {
			return false, err
		}
		if len(list) > 0 {
			return true, nil
		}
	}
	return false, nil
}

// seedDemoProfile saves the demo doctor's profile unless one was saved.
func (m *Main) seedDemoProfile(ctx context.Context, userID int64, vocab *career.Vocabulary) error {
	if userID == 0 {
		return fmt.Errorf("demo profile: no account %s", demoDoctorEmail)
	}
	cur, err := m.DB.Profile(ctx, userID)
	if err != nil {
		return err
	}
	if !cur.UpdatedAt.IsZero() {
		return nil
	}
	p := demoDoctorProfile(userID)
	if fields := p.Validate(vocab, career.DefaultTracks(), time.Now()); len(fields) > 0 {
		return fmt.Errorf("demo profile is invalid: %v", fields)
	}
	return m.DB.SaveProfile(ctx, p)
}

// demoDoctorProfile is 山田 太郎: a 専攻医 in 内科 who wants a weekly side job
// or remote work on Tuesdays and Thursdays, near Tokyo.
func demoDoctorProfile(userID int64) *profile.Profile {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, demoZone) }
	return &profile.Profile{
		UserID: userID, NameKanji: "山田 太郎", NameKana: "ヤマダ タロウ", GraduationYear: 2021,
		Workplace: "東京都内の大学病院(内科専門研修プログラム)", PracticeForm: career.PracticeEmployed,
		Prefecture: "東京都", City: "世田谷区", Specialties: []string{"内科"}, Subspecialties: []string{"総合内科"},
		Languages: []string{"日本語", "英語"},
		Bio: "内科の専攻医です。大学病院で総合内科と救急外来を担当しています。" +
			"専門研修と両立できる定期非常勤と、自宅からのオンライン診療を探しています。患者様に分かりやすい説明を心がけています。",
		Preferences: career.Preferences{
			Kinds:        []career.WorkKind{career.WorkPartTimeRegular, career.WorkRemote},
			Weekdays:     []time.Weekday{time.Tuesday, time.Thursday},
			MinHourlyYen: 10_000,
			Prefectures:  []string{"東京都", "神奈川県"},
		},
		Events: []career.Event{
			{Kind: career.EventNationalExamPassed, Date: day(2021, time.March, 16), Program: "第115回医師国家試験"},
			{Kind: career.EventJuniorStart, Date: day(2021, time.April, 1), Program: "都内の臨床研修病院"},
			{Kind: career.EventJuniorEnd, Date: day(2023, time.March, 31)},
			{Kind: career.EventSpecialtyStart, Date: day(2023, time.April, 1), Specialty: "内科", Program: "大学病院 内科専門研修プログラム"},
		},
		Certifications: []profile.Certification{{Name: "ICLS 修了", ObtainedOn: "2022-06-12"}},
		Skills: []career.Skill{
			{Code: "outpatient_no_manual", Level: 2, Years: 3},
			{Code: "differential_diagnosis", Level: 3, Years: 3},
			{Code: "prescribing", Level: 3, Years: 3},
			{Code: "patient_relations", Level: 3},
			{Code: "emergency_first_response", Level: 3, Years: 3, Evidence: "ICLS 修了"},
			{Code: "night_duty_solo", Level: 2},
			{Code: "ultrasound", Level: 2, Cases: 150},
			{Code: "online_consultation", Level: 1},
			{Code: "it_literacy", Level: 3},
		},
		Tracks: []string{"specialist", "remote_work"},
	}
}

// demoOpening is one demo opening with who posts it: the institution
// itself or the agency on its behalf (organisation names, poster's e-mail).
type demoOpening struct {
	institution, poster, postedBy string
	opening                       openings.Opening
}

// demoCheckItems are the 確認事項 clinics ask about most.
func demoCheckItems(extra ...string) []string {
	return append([]string{"マニュアルなしで診察できる", "鑑別診断ができる", "処方ができる", "クレームの少ない対応"}, extra...)
}

// demoAnswers is an institution's answer per stage; 医学生 are never taken.
func demoAnswers(junior, resident, specialist career.StageAnswer) map[career.Stage]career.StageAnswer {
	return map[career.Stage]career.StageAnswer{career.StageStudent: career.AnswerReject, career.StageJuniorResident: junior,
		career.StageSpecialtyResident: resident, career.StageSpecialist: specialist}
}

// demoWeekly is a schedule of weekly slots.
func demoWeekly(slots ...career.Weekly) openings.Schedule {
	return openings.Schedule{Kind: openings.ScheduleWeekly, Weekly: slots}
}

// demoOpenings returns the demo openings, their single shifts dated in the
// coming weeks from today (a JST time).
func demoOpenings(today time.Time) []demoOpening {
	const (
		acc = career.AnswerAccept
		con = career.AnswerConsider
		rej = career.AnswerReject
	)
	// on returns the date of the weekday after today, weeks later.
	on := func(wd time.Weekday, weeks int) string {
		d := today.AddDate(0, 0, 1)
		for d.Weekday() != wd {
			d = d.AddDate(0, 0, 1)
		}
		return d.AddDate(0, 0, 7*weeks).Format(time.DateOnly)
	}
	single := func(date, start, end, note string) openings.Schedule {
		return openings.Schedule{Kind: openings.ScheduleSingle, Date: date, Start: start, End: end, Note: note}
	}
	fullTime := func(note string) openings.Schedule {
		return openings.Schedule{Kind: openings.ScheduleFullTime, Note: note}
	}
	req := func(code string, l career.Level) career.Requirement { return career.Requirement{Code: code, Level: l} }

	const (
		minatoCity, minatoAddr     = "港区", "芝浦3丁目(JR田町駅 徒歩5分)"
		aobaCity, aobaAddr         = "横浜市青葉区", "青葉台1丁目(東急田園都市線 青葉台駅 徒歩3分)"
		hospitalCity, hospitalAddr = "津山市", "JR津山駅から車で約10分(職員駐車場・医師住宅あり)"
		minatoMotto                = "当院のモットーは「患者様第一」です。医師・看護師・受付スタッフが一丸となり、待ち時間の短縮と分かりやすい説明に取り組んでいます。"
		aobaMotto                  = "「患者様一人ひとりに寄り添う皮膚科」を掲げ、お子様からご高齢の方まで丁寧な説明を大切にしています。"
		hospitalMotto              = "岡山県北部(医師少数区域)の中核病院として「地域の命を地域で守る」を理念に、二次救急と地域包括ケアを担っています。"
	)

	return []demoOpening{
		// みなと内科クリニック, posted by its own staff.
		{demoMinato, demoMinato, demoClinicEmail, openings.Opening{
			Title: "【内科】火曜午後の外来(生活習慣病・かぜ症状)", Kind: career.WorkPartTimeRegular, Specialty: "内科",
			Schedule: demoWeekly(career.Weekly{Weekday: time.Tuesday, Start: "13:00", End: "18:00"}),
			PayUnit:  career.PayHourly, PayMinYen: 10_000, PayMaxYen: 12_000,
			Prefecture: "東京都", City: minatoCity, Address: minatoAddr, Answers: demoAnswers(rej, con, acc),
			Required:   []career.Requirement{req("outpatient_no_manual", 3), req("prescribing", 3)},
			Preferred:  []career.Requirement{req("patient_relations", 3), req("ultrasound", 2)},
			CheckItems: demoCheckItems(),
			Description: minatoMotto + "\n高血圧・糖尿病・脂質異常症の継続診療が中心で、1日の患者数は20〜30名です。" +
				"専攻医の先生は場合によって勤務可能です。面接で診療の進め方を確認させてください。",
		}},
		{demoMinato, demoMinato, demoClinicEmail, openings.Opening{
			Title: "【内科】木曜午前の外来(健診結果の説明あり)", Kind: career.WorkPartTimeRegular, Specialty: "内科",
			Schedule: demoWeekly(career.Weekly{Weekday: time.Thursday, Start: "09:00", End: "13:00"}),
			PayUnit:  career.PayHourly, PayMinYen: 10_000, PayMaxYen: 11_000,
			Prefecture: "東京都", City: minatoCity, Address: minatoAddr, Answers: demoAnswers(rej, acc, acc),
			Required:   []career.Requirement{req("outpatient_no_manual", 2), req("prescribing", 2)},
			Preferred:  []career.Requirement{req("differential_diagnosis", 3)},
			CheckItems: demoCheckItems("電子カルテの使用経験"),
			Description: minatoMotto + "\n企業健診の結果説明と、再検査の外来をお願いします。" +
				"院長が同じフロアで診療しているため、迷ったときはすぐに相談できます。専攻医の先生も歓迎します。",
		}},
		{demoMinato, demoMinato, demoClinicEmail, openings.Opening{
			Title: "【オンライン診療】火・木の夜間 19時〜22時(自宅から)", Kind: career.WorkRemote,
			RemoteKind: career.RemoteOnlineConsultation, Specialty: "内科",
			Schedule: demoWeekly(career.Weekly{Weekday: time.Tuesday, Start: "19:00", End: "22:00"},
				career.Weekly{Weekday: time.Thursday, Start: "19:00", End: "22:00"}),
			PayUnit: career.PayHourly, PayMinYen: 10_000, PayMaxYen: 12_000, Prefecture: "東京都",
			Answers:    demoAnswers(rej, con, acc),
			Required:   []career.Requirement{req("online_consultation", 2), req("it_literacy", 2)},
			Preferred:  []career.Requirement{req("prescribing", 3), req("patient_relations", 3)},
			CheckItems: demoCheckItems("静かで情報漏えいの心配がない場所から診療できる"),
			Description: minatoMotto + "\n当院の再診患者様のオンライン診療です。厚生労働省の指針に沿って実施し、" +
				"対面受診が必要と判断した場合は翌日の外来枠をお取りします。システムの使い方は初回に30分ほどご説明します。",
		}},
		{demoMinato, demoMinato, demoClinicEmail, openings.Opening{
			Title: "【スポット】土曜午前の外来(発熱外来の応援)", Kind: career.WorkSpot, Specialty: "内科",
			Schedule: single(on(time.Saturday, 1), "09:00", "13:00", "発熱外来と一般外来を院長と2診で担当します。"),
			PayUnit:  career.PayHourly, PayMinYen: 12_000, PayMaxYen: 15_000,
			Prefecture: "東京都", City: minatoCity, Address: minatoAddr, Answers: demoAnswers(rej, con, acc),
			Required:   []career.Requirement{req("outpatient_no_manual", 3), req("differential_diagnosis", 3)},
			CheckItems: demoCheckItems(),
			Description: minatoMotto + "\n感染症の流行期のため、土曜午前の応援をお願いします。" +
				"迅速検査と処方まで一人で完結できる先生を歓迎します。",
		}},
		{demoMinato, demoMinato, demoClinicEmail, openings.Opening{
			Title: "【スポット】企業健診の診察(平日午前)", Kind: career.WorkSpot, Specialty: "内科",
			Schedule: single(on(time.Wednesday, 1), "09:00", "12:00", "問診と診察のみで、結果説明はありません。"),
			PayUnit:  career.PayHourly, PayMinYen: 10_000,
			Prefecture: "東京都", City: minatoCity, Address: minatoAddr, Answers: demoAnswers(rej, acc, acc),
			Required:    []career.Requirement{req("outpatient_no_manual", 2)},
			CheckItems:  []string{"クレームの少ない対応"},
			Description: minatoMotto + "\n近隣企業の定期健康診断(約40名)の診察です。初めての先生にも流れをご説明します。",
		}},
		{demoMinato, demoMinato, demoClinicEmail, openings.Opening{
			Title: "【スポット】平日夜間の発熱外来(18時〜21時)", Kind: career.WorkSpot, Specialty: "内科",
			Schedule: single(on(time.Friday, 1), "18:00", "21:00", ""),
			PayUnit:  career.PayHourly, PayMinYen: 12_000,
			Prefecture: "東京都", City: minatoCity, Address: minatoAddr, Answers: demoAnswers(rej, con, acc),
			Required:    []career.Requirement{req("differential_diagnosis", 3), req("prescribing", 3)},
			Preferred:   []career.Requirement{req("emergency_first_response", 2)},
			CheckItems:  demoCheckItems(),
			Description: minatoMotto + "\n仕事帰りの患者様が多い時間帯です。看護師2名が検査と会計をサポートします。",
		}},
		{demoMinato, demoMinato, demoClinicEmail, openings.Opening{
			Title: "【内科】常勤医師(将来の院長候補)", Kind: career.WorkFullTime, Specialty: "内科",
			Schedule: fullTime("月〜金 9:00〜18:00(水曜午後は休診)、土曜は月2回 9:00〜13:00。オンコールなし。"),
			PayUnit:  career.PayAnnual, PayMinYen: 14_000_000, PayMaxYen: 18_000_000,
			Prefecture: "東京都", City: minatoCity, Address: minatoAddr, Answers: demoAnswers(rej, rej, acc),
			Required: []career.Requirement{req("outpatient_no_manual", 4), req("differential_diagnosis", 3),
				req("prescribing", 3), req("patient_relations", 3)},
			Preferred:  []career.Requirement{req("team_leadership", 2), req("staff_allocation", 2), req("patient_survey", 2)},
			CheckItems: demoCheckItems("内科専門医または総合内科専門医"),
			Description: minatoMotto + "\n開院15年目を迎え、将来の院長候補として一緒にクリニックを育ててくださる先生を募集します。" +
				"スタッフの配置や患者アンケートの改善にも関わっていただけます。",
		}},

		// みなと内科クリニック, posted by the agency on its behalf.
		{demoMinato, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【産業医】港区のIT企業の嘱託産業医(訪問+オンライン面談)", Kind: career.WorkRemote,
			RemoteKind: career.RemoteOccupationalHealth,
			Schedule: openings.Schedule{Kind: openings.ScheduleWeekly,
				Weekly: []career.Weekly{{Weekday: time.Wednesday, Start: "14:00", End: "17:00"}},
				Note:   "面談はオンラインで毎週水曜。職場巡視と衛生委員会のための訪問は月1回(日程は調整できます)。"},
			PayUnit: career.PayHourly, PayMinYen: 15_000, PayMaxYen: 20_000, Prefecture: "東京都", City: minatoCity,
			Answers:    demoAnswers(rej, con, acc),
			Required:   []career.Requirement{req("occupational_health", 2), req("patient_relations", 3)},
			Preferred:  []career.Requirement{req("online_consultation", 2), req("it_literacy", 2)},
			CheckItems: []string{"認定産業医の資格", "メンタルヘルス不調者への面接指導の経験", "クレームの少ない対応"},
			Description: "みなと内科クリニックが嘱託産業医を務める従業員約300名のIT企業です(さくらメディカルキャリアが掲載しています)。" +
				"長時間労働者とストレスチェック後の面接指導が中心で、多くはオンラインで行えます。",
		}},
		{demoMinato, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【在宅】電話・オンライン健康相談(夜間・週1回から)", Kind: career.WorkRemote,
			RemoteKind: career.RemoteHealthConsultation,
			Schedule:   demoWeekly(career.Weekly{Weekday: time.Thursday, Start: "20:00", End: "23:00"}),
			PayUnit:    career.PayHourly, PayMinYen: 10_000,
			Answers:    demoAnswers(rej, acc, acc),
			Required:   []career.Requirement{req("differential_diagnosis", 3), req("it_literacy", 2)},
			Preferred:  []career.Requirement{req("online_consultation", 2), req("patient_relations", 3)},
			CheckItems: []string{"鑑別診断ができる", "クレームの少ない対応", "受診の要否を電話で判断できる"},
			Description: "みなと内科クリニックが契約する健康保険組合の加入者向け健康相談です。診断や処方は行わず、" +
				"受診の要否と受診先の目安をお伝えします。全国どこからでも勤務できます。",
		}},

		// あおば皮膚科クリニック, posted by the agency on its behalf.
		{demoAoba, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【皮膚科】水曜の終日外来(一般皮膚科・小児皮膚科)", Kind: career.WorkPartTimeRegular, Specialty: "皮膚科",
			Schedule: demoWeekly(career.Weekly{Weekday: time.Wednesday, Start: "09:00", End: "12:30"},
				career.Weekly{Weekday: time.Wednesday, Start: "14:30", End: "18:30"}),
			PayUnit: career.PayHourly, PayMinYen: 12_000, PayMaxYen: 15_000,
			Prefecture: "神奈川県", City: aobaCity, Address: aobaAddr, Answers: demoAnswers(rej, con, acc),
			Required:   []career.Requirement{req("outpatient_no_manual", 3), req("differential_diagnosis", 3)},
			Preferred:  []career.Requirement{req("patient_relations", 3)},
			CheckItems: demoCheckItems(),
			Description: aobaMotto + "\n湿疹・アトピー性皮膚炎・にきび・いぼの診療が中心で、1日60名ほどです。" +
				"皮膚科の専攻医の先生は、場合によって勤務可能です。",
		}},
		{demoAoba, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【皮膚科】土曜午前の外来(美容皮膚科の経験は不問)", Kind: career.WorkPartTimeRegular, Specialty: "皮膚科",
			Schedule: demoWeekly(career.Weekly{Weekday: time.Saturday, Start: "09:00", End: "13:00"}),
			PayUnit:  career.PayHourly, PayMinYen: 13_000,
			Prefecture: "神奈川県", City: aobaCity, Address: aobaAddr, Answers: demoAnswers(rej, con, acc),
			Required:    []career.Requirement{req("outpatient_no_manual", 3), req("prescribing", 3)},
			CheckItems:  demoCheckItems(),
			Description: aobaMotto + "\n土曜はご家族連れの患者様が多く、お子様の診察に慣れた先生を歓迎します。",
		}},
		{demoAoba, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【皮膚科】常勤医師(週4日勤務も相談可)", Kind: career.WorkFullTime, Specialty: "皮膚科",
			Schedule: fullTime("月・火・水・金 9:00〜18:30、土曜 9:00〜13:00。週4日勤務も相談できます。"),
			PayUnit:  career.PayAnnual, PayMinYen: 12_000_000, PayMaxYen: 16_000_000,
			Prefecture: "神奈川県", City: aobaCity, Address: aobaAddr, Answers: demoAnswers(rej, rej, acc),
			Required: []career.Requirement{req("outpatient_no_manual", 3), req("differential_diagnosis", 3),
				req("prescribing", 3)},
			Preferred:  []career.Requirement{req("patient_survey", 2), req("web_presence", 2), req("branding", 2)},
			CheckItems: demoCheckItems("皮膚科専門医"),
			Description: aobaMotto + "\n患者アンケートの結果をもとに、予約枠や説明資料を毎年見直しています。" +
				"情報発信や地域での勉強会に関心のある先生を歓迎します。",
		}},
		{demoAoba, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【スポット】皮膚科 土曜外来の代診", Kind: career.WorkSpot, Specialty: "皮膚科",
			Schedule: single(on(time.Saturday, 2), "09:00", "13:00", "院長の学会出張による代診です。"),
			PayUnit:  career.PayHourly, PayMinYen: 15_000,
			Prefecture: "神奈川県", City: aobaCity, Address: aobaAddr, Answers: demoAnswers(rej, con, acc),
			Required:    []career.Requirement{req("outpatient_no_manual", 3), req("differential_diagnosis", 3)},
			CheckItems:  demoCheckItems(),
			Description: aobaMotto + "\n再診の患者様が中心で、カルテに前回までの方針が記載されています。",
		}},
		{demoAoba, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【オンライン診療】皮膚科の再診(にきび・アトピー)月曜夜", Kind: career.WorkRemote,
			RemoteKind: career.RemoteOnlineConsultation, Specialty: "皮膚科",
			Schedule: demoWeekly(career.Weekly{Weekday: time.Monday, Start: "19:00", End: "21:00"}),
			PayUnit:  career.PayHourly, PayMinYen: 12_000, Prefecture: "神奈川県",
			Answers:     demoAnswers(rej, con, acc),
			Required:    []career.Requirement{req("online_consultation", 2), req("prescribing", 3)},
			Preferred:   []career.Requirement{req("it_literacy", 2)},
			CheckItems:  demoCheckItems(),
			Description: aobaMotto + "\n対面で診断済みの患者様の再診です。皮疹の写真を事前に送っていただく運用です。",
		}},

		// 県立北部医療センター, posted by the agency on its behalf.
		{demoHospital, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【当直】二次救急 内科当直(宿日直許可あり・平日)", Kind: career.WorkNightDuty, Specialty: "内科",
			Schedule: single(on(time.Tuesday, 0), "17:15", "08:30", "救急車は一晩平均2〜3台。各科オンコール体制あり。"),
			PayUnit:  career.PayPerShift, PayMinYen: 40_000, PayMaxYen: 50_000,
			EmergencyLevel: 2, DutyPermit: true,
			Prefecture: "岡山県", City: hospitalCity, Address: hospitalAddr, Answers: demoAnswers(rej, acc, acc),
			Required:   []career.Requirement{req("emergency_first_response", 3), req("night_duty_solo", 2)},
			Preferred:  []career.Requirement{req("ultrasound", 2)},
			CheckItems: []string{"救急の初期対応ができる", "鑑別診断ができる", "処方ができる"},
			Description: hospitalMotto + "\n内科の病棟管理と救急外来の一次対応をお願いします。" +
				"宿日直許可を得ており、仮眠室(個室)があります。専攻医の先生も歓迎します。",
		}},
		{demoHospital, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【当直】土曜の救急当直(二次救急・翌朝まで)", Kind: career.WorkNightDuty,
			Schedule: single(on(time.Saturday, 1), "17:00", "09:00", "救急車は一晩平均5〜6台。"),
			PayUnit:  career.PayPerShift, PayMinYen: 70_000, PayMaxYen: 80_000,
			EmergencyLevel: 2,
			Prefecture:     "岡山県", City: hospitalCity, Address: hospitalAddr, Answers: demoAnswers(rej, con, acc),
			Required:   []career.Requirement{req("emergency_first_response", 3), req("night_duty_solo", 3)},
			Preferred:  []career.Requirement{req("ultrasound", 3)},
			CheckItems: []string{"一人当直の経験", "救急の初期対応ができる", "鑑別診断ができる"},
			Description: hospitalMotto + "\n週末は救急の受け入れが多く、宿日直許可の対象外のため報酬を高く設定しています。" +
				"専攻医の先生は救急外来の経験によっては勤務可能です。",
		}},
		{demoHospital, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【当直】毎週木曜の定期当直(内科・宿日直許可あり)", Kind: career.WorkNightDuty, Specialty: "内科",
			Schedule: demoWeekly(career.Weekly{Weekday: time.Thursday, Start: "17:15", End: "08:30"}),
			PayUnit:  career.PayPerShift, PayMinYen: 45_000,
			EmergencyLevel: 2, DutyPermit: true,
			Prefecture: "岡山県", City: hospitalCity, Address: hospitalAddr, Answers: demoAnswers(rej, acc, acc),
			Required:   []career.Requirement{req("emergency_first_response", 3), req("night_duty_solo", 2)},
			CheckItems: []string{"救急の初期対応ができる", "処方ができる"},
			Description: hospitalMotto + "\n毎週木曜に継続して来ていただける先生を募集します。" +
				"津山駅までの交通費(新幹線・特急)を全額支給します。",
		}},
		{demoHospital, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【当直】病棟当直(宿日直許可あり・落ち着いた夜が多い)", Kind: career.WorkNightDuty,
			Schedule: single(on(time.Monday, 2), "17:15", "08:30", ""),
			PayUnit:  career.PayPerShift, PayMinYen: 40_000,
			EmergencyLevel: 1, DutyPermit: true,
			Prefecture: "岡山県", City: hospitalCity, Address: hospitalAddr, Answers: demoAnswers(rej, acc, acc),
			Required:    []career.Requirement{req("emergency_first_response", 2)},
			CheckItems:  []string{"処方ができる", "クレームの少ない対応"},
			Description: hospitalMotto + "\n地域包括ケア病棟と回復期病棟の当直です。救急車の受け入れはなく、時間外は軽症の方(一次救急)のみ対応します。",
		}},
		{demoHospital, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【日直】日曜の日直(病棟管理中心・宿日直許可あり)", Kind: career.WorkDayDuty,
			Schedule: single(on(time.Sunday, 2), "08:30", "17:15", "救急外来は救急科医師が担当します。"),
			PayUnit:  career.PayPerShift, PayMinYen: 50_000, PayMaxYen: 60_000,
			EmergencyLevel: 2, DutyPermit: true,
			Prefecture: "岡山県", City: hospitalCity, Address: hospitalAddr, Answers: demoAnswers(rej, acc, acc),
			Required:    []career.Requirement{req("emergency_first_response", 2), req("prescribing", 3)},
			CheckItems:  []string{"処方ができる", "鑑別診断ができる"},
			Description: hospitalMotto + "\n入院患者様の急変対応と、定時の指示出しをお願いします。",
		}},
		{demoHospital, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【総合診療・内科】常勤医師(医師少数区域の中核病院)", Kind: career.WorkFullTime, Specialty: "総合診療",
			Schedule: fullTime("月〜金 8:30〜17:15、当直は月2〜3回(宿日直許可あり)。医師住宅あり、赴任手当を支給します。"),
			PayUnit:  career.PayAnnual, PayMinYen: 15_000_000, PayMaxYen: 20_000_000,
			Prefecture: "岡山県", City: hospitalCity, Address: hospitalAddr, Answers: demoAnswers(con, acc, acc),
			Required: []career.Requirement{req("outpatient_no_manual", 3), req("differential_diagnosis", 3),
				req("emergency_first_response", 3)},
			Preferred:  []career.Requirement{req("community_liaison", 2), req("team_leadership", 2)},
			CheckItems: demoCheckItems(),
			Description: hospitalMotto + "\n総合診療科・内科の外来と病棟、訪問診療を担当していただきます。" +
				"キャリア形成プログラムの対象医療機関で、専攻医の先生は連携施設として専門研修を続けられます。" +
				"初期研修修了見込みの先生は応相談です。",
		}},
		{demoHospital, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【整形外科】常勤医師(手術・外来・救急)", Kind: career.WorkFullTime, Specialty: "整形外科",
			Schedule: fullTime("月〜金 8:30〜17:15、手術は週2日。オンコールは月4回程度。"),
			PayUnit:  career.PayAnnual, PayMinYen: 16_000_000, PayMaxYen: 20_000_000,
			Prefecture: "岡山県", City: hospitalCity, Address: hospitalAddr, Answers: demoAnswers(rej, con, acc),
			Required:   []career.Requirement{req("outpatient_no_manual", 3), req("emergency_first_response", 3)},
			Preferred:  []career.Requirement{req("team_leadership", 2)},
			CheckItems: demoCheckItems(),
			Description: hospitalMotto + "\n高齢の方の骨折と外傷の手術が中心です。リハビリテーション科と連携し、" +
				"地域の診療所への逆紹介にも力を入れています。",
		}},
		{demoHospital, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【麻酔科】毎週火曜の手術麻酔", Kind: career.WorkPartTimeRegular, Specialty: "麻酔科",
			Schedule: demoWeekly(career.Weekly{Weekday: time.Tuesday, Start: "08:30", End: "17:00"}),
			PayUnit:  career.PayHourly, PayMinYen: 15_000, PayMaxYen: 18_000,
			Prefecture: "岡山県", City: hospitalCity, Address: hospitalAddr, Answers: demoAnswers(rej, con, acc),
			Required:   []career.Requirement{req("emergency_first_response", 3)},
			Preferred:  []career.Requirement{req("ultrasound", 3)},
			CheckItems: []string{"全身麻酔を一人で担当できる", "神経ブロックの経験"},
			Description: hospitalMotto + "\n整形外科と外科の定時手術(1日3〜4件)の麻酔をお願いします。" +
				"前日入りの宿泊費と交通費を支給します。",
		}},
		{demoHospital, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【スポット】小児科 予防接種・乳幼児健診(平日午後)", Kind: career.WorkSpot, Specialty: "小児科",
			Schedule: single(on(time.Thursday, 1), "13:30", "16:30", "看護師2名と保健師1名が付きます。"),
			PayUnit:  career.PayHourly, PayMinYen: 10_000, PayMaxYen: 12_000,
			Prefecture: "岡山県", City: hospitalCity, Address: hospitalAddr, Answers: demoAnswers(rej, acc, acc),
			Required:    []career.Requirement{req("outpatient_no_manual", 2)},
			Preferred:   []career.Requirement{req("patient_relations", 3)},
			CheckItems:  []string{"クレームの少ない対応", "乳幼児の診察に慣れている"},
			Description: hospitalMotto + "\n小児科医の学会出張の代わりに、予防接種と4か月・1歳半健診をお願いします。",
		}},
		{demoHospital, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【遠隔読影】CT・MRIの読影(自宅から)", Kind: career.WorkRemote,
			RemoteKind: career.RemoteTeleradiology, Specialty: "放射線科",
			Schedule: openings.Schedule{Kind: openings.ScheduleWeekly,
				Weekly: []career.Weekly{{Weekday: time.Tuesday, Start: "18:00", End: "22:00"}, {Weekday: time.Saturday, Start: "09:00", End: "13:00"}},
				Note:   "1回あたり15〜25件。緊急の依頼は電話でご連絡します。"},
			PayUnit: career.PayHourly, PayMinYen: 15_000, PayMaxYen: 20_000,
			Answers:    demoAnswers(rej, rej, acc),
			Required:   []career.Requirement{req("teleradiology", 3), req("it_literacy", 2)},
			CheckItems: []string{"放射線診断専門医", "読影端末を置ける自宅の環境"},
			Description: hospitalMotto + "\n常勤の放射線科医が1名のため、夜間と週末の読影を自宅からお願いします。" +
				"読影端末と専用回線は病院が用意します。",
		}},
		{demoHospital, demoAgency, demoAgentEmail, openings.Opening{
			Title: "【セカンドオピニオン】がん治療のオンライン・セカンドオピニオン", Kind: career.WorkRemote,
			RemoteKind: career.RemoteSecondOpinion,
			Schedule: openings.Schedule{Kind: openings.ScheduleWeekly,
				Weekly: []career.Weekly{{Weekday: time.Friday, Start: "18:00", End: "20:00"}},
				Note:   "月に数件。日時は患者様と先生のご都合で調整します。"},
			PayUnit: career.PayPerShift, PayMinYen: 30_000, PayMaxYen: 50_000,
			Answers:    demoAnswers(rej, rej, acc),
			Required:   []career.Requirement{req("differential_diagnosis", 4), req("patient_relations", 3)},
			Preferred:  []career.Requirement{req("online_consultation", 2)},
			CheckItems: []string{"がん薬物療法または放射線治療の専門的な経験", "クレームの少ない対応"},
			Description: hospitalMotto + "\n通院に時間のかかる県北部の患者様に、オンラインで治療方針のセカンドオピニオンをお届けします。" +
				"資料は事前に共有し、1件60分程度です。",
		}},
	}
}
