package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/survey"
)

func surveyItemsFixture() []survey.Item {
	return []survey.Item{
		{Key: "overall", Kind: survey.Likert, Label: "研修は役に立ちましたか", Required: true},
		{Key: "format", Kind: survey.Single, Label: "参加形式", Choices: []string{"会場", "オンライン"}},
		{Key: "topics", Kind: survey.Multiple, Label: "関心のある話題", Choices: []string{"地域枠", "専門医", "働き方"}},
		{Key: "comment", Kind: survey.Text, Label: "ご意見"},
	}
}

func TestSurveyStore(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e, u := eventFixture(t, db, 0)
		closes := evAt(30 * 24 * 60)
		s := &survey.Survey{OrgID: e.OrgID, EventID: e.ID, Kind: survey.KindEvent, Title: "研修会アンケート", Description: "ご協力ください",
			Status: survey.StatusDraft, ClosesAt: &closes, Items: surveyItemsFixture(), CreatedBy: u.ID, CreatedAt: evAt(0)}
		if err := db.CreateSurvey(ctx, s); err != nil || s.ID == 0 || s.Version != 1 {
			t.Fatalf("CreateSurvey: v%d, %v", s.Version, err)
		}
		for _, it := range s.Items {
			if it.ID == 0 {
				t.Fatalf("item %s without ID", it.Key)
			}
		}
		got, err := db.Survey(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := *s
		want.Items = surveyItemsFixture()
		for i := range want.Items {
			want.Items[i].ID = s.Items[i].ID
			if want.Items[i].Choices == nil {
				want.Items[i].Choices = []string{}
			}
		}
		if !reflect.DeepEqual(got, &want) {
			t.Errorf("Survey =\n%+v\nwant\n%+v", got, &want)
		}

		// While a draft, the items are replaced.
		got.Items = got.Items[:2]
		got.Items[0].Label = "研修全体の満足度"
		if err := db.UpdateSurvey(ctx, got); err != nil || got.Version != 2 {
			t.Fatalf("UpdateSurvey draft: v%d, %v", got.Version, err)
		}
		draft, _ := db.Survey(ctx, s.ID)
		if len(draft.Items) != 2 || draft.Items[0].Label != "研修全体の満足度" {
			t.Errorf("draft items = %+v", draft.Items)
		}

		// Opened: the status changes; after that the items stay while
		// the other fields still change.
		draft.Status = survey.StatusOpen
		before := slices.Clone(draft.Items)
		if err := db.UpdateSurvey(ctx, draft); err != nil {
			t.Fatal(err)
		}
		// Opening keeps the items and their IDs: respondents answer by them.
		if reopened, _ := db.Survey(ctx, s.ID); !reflect.DeepEqual(reopened.Items, before) {
			t.Errorf("opening renumbered the items: %+v, want %+v", reopened.Items, before)
		}
		opened := *draft
		opened.Items = surveyItemsFixture()
		opened.Title, opened.ClosesAt = "研修会アンケート（改）", nil
		stale := opened
		if err := db.UpdateSurvey(ctx, &opened); err != nil || opened.Version != 4 {
			t.Fatalf("UpdateSurvey open: v%d, %v", opened.Version, err)
		}
		if !reflect.DeepEqual(opened.Items, draft.Items) {
			t.Errorf("UpdateSurvey of an open survey returned items %+v, want the stored %+v", opened.Items, draft.Items)
		}
		stored, _ := db.Survey(ctx, s.ID)
		if stored.Title != "研修会アンケート（改）" || stored.ClosesAt != nil || stored.Status != survey.StatusOpen ||
			!reflect.DeepEqual(stored.Items, draft.Items) {
			t.Errorf("open survey after update = %+v", stored)
		}
		wantCode(t, "stale UpdateSurvey", db.UpdateSurvey(ctx, &stale), apperr.Conflict)
		missing := stale
		missing.ID = 424242
		wantCode(t, "UpdateSurvey of a missing survey", db.UpdateSurvey(ctx, &missing), apperr.NotFound)
		if _, err := db.Survey(ctx, 424242); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing survey: %v", err)
		}

		// A patient survey with its public slug; the slug is unique.
		patient := &survey.Survey{OrgID: e.OrgID, Kind: survey.KindPatient, Title: "患者満足度調査", Status: survey.StatusOpen,
			PublicSlug: "abcdefghijklmnopqrstuv", PreviousID: s.ID, Items: surveyItemsFixture()[:1], CreatedBy: u.ID, CreatedAt: evAt(5)}
		if err := db.CreateSurvey(ctx, patient); err != nil {
			t.Fatal(err)
		}
		dup := *patient
		dup.Items = surveyItemsFixture()[:1]
		wantCode(t, "taken slug", db.CreateSurvey(ctx, &dup), apperr.Conflict)
		bySlug, err := db.SurveyBySlug(ctx, "abcdefghijklmnopqrstuv")
		if err != nil || bySlug.ID != patient.ID || bySlug.PreviousID != s.ID || bySlug.EventID != 0 || len(bySlug.Items) != 1 {
			t.Errorf("SurveyBySlug = %+v, %v", bySlug, err)
		}
		if _, err := db.SurveyBySlug(ctx, "zzzzzzzzzzzzzzzzzzzzzz"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown slug: %v", err)
		}
		list, err := db.Surveys(ctx, e.OrgID, 0)
		if err != nil || len(list) != 2 || list[0].ID != patient.ID || list[1].ID != s.ID || len(list[1].Items) != 2 {
			t.Errorf("Surveys(all) = %+v, %v", list, err)
		}
		list, err = db.Surveys(ctx, e.OrgID, e.ID)
		if err != nil || len(list) != 1 || list[0].ID != s.ID {
			t.Errorf("Surveys(event) = %+v, %v", list, err)
		}
	})
}

