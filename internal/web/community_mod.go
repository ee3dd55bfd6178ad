package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/community"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/markdown"
)

// communityModRoutes are the moderators' pages: applications, reports,
// held posts, sanctions, tags, settings, companies and the log.
func (s *Server) communityModRoutes(mux *http.ServeMux) {
	mux.Handle("GET /community/mod", s.signedIn(s.communityMod))
	mux.Handle("POST /community/mod/applications/{id}", s.signedIn(s.communityDecide))
	mux.Handle("POST /community/mod/posts/{id}", s.signedIn(s.communityModeratePost))
	mux.Handle("POST /community/mod/posts/{id}/reveal", s.signedIn(s.communityReveal))
	mux.Handle("POST /community/mod/posts/{id}/sanction", s.signedIn(s.communitySanctionAuthor))
	mux.Handle("POST /community/mod/members/{id}/sanction", s.signedIn(s.communitySanctionMember))
	mux.Handle("POST /community/mod/reports/{id}/close", s.signedIn(s.communityCloseReport))
	mux.Handle("GET /community/mod/tags", s.signedIn(s.communityModTags))
	mux.Handle("POST /community/mod/tags", s.signedIn(s.communitySaveTag))
	mux.Handle("GET /community/mod/settings", s.signedIn(s.communityModSettings))
	mux.Handle("POST /community/mod/settings", s.signedIn(s.communitySaveSettings))
	mux.Handle("GET /community/mod/companies", s.signedIn(s.communityModCompanies))
	mux.Handle("POST /community/mod/companies", s.signedIn(s.communityCreateCompany))
	mux.Handle("POST /community/mod/companies/{id}/contacts", s.signedIn(s.communityAddContact))
	mux.Handle("POST /community/mod/companies/{id}/disable", s.signedIn(s.communityDisableCompany))
	mux.Handle("GET /community/mod/log", s.signedIn(s.communityModLog))
}

// sanctionKind is a choice of the sanction forms.
type sanctionKind struct {
	Kind  community.ActionKind
	Until bool // needs an end date
}

// sanctionKinds are the sanctions in order of weight.
var sanctionKinds = []sanctionKind{{community.ActWarn, false}, {community.ActSilence, true}, {community.ActSuspend, true},
	{community.ActBan, false}, {community.ActLift, false}}

