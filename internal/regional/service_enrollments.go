package regional

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/jatext"
	"github.com/hakui-dev/hakui/internal/obligation"
	"github.com/hakui-dev/hakui/internal/policy"
)

// EnrollRequest names the doctor, by user ID or e-mail, the program, the
// CC office that will follow the doctor (0 for none) and the first fiscal
// year of the obligation.
type EnrollRequest struct {
	ProgramID        int64
	DoctorID         int64
	DoctorEmail      string
	CoordinatorOrgID int64
	StartYear        int
}

// EnrollmentView is an enrolment with its program, its ledger and what
// the ledger says now.
type EnrollmentView struct {
	Enrollment *Enrollment
	Program    *obligation.Program
	Entries    Entries
	Ledger     obligation.Ledger
	Summary    obligation.Summary
}

// Enroll puts a doctor in a program: by the program's prefecture officers,
// or by a coordinator for their own CC office. The doctor must have a
// doctor account (地域枠 students register as doctors at stage student).
func (s *Service) Enroll(ctx context.Context, actor policy.Actor, req EnrollRequest) (*Enrollment, error) {
	p, err := s.Store.Program(ctx, req.ProgramID)
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.InvalidFields(map[string]string{"program_id": "プログラムが見つかりません。"})
	}
	if err != nil {
		return nil, err
	}
	if req.CoordinatorOrgID != 0 {
		if _, err := s.orgOfKind(ctx, req.CoordinatorOrgID, "coordinator_org_id", "キャリアコーディネーターの所属（大学または都道府県）を選んでください。",
			identity.OrgUniversity, identity.OrgPrefecture); err != nil {
			return nil, err
		}
	}
	obj := policy.Object{Kind: policy.KindEnrollment, OrgID: p.PrefectureOrgID, PartnerOrgID: req.CoordinatorOrgID}
	if err := s.Guard.Check(ctx, actor, policy.Create, obj); err != nil {
		return nil, err
	}
	doctor, err := s.doctor(ctx, req)
	if err != nil {
		return nil, err
	}
	if req.StartYear < obligation.MinFiscalYear || req.StartYear > obligation.MaxFiscalYear {
		return nil, apperr.InvalidFields(map[string]string{"start_year": "義務の開始年度を入力してください。"})
	}
	now := s.now()
	e := &Enrollment{ProgramID: p.ID, PrefectureOrgID: p.PrefectureOrgID, DoctorID: doctor.ID, CoordinatorOrgID: req.CoordinatorOrgID,
		StartYear: req.StartYear, CreatedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	if err := s.Store.CreateEnrollment(ctx, e); err != nil {
		if apperr.Is(err, apperr.Conflict) {
			return nil, apperr.InvalidFields(map[string]string{"doctor": "この医師はすでにこのプログラムに登録されています。"})
		}
		return nil, err
	}
	return s.Store.Enrollment(ctx, e.ID)
}

