// Command hakui runs the Hakui career platform and its operations tools.
//
//	hakui serve [--addr 127.0.0.1:8080] [--db sqlite:PATH | --db postgres://...] [--demo]
//	hakui migrate [--status]
//	hakui user create|list|reset-password ...
//	hakui backup --to FILE
//	hakui audit verify
//	hakui keys list|rotate
//	hakui match [--mechanism da|jrmp|fda] [--in FILE] [--out FILE] [--verify] [--explain DOCTOR]
//	hakui bench match --scale jrmp|nrmp
//	hakui version
//
// Every flag can also be set with an environment variable: --db is
// HAKUI_DB, --addr is HAKUI_ADDR, and so on.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `使い方: hakui <command> [flags]

Commands:
  serve      Hakui を起動する (--demo でデモデータ付き)
  migrate    データベースを最新のスキーマにする
  user       アカウントを作成・一覧・パスワード再発行する
  backup     SQLite の一貫したスナップショットを作る
  audit      監査ログの改ざん検知 (audit verify)
  keys       暗号鍵の一覧とローテーション (keys list, keys rotate)
  match      安定マッチング (da, jrmp, fda) を実行・検証・説明する
  bench      性能を測る (bench match)
  version    バージョンを表示する

各コマンドの詳細: hakui <command> -h
`

// run executes one command and returns the exit status: 0 success, 1
// failure, 2 bad usage or input.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	cmd, rest := args[0], args[1:]
	switch cmd {
	case "serve":
		return runServe(ctx, rest, stdout, stderr)
	case "migrate":
		return runMigrate(ctx, rest, stdout, stderr)
	case "user":
		return runUser(ctx, rest, stdout, stderr)
	case "backup":
		return runBackup(ctx, rest, stdout, stderr)
	case "audit":
		return runAudit(ctx, rest, stdout, stderr)
	case "keys":
		return runKeys(ctx, rest, stdout, stderr)
	case "match":
		return runMatch(rest, stdin, stdout, stderr)
	case "bench":
		return runBench(rest, stdout, stderr)
	case "version":
		return runVersion(stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "hakui: unknown command %q\n\n%s", cmd, usage)
	return 2
}

func runBench(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "使い方: hakui bench match --scale jrmp|nrmp | hakui bench search --openings N [--postgres DSN]")
		return 2
	}
	switch args[0] {
	case "match":
		return runBenchMatch(args[1:], stdout, stderr)
	case "search":
		return runBenchSearch(args[1:], stdout, stderr)
	}
	fmt.Fprintf(stderr, "hakui bench: unknown benchmark %q (known: match, search)\n", args[0])
	return 2
}
