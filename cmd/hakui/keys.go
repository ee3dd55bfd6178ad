package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/vault"
)

const keysHelp = `使い方: hakui keys list [--db …] [--keys FILE]
       hakui keys rotate [--db …] [--keys FILE] [--batch N] [--new-key]

list    鍵ファイルの鍵と、各鍵で暗号化されている値の件数を表示する
rotate  新しい鍵を鍵ファイルに追加して現在の鍵にし、暗号化されたすべての値を
        新しい鍵で暗号化し直す。中断しても、もう一度実行すれば続きから再開する
        (古い鍵で残っている値があれば、鍵を追加せずにその再暗号化を続ける;
        --new-key で必ず新しい鍵を追加する)。
        サーバーは起動時に鍵を読み込むため、停止してから実行し、終わったら起動する。
        古い鍵は鍵ファイルに残る。その鍵で暗号化されたバックアップがある間は削除しないこと。
`

func runKeys(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "list" && args[0] != "rotate") {
		fmt.Fprint(stderr, keysHelp)
		return 2
	}
	sub := args[0]
	fs := flag.NewFlagSet("keys "+sub, flag.ContinueOnError)
	var f dbFlags
	f.register(fs)
	batch := fs.Int("batch", 200, "values re-encrypted per transaction (rotate)")
	newKey := fs.Bool("new-key", false, "always add a new key, even when an earlier rotation is unfinished (rotate)")
	if !parse(fs, args[1:], stderr) {
		return 2
	}
	if *batch < 1 || *batch > 10000 {
		fmt.Fprintln(stderr, "hakui keys: --batch must be 1–10000")
		return 2
	}
	path := f.keysFile()
	keys, err := loadKeys(path)
	if err != nil {
		fmt.Fprintln(stderr, "hakui keys:", err)
		return 1
	}
	db, err := sqlstore.Open(ctx, f.db)
	if err != nil {
		fmt.Fprintln(stderr, "hakui:", err)
		return 1
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		fmt.Fprintln(stderr, "hakui: migrate:", err)
		return 1
	}
	counts, err := db.SealedKeyCounts(ctx)
	if err != nil {
		fmt.Fprintln(stderr, "hakui keys:", err)
		return 1
	}
	if sub == "list" {
		printKeys(stdout, keys, counts)
		if missing := missingKeys(keys, counts); len(missing) > 0 {
			fmt.Fprintf(stderr, "hakui keys: values are sealed with keys missing from %s: %s\n", path, strings.Join(missing, ", "))
			return 1
		}
		return 0
	}
	return rotate(ctx, db, path, keys, counts, *batch, *newKey, stdout, stderr)
}

