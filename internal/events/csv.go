package events

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"strings"

	"golang.org/x/text/encoding/japanese"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Encoding is a CSV encoding for Excel.
type Encoding string

// Encodings.
const (
	UTF8BOM  Encoding = "utf-8"     // UTF-8 with a byte-order mark
	ShiftJIS Encoding = "shift_jis" // for older Excel
)

// ParticipantsHeader is the header row of ExportParticipants.
var ParticipantsHeader = []string{"氏名", "メールアドレス", "都道府県", "所属", "役割", "参加方法", "状況", "申込日時", "出席確認日時", "グループ"}

// CountsHeader is the header row of ExportCounts.
var CountsHeader = []string{"区分", "項目", "人数"}

// csvTime is how times are written: JST, as Excel reads them.
const csvTime = "2006/01/02 15:04"

// ExportParticipants writes the registrations as CSV (organisers):
// name, e-mail, prefecture, organisation, role, attendance, status,
// registered at (JST), checked in at (JST), group.
func (s *Service) ExportParticipants(ctx context.Context, actor policy.Actor, eventID int64, w io.Writer, enc Encoding) error {
	if _, err := s.load(ctx, actor, policy.Update, eventID); err != nil {
		return err
	}
	regs, err := s.Store.Registrations(ctx, eventID)
	if err != nil {
		return err
	}
	groups := map[int64]string{}
	gw, err := s.Store.GroupWork(ctx, eventID)
	switch {
	case err == nil:
		for _, g := range gw.Groups {
			for _, m := range g.Members {
				groups[m.ID] = strconv.Itoa(g.Number) + "（" + g.Theme + "）"
			}
		}
	case !apperr.Is(err, apperr.NotFound):
		return err
	}
	records := [][]string{ParticipantsHeader}
	for _, r := range regs {
		checked := ""
		if r.CheckedInAt != nil {
			checked = r.CheckedInAt.In(jst).Format(csvTime)
		}
		records = append(records, []string{r.Name, r.Email, r.Prefecture, r.Organisation, r.Role.Label(),
			r.Attendance.Label(), r.Status.Label(), r.CreatedAt.In(jst).Format(csvTime), checked, groups[r.ID]})
	}
	return writeCSV(w, records, enc)
}

// ExportCounts writes the registered counts by prefecture and by role
// as CSV (organisers).
func (s *Service) ExportCounts(ctx context.Context, actor policy.Actor, eventID int64, w io.Writer, enc Encoding) error {
	c, err := s.Counts(ctx, actor, eventID)
	if err != nil {
		return err
	}
	n := strconv.Itoa
	records := [][]string{CountsHeader,
		{"合計", "参加確定", n(c.Registered)},
		{"合計", "会場", n(c.Venue)},
		{"合計", "オンライン", n(c.Online)},
		{"合計", "キャンセル待ち", n(c.Waitlisted)},
		{"合計", "キャンセル", n(c.Cancelled)},
		{"合計", "出席", n(c.CheckedIn)},
	}
	for _, p := range c.ByPrefecture {
		records = append(records, []string{"都道府県", p.Label, n(p.N)})
	}
	for _, r := range c.ByRole {
		label := r.Label
		if role := ParticipantRole(label); role.Valid() {
			label = role.Label()
		}
		records = append(records, []string{"役割", label, n(r.N)})
	}
	return writeCSV(w, records, enc)
}

// writeCSV writes records for Excel as the other exports do (see
// openings.WriteCSV): CRLF line endings, UTF-8 with a BOM ("" too) or
// Shift_JIS, and cells a spreadsheet would run as a formula escaped with
// an apostrophe. Nothing is written when a cell cannot be encoded.
func writeCSV(w io.Writer, records [][]string, enc Encoding) error {
	if enc == "" {
		enc = UTF8BOM
	}
	if enc != UTF8BOM && enc != ShiftJIS {
		return apperr.InvalidFields(map[string]string{"encoding": "文字コードは UTF-8 か Shift_JIS を選んでください。"})
	}
	for _, rec := range records {
		for i, cell := range rec {
			if enc == ShiftJIS {
				cell = toCP932.Replace(cell)
			}
			if r := []rune(cell); len(r) > 0 && strings.ContainsRune("=+-@\t\r＝＋－＠", r[0]) {
				cell = "'" + cell
			}
			rec[i] = cell
		}
	}
	var buf bytes.Buffer
	if enc == UTF8BOM {
		buf.WriteString("\uFEFF")
	}
	cw := csv.NewWriter(&buf)
	cw.UseCRLF = true
	if err := cw.WriteAll(records); err != nil {
		return apperr.Wrap(err, "CSVを書き出せませんでした。")
	}
	out := buf.Bytes()
	if enc == ShiftJIS {
		var err error
		if out, err = japanese.ShiftJIS.NewEncoder().Bytes(out); err != nil {
			return apperr.E(apperr.Invalid, "Shift_JISで表せない文字が含まれています。UTF-8で書き出してください。")
		}
	}
	if _, err := w.Write(out); err != nil {
		return apperr.Wrap(err, "CSVを書き出せませんでした。")
	}
	return nil
}

// toCP932 maps characters Shift_JIS lacks to the ones Windows uses for
// them (the "wave dash problem").
var toCP932 = strings.NewReplacer(
	"\u301C", "\uFF5E", // 〜 → ～
	"\u2212", "\uFF0D", // − → －
	"\u2014", "\u2015", // — → ―
	"\u2016", "\u2225", // ‖ → ∥
	"\u00A2", "\uFFE0", // ¢
	"\u00A3", "\uFFE1", // £
	"\u00AC", "\uFFE2", // ¬
	"\u00A5", "\uFFE5", // ¥
	"\u00A6", "\uFFE4", // ¦
)
