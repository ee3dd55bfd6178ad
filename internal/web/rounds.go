package web

import (
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
	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/rounds"
)

// roundsRoutes are the pages of the annual placement round (年次の配置):
// the prefecture officer's, the doctor's and the institution's.
func (s *Server) roundsRoutes(mux *http.ServeMux) {
	mux.Handle("GET /regional/rounds", s.signedIn(s.regionalRounds))
	mux.Handle("POST /regional/rounds", s.signedIn(s.openRound))
	mux.Handle("GET /regional/rounds/{id}", s.signedIn(s.roundPage))
	mux.Handle("POST /regional/rounds/{id}", s.signedIn(s.updateRound))
	mux.Handle("POST /regional/rounds/{id}/run", s.signedIn(s.runRound))
	mux.Handle("POST /regional/rounds/{id}/publish", s.signedIn(s.publishRound))
	mux.Handle("GET /regional/rounds/{id}/round.csv", s.signedIn(s.roundCSV))
	mux.Handle("GET /regional/rounds/{id}/result.csv", s.signedIn(s.resultCSV))
	mux.Handle("GET /me/rounds", s.signedIn(s.myRounds))
	mux.Handle("GET /me/rounds/{id}", s.signedIn(s.myRoundPage))
	mux.Handle("POST /me/rounds/{id}/list", s.signedIn(s.submitList))
	mux.Handle("GET /institution/rounds", s.signedIn(s.institutionRounds))
	mux.Handle("GET /institution/rounds/{id}", s.signedIn(s.institutionRoundPage))
	mux.Handle("POST /institution/rounds/{id}/ranking", s.signedIn(s.submitRanking))
}

func roundPath(id int64) string { return "/regional/rounds/" + strconv.FormatInt(id, 10) }

// mechanismLabels name the matching mechanisms for people.
var mechanismLabels = map[match.Mechanism]string{
	match.DA:   "受け入れ保留方式（DA・地域の上限なし）",
	match.JRMP: "マッチング協議会方式（JRMP・目標人数で上限）",
	match.FDA:  "柔軟な受け入れ保留方式（FDA・地域の上限つき）",
}

// mechanisms lists the mechanisms in form order.
var mechanisms = []match.Mechanism{match.DA, match.JRMP, match.FDA}

// roundStatusLabels name the statuses of a round.
var roundStatusLabels = map[rounds.Status]string{
	rounds.StatusOpen: "受付中", rounds.StatusRun: "実行済み（未公開）", rounds.StatusPublished: "公開済み",
}

// dueLayout is how a deadline is typed (datetime-local), in JST.
const dueLayout = "2006-01-02T15:04"

// roundBlankRows is how many empty institution and cap rows a round form
// offers.
const roundBlankRows = 3

// Columns of a round form's institution rows, named with the row number:
// inst_org_0, inst_area_0, …
var instColumns = []string{"org", "area", "capacity", "target", "specialties"}

// roundForm lays a round out as its form values, with blank rows after its
// institutions and caps.
func roundForm(r *rounds.Round) url.Values {
	f := url.Values{"name": {r.Name}, "fiscal_year": {strconv.Itoa(r.FiscalYear)}, "mechanism": {string(r.Mechanism)},
		"program_id": {strconv.FormatInt(r.ProgramID, 10)}, "lists_due": {r.ListsDue.In(JST).Format(dueLayout)},
		"rankings_due": {r.RankingsDue.In(JST).Format(dueLayout)},
		"inst_rows":    {strconv.Itoa(len(r.Institutions) + roundBlankRows)}, "cap_rows": {strconv.Itoa(len(r.Caps) + roundBlankRows)}}
	for i, in := range r.Institutions {
		n := strconv.Itoa(i)
		f.Set("inst_org_"+n, strconv.FormatInt(in.OrgID, 10))
		f.Set("inst_area_"+n, strconv.FormatInt(in.AreaID, 10))
		f.Set("inst_capacity_"+n, strconv.Itoa(in.Capacity))
		if in.Target != nil {
			f.Set("inst_target_"+n, strconv.Itoa(*in.Target))
		}
		f["inst_specialties_"+n] = in.Specialties
	}
	for i, c := range r.Caps {
		n := strconv.Itoa(i)
		f.Set("cap_area_"+n, strconv.FormatInt(c.AreaID, 10))
		f.Set("cap_"+n, strconv.Itoa(c.Cap))
	}
	return f
}

