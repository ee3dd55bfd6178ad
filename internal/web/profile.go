package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/openings"
	"github.com/hakui-dev/hakui/internal/profile"
)

// profileEvents are the single events the profile form offers, in order.
var profileEvents = []career.EventKind{career.EventNationalExamPassed, career.EventJuniorStart, career.EventJuniorEnd,
	career.EventSpecialtyStart, career.EventSpecialistObtained}

func profileForm(p *profile.Profile) url.Values {
	v := url.Values{}
	v.Set("name_kanji", p.NameKanji)
	v.Set("name_kana", p.NameKana)
	if p.GraduationYear != 0 {
		v.Set("graduation_year", strconv.Itoa(p.GraduationYear))
	}
	v.Set("registration_number", p.RegistrationNumber)
	v.Set("workplace", p.Workplace)
	v.Set("practice_form", string(p.PracticeForm))
	v.Set("prefecture", p.Prefecture)
	v.Set("city", p.City)
	v["specialties"] = p.Specialties
	v.Set("subspecialties", joinComma(p.Subspecialties))
	v.Set("languages", joinComma(p.Languages))
	v.Set("bio", p.Bio)
	for _, e := range p.Events {
		v.Set("event_"+string(e.Kind), e.Date.In(JST).Format(time.DateOnly))
		if e.Specialty != "" {
			v.Set("event_"+string(e.Kind)+"_specialty", e.Specialty)
		}
	}
	for _, s := range p.Skills {
		v.Set("skill_"+s.Code, strconv.Itoa(int(s.Level)))
		if s.Years > 0 {
			v.Set("years_"+s.Code, strconv.Itoa(s.Years))
		}
	}
	for _, c := range p.Certifications {
		v.Add("cert_name", c.Name)
		v.Add("cert_date", c.ObtainedOn)
	}
	for _, k := range p.Preferences.Kinds {
		v.Add("pref_kinds", string(k))
	}
	for _, d := range p.Preferences.Weekdays {
		v.Add("pref_weekdays", strconv.Itoa(int(d)))
	}
	if p.Preferences.RemoteOnly {
		v.Set("pref_remote_only", "1")
	}
	if p.Preferences.MinHourlyYen > 0 {
		v.Set("pref_min_hourly_yen", strconv.FormatInt(p.Preferences.MinHourlyYen, 10))
	}
	if p.Preferences.MinAnnualYen > 0 {
		v.Set("pref_min_annual_yen", strconv.FormatInt(p.Preferences.MinAnnualYen, 10))
	}
	v["pref_prefectures"] = p.Preferences.Prefectures
	for _, t := range p.Tracks {
		v.Add("tracks", t)
	}
	if p.Visibility.ShowName {
		v.Set("show_name", "1")
	}
	if p.Visibility.ShowWorkplace {
		v.Set("show_workplace", "1")
	}
	if p.Visibility.ShowContact {
		v.Set("show_contact", "1")
	}
	return v
}

func joinComma(list []string) string {
	out := ""
	for i, s := range list {
		if i > 0 {
			out += ", "
		}
		out += s
	}
	return out
}

