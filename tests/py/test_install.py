"""`make install` into a DESTDIR gives a usable package: a program built with
nothing but the installed include/simk/ headers and
`cc $(pkg-config --cflags simk) prog.c $(pkg-config --libs simk)` runs a
simulation with the same trace hash as the build tree's library; the
headers compile on their own; `make uninstall` removes every file."""
import os
import re
import shutil
import subprocess

import pytest

from conftest import ROOT

EMBED_C = ROOT / "examples" / "embed" / "embed.c"
RESULT_RE = re.compile(r'^child read "ping pong done"\noutcome=0 hash=([0-9a-f]{16}) vtime=\d+ns$', re.M)


def make(*args):
    env = dict(os.environ)
    for k in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL"):  # not the jobserver of a `make test`
        env.pop(k, None)
    r = subprocess.run(["make", "--no-print-directory", "-C", str(ROOT), *args],
                       capture_output=True, text=True, env=env, timeout=900)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return r


def files_under(d):
    return sorted(str(p.relative_to(d)) for p in d.rglob("*") if not p.is_dir())


@pytest.fixture(scope="module")
def dest(tmp_path_factory):
    d = tmp_path_factory.mktemp("destdir")
    make("install", f"DESTDIR={d}", "PREFIX=/usr")
    return d


def pc_env(dest):
    env = dict(os.environ)
    pcdir = str(dest / "usr" / "lib" / "pkgconfig")
    # only the staged tree's .pc files, rewritten to point into it
    env.update(PKG_CONFIG_PATH=pcdir, PKG_CONFIG_LIBDIR=pcdir, PKG_CONFIG_SYSROOT_DIR=str(dest))
    return env


def sh(cmd, env, cwd):
    return subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)


def test_install_puts_each_file_in_its_place(dest):
    files = files_under(dest)
    for want in ("usr/bin/simk", "usr/lib/libsimk.a", "usr/include/simk/sim.h",
                 "usr/lib/pkgconfig/simk.pc", "usr/share/man/man1/simk.1", "usr/bin/simk-cc",
                 "usr/share/simk/guest.wrap", "usr/share/simk/guest-calls.txt"):
        assert want in files, files
    headers = sorted(p.name for p in (ROOT / "include" / "simk").rglob("*.h"))
    assert sorted(p.name for p in (dest / "usr" / "include" / "simk").rglob("*.h")) == headers
    version = (ROOT / "VERSION").read_text().strip()
    r = subprocess.run([str(dest / "usr" / "bin" / "simk"), "--version"], capture_output=True,
                       text=True)
    assert r.returncode == 0 and r.stdout == f"simk {version}\n"
    man = (dest / "usr" / "share" / "man" / "man1" / "simk.1").read_text()
    assert f'.TH SIMK 1 "" "simk {version}"' in man


def test_pkg_config_names_the_staged_headers_and_libraries(dest):
    env = pc_env(dest)
    r = sh("pkg-config --modversion simk && pkg-config --cflags simk && "
           "pkg-config --libs simk", env, dest)
    assert r.returncode == 0, r.stderr
    version, cflags, libs = r.stdout.splitlines()
    assert version == (ROOT / "VERSION").read_text().strip()
    assert cflags.split() == [f"-I{dest}/usr/include"]
    assert libs.split() == [f"-L{dest}/usr/lib", "-lsimk", "-lfiu", "-lm"]


