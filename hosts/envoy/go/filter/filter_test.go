package filter

import (
	"crypto/sha1"
	"encoding/base64"
	"math/rand/v2"
	"strings"
	"testing"

	"ffilab/goref/digest"
)

// fake is a header map as Envoy's get_header shows it: the first value of a name, every call
// counted, so a test checks how many crossings a strategy would make.
type fake struct {
	list  [][2]string
	calls int
}

func (f *fake) Get(name string) (string, bool) {
	f.calls++
	for _, kv := range f.list {
		if kv[0] == name {
			return kv[1], true
		}
	}
	return "", false
}

func auth(value string) *fake {
	return &fake{list: [][2]string{{":path", "/"}, {"authorization", value}}}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestStoredHashIsSecrets(t *testing.T) {
	sum := sha1.Sum([]byte("secret"))
	if got := base64.StdEncoding.EncodeToString(sum[:]); got != passwordHash {
		t.Fatalf("stored hash %s, SHA-1 of secret is %s", passwordHash, got)
	}
	if Users != user+":{SHA}"+passwordHash {
		t.Fatalf("Users %q is not user and hash %q:{SHA}%q", Users, user, passwordHash)
	}
}

func TestNames(t *testing.T) {
	for _, n := range []string{"basic_auth", "header_get_set", "panic"} {
		if _, ok := ParseFilter(n); !ok {
			t.Errorf("filter %q refused", n)
		}
	}
	seen := map[Strategy]string{}
	for _, n := range Strategies {
		s, ok := ParseStrategy(n)
		if !ok {
			t.Fatalf("strategy %q refused", n)
		}
		if other, dup := seen[s]; dup {
			t.Errorf("%q and %q parse to the same strategy", n, other)
		}
		seen[s] = n
		if s.NoEscape == strings.HasSuffix(n, "_escape") {
			t.Errorf("%q: NoEscape=%v", n, s.NoEscape)
		}
	}
	for _, n := range []string{"", "Copy", "borrow", "view ", "basic_auth"} {
		if _, ok := ParseStrategy(n); ok {
			t.Errorf("strategy %q accepted", n)
		}
	}
	for _, n := range []string{"", "Basic_Auth", "copy", "header_get"} {
		if _, ok := ParseFilter(n); ok {
			t.Errorf("filter %q accepted", n)
		}
	}
}

func TestBasicAuth(t *testing.T) {
	long := "Basic " + b64("lab:"+strings.Repeat("s", 300))
	cases := []struct {
		name string
		h    *fake
		want Denial
	}{
		{"valid", auth("Basic " + b64("lab:secret")), Allowed},
		{"valid without padding", auth("Basic " + strings.TrimRight(b64("lab:secret"), "=")), Allowed},
		{"missing", &fake{list: [][2]string{{":path", "/"}}}, Missing},
		{"scheme in lower case", auth("basic " + b64("lab:secret")), BadScheme},
		{"other scheme", auth("Bearer " + b64("lab:secret")), BadScheme},
		{"scheme alone", auth("Basic"), BadScheme},
		{"empty credentials", auth("Basic "), BadFormat},
		{"invalid base64", auth("Basic !!!!"), BadFormat},
		{"one character over", auth("Basic " + b64("lab:secret")[:13]), BadFormat},
		{"nonzero unused bits", auth("Basic bGFiOnNlY3JldB"), BadFormat},
		{"no colon", auth("Basic " + b64("labsecret")), BadFormat},
		{"longer than the decode buffer", auth(long), BadFormat},
		{"wrong password", auth("Basic " + b64("lab:secreT")), BadCredential},
		{"wrong user", auth("Basic " + b64("lab2:secret")), BadCredential},
		{"password after a second colon", auth("Basic " + b64("lab:sec:ret")), BadCredential},
		{"non-UTF-8 password", auth("Basic " + b64("lab:\xff\xfe")), BadCredential},
		{"empty user and password", auth("Basic " + b64(":")), BadCredential},
	}
	for _, c := range cases {
		if got := CheckBasicAuth(c.h); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
		if c.h.calls != 1 {
			t.Errorf("%s: %d reads of the map, want 1", c.name, c.h.calls)
		}
		if c.want != Allowed && (c.want.Body() == "" || c.want.Details() == "") {
			t.Errorf("%s: denial without body or details", c.name)
		}
	}
}

// decodeBase64 agrees with the standard library's strict unpadded decoder (after the padding it
// drops) on random input, valid or not.
func TestDecodeBase64AgreesWithStrictDecoder(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=!"
	for i := 0; i < 20000; i++ {
		var in []byte
		if i%2 == 0 {
			raw := make([]byte, r.IntN(200))
			for j := range raw {
				raw[j] = byte(r.Uint32())
			}
			in = []byte(base64.StdEncoding.EncodeToString(raw))
			if r.IntN(4) == 0 { // strip the padding
				in = []byte(strings.TrimRight(string(in), "="))
			}
			if r.IntN(4) == 0 && len(in) > 0 { // break one character
				in[r.IntN(len(in))] = alphabet[r.IntN(len(alphabet))]
			}
		} else {
			in = make([]byte, r.IntN(12))
			for j := range in {
				in[j] = alphabet[r.IntN(len(alphabet))]
			}
		}
		var out [maxDecoded]byte
		n, ok := decodeBase64(string(in), out[:])
		trimmed := string(in)
		for k := 0; k < 2 && strings.HasSuffix(trimmed, "="); k++ {
			trimmed = trimmed[:len(trimmed)-1]
		}
		want, err := base64.RawStdEncoding.Strict().DecodeString(trimmed)
		if ok != (err == nil) || (ok && string(out[:n]) != string(want)) {
			t.Fatalf("%q: decoded %q ok=%v, strict decoder %q err=%v", in, out[:n], ok, want, err)
		}
	}
}

func TestChallengeIsTheOriginalURI(t *testing.T) {
	h := &fake{list: [][2]string{{":path", "/a?b"}, {":authority", "lab:8080"}, {"x-forwarded-proto", "http"}}}
	if got, want := Challenge(h), `Basic realm="http://lab:8080/a?b"`; got != want {
		t.Errorf("%s, want %s", got, want)
	}
	h.list = append(h.list, [2]string{"x-envoy-original-path", "/orig"})
	if got, want := Challenge(h), `Basic realm="http://lab:8080/orig"`; got != want {
		t.Errorf("%s, want %s", got, want)
	}
	long := &fake{list: [][2]string{{":path", "/" + strings.Repeat("p", 400)}, {":authority", "h"}, {"x-forwarded-proto", "https"}}}
	if got, want := Challenge(long), `Basic realm="https://h/`+strings.Repeat("p", 255)+`"`; got != want {
		t.Errorf("long path: %s, want %s", got, want)
	}
	if got, want := Challenge(&fake{}), `Basic realm=""`; got != want {
		t.Errorf("no path: %s, want %s", got, want)
	}
}

func TestGetSetReadsEveryByteOfFourHeaders(t *testing.T) {
	h := &fake{list: [][2]string{
		{":method", "GET"}, {":path", "/some/path"}, {"user-agent", "wrk"},
		{"accept", "*/*"}, {"x-other", "ignored"},
	}}
	want := digest.Sum([]byte("/some/path")) + digest.Sum([]byte("wrk")) + digest.Sum([]byte("*/*"))
	if got := GetSetRead(h); got != want {
		t.Errorf("sum %x, want %x (x-request-id absent counts 0)", got, want)
	}
	if h.calls != 4 {
		t.Errorf("%d reads, want 4", h.calls)
	}
	h.list[1][1] = "/some/patH"
	if GetSetRead(h) == want {
		t.Error("a changed byte of the path left the sum unchanged")
	}
}

// The arena is bulk_copy's lookup: filled once from every header, then read as often as the
// filter likes without the source, and a copy: the source changing afterwards changes nothing.
func TestArenaCopiesEveryHeaderOnce(t *testing.T) {
	src := [][2][]byte{
		{[]byte(":path"), []byte("/x")}, {[]byte("accept"), []byte("a/b")},
		{[]byte("accept"), []byte("second")}, {[]byte("empty"), nil},
	}
	var a Arena
	total := 0
	for _, kv := range src {
		total += len(kv[0]) + len(kv[1])
	}
	a.Reset(len(src), total)
	for _, kv := range src {
		a.Add(kv[0], kv[1])
	}
	if a.Len() != 4 || len(a.buf) != total || cap(a.buf) != total {
		t.Fatalf("arena holds %d headers in %d/%d bytes, want 4 in %d", a.Len(), len(a.buf), cap(a.buf), total)
	}
	src[0][1][1] = 'y' // Envoy's bytes change after the copy
	for _, c := range []struct{ name, want string }{{":path", "/x"}, {"accept", "a/b"}, {"empty", ""}} {
		if got, ok := a.Get(c.name); !ok || got != c.want {
			t.Errorf("%s: %q %v, want %q", c.name, got, ok, c.want)
		}
	}
	if _, ok := a.Get("acce"); ok {
		t.Error("a prefix of a name found")
	}
	if _, ok := a.Get("x-request-id"); ok {
		t.Error("an absent header found")
	}
	if n := testing.AllocsPerRun(100, func() { a.Get("accept") }); n != 0 {
		t.Errorf("a lookup allocates %v times", n)
	}
	a.Reset(1, 2)
	if a.Len() != 0 {
		t.Error("Reset kept headers")
	}
}

// A valid request's check allocates nothing: the decode buffer, the hash and its base64 stay on
// the stack.
func TestValidBasicAuthAllocatesNothing(t *testing.T) {
	h := auth("Basic " + b64("lab:secret"))
	if n := testing.AllocsPerRun(100, func() { CheckBasicAuth(h) }); n != 0 {
		t.Errorf("a valid check allocates %v times", n)
	}
}
