package web

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/mentoring"
	"github.com/hakui-dev/hakui/internal/placement"
	"github.com/hakui-dev/hakui/internal/regional"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

type dashboardCard struct{ Title, Body, Href string }

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	var cards []dashboardCard
	add := func(title, body, href string) { cards = append(cards, dashboardCard{title, body, href}) }
	title := "ダッシュボード"
	for _, g := range cur.Grants {
		switch g.Role {
		case identity.RoleDoctor:
			title = "医師ダッシュボード"
			add("求人を探す", "常勤・定期非常勤・スポット・当直・在宅の求人を、応募できるかどうかと適合度つきで探せます。", "/openings")
			add("プロフィール", "経歴・専門・資格・スキル・希望条件を登録すると、求人ごとの適合と不足が分かります。", "/profile")
			add("キャリア", "選んだキャリアトラックの進み具合と、次のステップに役立つ求人。", "/career")
			add("応募と保存した検索", "応募の状況と、新着を知らせる検索条件。", "/me/applications")
			add("閲覧記録", "あなたの記録を誰がいつ見たかを確認できます。", "/me/audit")
			body := "人材紹介エージェントを通じた紹介の状況、医療機関に共有した内容、紹介会社への同意。"
			if cases, err := s.Placement.Cases(r.Context(), cur.Actor(), placement.CaseFilter{}); err == nil && len(cases) > 0 {
				body = strconv.Itoa(len(cases)) + "件の紹介案件があります。共有した内容と紹介会社への同意を確認できます。"
			}
			add("紹介", body, "/me/cases")
			if mine, err := s.Regional.MyEnrollments(r.Context(), cur.Actor()); err == nil && len(mine) > 0 {
				var parts []string
				for _, v := range mine {
					parts = append(parts, v.Enrollment.ProgramName+": "+v.Summary.Status.Label())
				}
				add("地域枠の義務と計画", strings.Join(parts, "、")+"。義務年限の進み具合、完了見込み、複数年計画。", "/me/obligation")
				add("年次の配置", "都道府県の配置に希望する医療機関を提出し、公開後は配置先とその理由を確認できます。", "/me/rounds")
				add("面談記録と同意", "健康に関する記録への同意と、誰がいつあなたの面談記録を閲覧したか。", "/me/records")
			}
			if s.Mentoring != nil {
				if pairs, err := s.Mentoring.Pairs(r.Context(), cur.Actor(), false); err == nil && slices.ContainsFunc(pairs, func(p mentoring.Pair) bool {
					return mentoring.SideOf(cur.Actor(), &p) != ""
				}) {
					add("メンタリング", "メンター・メンティーとの面談の記録と、あなたが学んだこと。", "/mentoring")
				}
			}
		case identity.RoleInstitutionStaff:
			title = "医療機関ダッシュボード"
			add(g.OrgName+"の求人", "求人の掲載・編集・募集終了、CSVの取り込みと書き出し、届いた応募。", "/orgs/"+strconv.FormatInt(g.OrgID, 10)+"/openings")
			add("医療機関の紹介", "理念(患者様第一など)や診療科を求職中の医師に伝えます。", "/institutions/"+strconv.FormatInt(g.OrgID, 10))
			add("スタッフ", "スタッフの一覧と招待。", "/orgs/"+strconv.FormatInt(g.OrgID, 10))
			body := "人材紹介エージェントから紹介された医師、面接の日程と評価。"
			if cases, err := s.Placement.Cases(r.Context(), cur.Actor(), placement.CaseFilter{InstitutionID: g.OrgID}); err == nil && len(cases) > 0 {
				body = strconv.Itoa(len(cases)) + "人の医師が紹介されています。面接の日程と評価を確認できます。"
			}
			add("紹介された医師", body, "/institution/candidates")
			add("地域枠医師の配置", "都道府県の年次の配置で、希望した医師に順位をつけ、公開後は配置された医師を確認します。", "/institution/rounds")
			if g.OrgAdmin {
				add("Webhook 通知", "医師の紹介を Slack・Discord・Chatwork に知らせます。送信履歴も確認できます。", "/orgs/"+strconv.FormatInt(g.OrgID, 10)+"/webhooks")
			}
		case identity.RoleAgent:
			title = "エージェントダッシュボード"
			add(g.OrgName+"の求人", "医療機関に代わって求人を掲載し、届いた応募を確認します。", "/orgs/"+strconv.FormatInt(g.OrgID, 10)+"/openings")
			add("スタッフ", "スタッフの一覧と招待。", "/orgs/"+strconv.FormatInt(g.OrgID, 10))
			ag := agencyPage{Grant: g, All: agentGrants(cur)}
			of := ""
			if len(ag.All) > 1 {
				of = "（" + g.OrgName + "）"
			}
			body := "対応が必要なフォローアップはありません。"
			if due, err := s.Placement.FollowUps(r.Context(), cur.Actor(), placement.FollowUpFilter{AgencyID: g.OrgID,
				Statuses: []placement.FollowUpStatus{placement.FollowUpDue}}); err == nil && len(due) > 0 {
				body = "対応が必要なフォローアップが" + strconv.Itoa(len(due)) + "件あります。"
			}
			add("フォローアップ"+of, body, ag.Link("/agency/follow-ups"))
			add("案件ボード"+of, "面談から成約まで、段階ごとの案件と最近の結果。", ag.Link("/agency/board"))
			add("リード"+of, "問い合わせの一覧と新規登録、面談、同意の状況。", ag.Link("/agency/leads"))
			add("レポート"+of, "ファネル、段階ごとの日数、結果と理由。CSVで書き出せます。", ag.Link("/agency/reports"))
			add("紹介会社の設定"+of, "利用目的、保存期間、公開の問い合わせフォーム。", ag.Link("/agency/settings"))
			if g.OrgAdmin {
				add("Webhook 通知"+of, "新しいお問い合わせ、案件の結果、フォローアップの時期を Slack・Discord・Chatwork に知らせます。", "/orgs/"+strconv.FormatInt(g.OrgID, 10)+"/webhooks")
			}
		case identity.RoleCoordinator:
			title = "キャリアコーディネーターダッシュボード"
			add(g.OrgName, "地域枠の学生・医師の面談記録、義務年限、キャリアプランを支援します。", "/orgs/"+strconv.FormatInt(g.OrgID, 10))
			add("地域枠の医師"+regionalOf(cur, g), s.regionalCardBody(r, cur, regional.EnrollmentFilter{CoordinatorOrgID: g.OrgID}),
				regionalDesk{Grant: g, All: regionalGrants(cur, false)}.Link("/regional/enrollments"))
			add("メンタリング"+regionalOf(cur, g), "支援している医師とメンターのペア、面談の記録、しばらく会っていないペアのリマインド。", "/mentoring?org="+strconv.FormatInt(g.OrgID, 10))
			if g.OrgAdmin {
				add("面談記録の共有"+regionalOf(cur, g), "県など他の組織と面談記録を共有する取り決め。取り決めがなければ共有されません。",
					"/orgs/"+strconv.FormatInt(g.OrgID, 10)+"/agreements")
			}
		case identity.RolePrefectureOfficer:
			title = "都道府県担当者ダッシュボード"
			add(g.OrgName, "キャリア形成プログラム、年次の配置、医師の需給をここで扱います。", "/orgs/"+strconv.FormatInt(g.OrgID, 10))
			desk := regionalDesk{Grant: g, All: regionalGrants(cur, true)}
			add("地域枠の医師"+regionalOf(cur, g), s.regionalCardBody(r, cur, regional.EnrollmentFilter{PrefectureOrgID: g.OrgID}),
				regionalDesk{Grant: g, All: regionalGrants(cur, false)}.Link("/regional/enrollments"))
			add("キャリア形成プログラム"+regionalOf(cur, g), "義務年限、医師少数区域での年数、診療科限定、県外勤務、一時中断の上限。", desk.Link("/regional/programs"))
			add("医療圏と区分"+regionalOf(cur, g), "二次医療圏ごとの年度別の区分（医師少数区域・中程度・医師多数区域）。", desk.Link("/regional/areas"))
			add("医師の需給"+regionalOf(cur, g), "診療科×二次医療圏の配置・計画と必要数の差（ヒートマップ・CSV）、義務履行の完了率。", desk.Link("/regional/dashboard"))
			add("年次の配置"+regionalOf(cur, g), "配置を開き、医師の希望と医療機関の順位を集め、実行・確認して公開します。", desk.Link("/regional/rounds"))
			if g.OrgAdmin {
				add("面談記録の共有"+regionalOf(cur, g), "大学のキャリア支援センターなど他の組織と面談記録を共有する取り決め。", "/orgs/"+strconv.FormatInt(g.OrgID, 10)+"/agreements")
			}
		case identity.RoleModerator:
			title = "モデレーターダッシュボード"
		case identity.RoleAdmin:
			title = "管理者ダッシュボード"
			add("ユーザー管理", "アカウントの確認、セッションの終了、仮パスワードの発行。", "/admin/users")
			add("組織管理", "医療機関・紹介会社・大学・都道府県の登録と招待。", "/admin/orgs")
			add("監査ログ", "ログイン、拒否、管理操作、機密記録の閲覧の記録。改ざん検知付き。", "/admin/audit")
		}
	}
	s.communityCards(r, cur, add)
	s.eventsCards(r, cur, add)
	s.render(w, r, http.StatusOK, "dashboard", &page{Title: title, Data: map[string]any{"Cards": cards, "Open": "開く"}})
}

