package jatext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Free-text search over Japanese and latin text, the same on SQLite (FTS5)
// and PostgreSQL (tsvector), with no word segmenter.
//
// Text is folded (Fold) and cut into segments: a word is a run of ASCII
// letters and digits ("mri", "2000"); a run is a run of other letters,
// digits and marks (kanji, kana, Greek, accented latin); everything else
// (spaces, punctuation, symbols) separates. A word is one token. A run gives
// its overlapping character bigrams and then a closing unigram of its last
// character: 皮膚科医 → 皮膚 膚科 科医 医.
//
// A query term is searched as a phrase of its tokens, so it matches exactly
// where its token sequence occurs in the document: any substring of a run
// matches, and a word matches whole words. The query leaves out the
// closing unigram of its last run (the document may go on: 内科 matches
// 内科医) and keeps those of earlier runs, which mark the run's end. A last
// run of one character is a prefix token: it matches that character's
// unigram and every bigram starting with it, so 科 finds 内科 and 科目.
//
// Tokens are written in the alphabet [a-z0-9] so that no engine's parser
// can split, drop or interpret them: a run token is "x" and the hex code of
// each character (4 digits, or "g" and 5 digits beyond the BMP), and a word
// beginning with "x" gets another "x" in front, so the two kinds never
// collide. 内科 → x518579d1; xray → xxray.
//
// MatchText and Term.Needle express the same matching as a plain substring
// test (instr, strpos), for checking a row without the index.

// Limits on a parsed query.
const (
	// MaxQueryTerms is the number of terms ParseQuery keeps.
	MaxQueryTerms = 8
	// MaxTermRunes is the length at which ParseQuery cuts a term.
	MaxTermRunes = 64
	// maxWordBytes is the length at which words are cut, in documents and
	// queries alike, well inside PostgreSQL's 2047 bytes per lexeme.
	maxWordBytes = 64
)

// fieldBreak separates fields in IndexText. No query produces it (run
// tokens are longer, words starting with x are doubled), so no phrase
// spans two fields. MatchText separates fields with "|", which no needle
// contains.
const fieldBreak = "x"

// Fold returns s normalised for search: NFKC (full-width latin and digits,
// half-width katakana), lower case, hiragana as katakana (かんさつ = カンサツ),
// and ヶ ヵ as ケ カ (霞ヶ関 = 霞ケ関). The result is composed again (NFC), as
// folding can make a pair composable (ヶ and a voiced mark become ゲ).
func Fold(s string) string {
	return norm.NFC.String(strings.Map(foldRune, Normalize(s)))
}

func foldRune(r rune) rune {
	switch {
	case r >= 'ぁ' && r <= 'ゖ', r == 'ゝ' || r == 'ゞ':
		r += 'ァ' - 'ぁ'
	}
	switch r {
	case 'ヶ':
		return 'ケ'
	case 'ヵ':
		return 'カ'
	}
	return unicode.ToLower(r)
}

// SearchTokens returns the distinct tokens of text in order of first
// appearance.
func SearchTokens(text string) []string {
	toks, _ := appendTokens(nil, Fold(text), false)
	seen := make(map[string]bool, len(toks))
	out := toks[:0]
	for _, t := range toks {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

// IndexText returns what the full-text index stores for a document made of
// fields: its tokens, space-separated, in order (phrases need positions),
// with a break between fields.
func IndexText(fields ...string) string {
	var b strings.Builder
	var toks []string
	for _, f := range fields {
		toks, _ = appendTokens(toks[:0], Fold(f), false)
		if len(toks) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" " + fieldBreak + " ")
		}
		for i, t := range toks {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(t)
		}
	}
	return b.String()
}

// MatchText returns a document made of fields as its segments, each
// between single spaces, with "|" between fields: " 内科医 | mri ". A term
// matches the document exactly when the text contains the term's Needle,
// so a row can be checked with instr (SQLite) or strpos (PostgreSQL)
// without the index. It is about a third of IndexText's size.
func MatchText(fields ...string) string {
	var b strings.Builder
	for _, f := range fields {
		var segs []string
		eachSegment(Fold(f), func(seg string, _ bool) { segs = append(segs, seg) })
		if len(segs) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('|')
		}
		b.WriteString(" " + strings.Join(segs, " ") + " ")
	}
	return b.String()
}

