// Package protocols owns every byte tao puts on the wire or on disk: the
// message types, their canonical encoding, content addresses, size limits,
// protocol IDs, gossip topic names, and domain-separated signatures.
//
// Every signed or hashed object is encoded as deterministic CBOR (RFC 8949
// §4.2.1 core deterministic encoding), so one value has exactly one
// encoding; decoders reject anything else (non-minimal integers, indefinite
// lengths, duplicate keys, trailing bytes, unknown versions).
//
// First calls:
//
//	st := &protocols.NodeStatus{ChainID: "dev", Seq: 1}
//	if err := st.Sign(hotkey); err != nil { ... }      // fills Hotkey and Sig
//	b, err := protocols.EncodeNodeStatus(st)
//	got, err := protocols.DecodeNodeStatus(b)           // verifies shape, not signature
//	err = got.Verify("dev")                              // chain ID and signature
//	id := protocols.CID(b)                               // CIDv1, dag-cbor, sha2-256
package protocols
