package app

import (
	"context"
	"fmt"

	"github.com/hakui-dev/hakui/internal/account"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// NewUser is an account made from the command line, typically the first
// administrator of a fresh installation.
type NewUser struct {
	Email    string
	Name     string
	Role     identity.Role
	OrgID    int64
	OrgAdmin bool
}

// CreateUser makes an account with a random initial password that must be
// changed at the first sign-in, and returns that password.
func (m *Main) CreateUser(ctx context.Context, n NewUser) (string, error) {
	email := jatext.NormalizeEmail(n.Email)
	if email == "" || n.Name == "" {
		return "", fmt.Errorf("--email and --name are required")
	}
	if !n.Role.Valid() {
		return "", fmt.Errorf("unknown role %q", n.Role)
	}
	g := identity.Grant{Role: n.Role, OrgID: n.OrgID, OrgAdmin: n.OrgAdmin}
	if n.Role == identity.RoleDoctor {
		g.OrgID, g.OrgAdmin = 0, false
	} else {
		org, err := m.DB.Organisation(ctx, n.OrgID)
		if err != nil {
			return "", fmt.Errorf("organisation %d: %w", n.OrgID, err)
		}
		if !n.Role.AllowedIn(org.Kind) {
			return "", fmt.Errorf("role %s cannot be held in a %s organisation", n.Role, org.Kind)
		}
	}
	temp, hash, err := account.TemporaryPassword(m.Config.PasswordParams)
	if err != nil {
		return "", err
	}
	u := &identity.User{Email: email, DisplayName: jatext.NormalizeLine(n.Name), PasswordHash: hash, MustChangePassword: true, Locale: "ja"}
	if err := m.DB.CreateUser(ctx, u, []identity.Grant{g}); err != nil {
		return "", err
	}
	return temp, nil
}

// EnsurePlatform returns the platform organisation, creating it on a fresh
// installation so the first administrator has somewhere to belong.
func (m *Main) EnsurePlatform(ctx context.Context) (int64, error) {
	orgs, err := m.DB.Organisations(ctx)
	if err != nil {
		return 0, err
	}
	for _, o := range orgs {
		if o.Kind == identity.OrgPlatform {
			return o.ID, nil
		}
	}
	org := &identity.Organisation{Kind: identity.OrgPlatform, Name: "Hakui 運営"}
	if err := m.DB.CreateOrganisation(ctx, org); err != nil {
		return 0, err
	}
	return org.ID, nil
}

// ResetPassword sets a temporary password for the user from the command
// line, as an operator at the console.
func (m *Main) ResetPassword(ctx context.Context, userID int64) (string, error) {
	temp, hash, err := account.TemporaryPassword(m.Config.PasswordParams)
	if err != nil {
		return "", err
	}
	if err := m.DB.SetPassword(ctx, userID, hash, true); err != nil {
		return "", err
	}
	return temp, m.DB.EndUserSessions(ctx, userID, 0)
}
