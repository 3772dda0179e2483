// Package replica drives the pure Tendermint core (ledger/consensus) for
// one node: it persists the core's write-ahead log and signing guard,
// sends its messages through a Transport, fires its timers, proposes
// blocks built by the ledger at the chain's block interval, validates
// proposed blocks, and commits decided ones to the ledger. A node without
// a validator key runs a follower: it verifies every commit certificate
// and executes every block, catching up through the same protocol.
//
// First calls:
//
//	r, err := replica.New(replica.Config{Ledger: l, Genesis: g, Key: hotkey,
//		Dir: filepath.Join(dataDir, "consensus"), Transport: t})
//	err = r.Start(ctx)
//	defer r.Close()
//	r.Deliver(peerID, consensus.Input{Vote: v})   // from the network
//	st := r.Status()                                // height, round, step, syncing
//
// Transport is satisfied by package node over libp2p gossip and streams.
package replica
