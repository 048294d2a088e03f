"""Two real Huizhen nodes for consultation tests: a consulting hub and a hospital gateway.

:func:`two_nodes` (a module-scoped pytest fixture: ``from tests.consults.nodes import
two_nodes``) gives each node its own data directory under a temporary folder, migrates
it, peers the two by exchanging public keys (as ``huizhen demo`` does, each told the
other's role), records the partner agreements (the legal basis the policy
engine reads), and starts each node the way an operator does: ``huizhen serve``
(gunicorn) and ``huizhen db_worker``. Nothing is shared with the test process: every
action on a node is a ``huizhen`` command in that node's environment
(:meth:`Node.huizhen`, :meth:`Node.python` for a snippet run by ``huizhen shell``).
:func:`create_case` writes a lawful, complete gateway case (patient, consents, referring
physician, summary, attachments) and returns its reference.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from huizhen.demo import DemoNode

HUB_COUNTRY = "US"
GATEWAY_COUNTRY = "CN"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Node(DemoNode):
    """One running node: its data directory, URL and the processes serving it."""

    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    web: Any = None

    def env(self) -> dict[str, str]:
        env = super().env()
        # The test process runs under tests.settings; a node runs under its own real settings.
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env["HUIZHEN_TRANSLATION_ENGINE"] = "none"
        return env

    def huizhen(self, *args: str, capture: bool = True) -> str:
        """Run ``huizhen ARGS`` against this node; its output, or AssertionError with stderr."""
        proc = subprocess.run(
            [sys.executable, "-m", "huizhen", *args],
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
            cwd=Path(__file__).resolve().parents[2],
            timeout=300,
        )
        if proc.returncode != 0:
            raise AssertionError(f"[{self.role}] huizhen {' '.join(args[:2])} failed: {proc.stderr or proc.stdout}")
        return proc.stdout

    def python(self, code: str) -> str:
        """Run a Python snippet inside this node (``huizhen shell``); what it prints."""
        return self.huizhen("shell", "--no-imports", "-c", textwrap.dedent(code))

    def json(self, code: str) -> Any:
        """Run a snippet whose last printed line is JSON; that value."""
        lines = [line for line in self.python(code).splitlines() if line.strip()]
        return json.loads(lines[-1])

    def wait_for(self, code: str, predicate: Callable[[Any], bool], *, timeout: float = 60.0) -> Any:
        """Poll a JSON snippet until ``predicate`` holds for its value; the last value."""
        deadline = time.monotonic() + timeout
        value = self.json(code)
        while not predicate(value):
            if time.monotonic() > deadline:
                raise AssertionError(f"[{self.role}] still {value!r} after {timeout}s")
            time.sleep(0.5)
            value = self.json(code)
        return value

    def start(self) -> None:
        self.start_web()
        self._spawn(["db_worker", "--no-startup-delay", "--no-reload", "--interval", "0.2"])

    def start_web(self) -> None:
        self.web = self._spawn(["serve", "--bind", f"127.0.0.1:{self.port}", "--workers", "1"])

    def stop_web(self) -> None:
        """Take the web server down (the node is unreachable) until :meth:`start_web`."""
        self._stop([self.web])
        self.processes.remove(self.web)

    def stop(self) -> None:
        self._stop(self.processes)

    def _spawn(self, command: list[str]) -> subprocess.Popen[bytes]:
        with (self.data_dir / "processes.log").open("ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "huizhen", *command],
                env=self.env(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                cwd=Path(__file__).resolve().parents[2],
            )
        self.processes.append(process)
        return process

    @staticmethod
    def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)

    def wait_until_up(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/node/identity", timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.url} never answered; see {self.data_dir / 'processes.log'}")


@dataclass
class TwoNodes:
    hub: Node
    gateway: Node


def _parallel(*calls: Callable[[], Any]) -> list[Any]:
    """Run independent node commands at the same time (each is a subprocess)."""
    results: list[Any] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            results[index] = call()
        except BaseException as exc:  # re-raised in the caller's thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results


IDENTITY = """
import json
from huizhen.apps.nodes.identity import node_identity
me = node_identity()
print(json.dumps(dict(public_key=me.public_key, fingerprint=me.fingerprint)))
"""

# The other node as a peer (keys exchanged directly, as `huizhen demo` does; its role known),
# and the partner agreement: the legal basis the policy engine reads.
PEERING = """
from huizhen.apps.consults.models import PartnerAgreement
from huizhen.apps.nodes.services import add_peer
peer = add_peer(base_url={url!r}, fingerprint={fingerprint!r}, public_key={public_key!r}, name={name!r})
peer.role = {role!r}
peer.save()
PartnerAgreement.objects.update_or_create(peer=peer, defaults=dict(
    country={country!r}, standard_contract=True, impact_assessment=True, security_assessment=False,
    hipaa_authorization=True, dsp_security_program=True, licensed_in=[]))
