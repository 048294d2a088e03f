"""The loop after submission across two real nodes: thread both ways, opinion delivered and verified, outcome.

The gateway's physician writes the patient's name and record number into the thread;
the hub must store only scrubbed text (its database and blob files are searched for
the identifiers). The hub's specialist signs an opinion; the gateway re-computes its
hash, delivers it and makes the bilingual PDF; the outcome goes back de-identified.
"""

from __future__ import annotations

from pathlib import Path

from tests.consults.nodes import TwoNodes, create_case, submit, two_nodes, wait_for_state

__all__ = ["two_nodes"]  # the fixture, imported for this module


NAME_ZH, NAME_LATIN, MRN = "司马懿宁", "Yining Sima", "GW-55512377"

HUB_SETUP = """
import json
from huizhen.apps.accounts.models import Institution, Membership, Role, User
from huizhen.apps.consults import assignment, opinions, triage
from huizhen.apps.consults.models import ConsultRequest, SpecialistProfile
centre, _ = Institution.objects.get_or_create(
    name="LA Cancer Center", defaults=dict(kind="consulting_center", country="US"))
def person(username, role, first, last):
    user, created = User.objects.get_or_create(username=username, defaults=dict(first_name=first, last_name=last))
    if created:
        Membership.objects.create(user=user, institution=centre, role=role)
    return user
coordinator = person("coord", Role.CASE_COORDINATOR, "Ana", "Lopez")
specialist = person("miller", Role.CONSULTING_SPECIALIST, "Sarah", "Miller")
SpecialistProfile.objects.get_or_create(user=specialist, defaults=dict(subspecialties=["lymphoma"], languages=["en"]))
consult = ConsultRequest.objects.get(reference={reference!r})
triage.accept(consult=consult, by=coordinator)
assignment.assign(consult=consult, specialists=[specialist], lead=specialist, by=coordinator)
print(json.dumps(ConsultRequest.objects.get(reference={reference!r}).state))
"""

GATEWAY_POST = """
import json
from huizhen.apps.consults import threads
from huizhen.apps.consults.models import ConsultRequest
consult = ConsultRequest.objects.get(reference={reference!r})
message = threads.post_message(consult=consult, by=consult.referring_physician, body={body!r})
print(json.dumps(str(message.uid)))
"""

MESSAGES = """
import json
from huizhen.apps.consults.models import ConsultRequest
from huizhen.apps.translation.models import TranslationTask
consult = ConsultRequest.objects.filter(reference={reference!r}).first()
rows = [] if consult is None else [
    {{"uid": str(m.uid), "body": m.body, "origin": m.origin, "kind": m.kind}} for m in consult.messages.all()]
tasks = list(TranslationTask.objects.filter(case_ref={reference!r}, subject__contains=":message-")
             .values_list("target_lang", flat=True))
print(json.dumps({{"messages": rows, "translations": tasks}}))
"""

HUB_REPLY_AND_SIGN = """
import json
from huizhen.apps.accounts.models import User
from huizhen.apps.consults import opinions, threads
from huizhen.apps.consults.models import ConsultRequest
consult = ConsultRequest.objects.get(reference={reference!r})
specialist = User.objects.get(username="miller")
threads.post_message(consult=consult, by=specialist, body="Was a PET-CT done after cycle 4?")
draft = opinions.save_draft(consult=consult, by=specialist, fields={{
    "agreement": "minor_discordance",
    "consultant_diagnosis": [{{"system": "icd10", "code": "C83.3", "text": "DLBCL"}}],
    "workup": "Biopsy of the residual mass.",
    "treatment": {{"regimen": "R-CHOP", "rationale": "Confirm relapse before CAR-T.", "guidelines": ["NCCN v2.2026"]}},
    "comments": "Happy to discuss.",
    "language": "en",
}})
signed = opinions.sign(opinion=draft, by=specialist)
print(json.dumps(signed.content_hash))
"""

