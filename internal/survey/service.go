package survey

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/ratelimit"
)

// Service runs the surveys.
type Service struct {
	Store    Store
	Guard    *guard.Guard
	Audit    *audit.Recorder
	Notifier *notify.Notifier // nil: invitations are not e-mailed
	Limiter  *ratelimit.Limiter
	Log      *slog.Logger
	Now      func() time.Time
}

// Audit actions of surveys.
const (
	AuditOpened   = "survey.opened"
	AuditClosed   = "survey.closed"
	AuditExported = "survey.exported"
)

// AnswerRule limits valid anonymous answers through a public link, per
// survey and client (the counter of survey 7 is "survey.answer:7"): a
// reception tablet or the clinic's Wi-Fi serves a whole waiting room, so
// the limit is generous and one survey's counter never blocks another.
var AnswerRule = ratelimit.Rule{Name: "survey.answer", Limit: 30, Window: time.Hour}

// answerRule is AnswerRule for one survey.
func answerRule(sv *Survey) ratelimit.Rule {
	rule := AnswerRule
	rule.Name += ":" + strconv.FormatInt(sv.ID, 10)
	return rule
}

// stamp returns the time to store on a response of sv: a patient
// survey's anonymous responses keep only the hour, so that the time of a
// visit cannot single a patient out; event surveys keep the instant.
func stamp(sv *Survey, t time.Time) time.Time {
	if sv.Kind == KindPatient {
		return t.UTC().Truncate(time.Hour)
	}
	return t
}

// Messages shown to respondents.
const (
	msgClosed = "回答の受付は終了しました。"
)

// ItemInput is one question of the builder.
type ItemInput struct {
	Key      string // "" : generated; kept from the earlier run when copied
	Kind     ItemKind
	Label    string
	Required bool
	Choices  []string
}

// SurveyInput creates or updates a survey.
type SurveyInput struct {
	Kind        Kind
	EventID     int64 // KindEvent: an event of the organisation
	Title       string
	Description string
	Items       []ItemInput // 1–50; changes only while a draft
	PreviousID  int64       // an earlier survey of the organisation to compare with
	ClosesAt    *time.Time
	Version     int // updates only
}

// CreateSurvey creates a draft survey of the organisation (its
// members). A patient survey gets its public slug (random, 22+ chars).
// Invalid with per-field Japanese errors (keys "title", "kind",
// "event_id", "previous_id", "closes_at", "items" and "items.N.label",
// "items.N.kind", "items.N.key", "items.N.choices" with N counted from 0).
func (s *Service) CreateSurvey(ctx context.Context, actor policy.Actor, orgID int64, in SurveyInput) (*Survey, error) {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindSurvey, OrgID: orgID}); err != nil {
		return nil, err
	}
	now := s.now()
	sv := &Survey{OrgID: orgID, Status: StatusDraft, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.apply(ctx, sv, in, true); err != nil {
		return nil, err
	}
	if err := s.create(ctx, sv); err != nil {
		return nil, err
	}
	return s.Store.Survey(ctx, sv.ID)
}

// CopySurvey starts the next run of a survey: a draft with the same
// items and keys, PreviousID set (this year against last year).
func (s *Service) CopySurvey(ctx context.Context, actor policy.Actor, id int64, title string) (*Survey, error) {
	src, err := s.load(ctx, actor, policy.Read, id)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindSurvey, OrgID: src.OrgID}); err != nil {
		return nil, hidden(err)
	}
	if strings.TrimSpace(title) == "" {
		title = src.Title
	}
	in := SurveyInput{Kind: src.Kind, EventID: src.EventID, Title: title, Description: src.Description, PreviousID: src.ID}
	for _, it := range src.Items {
		in.Items = append(in.Items, ItemInput{Key: it.Key, Kind: it.Kind, Label: it.Label, Required: it.Required,
			Choices: slices.Clone(it.Choices)})
	}
	now := s.now()
	sv := &Survey{OrgID: src.OrgID, Status: StatusDraft, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.apply(ctx, sv, in, true); err != nil {
		return nil, err
	}
	if err := s.create(ctx, sv); err != nil {
		return nil, err
	}
	return s.Store.Survey(ctx, sv.ID)
}

