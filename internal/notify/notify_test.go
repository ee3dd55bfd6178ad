package notify_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http/httptest"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jobs"
	"github.com/hakui-dev/hakui/internal/jobs/jobstest"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

const (
	smtpUser     = "hakui"
	smtpPassword = "s3cret-パス"
)

// received is a message as the SMTP server took it.
type received struct {
	From, To string
	AuthUser string
	TLS      bool
	Data     []byte
}

// mailServer is a real SMTP server (go-smtp) on 127.0.0.1: it offers
// STARTTLS with a test certificate, accepts AUTH PLAIN only over TLS, and
// refuses recipients at refuse.example.jp for good.
type mailServer struct {
	Addr  string
	Roots *x509.CertPool
	mu    sync.Mutex
	got   []received
}

func startMailServer(t *testing.T) *mailServer {
	t.Helper()
	// Borrow httptest's certificate, valid for 127.0.0.1.
	certSrv := httptest.NewUnstartedServer(nil)
	certSrv.StartTLS()
	cert, roots := certSrv.TLS.Certificates[0], x509.NewCertPool()
	roots.AddCert(certSrv.Certificate())
	certSrv.Close()

	ms := &mailServer{Roots: roots}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &smtpSession{srv: ms, conn: c}, nil
	}))
	srv.Domain = "mail.test"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.AllowInsecureAuth = false
	srv.ReadTimeout, srv.WriteTimeout = 30*time.Second, 30*time.Second
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	ms.Addr = ln.Addr().String()
	return ms
}

func (ms *mailServer) messages() []received {
	ms.mu.Lock()
	defer ms.mu.Unlock()
	return append([]received(nil), ms.got...)
}

