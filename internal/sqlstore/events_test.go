package sqlstore_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/sqlstore"
)

// eventT0 is a fixed instant the events tests count from.
var eventT0 = time.Date(2027, 2, 1, 1, 0, 0, 0, time.UTC)

// eventOrgs numbers the fixtures' organisations, whose names are unique.
var eventOrgs atomic.Int64

func evAt(minutes int) time.Time { return eventT0.Add(time.Duration(minutes) * time.Minute) }

// eventFixture makes a university with a member and a published hybrid
// event of it with a room for capacity people (0: no limit).
func eventFixture(t *testing.T, db *sqlstore.DB, capacity int) (*events.Event, *identity.User) {
	t.Helper()
	ctx := context.Background()
	org := &identity.Organisation{Kind: identity.OrgUniversity, Name: fmt.Sprintf("医科大学 キャリア支援室 %d", eventOrgs.Add(1)),
		Prefecture: "東京都"}
	if err := db.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	u := mustUser(t, db, fmt.Sprintf("cc%d@example.jp", org.ID), identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: org.ID})
	e := mustEvent(t, db, org.ID, u.ID, capacity)
	return e, u
}

func mustEvent(t *testing.T, db *sqlstore.DB, orgID, userID int64, capacity int) *events.Event {
	t.Helper()
	talkAt := evAt(24*60 + 30)
	e := &events.Event{OrgID: orgID, Title: "全国キャリアコーディネーター研修会", Description: "**ハイブリッド**開催",
		StartsAt: evAt(24 * 60), EndsAt: evAt(24*60 + 180), Mode: events.ModeHybrid, Venue: "本館 大講義室", VenueCapacity: capacity,
		OnlineURL: "https://meet.example.jp/abc", RegistrationDeadline: evAt(23 * 60), Audience: events.AudienceOpen,
		Status: events.StatusPublished, CreatedBy: userID, CreatedAt: evAt(0),
		Talks: []events.Talk{
			{Title: "開会挨拶", Speaker: "山田 花子", Affiliation: "医科大学", Minutes: 10},
			{Title: "地域枠の現状", Speaker: "佐藤 一郎", StartsAt: &talkAt, Minutes: 45},
		}}
	if err := db.CreateEvent(context.Background(), e); err != nil {
		t.Fatalf("CreateEvent: %v", err)
	}
	return e
}

// mustRegister registers r. The last argument is the event's capacity the
// caller expects; the store reads it from the event itself.
func mustRegister(t *testing.T, db *sqlstore.DB, r events.Registration, _ int) *events.Registration {
	t.Helper()
	if r.Name == "" {
		r.Name = "参加 者"
	}
	if r.Prefecture == "" {
		r.Prefecture = "東京都"
	}
	if r.Role == "" {
		r.Role = events.RoleCC
	}
	if r.Attendance == "" {
		r.Attendance = events.AttendVenue
	}
	if err := db.CreateRegistration(context.Background(), &r, "hash-"+r.Email); err != nil {
		t.Fatalf("CreateRegistration(%s): %v", r.Email, err)
	}
	return &r
}

// setCapacity changes the venue places of an event (0: no limit).
func setCapacity(t *testing.T, db *sqlstore.DB, eventID int64, capacity int) {
	t.Helper()
	e, err := db.Event(context.Background(), eventID)
	if err != nil {
		t.Fatal(err)
	}
	e.VenueCapacity = capacity
	if err := db.UpdateEvent(context.Background(), e); err != nil {
		t.Fatalf("UpdateEvent(capacity %d): %v", capacity, err)
	}
}

func regIDs(list []events.Registration) []int64 {
	var out []int64
	for _, r := range list {
		out = append(out, r.ID)
	}
	return out
}

