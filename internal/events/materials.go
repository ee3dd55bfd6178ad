package events

import (
	"context"
	"fmt"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/ratelimit"
)

// MaterialOpened is the audit action of every opening of a material.
const MaterialOpened = "material.opened"

// RequestRule limits material requests per client.
var RequestRule = ratelimit.Rule{Name: "material.request", Limit: 5, Window: time.Hour}

const (
	msgMaterialNotFound = "資料が見つかりません。"
	msgBadLink          = "閲覧用のリンクが無効です。"
	msgExpired          = "閲覧期限が切れています。必要な場合はもう一度申請してください。"
	defaultAccessDays   = 30
)

// MaterialInput adds or changes a material.
type MaterialInput struct {
	Kind       MaterialKind
	Title      string
	URL        string // http or https
	Visibility Visibility
	AccessDays int // for requests; 0: 30
}

// AddMaterial adds a material or recording link (organisers).
func (s *Service) AddMaterial(ctx context.Context, actor policy.Actor, eventID int64, in MaterialInput) (*Material, error) {
	if _, err := s.load(ctx, actor, policy.Update, eventID); err != nil {
		return nil, err
	}
	now := s.now()
	m := &Material{EventID: eventID, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	if err := applyMaterial(m, in); err != nil {
		return nil, err
	}
	if err := s.Store.CreateMaterial(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// UpdateMaterial changes a material (organisers).
func (s *Service) UpdateMaterial(ctx context.Context, actor policy.Actor, id int64, in MaterialInput) (*Material, error) {
	m, err := s.Store.Material(ctx, id)
	if err != nil {
		return nil, notFound(err, msgMaterialNotFound)
	}
	if _, err := s.load(ctx, actor, policy.Update, m.EventID); err != nil {
		return nil, err
	}
	if err := applyMaterial(m, in); err != nil {
		return nil, err
	}
	m.UpdatedAt = s.now()
	if err := s.Store.UpdateMaterial(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// applyMaterial validates in and copies it into m.
func applyMaterial(m *Material, in MaterialInput) error {
	fields := map[string]string{}
	m.Kind, m.Title, m.URL, m.Visibility, m.AccessDays = in.Kind, in.Title, jatext.NormalizeLine(in.URL), in.Visibility, in.AccessDays
	if m.Kind == "" {
		m.Kind = KindMaterial
	}
	if m.Kind != KindMaterial && m.Kind != KindRecording {
		fields["kind"] = "種類を「資料」か「録画」から選んでください。"
	}
	if msg := checkText(&m.Title, "タイトル", true, MaxTitle); msg != "" {
		fields["title"] = msg
	}
	if m.URL == "" {
		fields["url"] = "URLを入力してください。"
	} else if msg := checkURL(m.URL); msg != "" {
		fields["url"] = msg
	}
	if !m.Visibility.Valid() {
		fields["visibility"] = "公開範囲を「公開」「参加登録者のみ」「申請制」から選んでください。"
	}
	if m.AccessDays == 0 {
		m.AccessDays = defaultAccessDays
	}
	if m.AccessDays < 1 || m.AccessDays > 365 {
		fields["access_days"] = "閲覧できる日数は1〜365日で入力してください。"
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	return nil
}

// MaterialView is a material as the actor sees it: never its URL.
type MaterialView struct {
	Material
	CanOpen bool // public, or a registrant for registrants-only
	// Requestable says the actor may ask for access (by request).
	Requestable bool
}

// Materials returns an event's materials as the actor sees them (URLs
// cleared for everyone but organisers).
func (s *Service) Materials(ctx context.Context, actor policy.Actor, eventID int64) ([]MaterialView, error) {
	v, err := s.Event(ctx, actor, eventID)
	if err != nil {
		return nil, err
	}
	list, err := s.Store.Materials(ctx, eventID)
	if err != nil {
		return nil, err
	}
	registrant := v.Mine != nil && v.Mine.Status == Registered
	views := make([]MaterialView, len(list))
	for i, m := range list {
		mv := MaterialView{Material: m}
		switch {
		case v.CanManage:
			mv.CanOpen = true
		case m.Visibility == VisibilityPublic:
			mv.CanOpen = true
		case m.Visibility == VisibilityRegistrants:
			mv.CanOpen = registrant
		case m.Visibility == VisibilityRequest:
			mv.Requestable = true
		}
		if !v.CanManage {
			mv.URL = ""
		}
		views[i] = mv
	}
	return views, nil
}

// Access is how someone opens a material.
type Access struct {
	Actor policy.Actor
	// Token is a registration's manage token (a guest registrant) or an
	// approved request's access token.
	Token  string
	Client string // the caller's address, for the audit entry
}

// Open returns the URL of a material to redirect to, if the access
// allows it, and records every opening in the audit log (action
// "material.opened"; the requester's e-mail or the user in the detail)
// before returning. Forbidden, or NotFound for an expired or unknown
// token.
func (s *Service) Open(ctx context.Context, materialID int64, a Access) (string, error) {
	m, err := s.Store.Material(ctx, materialID)
	if err != nil {
		return "", notFound(err, msgMaterialNotFound)
	}
	e, err := s.Store.Event(ctx, m.EventID)
	if err != nil {
		return "", notFound(err, msgMaterialNotFound)
	}
	actorID, who, err := s.access(ctx, e, m, a)
	if err != nil {
		return "", err
	}
	if err := s.Audit.Record(ctx, audit.Entry{Action: MaterialOpened, ActorID: actorID, ObjectKind: "event_material",
		ObjectID: m.ID, IP: a.Client, Detail: who}); err != nil {
		return "", apperr.Wrap(err, "閲覧を記録できなかったため、資料を開けませんでした。")
	}
	return m.URL, nil
}

// access decides whether a may open m, and returns the actor and who
// opened it for the audit entry.
func (s *Service) access(ctx context.Context, e *Event, m *Material, a Access) (int64, string, error) {
	actor := a.Actor
	if policy.Decide(actor, policy.Update, object(e)).Allow {
		return actor.UserID, "organiser user:" + itoa(actor.UserID), nil
	}
	if e.Status == StatusDraft {
		return 0, "", apperr.E(apperr.NotFound, msgMaterialNotFound)
	}
	switch m.Visibility {
	case VisibilityPublic:
		if actor.Anonymous() {
			return 0, "public", nil
		}
		return actor.UserID, "public user:" + itoa(actor.UserID), nil

	case VisibilityRegistrants:
		if !actor.Anonymous() {
			mine, err := s.mine(ctx, actor)
			if err != nil {
				return 0, "", err
			}
			if r := mine[e.ID]; r != nil && r.Status == Registered {
				return actor.UserID, "registration:" + itoa(r.ID), nil
			}
		}
		if a.Token != "" {
			r, err := s.Store.RegistrationByToken(ctx, hashToken(a.Token))
			switch {
			case apperr.Is(err, apperr.NotFound):
				return 0, "", apperr.E(apperr.NotFound, msgBadLink)
			case err != nil:
				return 0, "", err
			case r.EventID != e.ID:
				return 0, "", apperr.E(apperr.NotFound, msgBadLink)
			case r.Status == Registered:
				return 0, "registration:" + itoa(r.ID), nil
			}
		}
		return 0, "", apperr.E(apperr.Forbidden, "この%sは参加が確定した方のみ閲覧できます。", m.Kind.Label())

	case VisibilityRequest:
		if a.Token == "" {
			return 0, "", apperr.E(apperr.Forbidden, "この%sは申請制です。閲覧を申請してください。", m.Kind.Label())
		}
		req, err := s.Store.MaterialRequestByToken(ctx, hashToken(a.Token))
		switch {
		case apperr.Is(err, apperr.NotFound):
			return 0, "", apperr.E(apperr.NotFound, msgBadLink)
		case err != nil:
			return 0, "", err
		case req.MaterialID != m.ID || req.Status != RequestApproved:
			return 0, "", apperr.E(apperr.NotFound, msgBadLink)
		case req.ExpiresAt == nil || !s.now().Before(*req.ExpiresAt):
			return 0, "", apperr.E(apperr.NotFound, msgExpired)
		}
		return 0, "request:" + itoa(req.ID) + " " + req.Email, nil
	}
	return 0, "", apperr.E(apperr.Forbidden, "この資料は閲覧できません。")
}

// RequestInput asks for a material shared by request.
type RequestInput struct {
	Name       string
	Prefecture string
	Role       string
	Email      string
	Note       string
}

// RequestMaterial records a request for a material shared by request
// (anyone; rate limited by client). The organisers are told.
func (s *Service) RequestMaterial(ctx context.Context, materialID int64, in RequestInput, client string) (*MaterialRequest, error) {
	m, err := s.Store.Material(ctx, materialID)
	if err != nil {
		return nil, notFound(err, msgMaterialNotFound)
	}
	e, err := s.Store.Event(ctx, m.EventID)
	if err != nil {
		return nil, notFound(err, msgMaterialNotFound)
	}
	if e.Status == StatusDraft {
		return nil, apperr.E(apperr.NotFound, msgMaterialNotFound)
	}
	if m.Visibility != VisibilityRequest {
		return nil, apperr.E(apperr.Invalid, "この%sは申請の対象ではありません。", m.Kind.Label())
	}
	r := &MaterialRequest{MaterialID: m.ID, Name: in.Name, Prefecture: in.Prefecture, Role: in.Role, Note: in.Note,
		Status: RequestPending, CreatedAt: s.now()}
	fields := map[string]string{}
	if msg := checkText(&r.Name, "お名前", true, MaxName); msg != "" {
		fields["name"] = msg
	}
	if msg := checkPrefecture(&r.Prefecture); msg != "" {
		fields["prefecture"] = msg
	}
	if role := ParticipantRole(r.Role); role.Valid() {
		r.Role = role.Label()
	}
	if msg := checkText(&r.Role, "役割", true, MaxName); msg != "" {
		fields["role"] = msg
	}
	var msg string
	if r.Email, msg = checkEmail(in.Email); msg != "" {
		fields["email"] = msg
	}
	r.Note = jatext.Normalize(r.Note)
	if len([]rune(r.Note)) > MaxNote {
		fields["note"] = fmt.Sprintf("備考は%d文字以内で入力してください。", MaxNote)
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	if err := s.Limiter.Allow(ctx, RequestRule, client); err != nil {
		return nil, err
	}
	if err := s.Store.CreateMaterialRequest(ctx, r); err != nil {
		return nil, err
	}
	s.tellOrganisers(ctx, e, m, r)
	return r, nil
}

// tellOrganisers tells the members of the organising organisation about
// a new request, in the app.
func (s *Service) tellOrganisers(ctx context.Context, e *Event, m *Material, r *MaterialRequest) {
	if s.Notifier == nil {
		return
	}
	members, err := s.Store.Members(ctx, e.OrgID)
	if err != nil {
		s.log().WarnContext(ctx, "organisers not told of a material request", "event", e.ID, "err", err)
		return
	}
	told := map[int64]bool{}
	for _, mem := range members {
		if told[mem.UserID] {
			continue
		}
		told[mem.UserID] = true
		note := &notify.Notification{UserID: mem.UserID, Kind: NoteRequest, InAppOnly: true,
			Title: m.Kind.Label() + "の閲覧申請: " + m.Title,
			Body:  fmt.Sprintf("%s（%s・%s）から「%s」の閲覧申請が届きました。", r.Name, r.Prefecture, r.Role, m.Title),
			Link:  eventLink(e) + "/requests"}
		if err := s.Notifier.Notify(ctx, note); err != nil {
			s.log().WarnContext(ctx, "organiser not told of a material request", "event", e.ID, "user", mem.UserID, "err", err)
		}
	}
}

// MaterialRequests returns the requests for an event's materials
// (organisers).
func (s *Service) MaterialRequests(ctx context.Context, actor policy.Actor, eventID int64) ([]MaterialRequest, error) {
	if _, err := s.load(ctx, actor, policy.Update, eventID); err != nil {
		return nil, err
	}
	return s.Store.MaterialRequests(ctx, eventID)
}

// DecideRequest approves or rejects a request (organisers). Approval
// makes an access token valid for the material's AccessDays and e-mails
// the link (/events/materials/{id}/open?token=…) to the requester; the
// token is also returned once. Rejection needs a reason, which is sent.
func (s *Service) DecideRequest(ctx context.Context, actor policy.Actor, requestID int64, approve bool, reason string) (string, error) {
	req, err := s.Store.MaterialRequest(ctx, requestID)
	if err != nil {
		return "", notFound(err, "申請が見つかりません。")
	}
	m, err := s.Store.Material(ctx, req.MaterialID)
	if err != nil {
		return "", notFound(err, msgMaterialNotFound)
	}
	e, err := s.load(ctx, actor, policy.Update, m.EventID)
	if err != nil {
		return "", err
	}
	if req.Status != RequestPending {
		return "", apperr.E(apperr.Conflict, "この申請はすでに%sになっています。", req.Status.Label())
	}
	reason = jatext.Normalize(reason)
	switch {
	case !approve && reason == "":
		return "", apperr.InvalidFields(map[string]string{"reason": "見送る理由を入力してください。申請者にお知らせします。"})
	case len([]rune(reason)) > MaxNote:
		return "", apperr.InvalidFields(map[string]string{"reason": fmt.Sprintf("理由は%d文字以内で入力してください。", MaxNote)})
	}
	now := s.now()
	req.DecidedBy, req.DecidedAt, req.Reason = actor.UserID, &now, reason
	token, hash := "", ""
	if approve {
		if token, hash, err = newToken(); err != nil {
			return "", err
		}
		expires := now.Add(time.Duration(m.AccessDays) * 24 * time.Hour)
		req.Status, req.ExpiresAt = RequestApproved, &expires
	} else {
		req.Status = RequestRejected
	}
	if err := s.Store.DecideMaterialRequest(ctx, req, hash); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return "", apperr.E(apperr.Conflict, "この申請はほかの人がすでに処理しました。")
		}
		return "", err
	}
	if approve {
		s.mailTo(ctx, req.Email, m.Kind.Label()+"の閲覧申請が承認されました: "+m.Title,
			fmt.Sprintf("%s 様\n\n研修会「%s」の%s「%s」の閲覧申請が承認されました。\n次のリンクから%sまでご覧いただけます（%d日間）。",
				req.Name, e.Title, m.Kind.Label(), m.Title, req.ExpiresAt.In(career.JST).Format("2006年1月2日 15:04"), m.AccessDays),
			"/events/materials/"+itoa(m.ID)+"/open?token="+token)
	} else {
		s.mailTo(ctx, req.Email, m.Kind.Label()+"の閲覧申請について: "+m.Title,
			fmt.Sprintf("%s 様\n\n研修会「%s」の%s「%s」の閲覧申請は、今回は見送らせていただきました。\n\n理由: %s",
				req.Name, e.Title, m.Kind.Label(), m.Title, reason), eventLink(e))
	}
	return token, nil
}
