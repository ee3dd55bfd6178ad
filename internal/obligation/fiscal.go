package obligation

import (
	"fmt"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
)

// jst is Japan Standard Time. Fiscal years are counted in JST.
var jst = career.JST

// FiscalYear returns the Japanese fiscal year (年度) of t in JST: April to
// March, named after the calendar year in which it starts. 2027-03-31 is in
// 2026, 2027-04-01 in 2027.
func FiscalYear(t time.Time) int {
	t = t.In(jst)
	if t.Month() >= time.April {
		return t.Year()
	}
	return t.Year() - 1
}

// fiscalMonth returns the month of t's fiscal year in JST, 1 = April to
// 12 = March.
func fiscalMonth(t time.Time) int {
	return (int(t.In(jst).Month())+8)%12 + 1
}

// fiscalStart returns the first instant (JST) of fiscal year fy.
func fiscalStart(fy int) time.Time {
	return time.Date(fy, time.April, 1, 0, 0, 0, 0, jst)
}

// monthIndex numbers the months of all fiscal years in a row: month m
// (1 = April) of fiscal year fy is fy*12 + m - 1.
func monthIndex(fy, m int) int { return fy*12 + m - 1 }

// splitMonth is the inverse of monthIndex.
func splitMonth(i int) (fy, m int) {
	fy = i / 12
	if i%12 < 0 {
		fy--
	}
	return fy, i - fy*12 + 1
}

// formatMonth formats the month at index i as a calendar month, e.g.
// 「2035年1月」 for the tenth month of fiscal year 2034.
func formatMonth(i int) string {
	fy, m := splitMonth(i)
	month := (m+2)%12 + 1
	year := fy
	if m > 9 {
		year++
	}
	return fmt.Sprintf("%d年%d月", year, month)
}

// formatDate formats the JST calendar date of t, e.g. 「2030年4月1日」.
func formatDate(t time.Time) string {
	t = t.In(jst)
	return fmt.Sprintf("%d年%d月%d日", t.Year(), int(t.Month()), t.Day())
}
