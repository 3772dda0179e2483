package sim

import (
	"bytes"
	"testing"

	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// FuzzWireDecode: any bytes of any kind on the simulated bus decode to an
// error or to a message that encodes back to the same kind and bytes (the
// protocols decoders it dispatches to are canonical).
func FuzzWireDecode(f *testing.F) {
	for _, m := range []consensus.Message{
		{Vote: &protocols.Vote{Height: 3, Round: 1}},
		{Request: &protocols.CatchupRequest{Version: 1, ChainID: "dev", Height: 3}},
	} {
		if w, err := encode(m); err == nil {
			f.Add(w.kind, w.b)
		}
	}
	f.Add(byte('p'), []byte{0x80})
	f.Add(byte('r'), []byte{})
	f.Add(byte('x'), []byte{1})
	f.Fuzz(func(t *testing.T, kind byte, b []byte) {
		in, err := wire{kind: kind, b: b}.decode("peer")
		if err != nil {
			return
		}
		w, err := encode(consensus.Message{Proposal: in.Proposal, Vote: in.Vote, Request: in.Request, Response: in.Response})
		if err != nil {
			t.Fatalf("decoded %q message does not encode: %v", kind, err)
		}
		if w.kind != kind || !bytes.Equal(w.b, b) {
			t.Fatalf("kind %q %x re-encodes as kind %q %x", kind, b, w.kind, w.b)
		}
	})
}
