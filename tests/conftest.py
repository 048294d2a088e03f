"""Suite-wide setup shared by every test area."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from hypothesis import settings

# CI explores a fixed set of examples so that a red build always reproduces; locally each
# run draws new examples, which is how new edge cases get found.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session", autouse=True)
def compiled_message_catalogs() -> None:
    """Compile the .po catalogs (polib, no gettext) so pages render in Chinese as deployed."""
    from django.utils.translation import trans_real

    from huizhen.i18n import compile_catalogs

    if compile_catalogs():
        # Catalogs loaded before compiling would be stale for the rest of the session.
        trans_real._translations = {}


@pytest.fixture(autouse=True)
def audit_log_can_be_emptied_between_tests(request: pytest.FixtureRequest) -> Iterator[None]:
    """Let a transactional test's table flush empty the append-only audit log.

    The audit table's triggers refuse DELETE and TRUNCATE, which is how Django empties
    tables after a ``transaction=True`` or ``live_server`` test. The guard is dropped
    just before that flush; the flush's ``post_migrate`` signal re-installs it.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences")))
    )
    if not transactional:
        yield
        return
    # Requested here so that it is torn down (flushed) after this fixture's teardown.
    request.getfixturevalue("transactional_db")
    yield
    from django.db import connections

    from huizhen.apps.audit.append_only import remove_guard

    for connection in connections.all(initialized_only=True):
        if "audit_auditentry" in connection.introspection.table_names():
            remove_guard(connection)


#: Test folders of the pure engines: they never touch the node's database.
ENGINE_TEST_DIRS = ("deid", "httpsig", "policy", "translate", "transfer", "benchmarks")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark what the test database engine cannot change, so CI's PostgreSQL pass can leave it out.

    ``engine``: tests of the pure engines (no Django database at all). ``own_nodes``: tests
    that start real nodes, each with its own embedded database in a temporary directory,
    whatever ``DATABASE_URL`` the suite runs with.
    """
    root = os.path.dirname(__file__)
    for item in items:
        parts = os.path.relpath(str(item.path), root).split(os.sep)
        if parts and parts[0] in ENGINE_TEST_DIRS:
            item.add_marker(pytest.mark.engine)
        if {"two_nodes", "submitted"} & set(getattr(item, "fixturenames", ())) or parts[0] == "e2e":
            item.add_marker(pytest.mark.own_nodes)
