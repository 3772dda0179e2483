package main

import (
	"github.com/spf13/cobra"
)

// newRootCmd builds the command tree. Each subcommand lives in its own file
// and is added here.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "tao",
		Short: "tao: a peer-to-peer market for machine intelligence",
		Long: `tao makes this machine a full peer of a decentralized inference network:
it holds the ledger itself, finds peers over libp2p, and can serve a model as a
miner, score miners as a validator, or route requests as a client.

Start a whole local network with:  tao devnet`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// Flag errors (unknown flag, bad value) are usage errors: exit status 2.
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError(err)
	})
	root.AddCommand(
		newVersionCmd(),
		newYumaCmd(),
		newNodeCmd(),
		newStatusCmd(),
		newPeersCmd(),
		newDevnetCmd(),
		newWalletCmd(),
		newGenerateCmd(),
		newModelCmd(),
		newMinerCmd(),
		newValidatorCmd(),
		newInferCmd(),
		newGPUCmd(),
		newTransferCmd(),
		newBalanceCmd(),
		newTxCmd(),
		newBlockCmd(),
		newBenchCmd(),
		newSubnetCmd(),
		newRegisterCmd(),
		newStakeCmd(),
		newDelegateCmd(),
		newWeightsCmd(),
		newConsensusCmd(),
		newMetagraphCmd(),
	)
	return root
}