// rowCount reads the number of rows a form says it has, within bounds.
func rowCount(v url.Values, key string, most int) int {
	n, err := strconv.Atoi(v.Get(key))
	if err != nil || n < 0 {
		return 0
	}
	return min(n, most)
}

// parseRoundForm reads a round form. Empty rows are skipped; the form is
// laid out again with the rows renumbered, so that the service's messages
// ("institutions.2.capacity") land on the rows as shown. It returns the
// round, the form and what does not parse.
func parseRoundForm(v url.Values) (*rounds.Round, url.Values, map[string]string) {
	fields := map[string]string{}
	r := &rounds.Round{Name: v.Get("name"), Mechanism: match.Mechanism(v.Get("mechanism"))}
	out := url.Values{}
	for _, k := range []string{"name", "fiscal_year", "mechanism", "program_id", "lists_due", "rankings_due", "version"} {
		out.Set(k, v.Get(k))
	}
	r.FiscalYear = formInt(v, "fiscal_year", "年度を数字で入力してください（例: 2027）。", fields)
	r.ProgramID = formID(v, "program_id", "プログラムを選んでください。", fields)
	for _, k := range []string{"lists_due", "rankings_due"} {
		raw := jatext.NormalizeLine(v.Get(k))
		if raw == "" {
			continue
		}
		t, err := time.ParseInLocation(dueLayout, raw, JST)
		if err != nil {
			fields[k] = "日時を YYYY-MM-DDTHH:MM の形式で入力してください。"
			continue
		}
		if k == "lists_due" {
			r.ListsDue = t
		} else {
			r.RankingsDue = t
		}
	}
	n := 0
	for i := range rowCount(v, "inst_rows", rounds.MaxInstitutions+roundBlankRows) {
		src := strconv.Itoa(i)
		if strings.TrimSpace(v.Get("inst_org_"+src)) == "" && strings.TrimSpace(v.Get("inst_capacity_"+src)) == "" {
			continue
		}
		dst := strconv.Itoa(n)
		for _, c := range instColumns {
			out["inst_"+c+"_"+dst] = v["inst_"+c+"_"+src]
		}
		in := rounds.Institution{
			OrgID:       formID(out, "inst_org_"+dst, "医療機関を選んでください。", fields),
			AreaID:      formID(out, "inst_area_"+dst, "医療圏を選んでください。", fields),
			Capacity:    formInt(out, "inst_capacity_"+dst, "定員を数字で入力してください。", fields),
			Specialties: v["inst_specialties_"+src],
		}
		if in.OrgID == 0 && fields["inst_org_"+dst] == "" {
			fields["inst_org_"+dst] = "医療機関を選んでください。"
		}
		if jatext.NormalizeLine(out.Get("inst_target_"+dst)) != "" {
			t := formInt(out, "inst_target_"+dst, "目標を数字で入力してください（空欄は自動）。", fields)
			in.Target = &t
		}
		r.Institutions = append(r.Institutions, in)
		n++
	}
	out.Set("inst_rows", strconv.Itoa(n+roundBlankRows))
	n = 0
	for i := range rowCount(v, "cap_rows", rounds.MaxInstitutions+roundBlankRows) {
		src := strconv.Itoa(i)
		if strings.TrimSpace(v.Get("cap_area_"+src)) == "" && strings.TrimSpace(v.Get("cap_"+src)) == "" {
			continue
		}
		dst := strconv.Itoa(n)
		out.Set("cap_area_"+dst, v.Get("cap_area_"+src))
		out.Set("cap_"+dst, v.Get("cap_"+src))
		c := rounds.AreaCap{AreaID: formID(out, "cap_area_"+dst, "医療圏を選んでください。", fields),
			Cap: formInt(out, "cap_"+dst, "上限を数字で入力してください。", fields)}
		r.Caps = append(r.Caps, c)
		n++
	}
	out.Set("cap_rows", strconv.Itoa(n+roundBlankRows))
	return r, out, fields
}

