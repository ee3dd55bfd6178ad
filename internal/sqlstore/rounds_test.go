package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/regional"
	"github.com/hakui-dev/hakui/internal/rounds"
	"github.com/hakui-dev/hakui/internal/sqlstore"
)

// TestRoundStore: a round with its institutions and caps, lists and
// rankings replaced on resubmission, the schema's foreign keys (a list names
// only the round's institutions, a ranking only doctors with a list, a
// listed institution stays), versioning, and the result with its
// explanation and the ledger mark.
func TestRoundStore(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		now := time.Date(2026, 11, 2, 1, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		org := func(kind identity.OrgKind, name string) int64 {
			o := &identity.Organisation{Kind: kind, Name: name}
			if err := db.CreateOrganisation(ctx, o); err != nil {
				t.Fatal(err)
			}
			return o.ID
		}
		check := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		want := func(err error, code apperr.Code) {
			t.Helper()
			if !apperr.Is(err, code) {
				t.Fatalf("error = %v, want %s", err, code)
			}
		}
		pref, city, rural, other := org(identity.OrgPrefecture, "岡山県"), org(identity.OrgInstitution, "岡山市民病院"),
			org(identity.OrgInstitution, "真庭中央病院"), org(identity.OrgInstitution, "広島中央病院")
		officer := mustUser(t, db, "officer@example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: pref})
		d1 := mustUser(t, db, "d1@example.jp", identity.Grant{Role: identity.RoleDoctor})
		d2 := mustUser(t, db, "d2@example.jp", identity.Grant{Role: identity.RoleDoctor})
		pr := &obligation.Program{PrefectureOrgID: pref, Name: "地域枠", TotalYears: 9, MinShortageYears: 4, DeadlineYears: 12}
		check(db.CreateProgram(ctx, pr))
		south := &regional.Area{PrefectureOrgID: pref, Area: obligation.Area{Code: "33-01", Name: "県南東部"}}
		north := &regional.Area{PrefectureOrgID: pref, Area: obligation.Area{Code: "33-05", Name: "真庭"}}
		check(db.SaveArea(ctx, south))
		check(db.SaveArea(ctx, north))
		check(db.SetAreaClass(ctx, south.ID, 2027, obligation.AreaSurplus))
		check(db.SetAreaClass(ctx, north.ID, 2027, obligation.AreaShortage))
		enrol := func(u *identity.User) int64 {
			e := &regional.Enrollment{ProgramID: pr.ID, DoctorID: u.ID, StartYear: 2025}
			check(db.CreateEnrollment(ctx, e))
			return e.ID
		}
		e1, e2 := enrol(d1), enrol(d2)

		two := 2
		r := &rounds.Round{PrefectureOrgID: pref, ProgramID: pr.ID, FiscalYear: 2027, Name: "2027年度", Mechanism: match.FDA,
			ListsDue: now.Add(24 * time.Hour), RankingsDue: now.Add(48 * time.Hour), CreatedBy: officer.ID,
			Institutions: []rounds.Institution{
				{OrgID: rural, AreaID: north.ID, Capacity: 3, Target: &two},
				{OrgID: city, AreaID: south.ID, Capacity: 2, Specialties: []string{"内科"}},
			},
			Caps: []rounds.AreaCap{{AreaID: south.ID, Cap: 1}}}
		check(db.CreateRound(ctx, r))
		got, err := db.Round(ctx, r.ID)
		check(err)
		if got.Version != 1 || got.Status != rounds.StatusOpen || got.ProgramName != "地域枠" || !got.ListsDue.Equal(r.ListsDue) ||
			len(got.Institutions) != 2 || got.Institutions[0].OrgID != rural || *got.Institutions[0].Target != 2 ||
			got.Institutions[0].Class != obligation.AreaShortage || got.Institutions[1].Name != "岡山市民病院" ||
			!slices.Equal(got.Institutions[1].Specialties, []string{"内科"}) || got.Institutions[1].Target != nil ||
			len(got.Caps) != 1 || got.Caps[0].AreaCode != "33-01" || got.Caps[0].Cap != 1 {
			t.Fatalf("round: %+v", got)
		}
		// The schema refuses rankings due before lists, and a second round of the same name.
		bad := *r
		bad.Name, bad.RankingsDue = "逆", r.ListsDue.Add(-time.Hour)
		want(db.CreateRound(ctx, &bad), apperr.Invalid)
		dup := *r
		want(db.CreateRound(ctx, &dup), apperr.Conflict)

		// Lists name only the round's institutions; a resubmission replaces.
		want(db.SaveList(ctx, &rounds.List{RoundID: r.ID, DoctorID: d1.ID, EnrollmentID: e1, Institutions: []int64{other}}), apperr.Invalid)
		check(db.SaveList(ctx, &rounds.List{RoundID: r.ID, DoctorID: d1.ID, EnrollmentID: e1, Institutions: []int64{city, rural}}))
		l := &rounds.List{RoundID: r.ID, DoctorID: d1.ID, EnrollmentID: e1, Specialty: "内科", Institutions: []int64{rural}}
		check(db.SaveList(ctx, l))
		l1, err := db.List(ctx, r.ID, d1.ID)
		check(err)
		if l1.ID != l.ID || l1.Specialty != "内科" || !slices.Equal(l1.Institutions, []int64{rural}) || l1.DoctorName == "" {
			t.Fatalf("list: %+v", l1)
		}
		_, err = db.List(ctx, r.ID, d2.ID)
		want(err, apperr.NotFound)
		check(db.SaveList(ctx, &rounds.List{RoundID: r.ID, DoctorID: d2.ID, EnrollmentID: e2, Institutions: []int64{city, rural}}))

		// Rankings name only doctors with a list.
		outsider := mustUser(t, db, "d3@example.jp", identity.Grant{Role: identity.RoleDoctor})
		want(db.SaveRanking(ctx, &rounds.Ranking{RoundID: r.ID, InstitutionID: rural, Doctors: []int64{outsider.ID}}), apperr.Invalid)
		check(db.SaveRanking(ctx, &rounds.Ranking{RoundID: r.ID, InstitutionID: rural, Doctors: []int64{d1.ID}}))
		check(db.SaveRanking(ctx, &rounds.Ranking{RoundID: r.ID, InstitutionID: rural, Doctors: []int64{d2.ID, d1.ID}}))
		check(db.SaveRanking(ctx, &rounds.Ranking{RoundID: r.ID, InstitutionID: city}))
		ks, err := db.Rankings(ctx, r.ID)
		check(err)
		if len(ks) != 2 || !slices.Equal(ks[slices.IndexFunc(ks, func(k rounds.Ranking) bool { return k.InstitutionID == rural })].Doctors, []int64{d2.ID, d1.ID}) {
			t.Fatalf("rankings: %+v", ks)
		}

		// Versioning; an institution a list names stays in the round.
		stale := *got
		stale.Version = 0
		want(db.UpdateRound(ctx, &stale), apperr.Conflict)
		drop := *got
		drop.Institutions = got.Institutions[:1]
		want(db.UpdateRound(ctx, &drop), apperr.Invalid)
		upd := *got
		upd.Mechanism, upd.Caps = match.JRMP, []rounds.AreaCap{{AreaID: south.ID, Cap: 2}}
		check(db.UpdateRound(ctx, &upd))
		if upd.Version != 2 {
			t.Fatalf("version after update: %d", upd.Version)
		}

		// The result replaces the lists' window: the round is no longer open.
		expl := &match.Explanation{Doctor: "d1", Mechanism: match.JRMP, Program: "i1", Rank: 1, Reasons: []match.Reason{}}
		results := []rounds.Result{{DoctorID: d1.ID, InstitutionID: rural, Rank: 1, Explanation: expl},
			{DoctorID: d2.ID, Explanation: &match.Explanation{Doctor: "d2", Reasons: []match.Reason{{Program: "i2", Rank: 1, Kind: match.Full}}}}}
		want(db.SaveResults(ctx, r, results), apperr.Conflict) // r is at version 1
		check(db.SaveResults(ctx, &upd, results))
		want(db.SaveList(ctx, l), apperr.Conflict)
		stored, err := db.Results(ctx, r.ID)
		check(err)
		if len(stored) != 2 || stored[0].InstitutionID != rural || stored[0].Explanation.Program != "i1" ||
			stored[1].InstitutionID != 0 || stored[1].Rank != 0 || stored[1].Explanation.Reasons[0].Kind != match.Full {
			t.Fatalf("results: %+v", stored)
		}
		want(db.MarkRecorded(ctx, r.ID, d2.ID, now), apperr.NotFound) // unmatched: nothing to record

		stalePub := upd
		stalePub.Version = 2
		want(db.Publish(ctx, &stalePub), apperr.Conflict)
		upd.PublishedBy = officer.ID
		check(db.Publish(ctx, &upd))
		check(db.MarkRecorded(ctx, r.ID, d1.ID, now))
		pub, err := db.Round(ctx, r.ID)
		check(err)
		stored, err = db.Results(ctx, r.ID)
		check(err)
		if pub.Status != rounds.StatusPublished || pub.PublishedAt == nil || pub.PublishedBy != officer.ID || pub.Version != 4 ||
			stored[0].RecordedAt == nil || !stored[0].RecordedAt.Equal(now) {
			t.Fatalf("published: %+v, %+v", pub, stored[0])
		}
		// A published round no longer changes.
		want(db.UpdateRound(ctx, pub), apperr.Conflict)
		list, err := db.Rounds(ctx, pref)
		check(err)
		if len(list) != 1 || len(list[0].Institutions) != 2 {
			t.Fatalf("rounds: %+v", list)
		}
	})
}
