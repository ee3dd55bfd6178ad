package chart

import (
	"encoding/xml"
	"errors"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// element is a parsed SVG element with its text.
type element struct {
	Name  string
	Attrs map[string]string
	Text  string
}

// parseSVG decodes out as XML and returns its elements in document order,
// failing on anything that is not well-formed.
func parseSVG(tb testing.TB, out string) []element {
	tb.Helper()
	d := xml.NewDecoder(strings.NewReader(out))
	var els []element
	var stack []int
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			tb.Fatalf("not well-formed XML: %v\n%s", err, out)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			e := element{Name: t.Name.Local, Attrs: map[string]string{}}
			for _, a := range t.Attr {
				e.Attrs[a.Name.Local] = a.Value
			}
			els = append(els, e)
			stack = append(stack, len(els)-1)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				els[stack[len(stack)-1]].Text += string(t)
			}
		case xml.ProcInst, xml.Directive:
			tb.Fatalf("unexpected %T in output", t)
		}
	}
	if len(stack) != 0 {
		tb.Fatal("unclosed elements")
	}
	return els
}

func TestHostileLabelsAreEscaped(t *testing.T) {
	hostile := []string{
		`</text><script>alert(1)</script>`,
		`"><svg onload="alert(1)">`,
		`&amp; & <b>太字</b>`,
		"<![CDATA[x]]>",
		`<?xml-stylesheet href="https://evil.example/x.css"?>`,
		`<image href="https://evil.example/x.png"/>`,
	}
	c := BarChart{Title: `報告 <script>alert("t")</script>`, Bars: []Bar{}}
	for i, l := range hostile {
		c.Bars = append(c.Bars, Bar{Label: l, Value: float64(i + 1), Text: l})
	}
	out := string(c.SVG())
	for _, bad := range []string{"<script", "<svg onload", "<image", "<b>", "<?xml-stylesheet", "<![CDATA["} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	els := parseSVG(t, out)
	allowed := []string{"svg", "title", "desc", "text", "g", "rect"}
	for _, e := range els {
		if !slices.Contains(allowed, e.Name) {
			t.Errorf("unexpected element <%s>", e.Name)
		}
		for name, v := range e.Attrs {
			if strings.HasPrefix(strings.ToLower(name), "on") || name == "href" || name == "style" {
				t.Errorf("<%s> has attribute %s=%q", e.Name, name, v)
			}
		}
	}
	// Each hostile label comes back as text: in a row's <title> and as the
	// value text (labels may be cut, texts never).
	var texts []string
	for _, e := range els {
		texts = append(texts, e.Text)
	}
	for _, l := range hostile {
		if !slices.Contains(texts, l) {
			t.Errorf("label %q does not read back as text", l)
		}
	}
	if els[0].Name != "svg" || els[0].Attrs["role"] != "img" {
		t.Errorf("root = <%s role=%q>", els[0].Name, els[0].Attrs["role"])
	}
}

func TestAccessibleNameAndDescription(t *testing.T) {
	c := BarChart{ID: `funnel"><x`, Title: "ファネル", Bars: []Bar{
		{Label: "問い合わせ", Value: 30, Text: "30件"},
		{Label: "面談", Value: 12, Text: "12件 (40.0%)"},
	}}
	els := parseSVG(t, string(c.SVG()))
	root := els[0]
	if root.Attrs["aria-labelledby"] != "funnelx-title funnelx-desc" {
		t.Errorf("aria-labelledby = %q", root.Attrs["aria-labelledby"])
	}
	byID := map[string]element{}
	for _, e := range els {
		if id := e.Attrs["id"]; id != "" {
			byID[id] = e
		}
	}
	if got := byID["funnelx-title"]; got.Name != "title" || got.Text != "ファネル" {
		t.Errorf("title = %+v", got)
	}
	if got := byID["funnelx-desc"]; got.Name != "desc" || got.Text != "問い合わせ: 30件、面談: 12件 (40.0%)" {
		t.Errorf("desc = %+v", got)
	}
	c.Desc = "段階ごとの件数"
	c.ID = ""
	els = parseSVG(t, string(c.SVG()))
	id := strings.TrimSuffix(strings.Fields(els[0].Attrs["aria-labelledby"])[0], "-title")
	if !strings.HasPrefix(id, "chart-") {
		t.Errorf("derived id = %q", id)
	}
	if els[2].Name != "desc" || els[2].Text != "段階ごとの件数" {
		t.Errorf("desc = %+v", els[2])
	}
}

