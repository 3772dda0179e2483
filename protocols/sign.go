package protocols

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// ErrBadSignature reports a signature that does not verify under the
// claimed key for this chain and message kind.
var ErrBadSignature = errors.New("protocols: bad signature")

// ErrWrongChain reports a message made for another chain.
var ErrWrongChain = errors.New("protocols: message is for another chain")

// Signing kinds. A signature over one kind never verifies as another, so a
// vote cannot be replayed as a transaction.
const (
	KindNodeStatus = "node-status"
	KindTx         = "tx"
	KindProposal   = "proposal"
	KindVote       = "vote"
	KindHeartbeat  = "heartbeat"
	KindRequest    = "infer-request"
	KindReceipt    = "receipt"
)

// SigningBytes returns what a key signs: "tao/v1/" + chainID + "/" + kind +
// "/" + the canonical encoding of the message without its signature
// (DESIGN §3). The chain ID and kind are domain separators.
func SigningBytes(chainID, kind string, canonical []byte) []byte {
	b := make([]byte, 0, 8+len(chainID)+len(kind)+len(canonical))
	b = append(b, "tao/v1/"...)
	b = append(b, chainID...)
	b = append(b, '/')
	b = append(b, kind...)
	b = append(b, '/')
	return append(b, canonical...)
}

// Sign signs canonical bytes of a message of kind on chainID.
func Sign(key ed25519.PrivateKey, chainID, kind string, canonical []byte) []byte {
	return ed25519.Sign(key, SigningBytes(chainID, kind, canonical))
}

// Verify checks sig over canonical bytes of a message of kind on chainID.
//
// Validity follows ZIP 215 (the rule of Zcash and CometBFT): S must be
// canonical (below the group order), A and R may be any encoding of a
// curve point, and the check is the cofactored equation
// [8][S]B = [8]R + [8][k]A. Every signature crypto/ed25519 accepts is
// accepted here (crypto/ed25519 checks the same equation without the
// cofactor, which implies this one); the only additions are adversarial
// ones with small-order components, which no signer produces by signing.
// The point of the rule is VerifyBatch: with ZIP 215, verifying many
// signatures at once gives exactly the verdicts of verifying each alone,
// which the cofactorless rule of crypto/ed25519 cannot promise (a batch
// multiplies by the cofactor, so it can accept a torsion component that
// single verification rejects), and consensus needs one answer on every
// replica.
func Verify(pub []byte, chainID, kind string, canonical, sig []byte) error {
	if err := checkSigShape(pub, sig); err != nil {
		return err
	}
	if !voi.VerifyWithOptions(pub, SigningBytes(chainID, kind, canonical), sig, zip215) {
		return ErrBadSignature
	}
	return nil
}

// checkSigShape checks the lengths of a key and a signature.
func checkSigShape(pub, sig []byte) error {
	if len(pub) != ed25519.PublicKeySize {
		return fmt.Errorf("%w: public key is %d bytes, want %d", ErrBadSignature, len(pub), ed25519.PublicKeySize)
	}
	if len(sig) != ed25519.SignatureSize {
		return fmt.Errorf("%w: signature is %d bytes, want %d", ErrBadSignature, len(sig), ed25519.SignatureSize)
	}
	return nil
}
