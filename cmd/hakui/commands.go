package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hakui-dev/hakui/internal/app"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/bench"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/sqlstore"
)

// env returns the HAKUI_* variable or def.
func env(name, def string) string {
	if v, ok := os.LookupEnv("HAKUI_" + name); ok {
		return v
	}
	return def
}

func envBool(name string) bool {
	b, _ := strconv.ParseBool(env(name, "false"))
	return b
}

// dbFlags are the flags every command that opens the database shares.
type dbFlags struct {
	db, keys string
}

func (f *dbFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.db, "db", env("DB", app.DefaultDB), "database: sqlite:PATH or postgres://… (HAKUI_DB)")
	fs.StringVar(&f.keys, "keys", env("KEYS", ""), "data-encryption key file (HAKUI_KEYS); default: keys.txt beside a SQLite database, ./hakui-data/keys.txt otherwise")
}

func (f *dbFlags) keysFile() string {
	if f.keys != "" {
		return f.keys
	}
	if !strings.HasPrefix(f.db, "postgres") {
		return filepath.Join(filepath.Dir(strings.TrimPrefix(f.db, "sqlite:")), "keys.txt")
	}
	return filepath.Join("hakui-data", "keys.txt")
}

func newLogger(w io.Writer, format string) *slog.Logger {
	if format == "text" {
		return slog.New(slog.NewTextHandler(w, nil))
	}
	return slog.New(slog.NewJSONHandler(w, nil))
}

func parse(fs *flag.FlagSet, args []string, stderr io.Writer) bool {
	fs.SetOutput(stderr)
	return fs.Parse(args) == nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var f dbFlags
	f.register(fs)
	addr := fs.String("addr", env("ADDR", "127.0.0.1:8080"), "listen address (HAKUI_ADDR)")
	demo := fs.Bool("demo", envBool("DEMO"), "load demo data and print the demo logins (HAKUI_DEMO)")
	baseURL := fs.String("base-url", env("BASE_URL", ""), "public URL used in links, e.g. https://hakui.example.jp (HAKUI_BASE_URL)")
	trustProxy := fs.Bool("trust-proxy", envBool("TRUST_PROXY"), "take the client address from X-Forwarded-For (HAKUI_TRUST_PROXY)")
	insecure := fs.Bool("insecure-cookies", envBool("INSECURE_COOKIES"), "send cookies over plain HTTP; development on a LAN address only (HAKUI_INSECURE_COOKIES)")
	logFormat := fs.String("log-format", env("LOG_FORMAT", "json"), "json or text (HAKUI_LOG_FORMAT)")
	var smtp notify.SMTP
	fs.StringVar(&smtp.Addr, "smtp-addr", env("SMTP_ADDR", ""), "SMTP server host:port for notification e-mail; empty disables e-mail (HAKUI_SMTP_ADDR)")
	fs.StringVar(&smtp.From, "smtp-from", env("SMTP_FROM", "hakui@localhost"), "sender address (HAKUI_SMTP_FROM)")
	fs.StringVar(&smtp.Username, "smtp-user", env("SMTP_USER", ""), "SMTP user (HAKUI_SMTP_USER)")
	smtp.Password = env("SMTP_PASSWORD", "") // from the environment only, never a flag visible in ps
	if !parse(fs, args, stderr) {
		return 2
	}
	start := time.Now()
	log := newLogger(stderr, *logFormat)
	m, err := app.Open(ctx, app.Config{Addr: *addr, DB: f.db, KeysFile: f.keysFile(), BaseURL: *baseURL, Demo: *demo,
		TrustProxy: *trustProxy, InsecureCookies: *insecure, SMTP: smtp, Log: log})
	if err != nil {
		log.Error("start failed", "err", err)
		return 1
	}
	defer m.Close()
	if err := m.Listen(); err != nil {
		log.Error("listen failed", "err", err)
		return 1
	}
	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	log.Info("hakui ready", "url", m.URL(), "db", m.DB.Dialect(), "demo", *demo, "version", app.Version,
		"startup_ms", time.Since(start).Milliseconds(), "heap_mb", mem.HeapAlloc>>20, "sys_mb", mem.Sys>>20)
	if *demo {
		app.PrintDemoLogins(stdout, m.URL())
	}
	if err := m.Run(ctx); err != nil {
		log.Error("server stopped", "err", err)
		return 1
	}
	log.Info("hakui stopped")
	return 0
}

