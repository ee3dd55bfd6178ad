package placement

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" means not ok
	}{
		{"090-1234-5678", "09012345678"},
		{"０９０－１２３４－５６７８", "09012345678"},
		{"090ー1234ー5678", "09012345678"},
		{"(03) 1234-5678", "0312345678"},
		{"03.1234.5678", "0312345678"},
		{"+81 90-1234-5678", "09012345678"},
		{"+81-3-1234-5678", "0312345678"},
		{"+81 (0)90 1234 5678", "09012345678"},
		{"+81 090-1234-5678", "09012345678"},
		{"＋８１９０１２３４５６７８", "09012345678"},
		{"0120-123-456", "0120123456"},
		{"09012345678", "09012345678"},
		{"", ""},
		{"   ", ""},
		{"090-1234-567", "0901234567"}, // only the length is checked: 10 or 11 digits
		{"9012345678", ""},             // no leading 0
		{"090-1234-56789", ""},         // 12 digits
		{"+1 415 555 0100", ""},        // another country
		{"tel:090-1234-5678", ""},
		{"090-1234-5678 内線12", ""},
		{"+81", ""},
	}
	for _, tt := range tests {
		got, ok := NormalizePhone(tt.in)
		if ok != (tt.want != "") || got != tt.want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", tt.in, got, ok, tt.want)
		}
	}
}

