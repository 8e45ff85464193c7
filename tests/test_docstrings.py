"""Run the Examples sections of every public module as doctests."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

SKIP = {"plurisim.__main__"}


def all_modules() -> list[str]:
    names = set()
    for root in ("plurisim", "plurisim.agents", "plurisim.scenarios"):
        package = importlib.import_module(root)
        names.add(root)
        for info in pkgutil.walk_packages(package.__path__, f"{root}."):
            names.add(info.name)
    return sorted(n for n in names if n not in SKIP)


@pytest.mark.parametrize("name", all_modules())
def test_examples(name):
    module = importlib.import_module(name)
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testmod(module, optionflags=flags, verbose=False)
    assert result.failed == 0, f"{result.failed} example(s) failed in {name}"
