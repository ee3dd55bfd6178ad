package webhook

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// SignatureHeader carries the HMAC signature of a post when the webhook
// has a signing secret. None of the three services checks it; a relay or
// proxy in front of them can.
const SignatureHeader = "X-Hakui-Signature"

// Sign returns the value of SignatureHeader for body sent at t:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<unix seconds>.<body>">".
// The receiver recomputes it with the shared secret and rejects old
// timestamps, which stops replays.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts + "."))
	mac.Write(body)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

// render builds the request body of a message in the service's format.
func render(p Provider, m Message) (body []byte, contentType string, err error) {
	switch p {
	case Slack:
		return renderSlack(m)
	case Discord:
		return renderDiscord(m)
	case Chatwork:
		return []byte(renderChatwork(m)), "application/x-www-form-urlencoded", nil
	}
	return nil, "", fmt.Errorf("webhook: unknown provider %q", p)
}

// renderSlack builds an incoming-webhook message: a plain text fallback
// (for notifications) and a mrkdwn section whose title links to Hakui.
func renderSlack(m Message) ([]byte, string, error) {
	text := joinLines(m.Title, m.Body, m.Link)
	title := slackEscape(truncate(m.Title, 200))
	if absolute(m.Link) {
		title = "<" + slackLink(m.Link) + "|" + title + ">"
	}
	section := "*" + title + "*"
	if m.Body != "" {
		section += "\n" + slackEscape(truncate(m.Body, 2500))
	}
	type textObj struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	type block struct {
		Type string  `json:"type"`
		Text textObj `json:"text"`
	}
	b, err := json.Marshal(struct {
		Text   string  `json:"text"`
		Blocks []block `json:"blocks"`
	}{slackEscape(truncate(text, 3000)), []block{{Type: "section", Text: textObj{Type: "mrkdwn", Text: section}}}})
	return b, "application/json", err
}

// slackEscape escapes the three characters Slack's mrkdwn reserves.
func slackEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// slackLink keeps a URL from closing Slack's <url|text> link early.
func slackLink(s string) string {
	return strings.NewReplacer("|", "%7C", "<", "%3C", ">", "%3E").Replace(s)
}

// renderDiscord builds an execute-webhook request: the title as content
// and an embed linking to Hakui. allowed_mentions is empty, so that text
// such as "@everyone" pings nobody.
func renderDiscord(m Message) ([]byte, string, error) {
	type embed struct {
		Title       string `json:"title"`
		Description string `json:"description,omitempty"`
		URL         string `json:"url,omitempty"`
	}
	type mentions struct {
		Parse []string `json:"parse"`
	}
	b, err := json.Marshal(struct {
		Content         string   `json:"content"`
		Embeds          []embed  `json:"embeds"`
		AllowedMentions mentions `json:"allowed_mentions"`
	}{
		Content:         truncate(m.Title, 2000),
		Embeds:          []embed{{Title: truncate(m.Title, 256), Description: truncate(m.Body, 4096), URL: linkIfAbsolute(m.Link)}},
		AllowedMentions: mentions{Parse: []string{}},
	})
	return b, "application/json", err
}

// renderChatwork builds the form body of a Chatwork message: an [info]
// box with a [title]. Square brackets in the text become full-width, so
// that it cannot open tags of its own ([toall], [To:…]).
func renderChatwork(m Message) string {
	esc := strings.NewReplacer("[", "［", "]", "］")
	msg := "[info][title]" + esc.Replace(truncate(m.Title, 200)) + "[/title]" +
		esc.Replace(joinLines(truncate(m.Body, 5000), m.Link)) + "[/info]"
	return url.Values{"body": {msg}}.Encode()
}

// absolute reports whether link is a full http(s) URL, which the services
// need to make a link of it.
func absolute(link string) bool {
	return strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://")
}

func linkIfAbsolute(link string) string {
	if absolute(link) {
		return link
	}
	return ""
}

// joinLines joins the non-empty strings with newlines.
func joinLines(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "\n")
}

// truncate shortens s to at most n characters, marking the cut with "…".
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

var (
	slackPath     = regexp.MustCompile(`^/services/[A-Za-z0-9]+/[A-Za-z0-9]+/[A-Za-z0-9]+$`)
	discordPath   = regexp.MustCompile(`^/api/webhooks/[0-9]+/[A-Za-z0-9_-]+$`)
	snowflake     = regexp.MustCompile(`^[0-9]{1,20}$`)
	chatworkRoom  = regexp.MustCompile(`^[0-9]{1,20}$`)
	chatworkToken = regexp.MustCompile(`^[A-Za-z0-9]{16,128}$`)
)

// checkURL accepts only the service's own webhook endpoints: https, the
// service's host on the default port, the service's path, no user
// information, query (but Discord's thread_id) or fragment. A webhook
// cannot reach another host, the loopback or the internal network.
// testHost, when set, stands in for every service's host.
func checkURL(p Provider, raw, testHost string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "https" || u.Opaque != "" || u.User != nil || u.Fragment != "" || u.RawPath != "" {
		return nil, errBadURL
	}
	hostOK := func(hosts ...string) bool {
		if testHost != "" && u.Host == testHost {
			return true
		}
		if port := u.Port(); port != "" && port != "443" {
			return false
		}
		for _, h := range hosts {
			if u.Hostname() == h {
				return true
			}
		}
		return false
	}
	ok := false
	switch p {
	case Slack:
		ok = hostOK("hooks.slack.com") && slackPath.MatchString(u.Path) && u.RawQuery == ""
	case Discord:
		q, qerr := url.ParseQuery(u.RawQuery)
		_, thread := q["thread_id"]
		ok = hostOK("discord.com", "discordapp.com") && discordPath.MatchString(u.Path) && qerr == nil &&
			(len(q) == 0 || len(q) == 1 && thread && snowflake.MatchString(q.Get("thread_id")))
	case Chatwork:
		ok = hostOK("api.chatwork.com") && u.RawQuery == "" && strings.HasPrefix(u.Path, "/v2/rooms/") &&
			strings.HasSuffix(u.Path, "/messages") &&
			chatworkRoom.MatchString(strings.TrimSuffix(strings.TrimPrefix(u.Path, "/v2/rooms/"), "/messages"))
	}
	if !ok {
		return nil, errBadURL
	}
	return u, nil
}

// hint masks a webhook URL for display: Slack and Discord URLs are
// secrets, so only their service prefix and last four characters show.
// A Chatwork URL holds only the room number; its token is apart.
func hint(p Provider, u *url.URL) string {
	prefix := u.Scheme + "://" + u.Host
	switch p {
	case Slack:
		prefix += "/services/"
	case Discord:
		prefix += "/api/webhooks/"
	case Chatwork:
		return u.String()
	}
	return prefix + "…" + u.Path[len(u.Path)-4:]
}
