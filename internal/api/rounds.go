package api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/reqinfo"
	"github.com/hakui-dev/hakui/internal/rounds"
)

// The annual placement round (年度の配置): the officer opens and runs it,
// doctors submit ranked lists, institutions rank their candidates. Writes
// to a round name the version the caller saw; a stale one is 409.
//
// Errors follow the placement pipeline's split: malformed or refused input
// (a list that breaks the plan, the obligation or the specialty
// restriction, with the reason on the offending choice) is 400 with
// per-field errors; a step the round is not ready for (a run before the
// rankings' deadline, a list after the lists' deadline, a preview before a
// run, a change to a published round) is 422.

type roundInstitutionJSON struct {
	OrgID       int64                `json:"org_id"`
	Name        string               `json:"name"`
	AreaID      int64                `json:"area_id"`
	AreaCode    string               `json:"area_code"`
	AreaName    string               `json:"area_name"`
	Class       obligation.AreaClass `json:"class"`
	Capacity    int                  `json:"capacity"`
	Target      *int                 `json:"target"`
	Specialties []string             `json:"specialties"`
}

type areaCapJSON struct {
	AreaID   int64  `json:"area_id"`
	AreaCode string `json:"area_code"`
	AreaName string `json:"area_name"`
	Cap      int    `json:"cap"`
}

type roundJSON struct {
	ID              int64                  `json:"id"`
	PrefectureOrgID int64                  `json:"prefecture_org_id"`
	ProgramID       int64                  `json:"program_id"`
	ProgramName     string                 `json:"program_name"`
	FiscalYear      int                    `json:"fiscal_year"`
	Name            string                 `json:"name"`
	Mechanism       match.Mechanism        `json:"mechanism"`
	ListsDue        time.Time              `json:"lists_due"`
	RankingsDue     time.Time              `json:"rankings_due"`
	Status          rounds.Status          `json:"status"`
	Institutions    []roundInstitutionJSON `json:"institutions"`
	Caps            []areaCapJSON          `json:"caps"`
	RunAt           *time.Time             `json:"run_at"`
	PublishedAt     *time.Time             `json:"published_at"`
	Version         int                    `json:"version"`
	CreatedAt       time.Time              `json:"created_at"`
	UpdatedAt       time.Time              `json:"updated_at"`
}

func toRoundJSON(r *rounds.Round) roundJSON {
	out := roundJSON{ID: r.ID, PrefectureOrgID: r.PrefectureOrgID, ProgramID: r.ProgramID, ProgramName: r.ProgramName,
		FiscalYear: r.FiscalYear, Name: r.Name, Mechanism: r.Mechanism, ListsDue: r.ListsDue, RankingsDue: r.RankingsDue,
		Status: r.Status, Institutions: []roundInstitutionJSON{}, Caps: []areaCapJSON{}, RunAt: r.RunAt,
		PublishedAt: r.PublishedAt, Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt}
	for _, in := range r.Institutions {
		out.Institutions = append(out.Institutions, toRoundInstitutionJSON(in))
	}
	for _, c := range r.Caps {
		out.Caps = append(out.Caps, areaCapJSON{AreaID: c.AreaID, AreaCode: c.AreaCode, AreaName: c.AreaName, Cap: c.Cap})
	}
	return out
}

func toRoundInstitutionJSON(in rounds.Institution) roundInstitutionJSON {
	return roundInstitutionJSON{OrgID: in.OrgID, Name: in.Name, AreaID: in.AreaID, AreaCode: in.AreaCode, AreaName: in.AreaName,
		Class: in.Class, Capacity: in.Capacity, Target: in.Target, Specialties: nonNil(in.Specialties)}
}

// roundInput is the body of POST /rounds and PUT /rounds/{id}.
type roundInput struct {
	PrefectureOrgID int64           `json:"prefecture_org_id"`
	ProgramID       int64           `json:"program_id"`
	FiscalYear      int             `json:"fiscal_year"`
	Name            string          `json:"name"`
	Mechanism       match.Mechanism `json:"mechanism"`
	ListsDue        time.Time       `json:"lists_due"`
	RankingsDue     time.Time       `json:"rankings_due"`
	Institutions    []struct {
		OrgID       int64    `json:"org_id"`
		AreaID      int64    `json:"area_id"`
		Capacity    int      `json:"capacity"`
		Target      *int     `json:"target"`
		Specialties []string `json:"specialties"`
	} `json:"institutions"`
	Caps []struct {
		AreaID int64 `json:"area_id"`
		Cap    int   `json:"cap"`
	} `json:"caps"`
	Version *int `json:"version"`
}

