package placement

import (
	"context"
	"fmt"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/profile"
)

// caseStory is the context a follow-up keeps: where the doctor was
// introduced and how it ended, so that the reminder explains itself years
// later.
func caseStory(c *Case) string {
	story := c.InstitutionName + "「" + c.OpeningTitle + "」"
	if c.Outcome != nil {
		story += "。前回: " + c.Outcome.Stage.Label()
		if c.Outcome.Reason != "" {
			story += "（" + c.Outcome.Reason.Label() + "）"
		}
		if c.Outcome.Note != "" {
			story += " " + c.Outcome.Note
		}
	} else {
		story += "。前回: " + c.Stage.Label() + "の段階"
	}
	if r := []rune(story); len(r) > 2000 {
		story = string(r[:2000])
	}
	return story
}

// CreateFollowUp sets a reminder for the agent: due on a date, or waiting
// for a career event of the doctor.
func (s *Service) CreateFollowUp(ctx context.Context, actor policy.Actor, f *FollowUp) error {
	if f.CaseID != 0 {
		c, party, err := s.loadCase(ctx, actor, policy.Update, f.CaseID)
		if err != nil {
			return err
		}
		if party != PartyAgent {
			return apperr.E(apperr.Forbidden, "フォローアップはエージェントが設定します。")
		}
		f.LeadID, f.Context = c.LeadID, caseStory(c)
	}
	l, err := s.Store.Lead(ctx, f.LeadID)
	if err != nil {
		return err
	}
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindFollowUp, OrgID: l.AgencyID}); err != nil {
		return hidden(err)
	}
	f.Note = strings.TrimSpace(jatext.Normalize(f.Note))
	fields := f.Trigger.Validate()
	if len([]rune(f.Note)) > 1000 {
		fields["note"] = "メモは1000文字以内にしてください。"
	}
	if f.Trigger.Kind != TriggerDate && l.UserID == 0 {
		fields["trigger_kind"] = "経歴の変化を待つには、医師アカウントとの連携が必要です。日付で設定してください。"
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	now := s.now()
	f.AgencyID, f.DoctorID, f.AgentID, f.Status, f.CreatedAt = l.AgencyID, l.UserID, actor.UserID, FollowUpWaiting, now
	if err := s.Store.CreateFollowUp(ctx, f); err != nil {
		return err
	}
	if f.CaseID != 0 {
		_ = s.Store.AppendEvents(ctx, []Event{{CaseID: f.CaseID, Kind: EventFollowUp, ActorID: actor.UserID, At: now,
			Detail: "フォローアップを設定: " + f.Trigger.Describe()}})
	}
	// A follow-up whose event already happened is due at once.
	_, err = s.CareerChanged(ctx, l.UserID)
	return err
}

// FollowUps lists an agency's follow-ups.
func (s *Service) FollowUps(ctx context.Context, actor policy.Actor, f FollowUpFilter) ([]FollowUp, error) {
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindFollowUp, OrgID: f.AgencyID}); err != nil {
		return nil, hidden(err)
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 200
	}
	return s.Store.FollowUps(ctx, f)
}

// FinishFollowUp marks a follow-up done or cancelled.
func (s *Service) FinishFollowUp(ctx context.Context, actor policy.Actor, id int64, to FollowUpStatus) error {
	f, err := s.Store.FollowUp(ctx, id)
	if err != nil {
		return err
	}
	if err := s.Guard.Check(ctx, actor, policy.Update, policy.Object{Kind: policy.KindFollowUp, ID: f.ID, OrgID: f.AgencyID}); err != nil {
		return hidden(err)
	}
	if to != FollowUpDone && to != FollowUpCancelled {
		return apperr.E(apperr.Invalid, "フォローアップの状態が正しくありません。")
	}
	if f.Status == FollowUpDone || f.Status == FollowUpCancelled {
		return nil
	}
	_, err = s.Store.SetFollowUpStatus(ctx, f.ID, f.Status, to, s.now())
	return err
}

