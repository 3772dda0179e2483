package ledger

import "errors"

// Rejections of a transaction. Each is wrapped with the specifics and the
// fix ("nonce 5 is stale; the account's next nonce is 7 ..."); test them
// with errors.Is. A rejected transaction changes nothing: no fee is taken
// and the nonce does not advance.
var (
	// ErrBadNonce: the nonce is not the account's next nonce.
	ErrBadNonce = errors.New("ledger: bad nonce")
	// ErrInsufficientFunds: the signer cannot pay the fee plus the amount.
	ErrInsufficientFunds = errors.New("ledger: insufficient funds")
	// ErrWrongChain: the transaction was signed for another chain.
	ErrWrongChain = errors.New("ledger: transaction is for another chain")
	// ErrBadSignature: the signature does not verify under the signer.
	ErrBadSignature = errors.New("ledger: bad signature")
	// ErrTxTooLarge: the encoded transaction exceeds protocols.MaxTxSize.
	ErrTxTooLarge = errors.New("ledger: transaction too large")
	// ErrFeeTooLow: the fee is below the chain's Params.TxFee.
	ErrFeeTooLow = errors.New("ledger: fee too low")
	// ErrMalformedTx: the transaction is not well formed (unknown kind,
	// bad payload, bad lengths).
	ErrMalformedTx = errors.New("ledger: malformed transaction")
	// ErrOverflow: an amount would exceed 2^64 rao; it means a corrupt
	// state or a bug, since the supply cap is far below.
	ErrOverflow = errors.New("ledger: amount overflow")
)

// Mempool rejections.
var (
	// ErrMempoolFull: the mempool is at its transaction or byte bound.
	ErrMempoolFull = errors.New("ledger: mempool full; retry after the next block")
	// ErrTxKnown: the transaction is already in the mempool.
	ErrTxKnown = errors.New("ledger: transaction already in the mempool")
)

// Block and store errors.
var (
	// ErrInvalidBlock: a block that must not be committed. The wrapped
	// error says which check failed; for gossip it is bad peer data.
	ErrInvalidBlock = errors.New("ledger: invalid block")
	// ErrSchemaVersion: the store was written by a tao with another key
	// schema.
	ErrSchemaVersion = errors.New("ledger: unknown store schema version")
	// ErrGenesisMismatch: the store holds another chain than the genesis
	// given to Open.
	ErrGenesisMismatch = errors.New("ledger: store belongs to another genesis")
	// ErrBadGenesis: a genesis that fails validation.
	ErrBadGenesis = errors.New("ledger: invalid genesis")
	// ErrBadParams: chain parameters out of range.
	ErrBadParams = errors.New("ledger: invalid chain parameters")
	// ErrNotFound: no block, certificate or snapshot at that height.
	ErrNotFound = errors.New("ledger: not found")
	// ErrBadSnapshot: a snapshot whose contents do not match its digest or
	// the trusted header.
	ErrBadSnapshot = errors.New("ledger: snapshot does not verify")
	// ErrCorrupt: a stored record does not decode; the data directory is
	// damaged.
	ErrCorrupt = errors.New("ledger: store is corrupt (restore the data dir from a snapshot or resync)")
)
