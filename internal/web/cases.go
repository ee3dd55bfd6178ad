package web

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/ical"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/placement"
)

func casePath(id int64) string { return "/cases/" + strconv.FormatInt(id, 10) }

// participantRows is how many participant rows the interview form offers.
const participantRows = 4

// progressStep is one step of a case's stage progress bar.
type progressStep struct {
	Stage placement.Stage
	State string // done, current, todo
}

// progressOf marks the pipeline stages a case has passed, the one it is
// at, and those ahead. A closed case shows the stages it reached before.
func progressOf(c *placement.Case, timeline []placement.Event) []progressStep {
	at := slices.Index(placement.PipelineStages, c.Stage)
	if at < 0 {
		// Closed or on hold: the stage it left for the outcome.
		at = -1
		for _, e := range timeline {
			if e.To == c.Stage && e.From.InPipeline() {
				at = slices.Index(placement.PipelineStages, e.From)
			}
		}
	}
	steps := make([]progressStep, len(placement.PipelineStages))
	for i, st := range placement.PipelineStages {
		steps[i] = progressStep{Stage: st, State: "todo"}
		switch {
		case i < at:
			steps[i].State = "done"
		case i == at && c.Stage.InPipeline():
			steps[i].State = "current"
		case i == at:
			steps[i].State = "done"
		}
	}
	return steps
}

// closeStages are the outcomes the 辞退・見送り form offers.
var closeStages = []placement.Stage{placement.StageWithdrawnByDoctor, placement.StageDeclinedByInstitution, placement.StageWithdrawnByAgent}

// scoreRow is one check item of a scorecard.
type scoreRow struct {
	Label string
	Score int
}

// scorecardView is a scorecard with its scores in checklist order.
type scorecardView struct {
	placement.Scorecard
	Rows []scoreRow
}

func scorecardViews(list []placement.Scorecard, items []placement.CheckItem) []scorecardView {
	var out []scorecardView
	for _, sc := range list {
		v := scorecardView{Scorecard: sc}
		for _, it := range items {
			if score, ok := sc.Scores[it.ID]; ok {
				v.Rows = append(v.Rows, scoreRow{Label: it.Label, Score: score})
			}
		}
		out = append(out, v)
	}
	return out
}

// followUpChoices are the lists of the follow-up form.
func followUpChoices() map[string]any {
	stages := slices.DeleteFunc(slices.Clone(career.Stages), func(s career.Stage) bool { return s == career.StageStudent })
	return map[string]any{"Kinds": placement.TriggerKinds, "Stages": stages, "Specialties": career.Specialties}
}

// caseDefaults are the initial values of the case page's forms.
func caseDefaults(v *placement.CaseView, cur *httpx.Current) url.Values {
	f := url.Values{"mode": {string(placement.ModeOnline)}, "trigger_kind": {string(placement.TriggerDate)}}
	row := 1
	add := func(name, email, role string) {
		f.Set("p_name_"+strconv.Itoa(row), name)
		f.Set("p_email_"+strconv.Itoa(row), email)
		f.Set("p_role_"+strconv.Itoa(row), role)
		row++
	}
	switch v.Party {
	case placement.PartyAgent:
		if v.Lead != nil && v.Lead.Email != "" {
			add(v.Lead.Name, v.Lead.Email, placement.ParticipantDoctor)
		}
		add(cur.User.DisplayName, cur.User.Email, placement.ParticipantAgent)
	case placement.PartyInstitution:
		add(cur.User.DisplayName, cur.User.Email, placement.ParticipantInstitution)
	}
	if v.Case.Stage == placement.StageCheckItems {
		for _, it := range v.Items {
			f.Set("item_"+strconv.FormatInt(it.ID, 10), string(it.Status))
			f.Set("note_"+strconv.FormatInt(it.ID, 10), it.Note)
		}
	}
	return f
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderCase(w, r, cur, http.StatusOK, &page{}, nil)
}

