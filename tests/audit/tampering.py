"""What an attacker with database administrator rights can do: drop the guard, then edit."""

from __future__ import annotations

from typing import Any

from django.db import connection


def drop_append_only_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_auditentry_refuse_update")
            cursor.execute("DROP TRIGGER audit_auditentry_refuse_delete")
        else:
            cursor.execute("DROP TRIGGER audit_auditentry_refuse_change ON audit_auditentry")


def raw_sql(sql: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
