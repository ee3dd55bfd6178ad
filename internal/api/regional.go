package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/regional"
)

// The JSON shapes of 地域枠 coordination: programs, medical areas,
// enrolments with their ledgers and summaries, and multi-year plans with
// their checks. Writes to a ledger or a plan name the version the caller
// saw; a stale one is 409.

type programJSON struct {
	ID               int64          `json:"id"`
	PrefectureOrgID  int64          `json:"prefecture_org_id"`
	Prefecture       string         `json:"prefecture"`
	Name             string         `json:"name"`
	TotalYears       int            `json:"total_years"`
	MinShortageYears int            `json:"min_shortage_years"`
	Specialties      []string       `json:"specialties"`
	OutsideCounts    bool           `json:"outside_counts"`
	OutsideCapMonths int            `json:"outside_cap_months"`
	SuspensionCaps   map[string]int `json:"suspension_caps"`
	DeadlineYears    int            `json:"deadline_years"`
	StartBasis       string         `json:"start_basis"`
	Version          int            `json:"version"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

func toProgramJSON(p *obligation.Program) programJSON {
	caps := map[string]int{}
	for r, m := range p.SuspensionCaps {
		caps[string(r)] = m
	}
	specialties := p.Specialties
	if specialties == nil {
		specialties = []string{}
	}
	return programJSON{ID: p.ID, PrefectureOrgID: p.PrefectureOrgID, Prefecture: p.Prefecture, Name: p.Name, TotalYears: p.TotalYears,
		MinShortageYears: p.MinShortageYears, Specialties: specialties, OutsideCounts: p.OutsideCounts,
		OutsideCapMonths: p.OutsideCapMonths, SuspensionCaps: caps, DeadlineYears: p.DeadlineYears, StartBasis: p.StartBasis,
		Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// programInput is the body of POST and PUT /programs.
type programInput struct {
	PrefectureOrgID  int64          `json:"prefecture_org_id"`
	Name             string         `json:"name"`
	TotalYears       int            `json:"total_years"`
	MinShortageYears int            `json:"min_shortage_years"`
	Specialties      []string       `json:"specialties"`
	OutsideCounts    bool           `json:"outside_counts"`
	OutsideCapMonths int            `json:"outside_cap_months"`
	SuspensionCaps   map[string]int `json:"suspension_caps"`
	DeadlineYears    int            `json:"deadline_years"`
	StartBasis       string         `json:"start_basis"`
	Version          *int           `json:"version"`
}

func (in programInput) program() *obligation.Program {
	p := &obligation.Program{PrefectureOrgID: in.PrefectureOrgID, Name: in.Name, TotalYears: in.TotalYears,
		MinShortageYears: in.MinShortageYears, Specialties: in.Specialties, OutsideCounts: in.OutsideCounts,
		OutsideCapMonths: in.OutsideCapMonths, DeadlineYears: in.DeadlineYears, StartBasis: in.StartBasis,
		SuspensionCaps: map[obligation.SuspensionReason]int{}}
	for r, m := range in.SuspensionCaps {
		p.SuspensionCaps[obligation.SuspensionReason(r)] = m
	}
	return p
}

type areaJSON struct {
	ID              int64                           `json:"id"`
	PrefectureOrgID int64                           `json:"prefecture_org_id"`
	Code            string                          `json:"code"`
	Name            string                          `json:"name"`
	Classes         map[string]obligation.AreaClass `json:"classes"`
}

func toAreaJSON(a *regional.Area) areaJSON {
	classes := map[string]obligation.AreaClass{}
	for y, c := range a.Classes {
		classes[strconv.Itoa(y)] = c
	}
	return areaJSON{ID: a.ID, PrefectureOrgID: a.PrefectureOrgID, Code: a.Code, Name: a.Name, Classes: classes}
}

type departureJSON struct {
	On        string `json:"on"`
	Reason    string `json:"reason"`
	Consented bool   `json:"consented"`
}

type enrollmentJSON struct {
	ID               int64          `json:"id"`
	ProgramID        int64          `json:"program_id"`
	ProgramName      string         `json:"program_name"`
	PrefectureOrgID  int64          `json:"prefecture_org_id"`
	DoctorID         int64          `json:"doctor_id"`
	DoctorName       string         `json:"doctor_name"`
	CoordinatorOrgID *int64         `json:"coordinator_org_id"`
	CoordinatorOrg   string         `json:"coordinator_org"`
	StartYear        int            `json:"start_year"`
	Departure        *departureJSON `json:"departure"`
	Version          int            `json:"version"`
	CreatedAt        time.Time      `json:"created_at"`
	UpdatedAt        time.Time      `json:"updated_at"`
}

func toEnrollmentJSON(e *regional.Enrollment) enrollmentJSON {
	out := enrollmentJSON{ID: e.ID, ProgramID: e.ProgramID, ProgramName: e.ProgramName, PrefectureOrgID: e.PrefectureOrgID,
		DoctorID: e.DoctorID, DoctorName: e.DoctorName, CoordinatorOrgID: optID(e.CoordinatorOrgID), CoordinatorOrg: e.CoordinatorOrg,
		StartYear: e.StartYear, Version: e.Version, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt}
	if d := e.Departure; d != nil {
		out.Departure = &departureJSON{On: d.On.Format(time.DateOnly), Reason: d.Reason, Consented: d.Consented}
	}
	return out
}

type summaryJSON struct {
	ServedMonths            int               `json:"served_months"`
	ShortageMonths          int               `json:"shortage_months"`
	OutsideMonths           int               `json:"outside_months"`
	OutsideUncountedMonths  int               `json:"outside_uncounted_months"`
	SuspendedMonths         map[string]int    `json:"suspended_months"`
	RemainingMonths         int               `json:"remaining_months"`
	RemainingShortageMonths int               `json:"remaining_shortage_months"`
	ProjectedYear           int               `json:"projected_fiscal_year"`
	ProjectedMonth          int               `json:"projected_fiscal_month"`
	DeadlineYear            int               `json:"deadline_fiscal_year"`
	Possible                bool              `json:"possible"`
	Status                  obligation.Status `json:"status"`
	StatusLabel             string            `json:"status_label"`
	Reasons                 []string          `json:"reasons"`
}

func toSummaryJSON(s obligation.Summary) summaryJSON {
	sus := map[string]int{}
	for r, m := range s.SuspendedMonths {
		sus[string(r)] = m
	}
	reasons := s.Reasons
	if reasons == nil {
		reasons = []string{}
	}
	return summaryJSON{ServedMonths: s.ServedMonths, ShortageMonths: s.ShortageMonths, OutsideMonths: s.OutsideMonths,
		OutsideUncountedMonths: s.OutsideUncountedMonths, SuspendedMonths: sus, RemainingMonths: s.RemainingMonths,
		RemainingShortageMonths: s.RemainingShortageMonths, ProjectedYear: s.ProjectedYear, ProjectedMonth: s.ProjectedMonth,
		DeadlineYear: s.DeadlineYear, Possible: s.Possible, Status: s.Status, StatusLabel: s.Status.Label(), Reasons: reasons}
}

type placementEntryJSON struct {
	ID             int64                `json:"id"`
	FiscalYear     int                  `json:"fiscal_year"`
	Months         int                  `json:"months"`
	InstitutionID  *int64               `json:"institution_id"`
	Institution    string               `json:"institution"`
	AreaCode       string               `json:"area_code"`
	Area           string               `json:"area"`
	Class          obligation.AreaClass `json:"class"`
	Outside        bool                 `json:"outside"`
	Specialty      string               `json:"specialty"`
	TrainingStage  string               `json:"training_stage"`
	Note           string               `json:"note"`
	RecordedBy     int64                `json:"recorded_by"`
	RecordedByName string               `json:"recorded_by_name"`
	RecordedAt     time.Time            `json:"recorded_at"`
}

type suspensionEntryJSON struct {
	ID             int64                       `json:"id"`
	FiscalYear     int                         `json:"fiscal_year"`
	Months         int                         `json:"months"`
	Reason         obligation.SuspensionReason `json:"reason"`
	Note           string                      `json:"note"`
	RecordedBy     int64                       `json:"recorded_by"`
	RecordedByName string                      `json:"recorded_by_name"`
	RecordedAt     time.Time                   `json:"recorded_at"`
}

// enrollmentSummaryJSON is an enrolment in a list: with its summary, not
// its ledger.
type enrollmentSummaryJSON struct {
	enrollmentJSON
	Summary summaryJSON `json:"summary"`
}

// enrollmentViewJSON is one enrolment with its program, ledger and
// summary.
type enrollmentViewJSON struct {
	enrollmentJSON
	Program     programJSON           `json:"program"`
	Placements  []placementEntryJSON  `json:"placements"`
	Suspensions []suspensionEntryJSON `json:"suspensions"`
	Summary     summaryJSON           `json:"summary"`
}

func toEnrollmentViewJSON(v *regional.EnrollmentView) enrollmentViewJSON {
	out := enrollmentViewJSON{enrollmentJSON: toEnrollmentJSON(v.Enrollment), Program: toProgramJSON(v.Program),
		Placements: []placementEntryJSON{}, Suspensions: []suspensionEntryJSON{}, Summary: toSummaryJSON(v.Summary)}
	for _, p := range v.Entries.Placements {
		out.Placements = append(out.Placements, placementEntryJSON{ID: p.ID, FiscalYear: p.FiscalYear, Months: p.Months,
			InstitutionID: optID(p.InstitutionID), Institution: p.Institution, AreaCode: p.AreaCode, Area: p.Area, Class: p.Class,
			Outside: p.Outside, Specialty: p.Specialty, TrainingStage: p.TrainingStage, Note: p.Note, RecordedBy: p.RecordedBy,
			RecordedByName: p.RecordedByName, RecordedAt: p.RecordedAt})
	}
	for _, sp := range v.Entries.Suspensions {
		out.Suspensions = append(out.Suspensions, suspensionEntryJSON{ID: sp.ID, FiscalYear: sp.FiscalYear, Months: sp.Months,
			Reason: sp.Reason, Note: sp.Note, RecordedBy: sp.RecordedBy, RecordedByName: sp.RecordedByName, RecordedAt: sp.RecordedAt})
	}
	return out
}

func enrollmentList(list []regional.EnrollmentView) map[string]any {
	out := make([]enrollmentSummaryJSON, len(list))
	for i := range list {
		out[i] = enrollmentSummaryJSON{enrollmentJSON: toEnrollmentJSON(list[i].Enrollment), Summary: toSummaryJSON(list[i].Summary)}
	}
	return map[string]any{"enrollments": out}
}

type planYearJSON struct {
	FiscalYear int                         `json:"fiscal_year"`
	Kind       obligation.PlanKind         `json:"kind"`
	Months     int                         `json:"months"`
	Class      obligation.AreaClass        `json:"class"`
	AreaCode   string                      `json:"area_code"`
	Outside    bool                        `json:"outside"`
	Specialty  string                      `json:"specialty"`
	Program    string                      `json:"program"`
	Reason     obligation.SuspensionReason `json:"reason"`
	Note       string                      `json:"note"`
}

type problemJSON struct {
	FiscalYear int    `json:"fiscal_year"`
	Field      string `json:"field"`
	Message    string `json:"message"`
}

type planCheckJSON struct {
	OK        bool          `json:"ok"`
	Problems  []problemJSON `json:"problems"`
	Projected summaryJSON   `json:"projected"`
}

func toPlanCheckJSON(c *obligation.PlanCheck) planCheckJSON {
	out := planCheckJSON{OK: c.OK, Problems: []problemJSON{}, Projected: toSummaryJSON(c.Projected)}
	for _, p := range c.Problems {
		out.Problems = append(out.Problems, problemJSON{FiscalYear: p.FiscalYear, Field: p.Field, Message: p.Message})
	}
	return out
}

type planJSON struct {
	ID           int64          `json:"id"`
	EnrollmentID int64          `json:"enrollment_id"`
	Name         string         `json:"name"`
	Years        []planYearJSON `json:"years"`
	Version      int            `json:"version"`
	UpdatedAt    time.Time      `json:"updated_at"`
	Check        planCheckJSON  `json:"check"`
}

func toPlanJSON(v *regional.PlanView) planJSON {
	out := planJSON{ID: v.Plan.ID, EnrollmentID: v.Plan.EnrollmentID, Name: v.Plan.Name, Years: []planYearJSON{},
		Version: v.Plan.Version, UpdatedAt: v.Plan.UpdatedAt, Check: toPlanCheckJSON(&v.Check)}
	for _, y := range v.Plan.Years {
		out.Years = append(out.Years, planYearJSON{FiscalYear: y.FiscalYear, Kind: y.Kind, Months: y.Months, Class: y.Class,
			AreaCode: y.AreaCode, Outside: y.Outside, Specialty: y.Specialty, Program: y.Program, Reason: y.Reason, Note: y.Note})
	}
	return out
}

func planYears(in []planYearJSON) []obligation.PlanYear {
	out := make([]obligation.PlanYear, len(in))
	for i, y := range in {
		out[i] = obligation.PlanYear{FiscalYear: y.FiscalYear, Kind: y.Kind, Months: y.Months, Class: y.Class, AreaCode: y.AreaCode,
			Outside: y.Outside, Specialty: y.Specialty, Program: y.Program, Reason: y.Reason, Note: y.Note}
	}
	return out
}

// needVersionOf is the error for a write that does not say which version
// of the object it saw.
func needVersionOf(what string) error {
	return apperr.InvalidFields(map[string]string{"version": "取得した" + what + "の version を指定してください。"})
}

// queryVersion reads the version a DELETE names in its query.
func queryVersion(r *http.Request, what string) (int, error) {
	v, err := strconv.Atoi(r.URL.Query().Get("version"))
	if err != nil || v < 0 {
		return 0, needVersionOf(what)
	}
	return v, nil
}

// pathInt reads a numeric path value; a malformed one is a 404.
func pathInt(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, apperr.E(apperr.NotFound, "見つかりません。")
	}
	return n, nil
}

// Programs.

func (s *Server) programs(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	pref, err := queryInt(r, "prefecture")
	if err != nil {
		return err
	}
	list, err := s.Regional.Programs(r.Context(), cur.Actor(), pref)
	if err != nil {
		return err
	}
	out := make([]programJSON, len(list))
	for i := range list {
		out[i] = toProgramJSON(&list[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"programs": out})
}

func (s *Server) createProgram(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in programInput
	if err := decode(r, &in); err != nil {
		return err
	}
	p := in.program()
	if err := s.Regional.CreateProgram(r.Context(), cur.Actor(), p); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toProgramJSON(p))
}

func (s *Server) getProgram(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.Regional.Program(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toProgramJSON(p))
}

func (s *Server) updateProgram(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in programInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("プログラム")
	}
	p := in.program()
	p.ID, p.Version = id, *in.Version
	if err := s.Regional.UpdateProgram(r.Context(), cur.Actor(), p); err != nil {
		return err
	}
	got, err := s.Regional.Program(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toProgramJSON(got))
}

// Medical areas.

func (s *Server) areas(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	pref, err := queryInt(r, "prefecture")
	if err != nil {
		return err
	}
	if pref == 0 {
		return apperr.InvalidFields(map[string]string{"prefecture": "都道府県の組織IDを指定してください。"})
	}
	list, err := s.Regional.Areas(r.Context(), cur.Actor(), pref)
	if err != nil {
		return err
	}
	out := make([]areaJSON, len(list))
	for i := range list {
		out[i] = toAreaJSON(&list[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"areas": out})
}

func (s *Server) createArea(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		PrefectureOrgID int64  `json:"prefecture_org_id"`
		Code            string `json:"code"`
		Name            string `json:"name"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	a := &regional.Area{PrefectureOrgID: in.PrefectureOrgID, Area: obligation.Area{Code: in.Code, Name: in.Name}}
	if err := s.Regional.SaveArea(r.Context(), cur.Actor(), a); err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toAreaJSON(a))
}

