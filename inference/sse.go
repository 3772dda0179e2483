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
// "data: [DONE]" or the end of the stream.
func readSSE(r io.Reader, fn func(data []byte) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxSSELine)
	var data []byte
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 { // event boundary
			if len(data) > 0 {
				if bytes.Equal(data, []byte("[DONE]")) {
					return nil
				}
				if err := fn(data); err != nil {
					return err
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
				return fmt.Errorf("%w: an event exceeds %d bytes", ErrUpstream, maxSSELine)
			}
			if len(data) > 0 {
				data = append(data, '\n')
			}
			data = append(data, v...)
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%w: reading stream: %v", ErrUpstream, err)
	}
	if len(data) > 0 && !bytes.Equal(data, []byte("[DONE]")) {
		return fn(data)
	}
	return nil
}