// roundFieldNames maps the service's field names of a round to the form's.
func roundFieldNames(r *rounds.Round) map[string]string {
	names := map[string]string{}
	keys := map[string]string{"org_id": "org", "area_id": "area", "capacity": "capacity", "target": "target", "specialties": "specialties"}
	for i := range r.Institutions {
		for k, c := range keys {
			names[fmt.Sprintf("institutions.%d.%s", i+1, k)] = fmt.Sprintf("inst_%s_%d", c, i)
		}
	}
	for i := range r.Caps {
		names[fmt.Sprintf("caps.%d", i+1)] = fmt.Sprintf("cap_area_%d", i)
	}
	return names
}

// roundRow is a row of the round form.
type roundRow struct {
	N     int
	Label string
}

func roundRows(form url.Values, key string) []roundRow {
	n := max(rowCount(form, key, rounds.MaxInstitutions+roundBlankRows), roundBlankRows)
	out := make([]roundRow, n)
	for i := range out {
		out[i] = roundRow{N: i, Label: strconv.Itoa(i+1) + "行目"}
	}
	return out
}

// roundChoices are what the officer's round form offers: the
// institutions, the prefecture's areas and programs.
func (s *Server) roundChoices(r *http.Request, cur *httpx.Current, prefID int64, form url.Values, data map[string]any) error {
	ctx, actor := r.Context(), cur.Actor()
	insts, err := s.Views.Institutions(ctx)
	if err != nil {
		return err
	}
	areas, err := s.Regional.Areas(ctx, actor, prefID)
	if err != nil {
		return err
	}
	programs, err := s.Regional.Programs(ctx, actor, prefID)
	if err != nil {
		return err
	}
	data["Institutions"], data["Areas"], data["Programs"] = insts, areas, programs
	data["Mechanisms"], data["MechanismLabels"], data["Specialties"] = mechanisms, mechanismLabels, career.Specialties
	data["InstRows"], data["CapRows"] = roundRows(form, "inst_rows"), roundRows(form, "cap_rows")
	return nil
}

func (s *Server) regionalRounds(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	desk, err := deskOf(r, cur, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.Rounds.Now().In(JST)
	fy := obligation.FiscalYear(now) + 1
	form := url.Values{"fiscal_year": {strconv.Itoa(fy)}, "mechanism": {string(match.FDA)},
		"name":      {fmt.Sprintf("%d年度 地域枠医師の配置", fy)},
		"lists_due": {now.AddDate(0, 1, 0).Format("2006-01-02") + "T17:00"}, "rankings_due": {now.AddDate(0, 2, 0).Format("2006-01-02") + "T17:00"},
		"inst_rows": {strconv.Itoa(roundBlankRows + 2)}, "cap_rows": {strconv.Itoa(roundBlankRows)}}
	s.renderRounds(w, r, cur, desk, &page{Form: form}, nil)
}

// renderRounds draws a prefecture's rounds with the form to open one.
func (s *Server) renderRounds(w http.ResponseWriter, r *http.Request, cur *httpx.Current, desk regionalDesk, p *page, formErr error) {
	list, err := s.Rounds.Rounds(r.Context(), cur.Actor(), desk.ID())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"Desk": desk, "Rounds": list, "StatusLabels": roundStatusLabels, "MechanismLabels": mechanismLabels}
	if err := s.roundChoices(r, cur, desk.ID(), p.Form, data); err != nil {
		s.fail(w, r, err)
		return
	}
	p.Title, p.Data = "年次の配置", data
	if formErr != nil {
		s.pageError(w, r, "regional_rounds", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "regional_rounds", p)
}

func (s *Server) openRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	desk, err := deskOf(r, cur, true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	round, form, fields := parseRoundForm(r.PostForm)
	p := &page{Form: form}
	if len(fields) > 0 {
		s.renderRounds(w, r, cur, desk, p, invalid(fields))
		return
	}
	round.PrefectureOrgID = desk.ID()
	out, err := s.Rounds.OpenRound(r.Context(), cur.Actor(), round)
	if err != nil {
		s.renderRounds(w, r, cur, desk, p, renameFields(err, roundFieldNames(round)))
		return
	}
	s.setFlash(w, fmt.Sprintf("%d年度の配置「%s」を開きました。医師は%sまで希望を提出できます。", out.FiscalYear, out.Name,
		out.ListsDue.In(JST).Format("1月2日 15:04")))
	redirect(w, r, roundPath(out.ID))
}

// fillChart draws filled against seats per row.
func fillChart(id, title string, bars []chart.Bar) template.HTML {
	return chart.BarChart{ID: id, Title: title, Bars: bars}.SVG()
}

func (s *Server) roundPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderRound(w, r, cur, http.StatusOK, &page{}, nil, nil)
}

