// Package matchcli implements the "hakui match" and "hakui bench match"
// commands over package match: flags, files, messages and exit codes. It
// lives apart from cmd/hakui so that tests can run the commands directly.
package matchcli

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/hakui-dev/hakui/internal/match"
)

// Exit statuses.
const (
	ExitOK      = 0
	ExitFailed  = 1 // verification failed, or a file could not be read or written
	ExitInvalid = 2 // the input or the command line is invalid
)

const matchUsage = `usage: hakui match [--mechanism da|jrmp|fda] [--in FILE|-] [--out FILE|-] [--verify] [--explain DOCTOR [--json]]

Reads a matching problem (JSON), runs the mechanism and writes the matching
(JSON). With --explain, writes why the doctor did not get the programs they
ranked above their match instead. With --verify, checks the result and
reports on standard error; blocking pairs make the exit status 1.
Invalid input exits with status 2, naming every problem.

`

// Run runs "hakui match" with args (the words after "match") and returns
// the exit status.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := newFlagSet(stderr, "hakui match", matchUsage)
	mech := fs.String("mechanism", "", "`mechanism`: da, jrmp or fda (overrides the input's \"mechanism\")")
	inPath := fs.String("in", "-", "read the problem from `FILE` (- for standard input)")
	outPath := fs.String("out", "-", "write the result to `FILE` (- for standard output)")
	verify := fs.Bool("verify", false, "check feasibility and stability; report on standard error")
	explain := fs.String("explain", "", "explain the result of `DOCTOR` (an id) instead of writing the matching")
	asJSON := fs.Bool("json", false, "write the explanation as JSON")
	if code, ok := parse(fs, args, stderr); !ok {
		return code
	}

	in, code := readInput(*inPath, stdin, stderr)
	if in == nil {
		return code
	}
	if *mech != "" {
		in.Mechanism = match.Mechanism(*mech)
	}
	if in.Mechanism == "" {
		fmt.Fprintln(stderr, `hakui match: no mechanism: set --mechanism or the input's "mechanism" (da, jrmp or fda)`)
		return ExitInvalid
	}
	x, err := match.NewInstance(in)
	if err != nil {
		return invalid(stderr, err)
	}
	res, err := x.Solve(in.Mechanism)
	if err != nil {
		return invalid(stderr, err)
	}

	write := func(w io.Writer) error { return res.Output().Encode(w) }
	if *explain != "" {
		e, err := res.Explain(*explain)
		if err != nil {
			fmt.Fprintf(stderr, "hakui match: --explain: %v\n", err)
			return ExitInvalid
		}
		write = func(w io.Writer) error {
			if *asJSON {
				return e.Encode(w)
			}
			return e.WriteText(w, 20)
		}
	}
	if err := writeOutput(*outPath, stdout, write); err != nil {
		fmt.Fprintf(stderr, "hakui match: %v\n", err)
		return ExitFailed
	}
	if *verify {
		rep := res.Verify()
		if err := rep.WriteText(stderr, 100); err != nil || !rep.OK() {
			return ExitFailed
		}
	}
	return ExitOK
}

func newFlagSet(stderr io.Writer, name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses the flags; when it reports false, the command exits with
// the code it returns (0 for -h).
func parse(fs *flag.FlagSet, args []string, stderr io.Writer) (int, bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK, false
		}
		return ExitInvalid, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return ExitInvalid, false
	}
	return ExitOK, true
}

// invalid prints every problem of a validation error on its own line.
func invalid(stderr io.Writer, err error) int {
	var ve *match.ValidationError
	if errors.As(err, &ve) {
		for _, p := range ve.Problems {
			fmt.Fprintf(stderr, "hakui match: %s\n", p)
		}
	} else {
		fmt.Fprintf(stderr, "hakui match: %v\n", err)
	}
	return ExitInvalid
}

func readInput(path string, stdin io.Reader, stderr io.Writer) (*match.Input, int) {
	r := stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintf(stderr, "hakui match: %v\n", err)
			return nil, ExitFailed
		}
		defer f.Close()
		r = f
	}
	in, err := match.Decode(bufio.NewReaderSize(r, 1<<16))
	if err != nil {
		fmt.Fprintf(stderr, "hakui match: invalid input: %v\n", err)
		return nil, ExitInvalid
	}
	return in, ExitOK
}

// writeOutput writes to stdout, or to a file it creates only now, after
// the work succeeded, so an invalid run never clobbers an earlier result.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	if err := write(bw); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
