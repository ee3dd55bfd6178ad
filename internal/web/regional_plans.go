package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
)

// planBlankRows is how many empty rows the plan editor offers to add
// years.
const planBlankRows = 4

// maxPlanRows bounds the rows a posted plan form may hold.
const maxPlanRows = regional.MaxPlanYears + planBlankRows

// planColumns are the fields of a plan row, as the form names them with
// the row number: year_0, kind_0, …
var planColumns = []string{"year", "kind", "months", "class", "area", "outside", "specialty", "program", "reason", "note"}

// planRow is one row of the plan editor with what the check says of it.
type planRow struct {
	N        int
	Label    string   // 「3行目」
	Errors   []string // what the form refused in the row
	Problems []string // what the check found
}

// planEditor is what the plan editor draws.
type planEditor struct {
	View    *regional.EnrollmentView
	PlanID  int64
	Version int
	Rows    []planRow
	Check   *obligation.PlanCheck
	Overall []string // problems of the whole plan
	CanEdit bool
	Checked bool // the check is of a draft, not of the saved plan
	Sum     summaryView
}

// planForm lays a plan out as the editor's form values, with the blank
// rows after its years.
func planForm(p *obligation.Plan) url.Values {
	f := url.Values{"name": {p.Name}, "rows": {strconv.Itoa(len(p.Years) + planBlankRows)}}
	for i, y := range p.Years {
		n := strconv.Itoa(i)
		f.Set("year_"+n, strconv.Itoa(y.FiscalYear))
		f.Set("kind_"+n, string(y.Kind))
		f.Set("months_"+n, strconv.Itoa(y.Months))
		f.Set("class_"+n, string(y.Class))
		f.Set("area_"+n, y.AreaCode)
		if y.Outside {
			f.Set("outside_"+n, "1")
		}
		f.Set("specialty_"+n, y.Specialty)
		f.Set("program_"+n, y.Program)
		f.Set("reason_"+n, string(y.Reason))
		f.Set("note_"+n, y.Note)
	}
	return f
}

// parsePlanForm reads the editor's rows into a plan, skipping empty rows,
// and returns the form laid out again (the rows renumbered, blank rows
// after them) with what does not parse, named by the new row numbers. A
// row that does not parse is left out of the plan.
func parsePlanForm(v url.Values) (*obligation.Plan, url.Values, map[string]string) {
	fields := map[string]string{}
	p := &obligation.Plan{Name: v.Get("name")}
	out := url.Values{"name": {v.Get("name")}}
	rows, err := strconv.Atoi(v.Get("rows"))
	if err != nil || rows < 0 {
		rows = 0
	}
	rows = min(rows, maxPlanRows)
	n := 0
	for i := range rows {
		src := strconv.Itoa(i)
		empty := true
		for _, c := range planColumns {
			if c != "kind" && strings.TrimSpace(v.Get(c+"_"+src)) != "" {
				empty = false
			}
		}
		if empty {
			continue
		}
		dst := strconv.Itoa(n)
		for _, c := range planColumns {
			out.Set(c+"_"+dst, v.Get(c+"_"+src))
		}
		year, yerr := strconv.Atoi(jatext.NormalizeLine(v.Get("year_" + src)))
		months, merr := strconv.Atoi(jatext.NormalizeLine(v.Get("months_" + src)))
		if yerr != nil {
			fields["year_"+dst] = "年度を数字で入力してください（例: 2027）。"
		}
		if merr != nil {
			fields["months_"+dst] = "月数を1〜12の数字で入力してください。"
		}
		if yerr == nil && merr == nil {
			p.Years = append(p.Years, obligation.PlanYear{FiscalYear: year, Kind: obligation.PlanKind(v.Get("kind_" + src)), Months: months,
				Class: obligation.AreaClass(v.Get("class_" + src)), AreaCode: v.Get("area_" + src), Outside: v.Get("outside_"+src) == "1",
				Specialty: v.Get("specialty_" + src), Program: v.Get("program_" + src),
				Reason: obligation.SuspensionReason(v.Get("reason_" + src)), Note: v.Get("note_" + src)})
		}
		n++
	}
	out.Set("rows", strconv.Itoa(n+planBlankRows))
	return p, out, fields
}

// rowTakes says whether a row of the kind takes a problem of the field:
// a problem of the reason goes to a suspension row, one of the area or
// specialty to a service row.
func rowTakes(kind, field string) bool {
	switch field {
	case "reason":
		return kind == string(obligation.PlanSuspension) || kind == string(obligation.PlanResearch)
	case "class", "area_code", "specialty", "program":
		return kind == string(obligation.PlanService)
	}
	return true
}

