package p2p

import (
	"context"
	"testing"
	"time"

	pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TestRepublishedBytesDelivered checks that publishing the same bytes
// twice delivers them twice: gossip carries no pubsub signatures, but
// each publish is still its own message (a stalled consensus core
// republishes an unchanged status and must be heard).
func TestRepublishedBytesDelivered(t *testing.T) {
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
	for i := range 2 {
		if err := ta.Publish(ctx, []byte("ok: the same status")); err != nil {
			t.Fatal(err)
		}
		m, err := sub.Next(ctx)
		if err != nil {
			t.Fatalf("publish %d not delivered: %v", i, err)
		}
		if string(m.Data) != "ok: the same status" || m.From == "" {
			t.Fatalf("publish %d delivered %q from %q", i, m.Data, m.From)
		}
	}
}

// TestMessageIDSeparatesFields checks that moving bytes between a
// message's author, sequence number and data changes its ID, so a peer
// cannot pre-empt a message with another that shares its ID.
func TestMessageIDSeparatesFields(t *testing.T) {
	topic := "t"
	base := &pb.Message{Topic: &topic, From: []byte("author"), Seqno: []byte{0, 0, 0, 0, 0, 0, 0, 1}, Data: []byte("data")}
	shifted := &pb.Message{Topic: &topic, From: []byte("autho"), Seqno: []byte{'r', 0, 0, 0, 0, 0, 0, 0}, Data: []byte{1, 'd', 'a', 't', 'a'}}
	other := &pb.Message{Topic: &topic, From: base.From, Seqno: base.Seqno, Data: []byte("datb")}
	id := messageID(base)
	if len(id) != 20 {
		t.Fatalf("ID of %d bytes, want 20", len(id))
	}
	if messageID(shifted) == id || messageID(other) == id {
		t.Fatal("different messages share an ID")
	}
	if messageID(&pb.Message{Topic: &topic, From: []byte("author"), Seqno: base.Seqno, Data: []byte("data")}) != id {
		t.Fatal("the same message got another ID")
	}
}
