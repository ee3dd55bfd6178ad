package rounds

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/policy"
)

// CSV files are written by package excelcsv: UTF-8 with a byte order
// mark and CRLF line ends, which Excel opens as they are, with cells a
// spreadsheet would run as a formula escaped.

// WriteRoundCSV writes the round's institutions, one a row, to its
// officers.
func (s *Service) WriteRoundCSV(ctx context.Context, actor policy.Actor, roundID int64, w io.Writer) error {
	r, err := s.officerRound(ctx, actor, policy.List, roundID)
	if err != nil {
		return err
	}
	records := [][]string{{"配置", "年度", "方式", "医療機関ID", "医療機関", "医療圏コード", "医療圏", "区分", "定員", "目標",
		"受け入れ診療科", "医療圏の上限"}}
	for _, in := range r.Institutions {
		target, areaCap := "", ""
		if in.Target != nil {
			target = strconv.Itoa(*in.Target)
		}
		for _, c := range r.Caps {
			if c.AreaID == in.AreaID {
				areaCap = strconv.Itoa(c.Cap)
			}
		}
		records = append(records, []string{r.Name, strconv.Itoa(r.FiscalYear), string(r.Mechanism),
			strconv.FormatInt(in.OrgID, 10), in.Name, in.AreaCode, in.AreaName, in.Class.Label(), strconv.Itoa(in.Capacity),
			target, strings.Join(in.Specialties, "・"), areaCap})
	}
	return writeCSV(w, records)
}

// WriteResultCSV writes the round's result, one doctor a row with their
// placement and why not each higher choice, to its officers.
func (s *Service) WriteResultCSV(ctx context.Context, actor policy.Actor, roundID int64, w io.Writer) error {
	r, err := s.officerRound(ctx, actor, policy.List, roundID)
	if err != nil {
		return err
	}
	stored, err := s.Store.Results(ctx, r.ID)
	if err != nil {
		return err
	}
	lists, err := s.Store.Lists(ctx, r.ID)
	if err != nil {
		return err
	}
	specialty := map[int64]string{}
	for _, l := range lists {
		specialty[l.DoctorID] = l.Specialty
	}
	records := [][]string{{"医師ID", "医師", "診療科", "配置先", "医療圏", "区分", "希望順位", "台帳への記録", "上位の希望に配置されなかった理由"}}
	for i := range stored {
		res := &stored[i]
		p := placement(r, res)
		rank, recorded := "", ""
		if res.Rank > 0 {
			rank = strconv.Itoa(res.Rank)
		}
		if res.RecordedAt != nil {
			recorded = res.RecordedAt.In(jst).Format("2006-01-02")
		}
		institution := p.Institution
		if res.InstitutionID == 0 {
			institution = "（配置なし）"
		}
		reasons := make([]string, len(p.Reasons))
		for j, rs := range p.Reasons {
			reasons[j] = rs.Message
		}
		records = append(records, []string{strconv.FormatInt(res.DoctorID, 10), res.DoctorName, specialty[res.DoctorID],
			institution, p.AreaName, p.Class.Label(), rank, recorded, strings.Join(reasons, " ")})
	}
	return writeCSV(w, records)
}

// writeCSV writes the records for Excel: UTF-8 with a byte order mark,
// CRLF line ends, formulas escaped.
func writeCSV(w io.Writer, records [][]string) error {
	return excelcsv.Write(w, records, excelcsv.UTF8BOM)
}