func (in roundInput) round() *rounds.Round {
	r := &rounds.Round{PrefectureOrgID: in.PrefectureOrgID, ProgramID: in.ProgramID, FiscalYear: in.FiscalYear, Name: in.Name,
		Mechanism: in.Mechanism, ListsDue: in.ListsDue, RankingsDue: in.RankingsDue}
	for _, x := range in.Institutions {
		r.Institutions = append(r.Institutions, rounds.Institution{OrgID: x.OrgID, AreaID: x.AreaID, Capacity: x.Capacity,
			Target: x.Target, Specialties: x.Specialties})
	}
	for _, c := range in.Caps {
		r.Caps = append(r.Caps, rounds.AreaCap{AreaID: c.AreaID, Cap: c.Cap})
	}
	return r
}

type listJSON struct {
	RoundID      int64     `json:"round_id"`
	DoctorID     int64     `json:"doctor_id"`
	DoctorName   string    `json:"doctor_name"`
	EnrollmentID int64     `json:"enrollment_id"`
	PlanID       *int64    `json:"plan_id"`
	Specialty    string    `json:"specialty"`
	Institutions []int64   `json:"institutions"`
	SubmittedAt  time.Time `json:"submitted_at"`
}

func toListJSON(l *rounds.List) listJSON {
	return listJSON{RoundID: l.RoundID, DoctorID: l.DoctorID, DoctorName: l.DoctorName, EnrollmentID: l.EnrollmentID,
		PlanID: optID(l.PlanID), Specialty: l.Specialty, Institutions: nonNil(l.Institutions), SubmittedAt: l.SubmittedAt}
}

type rankingJSON struct {
	RoundID       int64     `json:"round_id"`
	InstitutionID int64     `json:"institution_id"`
	Doctors       []int64   `json:"doctors"`
	SubmittedAt   time.Time `json:"submitted_at"`
}

func toRankingJSON(k *rounds.Ranking) rankingJSON {
	return rankingJSON{RoundID: k.RoundID, InstitutionID: k.InstitutionID, Doctors: nonNil(k.Doctors), SubmittedAt: k.SubmittedAt}
}

// doctorJSON is a doctor as an institution's staff see them in a round:
// a candidate to rank, or a doctor placed with them.
type doctorJSON struct {
	DoctorID   int64  `json:"doctor_id"`
	DoctorName string `json:"doctor_name"`
	Specialty  string `json:"specialty"`
}

// resultJSON is one doctor's outcome as the round's officers see it, with
// the engine's whole explanation (which names other doctors as "d<ID>" and
// institutions as "i<ID>").
type resultJSON struct {
	DoctorID      int64              `json:"doctor_id"`
	DoctorName    string             `json:"doctor_name"`
	InstitutionID *int64             `json:"institution_id"`
	Rank          int                `json:"rank"`
	Explanation   *match.Explanation `json:"explanation"`
	RecordedAt    *time.Time         `json:"recorded_at"`
}

func toResultsJSON(list []rounds.Result) []resultJSON {
	out := make([]resultJSON, len(list))
	for i, r := range list {
		out[i] = resultJSON{DoctorID: r.DoctorID, DoctorName: r.DoctorName, InstitutionID: optID(r.InstitutionID), Rank: r.Rank,
			Explanation: r.Explanation, RecordedAt: r.RecordedAt}
	}
	return out
}

type areaFillJSON struct {
	AreaID   int64                `json:"area_id"`
	AreaCode string               `json:"area_code"`
	AreaName string               `json:"area_name"`
	Class    obligation.AreaClass `json:"class"`
	Capacity int                  `json:"capacity"`
	Cap      *int                 `json:"cap"`
	Filled   int                  `json:"filled"`
}

func toAreaFillsJSON(list []rounds.AreaFill) []areaFillJSON {
	out := make([]areaFillJSON, len(list))
	for i, a := range list {
		out[i] = areaFillJSON{AreaID: a.AreaID, AreaCode: a.AreaCode, AreaName: a.AreaName, Class: a.Class, Capacity: a.Capacity,
			Cap: a.Cap, Filled: a.Filled}
	}
	return out
}

