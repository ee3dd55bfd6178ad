package career

import (
	"errors"
	"fmt"
	"strconv"
)

// DefaultCompetencies returns the shared competency vocabulary: what
// institutions confirm about a candidate (確認事項) and what the career tracks
// build, with stable codes. It returns a new slice on every call.
func DefaultCompetencies() []Competency {
	return []Competency{
		// 臨床
		{"outpatient_no_manual", GroupClinical, "マニュアルなしで外来診療ができる", "手順書や上級医の確認なしに、外来の診察から方針決定まで一人で行える。"},
		{"differential_diagnosis", GroupClinical, "鑑別診断ができる", "症状と所見から鑑別すべき疾患を挙げ、必要な検査で絞り込める。"},
		{"prescribing", GroupClinical, "処方ができる", "相互作用や腎機能・年齢に配慮して、適切な薬を選び処方できる。"},
		{"patient_relations", GroupClinical, "クレームの少ない患者対応", "患者や家族に分かりやすく説明し、不安や不満を生みにくい対応ができる。"},
		{"emergency_first_response", GroupClinical, "救急の初期対応", "急変や救急外来で、初期評価・初期治療を行い、必要に応じて専門科へつなげる。"},
		{"night_duty_solo", GroupClinical, "一人当直ができる", "上級医が院内にいない当直で、病棟と救急の対応を一人で担える。"},
		{"ultrasound", GroupClinical, "エコー検査", "腹部・心臓などの超音波検査を自分で行い、所見を判断できる。"},
		{"occupational_health", GroupClinical, "産業保健の実務", "健康診断の事後措置、長時間労働者やストレスチェック後の面接指導、職場巡視を行える。"},
		// リモート
		{"online_consultation", GroupRemote, "オンライン診療", "指針に沿って、ビデオ通話で問診・診察を行い、対面受診の要否を判断できる。"},
		{"teleradiology", GroupRemote, "遠隔読影", "送られた画像を自宅などから読影し、報告書を作成できる。"},
		{"it_literacy", GroupRemote, "ITリテラシー", "電子カルテやオンライン診療のシステムを使いこなし、情報セキュリティに配慮できる。"},
		// マネジメント
		{"time_management", GroupManagement, "タイムマネジメント", "緊急性と優先順位を見極め、診療を時間どおりに進められる。"},
		{"staff_allocation", GroupManagement, "スタッフ配置", "看護師・事務・技師などを適材適所に配置し、チーム全体の力を引き出せる。"},
		{"care_quality", GroupManagement, "ケアの質の維持", "各部門と連携し、診療とケアを一貫して高い水準で提供できる。"},
		{"scheduling", GroupManagement, "勤務表・スケジュール作成", "繁忙期も含め、勤務表や予約枠を組み、待ち時間を減らせる。"},
		{"team_leadership", GroupManagement, "チームの指揮", "現場の指揮をとり、スタッフを指導し、フォローできる。"},
		// マーケティング
		{"branding", GroupMarketing, "ブランディング", "医療機関の特徴や医師の専門性を伝え、地域で選ばれる信頼を築ける。"},
		{"patient_survey", GroupMarketing, "患者アンケートの活用", "患者アンケートを実施・分析し、サービスの改善につなげられる。"},
		{"community_liaison", GroupMarketing, "地域連携", "地域の医療機関や住民と連携し、勉強会や健康増進の活動を行える。"},
		{"web_presence", GroupMarketing, "Web・SNSでの情報発信", "WebサイトやSNSで、正確で分かりやすい医療情報を発信できる。"},
	}
}

// Vocabulary is a validated set of competencies, looked up by code.
// A nil *Vocabulary is empty.
type Vocabulary struct {
	list   []Competency
	byCode map[string]int
}

