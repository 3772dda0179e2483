// Package sim is tier 2 of DESIGN §7: a deterministic simulation of
// Tendermint validators (package ledger/consensus) on an in-memory bus, in
// the manner of etcd raft's test network. Virtual time is an event queue
// ordered by (time, sequence); a seeded PRNG draws delays, drops,
// duplicates, partitions that heal, crashes and restarts (a restart
// rebuilds the core from its WAL and sign guard), and byzantine validators
// equivocate on every proposal and vote they sign. No goroutines, no
// sleeps: a seed is a run, and a failing seed reruns exactly.
//
// After every event the run checks safety (no two honest nodes commit
// different values or reach different application states at one height;
// commits verify; no honest node signs conflicting messages or is
// accused) and that a restarted core replays to the state it crashed in;
// after GST it checks liveness (every honest node commits K more heights
// within a bound of virtual time).
//
// First calls:
//
//	res, err := sim.Run(sim.Options{Seed: 7, Powers: []uint64{1, 1, 1, 1}, Byzantine: []int{3},
//		DropPerMille: 100, Partitions: true, Crashes: true})
//
// From the command line:
//
//	go test ./internal/sim -run TestSim -sim.seeds=1000   # the long run
//	go test ./internal/sim -run TestSim -sim.seed=42 -v   # one seed, traced
package sim
