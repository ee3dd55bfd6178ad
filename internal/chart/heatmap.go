package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"
)

// HeatMap is a grid of cells coloured by value: one row per Rows label,
// one column per Cols label, each cell with its text, so that colour is
// never the only signal.
type HeatMap struct {
	// ID prefixes the ids of the chart's title and description, which must
	// be unique in the page; only [A-Za-z0-9_-] are kept. Empty derives one
	// from the title and labels.
	ID    string
	Title string
	// Desc describes the chart for screen readers; empty lists the cells
	// ("row・column: text" each).
	Desc string
	Rows []string
	Cols []string
	// Values[i][j] is the value of Rows[i] in Cols[j]. NaN, or a value
	// missing from a short row, is no value: a grey cell. Infinities draw
	// as the largest value of their sign.
	Values [][]float64
	// Texts[i][j] is shown in the cell, e.g. "+2"; empty shows the value,
	// or "—" for no value.
	Texts [][]string
	// Diverging colours values around 0: positive red, negative blue,
	// deeper as they reach the largest magnitude (for a gap of need less
	// supply: shortage red, surplus blue). Otherwise values run from white
	// at 0 to blue at the largest; negative values draw as 0.
	Diverging bool
	// Low and High label the ends of a colour legend under the grid, e.g.
	// 余剰 and 不足; without either there is no legend.
	Low, High string
}

// Heat map layout, in pixels.
const (
	cellHeight  = 28
	minCell     = 48
	maxCell     = 120
	cellPad     = 6
	swatchWidth = 24
	noValue     = "—"
	noFill      = "#e6e6e6" // a cell without a value
	cellStroke  = "#bdbdbd"
)

// The ends of the colour scales.
var (
	white = [3]float64{255, 255, 255}
	red   = [3]float64{178, 24, 43}  // #b2182b
	blue  = [3]float64{33, 102, 172} // #2166ac
)

// SVG returns the heat map as an <svg> element with role="img", a <title>
// and a <desc>: row labels on the left, column labels on top, each cell
// with its text in black or white, whichever contrasts more with the
// fill. The size follows from the data. Every text is XML-escaped, so the
// result is safe to put into a page as is.
func (h HeatMap) SVG() template.HTML {
	id := h.id()
	rowW := 0.0
	for _, r := range h.Rows {
		rowW = max(rowW, textWidth(r, fontSize))
	}
	rowW = min(rowW, maxLabelSize)
	cellW := 0.0
	for _, c := range h.Cols {
		cellW = max(cellW, textWidth(c, fontSize))
	}
	for i := range h.Rows {
		for j := range h.Cols {
			cellW = max(cellW, textWidth(h.text(i, j), fontSize))
		}
	}
	cellW = min(max(cellW+2*cellPad, minCell), maxCell)
	gridX := pad + rowW + gap
	width := gridX + float64(len(h.Cols))*cellW + pad
	top := float64(pad)
	if h.Title != "" {
		width = max(width, pad+textWidth(h.Title, titleSize)+pad)
		top += titleSize + gap
	}
	gridY := top + rowHeight
	height := gridY + float64(len(h.Rows)*cellHeight) + pad
	legend := h.Low != "" || h.High != ""
	if legend {
		width = max(width, pad+textWidth(h.Low, fontSize)+gap+5*swatchWidth+gap+textWidth(h.High, fontSize)+pad)
		height += gap + rowHeight
	}
	largest := 0.0
	for i := range h.Rows {
		for j := range h.Cols {
			if v, ok := h.value(i, j); ok && !math.IsInf(v, 0) {
				largest = max(largest, math.Abs(v))
			}
		}
	}

	var buf bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&buf, format, args...) }
	text := func(s string) { _ = xml.EscapeText(&buf, []byte(s)) }
	labelledBy := id + "-desc"
	if h.Title != "" {
		labelledBy = id + "-title " + labelledBy
	}
	w(`<svg xmlns="http://www.w3.org/2000/svg" class="chart heatmap" role="img" width="%s" height="%s" viewBox="0 0 %s %s" aria-labelledby="%s" font-family="sans-serif" font-size="%d">`,
		num(width), num(height), num(width), num(height), labelledBy, fontSize)
	if h.Title != "" {
		w(`<title id="%s-title">`, id)
		text(h.Title)
		w(`</title>`)
	}
	w(`<desc id="%s-desc">`, id)
	text(h.desc())
	w(`</desc>`)
	if h.Title != "" {
		w(`<text x="%d" y="%s" font-size="%d" font-weight="bold">`, pad, num(pad+titleSize*0.8), titleSize)
		text(h.Title)
		w(`</text>`)
	}
	middle := func(y float64) float64 { return y + cellHeight/2 + fontSize*0.35 }
	for j, c := range h.Cols {
		w(`<text x="%s" y="%s" text-anchor="middle">`, num(gridX+(float64(j)+0.5)*cellW), num(middle(top)))
		text(fit(c, cellW-2*cellPad, fontSize))
		w(`</text>`)
	}
	for i, r := range h.Rows {
		y := gridY + float64(i*cellHeight)
		w(`<text x="%s" y="%s" text-anchor="end">`, num(pad+rowW), num(middle(y)))
		text(fit(r, rowW, fontSize))
		w(`</text>`)
		for j, c := range h.Cols {
			x := gridX + float64(j)*cellW
			fill := noFill
			if v, ok := h.value(i, j); ok {
				fill = h.colour(v, largest)
			}
			w(`<g class="chart-cell"><title>`)
			text(r + "・" + c + ": " + h.text(i, j))
			w(`</title><rect x="%s" y="%s" width="%s" height="%d" fill="%s" stroke="%s"></rect>`,
				num(x), num(y), num(cellW), cellHeight, fill, cellStroke)
			w(`<text x="%s" y="%s" text-anchor="middle" fill="%s">`, num(x+cellW/2), num(middle(y)), ink(fill))
			text(fit(h.text(i, j), cellW-2*cellPad, fontSize))
			w(`</text></g>`)
		}
	}
	if legend {
		y := gridY + float64(len(h.Rows)*cellHeight) + gap
		x := float64(pad)
		w(`<g class="chart-legend"><text x="%s" y="%s">`, num(x), num(middle(y)))
		text(h.Low)
		w(`</text>`)
		x += textWidth(h.Low, fontSize) + gap
		steps := []float64{0, 0.25, 0.5, 0.75, 1}
		if h.Diverging {
			steps = []float64{-1, -0.5, 0, 0.5, 1}
		}
		for _, s := range steps {
			w(`<rect x="%s" y="%s" width="%d" height="%d" fill="%s" stroke="%s"></rect>`,
				num(x), num(y+(cellHeight-barHeight)/2), swatchWidth, barHeight, h.colour(s, 1), cellStroke)
			x += swatchWidth
		}
		w(`<text x="%s" y="%s">`, num(x+gap), num(middle(y)))
		text(h.High)
		w(`</text></g>`)
	}
	w(`</svg>`)
	// Safe: every text above is escaped; attributes are numbers, constants,
	// computed colours and the sanitised id.
	return template.HTML(buf.String())
}

