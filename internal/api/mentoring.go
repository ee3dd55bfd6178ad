package api

import (
	"net/http"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/mentoring"
)

// The JSON shapes of mentoring: pairs that a CC office arranges and the
// meetings they log. Dates are "2006-01-02" in Japan. Changes to a pair
// name the version the caller saw; a stale one is 409.

type mentorPairJSON struct {
	ID             int64          `json:"id"`
	OrgID          int64          `json:"org_id"`
	Org            string         `json:"org"`
	MentorID       int64          `json:"mentor_id"`
	MentorName     string         `json:"mentor_name"`
	MenteeID       int64          `json:"mentee_id"`
	MenteeName     string         `json:"mentee_name"`
	StartsOn       string         `json:"starts_on"`
	EndsOn         *string        `json:"ends_on"`
	IntervalMonths int            `json:"interval_months"`
	Note           string         `json:"note"`
	EndedAt        *time.Time     `json:"ended_at"`
	LastMetOn      *string        `json:"last_met_on"`
	Side           mentoring.Side `json:"side"` // the caller's: mentor, mentee or ""
	Version        int            `json:"version"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

// dayPtr formats an optional date.
func dayPtr(t *time.Time) *string {
	if t == nil {
		return nil
	}
	s := t.Format(time.DateOnly)
	return &s
}

func toMentorPairJSON(p *mentoring.Pair, cur *httpx.Current) mentorPairJSON {
	return mentorPairJSON{ID: p.ID, OrgID: p.OrgID, Org: p.OrgName, MentorID: p.MentorID, MentorName: p.MentorName,
		MenteeID: p.MenteeID, MenteeName: p.MenteeName, StartsOn: p.StartsOn.Format(time.DateOnly), EndsOn: dayPtr(p.EndsOn),
		IntervalMonths: p.IntervalMonths, Note: p.Note, EndedAt: p.EndedAt, LastMetOn: dayPtr(p.LastMetOn),
		Side: mentoring.SideOf(cur.Actor(), p), Version: p.Version, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

type mentoringMeetingJSON struct {
	ID             int64          `json:"id"`
	PairID         int64          `json:"pair_id"`
	HeldOn         string         `json:"held_on"`
	Mode           mentoring.Mode `json:"mode"`
	Topics         []string       `json:"topics"`
	Summary        string         `json:"summary"`
	MentorLearned  string         `json:"mentor_learned"`
	MenteeLearned  string         `json:"mentee_learned"`
	NextMeeting    *string        `json:"next_meeting"`
	RecordedBy     int64          `json:"recorded_by"`
	RecordedByName string         `json:"recorded_by_name"`
	CreatedAt      time.Time      `json:"created_at"`
	UpdatedAt      time.Time      `json:"updated_at"`
}

func toMentoringMeetingJSON(m *mentoring.Meeting) mentoringMeetingJSON {
	topics := m.Topics
	if topics == nil {
		topics = []string{}
	}
	return mentoringMeetingJSON{ID: m.ID, PairID: m.PairID, HeldOn: m.HeldOn.Format(time.DateOnly), Mode: m.Mode, Topics: topics,
		Summary: m.Summary, MentorLearned: m.MentorLearned, MenteeLearned: m.MenteeLearned, NextMeeting: dayPtr(m.NextMeeting),
		RecordedBy: m.RecordedBy, RecordedByName: m.RecordedByName, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt}
}

// parseDays parses the named optional dates into the targets; a
// malformed one is a field error. "" leaves the target as it is.
func parseDays(dates map[string]string, targets map[string]*time.Time) error {
	fields := map[string]string{}
	for name, v := range dates {
		if v == "" {
			continue
		}
		d, err := mentoring.ParseDay(v)
		if err != nil {
			fields[name] = "日付は 2006-01-02 の形で指定してください。"
			continue
		}
		*targets[name] = d
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	return nil
}

func (s *Server) mentorPairs(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	open := r.URL.Query().Get("open")
	if open != "" && open != "true" && open != "false" {
		return apperr.InvalidFields(map[string]string{"open": "true か false で指定してください。"})
	}
	list, err := s.Mentoring.Pairs(r.Context(), cur.Actor(), open == "true")
	if err != nil {
		return err
	}
	out := make([]mentorPairJSON, len(list))
	for i := range list {
		out[i] = toMentorPairJSON(&list[i], cur)
	}
	return writeJSON(w, http.StatusOK, map[string]any{"pairs": out})
}

func (s *Server) createMentorPair(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	var in struct {
		OrgID          int64  `json:"org_id"`
		MentorID       int64  `json:"mentor_id"`
		MenteeID       int64  `json:"mentee_id"`
		StartsOn       string `json:"starts_on"`
		EndsOn         string `json:"ends_on"`
		IntervalMonths int    `json:"interval_months"`
		Note           string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	p := &mentoring.Pair{OrgID: in.OrgID, MentorID: in.MentorID, MenteeID: in.MenteeID, IntervalMonths: in.IntervalMonths, Note: in.Note}
	var ends time.Time
	if err := parseDays(map[string]string{"starts_on": in.StartsOn, "ends_on": in.EndsOn},
		map[string]*time.Time{"starts_on": &p.StartsOn, "ends_on": &ends}); err != nil {
		return err
	}
	if !ends.IsZero() {
		p.EndsOn = &ends
	}
	got, err := s.Mentoring.CreatePair(r.Context(), cur.Actor(), p)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toMentorPairJSON(got, cur))
}

func (s *Server) getMentorPair(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := s.Mentoring.Pair(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toMentorPairJSON(p, cur))
}

// updateMentorPair changes the fields the body names, at the version the
// caller saw. ends_on "" makes the pair open-ended.
func (s *Server) updateMentorPair(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Version        *int    `json:"version"`
		EndsOn         *string `json:"ends_on"`
		IntervalMonths *int    `json:"interval_months"`
		Note           *string `json:"note"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Version == nil {
		return needVersionOf("ペア")
	}
	p, err := s.Mentoring.Pair(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	edit := *p
	edit.Version = *in.Version
	if in.EndsOn != nil {
		var ends time.Time
		if err := parseDays(map[string]string{"ends_on": *in.EndsOn}, map[string]*time.Time{"ends_on": &ends}); err != nil {
			return err
		}
		edit.EndsOn = nil
		if !ends.IsZero() {
			edit.EndsOn = &ends
		}
	}
	if in.IntervalMonths != nil {
		edit.IntervalMonths = *in.IntervalMonths
		if edit.IntervalMonths == 0 {
			return apperr.InvalidFields(map[string]string{"interval_months": "リマインドの間隔は1〜12か月で指定してください。"})
		}
	}
	if in.Note != nil {
		edit.Note = *in.Note
	}
	got, err := s.Mentoring.UpdatePair(r.Context(), cur.Actor(), &edit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toMentorPairJSON(got, cur))
}

func (s *Server) endMentorPair(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	version, err := decodeVersion(r, "ペア")
	if err != nil {
		return err
	}
	p, err := s.Mentoring.EndPair(r.Context(), cur.Actor(), id, version)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toMentorPairJSON(p, cur))
}

