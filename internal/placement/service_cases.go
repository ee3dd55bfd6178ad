package placement

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/profile"
)

// OpenCase starts a case for the lead and the opening, at the lead stage.
func (s *Service) OpenCase(ctx context.Context, actor policy.Actor, leadID, openingID int64) (*Case, error) {
	l, err := s.Store.Lead(ctx, leadID)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindCase, OrgID: l.AgencyID}); err != nil {
		return nil, hidden(err)
	}
	if l.MergedInto != 0 || l.AnonymisedAt != nil {
		return nil, apperr.E(apperr.Invalid, "統合済み・匿名化済みのリードには案件を作れません。")
	}
	o, err := s.Store.Opening(ctx, openingID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.InvalidFields(map[string]string{"opening_id": "求人が見つかりません。"})
	}
	if err != nil {
		return nil, err
	}
	// The agency may propose a doctor for any published opening, and for
	// the ones it posts itself.
	if o.Status != openings.StatusOpen && o.PosterOrgID != l.AgencyID {
		// Another organisation's draft reads as missing, not as a draft.
		return nil, apperr.InvalidFields(map[string]string{"opening_id": "求人が見つかりません。"})
	}
	existing, err := s.Store.Cases(ctx, CaseFilter{AgencyID: l.AgencyID, LeadID: l.ID})
	if err != nil {
		return nil, err
	}
	for _, c := range existing {
		if c.OpeningID == o.ID && c.Stage != StagePlaced {
			return nil, apperr.E(apperr.Conflict, "この医師とこの求人の案件はすでにあります（案件#%d）。再開する場合はその案件から操作してください。", c.ID)
		}
	}
	now := s.now()
	agent := l.AgentID
	if agent == 0 || !slices.Contains(s.staffOf(ctx, l.AgencyID, identity.RoleAgent), agent) {
		agent = actor.UserID
	}
	c := &Case{AgencyID: l.AgencyID, LeadID: l.ID, DoctorID: l.UserID, OpeningID: o.ID, InstitutionID: o.InstitutionID,
		AgentID: agent, Stage: StageLead, Round: 1, StageChangedAt: now, CreatedAt: now, UpdatedAt: now}
	ev := Event{Kind: EventCreated, To: StageLead, Detail: o.InstitutionName + "「" + o.Title + "」", ActorID: actor.UserID, At: now}
	if err := s.Store.CreateCase(ctx, c, ev); err != nil {
		return nil, err
	}
	_ = s.Store.TouchLead(ctx, l.ID, now)
	return s.Store.Case(ctx, c.ID)
}

// Party says how the actor takes part in a case.
type Party string

// Parties to a case.
const (
	PartyAgent       Party = "agent"
	PartyInstitution Party = "institution"
	PartyDoctor      Party = "doctor"
)

func partyOf(actor policy.Actor, c *Case) Party {
	for _, g := range actor.Grants {
		if g.OrgID == c.AgencyID && g.Role == identity.RoleAgent {
			return PartyAgent
		}
	}
	for _, g := range actor.Grants {
		if g.OrgID == c.InstitutionID && g.Role == identity.RoleInstitutionStaff && c.IntroducedAt != nil {
			return PartyInstitution
		}
	}
	return PartyDoctor
}

// loadCase loads a case the actor may act on, hiding the ones it may not
// even see.
func (s *Service) loadCase(ctx context.Context, actor policy.Actor, action policy.Action, id int64) (*Case, Party, error) {
	c, err := s.Store.Case(ctx, id)
	if err != nil {
		return nil, "", err
	}
	if err := s.Guard.Check(ctx, actor, action, caseObject(c)); err != nil {
		return nil, "", hidden(err)
	}
	return c, partyOf(actor, c), nil
}

// CaseView is a case as one party sees it.
type CaseView struct {
	Case          *Case
	Party         Party
	Lead          *Lead             // agents only
	Opening       *openings.Opening //
	Timeline      []Event
	Items         []CheckItem
	Problems      []string // what the readiness gate would flag now (agents)
	Interviews    []Interview
	Scorecards    []Scorecard
	Shares        []Share
	FollowUps     []FollowUp     // agents only
	Consultations []Consultation // agents only, without the notes
	Moves         []Stage        // the moves this party may make now
	CanReopen     bool
}

