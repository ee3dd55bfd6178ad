package markdown

import (
	"fmt"
	"html"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	nethtml "golang.org/x/net/html"
)

func TestRenderXSS(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		notWant []string // substrings the raw output must not contain (case-insensitive); checkSafe looks at attributes
	}{
		{"script block", "<script>alert(1)</script>", []string{"<script", "alert(1)"}},
		{"script inline", "hello <script>alert(1)</script> world", []string{"<script"}},
		{"img onerror", `<img src=x onerror="alert(1)">`, []string{"<img", "onerror"}},
		{"svg onload", `<svg onload=alert(1)>`, []string{"<svg", "onload"}},
		{"iframe", `<iframe src="https://evil.example"></iframe>`, []string{"<iframe"}},
		{"style tag", "<style>body{display:none}</style>", []string{"<style", "display"}},
		{"style attribute", `<p style="color:red">x</p>`, []string{"style="}},
		{"raw anchor", `<a href="javascript:alert(1)">x</a>`, []string{"javascript:"}},
		{"raw anchor https", `<a href="https://evil.example" onclick="x()">x</a>`, []string{"evil.example", "onclick"}},
		{"markdown javascript link", "[x](javascript:alert(1))", []string{"javascript:", "href"}},
		{"markdown JavaScript link mixed case", "[x](JaVaScRiPt:alert(1))", []string{"javascript:", "href"}},
		{"entity javascript link", "[x](jav&#x61;script:alert(1))", []string{"javascript:", "href"}},
		{"named entity javascript link", "[x](javascript&colon;alert(1))", []string{"javascript:", "href"}},
		{"percent javascript link", "[x](%6Aavascript:alert(1))", []string{"javascript:"}},
		{"vbscript link", "[x](vbscript:msgbox(1))", []string{"vbscript:", "href"}},
		{"reference javascript link", "[x][r]\n\n[r]: javascript:alert(1)", []string{"href"}},
		{"autolink javascript", "<javascript:alert(1)>", []string{"href"}},
		{"data link", "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", []string{"data:", "href"}},
		{"data image", "![x](data:image/png;base64,AAAA)", []string{"data:", "<img", "href"}},
		{"image", "![pixel](https://tracker.example/p.gif)", []string{"<img", "src="}},
		{"file link", "[x](file:///etc/passwd)", []string{"file:", "href"}},
		{"title breakout", `[x](https://example.com "a\" onmouseover=\"alert(1)")`, []string{`" onmouseover="`}},
		{"url quote breakout", `[x](https://example.com/"onmouseover="alert(1))`, []string{`" onmouseover`, `"onmouseover`}},
		{"html comment", "<!-- <script>alert(1)</script> -->", []string{"<script", "<!--"}},
		{"class attribute", `<code class="evil">x</code>`, []string{"evil"}},
		{"form", `<form action="https://evil.example"><input name=x></form>`, []string{"<form", "<input"}},
		{"task list checkbox", "- [x] done", []string{"<input"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Render(tt.src))
			low := strings.ToLower(got)
			for _, bad := range tt.notWant {
				if strings.Contains(low, strings.ToLower(bad)) {
					t.Errorf("Render(%q) = %q, must not contain %q", tt.src, got, bad)
				}
			}
			if err := checkSafe(got); err != nil {
				t.Errorf("Render(%q) = %q: %v", tt.src, got, err)
			}
		})
	}
}