GATEWAY_OPINION = """
import json
from huizhen.apps.consults.models import ConsultRequest
from huizhen.apps.consults.report import render_opinion_pdf
consult = ConsultRequest.objects.get(reference={reference!r})
opinion = consult.opinions.get()
document = render_opinion_pdf(consult=consult, opinion=opinion)
print(json.dumps({{"hash": opinion.content_hash, "state": consult.state, "pdf": document[:5].decode(),
                  "outcome_due": consult.outcome_due_at is not None}}))
"""

GATEWAY_OUTCOME = """
import json
from huizhen.apps.consults import outcomes
from huizhen.apps.consults.models import ConsultRequest
consult = ConsultRequest.objects.get(reference={reference!r})
outcomes.record_outcome(consult=consult, by=consult.referring_physician, adoption="partly",
                        reason={reason!r}, patient_status="完全缓解。")
print(json.dumps(ConsultRequest.objects.get(reference={reference!r}).state))
"""

HUB_OUTCOME = """
import json
from huizhen.apps.consults.models import ConsultRequest
consult = ConsultRequest.objects.get(reference={reference!r})
outcome = consult.outcomes.first()
print(json.dumps(None if outcome is None else {{"state": consult.state, "adoption": outcome.adoption,
                                                "reason": outcome.reason}}))
"""


def _files_holding(root: Path, needles: list[str]) -> list[str]:
    found = []
    encoded = [needle.encode() for needle in needles]
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            found += [f"{path.name}: {needle.decode()}" for needle in encoded if needle in data]
    return found


def test_thread_opinion_and_outcome_cross_the_two_nodes_without_identifiers(two_nodes: TwoNodes) -> None:
    hub, gateway = two_nodes.hub, two_nodes.gateway
    reference = create_case(
        gateway,
        reference="HZ-DELIVERY-1",
        patient={
            "family_name": "司马",
            "given_name": "懿宁",
            "name_latin": NAME_LATIN,
            "mrn": MRN,
            "birth_date": "1961-05-04",
            "sex": "female",
        },
    )
    submit(gateway, reference)
    wait_for_state(gateway, reference, {"submitted"})
    wait_for_state(hub, reference, {"submitted"})
    assert hub.json(HUB_SETUP.format(reference=reference)) == "in_review"
    wait_for_state(gateway, reference, {"in_review"})

    uid = gateway.json(
        GATEWAY_POST.format(
            reference=reference, body=f"{NAME_ZH}（病案号{MRN}）昨日复查，{NAME_LATIN} 请问是否需要再次活检？"
        )
    )
    at_hub = hub.wait_for(MESSAGES.format(reference=reference), lambda v: any(m["uid"] == uid for m in v["messages"]))
    [received] = [m for m in at_hub["messages"] if m["uid"] == uid]
    assert "请问是否需要再次活检" in received["body"]
    assert "en" in at_hub["translations"]
    assert _files_holding(hub.data_dir, [NAME_ZH, MRN, NAME_LATIN, "Sima"]) == []

    content_hash = hub.json(HUB_REPLY_AND_SIGN.format(reference=reference))
    at_gateway = gateway.wait_for(
        MESSAGES.format(reference=reference), lambda v: any(m["origin"] == "hub" for m in v["messages"])
    )
    assert "zh" in at_gateway["translations"]
    wait_for_state(gateway, reference, {"delivered"})
    delivered = gateway.json(GATEWAY_OPINION.format(reference=reference))
    assert delivered == {"hash": content_hash, "state": "delivered", "pdf": "%PDF-", "outcome_due": True}
    wait_for_state(hub, reference, {"delivered"})

    assert gateway.json(GATEWAY_OUTCOME.format(reference=reference, reason=f"{NAME_ZH}拒绝CAR-T。")) == "closed"
    outcome = hub.wait_for(HUB_OUTCOME.format(reference=reference), lambda v: v is not None and v["state"] == "closed")
    assert outcome["adoption"] == "partly"
    assert NAME_ZH not in outcome["reason"]
    assert _files_holding(hub.data_dir, [NAME_ZH, MRN, NAME_LATIN]) == []
