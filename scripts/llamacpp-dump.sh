#!/usr/bin/env bash
# Dumps every float32 tensor llama.cpp computes for a prompt and the greedy
# steps after it (scripts/llamacpp-dump.c against node-llama-cpp's prebuilt
# libraries and the llama.cpp source bundled with it), then runs
# TestGGMLDump, which reports the first tensor where the engine's bits
# differ: the tool for keeping the engine bit-identical to llama.cpp.
#
# usage: scripts/llamacpp-dump.sh MODEL.gguf STEPS TOKEN...   (needs gcc)
# KV_CACHE=f16 makes both sides use an F16 KV cache (default f32);
# FLASH_ATTN=on gives both flash attention.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/llamacpp-env.sh
build_against_llamacpp build/llamacpp-dump scripts/llamacpp-dump.c
model=$(realpath "$1") steps=$2
shift 2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# llama.cpp's context is 256 positions (scripts/llamacpp-dump.c): prompt
# plus steps must fit.
if ! next=$(GGML_BACKEND_DIR=$bins build/llamacpp-dump "$model" "$out" "$steps" "$@" 2>"$out/llama.log"); then
  tail -5 "$out/llama.log" >&2
  echo "llamacpp-dump: llama.cpp failed (log above)" >&2
  exit 1
fi
echo "llama.cpp greedy tokens: $next"
TAO_GGML_KV_CACHE=${KV_CACHE:-f32} TAO_GGML_FLASH_ATTN=${FLASH_ATTN:-off} TAO_GGML_DUMP=$out TAO_GGML_MODEL=$model TAO_GGML_TOKENS="$*" TAO_GGML_NEXT="$next" \
  go test ./inference/llama -run TestGGMLDump -v | grep -v "values, llama.cpp"
