// Package ledger is tao's replicated state machine and block store
// (DESIGN §4): the state (balances, nonces, supply, the validator set, and
// later subnets, neurons and stake), transaction execution, block
// validation and commitment on a Store (badger or in memory), the state
// root, snapshots, and the mempool. The Tendermint consensus core lives in
// ledger/consensus and treats blocks as opaque bytes; it calls this package
// to propose, validate and commit them.
//
// First calls:
//
//	g, err := ledger.LoadGenesis("genesis.json")      // or build a Genesis with DevParams()
//	st, err := ledger.OpenBadger(ledger.BadgerOptions(dir, logger))
//	l, err := ledger.Open(st, g)                       // initializes a fresh store from g
//	defer l.Close()
//
//	tx, err := protocols.NewTx(g.ChainID, nonce, uint64(g.Params.TxFee),
//		&protocols.Transfer{To: to, Amount: 5 * uint64(market.RaoPerTAO)})
//	err = tx.Sign(coldkey)
//	err = l.SubmitTx(tx)                               // mempool; typed errors name the fix
//
//	b, err := l.ProposeBlock(l.Height()+1, nowMs, hotkeyPub, 1000) // proposer
//	err = l.ValidateBlock(b)                           // every other validator
//	err = l.CommitBlock(b, commitCert)                 // once consensus decided
//	bal, err := l.Balance(account)
//
// Block execution is pure: Apply(view, chain, tip, block) reads a View and
// returns an Outcome (sorted write set, results, state root) with no I/O,
// clock, randomness or map-order dependence; Exec exposes the same steps
// in ABCI order (BeginBlock, DeliverTx, EndBlock, Commit).
//
// A block is named by the CID of its header (protocols.Header.ID); height
// 1's PrevHash is the genesis hash. A block is valid only if every one of
// its transactions executes: a rejected transaction changes nothing, and
// a block holding one is invalid (ErrInvalidBlock wrapping the typed
// rejection), so the proposer leaves such transactions out. The whole
// Tx.Fee is burned.
//
// State root (root.go): root_h = SHA-256(root_{h-1} ‖ CID(write set_h) ‖
// [digest_h]), where the full-state digest is included at every
// Params.SnapshotInterval-th height, so a snapshot is verifiable against a
// committed header. Genesis is height 0 with a zero previous root.
//
// Every block's writes (state, block bytes, commit certificate, transaction
// index, tip) go to the Store in one atomic Write. The store's key schema
// is versioned (keys.go); Open refuses an unknown version.
package ledger