// renderCase draws a case for the signed-in party. With formErr, the page
// says what went wrong and the failed form keeps what was typed; the rest
// shows the case as it is now, so a version conflict can be resolved by
// looking again.
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, cur *httpx.Current, status int, p *page, formErr error) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v, err := s.Placement.View(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := v.Case
	data := map[string]any{
		"View": v, "Case": c, "Party": string(v.Party), "Progress": progressOf(c, v.Timeline),
		"DaysInStage": daysSince(c.StageChangedAt, s.Placement.Now()), "EventLabel": placement.EventKind.Label,
		"RoleLabel": placement.ParticipantRoleLabel, "Reasons": placement.Reasons, "ItemStatuses": placement.ItemStatuses,
		"Verdicts": placement.Verdicts, "Recommendations": placement.Recommendations, "Modes": placement.Modes,
		"Roles": placement.ParticipantRoles, "Rows": participantNumbers(), "Scores": []int{1, 2, 3, 4, 5},
		"Scorecards": scorecardViews(v.Scorecards, v.Items), "FollowUpForm": followUpChoices(),
		"Conflict": apperr.Is(formErr, apperr.Conflict),
	}
	var closing []placement.Stage
	for _, st := range v.Moves {
		switch {
		case st == placement.StagePlaced:
			data["CanPlace"] = true
		case st == placement.StageOnHold:
			data["CanHold"] = true
		case slices.Contains(closeStages, st):
			closing = append(closing, st)
		case st == placement.StageIntroduced:
			data["CanIntroduce"] = true
		case st.InPipeline():
			data["Next"] = st
		}
	}
	data["CloseStages"] = closing
	var live []placement.Interview
	for _, iv := range v.Interviews {
		if iv.CancelledAt == nil {
			live = append(live, iv)
		}
	}
	data["LiveInterviews"] = live
	data["CanSchedule"] = v.Party != placement.PartyDoctor &&
		(c.Stage == placement.StageIntroduced || c.Stage == placement.StageInterview)
	if len(v.Shares) > 0 {
		data["Share"] = v.Shares[len(v.Shares)-1]
	}
	form := caseDefaults(v, cur)
	if formErr != nil {
		for k, vals := range r.PostForm {
			form[k] = vals
		}
	}
	p.Form = form
	p.Data = data
	p.Title = "案件: " + c.DoctorName + " × " + c.InstitutionName
	switch v.Party {
	case placement.PartyInstitution:
		p.Title = "紹介された医師: " + c.DoctorName
	case placement.PartyDoctor:
		p.Title = "紹介: " + c.InstitutionName
	}
	if formErr != nil {
		s.pageError(w, r, "case", p, formErr)
		return
	}
	s.render(w, r, status, "case", p)
}

// participantNumbers numbers the participant rows from 1.
func participantNumbers() []int {
	out := make([]int, participantRows)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// renameFields returns err with its per-field messages moved to the names
// of the form that was sent; other errors are returned as they are.
func renameFields(err error, names map[string]string) error {
	var e *apperr.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		return err
	}
	fields := make(map[string]string, len(e.Fields))
	for k, v := range e.Fields {
		if n, ok := names[k]; ok {
			k = n
		}
		fields[k] = v
	}
	out := *e
	out.Fields = fields
	return &out
}

// caseAction reads the {id} and the form of a POST on a case and its
// version, runs do, and redirects to the case (or to a local return path)
// with the flash; what goes wrong is shown on the case page.
func (s *Server) caseAction(w http.ResponseWriter, r *http.Request, cur *httpx.Current, do func(id int64, version int) (string, error)) {
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
		s.renderCase(w, r, cur, 0, &page{}, err)
		return
	}
	s.setFlash(w, flash)
	redirect(w, r, localPath(r.PostForm.Get("return"), casePath(id)))
}

// moveForms are the case page's forms that move a case, with the names of
// their fields.
var moveForms = map[string]map[string]string{
	"next":      {},
	"introduce": {},
	"placed":    {"note": "placed_note"},
	"close":     {"note": "close_note", "reason": "close_reason", "stage": "close_to"},
	"hold":      {"note": "hold_note", "reason": "hold_reason"},
}

