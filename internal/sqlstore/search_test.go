package sqlstore_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/openings/openingsgen"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// TestSearchShapesAgree checks that the two ways SQLite answers a text
// search (the FTS index, or walking rows and testing their match text)
// return the same openings, and that PostgreSQL agrees with both.
func TestSearchShapesAgree(t *testing.T) {
	queries := []openings.Filter{
		{Text: "内科"}, {Text: "ﾅｲｶ"}, {Text: "MRI"}, {Text: "ｍｒｉ"}, {Text: "外来 徒歩"}, {Text: "患者様第一"},
		{Text: "科"}, {Text: "\"在宅医療\""}, {Text: "当直", Kind: career.WorkNightDuty}, {Text: "ガンマナイフ"},
		{Text: "内科", Sort: openings.SortPay}, {Text: "icu"}, {Text: "ct"},
	}
	results := map[string][][]int64{}
	for _, engine := range sqlstoretest.Engines() {
		db := sqlstoretest.Open(t, engine)
		ctx := context.Background()
		org := &identity.Organisation{Kind: identity.OrgInstitution, Name: "検索テスト病院"}
		if err := db.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		u := &identity.User{Email: "s@example.jp", DisplayName: "s", PasswordHash: "x", Locale: "ja"}
		if err := db.CreateUser(ctx, u, []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: org.ID}}); err != nil {
			t.Fatal(err)
		}
		if err := db.SeedCompetencies(ctx, career.DefaultCompetencies()); err != nil {
			t.Fatal(err)
		}
		if err := db.ImportOpenings(ctx, openingsgen.Generate(400, 7, []int64{org.ID}, u.ID, time.Now())); err != nil {
			t.Fatal(err)
		}
		run := func() [][]int64 {
			var out [][]int64
			for _, f := range queries {
				f.Limit = 100
				list, _, err := db.SearchOpenings(ctx, f)
				if err != nil {
					t.Fatalf("%s %q: %v", engine, f.Text, err)
				}
				var ids []int64
				for _, o := range list {
					ids = append(ids, o.ID)
				}
				out = append(out, ids)
			}
			return out
		}
		results[string(engine)] = run()
		if engine == sqlstore.SQLite {
			restore := sqlstore.SetProbeAboveForTest(0)
			results["sqlite-walk"] = run()
			restore()
		}
	}
	want := results["sqlite"]
	nonEmpty := 0
	for i := range want {
		if len(want[i]) > 0 {
			nonEmpty++
		}
	}
	if nonEmpty < len(queries)-2 {
		t.Fatalf("only %d of %d queries found anything; the fixture is too thin", nonEmpty, len(queries))
	}
	for name, got := range results {
		for i := range queries {
			if !slices.Equal(got[i], want[i]) {
				t.Errorf("%s: %q returns %d openings, the FTS index %d", name, queries[i].Text, len(got[i]), len(want[i]))
			}
		}
	}
}
