package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/apperr"
	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/auth"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// eachDB runs fn on a fresh, migrated database of every engine.
func eachDB(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			fn(t, sqlstoretest.Open(t, engine))
		})
	}
}

func mustUser(t *testing.T, db *sqlstore.DB, email string, grants ...identity.Grant) *identity.User {
	t.Helper()
	u := &identity.User{Email: email, DisplayName: "テスト 太郎", PasswordHash: "x", Locale: "ja"}
	if err := db.CreateUser(context.Background(), u, grants); err != nil {
		t.Fatalf("CreateUser(%s): %v", email, err)
	}
	return u
}

func TestUsersAndGrants(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		org := &identity.Organisation{Kind: identity.OrgInstitution, Name: "みなと内科クリニック", Prefecture: "東京都"}
		if err := db.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		u := mustUser(t, db, "a@example.jp", identity.Grant{Role: identity.RoleInstitutionStaff, OrgID: org.ID, OrgAdmin: true})
		got, err := db.UserByEmail(ctx, "a@example.jp")
		if err != nil || got.ID != u.ID || got.CreatedAt.IsZero() {
			t.Fatalf("UserByEmail = %+v, %v", got, err)
		}
		grants, err := db.Grants(ctx, u.ID)
		if err != nil || len(grants) != 1 || grants[0].OrgName != org.Name || !grants[0].OrgAdmin || grants[0].OrgKind != identity.OrgInstitution {
			t.Fatalf("Grants = %+v, %v", grants, err)
		}
		if _, err := db.User(ctx, 9999); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("missing user: err = %v, want not_found", err)
		}
		dup := &identity.User{Email: "a@example.jp", DisplayName: "x", PasswordHash: "x", Locale: "ja"}
		if err := db.CreateUser(ctx, dup, nil); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("duplicate e-mail: err = %v, want conflict", err)
		}
	})
}

func TestSchemaConstraints(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		tests := []struct {
			name   string
			grants []identity.Grant
		}{
			{"doctor with an organisation", []identity.Grant{{Role: identity.RoleDoctor, OrgID: 1}}},
			{"staff without an organisation", []identity.Grant{{Role: identity.RoleAgent}}},
			{"unknown role", []identity.Grant{{Role: "wizard", OrgID: 1}}},
			{"organisation that does not exist", []identity.Grant{{Role: identity.RoleAgent, OrgID: 424242}}},
		}
		org := &identity.Organisation{Kind: identity.OrgAgency, Name: "紹介会社"}
		if err := db.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u := &identity.User{Email: fmt.Sprintf("c%d@example.jp", i), DisplayName: "x", PasswordHash: "x", Locale: "ja"}
				err := db.CreateUser(ctx, u, tt.grants)
				if !apperr.Is(err, apperr.Invalid) {
					t.Fatalf("err = %v, want invalid", err)
				}
				if _, err := db.UserByEmail(ctx, u.Email); !apperr.Is(err, apperr.NotFound) {
					t.Error("user row survived a failed transaction")
				}
			})
		}
		if err := db.CreateOrganisation(ctx, &identity.Organisation{Kind: "shop", Name: "x"}); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("unknown organisation kind: err = %v, want invalid", err)
		}
	})
}

func TestInvitationIsSingleUseAndExpires(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		org := &identity.Organisation{Kind: identity.OrgAgency, Name: "さくら"}
		if err := db.CreateOrganisation(ctx, org); err != nil {
			t.Fatal(err)
		}
		admin := mustUser(t, db, "admin@example.jp", identity.Grant{Role: identity.RoleAgent, OrgID: org.ID, OrgAdmin: true})
		inv := &identity.Invitation{OrgID: org.ID, Role: identity.RoleAgent, Email: "new@example.jp", InvitedBy: admin.ID}
		if err := db.CreateInvitation(ctx, inv, "hash1"); err != nil {
			t.Fatal(err)
		}
		newUser := &identity.User{Email: "new@example.jp", DisplayName: "新人", PasswordHash: "x", Locale: "ja"}
		if _, err := db.AcceptInvitation(ctx, "hash1", 0, newUser); err != nil {
			t.Fatalf("first accept: %v", err)
		}
		other := &identity.User{Email: "other@example.jp", DisplayName: "x", PasswordHash: "x", Locale: "ja"}
		if _, err := db.AcceptInvitation(ctx, "hash1", 0, other); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("second accept: err = %v, want conflict", err)
		}
		if _, err := db.UserByEmail(ctx, "other@example.jp"); !apperr.Is(err, apperr.NotFound) {
			t.Error("a refused acceptance still created its user")
		}
		grants, _ := db.Grants(ctx, newUser.ID)
		if len(grants) != 1 || grants[0].Role != identity.RoleAgent {
			t.Errorf("grants = %+v", grants)
		}

		expired := &identity.Invitation{OrgID: org.ID, Role: identity.RoleAgent, Email: "late@example.jp", InvitedBy: admin.ID}
		if err := db.CreateInvitation(ctx, expired, "hash2"); err != nil {
			t.Fatal(err)
		}
		db.Now = func() time.Time { return time.Now().Add(identity.InvitationTTL + time.Minute) }
		late := &identity.User{Email: "late@example.jp", DisplayName: "x", PasswordHash: "x", Locale: "ja"}
		if _, err := db.AcceptInvitation(ctx, "hash2", 0, late); !apperr.Is(err, apperr.Conflict) {
			t.Errorf("expired accept: err = %v, want conflict", err)
		}
	})
}

