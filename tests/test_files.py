"""Safe reading of input files: plurisim.files against hostile and broken input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from plurisim.errors import InputError, ParameterError, PlurisimError, ScenarioError, SpecError
from plurisim.files import dump_yaml, load_json, load_yaml, read_text

# The classic "billion laughs": 9 levels of 9 aliases, 9**9 strings once expanded.
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{b}: &{b} [{','.join([f'*{a}'] * 9)}]\n" for a, b in zip("abcdefgh", "bcdefghi", strict=True)
)


def fails(func, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        func(*args, **kwargs)
    message = str(info.value)
    assert "\n" not in message, message
    return info.value


# -- read_text -------------------------------------------------------------------


def test_reads_a_regular_file_and_drops_a_utf8_bom(tmp_path):
    path = tmp_path / "park.yaml"
    path.write_bytes(b"\xef\xbb\xbfbudget: 300\n")
    assert read_text(path) == "budget: 300\n"


def test_missing_file(tmp_path):
    err = fails(read_text, tmp_path / "nope.yaml")
    assert str(err) == f"{tmp_path / 'nope.yaml'}: no such file; expected a scenario file"
    assert err.source == str(tmp_path / "nope.yaml")


def test_a_directory_is_refused(tmp_path):
    err = fails(read_text, tmp_path, what="sweep spec")
    assert str(err) == f"{tmp_path}: is a directory; expected a sweep spec"


def test_a_symlink_loop_is_refused(tmp_path):
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    err = fails(read_text, tmp_path / "a")
    assert "a loop of symbolic links; expected a scenario file" in str(err)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero on this system")
def test_dev_zero_is_refused_before_reading():
    start = time.perf_counter()
    err = fails(read_text, "/dev/zero")
    assert time.perf_counter() - start < 0.5
    assert str(err) == (
        "/dev/zero: is a character device, not a regular file; expected a scenario file"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "spec.yaml"
    os.mkfifo(fifo)
    # Opening a FIFO for reading blocks until a writer comes; run in a child process
    # so that a regression fails on the timeout instead of hanging the suite.
    code = (
        "import sys\n"
        "from plurisim.errors import InputError\n"
        "from plurisim.files import read_text\n"
        "try:\n"
        "    read_text(sys.argv[1])\n"
        "except InputError as exc:\n"
        "    print(exc)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(fifo)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert proc.stdout.strip() == (
        f"{fifo}: is a FIFO (named pipe), not a regular file; expected a scenario file"
    )


def test_an_oversized_file_is_refused_on_its_size(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("x" * 2000)
    err = fails(read_text, path, max_bytes=1000)
    assert "is 2,000 bytes, larger than the limit of 1,000 bytes for a scenario file" in str(err)


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="no /proc")
def test_a_file_that_lies_about_its_size_is_cut_at_the_limit():
    assert os.stat("/proc/self/status").st_size == 0  # the lie
    err = fails(read_text, "/proc/self/status", max_bytes=10)
    assert "holds more than the limit of 10 bytes" in str(err)


def test_invalid_utf8_names_the_line_and_offset(tmp_path):
    path = tmp_path / "park.yaml"
    path.write_bytes(b"name: park\ntitle: caf\xe9 corner\n")
    err = fails(read_text, path)
    assert str(err) == (
        f"{path}:2: not valid UTF-8 text (byte 0xe9 at byte offset 21); "
        "save the scenario file as UTF-8"
    )
    assert err.line == 2


def test_bad_parameters_are_parameter_errors(tmp_path):
    with pytest.raises(ParameterError, match="'max_bytes' parameter of read_text"):
        read_text(tmp_path, max_bytes=-1)
    with pytest.raises(ParameterError, match="'max_depth' parameter of load_yaml"):
        load_yaml("a: 1", max_depth=0)


# -- load_yaml -------------------------------------------------------------------


def test_alias_bomb_fails_fast_with_a_short_message():
    assert len(ALIAS_BOMB) < 600
    assert len(yaml.safe_load(ALIAS_BOMB)["i"]) == 9  # PyYAML alone accepts it
    start = time.perf_counter()
    err = fails(load_yaml, ALIAS_BOMB, source="bomb.yaml")
    elapsed = time.perf_counter() - start
    assert elapsed < 0.5, elapsed
    assert len(str(err)) < 200
    assert str(err).startswith("bomb.yaml:")
    assert "more than 1,000,000 values once aliases (*name) are resolved" in str(err)


def test_merge_key_bomb_is_counted_too():
    text = "a: &a {x0: 1, x1: 1, x2: 1, x3: 1}\n" + "".join(
        f"l{i}: &l{i} {{<<: [*{'a' if i == 0 else f'l{i - 1}'}], k{i}: [*a, *a, *a, *a]}}\n"
        for i in range(30)
    )
    err = fails(load_yaml, text, max_nodes=10_000)
    assert "more than 10,000 values" in str(err)


def test_alias_count_limit():
    text = "a: &a 1\nb: [" + ", ".join(["*a"] * 20) + "]\n"
    assert load_yaml(text, max_aliases=20)["b"] == [1] * 20
    err = fails(load_yaml, text, max_aliases=19)
    assert "more than 19 aliases" in str(err)


def test_ordinary_anchors_and_merge_keys_still_work():
    text = "base: &b {x: 1}\nd: {<<: *b, y: 2}\nl: [*b, *b]\n"
    assert load_yaml(text) == {"base": {"x": 1}, "d": {"x": 1, "y": 2}, "l": [{"x": 1}] * 2}


@pytest.mark.parametrize(
    "text",
    [
        "[" * 10_000 + "]" * 10_000,
        "{a: " * 10_000 + "1" + "}" * 10_000,
        "".join(" " * i + "- \n" for i in range(10_000)),
    ],
    ids=["flow-lists", "flow-maps", "block-lists"],
)
def test_deep_nesting_fails_cleanly(text):
    err = fails(load_yaml, text, source="deep.yaml")
    assert "the document nests deeper than 64 levels (the limit)" in str(err)
    assert len(str(err)) < 120


def test_depth_counts_through_aliases():
    inner = "[" * 40 + "]" * 40
    assert load_yaml(f"a: &a {inner}\n", max_depth=41) is not None
    err = fails(load_yaml, f"a: &a {inner}\nb: [[[[*a]]]]\n", max_depth=41)
    assert "nests deeper than 41 levels" in str(err)
    assert (err.line, err.column) == (2, 8)


def test_recursive_alias_is_refused():
    err = fails(load_yaml, "a: &a [1, *a]\n", source="x.yaml")
    assert str(err) == (
        "x.yaml:1:11: alias *a refers to a value that contains it; "
        "recursive structures are not allowed"
    )


@pytest.mark.parametrize(
    ("text", "where"),
    [("a:\n\tb: 1\n", "2:1"), ("a:\n  - 1\n\t- 2\n", "3:1")],
)
def test_a_tab_in_the_indentation(text, where):
    err = fails(load_yaml, text, source="park.yaml")
    assert (
        str(err) == f"park.yaml:{where}: tabs are not allowed for indentation in YAML; use spaces"
    )


def test_a_tab_inside_a_line():
    err = fails(load_yaml, "a:\tb\n", source="park.yaml")
    assert str(err) == "park.yaml:1:3: tabs are not allowed here in YAML; use spaces"


def test_duplicate_keys_are_refused():
    err = fails(load_yaml, "name: a\ngroups: []\nname: b\n", source="park.yaml")
    assert str(err) == "park.yaml:3:1: duplicate key 'name'; each key may appear once in a mapping"
    assert (err.source, err.line, err.column, err.field) == ("park.yaml", 3, 1, "name")


def test_messages_quote_only_a_short_excerpt():
    key = "k" * 10_000
    err = fails(load_yaml, f"{key}: 1\n{key}: 2\n")
    assert len(str(err)) < 200
    err = fails(load_yaml, "a: [" + "x" * 10_000 + "\n")
    assert len(str(err)) < 200


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: b\n- c\n", "x.yaml:2:1: expected <block end>, but found '-'"),
        ("a: 1\n---\nb: 2\n", "x.yaml:2:1: expected a single document in the stream, but found"),
        ("a: *nope\n", "x.yaml:1:4: found undefined alias 'nope'"),
        ("a: !!python/object:os.system x\n", "x.yaml:1:4: could not determine a constructor"),
        ("a: \x00\n", "x.yaml:1:4: the control character U+0000 is not allowed in YAML"),
        ("? [a]\n: 1\n", "x.yaml:1:3: a mapping key must be a single value, not a list"),
    ],
)
def test_syntax_errors_name_file_line_and_column(text, message):
    assert str(fails(load_yaml, text, source="x.yaml")).startswith(message)


# -- dump_yaml -----------------------------------------------------------------


def test_nel_survives_a_round_trip():
    data = {"title": "Rue Saint\x85Denis", "list": ["a\x85b"]}
    # PyYAML writes NEL raw inside a quoted scalar, and YAML 1.1 reads NEL as a line
    # break, which folds to a space: the character is lost.
    plain = yaml.safe_dump(data, allow_unicode=True)
    assert load_yaml(plain)["title"] == "Rue Saint Denis"
    text = dump_yaml(data)
    assert 'title: "Rue Saint\\NDenis"' in text
    assert load_yaml(text) == data


@given(st.dictionaries(st.text(), st.text() | st.lists(st.text(), max_size=3), max_size=4))
def test_dump_then_load_is_the_identity_on_text(data):
    assert load_yaml(dump_yaml(data)) == data


# -- load_json -------------------------------------------------------------------


def test_json_loads_plain_data():
    text = json.dumps({"a": [1, 2.5, None], "s": "[[[[{{{"})
    assert load_json(text, max_depth=2) == {"a": [1, 2.5, None], "s": "[[[[{{{"}


def test_json_deep_nesting_fails_cleanly():
    err = fails(load_json, "\n" + "[" * 10_000 + "]" * 10_000, source="runs.json")
    assert str(err) == "runs.json:2:65: the document nests deeper than 64 levels (the limit)"


def test_json_duplicate_keys_and_syntax_errors():
    err = fails(load_json, '{"a": 1, "a": 2}', source="m.json")
    assert str(err) == "m.json: duplicate key 'a' in a JSON object; each key may appear once"
    err = fails(load_json, '{"a": 1,\n}', source="m.json")
    assert str(err).startswith("m.json:2:1: JSON syntax error: ")
    assert (err.line, err.column) == (2, 1)


# -- the error types -------------------------------------------------------------


def test_input_error_is_the_base_of_file_errors():
    assert issubclass(InputError, PlurisimError) and issubclass(InputError, ValueError)
    assert issubclass(ScenarioError, InputError) and issubclass(SpecError, InputError)
    err = InputError("a.yaml:3:1: bad", source="a.yaml", line=3, column=1, field="name")
    wrapped = ScenarioError.wrap(err)
    assert type(wrapped) is ScenarioError
    assert (str(wrapped), wrapped.source, wrapped.line, wrapped.column, wrapped.field) == (
        "a.yaml:3:1: bad",
        "a.yaml",
        3,
        1,
        "name",
    )
    # The existing keyword interface keeps working.
    assert ScenarioError("m", source="s", field="f").field == "f"


def test_read_then_load_reports_the_file(tmp_path):
    path = Path(tmp_path / "park.yaml")
    path.write_text("a:\n\tb: 1\n")
    err = fails(load_yaml, read_text(path), source=str(path))
    assert str(err).startswith(f"{path}:2:1: tabs are not allowed")
