package rounds

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/match"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
	"github.com/hakui-dev/hakui/internal/regional"
)

// inputs loads the round's lists and rankings.
func (s *Service) inputs(ctx context.Context, r *Round) ([]List, []Ranking, error) {
	lists, err := s.Store.Lists(ctx, r.ID)
	if err != nil {
		return nil, nil, err
	}
	rankings, err := s.Store.Rankings(ctx, r.ID)
	if err != nil {
		return nil, nil, err
	}
	return lists, rankings, nil
}

// Run runs the round's mechanism on the lists and rankings, by its
// officers, at the version they saw, once the rankings' deadline has
// passed; it stores the result (replacing an earlier run's) and returns
// the preview. A published round does not run again.
func (s *Service) Run(ctx context.Context, actor policy.Actor, roundID int64, version int) (*Preview, error) {
	r, err := s.officerRound(ctx, actor, policy.Update, roundID)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Status == StatusPublished:
		return nil, apperr.E(apperr.Invalid, "公開済みの配置は再実行できません。")
	case r.Version != version:
		return nil, conflict(apperr.E(apperr.Conflict, "stale version"))
	case s.now().Before(r.RankingsDue):
		return nil, apperr.E(apperr.Invalid, "医療機関の順位の提出期限（%s）が過ぎてから実行してください。", jstTime(r, true))
	}
	lists, rankings, err := s.inputs(ctx, r)
	if err != nil {
		return nil, err
	}
	res, err := Run(r, lists, rankings, r.Mechanism)
	if err != nil {
		return nil, apperr.Wrap(err, "マッチングを実行できませんでした。")
	}
	out, err := results(r, lists, res)
	if err != nil {
		return nil, apperr.Wrap(err, "マッチングの説明を作れませんでした。")
	}
	now := s.now()
	r.RunAt = &now
	if err := s.Store.SaveResults(ctx, r, out); err != nil {
		return nil, conflict(err)
	}
	return s.Preview(ctx, actor, roundID)
}

