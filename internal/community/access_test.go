package community_test

import (
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/community"
)

// TestDecide covers every row of the board's access rules.
func TestDecide(t *testing.T) {
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC) // 12:00 JST
	later, earlier := now.Add(48*time.Hour), now.Add(-time.Hour)
	joined := now.AddDate(0, -1, 0)
	member := func(status community.MemberStatus, edit func(*community.Member)) *community.Member {
		m := &community.Member{UserID: 7, Status: status, Group: community.GroupClinicOwner}
		if status == community.StatusActive {
			m.JoinedAt = &joined
		}
		if edit != nil {
			edit(m)
		}
		return m
	}
	active := member(community.StatusActive, nil)
	silenced := member(community.StatusActive, func(m *community.Member) { m.SilencedUntil = &later })
	silenceOver := member(community.StatusActive, func(m *community.Member) { m.SilencedUntil = &earlier })
	suspended := member(community.StatusActive, func(m *community.Member) { m.SuspendedUntil = &later })
	suspensionOver := member(community.StatusActive, func(m *community.Member) { m.SuspendedUntil = &earlier })
	banned := member(community.StatusBanned, func(m *community.Member) { m.BannedAt = &earlier })

	viewers := map[string]community.Viewer{
		"anonymous":                   {Now: now},
		"signed-in non-doctor":        {UserID: 7, Now: now},
		"doctor, never applied":       {UserID: 7, Doctor: true, Now: now},
		"applicant":                   {UserID: 7, Doctor: true, Member: member(community.StatusApplied, nil), Now: now},
		"rejected":                    {UserID: 7, Doctor: true, Member: member(community.StatusRejected, nil), Now: now},
		"left":                        {UserID: 7, Doctor: true, Member: member(community.StatusLeft, nil), Now: now},
		"company contact":             {UserID: 7, Company: true, Now: now},
		"active member":               {UserID: 7, Doctor: true, Member: active, Now: now},
		"silenced member":             {UserID: 7, Doctor: true, Member: silenced, Now: now},
		"member after silence":        {UserID: 7, Doctor: true, Member: silenceOver, Now: now},
		"suspended member":            {UserID: 7, Doctor: true, Member: suspended, Now: now},
		"member after suspension":     {UserID: 7, Doctor: true, Member: suspensionOver, Now: now},
		"banned member":               {UserID: 7, Doctor: true, Member: banned, Now: now},
		"moderator, not a member":     {UserID: 7, Moderator: true, Now: now},
		"moderator and active member": {UserID: 7, Moderator: true, Doctor: true, Member: active, Now: now},
		"silenced moderator":          {UserID: 7, Moderator: true, Doctor: true, Member: silenced, Now: now},
		"suspended moderator":         {UserID: 7, Moderator: true, Doctor: true, Member: suspended, Now: now},
		"banned moderator":            {UserID: 7, Moderator: true, Doctor: true, Member: banned, Now: now},
		"admin after suspension":      {UserID: 7, Moderator: true, Admin: true, Doctor: true, Member: suspensionOver, Now: now},
	}
	const (
		ok = apperr.Code("")
		no = apperr.Forbidden
		nf = apperr.NotFound
		ua = apperr.Unauthorized
	)
	ops := []community.Op{community.OpPublic, community.OpApply, community.OpRead, community.OpWrite, community.OpSelf,
		community.OpModerate, community.OpReveal, community.OpReferrals, community.OpReact}
	// want[viewer] lists the outcome of each op, in the order of ops.
	want := map[string][9]apperr.Code{
		"anonymous":                   {ok, ua, ua, ua, ua, ua, nf, nf, ua},
		"signed-in non-doctor":        {ok, no, no, no, no, no, nf, nf, no},
		"doctor, never applied":       {ok, ok, no, no, no, no, nf, nf, no},
		"applicant":                   {ok, ok, no, no, ok, no, nf, nf, no},
		"rejected":                    {ok, ok, no, no, no, no, nf, nf, no},
		"left":                        {ok, ok, no, no, no, no, nf, nf, no},
		"company contact":             {ok, no, no, no, no, no, nf, ok, no},
		"active member":               {ok, ok, ok, ok, ok, no, nf, nf, ok},
		"silenced member":             {ok, ok, ok, no, ok, no, nf, nf, ok},
		"member after silence":        {ok, ok, ok, ok, ok, no, nf, nf, ok},
		"suspended member":            {ok, ok, no, no, ok, no, nf, nf, no},
		"member after suspension":     {ok, ok, ok, ok, ok, no, nf, nf, ok},
		"banned member":               {ok, no, no, no, no, no, nf, nf, no},
		"moderator, not a member":     {ok, no, ok, no, no, ok, ok, nf, no},
		"moderator and active member": {ok, ok, ok, ok, ok, ok, ok, nf, ok},
		// Silence stops posting, not moderating; suspension and ban stop both.
		"silenced moderator":     {ok, ok, ok, no, ok, ok, ok, nf, ok},
		"suspended moderator":    {ok, ok, no, no, ok, no, no, nf, no},
		"banned moderator":       {ok, no, no, no, no, no, no, nf, no},
		"admin after suspension": {ok, ok, ok, ok, ok, ok, ok, nf, ok},
	}
	if len(want) != len(viewers) {
		t.Fatalf("%d viewers, %d rows", len(viewers), len(want))
	}
	for name, v := range viewers {
		for i, op := range ops {
			d := community.Decide(v, op)
			got := ok
			if !d.Allow {
				got = d.Code
				if d.Message == "" || d.Reason == "" {
					t.Errorf("%s %s: denial without message or reason: %+v", name, op, d)
				}
			}
			if got != want[name][i] {
				t.Errorf("%s %s: got %q, want %q (%s)", name, op, got, want[name][i], d.Reason)
			}
		}
	}

	// The outsider's message says the board is for members; the silenced
	// member's says until when, in JST.
	if d := community.Decide(viewers["doctor, never applied"], community.OpRead); d.Message != "掲示板は参加している会員だけが見られます。" {
		t.Errorf("outsider message = %q", d.Message)
	}
	if d := community.Decide(viewers["silenced member"], community.OpWrite); !strings.Contains(d.Message, "2026年11月25日 12:00") {
		t.Errorf("silenced message = %q, want the end in JST", d.Message)
	}
	// A silence stops posting, not voting, accepting or reporting.
	if d := community.Decide(viewers["silenced member"], community.OpReact); !d.Allow {
		t.Errorf("silenced member react = %+v, want allowed", d)
	}
}

