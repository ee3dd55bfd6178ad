// Package api serves the JSON API under /api/v1. It accepts a session
// cookie or a personal API token (Authorization: Bearer hk_…), answers
// errors as RFC 9457 problem+json, and is described by the OpenAPI 3.1
// document at /api/v1/openapi.json.
package api

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/account"
	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/mentoring"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/ratelimit"
	"github.com/hakui-dev/hakui/internal/records"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/reqinfo"
	"github.com/hakui-dev/hakui/internal/rounds"
	"github.com/hakui-dev/hakui/internal/survey"
	"github.com/hakui-dev/hakui/internal/webhook"
)

//go:embed openapi.json
var openAPI []byte

// Prefix is where the API is mounted.
const Prefix = "/api/v1"

// Server holds the API's dependencies.
type Server struct {
	Auth     *auth.Service
	Accounts *account.Service
	Views    *account.Views
	Openings *openings.Service
	// Placement is the placement agent's pipeline (placement*.go).
	Placement *placement.Service
	// Regional runs 地域枠 programs, enrolments, ledgers and plans
	// (regional*.go).
	Regional *regional.Service
	// Mentoring keeps the CC offices' mentor–mentee pairs and their
	// meeting logs (mentoring.go).
	Mentoring *mentoring.Service
	// Community runs the clinic owners' Q&A board (community.go).
	Community *community.Service
	// Events and Surveys run training sessions and surveys (events*.go,
	// surveys*.go).
	Events  *events.Service
	Surveys *survey.Service
	// Limiter guards public links.
	Limiter *ratelimit.Limiter
	// Records keeps confidential 面談記録 and their sharing agreements.
	Records *records.Service
	// Rounds runs the annual placement rounds.
	Rounds *rounds.Service
	// Webhooks manages organisations' outgoing webhooks (webhooks.go).
	Webhooks *webhook.Service
	// Notifications reads the caller's own notifications.
	Notifications notify.Inbox
	Session       *httpx.Authenticator
	Log           *slog.Logger
	BaseURL       string

	routes []Route
}

// Route is one registered method and path pattern.
type Route struct {
	Method, Pattern string
	Public          bool
}

// Routes returns every registered route, for the OpenAPI and
// authorization tests.
func (s *Server) Routes() []Route { return append([]Route(nil), s.routes...) }

