// Package httpx holds the HTTP plumbing shared by the HTML pages and the
// JSON API: request IDs, client addresses, secure headers, panic recovery,
// cookies and the signed-in user carried in the request context.
package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/reqinfo"
)

// Cookie names. The __Host- prefix makes browsers insist on Secure, Path=/
// and no Domain, so a sibling subdomain cannot plant or read them.
const (
	SessionCookie = "__Host-hakui_session"
	DeviceCookie  = "__Host-hakui_device"
	FlashCookie   = "__Host-hakui_flash"
)

// Current is the signed-in user of a request.
type Current struct {
	Session *auth.Session  // nil for API token requests
	Token   *auth.APIToken // nil for session requests
	User    *identity.User
	Grants  []identity.Grant
	// Requirement is what the user must do before anything else.
	Requirement auth.Next
}

// Actor returns the policy actor for the user.
func (c *Current) Actor() policy.Actor {
	if c == nil {
		return policy.Actor{}
	}
	return policy.Actor{UserID: c.User.ID, Grants: c.Grants}
}

// Has reports whether the user holds the role.
func (c *Current) Has(role identity.Role) bool { return c.Actor().Has(role) }

type currentKey struct{}

// WithCurrent returns ctx carrying the signed-in user.
func WithCurrent(ctx context.Context, c *Current) context.Context {
	return context.WithValue(ctx, currentKey{}, c)
}

// CurrentFrom returns the signed-in user, or nil.
func CurrentFrom(ctx context.Context) *Current {
	c, _ := ctx.Value(currentKey{}).(*Current)
	return c
}

// ClientIP returns the client's address. Behind a reverse proxy, set
// trustProxy so the last X-Forwarded-For hop (added by the proxy) is used.
func ClientIP(r *http.Request, trustProxy bool) string {
	if trustProxy {
		if fwd := r.Header.Get("X-Forwarded-For"); fwd != "" {
			parts := strings.Split(fwd, ",")
			if ip := strings.TrimSpace(parts[len(parts)-1]); net.ParseIP(ip) != nil {
				return ip
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// NewRequestID returns a random request ID.
func NewRequestID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Base wraps h with what every request gets: a request ID (echoed in
// X-Request-ID), the client address in the context, secure headers, a
// recovered panic instead of a dropped connection, and an access log line.
func Base(h http.Handler, log *slog.Logger, trustProxy bool, onPanic http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := NewRequestID()
		info := reqinfo.Info{RequestID: id, IP: ClientIP(r, trustProxy), UserAgent: r.UserAgent()}
		r = r.WithContext(reqinfo.With(r.Context(), info))
		SecureHeaders(w.Header())
		w.Header().Set("X-Request-ID", id)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.ErrorContext(r.Context(), "panic", "request_id", id, "panic", p, "stack", string(debug.Stack()))
				if !rec.wrote {
					onPanic.ServeHTTP(rec, r)
				}
			}
			log.InfoContext(r.Context(), "request", "request_id", id, "method", r.Method, "path", r.URL.Path,
				"status", rec.status, "duration_ms", time.Since(start).Milliseconds(), "ip", info.IP)
		}()
		h.ServeHTTP(rec, r)
	})
}

// SecureHeaders sets the headers every response carries.
func SecureHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
		"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	wrote  bool
}

func (r *statusRecorder) WriteHeader(code int) {
	if !r.wrote {
		r.status, r.wrote = code, true
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	r.wrote = true
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// Cookies sets and clears cookies. Insecure drops Secure and the __Host-
// prefix, for plain-HTTP development on a LAN address only.
type Cookies struct {
	Insecure bool
}

// Name returns the cookie name as sent, without the prefix when insecure.
func (c Cookies) Name(name string) string {
	if c.Insecure {
		return strings.TrimPrefix(name, "__Host-")
	}
	return name
}

// Set sets a cookie for maxAge (0: a browser-session cookie).
func (c Cookies) Set(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(name), Value: value, Path: "/", MaxAge: int(maxAge.Seconds()),
		Secure: !c.Insecure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// Clear removes a cookie.
func (c Cookies) Clear(w http.ResponseWriter, name string) {
	http.SetCookie(w, &http.Cookie{Name: c.Name(name), Value: "", Path: "/", MaxAge: -1,
		Secure: !c.Insecure, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}

// Get returns a cookie's value or "".
func (c Cookies) Get(r *http.Request, name string) string {
	ck, err := r.Cookie(c.Name(name))
	if err != nil {
		return ""
	}
	return ck.Value
}

// LimitBody caps request bodies so a huge upload cannot exhaust memory.
func LimitBody(h http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Body != nil {
			r.Body = http.MaxBytesReader(w, r.Body, max)
		}
		h.ServeHTTP(w, r)
	})
}

// Status maps an application error code to its HTTP status: the one table
// both front ends use.
func Status(code apperr.Code) int {
	switch code {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unauthorized:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.RateLimited:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}
