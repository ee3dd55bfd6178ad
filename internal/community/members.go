package community

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/profile"
)

// invitationTTL is how long an invitation can be accepted.
const invitationTTL = 14 * 24 * time.Hour

// Blockers of an application.
const (
	blockNotDoctor  = "医師アカウントでログインしてください。"
	blockCompany    = "企業アカウントは参加できません。"
	blockNoRegister = "プロフィールに医籍登録番号を登録してください。"
	blockUnverified = "医籍登録番号の確認が済んでいません。確認をお待ちください。"
	blockGroup      = "プロフィールの勤務形態が「開業医」または「開業予定」の医師だけが参加できます。"
	blockBanned     = "掲示板の利用が禁止されています。"
	blockApplied    = "参加を申請済みです。承認をお待ちください。"
	blockActive     = "すでに参加しています。"
)

// eligibility is what Apply and AcceptInvitation check of the actor.
type eligibility struct {
	profile  *profile.Profile
	group    Group
	verified bool
	blockers []string
	fields   map[string]string // the profile's unmet conditions, per field
}

func (s *Service) eligibility(ctx context.Context, v Viewer) (*eligibility, error) {
	e := &eligibility{fields: map[string]string{}}
	if v.UserID == 0 {
		e.blockers = append(e.blockers, blockNotDoctor)
		return e, nil
	}
	if v.Company {
		e.blockers = append(e.blockers, blockCompany)
		return e, nil
	}
	if !v.Doctor {
		e.blockers = append(e.blockers, blockNotDoctor)
		return e, nil
	}
	p, err := s.Store.Profile(ctx, v.UserID)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return nil, err
	}
	e.profile = p
	switch {
	case p == nil || p.RegistrationNumber == "":
		e.fields["registration_number"] = blockNoRegister
	case p.RegistrationVerifiedAt == nil:
		e.fields["registration_number"] = blockUnverified
	default:
		e.verified = true
	}
	if p != nil && Group(p.PracticeForm).Valid() {
		e.group = Group(p.PracticeForm)
	} else {
		e.fields["practice_form"] = blockGroup
	}
	for _, k := range []string{"registration_number", "practice_form"} {
		if msg, ok := e.fields[k]; ok {
			e.blockers = append(e.blockers, msg)
		}
	}
	if m := v.Member; m != nil {
		switch m.Status {
		case StatusBanned:
			e.blockers = append(e.blockers, blockBanned)
		case StatusApplied:
			e.blockers = append(e.blockers, blockApplied)
		case StatusActive:
			e.blockers = append(e.blockers, blockActive)
		}
	}
	return e, nil
}

// Standing returns the actor's relation to the board. Anyone may ask.
func (s *Service) Standing(ctx context.Context, actor policy.Actor) (*Standing, error) {
	v, err := s.viewer(ctx, actor)
	if err != nil {
		return nil, err
	}
	st := &Standing{UserID: v.UserID, Member: v.Member, Moderator: v.Moderator, Doctor: v.Doctor,
		CanRead: Decide(v, OpRead).Allow, CanPost: Decide(v, OpWrite).Allow}
	if v.Company {
		if st.Company, err = s.Store.CommunityCompanyOf(ctx, v.UserID); err != nil {
			return nil, err
		}
		if !v.Moderator {
			st.Company.Note = "" // the moderators' note about the company
		}
	}
	e, err := s.eligibility(ctx, v)
	if err != nil {
		return nil, err
	}
	st.Verified, st.Group, st.Blockers = e.verified, e.group, e.blockers
	st.CanApply = Decide(v, OpApply).Allow && len(e.blockers) == 0
	return st, nil
}

// referral resolves a referral code to its company: 0 for "", a field
// error for an unknown or disabled code.
func (s *Service) referral(ctx context.Context, code string) (int64, error) {
	code = strings.ToUpper(jatext.NormalizeLine(code))
	if code == "" {
		return 0, nil
	}
	c, err := s.Store.CommunityCompanyByCode(ctx, code)
	if apperr.Is(err, apperr.NotFound) || (err == nil && c.DisabledAt != nil) {
		return 0, apperr.InvalidFields(map[string]string{"referral_code": "紹介コードが見つかりません。"})
	}
	if err != nil {
		return 0, err
	}
	return c.ID, nil
}

