package protocols

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// HeartbeatVersion is the only Heartbeat version this code accepts.
const HeartbeatVersion = 1

// Heartbeat limits.
const (
	// MaxHeartbeatSize bounds an encoded Heartbeat.
	MaxHeartbeatSize = 1024
	// MaxCIDLen bounds a binary CID carried in a message (a sha2-256 CIDv1
	// is 36 bytes).
	MaxCIDLen = 64
	// MinHeartbeatInterval and MaxHeartbeatInterval bound the interval a
	// miner declares; receivers expire a heartbeat after a few of them.
	MinHeartbeatInterval = 250 * time.Millisecond
	MaxHeartbeatInterval = time.Minute
)

// Heartbeat is a miner's signed liveness and capacity report, gossiped
// every few seconds on HeartbeatTopic(chainID, NetUID) (DESIGN §5). A
// client routes only to miners whose latest heartbeat is fresh and names
// the subnet's model.
type Heartbeat struct {
	_        struct{} `cbor:",toarray"`
	Version  uint8
	ChainID  string
	NetUID   uint16
	Hotkey   []byte // ed25519 public key, 32 bytes: the miner's peer identity
	Seq      uint64 // increases with each heartbeat of one run
	Time     int64  // unix milliseconds when signed
	Interval uint32 // milliseconds until the next heartbeat
	ModelCID []byte // binary CID of the weights served (raw, sha2-256)

	QueueDepth uint32 // requests waiting for a slot
	FreeSlots  uint32 // requests it would start now
	// GPU memory (MiB) and utilisation (percent); all zero when unknown
	// (a CPU miner or no NVML).
	GPUMemTotalMiB uint32
	GPUMemFreeMiB  uint32
	GPUUtilPct     uint8
	// LatencyP50Ms is the median time to first token of recent requests;
	// TokensPerSec the recent decode rate. Zero before any request.
	LatencyP50Ms uint32
	TokensPerSec uint32

	Sig []byte // over the encoding with Sig empty, kind KindHeartbeat
}

var errHeartbeatShape = errors.New("protocols: malformed heartbeat")

// SubnetKey is the content address under which a subnet's miners advertise
// themselves as DHT providers, so a fresh node can find them: the raw CID
// of "tao/<chainID>/subnet/<netuid>".
func SubnetKey(chainID string, netuid uint16) cid.Cid {
	return RawCID([]byte("tao/" + chainID + "/subnet/" + strconv.Itoa(int(netuid))))
}

// PeerID returns the libp2p peer ID of the heartbeat's hotkey.
func (h *Heartbeat) PeerID() (peer.ID, error) {
	return hotkeyPeerID(h.Hotkey)
}

// Model returns the CID of the model served.
func (h *Heartbeat) Model() (cid.Cid, error) {
	_, c, err := cid.CidFromBytes(h.ModelCID)
	return c, err
}

// IntervalDuration returns Interval as a duration.
func (h *Heartbeat) IntervalDuration() time.Duration {
	return time.Duration(h.Interval) * time.Millisecond
}

func (h *Heartbeat) unsignedBytes() ([]byte, error) {
	c := *h
	c.Sig = nil
	return Marshal(&c)
}

// Sign sets Version and Hotkey from key and signs h.
func (h *Heartbeat) Sign(key ed25519.PrivateKey) error {
	h.Version = HeartbeatVersion
	h.Hotkey = append([]byte(nil), key.Public().(ed25519.PublicKey)...)
	b, err := h.unsignedBytes()
	if err != nil {
		return err
	}
	h.Sig = Sign(key, h.ChainID, KindHeartbeat, b)
	return nil
}

// Verify checks that h is for chainID and signed by its hotkey.
func (h *Heartbeat) Verify(chainID string) error {
	if h.ChainID != chainID {
		return fmt.Errorf("%w: got %q, want %q", ErrWrongChain, h.ChainID, chainID)
	}
	b, err := h.unsignedBytes()
	if err != nil {
		return err
	}
	return Verify(h.Hotkey, chainID, KindHeartbeat, b, h.Sig)
}

func (h *Heartbeat) validate() error {
	iv := h.IntervalDuration()
	switch {
	case h.Version != HeartbeatVersion:
		return fmt.Errorf("%w: version %d, this node speaks %d (upgrade tao if peers are newer)", errHeartbeatShape, h.Version, HeartbeatVersion)
	case ValidateChainID(h.ChainID) != nil:
		return fmt.Errorf("%w: chain ID %q", errHeartbeatShape, h.ChainID)
	case len(h.Hotkey) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: hotkey is %d bytes", errHeartbeatShape, len(h.Hotkey))
	case len(h.Sig) != 0 && len(h.Sig) != ed25519.SignatureSize:
		return fmt.Errorf("%w: signature is %d bytes", errHeartbeatShape, len(h.Sig))
	case iv < MinHeartbeatInterval || iv > MaxHeartbeatInterval:
		return fmt.Errorf("%w: interval %v outside [%v, %v]", errHeartbeatShape, iv, MinHeartbeatInterval, MaxHeartbeatInterval)
	case h.GPUUtilPct > 100:
		return fmt.Errorf("%w: GPU utilisation %d%%", errHeartbeatShape, h.GPUUtilPct)
	case h.GPUMemFreeMiB > h.GPUMemTotalMiB:
		return fmt.Errorf("%w: GPU free memory above total", errHeartbeatShape)
	}
	return validateCID("model CID", h.ModelCID, errHeartbeatShape)
}

// validateCID checks that b is a binary CID of bounded length.
func validateCID(what string, b []byte, shape error) error {
	if len(b) == 0 || len(b) > MaxCIDLen {
		return fmt.Errorf("%w: %s is %d bytes", shape, what, len(b))
	}
	n, _, err := cid.CidFromBytes(b)
	if err != nil {
		return fmt.Errorf("%w: %s: %v", shape, what, err)
	}
	if n != len(b) {
		return fmt.Errorf("%w: %s has trailing bytes", shape, what)
	}
	return nil
}

// hotkeyPeerID turns an ed25519 public key into a libp2p peer ID.
func hotkeyPeerID(hotkey []byte) (peer.ID, error) {
	pk, err := crypto.UnmarshalEd25519PublicKey(hotkey)
	if err != nil {
		return "", fmt.Errorf("protocols: hotkey: %w", err)
	}
	return peer.IDFromPublicKey(pk)
}

// EncodeHeartbeat returns the canonical encoding of h.
func EncodeHeartbeat(h *Heartbeat) ([]byte, error) {
	if err := h.validate(); err != nil {
		return nil, err
	}
	return Marshal(h)
}

// DecodeHeartbeat decodes and checks the shape of a Heartbeat. It does not
// verify the signature; call Verify.
func DecodeHeartbeat(b []byte) (*Heartbeat, error) {
	var h Heartbeat
	if err := Unmarshal(b, &h, MaxHeartbeatSize); err != nil {
		return nil, err
	}
	if err := h.validate(); err != nil {
		return nil, err
	}
	return &h, nil
}
