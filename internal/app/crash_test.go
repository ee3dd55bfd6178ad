package app_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hakui-dev/hakui/internal/audit"
	"github.com/hakui-dev/hakui/internal/identity"
	"github.com/hakui-dev/hakui/internal/notify"
	"github.com/hakui-dev/hakui/internal/sqlstore"
	"github.com/hakui-dev/hakui/internal/sqlstore/sqlstoretest"
)

// The crash test runs only when crashEnv is "1" (CI sets it). The writer
// process learns its database and user from the other two variables.
const (
	crashEnv       = "HAKUI_TEST_CRASH"
	crashSeedEnv   = "HAKUI_TEST_CRASH_SEED"
	crashDSNEnv    = "HAKUI_CRASH_WRITER_DSN"
	crashUserEnv   = "HAKUI_CRASH_WRITER_USER"
	crashKills     = 100
	crashMaxAcks   = 12 // k, the acknowledgements read before a kill, is 1..crashMaxAcks
	crashNotifKind = "crash_test"
)

// TestCrash kills a writer process with SIGKILL at random moments, 100
// times per engine on one growing database, and checks after each kill that
// every acknowledged write is present, the database is intact and the audit
// chain verifies (issue #9, "Crash and concurrency").
func TestCrash(t *testing.T) {
	if os.Getenv(crashEnv) != "1" {
		t.Skip("crash test: set " + crashEnv + "=1 to run it (CI does)")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashSeedEnv); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s: %v", crashSeedEnv, err)
		}
	}
	t.Logf("seed %d (rerun with %s=%d)", seed, crashSeedEnv, seed)
	for _, engine := range sqlstoretest.Engines() {
		t.Run(string(engine), func(t *testing.T) {
			runCrashRounds(t, sqlstoretest.DSN(t, engine), rand.New(rand.NewPCG(seed, uint64(len(engine)))))
		})
	}
}

// crashAck is one acknowledged write: an audit entry and the notification
// it names.
type crashAck struct {
	seq, notificationID int64
}

func runCrashRounds(t *testing.T, dsn string, rng *rand.Rand) {
	ctx := t.Context()
	start := time.Now()

	// The parent migrates and makes the user the notifications belong to.
	db := sqlstoretest.OpenDSN(t, dsn)
	user := &identity.User{Email: "crash@example.jp", DisplayName: "クラッシュ 試験", Locale: "ja"}
	if err := db.CreateUser(ctx, user, []identity.Grant{{Role: identity.RoleDoctor}}); err != nil {
		t.Fatalf("CreateUser: %v", err)
	}
	db.Close()

	var acks []crashAck
	var midWrite int
	var entries, notes int
	for round := 1; round <= crashKills; round++ {
		// Kill right after the k-th acknowledgement, or, in a third of the
		// rounds, right after the notification of the write that follows it
		// is committed: the kill then lands while its audit entry is in
		// flight.
		k := 1 + rng.IntN(crashMaxAcks)
		mid := rng.IntN(3) == 0
		if mid {
			midWrite++
		}
		got := runCrashWriter(t, dsn, user.ID, k, mid)
		acks = append(acks, got...)
		var err error
		if entries, notes, err = checkCrashDB(ctx, dsn, user.ID, acks, round); err != nil {
			t.Fatalf("round %d (k=%d, mid-write=%v, %d acknowledged so far): %v", round, k, mid, len(acks), err)
		}
	}
	integrity := "PRAGMA integrity_check ok"
	if db.Dialect() != sqlstore.SQLite {
		integrity = "no integrity pragma on this engine"
	}
	// Writes beyond the acknowledged ones were in flight when a kill
	// landed and committed before it.
	t.Logf("%d kills (%d aimed mid-write), %d acknowledged writes all present, %d audit entries and %d notifications stored; "+
		"audit chain verified after every kill; %s; %s",
		crashKills, midWrite, len(acks), entries, notes, integrity, time.Since(start).Round(time.Millisecond))
}