func openMain(ctx context.Context, f dbFlags, stderr io.Writer) (*app.Main, bool) {
	m, err := app.Open(ctx, app.Config{DB: f.db, KeysFile: f.keysFile(), Log: newLogger(stderr, "text")})
	if err != nil {
		fmt.Fprintln(stderr, "hakui:", err)
		return nil, false
	}
	return m, true
}

func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var f dbFlags
	f.register(fs)
	status := fs.Bool("status", false, "only show the schema version")
	if !parse(fs, args, stderr) {
		return 2
	}
	db, err := sqlstore.Open(ctx, f.db)
	if err != nil {
		fmt.Fprintln(stderr, "hakui:", err)
		return 1
	}
	defer db.Close()
	if !*status {
		if err := db.Migrate(ctx); err != nil {
			fmt.Fprintln(stderr, "hakui: migrate:", err)
			return 1
		}
	}
	current, latest, err := db.MigrationStatus(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "hakui:", err)
		return 1
	}
	fmt.Fprintf(stdout, "schema version %d (latest %d)\n", current, latest)
	return 0
}

func runUser(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	const help = "使い方: hakui user create --email E --name N --role ROLE [--org ID] [--org-admin]\n" +
		"       hakui user create-admin --email E --name N\n       hakui user list\n       hakui user reset-password --email E\n"
	if len(args) == 0 {
		fmt.Fprint(stderr, help)
		return 2
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("user "+sub, flag.ContinueOnError)
	var f dbFlags
	f.register(fs)
	email := fs.String("email", "", "e-mail address")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "", "role: "+fmt.Sprint(identity.Roles))
	org := fs.Int64("org", 0, "organisation id (staff roles)")
	orgAdmin := fs.Bool("org-admin", false, "may invite staff to the organisation")
	if !parse(fs, args, stderr) {
		return 2
	}
	m, ok := openMain(ctx, f, stderr)
	if !ok {
		return 1
	}
	defer m.Close()
	switch sub {
	case "create", "create-admin":
		n := app.NewUser{Email: *email, Name: *name, Role: identity.Role(*role), OrgID: *org, OrgAdmin: *orgAdmin}
		if sub == "create-admin" {
			id, err := m.EnsurePlatform(ctx)
			if err != nil {
				fmt.Fprintln(stderr, "hakui:", err)
				return 1
			}
			n.Role, n.OrgID, n.OrgAdmin = identity.RoleAdmin, id, true
		}
		temp, err := m.CreateUser(ctx, n)
		if err != nil {
			fmt.Fprintln(stderr, "hakui: user create:", err)
			return 1
		}
		fmt.Fprintf(stdout, "created %s\ninitial password (must be changed at first sign-in): %s\n", *email, temp)
		return 0
	case "list":
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tEMAIL\tNAME\t2FA\tROLES")
		var after int64
		for {
			users, err := m.DB.Users(ctx, after, 200)
			if err != nil {
				fmt.Fprintln(stderr, "hakui:", err)
				return 1
			}
			for _, u := range users {
				grants, err := m.DB.Grants(ctx, u.ID)
				if err != nil {
					fmt.Fprintln(stderr, "hakui:", err)
					return 1
				}
				var roles []string
				for _, g := range grants {
					r := string(g.Role)
					if g.OrgID != 0 {
						r += "@" + strconv.FormatInt(g.OrgID, 10)
					}
					roles = append(roles, r)
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%v\t%s\n", u.ID, u.Email, u.DisplayName, u.TOTPEnabled, strings.Join(roles, ","))
				after = u.ID
			}
			if len(users) < 200 {
				break
			}
		}
		tw.Flush()
		return 0
	case "reset-password":
		u, err := m.DB.UserByEmail(ctx, strings.ToLower(strings.TrimSpace(*email)))
		if err != nil {
			fmt.Fprintln(stderr, "hakui: no user with that e-mail")
			return 1
		}
		temp, err := m.ResetPassword(ctx, u.ID)
		if err != nil {
			fmt.Fprintln(stderr, "hakui:", err)
			return 1
		}
		fmt.Fprintf(stdout, "temporary password for %s (must be changed at next sign-in; all sessions ended): %s\n", u.Email, temp)
		return 0
	}
	fmt.Fprint(stderr, help)
	return 2
}

func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	var f dbFlags
	f.register(fs)
	to := fs.String("to", "", "snapshot file to create")
	if !parse(fs, args, stderr) {
		return 2
	}
	if *to == "" {
		fmt.Fprintln(stderr, "使い方: hakui backup --to FILE")
		return 2
	}
	db, err := sqlstore.Open(ctx, f.db)
	if err != nil {
		fmt.Fprintln(stderr, "hakui:", err)
		return 1
	}
	defer db.Close()
	start := time.Now()
	if err := db.Backup(ctx, *to); err != nil {
		fmt.Fprintln(stderr, "hakui: backup:", err)
		return 1
	}
	snap, err := sqlstore.Open(ctx, "sqlite:"+*to)
	if err != nil {
		fmt.Fprintln(stderr, "hakui: backup written but cannot be opened:", err)
		return 1
	}
	defer snap.Close()
	if err := snap.IntegrityCheck(ctx); err != nil {
		fmt.Fprintln(stderr, "hakui: backup written but fails its check:", err)
		return 1
	}
	n, err := audit.Verify(ctx, snap)
	if err != nil {
		fmt.Fprintln(stderr, "hakui: backup written but its audit chain fails:", err)
		return 1
	}
	fmt.Fprintf(stdout, "backup written to %s in %s; integrity ok; audit chain ok (%d entries)\n", *to, time.Since(start).Round(time.Millisecond), n)
	fmt.Fprintln(stdout, "鍵ファイル (keys.txt) も別の場所に保管してください。暗号化された項目の復号に必要です。")
	return 0
}

