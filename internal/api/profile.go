package api

import (
	"net/http"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/profile"
)

type eventJSON struct {
	Kind      career.EventKind `json:"kind"`
	Date      string           `json:"date"` // YYYY-MM-DD (JST)
	Specialty string           `json:"specialty,omitempty"`
	Program   string           `json:"program,omitempty"`
}

type skillJSON struct {
	Code     string `json:"code"`
	Level    int    `json:"level"`
	Years    int    `json:"years,omitempty"`
	Cases    int    `json:"cases,omitempty"`
	Evidence string `json:"evidence,omitempty"`
}

type certificationJSON struct {
	Name       string `json:"name"`
	Specialty  string `json:"specialty,omitempty"`
	ObtainedOn string `json:"obtained_on,omitempty"`
}

type preferencesJSON struct {
	Kinds        []career.WorkKind `json:"kinds"`
	Weekdays     []int             `json:"weekdays"`
	RemoteOnly   bool              `json:"remote_only"`
	MinHourlyYen int64             `json:"min_hourly_yen"`
	MinAnnualYen int64             `json:"min_annual_yen"`
	Prefectures  []string          `json:"prefectures"`
}

type profileJSON struct {
	Stage                career.Stage        `json:"stage"`
	NameKanji            string              `json:"name_kanji"`
	NameKana             string              `json:"name_kana"`
	GraduationYear       int                 `json:"graduation_year,omitempty"`
	RegistrationNumber   string              `json:"registration_number,omitempty"`
	RegistrationVerified bool                `json:"registration_verified"`
	Workplace            string              `json:"workplace"`
	PracticeForm         career.PracticeForm `json:"practice_form"`
	Prefecture           string              `json:"prefecture"`
	City                 string              `json:"city"`
	Specialties          []string            `json:"specialties"`
	Subspecialties       []string            `json:"subspecialties"`
	Languages            []string            `json:"languages"`
	Bio                  string              `json:"bio"`
	Events               []eventJSON         `json:"events"`
	Certifications       []certificationJSON `json:"certifications"`
	Skills               []skillJSON         `json:"skills"`
	Tracks               []string            `json:"tracks"`
	Preferences          preferencesJSON     `json:"preferences"`
	Visibility           profile.Visibility  `json:"visibility"`
}

func toProfileJSON(p *profile.Profile, now time.Time) profileJSON {
	out := profileJSON{Stage: p.Stage(now), NameKanji: p.NameKanji, NameKana: p.NameKana, GraduationYear: p.GraduationYear,
		RegistrationNumber: p.RegistrationNumber, RegistrationVerified: p.RegistrationVerifiedAt != nil, Workplace: p.Workplace,
		PracticeForm: p.PracticeForm, Prefecture: p.Prefecture, City: p.City, Specialties: nonNil(p.Specialties),
		Subspecialties: nonNil(p.Subspecialties), Languages: nonNil(p.Languages), Bio: p.Bio, Events: []eventJSON{},
		Certifications: []certificationJSON{}, Skills: []skillJSON{}, Tracks: nonNil(p.Tracks), Visibility: p.Visibility,
		Preferences: preferencesJSON{Kinds: nonNil(p.Preferences.Kinds), Weekdays: []int{}, RemoteOnly: p.Preferences.RemoteOnly,
			MinHourlyYen: p.Preferences.MinHourlyYen, MinAnnualYen: p.Preferences.MinAnnualYen, Prefectures: nonNil(p.Preferences.Prefectures)}}
	for _, e := range p.Events {
		out.Events = append(out.Events, eventJSON{Kind: e.Kind, Date: e.Date.In(jst).Format(time.DateOnly), Specialty: e.Specialty, Program: e.Program})
	}
	for _, c := range p.Certifications {
		out.Certifications = append(out.Certifications, certificationJSON(c))
	}
	for _, s := range p.Skills {
		out.Skills = append(out.Skills, skillJSON{Code: s.Code, Level: int(s.Level), Years: s.Years, Cases: s.Cases, Evidence: s.Evidence})
	}
	for _, d := range p.Preferences.Weekdays {
		out.Preferences.Weekdays = append(out.Preferences.Weekdays, int(d))
	}
	return out
}

var jst = career.JST

