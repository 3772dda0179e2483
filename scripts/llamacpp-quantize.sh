#!/usr/bin/env bash
# Quantizes a GGUF with llama.cpp's own quantizer (llama_model_quantize in
# node-llama-cpp's prebuilt libllama): K-quant files (Q4_K_M, Q6_K, ...)
# for parity work, which the project cannot write itself.
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