func TestEventRoundTrip(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e, u := eventFixture(t, db, 30)
		if e.ID == 0 || e.Version != 1 {
			t.Fatalf("created: id %d v%d", e.ID, e.Version)
		}
		got, err := db.Event(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := *e
		org, err := db.Organisation(ctx, e.OrgID)
		if err != nil {
			t.Fatal(err)
		}
		want.OrgName = org.Name
		want.AudienceOrgs, want.AudienceRoles = []int64{}, []identity.Role{}
		if !reflect.DeepEqual(got, &want) {
			t.Errorf("Event =\n%+v\nwant\n%+v", got, &want)
		}

		// Update: audiences, no capacity, one talk fewer; the stale copy
		// conflicts.
		stale := *got
		got.VenueCapacity, got.Audience, got.AudienceRoles = 0, events.AudienceRoles, []identity.Role{identity.RoleInstitutionStaff}
		got.AudienceOrgs, got.Talks = []int64{got.OrgID}, got.Talks[1:]
		if err := db.UpdateEvent(ctx, got); err != nil || got.Version != 2 {
			t.Fatalf("UpdateEvent: v%d, %v", got.Version, err)
		}
		wantCode(t, "stale UpdateEvent", db.UpdateEvent(ctx, &stale), apperr.Conflict)
		missing := stale
		missing.ID = 424242
		wantCode(t, "UpdateEvent of a missing event", db.UpdateEvent(ctx, &missing), apperr.NotFound)
		again, err := db.Event(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(again, got) {
			t.Errorf("after update =\n%+v\nwant\n%+v", again, got)
		}
		if _, err := db.Event(ctx, 424242); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing event: %v", err)
		}

		// The schema refuses a hybrid event without its URL.
		bad := *again
		bad.OnlineURL = ""
		wantCode(t, "hybrid without URL", db.UpdateEvent(ctx, &bad), apperr.Invalid)

		// Filters: a draft of the same organisation, an earlier event.
		draft := mustEvent(t, db, e.OrgID, u.ID, 0)
		draft.Status = events.StatusDraft
		draft.StartsAt, draft.EndsAt = evAt(48*60), evAt(48*60+60)
		if err := db.UpdateEvent(ctx, draft); err != nil {
			t.Fatal(err)
		}
		past := mustEvent(t, db, e.OrgID, u.ID, 0)
		past.StartsAt, past.EndsAt, past.RegistrationDeadline = evAt(-600), evAt(-500), evAt(-700)
		if err := db.UpdateEvent(ctx, past); err != nil {
			t.Fatal(err)
		}
		other, _ := eventFixture(t, db, 0)
		tests := []struct {
			name string
			f    events.EventFilter
			want []int64
		}{
			{"all", events.EventFilter{}, []int64{past.ID, e.ID, other.ID, draft.ID}},
			{"org", events.EventFilter{OrgID: other.OrgID}, []int64{other.ID}},
			{"published upcoming", events.EventFilter{Statuses: []events.Status{events.StatusPublished}, From: evAt(0)},
				[]int64{e.ID, other.ID}},
			{"statuses", events.EventFilter{OrgID: e.OrgID, Statuses: []events.Status{events.StatusDraft, events.StatusCancelled}},
				[]int64{draft.ID}},
			{"limit", events.EventFilter{Limit: 1}, []int64{past.ID}},
		}
		for _, tt := range tests {
			list, err := db.Events(ctx, tt.f)
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			var gotIDs []int64
			for _, ev := range list {
				gotIDs = append(gotIDs, ev.ID)
				if len(ev.Talks) == 0 || ev.OrgName == "" {
					t.Errorf("%s: event %d without talks or organisation", tt.name, ev.ID)
				}
			}
			if !reflect.DeepEqual(gotIDs, tt.want) {
				t.Errorf("%s: Events = %v, want %v", tt.name, gotIDs, tt.want)
			}
		}
	})
}