func TestRenderLinks(t *testing.T) {
	tests := []struct {
		name string
		src  string
		href string // the href of the single <a>; "" means no <a>
		text string
	}{
		{"inline https", "[サイト](https://example.com/a?b=1&c=2)", "https://example.com/a?b=1&c=2", "サイト"},
		{"http", "[x](http://example.com)", "http://example.com", "x"},
		{"relative", "[質問](/community/questions/3)", "/community/questions/3", "質問"},
		{"fragment", "[上へ](#top)", "#top", "上へ"},
		{"mailto", "[連絡](mailto:a@example.com)", "mailto:a@example.com", "連絡"},
		{"angle autolink", "<https://example.com>", "https://example.com", "https://example.com"},
		{"bare autolink", "参照: https://example.com/x です", "https://example.com/x", "https://example.com/x"},
		{"www autolink", "www.example.jp", "http://www.example.jp", "www.example.jp"},
		{"email autolink", "a@example.com", "mailto:a@example.com", "a@example.com"},
		{"image becomes link", "![レントゲン](https://img.example/x.png)", "https://img.example/x.png", "レントゲン"},
		{"image without alt", "![](https://img.example/x.png)", "https://img.example/x.png", "https://img.example/x.png"},
		{"image inside link", "[![alt](https://img.example/x.png)](https://example.com)", "https://example.com", "alt"},
		{"javascript unwrapped", "[ラベル](javascript:alert(1))", "", "ラベル"},
		{"ftp not linkified", "ftp://example.com/file", "", "ftp://example.com/file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Render(tt.src))
			if err := checkSafe(got); err != nil {
				t.Fatalf("Render(%q) = %q: %v", tt.src, got, err)
			}
			links := anchors(t, got)
			if tt.href == "" {
				if len(links) != 0 {
					t.Errorf("Render(%q) = %q, want no link", tt.src, got)
				}
				if !strings.Contains(html.UnescapeString(got), tt.text) {
					t.Errorf("Render(%q) = %q, want text %q", tt.src, got, tt.text)
				}
				return
			}
			if len(links) != 1 {
				t.Fatalf("Render(%q) = %q, want exactly one link", tt.src, got)
			}
			a := links[0]
			if a.attrs["href"] != tt.href || a.text != tt.text {
				t.Errorf("Render(%q) link = (%q, %q), want (%q, %q)", tt.src, a.attrs["href"], a.text, tt.href, tt.text)
			}
			rel := strings.Fields(a.attrs["rel"])
			for _, want := range []string{"nofollow", "noopener", "noreferrer"} {
				if !contains(rel, want) {
					t.Errorf("Render(%q) rel = %q, missing %q", tt.src, a.attrs["rel"], want)
				}
			}
			if a.attrs["target"] != "_blank" {
				t.Errorf("Render(%q) target = %q, want _blank", tt.src, a.attrs["target"])
			}
		})
	}
}

func TestRenderMarkup(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // substrings of the output, in order
	}{
		{"headings", "# 大見出し\n## 中見出し\n###### 小", []string{"<h1>大見出し</h1>", "<h2>中見出し</h2>", "<h6>小</h6>"}},
		{"emphasis", "*斜体* **太字** ~~取消~~", []string{"<em>斜体</em>", "<strong>太字</strong>", "<del>取消</del>"}},
		{"unordered list", "- 集患\n- 労務", []string{"<ul>", "<li>集患</li>", "<li>労務</li>", "</ul>"}},
		{"ordered list with start", "3. 三\n4. 四", []string{`<ol start="3">`, "<li>三</li>", "</ol>"}},
		{"table", "| 項目 | 金額 |\n|:--|--:|\n| 内装 | 1,000万円 |",
			[]string{"<table>", `<th align="left">項目</th>`, `<th align="right">金額</th>`, `<td align="right">1,000万円</td>`, "</table>"}},
		{"fenced code keeps language class", "```go\nif a < b {}\n```", []string{`<pre><code class="language-go">if a &lt; b {}`, "</code></pre>"}},
		{"bad language class dropped", "```x\"onclick=\n1\n```", []string{"<pre><code>1"}},
		{"code span escapes", "`<script>`", []string{"<code>&lt;script&gt;</code>"}},
		{"blockquote", "> 引用です", []string{"<blockquote>", "<p>引用です</p>", "</blockquote>"}},
		{"rule", "上\n\n---\n\n下", []string{"<p>上</p>", "<hr>", "<p>下</p>"}},
		{"hard wraps", "一行目\n二行目\n三行目", []string{"<p>一行目<br>", "二行目<br>", "三行目</p>"}},
		{"paragraphs", "段落一\n\n段落二", []string{"<p>段落一</p>", "<p>段落二</p>"}},
		{"japanese and full-width", "ＡＢＣ　１２３ 全角スペースと「かぎ括弧」・ｶﾀｶﾅ", []string{"<p>ＡＢＣ　１２３ 全角スペースと「かぎ括弧」・ｶﾀｶﾅ</p>"}},
		{"japanese emphasis", "**重要**です", []string{"<strong>重要</strong>です"}},
		{"entities shown as text", "AT&amp;T &lt;b&gt;", []string{"AT&amp;T &lt;b&gt;"}},
		{"task list stays text", "- [ ] 未完了", []string{"<li>[ ] 未完了</li>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Render(tt.src))
			rest := got
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("Render(%q) = %q, want %q (in order)", tt.src, got, w)
				}
				rest = rest[i+len(w):]
			}
			if err := checkSafe(got); err != nil {
				t.Errorf("Render(%q) = %q: %v", tt.src, got, err)
			}
		})
	}
}

