package jatext

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// readable decodes tokens for test tables: run tokens back to their
// characters, doubled-x words back to the word.
func readable(tb testing.TB, toks []string) []string {
	tb.Helper()
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = decodeToken(tb, t)
	}
	return out
}

func decodeToken(tb testing.TB, t string) string {
	tb.Helper()
	if !strings.HasPrefix(t, "x") || strings.HasPrefix(t, "xx") {
		return strings.TrimPrefix(t, "x")
	}
	var b strings.Builder
	for s := t[1:]; s != ""; {
		width, offset := 4, rune(0)
		if s[0] == 'g' {
			s, width, offset = s[1:], 5, 0x10000
		}
		if len(s) < width {
			tb.Fatalf("bad token %q", t)
		}
		r, err := strconv.ParseUint(s[:width], 16, 32)
		if err != nil {
			tb.Fatalf("bad token %q: %v", t, err)
		}
		b.WriteRune(rune(r) + offset)
		s = s[width:]
	}
	return b.String()
}

func TestSearchTokens(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"two kanji", "内科", []string{"内科", "科"}},
		{"bigrams then closing unigram", "皮膚科医", []string{"皮膚", "膚科", "科医", "医"}},
		{"single kanji", "内", []string{"内"}},
		{"latin word then kanji", "MRI検査", []string{"mri", "検査", "査"}},
		{"full-width latin", "ＭＲＩ", []string{"mri"}},
		{"half-width katakana", "ｶﾀｶﾅ", []string{"カタ", "タカ", "カナ", "ナ"}},
		{"hiragana folded to katakana", "かたかな", []string{"カタ", "タカ", "カナ", "ナ"}},
		{"ヶ folded", "霞ヶ関", []string{"霞ケ", "ケ関", "関"}},
		{"punctuation separates", "COVID-19・発熱外来", []string{"covid", "19", "発熱", "熱外", "外来", "来"}},
		{"numbers in full width", "時給１０，０００円", []string{"時給", "給", "10", "000", "円"}},
		{"x words are doubled", "X線 xray", []string{"x", "線", "xray"}},
		{"beyond the BMP", "𠮷野家", []string{"𠮷野", "野家", "家"}},
		{"greek letters form a run", "β遮断薬", []string{"β遮", "遮断", "断薬", "薬"}},
		{"duplicates removed, first order kept", "内科 外科 内科", []string{"内科", "科", "外科"}},
		{"punctuation only", "【】・！？", []string{}},
		{"empty", "", []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readable(t, SearchTokens(tt.in))
			if !slices.Equal(got, tt.want) {
				t.Errorf("SearchTokens(%q) (-want +got):\n- %q\n+ %q", tt.in, tt.want, got)
			}
		})
	}
}

func TestTokenAlphabet(t *testing.T) {
	for _, tok := range SearchTokens("内科 ＭＲＩ xray 𠮷 β ｶﾞ ２０２６年 Ünïcödé") {
		if !tokenRE.MatchString(tok) {
			t.Errorf("token %q is outside [a-z0-9]", tok)
		}
	}
	if got, want := SearchTokens("内科"), []string{"x518579d1", "x79d1"}; !slices.Equal(got, want) {
		t.Errorf("SearchTokens(内科) = %q, want %q", got, want)
	}
}

func TestIndexText(t *testing.T) {
	got := IndexText("【内科】外来", "", "ＭＲＩ")
	want := "x518579d1 x79d1 x59166765 x6765 x mri"
	if got != want {
		t.Errorf("IndexText = %q, want %q", got, want)
	}
	if IndexText() != "" || IndexText("", "・") != "" {
		t.Error("IndexText of empty fields is not empty")
	}
}

func TestMatchesFields(t *testing.T) {
	q := ParseQuery("mri-ct 内科")
	if !q.Matches("MRI・CT", "内科") {
		t.Error("terms in different fields do not match")
	}
	if q.Matches("内科 MRI", "CT") {
		t.Error("a phrase matches across two fields")
	}
}

func TestMatchText(t *testing.T) {
	tests := []struct {
		fields []string
		want   string
	}{
		{[]string{"【内科】外来診療、ＭＲＩ検査"}, " 内科 外来診療 mri 検査 "},
		{[]string{"内科医", "", "・", "MRI/CT"}, " 内科医 | mri ct "},
		{[]string{"おんこーる"}, " オンコール "},
		{nil, ""},
	}
	for _, tt := range tests {
		if got := MatchText(tt.fields...); got != tt.want {
			t.Errorf("MatchText(%q) = %q, want %q", tt.fields, got, tt.want)
		}
	}
}