func TestRegistrationCapacityRace(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		const capacity, people = 3, 16
		e, _ := eventFixture(t, db, capacity)

		// 16 people register for the venue at once, and two online.
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make(chan error, people+2)
		for i := range people + 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := &events.Registration{EventID: e.ID, Name: fmt.Sprintf("参加者 %d", i), Email: fmt.Sprintf("p%02d@example.jp", i),
					Prefecture: "北海道", Role: events.RoleCC, Attendance: events.AttendVenue}
				if i >= people {
					r.Attendance = events.AttendOnline
				}
				if err := db.CreateRegistration(ctx, r, fmt.Sprintf("token-%d", i)); err != nil {
					errs <- err
					return
				}
				if r.ID == 0 || r.Version != 1 || (r.Status != events.Registered && r.Status != events.Waitlisted) {
					errs <- fmt.Errorf("registration %d: %+v", i, r)
				}
			}()
		}
		close(start)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("concurrent registration: %v", err)
		}
		c, err := db.EventCounts(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.Registered != capacity+2 || c.Venue != capacity || c.Online != 2 || c.Waitlisted != people-capacity {
			t.Fatalf("after the rush: %+v, want %d venue places, 2 online and %d waiting", c, capacity, people-capacity)
		}

		// Cancelling a place moves up the earliest waiting, one at a time.
		waiting, err := db.Registrations(ctx, e.ID, events.Waitlisted)
		if err != nil || len(waiting) != people-capacity {
			t.Fatalf("waiting list: %d, %v", len(waiting), err)
		}
		seated, err := db.Registrations(ctx, e.ID, events.Registered)
		if err != nil {
			t.Fatal(err)
		}
		var venue []events.Registration
		for _, r := range seated {
			if r.Attendance == events.AttendVenue {
				venue = append(venue, r)
			}
		}
		for i, r := range venue[:2] {
			up, err := db.CancelRegistration(ctx, r.ID, evAt(10+i))
			if err != nil {
				t.Fatalf("cancel %d: %v", r.ID, err)
			}
			if len(up) != 1 || up[0].ID != waiting[i].ID || up[0].Status != events.Registered || up[0].Version != 2 ||
				up[0].PromotedAt == nil || !up[0].PromotedAt.Equal(evAt(10+i)) {
				t.Fatalf("cancel %d moved up %+v, want registration %d", r.ID, up, waiting[i].ID)
			}
			stored, _ := db.Registration(ctx, waiting[i].ID)
			if stored.Status != events.Registered || stored.Version != 2 || stored.PromotedAt == nil {
				t.Errorf("stored promoted registration = %+v", stored)
			}
		}
		_, err = db.CancelRegistration(ctx, venue[0].ID, evAt(20))
		wantCode(t, "cancel twice", err, apperr.Conflict)
		_, err = db.CancelRegistration(ctx, 424242, evAt(20))
		wantCode(t, "cancel a missing registration", err, apperr.NotFound)

		// Cancelling an online place or a waiting one frees no room. The
		// online ones came in at any moment of the rush: find one.
		online := seated[slices.IndexFunc(seated, func(r events.Registration) bool { return r.Attendance == events.AttendOnline })]
		for _, r := range []events.Registration{online, waiting[len(waiting)-1]} {
			if up, err := db.CancelRegistration(ctx, r.ID, evAt(30)); err != nil || len(up) != 0 {
				t.Errorf("cancel %s %s: moved up %v, %v", r.Attendance, r.Status, regIDs(up), err)
			}
		}

		// The room grows to 6: three more move up, in order.
		setCapacity(t, db, e.ID, 6)
		up, err := db.PromoteWaitlisted(ctx, e.ID, evAt(40))
		if err != nil {
			t.Fatal(err)
		}
		if want := regIDs(waiting[2:5]); !reflect.DeepEqual(regIDs(up), want) {
			t.Errorf("PromoteWaitlisted = %v, want %v", regIDs(up), want)
		}
		if up, err := db.PromoteWaitlisted(ctx, e.ID, evAt(41)); err != nil || len(up) != 0 {
			t.Errorf("PromoteWaitlisted when full = %v, %v", regIDs(up), err)
		}
		// No limit: everyone left moves up.
		setCapacity(t, db, e.ID, 0)
		up, err = db.PromoteWaitlisted(ctx, e.ID, evAt(42))
		if want := regIDs(waiting[5 : len(waiting)-1]); err != nil || !reflect.DeepEqual(regIDs(up), want) {
			t.Errorf("PromoteWaitlisted without limit = %v, %v; want %v", regIDs(up), err, want)
		}
		c, _ = db.EventCounts(ctx, e.ID)
		if c.Waitlisted != 0 || c.Cancelled != 4 || c.Venue != people-3 || c.Registered != people-3+1 {
			t.Errorf("final counts = %+v", c)
		}
		if _, err := db.PromoteWaitlisted(ctx, 424242, evAt(50)); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("PromoteWaitlisted of a missing event: %v", err)
		}
	})
}

