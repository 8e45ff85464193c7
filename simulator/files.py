"""Reading input files safely: the one path every reader takes.

Scenario YAML, sweep specs, Pabulib ``.pb`` files and results-folder JSON all come
through here, so hostile or broken input fails the same way everywhere: fast, with one
:class:`~plurisim.errors.InputError` whose message is a single line starting with the
location (``file:line:column`` when known), naming what was expected and quoting at
most a short excerpt of the input.

- :func:`read_text` refuses anything that is not a regular file (a device such as
  ``/dev/zero``, a FIFO, a directory, a symbolic-link loop, a missing path) before
  reading it, never blocks on a FIFO, enforces a size limit both on ``stat`` and on
  the bytes actually read (``/proc`` files report a size of 0), and names the line and
  byte offset of a bad encoding. :func:`read_bytes` does the same checks without
  decoding.
- :func:`load_yaml` is PyYAML's safe loader that refuses duplicate keys, recursive
  aliases, and documents that nest too deep, use too many aliases or expand to too
  many values once aliases are resolved. The limits are enforced while the document
  is composed, before any Python object is built, so an alias bomb fails in
  milliseconds.
- :func:`load_json` does the same for JSON (depth, duplicate keys).
- :func:`dump_yaml` writes YAML that :func:`load_yaml` reads back unchanged.

Examples
--------
>>> from plurisim.files import load_yaml, dump_yaml
>>> load_yaml("budget: 300\\ngroups: [a, b]\\n", source="park.yaml")
{'budget': 300, 'groups': ['a', 'b']}
>>> load_yaml("budget: 300\\nbudget: 400\\n", source="park.yaml")
Traceback (most recent call last):
...
plurisim.errors.InputError: park.yaml:2:1: duplicate key 'budget'; each key may appear once in a mapping
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from typing import Any, NoReturn

import numpy as np
from plurisim._yaml import dump, parse
from plurisim.errors import InputError, ParameterError
from plurisim.formatting import EXCERPT_CHARS, excerpt

__all__ = [
    "EXCERPT_CHARS",
    "MAX_ALIASES",
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "dump_yaml",
    "excerpt",
    "load_json",
    "load_yaml",
    "read_bytes",
    "read_text",
]

#: Default size limit of :func:`read_text`, in bytes.
MAX_BYTES = 20_000_000
#: Default nesting limit (mappings and lists inside each other) of the loaders.
MAX_DEPTH = 64
#: Default number of alias references (``*name``) a YAML document may use.
MAX_ALIASES = 1_000
#: Default number of values (scalars, lists, mappings) a YAML document may expand to.
MAX_NODES = 1_000_000

_FILE_KINDS = {
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
}


def _a(what: str) -> str:
    return f"an {what}" if what[:1].lower() in ("a", "e", "i", "o", "u") else f"a {what}"


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{n:,} bytes"


def _os_error(src: str, exc: OSError, what: str) -> NoReturn:
    if isinstance(exc, FileNotFoundError):
        text = f"{src}: no such file; expected {_a(what)}"
    elif isinstance(exc, NotADirectoryError):
        text = f"{src}: no such file (a part of the path is not a directory); expected {_a(what)}"
    elif isinstance(exc, IsADirectoryError):
        text = f"{src}: is a directory; expected {_a(what)}"
    elif isinstance(exc, PermissionError):
        text = f"{src}: permission denied; expected a readable {what}"
    elif exc.errno == errno.ELOOP:
        text = f"{src}: a loop of symbolic links; expected {_a(what)}"
    else:
        text = f"{src}: cannot read ({exc.strerror or exc}); expected {_a(what)}"
    raise InputError(text, source=src) from None


def _require_regular(mode: int, src: str, what: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise InputError(f"{src}: is a directory; expected {_a(what)}", source=src)
    kind = _FILE_KINDS.get(stat.S_IFMT(mode))
    state = f"is {kind}, not a regular file" if kind else "is not a regular file"
    raise InputError(f"{src}: {state}; expected {_a(what)}", source=src)


def read_bytes(
    path: str | os.PathLike[str],
    *,
    what: str = "scenario file",
    max_bytes: int = MAX_BYTES,
) -> bytes:
    """The bytes of a regular file, refusing anything else before reading it.

    The checks of :func:`read_text`, without decoding; for readers that decode
    themselves (to name the field that holds a bad byte, say).

    Examples
    --------
    >>> read_bytes("/dev/zero", what="Pabulib file")
    Traceback (most recent call last):
    ...
    plurisim.errors.InputError: /dev/zero: is a character device, not a regular file; expected a Pabulib file
    """
    return _read(path, what, max_bytes, "read_bytes")


def read_text(
    path: str | os.PathLike[str],
    *,
    what: str = "scenario file",
    max_bytes: int = MAX_BYTES,
    encoding: str = "utf-8",
) -> str:
    """The text of a regular file, refusing anything else before reading it.

    Parameters
    ----------
    path : str or path-like
        The file.
    what : str, default "scenario file"
        What the caller expects, for messages ("sweep spec", "Pabulib file", ...).
    max_bytes : int, default MAX_BYTES (20 MB)
        The largest file accepted. Checked on the file's reported size and again on
        the bytes read (at most ``max_bytes + 1`` are read).
    encoding : str, default "utf-8"
        The text encoding. With UTF-8 a leading byte-order mark is dropped.

    Returns
    -------
    str

    Raises
    ------
    InputError
        If the path is missing, a directory, a device, a FIFO, a socket or a loop of
        symbolic links; if it cannot be read; if it is larger than ``max_bytes``; or
        if it is not valid text in ``encoding`` (the message gives the line and the
        byte offset).

    Examples
    --------
    >>> read_text("no/such/park.yaml")
    Traceback (most recent call last):
    ...
    plurisim.errors.InputError: no/such/park.yaml: no such file; expected a scenario file
    >>> read_text("/dev/zero", what="sweep spec")
    Traceback (most recent call last):
    ...
    plurisim.errors.InputError: /dev/zero: is a character device, not a regular file; expected a sweep spec
    """
    data = _read(path, what, max_bytes, "read_text")
    return _decode(data, os.fspath(path), what, encoding)


def _read(path: str | os.PathLike[str], what: str, max_bytes: int, func: str) -> bytes:
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 0:
        raise ParameterError(
            f"The 'max_bytes' parameter of {func} must be an int in the range "
            f"[0, inf). Got {max_bytes!r} instead."
        )
    src = os.fspath(path)
    try:
        info = os.stat(src)
    except OSError as exc:
        _os_error(src, exc, what)
    _require_regular(info.st_mode, src, what)
    if info.st_size > max_bytes:
        raise InputError(
            f"{src}: is {_size(info.st_size)}, larger than the limit of {_size(max_bytes)} "
            f"for {_a(what)}",
            source=src,
        )
    # O_NONBLOCK: if the path was swapped for a FIFO after the stat, open() must not
    # wait for a writer; fstat below then refuses it.
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(src, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        _os_error(src, exc, what)
    chunks: list[bytes] = []
    try:
        _require_regular(os.fstat(fd).st_mode, src, what)
        remaining = max_bytes + 1
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError as exc:
        _os_error(src, exc, what)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > max_bytes:
        raise InputError(
            f"{src}: holds more than the limit of {_size(max_bytes)} for {_a(what)}",
            source=src,
        )
    return data


def _decode(data: bytes, src: str, what: str, encoding: str) -> str:
    try:
        text = data.decode(encoding)
    except LookupError:
        raise ParameterError(
            "The 'encoding' parameter of read_text must be a text encoding Python knows, "
            f"such as 'utf-8'. Got {encoding!r} instead."
        ) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        name = "UTF-8" if encoding.lower().replace("-", "").replace("_", "") == "utf8" else encoding
        raise InputError(
            f"{src}:{line}: not valid {name} text (byte 0x{data[exc.start]:02x} at "
            f"byte offset {exc.start}); save the {what} as {name}",
            source=src,
            line=line,
        ) from None
    if text.startswith("\ufeff") and encoding.lower().replace("-", "").replace("_", "") == "utf8":
        text = text[1:]
    return text


# -- YAML ----------------------------------------------------------------------


def _check_limit(name: str, func: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ParameterError(
            f"The {name!r} parameter of {func} must be an int in the range [1, inf). "
            f"Got {value!r} instead."
        )


def load_yaml(
    text: str,
    *,
    source: str = "<string>",
    max_depth: int = MAX_DEPTH,
    max_aliases: int = MAX_ALIASES,
    max_nodes: int = MAX_NODES,
) -> Any:
    """Parse YAML text safely: plain data only, duplicate keys refused, limits enforced.

    Parameters
    ----------
    text : str
        The YAML text (from :func:`read_text`).
    source : str, default "<string>"
        Where the text came from, for messages.
    max_depth : int, default MAX_DEPTH (64)
        How deep mappings and lists may nest, counting through aliases.
    max_aliases : int, default MAX_ALIASES (1,000)
        How many alias references (``*name``) the document may use.
    max_nodes : int, default MAX_NODES (1,000,000)
        How many values (scalars, lists, mappings) the document may hold once every
        alias is replaced by what it stands for.

    Returns
    -------
    Any
        Plain Python data: dicts, lists, strings, numbers, booleans, None, dates.

    Raises
    ------
    InputError
        With ``file:line:column``: a syntax error (a tab in the indentation gets
        "tabs are not allowed for indentation in YAML; use spaces"), a duplicate key,
        a recursive alias, or a limit exceeded.

    Examples
    --------
    >>> load_yaml("a: &x [1, 2]\\nb: *x\\n")
    {'a': [1, 2], 'b': [1, 2]}
    >>> load_yaml("a:\\n\\tb: 1\\n", source="park.yaml")
    Traceback (most recent call last):
    ...
    plurisim.errors.InputError: park.yaml:2:1: tabs are not allowed for indentation in YAML; use spaces
    >>> load_yaml("[[[[1]]]]", source="deep.yaml", max_depth=3)
    Traceback (most recent call last):
    ...
    plurisim.errors.InputError: deep.yaml:1:4: the document nests deeper than 3 levels (the limit)
    """
    for name, value in (
        ("max_depth", max_depth),
        ("max_aliases", max_aliases),
        ("max_nodes", max_nodes),
    ):
        _check_limit(name, "load_yaml", value)
    return parse(text, source, max_depth, max_aliases, max_nodes)


def dump_yaml(data: Any) -> str:
    """YAML text for plain data that :func:`load_yaml` reads back unchanged.

    Keys keep their order; Unicode is written as is, except the characters YAML treats
    as line breaks inside text (U+0085 NEL, U+2028, U+2029), which are escaped in
    double quotes so that they survive the round trip.

    Parameters
    ----------
    data : dict, list, str, number, bool or None (nested)

    Returns
    -------
    str

    Raises
    ------
    TypeError
        If ``data`` holds something other than plain data.

    Examples
    --------
    >>> text = dump_yaml({"title": "Park\\x85Street", "budget": 300})
    >>> print(text, end="")
    title: "Park\\NStreet"
    budget: 300
    >>> load_yaml(text)["title"] == "Park\\x85Street"
    True
    >>> dump_yaml({"when": object()})
    Traceback (most recent call last):
    ...
    TypeError: dump_yaml takes plain data (dict, list, str, int, float, bool, None); got object
    """
    return dump(data)


# -- JSON ----------------------------------------------------------------------

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _max_depth(text: str) -> int:
    """The deepest nesting of the brackets in ``text``, counted in numpy."""
    codes = np.frombuffer(_NOT_BRACKET.sub("", text).encode("ascii"), dtype=np.uint8)
    opening = (codes == ord("[")) | (codes == ord("{"))
    return int(np.cumsum(np.where(opening, 1, -1)).max()) if codes.size else 0


def _json_too_deep(text: str, max_depth: int) -> int | None:
    """Offset of the first bracket that nests deeper than ``max_depth``, if any."""
    # Counting brackets inside strings too gives an upper bound, cheap to compute;
    # only when it is over the limit are strings taken out.
    if _max_depth(text) <= max_depth or _max_depth(_JSON_STRING.sub('""', text)) <= max_depth:
        return None
    # Too deep: find where, keeping offsets (strings blanked to the same length).
    blanked = _JSON_STRING.sub(lambda m: " " * len(m.group()), text)
    depth = 0
    for m in _JSON_BRACKET.finditer(blanked):
        depth += 1 if m.group() in "[{" else -1
        if depth > max_depth:
            return m.start()
    return None  # pragma: no cover - the check above found the same depth


def load_json(text: str, *, source: str = "<string>", max_depth: int = MAX_DEPTH) -> Any:
    """Parse JSON text safely: nesting limited, duplicate keys refused.

    Parameters
    ----------
    text : str
        The JSON text (from :func:`read_text`).
    source : str, default "<string>"
        Where the text came from, for messages.
    max_depth : int, default MAX_DEPTH (64)
        How deep objects and arrays may nest.

    Returns
    -------
    Any

    Raises
    ------
    InputError
        With ``file:line:column``: a syntax error, a duplicate key, or nesting deeper
        than ``max_depth``.

    Examples
    --------
    >>> load_json('{"rounds": [1, 2]}')
    {'rounds': [1, 2]}
    >>> load_json('{"rounds": 1,\\n "rounds": 2}', source="manifest.json")
    Traceback (most recent call last):
    ...
    plurisim.errors.InputError: manifest.json: duplicate key 'rounds' in a JSON object; each key may appear once
    """
    _check_limit("max_depth", "load_json", max_depth)
    deep = _json_too_deep(text, max_depth)
    if deep is not None:
        line = text.count("\n", 0, deep) + 1
        column = deep - (text.rfind("\n", 0, deep) + 1) + 1
        raise InputError(
            f"{source}:{line}:{column}: the document nests deeper than {max_depth} levels "
            "(the limit)",
            source=source,
            line=line,
            column=column,
        )

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) != len(pairs):
            seen: set[str] = set()
            key = next(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
            raise InputError(
                f"{source}: duplicate key {excerpt(key)} in a JSON object; "
                "each key may appear once",
                source=source,
                field=key[:EXCERPT_CHARS],
            )
        return out

    try:
        return json.loads(text, object_pairs_hook=unique)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{source}:{exc.lineno}:{exc.colno}: JSON syntax error: {exc.msg}",
            source=source,
            line=exc.lineno,
            column=exc.colno,
        ) from None
