package matchcli

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/match/matchgen"
)

const benchUsage = `usage: hakui bench match --scale jrmp|nrmp [--seed N] [--runs N] [--procs N] [--emit FILE]

Generates an instance at the scale of Japan's residency match (jrmp: 10,000
doctors, 1,400 programs, about 5 ranks each, 47 prefectures) or of the US
match (nrmp: 50,000 doctors, 6,400 programs, 12 ranks each, with the same 47
capped prefectures added), then times parsing, each mechanism, writing, and
the whole "hakui match" command, and reports the peak memory.

`

// The performance targets at the nrmp scale.
const (
	solveBudget  = 100 * time.Millisecond
	wholeBudget  = time.Second
	memoryBudget = 300 << 20
)

// Bench runs "hakui bench match" with args (the words after "match") and
// returns the exit status.
func Bench(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet(stderr, "hakui bench match", benchUsage)
	scale := fs.String("scale", "", "instance `scale`: jrmp or nrmp")
	seed := fs.Uint64("seed", 1, "generator seed")
	runs := fs.Int("runs", 5, "time each step this many times and report the median")
	procs := fs.Int("procs", 1, "GOMAXPROCS while measuring (the targets are for one core)")
	emit := fs.String("emit", "", "also write the generated instance to `FILE`")
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}
	cfg, err := matchgen.ForScale(*scale, *seed)
	if err != nil {
		fmt.Fprintf(stderr, "hakui bench match: %v\n", err)
		fs.Usage()
		return ExitInvalid
	}
	if *runs < 1 || *procs < 1 {
		fmt.Fprintln(stderr, "hakui bench match: --runs and --procs must be at least 1")
		return ExitInvalid
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(*procs))

	out := &errWriter{w: stdout}
	out.printf("hakui bench match: scale %s, seed %d, GOMAXPROCS %d, %s %s/%s%s\n",
		*scale, *seed, *procs, runtime.Version(), runtime.GOOS, runtime.GOARCH, cpuModel())

	start := time.Now()
	in, err := matchgen.Generate(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "hakui bench match: %v\n", err)
		return ExitFailed
	}
	genTime := time.Since(start)
	data, err := json.Marshal(in)
	if err != nil {
		fmt.Fprintf(stderr, "hakui bench match: %v\n", err)
		return ExitFailed
	}
	if *emit != "" {
		if err := os.WriteFile(*emit, data, 0o644); err != nil {
			fmt.Fprintf(stderr, "hakui bench match: %v\n", err)
			return ExitFailed
		}
	}
	dRanks, pRanks, seats, capped := 0, 0, 0, 0
	for _, d := range in.Doctors {
		dRanks += len(d.Ranking)
	}
	for _, p := range in.Programs {
		pRanks += len(p.Ranking)
		seats += p.Capacity
	}
	capped = cfg.CappedRegions
	out.printf("instance: %d doctors, %d programs, %d regions (%d capped below their capacity); %d doctor ranks, %d program ranks; %d seats; JSON %.1f MB\n",
		len(in.Doctors), len(in.Programs), len(in.Regions), capped, dRanks, pRanks, seats, mb(len(data)))
	out.printf("%-22s %9s  (not part of the command)\n", "generate", ms(genTime))
	in = nil // let the generator's instance go before measuring

	var parsed *match.Input
	parseTime := median(*runs, func() {
		parsed, err = match.Decode(bytes.NewReader(data))
	})
	if err != nil {
		fmt.Fprintf(stderr, "hakui bench match: %v\n", err)
		return ExitFailed
	}
	out.printf("%-22s %9s  median of %d\n", "parse (decode JSON)", ms(parseTime), *runs)
	var x *match.Instance
	prep := median(*runs, func() { x, err = match.NewInstance(parsed) })
	if err != nil {
		fmt.Fprintf(stderr, "hakui bench match: %v\n", err)
		return ExitFailed
	}
	out.printf("%-22s %9s  validate, index, targets\n", "prepare", ms(prep))

	ok := true
	mechs := []match.Mechanism{match.DA, match.JRMP, match.FDA}
	for _, m := range mechs {
		var res *match.Result
		solve := median(*runs, func() { res, _ = x.Solve(m) })
		o := res.Output()
		over := 0
		for _, r := range o.Regions {
			if r.Filled > r.Cap {
				over++
			}
		}
		out.printf("%-22s %9s  median of %d; %d matched, %d unmatched, %d regions over their cap\n",
			"solve "+string(m), ms(solve), *runs, len(o.Matches), len(o.Unmatched), over)
		ok = check(out, ok, solve <= solveBudget, "solve %s within %s", m, solveBudget)
		var buf bytes.Buffer
		write := median(*runs, func() {
			buf.Reset()
			err = o.Encode(&buf)
		})
		var rep *match.Report
		verify := median(1, func() { rep = res.Verify() })
		out.printf("%-22s %9s  output %.1f MB; verify %s: %s, %d blocking pairs\n",
			"write "+string(m), ms(write), mb(buf.Len()), ms(verify), map[bool]string{true: "ok", false: "FAILED"}[rep.OK()], len(rep.BlockingPairs))
		ok = ok && err == nil && rep.OK()
	}
	for _, m := range mechs {
		code := ExitOK
		whole := median(*runs, func() {
			code = Run([]string{"--mechanism", string(m)}, bytes.NewReader(data), io.Discard, io.Discard)
		})
		out.printf("%-22s %9s  median of %d: hakui match --mechanism %s (parse, prepare, solve, write)\n",
			"whole command "+string(m), ms(whole), *runs, m)
		ok = check(out, ok, whole <= wholeBudget && code == ExitOK, "whole command %s within %s", m, wholeBudget)
	}

	var mem runtime.MemStats
	runtime.ReadMemStats(&mem)
	hwm := vmHWM()
	out.printf("memory: peak RSS (VmHWM) %s; Go runtime Sys %.1f MB, total allocated %.1f MB, %d GCs\n",
		hwmString(hwm), mb(int(mem.Sys)), mb(int(mem.TotalAlloc)), mem.NumGC)
	out.printf("        the peak covers this whole process: generator, JSON text and %d runs of each step\n", *runs)
	if hwm > 0 {
		ok = check(out, ok, hwm <= memoryBudget, "peak memory within %d MB", memoryBudget>>20)
	}
	if out.err != nil {
		return ExitFailed
	}
	if !ok {
		return ExitFailed
	}
	return ExitOK
}

// check prints a target that was missed and folds it into ok.
func check(out *errWriter, ok, met bool, format string, args ...any) bool {
	if !met {
		out.printf("MISSED: "+format+"\n", args...)
	}
	return ok && met
}

// median runs f n times after a garbage collection each and returns the
// median duration.
func median(n int, f func()) time.Duration {
	d := make([]time.Duration, n)
	for i := range d {
		runtime.GC()
		start := time.Now()
		f()
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return d[n/2]
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d.Microseconds())/1000, 'f', 1, 64) + " ms"
}

func mb(n int) float64 {
	return float64(n) / (1 << 20)
}

// vmHWM returns the process's peak resident set size in bytes on Linux, or
// 0 where it is not known.
func vmHWM() int {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			if err == nil {
				return kb << 10
			}
		}
	}
	return 0
}

func hwmString(n int) string {
	if n == 0 {
		return "unknown"
	}
	return fmt.Sprintf("%.1f MB", mb(n))
}

func cpuModel() string {
	data, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "model name"); ok {
			return ", " + strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
		}
	}
	return ""
}

// errWriter keeps the first write error.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
