#!/usr/bin/env bash
# Regenerates inference/llama/testdata/llamacpp-written-*.gguf, models whose
# every byte llama.cpp's own GGUF writer (ggml's gguf.cpp) wrote, and their
# references llamacpp-written-*.json, for TestLlamaCppWrittenFiles:
#
#   1. tao model synth --preset P --quant f32 --seed 1 (tao's writer);
#   2. scripts/llamacpp-vocab-cut.c keeps the first 1024 of the llama2
#      vocabulary's 32000 tokens (and token_embd/output rows), so that the
#      files stay small (≈1.2 MB and 0.3 MB; the full vocabulary makes
#      them 7 MB and more), names the model llamacpp-written-P and leaves
#      out tao's keys (tao.synthetic.*, general.description), read and
#      written by gguf.cpp;
#   3. llama_model_quantize (scripts/llamacpp-quantize.sh) rewrites it:
#      llama-k-tiny as Q4_K_M (ftype 15: Q4_K, with Q6_K for the output and
#      the last layer's attn_v and ffn_down, llama.cpp's own scale search),
#      llama-linear-tiny as Q8_0 (ftype 7); llama.cpp orders the tensors
#      its way (non-layer tensors by name, then each layer's by name) and
#      appends general.quantization_version and general.file_type;
#   4. scripts/llamacpp-refs.mjs with llama.cpp's defaults (flash
#      attention, F16 KV cache) on prompts of their own (PROMPTS below;
#      the fifth, long one is the -fa references').
#
# All through node-llama-cpp 3.21.1 (its prebuilt llama.cpp binaries,
# release v0.4.0, CPU), installed by scripts/llamacpp-install.sh into the
# git-ignored build/llamacpp. The output is deterministic: a rerun writes
# the same bytes unless synth, the cut or llama.cpp's quantizer changed
# (the references name each file's CID). The committed .gguf files are
# what the test reads; it needs neither node nor llama.cpp.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/llamacpp-env.sh
build_against_llamacpp build/llamacpp-vocab-cut scripts/llamacpp-vocab-cut.c
go build -o build/tao ./cmd/tao
export PROMPTS='["The weather in Paris is", "Q: What is 12 + 30?\nA:", "Café déjà vu, naïve résumé", "  two  spaces\tand a tab"]'
for pq in llama-k-tiny:15:q4_k_m llama-linear-tiny:7:q8_0; do
  IFS=: read -r p ftype q <<<"$pq"
  TAO_HOME=build/tao-home build/tao model synth --preset "$p" --quant f32 --seed 1 --out "build/$p-f32.gguf" >/dev/null
  build/llamacpp-vocab-cut "build/$p-f32.gguf" "build/$p-v1024-f32.gguf" 1024 "llamacpp-written-$p"
  out=inference/llama/testdata/llamacpp-written-$p-$q.gguf
  scripts/llamacpp-quantize.sh "build/$p-v1024-f32.gguf" "$out" "$ftype" >/dev/null 2>&1
  cid=$(build/tao model info "$out" --json 2>/dev/null | sed -n 's/.*"cid": *"\([^"]*\)".*/\1/p')
  FLASH_ATTN=on KV_CACHE=f16 NODE_PATH=$PWD/build/llamacpp/node_modules node scripts/llamacpp-refs.mjs "$out" "$cid" \
    > "inference/llama/testdata/llamacpp-written-$p-$q.json"
  echo "$out $(stat -c %s "$out") bytes $cid"
done
