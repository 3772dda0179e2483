#!/usr/bin/env bash
# Regenerates inference/tokenizer/testdata/llamacpp-pre.json: llama.cpp's
# token ids (node-llama-cpp 3.21.1, installed by scripts/llamacpp-install.sh)
# for Llama 3's vocabulary under each BPE pre-tokenizer the tokenizer
# package implements, on the strings of testdata/refs.json.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d build/llamacpp/node_modules/node-llama-cpp ] || scripts/llamacpp-install.sh
dir=$PWD/build/pre-vocabs
rm -rf "$dir" && mkdir -p "$dir"
TAO_PRE_VOCAB_DIR=$dir go test ./inference/tokenizer -run '^TestWritePreVocabs$' -count=1
NODE_PATH=$PWD/build/llamacpp/node_modules node scripts/llamacpp-pretok.mjs \
  inference/tokenizer/testdata/refs.json "$dir"/*.gguf > inference/tokenizer/testdata/llamacpp-pre.json
