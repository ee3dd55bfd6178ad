package app_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
)

// openingForm is a valid 定期非常勤 opening for a 内科 clinic.
func openingForm(extra url.Values) url.Values {
	v := url.Values{
		"title": {"【内科】外来診療 火曜午後"}, "kind": {"part_time_regular"}, "specialty": {"内科"},
		"schedule_kind": {"weekly"}, "weekly_day_0": {"2"}, "weekly_start_0": {"13:00"}, "weekly_end_0": {"17:00"},
		"pay_unit": {"hourly"}, "pay_min_yen": {"１０,０００"}, "pay_max_yen": {"12000"}, "prefecture": {"東京都"},
		"city": {"港区"}, "answer_student": {"reject"}, "answer_junior_resident": {"reject"},
		"answer_specialty_resident": {"consider"}, "answer_specialist": {"accept"},
		"req_outpatient_no_manual": {"3"}, "req_prescribing": {"2"}, "pref_patient_survey": {"2"},
		"check_items": {"マニュアルなしで診察できる\n処方ができる"}, "description": {"患者様第一の在宅医療に力を入れています。"},
		"publish": {"1"},
	}
	for k, vals := range extra {
		v[k] = vals
	}
	return v
}

type world struct {
	env                *apptest.Env
	clinic, agency     int64
	staff, agent       *apptest.Client
	specialist, junior *apptest.Client
}