func TestRegistrationDuplicateEmail(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e, u := eventFixture(t, db, 0)
		first := mustRegister(t, db, events.Registration{EventID: e.ID, UserID: u.ID, Email: "Taro.Yamada@Example.jp"}, 0)
		for _, email := range []string{"taro.yamada@example.jp", "ＴＡＲＯ．ＹＡＭＡＤＡ＠ＥＸＡＭＰＬＥ．ＪＰ", " taro.yamada@EXAMPLE.JP "} {
			r := &events.Registration{EventID: e.ID, Name: "山田 太郎", Email: email, Prefecture: "東京都", Role: events.RoleDoctor,
				Attendance: events.AttendOnline}
			wantCode(t, "register again as "+email, db.CreateRegistration(ctx, r, "hash-"+email), apperr.Conflict)
		}
		// The same person may register for another event.
		other := mustEvent(t, db, e.OrgID, u.ID, 0)
		mustRegister(t, db, events.Registration{EventID: other.ID, UserID: u.ID, Email: "taro.yamada@example.jp"}, 0)
		// A missing event.
		r := &events.Registration{EventID: 424242, Name: "山田 太郎", Email: "x@example.jp", Prefecture: "東京都", Role: events.RoleDoctor,
			Attendance: events.AttendOnline}
		wantCode(t, "register for a missing event", db.CreateRegistration(ctx, r, "hash-missing"), apperr.NotFound)

		// Once cancelled, the address may register again.
		if _, err := db.CancelRegistration(ctx, first.ID, evAt(5)); err != nil {
			t.Fatal(err)
		}
		again := mustRegister(t, db, events.Registration{EventID: e.ID, Email: "ｔａｒｏ．ｙａｍａｄａ＠ｅｘａｍｐｌｅ．ｊｐ"}, 0)

		byToken, err := db.RegistrationByToken(ctx, "hash-"+again.Email)
		if err != nil || byToken.ID != again.ID || byToken.UserID != 0 || byToken.Email != again.Email {
			t.Errorf("RegistrationByToken = %+v, %v", byToken, err)
		}
		if _, err := db.RegistrationByToken(ctx, "nope"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown token: %v", err)
		}
		cancelled, err := db.Registration(ctx, first.ID)
		if err != nil || cancelled.Status != events.Cancelled || cancelled.CancelledAt == nil || !cancelled.CancelledAt.Equal(evAt(5)) ||
			cancelled.Version != 2 || cancelled.UserID != u.ID {
			t.Errorf("cancelled registration = %+v, %v", cancelled, err)
		}
		// The user's live registrations: the other event only.
		mine, err := db.RegistrationsOf(ctx, u.ID)
		if err != nil || len(mine) != 1 || mine[0].EventID != other.ID {
			t.Errorf("RegistrationsOf = %+v, %v", mine, err)
		}
		all, err := db.Registrations(ctx, e.ID)
		if want := []int64{first.ID, again.ID}; err != nil || !reflect.DeepEqual(regIDs(all), want) {
			t.Errorf("Registrations = %v, %v; want %v", regIDs(all), err, want)
		}
	})
}

