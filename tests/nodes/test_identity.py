"""The node key file as an operator meets it: created once at first start, kept private, checked at start-up."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path


def _huizhen(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUIZHEN_ROLE": "gateway", "HUIZHEN_DATA_DIR": str(data_dir)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run(
        [sys.executable, "-m", "huizhen", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def _fingerprint(output: str) -> str:
    return next(line.split()[-1] for line in output.splitlines() if line.startswith("fingerprint:"))


def test_first_start_creates_a_key_file_only_its_owner_can_read(tmp_path: Path) -> None:
    assert _huizhen(tmp_path, "node", "show").returncode == 0
    assert stat.S_IMODE((tmp_path / "node_key.pem").stat().st_mode) == 0o600


def test_the_key_is_reused_across_restarts(tmp_path: Path) -> None:
    first = _fingerprint(_huizhen(tmp_path, "node", "show").stdout)
    second = _fingerprint(_huizhen(tmp_path, "node", "show").stdout)
    assert first == second


def test_node_refuses_to_start_with_a_group_readable_key(tmp_path: Path) -> None:
    _huizhen(tmp_path, "node", "show")
    os.chmod(tmp_path / "node_key.pem", 0o640)
    result = _huizhen(tmp_path, "node", "show")
    assert result.returncode == 2
    assert "chmod 600" in result.stderr
    assert "Traceback" not in result.stderr


def test_node_refuses_to_start_with_a_malformed_key(tmp_path: Path) -> None:
    key = tmp_path / "node_key.pem"
    key.write_text("-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n")
    os.chmod(key, 0o600)
    result = _huizhen(tmp_path, "migrate")
    assert result.returncode == 2
    assert f"node key file {key} is not an unencrypted PEM private key" in result.stderr
