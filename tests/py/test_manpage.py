"""docs/simk.1 stays in step with the command line: every command of
`simk --help` has its section in the man page, every flag a command accepts
is in `simk help COMMAND`, and each command's section names the same flags
as its help text. Adding a command or a flag without documenting it (or
documenting one that is gone) fails here; cli/cli.h says where each goes."""
import re
import shutil
import subprocess

import pytest

from conftest import ROOT, run_simk

MAN = ROOT / "docs" / "simk.1"
OPTIONS_C = ROOT / "cli" / "options.c"
FLAG_RE = re.compile(r"--[a-z][a-z-]*[a-z]")
# named in many places, meaning the whole program's or every command's
UNIVERSAL = {"--help", "--version"}


def roff_text(line):
    """The words of a roff line: font escapes dropped, \\- as a dash."""
    line = re.sub(r"\\f[BIRP]", "", line)
    return line.replace("\\-", "-").replace("\\&", "")


def man_sections():
    """{command: text of its .SS section under COMMANDS}."""
    sections, cur, in_commands = {}, None, False
    for line in MAN.read_text().splitlines():
        if line.startswith(".SH"):
            in_commands = line.split(None, 1)[1].strip('"') == "COMMANDS"
            cur = None
            continue
        if not in_commands:
            continue
        if line.startswith(".SS"):
            title = roff_text(line.split(None, 1)[1]).strip('"')
            cur = title.split()[0]
            assert cur not in sections, f"two sections for {cur}"
            sections[cur] = ""
        elif cur is not None:
            sections[cur] += roff_text(line) + "\n"
    return sections


def help_commands():
    out = run_simk("--help").out
    block = out.split("commands:\n", 1)[1].split("\n\n", 1)[0]
    return [m.group(1) for m in re.finditer(r"^  ([a-z][a-z-]*)", block, re.M)]


def help_text(cmd):
    r = run_simk("help", cmd)
    assert r.code == 0, r
    return r.out


def table_flags():
    """The flags of the parser's table (cli/options.c, `flags`)."""
    src = OPTIONS_C.read_text()
    table = src.split("static const struct cli_flag flags[] = {", 1)[1].split("};", 1)[0]
    names = re.findall(r'\{"([a-z][a-z-]*)", (?:true|false),', table)
    assert len(names) >= 10, "cannot read the flag table of cli/options.c"
    return ["--" + n for n in names]


def accepts(cmd, flag):
    r = run_simk(cmd, flag)
    assert "unknown option" not in r.err, (cmd, flag, r)
    return f"does not apply to {cmd}" not in r.err


def test_every_command_has_a_man_section_and_no_other():
    cmds = help_commands()
    assert {"run", "explore", "check-determinism", "help", "version"} <= set(cmds)
    assert sorted(man_sections()) == sorted(cmds)


@pytest.mark.parametrize("cmd", help_commands())
def test_every_flag_a_command_accepts_is_in_its_help(cmd):
    named = set(FLAG_RE.findall(help_text(cmd)))
    missing = [f for f in table_flags() if accepts(cmd, f) and f not in named]
    assert not missing, f"'simk help {cmd}' does not name {missing}"


@pytest.mark.parametrize("cmd", help_commands())
def test_the_flags_listed_in_a_help_text_exist(cmd):
    listed = set()
    for line in help_text(cmd).splitlines():
        if re.match(r"^\s+--", line):
            listed |= set(FLAG_RE.findall(line))
    wrong = [f for f in sorted(listed - UNIVERSAL) if not accepts(cmd, f)]
    assert not wrong, f"'simk help {cmd}' lists flags {cmd} does not take: {wrong}"


@pytest.mark.parametrize("cmd", help_commands())
def test_man_section_names_the_flags_of_the_help_text(cmd):
    in_help = set(FLAG_RE.findall(help_text(cmd))) - UNIVERSAL
    in_man = set(FLAG_RE.findall(man_sections()[cmd])) - UNIVERSAL
    assert in_man == in_help, (
        f"docs/simk.1, section {cmd}: missing {sorted(in_help - in_man)}, "
        f"not in 'simk help {cmd}': {sorted(in_man - in_help)}")


def test_man_page_names_the_top_level_flags_and_exit_codes():
    text = roff_text(MAN.read_text())
    top = set(FLAG_RE.findall(run_simk("--help").out))
    assert top | UNIVERSAL <= set(FLAG_RE.findall(text)), top - set(FLAG_RE.findall(text))
    for code in range(5):
        assert re.search(rf"^\.B {code}$", MAN.read_text(), re.M), f"exit status {code}"


@pytest.mark.skipif(shutil.which("groff") is None, reason="groff not installed")
def test_man_page_formats_without_warnings():
    r = subprocess.run(["groff", "-man", "-ww", "-z", str(MAN)], capture_output=True,
                       text=True)
    assert r.returncode == 0 and r.stderr == "", r.stderr
