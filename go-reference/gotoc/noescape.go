//go:build go1.24

package gotoc

// The #cgo noescape and nocallback directives of strategies.go's and conc.go's host calls, apart
// from the code that calls them: cgo applies them package-wide, and only Go 1.24 and later know them.
// An older toolchain (the Go reference across releases, go-reference/toolchains) builds the
// package without this file, so there every pointer a call is given escapes to the heap, as it
// did for any cgo call before Go 1.24.

/*
#cgo noescape lab_consume_str
#cgo nocallback lab_consume_str
#cgo noescape lab_consume_cstr
#cgo nocallback lab_consume_cstr
#cgo noescape lab_consume_cstr_array
#cgo nocallback lab_consume_cstr_array
#cgo noescape lab_consume_str_array
#cgo nocallback lab_consume_str_array
#cgo noescape lab_header_get
#cgo nocallback lab_header_get
#cgo noescape lab_header_copy
#cgo nocallback lab_header_copy
#cgo noescape lab_headers_copy_all
#cgo nocallback lab_headers_copy_all
#cgo noescape lab_alloc_stats_get
#cgo nocallback lab_alloc_stats_get
#cgo noescape lab_header_set
#cgo nocallback lab_header_set
#cgo noescape lab_headers_size
#cgo nocallback lab_headers_size
#cgo noescape lab_stream_receive
#cgo nocallback lab_stream_receive
#cgo noescape s08_post_set
#cgo nocallback s08_post_set
#cgo noescape table_headers_size
#cgo nocallback table_headers_size
*/
import "C"