type smtpSession struct {
	srv  *mailServer
	conn *smtp.Conn
	user string
	msg  received
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if username != smtpUser || password != smtpPassword {
			return errors.New("invalid credentials")
		}
		s.user = username
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.msg.From = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasSuffix(to, "@refuse.example.jp") {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.msg.To = to
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, s.msg.TLS = s.conn.TLSConnectionState()
	s.msg.AuthUser, s.msg.Data = s.user, b
	s.srv.mu.Lock()
	s.srv.got = append(s.srv.got, s.msg)
	s.srv.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        { s.msg = received{} }
func (s *smtpSession) Logout() error { return nil }

// fixture is a notifier over a fresh database, with its worker.
type fixture struct {
	db       *sqlstore.DB
	clock    *jobstest.Clock
	notifier *notify.Notifier
	worker   *jobs.Worker
}

func newFixture(t *testing.T, dsn string, ms *mailServer) *fixture {
	t.Helper()
	db := sqlstoretest.OpenDSN(t, dsn)
	clock := jobstest.NewClock(time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC))
	db.Now = clock.Now
	q := jobs.NewQueue(db, clock.Now)
	n := &notify.Notifier{Store: db, Jobs: q, Log: quiet, BaseURL: func() string { return "https://hakui.example.jp" },
		SMTP: notify.SMTP{Addr: ms.Addr, From: "Hakui <hakui@example.jp>", Username: smtpUser, Password: smtpPassword,
			TLS: &tls.Config{RootCAs: ms.Roots}}}
	w := &jobs.Worker{Queue: q, Log: quiet}
	n.Register(w)
	return &fixture{db: db, clock: clock, notifier: n, worker: w}
}

func (f *fixture) user(t *testing.T, email string) *identity.User {
	t.Helper()
	u := &identity.User{Email: email, DisplayName: "医師", PasswordHash: "x", Locale: "ja"}
	if err := f.db.CreateUser(context.Background(), u, []identity.Grant{{Role: identity.RoleDoctor}}); err != nil {
		t.Fatal(err)
	}
	return u
}

func (f *fixture) runDue(t *testing.T, want int) {
	t.Helper()
	if n, err := f.worker.RunDue(context.Background()); err != nil || n != want {
		t.Fatalf("RunDue = %d, %v; want %d", n, err, want)
	}
}

func (f *fixture) delivery(t *testing.T, notificationID int64) notify.Delivery {
	t.Helper()
	list, err := f.db.Deliveries(context.Background(), notify.DeliveryFilter{NotificationID: notificationID})
	if err != nil || len(list) != 1 {
		t.Fatalf("deliveries of notification %d = %+v, %v", notificationID, list, err)
	}
	return list[0]
}

const invitation = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Hakui//JA\r\nMETHOD:REQUEST\r\nBEGIN:VEVENT\r\n" +
	"UID:interview-7@hakui.example.jp\r\nDTSTART:20260410T010000Z\r\nSUMMARY:面接（みなと内科クリニック）\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"

func TestEmailThroughRealSMTPServer(t *testing.T) {
	ms := startMailServer(t)
	sqlstoretest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn, ms)
		ctx := context.Background()
		u := f.user(t, "doc@example.jp")
		before := len(ms.messages())
		note := &notify.Notification{UserID: u.ID, Kind: "interview", Title: "面接日程のご案内", Body: "【内科】外来の面接が決まりました。",
			Link: "/openings/7", Attachments: []notify.Attachment{{Filename: "面接.ics",
				ContentType: "text/calendar; method=REQUEST; charset=UTF-8", Data: []byte(invitation)}}}
		if err := f.notifier.Notify(ctx, note); err != nil {
			t.Fatal(err)
		}
		if d := f.delivery(t, note.ID); d.Status != notify.DeliveryPending || d.Channel != notify.ChannelEmail || d.Target != u.Email || d.JobID == 0 {
			t.Fatalf("queued delivery = %+v", d)
		}
		f.runDue(t, 1)

		got := ms.messages()[before:]
		if len(got) != 1 {
			t.Fatalf("server received %d messages, want 1", len(got))
		}
		r := got[0]
		if r.From != "hakui@example.jp" || r.To != u.Email || r.AuthUser != smtpUser || !r.TLS {
			t.Errorf("envelope from %q to %q, auth %q, TLS %v", r.From, r.To, r.AuthUser, r.TLS)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(r.Data))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil || subject != "[Hakui] 面接日程のご案内" {
			t.Errorf("Subject = %q, %v", subject, err)
		}
		if to := msg.Header.Get("To"); to != "<doc@example.jp>" {
			t.Errorf("To = %q", to)
		}
		if date, err := msg.Header.Date(); err != nil || !date.Equal(f.clock.Now()) {
			t.Errorf("Date = %v, %v", date, err)
		}
		mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
		if err != nil || mediaType != "multipart/mixed" {
			t.Fatalf("Content-Type = %q, %v", msg.Header.Get("Content-Type"), err)
		}
		mr := multipart.NewReader(msg.Body, params["boundary"])
		var parts []*multipart.Part
		var bodies []string
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if enc := p.Header.Get("Content-Transfer-Encoding"); enc != "base64" {
				t.Errorf("part encoding %q", enc)
			}
			b, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
			if err != nil {
				t.Fatal(err)
			}
			parts, bodies = append(parts, p), append(bodies, string(b))
		}
		if len(parts) != 2 {
			t.Fatalf("%d parts, want 2", len(parts))
		}
		if ct := parts[0].Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" ||
			!strings.Contains(bodies[0], "【内科】外来の面接が決まりました。") || !strings.Contains(bodies[0], "https://hakui.example.jp/openings/7") {
			t.Errorf("text part %q: %q", ct, bodies[0])
		}
		ct, ctParams, err := mime.ParseMediaType(parts[1].Header.Get("Content-Type"))
		if err != nil || ct != "text/calendar" || ctParams["method"] != "REQUEST" {
			t.Errorf("attachment Content-Type = %q, %v", parts[1].Header.Get("Content-Type"), err)
		}
		if parts[1].FileName() != "面接.ics" || bodies[1] != invitation {
			t.Errorf("attachment %q: %q", parts[1].FileName(), bodies[1])
		}

		d := f.delivery(t, note.ID)
		if d.Status != notify.DeliverySent || d.Attempts != 1 || d.SentAt == nil || d.LastError != "" {
			t.Errorf("delivery after sending = %+v", d)
		}
		// A sent delivery is not sent again, whatever happens to its job.
		f.runDue(t, 0)
		if n := len(ms.messages()) - before; n != 1 {
			t.Errorf("server received %d messages, want 1", n)
		}
	})
}