// renderRound draws a round for its officers: the settings and their
// form while it is not published, the lists, the run and why it cannot
// run yet, the preview with the comparison of mechanisms, publication and
// the CSV files. With formErr, the failed form keeps what was typed.
func (s *Server) renderRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current, status int, p *page, formErr error, rep *rounds.PublishReport) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	lists, err := s.Rounds.Lists(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	round, err := s.Rounds.Round(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	now := s.Rounds.Now()
	data := map[string]any{"R": round, "Lists": lists, "StatusLabels": roundStatusLabels, "MechanismLabels": mechanismLabels,
		"Conflict": apperr.Is(formErr, apperr.Conflict), "Report": rep}
	switch {
	case round.Status == rounds.StatusPublished:
	case now.Before(round.RankingsDue):
		data["RunBlocked"] = "医療機関の順位の提出期限（" + round.RankingsDue.In(JST).Format("2006年1月2日 15:04") +
			"）が過ぎるまで実行できません。期限までは医師の希望と医療機関の順位を受け付けています。"
	default:
		data["CanRun"] = true
	}
	if round.Status != rounds.StatusOpen {
		pv, err := s.Rounds.Preview(ctx, actor, id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data["Preview"] = pv
		unrecorded := 0
		for _, res := range pv.Results {
			if res.InstitutionID != 0 && res.RecordedAt == nil {
				unrecorded++
			}
		}
		data["Unrecorded"] = unrecorded
		var areaBars, specBars []chart.Bar
		for _, a := range pv.Areas {
			text := fmt.Sprintf("%d人 / 定員%d人", a.Filled, a.Capacity)
			if a.Cap != nil {
				text += fmt.Sprintf("（上限%d人）", *a.Cap)
			}
			areaBars = append(areaBars, chart.Bar{Label: a.AreaName + "（" + a.Class.Label() + "）", Value: float64(a.Filled), Text: text})
		}
		for _, sp := range pv.Specialties {
			label := sp.Specialty
			if label == "" {
				label = "専門研修前"
			}
			specBars = append(specBars, chart.Bar{Label: label, Value: float64(sp.Filled), Text: fmt.Sprintf("%d人 / 希望%d人", sp.Filled, sp.Listed)})
		}
		data["AreaChart"] = fillChart("area-fill", "医療圏ごとの配置人数", areaBars)
		data["SpecialtyChart"] = fillChart("specialty-fill", "診療科ごとの配置人数", specBars)
		names := map[int64]string{}
		for _, in := range round.Institutions {
			names[in.OrgID] = in.Name
		}
		data["InstitutionNames"] = names
	}
	if round.Status != rounds.StatusPublished {
		if p.Form == nil || formErr == nil {
			p.Form = roundForm(round)
		}
		if err := s.roundChoices(r, cur, round.PrefectureOrgID, p.Form, data); err != nil {
			s.fail(w, r, err)
			return
		}
		data["CanEdit"] = true
	}
	p.Title = fmt.Sprintf("%d年度 %s", round.FiscalYear, round.Name)
	p.Data = data
	if formErr != nil {
		s.pageError(w, r, "regional_rounds", p, formErr)
		return
	}
	s.render(w, r, status, "regional_rounds", p)
}

// roundVersion reads the {id} and the version of a round form; a missing
// or malformed version cannot match, and the service answers with the
// conflict message.
func roundVersion(r *http.Request) (int64, int, error) {
	id, err := postedID(r)
	if err != nil {
		return 0, 0, err
	}
	version, perr := strconv.Atoi(r.PostForm.Get("version"))
	if perr != nil {
		version = -1
	}
	return id, version, nil
}

func (s *Server) updateRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, version, err := roundVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	round, form, fields := parseRoundForm(r.PostForm)
	p := &page{Form: form}
	if len(fields) > 0 {
		s.renderRound(w, r, cur, 0, p, invalid(fields), nil)
		return
	}
	round.ID, round.Version = id, version
	out, err := s.Rounds.UpdateRound(r.Context(), cur.Actor(), round)
	if err != nil {
		if apperr.Is(err, apperr.Conflict) {
			p.Form = nil
		}
		s.renderRound(w, r, cur, 0, p, renameFields(err, roundFieldNames(round)), nil)
		return
	}
	s.setFlash(w, "配置の設定を保存しました。")
	redirect(w, r, roundPath(out.ID))
}

func (s *Server) runRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, version, err := roundVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pv, err := s.Rounds.Run(r.Context(), cur.Actor(), id, version)
	if err != nil {
		s.renderRound(w, r, cur, 0, &page{}, err, nil)
		return
	}
	s.setFlash(w, fmt.Sprintf("マッチングを実行しました（%s）。配置 %d人、未配置 %d人。結果を確認してから公開してください。",
		mechanismLabels[pv.Round.Mechanism], len(pv.Results)-len(pv.Unmatched), len(pv.Unmatched)))
	redirect(w, r, roundPath(id)+"#preview-h")
}

