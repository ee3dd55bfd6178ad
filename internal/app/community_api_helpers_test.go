package app_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/app/apptest"
)

// capiTokens creates an API token per scope through the user's signed-in
// client (signing in again would reuse a TOTP code).
func capiTokens(t *testing.T, env *apptest.Env, u *communityUser, scopes ...string) []papiClient {
	t.Helper()
	var out []papiClient
	for _, scope := range scopes {
		req, _ := http.NewRequest(http.MethodPost, env.Server.URL+"/api/v1/me/tokens",
			strings.NewReader(`{"name":"掲示板テスト","scope":"`+scope+`","expires_in_days":30}`))
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

// capiToken is capiTokens for one write token.
func capiToken(t *testing.T, env *apptest.Env, u *communityUser) papiClient {
	t.Helper()
	return capiTokens(t, env, u, "write")[0]
}

// capiPost is the part of a post's JSON the tests read.
type capiPost struct {
	ID               int64           `json:"id"`
	Kind             string          `json:"kind"`
	QuestionID       *int64          `json:"question_id"`
	Author           *capiCard       `json:"author"`
	AuthorName       string          `json:"author_name"`
	Anonymous        bool            `json:"anonymous"`
	Mine             bool            `json:"mine"`
	Title            string          `json:"title"`
	Body             string          `json:"body"`
	BodyHTML         string          `json:"body_html"`
	Tags             []string        `json:"tags"`
	Status           string          `json:"status"`
	StatusReason     string          `json:"status_reason"`
	Score            int             `json:"score"`
	AnswerCount      int             `json:"answer_count"`
	AcceptedAnswerID *int64          `json:"accepted_answer_id"`
	Accepted         bool            `json:"accepted"`
	Voted            bool            `json:"voted"`
	CreatedAt        time.Time       `json:"created_at"`
	Version          int             `json:"version"`
	Permissions      map[string]bool `json:"permissions"`
	Comments         []capiPost      `json:"comments"`
}

type capiCard struct {
	UserID int64  `json:"user_id"`
	Name   string `json:"name"`
}

type capiThread struct {
	Question capiPost   `json:"question"`
	Answers  []capiPost `json:"answers"`
}

type capiMember struct {
	UserID  int64  `json:"user_id"`
	Status  string `json:"status"`
	Entry   string `json:"entry"`
	Version int    `json:"version"`
}

type capiAction struct {
	Kind     string     `json:"kind"`
	Reason   string     `json:"reason"`
	MemberID *int64     `json:"member_id"`
	PostID   *int64     `json:"post_id"`
	Until    *time.Time `json:"until"`
}

// japanese matches text written in Japanese.
var japanese = regexp.MustCompile(`[\p{Han}\p{Hiragana}\p{Katakana}]`)

// capiLeaks returns what in the JSON body would identify the user: an
// identifying field holding their ID, or their name anywhere.
func capiLeaks(body string, userID int64, name string) []string {
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		return []string{"not JSON: " + err.Error()}
	}
	var leaks []string
	if strings.Contains(body, name) {
		leaks = append(leaks, "the name "+name)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				switch k {
				case "author_id", "user_id", "member_id", "editor_id", "reporter_id":
					if n, ok := e.(float64); ok && int64(n) == userID {
						leaks = append(leaks, path+"."+k)
					}
				}
				walk(path+"."+k, e)
			}
		case []any:
			for _, e := range x {
				walk(path+"[]", e)
			}
		}
	}
	walk("", v)
	return leaks
}
