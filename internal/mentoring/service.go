package mentoring

import (
	"context"
	"log/slog"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/guard"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/vault"
)

// Store is what the service needs from the database.
type Store interface {
	User(ctx context.Context, id int64) (*identity.User, error)
	Grants(ctx context.Context, userID int64) ([]identity.Grant, error)
	Members(ctx context.Context, orgID int64) ([]identity.Member, error)
	// CoordinatesDoctor reports whether the organisation is the
	// coordinating office of one of the doctor's enrolments the doctor has
	// not left.
	CoordinatesDoctor(ctx context.Context, orgID, doctorID int64) (bool, error)

	// CreateMentorPair inserts p and sets its ID. Conflict when the same
	// mentor and mentee already have a pair that has not ended.
	CreateMentorPair(ctx context.Context, p *Pair) error
	// UpdateMentorPair writes p's end date, interval and note if the
	// stored version is still p.Version and the pair has not ended, then
	// bumps p.Version. Conflict when someone saved first or the pair
	// ended; NotFound when there is no such pair.
	UpdateMentorPair(ctx context.Context, p *Pair) error
	// EndMentorPair ends the pair if the stored version is still version
	// and it has not ended. Conflict or NotFound as UpdateMentorPair.
	EndMentorPair(ctx context.Context, id int64, version int, by int64, at time.Time) error
	// MentorPair returns one pair. NotFound.
	MentorPair(ctx context.Context, id int64) (*Pair, error)
	// MentorPairs returns the pairs f selects, the latest started first.
	MentorPairs(ctx context.Context, f PairFilter) ([]Pair, error)
	// MarkMentorPairReminded records a reminder sent at at, only if the
	// pair is still active on the day of c and under both cutoffs; it
	// reports whether it did, so that one instance alone sends it.
	MarkMentorPairReminded(ctx context.Context, id int64, at time.Time, c Cutoffs) (bool, error)

	// CreateMentoringMeeting inserts m with the ciphertexts seal returns
	// for its ID, sets m.ID and m.Sealed, and moves the pair's last
	// meeting date forward. Conflict when the pair has ended.
	CreateMentoringMeeting(ctx context.Context, m *Meeting, seal func(id int64) (Sealed, error)) error
	// SetMentoringLearned writes the side's sealed "what I learned" of a
	// meeting. NotFound.
	SetMentoringLearned(ctx context.Context, meetingID int64, side Side, sealed string, at time.Time) error
	// MentoringMeeting returns one meeting, its fields sealed. NotFound.
	MentoringMeeting(ctx context.Context, id int64) (*Meeting, error)
	// MentoringMeetings returns a pair's meetings, sealed, the latest
	// held first.
	MentoringMeetings(ctx context.Context, pairID int64) ([]Meeting, error)
}

// PairFilter selects pairs. Zero fields do not filter; at least one of
// OrgIDs and PartyID should be set.
type PairFilter struct {
	OrgIDs  []int64 // the offices; a pair matches one of these or PartyID
	PartyID int64   // the mentor or the mentee
	Open    bool    // only pairs not ended
	Limit   int     // at most 10000; 0 means 500
}

// Service keeps the pairs and their meetings and sends the reminders.
type Service struct {
	Store    Store
	Guard    *guard.Guard
	Audit    *audit.Recorder
	Keys     *vault.Keyring
	Notifier *notify.Notifier // nil: no reminders are sent, none recorded
	Log      *slog.Logger
	Now      func() time.Time
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Microsecond) }

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// notFound is the answer to anyone the pair is hidden from, so that its
// existence is not revealed.
func notFound() error {
	return apperr.E(apperr.NotFound, "メンタリングのペアが見つかりません。")
}

// hidden turns a denial into not-found.
func hidden(err error) error {
	if apperr.Is(err, apperr.Forbidden) {
		return notFound()
	}
	return err
}

// object returns the pair as the policy sees it.
func object(p *Pair) policy.Object {
	return policy.Object{Kind: policy.KindMentoring, ID: p.ID, OrgID: p.OrgID, OwnerID: p.MenteeID}
}

