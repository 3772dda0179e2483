package protocols

import (
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/libp2p/go-libp2p/core/peer"
)

// InferVersion is the only version of the infer/1 messages (InferRequest,
// Frame, Receipt) this code accepts.
const InferVersion = 1

// Inference request limits. The miner's own limits (context length,
// admission) are tighter; these bound what a decoder allocates.
const (
	// MaxInferRequestSize bounds an encoded InferRequest.
	MaxInferRequestSize = 512 << 10
	// RequestIDSize is the length of InferRequest.RequestID.
	RequestIDSize = 16
	// MaxMessages bounds InferRequest.Messages.
	MaxMessages = 256
	// MaxStops and MaxStopLen bound the stop strings.
	MaxStops   = 4
	MaxStopLen = 64
	// MaxInferTokens bounds MaxTokens and ResumeTokens.
	MaxInferTokens = 1 << 16
	// Sampling bounds, in thousandths.
	MaxTemperatureMilli   = 10_000
	MaxRepeatPenaltyMilli = 10_000
)

// ErrBadInfer reports a malformed infer/1 message.
var ErrBadInfer = errors.New("protocols: malformed inference message")

// ChatMessage is one turn of a chat.
type ChatMessage struct {
	_       struct{} `cbor:",toarray"`
	Role    string   // "system", "user" or "assistant"
	Content string
}

// Sampling selects how tokens are drawn. Real-valued parameters are fixed
// point in thousandths, so one request has one encoding and a validator
// re-running it samples identically. The zero value is greedy.
type Sampling struct {
	_                  struct{} `cbor:",toarray"`
	TemperatureMilli   uint32   // 0: greedy
	TopK               uint32   // 0: all tokens
	TopPMilli          uint32   // 0 or 1000: all tokens
	RepeatPenaltyMilli uint32   // 0 or 1000: off
	RepeatLastN        uint32   // 0: the engine's default
}

// InferRequest is the first and only frame a client writes on an infer/1
// stream (DESIGN §5). Exactly one of Prompt and Messages is set. A request
// that resumes a broken stream carries the tokens already emitted
// (ResumeTokens) and how many bytes of their text the client has already
// shown (ResumeTextLen); the miner continues after them with the same
// sampling and seed.
type InferRequest struct {
	_         struct{} `cbor:",toarray"`
	Version   uint8
	ChainID   string
	NetUID    uint16
	Client    []byte // ed25519 public key of the client, 32 bytes
	RequestID []byte // RequestIDSize random bytes; (Client, RequestID) is unique
	Time      int64  // unix milliseconds when signed

	Prompt    string
	Messages  []ChatMessage
	Sampling  Sampling
	Seed      uint64
	MaxTokens uint32 // 0: up to the context length
	Stop      []string

	ResumeTokens  []int32
	ResumeTextLen uint32

	Sig []byte // ed25519 over the encoding with Sig empty, kind KindRequest
}

// ClientID returns the libp2p peer ID of the client's key.
func (r *InferRequest) ClientID() (peer.ID, error) { return hotkeyPeerID(r.Client) }

func (r *InferRequest) unsignedBytes() ([]byte, error) {
	c := *r
	c.Sig = nil
	return Marshal(&c)
}

// Sign sets Version and Client from key and signs r.
func (r *InferRequest) Sign(key ed25519.PrivateKey) error {
	r.Version = InferVersion
	r.Client = append([]byte(nil), key.Public().(ed25519.PublicKey)...)
	b, err := r.unsignedBytes()
	if err != nil {
		return err
	}
	r.Sig = Sign(key, r.ChainID, KindRequest, b)
	return nil
}

// Verify checks that r is for chainID and signed by its client key.
func (r *InferRequest) Verify(chainID string) error {
	if r.ChainID != chainID {
		return fmt.Errorf("%w: got %q, want %q", ErrWrongChain, r.ChainID, chainID)
	}
	b, err := r.unsignedBytes()
	if err != nil {
		return err
	}
	return Verify(r.Client, chainID, KindRequest, b, r.Sig)
}

