package regional

import (
	"context"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
)

// prefecture checks that the organisation is a prefecture and that the
// actor may act on its programs.
func (s *Service) prefecture(ctx context.Context, actor policy.Actor, action policy.Action, orgID int64) (*identity.Organisation, error) {
	org, err := s.orgOfKind(ctx, orgID, "prefecture_org_id", "都道府県を選んでください。", identity.OrgPrefecture)
	if err != nil {
		return nil, err
	}
	return org, s.Guard.Check(ctx, actor, action, policy.Object{Kind: policy.KindProgram, OrgID: orgID})
}

// PrefectureName is the prefecture a prefecture organisation stands for:
// its prefecture field, or its name (e.g. 岡山県).
func PrefectureName(org *identity.Organisation) string {
	if org.Prefecture != "" {
		return org.Prefecture
	}
	return org.Name
}

// CreateProgram adds a program to p.PrefectureOrgID, for the prefecture's
// officers.
func (s *Service) CreateProgram(ctx context.Context, actor policy.Actor, p *obligation.Program) error {
	org, err := s.prefecture(ctx, actor, policy.Create, p.PrefectureOrgID)
	if err != nil {
		return err
	}
	p.Prefecture = PrefectureName(org)
	if fields := p.Validate(); len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	if err := s.Store.CreateProgram(ctx, p); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return apperr.InvalidFields(map[string]string{"name": "同じ名前のプログラムがすでにあります。"})
		}
		return err
	}
	return nil
}

// UpdateProgram rewrites a program whose version is still p.Version. The
// prefecture it belongs to cannot change.
func (s *Service) UpdateProgram(ctx context.Context, actor policy.Actor, p *obligation.Program) error {
	cur, err := s.Store.Program(ctx, p.ID)
	if err != nil {
		return err
	}
	if err := s.Guard.Check(ctx, actor, policy.Update, programObject(cur)); err != nil {
		return err // programs are public rules: no need to hide this one
	}
	p.PrefectureOrgID, p.Prefecture = cur.PrefectureOrgID, cur.Prefecture
	if fields := p.Validate(); len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	return conflict(s.Store.UpdateProgram(ctx, p), "このプログラム")
}

// Program returns a program: public rules to signed-in doctors,
// coordinators and officers.
func (s *Service) Program(ctx context.Context, actor policy.Actor, id int64) (*obligation.Program, error) {
	p, err := s.Store.Program(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Read, programObject(p)); err != nil {
		return nil, hidden(err)
	}
	return p, nil
}

// Programs lists the programs of a prefecture, or of every prefecture for
// 0.
func (s *Service) Programs(ctx context.Context, actor policy.Actor, prefectureOrgID int64) ([]obligation.Program, error) {
	if err := s.Guard.Check(ctx, actor, policy.List, policy.Object{Kind: policy.KindProgram, OrgID: prefectureOrgID}); err != nil {
		return nil, err
	}
	return s.Store.Programs(ctx, prefectureOrgID)
}

// SaveArea adds a medical area to the prefecture (a.ID 0) or renames one,
// for the prefecture's officers. Classes are set with SetAreaClass.
func (s *Service) SaveArea(ctx context.Context, actor policy.Actor, a *Area) error {
	if a.ID != 0 {
		cur, err := s.Store.Area(ctx, a.ID)
		if err != nil {
			return err
		}
		if err := s.Guard.Check(ctx, actor, policy.Update, policy.Object{Kind: policy.KindProgram, OrgID: cur.PrefectureOrgID}); err != nil {
			return err
		}
		a.PrefectureOrgID = cur.PrefectureOrgID
	} else if _, err := s.prefecture(ctx, actor, policy.Update, a.PrefectureOrgID); err != nil {
		return err
	}
	a.Code, a.Name = jatext.NormalizeLine(a.Code), jatext.NormalizeLine(a.Name)
	fields := map[string]string{}
	if n := len([]rune(a.Code)); n == 0 || n > 20 {
		fields["code"] = "コードを20文字以内で入力してください。"
	}
	if n := len([]rune(a.Name)); n == 0 || n > 100 {
		fields["name"] = "医療圏の名前を100文字以内で入力してください。"
	}
	if len(fields) > 0 {
		return apperr.InvalidFields(fields)
	}
	if err := s.Store.SaveArea(ctx, a); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return apperr.InvalidFields(map[string]string{"code": "このコードの医療圏はすでにあります。"})
		}
		return err
	}
	return nil
}

// SetAreaClass sets the class of a medical area for a fiscal year, for
// the prefecture's officers. Placements in that area and year count with
// the class.
func (s *Service) SetAreaClass(ctx context.Context, actor policy.Actor, areaID int64, year int, class obligation.AreaClass) error {
	a, err := s.Store.Area(ctx, areaID)
	if err != nil {
		return err
	}
	if err := s.Guard.Check(ctx, actor, policy.Update, policy.Object{Kind: policy.KindProgram, OrgID: a.PrefectureOrgID}); err != nil {
		return err
	}
	if !class.Valid() {
		return apperr.InvalidFields(map[string]string{"class": "区分を選んでください。"})
	}
	if year < obligation.MinFiscalYear || year > obligation.MaxFiscalYear {
		return apperr.InvalidFields(map[string]string{"fiscal_year": "年度を確認してください。"})
	}
	return s.Store.SetAreaClass(ctx, areaID, year, class)
}

// Areas lists a prefecture's medical areas with their classes by year.
func (s *Service) Areas(ctx context.Context, actor policy.Actor, prefectureOrgID int64) ([]Area, error) {
	if err := s.Guard.Check(ctx, actor, policy.Read, policy.Object{Kind: policy.KindProgram, OrgID: prefectureOrgID}); err != nil {
		return nil, err
	}
	return s.Store.Areas(ctx, prefectureOrgID)
}
