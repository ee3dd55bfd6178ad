package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/chart"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/regional"
)

// dashboardYear reads the fiscal year of the dashboard; empty means the
// current one (0 for the service).
func dashboardYear(raw string) (int, error) {
	if raw == "" {
		return 0, nil
	}
	y, err := strconv.Atoi(raw)
	if err != nil || y < 2000 || y > 2100 {
		return 0, invalid(map[string]string{"year": "年度は2000〜2100の数字で指定してください。"})
	}
	return y, nil
}

// gridView is one year of the dashboard as the page draws it.
type gridView struct {
	FiscalYear int
	HeatMap    template.HTML
	Rows       []gridRow
}

type gridRow struct {
	Specialty string
	Cells     []regional.Cell
}

func dashboardGrids(d *regional.Dashboard) []gridView {
	cols := make([]string, len(d.Areas))
	for j, a := range d.Areas {
		cols[j] = a.Name
	}
	rows := make([]string, len(d.Specialties))
	for i, s := range d.Specialties {
		rows[i] = regional.SpecialtyLabel(s)
	}
	var out []gridView
	for _, y := range d.Years {
		values := make([][]float64, len(y.Cells))
		texts := make([][]string, len(y.Cells))
		view := gridView{FiscalYear: y.FiscalYear}
		for i, row := range y.Cells {
			values[i], texts[i] = make([]float64, len(row)), make([]string, len(row))
			for j, c := range row {
				values[i][j], texts[i][j] = math.NaN(), "—"
				if c.HasNeed {
					values[i][j], texts[i][j] = float64(c.Gap()), fmt.Sprintf("%+d", c.Gap())
				}
			}
			view.Rows = append(view.Rows, gridRow{Specialty: rows[i], Cells: row})
		}
		view.HeatMap = chart.HeatMap{ID: fmt.Sprintf("gap-%d", y.FiscalYear),
			Title: fmt.Sprintf("%d年度の不足と余剰（必要数 − 配置・計画数）", y.FiscalYear),
			Desc:  "行は診療科、列は二次医療圏。正の値は不足、負の値は余剰。必要数が未入力のセルは「—」。",
			Rows:  rows, Cols: cols, Values: values, Texts: texts, Diverging: true, Low: "余剰", High: "不足"}.SVG()
		out = append(out, view)
	}
	return out
}

// regionalDashboard shows a prefecture's supply and need by specialty and
// medical area, for its officers.
func (s *Server) regionalDashboard(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderDashboard(w, r, cur, http.StatusOK, &page{Form: r.URL.Query()}, nil)
}

func (s *Server) renderDashboard(w http.ResponseWriter, r *http.Request, cur *httpx.Current, status int, p *page, formErr error) {
	desk, err := deskOf(r, cur, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year, err := dashboardYear(r.URL.Query().Get("year"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.Regional.Dashboard(r.Context(), cur.Actor(), desk.ID(), year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = "医師の需給"
	p.Data = map[string]any{"Desk": desk, "Dashboard": d, "Grids": dashboardGrids(d), "Specialties": career.Specialties,
		"CSV": desk.Link(fmt.Sprintf("/regional/dashboard.csv?year=%d", d.FiscalYear))}
	if formErr != nil {
		s.formError(w, r, "regional_dashboard", p, formErr)
		return
	}
	s.render(w, r, status, "regional_dashboard", p)
}

// setNeed records the need for one fiscal year, specialty and area.
func (s *Server) setNeed(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	desk, err := deskOf(r, cur, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := r.PostForm
	fields := map[string]string{}
	year := formInt(f, "need_year", "年度を数字で入力してください。", fields)
	area := formID(f, "area", "二次医療圏を選んでください。", fields)
	count := formInt(f, "count", "必要数を0以上の数字で入力してください。", fields)
	if len(fields) == 0 {
		err = s.Regional.SetNeed(r.Context(), cur.Actor(), desk.ID(), year, f.Get("specialty"), area, count)
	} else {
		err = invalid(fields)
	}
	if err != nil {
		if apperr.Is(err, apperr.Invalid) {
			s.renderDashboard(w, r, cur, http.StatusBadRequest, &page{Form: f}, err)
			return
		}
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "必要数を保存しました。")
	redirect(w, r, desk.Link(fmt.Sprintf("/regional/dashboard?year=%d", year)))
}

// dashboardCSV exports the dashboard, in Shift_JIS for Excel on request.
func (s *Server) dashboardCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	desk, err := deskOf(r, cur, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	year, err := dashboardYear(r.URL.Query().Get("year"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d, err := s.Regional.Dashboard(r.Context(), cur.Actor(), desk.ID(), year)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	enc := excelcsv.FromQuery(r.URL.Query().Get("encoding"))
	w.Header().Set("Content-Type", "text/csv; charset="+enc.Charset())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="supply-need-%d-%d.csv"`, desk.ID(), d.FiscalYear))
	w.Header().Set("Cache-Control", "no-store")
	if err := regional.WriteDashboardCSV(w, d, enc); err != nil {
		s.Log.ErrorContext(r.Context(), "dashboard csv", "err", err)
	}
}
