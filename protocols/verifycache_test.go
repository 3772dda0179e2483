package protocols

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"sync"
	"testing"
)

func TestVerifyCache(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	pub := key.Public().(ed25519.PublicKey)
	msg := []byte("transfer 1 TAO")
	sig := Sign(key, "dev", KindTx, msg)
	c := NewVerifyCache(8)

	if err := c.Verify(pub, "dev", KindTx, msg, sig); err != nil {
		t.Fatalf("first verify: %v", err)
	}
	if err := c.Verify(pub, "dev", KindTx, msg, sig); err != nil {
		t.Fatalf("cached verify: %v", err)
	}
	if hits, all := c.Stats(); hits != 1 || all != 2 {
		t.Fatalf("stats %d/%d, want 1/2", hits, all)
	}

	bad := bytes.Clone(sig)
	bad[0] ^= 1
	other := []byte("transfer 2 TAO")
	key2 := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize))
	for name, call := range map[string]func() error{
		"tampered sig":   func() error { return c.Verify(pub, "dev", KindTx, msg, bad) },
		"other message":  func() error { return c.Verify(pub, "dev", KindTx, other, sig) },
		"other key":      func() error { return c.Verify(key2.Public().(ed25519.PublicKey), "dev", KindTx, msg, sig) },
		"other chain":    func() error { return c.Verify(pub, "main", KindTx, msg, sig) },
		"other kind":     func() error { return c.Verify(pub, "dev", KindVote, msg, sig) },
		"short sig":      func() error { return c.Verify(pub, "dev", KindTx, msg, sig[:10]) },
		"boundary shift": func() error { return c.Verify(pub, "de", "v"+KindTx, msg, sig) },
	} {
		// Twice: a failure is not cached either.
		for range 2 {
			if err := call(); !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: got %v, want ErrBadSignature", name, err)
			}
		}
	}
	if hits, _ := c.Stats(); hits != 1 {
		t.Fatalf("%d hits after failures, want 1", hits)
	}
}

func TestVerifyCacheBounded(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	pub := key.Public().(ed25519.PublicKey)
	c := NewVerifyCache(4)
	for i := range 100 {
		msg := []byte{byte(i)}
		if err := c.Verify(pub, "dev", KindTx, msg, Sign(key, "dev", KindTx, msg)); err != nil {
			t.Fatal(err)
		}
		if n := len(c.cur) + len(c.old); n > 4 {
			t.Fatalf("%d entries, limit 4", n)
		}
	}
	// The latest survives; the first was evicted and is verified again.
	last := []byte{99}
	c.Verify(pub, "dev", KindTx, last, Sign(key, "dev", KindTx, last))
	first := []byte{0}
	c.Verify(pub, "dev", KindTx, first, Sign(key, "dev", KindTx, first))
	if hits, _ := c.Stats(); hits != 1 {
		t.Fatalf("%d hits, want 1 (the latest entry only)", hits)
	}
}

func TestVerifyCacheConcurrent(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	pub := key.Public().(ed25519.PublicKey)
	msgs := make([][]byte, 16)
	sigs := make([][]byte, 16)
	for i := range msgs {
		msgs[i] = []byte{byte(i)}
		sigs[i] = Sign(key, "dev", KindTx, msgs[i])
	}
	c := NewVerifyCache(8)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 200 {
				j := (i + g) % len(msgs)
				if err := c.Verify(pub, "dev", KindTx, msgs[j], sigs[j]); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
}

func BenchmarkVerifyCache(b *testing.B) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize))
	pub := key.Public().(ed25519.PublicKey)
	msg := bytes.Repeat([]byte{7}, 150) // about a transfer's signing bytes
	sig := Sign(key, "dev", KindTx, msg)
	b.Run("verify", func(b *testing.B) {
		for b.Loop() {
			if err := Verify(pub, "dev", KindTx, msg, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cache-hit", func(b *testing.B) {
		c := NewVerifyCache(1024)
		for b.Loop() {
			if err := c.Verify(pub, "dev", KindTx, msg, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}