def run_embed(prog, seed):
    r = subprocess.run([str(prog), str(seed)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    m = RESULT_RE.search(r.stdout)
    assert m, r.stdout
    return m.group(1), r.stdout


def test_a_program_built_with_pkg_config_runs_a_simulation(dest, tmp_path):
    # outside the repository, so that no -I. or -Iinclude can help
    shutil.copy(EMBED_C, tmp_path / "prog.c")
    r = sh("cc -std=c17 -Wall -Wextra -Werror $(pkg-config --cflags simk) prog.c "
           "$(pkg-config --libs simk) -o prog", pc_env(dest), tmp_path)
    assert r.returncode == 0, r.stderr
    prog = tmp_path / "prog"
    # the same seed: the same output; the same hash as the build tree's library
    h1, out1 = run_embed(prog, 5)
    h2, out2 = run_embed(prog, 5)
    assert out1 == out2
    tree = tmp_path / "tree"
    subprocess.run(["cc", "-std=c17", "-I", str(ROOT / "include"), str(EMBED_C),
                    str(ROOT / "build" / "libsimk.a"), "-lfiu", "-lm", "-o", str(tree)],
                   check=True)
    assert run_embed(tree, 5)[0] == h1
    assert len({run_embed(prog, s)[0] for s in range(1, 6)}) > 1


def test_the_readme_example_builds_and_runs(dest, tmp_path):
    readme = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```c\n(.*?)```", readme, re.S)
    assert len(blocks) == 1, "README.md: one C example expected"
    (tmp_path / "prog.c").write_text(blocks[0])
    build = "cc $(pkg-config --cflags simk) prog.c $(pkg-config --libs simk) -o prog"
    assert build in readme
    r = sh(build.replace("cc ", "cc -Wall -Wextra -Werror ", 1), pc_env(dest), tmp_path)
    assert r.returncode == 0, r.stderr
    runs = [subprocess.run([str(tmp_path / "prog")], capture_output=True, text=True,
                           timeout=60) for _ in range(2)]
    assert runs[0].returncode == 0, runs[0].stderr
    assert re.fullmatch(r"outcome=0 hash=[0-9a-f]{16}\n", runs[0].stdout), runs[0].stdout
    assert runs[0].stdout == runs[1].stdout


GUEST_C = r"""
#include <pthread.h>
#include <stdio.h>
static int n;
static void *work(void *a) { (void)a; n++; return NULL; }
int main(int argc, char **argv)
{
	pthread_t t;
	(void)argv;
	pthread_create(&t, NULL, work, NULL);
	pthread_join(t, NULL);
	printf("%d thread ran, %d argument(s)\n", n, argc - 1);
	return 0;
}
"""


def test_installed_simk_cc_builds_a_guest_the_installed_simk_runs(dest, tmp_path):
    """Issue 13: `simk-cc -o prog prog.c` and `simk run ./prog` from the
    installed package, outside the repository; the same hash as the build
    tree's tools give the same program."""
    (tmp_path / "prog.c").write_text(GUEST_C)
    bindir = dest / "usr" / "bin"
    r = sh(f"{bindir}/simk-cc -Wall -Wextra -Werror -o prog prog.c", dict(os.environ), tmp_path)
    assert r.returncode == 0, r.stderr
    run = [str(bindir / "simk"), "run", "./prog", "--quiet", "--seed", "3", "--", "x"]
    a = subprocess.run(run, capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert a.returncode == 0, a.stderr
    assert a.stdout.startswith("1 thread ran, 1 argument(s)\n"), a.stdout
    # the build tree's tools, the same program under the same name (argv[0] is traced)
    other = tmp_path / "tree"
    other.mkdir()
    (other / "prog.c").write_text(GUEST_C)
    tree = sh(f"{ROOT}/build/simk-cc -Wall -Wextra -Werror -o prog prog.c", dict(os.environ),
              other)
    assert tree.returncode == 0, tree.stderr
    b = subprocess.run([str(ROOT / "build" / "simk"), "run", "./prog", "--quiet", "--seed", "3",
                        "--", "x"], capture_output=True, text=True, cwd=other, timeout=60)
    assert b.returncode == 0 and a.stdout == b.stdout, (a.stdout, b.stdout)


def installed_headers(dest):
    inc = dest / "usr" / "include"
    return sorted(str(p.relative_to(inc)) for p in (inc / "simk").rglob("*.h"))


@pytest.mark.parametrize("compiler,flags", [
    ("cc", ["-std=c17", "-pedantic"]),
    ("clang", ["-std=c17", "-pedantic"]),
    ("c++", ["-x", "c++", "-std=c++17"]),
])
def test_each_public_header_compiles_on_its_own(dest, tmp_path, compiler, flags):
    """No -D_GNU_SOURCE, no -I.: a header includes what it uses."""
    if shutil.which(compiler) is None:
        pytest.skip(f"{compiler} not installed")
    for h in installed_headers(dest):
        src = tmp_path / "one.c"
        src.write_text(f"#include <{h}>\n#include <{h}>\nint main(void) {{ return 0; }}\n")
        r = sh(f"{compiler} {' '.join(flags)} -Wall -Wextra -Werror $(pkg-config --cflags simk) "
               f"-c one.c -o one.o", pc_env(dest), tmp_path)
        assert r.returncode == 0, f"<{h}> with {compiler}:\n{r.stderr}"


def test_public_headers_coexist_with_the_host_headers(dest, tmp_path):
    """Plain cc (its default dialect, as a user would run it): the host's
    <fcntl.h> and <libaio.h> before every public header."""
    host = ["fcntl.h", "signal.h", "time.h"]
    if os.path.exists("/usr/include/libaio.h"):
        host.append("libaio.h")
    inc = "".join(f"#include <{h}>\n" for h in host + installed_headers(dest))
    (tmp_path / "all.c").write_text(inc + "int main(void) { return 0; }\n")
    r = sh("cc -Wall -Wextra -Werror $(pkg-config --cflags simk) -c all.c -o all.o",
           pc_env(dest), tmp_path)
    assert r.returncode == 0, r.stderr


def test_default_prefix_is_usr_local_and_uninstall_removes_every_file(tmp_path):
    make("install", f"DESTDIR={tmp_path}")
    files = files_under(tmp_path)
    assert files and all(f.startswith("usr/local/") for f in files), files
    assert "usr/local/bin/simk" in files and "usr/local/bin/simk-cc" in files
    assert "usr/local/share/simk/guest.wrap" in files
    pc = (tmp_path / "usr/local/lib/pkgconfig/simk.pc").read_text()
    assert "prefix=/usr/local" in pc
    make("uninstall", f"DESTDIR={tmp_path}")
    assert files_under(tmp_path) == []
    assert not (tmp_path / "usr/local/include/simk").exists()
    assert not (tmp_path / "usr/local/share/simk").exists()
