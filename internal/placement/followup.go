package placement

import (
	"fmt"
	"slices"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/profile"
)

// MaxTriggerYears is the most years of experience a trigger may wait for.
const MaxTriggerYears = 60

// Validate normalises t in place and returns what is wrong per field
// ("trigger_kind", "trigger_date", "trigger_stage", "trigger_specialty",
// "trigger_years"), in Japanese. Each kind needs its own field, and the
// fields of the other kinds are cleared: a date (YYYY-MM-DD, JST), a stage
// after 医学生 (waiting for a doctor to become a student makes no sense),
// one of career.Specialties, or 1 to MaxTriggerYears years.
func (t *Trigger) Validate() map[string]string {
	fields := map[string]string{}
	t.Date = jatext.NormalizeLine(t.Date)
	t.Specialty = jatext.NormalizeLine(t.Specialty)
	date, stage, specialty, years := t.Date, t.Stage, t.Specialty, t.Years
	t.Date, t.Stage, t.Specialty, t.Years = "", "", "", 0
	switch t.Kind {
	case TriggerDate:
		t.Date = date
		if _, err := time.Parse(time.DateOnly, date); err != nil {
			fields["trigger_date"] = "日付を YYYY-MM-DD の形式で入力してください。"
		}
	case TriggerStage:
		t.Stage = stage
		if !stage.Valid() || stage == career.StageStudent {
			fields["trigger_stage"] = "待つ経歴の段階(初期研修医・専攻医・専門医)を選んでください。"
		}
	case TriggerCertification:
		t.Specialty = specialty
		if !career.IsSpecialty(specialty) {
			fields["trigger_specialty"] = "専門医の基本領域を選んでください。"
		}
	case TriggerYears:
		t.Years = years
		if years < 1 || years > MaxTriggerYears {
			fields["trigger_years"] = fmt.Sprintf("経験年数は1〜%d年で入力してください。", MaxTriggerYears)
		}
	default:
		fields["trigger_kind"] = "何を待つかを選んでください。"
	}
	return fields
}

// Describe returns the trigger in Japanese, e.g. 「専門医（内科）を取得したとき」,
// for lists and notifications.
func (t Trigger) Describe() string {
	switch t.Kind {
	case TriggerDate:
		if d, err := time.Parse(time.DateOnly, t.Date); err == nil {
			return fmt.Sprintf("%d年%d月%d日になったとき", d.Year(), d.Month(), d.Day())
		}
		return t.Date + "になったとき"
	case TriggerStage:
		return t.Stage.Label() + "になったとき"
	case TriggerCertification:
		return "専門医（" + t.Specialty + "）を取得したとき"
	case TriggerYears:
		return fmt.Sprintf("医師国家試験の合格から%d年たったとき", t.Years)
	}
	return string(t.Kind)
}

// Met reports whether the trigger's condition holds on the JST calendar
// date of now for the doctor whose profile is p (nil for a lead without an
// account: only a date can then be met):
//
//   - date: the date has come;
//   - stage: the doctor's stage (career.StageAt of the profile's events) is
//     the one awaited or a later one: a doctor who became 専門医 has also
//     passed 専攻医;
//   - certification: the doctor is a specialist in the specialty by the
//     career events (career.ObtainedSpecialties), or lists a certification
//     in it (profile.Certifications with that Specialty) obtained by now or
//     without a date;
//   - years: full years since the earliest national_exam_passed event
//     (career.YearsSince) reach Years; without that event, not met.
//
// A trigger that does not validate is never met.
func (t Trigger) Met(p *profile.Profile, now time.Time) bool {
	if t.Kind == TriggerDate {
		d, err := time.ParseInLocation(time.DateOnly, t.Date, jst)
		return err == nil && !now.Before(d)
	}
	if p == nil {
		return false
	}
	switch t.Kind {
	case TriggerStage:
		want := slices.Index(career.Stages, t.Stage)
		return want > 0 && slices.Index(career.Stages, career.StageAt(p.Events, now)) >= want
	case TriggerCertification:
		if t.Specialty == "" {
			return false
		}
		if slices.Contains(career.ObtainedSpecialties(p.Events, now), t.Specialty) {
			return true
		}
		return slices.ContainsFunc(p.Certifications, func(c profile.Certification) bool {
			if c.Specialty != t.Specialty {
				return false
			}
			d, err := time.ParseInLocation(time.DateOnly, c.ObtainedOn, jst)
			return err != nil || !now.Before(d) // no (or no readable) date: listed, so obtained
		})
	case TriggerYears:
		years, ok := career.YearsSince(p.Events, career.EventNationalExamPassed, now)
		return t.Years > 0 && ok && years >= t.Years
	}
	return false
}

// Validate normalises f in place and returns what is wrong per field: the
// trigger's fields (Trigger.Validate) and "note".
func (f *FollowUp) Validate() map[string]string {
	fields := f.Trigger.Validate()
	f.Note = jatext.Normalize(f.Note)
	if runes(f.Note) > MaxNote {
		fields["note"] = tooLong("メモ", MaxNote)
	}
	return fields
}

// Due reports whether a waiting follow-up should fire now: its status is
// waiting and its trigger is met for the doctor's profile p (nil when the
// lead has no account).
func (f *FollowUp) Due(p *profile.Profile, now time.Time) bool {
	return f.Status == FollowUpWaiting && f.Trigger.Met(p, now)
}