"""


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TwoNodes]:
    root = tmp_path_factory.mktemp("two-nodes")
    hub = Node("hub", free_port(), root / "hub", "Test hub")
    gateway = Node("gateway", free_port(), root / "gateway", "Test gateway")
    nodes = [hub, gateway]
    for node in nodes:
        node.data_dir.mkdir(parents=True)
    # Both nodes run the same migrations: migrate one, copy its database to the other.
    hub.huizhen("migrate", "--noinput")
    shutil.copyfile(hub.data_dir / "huizhen.sqlite3", gateway.data_dir / "huizhen.sqlite3")
    for node, identity in zip(nodes, _parallel(*(lambda n=n: n.json(IDENTITY) for n in nodes)), strict=True):
        node.identity = identity
    countries = {"hub": HUB_COUNTRY, "gateway": GATEWAY_COUNTRY}
    _parallel(
        *(
            lambda n=node, o=other: n.python(
                PEERING.format(
                    url=o.url,
                    fingerprint=o.identity["fingerprint"],
                    public_key=o.identity["public_key"],
                    name=o.name,
                    role=o.role,
                    country=countries[o.role],
                )
            )
            for node, other in ((hub, gateway), (gateway, hub))
        )
    )
    try:
        for node in nodes:
            node.start()
        for node in nodes:
            node.wait_until_up()
        yield TwoNodes(hub=hub, gateway=gateway)
    finally:
        for node in nodes:
            node.stop()


CREATE_CASE = """
import datetime as dt, json
from pathlib import Path
from django.conf import settings
from huizhen.apps.accounts.models import Institution, Membership, Role, User
from huizhen.apps.consults.models import Attachment, ConsultRequest, State
from huizhen.apps.nodes.models import Peer
from huizhen.apps.registry.models import Consent, Patient
spec = json.loads({spec!r})
hospital, _ = Institution.objects.get_or_create(
    name="Wuhan Union Hospital", defaults=dict(kind=Institution.Kind.REFERRING_HOSPITAL, country="CN"))
physician, created = User.objects.get_or_create(username=spec["physician"], defaults=dict(
    first_name="Wei", last_name="Zhang", email=spec["physician"] + "@hospital.example"))
if created:
    Membership.objects.create(user=physician, institution=hospital, role=Role.REFERRING_PHYSICIAN)
patient = Patient.objects.create(**spec["patient"])
for kind, destination in (("consultation", ""), ("cross_border", {hub_country!r})):
    if kind not in spec["withhold_consents"]:
        Consent.objects.create(patient=patient, kind=kind, destination_country=destination,
                               signed_on=dt.date(2026, 8, 20), scope="test")
consult = ConsultRequest.objects.create(
    reference=spec["reference"], patient=patient, peer=Peer.objects.get(name={hub_name!r}),
    referring_physician=physician, referring_physician_name="Wei Zhang",
    referring_institution="Wuhan Union Hospital", program="second_opinion", urgency="routine",
    subspecialty="lymphoma", question=spec["question"], language="zh", summary=spec["summary"],
    state=State.DRAFT)
for item in spec["attachments"]:
    source = Path(item.pop("path"))
    relative = "attachments/" + consult.reference + "/" + source.name
    target = Path(settings.HUIZHEN_BLOB_DIR) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        import shutil
        shutil.copytree(source, target)
    else:
        target.write_bytes(source.read_bytes())
    Attachment.objects.create(request=consult, blob=relative, **item)