func (s *Server) moveCase(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.caseAction(w, r, cur, func(id int64, version int) (string, error) {
		v := r.PostForm
		form := v.Get("form")
		names, ok := moveForms[form]
		if !ok {
			form, names = "next", moveForms["next"]
		}
		m := placement.Move{Version: version, To: placement.Stage(v.Get("to"))}
		switch form {
		case "introduce":
			m.To, m.Recommendation, m.OverrideReason = placement.StageIntroduced, v.Get("recommendation"), v.Get("override_reason")
		case "placed":
			m.To, m.StartDate, m.Note = placement.StagePlaced, v.Get("start_date"), v.Get("placed_note")
		case "close":
			m.To, m.Reason, m.Note = placement.Stage(v.Get("close_to")), placement.Reason(v.Get("close_reason")), v.Get("close_note")
			if !slices.Contains(closeStages, m.To) {
				return "", invalid(map[string]string{"close_to": "辞退・見送りの種類を選んでください。"})
			}
		case "hold":
			m.To, m.Reason, m.Note = placement.StageOnHold, placement.Reason(v.Get("hold_reason")), v.Get("hold_note")
		}
		if !m.To.Valid() {
			return "", apperr.E(apperr.Invalid, "移動先の段階を選んでください。")
		}
		c, err := s.Placement.Move(r.Context(), cur.Actor(), id, m)
		if err != nil {
			return "", renameFields(err, names)
		}
		return "案件を「" + c.Stage.Label() + "」にしました。", nil
	})
}

func (s *Server) reopenCase(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.caseAction(w, r, cur, func(id int64, version int) (string, error) {
		c, err := s.Placement.Reopen(r.Context(), cur.Actor(), id, version)
		if err != nil {
			return "", err
		}
		return "案件を再開しました（「" + c.Stage.Label() + "」から）。", nil
	})
}

func (s *Server) confirmItems(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.caseAction(w, r, cur, func(id int64, version int) (string, error) {
		var updates []placement.ItemUpdate
		for key, vals := range r.PostForm {
			raw, ok := strings.CutPrefix(key, "item_")
			if !ok || len(vals) == 0 {
				continue
			}
			itemID, err := strconv.ParseInt(raw, 10, 64)
			if err != nil {
				continue
			}
			updates = append(updates, placement.ItemUpdate{ID: itemID, Status: placement.ItemStatus(vals[0]),
				Note: r.PostForm.Get("note_" + raw)})
		}
		slices.SortFunc(updates, func(a, b placement.ItemUpdate) int { return cmp.Compare(a.ID, b.ID) })
		var added []string
		for line := range strings.Lines(r.PostForm.Get("added")) {
			if line = strings.TrimSpace(line); line != "" {
				added = append(added, line)
			}
		}
		if _, err := s.Placement.ConfirmItems(r.Context(), cur.Actor(), id, version, updates, added); err != nil {
			return "", err
		}
		return "確認事項を保存しました。", nil
	})
}

// interviewFromForm reads the interview form: the date with start and end
// times in JST, the venue and the participants' rows (empty rows skipped).
func interviewFromForm(v url.Values) (*placement.Interview, map[string]string) {
	fields := map[string]string{}
	iv := &placement.Interview{Mode: placement.Mode(v.Get("mode")), Place: v.Get("place"), MeetingURL: v.Get("meeting_url")}
	date := v.Get("iv_date")
	if start, end := v.Get("starts_at"), v.Get("ends_at"); date != "" || start != "" || end != "" {
		if t, ok := parseJSTDateTime(date + " " + start); ok {
			iv.StartsAt = t.UTC()
		} else {
			fields["starts_at"] = "面接の日付と開始時刻を入力してください（例: 2026-04-01 と 14:00）。"
		}
		if t, ok := parseJSTDateTime(date + " " + end); ok {
			iv.EndsAt = t.UTC()
		} else if fields["starts_at"] == "" {
			fields["ends_at"] = "終了時刻を入力してください（例: 15:00）。"
		}
	}
	for i := 1; i <= participantRows; i++ {
		n := strconv.Itoa(i)
		p := placement.Participant{Name: v.Get("p_name_" + n), Email: v.Get("p_email_" + n), Role: v.Get("p_role_" + n)}
		if strings.TrimSpace(p.Name) == "" && strings.TrimSpace(p.Email) == "" {
			continue
		}
		iv.Participants = append(iv.Participants, p)
	}
	return iv, fields
}

func (s *Server) scheduleInterview(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.caseAction(w, r, cur, func(id int64, version int) (string, error) {
		iv, fields := interviewFromForm(r.PostForm)
		if len(fields) > 0 {
			return "", invalid(fields)
		}
		iv.CaseID = id
		if _, err := s.Placement.ScheduleInterview(r.Context(), cur.Actor(), iv, version); err != nil {
			return "", err
		}
		return "面接の日程を登録し、参加者に招待を送りました。", nil
	})
}

