module ffilab/goref

go 1.27
