package api

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/profile"
)

type weeklyJSON struct {
	Weekday int    `json:"weekday"` // 0 Sunday … 6 Saturday
	Start   string `json:"start"`
	End     string `json:"end"`
}

type requirementJSON struct {
	Code  string `json:"code"`
	Level int    `json:"level"`
}

// openingJSON is an opening as the API reads and writes it.
type openingJSON struct {
	ID              int64             `json:"id,omitempty"`
	InstitutionID   int64             `json:"institution_id"`
	InstitutionName string            `json:"institution_name,omitempty"`
	PosterOrgID     int64             `json:"poster_org_id"`
	PosterOrgName   string            `json:"poster_org_name,omitempty"`
	Title           string            `json:"title"`
	Kind            career.WorkKind   `json:"kind"`
	RemoteKind      career.RemoteKind `json:"remote_kind,omitempty"`
	Specialty       string            `json:"specialty,omitempty"`
	ScheduleKind    string            `json:"schedule_kind"`
	Weekly          []weeklyJSON      `json:"weekly,omitempty"`
	Date            string            `json:"date,omitempty"`
	StartTime       string            `json:"start_time,omitempty"`
	EndTime         string            `json:"end_time,omitempty"`
	ScheduleNote    string            `json:"schedule_note,omitempty"`
	PayUnit         career.PayUnit    `json:"pay_unit"`
	PayMinYen       int64             `json:"pay_min_yen"`
	PayMaxYen       int64             `json:"pay_max_yen"`
	EmergencyLevel  int               `json:"emergency_level"`
	DutyPermit      bool              `json:"duty_permit"`
	Prefecture      string            `json:"prefecture,omitempty"`
	City            string            `json:"city,omitempty"`
	Address         string            `json:"address,omitempty"`
	Answers         map[string]string `json:"answers"`
	Required        []requirementJSON `json:"required"`
	Preferred       []requirementJSON `json:"preferred"`
	CheckItems      []string          `json:"check_items"`
	Description     string            `json:"description"`
	Status          openings.Status   `json:"status,omitempty"`
	Version         int               `json:"version,omitempty"`
	PostedAt        *time.Time        `json:"posted_at,omitempty"`
	UpdatedAt       *time.Time        `json:"updated_at,omitempty"`
	Fit             *career.Result    `json:"fit,omitempty"`
}

func toOpeningJSON(o *openings.Opening) openingJSON {
	out := openingJSON{ID: o.ID, InstitutionID: o.InstitutionID, InstitutionName: o.InstitutionName, PosterOrgID: o.PosterOrgID,
		PosterOrgName: o.PosterOrgName, Title: o.Title, Kind: o.Kind, RemoteKind: o.RemoteKind, Specialty: o.Specialty,
		ScheduleKind: string(o.Schedule.Kind), Date: o.Schedule.Date, StartTime: o.Schedule.Start, EndTime: o.Schedule.End,
		ScheduleNote: o.Schedule.Note, PayUnit: o.PayUnit, PayMinYen: o.PayMinYen, PayMaxYen: o.PayMaxYen,
		EmergencyLevel: o.EmergencyLevel, DutyPermit: o.DutyPermit, Prefecture: o.Prefecture, City: o.City, Address: o.Address,
		Answers: map[string]string{}, Required: []requirementJSON{}, Preferred: []requirementJSON{}, CheckItems: o.CheckItems,
		Description: o.Description, Status: o.Status, Version: o.Version, PostedAt: o.PostedAt, UpdatedAt: &o.UpdatedAt}
	for _, w := range o.Schedule.Weekly {
		out.Weekly = append(out.Weekly, weeklyJSON{Weekday: int(w.Weekday), Start: w.Start, End: w.End})
	}
	for st, a := range o.Answers {
		out.Answers[string(st)] = string(a)
	}
	for _, r := range o.Required {
		out.Required = append(out.Required, requirementJSON{r.Code, int(r.Level)})
	}
	for _, r := range o.Preferred {
		out.Preferred = append(out.Preferred, requirementJSON{r.Code, int(r.Level)})
	}
	if out.CheckItems == nil {
		out.CheckItems = []string{}
	}
	return out
}

