package node

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/crypto"
)

// TestCatchUpWaitEndsOnCancel: a validator whose hotkey its ledger does
// not show waits for the ledger to catch up, but a cancelled Start context
// (Ctrl-C on tao validator) ends the wait at once, with the cancellation's
// error rather than the refusal's "register it first".
func TestCatchUpWaitEndsOnCancel(t *testing.T) {
	home := t.TempDir()
	d := plannedDevnet(t, DevnetConfig{Validators: 2, Nodes: 2, Dir: t.TempDir(), Home: home})
	stranger, _, err := crypto.GenerateEd25519Key(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func(w time.Duration) { catchUpWait = w }(catchUpWait)
	catchUpWait = time.Minute
	n, err := New(Config{Home: home, DataDir: t.TempDir(), PrivKey: stranger, Genesis: d.genesis, HTTPAddr: "off", NoMDNS: true,
		ListenAddrs: []string{"/ip4/127.0.0.1/tcp/0"}, Validator: &ValidatorConfig{NetUID: 1},
		// A peer to catch up with (none answers): the node waits.
		Bootstrap: []string{"/ip4/127.0.0.1/tcp/9/p2p/12D3KooWJWoaqZhDaoEFshF7Rh1bpY9ohihFhzcW6d69Lr2NASuq"}})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(time.Second, cancel)
	begin := time.Now()
	err = n.Start(ctx)
	if took := time.Since(begin); took > 15*time.Second {
		t.Fatalf("Start took %v after its context was cancelled at 1s (err %v)", took, err)
	}
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Start: %v, want the cancellation", err)
	}
}
