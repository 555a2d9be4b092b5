package main

import "testing"

// The expected strings are Rust's String::from_utf8_lossy of the same bytes.
func TestFromUTF8LossyIsRusts(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"user-agent: curl/8.5", "user-agent: curl/8.5"},
		{"h\u00e9llo \u20ac \U0001F600", "h\u00e9llo \u20ac \U0001F600"},
		{"a\xffb", "a\uFFFDb"},
		{"\xff\xff", "\uFFFD\uFFFD"},
		{"\xe2\x82a", "\uFFFDa"},                         // a truncated 3-byte sequence is one U+FFFD
		{"\xf0\x9f\x98", "\uFFFD"},                       // so is a truncated 4-byte one at the end
		{"\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"},           // a surrogate: ED cannot start it, A0 and 80 alone
		{"\xc0\xaf", "\uFFFD\uFFFD"},                     // an overlong encoding
		{"\xf4\x90\x80\x80", "\uFFFD\uFFFD\uFFFD\uFFFD"}, // above U+10FFFF
		{"ok\xc3", "ok\uFFFD"},
	} {
		if got := fromUTF8Lossy([]byte(c.in)); got != c.want {
			t.Errorf("fromUTF8Lossy(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
