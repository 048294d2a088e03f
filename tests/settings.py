"""Settings for the test suite: a throwaway data directory, the node's real settings otherwise.

``DATABASE_URL`` from the environment is honoured, so CI runs the same suite against
PostgreSQL.
"""

import os
import tempfile

os.environ.setdefault("HUIZHEN_ROLE", "hub")
os.environ.setdefault("HUIZHEN_DATA_DIR", tempfile.mkdtemp(prefix="huizhen-test-"))

from huizhen.site.settings import *  # noqa: E402, F403

# Hashing with argon2's production cost would dominate the suite's run time.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S105
