package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/yuma"
)

func newYumaCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "yuma",
		Short: "Yuma Consensus tools",
	}
	c.AddCommand(newYumaSimulateCmd())
	return c
}

// newYumaSimulateCmd implements the CLI contract of spec/yuma.md §9: one
// epoch input as JSON on stdin (or --file), one output object on stdout;
// malformed input prints one line "invalid input: <field>: <reason>" on
// stderr and exits 2 with nothing on stdout.
func newYumaSimulateCmd() *cobra.Command {
	var file string
	c := &cobra.Command{
		Use:   "simulate [--file PATH]",
		Short: "Run one Yuma Consensus epoch on a JSON input (stdin or --file) and print the outputs",
		Long: `Run one Yuma Consensus epoch exactly as the reference chain computes it.

The input is one JSON object in the shape of spec/yuma.md §9 (n, current_block,
stake, weights, bonds, hyper, ...); the output is one JSON object with every
per-UID vector (incentive, dividends, emission, bonds, ...).`,
		Example: `  echo '{"n":2,"current_block":10,"stake":[1,1]}' | tao yuma simulate
  tao yuma simulate --file epoch.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var r io.Reader = cmd.InOrStdin()
			if file != "" {
				f, err := os.Open(file)
				if err != nil {
					return usageError(fmt.Errorf("invalid input: --file: %v", err))
				}
				defer f.Close()
				r = f
			}
			in, err := yuma.ReadInput(bufio.NewReader(r))
			if err != nil {
				var ie *yuma.InputError
				if errors.As(err, &ie) {
					return usageError(ie)
				}
				return usageError(fmt.Errorf("invalid input: (input): %v", err))
			}
			out, err := yuma.Epoch(in)
			if err != nil {
				return fmt.Errorf("yuma epoch: %w", err)
			}
			// Buffer the whole object so a failure leaves no partial output.
			var buf bytes.Buffer
			if err := yuma.WriteOutput(&buf, out); err != nil {
				return fmt.Errorf("encode output: %w", err)
			}
			_, err = cmd.OutOrStdout().Write(buf.Bytes())
			return err
		},
	}
	c.Flags().StringVar(&file, "file", "", "read the epoch input from `PATH` instead of standard input")
	return c
}

// noArgs rejects positional arguments as a usage error (exit status 2).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError(fmt.Errorf("%s takes no arguments (got %q); see --help", cmd.CommandPath(), args[0]))
	}
	return nil
}