func TestRenderNormalises(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"invalid utf-8", "a\xffb", "<p>a\uFFFDb</p>\n"},
		{"nul removed", "a\x00b", "<p>ab</p>\n"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(Render(tt.src)); got != tt.want {
				t.Errorf("Render(%q) = %q, want %q", tt.src, got, tt.want)
			}
		})
	}

	t.Run("capped at MaxSource runes", func(t *testing.T) {
		src := strings.Repeat("あ", MaxSource) + "超過"
		got := string(Render(src))
		if strings.Contains(got, "超過") {
			t.Errorf("Render rendered text past MaxSource")
		}
		if n := strings.Count(got, "あ"); n != MaxSource {
			t.Errorf("Render kept %d runes, want %d", n, MaxSource)
		}
	})
}

func TestExcerpt(t *testing.T) {
	tests := []struct {
		name string
		src  string
		n    int
		want string
	}{
		{"plain", "開業の相談です", 20, "開業の相談です"},
		{"markup removed", "# 見出し\n\n**太字**と[リンク](https://example.com)と`code`", 50, "見出し 太字とリンクとcode"},
		{"whitespace collapsed", "一\n\n\n二   三\t四", 20, "一 二 三 四"},
		{"full-width space collapsed", "一　　二", 20, "一 二"},
		{"cut with ellipsis", "あいうえおかきくけこ", 5, "あいうえお…"},
		{"exactly n", "あいうえお", 5, "あいうえお"},
		{"trailing space trimmed before ellipsis", "あいう えお", 4, "あいう…"},
		{"raw html dropped", "前<script>alert(1)</script>後", 20, "前alert(1)後"},
		{"html block dropped", "<div>\n隠す\n</div>\n\n見える", 20, "見える"},
		{"entities resolved", "AT&amp;T \\*x\\*", 20, "AT&T *x*"},
		{"image alt", "![図1](https://img.example/a.png)を見て", 20, "図1を見て"},
		{"autolink label", "<https://example.com>", 40, "https://example.com"},
		{"table cells", "| a | b |\n|---|---|\n| 1 | 2 |", 20, "a b 1 2"},
		{"code block", "```\nx := 1\n```", 20, "x := 1"},
		{"zero n", "abc", 0, ""},
		{"negative n", "abc", -1, ""},
		{"invalid utf-8", "a\xffb", 10, "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Excerpt(tt.src, tt.n); got != tt.want {
				t.Errorf("Excerpt(%q, %d) = %q, want %q", tt.src, tt.n, got, tt.want)
			}
		})
	}
}

func TestRenderConcurrent(t *testing.T) {
	want := Render("# a\n\n[x](https://example.com)")
	done := make(chan struct{})
	for range 8 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 50 {
				if got := Render("# a\n\n[x](https://example.com)"); got != want {
					t.Errorf("concurrent Render = %q, want %q", got, want)
					return
				}
			}
		}()
	}
	for range 8 {
		<-done
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"", "# 見出し", "[x](https://example.com)", "<script>alert(1)</script>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		got := string(Render(src))
		if err := checkSafe(got); err != nil {
			t.Fatalf("Render(%q) = %q: %v", src, got, err)
		}
	})
}

