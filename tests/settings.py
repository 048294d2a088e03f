"""Settings for the test suite: a throwaway data directory, the node's real settings otherwise.

``DATABASE_URL`` from the environment is honoured, so CI runs the same suite against
PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("HUIZHEN_ROLE", "hub")
os.environ.setdefault("HUIZHEN_DATA_DIR", tempfile.mkdtemp(prefix="huizhen-test-"))

from huizhen.site.settings import *  # noqa: F403

# Hashing with argon2's production cost would dominate the suite's run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# A file, not SQLite's in-memory default, so that worker subprocesses started by tests
# (RQ worker, db_worker) see the same test database.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(HUIZHEN_DATA_DIR / "test.sqlite3")}  # noqa: F405
