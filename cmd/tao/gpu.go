package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/taonet/tao/gpu"
)

func newGPUCmd() *cobra.Command {
	var asJSON bool
	c := &cobra.Command{
		Use:   "gpu",
		Short: "List this machine's NVIDIA GPUs with live memory, utilisation, temperature and power",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			info, err := gpu.Probe()
			if errors.Is(err, gpu.ErrNoGPU) {
				if asJSON {
					return printJSON(out, map[string]any{"devices": []gpu.Device{}, "error": err.Error()})
				}
				fmt.Fprintln(out, err)
				return nil
			}
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(out, info)
			}
			fmt.Fprintf(out, "driver %s, CUDA %s\n", info.Driver, info.CUDA)
			tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "GPU\tNAME\tMEMORY USED / TOTAL\tUTIL\tTEMP\tPOWER / LIMIT")
			for _, d := range info.Devices {
				fmt.Fprintf(tw, "%d\t%s\t%.1f / %.1f GiB\t%d%%\t%d°C\t%d / %d W\n", d.Index, d.Name,
					float64(d.MemoryUsed)/(1<<30), float64(d.MemoryTotal)/(1<<30), d.UtilGPU, d.TempC,
					d.PowerMilliW/1000, d.PowerLimitMilliW/1000)
			}
			return tw.Flush()
		},
	}
	c.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	return c
}
