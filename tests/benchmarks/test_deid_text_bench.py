"""The clinical-text benchmark still runs: a smoke run on a few notes, not a timed assertion."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "deid_text.py"


@pytest.mark.slow
def test_quick_benchmark_runs_offline_and_prints_the_huizhen_and_presidio_rows() -> None:
    if importlib.util.find_spec("presidio_analyzer") is None:
        pytest.skip("bench dependency group not installed (presidio-analyzer): uv sync --group bench")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--no-write"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| huizhen | all | all but ORGANIZATION |" in result.stdout
    assert "| Presidio patterns | English |" in result.stdout
    assert "Targets (issue 6)" in result.stdout
