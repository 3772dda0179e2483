package ledger

import (
	"fmt"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
)

// maxRecordSize bounds a stored state record.
const maxRecordSize = 1 << 20

// accountRecord is an account's state. An account with nothing is absent.
type accountRecord struct {
	_       struct{} `cbor:",toarray"`
	Balance market.Rao
	Nonce   uint64 // the nonce its next transaction must carry
}

// supplyRecord tracks TAO in existence: Issued is what genesis and
// emission created, Burned what fees and burns destroyed. The invariant is
// Σ balances (+ stake, once staking exists) = Issued − Burned.
type supplyRecord struct {
	_      struct{} `cbor:",toarray"`
	Issued market.Rao
	Burned market.Rao
}

// decodeRecord decodes a state record. The state holds only what Marshal
// wrote (or a snapshot whose bytes a committed digest vouches for), so the
// canonical re-encoding check is skipped: it doubled the cost of an epoch.
func decodeRecord(key, b []byte, v any) error {
	if err := protocols.UnmarshalStored(b, v, maxRecordSize); err != nil {
		return fmt.Errorf("%w: state key %x: %v", ErrCorrupt, key, err)
	}
	return nil
}

func getAccount(v View, a Account) (accountRecord, error) { return getAccountAt(v, accountKey(a)) }

// getAccountAt is getAccount given the account's key (accountKey).
func getAccountAt(v View, key []byte) (accountRecord, error) {
	b, err := v.Get(key)
	if err != nil || b == nil {
		return accountRecord{}, err
	}
	if bal, nonce, ok := decodePair(b); ok {
		return accountRecord{Balance: market.Rao(bal), Nonce: nonce}, nil
	}
	var r accountRecord // declared here: its address escapes, so it is allocated only on this path
	return r, decodeRecord(key, b, &r)
}

func putAccount(o *overlay, a Account, r accountRecord) error {
	return putAccountAt(o, accountKey(a), r)
}

// putAccountAt is putAccount given the account's key (accountKey).
func putAccountAt(o *overlay, key []byte, r accountRecord) error {
	if r == (accountRecord{}) {
		o.set(key, nil) // keep the state free of empty accounts
		return nil
	}
	o.set(key, appendPair(make([]byte, 0, 19), uint64(r.Balance), r.Nonce))
	return nil
}

func getSupply(v View) (supplyRecord, error) {
	b, err := v.Get(supplyKey)
	if err != nil || b == nil {
		return supplyRecord{}, err
	}
	if issued, burned, ok := decodePair(b); ok {
		return supplyRecord{Issued: market.Rao(issued), Burned: market.Rao(burned)}, nil
	}
	var r supplyRecord // as in getAccount
	return r, decodeRecord(supplyKey, b, &r)
}

func putSupply(o *overlay, r supplyRecord) error {
	o.set(supplyKey, appendPair(make([]byte, 0, 19), uint64(r.Issued), uint64(r.Burned)))
	return nil
}
