package ledger

import (
	"encoding/binary"
	"fmt"

	"github.com/taonet/tao/market"
	"github.com/taonet/tao/protocols"
	"github.com/taonet/tao/yuma"
)

// SubnetHyper are a subnet's hyperparameters: the owner sets them with a
// set-subnet-params transaction, within the bounds of SetSubnetParam.
type SubnetHyper struct {
	_                   struct{}   `cbor:",toarray"`
	Tempo               uint16     `json:"tempo"`
	MaxUIDs             uint16     `json:"max_uids"`
	MaxValidators       uint16     `json:"max_validators"` // validator permits (yuma's K)
	ImmunityPeriod      uint64     `json:"immunity_period"`
	WeightsRateLimit    uint64     `json:"weights_rate_limit"`
	CommitReveal        bool       `json:"commit_reveal"`
	RevealPeriod        uint64     `json:"reveal_period"` // blocks a commit waits before its reveal; it expires one period later
	MinAllowedWeights   uint16     `json:"min_allowed_weights"`
	WeightsVersion      uint64     `json:"weights_version"` // set-weights must carry at least this version key
	RegistrationAllowed bool       `json:"registration_allowed"`
	MinBurn             market.Rao `json:"min_burn"`
	MaxBurn             market.Rao `json:"max_burn"`
	Kappa               uint16     `json:"kappa"`
	BondsMovingAverage  uint64     `json:"bonds_moving_average"`
	BondsPenalty        uint16     `json:"bonds_penalty"`
	Yuma3               bool       `json:"yuma3"`
	LiquidAlpha         bool       `json:"liquid_alpha"`
	AlphaLow            uint16     `json:"alpha_low"`
	AlphaHigh           uint16     `json:"alpha_high"`
	ActivityCutoffMilli uint32     `json:"activity_cutoff_milli"` // activity cutoff in thousandths of a tempo
	StakeThreshold      market.Rao `json:"stake_threshold"`       // alpha a validator permit needs
	MaxWeightLimit      uint16     `json:"max_weight_limit"`      // largest share of a weights vector one uid may take, parts of 65 535
}

// subnetRecord is a subnet's state: identity, hyperparameters, pool,
// emission bookkeeping and epoch clock.
type subnetRecord struct {
	_           struct{} `cbor:",toarray"`
	NetUID      uint16
	Owner       Account
	OwnerHotkey Hotkey
	Name        string
	Task        string
	Model       string
	Created     uint64 // block of creation (emission starts then)
	LockPaid    market.Rao
	Hyper       SubnetHyper

	PoolAlpha     market.Rao         // SubnetAlphaIn
	PoolTAO       market.Rao         // SubnetTAO
	PoolWeight    market.Perquintill // w2 (0: 0.5)
	AlphaOut      market.Rao         // SubnetAlphaOut: stake + pending + protocol + unowned alpha
	ProtocolAlpha market.Rao         // alpha bought by emission excess
	MovingHi      uint64             // SubnetMovingPrice, U96F32 bits
	MovingLo      uint64
	MinerBurnHi   uint64 // MinerBurned of the last epoch, U64F64 bits
	MinerBurnLo   uint64
	TAOEmission   market.Rao // TAO injected or bought for the subnet in the last block
	AlphaEmission market.Rao // alpha_out minted in the last block

	Burn         market.Rao // registration burn
	LastRegBlock uint64
	RegsInBlock  uint16

	PendingServer, PendingValidator, PendingRoot, PendingOwner market.Rao

	PendingEpochAt      uint64
	BlocksSinceLastStep uint64
	LastEpochBlock      uint64
	EpochIndex          uint64
	LastMechStep        uint64 // LastMechansimStepBlock: the last payout's block

	N uint16 // uids in use: 0..N-1

	// UnownedAlpha is the part of SubnetAlphaOut that nobody holds
	// (dtao.md §5, §7): each block mints alpha_out whole while its split
	// parts (§6) are floored one by one, and an epoch's payout rounding and
	// unpaid budget stay with the pool. It counts in the alpha issuance
	// like the rest of AlphaOut. It is the record's last element and is
	// left out of the encoding while it is 0 (MarshalCBOR), so records
	// written before it existed decode unchanged.
	UnownedAlpha market.Rao
}

// subnetWire is subnetRecord with the reflective CBOR codec (no methods).
type subnetWire subnetRecord

// subnetFields is the number of elements of subnetRecord's CBOR array
// (its fields but the toarray marker), UnownedAlpha included.
const subnetFields = 34

