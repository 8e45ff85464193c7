"""The reference site: every output field is documented, and the site builds without warnings.

The field lists are taken from real outputs here (``run --json``, ``compare
--format json``, the rounds table, a sweep's table), independently of the docs
extension that renders ``docs/fields.yaml``; a field that exists in an output but
not in the YAML (so not on the page) fails the test.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from plurisim import compile_scenario, negotiate, scenarios
from plurisim.cli import main
from plurisim.evaluation import METRIC_KEYS
from plurisim.experiments import sweep

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
SPHINX = [sys.executable, "-m", "sphinx", "-E", "-W", "--keep-going", "-q", "-b", "html"]
FIELDS = yaml.safe_load((DOCS / "fields.yaml").read_text(encoding="utf-8"))


def documented(section: str) -> set[str]:
    return set(FIELDS[section]["fields"])


def flatten(obj: dict[str, Any], prefix: str = "", groups: tuple[str, ...] = ()) -> list[str]:
    """Dotted names of every key, ``[]`` for list items, ``<group>`` for group ids."""
    out = []
    for key, value in obj.items():
        name = prefix + ("<group>" if key in groups else key)
        out.append(name)
        if isinstance(value, dict) and value:
            out += flatten(value, name + ".", groups)
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for item in value:
                out += flatten(item, name + "[].", groups)
    return sorted(set(out))


def generic(name: str, metrics: set[str], groups: tuple[str, ...]) -> str:
    """The name as the page writes it: ``metrics.<metric>``, ``u:<group>``, ..."""
    for gid in groups:
        name = re.sub(rf"(^|[.:]){re.escape(gid)}$", r"\1<group>", name)
    head, _, tail = name.rpartition(".")
    if head in ("metrics", "reference") and tail in metrics:
        return f"{head}.<metric>"
    if name in metrics:
        return "<metric>"
    if name.startswith("reference_") and name[len("reference_") :] in metrics:
        return "reference_<metric>"
    if name.startswith("param_"):
        return "param_<name>"
    return name


def undocumented(section: str, names: list[str], groups: tuple[str, ...]) -> list[str]:
    metrics = documented("metrics")
    have = documented(section)
    return sorted({n for n in names if generic(n, metrics, groups) not in have and n not in have})


def cli_json(argv: list[str], capsys: pytest.CaptureFixture[str]) -> Any:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_every_documented_field_has_a_meaning_units_and_a_range():
    bad = [
        f"{section}.{name}"
        for section, spec in FIELDS.items()
        for name, entry in spec["fields"].items()
        if not (isinstance(entry, list) and len(entry) == 3 and entry[0])
    ]
    assert bad == []


def test_every_metric_the_evaluator_reports_is_documented():
    assert set(METRIC_KEYS) <= documented("metrics")


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "toy-park", "--json", "--disagreement", "status-quo", "--transcript"],
        ["run", "montreal-streets", "--json", "--stakeholders", "individuals"],
        ["run", "toy-park", "--json", "--mechanism", "maximin"],
        ["run", "community-budget", "--json", "--llm", "scripted", "--rounds", "3"],
    ],
)
def test_every_run_json_field_is_documented(argv, capsys):
    if "--llm" in argv and importlib.util.find_spec("langchain_core") is None:
        pytest.skip("the llm extra is not installed")
    doc = cli_json(argv, capsys)
    groups = compile_scenario(scenarios.load(argv[1])).groups
    assert undocumented("run_json", flatten(doc, groups=groups), groups) == []


@pytest.mark.parametrize("name", ["toy-park", "montreal-streets"])
def test_every_compare_json_field_is_documented(name, capsys):
    rows = cli_json(["compare", name, "--format", "json"], capsys)
    groups = compile_scenario(scenarios.load(name)).groups
    names = [n for row in rows for n in flatten(row, groups=groups) if not n.startswith("params.")]
    assert undocumented("compare_json", names, groups) == []


def test_every_rounds_table_column_is_documented():
    problem = compile_scenario(scenarios.load("toy-park"))
    result = negotiate(problem, seed=0, stakeholders="individuals", deliberation=True, rounds=3)
    columns = list(result.rounds_table.columns)
    assert undocumented("rounds_table", columns, problem.groups) == []


def test_every_sweep_column_is_documented(tmp_path):
    spec = {
        "scenarios": ["toy-park"],
        "mechanisms": ["maximin", "negotiative"],
        "grid": {"rounds": [3], "budget": [250]},
        "seeds": {"count": 1, "root": 0},
    }
    table = sweep(spec, tmp_path / "out", executor="inprocess", progress=False).table
    assert undocumented("sweep_table", list(table.columns), ()) == []
    if importlib.util.find_spec("langchain_core") is not None:
        spec["llm"] = {"model": "scripted"}
        table = sweep(spec, tmp_path / "llm", executor="inprocess", progress=False).table
        assert any(c.startswith("llm_") for c in table.columns)
        assert undocumented("sweep_table", list(table.columns), ()) == []


def test_the_oracle_notices_an_undocumented_field():
    assert undocumented("run_json", ["package", "brand_new_field"], ()) == ["brand_new_field"]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for module in ("sphinx", "numpydoc", "myst_parser"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (pip install -e '.[docs]')")
    out = tmp_path_factory.mktemp("site")
    start = time.monotonic()
    proc = subprocess.run(
        [*SPHINX, str(DOCS), str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "MPLBACKEND": "Agg"},
    )
    seconds = time.monotonic() - start
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "WARNING" not in proc.stderr, proc.stderr[-4000:]
    assert seconds < 300, f"the site took {seconds:.0f} s to build"
    return out


def test_the_site_builds_with_a_page_per_protocol_and_the_api(site):
    for page in ("index", "fields", "parameters", "montreal-derivation", "api/negotiation"):
        assert (site / f"{page}.html").is_file(), page
    for protocol in ("mediated", "single-text", "alternating-offers"):
        text = (site / "protocols" / f"{protocol}.html").read_text(encoding="utf-8")
        assert protocol in text
    api = (site / "api" / "negotiation.html").read_text(encoding="utf-8")
    assert "NegotiationModel" in api and "NEGOTIATION_PARAMS" in api


def test_the_fields_page_shows_every_documented_field(site):
    import html

    text = html.unescape((site / "fields.html").read_text(encoding="utf-8"))
    missing = [
        f"{section}: {name}"
        for section, spec in FIELDS.items()
        for name in spec["fields"]
        if f'<span class="pre">{name}</span>' not in text
    ]
    assert missing == []


def test_the_parameters_page_lists_every_registered_parameter(site):
    from plurisim import registry

    text = (site / "parameters.html").read_text(encoding="utf-8")
    for name, info in registry.MECHANISMS.items():
        assert f'<span class="pre">{name}</span>' in text
        for param in info.params:
            assert f'<span class="pre">{param.name}</span>' in text, (name, param.name)
