package web

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/openings"
)

// weeklyRows is how many weekly slots the opening form offers.
const weeklyRows = 4

// openingFromForm reads the opening form. Fields that do not parse are
// reported in the returned map; the rest is checked by Opening.Validate.
func openingFromForm(v url.Values) (*openings.Opening, map[string]string) {
	fields := map[string]string{}
	o := &openings.Opening{
		Title: v.Get("title"), Kind: career.WorkKind(v.Get("kind")), RemoteKind: career.RemoteKind(v.Get("remote_kind")),
		Specialty: v.Get("specialty"), PayUnit: career.PayUnit(v.Get("pay_unit")), Prefecture: v.Get("prefecture"),
		City: v.Get("city"), Address: v.Get("address"), Description: v.Get("description"), DutyPermit: v.Get("duty_permit") == "1",
		Schedule: openings.Schedule{Kind: openings.ScheduleKind(v.Get("schedule_kind")), Date: v.Get("date"),
			Start: jatext.Normalize(v.Get("start_time")), End: jatext.Normalize(v.Get("end_time")), Note: v.Get("schedule_note")},
		Answers: map[career.Stage]career.StageAnswer{},
	}
	o.PayMinYen = yen(v.Get("pay_min_yen"), "pay_min_yen", fields)
	o.PayMaxYen = yen(v.Get("pay_max_yen"), "pay_max_yen", fields)
	if e := v.Get("emergency_level"); e != "" {
		n, err := strconv.Atoi(e)
		if err != nil {
			fields["emergency_level"] = "救急の区分を選んでください。"
		}
		o.EmergencyLevel = n
	}
	if ver := v.Get("version"); ver != "" {
		o.Version, _ = strconv.Atoi(ver)
	}
	for i := range weeklyRows {
		day, start, end := v.Get("weekly_day_"+strconv.Itoa(i)), jatext.Normalize(v.Get("weekly_start_"+strconv.Itoa(i))), jatext.Normalize(v.Get("weekly_end_"+strconv.Itoa(i)))
		if day == "" && start == "" && end == "" {
			continue
		}
		d, err := strconv.Atoi(day)
		if err != nil || d < 0 || d > 6 {
			fields["weekly"] = "曜日を選んでください。"
			continue
		}
		o.Schedule.Weekly = append(o.Schedule.Weekly, career.Weekly{Weekday: time.Weekday(d), Start: start, End: end})
	}
	for _, st := range career.Stages {
		o.Answers[st] = career.StageAnswer(v.Get("answer_" + string(st)))
	}
	for key, vals := range v {
		if len(vals) == 0 || vals[0] == "" || vals[0] == "0" {
			continue
		}
		level, err := strconv.Atoi(vals[0])
		switch {
		case strings.HasPrefix(key, "req_"):
			if err != nil {
				fields["required"] = "必須スキルのレベルを選んでください。"
			}
			o.Required = append(o.Required, career.Requirement{Code: strings.TrimPrefix(key, "req_"), Level: career.Level(level)})
		case strings.HasPrefix(key, "pref_"):
			if err != nil {
				fields["preferred"] = "歓迎スキルのレベルを選んでください。"
			}
			o.Preferred = append(o.Preferred, career.Requirement{Code: strings.TrimPrefix(key, "pref_"), Level: career.Level(level)})
		}
	}
	sortRequirements(o.Required)
	sortRequirements(o.Preferred)
	for _, line := range strings.Split(v.Get("check_items"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			o.CheckItems = append(o.CheckItems, line)
		}
	}
	return o, fields
}

func sortRequirements(r []career.Requirement) {
	slices.SortFunc(r, func(a, b career.Requirement) int { return strings.Compare(a.Code, b.Code) })
}

// yen parses an amount typed as 3000, 3,000 or ３０００.
func yen(s, field string, fields map[string]string) int64 {
	s = strings.ReplaceAll(jatext.Normalize(s), ",", "")
	s = strings.TrimSuffix(s, "円")
	if s == "" {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		fields[field] = "金額は0以上の数字(円)で入力してください。"
	}
	return n
}

// openingForm turns an opening back into form values, for editing.
func openingForm(o *openings.Opening) url.Values {
	v := url.Values{}
	v.Set("title", o.Title)
	v.Set("kind", string(o.Kind))
	v.Set("remote_kind", string(o.RemoteKind))
	v.Set("specialty", o.Specialty)
	v.Set("schedule_kind", string(o.Schedule.Kind))
	for i, w := range o.Schedule.Weekly {
		if i >= weeklyRows {
			break
		}
		v.Set("weekly_day_"+strconv.Itoa(i), strconv.Itoa(int(w.Weekday)))
		v.Set("weekly_start_"+strconv.Itoa(i), w.Start)
		v.Set("weekly_end_"+strconv.Itoa(i), w.End)
	}
	v.Set("date", o.Schedule.Date)
	v.Set("start_time", o.Schedule.Start)
	v.Set("end_time", o.Schedule.End)
	v.Set("schedule_note", o.Schedule.Note)
	v.Set("pay_unit", string(o.PayUnit))
	v.Set("pay_min_yen", strconv.FormatInt(o.PayMinYen, 10))
	v.Set("pay_max_yen", strconv.FormatInt(o.PayMaxYen, 10))
	v.Set("emergency_level", strconv.Itoa(o.EmergencyLevel))
	if o.DutyPermit {
		v.Set("duty_permit", "1")
	}
	v.Set("prefecture", o.Prefecture)
	v.Set("city", o.City)
	v.Set("address", o.Address)
	for st, a := range o.Answers {
		v.Set("answer_"+string(st), string(a))
	}
	for _, r := range o.Required {
		v.Set("req_"+r.Code, strconv.Itoa(int(r.Level)))
	}
	for _, r := range o.Preferred {
		v.Set("pref_"+r.Code, strconv.Itoa(int(r.Level)))
	}
	v.Set("check_items", strings.Join(o.CheckItems, "\n"))
	v.Set("description", o.Description)
	v.Set("version", strconv.Itoa(o.Version))
	return v
}
