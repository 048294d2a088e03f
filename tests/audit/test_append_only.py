"""Neither the ORM nor the database lets an audit entry be changed or removed."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from huizhen.apps.audit.models import AuditEntry, AuditLogIsAppendOnly
from huizhen.apps.audit.services import record_event
from tests.audit.tampering import raw_sql

pytestmark = pytest.mark.django_db


def test_saving_a_changed_entry_is_refused() -> None:
    entry = record_event(action="auth.login", actor="dr.chen")
    entry.outcome = "denied"

    with pytest.raises(AuditLogIsAppendOnly):
        entry.save()

    assert AuditEntry.objects.get().outcome == "ok"


def test_deleting_an_entry_is_refused() -> None:
    entry = record_event(action="auth.login", actor="dr.chen")

    with pytest.raises(AuditLogIsAppendOnly):
        entry.delete()

    assert AuditEntry.objects.count() == 1


def test_bulk_update_and_delete_through_the_orm_are_refused() -> None:
    record_event(action="auth.login", actor="dr.chen")

    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.filter(actor="dr.chen").update(actor="nobody")
    with pytest.raises(AuditLogIsAppendOnly):
        AuditEntry.objects.all().delete()

    assert AuditEntry.objects.get().actor == "dr.chen"


def test_the_database_refuses_a_raw_update() -> None:
    record_event(action="auth.login", actor="dr.chen")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql("UPDATE audit_auditentry SET actor = 'nobody'")

    assert AuditEntry.objects.get().actor == "dr.chen"


def test_the_database_refuses_a_raw_delete() -> None:
    record_event(action="auth.login", actor="dr.chen")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql("DELETE FROM audit_auditentry")

    assert AuditEntry.objects.count() == 1


def test_postgresql_refuses_truncating_the_log() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL only")
    record_event(action="auth.login", actor="dr.chen")

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_sql("TRUNCATE audit_auditentry")

    assert AuditEntry.objects.count() == 1
