package openings

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/profile"
)

// Store is what the service needs from the database.
type Store interface {
	Organisation(ctx context.Context, id int64) (*identity.Organisation, error)
	Members(ctx context.Context, orgID int64) ([]identity.Member, error)
	User(ctx context.Context, id int64) (*identity.User, error)
	Competencies(ctx context.Context, all bool) ([]career.Competency, error)
	Profile(ctx context.Context, userID int64) (*profile.Profile, error)
	SaveProfile(ctx context.Context, p *profile.Profile) error

	CreateOpening(ctx context.Context, o *Opening) error
	UpdateOpening(ctx context.Context, o *Opening) error
	SetOpeningStatus(ctx context.Context, id int64, version int, status Status) error
	Opening(ctx context.Context, id int64) (*Opening, error)
	SearchOpenings(ctx context.Context, f Filter) ([]*Opening, string, error)

	CreateApplication(ctx context.Context, a *Application) error
	DoctorApplications(ctx context.Context, doctorID int64) ([]Application, error)
	OrgApplications(ctx context.Context, orgID int64) ([]Application, error)
	Application(ctx context.Context, doctorID, openingID int64) (*Application, error)

	CreateSavedSearch(ctx context.Context, s *SavedSearch) error
	SavedSearches(ctx context.Context, userID int64) ([]SavedSearch, error)
	DeleteSavedSearch(ctx context.Context, userID, id int64) error

	ImportOpenings(ctx context.Context, list []*Opening) error
	OpeningsUsing(ctx context.Context, codes []string, limit int) ([]*Opening, error)
	Institution(ctx context.Context, orgID int64) (*Institution, error)
	SaveInstitution(ctx context.Context, in *Institution) error
}

// Service posts, finds and applies to openings, and keeps doctors'
// profiles.
type Service struct {
	Store    Store
	Guard    *guard.Guard
	Audit    *audit.Recorder
	Notifier *notify.Notifier
	Now      func() time.Time
	// ProfileSaved, when set, hears of every saved profile: follow-ups
	// that wait for a career event listen here. It must not fail the save.
	ProfileSaved func(ctx context.Context, userID int64)
}

// Vocabulary loads the competency vocabulary.
func (s *Service) Vocabulary(ctx context.Context) (*career.Vocabulary, error) {
	list, err := s.Store.Competencies(ctx, true)
	if err != nil {
		return nil, err
	}
	return career.NewVocabulary(list)
}

func openingObject(o *Opening) policy.Object {
	return policy.Object{Kind: policy.KindOpening, ID: o.ID, OwnerID: o.PostedBy, OrgID: o.PosterOrgID,
		PartnerOrgID: o.InstitutionID, Public: o.Status == StatusOpen}
}

// Post creates an opening for institutionID, posted by the actor for
// posterOrgID: the institution itself, or an agency on its behalf.
func (s *Service) Post(ctx context.Context, actor policy.Actor, o *Opening) error {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindOpening, OrgID: o.PosterOrgID, PartnerOrgID: o.InstitutionID}); err != nil {
		return err
	}
	inst, err := s.Store.Organisation(ctx, o.InstitutionID)
	if apperr.Is(err, apperr.NotFound) || (err == nil && inst.Kind != identity.OrgInstitution) {
		return apperr.InvalidFields(map[string]string{"institution_id": "求人を出す医療機関を選んでください。"})
	}
	if err != nil {
		return err
	}
	poster, err := s.Store.Organisation(ctx, o.PosterOrgID)
	if err != nil {
		return err
	}
	if poster.Kind == identity.OrgInstitution && poster.ID != inst.ID {
		return apperr.E(apperr.Forbidden, "他の医療機関の求人は掲載できません。")
	}
	vocab, err := s.Vocabulary(ctx)
	if err != nil {
		return err
	}
	if fields := o.Validate(vocab); len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	if o.Status == "" {
		o.Status = StatusDraft
	}
	o.PostedBy, o.InstitutionName = actor.UserID, inst.Name
	if err := s.Store.CreateOpening(ctx, o); err != nil {
		return err
	}
	if o.Status == StatusOpen {
		s.announce(ctx, o)
	}
	return nil
}

