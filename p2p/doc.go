// Package p2p is the libp2p host of a tao node: identity (the hotkey),
// TCP and QUIC transports with Noise and TLS, a resource manager with
// explicit limits, a connection manager, a Kademlia DHT in server mode under
// the private "/tao" prefix, gossipsub with per-topic validators and peer
// scoring, bootstrap, mDNS, AutoNAT, hole punching and relays.
//
// First calls:
//
//	h, err := p2p.New(p2p.Config{ChainID: "dev", PrivKey: hotkey, Bootstrap: addrs})
//	if err := h.Start(ctx); err != nil { ... }   // listens, bootstraps, discovers
//	defer h.Close()
//	t, err := h.Join(protocols.NodeStatusTopic("dev"), validate)
//	sub, err := t.Subscribe()
//	err = t.Publish(ctx, data)
//	msg, err := sub.Next(ctx)
//
// Peers whose gossip fails validation lose score; once a peer's score falls
// below Config.BanScore it is disconnected and its dials are refused for
// Config.BanDuration.
package p2p
