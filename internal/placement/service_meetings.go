package placement

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/ical"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
)

// sealedNotes is the confidential part of a consultation, sealed as one.
type sealedNotes struct {
	Notes       string `json:"notes"`
	Impression  string `json:"impression"`
	Wishes      string `json:"wishes"`
	HealthNotes string `json:"health_notes,omitempty"`
}

// NotesContext binds a consultation's ciphertext to its agency, so that
// it cannot be replayed into another agency's row. Key rotation re-seals
// with it.
func NotesContext(agencyID int64) string { return "consultation:" + strconv.FormatInt(agencyID, 10) }

func consultationObject(c *Consultation, l *Lead) policy.Object {
	return policy.Object{Kind: policy.KindConsultation, ID: c.ID, OrgID: c.AgencyID, OwnerID: l.UserID}
}

// ScheduleConsultation plans a 面談 with the lead. When it is for a case
// still at the lead stage, the case moves to consultation.
func (s *Service) ScheduleConsultation(ctx context.Context, actor policy.Actor, c *Consultation) error {
	l, err := s.Store.Lead(ctx, c.LeadID)
	if err != nil {
		return err
	}
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindConsultation, OrgID: l.AgencyID}); err != nil {
		return hidden(err)
	}
	c.AgencyID, c.AgentID = l.AgencyID, actor.UserID
	c.Notes, c.Impression, c.Wishes, c.HealthNotes, c.HeldAt = "", "", "", "", nil
	if fields := c.Validate(l.Consent); len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	var cs *Case
	if c.CaseID != 0 {
		if cs, err = s.Store.Case(ctx, c.CaseID); err != nil || cs.LeadID != l.ID {
			return apperr.InvalidFields(map[string]string{"case_id": "案件が見つかりません。"})
		}
	}
	now := s.now()
	c.CreatedAt, c.UpdatedAt = now, now
	if err := s.Store.CreateConsultation(ctx, c); err != nil {
		return err
	}
	if cs != nil && cs.Stage == StageLead {
		ev, err := cs.Advance(StageConsultation, actor.UserID, now)
		if err == nil {
			ev.Detail = "面談を予定: " + c.ScheduledAt.In(jst).Format("2006-01-02 15:04") + "（" + c.Mode.Label() + "）"
			if err := s.Store.SaveCase(ctx, cs, Change{Events: []Event{ev}}); err != nil {
				return conflict(err)
			}
		}
	}
	_ = s.Store.TouchLead(ctx, l.ID, now)
	if l.UserID != 0 {
		body := c.ScheduledAt.In(jst).Format("2006年1月2日 15:04") + "（" + c.Mode.Label() + "）"
		if c.MeetingURL != "" {
			body += "\n" + c.MeetingURL
		}
		s.notifyUsers(ctx, []int64{l.UserID}, notify.Notification{Kind: "consultation", Title: "面談の予定が登録されました", Body: body, Link: "/me/cases"})
	}
	return nil
}

// RecordConsultation writes what was said in a 面談. The notes are sealed
// before they reach the store; health details need the doctor's explicit
// consent.
func (s *Service) RecordConsultation(ctx context.Context, actor policy.Actor, in *Consultation) (*Consultation, error) {
	c, err := s.Store.Consultation(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	l, err := s.Store.Lead(ctx, c.LeadID)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Update, consultationObject(c, l)); err != nil {
		return nil, hidden(err)
	}
	c.Mode, c.ScheduledAt, c.Place, c.MeetingURL = in.Mode, in.ScheduledAt, in.Place, in.MeetingURL
	c.Notes, c.Impression, c.Wishes, c.HealthNotes = in.Notes, in.Impression, in.Wishes, in.HealthNotes
	if fields := c.Validate(l.Consent); len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	plain, err := json.Marshal(sealedNotes{Notes: c.Notes, Impression: c.Impression, Wishes: c.Wishes, HealthNotes: c.HealthNotes})
	if err != nil {
		return nil, err
	}
	if c.Sealed, err = s.Keys.Seal(plain, NotesContext(c.AgencyID)); err != nil {
		return nil, err
	}
	now := s.now()
	if c.HeldAt == nil {
		c.HeldAt = &now
	}
	c.UpdatedAt = now
	if err := s.Store.UpdateConsultation(ctx, c); err != nil {
		return nil, err
	}
	_ = s.Store.TouchLead(ctx, l.ID, now)
	if c.CaseID != 0 {
		if cs, err := s.Store.Case(ctx, c.CaseID); err == nil && cs.Open() {
			_ = s.Store.AppendEvents(ctx, []Event{{CaseID: cs.ID, Kind: EventConsultation,
				Detail: "面談を記録（" + c.Mode.Label() + "）", ActorID: actor.UserID, At: now}})
		}
	}
	return c, nil
}