// UpdateSurvey changes a survey (items only while a draft). Conflict
// when stale, or when the items of a survey already open or closed would
// change. in replaces every field but the kind, which cannot change
// ("" keeps it); once the survey is no longer a draft, a zero EventID
// and nil Items keep the stored ones, so that the title, description
// and closing time can still be edited.
func (s *Service) UpdateSurvey(ctx context.Context, actor policy.Actor, id int64, in SurveyInput) (*Survey, error) {
	sv, err := s.load(ctx, actor, policy.Update, id)
	if err != nil {
		return nil, err
	}
	if in.Kind == "" {
		in.Kind = sv.Kind
	}
	if in.Kind != sv.Kind {
		return nil, apperr.InvalidFields(map[string]string{"kind": "アンケートの種類は変更できません。"})
	}
	if sv.Status != StatusDraft {
		if in.EventID == 0 {
			in.EventID = sv.EventID
		}
		if in.Items == nil {
			in.Items = inputsOf(sv.Items)
		}
	}
	before := *sv
	if err := s.apply(ctx, sv, in, false); err != nil {
		return nil, err
	}
	if sv.Status != StatusDraft {
		if sv.EventID != before.EventID && sv.Kind == KindEvent {
			return nil, apperr.E(apperr.Conflict, "回答の受付を始めたアンケートの研修会は変更できません。")
		}
		if !sameItems(sv.Items, before.Items) {
			return nil, apperr.E(apperr.Conflict, "回答の受付を始めたアンケートの質問は変更できません。下書きのうちに変更するか、コピーして次回のアンケートを作成してください。")
		}
		sv.Items = before.Items
	}
	sv.Version = in.Version
	sv.UpdatedAt = s.now()
	if err := s.Store.UpdateSurvey(ctx, sv); err != nil {
		return nil, stale(err)
	}
	return s.Store.Survey(ctx, sv.ID)
}

// OpenSurvey opens a survey for responses. For an event survey, every
// checked-in attendee not yet invited gets a personal link
// (/surveys/answer/{token}): a signed-in user's registration as an in-app
// notification (and its e-mail when configured), a guest's by e-mail;
// ReissueInvitationLinks hands them out otherwise. It returns how many were
// invited. Calling it again invites attendees checked in since (the
// version is then not checked: nothing else changes). Conflict when
// closed or stale.
func (s *Service) OpenSurvey(ctx context.Context, actor policy.Actor, id int64, version int) (int, error) {
	sv, err := s.load(ctx, actor, policy.Update, id)
	if err != nil {
		return 0, err
	}
	now := s.now()
	switch {
	case sv.Status == StatusClosed:
		return 0, apperr.E(apperr.Conflict, "締め切ったアンケートは再開できません。コピーして次回のアンケートを作成してください。")
	case sv.ClosesAt != nil && !now.Before(*sv.ClosesAt):
		return 0, apperr.E(apperr.Conflict, "締め切り日時が過ぎています。締め切り日時を変更してから回答の受付を始めてください。")
	case sv.Status == StatusDraft:
		sv.Status, sv.Version, sv.UpdatedAt = StatusOpen, version, now
		if err := s.Store.UpdateSurvey(ctx, sv); err != nil {
			return 0, stale(err)
		}
		s.Audit.Try(ctx, audit.Entry{Action: AuditOpened, ActorID: actor.UserID, ObjectKind: string(policy.KindSurvey), ObjectID: sv.ID,
			Detail: sv.Title})
	}
	if sv.Kind != KindEvent || sv.EventID == 0 {
		return 0, nil
	}
	return s.invite(ctx, sv)
}