// runCrashWriter starts the writer (this test binary re-executed), kills it
// with SIGKILL as told, and returns every acknowledgement it printed,
// including those still in the pipe when the kill landed.
func runCrashWriter(t *testing.T, dsn string, userID int64, k int, mid bool) []crashAck {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriterProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDSNEnv+"="+dsn, crashUserEnv+"="+strconv.FormatInt(userID, 10))
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start writer: %v", err)
	}
	var acks []crashAck
	killed := false
	kill := func() {
		if !killed {
			cmd.Process.Kill() // SIGKILL on Unix
			killed = true
		}
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		line := lines.Text()
		switch {
		case strings.HasPrefix(line, "ack "):
			var a crashAck
			if _, err := fmt.Sscanf(line, "ack %d %d", &a.seq, &a.notificationID); err != nil {
				kill()
				t.Fatalf("writer printed %q: %v", line, err)
			}
			acks = append(acks, a)
			if len(acks) == k && !mid {
				kill()
			}
		case strings.HasPrefix(line, "notified "):
			if len(acks) == k && mid {
				kill()
			}
		}
	}
	kill()
	werr := cmd.Wait()
	if len(acks) < k {
		t.Fatalf("writer stopped after %d of %d acknowledgements: %v\n%s", len(acks), k, werr, stderr.Bytes())
	}
	return acks
}

// checkCrashDB opens the database afresh after a kill, checks it, and
// returns how many audit entries and notifications it holds.
func checkCrashDB(ctx context.Context, dsn string, userID int64, acks []crashAck, kills int) (entries, notes int, err error) {
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		return 0, 0, fmt.Errorf("reopen: %w", err)
	}
	defer db.Close()
	if err := db.IntegrityCheck(ctx); err != nil {
		return 0, 0, err
	}
	n, err := audit.Verify(ctx, db)
	if err != nil {
		return 0, 0, fmt.Errorf("audit.Verify after %d entries: %w", n, err)
	}
	// Each kill leaves at most one unacknowledged audit entry behind.
	if n < int64(len(acks)) || n > int64(len(acks)+kills) {
		return 0, 0, fmt.Errorf("audit log holds %d entries for %d acknowledged writes and %d kills", n, len(acks), kills)
	}
	named := make(map[int64]int64, n) // seq → the notification the entry names
	err = db.WalkAudit(ctx, func(e audit.Entry) error {
		if e.ObjectKind == "notification" {
			named[e.Seq] = e.ObjectID
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	list, err := db.Notifications(ctx, userID, 1<<30)
	if err != nil {
		return 0, 0, err
	}
	stored := make(map[int64]bool, len(list))
	for _, note := range list {
		stored[note.ID] = note.Kind == crashNotifKind
	}
	for _, a := range acks {
		if id, ok := named[a.seq]; !ok || id != a.notificationID {
			return 0, 0, fmt.Errorf("acknowledged audit entry %d (notification %d) is missing or changed: found notification %d", a.seq, a.notificationID, id)
		}
		if !stored[a.notificationID] {
			return 0, 0, fmt.Errorf("acknowledged notification %d is missing", a.notificationID)
		}
	}
	return int(n), len(list), nil
}

// TestCrashWriterProcess is the writer half of TestCrash, run in a child
// process. It writes until killed: a notification, then an audit entry
// naming it through the recorder, each committed in its own transaction,
// and only then prints "ack <auditSeq> <notificationID>".
func TestCrashWriterProcess(t *testing.T) {
	dsn := os.Getenv(crashDSNEnv)
	if dsn == "" {
		t.Skip("the writer half of TestCrash; TestCrash starts it")
	}
	userID, err := strconv.ParseInt(os.Getenv(crashUserEnv), 10, 64)
	if err != nil {
		t.Fatalf("%s: %v", crashUserEnv, err)
	}
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	store := &seqStore{Store: db}
	rec := &audit.Recorder{Store: store, Log: slog.New(slog.DiscardHandler)}
	for i := 1; ; i++ {
		note := &notify.Notification{UserID: userID, Kind: crashNotifKind, Title: "crash write " + strconv.Itoa(i)}
		if err := db.CreateNotification(ctx, note); err != nil {
			t.Fatalf("CreateNotification: %v", err)
		}
		fmt.Fprintf(os.Stdout, "notified %d\n", note.ID)
		err := rec.Record(ctx, audit.Entry{ActorID: userID, SubjectID: userID, Action: audit.AdminAction,
			ObjectKind: "notification", ObjectID: note.ID, Detail: "crash write " + strconv.Itoa(i)})
		if err != nil {
			t.Fatalf("Record: %v", err)
		}
		fmt.Fprintf(os.Stdout, "ack %d %d\n", store.seq, note.ID)
	}
}

// seqStore remembers the Seq of the last entry appended, which Recorder
// does not hand back.
type seqStore struct {
	audit.Store
	seq int64
}

func (s *seqStore) AppendAudit(ctx context.Context, e *audit.Entry) error {
	err := s.Store.AppendAudit(ctx, e)
	s.seq = e.Seq
	return err
}