type handlerFunc func(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	s.routes = nil
	handle := func(method, pattern string, h handlerFunc) {
		s.routes = append(s.routes, Route{Method: method, Pattern: Prefix + pattern})
		mux.Handle(method+" "+Prefix+pattern, s.authed(h, true))
	}
	// public routes answer anonymous callers too.
	public := func(method, pattern string, h handlerFunc) {
		s.routes = append(s.routes, Route{Method: method, Pattern: Prefix + pattern, Public: true})
		mux.Handle(method+" "+Prefix+pattern, s.authed(h, false))
	}
	s.routes = append(s.routes, Route{Method: "GET", Pattern: Prefix + "/openapi.json", Public: true})
	mux.HandleFunc("GET "+Prefix+"/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	})
	handle("GET", "/me", s.me)
	handle("PATCH", "/me", s.updateMe)
	handle("GET", "/me/sessions", s.mySessions)
	handle("DELETE", "/sessions/{id}", s.endSession)
	handle("GET", "/me/tokens", s.myTokens)
	handle("POST", "/me/tokens", s.createToken)
	handle("DELETE", "/tokens/{id}", s.revokeToken)
	handle("GET", "/me/audit", s.myAudit)
	handle("GET", "/organisations", s.organisations)
	handle("POST", "/organisations", s.createOrganisation)
	handle("GET", "/organisations/{id}", s.organisation)
	handle("POST", "/organisations/{id}/invitations", s.invite)
	handle("GET", "/admin/users", s.users)
	handle("POST", "/admin/users/{id}/end-sessions", s.endUserSessions)
	handle("GET", "/admin/audit", s.audit)
	public("GET", "/openings", s.searchOpenings)
	public("GET", "/openings/{id}", s.getOpening)
	handle("POST", "/openings", s.createOpening)
	handle("PUT", "/openings/{id}", s.updateOpening)
	handle("POST", "/openings/{id}/status", s.setOpeningStatus)
	handle("POST", "/openings/{id}/applications", s.apply)
	handle("GET", "/me/applications", s.myApplications)
	handle("GET", "/organisations/{id}/applications", s.orgApplications)
	handle("GET", "/organisations/{id}/openings", s.orgOpenings)
	handle("GET", "/organisations/{id}/openings.csv", s.exportCSV)
	handle("POST", "/organisations/{id}/openings/import", s.importCSV)
	handle("GET", "/me/profile", s.myProfile)
	handle("PUT", "/me/profile", s.saveProfile)
	handle("GET", "/me/tracks", s.myTracks)
	handle("GET", "/me/recommendations", s.recommendations)
	handle("GET", "/me/saved-searches", s.savedSearches)
	handle("POST", "/me/saved-searches", s.saveSearch)
	handle("DELETE", "/me/saved-searches/{id}", s.deleteSearch)
	handle("GET", "/me/notifications", s.notifications)
	public("GET", "/competencies", s.competencies)
	// The placement agent's pipeline.
	handle("GET", "/agencies/{id}/settings", s.agencySettings)
	handle("PUT", "/agencies/{id}/settings", s.saveAgencySettings)
	public("GET", "/agencies/{id}/contact", s.agencyContact)
	public("POST", "/agencies/{id}/contact", s.submitContact)
	handle("GET", "/agencies/{id}/leads", s.agencyLeads)
	handle("POST", "/agencies/{id}/leads", s.createLead)
	handle("GET", "/leads/{id}", s.getLead)
	handle("GET", "/leads/{id}/duplicates", s.leadDuplicates)
	handle("POST", "/leads/{id}/merge", s.mergeLead)
	handle("POST", "/leads/{id}/invitation", s.inviteLead)
	public("GET", "/leads/claim", s.leadClaim)
	handle("POST", "/leads/claim", s.acceptLeadClaim)
	handle("GET", "/me/leads", s.myLeads)
	handle("PUT", "/me/leads/{id}/consent", s.setConsent)
	handle("GET", "/leads/{id}/consultations", s.consultations)
	handle("POST", "/leads/{id}/consultations", s.scheduleConsultation)
	handle("GET", "/consultations/{id}", s.getConsultation)
	handle("PUT", "/consultations/{id}", s.recordConsultation)
	handle("GET", "/agencies/{id}/cases", s.agencyCases)
	handle("POST", "/cases", s.openCase)
	handle("GET", "/cases/{id}", s.getCase)
	handle("POST", "/cases/{id}/moves", s.moveCase)
	handle("POST", "/cases/{id}/reopen", s.reopenCase)
	handle("PUT", "/cases/{id}/checklist", s.confirmItems)
	handle("POST", "/cases/{id}/interviews", s.scheduleInterview)
	handle("POST", "/cases/{id}/review", s.reviewCase)
	handle("GET", "/interviews/{id}/ics", s.interviewICS)
	handle("POST", "/interviews/{id}/cancel", s.cancelInterview)
	handle("POST", "/interviews/{id}/scorecards", s.submitScorecard)
	handle("GET", "/institutions/{id}/cases", s.institutionCases)
	handle("GET", "/me/cases", s.myCases)
	handle("GET", "/agencies/{id}/follow-ups", s.followUps)
	handle("POST", "/follow-ups", s.createFollowUp)
	handle("POST", "/follow-ups/{id}/finish", s.finishFollowUp)
	handle("POST", "/follow-ups/{id}/reopen", s.reopenFollowUp)
	handle("GET", "/agencies/{id}/report", s.agencyReport)
	handle("GET", "/agencies/{id}/report.csv", s.agencyReportCSV)
	// 地域枠 coordination: programs, medical areas, enrolments with their
	// ledgers, and multi-year plans (regional.go).
	handle("GET", "/programs", s.programs)
	handle("POST", "/programs", s.createProgram)
	handle("GET", "/programs/{id}", s.getProgram)
	handle("PUT", "/programs/{id}", s.updateProgram)
	handle("GET", "/areas", s.areas)
	handle("POST", "/areas", s.createArea)
	handle("PUT", "/areas/{id}/classes/{year}", s.setAreaClass)
	handle("POST", "/enrollments", s.enroll)
	handle("GET", "/enrollments", s.enrollments)
	handle("GET", "/enrollments/{id}", s.getEnrollment)
	handle("POST", "/enrollments/{id}/placements", s.addPlacement)
	handle("POST", "/enrollments/{id}/suspensions", s.addSuspension)
	handle("DELETE", "/enrollments/{id}/entries/{kind}/{entry}", s.removeEntry)
	handle("POST", "/enrollments/{id}/departure", s.recordDeparture)
	handle("GET", "/enrollments/{id}/plans", s.plans)
	handle("POST", "/enrollments/{id}/plans", s.createPlan)
	handle("GET", "/enrollments/{id}/compare", s.comparePlans)
	handle("POST", "/plans/check", s.checkPlan)
	handle("GET", "/plans/{id}", s.getPlan)
	handle("PUT", "/plans/{id}", s.updatePlan)
	handle("DELETE", "/plans/{id}", s.deletePlan)
	handle("GET", "/me/enrollments", s.myEnrollments)
	// A prefecture's needs and its supply-and-need dashboard (dashboard.go).
	handle("GET", "/prefectures/{id}/dashboard", s.dashboard)
	handle("GET", "/prefectures/{id}/dashboard.csv", s.dashboardCSV)
	handle("GET", "/prefectures/{id}/needs", s.needs)
	handle("PUT", "/prefectures/{id}/needs", s.setNeed)
	handle("DELETE", "/prefectures/{id}/needs", s.clearNeed)
	// Mentor–mentee pairs and their meetings (mentoring.go).
	handle("GET", "/mentoring/pairs", s.mentorPairs)
	handle("POST", "/mentoring/pairs", s.createMentorPair)
	handle("GET", "/mentoring/pairs/{id}", s.getMentorPair)
	handle("PATCH", "/mentoring/pairs/{id}", s.updateMentorPair)
	handle("POST", "/mentoring/pairs/{id}/end", s.endMentorPair)
	handle("GET", "/mentoring/pairs/{id}/meetings", s.mentoringMeetings)
	handle("POST", "/mentoring/pairs/{id}/meetings", s.recordMentoringMeeting)
	handle("GET", "/mentoring/meetings/{id}", s.getMentoringMeeting)
	handle("PUT", "/mentoring/meetings/{id}/reflection", s.reflectOnMeeting)
	// The clinic owners' Q&A board (community.go).
	s.communityRoutes(handle, public)
	// Events, registrations, group work, materials and surveys (events.go).
	s.eventsRoutes(handle, public)
	// Confidential 面談記録, their sharing agreements, and the doctor's
	// consents and audit trail (records.go).
	handle("GET", "/records", s.listRecords)
	handle("POST", "/records", s.createRecord)
	handle("GET", "/records/{id}", s.getRecord)
	handle("PUT", "/records/{id}", s.updateRecord)
	handle("GET", "/organisations/{id}/agreements", s.agreements)
	handle("POST", "/organisations/{id}/agreements", s.createAgreement)
	handle("POST", "/agreements/{id}/revoke", s.revokeAgreement)
	handle("GET", "/me/record-consents", s.myRecordConsents)
	handle("POST", "/me/record-consents", s.giveRecordConsent)
	handle("DELETE", "/me/record-consents/{org}", s.withdrawRecordConsent)
	handle("GET", "/me/record-reads", s.myRecordReads)
	// The annual placement round (rounds.go).
	handle("GET", "/rounds", s.listRounds)
	handle("POST", "/rounds", s.openRound)
	handle("GET", "/rounds/{id}", s.getRound)
	handle("PUT", "/rounds/{id}", s.updateRound)
	handle("GET", "/rounds/{id}/lists", s.roundLists)
	handle("POST", "/rounds/{id}/lists", s.submitList)
	handle("GET", "/rounds/{id}/lists/{doctor}", s.doctorList)
	handle("GET", "/rounds/{id}/institutions/{inst}/candidates", s.candidates)
	handle("GET", "/rounds/{id}/institutions/{inst}/ranking", s.getRanking)
	handle("PUT", "/rounds/{id}/institutions/{inst}/ranking", s.submitRanking)
	handle("GET", "/rounds/{id}/institutions/{inst}/placements", s.institutionPlacements)
	handle("POST", "/rounds/{id}/run", s.runRound)
	handle("GET", "/rounds/{id}/preview", s.previewRound)
	handle("POST", "/rounds/{id}/publish", s.publishRound)
	handle("GET", "/rounds/{id}/placements/{doctor}", s.doctorPlacement)
	handle("GET", "/rounds/{id}/export", s.roundCSV)
	handle("GET", "/rounds/{id}/result.csv", s.resultCSV)
	// An organisation's outgoing webhooks and their deliveries.
	handle("GET", "/organisations/{id}/webhooks", s.webhooks)
	handle("POST", "/organisations/{id}/webhooks", s.createWebhook)
	handle("PATCH", "/organisations/{id}/webhooks/{webhook}", s.setWebhookEnabled)
	handle("DELETE", "/organisations/{id}/webhooks/{webhook}", s.deleteWebhook)
	handle("POST", "/organisations/{id}/webhooks/{webhook}/test", s.testWebhook)
	handle("GET", "/organisations/{id}/deliveries", s.deliveries)
	mux.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		s.problem(w, r, apperr.E(apperr.NotFound, "そのAPIはありません。/api/v1/openapi.json を参照してください。"))
	})
	return mux
}