// invite invites the checked-in attendees of the survey's event not yet
// invited and e-mails them their links.
func (s *Service) invite(ctx context.Context, sv *Survey) (int, error) {
	ev, err := s.Store.Event(ctx, sv.EventID)
	if err != nil {
		return 0, err
	}
	regs, err := s.Store.Registrations(ctx, sv.EventID, events.Registered)
	if err != nil {
		return 0, err
	}
	existing, err := s.Store.SurveyInvitations(ctx, sv.ID)
	if err != nil {
		return 0, err
	}
	invited := map[int64]bool{}
	for _, inv := range existing {
		invited[inv.RegistrationID] = true
	}
	now := s.now()
	var invites []Invitation
	tokens, hashes, names := map[int64]string{}, map[int64]string{}, map[int64]string{}
	users := map[int64]int64{}
	for _, r := range regs {
		if r.Status != events.Registered || r.CheckedInAt == nil || invited[r.ID] {
			continue
		}
		token, err := newToken(32)
		if err != nil {
			return 0, err
		}
		tokens[r.ID], hashes[r.ID], names[r.ID], users[r.ID] = token, tokenHash(token), r.Name, r.UserID
		invites = append(invites, Invitation{SurveyID: sv.ID, RegistrationID: r.ID, Email: r.Email, CreatedAt: now})
	}
	if len(invites) == 0 {
		return 0, nil
	}
	created, err := s.Store.CreateSurveyInvitations(ctx, sv.ID, invites, hashes)
	if err != nil {
		return 0, err
	}
	if s.Notifier != nil {
		title := "アンケートへのご協力のお願い: " + sv.Title
		for _, inv := range created {
			text := fmt.Sprintf("%s 様\r\n\r\n研修会「%s」にご参加いただき、ありがとうございました。\r\nアンケート「%s」へのご回答をお願いいたします。下のリンクから回答でき、締め切りまでは回答を修正できます。",
				names[inv.RegistrationID], ev.Title, sv.Title)
			if sv.ClosesAt != nil {
				text += "\r\n締め切り: " + sv.ClosesAt.In(career.JST).Format("2006年1月2日 15:04")
			}
			link := answerPath + tokens[inv.RegistrationID]
			var err error
			if user := users[inv.RegistrationID]; user != 0 {
				// A signed-in attendee finds it in the app, e-mail or not.
				err = s.Notifier.Notify(ctx, &notify.Notification{UserID: user, Kind: NoteInvited, Title: title,
					Body: text, Link: link})
			} else {
				err = s.Notifier.MailTo(ctx, inv.Email, title, text, link)
			}
			if err != nil {
				s.log().ErrorContext(ctx, "survey invitation not sent", "survey", sv.ID, "invitation", inv.ID, "err", err)
			}
		}
	}
	return len(created), nil
}

// CloseSurvey closes a survey: no more responses or edits.
func (s *Service) CloseSurvey(ctx context.Context, actor policy.Actor, id int64, version int) error {
	sv, err := s.load(ctx, actor, policy.Update, id)
	if err != nil {
		return err
	}
	if sv.Status == StatusClosed {
		return nil
	}
	sv.Status, sv.Version, sv.UpdatedAt = StatusClosed, version, s.now()
	if err := s.Store.UpdateSurvey(ctx, sv); err != nil {
		return stale(err)
	}
	s.Audit.Try(ctx, audit.Entry{Action: AuditClosed, ActorID: actor.UserID, ObjectKind: string(policy.KindSurvey), ObjectID: sv.ID,
		Detail: sv.Title})
	return nil
}

// Survey returns a survey (its organisation's members).
func (s *Service) Survey(ctx context.Context, actor policy.Actor, id int64) (*Survey, error) {
	return s.load(ctx, actor, policy.Read, id)
}

// Surveys returns an organisation's surveys (eventID 0: all).
func (s *Service) Surveys(ctx context.Context, actor policy.Actor, orgID, eventID int64) ([]Survey, error) {
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindSurvey, OrgID: orgID}); err != nil {
		return nil, err
	}
	return s.Store.Surveys(ctx, orgID, eventID)
}

