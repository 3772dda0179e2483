package protocols

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"unicode/utf8"
)

// Bounds of the market transactions' payloads.
const (
	// MaxSubnetNameLen bounds CreateSubnet.Name and a subnet's task.
	MaxSubnetNameLen = 64
	// MaxSubnetTextLen bounds a text hyperparameter (task, model).
	MaxSubnetTextLen = 256
	// MaxWeights bounds the entries of one weights vector (a subnet's uids).
	MaxWeights = 4096
	// MaxSaltLen bounds a commit-reveal salt.
	MaxSaltLen = 64
	// MaxUID is the largest uid a weights vector may name.
	MaxUID = 4095
)

// CreateSubnet creates a subnet owned by the signer (a coldkey), paying the
// network lock cost into the new subnet's pool (spec/dtao.md §10).
type CreateSubnet struct {
	_           struct{} `cbor:",toarray"`
	OwnerHotkey []byte   // 32 bytes; registered as uid 0 (immortal)
	Name        string   // short display name
	Task        string   // declared task, e.g. "text-generation"
	Model       string   // declared model digest (a CID string), may be empty
	MaxLock     uint64   // rao; fail if the lock cost exceeds it (0: no bound)
}

// TxKind implements TxBody.
func (*CreateSubnet) TxKind() TxKind { return TxCreateSubnet }

func (t *CreateSubnet) validate() error {
	if err := checkPubKey("owner hotkey", t.OwnerHotkey); err != nil {
		return err
	}
	if err := checkText("name", t.Name, MaxSubnetNameLen); err != nil {
		return err
	}
	if err := checkText("task", t.Task, MaxSubnetTextLen); err != nil {
		return err
	}
	return checkText("model", t.Model, MaxSubnetTextLen)
}

// SetSubnetParams sets one hyperparameter of a subnet; only its owner
// coldkey may sign it. Numeric parameters use Value, text ones (task,
// model, name) use Text; the ledger names the settable parameters and
// their bounds.
type SetSubnetParams struct {
	_      struct{} `cbor:",toarray"`
	NetUID uint16
	Param  string
	Value  uint64
	Text   string
}

// TxKind implements TxBody.
func (*SetSubnetParams) TxKind() TxKind { return TxSetSubnetParams }

func (t *SetSubnetParams) validate() error {
	if t.Param == "" || len(t.Param) > 64 {
		return fmt.Errorf("%w: parameter name of %d bytes; name one parameter", ErrBadTx, len(t.Param))
	}
	return checkText("text", t.Text, MaxSubnetTextLen)
}

// Register registers Hotkey as a neuron of a subnet, the signer (a
// coldkey) paying the registration burn (spec/dtao.md §9). The first
// registration of a hotkey makes the signer its owner.
type Register struct {
	_       struct{} `cbor:",toarray"`
	NetUID  uint16
	Hotkey  []byte
	MaxBurn uint64 // rao; fail if the burn exceeds it (0: no bound)
}

// TxKind implements TxBody.
func (*Register) TxKind() TxKind { return TxRegister }

func (t *Register) validate() error { return checkPubKey("hotkey", t.Hotkey) }

// AddStake stakes Amount rao of the signer's TAO on Hotkey in a subnet: a
// buy of the subnet's alpha (TAO itself on the root subnet, netuid 0).
// LimitPrice is the highest price in rao of TAO per alpha (10^9 = 1.0; 0:
// no limit); with Partial the part beyond the limit is refunded.
type AddStake struct {
	_          struct{} `cbor:",toarray"`
	Hotkey     []byte
	NetUID     uint16
	Amount     uint64
	LimitPrice uint64
	Partial    bool
}

// TxKind implements TxBody.
func (*AddStake) TxKind() TxKind { return TxAddStake }

func (t *AddStake) validate() error { return checkStake(t.Hotkey, t.Amount) }

