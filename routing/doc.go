// Package routing carries inference requests across the network: the
// miner side of the infer/1 protocol (Miner), the directory of each
// subnet's live miners (Directory), and the client that picks a miner,
// hedges, bans with backoff and resumes broken streams (Client).
//
// A miner serves one subnet's model from an inference.Engine, gossips a
// signed heartbeat every few seconds and provides the subnet's key in the
// DHT. A directory follows the heartbeats; a miner is a candidate while
// the Registry (the ledger's metagraph) lists it in the subnet, its latest
// heartbeat is fresh and names the subnet's model, and this node can reach
// it.
//
// First calls (the host started, reg a Registry):
//
//	m, err := routing.NewMiner(routing.MinerConfig{Host: h, Key: hotkey, NetUID: 1, Engine: eng})
//	err = m.Start()
//	defer m.Close()
//
//	dir, err := routing.NewDirectory(routing.DirectoryConfig{Host: h, Registry: reg})
//	dir.Start()
//	err = dir.Watch(1)
//	c, err := routing.NewClient(routing.ClientConfig{Host: h, Key: hotkey, Directory: dir})
//	res, err := c.Infer(ctx, 1, routing.Request{Prompt: "Once upon a time", MaxTokens: 32},
//		func(ch routing.Chunk) error { fmt.Print(ch.Text); return nil })
//
// Time comes from a Clock and randomness from an io.Reader, so selection,
// bans and expiry are testable. The replay window of the miner is in
// memory and bounded; it moves to the ledger's store when the ledger
// exists.
package routing
