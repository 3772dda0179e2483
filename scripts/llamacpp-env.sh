# Sourced by the llamacpp-*.sh scripts (from the repository root): installs
# node-llama-cpp if needed, unpacks the llama.cpp source it bundles, and
# sets bins (its prebuilt libraries) and src. build_against_llamacpp OUT
# SRC.c compiles a C program against them.
[ -d build/llamacpp/node_modules/node-llama-cpp ] || scripts/llamacpp-install.sh
bins=$PWD/build/llamacpp/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64
src=build/llamacpp-src
[ -d "$src" ] || git clone -q build/llamacpp/node_modules/node-llama-cpp/llama/gitRelease.bundle "$src"
build_against_llamacpp() {
  gcc -O1 -o "$1" "$2" -I"$src/include" -I"$src/ggml/include" \
    "$bins/libllama.v0.4.0.so" "$bins/libggml.v0.4.0.so" "$bins/libggml-base.so" -Wl,-rpath,"$bins"
}