type specialtyFillJSON struct {
	Specialty string `json:"specialty"`
	Listed    int    `json:"listed"`
	Filled    int    `json:"filled"`
}

type institutionFillJSON struct {
	OrgID    int64  `json:"org_id"`
	Name     string `json:"name"`
	AreaName string `json:"area_name"`
	Capacity int    `json:"capacity"`
	Target   *int   `json:"target"`
	Filled   int    `json:"filled"`
}

type mechanismOutcomeJSON struct {
	Mechanism     match.Mechanism `json:"mechanism"`
	Chosen        bool            `json:"chosen"`
	Matched       int             `json:"matched"`
	Unmatched     int             `json:"unmatched"`
	Areas         []areaFillJSON  `json:"areas"`
	BlockingPairs int             `json:"blocking_pairs"`
	Excused       int             `json:"excused"`
	Violations    []string        `json:"violations"`
	Notes         []string        `json:"notes"`
}

type previewJSON struct {
	Round           roundJSON              `json:"round"`
	Results         []resultJSON           `json:"results"`
	Areas           []areaFillJSON         `json:"areas"`
	Specialties     []specialtyFillJSON    `json:"specialties"`
	Institutions    []institutionFillJSON  `json:"institutions"`
	Unmatched       []resultJSON           `json:"unmatched"`
	MissingRankings []roundInstitutionJSON `json:"missing_rankings"`
	Comparison      []mechanismOutcomeJSON `json:"comparison"`
}

func toPreviewJSON(p *rounds.Preview) previewJSON {
	out := previewJSON{Round: toRoundJSON(p.Round), Results: toResultsJSON(p.Results), Areas: toAreaFillsJSON(p.Areas),
		Specialties: []specialtyFillJSON{}, Institutions: []institutionFillJSON{}, Unmatched: toResultsJSON(p.Unmatched),
		MissingRankings: []roundInstitutionJSON{}, Comparison: []mechanismOutcomeJSON{}}
	for _, s := range p.Specialties {
		out.Specialties = append(out.Specialties, specialtyFillJSON{Specialty: s.Specialty, Listed: s.Listed, Filled: s.Filled})
	}
	for _, in := range p.Institutions {
		out.Institutions = append(out.Institutions, institutionFillJSON{OrgID: in.OrgID, Name: in.Name, AreaName: in.AreaName,
			Capacity: in.Capacity, Target: in.Target, Filled: in.Filled})
	}
	for _, in := range p.MissingRankings {
		out.MissingRankings = append(out.MissingRankings, toRoundInstitutionJSON(in))
	}
	for _, o := range p.Comparison {
		out.Comparison = append(out.Comparison, mechanismOutcomeJSON{Mechanism: o.Mechanism, Chosen: o.Chosen, Matched: o.Matched,
			Unmatched: o.Unmatched, Areas: toAreaFillsJSON(o.Areas), BlockingPairs: o.BlockingPairs, Excused: o.Excused,
			Violations: nonNil(o.Violations), Notes: nonNil(o.Notes)})
	}
	return out
}

type reasonJSON struct {
	Rank          int              `json:"rank"`
	InstitutionID int64            `json:"institution_id"`
	Institution   string           `json:"institution"`
	Kind          match.ReasonKind `json:"kind"`
	Seats         int              `json:"seats"`
	Filled        int              `json:"filled"`
	AreaName      string           `json:"area_name"`
	Cap           int              `json:"cap"`
	Message       string           `json:"message"`
}

// placementJSON is a doctor's outcome as the doctor sees it; it never
// names another doctor.
type placementJSON struct {
	RoundID       int64                `json:"round_id"`
	RoundName     string               `json:"round_name"`
	FiscalYear    int                  `json:"fiscal_year"`
	Mechanism     match.Mechanism      `json:"mechanism"`
	InstitutionID *int64               `json:"institution_id"`
	Institution   string               `json:"institution"`
	AreaName      string               `json:"area_name"`
	Class         obligation.AreaClass `json:"class"`
	Rank          int                  `json:"rank"`
	Reasons       []reasonJSON         `json:"reasons"`
}