// View returns the case as the actor's party sees it. Institutions see
// only what happened from the introduction on; doctors see no agent notes.
func (s *Service) View(ctx context.Context, actor policy.Actor, id int64) (*CaseView, error) {
	c, party, err := s.loadCase(ctx, actor, policy.Read, id)
	if err != nil {
		return nil, err
	}
	v := &CaseView{Case: c, Party: party}
	if v.Opening, err = s.Store.Opening(ctx, c.OpeningID); err != nil {
		return nil, err
	}
	timeline, err := s.Store.CaseEvents(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	if v.Items, err = s.Store.CheckItems(ctx, c.ID); err != nil {
		return nil, err
	}
	if v.Interviews, err = s.Store.Interviews(ctx, c.ID); err != nil {
		return nil, err
	}
	if v.Shares, err = s.Store.Shares(ctx, c.ID); err != nil {
		return nil, err
	}
	switch party {
	case PartyAgent:
		v.Timeline = timeline
		if v.Lead, err = s.Store.Lead(ctx, c.LeadID); err != nil {
			return nil, err
		}
		if v.Scorecards, err = s.Store.Scorecards(ctx, c.ID); err != nil {
			return nil, err
		}
		if v.FollowUps, err = s.Store.FollowUps(ctx, FollowUpFilter{AgencyID: c.AgencyID, LeadID: c.LeadID}); err != nil {
			return nil, err
		}
		v.FollowUps = slices.DeleteFunc(v.FollowUps, func(f FollowUp) bool { return f.CaseID != 0 && f.CaseID != c.ID })
		if v.Consultations, err = s.Store.Consultations(ctx, c.LeadID); err != nil {
			return nil, err
		}
		for i := range v.Consultations {
			v.Consultations[i].Sealed = ""
		}
		if c.Stage == StageCheckItems {
			if v.Problems, err = s.readiness(ctx, c, v.Lead, v.Opening, v.Items); err != nil {
				return nil, err
			}
		}
		v.Moves = Moves(c.Stage)
		v.CanReopen = CanReopen(c.Stage)
	case PartyInstitution:
		redact(c, actor.UserID)
		v.Timeline = forParty(slices.DeleteFunc(sinceIntroduction(timeline), func(e Event) bool {
			// The agency's own work with the doctor stays with the agency,
			// also in a later round.
			switch e.Kind {
			case EventConsultation, EventChecklist, EventFollowUp, EventMerged, EventReopened:
				return true
			}
			return false
		}), actor.UserID)
		for i := range v.Items {
			v.Items[i].Note = "" // what was shared is in the snapshot
		}
		if v.Scorecards, err = s.Store.Scorecards(ctx, c.ID); err != nil {
			return nil, err
		}
		if CanMove(c.Stage, StageDeclinedByInstitution) {
			v.Moves = []Stage{StageDeclinedByInstitution}
		}
	case PartyDoctor:
		redact(c, actor.UserID)
		// The institution's scorecards are its own feedback to the agency.
		v.Timeline = forParty(slices.DeleteFunc(timeline, func(e Event) bool {
			return e.Kind == EventOverride || e.Kind == EventMerged || e.Kind == EventScorecard
		}), actor.UserID)
		if CanMove(c.Stage, StageWithdrawnByDoctor) {
			v.Moves = []Stage{StageWithdrawnByDoctor}
		}
	}
	return v, nil
}

// sinceIntroduction keeps the entries from the latest introduction on
// (with the override just before it), by their order in the timeline: the
// institution has no business with what came before.
func sinceIntroduction(timeline []Event) []Event {
	start := len(timeline)
	for i, e := range timeline {
		if e.Kind == EventTransition && e.To == StageIntroduced {
			start = i
			if i > 0 && timeline[i-1].Kind == EventOverride {
				start = i - 1
			}
		}
	}
	return timeline[start:]
}

// forParty strips the free text other parties wrote on the outcomes: the
// institution and the doctor see the outcome and its reason, not the
// notes the agent or the other side kept.
func forParty(timeline []Event, viewer int64) []Event {
	out := make([]Event, len(timeline))
	for i, e := range timeline {
		if e.Kind == EventTransition && e.To.IsOutcome() && e.ActorID != viewer {
			e.Detail, _, _ = strings.Cut(e.Detail, "\n")
		}
		out[i] = e
	}
	return out
}

// readiness runs the patient-first gate for the case now.
func (s *Service) readiness(ctx context.Context, c *Case, l *Lead, o *openings.Opening, items []CheckItem) ([]string, error) {
	stage := career.Stage("")
	if l.UserID != 0 {
		p, err := s.Store.Profile(ctx, l.UserID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return nil, err
		}
		if p != nil {
			stage = p.Stage(s.now())
		}
	}
	problems := Readiness(items, stage, o, l.Consent)
	if l.UserID == 0 {
		problems = append(problems, "医師アカウントとの連携がありません（紹介には連携と同意が必要です）。")
	}
	return problems, nil
}

// Move is a request to move a case.
type Move struct {
	Version        int // the version the actor saw
	To             Stage
	Reason         Reason
	Note           string
	StartDate      string
	Recommendation string // for the introduction
	OverrideReason string // for an introduction the gate flags
}

// Move moves the case. Each party may make only its own moves: the agent
// any, the institution its decline, the doctor their withdrawal. A stale
// Version is a conflict, so two concurrent moves cannot both succeed.
func (s *Service) Move(ctx context.Context, actor policy.Actor, id int64, m Move) (*Case, error) {
	c, party, err := s.loadCase(ctx, actor, policy.Update, id)
	if err != nil {
		return nil, err
	}
	if c.Version != m.Version {
		return nil, conflict(apperr.E(apperr.Conflict, "stale"))
	}
	switch party {
	case PartyInstitution:
		if m.To != StageDeclinedByInstitution {
			return nil, apperr.E(apperr.Forbidden, "医療機関ができる操作は「見送り」だけです。")
		}
	case PartyDoctor:
		if m.To != StageWithdrawnByDoctor {
			return nil, apperr.E(apperr.Forbidden, "医師ができる操作は「辞退」だけです。")
		}
	}
	now := s.now()
	from := c.Stage
	var ch Change
	switch {
	case m.To == StageIntroduced:
		if err := s.introduce(ctx, actor, c, m, &ch); err != nil {
			return nil, err
		}
	case m.To.IsOutcome():
		ev, err := c.Close(Outcome{Stage: m.To, Reason: m.Reason, Note: m.Note, StartDate: m.StartDate}, actor.UserID, now)
		if err != nil {
			return nil, err
		}
		ch.Events = append(ch.Events, ev)
	default:
		if err := s.precondition(ctx, c, m.To); err != nil {
			return nil, err
		}
		ev, err := c.Advance(m.To, actor.UserID, now)
		if err != nil {
			return nil, err
		}
		ch.Events = append(ch.Events, ev)
		if m.To == StageCheckItems {
			if err := s.buildChecklist(ctx, c, &ch); err != nil {
				return nil, err
			}
		}
	}
	if err := s.Store.SaveCase(ctx, c, ch); err != nil {
		return nil, conflict(err)
	}
	_ = s.Store.TouchLead(ctx, c.LeadID, now)
	s.afterMove(ctx, actor, c, from, party)
	return s.Store.Case(ctx, c.ID)
}

// precondition checks what a stage needs before the case enters it.
func (s *Service) precondition(ctx context.Context, c *Case, to Stage) error {
	switch to {
	case StageCheckItems:
		// A good agent meets the doctor before anything else.
		list, err := s.Store.Consultations(ctx, c.LeadID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(list, func(x Consultation) bool { return x.HeldAt != nil }) {
			return apperr.E(apperr.Invalid, "面談の記録がありません。医師と面談し、記録してから確認事項に進んでください。")
		}
	case StageInterview:
		list, err := s.Store.Interviews(ctx, c.ID)
		if err != nil {
			return err
		}
		if !slices.ContainsFunc(list, func(iv Interview) bool { return iv.CancelledAt == nil }) {
			return apperr.E(apperr.Invalid, "面接の日程を登録してください。")
		}
	}
	return nil
}

// buildChecklist makes the checklist from the opening's check items and
// competencies the first time; a later round keeps the items and asks for
// each to be confirmed again.
func (s *Service) buildChecklist(ctx context.Context, c *Case, ch *Change) error {
	items, err := s.Store.CheckItems(ctx, c.ID)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		o, err := s.Store.Opening(ctx, c.OpeningID)
		if err != nil {
			return err
		}
		vocab, err := s.vocabulary(ctx)
		if err != nil {
			return err
		}
		items = Checklist(o, vocab)
	} else {
		for i := range items {
			items[i].Status = ItemUnknown
		}
	}
	ch.Items, ch.ReplaceItems = items, true
	return nil
}

func (s *Service) vocabulary(ctx context.Context) (*career.Vocabulary, error) {
	list, err := s.Store.Competencies(ctx, true)
	if err != nil {
		return nil, err
	}
	return career.NewVocabulary(list)
}

// introduce runs the readiness gate, records an override and the share.
func (s *Service) introduce(ctx context.Context, actor policy.Actor, c *Case, m Move, ch *Change) error {
	l, err := s.Store.Lead(ctx, c.LeadID)
	if err != nil {
		return err
	}
	o, err := s.Store.Opening(ctx, c.OpeningID)
	if err != nil {
		return err
	}
	items, err := s.Store.CheckItems(ctx, c.ID)
	if err != nil {
		return err
	}
	if l.UserID == 0 || !l.Consent.Given() {
		// Sharing a profile needs an account to share and the doctor's
		// consent; no override can replace either.
		return apperr.E(apperr.Invalid, "医師アカウントとの連携と、利用目的への同意がないため紹介できません。")
	}
	rec := strings.TrimSpace(jatext.Normalize(m.Recommendation))
	if n := len([]rune(rec)); n < 10 || n > 4000 {
		return apperr.InvalidFields(map[string]string{"recommendation": "医療機関に伝える推薦コメントを10〜4000文字で書いてください。"})
	}
	problems, err := s.readiness(ctx, c, l, o, items)
	if err != nil {
		return err
	}
	now := s.now()
	events, err := c.Introduce(problems, m.OverrideReason, actor.UserID, now)
	if err != nil {
		return err
	}
	c.Recommendation = rec
	p, err := s.Store.Profile(ctx, l.UserID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return err
	}
	share := &Share{CaseID: c.ID, InstitutionID: c.InstitutionID, Institution: o.InstitutionName,
		Fields: sharedFields(l, p, c, items, s.now()), SharedBy: actor.UserID, SharedAt: now}
	ch.Share = share
	ch.Events = append(ch.Events, events...)
	ch.Events = append(ch.Events, Event{CaseID: c.ID, Kind: EventShared, Detail: o.InstitutionName + "にプロフィールを共有",
		ActorID: actor.UserID, At: now})
	if c.Override != nil {
		s.Audit.Try(ctx, audit.Entry{Action: audit.GateOverridden, ActorID: actor.UserID, SubjectID: l.UserID,
			ObjectKind: string(policy.KindCase), ObjectID: c.ID, Detail: c.Override.Reason})
	}
	s.Audit.Try(ctx, audit.Entry{Action: audit.ProfileShared, ActorID: actor.UserID, SubjectID: l.UserID,
		ObjectKind: string(policy.KindCase), ObjectID: c.ID, Detail: fmt.Sprintf("institution %d", c.InstitutionID)})
	return nil
}

// sharedFields is the snapshot of the doctor an institution receives on
// introduction: career facts and the agent's view, never contact details.
func sharedFields(l *Lead, p *profile.Profile, c *Case, items []CheckItem, now time.Time) []SharedField {
	name := l.Name
	var out []SharedField
	add := func(label, value string) {
		if value != "" {
			out = append(out, SharedField{Label: label, Value: value})
		}
	}
	if p != nil {
		if p.NameKanji != "" {
			name = p.NameKanji
		}
		add("氏名", name)
		add("経歴の段階", p.Stage(now).Label())
		add("専門", strings.Join(p.Specialties, "、"))
		add("取得済みの専門医", strings.Join(career.ObtainedSpecialties(p.Events, now), "、"))
		if years, ok := career.YearsSince(p.Events, career.EventNationalExamPassed, now); ok {
			add("医師経験", fmt.Sprintf("%d年", years))
		}
		var certs []string
		for _, cert := range p.Certifications {
			certs = append(certs, cert.Name)
		}
		add("資格", strings.Join(certs, "、"))
		add("医籍登録番号の確認", map[bool]string{true: "確認済み", false: "未確認"}[p.RegistrationVerifiedAt != nil])
	} else {
		add("氏名", name)
	}
	var checks []string
	for _, it := range items {
		line := it.Label + ": " + it.Status.Label()
		if it.Note != "" {
			line += "（" + it.Note + "）"
		}
		checks = append(checks, line)
	}
	add("確認事項", strings.Join(checks, "\n"))
	add("推薦コメント", c.Recommendation)
	if c.Override != nil {
		add("エージェントからの注意", "確認できていない点がありますが、次の理由で紹介します: "+c.Override.Reason+"\n"+strings.Join(c.Override.Problems, "\n"))
	}
	return out
}

// afterMove tells the other parties what happened.
func (s *Service) afterMove(ctx context.Context, actor policy.Actor, c *Case, from Stage, party Party) {
	link := fmt.Sprintf("/cases/%d", c.ID)
	title := fmt.Sprintf("案件が「%s」になりました", c.Stage.Label())
	body := c.InstitutionName + "「" + c.OpeningTitle + "」"
	switch {
	case c.Stage == StageIntroduced:
		s.notifyUsers(ctx, s.staffOf(ctx, c.InstitutionID, identity.RoleInstitutionStaff), notify.Notification{
			Kind: "case", Title: "医師の紹介がありました", Body: body, Link: link})
		s.notifyUsers(ctx, []int64{c.DoctorID}, notify.Notification{Kind: "case",
			Title: c.InstitutionName + "にプロフィールを共有しました", Body: "共有した内容は案件の画面で確認できます。", Link: link})
		s.postToOrg(ctx, c.InstitutionID, "医師の紹介がありました", body, link)
	case party != PartyAgent:
		s.notifyUsers(ctx, []int64{c.AgentID}, notify.Notification{Kind: "case", Title: title, Body: body, Link: link})
	default:
		s.notifyUsers(ctx, []int64{c.DoctorID}, notify.Notification{Kind: "case", Title: title, Body: body, Link: link})
	}
	if c.Stage.IsOutcome() {
		s.postToOrg(ctx, c.AgencyID, title, body, link)
	}
}

// Reopen starts a new round of a closed case, or resumes a held one. The
// checklist is kept but must be confirmed again.
func (s *Service) Reopen(ctx context.Context, actor policy.Actor, id int64, version int) (*Case, error) {
	c, party, err := s.loadCase(ctx, actor, policy.Update, id)
	if err != nil {
		return nil, err
	}
	if party != PartyAgent {
		return nil, apperr.E(apperr.Forbidden, "案件の再開はエージェントが行います。")
	}
	if c.Version != version {
		return nil, conflict(apperr.E(apperr.Conflict, "stale"))
	}
	now := s.now()
	var ch Change
	if c.Stage == StageOnHold {
		timeline, err := s.Store.CaseEvents(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		ev, err := c.Resume(timeline, actor.UserID, now)
		if err != nil {
			return nil, err
		}
		ch.Events = append(ch.Events, ev)
	} else {
		ev, err := c.Reopen(actor.UserID, now)
		if err != nil {
			return nil, err
		}
		ch.Events = append(ch.Events, ev)
		items, err := s.Store.CheckItems(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for i := range items {
			items[i].Status = ItemUnknown
		}
		ch.Items, ch.ReplaceItems = items, true
	}
	if err := s.Store.SaveCase(ctx, c, ch); err != nil {
		return nil, conflict(err)
	}
	_ = s.Store.TouchLead(ctx, c.LeadID, now)
	return s.Store.Case(ctx, c.ID)
}

// ItemUpdate is the agent's confirmation of one check item.
type ItemUpdate struct {
	ID     int64
	Status ItemStatus
	Note   string
}

// ConfirmItems records what the agent confirmed with the doctor, and adds
// the agent's own items.
func (s *Service) ConfirmItems(ctx context.Context, actor policy.Actor, id int64, version int, updates []ItemUpdate, added []string) (*Case, error) {
	c, party, err := s.loadCase(ctx, actor, policy.Update, id)
	if err != nil {
		return nil, err
	}
	if party != PartyAgent {
		return nil, apperr.E(apperr.Forbidden, "確認事項はエージェントが記録します。")
	}
	if c.Version != version {
		return nil, conflict(apperr.E(apperr.Conflict, "stale"))
	}
	if c.Stage != StageCheckItems {
		return nil, apperr.E(apperr.Conflict, "確認事項は「%s」の段階で記録します。", StageCheckItems.Label())
	}
	items, err := s.Store.CheckItems(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	byID := map[int64]int{}
	for i, it := range items {
		byID[it.ID] = i
	}
	changed := 0
	for _, u := range updates {
		i, ok := byID[u.ID]
		if !ok {
			return nil, apperr.E(apperr.Invalid, "確認事項が見つかりません。画面を更新してください。")
		}
		u.Note = strings.TrimSpace(jatext.Normalize(u.Note))
		if !u.Status.Valid() {
			fields[fmt.Sprintf("item_%d", u.ID)] = "確認結果を選んでください。"
			continue
		}
		if len([]rune(u.Note)) > MaxNote {
			fields[fmt.Sprintf("note_%d", u.ID)] = fmt.Sprintf("メモは%d文字以内にしてください。", MaxNote)
			continue
		}
		if items[i].Status != u.Status || items[i].Note != u.Note {
			items[i].Status, items[i].Note = u.Status, u.Note
			changed++
		}
	}
	for _, label := range added {
		label = jatext.NormalizeLine(label)
		if label == "" {
			continue
		}
		if len([]rune(label)) > 200 {
			fields["added"] = "追加する確認事項は200文字以内にしてください。"
			continue
		}
		items = append(items, CheckItem{CaseID: c.ID, Position: len(items) + 1, Source: ItemAgentAdded, Label: label,
			Required: true, Status: ItemUnknown})
		changed++
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	if changed == 0 {
		return c, nil
	}
	met := 0
	for _, it := range items {
		if it.Status == ItemMet {
			met++
		}
	}
	ch := Change{Items: items, ReplaceItems: true, Events: []Event{{CaseID: c.ID, Kind: EventChecklist,
		Detail: fmt.Sprintf("確認済み %d/%d 件", met, len(items)), ActorID: actor.UserID, At: s.now()}}}
	if err := s.Store.SaveCase(ctx, c, ch); err != nil {
		return nil, conflict(err)
	}
	return s.Store.Case(ctx, c.ID)
}

// Board returns an agency's open cases grouped by stage, plus the recent
// outcomes.
func (s *Service) Board(ctx context.Context, actor policy.Actor, f CaseFilter) (map[Stage][]Case, error) {
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindCase, OrgID: f.AgencyID}); err != nil {
		return nil, hidden(err)
	}
	f.Query = jatext.NormalizeLine(f.Query)
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 500
	}
	list, err := s.Store.Cases(ctx, f)
	if err != nil {
		return nil, err
	}
	board := map[Stage][]Case{}
	for _, c := range list {
		board[c.Stage] = append(board[c.Stage], c)
	}
	return board, nil
}

// Cases lists cases for the actor: an agency's (agents), those introduced
// to an institution (its staff), or the doctor's own.
func (s *Service) Cases(ctx context.Context, actor policy.Actor, f CaseFilter) ([]Case, error) {
	switch {
	case f.AgencyID != 0:
		if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindCase, OrgID: f.AgencyID}); err != nil {
			return nil, hidden(err)
		}
	case f.InstitutionID != 0:
		if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindCase, PartnerOrgID: f.InstitutionID}); err != nil {
			return nil, hidden(err)
		}
		// The text search runs over the lead's contact details, which the
		// institution never receives: it could guess them letter by letter.
		f = CaseFilter{InstitutionID: f.InstitutionID, Introduced: true, Stages: f.Stages, Limit: f.Limit}
	default:
		if actor.Anonymous() || !actor.Has(identity.RoleDoctor) {
			return nil, apperr.E(apperr.Forbidden, "この操作を行う権限がありません。")
		}
		f = CaseFilter{DoctorID: actor.UserID, Stages: f.Stages}
	}
	f.Query = jatext.NormalizeLine(f.Query)
	if f.Limit <= 0 || f.Limit > 1000 {
		f.Limit = 500
	}
	list, err := s.Store.Cases(ctx, f)
	if f.AgencyID == 0 {
		for i := range list {
			redact(&list[i], actor.UserID)
		}
	}
	return list, err
}

// redact keeps from the institution and the doctor what the other sides
// wrote for themselves: the free text of an outcome they did not record.
func redact(c *Case, viewer int64) {
	if c.Outcome != nil && c.Outcome.By != viewer {
		o := *c.Outcome
		o.Note = ""
		c.Outcome = &o
	}
}