func TestSessions(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "s@example.jp", identity.Grant{Role: identity.RoleDoctor})
		now := time.Now().UTC()
		s1 := &auth.Session{UserID: u.ID, Stage: auth.StageFull, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(auth.AbsoluteTimeout)}
		s2 := &auth.Session{UserID: u.ID, Stage: auth.StageFull, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(auth.AbsoluteTimeout)}
		if err := db.CreateSession(ctx, s1, "t1"); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSession(ctx, s2, "t2"); err != nil {
			t.Fatal(err)
		}
		got, err := db.SessionByToken(ctx, "t1")
		if err != nil || got.ID != s1.ID || !got.CreatedAt.Equal(s1.CreatedAt.Truncate(time.Microsecond)) {
			t.Fatalf("SessionByToken = %+v, %v", got, err)
		}
		live, err := db.UserSessions(ctx, u.ID, now)
		if err != nil || len(live) != 2 {
			t.Fatalf("UserSessions = %d, %v", len(live), err)
		}
		if err := db.EndUserSessions(ctx, u.ID, s1.ID); err != nil {
			t.Fatal(err)
		}
		live, _ = db.UserSessions(ctx, u.ID, now)
		if len(live) != 1 || live[0].ID != s1.ID {
			t.Fatalf("after ending others: %+v", live)
		}
		if live, _ := db.UserSessions(ctx, u.ID, now.Add(auth.IdleTimeout+time.Second)); len(live) != 0 {
			t.Errorf("idle sessions listed as live: %d", len(live))
		}
	})
}

func TestTOTPStepAdvancesOnce(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		u := mustUser(t, db, "t@example.jp", identity.Grant{Role: identity.RoleDoctor})
		if err := db.SetTOTP(ctx, u.ID, "sealed", true, []string{"r1", "r2"}); err != nil {
			t.Fatal(err)
		}
		// Many requests race to use the same step; exactly one wins.
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := db.AdvanceTOTPStep(ctx, u.ID, 1000)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d requests used the same TOTP step, want 1", wins)
		}
		if ok, _ := db.AdvanceTOTPStep(ctx, u.ID, 999); ok {
			t.Error("an older step was accepted")
		}
		if ok, _ := db.UseRecoveryCode(ctx, u.ID, "r1"); !ok {
			t.Error("recovery code refused")
		}
		if ok, _ := db.UseRecoveryCode(ctx, u.ID, "r1"); ok {
			t.Error("recovery code used twice")
		}
		if n, _ := db.RecoveryCodesLeft(ctx, u.ID); n != 1 {
			t.Errorf("codes left = %d, want 1", n)
		}
	})
}

func TestAuditChain(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		for i := range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				e := &audit.Entry{Action: audit.LoginSuccess, ActorID: int64(i%5 + 1), SubjectID: int64(i%5 + 1), Detail: "テスト"}
				if err := db.AppendAudit(ctx, e); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		n, err := audit.Verify(ctx, db)
		if err != nil || n != 40 {
			t.Fatalf("Verify = %d, %v; want 40 entries and an intact chain", n, err)
		}
		mine, err := db.ListAudit(ctx, audit.Filter{SubjectID: 3})
		if err != nil || len(mine) != 8 {
			t.Fatalf("entries about user 3 = %d, %v", len(mine), err)
		}

		// The log refuses edits through SQL.
		if _, err := db.ExecForTest(ctx, `UPDATE audit_log SET detail = 'x' WHERE seq = 5`); err == nil {
			t.Fatal("audit_log accepted an UPDATE")
		}
		// An attacker with the database owner's rights can drop the guard;
		// the chain still shows the edit.
		db.DisableAuditGuardForTest(ctx, t)
		if _, err := db.ExecForTest(ctx, `UPDATE audit_log SET detail = '改ざん' WHERE seq = 5`); err != nil {
			t.Fatal(err)
		}
		_, err = audit.Verify(ctx, db)
		var brk *audit.BreakError
		if !asBreak(err, &brk) || brk.Seq != 5 {
			t.Fatalf("Verify after edit = %v, want a break at seq 5", err)
		}
	})
}

func TestAuditDetectsDeletedTail(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		for range 3 {
			if err := db.AppendAudit(ctx, &audit.Entry{Action: audit.Logout}); err != nil {
				t.Fatal(err)
			}
		}
		db.DisableAuditGuardForTest(ctx, t)
		if _, err := db.ExecForTest(ctx, `DELETE FROM audit_log WHERE seq = 3`); err != nil {
			t.Fatal(err)
		}
		if _, err := audit.Verify(ctx, db); err == nil {
			t.Fatal("Verify missed the deleted newest entry")
		}
	})
}

func asBreak(err error, target **audit.BreakError) bool {
	b, ok := err.(*audit.BreakError)
	if ok {
		*target = b
	}
	return ok
}

func TestConcurrentWritesDoNotFailBusy(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		var wg sync.WaitGroup
		errs := make(chan error, 50)
		for i := range 50 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				u := &identity.User{Email: fmt.Sprintf("u%d@example.jp", i), DisplayName: "x", PasswordHash: "x", Locale: "ja"}
				if err := db.CreateUser(ctx, u, []identity.Grant{{Role: identity.RoleDoctor}}); err != nil {
					errs <- err
				}
				if _, err := db.UserByEmail(ctx, u.Email); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}
