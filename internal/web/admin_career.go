package web

import (
	"context"
	"net/http"
	"regexp"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/httpx"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/sqlstore"
)

// CareerAdmin is what the administrators' career pages need from the
// database.
type CareerAdmin interface {
	Competencies(ctx context.Context, all bool) ([]career.Competency, error)
	SaveCompetency(ctx context.Context, c career.Competency, retired bool) error
	PendingRegistrations(ctx context.Context) ([]sqlstore.PendingRegistration, error)
	VerifyRegistration(ctx context.Context, userID, adminID int64) error
}

var competencyCode = regexp.MustCompile(`^[a-z0-9_]{1,60}$`)

func (s *Server) adminCareer(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	s.renderAdminCareer(w, r, cur, &page{Title: "スキル語彙と医籍確認"}, nil)
}

func (s *Server) renderAdminCareer(w http.ResponseWriter, r *http.Request, cur *httpx.Current, p *page, formErr error) {
	if err := s.Accounts.Guard.Check(r.Context(), cur.Actor(), policy.Update, policy.Object{Kind: policy.KindCompetency}); err != nil {
		s.fail(w, r, err)
		return
	}
	comps, err := s.CareerAdmin.Competencies(r.Context(), true)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	pending, err := s.CareerAdmin.PendingRegistrations(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Data = map[string]any{"Competencies": comps, "Pending": pending, "Groups": career.CompetencyGroups}
	if formErr != nil {
		s.formError(w, r, "admin_career", p, formErr)
		return
	}
	s.render(w, r, http.StatusOK, "admin_career", p)
}

func (s *Server) adminSaveCompetency(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	if err := s.Accounts.Guard.Check(r.Context(), cur.Actor(), policy.Update, policy.Object{Kind: policy.KindCompetency}); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		s.fail(w, r, err)
		return
	}
	c := career.Competency{Code: jatext.NormalizeLine(r.PostForm.Get("code")), Group: career.CompetencyGroup(r.PostForm.Get("group")),
		Name: jatext.NormalizeLine(r.PostForm.Get("name")), Description: jatext.NormalizeLine(r.PostForm.Get("description"))}
	fields := map[string]string{}
	if !competencyCode.MatchString(c.Code) {
		fields["code"] = "コードは英小文字・数字・_ で60文字以内にしてください(例: home_visit)。"
	}
	if !c.Group.Valid() {
		fields["group"] = "分類を選んでください。"
	}
	if c.Name == "" || len([]rune(c.Name)) > 100 {
		fields["name"] = "名前を1〜100文字で入力してください。"
	}
	if len(fields) > 0 {
		s.renderAdminCareer(w, r, cur, &page{Title: "スキル語彙と医籍確認"}, apperr.InvalidFields(fields))
		return
	}
	if err := s.CareerAdmin.SaveCompetency(r.Context(), c, r.PostForm.Get("retired") == "1"); err != nil {
		s.fail(w, r, err)
		return
	}
	s.Accounts.Audit.Try(r.Context(), audit.Entry{Action: audit.AdminAction, ActorID: cur.User.ID, ObjectKind: "competency", Detail: "save " + c.Code})
	s.setFlash(w, "スキル「"+c.Name+"」を保存しました。")
	redirect(w, r, "/admin/career")
}

func (s *Server) adminVerifyRegistration(w http.ResponseWriter, r *http.Request, cur *httpx.Current) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.Accounts.Guard.Check(r.Context(), cur.Actor(), policy.Update, policy.Object{Kind: policy.KindProfile, ID: id, OwnerID: id})
	}
	if err == nil {
		err = s.CareerAdmin.VerifyRegistration(r.Context(), id, cur.User.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.Accounts.Audit.Try(r.Context(), audit.Entry{Action: audit.AdminAction, ActorID: cur.User.ID, SubjectID: id, ObjectKind: "profile",
		ObjectID: id, Detail: "verify registration number"})
	s.setFlash(w, "医籍登録番号を確認済みにしました。")
	redirect(w, r, "/admin/career")
}
