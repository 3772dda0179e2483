package ledger

import "encoding/binary"

// SchemaVersion is the version of the store's key schema below. A store
// written under another version is refused by Open (ErrSchemaVersion):
// a change to any key or record layout bumps it.
//
// A namespace added outside the state, whose absence every reader
// tolerates, does not: bumping would make every data dir resync to gain
// an index an old store can simply lack. The 'v' namespace (validator
// sets by hash) came that way at version 2: a store written before it
// has no sets for the blocks it committed then, and those blocks' signers
// stay unnamed (docs/decisions.md, "Block API").
const SchemaVersion = 2

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
//	'v' validators hash(32)  a validator set that committed a block, by its
//	                         hash (ValidatorSet.Encode; valsets.go): outside
//	                         the state, so in no root, digest or snapshot;
//	                         absent for blocks committed before a restored
//	                         snapshot or by a tao that did not keep sets
//
// State keys (the keys of View, the write set and the digest):
//
//	'C' hotkey(32)                  candidateRecord: a consensus-node candidate
//	'E' evidence CID                the height an equivocation was reported at (u64)
//	'H' hotkey(32)                  hotkeyRecord: owner coldkey, delegate take
//	'K' coldkey hotkey netuid(2)    index of a coldkey's stakes (value 0x01)
//	'N' netuid(2) uid(2)            neuronRecord
//	'P' hotkey netuid(2)            stakePool: a hotkey's alpha and shares on a subnet
//	'S' netuid(2)                   subnetRecord
//	'W' netuid(2) hotkey            commitRecord: a pending weights commit
//	'a' coldkey(32)                 accountRecord: balance and nonce
//	'e'                             economyRecord: lock price, root TAO
//	'i'                             supplyRecord: issuance and burned
//	'k' hotkey netuid(2) coldkey    a staker's shares in a stake pool (u64 CBOR)
//	'u' netuid(2) hotkey            a hotkey's uid on a subnet (u16 CBOR)
//	'v'                             the validator set (validatorSet)
//
// Integers in keys are big-endian, so byte order is numeric order.
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

	nsValidatorSet = 'v'
)

const (
	skAccount    = 'a'
	skSupply     = 'i'
	skValidators = 'v'
	skCandidate  = 'C'
	skEvidence   = 'E'
	skHotkey     = 'H'
	skStakeIndex = 'K'
	skNeuron     = 'N'
	skStakePool  = 'P'
	skSubnet     = 'S'
	skCommit     = 'W'
	skEconomy    = 'e'
	skShares     = 'k'
	skUID        = 'u'
)

func heightKey(ns byte, h uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte{ns}, h)
}

func chunkKey(h uint64, i uint32) []byte {
	return binary.BigEndian.AppendUint32(heightKey(nsSnapChunk, h), i)
}

func txKey(id []byte) []byte { return prefixed(nsTx, id) }

// storeKey maps a state key into the store's state namespace.
func storeKey(stateKey []byte) []byte { return prefixed(nsState, stateKey) }

// prefixed returns b after the byte p, in one allocation (appending to a
// one-byte literal allocates twice).
func prefixed(p byte, b []byte) []byte {
	k := make([]byte, 1+len(b))
	k[0] = p
	copy(k[1:], b)
	return k
}

func accountKey(a Account) []byte { return prefixed(skAccount, a[:]) }

var (
	supplyKey     = []byte{skSupply}
	validatorsKey = []byte{skValidators}
	economyKey    = []byte{skEconomy}
)

func u16(b []byte, v uint16) []byte { return binary.BigEndian.AppendUint16(b, v) }

func subnetKey(netuid uint16) []byte { return u16([]byte{skSubnet}, netuid) }

func neuronKey(netuid, uid uint16) []byte { return u16(u16([]byte{skNeuron}, netuid), uid) }

func neuronPrefix(netuid uint16) []byte { return u16([]byte{skNeuron}, netuid) }

func uidKey(netuid uint16, h Hotkey) []byte { return append(u16([]byte{skUID}, netuid), h[:]...) }

func hotkeyKey(h Hotkey) []byte { return append([]byte{skHotkey}, h[:]...) }

func stakePoolKey(h Hotkey, netuid uint16) []byte {
	return u16(append([]byte{skStakePool}, h[:]...), netuid)
}

func sharesKey(h Hotkey, netuid uint16, c Account) []byte {
	return append(u16(append([]byte{skShares}, h[:]...), netuid), c[:]...)
}

func sharesPrefix(h Hotkey, netuid uint16) []byte {
	return u16(append([]byte{skShares}, h[:]...), netuid)
}

func stakeIndexKey(c Account, h Hotkey, netuid uint16) []byte {
	return u16(append(append([]byte{skStakeIndex}, c[:]...), h[:]...), netuid)
}

func stakeIndexPrefix(c Account) []byte { return append([]byte{skStakeIndex}, c[:]...) }

func commitKey(netuid uint16, h Hotkey) []byte { return append(u16([]byte{skCommit}, netuid), h[:]...) }
