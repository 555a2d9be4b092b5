// Package filter is the Go Envoy module's filter logic apart from Envoy and cgo: the names of
// the filters and strategies, Basic auth as Envoy's C++ basic_auth filter does it, the
// header_get_set filter's reads, and the bulk_copy arena. The module (hosts/envoy/go) gives it
// the headers through Headers, one implementation per strategy; the tests give it a fake list.
package filter

// Filter is the lab's filter a configuration runs (the dynamic_modules filter's filter_name).
type Filter uint32

const (
	BasicAuth Filter = iota + 1
	HeaderGetSet
	// Panic panics on purpose in the request-headers hook: the module recovers and answers 500.
	Panic
)

// ParseFilter reads filter_name; false for a name the module does not know.
func ParseFilter(name string) (Filter, bool) {
	switch name {
	case "basic_auth":
		return BasicAuth, true
	case "header_get_set":
		return HeaderGetSet, true
	case "panic":
		return Panic, true
	}
	return 0, false
}

// Access is how a strategy reaches Envoy's headers.
type Access uint32

const (
	// Copy is one get_header per read and a Go copy of the value (C.GoStringN).
	Copy Access = iota + 1
	// View is one get_header per read and a string over Envoy's bytes (unsafe.String), valid
	// until the hook returns or the map changes.
	View
	// BulkCopy is get_headers_size then get_headers at the first read, every header copied into
	// one Go arena, later reads looked up there.
	BulkCopy
)

// Strategy is the filter_config: an access and whether the Envoy callbacks it calls carry
// #cgo noescape and nocallback (the names without "_escape") or not (the names with it).
type Strategy struct {
	Access   Access
	NoEscape bool
}

// Strategies are the strategy names, in the report's order.
var Strategies = []string{"copy", "view", "bulk_copy", "copy_escape", "view_escape", "bulk_copy_escape"}

// ParseStrategy reads filter_config; false for a name the module does not know.
func ParseStrategy(name string) (Strategy, bool) {
	switch name {
	case "copy":
		return Strategy{Copy, true}, true
	case "view":
		return Strategy{View, true}, true
	case "bulk_copy":
		return Strategy{BulkCopy, true}, true
	case "copy_escape":
		return Strategy{Copy, false}, true
	case "view_escape":
		return Strategy{View, false}, true
	case "bulk_copy_escape":
		return Strategy{BulkCopy, false}, true
	}
	return Strategy{}, false
}

// Headers is one request's header map as a strategy reaches it: the first value of a lower-case
// name, false when absent.
type Headers interface {
	Get(name string) (string, bool)
}
