package inference

// PromptTokens returns the tokens Generate evaluates for req's prompt
// (Prompt, Messages or PromptTokens, with BOS and the chat template as
// Generate applies them), checked against the context length. A miner
// resuming another's broken stream appends the tokens already emitted to
// these and generates from there.
func (e *Builtin) PromptTokens(req Request) ([]int32, error) { return e.promptTokens(req) }

// Piece returns the bytes token id adds to generated text (Result.Text is
// the concatenation of its tokens' pieces, cut at a stop string). A piece
// may end inside a UTF-8 character.
func (e *Builtin) Piece(id int32) string { return e.m.Tok.Piece(id) }