// Form is what a respondent sees: the survey (items, title) and their
// earlier answers when editing.
type Form struct {
	Survey   *Survey
	Response *Response // nil: not answered yet
	Open     bool      // accepting answers; Reason says why not
	Reason   string
}

// PublicForm returns the form of a public link. NotFound for an unknown
// slug or a draft.
func (s *Service) PublicForm(ctx context.Context, slug string) (*Form, error) {
	sv, err := s.publicSurvey(ctx, slug)
	if err != nil {
		return nil, err
	}
	return s.form(sv, nil), nil
}

// InvitedForm returns the form of an invitation token, with the earlier
// response when there is one. NotFound.
func (s *Service) InvitedForm(ctx context.Context, token string) (*Form, error) {
	inv, sv, err := s.invitation(ctx, token)
	if err != nil {
		return nil, err
	}
	r, err := s.Store.ResponseOfInvitation(ctx, inv.ID)
	switch {
	case apperr.Is(err, apperr.NotFound):
		r = nil
	case err != nil:
		return nil, err
	}
	return s.form(sv, r), nil
}

// EditForm returns the form of an anonymous response's edit token.
// NotFound.
func (s *Service) EditForm(ctx context.Context, editToken string) (*Form, error) {
	r, sv, err := s.editable(ctx, editToken)
	if err != nil {
		return nil, err
	}
	return s.form(sv, r), nil
}

// Answers are a respondent's answers by item ID.
type Answers map[int64]Answer