func (s *Server) publishRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, version, err := roundVersion(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.PostForm.Get("confirm") != "yes" {
		s.renderRound(w, r, cur, 0, &page{}, apperr.E(apperr.Invalid, "公開の確認にチェックを入れてください。"), nil)
		return
	}
	rep, err := s.Rounds.Publish(r.Context(), cur.Actor(), id, version)
	if err != nil {
		s.renderRound(w, r, cur, 0, &page{}, err, nil)
		return
	}
	if len(rep.Failures) > 0 {
		s.renderRound(w, r, cur, http.StatusOK, &page{Flash: fmt.Sprintf("結果を公開しました。%d人の配置を台帳に記録しましたが、%d人は記録できませんでした。",
			rep.Recorded, len(rep.Failures))}, nil, rep)
		return
	}
	s.setFlash(w, fmt.Sprintf("結果を公開しました。%d人の配置を義務履行台帳に記録しました。", rep.Recorded))
	redirect(w, r, roundPath(id))
}

// roundCSVFile writes one of a round's CSV files.
func (s *Server) roundCSVFile(w http.ResponseWriter, r *http.Request, cur *httpx.Current, name string,
	write func(id int64, w *strings.Builder) error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var b strings.Builder
	if err := write(id, &b); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`-`+strconv.FormatInt(id, 10)+`.csv"`)
	w.Write([]byte(b.String()))
}

func (s *Server) roundCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.roundCSVFile(w, r, cur, "round", func(id int64, b *strings.Builder) error {
		return s.Rounds.WriteRoundCSV(r.Context(), cur.Actor(), id, b)
	})
}

func (s *Server) resultCSV(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.roundCSVFile(w, r, cur, "round-result", func(id int64, b *strings.Builder) error {
		return s.Rounds.WriteResultCSV(r.Context(), cur.Actor(), id, b)
	})
}

// visibleRounds lists the rounds of the prefectures that the actor may
// see, newest first. The rounds service lists rounds only for officers, so
// the page reads a prefecture's rounds and keeps those the service shows
// the actor.
func (s *Server) visibleRounds(r *http.Request, cur *httpx.Current, prefectures []int64, keep func(*rounds.Round) bool) ([]rounds.Round, error) {
	var out []rounds.Round
	for _, pref := range prefectures {
		all, err := s.Rounds.Store.Rounds(r.Context(), pref)
		if err != nil {
			return nil, err
		}
		for _, rd := range all {
			if !keep(&rd) {
				continue
			}
			seen, err := s.Rounds.Round(r.Context(), cur.Actor(), rd.ID)
			if apperr.Is(err, apperr.NotFound) {
				continue
			}
			if err != nil {
				return nil, err
			}
			out = append(out, *seen)
		}
	}
	return out, nil
}

