package inference

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
)

// maxSSELine bounds one server-sent event line, and one event's data,
// from an upstream server.
const maxSSELine = 1 << 20

// readSSE calls fn with the data of each server-sent event until
// "data: [DONE]" or the end of the stream; done reports whether [DONE]
// came. An error from fn is returned as it is; a read error is wrapped
// (%w) with ErrUpstream, so that a cancelled request's context.Canceled
// still matches errors.Is.
func readSSE(r io.Reader, fn func(data []byte) error) (done bool, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxSSELine)
	var data []byte
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 { // event boundary
			if len(data) > 0 {
				if bytes.Equal(data, []byte("[DONE]")) {
					return true, nil
				}
				if err := fn(data); err != nil {
					return false, err
				}
				data = data[:0]
			}
			continue
		}
		if v, ok := bytes.CutPrefix(line, []byte("data:")); ok {
			v = bytes.TrimPrefix(v, []byte(" "))
			if len(data)+1+len(v) > maxSSELine {
				// Lines are bounded by the scanner; an event of endless
				// data lines must be too.
				return false, fmt.Errorf("%w: an event exceeds %d bytes", ErrUpstream, maxSSELine)
			}
			if len(data) > 0 {
				data = append(data, '\n')
			}
			data = append(data, v...)
		}
	}
	if err := sc.Err(); err != nil {
		return false, fmt.Errorf("%w: reading stream: %w", ErrUpstream, err)
	}
	if len(data) > 0 {
		if bytes.Equal(data, []byte("[DONE]")) {
			return true, nil
		}
		return false, fn(data)
	}
	return false, nil
}
