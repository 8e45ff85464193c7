"""Paste each study's current output into the README, between its markers.

    .venv/bin/python tools/paste_studies.py [NAME ...]

Runs the named studies (default: every study whose markers the README has) and
replaces the text between ``<!-- study:NAME -->`` and ``<!-- /study:NAME -->``.
``tests/test_studies.py`` fails when the README and a study's output differ.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from plurisim.studies import run_study

README = Path(__file__).resolve().parents[1] / "README.md"
MARKER = re.compile(r"<!-- study:([a-z-]+) -->\n(.*?)<!-- /study:\1 -->", re.DOTALL)


def main(names: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    present = [m.group(1) for m in MARKER.finditer(text)]
    for name in names or present:
        if name not in present:
            print(f"README.md has no markers for the study {name!r}", file=sys.stderr)
            return 2
        output = run_study(name).markdown()
        text = re.sub(
            rf"<!-- study:{name} -->\n.*?<!-- /study:{name} -->",
            lambda _m, out=output, n=name: f"<!-- study:{n} -->\n{out}<!-- /study:{n} -->",
            text,
            flags=re.DOTALL,
        )
        print(f"pasted {name}", file=sys.stderr)
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
