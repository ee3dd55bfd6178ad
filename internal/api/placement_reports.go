package api

import (
	"bytes"
	"math"
	"net/http"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/placement"
)

// defaultReportDays is the period a report covers when from is not given.
const defaultReportDays = 90

// reportFilter reads from and to (JST calendar dates, both included) and
// agent. Without to, the period ends today; without from, it covers
// defaultReportDays days.
func (s *Server) reportFilter(r *http.Request) (placement.ReportFilter, error) {
	id, err := pathID(r)
	if err != nil {
		return placement.ReportFilter{}, err
	}
	f := placement.ReportFilter{AgencyID: id}
	if f.AgentID, err = queryInt(r, "agent"); err != nil {
		return f, err
	}
	fields := map[string]string{}
	date := func(name string, def time.Time) time.Time {
		v := r.URL.Query().Get(name)
		if v == "" {
			return def
		}
		d, err := time.ParseInLocation(time.DateOnly, v, jst)
		if err != nil {
			fields[name] = "日付は YYYY-MM-DD の形式で指定してください。"
		}
		return d
	}
	now := s.Placement.Now().In(jst)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, jst)
	to := date("to", today)
	from := date("from", to.AddDate(0, 0, 1-defaultReportDays))
	if len(fields) > 0 {
		return f, apperr.InvalidFields(fields)
	}
	f.Period = placement.Period{From: from.UTC(), To: to.AddDate(0, 0, 1).UTC()}
	return f, nil
}

// reportJSON is an agency's pipeline report: the funnel of the cases
// created in the period, the days spent per stage for the stays that ended
// in it, and the outcomes recorded in it.
type reportJSON struct {
	AgencyID int64              `json:"agency_id"`
	AgentID  *int64             `json:"agent_id"`
	From     string             `json:"from"`
	To       string             `json:"to"`
	Funnel   []funnelStepJSON   `json:"funnel"`
	Times    []stageTimeJSON    `json:"times"`
	Outcomes []outcomeCountJSON `json:"outcomes"`
}

type funnelStepJSON struct {
	Stage      placement.Stage `json:"stage"`
	Reached    int             `json:"reached"`
	Conversion float64         `json:"conversion"` // percent reaching the next step
}

type stageTimeJSON struct {
	Stage      placement.Stage `json:"stage"`
	Count      int             `json:"count"`
	MedianDays float64         `json:"median_days"`
	Ongoing    int             `json:"ongoing"`
}

type outcomeCountJSON struct {
	Stage  placement.Stage  `json:"stage"`
	Reason placement.Reason `json:"reason"`
	Count  int              `json:"count"`
}

// round1 rounds to one decimal, as the CSV shows it.
func round1(x float64) float64 { return math.Round(x*10) / 10 }

func toReportJSON(rep *placement.Report) reportJSON {
	out := reportJSON{AgencyID: rep.Filter.AgencyID, AgentID: optID(rep.Filter.AgentID),
		From: rep.Filter.Period.From.In(jst).Format(time.DateOnly), To: rep.Filter.Period.To.In(jst).AddDate(0, 0, -1).Format(time.DateOnly),
		Funnel: []funnelStepJSON{}, Times: []stageTimeJSON{}, Outcomes: []outcomeCountJSON{}}
	for _, st := range rep.Funnel {
		out.Funnel = append(out.Funnel, funnelStepJSON{Stage: st.Stage, Reached: st.Reached, Conversion: round1(st.Conversion)})
	}
	for _, t := range rep.Times {
		out.Times = append(out.Times, stageTimeJSON{Stage: t.Stage, Count: t.Count, MedianDays: round1(t.Median.Hours() / 24), Ongoing: t.Ongoing})
	}
	for _, o := range rep.Outcomes {
		out.Outcomes = append(out.Outcomes, outcomeCountJSON(o))
	}
	return out
}

func (s *Server) agencyReport(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	f, err := s.reportFilter(r)
	if err != nil {
		return err
	}
	rep, err := s.Placement.AgencyReport(r.Context(), cur.Actor(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toReportJSON(rep))
}

// agencyReportCSV is the same report as one CSV table for Excel
// (?encoding=shift_jis for older Excel).
func (s *Server) agencyReportCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	f, err := s.reportFilter(r)
	if err != nil {
		return err
	}
	rep, err := s.Placement.AgencyReport(r.Context(), cur.Actor(), f)
	if err != nil {
		return err
	}
	enc := excelcsv.FromQuery(r.URL.Query().Get("encoding"))
	var buf bytes.Buffer
	if err := placement.WriteReportCSV(&buf, rep, enc); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset="+enc.Charset())
	w.Header().Set("Content-Disposition", `attachment; filename="report.csv"`)
	w.Write(buf.Bytes())
	return nil
}
