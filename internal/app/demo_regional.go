package app

import (
	"context"
	"time"

	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/records"
	"github.com/hakui-dev/hakui/internal/regional"
)

const (
	demoPrefectureName = "岡山県 保健医療部 医療推進課"
	demoUniversityName = "岡山中央大学 地域医療人材育成センター"
	demoRegionalEmail  = "chiiki@demo.hakui.jp"
	demoOfficerEmail   = "pref@demo.hakui.jp"
	demoCCEmail        = "cc@demo.hakui.jp"
)

// seedDemoRegional gives the demo prefecture a キャリア形成プログラム with
// three medical areas, and one 地域枠 doctor in their third year, followed
// by the university's CC office: a ledger, a plan, a 面談記録 and an
// agreement that shares career and obligation records with the prefecture.
func (m *Main) seedDemoRegional(ctx context.Context, orgIDs map[string]int64, users map[string]int64) error {
	pref, univ := orgIDs[demoPrefectureName], orgIDs[demoUniversityName]
	officer := policy.Actor{UserID: users[demoOfficerEmail], Grants: []identity.Grant{{Role: identity.RolePrefectureOfficer, OrgID: pref, OrgAdmin: true}}}
	cc := policy.Actor{UserID: users[demoCCEmail], Grants: []identity.Grant{{Role: identity.RoleCoordinator, OrgID: univ, OrgAdmin: true}}}
	doctor := policy.Actor{UserID: users[demoRegionalEmail], Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	existing, err := m.Regional.Programs(ctx, officer, pref)
	if err != nil || len(existing) > 0 {
		return err
	}
	program := &obligation.Program{PrefectureOrgID: pref, Name: "岡山県キャリア形成プログラム（地域枠）", TotalYears: 9,
		MinShortageYears: 4, DeadlineYears: 12, OutsideCounts: true, OutsideCapMonths: 12,
		SuspensionCaps: map[obligation.SuspensionReason]int{obligation.SuspendChildbirth: 12, obligation.SuspendChildcare: 24,
			obligation.SuspendIllness: 12, obligation.SuspendStudy: 24},
		StartBasis: "卒業の翌年度（初期研修1年目）"}
	if err := m.Regional.CreateProgram(ctx, officer, program); err != nil {
		return err
	}
	now := m.Regional.Now()
	fy := obligation.FiscalYear(now)
	areas := []struct {
		code, name string
		class      obligation.AreaClass
	}{
		{"33-01", "県南東部", obligation.AreaSurplus},
		{"33-04", "真庭", obligation.AreaShortage},
		{"33-05", "高梁・新見", obligation.AreaShortage},
	}
	for _, a := range areas {
		area := &regional.Area{PrefectureOrgID: pref, Area: obligation.Area{Code: a.code, Name: a.name}}
		if err := m.Regional.SaveArea(ctx, officer, area); err != nil {
			return err
		}
		for y := fy - 3; y <= fy+8; y++ {
			if err := m.Regional.SetAreaClass(ctx, officer, area.ID, y, a.class); err != nil {
				return err
			}
		}
	}

	// 岡山 葵 graduated three years ago: two 初期研修 years, then 内科.
	en, err := m.Regional.Enroll(ctx, cc, regional.EnrollRequest{ProgramID: program.ID, DoctorEmail: demoRegionalEmail,
		CoordinatorOrgID: univ, StartYear: fy - 2})
	if err != nil {
		return err
	}
	version := en.Version
	for _, p := range []obligation.Placement{
		{FiscalYear: fy - 2, Months: 12, Institution: "岡山中央大学病院", AreaCode: "33-01", TrainingStage: "junior_resident"},
		{FiscalYear: fy - 1, Months: 12, Institution: "県立北部医療センター", AreaCode: "33-04", TrainingStage: "junior_resident"},
		{FiscalYear: fy, Months: 12, Institution: "県立北部医療センター", AreaCode: "33-04", Specialty: "内科", TrainingStage: "specialty_resident"},
	} {
		v, err := m.Regional.AddPlacement(ctx, cc, en.ID, version, p)
		if err != nil {
			return err
		}
		version = v.Enrollment.Version
	}
	plan := &obligation.Plan{EnrollmentID: en.ID, Name: "内科専門医をめざす計画", Years: []obligation.PlanYear{
		{FiscalYear: fy + 1, Kind: obligation.PlanService, Months: 12, Class: obligation.AreaSurplus, AreaCode: "33-01", Specialty: "内科", Program: "岡山中央大学 内科専門研修プログラム"},
		{FiscalYear: fy + 2, Kind: obligation.PlanService, Months: 12, Class: obligation.AreaShortage, AreaCode: "33-05", Specialty: "内科"},
		{FiscalYear: fy + 3, Kind: obligation.PlanSuspension, Months: 12, Reason: obligation.SuspendChildcare, Note: "育児休業の予定"},
	}}
	if _, err := m.Regional.CreatePlan(ctx, doctor, plan); err != nil {
		return err
	}

	held := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, demoZone).AddDate(0, 0, -14)
	next := held.AddDate(0, 3, 0)
	if _, err := m.Records.Create(ctx, cc, &records.Record{OrgID: univ, DoctorID: doctor.UserID, HeldOn: held, Mode: records.ModeOnline,
		Attendees: []string{"岡山 葵", "高橋 美咲（キャリアコーディネーター）"}, Topics: []records.Topic{records.TopicCareer, records.TopicObligation},
		Notes:         "内科専門医をめざす。4年目は県南東部の大学病院で研修し、5年目に高梁・新見で勤務する案を検討。",
		AgreedActions: "専門研修プログラムの連携施設を県と確認する。", NextMeeting: &next}); err != nil {
		return err
	}
	_, err = m.Records.CreateAgreement(ctx, cc, &records.Agreement{OrgID: univ, PartnerOrgID: pref,
		Roles: []identity.Role{identity.RolePrefectureOfficer}, Topics: []records.Topic{records.TopicCareer, records.TopicObligation},
		Purpose: "配置調整のため、キャリアと義務履行に関する面談記録を県の担当者と共有する。"})
	return err
}