func (s *Server) profilePage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.render(w, r, http.StatusOK, "settings_profile", &page{Title: "プロフィール設定"})
}

func (s *Server) updateProfile(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	p := &page{Title: "プロフィール設定"}
	if err := parseForm(r); err != nil {
		s.formError(w, r, "settings_profile", p, err)
		return
	}
	if err := s.Accounts.UpdateProfile(r.Context(), cur.Actor(), cur.User.ID, r.PostForm.Get("display_name"), r.PostForm.Get("locale")); err != nil {
		s.formError(w, r, "settings_profile", p, err)
		return
	}
	s.setFlash(w, "プロフィールを保存しました。")
	redirect(w, r, "/settings")
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.render(w, r, http.StatusOK, "settings_password", &page{Title: "パスワードの変更",
		Data: map[string]any{"Forced": cur.Requirement == auth.NextChangePassword}})
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	forced := cur.Requirement == auth.NextChangePassword
	p := &page{Title: "パスワードの変更", Data: map[string]any{"Forced": forced}}
	if err := parseForm(r); err != nil {
		s.formError(w, r, "settings_password", p, err)
		return
	}
	token, _, err := s.Auth.ChangePassword(r.Context(), cur.Session, r.PostForm.Get("current"), r.PostForm.Get("password"),
		r.PostForm.Get("confirm"), !forced)
	if err != nil {
		s.formError(w, r, "settings_password", p, err)
		return
	}
	s.setSession(w, token)
	s.setFlash(w, "パスワードを変更しました。他の端末のログインは終了しました。")
	redirect(w, r, "/dashboard")
}

