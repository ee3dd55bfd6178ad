package app

import (
	"context"
	"fmt"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/profile"
)

const (
	demoOwnerEmail     = "owner@demo.hakui.jp"
	demoPlannerEmail   = "kaigyo@demo.hakui.jp"
	demoCompanyEmail   = "company@demo.hakui.jp"
	demoCompanyName    = "メディ開業サポート株式会社"
	demoReferralCode   = "MEDIKAIGYO"
	demoModeratorEmail = "moderator@demo.hakui.jp"
	demoAdminEmail     = "admin@demo.hakui.jp"
)

// demoTags are the board's starting tags: topics first, with the words
// members type for them.
var demoTags = []community.TagInput{
	{Name: "集患", Category: community.TagTopic, Description: "患者さんに来ていただく工夫、Web・口コミ", Synonyms: []string{"集客", "患者集め"}},
	{Name: "労務", Category: community.TagTopic, Description: "スタッフの採用、勤務、就業規則", Synonyms: []string{"人事", "スタッフ採用"}},
	{Name: "医療機器", Category: community.TagTopic, Description: "機器の選定、リース、保守", Synonyms: []string{"機器"}},
	{Name: "承継", Category: community.TagTopic, Description: "医院の承継、事業承継", Synonyms: []string{"継承", "事業承継"}},
	{Name: "IT", Category: community.TagTopic, Description: "電子カルテ、予約システム、オンライン診療", Synonyms: []string{"電子カルテ", "DX"}},
	{Name: "資金", Category: community.TagTopic, Description: "開業資金、融資、資金繰り", Synonyms: []string{"融資", "資金調達"}},
	{Name: "開業準備", Category: community.TagTopic, Description: "物件、スケジュール、届出", Synonyms: []string{"開業"}},
	{Name: "内科", Category: community.TagSpecialty},
	{Name: "皮膚科", Category: community.TagSpecialty},
	{Name: "小児科", Category: community.TagSpecialty},
	{Name: "首都圏", Category: community.TagRegion, Synonyms: []string{"東京", "神奈川"}},
	{Name: "関西", Category: community.TagRegion, Synonyms: []string{"大阪", "京都"}},
	{Name: "無床診療所", Category: community.TagPractice, Synonyms: []string{"クリニック"}},
	{Name: "在宅医療", Category: community.TagPractice, Synonyms: []string{"訪問診療"}},
}

