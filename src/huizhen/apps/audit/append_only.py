"""Database triggers that make the audit table append-only.

The ORM already refuses to change an entry (see :mod:`huizhen.apps.audit.models`),
but raw SQL, a careless ``manage.py dbshell`` or another program sharing the database
would not ask the ORM. These triggers make the database itself refuse ``UPDATE`` and
``DELETE`` (and, on PostgreSQL, ``TRUNCATE``) of ``audit_auditentry``. An administrator
who can drop triggers can still tamper; the hash chain is what catches that.

The guard is installed by migration ``0002`` and re-installed after every ``migrate``
(``post_migrate``), because SQLite rebuilds a table to alter it and the rebuild drops
the table's triggers.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

TABLE = "audit_auditentry"
REFUSAL = "audit log is append-only"

_SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_auditentry_refuse_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_auditentry_refuse_delete BEFORE DELETE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END""",
]
_SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_auditentry_refuse_update",
    "DROP TRIGGER IF EXISTS audit_auditentry_refuse_delete",
]

_POSTGRES_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'insufficient_privilege';
        END
        $$""",
    f"DROP TRIGGER IF EXISTS audit_auditentry_refuse_change ON {TABLE}",
    f"""CREATE TRIGGER audit_auditentry_refuse_change BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()""",
    f"DROP TRIGGER IF EXISTS audit_auditentry_refuse_truncate ON {TABLE}",
    f"""CREATE TRIGGER audit_auditentry_refuse_truncate BEFORE TRUNCATE ON {TABLE}
        FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()""",
]
_POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_auditentry_refuse_change ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_auditentry_refuse_truncate ON {TABLE}",
]


class UnsupportedDatabase(Exception):
    """The node's database is neither SQLite nor PostgreSQL, so the guard cannot be installed."""


def _statements(connection: BaseDatabaseWrapper, *, install: bool) -> list[str]:
    if connection.vendor == "sqlite":
        return _SQLITE_INSTALL if install else _SQLITE_REMOVE
    if connection.vendor == "postgresql":
        return _POSTGRES_INSTALL if install else _POSTGRES_REMOVE
    raise UnsupportedDatabase(f"the audit log needs SQLite or PostgreSQL, not {connection.vendor}")


def install_guard(connection: BaseDatabaseWrapper) -> None:
    """Create the triggers; safe to call again when they already exist."""
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=True):
            cursor.execute(statement)


def remove_guard(connection: BaseDatabaseWrapper) -> None:
    """Drop the triggers: for the test suite's table flush and the migration's reversal only."""
    with connection.cursor() as cursor:
        for statement in _statements(connection, install=False):
            cursor.execute(statement)


def guard_is_installed(connection: BaseDatabaseWrapper) -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            return int(cursor.fetchone()[0]) == len(_SQLITE_INSTALL)
        cursor.execute(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = %s::regclass AND NOT tgisinternal",
            [TABLE],
        )
        return int(cursor.fetchone()[0]) == 2