// SubmitPublic records an anonymous response through a public link
// (valid responses are rate limited per survey and client; the times
// stored keep only the hour) and returns its edit token (the link
// /s/{slug}/edit/{token} lets the respondent change it until the survey
// closes). Invalid with per-item errors (keys "item-{id}"); Conflict
// when closed; RateLimited.
func (s *Service) SubmitPublic(ctx context.Context, slug string, a Answers, client string) (string, error) {
	sv, err := s.publicSurvey(ctx, slug)
	if err != nil {
		return "", err
	}
	if err := s.accepting(sv); err != nil {
		return "", err
	}
	answers, err := validateAnswers(sv, a)
	if err != nil {
		return "", err
	}
	// Counted once valid: mistakes of one respondent do not lock the
	// others behind the same address out.
	if err := s.Limiter.Allow(ctx, answerRule(sv), client); err != nil {
		return "", err
	}
	token, err := newToken(32)
	if err != nil {
		return "", err
	}
	now := stamp(sv, s.now())
	r := &Response{SurveyID: sv.ID, Answers: answers, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.SaveResponse(ctx, r, tokenHash(token)); err != nil {
		return "", err
	}
	return token, nil
}

// SubmitInvited records or replaces the response of an invitation until
// the survey closes.
func (s *Service) SubmitInvited(ctx context.Context, token string, a Answers) error {
	inv, sv, err := s.invitation(ctx, token)
	if err != nil {
		return err
	}
	if err := s.accepting(sv); err != nil {
		return err
	}
	answers, err := validateAnswers(sv, a)
	if err != nil {
		return err
	}
	now := s.now()
	// Twice at most: a first response saved concurrently turns the
	// insert into a replacement.
	for range 2 {
		r := &Response{SurveyID: sv.ID, InvitationID: inv.ID, Answers: answers, CreatedAt: now, UpdatedAt: now}
		old, err := s.Store.ResponseOfInvitation(ctx, inv.ID)
		switch {
		case err == nil:
			r.ID, r.CreatedAt = old.ID, old.CreatedAt
			return s.Store.SaveResponse(ctx, r, "")
		case !apperr.Is(err, apperr.NotFound):
			return err
		}
		// The edit token of an invited response is never handed out: the
		// invitation's link edits it.
		unused, err := newToken(32)
		if err != nil {
			return err
		}
		err = s.Store.SaveResponse(ctx, r, tokenHash(unused))
		if !apperr.Is(err, apperr.Conflict) {
			return err
		}
	}
	return apperr.E(apperr.Conflict, "回答を保存できませんでした。もう一度送信してください。")
}

// SubmitEdit replaces an anonymous response through its edit token until
// the survey closes.
func (s *Service) SubmitEdit(ctx context.Context, editToken string, a Answers) error {
	old, sv, err := s.editable(ctx, editToken)
	if err != nil {
		return err
	}
	if err := s.accepting(sv); err != nil {
		return err
	}
	answers, err := validateAnswers(sv, a)
	if err != nil {
		return err
	}
	r := &Response{ID: old.ID, SurveyID: sv.ID, InvitationID: old.InvitationID, Answers: answers,
		CreatedAt: old.CreatedAt, UpdatedAt: stamp(sv, s.now())}
	return s.Store.SaveResponse(ctx, r, "")
}

// Results are a survey's summary.
type Results struct {
	Survey      *Survey
	Responses   int
	Invited     int // event surveys
	Items       []ItemResult
	Comparison  []Comparison // with the earlier run, when PreviousID is set
	PreviousRun *Survey
}

// Results summarises a survey (its organisation's members).
func (s *Service) Results(ctx context.Context, actor policy.Actor, id int64) (*Results, error) {
	sv, err := s.load(ctx, actor, policy.Read, id)
	if err != nil {
		return nil, err
	}
	items, n, err := s.summary(ctx, sv)
	if err != nil {
		return nil, err
	}
	res := &Results{Survey: sv, Responses: n, Items: items}
	if sv.Kind == KindEvent {
		invs, err := s.Store.SurveyInvitations(ctx, sv.ID)
		if err != nil {
			return nil, err
		}
		res.Invited = len(invs)
	}
	if sv.PreviousID != 0 {
		prev, err := s.Store.Survey(ctx, sv.PreviousID)
		switch {
		case apperr.Is(err, apperr.NotFound):
		case err != nil:
			return nil, err
		case prev.OrgID == sv.OrgID:
			before, _, err := s.summary(ctx, prev)
			if err != nil {
				return nil, err
			}
			res.PreviousRun, res.Comparison = prev, Compare(items, before)
		}
	}
	return res, nil
}

// Compare summarises two surveys of the organisation side by side.
func (s *Service) Compare(ctx context.Context, actor policy.Actor, id, otherID int64) ([]Comparison, error) {
	this, err := s.load(ctx, actor, policy.Read, id)
	if err != nil {
		return nil, err
	}
	other, err := s.load(ctx, actor, policy.Read, otherID)
	if err != nil {
		return nil, err
	}
	if other.OrgID != this.OrgID {
		return nil, apperr.E(apperr.Invalid, "比較できるのは同じ組織のアンケートどうしです。")
	}
	a, _, err := s.summary(ctx, this)
	if err != nil {
		return nil, err
	}
	b, _, err := s.summary(ctx, other)
	if err != nil {
		return nil, err
	}
	return Compare(a, b), nil
}

// Tag limits.
const (
	maxTags     = 10
	maxTagRunes = 40
)

// TagComment sets the tags of one free-text answer (e.g. 改善要望): each
// NFKC-normalised, 1–40 characters, at most 10, duplicates dropped; none
// clears them. key is the Comment's ResponseID as Results gives it (an
// opaque key, not the stored ID). NotFound when no response of the key
// has a comment on the item.
func (s *Service) TagComment(ctx context.Context, actor policy.Actor, surveyID, key, itemID int64, tags []string) error {
	sv, err := s.load(ctx, actor, policy.Update, surveyID)
	if err != nil {
		return err
	}
	var clean []string
	for _, t := range tags {
		t = jatext.NormalizeLine(t)
		if t == "" || slices.Contains(clean, t) {
			continue
		}
		if utf8.RuneCountInString(t) > maxTagRunes {
			return apperr.InvalidFields(map[string]string{"tags": fmt.Sprintf("タグは%d文字以内にしてください。", maxTagRunes)})
		}
		clean = append(clean, t)
	}
	if len(clean) > maxTags {
		return apperr.InvalidFields(map[string]string{"tags": fmt.Sprintf("タグは%d個までです。", maxTags)})
	}
	i := slices.IndexFunc(sv.Items, func(it Item) bool { return it.ID == itemID && it.Kind == Text })
	if i < 0 {
		return apperr.E(apperr.NotFound, "自由記述の質問が見つかりません。")
	}
	responses, err := s.Store.Responses(ctx, sv.ID)
	if err != nil {
		return err
	}
	j := slices.IndexFunc(responses, func(r Response) bool { return commentKey(sv, r.ID) == key && r.Answers[itemID].Text != "" })
	if j < 0 {
		return apperr.E(apperr.NotFound, "コメントが見つかりません。")
	}
	return s.Store.SetCommentTags(ctx, responses[j].ID, itemID, clean)
}

// Encoding is a CSV encoding for Excel.
type Encoding = excelcsv.Encoding

// Encodings.
const (
	UTF8BOM  = excelcsv.UTF8BOM
	ShiftJIS = excelcsv.ShiftJIS
)

// ExportResponses writes every response as CSV, one row each, a column
// per item (organisers): 回答ID, 受付日時 (JST), then per item the value
// (1–5), the chosen label, the chosen labels joined by "、", or the text.
func (s *Service) ExportResponses(ctx context.Context, actor policy.Actor, id int64, w io.Writer, enc Encoding) error {
	sv, err := s.load(ctx, actor, policy.Read, id)
	if err != nil {
		return err
	}
	if err := checkEncoding(enc); err != nil {
		return err
	}
	responses, err := s.Store.Responses(ctx, sv.ID)
	if err != nil {
		return err
	}
	header := []string{"回答ID", "受付日時"}
	if sv.Kind == KindPatient {
		// Anonymous patients: no stored ID, the day only, and an order
		// within the day that the reception log cannot be matched to.
		header = []string{"番号", "受付日"}
		anonymousOrder(sv, responses)
	}
	for _, it := range sv.Items {
		header = append(header, it.Label)
	}
	records := [][]string{header}
	for n, r := range responses {
		rec := []string{strconv.FormatInt(r.ID, 10), r.CreatedAt.In(career.JST).Format("2006-01-02 15:04")}
		if sv.Kind == KindPatient {
			rec = []string{strconv.Itoa(n + 1), r.CreatedAt.In(career.JST).Format("2006-01-02")}
		}
		for _, it := range sv.Items {
			rec = append(rec, answerCell(it, r.Answers))
		}
		records = append(records, rec)
	}
	s.Audit.Try(ctx, audit.Entry{Action: AuditExported, ActorID: actor.UserID, ObjectKind: string(policy.KindSurvey), ObjectID: sv.ID,
		Detail: fmt.Sprintf("responses: %d", len(responses))})
	return writeCSV(w, records, enc)
}

// ExportSummary writes the per-item summary as CSV: item, responses,
// each bucket's count, mean, top-2-box share (organisers). The columns
// are 質問, 種類, 回答数, 平均, 高評価(4・5), then a label and a count column
// per bucket (選択肢1, 件数1, …), as many as the item with the most.
func (s *Service) ExportSummary(ctx context.Context, actor policy.Actor, id int64, w io.Writer, enc Encoding) error {
	sv, err := s.load(ctx, actor, policy.Read, id)
	if err != nil {
		return err
	}
	if err := checkEncoding(enc); err != nil {
		return err
	}
	items, _, err := s.summary(ctx, sv)
	if err != nil {
		return err
	}
	width := 0
	for _, r := range items {
		width = max(width, len(r.Buckets))
	}
	header := []string{"質問", "種類", "回答数", "平均", "高評価(4・5)"}
	for i := range width {
		header = append(header, fmt.Sprintf("選択肢%d", i+1), fmt.Sprintf("件数%d", i+1))
	}
	records := [][]string{header}
	for _, r := range items {
		mean, top := "", ""
		if r.Item.Kind == Likert {
			mean, top = r.MeanLabel(), r.TopTwoLabel()
		}
		rec := []string{r.Item.Label, r.Item.Kind.Label(), strconv.Itoa(r.Responses), mean, top}
		for i := range width {
			if i < len(r.Buckets) {
				rec = append(rec, r.Buckets[i].Label, strconv.Itoa(r.Buckets[i].N))
			} else {
				rec = append(rec, "", "")
			}
		}
		records = append(records, rec)
	}
	return writeCSV(w, records, enc)
}

// summary summarises the responses of sv and returns their number. A
// patient survey's comments come in the order of its CSV export
// (anonymousOrder), not in arrival order, and every comment carries the
// response's opaque key (commentKey), never its stored ID.
func (s *Service) summary(ctx context.Context, sv *Survey) ([]ItemResult, int, error) {
	responses, err := s.Store.Responses(ctx, sv.ID)
	if err != nil {
		return nil, 0, err
	}
	if sv.Kind == KindPatient {
		anonymousOrder(sv, responses)
	}
	items := Summarize(sv.Items, responses)
	for i := range items {
		for j := range items[i].Comments {
			c := &items[i].Comments[j]
			c.ResponseID = commentKey(sv, c.ResponseID)
		}
	}
	return items, len(responses), nil
}

// commentKey is what clients see of a response to tag its comments: a
// keyed hash of its ID (HMAC-SHA256 keyed by the survey's secret link and
// ID), so that the order of arrival cannot be read from it. It keeps 53
// bits, a positive number that JavaScript holds exactly; TagComment maps
// it back among the survey's responses.
func commentKey(sv *Survey, responseID int64) int64 {
	mac := hmac.New(sha256.New, []byte(sv.PublicSlug+":"+strconv.FormatInt(sv.ID, 10)))
	mac.Write([]byte(strconv.FormatInt(responseID, 10)))
	return int64(binary.BigEndian.Uint64(mac.Sum(nil))>>11) + 1
}

// answerCell is the CSV cell of the answer to it.
func answerCell(it Item, answers map[int64]Answer) string {
	a, ok := answers[it.ID]
	if !ok {
		return ""
	}
	switch it.Kind {
	case Likert:
		if a.Value == 0 {
			return ""
		}
		return strconv.Itoa(a.Value)
	case Single:
		if a.Value >= 0 && a.Value < len(it.Choices) {
			return it.Choices[a.Value]
		}
	case Multiple:
		labels := make([]string, 0, len(a.Choices))
		for _, c := range a.Choices {
			if c >= 0 && c < len(it.Choices) {
				labels = append(labels, it.Choices[c])
			}
		}
		return strings.Join(labels, "、")
	case Text:
		return a.Text
	}
	return ""
}

// load returns the survey if the actor may act on it; NotFound hides it
// from everyone else.
func (s *Service) load(ctx context.Context, actor policy.Actor, action policy.Action, id int64) (*Survey, error) {
	sv, err := s.Store.Survey(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, notFound()
	}
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, action, object(sv)); err != nil {
		return nil, hidden(err)
	}
	return sv, nil
}

