// Package web serves Hakui's HTML pages. Pages work without JavaScript;
// every state change is a POST, protected against cross-origin requests.
package web

import (
	"html/template"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/account"
	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/mentoring"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/ratelimit"
	"github.com/hakui-dev/hakui/internal/records"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/rounds"
	"github.com/hakui-dev/hakui/internal/survey"
	"github.com/hakui-dev/hakui/internal/webhook"
)

// Server holds the pages' dependencies.
type Server struct {
	Auth     *auth.Service
	Accounts *account.Service
	Views    *account.Views
	Openings *openings.Service
	// Placement runs the agents' pipeline: leads, cases, follow-ups and
	// reports.
	Placement *placement.Service
	// Regional runs 地域枠 programs, medical areas, enrolments with their
	// ledgers, and multi-year plans.
	Regional *regional.Service
	// Records keeps confidential 面談記録 and their sharing agreements.
	Records *records.Service
	// Mentoring keeps the mentor–mentee pairs the CC offices arrange and
	// their meeting logs.
	Mentoring *mentoring.Service
	// Community runs the clinic owners' Q&A board (community*.go).
	Community *community.Service
	// Events and Surveys run training sessions and surveys (events*.go,
	// surveys*.go).
	Events  *events.Service
	Surveys *survey.Service
	// Limiter guards public links.
	Limiter *ratelimit.Limiter
	// Rounds runs the annual placement rounds.
	Rounds *rounds.Service
	// Webhooks manages organisations' outgoing webhooks.
	Webhooks *webhook.Service
	// Notifications reads and marks the signed-in user's own notifications.
	Notifications notify.Inbox
	CareerAdmin   CareerAdmin
	Session       *httpx.Authenticator
	Cookies       httpx.Cookies
	Log           *slog.Logger
	Demo          bool
	Version       string
	// BaseURL is the public address, used in invitation links.
	BaseURL string

	templates map[string]*template.Template
	assets    *assets
}