func newWorld(t *testing.T, env *apptest.Env) *world {
	w := &world{env: env}
	w.clinic = env.Org(identity.OrgInstitution, "みなと内科クリニック")
	w.agency = env.Org(identity.OrgAgency, "さくらメディカルキャリア")
	staff := env.User("staff@minato.jp", "佐藤 花子", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: w.clinic, OrgAdmin: true})
	agent := env.User("agent@sakura.jp", "鈴木 一郎", identity.Grant{Role: identity.RoleAgent, OrgID: w.agency})
	env.User("spec@example.jp", "専門 医子", identity.Grant{Role: identity.RoleDoctor})
	env.User("junior@example.jp", "研修 医男", identity.Grant{Role: identity.RoleDoctor})
	w.staff, w.agent = env.Client(), env.Client()
	w.staff.Login(staff.Email, env.EnableTOTP(staff))
	w.agent.Login(agent.Email, env.EnableTOTP(agent))
	w.specialist, w.junior = env.Client(), env.Client()
	w.specialist.Login("spec@example.jp", "")
	w.junior.Login("junior@example.jp", "")
	// Career events decide the stage.
	if r := w.specialist.Post("/profile", url.Values{"practice_form": {"employed"}, "specialties": {"内科"}, "prefecture": {"東京都"},
		"event_national_exam_passed": {"2012-03-18"}, "event_junior_start": {"2012-04-01"}, "event_junior_end": {"2014-03-31"},
		"event_specialty_start": {"2014-04-01"}, "event_specialty_start_specialty": {"内科"},
		"event_specialist_obtained": {"2018-06-01"}, "event_specialist_obtained_specialty": {"内科"},
		"skill_outpatient_no_manual": {"4"}, "skill_prescribing": {"3"}, "pref_kinds": {"part_time_regular"}, "pref_weekdays": {"2"},
		"pref_min_hourly_yen": {"10000"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("specialist profile: %d %s", r.Status, between(r.Body, `role="alert"`, "</div>"))
	}
	today := env.Clock.Now().In(time.FixedZone("JST", 9*3600))
	if r := w.junior.Post("/profile", url.Values{"practice_form": {"employed"}, "specialties": {"内科"},
		"event_national_exam_passed": {today.AddDate(0, -2, 0).Format(time.DateOnly)},
		"event_junior_start":         {today.AddDate(0, -1, 0).Format(time.DateOnly)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("junior profile: %d %s", r.Status, between(r.Body, `role="alert"`, "</div>"))
	}
	return w
}

func (w *world) post(t *testing.T, c *apptest.Client, form url.Values) string {
	t.Helper()
	r := c.Post("/openings", form)
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/openings/") {
		t.Fatalf("post opening: %d %s", r.Status, between(r.Body, `role="alert"`, "</div>"))
	}
	return r.Location
}

func TestOpeningsSearchFitAndApply(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newWorld(t, env)
		path := w.post(t, w.staff, openingForm(url.Values{"poster_org_id": {itoa(w.clinic)}, "institution_id": {itoa(w.clinic)}}))

		// Anyone can search; full-width, half-width and two-character words match.
		for _, q := range []string{"内科", "外来", "在宅", "患者様第一", "ＫＡＫＵ"} {
			r := env.Client().Get("/openings?q=" + url.QueryEscape(q))
			want := q != "ＫＡＫＵ"
			if got := strings.Contains(r.Body, "【内科】外来診療 火曜午後"); got != want || r.Status != 200 {
				t.Errorf("search %q: found=%v want %v (status %d)", q, got, want, r.Status)
			}
		}
		// The specialist sees the fit and applies.
		r := w.specialist.Get(path)
		if !strings.Contains(r.Body, "あなたとの適合") || !strings.Contains(r.Body, "応募できます") {
			t.Fatalf("specialist's opening page lacks the fit: %s", r.Body)
		}
		if r := w.specialist.Post(path+"/apply", url.Values{"kind": {"apply"}, "message": {"よろしくお願いします"}, "share_name": {"1"}}); r.Status != http.StatusSeeOther {
			t.Fatalf("apply: %d %s", r.Status, r.Body)
		}
		if r := w.specialist.Post(path+"/apply", url.Values{"kind": {"apply"}}); r.Status != http.StatusConflict {
			t.Fatalf("second application: %d", r.Status)
		}
		// The clinic sees the application with what was shared, and was notified.
		r = w.staff.Get("/orgs/" + itoa(w.clinic) + "/openings")
		if !strings.Contains(r.Body, "専門 医子") || !strings.Contains(r.Body, "よろしくお願いします") {
			t.Fatalf("clinic's applications: %s", r.Body)
		}
		if r := w.staff.Get("/me/notifications"); !strings.Contains(r.Body, "応募がありました") {
			t.Fatal("clinic staff not notified")
		}
		// Closing removes it from search at once.
		id := strings.TrimPrefix(path, "/openings/")
		o, _ := env.Main.DB.Opening(context.Background(), mustInt(t, id))
		if r := w.staff.Post(path+"/status", url.Values{"status": {"closed"}, "version": {itoa(int64(o.Version))}}); r.Status != http.StatusSeeOther {
			t.Fatalf("close: %d", r.Status)
		}
		if r := env.Client().Get("/openings?q=" + url.QueryEscape("内科")); strings.Contains(r.Body, "【内科】外来診療") {
			t.Fatal("closed opening still in search")
		}
		if r := env.Client().Get(path); r.Status != http.StatusNotFound {
			t.Fatalf("closed opening public: %d", r.Status)
		}
	})
}

func TestJuniorResidentIsRefusedASpotShiftWithTheReason(t *testing.T) {
	env := newEnv(t)
	w := newWorld(t, env)
	spot := openingForm(url.Values{"title": {"【スポット】健診 土曜"}, "kind": {"spot"}, "schedule_kind": {"single"},
		"date": {"2027-01-16"}, "start_time": {"09:00"}, "end_time": {"12:00"}, "answer_junior_resident": {"accept"},
		"poster_org_id": {itoa(w.clinic)}, "institution_id": {itoa(w.clinic)}})
	path := w.post(t, w.staff, spot)
	r := w.junior.Get(path)
	if !strings.Contains(r.Body, "応募できません") || !strings.Contains(r.Body, "初期研修") {
		t.Fatalf("junior resident's page lacks the refusal: %s", between(r.Body, "あなたとの適合", "</section>"))
	}
	r = w.junior.Post(path+"/apply", url.Values{"kind": {"apply"}})
	if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "初期研修") {
		t.Fatalf("junior resident applied to a spot shift: %d", r.Status)
	}
	// "I am eligible" hides it from the junior resident's search.
	if r := w.junior.Get("/openings?eligible=1"); strings.Contains(r.Body, "【スポット】健診") {
		t.Fatal("eligible-only search shows a spot shift to a junior resident")
	}
	if r := w.specialist.Get("/openings?eligible=1"); !strings.Contains(r.Body, "【スポット】健診") {
		t.Fatal("eligible-only search hides the spot shift from a specialist")
	}
}