// Consultations lists the lead's 面談 without their notes.
func (s *Service) Consultations(ctx context.Context, actor policy.Actor, leadID int64) ([]Consultation, error) {
	l, err := s.Store.Lead(ctx, leadID)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindConsultation, OrgID: l.AgencyID, OwnerID: l.UserID}); err != nil {
		return nil, hidden(err)
	}
	list, err := s.Store.Consultations(ctx, leadID)
	for i := range list {
		list[i].Sealed = ""
	}
	return list, err
}

// Consultation opens one 面談 with its notes. Every such read is written
// to the audit log about the doctor, who can see it.
func (s *Service) Consultation(ctx context.Context, actor policy.Actor, id int64) (*Consultation, error) {
	c, err := s.Store.Consultation(ctx, id)
	if err != nil {
		return nil, err
	}
	l, err := s.Store.Lead(ctx, c.LeadID)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Read, consultationObject(c, l)); err != nil {
		return nil, hidden(err)
	}
	if c.Sealed != "" {
		plain, err := s.Keys.Open(c.Sealed, NotesContext(c.AgencyID))
		if err != nil {
			return nil, apperr.Wrap(err, "面談記録を復号できませんでした。管理者に連絡してください。")
		}
		var n sealedNotes
		if err := json.Unmarshal(plain, &n); err != nil {
			return nil, err
		}
		c.Notes, c.Impression, c.Wishes, c.HealthNotes = n.Notes, n.Impression, n.Wishes, n.HealthNotes
		if err := s.Audit.Record(ctx, audit.Entry{Action: audit.ConfidentialRead, ActorID: actor.UserID, SubjectID: l.UserID,
			ObjectKind: string(policy.KindConsultation), ObjectID: c.ID, Detail: "面談記録"}); err != nil {
			// No read without its trace.
			return nil, err
		}
	}
	c.Sealed = ""
	return c, nil
}

// ScheduleInterview plans an interview for an introduced case and sends
// the invitations (.ics) to the participants who have an e-mail address.
// A case at introduced moves to interview.
func (s *Service) ScheduleInterview(ctx context.Context, actor policy.Actor, iv *Interview, version int) (*Interview, error) {
	c, party, err := s.loadCase(ctx, actor, policy.Update, iv.CaseID)
	if err != nil {
		return nil, err
	}
	if party == PartyDoctor {
		return nil, apperr.E(apperr.Forbidden, "面接の日程はエージェントまたは医療機関が登録します。")
	}
	if c.Version != version {
		return nil, conflict(apperr.E(apperr.Conflict, "stale"))
	}
	if c.Stage != StageIntroduced && c.Stage != StageInterview {
		return nil, apperr.E(apperr.Conflict, "面接は紹介のあとに登録します（現在「%s」）。", c.Stage.Label())
	}
	if fields := iv.Validate(); len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	now := s.now()
	iv.CreatedBy, iv.CreatedAt, iv.Sequence = actor.UserID, now, 0
	if err := s.Store.CreateInterview(ctx, iv); err != nil {
		return nil, err
	}
	ch := Change{Events: []Event{{CaseID: c.ID, Kind: EventInterview, ActorID: actor.UserID, At: now,
		Detail: "面接を予定: " + iv.StartsAt.In(jst).Format("2006-01-02 15:04") + "（" + iv.Mode.Label() + "）"}}}
	if c.Stage == StageIntroduced {
		ev, err := c.Advance(StageInterview, actor.UserID, now)
		if err != nil {
			return nil, err
		}
		ch.Events = append(ch.Events, ev)
	}
	if err := s.Store.SaveCase(ctx, c, ch); err != nil {
		return nil, conflict(err)
	}
	s.sendInvitations(ctx, c, iv, false)
	return iv, nil
}

