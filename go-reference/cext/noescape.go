//go:build go1.24

package main

// The #cgo noescape and nocallback directives of hostapi.go's helpers' host calls, apart from
// the code that calls them: cgo applies them package-wide, and only Go 1.24 and later know them.
// An older toolchain (the Go reference across releases, go-reference/toolchains) builds the
// package without this file, so there every pointer a call is given escapes to the heap, as it
// did for any cgo call before Go 1.24.

/*
#cgo noescape call_header_get
#cgo nocallback call_header_get
#cgo noescape call_headers_view_all
#cgo nocallback call_headers_view_all
#cgo noescape call_headers_copy_all
#cgo nocallback call_headers_copy_all
#cgo noescape call_header_set
#cgo nocallback call_header_set
#cgo noescape call_body_get
#cgo nocallback call_body_get
#cgo noescape call_send_local_reply
#cgo nocallback call_send_local_reply
*/
import "C"
