package p2p

import (
	"context"
	"fmt"
	"testing"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TestSameBytesAreOneMessage checks that gossip names a message by its
// topic and data: bytes published twice are delivered once, and other
// bytes are a new message.
func TestSameBytesAreOneMessage(t *testing.T) {
	a := startHost(t, Config{})
	b := startHost(t, Config{Bootstrap: []peer.AddrInfo{info(a)}})
	name := "tao/" + testChain + "/again"
	ta, err := a.Join(name, okOnly)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Join(name, okOnly)
	if err != nil {
		t.Fatal(err)
	}
	sub, err := tb.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Cancel()
	if _, err := ta.Subscribe(); err != nil {
		t.Fatal(err)
	}
	eventually(t, 10*time.Second, "peers in topic", func() bool { return len(ta.MeshPeers()) > 0 && len(tb.MeshPeers()) > 0 })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, data := range []string{"ok: one", "ok: one", "ok: two"} {
		if err := ta.Publish(ctx, []byte(data)); err != nil {
			t.Fatal(err)
		}
	}
	got := map[string]int{}
	for range 2 {
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("delivered %v, then: %v", got, err)
		}
		got[string(m.Data)]++
	}
	if got["ok: one"] != 1 || got["ok: two"] != 1 {
		t.Fatalf("delivered %v, want each once (order is not kept)", got)
	}
	quiet, cancelQuiet := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancelQuiet()
	if m, err := sub.Next(quiet); err == nil {
		t.Fatalf("delivered %q again: the same bytes are the same message", m.Data)
	}
}

// TestMessageIDSeparatesFields checks that moving bytes between a
// message's topic and data changes its ID, and that the ID ignores
// anything else a peer might set.
func TestMessageIDSeparatesFields(t *testing.T) {
	topic, shifted := "t", "t1"
	base := &pb.Message{Topic: &topic, Data: []byte("1data")}
	other := &pb.Message{Topic: &shifted, Data: []byte("data")}
	id := messageID(base)
	if len(id) != 20 {
		t.Fatalf("ID of %d bytes, want 20", len(id))
	}
	if messageID(other) == id {
		t.Fatal("different messages share an ID")
	}
	if messageID(&pb.Message{Topic: &topic, Data: []byte("1data"), From: []byte("x"), Seqno: []byte{1}}) != id {
		t.Fatal("the ID depends on fields other than topic and data")
	}
}

// TestForgedAuthorPenalisesSender: a message that names an author is
// rejected by the first honest host it reaches and costs its sender, so
// claiming to be a victim host cannot make the victim reject its honest
// neighbours' forwards (pubsub drops a message "from itself" that a
// neighbour delivers and penalises that neighbour).
func TestForgedAuthorPenalisesSender(t *testing.T) {
	name := "tao/" + testChain + "/bad"
	victim := startHost(t, Config{})
	var relays []*Host
	for range 2 {
		h := startHost(t, Config{Bootstrap: []peer.AddrInfo{info(victim)}})
		relays = append(relays, h)
	}
	for _, h := range append([]*Host{victim}, relays...) {
		tp, err := h.Join(name, okOnly)
		if err != nil {
			t.Fatal(err)
		}
		s, err := tp.Subscribe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(s.Cancel)
	}
	topic, bad, connect := rawAttacker(t, pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign), pubsub.WithMessageAuthor(victim.ID()))
	for _, h := range relays { // not the victim
		connect(info(h))
	}
	eventually(t, 10*time.Second, "attacker in topic", func() bool { return len(topic.ListPeers()) == len(relays) })
	ctx := context.Background()
	for i := 0; !relays[0].Banned(bad); i++ {
		if i > 200 {
			t.Fatalf("attacker not banned after %d forged messages; score %v", i, relays[0].Score(bad))
		}
		_ = topic.Publish(ctx, fmt.Appendf(nil, "ok: from the victim, supposedly (%d)", i))
		time.Sleep(50 * time.Millisecond)
	}
	for _, r := range relays {
		if s := victim.Score(r.ID()); s < 0 {
			t.Fatalf("victim scores its honest neighbour %s at %v", r.ID(), s)
		}
	}
}
