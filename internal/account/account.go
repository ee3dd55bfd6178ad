// Package account manages accounts and memberships: doctors registering
// themselves, organisation administrators inviting staff, invitations being
// accepted, profiles, and what platform administrators do to accounts.
package account

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/mail"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/auth/password"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Store is what the service needs from the database.
type Store interface {
	CreateOrganisation(ctx context.Context, org *identity.Organisation) error
	Organisation(ctx context.Context, id int64) (*identity.Organisation, error)
	CreateUser(ctx context.Context, u *identity.User, grants []identity.Grant) error
	User(ctx context.Context, id int64) (*identity.User, error)
	UserByEmail(ctx context.Context, email string) (*identity.User, error)
	UpdateProfile(ctx context.Context, userID int64, displayName, locale string) error
	SetPassword(ctx context.Context, userID int64, hash string, mustChange bool) error
	EndUserSessions(ctx context.Context, userID, keepID int64) error
	CreateInvitation(ctx context.Context, inv *identity.Invitation, tokenHash string) error
	InvitationByToken(ctx context.Context, tokenHash string) (*identity.Invitation, error)
	AcceptInvitation(ctx context.Context, tokenHash string, userID int64, newUser *identity.User) (*identity.Invitation, error)
}

// Service is the account service.
type Service struct {
	Store  Store
	Guard  *guard.Guard
	Audit  *audit.Recorder
	Params password.Params
	Now    func() time.Time
}

// NewAccount is the form for a new account.
type NewAccount struct {
	Email       string
	DisplayName string
	Password    string
	Confirm     string
}

// validate normalises the form and checks every field, naming each problem.
func (n *NewAccount) validate() map[string]string {
	n.Email = jatext.NormalizeEmail(n.Email)
	n.DisplayName = jatext.NormalizeLine(n.DisplayName)
	fields := map[string]string{}
	if msg := checkEmail(n.Email); msg != "" {
		fields["email"] = msg
	}
	if n.DisplayName == "" || len([]rune(n.DisplayName)) > 100 {
		fields["display_name"] = "氏名を1〜100文字で入力してください。"
	}
	if err := password.Check(n.Password, n.Email, strings.SplitN(n.Email, "@", 2)[0], n.DisplayName); err != nil {
		fields["password"] = policyMessage(err)
	}
	if n.Password != n.Confirm {
		fields["confirm"] = "確認用のパスワードが一致しません。"
	}
	return fields
}

func checkEmail(email string) string {
	if email == "" {
		return "メールアドレスを入力してください。"
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 || !strings.Contains(email[strings.LastIndex(email, "@"):], ".") {
		return "メールアドレスの形式が正しくありません(例: taro@example.jp)。"
	}
	return ""
}

func policyMessage(err error) string {
	if pe, ok := err.(*password.PolicyError); ok {
		return pe.Message()
	}
	return "パスワードが条件を満たしていません。"
}

var errEmailTaken = apperr.InvalidFields(map[string]string{"email": "このメールアドレスは既に登録されています。ログインしてください。"})

// RegisterDoctor creates a doctor's account; doctors register themselves.
func (s *Service) RegisterDoctor(ctx context.Context, n NewAccount) (*identity.User, error) {
	if fields := n.validate(); len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	hash, err := password.HashWithParams(n.Password, s.Params)
	if err != nil {
		return nil, err
	}
	u := &identity.User{Email: n.Email, DisplayName: n.DisplayName, PasswordHash: hash, Locale: "ja"}
	err = s.Store.CreateUser(ctx, u, []identity.Grant{{Role: identity.RoleDoctor}})
	if apperr.Is(err, apperr.Conflict) {
		return nil, errEmailTaken
	}
	if err != nil {
		return nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.UserRegistered, ActorID: u.ID, SubjectID: u.ID, ObjectKind: "user", ObjectID: u.ID})
	return u, nil
}

// Invite is the form for inviting staff.
type Invite struct {
	Email    string
	Role     identity.Role
	OrgAdmin bool
}