func TestNeedle(t *testing.T) {
	tests := []struct{ in, want string }{
		{"内科", "内科"},
		{"ＭＲＩ", " mri "},
		{"mri検査", " mri 検査"},
		{"検査mri", "検査 mri "},
		{"\"外来 診療\"", "外来 診療"},
		{"covid-19", " covid 19 "},
		{"眼", "眼"},
	}
	for _, tt := range tests {
		if got := ParseQuery(tt.in).Terms[0].Needle(); got != tt.want {
			t.Errorf("Needle(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestNeedleAgreesWithTokens checks on random documents and queries that
// the substring test on MatchText gives the same answer as the tokens, so
// an engine may check a row either way.
func TestNeedleAgreesWithTokens(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		fields := []string{randomText(r, r.IntN(30)), randomText(r, r.IntN(10))}
		text := MatchText(fields...)
		var queries []string
		for range 10 {
			queries = append(queries, randomText(r, 1+r.IntN(5)))
		}
		all := []rune(fields[0] + fields[1])
		for range 10 {
			if len(all) == 0 {
				break
			}
			i := r.IntN(len(all))
			queries = append(queries, string(all[i:min(len(all), i+1+r.IntN(6))]))
		}
		for _, q := range queries {
			for _, term := range ParseQuery(q).Terms {
				tokens := Query{Terms: []Term{term}}.Matches(fields...)
				if needle := strings.Contains(text, term.Needle()); needle != tokens {
					t.Fatalf("fields %q term %q: tokens say %v, needle %q in %q says %v", fields, term.Text, tokens, term.Needle(), text, needle)
				}
			}
		}
	}
}

func TestFoldEquivalence(t *testing.T) {
	pairs := []struct{ a, b string }{
		{"ｶﾀｶﾅ", "カタカナ"},
		{"ＭＲＩ", "mri"},
		{"ＩＣＵ", "Icu"},
		{"かんさつ", "カンサツ"},
		{"ｵﾝｺｰﾙ", "おんこーる"},
		{"ｶﾞｲﾗｲ", "ガイライ"},
		{"霞ヶ関", "霞ケ関"},
		{"１２３", "123"},
		{"㍻", "平成"},
	}
	for _, p := range pairs {
		t.Run(p.a+"="+p.b, func(t *testing.T) {
			if Fold(p.a) != Fold(p.b) {
				t.Errorf("Fold(%q) = %q, Fold(%q) = %q", p.a, Fold(p.a), p.b, Fold(p.b))
			}
			if !slices.Equal(SearchTokens(p.a), SearchTokens(p.b)) {
				t.Errorf("tokens differ: %q vs %q", SearchTokens(p.a), SearchTokens(p.b))
			}
			if !ParseQuery(p.a).Matches(p.b) || !ParseQuery(p.b).Matches(p.a) {
				t.Errorf("%q and %q do not find each other", p.a, p.b)
			}
		})
	}
}

func TestMatches(t *testing.T) {
	doc := "【内科】外来診療 定期非常勤 火曜午後。ＭＲＩ・CT完備、オンコールなし。COVID-19対応。X線あり"
	tests := []struct {
		query string
		want  bool
	}{
		{"内科", true},
		{"外来", true},
		{"来診", true},
		{"外来診療", true},
		{"非常勤", true},
		{"当直", false},
		{"科", true},   // one character: prefix of bigrams and unigrams
		{"療", true},   // one character at the end of a run
		{"眼", false},  // one character that does not occur
		{"mri", true}, // case and width folded
		{"ＭＲＩ", true},
		{"mr", false}, // latin words match whole words
		{"ct", true},
		{"おんこーる", true},    // hiragana finds katakana
		{"covid-19", true}, // phrase across punctuation
		{"covid 19", true}, // two terms
		{"\"covid 19\"", true},
		{"19対応", true}, // latin word then a run
		{"ct完備", true},
		{"ct完", true},
		{"mri・ct", true},
		{"mri ct", true},
		{"内科 当直", false},    // all terms must match
		{"内科外来", false},     // 】 separates the runs
		{"\"内科 外来\"", true}, // a phrase across a separator
		{"x線", true},
		{"x", true},
		{"午後。ｍｒｉ", true},
		{"", true},      // the empty query matches everything
		{"【】", true},    // so does one without tokens
		{"常勤火曜", false}, // space in the document separates
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			if got := ParseQuery(tt.query).Matches(doc); got != tt.want {
				t.Errorf("ParseQuery(%q).Matches(doc) = %v, want %v (terms %+v)", tt.query, got, tt.want, ParseQuery(tt.query).Terms)
			}
		})
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // term texts
	}{
		{"white space", " 内科  当直\t在宅 ", []string{"内科", "当直", "在宅"}},
		{"full-width space", "内科\u3000当直", []string{"内科", "当直"}},
		{"quoted phrase", `"外来 診療"  内科`, []string{"外来 診療", "内科"}},
		{"full-width quotes", "＂外来　診療＂", []string{"外来 診療"}},
		{"unclosed quote", `内科 "外来 診療`, []string{"内科", "外来 診療"}},
		{"quote inside a word", `内科"外来 診療"`, []string{"内科", "外来 診療"}},
		{"folded text", "ＭＲＩ ｶﾀｶﾅ", []string{"mri", "カタカナ"}},
		{"punctuation-only terms dropped", "・ 内科 ！！ \"\"", []string{"内科"}},
		{"repeats dropped", "内科 ないか 内科 MRI mri", []string{"内科", "ナイカ", "mri"}},
		{"empty", "  \u3000 ", nil},
		{"at most MaxQueryTerms", "a b c d e f g h i j", []string{"a", "b", "c", "d", "e", "f", "g", "h"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := ParseQuery(tt.in)
			var got []string
			for _, term := range q.Terms {
				got = append(got, term.Text)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("ParseQuery(%q) terms (-want +got):\n- %q\n+ %q", tt.in, tt.want, got)
			}
			if q.Empty() != (len(tt.want) == 0) {
				t.Errorf("Empty() = %v", q.Empty())
			}
		})
	}
	long := strings.Repeat("内", MaxTermRunes+10)
	if q := ParseQuery(long); utf8.RuneCountInString(q.Terms[0].Text) != MaxTermRunes {
		t.Errorf("term of %d runes kept as %d", MaxTermRunes+10, utf8.RuneCountInString(q.Terms[0].Text))
	}
}

func TestParseQueryTokens(t *testing.T) {
	tests := []struct {
		in     string
		want   []string
		prefix bool
	}{
		{"皮膚科", []string{"皮膚", "膚科"}, false},            // no closing unigram: 皮膚科医 matches
		{"内", []string{"内"}, true},                      // one character: a prefix
		{"mri検査", []string{"mri", "検査"}, false},         // the last run stays open
		{"検査mri", []string{"検査", "査", "mri"}, false},    // an inner run is closed
		{"x線", []string{"x", "線"}, true},                // a one-character last run
		{"線x", []string{"線", "x"}, false},               // an inner one-character run is closed, not a prefix
		{"\"外来 診療\"", []string{"外来", "来", "診療"}, false}, // a phrase across a separator
		{"covid-19", []string{"covid", "19"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q := ParseQuery(tt.in)
			if len(q.Terms) != 1 {
				t.Fatalf("ParseQuery(%q) has %d terms, want 1", tt.in, len(q.Terms))
			}
			term := q.Terms[0]
			if got := readable(t, term.Tokens); !slices.Equal(got, tt.want) || term.Prefix != tt.prefix {
				t.Errorf("ParseQuery(%q) (-want +got):\n- %q prefix=%v\n+ %q prefix=%v", tt.in, tt.want, tt.prefix, got, term.Prefix)
			}
		})
	}
}

func TestEngineExpressions(t *testing.T) {
	tests := []struct {
		in, fts5, tsquery, tokens string
	}{
		{"内科", `"x518579d1"`, `x518579d1`, `x518579d1`},
		{"皮膚科 MRI", `"x76ae819a x819a79d1" AND "mri"`, `(x76ae819a <-> x819a79d1) & mri`, `x76ae819a & x819a79d1 & mri`},
		{"眼", `"x773c"*`, `x773c:*`, `x773c:*`},
		{"ct室", `"ct x5ba4"*`, `(ct <-> x5ba4:*)`, `ct & x5ba4:*`},
		{"", ``, ``, ``},
		// Operators and quotes of either engine become separators or plain words.
		{`NEAR(内科 当直) OR "x" AND NOT -当直`, `"near x518579d1" AND "x5f5376f4" AND "or" AND "xx" AND "and" AND "not"`,
			`(near <-> x518579d1) & x5f5376f4 & or & xx & and & not`, `near & x518579d1 & x5f5376f4 & or & xx & and & not`},
		{`a:* & b | !c <-> 'd' ( ) *内科* ^e {f} + "`, `"a" AND "b" AND "c" AND "d" AND "x518579d1" AND "e" AND "f"`,
			`a & b & c & d & x518579d1 & e & f`, `a & b & c & d & x518579d1 & e & f`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			q := ParseQuery(tt.in)
			if got := q.FTS5(); got != tt.fts5 {
				t.Errorf("FTS5() = %s, want %s", got, tt.fts5)
			}
			if got := q.TSQuery(); got != tt.tsquery {
				t.Errorf("TSQuery() = %s, want %s", got, tt.tsquery)
			}
			if got := q.TSQueryTokens(); got != tt.tokens {
				t.Errorf("TSQueryTokens() = %s, want %s", got, tt.tokens)
			}
		})
	}
}