func (s *Server) cancelInterview(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	ivID, err := pathID(r, "iv")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.caseAction(w, r, cur, func(id int64, _ int) (string, error) {
		if err := s.Placement.CancelInterview(r.Context(), cur.Actor(), ivID); err != nil {
			return "", err
		}
		return "面接を取り消し、参加者に取り消しを送りました。", nil
	})
}

// interviewICS serves an interview as an iCalendar file, for the case's
// parties: GET /interviews/{file} with file "{id}.ics".
func (s *Server) interviewICS(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	raw, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	id, err := strconv.ParseInt(raw, 10, 64)
	if !ok || err != nil || id <= 0 {
		s.fail(w, r, apperr.E(apperr.NotFound, "見つかりません。"))
		return
	}
	iv, body, err := s.Placement.InterviewICS(r.Context(), cur.Actor(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	method := ical.MethodRequest
	if iv.CancelledAt != nil {
		method = ical.MethodCancel
	}
	w.Header().Set("Content-Type", method.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="interview-`+raw+`.ics"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(body)
}

func (s *Server) submitScorecard(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.caseAction(w, r, cur, func(id int64, _ int) (string, error) {
		v := r.PostForm
		ivID, err := strconv.ParseInt(v.Get("interview_id"), 10, 64)
		if err != nil || ivID <= 0 {
			return "", invalid(map[string]string{"interview_id": "評価する面接を選んでください。"})
		}
		view, err := s.Placement.View(r.Context(), cur.Actor(), id)
		if err != nil {
			return "", err
		}
		if !slices.ContainsFunc(view.Interviews, func(iv placement.Interview) bool { return iv.ID == ivID }) {
			return "", invalid(map[string]string{"interview_id": "評価する面接を選んでください。"})
		}
		sc := &placement.Scorecard{InterviewID: ivID, Overall: placement.Recommendation(v.Get("overall")), Comment: v.Get("comment"),
			Scores: map[int64]int{}}
		for key, vals := range v {
			raw, ok := strings.CutPrefix(key, "score_")
			if !ok || len(vals) == 0 || vals[0] == "" {
				continue
			}
			itemID, err1 := strconv.ParseInt(raw, 10, 64)
			score, err2 := strconv.Atoi(vals[0])
			if err1 != nil || err2 != nil {
				return "", invalid(map[string]string{"scores": "評価は1〜5で選んでください。"})
			}
			sc.Scores[itemID] = score
		}
		if err := s.Placement.SubmitScorecard(r.Context(), cur.Actor(), sc); err != nil {
			return "", err
		}
		return "面接の評価を送りました。", nil
	})
}

func (s *Server) recordReview(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.caseAction(w, r, cur, func(id int64, version int) (string, error) {
		in := placement.Conclusion{Verdict: placement.Verdict(r.PostForm.Get("verdict")), Note: r.PostForm.Get("review_note")}
		if _, err := s.Placement.RecordReview(r.Context(), cur.Actor(), id, version, in); err != nil {
			return "", renameFields(err, map[string]string{"note": "review_note"})
		}
		return "振り返りを記録しました。", nil
	})
}

// followUpFromForm reads the follow-up form: the trigger kind with its own
// field, and the note.
func followUpFromForm(v url.Values) (*placement.FollowUp, map[string]string) {
	fields := map[string]string{}
	f := &placement.FollowUp{Note: v.Get("fu_note"), Trigger: placement.Trigger{Kind: placement.TriggerKind(v.Get("trigger_kind")),
		Date: v.Get("trigger_date"), Stage: career.Stage(v.Get("trigger_stage")), Specialty: v.Get("trigger_specialty")}}
	if f.Trigger.Kind == placement.TriggerYears {
		n, err := strconv.Atoi(jatext.NormalizeLine(v.Get("trigger_years")))
		if err != nil {
			fields["trigger_years"] = "経験年数を数字で入力してください。"
		}
		f.Trigger.Years = n
	}
	return f, fields
}

func (s *Server) createCaseFollowUp(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.caseAction(w, r, cur, func(id int64, _ int) (string, error) {
		f, fields := followUpFromForm(r.PostForm)
		if len(fields) > 0 {
			return "", invalid(fields)
		}
		f.CaseID = id
		if err := s.Placement.CreateFollowUp(r.Context(), cur.Actor(), f); err != nil {
			return "", renameFields(err, map[string]string{"note": "fu_note"})
		}
		return "フォローアップを設定しました。条件を満たすとお知らせします。", nil
	})
}
