package career

// Track is a career direction a doctor can follow, as ordered steps of
// competencies to build.
type Track struct {
	Code        string // stable
	Name        string // Japanese
	Description string // Japanese
	Steps       []Step
}

// Step is one stage of a track: the competencies, at minimum levels, that
// complete it.
type Step struct {
	Name         string // Japanese
	Description  string // Japanese
	Requirements []Requirement
}

// DefaultTracks returns the career tracks Hakui offers; every requirement
// names a competency of DefaultCompetencies. It returns new slices on every
// call.
func DefaultTracks() []Track {
	return []Track{
		{
			Code: "specialist", Name: "専門医取得",
			Description: "基本領域の専門医を目指します。専門医の資格そのものは学会の認定によりますが、そこに至る臨床の力をここで確かめます。",
			Steps: []Step{
				{"基本的な診療", "初期研修で身につける外来・救急・処方の基本です。", []Requirement{
					{"outpatient_no_manual", 2}, {"differential_diagnosis", 2}, {"prescribing", 2}, {"emergency_first_response", 2}}},
				{"自走できる診療", "専門研修で、上級医の確認なしに診療を進められるようになります。", []Requirement{
					{"outpatient_no_manual", 3}, {"differential_diagnosis", 3}, {"prescribing", 3}, {"patient_relations", 3}}},
				{"専門医として指導する", "専攻医や研修医を指導し、チームを率いる立場になります。", []Requirement{
					{"differential_diagnosis", 4}, {"team_leadership", 2}}},
			},
		},
		{
			Code: "clinic_opening", Name: "開業",
			Description: "自分の診療所(クリニック)を開きます。一人で外来を回す力に加え、運営と地域に選ばれる工夫が必要です。",
			Steps: []Step{
				{"一人で外来を回す", "マニュアルなしで診察から処方、患者対応までを担えます。", []Requirement{
					{"outpatient_no_manual", 3}, {"differential_diagnosis", 3}, {"prescribing", 3}, {"patient_relations", 3}}},
				{"診療所を運営する", "診療の時間管理、スタッフ配置、勤務表づくり、ケアの質の維持です。", []Requirement{
					{"time_management", 3}, {"staff_allocation", 2}, {"scheduling", 2}, {"care_quality", 3}}},
				{"地域に選ばれる", "地域連携と情報発信で、患者に信頼される診療所にします。", []Requirement{
					{"community_liaison", 2}, {"branding", 2}, {"web_presence", 2}, {"patient_survey", 2}}},
			},
		},
		{
			Code: "remote_work", Name: "在宅・リモート勤務",
			Description: "オンライン診療や遠隔読影など、自宅から専門性を活かして働きます。対面での診療の力が土台です。",
			Steps: []Step{
				{"対面診療の土台", "身体診察ができない場面でも判断できるよう、対面での診療を固めます。", []Requirement{
					{"outpatient_no_manual", 3}, {"differential_diagnosis", 3}, {"prescribing", 3}}},
				{"オンラインの道具", "システムを使いこなし、情報セキュリティに配慮できます。", []Requirement{
					{"it_literacy", 2}, {"online_consultation", 2}}},
				{"在宅で自走する", "画面越しに信頼関係を築き、自分で時間を管理して働けます。", []Requirement{
					{"online_consultation", 3}, {"patient_relations", 3}, {"time_management", 2}}},
			},
		},
		{
			Code: "medical_director", Name: "医療ディレクター",
			Description: "医療の質を保ちながら、スタッフと患者の流れを整え、現場全体を統括します。",
			Steps: []Step{
				{"修正の必要がない現場スキル", "正確な診療と患者対応で、スタッフと患者の信頼を得ます。", []Requirement{
					{"outpatient_no_manual", 3}, {"differential_diagnosis", 3}, {"prescribing", 3}, {"patient_relations", 3}}},
				{"指揮・指導", "勤務表づくり、スタッフ配置、時間管理、ケアの質の維持で現場を円滑に回し、チームを指揮します。", []Requirement{
					{"scheduling", 3}, {"staff_allocation", 3}, {"team_leadership", 3}, {"time_management", 3}, {"care_quality", 3}}},
				{"地域に向けたマーケティング", "地域と連携し、施設の魅力を伝えて地域での存在感を高めます。", []Requirement{
					{"community_liaison", 2}, {"branding", 2}}},
			},
		},
		{
			Code: "medical_marketer", Name: "医療マーケター",
			Description: "患者と地域のニーズを理解し、情報発信とコミュニケーションで医療機関への信頼を築きます。",
			Steps: []Step{
				{"修正の必要がない現場スキル", "現場で信頼される診療と患者対応が出発点です。", []Requirement{
					{"outpatient_no_manual", 3}, {"patient_relations", 3}}},
				{"患者の声を活かす", "アンケートの結果をもとにサービスを改善し、満足度を高めます。", []Requirement{
					{"patient_survey", 3}, {"care_quality", 2}}},
				{"地域に発信する", "ブランディング、Web・SNSでの発信、地域連携で選ばれる医療機関にします。", []Requirement{
					{"branding", 3}, {"web_presence", 3}, {"community_liaison", 3}}},
			},
		},
		{
			Code: "occupational_physician", Name: "産業医",
			Description: "企業で働く人の健康を守ります。認定産業医の研修に加え、面談の一部はリモートで行えます。",
			Steps: []Step{
				{"臨床の土台", "健康相談に応じるための、外来と鑑別診断の力です。", []Requirement{
					{"outpatient_no_manual", 3}, {"differential_diagnosis", 3}}},
				{"産業保健の実務", "健康診断の事後措置や面接指導、職場巡視を行えます。", []Requirement{
					{"occupational_health", 2}, {"patient_relations", 3}}},
				{"リモートでの面談", "従業員の健康相談やメンタルヘルスの面談をオンラインで行えます。", []Requirement{
					{"occupational_health", 3}, {"online_consultation", 2}, {"it_literacy", 2}}},
			},
		},
	}
}

