package web

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
)

// areaYears is how many fiscal years the area table shows at once.
const areaYears = 8

func programPath(id int64) string { return "/regional/programs/" + strconv.FormatInt(id, 10) }

// programForm lays a program out as its form's values.
func programForm(p *obligation.Program) url.Values {
	f := url.Values{"name": {p.Name}, "total_years": {strconv.Itoa(p.TotalYears)},
		"min_shortage_years": {strconv.Itoa(p.MinShortageYears)}, "deadline_years": {strconv.Itoa(p.DeadlineYears)},
		"specialties": p.Specialties, "start_basis": {p.StartBasis}, "version": {strconv.Itoa(p.Version)}}
	if p.OutsideCounts {
		f.Set("outside_counts", "1")
		f.Set("outside_cap_months", strconv.Itoa(p.OutsideCapMonths))
	}
	for r, months := range p.SuspensionCaps {
		f.Set("cap_"+string(r), strconv.Itoa(months))
	}
	return f
}

// programFromForm reads the program form. A suspension reason with an
// empty cap is not allowed.
func programFromForm(v url.Values) (*obligation.Program, map[string]string) {
	fields := map[string]string{}
	p := &obligation.Program{Name: v.Get("name"), Specialties: v["specialties"], StartBasis: v.Get("start_basis"),
		OutsideCounts: v.Get("outside_counts") == "1", SuspensionCaps: map[obligation.SuspensionReason]int{},
		TotalYears:       formInt(v, "total_years", "義務年限を数字で入力してください（例: 9）。", fields),
		MinShortageYears: formInt(v, "min_shortage_years", "医師少数区域での最低勤務年数を数字で入力してください（例: 4）。", fields),
		DeadlineYears:    formInt(v, "deadline_years", "履行期限の年数を数字で入力してください（例: 12）。", fields)}
	if p.OutsideCounts {
		p.OutsideCapMonths = formInt(v, "outside_cap_months", "県外勤務の上限を月数で入力してください（例: 24）。", fields)
	}
	for _, r := range obligation.SuspensionReasons {
		key := "cap_" + string(r)
		if strings.TrimSpace(v.Get(key)) == "" {
			continue
		}
		p.SuspensionCaps[r] = formInt(v, key, r.Label()+"の上限を月数で入力してください。", fields)
	}
	return p, fields
}

// programChoices are the lists of the program form.
func programChoices() map[string]any {
	return map[string]any{"Specialties": career.Specialties, "Reasons": obligation.SuspensionReasons}
}

