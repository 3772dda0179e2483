// Measures llama.cpp's CPU speed on a GGUF model through node-llama-cpp,
// for comparison with `go test -bench . ./inference/llama`: prefill of a
// 128-token prompt and greedy decoding of 64 tokens, batch 1.
//
// usage: NODE_PATH=build/llamacpp/node_modules [KV_CACHE=f32] node scripts/llamacpp-bench.mjs MODEL.gguf THREADS
// (KV_CACHE: the KV cache type, f16 by default as in llama.cpp;
// FLASH_ATTN=off turns its default flash attention off)
import { createRequire } from "node:module";
const require = createRequire(process.env.NODE_PATH + "/");
const { getLlama, LlamaLogLevel } = await import(require.resolve("node-llama-cpp"));

const [modelPath, threadsArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 1);
const kv = (process.env.KV_CACHE ?? "f16").toUpperCase();
const flash = (process.env.FLASH_ATTN ?? "on") === "on";
const llama = await getLlama({ gpu: false, logLevel: LlamaLogLevel.error });
const model = await llama.loadModel({ modelPath });
const prompt = Array.from({ length: 128 }, (_, i) => 100 + i);
const best = { prefill: 0, decode: 0 };
for (let rep = 0; rep < 5; rep++) {
  const ctx = await model.createContext({ contextSize: 256, batchSize: 128, threads, flashAttention: flash, experimentalKvCacheKeyType: kv, experimentalKvCacheValueType: kv });
  const seq = ctx.getSequence();
  let t0 = performance.now();
  await seq.evaluateWithoutGeneratingNewTokens(prompt);
  const prefill = prompt.length / ((performance.now() - t0) / 1000);
  let n = 0;
  t0 = performance.now();
  for await (const tok of seq.evaluate([7], { temperature: 0 })) {
    if (++n >= 64) break;
  }
  const decode = n / ((performance.now() - t0) / 1000);
  best.prefill = Math.max(best.prefill, prefill);
  best.decode = Math.max(best.decode, decode);
  await ctx.dispose();
}
console.log(JSON.stringify({ model: modelPath, threads, prefill_tok_s: best.prefill, decode_tok_s: best.decode }));
await model.dispose();
await llama.dispose();
