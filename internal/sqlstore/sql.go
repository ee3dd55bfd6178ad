package sqlstore

import (
	"strconv"
	"strings"
)

func itoa(n int) string { return strconv.Itoa(n) }

// escapeLike escapes LIKE wildcards; both engines use backslash by default
// only with an ESCAPE clause, so callers pass patterns through here and
// queries that need literal % or _ should add ESCAPE '\'.
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