// Handler returns the routes of the pages.
func (s *Server) Handler() (http.Handler, error) {
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.templates, err = parseTemplates(s.assets); err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /static/{hash}/{name}", s.assets.serve)
	mux.HandleFunc("GET /{$}", s.home)
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("GET /login/totp", s.totpPage)
	mux.HandleFunc("POST /login/totp", s.totp)
	mux.HandleFunc("POST /logout", s.logout)
	mux.HandleFunc("GET /register", s.registerPage)
	mux.HandleFunc("POST /register", s.register)
	mux.HandleFunc("GET /openings", s.searchPage)
	mux.HandleFunc("GET /openings/{id}", s.openingPage)
	mux.Handle("POST /openings/{id}/apply", s.signedIn(s.apply))
	mux.Handle("GET /openings/new", s.signedIn(s.newOpeningPage))
	mux.Handle("POST /openings", s.signedIn(s.createOpening))
	mux.Handle("GET /openings/{id}/edit", s.signedIn(s.editOpeningPage))
	mux.Handle("POST /openings/{id}", s.signedIn(s.updateOpening))
	mux.Handle("POST /openings/{id}/status", s.signedIn(s.setOpeningStatus))
	mux.Handle("GET /orgs/{id}/openings", s.signedIn(s.orgOpenings))
	mux.Handle("GET /orgs/{id}/openings.csv", s.signedIn(s.exportOpenings))
	mux.Handle("POST /orgs/{id}/openings/import", s.signedIn(s.importOpenings))
	mux.Handle("GET /profile", s.signedIn(s.profilePageDoctor))
	mux.Handle("POST /profile", s.signedIn(s.saveProfile))
	mux.Handle("GET /career", s.signedIn(s.careerPage))
	mux.Handle("GET /me/applications", s.signedIn(s.myApplications))
	mux.Handle("POST /me/searches", s.signedIn(s.saveSearch))
	mux.Handle("POST /me/searches/{id}/delete", s.signedIn(s.deleteSearch))
	mux.Handle("GET /me/notifications", s.signedIn(s.notificationsPage))
	mux.Handle("POST /me/notifications/read", s.signedIn(s.readNotifications))
	mux.HandleFunc("GET /institutions/{id}", s.institutionPage)
	mux.Handle("POST /institutions/{id}", s.signedIn(s.saveInstitution))
	s.placementRoutes(mux)
	s.regionalRoutes(mux)
	s.roundsRoutes(mux)
	s.recordsRoutes(mux)
	s.mentoringRoutes(mux)
	s.communityRoutes(mux)
	s.eventsRoutes(mux)
	mux.HandleFunc("GET /invitations/{token}", s.invitationPage)
	mux.HandleFunc("POST /invitations/{token}", s.acceptInvitation)

	mux.Handle("GET /dashboard", s.signedIn(s.dashboard))
	mux.Handle("GET /settings", s.signedIn(s.profilePage))
	mux.Handle("POST /settings/profile", s.signedIn(s.updateProfile))
	mux.Handle("GET /settings/password", s.signedIn(s.passwordPage))
	mux.Handle("POST /settings/password", s.signedIn(s.changePassword))
	mux.Handle("GET /settings/2fa", s.signedIn(s.totpSettings))
	mux.Handle("POST /settings/2fa/begin", s.signedIn(s.beginTOTP))
	mux.Handle("POST /settings/2fa/confirm", s.signedIn(s.confirmTOTP))
	mux.Handle("POST /settings/2fa/disable", s.signedIn(s.disableTOTP))
	mux.Handle("GET /settings/sessions", s.signedIn(s.sessionsPage))
	mux.Handle("POST /settings/sessions/{id}/end", s.signedIn(s.endSession))
	mux.Handle("POST /settings/sessions/end-others", s.signedIn(s.endOtherSessions))
	mux.Handle("GET /settings/tokens", s.signedIn(s.tokensPage))
	mux.Handle("POST /settings/tokens", s.signedIn(s.createToken))
	mux.Handle("POST /settings/tokens/{id}/revoke", s.signedIn(s.revokeToken))
	mux.Handle("GET /me/audit", s.signedIn(s.myAudit))
	mux.Handle("GET /orgs/{id}", s.signedIn(s.orgPage))
	mux.Handle("POST /orgs/{id}/invitations", s.signedIn(s.invite))
	mux.Handle("GET /orgs/{id}/webhooks", s.signedIn(s.webhooksPage))
	mux.Handle("POST /orgs/{id}/webhooks", s.signedIn(s.createWebhook))
	mux.Handle("POST /orgs/{id}/webhooks/{webhook}/enabled", s.signedIn(s.setWebhookEnabled))
	mux.Handle("POST /orgs/{id}/webhooks/{webhook}/test", s.signedIn(s.testWebhook))
	mux.Handle("POST /orgs/{id}/webhooks/{webhook}/delete", s.signedIn(s.deleteWebhook))
	mux.Handle("GET /admin/users", s.signedIn(s.adminUsers))
	mux.Handle("POST /admin/users/{id}/end-sessions", s.signedIn(s.adminEndSessions))
	mux.Handle("POST /admin/users/{id}/reset-password", s.signedIn(s.adminResetPassword))
	mux.Handle("GET /admin/orgs", s.signedIn(s.adminOrgs))
	mux.Handle("POST /admin/orgs", s.signedIn(s.adminCreateOrg))
	mux.Handle("GET /admin/audit", s.signedIn(s.adminAudit))
	mux.Handle("GET /admin/career", s.signedIn(s.adminCareer))
	mux.Handle("POST /admin/competencies", s.signedIn(s.adminSaveCompetency))
	mux.Handle("POST /admin/doctors/{id}/verify-registration", s.signedIn(s.adminVerifyRegistration))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, apperr.E(apperr.NotFound, "お探しのページは見つかりませんでした。URLをご確認ください。"))
	})
	return s.loadUser(mux), nil
}

