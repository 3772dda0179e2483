package protocols

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"fmt"
	"testing"
)

// batchCases returns checks of every kind VerifyBatch must judge as
// Verify does: good signatures, tampered ones, bad lengths, a
// non-canonical S, and small-order keys and R values (where ZIP 215's
// cofactored rule and crypto/ed25519's cofactorless one differ).
func batchCases(t testing.TB, n int) []SigCheck {
	t.Helper()
	var out []SigCheck
	for i := range n {
		key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{byte(i + 1)}, ed25519.SeedSize))
		msg := fmt.Appendf(nil, "transfer %d", i)
		out = append(out, SigCheck{Pub: key.Public().(ed25519.PublicKey), ChainID: "dev", Kind: KindTx, Canonical: msg, Sig: Sign(key, "dev", KindTx, msg)})
	}
	return out
}

// oneKeyCases returns n checks signed by one key (a client's batch): the
// batch coalesces their key terms.
func oneKeyCases(t testing.TB, n int) []SigCheck {
	t.Helper()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{0xaa}, ed25519.SeedSize))
	var out []SigCheck
	for i := range n {
		msg := fmt.Appendf(nil, "nonce %d", i)
		out = append(out, SigCheck{Pub: key.Public().(ed25519.PublicKey), ChainID: "dev", Kind: KindTx, Canonical: msg, Sig: Sign(key, "dev", KindTx, msg)})
	}
	return out
}

