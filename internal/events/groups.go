package events

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/grouping"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Limits of group work.
const (
	MaxGroups     = 200
	MaxThemes     = 50
	MaxPresenters = 500
	MaxPoints     = 10000
)

// GroupInput assigns the checked-in participants to groups.
type GroupInput struct {
	Groups  int
	Themes  []string
	Seed    int64 // 0: chosen at random and recorded
	Version int   // of the current group work; 0 for the first
}

// AssignGroups assigns the checked-in registrants to N groups over M
// themes with package grouping and saves the result (organisers).
// Invalid (too many groups for the people, no themes), Conflict when
// stale.
func (s *Service) AssignGroups(ctx context.Context, actor policy.Actor, eventID int64, in GroupInput) (*GroupWork, error) {
	if _, err := s.load(ctx, actor, policy.Update, eventID); err != nil {
		return nil, err
	}
	fields := map[string]string{}
	var themes []string
	for _, t := range in.Themes {
		t = jatext.NormalizeLine(t)
		switch {
		case t == "":
		case utf8.RuneCountInString(t) > MaxTitle:
			fields["themes"] = fmt.Sprintf("テーマは1つ%d文字以内で入力してください。", MaxTitle)
		default:
			themes = append(themes, t)
		}
	}
	switch {
	case len(themes) == 0:
		fields["themes"] = "テーマを1つ以上入力してください。"
	case len(themes) > MaxThemes:
		fields["themes"] = fmt.Sprintf("テーマは%d個までです。", MaxThemes)
	}
	if in.Groups < 1 || in.Groups > MaxGroups {
		fields["groups"] = fmt.Sprintf("グループ数は1〜%dで入力してください。", MaxGroups)
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	regs, err := s.Store.Registrations(ctx, eventID, Registered)
	if err != nil {
		return nil, err
	}
	byID := map[int64]Registration{}
	var people []grouping.Person
	for _, r := range regs {
		if r.CheckedInAt == nil {
			continue
		}
		byID[r.ID] = r
		people = append(people, grouping.Person{ID: r.ID, Prefecture: r.Prefecture, Role: string(r.Role)})
	}
	if len(people) == 0 {
		return nil, apperr.InvalidFields(map[string]string{"groups": "出席確認済みの参加者がいません。先に出席を記録してください。"})
	}
	seed := in.Seed
	for seed == 0 {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, apperr.Wrap(err, "グループ分けの乱数を作れませんでした。")
		}
		seed = int64(binary.BigEndian.Uint64(b[:]) >> 1)
	}
	split, err := grouping.Assign(people, grouping.Options{Groups: in.Groups, Themes: themes, Seed: seed})
	switch {
	case errors.Is(err, grouping.ErrTooMany):
		return nil, apperr.InvalidFields(map[string]string{"groups": fmt.Sprintf(
			"グループ数が出席者数（%d人）より多くなっています。", len(people))})
	case errors.Is(err, grouping.ErrNoGroups):
		return nil, apperr.InvalidFields(map[string]string{"groups": "グループ数は1以上で入力してください。"})
	case errors.Is(err, grouping.ErrNoThemes):
		return nil, apperr.InvalidFields(map[string]string{"themes": "テーマを1つ以上入力してください。"})
	case err != nil:
		return nil, apperr.Wrap(err, "グループ分けができませんでした。")
	}
	gw := &GroupWork{EventID: eventID, Themes: themes, Seed: seed, AssignedBy: actor.UserID, AssignedAt: s.now(),
		Version: in.Version}
	for _, g := range split {
		group := Group{Number: g.Number, Theme: g.Theme}
		for _, id := range g.Members {
			group.Members = append(group.Members, byID[id])
		}
		gw.Groups = append(gw.Groups, group)
	}
	if err := s.Store.SaveGroupWork(ctx, gw); err != nil {
		return nil, stale(err)
	}
	return s.Store.GroupWork(ctx, eventID)
}

