package llama

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"testing"
)

// TestGlibcExpf checks glibcExpf bit for bit against glibc's expf on this
// architecture (testdata/glibc-expf.txt, printed by scripts/glibc-expf.c):
// special values and 2,000 inputs over the softmax's range.
func TestGlibcExpf(t *testing.T) {
	f, err := os.Open("testdata/glibc-expf.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		var x, y uint32
		if _, err := fmt.Sscanf(sc.Text(), "%x %x", &x, &y); err != nil {
			t.Fatal(err)
		}
		if got := math.Float32bits(glibcExpf(math.Float32frombits(x))); got != y {
			t.Errorf("expf(%v) = %#08x, glibc %#08x", math.Float32frombits(x), got, y)
		}
		n++
	}
	if n < 2000 {
		t.Fatalf("%d vectors", n)
	}
}