// TestSeesPost covers held and hidden posts and anonymous authors.
func TestSeesPost(t *testing.T) {
	now := time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC)
	joined := now.AddDate(0, -1, 0)
	active := func(id int64) *community.Member {
		return &community.Member{UserID: id, Status: community.StatusActive, JoinedAt: &joined}
	}
	author := community.Viewer{UserID: 1, Member: active(1), Now: now}
	other := community.Viewer{UserID: 2, Member: active(2), Now: now}
	moderator := community.Viewer{UserID: 3, Moderator: true, Now: now}
	outsider := community.Viewer{UserID: 4, Doctor: true, Now: now}
	for _, tc := range []struct {
		status                             community.PostStatus
		author, other, moderator, outsider bool
	}{
		{community.PostVisible, true, true, true, false},
		{community.PostHeld, true, false, true, false},
		{community.PostHidden, true, false, true, false},
	} {
		p := &community.Post{AuthorID: 1, Status: tc.status}
		for name, c := range map[string]struct {
			v    community.Viewer
			want bool
		}{"author": {author, tc.author}, "other": {other, tc.other}, "moderator": {moderator, tc.moderator},
			"outsider": {outsider, tc.outsider}} {
			if got := community.SeesPost(c.v, p); got != c.want {
				t.Errorf("%s post, %s: SeesPost = %v, want %v", tc.status, name, got, c.want)
			}
		}
	}
	anon := &community.Post{AuthorID: 1, Anonymous: true, Status: community.PostVisible}
	named := &community.Post{AuthorID: 1, Status: community.PostVisible}
	for name, c := range map[string]struct {
		v          community.Viewer
		anon, name bool
	}{"author": {author, true, true}, "other": {other, false, true}, "moderator": {moderator, false, true},
		"anonymous user": {community.Viewer{Now: now}, false, true}} {
		if got := community.ShowsAuthor(c.v, anon); got != c.anon {
			t.Errorf("%s: ShowsAuthor(anonymous) = %v, want %v", name, got, c.anon)
		}
		if got := community.ShowsAuthor(c.v, named); got != c.name {
			t.Errorf("%s: ShowsAuthor(named) = %v, want %v", name, got, c.name)
		}
	}
}
