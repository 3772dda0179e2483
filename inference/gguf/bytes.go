package gguf

import (
	"encoding/binary"
	"fmt"
)

var (
	errBool = fmt.Errorf("%w: bool value not 0 or 1", ErrFormat)
	errElem = fmt.Errorf("%w: unknown array element type", ErrFormat)
)

func le16(b []byte) uint16 { return binary.LittleEndian.Uint16(b) }
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }
func le64(b []byte) uint64 { return binary.LittleEndian.Uint64(b) }

func alignUp(n, a uint64) uint64 { return (n + a - 1) / a * a }
