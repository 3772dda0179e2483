package tao_test

import (
	"bufio"
	"bytes"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/taonet/tao"

// allowed lists, per top-level package of DESIGN §1, the tao packages it
// may import (subpackages of a package may import each other and anything
// their parent may). Imports point one way: toward the foundation.
var allowed = map[string][]string{
	"protocols": {},
	"yuma":      {},
	"market":    {"protocols"},
	"wallet":    {"protocols"},
	"ledger":    {"protocols", "yuma", "market"},
	"p2p":       {"protocols"},
	"gpu":       {},
	"inference": {"protocols", "gpu"},
	"routing":   {"protocols", "p2p", "ledger", "inference"},
	"node":      {"*"},
	"cmd":       {"*"},
	"internal":  {"*"},
	"bench":     {"*"},
	"scripts":   {"*"},
}

// external lists, for packages whose third-party imports DESIGN §1
// restricts, the module paths they may import besides the standard
// library. gpu loads NVIDIA's libraries at run time so that one binary,
// even built with CGO_ENABLED=0, runs with or without a GPU: go-nvml for
// NVML (device discovery and capacity), purego for dlopen and calls into
// libcuda, cuBLAS and NVRTC (the builtin engine's CUDA backend).
var external = map[string][]string{
	"gpu": {"github.com/NVIDIA/go-nvml/", "github.com/ebitengine/purego"},
}

// pure packages do no I/O, read no clock and draw no randomness
// (STYLE §1): consensus results must not depend on the machine.
var pure = map[string]bool{"yuma": true, "market": true}

var impure = []string{"os", "net", "net/http", "time", "math/rand", "math/rand/v2", "crypto/rand", "syscall", "unsafe"}

func top(pkg string) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(pkg, module), "/")
	first, _, _ := strings.Cut(rel, "/")
	return first
}

func TestImportDirection(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		pkg, imports := fields[0], fields[1:]
		from := top(pkg)
		if pkg == module || from == "build" {
			continue // the root holds only this test; build/ is git-ignored scratch
		}
		rules, ok := allowed[from]
		if !ok {
			t.Errorf("%s: package %q is not in DESIGN §1's map; add it to allowed in deps_test.go and to the docs", pkg, from)
			continue
		}
		for _, imp := range imports {
			if pure[from] && slices.Contains(impure, imp) {
				t.Errorf("%s imports %s: pure packages take time, randomness and I/O as inputs (STYLE §1)", pkg, imp)
			}
			if pure[from] && !strings.HasPrefix(imp, module) && strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") {
				t.Errorf("%s imports %s: pure packages use the standard library only", pkg, imp)
			}
			if ext, ok := external[from]; ok && !strings.HasPrefix(imp, module) && strings.Contains(strings.SplitN(imp, "/", 2)[0], ".") &&
				!slices.ContainsFunc(ext, func(p string) bool { return strings.HasPrefix(imp, p) }) {
				t.Errorf("%s imports %s: %s may import only the standard library and %v (DESIGN §1)", pkg, imp, from, ext)
			}
			if !strings.HasPrefix(imp, module+"/") {
				continue
			}
			to := top(imp)
			if to == from || slices.Contains(rules, "*") || slices.Contains(rules, to) {
				continue
			}
			t.Errorf("%s imports %s: %s may import only %v (DESIGN §1)", pkg, imp, from, rules)
		}
	}
}
