// Package chart draws small charts as inline SVG for the HTML pages: no
// script, no stylesheet, no external resource, every text escaped, so the
// result can be embedded as it is. It does no I/O.
package chart

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"hash/fnv"
	"html/template"
	"math"
	"strconv"
	"strings"
	"unicode"
)

// Bar is one bar of a chart.
type Bar struct {
	Label string
	Value float64 // negative, NaN and infinite values draw as 0
	// Text is shown after the bar, e.g. "12件 (34.5%)"; empty shows Value.
	Text string
}

// BarChart is a horizontal bar chart: one row per bar, labels on the left,
// bars scaled to the largest value, each bar's text on its right.
type BarChart struct {
	// ID prefixes the ids of the chart's title and description, which must
	// be unique in the page; only [A-Za-z0-9_-] are kept. Empty derives one
	// from the title and labels.
	ID    string
	Title string
	// Desc describes the chart for screen readers; empty lists the bars
	// ("label: text" each).
	Desc string
	Bars []Bar
}

// Layout, in pixels.
const (
	fontSize     = 14
	titleSize    = 16
	pad          = 12
	gap          = 8
	rowHeight    = 28
	barHeight    = 18
	barArea      = 320 // the width of the largest bar
	maxLabelSize = 240 // longer labels are cut with an ellipsis
	barColour    = "#3b6ea5"
)

// SVG returns the chart as an <svg> element with role="img", a <title>
// and a <desc>, sized from its data: the height from the number of bars,
// the width from the longest label and text. Every text is XML-escaped, so
// the result is safe to put into a page as is.
func (c BarChart) SVG() template.HTML {
	id := c.id()
	labelW := 0.0
	textW := 0.0
	for _, b := range c.Bars {
		labelW = max(labelW, textWidth(b.Label, fontSize))
		textW = max(textW, textWidth(b.text(), fontSize))
	}
	labelW = min(labelW, maxLabelSize)
	width := pad + labelW + gap + barArea + gap + textW + pad
	top := float64(pad)
	if c.Title != "" {
		width = max(width, pad+textWidth(c.Title, titleSize)+pad)
		top += titleSize + gap
	}
	height := top + float64(len(c.Bars)*rowHeight) + pad
	largest := 0.0
	for _, b := range c.Bars {
		largest = max(largest, b.value())
	}

	var buf bytes.Buffer
	w := func(format string, args ...any) { fmt.Fprintf(&buf, format, args...) }
	text := func(s string) { _ = xml.EscapeText(&buf, []byte(s)) }
	labelledBy := id + "-desc"
	if c.Title != "" {
		labelledBy = id + "-title " + labelledBy
	}
	w(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="%s" height="%s" viewBox="0 0 %s %s" aria-labelledby="%s" font-family="sans-serif" font-size="%d">`,
		num(width), num(height), num(width), num(height), labelledBy, fontSize)
	if c.Title != "" {
		w(`<title id="%s-title">`, id)
		text(c.Title)
		w(`</title>`)
	}
	w(`<desc id="%s-desc">`, id)
	text(c.desc())
	w(`</desc>`)
	if c.Title != "" {
		w(`<text x="%d" y="%s" font-size="%d" font-weight="bold">`, pad, num(pad+titleSize*0.8), titleSize)
		text(c.Title)
		w(`</text>`)
	}
	barX := pad + labelW + gap
	for i, b := range c.Bars {
		y := top + float64(i*rowHeight)
		baseline := y + rowHeight/2 + fontSize*0.35
		barW := 0.0
		if largest > 0 {
			barW = barArea * b.value() / largest
			if b.value() > 0 {
				barW = max(barW, 1)
			}
		}
		w(`<g class="chart-bar"><title>`)
		text(b.Label + ": " + b.text())
		w(`</title><text x="%s" y="%s" text-anchor="end">`, num(pad+labelW), num(baseline))
		text(fit(b.Label, labelW, fontSize))
		w(`</text><rect x="%s" y="%s" width="%s" height="%d" rx="2" fill="%s"></rect>`,
			num(barX), num(y+(rowHeight-barHeight)/2), num(barW), barHeight, barColour)
		w(`<text x="%s" y="%s">`, num(barX+barW+gap), num(baseline))
		text(b.text())
		w(`</text></g>`)
	}
	w(`</svg>`)
	// Safe: every text above is escaped; attributes are numbers, constants
	// and the sanitised id.
	return template.HTML(buf.String())
}

// value is the drawn value of b.
func (b Bar) value() float64 {
	if math.IsNaN(b.Value) || math.IsInf(b.Value, 0) || b.Value < 0 {
		return 0
	}
	return b.Value
}

// text is what b shows after the bar.
func (b Bar) text() string {
	if b.Text != "" {
		return b.Text
	}
	return strconv.FormatFloat(b.value(), 'f', -1, 64)
}

// desc is the chart's description.
func (c BarChart) desc() string {
	if c.Desc != "" {
		return c.Desc
	}
	parts := make([]string, len(c.Bars))
	for i, b := range c.Bars {
		parts[i] = b.Label + ": " + b.text()
	}
	return strings.Join(parts, "、")
}

// id returns the sanitised ID, or one derived from the content.
func (c BarChart) id() string {
	id := strings.Map(func(r rune) rune {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' || r == '_') {
			return r
		}
		return -1
	}, c.ID)
	if id != "" {
		return id
	}
	h := fnv.New64a()
	h.Write([]byte(c.Title))
	for _, b := range c.Bars {
		h.Write([]byte{0})
		h.Write([]byte(b.Label))
	}
	return fmt.Sprintf("chart-%x", h.Sum64())
}

// num formats a coordinate with at most one decimal.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// runeWidth estimates the width of r in ems: wide (CJK, kana, full-width
// forms) 1, others 0.6.
func runeWidth(r rune) float64 {
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303F) || (r >= 0xFF01 && r <= 0xFF60) || (r >= 0xFFE0 && r <= 0xFFE6) {
		return 1
	}
	return 0.6
}

// textWidth estimates the width of s in pixels at size.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w * size
}

// fit cuts s with an ellipsis so that it fits in width pixels at size.
func fit(s string, width, size float64) string {
	if textWidth(s, size) <= width {
		return s
	}
	room := width - size // the ellipsis
	w := 0.0
	for i, r := range s {
		if w += runeWidth(r) * size; w > room {
			return s[:i] + "…"
		}
	}
	return s
}