func (in openingJSON) opening() *openings.Opening {
	o := &openings.Opening{ID: in.ID, InstitutionID: in.InstitutionID, PosterOrgID: in.PosterOrgID, Title: in.Title, Kind: in.Kind,
		RemoteKind: in.RemoteKind, Specialty: in.Specialty, PayUnit: in.PayUnit, PayMinYen: in.PayMinYen, PayMaxYen: in.PayMaxYen,
		EmergencyLevel: in.EmergencyLevel, DutyPermit: in.DutyPermit, Prefecture: in.Prefecture, City: in.City, Address: in.Address,
		CheckItems: in.CheckItems, Description: in.Description, Status: in.Status, Version: in.Version,
		Schedule: openings.Schedule{Kind: openings.ScheduleKind(in.ScheduleKind), Date: in.Date, Start: in.StartTime,
			End: in.EndTime, Note: in.ScheduleNote},
		Answers: map[career.Stage]career.StageAnswer{}}
	for _, w := range in.Weekly {
		o.Schedule.Weekly = append(o.Schedule.Weekly, career.Weekly{Weekday: time.Weekday(w.Weekday), Start: w.Start, End: w.End})
	}
	for st, a := range in.Answers {
		o.Answers[career.Stage(st)] = career.StageAnswer(a)
	}
	for _, r := range in.Required {
		o.Required = append(o.Required, career.Requirement{Code: r.Code, Level: career.Level(r.Level)})
	}
	for _, r := range in.Preferred {
		o.Preferred = append(o.Preferred, career.Requirement{Code: r.Code, Level: career.Level(r.Level)})
	}
	return o
}

func (s *Server) searchOpenings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	f, err := openings.FilterFromValues(r.URL.Query())
	if err != nil {
		return err
	}
	var doctor *profile.Profile
	if cur != nil {
		if doctor, err = s.Openings.DoctorProfile(r.Context(), cur.Actor()); err != nil {
			return err
		}
		if doctor != nil && r.URL.Query().Get("eligible") == "1" {
			f.EligibleStage = doctor.Stage(s.Openings.Now())
		}
	}
	if n := r.URL.Query().Get("limit"); n != "" {
		if f.Limit, err = strconv.Atoi(n); err != nil || f.Limit < 1 || f.Limit > 100 {
			return apperr.InvalidFields(map[string]string{"limit": "1〜100で指定してください。"})
		}
	}
	page, err := s.Openings.Search(r.Context(), f, doctor)
	if err != nil {
		return err
	}
	out := []openingJSON{}
	for _, res := range page.Results {
		j := toOpeningJSON(res.Opening)
		j.Fit = res.Fit
		out = append(out, j)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"openings": out, "next": page.Next})
}