func (s *Server) regionalPrograms(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	desk, err := deskOf(r, cur, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	form := url.Values{"total_years": {"9"}, "min_shortage_years": {"4"}, "deadline_years": {"12"},
		"cap_childbirth": {"12"}, "cap_childcare": {"24"}, "cap_illness": {"12"}, "start_basis": {"卒業の翌年度（初期研修の1年目）"}}
	s.renderPrograms(w, r, cur, desk, http.StatusOK, &page{Form: form}, nil)
}

func (s *Server) renderPrograms(w http.ResponseWriter, r *http.Request, cur *httpx.Current, desk regionalDesk, status int, p *page, formErr error) {
	list, err := s.Regional.Programs(r.Context(), cur.Actor(), desk.ID())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title = "キャリア形成プログラム"
	data := programChoices()
	data["Desk"], data["Programs"] = desk, list
	p.Data = data
	if formErr != nil {
		s.formError(w, r, "regional_programs", p, formErr)
		return
	}
	s.render(w, r, status, "regional_programs", p)
}

func (s *Server) createProgram(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	desk, err := deskOf(r, cur, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, fields := programFromForm(r.PostForm)
	if len(fields) > 0 {
		s.renderPrograms(w, r, cur, desk, 0, &page{}, invalid(fields))
		return
	}
	p.PrefectureOrgID = desk.ID()
	if err := s.Regional.CreateProgram(r.Context(), cur.Actor(), p); err != nil {
		s.renderPrograms(w, r, cur, desk, 0, &page{}, err)
		return
	}
	s.setFlash(w, "プログラム「"+p.Name+"」を作成しました。")
	redirect(w, r, programPath(p.ID))
}

func (s *Server) programPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderProgram(w, r, cur, http.StatusOK, nil)
}

// renderProgram draws a program: its rules for everyone who may read it,
// the form for its prefecture's officers.
func (s *Server) renderProgram(w http.ResponseWriter, r *http.Request, cur *httpx.Current, status int, formErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	prog, err := s.Regional.Program(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := programChoices()
	data["Program"] = prog
	data["CanEdit"] = policy.Decide(cur.Actor(), policy.Update, policy.Object{Kind: policy.KindProgram, ID: prog.ID, OrgID: prog.PrefectureOrgID}).Allow
	data["Conflict"] = apperr.Is(formErr, apperr.Conflict)
	data["Caps"] = programCaps(prog)
	p := &page{Title: prog.Name, Form: programForm(prog), Data: data}
	if formErr != nil {
		if apperr.Is(formErr, apperr.Conflict) {
			p.Errors = map[string]string{"": apperr.MessageOf(formErr)}
			s.render(w, r, http.StatusConflict, "regional_programs", p)
			return
		}
		s.formError(w, r, "regional_programs", p, formErr)
		return
	}
	s.render(w, r, status, "regional_programs", p)
}

// programCap is an allowed suspension reason with its cap.
type programCap struct {
	Reason obligation.SuspensionReason
	Months int
}

func programCaps(p *obligation.Program) []programCap {
	var out []programCap
	for _, r := range obligation.SuspensionReasons {
		if m, ok := p.SuspensionCaps[r]; ok {
			out = append(out, programCap{r, m})
		}
	}
	return out
}

func (s *Server) updateProgram(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p, fields := programFromForm(r.PostForm)
	if len(fields) > 0 {
		s.renderProgram(w, r, cur, 0, invalid(fields))
		return
	}
	p.ID = id
	if p.Version, err = strconv.Atoi(r.PostForm.Get("version")); err != nil {
		p.Version = -1
	}
	if err := s.Regional.UpdateProgram(r.Context(), cur.Actor(), p); err != nil {
		s.renderProgram(w, r, cur, 0, err)
		return
	}
	s.setFlash(w, "プログラム「"+p.Name+"」を保存しました。")
	redirect(w, r, programPath(id))
}

// areaRow is a medical area with its classes over the years shown.
type areaRow struct {
	Area    regional.Area
	Classes []areaCell
}

type areaCell struct {
	Year  int
	Class obligation.AreaClass
}

// areaFrom reads the first fiscal year of the area table.
func (s *Server) areaFrom(q url.Values) (int, map[string]string) {
	def := obligation.FiscalYear(s.Regional.Now()) - 1
	raw := jatext.NormalizeLine(q.Get("from"))
	if raw == "" {
		return def, nil
	}
	y, err := strconv.Atoi(raw)
	if err != nil || y < obligation.MinFiscalYear || y > obligation.MaxFiscalYear-areaYears+1 {
		return def, map[string]string{"from": "最初の年度を数字で入力してください（例: 2026）。"}
	}
	return y, nil
}

func (s *Server) regionalAreas(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	desk, err := deskOf(r, cur, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderAreas(w, r, cur, desk, http.StatusOK, &page{}, nil)
}

func (s *Server) renderAreas(w http.ResponseWriter, r *http.Request, cur *httpx.Current, desk regionalDesk, status int, p *page, formErr error) {
	from, ferr := s.areaFrom(r.URL.Query())
	if r.PostForm != nil && r.PostForm.Get("from") != "" {
		from, ferr = s.areaFrom(r.PostForm)
	}
	areas, err := s.Regional.Areas(r.Context(), cur.Actor(), desk.ID())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	years := make([]int, areaYears)
	for i := range years {
		years[i] = from + i
	}
	rows := make([]areaRow, len(areas))
	for i, a := range areas {
		rows[i].Area = a
		for _, y := range years {
			rows[i].Classes = append(rows[i].Classes, areaCell{y, a.Classes[y]})
		}
	}
	p.Title = "医療圏と区分"
	p.Data = map[string]any{"Desk": desk, "Rows": rows, "Years": years, "From": from, "Prev": from - areaYears, "Next": from + areaYears,
		"Classes": obligation.AreaClasses, "Cols": areaYears + 1}
	if ferr != nil && formErr == nil {
		p.Errors = ferr
		p.Errors[""] = "年度を確認してください。"
		status = http.StatusBadRequest
	}
	if formErr != nil {
		s.formError(w, r, "regional_areas", p, formErr)
		return
	}
	s.render(w, r, status, "regional_areas", p)
}

func (s *Server) createArea(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	desk, err := deskOf(r, cur, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	a := &regional.Area{PrefectureOrgID: desk.ID(), Area: obligation.Area{Code: r.PostForm.Get("code"), Name: r.PostForm.Get("name")}}
	if err := s.Regional.SaveArea(r.Context(), cur.Actor(), a); err != nil {
		s.renderAreas(w, r, cur, desk, 0, &page{}, err)
		return
	}
	s.setFlash(w, "医療圏「"+a.Name+"」を追加しました。年度ごとの区分を設定してください。")
	redirect(w, r, desk.Link("/regional/areas"))
}

// setAreaClasses saves the cells of the area table that changed: each
// select is class_{area}_{year}.
func (s *Server) setAreaClasses(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	desk, err := deskOf(r, cur, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	areas, err := s.Regional.Areas(ctx, actor, desk.ID())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	changed := 0
	fields := map[string]string{}
	keys := make([]string, 0, len(r.PostForm))
	for k := range r.PostForm {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, key := range keys {
		rest, ok := strings.CutPrefix(key, "class_")
		if !ok {
			continue
		}
		rawArea, rawYear, _ := strings.Cut(rest, "_")
		areaID, err1 := strconv.ParseInt(rawArea, 10, 64)
		year, err2 := strconv.Atoi(rawYear)
		class := obligation.AreaClass(r.PostForm.Get(key))
		i := slices.IndexFunc(areas, func(a regional.Area) bool { return a.ID == areaID })
		if err1 != nil || err2 != nil || i < 0 {
			fields[""] = "表の内容を読み取れませんでした。ページを読み込み直してください。"
			continue
		}
		if class == "" || areas[i].Classes[year] == class {
			continue
		}
		if err := s.Regional.SetAreaClass(ctx, actor, areaID, year, class); err != nil {
			if !apperr.Is(err, apperr.Invalid) {
				s.fail(w, r, err)
				return
			}
			fields[key] = areas[i].Name + " " + strconv.Itoa(year) + "年度: " + strings.Join(slices.Sorted(maps.Values(apperr.FieldsOf(err))), " ")
			continue
		}
		changed++
	}
	if len(fields) > 0 {
		msg := fields[""]
		delete(fields, "")
		e := apperr.InvalidFields(fields)
		if msg != "" {
			e.Message = msg
		}
		s.renderAreas(w, r, cur, desk, 0, &page{}, e)
		return
	}
	s.setFlash(w, strconv.Itoa(changed)+"件の区分を保存しました。")
	redirect(w, r, desk.Link("/regional/areas?from="+url.QueryEscape(r.PostForm.Get("from"))))
}
