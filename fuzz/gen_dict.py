#!/usr/bin/python3
"""Writes fuzz/scn.dict, the libFuzzer dictionary of the scenario language:
the syntax (keywords, operators, number forms), every declaration kind,
operation and named argument that `simk help ops` lists, the fault points of
`simk help faults`, and the constants registered in the sources.

    make && /usr/bin/python3 fuzz/gen_dict.py [build/simk]

Rerun it when a layer adds operations; the output is checked in."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIMK = sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "simk")

SYNTAX = [
    # reserved words and run options
    "local", "if", "elif", "else", "while", "repeat", "as", "break", "continue",
    "pass", "expect", "print", "thread", "process", "shared", "finally", "in",
    "manual", "seed", "policy", "preempt", "irq", "pct_depth", "pct_steps",
    "max_steps", "fault", "fifo", "random", "pct", "main",
    # operators and layout
    "==", "!=", "<=", ">=", "&&", "||", "+=", "-=", "(", ")", "=", "#", "\\x0a",
    "&", "|", "^", "~", "<<", ">>", "[", "]", ",", "len(", "[0]", "= [", "[4]",
    "\\x0a  ", "\\x0a    ", "\\x0a      ", "\\x0d\\x0a", "\\x09", "\\\"",
    # numbers and durations
    "0x", "1_000", "10ms", "1.5us", "0.25", "250ns", "2s", "9223372036854775807",
    "-1", ":p=", ":nth=", ",every", ":off", "p=0.5",
]


def main():
    ops = subprocess.run([SIMK, "help", "ops"], capture_output=True, text=True,
                         check=True).stdout
    faults = subprocess.run([SIMK, "help", "faults"], capture_output=True, text=True,
                            check=True).stdout
    words = []
    for line in ops.splitlines():
        m = re.match(r"^  ([a-z_][a-z0-9_]*)\b(.*)$", line)
        if m:
            words.append(m.group(1))
            words += re.findall(r"\[?([a-z_]+)=", m.group(2))
    words += re.findall(r"^  ([a-z]+/[a-z/]+)$", faults, re.M)
    for src in sorted(ROOT.glob("*/**/*.c")):
        text = src.read_text(errors="replace")
        for table in re.findall(r"struct scn_const \w+\[\] = \{(.*?)\};", text, re.S):
            words += re.findall(r'\{"([A-Za-z_][A-Za-z0-9_]*)"', table)
    out, seen = [], set()
    for w in SYNTAX + words:
        if w in seen:
            continue
        seen.add(w)
        esc = w if "\\" in w else w.replace('"', '\\"')
        out.append(f'"{esc}"')
    (ROOT / "fuzz" / "scn.dict").write_text(
        "# libFuzzer dictionary of the scenario language (fuzz/gen_dict.py writes it)\n"
        + "\n".join(out) + "\n")
    print(f"fuzz/scn.dict: {len(out)} entries")


if __name__ == "__main__":
    main()
