package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/hakui-dev/hakui/internal/account"
	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/httpx"
)

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	if httpx.CurrentFrom(r.Context()) != nil {
		redirect(w, r, "/dashboard")
		return
	}
	s.render(w, r, http.StatusOK, "home", &page{Title: "ようこそ"})
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if httpx.CurrentFrom(r.Context()) != nil {
		redirect(w, r, safeNext(r.URL.Query().Get("next")))
		return
	}
	s.render(w, r, http.StatusOK, "login", &page{Title: "ログイン", Form: r.URL.Query()})
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	p := &page{Title: "ログイン"}
	if err := parseForm(r); err != nil {
		s.formError(w, r, "login", p, err)
		return
	}
	// A new sign-in replaces any session this browser had.
	if old := s.Cookies.Get(r, httpx.SessionCookie); old != "" {
		_ = s.Auth.Logout(r.Context(), old)
	}
	res, err := s.Auth.Login(r.Context(), auth.Credentials{
		Email: r.PostForm.Get("email"), Password: r.PostForm.Get("password"),
		DeviceToken: s.Cookies.Get(r, httpx.DeviceCookie),
	})
	if err != nil {
		s.formError(w, r, "login", p, err)
		return
	}
	s.setSession(w, res.Token)
	s.setDevice(w, res.DeviceToken)
	s.afterLogin(w, r, res.Next, r.URL.Query().Get("next"))
}

func (s *Server) afterLogin(w http.ResponseWriter, r *http.Request, next auth.Next, dest string) {
	switch next {
	case auth.NextTOTP:
		if dest == "" {
			redirect(w, r, "/login/totp")
			return
		}
		redirect(w, r, "/login/totp?next="+urlQueryEscape(safeNext(dest)))
	case auth.NextChangePassword:
		redirect(w, r, "/settings/password")
	case auth.NextEnrolTOTP:
		redirect(w, r, "/settings/2fa")
	default:
		redirect(w, r, safeNext(dest))
	}
}

func (s *Server) totpPage(w http.ResponseWriter, r *http.Request) {
	if s.Cookies.Get(r, httpx.SessionCookie) == "" {
		redirect(w, r, "/login")
		return
	}
	p := &page{Title: "二段階認証"}
	if next := r.URL.Query().Get("next"); next != "" {
		p.Form = url.Values{"next": {safeNext(next)}}
	}
	s.render(w, r, http.StatusOK, "totp", p)
}

func (s *Server) totp(w http.ResponseWriter, r *http.Request) {
	p := &page{Title: "二段階認証"}
	if err := parseForm(r); err != nil {
		s.formError(w, r, "totp", p, err)
		return
	}
	res, err := s.Auth.SecondFactor(r.Context(), s.Cookies.Get(r, httpx.SessionCookie), r.PostForm.Get("code"),
		s.Cookies.Get(r, httpx.DeviceCookie))
	if errors.Is(err, auth.ErrNoSession) || errors.Is(err, auth.ErrSessionExpired) {
		s.setFlash(w, apperr.MessageOf(err))
		redirect(w, r, "/login")
		return
	}
	if err != nil {
		s.formError(w, r, "totp", p, err)
		return
	}
	s.setSession(w, res.Token)
	s.setDevice(w, res.DeviceToken)
	s.afterLogin(w, r, res.Next, r.URL.Query().Get("next"))
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if token := s.Cookies.Get(r, httpx.SessionCookie); token != "" {
		if err := s.Auth.Logout(r.Context(), token); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.Cookies.Clear(w, httpx.SessionCookie)
	s.setFlash(w, "ログアウトしました。")
	redirect(w, r, "/login")
}

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "register", &page{Title: "医師の新規登録"})
}

func (s *Server) register(w http.ResponseWriter, r *http.Request) {
	p := &page{Title: "医師の新規登録"}
	if err := parseForm(r); err != nil {
		s.formError(w, r, "register", p, err)
		return
	}
	_, err := s.Accounts.RegisterDoctor(r.Context(), account.NewAccount{
		Email: r.PostForm.Get("email"), DisplayName: r.PostForm.Get("display_name"),
		Password: r.PostForm.Get("password"), Confirm: r.PostForm.Get("confirm"),
	})
	if err != nil {
		s.formError(w, r, "register", p, err)
		return
	}
	s.setFlash(w, "登録が完了しました。ログインしてください。")
	redirect(w, r, "/login")
}

func (s *Server) invitationPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	inv, err := s.Accounts.Invitation(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "invitation", &page{Title: "招待を受ける", Data: map[string]any{"Invitation": inv, "Token": token}})
}

func (s *Server) acceptInvitation(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	inv, err := s.Accounts.Invitation(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &page{Title: "招待を受ける", Data: map[string]any{"Invitation": inv, "Token": token}}
	if err := parseForm(r); err != nil {
		s.formError(w, r, "invitation", p, err)
		return
	}
	if cur := httpx.CurrentFrom(r.Context()); cur != nil {
		if _, err := s.Accounts.AcceptAsMember(r.Context(), cur.User, token); err != nil {
			s.fail(w, r, err)
			return
		}
		// Privilege changed: renew the session.
		newToken, _, err := s.Auth.Renew(r.Context(), cur.Session)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		s.setSession(w, newToken)
		s.setFlash(w, inv.OrgName+" に参加しました。")
		redirect(w, r, "/dashboard")
		return
	}
	_, err = s.Accounts.AcceptAsNew(r.Context(), token, account.NewAccount{
		DisplayName: r.PostForm.Get("display_name"), Password: r.PostForm.Get("password"), Confirm: r.PostForm.Get("confirm"),
	})
	if err != nil {
		s.formError(w, r, "invitation", p, err)
		return
	}
	s.setFlash(w, "アカウントを作成しました。ログインして二段階認証を設定してください。")
	redirect(w, r, "/login")
}