func TestEventCountsAndCheckIn(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e, u := eventFixture(t, db, 4)
		people := []struct {
			pref string
			role events.ParticipantRole
			att  events.Attendance
		}{
			{"北海道", events.RoleCC, events.AttendVenue},
			{"北海道", events.RoleCC, events.AttendVenue},
			{"青森県", events.RolePrefectureOfficer, events.AttendVenue},
			{"青森県", events.RoleFaculty, events.AttendOnline},
			{"沖縄県", events.RoleCC, events.AttendVenue},
			{"岩手県", events.RoleDoctor, events.AttendOnline},
			{"沖縄県", events.RoleStudent, events.AttendVenue}, // waits
			{"東京都", events.RoleStaff, events.AttendOnline},  // cancels
		}
		var regs []*events.Registration
		for i, p := range people {
			regs = append(regs, mustRegister(t, db, events.Registration{EventID: e.ID, Email: fmt.Sprintf("c%d@example.jp", i),
				Prefecture: p.pref, Role: p.role, Attendance: p.att, CreatedAt: evAt(i)}, 4))
		}
		if regs[6].Status != events.Waitlisted {
			t.Fatalf("fifth venue registration: %s", regs[6].Status)
		}
		if _, err := db.CancelRegistration(ctx, regs[7].ID, evAt(20)); err != nil {
			t.Fatal(err)
		}

		// Check-in: registered only; it can be cleared.
		checked := evAt(60)
		for _, r := range regs[:3] {
			if err := db.SetCheckedIn(ctx, r.ID, &checked, u.ID); err != nil {
				t.Fatalf("check in %d: %v", r.ID, err)
			}
		}
		wantCode(t, "check in a waiting registration", db.SetCheckedIn(ctx, regs[6].ID, &checked, u.ID), apperr.Conflict)
		wantCode(t, "check in a cancelled registration", db.SetCheckedIn(ctx, regs[7].ID, &checked, u.ID), apperr.Conflict)
		wantCode(t, "check in a missing registration", db.SetCheckedIn(ctx, 424242, &checked, u.ID), apperr.NotFound)
		if err := db.SetCheckedIn(ctx, regs[2].ID, nil, u.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := db.Registration(ctx, regs[0].ID)
		if got.CheckedInAt == nil || !got.CheckedInAt.Equal(checked) || got.CheckedInBy != u.ID {
			t.Errorf("checked in = %+v", got)
		}
		got, _ = db.Registration(ctx, regs[2].ID)
		if got.CheckedInAt != nil || got.CheckedInBy != 0 {
			t.Errorf("cleared check-in = %+v", got)
		}

		// A checked-in registrant who cancels loses the check-in and the
		// waiting one moves up.
		up, err := db.CancelRegistration(ctx, regs[1].ID, evAt(70))
		if err != nil || len(up) != 1 || up[0].ID != regs[6].ID {
			t.Fatalf("cancel a checked-in place: %v, %v", regIDs(up), err)
		}

		c, err := db.EventCounts(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := &events.Counts{Registered: 6, Venue: 4, Online: 2, Waitlisted: 0, Cancelled: 2, CheckedIn: 1,
			// Ties follow the JIS order of the prefectures (not the
			// character codes: 沖縄県 < 青森県 there) and the display
			// order of the roles.
			ByPrefecture: []events.Count{{Label: "青森県", N: 2}, {Label: "沖縄県", N: 2}, {Label: "北海道", N: 1}, {Label: "岩手県", N: 1}},
			ByRole: []events.Count{{Label: "キャリアコーディネーター", N: 2}, {Label: "都道府県職員", N: 1}, {Label: "大学教員", N: 1},
				{Label: "医師", N: 1}, {Label: "医学生", N: 1}},
		}
		if !reflect.DeepEqual(c, want) {
			t.Errorf("EventCounts =\n%+v\nwant\n%+v", c, want)
		}
		empty, err := db.EventCounts(ctx, mustEvent(t, db, e.OrgID, u.ID, 0).ID)
		if err != nil || !reflect.DeepEqual(empty, &events.Counts{}) {
			t.Errorf("counts of an empty event = %+v, %v", empty, err)
		}
	})
}

