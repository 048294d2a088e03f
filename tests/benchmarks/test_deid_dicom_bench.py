"""The DICOM de-identification benchmark still runs: a smoke run, not a timed assertion."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "deid_dicom.py"


@pytest.mark.slow
def test_quick_benchmark_runs_to_completion_and_prints_the_table() -> None:
    missing = [name for name in ("dicognito", "deid", "deid_data") if importlib.util.find_spec(name) is None]
    if missing:
        pytest.skip(f"bench dependency group not installed ({', '.join(missing)}): uv sync --group bench")
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--no-write"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| PHI-planted corpus | huizhen |" in result.stdout
    # cp copies every object, so its leak row counts every planted identifier: the counter works.
    cp_leaks = re.search(r"^\| cp \| 36 \| (\d+) \|", result.stdout, re.MULTILINE)
    assert cp_leaks is not None
    assert int(cp_leaks.group(1)) > 1000
