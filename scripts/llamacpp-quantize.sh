#!/usr/bin/env bash
# Quantizes a GGUF with llama.cpp's own quantizer (llama_model_quantize in
# node-llama-cpp's prebuilt libllama): the mixed K-quant files llama.cpp
# makes (Q4_K_M, Q5_K_M, ...: several types per model, its own scale
# search) for parity work; `tao model synth --quant q4_k|q5_k|q6_k` writes
# one type per model itself.
#
# usage: scripts/llamacpp-quantize.sh IN.gguf OUT.gguf FTYPE   (needs gcc)
#   FTYPE is llama.h's llama_ftype: 2 Q4_0, 7 Q8_0, 14 Q4_K_S, 15 Q4_K_M,
#   17 Q5_K_M, 18 Q6_K. Rows whose width is not a multiple of 256 fall back
#   to other types (llama.cpp says how many).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/llamacpp-env.sh
build_against_llamacpp build/llamacpp-quantize scripts/llamacpp-quantize.c
GGML_BACKEND_DIR=$bins build/llamacpp-quantize "$(realpath "$1")" "$2" "$3"