// publicSurvey returns the open or closed patient survey of a slug.
func (s *Service) publicSurvey(ctx context.Context, slug string) (*Survey, error) {
	if slug == "" {
		return nil, notFound()
	}
	sv, err := s.Store.SurveyBySlug(ctx, slug)
	if apperr.Is(err, apperr.NotFound) {
		return nil, notFound()
	}
	if err != nil {
		return nil, err
	}
	if sv.Kind != KindPatient || sv.Status == StatusDraft {
		return nil, notFound()
	}
	return sv, nil
}

// invitation returns the invitation of a token and its survey.
func (s *Service) invitation(ctx context.Context, token string) (*Invitation, *Survey, error) {
	if token == "" {
		return nil, nil, notFound()
	}
	inv, err := s.Store.SurveyInvitationByToken(ctx, tokenHash(token))
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil, notFound()
	}
	if err != nil {
		return nil, nil, err
	}
	sv, err := s.Store.Survey(ctx, inv.SurveyID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil, notFound()
	}
	if err != nil {
		return nil, nil, err
	}
	if sv.Status == StatusDraft {
		return nil, nil, notFound()
	}
	return inv, sv, nil
}

// editable returns the response of an edit token and its survey.
func (s *Service) editable(ctx context.Context, editToken string) (*Response, *Survey, error) {
	if editToken == "" {
		return nil, nil, notFound()
	}
	r, err := s.Store.ResponseByEditToken(ctx, tokenHash(editToken))
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil, notFound()
	}
	if err != nil {
		return nil, nil, err
	}
	sv, err := s.Store.Survey(ctx, r.SurveyID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, nil, notFound()
	}
	if err != nil {
		return nil, nil, err
	}
	return r, sv, nil
}