// admit checks the eligibility shared by Apply and AcceptInvitation and
// returns the member's group and company.
func (s *Service) admit(ctx context.Context, v Viewer, in Application) (Group, int64, error) {
	if err := s.check(ctx, v, OpApply, objMember, v.UserID); err != nil {
		return "", 0, err
	}
	if m := v.Member; m != nil && m.Status == StatusApplied {
		return "", 0, apperr.E(apperr.Conflict, "%s", blockApplied)
	}
	if m := v.Member; m != nil && m.Status == StatusActive {
		return "", 0, apperr.E(apperr.Conflict, "%s", blockActive)
	}
	e, err := s.eligibility(ctx, v)
	if err != nil {
		return "", 0, err
	}
	fields := e.fields
	if utf8.RuneCountInString(in.Note) > 2000 {
		fields["note"] = "2000文字以内で入力してください。"
	}
	company, err := s.referral(ctx, in.ReferralCode)
	if err != nil {
		for k, msg := range apperr.FieldsOf(err) {
			fields[k] = msg
		}
		if len(apperr.FieldsOf(err)) == 0 {
			return "", 0, err
		}
	}
	if len(fields) > 0 {
		return "", 0, apperr.InvalidFields(fields)
	}
	return e.group, company, nil
}

// newMember is a membership with the defaults of the card.
func newMember(userID int64, group Group, company int64, note string, now time.Time) *Member {
	return &Member{UserID: userID, Group: group, CompanyID: company, ApplicationNote: note, AppliedAt: now,
		SharePractice: true, Digest: DigestDaily, UpdatedAt: now}
}

// Apply records the actor's application. The actor must be a doctor with
// a verified 医籍登録番号 and the practice form clinic_owner or
// planning_to_open; the group is taken from the profile. A moderator
// decides. Invalid with per-field errors; Conflict when an application or
// membership is already there; Forbidden when banned.
func (s *Service) Apply(ctx context.Context, actor policy.Actor, in Application) (*Member, error) {
	v, err := s.viewer(ctx, actor)
	if err != nil {
		return nil, err
	}
	in.Note = prose(in.Note)
	group, company, err := s.admit(ctx, v, in)
	if err != nil {
		return nil, err
	}
	m := newMember(v.UserID, group, company, in.Note, v.Now)
	m.Status, m.Entry = StatusApplied, EntryApplication
	if err := s.Store.CreateCommunityMember(ctx, m); err != nil {
		return nil, err
	}
	return m, nil
}

// Invite creates an invitation from an active member that is not
// silenced. The token is returned once (the link is /community/join/{token}).
func (s *Service) Invite(ctx context.Context, actor policy.Actor, in InvitationInput) (string, *Invitation, error) {
	v, err := s.access(ctx, actor, OpWrite, objInvite, 0)
	if err != nil {
		return "", nil, err
	}
	in.Email, in.Note = jatext.NormalizeEmail(in.Email), prose(in.Note)
	fields := map[string]string{}
	if in.Email != "" && (len(in.Email) > 254 || !strings.Contains(in.Email, "@")) {
		fields["email"] = "メールアドレスの形式が正しくありません。"
	}
	if utf8.RuneCountInString(in.Note) > 1000 {
		fields["note"] = "1000文字以内で入力してください。"
	}
	if len(fields) > 0 {
		return "", nil, apperr.InvalidFields(fields)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", nil, err
	}
	token := base64.RawURLEncoding.EncodeToString(raw)
	inv := &Invitation{InvitedBy: v.UserID, Email: in.Email, Note: in.Note, CreatedAt: v.Now, ExpiresAt: v.Now.Add(invitationTTL)}
	if err := s.Store.CreateCommunityInvitation(ctx, inv, tokenHash(token)); err != nil {
		return "", nil, err
	}
	if inv.Email != "" {
		s.mailInvitation(ctx, v.UserID, inv, token)
	}
	return token, inv, nil
}