// CancelInterview cancels an interview and sends the cancellations.
func (s *Service) CancelInterview(ctx context.Context, actor policy.Actor, interviewID int64) error {
	iv, err := s.Store.Interview(ctx, interviewID)
	if err != nil {
		return err
	}
	c, party, err := s.loadCase(ctx, actor, policy.Update, iv.CaseID)
	if err != nil {
		return err
	}
	if party == PartyDoctor {
		return apperr.E(apperr.Forbidden, "面接の取り消しはエージェントまたは医療機関が行います。")
	}
	if iv.CancelledAt != nil {
		return nil
	}
	now := s.now()
	iv.CancelledAt, iv.Sequence = &now, iv.Sequence+1
	if err := s.Store.UpdateInterview(ctx, iv); err != nil {
		return err
	}
	if err := s.Store.AppendEvents(ctx, []Event{{CaseID: c.ID, Kind: EventInterview, ActorID: actor.UserID, At: now,
		Detail: "面接を取り消し: " + iv.StartsAt.In(jst).Format("2006-01-02 15:04")}}); err != nil {
		return err
	}
	s.sendInvitations(ctx, c, iv, true)
	return nil
}

// InterviewICS returns the interview as an iCalendar file for a party of
// the case.
func (s *Service) InterviewICS(ctx context.Context, actor policy.Actor, interviewID int64) (*Interview, []byte, error) {
	iv, err := s.Store.Interview(ctx, interviewID)
	if err != nil {
		return nil, nil, err
	}
	c, _, err := s.loadCase(ctx, actor, policy.Read, iv.CaseID)
	if err != nil {
		return nil, nil, err
	}
	ics, err := s.invitation(ctx, c, iv, iv.CancelledAt != nil)
	return iv, ics, err
}

// invitation renders the interview as an iTIP request, or its
// cancellation; the UID stays the same so calendars update in place.
func (s *Service) invitation(ctx context.Context, c *Case, iv *Interview, cancelled bool) ([]byte, error) {
	organizer, err := s.Store.User(ctx, c.AgentID)
	if err != nil {
		return nil, err
	}
	cal := ical.Calendar{ProdID: "-//Hakui//Placement//JA", Method: ical.MethodRequest, Event: ical.Event{
		UID: fmt.Sprintf("interview-%d-case-%d@hakui", iv.ID, c.ID), Sequence: iv.Sequence, Stamp: s.now(),
		Start: iv.StartsAt, End: iv.EndsAt, Summary: "面接: " + c.InstitutionName + "「" + c.OpeningTitle + "」",
		Location: iv.Place, URL: iv.MeetingURL, Organizer: ical.Person{Name: organizer.DisplayName, Email: organizer.Email},
		Description: "形式: " + iv.Mode.Label() + "\n" + "紹介会社の担当: " + organizer.DisplayName,
	}}
	if cal.Event.Location == "" && iv.MeetingURL != "" {
		cal.Event.Location = "オンライン"
	}
	for _, p := range iv.Participants {
		// The doctor's address stays with the agency: the file also goes
		// to the institution. The doctor is named in the description.
		if p.Role == ParticipantDoctor {
			cal.Event.Description += "\n医師: " + p.Name
			continue
		}
		if p.Email != "" {
			cal.Event.Attendees = append(cal.Event.Attendees, ical.Person{Name: p.Name, Email: p.Email})
		}
	}
	if cancelled {
		cal.Method = ical.MethodCancel
	}
	return ical.Marshal(cal)
}