// The grammars FTS5 and TSQuery may produce: tokens from [a-z0-9] only.
var (
	tokenRE    = regexp.MustCompile(`^[a-z0-9]+$`)
	ftsTerm    = `"[a-z0-9]+( [a-z0-9]+)*"\*?`
	fts5RE     = regexp.MustCompile(`^(` + ftsTerm + `( AND ` + ftsTerm + `)*)?$`)
	tsqTerm    = `([a-z0-9]+(:\*)?|\([a-z0-9]+( <-> [a-z0-9]+)+(:\*)?\))`
	tsqueryRE  = regexp.MustCompile(`^(` + tsqTerm + `( & ` + tsqTerm + `)*)?$`)
	tsqTokenRE = regexp.MustCompile(`^([a-z0-9]+(:\*)?( & [a-z0-9]+(:\*)?)*)?$`)
	runeAlpha  = []rune("内科外来診療当直在宅皮膚眼医師オンコールかんさつｶﾀｶﾅﾞー々ヶ𠮷β")
	wordAlpha  = []rune("abcxyzMRI019ＭＲＩ１")
	otherAlpha = []rune(" 　・、。-【】\"'()*:")
)

// randomText mixes runs of kanji and kana, latin words and separators.
func randomText(r *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		switch x := r.IntN(10); {
		case x < 6:
			b.WriteRune(runeAlpha[r.IntN(len(runeAlpha))])
		case x < 8:
			b.WriteRune(wordAlpha[r.IntN(len(wordAlpha))])
		default:
			b.WriteRune(otherAlpha[r.IntN(len(otherAlpha))])
		}
	}
	return b.String()
}