// seedDemoCommunity opens the board: tags, a company with its referral
// code and contact, a clinic owner who applied and was approved, a doctor
// planning to open who joined by his invitation with the company's code,
// and three questions — one asked anonymously and solved, one answered,
// one waiting in the unanswered queue.
func (m *Main) seedDemoCommunity(ctx context.Context, orgIDs map[string]int64, users map[string]int64) error {
	platform := orgIDs["Hakui 運営事務局"]
	moderator := policy.Actor{UserID: users[demoModeratorEmail], Grants: []identity.Grant{{Role: identity.RoleModerator, OrgID: platform, OrgAdmin: true}}}
	tags, err := m.Community.Tags(ctx, moderator)
	if err != nil || len(tags) > 0 {
		return err
	}
	for _, t := range demoTags {
		if _, err := m.Community.SaveTag(ctx, moderator, t); err != nil {
			return fmt.Errorf("demo tag %s: %w", t.Name, err)
		}
	}
	company, err := m.Community.CreateCompany(ctx, moderator, community.CompanyInput{Name: demoCompanyName,
		Note: "開業支援。セミナーで掲示板を紹介", ReferralCode: demoReferralCode})
	if err != nil {
		return err
	}
	if _, err := m.Community.AddContact(ctx, moderator, company.ID, community.ContactInput{Email: demoCompanyEmail}); err != nil {
		return err
	}

	// Both doctors' 医籍登録番号 are verified by the platform administrator.
	owner := policy.Actor{UserID: users[demoOwnerEmail], Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	planner := policy.Actor{UserID: users[demoPlannerEmail], Grants: []identity.Grant{{Role: identity.RoleDoctor}}}
	for _, p := range []*profile.Profile{demoOwnerProfile(owner.UserID), demoPlannerProfile(planner.UserID)} {
		if err := m.DB.SaveProfile(ctx, p); err != nil {
			return err
		}
		if err := m.DB.VerifyRegistration(ctx, p.UserID, users[demoAdminEmail]); err != nil {
			return err
		}
	}

	applied, err := m.Community.Apply(ctx, owner, community.Application{Note: "神奈川で内科クリニックを開業して8年目です。"})
	if err != nil {
		return err
	}
	if err := m.Community.DecideApplication(ctx, moderator, owner.UserID, applied.Version, true, ""); err != nil {
		return err
	}
	token, _, err := m.Community.Invite(ctx, owner, community.InvitationInput{Note: "セミナーでお会いした中村先生へ"})
	if err != nil {
		return err
	}
	if _, err := m.Community.AcceptInvitation(ctx, planner, token, community.Application{ReferralCode: demoReferralCode}); err != nil {
		return err
	}
	for _, a := range []struct {
		actor policy.Actor
		card  community.CardInput
	}{
		{owner, community.CardInput{AgeBand: community.Age40s, ShareSpecialty: true, ShareRegion: true, ShareAge: true, SharePractice: true, Digest: community.DigestDaily}},
		{planner, community.CardInput{AgeBand: community.Age30s, ShareSpecialty: true, SharePractice: true, Digest: community.DigestImmediate}},
	} {
		mem, err := m.DB.CommunityMember(ctx, a.actor.UserID)
		if err != nil {
			return err
		}
		a.card.Version = mem.Version
		if _, err := m.Community.SaveCard(ctx, a.actor, a.card); err != nil {
			return err
		}
	}

	funding, err := m.Community.Ask(ctx, planner, community.QuestionInput{Anonymous: true,
		Title: "開業資金の借入はいくらくらいが目安でしょうか",
		Body: "来年、皮膚科の無床クリニックを開業する予定です。\n\n" +
			"- 自己資金は1,000万円ほど\n- 内装と機器で4,000万円くらいの見積もり\n\n" +
			"運転資金をどのくらい見ておけばよいのか分かりません。基本的な質問ですみません。",
		Tags: []string{"資金", "開業準備", "皮膚科"}})
	if err != nil {
		return err
	}
	answer, err := m.Community.Answer(ctx, owner, funding.ID, community.ReplyInput{
		Body: "私のときは**運転資金を6か月分**見ておきました。患者数が安定するまで半年ほどかかりました。\n\n" +
			"日本政策金融公庫と地元の信用金庫の両方に相談して、条件を比べるのがおすすめです。"})
	if err != nil {
		return err
	}
	if _, err := m.Community.Comment(ctx, planner, answer.ID, community.ReplyInput{Anonymous: true,
		Body: "ありがとうございます。6か月分で計算し直してみます。"}); err != nil {
		return err
	}
	asked, err := m.Community.Post(ctx, planner, funding.ID) // answers moved its version on
	if err != nil {
		return err
	}
	if err := m.Community.Accept(ctx, planner, funding.ID, answer.ID, asked.Version); err != nil {
		return err
	}

	karte, err := m.Community.Ask(ctx, planner, community.QuestionInput{
		Title: "電子カルテはクラウド型とオンプレミス型のどちらにしましたか",
		Body:  "クラウド型の月額と、オンプレミス型の初期費用で迷っています。使ってみての感想を聞かせてください。",
		Tags:  []string{"電子カルテ", "開業準備"}})
	if err != nil {
		return err
	}
	if _, err := m.Community.Answer(ctx, owner, karte.ID, community.ReplyInput{
		Body: "クラウド型です。院外から予約や検査結果を確認できるのが便利です。回線が止まったときの手順は決めておきましょう。"}); err != nil {
		return err
	}
	_, err = m.Community.Ask(ctx, owner, community.QuestionInput{
		Title: "受付スタッフの採用、求人媒体はどこを使っていますか",
		Body:  "受付の方が一人辞めることになりました。ハローワーク以外で良かった求人媒体があれば教えてください。",
		Tags:  []string{"労務", "首都圏"}})
	return err
}

// demoOwnerProfile is 小林 直樹: a 内科 clinic owner in 神奈川県.
func demoOwnerProfile(userID int64) *profile.Profile {
	return &profile.Profile{UserID: userID, NameKanji: "小林 直樹", NameKana: "コバヤシ ナオキ", GraduationYear: 2004,
		RegistrationNumber: "467801", Workplace: "こばやし内科クリニック", PracticeForm: career.PracticeClinicOwner,
		Prefecture: "神奈川県", City: "横浜市", Specialties: []string{"内科"},
		Events: []career.Event{{Kind: career.EventNationalExamPassed, Date: time.Date(2004, time.March, 20, 0, 0, 0, 0, demoZone)}}}
}

// demoPlannerProfile is 中村 彩: a 皮膚科 specialist planning to open a
// clinic in 大阪府.
func demoPlannerProfile(userID int64) *profile.Profile {
	return &profile.Profile{UserID: userID, NameKanji: "中村 彩", NameKana: "ナカムラ アヤ", GraduationYear: 2012,
		RegistrationNumber: "541236", Workplace: "大阪市内の総合病院", PracticeForm: career.PracticePlanningToOpen,
		Prefecture: "大阪府", City: "大阪市", Specialties: []string{"皮膚科"},
		Events: []career.Event{{Kind: career.EventNationalExamPassed, Date: time.Date(2012, time.March, 19, 0, 0, 0, 0, demoZone)}}}
}
