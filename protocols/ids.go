package protocols

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/libp2p/go-libp2p/core/protocol"
)

// ErrBadChainID reports a chain ID that cannot appear in protocol IDs and
// topic names.
var ErrBadChainID = errors.New("protocols: chain ID must be 1-32 characters of a-z, 0-9, '-' and '.'")

// MaxChainIDLen bounds a chain ID.
const MaxChainIDLen = 32

// ValidateChainID checks that id is usable in protocol IDs and topics.
func ValidateChainID(id string) error {
	if len(id) == 0 || len(id) > MaxChainIDLen {
		return fmt.Errorf("%w (got %q)", ErrBadChainID, id)
	}
	for _, c := range id {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.'
		if !ok {
			return fmt.Errorf("%w (got %q)", ErrBadChainID, id)
		}
	}
	return nil
}

// DHTPrefix is the Kademlia protocol prefix. It keeps tao's DHT apart from
// the public IPFS DHT ("/ipfs/kad/1.0.0").
const DHTPrefix protocol.ID = "/tao"

// ProtocolID returns "/tao/<chainID>/<name>/<version>" (DESIGN §3).
func ProtocolID(chainID, name, version string) protocol.ID {
	return protocol.ID("/tao/" + chainID + "/" + name + "/" + version)
}

// Stream protocols of a chain.
func InferProtocol(chainID string) protocol.ID  { return ProtocolID(chainID, "infer", "1") }
func StatusProtocol(chainID string) protocol.ID { return ProtocolID(chainID, "status", "1") }
func SyncBlocksProtocol(chainID string) protocol.ID {
	return ProtocolID(chainID, "sync/blocks", "1")
}
func SyncSnapshotProtocol(chainID string) protocol.ID {
	return ProtocolID(chainID, "sync/snapshot", "1")
}
func CatchupProtocol(chainID string) protocol.ID {
	return ProtocolID(chainID, "consensus/catchup", "1")
}

// Gossip topics of a chain (DESIGN §3).
func TxTopic(chainID string) string       { return "tao/" + chainID + "/tx" }
func TxBatchTopic(chainID string) string  { return "tao/" + chainID + "/txs" } // EncodeTxBatch: POST /txs batches, one message each
func ProposalTopic(chainID string) string { return "tao/" + chainID + "/consensus/proposal" }
func VoteTopic(chainID string) string     { return "tao/" + chainID + "/consensus/vote" }

// NodeStatusTopic carries signed node announcements (NodeStatus): who is
// on the network, in which roles, at which height.
func NodeStatusTopic(chainID string) string { return "tao/" + chainID + "/node-status" }

func HeartbeatTopic(chainID string, netuid uint16) string {
	return "tao/" + chainID + "/subnet/" + strconv.Itoa(int(netuid)) + "/heartbeat"
}
func ReceiptTopic(chainID string, netuid uint16) string {
	return "tao/" + chainID + "/subnet/" + strconv.Itoa(int(netuid)) + "/receipt"
}

// DiscoveryNamespace is the rendezvous string nodes of a chain advertise
// in the DHT so a fresh node can find peers beyond its bootstrap list.
func DiscoveryNamespace(chainID string) string { return "tao/" + chainID + "/nodes" }
