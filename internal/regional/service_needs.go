package regional

import (
	"context"
	"fmt"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
)

// MaxNeed is the most doctors one need may name.
const MaxNeed = 9999

// SupplyStore is what the needs and the supply-and-need dashboard take
// from the database, besides the programs, areas, enrolments and ledgers
// of Store.
type SupplyStore interface {
	// SetNeed inserts n or replaces the count of the need with its
	// prefecture, year, specialty and area; invalid when the area is not
	// the prefecture's or the schema rejects a value.
	SetNeed(ctx context.Context, n *Need) error
	// DeleteNeed removes a need; not_found when there is none.
	DeleteNeed(ctx context.Context, prefectureOrgID int64, year int, specialty string, areaID int64) error
	// Needs lists a prefecture's needs in the fiscal years from to to, by
	// year, specialty, area code.
	Needs(ctx context.Context, prefectureOrgID int64, from, to int) ([]Need, error)
	// PrefecturePlans lists the plans of the enrolments in the
	// prefecture's programs, with their years.
	PrefecturePlans(ctx context.Context, prefectureOrgID int64) ([]obligation.Plan, error)
}

// Need is how many doctors (必要医師数) a prefecture needs in a fiscal year,
// a 基本領域 and one of its medical areas.
type Need struct {
	PrefectureOrgID int64
	FiscalYear      int
	Specialty       string
	AreaID          int64
	AreaCode        string // as read
	AreaName        string // as read
	Count           int
	UpdatedBy       int64
	UpdatedByName   string // as read
	UpdatedAt       time.Time
}

// SetNeed sets the need of the prefecture in a fiscal year, a 基本領域 and
// one of its medical areas, for the prefecture's officers. Setting it again
// replaces the count; 0 says no doctor is needed there (ClearNeed forgets
// the need).
func (s *Service) SetNeed(ctx context.Context, actor policy.Actor, prefOrgID int64, year int, specialty string, areaID int64, count int) error {
	n, err := s.needKey(ctx, actor, prefOrgID, year, specialty, areaID, count)
	if err != nil {
		return err
	}
	n.UpdatedBy, n.UpdatedAt = actor.UserID, s.now()
	return s.Store.SetNeed(ctx, n)
}

// ClearNeed forgets a need entered in error, for the prefecture's
// officers: the dashboard then shows no need and no gap there.
func (s *Service) ClearNeed(ctx context.Context, actor policy.Actor, prefOrgID int64, year int, specialty string, areaID int64) error {
	n, err := s.needKey(ctx, actor, prefOrgID, year, specialty, areaID, 0)
	if err != nil {
		return err
	}
	return s.Store.DeleteNeed(ctx, n.PrefectureOrgID, n.FiscalYear, n.Specialty, n.AreaID)
}

// needKey checks that the actor may set the prefecture's needs and that
// the year, specialty, area and count are valid.
func (s *Service) needKey(ctx context.Context, actor policy.Actor, prefOrgID int64, year int, specialty string, areaID int64, count int) (*Need, error) {
	if _, err := s.prefecture(ctx, actor, policy.Update, prefOrgID); err != nil {
		return nil, err
	}
	n := &Need{PrefectureOrgID: prefOrgID, FiscalYear: year, Specialty: jatext.NormalizeLine(specialty), AreaID: areaID, Count: count}
	fields := map[string]string{}
	if year < obligation.MinFiscalYear || year > obligation.MaxFiscalYear {
		fields["fiscal_year"] = "年度を確認してください。"
	}
	if !career.IsSpecialty(n.Specialty) {
		fields["specialty"] = "診療科は基本領域から選んでください。"
	}
	if count < 0 || count > MaxNeed {
		fields["count"] = fmt.Sprintf("必要医師数は0〜%d人で入力してください。", MaxNeed)
	}
	a, err := s.Store.Area(ctx, areaID)
	switch {
	case apperr.Is(err, apperr.NotFound) || (err == nil && a.PrefectureOrgID != prefOrgID):
		fields["area_id"] = "この県の医療圏を選んでください。"
	case err != nil:
		return nil, err
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	return n, nil
}

// Needs lists the prefecture's needs in the fiscal years from to to. Needs
// are the prefecture's planning figures, with no personal data: like its
// medical areas and their classes, doctors, coordinators and officers read
// them.
func (s *Service) Needs(ctx context.Context, actor policy.Actor, prefOrgID int64, from, to int) ([]Need, error) {
	if _, err := s.prefecture(ctx, actor, policy.Read, prefOrgID); err != nil {
		return nil, err
	}
	if from < obligation.MinFiscalYear || to > obligation.MaxFiscalYear || from > to {
		return nil, apperr.InvalidFields(map[string]string{"fiscal_year": "年度を確認してください。"})
	}
	return s.Store.Needs(ctx, prefOrgID, from, to)
}
