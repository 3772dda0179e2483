package protocols

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// NodeStatusVersion is the only NodeStatus version this code accepts.
const NodeStatusVersion = 1

// NodeStatus is a node's signed announcement on NodeStatusTopic: the
// hotkey that runs it, the roles it plays and how far its ledger is. Nodes
// publish it periodically; a node that has seen another's status knows the
// gossip path between them works.
type NodeStatus struct {
	_       struct{} `cbor:",toarray"`
	Version uint8
	ChainID string
	Hotkey  []byte // ed25519 public key, 32 bytes; the libp2p identity
	Seq     uint64 // increases with each announcement; starts at the clock (ms) each run
	Height  uint64 // ledger height (0 before the ledger exists)
	Roles   []string
	Agent   string // software name and version
	Sig     []byte // over the encoding with Sig empty
}

var errNodeStatusShape = errors.New("protocols: malformed node status")

// PeerID returns the libp2p peer ID of the status's hotkey.
func (s *NodeStatus) PeerID() (peer.ID, error) {
	pk, err := crypto.UnmarshalEd25519PublicKey(s.Hotkey)
	if err != nil {
		return "", fmt.Errorf("%w: hotkey: %v", errNodeStatusShape, err)
	}
	return peer.IDFromPublicKey(pk)
}

func (s *NodeStatus) unsignedBytes() ([]byte, error) {
	c := *s
	c.Sig = nil
	return Marshal(&c)
}

// Sign sets Version and Hotkey from key and signs s.
func (s *NodeStatus) Sign(key ed25519.PrivateKey) error {
	s.Version = NodeStatusVersion
	s.Hotkey = append([]byte(nil), key.Public().(ed25519.PublicKey)...)
	b, err := s.unsignedBytes()
	if err != nil {
		return err
	}
	s.Sig = Sign(key, s.ChainID, KindNodeStatus, b)
	return nil
}

// Verify checks that s is for chainID and signed by its hotkey.
func (s *NodeStatus) Verify(chainID string) error {
	if s.ChainID != chainID {
		return fmt.Errorf("%w: got %q, want %q", ErrWrongChain, s.ChainID, chainID)
	}
	b, err := s.unsignedBytes()
	if err != nil {
		return err
	}
	return Verify(s.Hotkey, chainID, KindNodeStatus, b, s.Sig)
}

func (s *NodeStatus) validate() error {
	switch {
	case s.Version != NodeStatusVersion:
		return fmt.Errorf("%w: version %d, this node speaks %d (upgrade tao if peers are newer)", errNodeStatusShape, s.Version, NodeStatusVersion)
	case ValidateChainID(s.ChainID) != nil:
		return fmt.Errorf("%w: chain ID %q", errNodeStatusShape, s.ChainID)
	case len(s.Hotkey) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: hotkey is %d bytes", errNodeStatusShape, len(s.Hotkey))
	case len(s.Sig) != 0 && len(s.Sig) != ed25519.SignatureSize:
		return fmt.Errorf("%w: signature is %d bytes", errNodeStatusShape, len(s.Sig))
	case len(s.Roles) > MaxRolesPerNode:
		return fmt.Errorf("%w: %d roles", errNodeStatusShape, len(s.Roles))
	case len(s.Agent) > MaxAgentLen:
		return fmt.Errorf("%w: agent is %d bytes", errNodeStatusShape, len(s.Agent))
	}
	for _, r := range s.Roles {
		if len(r) == 0 || len(r) > MaxRoleLen {
			return fmt.Errorf("%w: role %q", errNodeStatusShape, r)
		}
	}
	return nil
}

// EncodeNodeStatus returns the canonical encoding of s.
func EncodeNodeStatus(s *NodeStatus) ([]byte, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	return Marshal(s)
}

// DecodeNodeStatus decodes and checks the shape of a NodeStatus. It does
// not verify the signature; call Verify.
func DecodeNodeStatus(b []byte) (*NodeStatus, error) {
	var s NodeStatus
	if err := Unmarshal(b, &s, MaxNodeStatusSize); err != nil {
		return nil, err
	}
	if err := s.validate(); err != nil {
		return nil, err
	}
	return &s, nil
}