func (s *Server) setAreaClass(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	year, err := strconv.Atoi(r.PathValue("year"))
	if err != nil {
		return apperr.InvalidFields(map[string]string{"fiscal_year": "年度は数字で指定してください（例: 2026）。"})
	}
	var in struct {
		Class obligation.AreaClass `json:"class"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Regional.SetAreaClass(r.Context(), cur.Actor(), id, year, in.Class); err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]any{"area_id": id, "fiscal_year": year, "class": in.Class})
}

// Enrolments and their ledgers.

func (s *Server) enroll(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		ProgramID        int64  `json:"program_id"`
		DoctorID         int64  `json:"doctor_id"`
		DoctorEmail      string `json:"doctor_email"`
		CoordinatorOrgID int64  `json:"coordinator_org_id"`
		StartYear        int    `json:"start_year"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	e, err := s.Regional.Enroll(r.Context(), cur.Actor(), regional.EnrollRequest{ProgramID: in.ProgramID, DoctorID: in.DoctorID,
		DoctorEmail: in.DoctorEmail, CoordinatorOrgID: in.CoordinatorOrgID, StartYear: in.StartYear})
	if err != nil {
		return err
	}
	v, err := s.Regional.Enrollment(r.Context(), cur.Actor(), e.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toEnrollmentViewJSON(v))
}

func (s *Server) enrollments(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var f regional.EnrollmentFilter
	var err error
	if f.PrefectureOrgID, err = queryInt(r, "prefecture"); err != nil {
		return err
	}
	if f.CoordinatorOrgID, err = queryInt(r, "coordinator"); err != nil {
		return err
	}
	if f.ProgramID, err = queryInt(r, "program"); err != nil {
		return err
	}
	f.Status = obligation.Status(r.URL.Query().Get("status"))
	if f.Status != "" && !f.Status.Valid() {
		return apperr.InvalidFields(map[string]string{"status": "状態は on_track, at_risk, cannot_complete, completed, left から指定してください。"})
	}
	list, err := s.Regional.Enrollments(r.Context(), cur.Actor(), f)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, enrollmentList(list))
}