// Preview returns the stored result with the fill by area, specialty and
// institution, the unmatched doctors and the comparison of the mechanisms,
// to the round's officers.
func (s *Service) Preview(ctx context.Context, actor policy.Actor, roundID int64) (*Preview, error) {
	r, err := s.officerRound(ctx, actor, policy.List, roundID)
	if err != nil {
		return nil, err
	}
	if r.Status == StatusOpen {
		return nil, apperr.E(apperr.Invalid, "まだマッチングを実行していません。")
	}
	lists, rankings, err := s.inputs(ctx, r)
	if err != nil {
		return nil, err
	}
	stored, err := s.Store.Results(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	p, err := Review(r, lists, rankings, stored)
	if err != nil {
		return nil, apperr.Wrap(err, "マッチングの比較を作れませんでした。")
	}
	return p, nil
}

// PublishReport says what publishing did to the ledgers.
type PublishReport struct {
	Round    *Round
	Recorded int // placements written to ledgers now
	Failures []LedgerFailure
}

// LedgerFailure is a placement the ledger refused; the officer fixes the
// ledger and publishes again, which retries only what is missing.
type LedgerFailure struct {
	DoctorID   int64
	DoctorName string
	Message    string
}

// Publish publishes a run round, by its officers, at the version they
// previewed: each doctor then sees their placement and why not a higher
// choice, and each placement is written to the doctor's ledger (12 months
// of the fiscal year at the institution, in its area with the area's class
// that year) through the regional service. Publishing a published round
// again retries the placements not yet in a ledger.
func (s *Service) Publish(ctx context.Context, actor policy.Actor, roundID int64, version int) (*PublishReport, error) {
	r, err := s.officerRound(ctx, actor, policy.Update, roundID)
	if err != nil {
		return nil, err
	}
	switch {
	case r.Status == StatusOpen:
		return nil, apperr.E(apperr.Invalid, "マッチングを実行して結果を確認してから公開してください。")
	case r.Version != version:
		return nil, conflict(apperr.E(apperr.Conflict, "stale version"))
	case r.Status == StatusRun:
		now := s.now()
		r.PublishedAt, r.PublishedBy = &now, actor.UserID
		if err := s.Store.Publish(ctx, r); err != nil {
			return nil, conflict(err)
		}
		s.Audit.Try(ctx, audit.Entry{Action: AuditPublished, ActorID: actor.UserID, ObjectKind: string(policy.KindRound),
			ObjectID: r.ID, Detail: fmt.Sprintf("%d年度 %s（%s）", r.FiscalYear, r.Name, r.Mechanism)})
	}
	rep, err := s.record(ctx, actor, r)
	if err != nil {
		return nil, err
	}
	if rep.Round, err = s.Store.Round(ctx, r.ID); err != nil {
		return nil, err
	}
	return rep, nil
}

// record writes the placements not yet in a ledger.
func (s *Service) record(ctx context.Context, actor policy.Actor, r *Round) (*PublishReport, error) {
	stored, err := s.Store.Results(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	lists, err := s.Store.Lists(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	listOf := map[int64]*List{}
	for i := range lists {
		listOf[lists[i].DoctorID] = &lists[i]
	}
	views, err := s.enrollments(ctx, actor, r)
	if err != nil {
		return nil, err
	}
	rep := &PublishReport{}
	for _, res := range stored {
		if res.InstitutionID == 0 || res.RecordedAt != nil {
			continue
		}
		l, in := listOf[res.DoctorID], r.Institution(res.InstitutionID)
		p := obligation.Placement{FiscalYear: r.FiscalYear, Months: 12, InstitutionID: in.OrgID, AreaCode: in.AreaCode,
			Specialty: l.Specialty, Note: fmt.Sprintf("%d年度の配置「%s」", r.FiscalYear, r.Name)}
		err := s.place(ctx, actor, views, l.EnrollmentID, p)
		if apperr.Is(err, apperr.Conflict) { // the ledger moved meanwhile: reload and retry once
			if views, err = s.enrollments(ctx, actor, r); err == nil {
				err = s.place(ctx, actor, views, l.EnrollmentID, p)
			}
		}
		if err == nil {
			err = s.Store.MarkRecorded(ctx, r.ID, res.DoctorID, s.now())
		}
		if err != nil {
			if apperr.CodeOf(err) == apperr.Internal {
				return nil, err
			}
			rep.Failures = append(rep.Failures, LedgerFailure{DoctorID: res.DoctorID, DoctorName: res.DoctorName, Message: failure(err)})
			continue
		}
		rep.Recorded++
	}
	return rep, nil
}

// enrollments loads the enrolments of the round's prefecture, by ID.
func (s *Service) enrollments(ctx context.Context, actor policy.Actor, r *Round) (map[int64]*regional.Enrollment, error) {
	list, err := s.Regional.Enrollments(ctx, actor, regional.EnrollmentFilter{PrefectureOrgID: r.PrefectureOrgID})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]*regional.Enrollment, len(list))
	for _, v := range list {
		out[v.Enrollment.ID] = v.Enrollment
	}
	return out, nil
}

// place adds the placement to the enrolment's ledger at its current
// version.
func (s *Service) place(ctx context.Context, actor policy.Actor, views map[int64]*regional.Enrollment, enrollmentID int64, p obligation.Placement) error {
	e := views[enrollmentID]
	if e == nil {
		return apperr.E(apperr.NotFound, "この医師の登録（キャリア形成プログラム）が見つかりません。")
	}
	_, err := s.Regional.AddPlacement(ctx, actor, e.ID, e.Version, p)
	return err
}

// failure words a refused ledger write with its field messages.
func failure(err error) string {
	msg := apperr.MessageOf(err)
	fields := apperr.FieldsOf(err)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		msg += " " + fields[k]
	}
	return msg
}

// Placement is a doctor's outcome of a published round, as the doctor
// sees it: where, at which place of their list, and why not each higher
// choice. It never names another doctor.
type Placement struct {
	RoundID       int64
	RoundName     string
	FiscalYear    int
	Mechanism     match.Mechanism
	InstitutionID int64 // 0 if unmatched
	Institution   string
	AreaName      string
	Class         obligation.AreaClass
	Rank          int
	Reasons       []Reason
}

// Reason says why the doctor did not get a choice above their placement.
type Reason struct {
	Rank          int
	InstitutionID int64
	Institution   string
	Kind          match.ReasonKind
	Seats         int
	Filled        int
	AreaName      string // the capped area, for region_cap and a cut target
	Cap           int
	Message       string // Japanese
}

