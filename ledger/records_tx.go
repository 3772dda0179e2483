package ledger

// CommitBlock writes a txRecord per transaction (the transaction index),
// so it encodes them directly, byte for byte what protocols.Marshal
// writes (TestTxRecordCodec): canonical CBOR, nil slices as null.

// appendTxRecord appends the canonical CBOR encoding of r to dst.
func appendTxRecord(dst []byte, r *txRecord) []byte {
	dst = append(dst, 0x83) // array of 3: Height, Index, Result
	dst = appendUint(appendUint(dst, r.Height), uint64(r.Index))
	dst = append(dst, 0x82) // Result: Fee, Events
	dst = appendUint(dst, r.Result.Fee)
	if r.Result.Events == nil {
		return append(dst, 0xf6)
	}
	dst = appendHead(dst, 4, uint64(len(r.Result.Events)))
	for _, ev := range r.Result.Events {
		dst = appendText(append(dst, 0x82), ev.Type) // Event: Type, Attrs
		if ev.Attrs == nil {
			dst = append(dst, 0xf6)
			continue
		}
		dst = appendHead(dst, 4, uint64(len(ev.Attrs)))
		for _, a := range ev.Attrs {
			dst = appendText(appendText(append(dst, 0x82), a.Key), a.Value)
		}
	}
	return dst
}

// appendHead appends the head of major type major with argument v.
func appendHead(dst []byte, major byte, v uint64) []byte {
	i := len(dst)
	dst = appendUint(dst, v)
	dst[i] |= major << 5
	return dst
}

// appendText appends s as a text string.
func appendText(dst []byte, s string) []byte {
	return append(appendHead(dst, 3, uint64(len(s))), s...)
}