// ReopenFromFollowUp reopens the follow-up's case in one step and marks
// the follow-up done.
func (s *Service) ReopenFromFollowUp(ctx context.Context, actor policy.Actor, id int64) (*Case, error) {
	f, err := s.Store.FollowUp(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Update, policy.Object{Kind: policy.KindFollowUp, ID: f.ID, OrgID: f.AgencyID}); err != nil {
		return nil, hidden(err)
	}
	if f.CaseID == 0 {
		return nil, apperr.E(apperr.Invalid, "このフォローアップには案件がありません。リードから新しい案件を作成してください。")
	}
	c, err := s.Store.Case(ctx, f.CaseID)
	if err != nil {
		return nil, err
	}
	if CanReopen(c.Stage) {
		if c, err = s.Reopen(ctx, actor, c.ID, c.Version); err != nil {
			return nil, err
		}
	}
	if f.Status != FollowUpDone && f.Status != FollowUpCancelled {
		if _, err := s.Store.SetFollowUpStatus(ctx, f.ID, f.Status, FollowUpDone, s.now()); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// CareerChanged fires the doctor's waiting follow-ups whose career event
// has now happened, and tells each agent with the original context. It is
// called when the doctor saves their profile, and by the daily sweep. It
// returns how many fired.
func (s *Service) CareerChanged(ctx context.Context, doctorID int64) (int, error) {
	if doctorID == 0 {
		return 0, nil
	}
	waiting, err := s.Store.FollowUps(ctx, FollowUpFilter{DoctorID: doctorID, Statuses: []FollowUpStatus{FollowUpWaiting}, Limit: 1000})
	if err != nil || len(waiting) == 0 {
		return 0, err
	}
	p, err := s.Store.Profile(ctx, doctorID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return 0, err
	}
	return s.fire(ctx, waiting, p)
}

func (s *Service) fire(ctx context.Context, list []FollowUp, p *profile.Profile) (int, error) {
	now := s.now()
	fired := 0
	for _, f := range list {
		if !f.Trigger.Met(p, now) {
			continue
		}
		ok, err := s.Store.SetFollowUpStatus(ctx, f.ID, FollowUpWaiting, FollowUpDue, now)
		if err != nil {
			return fired, err
		}
		if !ok {
			continue // another instance fired it
		}
		fired++
		link := "/agency/follow-ups"
		if f.CaseID != 0 {
			link = fmt.Sprintf("/cases/%d", f.CaseID)
		}
		body := f.DoctorName + ": " + f.Trigger.Describe()
		if f.Note != "" {
			body += "\n" + f.Note
		}
		if f.Context != "" {
			body += "\n" + f.Context
		}
		s.notifyUsers(ctx, []int64{f.AgentID}, notify.Notification{Kind: "follow_up", Title: "フォローアップの時期です", Body: body, Link: link})
		// The chat room gets the event and the link, not the doctor's name
		// or the agent's notes.
		s.postToOrg(ctx, f.AgencyID, "フォローアップの時期です", f.Trigger.Describe(), link)
		if f.CaseID != 0 {
			_ = s.Store.AppendEvents(ctx, []Event{{CaseID: f.CaseID, Kind: EventFollowUp, At: now,
				Detail: "フォローアップの条件を満たしました: " + f.Trigger.Describe()}})
		}
	}
	return fired, nil
}

// SweepFollowUps fires every waiting follow-up whose date or career event
// has come. The job queue runs it daily; it is safe on several instances.
func (s *Service) SweepFollowUps(ctx context.Context) (int, error) {
	waiting, err := s.Store.FollowUps(ctx, FollowUpFilter{Statuses: []FollowUpStatus{FollowUpWaiting}, Limit: 10000})
	if err != nil {
		return 0, err
	}
	byDoctor := map[int64][]FollowUp{}
	for _, f := range waiting {
		byDoctor[f.DoctorID] = append(byDoctor[f.DoctorID], f)
	}
	total := 0
	for doctor, list := range byDoctor {
		var p *profile.Profile
		if doctor != 0 {
			got, err := s.Store.Profile(ctx, doctor)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return total, err
			}
			p = got
		}
		n, err := s.fire(ctx, list, p)
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// AgencyReport computes the agency's pipeline report for the period,
// optionally for one agent.
func (s *Service) AgencyReport(ctx context.Context, actor policy.Actor, f ReportFilter) (*Report, error) {
	if err := s.Guard.Check(ctx, actor, policy.Read, policy.Object{Kind: policy.KindReport, OrgID: f.AgencyID}); err != nil {
		return nil, hidden(err)
	}
	if !f.Period.From.Before(f.Period.To) {
		return nil, apperr.InvalidFields(map[string]string{"from": "期間の開始は終了より前にしてください。"})
	}
	cases, err := s.Store.Cases(ctx, CaseFilter{AgencyID: f.AgencyID, AgentID: f.AgentID, Limit: 1 << 20})
	if err != nil {
		return nil, err
	}
	events, err := s.Store.AgencyEvents(ctx, f.AgencyID, f.Period.To)
	if err != nil {
		return nil, err
	}
	r := BuildReport(f, cases, events)
	return &r, nil
}