// SideOf returns the side the actor plays in the pair, or "" when they
// are neither the mentor nor the mentee (a coordinator, anyone else).
// Pages use it to offer the actor's own "what I learned" field.
//
// The policy cannot say who the mentor is, so the service decides for
// both parties here: while they hold the doctor role, each reads the pair
// and its logs and records meetings. Everyone else goes through the guard.
func SideOf(actor policy.Actor, p *Pair) Side {
	if actor.Anonymous() || !actor.Has(identity.RoleDoctor) {
		return ""
	}
	switch actor.UserID {
	case p.MentorID:
		return SideMentor
	case p.MenteeID:
		return SideMentee
	}
	return ""
}

// access loads the pair and lets a party or, through the guard, whoever
// the policy allows action on it; others get not-found. It returns the
// pair and the actor's side ("" for a coordinator).
func (s *Service) access(ctx context.Context, actor policy.Actor, action policy.Action, pairID int64) (*Pair, Side, error) {
	if actor.Anonymous() {
		return nil, "", apperr.E(apperr.Unauthorized, "ログインしてください。")
	}
	p, err := s.Store.MentorPair(ctx, pairID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, "", notFound()
	}
	if err != nil {
		return nil, "", err
	}
	if side := SideOf(actor, p); side != "" {
		return p, side, nil
	}
	if err := s.Guard.Check(ctx, actor, action, object(p)); err != nil {
		return nil, "", hidden(err)
	}
	return p, "", nil
}

// CreatePair arranges a pair for the office in.OrgID, whose coordinator
// the actor must be: in.MenteeID must be a doctor the office coordinates
// (an enrolment not left), in.MentorID any other doctor. A mentee the
// office does not follow is not found, as is an office the actor does not
// coordinate. IntervalMonths 0 means DefaultIntervalMonths.
func (s *Service) CreatePair(ctx context.Context, actor policy.Actor, in *Pair) (*Pair, error) {
	if err := s.Guard.Check(ctx, actor, policy.Create, policy.Object{Kind: policy.KindMentoring, OrgID: in.OrgID, OwnerID: in.MenteeID}); err != nil {
		return nil, hidden(err)
	}
	follows, err := s.Store.CoordinatesDoctor(ctx, in.OrgID, in.MenteeID)
	if err != nil {
		return nil, err
	}
	if !follows {
		return nil, apperr.E(apperr.NotFound, "この事務局が支援している医師が見つかりません。")
	}
	p := &Pair{OrgID: in.OrgID, MenteeID: in.MenteeID, MentorID: in.MentorID, CreatedBy: actor.UserID, Version: 1}
	fields := s.fill(p, in)
	if msg, err := s.checkMentor(ctx, in.MentorID, in.MenteeID); err != nil {
		return nil, err
	} else if msg != "" {
		fields["mentor_id"] = msg
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	now := s.now()
	p.CreatedAt, p.UpdatedAt = now, now
	if err := s.Store.CreateMentorPair(ctx, p); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.InvalidFields(map[string]string{"mentor_id": "このメンターとメンティーのペアは既にあります。"})
		}
		return nil, err
	}
	return s.Store.MentorPair(ctx, p.ID)
}

// fill copies the editable fields of in to p and validates them.
func (s *Service) fill(p, in *Pair) map[string]string {
	p.StartsOn, p.EndsOn, p.IntervalMonths, p.Note = time.Time{}, nil, in.IntervalMonths, in.Note
	if !in.StartsOn.IsZero() {
		p.StartsOn = Day(in.StartsOn)
	}
	if in.EndsOn != nil {
		d := Day(*in.EndsOn)
		p.EndsOn = &d
	}
	if p.IntervalMonths == 0 {
		p.IntervalMonths = DefaultIntervalMonths
	}
	return p.Validate(s.now())
}