// Query is a parsed free-text query: a document matches when it matches
// every term.
type Query struct {
	Terms []Term
}

// Term is one word or quoted phrase of a query.
type Term struct {
	// Text is the folded text of the term, for display and logs.
	Text string
	// Tokens must occur consecutively in the document.
	Tokens []string
	// Prefix makes the last token match every token it begins: the term
	// ends in a single kanji or kana.
	Prefix bool
}

// ParseQuery parses what a user typed into the search box. Terms are
// separated by white space (the full-width space too); "double quotes"
// keep a phrase together. Terms without tokens (punctuation only) and
// repeated terms are dropped; at most MaxQueryTerms terms of at most
// MaxTermRunes characters are kept.
func ParseQuery(q string) Query {
	var query Query
	seen := map[string]bool{}
	for _, raw := range splitQuery(Normalize(q)) {
		text := strings.Join(strings.Fields(Fold(raw)), " ")
		if utf8.RuneCountInString(text) > MaxTermRunes {
			text = string([]rune(text)[:MaxTermRunes])
		}
		toks, prefix := appendTokens(nil, text, true)
		if len(toks) == 0 {
			continue
		}
		key := strings.Join(toks, " ")
		if prefix {
			key += "*"
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		query.Terms = append(query.Terms, Term{Text: text, Tokens: toks, Prefix: prefix})
		if len(query.Terms) == MaxQueryTerms {
			break
		}
	}
	return query
}

// splitQuery splits s on white space, keeping "quoted phrases" whole; an
// unclosed quote runs to the end.
func splitQuery(s string) []string {
	var terms []string
	for s != "" {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			break
		}
		if s[0] == '"' {
			s = s[1:]
			end := strings.IndexByte(s, '"')
			if end < 0 {
				end = len(s)
			}
			terms = append(terms, s[:end])
			s = s[min(end+1, len(s)):]
			continue
		}
		end := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
		if end < 0 {
			end = len(s)
		}
		terms = append(terms, s[:end])
		s = s[end:]
	}
	return terms
}

// Empty reports whether q has no terms: it matches everything, and the
// engines' expressions must not be used.
func (q Query) Empty() bool { return len(q.Terms) == 0 }

// FTS5 returns q as an SQLite FTS5 query: each term a quoted phrase, terms
// joined with AND. Tokens are [a-z0-9] only, so nothing in the user's
// input can become FTS5 syntax. It can be put in a column filter:
// "col : (" + q.FTS5() + ")".
func (q Query) FTS5() string {
	var b strings.Builder
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(`"` + strings.Join(t.Tokens, " ") + `"`)
		if t.Prefix {
			b.WriteByte('*')
		}
	}
	return b.String()
}

// TSQuery returns q for PostgreSQL's to_tsquery('simple', …): each term a
// phrase of <-> (the last token :* for a prefix), terms joined with &.
// Tokens are [a-z0-9] only, so nothing in the user's input can become
// tsquery syntax.
func (q Query) TSQuery() string {
	var b strings.Builder
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteString(" & ")
		}
		if len(t.Tokens) > 1 {
			b.WriteByte('(')
		}
		b.WriteString(strings.Join(t.Tokens, " <-> "))
		if t.Prefix {
			b.WriteString(":*")
		}
		if len(t.Tokens) > 1 {
			b.WriteByte(')')
		}
	}
	return b.String()
}

// TSQueryTokens returns every token of q joined with & (the last of a
// prefix term with :*), for to_tsquery('simple', …). It matches a superset
// of TSQuery, but a GIN index answers it without rechecking rows (no
// positions to compare); with every term's Needle checked on the row's
// MatchText the result is exact again, and cheaper than phrases.
func (q Query) TSQueryTokens() string {
	var b strings.Builder
	for _, t := range q.Terms {
		for j, tok := range t.Tokens {
			if b.Len() > 0 {
				b.WriteString(" & ")
			}
			b.WriteString(tok)
			if t.Prefix && j == len(t.Tokens)-1 {
				b.WriteString(":*")
			}
		}
	}
	return b.String()
}

