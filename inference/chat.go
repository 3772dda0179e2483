package inference

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/ardanlabs/jinja"

	"github.com/taonet/tao/inference/tokenizer"
)

// Chat prompts are made by the model's own chat template
// (tokenizer.chat_template, Jinja), run by github.com/ardanlabs/jinja, a
// Jinja engine written for LLM chat templates (raise_exception,
// strftime_now, namespace, loop controls), as transformers and llama.cpp
// run it. The template's text is trusted and its control tokens parsed;
// message contents are not: each is tokenized without special-token
// parsing, so a user who writes "<|im_end|>" gets those characters. A
// model without a template, or whose template does not compile, gets a
// built-in format: Llama 3's headers when its vocabulary has them,
// otherwise Mistral/Llama 2's "[INST] … [/INST]".

// Content markers: private-use code points that wrap each message's
// content in the rendered text, so that the content can be told from the
// template's own text. The same code points are removed from contents.
const (
	contentOpen  = "\uE000"
	contentClose = "\uE001"
)

var (
	templates   sync.Map // template source → *compiledTemplate
	rolePattern = regexp.MustCompile(`^[a-z_]{1,32}$`)
)

type compiledTemplate struct {
	t        *jinja.Template
	err      error
	trims    bool // the template trims contents ("| trim", ".strip()")
	noSystem bool // the template never mentions a system role
}

func compileTemplate(src string) *compiledTemplate {
	if c, ok := templates.Load(src); ok {
		return c.(*compiledTemplate)
	}
	t, err := jinja.Compile(src)
	c := &compiledTemplate{t: t, err: err,
		trims:    strings.Contains(src, "trim") || strings.Contains(src, "strip("),
		noSystem: !strings.Contains(src, "system")}
	templates.Store(src, c)
	return c
}

// chatTokens formats messages for the model and tokenizes them, ending
// with the assistant's turn opened (add_generation_prompt).
func chatTokens(tok *tokenizer.Tokenizer, msgs []Message) ([]int32, error) {
	v := tok.Vocab()
	for i, m := range msgs {
		if !rolePattern.MatchString(m.Role) {
			return nil, fmt.Errorf("inference: message %d has role %q (want system, user, assistant or tool)", i, m.Role)
		}
	}
	if v.ChatTemplate != "" {
		if c := compileTemplate(v.ChatTemplate); c.err == nil {
			return c.tokens(tok, msgs)
		}
	}
	return builtinChatTokens(tok, msgs), nil
}

func (c *compiledTemplate) tokens(tok *tokenizer.Tokenizer, msgs []Message) ([]int32, error) {
	v := tok.Vocab()
	if c.noSystem {
		msgs = foldSystem(msgs)
	}
	data := make([]any, len(msgs))
	for i, m := range msgs {
		content := strings.NewReplacer(contentOpen, "\uFFFD", contentClose, "\uFFFD").Replace(m.Content)
		if c.trims {
			content = strings.TrimSpace(content)
		}
		data[i] = map[string]any{"role": m.Role, "content": contentOpen + content + contentClose}
	}
	piece := func(id int32) string {
		if id < 0 || int(id) >= len(v.Tokens) {
			return ""
		}
		return v.Tokens[id]
	}
	text, err := c.t.Render(map[string]any{
		"messages":              data,
		"add_generation_prompt": true,
		"bos_token":             piece(v.BOS),
		"eos_token":             piece(v.EOS),
	})
	if err != nil {
		return nil, fmt.Errorf("inference: the model's chat template refused the messages: %w", err)
	}
	var parts []tokenizer.Part
	for text != "" {
		i := strings.Index(text, contentOpen)
		if i < 0 {
			parts = append(parts, tokenizer.Part{Text: strings.ReplaceAll(text, contentClose, ""), Special: true})
			break
		}
		parts = append(parts, tokenizer.Part{Text: strings.ReplaceAll(text[:i], contentClose, ""), Special: true})
		text = text[i+len(contentOpen):]
		j := strings.Index(text, contentClose)
		if j < 0 {
			j = len(text) // a template that cut a content short
		}
		parts = append(parts, tokenizer.Part{Text: strings.ReplaceAll(text[:j], contentOpen, "")})
		text = text[min(len(text), j+len(contentClose)):]
	}
	out := tok.EncodeParts(parts, false)
	if v.AddBOS && v.BOS >= 0 && (len(out) == 0 || out[0] != v.BOS) {
		out = append([]int32{v.BOS}, out...)
	}
	return out, nil
}

// foldSystem merges system messages into the next user message, for
// templates without a system role (Mistral's, Llama 2's without <<SYS>>).
func foldSystem(msgs []Message) []Message {
	var out []Message
	system := ""
	for _, m := range msgs {
		switch {
		case m.Role == "system":
			system += m.Content + "\n\n"
		case m.Role == "user" && system != "":
			out = append(out, Message{Role: m.Role, Content: system + m.Content})
			system = ""
		default:
			out = append(out, m)
		}
	}
	if system != "" {
		out = append(out, Message{Role: "user", Content: strings.TrimSuffix(system, "\n\n")})
	}
	return out
}

// builtinChatTokens is the format of models without a usable template:
// Llama 3's headers when the vocabulary has them, otherwise Mistral/Llama
// 2's "<s>[INST] user [/INST]assistant</s>".
func builtinChatTokens(tok *tokenizer.Tokenizer, msgs []Message) []int32 {
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
	if _, ok := tok.Lookup("<|start_header_id|>"); ok {
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
	for _, m := range foldSystem(msgs) {
		if m.Role == "assistant" {
			out = append(out, tok.Encode(m.Content, false, false)...)
			if v.EOS >= 0 {
				out = append(out, v.EOS)
			}
			continue
		}
		out = append(out, tok.Encode("[INST] "+m.Content+" [/INST]", false, false)...)
	}
	return out
}
