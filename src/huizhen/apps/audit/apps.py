"""App configuration of the audit log: re-arms the append-only guard after every migrate."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


def _rearm_append_only_guard(*, using: str = "default", **kwargs: Any) -> None:
    # SQLite drops a table's triggers when a migration rebuilds the table, and a test
    # flush removes them on purpose; ``migrate`` and ``flush`` both end here.
    from huizhen.apps.audit.append_only import install_guard

    connection = connections[using]
    if "audit_auditentry" in connection.introspection.table_names():
        install_guard(connection)


class AuditConfig(AppConfig):
    name = "huizhen.apps.audit"
    label = "audit"

    def ready(self) -> None:
        post_migrate.connect(_rearm_append_only_guard, sender=self, dispatch_uid="audit_append_only_guard")
