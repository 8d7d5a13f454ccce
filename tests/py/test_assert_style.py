"""Contracts that execute (issue 11): a KASSERT checks one thing, so its
failure says which. A compound condition `a && b` is split into two
assertions; the one form kept is a range check of a single value
(`i >= 0 && i < n`). This test reads the kernel's sources."""
import os
import re
from pathlib import Path

ROOT = Path(os.environ.get("SIMK_ROOT", Path(__file__).resolve().parents[2]))
LAYERS = ["sim", "scn", "kern", "drivers", "vfs", "syscalls", "guest"]
CALL = re.compile(r"\bKASSERT\(")


def assertions(text):
    """The condition of every KASSERT(cond, ...) in text, with its line."""
    for m in CALL.finditer(text):
        depth, i = 1, m.end()
        start = i
        while i < len(text) and not (depth == 1 and text[i] == ","):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                break
            i += 1
        yield text.count("\n", 0, m.start()) + 1, text[start:i]


def is_range(parts):
    if len(parts) != 2:
        return False
    lo = re.match(r"\s*([\w>.\[\]-]+)\s*(>=|>)\s*", parts[0])
    hi = re.match(r"\s*([\w>.\[\]-]+)\s*(<=|<)\s*", parts[1])
    return bool(lo and hi and lo.group(1) == hi.group(1))


def test_assertions_check_one_thing():
    bad = []
    for layer in LAYERS:
        for path in sorted((ROOT / layer).rglob("*.[ch]")):
            text = path.read_text()
            for line, cond in assertions(text):
                if "&&" not in cond or "||" in cond or "?" in cond:
                    continue
                if not is_range([p.strip() for p in cond.split("&&")]):
                    bad.append(f"{path.relative_to(ROOT)}:{line}: KASSERT({cond.strip()}, ...)")
    assert bad == [], "split these into one KASSERT per condition:\n" + "\n".join(bad)


def test_the_checker_sees_a_compound_assertion():
    text = 'void f(void)\n{\n\tKASSERT(p != NULL && p->x == 1, "bad");\n}\n'
    [(line, cond)] = list(assertions(text))
    assert line == 3 and "&&" in cond and not is_range(cond.split("&&"))
    assert is_range("i >= 0 && i < n".split("&&"))
