package protocols

import (
	"bytes"
	"errors"
	"testing"
)

func TestSigningBytesDomainSeparated(t *testing.T) {
	a := SigningBytes("dev", KindTx, []byte{1})
	b := SigningBytes("dev", KindVote, []byte{1})
	c := SigningBytes("main", KindTx, []byte{1})
	if string(a) == string(b) || string(a) == string(c) {
		t.Fatal("signing bytes not separated by kind and chain")
	}
	if got, want := string(a), "tao/v1/dev/tx/\x01"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestVerifyRejectsBadLengths(t *testing.T) {
	if err := Verify(make([]byte, 31), "dev", KindTx, nil, make([]byte, 64)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("short key: %v", err)
	}
	if err := Verify(make([]byte, 32), "dev", KindTx, nil, make([]byte, 63)); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("short sig: %v", err)
	}
}

func TestCIDStable(t *testing.T) {
	c := CID([]byte{0x80})
	if c.Version() != 1 || c.Prefix().Codec != 0x71 {
		t.Fatalf("CID %s: version %d codec %#x", c, c.Version(), c.Prefix().Codec)
	}
	if CID([]byte{0x80}) != c || CID([]byte{0x81}) == c {
		t.Fatal("CID not a function of the bytes")
	}
	if RawCID([]byte{0x80}).Prefix().Codec != 0x55 {
		t.Fatal("raw CID codec")
	}
}

func TestValidateChainID(t *testing.T) {
	for _, ok := range []string{"dev", "main", "tao-test.1"} {
		if err := ValidateChainID(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "Dev", "a/b", "x y", "012345678901234567890123456789012"} {
		if err := ValidateChainID(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestProtocolIDs(t *testing.T) {
	if got := InferProtocol("dev"); got != "/tao/dev/infer/1" {
		t.Fatalf("InferProtocol = %s", got)
	}
	if got := HeartbeatTopic("dev", 3); got != "tao/dev/subnet/3/heartbeat" {
		t.Fatalf("HeartbeatTopic = %s", got)
	}
}

func TestAppendCID(t *testing.T) {
	for n := range 300 {
		b := bytes.Repeat([]byte{byte(n)}, n)
		if got, want := AppendCID([]byte("x"), b), append([]byte("x"), CID(b).Bytes()...); !bytes.Equal(got, want) {
			t.Fatalf("AppendCID(%d bytes) = %x, want %x", n, got, want)
		}
	}
}
