package api

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/regional"
)

// The JSON shapes of a prefecture's needs (必要医師数) and its
// supply-and-need dashboard. A cell's need and gap are null where the
// prefecture entered no need.

type needJSON struct {
	FiscalYear    int       `json:"fiscal_year"`
	Specialty     string    `json:"specialty"`
	AreaID        int64     `json:"area_id"`
	AreaCode      string    `json:"area_code"`
	Area          string    `json:"area"`
	Count         int       `json:"count"`
	UpdatedBy     int64     `json:"updated_by"`
	UpdatedByName string    `json:"updated_by_name"`
	UpdatedAt     time.Time `json:"updated_at"`
}

func toNeedJSON(n *regional.Need) needJSON {
	return needJSON{FiscalYear: n.FiscalYear, Specialty: n.Specialty, AreaID: n.AreaID, AreaCode: n.AreaCode, Area: n.AreaName,
		Count: n.Count, UpdatedBy: n.UpdatedBy, UpdatedByName: n.UpdatedByName, UpdatedAt: n.UpdatedAt}
}

type cellJSON struct {
	Placed     int     `json:"placed"`
	PlacedFTE  float64 `json:"placed_fte"`
	Planned    int     `json:"planned"`
	PlannedFTE float64 `json:"planned_fte"`
	Supply     int     `json:"supply"`
	SupplyFTE  float64 `json:"supply_fte"`
	Need       *int    `json:"need"`
	Gap        *int    `json:"gap"`
}

type yearGridJSON struct {
	FiscalYear int `json:"fiscal_year"`
	// Cells[i][j] is Specialties[i] in Areas[j].
	Cells [][]cellJSON `json:"cells"`
}

type specialtyRowJSON struct {
	Specialty string `json:"specialty"` // "" for service without a 基本領域
	Label     string `json:"label"`
}

type programRateJSON struct {
	ProgramID      int64   `json:"program_id"`
	Name           string  `json:"name"`
	Enrolled       int     `json:"enrolled"`
	OnTrack        int     `json:"on_track"`
	AtRisk         int     `json:"at_risk"`
	CannotComplete int     `json:"cannot_complete"`
	Completed      int     `json:"completed"`
	Left           int     `json:"left"`
	CompletionRate float64 `json:"completion_rate"`
}

func toProgramRateJSON(r regional.ProgramRate) programRateJSON {
	return programRateJSON{ProgramID: r.ProgramID, Name: r.Name, Enrolled: r.Enrolled, OnTrack: r.OnTrack, AtRisk: r.AtRisk,
		CannotComplete: r.CannotComplete, Completed: r.Completed, Left: r.Left, CompletionRate: r.CompletionRate}
}

type dashboardJSON struct {
	PrefectureOrgID int64              `json:"prefecture_org_id"`
	Prefecture      string             `json:"prefecture"`
	FiscalYear      int                `json:"fiscal_year"`
	AsOf            time.Time          `json:"as_of"`
	Areas           []areaJSON         `json:"areas"`
	Specialties     []specialtyRowJSON `json:"specialties"`
	Years           []yearGridJSON     `json:"years"`
	Programs        []programRateJSON  `json:"programs"`
	Total           programRateJSON    `json:"total"`
}

func toDashboardJSON(d *regional.Dashboard) dashboardJSON {
	out := dashboardJSON{PrefectureOrgID: d.PrefectureOrgID, Prefecture: d.Prefecture, FiscalYear: d.FiscalYear, AsOf: d.AsOf,
		Areas: make([]areaJSON, len(d.Areas)), Specialties: make([]specialtyRowJSON, len(d.Specialties)),
		Years: make([]yearGridJSON, len(d.Years)), Programs: make([]programRateJSON, len(d.Programs)), Total: toProgramRateJSON(d.Total)}
	for i := range d.Areas {
		out.Areas[i] = toAreaJSON(&d.Areas[i])
	}
	for i, sp := range d.Specialties {
		out.Specialties[i] = specialtyRowJSON{Specialty: sp, Label: regional.SpecialtyLabel(sp)}
	}
	for y, g := range d.Years {
		grid := yearGridJSON{FiscalYear: g.FiscalYear, Cells: make([][]cellJSON, len(g.Cells))}
		for i, row := range g.Cells {
			grid.Cells[i] = make([]cellJSON, len(row))
			for j, c := range row {
				cj := cellJSON{Placed: c.Placed, PlacedFTE: c.PlacedFTE, Planned: c.Planned, PlannedFTE: c.PlannedFTE,
					Supply: c.Supply(), SupplyFTE: c.SupplyFTE()}
				if c.HasNeed {
					need, gap := c.Need, c.Gap()
					cj.Need, cj.Gap = &need, &gap
				}
				grid.Cells[i][j] = cj
			}
		}
		out.Years[y] = grid
	}
	for i, r := range d.Programs {
		out.Programs[i] = toProgramRateJSON(r)
	}
	return out
}