// Update replaces an opening's fields; o.Version must be the version the
// editor saw, so two editors cannot overwrite each other.
func (s *Service) Update(ctx context.Context, actor policy.Actor, o *Opening) error {
	cur, err := s.Store.Opening(ctx, o.ID)
	if err != nil {
		return err
	}
	if err := s.Guard.Check(ctx, actor, policy.Update, openingObject(cur)); err != nil {
		return hideUnlessPublic(err, cur)
	}
	vocab, err := s.Vocabulary(ctx)
	if err != nil {
		return err
	}
	o.InstitutionID, o.PosterOrgID, o.PostedBy, o.InstitutionName = cur.InstitutionID, cur.PosterOrgID, cur.PostedBy, cur.InstitutionName
	o.Status = cur.Status
	if fields := o.Validate(vocab); len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	if err := s.Store.UpdateOpening(ctx, o); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return apperr.E(apperr.Conflict, "この求人は他の方が先に更新しました。最新の内容を確認してから、もう一度編集してください。")
		}
		return err
	}
	return nil
}

// SetStatus publishes, closes or reopens an opening. Closing removes it
// from search at once.
func (s *Service) SetStatus(ctx context.Context, actor policy.Actor, id int64, version int, status Status) error {
	cur, err := s.Store.Opening(ctx, id)
	if err != nil {
		return err
	}
	action := policy.Update
	if status == StatusClosed {
		action = policy.Delete
	}
	if err := s.Guard.Check(ctx, actor, action, openingObject(cur)); err != nil {
		return hideUnlessPublic(err, cur)
	}
	if status != StatusOpen && status != StatusClosed && status != StatusDraft {
		return apperr.E(apperr.Invalid, "状態の指定が正しくありません。")
	}
	if err := s.Store.SetOpeningStatus(ctx, id, version, status); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return apperr.E(apperr.Conflict, "この求人は他の方が先に更新しました。画面を開き直してください。")
		}
		return err
	}
	if status == StatusOpen && cur.Status != StatusOpen {
		cur.Status = StatusOpen
		s.announce(ctx, cur)
	}
	return nil
}

// hideUnlessPublic answers not found for a denied action on an opening
// the actor cannot even see.
func hideUnlessPublic(err error, o *Opening) error {
	if apperr.Is(err, apperr.Forbidden) && o.Status != StatusOpen {
		return apperr.E(apperr.NotFound, "求人が見つかりません。")
	}
	return err
}

// Get returns an opening the actor may see: any open one, or the poster's
// and the institution's own.
func (s *Service) Get(ctx context.Context, actor policy.Actor, id int64) (*Opening, error) {
	o, err := s.Store.Opening(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.E(apperr.NotFound, "求人が見つかりません。募集が終了したか、URLが誤っている可能性があります。")
	}
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Read, openingObject(o)); err != nil {
		return nil, apperr.E(apperr.NotFound, "求人が見つかりません。募集が終了したか、URLが誤っている可能性があります。")
	}
	return o, nil
}

// CanManage reports whether the actor may edit the opening.
func CanManage(actor policy.Actor, o *Opening) bool {
	return policy.Decide(actor, policy.Update, openingObject(o)).Allow
}

// CanClose reports whether the actor may close the opening.
func CanClose(actor policy.Actor, o *Opening) bool {
	return policy.Decide(actor, policy.Delete, openingObject(o)).Allow
}

// Result is one search hit, with the fit for a signed-in doctor.
type Result struct {
	Opening *Opening
	Fit     *career.Result
}

// Page is a page of search results.
type Page struct {
	Results []Result
	Next    string // cursor of the next page, "" at the end
}

// fitWindow bounds how many candidates the fit sort ranks.
const fitWindow = 300

// Search finds open openings. For a doctor (doctor non-nil) every result
// carries the fit; sorting by fit ranks the newest fitWindow matches.
func (s *Service) Search(ctx context.Context, f Filter, doctor *profile.Profile) (*Page, error) {
	f.Status = StatusOpen
	f.InstitutionID, f.PosterOrgID = 0, 0
	var facts career.Doctor
	var vocab *career.Vocabulary
	if doctor != nil {
		facts = doctor.Facts(s.Now())
		var err error
		if vocab, err = s.Vocabulary(ctx); err != nil {
			return nil, err
		}
	}
	if f.Sort == SortFit && doctor == nil {
		f.Sort = SortNewest
	}
	if f.Sort == SortFit {
		return s.searchByFit(ctx, f, facts, vocab)
	}
	list, next, err := s.Store.SearchOpenings(ctx, f)
	if err != nil {
		return nil, err
	}
	page := &Page{Next: next}
	for _, o := range list {
		r := Result{Opening: o}
		if doctor != nil {
			fit := career.Fit(facts, o.Facts(), vocab)
			r.Fit = &fit
		}
		page.Results = append(page.Results, r)
	}
	return page, nil
}