// DoctorPlacement returns a doctor's placement with the engine's
// explanation: to the doctor once the round is published, and to the
// round's officers once it has run. To anyone else, and to a doctor who
// took no part, it is not_found.
func (s *Service) DoctorPlacement(ctx context.Context, actor policy.Actor, roundID, doctorID int64) (*Placement, error) {
	r, err := s.Store.Round(ctx, roundID)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, policy.Read, doctorObject(r, doctorID)); err != nil {
		return nil, hidden(err)
	}
	if r.Status == StatusOpen || (r.Status != StatusPublished && !isOfficer(actor, r)) {
		return nil, apperr.E(apperr.NotFound, "配置の結果はまだ公開されていません。")
	}
	stored, err := s.Store.Results(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(stored, func(res Result) bool { return res.DoctorID == doctorID })
	if i < 0 {
		return nil, notFound()
	}
	return placement(r, &stored[i]), nil
}

// placement is the doctor's view of their result.
func placement(r *Round, res *Result) *Placement {
	p := &Placement{RoundID: r.ID, RoundName: r.Name, FiscalYear: r.FiscalYear, Mechanism: r.Mechanism,
		InstitutionID: res.InstitutionID, Rank: res.Rank, Reasons: []Reason{}}
	if in := r.Institution(res.InstitutionID); in != nil {
		p.Institution, p.AreaName, p.Class = in.Name, in.AreaName, in.Class
	}
	areaName := func(key string) string {
		for _, c := range r.Caps {
			if areaKey(c.AreaID) == key {
				return c.AreaName
			}
		}
		return ""
	}
	for _, x := range res.Explanation.Reasons {
		rs := Reason{Rank: x.Rank, InstitutionID: keyID(x.Program), Kind: x.Kind, Seats: x.Seats, Filled: x.Filled,
			AreaName: areaName(x.Region), Cap: x.Cap}
		if in := r.Institution(rs.InstitutionID); in != nil {
			rs.Institution = in.Name
		}
		rs.Message = reasonMessage(rs)
		p.Reasons = append(p.Reasons, rs)
	}
	return p
}

// reasonMessage says in Japanese why the doctor did not get a choice.
func reasonMessage(rs Reason) string {
	var b strings.Builder
	fmt.Fprintf(&b, "第%d希望の%s: ", rs.Rank, rs.Institution)
	switch rs.Kind {
	case match.NotRanked:
		b.WriteString("医療機関の順位表にあなたが含まれていませんでした。")
	case match.Full:
		fmt.Fprintf(&b, "枠（%d人）は、医療機関があなたより上位に順位付けした医師で埋まりました。", rs.Seats)
		if rs.AreaName != "" {
			fmt.Fprintf(&b, "枠は%sの配置上限（%d人）に合わせて定員より少なく設定されています。", rs.AreaName, rs.Cap)
		}
	case match.RegionCap:
		fmt.Fprintf(&b, "空きはありましたが、%sの配置上限（%d人）に達していました。", rs.AreaName, rs.Cap)
	default:
		b.WriteString("判定に確認が必要です。都道府県の担当者にお問い合わせください。")
	}
	return b.String()
}

// Placed is a doctor placed at an institution, as its staff see them.
type Placed struct {
	DoctorID   int64
	DoctorName string
	Specialty  string
}

// InstitutionPlacements lists the doctors placed at the institution by a
// published round, to its staff and the round's officers.
func (s *Service) InstitutionPlacements(ctx context.Context, actor policy.Actor, roundID, institutionID int64) ([]Placed, error) {
	r, err := s.institutionRound(ctx, actor, policy.Read, roundID, institutionID)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusPublished {
		return nil, apperr.E(apperr.NotFound, "配置の結果はまだ公開されていません。")
	}
	stored, err := s.Store.Results(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	lists, err := s.Store.Lists(ctx, r.ID)
	if err != nil {
		return nil, err
	}
	specialty := map[int64]string{}
	for _, l := range lists {
		specialty[l.DoctorID] = l.Specialty
	}
	var out []Placed
	for _, res := range stored {
		if res.InstitutionID == institutionID {
			out = append(out, Placed{DoctorID: res.DoctorID, DoctorName: res.DoctorName, Specialty: specialty[res.DoctorID]})
		}
	}
	return out, nil
}
