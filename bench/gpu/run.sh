#!/usr/bin/env bash
# bench/gpu/run.sh: the GPU machine's whole session, run from the repository
# root with prebuilt CGO_ENABLED=0 binaries in build/gpu (the GPU machine
# has no Go toolchain and no network):
#
#   CGO_ENABLED=0 go build -ldflags='-s -w' -o build/gpu/tao ./cmd/tao
#   CGO_ENABLED=0 go test -ldflags='-s -w' -c -o build/gpu/llama.test ./inference/llama
#   CGO_ENABLED=0 go test -ldflags='-s -w' -c -o build/gpu/cuda.test ./gpu/cuda
#
# Steps (each bounded by a timeout, logs under $OUT): the cuda package's
# kernel tests; the llama CUDA backend's parity tests against the CPU
# engine (synthetic stories15m in the test, and a tinyllama1b made here);
# tao bench inference --device cuda (prefill, decode at batch 1/8/32);
# transformers on the same shape in BF16 and the copy bandwidth
# (hf_bench.py). MODE=smoke stops after the tests; SKIP_HF=1 skips
# transformers; RUN_8B=1 adds the Llama-3-8B shape (unmeasured so far).
set -u
OUT=${OUT:-/tmp/tao-gpu-out}
mkdir -p "$OUT"
B=build/gpu
export TAO_HOME=/tmp/tao-home
MODE=${MODE:-full}
S="$OUT/summary.txt"
step() { echo "== $(date +%T) $*" | tee -a "$S"; }

step "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >>"$S" 2>&1
ls /usr/local/cuda/targets/x86_64-linux/lib 2>&1 | grep -E 'cublas|nvrtc|cudart' >>"$S"
python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)' >>"$S" 2>&1

step "cuda kernel tests"
timeout 60 $B/cuda.test -test.v >"$OUT/cuda-test.log" 2>&1
echo "rc=$?" >>"$S"
grep -E -- '--- |cuda_test.go|^ok|FAIL' "$OUT/cuda-test.log" | head -40 >>"$S"
if grep -q 'not found (tried' "$OUT/cuda-test.log"; then
	step "libraries not found by the loader's own search; retrying with LD_LIBRARY_PATH"
	export LD_LIBRARY_PATH=/usr/local/cuda/targets/x86_64-linux/lib:${LD_LIBRARY_PATH:-}
	timeout 60 $B/cuda.test -test.v >"$OUT/cuda-test-ldpath.log" 2>&1
	echo "rc=$?" >>"$S"
	grep -E -- '--- |cuda_test.go' "$OUT/cuda-test-ldpath.log" | head -20 >>"$S"
fi

step "synthesize tinyllama1b f16"
timeout 90 $B/tao model synth --preset tinyllama1b --quant f16 --out /tmp/tinyllama1b-f16.gguf >>"$S" 2>&1

step "llama GPU parity tests"
TAO_GPU_TEST_MODEL=/tmp/tinyllama1b-f16.gguf timeout 150 $B/llama.test -test.run 'GPU' -test.v >"$OUT/llama-gpu-test.log" 2>&1
echo "rc=$?" >>"$S"
grep -E -- '--- |gpu_test.go' "$OUT/llama-gpu-test.log" | head -60 >>"$S"

[ "$MODE" = smoke ] && exit 0

step "bare model decode steps (Go benchmark): tinyllama1b, CUDA graphs on and off"
TAO_GPU_TEST_MODEL=/tmp/tinyllama1b-f16.gguf timeout 120 $B/llama.test -test.run XXX -test.bench GPUDecode \
	-test.benchtime 300x >"$OUT/llama-gpu-bench.log" 2>&1
echo "rc=$?" >>"$S"
grep -E 'Benchmark|ok|FAIL' "$OUT/llama-gpu-bench.log" >>"$S"

step "tao bench: tinyllama1b on cuda"
timeout 120 $B/tao bench inference --device cuda --preset tinyllama1b --quant f16 --threads 1 \
	--batches 1,8,32 --prompt 512 --decode 128 --json >"$OUT/tao-bench-tinyllama.json" 2>"$OUT/tao-bench-tinyllama.err"
echo "rc=$?" >>"$S"
cat "$OUT/tao-bench-tinyllama.json" "$OUT/tao-bench-tinyllama.err" >>"$S"

step "transformers: tinyllama1b shape, bf16"
[ -z "${SKIP_HF:-}" ] && timeout 120 python3 bench/gpu/hf_bench.py --preset tinyllama1b --prompt 512 --decode 128 --batches 1,8,32 \
	>"$OUT/hf-tinyllama.json" 2>"$OUT/hf-tinyllama.err"
echo "rc=$?" >>"$S"
cat "$OUT/hf-tinyllama.json" >>"$S"
tail -5 "$OUT/hf-tinyllama.err" >>"$S"

step "tao bench: stories15m on cuda"
timeout 60 $B/tao bench inference --device cuda --preset stories15m --quant f16 --threads 1 \
	--batches 1,8,32 --prompt 256 --decode 128 --json >"$OUT/tao-bench-stories.json" 2>"$OUT/tao-bench-stories.err"
echo "rc=$?" >>"$S"
cat "$OUT/tao-bench-stories.json" >>"$S"
if [ -n "${RUN_8B:-}" ]; then
	# Llama-3-8B shape: 16 GB of f16 weights; synthesis and load take about
	# two minutes of the run (not yet measured).
	step "tao bench: llama3-8b on cuda"
	timeout 300 $B/tao bench inference --device cuda --preset llama3-8b --quant f16 --threads 1 \
		--batches 1,8,32 --prompt 512 --decode 64 --json >"$OUT/tao-bench-8b.json" 2>"$OUT/tao-bench-8b.err"
	echo "rc=$?" >>"$S"
	cat "$OUT/tao-bench-8b.json" >>"$S"
	tail -3 "$OUT/tao-bench-8b.err" >>"$S"
	step "transformers: llama3-8b shape, bf16"
	timeout 200 python3 bench/gpu/hf_bench.py --preset llama3-8b --prompt 512 --decode 64 --batches 1,8,32 \
		>"$OUT/hf-8b.json" 2>"$OUT/hf-8b.err"
	echo "rc=$?" >>"$S"
	cat "$OUT/hf-8b.json" >>"$S"
fi
step "done"