func (s *Server) mentoringMeetings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := s.Mentoring.Meetings(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	out := make([]mentoringMeetingJSON, len(list))
	for i := range list {
		out[i] = toMentoringMeetingJSON(&list[i])
	}
	return writeJSON(w, http.StatusOK, map[string]any{"meetings": out})
}

func (s *Server) recordMentoringMeeting(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		HeldOn        string         `json:"held_on"`
		Mode          mentoring.Mode `json:"mode"`
		Topics        []string       `json:"topics"`
		Summary       string         `json:"summary"`
		MentorLearned string         `json:"mentor_learned"`
		MenteeLearned string         `json:"mentee_learned"`
		NextMeeting   string         `json:"next_meeting"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	m := &mentoring.Meeting{PairID: id, Mode: in.Mode, Topics: in.Topics, Summary: in.Summary,
		MentorLearned: in.MentorLearned, MenteeLearned: in.MenteeLearned}
	var next time.Time
	if err := parseDays(map[string]string{"held_on": in.HeldOn, "next_meeting": in.NextMeeting},
		map[string]*time.Time{"held_on": &m.HeldOn, "next_meeting": &next}); err != nil {
		return err
	}
	if !next.IsZero() {
		m.NextMeeting = &next
	}
	got, err := s.Mentoring.RecordMeeting(r.Context(), cur.Actor(), m)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusCreated, toMentoringMeetingJSON(got))
}

func (s *Server) getMentoringMeeting(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	m, err := s.Mentoring.Meeting(r.Context(), cur.Actor(), id)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toMentoringMeetingJSON(m))
}

// reflectOnMeeting writes what the caller learned, on their own side; ""
// clears it.
func (s *Server) reflectOnMeeting(w http.ResponseWriter, r *http.Request, cur *httpx.Current) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Text *string `json:"text"`
	}
	if err := decode(r, &in); err != nil {
		return err
	}
	if in.Text == nil {
		return apperr.InvalidFields(map[string]string{"text": "学んだことを指定してください（消すときは空文字）。"})
	}
	m, err := s.Mentoring.Reflect(r.Context(), cur.Actor(), id, *in.Text)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, toMentoringMeetingJSON(m))
}
