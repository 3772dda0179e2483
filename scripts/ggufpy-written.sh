#!/usr/bin/env bash
# Regenerates inference/llama/testdata/ggufpy-written-*.gguf, models whose
# every byte gguf-py wrote (llama.cpp's Python GGUF package: the GGUFWriter
# that convert_hf_to_gguf.py uses, so the writer of most GGUF files on the
# Hugging Face hub), and their references ggufpy-written-*.json, for
# TestGGUFPyWrittenFiles:
#
#   1. tao model synth --preset P --quant f32 --seed 1 (tao's writer);
#   2. scripts/ggufpy-write.py reads it with gguf.GGUFReader, cuts the
#      vocabulary to 1024 tokens (a BPE one keeps its special tokens, moved
#      to the end), and writes it again through gguf.GGUFWriter the way
#      convert_hf_to_gguf.py's LlamaModel, Qwen2Model and Qwen3Model would
#      from a Hugging Face checkpoint of those weights: its metadata order
#      and keys, its tensor names and order, gguf.quants' quantizers;
#        llama-k-tied  Q8_0, Mistral's SentencePiece vocabulary, tied
#                      output (no output.weight), general.alignment 64;
#        qwen2-tiny    Q4_0, Llama 3's BPE vocabulary and merges with the
#                      qwen2 pre-tokenizer, q/k/v biases (F32), tied, no
#                      vocab_size or rope.dimension_count;
#        qwen3-tiny    BF16, the same vocabulary, q/k norms, head width 32
#                      (key_length, value_length), its own output.weight;
#        llama31-tiny  F16, llama-bpe pre-tokenizer with a BOS (moved to
#                      id 1019) added to every prompt, rope_freqs.weight;
#   3. scripts/llamacpp-refs.mjs with llama.cpp's defaults (flash
#      attention, F16 KV cache) on prompts of their own (PROMPTS below;
#      the fifth, long one is the -fa references').
#
# gguf-py is llama.cpp's own copy (build/llamacpp-src/gguf-py, unpacked by
# scripts/llamacpp-env.sh from node-llama-cpp 3.21.1's bundled source),
# run by Debian's python3 with Debian's numpy (installed here if missing:
# PyPI is not needed). The output is deterministic: a rerun writes the same
# bytes unless synth, gguf-py or numpy changed (the references name each
# file's CID). The committed .gguf files are what the test reads; it needs
# neither python nor node.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/llamacpp-env.sh
py=/usr/bin/python3
if ! $py -c 'import numpy, yaml, tqdm, requests' 2>/dev/null; then
  apt-get update -qq
  apt-get install -y -qq python3-numpy python3-yaml python3-tqdm python3-requests >/dev/null
fi
go build -o build/tao ./cmd/tao
export PROMPTS='["Hello, world! 1234567 apples", "def add(a, b):\n    return a + b", "naïve café — «quotes» and emoji 🙂", "   leading spaces and\n\nnewlines"]'
for pq in llama-k-tied:q8_0:64 qwen2-tiny:q4_0: qwen3-tiny:bf16: llama31-tiny:f16:; do
  IFS=: read -r p q align <<<"$pq"
  TAO_HOME=build/tao-home build/tao model synth --preset "$p" --quant f32 --seed 1 --out "build/$p-f32.gguf" >/dev/null
  out=inference/llama/testdata/ggufpy-written-$p-$q.gguf
  PYTHONPATH=$src/gguf-py $py scripts/ggufpy-write.py "build/$p-f32.gguf" "$out" "$q" "ggufpy-written-$p" $align
  cid=$(build/tao model info "$out" --json 2>/dev/null | sed -n 's/.*"cid": *"\([^"]*\)".*/\1/p')
  FLASH_ATTN=on KV_CACHE=f16 NODE_PATH=$PWD/build/llamacpp/node_modules node scripts/llamacpp-refs.mjs "$out" "$cid" \
    > "inference/llama/testdata/ggufpy-written-$p-$q.json"
  echo "$out $(stat -c %s "$out") bytes $cid"
done