// RemoveStake unstakes Amount rao of alpha from Hotkey in a subnet: a sell
// for TAO credited to the signer. LimitPrice is the lowest price accepted.
type RemoveStake struct {
	_          struct{} `cbor:",toarray"`
	Hotkey     []byte
	NetUID     uint16
	Amount     uint64
	LimitPrice uint64
	Partial    bool
}

// TxKind implements TxBody.
func (*RemoveStake) TxKind() TxKind { return TxRemoveStake }

func (t *RemoveStake) validate() error { return checkStake(t.Hotkey, t.Amount) }

// MoveStake moves Amount rao of the signer's alpha from (FromHotkey,
// FromNetUID) to (ToHotkey, ToNetUID). Within one subnet no swap happens;
// across subnets the alpha is sold and the TAO bought into the other pool,
// LimitPrice bounding the ratio of the prices (rao of destination alpha
// per source alpha, 0: no limit).
type MoveStake struct {
	_          struct{} `cbor:",toarray"`
	FromHotkey []byte
	FromNetUID uint16
	ToHotkey   []byte
	ToNetUID   uint16
	Amount     uint64
	LimitPrice uint64
}

// TxKind implements TxBody.
func (*MoveStake) TxKind() TxKind { return TxMoveStake }

func (t *MoveStake) validate() error {
	if err := checkStake(t.FromHotkey, t.Amount); err != nil {
		return err
	}
	return checkPubKey("destination hotkey", t.ToHotkey)
}

// SetTake sets the delegate take of Hotkey (parts of 65 535); only the
// hotkey's owner coldkey may sign it.
type SetTake struct {
	_      struct{} `cbor:",toarray"`
	Hotkey []byte
	Take   uint16
}

// TxKind implements TxBody.
func (*SetTake) TxKind() TxKind { return TxSetTake }

func (t *SetTake) validate() error { return checkPubKey("hotkey", t.Hotkey) }

// SetWeights sets the signer's weights in a subnet. The signer is the
// validator's hotkey (its account pays nothing: the fee is charged to the
// hotkey's owner coldkey). UIDs and Values pair up; the ledger normalises
// the values so the largest is 65 535.
type SetWeights struct {
	_          struct{} `cbor:",toarray"`
	NetUID     uint16
	UIDs       []uint16
	Values     []uint16
	VersionKey uint64
}

// TxKind implements TxBody.
func (*SetWeights) TxKind() TxKind { return TxSetWeights }

func (t *SetWeights) validate() error { return checkWeights(t.UIDs, t.Values) }

// CommitWeights commits a hash of weights to reveal later
// (WeightsCommitHash); signed by the validator's hotkey.
type CommitWeights struct {
	_      struct{} `cbor:",toarray"`
	NetUID uint16
	Hash   []byte // 32 bytes
}

// TxKind implements TxBody.
func (*CommitWeights) TxKind() TxKind { return TxCommitWeights }

func (t *CommitWeights) validate() error {
	if len(t.Hash) != sha256.Size {
		return fmt.Errorf("%w: commit hash is %d bytes, want %d (use WeightsCommitHash)", ErrBadTx, len(t.Hash), sha256.Size)
	}
	return nil
}

// RevealWeights reveals committed weights; the ledger checks that
// WeightsCommitHash of the signer, the subnet and these fields is the
// commit.
type RevealWeights struct {
	_          struct{} `cbor:",toarray"`
	NetUID     uint16
	UIDs       []uint16
	Values     []uint16
	Salt       []byte
	VersionKey uint64
}

// TxKind implements TxBody.
func (*RevealWeights) TxKind() TxKind { return TxRevealWeights }

func (t *RevealWeights) validate() error {
	if len(t.Salt) == 0 || len(t.Salt) > MaxSaltLen {
		return fmt.Errorf("%w: salt of %d bytes, want 1..%d", ErrBadTx, len(t.Salt), MaxSaltLen)
	}
	return checkWeights(t.UIDs, t.Values)
}