// placementRoutes are the pages of the agents' pipeline (人材紹介) for
// agents, institutions' staff and doctors, and the agencies' public
// contact forms.
func (s *Server) placementRoutes(mux *http.ServeMux) {
	mux.Handle("GET /agency/board", s.signedIn(s.agencyBoard))
	mux.Handle("GET /agency/leads", s.signedIn(s.agencyLeads))
	mux.Handle("POST /agency/leads", s.signedIn(s.createLead))
	mux.Handle("GET /agency/leads/{id}", s.signedIn(s.leadPage))
	mux.Handle("POST /agency/leads/{id}/merge", s.signedIn(s.mergeLead))
	mux.Handle("POST /agency/leads/{id}/invite", s.signedIn(s.inviteLead))
	mux.Handle("POST /agency/leads/{id}/consultations", s.signedIn(s.scheduleConsultation))
	mux.Handle("POST /agency/leads/{id}/cases", s.signedIn(s.openCase))
	mux.Handle("POST /agency/leads/{id}/follow-ups", s.signedIn(s.createLeadFollowUp))
	mux.Handle("GET /agency/consultations/{id}", s.signedIn(s.consultationPage))
	mux.Handle("POST /agency/consultations/{id}", s.signedIn(s.recordConsultation))
	mux.Handle("GET /agency/follow-ups", s.signedIn(s.agencyFollowUps))
	mux.Handle("POST /agency/follow-ups/{id}/done", s.signedIn(s.finishFollowUp(placement.FollowUpDone, "フォローアップを対応済みにしました。")))
	mux.Handle("POST /agency/follow-ups/{id}/cancel", s.signedIn(s.finishFollowUp(placement.FollowUpCancelled, "フォローアップを取り消しました。")))
	mux.Handle("POST /agency/follow-ups/{id}/reopen", s.signedIn(s.reopenFromFollowUp))
	mux.Handle("GET /agency/reports", s.signedIn(s.agencyReports))
	mux.Handle("GET /agency/reports.csv", s.signedIn(s.agencyReportCSV))
	mux.Handle("GET /agency/settings", s.signedIn(s.agencySettings))
	mux.Handle("POST /agency/settings", s.signedIn(s.saveAgencySettings))
	mux.Handle("GET /cases/{id}", s.signedIn(s.casePage))
	mux.Handle("POST /cases/{id}/move", s.signedIn(s.moveCase))
	mux.Handle("POST /cases/{id}/reopen", s.signedIn(s.reopenCase))
	mux.Handle("POST /cases/{id}/items", s.signedIn(s.confirmItems))
	mux.Handle("POST /cases/{id}/interviews", s.signedIn(s.scheduleInterview))
	mux.Handle("POST /cases/{id}/interviews/{iv}/cancel", s.signedIn(s.cancelInterview))
	mux.Handle("POST /cases/{id}/scorecards", s.signedIn(s.submitScorecard))
	mux.Handle("POST /cases/{id}/review", s.signedIn(s.recordReview))
	mux.Handle("POST /cases/{id}/follow-ups", s.signedIn(s.createCaseFollowUp))
	mux.Handle("GET /interviews/{file}", s.signedIn(s.interviewICS))
	mux.HandleFunc("GET /agencies/{id}/contact", s.contactPage)
	mux.HandleFunc("POST /agencies/{id}/contact", s.submitContact)
	mux.HandleFunc("GET /agencies/{id}/contact/thanks", s.contactThanks)
	mux.HandleFunc("GET /leads/claim/{token}", s.claimPage)
	mux.Handle("POST /leads/claim/{token}", s.signedIn(s.acceptClaim))
	mux.Handle("GET /institution/candidates", s.signedIn(s.institutionCandidates))
	mux.Handle("GET /me/cases", s.signedIn(s.myCases))
	mux.Handle("POST /me/agencies/{id}/consent", s.signedIn(s.setMyConsent))
}

// loadUser puts the signed-in user, if any, into the request context.
func (s *Server) loadUser(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if cur, err := s.Session.FromCookie(r); err == nil {
			r = r.WithContext(httpx.WithCurrent(r.Context(), cur))
		} else if !apperr.Is(err, apperr.Unauthorized) {
			s.fail(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// signedIn requires a fully signed-in user and, until they change a
// password set by someone else or (staff) enrol a second factor, lets them
// reach only the page that does it.
func (s *Server) signedIn(h func(http.ResponseWriter, *http.Request, *httpx.Current)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur := httpx.CurrentFrom(r.Context())
		if cur == nil {
			redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()))
			return
		}
		switch cur.Requirement {
		case auth.NextChangePassword:
			if r.URL.Path != "/settings/password" {
				redirect(w, r, "/settings/password")
				return
			}
		case auth.NextEnrolTOTP:
			if !strings.HasPrefix(r.URL.Path, "/settings/2fa") {
				redirect(w, r, "/settings/2fa")
				return
			}
		}
		h(w, r, cur)
	})
}

