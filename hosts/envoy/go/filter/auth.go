package filter

import (
	"crypto/sha1"
	"encoding/base64"
)

// Users is the basic_auth configuration, htpasswd-style as Envoy's C++ basic_auth filter (the
// floor) stores it: the one valid user `lab`, password `secret`, kept as {SHA} base64(SHA-1).
const Users = "lab:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ="

// user and passwordHash are Users split at build time; the test checks the hash is secret's.
const (
	user         = "lab"
	passwordHash = "5en6G6MezRroT3XKqkdPOmY/BfQ="
)

// maxDecoded is the longest credentials decoded: longer ones cannot be lab's and are refused
// without decoding, so decoding needs only this stack buffer whatever the header's length.
const maxDecoded = 256

// Denial is why basic_auth refuses a request (0: it does not). Each has the local reply's body
// and response-code details of Envoy's C++ filter, so the two answer alike.
type Denial uint8

const (
	Allowed Denial = iota
	Missing
	BadScheme
	BadFormat
	BadCredential
)

// Body is the 401's body, as the C++ filter sends it.
func (d Denial) Body() string {
	switch d {
	case Missing:
		return "User authentication failed. Missing username and password."
	case BadScheme:
		return "User authentication failed. Expected 'Basic' authentication scheme."
	case BadFormat:
		return "User authentication failed. Invalid basic credential format."
	case BadCredential:
		return "User authentication failed. Invalid username/password combination."
	}
	return ""
}

// Details is the 401's response-code details (the access log's %RESPONSE_CODE_DETAILS%).
func (d Denial) Details() string {
	switch d {
	case Missing:
		return "no_credential_for_basic_auth"
	case BadScheme:
		return "invalid_scheme_for_basic_auth"
	case BadFormat:
		return "invalid_format_for_basic_auth"
	case BadCredential:
		return "invalid_credential_for_basic_auth"
	}
	return ""
}

// CheckBasicAuth is the C++ filter's decodeHeaders: the first `authorization` value must start
// with "Basic " (case as written), the rest is base64 with or without padding, the decoded
// `user:password` splits at the first colon, the user must be lab and base64(SHA-1(password))
// must equal the stored hash. Undecodable base64 counts as no colon, as Envoy's decoder returns
// an empty string for it.
func CheckBasicAuth(h Headers) Denial {
	value, ok := h.Get("authorization")
	if !ok {
		return Missing
	}
	if len(value) < 6 || value[:6] != "Basic " {
		return BadScheme
	}
	var buf [maxDecoded]byte
	n, ok := decodeBase64(value[6:], buf[:])
	if !ok {
		return BadFormat
	}
	decoded := buf[:n]
	colon := -1
	for i, c := range decoded {
		if c == ':' {
			colon = i
			break
		}
	}
	if colon < 0 {
		return BadFormat
	}
	if string(decoded[:colon]) != user {
		return BadCredential
	}
	sum := sha1.Sum(decoded[colon+1:])
	var encoded [28]byte // base64 of 20 bytes
	base64.StdEncoding.Encode(encoded[:], sum[:])
	if string(encoded[:]) != passwordHash {
		return BadCredential
	}
	return Allowed
}

// decodeBase64 is Envoy's Base64::decodeWithoutPadding into out: up to two trailing '=' are
// dropped, then every character must be of the standard alphabet, the length must not leave one
// character over, and the last character's unused bits must be zero. False when the input is
// not such base64 or its decoding does not fit out.
func decodeBase64(in string, out []byte) (int, bool) {
	if len(in) > 0 && in[len(in)-1] == '=' {
		in = in[:len(in)-1]
		if len(in) > 0 && in[len(in)-1] == '=' {
			in = in[:len(in)-1]
		}
	}
	rest := len(in) % 4 // 2 and 3 decode to 1 and 2 bytes; 1 is never base64
	if rest == 1 || len(in)/4*3+max(rest-1, 0) > len(out) {
		return 0, false
	}
	n := 0
	var acc uint32
	for i := 0; i < len(in); i++ {
		s := sextet(in[i])
		if s > 63 {
			return 0, false
		}
		acc = acc<<6 | s
		if i%4 == 3 {
			out[n], out[n+1], out[n+2] = byte(acc>>16), byte(acc>>8), byte(acc)
			n += 3
			acc = 0
		}
	}
	switch rest {
	case 2: // 12 bits: one byte, 4 unused
		if acc&0xf != 0 {
			return 0, false
		}
		out[n] = byte(acc >> 4)
		n++
	case 3: // 18 bits: two bytes, 2 unused
		if acc&0x3 != 0 {
			return 0, false
		}
		out[n], out[n+1] = byte(acc>>10), byte(acc>>2)
		n += 2
	}
	return n, true
}

// sextet is c's value in the standard base64 alphabet, 255 when c is not in it.
func sextet(c byte) uint32 {
	switch {
	case c >= 'A' && c <= 'Z':
		return uint32(c - 'A')
	case c >= 'a' && c <= 'z':
		return uint32(c-'a') + 26
	case c >= '0' && c <= '9':
		return uint32(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return 255
}

// maxRealmPath is the longest path the realm quotes, the C++ filter's MaximumUriLength.
const maxRealmPath = 256

// Challenge is the 401's www-authenticate value as the C++ filter builds it: Basic realm= the
// request's original URI (Envoy's Http::Utility::buildOriginalUri: x-forwarded-proto "://"
// :authority, then x-envoy-original-path or else :path, cut at 256 bytes; empty without :path).
func Challenge(h Headers) string {
	path, ok := h.Get("x-envoy-original-path")
	if !ok {
		path, ok = h.Get(":path")
	}
	uri := ""
	if ok {
		if len(path) > maxRealmPath {
			path = path[:maxRealmPath]
		}
		proto, _ := h.Get("x-forwarded-proto")
		host, _ := h.Get(":authority")
		uri = proto + "://" + host + path
	}
	return `Basic realm="` + uri + `"`
}
