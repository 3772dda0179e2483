package node

import (
	"crypto/sha256"
	"encoding/binary"
	"strings"
)

// promptWords is the vocabulary of validator prompts: 64 words, so one
// byte of the hash stream picks one uniformly (256 = 4·64).
var promptWords = [64]string{
	"once", "upon", "a", "time", "there", "was", "little", "girl",
	"boy", "dog", "cat", "bird", "tree", "house", "sun", "moon",
	"happy", "sad", "big", "small", "red", "blue", "green", "old",
	"new", "friend", "mom", "dad", "park", "ball", "toy", "box",
	"played", "ran", "saw", "found", "wanted", "liked", "said", "went",
	"the", "and", "with", "in", "to", "of", "one", "day",
	"named", "lily", "tim", "ben", "sue", "max", "fish", "flower",
	"rain", "snow", "car", "boat", "cake", "book", "hat", "door",
}

// promptDomain separates the prompt hash from every other hash.
const promptDomain = "tao/v1/validator-prompts"

// derivePrompts returns n prompts for one validator's round on a subnet,
// derived from the block it starts at, so that no miner can know them
// before the block exists:
//
//	seed     = SHA-256("tao/v1/validator-prompts" ‖ netuid u16 BE ‖
//	                   len(hotkey) u8 ‖ hotkey ‖ blockID)
//	stream_k = SHA-256(seed ‖ k u32 BE), k = 0, 1, ... (concatenated)
//
// Each prompt takes bytes from the stream in order: one byte b gives the
// length 6 + b mod 7 words, then one byte per word indexes promptWords
// (b mod 64). Words are joined by spaces, the first capitalised, and a
// full stop ends the prompt. The hotkey makes two validators' prompts
// differ, so a miner cannot answer every validator with one computation
// copied between them; anyone can recompute a validator's prompts from the
// chain.
func derivePrompts(blockID []byte, netuid uint16, hotkey []byte, n int) []string {
	var seedIn []byte
	seedIn = append(seedIn, promptDomain...)
	seedIn = binary.BigEndian.AppendUint16(seedIn, netuid)
	seedIn = append(seedIn, byte(len(hotkey)))
	seedIn = append(seedIn, hotkey...)
	seedIn = append(seedIn, blockID...)
	seed := sha256.Sum256(seedIn)
	var buf []byte
	var k uint32
	next := func() byte {
		if len(buf) == 0 {
			b := sha256.Sum256(binary.BigEndian.AppendUint32(seed[:], k))
			k++
			buf = b[:]
		}
		x := buf[0]
		buf = buf[1:]
		return x
	}
	out := make([]string, n)
	for i := range out {
		words := make([]string, 6+int(next())%7)
		for j := range words {
			words[j] = promptWords[next()%64]
		}
		words[0] = strings.ToUpper(words[0][:1]) + words[0][1:]
		out[i] = strings.Join(words, " ") + "."
	}
	return out
}
