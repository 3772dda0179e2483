package protocols

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"testing"

	"github.com/hdevalence/ed25519consensus"
)

// smallOrderEncodings returns the 14 encodings of the 8 points of small
// order that ZIP 215's test set uses: 8 canonical and 6 not (a y at or
// above p, or x = 0 with the sign bit set).
func smallOrderEncodings(t *testing.T) [][]byte {
	t.Helper()
	ff := func(first, last byte) []byte {
		b := bytes.Repeat([]byte{0xff}, 32)
		b[0], b[31] = first, last
		return b
	}
	zero := func(first, last byte) []byte {
		b := make([]byte, 32)
		b[0], b[31] = first, last
		return b
	}
	hexOf := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return [][]byte{
		zero(1, 0), zero(1, 0x80), // identity; x = 0 with the sign bit
		ff(0xee, 0x7f), ff(0xee, 0xff), // identity as y = p+1
		ff(0xec, 0x7f), ff(0xec, 0xff), // (0, -1); x = 0 with the sign bit
		zero(0, 0), zero(0, 0x80), // (±√-1, 0)
		ff(0xed, 0x7f), ff(0xed, 0xff), // the same as y = p
		hexOf("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"),
		hexOf("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"),
		hexOf("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
		hexOf("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"),
	}
}

// TestZIP215MatchesReference holds Verify (curve25519-voi) and VerifyBatch
// to ed25519consensus, the ZIP 215 reference in Go that consensus used
// before, on every small-order key and R encoding with S = 0, on
// non-canonical S, and on good and tampered signatures: a replica on
// either implementation gives the same verdicts.
func TestZIP215MatchesReference(t *testing.T) {
	encs := smallOrderEncodings(t)
	var checks []SigCheck
	for _, a := range encs {
		for _, r := range encs {
			checks = append(checks, SigCheck{Pub: a, ChainID: "dev", Kind: KindTx, Canonical: []byte("Zcash"), Sig: append(bytes.Clone(r), make([]byte, 32)...)})
		}
	}
	for _, c := range batchCases(t, 4) {
		checks = append(checks, c)
		bad := c
		bad.Sig = bytes.Clone(c.Sig)
		bad.Sig[10] ^= 4
		checks = append(checks, bad)
		high := c
		high.Sig = bytes.Clone(c.Sig)
		high.Sig[63] |= 0x10 // S + 2^252·k: at or above the group order
		checks = append(checks, high)
	}
	accepted := 0
	for i, c := range checks {
		want := ed25519consensus.Verify(ed25519.PublicKey(c.Pub), SigningBytes(c.ChainID, c.Kind, c.Canonical), c.Sig)
		got := Verify(c.Pub, c.ChainID, c.Kind, c.Canonical, c.Sig) == nil
		if got != want {
			t.Errorf("check %d (key %x, sig %x): Verify %v, ed25519consensus %v", i, c.Pub, c.Sig, got, want)
		}
		if want {
			accepted++
		}
	}
	if accepted < len(encs)*len(encs) {
		t.Fatalf("only %d checks accepted; ZIP 215 accepts all %d small-order pairs", accepted, len(encs)*len(encs))
	}
	// In batches (past the one-at-a-time threshold), alone and mixed with
	// good signatures of one key.
	for lo := 0; lo < len(checks); lo += 5 {
		batch := append(oneKeyCases(t, 4), checks[lo:min(lo+5, len(checks))]...)
		errs := VerifyBatch(batch)
		for i, c := range batch {
			want := ed25519consensus.Verify(ed25519.PublicKey(c.Pub), SigningBytes(c.ChainID, c.Kind, c.Canonical), c.Sig)
			got := errs == nil || errs[i] == nil
			if got != want {
				t.Fatalf("%s: batch verdict %v on %x / %x, ed25519consensus %v", fmt.Sprint("batch at ", lo), got, c.Pub, c.Sig, want)
			}
		}
	}
}
