package regional

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
)

// PlanAhead is how many fiscal years after its own the dashboard shows
// from the plans.
const PlanAhead = 3

// NoSpecialty is the dashboard's row for service without a 基本領域 yet
// (初期研修).
const NoSpecialty = ""

// SpecialtyLabel is the Japanese name of a dashboard row.
func SpecialtyLabel(specialty string) string {
	if specialty == NoSpecialty {
		return "診療科未定（初期研修など）"
	}
	return specialty
}

// Dashboard is a prefecture's supply of doctors and its need, by
// specialty and medical area, for a fiscal year and the PlanAhead years
// after it, with where its enrolled doctors stand in their obligations.
type Dashboard struct {
	PrefectureOrgID int64
	Prefecture      string
	FiscalYear      int       // the first year shown
	AsOf            time.Time // when the statuses were summarised
	Areas           []Area    // the columns, by code
	// Specialties are the rows: the 基本領域 with a need or a doctor in any
	// year shown, in the board's order, then NoSpecialty if a doctor
	// serves without one.
	Specialties []string
	Years       []YearGrid // FiscalYear, then the PlanAhead years after it
	Programs    []ProgramRate
	Total       ProgramRate // every program of the prefecture
}

// YearGrid is one fiscal year of the dashboard.
type YearGrid struct {
	FiscalYear int
	Cells      [][]Cell // Cells[i][j] is Specialties[i] in Areas[j]
}

// Cell is the supply and the need of one specialty in one medical area in
// one fiscal year. A doctor counts once in every cell in which they serve
// that year, so headcounts do not add up across cells; the FTE (months
// of service / 12) do.
type Cell struct {
	Placed    int     // doctors whose ledger records service here
	PlacedFTE float64 // their months / 12
	// Planned are the doctors whose latest plan puts them here, among those
	// with nothing recorded in the ledger that year; 0 in the dashboard's
	// first year, which counts the ledger only.
	Planned    int
	PlannedFTE float64
	Need       int
	HasNeed    bool // the prefecture entered a need here
}

// Supply is the doctors placed or planned here.
func (c Cell) Supply() int { return c.Placed + c.Planned }

// SupplyFTE is the placed and planned FTE.
func (c Cell) SupplyFTE() float64 { return c.PlacedFTE + c.PlannedFTE }

// Gap is the need less the supply: a shortage when positive, a surplus
// when negative. It means something only when HasNeed.
func (c Cell) Gap() int { return c.Need - c.Supply() }

// ProgramRate is how the enrolments of a program stand now.
type ProgramRate struct {
	ProgramID int64 // 0 for the total
	Name      string
	Enrolled  int // every enrolment, including those that completed or left
	OnTrack   int
	AtRisk    int
	// CannotComplete are those that can no longer complete by the
	// deadline.
	CannotComplete int
	Completed      int
	Left           int
	// CompletionRate is the percentage of Enrolled that completed; 0 when
	// none is enrolled.
	CompletionRate float64
}

// Dashboard returns the prefecture's supply and need from fiscal year
// (0: the current one) to year+PlanAhead, for the officers of the
// prefecture: anyone who may list its enrolments. Others get not_found.
//
// Supply comes from the enrolments in the prefecture's programs:
//   - Placed: service the ledgers record in a medical area of the
//     prefecture that year (service outside the prefecture counts nowhere).
//     A departed doctor's service counts up to the fiscal year of the
//     departure.
//   - Planned, in the years after the first: the service rows, with a
//     medical area of the prefecture, of the doctor's latest plan (the one
//     updated last, of any of their enrolments in the prefecture), for the
//     years in which the ledger records nothing for the doctor yet: a
//     placement (say, by the annual round) or a suspension recorded in
//     advance overrides the plan for its year. Departed doctors plan
//     nothing. Rows naming an unknown area count nowhere.
//
// The statuses of the enrolments are as of now, whatever the year.
func (s *Service) Dashboard(ctx context.Context, actor policy.Actor, prefOrgID int64, year int) (*Dashboard, error) {
	org, err := s.orgOfKind(ctx, prefOrgID, "prefecture_org_id", "都道府県を選んでください。", identity.OrgPrefecture)
	if err != nil {
		return nil, err
	}
	// The dashboard adds up the prefecture's enrolments and plans: those
	// who may list them may read it. Program rules are public; this is not.
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindEnrollment, OrgID: prefOrgID}); err != nil {
		return nil, hidden(err)
	}
	now := s.now()
	if year == 0 {
		year = obligation.FiscalYear(now)
	}
	if year < obligation.MinFiscalYear || year+PlanAhead > obligation.MaxFiscalYear {
		return nil, apperr.InvalidFields(map[string]string{"fiscal_year": "年度を確認してください。"})
	}
	areas, err := s.Store.Areas(ctx, prefOrgID)
	if err != nil {
		return nil, err
	}
	programs, err := s.Store.Programs(ctx, prefOrgID)
	if err != nil {
		return nil, err
	}
	list, err := s.Store.Enrollments(ctx, EnrollmentFilter{PrefectureOrgID: prefOrgID})
	if err != nil {
		return nil, err
	}
	views, err := s.summarise(ctx, list, "")
	if err != nil {
		return nil, err
	}
	plans, err := s.Store.PrefecturePlans(ctx, prefOrgID)
	if err != nil {
		return nil, err
	}
	needs, err := s.Store.Needs(ctx, prefOrgID, year, year+PlanAhead)
	if err != nil {
		return nil, err
	}
	d := buildDashboard(year, areas, views, plans, needs)
	d.PrefectureOrgID, d.Prefecture, d.AsOf = prefOrgID, PrefectureName(org), now
	d.Programs, d.Total = rates(programs, views)
	return d, nil
}

