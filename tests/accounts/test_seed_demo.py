"""``huizhen seed_demo`` creates each node's demo people and can be run again safely."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from huizhen.apps.accounts.models import Institution, Membership, User

pytestmark = pytest.mark.django_db


def _state() -> list[tuple[str, str, str, str]]:
    return sorted(Membership.objects.values_list("user__username", "user__password", "institution__name", "role"))


def test_seeding_twice_changes_nothing_and_does_not_fail() -> None:
    call_command("seed_demo", stdout=StringIO())
    first = _state()
    output = StringIO()
    call_command("seed_demo", stdout=output)
    assert _state() == first
    assert "unchanged" in output.getvalue()


def test_the_hub_gets_the_consulting_center_and_its_staff() -> None:
    output = StringIO()
    call_command("seed_demo", "--password", "another-demo-password", stdout=output)
    assert Institution.objects.get().kind == Institution.Kind.CONSULTING_CENTER
    assert set(User.objects.values_list("username", flat=True)) == {
        "dr.miller",
        "coord.garcia",
        "director.chen",
        "translator.lin",
        "admin.hub",
    }
    admin = User.objects.get(username="admin.hub")
    assert admin.is_superuser
    assert admin.is_staff
    assert admin.check_password("another-demo-password")
    assert "another-demo-password" in output.getvalue()


@override_settings(HUIZHEN_ROLE="gateway")
def test_the_gateway_gets_the_referring_hospital_with_a_chinese_speaking_physician() -> None:
    call_command("seed_demo", stdout=StringIO())
    hospital = Institution.objects.get()
    assert (hospital.name_local, hospital.country) == ("武汉协和医院肿瘤中心", "CN")
    dr_li = User.objects.get(username="dr.li")
    assert dr_li.language == "zh-hans"
    assert dr_li.check_password("huizhen-demo-2026")
    assert set(dr_li.roles()) == {"referring_physician"}
