package sqlstore_test

import (
	"context"
	"testing"

	"github.com/hakui-dev/hakui/internal/sqlstore"
)

// TestTableChecksum: the checksum follows the content, whatever the order
// rows were written in, and refuses a name that is not a table.
func TestTableChecksum(t *testing.T) {
	eachDB(t, func(t *testing.T, db *sqlstore.DB) {
		ctx := context.Background()
		empty, err := db.TableChecksum(ctx, "users")
		if err != nil {
			t.Fatal(err)
		}
		u := mustUser(t, db, "a@example.jp")
		mustUser(t, db, "b@example.jp")
		two, err := db.TableChecksum(ctx, "users")
		if err != nil || two == empty {
			t.Fatalf("checksum after two users = %s (%v), the same as empty", two, err)
		}
		again, _ := db.TableChecksum(ctx, "users")
		if again != two {
			t.Errorf("checksum changed without a change: %s then %s", two, again)
		}
		if err := db.UpdateProfile(ctx, u.ID, "別の 名前", "ja"); err != nil {
			t.Fatal(err)
		}
		if changed, _ := db.TableChecksum(ctx, "users"); changed == two {
			t.Error("checksum did not change with the content")
		}
		if _, err := db.TableChecksum(ctx, "users; DROP TABLE users"); err == nil {
			t.Error("a name that is not a table was accepted")
		}
	})
}
