package app

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/policy"
)

const demoAgencyName = "さくらメディカルキャリア株式会社"

// seedDemoPlacement gives the demo agency a pipeline to walk through: the
// demo doctor met and at the check items for a clinic, an earlier case the
// institution declined with a follow-up waiting for 専門医, and two
// not-yet-registered leads that look like the same person.
func (m *Main) seedDemoPlacement(ctx context.Context, orgIDs map[string]int64, users map[string]int64) error {
	agencyID := orgIDs[demoAgencyName]
	agent := policy.Actor{UserID: users[demoAgentEmail], Grants: []identity.Grant{{Role: identity.RoleAgent, OrgID: agencyID, OrgAdmin: true}}}
	doctor := policy.Actor{UserID: users[demoDoctorEmail], Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	clinic := policy.Actor{UserID: users[demoClinicEmail], Grants: []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: orgIDs["みなと内科クリニック"], OrgAdmin: true}}}
	existing, err := m.Placement.Leads(ctx, agent, placement.LeadFilter{AgencyID: agencyID, Merged: true, Limit: 1})
	if err != nil || len(existing) > 0 {
		return err
	}
	find := func(institution, titlePrefix string) (*openings.Opening, error) {
		list, _, err := m.DB.SearchOpenings(ctx, openings.Filter{Status: openings.StatusOpen, InstitutionID: orgIDs[institution], Limit: 100})
		if err != nil {
			return nil, err
		}
		for _, o := range list {
			if strings.HasPrefix(o.Title, titlePrefix) {
				return o, nil
			}
		}
		return nil, fmt.Errorf("demo pipeline: no opening %q at %s", titlePrefix, institution)
	}
	tuesday, err := find("みなと内科クリニック", "【内科】火曜午後の外来")
	if err != nil {
		return err
	}
	thursday, err := find("みなと内科クリニック", "【内科】木曜午前の外来")
	if err != nil {
		return err
	}

	// 山田 太郎 came through a referral, linked his account and consented.
	lead := &placement.Lead{AgencyID: agencyID, Name: "山田 太郎", NameKana: "ヤマダ タロウ", Email: demoDoctorEmail,
		Phone: "090-1234-5678", Source: placement.SourceReferral, SourceNote: "大学の先輩からの紹介",
		Message: "専門研修と両立できる定期非常勤を探しています。"}
	if err := m.Placement.CreateLead(ctx, agent, lead); err != nil {
		return err
	}
	link, err := m.Placement.InviteLead(ctx, agent, lead.ID)
	if err != nil {
		return err
	}
	token := strings.TrimPrefix(link, "/leads/claim/")
	info, err := m.Placement.Claim(ctx, token)
	if err != nil {
		return err
	}
	if lead, err = m.Placement.AcceptClaim(ctx, doctor, token, placement.PurposeHash(info.Agency.PurposeText), false); err != nil {
		return err
	}
	now := m.Placement.Now()
	met := &placement.Consultation{LeadID: lead.ID, Mode: placement.ModeOnline, ScheduledAt: now.Add(-72 * time.Hour),
		MeetingURL: "https://meet.example.jp/sakura-yamada"}
	if err := m.Placement.ScheduleConsultation(ctx, agent, met); err != nil {
		return err
	}
	met.Notes = "大学病院で総合内科と救急外来を担当。外来は一人で回せる。説明が丁寧で、患者様への配慮がある。"
	met.Impression = "誠実で落ち着いている。患者様第一の医療機関に合う。"
	met.Wishes = "火曜・木曜の午後。専門医取得までは週1回まで。"
	if _, err := m.Placement.RecordConsultation(ctx, agent, met); err != nil {
		return err
	}

	// The Tuesday clinic: met, now at the check items, one still unknown.
	c, err := m.Placement.OpenCase(ctx, agent, lead.ID, tuesday.ID)
	if err != nil {
		return err
	}
	for _, to := range []placement.Stage{placement.StageConsultation, placement.StageCheckItems} {
		if c, err = m.Placement.Move(ctx, agent, c.ID, placement.Move{Version: c.Version, To: to}); err != nil {
			return err
		}
	}
	items, err := m.DB.CheckItems(ctx, c.ID)
	if err != nil {
		return err
	}
	var updates []placement.ItemUpdate
	for i, it := range items {
		if i < len(items)-1 {
			updates = append(updates, placement.ItemUpdate{ID: it.ID, Status: placement.ItemMet, Note: "面談で確認"})
		}
	}
	if _, err := m.Placement.ConfirmItems(ctx, agent, c.ID, c.Version, updates, nil); err != nil {
		return err
	}

	// The Thursday clinic, last season: introduced, interviewed, declined
	// because it wanted a 専門医; recommend him again once he is one.
	d, err := m.Placement.OpenCase(ctx, agent, lead.ID, thursday.ID)
	if err != nil {
		return err
	}
	for _, to := range []placement.Stage{placement.StageConsultation, placement.StageCheckItems} {
		if d, err = m.Placement.Move(ctx, agent, d.ID, placement.Move{Version: d.Version, To: to}); err != nil {
			return err
		}
	}
	items, err = m.DB.CheckItems(ctx, d.ID)
	if err != nil {
		return err
	}
	updates = updates[:0]
	for _, it := range items {
		updates = append(updates, placement.ItemUpdate{ID: it.ID, Status: placement.ItemMet})
	}
	if d, err = m.Placement.ConfirmItems(ctx, agent, d.ID, d.Version, updates, nil); err != nil {
		return err
	}
	if d, err = m.Placement.Move(ctx, agent, d.ID, placement.Move{Version: d.Version, To: placement.StageIntroduced,
		Recommendation: "健診結果の説明が丁寧で、生活習慣病の外来経験が豊富な先生です。", OverrideReason: "専門研修中ですが、院長が応相談とされているため、確認のうえ紹介します。"}); err != nil {
		return err
	}
	iv := &placement.Interview{CaseID: d.ID, StartsAt: now.Add(-48 * time.Hour), EndsAt: now.Add(-47 * time.Hour),
		Mode: placement.ModeInPerson, Place: "みなと内科クリニック 院長室",
		Participants: []placement.Participant{{Name: "山田 太郎", Email: demoDoctorEmail, Role: "doctor"}, {Name: "佐藤 花子", Email: demoClinicEmail, Role: "institution"}}}
	if _, err := m.Placement.ScheduleInterview(ctx, clinic, iv, d.Version); err != nil {
		return err
	}
	if err := m.Placement.SubmitScorecard(ctx, clinic, &placement.Scorecard{InterviewID: iv.ID, Overall: placement.RecommendNo,
		Scores: scoresOf(items, 4), Comment: "人柄は申し分ないが、健診の判定には専門医を希望。"}); err != nil {
		return err
	}
	if d, err = m.DB.Case(ctx, d.ID); err != nil {
		return err
	}
	if d, err = m.Placement.Move(ctx, clinic, d.ID, placement.Move{Version: d.Version, To: placement.StageDeclinedByInstitution,
		Reason: placement.ReasonProfileMismatch, Note: "健診の判定には内科専門医を希望"}); err != nil {
		return err
	}
	if err := m.Placement.CreateFollowUp(ctx, agent, &placement.FollowUp{CaseID: d.ID, Note: "内科専門医の取得後、みなと内科クリニックへ再推薦",
		Trigger: placement.Trigger{Kind: placement.TriggerCertification, Specialty: "内科"}}); err != nil {
		return err
	}

	// Two leads that are probably the same person: the web form and an event.
	a, err := m.Placement.PublicAgency(ctx, agencyID)
	if err != nil {
		return err
	}
	web, err := m.Placement.SubmitLead(ctx, policy.Actor{}, agencyID, placement.LeadForm{Name: "中村 優", NameKana: "ナカムラ ユウ",
		Email: "yu.nakamura@example.jp", Phone: "080-2222-3333", Source: placement.SourceWeb,
		Message: "当直のスポットを探しています。", PurposeHash: placement.PurposeHash(a.PurposeText), ConsentPurpose: true})
	if err != nil {
		return err
	}
	if _, err := m.Placement.OpenCase(ctx, agent, web.ID, tuesday.ID); err != nil {
		return err
	}
	return m.Placement.CreateLead(ctx, agent, &placement.Lead{AgencyID: agencyID, Name: "中村 優", Phone: "０８０−２２２２−３３３３",
		RegistrationNumber: "512345", Source: placement.SourceEvent, SourceNote: "11月の開業準備セミナー"})
}

// scoresOf gives every check item the same score.
func scoresOf(items []placement.CheckItem, score int) map[int64]int {
	out := map[int64]int{}
	for _, it := range items {
		out[it.ID] = score
	}
	return out
}