// Invite creates an invitation to the organisation and returns its token,
// which goes into the link sent to the invitee.
func (s *Service) Invite(ctx context.Context, actor policy.Actor, orgID int64, in Invite) (string, *identity.Invitation, error) {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindInvitation, OrgID: orgID}); err != nil {
		return "", nil, err
	}
	org, err := s.Store.Organisation(ctx, orgID)
	if err != nil {
		return "", nil, err
	}
	email := jatext.NormalizeEmail(in.Email)
	fields := map[string]string{}
	if msg := checkEmail(email); msg != "" {
		fields["email"] = msg
	}
	if !in.Role.Valid() || !in.Role.AllowedIn(org.Kind) {
		fields["role"] = fmt.Sprintf("%sに招待できる役割を選んでください。", org.Kind.Label())
	}
	if len(fields) > 0 {
		return "", nil, apperr.InvalidFields(fields)
	}
	token, err := auth.NewToken("")
	if err != nil {
		return "", nil, err
	}
	inv := &identity.Invitation{OrgID: orgID, OrgName: org.Name, Role: in.Role, Email: email, OrgAdmin: in.OrgAdmin, InvitedBy: actor.UserID}
	if err := s.Store.CreateInvitation(ctx, inv, auth.HashToken(token)); err != nil {
		return "", nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.InvitationCreated, ActorID: actor.UserID, ObjectKind: "invitation", ObjectID: inv.ID,
		Detail: fmt.Sprintf("org=%d role=%s email=%s", orgID, in.Role, email)})
	return token, inv, nil
}

var errInvitationGone = apperr.E(apperr.NotFound, "この招待リンクは無効か、使用済みか、期限切れです。招待した方に再発行を依頼してください。")

// Invitation returns the open invitation behind a token.
func (s *Service) Invitation(ctx context.Context, token string) (*identity.Invitation, error) {
	if token == "" || len(token) > 200 {
		return nil, errInvitationGone
	}
	inv, err := s.Store.InvitationByToken(ctx, auth.HashToken(token))
	if apperr.Is(err, apperr.NotFound) {
		return nil, errInvitationGone
	}
	if err != nil {
		return nil, err
	}
	if inv.AcceptedAt != nil || !s.Now().Before(inv.ExpiresAt) {
		return nil, errInvitationGone
	}
	return inv, nil
}

// AcceptAsNew accepts an invitation by creating the invitee's account.
func (s *Service) AcceptAsNew(ctx context.Context, token string, n NewAccount) (*identity.User, error) {
	inv, err := s.Invitation(ctx, token)
	if err != nil {
		return nil, err
	}
	n.Email = inv.Email
	if fields := n.validate(); len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	if _, err := s.Store.UserByEmail(ctx, n.Email); err == nil {
		return nil, apperr.E(apperr.Conflict, "このメールアドレスのアカウントが既にあります。ログインしてから招待を受けてください。")
	}
	hash, err := password.HashWithParams(n.Password, s.Params)
	if err != nil {
		return nil, err
	}
	u := &identity.User{Email: n.Email, DisplayName: n.DisplayName, PasswordHash: hash, Locale: "ja"}
	if _, err := s.Store.AcceptInvitation(ctx, auth.HashToken(token), 0, u); err != nil {
		if apperr.Is(err, apperr.Conflict) || apperr.Is(err, apperr.NotFound) {
			return nil, errInvitationGone
		}
		return nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.InvitationAccepted, ActorID: u.ID, SubjectID: u.ID, ObjectKind: "invitation", ObjectID: inv.ID})
	return u, nil
}

// AcceptAsMember accepts an invitation for a signed-in user, whose e-mail
// must be the invited one.
func (s *Service) AcceptAsMember(ctx context.Context, user *identity.User, token string) (*identity.Invitation, error) {
	inv, err := s.Invitation(ctx, token)
	if err != nil {
		return nil, err
	}
	if inv.Email != user.Email {
		return nil, apperr.E(apperr.Forbidden, "この招待は別のメールアドレス宛てです。招待されたアカウントでログインしてください。")
	}
	if _, err := s.Store.AcceptInvitation(ctx, auth.HashToken(token), user.ID, nil); err != nil {
		if apperr.Is(err, apperr.NotFound) {
			return nil, errInvitationGone
		}
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.E(apperr.Conflict, "この招待は使用済みか、既に同じ役割をお持ちです。")
		}
		return nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.InvitationAccepted, ActorID: user.ID, SubjectID: user.ID, ObjectKind: "invitation", ObjectID: inv.ID})
	return inv, nil
}

