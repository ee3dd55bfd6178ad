package app

import (
	"context"
	"fmt"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/survey"
)

// seedDemoEvents gives the university's CC office a hybrid training
// session tomorrow — 40 registrations with a waiting list, check-ins,
// six groups over three themes, the attendees' survey with answers, and a
// recording shared by request with one request waiting — and the clinic
// a patient-satisfaction survey in its second year, so that results and
// the comparison with last year show at once.
func (m *Main) seedDemoEvents(ctx context.Context, orgIDs map[string]int64, users map[string]int64) error {
	univ, clinic := orgIDs[demoUniversityName], orgIDs["みなと内科クリニック"]
	cc := policy.Actor{UserID: users[demoCCEmail], Grants: []identity.Grant{{Role: identity.RoleCoordinator, OrgID: univ, OrgAdmin: true}}}
	staff := policy.Actor{UserID: users[demoClinicEmail], Grants: []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: clinic, OrgAdmin: true}}}
	if existing, err := m.Surveys.Surveys(ctx, cc, univ, 0); err != nil || len(existing) > 0 {
		return err
	}
	// Tomorrow afternoon in Japan; registration closes at noon.
	y, mo, d := m.Events.Now().In(career.JST).AddDate(0, 0, 1).Date()
	day := time.Date(y, mo, d, 0, 0, 0, 0, career.JST)
	e, err := m.Events.CreateEvent(ctx, cc, univ, events.EventInput{
		Title: "キャリアコーディネーター研修会（ハイブリッド）",
		Description: "地域枠の医師を支えるキャリアコーディネーターの研修会です。\n\n" +
			"- 講演：キャリア形成プログラムの運用\n- グループワーク：難しい事例を持ち寄って\n\n会場とオンラインの両方で参加できます。",
		StartsAt: day.Add(13 * time.Hour), EndsAt: day.Add(17 * time.Hour), RegistrationDeadline: day.Add(12 * time.Hour),
		Mode: events.ModeHybrid, Venue: "岡山中央大学 医学部講堂 第2講義室", VenueCapacity: 12,
		OnlineURL: "https://meet.example.jp/cc-training", Audience: events.AudienceOpen,
		Talks: []events.Talk{
			{Title: "キャリア形成プログラムの運用と課題", Speaker: "高橋 美咲", Affiliation: demoUniversityName, Minutes: 40},
			{Title: "県の立場から：配置と義務年限", Speaker: "田中 健", Affiliation: demoPrefectureName, Minutes: 30},
			{Title: "グループワーク", Minutes: 60},
		}})
	if err != nil {
		return fmt.Errorf("demo event: %w", err)
	}
	if err := m.Events.SetStatus(ctx, cc, e.ID, events.StatusPublished, e.Version); err != nil {
		return err
	}
	roles := []events.ParticipantRole{events.RoleCC, events.RoleCC, events.RolePrefectureOfficer, events.RoleFaculty, events.RoleDoctor, events.RoleStaff}
	family := []string{"佐々木", "山本", "中島", "石井", "小川", "前田", "藤田", "岡田", "後藤", "長谷川"}
	given := []string{"陽子", "誠", "恵", "大輔", "舞", "翔"}
	var regs []*events.Registration
	for i := range 40 {
		pref := career.Prefectures[(i*7)%len(career.Prefectures)]
		attend := events.AttendOnline
		if i%3 == 0 {
			attend = events.AttendVenue
		}
		r, _, err := m.Events.Register(ctx, policy.Actor{}, e.ID, events.RegistrationInput{
			Name:  family[i%len(family)] + " " + given[i%len(given)],
			Email: fmt.Sprintf("participant%02d@demo.hakui.jp", i+1), Prefecture: pref,
			Organisation: pref + " 地域医療支援センター", Role: roles[i%len(roles)], Attendance: attend,
		}, fmt.Sprintf("demo-%d", i))
		if err != nil {
			return fmt.Errorf("demo registration %d: %w", i, err)
		}
		regs = append(regs, r)
	}
	// As if on the day: most are checked in, and the groups are made.
	checked := 0
	for i, r := range regs {
		if r.Status != events.Registered || i%8 == 7 {
			continue // waiting, or did not come
		}
		if err := m.Events.CheckIn(ctx, cc, r.ID, true); err != nil {
			return err
		}
		checked++
	}
	if _, err := m.Events.AssignGroups(ctx, cc, e.ID, events.GroupInput{Groups: 6, Seed: 2026,
		Themes: []string{"離脱を考えている医師への面談", "診療科の希望と配置の調整", "出産・育児と義務年限"}}); err != nil {
		return err
	}
	if _, err := m.Events.AddMaterial(ctx, cc, e.ID, events.MaterialInput{Kind: events.KindMaterial, Title: "講演スライド（PDF）",
		URL: "https://example.jp/cc-training/slides.pdf", Visibility: events.VisibilityRegistrants}); err != nil {
		return err
	}
	rec, err := m.Events.AddMaterial(ctx, cc, e.ID, events.MaterialInput{Kind: events.KindRecording, Title: "当日の録画",
		URL: "https://video.example.jp/cc-training", Visibility: events.VisibilityRequest, AccessDays: 30})
	if err != nil {
		return err
	}
	if _, err := m.Events.RequestMaterial(ctx, rec.ID, events.RequestInput{Name: "松田 理恵", Prefecture: "島根県",
		Role: "キャリアコーディネーター", Email: "matsuda@demo.hakui.jp", Note: "当日は参加できなかったため視聴を希望します。"}, "demo-request"); err != nil {
		return err
	}
	if err := m.seedDemoEventSurvey(ctx, cc, univ, e.ID, checked); err != nil {
		return err
	}
	return m.seedDemoPatientSurvey(ctx, staff, clinic)
}

