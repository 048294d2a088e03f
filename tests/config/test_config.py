"""Start-up configuration: a mistake is reported by the variable's name, never a traceback."""

import subprocess
import sys
from pathlib import Path

import pytest

from huizhen.config import ConfigError, load


def test_missing_role_is_reported_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HUIZHEN_ROLE"):
        load({"HUIZHEN_DATA_DIR": str(tmp_path)})


def test_invalid_role_is_reported_with_the_value_given(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"HUIZHEN_ROLE.*'hospital'"):
        load({"HUIZHEN_ROLE": "hospital", "HUIZHEN_DATA_DIR": str(tmp_path)})


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {
        "HUIZHEN_ROLE": "hub",
        "HUIZHEN_ENV": "production",
        "HUIZHEN_DATA_DIR": str(tmp_path),
        "HUIZHEN_ALLOWED_HOSTS": "hub.example.org",
        "HUIZHEN_PUBLIC_URL": "https://hub.example.org",
    }
    with pytest.raises(ConfigError, match="HUIZHEN_SECRET_KEY"):
        load(env)


def test_production_refuses_plain_http_public_url(tmp_path: Path) -> None:
    env = {
        "HUIZHEN_ROLE": "gateway",
        "HUIZHEN_ENV": "production",
        "HUIZHEN_DATA_DIR": str(tmp_path),
        "HUIZHEN_SECRET_KEY": "k" * 40 + "abcdefghij",
        "HUIZHEN_ALLOWED_HOSTS": "gw.example.org",
        "HUIZHEN_PUBLIC_URL": "http://gw.example.org",
    }
    with pytest.raises(ConfigError, match="HUIZHEN_PUBLIC_URL"):
        load(env)


def test_database_url_with_unsupported_engine_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load({"HUIZHEN_ROLE": "hub", "HUIZHEN_DATA_DIR": str(tmp_path), "DATABASE_URL": "mysql://x@y/z"})


def test_rq_backend_needs_a_redis_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HUIZHEN_REDIS_URL"):
        load({"HUIZHEN_ROLE": "hub", "HUIZHEN_DATA_DIR": str(tmp_path), "HUIZHEN_TASKS_BACKEND": "rq"})


def test_demo_secret_key_is_generated_once_and_private(tmp_path: Path) -> None:
    first = load({"HUIZHEN_ROLE": "hub", "HUIZHEN_DATA_DIR": str(tmp_path)})
    second = load({"HUIZHEN_ROLE": "hub", "HUIZHEN_DATA_DIR": str(tmp_path)})
    assert first.secret_key == second.secret_key
    assert len(first.secret_key) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_cli_prints_one_line_and_exits_2_on_a_configuration_mistake(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HUIZHEN_ROLE": "nope", "HUIZHEN_DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "huizhen", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "HUIZHEN_ROLE" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_http_translation_engine_needs_a_service_url(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HUIZHEN_TRANSLATION_URL"):
        load({"HUIZHEN_ROLE": "hub", "HUIZHEN_DATA_DIR": str(tmp_path), "HUIZHEN_TRANSLATION_ENGINE": "http"})


def test_node_time_zone_and_country_are_read_for_business_day_deadlines(tmp_path: Path) -> None:
    node = load(
        {
            "HUIZHEN_ROLE": "gateway",
            "HUIZHEN_DATA_DIR": str(tmp_path),
            "HUIZHEN_TIME_ZONE": "Asia/Shanghai",
            "HUIZHEN_COUNTRY": "cn",
        }
    )
    assert (node.time_zone, node.country) == ("Asia/Shanghai", "CN")


def test_unknown_time_zone_is_reported_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"HUIZHEN_TIME_ZONE.*'Mars/Olympus'"):
        load({"HUIZHEN_ROLE": "hub", "HUIZHEN_DATA_DIR": str(tmp_path), "HUIZHEN_TIME_ZONE": "Mars/Olympus"})


def test_country_must_be_a_two_letter_code(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="HUIZHEN_COUNTRY"):
        load({"HUIZHEN_ROLE": "hub", "HUIZHEN_DATA_DIR": str(tmp_path), "HUIZHEN_COUNTRY": "China"})


def test_production_requires_the_node_country(tmp_path: Path) -> None:
    env = {
        "HUIZHEN_ROLE": "hub",
        "HUIZHEN_ENV": "production",
        "HUIZHEN_DATA_DIR": str(tmp_path),
        "HUIZHEN_SECRET_KEY": "k" * 40 + "abcdefghij",
        "HUIZHEN_ALLOWED_HOSTS": "hub.example.org",
        "HUIZHEN_PUBLIC_URL": "https://hub.example.org",
    }
    with pytest.raises(ConfigError, match="HUIZHEN_COUNTRY"):
        load(env)
    assert load({**env, "HUIZHEN_COUNTRY": "US"}).country == "US"
