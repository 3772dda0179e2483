package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/taonet/tao/inference"
)

func TestBenchInference(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the engine for several seconds")
	}
	t.Setenv("TAO_HOME", t.TempDir())
	var out, errOut bytes.Buffer
	code := runIO([]string{"bench", "inference", "--quant", "q8_0", "--threads", "1", "--llama-cpp", t.TempDir(), "--json"}, nil, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var rows []inference.BenchResult
	if err := json.Unmarshal(out.Bytes(), &rows); err != nil || len(rows) != 1 {
		t.Fatalf("output %s: %v", out.String(), err)
	}
	r := rows[0]
	if r.PrefillTokS <= 0 || r.DecodeTokS <= 0 || r.SingleTokS <= 0 || r.BatchTokS <= 0 || r.Batch != 8 || r.Model != "stories15m-q8_0" ||
		r.BatchSpeedup != r.BatchTokS/r.SingleTokS {
		t.Fatalf("row %+v", r)
	}
	if code := runIO([]string{"bench", "inference", "--threads", "0"}, nil, &out, &errOut); code != 2 {
		t.Fatalf("--threads 0: exit %d", code)
	}
}