func (s *Service) searchByFit(ctx context.Context, f Filter, facts career.Doctor, vocab *career.Vocabulary) (*Page, error) {
	offset := 0
	if f.After != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(f.After, "f"))
		if err != nil || n < 0 || n > fitWindow || !strings.HasPrefix(f.After, "f") {
			return nil, ErrBadCursor
		}
		offset = n
	}
	limit := f.Limit
	if limit <= 0 || limit > 100 {
		limit = 20
	}
	f.Sort, f.After, f.Limit = SortNewest, "", fitWindow
	list, _, err := s.Store.SearchOpenings(ctx, f)
	if err != nil {
		return nil, err
	}
	results := make([]Result, 0, len(list))
	for _, o := range list {
		fit := career.Fit(facts, o.Facts(), vocab)
		if !fit.Eligibility.Allowed {
			continue
		}
		results = append(results, Result{Opening: o, Fit: &fit})
	}
	sort.SliceStable(results, func(i, j int) bool { return results[i].Fit.Score > results[j].Fit.Score })
	page := &Page{}
	if offset < len(results) {
		end := min(offset+limit, len(results))
		page.Results = results[offset:end]
		if end < len(results) {
			page.Next = "f" + strconv.Itoa(end)
		}
	}
	return page, nil
}

// OrgOpenings lists an organisation's openings in a status: those it
// posted and those posted for it.
func (s *Service) OrgOpenings(ctx context.Context, actor policy.Actor, orgID int64, status Status, after string) ([]*Opening, string, error) {
	if !actor.MemberOf(orgID) && !actor.IsAdmin() {
		return nil, "", s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindOpening, OrgID: orgID})
	}
	return s.Store.SearchOpenings(ctx, Filter{Status: status, InstitutionID: orgID, PosterOrgID: orgID, After: after, Limit: 50})
}

// Recommend returns the open openings that fit the doctor best, never one
// they may not take.
func (s *Service) Recommend(ctx context.Context, doctor *profile.Profile, n int) ([]Result, error) {
	page, err := s.Search(ctx, Filter{Sort: SortFit, Limit: n}, doctor)
	if err != nil {
		return nil, err
	}
	return page.Results, nil
}

// ApplyInput is a doctor's application.
type ApplyInput struct {
	Kind    ApplicationKind
	Message string
	// What to share beyond the anonymous profile.
	ShareName, ShareContact, ShareWorkplace bool
}

// Apply records a doctor's application or interest. An opening the
// doctor's stage may not take is refused with the reason.
func (s *Service) Apply(ctx context.Context, actor policy.Actor, openingID int64, in ApplyInput) (*Application, error) {
	o, err := s.Get(ctx, actor, openingID)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindApplication, OwnerID: actor.UserID,
		OrgID: o.PosterOrgID, PartnerOrgID: o.InstitutionID}); err != nil {
		return nil, apperr.E(apperr.Forbidden, "応募できるのは医師のアカウントだけです。")
	}
	if o.Status != StatusOpen {
		return nil, apperr.E(apperr.Conflict, "この求人は募集を終了しました。")
	}
	if in.Kind != Apply && in.Kind != Interest {
		return nil, apperr.InvalidFields(map[string]string{"kind": "応募か「興味あり」を選んでください。"})
	}
	in.Message = jatext.Normalize(in.Message)
	if len([]rune(in.Message)) > 2000 {
		return nil, apperr.InvalidFields(map[string]string{"message": "メッセージは2000文字以内にしてください。"})
	}
	p, err := s.Store.Profile(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	stage := p.Stage(s.Now())
	verdict := career.Eligibility(stage, o.Kind, o.Answers)
	if !verdict.Allowed {
		return nil, apperr.E(apperr.Forbidden, "%s", verdict.Reason)
	}
	user, err := s.Store.User(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	vocab, err := s.Vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	a := &Application{OpeningID: o.ID, DoctorID: actor.UserID, Kind: in.Kind, Message: in.Message,
		Shared: shareFrom(p, user, stage, vocab, in)}
	if err := s.Store.CreateApplication(ctx, a); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.E(apperr.Conflict, "この求人には既に応募しています。")
		}
		return nil, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: "application.created", ActorID: actor.UserID, SubjectID: actor.UserID,
		ObjectKind: "application", ObjectID: a.ID, Detail: fmt.Sprintf("opening=%d kind=%s", o.ID, in.Kind)})
	s.tellStaff(ctx, o, a)
	return a, nil
}

