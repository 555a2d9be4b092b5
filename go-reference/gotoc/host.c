/*
 * The lab's host compiled into package gotoc. cgo compiles only the C files that sit in the
 * package's own directory, so this file pulls in the one host implementation
 * (c-harness/host/host.c) instead of copying it: Go calls exactly the code Rust links.
 */
#include "../../c-harness/host/host.c"