// navFor lists the menu of the signed-in user; enrolled says the user is
// a 地域枠 doctor with an enrolment.
func navFor(cur *httpx.Current, path string, enrolled bool) []navItem {
	items := []navItem{{Href: "/dashboard", Label: "ダッシュボード"}, {Href: "/openings", Label: "求人を探す"}}
	if cur.Has(identity.RoleDoctor) {
		items = append(items, navItem{Href: "/career", Label: "キャリア"}, navItem{Href: "/profile", Label: "プロフィール"},
			navItem{Href: "/me/applications", Label: "応募"}, navItem{Href: "/me/cases", Label: "紹介"})
		if enrolled {
			items = append(items, navItem{Href: "/me/obligation", Label: "地域枠"}, navItem{Href: "/me/rounds", Label: "配置の希望"},
				navItem{Href: "/me/records", Label: "面談記録と同意"})
		}
	}
	if len(regionalGrants(cur, false)) > 0 {
		items = append(items, navItem{Href: "/regional/enrollments", Label: "地域枠の医師"})
	}
	if len(coordinatorGrants(cur)) > 0 {
		items = append(items, navItem{Href: "/mentoring", Label: "メンタリング"})
	}
	if len(regionalGrants(cur, true)) > 0 {
		items = append(items, navItem{Href: "/regional/programs", Label: "プログラム"}, navItem{Href: "/regional/areas", Label: "医療圏"},
			navItem{Href: "/regional/rounds", Label: "年次の配置"})
	}
	if len(agentGrants(cur)) > 0 {
		items = append(items, navItem{Href: "/agency/board", Label: "案件ボード"}, navItem{Href: "/agency/leads", Label: "リード"},
			navItem{Href: "/agency/follow-ups", Label: "フォローアップ"}, navItem{Href: "/agency/reports", Label: "レポート"})
	}
	if cur.Has(identity.RoleInstitutionStaff) {
		items = append(items, navItem{Href: "/institution/candidates", Label: "紹介された医師"},
			navItem{Href: "/institution/rounds", Label: "地域枠の配置"})
	}
	seen := map[int64]bool{}
	for _, g := range cur.Grants {
		if g.OrgID != 0 && !seen[g.OrgID] && g.OrgKind != identity.OrgPlatform {
			seen[g.OrgID] = true
			href := "/orgs/" + strconv.FormatInt(g.OrgID, 10)
			if g.Role == identity.RoleInstitutionStaff || g.Role == identity.RoleAgent {
				href += "/openings"
			}
			items = append(items, navItem{Href: href, Label: g.OrgName})
		}
	}
	// The board: doctors see its landing page until they join; whether
	// they may apply shows there, which keeps the menu free of look-ups.
	if cur.Has(identity.RoleDoctor) || cur.Has(identity.RoleModerator) || cur.Has(identity.RoleAdmin) {
		items = append(items, navItem{Href: "/community", Label: "掲示板"})
	}
	if len(cur.Grants) == 0 {
		// A user without a role is a company contact of the board: its
		// referral counts are all there is for them.
		items = append(items, navItem{Href: "/community/company", Label: "紹介実績"})
	}
	items = append(items, navItem{Href: "/events", Label: "研修会"})
	items = append(items, navItem{Href: "/me/notifications", Label: "お知らせ"})
	if cur.Has(identity.RoleAdmin) {
		items = append(items,
			navItem{Href: "/admin/users", Label: "ユーザー管理"},
			navItem{Href: "/admin/orgs", Label: "組織管理"},
			navItem{Href: "/admin/audit", Label: "監査ログ"},
			navItem{Href: "/admin/career", Label: "スキル・医籍"})
	}
	items = append(items, navItem{Href: "/settings", Label: "設定"})
	for i := range items {
		items[i].Active = items[i].Href == path || (items[i].Href == "/settings" && strings.HasPrefix(path, "/settings")) ||
			(items[i].Href == "/agency/leads" && strings.HasPrefix(path, "/agency/leads/")) ||
			(items[i].Href == "/regional/enrollments" && strings.HasPrefix(path, "/regional/enrollments/")) ||
			(items[i].Href == "/regional/programs" && strings.HasPrefix(path, "/regional/programs/")) ||
			(items[i].Href == "/regional/rounds" && strings.HasPrefix(path, "/regional/rounds/")) ||
			(items[i].Href == "/mentoring" && strings.HasPrefix(path, "/mentoring/")) ||
			(items[i].Href == "/events" && strings.HasPrefix(path, "/events/")) ||
			(items[i].Href == "/community" && strings.HasPrefix(path, "/community/") && path != "/community/company") ||
			(items[i].Href == "/me/rounds" && strings.HasPrefix(path, "/me/rounds/")) ||
			(items[i].Href == "/institution/rounds" && strings.HasPrefix(path, "/institution/rounds/"))
	}
	return items
}

// pathID parses a numeric path value; a malformed one is a 404, not a 500.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.E(apperr.NotFound, "見つかりません。")
	}
	return id, nil
}

// postedID returns the {id} path value of a form post and parses its form.
func postedID(r *http.Request) (int64, error) {
	id, err := pathID(r, "id")
	if err == nil {
		err = parseForm(r)
	}
	return id, err
}

// parseForm parses a POST body; an oversized or malformed body is a clear
// 400.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return apperr.E(apperr.Invalid, "送信内容を読み取れませんでした。入力が大きすぎないか確認してください。")
	}
	return nil
}

// safeNext accepts only local paths as a post-login destination, so the
// login page cannot be used to redirect elsewhere.
func safeNext(next string) string { return localPath(next, "/dashboard") }

// localPath returns p if it is a path on this site, else fallback. Browsers
// drop tabs and newlines and read a backslash as a slash, so "/\t/evil"
// and "/\\evil" would leave the site: any of them refuses the path.
func localPath(p, fallback string) string {
	if p == "" || len(p) > 500 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") ||
		strings.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return fallback
	}
	return p
}

func (s *Server) setSession(w http.ResponseWriter, token string) {
	s.Cookies.Set(w, httpx.SessionCookie, token, 0)
}

func (s *Server) setDevice(w http.ResponseWriter, token string) {
	if token != "" {
		s.Cookies.Set(w, httpx.DeviceCookie, token, 365*24*time.Hour)
	}
}
