package main

import (
	"io"

	"github.com/hakui-dev/hakui/internal/match/matchcli"
)

// runMatch runs "hakui match"; args are the words after "match". It returns
// the exit status: 0 ok, 1 verification failed or a file error, 2 invalid
// input or usage.
func runMatch(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return matchcli.Run(args, stdin, stdout, stderr)
}

// runBenchMatch runs "hakui bench match"; args are the words after "match",
// such as ["--scale", "nrmp"].
func runBenchMatch(args []string, stdout, stderr io.Writer) int {
	return matchcli.Bench(args, stdout, stderr)
}