func TestPlainEmailWithoutAttachment(t *testing.T) {
	ms := startMailServer(t)
	f := newFixture(t, sqlstoretest.DSN(t, sqlstore.SQLite), ms)
	u := f.user(t, "doc@example.jp")
	note := &notify.Notification{UserID: u.ID, Kind: "saved_search", Title: "新しい求人\r\nBcc: evil@example.com", Body: "外来"}
	if err := f.notifier.Notify(context.Background(), note); err != nil {
		t.Fatal(err)
	}
	f.runDue(t, 1)
	got := ms.messages()
	if len(got) != 1 {
		t.Fatalf("received %d messages", len(got))
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" {
		t.Error("a line break in the title added a header")
	}
	if ct := msg.Header.Get("Content-Type"); ct != "text/plain; charset=UTF-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	body, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, msg.Body))
	if !strings.HasPrefix(string(body), "外来") {
		t.Errorf("body = %q", body)
	}
}

func TestMailFailures(t *testing.T) {
	ms := startMailServer(t)
	sqlstoretest.Each(t, func(t *testing.T, dsn string) {
		f := newFixture(t, dsn, ms)
		ctx := context.Background()

		// A dead mail server: the notification stands, the delivery
		// fails and is retried with backoff until it is dead.
		u := f.user(t, "doc@example.jp")
		f.notifier.SMTP.Addr = deadAddr(t)
		note := &notify.Notification{UserID: u.ID, Kind: "x", Title: "二件目"}
		if err := f.notifier.Notify(ctx, note); err != nil {
			t.Fatalf("Notify with a dead mail server: %v", err)
		}
		f.runDue(t, 1)
		if list, err := f.db.Notifications(ctx, u.ID, 10); err != nil || len(list) != 1 || list[0].Title != "二件目" {
			t.Fatalf("in-app notifications = %+v, %v", list, err)
		}
		d := f.delivery(t, note.ID)
		if d.Status != notify.DeliveryFailed || d.Attempts != 1 || d.LastError == "" || d.SentAt != nil {
			t.Fatalf("delivery after a failed attempt = %+v", d)
		}
		for range jobs.DefaultMaxAttempts - 1 {
			f.clock.Advance(7 * time.Hour)
			f.runDue(t, 1)
		}
		d = f.delivery(t, note.ID)
		if d.Status != notify.DeliveryDead || d.Attempts != jobs.DefaultMaxAttempts || d.LastError == "" {
			t.Errorf("delivery after the last attempt = %+v", d)
		}

		// A recipient the server refuses for good: dead at once.
		f.notifier.SMTP.Addr = ms.Addr
		refused := f.user(t, "nobody@refuse.example.jp")
		note = &notify.Notification{UserID: refused.ID, Kind: "x", Title: "届かない"}
		if err := f.notifier.Notify(ctx, note); err != nil {
			t.Fatal(err)
		}
		f.runDue(t, 1)
		if d := f.delivery(t, note.ID); d.Status != notify.DeliveryDead || d.Attempts != 1 || !strings.Contains(d.LastError, "550") {
			t.Errorf("refused recipient: %+v", d)
		}

		// Wrong credentials fail the attempt, to be retried.
		f.notifier.SMTP.Password = "wrong"
		note = &notify.Notification{UserID: u.ID, Kind: "x", Title: "認証"}
		if err := f.notifier.Notify(ctx, note); err != nil {
			t.Fatal(err)
		}
		f.runDue(t, 1)
		if d := f.delivery(t, note.ID); d.Status != notify.DeliveryFailed || !strings.Contains(d.LastError, "AUTH") {
			t.Errorf("bad credentials: %+v", d)
		}
	})
}

func TestNoMailWithoutSMTP(t *testing.T) {
	ms := startMailServer(t)
	f := newFixture(t, sqlstoretest.DSN(t, sqlstore.SQLite), ms)
	f.notifier.SMTP.Addr = ""
	u := f.user(t, "doc@example.jp")
	note := &notify.Notification{UserID: u.ID, Kind: "x", Title: "アプリ内のみ"}
	if err := f.notifier.Notify(context.Background(), note); err != nil {
		t.Fatal(err)
	}
	list, err := f.db.Deliveries(context.Background(), notify.DeliveryFilter{NotificationID: note.ID})
	if err != nil || len(list) != 0 {
		t.Errorf("deliveries without SMTP = %+v, %v", list, err)
	}
	f.runDue(t, 0)
}

// deadAddr returns an address where nothing listens.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}
