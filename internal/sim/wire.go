package sim

import (
	"fmt"

	"github.com/taonet/tao/ledger/consensus"
	"github.com/taonet/tao/protocols"
)

// wire is a message on the simulated bus: encoded, as on a real network,
// so every delivery goes through the protocols decoders.
type wire struct {
	kind byte // 'p'roposal, 'v'ote, 'q' request, 'r' response
	b    []byte
}

func encode(m consensus.Message) (wire, error) {
	var w wire
	var err error
	switch {
	case m.Proposal != nil:
		w.kind = 'p'
		w.b, err = protocols.EncodeProposal(m.Proposal)
	case m.Vote != nil:
		w.kind = 'v'
		w.b, err = protocols.EncodeVote(m.Vote)
	case m.Request != nil:
		w.kind = 'q'
		w.b, err = protocols.EncodeCatchupRequest(m.Request)
	case m.Response != nil:
		w.kind = 'r'
		w.b, err = protocols.EncodeCatchupResponse(m.Response)
	default:
		err = fmt.Errorf("empty message")
	}
	return w, err
}

func (w wire) decode(from string) (consensus.Input, error) {
	in := consensus.Input{From: from}
	var err error
	switch w.kind {
	case 'p':
		in.Proposal, err = protocols.DecodeProposal(w.b)
	case 'v':
		in.Vote, err = protocols.DecodeVote(w.b)
	case 'q':
		in.Request, err = protocols.DecodeCatchupRequest(w.b)
	case 'r':
		in.Response, err = protocols.DecodeCatchupResponse(w.b)
	default:
		err = fmt.Errorf("unknown wire kind %q", w.kind)
	}
	return in, err
}
