package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/jatext"
)

// eventsMaterialRoutes registers the materials' pages: opening through
// the audited redirect and asking for access for everyone, and the
// organisers' decisions (the list and the add form are served by the
// dispatchers of events.go).
func (s *Server) eventsMaterialRoutes(mux *http.ServeMux) {
	mux.HandleFunc("GET /events/materials/{id}/open", s.openMaterial)
	mux.HandleFunc("GET /events/materials/{id}/request", s.materialRequestPage)
	mux.HandleFunc("POST /events/materials/{id}/request", s.requestMaterial)
	mux.Handle("POST /events/{id}/materials/requests/{rid}", s.signedIn(s.decideMaterialRequest))
}

func materialOpenPath(id int64, token string) string {
	p := "/events/materials/" + strconv.FormatInt(id, 10) + "/open"
	if token != "" {
		p += "?token=" + url.QueryEscape(token)
	}
	return p
}

// openMaterial redirects to a material's address after the service
// allowed and recorded the opening; the address never appears in a page.
func (s *Server) openMaterial(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	to, err := s.Events.Open(r.Context(), id, events.Access{Actor: actorOf(r), Token: r.URL.Query().Get("token"), Client: clientOf(r)})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// materialRequestPage is the form to ask for a material shared by
// request. ?event= names its event, so that the page shows the title.
func (s *Server) materialRequestPage(w http.ResponseWriter, r *http.Request) {
	form := url.Values{}
	if cur := httpx.CurrentFrom(r.Context()); cur != nil {
		form.Set("name", cur.User.DisplayName)
		form.Set("email", cur.User.Email)
	}
	form.Set("event", r.URL.Query().Get("event"))
	s.renderMaterialRequest(w, r, &page{Form: form}, nil)
}

func (s *Server) renderMaterialRequest(w http.ResponseWriter, r *http.Request, p *page, formErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"ID": id, "Prefectures": career.Prefectures, "Roles": events.ParticipantRoles, "Mailed": s.mailConfigured()}
	if eventID, err := strconv.ParseInt(p.Form.Get("event"), 10, 64); err == nil && eventID > 0 {
		if ev, err := s.Events.Event(r.Context(), actorOf(r), eventID); err == nil {
			if mats, err := s.Events.Materials(r.Context(), actorOf(r), eventID); err == nil {
				for _, m := range mats {
					if m.ID == id {
						data["Event"], data["Material"] = ev, m
					}
				}
			}
		}
	}
	p.Title = "資料・録画の閲覧申請"
	p.Data = data
	if formErr != nil {
		s.formError(w, r, "event_material_request", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "event_material_request", p)
}

func (s *Server) requestMaterial(w http.ResponseWriter, r *http.Request) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	_, err = s.Events.RequestMaterial(r.Context(), id, events.RequestInput{
		Name: jatext.NormalizeLine(v.Get("name")), Prefecture: jatext.NormalizeLine(v.Get("prefecture")),
		Role: v.Get("role"), Email: jatext.NormalizeEmail(v.Get("email")), Note: strings.TrimSpace(jatext.Normalize(v.Get("note"))),
	}, clientOf(r))
	if err != nil {
		if apperr.Is(err, apperr.Invalid) || apperr.Is(err, apperr.RateLimited) || apperr.Is(err, apperr.Conflict) {
			s.renderMaterialRequest(w, r, &page{Form: v}, roleMessage(err))
			return
		}
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "event_material_thanks", &page{Title: "閲覧申請を受け付けました", Data: map[string]any{"Email": v.Get("email"),
		"Mailed": s.mailConfigured()}})
}

// requestRow is a material request with its material's title.
type requestRow struct {
	events.MaterialRequest
	Material string
	Created  string
	Expires  string
}

// materialsPage lists an event's materials with their visibility, the
// add form, and the requests to decide.
func (s *Server) materialsPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderMaterials(w, r, cur, ev, &page{Form: url.Values{"kind": {string(events.KindMaterial)}, "visibility": {string(events.VisibilityRegistrants)}}}, nil, "")
}