func (s *Server) totpData(r *http.Request, cur *httpx.Current) (map[string]any, error) {
	data := map[string]any{"Required": cur.Requirement == auth.NextEnrolTOTP, "CanDisable": !identity.NeedsTOTP(cur.Grants)}
	if cur.User.TOTPEnabled {
		n, err := s.Auth.Store.RecoveryCodesLeft(r.Context(), cur.User.ID)
		if err != nil {
			return nil, err
		}
		data["CodesLeft"] = n
		return data, nil
	}
	if enr, err := s.Auth.PendingTOTP(r.Context(), cur.User); err == nil {
		data["Enrolment"] = enr
		data["QR"] = base64.StdEncoding.EncodeToString(enr.QRPNG)
	} else if !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	return data, nil
}

func (s *Server) totpSettings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	data, err := s.totpData(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "settings_2fa", &page{Title: "二段階認証", Data: data})
}

// totpError shows the two-factor page again with what went wrong.
func (s *Server) totpError(w http.ResponseWriter, r *http.Request, cur *httpx.Current, err error) {
	data, derr := s.totpData(r, cur)
	if derr != nil {
		s.fail(w, r, derr)
		return
	}
	s.formError(w, r, "settings_2fa", &page{Title: "二段階認証", Data: data}, err)
}

func (s *Server) beginTOTP(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if _, err := s.Auth.BeginTOTP(r.Context(), cur.User); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/settings/2fa")
}