func TestOpeningPostingRights(t *testing.T) {
	env := newEnv(t)
	w := newWorld(t, env)
	other := env.Org(identity.OrgInstitution, "あおば皮膚科")
	// An agent posts on the clinic's behalf; the poster is shown.
	path := w.post(t, w.agent, openingForm(url.Values{"poster_org_id": {itoa(w.agency)}, "institution_id": {itoa(w.clinic)}}))
	if r := env.Client().Get(path); !strings.Contains(r.Body, "掲載: さくらメディカルキャリア") {
		t.Fatal("agent-posted opening does not show the poster")
	}
	// Clinic staff cannot post for another clinic, nor as the agency.
	if r := w.staff.Post("/openings", openingForm(url.Values{"poster_org_id": {itoa(w.clinic)}, "institution_id": {itoa(other)}})); r.Status != http.StatusForbidden {
		t.Fatalf("staff posted for another clinic: %d", r.Status)
	}
	if r := w.staff.Post("/openings", openingForm(url.Values{"poster_org_id": {itoa(w.agency)}, "institution_id": {itoa(w.clinic)}})); r.Status != http.StatusForbidden {
		t.Fatalf("staff posted as the agency: %d", r.Status)
	}
	// The clinic cannot edit what the agent posted, but may close it.
	if r := w.staff.Post(path, openingForm(url.Values{"version": {"1"}})); r.Status != http.StatusForbidden {
		t.Fatalf("clinic edited the agent's opening: %d", r.Status)
	}
	if r := w.staff.Post(path+"/status", url.Values{"status": {"closed"}, "version": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("clinic could not close the agent's opening: %d", r.Status)
	}
	// Doctors cannot post.
	if r := w.specialist.Post("/openings", openingForm(url.Values{"poster_org_id": {itoa(w.clinic)}, "institution_id": {itoa(w.clinic)}})); r.Status != http.StatusForbidden {
		t.Fatalf("doctor posted an opening: %d", r.Status)
	}
}

func TestOpeningFormErrorsAndStaleEdits(t *testing.T) {
	env := newEnv(t)
	w := newWorld(t, env)
	bad := openingForm(url.Values{"title": {""}, "pay_min_yen": {"abc"}, "weekly_start_0": {"25:00"}, "poster_org_id": {itoa(w.clinic)}, "institution_id": {itoa(w.clinic)}})
	r := w.staff.Post("/openings", bad)
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "金額は0以上の数字") {
		t.Fatalf("bad form: %d", r.Status)
	}
	path := w.post(t, w.staff, openingForm(url.Values{"poster_org_id": {itoa(w.clinic)}, "institution_id": {itoa(w.clinic)}}))
	if r := w.staff.Post(path, openingForm(url.Values{"title": {"改訂1"}, "version": {"1"}})); r.Status != http.StatusSeeOther {
		t.Fatalf("first edit: %d %s", r.Status, between(r.Body, `role="alert"`, "</div>"))
	}
	if r := w.staff.Post(path, openingForm(url.Values{"title": {"改訂2"}, "version": {"1"}})); r.Status != http.StatusConflict || !strings.Contains(r.Body, "他の方が先に更新しました") {
		t.Fatalf("stale edit: %d", r.Status)
	}
	if r := w.staff.Get(path + "/edit"); r.Status != 200 || !strings.Contains(r.Body, "改訂1") {
		t.Fatalf("edit page: %d", r.Status)
	}
}