// checkMentor returns why the user cannot mentor the mentee, or "".
func (s *Service) checkMentor(ctx context.Context, mentorID, menteeID int64) (string, error) {
	const unknown = "メンターには医師として登録している方を選んでください。"
	if mentorID == 0 {
		return "メンターを選んでください。", nil
	}
	if mentorID == menteeID {
		return "メンターとメンティーは別の医師にしてください。", nil
	}
	u, err := s.Store.User(ctx, mentorID)
	if apperr.Is(err, apperr.NotFound) {
		return unknown, nil
	}
	if err != nil {
		return "", err
	}
	if u.DisabledAt != nil {
		return unknown, nil
	}
	grants, err := s.Store.Grants(ctx, mentorID)
	if err != nil {
		return "", err
	}
	for _, g := range grants {
		if g.Role == identity.RoleDoctor {
			return "", nil
		}
	}
	return unknown, nil
}

// UpdatePair changes a pair's planned end, interval and note, for a
// coordinator of its office. in.Version is the version the actor edited.
func (s *Service) UpdatePair(ctx context.Context, actor policy.Actor, in *Pair) (*Pair, error) {
	p, err := s.manage(ctx, actor, in.ID)
	if err != nil {
		return nil, err
	}
	if in.Version != p.Version {
		return nil, pairConflict()
	}
	if p.Ended() {
		return nil, endedConflict()
	}
	edit := *in
	edit.StartsOn = p.StartsOn // the start is not edited
	if fields := s.fill(p, &edit); len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	p.UpdatedAt = s.now()
	if err := s.Store.UpdateMentorPair(ctx, p); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, pairConflict()
		}
		return nil, err
	}
	return s.Store.MentorPair(ctx, p.ID)
}

// EndPair ends a pair, for a coordinator of its office: it takes no more
// meetings and is no longer reminded; it and its logs stay readable.
func (s *Service) EndPair(ctx context.Context, actor policy.Actor, id int64, version int) (*Pair, error) {
	p, err := s.manage(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if p.Ended() {
		return nil, endedConflict()
	}
	if version != p.Version {
		return nil, pairConflict()
	}
	if err := s.Store.EndMentorPair(ctx, id, version, actor.UserID, s.now()); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, pairConflict()
		}
		return nil, err
	}
	return s.Store.MentorPair(ctx, id)
}

// manage loads a pair for a change only the office's coordinators make.
// The parties see a denial (they know the pair); others not-found.
func (s *Service) manage(ctx context.Context, actor policy.Actor, id int64) (*Pair, error) {
	p, err := s.Store.MentorPair(ctx, id)
	if apperr.Is(err, apperr.NotFound) {
		return nil, notFound()
	}
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Update, object(p)); err != nil {
		if SideOf(actor, p) != "" {
			return nil, err
		}
		return nil, hidden(err)
	}
	return p, nil
}

func pairConflict() error {
	return apperr.E(apperr.Conflict, "このペアは他の方が先に更新しました。最新の内容を確認してから、もう一度操作してください。")
}

func endedConflict() error {
	return apperr.E(apperr.Conflict, "このペアは終了しています。")
}

// Pair returns one pair to a party or a coordinator of its office; others
// get not-found.
func (s *Service) Pair(ctx context.Context, actor policy.Actor, id int64) (*Pair, error) {
	p, _, err := s.access(ctx, actor, policy.Read, id)
	return p, err
}

// Pairs returns the pairs the actor sees: those of the offices they
// coordinate and those they are a party to, the latest started first.
// With open, only pairs not ended.
func (s *Service) Pairs(ctx context.Context, actor policy.Actor, open bool) ([]Pair, error) {
	if actor.Anonymous() {
		return nil, apperr.E(apperr.Unauthorized, "ログインしてください。")
	}
	f := PairFilter{Open: open}
	for _, g := range actor.Grants {
		if g.Role == identity.RoleCoordinator && g.OrgID != 0 {
			f.OrgIDs = append(f.OrgIDs, g.OrgID)
		}
	}
	if actor.Has(identity.RoleDoctor) {
		f.PartyID = actor.UserID
	}
	if len(f.OrgIDs) == 0 && f.PartyID == 0 {
		return nil, nil
	}
	list, err := s.Store.MentorPairs(ctx, f)
	if err != nil {
		return nil, err
	}
	out := list[:0]
	for _, p := range list {
		if SideOf(actor, &p) != "" || policy.Decide(actor, policy.List, object(&p)).Allow {
			out = append(out, p)
		}
	}
	return out, nil
}
