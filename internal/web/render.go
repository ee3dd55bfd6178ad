package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/reqinfo"
)

//go:embed templates
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// JST is Japan Standard Time; Japan keeps no daylight saving, so a fixed
// zone needs no tz database on the host.
var JST = career.JST

// assets maps a static file name to its content-hashed URL, so files can be
// cached for ever and still change on upgrade.
type assets struct {
	urls  map[string]string // "style.css" -> "/static/3f2a…/style.css"
	files map[string][]byte // "3f2a…/style.css" -> content
}

func loadAssets() (*assets, error) {
	a := &assets{urls: map[string]string{}, files: map[string][]byte{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		key := hex.EncodeToString(sum[:6]) + "/" + name
		a.urls[name] = "/static/" + key
		a.files[key] = b
		return nil
	})
	return a, err
}

func (a *assets) serve(w http.ResponseWriter, r *http.Request) {
	key := r.PathValue("hash") + "/" + r.PathValue("name")
	b, ok := a.files[key]
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch path.Ext(key) {
	case ".css":
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case ".js":
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(b)
}

// formField is what the "field" partial draws.
type formField struct {
	Name, Label, Type, Value, Error, Autocomplete, Hint string
	Required                                            bool
	Extra                                               template.HTMLAttr
}

func parseTemplates(a *assets) (map[string]*template.Template, error) {
	funcs := template.FuncMap{
		"asset": func(name string) string { return a.urls[name] },
		"jst": func(t any) string {
			switch v := t.(type) {
			case time.Time:
				return v.In(JST).Format("2006/01/02 15:04")
			case *time.Time:
				if v == nil {
					return ""
				}
				return v.In(JST).Format("2006/01/02 15:04")
			}
			return ""
		},
		"field": func(name, label, typ, value, errMsg string, required bool, autocomplete string) formField {
			return formField{Name: name, Label: label, Type: typ, Value: value, Error: errMsg, Required: required, Autocomplete: autocomplete}
		},
		"fieldHint": func(name, label, typ, value, errMsg string, required bool, autocomplete, hint string) formField {
			return formField{Name: name, Label: label, Type: typ, Value: value, Error: errMsg, Required: required, Autocomplete: autocomplete, Hint: hint}
		},
		"actionLabel":  actionLabel,
		"yen":          formatYen,
		"schedule":     scheduleText,
		"stageAnswers": stageAnswers,
		"join":         strings.Join,
		"compName": func(v *career.Vocabulary, code string) string {
			if c, ok := v.Lookup(code); ok {
				return c.Name
			}
			return code
		},
		"has": func(v url.Values, key, want string) bool { return slices.Contains(v[key], want) },
		"seq": func(n int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = i
			}
			return out
		},
		"index2": func(v url.Values, key string, i int) string {
			if i < len(v[key]) {
				return v[key][i]
			}
			return ""
		},
		"userName": func(names map[int64]string, id int64) string {
			if id == 0 {
				return "—"
			}
			if n, ok := names[id]; ok {
				return n
			}
			return fmt.Sprintf("ユーザー #%d", id)
		},
	}
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/settings_nav.html")
	if err != nil {
		return nil, err
	}
	pages, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		if name == "layout" || name == "settings_nav" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(templateFS, p)
		if err != nil {
			return nil, err
		}
		out[name] = t
	}
	return out, nil
}

// page is the data every template gets.
type page struct {
	Title     string
	Current   *httpx.Current
	Nav       []navItem
	Demo      bool
	Version   string
	Flash     string
	Errors    map[string]string
	Form      url.Values
	RequestID string
	Data      any
}

type navItem struct {
	Href, Label string
	Active      bool
}