// splitComma splits a list typed with commas, 読点 or line breaks (NFKC
// folds the full-width comma and space first).
func splitComma(s string) []string {
	var out []string
	for _, part := range strings.FieldsFunc(jatext.Normalize(s), func(r rune) bool { return r == ',' || r == '、' || r == '\n' }) {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// profileFromForm reads the profile form; fields that do not parse are
// named in the map.
func profileFromForm(v url.Values) (*profile.Profile, map[string]string) {
	fields := map[string]string{}
	p := &profile.Profile{NameKanji: v.Get("name_kanji"), NameKana: v.Get("name_kana"), RegistrationNumber: v.Get("registration_number"),
		Workplace: v.Get("workplace"), PracticeForm: career.PracticeForm(v.Get("practice_form")), Prefecture: v.Get("prefecture"),
		City: v.Get("city"), Specialties: v["specialties"], Subspecialties: splitComma(v.Get("subspecialties")),
		Languages: splitComma(v.Get("languages")), Bio: v.Get("bio"),
		Visibility: profile.Visibility{ShowName: v.Get("show_name") == "1", ShowWorkplace: v.Get("show_workplace") == "1", ShowContact: v.Get("show_contact") == "1"},
		Tracks:     v["tracks"]}
	if y := jatext.Normalize(v.Get("graduation_year")); y != "" {
		n, err := strconv.Atoi(y)
		if err != nil {
			fields["graduation_year"] = "卒業年は西暦の数字で入力してください。"
		}
		p.GraduationYear = n
	}
	for _, kind := range profileEvents {
		date := jatext.Normalize(v.Get("event_" + string(kind)))
		if date == "" {
			continue
		}
		d, err := time.ParseInLocation(time.DateOnly, date, JST)
		if err != nil {
			fields["events"] = "日付は YYYY-MM-DD の形式で入力してください。"
			continue
		}
		p.Events = append(p.Events, career.Event{Kind: kind, Date: d, Specialty: v.Get("event_" + string(kind) + "_specialty")})
	}
	for key, vals := range v {
		if len(key) > 6 && key[:6] == "skill_" && len(vals) > 0 && vals[0] != "" && vals[0] != "0" {
			code := key[6:]
			level, err := strconv.Atoi(vals[0])
			if err != nil {
				fields["skills"] = "スキルのレベルを選んでください。"
				continue
			}
			years, _ := strconv.Atoi(jatext.Normalize(v.Get("years_" + code)))
			p.Skills = append(p.Skills, career.Skill{Code: code, Level: career.Level(level), Years: years})
		}
	}
	slices.SortFunc(p.Skills, func(a, b career.Skill) int { return strings.Compare(a.Code, b.Code) })
	names, dates := v["cert_name"], v["cert_date"]
	for i, n := range names {
		if jatext.NormalizeLine(n) == "" {
			continue
		}
		c := profile.Certification{Name: n}
		if i < len(dates) {
			c.ObtainedOn = dates[i]
		}
		p.Certifications = append(p.Certifications, c)
	}
	for _, k := range v["pref_kinds"] {
		p.Preferences.Kinds = append(p.Preferences.Kinds, career.WorkKind(k))
	}
	for _, d := range v["pref_weekdays"] {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 || n > 6 {
			fields["pref_weekdays"] = "曜日を選んでください。"
			continue
		}
		p.Preferences.Weekdays = append(p.Preferences.Weekdays, time.Weekday(n))
	}
	p.Preferences.RemoteOnly = v.Get("pref_remote_only") == "1"
	p.Preferences.MinHourlyYen = yen(v.Get("pref_min_hourly_yen"), "pref_min_hourly_yen", fields)
	p.Preferences.MinAnnualYen = yen(v.Get("pref_min_annual_yen"), "pref_min_annual_yen", fields)
	p.Preferences.Prefectures = v["pref_prefectures"]
	return p, fields
}

func (s *Server) profileData(r *http.Request, p *profile.Profile) (map[string]any, error) {
	vocab, err := s.Openings.Vocabulary(r.Context())
	if err != nil {
		return nil, err
	}
	data := choices()
	data["Vocab"] = vocab.All()
	data["Tracks"] = career.DefaultTracks()
	data["PracticeForms"] = career.PracticeForms
	data["Events"] = profileEvents
	data["Profile"] = p
	data["Stage"] = p.Stage(s.Openings.Now())
	data["CertRows"] = max(len(p.Certifications)+1, 3)
	return data, nil
}

func (s *Server) profilePageDoctor(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	p, err := s.Openings.MyProfile(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data, err := s.profileData(r, p)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "profile", &page{Title: "医師プロフィール", Form: profileForm(p), Data: data})
}

func (s *Server) saveProfile(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	p, fields := profileFromForm(r.PostForm)
	var err error
	if len(fields) > 0 {
		err = apperr.InvalidFields(fields)
	} else {
		err = s.Openings.SaveProfile(r.Context(), cur.Actor(), p)
	}
	if err != nil {
		old, perr := s.Openings.MyProfile(r.Context(), cur.Actor())
		if perr != nil {
			s.fail(w, r, perr)
			return
		}
		data, derr := s.profileData(r, old)
		if derr != nil {
			s.fail(w, r, derr)
			return
		}
		s.formError(w, r, "profile", &page{Title: "医師プロフィール", Data: data}, err)
		return
	}
	s.setFlash(w, "プロフィールを保存しました。")
	redirect(w, r, "/career")
}

func (s *Server) careerPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	p, err := s.Openings.MyProfile(r.Context(), cur.Actor())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	vocab, err := s.Openings.Vocabulary(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	type trackView struct {
		Track    career.Track
		Progress career.TrackProgress
		Building []openings.Result
	}
	var tracks []trackView
	for _, t := range career.DefaultTracks() {
		if slices.Contains(p.Tracks, t.Code) {
			progress := career.Progress(t, p.Skills, vocab)
			building, err := s.Openings.OpeningsBuilding(r.Context(), p, progress.MissingCodes(), 3)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			tracks = append(tracks, trackView{t, progress, building})
		}
	}
	recs, err := s.Openings.Recommend(r.Context(), p, 5)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "career", &page{Title: "キャリア", Data: map[string]any{"Profile": p, "Stage": p.Stage(s.Openings.Now()),
		"Tracks": tracks, "Recommendations": recs, "Vocab": vocab}})
}
