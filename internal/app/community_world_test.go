package app_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/profile"
)

// communityWorld is the shared setting of the board's tests (pages and
// API): a platform organisation with an administrator (who verifies
// 医籍登録番号) and a moderator, both with TOTP; verified doctors of both
// allowed groups; an unverified doctor; an employed (勤務医) doctor; and a
// company with a contact account. Nobody is a member yet: join makes one.
type communityWorld struct {
	env      *apptest.Env
	platform int64

	admin *communityUser // 管理 聡: verifies registrations
	mod   *communityUser // 伊藤 由紀: the board's moderator

	// Verified doctors of the allowed groups.
	owner    *communityUser // 開業 一郎, 開業医, 東京都, 内科
	planner  *communityUser // 予定 花子, 開業予定, 大阪府, 小児科
	owner2   *communityUser // 開業 三郎, 開業医, 福岡県, 皮膚科
	owner3   *communityUser // 開業 四郎, 開業医, 北海道, 眼科
	planner2 *communityUser // 予定 五郎, 開業予定, 愛知県, 整形外科

	unverified *communityUser // 未確認 六郎, 開業医 with a registration number nobody checked
	employed   *communityUser // 勤務 七子, 勤務医, verified

	company *community.Company // 白衣メディカル株式会社, referral code "HAKUI-MED"
	contact *communityUser     // 企業 担当: the company's contact, no role
}

// communityUser is one account of the world, signed in on its own client.
type communityUser struct {
	user   *identity.User
	secret string // TOTP secret of staff; "" for doctors and contacts
	c      *apptest.Client
}

// ID returns the user's ID.
func (u *communityUser) ID() int64 { return u.user.ID }

// Name returns the user's display name.
func (u *communityUser) Name() string { return u.user.DisplayName }

// communityCompanyCode is the world's company referral code.
const communityCompanyCode = "HAKUI-MED"

// newCommunityWorld builds the world on env (use it inside forEngines).
// Needs the community service (Standing is not used; CreateCompany and
// AddContact are).
func newCommunityWorld(t *testing.T, env *apptest.Env) *communityWorld {
	t.Helper()
	w := &communityWorld{env: env}
	w.platform = env.Org(identity.OrgPlatform, "Hakui 運営事務局")
	w.admin = w.staff(t, "admin@hakui.example.jp", "管理 聡", identity.Grant{Role: identity.RoleAdmin, OrgID: w.platform, OrgAdmin: true})
	w.mod = w.staff(t, "moderator@hakui.example.jp", "伊藤 由紀", identity.Grant{Role: identity.RoleModerator, OrgID: w.platform})

	w.owner = w.doctor(t, "owner@example.jp", "開業 一郎", career.PracticeClinicOwner, "東京都", "内科", true)
	w.planner = w.doctor(t, "planner@example.jp", "予定 花子", career.PracticePlanningToOpen, "大阪府", "小児科", true)
	w.owner2 = w.doctor(t, "owner2@example.jp", "開業 三郎", career.PracticeClinicOwner, "福岡県", "皮膚科", true)
	w.owner3 = w.doctor(t, "owner3@example.jp", "開業 四郎", career.PracticeClinicOwner, "北海道", "眼科", true)
	w.planner2 = w.doctor(t, "planner2@example.jp", "予定 五郎", career.PracticePlanningToOpen, "愛知県", "整形外科", true)
	w.unverified = w.doctor(t, "unverified@example.jp", "未確認 六郎", career.PracticeClinicOwner, "京都府", "外科", false)
	w.employed = w.doctor(t, "employed@example.jp", "勤務 七子", career.PracticeEmployed, "東京都", "内科", true)

	ctx := context.Background()
	co, err := env.Main.Community.CreateCompany(ctx, w.actor(t, w.mod),
		community.CompanyInput{Name: "白衣メディカル株式会社", ReferralCode: communityCompanyCode, Note: "開業支援"})
	if err != nil {
		t.Fatalf("CreateCompany: %v", err)
	}
	w.company = co
	// An existing account with no role is linked as the contact, so it
	// signs in with the harness password.
	cu := env.User("contact@hakui-medical.example.jp", "企業 担当")
	if _, err := env.Main.Community.AddContact(ctx, w.actor(t, w.mod), co.ID,
		community.ContactInput{Email: cu.Email, Name: cu.DisplayName}); err != nil {
		t.Fatalf("AddContact: %v", err)
	}
	w.contact = &communityUser{user: cu, c: env.Client()}
	w.contact.c.Login(cu.Email, "")
	return w
}