func shareFrom(p *profile.Profile, u *identity.User, stage career.Stage, vocab *career.Vocabulary, in ApplyInput) Shared {
	sh := Shared{Stage: stage.Label(), Specialties: p.Specialties, Prefecture: p.Prefecture, GraduationYear: p.GraduationYear}
	if in.ShareName {
		sh.Name = u.DisplayName
		if p.NameKanji != "" {
			sh.Name = p.NameKanji
		}
	}
	if in.ShareContact {
		sh.Email = u.Email
	}
	if in.ShareWorkplace {
		sh.Workplace = p.Workplace
	}
	for _, sk := range p.Skills {
		name := sk.Code
		if c, ok := vocab.Lookup(sk.Code); ok {
			name = c.Name
		}
		sh.Skills = append(sh.Skills, fmt.Sprintf("%s (レベル%d)", name, sk.Level))
	}
	for _, c := range p.Certifications {
		sh.Certifications = append(sh.Certifications, c.Name)
	}
	return sh
}

// tellStaff notifies the poster's staff of a new application.
func (s *Service) tellStaff(ctx context.Context, o *Opening, a *Application) {
	members, err := s.Store.Members(ctx, o.PosterOrgID)
	if err != nil {
		return
	}
	for _, m := range members {
		_ = s.Notifier.Notify(ctx, &notify.Notification{UserID: m.UserID, Kind: "application",
			Title: fmt.Sprintf("「%s」に%sがありました", o.Title, a.Kind.Label()),
			Body:  fmt.Sprintf("%s(%s)から%sがありました。", orDefault(a.Shared.Name, "匿名の医師"), a.Shared.Stage, a.Kind.Label()),
			Link:  "/openings/" + strconv.FormatInt(o.ID, 10) + "/applications"})
	}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// DoctorApplications lists the actor's own applications.
func (s *Service) DoctorApplications(ctx context.Context, actor policy.Actor) ([]Application, error) {
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindApplication, OwnerID: actor.UserID}); err != nil {
		return nil, err
	}
	return s.Store.DoctorApplications(ctx, actor.UserID)
}

// OrgApplications lists the applications an organisation received.
func (s *Service) OrgApplications(ctx context.Context, actor policy.Actor, orgID int64) ([]Application, error) {
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindApplication, OrgID: orgID}); err != nil {
		return nil, err
	}
	return s.Store.OrgApplications(ctx, orgID)
}

// announce tells doctors whose saved searches match a newly opened opening.
func (s *Service) announce(ctx context.Context, o *Opening) {
	searches, err := s.Store.SavedSearches(ctx, 0)
	if err != nil {
		return
	}
	for _, ss := range searches {
		f, err := ParseFilter(ss.Query)
		if err != nil || !f.Matches(o) {
			continue
		}
		_ = s.Notifier.Notify(ctx, &notify.Notification{UserID: ss.UserID, Kind: "saved_search",
			Title: fmt.Sprintf("保存した検索「%s」に新しい求人", ss.Name),
			Body:  fmt.Sprintf("%s — %s(%s)", o.Title, o.InstitutionName, o.Kind.Label()),
			Link:  "/openings/" + strconv.FormatInt(o.ID, 10)})
	}
}

// Matches reports whether an open opening satisfies the filter's
// conditions (text, kind, place, day, pay); eligibility is left to the
// doctor's own search.
func (f Filter) Matches(o *Opening) bool {
	switch {
	case f.Kind != "" && o.Kind != f.Kind,
		f.RemoteKind != "" && o.RemoteKind != f.RemoteKind,
		f.Specialty != "" && o.Specialty != f.Specialty,
		f.Prefecture != "" && o.Prefecture != f.Prefecture && o.Kind != career.WorkRemote,
		f.Weekday != nil && o.Schedule.WeekdayMask()&(1<<int(*f.Weekday)) == 0,
		f.MinPayYen > 0 && (o.PayUnit != f.MinPayUnit || o.PayMaxYen < f.MinPayYen):
		return false
	}
	return jatext.ParseQuery(f.Text).Matches(jatext.Normalize(o.SearchDocument()))
}