// requireModerator refuses anyone who does not moderate the board.
func (s *Server) requireModerator(r *http.Request, cur *httpx.Current) error {
	st, err := s.Community.Standing(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	if !st.Moderator {
		return apperr.E(apperr.Forbidden, "モデレーターだけが使える画面です。")
	}
	return nil
}

func (s *Server) communityMod(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderMod(w, r, cur, &page{}, nil)
}

// renderMod draws the moderators' queue: applications, open reports and
// held posts.
func (s *Server) renderMod(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	ctx, actor := r.Context(), cur.Actor()
	apps, err := s.Community.Applications(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reports, err := s.Community.Reports(ctx, actor, community.ReportOpen)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	held, err := s.Community.HeldPosts(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type reportRow struct {
		community.ReportView
		Excerpt, Link string
	}
	rows := make([]reportRow, len(reports))
	for i, rv := range reports {
		rows[i] = reportRow{ReportView: rv, Excerpt: markdown.Excerpt(rv.Post.Body, 200), Link: communityLink(&rv.Post)}
	}
	type heldRow struct {
		community.PostView
		Excerpt, Link string
	}
	heldRows := make([]heldRow, len(held))
	for i := range held {
		heldRows[i] = heldRow{PostView: held[i], Excerpt: markdown.Excerpt(held[i].Body, 200), Link: communityLink(&held[i])}
	}
	if p.Form == nil {
		p.Form = url.Values{}
	}
	p.Title = "掲示板のモデレーション"
	p.Data = map[string]any{"Applications": apps, "Reports": rows, "Held": heldRows, "Kinds": sanctionKinds,
		"Webhooks": platformWebhooks(cur)}
	if formErr != nil {
		s.pageError(w, r, "community_mod", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_mod", p)
}

// platformWebhooks is the platform organisation's webhooks page, where
// new questions are posted, for an administrator of that organisation;
// "" for anyone else (the page would refuse them).
func platformWebhooks(cur *httpx.Current) string {
	for _, g := range cur.Grants {
		if g.OrgKind == identity.OrgPlatform && g.OrgAdmin && g.OrgID != 0 {
			return "/orgs/" + strconv.FormatInt(g.OrgID, 10) + "/webhooks"
		}
	}
	return ""
}

// threadID matches the path of a thread, to return to it.
func threadID(back string) int64 {
	rest, ok := strings.CutPrefix(back, "/community/questions/")
	if !ok {
		return 0
	}
	if i := strings.IndexAny(rest, "#?/"); i >= 0 {
		rest = rest[:i]
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// memberID matches the path of a member's card, to return to it.
func memberID(back string) int64 {
	rest, ok := strings.CutPrefix(back, "/community/members/")
	if !ok {
		return 0
	}
	if i := strings.IndexAny(rest, "#?/"); i >= 0 {
		rest = rest[:i]
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

// modAction runs a moderator's POST on the {id} object, then flashes and
// returns to the page named by the "back" field (the queue by default).
// Bad input is shown on the page the form was on, kept as typed; the form
// is named by the "form" field, key-{id} by default.
func (s *Server) modAction(w http.ResponseWriter, r *http.Request, cur *httpx.Current, key string, do func(id int64, v url.Values) (string, error)) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	if v.Get("form") == "" {
		v.Set("form", key+"-"+strconv.FormatInt(id, 10))
	}
	back := localPath(v.Get("back"), "/community/mod")
	flash, err := do(id, v)
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) && !apperr.Is(err, apperr.Conflict) {
			s.fail(w, r, err)
			return
		}
		if q := threadID(back); q != 0 {
			s.renderThread(w, r, cur, q, &page{Form: cloneValues(v)}, err)
			return
		}
		if m := memberID(back); m != 0 {
			s.renderMember(w, r, cur, m, &page{Form: cloneValues(v)}, err)
			return
		}
		s.renderMod(w, r, cur, &page{Form: cloneValues(v)}, err)
		return
	}
	s.setFlash(w, flash)
	redirect(w, r, back)
}

func (s *Server) communityDecide(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.modAction(w, r, cur, "app", func(id int64, v url.Values) (string, error) {
		approve := v.Get("decision") == "approve"
		if !approve && v.Get("decision") != "reject" {
			return "", invalid(map[string]string{"decision": "承認するか見送るかを選んでください。"})
		}
		if err := s.Community.DecideApplication(r.Context(), cur.Actor(), id, formVersion(v), approve, strings.TrimSpace(v.Get("reason"))); err != nil {
			return "", err
		}
		if approve {
			return "参加を承認しました。", nil
		}
		return "参加を見送りました。理由は申込者に表示されます。", nil
	})
}

func (s *Server) communityModeratePost(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.modAction(w, r, cur, "mod", func(id int64, v url.Values) (string, error) {
		m := community.Moderate{Reason: strings.TrimSpace(v.Get("reason"))}
		var flash string
		switch v.Get("action") {
		case "approve":
			m.Kind, flash = community.ActApprovePost, "投稿を承認して公開しました。"
		case "hide":
			m.Kind, flash = community.ActHide, "投稿を非表示にしました。理由は投稿者に伝わります。"
		case "private":
			m.Kind, m.Private, flash = community.ActHide, true, "患者情報・個人情報を含む投稿として非表示にしました。関連する通報も対応済みにしました。"
			if m.Reason == "" {
				m.Reason = "患者さんや個人を特定できる情報が含まれていたため、非表示にしました。"
			}
		case "restore":
			m.Kind, flash = community.ActRestore, "投稿を再表示しました。"
		default:
			return "", invalid(map[string]string{"action": "操作を選んでください。"})
		}
		return flash, s.Community.ModeratePost(r.Context(), cur.Actor(), id, m)
	})
}

// sanctionFrom reads a sanction form.
func sanctionFrom(v url.Values) (community.Sanction, error) {
	in := community.Sanction{Kind: community.ActionKind(v.Get("kind")), Reason: strings.TrimSpace(v.Get("reason"))}
	fields := map[string]string{}
	known := false
	for _, k := range sanctionKinds {
		if k.Kind == in.Kind {
			known = true
			if k.Until {
				if t, ok := untilDate(v.Get("until")); ok {
					in.Until = t
				} else {
					fields["until"] = "期限の日付を YYYY-MM-DD の形式で入力してください。"
				}
			}
		}
	}
	if !known {
		fields["kind"] = "対応を選んでください。"
	}
	if len(fields) > 0 {
		return in, invalid(fields)
	}
	return in, nil
}

func sanctionFlash(k community.ActionKind) string {
	return k.Label() + "を記録しました。理由は会員に表示されます。"
}

func (s *Server) communitySanctionAuthor(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.modAction(w, r, cur, "sanction", func(id int64, v url.Values) (string, error) {
		in, err := sanctionFrom(v)
		if err != nil {
			return "", err
		}
		in.PostID = id
		return sanctionFlash(in.Kind), s.Community.SanctionAuthor(r.Context(), cur.Actor(), id, in)
	})
}

func (s *Server) communitySanctionMember(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.modAction(w, r, cur, "member", func(id int64, v url.Values) (string, error) {
		in, err := sanctionFrom(v)
		if err != nil {
			return "", err
		}
		return sanctionFlash(in.Kind), s.Community.SanctionMember(r.Context(), cur.Actor(), id, in)
	})
}

func (s *Server) communityCloseReport(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.modAction(w, r, cur, "report", func(id int64, v url.Values) (string, error) {
		st := community.ReportStatus(v.Get("status"))
		if st != community.ReportResolved && st != community.ReportDismissed {
			return "", invalid(map[string]string{"status": "対応済みか対応不要かを選んでください。"})
		}
		return "通報を「" + st.Label() + "」にしました。", s.Community.CloseReport(r.Context(), cur.Actor(), id, st, strings.TrimSpace(v.Get("resolution")))
	})
}

// communityReveal tells the moderator who wrote an anonymous post, on the
// thread, once; the look-up is audited by the service.
func (s *Server) communityReveal(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, q, err := s.threadOf(r, cur, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := cloneValues(r.PostForm)
	card, err := s.Community.RevealAuthor(r.Context(), cur.Actor(), id, strings.TrimSpace(v.Get("reason")))
	if err != nil {
		if !apperr.Is(err, apperr.Invalid) {
			s.fail(w, r, err)
			return
		}
		v.Set("form", "reveal-"+strconv.FormatInt(id, 10))
		s.renderThread(w, r, cur, q, &page{Form: v}, err)
		return
	}
	s.renderThread(w, r, cur, q, &page{Flash: "匿名の投稿者を確認しました。この確認は監査ログとモデレーションログに記録されました。",
		Data: map[string]any{"Revealed": card, "RevealedPost": id}}, nil)
}

// ---- Tags ----

func (s *Server) communityModTags(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderModTags(w, r, cur, &page{}, nil)
}

func (s *Server) renderModTags(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	if err := s.requireModerator(r, cur); err != nil {
		s.fail(w, r, err)
		return
	}
	tags, err := s.Community.Tags(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Form == nil {
		p.Form = url.Values{}
	}
	p.Title = "タグの管理"
	p.Data = map[string]any{"Tags": tags, "Categories": community.TagCategories}
	if formErr != nil {
		s.pageError(w, r, "community_mod_tags", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_mod_tags", p)
}

func (s *Server) communitySaveTag(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	fields := map[string]string{}
	in := community.TagInput{ID: formID(v, "id", "タグを選び直してください。", fields), Name: v.Get("name"),
		Category: community.TagCategory(v.Get("category")), Description: strings.TrimSpace(v.Get("description")),
		Synonyms: splitTags(v.Get("synonyms"))}
	p := &page{Form: cloneValues(v)}
	if len(fields) > 0 {
		s.renderModTags(w, r, cur, p, invalid(fields))
		return
	}
	t, err := s.Community.SaveTag(r.Context(), cur.Actor(), in)
	if err != nil {
		s.renderModTags(w, r, cur, p, err)
		return
	}
	s.setFlash(w, "タグ「"+t.Name+"」を保存しました。")
	redirect(w, r, "/community/mod/tags")
}

// ---- Settings ----

func (s *Server) communityModSettings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderModSettings(w, r, cur, &page{}, nil)
}

func (s *Server) renderModSettings(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	if err := s.requireModerator(r, cur); err != nil {
		s.fail(w, r, err)
		return
	}
	set, err := s.Community.Settings(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Form == nil || apperr.Is(formErr, apperr.Conflict) {
		stale := p.Form
		p.Form = url.Values{"rules": {set.Rules}, "hold_first_posts": {strconv.Itoa(set.HoldFirstPosts)}, "version": {strconv.Itoa(set.Version)}}
		if stale != nil {
			p.Form.Set("rules", stale.Get("rules"))
			p.Form.Set("hold_first_posts", stale.Get("hold_first_posts"))
		}
	}
	p.Title = "掲示板の設定"
	p.Data = map[string]any{"Settings": set, "Conflict": apperr.Is(formErr, apperr.Conflict)}
	if formErr != nil {
		s.pageError(w, r, "community_mod_settings", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_mod_settings", p)
}

func (s *Server) communitySaveSettings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	fields := map[string]string{}
	hold := 0
	if jatext.NormalizeLine(v.Get("hold_first_posts")) != "" {
		hold = formInt(v, "hold_first_posts", "承認待ちにする最初の投稿数を数字で入力してください。", fields)
	}
	p := &page{Form: cloneValues(v)}
	if len(fields) > 0 {
		s.renderModSettings(w, r, cur, p, invalid(fields))
		return
	}
	if _, err := s.Community.SaveSettings(r.Context(), cur.Actor(), community.Settings{Rules: v.Get("rules"), HoldFirstPosts: hold,
		Version: formVersion(v)}); err != nil {
		s.renderModSettings(w, r, cur, p, err)
		return
	}
	s.setFlash(w, "掲示板の設定を保存しました。")
	redirect(w, r, "/community/mod/settings")
}

// ---- Companies ----

func (s *Server) communityModCompanies(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderModCompanies(w, r, cur, &page{}, nil)
}

func (s *Server) renderModCompanies(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	list, err := s.Community.Companies(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Form == nil {
		p.Form = url.Values{}
	}
	data := map[string]any{"Companies": list, "Base": strings.TrimRight(s.BaseURL, "/")}
	if m, ok := p.Data.(map[string]any); ok {
		for k, v := range m {
			data[k] = v
		}
	}
	p.Title = "紹介企業"
	p.Data = data
	if formErr != nil {
		s.pageError(w, r, "community_mod_companies", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "community_mod_companies", p)
}

func (s *Server) communityCreateCompany(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	co, err := s.Community.CreateCompany(r.Context(), cur.Actor(), community.CompanyInput{Name: v.Get("company_name"), Note: strings.TrimSpace(v.Get("company_note")),
		ReferralCode: jatext.NormalizeLine(v.Get("referral_code"))})
	if err != nil {
		s.renderModCompanies(w, r, cur, &page{Form: cloneValues(v)}, renameFields(err, map[string]string{"name": "company_name", "note": "company_note"}))
		return
	}
	s.setFlash(w, "「"+co.Name+"」を登録しました。紹介コード: "+co.ReferralCode)
	redirect(w, r, "/community/mod/companies")
}

func (s *Server) communityAddContact(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	email := jatext.NormalizeLine(v.Get("email"))
	temp, err := s.Community.AddContact(r.Context(), cur.Actor(), id, community.ContactInput{Email: email, Name: jatext.NormalizeLine(v.Get("name"))})
	if err != nil {
		v.Set("form", "contact-"+strconv.FormatInt(id, 10))
		s.renderModCompanies(w, r, cur, &page{Form: cloneValues(v)}, err)
		return
	}
	if temp == "" {
		s.setFlash(w, email+" を担当者として登録しました。既存のアカウントのパスワードでログインできます。")
		redirect(w, r, "/community/mod/companies")
		return
	}
	// The temporary password is shown once, on this response only.
	s.renderModCompanies(w, r, cur, &page{Flash: "担当者のアカウントを作りました。仮パスワードはこの画面でだけ表示されます。",
		Data: map[string]any{"TempEmail": email, "TempPassword": temp}}, nil)
}

func (s *Server) communityDisableCompany(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	disabled := r.PostForm.Get("disabled") != "0"
	if err := s.Community.SetCompanyDisabled(r.Context(), cur.Actor(), id, disabled); err != nil {
		s.fail(w, r, err)
		return
	}
	if disabled {
		s.setFlash(w, "紹介コードを停止しました。")
	} else {
		s.setFlash(w, "紹介コードを再開しました。")
	}
	redirect(w, r, "/community/mod/companies")
}

func (s *Server) communityModLog(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	log, err := s.Community.ModerationLog(r.Context(), cur.Actor(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "community_mod_log", &page{Title: "モデレーションログ", Data: map[string]any{"Log": log}})
}