func FuzzExcerpt(f *testing.F) {
	f.Add("# 見出し\n\n本文", 5)
	f.Add("", 0)
	f.Add("a\xffb", 1)
	f.Fuzz(func(t *testing.T, src string, n int) {
		n %= 500
		got := Excerpt(src, n)
		if !utf8.ValidString(got) {
			t.Fatalf("Excerpt(%q, %d) = %q, not valid UTF-8", src, n, got)
		}
		if c := utf8.RuneCountInString(got); c > max(n, 0)+1 {
			t.Fatalf("Excerpt(%q, %d) = %q, %d runes", src, n, got, c)
		}
	})
}

// allowedAttrs is what the policy may emit, per element.
var allowedAttrs = map[string][]string{
	"a":    {"href", "title", "target", "rel"},
	"ol":   {"start"},
	"code": {"class"},
	"th":   {"align"},
	"td":   {"align"},
}

// checkSafe parses rendered HTML and reports the first property that does not hold: valid UTF-8, no
// script, only allowed attributes, allowed URL schemes, and rel nofollow on every link.
func checkSafe(out string) error {
	if !utf8.ValidString(out) {
		return fmt.Errorf("output is not valid UTF-8")
	}
	if strings.Contains(strings.ToLower(out), "<script") {
		return fmt.Errorf("output contains <script")
	}
	z := nethtml.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case nethtml.ErrorToken:
			return nil
		case nethtml.StartTagToken, nethtml.SelfClosingTagToken:
			tok := z.Token()
			var rel string
			var hasHref bool
			for _, a := range tok.Attr {
				if !contains(allowedAttrs[tok.Data], a.Key) {
					return fmt.Errorf("<%s> has attribute %q", tok.Data, a.Key)
				}
				if strings.Contains(strings.ToLower(html.UnescapeString(a.Val)), "javascript:") {
					return fmt.Errorf("<%s %s=%q> contains javascript:", tok.Data, a.Key, a.Val)
				}
				switch a.Key {
				case "rel":
					rel = a.Val
				case "href":
					hasHref = true
					u, err := url.Parse(a.Val)
					if err != nil {
						return fmt.Errorf("href %q does not parse: %v", a.Val, err)
					}
					if s := strings.ToLower(u.Scheme); s != "" && s != "http" && s != "https" && s != "mailto" {
						return fmt.Errorf("href %q has scheme %q", a.Val, u.Scheme)
					}
				}
			}
			if tok.Data == "a" && hasHref && !contains(strings.Fields(rel), "nofollow") {
				return fmt.Errorf("<a> without rel nofollow: %s", tok)
			}
		}
	}
}

type anchor struct {
	attrs map[string]string
	text  string
}

// anchors returns the <a> elements of out with their attributes and text.
func anchors(t *testing.T, out string) []anchor {
	t.Helper()
	var as []anchor
	var cur *anchor
	z := nethtml.NewTokenizer(strings.NewReader(out))
	for {
		switch z.Next() {
		case nethtml.ErrorToken:
			return as
		case nethtml.StartTagToken:
			tok := z.Token()
			if tok.Data == "a" {
				cur = &anchor{attrs: map[string]string{}}
				for _, a := range tok.Attr {
					cur.attrs[a.Key] = a.Val
				}
			}
		case nethtml.TextToken:
			if cur != nil {
				cur.text += z.Token().Data
			}
		case nethtml.EndTagToken:
			if cur != nil && z.Token().Data == "a" {
				as = append(as, *cur)
				cur = nil
			}
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// BenchmarkRender renders a typical long answer: headings, a list, a
// table, links and 2,000 characters of Japanese.
func BenchmarkRender(b *testing.B) {
	src := "## 開業資金について\n\n" + strings.Repeat("運転資金は6か月分を見ておくと安心です。[公庫](https://www.jfc.go.jp/)にも相談しました。\n", 40) +
		"\n- 内装\n- 医療機器\n- 運転資金\n\n| 項目 | 金額 |\n|---|---|\n| 内装 | 2,000万円 |\n| 機器 | 1,500万円 |\n"
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Render(src)
	}
}
