// Package markdown renders the community board's Markdown to safe HTML and to plain-text excerpts.
//
// Rendering is two stages on purpose. goldmark parses CommonMark with the GFM table, strikethrough and
// autolink extensions, turns soft line breaks into <br> (Japanese writers break lines where they mean them)
// and never passes raw HTML through. A parser does not sanitise, though, so its output then goes through a
// bluemonday allow-list policy, which is the last line of defence and the only thing trusted for safety.
//
// The policy allows headings, paragraphs, line breaks, rules, lists, blockquotes, code and pre (with
// "language-*" classes on code), tables (with align on cells), em, strong and del, and links to http, https,
// mailto or relative URLs. Every link gets rel="nofollow noreferrer noopener" and target="_blank". Nothing else
// survives: no images, no script, style or iframe, no event handlers, no style attributes.
//
// Images are rendered as a link to the image with its alt text as the label (or as the alt text alone when the
// URL is not allowed or the image already sits inside a link): a closed board must not make readers' browsers
// load third-party pixels, but a reader who wants the picture can still click through. GFM task lists are not
// enabled, so "[ ]" stays visible as text instead of becoming a checkbox the sanitiser would strip.
package markdown

import (
	"bytes"
	"html/template"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// MaxSource is the number of runes of a post that Render and Excerpt read; the rest is ignored.
// Callers validate length themselves and tell the author; this cap only bounds the work.
const MaxSource = 20000

// allowedSchemes are the URL schemes a link may use; a URL without a scheme is relative and allowed.
var allowedSchemes = []string{"http", "https", "mailto"}

// md and policy are built once; both are safe for concurrent use.
var (
	md = goldmark.New(
		goldmark.WithExtensions(
			extension.NewTable(extension.WithTableCellAlignMethod(extension.TableCellAlignAttribute)),
			extension.Strikethrough,
			extension.NewLinkify(extension.WithLinkifyAllowedProtocols([]string{"http:", "https:"})),
		),
		goldmark.WithParserOptions(
			parser.WithASTTransformers(util.Prioritized(linkTransformer{}, 100)),
		),
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
	policy = newPolicy()
)

func newPolicy() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6",
		"ul", "ol", "li", "blockquote", "pre", "code", "em", "strong", "del",
		"table", "thead", "tbody", "tr", "th", "td")
	p.AllowAttrs("start").Matching(regexp.MustCompile(`^[0-9]{1,9}$`)).OnElements("ol")
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^language-[A-Za-z0-9_+#.-]{1,40}$`)).OnElements("code")
	p.AllowAttrs("align").Matching(regexp.MustCompile(`^(left|center|right)$`)).OnElements("th", "td")

	p.AllowAttrs("href").OnElements("a")
	p.AllowAttrs("title").OnElements("a")
	p.AllowAttrs("target").Matching(regexp.MustCompile(`^_blank$`)).OnElements("a")
	p.AllowURLSchemes(allowedSchemes...)
	p.AllowRelativeURLs(true)
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	// Relative links get target="_blank" from linkTransformer; this covers any other link.
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// Render returns the safe HTML of the Markdown src. Only the first MaxSource runes are rendered.
func Render(src string) template.HTML {
	source := []byte(normalize(src))
	var buf bytes.Buffer
	if err := md.Convert(source, &buf); err != nil {
		// Converting into a bytes.Buffer cannot fail on I/O; show the text rather than nothing.
		return template.HTML(template.HTMLEscapeString(string(source)))
	}
	return template.HTML(policy.SanitizeBytes(buf.Bytes()))
}

// Excerpt returns the plain text of the Markdown src with whitespace collapsed, cut at n runes with "…"
// appended when it was cut. The result is text, not HTML: escape it where it is shown.
func Excerpt(src string, n int) string {
	if n <= 0 {
		return ""
	}
	source := []byte(normalize(src))
	doc := md.Parser().Parse(text.NewReader(source))
	var b strings.Builder
	writePlain(&b, doc, source)
	s := strings.Join(strings.Fields(b.String()), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, count := 0, 0
	for i = range s {
		if count == n {
			break
		}
		count++
	}
	return strings.TrimRight(s[:i], " ") + "…"
}

// normalize makes src valid UTF-8 without NUL and at most MaxSource runes long.
func normalize(src string) string {
	src = strings.ToValidUTF8(src, "\uFFFD")
	src = strings.ReplaceAll(src, "\x00", "")
	if utf8.RuneCountInString(src) <= MaxSource {
		return src
	}
	count := 0
	for i := range src {
		if count == MaxSource {
			return src[:i]
		}
		count++
	}
	return src
}

// writePlain writes the text under n: text, code and link labels, never raw HTML. Blocks and line
// breaks become spaces.
func writePlain(b *strings.Builder, n ast.Node, source []byte) {
	_ = ast.Walk(n, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			if n.Type() == ast.TypeBlock {
				b.WriteByte(' ')
			}
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Text:
			v := n.Value(source)
			if !n.IsRaw() {
				v = util.ResolveEntityNames(util.ResolveNumericReferences(util.UnescapePunctuations(v)))
			}
			b.Write(v)
			if n.SoftLineBreak() || n.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *ast.String:
			b.Write(n.Value)
		case *ast.AutoLink:
			b.Write(n.Label(source))
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			lines := n.Lines()
			for i := range lines.Len() {
				seg := lines.At(i)
				b.Write(seg.Value(source))
				b.WriteByte(' ')
			}
			return ast.WalkSkipChildren, nil
		case *ast.RawHTML, *ast.HTMLBlock:
			return ast.WalkSkipChildren, nil
		}
		return ast.WalkContinue, nil
	})
}

// linkTransformer gives every link target="_blank", unwraps links whose URL is not allowed (the label stays
// as text) and turns images into links or plain alt text.
type linkTransformer struct{}

func (linkTransformer) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	source := reader.Source()
	var links, images []ast.Node
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n.Kind() {
		case ast.KindLink, ast.KindAutoLink:
			links = append(links, n)
		case ast.KindImage:
			images = append(images, n)
		}
		return ast.WalkContinue, nil
	})
	// Images first: an image inside a link becomes text before the link is looked at.
	for _, n := range images {
		img := n.(*ast.Image)
		var alt strings.Builder
		writePlain(&alt, img, source)
		label := strings.Join(strings.Fields(alt.String()), " ")
		var repl ast.Node
		if !insideLink(img) && allowedURL(img.Destination) {
			if label == "" {
				label = string(img.Destination)
			}
			link := ast.NewLink()
			link.Destination = img.Destination
			link.Title = img.Title
			link.AppendChild(link, rawString(label))
			link.SetAttributeString("target", []byte("_blank"))
			repl = link
		} else {
			repl = rawString(label)
		}
		img.Parent().ReplaceChild(img.Parent(), img, repl)
	}
	for _, n := range links {
		switch l := n.(type) {
		case *ast.Link:
			if allowedURL(l.Destination) {
				l.SetAttributeString("target", []byte("_blank"))
				continue
			}
			parent := l.Parent()
			for c := l.FirstChild(); c != nil; {
				next := c.NextSibling()
				parent.InsertBefore(parent, l, c)
				c = next
			}
			parent.RemoveChild(parent, l)
		case *ast.AutoLink:
			url := l.URL(source)
			if l.AutoLinkType == ast.AutoLinkEmail || allowedURL(url) {
				l.SetAttributeString("target", []byte("_blank"))
				continue
			}
			l.Parent().ReplaceChild(l.Parent(), l, rawString(string(l.Label(source))))
		}
	}
}

func rawString(s string) *ast.String {
	str := ast.NewString([]byte(s))
	str.SetRaw(true) // plain text: escaped on output, no entity or backslash processing
	return str
}

func insideLink(n ast.Node) bool {
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Kind() == ast.KindLink || p.Kind() == ast.KindAutoLink {
			return true
		}
	}
	return false
}

// allowedURL reports whether dest, as the HTML renderer will write it, is relative or uses an allowed scheme.
// The sanitiser checks again; this only keeps disallowed links from rendering as empty anchors.
func allowedURL(dest []byte) bool {
	u := string(util.URLEscape(dest, true))
	u = strings.TrimSpace(u)
	i := strings.IndexAny(u, ":/?#")
	if i < 0 || u[i] != ':' {
		return true
	}
	scheme := strings.ToLower(u[:i])
	for _, s := range allowedSchemes {
		if scheme == s {
			return true
		}
	}
	return false
}
