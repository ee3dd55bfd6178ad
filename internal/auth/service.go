// Package auth signs users in and keeps them signed in: passwords, the
// second factor (TOTP or a recovery code), server-side sessions with idle
// and absolute timeouts, login rate limits that cannot lock out the real
// owner, and personal API tokens.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth/password"
	"github.com/hakui-dev/hakui/internal/auth/totp"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/reqinfo"
	"github.com/hakui-dev/hakui/internal/vault"
)

// Store is what the service needs from the database. Methods return
// apperr codes not_found and conflict through the store's sentinels.
type Store interface {
	User(ctx context.Context, id int64) (*identity.User, error)
	UserByEmail(ctx context.Context, email string) (*identity.User, error)
	Grants(ctx context.Context, userID int64) ([]identity.Grant, error)
	SetPassword(ctx context.Context, userID int64, hash string, mustChange bool) error

	CreateSession(ctx context.Context, s *Session, tokenHash string) error
	SessionByToken(ctx context.Context, tokenHash string) (*Session, error)
	Session(ctx context.Context, id int64) (*Session, error)
	TouchSession(ctx context.Context, id int64, at time.Time) error
	EndSession(ctx context.Context, id int64) error
	EndUserSessions(ctx context.Context, userID, keepID int64) error
	UserSessions(ctx context.Context, userID int64, now time.Time) ([]Session, error)

	RecordLoginFailure(ctx context.Context, keys []string, at time.Time, keep time.Duration) error
	LoginFailures(ctx context.Context, key string, since time.Time) (int, error)
	ClearLoginFailures(ctx context.Context, key string) error
	TrustDevice(ctx context.Context, userID int64, tokenHash string) error
	DeviceTrusted(ctx context.Context, userID int64, tokenHash string) (bool, error)

	SetTOTP(ctx context.Context, userID int64, sealedSecret string, enabled bool, recoveryHashes []string) error
	AdvanceTOTPStep(ctx context.Context, userID, step int64) (bool, error)
	UseRecoveryCode(ctx context.Context, userID int64, codeHash string) (bool, error)
	RecoveryCodesLeft(ctx context.Context, userID int64) (int, error)

	CreateAPIToken(ctx context.Context, t *APIToken, tokenHash string) error
	APITokenByHash(ctx context.Context, tokenHash string) (*APIToken, error)
	APIToken(ctx context.Context, id int64) (*APIToken, error)
	UserAPITokens(ctx context.Context, userID int64) ([]APIToken, error)
	TouchAPIToken(ctx context.Context, id int64, at time.Time) error
	RevokeAPIToken(ctx context.Context, id int64) error
}

// Limits on failed sign-ins within FailureWindow. The per-account limit
// applies only to devices that never signed in to the account, so an
// attacker hammering an account cannot lock its owner out (OWASP's device
// cookies); a trusted device has its own limit.
const (
	FailureWindow     = 15 * time.Minute
	MaxFailuresPerIP  = 50
	MaxFailuresPerAcc = 10
	MaxFailuresPerDev = 10
	MaxTOTPFailures   = 5
	maxPasswordBytes  = 1024
	maxEmailLength    = 254
)

// Service is the sign-in service.
type Service struct {
	Store  Store
	Audit  *audit.Recorder
	Keys   *vault.Keyring
	Now    func() time.Time
	Params password.Params
	// Demo lets the demo staff accounts skip the mandatory second factor.
	Demo bool
}

// Next is what a user must do after a step of signing in.
type Next string

// Steps after a successful password.
const (
	NextNone           Next = ""                // signed in
	NextTOTP           Next = "totp"            // enter the TOTP or a recovery code
	NextEnrolTOTP      Next = "enrol_totp"      // staff must set up two-factor authentication
	NextChangePassword Next = "change_password" // the password was set by someone else
)

// Credentials is a sign-in attempt.
type Credentials struct {
	Email       string
	Password    string
	DeviceToken string // the device cookie, if any
}

// Result is a session just begun.
type Result struct {
	Token   string // the session cookie value
	Session *Session
	User    *identity.User
	Next    Next
	// DeviceToken, when set, is a new device cookie to store.
	DeviceToken string
}

var errBadCredentials = apperr.E(apperr.Unauthorized, "メールアドレスまたはパスワードが正しくありません。")

