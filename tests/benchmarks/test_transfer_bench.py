"""The transfer benchmark still runs: a tiny payload over the emulated link, not a timed assertion (root only)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from huizhen.transfer.linkemu import root_or_skip

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "transfer.py"


@pytest.mark.slow
def test_tiny_benchmark_runs_every_row_and_prints_the_table() -> None:
    root_or_skip()
    missing = [name for name in ("tusclient", "tuspyserver", "uvicorn") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"bench dependency group not installed ({', '.join(missing)}): uv sync --group bench")
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--size",
            "2",
            "--baseline-seconds",
            "5",
            "--huizhen-seconds",
            "30",
            "--no-write",
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = ("| huizhen (adaptive, BBR) | BBR |", "| HTTP PUT, one stream | CUBIC |", "| tus (tuspy → tuspyserver) |")
    for row in rows:
        assert row in result.stdout
    assert "Link counters over the whole run" in result.stdout
