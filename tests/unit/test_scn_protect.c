/* Scenario operation buf_protect: page protections from a scenario, the
 * -EFAULT they give system calls, its own errors, and fork. */
#include <errno.h>

#include "scn_test.h"

Test(scn_protect, readonly_buffer_makes_reads_fail_and_writes_work)
{
	assert_passes("buffer b 8192\n"
		      "thread t\n"
		      "  local rd = -1\n"
		      "  local wr = -1\n"
		      "  local r = pipe rd wr O_NONBLOCK\n"
		      "  expect r == 0\n"
		      "  buf_set b \"hello\"\n"
		      "  r = buf_protect b PROT_READ\n"
		      "  expect r == 0\n"
		      "  r = write wr b 5\n" /* a write only reads the buffer */
		      "  expect r == 5\n"
		      "  r = read rd b 5\n"
		      "  expect r == -EFAULT\n"
		      "  r = buf_fill b 7\n" /* the harness sees through protections */
		      "  r = buf_byte b 0\n"
		      "  expect r == 7\n"
		      "  r = buf_protect b PROT_READ + PROT_WRITE off=4096\n"
		      "  expect r == 0\n"
		      "  r = read rd b 5 off=4096\n" /* nothing was consumed */
		      "  expect r == 5\n"
		      "  r = buf_eq b \"hello\" off=4096\n"
		      "  expect r == 1\n"
		      "  r = buf_protect b PROT_WRITE len=1\n"
		      "  expect r == 0\n"
		      "  r = write wr b 1\n"
		      "  expect r == -EFAULT\n"
		      "  r = buf_protect b PROT_NONE\n"
		      "  expect r == 0\n"
		      "  r = write wr b 1 off=4096\n"
		      "  expect r == -EFAULT\n"
		      "  r = buf_protect b PROT_NONE off=1\n"
		      "  expect r == -EINVAL\n"
		      "  r = buf_protect b 8\n"
		      "  expect r == -EINVAL\n"
		      "  r = buf_protect b PROT_READ + PROT_WRITE\n"
		      "  expect r == 0\n"
		      "  r = write wr b 1\n"
		      "  expect r == 1\n");
}

Test(scn_protect, forked_child_protects_its_own_copy)
{
	assert_passes("buffer b 16\n"
		      "shared rd = -1\n"
		      "shared wr = -1\n"
		      "thread parent\n"
		      "  local r = pipe rd wr O_NONBLOCK\n"
		      "  r = write wr b 4\n"
		      "  expect r == 4\n"
		      "  r = buf_protect b PROT_READ\n" /* inherited by the child */
		      "  local pid = fork child\n"
		      "  r = wait pid\n"
		      "  expect r == pid\n"
		      "  r = read rd b 2\n" /* still read-only here */
		      "  expect r == -EFAULT\n"
		      "thread child manual\n"
		      "  local r = read rd b 2\n"
		      "  expect r == -EFAULT\n"
		      "  r = buf_protect b PROT_READ + PROT_WRITE\n"
		      "  expect r == 0\n"
		      "  r = read rd b 2\n"
		      "  expect r == 2\n");
}
