package httpx

import (
	"context"
	"net/http"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/identity"
)

// GrantStore loads a user's roles.
type GrantStore interface {
	Grants(ctx context.Context, userID int64) ([]identity.Grant, error)
}

// Authenticator turns a session cookie or a bearer token into the current
// user.
type Authenticator struct {
	Auth    *auth.Service
	Grants  GrantStore
	Cookies Cookies
	Demo    bool
}

// FromCookie returns the user of a fully signed-in session cookie. It
// returns an unauthorized error when there is none.
func (a *Authenticator) FromCookie(r *http.Request) (*Current, error) {
	token := a.Cookies.Get(r, SessionCookie)
	if token == "" {
		return nil, apperr.E(apperr.Unauthorized, "ログインしてください。")
	}
	sess, user, err := a.Auth.Authenticate(r.Context(), token)
	if err != nil {
		return nil, err
	}
	if sess.Stage != auth.StageFull {
		return nil, apperr.E(apperr.Unauthorized, "二段階認証を完了してください。")
	}
	grants, err := a.Grants.Grants(r.Context(), user.ID)
	if err != nil {
		return nil, err
	}
	return &Current{Session: sess, User: user, Grants: grants, Requirement: auth.Requirement(user, grants, a.Demo)}, nil
}

// FromBearer returns the user of an API token in the Authorization header,
// or nil when the header is absent.
func (a *Authenticator) FromBearer(r *http.Request) (*Current, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return nil, nil
	}
	const prefix = "Bearer "
	if len(h) <= len(prefix) || h[:len(prefix)] != prefix {
		return nil, apperr.E(apperr.Unauthorized, "Authorization ヘッダーは Bearer 形式で指定してください。")
	}
	tok, user, err := a.Auth.AuthenticateAPIToken(r.Context(), h[len(prefix):])
	if err != nil {
		return nil, err
	}
	grants, err := a.Grants.Grants(r.Context(), user.ID)
	if err != nil {
		return nil, err
	}
	return &Current{Token: tok, User: user, Grants: grants, Requirement: auth.Requirement(user, grants, a.Demo)}, nil
}
