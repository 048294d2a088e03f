"""Notifications: in-app for each person once, by e-mail after the transaction commits, without patient data."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from huizhen.apps.consults.models import ConsultRequest, Notification
from huizhen.apps.consults.notifications import notify, unread_for
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_each_person_is_notified_once_even_when_named_twice() -> None:
    user = UserFactory(email="dr.chen@example.org")
    consult = ConsultRequest.objects.create(reference="HZ-N-1")
    notify(users=[user, user], request=consult, verb="accepted", text="HZ-N-1 was accepted")
    assert Notification.objects.filter(user=user).count() == 1
    assert [n.text for n in unread_for(user)] == ["HZ-N-1 was accepted"]


def test_the_email_names_the_case_and_links_to_it(django_capture_on_commit_callbacks: Any) -> None:
    user = UserFactory(email="dr.chen@example.org")
    consult = ConsultRequest.objects.create(reference="HZ-N-2")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[user], request=consult, verb="opinion delivered", text="The opinion on HZ-N-2 arrived")
    assert len(mail.outbox) == 1
    assert "HZ-N-2" in mail.outbox[0].subject
    assert "/cases/HZ-N-2/" in mail.outbox[0].body
    assert Notification.objects.get(user=user).emailed_at is not None


def test_no_email_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks: Any) -> None:
    user = UserFactory(email="dr.chen@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=[user], request=None, verb="x", text="y")
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_a_user_without_an_address_gets_the_in_app_notification_only(
    django_capture_on_commit_callbacks: Any,
) -> None:
    user = UserFactory(email="")
    with django_capture_on_commit_callbacks(execute=True):
        notify(users=[user], request=None, verb="x", text="y")
    assert mail.outbox == []
    assert Notification.objects.filter(user=user).count() == 1