// isRunRune reports whether r, folded, belongs to a run.
func isRunRune(r rune) bool {
	toks, _ := appendTokens(nil, string(r), false)
	return len(toks) == 1 && strings.HasPrefix(toks[0], "x") && !strings.HasPrefix(toks[0], "xx")
}

// TestSubstringsMatch checks on random documents that a query of kanji and
// kana matches exactly when it is a substring of the folded document, and
// that its tokens are then among the document's.
func TestSubstringsMatch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 300 {
		doc := randomText(r, 1+r.IntN(40))
		folded := []rune(Fold(doc))
		docToks := SearchTokens(doc)
		// Every substring of a run of kanji and kana matches.
		for start := range folded {
			for end := start + 1; end <= len(folded) && end-start <= 6; end++ {
				sub := folded[start:end]
				if !isRunRune(sub[len(sub)-1]) {
					break
				}
				if !isRunRune(sub[0]) {
					break
				}
				q := ParseQuery(string(sub))
				if !q.Matches(doc) {
					t.Fatalf("doc %d %q: substring %q does not match", i, doc, string(sub))
				}
				term := q.Terms[0]
				for j, tok := range term.Tokens {
					ok := slices.Contains(docToks, tok)
					if term.Prefix && j == len(term.Tokens)-1 {
						ok = slices.ContainsFunc(docToks, func(d string) bool { return strings.HasPrefix(d, tok) })
					}
					if !ok {
						t.Fatalf("doc %q: token %q of substring %q not in the document's %q", doc, tok, string(sub), docToks)
					}
				}
			}
		}
		// A kanji/kana query matches only where it is a substring.
		for range 20 {
			var q []rune
			for range 1 + r.IntN(3) {
				q = append(q, runeAlpha[r.IntN(len(runeAlpha))])
			}
			query := Fold(string(q))
			if !isRunRune([]rune(query)[0]) || !isRunRune([]rune(query)[len([]rune(query))-1]) ||
				strings.ContainsFunc(query, func(r rune) bool { return !isRunRune(r) }) {
				continue
			}
			if got, want := ParseQuery(query).Matches(doc), strings.Contains(string(folded), query); got != want {
				t.Fatalf("doc %q query %q: Matches = %v, substring = %v", doc, query, got, want)
			}
		}
	}
}

