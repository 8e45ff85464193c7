"""Every table of numbers in the README is a study's current output, pasted verbatim."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from plurisim.studies import STUDIES, run_study

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
MARKER = re.compile(r"<!-- study:([a-z-]+) -->\n(.*?)<!-- /study:\1 -->", re.DOTALL)
IN_README = dict(MARKER.findall(README))
# The pabulib study needs the shared data and runs for minutes: its own test, marked slow.
FAST = [name for name in STUDIES if name != "pabulib"]


def test_every_fast_study_is_in_the_readme():
    assert set(IN_README) >= set(FAST)


@pytest.mark.parametrize("name", FAST)
def test_the_readme_holds_the_study_s_current_output(name):
    assert IN_README[name] == run_study(name).markdown(), (
        f"README.md no longer matches `plurisim study {name}`: run "
        f"`.venv/bin/python tools/paste_studies.py {name}`"
    )