func TestNormalizeRegistrationNumber(t *testing.T) {
	for _, tt := range []struct {
		in, want string
		ok       bool
	}{
		{"123456", "123456", true},
		{"１２３４５６７", "1234567", true},
		{" 0012345 ", "0012345", true},
		{"12345678", "12345678", false},
		{"12-345", "12-345", false},
		{"", "", false},
	} {
		got, ok := NormalizeRegistrationNumber(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("NormalizeRegistrationNumber(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLeadValidate(t *testing.T) {
	tests := []struct {
		name   string
		lead   Lead
		want   Lead // the normalised lead, checked when fields is empty
		fields []string
	}{
		{"full",
			Lead{Name: " 山田　太郎 ", NameKana: "ﾔﾏﾀﾞ ﾀﾛｳ", Email: " Taro@Example.JP ", Phone: "０９０-１２３４-５６７８",
				RegistrationNumber: "０１２３４５", Source: SourceWeb, Message: "  転職を考えています。\n\nよろしくお願いします。  "},
			Lead{Name: "山田 太郎", NameKana: "ヤマダ タロウ", Email: "taro@example.jp", Phone: "09012345678",
				RegistrationNumber: "012345", Source: SourceWeb, Message: "転職を考えています。\n\nよろしくお願いします。"},
			nil},
		{"e-mail only", Lead{Name: "山田", Email: "a@b.jp", Source: SourceManual}, Lead{Name: "山田", Email: "a@b.jp", Source: SourceManual}, nil},
		{"phone only", Lead{Name: "山田", Phone: "+81 3 1234 5678", Source: SourceEvent}, Lead{Name: "山田", Phone: "0312345678", Source: SourceEvent}, nil},
		{"no name", Lead{Email: "a@b.jp", Source: SourceWeb}, Lead{}, []string{"name"}},
		{"no contact", Lead{Name: "山田", Source: SourceWeb}, Lead{}, []string{"email", "phone"}},
		{"bad e-mail", Lead{Name: "山田", Email: "taro at example", Source: SourceWeb}, Lead{}, []string{"email"}},
		{"bad phone", Lead{Name: "山田", Phone: "12345", Source: SourceWeb}, Lead{}, []string{"phone"}},
		{"bad registration", Lead{Name: "山田", Email: "a@b.jp", RegistrationNumber: "12345678", Source: SourceWeb}, Lead{}, []string{"registration_number"}},
		{"bad kana", Lead{Name: "山田", NameKana: "yamada", Email: "a@b.jp", Source: SourceWeb}, Lead{}, []string{"name_kana"}},
		{"no source", Lead{Name: "山田", Email: "a@b.jp"}, Lead{}, []string{"source"}},
		{"too long", Lead{Name: strings.Repeat("山", MaxLeadName+1), Email: "a@b.jp", Source: SourceWeb,
			SourceNote: strings.Repeat("a", MaxSourceNote+1), Message: strings.Repeat("a", MaxLeadMessage+1)},
			Lead{}, []string{"message", "name", "source_note"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := tt.lead
			fields := l.Validate()
			if got := sortedKeys(fields); !slices.Equal(got, tt.fields) {
				t.Fatalf("fields = %v, want %v", fields, tt.fields)
			}
			if len(tt.fields) == 0 && !reflect.DeepEqual(l, tt.want) {
				t.Errorf("normalised (-want +got):\n-%+v\n+%+v", tt.want, l)
			}
		})
	}
	l := Lead{Name: "山田", Phone: "090-1234", Source: SourceWeb}
	l.Validate()
	if l.Phone != "090-1234" {
		t.Errorf("a phone number in error became %q, want it as typed", l.Phone)
	}
}

func TestDuplicates(t *testing.T) {
	now := time.Now()
	candidates := []Lead{
		{ID: 1, AgencyID: 5, Email: "taro@example.jp"},
		{ID: 2, AgencyID: 5, Phone: "09012345678", RegistrationNumber: "12345"},
		{ID: 3, AgencyID: 5, Email: "taro@example.jp", Phone: "09012345678", MergedInto: 1},
		{ID: 4, AgencyID: 5, Email: "taro@example.jp", AnonymisedAt: &now},
		{ID: 5, AgencyID: 6, Email: "taro@example.jp"},
		{ID: 6, AgencyID: 5, Email: "hanako@example.jp", Phone: "0312345678"},
		{ID: 7, AgencyID: 5, Email: "TARO@example.jp", Phone: "09012345678", RegistrationNumber: "0012345"},
		{ID: 9, AgencyID: 5, Email: "taro@example.jp"},
	}
	l := Lead{ID: 9, AgencyID: 5, Email: "Taro@Example.jp", Phone: "090-1234-5678", RegistrationNumber: "０１２３４５"}
	got := Duplicates(l, candidates)
	var ids []int64
	var keys [][]MatchKey
	for _, d := range got {
		ids = append(ids, d.Lead.ID)
		keys = append(keys, d.Keys)
	}
	wantIDs := []int64{1, 2, 7}
	wantKeys := [][]MatchKey{{MatchEmail}, {MatchPhone, MatchRegistrationNumber}, {MatchEmail, MatchPhone, MatchRegistrationNumber}}
	if !slices.Equal(ids, wantIDs) || !reflect.DeepEqual(keys, wantKeys) {
		t.Errorf("Duplicates = %v %v, want %v %v", ids, keys, wantIDs, wantKeys)
	}
	if got := Duplicates(Lead{Name: "空"}, candidates); got != nil {
		t.Errorf("a lead without keys matched %+v", got)
	}
	if got := Duplicates(Lead{RegistrationNumber: "000"}, []Lead{{ID: 1, RegistrationNumber: "0"}}); got != nil {
		t.Errorf("zero registration numbers matched: %+v", got)
	}
}

func TestPurposeHash(t *testing.T) {
	// echo -n "" | sha256sum
	if got := PurposeHash(""); got != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("PurposeHash(\"\") = %s", got)
	}
	if PurposeHash("利用目的A") == PurposeHash("利用目的B") {
		t.Error("different purposes hash alike")
	}
}

// FuzzNormalizePhone checks that a normalised number is 10 or 11 ASCII
// digits starting with 0, and that normalising it again changes nothing.
func FuzzNormalizePhone(f *testing.F) {
	for _, s := range []string{"090-1234-5678", "+81 (0)3-1234-5678", "０３（１２３４）５６７８", "+1 555", "ー"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := NormalizePhone(s)
		if !ok {
			if got != "" {
				t.Fatalf("NormalizePhone(%q) = %q with ok false", s, got)
			}
			return
		}
		if len(got) < 10 || len(got) > 11 || got[0] != '0' || strings.Trim(got, "0123456789") != "" {
			t.Fatalf("NormalizePhone(%q) = %q", s, got)
		}
		if again, ok := NormalizePhone(got); !ok || again != got {
			t.Fatalf("NormalizePhone(%q) = %q, %v; not idempotent", got, again, ok)
		}
	})
}