// MarshalCBOR writes the record as a CBOR array; with UnownedAlpha 0 the
// array stops before it, byte for byte the encoding of the record before
// UnownedAlpha was added (33 elements), so such a record keeps its bytes
// and the state root its value.
func (s *subnetRecord) MarshalCBOR() ([]byte, error) {
	b, err := protocols.Marshal((*subnetWire)(s))
	if err != nil || s.UnownedAlpha != 0 {
		return b, err
	}
	// The head is 0x98 n (an array of 24..255 elements) and the last
	// element, UnownedAlpha = 0, is the single byte 0x00.
	if len(b) < 3 || b[0] != 0x98 || b[1] != subnetFields || b[len(b)-1] != 0x00 {
		return nil, fmt.Errorf("%w: subnet record encodes as an unexpected array", ErrCorrupt)
	}
	out := b[:len(b)-1]
	out[1] = subnetFields - 1
	return out, nil
}

// UnmarshalCBOR reads both encodings MarshalCBOR writes: the full array
// and the one without UnownedAlpha (read as 0). maxRecordSize bounds the
// bytes given, in either form.
func (s *subnetRecord) UnmarshalCBOR(b []byte) error {
	if len(b) > maxRecordSize {
		return fmt.Errorf("%w: %d bytes, limit %d", protocols.ErrTooLarge, len(b), maxRecordSize)
	}
	return protocols.UnmarshalStored(withUnowned(b), (*subnetWire)(s), maxRecordSize+1)
}

// withUnowned returns a subnet record's encoding as the full array: one
// written without UnownedAlpha gets it back as 0.
func withUnowned(b []byte) []byte {
	if len(b) < 2 || b[0] != 0x98 || b[1] != subnetFields-1 {
		return b
	}
	full := make([]byte, len(b)+1)
	copy(full, b)
	full[1] = subnetFields // full[len(b)] = 0x00: UnownedAlpha = 0
	return full
}

// decodeSubnet decodes the subnet record stored at key as UnmarshalCBOR
// does, in one decoder pass instead of two (every block reads every
// subnet).
func decodeSubnet(key, b []byte, s *subnetRecord) error {
	// The limit bounds the stored bytes: the short form's added byte
	// must not push a record of maxRecordSize bytes past it.
	if len(b) > maxRecordSize {
		return fmt.Errorf("%w: state key %x: %v: %d bytes, limit %d", ErrCorrupt, key, protocols.ErrTooLarge, len(b), maxRecordSize)
	}
	if err := protocols.UnmarshalStored(withUnowned(b), (*subnetWire)(s), maxRecordSize+1); err != nil {
		return fmt.Errorf("%w: state key %x: %v", ErrCorrupt, key, err)
	}
	return nil
}

func (s *subnetRecord) pool() market.Pool {
	return market.Pool{Alpha: s.PoolAlpha, TAO: s.PoolTAO, TAOWeight: s.PoolWeight}
}

func (s *subnetRecord) setPool(p market.Pool) {
	s.PoolAlpha, s.PoolTAO, s.PoolWeight = p.Alpha, p.TAO, p.TAOWeight
}

func (s *subnetRecord) movingPrice() market.U96F32 {
	return market.U96F32FromBits(s.MovingHi, s.MovingLo)
}

func (s *subnetRecord) minerBurned() market.U64F64 {
	return market.U64F64FromBits(s.MinerBurnHi, s.MinerBurnLo)
}

func (s *subnetRecord) clock() market.EpochClock {
	return market.EpochClock{NetUID: s.NetUID, Tempo: s.Hyper.Tempo, PendingEpochAt: s.PendingEpochAt,
		BlocksSinceLastStep: s.BlocksSinceLastStep, LastEpochBlock: s.LastEpochBlock, EpochIndex: s.EpochIndex}
}

func (s *subnetRecord) setClock(c market.EpochClock) {
	s.PendingEpochAt, s.BlocksSinceLastStep, s.LastEpochBlock, s.EpochIndex =
		c.PendingEpochAt, c.BlocksSinceLastStep, c.LastEpochBlock, c.EpochIndex
}

// neuronRecord is one uid of a subnet: who holds it, its weights and
// bonds, and the outputs of the last epoch.
type neuronRecord struct {
	_           struct{} `cbor:",toarray"`
	Hotkey      Hotkey
	Coldkey     Account // the hotkey's owner
	RegBlock    uint64
	LastUpdate  uint64 // block of the last weights set (or registration)
	CommitBlock uint64 // block of the commit the last reveal opened; 0: none
	Permit      bool
	Active      bool

	Rank, Trust, Consensus, Incentive, Dividends, ValidatorTrust, PruningScore uint16
	Emission                                                                   market.Rao // last epoch, alpha rao

	Weights row
	Bonds   row
}

// hotkeyRecord is a hotkey's owner and delegate take.
type hotkeyRecord struct {
	_     struct{} `cbor:",toarray"`
	Owner Account
	Take  uint16 // parts of 65 535
}