func (s *Server) renderMaterials(w http.ResponseWriter, r *http.Request, cur *httpx.Current, ev *events.EventView, p *page, formErr error, grantedLink string) {
	ctx, actor := r.Context(), cur.Actor()
	mats, err := s.Events.Materials(ctx, actor, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	reqs, err := s.Events.MaterialRequests(ctx, actor, ev.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	titles := map[int64]string{}
	for _, m := range mats {
		titles[m.ID] = m.Title
	}
	rows := make([]requestRow, 0, len(reqs))
	for _, q := range reqs {
		row := requestRow{MaterialRequest: q, Material: titles[q.MaterialID], Created: localTimeText(q.CreatedAt)}
		if q.ExpiresAt != nil {
			row.Expires = localTimeText(*q.ExpiresAt)
		}
		rows = append(rows, row)
	}
	p.Title = ev.Title + "（資料・録画）"
	p.Data = map[string]any{"Event": ev, "Materials": mats, "Requests": rows, "GrantedLink": grantedLink, "Mailed": s.mailConfigured(),
		"Kinds":        []events.MaterialKind{events.KindMaterial, events.KindRecording},
		"Visibilities": []events.Visibility{events.VisibilityPublic, events.VisibilityRegistrants, events.VisibilityRequest}}
	if formErr != nil {
		s.formError(w, r, "event_materials", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "event_materials", p)
}

func (s *Server) addMaterial(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	in := events.MaterialInput{Kind: events.MaterialKind(v.Get("kind")), Title: jatext.NormalizeLine(v.Get("title")),
		URL: strings.TrimSpace(v.Get("url")), Visibility: events.Visibility(v.Get("visibility"))}
	if raw := jatext.NormalizeLine(v.Get("access_days")); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			s.renderMaterials(w, r, cur, ev, &page{}, invalid(map[string]string{"access_days": "閲覧できる日数は整数で入力してください。"}), "")
			return
		}
		in.AccessDays = n
	}
	if _, err := s.Events.AddMaterial(r.Context(), cur.Actor(), ev.ID, in); err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.renderMaterials(w, r, cur, ev, &page{}, renameFields(err, map[string]string{"accessdays": "access_days"}), "")
			return
		}
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "資料を追加しました。")
	redirect(w, r, eventPath(ev.ID)+"/materials")
}

// decideMaterialRequest approves or rejects a request. An approval shows
// the access link once, as it was e-mailed, for the organiser to pass on
// when the e-mail does not arrive.
func (s *Server) decideMaterialRequest(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ev, err := s.managedEvent(r, cur)
	var rid int64
	if err == nil {
		rid, err = pathID(r, "rid")
	}
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	approve := v.Get("decision") == "approve"
	if !approve && v.Get("confirm") != "1" {
		s.renderMaterials(w, r, cur, ev, &page{}, invalid(map[string]string{
			"confirm-" + strconv.FormatInt(rid, 10): "見送るときは確認にチェックを入れてください。"}), "")
		return
	}
	token, err := s.Events.DecideRequest(r.Context(), cur.Actor(), rid, approve, jatext.NormalizeLine(v.Get("reason")))
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.renderMaterials(w, r, cur, ev, &page{}, renameFields(err, map[string]string{"reason": "reason-" + strconv.FormatInt(rid, 10)}), "")
			return
		}
		s.fail(w, r, err)
		return
	}
	if !approve {
		if s.mailConfigured() {
			s.setFlash(w, "申請を見送り、理由をメールでお知らせしました。")
		} else {
			s.setFlash(w, "申請を見送りました。メールの送信が設定されていないため、申請した方には主催者から直接お知らせください。")
		}
		redirect(w, r, eventPath(ev.ID)+"/materials")
		return
	}
	link := ""
	if token != "" {
		reqs, err := s.Events.MaterialRequests(r.Context(), cur.Actor(), ev.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		for _, q := range reqs {
			if q.ID == rid {
				link = s.BaseURL + materialOpenPath(q.MaterialID, token)
			}
		}
	}
	flash := "申請を承認し、閲覧用のリンクをメールでお送りしました。"
	if !s.mailConfigured() {
		flash = "申請を承認しました。メールの送信が設定されていないため、下の閲覧用のリンクを申請した方にお伝えください。"
	}
	s.renderMaterials(w, r, cur, ev, &page{Flash: flash}, nil, link)
}
