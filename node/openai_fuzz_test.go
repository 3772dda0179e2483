package node

import (
	"encoding/json"
	"reflect"
	"testing"
)

var chatSeeds = []string{
	`{"model":"subnet-1","messages":[{"role":"user","content":"hi"}],"max_tokens":8,"temperature":0,"stream":true}`,
	`{"model":"subnet-1","messages":[{"role":"system","content":"be brief"},{"role":"user","content":[{"type":"text","text":"a"},"b"]}],"stop":["\n"],"seed":7,"top_p":0.5,"n":1}`,
	`{"model":"subnet-65535","messages":[{"role":"developer","content":"x"}],"max_completion_tokens":1,"stream_options":{"include_usage":true},"stop":"."}`,
	`{"model":"subnet-1","messages":[{"role":"user","content":{"type":"image_url"}}]}`,
	`{"model":"subnet-01","messages":[]}`,
	`[]`,
	`{"model":"subnet-1","messages":[{"role":"user","content":[]}],"stop":[]}`,
}

var completionSeeds = []string{
	`{"model":"subnet-1","prompt":"Once upon a time","max_tokens":16,"temperature":0}`,
	`{"model":"subnet-1","prompt":["one"],"stop":null,"echo":false}`,
	`{"model":"subnet-1","prompt":[[1,2,3]]}`,
	`{"model":"subnet-1","prompt":"x","suffix":"y"}`,
}

// FuzzDecodeChatRequest: no input panics; an accepted request encodes
// back to JSON that decodes to the same routed request.
func FuzzDecodeChatRequest(f *testing.F) {
	for _, s := range chatSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var req chatRequest
		if oaiDecode(b, &req) != nil {
			return
		}
		netuid, rr, err := req.routingRequest()
		if err != nil {
			if err.Status < 400 || err.Status > 499 || err.Message == "" {
				t.Fatalf("error %+v", err)
			}
			return
		}
		again, jerr := json.Marshal(&req)
		if jerr != nil {
			t.Fatal(jerr)
		}
		var req2 chatRequest
		if e := oaiDecode(again, &req2); e != nil {
			t.Fatalf("re-decode %s: %v", again, e)
		}
		netuid2, rr2, e := req2.routingRequest()
		if e != nil || netuid2 != netuid || !reflect.DeepEqual(rr, rr2) {
			t.Fatalf("round trip changed the request: %+v / %+v (%v)", rr, rr2, e)
		}
	})
}

func FuzzDecodeCompletionRequest(f *testing.F) {
	for _, s := range completionSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var req completionRequest
		if oaiDecode(b, &req) != nil {
			return
		}
		netuid, rr, err := req.routingRequest()
		if err != nil {
			if err.Status < 400 || err.Status > 499 || err.Message == "" {
				t.Fatalf("error %+v", err)
			}
			return
		}
		again, jerr := json.Marshal(&req)
		if jerr != nil {
			t.Fatal(jerr)
		}
		var req2 completionRequest
		if e := oaiDecode(again, &req2); e != nil {
			t.Fatalf("re-decode %s: %v", again, e)
		}
		netuid2, rr2, e := req2.routingRequest()
		if e != nil || netuid2 != netuid || !reflect.DeepEqual(rr, rr2) {
			t.Fatalf("round trip changed the request: %+v / %+v (%v)", rr, rr2, e)
		}
	})
}

func TestParseModelName(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want uint16
		ok   bool
	}{{"subnet-1", 1, true}, {"subnet-65535", 65535, true}, {"subnet-01", 0, false}, {"subnet-65536", 0, false}, {"subnet-", 0, false}, {"gpt-4", 0, false}, {"subnet--1", 0, false}} {
		got, err := ParseModelName(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseModelName(%q) = %d, %v", tt.in, got, err)
		}
	}
	if ModelName(7) != "subnet-7" {
		t.Fatal(ModelName(7))
	}
}

func TestUTF8Complete(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want int
	}{{"", 0}, {"abc", 3}, {"a\xe2", 1}, {"a\xe2\x80", 1}, {"a\xe2\x80\x99", 4}, {"\xf0\x9f\x98", 0}, {"\x80\x80", 2}} {
		if got := utf8Complete([]byte(tt.in)); got != tt.want {
			t.Errorf("utf8Complete(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}