// queryYear reads a fiscal year from the query; def when absent.
func queryYear(r *http.Request, name string, def int) (int, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	y, err := strconv.Atoi(v)
	if err != nil {
		return 0, apperr.InvalidFields(map[string]string{name: "年度は数字で指定してください（例: 2026）。"})
	}
	return y, nil
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	year, err := queryYear(r, "year", 0)
	if err != nil {
		return err
	}
	d, err := s.Regional.Dashboard(r.Context(), cur.Actor(), id, year)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toDashboardJSON(d))
}

// dashboardCSV is the dashboard as one CSV table for Excel
// (?encoding=shift_jis for older Excel).
func (s *Server) dashboardCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	year, err := queryYear(r, "year", 0)
	if err != nil {
		return err
	}
	enc := excelcsv.FromQuery(r.URL.Query().Get("encoding"))
	d, err := s.Regional.Dashboard(r.Context(), cur.Actor(), id, year)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := regional.WriteDashboardCSV(&buf, d, enc); err != nil {
		if errors.Is(err, excelcsv.ErrUnencodable) {
			return apperr.InvalidFields(map[string]string{"encoding": "Shift_JISで表せない文字があります。UTF-8で出力してください。"})
		}
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset="+enc.Charset())
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="dashboard-%d.csv"`, d.FiscalYear))
	w.Write(buf.Bytes())
	return nil
}

// needs lists the prefecture's needs in the fiscal years from to to
// (every year when absent).
func (s *Server) needs(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	from, err := queryYear(r, "from", obligation.MinFiscalYear)
	if err != nil {
		return err
	}
	to, err := queryYear(r, "to", obligation.MaxFiscalYear)
	if err != nil {
		return err
	}
	list, err := s.Regional.Needs(r.Context(), cur.Actor(), id, from, to)
	if err != nil {
		return err
	}
	out := make([]needJSON, len(list))
	for i := range list {
		out[i] = toNeedJSON(&list[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"needs": out})
}

// setNeed sets (or replaces) one need and answers it as stored.
func (s *Server) setNeed(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		FiscalYear int    `json:"fiscal_year"`
		Specialty  string `json:"specialty"`
		AreaID     int64  `json:"area_id"`
		Count      *int   `json:"count"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Count == nil {
		return apperr.InvalidFields(map[string]string{"count": "必要医師数を指定してください。"})
	}
	if err := s.Regional.SetNeed(r.Context(), cur.Actor(), id, in.FiscalYear, in.Specialty, in.AreaID, *in.Count); err != nil {
		return err
	}
	list, err := s.Regional.Needs(r.Context(), cur.Actor(), id, in.FiscalYear, in.FiscalYear)
	if err != nil {
		return err
	}
	specialty := jatext.NormalizeLine(in.Specialty)
	for i := range list {
		if n := &list[i]; n.AreaID == in.AreaID && n.Specialty == specialty {
			return writeJSON(w, http.StatusOK, toNeedJSON(n))
		}
	}
	return apperr.E(apperr.Conflict, "必要医師数は他の方が先に削除しました。")
}

// clearNeed forgets the need the query names.
func (s *Server) clearNeed(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	year, err := queryYear(r, "fiscal_year", 0)
	if err != nil {
		return err
	}
	area, err := queryInt(r, "area_id")
	if err != nil {
		return err
	}
	if err := s.Regional.ClearNeed(r.Context(), cur.Actor(), id, year, r.URL.Query().Get("specialty"), area); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