func (in profileJSON) profile() (*profile.Profile, error) {
	p := &profile.Profile{NameKanji: in.NameKanji, NameKana: in.NameKana, GraduationYear: in.GraduationYear,
		RegistrationNumber: in.RegistrationNumber, Workplace: in.Workplace, PracticeForm: in.PracticeForm, Prefecture: in.Prefecture,
		City: in.City, Specialties: in.Specialties, Subspecialties: in.Subspecialties, Languages: in.Languages, Bio: in.Bio,
		Tracks: in.Tracks, Visibility: in.Visibility,
		Preferences: career.Preferences{Kinds: in.Preferences.Kinds, RemoteOnly: in.Preferences.RemoteOnly,
			MinHourlyYen: in.Preferences.MinHourlyYen, MinAnnualYen: in.Preferences.MinAnnualYen, Prefectures: in.Preferences.Prefectures}}
	if p.PracticeForm == "" {
		p.PracticeForm = career.PracticeEmployed
	}
	for _, e := range in.Events {
		d, err := time.ParseInLocation(time.DateOnly, e.Date, jst)
		if err != nil {
			return nil, apperr.InvalidFields(map[string]string{"events": "日付は YYYY-MM-DD の形式で指定してください。"})
		}
		p.Events = append(p.Events, career.Event{Kind: e.Kind, Date: d, Specialty: e.Specialty, Program: e.Program})
	}
	for _, c := range in.Certifications {
		p.Certifications = append(p.Certifications, profile.Certification(c))
	}
	for _, s := range in.Skills {
		p.Skills = append(p.Skills, career.Skill{Code: s.Code, Level: career.Level(s.Level), Years: s.Years, Cases: s.Cases, Evidence: s.Evidence})
	}
	for _, d := range in.Preferences.Weekdays {
		if d < 0 || d > 6 {
			return nil, apperr.InvalidFields(map[string]string{"preferences.weekdays": "曜日は0(日)〜6(土)で指定してください。"})
		}
		p.Preferences.Weekdays = append(p.Preferences.Weekdays, time.Weekday(d))
	}
	return p, nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (s *Server) myProfile(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	p, err := s.Openings.MyProfile(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toProfileJSON(p, s.Openings.Now()))
}

func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in profileJSON
	if err := decode(r, &in); err != nil {
		return err
	}
	p, err := in.profile()
	if err != nil {
		return err
	}
	if err := s.Openings.SaveProfile(r.Context(), cur.Actor(), p); err != nil {
		return err
	}
	return s.myProfile(w, r, cur)
}

func (s *Server) competencies(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	vocab, err := s.Openings.Vocabulary(r.Context())
	if err != nil {
		return err
	}
	type compJSON struct {
		Code        string                 `json:"code"`
		Group       career.CompetencyGroup `json:"group"`
		Name        string                 `json:"name"`
		Description string                 `json:"description"`
	}
	out := []compJSON{}
	for _, c := range vocab.All() {
		out = append(out, compJSON{c.Code, c.Group, c.Name, c.Description})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"competencies": out})
}

func (s *Server) myTracks(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	p, err := s.Openings.MyProfile(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	vocab, err := s.Openings.Vocabulary(r.Context())
	if err != nil {
		return err
	}
	type trackJSON struct {
		Code     string               `json:"code"`
		Name     string               `json:"name"`
		Chosen   bool                 `json:"chosen"`
		Progress career.TrackProgress `json:"progress"`
	}
	out := []trackJSON{}
	for _, t := range career.DefaultTracks() {
		chosen := false
		for _, c := range p.Tracks {
			chosen = chosen || c == t.Code
		}
		out = append(out, trackJSON{Code: t.Code, Name: t.Name, Chosen: chosen, Progress: career.Progress(t, p.Skills, vocab)})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"tracks": out})
}

func (s *Server) recommendations(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	p, err := s.Openings.MyProfile(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	list, err := s.Openings.Recommend(r.Context(), p, 20)
	if err != nil {
		return err
	}
	out := []openingJSON{}
	for _, res := range list {
		j := toOpeningJSON(res.Opening)
		j.Fit = res.Fit
		out = append(out, j)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"openings": out})
}

func (s *Server) savedSearches(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Openings.SavedSearches(r.Context(), cur.Actor())
	if err != nil {
		return err
	}
	type ssJSON struct {
		ID        int64     `json:"id"`
		Name      string    `json:"name"`
		Query     string    `json:"query"`
		CreatedAt time.Time `json:"created_at"`
	}
	out := []ssJSON{}
	for _, ss := range list {
		out = append(out, ssJSON{ss.ID, ss.Name, ss.Query, ss.CreatedAt})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"saved_searches": out})
}

func (s *Server) saveSearch(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		Name  string `json:"name"`
		Query string `json:"query"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	ss, err := s.Openings.SaveSearch(r.Context(), cur.Actor(), in.Name, in.Query)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, map[string]any{"id": ss.ID, "name": ss.Name, "query": ss.Query})
}

func (s *Server) deleteSearch(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Openings.DeleteSavedSearch(r.Context(), cur.Actor(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) notifications(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	list, err := s.Notifications.Notifications(r.Context(), cur.User.ID, 100)
	if err != nil {
		return err
	}
	type nJSON struct {
		ID        int64      `json:"id"`
		Kind      string     `json:"kind"`
		Title     string     `json:"title"`
		Body      string     `json:"body"`
		Link      string     `json:"link"`
		CreatedAt time.Time  `json:"created_at"`
		ReadAt    *time.Time `json:"read_at"`
	}
	out := []nJSON{}
	for _, n := range list {
		out = append(out, nJSON{n.ID, n.Kind, n.Title, n.Body, n.Link, n.CreatedAt, n.ReadAt})
	}
	return writeJSON(w, http.StatusOK, map[string]any{"notifications": out})
}
