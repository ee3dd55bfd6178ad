package events

import (
	"context"
	"errors"
	"io"
	"strconv"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/policy"
)

// Encoding is a CSV encoding for Excel.
type Encoding = excelcsv.Encoding

// Encodings.
const (
	UTF8BOM  = excelcsv.UTF8BOM  // UTF-8 with a byte-order mark
	ShiftJIS = excelcsv.ShiftJIS // for older Excel
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
			checked = r.CheckedInAt.In(career.JST).Format(csvTime)
		}
		records = append(records, []string{r.Name, r.Email, r.Prefecture, r.Organisation, r.Role.Label(),
			r.Attendance.Label(), r.Status.Label(), r.CreatedAt.In(career.JST).Format(csvTime), checked, groups[r.ID]})
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

// writeCSV writes records for Excel with excelcsv.Write, as the other
// exports do: CRLF line endings, UTF-8 with a BOM ("" too) or Shift_JIS,
// and cells a spreadsheet would run as a formula escaped with an
// apostrophe. Nothing is written when a cell cannot be encoded; that and
// an unknown encoding are Invalid.
func writeCSV(w io.Writer, records [][]string, enc Encoding) error {
	if !enc.Valid() {
		return apperr.InvalidFields(map[string]string{"encoding": "文字コードは UTF-8 か Shift_JIS を選んでください。"})
	}
	err := excelcsv.Write(w, records, enc)
	if errors.Is(err, excelcsv.ErrUnencodable) {
		return apperr.E(apperr.Invalid, "Shift_JISで表せない文字が含まれています。UTF-8で書き出してください。")
	}
	if err != nil {
		return apperr.Wrap(err, "CSVを書き出せませんでした。")
	}
	return nil
}