// staff creates a platform staff member with TOTP, signed in.
func (w *communityWorld) staff(t *testing.T, email, name string, g identity.Grant) *communityUser {
	t.Helper()
	u := w.env.User(email, name, g)
	cu := &communityUser{user: u, secret: w.env.EnableTOTP(u), c: w.env.Client()}
	cu.c.Login(email, cu.secret)
	return cu
}

// doctor creates a doctor with a profile (registration number and
// practice form) and, if verified, has the administrator verify the
// registration through the admin page.
func (w *communityWorld) doctor(t *testing.T, email, name string, form career.PracticeForm, pref, specialty string, verified bool) *communityUser {
	t.Helper()
	u := w.env.User(email, name, identity.Grant{Role: identity.RoleDoctor})
	p := &profile.Profile{UserID: u.ID, NameKanji: name, RegistrationNumber: "4" + itoa(100000 + u.ID)[1:], PracticeForm: form,
		Prefecture: pref, Specialties: []string{specialty}}
	if err := w.env.Main.DB.SaveProfile(context.Background(), p); err != nil {
		t.Fatalf("SaveProfile %s: %v", email, err)
	}
	if verified {
		w.verify(t, u.ID)
	}
	cu := &communityUser{user: u, c: w.env.Client()}
	cu.c.Login(email, "")
	return cu
}

// verify marks the doctor's registration number as checked, as an
// administrator does on /admin/career.
func (w *communityWorld) verify(t *testing.T, userID int64) {
	t.Helper()
	r := w.admin.c.Post("/admin/doctors/"+itoa(userID)+"/verify-registration", nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("verify registration of %d: status %d: %s", userID, r.Status, r.Body)
	}
}

// actor returns the user as the services see them.
func (w *communityWorld) actor(t *testing.T, u *communityUser) policy.Actor {
	t.Helper()
	return actorOf(t, w.env, u.user)
}

// join makes the doctors active members at once, through the service:
// each applies and the moderator approves.
func (w *communityWorld) join(t *testing.T, doctors ...*communityUser) {
	t.Helper()
	ctx := context.Background()
	for _, d := range doctors {
		m, err := w.env.Main.Community.Apply(ctx, w.actor(t, d), community.Application{Note: "よろしくお願いします。"})
		if err != nil {
			t.Fatalf("Apply %s: %v", d.Name(), err)
		}
		if err := w.env.Main.Community.DecideApplication(ctx, w.actor(t, w.mod), d.ID(), m.Version, true, ""); err != nil {
			t.Fatalf("approve %s: %v", d.Name(), err)
		}
	}
}

// anonymous returns a client that is not signed in.
func (w *communityWorld) anonymous() *apptest.Client { return w.env.Client() }

// tags creates the topic tags 集患 (synonym 集客) and 労務 through the
// service.
func (w *communityWorld) tags(t *testing.T) {
	t.Helper()
	for _, in := range []community.TagInput{
		{Name: "集患", Category: community.TagTopic, Synonyms: []string{"集客"}},
		{Name: "労務", Category: community.TagTopic},
	} {
		if _, err := w.env.Main.Community.SaveTag(context.Background(), w.actor(t, w.mod), in); err != nil {
			t.Fatalf("SaveTag %s: %v", in.Name, err)
		}
	}
}
