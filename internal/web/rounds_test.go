package web

import (
	"maps"
	"net/url"
	"testing"
)

// TestParseRoundForm checks that blank rows are skipped and the rows are
// renumbered, so that what does not parse, and the service's messages,
// land on the rows as the form shows them again.
func TestParseRoundForm(t *testing.T) {
	tests := []struct {
		name       string
		form       url.Values
		wantInsts  int
		wantCaps   int
		wantFields map[string]string
		wantForm   map[string]string
	}{
		{
			name: "blank rows skipped",
			form: url.Values{"fiscal_year": {"2027"}, "inst_rows": {"4"}, "inst_org_1": {"7"}, "inst_area_1": {"3"},
				"inst_capacity_1": {"2"}, "inst_org_3": {"8"}, "inst_area_3": {"4"}, "inst_capacity_3": {"1"},
				"inst_target_3": {"0"}, "cap_rows": {"3"}, "cap_area_2": {"3"}, "cap_2": {"1"}},
			wantInsts: 2, wantCaps: 1, wantFields: map[string]string{},
			wantForm: map[string]string{"inst_org_0": "7", "inst_org_1": "8", "inst_target_1": "0", "cap_area_0": "3",
				"inst_rows": "5", "cap_rows": "4"},
		},
		{
			name: "errors on the renumbered rows",
			form: url.Values{"fiscal_year": {"来年"}, "lists_due": {"12月1日"}, "inst_rows": {"3"}, "inst_capacity_2": {"二"},
				"cap_rows": {"2"}, "cap_area_1": {"x"}, "cap_1": {"1"}},
			wantInsts: 1, wantCaps: 1,
			wantFields: map[string]string{"fiscal_year": "年度を数字で入力してください（例: 2027）。",
				"lists_due": "日時を YYYY-MM-DDTHH:MM の形式で入力してください。", "inst_capacity_0": "定員を数字で入力してください。",
				"inst_org_0": "医療機関を選んでください。", "cap_area_0": "医療圏を選んでください。"},
			wantForm: map[string]string{"inst_capacity_0": "二", "cap_area_0": "x"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, form, fields := parseRoundForm(tt.form)
			if len(r.Institutions) != tt.wantInsts || len(r.Caps) != tt.wantCaps {
				t.Errorf("rows = %d institutions, %d caps; want %d, %d", len(r.Institutions), len(r.Caps), tt.wantInsts, tt.wantCaps)
			}
			if !maps.Equal(fields, tt.wantFields) {
				t.Errorf("fields = %v, want %v", fields, tt.wantFields)
			}
			for k, want := range tt.wantForm {
				if got := form.Get(k); got != want {
					t.Errorf("form %s = %q, want %q", k, got, want)
				}
			}
			names := roundFieldNames(r)
			if len(r.Institutions) > 0 && names["institutions.1.capacity"] != "inst_capacity_0" {
				t.Errorf("institutions.1.capacity names %q", names["institutions.1.capacity"])
			}
		})
	}
}