// mailInvitation sends the invitee the link. A failure is logged: the
// invitation exists, and the inviter still has the link to pass on.
func (s *Service) mailInvitation(ctx context.Context, inviterID int64, inv *Invitation, token string) {
	if s.Notifier == nil {
		return
	}
	name := cmp.Or(s.userName(ctx, inviterID), "会員")
	var b strings.Builder
	b.WriteString(name + " 先生から、開業医・開業予定の医師の掲示板への招待が届きました。\r\n")
	if inv.Note != "" {
		b.WriteString("\r\n" + name + " 先生からのメッセージ:\r\n" + strings.ReplaceAll(inv.Note, "\n", "\r\n") + "\r\n")
	}
	b.WriteString("\r\n下のリンクから参加できます（" + jstTime(inv.ExpiresAt) + "まで有効）。")
	if err := s.Notifier.MailTo(ctx, inv.Email, name+" 先生から掲示板への招待", b.String(), "/community/join/"+token); err != nil {
		s.log().ErrorContext(ctx, "community invitation e-mail failed", "invitation", inv.ID, "err", err)
	}
}

// tokenHash is what is stored of an invitation token.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Invitations returns the invitations the actor sent, the latest first.
func (s *Service) Invitations(ctx context.Context, actor policy.Actor) ([]Invitation, error) {
	v, err := s.access(ctx, actor, OpRead, objInvite, 0)
	if err != nil {
		return nil, err
	}
	return s.Store.CommunityInvitations(ctx, v.UserID)
}

// RevokeInvitation revokes one of the actor's open invitations; a
// moderator may revoke anyone's. NotFound for another member's.
func (s *Service) RevokeInvitation(ctx context.Context, actor policy.Actor, id int64) error {
	v, err := s.access(ctx, actor, OpRead, objInvite, id)
	if err != nil {
		return err
	}
	inv, err := s.Store.CommunityInvitation(ctx, id)
	if err != nil {
		return err
	}
	if inv.InvitedBy != v.UserID && !Decide(v, OpModerate).Allow {
		return s.denied(ctx, v, deny(apperr.NotFound, msgNotFound, "another member's invitation"), OpWrite, objInvite, id)
	}
	return s.Store.RevokeCommunityInvitation(ctx, id, v.Now)
}

// Invitation returns what the invitee sees of the token's invitation.
// NotFound for an unknown token.
func (s *Service) Invitation(ctx context.Context, token string) (*InvitationInfo, error) {
	inv, err := s.Store.CommunityInvitationByToken(ctx, tokenHash(token))
	if err != nil {
		return nil, err
	}
	u, err := s.Store.User(ctx, inv.InvitedBy)
	if err != nil {
		return nil, err
	}
	return &InvitationInfo{InviterName: u.DisplayName, Note: inv.Note, ExpiresAt: inv.ExpiresAt, Open: inv.Open(s.now())}, nil
}

// AcceptInvitation makes the actor an active member at once, with the
// same eligibility as Apply (verified doctor of an allowed group); an
// actor whose application was declined applies instead, for a moderator
// to decide. A silence or suspension still running from an earlier
// membership stays. A
// referral code in the application is counted for its company. Conflict
// when the invitation was used, revoked or expired, or the actor is
// already a member.
func (s *Service) AcceptInvitation(ctx context.Context, actor policy.Actor, token string, in Application) (*Member, error) {
	v, err := s.viewer(ctx, actor)
	if err != nil {
		return nil, err
	}
	inv, err := s.Store.CommunityInvitationByToken(ctx, tokenHash(token))
	if err != nil {
		return nil, err
	}
	in.Note = prose(in.Note)
	group, company, err := s.admit(ctx, v, in)
	if err != nil {
		return nil, err
	}
	if !inv.Open(v.Now) {
		return nil, apperr.E(apperr.Conflict, "この招待は使用済みか、取り消されたか、期限が切れています。")
	}
	if inv.Email != "" {
		u, err := s.Store.User(ctx, v.UserID)
		if err != nil {
			return nil, err
		}
		if jatext.NormalizeEmail(u.Email) != inv.Email {
			return nil, s.denied(ctx, v, deny(apperr.Forbidden, "この招待は別のメールアドレスの方に宛てたものです。",
				"invitation for another e-mail"), OpApply, objInvite, inv.ID)
		}
	}
	m := newMember(v.UserID, group, company, in.Note, v.Now)
	m.Status, m.Entry, m.InvitedBy, m.JoinedAt = StatusActive, EntryInvitation, inv.InvitedBy, &v.Now
	if v.Member != nil && v.Member.Status == StatusRejected {
		// A member's invitation does not overrule the moderators' decline.
		m.Status, m.JoinedAt = StatusApplied, nil
	}
	if err := s.Store.AcceptCommunityInvitation(ctx, inv.ID, m); err != nil {
		return nil, err
	}
	return m, nil
}

