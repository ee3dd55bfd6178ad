package app_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/app/apptest"
)

// TestSupplyNeedDashboard: the officer enters a need, sees the placed
// doctors against it per specialty and area as a heat map and a table,
// and exports it; nobody else sees the prefecture's dashboard.
func TestSupplyNeedDashboard(t *testing.T) {
	forEngines(t, func(t *testing.T, env *apptest.Env) {
		w := newRWebWorld(t, env)
		w.setUp(t)
		w.ledger(t, w.cc, "/placements", url.Values{"p_fiscal_year": {fyStr(w.fy)}, "p_months": {"12"},
			"p_institution": {"真庭中央病院"}, "p_area_code": {"33-05"}, "p_specialty": {"内科"}, "p_training_stage": {"specialty_resident"}},
			http.StatusSeeOther, "this year's placement")

		r := pwebExpect(t, w.officer.Post("/regional/needs", url.Values{"need_year": {fyStr(w.fy)}, "specialty": {"内科"},
			"area": {w.nor}, "count": {"三"}}), http.StatusBadRequest, "a need that is not a number")
		pwebContains(t, r, "bad need", "必要数を0以上の数字で入力してください")
		r = pwebExpect(t, w.officer.Post("/regional/needs", url.Values{"need_year": {fyStr(w.fy)}, "specialty": {"内科"},
			"area": {w.nor}, "count": {"3"}}), http.StatusSeeOther, "set a need")
		r = pwebExpect(t, w.officer.Get(r.Location), http.StatusOK, "dashboard")
		pwebContains(t, r, "dashboard", "必要数を保存しました", "<svg", "不足", "1人 / 3 / <strong>&#43;2</strong>", "完了率")

		csv := pwebExpect(t, w.officer.Get("/regional/dashboard.csv?year="+fyStr(w.fy)+"&encoding=shift_jis"), http.StatusOK, "csv")
		if !strings.Contains(csv.Header.Get("Content-Type"), "shift_jis") || len(csv.Body) == 0 {
			t.Fatalf("csv: %q %d bytes", csv.Header.Get("Content-Type"), len(csv.Body))
		}
		pwebExpect(t, w.officer.Get("/regional/dashboard?year=来年"), http.StatusBadRequest, "a bad year")
		// Another prefecture's officer has a dashboard of their own, never
		// this one; coordinators and doctors have none.
		pwebExpect(t, w.otherOfficer.Get("/regional/dashboard?org="+itoa(w.pref)), http.StatusNotFound, "another prefecture's dashboard")
		r = pwebExpect(t, w.otherOfficer.Get("/regional/dashboard"), http.StatusOK, "own dashboard")
		if strings.Contains(r.Body, "真庭") {
			t.Fatal("another prefecture's dashboard shows this prefecture's areas")
		}
		pwebExpect(t, w.otherOfficer.Post("/regional/needs", url.Values{"org": {itoa(w.pref)}, "need_year": {fyStr(w.fy)},
			"specialty": {"内科"}, "area": {w.nor}, "count": {"9"}}), http.StatusNotFound, "a need for another prefecture")
		for name, c := range map[string]*apptest.Client{"coordinator": w.cc, "doctor": w.doc} {
			if got := c.Get("/regional/dashboard").Status; got != http.StatusNotFound {
				t.Errorf("%s: dashboard status %d, want 404", name, got)
			}
			if got := c.Post("/regional/needs", url.Values{"need_year": {fyStr(w.fy)}, "specialty": {"内科"}, "area": {w.nor},
				"count": {"9"}}).Status; got != http.StatusNotFound {
				t.Errorf("%s: set need status %d, want 404", name, got)
			}
		}
	})
}