// render writes a page with the status. Rendering goes to a buffer first,
// so a template error becomes a clean error page, not half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	t, ok := s.templates[name]
	if !ok {
		s.Log.Error("missing template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	p.Current = httpx.CurrentFrom(r.Context())
	p.Demo = s.Demo
	p.Version = s.Version
	p.RequestID = reqinfo.From(r.Context()).RequestID
	if p.Form == nil {
		p.Form = url.Values{}
	}
	if p.Flash == "" {
		p.Flash = s.takeFlash(w, r)
	}
	if p.Current != nil && p.Current.Requirement == "" {
		p.Nav = navFor(p.Current, r.URL.Path, s.enrolled(r, p.Current))
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.Log.Error("render", "template", name, "err", err, "request_id", p.RequestID)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail renders an error page for err: the user sees what to do and the
// request ID, never internals, which go to the log.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := apperr.CodeOf(err)
	status := httpx.Status(code)
	if code == apperr.Unauthorized {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if status >= 500 {
		s.Log.Error("request failed", "err", err, "path", r.URL.Path, "request_id", reqinfo.From(r.Context()).RequestID)
	}
	titles := map[int]string{400: "入力内容に誤りがあります", 403: "権限がありません", 404: "ページが見つかりません",
		409: "操作が競合しました", 429: "しばらくお待ちください", 500: "エラーが発生しました"}
	s.render(w, r, status, "error", &page{Title: titles[status], Data: map[string]string{"Message": apperr.MessageOf(err)}})
}

// formError re-renders a form with its errors when err is an invalid-input
// error, and falls back to fail otherwise.
func (s *Server) formError(w http.ResponseWriter, r *http.Request, name string, p *page, err error) {
	code := apperr.CodeOf(err)
	if code != apperr.Invalid && code != apperr.Unauthorized && code != apperr.RateLimited && code != apperr.Conflict {
		s.fail(w, r, err)
		return
	}
	p.Errors = map[string]string{"": apperr.MessageOf(err)}
	for k, v := range apperr.FieldsOf(err) {
		p.Errors[k] = v
	}
	p.Form = r.PostForm
	s.render(w, r, httpx.Status(code), name, p)
}

func (s *Server) setFlash(w http.ResponseWriter, msg string) {
	s.Cookies.Set(w, httpx.FlashCookie, url.QueryEscape(msg), time.Minute)
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	v := s.Cookies.Get(r, httpx.FlashCookie)
	if v == "" {
		return ""
	}
	s.Cookies.Clear(w, httpx.FlashCookie)
	msg, err := url.QueryUnescape(v)
	if err != nil || len(msg) > 300 {
		return ""
	}
	return msg
}

// invalid wraps per-field messages as an invalid-input error.
func invalid(fields map[string]string) error { return apperr.InvalidFields(fields) }

// act runs a POST that acts on the object named by the {id} path value,
// then flashes the message and redirects, or shows what went wrong.
func (s *Server) act(w http.ResponseWriter, r *http.Request, do func(id int64) error, flash, to string) {
	id, err := pathID(r, "id")
	if err == nil {
		err = do(id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, flash)
	redirect(w, r, to)
}

// redirect sends the browser on after a successful POST.
func redirect(w http.ResponseWriter, r *http.Request, to string) {
	http.Redirect(w, r, to, http.StatusSeeOther)
}

var actionLabels = map[string]string{
	"login.success": "ログイン", "login.failure": "ログイン失敗", "login.totp_failure": "確認コードの誤り",
	"login.rate_limited": "ログイン制限", "logout": "ログアウト", "session.ended": "セッション終了",
	"totp.enabled": "二段階認証を有効化", "totp.disabled": "二段階認証を無効化", "totp.recovery_code_used": "リカバリーコード使用",
	"password.changed": "パスワード変更", "access.denied": "アクセス拒否", "invitation.created": "招待の作成",
	"invitation.accepted": "招待の受諾", "user.registered": "ユーザー登録", "api_token.created": "APIトークン作成",
	"api_token.revoked": "APIトークン無効化", "admin.action": "管理操作", "record.read": "記録の閲覧",
}

func actionLabel(action string) string {
	if l, ok := actionLabels[action]; ok {
		return l
	}
	return action
}

// formatYen writes an amount with thousands separators: 1,200,000.
func formatYen(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

var weekdayNames = []string{"日", "月", "火", "水", "木", "金", "土"}

// scheduleText describes when an opening's work happens, in Japanese.
func scheduleText(o *openings.Opening) string {
	switch o.Schedule.Kind {
	case openings.ScheduleWeekly:
		var parts []string
		for _, w := range o.Schedule.Weekly {
			parts = append(parts, "毎週"+weekdayNames[w.Weekday]+"曜 "+w.Start+"〜"+w.End)
		}
		return strings.Join(parts, "、")
	case openings.ScheduleSingle:
		if d, err := time.Parse(time.DateOnly, o.Schedule.Date); err == nil {
			return d.Format("2006年1月2日") + "(" + weekdayNames[d.Weekday()] + ") " + o.Schedule.Start + "〜" + o.Schedule.End
		}
		return o.Schedule.Date
	}
	return "常勤"
}

type stageAnswer struct {
	Stage  career.Stage
	Answer career.StageAnswer
}

// stageAnswers lists an opening's answers in career order.
func stageAnswers(o *openings.Opening) []stageAnswer {
	var out []stageAnswer
	for _, st := range career.Stages {
		out = append(out, stageAnswer{st, o.Answers[st]})
	}
	return out
}
