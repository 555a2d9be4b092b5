package main

// The strategies' request headers (filter.Headers), one type per strategy and directive form:
// what the filters read goes through exactly one of these per hook.

import "C"

import (
	"unsafe"

	"ffilab/envoygo/filter"
)

// copyHeaders is `copy`: one get_header per read, the value copied into Go memory (C.GoStringN).
type copyHeaders struct{ f envoyFilter }

func (h copyHeaders) Get(name string) (string, bool) {
	v, ok := getHeader(h.f, requestHeaders, name)
	if !ok {
		return "", false
	}
	return C.GoStringN(v.ptr, C.int(v.length)), true
}

// copyEscapeHeaders is `copy_escape`: copy's reads through the lab_escape_* callbacks.
type copyEscapeHeaders struct{ f envoyFilter }

func (h copyEscapeHeaders) Get(name string) (string, bool) {
	v, ok := getHeaderEscape(h.f, requestHeaders, name)
	if !ok {
		return "", false
	}
	return C.GoStringN(v.ptr, C.int(v.length)), true
}

// viewHeaders is `view`: one get_header per read, a string over Envoy's bytes, valid until the
// hook returns or the map changes (the filters set headers only after their last read).
type viewHeaders struct{ f envoyFilter }

func (h viewHeaders) Get(name string) (string, bool) {
	v, ok := getHeader(h.f, requestHeaders, name)
	if !ok {
		return "", false
	}
	return unsafe.String((*byte)(unsafe.Pointer(v.ptr)), int(v.length)), true
}

// viewEscapeHeaders is `view_escape`: view's reads through the lab_escape_* callbacks.
type viewEscapeHeaders struct{ f envoyFilter }

func (h viewEscapeHeaders) Get(name string) (string, bool) {
	v, ok := getHeaderEscape(h.f, requestHeaders, name)
	if !ok {
		return "", false
	}
	return unsafe.String((*byte)(unsafe.Pointer(v.ptr)), int(v.length)), true
}

// bulkHeaders is `bulk_copy` and `bulk_copy_escape`: at the first read every request header is
// copied into the arena (copyAll), every read looks it up there.
type bulkHeaders struct {
	f        envoyFilter
	noEscape bool
	filled   bool
	arena    filter.Arena
}

func (h *bulkHeaders) Get(name string) (string, bool) {
	if !h.filled {
		if h.noEscape {
			copyAll(h.f, requestHeaders, &h.arena)
		} else {
			copyAllEscape(h.f, requestHeaders, &h.arena)
		}
		h.filled = true
	}
	return h.arena.Get(name)
}

// requestHeadersOf is the Headers of strategy s over the stream f's request headers.
func requestHeadersOf(f envoyFilter, s filter.Strategy) filter.Headers {
	switch {
	case s.Access == filter.Copy && s.NoEscape:
		return copyHeaders{f}
	case s.Access == filter.Copy:
		return copyEscapeHeaders{f}
	case s.Access == filter.View && s.NoEscape:
		return viewHeaders{f}
	case s.Access == filter.View:
		return viewEscapeHeaders{f}
	}
	return &bulkHeaders{f: f, noEscape: s.NoEscape}
}
