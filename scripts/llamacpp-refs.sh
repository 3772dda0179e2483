#!/usr/bin/env bash
# Regenerates inference/llama/testdata/llamacpp-*.json: llama.cpp's greedy
# tokens and top log-probabilities on the synthetic models (seed 1): the
# stories15m family, and small qwen2, qwen3 (plain and YaRN), Llama 3.1
# (rope_freqs) and linearly rope-scaled "foreign" llama presets, and the
# K-quants (llama-k-tiny's matrices are all 256 wide; llama-k-odd's 260-row
# gate/up are not repacked by llama.cpp and its 260-wide down is F16;
# llama-k-tied ties the output to the embedding; stories15m's 288-wide
# matrices fall back to Q8_0, Q5_1 or Q5_0), with an F32 KV cache, and
# some again with llama.cpp's default F16 KV cache (files ending
# -f16cache) and with its defaults, flash attention and an F16 cache (files
# ending -fa, with a fifth, long prompt),
# through node-llama-cpp 3.21.1 (installed by scripts/llamacpp-install.sh
# into the git-ignored build/llamacpp). The Go parity test regenerates the
# same model from its seed and checks its CID before comparing.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d build/llamacpp/node_modules/node-llama-cpp ] || scripts/llamacpp-install.sh
go build -o build/tao ./cmd/tao
for pq in stories15m:f32 stories15m:f16 stories15m:q8_0 stories15m:q4_0 stories15m-llama3:q8_0 \
  qwen2-tiny:f32 qwen3-tiny:f32 qwen3-tiny:q8_0 qwen3-yarn-tiny:f32 llama31-tiny:f32 llama31-tiny:q4_0 qwen2-tiny:q4_0 llama-linear-tiny:f32 \
  llama-k-tiny:q4_k llama-k-tiny:q5_k llama-k-tiny:q6_k llama-k-odd:q4_k llama-k-tied:q4_k llama-k-tied:q6_k \
  stories15m:q6_k stories15m:q5_1 stories15m:q4_k \
  stories15m:f32:f16 stories15m:q8_0:f16 stories15m:q4_0:f16 stories15m:q4_k:f16 qwen2-tiny:q4_0:f16 \
  qwen3-tiny:f32:f16 llama31-tiny:f32:f16 llama-k-tiny:q4_k:f16 \
  stories15m:f32:fa stories15m:q8_0:fa stories15m:q4_0:fa stories15m:q4_k:fa qwen2-tiny:q4_0:fa \
  qwen3-tiny:f32:fa llama31-tiny:f32:fa llama-k-tiny:q4_k:fa; do
  IFS=: read -r p q kv <<<"$pq"
  kv=${kv:-f32} suffix= fa=off
  [ "$kv" = f32 ] || suffix=-${kv}cache
  if [ "$kv" = fa ]; then kv=f16 fa=on suffix=-fa; fi
  [ -z "${ONLY:-}" ] || [ "$ONLY" = "$p-$q$suffix" ] || continue
  out=$(TAO_HOME=build/tao-home build/tao model synth --preset "$p" --quant "$q" --seed 1 --out "build/$p-$q.gguf" --json)
  cid=$(echo "$out" | sed 's/.*"cid":"\([^"]*\)".*/\1/')
  FLASH_ATTN=$fa KV_CACHE=$kv NODE_PATH=$PWD/build/llamacpp/node_modules node scripts/llamacpp-refs.mjs "build/$p-$q.gguf" "$cid" \
    > "inference/llama/testdata/llamacpp-$p-$q-seed1$suffix.json"
  echo "$p $q $kv $cid"
done