// dummyHash is verified when no user has the e-mail, so that the response
// time does not tell whether an account exists.
// It is made on first use: every hakui command would otherwise pay for an
// Argon2id hash at start-up.
var dummyHash = sync.OnceValue(func() string {
	h, _ := password.HashWithParams("hakui-dummy-password", password.DefaultParams)
	return h
})

// Login checks a password and begins a session, at the TOTP stage when the
// user has a second factor.
func (s *Service) Login(ctx context.Context, c Credentials) (*Result, error) {
	email := jatext.NormalizeEmail(c.Email)
	fields := map[string]string{}
	switch {
	case email == "":
		fields["email"] = "メールアドレスを入力してください。"
	case len(email) > maxEmailLength || !strings.Contains(email, "@"):
		fields["email"] = "メールアドレスの形式が正しくありません。"
	}
	switch {
	case c.Password == "":
		fields["password"] = "パスワードを入力してください。"
	case len(c.Password) > maxPasswordBytes:
		fields["password"] = "パスワードが長すぎます。"
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	now := s.Now()
	since := now.Add(-FailureWindow)
	ip := reqinfo.From(ctx).IP
	ipKey := "ip:" + ip
	if n, err := s.Store.LoginFailures(ctx, ipKey, since); err != nil {
		return nil, err
	} else if n >= MaxFailuresPerIP {
		s.Audit.Try(ctx, audit.Entry{Action: audit.LoginRateLimited, Detail: "ip"})
		return nil, apperr.E(apperr.RateLimited, "ログインの試行が多すぎます。しばらくしてから再度お試しください。")
	}

	user, err := s.Store.UserByEmail(ctx, email)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	var userID int64
	if user != nil {
		userID = user.ID
	}
	accKey := "acc:" + email
	limitKey, limit := accKey, MaxFailuresPerAcc
	if user != nil && c.DeviceToken != "" {
		trusted, err := s.Store.DeviceTrusted(ctx, user.ID, HashToken(c.DeviceToken))
		if err != nil {
			return nil, err
		}
		if trusted {
			limitKey, limit = "dev:"+HashToken(c.DeviceToken), MaxFailuresPerDev
		}
	}
	if n, err := s.Store.LoginFailures(ctx, limitKey, since); err != nil {
		return nil, err
	} else if n >= limit {
		s.Audit.Try(ctx, audit.Entry{Action: audit.LoginRateLimited, SubjectID: userID, Detail: strings.SplitN(limitKey, ":", 2)[0]})
		return nil, apperr.E(apperr.RateLimited, "このアカウントへのログイン試行が多すぎるため、この端末からは一時的にログインできません。%d分ほどしてから再度お試しください。", int(FailureWindow.Minutes()))
	}

	hash := dummyHash()
	if user != nil {
		hash = user.PasswordHash
	}
	ok, needsRehash, verr := password.Verify(c.Password, hash)
	if verr != nil || !ok || user == nil || user.DisabledAt != nil {
		if err := s.Store.RecordLoginFailure(ctx, []string{ipKey, limitKey}, now, FailureWindow); err != nil {
			return nil, err
		}
		s.Audit.Try(ctx, audit.Entry{Action: audit.LoginFailure, SubjectID: userID, Detail: "password"})
		return nil, errBadCredentials
	}
	if needsRehash && s.Params == password.DefaultParams {
		if h, err := password.HashWithParams(c.Password, s.Params); err == nil {
			_ = s.Store.SetPassword(ctx, user.ID, h, user.MustChangePassword)
		}
	}
	if err := s.Store.ClearLoginFailures(ctx, limitKey); err != nil {
		return nil, err
	}
	stage := StageFull
	if user.TOTPEnabled {
		stage = StageTOTP
	}
	res, err := s.begin(ctx, user, stage)
	if err != nil {
		return nil, err
	}
	if stage == StageTOTP {
		res.Next = NextTOTP
		return res, nil
	}
	return s.finish(ctx, res, c.DeviceToken)
}

// SecondFactor completes a sign-in at the TOTP stage with a TOTP code or a
// recovery code. It ends the pending session and begins a new one, so the
// session ID changes with the privilege.
func (s *Service) SecondFactor(ctx context.Context, token, code, deviceToken string) (*Result, error) {
	sess, err := s.session(ctx, token)
	if err != nil {
		return nil, err
	}
	if sess.Stage != StageTOTP {
		return nil, apperr.E(apperr.Invalid, "このセッションは二段階認証を待っていません。")
	}
	user, err := s.Store.User(ctx, sess.UserID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	key := "totp:" + strconv.FormatInt(user.ID, 10)
	if n, err := s.Store.LoginFailures(ctx, key, now.Add(-FailureWindow)); err != nil {
		return nil, err
	} else if n >= MaxTOTPFailures {
		s.Audit.Try(ctx, audit.Entry{Action: audit.LoginRateLimited, SubjectID: user.ID, Detail: "totp"})
		_ = s.Store.EndSession(ctx, sess.ID)
		return nil, apperr.E(apperr.RateLimited, "確認コードの誤りが続いたため、しばらくしてから最初からログインし直してください。")
	}
	if err := s.checkSecondFactor(ctx, user, code); err != nil {
		if apperr.Is(err, apperr.Unauthorized) {
			_ = s.Store.RecordLoginFailure(ctx, []string{key}, now, FailureWindow)
			s.Audit.Try(ctx, audit.Entry{Action: audit.LoginTOTPFailure, SubjectID: user.ID})
		}
		return nil, err
	}
	if err := s.Store.EndSession(ctx, sess.ID); err != nil {
		return nil, err
	}
	res, err := s.begin(ctx, user, StageFull)
	if err != nil {
		return nil, err
	}
	return s.finish(ctx, res, deviceToken)
}

// checkSecondFactor accepts a current TOTP code once, or an unused
// recovery code.
func (s *Service) checkSecondFactor(ctx context.Context, user *identity.User, code string) error {
	code = strings.TrimSpace(code)
	if code == "" {
		return apperr.InvalidFields(map[string]string{"code": "確認コードを入力してください。"})
	}
	if len(code) > 64 {
		return apperr.InvalidFields(map[string]string{"code": "確認コードが長すぎます。"})
	}
	secret, err := s.totpSecret(user)
	if err != nil {
		return err
	}
	step, verr := totp.Validate(secret, code, s.Now(), user.TOTPLastStep)
	switch {
	case verr == nil:
		advanced, err := s.Store.AdvanceTOTPStep(ctx, user.ID, step)
		if err != nil {
			return err
		}
		if !advanced {
			return apperr.E(apperr.Unauthorized, "この確認コードは既に使われています。次のコードをお待ちください。")
		}
		return nil
	case errors.Is(verr, totp.ErrReplay):
		return apperr.E(apperr.Unauthorized, "この確認コードは既に使われています。次のコードをお待ちください。")
	}
	used, err := s.Store.UseRecoveryCode(ctx, user.ID, totp.HashRecoveryCode(code))
	if err != nil {
		return err
	}
	if used {
		s.Audit.Try(ctx, audit.Entry{Action: audit.RecoveryCodeUsed, ActorID: user.ID, SubjectID: user.ID})
		return nil
	}
	return apperr.E(apperr.Unauthorized, "確認コードが正しくありません。")
}

func (s *Service) totpSecret(user *identity.User) (string, error) {
	if user.TOTPSecret == "" {
		return "", apperr.E(apperr.Invalid, "二段階認証が設定されていません。")
	}
	plain, err := s.Keys.Open(user.TOTPSecret, TOTPContext(user.ID))
	if err != nil {
		return "", apperr.Wrap(err, "二段階認証の鍵を読み出せません。")
	}
	return string(plain), nil
}

// TOTPContext binds a sealed TOTP secret to its user row.
func TOTPContext(userID int64) string { return "users.totp_secret:" + strconv.FormatInt(userID, 10) }

// begin creates a session for the user at the stage.
func (s *Service) begin(ctx context.Context, user *identity.User, stage Stage) (*Result, error) {
	token, err := newToken("")
	if err != nil {
		return nil, err
	}
	now := s.Now()
	info := reqinfo.From(ctx)
	sess := &Session{UserID: user.ID, Stage: stage, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(AbsoluteTimeout),
		IP: info.IP, UserAgent: truncate(info.UserAgent, 300)}
	if stage == StageTOTP {
		// A pending second factor must be completed quickly.
		sess.ExpiresAt = now.Add(10 * time.Minute)
	}
	if err := s.Store.CreateSession(ctx, sess, HashToken(token)); err != nil {
		return nil, err
	}
	return &Result{Token: token, Session: sess, User: user}, nil
}

// finish records a completed sign-in, trusts the device and says what the
// user must do before anything else.
func (s *Service) finish(ctx context.Context, res *Result, deviceToken string) (*Result, error) {
	user := res.User
	s.Audit.Try(ctx, audit.Entry{Action: audit.LoginSuccess, ActorID: user.ID, SubjectID: user.ID, ObjectKind: "session", ObjectID: res.Session.ID})
	trusted := false
	if deviceToken != "" {
		var err error
		if trusted, err = s.Store.DeviceTrusted(ctx, user.ID, HashToken(deviceToken)); err != nil {
			return nil, err
		}
	}
	if !trusted {
		tok, err := newToken("")
		if err != nil {
			return nil, err
		}
		if err := s.Store.TrustDevice(ctx, user.ID, HashToken(tok)); err != nil {
			return nil, err
		}
		res.DeviceToken = tok
	}
	grants, err := s.Store.Grants(ctx, user.ID)
	if err != nil {
		return nil, err
	}
	res.Next = Requirement(user, grants, s.Demo)
	return res, nil
}

// Requirement says what a fully signed-in user must do before using
// Hakui: change a password someone else set, or (staff) enrol a second
// factor. Demo staff may skip the second factor only in demo mode.
func Requirement(user *identity.User, grants []identity.Grant, demo bool) Next {
	switch {
	case user.MustChangePassword:
		return NextChangePassword
	case !user.TOTPEnabled && identity.NeedsTOTP(grants) && !(demo && user.Demo):
		return NextEnrolTOTP
	}
	return NextNone
}

// Authenticate returns the live session for a cookie value and its user.
// It records activity at most once a minute.
func (s *Service) Authenticate(ctx context.Context, token string) (*Session, *identity.User, error) {
	sess, err := s.session(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	user, err := s.Store.User(ctx, sess.UserID)
	if err != nil {
		return nil, nil, err
	}
	if user.DisabledAt != nil {
		return nil, nil, apperr.E(apperr.Unauthorized, "このアカウントは無効です。")
	}
	now := s.Now()
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.Store.TouchSession(ctx, sess.ID, now); err != nil {
			return nil, nil, err
		}
		sess.LastSeenAt = now
	}
	return sess, user, nil
}

// Session errors, returned as these values so callers can tell them apart
// from a wrong code.
var (
	ErrNoSession      = apperr.E(apperr.Unauthorized, "ログインしてください。")
	ErrSessionExpired = apperr.E(apperr.Unauthorized, "セッションの有効期限が切れました。もう一度ログインしてください。")
)

func (s *Service) session(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 200 {
		return nil, ErrNoSession
	}
	sess, err := s.Store.SessionByToken(ctx, HashToken(token))
	if apperr.Is(err, apperr.NotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	if !sess.Live(s.Now()) {
		return nil, ErrSessionExpired
	}
	return sess, nil
}

// Logout ends the session behind the cookie value.
func (s *Service) Logout(ctx context.Context, token string) error {
	sess, err := s.session(ctx, token)
	if err != nil {
		return nil // already gone
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.Logout, ActorID: sess.UserID, SubjectID: sess.UserID, ObjectKind: "session", ObjectID: sess.ID})
	return s.Store.EndSession(ctx, sess.ID)
}

// Renew replaces a session with a new one for the same user, as after a
// change of privilege, and returns the new cookie value.
func (s *Service) Renew(ctx context.Context, sess *Session) (string, *Session, error) {
	user, err := s.Store.User(ctx, sess.UserID)
	if err != nil {
		return "", nil, err
	}
	if err := s.Store.EndSession(ctx, sess.ID); err != nil {
		return "", nil, err
	}
	res, err := s.begin(ctx, user, StageFull)
	if err != nil {
		return "", nil, err
	}
	return res.Token, res.Session, nil
}

// ChangePassword sets a new password after checking the current one (if
// required) and the policy, ends the user's other sessions and renews this
// one.
func (s *Service) ChangePassword(ctx context.Context, sess *Session, current, next, confirm string, checkCurrent bool) (string, *Session, error) {
	user, err := s.Store.User(ctx, sess.UserID)
	if err != nil {
		return "", nil, err
	}
	fields := map[string]string{}
	if checkCurrent {
		if ok, _, _ := password.Verify(current, user.PasswordHash); !ok || len(current) > maxPasswordBytes {
			fields["current"] = "現在のパスワードが正しくありません。"
		}
	}
	if err := password.Check(next, user.Email, strings.SplitN(user.Email, "@", 2)[0], user.DisplayName); err != nil {
		fields["password"] = policyMessage(err)
	} else if ok, _, _ := password.Verify(next, user.PasswordHash); ok {
		fields["password"] = "現在と同じパスワードは使用できません。"
	}
	if next != confirm {
		fields["confirm"] = "確認用のパスワードが一致しません。"
	}
	if len(fields) > 0 {
		return "", nil, apperr.InvalidFields(fields)
	}
	hash, err := password.HashWithParams(next, s.Params)
	if err != nil {
		return "", nil, err
	}
	if err := s.Store.SetPassword(ctx, user.ID, hash, false); err != nil {
		return "", nil, err
	}
	if err := s.Store.EndUserSessions(ctx, user.ID, 0); err != nil {
		return "", nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.PasswordChanged, ActorID: user.ID, SubjectID: user.ID})
	res, err := s.begin(ctx, user, StageFull)
	if err != nil {
		return "", nil, err
	}
	return res.Token, res.Session, nil
}

func policyMessage(err error) string {
	var pe *password.PolicyError
	if errors.As(err, &pe) {
		return pe.Message()
	}
	return "パスワードが条件を満たしていません。"
}

// Enrolment is a TOTP key being set up.
type Enrolment struct {
	Secret string // shown for manual entry
	URL    string // otpauth:// URL
	QRPNG  []byte
}

// BeginTOTP creates a new secret for the user and stores it sealed, not yet
// enabled. Confirming a code with ConfirmTOTP turns it on.
func (s *Service) BeginTOTP(ctx context.Context, user *identity.User) (*Enrolment, error) {
	if user.TOTPEnabled {
		return nil, apperr.E(apperr.Conflict, "二段階認証は既に有効です。")
	}
	key, err := totp.NewKey("Hakui", user.Email)
	if err != nil {
		return nil, err
	}
	sealed, err := s.Keys.Seal([]byte(key.Secret), TOTPContext(user.ID))
	if err != nil {
		return nil, err
	}
	if err := s.Store.SetTOTP(ctx, user.ID, sealed, false, nil); err != nil {
		return nil, err
	}
	png, err := key.QRPNG(200)
	if err != nil {
		return nil, err
	}
	return &Enrolment{Secret: key.Secret, URL: key.URL, QRPNG: png}, nil
}

// PendingTOTP returns the enrolment in progress, so the page can show the
// same QR code again after a wrong code.
func (s *Service) PendingTOTP(ctx context.Context, user *identity.User) (*Enrolment, error) {
	if user.TOTPEnabled || user.TOTPSecret == "" {
		return nil, apperr.E(apperr.NotFound, "設定中の二段階認証はありません。")
	}
	secret, err := s.totpSecret(user)
	if err != nil {
		return nil, err
	}
	key, err := totp.KeyFromSecret("Hakui", user.Email, secret)
	if err != nil {
		return nil, err
	}
	png, err := key.QRPNG(200)
	if err != nil {
		return nil, err
	}
	return &Enrolment{Secret: key.Secret, URL: key.URL, QRPNG: png}, nil
}

// RecoveryCodeCount is how many recovery codes a user gets.
const RecoveryCodeCount = 10

// ConfirmTOTP turns two-factor authentication on when code matches the
// pending secret, and returns the recovery codes to show once. The session
// is renewed, as privilege changed.
func (s *Service) ConfirmTOTP(ctx context.Context, sess *Session, code string) ([]string, string, *Session, error) {
	user, err := s.Store.User(ctx, sess.UserID)
	if err != nil {
		return nil, "", nil, err
	}
	if user.TOTPEnabled {
		return nil, "", nil, apperr.E(apperr.Conflict, "二段階認証は既に有効です。")
	}
	secret, err := s.totpSecret(user)
	if err != nil {
		return nil, "", nil, err
	}
	step, err := totp.Validate(secret, code, s.Now(), 0)
	if err != nil {
		return nil, "", nil, apperr.InvalidFields(map[string]string{"code": "確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。"})
	}
	codes, err := totp.NewRecoveryCodes(RecoveryCodeCount)
	if err != nil {
		return nil, "", nil, err
	}
	hashes := make([]string, len(codes))
	for i, c := range codes {
		hashes[i] = totp.HashRecoveryCode(c)
	}
	if err := s.Store.SetTOTP(ctx, user.ID, user.TOTPSecret, true, hashes); err != nil {
		return nil, "", nil, err
	}
	if _, err := s.Store.AdvanceTOTPStep(ctx, user.ID, step); err != nil {
		return nil, "", nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.TOTPEnabled, ActorID: user.ID, SubjectID: user.ID})
	token, newSess, err := s.Renew(ctx, sess)
	if err != nil {
		return nil, "", nil, err
	}
	return codes, token, newSess, nil
}

