package notify_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/textproto"
	"strings"
	"testing"

	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// smtpPeer is a minimal SMTP receiver standing in for the mail relay, which
// is outside Hakui. It hands each message to the channel.
func smtpPeer(t *testing.T) (string, <-chan string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	msgs := make(chan string, 4)
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go serveSMTP(conn, msgs)
		}
	}()
	return ln.Addr().String(), msgs
}

func serveSMTP(conn net.Conn, msgs chan<- string) {
	defer conn.Close()
	tp := textproto.NewConn(conn)
	tp.PrintfLine("220 test ESMTP")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.SplitN(line, " ", 2)[0])
		switch cmd {
		case "EHLO", "HELO":
			tp.PrintfLine("250 test")
		case "MAIL", "RCPT", "RSET", "NOOP":
			tp.PrintfLine("250 ok")
		case "DATA":
			tp.PrintfLine("354 go ahead")
			body, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			msgs <- string(body)
			tp.PrintfLine("250 queued")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 unknown")
		}
	}
}

func TestNotifyStoresAndMails(t *testing.T) {
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	ctx := context.Background()
	u := &identity.User{Email: "doc@example.jp", DisplayName: "医師", PasswordHash: "x", Locale: "ja"}
	if err := db.CreateUser(ctx, u, []identity.Grant{{Role: identity.RoleDoctor}}); err != nil {
		t.Fatal(err)
	}
	addr, msgs := smtpPeer(t)
	n := &notify.Notifier{Store: db, SMTP: notify.SMTP{Addr: addr, From: "hakui@example.jp"},
		BaseURL: func() string { return "https://hakui.example.jp" }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := n.Notify(ctx, &notify.Notification{UserID: u.ID, Kind: "saved_search", Title: "新しい求人", Body: "【内科】外来", Link: "/openings/7"}); err != nil {
		t.Fatal(err)
	}
	msg := <-msgs
	r := textproto.NewReader(bufio.NewReader(strings.NewReader(msg)))
	h, err := r.ReadMIMEHeader()
	if err != nil {
		t.Fatal(err)
	}
	subject, _ := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if h.Get("To") != "doc@example.jp" || subject != "[Hakui] 新しい求人" {
		t.Errorf("headers: To %q Subject %q", h.Get("To"), subject)
	}
	if !strings.Contains(msg, "【内科】外来") || !strings.Contains(msg, "https://hakui.example.jp/openings/7") {
		t.Errorf("body: %s", msg)
	}
	list, err := db.Notifications(ctx, u.ID, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("in-app list: %v %v", list, err)
	}

	// A dead mail server loses no notification.
	n.SMTP.Addr = "127.0.0.1:1"
	if err := n.Notify(ctx, &notify.Notification{UserID: u.ID, Kind: "x", Title: "二件目"}); err != nil {
		t.Fatalf("notify with a dead mail server: %v", err)
	}
	if list, _ := db.Notifications(ctx, u.ID, 10); len(list) != 2 {
		t.Fatalf("notifications = %d, want 2", len(list))
	}
}