// cellKey names a cell of the dashboard.
type cellKey struct {
	year      int
	specialty string
	areaID    int64
}

// cellCount is a cell being counted: the doctors placed and planned, and
// their months.
type cellCount struct {
	placed, planned             map[int64]bool
	placedMonths, plannedMonths int
	need                        int
	hasNeed                     bool
}

// buildDashboard counts the supply and the need of the fiscal years from
// year to year+PlanAhead, as Service.Dashboard says.
func buildDashboard(year int, areas []Area, views []EnrollmentView, plans []obligation.Plan, needs []Need) *Dashboard {
	last := year + PlanAhead
	byID := map[int64]bool{}
	byCode := map[string]int64{}
	for _, a := range areas {
		byID[a.ID], byCode[a.Code] = true, a.ID
	}
	cells := map[cellKey]*cellCount{}
	at := func(k cellKey) *cellCount {
		if cells[k] == nil {
			cells[k] = &cellCount{placed: map[int64]bool{}, planned: map[int64]bool{}}
		}
		return cells[k]
	}

	type doctorYear struct {
		doctor int64
		year   int
	}
	recorded := map[doctorYear]bool{} // the ledger holds a record that year
	enrolment := map[int64]*Enrollment{}
	for _, v := range views {
		e := v.Enrollment
		enrolment[e.ID] = e
		until := last
		if e.Departure != nil {
			until = min(until, obligation.FiscalYear(e.Departure.On))
		}
		for _, p := range v.Entries.Placements {
			if p.FiscalYear < year || p.FiscalYear > until {
				continue
			}
			recorded[doctorYear{e.DoctorID, p.FiscalYear}] = true
			if p.Outside || !byID[p.AreaID] {
				continue
			}
			c := at(cellKey{p.FiscalYear, p.Specialty, p.AreaID})
			c.placed[e.DoctorID] = true
			c.placedMonths += p.Months
		}
		for _, sp := range v.Entries.Suspensions {
			if sp.FiscalYear >= year && sp.FiscalYear <= until {
				recorded[doctorYear{e.DoctorID, sp.FiscalYear}] = true
			}
		}
	}

	// The latest plan of each doctor who has not left.
	latest := map[int64]*obligation.Plan{}
	for i := range plans {
		p := &plans[i]
		e := enrolment[p.EnrollmentID]
		if e == nil || e.Departure != nil {
			continue
		}
		cur := latest[e.DoctorID]
		if cur == nil || p.UpdatedAt.After(cur.UpdatedAt) || (p.UpdatedAt.Equal(cur.UpdatedAt) && p.ID > cur.ID) {
			latest[e.DoctorID] = p
		}
	}
	for doctor, p := range latest {
		for _, y := range p.Years {
			areaID, ok := byCode[y.AreaCode]
			if y.Kind != obligation.PlanService || y.Outside || !ok || y.FiscalYear <= year || y.FiscalYear > last ||
				recorded[doctorYear{doctor, y.FiscalYear}] {
				continue
			}
			c := at(cellKey{y.FiscalYear, y.Specialty, areaID})
			c.planned[doctor] = true
			c.plannedMonths += y.Months
		}
	}

	for _, n := range needs {
		if n.FiscalYear < year || n.FiscalYear > last || !byID[n.AreaID] {
			continue
		}
		c := at(cellKey{n.FiscalYear, n.Specialty, n.AreaID})
		c.need, c.hasNeed = n.Count, true
	}

	d := &Dashboard{FiscalYear: year, Areas: areas, Specialties: specialtyRows(cells)}
	for y := year; y <= last; y++ {
		g := YearGrid{FiscalYear: y, Cells: make([][]Cell, len(d.Specialties))}
		for i, sp := range d.Specialties {
			g.Cells[i] = make([]Cell, len(areas))
			for j, a := range areas {
				if c := cells[cellKey{y, sp, a.ID}]; c != nil {
					g.Cells[i][j] = Cell{Placed: len(c.placed), PlacedFTE: fte(c.placedMonths),
						Planned: len(c.planned), PlannedFTE: fte(c.plannedMonths), Need: c.need, HasNeed: c.hasNeed}
				}
			}
		}
		d.Years = append(d.Years, g)
	}
	return d
}