// DisableTOTP turns the second factor off after checking the password. Staff
// may not turn it off.
func (s *Service) DisableTOTP(ctx context.Context, sess *Session, currentPassword string) error {
	user, err := s.Store.User(ctx, sess.UserID)
	if err != nil {
		return err
	}
	grants, err := s.Store.Grants(ctx, user.ID)
	if err != nil {
		return err
	}
	if identity.NeedsTOTP(grants) {
		return apperr.E(apperr.Forbidden, "スタッフのアカウントでは二段階認証を無効にできません。")
	}
	if ok, _, _ := password.Verify(currentPassword, user.PasswordHash); !ok || len(currentPassword) > maxPasswordBytes {
		return apperr.InvalidFields(map[string]string{"current": "現在のパスワードが正しくありません。"})
	}
	if err := s.Store.SetTOTP(ctx, user.ID, "", false, nil); err != nil {
		return err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.TOTPDisabled, ActorID: user.ID, SubjectID: user.ID})
	return nil
}

// CreateAPIToken issues a personal token and returns its secret, shown once.
func (s *Service) CreateAPIToken(ctx context.Context, userID int64, name string, scope Scope, ttl time.Duration) (string, *APIToken, error) {
	name = jatext.NormalizeLine(name)
	fields := map[string]string{}
	if name == "" || len([]rune(name)) > 100 {
		fields["name"] = "名前を1〜100文字で入力してください。"
	}
	if scope != ScopeRead && scope != ScopeWrite {
		fields["scope"] = "権限は read か write を選んでください。"
	}
	if ttl < 0 || ttl > 366*24*time.Hour {
		fields["expires_in_days"] = "有効期限は1〜366日で指定してください。"
	}
	if len(fields) > 0 {
		return "", nil, apperr.InvalidFields(fields)
	}
	secret, err := newToken("hk_")
	if err != nil {
		return "", nil, err
	}
	t := &APIToken{UserID: userID, Name: name, Scope: scope}
	if ttl > 0 {
		exp := s.Now().Add(ttl)
		t.ExpiresAt = &exp
	}
	if err := s.Store.CreateAPIToken(ctx, t, HashToken(secret)); err != nil {
		return "", nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.TokenCreated, ActorID: userID, SubjectID: userID, ObjectKind: "api_token", ObjectID: t.ID})
	return secret, t, nil
}

