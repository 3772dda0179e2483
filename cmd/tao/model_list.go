package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/inference"
)

func newModelListCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "list",
		Short: "List the models in the model cache ($TAO_HOME/models or ~/.tao/models)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, err := modelCacheDir()
			if err != nil {
				return err
			}
			models, err := inference.Cache{Dir: dir}.List()
			if err != nil {
				return err
			}
			if asJSON {
				if models == nil {
					models = []inference.CachedModel{}
				}
				return printJSON(cmd.OutOrStdout(), models)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "CID\tSIZE\tMODIFIED")
			for _, m := range models {
				fmt.Fprintf(tw, "%s\t%.1f MiB\t%s\n", m.CID, float64(m.Bytes)/(1<<20), m.Modified.Format("2006-01-02 15:04"))
			}
			noun := "models"
			if len(models) == 1 {
				noun = "model"
			}
			fmt.Fprintf(tw, "%d %s in %s\n", len(models), noun, dir)
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}

func newModelInfoCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "info FILE.gguf|CID",
		Short: "Describe a GGUF model: CID, architecture, tokenizer, tensor types",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, err := modelPathArg("model info", args[0])
			if err != nil {
				return err
			}
			s, err := inference.Describe(path)
			if errors.Is(err, inference.ErrBadModel) {
				return badModelError("model info", err)
			}
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), s)
			}
			out := cmd.OutOrStdout()
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintf(tw, "path\t%s\ncid\t%s\nsize\t%.1f MiB\nname\t%s\n", s.Path, s.CID, float64(s.Bytes)/(1<<20), s.Name)
			fmt.Fprintf(tw, "architecture\t%s: %d layers, dim %d, %d heads (%d KV), FFN %d\n", s.Arch, s.Layers, s.Dim, s.Heads, s.KVHeads, s.FFN)
			fmt.Fprintf(tw, "vocabulary\t%d (%s tokenizer)\ncontext\t%d\ntensors\t%s\n", s.Vocab, s.Tokenizer, s.Context, s.TensorType)
			tw.Flush()
			if s.Synthetic {
				fmt.Fprintln(out, "note: synthetic model with random weights; its text is meaningless")
			}
			return nil
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}