// seedDemoEventSurvey opens the attendees' survey and answers it for all
// but one of them: most rate the session 4 or 5, and the comments range
// from thanks to "show us the hard cases".
func (m *Main) seedDemoEventSurvey(ctx context.Context, cc policy.Actor, univ, eventID int64, attendees int) error {
	s, err := m.Surveys.CreateSurvey(ctx, cc, univ, survey.SurveyInput{Kind: survey.KindEvent, EventID: eventID,
		Title: "研修会アンケート", Description: "今後の研修会の参考にします。5分ほどでお答えいただけます。",
		Items: []survey.ItemInput{
			{Kind: survey.Likert, Label: "研修会全体に満足した", Required: true},
			{Kind: survey.Likert, Label: "グループワークは業務に役立つ", Required: true},
			{Kind: survey.Single, Label: "参加の形", Required: true, Choices: []string{"会場", "オンライン"}},
			{Kind: survey.Text, Label: "ご意見・次回扱ってほしいテーマ"},
		}})
	if err != nil {
		return fmt.Errorf("demo survey: %w", err)
	}
	if _, err := m.Surveys.OpenSurvey(ctx, cc, s.ID, s.Version); err != nil {
		return err
	}
	if s, err = m.Surveys.Survey(ctx, cc, s.ID); err != nil {
		return err
	}
	invitations, err := m.DB.SurveyInvitations(ctx, s.ID)
	if err != nil {
		return err
	}
	comments := []string{"とても参考になりました。", "課題が整理されていなかった印象です。", "難しい事例をもっと聞きたいです。", ""}
	for i, inv := range invitations {
		if i == attendees-1 {
			break // one has not answered yet
		}
		overall := []int{5, 4, 4, 5, 3, 4, 5, 2}[i%8]
		answers := map[int64]survey.Answer{
			s.Items[0].ID: {Value: overall},
			s.Items[1].ID: {Value: []int{4, 5, 3, 4}[i%4]},
			s.Items[2].ID: {Value: i % 2},
		}
		if c := comments[i%len(comments)]; c != "" {
			answers[s.Items[3].ID] = survey.Answer{Text: c}
		}
		r := &survey.Response{SurveyID: s.ID, InvitationID: inv.ID, Answers: answers}
		if err := m.DB.SaveResponse(ctx, r, fmt.Sprintf("demo-edit-%d-%d", s.ID, inv.ID)); err != nil {
			return err
		}
	}
	return nil
}

// seedDemoPatientSurvey runs the clinic's patient survey last year and
// this year through its public link.
func (m *Main) seedDemoPatientSurvey(ctx context.Context, staff policy.Actor, clinic int64) error {
	last, err := m.Surveys.CreateSurvey(ctx, staff, clinic, survey.SurveyInput{Kind: survey.KindPatient,
		Title: "患者満足度調査 2025年度", Description: "よりよい診療のため、ご意見をお聞かせください（無記名）。",
		Items: []survey.ItemInput{
			{Key: "wait", Kind: survey.Likert, Label: "待ち時間に満足している", Required: true},
			{Key: "explain", Kind: survey.Likert, Label: "医師の説明は分かりやすかった", Required: true},
			{Key: "staff", Kind: survey.Likert, Label: "受付・スタッフの対応はよかった", Required: true},
			{Key: "why", Kind: survey.Single, Label: "来院のきっかけ", Choices: []string{"近所だから", "紹介・口コミ", "インターネット", "その他"}},
			{Key: "voice", Kind: survey.Text, Label: "ご意見・ご要望"},
		}})
	if err != nil {
		return fmt.Errorf("demo patient survey: %w", err)
	}
	answer := func(s *survey.Survey, n int, wait []int) error {
		if _, err := m.Surveys.OpenSurvey(ctx, staff, s.ID, s.Version); err != nil {
			return err
		}
		s, err := m.Surveys.Survey(ctx, staff, s.ID)
		if err != nil {
			return err
		}
		voices := []string{"", "待合室が混んでいて座れないことがありました。", "丁寧に説明していただき安心しました。", ""}
		for i := range n {
			a := survey.Answers{
				s.Items[0].ID: {Value: wait[i%len(wait)]},
				s.Items[1].ID: {Value: []int{5, 4, 5, 4, 3}[i%5]},
				s.Items[2].ID: {Value: []int{4, 5, 4, 3}[i%4]},
				s.Items[3].ID: {Value: i % 4},
			}
			if v := voices[i%len(voices)]; v != "" {
				a[s.Items[4].ID] = survey.Answer{Text: v}
			}
			if _, err := m.Surveys.SubmitPublic(ctx, s.PublicSlug, a, fmt.Sprintf("demo-patient-%d-%d", s.ID, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if err := answer(last, 24, []int{2, 3, 3, 4, 2, 5}); err != nil {
		return err
	}
	if last, err = m.Surveys.Survey(ctx, staff, last.ID); err != nil {
		return err
	}
	if err := m.Surveys.CloseSurvey(ctx, staff, last.ID, last.Version); err != nil {
		return err
	}
	this, err := m.Surveys.CopySurvey(ctx, staff, last.ID, "患者満足度調査 2026年度")
	if err != nil {
		return err
	}
	// After adding Web booking, fewer patients wait.
	return answer(this, 30, []int{4, 4, 5, 3, 4, 5})
}
