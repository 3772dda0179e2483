package protocols

// Size limits. Decoders check them before allocating; gossip validators
// check them before decoding. Each bounds one encoded message.
const (
	// MaxGossipSize bounds any gossip message (the pubsub max message size).
	MaxGossipSize = 4 << 20
	// MaxNodeStatusSize bounds an encoded NodeStatus.
	MaxNodeStatusSize = 2048
	// MaxRolesPerNode bounds NodeStatus.Roles.
	MaxRolesPerNode = 8
	// MaxRoleLen bounds one role name.
	MaxRoleLen = 16
	// MaxAgentLen bounds NodeStatus.Agent.
	MaxAgentLen = 64
)
