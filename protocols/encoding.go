package protocols

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/fxamacker/cbor/v2"
)

// ErrNotCanonical reports bytes that decode but are not the one canonical
// encoding of their value (for example a non-minimal integer or unsorted map
// keys). Such bytes would hash and sign differently from the value they
// carry, so they are rejected.
var ErrNotCanonical = errors.New("protocols: encoding is not canonical CBOR")

// ErrTooLarge reports an input longer than the limit of its message type.
var ErrTooLarge = errors.New("protocols: message exceeds its size limit")

// encMode is the RFC 8949 core deterministic encoding. It is immutable and
// safe for concurrent use.
var encMode = mustEncMode()

// decMode bounds every allocation a hostile input could cause before the
// decoder makes it, and refuses the non-canonical forms it can detect itself.
var decMode = mustDecMode()

func mustEncMode() cbor.EncMode {
	opts := cbor.CoreDetEncOptions()
	opts.Time = cbor.TimeUnix
	em, err := opts.EncMode()
	if err != nil {
		panic("protocols: bad CBOR encoding options: " + err.Error())
	}
	return em
}

func mustDecMode() cbor.DecMode {
	dm, err := cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		MaxNestedLevels:   16,
		MaxArrayElements:  1 << 16,
		MaxMapPairs:       1 << 12,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		UTF8:              cbor.UTF8RejectInvalid,
	}.DecMode()
	if err != nil {
		panic("protocols: bad CBOR decoding options: " + err.Error())
	}
	return dm
}

// Marshal returns the canonical CBOR encoding of v.
func Marshal(v any) ([]byte, error) {
	// Transactions, lists of them and blocks take tx_codec.go's encoder:
	// the same bytes, without reflection.
	switch x := v.(type) {
	case *Tx:
		if x == nil {
			return encMode.Marshal(v) // null, as the reflective encoder writes it
		}
		return x.MarshalCBOR()
	case []Tx:
		return appendTxs(nil, x), nil
	case *Block:
		if x == nil {
			return encMode.Marshal(v)
		}
		h, err := encMode.Marshal(&x.Header)
		if err != nil {
			return nil, err
		}
		return appendTxs(append([]byte{0x82}, h...), x.Txs), nil
	}
	return encMode.Marshal(v)
}

// Unmarshal decodes b into v and fails unless b is exactly the canonical
// encoding of the decoded value, with no trailing bytes. max bounds len(b).
func Unmarshal(b []byte, v any, max int) error {
	if tx, ok := v.(*Tx); ok && len(b) <= max && decodeTxCanonical(b, tx) {
		return nil // canonical by construction (tx_codec.go)
	}
	if err := UnmarshalStored(b, v, max); err != nil {
		return err
	}
	// Marshal, not encMode.Marshal: the same bytes (TestTxListCodec), and
	// a block's transactions are written without reflection.
	again, err := Marshal(v)
	if err != nil {
		return fmt.Errorf("protocols: re-encode: %w", err)
	}
	if !bytes.Equal(again, b) {
		return ErrNotCanonical
	}
	return nil
}

// UnmarshalStored decodes b into v like Unmarshal, with the same limits
// and rejections of malformed input, but without the re-encoding that
// proves b canonical. It is for records a node wrote itself with Marshal
// (its ledger state), read back on hot paths, where the values decoded,
// not the bytes, are what the node uses.
func UnmarshalStored(b []byte, v any, max int) error {
	if len(b) > max {
		return fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(b), max)
	}
	if err := decMode.Unmarshal(b, v); err != nil {
		return fmt.Errorf("protocols: decode: %w", err)
	}
	return nil
}
