// Writes llama.cpp reference outputs for a GGUF model, via node-llama-cpp
// (prebuilt llama.cpp, CPU only): for each prompt, the prompt's token ids,
// 64 greedy tokens, and the top log-probabilities at each step.
//
// usage (after scripts/llamacpp-install.sh):
//   NODE_PATH=build/llamacpp/node_modules [KV_CACHE=f16] [PROMPTS='["a", "b"]'] node scripts/llamacpp-refs.mjs MODEL.gguf CID > refs.json
// PROMPTS, a JSON array of strings, replaces the four prompts below.
import { createRequire } from "node:module";
const require = createRequire(process.env.NODE_PATH + "/");
const { getLlama, LlamaLogLevel } = await import(require.resolve("node-llama-cpp"));

const [modelPath, cid] = process.argv.slice(2);
const prompts = process.env.PROMPTS ? JSON.parse(process.env.PROMPTS) : [
  "Once upon a time",
  "The quick brown fox",
  "[INST] Write a poem about the sea. [/INST]",
  "日本語と emoji 😀 and code: func main() {}",
];
// FLASH_ATTN=on: llama.cpp's flash attention (its default on the CPU), and a
// fifth prompt long enough for its tiled prompt kernel (64 tokens or more:
// 67 with the llama2 vocabulary; 61-62 with llama3's, which stays below).
const flash = process.env.FLASH_ATTN === "on";
if (flash) {
  prompts.push("In the middle of the old town there was a small bakery that opened before dawn every day. " +
    "The baker, a quiet man with flour on his sleeves, sold warm bread to fishermen, teachers, nurses and children " +
    "on their way to school, and nobody could remember a morning when the lights had stayed off.");
}
const steps = 64, topN = 5;
const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath, useMmap: true });
// KV_CACHE=f16 uses llama.cpp's default F16 KV cache; the default here is F32.
const kv = (process.env.KV_CACHE ?? "f32").toUpperCase();
const out = { source: "node-llama-cpp 3.21.1 (llama.cpp " + (llama.llamaCppRelease?.release ?? "?") + "), CPU, " + kv + " KV cache, " + (flash ? "flash attention" : "no flash attention"), model: cid, kv_cache: kv.toLowerCase(), flash_attn: flash, steps, cases: [] };
for (const text of prompts) {
  const ctx = await model.createContext({
    contextSize: 256, batchSize: 256, threads: 2, flashAttention: flash,
    experimentalKvCacheKeyType: kv, experimentalKvCacheValueType: kv,
  });
  const seq = ctx.getSequence();
  const prompt = model.tokenize(text, false); // BOS added below for add_bos models, as llama.cpp does
  const input = model.tokens.shouldPrependBosToken ? [model.tokens.bos, ...prompt] : prompt;
  const tokens = [], top = [];
  for await (const r of seq.evaluateWithMetadata(input, { probabilities: true }, { temperature: 0, yieldEogToken: true })) {
    tokens.push(r.token);
    const t = [];
    for (const [id, p] of r.probabilities) {
      if (t.length >= topN) break;
      t.push([id, Math.log(p)]);
    }
    top.push(t);
    if (tokens.length >= steps) break;
  }
  out.cases.push({ text, prompt_tokens: input, tokens, top_logprobs: top });
  await ctx.dispose();
}
process.stdout.write(JSON.stringify(out) + "\n");
await model.dispose();
await llama.dispose();