func TestAdminVerifiesRegistrationAndCuratesVocabulary(t *testing.T) {
	env := newEnv(t)
	platform := env.Org(identity.OrgPlatform, "運営")
	admin := env.User("admin@example.jp", "管理者", identity.Grant{Role: identity.RoleAdmin, OrgID: platform})
	a := env.Client()
	a.Login(admin.Email, env.EnableTOTP(admin))
	doc := env.User("doc@example.jp", "医師", identity.Grant{Role: identity.RoleDoctor})
	d := env.Client()
	d.Login(doc.Email, "")
	if r := d.Post("/profile", url.Values{"practice_form": {"employed"}, "registration_number": {"１２３４５６"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("profile: %d", r.Status)
	}
	if r := d.Get("/admin/career"); r.Status != http.StatusForbidden {
		t.Fatalf("doctor reached the admin page: %d", r.Status)
	}
	if r := a.Get("/admin/career"); !strings.Contains(r.Body, "123456") {
		t.Fatalf("pending registration not listed: %d", r.Status)
	}
	if r := a.Post("/admin/doctors/"+itoa(doc.ID)+"/verify-registration", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("verify: %d", r.Status)
	}
	if r := d.Get("/profile"); !strings.Contains(r.Body, "確認済みです") {
		t.Fatal("doctor does not see the verification")
	}
	// Changing the number clears the verification.
	d.Post("/profile", url.Values{"practice_form": {"employed"}, "registration_number": {"654321"}})
	if r := d.Get("/profile"); strings.Contains(r.Body, "確認済みです") {
		t.Fatal("verification survived a changed number")
	}
	if r := a.Post("/admin/competencies", url.Values{"code": {"Home Visit"}, "group": {"clinical"}, "name": {"訪問診療"}}); r.Status != http.StatusBadRequest {
		t.Fatalf("bad code accepted: %d", r.Status)
	}
	if r := a.Post("/admin/competencies", url.Values{"code": {"home_visit"}, "group": {"clinical"}, "name": {"訪問診療"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("add competency: %d", r.Status)
	}
	if r := d.Get("/profile"); !strings.Contains(r.Body, "訪問診療") {
		t.Fatal("new competency not offered to doctors")
	}
}

func TestInstitutionProfile(t *testing.T) {
	env := newEnv(t)
	w := newWorld(t, env)
	path := "/institutions/" + itoa(w.clinic)
	if r := w.staff.Post(path, url.Values{"kind": {"clinic"}, "beds": {"0"}, "prefecture": {"東京都"}, "medical_area": {"区中央部"},
		"departments": {"内科、小児科"}, "motto": {"患者様第一"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, between(r.Body, `role="alert"`, "</div>"))
	}
	r := env.Client().Get(path)
	if !strings.Contains(r.Body, "「患者様第一」") || !strings.Contains(r.Body, "区中央部") || !strings.Contains(r.Body, "内科、小児科") {
		t.Fatalf("public institution page: %s", r.Body)
	}
	if r := w.specialist.Post(path, url.Values{"kind": {"hospital"}}); r.Status != http.StatusForbidden {
		t.Fatalf("doctor edited the institution: %d", r.Status)
	}
	if r := w.agent.Post(path, url.Values{"kind": {"hospital"}}); r.Status != http.StatusForbidden {
		t.Fatalf("agent edited the institution: %d", r.Status)
	}
}

func TestSavedSearchAnnouncesNewOpenings(t *testing.T) {
	env := newEnv(t)
	w := newWorld(t, env)
	q := url.Values{"q": {"内科"}, "kind": {"part_time_regular"}, "prefecture": {"東京都"}}.Encode()
	if r := w.specialist.Post("/me/searches", url.Values{"name": {"東京の内科 非常勤"}, "query": {q}}); r.Status != http.StatusSeeOther {
		t.Fatalf("save search: %d", r.Status)
	}
	w.post(t, w.staff, openingForm(url.Values{"poster_org_id": {itoa(w.clinic)}, "institution_id": {itoa(w.clinic)}}))
	w.post(t, w.staff, openingForm(url.Values{"title": {"【皮膚科】大阪"}, "specialty": {"皮膚科"}, "prefecture": {"大阪府"},
		"description": {"美容皮膚科"}, "poster_org_id": {itoa(w.clinic)}, "institution_id": {itoa(w.clinic)}}))
	r := w.specialist.Get("/me/notifications")
	if !strings.Contains(r.Body, "保存した検索「東京の内科 非常勤」に新しい求人") || !strings.Contains(r.Body, "【内科】外来診療 火曜午後") {
		t.Fatalf("no announcement: %s", between(r.Body, "<h1>", "</main>"))
	}
	if strings.Contains(r.Body, "【皮膚科】大阪") {
		t.Fatal("a non-matching opening was announced")
	}
	if r := w.junior.Get("/me/notifications"); strings.Contains(r.Body, "保存した検索") {
		t.Fatal("another doctor got the announcement")
	}
	// Tracks show openings that build the next step's competencies.
	w.specialist.Post("/profile", url.Values{"practice_form": {"employed"}, "tracks": {"medical_director"},
		"event_national_exam_passed": {"2012-03-18"}, "event_junior_start": {"2012-04-01"}, "event_junior_end": {"2014-03-31"},
		"event_specialty_start": {"2014-04-01"}, "event_specialty_start_specialty": {"内科"},
		"event_specialist_obtained": {"2018-06-01"}, "event_specialist_obtained_specialty": {"内科"}})
	if r := w.specialist.Get("/career"); r.Status != 200 || !strings.Contains(r.Body, "医療ディレクター") {
		t.Fatalf("career page: %d", r.Status)
	}
}

func TestCSVImportThroughThePage(t *testing.T) {
	env := newEnv(t)
	w := newWorld(t, env)
	export := w.staff.Get("/orgs/" + itoa(w.clinic) + "/openings.csv?encoding=shift_jis")
	if export.Status != 200 || !strings.Contains(export.Header.Get("Content-Type"), "shift_jis") {
		t.Fatalf("export: %d %q", export.Status, export.Header.Get("Content-Type"))
	}
	utf := w.staff.Get("/orgs/" + itoa(w.clinic) + "/openings.csv")
	header := strings.SplitN(strings.TrimPrefix(utf.Body, "\ufeff"), "\r\n", 2)[0]
	upload := func(body string) *apptest.Response {
		var buf strings.Builder
		mw := multipartWriter(&buf)
		part, _ := mw.CreateFormFile("file", "openings.csv")
		part.Write([]byte(body))
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/orgs/"+itoa(w.clinic)+"/openings/import", strings.NewReader(buf.String()))
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Origin", env.Server.URL)
		return w.staff.Do(req)
	}
	cols := strings.Split(header, ",")
	row := func(vals map[string]string) string {
		var cells []string
		for _, c := range cols {
			cells = append(cells, vals[c])
		}
		return strings.Join(cells, ",")
	}
	good := map[string]string{"タイトル": "【内科】CSV 水曜", "勤務形態": "定期非常勤", "日程の種類": "weekly", "曜日と時間": "水 09:00-12:00",
		"報酬単位": "時給", "報酬下限(円)": "10000", "都道府県": "東京都", "医学生": "不可", "初期研修医": "不可", "専攻医": "応相談", "専門医": "可"}
	bad := map[string]string{}
	for k, v := range good {
		bad[k] = v
	}
	bad["都道府県"] = "東京"
	r := upload(header + "\r\n" + row(good) + "\r\n" + row(bad) + "\r\n")
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "3行目") {
		t.Fatalf("bad upload: %d %s", r.Status, between(r.Body, `role="alert"`, "</div>"))
	}
	r = upload(header + "\r\n" + row(good) + "\r\n")
	if r.Status != http.StatusSeeOther {
		t.Fatalf("good upload: %d %s", r.Status, between(r.Body, `role="alert"`, "</div>"))
	}
	if r := w.staff.Get("/orgs/" + itoa(w.clinic) + "/openings?status=draft"); !strings.Contains(r.Body, "【内科】CSV 水曜") {
		t.Fatal("imported draft not listed")
	}
	// Another clinic's staff cannot import into this one.
	other := env.Org(identity.OrgInstitution, "別のクリニック")
	u := env.User("x@other.jp", "他院", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: other})
	c := env.Client()
	c.Login(u.Email, env.EnableTOTP(u))
	if r := c.Get("/orgs/" + itoa(w.clinic) + "/openings.csv"); r.Status != http.StatusNotFound {
		t.Fatalf("other clinic exported: %d", r.Status)
	}
}
