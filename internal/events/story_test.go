package events_test

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/events"
	"github.com/hakui-dev/hakui/internal/grouping"
	"github.com/hakui-dev/hakui/internal/policy"
)

// TestNationalTraining runs the story of issue #8 at service level: a
// hybrid session with a room for 26, 100 registrations from 41
// prefectures, a waiting list that moves up in order, 89 check-ins, 12
// groups over 4 themes, and the CSV exports.
func TestNationalTraining(t *testing.T) {
	eachEngine(t, func(t *testing.T, w *world) {
		ctx := w.ctx
		e, err := w.svc.CreateEvent(ctx, w.organiser, w.university, hybridInput())
		noErr(t, err)
		if e.Status != events.StatusDraft || e.OrgName == "" {
			t.Fatalf("created event %+v", e)
		}
		// A draft is hidden from everyone outside the university.
		for _, a := range []policy.Actor{{}, w.outsider, w.otherCC} {
			_, err := w.svc.Event(ctx, a, e.ID)
			wantCode(t, err, apperr.NotFound)
		}
		_, _, err = w.svc.Register(ctx, policy.Actor{}, e.ID, w.guestInput(999, "東京都", events.RoleCC, events.AttendOnline), "203.0.113.1")
		wantCode(t, err, apperr.NotFound)
		noErr(t, w.svc.SetStatus(ctx, w.organiser, e.ID, events.StatusPublished, e.Version))

		anon, err := w.svc.Event(ctx, policy.Actor{}, e.ID)
		noErr(t, err)
		if anon.OnlineURL != "" || anon.CanManage || !anon.CanRegister || anon.PlacesLeft != 26 {
			t.Fatalf("anonymous view: url %q manage %v register %v places %d", anon.OnlineURL, anon.CanManage, anon.CanRegister, anon.PlacesLeft)
		}

		// 100 registrations from 41 prefectures: the other university's
		// coordinator signed in, the rest guests. Every tenth person
		// wants the room three times in ten: 30 venue, 70 online.
		prefs := career.Prefectures[:41]
		roles := events.ParticipantRoles
		type reg struct {
			r     *events.Registration
			token string
		}
		var regs []reg
		for i := range 100 {
			at := events.AttendOnline
			if i%10 < 3 {
				at = events.AttendVenue
			}
			var r *events.Registration
			var token string
			if i == 0 {
				in := w.guestInput(i, prefs[i%41], roles[i%len(roles)], at)
				in.Email = ""
				r, token, err = w.svc.Register(ctx, w.otherCC, e.ID, in, "203.0.113.9")
				noErr(t, err)
				if r.Email != "cc@minamikawa-u.example.jp" || r.UserID != w.otherCC.UserID {
					t.Fatalf("signed-in registration %+v", r)
				}
			} else {
				r, token = w.guest(e.ID, i, prefs[i%41], roles[i%len(roles)], at)
			}
			if len(token) != 43 {
				t.Fatalf("manage token %q: want 32 bytes in base64url", token)
			}
			regs = append(regs, reg{r, token})
			w.clock.Advance(time.Minute)
		}
		var waitlisted []*events.Registration
		venue := 0
		for _, x := range regs {
			switch {
			case x.r.Status == events.Waitlisted:
				waitlisted = append(waitlisted, x.r)
			case x.r.Attendance == events.AttendVenue:
				venue++
			}
		}
		if venue != 26 || len(waitlisted) != 4 {
			t.Fatalf("venue %d, waitlisted %d; want 26 and 4", venue, len(waitlisted))
		}
		if got := w.mails(waitlisted[0].Email); !contains(got, "キャンセル待ちで受け付けました: "+e.Title) {
			t.Errorf("waitlisted mails %q", got)
		}
		if got := w.mails(regs[1].r.Email); !contains(got, "参加登録を受け付けました: "+e.Title) {
			t.Errorf("confirmation mails %q", got)
		}
		confirm := w.mail(regs[1].r.Email, "参加登録を受け付けました: "+e.Title)
		if cal := ics(t, confirm); !strings.Contains(cal, "METHOD:REQUEST") || !strings.Contains(cal, "DTSTART:20261205T040000Z") ||
			strings.Contains(cal, "meet.example.jp") {
			t.Errorf("confirmation calendar:\n%s", cal)
		}
		if !strings.Contains(confirm.Text, "https://meet.example.jp/cc-2026") || !strings.Contains(confirm.Text, "/events/registrations/"+regs[1].token) {
			t.Errorf("confirmation text:\n%s", confirm.Text)
		}
		wait := w.mail(waitlisted[0].Email, "キャンセル待ちで受け付けました: "+e.Title)
		if strings.Contains(wait.Text, "meet.example.jp") || !strings.Contains(wait.Text, "キャンセル待ち") || !strings.Contains(ics(t, wait), "STATUS:TENTATIVE") {
			t.Errorf("waitlisted mail:\n%s", wait.Text)
		}
		if n := len(w.notes(w.otherCC)); n != 1 {
			t.Errorf("signed-in registrant has %d notifications, want 1", n)
		}
		mine, err := w.svc.Event(ctx, w.otherCC, e.ID)
		noErr(t, err)
		if mine.Mine == nil || mine.OnlineURL == "" || mine.CanRegister || mine.PlacesLeft != 0 {
			t.Fatalf("registrant's view: mine %v url %q register %v places %d", mine.Mine, mine.OnlineURL, mine.CanRegister, mine.PlacesLeft)
		}

		// A waitlisted registrant cannot be checked in.
		wantCode(t, w.svc.CheckIn(ctx, w.organiser, waitlisted[0].ID, true), apperr.Conflict)

		// Three people with a room place cancel (two guests by their
		// link, one through the organisers): the first three on the
		// waiting list move up, in order, and are told.
		var cancelled []*events.Registration
		for _, x := range regs[1:] {
			if x.r.Status == events.Registered && x.r.Attendance == events.AttendVenue && len(cancelled) < 3 {
				switch len(cancelled) {
				case 2:
					noErr(t, w.svc.Cancel(ctx, w.organiser, x.r.ID))
				default:
					noErr(t, w.svc.CancelByToken(ctx, x.token))
				}
				cancelled = append(cancelled, x.r)
			}
		}
		wantCode(t, w.svc.CancelByToken(ctx, regs[1].token), apperr.Conflict)
		for i, r := range waitlisted {
			got, err := w.db.Registration(ctx, r.ID)
			noErr(t, err)
			want := events.Registered
			if i == 3 {
				want = events.Waitlisted
			}
			if got.Status != want {
				t.Errorf("waitlisted #%d is %s, want %s", i+1, got.Status, want)
			}
			promotedMail := contains(w.mails(r.Email), "キャンセル待ちから参加確定になりました: "+e.Title)
			if promotedMail != (i < 3) {
				t.Errorf("waitlisted #%d told of the promotion: %v", i+1, promotedMail)
			}
			if i == 0 {
				m := w.mail(r.Email, "キャンセル待ちから参加確定になりました: "+e.Title)
				if cal := ics(t, m); !strings.Contains(cal, "STATUS:CONFIRMED") || !strings.Contains(m.Text, "meet.example.jp") {
					t.Errorf("promotion mail:\n%s\n%s", m.Text, cal)
				}
			}
		}
		r, view, err := w.svc.RegistrationByToken(ctx, regs[1].token)
		noErr(t, err)
		if r.Status != events.Cancelled || view.Mine != nil || view.OnlineURL != "" {
			t.Errorf("cancelled registration by token: %s, mine %v, url %q", r.Status, view.Mine, view.OnlineURL)
		}
		wantCode(t, w.svc.CheckIn(ctx, w.organiser, cancelled[0].ID, true), apperr.Conflict)

		// 89 of the 96 with a place are checked in.
		registered, err := w.svc.Registrations(ctx, w.organiser, e.ID, events.Registered)
		noErr(t, err)
		if len(registered) != 96 {
			t.Fatalf("%d registered, want 96", len(registered))
		}
		_, err = w.svc.Registrations(ctx, w.otherCC, e.ID)
		wantCode(t, err, apperr.Forbidden)
		wantCode(t, w.svc.CheckIn(ctx, w.otherCC, registered[0].ID, true), apperr.Forbidden)
		for _, r := range registered[:89] {
			noErr(t, w.svc.CheckIn(ctx, w.organiser, r.ID, true))
		}
		// A check-in recorded by mistake is cleared and recorded again.
		noErr(t, w.svc.CheckIn(ctx, w.organiser, registered[0].ID, false))
		noErr(t, w.svc.CheckIn(ctx, w.organiser, registered[0].ID, true))
		counts, err := w.svc.Counts(ctx, w.organiser, e.ID)
		noErr(t, err)
		if counts.Registered != 96 || counts.Venue != 26 || counts.Online != 70 || counts.Waitlisted != 1 ||
			counts.Cancelled != 3 || counts.CheckedIn != 89 {
			t.Fatalf("counts %+v", counts)
		}
		if len(counts.ByPrefecture) != 41 {
			t.Errorf("%d prefectures, want 41", len(counts.ByPrefecture))
		}

		// 12 groups over 4 themes from the 89 present, with a random seed
		// that is recorded and gives the same groups again.
		themes := []string{"キャリア相談の進め方", "地域枠の義務年限", "専門医取得との両立", "困難事例の共有"}
		_, err = w.svc.AssignGroups(ctx, w.organiser, e.ID, events.GroupInput{Groups: 90, Themes: themes})
		wantField(t, err, "groups")
		_, err = w.svc.AssignGroups(ctx, w.organiser, e.ID, events.GroupInput{Groups: 12, Themes: []string{" "}})
		wantField(t, err, "themes")
		gw, err := w.svc.AssignGroups(ctx, w.organiser, e.ID, events.GroupInput{Groups: 12, Themes: themes})
		noErr(t, err)
		if gw.Seed == 0 || len(gw.Groups) != 12 || gw.Version != 1 {
			t.Fatalf("group work: seed %d, %d groups, version %d", gw.Seed, len(gw.Groups), gw.Version)
		}
		var people []grouping.Person
		for _, r := range registered[:89] {
			people = append(people, grouping.Person{ID: r.ID, Prefecture: r.Prefecture, Role: string(r.Role)})
		}
		opt := grouping.Options{Groups: 12, Themes: themes, Seed: gw.Seed}
		split := toSplit(gw)
		if v := grouping.Check(people, opt, split); len(v) > 0 {
			t.Fatalf("the groups break the rules: %+v", v)
		}
		_, err = w.svc.AssignGroups(ctx, w.organiser, e.ID, events.GroupInput{Groups: 12, Themes: themes, Seed: gw.Seed})
		wantCode(t, err, apperr.Conflict)
		again, err := w.svc.AssignGroups(ctx, w.organiser, e.ID, events.GroupInput{Groups: 12, Themes: themes, Seed: gw.Seed, Version: gw.Version})
		noErr(t, err)
		if got := toSplit(again); !sameSplit(got, split) {
			t.Errorf("the same seed gave other groups")
		}

		// The organiser moves one person by hand; the rest stays.
		moved := again.Groups[0].Members[0]
		_, err = w.svc.MoveMember(ctx, w.organiser, e.ID, moved.ID, 2, again.Version-1)
		wantCode(t, err, apperr.Conflict)
		byHand, err := w.svc.MoveMember(ctx, w.organiser, e.ID, moved.ID, 2, again.Version)
		noErr(t, err)
		if byHand.Version != again.Version+1 || byHand.Seed != again.Seed {
			t.Errorf("moved: version %d seed %d", byHand.Version, byHand.Seed)
		}
		for _, g := range byHand.Groups {
			ids := map[int64]bool{}
			for _, m := range g.Members {
				ids[m.ID] = true
			}
			if (g.Number == 2) != ids[moved.ID] {
				t.Errorf("group %d holds the moved person: %v", g.Number, ids[moved.ID])
			}
			if want := len(again.Groups[g.Number-1].Members) + map[int]int{1: -1, 2: 1}[g.Number]; len(g.Members) != want {
				t.Errorf("group %d has %d members, want %d", g.Number, len(g.Members), want)
			}
			if g.Theme != again.Groups[g.Number-1].Theme {
				t.Errorf("group %d theme changed to %q", g.Number, g.Theme)
			}
		}
		_, err = w.svc.MoveMember(ctx, w.organiser, e.ID, moved.ID, 13, byHand.Version)
		wantField(t, err, "group")
		noErr(t, w.svc.SaveGroupReport(ctx, w.organiser, byHand.Groups[0].ID, "参加者 001、参加者 013", "相談窓口の周知が課題。\n好事例を共有したい。"))
		wantCode(t, w.svc.SaveGroupReport(ctx, w.otherCC, byHand.Groups[0].ID, "x", "y"), apperr.Forbidden)

		// A checked-in registrant finds their own group only, with names
		// and roles; others do not see the group work (see also
		// TestGroupWorkShowsOnlyOwnGroup).
		seen, err := w.svc.GroupWork(ctx, w.otherCC, e.ID)
		noErr(t, err)
		if len(seen.Groups) != 1 || !slices.ContainsFunc(seen.Groups[0].Members, func(m events.Registration) bool { return m.Name == registered[0].Name }) {
			t.Fatalf("registrant's group work: %+v", seen.Groups)
		}
		if m := seen.Groups[0].Members[0]; m.Email != "" || m.Organisation != "" || m.Prefecture != "" || m.Name == "" || m.Role == "" {
			t.Errorf("registrant's group member %+v", m)
		}
		if seen.Groups[0].Number == byHand.Groups[0].Number && seen.Groups[0].Points == "" {
			t.Error("registrant's group without its points")
		}
		_, err = w.svc.GroupWork(ctx, w.outsider, e.ID)
		wantCode(t, err, apperr.NotFound)

		// The CSV exports read back in Excel's encodings.
		var buf bytes.Buffer
		noErr(t, w.svc.ExportParticipants(ctx, w.organiser, e.ID, &buf, events.UTF8BOM))
		rows := readCSV(t, buf.Bytes(), true)
		if len(rows) != 101 || strings.Join(rows[0], ",") != strings.Join(events.ParticipantsHeader, ",") {
			t.Fatalf("%d participant rows, header %q", len(rows), rows[0])
		}
		grouped, checkedIn := 0, 0
		for _, row := range rows[1:] {
			if _, err := time.Parse("2006/01/02 15:04", row[7]); err != nil {
				t.Errorf("registered at %q", row[7])
			}
			if row[8] != "" {
				checkedIn++
			}
			if row[9] != "" {
				grouped++
			}
		}
		if checkedIn != 89 || grouped != 89 {
			t.Errorf("CSV: %d checked in, %d in a group; want 89", checkedIn, grouped)
		}
		if rows[1][7] != "2026/11/02 10:00" {
			t.Errorf("first registration at %q, want JST 2026/11/02 10:00", rows[1][7])
		}
		buf.Reset()
		noErr(t, w.svc.ExportParticipants(ctx, w.organiser, e.ID, &buf, events.ShiftJIS))
		sjis, err := japanese.ShiftJIS.NewDecoder().Bytes(buf.Bytes())
		noErr(t, err)
		if rows := readCSV(t, sjis, false); len(rows) != 101 || rows[0][0] != "氏名" {
			t.Errorf("Shift_JIS export: %d rows, header %q", len(rows), rows[0])
		}
		buf.Reset()
		noErr(t, w.svc.ExportCounts(ctx, w.organiser, e.ID, &buf, events.UTF8BOM))
		sums := map[string]int{}
		for _, row := range readCSV(t, buf.Bytes(), true)[1:] {
			n, err := strconv.Atoi(row[2])
			noErr(t, err)
			sums[row[0]] += n
			if row[0] == "合計" && row[1] == "出席" && n != 89 {
				t.Errorf("checked in %d", n)
			}
		}
		if sums["都道府県"] != 96 || sums["役割"] != 96 {
			t.Errorf("counts CSV sums %v", sums)
		}
		wantCode(t, w.svc.ExportCounts(ctx, w.outsider, e.ID, &buf, events.UTF8BOM), apperr.Forbidden)
	})
}

func toSplit(gw *events.GroupWork) []grouping.Group {
	var out []grouping.Group
	for _, g := range gw.Groups {
		gg := grouping.Group{Number: g.Number, Theme: g.Theme}
		for _, m := range g.Members {
			gg.Members = append(gg.Members, m.ID)
		}
		out = append(out, gg)
	}
	return out
}

func sameSplit(a, b []grouping.Group) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		x, y := map[int64]bool{}, map[int64]bool{}
		for _, id := range a[i].Members {
			x[id] = true
		}
		for _, id := range b[i].Members {
			y[id] = true
		}
		if a[i].Number != b[i].Number || a[i].Theme != b[i].Theme || len(x) != len(y) {
			return false
		}
		for id := range x {
			if !y[id] {
				return false
			}
		}
	}
	return true
}

// readCSV parses an export; bom says it must start with a UTF-8 BOM.
func readCSV(t *testing.T, data []byte, bom bool) [][]string {
	t.Helper()
	rest, ok := bytes.CutPrefix(data, []byte("\uFEFF"))
	if ok != bom {
		t.Fatalf("BOM present %v, want %v", ok, bom)
	}
	rows, err := csv.NewReader(bytes.NewReader(rest)).ReadAll()
	noErr(t, err)
	return rows
}