// ParseFilter reads a filter from a search URL's query string, the form the
// search page and saved searches use.
func ParseFilter(raw string) (Filter, error) {
	v, err := url.ParseQuery(raw)
	if err != nil {
		return Filter{}, apperr.E(apperr.Invalid, "検索条件を読み取れませんでした。")
	}
	return FilterFromValues(v)
}

// FilterFromValues reads a filter from form values, naming what is wrong.
func FilterFromValues(v url.Values) (Filter, error) {
	f := Filter{Text: v.Get("q"), Kind: career.WorkKind(v.Get("kind")), RemoteKind: career.RemoteKind(v.Get("remote_kind")),
		Specialty: v.Get("specialty"), Prefecture: v.Get("prefecture"), Sort: Sort(v.Get("sort")), After: v.Get("after")}
	fields := map[string]string{}
	if utf8.RuneCountInString(f.Text) > 200 {
		fields["q"] = "キーワードは200文字以内にしてください。"
	}
	if f.Kind != "" && !f.Kind.Valid() {
		fields["kind"] = "勤務形態を一覧から選んでください。"
	}
	if f.RemoteKind != "" && !f.RemoteKind.Valid() {
		fields["remote_kind"] = "リモート業務を一覧から選んでください。"
	}
	if f.Specialty != "" && !career.IsSpecialty(f.Specialty) {
		fields["specialty"] = "診療科を一覧から選んでください。"
	}
	if f.Prefecture != "" && !career.IsPrefecture(f.Prefecture) {
		fields["prefecture"] = "都道府県を一覧から選んでください。"
	}
	if w := v.Get("weekday"); w != "" {
		n, err := strconv.Atoi(w)
		if err != nil || n < 0 || n > 6 {
			fields["weekday"] = "曜日を一覧から選んでください。"
		} else {
			wd := time.Weekday(n)
			f.Weekday = &wd
		}
	}
	if p := jatext.Normalize(v.Get("min_pay")); p != "" {
		n, err := strconv.ParseInt(strings.ReplaceAll(p, ",", ""), 10, 64)
		if err != nil || n < 0 || n > 1_000_000_000 {
			fields["min_pay"] = "最低報酬は0以上の数字(円)で入力してください。"
		}
		f.MinPayYen = n
		f.MinPayUnit = career.PayUnit(v.Get("pay_unit"))
		if f.MinPayUnit == "" {
			f.MinPayUnit = career.PayHourly
		}
		if !f.MinPayUnit.Valid() {
			fields["pay_unit"] = "報酬の単位を選んでください。"
		}
	}
	switch f.Sort {
	case "", SortNewest, SortPay, SortFit:
	default:
		fields["sort"] = "並び順を選んでください。"
	}
	if len(f.After) > 40 {
		fields["after"] = "ページの指定が正しくありません。"
	}
	if len(fields) > 0 {
		return f, apperr.InvalidFields(fields)
	}
	return f, nil
}

// MyProfile returns the actor's own profile.
func (s *Service) MyProfile(ctx context.Context, actor policy.Actor) (*profile.Profile, error) {
	if err := s.Guard.Check(ctx, actor, policy.Read, policy.Object{Kind: policy.KindProfile, ID: actor.UserID, OwnerID: actor.UserID}); err != nil {
		return nil, err
	}
	return s.Store.Profile(ctx, actor.UserID)
}

// SaveProfile validates and stores the actor's own profile.
func (s *Service) SaveProfile(ctx context.Context, actor policy.Actor, p *profile.Profile) error {
	p.UserID = actor.UserID
	if err := s.Guard.Check(ctx, actor, policy.Update, policy.Object{Kind: policy.KindProfile, ID: actor.UserID, OwnerID: actor.UserID}); err != nil {
		return err
	}
	vocab, err := s.Vocabulary(ctx)
	if err != nil {
		return err
	}
	if fields := p.Validate(vocab, career.DefaultTracks(), s.Now()); len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	if err := s.Store.SaveProfile(ctx, p); err != nil {
		return err
	}
	if s.ProfileSaved != nil {
		s.ProfileSaved(ctx, p.UserID)
	}
	return nil
}

// DoctorProfile returns the actor's profile when the actor is a doctor,
// nil otherwise; search uses it for the fit.
func (s *Service) DoctorProfile(ctx context.Context, actor policy.Actor) (*profile.Profile, error) {
	if actor.Anonymous() || !actor.Has(identity.RoleDoctor) {
		return nil, nil
	}
	return s.Store.Profile(ctx, actor.UserID)
}