// SetConsensus declares that the signer, a hotkey, runs a consensus node
// (Active) or no longer does. Only such hotkeys are candidates for the
// BFT validator set, which the ledger recomputes from their stake at
// epoch boundaries: stake alone must not elect a hotkey that runs no
// node. The fee is paid by the hotkey's owner coldkey.
type SetConsensus struct {
	_      struct{} `cbor:",toarray"`
	Active bool
}

// TxKind implements TxBody.
func (*SetConsensus) TxKind() TxKind { return TxSetConsensus }

func (*SetConsensus) validate() error { return nil }

// ReportEquivocation puts evidence of a validator's equivocation on the
// ledger, which slashes the validator's root stake and removes it from the
// candidates. Any account may sign it.
type ReportEquivocation struct {
	_        struct{} `cbor:",toarray"`
	Evidence Evidence
}

// TxKind implements TxBody.
func (*ReportEquivocation) TxKind() TxKind { return TxReportEquivocation }

func (t *ReportEquivocation) validate() error {
	if err := t.Evidence.validate(); err != nil {
		return fmt.Errorf("%w: evidence: %v", ErrBadTx, err)
	}
	return nil
}

// WeightsCommitHash is the hash a CommitWeights carries: SHA-256 over a
// domain tag, the hotkey, the netuid, the uids and values, the salt and the
// version key, each length-prefixed, so no two inputs share an encoding.
func WeightsCommitHash(hotkey []byte, netuid uint16, uids, values []uint16, salt []byte, versionKey uint64) []byte {
	h := sha256.New()
	var buf []byte
	buf = append(buf, "tao/v1/weights-commit"...)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(hotkey)))
	buf = append(buf, hotkey...)
	buf = binary.BigEndian.AppendUint16(buf, netuid)
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(uids)))
	for i := range uids {
		buf = binary.BigEndian.AppendUint16(buf, uids[i])
		if i < len(values) {
			buf = binary.BigEndian.AppendUint16(buf, values[i])
		}
	}
	buf = binary.BigEndian.AppendUint32(buf, uint32(len(salt)))
	buf = append(buf, salt...)
	buf = binary.BigEndian.AppendUint64(buf, versionKey)
	h.Write(buf)
	return h.Sum(nil)
}

func checkPubKey(what string, k []byte) error {
	if len(k) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: %s is %d bytes, want %d", ErrBadTx, what, len(k), ed25519.PublicKeySize)
	}
	return nil
}

func checkText(what, s string, max int) error {
	switch {
	case len(s) > max:
		return fmt.Errorf("%w: %s of %d bytes, limit %d; shorten it", ErrBadTx, what, len(s), max)
	case !utf8.ValidString(s):
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrBadTx, what)
	}
	return nil
}

func checkStake(hotkey []byte, amount uint64) error {
	if err := checkPubKey("hotkey", hotkey); err != nil {
		return err
	}
	if amount == 0 {
		return fmt.Errorf("%w: amount of 0 rao; give a positive amount", ErrBadTx)
	}
	return nil
}

// checkWeights checks a weights vector's shape: paired, bounded, uids
// strictly ascending (so unique) and at most MaxUID.
func checkWeights(uids, values []uint16) error {
	switch {
	case len(uids) != len(values):
		return fmt.Errorf("%w: %d uids but %d weights; give one weight per uid", ErrBadTx, len(uids), len(values))
	case len(uids) > MaxWeights:
		return fmt.Errorf("%w: %d weights, limit %d", ErrBadTx, len(uids), MaxWeights)
	}
	for i, u := range uids {
		if u > MaxUID {
			return fmt.Errorf("%w: uid %d is beyond the largest uid %d", ErrBadTx, u, MaxUID)
		}
		if i > 0 && u <= uids[i-1] {
			if u == uids[i-1] {
				return fmt.Errorf("%w: uid %d appears twice; give each uid once", ErrBadTx, u)
			}
			return fmt.Errorf("%w: uids are not in ascending order at uid %d; sort them", ErrBadTx, u)
		}
	}
	return nil
}
