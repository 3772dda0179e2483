#!/usr/bin/env bash
# llama.cpp's aggregate greedy decode with BATCH sequences per llama_decode
# against one sequence alone (scripts/llamacpp-batched.c, built against
# node-llama-cpp's prebuilt libraries): the reference for the batch
# figure of `tao bench inference`, on the same file and thread count.
#
# usage: scripts/llamacpp-batched.sh MODEL.gguf [THREADS [BATCH [STEPS]]]   (needs gcc)
# KV_CACHE=f32 gives llama.cpp an F32 KV cache (default f16, its own);
# FLASH_ATTN=off turns its flash attention off (default on, its own).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/llamacpp-env.sh
build_against_llamacpp build/llamacpp-batched scripts/llamacpp-batched.c
GGML_BACKEND_DIR=$bins build/llamacpp-batched "$(realpath "$1")" "${2:-1}" "${3:-8}" "${4:-64}"