// Applications returns the applications waiting for a moderator, the
// oldest first. Moderators only.
func (s *Service) Applications(ctx context.Context, actor policy.Actor) ([]Applicant, error) {
	if _, err := s.access(ctx, actor, OpModerate, objMember, 0); err != nil {
		return nil, err
	}
	list, err := s.Store.CommunityMembers(ctx, StatusApplied, 0)
	if err != nil {
		return nil, err
	}
	out := make([]Applicant, 0, len(list))
	for _, m := range list {
		a := Applicant{Member: m}
		u, err := s.Store.User(ctx, m.UserID)
		if err != nil {
			return nil, err
		}
		a.Name, a.Email = u.DisplayName, u.Email
		p, err := s.Store.Profile(ctx, m.UserID)
		switch {
		case err == nil:
			a.RegistrationNumber, a.RegistrationVerified = p.RegistrationNumber, p.RegistrationVerifiedAt != nil
			a.PracticeForm, a.Prefecture, a.Specialties = p.PracticeForm.Label(), p.Prefecture, p.Specialties
		case !apperr.Is(err, apperr.NotFound):
			return nil, err
		}
		if m.CompanyID != 0 {
			c, err := s.Store.CommunityCompany(ctx, m.CompanyID)
			if err != nil {
				return nil, err
			}
			a.CompanyName = c.Name
		}
		if m.InvitedBy != 0 {
			a.InviterName = s.userName(ctx, m.InvitedBy)
		}
		out = append(out, a)
	}
	return out, nil
}

// userName returns a user's display name, "" when unknown.
func (s *Service) userName(ctx context.Context, id int64) string {
	u, err := s.Store.User(ctx, id)
	if err != nil {
		return ""
	}
	return u.DisplayName
}

// DecideApplication approves or declines an application (moderators).
// Approval checks the verification again; declining needs a reason, which
// the applicant sees. Conflict when the version is stale or the
// application was decided.
func (s *Service) DecideApplication(ctx context.Context, actor policy.Actor, userID int64, version int, approve bool, reason string) error {
	v, err := s.access(ctx, actor, OpModerate, objMember, userID)
	if err != nil {
		return err
	}
	reason = prose(reason)
	if msg := reasonError(reason, !approve); msg != "" {
		return apperr.InvalidFields(map[string]string{"reason": msg})
	}
	m, err := s.Store.CommunityMember(ctx, userID)
	if err != nil {
		return err
	}
	if m.Status != StatusApplied || m.Version != version {
		return apperr.E(apperr.Conflict, "申請はほかのモデレーターが処理したか、更新されています。")
	}
	act := &Action{ModeratorID: v.UserID, MemberID: userID, CreatedAt: v.Now}
	var title, body string
	if approve {
		p, err := s.Store.Profile(ctx, userID)
		if err != nil && !apperr.Is(err, apperr.NotFound) {
			return err
		}
		if p == nil || p.RegistrationVerifiedAt == nil {
			return apperr.InvalidFields(map[string]string{"registration_number": blockUnverified})
		}
		m.Status, m.JoinedAt = StatusActive, &v.Now
		act.Kind, act.Reason = ActApproveMember, cmp.Or(reason, "参加を承認しました")
		title, body = "掲示板への参加が承認されました", "掲示板へようこそ。ルールを読んでから、気軽に質問してください。"
	} else {
		m.Status = StatusRejected
		act.Kind, act.Reason = ActRejectMember, reason
		title, body = "掲示板への参加は見送りになりました", "理由: "+reason
	}
	m.DecidedBy, m.DecisionReason, m.UpdatedAt = v.UserID, act.Reason, v.Now
	if err := s.Store.UpdateCommunityMember(ctx, m); err != nil {
		return err
	}
	if err := s.Store.AddCommunityAction(ctx, act); err != nil {
		return err
	}
	s.notify(ctx, userID, NoteApplication, title, body, "/community")
	return nil
}

