package notify

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/jobs"
)

// maxAttachmentBytes bounds the attachments of one e-mail, which travel in
// the job's payload.
const maxAttachmentBytes = 1 << 20

// SMTP is how to reach a mail server. An empty Addr disables e-mail.
// STARTTLS is used whenever the server offers it, with the certificate
// verified; credentials are sent only over TLS (or to localhost).
type SMTP struct {
	Addr     string // host:port
	From     string
	Username string
	Password string
	// TLS configures STARTTLS; nil verifies the server against the system
	// roots under the host name of Addr.
	TLS *tls.Config
}

// Mail is one e-mail: plain text in UTF-8 and optional attachments, sent
// as multipart/mixed when there are any.
type Mail struct {
	To          string       `json:"to"`
	Subject     string       `json:"subject"`
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file attached to an e-mail.
type Attachment struct {
	Filename    string `json:"filename"`     // e.g. "invitation.ics"
	ContentType string `json:"content_type"` // e.g. "text/calendar; method=REQUEST; charset=UTF-8"
	Data        []byte `json:"data"`
}

// check refuses a mail that could not be sent.
func (m *Mail) check() error {
	if _, err := mail.ParseAddress(m.To); err != nil {
		return fmt.Errorf("notify: recipient %q: %w", m.To, err)
	}
	total := 0
	for _, a := range m.Attachments {
		if _, _, err := mime.ParseMediaType(a.ContentType); err != nil {
			return fmt.Errorf("notify: attachment %q: content type: %w", a.Filename, err)
		}
		total += len(a.Data)
	}
	if total > maxAttachmentBytes {
		return fmt.Errorf("notify: attachments of %d bytes exceed %d", total, maxAttachmentBytes)
	}
	return nil
}

// message renders the mail as an RFC 5322 message from the sender from,
// dated date.
func (m *Mail) message(from string, date time.Time) ([]byte, error) {
	if err := m.check(); err != nil {
		return nil, err
	}
	sender, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("notify: sender %q: %w", from, err)
	}
	to, _ := mail.ParseAddress(m.To)
	var b bytes.Buffer
	h := textproto.MIMEHeader{}
	h.Set("From", sender.String())
	h.Set("To", to.String())
	h.Set("Subject", mime.BEncoding.Encode("UTF-8", oneLine(m.Subject)))
	h.Set("Date", date.Format(time.RFC1123Z))
	h.Set("Message-ID", messageID(sender.Address))
	h.Set("MIME-Version", "1.0")
	h.Set("Auto-Submitted", "auto-generated")
	text := textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=UTF-8"},
		"Content-Transfer-Encoding": {"base64"},
	}
	if len(m.Attachments) == 0 {
		for k, v := range text {
			h[k] = v
		}
		writeHeader(&b, h)
		writeBase64(&b, []byte(m.Text))
		return b.Bytes(), nil
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h.Set("Content-Type", mime.FormatMediaType("multipart/mixed", map[string]string{"boundary": mw.Boundary()}))
	writeHeader(&b, h)
	part, err := mw.CreatePart(text)
	if err != nil {
		return nil, err
	}
	writeBase64(part, []byte(m.Text))
	for _, a := range m.Attachments {
		mediaType, params, err := mime.ParseMediaType(a.ContentType)
		if err != nil {
			return nil, err
		}
		part, err := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(mediaType, params)},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": oneLine(a.Filename)})},
			"Content-Transfer-Encoding": {"base64"},
		})
		if err != nil {
			return nil, err
		}
		writeBase64(part, a.Data)
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// Send delivers m through the server, dated now. A recipient the server
// refuses for good (5xx) is a permanent error.
func (s SMTP) Send(ctx context.Context, m *Mail, now time.Time) error {
	msg, err := m.message(s.From, now)
	if err != nil {
		return jobs.Permanent(err)
	}
	from, _ := mail.ParseAddress(s.From)
	to, _ := mail.ParseAddress(m.To)
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return jobs.Permanent(fmt.Errorf("notify: SMTP address %q: %w", s.Addr, err))
	}
	dialer := net.Dialer{Timeout: 10 * time.Second}
	conn, err := dialer.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		cfg := &tls.Config{}
		if s.TLS != nil {
			cfg = s.TLS.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("notify: STARTTLS: %w", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("notify: SMTP AUTH: %w", err)
		}
	}
	if err := c.Mail(from.Address); err != nil {
		return err
	}
	if err := c.Rcpt(to.Address); err != nil {
		var tpErr *textproto.Error
		if errors.As(err, &tpErr) && tpErr.Code >= 500 {
			return jobs.Permanent(fmt.Errorf("notify: recipient refused: %w", err))
		}
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// writeHeader writes h in a stable order and the blank line after it.
func writeHeader(b *bytes.Buffer, h textproto.MIMEHeader) {
	for _, k := range []string{"From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Auto-Submitted",
		"Content-Type", "Content-Transfer-Encoding"} {
		if v := h.Get(k); v != "" {
			fmt.Fprintf(b, "%s: %s\r\n", k, v)
		}
	}
	b.WriteString("\r\n")
}

// writeBase64 writes data in base64 lines of 76 characters.
func writeBase64(w interface{ Write([]byte) (int, error) }, data []byte) {
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		w.Write([]byte(enc[:76] + "\r\n"))
		enc = enc[76:]
	}
	w.Write([]byte(enc + "\r\n"))
}

// oneLine keeps a header value on one line, so that it cannot add headers.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}

func messageID(from string) string {
	domain := "hakui.invalid"
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		domain = d
	}
	b := make([]byte, 16)
	rand.Read(b)
	return "<" + hex.EncodeToString(b) + "@" + domain + ">"
}
