package vault

import (
	"bytes"
	"testing"
)

func TestDerive(t *testing.T) {
	k := NewKeyring()
	if _, err := k.Derive("ratelimit"); err == nil {
		t.Error("an empty keyring derives a key")
	}
	if err := k.Add("k1", bytes.Repeat([]byte{1}, 32)); err != nil {
		t.Fatal(err)
	}
	a, err := k.Derive("ratelimit")
	if err != nil || len(a) != 32 {
		t.Fatalf("Derive = %x, %v", a, err)
	}
	if again, _ := k.Derive("ratelimit"); !bytes.Equal(a, again) {
		t.Error("Derive is not stable")
	}
	if other, _ := k.Derive("other"); bytes.Equal(a, other) {
		t.Error("two labels give one key")
	}
	if bytes.Contains(a, bytes.Repeat([]byte{1}, 8)) {
		t.Error("the sub-key shows the key")
	}
	if err := k.Add("k2", bytes.Repeat([]byte{2}, 32)); err != nil {
		t.Fatal(err)
	}
	if b, _ := k.Derive("ratelimit"); bytes.Equal(a, b) {
		t.Error("a new current key gives the same sub-key")
	}
}
