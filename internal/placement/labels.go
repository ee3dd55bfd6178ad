package placement

import "slices"

// Label returns the Japanese name of the stage, or the raw value if
// unknown.
func (s Stage) Label() string {
	switch s {
	case StageLead:
		return "問い合わせ"
	case StageConsultation:
		return "面談"
	case StageCheckItems:
		return "確認事項"
	case StageIntroduced:
		return "紹介"
	case StageInterview:
		return "面接"
	case StageReview:
		return "振り返り"
	case StagePlaced:
		return "成約"
	case StageWithdrawnByDoctor:
		return "医師辞退"
	case StageDeclinedByInstitution:
		return "医療機関見送り"
	case StageWithdrawnByAgent:
		return "エージェント判断で辞退"
	case StageOnHold:
		return "保留"
	}
	return string(s)
}

// Valid reports whether s is one of PipelineStages or OutcomeStages.
func (s Stage) Valid() bool { return s.InPipeline() || s.IsOutcome() }

// InPipeline reports whether s is one of PipelineStages.
func (s Stage) InPipeline() bool { return slices.Contains(PipelineStages, s) }

// IsOutcome reports whether s is one of OutcomeStages (on_hold included).
func (s Stage) IsOutcome() bool { return slices.Contains(OutcomeStages, s) }

// Label returns the Japanese name of the reason, or the raw value if
// unknown.
func (r Reason) Label() string {
	switch r {
	case ReasonProfileMismatch:
		return "求める医師像と合わない"
	case ReasonConditions:
		return "条件（給与・待遇）"
	case ReasonSchedule:
		return "勤務日程"
	case ReasonDoctorWish:
		return "医師の希望"
	case ReasonLocation:
		return "勤務地"
	case ReasonFilled:
		return "募集終了・充足"
	case ReasonPatientSafety:
		return "患者様のため（確認事項を満たさない）"
	case ReasonOther:
		return "その他"
	}
	return string(r)
}

// Valid reports whether r is one of Reasons.
func (r Reason) Valid() bool { return slices.Contains(Reasons, r) }

// Label returns the Japanese name of the source, or the raw value if
// unknown.
func (s Source) Label() string {
	switch s {
	case SourceWeb:
		return "Webサイト"
	case SourceSNS:
		return "SNS"
	case SourceReferral:
		return "知人からの紹介"
	case SourceEvent:
		return "研修会・イベント"
	case SourceInvitation:
		return "招待"
	case SourceManual:
		return "エージェントが登録"
	}
	return string(s)
}

// Valid reports whether s is one of Sources.
func (s Source) Valid() bool { return slices.Contains(Sources, s) }

// Modes lists the meeting modes in display order.
var Modes = []Mode{ModeInPerson, ModeOnline}

// Label returns the Japanese name of the mode, or the raw value if unknown.
func (m Mode) Label() string {
	switch m {
	case ModeInPerson:
		return "対面"
	case ModeOnline:
		return "オンライン"
	}
	return string(m)
}

// Valid reports whether m is one of Modes.
func (m Mode) Valid() bool { return slices.Contains(Modes, m) }

// ItemSources lists the check item sources in display order.
var ItemSources = []ItemSource{ItemCheck, ItemRequired, ItemPreferred, ItemAgentAdded}

// Label returns the Japanese name of the item source, or the raw value if
// unknown.
func (s ItemSource) Label() string {
	switch s {
	case ItemCheck:
		return "確認事項"
	case ItemRequired:
		return "必須スキル"
	case ItemPreferred:
		return "歓迎スキル"
	case ItemAgentAdded:
		return "エージェント追加"
	}
	return string(s)
}

// Valid reports whether s is one of ItemSources.
func (s ItemSource) Valid() bool { return slices.Contains(ItemSources, s) }

// ItemStatuses lists the item statuses in display order.
var ItemStatuses = []ItemStatus{ItemUnknown, ItemMet, ItemNotMet}

// Label returns the Japanese name of the item status, or the raw value if
// unknown.
func (s ItemStatus) Label() string {
	switch s {
	case ItemUnknown:
		return "未確認"
	case ItemMet:
		return "満たす"
	case ItemNotMet:
		return "満たさない"
	}
	return string(s)
}

