package app_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	jpenc "golang.org/x/text/encoding/japanese"
	"golang.org/x/text/transform"

	"github.com/hakui-dev/hakui/internal/api"
	"github.com/hakui-dev/hakui/internal/app/apptest"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/notify"
)

// eapiTokens creates an API token per scope through the user's signed-in
// client (signing in again would reuse a TOTP code).
func eapiTokens(t *testing.T, env *apptest.Env, u *eventsUser, scopes ...string) []papiClient {
	t.Helper()
	var out []papiClient
	for _, scope := range scopes {
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/api/v1/me/tokens",
			strings.NewReader(`{"name":"研修会テスト","scope":"`+scope+`","expires_in_days":30}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", env.Server.URL)
		r := u.c.Do(req)
		var tok struct {
			Secret string `json:"secret"`
		}
		if err := json.Unmarshal([]byte(r.Body), &tok); err != nil || r.Status != http.StatusCreated {
			t.Fatalf("create token for %s: %d %s", u.Name(), r.Status, r.Body)
		}
		out = append(out, papiClient{t: t, env: env, token: tok.Secret})
	}
	return out
}

// eapiToken is eapiTokens for one write token.
func eapiToken(t *testing.T, env *apptest.Env, u *eventsUser) papiClient {
	t.Helper()
	return eapiTokens(t, env, u, "write")[0]
}

// eapiPrefectures are the 47 prefectures in JIS order.
var eapiPrefectures = []string{"北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県", "茨城県", "栃木県", "群馬県",
	"埼玉県", "千葉県", "東京都", "神奈川県", "新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県", "静岡県", "愛知県",
	"三重県", "滋賀県", "京都府", "大阪府", "兵庫県", "奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県", "徳島県",
	"香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県", "熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県"}

// eapiEvent is the part of an event's JSON the tests read.
type eapiEvent struct {
	ID            int64  `json:"id"`
	OrgID         int64  `json:"org_id"`
	Title         string `json:"title"`
	Mode          string `json:"mode"`
	VenueCapacity int    `json:"venue_capacity"`
	OnlineURL     string `json:"online_url"`
	Status        string `json:"status"`
	Talks         []struct {
		Title   string `json:"title"`
		Speaker string `json:"speaker"`
	} `json:"talks"`
	Version     int         `json:"version"`
	CanManage   bool        `json:"can_manage"`
	CanRegister bool        `json:"can_register"`
	Mine        *eapiReg    `json:"mine"`
	PlacesLeft  int         `json:"places_left"`
	Counts      *eapiCounts `json:"counts"`
}

type eapiReg struct {
	ID          int64      `json:"id"`
	EventID     int64      `json:"event_id"`
	UserID      *int64     `json:"user_id"`
	Name        string     `json:"name"`
	Email       string     `json:"email"`
	Prefecture  string     `json:"prefecture"`
	Role        string     `json:"role"`
	Attendance  string     `json:"attendance"`
	Status      string     `json:"status"`
	PromotedAt  *time.Time `json:"promoted_at"`
	CheckedInAt *time.Time `json:"checked_in_at"`
}

type eapiCount struct {
	Label string `json:"label"`
	N     int    `json:"n"`
}

type eapiCounts struct {
	Registered   int         `json:"registered"`
	Venue        int         `json:"venue"`
	Online       int         `json:"online"`
	Waitlisted   int         `json:"waitlisted"`
	Cancelled    int         `json:"cancelled"`
	CheckedIn    int         `json:"checked_in"`
	ByPrefecture []eapiCount `json:"by_prefecture"`
	ByRole       []eapiCount `json:"by_role"`
}

// eapiGuest is a registration made through the API and its manage token.
type eapiGuest struct {
	Reg   eapiReg
	Token string
}

type eapiMember struct {
	RegistrationID int64  `json:"registration_id"`
	Prefecture     string `json:"prefecture"`
	Role           string `json:"role"`
}

type eapiGroupWork struct {
	Groups []struct {
		ID         int64        `json:"id"`
		Number     int          `json:"number"`
		Theme      string       `json:"theme"`
		Presenters string       `json:"presenters"`
		Points     string       `json:"points"`
		Members    []eapiMember `json:"members"`
	} `json:"groups"`
	Seed    int64 `json:"seed"`
	Version int   `json:"version"`
}

type eapiSurvey struct {
	ID         int64  `json:"id"`
	Kind       string `json:"kind"`
	Status     string `json:"status"`
	PublicSlug string `json:"public_slug"`
	Items      []struct {
		ID      int64    `json:"id"`
		Kind    string   `json:"kind"`
		Label   string   `json:"label"`
		Choices []string `json:"choices"`
	} `json:"items"`
	Version int `json:"version"`
}

type eapiItemResult struct {
	Item struct {
		ID int64 `json:"id"`
	} `json:"item"`
	Responses int `json:"responses"`
	Buckets   []struct {
		Label string `json:"label"`
		N     int    `json:"n"`
	} `json:"buckets"`
	Mean        float64 `json:"mean"`
	TopTwo      int     `json:"top_two"`
	TopTwoShare float64 `json:"top_two_share"`
	TopTwoLabel string  `json:"top_two_label"`
	Comments    []struct {
		ResponseID int64    `json:"response_id"`
		Text       string   `json:"text"`
		Tags       []string `json:"tags"`
	} `json:"comments"`
}

type eapiResults struct {
	Responses int              `json:"responses"`
	Invited   int              `json:"invited"`
	Items     []eapiItemResult `json:"items"`
}

// eapiMails returns the e-mails queued to the address, oldest first.
func eapiMails(t *testing.T, env *apptest.Env, address string) []notify.Mail {
	t.Helper()
	ctx := context.Background()
	list, err := env.Main.DB.Deliveries(ctx, notify.DeliveryFilter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	var out []notify.Mail
	for i := len(list) - 1; i >= 0; i-- {
		d := list[i]
		if d.Channel != notify.ChannelEmail || d.Target != address || d.JobID == 0 {
			continue
		}
		j, err := env.Main.DB.QueuedJob(ctx, d.JobID)
		if err != nil {
			t.Fatal(err)
		}
		var m notify.Mail
		if err := j.Decode(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

// eapiLinkToken returns the token that follows the path in the latest
// e-mail to the address that holds it.
func eapiLinkToken(t *testing.T, env *apptest.Env, address, path string) string {
	t.Helper()
	ms := eapiMails(t, env, address)
	for i := len(ms) - 1; i >= 0; i-- {
		if _, rest, ok := strings.Cut(ms[i].Text, path); ok {
			return strings.FieldsFunc(rest, func(r rune) bool { return r <= ' ' || r == '"' || r == '>' || r == ')' })[0]
		}
	}
	t.Fatalf("no e-mail to %s holds %s (%d e-mails)", address, path, len(ms))
	return ""
}

// eapiCSV fetches a CSV export and parses it, decoding Shift_JIS and
// dropping a UTF-8 byte-order mark.
func eapiCSV(t *testing.T, c papiClient, path string) [][]string {
	t.Helper()
	r := c.env.Client().Do(papiRequest(c.env, c.token, "GET", path, nil))
	if r.Status != http.StatusOK || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s: %d %s: %.300s", path, r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	var rd io.Reader = strings.NewReader(r.Body)
	if strings.Contains(r.Header.Get("Content-Type"), "shift_jis") {
		rd = transform.NewReader(rd, jpenc.ShiftJIS.NewDecoder())
	} else if !strings.HasPrefix(r.Body, "\ufeff") {
		t.Errorf("GET %s: UTF-8 CSV without a byte-order mark", path)
	}
	raw, err := io.ReadAll(rd)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return rows
}

// eapiAudit returns the audit entries of the action.
func eapiAudit(t *testing.T, env *apptest.Env, action string) []audit.Entry {
	t.Helper()
	list, err := env.Main.DB.ListAudit(context.Background(), audit.Filter{ActionPrefix: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// eapiJSON marshals v for a request body.
func eapiJSON(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(raw)
}

// eapiPath formats a path.
func eapiPath(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// eapiSend sends a request once and returns its status and, for a
// problem+json answer, the problem (so that rate-limited endpoints are
// not hit twice).
func eapiSend(c papiClient, method, path string, body any) (int, *api.Problem, string) {
	c.t.Helper()
	r := c.env.Client().Do(papiRequest(c.env, c.token, method, path, body))
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/problem+json") {
		return r.Status, nil, r.Body
	}
	var p api.Problem
	if err := json.Unmarshal([]byte(r.Body), &p); err != nil || p.Status != r.Status || p.Detail == "" || p.RequestID == "" {
		c.t.Fatalf("%s %s: incomplete problem (%v): %s", method, path, err, r.Body)
	}
	return r.Status, &p, r.Body
}

// eapiQueueMail makes the services queue e-mail (to an SMTP server that
// is never reached), so that tests read the links sent only by e-mail,
// such as survey invitations. Call it before the first request.
func eapiQueueMail(env *apptest.Env) {
	env.Main.Surveys.Notifier.SMTP.Addr = "127.0.0.1:1"
	env.Main.Surveys.Notifier.SMTP.From = "hakui@example.jp"
}

// eapiOpenedSurvey reads the survey again after opening it, and reports
// items whose IDs changed from those the builder answered (respondents'
// answers name items by ID).
func eapiOpenedSurvey(t *testing.T, org papiClient, created eapiSurvey) eapiSurvey {
	t.Helper()
	var sv eapiSurvey
	org.must(http.StatusOK, "GET", fmt.Sprintf("/surveys/%d", created.ID), nil, &sv)
	if sv.Status != "open" || len(sv.Items) != len(created.Items) {
		t.Fatalf("opened survey: %+v", sv)
	}
	for i := range sv.Items {
		if sv.Items[i].ID != created.Items[i].ID {
			t.Errorf("opening the survey changed item %d's ID from %d to %d", i+1, created.Items[i].ID, sv.Items[i].ID)
		}
	}
	return sv
}