// TestTwoCharacterSubstrings is the requirement as a property: every
// two-character substring of Japanese text finds it.
func TestTwoCharacterSubstrings(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	japanese := []rune("内科外来診療当直在宅皮膚科眼科精神科整形外科麻酔科救急科病棟健診オンコールかかりつけ医々ー")
	for range 500 {
		var b strings.Builder
		for range 2 + r.IntN(30) {
			b.WriteRune(japanese[r.IntN(len(japanese))])
		}
		doc := []rune(b.String())
		for i := 0; i+2 <= len(doc); i++ {
			if q := string(doc[i : i+2]); !ParseQuery(q).Matches(string(doc)) {
				t.Fatalf("%q does not find %q", q, string(doc))
			}
		}
	}
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{"内科", "皮膚科 MRI", `"外来 診療" 当直`, "ｶﾀｶﾅ", "眼", `NEAR(a b) OR "x" * : & | ! '`,
		"\u3000\"", "a\xffb", strings.Repeat("内科 ", 20), "x線 xray 𠮷野家"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q := ParseQuery(s)
		if len(q.Terms) > MaxQueryTerms {
			t.Fatalf("%d terms", len(q.Terms))
		}
		cut := false
		for _, term := range q.Terms {
			n := utf8.RuneCountInString(term.Text)
			if n > MaxTermRunes || len(term.Tokens) == 0 {
				t.Fatalf("term %+v", term)
			}
			cut = cut || n == MaxTermRunes
			for _, tok := range term.Tokens {
				if !tokenRE.MatchString(tok) {
					t.Fatalf("token %q outside [a-z0-9]", tok)
				}
			}
		}
		if fts := q.FTS5(); !fts5RE.MatchString(fts) {
			t.Fatalf("FTS5() = %q", fts)
		}
		if tsq := q.TSQuery(); !tsqueryRE.MatchString(tsq) {
			t.Fatalf("TSQuery() = %q", tsq)
		}
		if tsq := q.TSQueryTokens(); !tsqTokenRE.MatchString(tsq) {
			t.Fatalf("TSQueryTokens() = %q", tsq)
		}
		for _, term := range q.Terms {
			if n := term.Needle(); n == "" || strings.ContainsAny(n, "|\"") {
				t.Fatalf("Needle() = %q for %+v", n, term)
			}
		}
		if q.Empty() != (q.FTS5() == "") {
			t.Fatalf("Empty() = %v, FTS5() = %q", q.Empty(), q.FTS5())
		}
		// Whatever one types finds itself, unless a term was cut.
		if !cut && len(q.Terms) < MaxQueryTerms && !q.Matches(s) {
			t.Fatalf("ParseQuery(%q) does not match its own text; terms %s", s, fmt.Sprint(q.Terms))
		}
	})
}

const benchDoc = "【内科】外来診療 定期非常勤 火曜午後。経験豊富なスタッフがサポートします。電子カルテを導入しています。" +
	"ＭＲＩ・ＣＴの読影をお願いします。ｵﾝｺｰﾙ対応あり(月2回程度)。当直なしの勤務も可能です。駅から徒歩5分です。" +
	"患者様第一の医療を実践しています。COVID-19の対応実績があります。週4日からの勤務が可能です。"

func BenchmarkIndexText(b *testing.B) {
	for b.Loop() {
		IndexText("【内科】外来診療 定期非常勤 火曜午後", benchDoc)
	}
}

func BenchmarkMatchText(b *testing.B) {
	for b.Loop() {
		MatchText("【内科】外来診療 定期非常勤 火曜午後", benchDoc)
	}
}

func BenchmarkParseQuery(b *testing.B) {
	for b.Loop() {
		q := ParseQuery("整形外科 ＭＲＩ \"外来 診療\" おんこーる")
		_ = q.FTS5()
		_ = q.TSQuery()
	}
}