// authed resolves the caller (token first, then cookie), enforces token
// scopes and pending sign-in requirements, then runs h. Unless required,
// a caller without credentials runs h with a nil *httpx.Current.
func (s *Server) authed(h handlerFunc, required bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cur, err := s.Session.FromBearer(r)
		if err == nil && cur == nil {
			cur, err = s.Session.FromCookie(r)
		}
		if !required && apperr.Is(err, apperr.Unauthorized) && r.Header.Get("Authorization") == "" {
			if err := h(w, r, nil); err != nil {
				s.problem(w, r, err)
			}
			return
		}
		if err != nil {
			s.problem(w, r, err)
			return
		}
		if cur.Token != nil && cur.Token.Scope == auth.ScopeRead && r.Method != http.MethodGet {
			s.Accounts.Audit.Try(r.Context(), audit.Entry{Action: audit.AccessDenied, ActorID: cur.User.ID, ObjectKind: "api_token",
				ObjectID: cur.Token.ID, Detail: "read-only token: " + r.Method + " " + r.URL.Path})
			s.problem(w, r, apperr.E(apperr.Forbidden, "このトークンは読み取り専用です。"))
			return
		}
		switch cur.Requirement {
		case auth.NextChangePassword:
			s.problem(w, r, apperr.E(apperr.Forbidden, "先に画面からパスワードを変更してください。"))
			return
		case auth.NextEnrolTOTP:
			s.problem(w, r, apperr.E(apperr.Forbidden, "先に画面から二段階認証を設定してください。"))
			return
		}
		r = r.WithContext(httpx.WithCurrent(r.Context(), cur))
		if err := h(w, r, cur); err != nil {
			s.problem(w, r, err)
		}
	})
}