// rotate adds a key unless an earlier rotation is unfinished, then
// re-encrypts every value with the current key.
func rotate(ctx context.Context, db *sqlstore.DB, path string, keys *vault.Keyring, counts []sqlstore.KeyCount, batch int, newKey bool,
	stdout, stderr io.Writer) int {
	// Check first that every value opens, before anything changes.
	if missing := missingKeys(keys, counts); len(missing) > 0 {
		fmt.Fprintf(stderr, "hakui keys rotate: values are sealed with keys missing from %s: %s; restore them before rotating\n",
			path, strings.Join(missing, ", "))
		return 1
	}
	var pending int64
	for _, c := range counts {
		if c.KeyID != keys.Current() {
			pending += c.Count
		}
	}
	if pending > 0 && !newKey {
		fmt.Fprintf(stdout, "%d values are not yet sealed with the current key %s: continuing that rotation (no new key; --new-key adds one)\n",
			pending, keys.Current())
	} else {
		id, err := appendKey(path, keys, time.Now())
		if err != nil {
			fmt.Fprintln(stderr, "hakui keys rotate:", err)
			return 1
		}
		if keys, err = loadKeys(path); err != nil || keys.Current() != id {
			fmt.Fprintf(stderr, "hakui keys rotate: %s does not read back with the new key %s current: %v\n", path, id, err)
			return 1
		}
		fmt.Fprintf(stdout, "added key %s to %s; it is now the current key\n", id, path)
	}
	start := time.Now()
	results, err := db.Reseal(ctx, keys, batch, nil)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "COLUMN\tRESEALED\tSKIPPED\tFAILED")
	var resealed, skipped, failed int
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\n", r.Column, r.Resealed, r.Skipped, r.Failed)
		resealed, skipped, failed = resealed+r.Resealed, skipped+r.Skipped, failed+r.Failed
	}
	tw.Flush()
	if err != nil {
		fmt.Fprintln(stderr, "hakui keys rotate:", err, "(run the command again to continue)")
		return 1
	}
	fmt.Fprintf(stdout, "resealed %d values with key %s in %s\n", resealed, keys.Current(), time.Since(start).Round(time.Millisecond))
	for _, r := range results {
		if r.Failed > 0 {
			fmt.Fprintf(stderr, "hakui keys rotate: %s: %d values do not open (rows %v); they were left as they are\n", r.Column, r.Failed, r.FailedIDs)
		}
	}
	if skipped > 0 {
		fmt.Fprintf(stdout, "%d values changed meanwhile and were skipped; run the command again to reseal them\n", skipped)
	}
	if counts, err := db.SealedKeyCounts(ctx); err == nil {
		printKeys(stdout, keys, counts)
	}
	fmt.Fprintln(stdout, "サーバーを起動(再起動)して新しい鍵を読み込んでください。古い鍵は、その鍵で暗号化されたバックアップがある間は鍵ファイルから削除しないでください。")
	if failed > 0 {
		return 1
	}
	return 0
}

// loadKeys reads an existing key file; unlike the server, it never
// creates one.
func loadKeys(path string) (*vault.Keyring, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no key file at %s (set --keys or HAKUI_KEYS)", path)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return vault.Parse(f)
}

// appendKey appends a fresh key line to the key file and flushes it to
// disk, so that the key exists before any value is sealed with it. The old
// keys stay. It returns the new key's ID.
func appendKey(path string, keys *vault.Keyring, now time.Time) (string, error) {
	var line string
	for {
		l, err := vault.NewKeyLine(now)
		if err != nil {
			return "", err
		}
		id, _, _ := strings.Cut(l, " ")
		if !slices.Contains(keys.IDs(), id) {
			line = l
			break
		}
		now = now.Add(time.Second) // IDs have a resolution of one second
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	if len(content) > 0 && !bytes.HasSuffix(content, []byte("\n")) {
		line = "\n" + line
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString("# added by hakui keys rotate on " + now.UTC().Format(time.RFC3339) + "\n" + line); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	id, _, _ := strings.Cut(strings.TrimSpace(line), " ")
	return id, nil
}

// missingKeys returns the key IDs that seal values but are not in keys.
func missingKeys(keys *vault.Keyring, counts []sqlstore.KeyCount) []string {
	var missing []string
	for _, c := range counts {
		if !slices.Contains(keys.IDs(), c.KeyID) && !slices.Contains(missing, c.KeyID) {
			missing = append(missing, c.KeyID)
		}
	}
	return missing
}

// printKeys shows each key of the file, the current one marked, with the
// number of values it seals, then the counts per column.
func printKeys(w io.Writer, keys *vault.Keyring, counts []sqlstore.KeyCount) {
	total := map[string]int64{}
	for _, c := range counts {
		total[c.KeyID] += c.Count
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tCURRENT\tVALUES")
	for _, id := range keys.IDs() {
		current := ""
		if id == keys.Current() {
			current = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\n", id, current, total[id])
	}
	for _, id := range missingKeys(keys, counts) {
		fmt.Fprintf(tw, "%s\tMISSING\t%d\n", id, total[id])
	}
	tw.Flush()
	if len(counts) > 0 {
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "COLUMN\tKEY\tVALUES")
		for _, c := range counts {
			fmt.Fprintf(tw, "%s\t%s\t%d\n", c.Column, c.KeyID, c.Count)
		}
		tw.Flush()
	}
}
