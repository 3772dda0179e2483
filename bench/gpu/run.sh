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
# then for each model in MODELS (default "llama3-8b tinyllama1b"), in bf16:
# synthesize it, tao bench inference --device cuda (prefill, decode at
# batch 1/8/32), tao generate's greedy tokens, tao model export
# --safetensors, and transformers over the exported weights (hf_bench.py:
# the same figures, the copy bandwidth, its greedy tokens from tao's
# prompt ids); table.py prints each model's table. MODE=smoke stops after
# the tests; MODE=parity skips the tests and every speed figure (greedy
# parity against transformers only); SKIP_HF=1 skips transformers; DEVICE=cpu dry-runs the
# plumbing on a machine without a GPU. Big files go to $WORK (default
# /tmp/tao-gpu-work), never under $OUT.
set -u
OUT=${OUT:-/tmp/tao-gpu-out}
mkdir -p "$OUT"
B=build/gpu
export TAO_HOME=/tmp/tao-home
MODE=${MODE:-full}
DEVICE=${DEVICE:-cuda}
MODELS=${MODELS:-llama3-8b tinyllama1b}
WORK=${WORK:-/tmp/tao-gpu-work}
mkdir -p "$WORK"
S="$OUT/summary.txt"
step() { echo "== $(date +%T) $*" | tee -a "$S"; }

step "machine"
df -h "$WORK" | tail -1 >>"$S"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv >>"$S" 2>&1
ls /usr/local/cuda/targets/x86_64-linux/lib 2>&1 | grep -E 'cublas|nvrtc|cudart' >>"$S"
python3 -c 'import torch, transformers; print("torch", torch.__version__, "transformers", transformers.__version__)' >>"$S" 2>&1

if [ "$MODE" != parity ]; then
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

step "synthesize tinyllama1b bf16 for the parity tests"
timeout 90 $B/tao model synth --preset tinyllama1b --quant bf16 --json >"$WORK/synth-tinyllama1b.json" 2>>"$S"
TL=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["path"])' "$WORK/synth-tinyllama1b.json")

step "llama GPU parity tests"
TAO_GPU_TEST_MODEL=$TL timeout 150 $B/llama.test -test.run 'GPU|BF16|Export' -test.v >"$OUT/llama-gpu-test.log" 2>&1
echo "rc=$?" >>"$S"
grep -E -- '--- |gpu_test.go' "$OUT/llama-gpu-test.log" | head -60 >>"$S"

[ "$MODE" = smoke ] && exit 0
fi

# model PRESET PROMPT DECODE TIMEOUT: one model's whole comparison.
model() {
	local p=$1 prompt=$2 decode=$3 to=$4
	step "$p: synthesize (bf16)"
	timeout "$to" $B/tao model synth --preset "$p" --quant bf16 --json >"$WORK/synth-$p.json" 2>>"$S"
	local f
	f=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["path"])' "$WORK/synth-$p.json") || return
	ls -l "$f" >>"$S"
	[ "$MODE" != parity ] && {
	step "$p: tao bench on $DEVICE"
	timeout "$to" $B/tao bench inference --device "$DEVICE" --preset "$p" --quant bf16 --threads 1 \
		--batches 1,8,32 --prompt "$prompt" --decode "$decode" --json >"$OUT/tao-bench-$p.json" 2>"$OUT/tao-bench-$p.err"
	echo "rc=$?" >>"$S"
	tail -3 "$OUT/tao-bench-$p.err" >>"$S"
	}
	step "$p: tao generate (greedy tokens for parity)"
	timeout "$to" $B/tao generate --device "$DEVICE" --model "$f" --max-tokens 32 --temperature 0 --json \
		"Once upon a time, a little fox found a shiny key in the forest." >"$OUT/tao-generate-$p.json" 2>>"$S"
	echo "rc=$?" >>"$S"
	step "$p: export safetensors"
	rm -rf "$WORK/hf-$p"
	timeout "$to" $B/tao model export "$f" --safetensors --out "$WORK/hf-$p" >>"$S" 2>/dev/null
	echo "rc=$?" >>"$S"
	rm -f "$f" # the GGUF is no longer needed: room on the disk
	[ -n "${SKIP_HF:-}" ] && return
	step "$p: transformers over the exported weights"
	local ids hfx=
	[ "$MODE" = parity ] && hfx=--parity-only
	ids=$(python3 -c 'import json,sys; print(",".join(map(str, json.load(open(sys.argv[1]))["prompt_tokens"])))' "$OUT/tao-generate-$p.json")
	timeout $((2 * to)) python3 bench/gpu/hf_bench.py --preset "$p" --model-dir "$WORK/hf-$p" --prompt "$prompt" \
		--decode "$decode" --batches 1,8,32 --parity-ids "$ids" $hfx >"$OUT/hf-$p.json" 2>"$OUT/hf-$p.err"
	echo "rc=$?" >>"$S"
	tail -3 "$OUT/hf-$p.err" >>"$S"
	rm -rf "$WORK/hf-$p"
	python3 bench/gpu/table.py "$p" "$OUT/tao-bench-$p.json" "$OUT/hf-$p.json" "$OUT/tao-generate-$p.json" | tee "$OUT/table-$p.md" >>"$S"
}

for p in $MODELS; do
	case $p in
	llama3-8b) model "$p" 512 64 150 ;;
	*) model "$p" 512 128 90 ;;
	esac
done
step "done"
