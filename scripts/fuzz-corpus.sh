#!/usr/bin/env bash
# Run one fuzz target briefly and commit-ready its interesting inputs:
#   scripts/fuzz-corpus.sh ./protocols FuzzDecodeNodeStatus 20s [max-files]
# copies up to max-files (default 40) inputs from the Go fuzz cache into
# PKG/testdata/fuzz/TARGET/, where plain `go test` replays them.
set -euo pipefail
pkg=${1:?package dir}; target=${2:?fuzz target}; time=${3:-20s}; max=${4:-40}
go test -run '^$' -fuzz "^${target}\$" -fuzztime "$time" "$pkg"
import=$(go list "$pkg")
cache="$(go env GOCACHE)/fuzz/${import}/${target}"
dest="${pkg}/testdata/fuzz/${target}"
mkdir -p "$dest"
ls -S "$cache" 2>/dev/null | tail -n "$max" | while read -r f; do cp "$cache/$f" "$dest/$f"; done
echo "$(ls "$dest" | wc -l) inputs in $dest"
