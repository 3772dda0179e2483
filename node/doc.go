// Package node is tao's composition root: it turns a Config into a running
// full node — data directory, identity, the libp2p host, gossip of signed
// node announcements, and the local HTTP API (/healthz, /readyz, /metrics,
// /status, /peers) — and shuts it down in order.
//
// First calls:
//
//	n, err := node.New(node.Config{Network: "dev", Bootstrap: addrs})
//	if err := n.Start(ctx); err != nil { ... }
//	defer n.Close()
//	fmt.Println(n.HTTPURL(), n.PeerID())
//
// New only validates and allocates; Start opens the data directory,
// listens and connects; Close stops everything in reverse order and waits.
// Both are idempotent.
package node
