package routing

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/taonet/tao/inference"
	"github.com/taonet/tao/p2p"
	"github.com/taonet/tao/protocols"
)

// ErrNoMiners reports a subnet with no live, reachable miner.
var ErrNoMiners = errors.New("routing: no live miner")

// ErrBadReceipt reports a miner whose receipt does not match what it sent.
var ErrBadReceipt = errors.New("routing: miner sent a receipt that does not match its answer")

// ClientConfig configures a Client. Host, Key and Directory are required;
// every other zero value means the default named in its comment.
type ClientConfig struct {
	Host *p2p.Host
	// Key signs requests. It must be the host's identity: miners refuse a
	// request signed by another key than the stream's peer.
	Key       ed25519.PrivateKey
	Directory *Directory
	// Selector ranks miners. Nil: ε-greedy with ε = 0.1 over Rand.
	Selector *Selector
	// Rand supplies request IDs and default seeds. Nil: crypto/rand.
	Rand io.Reader

	// MaxPerMiner bounds this node's requests in flight to one miner; a
	// request waits while every live miner is at the bound. It stays under
	// libp2p's limit of inbound streams per peer and protocol (64), beyond
	// which a miner's host resets new streams. Zero: 32.
	MaxPerMiner int
	// MaxAttempts bounds the miners one request may use (hedges, failover
	// and resumes together). Zero: 4.
	MaxAttempts int
	// ConnectTimeout bounds opening a stream. Zero: 5 s.
	ConnectTimeout time.Duration
	// FirstTokenTimeout bounds the wait for a miner's first frame (queue
	// and prompt included). Zero: 60 s.
	FirstTokenTimeout time.Duration
	// IdleTimeout bounds the wait between frames. Zero: 30 s.
	IdleTimeout time.Duration
	// HedgeQuantile: a request with no first token after this quantile of
	// recent times to first token is also sent to the next-best miner. The
	// first to answer wins; the other is cancelled. Zero: 0.95; negative:
	// no hedging. Hedges are capped at a tenth of requests.
	HedgeQuantile float64
	// HedgeMin is the least hedge delay. Zero: 250 ms.
	HedgeMin time.Duration
	// HedgeDefault is the hedge delay before 20 samples exist. Zero: 5 s.
	HedgeDefault time.Duration
	// BanBase and BanMax set the backoff of miners that failed. Zero: 2 s
	// doubling up to 5 min.
	BanBase, BanMax time.Duration

	Clock  Clock        // nil: SystemClock
	Logger *slog.Logger // nil: discarded
	// Registerer receives the client's metrics. Nil: metrics off.
	Registerer prometheus.Registerer
}

func (c ClientConfig) withDefaults() ClientConfig {
	if c.Rand == nil {
		c.Rand = rand.Reader
	}
	if c.Selector == nil {
		c.Selector = &Selector{Epsilon: 0.1, Rand: c.Rand}
	}
	if c.MaxPerMiner <= 0 {
		c.MaxPerMiner = 32
	}
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 4
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 5 * time.Second
	}
	if c.FirstTokenTimeout <= 0 {
		c.FirstTokenTimeout = 60 * time.Second
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = 30 * time.Second
	}
	if c.HedgeQuantile == 0 {
		c.HedgeQuantile = 0.95
	}
	if c.HedgeMin <= 0 {
		c.HedgeMin = 250 * time.Millisecond
	}
	if c.HedgeDefault <= 0 {
		c.HedgeDefault = 5 * time.Second
	}
	if c.BanBase <= 0 {
		c.BanBase = defaultBanBase
	}
	if c.BanMax <= 0 {
		c.BanMax = defaultBanMax
	}
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

// Request is one generation to route. Exactly one of Prompt and Messages
// is set. Sampling.Seed fixes the draw: a resumed stream continues with the
// same seed (exactly, for greedy requests; see Infer).
type Request struct {
	Prompt    string
	Messages  []inference.Message
	MaxTokens int // 0: up to the model's context
	Sampling  inference.Sampling
	Stop      []string
}

// Chunk is a piece of the answer as it streams.
type Chunk struct {
	Text     string // may end inside a UTF-8 character; concatenate
	TokenIDs []int32
	Logprobs []float32
	Miner    peer.ID // the miner that generated it
}

// Result is a finished answer.
type Result struct {
	Text             string
	Tokens           []int32
	Finish           string // "stop" or "length"
	PromptTokens     int
	CompletionTokens int
	// Miner finished the answer; Receipts are the signed receipts of every
	// miner that contributed, in order.
	Miner    peer.ID
	Receipts []*protocols.Receipt
	// Resumes counts broken streams continued on another miner.
	Resumes int
	// TTFT is the time to the first token, Duration to the last.
	TTFT, Duration time.Duration
}

// Client sends inference requests to a subnet's miners: it picks the best
// live miner, hedges slow starts, bans failing miners with backoff, and
// resumes a broken stream on another miner. Safe for concurrent use.
type Client struct {
	cfg     ClientConfig
	log     *slog.Logger
	bans    *bans
	ttft    *window
	metrics *metrics

	requests, hedges atomic.Int64
}

