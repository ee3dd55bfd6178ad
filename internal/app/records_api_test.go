package app_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/obligation"
)

// apiRecord is the part of a 面談記録 the tests read.
type apiRecord struct {
	ID      int64   `json:"id"`
	OrgID   int64   `json:"org_id"`
	Version int     `json:"version"`
	Notes   *string `json:"notes"`
}

// TestRecordsAPISharing is the sharing story: a university CC office
// writes a record; with no agreement the prefecture reads nothing; an
// agreement shares it; revoking ends the sharing. The doctor sees every
// read, and a health topic waits for their consent.
func TestRecordsAPISharing(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		pref := env.Org(identity.OrgPrefecture, "岡山県")
		otherPref := env.Org(identity.OrgPrefecture, "広島県")
		univ := env.Org(identity.OrgUniversity, "岡山大学 キャリア支援センター")
		staff := func(email string, g identity.Grant, scopes ...string) []papiClient {
			u := env.User(email, email, g)
			return papiTokens(t, env, email, env.EnableTOTP(u), scopes...)
		}
		ccs := staff("cc@okayama-u.example.jp", identity.Grant{Role: identity.RoleCoordinator, OrgID: univ}, "write", "read")
		cc, ccRead := ccs[0], ccs[1]
		univAdmin := staff("admin@okayama-u.example.jp", identity.Grant{Role: identity.RoleCoordinator, OrgID: univ, OrgAdmin: true}, "write")[0]
		officer := staff("officer@pref.okayama.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: pref}, "write")[0]
		otherOfficer := staff("officer@pref.hiroshima.example.jp", identity.Grant{Role: identity.RolePrefectureOfficer, OrgID: otherPref}, "write")[0]
		doc := env.User("chiiki@example.jp", "地域 花子", identity.Grant{Role: identity.RoleDoctor})
		env.User("other@example.jp", "別 医師", identity.Grant{Role: identity.RoleDoctor})
		doctor := papiTokens(t, env, "chiiki@example.jp", "", "write")[0]
		otherDoc := papiTokens(t, env, "other@example.jp", "", "write")[0]

		// The doctor is enrolled in the prefecture's program, coordinated by the university.
		fy := obligation.FiscalYear(env.Clock.Now())
		var prog papiID
		officer.must(http.StatusCreated, "POST", "/programs", fmt.Sprintf(`{"prefecture_org_id":%d,"name":"岡山県地域枠",
		  "total_years":9,"min_shortage_years":4,"specialties":[],"deadline_years":12}`, pref), &prog)
		cc.must(http.StatusCreated, "POST", "/enrollments", fmt.Sprintf(`{"program_id":%d,"doctor_email":"chiiki@example.jp","coordinator_org_id":%d,"start_year":%d}`,
			prog.ID, univ, fy-1), nil)

		today := env.Clock.Now().In(time.FixedZone("JST", 9*60*60)).Format(time.DateOnly)
		body := func(topics, notes, extra string) string {
			return fmt.Sprintf(`{"org_id":%d,"doctor_id":%d,"held_on":"%s","mode":"in_person","attendees":["地域 花子","CC 山田"],
			  "topics":%s,"notes":"%s","agreed_actions":"次回までに専門研修プログラムを調べる"%s}`, univ, doc.ID, today, topics, notes, extra)
		}
		// A health topic waits for the doctor's consent.
		p := cc.problem(http.StatusBadRequest, "POST", "/records", body(`["career","health"]`, "体調について相談", `,"health_notes":"睡眠不足"`))
		if !strings.Contains(p.Errors["topics"], "同意") {
			t.Fatalf("health topic without consent: %+v", p)
		}
		cc.problem(http.StatusBadRequest, "POST", "/records", body(`["career"]`, "x", `,"next_meeting":"来月"`))
		cc.problem(http.StatusBadRequest, "POST", "/records", body(`["career"]`, "x", `,"secret":true`))
		ccRead.problem(http.StatusForbidden, "POST", "/records", body(`["career"]`, "x", ""))
		var rec apiRecord
		cc.must(http.StatusCreated, "POST", "/records", body(`["career","obligation"]`, "専門研修の希望は内科。", ""), &rec)
		path := fmt.Sprintf("/records/%d", rec.ID)

		// No agreement: the prefecture reads nothing.
		var list struct {
			Records []apiRecord `json:"records"`
		}
		officer.must(http.StatusOK, "GET", fmt.Sprintf("/records?doctor=%d", doc.ID), nil, &list)
		if len(list.Records) != 0 {
			t.Fatalf("the prefecture lists an unshared record: %+v", list)
		}
		officer.problem(http.StatusNotFound, "GET", path, nil)
		// The CC office reads its own record, metadata in the list, the notes when opened.
		cc.must(http.StatusOK, "GET", fmt.Sprintf("/records?doctor=%d&org=%d", doc.ID, univ), nil, &list)
		if len(list.Records) != 1 || list.Records[0].Notes != nil {
			t.Fatalf("CC's list: %+v", list)
		}
		cc.must(http.StatusOK, "GET", path, nil, &rec)
		if rec.Notes == nil || *rec.Notes != "専門研修の希望は内科。" {
			t.Fatalf("opened record: %+v", rec)
		}

		// An agreement, made by the university's administrator, shares career records with the prefecture.
		agreement := fmt.Sprintf(`{"partner_org_id":%d,"roles":["prefecture_officer"],"topics":["career","obligation"],"purpose":"地域枠医師の配置調整のため"}`, pref)
		cc.problem(http.StatusForbidden, "POST", fmt.Sprintf("/organisations/%d/agreements", univ), agreement)
		univAdmin.problem(http.StatusBadRequest, "POST", fmt.Sprintf("/organisations/%d/agreements", univ),
			fmt.Sprintf(`{"partner_org_id":%d,"roles":["doctor"],"topics":[],"purpose":""}`, pref))
		var ag struct {
			ID     int64 `json:"id"`
			Active bool  `json:"active"`
		}
		univAdmin.must(http.StatusCreated, "POST", fmt.Sprintf("/organisations/%d/agreements", univ), agreement, &ag)
		univAdmin.problem(http.StatusConflict, "POST", fmt.Sprintf("/organisations/%d/agreements", univ), agreement)
		var ags struct {
			Agreements []struct {
				ID     int64 `json:"id"`
				Active bool  `json:"active"`
			} `json:"agreements"`
		}
		univAdmin.must(http.StatusOK, "GET", fmt.Sprintf("/organisations/%d/agreements", univ), nil, &ags)
		if len(ags.Agreements) != 1 || !ags.Agreements[0].Active {
			t.Fatalf("agreements: %+v", ags)
		}
		officer.must(http.StatusOK, "GET", fmt.Sprintf("/records?doctor=%d", doc.ID), nil, &list)
		if len(list.Records) != 1 {
			t.Fatalf("the prefecture's list under the agreement: %+v", list)
		}
		officer.must(http.StatusOK, "GET", path, nil, &rec)
		if rec.Notes == nil || *rec.Notes == "" {
			t.Fatalf("shared record: %+v", rec)
		}
		// Sharing lets the partner read, not write; others still see nothing.
		officer.problem(http.StatusNotFound, "PUT", path, body(`["career"]`, "書き換え", fmt.Sprintf(`,"version":%d`, rec.Version)))
		for name, c := range map[string]papiClient{"other prefecture": otherOfficer, "the doctor": doctor, "another doctor": otherDoc} {
			if status, got := c.call("GET", path, nil); status != http.StatusNotFound {
				t.Errorf("%s opens the record: %d %s", name, status, got)
			}
		}

		// The doctor consents to health topics: the CC office records one; the agreement does not cover it.
		var consents struct {
			Consents []struct {
				OrgID       int64      `json:"org_id"`
				WithdrawnAt *time.Time `json:"withdrawn_at"`
			} `json:"consents"`
		}
		cc.problem(http.StatusForbidden, "POST", "/me/record-consents", fmt.Sprintf(`{"org_id":%d}`, univ))
		doctor.problem(http.StatusBadRequest, "POST", "/me/record-consents", `{}`)
		doctor.must(http.StatusOK, "POST", "/me/record-consents", fmt.Sprintf(`{"org_id":%d}`, univ), &consents)
		if len(consents.Consents) != 1 || consents.Consents[0].OrgID != univ || consents.Consents[0].WithdrawnAt != nil {
			t.Fatalf("consents: %+v", consents)
		}
		var health apiRecord
		cc.must(http.StatusCreated, "POST", "/records", body(`["career","health"]`, "体調について相談", `,"health_notes":"睡眠不足"`), &health)
		officer.problem(http.StatusNotFound, "GET", fmt.Sprintf("/records/%d", health.ID), nil)
		doctor.must(http.StatusNoContent, "DELETE", fmt.Sprintf("/me/record-consents/%d", univ), nil, nil)
		doctor.must(http.StatusOK, "GET", "/me/record-consents", nil, &consents)
		if len(consents.Consents) != 1 || consents.Consents[0].WithdrawnAt == nil {
			t.Fatalf("withdrawn consent: %+v", consents)
		}

		// Versioned edits: a stale version is 409, none at all 400.
		var edited apiRecord
		cc.must(http.StatusOK, "PUT", path, body(`["career","obligation"]`, "専門研修の希望は内科。地域医療にも関心。", fmt.Sprintf(`,"version":%d`, rec.Version)), &edited)
		if edited.Version != rec.Version+1 {
			t.Fatalf("edited: %+v", edited)
		}
		cc.problem(http.StatusConflict, "PUT", path, body(`["career"]`, "古い版からの保存", fmt.Sprintf(`,"version":%d`, rec.Version)))
		cc.problem(http.StatusBadRequest, "PUT", path, body(`["career"]`, "版なし", ""))

		// Revoking ends the sharing.
		cc.problem(http.StatusNotFound, "POST", fmt.Sprintf("/agreements/%d/revoke", ag.ID), nil)
		univAdmin.must(http.StatusNoContent, "POST", fmt.Sprintf("/agreements/%d/revoke", ag.ID), nil, nil)
		officer.problem(http.StatusNotFound, "GET", path, nil)
		officer.must(http.StatusOK, "GET", fmt.Sprintf("/records?doctor=%d", doc.ID), nil, &list)
		if len(list.Records) != 0 {
			t.Fatalf("the prefecture lists records after the revocation: %+v", list)
		}

		// The doctor sees each read: the CC office's and the prefecture's, no one else's.
		var reads struct {
			Reads []struct {
				ReaderID int64  `json:"reader_id"`
				Reader   string `json:"reader"`
				RecordID int64  `json:"record_id"`
				Detail   string `json:"detail"`
			} `json:"reads"`
		}
		doctor.must(http.StatusOK, "GET", "/me/record-reads", nil, &reads)
		var readers []string
		for _, r := range reads.Reads {
			if r.RecordID != rec.ID {
				t.Errorf("read of record %d, want only %d: %+v", r.RecordID, rec.ID, r)
			}
			readers = append(readers, r.Reader)
		}
		slices.Sort(readers)
		if want := []string{"cc@okayama-u.example.jp", "officer@pref.okayama.example.jp"}; !slices.Equal(readers, want) {
			t.Fatalf("reads = %v, want %v: %+v", readers, want, reads)
		}
		if !strings.Contains(reads.Reads[0].Detail+reads.Reads[1].Detail, "岡山県") {
			t.Fatalf("the prefecture's read does not say which organisation: %+v", reads)
		}
		otherDoc.must(http.StatusOK, "GET", "/me/record-reads", nil, &reads)
		if len(reads.Reads) != 0 {
			t.Fatalf("another doctor sees reads: %+v", reads)
		}
	})
}