// form is the respondent's view of sv.
func (s *Service) form(sv *Survey, r *Response) *Form {
	f := &Form{Survey: sv, Response: r, Open: true}
	if err := s.accepting(sv); err != nil {
		f.Open, f.Reason = false, apperr.MessageOf(err)
	}
	return f
}

// accepting returns Conflict unless sv takes answers now.
func (s *Service) accepting(sv *Survey) error {
	switch {
	case sv.Status == StatusDraft:
		return apperr.E(apperr.Conflict, "このアンケートはまだ回答を受け付けていません。")
	case sv.Status == StatusClosed, sv.ClosesAt != nil && !s.now().Before(*sv.ClosesAt):
		return apperr.E(apperr.Conflict, msgClosed)
	}
	return nil
}

// create inserts sv, drawing a new public slug should one be taken.
func (s *Service) create(ctx context.Context, sv *Survey) error {
	for attempt := 0; ; attempt++ {
		if sv.Kind == KindPatient {
			slug, err := newToken(16)
			if err != nil {
				return err
			}
			sv.PublicSlug = slug
		}
		err := s.Store.CreateSurvey(ctx, sv)
		if sv.Kind != KindPatient || !apperr.Is(err, apperr.Conflict) || attempt == 2 {
			return err
		}
	}
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC().Truncate(time.Microsecond)
	}
	return s.Now().UTC().Truncate(time.Microsecond)
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// object returns the survey as the policy sees it.
func object(sv *Survey) policy.Object {
	return policy.Object{Kind: policy.KindSurvey, ID: sv.ID, OrgID: sv.OrgID}
}

