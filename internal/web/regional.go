package web

import (
	"cmp"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/chart"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
)

// regionalRoutes are the 地域枠 pages: a prefecture's programs and medical
// areas, the enrolments with their ledgers, the multi-year plans, and the
// doctor's own obligation page.
func (s *Server) regionalRoutes(mux *http.ServeMux) {
	mux.Handle("GET /regional/programs", s.signedIn(s.regionalPrograms))
	mux.Handle("POST /regional/programs", s.signedIn(s.createProgram))
	mux.Handle("GET /regional/programs/{id}", s.signedIn(s.programPage))
	mux.Handle("POST /regional/programs/{id}", s.signedIn(s.updateProgram))
	mux.Handle("GET /regional/areas", s.signedIn(s.regionalAreas))
	mux.Handle("POST /regional/areas", s.signedIn(s.createArea))
	mux.Handle("POST /regional/areas/classes", s.signedIn(s.setAreaClasses))
	mux.Handle("GET /regional/enrollments", s.signedIn(s.regionalEnrollments))
	mux.Handle("POST /regional/enrollments", s.signedIn(s.enroll))
	mux.Handle("GET /regional/enrollments/{id}", s.signedIn(s.enrollmentPage))
	mux.Handle("POST /regional/enrollments/{id}/placements", s.signedIn(s.addPlacement))
	mux.Handle("POST /regional/enrollments/{id}/suspensions", s.signedIn(s.addSuspension))
	mux.Handle("GET /regional/enrollments/{id}/entries/{kind}/{entry}/remove", s.signedIn(s.removeEntryPage))
	mux.Handle("POST /regional/enrollments/{id}/entries/{kind}/{entry}/remove", s.signedIn(s.removeEntry))
	mux.Handle("POST /regional/enrollments/{id}/departure", s.signedIn(s.recordDeparture))
	mux.Handle("GET /regional/enrollments/{id}/plans/new", s.signedIn(s.newPlanPage))
	mux.Handle("POST /regional/enrollments/{id}/plans", s.signedIn(s.createPlan))
	mux.Handle("GET /regional/enrollments/{id}/compare", s.signedIn(s.comparePlans))
	mux.Handle("POST /regional/plans/check", s.signedIn(s.checkPlan))
	mux.Handle("GET /regional/plans/{id}", s.signedIn(s.planPage))
	mux.Handle("POST /regional/plans/{id}", s.signedIn(s.savePlan))
	mux.Handle("POST /regional/plans/{id}/delete", s.signedIn(s.deletePlan))
	mux.Handle("GET /me/obligation", s.signedIn(s.myObligation))
	mux.Handle("GET /regional/dashboard", s.signedIn(s.regionalDashboard))
	mux.Handle("GET /regional/dashboard.csv", s.signedIn(s.dashboardCSV))
	mux.Handle("POST /regional/needs", s.signedIn(s.setNeed))
}

func enrollmentPath(id int64) string { return "/regional/enrollments/" + strconv.FormatInt(id, 10) }
func planPath(id int64) string       { return "/regional/plans/" + strconv.FormatInt(id, 10) }

// regionalDesk is the organisation a coordinator's or prefecture officer's
// page is about, among those the user works for.
type regionalDesk struct {
	Grant identity.Grant
	All   []identity.Grant
}

// ID is the organisation's ID.
func (d regionalDesk) ID() int64 { return d.Grant.OrgID }

// Officer says the desk is a prefecture officer's: the page covers the
// whole prefecture.
func (d regionalDesk) Officer() bool { return d.Grant.Role == identity.RolePrefectureOfficer }

