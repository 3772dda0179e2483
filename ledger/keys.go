package ledger

import "encoding/binary"

// SchemaVersion is the version of the store's key schema below. A store
// written under another version is refused by Open (ErrSchemaVersion):
// a change to any key or record layout bumps it.
const SchemaVersion = 1

// Store keys. The first byte is the namespace; heights are 8-byte
// big-endian so that byte order is height order.
//
//	0x00 'V'                 schema version (CBOR uint)
//	0x00 'G'                 genesis hash (CID bytes)
//	0x00 'T'                 tip: the last committed height (tipRecord)
//	'b' height               block bytes (protocols.EncodeBlock)
//	'c' height               commit certificate bytes (opaque, from consensus)
//	'h' height               heightRecord: the state root's inputs at that height
//	'x' tx CID               txRecord: where a transaction was committed and its result
//	'm' height               snapshotMeta of a snapshot taken at that height
//	'n' height chunk(4 B)    snapshot chunk: CBOR []KV
//	's' state key            state value
//
// State keys (the keys of View, the write set and the digest):
//
//	'a' coldkey(32)          accountRecord: balance and nonce
//	'i'                      supplyRecord: issuance and burned
//	'v'                      the validator set (validatorSet)
//
// Reserved for the market wiring (DESIGN §4): 'S' netuid subnets, 'N'
// netuid uid neurons, 'k' coldkey hotkey netuid stake, 'w' weights, 'W'
// weight commits, 't' delegate takes. Add them here, in key order.
var (
	keySchema  = []byte{0x00, 'V'}
	keyGenesis = []byte{0x00, 'G'}
	keyTip     = []byte{0x00, 'T'}
)

const (
	nsBlock     = 'b'
	nsCert      = 'c'
	nsHeight    = 'h'
	nsTx        = 'x'
	nsSnapMeta  = 'm'
	nsSnapChunk = 'n'
	nsState     = 's'
)

const (
	skAccount    = 'a'
	skSupply     = 'i'
	skValidators = 'v'
)

func heightKey(ns byte, h uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{ns}, h)
}

func chunkKey(h uint64, i uint32) []byte {
	return binary.BigEndian.AppendUint32(heightKey(nsSnapChunk, h), i)
}

func txKey(id []byte) []byte { return append([]byte{nsTx}, id...) }

// storeKey maps a state key into the store's state namespace.
func storeKey(stateKey []byte) []byte { return append([]byte{nsState}, stateKey...) }

func accountKey(a Account) []byte { return append([]byte{skAccount}, a[:]...) }

var (
	supplyKey     = []byte{skSupply}
	validatorsKey = []byte{skValidators}
)