// Problem is an RFC 9457 problem detail.
type Problem struct {
	Type      string            `json:"type"`
	Title     string            `json:"title"`
	Status    int               `json:"status"`
	Detail    string            `json:"detail"`
	Instance  string            `json:"instance,omitempty"`
	Code      apperr.Code       `json:"code"`
	RequestID string            `json:"request_id"`
	Errors    map[string]string `json:"errors,omitempty"`
}

// problem writes err as problem+json; internals are logged, never sent.
func (s *Server) problem(w http.ResponseWriter, r *http.Request, err error) {
	code := apperr.CodeOf(err)
	status := httpx.Status(code)
	reqID := reqinfo.From(r.Context()).RequestID
	if status >= 500 {
		s.Log.Error("api request failed", "err", err, "path", r.URL.Path, "request_id", reqID)
	}
	WriteProblem(w, Problem{Type: "https://hakui.example/problems/" + string(code), Title: http.StatusText(status), Status: status,
		Detail: apperr.MessageOf(err), Instance: r.URL.Path, Code: code, RequestID: reqID, Errors: apperr.FieldsOf(err)})
}

// WriteProblem writes p with its status.
func WriteProblem(w http.ResponseWriter, p Problem) {
	if p.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="hakui"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	json.NewEncoder(w).Encode(p)
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

// decode reads a JSON body strictly: the right content type, no unknown
// fields, one value, at most 1 MiB. Each failure says what to fix.
func decode(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return apperr.E(apperr.Invalid, "Content-Type: application/json で送信してください。")
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		var maxErr *http.MaxBytesError
		switch {
		case errors.As(err, &maxErr):
			return apperr.E(apperr.Invalid, "本文が大きすぎます。")
		case errors.As(err, &syn):
			return apperr.E(apperr.Invalid, "JSONの形式が正しくありません(%d バイト目)。", syn.Offset)
		case errors.As(err, &typ):
			return apperr.InvalidFields(map[string]string{typ.Field: fmt.Sprintf("%s 型で指定してください。", typ.Type)})
		case errors.Is(err, io.EOF):
			return apperr.E(apperr.Invalid, "本文が空です。")
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			return apperr.E(apperr.Invalid, "不明な項目があります: %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
		}
		return apperr.E(apperr.Invalid, "本文を読み取れませんでした。")
	}
	if dec.More() {
		return apperr.E(apperr.Invalid, "本文にはJSONの値を1つだけ含めてください。")
	}
	return nil
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.E(apperr.NotFound, "見つかりません。")
	}
	return id, nil
}

func queryInt(r *http.Request, name string) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, apperr.InvalidFields(map[string]string{name: "0以上の整数で指定してください。"})
	}
	return n, nil
}
