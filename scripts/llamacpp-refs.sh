#!/usr/bin/env bash
# Regenerates inference/llama/testdata/llamacpp-*.json: llama.cpp's greedy
# tokens and top log-probabilities on the synthetic stories15m models (seed
# 1), through node-llama-cpp 3.21.1 (installed by scripts/llamacpp-install.sh
# into the git-ignored build/llamacpp). The Go parity test regenerates the
# same model from its seed and checks its CID before comparing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d build/llamacpp/node_modules/node-llama-cpp ] || scripts/llamacpp-install.sh
go build -o build/tao ./cmd/tao
for q in f32 q8_0 q4_0; do
  out=$(TAO_HOME=build/tao-home build/tao model synth --preset stories15m --quant "$q" --seed 1 --out "build/stories15m-$q.gguf" --json)
  cid=$(echo "$out" | sed 's/.*"cid":"\([^"]*\)".*/\1/')
  NODE_PATH=$PWD/build/llamacpp/node_modules node scripts/llamacpp-refs.mjs "build/stories15m-$q.gguf" "$cid" \
    > "inference/llama/testdata/llamacpp-stories15m-$q-seed1.json"
  echo "$q $cid"
done