if spec["submit"]:
    from huizhen.apps.consults import authoring
    authoring.submit_request(consult=consult, by=physician)
print(json.dumps(consult.reference))
"""


def complete_summary(history: str = "") -> dict[str, Any]:
    return {
        "diagnoses": [
            {"text": "弥漫大B细胞淋巴瘤，非生发中心型", "icd10": "C83.3", "icdo3": "9680/3", "date": "2026-03-02"}
        ],
        "stage": "Ann Arbor IIIB",
        "performance_status": {"scale": "ECOG", "value": 1},
        "treatment_lines": [
            {"line": 1, "regimen": "R-CHOP", "start": "2026-03-10", "end": "2026-07-01", "cycles": 6, "response": "PR"}
        ],
        "labs": [{"name": "LDH", "loinc": "2532-0", "value": "412", "unit": "U/L", "date": "2026-08-01"}],
        "pathology": "左颈部淋巴结切除活检：弥漫大B细胞淋巴瘤，非生发中心型。",
        "ihc": "CD20+, CD10-, BCL6+, MUM1+, Ki-67 80%",
        "flow_cytometry": "",
        "cytogenetics": "FISH：MYC重排阴性。",
        "molecular": "MYD88 L265P 阳性。",
        "history": history or "患者2026年2月发现颈部无痛性肿块，伴发热、盗汗。",
    }


def create_case(
    gateway: Node,
    *,
    reference: str,
    patient: dict[str, Any],
    question: str = "R-CHOP 6周期后部分缓解，下一步是否推荐CAR-T？",
    summary: dict[str, Any] | None = None,
    attachments: list[dict[str, Any]] | None = None,
    withhold_consents: tuple[str, ...] = (),
    physician: str = "dr-zhang",
    submit: bool = False,
) -> str:
    """A complete draft at ``gateway``: ``patient`` fields as the registry's, ``attachments`` as
    ``{"path": <file or DICOM folder on disk>, "kind", "filename", "title", ...}``; with ``submit``
    the referring physician submits it at once (the pipeline runs on the gateway's worker)."""
    spec = {
        "reference": reference,
        "patient": {
            "date_shift_days": 47,
            "country": "CN",
            "pseudonym": "PT-" + secrets.token_hex(4).upper(),
            **patient,
        },
        "question": question,
        "summary": summary or complete_summary(),
        "attachments": [dict(item, path=str(item["path"])) for item in attachments or []],
        "withhold_consents": list(withhold_consents),
        "physician": physician,
        "submit": submit,
    }
    code = CREATE_CASE.format(spec=json.dumps(spec, default=str), hub_country=HUB_COUNTRY, hub_name="Test hub")
    result: str = gateway.json(code)
    return result


SUBMIT = """
import json
from huizhen.apps.consults import authoring
from huizhen.apps.consults.models import ConsultRequest
consult = ConsultRequest.objects.get(reference={reference!r})
authoring.submit_request(consult=consult, by=consult.referring_physician)
print(json.dumps(ConsultRequest.objects.get(reference={reference!r}).state))
"""

STATE = """
import json
from huizhen.apps.consults.models import ConsultRequest
consult = ConsultRequest.objects.filter(reference={reference!r}).first()
print(json.dumps(None if consult is None else [consult.state, consult.last_error]))
"""


def submit(gateway: Node, reference: str) -> str:
    """Submit a gateway draft as its referring physician (the pipeline runs on the gateway's worker)."""
    state: str = gateway.json(SUBMIT.format(reference=reference))
    return state


def state_of(node: Node, reference: str) -> list[str] | None:
    """``[state, last_error]`` of the case at ``node``, or None if it has no such case."""
    value: list[str] | None = node.json(STATE.format(reference=reference))
    return value


def wait_for_state(node: Node, reference: str, states: set[str], timeout: float = 90.0) -> list[str]:
    """Poll until the case at ``node`` is in one of ``states``; ``[state, last_error]``."""
    value: list[str] = node.wait_for(
        STATE.format(reference=reference), lambda v: v is not None and v[0] in states, timeout=timeout
    )
    return value