func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	codes, token, _, err := s.Auth.ConfirmTOTP(r.Context(), cur.Session, r.PostForm.Get("code"))
	if err != nil {
		s.totpError(w, r, cur, err)
		return
	}
	s.setSession(w, token)
	// The codes are shown once, in this response; they are stored only hashed.
	user := *cur.User
	user.TOTPEnabled = true
	shown := *cur
	shown.User, shown.Requirement = &user, ""
	r = r.WithContext(httpx.WithCurrent(r.Context(), &shown))
	s.render(w, r, http.StatusOK, "settings_2fa", &page{Title: "二段階認証", Flash: "二段階認証を有効にしました。",
		Data: map[string]any{"RecoveryCodes": codes}})
}

func (s *Server) disableTOTP(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.Auth.DisableTOTP(r.Context(), cur.Session, r.PostForm.Get("current")); err != nil {
		s.totpError(w, r, cur, err)
		return
	}
	s.setFlash(w, "二段階認証を無効にしました。")
	redirect(w, r, "/settings/2fa")
}

func (s *Server) sessionsPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	sessions, err := s.Views.Sessions(r.Context(), cur.Actor(), cur.User.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "settings_sessions", &page{Title: "ログイン中の端末", Data: map[string]any{"Sessions": sessions}})
}

func (s *Server) endSession(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.act(w, r, func(id int64) error { return s.Views.EndSession(r.Context(), cur.Actor(), id) },
		"セッションを終了しました。", "/settings/sessions")
}

func (s *Server) endOtherSessions(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	sessions, err := s.Views.Sessions(r.Context(), cur.Actor(), cur.User.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, sess := range sessions {
		if sess.ID != cur.Session.ID {
			if err := s.Views.EndSession(r.Context(), cur.Actor(), sess.ID); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	}
	s.setFlash(w, "この端末以外のログインをすべて終了しました。")
	redirect(w, r, "/settings/sessions")
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderTokens(w, r, cur, &page{Title: "APIトークン"}, "", nil)
}

func (s *Server) renderTokens(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, secret string, formErr error) {
	tokens, err := s.Views.Tokens(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = map[string]any{"Tokens": tokens, "NewSecret": secret}
	if formErr != nil {
		s.formError(w, r, "settings_tokens", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "settings_tokens", p)
}

func (s *Server) createToken(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	p := &page{Title: "APIトークン"}
	if err := parseForm(r); err != nil {
		s.renderTokens(w, r, cur, p, "", err)
		return
	}
	days, err := strconv.Atoi(r.PostForm.Get("expires_in_days"))
	if err != nil || days < 1 || days > 366 {
		s.renderTokens(w, r, cur, p, "", apperr.InvalidFields(map[string]string{"expires_in_days": "有効期限は1〜366日の数字で指定してください。"}))
		return
	}
	secret, _, err := s.Auth.CreateAPIToken(r.Context(), cur.User.ID, r.PostForm.Get("name"), auth.Scope(r.PostForm.Get("scope")),
		time.Duration(days)*24*time.Hour)
	if err != nil {
		s.renderTokens(w, r, cur, p, "", err)
		return
	}
	s.renderTokens(w, r, cur, p, secret, nil)
}

func (s *Server) revokeToken(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.act(w, r, func(id int64) error { return s.Views.RevokeToken(r.Context(), cur.Actor(), id) },
		"トークンを無効にしました。", "/settings/tokens")
}

// regionalOf names the organisation in a card's title when the user serves
// several as a coordinator or officer.
func regionalOf(cur *httpx.Current, g identity.Grant) string {
	if len(regionalGrants(cur, false)) > 1 {
		return "（" + g.OrgName + "）"
	}
	return ""
}

// regionalCardBody counts the enrolments by status for a dashboard card.
func (s *Server) regionalCardBody(r *http.Request, cur *httpx.Current, f regional.EnrollmentFilter) string {
	list, err := s.Regional.Enrollments(r.Context(), cur.Actor(), f)
	if err != nil || len(list) == 0 {
		return "地域枠の医師の義務年限の状況、台帳、複数年計画。医師をプログラムに登録できます。"
	}
	parts := []string{strconv.Itoa(len(list)) + "人"}
	for _, c := range statusCounts(list) {
		parts = append(parts, c.Status.Label()+" "+strconv.Itoa(c.Count)+"人")
	}
	return strings.Join(parts, "・") + "。状況と理由、台帳、複数年計画。"
}