// myRoundPrefectures are the prefectures of the doctor's current
// enrolments.
func (s *Server) myRoundPrefectures(r *http.Request, cur *httpx.Current) ([]int64, error) {
	list, err := s.Regional.MyEnrollments(r.Context(), cur.Actor())
	if err != nil {
		return nil, err
	}
	var out []int64
	for _, v := range list {
		if v.Enrollment.Departure == nil && !slices.Contains(out, v.Program.PrefectureOrgID) {
			out = append(out, v.Program.PrefectureOrgID)
		}
	}
	return out, nil
}

func (s *Server) myRounds(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if !cur.Has(identity.RoleDoctor) {
		s.fail(w, r, apperr.E(apperr.NotFound, "この画面は地域枠の医師のための画面です。"))
		return
	}
	prefs, err := s.myRoundPrefectures(r, cur)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, err := s.visibleRounds(r, cur, prefs, func(*rounds.Round) bool { return true })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "my_rounds", &page{Title: "年次の配置（希望の提出）",
		Data: map[string]any{"Rounds": list, "StatusLabels": roundStatusLabels, "Now": s.Rounds.Now()}})
}

// maxChoices bounds the choices a doctor's list form offers.
const maxChoices = 20

func (s *Server) myRoundPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderMyRound(w, r, cur, nil, nil)
}

