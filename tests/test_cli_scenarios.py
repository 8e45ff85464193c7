"""``plurisim scenarios`` sub-commands, run as a user would (a subprocess) and in-process."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from plurisim.cli import main


def test_list_shows_each_builtin_with_a_description(capsys):
    assert main(["scenarios", "list"]) == 0
    out = capsys.readouterr().out
    assert "toy-park" in out
    assert "Redesigning a small neighbourhood park" in out


def test_show_prints_groups_interventions_designs_and_sources(capsys):
    assert main(["scenarios", "show", "toy-park"]) == 0
    out = capsys.readouterr().out
    for text in (
        "Budget: 300",
        "seniors",
        "skate_ramp",
        "excludes playground",
        "Base designs",
        "green",
        "230",
        "License: CC0-1.0",
    ):
        assert text in out


def test_schema_is_json(capsys):
    assert main(["scenarios", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["properties"]["schema_version"]["const"] == 1
    assert "groups" in schema["required"]


def test_unknown_scenario_name(capsys):
    assert main(["scenarios", "show", "atlantis"]) == 2
    err = capsys.readouterr().err
    assert "Unknown scenario 'atlantis'. 'plurisim scenarios list' shows every" in err
    assert len(err.splitlines()) == 1


def test_unknown_scenario_name_suggests_close_matches(capsys):
    assert main(["compare", "toy_park"]) == 2
    err = capsys.readouterr().err
    assert "did you mean toy-park?" in err
    assert "montreal-streets" not in err  # only close matches, not the whole list


def test_console_script_exit_status_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("schema_version: 1\nname: x\n")
    proc = subprocess.run(
        [sys.executable, "-m", "plurisim", "scenarios", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "title: required field is missing" in proc.stderr


def test_usage_error_exits_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["scenarios", "frobnicate"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err