// value is the value of cell (i, j), and whether it has one.
func (h HeatMap) value(i, j int) (float64, bool) {
	if i >= len(h.Values) || j >= len(h.Values[i]) || math.IsNaN(h.Values[i][j]) {
		return 0, false
	}
	return h.Values[i][j], true
}

// text is what cell (i, j) shows.
func (h HeatMap) text(i, j int) string {
	if i < len(h.Texts) && j < len(h.Texts[i]) && h.Texts[i][j] != "" {
		return h.Texts[i][j]
	}
	v, ok := h.value(i, j)
	if !ok {
		return noValue
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// colour is the fill of v on the scale up to largest: white at 0,
// deepening to the end colour from a visible tint, so that a small value
// stands apart from 0.
func (h HeatMap) colour(v, largest float64) string {
	end := blue
	if h.Diverging && v > 0 {
		end = red
	}
	if !h.Diverging {
		v = max(v, 0)
	}
	t := 0.0
	switch {
	case v == 0 || largest == 0:
	case math.IsInf(v, 0):
		t = 1
	default:
		t = 0.15 + 0.85*min(math.Abs(v)/largest, 1)
	}
	var c [3]float64
	for k := range c {
		c[k] = white[k] + (end[k]-white[k])*t
	}
	return fmt.Sprintf("#%02x%02x%02x", int(math.Round(c[0])), int(math.Round(c[1])), int(math.Round(c[2])))
}

// ink is the text colour on fill, a "#rrggbb": black or white, whichever
// contrasts more (WCAG contrast ratio; the better of the two is always
// above 4.5:1).
func ink(fill string) string {
	l := 0.0
	for k, weight := range []float64{0.2126, 0.7152, 0.0722} {
		n, _ := strconv.ParseUint(fill[1+2*k:3+2*k], 16, 8)
		c := float64(n) / 255
		if c <= 0.04045 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += weight * c
	}
	if 1.05/(l+0.05) > (l+0.05)/0.05 {
		return "#ffffff"
	}
	return "#000000"
}

// desc is the heat map's description.
func (h HeatMap) desc() string {
	if h.Desc != "" {
		return h.Desc
	}
	var parts []string
	for i, r := range h.Rows {
		for j, c := range h.Cols {
			parts = append(parts, r+"・"+c+": "+h.text(i, j))
		}
	}
	return strings.Join(parts, "、")
}

// id returns the sanitised ID, or one derived from the title and labels,
// by the bar chart's rule.
func (h HeatMap) id() string {
	bars := make([]Bar, 0, len(h.Rows)+len(h.Cols))
	for _, l := range append(append([]string{}, h.Rows...), h.Cols...) {
		bars = append(bars, Bar{Label: l})
	}
	return BarChart{ID: h.ID, Title: h.Title, Bars: bars}.id()
}
