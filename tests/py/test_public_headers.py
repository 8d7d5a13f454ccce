"""The public C API (include/simk/) compiles on its own: plain
`cc -std=c17 -Wall -Wextra -Werror -Iinclude`, no -D_GNU_SOURCE, no -I.,
each header alone and all of them together with the host's headers for the
same interfaces (<libaio.h>, <fcntl.h>, <sys/stat.h>, <signal.h>, <aio.h>,
<poll.h>, <sys/socket.h>), with gcc and clang."""
import shutil
import subprocess

import pytest

from conftest import ROOT

INCLUDE = ROOT / "include"
HEADERS = sorted(p.name for p in (INCLUDE / "simk").glob("*.h"))
HOST = ["libaio.h", "fcntl.h", "sys/stat.h", "signal.h", "aio.h", "poll.h", "sys/socket.h",
        "time.h", "unistd.h"]
FLAGS = ["-std=c17", "-Wall", "-Wextra", "-Werror", "-pedantic-errors", "-I", str(INCLUDE)]


def compile_c(cc, src, tmp_path, extra=()):
    c = tmp_path / "prog.c"
    c.write_text(src)
    r = subprocess.run([cc, *FLAGS, *extra, "-c", str(c), "-o", str(tmp_path / "prog.o")],
                       capture_output=True, text=True)
    assert r.returncode == 0, f"{cc}:\n{src}\n{r.stderr}"


@pytest.fixture(params=["gcc", "clang"])
def cc(request):
    if shutil.which(request.param) is None:
        pytest.skip(f"{request.param} not installed")
    return request.param


def test_the_syscall_headers_are_all_there():
    assert {"syscalls.h", "umem.h", "proc.h", "vfs.h", "eventfd.h", "laio.h", "port.h",
            "ptimer.h", "kq.h", "paio.h", "time.h", "sigevent.h", "sim.h"} <= set(HEADERS)
    umbrella = (INCLUDE / "simk" / "syscalls.h").read_text()
    for h in HEADERS:
        if h != "syscalls.h":
            assert f'#include "simk/{h}"' in umbrella, h


@pytest.mark.parametrize("header", HEADERS)
def test_each_header_compiles_alone(cc, header, tmp_path):
    compile_c(cc, f"#include <simk/{header}>\nint main(void) {{ return 0; }}\n", tmp_path)


@pytest.mark.parametrize("std,feature", [("c17", "_POSIX_C_SOURCE 200809L"),
                                         ("gnu17", "_GNU_SOURCE")])
def test_all_headers_with_the_hosts_own(cc, std, feature, tmp_path):
    """The host headers need POSIX (libaio.h uses sigset_t), as a program
    using them would ask for; ours need nothing. Host headers first, then
    last: neither side may define the other's names."""
    host = f"#define {feature}\n" + "".join(f"#include <{h}>\n" for h in HOST)
    ours = "".join(f"#include <simk/{h}>\n" for h in HEADERS)
    body = """
int main(void)
{
	/* both worlds in one translation unit, values agreeing where Linux's */
	struct iocb host_cb;
	struct simk_iocb cb = {0};
	struct simk_kevent kev = {0};
	struct simk_aiocb acb = {0};
	struct simk_port_event pe = {0};
	int (*volatile fp)(void) = simk_getpid;
	(void)host_cb;
	_Static_assert(sizeof(struct simk_iocb) == sizeof(struct iocb), "iocb");
	_Static_assert(SIMK_O_CREAT == O_CREAT && SIMK_O_DIRECT == 040000, "open flags");
	_Static_assert(SIMK_POLLIN == POLLIN && SIMK_POLLOUT == POLLOUT, "poll bits");
	_Static_assert(SIMK_SIGUSR1 == SIGUSR1 && SIMK_SIGKILL == SIGKILL, "signals");
	_Static_assert(SIMK_SEEK_END == SEEK_END && SIMK_F_GETFL == F_GETFL, "lseek, fcntl");
	return (int)(cb.aio_data + kev.ident + (uint64_t)acb.aio_fildes + pe.portev_object) +
	       (fp == 0);
}
"""
    flags = ["-std=" + std]
    compile_c(cc, host + ours + body, tmp_path, flags)
    compile_c(cc, f"#define {feature}\n" + ours + host.split("\n", 1)[1] + body, tmp_path, flags)


def test_the_headers_are_c_plus_plus_too(tmp_path):
    if shutil.which("g++") is None:
        pytest.skip("g++ not installed")
    src = tmp_path / "prog.cc"
    src.write_text("".join(f"#include <simk/{h}>\n" for h in HEADERS) +
                   "int main() { int (*volatile fp)() = simk_getpid; return fp == nullptr; }\n")
    r = subprocess.run(["g++", "-std=c++17", "-Wall", "-Wextra", "-Werror", "-I", str(INCLUDE),
                        "-c", str(src), "-o", str(tmp_path / "prog.o")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