// renderMyRound draws a round for a doctor taking part: the list form
// while lists are accepted, the submitted list, and after publication the
// placement with why not a higher choice.
func (s *Server) renderMyRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current, form url.Values, formErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !cur.Has(identity.RoleDoctor) {
		s.fail(w, r, apperr.E(apperr.NotFound, "見つかりません。"))
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	round, err := s.Rounds.Round(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"R": round, "StatusLabels": roundStatusLabels, "MechanismLabels": mechanismLabels}
	list, err := s.Rounds.DoctorList(ctx, actor, id, cur.User.ID)
	switch {
	case apperr.Is(err, apperr.NotFound):
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		data["List"] = list
		names := map[int64]string{}
		for _, in := range round.Institutions {
			names[in.OrgID] = in.Name
		}
		data["Names"] = names
	}
	if round.Status == rounds.StatusPublished {
		pl, err := s.Rounds.DoctorPlacement(ctx, actor, id, cur.User.ID)
		switch {
		case apperr.Is(err, apperr.NotFound):
		case err != nil:
			s.fail(w, r, err)
			return
		default:
			data["Placement"] = pl
		}
	}
	if round.Status == rounds.StatusOpen && s.Rounds.Now().Before(round.ListsDue) {
		data["CanSubmit"] = true
		specs, plans, err := s.listChoices(r, cur, round)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data["Specialties"], data["Plans"] = specs, plans
		if form == nil {
			form = url.Values{}
			if list != nil {
				for i, inst := range list.Institutions {
					form.Set("choice_"+strconv.Itoa(i+1), strconv.FormatInt(inst, 10))
				}
				form.Set("specialty", list.Specialty)
				form.Set("plan_id", strconv.FormatInt(list.PlanID, 10))
			}
		}
		choices := make([]int, min(len(round.Institutions), maxChoices))
		for i := range choices {
			choices[i] = i + 1
		}
		data["Choices"] = choices
	}
	p := &page{Title: fmt.Sprintf("%d年度 %s", round.FiscalYear, round.Name), Form: form, Data: data}
	if formErr != nil {
		s.pageError(w, r, "my_round", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "my_round", p)
}

// listChoices are the specialties the doctor's program allows and the
// doctor's plans in the round's program.
func (s *Server) listChoices(r *http.Request, cur *httpx.Current, round *rounds.Round) ([]string, []planRowView, error) {
	list, err := s.Regional.MyEnrollments(r.Context(), cur.Actor())
	if err != nil {
		return nil, nil, err
	}
	for _, v := range list {
		if v.Enrollment.Departure != nil || v.Program.PrefectureOrgID != round.PrefectureOrgID ||
			(round.ProgramID != 0 && v.Program.ID != round.ProgramID) {
			continue
		}
		plans, err := s.Regional.Plans(r.Context(), cur.Actor(), v.Enrollment.ID)
		if err != nil {
			return nil, nil, err
		}
		return programSpecialties(v.Program), planRows(plans), nil
	}
	return career.Specialties, nil, nil
}

func (s *Server) submitList(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := r.PostForm
	fields := map[string]string{}
	req := rounds.ListRequest{Specialty: v.Get("specialty"), PlanID: formID(v, "plan_id", "計画を選んでください。", fields)}
	form := url.Values{"specialty": {v.Get("specialty")}, "plan_id": {v.Get("plan_id")}}
	for i := 1; i <= maxChoices; i++ {
		raw := v.Get("choice_" + strconv.Itoa(i))
		if raw == "" {
			continue
		}
		inst, err := strconv.ParseInt(raw, 10, 64)
		key := "choice_" + strconv.Itoa(len(req.Institutions)+1)
		form.Set(key, raw)
		if err != nil {
			fields[key] = "医療機関を一覧から選んでください。"
		}
		req.Institutions = append(req.Institutions, inst)
	}
	if len(fields) > 0 {
		r.PostForm = form
		s.renderMyRound(w, r, cur, form, invalid(fields))
		return
	}
	names := map[string]string{"institutions": "choices"}
	for i := range req.Institutions {
		names[fmt.Sprintf("institutions.%d", i+1)] = fmt.Sprintf("choice_%d", i+1)
	}
	if _, err := s.Rounds.SubmitList(r.Context(), cur.Actor(), id, req); err != nil {
		s.renderMyRound(w, r, cur, form, renameFields(err, names))
		return
	}
	s.setFlash(w, fmt.Sprintf("希望（%d件）を提出しました。期限までは何度でも出し直せます。", len(req.Institutions)))
	redirect(w, r, "/me/rounds/"+strconv.FormatInt(id, 10))
}

// staffRoundGrants are the institutions the user serves as staff that
// take part in the round.
func staffRoundGrants(cur *httpx.Current, round *rounds.Round) []identity.Grant {
	var out []identity.Grant
	for _, g := range cur.Grants {
		if g.Role == identity.RoleInstitutionStaff && round.Institution(g.OrgID) != nil &&
			!slices.ContainsFunc(out, func(o identity.Grant) bool { return o.OrgID == g.OrgID }) {
			out = append(out, g)
		}
	}
	return out
}

func (s *Server) institutionRounds(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if !cur.Has(identity.RoleInstitutionStaff) {
		s.fail(w, r, apperr.E(apperr.NotFound, "この画面は医療機関のスタッフのための画面です。"))
		return
	}
	orgs, err := s.Views.Store.Organisations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var prefs []int64
	for _, o := range orgs {
		if o.Kind == identity.OrgPrefecture {
			prefs = append(prefs, o.ID)
		}
	}
	list, err := s.visibleRounds(r, cur, prefs, func(rd *rounds.Round) bool { return len(staffRoundGrants(cur, rd)) > 0 })
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "institution_rounds", &page{Title: "地域枠医師の配置（順位の提出）",
		Data: map[string]any{"Rounds": list, "StatusLabels": roundStatusLabels}})
}

func (s *Server) institutionRoundPage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderInstitutionRound(w, r, cur, nil, nil)
}

