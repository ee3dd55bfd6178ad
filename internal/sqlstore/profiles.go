package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/hakui-dev/hakui/internal/career"
	"github.com/hakui-dev/hakui/internal/profile"
)

// Profile returns a doctor's profile; a doctor who never saved one gets an
// empty profile, not an error.
func (db *DB) Profile(ctx context.Context, userID int64) (*profile.Profile, error) {
	p := &profile.Profile{UserID: userID, PracticeForm: career.PracticeEmployed}
	var specialties, subs, langs, kinds, weekdays, prefs string
	var gradYear sql.NullInt64
	var verified sql.NullTime
	err := db.read.QueryRowContext(ctx, `SELECT name_kanji, name_kana, graduation_year, registration_number,
		registration_verified_at, workplace, practice_form, prefecture, city, specialties, subspecialties, languages, bio,
		pref_kinds, pref_weekdays, pref_remote_only, pref_min_hourly_yen, pref_min_annual_yen, pref_prefectures,
		show_name, show_workplace, show_contact, updated_at
		FROM doctor_profiles WHERE user_id = $1`, userID).Scan(&p.NameKanji, &p.NameKana, &gradYear, &p.RegistrationNumber,
		&verified, &p.Workplace, &p.PracticeForm, &p.Prefecture, &p.City, &specialties, &subs, &langs, &p.Bio,
		&kinds, &weekdays, &p.Preferences.RemoteOnly, &p.Preferences.MinHourlyYen, &p.Preferences.MinAnnualYen, &prefs,
		&p.Visibility.ShowName, &p.Visibility.ShowWorkplace, &p.Visibility.ShowContact, &p.UpdatedAt)
	switch {
	case err == sql.ErrNoRows:
	case err != nil:
		return nil, mapErr(err)
	default:
		p.GraduationYear = int(gradYear.Int64)
		p.RegistrationVerifiedAt = nullTime(verified)
		for _, f := range []struct {
			src string
			dst any
		}{{specialties, &p.Specialties}, {subs, &p.Subspecialties}, {langs, &p.Languages}, {kinds, &p.Preferences.Kinds},
			{weekdays, &p.Preferences.Weekdays}, {prefs, &p.Preferences.Prefectures}} {
			if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
				return nil, err
			}
		}
	}
	if err := db.loadCareer(ctx, p); err != nil {
		return nil, err
	}
	return p, nil
}

func (db *DB) loadCareer(ctx context.Context, p *profile.Profile) error {
	rows, err := db.read.QueryContext(ctx, `SELECT kind, on_date, specialty, program FROM career_events WHERE user_id = $1 ORDER BY on_date, id`, p.UserID)
	if err != nil {
		return mapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e career.Event
		var date string
		if err := rows.Scan(&e.Kind, &date, &e.Specialty, &e.Program); err != nil {
			return mapErr(err)
		}
		d, err := time.ParseInLocation(time.DateOnly, date, jst)
		if err != nil {
			return err
		}
		e.Date = d
		p.Events = append(p.Events, e)
	}
	if err := rows.Err(); err != nil {
		return mapErr(err)
	}
	rows.Close()
	crows, err := db.read.QueryContext(ctx, `SELECT name, specialty, obtained_on FROM certifications WHERE user_id = $1 ORDER BY obtained_on, id`, p.UserID)
	if err != nil {
		return mapErr(err)
	}
	defer crows.Close()
	for crows.Next() {
		var c profile.Certification
		if err := crows.Scan(&c.Name, &c.Specialty, &c.ObtainedOn); err != nil {
			return mapErr(err)
		}
		p.Certifications = append(p.Certifications, c)
	}
	if err := crows.Err(); err != nil {
		return mapErr(err)
	}
	skills, err := db.skills(ctx, p.UserID)
	if err != nil {
		return err
	}
	p.Skills = skills
	trows, err := db.read.QueryContext(ctx, `SELECT track FROM doctor_tracks WHERE user_id = $1 ORDER BY chosen_at, track`, p.UserID)
	if err != nil {
		return mapErr(err)
	}
	defer trows.Close()
	for trows.Next() {
		var t string
		if err := trows.Scan(&t); err != nil {
			return mapErr(err)
		}
		p.Tracks = append(p.Tracks, t)
	}
	return mapErr(trows.Err())
}