func (s *Server) myEnrollments(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Regional.MyEnrollments(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, enrollmentList(list))
}

func (s *Server) getEnrollment(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.Regional.Enrollment(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toEnrollmentViewJSON(v))
}

func (s *Server) addPlacement(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Version       *int   `json:"version"`
		FiscalYear    int    `json:"fiscal_year"`
		Months        int    `json:"months"`
		InstitutionID int64  `json:"institution_id"`
		Institution   string `json:"institution"`
		AreaCode      string `json:"area_code"`
		Outside       bool   `json:"outside"`
		Specialty     string `json:"specialty"`
		TrainingStage string `json:"training_stage"`
		Note          string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("台帳（登録）")
	}
	v, err := s.Regional.AddPlacement(r.Context(), cur.Actor(), id, *in.Version, obligation.Placement{FiscalYear: in.FiscalYear,
		Months: in.Months, InstitutionID: in.InstitutionID, Institution: in.Institution, AreaCode: in.AreaCode, Outside: in.Outside,
		Specialty: in.Specialty, TrainingStage: in.TrainingStage, Note: in.Note})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toEnrollmentViewJSON(v))
}

func (s *Server) addSuspension(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Version    *int                        `json:"version"`
		FiscalYear int                         `json:"fiscal_year"`
		Months     int                         `json:"months"`
		Reason     obligation.SuspensionReason `json:"reason"`
		Note       string                      `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("台帳（登録）")
	}
	v, err := s.Regional.AddSuspension(r.Context(), cur.Actor(), id, *in.Version,
		obligation.Suspension{FiscalYear: in.FiscalYear, Months: in.Months, Reason: in.Reason, Note: in.Note})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toEnrollmentViewJSON(v))
}

func (s *Server) removeEntry(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	kind := regional.EntryKind(r.PathValue("kind"))
	if kind != regional.EntryPlacement && kind != regional.EntrySuspension {
		return apperr.E(apperr.NotFound, "見つかりません。")
	}
	entry, err := pathInt(r, "entry")
	if err != nil {
		return err
	}
	version, err := queryVersion(r, "台帳（登録）")
	if err != nil {
		return err
	}
	v, err := s.Regional.RemoveEntry(r.Context(), cur.Actor(), id, version, kind, entry)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toEnrollmentViewJSON(v))
}

func (s *Server) recordDeparture(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Version   *int   `json:"version"`
		On        string `json:"on"`
		Reason    string `json:"reason"`
		Consented bool   `json:"consented"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("台帳（登録）")
	}
	d := obligation.Departure{Reason: in.Reason, Consented: in.Consented}
	if in.On != "" {
		on, err := time.Parse(time.DateOnly, in.On)
		if err != nil || on.Year() < obligation.MinFiscalYear || on.Year() > obligation.MaxFiscalYear {
			return apperr.InvalidFields(map[string]string{"on": "離脱日は YYYY-MM-DD の形式で指定してください。"})
		}
		d.On = on
	}
	v, err := s.Regional.RecordDeparture(r.Context(), cur.Actor(), id, *in.Version, d)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toEnrollmentViewJSON(v))
}

