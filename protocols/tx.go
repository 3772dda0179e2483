package protocols

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/ipfs/go-cid"
)

// TxVersion is the only Tx version this code accepts.
const TxVersion = 1

// MaxTxSize bounds an encoded Tx, signature included. It is far above any
// transaction kind's needs (a set-weights over 256 uids is about 2 KiB) and
// far below a block, so one transaction can never crowd out a block.
const MaxTxSize = 64 << 10

// TxKind names what a transaction does; it selects the type of Tx.Payload.
// Kinds are never renumbered: a new kind takes the next number, and a
// decoder rejects kinds it does not know.
type TxKind uint8

// Transaction kinds (DESIGN §4). TxSwapColdkey is reserved: its number
// keeps its place until its payload is defined.
const (
	TxTransfer           TxKind = 1  // move TAO between coldkeys
	TxCreateSubnet       TxKind = 2  // create a subnet (lock cost)
	TxSetSubnetParams    TxKind = 3  // owner sets hyperparameters
	TxRegister           TxKind = 4  // register a neuron (burn)
	TxAddStake           TxKind = 5  // stake TAO on a hotkey in a subnet
	TxRemoveStake        TxKind = 6  // unstake alpha for TAO
	TxMoveStake          TxKind = 7  // move stake between hotkeys and subnets
	TxSetTake            TxKind = 8  // delegate take
	TxSetWeights         TxKind = 9  // signed by the hotkey
	TxCommitWeights      TxKind = 10 // signed by the hotkey
	TxRevealWeights      TxKind = 11 // signed by the hotkey
	TxSwapColdkey        TxKind = 12 // reserved: schedule a coldkey swap
	TxSetConsensus       TxKind = 13 // signed by the hotkey: it runs a consensus node
	TxReportEquivocation TxKind = 14 // evidence that a validator signed two votes for one step
)

var txKindNames = map[TxKind]string{
	TxTransfer: "transfer", TxCreateSubnet: "create-subnet", TxSetSubnetParams: "set-subnet-params",
	TxRegister: "register", TxAddStake: "add-stake", TxRemoveStake: "remove-stake",
	TxMoveStake: "move-stake", TxSetTake: "set-take", TxSetWeights: "set-weights",
	TxCommitWeights: "commit-weights", TxRevealWeights: "reveal-weights", TxSwapColdkey: "swap-coldkey",
	TxSetConsensus: "set-consensus", TxReportEquivocation: "report-equivocation",
}