// smallOrder is a point of order 8 (ZIP 215's test set).
func smallOrder(t testing.TB) []byte {
	b, err := hex.DecodeString("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func oddCases(t testing.TB) []SigCheck {
	good := batchCases(t, 1)[0]
	tampered := good
	tampered.Sig = bytes.Clone(good.Sig)
	tampered.Sig[5] ^= 1
	otherMsg := good
	otherMsg.Canonical = []byte("something else")
	short := good
	short.Sig = good.Sig[:63]
	shortKey := good
	shortKey.Pub = good.Pub[:31]
	highS := good
	highS.Sig = bytes.Clone(good.Sig)
	highS.Sig[63] |= 0xe0 // S above the group order
	identity := make([]byte, 32)
	identity[0] = 1
	// R = identity, S = 0, A of order 8: [8](SB - R - kA) = 0 for every
	// message, so ZIP 215 accepts; crypto/ed25519 accepts only when
	// 8 divides k.
	torsion := SigCheck{Pub: smallOrder(t), ChainID: "dev", Kind: KindTx, Canonical: []byte("any"), Sig: append(bytes.Clone(identity), make([]byte, 32)...)}
	torsionR := torsion
	torsionR.Pub = good.Pub
	return []SigCheck{tampered, otherMsg, short, shortKey, highS, torsion, torsionR}
}

// TestVerifyBatchMatchesVerify: in batches of every size around the chunk
// size, and with any one check replaced by an odd one, each verdict is
// Verify's.
func TestVerifyBatchMatchesVerify(t *testing.T) {
	n := 2*batchChunk + 3
	mixed := batchCases(t, n)
	oneKey := oneKeyCases(t, n)
	for i := 0; i < n; i += 3 {
		mixed[i] = oneKey[i] // some keys repeat, some don't
	}
	sets := map[string][]SigCheck{"keys=distinct": batchCases(t, n), "keys=one": oneKey, "keys=mixed": mixed}
	for name, good := range sets {
		t.Run(name, func(t *testing.T) { testVerifyBatchMatches(t, good) })
	}
}

func testVerifyBatchMatches(t *testing.T, good []SigCheck) {
	odd := oddCases(t)
	// The odd case's key may be one of the batch's: a bad signature by
	// the coalesced key.
	sameKey := good[0]
	sameKey.Sig = bytes.Clone(sameKey.Sig)
	sameKey.Sig[40] ^= 1
	odd = append(odd, sameKey)
	for _, n := range []int{1, 2, 3, batchChunk - 1, batchChunk, batchChunk + 1, 2*batchChunk + 3} {
		for o := -1; o < len(odd); o++ {
			t.Run(fmt.Sprintf("n=%d/odd=%d", n, o), func(t *testing.T) {
				checks := append([]SigCheck(nil), good[:n]...)
				if o >= 0 {
					checks[n/2] = odd[o]
				}
				errs := VerifyBatch(checks)
				for i, c := range checks {
					want := Verify(c.Pub, c.ChainID, c.Kind, c.Canonical, c.Sig)
					var got error
					if errs != nil {
						got = errs[i]
					}
					if (got == nil) != (want == nil) || (want != nil && !errors.Is(got, ErrBadSignature)) {
						t.Fatalf("check %d: got %v, want %v", i, got, want)
					}
				}
				if errs != nil && len(errs) != n {
					t.Fatalf("%d errors for %d checks", len(errs), n)
				}
			})
		}
	}
}

// TestVerifyAcceptsWhatStdlibAccepts: ZIP 215 widens crypto/ed25519's
// rule and never narrows it, so blocks valid before stay valid.
func TestVerifyAcceptsWhatStdlibAccepts(t *testing.T) {
	for _, c := range append(batchCases(t, 8), oddCases(t)...) {
		std := len(c.Pub) == ed25519.PublicKeySize && ed25519.Verify(c.Pub, SigningBytes(c.ChainID, c.Kind, c.Canonical), c.Sig)
		if err := Verify(c.Pub, c.ChainID, c.Kind, c.Canonical, c.Sig); std && err != nil {
			t.Errorf("crypto/ed25519 accepts %x, Verify says %v", c.Sig, err)
		}
	}
	// The widening: a key of order 8 with R the identity and S = 0.
	c := oddCases(t)[5]
	if err := Verify(c.Pub, c.ChainID, c.Kind, c.Canonical, c.Sig); err != nil {
		t.Errorf("small-order key: Verify says %v, want accepted (ZIP 215)", err)
	}
	if ed25519.Verify(c.Pub, SigningBytes(c.ChainID, c.Kind, c.Canonical), c.Sig) {
		t.Errorf("small-order key: crypto/ed25519 accepts; the case no longer shows the difference")
	}
}

func TestVerifyCacheBatch(t *testing.T) {
	checks := batchCases(t, 10)
	checks[3].Sig = bytes.Clone(checks[3].Sig)
	checks[3].Sig[0] ^= 1
	c := NewVerifyCache(64)
	for round := range 2 {
		errs := c.VerifyBatch(checks)
		for i := range checks {
			if (errs[i] != nil) != (i == 3) {
				t.Fatalf("round %d: check %d: %v", round, i, errs[i])
			}
		}
	}
	if hits, all := c.Stats(); hits != 9 || all != 20 {
		t.Fatalf("stats %d/%d, want 9/20 (the good ones cached, the bad one checked twice)", hits, all)
	}
	// Single and batch calls share entries.
	if err := c.Verify(checks[0].Pub, checks[0].ChainID, checks[0].Kind, checks[0].Canonical, checks[0].Sig); err != nil {
		t.Fatal(err)
	}
	if hits, _ := c.Stats(); hits != 10 {
		t.Fatalf("%d hits, want 10", hits)
	}
	if errs := c.VerifyBatch(nil); errs != nil {
		t.Fatalf("empty batch: %v", errs)
	}
}

func TestVerifyTxs(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	var txs []*Tx
	for n := range uint64(5) {
		tx, err := NewTx("dev", n, 1, &Transfer{To: key.Public().(ed25519.PublicKey), Amount: 1})
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.Sign(key); err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	if errs := VerifyTxs("dev", txs, VerifyBatch); errs != nil {
		t.Fatalf("good txs: %v", errs)
	}
	txs[1].Sig = bytes.Clone(txs[1].Sig)
	txs[1].Sig[9] ^= 1
	txs[3].ChainID = "main"
	errs := VerifyTxs("dev", txs, SerialBatch(Verify))
	for i, tx := range txs {
		want := tx.Verify("dev")
		if (errs[i] == nil) != (want == nil) {
			t.Fatalf("tx %d: got %v, want %v", i, errs[i], want)
		}
	}
	if !errors.Is(errs[1], ErrBadSignature) || !errors.Is(errs[3], ErrWrongChain) {
		t.Fatalf("errors %v", errs)
	}
}

func BenchmarkVerifyBatch(b *testing.B) {
	for _, n := range []int{1, 16, 64, 1000} {
		for _, keys := range []string{"distinct", "one"} {
			checks := batchCases(b, n)
			if keys == "one" {
				checks = oneKeyCases(b, n)
			}
			b.Run(fmt.Sprintf("sigs=%d/keys=%s", n, keys), func(b *testing.B) {
				for b.Loop() {
					if errs := VerifyBatch(checks); errs != nil {
						b.Fatal(errs)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/sig")
			})
		}
	}
	b.Run("single", func(b *testing.B) {
		c := batchCases(b, 1)[0]
		for b.Loop() {
			if err := Verify(c.Pub, c.ChainID, c.Kind, c.Canonical, c.Sig); err != nil {
				b.Fatal(err)
			}
		}
	})
}
