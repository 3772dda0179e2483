//go:build linux && (amd64 || arm64)

package cuda

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ebitengine/purego"
)

// libDirs are where CUDA installs its libraries, searched after the
// dynamic loader's own path (LD_LIBRARY_PATH, ld.so.cache). $CUDA_HOME and
// $CUDA_PATH come first; pip wheels (nvidia-cublas-cu13 and friends, as
// PyTorch installs them) come last.
func libDirs() []string {
	var dirs []string
	for _, env := range []string{"CUDA_HOME", "CUDA_PATH"} {
		if v := os.Getenv(env); v != "" {
			dirs = append(dirs, filepath.Join(v, "lib64"), filepath.Join(v, "targets", archDir, "lib"))
		}
	}
	dirs = append(dirs,
		"/usr/local/cuda/targets/"+archDir+"/lib", "/usr/local/cuda/lib64",
		"/usr/lib/"+debDir, "/usr/lib64", "/usr/lib/wsl/lib")
	if m, _ := filepath.Glob("/usr/local/cuda-*/targets/" + archDir + "/lib"); len(m) > 0 {
		slices.Sort(m)
		slices.Reverse(m) // newest first
		dirs = append(dirs, m...)
	}
	for _, pat := range []string{
		"/usr/local/lib/python3*/dist-packages/nvidia/*/lib",
		"/usr/lib/python3*/site-packages/nvidia/*/lib",
		"/usr/local/lib/python3*/site-packages/nvidia/*/lib",
		"/opt/conda/lib/python3*/site-packages/nvidia/*/lib",
		"/usr/local/lib/python3*/dist-packages/nvidia/cu*/lib",
	} {
		m, _ := filepath.Glob(pat)
		dirs = append(dirs, m...)
	}
	return dirs
}

// open loads the first library that opens among names (bare sonames, tried
// through the loader's path) and versioned files matching each name's
// glob in libDirs. Before it opens a file from a directory it preloads
// that directory's matches of deps, so sonames the library needs (cuBLAS
// needs cuBLASLt; NVRTC loads its builtins) resolve without
// LD_LIBRARY_PATH. It returns the handle and the path that opened.
func open(names []string, deps []string) (uintptr, string, []string) {
	var tried []string
	for _, n := range names {
		h, err := purego.Dlopen(n, purego.RTLD_NOW|purego.RTLD_GLOBAL)
		if err == nil {
			return h, n, nil
		}
		tried = append(tried, fmt.Sprintf("%s: %v", n, err))
	}
	for _, dir := range libDirs() {
		for _, n := range names {
			matches, _ := filepath.Glob(filepath.Join(dir, n+"*"))
			slices.Sort(matches)
			slices.Reverse(matches) // libX.so.13.1 before libX.so.12
			for _, p := range matches {
				for _, d := range deps {
					dm, _ := filepath.Glob(filepath.Join(dir, d+"*"))
					slices.Sort(dm)
					slices.Reverse(dm)
					for _, dp := range dm {
						if _, err := purego.Dlopen(dp, purego.RTLD_NOW|purego.RTLD_GLOBAL); err == nil {
							break
						}
					}
				}
				h, err := purego.Dlopen(p, purego.RTLD_NOW|purego.RTLD_GLOBAL)
				if err == nil {
					return h, p, nil
				}
				tried = append(tried, fmt.Sprintf("%s: %v", p, err))
			}
		}
	}
	return 0, "", tried
}

func unavailable(what string, tried []string) error {
	if len(tried) > 4 {
		tried = append(tried[:4], fmt.Sprintf("and %d more", len(tried)-4))
	}
	return fmt.Errorf("%w: %s not found (tried %s); install the NVIDIA driver and CUDA 12 or 13 runtime libraries, or set CUDA_HOME", ErrUnavailable, what, strings.Join(tried, "; "))
}

// sym resolves name in h, for the hot calls made through SyscallN.
func sym(h uintptr, name string) (uintptr, error) {
	p, err := purego.Dlsym(h, name)
	if err != nil {
		return 0, fmt.Errorf("%w: symbol %s: %v", ErrUnavailable, name, err)
	}
	return p, nil
}

// register binds fptr to name in h, turning purego's panic on a missing
// symbol into an error.
func register(fptr any, h uintptr, name string) (err error) {
	if _, err := purego.Dlsym(h, name); err != nil {
		return fmt.Errorf("%w: symbol %s: %v", ErrUnavailable, name, err)
	}
	purego.RegisterLibFunc(fptr, h, name)
	return nil
}
