"""Who may translate and who may verify: translators edit, clinicians verify, never their own work."""

from __future__ import annotations

import pytest

from huizhen.apps.accounts import permissions
from huizhen.apps.accounts.models import Role
from tests.accounts.factories import MembershipFactory
from tests.translation.factories import TranslationTaskFactory, person, submitted

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.REFERRING_PHYSICIAN, Role.CONSULTING_SPECIALIST, Role.PROGRAM_DIRECTOR])
def test_clinicians_and_program_directors_may_verify(role: str) -> None:
    assert permissions.can_verify_translation(person(role), submitted())


@pytest.mark.parametrize("role", [Role.TRANSLATOR, Role.CASE_COORDINATOR, Role.PRIVACY_OFFICER, Role.ADMIN])
def test_translators_coordinators_privacy_officers_and_admins_may_not_verify(role: str) -> None:
    assert not permissions.can_verify_translation(person(role), submitted())


def test_the_translator_may_not_verify_even_when_also_a_clinician() -> None:
    task = submitted()
    MembershipFactory(user=task.translator, role=Role.CONSULTING_SPECIALIST)

    assert not permissions.can_verify_translation(task.translator, task)


def test_only_translators_may_translate() -> None:
    assert permissions.can_translate(person(Role.TRANSLATOR), TranslationTaskFactory())
    assert not permissions.can_translate(person(Role.CONSULTING_SPECIALIST), TranslationTaskFactory())


def test_a_claimed_task_belongs_to_its_translator() -> None:
    task = submitted()

    assert permissions.can_translate(task.translator, task)
    assert not permissions.can_translate(person(Role.TRANSLATOR), task)


def test_privacy_officers_do_not_see_the_translation_queue() -> None:
    assert not permissions.can_view_translations(person(Role.PRIVACY_OFFICER))
    assert permissions.can_view_translations(person(Role.TRANSLATOR))