// NewVocabulary validates cs and returns a vocabulary keeping their order.
// Codes must be non-empty lower-case ASCII words ([a-z0-9_]) and unique;
// every competency needs a name and a known group.
func NewVocabulary(cs []Competency) (*Vocabulary, error) {
	v := &Vocabulary{list: make([]Competency, 0, len(cs)), byCode: make(map[string]int, len(cs))}
	var errs []error
	for i, c := range cs {
		switch {
		case c.Code == "":
			errs = append(errs, fmt.Errorf("career: competency %d: empty code", i))
			continue
		case !isCode(c.Code):
			errs = append(errs, fmt.Errorf("career: competency %q: code must be [a-z0-9_]", c.Code))
		}
		if _, dup := v.byCode[c.Code]; dup {
			errs = append(errs, fmt.Errorf("career: competency %q: duplicate code", c.Code))
			continue
		}
		if !c.Group.Valid() {
			errs = append(errs, fmt.Errorf("career: competency %q: unknown group %q", c.Code, c.Group))
		}
		if c.Name == "" {
			errs = append(errs, fmt.Errorf("career: competency %q: empty name", c.Code))
		}
		v.byCode[c.Code] = len(v.list)
		v.list = append(v.list, c)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return v, nil
}

// DefaultVocabulary returns the vocabulary of DefaultCompetencies. It panics
// if they are invalid, which the tests rule out.
func DefaultVocabulary() *Vocabulary {
	v, err := NewVocabulary(DefaultCompetencies())
	if err != nil {
		panic(err)
	}
	return v
}

// isCode reports whether s is made of lower-case ASCII letters, digits and
// underscores.
func isCode(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return false
		}
	}
	return s != ""
}

// Lookup returns the competency with code.
func (v *Vocabulary) Lookup(code string) (Competency, bool) {
	if v == nil {
		return Competency{}, false
	}
	i, ok := v.byCode[code]
	if !ok {
		return Competency{}, false
	}
	return v.list[i], true
}

// All returns every competency in the vocabulary's order, as a new slice.
func (v *Vocabulary) All() []Competency {
	if v == nil {
		return nil
	}
	return append([]Competency(nil), v.list...)
}

// ByGroup returns the competencies of each group, each in the vocabulary's
// order; iterate CompetencyGroups for a stable order of groups.
func (v *Vocabulary) ByGroup() map[CompetencyGroup][]Competency {
	m := map[CompetencyGroup][]Competency{}
	if v == nil {
		return m
	}
	for _, c := range v.list {
		m[c.Group] = append(m[c.Group], c)
	}
	return m
}

// name returns the Japanese name of code, or code itself if unknown.
func (v *Vocabulary) name(code string) string {
	if c, ok := v.Lookup(code); ok {
		return c.Name
	}
	return code
}

// ValidateSkills checks a doctor's skills against v and returns the problems
// in Japanese, in input order; none means valid. A code must be in v, at most
// once, with a level from 1 to 4; years and cases may not be negative.
func ValidateSkills(v *Vocabulary, skills []Skill) []string {
	var ps []string
	seen := map[string]bool{}
	for _, s := range skills {
		ps = append(ps, checkEntry(v, seen, s.Code, s.Level)...)
		if s.Years < 0 || s.Cases < 0 {
			ps = append(ps, "「"+v.name(s.Code)+"」の経験年数と症例数は0以上で入力してください。")
		}
	}
	return ps
}

// ValidateRequirements checks an opening's required or preferred
// competencies against v and returns the problems in Japanese, in input
// order; none means valid. A code must be in v, at most once, with a level
// from 1 to 4.
func ValidateRequirements(v *Vocabulary, reqs []Requirement) []string {
	var ps []string
	seen := map[string]bool{}
	for _, r := range reqs {
		ps = append(ps, checkEntry(v, seen, r.Code, r.Level)...)
	}
	return ps
}

// checkEntry checks one code and level, recording the code in seen.
func checkEntry(v *Vocabulary, seen map[string]bool, code string, l Level) []string {
	if code == "" {
		return []string{"能力が選ばれていない行があります。"}
	}
	if _, ok := v.Lookup(code); !ok {
		return []string{"「" + code + "」は登録されていない能力です。"}
	}
	var ps []string
	if seen[code] {
		ps = append(ps, "「"+v.name(code)+"」が重複しています。")
	}
	seen[code] = true
	if !l.Valid() {
		ps = append(ps, "「"+v.name(code)+"」のレベルは1〜4で入力してください(入力値: "+strconv.Itoa(int(l))+")。")
	}
	return ps
}
