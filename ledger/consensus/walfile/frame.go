package walfile

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"

	"github.com/taonet/tao/ledger/consensus"
)

// A WAL file is a sequence of frames:
//
//	length  uint32, big endian: bytes of payload, at most consensus.MaxRecordSize
//	crc     uint32, big endian: CRC-32C (Castagnoli) of payload
//	payload consensus.EncodeRecord bytes
//
// A crash can leave the last frame torn; readers stop at the first frame
// that is short, too long, or fails its CRC, and report where the good
// frames end so the file can be truncated there.

const frameHeader = 8

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrCorrupt reports a frame whose CRC matched but whose record does not
// decode: not a torn write but a bug or tampering.
var ErrCorrupt = errors.New("walfile: record passed its checksum but does not decode")

// appendFrame appends the frame of payload to dst.
func appendFrame(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	dst = binary.BigEndian.AppendUint32(dst, crc32.Checksum(payload, castagnoli))
	return append(dst, payload...)
}

// ReadRecords reads frames from r until the end or the first bad frame.
// It returns the records and the offset just past the last good frame.
// A short, oversized or checksum-failing frame ends the log without
// error (a torn tail); a frame that passes its checksum but holds no valid
// record is ErrCorrupt. Allocation is bounded by consensus.MaxRecordSize
// per frame, whatever the length field claims.
func ReadRecords(r io.Reader) ([]consensus.Record, int64, error) {
	var recs []consensus.Record
	var good int64
	var hdr [frameHeader]byte
	for {
		if _, err := io.ReadFull(r, hdr[:]); err != nil {
			return recs, good, nil // clean end or torn header
		}
		n := binary.BigEndian.Uint32(hdr[:4])
		if n == 0 || n > consensus.MaxRecordSize {
			return recs, good, nil
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(r, payload); err != nil {
			return recs, good, nil
		}
		if crc32.Checksum(payload, castagnoli) != binary.BigEndian.Uint32(hdr[4:]) {
			return recs, good, nil
		}
		rec, err := consensus.DecodeRecord(payload)
		if err != nil {
			return recs, good, fmt.Errorf("%w at offset %d: %v", ErrCorrupt, good, err)
		}
		recs = append(recs, *rec)
		good += frameHeader + int64(n)
	}
}