func TestSurveyInvitationsAndResponses(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e, u := eventFixture(t, db, 0)
		var regs []*events.Registration
		for i := range 3 {
			regs = append(regs, mustRegister(t, db, events.Registration{EventID: e.ID, Email: fmt.Sprintf("a%d@example.jp", i)}, 0))
		}
		s := &survey.Survey{OrgID: e.OrgID, EventID: e.ID, Kind: survey.KindEvent, Title: "研修会アンケート", Status: survey.StatusOpen,
			Items: surveyItemsFixture(), CreatedBy: u.ID}
		if err := db.CreateSurvey(ctx, s); err != nil {
			t.Fatal(err)
		}
		likert, single, multiple, text := s.Items[0].ID, s.Items[1].ID, s.Items[2].ID, s.Items[3].ID

		// Invite the first two, then all three: the third only is new.
		invite := func(regs ...*events.Registration) []survey.Invitation {
			var in []survey.Invitation
			hashes := map[int64]string{}
			for _, r := range regs {
				in = append(in, survey.Invitation{RegistrationID: r.ID, Email: r.Email})
				hashes[r.ID] = "inv-" + r.Email
			}
			out, err := db.CreateSurveyInvitations(ctx, s.ID, in, hashes)
			if err != nil {
				t.Fatalf("CreateSurveyInvitations: %v", err)
			}
			return out
		}
		first := invite(regs[0], regs[1])
		if len(first) != 2 || first[0].ID == 0 || first[0].SurveyID != s.ID || first[1].RegistrationID != regs[1].ID {
			t.Fatalf("first invitations = %+v", first)
		}
		if more := invite(regs...); len(more) != 1 || more[0].RegistrationID != regs[2].ID {
			t.Fatalf("second invitations = %+v", more)
		}
		inv, err := db.SurveyInvitationByToken(ctx, "inv-"+regs[0].Email)
		if err != nil || inv.ID != first[0].ID || inv.Responded || inv.Email != regs[0].Email {
			t.Fatalf("SurveyInvitationByToken = %+v, %v", inv, err)
		}
		if _, err := db.SurveyInvitationByToken(ctx, "nope"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown invitation token: %v", err)
		}
		if _, err := db.ResponseOfInvitation(ctx, inv.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("response before answering: %v", err)
		}

		// One response per invitation, even when two arrive at once.
		answers := map[int64]survey.Answer{
			likert: {Value: 5}, single: {Value: 0}, multiple: {Choices: []int{0, 2}}, text: {Text: "とても役に立った"},
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		results := make([]error, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := &survey.Response{SurveyID: s.ID, InvitationID: inv.ID, Answers: answers}
				results[i] = db.SaveResponse(ctx, r, fmt.Sprintf("edit-race-%d", i))
			}()
		}
		close(start)
		wg.Wait()
		saved := 0
		for _, err := range results {
			switch {
			case err == nil:
				saved++
			case !apperr.Is(err, apperr.Conflict):
				t.Errorf("concurrent response: %v", err)
			}
		}
		if saved != 1 {
			t.Fatalf("%d responses saved for one invitation, want 1", saved)
		}
		mine, err := db.ResponseOfInvitation(ctx, inv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(mine.Answers, answers) || mine.InvitationID != inv.ID || len(mine.Tags) != 0 {
			t.Errorf("ResponseOfInvitation = %+v", mine)
		}
		invs, err := db.SurveyInvitations(ctx, s.ID)
		if err != nil || len(invs) != 3 || !invs[0].Responded || invs[1].Responded {
			t.Errorf("SurveyInvitations = %+v, %v", invs, err)
		}

		// The invited respondent edits: answers are replaced.
		mine.Answers = map[int64]survey.Answer{likert: {Value: 4}, text: {Text: "問題が整理されていなかった"}}
		if err := db.SaveResponse(ctx, mine, ""); err != nil {
			t.Fatal(err)
		}
		edited, _ := db.ResponseOfInvitation(ctx, inv.ID)
		if edited.ID != mine.ID || !reflect.DeepEqual(edited.Answers, mine.Answers) {
			t.Errorf("edited response = %+v", edited)
		}

		// Anonymous responses through the public link, editable by token.
		anon := &survey.Response{SurveyID: s.ID, Answers: map[int64]survey.Answer{likert: {Value: 2}, text: {Text: "難しい事例を見せてほしい"}}}
		if err := db.SaveResponse(ctx, anon, "edit-anon"); err != nil || anon.ID == 0 {
			t.Fatalf("anonymous response: %v", err)
		}
		third := &survey.Response{SurveyID: s.ID, Answers: map[int64]survey.Answer{likert: {Value: 5}}}
		if err := db.SaveResponse(ctx, third, "edit-third"); err != nil {
			t.Fatal(err)
		}
		byToken, err := db.ResponseByEditToken(ctx, "edit-anon")
		if err != nil || byToken.ID != anon.ID || byToken.InvitationID != 0 || !reflect.DeepEqual(byToken.Answers, anon.Answers) {
			t.Errorf("ResponseByEditToken = %+v, %v", byToken, err)
		}
		if _, err := db.ResponseByEditToken(ctx, "nope"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown edit token: %v", err)
		}
		// An answer to an item of no such survey is refused.
		bad := &survey.Response{SurveyID: s.ID, Answers: map[int64]survey.Answer{424242: {Value: 1}}}
		wantCode(t, "answer to a foreign item", db.SaveResponse(ctx, bad, "edit-bad"), apperr.Invalid)

		// Tags on free-text comments: replaced, duplicates dropped.
		if err := db.SetCommentTags(ctx, mine.ID, text, []string{"改善要望", "構成"}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCommentTags(ctx, anon.ID, text, []string{"事例", "改善要望", "事例"}); err != nil {
			t.Fatal(err)
		}
		if err := db.SetCommentTags(ctx, mine.ID, text, []string{"改善要望"}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "tag an unanswered item", db.SetCommentTags(ctx, third.ID, text, []string{"x"}), apperr.NotFound)

		all, err := db.Responses(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 3 || all[0].ID != mine.ID || all[1].ID != anon.ID || all[2].ID != third.ID {
			t.Fatalf("Responses order = %+v", all)
		}
		wantTags := []map[int64][]string{{text: {"改善要望"}}, {text: {"事例", "改善要望"}}, {}}
		wantAnswers := []map[int64]survey.Answer{mine.Answers, anon.Answers, third.Answers}
		for i, r := range all {
			if !reflect.DeepEqual(r.Tags, wantTags[i]) || !reflect.DeepEqual(r.Answers, wantAnswers[i]) {
				t.Errorf("response %d: answers %v tags %v; want %v %v", i, r.Answers, r.Tags, wantAnswers[i], wantTags[i])
			}
		}
		// The tags survive an edit of the answers.
		mine.Answers[text] = survey.Answer{Text: "問題が整理されていなかった。"}
		if err := db.SaveResponse(ctx, mine, ""); err != nil {
			t.Fatal(err)
		}
		again, _ := db.ResponseOfInvitation(ctx, inv.ID)
		if !reflect.DeepEqual(again.Tags, wantTags[0]) {
			t.Errorf("tags after edit = %v", again.Tags)
		}
		if list, err := db.Responses(ctx, 424242); err != nil || len(list) != 0 {
			t.Errorf("Responses of a missing survey = %v, %v", list, err)
		}
	})
}

// ReplaceSurveyInvitationTokens replaces the links of unanswered
// invitations of the survey only.
func TestReplaceSurveyInvitationTokens(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e, u := eventFixture(t, db, 0)
		var in []survey.Invitation
		hashes := map[int64]string{}
		for i := range 3 {
			r := mustRegister(t, db, events.Registration{EventID: e.ID, Email: fmt.Sprintf("r%d@example.jp", i)}, 0)
			in = append(in, survey.Invitation{RegistrationID: r.ID, Email: r.Email})
			hashes[r.ID] = fmt.Sprintf("old-%d", i)
		}
		s := &survey.Survey{OrgID: e.OrgID, EventID: e.ID, Kind: survey.KindEvent, Title: "アンケート", Status: survey.StatusOpen,
			Items: surveyItemsFixture(), CreatedBy: u.ID}
		other := &survey.Survey{OrgID: e.OrgID, EventID: e.ID, Kind: survey.KindEvent, Title: "別のアンケート", Status: survey.StatusOpen,
			Items: surveyItemsFixture(), CreatedBy: u.ID}
		for _, sv := range []*survey.Survey{s, other} {
			if err := db.CreateSurvey(ctx, sv); err != nil {
				t.Fatal(err)
			}
		}
		invs, err := db.CreateSurveyInvitations(ctx, s.ID, in, hashes)
		if err != nil || len(invs) != 3 {
			t.Fatalf("invitations %+v, %v", invs, err)
		}
		answered := &survey.Response{SurveyID: s.ID, InvitationID: invs[0].ID, Answers: map[int64]survey.Answer{s.Items[0].ID: {Value: 4}}}
		if err := db.SaveResponse(ctx, answered, "edit-0"); err != nil {
			t.Fatal(err)
		}
		got, err := db.ReplaceSurveyInvitationTokens(ctx, s.ID, map[int64]string{invs[0].ID: "new-0", invs[2].ID: "new-2", invs[1].ID: "new-1"})
		if err != nil || !reflect.DeepEqual(got, []int64{invs[1].ID, invs[2].ID}) {
			t.Fatalf("replaced %v, %v", got, err)
		}
		for token, want := range map[string]int64{"old-0": invs[0].ID, "new-1": invs[1].ID, "new-2": invs[2].ID} {
			if inv, err := db.SurveyInvitationByToken(ctx, token); err != nil || inv.ID != want {
				t.Errorf("token %s: %+v, %v", token, inv, err)
			}
		}
		for _, token := range []string{"old-1", "old-2", "new-0"} {
			if _, err := db.SurveyInvitationByToken(ctx, token); !apperr.Is(err, apperr.NotFound) {
				t.Errorf("token %s still works: %v", token, err)
			}
		}
		if got, err := db.ReplaceSurveyInvitationTokens(ctx, other.ID, map[int64]string{invs[1].ID: "stolen"}); err != nil || len(got) != 0 {
			t.Errorf("another survey's invitation replaced: %v, %v", got, err)
		}
	})
}