// placeProblems puts each problem of the check next to the first row of
// its fiscal year that takes it; the rest are the whole plan's.
func placeProblems(ed *planEditor, form url.Values, check *obligation.PlanCheck) {
	for _, pr := range check.Problems {
		placed := false
		for _, take := range []bool{true, false} {
			for i := range ed.Rows {
				n := strconv.Itoa(i)
				y, err := strconv.Atoi(jatext.NormalizeLine(form.Get("year_" + n)))
				if placed || err != nil || y != pr.FiscalYear || pr.FiscalYear == 0 || (take && !rowTakes(form.Get("kind_"+n), pr.Field)) {
					continue
				}
				ed.Rows[i].Problems = append(ed.Rows[i].Problems, pr.Message)
				placed = true
			}
		}
		if !placed {
			msg := pr.Message
			if pr.FiscalYear != 0 && !strings.Contains(msg, strconv.Itoa(pr.FiscalYear)) {
				msg = fmt.Sprintf("%d年度: %s", pr.FiscalYear, msg)
			}
			ed.Overall = append(ed.Overall, msg)
		}
	}
}

// renderPlan draws the plan editor for the enrolment with the form values
// and the check. Errors of a failed save are put next to their rows.
func (s *Server) renderPlan(w http.ResponseWriter, r *http.Request, cur *httpx.Current, ed *planEditor, form url.Values,
	fields map[string]string, status int, formErr error) {
	rows, _ := strconv.Atoi(form.Get("rows"))
	rows = min(max(rows, planBlankRows), maxPlanRows)
	form.Set("rows", strconv.Itoa(rows))
	ed.Rows = make([]planRow, rows)
	for i := range ed.Rows {
		ed.Rows[i].N, ed.Rows[i].Label = i, strconv.Itoa(i+1)+"行目"
	}
	if ed.Check != nil {
		placeProblems(ed, form, ed.Check)
	}
	e := ed.View.Enrollment
	ed.CanEdit = may(cur, policy.Update, e, policy.KindPlan)
	ed.Sum = viewSummary(ed.View.Summary, ed.View.Program)
	title := e.DoctorName + "さんの複数年計画"
	if name := form.Get("name"); name != "" && ed.PlanID != 0 {
		title += "「" + name + "」"
	}
	areas, err := s.Regional.Areas(r.Context(), cur.Actor(), e.PrefectureOrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &page{Title: title, Form: form, Data: map[string]any{"Ed": ed, "E": e, "Program": ed.View.Program, "Areas": areas,
		"Kinds": obligation.PlanKinds, "Classes": obligation.AreaClasses, "Reasons": obligation.SuspensionReasons,
		"Specialties": programSpecialties(ed.View.Program), "Conflict": apperr.Is(formErr, apperr.Conflict),
		"Projected": fiscalMonthText(projected(ed.Check)), "RequiredMonths": ed.View.Program.TotalYears * 12,
		"RequiredShortageMonths": ed.View.Program.MinShortageYears * 12}}
	if formErr == nil && len(fields) > 0 {
		formErr = invalid(fields)
	}
	if formErr != nil {
		code := apperr.CodeOf(formErr)
		if code != apperr.Invalid && code != apperr.Conflict {
			s.fail(w, r, formErr)
			return
		}
		p.Errors = map[string]string{"": apperr.MessageOf(formErr)}
		for k, v := range apperr.FieldsOf(formErr) {
			p.Errors[k] = v
		}
		status = httpx.Status(code)
		for i := range ed.Rows {
			for _, c := range planColumns {
				if msg := p.Errors[c+"_"+strconv.Itoa(i)]; msg != "" {
					ed.Rows[i].Errors = append(ed.Rows[i].Errors, msg)
				}
			}
		}
	}
	s.render(w, r, status, "regional_plan", p)
}

func projected(c *obligation.PlanCheck) (int, int) {
	if c == nil {
		return 0, 0
	}
	return c.Projected.ProjectedYear, c.Projected.ProjectedMonth
}

// planErrors moves the service's "years.N.field" messages to the editor's
// fields ("year_N", "kind_N", …). A plan is saved only when every row
// parsed, so the N-th year is the N-th row of the re-laid form.
func planErrors(err error, rows int) error {
	fields := apperr.FieldsOf(err)
	if len(fields) == 0 {
		return err
	}
	column := map[string]string{"fiscal_year": "year", "area_code": "area"}
	out := map[string]string{}
	for k, v := range fields {
		rest, ok := strings.CutPrefix(k, "years.")
		if !ok {
			out[k] = v
			continue
		}
		idx, field, _ := strings.Cut(rest, ".")
		i, err := strconv.Atoi(idx)
		if err != nil || i < 0 || i >= rows {
			out["years"] = v
			continue
		}
		if c, ok := column[field]; ok {
			field = c
		}
		out[field+"_"+strconv.Itoa(i)] = v
	}
	return &apperr.Error{Code: apperr.CodeOf(err), Message: apperr.MessageOf(err), Fields: out}
}

func (s *Server) planPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	pv, err := s.Regional.Plan(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.Regional.Enrollment(ctx, actor, pv.Plan.EnrollmentID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ed := &planEditor{View: v, PlanID: pv.Plan.ID, Version: pv.Plan.Version, Check: &pv.Check}
	s.renderPlan(w, r, cur, ed, planForm(pv.Plan), nil, http.StatusOK, nil)
}

func (s *Server) newPlanPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.Regional.Enrollment(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !may(cur, policy.Create, v.Enrollment, policy.KindPlan) {
		s.fail(w, r, apperr.E(apperr.Forbidden, "この医師の計画を作る権限がありません。"))
		return
	}
	// Start from the current year, a year per row up to the deadline.
	from := max(obligation.FiscalYear(s.Regional.Now()), v.Enrollment.StartYear)
	plan := &obligation.Plan{}
	for y := from; y < v.Enrollment.StartYear+v.Program.DeadlineYears && len(plan.Years) < 12; y++ {
		plan.Years = append(plan.Years, obligation.PlanYear{FiscalYear: y, Kind: obligation.PlanService, Months: 12})
	}
	s.renderPlan(w, r, cur, &planEditor{View: v}, planForm(plan), nil, http.StatusOK, nil)
}

// postedPlan reads a posted plan editor: the enrolment it belongs to
// (from the path or the form) with its view, the plan and its re-laid
// form.
func (s *Server) postedPlan(r *http.Request, cur *httpx.Current, enrollmentID int64) (*planEditor, *obligation.Plan, url.Values, map[string]string, error) {
	v, err := s.Regional.Enrollment(r.Context(), cur.Actor(), enrollmentID)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	plan, form, fields := parsePlanForm(r.PostForm)
	plan.EnrollmentID = enrollmentID
	ed := &planEditor{View: v}
	return ed, plan, form, fields, nil
}

// checkPlan checks a draft without saving it and draws the editor again
// with the problems next to the rows and the projected completion.
func (s *Server) checkPlan(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	fields := map[string]string{}
	enrollmentID := formID(r.PostForm, "enrollment_id", "", fields)
	planID := formID(r.PostForm, "plan_id", "", fields)
	if enrollmentID == 0 || len(fields) > 0 {
		s.fail(w, r, apperr.E(apperr.NotFound, "見つかりません。"))
		return
	}
	ed, plan, form, fields, err := s.postedPlan(r, cur, enrollmentID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	plan.ID = planID
	check, err := s.Regional.CheckPlan(r.Context(), cur.Actor(), *plan)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ed.PlanID, ed.Check, ed.Checked = planID, check, true
	ed.Version, _ = strconv.Atoi(r.PostForm.Get("version"))
	if len(fields) > 0 {
		fields[""] = "数字で入力されていない行があります。その行はチェックに含めていません。"
	}
	status := http.StatusOK
	if len(fields) > 0 {
		status = http.StatusBadRequest
	}
	s.renderPlan(w, r, cur, ed, form, fields, status, nil)
}

func (s *Server) createPlan(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ed, plan, form, fields, err := s.postedPlan(r, cur, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if len(fields) > 0 {
		s.renderPlan(w, r, cur, ed, form, fields, 0, nil)
		return
	}
	pv, err := s.Regional.CreatePlan(r.Context(), cur.Actor(), plan)
	if err != nil {
		s.planSaveFailed(w, r, cur, ed, plan, form, err)
		return
	}
	s.setFlash(w, "計画「"+pv.Plan.Name+"」を保存しました。")
	redirect(w, r, planPath(pv.Plan.ID))
}

// planSaveFailed draws the editor again after a failed save, with the
// errors next to the rows and the draft checked.
func (s *Server) planSaveFailed(w http.ResponseWriter, r *http.Request, cur *httpx.Current, ed *planEditor, plan *obligation.Plan,
	form url.Values, err error) {
	code := apperr.CodeOf(err)
	if code != apperr.Invalid && code != apperr.Conflict {
		s.fail(w, r, err)
		return
	}
	if check, cerr := s.Regional.CheckPlan(r.Context(), cur.Actor(), *plan); cerr == nil {
		ed.Check, ed.Checked = check, true
	}
	s.renderPlan(w, r, cur, ed, form, nil, 0, planErrors(err, len(plan.Years)))
}

func (s *Server) savePlan(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cur0, err := s.Regional.Plan(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ed, plan, form, fields, err := s.postedPlan(r, cur, cur0.Plan.EnrollmentID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	version, verr := strconv.Atoi(r.PostForm.Get("version"))
	if verr != nil {
		version = -1
	}
	ed.PlanID, ed.Version = id, version
	plan.ID, plan.Version = id, version
	if len(fields) > 0 {
		s.renderPlan(w, r, cur, ed, form, fields, 0, nil)
		return
	}
	pv, err := s.Regional.UpdatePlan(r.Context(), cur.Actor(), plan)
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			ed.Version = cur0.Plan.Version
		}
		s.planSaveFailed(w, r, cur, ed, plan, form, err)
		return
	}
	s.setFlash(w, "計画「"+pv.Plan.Name+"」を保存しました。")
	redirect(w, r, planPath(id))
}

func (s *Server) deletePlan(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pv, err := s.Regional.Plan(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		s.fail(w, r, apperr.E(apperr.Invalid, "削除する場合は「この計画を削除する」にチェックを入れてください。"))
		return
	}
	version, verr := strconv.Atoi(r.PostForm.Get("version"))
	if verr != nil {
		version = -1
	}
	if err := s.Regional.DeletePlan(r.Context(), cur.Actor(), id, version); err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, "計画「"+pv.Plan.Name+"」を削除しました。")
	to := enrollmentPath(pv.Plan.EnrollmentID)
	if v, err := s.Regional.Enrollment(r.Context(), cur.Actor(), pv.Plan.EnrollmentID); err == nil && v.Enrollment.DoctorID == cur.User.ID {
		to = "/me/obligation"
	}
	redirect(w, r, to)
}

// comparedPlan is one side of a comparison.
type comparedPlan struct {
	regional.PlanView
	Sum summaryView
}

func (s *Server) comparePlans(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	v, err := s.Regional.Enrollment(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	plans, err := s.Regional.Plans(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := &page{Title: v.Enrollment.DoctorName + "さんの計画を比べる", Form: url.Values{"a": {q.Get("a")}, "b": {q.Get("b")}}}
	data := map[string]any{"E": v.Enrollment, "Plans": plans, "Program": v.Program}
	p.Data = data
	fields := map[string]string{}
	a := formID(q, "a", "比べる計画を選んでください。", fields)
	b := formID(q, "b", "比べる計画を選んでください。", fields)
	if len(fields) > 0 {
		p.Errors = fields
		p.Errors[""] = "比べる計画を選んでください。"
		s.render(w, r, http.StatusBadRequest, "regional_compare", p)
		return
	}
	if a != 0 && b != 0 {
		c, err := s.Regional.ComparePlans(ctx, actor, a, b)
		if err == nil && (c.A.Plan.EnrollmentID != id || c.B.Plan.EnrollmentID != id) {
			err = apperr.E(apperr.NotFound, "見つかりません。")
		}
		if apperr.Is(err, apperr.Invalid) {
			p.Errors = map[string]string{"": apperr.MessageOf(err)}
			s.render(w, r, http.StatusBadRequest, "regional_compare", p)
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		a, b := comparedPlan{PlanView: c.A, Sum: viewSummary(c.A.Check.Projected, v.Program)},
			comparedPlan{PlanView: c.B, Sum: viewSummary(c.B.Check.Projected, v.Program)}
		data["A"], data["B"], data["Sides"] = a, b, []comparedPlan{a, b}
	}
	s.render(w, r, http.StatusOK, "regional_compare", p)
}

// myEnrollment is one of the doctor's enrolments with its plans.
type myEnrollment struct {
	regional.EnrollmentView
	Sum   summaryView
	Plans []planRowView
}

// myObligation shows a 地域枠 doctor their enrolments, where each stands
// and why, and their plans.
func (s *Server) myObligation(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if !cur.Has(identity.RoleDoctor) {
		s.fail(w, r, apperr.E(apperr.NotFound, "この画面は地域枠の医師のための画面です。"))
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	list, err := s.Regional.MyEnrollments(ctx, actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	views := make([]myEnrollment, 0, len(list))
	for _, v := range list {
		plans, err := s.Regional.Plans(ctx, actor, v.Enrollment.ID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		views = append(views, myEnrollment{EnrollmentView: v, Sum: viewSummary(v.Summary, v.Program), Plans: planRows(plans)})
	}
	s.render(w, r, http.StatusOK, "my_obligation", &page{Title: "地域枠の義務と計画", Data: map[string]any{"Enrollments": views}})
}
