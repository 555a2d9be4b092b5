package filter

import "ffilab/goref/digest"

// The header_get_set filter (S14/S15's): on the request it reads the path and three headers,
// every byte through the lab's checksum, and sets two headers; on the response it sets one.
var (
	// GetSetReads are the request headers it reads, the path first.
	GetSetReads = [4]string{":path", "user-agent", "x-request-id", "accept"}
	// GetSetRequestSets are the request headers it sets, name then value.
	GetSetRequestSets = [2][2]string{{"x-lab-seen", "1"}, {"x-lab-route", "cluster-a"}}
)

// GetSetResponseSet is the response header the Go module sets (the Rust module's says "rust").
var GetSetResponseSet = [2]string{"x-lab-response", "go"}

// GetSetRead reads the four headers and returns the sum of their checksums (an absent header
// counts 0), so every byte is read whatever the strategy handed over.
func GetSetRead(h Headers) uint64 {
	var sum uint64
	for _, name := range GetSetReads {
		if v, ok := h.Get(name); ok {
			sum += digest.Sum(bytesOf(v))
		}
	}
	return sum
}