// StepProgress is how far a doctor is in one step of a track.
type StepProgress struct {
	Name    string
	Met     bool  // every requirement is met
	Missing []Gap // the unmet requirements, in the step's order
}

// TrackProgress is how far a doctor is along a track.
type TrackProgress struct {
	Code           string // the track's code
	Steps          []StepProgress
	CompletedSteps int // steps met, wherever they are in the track
	Next           int // index of the first step not met; -1 when all are met
}

// MissingCodes returns the competency codes still missing for the next step,
// to look for openings that build them; nil when the track is complete.
func (p TrackProgress) MissingCodes() []string {
	if p.Next < 0 || p.Next >= len(p.Steps) {
		return nil
	}
	var codes []string
	for _, g := range p.Steps[p.Next].Missing {
		codes = append(codes, g.Code)
	}
	return codes
}

// Progress measures skills against each step of t. Names in the gaps come
// from v (the code itself if v lacks it). Steps are judged independently, so
// a later step may be met before an earlier one; Next is the first unmet.
func Progress(t Track, skills []Skill, v *Vocabulary) TrackProgress {
	has := skillLevels(skills)
	p := TrackProgress{Code: t.Code, Steps: make([]StepProgress, len(t.Steps)), Next: -1}
	for i, s := range t.Steps {
		sp := StepProgress{Name: s.Name}
		for _, r := range s.Requirements {
			if g := gap(r, has, v); !g.Met {
				sp.Missing = append(sp.Missing, g)
			}
		}
		sp.Met = len(sp.Missing) == 0
		if sp.Met {
			p.CompletedSteps++
		} else if p.Next < 0 {
			p.Next = i
		}
		p.Steps[i] = sp
	}
	return p
}

// skillLevels returns the doctor's level per code: the highest when a code
// repeats, levels above MaxLevel lowered to it and levels below MinLevel
// dropped, so that a higher input level never means a lower level here.
func skillLevels(skills []Skill) map[string]Level {
	m := make(map[string]Level, len(skills))
	for _, s := range skills {
		l := min(s.Level, MaxLevel)
		if l >= MinLevel && l > m[s.Code] {
			m[s.Code] = l
		}
	}
	return m
}

// askedLevel is the level a requirement asks for, brought into 1..4.
func askedLevel(r Requirement) Level { return max(MinLevel, min(r.Level, MaxLevel)) }

// gap compares one requirement with the doctor's levels.
func gap(r Requirement, has map[string]Level, v *Vocabulary) Gap {
	asked := askedLevel(r)
	h := has[r.Code]
	return Gap{Code: r.Code, Name: v.name(r.Code), Asked: asked, Has: h, Met: h >= asked}
}