func runAudit(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "verify" {
		fmt.Fprintln(stderr, "使い方: hakui audit verify [--db …]")
		return 2
	}
	fs := flag.NewFlagSet("audit verify", flag.ContinueOnError)
	var f dbFlags
	f.register(fs)
	if !parse(fs, args[1:], stderr) {
		return 2
	}
	db, err := sqlstore.Open(ctx, f.db)
	if err != nil {
		fmt.Fprintln(stderr, "hakui:", err)
		return 1
	}
	defer db.Close()
	n, err := audit.Verify(ctx, db)
	var brk *audit.BreakError
	switch {
	case errors.As(err, &brk):
		fmt.Fprintf(stdout, "audit chain BROKEN after %d good entries: %v\n", n, brk)
		return 1
	case err != nil:
		fmt.Fprintln(stderr, "hakui:", err)
		return 1
	}
	fmt.Fprintf(stdout, "audit chain ok: %d entries\n", n)
	return 0
}

func runVersion(stdout io.Writer) int {
	v := app.Version
	if info, ok := debug.ReadBuildInfo(); ok && v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	fmt.Fprintf(stdout, "hakui %s (%s, %s/%s)\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}

func runBenchSearch(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench search", flag.ContinueOnError)
	n := fs.Int("openings", 100_000, "number of synthetic openings")
	runs := fs.Int("runs", 50, "timed runs per query")
	pg := fs.String("postgres", env("BENCH_POSTGRES", ""), "also run on this PostgreSQL DSN, in a fresh schema (HAKUI_BENCH_POSTGRES)")
	if !parse(fs, args, stderr) {
		return 2
	}
	if *n < 1 || *n > 2_000_000 || *runs < 1 {
		fmt.Fprintln(stderr, "hakui bench search: --openings must be 1–2,000,000 and --runs at least 1")
		return 2
	}
	if err := bench.Search(context.Background(), bench.SearchConfig{Openings: *n, Runs: *runs, Postgres: *pg, Out: stdout}); err != nil {
		fmt.Fprintln(stderr, "hakui bench search:", err)
		return 1
	}
	return 0
}