// GroupWork returns the event's group work: all of it to the organisers;
// to a participant only the group of their own checked-in registration,
// with its members' names and roles (not how to reach them, nor where
// they come from). NotFound when there is none, or the participant is in
// no group.
func (s *Service) GroupWork(ctx context.Context, actor policy.Actor, eventID int64) (*GroupWork, error) {
	e, err := s.Store.Event(ctx, eventID)
	if err != nil {
		return nil, notFound(err, msgEventNotFound)
	}
	const msgNoGroup = "グループ分けはまだありません。"
	if policy.Decide(actor, policy.Update, object(e)).Allow {
		gw, err := s.Store.GroupWork(ctx, eventID)
		if err != nil {
			return nil, notFound(err, msgNoGroup)
		}
		return gw, nil
	}
	if e.Status == StatusDraft {
		return nil, apperr.E(apperr.NotFound, msgEventNotFound)
	}
	mine, err := s.mine(ctx, actor)
	if err != nil {
		return nil, err
	}
	r := mine[eventID]
	if r == nil || r.Status != Registered || r.CheckedInAt == nil {
		return nil, apperr.E(apperr.NotFound, msgNoGroup)
	}
	gw, err := s.Store.GroupWork(ctx, eventID)
	if err != nil {
		return nil, notFound(err, msgNoGroup)
	}
	for _, g := range gw.Groups {
		if !slices.ContainsFunc(g.Members, func(m Registration) bool { return m.ID == r.ID }) {
			continue
		}
		members := make([]Registration, len(g.Members))
		for i, m := range g.Members {
			members[i] = Registration{ID: m.ID, EventID: m.EventID, Name: m.Name, Role: m.Role, Status: m.Status}
		}
		g.Members = members
		gw.Groups, gw.AssignedBy = []Group{g}, 0
		return gw, nil
	}
	return nil, apperr.E(apperr.NotFound, msgNoGroup)
}

// MoveMember moves a registrant to another group by hand (organisers).
// Conflict when stale.
func (s *Service) MoveMember(ctx context.Context, actor policy.Actor, eventID, registrationID int64, toGroup int, version int) (*GroupWork, error) {
	if _, err := s.load(ctx, actor, policy.Update, eventID); err != nil {
		return nil, err
	}
	gw, err := s.Store.GroupWork(ctx, eventID)
	if err != nil {
		return nil, notFound(err, "グループ分けはまだありません。")
	}
	if gw.Version != version {
		return nil, errStale
	}
	to := slices.IndexFunc(gw.Groups, func(g Group) bool { return g.Number == toGroup })
	if to < 0 {
		return nil, apperr.InvalidFields(map[string]string{"group": fmt.Sprintf("グループ%dはありません。", toGroup)})
	}
	from, at := -1, -1
	for i, g := range gw.Groups {
		if j := slices.IndexFunc(g.Members, func(m Registration) bool { return m.ID == registrationID }); j >= 0 {
			from, at = i, j
		}
	}
	if from < 0 {
		return nil, apperr.E(apperr.NotFound, "この参加者はグループ分けに含まれていません。")
	}
	if from == to {
		return gw, nil
	}
	m := gw.Groups[from].Members[at]
	gw.Groups[from].Members = slices.Delete(gw.Groups[from].Members, at, at+1)
	gw.Groups[to].Members = append(gw.Groups[to].Members, m)
	gw.AssignedBy, gw.AssignedAt = actor.UserID, s.now()
	if err := s.Store.SaveGroupWork(ctx, gw); err != nil {
		return nil, stale(err)
	}
	return s.Store.GroupWork(ctx, eventID)
}

// SaveGroupReport records a group's presenters and the points it
// reported (organisers).
func (s *Service) SaveGroupReport(ctx context.Context, actor policy.Actor, groupID int64, presenters, points string) error {
	_, eventID, err := s.Store.EventGroup(ctx, groupID)
	if err != nil {
		return notFound(err, "グループが見つかりません。")
	}
	if _, err := s.load(ctx, actor, policy.Update, eventID); err != nil {
		return err
	}
	fields := map[string]string{}
	if msg := checkText(&presenters, "発表者", false, MaxPresenters); msg != "" {
		fields["presenters"] = msg
	}
	points = jatext.Normalize(points)
	if utf8.RuneCountInString(points) > MaxPoints {
		fields["points"] = fmt.Sprintf("報告内容は%d文字以内で入力してください。", MaxPoints)
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	return s.Store.SaveGroupReport(ctx, groupID, presenters, points)
}