// SaveSearch stores the actor's search under a name.
func (s *Service) SaveSearch(ctx context.Context, actor policy.Actor, name, query string) (*SavedSearch, error) {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindSavedSearch, OwnerID: actor.UserID}); err != nil {
		return nil, err
	}
	name = jatext.NormalizeLine(name)
	if name == "" || len([]rune(name)) > 100 {
		return nil, apperr.InvalidFields(map[string]string{"name": "検索条件の名前を1〜100文字で入力してください。"})
	}
	if _, err := ParseFilter(query); err != nil || len(query) > 2000 {
		return nil, apperr.InvalidFields(map[string]string{"query": "検索条件が正しくありません。"})
	}
	existing, err := s.Store.SavedSearches(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	if len(existing) >= 20 {
		return nil, apperr.E(apperr.Invalid, "保存できる検索条件は20件までです。不要なものを削除してください。")
	}
	ss := &SavedSearch{UserID: actor.UserID, Name: name, Query: query, NotifyEmail: true}
	return ss, s.Store.CreateSavedSearch(ctx, ss)
}

// SavedSearches lists the actor's saved searches.
func (s *Service) SavedSearches(ctx context.Context, actor policy.Actor) ([]SavedSearch, error) {
	if actor.Anonymous() {
		return nil, apperr.E(apperr.Unauthorized, "ログインしてください。")
	}
	return s.Store.SavedSearches(ctx, actor.UserID)
}

// DeleteSavedSearch removes one of the actor's saved searches.
func (s *Service) DeleteSavedSearch(ctx context.Context, actor policy.Actor, id int64) error {
	if actor.Anonymous() {
		return apperr.E(apperr.Unauthorized, "ログインしてください。")
	}
	return s.Store.DeleteSavedSearch(ctx, actor.UserID, id)
}

// ExportCSV writes every opening of the organisation (all statuses) as CSV.
func (s *Service) ExportCSV(ctx context.Context, actor policy.Actor, orgID int64, w io.Writer, enc Encoding) error {
	var all []*Opening
	for _, st := range []Status{StatusOpen, StatusDraft, StatusClosed} {
		after := ""
		for {
			list, next, err := s.OrgOpenings(ctx, actor, orgID, st, after)
			if err != nil {
				return err
			}
			all = append(all, list...)
			if next == "" {
				break
			}
			after = next
		}
	}
	vocab, err := s.Vocabulary(ctx)
	if err != nil {
		return err
	}
	return WriteCSV(w, all, enc, vocab)
}

// ImportCSV reads openings from CSV and creates (no ID) or updates (with
// the ID of one of the organisation's openings) them all, or none: any bad
// row, or any row the actor may not change, imports nothing. It returns the
// number of rows imported.
func (s *Service) ImportCSV(ctx context.Context, actor policy.Actor, posterOrgID, institutionID int64, r io.Reader, enc Encoding) (int, error) {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindOpening, OrgID: posterOrgID, PartnerOrgID: institutionID}); err != nil {
		return 0, err
	}
	inst, err := s.Store.Organisation(ctx, institutionID)
	if err != nil || inst.Kind != identity.OrgInstitution {
		return 0, apperr.InvalidFields(map[string]string{"institution_id": "取り込む求人の医療機関を選んでください。"})
	}
	poster, err := s.Store.Organisation(ctx, posterOrgID)
	if err != nil {
		return 0, err
	}
	if poster.Kind == identity.OrgInstitution && poster.ID != inst.ID {
		return 0, apperr.E(apperr.Forbidden, "他の医療機関の求人は取り込めません。")
	}
	vocab, err := s.Vocabulary(ctx)
	if err != nil {
		return 0, err
	}
	list, err := ReadCSV(r, enc, vocab)
	if err != nil {
		return 0, err
	}
	var problems []RowProblem
	for i, o := range list {
		if o.ID != 0 {
			cur, err := s.Store.Opening(ctx, o.ID)
			if err != nil || !CanManage(actor, cur) || cur.PosterOrgID != posterOrgID {
				problems = append(problems, RowProblem{Line: i + 2, Field: "ID", Message: "この組織の求人ではないため更新できません。"})
				continue
			}
			o.InstitutionID, o.Version, o.PostedBy, o.InstitutionName = cur.InstitutionID, cur.Version, cur.PostedBy, cur.InstitutionName
		} else {
			o.InstitutionID, o.PostedBy, o.InstitutionName = inst.ID, actor.UserID, inst.Name
		}
		o.PosterOrgID = posterOrgID
		if o.Status == "" {
			o.Status = StatusDraft
		}
	}
	if len(problems) > 0 {
		return 0, &ImportError{Problems: problems}
	}
	if err := s.Store.ImportOpenings(ctx, list); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return 0, apperr.E(apperr.Conflict, "取り込み中に他の方が求人を更新しました。書き出し直してから取り込んでください。")
		}
		return 0, err
	}
	s.Audit.Try(ctx, audit.Entry{Action: "opening.imported", ActorID: actor.UserID, ObjectKind: "organisation", ObjectID: posterOrgID,
		Detail: fmt.Sprintf("%d rows", len(list))})
	return len(list), nil
}