func toPlacementJSON(p *rounds.Placement) placementJSON {
	out := placementJSON{RoundID: p.RoundID, RoundName: p.RoundName, FiscalYear: p.FiscalYear, Mechanism: p.Mechanism,
		InstitutionID: optID(p.InstitutionID), Institution: p.Institution, AreaName: p.AreaName, Class: p.Class, Rank: p.Rank,
		Reasons: []reasonJSON{}}
	for _, r := range p.Reasons {
		out.Reasons = append(out.Reasons, reasonJSON{Rank: r.Rank, InstitutionID: r.InstitutionID, Institution: r.Institution,
			Kind: r.Kind, Seats: r.Seats, Filled: r.Filled, AreaName: r.AreaName, Cap: r.Cap, Message: r.Message})
	}
	return out
}

// versionInput is the body of the round's run and publish.
type versionInput struct {
	Version *int `json:"version"`
}

// decodeVersion reads a body that carries only the version of the object
// the caller saw; what names the object for the error.
func decodeVersion(r *http.Request, what string) (int, error) {
	var in versionInput
	if err := decode(r, &in); err != nil {
		return 0, err
	}
	if in.Version == nil {
		return 0, needVersionOf(what)
	}
	return *in.Version, nil
}

// roundStep writes err as 422 when the round is not ready for the step
// (an invalid error without fields from the service) and reports whether
// it did; other errors are left to the caller.
func (s *Server) roundStep(w http.ResponseWriter, r *http.Request, err error) bool {
	if !apperr.Is(err, apperr.Invalid) || len(apperr.FieldsOf(err)) > 0 {
		return false
	}
	WriteProblem(w, Problem{Type: "https://hakui.example/problems/not_ready", Title: http.StatusText(http.StatusUnprocessableEntity),
		Status: http.StatusUnprocessableEntity, Detail: apperr.MessageOf(err), Instance: r.URL.Path, Code: apperr.Invalid,
		RequestID: reqinfo.From(r.Context()).RequestID})
	return true
}

// roundAndInstitution reads the {id} and {inst} path values.
func roundAndInstitution(r *http.Request) (int64, int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, 0, err
	}
	inst, err := pathInt(r, "inst")
	if err != nil {
		return 0, 0, err
	}
	return id, inst, nil
}

// Rounds.

func (s *Server) listRounds(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	pref, err := queryInt(r, "prefecture")
	if err != nil {
		return err
	}
	if pref == 0 {
		return apperr.InvalidFields(map[string]string{"prefecture": "都道府県の組織IDを指定してください。"})
	}
	list, err := s.Rounds.Rounds(r.Context(), cur.Actor(), pref)
	if err != nil {
		return err
	}
	out := make([]roundJSON, len(list))
	for i := range list {
		out[i] = toRoundJSON(&list[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"rounds": out})
}

func (s *Server) openRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in roundInput
	if err := decode(r, &in); err != nil {
		return err
	}
	got, err := s.Rounds.OpenRound(r.Context(), cur.Actor(), in.round())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toRoundJSON(got))
}

func (s *Server) getRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	got, err := s.Rounds.Round(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRoundJSON(got))
}

func (s *Server) updateRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in roundInput
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("配置")
	}
	rd := in.round()
	rd.ID, rd.Version = id, *in.Version
	got, err := s.Rounds.UpdateRound(r.Context(), cur.Actor(), rd)
	if s.roundStep(w, r, err) {
		return nil
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRoundJSON(got))
}

// Doctors' lists.