// fte converts months of service to full-time years, to two decimals.
func fte(months int) float64 { return math.Round(float64(months)/12*100) / 100 }

// specialtyRows orders the specialties of the counted cells: the 基本領域
// in the board's order, then any other value as stored, then NoSpecialty.
func specialtyRows(cells map[cellKey]*cellCount) []string {
	seen := map[string]bool{}
	for k := range cells {
		seen[k.specialty] = true
	}
	rank := func(s string) int {
		if s == NoSpecialty {
			return len(career.Specialties) + 1
		}
		if i := slices.Index(career.Specialties, s); i >= 0 {
			return i
		}
		return len(career.Specialties)
	}
	rows := make([]string, 0, len(seen))
	for s := range seen {
		rows = append(rows, s)
	}
	slices.SortFunc(rows, func(a, b string) int { return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b)) })
	return rows
}

// rates counts the statuses of the enrolments by program, and in total.
func rates(programs []obligation.Program, views []EnrollmentView) ([]ProgramRate, ProgramRate) {
	out := make([]ProgramRate, len(programs))
	index := map[int64]int{}
	for i, p := range programs {
		out[i] = ProgramRate{ProgramID: p.ID, Name: p.Name}
		index[p.ID] = i
	}
	total := ProgramRate{Name: "全体"}
	for _, v := range views {
		i, ok := index[v.Enrollment.ProgramID]
		if !ok {
			continue
		}
		for _, r := range []*ProgramRate{&out[i], &total} {
			r.Enrolled++
			switch v.Summary.Status {
			case obligation.OnTrack:
				r.OnTrack++
			case obligation.AtRisk:
				r.AtRisk++
			case obligation.CannotComplete:
				r.CannotComplete++
			case obligation.Completed:
				r.Completed++
			case obligation.Left:
				r.Left++
			}
		}
	}
	rate := func(r *ProgramRate) {
		if r.Enrolled > 0 {
			r.CompletionRate = math.Round(1000*float64(r.Completed)/float64(r.Enrolled)) / 10
		}
	}
	for i := range out {
		rate(&out[i])
	}
	rate(&total)
	return out, total
}

// DashboardCSVHeader is the header row WriteDashboardCSV writes.
var DashboardCSVHeader = []string{"年度", "診療科", "医療圏コード", "医療圏", "配置(人)", "配置(常勤換算)",
	"計画(人)", "計画(常勤換算)", "供給(人)", "必要医師数", "過不足(必要医師数－供給)"}

// WriteDashboardCSV writes the cells of d as one CSV table for Excel with
// excelcsv.Write: CRLF line endings, in enc ("" means excelcsv.UTF8BOM,
// UTF-8 with a byte order mark; excelcsv.ShiftJIS for older Excel). After
// the header (DashboardCSVHeader), one row per year, specialty and area, in
// the dashboard's order. FTE have two decimals; the need and the gap are
// empty where no need was entered; a shortage is positive, a surplus a
// negative number. Labels a spreadsheet would run as a formula get a
// leading apostrophe. A label Shift_JIS cannot hold fails the whole export
// with an error wrapping excelcsv.ErrUnencodable, and nothing is written.
func WriteDashboardCSV(w io.Writer, d *Dashboard, enc excelcsv.Encoding) error {
	records := [][]string{DashboardCSVHeader}
	for _, g := range d.Years {
		for i, sp := range d.Specialties {
			for j, a := range d.Areas {
				c := g.Cells[i][j]
				need, gap := "", ""
				if c.HasNeed {
					need, gap = strconv.Itoa(c.Need), strconv.Itoa(c.Gap())
				}
				records = append(records, []string{strconv.Itoa(g.FiscalYear), SpecialtyLabel(sp), a.Code, a.Name,
					strconv.Itoa(c.Placed), decimal(c.PlacedFTE), strconv.Itoa(c.Planned), decimal(c.PlannedFTE),
					strconv.Itoa(c.Supply()), need, gap})
			}
		}
	}
	if err := excelcsv.Write(w, records, enc); err != nil {
		return fmt.Errorf("regional: dashboard CSV: %w", err)
	}
	return nil
}

// decimal formats an FTE with two decimals.
func decimal(f float64) string { return strconv.FormatFloat(f, 'f', 2, 64) }
