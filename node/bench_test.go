package node_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/taonet/tao/internal/taotest"
	"github.com/taonet/tao/p2p"
)

// BenchmarkDiscovery measures, on loopback, the time from Start of a new
// node (given only the bootstrap address) until it is connected to all n
// nodes already in the network.
func BenchmarkDiscovery(b *testing.B) {
	for _, n := range []int{5, 10, 20} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			nw := taotest.NewNetwork(b, n, nil)
			nw.AwaitPeers(b, 2*time.Minute)
			var total time.Duration
			for b.Loop() {
				began := time.Now()
				nd := nw.Add(b)
				for len(nd.Host().Peers()) < n {
					time.Sleep(5 * time.Millisecond)
					if time.Since(began) > time.Minute {
						b.Fatalf("new node found %d of %d peers in a minute", len(nd.Host().Peers()), n)
					}
				}
				total += time.Since(began)
				nd.Close()
				nw.Nodes = nw.Nodes[:n]
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/discovery")
		})
	}
}

// BenchmarkGossipLatency publishes messages from one of n nodes (all in
// this process, on loopback) and reports the delivery latency to every
// other node, p50 and p99.
func BenchmarkGossipLatency(b *testing.B) {
	for _, n := range []int{5, 20} {
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) { benchGossip(b, n) })
	}
}

func benchGossip(b *testing.B, n int) {
	nw := taotest.NewNetwork(b, n, &taotest.Options{DiscoveryInterval: 30 * time.Second})
	nw.AwaitPeers(b, 2*time.Minute)
	const topic = "tao/taotest/bench"
	accept := func(context.Context, []byte) (any, p2p.Verdict) { return nil, p2p.Accept }
	var (
		mu        sync.Mutex
		latencies []time.Duration
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	var topics []*p2p.Topic
	for i, nd := range nw.Nodes {
		t, err := nd.Host().Join(topic, accept)
		if err != nil {
			b.Fatal(err)
		}
		topics = append(topics, t)
		if i == 0 {
			continue
		}
		sub, err := t.Subscribe()
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			for {
				m, err := sub.Next(ctx)
				if err != nil {
					return
				}
				sent := time.Unix(0, int64(binary.BigEndian.Uint64(m.Data)))
				mu.Lock()
				latencies = append(latencies, time.Since(sent))
				mu.Unlock()
			}
		})
	}
	// Let the meshes form before measuring.
	deadline := time.Now().Add(30 * time.Second)
	for len(topics[0].MeshPeers()) == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(2 * time.Second)
	b.Logf("publisher knows %d subscribers of %d", len(topics[0].MeshPeers()), n-1)
	var msg [8]byte
	for b.Loop() {
		binary.BigEndian.PutUint64(msg[:], uint64(time.Now().UnixNano()))
		if err := topics[0].Publish(ctx, msg[:]); err != nil {
			b.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(time.Second)
	cancel()
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(latencies) == 0 {
		b.Fatal("no message delivered")
	}
	slices.Sort(latencies)
	q := func(p float64) float64 {
		return float64(latencies[int(p*float64(len(latencies)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(len(latencies))/float64(b.N*(n-1)), "delivered-fraction")
}