func TestGroupWorkStore(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e, u := eventFixture(t, db, 0)
		var regs []events.Registration
		for i := range 5 {
			regs = append(regs, *mustRegister(t, db, events.Registration{EventID: e.ID, Email: fmt.Sprintf("g%d@example.jp", i),
				CreatedAt: evAt(i)}, 0))
		}
		if _, err := db.GroupWork(ctx, e.ID); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("GroupWork before any: %v", err)
		}
		gw := &events.GroupWork{EventID: e.ID, Themes: []string{"地域医療", "キャリア支援"}, Seed: 1<<40 + 7, AssignedBy: u.ID,
			AssignedAt: evAt(100), Groups: []events.Group{
				{Number: 1, Theme: "地域医療", Members: []events.Registration{regs[0], regs[2], regs[4]}},
				{Number: 2, Theme: "キャリア支援", Members: []events.Registration{regs[1], regs[3]}},
			}}
		if err := db.SaveGroupWork(ctx, gw); err != nil || gw.Version != 1 || gw.Groups[0].ID == 0 || gw.Groups[1].ID == 0 {
			t.Fatalf("first SaveGroupWork: v%d, %+v, %v", gw.Version, gw.Groups, err)
		}
		got, err := db.GroupWork(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, gw) {
			t.Errorf("GroupWork =\n%+v\nwant\n%+v", got, gw)
		}
		// A second first assignment conflicts.
		dup := *gw
		dup.Version = 0
		wantCode(t, "second first assignment", db.SaveGroupWork(ctx, &dup), apperr.Conflict)

		// A member moves by hand; the stale copy conflicts and changes
		// nothing.
		stale := *got
		moved := &events.GroupWork{EventID: e.ID, Themes: got.Themes, Seed: got.Seed, AssignedBy: u.ID, AssignedAt: evAt(110),
			Version: got.Version, Groups: []events.Group{
				{Number: 1, Theme: "地域医療", Presenters: "山田", Members: []events.Registration{regs[0], regs[2]}},
				{Number: 2, Theme: "キャリア支援", Members: []events.Registration{regs[1], regs[3], regs[4]}},
			}}
		if err := db.SaveGroupWork(ctx, moved); err != nil || moved.Version != 2 {
			t.Fatalf("move: v%d, %v", moved.Version, err)
		}
		stale.Groups = stale.Groups[:1]
		wantCode(t, "stale SaveGroupWork", db.SaveGroupWork(ctx, &stale), apperr.Conflict)
		got, _ = db.GroupWork(ctx, e.ID)
		if !reflect.DeepEqual(got, moved) {
			t.Errorf("after move =\n%+v\nwant\n%+v", got, moved)
		}
		// A registration of another event cannot join.
		other := mustEvent(t, db, e.OrgID, u.ID, 0)
		stranger := mustRegister(t, db, events.Registration{EventID: other.ID, Email: "stranger@example.jp"}, 0)
		bad := *got
		bad.Groups = []events.Group{{Number: 1, Theme: "地域医療", Members: []events.Registration{*stranger}}}
		if err := db.SaveGroupWork(ctx, &bad); err == nil {
			t.Error("a registration of another event joined a group")
		}

		// Reports.
		g := got.Groups[1]
		if err := db.SaveGroupReport(ctx, g.ID, "佐藤、鈴木", "・当直の負担\n・相談窓口の周知"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "report of a missing group", db.SaveGroupReport(ctx, 424242, "", ""), apperr.NotFound)
		one, eventID, err := db.EventGroup(ctx, g.ID)
		if err != nil || eventID != e.ID || one.Number != 2 || one.Presenters != "佐藤、鈴木" || one.Points != "・当直の負担\n・相談窓口の周知" ||
			one.Members != nil {
			t.Errorf("EventGroup = %+v, %d, %v", one, eventID, err)
		}
		if _, _, err := db.EventGroup(ctx, 424242); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing group: %v", err)
		}
	})
}