// NewClient validates cfg; it starts nothing.
func NewClient(cfg ClientConfig) (*Client, error) {
	cfg = cfg.withDefaults()
	if cfg.Host == nil || cfg.Directory == nil || len(cfg.Key) != ed25519.PrivateKeySize {
		return nil, errors.New("routing: a client needs a host, a directory and the host's key")
	}
	return &Client{
		cfg: cfg, log: cfg.Logger.With("component", "router"),
		bans: newBans(cfg.Clock, cfg.BanBase, cfg.BanMax), ttft: newWindow(256), metrics: newMetrics(cfg.Registerer),
	}, nil
}

// Live returns the miners of netuid a request could go to now (live,
// reachable, not banned).
func (c *Client) Live(netuid uint16) []Candidate {
	var out []Candidate
	for _, cand := range c.cfg.Directory.Candidates(netuid) {
		if !c.bans.banned(cand.Peer) {
			out = append(out, cand)
		}
	}
	return out
}

// wireRequest checks req and returns the unsigned wire request.
func (c *Client) wireRequest(netuid uint16, req Request) (*protocols.InferRequest, error) {
	sp := req.Sampling
	bad := func(format string, args ...any) error {
		return &protocols.Error{Code: protocols.CodeBadRequest, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case (req.Prompt == "") == (len(req.Messages) == 0):
		return nil, bad("give either a prompt or messages")
	case req.MaxTokens < 0 || req.MaxTokens > protocols.MaxInferTokens:
		return nil, bad("max tokens %d out of range 0..%d", req.MaxTokens, protocols.MaxInferTokens)
	case !(sp.Temperature >= 0 && sp.Temperature <= protocols.MaxTemperatureMilli/1000):
		return nil, bad("temperature %v out of range 0..%d", sp.Temperature, protocols.MaxTemperatureMilli/1000)
	case !(sp.TopP >= 0 && sp.TopP <= 1):
		return nil, bad("top_p %v out of range 0..1", sp.TopP)
	case !(sp.RepeatPenalty >= 0 && sp.RepeatPenalty <= protocols.MaxRepeatPenaltyMilli/1000):
		return nil, bad("repeat penalty %v out of range", sp.RepeatPenalty)
	case sp.TopK < 0 || sp.TopK > protocols.MaxInferTokens || sp.RepeatLastN < 0 || sp.RepeatLastN > protocols.MaxInferTokens:
		return nil, bad("top_k or repeat window out of range")
	}
	w := &protocols.InferRequest{
		ChainID: c.cfg.Host.ChainID(), NetUID: netuid, Prompt: req.Prompt,
		Sampling: protocols.Sampling{
			TemperatureMilli: milli(sp.Temperature), TopK: uint32(sp.TopK), TopPMilli: milli(sp.TopP),
			RepeatPenaltyMilli: milli(sp.RepeatPenalty), RepeatLastN: uint32(sp.RepeatLastN),
		},
		Seed: sp.Seed, MaxTokens: uint32(req.MaxTokens), Stop: req.Stop,
	}
	for _, m := range req.Messages {
		w.Messages = append(w.Messages, protocols.ChatMessage{Role: m.Role, Content: m.Content})
	}
	// Check the shape now, so a bad request fails here, not at a miner.
	probe := *w
	probe.RequestID = make([]byte, protocols.RequestIDSize)
	if err := probe.Sign(c.cfg.Key); err != nil {
		return nil, err
	}
	if _, err := protocols.EncodeInferRequest(&probe); err != nil {
		return nil, bad("%v", err)
	}
	return w, nil
}

func milli(x float32) uint32 { return uint32(x*1000 + 0.5) }

// hedgeDelay is how long to wait for a first token before hedging; false
// when hedging is off or over budget.
func (c *Client) hedgeDelay() (time.Duration, bool) {
	if c.cfg.HedgeQuantile < 0 || c.hedges.Load()*10 > c.requests.Load() {
		return 0, false
	}
	q, n := c.ttft.quantile(c.cfg.HedgeQuantile)
	if n < 20 {
		return c.cfg.HedgeDefault, true
	}
	return max(q, c.cfg.HedgeMin), true
}

// requestID draws a fresh request ID.
func (c *Client) requestID() ([]byte, error) {
	id := make([]byte, protocols.RequestIDSize)
	if _, err := io.ReadFull(c.cfg.Rand, id); err != nil {
		return nil, fmt.Errorf("routing: request ID: %w", err)
	}
	return id, nil
}

// isClientFault reports a refusal that no miner would answer differently.
func isClientFault(err error) bool {
	var pe *protocols.Error
	return errors.As(err, &pe) && !pe.Code.Retryable()
}

// Directory returns the client's directory.
func (c *Client) Directory() *Directory { return c.cfg.Directory }