// UpdateProfile changes a user's display name and locale.
func (s *Service) UpdateProfile(ctx context.Context, actor policy.Actor, userID int64, displayName, locale string) error {
	if err := s.Guard.Check(ctx, actor, policy.Update, policy.Object{Kind: policy.KindUser, ID: userID, OwnerID: userID}); err != nil {
		return err
	}
	displayName = jatext.NormalizeLine(displayName)
	fields := map[string]string{}
	if displayName == "" || len([]rune(displayName)) > 100 {
		fields["display_name"] = "氏名を1〜100文字で入力してください。"
	}
	if locale != "ja" && locale != "en" {
		fields["locale"] = "表示言語を選んでください。"
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	return s.Store.UpdateProfile(ctx, userID, displayName, locale)
}

// CreateOrganisation adds an organisation (platform administrators only).
func (s *Service) CreateOrganisation(ctx context.Context, actor policy.Actor, org *identity.Organisation) error {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindOrganisation}); err != nil {
		return err
	}
	org.Name = jatext.NormalizeLine(org.Name)
	org.Prefecture = jatext.NormalizeLine(org.Prefecture)
	fields := map[string]string{}
	if org.Name == "" || len([]rune(org.Name)) > 200 {
		fields["name"] = "名称を1〜200文字で入力してください。"
	}
	valid := false
	for _, k := range identity.OrgKinds {
		valid = valid || k == org.Kind
	}
	if !valid {
		fields["kind"] = "種別を選んでください。"
	}
	if len([]rune(org.Prefecture)) > 10 {
		fields["prefecture"] = "都道府県名が長すぎます。"
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	err := s.Store.CreateOrganisation(ctx, org)
	if apperr.Is(err, apperr.Conflict) {
		return apperr.InvalidFields(map[string]string{"name": "同じ名称の組織が既にあります。"})
	}
	if err == nil {
		s.Audit.Try(ctx, audit.Entry{Action: audit.AdminAction, ActorID: actor.UserID, ObjectKind: "organisation", ObjectID: org.ID, Detail: "create organisation"})
	}
	return err
}

// ResetPassword sets a random temporary password that must be changed at
// the next sign-in, ends the user's sessions, and returns the password to
// hand over out of band.
func (s *Service) ResetPassword(ctx context.Context, actor policy.Actor, userID int64) (string, error) {
	if err := s.Guard.Check(ctx, actor, policy.Update, policy.Object{Kind: policy.KindUser, ID: userID, OwnerID: userID}); err != nil {
		return "", err
	}
	if actor.UserID == userID {
		return "", apperr.E(apperr.Invalid, "自分のパスワードは設定画面から変更してください。")
	}
	temp, hash, err := TemporaryPassword(s.Params)
	if err != nil {
		return "", err
	}
	if err := s.Store.SetPassword(ctx, userID, hash, true); err != nil {
		return "", err
	}
	if err := s.Store.EndUserSessions(ctx, userID, 0); err != nil {
		return "", err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.AdminAction, ActorID: actor.UserID, SubjectID: userID, ObjectKind: "user", ObjectID: userID,
		Detail: "reset password"})
	return temp, nil
}

// EndSessions ends every session of a user (platform administrators, or
// the user themself).
func (s *Service) EndSessions(ctx context.Context, actor policy.Actor, userID int64) error {
	if err := s.Guard.Check(ctx, actor, policy.Delete, policy.Object{Kind: policy.KindSession, OwnerID: userID}); err != nil {
		return err
	}
	if err := s.Store.EndUserSessions(ctx, userID, 0); err != nil {
		return err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.SessionEnded, ActorID: actor.UserID, SubjectID: userID, Detail: "all sessions"})
	return nil
}

// TemporaryPassword returns a random 16-character password from an
// unambiguous alphabet, and its hash, for an account whose password an
// administrator sets; it must be changed at the next sign-in.
func TemporaryPassword(p password.Params) (plain, hash string, err error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	for i := range b {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			return "", "", err
		}
		b[i] = alphabet[n.Int64()]
	}
	plain = string(b)
	hash, err = password.HashWithParams(plain, p)
	return plain, hash, err
}
