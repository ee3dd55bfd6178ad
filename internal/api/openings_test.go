package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
)

func TestAPIOpeningsStory(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	clinic := env.Org(identity.OrgInstitution, "みなと内科クリニック")
	staffUser := env.User("staff@minato.jp", "佐藤", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: clinic})
	staff := apiClient{t: t, env: env, token: tokenFor(t, env, staffUser.Email, env.EnableTOTP(staffUser), "write")}
	env.User("doc@example.jp", "医師", identity.Grant{Role: identity.RoleDoctor})
	doctor := apiClient{t: t, env: env, token: tokenFor(t, env, "doc@example.jp", "", "write")}
	anon := apiClient{t: t, env: env}

	opening := `{"institution_id":` + itoa(clinic) + `,"poster_org_id":` + itoa(clinic) + `,
	  "title":"【当直】二次救急 土曜夜","kind":"night_duty","specialty":"内科","schedule_kind":"single",
	  "date":"2027-02-06","start_time":"17:00","end_time":"09:00","pay_unit":"per_shift","pay_min_yen":60000,
	  "emergency_level":2,"duty_permit":true,"prefecture":"東京都","city":"港区",
	  "answers":{"student":"reject","junior_resident":"reject","specialty_resident":"consider","specialist":"accept"},
	  "required":[{"code":"night_duty_solo","level":3}],"preferred":[],"check_items":["一人当直の経験"],
	  "description":"患者様第一。","status":"open"}`
	status, p, body := staff.do("POST", "/api/v1/openings", opening, "application/json")
	if status != 201 {
		t.Fatalf("create: %d %+v %s", status, p, body)
	}
	var created struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	json.Unmarshal([]byte(body), &created)

	// Invalid input names each field.
	status, p, _ = staff.do("POST", "/api/v1/openings", `{"institution_id":`+itoa(clinic)+`,"poster_org_id":`+itoa(clinic)+`,"title":"","kind":"night_duty","schedule_kind":"single","pay_unit":"per_shift","pay_min_yen":-1,"answers":{}}`, "application/json")
	if status != 400 || p.Errors["title"] == "" || p.Errors["pay_min_yen"] == "" || p.Errors["answer_junior_resident"] == "" {
		t.Fatalf("invalid opening: %d %+v", status, p.Errors)
	}

	// Anonymous search finds it by a two-character word.
	status, _, body = anon.do("GET", "/api/v1/openings?q="+"%E5%BD%93%E7%9B%B4", "", "")
	if status != 200 || !strings.Contains(body, "二次救急 土曜夜") || strings.Contains(body, `"fit"`) {
		t.Fatalf("anonymous search: %d %s", status, body)
	}
	// A doctor with no career events is a 医学生: the fit says why not.
	status, _, body = doctor.do("GET", "/api/v1/openings/"+itoa(created.ID), "", "")
	if status != 200 || !strings.Contains(body, `"Allowed":false`) {
		t.Fatalf("doctor's view: %d %s", status, body)
	}
	status, p, _ = doctor.do("POST", "/api/v1/openings/"+itoa(created.ID)+"/applications", `{"kind":"apply"}`, "application/json")
	if status != 403 || !strings.Contains(p.Detail, "医師免許") {
		t.Fatalf("student applied: %d %+v", status, p)
	}
	// Becoming a 専攻医 changes the answer to 応相談, and the application goes through.
	profile := `{"practice_form":"employed","specialties":["内科"],"events":[
	  {"kind":"national_exam_passed","date":"2020-03-16"},{"kind":"junior_start","date":"2020-04-01"},
	  {"kind":"junior_end","date":"2022-03-31"},{"kind":"specialty_start","date":"2022-04-01","specialty":"内科"}],
	  "skills":[{"code":"night_duty_solo","level":2}],"preferences":{"kinds":["night_duty"],"weekdays":[6]}}`
	if status, p, body := doctor.do("PUT", "/api/v1/me/profile", profile, "application/json"); status != 200 || !strings.Contains(body, `"stage":"specialty_resident"`) {
		t.Fatalf("profile: %d %+v %s", status, p, body)
	}
	status, _, body = doctor.do("GET", "/api/v1/openings/"+itoa(created.ID), "", "")
	if !strings.Contains(body, `"Consider":true`) || !strings.Contains(body, `"Met":false`) {
		t.Fatalf("fit after profile: %s", body)
	}
	if status, p, _ := doctor.do("POST", "/api/v1/openings/"+itoa(created.ID)+"/applications", `{"kind":"interest","share_name":true}`, "application/json"); status != 201 {
		t.Fatalf("apply: %d %+v", status, p)
	}
	status, _, body = staff.do("GET", "/api/v1/organisations/"+itoa(clinic)+"/applications", "", "")
	if status != 200 || !strings.Contains(body, `"name":"医師"`) || !strings.Contains(body, "専攻医") {
		t.Fatalf("clinic's applications: %d %s", status, body)
	}
	// The doctor cannot read the clinic's applications.
	if status, _, _ := doctor.do("GET", "/api/v1/organisations/"+itoa(clinic)+"/applications", "", ""); status != 403 {
		t.Fatalf("doctor read the clinic's applications: %d", status)
	}
	// A stale version is refused; closing hides it.
	if status, _, _ := staff.do("POST", "/api/v1/openings/"+itoa(created.ID)+"/status", `{"status":"closed","version":0}`, "application/json"); status != 409 {
		t.Fatalf("stale close: %d", status)
	}
	if status, _, _ := staff.do("POST", "/api/v1/openings/"+itoa(created.ID)+"/status", `{"status":"closed","version":`+itoa(int64(created.Version))+`}`, "application/json"); status != 204 {
		t.Fatalf("close: %d", status)
	}
	if status, _, _ := anon.do("GET", "/api/v1/openings/"+itoa(created.ID), "", ""); status != 404 {
		t.Fatalf("closed opening public: %d", status)
	}
}

