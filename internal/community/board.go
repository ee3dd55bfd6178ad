package community

import (
	"context"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Settings returns the board's settings (the defaults until saved).
// Anyone may read them: the rules page is public.
func (s *Service) Settings(ctx context.Context) (*Settings, error) {
	st, err := s.Store.CommunitySettings(ctx)
	if err != nil {
		return nil, err
	}
	if st.Version == 0 && st.Rules == "" {
		st.Rules = DefaultRules
	}
	return st, nil
}

// SaveSettings saves the rules and the first-posts hold (moderators).
// Conflict when stale.
func (s *Service) SaveSettings(ctx context.Context, actor policy.Actor, in Settings) (*Settings, error) {
	v, err := s.access(ctx, actor, OpModerate, objSettings, 0)
	if err != nil {
		return nil, err
	}
	in.Rules = prose(in.Rules)
	fields := map[string]string{}
	if n := utf8.RuneCountInString(in.Rules); n == 0 || n > 20000 {
		fields["rules"] = "ルールを20000文字以内で入力してください。"
	}
	if in.HoldFirstPosts < 0 || in.HoldFirstPosts > 20 {
		fields["hold_first_posts"] = "0から20までの数を入力してください。"
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	in.UpdatedBy, in.UpdatedAt = v.UserID, v.Now
	if err := s.Store.SaveCommunitySettings(ctx, &in); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.E(apperr.Conflict, "ほかのモデレーターが先に保存しました。再読み込みしてください。")
		}
		return nil, err
	}
	reason := "ルールと設定を保存しました（最初の投稿の承認: なし）"
	if in.HoldFirstPosts > 0 {
		reason = "ルールと設定を保存しました（最初の投稿の承認: " + strconv.Itoa(in.HoldFirstPosts) + "件）"
	}
	if err := s.Store.AddCommunityAction(ctx, &Action{Kind: ActSettings, ModeratorID: v.UserID, Reason: reason, CreatedAt: v.Now}); err != nil {
		return nil, err
	}
	return &in, nil
}

// Tags returns the curated tags with their synonyms and question counts.
// Members and moderators.
func (s *Service) Tags(ctx context.Context, actor policy.Actor) ([]Tag, error) {
	if _, err := s.access(ctx, actor, OpRead, objTag, 0); err != nil {
		return nil, err
	}
	return s.Store.CommunityTags(ctx)
}

// SaveTag creates or updates a tag and its synonyms (moderators). Names
// are NFKC-normalised; a field error names a name or synonym that is
// another tag's.
func (s *Service) SaveTag(ctx context.Context, actor policy.Actor, in TagInput) (*Tag, error) {
	v, err := s.access(ctx, actor, OpModerate, objTag, in.ID)
	if err != nil {
		return nil, err
	}
	t := &Tag{ID: in.ID, Name: jatext.NormalizeLine(in.Name), Category: in.Category, Description: prose(in.Description),
		CreatedAt: v.Now, UpdatedAt: v.Now}
	fields := map[string]string{}
	if n := utf8.RuneCountInString(t.Name); n < 1 || n > 40 {
		fields["name"] = "タグ名を40文字以内で入力してください。"
	}
	if !t.Category.Valid() {
		fields["category"] = "分類を選んでください。"
	}
	if utf8.RuneCountInString(t.Description) > 500 {
		fields["description"] = "説明は500文字以内で入力してください。"
	}
	keys := []string{jatext.Fold(t.Name)}
	for _, syn := range in.Synonyms {
		syn = jatext.NormalizeLine(syn)
		if syn == "" || slices.Contains(keys, jatext.Fold(syn)) {
			continue
		}
		if utf8.RuneCountInString(syn) > 40 {
			fields["synonyms"] = "別名はそれぞれ40文字以内で入力してください。"
			continue
		}
		keys = append(keys, jatext.Fold(syn))
		t.Synonyms = append(t.Synonyms, syn)
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	// Name the word and the tag that has it, rather than a bare Conflict.
	words := append([]string{t.Name}, t.Synonyms...)
	used, err := s.Store.ResolveCommunityTags(ctx, words)
	if err != nil {
		return nil, err
	}
	for i, w := range words {
		other, ok := used[w]
		if !ok || other.ID == t.ID {
			continue
		}
		field := "synonyms"
		if i == 0 {
			field = "name"
		}
		if _, done := fields[field]; !done {
			fields[field] = "「" + w + "」はタグ「" + other.Name + "」の名前か同義語として使われています。"
		}
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	if t.ID != 0 {
		old, err := s.Store.CommunityTag(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		t.CreatedAt = old.CreatedAt
	}
	if err := s.Store.SaveCommunityTag(ctx, t); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			// Another moderator took a word in the meantime.
			return nil, apperr.InvalidFields(map[string]string{"name": "タグ名か同義語が、ほかのタグで使われています。"})
		}
		return nil, err
	}
	if err := s.Store.AddCommunityAction(ctx, &Action{Kind: ActTag, ModeratorID: v.UserID,
		Reason: "タグ「" + t.Name + "」を保存しました", CreatedAt: v.Now}); err != nil {
		return nil, err
	}
	return t, nil
}
