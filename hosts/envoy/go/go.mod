module ffilab/envoygo

go 1.27

require ffilab/goref v0.0.0

// The lab's one checksum (go-reference/digest), from the Go reference in the same checkout.
replace ffilab/goref => ../../../go-reference