// Plans.

// planInput is the body of POST and PUT plans and of POST /plans/check.
type planInput struct {
	EnrollmentID int64          `json:"enrollment_id"`
	PlanID       int64          `json:"plan_id"`
	Name         string         `json:"name"`
	Years        []planYearJSON `json:"years"`
	Version      *int           `json:"version"`
}

func (s *Server) plans(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Regional.Plans(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	out := make([]planJSON, len(list))
	for i := range list {
		out[i] = toPlanJSON(&list[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"plans": out})
}

func (s *Server) createPlan(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in planInput
	if err := decode(r, &in); err != nil {
		return err
	}
	v, err := s.Regional.CreatePlan(r.Context(), cur.Actor(), &obligation.Plan{EnrollmentID: id, Name: in.Name, Years: planYears(in.Years)})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toPlanJSON(v))
}

func (s *Server) getPlan(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	v, err := s.Regional.Plan(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toPlanJSON(v))
}

func (s *Server) updatePlan(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in planInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("計画")
	}
	v, err := s.Regional.UpdatePlan(r.Context(), cur.Actor(), &obligation.Plan{ID: id, Name: in.Name, Years: planYears(in.Years), Version: *in.Version})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toPlanJSON(v))
}

func (s *Server) deletePlan(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, err := queryVersion(r, "計画")
	if err != nil {
		return err
	}
	if err := s.Regional.DeletePlan(r.Context(), cur.Actor(), id, version); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// checkPlan checks a draft plan without saving it.
func (s *Server) checkPlan(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in planInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.EnrollmentID <= 0 {
		return apperr.InvalidFields(map[string]string{"enrollment_id": "登録（enrollment）のIDを指定してください。"})
	}
	c, err := s.Regional.CheckPlan(r.Context(), cur.Actor(), obligation.Plan{ID: in.PlanID, EnrollmentID: in.EnrollmentID, Name: in.Name,
		Years: planYears(in.Years)})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toPlanCheckJSON(c))
}

func (s *Server) comparePlans(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	a, err := queryInt(r, "a")
	if err != nil {
		return err
	}
	b, err := queryInt(r, "b")
	if err != nil {
		return err
	}
	if a == 0 || b == 0 {
		return apperr.InvalidFields(map[string]string{"a": "比べる2つの計画のIDを a と b に指定してください。"})
	}
	c, err := s.Regional.ComparePlans(r.Context(), cur.Actor(), a, b)
	if err != nil {
		return err
	}
	if c.A.Plan.EnrollmentID != id {
		return apperr.E(apperr.NotFound, "見つかりません。")
	}
	return writeJSON(w, http.StatusOK, map[string]planJSON{"a": toPlanJSON(&c.A), "b": toPlanJSON(&c.B)})
}