// doctor finds the account to enrol and checks it is a doctor's.
func (s *Service) doctor(ctx context.Context, req EnrollRequest) (*identity.User, error) {
	var u *identity.User
	var err error
	switch {
	case req.DoctorID != 0:
		u, err = s.Store.User(ctx, req.DoctorID)
	case strings.TrimSpace(req.DoctorEmail) != "":
		u, err = s.Store.UserByEmail(ctx, jatext.NormalizeEmail(req.DoctorEmail))
	default:
		return nil, apperr.InvalidFields(map[string]string{"doctor": "医師のメールアドレスを入力してください。"})
	}
	if apperr.Is(err, apperr.NotFound) {
		return nil, apperr.InvalidFields(map[string]string{"doctor": "この医師のアカウントが見つかりません。先に医師として登録してもらってください。"})
	}
	if err != nil {
		return nil, err
	}
	grants, err := s.Store.Grants(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	if !slices.ContainsFunc(grants, func(g identity.Grant) bool { return g.Role == identity.RoleDoctor }) || u.DisabledAt != nil {
		return nil, apperr.InvalidFields(map[string]string{"doctor": "医師（医学生を含む）のアカウントではありません。"})
	}
	return u, nil
}

// ledger builds the obligation ledger of an enrolment.
func ledger(p *obligation.Program, e *Enrollment, en *Entries) obligation.Ledger {
	l := obligation.Ledger{Program: *p, StartYear: e.StartYear, Departure: e.Departure}
	for _, x := range en.Placements {
		l.Placements = append(l.Placements, x.Placement)
	}
	for _, x := range en.Suspensions {
		l.Suspensions = append(l.Suspensions, x.Suspension)
	}
	return l
}

// view loads the program and the entries of e and summarises them now.
func (s *Service) view(ctx context.Context, e *Enrollment) (*EnrollmentView, error) {
	p, err := s.Store.Program(ctx, e.ProgramID)
	if err != nil {
		return nil, err
	}
	entries, err := s.Store.Entries(ctx, []int64{e.ID})
	if err != nil {
		return nil, err
	}
	v := &EnrollmentView{Enrollment: e, Program: p}
	if en := entries[e.ID]; en != nil {
		v.Entries = *en
	}
	v.Ledger = ledger(p, e, &v.Entries)
	v.Summary = obligation.Summarise(v.Ledger, s.now())
	return v, nil
}

// loadEnrollment loads an enrolment the actor may act on, hiding the ones
// it may not even see.
func (s *Service) loadEnrollment(ctx context.Context, actor policy.Actor, action policy.Action, id int64) (*Enrollment, error) {
	e, err := s.Store.Enrollment(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.Guard.Check(ctx, actor, action, enrollmentObject(e)); err != nil {
		if action != policy.Read && policy.Decide(actor, policy.Read, enrollmentObject(e)).Allow {
			return nil, err // they know it exists; say they may not change it
		}
		return nil, hidden(err)
	}
	return e, nil
}

// Enrollment returns an enrolment with its ledger and its summary as of
// now. A read by anyone but the doctor is audited, so the doctor sees who
// looked.
func (s *Service) Enrollment(ctx context.Context, actor policy.Actor, id int64) (*EnrollmentView, error) {
	e, err := s.loadEnrollment(ctx, actor, policy.Read, id)
	if err != nil {
		return nil, err
	}
	v, err := s.view(ctx, e)
	if err != nil {
		return nil, err
	}
	if err := s.staffRead(ctx, actor, e, policy.KindEnrollment, e.ID, "地域枠の義務履行台帳"); err != nil {
		return nil, err
	}
	return v, nil
}

// Enrollments lists enrolments with their summaries and statuses now, for
// the officers of the prefecture (f.PrefectureOrgID, or the program's) and
// the coordinators of the CC office (f.CoordinatorOrgID).
func (s *Service) Enrollments(ctx context.Context, actor policy.Actor, f EnrollmentFilter) ([]EnrollmentView, error) {
	if f.ProgramID != 0 {
		p, err := s.Store.Program(ctx, f.ProgramID)
		if err != nil {
			return nil, err
		}
		if f.PrefectureOrgID == 0 && f.CoordinatorOrgID == 0 {
			f.PrefectureOrgID = p.PrefectureOrgID
		}
	}
	if f.PrefectureOrgID == 0 && f.CoordinatorOrgID == 0 && f.DoctorID == 0 {
		return nil, apperr.E(apperr.Invalid, "都道府県またはキャリアコーディネーターの所属を指定してください。")
	}
	obj := policy.Object{Kind: policy.KindEnrollment, OrgID: f.PrefectureOrgID, PartnerOrgID: f.CoordinatorOrgID, OwnerID: f.DoctorID}
	if err := s.Guard.Check(ctx, actor, policy.List, obj); err != nil {
		return nil, err
	}
	list, err := s.Store.Enrollments(ctx, f)
	if err != nil {
		return nil, err
	}
	// The query and the check agree; check each row all the same.
	list = slices.DeleteFunc(list, func(e Enrollment) bool {
		return !policy.Decide(actor, policy.Read, enrollmentObject(&e)).Allow
	})
	return s.summarise(ctx, list, f.Status)
}

// MyEnrollments lists the actor's own enrolments with their summaries.
func (s *Service) MyEnrollments(ctx context.Context, actor policy.Actor) ([]EnrollmentView, error) {
	return s.Enrollments(ctx, actor, EnrollmentFilter{DoctorID: actor.UserID})
}

// Enrolled reports whether the actor is a doctor enrolled in any program.
// It is one query, for the menu on every page; it reveals nothing but
// the actor's own enrolment.
func (s *Service) Enrolled(ctx context.Context, actor policy.Actor) (bool, error) {
	if actor.Anonymous() {
		return false, nil
	}
	list, err := s.Store.Enrollments(ctx, EnrollmentFilter{DoctorID: actor.UserID})
	return len(list) > 0, err
}

// summarise loads the programs and ledgers of the enrolments and keeps
// the ones with the status (all for "").
func (s *Service) summarise(ctx context.Context, list []Enrollment, status obligation.Status) ([]EnrollmentView, error) {
	ids := make([]int64, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	entries, err := s.Store.Entries(ctx, ids)
	if err != nil {
		return nil, err
	}
	programs := map[int64]*obligation.Program{}
	now := s.now()
	views := make([]EnrollmentView, 0, len(list))
	for i := range list {
		e := &list[i]
		p := programs[e.ProgramID]
		if p == nil {
			if p, err = s.Store.Program(ctx, e.ProgramID); err != nil {
				return nil, err
			}
			programs[e.ProgramID] = p
		}
		v := EnrollmentView{Enrollment: e, Program: p}
		if en := entries[e.ID]; en != nil {
			v.Entries = *en
		}
		v.Ledger = ledger(p, e, &v.Entries)
		v.Summary = obligation.Summarise(v.Ledger, now)
		if status == "" || v.Summary.Status == status {
			views = append(views, v)
		}
	}
	return views, nil
}

// forLedger loads an enrolment for a ledger change by its officers or
// coordinators, at the version the actor saw.
func (s *Service) forLedger(ctx context.Context, actor policy.Actor, id int64, version int) (*EnrollmentView, error) {
	e, err := s.loadEnrollment(ctx, actor, policy.Update, id)
	if err != nil {
		return nil, err
	}
	if e.Version != version {
		return nil, conflict(apperr.E(apperr.Conflict, "stale version"), "この台帳")
	}
	return s.view(ctx, e)
}

// saveLedger stores the change and returns the enrolment as it now is.
func (s *Service) saveLedger(ctx context.Context, v *EnrollmentView, ch LedgerChange) (*EnrollmentView, error) {
	if err := s.Store.SaveLedger(ctx, v.Enrollment, ch); err != nil {
		return nil, conflict(err, "この台帳")
	}
	e, err := s.Store.Enrollment(ctx, v.Enrollment.ID)
	if err != nil {
		return nil, err
	}
	return s.view(ctx, e)
}

// monthsIn counts the months the ledger already holds in a fiscal year.
func monthsIn(en *Entries, year int) int {
	n := 0
	for _, p := range en.Placements {
		if p.FiscalYear == year {
			n += p.Months
		}
	}
	for _, sp := range en.Suspensions {
		if sp.FiscalYear == year {
			n += sp.Months
		}
	}
	return n
}

// checkYear checks the year of a new entry against the enrolment and the
// months already recorded in it.
func checkYear(v *EnrollmentView, year, months int, fields map[string]string) {
	if year < v.Enrollment.StartYear {
		fields["fiscal_year"] = fmt.Sprintf("義務の開始（%d年度）より前の年度です。", v.Enrollment.StartYear)
		return
	}
	if used := monthsIn(&v.Entries, year); months > 0 && used+months > 12 {
		fields["months"] = fmt.Sprintf("%d年度はすでに%dか月が記録されています。年度の合計は12か月までです。", year, used)
	}
}

// AddPlacement records a stretch of service, by the enrolment's officers
// or coordinators, at the enrolment version they saw. The area is given by
// its code (empty outside the prefecture); its class that year comes from
// the prefecture's area classes.
func (s *Service) AddPlacement(ctx context.Context, actor policy.Actor, enrollmentID int64, version int, p obligation.Placement) (*EnrollmentView, error) {
	v, err := s.forLedger(ctx, actor, enrollmentID, version)
	if err != nil {
		return nil, err
	}
	entry := &PlacementEntry{EnrollmentID: v.Enrollment.ID, RecordedBy: actor.UserID, RecordedAt: s.now()}
	fields := map[string]string{}
	p.AreaCode, p.Area, p.Class = jatext.NormalizeLine(p.AreaCode), "", ""
	switch {
	case p.Outside:
		p.AreaCode = ""
	case p.AreaCode == "":
		fields["area_code"] = "医療圏を選んでください（県外の場合は県外を選んでください）。"
	default:
		areas, err := s.Store.Areas(ctx, v.Program.PrefectureOrgID)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(areas, func(a Area) bool { return a.Code == p.AreaCode })
		switch {
		case i < 0:
			fields["area_code"] = "この県の医療圏ではありません。"
		case areas[i].Classes[p.FiscalYear] == "":
			fields["area_code"] = fmt.Sprintf("%sの%d年度の区分（医師少数区域など）がまだ設定されていません。", areas[i].Name, p.FiscalYear)
		default:
			entry.AreaID, p.Area, p.Class = areas[i].ID, areas[i].Name, areas[i].Classes[p.FiscalYear]
		}
	}
	if p.InstitutionID != 0 {
		org, err := s.orgOfKind(ctx, p.InstitutionID, "institution_id", "医療機関が見つかりません。", identity.OrgInstitution)
		if err != nil {
			return nil, err
		}
		p.Institution = org.Name
	}
	for k, msg := range p.Validate(*v.Program) {
		if k == "class" && fields["area_code"] != "" {
			continue // said already, with the area's name
		}
		fields[k] = msg
	}
	checkYear(v, p.FiscalYear, p.Months, fields)
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	entry.Placement = p
	return s.saveLedger(ctx, v, LedgerChange{AddPlacement: entry})
}

// AddSuspension records a suspension (一時中断), by the enrolment's
// officers or coordinators, at the enrolment version they saw.
func (s *Service) AddSuspension(ctx context.Context, actor policy.Actor, enrollmentID int64, version int, sp obligation.Suspension) (*EnrollmentView, error) {
	v, err := s.forLedger(ctx, actor, enrollmentID, version)
	if err != nil {
		return nil, err
	}
	fields := map[string]string{}
	maps.Copy(fields, sp.Validate(*v.Program))
	checkYear(v, sp.FiscalYear, sp.Months, fields)
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	entry := &SuspensionEntry{EnrollmentID: v.Enrollment.ID, Suspension: sp, RecordedBy: actor.UserID, RecordedAt: s.now()}
	return s.saveLedger(ctx, v, LedgerChange{AddSuspension: entry})
}

// RemoveEntry removes a ledger entry recorded in error, at the enrolment
// version the actor saw. The removal is audited with what it removed.
func (s *Service) RemoveEntry(ctx context.Context, actor policy.Actor, enrollmentID int64, version int, kind EntryKind, entryID int64) (*EnrollmentView, error) {
	v, err := s.forLedger(ctx, actor, enrollmentID, version)
	if err != nil {
		return nil, err
	}
	var ch LedgerChange
	var detail string
	switch kind {
	case EntryPlacement:
		i := slices.IndexFunc(v.Entries.Placements, func(p PlacementEntry) bool { return p.ID == entryID })
		if i < 0 {
			return nil, apperr.E(apperr.NotFound, "記録が見つかりません。")
		}
		p := v.Entries.Placements[i]
		ch.RemovePlacement = entryID
		detail = fmt.Sprintf("勤務 %d年度 %dか月 %s", p.FiscalYear, p.Months, p.Institution)
	case EntrySuspension:
		i := slices.IndexFunc(v.Entries.Suspensions, func(sp SuspensionEntry) bool { return sp.ID == entryID })
		if i < 0 {
			return nil, apperr.E(apperr.NotFound, "記録が見つかりません。")
		}
		sp := v.Entries.Suspensions[i]
		ch.RemoveSuspension = entryID
		detail = fmt.Sprintf("中断 %d年度 %dか月 %s", sp.FiscalYear, sp.Months, sp.Reason)
	default:
		return nil, apperr.E(apperr.Invalid, "記録の種類が不明です。")
	}
	out, err := s.saveLedger(ctx, v, ch)
	if err != nil {
		return nil, err
	}
	s.Audit.Try(ctx, auditEntry(AuditEntryRemoved, actor, v.Enrollment, detail))
	return out, nil
}

// RecordDeparture records that the doctor left the program (離脱), with
// the reason and whether the prefecture consented, at the enrolment
// version the actor saw. Recording again corrects it.
func (s *Service) RecordDeparture(ctx context.Context, actor policy.Actor, enrollmentID int64, version int, d obligation.Departure) (*EnrollmentView, error) {
	v, err := s.forLedger(ctx, actor, enrollmentID, version)
	if err != nil {
		return nil, err
	}
	d.Reason = strings.TrimSpace(d.Reason)
	fields := map[string]string{}
	if d.On.IsZero() {
		fields["on"] = "離脱日を入力してください。"
	}
	if n := len([]rune(d.Reason)); n == 0 || n > 1000 {
		fields["reason"] = "離脱の理由を1000文字以内で入力してください。"
	}
	if len(fields) > 0 {
		return nil, apperr.InvalidFields(fields)
	}
	y, m, day := d.On.Date()
	d.On = time.Date(y, m, day, 0, 0, 0, 0, time.UTC)
	e := *v.Enrollment
	e.Departure, e.DepartureBy = &d, actor.UserID
	v.Enrollment = &e
	out, err := s.saveLedger(ctx, v, LedgerChange{})
	if err != nil {
		return nil, err
	}
	consent := "県の同意なし"
	if d.Consented {
		consent = "県の同意あり"
	}
	s.Audit.Try(ctx, auditEntry(AuditDeparture, actor, &e, d.On.Format("2006-01-02")+" "+consent+": "+d.Reason))
	return out, nil
}