// Institution returns an institution's public profile.
func (s *Service) Institution(ctx context.Context, orgID int64) (*Institution, error) {
	org, err := s.Store.Organisation(ctx, orgID)
	if err != nil {
		return nil, err
	}
	if org.Kind != identity.OrgInstitution {
		return nil, apperr.E(apperr.NotFound, "医療機関が見つかりません。")
	}
	return s.Store.Institution(ctx, orgID)
}

// SaveInstitution validates and stores an institution's profile; its
// administrators (and platform administrators) may.
func (s *Service) SaveInstitution(ctx context.Context, actor policy.Actor, in *Institution) error {
	if err := s.Guard.Check(ctx, actor, policy.Update, policy.Object{Kind: policy.KindOrganisation, ID: in.OrgID, OrgID: in.OrgID}); err != nil {
		return err
	}
	if _, err := s.Institution(ctx, in.OrgID); err != nil {
		return err
	}
	fields := map[string]string{}
	in.Address, in.City, in.MedicalArea = jatext.NormalizeLine(in.Address), jatext.NormalizeLine(in.City), jatext.NormalizeLine(in.MedicalArea)
	in.Motto, in.Values, in.Prefecture = jatext.NormalizeLine(in.Motto), jatext.Normalize(in.Values), jatext.NormalizeLine(in.Prefecture)
	if in.Kind != Hospital && in.Kind != Clinic {
		fields["kind"] = "病院か診療所を選んでください。"
	}
	if in.Beds < 0 || in.Beds > 5000 {
		fields["beds"] = "病床数は0〜5000で入力してください。"
	}
	if in.Prefecture != "" && !career.IsPrefecture(in.Prefecture) {
		fields["prefecture"] = "都道府県を選んでください。"
	}
	var deps []string
	for _, d := range in.Departments {
		if d = jatext.NormalizeLine(d); d != "" {
			deps = append(deps, d)
		}
	}
	in.Departments = deps
	switch {
	case len([]rune(in.Address)) > 300:
		fields["address"] = "住所は300文字以内にしてください。"
	case len([]rune(in.City)) > 60, len([]rune(in.MedicalArea)) > 60:
		fields["medical_area"] = "市区町村・二次医療圏は60文字以内にしてください。"
	case len([]rune(in.Motto)) > 200:
		fields["motto"] = "理念は200文字以内にしてください。"
	case len([]rune(in.Values)) > 2000:
		fields["values"] = "大切にしていることは2000文字以内にしてください。"
	case len(in.Departments) > 40:
		fields["departments"] = "診療科は40件以内にしてください。"
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	return s.Store.SaveInstitution(ctx, in)
}

// OpeningsBuilding returns open openings the doctor may take that ask for
// any of the competencies: where the next step of a career track can be
// practised.
func (s *Service) OpeningsBuilding(ctx context.Context, doctor *profile.Profile, codes []string, n int) ([]Result, error) {
	if len(codes) == 0 {
		return nil, nil
	}
	list, err := s.Store.OpeningsUsing(ctx, codes, 100)
	if err != nil {
		return nil, err
	}
	vocab, err := s.Vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	facts := doctor.Facts(s.Now())
	var out []Result
	for _, o := range list {
		fit := career.Fit(facts, o.Facts(), vocab)
		if fit.Eligibility.Allowed {
			out = append(out, Result{Opening: o, Fit: &fit})
		}
		if len(out) == n {
			break
		}
	}
	return out, nil
}