func (db *DB) skills(ctx context.Context, userID int64) ([]career.Skill, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT s.code, s.level, s.years, s.cases, s.evidence FROM doctor_skills s
		JOIN competencies c ON c.code = s.code WHERE s.user_id = $1 ORDER BY c.position, s.code`, userID)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var skills []career.Skill
	for rows.Next() {
		var s career.Skill
		if err := rows.Scan(&s.Code, &s.Level, &s.Years, &s.Cases, &s.Evidence); err != nil {
			return nil, mapErr(err)
		}
		skills = append(skills, s)
	}
	return skills, mapErr(rows.Err())
}

var jst = career.JST

// SaveProfile writes the whole profile in one transaction, replacing its
// events, certifications, skills and tracks.
func (db *DB) SaveProfile(ctx context.Context, p *profile.Profile) error {
	now := utc(db.Now())
	p.UpdatedAt = now
	var grad any
	if p.GraduationYear != 0 {
		grad = p.GraduationYear
	}
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO doctor_profiles (user_id, name_kanji, name_kana, graduation_year,
			registration_number, workplace, practice_form, prefecture, city, specialties, subspecialties, languages, bio,
			pref_kinds, pref_weekdays, pref_remote_only, pref_min_hourly_yen, pref_min_annual_yen, pref_prefectures,
			show_name, show_workplace, show_contact, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)
			ON CONFLICT (user_id) DO UPDATE SET name_kanji = excluded.name_kanji, name_kana = excluded.name_kana,
			graduation_year = excluded.graduation_year,
			registration_verified_at = CASE WHEN doctor_profiles.registration_number = excluded.registration_number
				THEN doctor_profiles.registration_verified_at ELSE NULL END,
			registration_number = excluded.registration_number, workplace = excluded.workplace,
			practice_form = excluded.practice_form, prefecture = excluded.prefecture, city = excluded.city,
			specialties = excluded.specialties, subspecialties = excluded.subspecialties, languages = excluded.languages,
			bio = excluded.bio, pref_kinds = excluded.pref_kinds, pref_weekdays = excluded.pref_weekdays,
			pref_remote_only = excluded.pref_remote_only, pref_min_hourly_yen = excluded.pref_min_hourly_yen,
			pref_min_annual_yen = excluded.pref_min_annual_yen, pref_prefectures = excluded.pref_prefectures,
			show_name = excluded.show_name, show_workplace = excluded.show_workplace, show_contact = excluded.show_contact,
			updated_at = excluded.updated_at`,
			p.UserID, p.NameKanji, p.NameKana, grad, p.RegistrationNumber, p.Workplace, p.PracticeForm, p.Prefecture, p.City,
			mustJSON(nonNil(p.Specialties)), mustJSON(nonNil(p.Subspecialties)), mustJSON(nonNil(p.Languages)), p.Bio,
			mustJSON(nonNil(p.Preferences.Kinds)), mustJSON(nonNil(p.Preferences.Weekdays)), p.Preferences.RemoteOnly,
			p.Preferences.MinHourlyYen, p.Preferences.MinAnnualYen, mustJSON(nonNil(p.Preferences.Prefectures)),
			p.Visibility.ShowName, p.Visibility.ShowWorkplace, p.Visibility.ShowContact, now)
		if err != nil {
			return err
		}
		for _, table := range []string{"career_events", "certifications", "doctor_skills", "doctor_tracks"} {
			if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE user_id = $1`, p.UserID); err != nil {
				return err
			}
		}
		for _, e := range p.Events {
			if _, err := tx.ExecContext(ctx, `INSERT INTO career_events (user_id, kind, on_date, specialty, program, created_at)
				VALUES ($1, $2, $3, $4, $5, $6)`, p.UserID, e.Kind, e.Date.In(jst).Format(time.DateOnly), e.Specialty, e.Program, now); err != nil {
				return err
			}
		}
		for _, c := range p.Certifications {
			if _, err := tx.ExecContext(ctx, `INSERT INTO certifications (user_id, name, specialty, obtained_on) VALUES ($1, $2, $3, $4)`,
				p.UserID, c.Name, c.Specialty, c.ObtainedOn); err != nil {
				return err
			}
		}
		for _, s := range p.Skills {
			if _, err := tx.ExecContext(ctx, `INSERT INTO doctor_skills (user_id, code, level, years, cases, evidence) VALUES ($1, $2, $3, $4, $5, $6)`,
				p.UserID, s.Code, s.Level, s.Years, s.Cases, s.Evidence); err != nil {
				return err
			}
		}
		for _, t := range p.Tracks {
			if _, err := tx.ExecContext(ctx, `INSERT INTO doctor_tracks (user_id, track, chosen_at) VALUES ($1, $2, $3)`, p.UserID, t, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// VerifyRegistration records that an administrator checked the doctor's
// 医籍登録番号.
func (db *DB) VerifyRegistration(ctx context.Context, userID, adminID int64) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		return execOne(ctx, tx, `UPDATE doctor_profiles SET registration_verified_at = $1, registration_verified_by = $2
			WHERE user_id = $3 AND registration_number <> ''`, utc(db.Now()), adminID, userID)
	})
}

// Competencies returns the vocabulary in display order, retired ones
// excluded unless all.
func (db *DB) Competencies(ctx context.Context, all bool) ([]career.Competency, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT code, grp, name, description FROM competencies
		WHERE retired = $1 OR $2 ORDER BY position, code`, false, all)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []career.Competency
	for rows.Next() {
		var c career.Competency
		if err := rows.Scan(&c.Code, &c.Group, &c.Name, &c.Description); err != nil {
			return nil, mapErr(err)
		}
		list = append(list, c)
	}
	return list, mapErr(rows.Err())
}

