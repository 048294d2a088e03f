"""The machine and tool versions a benchmark table is measured on, described in one line."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from pathlib import Path


def package_version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def describe_machine(tools: str) -> str:
    """``N CPUs (model), OS release, Python x.y.z; <tools>``."""
    return (
        f"{os.cpu_count()} CPUs ({cpu_model()}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}; {tools}"
    )
