/*
 * The example client library examples/fileaio/ is not part of libsimk (the
 * Makefile builds only sim/ kern/ drivers/ vfs/ syscalls/ into it), and it
 * must not be: it is a user of the kernel, not a piece of it. Its tests
 * link it through this one translation unit of the unit-test binary, so
 * every test_fileaio_*.c file shares one copy.
 */
#include "examples/fileaio/fileaio.c"