// SeedCompetencies inserts the competencies that do not exist yet, keeping
// what administrators changed.
func (db *DB) SeedCompetencies(ctx context.Context, list []career.Competency) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		for i, c := range list {
			if _, err := tx.ExecContext(ctx, `INSERT INTO competencies (code, grp, name, description, position) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (code) DO NOTHING`, c.Code, c.Group, c.Name, c.Description, i*10); err != nil {
				return err
			}
		}
		return nil
	})
}

// SaveCompetency adds or changes one competency of the vocabulary.
func (db *DB) SaveCompetency(ctx context.Context, c career.Competency, retired bool) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO competencies (code, grp, name, description, position, retired)
			VALUES ($1, $2, $3, $4, (SELECT COALESCE(MAX(position), 0) + 10 FROM competencies), $5)
			ON CONFLICT (code) DO UPDATE SET grp = excluded.grp, name = excluded.name, description = excluded.description,
			retired = excluded.retired`, c.Code, c.Group, c.Name, c.Description, retired)
		return err
	})
}

// PendingRegistration is a doctor whose 医籍登録番号 awaits an
// administrator's check.
type PendingRegistration struct {
	UserID             int64
	DisplayName        string
	NameKanji          string
	RegistrationNumber string
	GraduationYear     int
}

// PendingRegistrations lists the doctors whose registration number is
// entered but not yet verified, oldest first.
func (db *DB) PendingRegistrations(ctx context.Context) ([]PendingRegistration, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT p.user_id, u.display_name, p.name_kanji, p.registration_number,
		COALESCE(p.graduation_year, 0) FROM doctor_profiles p JOIN users u ON u.id = p.user_id
		WHERE p.registration_number <> '' AND p.registration_verified_at IS NULL ORDER BY p.updated_at LIMIT 200`)
	if err != nil {
		return nil, mapErr(err)
	}
	defer rows.Close()
	var list []PendingRegistration
	for rows.Next() {
		var p PendingRegistration
		if err := rows.Scan(&p.UserID, &p.DisplayName, &p.NameKanji, &p.RegistrationNumber, &p.GraduationYear); err != nil {
			return nil, mapErr(err)
		}
		list = append(list, p)
	}
	return list, mapErr(rows.Err())
}
