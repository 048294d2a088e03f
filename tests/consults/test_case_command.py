"""``huizhen case import|submit|list`` at a gateway."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from huizhen.apps.consults.models import ConsultRequest, State
from huizhen.apps.registry.models import Patient
from tests.consults.factories import ConsultRequestFactory, HubPeerFactory, ReferringPhysicianFactory

pytestmark = pytest.mark.django_db

DEMO = Path(__file__).parents[2] / "src/huizhen/apps/consults/demo_data/dlbcl.json"


@pytest.fixture
def gateway(settings: Any) -> None:
    settings.HUIZHEN_ROLE = "gateway"


def _run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("case", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_prints_the_reference_of_the_new_draft(gateway: None) -> None:
    physician = ReferringPhysicianFactory()
    hub = HubPeerFactory()
    out, _ = _run("import", str(DEMO), "--physician", physician.username, "--hub", hub.name)
    consult = ConsultRequest.objects.get()
    assert out.strip() == consult.reference
    assert consult.peer == hub
    assert consult.referring_physician == physician


def test_import_of_an_invalid_bundle_lists_the_problems_and_exits_2(gateway: None, tmp_path: Path) -> None:
    physician = ReferringPhysicianFactory()
    bundle = tmp_path / "bad.json"
    bundle.write_text(
        json.dumps(
            {
                "resourceType": "Bundle",
                "type": "collection",
                "entry": [{"resource": {"resourceType": "Patient", "birthDate": "12/03/1965"}}],
            }
        )
    )
    err = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("case", "import", str(bundle), "--physician", physician.username, stdout=StringIO(), stderr=err)
    assert refused.value.returncode == 2
    assert "birthDate" in err.getvalue()
    assert not Patient.objects.exists()


def test_import_by_a_user_who_is_not_a_referring_physician_is_refused(gateway: None) -> None:
    from tests.accounts.factories import UserFactory

    with pytest.raises(CommandError) as refused:
        _run("import", str(DEMO), "--physician", UserFactory().username)
    assert refused.value.returncode == 2
    assert not ConsultRequest.objects.exists()


def test_import_at_a_hub_is_refused() -> None:
    physician = ReferringPhysicianFactory()
    with pytest.raises(CommandError):
        _run("import", str(DEMO), "--physician", physician.username)
    assert not Patient.objects.exists()


def test_submit_of_an_incomplete_case_prints_what_is_missing_and_exits_1(gateway: None) -> None:
    consult = ConsultRequestFactory(question="")
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("case", "submit", consult.reference, stdout=out, stderr=StringIO())
    assert refused.value.returncode == 1
    assert "missing: The clinical question is empty." in out.getvalue()
    consult.refresh_from_db()
    assert consult.state == State.DRAFT


def test_submit_of_a_complete_case_starts_the_submission(gateway: None) -> None:
    consult = ConsultRequestFactory()
    out, _ = _run("submit", consult.reference)
    consult.refresh_from_db()
    assert consult.state == State.SUBMITTING
    assert out.strip() == f"{consult.reference}\tsubmitting"


def test_submit_as_another_physician_is_refused(gateway: None) -> None:
    consult = ConsultRequestFactory()
    other = ReferringPhysicianFactory()
    with pytest.raises(CommandError):
        _run("submit", consult.reference, "--as", other.username)
    consult.refresh_from_db()
    assert consult.state == State.DRAFT


def test_list_shows_references_and_pseudonyms_but_no_names(gateway: None) -> None:
    consult = ConsultRequestFactory()
    out, _ = _run("list")
    assert consult.reference in out
    assert consult.patient.pseudonym in out
    assert consult.patient.family_name not in out


def test_case_runs_as_a_huizhen_subcommand(tmp_path: Path) -> None:
    env = {**os.environ, "HUIZHEN_ROLE": "gateway", "HUIZHEN_DATA_DIR": str(tmp_path)}
    # A node of its own on its embedded database, whatever database the suite runs on.
    for leaking in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL"):
        env.pop(leaking, None)
    python = Path(sys.executable)
    subprocess.run([str(python), "-m", "huizhen", "migrate", "-v", "0"], env=env, check=True, capture_output=True)
    result = subprocess.run(
        [str(python), "-m", "huizhen", "case", "list"], env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
