package mentoring

import (
	"context"
	"strconv"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/policy"
)

// RecordMeeting logs a meeting of the pair in.PairID, for its mentor, its
// mentee or a coordinator of its office. A party may write their own "what
// I learned" with it, never the other side's; a coordinator writes
// neither. The summary and what each side learned are sealed before they
// reach the store. An ended pair takes no meetings (conflict).
func (s *Service) RecordMeeting(ctx context.Context, actor policy.Actor, in *Meeting) (*Meeting, error) {
	p, side, err := s.access(ctx, actor, policy.Create, in.PairID)
	if err != nil {
		return nil, err
	}
	if p.Ended() {
		return nil, endedConflict()
	}
	m := &Meeting{PairID: p.ID, Mode: in.Mode, Topics: NormalizeTopics(in.Topics), Summary: in.Summary,
		MentorLearned: in.MentorLearned, MenteeLearned: in.MenteeLearned, RecordedBy: actor.UserID}
	if !in.HeldOn.IsZero() {
		m.HeldOn = Day(in.HeldOn)
	}
	if in.NextMeeting != nil {
		d := Day(*in.NextMeeting)
		m.NextMeeting = &d
	}
	fields := m.Validate(p, s.now())
	for _, other := range []Side{SideMentor, SideMentee} {
		if other != side && m.Learned(other) != "" {
			fields[string(LearnedField(other))] = other.Label() + "が学んだことは、" + other.Label() + "本人が記入します。"
		}
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	now := s.now()
	m.CreatedAt, m.UpdatedAt = now, now
	if err := s.Store.CreateMentoringMeeting(ctx, m, func(id int64) (Sealed, error) { return s.seal(m, id) }); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, endedConflict()
		}
		return nil, err
	}
	m.Sealed = Sealed{}
	return m, nil
}

// Reflect writes what the actor learned from a meeting of a pair they are
// a party to, on their own side; an empty text clears it. It is allowed
// after the pair ended, so that the last meeting can be reflected on.
func (s *Service) Reflect(ctx context.Context, actor policy.Actor, meetingID int64, text string) (*Meeting, error) {
	m, err := s.Store.MentoringMeeting(ctx, meetingID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, notFound()
	}
	if err != nil {
		return nil, err
	}
	_, side, err := s.access(ctx, actor, policy.Read, m.PairID)
	if err != nil {
		return nil, err
	}
	if side == "" {
		// A coordinator reads the log but writes no one's reflection.
		return nil, apperr.E(apperr.Forbidden, "学んだことは、メンターとメンティー本人だけが記入できます。")
	}
	field := LearnedField(side)
	if utf8.RuneCountInString(text) > MaxLearned {
		return nil, apperr.InvalidFields(map[string]string{string(field): "学んだことは" + strconv.Itoa(MaxLearned) + "文字までです。"})
	}
	sealed := ""
	if text != "" {
		if sealed, err = s.Keys.Seal([]byte(text), SealContext(field, m.ID)); err != nil {
			return nil, err
		}
	}
	if err := s.Store.SetMentoringLearned(ctx, m.ID, side, sealed, s.now()); err != nil {
		return nil, err
	}
	if m, err = s.Store.MentoringMeeting(ctx, m.ID); err != nil {
		return nil, err
	}
	return m, s.open(m)
}

// Meeting returns one meeting, opened, to a party of its pair or a
// coordinator of the office; others get not-found.
func (s *Service) Meeting(ctx context.Context, actor policy.Actor, id int64) (*Meeting, error) {
	m, err := s.Store.MentoringMeeting(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, notFound()
	}
	if err != nil {
		return nil, err
	}
	p, side, err := s.access(ctx, actor, policy.Read, m.PairID)
	if err != nil {
		return nil, err
	}
	if err := s.traceRead(ctx, actor, p, side); err != nil {
		return nil, err
	}
	return m, s.open(m)
}

// Meetings returns the pair's meetings, opened, the latest first, to a
// party or a coordinator of the office; others get not-found.
func (s *Service) Meetings(ctx context.Context, actor policy.Actor, pairID int64) ([]Meeting, error) {
	p, side, err := s.access(ctx, actor, policy.Read, pairID)
	if err != nil {
		return nil, err
	}
	list, err := s.Store.MentoringMeetings(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	if len(list) > 0 {
		if err := s.traceRead(ctx, actor, p, side); err != nil {
			return nil, err
		}
	}
	for i := range list {
		if err := s.open(&list[i]); err != nil {
			return nil, err
		}
	}
	return list, nil
}

// traceRead audits a coordinator's read of the logs about the mentee, as
// records are: without the trace there is no read. The parties reading
// their own logs are not traced.
func (s *Service) traceRead(ctx context.Context, actor policy.Actor, p *Pair, side Side) error {
	if side != "" {
		return nil
	}
	return s.Audit.Record(ctx, audit.Entry{Action: audit.ConfidentialRead, ActorID: actor.UserID, SubjectID: p.MenteeID,
		ObjectKind: string(policy.KindMentoring), ObjectID: p.ID, Detail: "メンタリング記録: " + p.MentorName + " → " + p.MenteeName})
}

// seal seals each non-empty confidential field of m, bound to the meeting.
func (s *Service) seal(m *Meeting, id int64) (Sealed, error) {
	var out Sealed
	for _, f := range []struct {
		field Field
		plain string
		dst   *string
	}{
		{FieldSummary, m.Summary, &out.Summary},
		{FieldMentorLearned, m.MentorLearned, &out.MentorLearned},
		{FieldMenteeLearned, m.MenteeLearned, &out.MenteeLearned},
	} {
		if f.plain == "" {
			continue
		}
		ct, err := s.Keys.Seal([]byte(f.plain), SealContext(f.field, id))
		if err != nil {
			return Sealed{}, err
		}
		*f.dst = ct
	}
	return out, nil
}

// open unseals the confidential fields of m into its plaintext fields.
func (s *Service) open(m *Meeting) error {
	for _, f := range []struct {
		field  Field
		sealed string
		dst    *string
	}{
		{FieldSummary, m.Sealed.Summary, &m.Summary},
		{FieldMentorLearned, m.Sealed.MentorLearned, &m.MentorLearned},
		{FieldMenteeLearned, m.Sealed.MenteeLearned, &m.MenteeLearned},
	} {
		if f.sealed == "" {
			continue
		}
		plain, err := s.Keys.Open(f.sealed, SealContext(f.field, m.ID))
		if err != nil {
			return apperr.Wrap(err, "メンタリング記録を復号できませんでした。管理者に連絡してください。")
		}
		*f.dst = string(plain)
	}
	m.Sealed = Sealed{}
	return nil
}
