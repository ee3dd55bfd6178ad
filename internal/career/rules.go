package career

// Verdict says whether a doctor may take a kind of work, and why not.
type Verdict struct {
	Allowed  bool
	Consider bool   // allowed, but the institution decides case by case (応相談)
	Reason   string // Japanese, for the doctor; set when !Allowed or Consider
}

// MayTake says whether a doctor at stage may take work of kind, by the rules
// of the career alone (the institution's answer is Eligibility's part):
//
//   - 医学生 may take no work as a physician: they have no licence yet;
//   - 初期研修医 may take a full-time post (the next post after 初期研修) but
//     no side job, because the 臨床研修 system under the 医師法 obliges them to
//     devote themselves to their training;
//   - 専攻医 and 専門医 may take every kind; whether a 専攻医 is welcome is
//     each institution's answer.
//
// An unknown stage or kind is not allowed.
func MayTake(stage Stage, kind WorkKind) Verdict {
	if !stage.Valid() {
		return Verdict{Reason: "経歴の段階が不明のため、判定できません。"}
	}
	if !kind.Valid() {
		return Verdict{Reason: "勤務形態が不明のため、判定できません。"}
	}
	switch stage {
	case StageStudent:
		return Verdict{Reason: "医師免許の取得前のため、医師として勤務することはできません。"}
	case StageJuniorResident:
		if kind != WorkFullTime {
			return Verdict{Reason: "初期研修中はアルバイト(副業)が禁止されているため、" + kind.Label() +
				"の勤務はできません。医師法に基づく臨床研修制度で、臨床研修に専念する義務があるためです。"}
		}
	}
	return Verdict{Allowed: true}
}

// Eligibility combines MayTake with the institution's answer for the
// doctor's stage: accept allows, consider allows with Consider set (応相談),
// reject refuses. A stage missing from answers, or an unknown answer, counts
// as reject: an institution that has not said it takes a stage is not
// assumed to, and the doctor is told so.
func Eligibility(stage Stage, kind WorkKind, answers map[Stage]StageAnswer) Verdict {
	v := MayTake(stage, kind)
	if !v.Allowed {
		return v
	}
	a, ok := answers[stage]
	switch {
	case a == AnswerAccept:
		return Verdict{Allowed: true}
	case a == AnswerConsider:
		return Verdict{Allowed: true, Consider: true,
			Reason: "この求人は" + stage.Label() + "について応相談です(場合によって勤務可能)。"}
	case a == AnswerReject:
		return Verdict{Reason: "この求人は" + stage.Label() + "を募集対象にしていません。"}
	case !ok:
		return Verdict{Reason: "この求人は" + stage.Label() + "を募集対象にするか示していないため、対象外としています。"}
	}
	return Verdict{Reason: "この求人の" + stage.Label() + "への回答が不明のため、対象外としています。"}
}
