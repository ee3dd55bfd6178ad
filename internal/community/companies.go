package community

import (
	"context"
	"crypto/rand"
	"math/big"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/account"
	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/policy"
)

// codeAlphabet leaves out the letters and digits people mistake for one
// another (I, O, 0, 1).
const codeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

var codePattern = regexp.MustCompile(`^[A-Z0-9-]{6,32}$`)

// newReferralCode draws an 8-character code.
func newReferralCode() (string, error) {
	b := make([]byte, 8)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			return "", err
		}
		b[i] = codeAlphabet[n.Int64()]
	}
	return string(b), nil
}

// CreateCompany creates a company with its referral code (moderators).
// Conflict when the name or code is taken.
func (s *Service) CreateCompany(ctx context.Context, actor policy.Actor, in CompanyInput) (*Company, error) {
	v, err := s.access(ctx, actor, OpModerate, objCompany, 0)
	if err != nil {
		return nil, err
	}
	c := &Company{Name: jatext.NormalizeLine(in.Name), Note: prose(in.Note),
		ReferralCode: strings.ToUpper(jatext.NormalizeLine(in.ReferralCode)), CreatedBy: v.UserID, CreatedAt: v.Now}
	fields := map[string]string{}
	if n := utf8.RuneCountInString(c.Name); n < 1 || n > 200 {
		fields["name"] = "会社名を200文字以内で入力してください。"
	}
	if utf8.RuneCountInString(c.Note) > 2000 {
		fields["note"] = "2000文字以内で入力してください。"
	}
	if c.ReferralCode != "" && !codePattern.MatchString(c.ReferralCode) {
		fields["referral_code"] = "紹介コードは英大文字・数字・ハイフンで6〜32文字にしてください。"
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	if c.ReferralCode == "" {
		if c.ReferralCode, err = newReferralCode(); err != nil {
			return nil, err
		}
	}
	if err := s.Store.CreateCommunityCompany(ctx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Companies returns every company with its counts (moderators).
func (s *Service) Companies(ctx context.Context, actor policy.Actor) ([]Referrals, error) {
	if _, err := s.access(ctx, actor, OpModerate, objCompany, 0); err != nil {
		return nil, err
	}
	list, err := s.Store.CommunityCompanies(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]Referrals, 0, len(list))
	for _, c := range list {
		r, err := s.Store.CommunityReferrals(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		r.Company = c
		out = append(out, *r)
	}
	return out, nil
}

// SetCompanyDisabled stops or restarts a company's code (moderators).
func (s *Service) SetCompanyDisabled(ctx context.Context, actor policy.Actor, id int64, disabled bool) error {
	v, err := s.access(ctx, actor, OpModerate, objCompany, id)
	if err != nil {
		return err
	}
	var at *time.Time
	if disabled {
		at = &v.Now
	}
	return s.Store.SetCommunityCompanyDisabled(ctx, id, at)
}

// AddContact gives a company a contact account (moderators). A new user
// is created with a temporary password, returned once (and "" when an
// existing user without grants or membership was linked). Invalid when the
// user holds a role or a membership: a contact sees counts and nothing of
// the board.
func (s *Service) AddContact(ctx context.Context, actor policy.Actor, companyID int64, in ContactInput) (string, error) {
	v, err := s.access(ctx, actor, OpModerate, objCompany, companyID)
	if err != nil {
		return "", err
	}
	if _, err := s.Store.CommunityCompany(ctx, companyID); err != nil {
		return "", err
	}
	email, name := jatext.NormalizeEmail(in.Email), jatext.NormalizeLine(in.Name)
	if len(email) > 254 || !strings.Contains(email, "@") {
		return "", apperr.InvalidFields(map[string]string{"email": "メールアドレスの形式が正しくありません。"})
	}
	u, err := s.Store.UserByEmail(ctx, email)
	switch {
	case err == nil:
		grants, err := s.Store.Grants(ctx, u.ID)
		if err != nil {
			return "", err
		}
		_, merr := s.Store.CommunityMember(ctx, u.ID)
		if merr != nil && !apperr.Is(merr, apperr.NotFound) {
			return "", merr
		}
		if len(grants) > 0 || merr == nil {
			return "", apperr.InvalidFields(map[string]string{"email": "このアカウントは役割か掲示板の参加資格を持っているため、企業担当者にできません。"})
		}
		if err := s.Store.AddCommunityCompanyContact(ctx, companyID, u.ID, v.Now); err != nil {
			if apperr.Is(err, apperr.Conflict) {
				return "", apperr.InvalidFields(map[string]string{"email": "このアカウントはすでに企業担当者です。"})
			}
			return "", err
		}
		return "", nil
	case !apperr.Is(err, apperr.NotFound):
		return "", err
	}
	if n := utf8.RuneCountInString(name); n < 1 || n > 100 {
		return "", apperr.InvalidFields(map[string]string{"name": "担当者の名前を100文字以内で入力してください。"})
	}
	plain, hash, err := account.TemporaryPassword(s.Password)
	if err != nil {
		return "", err
	}
	u = &identity.User{Email: email, DisplayName: name, PasswordHash: hash, MustChangePassword: true, Locale: "ja"}
	if err := s.Store.CreateUser(ctx, u, nil); err != nil {
		return "", err
	}
	if err := s.Store.AddCommunityCompanyContact(ctx, companyID, u.ID, v.Now); err != nil {
		return "", err
	}
	return plain, nil
}

// MyReferrals returns the counts of the actor's company. NotFound for
// anyone who is not a company contact.
func (s *Service) MyReferrals(ctx context.Context, actor policy.Actor) (*Referrals, error) {
	v, err := s.access(ctx, actor, OpReferrals, objCompany, 0)
	if err != nil {
		return nil, err
	}
	c, err := s.Store.CommunityCompanyOf(ctx, v.UserID)
	if err != nil {
		return nil, err
	}
	r, err := s.Store.CommunityReferrals(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	r.Company, r.Contacts = *c, 0 // the contact count is for moderators
	r.Company.Note = ""           // and so is their note about the company
	return r, nil
}