// reasonError checks a moderator's reason: at most 2000 characters, and
// given when required.
func reasonError(reason string, required bool) string {
	switch {
	case required && reason == "":
		return "理由を入力してください。"
	case utf8.RuneCountInString(reason) > 2000:
		return "2000文字以内で入力してください。"
	}
	return ""
}

// SaveCard saves the actor's card and digest choice. Conflict when stale.
func (s *Service) SaveCard(ctx context.Context, actor policy.Actor, in CardInput) (*Member, error) {
	v, err := s.access(ctx, actor, OpSelf, objMember, actor.UserID)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	if !in.AgeBand.Valid() {
		fields["age_band"] = "年代を選んでください。"
	}
	if !in.Digest.Valid() {
		fields["digest"] = "通知メールの受け取り方を選んでください。"
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	m := *v.Member
	m.AgeBand, m.ShareSpecialty, m.ShareRegion, m.ShareAge, m.SharePractice = in.AgeBand, in.ShareSpecialty, in.ShareRegion, in.ShareAge, in.SharePractice
	m.Digest, m.Version, m.UpdatedAt = in.Digest, in.Version, v.Now
	if err := s.Store.UpdateCommunityMember(ctx, &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// Leave ends the actor's membership. Their posts stay.
func (s *Service) Leave(ctx context.Context, actor policy.Actor) error {
	v, err := s.access(ctx, actor, OpSelf, objMember, actor.UserID)
	if err != nil {
		return err
	}
	m := *v.Member
	m.Status, m.UpdatedAt = StatusLeft, v.Now
	return s.Store.UpdateCommunityMember(ctx, &m)
}

// allCards bounds the card queries that count the whole board.
const allCards = 100000

// Members returns the cards of active members (members and moderators
// only; never to outsiders). Moderators also get banned members' cards,
// alike: a ban through an anonymous post (SanctionAuthor) must not show
// who dropped out of the list.
func (s *Service) Members(ctx context.Context, actor policy.Actor, f MemberFilter) ([]Card, error) {
	v, err := s.access(ctx, actor, OpRead, objMember, 0)
	if err != nil {
		return nil, err
	}
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 200
	}
	srcs, err := s.Store.CommunityCards(ctx, allCards)
	if err != nil {
		return nil, err
	}
	specialty, region := jatext.Fold(f.Specialty), jatext.Fold(f.Region)
	var cards []Card
	for _, src := range srcs {
		if src.Status != StatusActive && !v.Moderator {
			continue
		}
		c := cardOf(&src)
		switch {
		case f.Group != "" && c.Group != f.Group,
			specialty != "" && !slices.ContainsFunc(c.Specialties, func(sp string) bool { return jatext.Fold(sp) == specialty }),
			region != "" && jatext.Fold(c.Prefecture) != region:
			continue
		}
		cards = append(cards, c)
		if len(cards) == limit {
			break
		}
	}
	if err := s.fillStats(ctx, cards); err != nil {
		return nil, err
	}
	return cards, nil
}

// fillStats adds the named-post figures to the cards.
func (s *Service) fillStats(ctx context.Context, cards []Card) error {
	if len(cards) == 0 {
		return nil
	}
	ids := make([]int64, len(cards))
	for i, c := range cards {
		ids[i] = c.UserID
	}
	stats, err := s.Store.CommunityMemberStats(ctx, ids)
	if err != nil {
		return err
	}
	for i := range cards {
		cards[i].Stats = stats[cards[i].UserID]
	}
	return nil
}

// cardOf is what a member shares of themselves.
func cardOf(src *CardSource) Card {
	c := Card{UserID: src.UserID, Name: src.Name, JoinedAt: src.JoinedAt}
	if src.ShareSpecialty && len(src.Specialties) > 0 {
		c.Specialties = src.Specialties
	}
	if src.ShareRegion {
		c.Prefecture = src.Prefecture
	}
	if src.ShareAge {
		c.AgeBand = src.AgeBand
	}
	if src.SharePractice {
		// Group and Practice are one field shared or not.
		c.Group, c.Practice = src.Group, src.Group
	}
	return c
}

// cardFor builds a member's card from their user and profile rows.
func (s *Service) cardFor(ctx context.Context, m *Member) (*Card, error) {
	u, err := s.Store.User(ctx, m.UserID)
	if err != nil {
		return nil, err
	}
	src := CardSource{Member: *m, Name: u.DisplayName}
	p, err := s.Store.Profile(ctx, m.UserID)
	switch {
	case err == nil:
		src.Specialties, src.Prefecture, src.Practice = p.Specialties, p.Prefecture, string(p.PracticeForm)
	case !apperr.Is(err, apperr.NotFound):
		return nil, err
	}
	c := cardOf(&src)
	return &c, nil
}

// Card returns one active member's card with their named stats.
// NotFound for a non-member or for anyone who may not read the board.
func (s *Service) Card(ctx context.Context, actor policy.Actor, userID int64) (*Card, error) {
	v, err := s.viewer(ctx, actor)
	if err != nil {
		return nil, err
	}
	if d := Decide(v, OpRead); !d.Allow {
		d.Code, d.Message = apperr.NotFound, msgNotFound
		return nil, s.denied(ctx, v, d, OpRead, objMember, userID)
	}
	m, err := s.Store.CommunityMember(ctx, userID)
	if err != nil {
		return nil, err
	}
	// Moderators see a banned member's card as before, like in Members.
	if m.Status != StatusActive && (m.Status != StatusBanned || !v.Moderator) {
		return nil, apperr.E(apperr.NotFound, "%s", msgNotFound)
	}
	c, err := s.cardFor(ctx, m)
	if err != nil {
		return nil, err
	}
	cards := []Card{*c}
	if err := s.fillStats(ctx, cards); err != nil {
		return nil, err
	}
	return &cards[0], nil
}

// unshared labels the members who do not share a field.
const unshared = "非公開"

// Overview returns the mix of members and the board's size. Anyone may
// read it, outsiders included, so specialty, region and age buckets of
// fewer than three members are merged into one (その他（3人未満）).
func (s *Service) Overview(ctx context.Context) (*Overview, error) {
	srcs, err := s.Store.CommunityCards(ctx, allCards)
	if err != nil {
		return nil, err
	}
	srcs = slices.DeleteFunc(srcs, func(src CardSource) bool { return src.Status != StatusActive })
	group, specialty, region, age := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	for _, src := range srcs {
		group[src.Group.Label()]++
		switch {
		case !src.ShareSpecialty:
			specialty[unshared]++
		case len(src.Specialties) == 0:
			specialty["未回答"]++
		default:
			for _, sp := range src.Specialties {
				specialty[sp]++
			}
		}
		switch {
		case !src.ShareRegion:
			region[unshared]++
		default:
			region[cmp.Or(src.Prefecture, "未回答")]++
		}
		if src.ShareAge {
			age[src.AgeBand.Label()]++
		} else {
			age[unshared]++
		}
	}
	counts, err := s.Store.CommunityCounts(ctx)
	if err != nil {
		return nil, err
	}
	o := &Overview{Members: len(srcs), ByGroup: sortedCounts(group), BySpecialty: smallMerged(specialty),
		ByRegion: smallMerged(region), ByAge: smallMerged(age), Questions: counts.Questions, Answers: counts.Answers,
		AnsweredShare: percent(counts.Answered, counts.Questions)}
	return o, nil
}

// Small buckets of the public overview.
const (
	minBucket = 3
	fewLabel  = "その他（3人未満）"
)

// smallMerged is sortedCounts with every bucket of fewer than minBucket
// members (but 非公開, which names nobody) merged into one, last: on a
// small board "神奈川県：1人" points at someone.
func smallMerged(m map[string]int) []Count {
	few := 0
	for label, n := range m {
		if n < minBucket && label != unshared {
			few += n
			delete(m, label)
		}
	}
	out := sortedCounts(m)
	if few > 0 {
		out = append(out, Count{Label: fewLabel, N: few})
	}
	return out
}

// sortedCounts orders counts by size, then label.
func sortedCounts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for label, n := range m {
		out = append(out, Count{Label: label, N: n})
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Or(cmp.Compare(b.N, a.N), cmp.Compare(a.Label, b.Label)) })
	return out
}

// percent is n of total in percent to one decimal place; 0 when total is 0.
func percent(n, total int) float64 {
	if total == 0 {
		return 0
	}
	return math.Round(float64(n)*1000/float64(total)) / 10
}
