"""docs/consultation.md shows the state machine the code enforces, not an older one."""

from __future__ import annotations

import re
from pathlib import Path

from huizhen.apps.consults.workflow import TRANSITIONS

DOC = Path(__file__).resolve().parents[2] / "docs" / "consultation.md"


def test_the_documented_transitions_are_exactly_the_enforced_ones() -> None:
    table = DOC.read_text(encoding="utf-8").split("<!-- transitions:start -->")[1].split("<!-- transitions:end -->")[0]
    documented = set()
    for line in table.splitlines():
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        if len(cells) == 5 and re.fullmatch(r"[a-z_]+", cells[1]) and cells[0] in ("gateway", "hub"):
            documented.add((cells[0], cells[1], cells[2], cells[3], frozenset(c.strip() for c in cells[4].split(","))))
    enforced = {(t.node, t.source, t.target, t.name, frozenset(t.by)) for t in TRANSITIONS}
    assert documented == enforced
