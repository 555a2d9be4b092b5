package filter

import "unsafe"

// Arena is bulk_copy's copy of a whole header map: every key and value in one byte slice, taken
// at the first read of a hook, so later reads cross into Envoy no more. One Arena lives for one
// hook (the lab's filters read only in the request-headers hook), so it costs one allocation for
// the bytes and one for the entries per request, as a Go filter that copies the map pays them.
type Arena struct {
	buf     []byte
	entries []entry
}

type entry struct{ key, value, end uint32 } // offsets in buf: key at key, value at value

// Reset empties a, keeping room for headers entries and bytes bytes of keys and values.
func (a *Arena) Reset(headers, bytes int) {
	if cap(a.entries) < headers {
		a.entries = make([]entry, 0, headers)
	}
	if cap(a.buf) < bytes {
		a.buf = make([]byte, 0, bytes)
	}
	a.entries, a.buf = a.entries[:0], a.buf[:0]
}

// Add copies one header in.
func (a *Arena) Add(key, value []byte) {
	k := uint32(len(a.buf))
	a.buf = append(a.buf, key...)
	v := uint32(len(a.buf))
	a.buf = append(a.buf, value...)
	a.entries = append(a.entries, entry{k, v, uint32(len(a.buf))})
}

// Len is how many headers a holds.
func (a *Arena) Len() int { return len(a.entries) }

// Get is the first value of name (Envoy's keys are lower-case; so are the filters' names),
// a string over the arena's bytes.
func (a *Arena) Get(name string) (string, bool) {
	for _, e := range a.entries {
		if int(e.value-e.key) == len(name) && string(a.buf[e.key:e.value]) == name {
			return stringOf(a.buf[e.value:e.end]), true
		}
	}
	return "", false
}

// stringOf is a string over b without a copy; b must not change while the string is used (the
// arena's bytes are written once, Envoy's for the duration of the hook).
func stringOf(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

// bytesOf is the bytes of s without a copy, read-only.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
