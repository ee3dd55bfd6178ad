package app

import (
	"context"
	"fmt"
	"io"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/auth/password"
	"github.com/hakui-dev/hakui/internal/identity"
)

// DemoPassword is the password of every demo account. Demo mode is for
// trying Hakui on one's own machine; never run it with real data.
const DemoPassword = "hakui-demo-2026"

// DemoLogin is one demo account.
type DemoLogin struct {
	Role  identity.Role // "" for a company contact, who holds no role
	Email string
	Name  string
	Org   string
	// Company is the company a contact account speaks for (the board's
	// referral codes).
	Company string
}

type demoOrg struct {
	kind             identity.OrgKind
	name, prefecture string
}

var demoOrgs = []demoOrg{
	{identity.OrgPlatform, "Hakui 運営事務局", ""},
	{identity.OrgAgency, "さくらメディカルキャリア株式会社", "東京都"},
	{identity.OrgInstitution, "みなと内科クリニック", "東京都"},
	{identity.OrgInstitution, "あおば皮膚科クリニック", "神奈川県"},
	{identity.OrgInstitution, "県立北部医療センター", "岡山県"},
	{identity.OrgUniversity, "岡山中央大学 地域医療人材育成センター", "岡山県"},
	{identity.OrgPrefecture, "岡山県 保健医療部 医療推進課", "岡山県"},
}

// DemoLogins are the demo accounts, one per role.
var DemoLogins = []DemoLogin{
	{identity.RoleDoctor, "doctor@demo.hakui.jp", "山田 太郎", "", ""},
	{identity.RoleDoctor, "chiiki@demo.hakui.jp", "岡山 葵", "", ""},
	{identity.RoleDoctor, demoOwnerEmail, "小林 直樹", "", ""},
	{identity.RoleDoctor, demoPlannerEmail, "中村 彩", "", ""},
	{identity.RoleInstitutionStaff, "clinic@demo.hakui.jp", "佐藤 花子", "みなと内科クリニック", ""},
	{identity.RoleAgent, "agent@demo.hakui.jp", "鈴木 一郎", "さくらメディカルキャリア株式会社", ""},
	{identity.RoleCoordinator, "cc@demo.hakui.jp", "高橋 美咲", "岡山中央大学 地域医療人材育成センター", ""},
	{identity.RolePrefectureOfficer, "pref@demo.hakui.jp", "田中 健", "岡山県 保健医療部 医療推進課", ""},
	{identity.RoleModerator, "moderator@demo.hakui.jp", "伊藤 由紀", "Hakui 運営事務局", ""},
	{identity.RoleAdmin, "admin@demo.hakui.jp", "渡辺 聡", "Hakui 運営事務局", ""},
	{"", demoCompanyEmail, "松本 亮", "", demoCompanyName},
}

// SeedDemo loads the demo organisations and accounts. It is idempotent:
// what already exists is left alone.
func (m *Main) SeedDemo(ctx context.Context) error {
	orgIDs := map[string]int64{}
	existing, err := m.DB.Organisations(ctx)
	if err != nil {
		return err
	}
	for _, o := range existing {
		orgIDs[o.Name] = o.ID
	}
	for _, d := range demoOrgs {
		if _, ok := orgIDs[d.name]; ok {
			continue
		}
		org := &identity.Organisation{Kind: d.kind, Name: d.name, Prefecture: d.prefecture}
		if err := m.DB.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		orgIDs[d.name] = org.ID
	}
	var hash string // made once, and only if an account is missing
	users := map[string]int64{}
	for _, l := range DemoLogins {
		if u, err := m.DB.UserByEmail(ctx, l.Email); err == nil {
			users[l.Email] = u.ID
			continue
		} else if !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if hash == "" {
			var err error
			if hash, err = password.HashWithParams(DemoPassword, m.Config.PasswordParams); err != nil {
				return err
			}
		}
		var grants []identity.Grant
		if l.Role != "" {
			g := identity.Grant{Role: l.Role}
			if l.Org != "" {
				g.OrgID, g.OrgAdmin = orgIDs[l.Org], true
			}
			grants = append(grants, g)
		}
		u := &identity.User{Email: l.Email, DisplayName: l.Name, PasswordHash: hash, Locale: "ja", Demo: true}
		if err := m.DB.CreateUser(ctx, u, grants); err != nil {
			return err
		}
		users[l.Email] = u.ID
	}
	if err := m.seedDemoOpenings(ctx, orgIDs, users); err != nil {
		return err
	}
	if err := m.seedDemoPlacement(ctx, orgIDs, users); err != nil {
		return err
	}
	if err := m.seedDemoRegional(ctx, orgIDs, users); err != nil {
		return err
	}
	if err := m.seedDemoCommunity(ctx, orgIDs, users); err != nil {
		return err
	}
	return m.seedDemoEvents(ctx, orgIDs, users)
}

// PrintDemoLogins writes the demo accounts for the terminal.
func PrintDemoLogins(w io.Writer, url string) {
	fmt.Fprintf(w, "\nHakui (白衣) デモ: %s\n\nデモ用ログイン (パスワードはすべて %s):\n", url, DemoPassword)
	for _, l := range DemoLogins {
		role, org := l.Role.Label(), ""
		if l.Org != "" {
			org = " / " + l.Org
		}
		if l.Company != "" {
			role, org = "企業担当者(掲示板の紹介実績)", " / "+l.Company
		}
		fmt.Fprintf(w, "  %-26s %s (%s%s)\n", l.Email, role, l.Name, org)
	}
	fmt.Fprintln(w, "\nデモのスタッフアカウントは二段階認証を省略できます(デモモードのみ)。")
}