// sendInvitations notifies the case's parties, with the .ics attached to
// the e-mail.
func (s *Service) sendInvitations(ctx context.Context, c *Case, iv *Interview, cancelled bool) {
	title := "面接の日程: " + c.InstitutionName
	if cancelled {
		title = "面接の取り消し: " + c.InstitutionName
	}
	body := iv.StartsAt.In(jst).Format("2006年1月2日 15:04") + "〜" + iv.EndsAt.In(jst).Format("15:04") + "（" + iv.Mode.Label() + "）"
	if iv.Place != "" {
		body += "\n場所: " + iv.Place
	}
	if iv.MeetingURL != "" {
		body += "\nURL: " + iv.MeetingURL
	}
	ics, err := s.invitation(ctx, c, iv, cancelled)
	var files []notify.Attachment
	if err == nil {
		method := ical.MethodRequest
		if cancelled {
			method = ical.MethodCancel
		}
		files = []notify.Attachment{{Filename: "interview.ics", ContentType: method.ContentType(), Data: ics}}
	} else if s.Notifier != nil && s.Notifier.Log != nil {
		s.Notifier.Log.WarnContext(ctx, "interview invitation", "interview", iv.ID, "err", err)
	}
	users := append([]int64{c.DoctorID, c.AgentID}, s.staffOf(ctx, c.InstitutionID, identity.RoleInstitutionStaff)...)
	s.notifyUsers(ctx, users, notify.Notification{Kind: "interview", Title: title, Body: body,
		Link: fmt.Sprintf("/cases/%d", c.ID), Attachments: files})
}

// SubmitScorecard records the institution's feedback on an interview.
func (s *Service) SubmitScorecard(ctx context.Context, actor policy.Actor, sc *Scorecard) error {
	iv, err := s.Store.Interview(ctx, sc.InterviewID)
	if err != nil {
		return err
	}
	c, err := s.Store.Case(ctx, iv.CaseID)
	if err != nil {
		return err
	}
	obj := policy.Object{Kind: policy.KindScorecard, OrgID: c.AgencyID}
	if c.IntroducedAt != nil {
		obj.PartnerOrgID = c.InstitutionID
	}
	if err := s.Guard.Check(ctx, actor, policy.Create, obj); err != nil {
		return hidden(err)
	}
	items, err := s.Store.CheckItems(ctx, c.ID)
	if err != nil {
		return err
	}
	if fields := sc.Validate(items); len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	now := s.now()
	sc.CaseID, sc.By, sc.CreatedAt = c.ID, actor.UserID, now
	if err := s.Store.SaveScorecard(ctx, sc); err != nil {
		return err
	}
	if err := s.Store.AppendEvents(ctx, []Event{{CaseID: c.ID, Kind: EventScorecard, ActorID: actor.UserID, At: now,
		Detail: "評価: " + sc.Overall.Label()}}); err != nil {
		return err
	}
	s.notifyUsers(ctx, []int64{c.AgentID}, notify.Notification{Kind: "scorecard", Title: "面接の評価が届きました",
		Body: c.InstitutionName + ": " + sc.Overall.Label(), Link: fmt.Sprintf("/cases/%d", c.ID)})
	return nil
}

// RecordReview records the actor's side of the 振り返り: the doctor's or
// the agent's conclusion.
func (s *Service) RecordReview(ctx context.Context, actor policy.Actor, caseID int64, version int, in Conclusion) (*Case, error) {
	c, party, err := s.loadCase(ctx, actor, policy.Update, caseID)
	if err != nil {
		return nil, err
	}
	if party == PartyInstitution {
		return nil, apperr.E(apperr.Forbidden, "振り返りは医師とエージェントが記録します。医療機関は評価を記録してください。")
	}
	if c.Version != version {
		return nil, conflict(apperr.E(apperr.Conflict, "stale"))
	}
	if c.Stage != StageReview {
		return nil, apperr.E(apperr.Conflict, "振り返りは「%s」の段階で記録します（現在「%s」）。", StageReview.Label(), c.Stage.Label())
	}
	if fields := in.Validate(); len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	now := s.now()
	in.By, in.At = actor.UserID, now
	side := "医師"
	if party == PartyAgent {
		c.AgentReview, side = &in, "エージェント"
	} else {
		c.DoctorReview = &in
	}
	ch := Change{Events: []Event{{CaseID: c.ID, Kind: EventReview, ActorID: actor.UserID, At: now,
		Detail: side + "の結論: " + in.Verdict.Label()}}}
	if err := s.Store.SaveCase(ctx, c, ch); err != nil {
		return nil, conflict(err)
	}
	other := c.AgentID
	if party == PartyAgent {
		other = c.DoctorID
	}
	s.notifyUsers(ctx, []int64{other}, notify.Notification{Kind: "review", Title: side + "が振り返りを記録しました",
		Body: c.InstitutionName + ": " + in.Verdict.Label(), Link: fmt.Sprintf("/cases/%d", c.ID)})
	return s.Store.Case(ctx, c.ID)
}