// AuthenticateAPIToken returns the usable token for a bearer secret and its
// user.
func (s *Service) AuthenticateAPIToken(ctx context.Context, secret string) (*APIToken, *identity.User, error) {
	bad := apperr.E(apperr.Unauthorized, "APIトークンが無効です。")
	if !strings.HasPrefix(secret, "hk_") || len(secret) > 200 {
		return nil, nil, bad
	}
	t, err := s.Store.APITokenByHash(ctx, HashToken(secret))
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil, bad
	}
	if err != nil {
		return nil, nil, err
	}
	now := s.Now()
	if !t.Usable(now) {
		return nil, nil, bad
	}
	user, err := s.Store.User(ctx, t.UserID)
	if err != nil {
		return nil, nil, err
	}
	if user.DisabledAt != nil {
		return nil, nil, bad
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= touchEvery {
		if err := s.Store.TouchAPIToken(ctx, t.ID, now); err != nil {
			return nil, nil, err
		}
	}
	return t, user, nil
}

// HashToken returns the stored form of a high-entropy secret (session,
// device, invitation or API token). SHA-256 suffices: the secrets are 256
// random bits, so there is nothing to brute-force.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// NewToken returns a random URL-safe secret of 256 bits with the prefix.
func NewToken(prefix string) (string, error) { return newToken(prefix) }

func newToken(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("auth: random: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n])
	}
	return s
}
