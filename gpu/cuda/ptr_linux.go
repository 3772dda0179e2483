//go:build linux && (amd64 || arm64)

package cuda

import (
	"runtime"
	"unsafe"
)

// ptrOf is the address of b's first byte, for arrays of C strings. Go's
// heap does not move objects, and callers keep b alive across the call.
func ptrOf(b []byte) uintptr { return uintptr(unsafe.Pointer(&b[0])) }

func keep(v any) { runtime.KeepAlive(v) }