func TestMaterialRequestStore(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e, u := eventFixture(t, db, 0)
		slides := &events.Material{EventID: e.ID, Kind: events.KindMaterial, Title: "講演スライド", URL: "https://files.example.jp/s.pdf",
			Visibility: events.VisibilityPublic, CreatedBy: u.ID, CreatedAt: evAt(0)}
		video := &events.Material{EventID: e.ID, Kind: events.KindRecording, Title: "録画", URL: "https://video.example.jp/v/1",
			Visibility: events.VisibilityRegistrants, AccessDays: 14, CreatedBy: u.ID, CreatedAt: evAt(1)}
		for _, m := range []*events.Material{slides, video} {
			if err := db.CreateMaterial(ctx, m); err != nil || m.ID == 0 {
				t.Fatalf("CreateMaterial(%s): %v", m.Title, err)
			}
		}
		if slides.AccessDays != 30 {
			t.Errorf("default access days = %d", slides.AccessDays)
		}
		video.Visibility, video.Title = events.VisibilityRequest, "録画（申請制）"
		if err := db.UpdateMaterial(ctx, video); err != nil {
			t.Fatal(err)
		}
		missing := *video
		missing.ID = 424242
		wantCode(t, "update a missing material", db.UpdateMaterial(ctx, &missing), apperr.NotFound)
		got, err := db.Material(ctx, video.ID)
		if err != nil || !reflect.DeepEqual(got, video) {
			t.Errorf("Material =\n%+v, %v\nwant\n%+v", got, err, video)
		}
		list, err := db.Materials(ctx, e.ID)
		if err != nil || len(list) != 2 || list[0].ID != slides.ID || list[1].ID != video.ID {
			t.Errorf("Materials = %+v, %v", list, err)
		}

		var reqs []*events.MaterialRequest
		for i := range 3 {
			r := &events.MaterialRequest{MaterialID: video.ID, Name: fmt.Sprintf("申請 者%d", i), Prefecture: "福岡県", Role: "CC",
				Email: fmt.Sprintf("req%d@example.jp", i), Note: "研修で使います", CreatedAt: evAt(10 + i)}
			if err := db.CreateMaterialRequest(ctx, r); err != nil || r.ID == 0 || r.Status != events.RequestPending {
				t.Fatalf("CreateMaterialRequest: %+v, %v", r, err)
			}
			reqs = append(reqs, r)
		}

		// Approve the first, reject the second: each only once.
		decided, expires := evAt(30), evAt(30+14*24*60)
		approve := *reqs[0]
		approve.Status, approve.DecidedBy, approve.DecidedAt, approve.ExpiresAt = events.RequestApproved, u.ID, &decided, &expires
		if err := db.DecideMaterialRequest(ctx, &approve, "access-hash"); err != nil {
			t.Fatal(err)
		}
		reject := *reqs[1]
		reject.Status, reject.DecidedBy, reject.Reason = events.RequestRejected, u.ID, "対象外のため"
		if err := db.DecideMaterialRequest(ctx, &reject, ""); err != nil || reject.DecidedAt == nil {
			t.Fatalf("reject: %+v, %v", reject, err)
		}
		again := *reqs[0]
		again.Status, again.DecidedBy, again.DecidedAt = events.RequestRejected, u.ID, &decided
		wantCode(t, "decide twice", db.DecideMaterialRequest(ctx, &again, ""), apperr.Conflict)
		missingReq := again
		missingReq.ID = 424242
		wantCode(t, "decide a missing request", db.DecideMaterialRequest(ctx, &missingReq, ""), apperr.NotFound)

		byToken, err := db.MaterialRequestByToken(ctx, "access-hash")
		if err != nil || byToken.ID != reqs[0].ID || byToken.Status != events.RequestApproved || byToken.DecidedBy != u.ID ||
			byToken.ExpiresAt == nil || !byToken.ExpiresAt.Equal(expires) || !byToken.DecidedAt.Equal(decided) {
			t.Errorf("MaterialRequestByToken = %+v, %v", byToken, err)
		}
		if _, err := db.MaterialRequestByToken(ctx, "other"); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("unknown access token: %v", err)
		}
		rejected, err := db.MaterialRequest(ctx, reqs[1].ID)
		if err != nil || rejected.Status != events.RequestRejected || rejected.Reason != "対象外のため" || rejected.ExpiresAt != nil {
			t.Errorf("rejected request = %+v, %v", rejected, err)
		}
		all, err := db.MaterialRequests(ctx, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		var order []int64
		for _, r := range all {
			order = append(order, r.ID)
		}
		if want := []int64{reqs[2].ID, reqs[1].ID, reqs[0].ID}; !reflect.DeepEqual(order, want) {
			t.Errorf("MaterialRequests order = %v, want %v (pending first, then the latest)", order, want)
		}
	})
}

