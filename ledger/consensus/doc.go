// Package consensus is Tendermint BFT consensus (Buchman, Kwon, Milosevic
// 2018, "The latest gossip on BFT consensus", Algorithm 1) as a pure state
// machine, in the manner of etcd raft's RawNode: inputs are messages,
// timeouts and the application's answers; outputs are a Ready value the
// driver acts on. The core reads no clock, draws no randomness, does no
// I/O and never depends on map order, so replicas fed the same inputs
// reach the same state, and a crashed core is rebuilt by replaying its
// write-ahead log.
//
// A value (a block) is opaque bytes named by its CID (protocols.ValueID).
// The core verifies the signature of every message it is given (through
// Config.Verify, which a driver may back with a cache of what its gossip
// validators already checked), asks the application whether a value is
// valid and for values to propose, and never signs two different messages
// for one (height, round, step): its SignState, persisted by the driver
// through a SignGuard, survives restarts.
//
// First calls (the driver loop; the ledger and internal/sim are drivers):
//
//	vs, _ := consensus.NewValidatorSet(vals)        // sorted, hashed, proposer priorities
//	last, _ := guard.Load()                         // a SignGuard: MemGuard or on disk
//	c, _ := consensus.New(consensus.Config{ChainID: "dev", Key: hotkey},
//		consensus.State{Height: h, Validators: vs, LastSigned: last})
//	recs, _ := wal.Records(h)
//	consensus.Replay(c, recs)                       // after a crash: same state, same messages
//	for {
//		rd := c.Ready()
//		wal.Append(rd.WAL)                          // 1. durable before anything leaves
//		if rd.SignState != nil { guard.Save(*rd.SignState) }
//		for _, m := range rd.Messages { send(m) }   // 2. gossip (m.To == "") or to one peer
//		for _, t := range rd.Timers { after(t.Duration, t.Timeout) }
//		if rd.Propose != nil { go build a block; later c.Step(Input{Value: ...}) }
//		for _, v := range rd.Validate { c.Step(Input{Validity: check(v)}) }
//		if d := rd.Decision; d != nil {
//			apply(d.Value); store(d.Value, d.Commit); wal.Prune(d.Height + 1)
//			c.Advance(nextValidatorSet)
//		}
//		for _, e := range rd.Evidence { gossip(e) }
//		for _, s := range rd.Serve { send(s.To, storedCommitAndBlock(s.Height)) }
//		in := <-inputs                              // a message from a peer, a fired timer, an answer
//		if err := c.Step(in); err != nil { penalise(in.From) }
//	}
//
// Inputs (Input, exactly one field set): Proposal and Vote from gossip;
// Request and Response of the catch-up exchange; Certified (a value with
// its commit, from a peer ahead or block sync); Quorum (a proof of lock or
// commit passed on by a peer, which may include an equivocator's second
// vote: see Quorum); Timeout when a Timer fires; Value and Validity, the
// application's answers. Errors from Step mean the peer sent bad data.
//
// The Tendermint rules live in rules.go with the paper's line numbers;
// catch-up (re-gossip of what peers lack) in catchup.go; proposer
// selection, weighted by voting power, in proposer.go.
package consensus
