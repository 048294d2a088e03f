"""The committed action table is exactly what tablegen makes from the committed PS3.15 JSON."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from huizhen.deid.dicom import table, tablegen
from huizhen.deid.dicom.dataset import row_for


def test_committed_table_is_regenerated_identically_from_the_committed_json() -> None:
    data = tablegen.DATA_PATH.read_bytes()
    text = tablegen.render(json.loads(data), source_sha256=hashlib.sha256(data).hexdigest())
    assert text == Path(table.__file__).read_text(encoding="utf-8")


def test_table_header_names_source_edition_and_regeneration_command() -> None:
    header = table.__doc__ or ""
    assert "innolitics/dicom-standard" in header
    assert "MIT" in header
    assert "Edition:" in header
    assert "python -m huizhen.deid.dicom.tablegen" in header


def test_every_tag_row_of_the_json_is_in_the_table() -> None:
    rows = json.loads(tablegen.DATA_PATH.read_text())
    assert len(table.ROWS) + len(table.MASKED_ROWS) == len(rows) - 1  # less the private-attributes row


def test_wildcard_groups_match_every_repeating_group() -> None:
    assert row_for(0x50003000) == row_for(0x501E0010)
    assert row_for(0x60003000) is not None
    assert row_for(0x601E4000) is not None
    assert row_for(0x60003001) is None


def test_tag_parser_reads_exact_and_wildcard_tags() -> None:
    assert tablegen.parse_tag("(0008,0050)") == (0xFFFFFFFF, 0x00080050)
    assert tablegen.parse_tag("(60XX,4000)") == (0xFF00FFFF, 0x60004000)
    assert tablegen.parse_tag("(GGGG,EEEE) WHERE GGGG IS ODD") is None


def test_running_the_generator_rewrites_the_same_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "table.py"
    monkeypatch.setattr(tablegen, "TABLE_PATH", target)
    assert tablegen.main([str(tablegen.DATA_PATH)]) == 0
    assert target.read_text(encoding="utf-8") == Path(table.__file__).read_text(encoding="utf-8")
