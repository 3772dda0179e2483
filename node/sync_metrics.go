package node

import "github.com/prometheus/client_golang/prometheus"

// registerSyncMetrics exports block and snapshot sync's progress, read
// from SyncStatus when scraped.
func (n *Node) registerSyncMetrics() {
	n.reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tao_sync_blocks_total", Help: "Blocks applied by block sync (sync/blocks/1)."},
			func() float64 { return float64(n.SyncStatus().Blocks) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "tao_sync_bad_peers_total", Help: "Peers reported by sync for bad blocks, certificates or snapshots."},
			func() float64 { return float64(n.SyncStatus().BadPeers) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tao_sync_active", Help: "1 while a block sync round runs."},
			func() float64 {
				if n.SyncStatus().Active {
					return 1
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "tao_sync_snapshot_height", Help: "Height of the snapshot restored at start; 0: none."},
			func() float64 { return float64(n.SyncStatus().Snapshot) }),
	)
}
