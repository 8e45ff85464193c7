"""Splitting the text of a Pabulib file into its sections, with located errors."""

from __future__ import annotations

import csv
import io
import re
from typing import NoReturn

from plurisim.errors import InputError
from plurisim.files import excerpt

__all__ = ["SECTIONS", "Section", "SectionReader", "encoding_error"]

SECTIONS = ("META", "PROJECTS", "VOTES")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


class Section:
    """A section's header and its rows, each with its line number."""

    __slots__ = ("header", "header_line", "line", "name", "rows")

    def __init__(self, name: str, line: int):
        self.name = name
        self.line = line
        self.header: list[str] | None = None
        self.header_line = line
        self.rows: list[tuple[int, list[str]]] = []


class SectionReader:
    """Splits the text into sections of rows; every problem becomes one :class:`InputError`."""

    def __init__(self, text: str, source: str):
        self.src = source
        self.text = text

    def fail(self, line: int | None, field: str | None, text: str) -> NoReturn:
        where = f"{self.src}:{line}" if line else self.src
        head = f"{field}: " if field else ""
        raise InputError(f"{where}: {head}{text}", source=self.src, line=line, field=field)

    def number(self, text: str, line: int, field: str, allowed: str, whose: str = "") -> float:
        value = text.strip()
        if not _NUMBER.fullmatch(value):
            self.fail(line, field, f"must be {allowed}; got {excerpt(value)}{whose}")
        return float(value)

    # -- sections --------------------------------------------------------------

    def split(self) -> dict[str, Section]:
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=";", strict=True)
        sections: dict[str, Section] = {}
        current: Section | None = None
        try:
            for row in reader:
                line = reader.line_num
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                name = row[0].strip().upper() if len(row) == 1 else ""
                if name in SECTIONS:
                    if name in sections:
                        self.fail(
                            line,
                            name,
                            f"a second {name} section (the first is on line "
                            f"{sections[name].line}); a file has one of each",
                        )
                    current = sections[name] = Section(name, line)
                elif current is None:
                    self.fail(
                        line,
                        None,
                        f"expected a section name (META, PROJECTS or VOTES) first; got {excerpt(';'.join(row))}",
                    )
                elif current.header is None:
                    self.header(current, row, line)
                else:
                    current.rows.append((line, row))
        except csv.Error as exc:
            self.fail(reader.line_num, None, f"cannot split the line into fields: {exc}")
        end = self.text.count("\n") + 1
        for name in SECTIONS:
            if name not in sections:
                self.fail(
                    end,
                    name,
                    "the section is missing; a Pabulib file has META, PROJECTS "
                    "and VOTES sections, each a header line then one line per entry",
                )
            if sections[name].header is None:
                self.fail(sections[name].line, name, "the section has no header line")
        return sections

    def header(self, section: Section, row: list[str], line: int) -> None:
        cols = [c.strip() for c in row]
        needed = {"META": ("key", "value"), "PROJECTS": ("project_id", "cost")}
        needed["VOTES"] = ("voter_id", "vote")
        wanted = needed[section.name]
        if section.name == "META" and [c.lower() for c in cols] != list(wanted):
            self.fail(line, "META", f"the header must be 'key;value'; got {excerpt(';'.join(row))}")
        for col in wanted:
            if col not in cols:
                self.fail(
                    line,
                    section.name,
                    f"the header has no {col!r} column; got "
                    f"{excerpt(';'.join(cols))} (the header is the line after {section.name})",
                )
        for i, col in enumerate(cols):
            if not col:
                self.fail(line, section.name, f"column {i + 1} of the header has no name")
            if col in cols[:i]:
                self.fail(line, section.name, f"the header names column {col!r} twice")
        section.header, section.header_line = cols, line

    def width(self, section: Section, line: int, row: list[str]) -> None:
        assert section.header is not None
        if len(row) != len(section.header):
            self.fail(
                line,
                section.name,
                f"{len(row)} fields where the header (line "
                f"{section.header_line}) has {len(section.header)} columns "
                f"({excerpt(';'.join(section.header))}); quote a value that contains ';'",
            )


def encoding_error(data: bytes, exc: UnicodeDecodeError, source: str) -> NoReturn:
    """The bad byte's line, and the column it falls in under its section's header."""
    lines = data[: exc.start].split(b"\n")
    line, field = len(lines), None
    for k in range(len(lines) - 2, -1, -1):
        if lines[k].strip().upper() in (b"META", b"PROJECTS", b"VOTES"):
            header = (
                lines[k + 1].decode("utf-8", "replace").strip().split(";")
                if k + 1 < line - 1
                else []
            )
            column = lines[-1].count(b";")
            field = header[column].strip() if column < len(header) else None
            break
    head = f"{field}: " if field else ""
    raise InputError(
        f"{source}:{line}: {head}not valid UTF-8 text (byte 0x{data[exc.start]:02x} at byte "
        f"offset {exc.start}); save the Pabulib file as UTF-8",
        source=source,
        line=line,
        field=field,
    )