// attr reads a numeric attribute.
func attr(tb testing.TB, e element, name string) float64 {
	tb.Helper()
	f, err := strconv.ParseFloat(e.Attrs[name], 64)
	if err != nil {
		tb.Fatalf("<%s %s=%q>: %v", e.Name, name, e.Attrs[name], err)
	}
	return f
}

func rects(els []element) []element {
	var out []element
	for _, e := range els {
		if e.Name == "rect" {
			out = append(out, e)
		}
	}
	return out
}

func TestSizedFromData(t *testing.T) {
	short := BarChart{Bars: []Bar{{Label: "a", Value: 1}}}
	long := BarChart{Bars: []Bar{{Label: "a", Value: 1}, {Label: "b", Value: 2}, {Label: "c", Value: 3}}}
	wide := BarChart{Bars: []Bar{{Label: "エージェント判断で辞退", Value: 1}}}
	size := func(c BarChart) (w, h float64) {
		root := parseSVG(t, string(c.SVG()))[0]
		return attr(t, root, "width"), attr(t, root, "height")
	}
	sw, sh := size(short)
	_, lh := size(long)
	ww, _ := size(wide)
	if lh-sh != 2*rowHeight {
		t.Errorf("height grows by %v for two more bars, want %d", lh-sh, 2*rowHeight)
	}
	if ww <= sw {
		t.Errorf("a longer label does not widen the chart: %v <= %v", ww, sw)
	}

	// Bars scale to the largest value; bad values draw as 0.
	c := BarChart{Bars: []Bar{{Label: "max", Value: 50}, {Label: "half", Value: 25}, {Label: "neg", Value: -3},
		{Label: "nan", Value: math.NaN()}, {Label: "tiny", Value: 0.0001}}}
	rs := rects(parseSVG(t, string(c.SVG())))
	widths := make([]float64, len(rs))
	for i, r := range rs {
		widths[i] = attr(t, r, "width")
	}
	if widths[0] != barArea || widths[1] != barArea/2 || widths[2] != 0 || widths[3] != 0 || widths[4] != 1 {
		t.Errorf("bar widths = %v", widths)
	}
	// All zero: no division by zero.
	for _, r := range rects(parseSVG(t, string(BarChart{Bars: []Bar{{Label: "z"}}}.SVG()))) {
		if attr(t, r, "width") != 0 {
			t.Errorf("zero bar drawn %v wide", r.Attrs["width"])
		}
	}
}

func TestLongLabelIsCut(t *testing.T) {
	label := strings.Repeat("患者様第一", 20)
	els := parseSVG(t, string(BarChart{Bars: []Bar{{Label: label, Value: 1, Text: "1件"}}}.SVG()))
	var shown string
	for _, e := range els {
		if e.Name == "text" && e.Attrs["text-anchor"] == "end" {
			shown = e.Text
		}
	}
	if !strings.HasSuffix(shown, "…") || textWidth(shown, fontSize) > maxLabelSize {
		t.Errorf("label shown as %q (%v px)", shown, textWidth(shown, fontSize))
	}
	// The full label stays in the row's tooltip.
	if !slices.ContainsFunc(els, func(e element) bool { return e.Name == "title" && e.Text == label+": 1件" }) {
		t.Error("full label missing from the row's title")
	}
}

func TestControlCharactersStayWellFormed(t *testing.T) {
	c := BarChart{Title: "a\x00b", Desc: "\x1b[31m", Bars: []Bar{{Label: "x\x01\uFFFEy", Value: math.Inf(1), Text: "\x0b"}}}
	els := parseSVG(t, string(c.SVG()))
	for _, e := range els {
		if strings.ContainsAny(e.Text, "\x00\x01\x0b\x1b\uFFFE") {
			t.Errorf("<%s> keeps a character XML forbids: %q", e.Name, e.Text)
		}
	}
}