// Link returns path for this desk: with ?org= only when the user works
// for several.
func (d regionalDesk) Link(path string) string {
	if len(d.All) < 2 {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "org=" + strconv.FormatInt(d.Grant.OrgID, 10)
}

// regionalGrants are the organisations the user serves as a prefecture
// officer or a coordinator, once each; an officer's grant wins over a
// coordinator's in the same organisation, as it sees more.
func regionalGrants(cur *httpx.Current, officerOnly bool) []identity.Grant {
	var out []identity.Grant
	for _, g := range cur.Grants {
		officer := g.Role == identity.RolePrefectureOfficer && g.OrgKind == identity.OrgPrefecture
		coordinator := g.Role == identity.RoleCoordinator && !officerOnly
		if !officer && !coordinator {
			continue
		}
		i := slices.IndexFunc(out, func(o identity.Grant) bool { return o.OrgID == g.OrgID })
		switch {
		case i < 0:
			out = append(out, g)
		case officer:
			out[i] = g
		}
	}
	return out
}

// deskOf picks the desk of a coordinator's or officer's page: the one
// named by the org parameter (query or form), else the first. A user with
// no such role, or an organisation they do not serve, is a 404.
func deskOf(r *http.Request, cur *httpx.Current, officerOnly bool) (regionalDesk, error) {
	all := regionalGrants(cur, officerOnly)
	if len(all) == 0 {
		msg := "この画面はキャリアコーディネーターと都道府県担当者のための画面です。"
		if officerOnly {
			msg = "この画面は都道府県担当者のための画面です。"
		}
		return regionalDesk{}, apperr.E(apperr.NotFound, "%s", msg)
	}
	want := r.URL.Query().Get("org")
	if r.PostForm != nil && r.PostForm.Get("org") != "" {
		want = r.PostForm.Get("org")
	}
	if want == "" {
		return regionalDesk{Grant: all[0], All: all}, nil
	}
	if id, err := strconv.ParseInt(want, 10, 64); err == nil {
		for _, g := range all {
			if g.OrgID == id {
				return regionalDesk{Grant: g, All: all}, nil
			}
		}
	}
	return regionalDesk{}, apperr.E(apperr.NotFound, "見つかりません。")
}

// enrollmentObject is the policy object of an enrolment (kind
// KindEnrollment) or of one of its plans (KindPlan), so that a page can
// ask which forms to offer; the service decides again on every change.
func enrollmentObject(e *regional.Enrollment, kind policy.Kind, id int64) policy.Object {
	return policy.Object{Kind: kind, ID: id, OrgID: e.PrefectureOrgID, PartnerOrgID: e.CoordinatorOrgID, OwnerID: e.DoctorID}
}

// may says whether the signed-in user may act on the enrolment or its
// plans.
func may(cur *httpx.Current, action policy.Action, e *regional.Enrollment, kind policy.Kind) bool {
	return policy.Decide(cur.Actor(), action, enrollmentObject(e, kind, e.ID)).Allow
}

// monthsText writes a number of months as years and months: 「3年4か月」.
func monthsText(n int) string {
	switch {
	case n <= 0:
		return "0か月"
	case n%12 == 0:
		return strconv.Itoa(n/12) + "年"
	case n < 12:
		return strconv.Itoa(n) + "か月"
	}
	return fmt.Sprintf("%d年%dか月", n/12, n%12)
}

// fiscalMonthText writes month m (1 = April) of fiscal year fy as a
// calendar month: 「2031年12月」; "—" when there is none.
func fiscalMonthText(fy, m int) string {
	if fy == 0 || m < 1 || m > 12 {
		return "—"
	}
	month, year := (m+2)%12+1, fy
	if m > 9 {
		year++
	}
	return fmt.Sprintf("%d年%d月（%d年度）", year, month, fy)
}

// summaryView is a summary with what the pages write out.
type summaryView struct {
	obligation.Summary
	Required, RequiredShortage string
	Served, Shortage           string
	Remaining, RemainingShort  string
	Projected                  string
	Suspended                  []string
}

func viewSummary(sum obligation.Summary, p *obligation.Program) summaryView {
	v := summaryView{Summary: sum, Required: monthsText(p.TotalYears * 12), RequiredShortage: monthsText(p.MinShortageYears * 12),
		Served: monthsText(sum.ServedMonths), Shortage: monthsText(sum.ShortageMonths), Remaining: monthsText(sum.RemainingMonths),
		RemainingShort: monthsText(sum.RemainingShortageMonths), Projected: fiscalMonthText(sum.ProjectedYear, sum.ProjectedMonth)}
	for _, r := range obligation.SuspensionReasons {
		if n := sum.SuspendedMonths[r]; n > 0 {
			v.Suspended = append(v.Suspended, r.Label()+" "+monthsText(n))
		}
	}
	return v
}

// summaryChart draws served against required months, in all and in
// shortage areas.
func summaryChart(id string, sum obligation.Summary, p *obligation.Program) template.HTML {
	months := func(n int) string { return strconv.Itoa(n) + "か月" }
	c := chart.BarChart{ID: id, Bars: []chart.Bar{
		{Label: "義務年限", Value: float64(p.TotalYears * 12), Text: months(p.TotalYears * 12)},
		{Label: "勤務済み", Value: float64(sum.ServedMonths), Text: months(sum.ServedMonths)},
		{Label: "医師少数区域（必要）", Value: float64(p.MinShortageYears * 12), Text: months(p.MinShortageYears * 12)},
		{Label: "医師少数区域で勤務済み", Value: float64(sum.ShortageMonths), Text: months(sum.ShortageMonths)},
	}}
	return c.SVG()
}

// statusFilter reads the status filter; an unknown status is named in the
// returned error.
func statusFilter(q url.Values) (obligation.Status, error) {
	st := obligation.Status(q.Get("status"))
	if st != "" && !st.Valid() {
		return "", invalid(map[string]string{"status": "状態は一覧から選んでください。"})
	}
	return st, nil
}

// enrollmentRow is one line of an enrolment list.
type enrollmentRow struct {
	regional.EnrollmentView
	Sum summaryView
}

func enrollmentRows(list []regional.EnrollmentView) []enrollmentRow {
	out := make([]enrollmentRow, len(list))
	for i, v := range list {
		out[i] = enrollmentRow{EnrollmentView: v, Sum: viewSummary(v.Summary, v.Program)}
	}
	return out
}

// statusCounts counts the enrolments by status, in the order of
// obligation.Statuses, leaving out the statuses no one has.
func statusCounts(list []regional.EnrollmentView) []statusCount {
	var out []statusCount
	for _, st := range obligation.Statuses {
		n := 0
		for _, v := range list {
			if v.Summary.Status == st {
				n++
			}
		}
		if n > 0 {
			out = append(out, statusCount{st, n})
		}
	}
	return out
}

type statusCount struct {
	Status obligation.Status
	Count  int
}

func (s *Server) regionalEnrollments(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	desk, err := deskOf(r, cur, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"start_year": {strconv.Itoa(obligation.FiscalYear(s.Regional.Now()))}}
	s.renderEnrollments(w, r, cur, desk, http.StatusOK, &page{Form: form}, nil)
}

// renderEnrollments draws the enrolments of the desk's prefecture or CC
// office, filtered by status, with the form to enrol a doctor.
func (s *Server) renderEnrollments(w http.ResponseWriter, r *http.Request, cur *httpx.Current, desk regionalDesk, status int, p *page, formErr error) {
	ctx, actor := r.Context(), cur.Actor()
	q := r.URL.Query()
	f := regional.EnrollmentFilter{CoordinatorOrgID: desk.ID()}
	if desk.Officer() {
		f = regional.EnrollmentFilter{PrefectureOrgID: desk.ID()}
	}
	st, ferr := statusFilter(q)
	all, err := s.Regional.Enrollments(ctx, actor, f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list := all
	if st != "" {
		list = slices.DeleteFunc(slices.Clone(all), func(v regional.EnrollmentView) bool { return v.Summary.Status != st })
	}
	var programs []obligation.Program
	if desk.Officer() {
		programs, err = s.Regional.Programs(ctx, actor, desk.ID())
	} else {
		programs, err = s.Regional.Programs(ctx, actor, 0)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = "地域枠の医師"
	p.Data = map[string]any{"Desk": desk, "Rows": enrollmentRows(list), "Counts": statusCounts(all), "Total": len(all),
		"Statuses": obligation.Statuses, "Status": string(st), "Programs": programs}
	if ferr != nil && formErr == nil {
		p.Errors = map[string]string{"": "絞り込みの条件を確認してください。", "status": apperr.FieldsOf(ferr)["status"]}
		status = http.StatusBadRequest
	}
	if formErr != nil {
		s.formError(w, r, "regional_enrollments", p, formErr)
		return
	}
	s.render(w, r, status, "regional_enrollments", p)
}

// formInt reads a whole number from a form; what is not one is reported
// on the field with the message.
func formInt(v url.Values, key, message string, fields map[string]string) int {
	raw := jatext.NormalizeLine(v.Get(key))
	n, err := strconv.Atoi(raw)
	if err != nil || n < -1_000_000 || n > 1_000_000 {
		fields[key] = message
		return 0
	}
	return n
}

// formID reads an optional ID from a form: 0 when empty.
func formID(v url.Values, key, message string, fields map[string]string) int64 {
	raw := jatext.NormalizeLine(v.Get(key))
	if raw == "" {
		return 0
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		fields[key] = message
		return 0
	}
	return n
}

func (s *Server) enroll(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	desk, err := deskOf(r, cur, false)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	fields := map[string]string{}
	req := regional.EnrollRequest{DoctorEmail: v.Get("email"),
		ProgramID: formID(v, "program_id", "プログラムを選んでください。", fields),
		StartYear: formInt(v, "start_year", "義務の開始年度を数字で入力してください（例: 2026）。", fields)}
	if desk.Officer() {
		req.CoordinatorOrgID = formID(v, "coordinator_org_id", "キャリアコーディネーターの所属のIDを数字で入力してください。", fields)
	} else {
		req.CoordinatorOrgID = desk.ID()
	}
	if req.ProgramID == 0 && fields["program_id"] == "" {
		fields["program_id"] = "プログラムを選んでください。"
	}
	if len(fields) > 0 {
		s.renderEnrollments(w, r, cur, desk, 0, &page{}, invalid(fields))
		return
	}
	e, err := s.Regional.Enroll(r.Context(), cur.Actor(), req)
	if err != nil {
		s.renderEnrollments(w, r, cur, desk, 0, &page{}, renameFields(err, map[string]string{"doctor": "email"}))
		return
	}
	s.setFlash(w, e.DoctorName+"さんを「"+e.ProgramName+"」に登録しました。")
	redirect(w, r, enrollmentPath(e.ID))
}

// ledgerYear is one fiscal year of a ledger.
type ledgerYear struct {
	Year        int
	Placements  []regional.PlacementEntry
	Suspensions []regional.SuspensionEntry
	Months      int
}

// ledgerYears groups the entries by fiscal year, the latest first.
func ledgerYears(en regional.Entries) []ledgerYear {
	byYear := map[int]*ledgerYear{}
	get := func(y int) *ledgerYear {
		if byYear[y] == nil {
			byYear[y] = &ledgerYear{Year: y}
		}
		return byYear[y]
	}
	for _, p := range en.Placements {
		ly := get(p.FiscalYear)
		ly.Placements = append(ly.Placements, p)
		ly.Months += p.Months
	}
	for _, sp := range en.Suspensions {
		ly := get(sp.FiscalYear)
		ly.Suspensions = append(ly.Suspensions, sp)
		ly.Months += sp.Months
	}
	out := make([]ledgerYear, 0, len(byYear))
	for _, ly := range byYear {
		out = append(out, *ly)
	}
	slices.SortFunc(out, func(a, b ledgerYear) int { return cmp.Compare(b.Year, a.Year) })
	return out
}

// ledgerStages are the training stages a placement may name.
var ledgerStages = []career.Stage{career.StageJuniorResident, career.StageSpecialtyResident, career.StageSpecialist}

// stageLabels names the training stages a placement may name.
func stageLabels() map[string]string {
	out := map[string]string{}
	for _, st := range ledgerStages {
		out[string(st)] = st.Label()
	}
	return out
}

// planRowView is a plan in a list, with its projected completion written
// out.
type planRowView struct {
	regional.PlanView
	Projected string
}

func planRows(plans []regional.PlanView) []planRowView {
	out := make([]planRowView, len(plans))
	for i, p := range plans {
		out[i] = planRowView{PlanView: p, Projected: fiscalMonthText(p.Check.Projected.ProjectedYear, p.Check.Projected.ProjectedMonth)}
	}
	return out
}

// allowedReasons are the suspension reasons the program allows, in form
// order.
func allowedReasons(p *obligation.Program) []obligation.SuspensionReason {
	var out []obligation.SuspensionReason
	for _, r := range obligation.SuspensionReasons {
		if _, ok := p.SuspensionCaps[r]; ok {
			out = append(out, r)
		}
	}
	return out
}

// programSpecialties are the specialties a program counts: its 診療科限定,
// or every 基本領域.
func programSpecialties(p *obligation.Program) []string {
	if len(p.Specialties) > 0 {
		return p.Specialties
	}
	return career.Specialties
}

func (s *Server) enrollmentPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderEnrollment(w, r, cur, http.StatusOK, &page{}, nil)
}

// renderEnrollment draws an enrolment: its summary, the ledger by fiscal
// year, the plans and, for its officers and coordinators, the forms that
// keep the ledger. With formErr, the failed form keeps what was typed and
// a version conflict offers to reload.
func (s *Server) renderEnrollment(w http.ResponseWriter, r *http.Request, cur *httpx.Current, status int, p *page, formErr error) {
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
	e := v.Enrollment
	plans, err := s.Regional.Plans(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	canEdit := may(cur, policy.Update, e, policy.KindEnrollment)
	data := map[string]any{"View": v, "E": e, "Program": v.Program, "Sum": viewSummary(v.Summary, v.Program),
		"Chart": summaryChart("summary", v.Summary, v.Program), "Years": ledgerYears(v.Entries), "Plans": planRows(plans),
		"StageLabels": stageLabels(),
		"CanEdit":     canEdit, "CanPlan": may(cur, policy.Create, e, policy.KindPlan), "Own": e.DoctorID == cur.User.ID,
		"Stages": ledgerStages, "Specialties": programSpecialties(v.Program), "Reasons": allowedReasons(v.Program),
		"Conflict": apperr.Is(formErr, apperr.Conflict)}
	if canEdit {
		areas, err := s.Regional.Areas(ctx, actor, e.PrefectureOrgID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data["Areas"] = areas
	}
	year := strconv.Itoa(max(obligation.FiscalYear(s.Regional.Now()), e.StartYear))
	form := url.Values{"p_fiscal_year": {year}, "p_months": {"12"}, "s_fiscal_year": {year}, "s_months": {"12"},
		"on": {s.Regional.Now().In(JST).Format(time.DateOnly)}}
	if formErr != nil {
		for k, vals := range r.PostForm {
			form[k] = vals
		}
	}
	p.Form = form
	p.Data = data
	p.Title = e.DoctorName + "さんの義務履行台帳"
	if formErr != nil {
		s.pageError(w, r, "regional_enrollment", p, formErr)
		return
	}
	s.render(w, r, status, "regional_enrollment", p)
}

// ledgerAction reads the {id} and the version of a ledger form, runs do
// and redirects to the enrolment with the flash; what goes wrong is shown
// on the enrolment page.
func (s *Server) ledgerAction(w http.ResponseWriter, r *http.Request, cur *httpx.Current, do func(id int64, version int) (string, error)) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// A missing or malformed version cannot match: the service answers
	// with the conflict message.
	version, perr := strconv.Atoi(r.PostForm.Get("version"))
	if perr != nil {
		version = -1
	}
	flash, err := do(id, version)
	if err != nil {
		s.renderEnrollment(w, r, cur, 0, &page{}, err)
		return
	}
	s.setFlash(w, flash)
	redirect(w, r, enrollmentPath(id)+"#ledger-h")
}

// prefixed moves the service's per-field messages to the names of a form
// whose fields carry the prefix.
func prefixed(err error, prefix string, keys ...string) error {
	names := make(map[string]string, len(keys))
	for _, k := range keys {
		names[k] = prefix + k
	}
	return renameFields(err, names)
}

var placementKeys = []string{"fiscal_year", "months", "class", "area_code", "institution", "institution_id", "training_stage", "specialty", "note"}

func (s *Server) addPlacement(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.ledgerAction(w, r, cur, func(id int64, version int) (string, error) {
		v := r.PostForm
		fields := map[string]string{}
		pl := obligation.Placement{
			FiscalYear:  formInt(v, "p_fiscal_year", "年度を数字で入力してください（例: 2026）。", fields),
			Months:      formInt(v, "p_months", "月数を1〜12の数字で入力してください。", fields),
			Institution: v.Get("p_institution"), Specialty: v.Get("p_specialty"), TrainingStage: v.Get("p_training_stage"),
			Note: v.Get("p_note")}
		if area := v.Get("p_area_code"); area == "outside" {
			pl.Outside = true
		} else {
			pl.AreaCode = area
		}
		if len(fields) > 0 {
			return "", invalid(fields)
		}
		out, err := s.Regional.AddPlacement(r.Context(), cur.Actor(), id, version, pl)
		if err != nil {
			return "", prefixed(err, "p_", placementKeys...)
		}
		return fmt.Sprintf("%d年度の勤務（%dか月）を記録しました。現在の状態: %s", pl.FiscalYear, pl.Months, out.Summary.Status.Label()), nil
	})
}

func (s *Server) addSuspension(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.ledgerAction(w, r, cur, func(id int64, version int) (string, error) {
		v := r.PostForm
		fields := map[string]string{}
		sp := obligation.Suspension{
			FiscalYear: formInt(v, "s_fiscal_year", "年度を数字で入力してください（例: 2026）。", fields),
			Months:     formInt(v, "s_months", "月数を1〜12の数字で入力してください。", fields),
			Reason:     obligation.SuspensionReason(v.Get("s_reason")), Note: v.Get("s_note")}
		if len(fields) > 0 {
			return "", invalid(fields)
		}
		out, err := s.Regional.AddSuspension(r.Context(), cur.Actor(), id, version, sp)
		if err != nil {
			return "", prefixed(err, "s_", "fiscal_year", "months", "reason", "note")
		}
		return fmt.Sprintf("%d年度の一時中断（%s・%dか月）を記録しました。現在の状態: %s", sp.FiscalYear, sp.Reason.Label(), sp.Months,
			out.Summary.Status.Label()), nil
	})
}

// entryRef reads the {kind} and {entry} of a ledger entry's path.
func entryRef(r *http.Request) (regional.EntryKind, int64, error) {
	kind := regional.EntryKind(r.PathValue("kind"))
	if kind != regional.EntryPlacement && kind != regional.EntrySuspension {
		return "", 0, apperr.E(apperr.NotFound, "見つかりません。")
	}
	id, err := pathID(r, "entry")
	return kind, id, err
}

// removeEntryPage asks to confirm the removal of a ledger entry.
func (s *Server) removeEntryPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	kind, entryID, err := entryRef(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.Regional.Enrollment(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !may(cur, policy.Update, v.Enrollment, policy.KindEnrollment) {
		s.fail(w, r, apperr.E(apperr.Forbidden, "この台帳を変更する権限がありません。"))
		return
	}
	data := map[string]any{"E": v.Enrollment, "Kind": string(kind), "EntryID": entryID}
	found := false
	switch kind {
	case regional.EntryPlacement:
		if i := slices.IndexFunc(v.Entries.Placements, func(p regional.PlacementEntry) bool { return p.ID == entryID }); i >= 0 {
			data["Placement"], found = v.Entries.Placements[i], true
		}
	case regional.EntrySuspension:
		if i := slices.IndexFunc(v.Entries.Suspensions, func(sp regional.SuspensionEntry) bool { return sp.ID == entryID }); i >= 0 {
			data["Suspension"], found = v.Entries.Suspensions[i], true
		}
	}
	if !found {
		s.fail(w, r, apperr.E(apperr.NotFound, "記録が見つかりません。"))
		return
	}
	s.render(w, r, http.StatusOK, "regional_entry_remove", &page{Title: "台帳の記録を削除しますか", Data: data})
}

func (s *Server) removeEntry(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	kind, entryID, err := entryRef(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.ledgerAction(w, r, cur, func(id int64, version int) (string, error) {
		if r.PostForm.Get("confirm") != "yes" {
			return "", apperr.E(apperr.Invalid, "削除の確認ができませんでした。確認画面からもう一度操作してください。")
		}
		if _, err := s.Regional.RemoveEntry(r.Context(), cur.Actor(), id, version, kind, entryID); err != nil {
			return "", err
		}
		return "台帳の記録を削除しました（削除は監査ログに残ります）。", nil
	})
}

func (s *Server) recordDeparture(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.ledgerAction(w, r, cur, func(id int64, version int) (string, error) {
		v := r.PostForm
		d := obligation.Departure{Reason: v.Get("reason"), Consented: v.Get("consented") == "1"}
		if raw := jatext.NormalizeLine(v.Get("on")); raw != "" {
			t, err := time.ParseInLocation(time.DateOnly, raw, JST)
			if err != nil || t.Year() < obligation.MinFiscalYear || t.Year() > obligation.MaxFiscalYear {
				return "", invalid(map[string]string{"on": "離脱日を YYYY-MM-DD の形式で入力してください。"})
			}
			d.On = t
		}
		if _, err := s.Regional.RecordDeparture(r.Context(), cur.Actor(), id, version, d); err != nil {
			return "", err
		}
		return "離脱を記録しました。", nil
	})
}

// enrolled says whether the signed-in doctor is in a 地域枠 program, for
// the menu. A failure only leaves the entry out.
func (s *Server) enrolled(r *http.Request, cur *httpx.Current) bool {
	if s.Regional == nil || !cur.Has(identity.RoleDoctor) {
		return false
	}
	ok, err := s.Regional.Enrolled(r.Context(), cur.Actor())
	return err == nil && ok
}