// Valid reports whether s is one of ItemStatuses.
func (s ItemStatus) Valid() bool { return slices.Contains(ItemStatuses, s) }

// Verdicts lists the review verdicts in display order.
var Verdicts = []Verdict{VerdictProceed, VerdictDecline, VerdictUndecided}

// Label returns the Japanese name of the verdict, or the raw value if
// unknown.
func (v Verdict) Label() string {
	switch v {
	case VerdictProceed:
		return "進める"
	case VerdictDecline:
		return "見送る"
	case VerdictUndecided:
		return "未定"
	}
	return string(v)
}

// Valid reports whether v is one of Verdicts.
func (v Verdict) Valid() bool { return slices.Contains(Verdicts, v) }

// Recommendations lists the scorecard recommendations, strongest yes first.
var Recommendations = []Recommendation{RecommendStrongYes, RecommendYes, RecommendNo, RecommendStrongNo}

// Label returns the Japanese name of the recommendation, or the raw value if
// unknown.
func (r Recommendation) Label() string {
	switch r {
	case RecommendStrongYes:
		return "ぜひ採用したい"
	case RecommendYes:
		return "採用したい"
	case RecommendNo:
		return "見送りたい"
	case RecommendStrongNo:
		return "採用できない"
	}
	return string(r)
}

// Valid reports whether r is one of Recommendations.
func (r Recommendation) Valid() bool { return slices.Contains(Recommendations, r) }

// TriggerKinds lists the follow-up triggers in display order.
var TriggerKinds = []TriggerKind{TriggerDate, TriggerStage, TriggerCertification, TriggerYears}

// Label returns the Japanese name of the trigger kind, or the raw value if
// unknown.
func (k TriggerKind) Label() string {
	switch k {
	case TriggerDate:
		return "日付"
	case TriggerStage:
		return "経歴の段階"
	case TriggerCertification:
		return "専門医の取得"
	case TriggerYears:
		return "医師経験年数"
	}
	return string(k)
}

// Valid reports whether k is one of TriggerKinds.
func (k TriggerKind) Valid() bool { return slices.Contains(TriggerKinds, k) }

// FollowUpStatuses lists the follow-up statuses in display order.
var FollowUpStatuses = []FollowUpStatus{FollowUpWaiting, FollowUpDue, FollowUpDone, FollowUpCancelled}

// Label returns the Japanese name of the follow-up status, or the raw value
// if unknown.
func (s FollowUpStatus) Label() string {
	switch s {
	case FollowUpWaiting:
		return "条件待ち"
	case FollowUpDue:
		return "対応待ち"
	case FollowUpDone:
		return "対応済み"
	case FollowUpCancelled:
		return "取り消し"
	}
	return string(s)
}

// Valid reports whether s is one of FollowUpStatuses.
func (s FollowUpStatus) Valid() bool { return slices.Contains(FollowUpStatuses, s) }

// Participant roles of an interview.
const (
	ParticipantDoctor      = "doctor"
	ParticipantInstitution = "institution"
	ParticipantAgent       = "agent"
)

// ParticipantRoles lists the participant roles in display order.
var ParticipantRoles = []string{ParticipantDoctor, ParticipantInstitution, ParticipantAgent}

// ParticipantRoleLabel returns the Japanese name of a participant role, or
// the raw value if unknown.
func ParticipantRoleLabel(role string) string {
	switch role {
	case ParticipantDoctor:
		return "医師"
	case ParticipantInstitution:
		return "医療機関"
	case ParticipantAgent:
		return "エージェント"
	}
	return role
}

// Label returns the Japanese name of a kind of timeline entry.
func (k EventKind) Label() string {
	switch k {
	case EventCreated:
		return "案件の作成"
	case EventTransition:
		return "段階の変更"
	case EventOverride:
		return "確認できていない点を明示して紹介"
	case EventChecklist:
		return "確認事項"
	case EventConsultation:
		return "面談"
	case EventInterview:
		return "面接"
	case EventScorecard:
		return "面接の評価"
	case EventReview:
		return "振り返り"
	case EventShared:
		return "プロフィールの共有"
	case EventReopened:
		return "再開"
	case EventFollowUp:
		return "フォローアップ"
	case EventMerged:
		return "リードの統合"
	}
	return string(k)
}