func (s *Server) getOpening(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := s.Openings.Get(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	out := toOpeningJSON(o)
	doctor, err := s.Openings.DoctorProfile(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	if doctor != nil {
		vocab, err := s.Openings.Vocabulary(r.Context())
		if err != nil {
			return err
		}
		fit := career.Fit(doctor.Facts(s.Openings.Now()), o.Facts(), vocab)
		out.Fit = &fit
	}
	return writeJSON(w, http.StatusOK, out)
}

func (s *Server) createOpening(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in openingJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	o := in.opening()
	if o.Status == "" {
		o.Status = openings.StatusDraft
	}
	if o.Status == openings.StatusClosed {
		return apperr.InvalidFields(map[string]string{"status": "新しい求人は draft か open で作成してください。"})
	}
	if err := s.Openings.Post(r.Context(), cur.Actor(), o); err != nil {
		return err
	}
	saved, err := s.Openings.Get(r.Context(), cur.Actor(), o.ID)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toOpeningJSON(saved))
}

func (s *Server) updateOpening(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in openingJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == 0 {
		return apperr.InvalidFields(map[string]string{"version": "取得した求人の version を指定してください。"})
	}
	o := in.opening()
	o.ID = id
	if err := s.Openings.Update(r.Context(), cur.Actor(), o); err != nil {
		return err
	}
	saved, err := s.Openings.Get(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toOpeningJSON(saved))
}

func (s *Server) setOpeningStatus(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Status  openings.Status `json:"status"`
		Version int             `json:"version"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := s.Openings.SetStatus(r.Context(), cur.Actor(), id, in.Version, in.Status); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type applicationJSON struct {
	ID           int64                    `json:"id"`
	OpeningID    int64                    `json:"opening_id"`
	OpeningTitle string                   `json:"opening_title"`
	Kind         openings.ApplicationKind `json:"kind"`
	Message      string                   `json:"message"`
	Shared       openings.Shared          `json:"shared"`
	Status       string                   `json:"status"`
	CreatedAt    time.Time                `json:"created_at"`
}

func applicationList(list []openings.Application) map[string]any {
	out := []applicationJSON{}
	for _, a := range list {
		out = append(out, applicationJSON{ID: a.ID, OpeningID: a.OpeningID, OpeningTitle: a.OpeningTitle, Kind: a.Kind,
			Message: a.Message, Shared: a.Shared, Status: a.Status, CreatedAt: a.CreatedAt})
	}
	return map[string]any{"applications": out}
}

func (s *Server) apply(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Kind           openings.ApplicationKind `json:"kind"`
		Message        string                   `json:"message"`
		ShareName      bool                     `json:"share_name"`
		ShareContact   bool                     `json:"share_contact"`
		ShareWorkplace bool                     `json:"share_workplace"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	a, err := s.Openings.Apply(r.Context(), cur.Actor(), id, openings.ApplyInput{Kind: in.Kind, Message: in.Message,
		ShareName: in.ShareName, ShareContact: in.ShareContact, ShareWorkplace: in.ShareWorkplace})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, applicationJSON{ID: a.ID, OpeningID: a.OpeningID, Kind: a.Kind, Message: a.Message,
		Shared: a.Shared, Status: a.Status, CreatedAt: a.CreatedAt})
}

func (s *Server) myApplications(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Openings.DoctorApplications(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, applicationList(list))
}

func (s *Server) orgApplications(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Openings.OrgApplications(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, applicationList(list))
}

func (s *Server) orgOpenings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	status := openings.Status(r.URL.Query().Get("status"))
	if status == "" {
		status = openings.StatusOpen
	}
	if status != openings.StatusOpen && status != openings.StatusDraft && status != openings.StatusClosed {
		return apperr.InvalidFields(map[string]string{"status": "open, draft, closed のいずれかを指定してください。"})
	}
	list, next, err := s.Openings.OrgOpenings(r.Context(), cur.Actor(), id, status, r.URL.Query().Get("after"))
	if err != nil {
		return err
	}
	out := []openingJSON{}
	for _, o := range list {
		out = append(out, toOpeningJSON(o))
	}
	return writeJSON(w, http.StatusOK, map[string]any{"openings": out, "next": next})
}

func (s *Server) exportCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	enc := excelcsv.FromQuery(r.URL.Query().Get("encoding"))
	var buf bytes.Buffer
	if err := s.Openings.ExportCSV(r.Context(), cur.Actor(), id, &buf, enc); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset="+enc.Charset())
	w.Write(buf.Bytes())
	return nil
}

func (s *Server) importCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	institution := id
	if v := r.URL.Query().Get("institution_id"); v != "" {
		if institution, err = strconv.ParseInt(v, 10, 64); err != nil {
			return apperr.InvalidFields(map[string]string{"institution_id": "医療機関のIDを数字で指定してください。"})
		}
	}
	enc := openings.Encoding("") // detected from the file
	if excelcsv.FromQuery(r.URL.Query().Get("encoding")) == excelcsv.ShiftJIS {
		enc = openings.ShiftJIS
	}
	n, err := s.Openings.ImportCSV(r.Context(), cur.Actor(), id, institution, http.MaxBytesReader(w, r.Body, 5<<20), enc)
	var imp *openings.ImportError
	if errors.As(err, &imp) {
		fields := map[string]string{}
		for _, p := range imp.Problems {
			fields["line "+strconv.Itoa(p.Line)+" "+p.Field] = p.Message
		}
		return &apperr.Error{Code: apperr.Invalid, Message: "CSVに誤りがあるため、何も取り込みませんでした。", Fields: fields}
	}
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]int{"imported": n})
}