// String returns the kind's name, or "kind(N)" for an unknown kind.
func (k TxKind) String() string {
	if s, ok := txKindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// ErrBadTx reports a transaction that is malformed regardless of state: a
// wrong length, an unknown version or kind, a payload of the wrong shape.
var ErrBadTx = errors.New("protocols: malformed transaction")

// Tx is a signed ledger transaction. The signer is a coldkey; the signature
// covers every other field under KindTx and the chain ID (DESIGN §3), and
// the nonce orders an account's transactions, so a transaction can be
// executed once, on one chain. A Tx is named by the CID of its encoding.
type Tx struct {
	_       struct{} `cbor:",toarray"`
	Version uint8
	ChainID string
	Kind    TxKind
	Signer  []byte // coldkey ed25519 public key, 32 bytes
	Nonce   uint64 // must equal the signer's next nonce
	Fee     uint64 // rao, burned; at least the chain's fee
	Payload []byte // canonical CBOR of the kind's body (Transfer, ...)
	Sig     []byte // ed25519 over the encoding with Sig empty

	// enc is the encoding tx was decoded from, used while it still is
	// tx's (tx_cache.go); nil for a Tx built in memory.
	enc *txEncoding
}

// TxBody is the kind-specific part of a transaction. The set of bodies is
// closed: each is defined in this package.
type TxBody interface {
	TxKind() TxKind
	validate() error
}

// Transfer moves Amount rao from the signer to To.
type Transfer struct {
	_      struct{} `cbor:",toarray"`
	To     []byte   // coldkey ed25519 public key, 32 bytes
	Amount uint64   // rao, > 0
}

// TxKind implements TxBody.
func (*Transfer) TxKind() TxKind { return TxTransfer }

func (t *Transfer) validate() error {
	switch {
	case len(t.To) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: transfer recipient is %d bytes, want %d", ErrBadTx, len(t.To), ed25519.PublicKeySize)
	case t.Amount == 0:
		return fmt.Errorf("%w: transfer of 0 rao; give a positive amount", ErrBadTx)
	}
	return nil
}

// NewTx returns an unsigned transaction of body's kind. Sign it with Sign.
func NewTx(chainID string, nonce, fee uint64, body TxBody) (*Tx, error) {
	if err := body.validate(); err != nil {
		return nil, err
	}
	p, err := Marshal(body)
	if err != nil {
		return nil, err
	}
	return &Tx{Version: TxVersion, ChainID: chainID, Kind: body.TxKind(), Nonce: nonce, Fee: fee, Payload: p}, nil
}

// Body decodes the payload according to the kind. The returned body is the
// caller's.
func (tx *Tx) Body() (TxBody, error) {
	var b TxBody
	switch tx.Kind {
	case TxTransfer:
		if t, ok := decodeTransfer(tx.Payload); ok {
			if err := t.validate(); err != nil {
				return nil, err
			}
			return t, nil
		}
		b = new(Transfer)
	case TxCreateSubnet:
		b = new(CreateSubnet)
	case TxSetSubnetParams:
		b = new(SetSubnetParams)
	case TxRegister:
		b = new(Register)
	case TxAddStake:
		b = new(AddStake)
	case TxRemoveStake:
		b = new(RemoveStake)
	case TxMoveStake:
		b = new(MoveStake)
	case TxSetTake:
		b = new(SetTake)
	case TxSetWeights:
		b = new(SetWeights)
	case TxCommitWeights:
		b = new(CommitWeights)
	case TxRevealWeights:
		b = new(RevealWeights)
	case TxSetConsensus:
		b = new(SetConsensus)
	case TxReportEquivocation:
		b = new(ReportEquivocation)
	default:
		return nil, fmt.Errorf("%w: unknown transaction kind %s (upgrade tao if the network is newer)", ErrBadTx, tx.Kind)
	}
	if err := Unmarshal(tx.Payload, b, MaxTxSize); err != nil {
		return nil, fmt.Errorf("%w: %s payload: %v", ErrBadTx, tx.Kind, err)
	}
	if err := b.validate(); err != nil {
		return nil, err
	}
	return b, nil
}

// SignBytes returns the canonical encoding of tx without its signature:
// what Sign signs (under the domain of SigningBytes).
func (tx *Tx) SignBytes() ([]byte, error) {
	if e := tx.encoding(); e != nil {
		sign, _ := e.derived()
		return bytes.Clone(sign), nil // the caller's
	}
	return tx.signBytes()
}

// signBytes is SignBytes, shared with tx's cached encoding where it has
// one: the caller must not modify it.
func (tx *Tx) signBytes() ([]byte, error) {
	if e := tx.encoding(); e != nil {
		sign, _ := e.derived()
		return sign, nil
	}
	c := *tx
	c.Sig = nil
	return Marshal(&c)
}

// Sign sets Version and Signer from key and signs tx.
func (tx *Tx) Sign(key ed25519.PrivateKey) error {
	tx.Version = TxVersion
	tx.Signer = append([]byte(nil), key.Public().(ed25519.PublicKey)...)
	b, err := tx.SignBytes()
	if err != nil {
		return err
	}
	tx.Sig = Sign(key, tx.ChainID, KindTx, b)
	return nil
}

// Verify checks that tx is for chainID and signed by its signer.
func (tx *Tx) Verify(chainID string) error { return tx.VerifyWith(chainID, Verify) }

// VerifyWith is Verify with the signature check done by verify.
func (tx *Tx) VerifyWith(chainID string, verify VerifyFunc) error {
	c, err := tx.SigCheck(chainID)
	if err != nil {
		return err
	}
	return verify(c.Pub, c.ChainID, c.Kind, c.Canonical, c.Sig)
}

// ID returns the transaction's CID: the CID of its encoding.
func (tx *Tx) ID() (cid.Cid, error) {
	if e := tx.encoding(); e != nil {
		// EncodeTx's checks, then the ID of the bytes it would return
		// (decoding bounded them by MaxTxSize).
		if err := tx.validate(); err != nil {
			return cid.Undef, err
		}
		_, id := e.derived()
		return cid.Cast(id)
	}
	b, err := EncodeTx(tx)
	if err != nil {
		return cid.Undef, err
	}
	return CID(b), nil
}

// Size returns the length of tx's encoding, without encoding it.
func (tx *Tx) Size() int { return tx.encodedSize() }

// Validate makes the checks of DecodeTx and EncodeTx other than the size:
// version, chain ID, key and signature lengths, kind and payload. It does
// not verify the signature.
func (tx *Tx) Validate() error { return tx.validate() }

func (tx *Tx) validate() error {
	switch {
	case tx.Version != TxVersion:
		return fmt.Errorf("%w: version %d, this node speaks %d (upgrade tao if peers are newer)", ErrBadTx, tx.Version, TxVersion)
	case ValidateChainID(tx.ChainID) != nil:
		return fmt.Errorf("%w: chain ID %q", ErrBadTx, tx.ChainID)
	case len(tx.Signer) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: signer is %d bytes, want %d", ErrBadTx, len(tx.Signer), ed25519.PublicKeySize)
	case len(tx.Sig) != ed25519.SignatureSize:
		return fmt.Errorf("%w: signature is %d bytes, want %d (sign the transaction first)", ErrBadTx, len(tx.Sig), ed25519.SignatureSize)
	}
	// A transfer is checked in place: the shape checks run several times
	// per transaction, and Body allocates the body each time. Anything
	// else (a zero amount included) gets Body's verdict and error.
	if amount, ok := transferAmount(tx.Payload); ok && amount > 0 && tx.Kind == TxTransfer {
		return nil
	}
	_, err := tx.Body()
	return err
}

// EncodeTx returns the canonical encoding of a signed tx.
func EncodeTx(tx *Tx) ([]byte, error) {
	if err := tx.validate(); err != nil {
		return nil, err
	}
	b, err := Marshal(tx)
	if err != nil {
		return nil, err
	}
	if len(b) > MaxTxSize {
		return nil, fmt.Errorf("%w: transaction is %d bytes, limit %d", ErrTooLarge, len(b), MaxTxSize)
	}
	return b, nil
}

// DecodeTx decodes and checks the shape of a Tx, payload included. It does
// not verify the signature; call Verify.
func DecodeTx(b []byte) (*Tx, error) {
	var tx Tx
	if err := Unmarshal(b, &tx, MaxTxSize); err != nil {
		return nil, err
	}
	if err := tx.validate(); err != nil {
		return nil, err
	}
	return &tx, nil
}
