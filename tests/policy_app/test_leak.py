"""Nothing identifying reaches a decision record: the request schema holds facts, never a patient's identity."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from huizhen.apps.accounts.models import Role
from huizhen.apps.audit.models import AuditEntry
from huizhen.apps.policy.models import PolicyDecisionRecord
from huizhen.apps.policy.services import evaluate_policy
from huizhen.policy import RequestError, parse_request
from tests.accounts.factories import sign_in
from tests.policy_app.factories import export_request

pytestmark = pytest.mark.django_db

PATIENT_NAME = "张伟"
RESIDENT_ID = "11010519491231002X"


def _with_identity() -> dict[str, object]:
    request = export_request()
    request["patient_name"] = PATIENT_NAME
    request["subject"] = {**request["subject"], "resident_id": RESIDENT_ID}  # type: ignore[dict-item]
    return request


def _stored_anywhere() -> str:
    records = list(PolicyDecisionRecord.objects.values())
    audit = list(AuditEntry.objects.values("action", "target", "detail"))
    return json.dumps([records, audit], ensure_ascii=False, default=str)


def test_parse_request_refuses_a_patients_name_and_id_in_unknown_fields() -> None:
    with pytest.raises(RequestError) as refused:
        parse_request(_with_identity())

    assert any(problem.startswith("patient_name") for problem in refused.value.problems)
    assert any(problem.startswith("subject.resident_id") for problem in refused.value.problems)


def test_a_request_with_identified_data_is_refused_and_nothing_identifying_is_stored() -> None:
    with pytest.raises(RequestError):
        evaluate_policy(request=_with_identity(), actor="dr.li", case_ref="HZ-0042")

    assert not PolicyDecisionRecord.objects.exists()
    stored = _stored_anywhere()
    assert PATIENT_NAME not in stored
    assert RESIDENT_ID not in stored


def test_the_try_form_refuses_identified_data_and_stores_none_of_it(client: Client) -> None:
    sign_in(client, role=Role.PRIVACY_OFFICER)

    response = client.post(reverse("policy:try"), {"request": json.dumps(_with_identity(), ensure_ascii=False)})

    assert response.status_code == 400
    assert not PolicyDecisionRecord.objects.exists()
    stored = _stored_anywhere()
    assert PATIENT_NAME not in stored
    assert RESIDENT_ID not in stored


def test_a_stored_request_holds_only_the_fields_of_the_schema() -> None:
    evaluate_policy(request=export_request(), actor="dr.li", case_ref="HZ-0042")

    stored = PolicyDecisionRecord.objects.get().request
    assert stored == parse_request(stored).to_dict()
