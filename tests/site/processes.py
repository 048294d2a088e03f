"""Start ``huizhen`` commands as separate processes that share the running test's database."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

from django.conf import settings
from django.db import connection


def test_database_url() -> str:
    """A DATABASE_URL naming the test database (not the node's own) the suite is using now."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        name = str(db["NAME"])
        if name == ":memory:" or name.startswith("file:memorydb"):
            raise RuntimeError("the test database is in memory; tests/settings.py must give SQLite a file")
        return f"sqlite:///{name}"
    user = quote(db.get("USER") or "")
    password = quote(db.get("PASSWORD") or "")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{db['NAME']}"


def node_env(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "HUIZHEN_ROLE": settings.HUIZHEN_ROLE,
        "HUIZHEN_DATA_DIR": str(settings.HUIZHEN_DATA_DIR),
        "DATABASE_URL": test_database_url(),
        "DJANGO_SETTINGS_MODULE": "huizhen.site.settings",
    }
    env.update(overrides)
    return env


def run_huizhen(*args: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    # The test holds no open transaction here (transaction=True tests), so the child's
    # writes and reads go to the same committed database.
    connection.close()
    return subprocess.run(
        [sys.executable, "-m", "huizhen", *args],
        env=node_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