// notFound is what anyone a survey is hidden from is told.
func notFound() error { return apperr.E(apperr.NotFound, "アンケートが見つかりません。") }

// hidden turns a denial into not-found, so that the existence of another
// organisation's survey is not revealed.
func hidden(err error) error {
	if apperr.Is(err, apperr.Forbidden) {
		return notFound()
	}
	return err
}

// stale words a lost optimistic-versioning race for the user.
func stale(err error) error {
	if apperr.Is(err, apperr.Conflict) {
		return &apperr.Error{Code: apperr.Conflict, Err: err,
			Message: "このアンケートは他の方が先に更新しました。最新の状態を確認してから、もう一度操作してください。"}
	}
	return err
}

// newToken returns n random bytes, base64url without padding.
func newToken(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("survey: random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// tokenHash is what is stored of a token: 256 random bits need no
// slow hash.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// anonymousOrder sorts a patient survey's responses by the day received
// and, within a day, by a hash of the response keyed by the survey's
// secret link: stable across exports, unrelated to arrival.
func anonymousOrder(sv *Survey, responses []Response) {
	key := func(r Response) string {
		sum := sha256.Sum256([]byte(sv.PublicSlug + ":" + strconv.FormatInt(r.ID, 10)))
		return r.CreatedAt.In(career.JST).Format("2006-01-02") + hex.EncodeToString(sum[:])
	}
	slices.SortFunc(responses, func(a, b Response) int { return strings.Compare(key(a), key(b)) })
}
