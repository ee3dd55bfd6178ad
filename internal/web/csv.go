package web

import (
	"bytes"
	"errors"
	"net/http"
	"strconv"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/excelcsv"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/openings"
)

// maxCSVUpload bounds an imported file.
const maxCSVUpload = 5 << 20

func (s *Server) exportOpenings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	enc := excelcsv.FromQuery(r.URL.Query().Get("encoding"))
	if _, err := s.Views.Org(r.Context(), cur.Actor(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset="+enc.Charset())
	w.Header().Set("Content-Disposition", `attachment; filename="openings-`+strconv.FormatInt(id, 10)+`.csv"`)
	if err := s.Openings.ExportCSV(r.Context(), cur.Actor(), id, w, enc); err != nil {
		s.Log.Error("csv export", "err", err)
	}
}

func (s *Server) importOpenings(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxCSVUpload+64<<10)
	if err := r.ParseMultipartForm(maxCSVUpload); err != nil {
		s.fail(w, r, apperr.E(apperr.Invalid, "ファイルを読み取れませんでした。5MBまでのCSVを選んでください。"))
		return
	}
	file, _, err := r.FormFile("file")
	if err != nil {
		s.fail(w, r, apperr.E(apperr.Invalid, "CSVファイルを選んでください。"))
		return
	}
	defer file.Close()
	institution, _ := strconv.ParseInt(r.FormValue("institution_id"), 10, 64)
	if institution == 0 {
		institution = id
	}
	n, err := s.Openings.ImportCSV(r.Context(), cur.Actor(), id, institution, file, "")
	var imp *openings.ImportError
	if errors.As(err, &imp) {
		s.renderOrgOpenings(w, r, cur, id, openings.StatusOpen, http.StatusBadRequest, imp.Problems)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setFlash(w, strconv.Itoa(n)+"件の求人を取り込みました。")
	redirect(w, r, "/orgs/"+strconv.FormatInt(id, 10)+"/openings?status=draft")
}

// sendCSV answers a CSV download for Excel in the encoding of ?enc=
// (UTF-8 with a BOM unless shift_jis). The file is written to a buffer
// first, so that a failure is still an error page.
func (s *Server) sendCSV(w http.ResponseWriter, r *http.Request, filename string, write func(*bytes.Buffer, excelcsv.Encoding) error) {
	enc := excelcsv.FromQuery(r.URL.Query().Get("enc"))
	var buf bytes.Buffer
	if err := write(&buf, enc); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset="+enc.Charset())
	w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}
