"""``huizhen check --deploy`` is clean when a node runs with production settings."""

import os
import subprocess
import sys
from pathlib import Path


def test_deploy_check_passes_with_production_settings(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HUIZHEN_ROLE": "gateway",
        "HUIZHEN_ENV": "production",
        "HUIZHEN_DATA_DIR": str(tmp_path),
        "HUIZHEN_SECRET_KEY": "x9Tq-" + "production-secret-for-the-deploy-check-0123456789abcdef",
        "HUIZHEN_ALLOWED_HOSTS": "gateway.hospital.example.cn",
        "HUIZHEN_PUBLIC_URL": "https://gateway.hospital.example.cn",
        "HUIZHEN_COUNTRY": "CN",
        "HUIZHEN_TIME_ZONE": "Asia/Shanghai",
    }
    proc = subprocess.run(
        [sys.executable, "-m", "huizhen", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no issues" in proc.stdout


def test_deploy_check_warns_about_demo_settings(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HUIZHEN_ROLE": "hub",
        "HUIZHEN_DATA_DIR": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "huizhen", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "SECURE_HSTS_SECONDS" in proc.stdout + proc.stderr or "security.W004" in proc.stdout + proc.stderr