func TestAPICSVImportIsAllOrNothing(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	clinic := env.Org(identity.OrgInstitution, "みなと内科クリニック")
	staffUser := env.User("staff@minato.jp", "佐藤", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: clinic})
	staff := apiClient{t: t, env: env, token: tokenFor(t, env, staffUser.Email, env.EnableTOTP(staffUser), "write")}
	status, _, csv := staff.do("GET", "/api/v1/organisations/"+itoa(clinic)+"/openings.csv", "", "")
	if status != 200 || !strings.HasPrefix(csv, "\ufeff") {
		t.Fatalf("export of an empty list: %d %q", status, csv)
	}
	header := strings.SplitN(strings.TrimPrefix(csv, "\ufeff"), "\r\n", 2)[0]
	cols := strings.Split(header, ",")
	row := func(values map[string]string) string {
		var cells []string
		for _, c := range cols {
			cells = append(cells, values[c])
		}
		return strings.Join(cells, ",")
	}
	good := map[string]string{"タイトル": "【内科】外来 水曜", "勤務形態": "定期非常勤", "日程の種類": "weekly", "曜日と時間": "水 09:00-12:00",
		"報酬単位": "時給", "報酬下限(円)": "10000", "報酬上限(円)": "12000", "都道府県": "東京都", "医学生": "不可", "初期研修医": "不可",
		"専攻医": "応相談", "専門医": "可", "状態": "公開中"}
	bad := map[string]string{}
	for k, v := range good {
		bad[k] = v
	}
	bad["報酬下限(円)"] = "abc"
	body := header + "\r\n" + row(good) + "\r\n" + row(bad) + "\r\n"
	status, p, _ := staff.do("POST", "/api/v1/organisations/"+itoa(clinic)+"/openings/import", body, "text/csv")
	if status != 400 || len(p.Errors) == 0 {
		t.Fatalf("bad import: %d %+v", status, p)
	}
	found := false
	for k := range p.Errors {
		found = found || strings.HasPrefix(k, "line 3 ")
	}
	if !found {
		t.Errorf("problem does not name line 3: %+v", p.Errors)
	}
	if _, _, list := staff.do("GET", "/api/v1/organisations/"+itoa(clinic)+"/openings", "", ""); strings.Contains(list, "外来 水曜") {
		t.Fatal("a failed import left a partial result")
	}
	status, p, out := staff.do("POST", "/api/v1/organisations/"+itoa(clinic)+"/openings/import", header+"\r\n"+row(good)+"\r\n", "text/csv")
	if status != 200 || !strings.Contains(out, `"imported":1`) {
		t.Fatalf("good import: %d %+v %s", status, p, out)
	}
	if _, _, list := anonList(t, env); !strings.Contains(list, "外来 水曜") {
		t.Fatal("imported opening not in search")
	}
}

func anonList(t *testing.T, env *apptest.Env) (int, string, string) {
	status, _, body := (apiClient{t: t, env: env}).do("GET", "/api/v1/openings", "", "")
	return status, "", body
}