func (r *InferRequest) validate() error {
	s := r.Sampling
	switch {
	case r.Version != InferVersion:
		return fmt.Errorf("%w: request version %d, this node speaks %d (upgrade tao if peers are newer)", ErrBadInfer, r.Version, InferVersion)
	case ValidateChainID(r.ChainID) != nil:
		return fmt.Errorf("%w: chain ID %q", ErrBadInfer, r.ChainID)
	case len(r.Client) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: client key is %d bytes", ErrBadInfer, len(r.Client))
	case len(r.RequestID) != RequestIDSize:
		return fmt.Errorf("%w: request ID is %d bytes, want %d", ErrBadInfer, len(r.RequestID), RequestIDSize)
	case len(r.Sig) != 0 && len(r.Sig) != ed25519.SignatureSize:
		return fmt.Errorf("%w: signature is %d bytes", ErrBadInfer, len(r.Sig))
	case (r.Prompt == "") == (len(r.Messages) == 0):
		return fmt.Errorf("%w: want exactly one of a prompt and messages", ErrBadInfer)
	case !utf8.ValidString(r.Prompt):
		return fmt.Errorf("%w: prompt is not UTF-8", ErrBadInfer)
	case len(r.Messages) > MaxMessages:
		return fmt.Errorf("%w: %d messages, limit %d", ErrBadInfer, len(r.Messages), MaxMessages)
	case s.TemperatureMilli > MaxTemperatureMilli || s.TopPMilli > 1000 || s.RepeatPenaltyMilli > MaxRepeatPenaltyMilli:
		return fmt.Errorf("%w: sampling parameters out of range", ErrBadInfer)
	case s.TopK > MaxInferTokens || s.RepeatLastN > MaxInferTokens:
		return fmt.Errorf("%w: sampling window out of range", ErrBadInfer)
	case r.MaxTokens > MaxInferTokens:
		return fmt.Errorf("%w: max tokens %d, limit %d", ErrBadInfer, r.MaxTokens, MaxInferTokens)
	case len(r.ResumeTokens) > MaxInferTokens:
		return fmt.Errorf("%w: %d resume tokens", ErrBadInfer, len(r.ResumeTokens))
	case len(r.Stop) > MaxStops:
		return fmt.Errorf("%w: %d stop strings, limit %d", ErrBadInfer, len(r.Stop), MaxStops)
	}
	for _, m := range r.Messages {
		switch m.Role {
		case "system", "user", "assistant":
		default:
			return fmt.Errorf("%w: message role %q (want system, user or assistant)", ErrBadInfer, m.Role)
		}
		if !utf8.ValidString(m.Content) {
			return fmt.Errorf("%w: message content is not UTF-8", ErrBadInfer)
		}
	}
	for _, st := range r.Stop {
		if st == "" || len(st) > MaxStopLen || !utf8.ValidString(st) {
			return fmt.Errorf("%w: stop string %q (1-%d bytes of UTF-8)", ErrBadInfer, st, MaxStopLen)
		}
	}
	for _, t := range r.ResumeTokens {
		if t < 0 {
			return fmt.Errorf("%w: negative resume token", ErrBadInfer)
		}
	}
	return nil
}

// EncodeInferRequest returns the canonical encoding of r.
func EncodeInferRequest(r *InferRequest) ([]byte, error) {
	if err := r.validate(); err != nil {
		return nil, err
	}
	b, err := Marshal(r)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxInferRequestSize {
		return nil, fmt.Errorf("%w: request of %d bytes, limit %d (shorten the prompt)", ErrTooLarge, len(b), MaxInferRequestSize)
	}
	return b, nil
}

// DecodeInferRequest decodes and checks the shape of an InferRequest. It
// does not verify the signature; call Verify.
func DecodeInferRequest(b []byte) (*InferRequest, error) {
	var r InferRequest
	if err := Unmarshal(b, &r, MaxInferRequestSize); err != nil {
		return nil, err
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return &r, nil
}

// RequestHash names a request in its receipt: sha2-256 of the request's
// canonical encoding, signature included.
func RequestHash(encoded []byte) []byte {
	h := sha256.Sum256(encoded)
	return h[:]
}

// OutputTextHash commits to the text of an answer from an engine that has
// no token IDs (an OpenAI-compatible upstream): sha2-256 over a domain tag
// and the text's bytes. A receipt carries it instead of OutputHash when
// the stream had text but no token IDs.
func OutputTextHash(text []byte) []byte {
	h := sha256.New()
	h.Write([]byte("tao/v1/output-text\x00"))
	h.Write(text)
	return h.Sum(nil)
}

// OutputHash commits to generated tokens: sha2-256 over each token ID as
// 4 big-endian bytes.
func OutputHash(tokens []int32) []byte {
	h := sha256.New()
	var b [4]byte
	for _, t := range tokens {
		b[0], b[1], b[2], b[3] = byte(uint32(t)>>24), byte(uint32(t)>>16), byte(uint32(t)>>8), byte(t)
		h.Write(b[:])
	}
	return h.Sum(nil)
}
