"""Generate :mod:`huizhen.deid.dicom.table` from DICOM PS3.15 Annex E, Table E.1-1.

The Application Level Confidentiality Profile Attributes table (PS3.15 Table E.1-1) lists,
for each attribute, the Basic Profile action (X, Z, D, K, C, U and the compounds X/Z, X/D,
X/Z/D, Z/D, X/Z/U*) and the action of each option column.  Its machine-readable copy comes
from innolitics/dicom-standard (MIT licence) and is committed beside the package in
``data/confidentiality_profile_attributes.json``.  This script turns it into a literal,
deterministically ordered Python module so that the runtime never parses JSON and a review
of a regenerated table is a plain diff.  Run::

    python -m huizhen.deid.dicom.tablegen src/huizhen/deid/dicom/data/confidentiality_profile_attributes.json

Tags with ``xx`` wildcards (curve data ``(50xx,xxxx)``, overlay ``(60xx,3000)``/``(60xx,4000)``)
become (mask, value) pairs; the private-attributes row ``(gggg,eeee) where gggg is odd`` is
handled in code (:mod:`huizhen.deid.dicom.dataset`) and kept only as a comment.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

# Column names of the innolitics JSON, in the order of PS3.15 Table E.1-1.
OPTION_COLUMNS: tuple[str, ...] = (
    "rtnSafePrivOpt",
    "rtnUIDsOpt",
    "rtnDevIdOpt",
    "rtnInstIdOpt",
    "rtnPatCharsOpt",
    "rtnLongFullDatesOpt",
    "rtnLongModifDatesOpt",
    "cleanDescOpt",
    "cleanStructContOpt",
    "cleanGraphOpt",
)

TABLE_PATH = Path(__file__).with_name("table.py")
DATA_PATH = Path(__file__).parent / "data" / "confidentiality_profile_attributes.json"

_DATA_ARG = "src/huizhen/deid/dicom/data/confidentiality_profile_attributes.json"
EDITION = "edition as published by innolitics/dicom-standard at copy time (the JSON carries no edition field)"


def parse_tag(text: str) -> tuple[int, int] | None:
    """Return (mask, value) for a tag such as ``(0008,0050)`` or ``(60XX,3000)``; None if not a tag."""
    text = text.strip()
    if not (text.startswith("(") and text.endswith(")") and len(text) == 11 and text[5] == ","):
        return None
    digits = (text[1:5] + text[6:10]).upper()
    mask = 0
    value = 0
    for char in digits:
        mask <<= 4
        value <<= 4
        if char == "X":
            continue
        if char not in "0123456789ABCDEF":
            return None
        mask |= 0xF
        value |= int(char, 16)
    return mask, value


def _literal(value: object) -> str:
    """Python literal with double quotes, as ruff format would write it."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, tuple):
        inner = ", ".join(_literal(item) for item in value)
        return f"({inner},)" if len(value) == 1 else f"({inner})"
    raise TypeError(type(value))


def render(rows: list[dict[str, Any]], *, source_sha256: str) -> str:
    """Return the text of ``table.py`` for the JSON rows."""
    exact: list[tuple[int, str, str, tuple[tuple[str, str], ...]]] = []
    masked: list[tuple[int, int, str, str, tuple[tuple[str, str], ...]]] = []
    skipped: list[str] = []
    for row in rows:
        parsed = parse_tag(row["tag"])
        options = tuple((column, str(row[column])) for column in OPTION_COLUMNS if row.get(column))
        if parsed is None:
            skipped.append(f"{row['tag']} {row['name']}: {row['basicProfile']} {dict(options)}")
            continue
        mask, value = parsed
        if mask == 0xFFFFFFFF:
            exact.append((value, row["name"], row["basicProfile"], options))
        else:
            masked.append((mask, value, row["name"], row["basicProfile"], options))
    exact.sort()
    masked.sort(key=lambda entry: (entry[1], entry[0]))
    lines = [
        '"""DICOM PS3.15 Annex E, Table E.1-1 as a Python mapping: GENERATED, do not edit.',
        "",
        "Source: innolitics/dicom-standard, standard/confidentiality_profile_attributes.json (MIT licence),",
        "copied to src/huizhen/deid/dicom/data/confidentiality_profile_attributes.json.",
        f"Edition: {EDITION}.",
        f"Input SHA-256: {source_sha256}.",
        "Regenerate, from the repository root:",
        f"    uv run python -m huizhen.deid.dicom.tablegen {_DATA_ARG}",
        "",
        "Rows handled in code rather than here:",
        *[f"    {text}" for text in skipped],
        '"""',
        "",
        "# ruff: noqa: E501",
        "",
        "from typing import Final, NamedTuple",
        "",
        "",
        "class ProfileRow(NamedTuple):",
        '    """One row of Table E.1-1: attribute name, Basic Profile action, option column actions."""',
        "",
        "    name: str",
        "    basic: str",
        "    options: tuple[tuple[str, str], ...]",
        "",
        "",
        "# fmt: off",
        "ROWS: Final[dict[int, ProfileRow]] = {",
    ]
    for value, name, basic, options in exact:
        lines.append(f"    0x{value:08X}: ProfileRow({_literal(name)}, {_literal(basic)}, {_literal(options)}),")
    lines.append("}")
    lines.append("")
    lines.append("# (mask, value, row): a tag matches when tag & mask == value.")
    lines.append("MASKED_ROWS: Final[tuple[tuple[int, int, ProfileRow], ...]] = (")
    for mask, value, name, basic, options in masked:
        lines.append(
            f"    (0x{mask:08X}, 0x{value:08X}, ProfileRow({_literal(name)}, {_literal(basic)}, {_literal(options)})),"
        )
    lines.append(")")
    lines.append("# fmt: on")
    lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Regenerate ``table.py`` from the JSON path given as the only argument."""
    args = sys.argv[1:] if argv is None else argv
    source = Path(args[0]) if args else DATA_PATH
    data = source.read_bytes()
    rows = json.loads(data)
    TABLE_PATH.write_text(render(rows, source_sha256=hashlib.sha256(data).hexdigest()), encoding="utf-8")
    print(f"wrote {TABLE_PATH} from {source} ({len(rows)} rows)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
