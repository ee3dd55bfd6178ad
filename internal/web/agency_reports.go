package web

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/chart"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/placement"
)

// defaultReportDays is the period a report covers unless told otherwise.
const defaultReportDays = 90

// reportFilter reads the report's period (JST calendar dates, both
// included) and agent from the query. What does not parse is named in the
// returned map, and the default stands in for it.
func reportFilter(q url.Values, agencyID int64, now time.Time) (placement.ReportFilter, url.Values, map[string]string) {
	fields := map[string]string{}
	today := now.In(JST)
	to := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, JST)
	from := to.AddDate(0, 0, -defaultReportDays+1)
	date := func(key string, def time.Time) time.Time {
		v := jatext.NormalizeLine(q.Get(key))
		if v == "" {
			return def
		}
		d, err := time.ParseInLocation(time.DateOnly, v, JST)
		if err != nil {
			fields[key] = "日付を YYYY-MM-DD の形式で入力してください。"
			return def
		}
		return d
	}
	from, to = date("from", from), date("to", to)
	f := placement.ReportFilter{AgencyID: agencyID, Period: placement.Period{From: from.UTC(), To: to.AddDate(0, 0, 1).UTC()}}
	if a := q.Get("agent"); a != "" {
		id, err := strconv.ParseInt(a, 10, 64)
		if err != nil || id < 0 {
			fields["agent"] = "担当者を選んでください。"
		} else {
			f.AgentID = id
		}
	}
	form := url.Values{"from": {from.Format(time.DateOnly)}, "to": {to.Format(time.DateOnly)}}
	if f.AgentID != 0 {
		form.Set("agent", strconv.FormatInt(f.AgentID, 10))
	}
	return f, form, fields
}

// funnelRow is a funnel step with its conversion written out; the last
// step has none.
type funnelRow struct {
	placement.FunnelStep
	Rate string
}

// stageTimeView is a StageTime with its median in days, one decimal.
type stageTimeView struct {
	placement.StageTime
	Days string
}

func medianDays(t placement.StageTime) string {
	if t.Count == 0 {
		return "—"
	}
	return strconv.FormatFloat(t.Median.Hours()/24, 'f', 1, 64)
}

// reportCharts draws the report's three parts; each sits under its own
// heading, so the charts carry no title of their own.
func reportCharts(rep *placement.Report) map[string]template.HTML {
	funnel := chart.BarChart{ID: "funnel"}
	for i, st := range rep.Funnel {
		text := fmt.Sprintf("%d件", st.Reached)
		if i+1 < len(rep.Funnel) && st.Reached > 0 {
			text += fmt.Sprintf("（次へ %.1f%%）", st.Conversion)
		}
		funnel.Bars = append(funnel.Bars, chart.Bar{Label: st.Stage.Label(), Value: float64(st.Reached), Text: text})
	}
	times := chart.BarChart{ID: "times"}
	for _, t := range rep.Times {
		text := "—"
		if t.Count > 0 {
			text = medianDays(t) + "日（" + strconv.Itoa(t.Count) + "件）"
		}
		times.Bars = append(times.Bars, chart.Bar{Label: t.Stage.Label(), Value: t.Median.Hours() / 24, Text: text})
	}
	outcomes := chart.BarChart{ID: "outcomes"}
	for _, o := range rep.Outcomes {
		label := o.Stage.Label()
		if o.Reason != "" {
			label += "：" + o.Reason.Label()
		}
		outcomes.Bars = append(outcomes.Bars, chart.Bar{Label: label, Value: float64(o.Count), Text: strconv.Itoa(o.Count) + "件"})
	}
	out := map[string]template.HTML{"Funnel": funnel.SVG(), "Times": times.SVG()}
	if len(outcomes.Bars) > 0 {
		out["Outcomes"] = outcomes.SVG()
	}
	return out
}

// agencyAgents lists the agency's agents for the report's select.
func (s *Server) agencyAgents(r *http.Request, cur *httpx.Current, agencyID int64) ([]identity.Member, error) {
	view, err := s.Views.Org(r.Context(), cur.Actor(), agencyID)
	if err != nil {
		return nil, err
	}
	var out []identity.Member
	for _, m := range view.Members {
		if m.Role == identity.RoleAgent {
			out = append(out, m)
		}
	}
	return out, nil
}

func (s *Server) agencyReports(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ag, err := agencyOf(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, form, fields := reportFilter(r.URL.Query(), ag.ID(), s.Placement.Now())
	agents, err := s.agencyAgents(r, cur, ag.ID())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &page{Title: "レポート", Form: form}
	data := map[string]any{"Agency": ag, "Agents": agents, "Query": form.Encode()}
	p.Data = data
	if len(fields) > 0 {
		p.Errors = fields
		p.Errors[""] = "期間の指定を確認してください。"
		p.Form = r.URL.Query()
		s.render(w, r, http.StatusBadRequest, "agency_reports", p)
		return
	}
	rep, err := s.Placement.AgencyReport(r.Context(), cur.Actor(), f)
	if apperr.Is(err, apperr.Invalid) {
		p.Errors = map[string]string{"": apperr.MessageOf(err)}
		for k, v := range apperr.FieldsOf(err) {
			p.Errors[k] = v
		}
		s.render(w, r, http.StatusBadRequest, "agency_reports", p)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var times []stageTimeView
	for _, t := range rep.Times {
		times = append(times, stageTimeView{StageTime: t, Days: medianDays(t)})
	}
	var funnel []funnelRow
	for i, st := range rep.Funnel {
		row := funnelRow{FunnelStep: st, Rate: "—"}
		if i+1 < len(rep.Funnel) {
			row.Rate = strconv.FormatFloat(st.Conversion, 'f', 1, 64) + "%"
		}
		funnel = append(funnel, row)
	}
	data["Report"] = rep
	data["Funnel"] = funnel
	data["Times"] = times
	data["Charts"] = reportCharts(rep)
	s.render(w, r, http.StatusOK, "agency_reports", p)
}

func (s *Server) agencyReportCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ag, err := agencyOf(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f, _, fields := reportFilter(r.URL.Query(), ag.ID(), s.Placement.Now())
	if len(fields) > 0 {
		s.fail(w, r, invalid(fields))
		return
	}
	rep, err := s.Placement.AgencyReport(r.Context(), cur.Actor(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	enc := excelcsv.FromQuery(r.URL.Query().Get("encoding"))
	name := fmt.Sprintf("report-%d-%s-%s.csv", ag.ID(), f.Period.From.In(JST).Format("20060102"),
		f.Period.To.In(JST).AddDate(0, 0, -1).Format("20060102"))
	w.Header().Set("Content-Type", "text/csv; charset="+enc.Charset())
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := placement.WriteReportCSV(w, rep, enc); err != nil {
		s.Log.Error("report csv", "err", err)
	}
}