// renderInstitutionRound draws a round for the staff of a participating
// institution: the doctors who listed it and the ranking form while
// rankings are accepted, and after publication who is placed with it.
func (s *Server) renderInstitutionRound(w http.ResponseWriter, r *http.Request, cur *httpx.Current, form url.Values, formErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ctx, actor := r.Context(), cur.Actor()
	round, err := s.Rounds.Round(ctx, actor, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	grants := staffRoundGrants(cur, round)
	if len(grants) == 0 {
		s.fail(w, r, apperr.E(apperr.NotFound, "見つかりません。"))
		return
	}
	g := grants[0]
	want := r.URL.Query().Get("org")
	if r.PostForm != nil && r.PostForm.Get("org") != "" {
		want = r.PostForm.Get("org")
	}
	if want != "" {
		i := slices.IndexFunc(grants, func(g identity.Grant) bool { return strconv.FormatInt(g.OrgID, 10) == want })
		if i < 0 {
			s.fail(w, r, apperr.E(apperr.NotFound, "見つかりません。"))
			return
		}
		g = grants[i]
	}
	cands, err := s.Rounds.Candidates(ctx, actor, id, g.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	data := map[string]any{"R": round, "Org": g, "Orgs": grants, "Inst": round.Institution(g.OrgID), "Candidates": cands,
		"StatusLabels": roundStatusLabels}
	names := map[int64]string{}
	for _, c := range cands {
		names[c.DoctorID] = c.DoctorName
	}
	data["Names"] = names
	ranking, err := s.Rounds.Ranking(ctx, actor, id, g.OrgID)
	switch {
	case apperr.Is(err, apperr.NotFound):
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		data["Ranking"] = ranking
	}
	if round.Status == rounds.StatusPublished {
		placed, err := s.Rounds.InstitutionPlacements(ctx, actor, id, g.OrgID)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		data["Placed"] = placed
	}
	if round.Status == rounds.StatusOpen && s.Rounds.Now().Before(round.RankingsDue) {
		data["CanRank"] = true
		if form == nil {
			form = url.Values{}
			if ranking != nil {
				for i, d := range ranking.Doctors {
					form.Set("rank_"+strconv.Itoa(i+1), strconv.FormatInt(d, 10))
				}
			}
		}
		slots := make([]int, len(cands))
		for i := range slots {
			slots[i] = i + 1
		}
		data["Slots"] = slots
	}
	p := &page{Title: fmt.Sprintf("%d年度 %s（%s）", round.FiscalYear, round.Name, g.OrgName), Form: form, Data: data}
	if formErr != nil {
		s.pageError(w, r, "institution_round", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "institution_round", p)
}

func (s *Server) submitRanking(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := postedID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	org, perr := strconv.ParseInt(r.PostForm.Get("org"), 10, 64)
	if perr != nil || org <= 0 {
		s.fail(w, r, apperr.E(apperr.NotFound, "見つかりません。"))
		return
	}
	form := url.Values{"org": {r.PostForm.Get("org")}}
	var doctors []int64
	fields := map[string]string{}
	for i := 1; i <= rounds.MaxCapacity; i++ {
		raw := r.PostForm.Get("rank_" + strconv.Itoa(i))
		if raw == "" {
			if _, ok := r.PostForm["rank_"+strconv.Itoa(i)]; !ok {
				break
			}
			continue
		}
		key := "rank_" + strconv.Itoa(len(doctors)+1)
		form.Set(key, raw)
		d, err := strconv.ParseInt(raw, 10, 64)
		if err != nil {
			fields[key] = "医師を一覧から選んでください。"
		}
		doctors = append(doctors, d)
	}
	if len(fields) > 0 {
		s.renderInstitutionRound(w, r, cur, form, invalid(fields))
		return
	}
	names := map[string]string{}
	for i := range doctors {
		names[fmt.Sprintf("doctors.%d", i+1)] = fmt.Sprintf("rank_%d", i+1)
	}
	if _, err := s.Rounds.SubmitRanking(r.Context(), cur.Actor(), id, org, doctors); err != nil {
		s.renderInstitutionRound(w, r, cur, form, renameFields(err, names))
		return
	}
	msg := fmt.Sprintf("順位（%d人）を提出しました。期限までは出し直せます。", len(doctors))
	if len(doctors) == 0 {
		msg = "順位を空で提出しました。この配置では医師を受け入れません。"
	}
	s.setFlash(w, msg)
	redirect(w, r, "/institution/rounds/"+strconv.FormatInt(id, 10)+"?org="+strconv.FormatInt(org, 10))
}
