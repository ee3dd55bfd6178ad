// Package vault encrypts confidential fields at rest with AES-256-GCM. Every
// ciphertext names the key that sealed it, so keys can be rotated: new data
// is sealed with the current key while older keys still open old data.
package vault

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// ErrUnknownKey is returned when a ciphertext names a key the keyring lacks.
var ErrUnknownKey = errors.New("vault: unknown key id")

// ErrCorrupt is returned when a ciphertext is malformed or fails
// authentication (wrong key, edited bytes or a different context).
var ErrCorrupt = errors.New("vault: ciphertext corrupt or not authentic")

var keyIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Keyring holds the data-encryption keys by id; Current seals new data.
type Keyring struct {
	keys    map[string]cipher.AEAD
	raw     map[string][]byte // for Derive
	order   []string
	current string
}

// NewKeyring returns an empty keyring.
func NewKeyring() *Keyring {
	return &Keyring{keys: map[string]cipher.AEAD{}, raw: map[string][]byte{}}
}

// Add adds a 32-byte key under id and makes it current.
func (k *Keyring) Add(id string, key []byte) error {
	if !keyIDPattern.MatchString(id) {
		return fmt.Errorf("vault: invalid key id %q", id)
	}
	if len(key) != 32 {
		return fmt.Errorf("vault: key %q must be 32 bytes, got %d", id, len(key))
	}
	if _, dup := k.keys[id]; dup {
		return fmt.Errorf("vault: duplicate key id %q", id)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	k.keys[id] = aead
	k.raw[id] = bytes.Clone(key)
	k.order = append(k.order, id)
	k.current = id
	return nil
}

// Derive returns a 32-byte sub-key of the current key for a purpose
// named by label (e.g. "ratelimit"): the HMAC-SHA256 of the label under
// the key. Sub-keys of different labels are independent; a new current
// key gives new sub-keys.
func (k *Keyring) Derive(label string) ([]byte, error) {
	key, ok := k.raw[k.current]
	if !ok {
		return nil, errors.New("vault: keyring has no key")
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("hakui/vault/derive/" + label))
	return mac.Sum(nil), nil
}

// Current returns the id of the key that seals new data.
func (k *Keyring) Current() string { return k.current }

// IDs returns the key ids in the order they were added.
func (k *Keyring) IDs() []string { return append([]string(nil), k.order...) }

// Seal encrypts plaintext with the current key. context binds the
// ciphertext to its place (for example "users.totp_secret:42"): the same
// context must be given to Open, so a ciphertext copied to another row
// does not open.
func (k *Keyring) Seal(plaintext []byte, context string) (string, error) {
	aead, ok := k.keys[k.current]
	if !ok {
		return "", errors.New("vault: keyring has no key")
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	sealed := aead.Seal(nonce, nonce, plaintext, []byte(context))
	return "v1:" + k.current + ":" + base64.RawStdEncoding.EncodeToString(sealed), nil
}

// Open decrypts a ciphertext made by Seal with the same context.
func (k *Keyring) Open(ciphertext, context string) ([]byte, error) {
	version, rest, ok := strings.Cut(ciphertext, ":")
	if !ok || version != "v1" {
		return nil, ErrCorrupt
	}
	id, payload, ok := strings.Cut(rest, ":")
	if !ok {
		return nil, ErrCorrupt
	}
	aead, ok := k.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownKey, id)
	}
	raw, err := base64.RawStdEncoding.DecodeString(payload)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrCorrupt
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(context))
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}

// KeyID returns the id of the key that sealed ciphertext.
func KeyID(ciphertext string) string {
	parts := strings.SplitN(ciphertext, ":", 3)
	if len(parts) != 3 {
		return ""
	}
	return parts[1]
}

// Parse reads a key file: one key a line as "ID BASE64KEY"; blank lines and
// lines starting with # are ignored. The last key is current.
func Parse(r io.Reader) (*Keyring, error) {
	k := NewKeyring()
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		fields := strings.Fields(text)
		if len(fields) != 2 {
			return nil, fmt.Errorf("vault: key file line %d: want \"ID BASE64KEY\"", line)
		}
		key, err := base64.StdEncoding.DecodeString(fields[1])
		if err != nil {
			return nil, fmt.Errorf("vault: key file line %d: %v", line, err)
		}
		if err := k.Add(fields[0], key); err != nil {
			return nil, fmt.Errorf("vault: key file line %d: %w", line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if k.current == "" {
		return nil, errors.New("vault: key file holds no key")
	}
	return k, nil
}

// NewKeyLine returns a fresh random key as a key-file line, its id derived
// from the time so that later keys sort after earlier ones.
func NewKeyLine(now time.Time) (string, error) {
	key := make([]byte, 32)
	if _, err := rand.Read(key); err != nil {
		return "", err
	}
	return fmt.Sprintf("k%s %s\n", now.UTC().Format("20060102T150405"), base64.StdEncoding.EncodeToString(key)), nil
}

// LoadOrCreate reads the key file at path, creating it with one fresh key
// (mode 0600) when it does not exist yet. created reports the creation.
func LoadOrCreate(path string, now time.Time) (k *Keyring, created bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		line, err := NewKeyLine(now)
		if err != nil {
			return nil, false, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, false, err
		}
		content := "# Hakui data-encryption keys. Keep a copy apart from the database backups.\n" + line
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			return nil, false, err
		}
		k, err := Parse(strings.NewReader(content))
		return k, true, err
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	k, err = Parse(f)
	return k, false, err
}