// Needle returns what MatchText contains exactly where the term matches:
// its segments between single spaces, with a space before a leading word
// and after a trailing one (words match whole), none at a run's open end.
func (t Term) Needle() string {
	var b strings.Builder
	last := false
	eachSegment(t.Text, func(seg string, word bool) {
		if b.Len() > 0 || word {
			b.WriteByte(' ')
		}
		b.WriteString(seg)
		last = word
	})
	if last {
		b.WriteByte(' ')
	}
	return b.String()
}

// Matches reports whether a document made of fields matches q, exactly as
// the index matches the document's IndexText. Fields are folded here. It
// serves tests and lists too small for an index.
func (q Query) Matches(fields ...string) bool {
	var docs [][]string
	for _, f := range fields {
		if toks, _ := appendTokens(nil, Fold(f), false); len(toks) > 0 {
			docs = append(docs, toks)
		}
	}
	for _, t := range q.Terms {
		found := false
		for _, doc := range docs {
			if found = t.occursIn(doc); found {
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (t Term) occursIn(doc []string) bool {
	n := len(t.Tokens)
next:
	for i := 0; i+n <= len(doc); i++ {
		for j, tok := range t.Tokens {
			d := doc[i+j]
			if d != tok && !(t.Prefix && j == n-1 && strings.HasPrefix(d, tok)) {
				continue next
			}
		}
		return true
	}
	return false
}

// eachSegment calls fn with each word (cut at maxWordBytes) and run of
// folded text s.
func eachSegment(s string, fn func(seg string, word bool)) {
	runStart := -1
	for i := 0; i < len(s); {
		if isASCIIAlnum(s[i]) {
			if runStart >= 0 {
				fn(s[runStart:i], false)
				runStart = -1
			}
			j := i + 1
			for j < len(s) && isASCIIAlnum(s[j]) {
				j++
			}
			fn(s[i:min(j, i+maxWordBytes)], true)
			i = j
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsNumber(r) || unicode.IsMark(r)) {
			if runStart < 0 {
				runStart = i
			}
		} else if runStart >= 0 {
			fn(s[runStart:i], false)
			runStart = -1
		}
		i += size
	}
	if runStart >= 0 {
		fn(s[runStart:], false)
	}
}

// appendTokens appends the tokens of folded text s to dst. For a query
// term (query), the closing unigram of the last run is left out, or, when
// that run is one character, kept and reported as a prefix.
func appendTokens(dst []string, s string, query bool) (toks []string, prefix bool) {
	lastRun := 0 // characters in the last segment if it was a run
	var runes []rune
	eachSegment(s, func(seg string, word bool) {
		if word {
			if seg[0] == 'x' {
				seg = "x" + seg
			}
			dst = append(dst, seg)
			lastRun = 0
			return
		}
		runes = append(runes[:0], []rune(seg)...)
		for i := 0; i+1 < len(runes); i++ {
			dst = append(dst, runToken(runes[i:i+2]))
		}
		dst = append(dst, runToken(runes[len(runes)-1:]))
		lastRun = len(runes)
	})
	switch {
	case !query || lastRun == 0:
	case lastRun == 1:
		prefix = true
	default:
		dst = dst[:len(dst)-1]
	}
	return dst, prefix
}

func isASCIIAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}

// runToken codes one or two characters of a run.
func runToken(rs []rune) string {
	const hex = "0123456789abcdef"
	b := make([]byte, 1, 13)
	b[0] = 'x'
	for _, r := range rs {
		if r < 0x10000 {
			b = append(b, hex[r>>12], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
			continue
		}
		r -= 0x10000
		b = append(b, 'g', hex[r>>16], hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
	}
	return string(b)
}
