package inference

import (
	"strings"

	"github.com/taonet/tao/inference/tokenizer"
)

// chatTokens formats messages for the model and tokenizes them. The
// builtin engine implements two template families natively rather than
// running Jinja: Llama 3's header format when the model's template uses
// <|start_header_id|>, and otherwise Mistral/Llama 2's
// "<s>[INST] user [/INST]assistant</s>" (the synthetic models' template).
// Message content is tokenized without parsing special tokens, so a user
// cannot inject control tokens.
func chatTokens(tok *tokenizer.Tokenizer, msgs []Message) []int32 {
	v := tok.Vocab()
	special := func(s string) []int32 {
		if id, ok := tok.Lookup(s); ok {
			return []int32{id}
		}
		return nil
	}
	var out []int32
	if v.BOS >= 0 {
		out = append(out, v.BOS)
	}
	if strings.Contains(v.ChatTemplate, "<|start_header_id|>") {
		for _, m := range msgs {
			out = append(out, special("<|start_header_id|>")...)
			out = append(out, tok.Encode(m.Role, false, false)...)
			out = append(out, special("<|end_header_id|>")...)
			out = append(out, tok.Encode("\n\n"+strings.TrimSpace(m.Content), false, false)...)
			out = append(out, special("<|eot_id|>")...)
		}
		out = append(out, special("<|start_header_id|>")...)
		out = append(out, tok.Encode("assistant", false, false)...)
		out = append(out, special("<|end_header_id|>")...)
		return append(out, tok.Encode("\n\n", false, false)...)
	}
	system := ""
	for _, m := range msgs {
		switch m.Role {
		case "system":
			system += m.Content + "\n\n"
		case "assistant":
			out = append(out, tok.Encode(m.Content, false, false)...)
			if v.EOS >= 0 {
				out = append(out, v.EOS)
			}
		default:
			out = append(out, tok.Encode("[INST] "+system+m.Content+" [/INST]", false, false)...)
			system = ""
		}
	}
	return out
}
