// Writes llama.cpp's token ids for the strings of
// inference/tokenizer/testdata/refs.json under each vocabulary-only GGUF
// given (Llama 3's vocabulary with one tokenizer.ggml.pre each), for the
// tokenizer package's TestPreTokenizerParity. Text is tokenized with
// special-token parsing on (off for user-defined.gguf) and no BOS.
//
// usage: NODE_PATH=build/llamacpp/node_modules node scripts/llamacpp-pretok.mjs REFS.json PRE.gguf... > out.json
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
const require = createRequire(process.env.NODE_PATH + "/");
const { getLlama, LlamaLogLevel } = await import(require.resolve("node-llama-cpp"));

const [refsPath, ...models] = process.argv.slice(2);
const { strings } = JSON.parse(readFileSync(refsPath, "utf8"));
const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
const out = { source: "node-llama-cpp 3.21.1 (llama.cpp " + (llama.llamaCppRelease?.release ?? "?") + "), tokenize(text, specialTokens=true) on Llama 3's vocabulary under each pre-tokenizer, and Mistral's without a space prefix", strings, pre: {} };
for (const path of models) {
  const model = await llama.loadModel({ modelPath: path, vocabOnly: true });
  const name = basename(path, ".gguf");
  // "user-defined" is tokenized without special-token parsing.
  out.pre[name] = strings.map((s) => Array.from(model.tokenize(s, name !== "user-defined")));
  await model.dispose();
}
process.stdout.write(JSON.stringify(out) + "\n");
await llama.dispose();