// stakePool is the alpha staked on a hotkey in one subnet (TAO on the root
// subnet) and the shares its stakers hold: dividends raise Alpha and leave
// Shares, so every staker's stake grows pro rata.
type stakePool struct {
	_      struct{} `cbor:",toarray"`
	Alpha  market.Rao
	Shares uint64
}

// commitRecord is a pending weights commit.
type commitRecord struct {
	_     struct{} `cbor:",toarray"`
	Hash  []byte
	Block uint64
}

// economyRecord is the chain-wide market state.
type economyRecord struct {
	_               struct{} `cbor:",toarray"`
	LastLock        market.Rao
	LastLockBlock   uint64
	LastCreateBlock uint64
	RootTAO         market.Rao // TAO staked on the root subnet
	Subnets         uint16     // subnets in existence
}

// get reads and decodes the record at key into v; found is false if absent.
func getRecord(v View, key []byte, rec any) (found bool, err error) {
	b, err := v.Get(key)
	if err != nil || b == nil {
		return false, err
	}
	return true, decodeRecord(key, b, rec)
}

// putRecord encodes rec at key.
func putRecord(o *overlay, key []byte, rec any) error {
	b, err := protocols.Marshal(rec)
	if err != nil {
		return err
	}
	o.set(key, b)
	return nil
}

func getSubnet(v View, netuid uint16) (*subnetRecord, bool, error) {
	s := new(subnetRecord)
	k := subnetKey(netuid)
	b, err := v.Get(k)
	if err != nil || b == nil {
		return s, false, err
	}
	return s, true, decodeSubnet(k, b, s)
}

func getNeuron(v View, netuid, uid uint16) (*neuronRecord, bool, error) {
	n := new(neuronRecord)
	ok, err := getRecord(v, neuronKey(netuid, uid), n)
	return n, ok, err
}

func getUID(v View, netuid uint16, h Hotkey) (uint16, bool, error) {
	var uid uint16
	ok, err := getRecord(v, uidKey(netuid, h), &uid)
	return uid, ok, err
}

func getHotkey(v View, h Hotkey) (hotkeyRecord, bool, error) {
	var r hotkeyRecord
	ok, err := getRecord(v, hotkeyKey(h), &r)
	return r, ok, err
}

func getStakePool(v View, h Hotkey, netuid uint16) (stakePool, error) {
	var p stakePool
	_, err := getRecord(v, stakePoolKey(h, netuid), &p)
	return p, err
}

func putStakePool(o *overlay, h Hotkey, netuid uint16, p stakePool) error {
	if p == (stakePool{}) {
		o.set(stakePoolKey(h, netuid), nil)
		return nil
	}
	return putRecord(o, stakePoolKey(h, netuid), &p)
}

func getShares(v View, h Hotkey, netuid uint16, c Account) (uint64, error) {
	var s uint64
	_, err := getRecord(v, sharesKey(h, netuid, c), &s)
	return s, err
}

// putShares stores c's shares in h's pool on netuid; prev is what it held
// before, so that the coldkey's stake index is written only when the
// stake appears or goes.
func putShares(o *overlay, h Hotkey, netuid uint16, c Account, prev, s uint64) error {
	if s == 0 {
		o.set(sharesKey(h, netuid, c), nil)
		o.set(stakeIndexKey(c, h, netuid), nil)
		return nil
	}
	if prev == 0 {
		o.set(stakeIndexKey(c, h, netuid), []byte{1})
	}
	return putRecord(o, sharesKey(h, netuid, c), s)
}

func getEconomy(v View) (economyRecord, error) {
	var e economyRecord
	_, err := getRecord(v, economyKey, &e)
	return e, err
}

// row is a stored weights or bonds row: its (uid, value) entries in
// stored order, packed as big-endian u16 pairs (4 bytes an entry). A byte
// string decodes far faster than an array of pairs: an epoch reads every
// neuron's rows.
type row []byte

// packRow packs entries into a row.
func packRow(es []yuma.Entry) row {
	if len(es) == 0 {
		return nil
	}
	r := make(row, 0, 4*len(es))
	for _, e := range es {
		r = binary.BigEndian.AppendUint16(binary.BigEndian.AppendUint16(r, e.UID), e.Value)
	}
	return r
}

// entries unpacks the row (a trailing partial entry, which packRow never
// writes, is ignored).
func (r row) entries() []yuma.Entry {
	out := make([]yuma.Entry, len(r)/4)
	for i := range out {
		out[i] = yuma.Entry{UID: binary.BigEndian.Uint16(r[4*i:]), Value: binary.BigEndian.Uint16(r[4*i+2:])}
	}
	return out
}

// netuidOf reads the netuid of a key under a 2-byte netuid after its
// namespace byte.
func netuidOf(key []byte) uint16 { return binary.BigEndian.Uint16(key[1:3]) }
