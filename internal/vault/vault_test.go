package vault

import (
	"encoding/base64"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testKeyring(t *testing.T, ids ...string) *Keyring {
	t.Helper()
	k := NewKeyring()
	for i, id := range ids {
		key := make([]byte, 32)
		key[0] = byte(i + 1)
		if err := k.Add(id, key); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

func TestSealOpen(t *testing.T) {
	k := testKeyring(t, "a")
	ct, err := k.Seal([]byte("面談メモ"), "notes:1")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(ct, "面談") {
		t.Fatal("ciphertext contains plaintext")
	}
	got, err := k.Open(ct, "notes:1")
	if err != nil || string(got) != "面談メモ" {
		t.Fatalf("Open = %q, %v", got, err)
	}
	if _, err := k.Open(ct, "notes:2"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Open with another context: err = %v, want ErrCorrupt", err)
	}
	// Flip one bit of the sealed bytes (editing the base64 text could hit
	// bits the decoder ignores).
	prefix := ct[:strings.LastIndex(ct, ":")+1]
	raw, err := base64.RawStdEncoding.DecodeString(ct[len(prefix):])
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)/2] ^= 1
	tampered := prefix + base64.RawStdEncoding.EncodeToString(raw)
	if _, err := k.Open(tampered, "notes:1"); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Open tampered: err = %v, want ErrCorrupt", err)
	}
}

func TestRotation(t *testing.T) {
	old := testKeyring(t, "k1")
	ct, err := old.Seal([]byte("secret"), "c")
	if err != nil {
		t.Fatal(err)
	}
	rotated := testKeyring(t, "k1", "k2")
	if rotated.Current() != "k2" {
		t.Fatalf("Current = %q", rotated.Current())
	}
	if got, err := rotated.Open(ct, "c"); err != nil || string(got) != "secret" {
		t.Fatalf("old ciphertext after rotation: %q, %v", got, err)
	}
	ct2, _ := rotated.Seal([]byte("secret"), "c")
	if KeyID(ct2) != "k2" {
		t.Errorf("KeyID = %q, want k2", KeyID(ct2))
	}
	if _, err := old.Open(ct2, "c"); !errors.Is(err, ErrUnknownKey) {
		t.Errorf("err = %v, want ErrUnknownKey", err)
	}
}

func TestParseErrors(t *testing.T) {
	tests := map[string]string{
		"empty":      "# nothing\n",
		"bad base64": "k1 !!!\n",
		"short key":  "k1 AAAA\n",
		"bad id":     "k/1 " + strings.Repeat("A", 43) + "=\n",
		"one field":  "k1\n",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(strings.NewReader(in)); err == nil {
				t.Error("Parse succeeded, want error")
			}
		})
	}
}

func TestLoadOrCreate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "keys.txt")
	k1, created, err := LoadOrCreate(path, time.Now())
	if err != nil || !created {
		t.Fatalf("first LoadOrCreate: created=%v err=%v", created, err)
	}
	k2, created, err := LoadOrCreate(path, time.Now())
	if err != nil || created {
		t.Fatalf("second LoadOrCreate: created=%v err=%v", created, err)
	}
	ct, _ := k1.Seal([]byte("x"), "c")
	if got, err := k2.Open(ct, "c"); err != nil || string(got) != "x" {
		t.Fatalf("reloaded keyring cannot open: %v", err)
	}
}