// The capacity and the mode are read under the event's lock: a
// registration decided after an organiser lowered the capacity counts
// against the new one, the capacity cannot drop below the places taken
// and the venue cannot go while venue registrations live.
func TestEventCapacityReadUnderLock(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		e, _ := eventFixture(t, db, 10)
		first := mustRegister(t, db, events.Registration{EventID: e.ID, Email: "k1@example.jp"}, 10)
		mustRegister(t, db, events.Registration{EventID: e.ID, Email: "k2@example.jp"}, 10)
		setCapacity(t, db, e.ID, 2)
		if late := mustRegister(t, db, events.Registration{EventID: e.ID, Email: "k3@example.jp"}, 10); late.Status != events.Waitlisted {
			t.Fatalf("a registration after the capacity dropped to 2: %s", late.Status)
		}

		cur, _ := db.Event(ctx, e.ID)
		cur.VenueCapacity = 1
		err := db.UpdateEvent(ctx, cur)
		wantCode(t, "capacity below the places", err, apperr.Invalid)
		if msg := apperr.FieldsOf(err)["venue_capacity"]; msg != "会場で参加が確定している人数（2人）より少なくはできません。" {
			t.Errorf("venue_capacity message %q", msg)
		}
		cur, _ = db.Event(ctx, e.ID)
		cur.Mode, cur.Venue, cur.VenueCapacity = events.ModeOnline, "", 0
		err = db.UpdateEvent(ctx, cur)
		wantCode(t, "online only with venue registrations", err, apperr.Invalid)
		if msg := apperr.FieldsOf(err)["mode"]; !strings.Contains(msg, "3件") {
			t.Errorf("mode message %q", msg)
		}

		// Cancelling a place moves up under the stored capacity.
		up, err := db.CancelRegistration(ctx, first.ID, evAt(5))
		if err != nil || len(up) != 1 {
			t.Fatalf("cancel moved up %v, %v", regIDs(up), err)
		}

		// Lowering the capacity races with a rush of registrations: the
		// places taken never exceed the capacity stored at the end.
		other, _ := eventFixture(t, db, 10)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r := &events.Registration{EventID: other.ID, Name: "参加 者", Email: fmt.Sprintf("rush%d@example.jp", i),
					Prefecture: "東京都", Role: events.RoleCC, Attendance: events.AttendVenue}
				if err := db.CreateRegistration(ctx, r, fmt.Sprintf("rush-%d", i)); err != nil {
					t.Errorf("register %d: %v", i, err)
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			lower := *other
			lower.VenueCapacity = 3
			if err := db.UpdateEvent(ctx, &lower); err != nil && !apperr.Is(err, apperr.Invalid) {
				t.Errorf("lower the capacity: %v", err)
			}
		}()
		close(start)
		wg.Wait()
		stored, _ := db.Event(ctx, other.ID)
		c, err := db.EventCounts(ctx, other.ID)
		if err != nil || c.Venue > stored.VenueCapacity || c.Venue+c.Waitlisted != 8 {
			t.Errorf("capacity %d, counts %+v, %v", stored.VenueCapacity, c, err)
		}
	})
}