// submitList submits or replaces the caller's own list. A list that breaks
// the plan, the obligation or the specialty restriction is 400 with the
// reason under "institutions.N" (the N-th choice) or "specialty".
func (s *Server) submitList(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Institutions []int64 `json:"institutions"`
		Specialty    string  `json:"specialty"`
		PlanID       int64   `json:"plan_id"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	l, err := s.Rounds.SubmitList(r.Context(), cur.Actor(), id, rounds.ListRequest{Institutions: in.Institutions,
		Specialty: in.Specialty, PlanID: in.PlanID})
	if s.roundStep(w, r, err) {
		return nil
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toListJSON(l))
}

func (s *Server) doctorList(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	doctor, err := pathInt(r, "doctor")
	if err != nil {
		return err
	}
	l, err := s.Rounds.DoctorList(r.Context(), cur.Actor(), id, doctor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toListJSON(l))
}

func (s *Server) roundLists(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Rounds.Lists(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	out := make([]listJSON, len(list))
	for i := range list {
		out[i] = toListJSON(&list[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"lists": out})
}

// Institutions' rankings.

func (s *Server) candidates(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, inst, err := roundAndInstitution(r)
	if err != nil {
		return err
	}
	list, err := s.Rounds.Candidates(r.Context(), cur.Actor(), id, inst)
	if err != nil {
		return err
	}
	out := make([]doctorJSON, len(list))
	for i, c := range list {
		out[i] = doctorJSON{DoctorID: c.DoctorID, DoctorName: c.DoctorName, Specialty: c.Specialty}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"candidates": out})
}

func (s *Server) submitRanking(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, inst, err := roundAndInstitution(r)
	if err != nil {
		return err
	}
	var in struct {
		Doctors []int64 `json:"doctors"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	k, err := s.Rounds.SubmitRanking(r.Context(), cur.Actor(), id, inst, in.Doctors)
	if s.roundStep(w, r, err) {
		return nil
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRankingJSON(k))
}

func (s *Server) getRanking(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, inst, err := roundAndInstitution(r)
	if err != nil {
		return err
	}
	k, err := s.Rounds.Ranking(r.Context(), cur.Actor(), id, inst)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toRankingJSON(k))
}

// Run, preview and publish.

func (s *Server) runRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, err := decodeVersion(r, "配置")
	if err != nil {
		return err
	}
	p, err := s.Rounds.Run(r.Context(), cur.Actor(), id, version)
	if s.roundStep(w, r, err) {
		return nil
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toPreviewJSON(p))
}

func (s *Server) previewRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.Rounds.Preview(r.Context(), cur.Actor(), id)
	if s.roundStep(w, r, err) {
		return nil
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toPreviewJSON(p))
}

// publishRound publishes a run round and writes the placements to the
// ledgers; a placement a ledger refused is reported, not an error, and
// publishing again retries it.
func (s *Server) publishRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, err := decodeVersion(r, "配置")
	if err != nil {
		return err
	}
	rep, err := s.Rounds.Publish(r.Context(), cur.Actor(), id, version)
	if s.roundStep(w, r, err) {
		return nil
	}
	if err != nil {
		return err
	}
	type failureJSON struct {
		DoctorID   int64  `json:"doctor_id"`
		DoctorName string `json:"doctor_name"`
		Message    string `json:"message"`
	}
	failures := make([]failureJSON, len(rep.Failures))
	for i, f := range rep.Failures {
		failures[i] = failureJSON{DoctorID: f.DoctorID, DoctorName: f.DoctorName, Message: f.Message}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"round": toRoundJSON(rep.Round), "recorded": rep.Recorded, "failures": failures})
}

// Placements.

func (s *Server) doctorPlacement(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	doctor, err := pathInt(r, "doctor")
	if err != nil {
		return err
	}
	p, err := s.Rounds.DoctorPlacement(r.Context(), cur.Actor(), id, doctor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toPlacementJSON(p))
}

func (s *Server) institutionPlacements(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, inst, err := roundAndInstitution(r)
	if err != nil {
		return err
	}
	list, err := s.Rounds.InstitutionPlacements(r.Context(), cur.Actor(), id, inst)
	if err != nil {
		return err
	}
	out := make([]doctorJSON, len(list))
	for i, p := range list {
		out[i] = doctorJSON{DoctorID: p.DoctorID, DoctorName: p.DoctorName, Specialty: p.Specialty}
	}
	return writeJSON(w, http.StatusOK, map[string]any{"placements": out})
}

// CSV exports, to the round's officers.

func (s *Server) roundCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	return s.writeRoundCSV(w, r, cur, "round", s.Rounds.WriteRoundCSV)
}

func (s *Server) resultCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	return s.writeRoundCSV(w, r, cur, "result", s.Rounds.WriteResultCSV)
}

// writeRoundCSV buffers the export so that a refusal is still
// problem+json.
func (s *Server) writeRoundCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current, name string,
	write func(ctx context.Context, actor policy.Actor, id int64, w io.Writer) error) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := write(r.Context(), cur.Actor(), id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="round-%d-%s.csv"`, id, name))
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
	return nil
}
