package chart

import (
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// cells returns the <g class="chart-cell"> groups of a parsed heat map:
// their <title>, <rect> and <text>, in document order.
func cells(tb testing.TB, els []element) [][3]element {
	tb.Helper()
	var out [][3]element
	for i, e := range els {
		if e.Name == "g" && e.Attrs["class"] == "chart-cell" {
			if i+3 >= len(els) || els[i+1].Name != "title" || els[i+2].Name != "rect" || els[i+3].Name != "text" {
				tb.Fatalf("cell %d is not title, rect, text", len(out))
			}
			out = append(out, [3]element{els[i+1], els[i+2], els[i+3]})
		}
	}
	return out
}

func gapMap() HeatMap {
	return HeatMap{ID: "gap-2026", Title: "2026年度の過不足", Rows: []string{"内科", "総合診療"}, Cols: []string{"県南東部", "真庭"},
		Values: [][]float64{{4, -2}, {0, math.NaN()}}, Texts: [][]string{{"+4", "-2"}, {"0", ""}}, Diverging: true,
		Low: "余剰", High: "不足"}
}

func TestHeatMapCells(t *testing.T) {
	els := parseSVG(t, string(gapMap().SVG()))
	cs := cells(t, els)
	if len(cs) != 4 {
		t.Fatalf("%d cells, want 4", len(cs))
	}
	want := []struct{ title, text, fill, ink string }{
		{"内科・県南東部: +4", "+4", "#b2182b", "#ffffff"}, // the largest shortage: deepest red
		{"内科・真庭: -2", "-2", "", "#000000"},          // a surplus: a lighter blue
		{"総合診療・県南東部: 0", "0", "#ffffff", "#000000"},
		{"総合診療・真庭: —", "—", noFill, "#000000"}, // no value
	}
	for i, w := range want {
		title, rect, text := cs[i][0], cs[i][1], cs[i][2]
		if title.Text != w.title || text.Text != w.text || text.Attrs["fill"] != w.ink {
			t.Errorf("cell %d: title %q text %q ink %s; want %q %q %s", i, title.Text, text.Text, text.Attrs["fill"], w.title, w.text, w.ink)
		}
		if w.fill != "" && rect.Attrs["fill"] != w.fill {
			t.Errorf("cell %d: fill %s, want %s", i, rect.Attrs["fill"], w.fill)
		}
	}
	// The surplus is blue: more blue than red, and lighter than the deepest.
	r, g, b := rgb(t, cs[1][1].Attrs["fill"])
	if b <= r || r <= 33 || g <= 102 {
		t.Errorf("surplus fill %s is not a light blue", cs[1][1].Attrs["fill"])
	}
	// The legend runs from the low label through five swatches to the high one.
	var legend []string
	for _, e := range els {
		if e.Name == "text" && (e.Text == "余剰" || e.Text == "不足") {
			legend = append(legend, e.Text)
		}
	}
	if !slices.Equal(legend, []string{"余剰", "不足"}) || len(rects(els)) != 4+5 {
		t.Errorf("legend %v with %d rects", legend, len(rects(els)))
	}
}

func rgb(tb testing.TB, fill string) (r, g, b int64) {
	tb.Helper()
	if len(fill) != 7 || fill[0] != '#' {
		tb.Fatalf("fill %q", fill)
	}
	parse := func(s string) int64 {
		n, err := strconv.ParseInt(s, 16, 64)
		if err != nil {
			tb.Fatal(err)
		}
		return n
	}
	return parse(fill[1:3]), parse(fill[3:5]), parse(fill[5:7])
}

func TestHeatMapScales(t *testing.T) {
	fills := func(h HeatMap) []string {
		var out []string
		for _, c := range cells(t, parseSVG(t, string(h.SVG()))) {
			out = append(out, c[1].Attrs["fill"])
		}
		return out
	}
	// Sequential: white at 0, the deepest blue at the largest, negative as
	// 0, a small value visibly tinted, infinity as the largest.
	seq := fills(HeatMap{Rows: []string{"a"}, Cols: []string{"0", "max", "neg", "tiny", "inf"},
		Values: [][]float64{{0, 10, -5, 0.01, math.Inf(1)}}})
	if seq[0] != "#ffffff" || seq[1] != "#2166ac" || seq[2] != "#ffffff" || seq[3] == "#ffffff" || seq[4] != "#2166ac" {
		t.Errorf("sequential fills = %v", seq)
	}
	// Diverging: the scale is symmetric around 0.
	div := fills(HeatMap{Rows: []string{"a"}, Cols: []string{"+", "-"}, Values: [][]float64{{3, -3}}, Diverging: true})
	if div[0] != "#b2182b" || div[1] != "#2166ac" {
		t.Errorf("diverging fills = %v", div)
	}
	// All zero, or no values at all, or short rows: no division by zero, no panic.
	for _, h := range []HeatMap{
		{Rows: []string{"a", "b"}, Cols: []string{"x"}, Values: [][]float64{{0}, {0}}, Diverging: true},
		{Rows: []string{"a", "b"}, Cols: []string{"x", "y"}, Values: [][]float64{{1}}},
		{Rows: []string{"a"}, Cols: []string{"x"}},
		{},
	} {
		for _, f := range fills(h) {
			if f != "#ffffff" && f != noFill && f != "#2166ac" {
				t.Errorf("%+v: fill %s", h, f)
			}
		}
	}
}

func TestHeatMapSizedFromData(t *testing.T) {
	size := func(h HeatMap) (w, ht float64) {
		root := parseSVG(t, string(h.SVG()))[0]
		return attr(t, root, "width"), attr(t, root, "height")
	}
	small := HeatMap{Rows: []string{"a"}, Cols: []string{"x"}, Values: [][]float64{{1}}}
	taller := HeatMap{Rows: []string{"a", "b", "c"}, Cols: []string{"x"}, Values: [][]float64{{1}, {2}, {3}}}
	wider := HeatMap{Rows: []string{"a"}, Cols: []string{"x", "y", "z"}, Values: [][]float64{{1, 2, 3}}}
	sw, sh := size(small)
	_, th := size(taller)
	ww, _ := size(wider)
	if th-sh != 2*cellHeight {
		t.Errorf("height grows by %v for two more rows, want %d", th-sh, 2*cellHeight)
	}
	if ww-sw != 2*minCell {
		t.Errorf("width grows by %v for two more columns, want %d", ww-sw, 2*minCell)
	}
	// A long column label widens the cells up to a limit, then is cut; the
	// full label stays in the cells' titles.
	label := strings.Repeat("県南東部", 10)
	els := parseSVG(t, string(HeatMap{Rows: []string{"a"}, Cols: []string{label}, Values: [][]float64{{1}}}.SVG()))
	if w := attr(t, rects(els)[0], "width"); w != maxCell {
		t.Errorf("cell width %v, want %d", w, maxCell)
	}
	if !slices.ContainsFunc(els, func(e element) bool { return e.Name == "text" && strings.HasSuffix(e.Text, "…") }) {
		t.Error("long column label not cut")
	}
	if c := cells(t, els); c[0][0].Text != "a・"+label+": 1" {
		t.Errorf("cell title = %q", c[0][0].Text)
	}
}

func TestHeatMapAccessible(t *testing.T) {
	h := gapMap()
	h.ID = `gap"><x`
	els := parseSVG(t, string(h.SVG()))
	root := els[0]
	if root.Name != "svg" || root.Attrs["role"] != "img" || root.Attrs["aria-labelledby"] != "gapx-title gapx-desc" {
		t.Errorf("root = <%s %v>", root.Name, root.Attrs)
	}
	if els[1].Name != "title" || els[1].Attrs["id"] != "gapx-title" || els[1].Text != "2026年度の過不足" {
		t.Errorf("title = %+v", els[1])
	}
	want := "内科・県南東部: +4、内科・真庭: -2、総合診療・県南東部: 0、総合診療・真庭: —"
	if els[2].Name != "desc" || els[2].Attrs["id"] != "gapx-desc" || els[2].Text != want {
		t.Errorf("desc = %+v", els[2])
	}
	// Without a title, the description alone names it; the derived id is
	// stable and differs with the labels.
	h.Title, h.ID, h.Desc = "", "", "診療科と医療圏ごとの過不足"
	els = parseSVG(t, string(h.SVG()))
	id := strings.TrimSuffix(els[0].Attrs["aria-labelledby"], "-desc")
	if !strings.HasPrefix(id, "chart-") || strings.Contains(id, " ") || els[1].Text != h.Desc {
		t.Errorf("aria-labelledby = %q, first child %+v", els[0].Attrs["aria-labelledby"], els[1])
	}
	if h.id() != id {
		t.Error("derived id is not stable")
	}
	other := h
	other.Cols = []string{"県南東部", "津山・英田"}
	if other.id() == id {
		t.Error("derived id ignores the labels")
	}
}

func TestHeatMapHostileLabelsAreEscaped(t *testing.T) {
	hostile := []string{
		`</text><script>alert(1)</script>`,
		`"><svg onload="alert(1)">`,
		`&amp; & <b>太字</b>`,
		"<![CDATA[x]]>",
		`<?xml-stylesheet href="https://evil.example/x.css"?>`,
		"a\x00b\x1b[31m\uFFFE",
	}
	h := HeatMap{Title: `<script>alert("t")</script>`, Desc: hostile[1], Rows: hostile, Cols: hostile,
		Low: hostile[0], High: hostile[2], Diverging: true}
	for i := range hostile {
		h.Values = append(h.Values, make([]float64, len(hostile)))
		h.Texts = append(h.Texts, slices.Clone(hostile))
		h.Values[i][i] = float64(i) - 2
	}
	out := string(h.SVG())
	for _, bad := range []string{"<script", "<svg onload", "<b>", "<?xml-stylesheet", "<![CDATA["} {
		if strings.Contains(out, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	els := parseSVG(t, out)
	allowed := []string{"svg", "title", "desc", "text", "g", "rect"}
	var texts []string
	for _, e := range els {
		if !slices.Contains(allowed, e.Name) {
			t.Errorf("unexpected element <%s>", e.Name)
		}
		for name, v := range e.Attrs {
			if strings.HasPrefix(strings.ToLower(name), "on") || name == "href" || name == "style" {
				t.Errorf("<%s> has attribute %s=%q", e.Name, name, v)
			}
		}
		if strings.ContainsAny(e.Text, "\x00\x1b\uFFFE") {
			t.Errorf("<%s> keeps a character XML forbids: %q", e.Name, e.Text)
		}
		texts = append(texts, e.Text)
	}
	// Every hostile label reads back as text in a cell's title.
	for _, l := range hostile[:5] {
		if !slices.ContainsFunc(texts, func(s string) bool { return strings.HasPrefix(s, l+"・") }) {
			t.Errorf("label %q does not read back as text", l)
		}
	}
}
