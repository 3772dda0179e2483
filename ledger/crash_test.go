package ledger

import (
	"os"
	"os/exec"
	"testing"
)

// TestBadgerCrash commits blocks in a child process that exits without
// closing the store, then reopens the store: every committed block must be
// there, with its state.
func TestBadgerCrash(t *testing.T) {
	const blocks = 6
	if dir := os.Getenv("TAO_LEDGER_CRASH_DIR"); dir != "" {
		l, err := Open(openBadger(t, dir), testGenesis(2))
		if err != nil {
			t.Fatal(err)
		}
		for i := range uint64(blocks) {
			step(t, l, transfer(t, 1, i, 2, 1))
		}
		os.Stdout.WriteString("root=" + l.StateRoot().String() + "\n")
		os.Exit(3) // no Close: the process dies with the store open
	}
	if testing.Short() {
		t.Skip("starts a child process")
	}
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBadgerCrash$")
	cmd.Env = append(os.Environ(), "TAO_LEDGER_CRASH_DIR="+dir)
	out, err := cmd.Output()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 3 {
		t.Fatalf("child: %v\n%s", err, out)
	}
	l, err := Open(openBadger(t, dir), testGenesis(2))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if l.Height() != blocks {
		t.Fatalf("height after crash %d, want %d", l.Height(), blocks)
	}
	if want := "root=" + l.StateRoot().String() + "\n"; string(out) != want {
		t.Fatalf("child printed %q, reopened store has %q", out, want)
	}
	if n, _ := l.Nonce(acct(1)); n != blocks {
		t.Fatalf("nonce %d after crash, want %d", n, blocks)
	}
	for h := range uint64(blocks) {
		if _, _, err := l.Block(h + 1); err != nil {
			t.Fatal(err)
		}
	}
	step(t, l, transfer(t, 1, blocks, 2, 1))
}
