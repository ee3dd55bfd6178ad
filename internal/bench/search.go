// Package bench measures Hakui with generated data on real databases, for
// the hakui bench commands.
package bench

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/openings/openingsgen"
	"github.com/hakui-dev/hakui/internal/sqlstore"
)

// SearchConfig sets up a search benchmark.
type SearchConfig struct {
	Openings int
	Runs     int    // timed runs per query
	Postgres string // a PostgreSQL DSN; empty: SQLite only
	Out      io.Writer
}

type searchQuery struct {
	name   string
	filter openings.Filter
	pages  int // follow the cursor this many pages; the last page is timed
}

func weekday(d time.Weekday) *time.Weekday { return &d }

var searchQueries = []searchQuery{
	{name: "内科 (common 2-char word)", filter: openings.Filter{Text: "内科"}},
	{name: "内科 + 定期非常勤 + 東京都", filter: openings.Filter{Text: "内科", Kind: career.WorkPartTimeRegular, Prefecture: "東京都"}},
	{name: "ガンマナイフ (rare)", filter: openings.Filter{Text: "ガンマナイフ"}},
	{name: "整形外科 外来 徒歩 (3 terms)", filter: openings.Filter{Text: "整形外科 外来 徒歩"}},
	{name: "MRI (latin)", filter: openings.Filter{Text: "MRI"}},
	{name: "当直 + ≥50,000/回, by pay", filter: openings.Filter{Text: "当直", MinPayYen: 50000, MinPayUnit: career.PayPerShift, Sort: openings.SortPay}},
	{name: "filters only: 精神科 + 大阪府", filter: openings.Filter{Specialty: "精神科", Prefecture: "大阪府"}},
	{name: "在宅 + 火曜 + 時給≥15,000", filter: openings.Filter{Text: "在宅", Weekday: weekday(time.Tuesday), MinPayYen: 15000, MinPayUnit: career.PayHourly}},
	{name: "内科, page 5 (keyset)", filter: openings.Filter{Text: "内科"}, pages: 5},
	{name: "内科, eligible for 初期研修医", filter: openings.Filter{Text: "内科", EligibleStage: career.StageJuniorResident}},
}

// Search fills a fresh database per engine with synthetic openings and
// reports the ingest rate and the latency of representative queries,
// indexed and as a naive LIKE scan.
func Search(ctx context.Context, cfg SearchConfig) error {
	if cfg.Runs <= 0 {
		cfg.Runs = 50
	}
	fmt.Fprintf(cfg.Out, "hakui bench search: %d openings, %d runs per query\n", cfg.Openings, cfg.Runs)
	dir, err := os.MkdirTemp("", "hakui-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	engines := []struct{ name, dsn string }{{"sqlite", "sqlite:" + filepath.Join(dir, "bench.db")}}
	if cfg.Postgres != "" {
		dsn, drop, err := freshSchema(ctx, cfg.Postgres)
		if err != nil {
			return err
		}
		defer drop()
		engines = append(engines, struct{ name, dsn string }{"postgres", dsn})
	}
	for _, e := range engines {
		if err := searchEngine(ctx, cfg, e.name, e.dsn); err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
	}
	return nil
}

func searchEngine(ctx context.Context, cfg SearchConfig, name, dsn string) error {
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := db.SeedCompetencies(ctx, career.DefaultCompetencies()); err != nil {
		return err
	}
	var insts []int64
	for i := range max(1, cfg.Openings/200) {
		org := &identity.Organisation{Kind: identity.OrgInstitution, Name: fmt.Sprintf("ベンチ医療機関%04d", i)}
		if err := db.CreateOrganisation(ctx, org); err != nil {
			return err
		}
		insts = append(insts, org.ID)
	}
	poster := &identity.User{Email: "bench@example.jp", DisplayName: "ベンチ", PasswordHash: "x", Locale: "ja"}
	if err := db.CreateUser(ctx, poster, []identity.Grant{{Role: identity.RoleInstitutionStaff, OrgID: insts[0]}}); err != nil {
		return err
	}
	list := openingsgen.Generate(cfg.Openings, 1, insts, poster.ID, time.Now())
	start := time.Now()
	const batch = 1000
	for i := 0; i < len(list); i += batch {
		if err := db.ImportOpenings(ctx, list[i:min(i+batch, len(list))]); err != nil {
			return err
		}
	}
	ingest := time.Since(start)
	if err := db.Analyze(ctx); err != nil {
		return err
	}
	fmt.Fprintf(cfg.Out, "\n[%s] ingest: %d openings in %s = %.0f openings/s (batches of %d, with the text index)\n",
		name, len(list), ingest.Round(time.Millisecond), float64(len(list))/ingest.Seconds(), batch)
	tw := tabwriter.NewWriter(cfg.Out, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "query\trows\tp50 ms\tp95 ms\tp99 ms\tLIKE p50\tLIKE p95\tLIKE/index p95\t")
	var worst time.Duration
	for _, q := range searchQueries {
		idx, rows, err := timeQuery(ctx, db, q, false, cfg.Runs)
		if err != nil {
			return fmt.Errorf("%s: %w", q.name, err)
		}
		naive, _, err := timeQuery(ctx, db, q, true, max(5, cfg.Runs/5))
		if err != nil {
			return fmt.Errorf("%s (LIKE): %w", q.name, err)
		}
		worst = max(worst, pct(idx, 95))
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.1fx\t\n", q.name, rows, ms(pct(idx, 50)), ms(pct(idx, 95)), ms(pct(idx, 99)),
			ms(pct(naive, 50)), ms(pct(naive, 95)), float64(pct(naive, 95))/float64(max(1, pct(idx, 95))))
	}
	tw.Flush()
	verdict := "met"
	if worst >= 20*time.Millisecond {
		verdict = "NOT met"
	}
	fmt.Fprintf(cfg.Out, "[%s] worst p95 %.2f ms: target p95 < 20 ms %s\n", name, ms(worst), verdict)
	return nil
}

// timeQuery runs q (following its cursor to the requested page) and
// returns the timed latencies of the last page and its row count.
func timeQuery(ctx context.Context, db *sqlstore.DB, q searchQuery, naive bool, runs int) ([]time.Duration, int, error) {
	f := q.filter
	f.NaiveText = naive
	for range q.pages - 1 {
		_, next, err := db.SearchOpenings(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		f.After = next
	}
	var rows int
	if _, _, err := db.SearchOpenings(ctx, f); err != nil { // warm up
		return nil, 0, err
	}
	times := make([]time.Duration, 0, runs)
	for range runs {
		start := time.Now()
		list, _, err := db.SearchOpenings(ctx, f)
		if err != nil {
			return nil, 0, err
		}
		times = append(times, time.Since(start))
		rows = len(list)
	}
	slices.Sort(times)
	return times, rows, nil
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100
	return sorted[min(max(i-1, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// freshSchema makes an empty schema in the PostgreSQL database and returns
// a DSN that uses it, and a function that drops it.
func freshSchema(ctx context.Context, base string) (string, func(), error) {
	b := make([]byte, 5)
	rand.Read(b)
	schema := "hakui_bench_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		return "", nil, err
	}
	u, err := url.Parse(base)
	if err != nil {
		return "", nil, err
	}
	v := u.Query()
	v.Set("search_path", schema)
	u.RawQuery = v.Encode()
	drop := func() {
		admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close()
	}
	return u.String(), drop, nil
}
